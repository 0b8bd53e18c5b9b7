/*
 * export.c — a filtered list out as .xlsx (libxlsxwriter, constant-memory
 * mode: rows go to disk as they are written) or .csv (UTF-8 with BOM).
 * The columns come from the entity's declarations; references are written
 * as what a person reads (户编号, 楼栋名称, 网格) so that an exported file
 * imports back.  See docs/IMPORT.md.
 */
#include "svc/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "lib/util.h"
#include "model/mask.h"

/* A reference shown by one field of the row it points to. */
static const struct {
	const char *ref, *field, *header;
} ref_shown[] = {
	{ "household", "household_no", "户编号" },
	{ "house", "address", "房屋地址" },
	{ "building", "name", "楼栋名称" },
	{ "grid", "name", "所属网格" },
};

#define REF_SLOTS 4096
struct refcache {
	const struct kind *e;
	int field;
	int64_t id[REF_SLOTS];
	char *text[REF_SLOTS];
};

struct xcol {
	int field;
	const char *header;
	struct refcache *ref;
	double width;
};

struct ex {
	struct store *st;
	const struct actor *a;
	const struct kind *e;
	bool reveal;
	enum export_format fmt;
	struct xcol cols[64];
	int ncols;
	struct refcache *refs[8];
	int nrefs;
	/* xlsx */
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *f_date, *f_text, *f_dt;
	/* csv */
	FILE *out;
	struct buf line;
	int64_t rows;
	struct jw_error *err;
};

bool export_format_of(const char *name, enum export_format *out)
{
	size_t n = name ? strlen(name) : 0;
	if (n >= 5 && strcasecmp(name + n - 5, ".xlsx") == 0)
		*out = EXPORT_XLSX;
	else if (n >= 4 && strcasecmp(name + n - 4, ".csv") == 0)
		*out = EXPORT_CSV;
	else
		return false;
	return true;
}

static const char *ref_text(struct ex *x, struct refcache *rc, const char *v)
{
	int64_t id;
	if (!parse_i64(v, 1, INT64_MAX, &id))
		return NULL;
	size_t slot = (size_t)id % REF_SLOTS;
	if (rc->id[slot] == id)
		return rc->text[slot];
	struct record r;
	struct jw_error e2;
	record_init(&r, rc->e);
	const char *t = NULL;
	if (STORE_CALL(x->st, record_get, x->a->community, rc->e, id, &r, &e2) == JW_OK)
		t = record_get(&r, rc->field);
	free(rc->text[slot]);
	rc->text[slot] = t ? xstrdup(t) : NULL;
	rc->id[slot] = id;
	record_release(&r);
	return rc->text[slot];
}

static void add_col(struct ex *x, int i, const char *header, struct refcache *ref, double width)
{
	if (x->ncols >= (int)(sizeof(x->cols) / sizeof(x->cols[0])))
		return;
	x->cols[x->ncols++] = (struct xcol){ i, header, ref, width };
}

static double width_of(const struct field_def *f)
{
	if (f->sens == SENS_ID)
		return 21;
	if (f->sens == SENS_PHONE)
		return 14;
	switch (f->type) {
	case FT_DATE: return 12;
	case FT_DATETIME: return 18;
	case FT_INT: case FT_REAL: case FT_BOOL: return 9;
	case FT_CODE: return 12;
	default:
		if (f->maxlen >= 200)
			return 36;
		if (f->maxlen >= 50)
			return 14;
		return 12;
	}
}

static void plan_columns(struct ex *x, bool with_status)
{
	const struct kind *e = x->e;
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if (f->type == FT_REF) {
			for (size_t k = 0; k < sizeof(ref_shown) / sizeof(ref_shown[0]); k++) {
				if (strcmp(ref_shown[k].ref, f->ref) != 0 || x->nrefs >= 8)
					continue;
				struct refcache *rc = xcalloc(1, sizeof(*rc));
				rc->e = entity_by_key(f->ref);
				rc->field = entity_field_index(rc->e, ref_shown[k].field);
				x->refs[x->nrefs++] = rc;
				add_col(x, i, ref_shown[k].header, rc, strcmp(f->ref, "house") == 0 ? 36 : 12);
			}
			continue;
		}
		bool keep = (f->flags & FF_FORM) || (f->flags & FF_LIST) ||
			    (with_status && (strcmp(f->name, "status") == 0 || strcmp(f->name, "dereg_reason") == 0 ||
					     strcmp(f->name, "dereg_date") == 0));
		if (!keep)
			continue;
		add_col(x, i, f->label, NULL, width_of(f));
	}
}

/* The text of a cell as written: code labels, masks, references. */
static const char *cell_text(struct ex *x, const struct xcol *c, const struct record *r, char *tmp, size_t tmpsz)
{
	const struct field_def *f = &x->e->fields[c->field];
	const char *v = record_get(r, c->field);
	if (!v)
		return NULL;
	if (c->ref)
		return ref_text(x, c->ref, v);
	if (f->type == FT_CODE)
		return code_label(&code_tables[f->code_table], v);
	if (f->type == FT_BOOL)
		return strcmp(v, "1") == 0 ? "是" : "否";
	return field_display(f, v, x->reveal, tmp, tmpsz);
}

static int write_row_xlsx(struct ex *x, const struct record *r)
{
	lxw_row_t row = (lxw_row_t)(x->rows + 1);
	for (int i = 0; i < x->ncols; i++) {
		const struct xcol *c = &x->cols[i];
		const struct field_def *f = &x->e->fields[c->field];
		char tmp[64];
		const char *t = cell_text(x, c, r, tmp, sizeof(tmp));
		if (!t)
			continue;
		lxw_error le = LXW_NO_ERROR;
		int y, m, d;
		if (!c->ref && f->type == FT_DATE && date_parse(t, &y, &m, &d)) {
			lxw_datetime dt = { y, m, d, 0, 0, 0 };
			le = worksheet_write_datetime(x->ws, row, (lxw_col_t)i, &dt, x->f_date);
		} else if (!c->ref && f->type == FT_DATETIME) {
			int64_t s;
			struct tm tm;
			time_t tt;
			if (parse_i64(t, 0, INT64_MAX / 2, &s) && (tt = (time_t)s, localtime_r(&tt, &tm))) {
				lxw_datetime dt = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
						    (double)tm.tm_sec };
				le = worksheet_write_datetime(x->ws, row, (lxw_col_t)i, &dt, x->f_dt);
			}
		} else if (!c->ref && (f->type == FT_INT || f->type == FT_REAL)) {
			char *end;
			double n = strtod(t, &end);
			le = *end ? worksheet_write_string(x->ws, row, (lxw_col_t)i, t, NULL)
				  : worksheet_write_number(x->ws, row, (lxw_col_t)i, n, NULL);
		} else {
			/* ID and phone numbers, room numbers: always text */
			le = worksheet_write_string(x->ws, row, (lxw_col_t)i, t,
						    f->sens != SENS_NONE ? x->f_text : NULL);
		}
		if (le != LXW_NO_ERROR)
			return jw_fail(x->err, JW_EIO, "", "写入Excel文件出错：%s", lxw_strerror(le));
	}
	return JW_OK;
}

static int write_row_csv(struct ex *x, const struct record *r)
{
	buf_reset(&x->line);
	for (int i = 0; i < x->ncols; i++) {
		char tmp[64];
		if (i)
			buf_addc(&x->line, ',');
		buf_csv(&x->line, cell_text(x, &x->cols[i], r, tmp, sizeof(tmp)));
	}
	buf_adds(&x->line, "\r\n");
	if (fwrite(x->line.data, 1, x->line.len, x->out) != x->line.len)
		return jw_fail(x->err, JW_EIO, "", "写入CSV文件出错：%s", strerror(errno));
	return JW_OK;
}

static int on_row(const struct record *r, void *ud)
{
	struct ex *x = ud;
	int rc = x->fmt == EXPORT_XLSX ? write_row_xlsx(x, r) : write_row_csv(x, r);
	if (rc == JW_OK)
		x->rows++;
	return rc;
}

static void filters_json(struct buf *b, const struct list_req *lr)
{
	buf_adds(b, "{");
	bool first = true;
#define S(k, v) do { if (!str_empty(v)) { buf_adds(b, first ? "" : ","); first = false; \
		buf_json_str(b, k); buf_addc(b, ':'); buf_json_str(b, v); } } while (0)
#define I(k, v) do { if ((v) > 0) { buf_adds(b, first ? "" : ","); first = false; \
		buf_json_str(b, k); buf_addf(b, ":%lld", (long long)(v)); } } while (0)
	S("q", lr->q);
	S("residence_type", lr->residence_type);
	S("hukou_status", lr->hukou_status);
	S("age_band", lr->age_band);
	I("grid_id", lr->grid_id);
	I("building_id", lr->building_id);
	I("house_id", lr->house_id);
	I("household_id", lr->household_id);
#undef S
#undef I
	if (lr->include_deregistered)
		buf_adds(b, first ? "\"include_deregistered\":true" : ",\"include_deregistered\":true");
	buf_addc(b, '}');
}

int svc_export(struct store *st, const struct actor *a, const struct kind *e,
	       const struct export_opts *o, const char *path, int64_t *rows, struct jw_error *err)
{
	struct list_req lr;
	int rc;
	*rows = 0;
	if (!svc_can(a, e, P_READ))
		return jw_fail(err, JW_EPERM, "", "您的角色（%s）不能查看%s", role_label(a->role), e->label);
	if (o->reveal && !svc_can(a, e, P_REVEAL))
		return jw_fail(err, JW_EPERM, "reveal", "您的角色（%s）不能导出完整的证件号码和电话，请去掉“完整号码”后再导出",
			       role_label(a->role));
	char why[REVEAL_REASON_MAX] = "";
	if (o->reveal && (rc = svc_reveal_reason(o->reason, o->reason_text, why, err)) != JW_OK)
		return rc;
	if (o->filter)
		lr = *o->filter;
	else
		list_req_init(&lr);
	lr.all = true;
	if (str_empty(lr.sort))
		lr.sort = "id";

	struct ex *x = xcalloc(1, sizeof(*x));
	x->st = st;
	x->a = a;
	x->e = e;
	x->reveal = o->reveal;
	x->fmt = o->format;
	x->err = err;
	buf_init(&x->line, 0);
	plan_columns(x, e->id == ENT_PERSON && lr.include_deregistered);

	if (o->format == EXPORT_XLSX) {
		lxw_workbook_options wo = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
		x->wb = workbook_new_opt(path, &wo);
		if (!x->wb) {
			rc = jw_fail(err, JW_EIO, "out", "无法创建文件“%s”，请检查路径和写入权限", path);
			goto out;
		}
		x->ws = workbook_add_worksheet(x->wb, e->label);
		lxw_format *bold = workbook_add_format(x->wb);
		format_set_bold(bold);
		format_set_bg_color(bold, 0xDDEBF7);
		format_set_border(bold, LXW_BORDER_THIN);
		x->f_date = workbook_add_format(x->wb);
		format_set_num_format(x->f_date, "yyyy-mm-dd");
		x->f_dt = workbook_add_format(x->wb);
		format_set_num_format(x->f_dt, "yyyy-mm-dd hh:mm");
		x->f_text = workbook_add_format(x->wb);
		format_set_num_format(x->f_text, "@");
		for (int i = 0; i < x->ncols; i++) {
			worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, x->cols[i].width, NULL);
			worksheet_write_string(x->ws, 0, (lxw_col_t)i, x->cols[i].header, bold);
		}
		worksheet_freeze_panes(x->ws, 1, 0);
	} else {
		x->out = fopen(path, "wb");
		if (!x->out) {
			rc = jw_fail(err, JW_EIO, "out", "无法创建文件“%s”：%s", path, strerror(errno));
			goto out;
		}
		buf_adds(&x->line, "\xEF\xBB\xBF");
		for (int i = 0; i < x->ncols; i++) {
			if (i)
				buf_addc(&x->line, ',');
			buf_csv(&x->line, x->cols[i].header);
		}
		buf_adds(&x->line, "\r\n");
		fwrite(x->line.data, 1, x->line.len, x->out);
	}

	rc = svc_list(st, a, e, &lr, on_row, x, NULL, err);

	if (x->wb) {
		if (x->ncols > 0)
			worksheet_autofilter(x->ws, 0, 0, (lxw_row_t)x->rows, (lxw_col_t)(x->ncols - 1));
		lxw_error le = workbook_close(x->wb);
		x->wb = NULL;
		if (rc == JW_OK && le != LXW_NO_ERROR)
			rc = jw_fail(err, JW_EIO, "out", "写入Excel文件“%s”出错：%s", path, lxw_strerror(le));
	}
	if (x->out) {
		if (fclose(x->out) != 0 && rc == JW_OK)
			rc = jw_fail(err, JW_EIO, "out", "写入CSV文件“%s”出错：%s", path, strerror(errno));
		x->out = NULL;
	}
	if (rc == JW_OK) {
		*rows = x->rows;
		/* every export is recorded; one with full numbers is a reveal */
		struct buf b = BUF_INIT;
		buf_addf(&b, "{\"format\":\"%s\",\"rows\":%lld,\"reveal\":%s,\"filters\":",
			 o->format == EXPORT_XLSX ? "xlsx" : "csv", (long long)x->rows, o->reveal ? "true" : "false");
		filters_json(&b, &lr);
		if (o->reveal) {
			buf_adds(&b, ",\"reason\":");
			buf_json_str(&b, why);
		}
		buf_addc(&b, '}');
		rc = svc_audit_raw(st, a, "export", e->key, 0, NULL, buf_cstr(&b), err);
		buf_release(&b);
	}
out:
	if (rc != JW_OK)
		unlink(path);
	for (int i = 0; i < x->nrefs; i++) {
		for (int s = 0; s < REF_SLOTS; s++)
			free(x->refs[i]->text[s]);
		free(x->refs[i]);
	}
	buf_release(&x->line);
	free(x);
	return rc;
}

int export_to(void *req, const char *path, struct jw_error *err)
{
	struct export_req *x = req;
	return svc_export(x->st, x->a, x->e, x->o, path, &x->rows, err);
}

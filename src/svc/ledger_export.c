/*
 * ledger_export.c — a ledger's entries in a departmental layout
 * (svc/layout.c writes the workbook).  Each layout column names its
 * source: "p.name" (the person), "hh.head" (the household's head),
 * "h.address" (the house), "f.amount" (a field of the entry), "e.start_date"
 * (the entry), "band:80–89周岁" (the allowance in its age band's column),
 * "v.last" (the latest visit), "calc.…" (computed).  A ledger without a
 * layout of its own gets the generic roster built from its declaration.
 *
 * Upper departments need full ID and account numbers on payout rosters:
 * roles that may reveal get them, others get them masked; every export is
 * audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/mask.h"
#include "svc/ledger.h"

#define MAX_COLS 48

struct lx {
	struct store *st;
	const struct actor *a;
	const struct ledger_def *l;
	const struct layout_def *d;
	struct layout_writer *w;
	bool reveal;
	int ty, tm, td;
	int64_t rows;
	struct jw_error *err;
	char vals[MAX_COLS][256];
};

static void put(char *out, const char *v)
{
	snprintf(out, 256, "%s", v ? v : "");
}

static void put_masked(struct lx *x, char *out, const char *v, enum field_sens sens)
{
	char m[64];
	put(out, sens_display(sens, v, x->reveal, m, sizeof(m)));
}

static int age_of(struct lx *x, const char *bd)
{
	int y, m, d;
	if (!bd || !date_parse(bd, &y, &m, &d))
		return -1;
	return age_on(y, m, d, x->ty, x->tm, x->td);
}

/* The household's head (与户主关系 02 户主 / 01 本人). */
static int head_cb(const struct record *r, void *ud)
{
	struct record *out = ud;
	const char *rel = record_get(r, PF_RELATION);
	if (out->v && rel && (strcmp(rel, "01") == 0 || strcmp(rel, "02") == 0)) {
		record_release(out);
		record_copy(out, r);
		return 1;
	}
	if (!out->v)
		record_copy(out, r);
	return JW_OK;
}

static int row_cb(const struct entry_row *e, void *ud)
{
	struct lx *x = ud;
	const struct layout_def *d = x->d;
	struct record p = { 0 }, head = { 0 }, f;
	struct jw_error e2;
	entry_fields(x->l, e->data, &f);
	bool person = strcmp(e->subject, "person") == 0;
	if (person) {
		record_init(&p, &entities[ENT_PERSON]);
		if (STORE_CALL(x->st, record_get, x->a->community, &entities[ENT_PERSON], e->subject_id, &p, &e2) != JW_OK)
			record_release(&p);
	} else if (strcmp(e->subject, "household") == 0) {
		struct query q;
		char hid[24];
		query_init(&q);
		q.active_only = true;
		q.limit = 50;
		q.sort = "id";
		snprintf(hid, sizeof(hid), "%lld", (long long)e->subject_id);
		query_filter(&q, "household_id", FOP_EQ, hid);
		STORE_CALL(x->st, record_list, x->a->community, &entities[ENT_PERSON], &q, head_cb, &head, NULL, &e2);
	}
	const struct record *who = person ? (p.v ? &p : NULL) : (head.v ? &head : NULL);
	int age = who ? age_of(x, record_get(who, PF_BIRTH_DATE)) : -1;
	/* a layout with age-band columns (高龄津贴) lists those in a band only */
	bool banded = false;
	for (int i = 0; i < d->ncols; i++)
		banded = banded || (d->cols[i].source && strncmp(d->cols[i].source, "band:", 5) == 0);
	if (banded && !elderly_band(age)) {
		if (p.v)
			record_release(&p);
		if (head.v)
			record_release(&head);
		record_release(&f);
		return JW_OK;
	}
	for (int i = 0; i < d->ncols && i < MAX_COLS; i++) {
		const char *src = d->cols[i].source;
		char *out = x->vals[i];
		out[0] = 0;
		if (!src)
			continue;
		if (strncmp(src, "p.", 2) == 0 || strncmp(src, "hh.head", 7) == 0) {
			const char *name = strncmp(src, "p.", 2) == 0 ? src + 2 : "name";
			if (strcmp(src, "hh.head_id") == 0)
				name = "id_number";
			if (!who)
				continue;
			if (strcmp(name, "age") == 0) {
				if (age >= 0)
					snprintf(out, 256, "%d", age);
				continue;
			}
			int ix = entity_field_index(&entities[ENT_PERSON], name);
			if (ix < 0)
				continue;
			const struct field_def *fd = &entities[ENT_PERSON].fields[ix];
			const char *v = record_get(who, ix);
			if (fd->type == FT_CODE && v)
				v = code_label(&code_tables[fd->code_table], v);
			put_masked(x, out, v, fd->sens);
		} else if (strcmp(src, "hh.address") == 0 || strcmp(src, "h.address") == 0) {
			put(out, e->address);
		} else if (strcmp(src, "hh.household_no") == 0) {
			put(out, person ? NULL : e->name);
		} else if (strncmp(src, "f.", 2) == 0) {
			int ix = entity_field_index(f.ent, src + 2);
			if (ix >= 0)
				put_masked(x, out, record_get(&f, ix), x->l->fields[ix].sens);
		} else if (strcmp(src, "e.start_date") == 0) {
			put(out, e->start_date);
		} else if (strcmp(src, "e.end_date") == 0) {
			put(out, e->end_date);
		} else if (strcmp(src, "v.last") == 0) {
			put(out, e->last_visit);
		} else if (strncmp(src, "band:", 5) == 0) {
			const char *band = elderly_band(age);
			int ix = entity_field_index(f.ent, "allowance");
			if (band && strcmp(band, src + 5) == 0 && ix >= 0)
				put(out, record_get(&f, ix));
		} else if (strncmp(src, "calc.", 5) == 0) {
			int hb = entity_field_index(f.ent, "hours_before"), hy = entity_field_index(f.ent, "hours_year");
			double total = 0;
			if (hb >= 0 && record_get(&f, hb))
				total += strtod(record_get(&f, hb), NULL);
			if (hy >= 0 && record_get(&f, hy))
				total += strtod(record_get(&f, hy), NULL);
			if (strcmp(src, "calc.hours_total") == 0)
				snprintf(out, 256, "%.1f", total);
			else if (strcmp(src, "calc.stars") == 0)
				put(out, total >= 1500 ? "五星" : total >= 1000 ? "四星" : total >= 600 ? "三星" :
					 total >= 300 ? "二星" : total >= 100 ? "一星" : "未评星");
		} else if (strcmp(src, "name") == 0) {
			put(out, e->name);
		}
	}
	const char *vp[MAX_COLS];
	for (int i = 0; i < d->ncols && i < MAX_COLS; i++)
		vp[i] = x->vals[i];
	int rc = layout_row(x->w, vp, x->err);
	if (p.v)
		record_release(&p);
	if (head.v)
		record_release(&head);
	record_release(&f);
	if (rc == JW_OK)
		x->rows++;
	return rc;
}

/* The generic roster of a ledger without a layout of its own: one per
 * export (two exports may run at once on two threads). */
struct generic {
	struct layout_def d;
	struct layout_col cols[MAX_COLS];
	char title[160];
	char srcs[LEDGER_MAX_FIELDS][40];   /* "f.<field>", the columns' sources */
};

static void generic_layout(const struct ledger_def *l, struct generic *g)
{
	struct layout_col *cols = g->cols;
	char (*srcs)[40] = g->srcs;
	int n = 0;
	cols[n++] = (struct layout_col){ NULL, "序号", NULL, LT_SERIAL, 0, false, false };
	if (l->subject == ENT_PERSON) {
		cols[n++] = (struct layout_col){ NULL, "姓名", "p.name", LT_TEXT, 0, false, true };
		cols[n++] = (struct layout_col){ NULL, "性别", "p.sex", LT_TEXT, 0, false, false };
		cols[n++] = (struct layout_col){ NULL, "身份证号码", "p.id_number", LT_ID, 0, false, false };
		cols[n++] = (struct layout_col){ NULL, "出生日期", "p.birth_date", LT_DATE, 0, false, false };
		cols[n++] = (struct layout_col){ NULL, "联系电话", "p.phone", LT_ID, 0, false, false };
		cols[n++] = (struct layout_col){ NULL, "现居住地址", "p.current_address", LT_TEXT, 30, false, false };
	} else if (l->subject == ENT_HOUSEHOLD) {
		cols[n++] = (struct layout_col){ NULL, "户编号", "hh.household_no", LT_TEXT, 0, false, true };
		cols[n++] = (struct layout_col){ NULL, "户主姓名", "hh.head", LT_TEXT, 0, false, false };
		cols[n++] = (struct layout_col){ NULL, "户主身份证号码", "hh.head_id", LT_ID, 0, false, false };
		cols[n++] = (struct layout_col){ NULL, "家庭住址", "hh.address", LT_TEXT, 30, false, false };
	} else if (l->subject == ENT_HOUSE) {
		cols[n++] = (struct layout_col){ NULL, "房屋地址", "h.address", LT_TEXT, 30, false, true };
	}   /* records attached to nothing: their own fields only */
	for (int i = 0; i < l->nfields && n < MAX_COLS - 2; i++) {
		const struct field_def *fd = &l->fields[i];
		if (strcmp(fd->name, "notes") == 0)
			continue;
		snprintf(srcs[i], sizeof(srcs[i]), "f.%s", fd->name);
		enum layout_type t = fd->type == FT_DATE ? LT_DATE : fd->type == FT_INT ? LT_NUMBER :
				     fd->type == FT_REAL ? LT_NUMBER : fd->sens != SENS_NONE ? LT_ID : LT_TEXT;
		bool money = fd->type == FT_REAL && strstr(fd->label, "元");
		cols[n++] = (struct layout_col){ NULL, fd->label, srcs[i], money ? LT_MONEY : t, 0, money, false };
	}
	if (l->subject != SUBJECT_NONE)
		cols[n++] = (struct layout_col){ NULL, "登记日期", "e.start_date", LT_DATE, 0, false, false };
	cols[n++] = (struct layout_col){ NULL, "备注", "f.notes", LT_TEXT, 0, false, false };
	snprintf(g->title, sizeof(g->title), "{community}%s", l->title);
	g->d = (struct layout_def){ "roster", l->title, g->title, NULL, NULL, NULL, cols, n, false, NULL, NULL };
}

int svc_ledger_export(struct store *st, const struct actor *a, const struct ledger_def *l, const char *layout_key,
		      const char *path, int64_t *rows, struct jw_error *err)
{
	struct generic *gen = NULL;
	const struct layout_def *d = NULL;
	*rows = 0;
	if (!ledger_can(st, a, l, false))
		return jw_fail(err, JW_EPERM, "", "您不能查看《%s》，也不能导出", l->title);
	for (int i = 0; i < l->nlayouts; i++)
		if (!layout_key || !*layout_key || strcmp(l->layouts[i].key, layout_key) == 0) {
			d = &l->layouts[i];
			break;
		}
	if (!d && layout_key && *layout_key && strcmp(layout_key, "roster") != 0)
		return jw_fail(err, JW_EBADREQ, "layout", "《%s》没有名为“%s”的导出版式", l->title, layout_key);
	if (!d) {
		gen = xcalloc(1, sizeof(*gen));
		generic_layout(l, gen);
		d = &gen->d;
	}
	struct community_row com;
	int rc = svc_community(st, a, &com, err);
	if (rc != JW_OK) {
		free(gen);
		return rc;
	}
	struct lx *x = xcalloc(1, sizeof(*x));
	*x = (struct lx){ .st = st, .a = a, .l = l, .d = d, .reveal = svc_can(a, &entities[ENT_PERSON], P_REVEAL),
			  .err = err };
	date_today(&x->ty, &x->tm, &x->td);
	struct layout_ctx ctx = { com.name, x->ty, x->tm, x->td };
	if (!(x->w = layout_begin(d, &ctx, path, err))) {
		free(x);
		free(gen);
		return err->code ? err->code : JW_EIO;
	}
	struct entry_query q = { .ledger = l->key, .limit = INT64_MAX, .oldest_first = true };
	if (d->where_field && d->where_in)   /* the form's own selection (独居、空巢) */
		q.where[q.nwhere++] = (struct entry_filter){ d->where_field, EOP_IN, d->where_in };
	rc = svc_entry_list(st, a, l, &q, row_cb, x, NULL, err);
	if (rc != JW_OK) {
		layout_abort(x->w);
		free(x);
		free(gen);
		return rc;
	}
	rc = layout_end(x->w, err);
	*rows = x->rows;
	if (rc == JW_OK) {
		char json[256];
		snprintf(json, sizeof(json), "{\"ledger\":\"%s\",\"layout\":\"%s\",\"rows\":%lld,\"reveal\":%s}", l->key,
			 d->key, (long long)x->rows, x->reveal ? "true" : "false");
		rc = svc_audit_raw(st, a, "export", "ledger", 0, NULL, json, err);
	}
	free(x);
	free(gen);
	return rc;
}

int ledger_export_to(void *req, const char *path, struct jw_error *err)
{
	struct ledger_export_req *x = req;
	return svc_ledger_export(x->st, x->a, x->l, x->layout, path, &x->rows, err);
}

/*
 * records.c — the registry's pages, generated from the field declarations:
 * lists with search, filters and paging; record pages; create and edit
 * forms that show each error next to its field; the person's reveal and
 * de-registration; a household's members; a building's 楼盘表.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "lib/util.h"
#include "model/textnorm.h"
#include "svc/ledger.h"
#include "web/page.h"
#include "web/web.h"

/* ---- lists ---- */

struct opt_ctx {
	struct buf *b;
	int64_t selected;
	int title;
	int64_t n;   /* rows of this page */
};

static int option_item(const struct record *rec, void *ud)
{
	struct opt_ctx *oc = ud;
	oc->n++;
	buf_addf(oc->b, "<option value=\"%lld\"%s>", (long long)rec->id,
		 rec->id == oc->selected ? " selected" : "");
	buf_html(oc->b, record_get(rec, oc->title));
	buf_adds(oc->b, "</option>");
	return JW_OK;
}

/* <select> of the rows of a small entity (grids, buildings). */
static void ref_select(struct http_req *r, struct buf *b, const struct kind *e,
		       const char *name, int64_t selected, const char *empty_label)
{
	struct list_req lr;
	struct jw_error err;
	list_req_init(&lr);
	lr.per_page = 100;
	lr.sort = e->title_field;
	buf_adds(b, "<select name=\"");
	buf_adds(b, name);
	buf_adds(b, "\" id=\"f-");
	buf_adds(b, name);
	buf_adds(b, "\"><option value=\"\">");
	buf_html(b, empty_label);
	buf_adds(b, "</option>");
	struct opt_ctx oc = { b, selected, entity_field_index(e, e->title_field), 0 };
	/* pages until a short one (no count asked: each would be a query more) */
	for (lr.page = 1; lr.page <= 10; lr.page++) {
		oc.n = 0;
		if (svc_list(r->st, &r->actor, e, &lr, option_item, &oc, NULL, &err) != JW_OK || oc.n < lr.per_page)
			break;
	}
	buf_adds(b, "</select>");
}

static void code_select(struct buf *b, const char *name, const struct code_table *t,
			const char *selected, const char *empty_label)
{
	buf_adds(b, "<select name=\"");
	buf_adds(b, name);
	buf_adds(b, "\" id=\"f-");
	buf_adds(b, name);
	buf_adds(b, "\"><option value=\"\">");
	buf_html(b, empty_label);
	buf_adds(b, "</option>");
	for (size_t i = 0; i < t->n; i++) {
		bool on = selected && strcmp(selected, t->entries[i].code) == 0;
		buf_adds(b, "<option value=\"");
		buf_html(b, t->entries[i].code);
		buf_adds(b, on ? "\" selected>" : "\">");
		buf_html(b, t->entries[i].label);
		buf_adds(b, "</option>");
	}
	buf_adds(b, "</select>");
}

struct table_ctx {
	struct http_req *r;
	struct buf *b;
	int n;
};

static int list_row(const struct record *rec, void *ud)
{
	struct table_ctx *tc = ud;
	struct buf *b = tc->b;
	const struct kind *e = rec->ent;
	bool first = true;
	tc->n++;
	buf_adds(b, "<tr>");
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if (!(f->flags & FF_LIST))
			continue;
		buf_adds(b, (f->flags & FF_WIDE) ? "<td class=\"hide-sm\">" : "<td>");
		if (first) {
			buf_addf(b, "<a href=\"/%s/%lld\">", e->path, (long long)rec->id);
			if (record_get(rec, i))
				page_value(tc->r, b, f, record_get(rec, i), false);
			else
				buf_addf(b, "#%lld", (long long)rec->id);
			buf_adds(b, "</a>");
			first = false;
		} else {
			page_value(tc->r, b, f, record_get(rec, i), false);
		}
		buf_adds(b, "</td>");
	}
	if (e->id == ENT_PERSON) {
		int age = person_age(rec);
		if (age >= 0)
			buf_addf(b, "<td>%d</td>", age);
		else
			buf_adds(b, "<td></td>");
		const char *st = record_get(rec, PF_STATUS);
		buf_adds(b, st && strcmp(st, "active") != 0 ? "<td><span class=\"tag off\">已注销</span></td>"
							    : "<td><span class=\"tag\">在册</span></td>");
	}
	buf_adds(b, "</tr>");
	return JW_OK;
}

/* Appends the current query with one parameter replaced (for sort/page links). */
static void link_with(struct http_req *r, struct buf *b, const char *path, const char *key,
		      const char *val)
{
	static const char *keys[] = { "q", "grid_id", "building_id", "house_id", "household_id",
				      "residence_type", "hukou_status", "age_band", "include_deregistered", "match",
				      "sort", "page" };
	bool first = true;
	buf_adds(b, path);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = strcmp(keys[i], key) == 0 ? val : req_query(r, keys[i]);
		if (strcmp(key, "sort") == 0 && strcmp(keys[i], "page") == 0)
			v = NULL;   /* a new order starts at page 1 */
		if (str_empty(v))
			continue;
		buf_addc(b, first ? '?' : '&');
		first = false;
		buf_adds(b, keys[i]);
		buf_addc(b, '=');
		buf_url(b, v);
	}
}

/* A list page's link to another page: the current query, page replaced. */
static void list_page_link(void *ud, int64_t page, struct buf *b)
{
	char num[24];
	snprintf(num, sizeof(num), "%lld", (long long)page);
	link_with(ud, b, "", "page", num);
}

static void age_band_select(struct buf *b, const char *sel)
{
	buf_adds(b, "<select name=\"age_band\" id=\"f-age_band\"><option value=\"\">全部年龄</option>");
	for (int i = 0; i < nage_bands; i++) {
		buf_adds(b, "<option value=\"");
		buf_html(b, age_bands[i].key);
		buf_adds(b, sel && strcmp(sel, age_bands[i].key) == 0 ? "\" selected>" : "\">");
		buf_html(b, age_bands[i].label);
		buf_adds(b, "</option>");
	}
	buf_adds(b, "</select>");
}

/* "导出 Excel" / "导出 CSV" for the list as filtered (GET: the filters ride
 * along as hidden fields); a role that may reveal can ask for full numbers. */
static void export_form(struct http_req *r, struct buf *b, const struct kind *e, const struct list_req *lr)
{
	buf_addf(b, "<form class=\"export\" method=\"get\" action=\"/%s/export.xlsx\">", e->path);
	const struct { const char *name, *val; } s[] = {
		{ "q", lr->q }, { "residence_type", lr->residence_type }, { "hukou_status", lr->hukou_status },
		{ "age_band", lr->age_band },
		{ "match", lr->match_any ? "any" : NULL }, { "include_deregistered", lr->include_deregistered ? "1" : NULL },
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (str_empty(s[i].val))
			continue;
		buf_addf(b, "<input type=\"hidden\" name=\"%s\" value=\"", s[i].name);
		buf_html(b, s[i].val);
		buf_adds(b, "\">");
	}
	const struct { const char *name; int64_t v; } n[] = {
		{ "grid_id", lr->grid_id }, { "building_id", lr->building_id },
		{ "house_id", lr->house_id }, { "household_id", lr->household_id },
	};
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (n[i].v > 0)
			buf_addf(b, "<input type=\"hidden\" name=\"%s\" value=\"%lld\">", n[i].name, (long long)n[i].v);
	if (svc_can(&r->actor, e, P_REVEAL) && e->id == ENT_PERSON)
	{
		buf_adds(b, "<label class=\"inline\"><input type=\"checkbox\" name=\"reveal\" value=\"1\">含完整号码（记入审计）</label> "
			    "<label class=\"inline\">原因 ");
		code_select(b, "reason", &code_tables[CT_REVEAL_REASON], NULL, "（含完整号码时选择）");
		buf_adds(b, "</label> <input name=\"reason_text\" maxlength=\"60\" placeholder=\"其他原因\" aria-label=\"其他原因\"> ");
	}
	buf_addf(b, "<button type=\"submit\">导出 Excel</button> "
		    "<button type=\"submit\" formaction=\"/%s/export.csv\" class=\"secondary\">导出 CSV</button></form>", e->path);
}

/* The person's ledgers (restricted ones are not shown here: reading them
 * is audited, and this page is a plain read). */
struct pl_ctx { struct http_req *r; struct buf *b; int64_t pid; int n; };

static int pl_entry(const struct entry_row *en, void *ud)
{
	struct pl_ctx *c = ud;
	const struct ledger_def *l = ledger_builtin(en->ledger);
	if (!l)
		l = ledger_find(c->r->st, c->r->actor.community, en->ledger);
	buf_adds(c->b, c->n++ ? "、" : "");
	buf_addf(c->b, "<a href=\"/ledgers/%s/entries/%lld\">", en->ledger, (long long)en->id);
	buf_html(c->b, l ? l->title : en->ledger);
	buf_adds(c->b, "</a>");
	return JW_OK;
}

static int pl_ledger(const struct ledger_def *l, void *ud)
{
	struct pl_ctx *c = ud;
	if (l->restricted || l->subject != ENT_PERSON || !ledger_can(c->r->st, &c->r->actor, l, false))
		return 0;
	struct entry_query q = { .subject = "person", .subject_id = c->pid, .limit = 5 };
	struct jw_error err;
	svc_entry_list(c->r->st, &c->r->actor, l, &q, pl_entry, c, NULL, &err);
	return 0;
}

static void person_ledgers(struct http_req *r, struct buf *b, const struct record *rec)
{
	struct pl_ctx c = { r, b, rec->id, 0 };
	buf_adds(b, "<p><strong>台账：</strong>");
	ledger_each(r->st, r->actor.community, pl_ledger, &c);
	if (!c.n)
		buf_adds(b, "<span class=\"muted\">未列入</span>");
	if (strcmp(record_get(rec, PF_STATUS), "active") == 0)
		buf_addf(b, " <a class=\"noprint\" href=\"/ledgers?subject_id=%lld\">列入台账…</a>", (long long)rec->id);
	buf_adds(b, "</p>");
}

void web_list(struct http_req *r, struct http_resp *w)
{
	const struct kind *e = req_entity(r);
	struct list_req lr;
	struct jw_error err;
	int64_t total = 0;
	list_req_from_query(r, &lr);
	struct buf rows = BUF_INIT;
	struct table_ctx tc = { r, &rows, 0 };
	const char *notice = NULL;
	if (svc_list(r->st, &r->actor, e, &lr, list_row, &tc, &total, &err) != JW_OK) {
		if (err.code != JW_EBADREQ || strcmp(err.field, "q") != 0) {
			buf_release(&rows);
			web_error(r, w, &err);
			return;
		}
		notice = err.message;   /* a search too short: say so above the form */
		w->status = 400;
	}
	char title[64];
	snprintf(title, sizeof(title), "%s", e->label);
	page_begin(r, w, title);
	struct buf *b = &w->body;
	buf_adds(b, "<h1>");
	buf_html(b, e->label);
	buf_addf(b, " <span class=\"muted\">共 %lld 条</span></h1>", (long long)total);
	buf_adds(b, "<div class=\"toolbar\">");
	if (svc_can(&r->actor, e, P_WRITE))
		buf_addf(b, "<a class=\"button\" href=\"/%s/new\">新增%s</a>", e->path, e->label);
	if (e->id == ENT_PERSON && svc_can(&r->actor, e, P_WRITE) && r->actor.role != ROLE_GRID_WORKER)
		buf_adds(b, "<a class=\"button\" href=\"/import\">导入 Excel</a>");
	export_form(r, b, e, &lr);
	buf_adds(b, "</div>");

	if (notice)
		page_notice(b, "err", notice);
	/* filters (GET: bookmarkable, no CSRF needed) */
	buf_addf(b, "<form class=\"filters\" method=\"get\" action=\"/%s\">", e->path);
	buf_adds(b, "<label for=\"f-q\">搜索<input id=\"f-q\" name=\"q\" size=\"28\" value=\"");
	buf_html(b, lr.q ? lr.q : "");
	buf_adds(b, e->id == ENT_PERSON ? "\" placeholder=\"姓名、拼音或首字母、证件号或电话片段、地址\"></label>"
					: "\" placeholder=\"名称或地址片段\"></label>");
	if (e->id == ENT_PERSON || e->id == ENT_HOUSEHOLD || e->id == ENT_HOUSE || e->id == ENT_BUILDING) {
		if (r->actor.role != ROLE_GRID_WORKER) {
			buf_adds(b, "<label>网格");
			ref_select(r, b, &entities[ENT_GRID], "grid_id", lr.grid_id, "全部网格");
			buf_adds(b, "</label>");
		}
	}
	if (e->id == ENT_PERSON || e->id == ENT_HOUSEHOLD || e->id == ENT_HOUSE) {
		buf_adds(b, "<label>楼栋");
		ref_select(r, b, &entities[ENT_BUILDING], "building_id", lr.building_id, "全部楼栋");
		buf_adds(b, "</label>");
	}
	if (e->id == ENT_PERSON) {
		buf_adds(b, "<label>人口类型");
		code_select(b, "residence_type", &code_tables[CT_RESIDENCE], lr.residence_type, "全部");
		buf_adds(b, "</label><label>人户状态");
		code_select(b, "hukou_status", &code_tables[CT_HUKOU_STATUS], lr.hukou_status, "全部");
		buf_adds(b, "</label><label>年龄段");
		age_band_select(b, lr.age_band);
		buf_adds(b, "</label><label>范围<select name=\"include_deregistered\">"
			    "<option value=\"\">仅在册</option><option value=\"1\"");
		buf_adds(b, lr.include_deregistered ? " selected" : "");
		buf_adds(b, ">含已注销</option></select></label>");
	}
	if (lr.household_id)
		buf_addf(b, "<input type=\"hidden\" name=\"household_id\" value=\"%lld\">", (long long)lr.household_id);
	if (lr.house_id)
		buf_addf(b, "<input type=\"hidden\" name=\"house_id\" value=\"%lld\">", (long long)lr.house_id);
	if (lr.match_any)
		buf_adds(b, "<input type=\"hidden\" name=\"match\" value=\"any\">");
	buf_addf(b, "<button type=\"submit\">查询</button> <a href=\"/%s\">清除</a></form>", e->path);
	char qn[256];
	if (e->id == ENT_PERSON && lr.q && text_normalize(lr.q, qn, sizeof(qn)) != (size_t)-1 &&
	    query_classify(qn) == Q_DIGITS) {
		struct buf link = BUF_INIT;
		link_with(r, &link, "/persons", "match", lr.match_any ? "" : "any");
		buf_adds(b, "<p class=\"muted noprint\">");
		buf_adds(b, lr.match_any ? "正在查找号码任意位置含有该数字的居民。<a href=\"" :
					   "按证件号、电话的尾号或证件号开头查找。<a href=\"");
		buf_html(b, buf_cstr(&link));
		buf_adds(b, lr.match_any ? "\">只查尾号和开头</a></p>" : "\">在号码任意位置查找</a></p>");
		buf_release(&link);
	}

	/* table */
	buf_adds(b, "<div class=\"scroll\"><table><thead><tr>");
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if (!(f->flags & FF_LIST))
			continue;
		char sort[80];
		bool asc = lr.sort && strcmp(lr.sort, f->name) == 0;
		snprintf(sort, sizeof(sort), "%s%s", asc ? "-" : "", f->name);
		buf_adds(b, (f->flags & FF_WIDE) ? "<th class=\"hide-sm\"><a href=\"" : "<th><a href=\"");
		struct buf link = BUF_INIT;
		link_with(r, &link, "", "sort", sort);
		buf_adds(&link, "");
		buf_html(b, buf_cstr(&link));
		buf_release(&link);
		buf_adds(b, "\">");
		buf_html(b, f->label);
		buf_adds(b, "</a></th>");
	}
	if (e->id == ENT_PERSON)
		buf_adds(b, "<th>年龄</th><th>状态</th>");
	page_table_rows(b, &rows, tc.n, "没有符合条件的记录");

	/* pager */
	struct pager pg;
	pager_set(&pg, lr.page, lr.per_page, total);
	pager_html(b, &pg, list_page_link, r);
	page_end(w);
}

/* ---- forms ---- */

void web_form_field(struct http_req *r, struct buf *b, const struct field_def *f,
		    const char *v, const struct verr *ve, bool editing)
{
	const char *msg = ve ? verr_for(ve, f->name) : NULL;
	buf_addf(b, "<div class=\"f%s%s\"><label for=\"f-%s\">", (f->flags & FF_REQUIRED) ? " req" : "",
		 msg ? " bad" : "", f->name);
	buf_html(b, f->label);
	buf_adds(b, "</label>");
	/* Sensitive numbers are never pre-filled: editing them is typing them anew. */
	bool blank_sens = editing && f->sens != SENS_NONE && !msg;
	if (blank_sens)
		v = NULL;
	switch (f->type) {
	case FT_CODE:
		code_select(b, f->name, &code_tables[f->code_table], v, "（请选择）");
		break;
	case FT_BOOL:
		buf_addf(b, "<select name=\"%s\" id=\"f-%s\"><option value=\"\"></option>"
			    "<option value=\"1\"%s>是</option><option value=\"0\"%s>否</option></select>",
			 f->name, f->name, v && strcmp(v, "1") == 0 ? " selected" : "",
			 v && strcmp(v, "0") == 0 ? " selected" : "");
		break;
	case FT_REF:
		if (strcmp(f->ref, "grid") == 0 || strcmp(f->ref, "building") == 0) {
			int64_t sel = 0;
			if (v)
				parse_i64(v, 0, INT64_MAX, &sel);
			ref_select(r, b, entity_by_key(f->ref), f->name, sel, "（请选择）");
			break;
		}
		/* larger tables take the record number */
		/* fall through */
	default:
		if (f->options) {
			/* a choice list (ledgers' own fields) */
			buf_addf(b, "<select name=\"%s\" id=\"f-%s\"><option value=\"\">（请选择）</option>", f->name,
				 f->name);
			char opt[128];
			for (const char *p = f->options; options_next(&p, opt, sizeof(opt));) {
				buf_adds(b, "<option");
				buf_adds(b, v && strcmp(v, opt) == 0 ? " selected>" : ">");
				buf_html(b, opt);
				buf_adds(b, "</option>");
			}
			buf_adds(b, "</select>");
			break;
		}
		if (f->flags & FF_MULTILINE) {
			buf_addf(b, "<textarea name=\"%s\" id=\"f-%s\" rows=\"3\">", f->name, f->name);
			buf_html(b, v);
			buf_adds(b, "</textarea>");
			break;
		}
		buf_addf(b, "<input name=\"%s\" id=\"f-%s\" type=\"%s\"", f->name, f->name,
			 f->type == FT_DATE ? "date" :
			 (f->type == FT_INT || f->type == FT_REF) ? "number" :
			 f->sens == SENS_PHONE ? "tel" : "text");
		if (f->type == FT_REAL)
			buf_adds(b, " inputmode=\"decimal\"");
		if (f->maxlen)
			buf_addf(b, " maxlength=\"%d\"", f->maxlen * 2);
		if (msg)
			buf_addf(b, " aria-invalid=\"true\" aria-describedby=\"e-%s\"", f->name);
		buf_adds(b, " value=\"");
		buf_html(b, v);
		buf_adds(b, "\"");
		if (blank_sens)
			buf_adds(b, " placeholder=\"已登记，不修改请留空\"");
		buf_adds(b, ">");
	}
	if (f->hint && !blank_sens) {
		buf_adds(b, "<span class=\"hint\">");
		buf_html(b, f->hint);
		buf_adds(b, "</span>");
	}
	if (msg) {
		buf_addf(b, "<p class=\"err\" id=\"e-%s\">", f->name);
		buf_html(b, msg);
		buf_adds(b, "</p>");
	}
	buf_adds(b, "</div>");
}

static void form_page(struct http_req *r, struct http_resp *w, const struct record *rec,
		      const struct verr *ve, bool editing)
{
	const struct kind *e = rec->ent;
	char title[80];
	snprintf(title, sizeof(title), "%s%s", editing ? "修改" : "新增", e->label);
	page_begin(r, w, title);
	struct buf *b = &w->body;
	buf_adds(b, "<h1>");
	buf_html(b, title);
	buf_adds(b, "</h1>");
	if (ve && ve->n) {
		char msg[200];
		snprintf(msg, sizeof(msg), "有 %d 处需要修改，请查看下面标红的项目。", ve->n);
		page_notice(b, "err", msg);
	}
	if (editing)
		buf_addf(b, "<form class=\"record\" method=\"post\" action=\"/%s/%lld\" novalidate>", e->path,
			 (long long)rec->id);
	else
		buf_addf(b, "<form class=\"record\" method=\"post\" action=\"/%s\" novalidate>", e->path);
	page_csrf(b, r);
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if (f->flags & FF_FORM)
			web_form_field(r, b, f, record_get(rec, i), ve, editing);
	}
	buf_adds(b, "<div class=\"actions\"><button type=\"submit\">保存</button> ");
	if (editing)
		buf_addf(b, "<a href=\"/%s/%lld\">取消</a>", e->path, (long long)rec->id);
	else
		buf_addf(b, "<a href=\"/%s\">取消</a>", e->path);
	buf_adds(b, "</div></form>");
	page_end(w);
}

/* Reads the form's fields into rec; blank sensitive fields while editing are left out. */
static void record_from_form(struct http_req *r, struct record *rec, bool editing)
{
	const struct kind *e = rec->ent;
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if (!(f->flags & FF_FORM))
			continue;
		const char *v = req_form(r, f->name);
		if (!v)
			continue;
		if (editing && f->sens != SENS_NONE && !*v)
			continue;
		record_set(rec, i, v);
	}
}

/* Write access (R_WRITER) is the route's: checked by the router, again in svc/. */
void web_new(struct http_req *r, struct http_resp *w)
{
	const struct kind *e = req_entity(r);
	struct record rec;
	record_init(&rec, e);
	/* prefill from the query: /persons/new?household_id=3, /houses/new?building_id=2 */
	for (int i = 0; i < e->nfields; i++) {
		const char *v = req_query(r, e->fields[i].name);
		if (v && (e->fields[i].flags & FF_FORM))
			record_set(&rec, i, v);
	}
	if (e->id == ENT_PERSON && !record_get(&rec, PF_DOC_TYPE))
		record_set(&rec, PF_DOC_TYPE, "id_card");
	form_page(r, w, &rec, NULL, false);
	record_release(&rec);
}

void web_create(struct http_req *r, struct http_resp *w)
{
	const struct kind *e = req_entity(r);
	struct record rec;
	struct verr ve;
	struct jw_error err;
	int64_t id = 0;
	record_init(&rec, e);
	verr_init(&ve);
	record_from_form(r, &rec, false);
	int rc = svc_create(r->st, &r->actor, &rec, &ve, &id, &err);
	if (rc == JW_EINVAL || rc == JW_ECONFLICT) {
		if (!ve.n)
			verr_add(&ve, err.field[0] ? err.field : "name", "%s", err.message);
		w->status = rc == JW_ECONFLICT ? 409 : 422;
		form_page(r, w, &rec, &ve, false);
	} else if (rc != JW_OK) {
		web_error(r, w, &err);
	} else {
		char loc[80];
		snprintf(loc, sizeof(loc), "/%s/%lld", e->path, (long long)id);
		resp_redirect(w, loc);
	}
	record_release(&rec);
}

void web_edit(struct http_req *r, struct http_resp *w)
{
	const struct kind *e = req_entity(r);
	struct record rec;
	struct jw_error err;
	if (svc_get(r->st, &r->actor, e, r->id, &rec, &err) != JW_OK)
		web_error(r, w, &err);
	else
		form_page(r, w, &rec, NULL, true);
	record_release(&rec);
}

void web_update(struct http_req *r, struct http_resp *w)
{
	const struct kind *e = req_entity(r);
	struct record rec, cur;
	struct verr ve;
	struct jw_error err;
	record_init(&rec, e);
	verr_init(&ve);
	record_from_form(r, &rec, true);
	int rc = svc_update(r->st, &r->actor, r->id, &rec, &ve, &err);
	if (rc == JW_EINVAL || rc == JW_ECONFLICT) {
		if (!ve.n)
			verr_add(&ve, err.field[0] ? err.field : "name", "%s", err.message);
		/* show the form with what was typed over the stored values */
		if (svc_get(r->st, &r->actor, e, r->id, &cur, &err) == JW_OK) {
			for (int i = 0; i < e->nfields; i++)
				if (rec.given[i])
					record_set(&cur, i, record_get(&rec, i));
			w->status = rc == JW_ECONFLICT ? 409 : 422;
			form_page(r, w, &cur, &ve, true);
		} else {
			web_error(r, w, &err);
		}
		record_release(&cur);
	} else if (rc != JW_OK) {
		web_error(r, w, &err);
	} else {
		char loc[80];
		snprintf(loc, sizeof(loc), "/%s/%lld", e->path, (long long)r->id);
		resp_redirect(w, loc);
	}
	record_release(&rec);
}

/* ---- record pages ---- */

static void fields_dl(struct http_req *r, struct buf *b, const struct record *rec, bool reveal)
{
	const struct kind *e = rec->ent;
	buf_adds(b, "<dl class=\"fields\">");
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if (!(f->flags & (FF_FORM | FF_LIST)) && !record_get(rec, i))
			continue;
		buf_adds(b, "<dt>");
		buf_html(b, f->label);
		buf_addf(b, "</dt><dd id=\"v-%s\">", f->name);
		page_value(r, b, f, record_get(rec, i), reveal);
		buf_adds(b, "</dd>");
		if (e->id == ENT_PERSON && i == PF_BIRTH_DATE) {
			int age = person_age(rec);
			buf_adds(b, "<dt>年龄</dt><dd>");
			if (age >= 0)
				buf_addf(b, "%d 岁", age);
			buf_adds(b, "</dd>");
		}
	}
	buf_adds(b, "</dl>");
}

/* A sub-list (members of a household, households of a house, …). */
static void sub_table(struct http_req *r, struct buf *b, const struct kind *e,
		      struct list_req *lr, const char *title)
{
	struct jw_error err;
	int64_t total = 0;
	struct buf rows = BUF_INIT;
	struct table_ctx tc = { r, &rows, 0 };
	lr->per_page = 100;
	if (svc_list(r->st, &r->actor, e, lr, list_row, &tc, &total, &err) != JW_OK) {
		page_notice(b, "err", err.message);
		buf_release(&rows);
		return;
	}
	buf_adds(b, "<h2>");
	buf_html(b, title);
	buf_addf(b, " <span class=\"muted\">%lld</span></h2><div class=\"scroll\"><table><thead><tr>", (long long)total);
	for (int i = 0; i < e->nfields; i++)
		if (e->fields[i].flags & FF_LIST) {
			buf_adds(b, (e->fields[i].flags & FF_WIDE) ? "<th class=\"hide-sm\">" : "<th>");
			buf_html(b, e->fields[i].label);
			buf_adds(b, "</th>");
		}
	if (e->id == ENT_PERSON)
		buf_adds(b, "<th>年龄</th><th>状态</th>");
	page_table_rows(b, &rows, tc.n, "暂无");
}

/* 楼盘表: units side by side, floors from the top down, each unit's rooms
 * across; a room marked by what a worker looks for (svc plan_marks), with
 * a legend and the building's counts.  Printed on A4 landscape. */
struct plan_room {
	int64_t house_id, household_id;
	int unit, floor;
	char room[24];
	char head[64];          /* the first household's head (or number) */
	int households, persons;
	unsigned marks;
};

struct plan_rooms {
	struct plan_room *v;
	size_t n, cap;
};

static int plan_collect(const struct plan_cell *c, void *ud)
{
	struct plan_rooms *pr = ud;
	struct plan_room *last = pr->n ? &pr->v[pr->n - 1] : NULL;
	if (!last || last->house_id != c->house_id) {
		if (pr->n == pr->cap) {
			size_t cap = pr->cap ? pr->cap * 2 : 64;
			struct plan_room *nv = realloc(pr->v, cap * sizeof(*nv));
			if (!nv)
				return JW_ENOMEM;
			pr->v = nv;
			pr->cap = cap;
		}
		last = &pr->v[pr->n++];
		memset(last, 0, sizeof(*last));
		last->house_id = c->house_id;
		last->unit = c->unit;
		last->floor = c->floor;
		snprintf(last->room, sizeof(last->room), "%s", c->room ? c->room : "");
	}
	last->marks |= c->marks;
	if (c->household_id) {
		if (!last->households++) {
			last->household_id = c->household_id;
			snprintf(last->head, sizeof(last->head), "%s",
				 c->head_name ? c->head_name : c->household_no ? c->household_no : "");
		}
		last->persons += c->persons;
	}
	return JW_OK;
}

static void plan_badges(struct buf *b, unsigned marks)
{
	for (int m = PM_RENTED; m < PM__COUNT; m++)
		if (marks & (1u << m))
			buf_addf(b, "<span class=\"mk mk-%s\" title=\"%s\">%s</span>", plan_marks[m].key,
				 plan_marks[m].label, plan_marks[m].abbr);
}

static void plan_room_td(struct buf *b, const struct plan_room *pr)
{
	buf_adds(b, pr->households ? "<td class=\"r occupied" : "<td class=\"r vacant");
	for (int m = 0; m < PM__COUNT; m++)
		if (pr->marks & (1u << m))
			buf_addf(b, " m-%s", plan_marks[m].key);
	buf_addf(b, "\"><a class=\"room\" href=\"/houses/%lld\">", (long long)pr->house_id);
	buf_html(b, pr->room);
	buf_adds(b, "</a>");
	if (pr->households) {
		buf_addf(b, "<a href=\"/households/%lld\">", (long long)pr->household_id);
		buf_html(b, pr->head);
		buf_adds(b, "</a>");
		if (pr->households > 1)
			buf_addf(b, "等%d户", pr->households);
		buf_addf(b, " <span class=\"muted\">%d人</span>", pr->persons);
	} else {
		buf_adds(b, "<span class=\"muted\">空置</span>");
	}
	if (pr->marks & ~(1u << PM_VACANT)) {
		buf_adds(b, "<div class=\"mks\">");
		plan_badges(b, pr->marks);
		buf_adds(b, "</div>");
	}
	buf_adds(b, "</td>");
}

static int int_desc(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return (a < b) - (a > b);
}

/* The plan of building rec: legend, counts, one table for every unit. */
static void plan_section(struct http_req *r, struct buf *b, const struct record *rec, bool print_link)
{
	struct plan_rooms pr = { 0 };
	struct plan_summary sum;
	struct jw_error err;
	buf_adds(b, "<section class=\"plan-sheet\"><h2>楼盘表 <span class=\"muted\">");
	buf_html(b, record_get(rec, BF_NAME));
	buf_adds(b, "</span></h2>");
	if (svc_building_plan(r->st, &r->actor, rec->id, plan_collect, &pr, &sum, &err) != JW_OK) {
		page_notice(b, "err", err.message);
		goto out;
	}
	if (!pr.n) {
		buf_addf(b, "<p class=\"muted\">尚未登记房屋。<a href=\"/houses/new?building_id=%lld\">登记房屋</a></p>",
			 (long long)rec->id);
		goto out;
	}
	/* legend with the building's counts */
	buf_adds(b, "<ul class=\"legend\">");
	for (int m = 0; m < PM__COUNT; m++) {
		if (!(sum.visible & (1u << m)))
			continue;
		buf_addf(b, "<li data-mark=\"%s\" class=\"m-%s\">", plan_marks[m].key, plan_marks[m].key);
		if (m == PM_VACANT)
			buf_adds(b, "<span class=\"sw\"></span>");
		else
			plan_badges(b, 1u << m);
		buf_addf(b, "<span class=\"label\">%s</span> <b>%d</b></li>", plan_marks[m].label, sum.count[m]);
	}
	buf_adds(b, "</ul>");
	buf_addf(b, "<p class=\"plan-counts\">房屋 %d 间 · 住户 %d 户 · 在册 %d 人 · 图例中的数字为房间数", sum.rooms,
		 sum.households, sum.persons);
	if (print_link)
		buf_addf(b, " <a class=\"noprint\" href=\"/buildings/%lld/plan\">打印版（A4 横向）</a>", (long long)rec->id);
	buf_adds(b, "</p>");

	/* the units in order, each as wide as its widest floor */
	int units[64], width[64], nu = 0;
	int *floors = xcalloc(pr.n, sizeof(int));
	int nf = 0;
	for (size_t i = 0; i < pr.n; i++) {
		int u = 0;
		while (u < nu && units[u] != pr.v[i].unit)
			u++;
		if (u == nu && nu < 64) {
			units[nu] = pr.v[i].unit;
			width[nu++] = 0;
		}
		floors[nf++] = pr.v[i].floor;
	}
	qsort(floors, (size_t)nf, sizeof(int), int_desc);
	int k = 0;
	for (int i = 0; i < nf; i++)
		if (!k || floors[k - 1] != floors[i])
			floors[k++] = floors[i];
	nf = k;
	for (int u = 0; u < nu; u++)
		for (int f = 0; f < nf; f++) {
			int n = 0;
			for (size_t i = 0; i < pr.n; i++)
				n += pr.v[i].unit == units[u] && pr.v[i].floor == floors[f];
			if (n > width[u])
				width[u] = n;
		}
	buf_adds(b, "<div class=\"scroll\"><table class=\"plan\"><thead><tr><th class=\"corner\">楼层</th>");
	for (int u = 0; u < nu; u++)
		buf_addf(b, "<th class=\"unit\" colspan=\"%d\">%d 单元</th>", width[u] ? width[u] : 1, units[u]);
	buf_adds(b, "</tr></thead><tbody>");
	for (int f = 0; f < nf; f++) {
		buf_addf(b, "<tr><th class=\"floor\">%d层</th>", floors[f]);
		for (int u = 0; u < nu; u++) {
			int n = 0;
			for (size_t i = 0; i < pr.n; i++)
				if (pr.v[i].unit == units[u] && pr.v[i].floor == floors[f]) {
					plan_room_td(b, &pr.v[i]);
					n++;
				}
			for (; n < (width[u] ? width[u] : 1); n++)
				buf_adds(b, "<td class=\"none\"></td>");
		}
		buf_adds(b, "</tr>");
	}
	buf_adds(b, "</tbody></table></div>");
	free(floors);
out:
	buf_adds(b, "</section>");
	free(pr.v);
}

void web_building_plan(struct http_req *r, struct http_resp *w)
{
	struct record rec;
	struct jw_error err;
	if (svc_get(r->st, &r->actor, &entities[ENT_BUILDING], r->id, &rec, &err) != JW_OK) {
		web_error(r, w, &err);
		record_release(&rec);
		return;
	}
	char title[160];
	snprintf(title, sizeof(title), "楼盘表 %s", record_get(&rec, BF_NAME) ? record_get(&rec, BF_NAME) : "");
	page_begin(r, w, title);
	buf_addf(&w->body, "<p class=\"noprint\"><a href=\"/buildings/%lld\">返回楼栋</a> · "
		    "用浏览器打印（Ctrl+P），纸张为 A4 横向</p>", (long long)rec.id);
	plan_section(r, &w->body, &rec, false);
	page_end(w);
	record_release(&rec);
}

/* The reveal form's reason list (the 注销 form next to it has its own
 * f-reason): codes of the reveal_reason table, the sent one selected. */
static void reveal_reason_select(struct http_req *r, struct buf *b)
{
	const struct code_table *t = &code_tables[CT_REVEAL_REASON];
	const char *sel = req_form(r, "reason");
	buf_adds(b, "<select name=\"reason\" id=\"f-reveal-reason\"><option value=\"\">（请选择）</option>");
	for (size_t i = 0; i < t->n; i++) {
		buf_adds(b, "<option value=\"");
		buf_html(b, t->entries[i].code);
		buf_adds(b, sel && strcmp(sel, t->entries[i].code) == 0 ? "\" selected>" : "\">");
		buf_html(b, t->entries[i].label);
		buf_adds(b, "</option>");
	}
	buf_adds(b, "</select>");
}

static void person_actions(struct http_req *r, struct buf *b, const struct record *rec, bool revealed,
			   const struct verr *ve)
{
	bool active = strcmp(record_get(rec, PF_STATUS), "active") == 0;
	buf_adds(b, "<div class=\"toolbar\">");
	if (active && svc_can(&r->actor, rec->ent, P_WRITE))
		buf_addf(b, "<a class=\"button\" href=\"/persons/%lld/edit\">修改</a>", (long long)rec->id);
	if (!revealed && svc_can(&r->actor, rec->ent, P_REVEAL)) {
		/* a reveal says why (PIPL art. 51): the reason goes into the audit record */
		buf_addf(b, "<form method=\"post\" action=\"/persons/%lld/reveal\" class=\"reveal\">", (long long)rec->id);
		page_csrf(b, r);
		buf_adds(b, "<label class=\"inline\" for=\"f-reveal-reason\">查看原因</label> ");
		reveal_reason_select(r, b);
		buf_adds(b, " <input name=\"reason_text\" id=\"f-reveal-text\" maxlength=\"60\" placeholder=\"其他原因（选“其他”时填写）\" aria-label=\"其他原因\"> "
			    "<button class=\"plain\" type=\"submit\" title=\"查看将记入审计日志\">查看完整证件号和电话</button>");
		const char *msg = ve ? verr_for(ve, "reveal_reason") : NULL;
		if (msg) {
			/* no reason was given: asked for next to the button */
			buf_adds(b, " <span class=\"err\">");
			buf_html(b, msg);
			buf_adds(b, "</span>");
		}
		buf_adds(b, "</form>");
	}
	buf_adds(b, "</div>");
	if (!active) {
		char msg[300];
		const char *reason = record_get(rec, PF_DEREG_REASON);
		const char *rl = reason ? code_label(&code_tables[CT_DEREG_REASON], reason) : NULL;
		snprintf(msg, sizeof(msg), "该居民已于 %s 注销（%s）%s%s",
			 record_get(rec, PF_DEREG_DATE) ? record_get(rec, PF_DEREG_DATE) : "",
			 rl ? rl : "", record_get(rec, PF_DEREG_NOTE) ? "：" : "",
			 record_get(rec, PF_DEREG_NOTE) ? record_get(rec, PF_DEREG_NOTE) : "");
		page_notice(b, "info", msg);
	}
}

static void deregister_form(struct http_req *r, struct buf *b, const struct record *rec,
			    const struct verr *ve)
{
	if (strcmp(record_get(rec, PF_STATUS), "active") != 0 || !svc_can(&r->actor, rec->ent, P_WRITE))
		return;
	buf_addf(b, "<details class=\"danger\"%s><summary>注销该居民（迁出、死亡等；记录保留）</summary>"
		    "<form class=\"record\" method=\"post\" action=\"/persons/%lld/deregister\">",
		 ve && ve->n && !verr_for(ve, "reveal_reason") ? " open" : "", (long long)rec->id);
	page_csrf(b, r);
	const char *mr = ve ? verr_for(ve, "reason") : NULL, *md = ve ? verr_for(ve, "date") : NULL;
	buf_addf(b, "<div class=\"f req%s\"><label for=\"f-reason\">注销原因</label>", mr ? " bad" : "");
	code_select(b, "reason", &code_tables[CT_DEREG_REASON], req_form(r, "reason"), "（请选择）");
	if (mr) {
		buf_adds(b, "<p class=\"err\">");
		buf_html(b, mr);
		buf_adds(b, "</p>");
	}
	buf_addf(b, "</div><div class=\"f%s\"><label for=\"f-date\">注销日期</label>"
		    "<input type=\"date\" id=\"f-date\" name=\"date\"><span class=\"hint\">留空为今天</span>", md ? " bad" : "");
	if (md) {
		buf_adds(b, "<p class=\"err\">");
		buf_html(b, md);
		buf_adds(b, "</p>");
	}
	buf_adds(b, "</div><div class=\"f\"><label for=\"f-note\">说明</label><input id=\"f-note\" name=\"note\" maxlength=\"400\"></div>"
		    "<div class=\"actions\"><button type=\"submit\">确认注销</button></div></form></details>");
}

static void show_page(struct http_req *r, struct http_resp *w, const struct record *rec,
		      bool reveal, const struct verr *ve)
{
	const struct kind *e = rec->ent;
	char title[160];
	const char *t = record_get(rec, entity_field_index(e, e->title_field));
	snprintf(title, sizeof(title), "%s %s", e->label, t ? t : "");
	page_begin(r, w, title);
	struct buf *b = &w->body;
	buf_adds(b, "<h1>");
	buf_html(b, title);
	if (e->id == ENT_PERSON && strcmp(record_get(rec, PF_STATUS), "active") != 0)
		buf_adds(b, " <span class=\"tag off\">已注销</span>");
	buf_adds(b, "</h1>");
	if (reveal)
		page_notice(b, "info", "已显示完整的证件号码和电话；本次查看已记入审计日志。");
	if (e->id == ENT_PERSON) {
		person_actions(r, b, rec, reveal, ve);
	} else if (svc_can(&r->actor, e, P_WRITE)) {
		buf_addf(b, "<div class=\"toolbar\"><a class=\"button\" href=\"/%s/%lld/edit\">修改</a>", e->path, (long long)rec->id);
		if (e->id == ENT_HOUSEHOLD)
			buf_addf(b, "<a class=\"button plain\" href=\"/persons/new?household_id=%lld\">登记本户成员</a>", (long long)rec->id);
		if (e->id == ENT_HOUSE)
			buf_addf(b, "<a class=\"button plain\" href=\"/households/new?house_id=%lld\">登记住户</a>", (long long)rec->id);
		buf_adds(b, "</div>");
	}
	fields_dl(r, b, rec, reveal);
	if (e->id == ENT_PERSON)
		person_ledgers(r, b, rec);
	struct list_req lr;
	list_req_init(&lr);
	switch (e->id) {
	case ENT_PERSON: {
		char back[64];
		snprintf(back, sizeof(back), "/persons/%lld", (long long)rec->id);
		if (strcmp(record_get(rec, PF_STATUS), "active") == 0)
			web_visits_block(r, b, "person", rec->id, back);
		deregister_form(r, b, rec, ve);
		break;
	}
	case ENT_HOUSEHOLD:
		lr.household_id = rec->id;
		lr.sort = "relation";
		sub_table(r, b, &entities[ENT_PERSON], &lr, "家庭成员");
		break;
	case ENT_HOUSE:
		lr.house_id = rec->id;
		sub_table(r, b, &entities[ENT_HOUSEHOLD], &lr, "住户");
		break;
	case ENT_GRID:
		lr.grid_id = rec->id;
		sub_table(r, b, &entities[ENT_BUILDING], &lr, "楼栋");
		break;
	case ENT_BUILDING:
		plan_section(r, b, rec, true);
		break;
	default:
		break;
	}
	page_end(w);
}

void web_show(struct http_req *r, struct http_resp *w)
{
	struct record rec;
	struct jw_error err;
	if (svc_get(r->st, &r->actor, req_entity(r), r->id, &rec, &err) != JW_OK)
		web_error(r, w, &err);
	else
		show_page(r, w, &rec, false, NULL);
	record_release(&rec);
}

void web_person_reveal(struct http_req *r, struct http_resp *w)
{
	struct record rec;
	struct jw_error err;
	int rc = svc_person_reveal(r->st, &r->actor, r->id, req_form(r, "reason"), req_form(r, "reason_text"),
				   &rec, &err);
	if (rc == JW_EINVAL) {
		/* no reason: the person page again (masked), the reason asked for
		 * next to the button */
		struct verr ve;
		verr_init(&ve);
		verr_add(&ve, "reveal_reason", "%s", err.message);
		w->status = 422;
		show_page(r, w, &rec, false, &ve);
	} else if (rc != JW_OK) {
		web_error(r, w, &err);
	} else {
		show_page(r, w, &rec, true, NULL);
	}
	record_release(&rec);
}

void web_person_deregister(struct http_req *r, struct http_resp *w)
{
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	int rc = svc_person_deregister(r->st, &r->actor, r->id, req_form(r, "reason"), req_form(r, "date"),
				       req_form(r, "note"), &ve, &err);
	if (rc == JW_EINVAL) {
		struct record rec;
		if (svc_get(r->st, &r->actor, &entities[ENT_PERSON], r->id, &rec, &err) == JW_OK) {
			w->status = 422;
			show_page(r, w, &rec, false, &ve);
		} else {
			web_error(r, w, &err);
		}
		record_release(&rec);
		return;
	}
	if (rc != JW_OK) {
		web_error(r, w, &err);
		return;
	}
	char loc[64];
	snprintf(loc, sizeof(loc), "/persons/%lld", (long long)r->id);
	resp_redirect(w, loc);
}

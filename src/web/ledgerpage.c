/*
 * ledgerpage.c — the ledgers on the web desk: the list of ledgers, a
 * ledger's entries (filters, paging, departmental exports), an entry (its
 * fields, changes, closing, visits), a new entry, a ledger's statistics
 * and the community's (SVG drawn on the server), reminders, and the form
 * with which a committee defines its own ledger.  Everything goes through
 * svc/ledger.c; pages are server-rendered and need no JavaScript.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "lib/util.h"
#include "model/mask.h"
#include "svc/area.h"
#include "web/page.h"
#include "web/svg.h"
#include "web/web.h"

/* The URL segment of a subject ("person" → "persons"), from its entity. */
static const char *subject_path(const char *subject)
{
	const struct kind *e = subject ? entity_by_key(subject) : NULL;
	return e ? e->path : "persons";
}

static const char *subject_label(const struct ledger_def *l)
{
	return l->subject == SUBJECT_NONE ? "—" : entities[l->subject].label;
}

/* A ledger of records attached to nothing (the work log): its pages show
 * its own fields only — no subject column, picker, dates in and out. */
static bool own_records(const struct ledger_def *l)
{
	return l->subject == SUBJECT_NONE;
}

/* ---- the list of ledgers ---- */

struct idx { struct http_req *r; struct buf *b; int64_t subject_id; };

static int ledger_row(const struct ledger_def *l, void *ud)
{
	struct idx *c = ud;
	if (!ledger_can(c->r->st, &c->r->actor, l, false))
		return 0;
	if (c->subject_id && l->subject != ENT_PERSON)
		return 0;
	int64_t open = svc_ledger_open_count(c->r->st, &c->r->actor, l);
	struct buf *b = c->b;
	buf_addf(b, "<tr><td><a href=\"/ledgers/%s\">", l->key);
	buf_html(b, l->title);
	buf_adds(b, "</a>");
	if (l->restricted)
		buf_adds(b, " <span class=\"tag off\">受限</span>");
	if (l->rule != DR_NONE)
		buf_adds(b, " <span class=\"tag\">自动</span>");
	if (l->custom)
		buf_adds(b, " <span class=\"tag\">自定义</span>");
	buf_adds(b, "</td><td>");
	buf_html(b, l->line);
	buf_adds(b, "</td><td class=\"hide-sm\">");
	buf_html(b, subject_label(l));
	buf_addf(b, "</td><td class=\"num\">%lld</td><td>", (long long)open);
	if (c->subject_id && ledger_can(c->r->st, &c->r->actor, l, true))
		buf_addf(b, "<a href=\"/ledgers/%s/new?subject_id=%lld\">列入</a>", l->key, (long long)c->subject_id);
	else
		buf_addf(b, "<a href=\"/ledgers/%s/stats\">统计</a>", l->key);
	buf_adds(b, "</td></tr>");
	return 0;
}

void web_ledgers(struct http_req *r, struct http_resp *w)
{
	int64_t sid = req_int(r, "subject_id");
	page_begin(r, w, "台账");
	struct buf *b = &w->body;
	buf_adds(b, "<h1>台账</h1><div class=\"toolbar\"><a class=\"button\" href=\"/reminders\">提醒</a>"
		    "<a class=\"button\" href=\"/stats\">社区统计</a>");
	if (r->actor.role == ROLE_ADMIN || r->actor.role == ROLE_DIRECTOR)
		buf_adds(b, "<a class=\"button secondary\" href=\"/ledgers/define\">定义新台账</a>");
	buf_adds(b, "</div>");
	if (sid > 0) {
		buf_adds(b, "<p>把居民 ");
		page_ref_name(r, b, &entities[ENT_PERSON], sid);
		buf_adds(b, " 列入以下台账：</p>");
	}
	buf_adds(b, "<table><thead><tr><th>台账</th><th>条线</th><th class=\"hide-sm\">对象</th><th>在册</th><th></th></tr>"
		    "</thead><tbody>");
	struct idx c = { r, b, sid };
	ledger_each(r->st, r->actor.community, ledger_row, &c);
	buf_adds(b, "</tbody></table><p class=\"muted\">“自动”台账由居民信息自动生成并随之更新；“受限”台账只有社区主任和指定的工作人员可以查看，每次查看都记入审计日志。</p>");
	page_end(w);
}

/* ---- a ledger's entries ---- */

struct rows_ctx { struct http_req *r; const struct ledger_def *l; struct buf *b; int n; };

/* The cells of an entry's listed fields, masked as declared; link: the
 * first one links to the entry (a record of its own has no name column). */
static void field_cells(struct buf *b, const struct ledger_def *l, const struct entry_row *e, bool link)
{
	struct record f;
	entry_fields(l, e->data, &f);
	int k = 0;
	for (int i = 0; i < l->nfields; i++) {
		if (!(l->fields[i].flags & FF_LIST))
			continue;
		char m[64];
		const char *v = field_display(&l->fields[i], f.v[i], false, m, sizeof(m));
		bool first = link && !k++;
		buf_adds(b, "<td>");
		if (first)
			buf_addf(b, "<a href=\"/ledgers/%s/entries/%lld\">", l->key, (long long)e->id);
		buf_html(b, v && *v ? v : (first ? "（查看）" : ""));
		buf_adds(b, first ? "</a></td>" : "</td>");
	}
	record_release(&f);
}

static int entry_tr(const struct entry_row *e, void *ud)
{
	struct rows_ctx *c = ud;
	struct buf *b = c->b;
	const struct ledger_def *l = c->l;
	c->n++;
	if (own_records(l)) {
		/* its listed fields; the first links to the record */
		buf_adds(b, "<tr>");
		field_cells(b, l, e, true);
		buf_adds(b, "</tr>");
		return JW_OK;
	}
	buf_addf(b, "<tr><td><a href=\"/ledgers/%s/entries/%lld\">", l->key, (long long)e->id);
	buf_html(b, e->name ? e->name : "（无名）");
	buf_adds(b, "</a></td>");
	if (l->subject == ENT_PERSON) {
		int y, m, d, ty, tm, td;
		date_today(&ty, &tm, &td);
		buf_adds(b, "<td>");
		buf_html(b, e->sex ? code_label(&code_tables[CT_SEX], e->sex) : "");
		buf_adds(b, "</td><td>");
		if (e->birth_date && date_parse(e->birth_date, &y, &m, &d))
			buf_addf(b, "%d", age_on(y, m, d, ty, tm, td));
		buf_adds(b, "</td>");
	}
	buf_adds(b, "<td class=\"hide-sm\">");
	buf_html(b, e->address);
	buf_adds(b, "</td>");
	field_cells(b, l, e, false);
	buf_adds(b, "<td class=\"hide-sm\">");
	buf_html(b, e->start_date);
	buf_adds(b, "</td><td>");
	if (e->end_date) {
		buf_adds(b, "<span class=\"tag off\">已结束</span>");
	} else if (l->visit_days) {
		buf_html(b, e->last_visit ? e->last_visit : "未走访");
	} else {
		buf_adds(b, "在册");
	}
	buf_adds(b, "</td></tr>");
	return JW_OK;
}

/* A ledger page's link to another page, with its filters. */
struct ledger_link { const struct ledger_def *l; const struct entry_query *q; };

static void ledger_page_link(void *ud, int64_t page, struct buf *b)
{
	const struct ledger_link *ll = ud;
	buf_addf(b, "/ledgers/%s?page=%lld", ll->l->key, (long long)page);
	if (ll->q->q) {
		buf_adds(b, "&q=");
		buf_url(b, ll->q->q);
	}
	if (ll->q->field && ll->q->value) {
		buf_adds(b, "&field=");
		buf_url(b, ll->q->field);
		buf_adds(b, "&value=");
		buf_url(b, ll->q->value);
	}
	if (ll->q->include_closed)
		buf_adds(b, "&include_closed=1");
}

void web_ledger(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;   /* found by the router ({key}) */
	struct entry_query q;
	struct pager pg;
	int64_t total = 0;
	struct jw_error err;
	if (!entry_query_from(r, &q, &pg, &err)) {
		web_error(r, w, &err);
		return;
	}
	struct buf rows = BUF_INIT;
	struct rows_ctx c = { r, l, &rows, 0 };
	if (svc_entry_list(r->st, &r->actor, l, &q, entry_tr, &c, &total, &err) != JW_OK) {
		buf_release(&rows);
		web_error(r, w, &err);
		return;
	}
	page_begin(r, w, l->title);
	struct buf *b = &w->body;
	buf_adds(b, "<h1>");
	buf_html(b, l->title);
	buf_addf(b, " <span class=\"muted\">共 %lld 条</span></h1>", (long long)total);
	if (l->note) {
		buf_adds(b, "<p class=\"muted\">");
		buf_html(b, l->note);
		buf_adds(b, "</p>");
	}
	buf_adds(b, "<div class=\"toolbar\">");
	if (ledger_can(r->st, &r->actor, l, true))
		buf_addf(b, "<a class=\"button\" href=\"/ledgers/%s/new\">新增</a>", l->key);
	buf_addf(b, "<a class=\"button secondary\" href=\"/ledgers/%s/stats\">统计</a>", l->key);
	for (int i = 0; i < l->nlayouts; i++) {
		buf_addf(b, "<a class=\"button secondary\" href=\"/ledgers/%s/export.xlsx?layout=%s\">导出：", l->key,
			 l->layouts[i].key);
		buf_html(b, l->layouts[i].label);
		buf_adds(b, "</a>");
	}
	buf_addf(b, "<a class=\"button secondary\" href=\"/ledgers/%s/export.xlsx?layout=roster\">导出：花名册</a></div>",
		 l->key);
	/* filters */
	buf_addf(b, "<form class=\"filters\" method=\"get\" action=\"/ledgers/%s\">"
		    "<label for=\"f-q\">搜索<input id=\"f-q\" name=\"q\" size=\"20\" value=\"", l->key);
	buf_html(b, q.q);
	buf_adds(b, own_records(l) ? "\" placeholder=\"内容中的文字\"></label>" : "\" placeholder=\"姓名、户编号或地址\"></label>");
	for (int i = 0; i < l->nfields; i++) {
		const struct field_def *f = &l->fields[i];
		if (!f->options || !(f->flags & FF_LIST))
			continue;
		bool sel = q.field && strcmp(q.field, f->name) == 0;
		buf_adds(b, "<label>");
		buf_html(b, f->label);
		buf_addf(b, "<select name=\"value\" data-field=\"%s\"><option value=\"\">全部</option>", f->name);
		char opt[128];
		for (const char *p = f->options; options_next(&p, opt, sizeof(opt));) {
			buf_adds(b, sel && q.value && strcmp(q.value, opt) == 0 ? "<option selected>" : "<option>");
			buf_html(b, opt);
			buf_adds(b, "</option>");
		}
		buf_addf(b, "</select><input type=\"hidden\" name=\"field\" value=\"%s\"></label>", f->name);
		break;   /* one choice filter: the first listed one */
	}
	buf_addf(b, "<label><select name=\"include_closed\"><option value=\"\">在册</option>"
		    "<option value=\"1\"%s>含已结束</option></select></label>"
		    "<button type=\"submit\">查询</button> <a href=\"/ledgers/%s\">清除</a></form>",
		 q.include_closed ? " selected" : "", l->key);
	buf_adds(b, "<div class=\"scroll\"><table><thead><tr>");
	if (!own_records(l)) {
		buf_adds(b, "<th>");
		buf_html(b, l->subject == ENT_PERSON ? "姓名" : l->subject == ENT_HOUSEHOLD ? "户编号" : "房屋");
		buf_adds(b, "</th>");
		if (l->subject == ENT_PERSON)
			buf_adds(b, "<th>性别</th><th>年龄</th>");
		buf_adds(b, "<th class=\"hide-sm\">地址</th>");
	}
	for (int i = 0; i < l->nfields; i++)
		if (l->fields[i].flags & FF_LIST) {
			buf_adds(b, "<th>");
			buf_html(b, l->fields[i].label);
			buf_adds(b, "</th>");
		}
	if (!own_records(l))
		buf_adds(b, l->visit_days ? "<th class=\"hide-sm\">列入日期</th><th>最近走访</th>" :
					    "<th class=\"hide-sm\">列入日期</th><th>状态</th>");
	page_table_rows(b, &rows, c.n, "没有记录");
	pager_set(&pg, pg.page, pg.per_page, total);
	struct ledger_link ll = { l, &q };
	pager_html(b, &pg, ledger_page_link, &ll);
	page_end(w);
}

/* ---- new entry / entry page ---- */

static void fields_form(struct http_req *r, struct buf *b, const struct ledger_def *l, const struct record *f,
			const struct verr *ve, bool editing)
{
	for (int i = 0; i < l->nfields; i++)
		if (!(l->fields[i].flags & FF_READONLY))
			web_form_field(r, b, &l->fields[i], f ? f->v[i] : NULL, ve, editing);
}

struct picks { struct buf *b; const char *chosen; };

static int pick_li(const struct ledger_pick *p, void *ud)
{
	struct picks *c = ud;
	struct buf *b = c->b;
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	buf_addf(b, "<li><label><input type=\"radio\" name=\"subject_id\" value=\"%s\" required%s> ", id,
		 c->chosen && strcmp(c->chosen, id) == 0 ? " checked" : "");
	buf_adds(b, "<strong>");
	buf_html(b, p->label);
	buf_adds(b, "</strong> <span class=\"muted\">");
	buf_html(b, p->detail);
	buf_addf(b, "（编号 %s）</span></label></li>", id);
	return JW_OK;
}

static void new_form(struct http_req *r, struct http_resp *w, const struct ledger_def *l, const char *subject_id,
		     const char *start, const struct record *f, const struct verr *ve)
{
	char title[96];
	const char *find = req_query(r, "find");
	if (!find)
		find = req_form(r, "find");
	snprintf(title, sizeof(title), "新增：%s", l->title);
	page_begin(r, w, title);
	struct buf *b = &w->body;
	buf_adds(b, "<h1>");
	buf_html(b, title);
	buf_adds(b, "</h1>");
	if (ve && ve->n)
		page_notice(b, "err", "有几项需要修改，见各项下的说明。");
	if (own_records(l)) {
		/* nothing to pick and no date of entry: the record's own fields */
		buf_addf(b, "<form class=\"record\" method=\"post\" action=\"/ledgers/%s\">", l->key);
		page_csrf(b, r);
		fields_form(r, b, l, f, ve, false);
		buf_adds(b, "<div class=\"actions\"><button type=\"submit\">保存</button></div></form>");
		page_end(w);
		return;
	}
	/* the picker: a GET search that lists the candidates to choose from */
	buf_addf(b, "<form class=\"filters\" method=\"get\" action=\"/ledgers/%s/new\"><label for=\"f-find\">查找%s"
		    "<input id=\"f-find\" name=\"find\" size=\"24\" value=\"", l->key, subject_label(l));
	buf_html(b, find);
	buf_addf(b, "\" placeholder=\"%s\"></label><button type=\"submit\">查找</button></form>",
		 l->subject == ENT_PERSON ? "姓名、拼音或证件号码后几位" :
		 l->subject == ENT_HOUSEHOLD ? "户编号、地址或家庭成员姓名" : "地址或住户姓名");
	buf_addf(b, "<form class=\"record\" method=\"post\" action=\"/ledgers/%s\">", l->key);
	page_csrf(b, r);
	const char *msg = ve ? verr_for(ve, "subject_id") : NULL;
	struct buf list = BUF_INIT;
	struct picks pc = { &list, subject_id };
	int found = 0;
	struct jw_error perr;
	if (find && *find && svc_ledger_pick(r->st, &r->actor, l, find, pick_li, &pc, &found, &perr) != JW_OK)
		found = 0;
	if (find && *find) {
		buf_addf(b, "<input type=\"hidden\" name=\"find\" value=\"");
		buf_html(b, find);
		buf_adds(b, "\">");
	}
	if (found) {
		buf_addf(b, "<fieldset class=\"f req wide%s\"><legend>选择%s</legend><ul class=\"picks\">", msg ? " bad" : "",
			 subject_label(l));
		buf_add(b, list.data, list.len);
		buf_adds(b, "</ul>");
	} else {
		if (find && *find) {
			buf_adds(b, "<p class=\"muted\">没有找到与“");
			buf_html(b, find);
			buf_addf(b, "”相符的%s，请换个写法再查找，或直接填写编号。</p>", subject_label(l));
		}
		buf_addf(b, "<div class=\"f req%s\"><label for=\"f-subject_id\">%s编号</label>"
			    "<input name=\"subject_id\" id=\"f-subject_id\" type=\"number\" min=\"1\" value=\"",
			 msg ? " bad" : "", subject_label(l));
		buf_html(b, subject_id);
		buf_adds(b, "\"><span class=\"hint\">用上面的“查找”选择，或从居民（户、房屋）页面点“列入台账”</span>");
	}
	buf_release(&list);
	if (msg) {
		buf_adds(b, "<p class=\"err\" id=\"e-subject_id\">");
		buf_html(b, msg);
		buf_adds(b, "</p>");
	}
	buf_adds(b, found ? "</fieldset>" : "</div>");
	buf_adds(b, "<div class=\"f\"><label for=\"f-start_date\">列入日期</label>"
		    "<input name=\"start_date\" id=\"f-start_date\" type=\"date\" value=\"");
	buf_html(b, start);
	buf_adds(b, "\"><span class=\"hint\">留空为今天</span></div>");
	fields_form(r, b, l, f, ve, false);
	buf_adds(b, "<div class=\"actions\"><button type=\"submit\">保存</button></div></form>");
	page_end(w);
}

void web_entry_new(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;   /* found by the router ({key}) */
	new_form(r, w, l, req_query(r, "subject_id"), NULL, NULL, NULL);
}

/* The fields of the posted form into a record of the ledger. */
static void form_fields(struct http_req *r, const struct ledger_def *l, struct record *f, bool editing)
{
	entry_fields(l, NULL, f);
	for (int i = 0; i < l->nfields; i++) {
		if (l->fields[i].flags & FF_READONLY)
			continue;
		const char *v = req_form(r, l->fields[i].name);
		if (!v)
			continue;
		/* an untouched sensitive field (shown blank) keeps its value */
		if (editing && l->fields[i].sens != SENS_NONE && !*v)
			continue;
		record_set(f, i, v);
	}
}

void web_entry_create(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;   /* found by the router ({key}) */
	struct record f;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	form_fields(r, l, &f, false);
	int64_t sid = 0, id = 0;
	const char *sv = req_form(r, "subject_id");
	if (!own_records(l) && (!sv || !parse_i64(sv, 1, INT64_MAX, &sid)))
		verr_add(&ve, "subject_id", "请填写%s编号（正整数）", subject_label(l));
	int rc = ve.n ? JW_EINVAL : svc_entry_create(r->st, &r->actor, l, sid, &f, req_form(r, "start_date"), &ve, &id, &err);
	if (rc == JW_OK) {
		char loc[128];
		snprintf(loc, sizeof(loc), "/ledgers/%s/entries/%lld", l->key, (long long)id);
		resp_redirect(w, loc);
	} else if (rc == JW_EINVAL || (rc == JW_ECONFLICT && !ve.n)) {
		if (rc == JW_ECONFLICT)
			verr_add(&ve, "subject_id", "%s", err.message);
		w->status = rc == JW_ECONFLICT ? 409 : 422;
		new_form(r, w, l, sv, req_form(r, "start_date"), &f, &ve);
	} else {
		web_error(r, w, &err);
	}
	record_release(&f);
}

struct show { struct http_req *r; const struct ledger_def *l; struct buf *b; bool found; int64_t subject_id;
	      char subject[16]; bool closed; };

static int show_cb(const struct entry_row *e, void *ud)
{
	struct show *s = ud;
	struct buf *b = s->b;
	const struct ledger_def *l = s->l;
	s->found = true;
	s->subject_id = e->subject_id;
	snprintf(s->subject, sizeof(s->subject), "%s", e->subject);
	s->closed = e->end_date != NULL;
	buf_adds(b, "<h1>");
	if (own_records(l))
		buf_addf(b, "第%lld条", (long long)e->id);
	else
		buf_html(b, e->name);
	buf_adds(b, " <span class=\"muted\">");
	buf_html(b, l->title);
	buf_adds(b, "</span></h1>");
	if (e->end_date) {
		char msg[256];
		snprintf(msg, sizeof(msg), "这条记录已于%s结束：%s", e->end_date, e->end_reason ? e->end_reason : "");
		page_notice(b, "info", msg);
	}
	buf_adds(b, "<dl class=\"fields\">");
	char m[64];
	if (!own_records(l)) {
		const char *path = subject_path(e->subject);
		buf_addf(b, "<dt>%s</dt><dd><a href=\"/%s/%lld\">", subject_label(l), path, (long long)e->subject_id);
		buf_html(b, e->name);
		buf_adds(b, "</a></dd>");
		if (e->id_number) {
			buf_adds(b, "<dt>证件号码</dt><dd>");
			buf_html(b, sens_display(SENS_ID, e->id_number, false, m, sizeof(m)));
			buf_adds(b, "</dd>");
		}
		buf_adds(b, "<dt>地址</dt><dd>");
		buf_html(b, e->address);
		buf_adds(b, "</dd><dt>列入日期</dt><dd>");
		buf_html(b, e->start_date);
		buf_adds(b, e->derived ? "（自动列入）" : "");
		buf_adds(b, "</dd>");
	}
	struct record f;
	entry_fields(l, e->data, &f);
	for (int i = 0; i < l->nfields; i++) {
		const char *v = field_display(&l->fields[i], f.v[i], false, m, sizeof(m));
		buf_addf(b, "<dt>");
		buf_html(b, l->fields[i].label);
		buf_addf(b, "</dt><dd id=\"v-%s\">", l->fields[i].name);
		buf_html(b, v);
		buf_adds(b, "</dd>");
	}
	buf_adds(b, "</dl>");
	if (ledger_can(s->r->st, &s->r->actor, l, true)) {
		buf_addf(b, "<details><summary>修改</summary><form class=\"record\" method=\"post\" action=\"/ledgers/%s/entries/%lld\">",
			 l->key, (long long)e->id);
		page_csrf(b, s->r);
		fields_form(s->r, b, l, &f, NULL, true);
		buf_adds(b, "<div class=\"actions\"><button type=\"submit\">保存修改</button></div></form></details>");
		if (!e->end_date && !own_records(l)) {
			buf_addf(b, "<details><summary>结束（移出台账）</summary><form class=\"record\" method=\"post\""
				    " action=\"/ledgers/%s/entries/%lld\">", l->key, (long long)e->id);
			page_csrf(b, s->r);
			buf_adds(b, "<div class=\"f req\"><label for=\"f-end_date\">结束日期</label><input type=\"date\" "
				    "name=\"end_date\" id=\"f-end_date\" required></div><div class=\"f req\"><label "
				    "for=\"f-end_reason\">结束原因</label><input name=\"end_reason\" id=\"f-end_reason\" required "
				    "maxlength=\"100\" placeholder=\"如 迁出、已就业、期满\"></div><div class=\"actions\">"
				    "<button type=\"submit\">结束</button></div></form></details>");
		}
	}
	record_release(&f);
	return JW_OK;
}

struct vis { struct buf *b; int n; int n_more; bool one; };

static int visit_li(const struct visit_row *v, void *ud)
{
	struct vis *c = ud;
	struct buf *b = c->b;
	if (!c->n++)
		buf_adds(b, "<table><thead><tr><th>日期</th><th>方式</th><th>情况</th><th>下次</th><th>走访人</th></tr></thead><tbody>");
	buf_adds(b, "<tr><td>");
	buf_html(b, v->visit_date);
	buf_adds(b, "</td><td>");
	buf_html(b, v->method);
	buf_adds(b, "</td><td>");
	buf_html(b, v->note);
	buf_adds(b, "</td><td>");
	buf_html(b, v->next_date);
	buf_adds(b, "</td><td>");
	buf_html(b, v->username);
	buf_adds(b, "</td></tr>");
	return JW_OK;
}

/* The visits of a subject and the form to record one (on an entry page:
 * the visit belongs to entry_id). */
static void visits_block(struct http_req *r, struct buf *b, const char *subject, int64_t id, int64_t entry_id,
			 const char *back)
{
	struct jw_error err;
	struct vis c = { .b = b };
	buf_adds(b, "<h2>走访记录</h2>");
	svc_visit_list(r->st, &r->actor, subject, id, visit_li, &c, &err);
	if (c.n)
		buf_adds(b, "</tbody></table>");
	else
		buf_adds(b, "<p class=\"muted\">还没有走访记录。</p>");
	if (!svc_can(&r->actor, &entities[ENT_PERSON], P_WRITE))
		return;
	buf_adds(b, "<details><summary>登记走访</summary><form class=\"record\" method=\"post\" action=\"/visits\">");
	page_csrf(b, r);
	buf_addf(b, "<input type=\"hidden\" name=\"subject\" value=\"%s\"><input type=\"hidden\" name=\"subject_id\" "
		    "value=\"%lld\"><input type=\"hidden\" name=\"back\" value=\"", subject, (long long)id);
	buf_html(b, back);
	if (entry_id > 0)
		buf_addf(b, "\"><input type=\"hidden\" name=\"entry_id\" value=\"%lld", (long long)entry_id);
	buf_adds(b, "\"><div class=\"f\"><label for=\"f-visit_date\">走访日期</label><input type=\"date\" name=\"visit_date\" "
		    "id=\"f-visit_date\"><span class=\"hint\">留空为今天</span></div><div class=\"f\"><label for=\"f-method\">方式"
		    "</label><select name=\"method\" id=\"f-method\"><option>上门</option><option>电话</option><option>视频</option>"
		    "<option>其他</option></select></div><div class=\"f req\"><label for=\"f-note\">走访情况</label><textarea "
		    "name=\"note\" id=\"f-note\" rows=\"3\" required></textarea></div><div class=\"f\"><label for=\"f-next_date\">"
		    "下次走访</label><input type=\"date\" name=\"next_date\" id=\"f-next_date\"></div><div class=\"actions\">"
		    "<button type=\"submit\">保存走访</button></div></form></details>");
}

void web_visits_block(struct http_req *r, struct buf *b, const char *subject, int64_t id, const char *back)
{
	visits_block(r, b, subject, id, 0, back);
}

void web_entry(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;   /* found by the router ({key}) */
	struct buf body = BUF_INIT;
	struct show s = { r, l, &body, false, 0, "", false };
	struct jw_error err;
	if (svc_entry_get(r->st, &r->actor, l, r->id, show_cb, &s, &err) != JW_OK) {
		buf_release(&body);
		web_error(r, w, &err);
		return;
	}
	page_begin(r, w, l->title);
	buf_add(&w->body, body.data ? body.data : "", body.len);
	buf_release(&body);
	char back[128];
	snprintf(back, sizeof(back), "/ledgers/%s/entries/%lld", l->key, (long long)r->id);
	if (!own_records(l))
		visits_block(r, &w->body, s.subject, s.subject_id, r->id, back);
	page_end(w);
}

void web_entry_update(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;   /* found by the router ({key}) */
	struct record f;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	const char *end = req_form(r, "end_date");
	if (end && *end)
		entry_fields(l, NULL, &f);   /* closing changes no field */
	else
		form_fields(r, l, &f, true);
	int rc = svc_entry_update(r->st, &r->actor, l, r->id, &f, NULL, end, req_form(r, "end_reason"), false, &ve, &err);
	record_release(&f);
	if (rc != JW_OK) {
		web_error(r, w, &err);
		return;
	}
	char loc[128];
	snprintf(loc, sizeof(loc), "/ledgers/%s/entries/%lld", l->key, (long long)r->id);
	resp_redirect(w, loc);
}

void web_visit_create(struct http_req *r, struct http_resp *w)
{
	struct verr ve;
	struct jw_error err;
	int64_t sid = 0, id;
	verr_init(&ve);
	const char *sv = req_form(r, "subject_id"), *ev = req_form(r, "entry_id");
	int64_t eid = 0;
	if (!sv || !parse_i64(sv, 1, INT64_MAX, &sid) || (ev && *ev && !parse_i64(ev, 1, INT64_MAX, &eid))) {
		web_fail(r, w, JW_EBADREQ, "subject_id", "缺少走访对象");
		return;
	}
	if (svc_visit_add(r->st, &r->actor, req_form(r, "subject"), sid, eid, req_form(r, "visit_date"),
			  req_form(r, "method"), req_form(r, "note"), req_form(r, "next_date"), &ve, &id, &err) != JW_OK) {
		web_error(r, w, &err);
		return;
	}
	const char *back = req_form(r, "back");
	if (!back || back[0] != '/' || back[1] == '/' || back[1] == '\\' || strpbrk(back, "\r\n"))
		back = "/reminders";
	resp_redirect(w, back);
}

/* ---- statistics ---- */

static void stats_body(struct buf *b, const struct ledger_stats *s, bool trend)
{
	const char *labels[STAT_MAX_GRIDS];
	double vals[STAT_MAX_GRIDS];
	buf_addf(b, "<p class=\"big\">合计 <strong>%lld</strong> 人（户）</p><div class=\"charts\">", (long long)s->total);
	for (int g = 0; g < s->ngrids; g++) {
		labels[g] = s->grid_name[g];
		vals[g] = (double)s->by_grid[g];
	}
	if (!s->area_sum) {   /* an area's communities: its table instead */
		buf_adds(b, "<section><h2>按网格</h2>");
		svg_bars(b, "按网格", labels, vals, s->ngrids, "");
		buf_adds(b, "</section>");
	}
	if (s->nbuildings) {
		const char *bl2[30];
		double bv2[30];
		for (int i = 0; i < s->nbuildings; i++) {
			bl2[i] = s->building_name[i];
			bv2[i] = (double)s->by_building[i];
		}
		buf_adds(b, "<section><h2>按楼栋（前30）</h2>");
		svg_bars(b, "按楼栋", bl2, bv2, s->nbuildings, "");
		buf_adds(b, "</section>");
	}
	buf_adds(b, "<section><h2>按性别</h2>");
	const char *sl[3] = { "男", "女", "未知" };
	double sv[3] = { (double)s->men, (double)s->women, (double)s->sex_unknown };
	svg_bars(b, "按性别", sl, sv, s->sex_unknown ? 3 : 2, "");
	buf_adds(b, "</section><section><h2>按年龄段</h2>");
	const char *bl[8];
	double bv[8];
	int nb = 0;
	for (int i = 0; i < nage_bands && i < 8; i++) {
		bl[nb] = age_bands[i].label;
		bv[nb++] = (double)s->band[i];
	}
	svg_bars(b, "按年龄段", bl, bv, nb, "");
	buf_adds(b, "</section><section><h2>年龄金字塔</h2>");
	static const char *const groups[21] = { "0–4", "5–9", "10–14", "15–19", "20–24", "25–29", "30–34", "35–39",
						"40–44", "45–49", "50–54", "55–59", "60–64", "65–69", "70–74", "75–79",
						"80–84", "85–89", "90–94", "95–99", "100+" };
	double men[21], women[21];
	for (int i = 0; i < 21; i++) {
		men[i] = (double)s->pyramid_men[i];
		women[i] = (double)s->pyramid_women[i];
	}
	svg_pyramid(b, "年龄金字塔", (const char *const *)groups, men, women, 21);
	buf_adds(b, "</section>");
	if (trend && s->ntrend) {
		const char *ml[12];
		double mv[12], cv[12];
		for (int i = 0; i < s->ntrend; i++) {
			ml[i] = s->trend_month[i];
			mv[i] = (double)s->trend_opened[i];
			cv[i] = (double)s->trend_closed[i];
		}
		buf_adds(b, "<section><h2>每月新列入</h2>");
		svg_line(b, "每月新列入", ml, mv, s->ntrend, "");
		buf_adds(b, "</section><section><h2>每月结束</h2>");
		svg_line(b, "每月结束", ml, cv, s->ntrend, "");
		buf_adds(b, "</section>");
	}
	buf_adds(b, "</div>");
	if (s->area_sum)
		return;
	/* the numbers as a table too: for print and screen readers */
	buf_adds(b, "<details><summary>数字明细</summary><table><thead><tr><th>网格</th><th>人数</th></tr></thead><tbody>");
	for (int g = 0; g < s->ngrids; g++) {
		buf_adds(b, "<tr><td>");
		buf_html(b, s->grid_name[g]);
		buf_addf(b, "</td><td class=\"num\">%lld</td></tr>", (long long)s->by_grid[g]);
	}
	buf_adds(b, "</tbody></table></details>");
}

/* A ledger's statistics page (with its trend), or the community's (l NULL). */
static void stats_page(struct http_req *r, struct http_resp *w, const struct ledger_def *l)
{
	struct ledger_stats *s = xcalloc(1, sizeof(*s));
	struct jw_error err;
	if (svc_ledger_stats(r->st, &r->actor, l, s, &err) != JW_OK) {
		free(s);
		web_error(r, w, &err);
		return;
	}
	char title[96];
	snprintf(title, sizeof(title), "%s · 统计", l ? l->title : "");
	page_begin(r, w, l ? title : "社区统计");
	if (r->actor.area) {   /* a street office or district: its sum, or one community's */
		char name[128];
		struct community_row com;
		if (s->area_sum)
			svc_area_name(r->st, r->actor.community, name, sizeof(name));
		else if (svc_community(r->st, &r->actor, &com, &err) == JW_OK)
			snprintf(name, sizeof(name), "%s", com.name);
		else
			snprintf(name, sizeof(name), "社区 %s", r->actor.community);
		buf_adds(&w->body, "<h1>");
		buf_html(&w->body, name);
		buf_adds(&w->body, " · ");
		buf_html(&w->body, l ? title : "统计");
		buf_adds(&w->body, " <span class=\"muted\">在册居民</span></h1><p>");
		if (l)
			buf_addf(&w->body, "<a href=\"/area/ledgers/%s\">各社区的《", l->key);
		else
			buf_adds(&w->body, "<a href=\"/area\">各社区的汇总");
		if (l)
			buf_html(&w->body, l->title);
		buf_adds(&w->body, l ? "》</a></p>" : "</a></p>");
	} else if (l) {
		buf_adds(&w->body, "<h1>");
		buf_html(&w->body, title);
		buf_addf(&w->body, "</h1><p><a href=\"/ledgers/%s\">返回台账</a></p>", l->key);
	} else {
		buf_adds(&w->body, "<h1>社区统计 <span class=\"muted\">在册居民</span></h1>");
	}
	stats_body(&w->body, s, l != NULL);
	for (int i = 0; i < s->nby; i++) {   /* the ledger's own dimensions */
		const struct stat_by *d = &s->by[i];
		struct buf *b = &w->body;
		buf_adds(b, "<h2>按");
		buf_html(b, d->label);
		buf_adds(b, "</h2><table><thead><tr><th>");
		buf_html(b, d->label);
		buf_adds(b, "</th><th class=\"num\">条数</th></tr></thead><tbody>");
		for (int g = 0; g < d->n; g++) {
			buf_adds(b, "<tr><td>");
			buf_html(b, d->key[g][0] ? d->key[g] : "（未填）");
			buf_addf(b, "</td><td class=\"num\">%lld</td></tr>", (long long)d->count[g]);
		}
		buf_adds(b, d->n ? "</tbody></table>" : "<tr><td colspan=\"2\">没有记录</td></tr></tbody></table>");
	}
	free(s);
	page_end(w);
}

void web_ledger_stats(struct http_req *r, struct http_resp *w)
{
	stats_page(r, w, r->ledger);
}

void web_community_stats(struct http_req *r, struct http_resp *w)
{
	stats_page(r, w, NULL);
}

void web_ledger_export(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;   /* found by the router ({key}) */
	struct jw_error err;
	struct ledger_export_req x = { r->st, &r->actor, l, req_query(r, "layout"), 0 };
	char name[160];
	int y, m, d;
	date_today(&y, &m, &d);
	snprintf(name, sizeof(name), "%s-%04d%02d%02d.xlsx", l->title, y, m, d);
	if (resp_made_file(w, ".xlsx", name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			   ledger_export_to, &x, &err) != JW_OK)
		web_error(r, w, &err);
}

/* ---- reminders ---- */

/* On the desk, each group's first REM_EACH (a million persons make tens of
 * thousands); a group's own page, its first REM_ALL. */
#define REM_EACH 50
#define REM_ALL 2000

static int reminder_tr(const struct reminder *m, void *ud)
{
	struct vis *c = ud;
	struct buf *b = c->b;
	if (m->more) {
		buf_adds(b, "<tr class=\"more\"><td>");
		buf_html(b, m->label);
		buf_adds(b, "</td><td colspan=\"3\">");
		c->n_more++;
		if (!c->one) {
			buf_adds(b, "还有更多，<a href=\"/reminders?kind=");
			buf_html(b, m->kind);
			if (m->ledger) {
				buf_adds(b, "&amp;ledger=");
				buf_html(b, m->ledger);
			}
			buf_adds(b, "\">查看全部</a>");
		} else {
			buf_addf(b, "只列出前%d条；全部记录请在台账中筛选或导出", REM_ALL);
		}
		buf_adds(b, "</td></tr>");
		return JW_OK;
	}
	c->n++;
	buf_adds(b, "<tr><td>");
	buf_html(b, m->label);
	buf_adds(b, "</td><td>");
	const char *path = subject_path(m->subject);
	buf_addf(b, "<a href=\"/%s/%lld\">", path, (long long)m->subject_id);
	buf_html(b, m->name ? m->name : "（无名）");
	buf_adds(b, "</a></td><td>");
	buf_html(b, m->date);
	buf_adds(b, "</td><td>");
	buf_html(b, m->detail);
	buf_adds(b, "</td></tr>");
	return JW_OK;
}

void web_reminders(struct http_req *r, struct http_resp *w)
{
	struct buf rows = BUF_INIT;
	struct vis c = { .b = &rows };
	struct jw_error err;
	const char *kind = req_query(r, "kind"), *ledger = req_query(r, "ledger");
	c.one = kind && *kind;
	struct reminder_opts o = { c.one ? REM_ALL : REM_EACH, kind, ledger };
	if (svc_reminders(r->st, &r->actor, &o, reminder_tr, &c, &err) != JW_OK) {
		buf_release(&rows);
		web_error(r, w, &err);
		return;
	}
	page_begin(r, w, "提醒");
	struct buf *b = &w->body;
	buf_addf(b, "<h1>提醒 <span class=\"muted\">%s %d 条</span></h1><p class=\"muted\">由居民和台账数据计算：80周岁生日"
		    "（高龄津贴）、养老金资格认证（生日所在月）、到期未走访、30天内到期的租约、居住证和矫正期。",
		 c.n_more ? "列出" : "共", c.n);
	if (c.one)
		buf_adds(b, "<a href=\"/reminders\">返回全部提醒</a>");
	else if (c.n_more)
		buf_addf(b, "每类先列出%d条。", REM_EACH);
	buf_adds(b, "</p>");
	buf_adds(b, "<table><thead><tr><th>事项</th><th>对象</th><th>日期</th><th>说明</th></tr></thead><tbody>");
	buf_add(b, rows.data ? rows.data : "", rows.len);
	if (!c.n)
		buf_adds(b, "<tr><td colspan=\"4\" class=\"muted\">目前没有需要提醒的事项</td></tr>");
	buf_adds(b, "</tbody></table>");
	buf_release(&rows);
	page_end(w);
}

/* ---- a committee's own ledger ---- */

static void define_form(struct http_req *r, struct http_resp *w, const struct verr *ve)
{
	page_begin(r, w, "定义新台账");
	struct buf *b = &w->body;
	buf_adds(b, "<h1>定义新台账</h1><p>为社区自己的工作建一个台账：定义后立即可以新增记录、查询、统计和导出，无需重启。</p>");
	if (ve && ve->n) {
		buf_adds(b, "<div class=\"notice err\" role=\"alert\"><ul>");
		for (int i = 0; i < ve->n; i++) {
			buf_adds(b, "<li>");
			buf_html(b, ve->item[i].message);
			buf_adds(b, "</li>");
		}
		buf_adds(b, "</ul></div>");
	}
	buf_adds(b, "<form class=\"record\" method=\"post\" action=\"/ledgers/define\">");
	page_csrf(b, r);
	const struct { const char *name, *label, *hint; } in[] = {
		{ "key", "台账代码", "2–32个小写字母、数字或下划线，如 pets" },
		{ "title", "台账名称", "如 养犬登记台账" },
	};
	for (size_t i = 0; i < 2; i++) {
		buf_addf(b, "<div class=\"f req\"><label for=\"f-%s\">%s</label><input name=\"%s\" id=\"f-%s\" value=\"", in[i].name,
			 in[i].label, in[i].name, in[i].name);
		buf_html(b, req_form(r, in[i].name));
		buf_addf(b, "\"><span class=\"hint\">%s</span></div>", in[i].hint);
	}
	buf_adds(b, "<div class=\"f\"><label for=\"f-subject\">对象</label><select name=\"subject\" id=\"f-subject\">"
		    "<option value=\"person\">居民</option><option value=\"household\">户</option><option value=\"house\">房屋"
		    "</option></select></div><div class=\"f req wide\"><label for=\"f-fields\">项目</label><textarea name=\"fields\" "
		    "id=\"f-fields\" rows=\"6\" placeholder=\"breed,犬种,text,中华田园犬|泰迪|其他,必填\n"
		    "vaccinated,免疫日期,date\">");
	buf_html(b, req_form(r, "fields"));
	buf_adds(b, "</textarea><span class=\"hint\">每行一个项目：代码,名称,类型（text 文字 / number 数字 / integer 整数 / date 日期）"
		    "[,选项1|选项2…][,必填]</span></div><div class=\"actions\"><button type=\"submit\">定义</button></div></form>");
	page_end(w);
}

void web_ledger_define_form(struct http_req *r, struct http_resp *w)
{
	define_form(r, w, NULL);   /* admins and directors: the route's role set */
}

void web_ledger_define(struct http_req *r, struct http_resp *w)
{
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	json_t *j = json_object();
	json_object_set_new(j, "key", json_string(req_form(r, "key") ? req_form(r, "key") : ""));
	json_object_set_new(j, "title", json_string(req_form(r, "title") ? req_form(r, "title") : ""));
	json_object_set_new(j, "subject", json_string(req_form(r, "subject") ? req_form(r, "subject") : "person"));
	json_t *fs = json_array();
	const char *text = req_form(r, "fields");
	char line[512];
	for (const char *p = text ? text : ""; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) - 1 ? n : sizeof(line) - 1), p);
		p = e ? e + 1 : p + n;
		char *cr = strchr(line, '\r');
		if (cr)
			*cr = 0;
		if (!line[0])
			continue;
		/* code,label,type[,options][,必填] — full-width commas allowed */
		char *parts[5] = { 0 };
		int np = 0;
		char *s = line;
		parts[np++] = s;
		while (*s && np < 5) {
			if (*s == ',') {
				*s = 0;
				parts[np++] = s + 1;
			} else if (strncmp(s, "，", 3) == 0) {
				*s = 0;
				parts[np++] = s + 3;
				s += 2;
			}
			s++;
		}
		json_t *f = json_object();
		json_object_set_new(f, "name", json_string(parts[0] ? parts[0] : ""));
		json_object_set_new(f, "label", json_string(np > 1 ? parts[1] : ""));
		json_object_set_new(f, "type", json_string(np > 2 && *parts[2] ? parts[2] : "text"));
		for (int k = 3; k < np; k++) {
			if (strcmp(parts[k], "必填") == 0) {
				json_object_set_new(f, "required", json_true());
			} else if (*parts[k]) {
				json_t *opts = json_array();
				for (char *o = parts[k]; o && *o;) {
					char *bar = strchr(o, '|');
					if (bar)
						*bar = 0;
					if (*o)
						json_array_append_new(opts, json_string(o));
					o = bar ? bar + 1 : NULL;
				}
				json_object_set_new(f, "options", opts);
			}
		}
		json_array_append_new(fs, f);
	}
	json_object_set_new(j, "fields", fs);
	char *json = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	const struct ledger_def *l = NULL;
	int rc = json ? svc_ledger_define(r->st, &r->actor, json, &ve, &l, &err) : JW_ENOMEM;
	free(json);
	if (rc == JW_OK) {
		char loc[96];
		snprintf(loc, sizeof(loc), "/ledgers/%s", l->key);
		resp_redirect(w, loc);
	} else if (rc == JW_EINVAL || rc == JW_ECONFLICT) {
		if (!ve.n)
			verr_add(&ve, err.field, "%s", err.message);
		w->status = rc == JW_ECONFLICT ? 409 : 422;
		define_form(r, w, &ve);
	} else {
		web_error(r, w, &err);
	}
}

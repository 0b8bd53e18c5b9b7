/*
 * api_ledger.c — ledgers over the JSON API (svc/ledger.c does the work):
 *   GET  /api/v1/ledgers                      every ledger the caller may read
 *   POST /api/v1/ledgers                      define a committee's own ledger
 *   GET  /api/v1/ledgers/{key}/entries        filters, paging, total
 *   POST /api/v1/ledgers/{key}/entries        {"subject_id", "start_date", "fields":{…}}
 *   GET  /api/v1/ledgers/{key}/entries/{id}
 *   PATCH /api/v1/ledgers/{key}/entries/{id}  {"fields", "start_date", "end_date", "end_reason", "reopen"}
 *   GET  /api/v1/ledgers/{key}/stats
 *   GET  /api/v1/ledgers/{key}/export?layout=KEY   the departmental workbook
 *   POST /api/v1/ledgers/{key}/readers        {"username", "reader": true|false}
 *   POST /api/v1/ledgers/derive               bring derived ledgers up to date
 *   GET  /api/v1/stats/community, GET /api/v1/reminders
 *   POST /api/v1/visits, GET /api/v1/visits?subject=person&subject_id=N
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "lib/util.h"
#include "model/mask.h"
#include "svc/ledger.h"

static void fail(struct http_resp *w, const struct jw_error *e, const struct verr *ve)
{
	resp_json_error(w, e, ve);
}

static void fail_msg(struct http_resp *w, int code, const char *field, const char *msg)
{
	struct jw_error e;
	jw_fail(&e, code, field, "%s", msg);
	resp_json_error(w, &e, NULL);
}

static void ok(struct http_resp *w, int status)
{
	w->status = status;
	w->content_type = "application/json; charset=utf-8";
}

static const struct ledger_def *the_ledger(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = ledger_find(r->st, r->actor.community, r->key);
	if (!l) {
		struct jw_error e;
		jw_fail(&e, JW_ENOTFOUND, "ledger", "没有代码为“%s”的台账；GET /api/v1/ledgers 列出所有台账", r->key);
		fail(w, &e, NULL);
	}
	return l;
}

static json_t *body_json(struct http_req *r, struct http_resp *w)
{
	json_error_t je;
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		fail_msg(w, JW_EBADREQ, "", "请求体应为 JSON 对象");
		return NULL;
	}
	return j;
}

static const char *type_name(enum field_type t)
{
	switch (t) {
	case FT_INT: return "integer";
	case FT_REAL: return "number";
	case FT_DATE: return "date";
	default: return "text";
	}
}

/* ---- the list of ledgers ---- */

struct each_ctx { struct http_req *r; struct buf *b; int n; };

static int ledger_item(const struct ledger_def *l, void *ud)
{
	struct each_ctx *c = ud;
	if (!ledger_can(c->r->st, &c->r->actor, l, false))
		return 0;
	struct buf *b = c->b;
	struct entry_query q = { .ledger = l->key, .want_total = true };
	int64_t open = 0;
	struct jw_error err;
	if (c->r->actor.role == ROLE_GRID_WORKER)
		q.grid_id = c->r->actor.grid_id;
	STORE_CALL(c->r->st, entry_list, c->r->actor.community, &q, NULL, NULL, &open, &err);
	buf_adds(b, c->n++ ? ",{\"key\":" : "{\"key\":");
	buf_json_str(b, l->key);
	buf_adds(b, ",\"title\":");
	buf_json_str(b, l->title);
	buf_adds(b, ",\"line\":");
	buf_json_str(b, l->line);
	buf_adds(b, ",\"subject\":");
	buf_json_str(b, entities[l->subject].key);
	buf_addf(b, ",\"restricted\":%s,\"derived\":%s,\"custom\":%s,\"visit_days\":%d,\"open\":%lld,\"writable\":%s",
		 l->restricted ? "true" : "false", l->rule != DR_NONE ? "true" : "false", l->custom ? "true" : "false",
		 l->visit_days, (long long)open, ledger_can(c->r->st, &c->r->actor, l, true) ? "true" : "false");
	buf_adds(b, ",\"fields\":[");
	for (int i = 0; i < l->nfields; i++) {
		const struct field_def *f = &l->fields[i];
		buf_adds(b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(b, f->name);
		buf_adds(b, ",\"label\":");
		buf_json_str(b, f->label);
		buf_addf(b, ",\"type\":\"%s\",\"required\":%s,\"derived\":%s", type_name(f->type),
			 (f->flags & FF_REQUIRED) ? "true" : "false", (f->flags & FF_READONLY) ? "true" : "false");
		if (f->options) {
			buf_adds(b, ",\"options\":[");
			int k = 0;
			char opt[128];
			for (const char *p = f->options; options_next(&p, opt, sizeof(opt));) {
				buf_adds(b, k++ ? "," : "");
				buf_json_str(b, opt);
			}
			buf_addc(b, ']');
		}
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"layouts\":[");
	for (int i = 0; i < l->nlayouts; i++) {
		buf_adds(b, i ? ",{\"key\":" : "{\"key\":");
		buf_json_str(b, l->layouts[i].key);
		buf_adds(b, ",\"label\":");
		buf_json_str(b, l->layouts[i].label);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}");
	return 0;
}

void api_ledgers(struct http_req *r, struct http_resp *w)
{
	ok(w, 200);
	struct buf *b = &w->body;
	buf_adds(b, "{\"items\":[");
	struct each_ctx c = { r, b, 0 };
	ledger_each(r->st, r->actor.community, ledger_item, &c);
	buf_addf(b, "],\"total\":%d}", c.n);
}

void api_ledger_define(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	struct verr ve;
	verr_init(&ve);
	jw_error_clear(&err);
	json_t *probe = body_json(r, w);   /* 400 for what is not a JSON object */
	if (!probe)
		return;
	json_decref(probe);
	char *json = xstrndup(r->body.data ? r->body.data : "", r->body.len);
	const struct ledger_def *l = NULL;
	int rc = svc_ledger_define(r->st, &r->actor, json, &ve, &l, &err);
	free(json);
	if (rc != JW_OK) {
		fail(w, &err, &ve);
		return;
	}
	ok(w, 201);
	struct each_ctx c = { r, &w->body, 0 };
	ledger_item(l, &c);
}

/* ---- entries ---- */

struct out_ctx { const struct ledger_def *l; struct buf *b; int n; bool reveal; };

static void entry_json(struct buf *b, const struct ledger_def *l, const struct entry_row *e)
{
	char m[64];
	buf_addf(b, "{\"id\":%lld,\"ledger\":", (long long)e->id);
	buf_json_str(b, e->ledger);
	buf_adds(b, ",\"subject\":");
	buf_json_str(b, e->subject);
	buf_addf(b, ",\"subject_id\":%lld,\"name\":", (long long)e->subject_id);
	buf_json_str(b, e->name);
	buf_adds(b, ",\"id_number\":");
	if (e->id_number) {
		mask_idnum(e->id_number, m, sizeof(m));
		buf_json_str(b, m);
	} else {
		buf_adds(b, "null");
	}
	buf_adds(b, ",\"phone\":");
	if (e->phone) {
		mask_phone(e->phone, m, sizeof(m));
		buf_json_str(b, m);
	} else {
		buf_adds(b, "null");
	}
	buf_adds(b, ",\"address\":");
	buf_json_str(b, e->address);
	buf_adds(b, ",\"sex\":");
	buf_json_str(b, e->sex ? code_label(&code_tables[CT_SEX], e->sex) : NULL);
	buf_adds(b, ",\"birth_date\":");
	buf_json_str(b, e->birth_date);
	buf_addf(b, ",\"grid_id\":%lld,\"status\":", (long long)e->grid_id);
	buf_json_str(b, e->status);
	buf_adds(b, ",\"start_date\":");
	buf_json_str(b, e->start_date);
	buf_adds(b, ",\"end_date\":");
	buf_json_str(b, e->end_date);
	buf_adds(b, ",\"end_reason\":");
	buf_json_str(b, e->end_reason);
	buf_addf(b, ",\"derived\":%s,\"last_visit\":", e->derived ? "true" : "false");
	buf_json_str(b, e->last_visit);
	buf_adds(b, ",\"next_visit\":");
	buf_json_str(b, e->next_visit);
	buf_adds(b, ",\"fields\":");
	struct record f;
	entry_fields(l, e->data, &f);
	buf_addc(b, '{');
	int k = 0;
	for (int i = 0; i < l->nfields; i++) {
		const char *v = f.v[i];
		if (!v)
			continue;
		if (l->fields[i].sens == SENS_ID) {
			mask_idnum(v, m, sizeof(m));
			v = m;
		} else if (l->fields[i].sens == SENS_PHONE) {
			mask_phone(v, m, sizeof(m));
			v = m;
		}
		buf_adds(b, k++ ? "," : "");
		buf_json_str(b, l->fields[i].name);
		buf_addc(b, ':');
		buf_json_str(b, v);
	}
	buf_adds(b, "}}");
	record_release(&f);
}

static int list_cb(const struct entry_row *e, void *ud)
{
	struct out_ctx *c = ud;
	if (c->n++)
		buf_addc(c->b, ',');
	entry_json(c->b, c->l, e);
	return JW_OK;
}

/* The filters of an entries list, from the query string. */
bool entry_query_from(struct http_req *r, struct entry_query *q, int64_t *page, int64_t *per_page,
		      struct jw_error *err)
{
	memset(q, 0, sizeof(*q));
	if (!req_query_int(r, "page", 1, page) || *page < 1 || *page > 1000000)
		return jw_fail(err, JW_EBADREQ, "page", "页码应为正整数"), false;
	if (!req_query_int(r, "per_page", 20, per_page) || *per_page < 1 || *per_page > 100)
		return jw_fail(err, JW_EBADREQ, "per_page", "每页条数应在1到100之间"), false;
	if (!req_query_int(r, "grid_id", 0, &q->grid_id))
		return jw_fail(err, JW_EBADREQ, "grid_id", "参数 grid_id 应为整数"), false;
	const char *inc = req_query(r, "include_closed");
	q->include_closed = inc && (strcmp(inc, "1") == 0 || strcmp(inc, "true") == 0);
	q->q = req_query(r, "q");
	q->field = req_query(r, "field");
	q->value = req_query(r, "value");
	if ((q->field && !q->value) || (!q->field && q->value))
		return jw_fail(err, JW_EBADREQ, "field", "按项目筛选需同时给出 field 和 value"), false;
	q->limit = *per_page;
	q->offset = (*page - 1) * *per_page;
	q->want_total = true;
	return true;
}

void api_entries(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = the_ledger(r, w);
	if (!l)
		return;
	struct entry_query q;
	int64_t page, per_page, total = 0;
	struct jw_error err;
	if (!entry_query_from(r, &q, &page, &per_page, &err)) {
		fail(w, &err, NULL);
		return;
	}
	struct buf items = BUF_INIT;
	struct out_ctx c = { l, &items, 0, false };
	if (svc_entry_list(r->st, &r->actor, l, &q, list_cb, &c, &total, &err) != JW_OK) {
		buf_release(&items);
		fail(w, &err, NULL);
		return;
	}
	ok(w, 200);
	buf_adds(&w->body, "{\"items\":[");
	buf_add(&w->body, items.data ? items.data : "", items.len);
	buf_addf(&w->body, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)page,
		 (long long)per_page);
	buf_release(&items);
}

static void write_entry(struct http_req *r, struct http_resp *w, const struct ledger_def *l, int64_t id, int status)
{
	struct jw_error err;
	struct buf b = BUF_INIT;
	struct out_ctx c = { l, &b, 0, false };
	if (svc_entry_get(r->st, &r->actor, l, id, list_cb, &c, &err) != JW_OK) {
		buf_release(&b);
		fail(w, &err, NULL);
		return;
	}
	ok(w, status);
	buf_add(&w->body, b.data ? b.data : "", b.len);
	buf_release(&b);
}

void api_entry_get(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = the_ledger(r, w);
	if (l)
		write_entry(r, w, l, r->id, 200);
}

/* The "fields" member into a record of the ledger; false (400 written) on junk. */
static bool fields_from(struct http_req *r, struct http_resp *w, const struct ledger_def *l, json_t *j,
			struct record *f)
{
	entry_fields(l, NULL, f);
	json_t *fs = json_object_get(j, "fields");
	if (!fs)
		return true;
	if (!json_is_object(fs)) {
		fail_msg(w, JW_EBADREQ, "fields", "fields 应为 JSON 对象，如 {\"category\":\"肢体残疾\"}");
		record_release(f);
		return false;
	}
	const char *k;
	json_t *v;
	json_object_foreach(fs, k, v) {
		const struct field_def *fd = NULL;
		int ix = -1;
		for (int i = 0; i < l->nfields; i++)
			if (strcmp(l->fields[i].name, k) == 0) {
				fd = &l->fields[i];
				ix = i;
			}
		if (!fd) {
			char msg[256];
			snprintf(msg, sizeof(msg), "《%s》没有名为“%s”的项目", l->title, k);
			fail_msg(w, JW_EBADREQ, k, msg);
			record_release(f);
			return false;
		}
		if (json_is_null(v)) {
			record_set(f, ix, NULL);
		} else if (json_is_string(v)) {
			record_set(f, ix, json_string_value(v));
		} else if (json_is_number(v)) {
			char num[64];
			snprintf(num, sizeof(num), "%.15g", json_number_value(v));
			record_set(f, ix, num);
		} else {
			fail_msg(w, JW_EBADREQ, k, "项目的值应为文字、数字或 null");
			record_release(f);
			return false;
		}
	}
	(void)r;
	return true;
}

void api_entry_create(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = the_ledger(r, w);
	if (!l)
		return;
	json_t *j = body_json(r, w);
	if (!j)
		return;
	struct record f;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	json_t *sid = json_object_get(j, "subject_id");
	if (!json_is_integer(sid) || json_integer_value(sid) < 1) {
		json_decref(j);
		verr_add(&ve, "subject_id", "请给出 subject_id：要列入台账的居民（或户、房屋）的编号（正整数）");
		verr_to_error(&ve, &err);
		fail(w, &err, &ve);
		return;
	}
	if (!fields_from(r, w, l, j, &f)) {
		json_decref(j);
		return;
	}
	int64_t id = 0;
	int rc = svc_entry_create(r->st, &r->actor, l, json_integer_value(sid), &f,
				  json_string_value(json_object_get(j, "start_date")), &ve, &id, &err);
	record_release(&f);
	json_decref(j);
	if (rc != JW_OK) {
		fail(w, &err, &ve);
		return;
	}
	write_entry(r, w, l, id, 201);
}

void api_entry_patch(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = the_ledger(r, w);
	if (!l)
		return;
	json_t *j = body_json(r, w);
	if (!j)
		return;
	struct record f;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	if (!fields_from(r, w, l, j, &f)) {
		json_decref(j);
		return;
	}
	int rc = svc_entry_update(r->st, &r->actor, l, r->id, &f, json_string_value(json_object_get(j, "start_date")),
				  json_string_value(json_object_get(j, "end_date")),
				  json_string_value(json_object_get(j, "end_reason")),
				  json_is_true(json_object_get(j, "reopen")), &ve, &err);
	record_release(&f);
	json_decref(j);
	if (rc != JW_OK) {
		fail(w, &err, &ve);
		return;
	}
	write_entry(r, w, l, r->id, 200);
}

/* ---- statistics ---- */

static void stats_json(struct buf *b, const struct ledger_stats *s, bool trend)
{
	buf_addf(b, "{\"total\":%lld,\"by_grid\":[", (long long)s->total);
	for (int g = 0; g < s->ngrids; g++) {
		buf_addf(b, "%s{\"grid_id\":%lld,\"name\":", g ? "," : "", (long long)s->grid_id[g]);
		buf_json_str(b, s->grid_name[g]);
		buf_addf(b, ",\"count\":%lld}", (long long)s->by_grid[g]);
	}
	buf_adds(b, "],\"by_building\":[");
	for (int i = 0; i < s->nbuildings; i++) {
		buf_addf(b, "%s{\"building_id\":%lld,\"name\":", i ? "," : "", (long long)s->building_id[i]);
		buf_json_str(b, s->building_name[i]);
		buf_addf(b, ",\"count\":%lld}", (long long)s->by_building[i]);
	}
	buf_addf(b, "],\"by_sex\":{\"男\":%lld,\"女\":%lld,\"未知\":%lld},\"age_bands\":[", (long long)s->men,
		 (long long)s->women, (long long)s->sex_unknown);
	for (int i = 0; i < nage_bands && i < 8; i++) {
		buf_adds(b, i ? ",{\"key\":" : "{\"key\":");
		buf_json_str(b, age_bands[i].key);
		buf_adds(b, ",\"label\":");
		buf_json_str(b, age_bands[i].label);
		buf_addf(b, ",\"count\":%lld}", (long long)s->band[i]);
	}
	buf_adds(b, "],\"pyramid\":[");
	for (int i = 0; i < 21; i++) {
		if (i < 20)
			buf_addf(b, "%s{\"group\":\"%d-%d\"", i ? "," : "", i * 5, i * 5 + 4);
		else
			buf_adds(b, ",{\"group\":\"100+\"");
		buf_addf(b, ",\"men\":%lld,\"women\":%lld}", (long long)s->pyramid_men[i], (long long)s->pyramid_women[i]);
	}
	buf_addf(b, "],\"age_unknown\":%lld", (long long)s->age_unknown);
	if (trend) {
		buf_adds(b, ",\"trend\":[");
		for (int i = 0; i < s->ntrend; i++) {
			buf_addf(b, "%s{\"month\":", i ? "," : "");
			buf_json_str(b, s->trend_month[i]);
			buf_addf(b, ",\"opened\":%lld,\"closed\":%lld}", (long long)s->trend_opened[i],
				 (long long)s->trend_closed[i]);
		}
		buf_addc(b, ']');
	}
	buf_addc(b, '}');
}

void api_ledger_stats(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = the_ledger(r, w);
	if (!l)
		return;
	struct ledger_stats *s = xcalloc(1, sizeof(*s));
	struct jw_error err;
	if (svc_ledger_stats(r->st, &r->actor, l, s, &err) != JW_OK) {
		free(s);
		fail(w, &err, NULL);
		return;
	}
	ok(w, 200);
	stats_json(&w->body, s, true);
	free(s);
}

void api_community_stats(struct http_req *r, struct http_resp *w)
{
	struct ledger_stats *s = xcalloc(1, sizeof(*s));
	struct jw_error err;
	if (svc_ledger_stats(r->st, &r->actor, NULL, s, &err) != JW_OK) {
		free(s);
		fail(w, &err, NULL);
		return;
	}
	ok(w, 200);
	stats_json(&w->body, s, false);
	free(s);
}

void api_ledger_export(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = the_ledger(r, w);
	if (!l)
		return;
	struct jw_error err;
	struct ledger_export_req x = { r->st, &r->actor, l, req_query(r, "layout"), 0 };
	char name[128];
	snprintf(name, sizeof(name), "%s.xlsx", l->title);
	if (resp_made_file(w, ".xlsx", name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			   ledger_export_to, &x, &err) != JW_OK)
		fail(w, &err, NULL);
}

void api_ledger_readers(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = the_ledger(r, w);
	if (!l)
		return;
	json_t *j = body_json(r, w);
	if (!j)
		return;
	struct jw_error err;
	json_t *on = json_object_get(j, "reader");
	int rc = svc_ledger_reader(r->st, &r->actor, l, json_string_value(json_object_get(j, "username")),
				   on ? json_is_true(on) : true, &err);
	json_decref(j);
	if (rc != JW_OK) {
		fail(w, &err, NULL);
		return;
	}
	w->status = 204;
}

void api_ledger_derive(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	int64_t added = 0, closed = 0;
	if (r->actor.role != ROLE_ADMIN && r->actor.role != ROLE_DIRECTOR) {
		fail_msg(w, JW_EPERM, "", "只有管理员和社区主任可以重新生成台账");
		return;
	}
	/* short transactions, like the server's own: other requests go on */
	int rc = svc_ledger_derive_batched(r->st, r->actor.community, 0, &added, &closed, &err);
	if (rc != JW_OK) {
		fail(w, &err, NULL);
		return;
	}
	ok(w, 200);
	buf_addf(&w->body, "{\"added\":%lld,\"closed\":%lld}", (long long)added, (long long)closed);
}

/* ---- visits and reminders ---- */

void api_visit_create(struct http_req *r, struct http_resp *w)
{
	json_t *j = body_json(r, w);
	if (!j)
		return;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	json_t *sid = json_object_get(j, "subject_id"), *eid = json_object_get(j, "entry_id");
	int64_t id = 0;
	if (eid && !json_is_null(eid) && (!json_is_integer(eid) || json_integer_value(eid) < 1)) {
		json_decref(j);
		fail_msg(w, JW_EBADREQ, "entry_id", "entry_id 应为台账记录的编号（正整数）");
		return;
	}
	int rc = svc_visit_add(r->st, &r->actor, json_string_value(json_object_get(j, "subject")),
			       json_is_integer(sid) ? json_integer_value(sid) : 0,
			       json_is_integer(eid) ? json_integer_value(eid) : 0,
			       json_string_value(json_object_get(j, "visit_date")),
			       json_string_value(json_object_get(j, "method")),
			       json_string_value(json_object_get(j, "note")),
			       json_string_value(json_object_get(j, "next_date")), &ve, &id, &err);
	json_decref(j);
	if (rc != JW_OK) {
		fail(w, &err, &ve);
		return;
	}
	ok(w, 201);
	buf_addf(&w->body, "{\"id\":%lld}", (long long)id);
}

struct vctx { struct buf *b; int n; };

static int visit_item(const struct visit_row *v, void *ud)
{
	struct vctx *c = ud;
	struct buf *b = c->b;
	buf_addf(b, "%s{\"id\":%lld,\"subject\":", c->n++ ? "," : "", (long long)v->id);
	buf_json_str(b, v->subject);
	buf_addf(b, ",\"subject_id\":%lld,\"visit_date\":", (long long)v->subject_id);
	buf_json_str(b, v->visit_date);
	buf_adds(b, ",\"method\":");
	buf_json_str(b, v->method);
	buf_adds(b, ",\"note\":");
	buf_json_str(b, v->note);
	buf_adds(b, ",\"next_date\":");
	buf_json_str(b, v->next_date);
	buf_adds(b, ",\"username\":");
	buf_json_str(b, v->username);
	if (v->entry_id > 0)
		buf_addf(b, ",\"entry_id\":%lld", (long long)v->entry_id);
	else
		buf_adds(b, ",\"entry_id\":null");
	buf_addc(b, '}');
	return JW_OK;
}

void api_visits(struct http_req *r, struct http_resp *w)
{
	int64_t sid;
	struct jw_error err;
	if (!req_query_int(r, "subject_id", 0, &sid) || sid < 1) {
		fail_msg(w, JW_EBADREQ, "subject_id", "请给出 subject_id");
		return;
	}
	struct buf items = BUF_INIT;
	struct vctx c = { &items, 0 };
	const char *subject = req_query(r, "subject");
	if (svc_visit_list(r->st, &r->actor, subject ? subject : "person", sid, visit_item, &c, &err) != JW_OK) {
		buf_release(&items);
		fail(w, &err, NULL);
		return;
	}
	ok(w, 200);
	buf_adds(&w->body, "{\"items\":[");
	buf_add(&w->body, items.data ? items.data : "", items.len);
	buf_addf(&w->body, "],\"total\":%d}", c.n);
	buf_release(&items);
}

static int reminder_item(const struct reminder *m, void *ud)
{
	struct vctx *c = ud;
	struct buf *b = c->b;
	buf_adds(b, c->n++ ? ",{\"kind\":" : "{\"kind\":");
	buf_json_str(b, m->kind);
	buf_adds(b, ",\"label\":");
	buf_json_str(b, m->label);
	buf_adds(b, ",\"ledger\":");
	buf_json_str(b, m->ledger);
	buf_adds(b, ",\"subject\":");
	buf_json_str(b, m->subject ? m->subject : "person");
	buf_addf(b, ",\"subject_id\":%lld,\"name\":", (long long)m->subject_id);
	buf_json_str(b, m->name);
	buf_adds(b, ",\"date\":");
	buf_json_str(b, m->date);
	buf_adds(b, ",\"detail\":");
	buf_json_str(b, m->detail);
	buf_addc(b, '}');
	return JW_OK;
}

void api_reminders(struct http_req *r, struct http_resp *w)
{
	struct buf items = BUF_INIT;
	struct vctx c = { &items, 0 };
	struct jw_error err;
	if (svc_reminders(r->st, &r->actor, reminder_item, &c, &err) != JW_OK) {
		buf_release(&items);
		fail(w, &err, NULL);
		return;
	}
	ok(w, 200);
	buf_adds(&w->body, "{\"items\":[");
	buf_add(&w->body, items.data ? items.data : "", items.len);
	buf_addf(&w->body, "],\"total\":%d}", c.n);
	buf_release(&items);
}

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

struct each_ctx { struct http_req *r; struct buf *b; int n; struct list_env *le; };

static int ledger_item(const struct ledger_def *l, void *ud)
{
	struct each_ctx *c = ud;
	if (!ledger_can(c->r->st, &c->r->actor, l, false))
		return 0;
	struct buf *b = c->b;
	int64_t open = svc_ledger_open_count(c->r->st, &c->r->actor, l);
	if (c->le)
		list_sep(c->le);
	buf_adds(b, "{\"key\":");
	buf_json_str(b, l->key);
	buf_adds(b, ",\"title\":");
	buf_json_str(b, l->title);
	buf_adds(b, ",\"line\":");
	buf_json_str(b, l->line);
	buf_adds(b, ",\"subject\":");
	buf_json_str(b, l->subject == SUBJECT_NONE ? "none" : entities[l->subject].key);
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
	resp_json(w, 200);
	struct list_env le;
	list_begin(&le, &w->body);
	struct each_ctx c = { r, &w->body, 0, &le };
	ledger_each(r->st, r->actor.community, ledger_item, &c);
	list_end(&le, le.n, 0, 0);
}

void api_ledger_define(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	struct verr ve;
	verr_init(&ve);
	jw_error_clear(&err);
	char *json = xstrndup(r->body.data ? r->body.data : "", r->body.len);
	const struct ledger_def *l = NULL;
	int rc = svc_ledger_define(r->st, &r->actor, json, &ve, &l, &err);
	free(json);
	if (rc != JW_OK) {
		resp_json_error(w, &err, &ve);
		return;
	}
	resp_json(w, 201);
	struct each_ctx c = { r, &w->body, 0, NULL };
	ledger_item(l, &c);
}

/* ---- entries ---- */

struct out_ctx { const struct ledger_def *l; struct list_env le; };

/* An entry's sensitive value as shown: masked (the API never reveals one). */
static void masked_json(struct buf *b, int sens, const char *v)
{
	char m[64];
	buf_json_str(b, sens_display(sens, v, false, m, sizeof(m)));
}

static void entry_json(struct buf *b, const struct ledger_def *l, const struct entry_row *e)
{
	buf_addf(b, "{\"id\":%lld,\"ledger\":", (long long)e->id);
	buf_json_str(b, e->ledger);
	buf_adds(b, ",\"subject\":");
	buf_json_str(b, e->subject);
	buf_addf(b, ",\"subject_id\":%lld,\"name\":", (long long)e->subject_id);
	buf_json_str(b, e->name);
	buf_adds(b, ",\"id_number\":");
	masked_json(b, SENS_ID, e->id_number);
	buf_adds(b, ",\"phone\":");
	masked_json(b, SENS_PHONE, e->phone);
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
		if (!f.v[i])
			continue;
		buf_adds(b, k++ ? "," : "");
		buf_json_str(b, l->fields[i].name);
		buf_addc(b, ':');
		masked_json(b, l->fields[i].sens, f.v[i]);
	}
	buf_adds(b, "}}");
	record_release(&f);
}

static int list_cb(const struct entry_row *e, void *ud)
{
	struct out_ctx *c = ud;
	list_sep(&c->le);
	entry_json(c->le.b, c->l, e);
	return JW_OK;
}

/* The filters of an entries list, from the query string (typed and
 * checked by the router: http/routes.c q_entries). */
bool entry_query_from(struct http_req *r, struct entry_query *q, struct pager *pg, struct jw_error *err)
{
	memset(q, 0, sizeof(*q));
	pager_from(pg, r, 20);
	q->grid_id = req_int(r, "grid_id");
	q->include_closed = req_bool(r, "include_closed");
	q->q = req_query(r, "q");
	q->field = req_query(r, "field");
	q->value = req_query(r, "value");
	if ((q->field && !q->value) || (!q->field && q->value))
		return jw_fail(err, JW_EBADREQ, "field", "按项目筛选需同时给出 field 和 value"), false;
	q->limit = pg->per_page;
	q->offset = pg->offset;
	q->want_total = true;
	return true;
}

void api_entries(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;
	struct entry_query q;
	struct pager pg;
	int64_t total = 0;
	struct jw_error err;
	if (!entry_query_from(r, &q, &pg, &err)) {
		resp_json_error(w, &err, NULL);
		return;
	}
	struct out_ctx c = { l, { NULL, 0 } };
	resp_json(w, 200);
	list_begin(&c.le, &w->body);
	if (svc_entry_list(r->st, &r->actor, l, &q, list_cb, &c, &total, &err) != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	list_end(&c.le, total, pg.page, pg.per_page);
}

static void write_entry(struct http_req *r, struct http_resp *w, const struct ledger_def *l, int64_t id, int status)
{
	struct jw_error err;
	struct buf b = BUF_INIT;
	struct out_ctx c = { l, { &b, 0 } };
	if (svc_entry_get(r->st, &r->actor, l, id, list_cb, &c, &err) != JW_OK) {
		buf_release(&b);
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, status);
	buf_add(&w->body, b.data ? b.data : "", b.len);
	buf_release(&b);
}

void api_entry_get(struct http_req *r, struct http_resp *w)
{
	write_entry(r, w, r->ledger, r->id, 200);
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
		api_fail(w, JW_EBADREQ, "fields", "fields 应为 JSON 对象，如 {\"category\":\"肢体残疾\"}");
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
			api_fail(w, JW_EBADREQ, k, "《%s》没有名为“%s”的项目", l->title, k);
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
			api_fail(w, JW_EBADREQ, k, "项目的值应为文字、数字或 null");
			record_release(f);
			return false;
		}
	}
	(void)r;
	return true;
}

void api_entry_create(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;
	json_t *j = r->json;
	struct record f;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	json_t *sid = json_object_get(j, "subject_id");
	if (l->subject != SUBJECT_NONE && (!json_is_integer(sid) || json_integer_value(sid) < 1)) {
		verr_add(&ve, "subject_id", "请给出 subject_id：要列入台账的居民（或户、房屋）的编号（正整数）");
		verr_to_error(&ve, &err);
		resp_json_error(w, &err, &ve);
		return;
	}
	if (!fields_from(r, w, l, j, &f))
		return;
	int64_t id = 0;
	int rc = svc_entry_create(r->st, &r->actor, l, l->subject == SUBJECT_NONE ? 0 : json_integer_value(sid), &f,
				  json_string_value(json_object_get(j, "start_date")), &ve, &id, &err);
	record_release(&f);
	if (rc != JW_OK) {
		resp_json_error(w, &err, &ve);
		return;
	}
	write_entry(r, w, l, id, 201);
}

void api_entry_patch(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;
	json_t *j = r->json;
	struct record f;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	if (!fields_from(r, w, l, j, &f))
		return;
	int rc = svc_entry_update(r->st, &r->actor, l, r->id, &f, json_string_value(json_object_get(j, "start_date")),
				  json_string_value(json_object_get(j, "end_date")),
				  json_string_value(json_object_get(j, "end_reason")),
				  json_is_true(json_object_get(j, "reopen")), &ve, &err);
	record_release(&f);
	if (rc != JW_OK) {
		resp_json_error(w, &err, &ve);
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
	if (s->nby) {   /* the ledger's own dimensions */
		buf_adds(b, ",\"by\":{");
		for (int i = 0; i < s->nby; i++) {
			const struct stat_by *d = &s->by[i];
			buf_adds(b, i ? "," : "");
			buf_json_str(b, d->name);
			buf_adds(b, ":[");
			for (int g = 0; g < d->n; g++) {
				buf_adds(b, g ? ",{\"key\":" : "{\"key\":");
				buf_json_str(b, d->key[g]);
				buf_addf(b, ",\"count\":%lld}", (long long)d->count[g]);
			}
			buf_addc(b, ']');
		}
		buf_addc(b, '}');
	}
	buf_addc(b, '}');
}

/* A ledger's statistics (with its trend), or the community's (l NULL). */
static void stats_out(struct http_req *r, struct http_resp *w, const struct ledger_def *l)
{
	struct ledger_stats *s = xcalloc(1, sizeof(*s));
	struct jw_error err;
	if (svc_ledger_stats(r->st, &r->actor, l, s, &err) != JW_OK)
		resp_json_error(w, &err, NULL);
	else {
		resp_json(w, 200);
		stats_json(&w->body, s, l != NULL);
	}
	free(s);
}

void api_ledger_stats(struct http_req *r, struct http_resp *w)
{
	stats_out(r, w, r->ledger);
}

void api_community_stats(struct http_req *r, struct http_resp *w)
{
	stats_out(r, w, NULL);
}

void api_ledger_export(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;
	struct jw_error err;
	struct ledger_export_req x = { r->st, &r->actor, l, req_query(r, "layout"), 0 };
	char name[128];
	snprintf(name, sizeof(name), "%s.xlsx", l->title);
	if (resp_made_file(w, ".xlsx", name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			   ledger_export_to, &x, &err) != JW_OK)
		resp_json_error(w, &err, NULL);
}

void api_ledger_readers(struct http_req *r, struct http_resp *w)
{
	const struct ledger_def *l = r->ledger;
	json_t *j = r->json;
	struct jw_error err;
	json_t *on = json_object_get(j, "reader");
	int rc = svc_ledger_reader(r->st, &r->actor, l, json_string_value(json_object_get(j, "username")),
				   on ? json_is_true(on) : true, &err);
	if (rc != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	w->status = 204;
}

void api_ledger_derive(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	int64_t added = 0, closed = 0;
	/* admins and directors only: the route's role set (http/routes.c) */
	/* short transactions, like the server's own: other requests go on */
	int rc = svc_ledger_derive_batched(r->st, r->actor.community, 0, &added, &closed, &err);
	if (rc != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	buf_addf(&w->body, "{\"added\":%lld,\"closed\":%lld}", (long long)added, (long long)closed);
}

/* ---- visits and reminders ---- */

void api_visit_create(struct http_req *r, struct http_resp *w)
{
	json_t *j = r->json;
	struct verr ve;
	struct jw_error err;
	verr_init(&ve);
	json_t *sid = json_object_get(j, "subject_id"), *eid = json_object_get(j, "entry_id");
	int64_t id = 0;
	if (eid && !json_is_null(eid) && (!json_is_integer(eid) || json_integer_value(eid) < 1)) {
		api_fail(w, JW_EBADREQ, "entry_id", "entry_id 应为台账记录的编号（正整数）");
		return;
	}
	int rc = svc_visit_add(r->st, &r->actor, json_string_value(json_object_get(j, "subject")),
			       json_is_integer(sid) ? json_integer_value(sid) : 0,
			       json_is_integer(eid) ? json_integer_value(eid) : 0,
			       json_string_value(json_object_get(j, "visit_date")),
			       json_string_value(json_object_get(j, "method")),
			       json_string_value(json_object_get(j, "note")),
			       json_string_value(json_object_get(j, "next_date")), &ve, &id, &err);
	if (rc != JW_OK) {
		resp_json_error(w, &err, &ve);
		return;
	}
	resp_json(w, 201);
	buf_addf(&w->body, "{\"id\":%lld}", (long long)id);
}

static int visit_item(const struct visit_row *v, void *ud)
{
	struct list_env *c = ud;
	struct buf *b = c->b;
	list_sep(c);
	buf_addf(b, "{\"id\":%lld,\"subject\":", (long long)v->id);
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
	struct jw_error err;
	struct list_env le;
	resp_json(w, 200);
	list_begin(&le, &w->body);
	const char *subject = req_query(r, "subject");   /* subject_id: required by the route */
	if (svc_visit_list(r->st, &r->actor, subject ? subject : "person", req_int(r, "subject_id"), visit_item, &le,
			   &err) != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	list_end(&le, le.n, 0, 0);
}

static int reminder_item(const struct reminder *m, void *ud)
{
	struct list_env *c = ud;
	struct buf *b = c->b;
	list_sep(c);
	buf_adds(b, "{\"kind\":");
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
	struct list_env le;
	struct jw_error err;
	resp_json(w, 200);
	list_begin(&le, &w->body);
	/* every reminder, or one group's (?kind=…&ledger=…) */
	struct reminder_opts o = { 0, req_query(r, "kind"), req_query(r, "ledger") };
	if (svc_reminders(r->st, &r->actor, &o, reminder_item, &le, &err) != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	list_end(&le, le.n, 0, 0);
}

/*
 * api.c — the JSON API under /api/v1.  Thin: parse the request (jansson),
 * call svc/, write JSON with the escaping writer.  The generic handlers
 * serve every registry entity; the route's entity says which.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "lib/util.h"

/* Fills rec from a JSON object by the entity's declarations.  Read-only
 * members and "_label" companions are ignored; unknown ones are an error. */
static int record_from_json(json_t *obj, struct record *rec, struct jw_error *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		int i = entity_field_index(rec->ent, key);
		size_t kl = strlen(key);
		if (i < 0) {
			if (strcmp(key, "id") == 0 || strcmp(key, "age") == 0 ||
			    (kl > 6 && strcmp(key + kl - 6, "_label") == 0) ||
			    strcmp(key, "members") == 0 || strcmp(key, "generate_houses") == 0)
				continue;
			return jw_fail(err, JW_EBADREQ, key, "未知字段“%s”，请查看 /api/v1/codes 与接口文档", key);
		}
		if (rec->ent->fields[i].flags & FF_READONLY)
			continue;
		char num[64];
		if (json_is_string(v)) {
			record_set(rec, i, json_string_value(v));
		} else if (json_is_null(v)) {
			record_set(rec, i, NULL);
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			record_set(rec, i, num);
		} else if (json_is_real(v)) {
			snprintf(num, sizeof(num), "%.2f", json_real_value(v));
			record_set(rec, i, num);
		} else if (json_is_boolean(v)) {
			record_set(rec, i, json_is_true(v) ? "1" : "0");
		} else {
			return jw_fail(err, JW_EBADREQ, key, "字段“%s”应为字符串或数字", key);
		}
	}
	return JW_OK;
}

static void record_out(struct buf *b, const struct record *rec, bool reveal)
{
	record_to_json(b, rec, reveal);
	if (rec->ent->id == ENT_PERSON) {
		/* age is derived on the fly: append before the closing brace */
		int age = person_age(rec);
		b->len--;
		if (age >= 0)
			buf_addf(b, ",\"age\":%d}", age);
		else
			buf_adds(b, ",\"age\":null}");
	}
}

void api_login(struct http_req *r, struct http_resp *w)
{
	char token[65], csrf[65];
	struct actor a;
	struct jw_error err;
	json_t *j = r->json;
	json_t *u = json_object_get(j, "username"), *p = json_object_get(j, "password");
	if (!json_is_string(u) || !json_is_string(p)) {
		const char *field = !json_is_string(u) ? "username" : "password";
		api_fail(w, JW_EBADREQ, field, "请提供 username 和 password（字符串）");
		return;
	}
	int rc = svc_login(r->st, json_string_value(u), json_string_value(p), "api", r->ip, token, csrf,
			   &a, &err);
	if (rc != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	buf_adds(&w->body, "{\"token\":");
	buf_json_str(&w->body, token);
	buf_adds(&w->body, ",\"expires_idle_seconds\":");
	buf_addf(&w->body, "%d", SESSION_IDLE_S);
	buf_adds(&w->body, ",\"user\":{\"username\":");
	buf_json_str(&w->body, a.username);
	buf_adds(&w->body, ",\"role\":");
	buf_json_str(&w->body, role_key(a.role));
	buf_addf(&w->body, ",\"grid_id\":%lld}}", (long long)a.grid_id);
}

void api_logout(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	if (svc_logout(r->st, r->token, &err) != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 204);
}

void api_me(struct http_req *r, struct http_resp *w)
{
	resp_json(w, 200);
	buf_adds(&w->body, "{\"username\":");
	buf_json_str(&w->body, r->actor.username);
	buf_adds(&w->body, ",\"role\":");
	buf_json_str(&w->body, role_key(r->actor.role));
	buf_addf(&w->body, ",\"grid_id\":%lld,\"community\":", (long long)r->actor.grid_id);
	buf_json_str(&w->body, r->actor.area ? "" : r->actor.community);
	buf_adds(&w->body, ",\"scope\":");   /* a community, street office or district */
	buf_json_str(&w->body, r->actor.scope);
	buf_adds(&w->body, ",\"scope_level\":");
	buf_json_str(&w->body, r->actor.area ? (strlen(r->actor.scope) == 6 ? "district" : "street") : "community");
	buf_addc(&w->body, '}');
}

static int list_item(const struct record *rec, void *ud)
{
	struct list_env *lo = ud;
	list_sep(lo);
	record_out(lo->b, rec, false);
	return JW_OK;
}

/* The list parameters common to pages and API, as the route declared and
 * the router checked them (http/routes.c q_list). */
void list_req_from_query(struct http_req *r, struct list_req *lr)
{
	list_req_init(lr);
	struct pager pg;
	pager_from(&pg, r, 20);
	lr->page = pg.page;
	lr->per_page = pg.per_page;
	lr->grid_id = req_int(r, "grid_id");
	lr->building_id = req_int(r, "building_id");
	lr->house_id = req_int(r, "house_id");
	lr->household_id = req_int(r, "household_id");
	lr->q = req_query(r, "q");
	lr->sort = req_query(r, "sort");
	lr->residence_type = req_query(r, "residence_type");
	lr->hukou_status = req_query(r, "hukou_status");
	lr->age_band = req_query(r, "age_band");
	const char *match = req_query(r, "match");
	lr->match_any = match && strcmp(match, "any") == 0;
	lr->include_deregistered = req_bool(r, "include_deregistered");
}

void api_list(struct http_req *r, struct http_resp *w)
{
	struct list_req lr;
	struct jw_error err;
	int64_t total = 0;
	list_req_from_query(r, &lr);
	struct list_env le;
	resp_json(w, 200);
	list_begin(&le, &w->body);
	int rc = svc_list(r->st, &r->actor, req_entity(r), &lr, list_item, &le, &total, &err);
	if (rc != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	list_end(&le, total, lr.page, lr.per_page);
}

static void write_record(struct http_req *r, struct http_resp *w, const struct record *rec)
{
	record_out(&w->body, rec, false);
	if (rec->ent->id == ENT_HOUSEHOLD) {
		struct list_req lr;
		struct jw_error err;
		int64_t total;
		list_req_init(&lr);
		lr.household_id = rec->id;
		lr.per_page = 100;
		lr.sort = "relation";
		struct buf items = BUF_INIT;
		struct list_env lo = { &items, 0 };
		if (svc_list(r->st, &r->actor, &entities[ENT_PERSON], &lr, list_item, &lo, &total, &err) == JW_OK) {
			w->body.len--;
			buf_adds(&w->body, ",\"members\":[");
			buf_add(&w->body, items.data ? items.data : "", items.len);
			buf_adds(&w->body, "]}");
		}
		buf_release(&items);
	}
}

void api_get(struct http_req *r, struct http_resp *w)
{
	struct record rec;
	struct jw_error err;
	int rc = svc_get(r->st, &r->actor, req_entity(r), r->id, &rec, &err);
	if (rc != JW_OK) {
		record_release(&rec);
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	write_record(r, w, &rec);
	record_release(&rec);
}

void api_create(struct http_req *r, struct http_resp *w)
{
	struct record rec;
	struct verr ve;
	struct jw_error err;
	int64_t id = 0;
	json_t *j = r->json;
	verr_init(&ve);
	record_init(&rec, req_entity(r));
	int rc = record_from_json(j, &rec, &err);
	if (rc == JW_OK)
		rc = svc_create(r->st, &r->actor, &rec, &ve, &id, &err);
	int created = 0;
	if (rc == JW_OK && rec.ent->id == ENT_BUILDING && json_is_true(json_object_get(j, "generate_houses")))
		rc = svc_building_generate_houses(r->st, &r->actor, id, &created, &err);
	record_release(&rec);
	if (rc != JW_OK) {
		resp_json_error(w, &err, &ve);
		return;
	}
	resp_json(w, 201);
	buf_addf(&w->body, "{\"id\":%lld", (long long)id);
	if (created)
		buf_addf(&w->body, ",\"houses_created\":%d", created);
	buf_addc(&w->body, '}');
}

void api_patch(struct http_req *r, struct http_resp *w)
{
	struct record rec;
	struct verr ve;
	struct jw_error err;
	json_t *j = r->json;
	verr_init(&ve);
	record_init(&rec, req_entity(r));
	int rc = record_from_json(j, &rec, &err);
	if (rc == JW_OK)
		rc = svc_update(r->st, &r->actor, r->id, &rec, &ve, &err);
	record_release(&rec);
	if (rc != JW_OK) {
		resp_json_error(w, &err, &ve);
		return;
	}
	api_get(r, w);
}

void api_person_deregister(struct http_req *r, struct http_resp *w)
{
	struct verr ve;
	struct jw_error err;
	json_t *j = r->json;
	verr_init(&ve);
	json_t *reason = json_object_get(j, "reason"), *date = json_object_get(j, "date"),
	       *note = json_object_get(j, "note");
	int rc = svc_person_deregister(r->st, &r->actor, r->id,
				       json_is_string(reason) ? json_string_value(reason) : NULL,
				       json_is_string(date) ? json_string_value(date) : NULL,
				       json_is_string(note) ? json_string_value(note) : NULL, &ve, &err);
	if (rc != JW_OK) {
		resp_json_error(w, &err, &ve);
		return;
	}
	api_get(r, w);
}

void api_person_reveal(struct http_req *r, struct http_resp *w)
{
	struct record rec = { 0 };
	struct jw_error err;
	/* the reason: {"reason":"business"} or {"reason":"other","reason_text":"…"};
	 * an empty body is a reveal without one (refused by svc) */
	json_t *j = r->json;   /* BODY_JSON_OPT: {} when empty */
	json_t *jr = json_object_get(j, "reason"), *jt = json_object_get(j, "reason_text");
	int rc = svc_person_reveal(r->st, &r->actor, r->id, json_is_string(jr) ? json_string_value(jr) : NULL,
				   json_is_string(jt) ? json_string_value(jt) : NULL, &rec, &err);
	if (rc != JW_OK) {
		record_release(&rec);
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	buf_addf(&w->body, "{\"id\":%lld,\"id_number\":", (long long)rec.id);
	buf_json_str(&w->body, record_get(&rec, PF_ID_NUMBER));
	buf_adds(&w->body, ",\"phone\":");
	buf_json_str(&w->body, record_get(&rec, PF_PHONE));
	buf_addc(&w->body, '}');
	record_release(&rec);
}

struct plan_out {
	struct buf *b;
	int n;
	int max_floor;
};

static int plan_item(const struct plan_cell *c, void *ud)
{
	struct plan_out *po = ud;
	struct buf *b = po->b;
	if (po->n++)
		buf_addc(b, ',');
	if (c->floor > po->max_floor)
		po->max_floor = c->floor;
	buf_addf(b, "{\"house_id\":%lld,\"unit\":%d,\"floor\":%d,\"room\":", (long long)c->house_id,
		 c->unit, c->floor);
	buf_json_str(b, c->room);
	buf_adds(b, ",\"use\":");
	buf_json_str(b, c->use);
	if (c->household_id) {
		buf_addf(b, ",\"household_id\":%lld,\"household_no\":", (long long)c->household_id);
		buf_json_str(b, c->household_no);
		buf_adds(b, ",\"head_name\":");
		buf_json_str(b, c->head_name);
	} else {
		buf_adds(b, ",\"household_id\":null,\"household_no\":null,\"head_name\":null");
	}
	buf_addf(b, ",\"persons\":%d,\"migrants\":%d,\"marks\":[", c->persons, c->migrants);
	for (int m = 0, k = 0; m < PM__COUNT; m++)
		if (c->marks & (1u << m)) {
			buf_adds(b, k++ ? "," : "");
			buf_json_str(b, plan_marks[m].key);
		}
	buf_adds(b, "]}");
	return JW_OK;
}

void api_building_plan(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	struct buf rooms = BUF_INIT;
	struct plan_out po = { &rooms, 0, 0 };
	struct plan_summary sum;
	int rc = svc_building_plan(r->st, &r->actor, r->id, plan_item, &po, &sum, &err);
	if (rc != JW_OK) {
		buf_release(&rooms);
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	buf_addf(&w->body, "{\"building_id\":%lld,\"floors\":%d,\"rooms\":[", (long long)r->id, po.max_floor);
	buf_add(&w->body, rooms.data ? rooms.data : "", rooms.len);
	/* the legend: only the marks this user may see */
	buf_addf(&w->body, "],\"counts\":{\"rooms\":%d,\"households\":%d,\"persons\":%d},\"legend\":[",
		 sum.rooms, sum.households, sum.persons);
	for (int m = 0, k = 0; m < PM__COUNT; m++) {
		if (!(sum.visible & (1u << m)))
			continue;
		buf_adds(&w->body, k++ ? ",{\"key\":" : "{\"key\":");
		buf_json_str(&w->body, plan_marks[m].key);
		buf_adds(&w->body, ",\"label\":");
		buf_json_str(&w->body, plan_marks[m].label);
		buf_addf(&w->body, ",\"rooms\":%d}", sum.count[m]);
	}
	buf_adds(&w->body, "]}");
	buf_release(&rooms);
}

static int audit_item(const struct audit_row *a, void *ud)
{
	struct list_env *lo = ud;
	struct buf *b = lo->b;
	list_sep(lo);
	buf_addf(b, "{\"id\":%lld,\"at\":%lld,\"username\":", (long long)a->id, (long long)a->at);
	buf_json_str(b, a->username);
	buf_adds(b, ",\"action\":");
	buf_json_str(b, a->action);
	buf_adds(b, ",\"entity\":");
	buf_json_str(b, a->entity);
	buf_addf(b, ",\"entity_id\":%lld,\"old\":", (long long)a->entity_id);
	/* stored JSON written by svc_audit, sensitive values masked */
	svc_audit_json_masked(b, a->entity, a->old_json);
	buf_adds(b, ",\"new\":");
	svc_audit_json_masked(b, a->entity, a->new_json);
	buf_adds(b, ",\"ip\":");
	buf_json_str(b, a->ip);
	buf_addc(b, '}');
	return JW_OK;
}

void api_audit(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	int64_t total = 0;
	struct pager pg;
	pager_from(&pg, r, 50);
	struct list_env le;
	resp_json(w, 200);
	list_begin(&le, &w->body);
	int rc = svc_audit_list(r->st, &r->actor, req_query(r, "entity"), req_int(r, "entity_id"),
				req_query(r, "action"), pg.page, pg.per_page, audit_item, &le, &total, &err);
	if (rc != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	list_end(&le, total, pg.page, pg.per_page);
}

void api_codes(struct http_req *r, struct http_resp *w)
{
	(void)r;
	resp_json(w, 200);
	buf_addc(&w->body, '{');
	for (int t = 0; t < CT__COUNT; t++) {
		const struct code_table *ct = &code_tables[t];
		if (t)
			buf_addc(&w->body, ',');
		buf_json_str(&w->body, ct->key);
		buf_adds(&w->body, ":[");
		for (size_t i = 0; i < ct->n; i++) {
			if (i)
				buf_addc(&w->body, ',');
			buf_adds(&w->body, "{\"code\":");
			buf_json_str(&w->body, ct->entries[i].code);
			buf_adds(&w->body, ",\"label\":");
			buf_json_str(&w->body, ct->entries[i].label);
			buf_addc(&w->body, '}');
		}
		buf_addc(&w->body, ']');
	}
	buf_addc(&w->body, '}');
}

void stats_row_json(struct buf *b, const struct stats_row *s)
{
	buf_addf(b,
		 "{\"persons\":%lld,\"registered\":%lld,\"migrant\":%lld,\"foreign\":%lld,"
		 "\"households\":%lld,\"houses\":%lld,\"buildings\":%lld,\"grids\":%lld,"
		 "\"over60\":%lld,\"over80\":%lld,\"deregistered\":%lld,"
		 "\"living_and_registered\":%lld,\"living_only\":%lld,\"registered_only\":%lld}",
		 (long long)s->persons, (long long)s->registered, (long long)s->migrant,
		 (long long)s->foreign, (long long)s->households, (long long)s->houses,
		 (long long)s->buildings, (long long)s->grids, (long long)s->over60,
		 (long long)s->over80, (long long)s->deregistered, (long long)s->living_and_registered,
		 (long long)s->living_only, (long long)s->registered_only);
}

void api_stats(struct http_req *r, struct http_resp *w)
{
	struct stats_row s;
	struct jw_error err;
	if (svc_stats(r->st, &r->actor, &s, &err) != JW_OK) {
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	stats_row_json(&w->body, &s);
}

/*
 * registry.c — the registry's operations: create, change, read and list
 * grids, buildings, houses, households and persons; de-register and
 * reveal persons; dashboard counts; audit.  The building plan (楼盘表)
 * is svc/plan.c.
 *
 * Each write: permission → normalise and validate by declaration → the
 * entity's own rules (ID numbers, references, grid scope) → store, in one
 * transaction with its audit record.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/mask.h"
#include "model/idnum.h"
#include "model/pinyin.h"
#include "model/textnorm.h"
#include "svc/hooks.h"
#include "svc/svc.h"

/* ---- permissions ---- */

bool svc_can(const struct actor *a, const struct kind *e, enum perm p)
{
	/* a street office or district reads the figures of its own
	 * communities: nothing restricted, no write, no reveal */
	if (a->area)
		return p == P_READ && a->role != ROLE_NONE && strncmp(a->community, a->scope, strlen(a->scope)) == 0 &&
		       !(e && e->restricted);
	switch (p) {
	case P_READ:
		return a->role != ROLE_NONE;
	case P_WRITE:
		if (a->role == ROLE_ADMIN || a->role == ROLE_DIRECTOR || a->role == ROLE_WORKER)
			return true;
		return a->role == ROLE_GRID_WORKER && e &&
		       (e->id == ENT_PERSON || e->id == ENT_HOUSEHOLD || e->id == ENT_HOUSE);
	case P_REVEAL:
		return a->role == ROLE_ADMIN || a->role == ROLE_DIRECTOR || a->role == ROLE_WORKER;
	case P_AUDIT:
		return a->role == ROLE_ADMIN || a->role == ROLE_DIRECTOR;
	case P_USERS:
		return a->role == ROLE_ADMIN;
	}
	return false;
}

/* The grid a record belongs to (0 = none). */
static int64_t record_grid(const struct record *r)
{
	int64_t g = 0;
	if (r->ent->id == ENT_GRID)
		return r->id;
	int i = entity_field_index(r->ent, "grid_id");
	if (i >= 0)
		record_int(r, i, &g);
	return g;
}

/* A reference field's id (0 = none). */
static int64_t ref_of(const struct record *r, int i)
{
	int64_t v = 0;
	record_int(r, i, &v);
	return v;
}

static int check_scope(const struct actor *a, const struct record *r, struct jw_error *err)
{
	if (a->role != ROLE_GRID_WORKER)
		return JW_OK;
	if (record_grid(r) != a->grid_id || a->grid_id == 0)
		return jw_fail(err, JW_EPERM, "grid_id", "该%s不在您负责的网格内，网格员只能查看和登记本网格的信息",
			       r->ent->label);
	return JW_OK;
}

/* ---- audit ---- */

/* {"field":value,…} of the non-empty fields of r (a created or dropped record). */
static void record_json_nonempty(struct buf *b, const struct record *r)
{
	bool first = true;
	buf_addc(b, '{');
	for (int i = 0; i < r->ent->nfields; i++) {
		const char *name = r->ent->fields[i].name;
		if (!r->v[i] || strcmp(name, "updated_at") == 0 || strcmp(name, "created_at") == 0)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = false;
		buf_json_str(b, name);
		buf_addc(b, ':');
		buf_json_str(b, r->v[i]);
	}
	buf_addc(b, '}');
}

/* Writes old/new JSON of the changed fields: old gets from's values, new gets to's. */
static void change_json(struct buf *oldb, struct buf *newb, const struct record *from,
			const struct record *to)
{
	const struct record *r = to ? to : from;
	bool first = true;
	buf_addc(oldb, '{');
	buf_addc(newb, '{');
	for (int i = 0; i < r->ent->nfields; i++) {
		const char *fv = from ? from->v[i] : NULL;
		const char *tv = to ? to->v[i] : NULL;
		const char *name = r->ent->fields[i].name;
		if (strcmp(name, "updated_at") == 0 || strcmp(name, "created_at") == 0)
			continue;
		if ((!fv && !tv) || (fv && tv && strcmp(fv, tv) == 0))
			continue;
		if (!first) {
			buf_addc(oldb, ',');
			buf_addc(newb, ',');
		}
		first = false;
		buf_json_str(oldb, name);
		buf_addc(oldb, ':');
		buf_json_str(oldb, fv);
		buf_json_str(newb, name);
		buf_addc(newb, ':');
		buf_json_str(newb, tv);
	}
	buf_addc(oldb, '}');
	buf_addc(newb, '}');
}

int svc_audit(struct store *st, const struct actor *a, const char *action, const char *entity,
	      int64_t entity_id, const struct record *old, const struct record *new_,
	      struct jw_error *err)
{
	struct buf ob = BUF_INIT, nb = BUF_INIT;
	if (old && new_) {
		change_json(&ob, &nb, old, new_);
	} else {
		if (old)
			record_json_nonempty(&ob, old);
		if (new_)
			record_json_nonempty(&nb, new_);
	}
	struct audit_row ar = {
		.username = a->username,
		.action = action,
		.entity = entity,
		.entity_id = entity_id,
		.old_json = ob.len ? buf_cstr(&ob) : NULL,
		.new_json = nb.len ? buf_cstr(&nb) : NULL,
		.ip = a->ip,
	};
	int rc = svc_audit_put(st, a->community, &ar, err);
	buf_release(&ob);
	buf_release(&nb);
	return rc;
}

int svc_audit_raw(struct store *st, const struct actor *a, const char *action, const char *entity,
		  int64_t entity_id, const char *old_json, const char *new_json, struct jw_error *err)
{
	struct audit_row ar = {
		.username = a->username, .action = action, .entity = entity, .entity_id = entity_id,
		.old_json = old_json, .new_json = new_json, .ip = a->ip,
	};
	return svc_audit_put(st, a->community, &ar, err);
}

int svc_audit_put(struct store *st, const char *community, const struct audit_row *ar, struct jw_error *err)
{
	struct record r;
	record_init(&r, &audit_kind);
	record_setf(&r, AF_AT, "%lld", (long long)(ar->at ? ar->at : now_s()));
	record_set(&r, AF_USERNAME, ar->username);
	record_set(&r, AF_ACTION, ar->action);
	record_set(&r, AF_ENTITY, ar->entity);
	if (ar->entity_id)
		record_setf(&r, AF_ENTITY_ID, "%lld", (long long)ar->entity_id);
	record_set(&r, AF_OLD_JSON, ar->old_json);
	record_set(&r, AF_NEW_JSON, ar->new_json);
	record_set(&r, AF_IP, ar->ip);
	int rc = STORE_CALL(st, record_insert, community, &r, err);
	record_release(&r);
	return rc;
}

struct audit_walk_ctx { audit_cb cb; void *ud; };

static int audit_of_record(const struct record *r, void *ud)
{
	struct audit_walk_ctx *c = ud;
	const char *at = record_get(r, AF_AT), *eid = record_get(r, AF_ENTITY_ID);
	struct audit_row a = {
		.id = r->id, .at = at ? strtoll(at, NULL, 10) : 0, .username = record_get(r, AF_USERNAME),
		.action = record_get(r, AF_ACTION), .entity = record_get(r, AF_ENTITY),
		.entity_id = eid ? strtoll(eid, NULL, 10) : 0, .old_json = record_get(r, AF_OLD_JSON),
		.new_json = record_get(r, AF_NEW_JSON), .ip = record_get(r, AF_IP),
	};
	return c->cb(&a, c->ud);
}

int svc_audit_rows(struct store *st, const char *community, const char *entity, int64_t entity_id,
		   const char *action, int64_t limit, int64_t offset, audit_cb cb, void *ud, int64_t *total,
		   struct jw_error *err)
{
	struct query q;
	char eid[24];
	query_init(&q);
	q.limit = limit < 0 ? INT64_MAX : limit;
	q.offset = offset;
	q.want_total = total != NULL;
	q.sort = "-id";
	if (!str_empty(entity))
		query_filter(&q, "entity", FOP_EQ, entity);
	if (entity_id > 0) {
		snprintf(eid, sizeof(eid), "%lld", (long long)entity_id);
		query_filter(&q, "entity_id", FOP_EQ, eid);
	}
	if (!str_empty(action))
		query_filter(&q, "action", FOP_EQ, action);
	struct audit_walk_ctx c = { cb, ud };
	return STORE_CALL(st, record_list, community, &audit_kind, &q, audit_of_record, &c, total, err);
}

void svc_audit_json_masked(struct buf *b, const char *entity, const char *json)
{
	const struct kind *e = entity ? entity_by_key(entity) : NULL;
	json_t *j = json ? json_loads(json, 0, NULL) : NULL;
	if (!j) {
		buf_adds(b, "null");
		return;
	}
	if (e && json_is_object(j)) {
		const char *key;
		json_t *v;
		json_object_foreach(j, key, v) {
			const struct field_def *f = entity_field(e, key);
			if (!f || f->sens == SENS_NONE || !json_is_string(v))
				continue;
			char m[64];
			json_object_set_new(j, key, json_string(field_display(f, json_string_value(v), false, m, sizeof(m))));
		}
	}
	char *out = json_dumps(j, JSON_COMPACT);
	buf_adds(b, out ? out : "null");
	free(out);
	json_decref(j);
}

/* ---- helpers ---- */

int person_age(const struct record *p)
{
	int y, m, d, ty, tm, td;
	if (!date_parse(record_get(p, PF_BIRTH_DATE), &y, &m, &d))
		return -1;
	date_today(&ty, &tm, &td);
	return age_on(y, m, d, ty, tm, td);
}

/* The date `years` years before today, "YYYY-MM-DD" (29 Feb → 28 Feb). */
static void years_ago(int years, char out[11])
{
	int y, m, d;
	date_today(&y, &m, &d);
	y -= years;
	if (m == 2 && d == 29 && !date_valid(y, 2, 29))
		d = 28;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* Loads entity e's row id into out (initialised here; caller releases). */
static int load(struct store *st, const struct actor *a, const struct kind *e, int64_t id,
		struct record *out, struct jw_error *err)
{
	record_init(out, e);
	return STORE_CALL(st, record_get, a->community, e, id, out, err);
}

/* Checks that field i of r refers to an existing row the actor may see;
 * loads it into ref when non-NULL (caller releases). */
static int check_ref(struct store *st, const struct actor *a, const struct record *r, int i,
		     struct record *ref, struct verr *ve)
{
	const struct field_def *f = &r->ent->fields[i];
	int64_t id;
	struct record tmp;
	struct jw_error e2;
	if (!record_int(r, i, &id))
		return JW_OK;
	const struct kind *re = entity_by_key(f->ref);
	record_init(&tmp, re);
	int rc = STORE_CALL(st, record_get, a->community, re, id, &tmp, &e2);
	if (rc == JW_ENOTFOUND) {
		verr_add(ve, f->name, "%s：编号为%lld的%s不存在，请重新选择", f->label, (long long)id, re->label);
		record_release(&tmp);
		return JW_OK;
	}
	if (rc != JW_OK) {
		record_release(&tmp);
		return rc;
	}
	if (a->role == ROLE_GRID_WORKER && re->id != ENT_GRID && record_grid(&tmp) != a->grid_id) {
		/* a permission matter, not a typing error: the caller answers 403 */
		verr_add(ve, f->name, "%s：所选%s不在您负责的网格内，网格员只能登记本网格的信息", f->label, re->label);
		record_release(&tmp);
		return JW_EPERM;
	}
	if (ref)
		*ref = tmp;
	else
		record_release(&tmp);
	return JW_OK;
}

static bool phone_ok(const char *p)
{
	size_t n = strlen(p);
	if (strspn(p, "0123456789") != n)
		return false;
	if (n == 11 && p[0] == '1')
		return p[1] >= '3' && p[1] <= '9';
	return n >= 7 && n <= 12;   /* landline, with or without area code */
}

static void check_phone(struct record *r, int i, struct verr *ve)
{
	const char *v = record_get(r, i);
	char norm[32];
	if (!r->given[i] || !v)
		return;
	if (phone_normalize(v, norm, sizeof(norm)) == (size_t)-1 || !phone_ok(norm)) {
		verr_add(ve, r->ent->fields[i].name,
			 "联系电话“%s”格式不对：手机号为11位数字（如13812345678），固定电话为区号加号码（如01065990001）", v);
		return;
	}
	record_set(r, i, norm);
}

/* ---- entity rules ---- */

/* Sets field i of both the merged record and the input. */
static void set_both(struct record *m, struct record *in, int i, const char *v)
{
	record_set(m, i, v);
	record_set(in, i, v);
}

/* 人户状态 and 去向.  A migrant lives here with the hukou elsewhere: 人在户不在
 * (set when not given, refused when another state is typed).  去向 (where
 * someone whose hukou is here now lives) belongs to 户在人不在 only: typed
 * for another state it is refused; left from an earlier state it goes with
 * that state (the audit record keeps the old value). */
static void hukou_rules(struct record *m, struct record *in, struct verr *ve)
{
	if (verr_for(ve, "hukou_status") || verr_for(ve, "residence_type"))
		return;
	const char *rt = record_get(m, PF_RESIDENCE_TYPE);
	const char *hs = record_get(m, PF_HUKOU_STATUS);
	if (rt && strcmp(rt, "migrant") == 0 && (!hs || strcmp(hs, "living_only") != 0)) {
		if (hs && in->given[PF_HUKOU_STATUS]) {
			verr_add(ve, "hukou_status", "流动人口的户口不在本社区，人户状态应为“人在户不在”；"
				 "如户口已迁入本社区，请把人口类型改为“户籍人口”");
			return;
		}
		set_both(m, in, PF_HUKOU_STATUS, "living_only");
		hs = "living_only";
	}
	const char *wa = record_get(m, PF_WHEREABOUTS);
	if (wa && (!hs || strcmp(hs, "registered_only") != 0)) {
		if (in->given[PF_WHEREABOUTS] && record_get(in, PF_WHEREABOUTS))
			verr_add(ve, "whereabouts", "去向只填写“户在人不在”（户口在本社区、人在外地居住）的居民；"
				 "请先把人户状态改为“户在人不在”，或清空去向");
		else
			set_both(m, in, PF_WHEREABOUTS, NULL);
	}
}

/* Person: document number, derived sex and birth date, nationality,
 * household.  m is the merged record (old values overlaid with input). */
static int person_rules(struct store *st, const struct actor *a, struct record *m,
			struct record *in, struct verr *ve)
{
	char num[32];
	struct idnum_info info;
	bool derived = false;
	struct jw_error e2;
	const char *doc = record_get(m, PF_DOC_TYPE);

	/* a Chinese name has no spaces: "张 三 " is 张三 (model/textnorm.h) */
	if (in->given[PF_NAME] && record_get(in, PF_NAME)) {
		char nm[256];
		if (name_normalize(record_get(in, PF_NAME), nm, sizeof(nm)) != (size_t)-1 &&
		    strcmp(nm, record_get(in, PF_NAME)) != 0) {
			record_set(in, PF_NAME, nm[0] ? nm : NULL);
			record_set(m, PF_NAME, nm[0] ? nm : NULL);
		}
	}
	if (!doc) {
		/* no 证件类型: the number may name it (81/82/83…, 9…) */
		const char *num0 = record_get(m, PF_ID_NUMBER);
		const char *guess = num0 ? idnum_doc_type_of(num0) : NULL;
		doc = guess ? guess : "id_card";
		record_set(m, PF_DOC_TYPE, doc);
		record_set(in, PF_DOC_TYPE, doc);
		doc = record_get(m, PF_DOC_TYPE);
	} else if (strcmp(doc, "id_card") == 0 && in->given[PF_ID_NUMBER] && record_get(m, PF_ID_NUMBER)) {
		/* 居民身份证 (the forms' default) with a number that can only be
		 * another document's: no 居民身份证 starts with 8 or 9 */
		const char *guess = idnum_doc_type_of(record_get(m, PF_ID_NUMBER));
		if (guess) {
			record_set(m, PF_DOC_TYPE, guess);
			record_set(in, PF_DOC_TYPE, guess);
			doc = record_get(m, PF_DOC_TYPE);
		}
	}
	if (record_get(m, PF_ID_NUMBER) && !verr_for(ve, "id_number") && !verr_for(ve, "doc_type")) {
		if (doc_check(doc, record_get(m, PF_ID_NUMBER), "id_number", num, sizeof(num), &info,
			      &derived, &e2) != JW_OK) {
			verr_add(ve, e2.field[0] ? e2.field : "id_number", "%s", e2.message);
		} else {
			if (strcmp(num, record_get(m, PF_ID_NUMBER)) != 0) {
				record_set(m, PF_ID_NUMBER, num);
				record_set(in, PF_ID_NUMBER, num);
			}
			if (derived) {
				char sex[2] = { (char)('0' + info.sex), 0 }, bd[11];
				snprintf(bd, sizeof(bd), "%04d-%02d-%02d", info.year, info.month, info.day);
				const char *ts = in->given[PF_SEX] ? record_get(in, PF_SEX) : NULL;
				const char *tb = in->given[PF_BIRTH_DATE] ? record_get(in, PF_BIRTH_DATE) : NULL;
				if (ts && strcmp(ts, sex) != 0 && !verr_for(ve, "sex"))
					verr_add(ve, "sex", "性别与证件号码不符：号码第17位表明为%s，请核对性别或号码",
						 info.sex == 1 ? "男" : "女");
				if (tb && strcmp(tb, bd) != 0 && !verr_for(ve, "birth_date"))
					verr_add(ve, "birth_date", "出生日期与证件号码不符：号码中的出生日期为%s，请核对", bd);
				if (!record_get(m, PF_SEX) || strcmp(record_get(m, PF_SEX), sex) != 0) {
					record_set(m, PF_SEX, sex);
					record_set(in, PF_SEX, sex);
				}
				if (!record_get(m, PF_BIRTH_DATE) || strcmp(record_get(m, PF_BIRTH_DATE), bd) != 0) {
					record_set(m, PF_BIRTH_DATE, bd);
					record_set(in, PF_BIRTH_DATE, bd);
				}
			}
		}
	}
	if (!derived && !verr_for(ve, "id_number")) {
		if (!record_get(m, PF_SEX))
			verr_add(ve, "sex", "该证件类型不含性别信息，请选择性别");
		if (!record_get(m, PF_BIRTH_DATE))
			verr_add(ve, "birth_date", "该证件类型不含出生日期，请填写出生日期（如 1980-05-01）");
	}
	const char *bd = record_get(m, PF_BIRTH_DATE);
	int y, mo, d, ty, tm, td;
	date_today(&ty, &tm, &td);
	if (bd && date_parse(bd, &y, &mo, &d) && !verr_for(ve, "birth_date") &&
	    (y * 10000 + mo * 100 + d) > (ty * 10000 + tm * 100 + td))
		verr_add(ve, "birth_date", "出生日期%s晚于今天，请核对", bd);

	const char *rt = record_get(m, PF_RESIDENCE_TYPE);
	bool foreign_doc = strcmp(doc, "passport") == 0 || strcmp(doc, "foreign_permanent") == 0;
	if (!record_get(m, PF_NATIONALITY)) {
		if (foreign_doc || (rt && strcmp(rt, "foreign") == 0))
			verr_add(ve, "nationality", "境外人员须填写国籍（地区），如 韩国、德国");
		else if (strcmp(doc, "id_card") == 0) {
			record_set(m, PF_NATIONALITY, "中国");
			record_set(in, PF_NATIONALITY, "中国");
		}
	}
	hukou_rules(m, in, ve);
	check_phone(in, PF_PHONE, ve);
	if (in->given[PF_PHONE])
		record_set(m, PF_PHONE, record_get(in, PF_PHONE));

	/* household: location follows it */
	if (in->given[PF_HOUSEHOLD_ID]) {
		struct record hh = { 0 };
		int rc = check_ref(st, a, m, PF_HOUSEHOLD_ID, &hh, ve);
		if (rc != JW_OK)
			return rc;
		const int from[] = { HF_HOUSE_ID, HF_BUILDING_ID, HF_GRID_ID };
		const int to[] = { PF_HOUSE_ID, PF_BUILDING_ID, PF_GRID_ID };
		for (int i = 0; i < 3; i++) {
			const char *v = hh.v ? record_get(&hh, from[i]) : NULL;
			record_set(m, to[i], v);
			record_set(in, to[i], v);
		}
		if (hh.v)
			record_release(&hh);
		/* the current address defaults to the household's dwelling */
		int64_t hid;
		if (!record_get(m, PF_CURRENT_ADDRESS) && record_int(m, PF_HOUSE_ID, &hid)) {
			struct record house;
			struct jw_error e3;
			if (load(st, a, &entities[ENT_HOUSE], hid, &house, &e3) == JW_OK &&
			    record_get(&house, HOF_ADDRESS)) {
				record_set(m, PF_CURRENT_ADDRESS, record_get(&house, HOF_ADDRESS));
				record_set(in, PF_CURRENT_ADDRESS, record_get(&house, HOF_ADDRESS));
			}
			record_release(&house);
		}
		if (!record_get(m, PF_HOUSEHOLD_ID)) {
			record_set(m, PF_RELATION, NULL);
			record_set(in, PF_RELATION, NULL);
		}
	}
	if (record_get(m, PF_RELATION) && !record_get(m, PF_HOUSEHOLD_ID) && !verr_for(ve, "household_id"))
		verr_add(ve, "relation", "填写了与户主关系，但未指定所在户");
	if (a->role == ROLE_GRID_WORKER && !record_get(m, PF_HOUSEHOLD_ID) && !verr_for(ve, "household_id"))
		verr_add(ve, "household_id", "网格员登记居民须指定本网格内的户");
	return JW_OK;
}

static int household_rules(struct store *st, const struct actor *a, struct record *m,
			   struct record *in, struct verr *ve)
{
	check_phone(in, HF_PHONE, ve);
	if (in->given[HF_PHONE])
		record_set(m, HF_PHONE, record_get(in, HF_PHONE));
	if (in->given[HF_HOUSE_ID]) {
		struct record h = { 0 };
		int rc = check_ref(st, a, m, HF_HOUSE_ID, &h, ve);
		if (rc != JW_OK)
			return rc;
		const char *b = h.v ? record_get(&h, HOF_BUILDING_ID) : NULL;
		const char *g = h.v ? record_get(&h, HOF_GRID_ID) : NULL;
		record_set(m, HF_BUILDING_ID, b);
		record_set(in, HF_BUILDING_ID, b);
		record_set(m, HF_GRID_ID, g);
		record_set(in, HF_GRID_ID, g);
		if (h.v)
			record_release(&h);
	}
	if (a->role == ROLE_GRID_WORKER && !record_get(m, HF_HOUSE_ID) && !verr_for(ve, "house_id"))
		verr_add(ve, "house_id", "网格员登记户须指定本网格内的房屋");
	return JW_OK;
}

static int house_rules(struct store *st, const struct actor *a, struct record *m,
		       struct record *in, struct verr *ve)
{
	struct record b = { 0 };
	int rc = check_ref(st, a, m, HOF_BUILDING_ID, &b, ve);
	if (rc != JW_OK)
		return rc;
	if (!b.v)
		return JW_OK;
	if (in->given[HOF_BUILDING_ID]) {
		record_set(m, HOF_GRID_ID, record_get(&b, BF_GRID_ID));
		record_set(in, HOF_GRID_ID, record_get(&b, BF_GRID_ID));
	}
	int64_t room;
	if (!record_get(m, HOF_FLOOR) && record_get(m, HOF_ROOM) &&
	    parse_i64(record_get(m, HOF_ROOM), 101, 99999, &room)) {
		record_setf(m, HOF_FLOOR, "%lld", (long long)(room / 100));
		record_setf(in, HOF_FLOOR, "%lld", (long long)(room / 100));
	}
	if (!record_get(m, HOF_ADDRESS) && record_get(&b, BF_ADDRESS) && record_get(m, HOF_ROOM)) {
		char addr[400];
		if (record_get(m, HOF_UNIT))
			snprintf(addr, sizeof(addr), "%s%s单元%s室", record_get(&b, BF_ADDRESS),
				 record_get(m, HOF_UNIT), record_get(m, HOF_ROOM));
		else
			snprintf(addr, sizeof(addr), "%s%s室", record_get(&b, BF_ADDRESS), record_get(m, HOF_ROOM));
		record_set(m, HOF_ADDRESS, addr);
		record_set(in, HOF_ADDRESS, addr);
	}
	record_release(&b);
	return JW_OK;
}

static int building_rules(struct store *st, const struct actor *a, struct record *m,
			  struct record *in, struct verr *ve)
{
	int64_t n;
	if (record_int(m, BF_FLOORS, &n) && (n < 1 || n > 200))
		verr_add(ve, "floors", "地上层数应在1到200之间");
	if (record_int(m, BF_UNITS, &n) && (n < 1 || n > 50))
		verr_add(ve, "units", "单元数应在1到50之间");
	if (record_int(m, BF_ROOMS_PER_FLOOR, &n) && (n < 1 || n > 99))
		verr_add(ve, "rooms_per_floor", "每层户数应在1到99之间");
	return check_ref(st, a, m, BF_GRID_ID, NULL, ve);
}

static int entity_rules(struct store *st, const struct actor *a, struct record *m,
			struct record *in, struct verr *ve)
{
	switch (m->ent->id) {
	case ENT_PERSON: return person_rules(st, a, m, in, ve);
	case ENT_HOUSEHOLD: return household_rules(st, a, m, in, ve);
	case ENT_HOUSE: return house_rules(st, a, m, in, ve);
	case ENT_BUILDING: return building_rules(st, a, m, in, ve);
	default: return JW_OK;
	}
}

/* ---- person search index ---- */

struct grams {
	char g[64][16];
	const char *p[64];
	int n;
};

static void add_gram(const char *gram, void *ud)
{
	struct grams *gs = ud;
	if (gs->n < 64 && strlen(gram) < sizeof(gs->g[0])) {
		snprintf(gs->g[gs->n], sizeof(gs->g[0]), "%s", gram);
		gs->p[gs->n] = gs->g[gs->n];
		gs->n++;
	}
}

/* A name's Latin search keys (model/pinyin.h pinyin_keys). */
struct pykeys {
	char k[48][128];
	const char *p[48];
	int n;
};

static void add_pykey(const char *key, void *ud)
{
	struct pykeys *ks = ud;
	if (ks->n < 48) {
		snprintf(ks->k[ks->n], sizeof(ks->k[0]), "%s", key);
		ks->p[ks->n] = ks->k[ks->n];
		ks->n++;
	}
}

/* Writes person p's search index; insert: p is new and is inserted here
 * with it (p->id is set). */
static int person_reindex(struct store *st, const char *community, struct record *p, bool replace,
			  bool insert, bool fts_later, struct jw_error *err)
{
	char full[256], ini[64];
	struct grams gs = { .n = 0 };
	struct pykeys ks = { .n = 0 };
	const char *name = record_get(p, PF_NAME);
	pinyin_of_name(name ? name : "", full, sizeof(full), ini, sizeof(ini));
	pinyin_keys(name ? name : "", add_pykey, &ks);
	name_grams(name ? name : "", add_gram, &gs);
	struct person_index ix = {
		.name_py = full, .name_ini = ini, .keys = ks.p, .nkeys = ks.n,
		.grams = gs.p, .ngrams = gs.n,
		.id_number = record_get(p, PF_ID_NUMBER), .phone = record_get(p, PF_PHONE),
		.address = record_get(p, PF_CURRENT_ADDRESS),
		.active = !record_get(p, PF_STATUS) || strcmp(record_get(p, PF_STATUS), "active") == 0,
		.skip_fts = insert && fts_later,
	};
	return STORE_CALL(st, person_index, community, p, &ix, insert ? PI_INSERT : replace ? PI_REPLACE : PI_ADD, err);
}

static int household_no_next(struct store *st, const struct actor *a, char out[24], struct jw_error *err);

/* ---- create / update / get ---- */

int svc_create(struct store *st, const struct actor *a, struct record *in, struct verr *ve,
	       int64_t *id, struct jw_error *err)
{
	const struct kind *e = in->ent;
	struct record m = { 0 };
	int rc;
	if (!svc_can(a, e, P_WRITE))
		return jw_fail(err, JW_EPERM, "", "您的角色（%s）不能登记%s", role_label(a->role), e->label);
	record_normalize_validate(in, true, ve);
	record_copy(&m, in);
	rc = entity_rules(st, a, &m, in, ve);
	if (rc == JW_EPERM)
		rc = jw_fail(err, JW_EPERM, ve->item[ve->n - 1].field, "%s", ve->item[ve->n - 1].message);
	else if (rc == JW_OK && ve->n)
		rc = verr_to_error(ve, err);
	if (rc != JW_OK)
		goto out;
	if (e->id == ENT_PERSON)
		record_set(&m, PF_STATUS, "active");
	if (e->id == ENT_HOUSEHOLD)
		record_set(&m, HF_SIZE, "0");

	/* Inside a bulk load's transaction a row needs no savepoint of its own:
	 * a refused INSERT (a duplicate) leaves nothing behind by itself, and a
	 * failure after it is a store error that ends the whole load. */
	bool own = !(a->bulk && st->txdepth > 0), wrote = false;
	if (own && (rc = store_begin(st)) != JW_OK) {
		rc = jw_fail(err, rc, "", NULL);
		goto out;
	}
	if (e->id == ENT_HOUSEHOLD && !record_get(&m, HF_HOUSEHOLD_NO)) {
		char no[24];
		if ((rc = household_no_next(st, a, no, err)) != JW_OK)
			goto rollback;
		record_set(&m, HF_HOUSEHOLD_NO, no);
	}
	if (e->id == ENT_PERSON)
		rc = person_reindex(st, a->community, &m, false, true, a->bulk && a->index_later, err);
	else
		rc = STORE_CALL(st, record_insert, a->community, &m, err);
	wrote = m.id > 0;   /* the row went in, whatever failed after it */
	if (rc != JW_OK)
		goto rollback;
	if (e->id == ENT_PERSON) {
		int64_t hh;
		if (!(a->bulk && a->index_later) && record_int(&m, PF_HOUSEHOLD_ID, &hh) &&
		    (rc = STORE_CALL(st, place_sync, PS_HOUSEHOLD_SIZE, hh, NULL, err)) != JW_OK)
			goto rollback;
	}
	/* the kinds that follow the registry (hooks.h) */
	if (e->id == ENT_PERSON || e->id == ENT_HOUSEHOLD || e->id == ENT_HOUSE) {
		struct hook_change c = { .ev = e->id == ENT_PERSON ? EV_PERSON_CREATED :
					 e->id == ENT_HOUSEHOLD ? EV_HOUSEHOLD_CREATED : EV_HOUSE_CREATED,
					 .id = m.id };
		if (e->id == ENT_PERSON) {
			c.household_id = ref_of(&m, PF_HOUSEHOLD_ID);
			c.rec = &m;
		}
		if ((rc = hooks_fire(st, a, &c, err)) != JW_OK)
			goto rollback;
	}
	if (!a->bulk && (rc = svc_audit(st, a, "create", e->key, m.id, NULL, &m, err)) != JW_OK)
		goto rollback;
	if (own && (rc = store_commit(st)) != JW_OK) {
		rc = jw_fail(err, rc, "", NULL);
		goto out;
	}
	*id = m.id;
	in->id = m.id;
	goto out;
rollback:
	if (own)
		store_rollback(st);
	else if (wrote)
		rc = jw_fail(err, JW_ESTORE, "", "批量写入在第%lld条记录中途失败，本批已全部撤销，请重试",
			     (long long)m.id);
out:
	if (m.v)
		record_release(&m);
	return rc;
}

int svc_update(struct store *st, const struct actor *a, int64_t id, struct record *in,
	       struct verr *ve, struct jw_error *err)
{
	const struct kind *e = in->ent;
	struct record old = { 0 }, m = { 0 };
	int rc;
	if (!svc_can(a, e, P_WRITE))
		return jw_fail(err, JW_EPERM, "", "您的角色（%s）不能修改%s", role_label(a->role), e->label);
	if ((rc = load(st, a, e, id, &old, err)) != JW_OK)
		goto out;
	if ((rc = check_scope(a, &old, err)) != JW_OK)
		goto out;
	if (e->id == ENT_PERSON && strcmp(record_get(&old, PF_STATUS), "active") != 0) {
		rc = jw_fail(err, JW_ECONFLICT, "status", "该居民已注销，不能再修改");
		goto out;
	}
	record_normalize_validate(in, false, ve);
	record_copy(&m, &old);
	for (int i = 0; i < e->nfields; i++)
		if (in->given[i] && !(e->fields[i].flags & FF_READONLY)) {
			free(m.v[i]);
			m.v[i] = in->v[i] ? xstrdup(in->v[i]) : NULL;
			m.given[i] = 1;
		}
	rc = entity_rules(st, a, &m, in, ve);
	if (rc == JW_EPERM)
		rc = jw_fail(err, JW_EPERM, ve->item[ve->n - 1].field, "%s", ve->item[ve->n - 1].message);
	else if (rc == JW_OK && ve->n)
		rc = verr_to_error(ve, err);
	if (rc != JW_OK)
		goto out;
	if ((rc = check_scope(a, &m, err)) != JW_OK)
		goto out;
	m.id = id;
	if ((rc = store_begin(st)) != JW_OK) {
		rc = jw_fail(err, rc, "", NULL);
		goto out;
	}
	if ((rc = STORE_CALL(st, record_update, a->community, &m, err)) != JW_OK)
		goto rollback;
	if (e->id == ENT_PERSON) {
		int64_t oh = 0, nh = 0;
		if ((rc = person_reindex(st, a->community, &m, true, false, false, err)) != JW_OK)
			goto rollback;
		record_int(&old, PF_HOUSEHOLD_ID, &oh);
		record_int(&m, PF_HOUSEHOLD_ID, &nh);
		if (oh != nh && oh && (rc = STORE_CALL(st, place_sync, PS_HOUSEHOLD_SIZE, oh, NULL, err)) != JW_OK)
			goto rollback;
		if (oh != nh && nh && (rc = STORE_CALL(st, place_sync, PS_HOUSEHOLD_SIZE, nh, NULL, err)) != JW_OK)
			goto rollback;
	} else if (e->id == ENT_HOUSEHOLD && in->given[HF_HOUSE_ID]) {
		int64_t h = 0, b = 0, g = 0;
		record_int(&m, HF_HOUSE_ID, &h);
		record_int(&m, HF_BUILDING_ID, &b);
		record_int(&m, HF_GRID_ID, &g);
		if ((rc = STORE_CALL(st, place_sync, PS_HOUSEHOLD, id, &(struct store_place){ h, b, g }, err)) != JW_OK)
			goto rollback;
	}
	if (e->id == ENT_HOUSE && in->given[HOF_BUILDING_ID]) {
		int64_t b = 0, g = 0;
		record_int(&m, HOF_BUILDING_ID, &b);
		record_int(&m, HOF_GRID_ID, &g);
		if ((rc = STORE_CALL(st, place_sync, PS_HOUSE, id, &(struct store_place){ 0, b, g }, err)) != JW_OK)
			goto rollback;
	} else if (e->id == ENT_BUILDING && in->given[BF_GRID_ID]) {
		int64_t g = 0;
		record_int(&m, BF_GRID_ID, &g);
		if ((rc = STORE_CALL(st, place_sync, PS_BUILDING, id, &(struct store_place){ 0, 0, g }, err)) != JW_OK)
			goto rollback;
	}
	if (e->id == ENT_PERSON || e->id == ENT_HOUSEHOLD || e->id == ENT_HOUSE) {
		struct hook_change c = { .id = id };
		if (e->id == ENT_PERSON) {
			c.old_household_id = ref_of(&old, PF_HOUSEHOLD_ID);
			c.household_id = ref_of(&m, PF_HOUSEHOLD_ID);
			c.ev = c.old_household_id != c.household_id ? EV_PERSON_MOVED : EV_PERSON_CHANGED;
		} else if (e->id == ENT_HOUSEHOLD) {
			c.ev = ref_of(&old, HF_HOUSE_ID) != ref_of(&m, HF_HOUSE_ID) ? EV_HOUSEHOLD_MOVED
										      : EV_HOUSEHOLD_CHANGED;
		} else {
			c.ev = ref_of(&old, HOF_BUILDING_ID) != ref_of(&m, HOF_BUILDING_ID) ? EV_HOUSE_MOVED
											     : EV_HOUSE_CHANGED;
		}
		if ((rc = hooks_fire(st, a, &c, err)) != JW_OK)
			goto rollback;
	}
	if ((rc = svc_audit(st, a, "update", e->key, id, &old, &m, err)) != JW_OK)
		goto rollback;
	if ((rc = store_commit(st)) != JW_OK)
		rc = jw_fail(err, rc, "", NULL);
	goto out;
rollback:
	store_rollback(st);
out:
	if (old.v)
		record_release(&old);
	if (m.v)
		record_release(&m);
	return rc;
}

int svc_get(struct store *st, const struct actor *a, const struct kind *e, int64_t id,
	    struct record *out, struct jw_error *err)
{
	record_init(out, e);
	if (!svc_can(a, e, P_READ))
		return jw_fail(err, JW_EPERM, "", NULL);
	int rc = STORE_CALL(st, record_get, a->community, e, id, out, err);
	if (rc == JW_OK)
		rc = check_scope(a, out, err);
	return rc;
}

static int newest_id(const struct record *r, void *ud)
{
	*(int64_t *)ud = r->id;
	return JW_OK;
}

static int household_no_next(struct store *st, const struct actor *a, char out[24], struct jw_error *err)
{
	/* H + the next number after the newest household's id: H0000001, … */
	struct query q;
	int64_t last = 0, found = 0;
	query_init(&q);
	q.want_total = false;
	q.limit = 1;
	int rc = STORE_CALL(st, record_list, a->community, &entities[ENT_HOUSEHOLD], &q,
			    newest_id, &last, NULL, err);
	for (int64_t n = last + 1; rc == JW_OK; n++) {
		snprintf(out, 24, "H%07lld", (long long)n);
		rc = STORE_CALL(st, record_find, a->community, &entities[ENT_HOUSEHOLD], "household_no",
				out, &found, err);
		if (rc == JW_OK && !found)
			return JW_OK;
	}
	return rc;
}

/* ---- lists ---- */

void list_req_init(struct list_req *lr)
{
	memset(lr, 0, sizeof(*lr));
	lr->page = 1;
	lr->per_page = 20;
}

struct list_bufs {
	char ids[5][24];
	char lo[11], hi[11];
	char text[256];
};

const struct age_band_def age_bands[] = {
	{ "0-14", "0–14岁", 0, 14 },
	{ "15-59", "15–59岁", 15, 59 },
	{ "60-79", "60–79岁", 60, 79 },
	{ "60+", "60岁以上", 60, -1 },
	{ "80+", "80岁以上", 80, -1 },
	{ "0-17", "未成年（0–17岁）", 0, 17 },
	{ "18-59", "18–59岁", 18, 59 },
};
const int nage_bands = (int)(sizeof(age_bands) / sizeof(age_bands[0]));

/* Birth-date bounds of a band: born on/before lo and after hi. */
static const struct age_band_def *age_band(const char *band, char lo[11], char hi[11],
					   bool *has_lo, bool *has_hi)
{
	for (int i = 0; i < nage_bands; i++) {
		const struct age_band_def *d = &age_bands[i];
		if (strcmp(band, d->key) != 0)
			continue;
		*has_lo = d->from > 0;
		*has_hi = d->to >= 0;
		if (*has_lo)
			years_ago(d->from, lo);
		if (*has_hi)
			years_ago(d->to + 1, hi);
		return d;
	}
	return NULL;
}

int svc_list(struct store *st, const struct actor *a, const struct kind *e,
	     const struct list_req *lr, record_cb cb, void *ud, int64_t *total,
	     struct jw_error *err)
{
	struct query q;
	struct list_bufs lb;
	int k = 0;
	if (!svc_can(a, e, P_READ))
		return jw_fail(err, JW_EPERM, "", NULL);
	query_init(&q);
	if (lr->all) {
		q.limit = INT64_MAX;
		q.offset = 0;
		q.want_total = false;
	} else {
		if (lr->per_page < 1 || lr->per_page > 100)
			return jw_fail(err, JW_EBADREQ, "per_page", "每页条数应在1到100之间");
		if (lr->page < 1 || lr->page > 1000000)
			return jw_fail(err, JW_EBADREQ, "page", "页码应为正整数");
		q.limit = lr->per_page;
		q.offset = (lr->page - 1) * lr->per_page;
	}
	q.sort = lr->sort;

#define ID_FILTER(field, v) do { \
		if ((v) > 0) { \
			if (entity_field_index(e, field) < 0) \
				return jw_fail(err, JW_EBADREQ, field, "%s列表不能按%s筛选", e->label, field); \
			snprintf(lb.ids[k], sizeof(lb.ids[k]), "%lld", (long long)(v)); \
			query_filter(&q, field, FOP_EQ, lb.ids[k]); \
			k++; \
		} \
	} while (0)
	if (a->role == ROLE_GRID_WORKER) {
		if (e->id == ENT_GRID) {
			snprintf(lb.ids[k], sizeof(lb.ids[k]), "%lld", (long long)a->grid_id);
			query_filter(&q, "id", FOP_EQ, lb.ids[k]);
			k++;
		} else {
			ID_FILTER("grid_id", a->grid_id);
		}
	}
	ID_FILTER("grid_id", lr->grid_id);
	ID_FILTER("building_id", lr->building_id);
	ID_FILTER("house_id", lr->house_id);
	ID_FILTER("household_id", lr->household_id);
#undef ID_FILTER
	if (e->id == ENT_PERSON) {
		q.active_only = !lr->include_deregistered;
		if (!str_empty(lr->residence_type)) {
			const char *c = code_lookup(&code_tables[CT_RESIDENCE], lr->residence_type);
			if (!c)
				return jw_fail(err, JW_EBADREQ, "residence_type",
					       "人口类型应为 registered（户籍人口）、migrant（流动人口）或 foreign（境外人员）");
			query_filter(&q, "residence_type", FOP_EQ, c);
		}
		if (!str_empty(lr->hukou_status)) {
			const char *c = code_lookup(&code_tables[CT_HUKOU_STATUS], lr->hukou_status);
			if (!c)
				return jw_fail(err, JW_EBADREQ, "hukou_status",
					       "人户状态应为 living_and_registered（人在户在）、living_only（人在户不在）"
					       "或 registered_only（户在人不在）");
			query_filter(&q, "hukou_status", FOP_EQ, c);
		}
		if (!str_empty(lr->age_band)) {
			bool hl, hh;
			if (!age_band(lr->age_band, lb.lo, lb.hi, &hl, &hh)) {
				struct buf keys = BUF_INIT;
				for (int i = 0; i < nage_bands; i++) {
					buf_adds(&keys, i ? "、" : "");
					buf_adds(&keys, age_bands[i].key);
				}
				jw_fail(err, JW_EBADREQ, "age_band", "年龄段应为 %s 之一", buf_cstr(&keys));
				buf_release(&keys);
				return JW_EBADREQ;
			}
			if (hl)
				query_filter(&q, "birth_date", FOP_LE, lb.lo);
			if (hh)
				query_filter(&q, "birth_date", FOP_GT, lb.hi);
		}
	}
	if (!str_empty(lr->q)) {
		size_t n = text_normalize(lr->q, lb.text, sizeof(lb.text));
		if (n == (size_t)-1)
			return jw_fail(err, JW_EBADREQ, "q", "搜索词过长或含有无效字符");
		enum query_kind kind = query_classify(lb.text);
		/* drop inner spaces: "张 三丰" is typed as one name */
		char *w = lb.text;
		for (char *r = lb.text; *r; r++) {
			if (*r != ' ')
				*w++ = *r;
		}
		*w = '\0';
		q.text = lb.text;
		if (e->id != ENT_PERSON) {
			q.search = SEARCH_TEXT;
		} else {
			switch (kind) {
			case Q_EMPTY:
				q.text = NULL;
				break;
			case Q_LATIN:
				for (char *p = lb.text; *p; p++)
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p - 'A' + 'a');
				q.search = SEARCH_PINYIN;
				break;
			case Q_DIGITS:
				for (char *p = lb.text; *p; p++)
					if (*p == 'x')
						*p = 'X';
				/* as people quote numbers: the last digits ("尾号") or the
				 * leading ones; anywhere when asked, or when no number
				 * begins or ends with them */
				q.search = lr->match_any ? SEARCH_NUMBER : SEARCH_NUMBER_ENDS;
				if (strlen(lb.text) < 3)
					return jw_fail(err, JW_EBADREQ, "q", "按号码搜索请至少输入3位数字");
				break;
			case Q_HAN:
				q.search = utf8_chars(lb.text) <= 2 ? SEARCH_NAME_GRAM : SEARCH_NAME_GRAMS;
				break;
			default:
				q.search = SEARCH_TEXT;
			}
		}
	}
	if (!cb) {
		q.limit = 0;
	}
	if (q.search == SEARCH_NUMBER_ENDS) {
		int64_t n = 0;
		struct query probe = q;
		probe.limit = 0;
		probe.want_total = true;
		int rc = STORE_CALL(st, record_list, a->community, e, &probe, NULL, NULL, &n, err);
		if (rc != JW_OK)
			return rc;
		if (n == 0)
			q.search = SEARCH_NUMBER;
		else if (total && q.want_total) {
			*total = n;
			q.want_total = false;
		}
	}
	return STORE_CALL(st, record_list, a->community, e, &q, cb, ud, total, err);
}

/* ---- persons: de-registration and reveal ---- */

int svc_person_deregister(struct store *st, const struct actor *a, int64_t id, const char *reason,
			  const char *date, const char *note, struct verr *ve, struct jw_error *err)
{
	struct record old = { 0 }, m = { 0 };
	const struct kind *e = &entities[ENT_PERSON];
	int rc;
	char today[11];
	int y, mo, d, ty, tm, td;
	if (!svc_can(a, e, P_WRITE))
		return jw_fail(err, JW_EPERM, "", "您的角色不能注销居民");
	if ((rc = load(st, a, e, id, &old, err)) != JW_OK)
		goto out;
	if ((rc = check_scope(a, &old, err)) != JW_OK)
		goto out;
	if (strcmp(record_get(&old, PF_STATUS), "active") != 0) {
		rc = jw_fail(err, JW_ECONFLICT, "status", "该居民已于%s注销",
			     record_get(&old, PF_DEREG_DATE) ? record_get(&old, PF_DEREG_DATE) : "此前");
		goto out;
	}
	const char *rcode = str_empty(reason) ? NULL : code_lookup(&code_tables[CT_DEREG_REASON], reason);
	if (!rcode)
		verr_add(ve, "reason", "请选择注销原因：moved_away（迁出）、died（死亡）或 other（其他）");
	date_today(&ty, &tm, &td);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", ty, tm, td);
	if (str_empty(date))
		date = today;
	if (!date_parse(date, &y, &mo, &d))
		verr_add(ve, "date", "注销日期应为有效日期，格式如 2026-03-05");
	else if (strcmp(date, today) > 0)
		verr_add(ve, "date", "注销日期不能晚于今天");
	if (note && utf8_chars(note) > 200)
		verr_add(ve, "note", "注销说明最多200字");
	if (ve->n) {
		rc = verr_to_error(ve, err);
		goto out;
	}
	record_copy(&m, &old);
	memset(m.given, 0, (size_t)e->nfields);
	record_set(&m, PF_STATUS, "deregistered");
	record_set(&m, PF_DEREG_REASON, rcode);
	record_set(&m, PF_DEREG_DATE, date);
	record_set(&m, PF_DEREG_NOTE, note);
	if ((rc = store_begin(st)) != JW_OK) {
		rc = jw_fail(err, rc, "", NULL);
		goto out;
	}
	int64_t hh;
	if ((rc = STORE_CALL(st, record_update, a->community, &m, err)) != JW_OK ||
	    (rc = person_reindex(st, a->community, &m, true, false, false, err)) != JW_OK ||
	    (record_int(&m, PF_HOUSEHOLD_ID, &hh) && (rc = STORE_CALL(st, place_sync, PS_HOUSEHOLD_SIZE, hh, NULL, err)) != JW_OK) ||
	    (rc = hooks_fire(st, a, &(struct hook_change){ .ev = EV_PERSON_DEREGISTERED, .id = id,
			     .household_id = ref_of(&m, PF_HOUSEHOLD_ID), .date = date,
			     .reason = code_label(&code_tables[CT_DEREG_REASON], rcode) }, err)) != JW_OK ||
	    (rc = svc_audit(st, a, "deregister", e->key, id, &old, &m, err)) != JW_OK) {
		store_rollback(st);
		goto out;
	}
	if ((rc = store_commit(st)) != JW_OK)
		rc = jw_fail(err, rc, "", NULL);
out:
	if (old.v)
		record_release(&old);
	if (m.v)
		record_release(&m);
	return rc;
}

int svc_reveal_reason(const char *reason, const char *text, char out[REVEAL_REASON_MAX],
		      struct jw_error *err)
{
	char r[256], t[256];   /* 60 characters of UTF-8 fit */
	out[0] = '\0';
	if (text_normalize(reason ? reason : "", r, sizeof(r)) == (size_t)-1 ||
	    text_normalize(text ? text : "", t, sizeof(t)) == (size_t)-1)
		return jw_fail(err, JW_EINVAL, "reason", "查看原因太长或不是有效的文字：请写在60个字以内");
	if (utf8_chars(r) > 60 || utf8_chars(t) > 60)
		return jw_fail(err, JW_EINVAL, "reason", "查看原因请写在60个字以内");
	const struct code_table *ct = &code_tables[CT_REVEAL_REASON];
	const char *code = r[0] ? code_lookup(ct, r) : NULL;
	if (code && strcmp(code, "other") != 0)
		snprintf(out, REVEAL_REASON_MAX, "%s%s%s", code_label(ct, code), t[0] ? "：" : "", t);
	else if (t[0])
		snprintf(out, REVEAL_REASON_MAX, "其他：%s", t);
	else if (r[0] && !code)
		snprintf(out, REVEAL_REASON_MAX, "其他：%s", r);
	else
		return jw_fail(err, JW_EINVAL, "reason",
			       "请说明查看完整号码的原因（办理业务、核对身份、上级部门要求，或选“其他”并写明原因），查看将记入审计日志");
	return JW_OK;
}

int svc_person_reveal(struct store *st, const struct actor *a, int64_t id, const char *reason,
		      const char *reason_text, struct record *out, struct jw_error *err)
{
	const struct kind *e = &entities[ENT_PERSON];
	int rc = svc_get(st, a, e, id, out, err);
	if (rc != JW_OK)
		return rc;
	if (!svc_can(a, e, P_REVEAL))
		return jw_fail(err, JW_EPERM, "", "您的角色（%s）不能查看完整的证件号码和电话", role_label(a->role));
	char why[REVEAL_REASON_MAX];
	if ((rc = svc_reveal_reason(reason, reason_text, why, err)) != JW_OK)
		return rc;
	struct buf b = BUF_INIT;
	buf_adds(&b, "{\"fields\":[\"id_number\",\"phone\"],\"reason\":");
	buf_json_str(&b, why);
	buf_addc(&b, '}');
	struct audit_row ar = {
		.username = a->username, .action = "reveal", .entity = e->key, .entity_id = id,
		.new_json = buf_cstr(&b), .ip = a->ip,
	};
	rc = svc_audit_put(st, a->community, &ar, err);
	buf_release(&b);
	return rc;
}

/* The dashboard's counts, each a grouped count of a kind (count_by); with
 * per, grouped by community first, each group added to its community's
 * row as well as to the sum. */
struct dash_ctx {
	struct stats_row *o;
	int what;
	struct stats_row *(*per)(const char *community, void *ud);
	void *ud;
};
enum { DASH_TOTAL, DASH_RESIDENCE, DASH_HUKOU, DASH_OVER60, DASH_OVER80, DASH_DEREGISTERED,
       DASH_HOUSEHOLDS, DASH_HOUSES, DASH_BUILDINGS, DASH_GRIDS };

static void dash_put(struct stats_row *o, int what, const char *k, int64_t n)
{
	switch (what) {
	case DASH_RESIDENCE:
		o->persons += n;
		if (strcmp(k, "registered") == 0)
			o->registered += n;
		else if (strcmp(k, "migrant") == 0)
			o->migrant += n;
		else if (strcmp(k, "foreign") == 0)
			o->foreign += n;
		break;
	case DASH_HUKOU:
		if (strcmp(k, "living_and_registered") == 0)
			o->living_and_registered += n;
		else if (strcmp(k, "living_only") == 0)
			o->living_only += n;
		else if (strcmp(k, "registered_only") == 0)
			o->registered_only += n;
		break;
	case DASH_OVER60: o->over60 += n; break;
	case DASH_OVER80: o->over80 += n; break;
	case DASH_DEREGISTERED: o->deregistered += n; break;
	case DASH_HOUSEHOLDS: o->households += n; break;
	case DASH_HOUSES: o->houses += n; break;
	case DASH_BUILDINGS: o->buildings += n; break;
	case DASH_GRIDS: o->grids += n; break;
	}
}

static int dash_add(const char *const *keys, int64_t n, void *ud)
{
	struct dash_ctx *c = ud;
	int at = c->per ? 1 : 0;
	const char *k = c->what == DASH_RESIDENCE || c->what == DASH_HUKOU ? keys[at] : "";
	if (!k)
		k = "";
	dash_put(c->o, c->what, k, n);
	struct stats_row *row = c->per && keys[0] ? c->per(keys[0], c->ud) : NULL;
	if (row)
		dash_put(row, c->what, k, n);
	return JW_OK;
}

/* How many records of kind e (status: persons in that state; born_by: born
 * on or before that day; in the grid, when grid), into figure what. */
static int dash_count(struct store *st, const struct actor *a, enum entity_id e, const char *status,
		      const char *born_by, const char *grid, struct dash_ctx *c, int what, struct jw_error *err)
{
	static const char *const by[] = { [DASH_RESIDENCE] = "residence_type", [DASH_HUKOU] = "hukou_status" };
	struct query q;
	query_init(&q);
	if (status)
		query_filter(&q, "status", FOP_EQ, status);
	if (born_by)
		query_filter(&q, "birth_date", FOP_LE, born_by);
	if (grid)
		query_filter(&q, e == ENT_GRID ? "id" : "grid_id", FOP_EQ, grid);
	const char *dims[2];
	int nd = 0;
	if (c->per)
		dims[nd++] = "community";
	if (what == DASH_RESIDENCE || what == DASH_HUKOU)
		dims[nd++] = by[what];
	c->what = what;
	return STORE_CALL(st, count_by, a->community, &entities[e], &q, dims, nd, NULL, dash_add, c, err);
}

int svc_stats_per(struct store *st, const struct actor *a, struct stats_row *o,
		  struct stats_row *(*per)(const char *community, void *ud), void *ud, struct jw_error *err)
{
	char b60[11], b80[11], grid[24];
	if (!svc_can(a, NULL, P_READ))
		return jw_fail(err, JW_EPERM, "", NULL);
	years_ago(60, b60);
	years_ago(80, b80);
	memset(o, 0, sizeof(*o));
	/* a grid worker's dashboard is their grid's */
	const char *g = NULL;
	if (a->role == ROLE_GRID_WORKER) {
		snprintf(grid, sizeof(grid), "%lld", (long long)a->grid_id);
		g = grid;
	}
	struct dash_ctx c = { .o = o, .per = per, .ud = ud };
	int rc;
	if ((rc = dash_count(st, a, ENT_PERSON, "active", NULL, g, &c, DASH_RESIDENCE, err)) ||
	    (rc = dash_count(st, a, ENT_PERSON, "active", NULL, g, &c, DASH_HUKOU, err)) ||
	    (rc = dash_count(st, a, ENT_PERSON, "active", b60, g, &c, DASH_OVER60, err)) ||
	    (rc = dash_count(st, a, ENT_PERSON, "active", b80, g, &c, DASH_OVER80, err)) ||
	    (rc = dash_count(st, a, ENT_PERSON, "deregistered", NULL, g, &c, DASH_DEREGISTERED, err)) ||
	    (rc = dash_count(st, a, ENT_HOUSEHOLD, NULL, NULL, g, &c, DASH_HOUSEHOLDS, err)) ||
	    (rc = dash_count(st, a, ENT_HOUSE, NULL, NULL, g, &c, DASH_HOUSES, err)) ||
	    (rc = dash_count(st, a, ENT_BUILDING, NULL, NULL, g, &c, DASH_BUILDINGS, err)) ||
	    (rc = dash_count(st, a, ENT_GRID, NULL, NULL, g, &c, DASH_GRIDS, err)))
		return rc;
	return JW_OK;
}

int svc_stats(struct store *st, const struct actor *a, struct stats_row *o, struct jw_error *err)
{
	return svc_stats_per(st, a, o, NULL, NULL, err);
}

int svc_community(struct store *st, const struct actor *a, struct community_row *out,
		  struct jw_error *err)
{
	if (!svc_can(a, NULL, P_READ))
		return jw_fail(err, JW_EPERM, "", NULL);
	return svc_store_community(st, a->community, out, err);   /* the actor's own */
}

int svc_audit_list(struct store *st, const struct actor *a, const char *entity, int64_t entity_id,
		   const char *action, int64_t page, int64_t per_page, audit_cb cb, void *ud,
		   int64_t *total, struct jw_error *err)
{
	if (!svc_can(a, NULL, P_AUDIT))
		return jw_fail(err, JW_EPERM, "", "只有管理员和主任可以查看审计日志");
	if (per_page < 1 || per_page > 100 || page < 1)
		return jw_fail(err, JW_EBADREQ, "page", "页码或每页条数不正确");
	return svc_audit_rows(st, a->community, entity, entity_id, action, per_page, (page - 1) * per_page, cb, ud,
			      total, err);
}

int svc_building_generate_houses(struct store *st, const struct actor *a, int64_t building_id,
				 int *created, struct jw_error *err)
{
	struct record b;
	int64_t floors = 0, units = 0, per = 0;
	int rc;
	*created = 0;
	if (!svc_can(a, &entities[ENT_BUILDING], P_WRITE))
		return jw_fail(err, JW_EPERM, "", "您的角色不能生成房屋");
	if ((rc = svc_get(st, a, &entities[ENT_BUILDING], building_id, &b, err)) != JW_OK) {
		record_release(&b);
		return rc;
	}
	record_int(&b, BF_FLOORS, &floors);
	record_int(&b, BF_UNITS, &units);
	if (!record_int(&b, BF_ROOMS_PER_FLOOR, &per))
		per = 2;
	if (floors < 1 || units < 1 || per < 1 || floors * units * per > 20000) {
		record_release(&b);
		return jw_fail(err, JW_EINVAL, "floors", "请先填写楼栋的层数、单元数和每层户数");
	}
	if ((rc = store_begin(st)) != JW_OK) {
		record_release(&b);
		return jw_fail(err, rc, "", NULL);
	}
	for (int64_t u = 1; u <= units && rc == JW_OK; u++) {
		for (int64_t f = 1; f <= floors && rc == JW_OK; f++) {
			for (int64_t k = 1; k <= per && rc == JW_OK; k++) {
				struct record h;
				char room[48], unit[24];
				snprintf(room, sizeof(room), "%lld%02lld", (long long)f, (long long)k);
				snprintf(unit, sizeof(unit), "%lld", (long long)u);
				record_init(&h, &entities[ENT_HOUSE]);
				record_setf(&h, HOF_BUILDING_ID, "%lld", (long long)building_id);
				record_set(&h, HOF_UNIT, unit);
				record_setf(&h, HOF_FLOOR, "%lld", (long long)f);
				record_set(&h, HOF_ROOM, room);
				record_set(&h, HOF_GRID_ID, record_get(&b, BF_GRID_ID));
				if (record_get(&b, BF_ADDRESS))
					record_setf(&h, HOF_ADDRESS, "%s%s单元%s室", record_get(&b, BF_ADDRESS), unit, room);
				int64_t exists = 0;
				struct query q;
				query_init(&q);
				query_filter(&q, "building_id", FOP_EQ, record_get(&h, HOF_BUILDING_ID));
				query_filter(&q, "unit", FOP_EQ, unit);
				query_filter(&q, "room", FOP_EQ, room);
				q.limit = 0;
				rc = STORE_CALL(st, record_list, a->community, &entities[ENT_HOUSE], &q, NULL, NULL, &exists, err);
				if (rc == JW_OK && !exists) {
					rc = STORE_CALL(st, record_insert, a->community, &h, err);
					if (rc == JW_OK)
						(*created)++;
				}
				record_release(&h);
			}
		}
	}
	if (rc == JW_OK) {
		char note[64];
		snprintf(note, sizeof(note), "{\"houses_created\":%d}", *created);
		struct audit_row ar = { .username = a->username, .action = "generate_houses",
					.entity = "building", .entity_id = building_id,
					.new_json = note, .ip = a->ip };
		rc = svc_audit_put(st, a->community, &ar, err);
	}
	record_release(&b);
	if (rc != JW_OK) {
		store_rollback(st);
		return rc;
	}
	if ((rc = store_commit(st)) != JW_OK)
		return jw_fail(err, rc, "", NULL);
	return JW_OK;
}

int svc_bulk_finish(struct store *st, int64_t after_id, struct jw_error *err)
{
	struct record after = { .ent = &entities[ENT_PERSON], .id = after_id };
	return STORE_CALL(st, person_index, NULL, &after, NULL, PI_BULK_FINISH, err);
}

/* ---- re-indexing the names' Latin keys ---- */

struct name_batch {
	int64_t id[1000];
	char *name[1000];
	bool active[1000];
	int n;
};

static int take_name(const struct record *r, void *ud)
{
	struct name_batch *b = ud;
	const char *name = record_get(r, PF_NAME), *status = record_get(r, PF_STATUS);
	b->id[b->n] = r->id;
	b->name[b->n] = xstrdup(name ? name : "");
	b->active[b->n] = !status || strcmp(status, "active") == 0;
	b->n++;
	return JW_OK;
}

int svc_person_keys_refresh(struct store *st, int64_t *done_now, bool *done, struct jw_error *err)
{
	const char *ver = pinyin_keys_version();
	char state[128];
	int64_t after = 0;
	size_t vl = strlen(ver);
	struct name_batch *b = NULL;
	int rc;

	*done = false;
	if (done_now)
		*done_now = 0;
	if (!*ver)
		return jw_fail(err, JW_ENOMEM, "", "ICU 拼音转换初始化失败");
	if ((rc = store_begin(st)) != JW_OK)
		return jw_fail(err, rc, "", NULL);
	/* meta 'person_keys': "VERSION" when done, "VERSION NEXT_ID" while a
	 * re-index runs, "" when never indexed */
	if ((rc = STORE_CALL(st, meta_get, "person_keys", state, sizeof(state), err)) != JW_OK)
		goto rollback;
	if (strcmp(state, ver) == 0) {
		*done = true;
		goto commit;
	}
	/* resume a re-index under this version; anything else starts over */
	if (strncmp(state, ver, vl) == 0 && state[vl] == ' ' &&
	    !parse_i64(state + vl + 1, 0, INT64_MAX, &after))
		after = 0;
	b = xcalloc(1, sizeof(*b));
	/* the next 1,000 persons by id, of every community */
	struct query q;
	char from[24];
	snprintf(from, sizeof(from), "%lld", (long long)after);
	query_init(&q);
	q.limit = 1000;
	q.want_total = false;
	q.sort = "id";
	query_filter(&q, "id", FOP_GT, from);
	if ((rc = STORE_CALL(st, record_list, NULL, &entities[ENT_PERSON], &q, take_name, b, NULL, err)) != JW_OK)
		goto rollback;
	for (int i = 0; i < b->n; i++) {
		char full[256], ini[64];
		struct pykeys ks = { .n = 0 };
		pinyin_of_name(b->name[i], full, sizeof(full), ini, sizeof(ini));
		pinyin_keys(b->name[i], add_pykey, &ks);
		struct person_index ix = {
			.name_py = full, .name_ini = ini, .keys = ks.p, .nkeys = ks.n,
			.active = b->active[i],
		};
		struct record one = { .ent = &entities[ENT_PERSON], .id = b->id[i] };
		if ((rc = STORE_CALL(st, person_index, NULL, &one, &ix, PI_KEYS, err)) != JW_OK)
			goto rollback;
	}
	if (b->n < 1000) {
		rc = STORE_CALL(st, meta_put, "person_keys", ver, err);
		*done = true;
	} else {
		snprintf(state, sizeof(state), "%s %lld", ver, (long long)b->id[b->n - 1]);
		rc = STORE_CALL(st, meta_put, "person_keys", state, err);
	}
	if (rc != JW_OK)
		goto rollback;
	if (done_now)
		*done_now = b->n;
commit:
	if ((rc = store_commit(st)) != JW_OK) {
		*done = false;
		rc = jw_fail(err, rc, "", NULL);
	}
	goto out;
rollback:
	*done = false;
	store_rollback(st);
out:
	if (b)
		for (int i = 0; i < b->n; i++)
			free(b->name[i]);
	free(b);
	return rc;
}

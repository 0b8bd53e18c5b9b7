/*
 * ledger.c — the ledger engine.  See ledger.h and model/ledger.h.
 *
 * Entries are stored generically (store: ledger_entry, the fields as JSON);
 * a ledger's own fields are validated by the registry's field rules through
 * an entity view of the ledger (ledger_entity), so a built-in ledger and a
 * committee's own one go through the same code.
 */
#include "svc/ledger.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "model/mask.h"
#include "model/textnorm.h"
#include "svc/hooks.h"

_Static_assert(ROLE_ADMIN == 1 && ROLE_DIRECTOR == 2 && ROLE_WORKER == 3 && ROLE_GRID_WORKER == 4,
	       "model/ledger.c's role bits follow enum role");

/* ---- the ledgers: built-in and the community's own ---- */

/* A committee's ledger, parsed from its JSON definition; kept for the life
 * of the process (definitions are added, never removed). */
struct custom {
	char community[16];
	struct ledger_def def;
	struct kind ent;
	struct field_def fields[LEDGER_MAX_FIELDS];
	char *strings;            /* one block holding every text of the definition */
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct custom *g_custom[256];
static int g_ncustom;
static struct kind g_builtin_ent[64];
static pthread_once_t g_builtin_once = PTHREAD_ONCE_INIT;

static void builtin_init(void)
{
	for (int i = 0; i < nbuiltin_ledgers && i < 64; i++)
		ledger_entity(&builtin_ledgers[i], &g_builtin_ent[i]);
}

const struct kind *svc_ledger_kind(const struct ledger_def *l)
{
	pthread_once(&g_builtin_once, builtin_init);
	if (!l->custom)
		return &g_builtin_ent[l - builtin_ledgers];
	return &((const struct custom *)((const char *)l - offsetof(struct custom, def)))->ent;
}

/* The entry id (of any ledger, open or closed) to cb. */
static int entry_by_id(struct store *st, const char *community, int64_t id, entry_cb cb, void *ud,
		       struct jw_error *err)
{
	struct entry_query q = { .id = id, .limit = 1 };
	return STORE_CALL(st, entry_list, community, &q, cb, ud, NULL, err);
}

/* A subject's name ("person", "household", "house") is its entity's key;
 * a ledger of records attached to nothing has "none". */
static const char *subject_key(enum entity_id e)
{
	return e < ENT__COUNT ? entities[e].key : "none";
}

static int parse_custom(const char *community, const char *json, struct custom **out, struct verr *ve);

/* meta keys of a community's ledger settings (the store keeps them as they are) */
static void def_key(char *out, size_t n, const char *community, const char *key)
{
	snprintf(out, n, "ledger_def/%s/%s", community, key ? key : "");
}

static void reader_key(char *out, size_t n, const char *community, const char *ledger, int64_t user_id)
{
	snprintf(out, n, "ledger_reader/%s/%s/%lld", community, ledger, (long long)user_id);
}

static int load_custom_cb(const char *mkey, const char *def, void *ud)
{
	const char *community = ud;
	const char *key = strrchr(mkey, '/') + 1;   /* ledger_def/COMMUNITY/KEY */
	for (int i = 0; i < g_ncustom; i++)
		if (strcmp(g_custom[i]->community, community) == 0 && strcmp(g_custom[i]->def.key, key) == 0)
			return JW_OK;
	struct custom *c = NULL;
	struct verr ve;
	verr_init(&ve);
	if (parse_custom(community, def, &c, &ve) == JW_OK && g_ncustom < 256)
		g_custom[g_ncustom++] = c;
	return JW_OK;
}

/* Reads the community's definitions the process has not seen yet. */
static void custom_refresh(struct store *st, const char *community)
{
	struct jw_error err;
	pthread_mutex_lock(&g_lock);
	char prefix[64];
	def_key(prefix, sizeof(prefix), community, NULL);
	STORE_CALL(st, meta_list, prefix, load_custom_cb, (void *)community, &err);
	pthread_mutex_unlock(&g_lock);
}

static const struct ledger_def *custom_lookup(const char *community, const char *key)
{
	const struct ledger_def *l = NULL;
	pthread_mutex_lock(&g_lock);
	for (int i = 0; i < g_ncustom && !l; i++)
		if (strcmp(g_custom[i]->community, community) == 0 && strcmp(g_custom[i]->def.key, key) == 0)
			l = &g_custom[i]->def;
	pthread_mutex_unlock(&g_lock);
	return l;
}

const struct ledger_def *ledger_find(struct store *st, const char *community, const char *key)
{
	const struct ledger_def *l = ledger_builtin(key);
	if (l || !key)
		return l;
	if ((l = custom_lookup(community, key)))
		return l;
	custom_refresh(st, community);
	return custom_lookup(community, key);
}

int ledger_each(struct store *st, const char *community, int (*cb)(const struct ledger_def *l, void *ud), void *ud)
{
	int rc;
	for (int i = 0; i < nbuiltin_ledgers; i++)
		if ((rc = cb(&builtin_ledgers[i], ud)) != 0)
			return rc;
	custom_refresh(st, community);
	const struct ledger_def *mine[256];
	int n = 0;
	pthread_mutex_lock(&g_lock);
	for (int i = 0; i < g_ncustom; i++)
		if (strcmp(g_custom[i]->community, community) == 0)
			mine[n++] = &g_custom[i]->def;
	pthread_mutex_unlock(&g_lock);
	for (int i = 0; i < n; i++)
		if ((rc = cb(mine[i], ud)) != 0)
			return rc;
	return 0;
}

bool ledger_can(struct store *st, const struct actor *a, const struct ledger_def *l, bool write)
{
	if (a->area && (write || l->restricted || !svc_can(a, NULL, P_READ)))
		return false;   /* a street office's or district's: figures of the others */
	if (l->restricted) {
		if (a->role == ROLE_DIRECTOR)
			return true;
		if (a->role == ROLE_ADMIN)
			return false;   /* "not even the administrator", named or not */
		char mk[128], v[4] = "";
		struct jw_error err;
		reader_key(mk, sizeof(mk), a->community, l->key, a->user_id);
		if (a->user_id <= 0 || STORE_CALL(st, meta_get, mk, v, sizeof(v), &err) != JW_OK)
			return false;
		return v[0] != '\0';   /* named */
	}
	unsigned bit = 1u << a->role;
	return (write ? l->write_roles : l->read_roles) & bit;
}

static int refuse(const struct actor *a, const struct ledger_def *l, bool write, struct jw_error *err)
{
	if (a->area)
		return jw_fail(err, JW_EPERM, "", l->restricted ? "《%s》是受限台账，不在街道、区级的汇总之列：请向社区查询"
								: "街道、区级账号只能查看《%s》的统计", l->title);
	if (l->restricted)
		return jw_fail(err, JW_EPERM, "", "《%s》是受限台账，只有社区主任和被指定的工作人员可以%s", l->title,
			       write ? "修改" : "查看");
	return jw_fail(err, JW_EPERM, "", "您的角色（%s）不能%s《%s》", role_label(a->role), write ? "修改" : "查看",
		       l->title);
}

/* A read of a restricted ledger leaves an audit record. */
static int audit_read(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t entry_id,
		      const char *what, struct jw_error *err)
{
	if (!l->restricted)
		return JW_OK;
	char json[256];
	snprintf(json, sizeof(json), "{\"ledger\":\"%s\",\"read\":\"%s\"}", l->key, what);
	return svc_audit_raw(st, a, "ledger_read", "ledger_entry", entry_id, NULL, json, err);
}

/* ---- entries ---- */

/* The ledger's yearly status (year_flag) from its date: 是 when the date
 * falls in the current year. */
static void year_flag_set(const struct ledger_def *l, struct record *r)
{
	if (!l->year_flag)
		return;
	int fi = entity_field_index(r->ent, l->year_flag), di = entity_field_index(r->ent, l->year_date);
	if (fi < 0 || di < 0)
		return;
	int y, m, d, ty, tm, td;
	const char *dv = record_get(r, di);
	date_today(&ty, &tm, &td);
	bool given = r->given[fi];
	record_set(r, fi, dv && date_parse(dv, &y, &m, &d) && y == ty ? "是" : "否");
	r->given[fi] = given;
}

/* What a worker types for the yearly status: 是 without a date records
 * today as the date (unless the date already falls in this year); 否
 * without a date removes this year's date (a certification entered by
 * mistake).  A date given wins: the status follows it.  in holds what was
 * given, r what will be stored. */
static void year_flag_input(const struct ledger_def *l, const struct record *in, struct record *r)
{
	if (!l->year_flag)
		return;
	int fi = entity_field_index(r->ent, l->year_flag), di = entity_field_index(r->ent, l->year_date);
	if (fi < 0 || di < 0 || !in->given[fi] || in->given[di])
		return;
	int y, m, d, ty, tm, td;
	char today[11];
	date_today(&ty, &tm, &td);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", ty, tm, td);
	const char *dv = record_get(r, di), *fv = record_get(in, fi);
	bool this_year = dv && date_parse(dv, &y, &m, &d) && y == ty;
	if (fv && strcmp(fv, "是") == 0 && !this_year)
		record_set(r, di, today);
	else if (fv && strcmp(fv, "否") == 0 && this_year)
		record_set(r, di, NULL);
}

void entry_fields(const struct ledger_def *l, const char *data_json, struct record *out)
{
	record_init(out, svc_ledger_kind(l));
	json_t *j = data_json ? json_loads(data_json, 0, NULL) : NULL;
	if (!j)
		return;
	for (int i = 0; i < l->nfields; i++) {
		json_t *v = json_object_get(j, l->fields[i].name);
		if (json_is_string(v))
			record_set(out, i, json_string_value(v));
		else if (json_is_number(v)) {
			char num[64];
			snprintf(num, sizeof(num), "%.15g", json_number_value(v));
			record_set(out, i, num);
		}
	}
	memset(out->given, 0, (size_t)l->nfields);
	json_decref(j);
	year_flag_set(l, out);
}

static char *fields_json(const struct ledger_def *l, const struct record *r)
{
	json_t *j = json_object();
	for (int i = 0; i < l->nfields; i++)
		if (r->v[i] && !(l->year_flag && strcmp(l->fields[i].name, l->year_flag) == 0))
			json_object_set_new(j, l->fields[i].name, json_string(r->v[i]));
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

/* The audit's view of an entry: fields with their sensitive values masked.
 * A restricted ledger's record names the fields that changed (against old;
 * every given field when old is NULL) and holds no value, not even the
 * subject: the audit log is read by people the ledger is hidden from. */
static char *audit_json(const struct ledger_def *l, int64_t subject_id, const struct record *r, const char *status,
			const struct record *old)
{
	json_t *j = json_object();
	json_object_set_new(j, "ledger", json_string(l->key));
	if (l->restricted) {
		json_t *names = json_array();
		for (int i = 0; r && i < l->nfields; i++) {
			const char *a = r->v[i], *b = old ? old->v[i] : NULL;
			if ((a || b) && !(a && b && strcmp(a, b) == 0))
				json_array_append_new(names, json_string(l->fields[i].name));
		}
		json_object_set_new(j, "fields", names);
		if (status)
			json_object_set_new(j, "status", json_string(status));
		char *s = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		return s;
	}
	json_object_set_new(j, "subject_id", json_integer(subject_id));
	if (status)
		json_object_set_new(j, "status", json_string(status));
	for (int i = 0; r && i < l->nfields; i++) {
		if (!r->v[i])
			continue;
		char m[64];
		json_object_set_new(j, l->fields[i].name, json_string(field_display(&l->fields[i], r->v[i], false, m,
										     sizeof(m))));
	}
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/* A grid worker reaches the entries of their grid; records attached to
 * nothing lie in no grid and are the whole team's. */
static bool grid_bound(const struct actor *a, const struct ledger_def *l)
{
	return a->role == ROLE_GRID_WORKER && l->subject != SUBJECT_NONE;
}

int svc_entry_list(struct store *st, const struct actor *a, const struct ledger_def *l, struct entry_query *q,
		   entry_cb cb, void *ud, int64_t *total, struct jw_error *err)
{
	if (!ledger_can(st, a, l, false))
		return refuse(a, l, false, err);
	q->ledger = l->key;
	if (grid_bound(a, l))
		q->grid_id = a->grid_id;
	if (q->field) {
		bool known = false;
		for (int i = 0; i < l->nfields; i++)
			known = known || strcmp(l->fields[i].name, q->field) == 0;
		if (!known)
			return jw_fail(err, JW_EBADREQ, "field", "《%s》没有名为“%s”的项目", l->title, q->field);
	}
	for (int i = 0; i < q->nwhere; i++) {
		const char *f = q->where[i].field;
		if (f && strncmp(f, "entry.", 6) != 0 && entity_field_index(svc_ledger_kind(l), f) < 0)
			return jw_fail(err, JW_EBADREQ, "field", "《%s》没有名为“%s”的项目", l->title, f);
	}
	/* the yearly status is not stored: it is its date in this year */
	char y0[11], y1[11];
	const char *keep_field = q->field, *keep_value = q->value;
	int keep_nwhere = q->nwhere;
	if (q->field && q->value && l->year_flag && strcmp(q->field, l->year_flag) == 0 &&
	    q->nwhere + 2 <= ENTRY_MAX_FILTERS) {
		int ty, tm, td;
		date_today(&ty, &tm, &td);
		snprintf(y0, sizeof(y0), "%04d-01-01", ty);
		snprintf(y1, sizeof(y1), "%04d-12-31", ty);
		if (strcmp(q->value, "是") == 0) {
			q->where[q->nwhere++] = (struct entry_filter){ l->year_date, EOP_GE, y0 };
			q->where[q->nwhere++] = (struct entry_filter){ l->year_date, EOP_LE, y1 };
		} else {   /* 否: no date this year (a missing date reads "") */
			q->where[q->nwhere++] = (struct entry_filter){ l->year_date, EOP_LT, y0 };
		}
		q->field = q->value = NULL;
	}
	int rc = STORE_CALL(st, entry_list, a->community, q, cb, ud, total, err);
	q->field = keep_field;   /* the caller's query as it was (pages show it) */
	q->value = keep_value;
	q->nwhere = keep_nwhere;
	if (rc == JW_OK)
		rc = audit_read(st, a, l, 0, "list", err);
	return rc;
}

struct one { struct entry_row row; bool found; entry_cb cb; void *ud; const struct actor *a; int rc;
	     const char *ledger; bool grid_bound; };

static int one_cb(const struct entry_row *e, void *ud)
{
	struct one *o = ud;
	o->found = true;
	if (strcmp(e->ledger, o->ledger) != 0)
		return JW_ENOTFOUND;   /* an entry of another ledger: not here */
	if (o->grid_bound && e->grid_id != o->a->grid_id)
		return JW_EPERM;
	return o->cb ? o->cb(e, o->ud) : JW_OK;
}

int svc_entry_get(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t id, entry_cb cb,
		  void *ud, struct jw_error *err)
{
	if (!ledger_can(st, a, l, false))
		return refuse(a, l, false, err);
	struct one o = { .cb = cb, .ud = ud, .a = a, .ledger = l->key, .grid_bound = grid_bound(a, l) };
	int rc = entry_by_id(st, a->community, id, one_cb, &o, err);
	if (rc == JW_EPERM)
		return jw_fail(err, JW_EPERM, "", "这条记录不在您负责的网格内");
	if (rc == JW_ENOTFOUND)
		return jw_fail(err, JW_ENOTFOUND, "", "《%s》中没有这条记录", l->title);
	if (rc != JW_OK)
		return rc;
	return audit_read(st, a, l, id, "entry", err);
}

struct ledger_of { const char *key; bool match; char subject[16]; int64_t subject_id; char *data; char status[16];
		   char start[11]; char end[11]; char reason[128]; int64_t grid; char ledger[64]; };

static int ledger_of_cb(const struct entry_row *e, void *ud)
{
	struct ledger_of *o = ud;
	o->match = strcmp(e->ledger, o->key) == 0;
	snprintf(o->ledger, sizeof(o->ledger), "%s", e->ledger);
	snprintf(o->subject, sizeof(o->subject), "%s", e->subject);
	o->subject_id = e->subject_id;
	o->data = xstrdup(e->data ? e->data : "{}");
	snprintf(o->status, sizeof(o->status), "%s", e->status ? e->status : "open");
	snprintf(o->start, sizeof(o->start), "%s", e->start_date ? e->start_date : "");
	snprintf(o->end, sizeof(o->end), "%s", e->end_date ? e->end_date : "");
	snprintf(o->reason, sizeof(o->reason), "%s", e->end_reason ? e->end_reason : "");
	o->grid = e->grid_id;
	return JW_OK;
}

/* The ledger's own rules on an entry's fields (after the declared ones). */
static void entry_rules(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t subject_id,
			struct record *f, struct verr *ve)
{
	if (strcmp(l->key, "disabled") == 0 && !l->custom) {
		const char *card = record_get(f, entity_field_index(f->ent, "card_no"));
		if (card && !verr_for(ve, "card_no")) {
			struct record p;
			struct jw_error e2;
			record_init(&p, &entities[ENT_PERSON]);
			if (STORE_CALL(st, record_get, a->community, &entities[ENT_PERSON], subject_id, &p, &e2) == JW_OK &&
			    disability_card_check(card, record_get(&p, PF_ID_NUMBER),
						  record_get(f, entity_field_index(f->ent, "category")),
						  record_get(f, entity_field_index(f->ent, "grade")), &e2) != JW_OK)
				verr_add(ve, "card_no", "%s", e2.message);
			record_release(&p);
		}
	}
	/* a "…开始" date must not follow its "…结束" one */
	for (int i = 0; i < l->nfields; i++) {
		const struct field_def *fs = &l->fields[i];
		if (fs->type != FT_DATE || !strstr(fs->name, "start"))
			continue;
		char endname[64];
		snprintf(endname, sizeof(endname), "%.*send", (int)(strstr(fs->name, "start") - fs->name), fs->name);
		int j = entity_field_index(f->ent, endname);
		const char *s1 = record_get(f, i), *s2 = j >= 0 ? record_get(f, j) : NULL;
		if (s1 && s2 && strcmp(s1, s2) > 0 && !verr_for(ve, endname))
			verr_add(ve, endname, "%s不能早于%s", l->fields[j].label, fs->label);
	}
}

/* The subject of an entry must exist, be on the books and (grid workers)
 * lie in the actor's grid. */
static int check_subject(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t id,
			 struct verr *ve, struct jw_error *err)
{
	if (l->subject == SUBJECT_NONE)
		return JW_OK;   /* its own record: nothing to look up */
	const struct kind *se = &entities[l->subject];
	struct record r;
	record_init(&r, se);
	int rc = STORE_CALL(st, record_get, a->community, se, id, &r, err);
	if (rc == JW_ENOTFOUND) {
		verr_add(ve, "subject_id", "编号为%lld的%s不存在，请重新选择", (long long)id, se->label);
		rc = JW_OK;
	} else if (rc == JW_OK) {
		if (se->id == ENT_PERSON && strcmp(record_get(&r, PF_STATUS), "active") != 0)
			verr_add(ve, "subject_id", "该居民已注销，不能再列入台账");
		int gi = entity_field_index(se, "grid_id");
		int64_t g = 0;
		if (a->role == ROLE_GRID_WORKER && gi >= 0 && (!record_int(&r, gi, &g) || g != a->grid_id))
			rc = jw_fail(err, JW_EPERM, "subject_id", "该%s不在您负责的网格内", se->label);
	}
	record_release(&r);
	return rc;
}

/* The value of the ledger's due field in fields (ledger_def.due_field), or NULL. */
static const char *due_of(const struct ledger_def *l, const struct record *fields)
{
	for (int i = 0; l->due_field && i < l->nfields; i++)
		if (strcmp(l->fields[i].name, l->due_field) == 0)
			return record_get(fields, i);
	return NULL;
}

int svc_entry_create(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t subject_id,
		     struct record *fields, const char *start_date, struct verr *ve, int64_t *id,
		     struct jw_error *err)
{
	char today[11];
	int y, m, d;
	if (!ledger_can(st, a, l, true))
		return refuse(a, l, true, err);
	date_today(&y, &m, &d);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", y, m, d);
	if (str_empty(start_date))
		start_date = today;
	else if (!date_parse(start_date, &y, &m, &d))
		verr_add(ve, "start_date", "起始日期应为有效日期，格式如 2026-03-05");
	int rc = check_subject(st, a, l, subject_id, ve, err);
	if (rc != JW_OK)
		return rc;
	/* fields the rule derives are not typed in; the writer is the actor */
	for (int i = 0; i < l->nfields; i++)
		if (l->fields[i].flags & FF_READONLY)
			fields->given[i] = 0;
	record_normalize_validate(fields, true, ve);
	for (int i = 0; i < l->nfields; i++)
		if (l->fields[i].flags & FF_ACTOR)
			record_set(fields, i, a->username);
	year_flag_input(l, fields, fields);
	entry_rules(st, a, l, subject_id, fields, ve);
	if (ve->n)
		return verr_to_error(ve, err);
	char *data = fields_json(l, fields);
	struct entry_row e = { .ledger = l->key, .subject = subject_key(l->subject), .subject_id = subject_id,
			       .status = "open", .start_date = start_date, .data = data,
			       .due_date = due_of(l, fields) };
	if ((rc = store_begin(st)) != JW_OK) {
		free(data);
		return jw_fail(err, rc, "", NULL);
	}
	rc = STORE_CALL(st, entry_put, a->community, &e, err);
	if (rc == JW_OK) {
		char *aj = audit_json(l, subject_id, fields, "open", NULL);
		rc = svc_audit_raw(st, a, "create", "ledger_entry", e.id, NULL, aj, err);
		free(aj);
	}
	if (rc == JW_OK && (rc = store_commit(st)) != JW_OK)
		rc = jw_fail(err, rc, "", NULL);
	else if (rc != JW_OK)
		store_rollback(st);
	free(data);
	if (rc == JW_OK)
		*id = e.id;
	return rc;
}

int svc_entry_update(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t id,
		     struct record *fields, const char *start_date, const char *end_date, const char *end_reason,
		     bool reopen, struct verr *ve, struct jw_error *err)
{
	if (!ledger_can(st, a, l, true))
		return refuse(a, l, true, err);
	struct ledger_of o = { .key = l->key };
	int rc = entry_by_id(st, a->community, id, ledger_of_cb, &o, err);
	if (rc != JW_OK)
		return rc;
	if (!o.match) {
		free(o.data);
		return jw_fail(err, JW_ENOTFOUND, "", "《%s》中没有这条记录", l->title);
	}
	if (grid_bound(a, l) && o.grid != a->grid_id) {
		free(o.data);
		return jw_fail(err, JW_EPERM, "", "这条记录不在您负责的网格内");
	}
	struct record old, merged;
	entry_fields(l, o.data, &old);
	free(o.data);
	for (int i = 0; i < l->nfields; i++)
		if (l->fields[i].flags & FF_READONLY)
			fields->given[i] = 0;
	record_normalize_validate(fields, false, ve);
	record_copy(&merged, &old);
	for (int i = 0; i < l->nfields; i++)
		if (fields->given[i])
			record_set(&merged, i, fields->v[i]);
	year_flag_input(l, fields, &merged);
	int y, m, d;
	if (!str_empty(start_date) && !date_parse(start_date, &y, &m, &d))
		verr_add(ve, "start_date", "起始日期应为有效日期，格式如 2026-03-05");
	if (!str_empty(end_date) && !date_parse(end_date, &y, &m, &d))
		verr_add(ve, "end_date", "结束日期应为有效日期，格式如 2026-03-05");
	const char *start = !str_empty(start_date) ? start_date : (o.start[0] ? o.start : NULL);
	if (!str_empty(end_date) && start && strcmp(end_date, start) < 0)
		verr_add(ve, "end_date", "结束日期不能早于起始日期（%s）", start);
	if (!str_empty(end_date) && str_empty(end_reason) && !o.reason[0])
		verr_add(ve, "end_reason", "请填写结束原因，如“迁出”“已就业”“期满”");
	entry_rules(st, a, l, o.subject_id, &merged, ve);
	if (ve->n) {
		record_release(&old);
		record_release(&merged);
		return verr_to_error(ve, err);
	}
	char *data = fields_json(l, &merged);
	struct entry_row e = { .id = id, .ledger = l->key, .status = o.status, .start_date = start,
			       .end_date = o.end[0] ? o.end : NULL, .end_reason = o.reason[0] ? o.reason : NULL,
			       .data = data, .due_date = due_of(l, &merged) };
	if (!str_empty(end_date)) {
		e.status = "closed";
		e.end_date = end_date;
		if (!str_empty(end_reason))
			e.end_reason = end_reason;
	} else if (reopen) {
		e.status = "open";
		e.end_date = NULL;
		e.end_reason = NULL;
	}
	if ((rc = store_begin(st)) != JW_OK) {
		free(data);
		record_release(&old);
		record_release(&merged);
		return jw_fail(err, rc, "", NULL);
	}
	rc = STORE_CALL(st, entry_put, a->community, &e, err);
	if (rc == JW_OK) {
		char *oj = l->restricted ? NULL : audit_json(l, o.subject_id, &old, o.status, NULL);
		char *nj = audit_json(l, o.subject_id, &merged, e.status, &old);
		rc = svc_audit_raw(st, a, "update", "ledger_entry", id, oj, nj, err);
		free(oj);
		free(nj);
	}
	if (rc == JW_OK && (rc = store_commit(st)) != JW_OK)
		rc = jw_fail(err, rc, "", NULL);
	else if (rc != JW_OK)
		store_rollback(st);
	free(data);
	record_release(&old);
	record_release(&merged);
	return rc;
}

/* ---- derived membership ---- */

/* Entries closed by a change hook, gathered while the store closes them and
 * audited afterwards, each with the actor whose change closed it. */
struct closed_entry {
	int64_t id, subject_id;
	char ledger[40], subject[16], end_date[11], end_reason[160];
};
struct closings {
	int n, cap;
	struct closed_entry *e;
};

static int closing_add(const struct entry_row *r, void *ud)
{
	struct closings *c = ud;
	if (c->n == c->cap) {
		int cap = c->cap ? 2 * c->cap : 8;
		struct closed_entry *p = realloc(c->e, (size_t)cap * sizeof(c->e[0]));
		if (!p)
			abort();   /* out of memory, as xstrdup */
		c->e = p;
		c->cap = cap;
	}
	struct closed_entry *e = &c->e[c->n++];
	e->id = r->id;
	e->subject_id = r->subject_id;
	snprintf(e->ledger, sizeof(e->ledger), "%s", r->ledger ? r->ledger : "");
	snprintf(e->subject, sizeof(e->subject), "%s", r->subject ? r->subject : "");
	snprintf(e->end_date, sizeof(e->end_date), "%s", r->end_date ? r->end_date : "");
	snprintf(e->end_reason, sizeof(e->end_reason), "%s", r->end_reason ? r->end_reason : "");
	return JW_OK;
}

/* One audit record a closed entry (action close), naming the actor and the
 * change that caused it; a restricted ledger's record names neither the
 * subject nor the reason (as its other records name no values). */
static int closings_audit(struct store *st, const struct actor *a, const struct closings *c, const char *cause,
			  struct jw_error *err)
{
	int rc = JW_OK;
	for (int i = 0; rc == JW_OK && i < c->n; i++) {
		const struct closed_entry *e = &c->e[i];
		const struct ledger_def *l = ledger_find(st, a->community, e->ledger);
		json_t *o = json_pack("{s:s,s:s}", "ledger", e->ledger, "status", "open");
		json_t *j = json_pack("{s:s}", "ledger", e->ledger);
		if (!(l && l->restricted)) {
			json_object_set_new(j, "subject_id", json_integer(e->subject_id));
			json_object_set_new(j, "status", json_string("closed"));
			json_object_set_new(j, "end_date", json_string(e->end_date));
			json_object_set_new(j, "end_reason", json_string(e->end_reason));
		} else {
			json_object_set_new(j, "status", json_string("closed"));
		}
		json_object_set_new(j, "cause", json_string(cause));
		char *oj = json_dumps(o, JSON_COMPACT), *nj = json_dumps(j, JSON_COMPACT);
		rc = svc_audit_raw(st, a, "close", "ledger_entry", e->id, oj, nj, err);
		free(oj);
		free(nj);
		json_decref(o);
		json_decref(j);
	}
	return rc;
}

static int derive_range(struct store *st, const char *community, int64_t only_person, int64_t only_household,
			bool insert_only, int64_t id_lo, int64_t id_hi, struct closings *cl_out, int64_t *added,
			int64_t *closed, const struct record *rec, struct jw_error *err);

static int derive(struct store *st, const char *community, int64_t only_person, int64_t only_household,
		  bool insert_only, int64_t *added, int64_t *closed, struct jw_error *err)
{
	return derive_range(st, community, only_person, only_household, insert_only, 0, 0, NULL, added, closed,
			    NULL, err);
}

/* id_hi > 0: only subjects with ids id_lo..id_hi, without the bulk cache
 * (one batch of a background derivation).  cl_out (one subject only):
 * gathers the entries closed, for their audit records. */
/* rec: with insert_only, the new person's row, so that the ledgers whose
 * own tests it surely fails are not asked (a create stays cheap). */
static int derive_range(struct store *st, const char *community, int64_t only_person, int64_t only_household,
			bool insert_only, int64_t id_lo, int64_t id_hi, struct closings *cl_out, int64_t *added,
			int64_t *closed, const struct record *rec, struct jw_error *err)
{
	char today[11];
	int y, m, d;
	date_today(&y, &m, &d);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", y, m, d);
	int64_t a_sum = 0, c_sum = 0;
	int rc = JW_OK;
	bool full = !only_person && !only_household && id_hi <= 0;
	if (full)   /* a big page cache: hundreds of thousands of index entries */
		store_bulk(st, true);
	for (int i = 0; rc == JW_OK && i < nbuiltin_ledgers; i++) {
		const struct ledger_def *l = &builtin_ledgers[i];
		if (!l->derive)
			continue;
		/* the rule is the ledger's declaration: the store compiles it */
		struct derive_req q = { .ledger = l->key, .subject = subject_key(l->subject), .rule = l->derive,
					.fields = svc_ledger_kind(l), .today = today, .insert_only = insert_only,
					.id_lo = id_lo, .id_hi = id_hi, .closed_cb = cl_out ? closing_add : NULL,
					.closed_ud = cl_out };
		bool person = l->subject == ENT_PERSON;
		if ((only_person || only_household) && !(person ? only_person : only_household))
			continue;
		if (insert_only && person && rec && !derive_subject_may_hold(l->derive, rec, y, m, d))
			continue;
		q.only_id = person ? only_person : only_household;
		/* a person's change touches the household's other members (独居, 空巢) */
		q.only_household = person && only_person ? only_household : 0;
		int64_t ad = 0, cl = 0;
		rc = STORE_CALL(st, ledger_derive, community, &q, &ad, &cl, err);
		a_sum += ad;
		c_sum += cl;
	}
	if (full)
		store_bulk(st, false);
	if (added)
		*added = a_sum;
	if (closed)
		*closed = c_sum;
	return rc;
}

int svc_ledger_derive(struct store *st, const char *community, int64_t only_person, int64_t only_household,
		      int64_t *added, int64_t *closed, struct jw_error *err)
{
	return derive(st, community, only_person, only_household, false, added, closed, err);
}

int svc_ledger_derive_new(struct store *st, const char *community, int64_t *added, struct jw_error *err)
{
	return derive(st, community, 0, 0, true, added, NULL, err);
}

/* ---- the server's derivation, in the background ---- */

static atomic_int g_updating;

bool svc_ledger_updating(void) { return atomic_load(&g_updating) > 0; }

static int newest(const struct record *r, void *ud)
{
	*(int64_t *)ud = r->id;
	return 1;
}

static int newest_id(struct store *st, const char *community, enum entity_id e, int64_t *id, struct jw_error *err)
{
	struct query q;
	query_init(&q);
	q.limit = 1;   /* newest first: the highest id */
	q.want_total = false;
	*id = 0;
	int rc = STORE_CALL(st, record_list, community, &entities[e], &q, newest, id, NULL, err);
	return rc == 1 ? JW_OK : rc;
}

/* JUWEI_DERIVE_HOLD=FILE (tests): wait between batches while FILE exists,
 * so that a test can act while the derivation is under way. */
static void hold_while_file(void)
{
	const char *f = getenv("JUWEI_DERIVE_HOLD");
	while (f && *f && access(f, F_OK) == 0)
		usleep(20000);
}

int svc_ledger_derive_batched(struct store *st, const char *community, int64_t batch, int64_t *added,
			      int64_t *closed, struct jw_error *err)
{
	int64_t a_sum = 0, c_sum = 0, last_p = 0, last_h = 0;
	const char *env = getenv("JUWEI_DERIVE_BATCH");
	int64_t n;
	if (env && parse_i64(env, 1, INT64_MAX, &n))
		batch = n;
	if (batch < 1)
		batch = 20000;
	atomic_fetch_add(&g_updating, 1);
	int rc = newest_id(st, community, ENT_PERSON, &last_p, err);
	if (rc == JW_OK)
		rc = newest_id(st, community, ENT_HOUSEHOLD, &last_h, err);
	int64_t last = last_p > last_h ? last_p : last_h;
	/* ids 1..last in ranges of `batch`, each its own short write
	 * transaction: logins and edits wait for one batch at most */
	for (int64_t lo = 1; rc == JW_OK && lo <= last; lo += batch) {
		if (lo > 1)
			hold_while_file();
		int64_t ad = 0, cl = 0;
		if ((rc = store_begin(st)) != JW_OK) {
			rc = jw_fail(err, rc, "", "数据库忙，台账稍后再更新");
			break;
		}
		rc = derive_range(st, community, 0, 0, false, lo, lo + batch - 1, NULL, &ad, &cl, NULL, err);
		if (rc == JW_OK && (rc = store_commit(st)) != JW_OK)
			rc = jw_fail(err, rc, "", NULL);
		else if (rc != JW_OK)
			store_rollback(st);
		a_sum += ad;
		c_sum += cl;
	}
	atomic_fetch_sub(&g_updating, 1);
	if (added)
		*added = a_sum;
	if (closed)
		*closed = c_sum;
	return rc;
}

int svc_ledger_derive_daily(struct store *st, const char *community, const char *today, bool at_start,
			    int64_t *added, int64_t *closed, bool *skipped, struct jw_error *err)
{
	char key[64], done[16] = "";
	snprintf(key, sizeof(key), "ledgers_derived_on/%s", community);
	*skipped = false;
	int rc = STORE_CALL(st, meta_get, key, done, sizeof(done), err);
	if (rc != JW_OK)
		return rc;
	if (!at_start && strcmp(done, today) == 0) {
		*skipped = true;   /* another process did today's */
		return JW_OK;
	}
	if ((rc = svc_ledger_derive_batched(st, community, 0, added, closed, err)) != JW_OK)
		return rc;
	if ((rc = store_begin(st)) != JW_OK)
		return jw_fail(err, rc, "", NULL);
	if ((rc = STORE_CALL(st, meta_put, key, today, err)) != JW_OK) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st) == JW_OK ? JW_OK : jw_fail(err, JW_ESTORE, "", NULL);
}

static int first_member(const struct record *r, void *ud)
{
	*(int64_t *)ud = r->id;
	return 1;
}

/* Re-derives a household's remaining members (after one left or died):
 * through one of them, whose household's 独居/空巢 follow. */
static int household_members(struct store *st, const char *community, int64_t household_id,
			     struct closings *cl, struct jw_error *err)
{
	struct query q;
	char hid[24];
	int64_t pid = 0;
	query_init(&q);
	q.active_only = true;
	q.limit = 1;
	snprintf(hid, sizeof(hid), "%lld", (long long)household_id);
	query_filter(&q, "household_id", FOP_EQ, hid);
	int rc = STORE_CALL(st, record_list, community, &entities[ENT_PERSON], &q, first_member, &pid, NULL, err);
	if (rc != JW_OK && rc != 1)
		return rc;
	if (!pid)
		return JW_OK;   /* nobody left */
	return derive_range(st, community, pid, household_id, false, 0, 0, cl, NULL, NULL, NULL, err);
}

/* The ledgers' change hook: derived membership follows every change of a
 * person or household in the change's transaction (a bulk load takes its
 * newcomers in once, at its end: svc_ledger_derive_new), and a
 * de-registered person's open entries are closed.  Every closing is
 * audited with the actor. */
static int ledger_on_change(struct store *st, const struct actor *a, const struct hook_change *c,
			    struct jw_error *err)
{
	const char *com = a->community;
	struct closings cl = { 0 };
	int rc = JW_OK;
	switch (c->ev) {
	case EV_PERSON_CREATED:
	case EV_HOUSEHOLD_CREATED:
		if (a->bulk)
			return JW_OK;
		/* fall through */
	case EV_PERSON_CHANGED:
	case EV_HOUSEHOLD_CHANGED:
	case EV_HOUSEHOLD_MOVED:
	case EV_PERSON_MOVED: {
		bool person = c->ev == EV_PERSON_CREATED || c->ev == EV_PERSON_CHANGED || c->ev == EV_PERSON_MOVED;
		/* a newcomer in no household has no entries to close and changes
		 * nobody else's: only its own entries are added */
		bool new_alone = c->ev == EV_PERSON_CREATED && !c->household_id;
		rc = derive_range(st, com, person ? c->id : 0, person ? c->household_id : c->id, new_alone, 0, 0, &cl,
				  NULL, NULL, new_alone ? c->rec : NULL, err);
		/* the household left behind: its ledgers and its members' 独居/空巢 */
		if (rc == JW_OK && c->ev == EV_PERSON_MOVED && c->old_household_id)
			rc = derive_range(st, com, 0, c->old_household_id, false, 0, 0, &cl, NULL, NULL, NULL, err);
		if (rc == JW_OK && c->ev == EV_PERSON_MOVED && c->old_household_id)
			rc = household_members(st, com, c->old_household_id, &cl, err);
		break;
	}
	case EV_PERSON_DEREGISTERED: {
		char reason[96];
		int64_t n = 0;
		snprintf(reason, sizeof(reason), "注销：%s", c->reason ? c->reason : "");
		rc = STORE_CALL(st, entry_close_subject, com, "person", c->id, c->date, reason, closing_add, &cl, &n,
				err);
		/* the household: its ledgers and its other members' 独居/空巢 */
		if (rc == JW_OK && c->household_id)
			rc = derive_range(st, com, 0, c->household_id, false, 0, 0, &cl, NULL, NULL, NULL, err);
		if (rc == JW_OK && c->household_id)
			rc = household_members(st, com, c->household_id, &cl, err);
		break;
	}
	default:
		break;
	}
	if (rc == JW_OK)
		rc = closings_audit(st, a, &cl, hook_event_name(c->ev), err);
	free(cl.e);
	return rc;
}

const struct hook ledger_hook = {
	"ledgers",
	EV_BIT(EV_PERSON_CREATED) | EV_BIT(EV_PERSON_CHANGED) | EV_BIT(EV_PERSON_MOVED) |
		EV_BIT(EV_PERSON_DEREGISTERED) | EV_BIT(EV_HOUSEHOLD_CREATED) | EV_BIT(EV_HOUSEHOLD_CHANGED) |
		EV_BIT(EV_HOUSEHOLD_MOVED),
	ledger_on_change,
};

/* ---- statistics ---- */

struct stat_ctx { struct ledger_stats *s; };

static int building_add(const struct stat_cell *c, void *ud);

static int stat_add(const struct stat_cell *c, void *ud)
{
	struct ledger_stats *s = ud;
	if (s->only_grid && (c->age5 <= -2 || c->grid_id != s->only_grid))
		return JW_OK;   /* a grid worker's figures are their grid's */
	if (c->age5 == -2)
		return s->area_sum ? JW_OK : building_add(c, ud);
	/* by grid (an area's table is by community instead) */
	if (c->grid_id >= 0 && !s->area_sum) {
		int g;
		for (g = 0; g < s->ngrids && s->grid_id[g] != c->grid_id; g++)
			;
		if (g == s->ngrids && g < STAT_MAX_GRIDS) {
			s->grid_id[g] = c->grid_id;
			s->ngrids++;
		}
		if (g < STAT_MAX_GRIDS)
			s->by_grid[g] += c->n;
	}
	if (c->age5 == -3)
		return JW_OK;   /* a grid's count alone: its people are in the other cells */
	s->total += c->n;
	bool man = strcmp(c->sex, "1") == 0, woman = strcmp(c->sex, "2") == 0;
	if (man)
		s->men += c->n;
	else if (woman)
		s->women += c->n;
	else
		s->sex_unknown += c->n;
	if (c->age5 < 0) {
		s->age_unknown += c->n;
	} else {
		if (man)
			s->pyramid_men[c->age5] += c->n;
		else if (woman)
			s->pyramid_women[c->age5] += c->n;
		/* the age bands of the lists, on 5-year groups (their edges are
		 * multiples of 5) */
		int lo = c->age5 * 5;
		for (int b = 0; b < nage_bands && b < 8; b++)
			if (lo >= age_bands[b].from && (age_bands[b].to < 0 || lo + 4 <= age_bands[b].to))
				s->band[b] += c->n;
	}
	return JW_OK;
}

/* Keeps the 30 buildings with most (cells arrive unordered). */
static int building_add(const struct stat_cell *c, void *ud)
{
	struct ledger_stats *s = ud;
	int at = s->nbuildings;
	while (at > 0 && (s->by_building[at - 1] < c->n ||
			  (s->by_building[at - 1] == c->n && s->building_id[at - 1] > c->grid_id)))
		at--;   /* most first, then by id */
	if (at >= 30)
		return JW_OK;
	int last = s->nbuildings < 30 ? s->nbuildings : 29;
	for (int i = last; i > at; i--) {
		s->building_id[i] = s->building_id[i - 1];
		s->by_building[i] = s->by_building[i - 1];
	}
	s->building_id[at] = c->grid_id;
	s->by_building[at] = c->n;
	if (s->nbuildings < 30)
		s->nbuildings++;
	return JW_OK;
}

/* A month's count of entries opened (or closed) into the trend. */
struct trend_ctx { struct ledger_stats *s; bool closed; };

static int trend_add(const char *const *keys, int64_t n, void *ud)
{
	struct trend_ctx *c = ud;
	for (int i = 0; keys[0] && i < c->s->ntrend; i++)
		if (strcmp(c->s->trend_month[i], keys[0]) == 0)
			*(c->closed ? &c->s->trend_closed[i] : &c->s->trend_opened[i]) = n;
	return JW_OK;
}

/* One group of a declared dimension into out->by[], kept most first. */
static int by_add(const char *const *keys, int64_t n, void *ud)
{
	struct stat_by *b = ud;
	int at = b->n < STAT_BY_MAX ? b->n++ : STAT_BY_MAX - 1;
	if (at == STAT_BY_MAX - 1 && b->count[at] >= n)
		return JW_OK;
	while (at > 0 && b->count[at - 1] < n) {
		memcpy(b->key[at], b->key[at - 1], sizeof(b->key[at]));
		b->count[at] = b->count[at - 1];
		at--;
	}
	snprintf(b->key[at], sizeof(b->key[at]), "%s", keys[0] ? keys[0] : "");
	b->count[at] = n;
	return JW_OK;
}

/* The entries of l counted by each dimension its declaration names (its
 * own records: a grid worker's are the team's too, they lie in no grid). */
static int stats_by(struct store *st, const struct actor *a, const struct ledger_def *l, const char *today,
		    struct ledger_stats *out, struct jw_error *err)
{
	const struct kind *k = svc_ledger_kind(l);
	struct query q;
	query_init(&q);
	query_filter(&q, "end_date", FOP_NULL, NULL);
	int rc = JW_OK;
	for (int i = 0; rc == JW_OK && i < l->ndims && i < KIND_MAX_DIMS; i++) {
		struct stat_by *b = &out->by[out->nby++];
		b->name = l->dims[i].name;
		b->label = l->dims[i].label;
		const char *dim = l->dims[i].name;
		rc = STORE_CALL(st, count_by, a->community, k, &q, &dim, 1, today, by_add, b, err);
	}
	return rc;
}

/* The names of the figures' grids or buildings: each listed record's name
 * into the slot of its id. */
struct names_of { const int64_t *id; char (*name)[64]; int n; int field; };

static int name_of(const struct record *r, void *ud)
{
	struct names_of *o = ud;
	for (int i = 0; i < o->n; i++)
		if (o->id[i] == r->id)
			snprintf(o->name[i], sizeof(o->name[i]), "%s", record_get(r, o->field));
	return JW_OK;
}

int svc_ledger_stats(struct store *st, const struct actor *a, const struct ledger_def *l,
		     struct ledger_stats *out, struct jw_error *err)
{
	char today[11], since[11];
	int y, m, d;
	memset(out, 0, sizeof(*out));
	if (l && !ledger_can(st, a, l, false))
		return refuse(a, l, false, err);
	if (!l && a->role == ROLE_GRID_WORKER)
		return jw_fail(err, JW_EPERM, "", "社区统计只对社区工作人员开放");
	if (a->role == ROLE_GRID_WORKER)
		out->only_grid = a->grid_id;
	out->area_sum = strlen(a->community) < 12;
	date_today(&y, &m, &d);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", y, m, d);
	int rc = STORE_CALL(st, age_counts, a->community, l ? svc_ledger_kind(l) : &entities[ENT_PERSON], out->only_grid,
			    today, stat_add, out, err);
	if (rc != JW_OK)
		return rc;
	/* grid names: the community's grids in one list (hundreds at a street
	 * office's scale: one query, not one each) */
	for (int g = 0; g < out->ngrids; g++)
		snprintf(out->grid_name[g], sizeof(out->grid_name[g]), "%s", "未分网格");
	if (out->ngrids) {
		struct query gq;
		query_init(&gq);
		gq.limit = INT64_MAX;
		gq.want_total = false;
		struct jw_error e2;
		struct names_of o = { out->grid_id, out->grid_name, out->ngrids, GF_NAME };
		STORE_CALL(st, record_list, a->community, &entities[ENT_GRID], &gq, name_of, &o, NULL, &e2);
	}
	/* the buildings' names: one list of those ids */
	char ids[30 * 24] = "";
	size_t at = 0;
	for (int i = 0; i < out->nbuildings; i++) {
		snprintf(out->building_name[i], sizeof(out->building_name[i]), "%s", "未登记房屋");
		if (out->building_id[i] > 0 && at < sizeof(ids))
			at += (size_t)snprintf(ids + at, sizeof(ids) - at, "%s%lld", at ? "|" : "",
					       (long long)out->building_id[i]);
	}
	if (at && at < sizeof(ids)) {
		struct query bq;
		query_init(&bq);
		bq.limit = 30;
		bq.want_total = false;
		query_filter(&bq, "id", FOP_IN, ids);
		struct jw_error e2;
		struct names_of o = { out->building_id, out->building_name, out->nbuildings, BF_NAME };
		STORE_CALL(st, record_list, a->community, &entities[ENT_BUILDING], &bq, name_of, &o, NULL, &e2);
	}
	/* the last 12 months, oldest first (the whole community's: not for a grid worker) */
	if (l && !out->only_grid && !l->dims) {   /* a ledger with its own dimensions has no in/out trend */
		out->ntrend = 12;
		for (int i = 0; i < 12; i++) {
			int mm = m - 11 + i, yy = y;
			while (mm < 1) {
				mm += 12;
				yy--;
			}
			snprintf(out->trend_month[i], sizeof(out->trend_month[i]), "%04d-%02d", yy, mm);
		}
		snprintf(since, sizeof(since), "%.7s-01", out->trend_month[0]);
		/* entries opened a month, and closed a month, since then */
		const struct kind *k = svc_ledger_kind(l);
		static const char *const dims[2] = { "opened", "closed" };
		static const char *const cols[2] = { "start_date", "end_date" };
		for (int i = 0; rc == JW_OK && i < 2; i++) {
			struct query q;
			query_init(&q);
			query_filter(&q, cols[i], FOP_GE, since);
			struct trend_ctx tc = { out, i == 1 };
			rc = STORE_CALL(st, count_by, a->community, k, &q, &dims[i], 1, today, trend_add, &tc, err);
		}
	}
	if (l && l->dims && rc == JW_OK)
		rc = stats_by(st, a, l, today, out, err);
	if (l && rc == JW_OK)
		rc = audit_read(st, a, l, 0, "stats", err);
	return rc;
}

/* ---- visits ---- */

/* The entity a subject names ("person", "household", "house"), or -1. */
static int subject_entity(const char *subject)
{
	const struct kind *e = subject ? entity_by_key(subject) : NULL;
	if (!e || (e->id != ENT_PERSON && e->id != ENT_HOUSEHOLD && e->id != ENT_HOUSE))
		return -1;
	return e->id;
}

int svc_visit_add(struct store *st, const struct actor *a, const char *subject, int64_t subject_id,
		  int64_t entry_id, const char *date, const char *method, const char *note, const char *next_date,
		  struct verr *ve, int64_t *id, struct jw_error *err)
{
	char today[11];
	int y, m, d;
	if (!svc_can(a, &entities[ENT_PERSON], P_WRITE))
		return jw_fail(err, JW_EPERM, "", "您的角色（%s）不能登记走访", role_label(a->role));
	/* a visit on an entry: its subject, and its ledger's restriction */
	struct ledger_of eo = { .key = "" };
	const struct ledger_def *el = NULL;
	if (entry_id > 0) {
		int rc0 = entry_by_id(st, a->community, entry_id, ledger_of_cb, &eo, err);
		free(eo.data);
		eo.data = NULL;
		if (rc0 == JW_ENOTFOUND)
			return jw_fail(err, JW_ENOTFOUND, "entry_id", "没有编号为%lld的台账记录", (long long)entry_id);
		if (rc0 != JW_OK)
			return rc0;
		if (!(el = ledger_find(st, a->community, eo.ledger)))
			return jw_fail(err, JW_ENOTFOUND, "entry_id", "没有编号为%lld的台账记录", (long long)entry_id);
		if (!ledger_can(st, a, el, true))
			return refuse(a, el, true, err);
		if (a->role == ROLE_GRID_WORKER && eo.grid != a->grid_id)
			return jw_fail(err, JW_EPERM, "entry_id", "这条记录不在您负责的网格内");
		subject = eo.subject;
		subject_id = eo.subject_id;
	}
	if (subject_entity(subject) < 0)
		return jw_fail(err, JW_EBADREQ, "subject", "走访对象应为 person、household 或 house");
	date_today(&y, &m, &d);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", y, m, d);
	if (str_empty(date))
		date = today;
	else if (!date_parse(date, &y, &m, &d))
		verr_add(ve, "visit_date", "走访日期应为有效日期，格式如 2026-03-05");
	else if (strcmp(date, today) > 0)
		verr_add(ve, "visit_date", "走访日期不能晚于今天");
	if (!str_empty(next_date) && !date_parse(next_date, &y, &m, &d))
		verr_add(ve, "next_date", "下次走访日期应为有效日期，格式如 2026-03-12");
	else if (!str_empty(next_date) && strcmp(next_date, date) <= 0)
		verr_add(ve, "next_date", "下次走访日期应晚于本次走访日期");
	if (str_empty(note))
		verr_add(ve, "note", "请填写走访情况");
	else if (utf8_chars(note) > 1000)
		verr_add(ve, "note", "走访情况最多1000字");
	if (method && utf8_chars(method) > 20)
		verr_add(ve, "method", "走访方式最多20字，如 上门、电话、视频");
	struct ledger_def probe = { .subject = (enum entity_id)subject_entity(subject) };
	int rc = check_subject(st, a, &probe, subject_id, ve, err);
	if (rc != JW_OK)
		return rc;
	if (ve->n)
		return verr_to_error(ve, err);
	struct visit_row v = { .subject = subject, .subject_id = subject_id, .visit_date = date,
			       .method = str_empty(method) ? "上门" : method, .note = note,
			       .next_date = str_empty(next_date) ? NULL : next_date, .username = a->username,
			       .entry_id = entry_id, .restricted_to = el && el->restricted ? el->key : NULL };
	struct record vr;
	record_init(&vr, &visit_kind);
	record_set(&vr, VF_SUBJECT, v.subject);
	record_setf(&vr, VF_SUBJECT_ID, "%lld", (long long)v.subject_id);
	record_set(&vr, VF_VISIT_DATE, v.visit_date);
	record_set(&vr, VF_METHOD, v.method);
	record_set(&vr, VF_NOTE, v.note);
	record_set(&vr, VF_NEXT_DATE, v.next_date);
	record_set(&vr, VF_USERNAME, v.username);
	if (v.entry_id > 0)
		record_setf(&vr, VF_ENTRY_ID, "%lld", (long long)v.entry_id);
	record_set(&vr, VF_RESTRICTED_TO, v.restricted_to);
	if ((rc = store_begin(st)) != JW_OK) {
		record_release(&vr);
		return jw_fail(err, rc, "", NULL);
	}
	rc = STORE_CALL(st, record_insert, a->community, &vr, err);
	v.id = vr.id;
	record_release(&vr);
	if (rc == JW_OK) {
		char json[256];
		if (v.restricted_to)   /* who was visited is the restricted ledger's */
			snprintf(json, sizeof(json), "{\"ledger\":\"%s\",\"entry_id\":%lld,\"visit_date\":\"%s\"}",
				 v.restricted_to, (long long)entry_id, date);
		else if (entry_id > 0)
			snprintf(json, sizeof(json), "{\"subject\":\"%s\",\"subject_id\":%lld,\"entry_id\":%lld,"
				 "\"visit_date\":\"%s\"}", subject, (long long)subject_id, (long long)entry_id, date);
		else
			snprintf(json, sizeof(json), "{\"subject\":\"%s\",\"subject_id\":%lld,\"visit_date\":\"%s\"}",
				 subject, (long long)subject_id, date);
		rc = svc_audit_raw(st, a, "create", "visit", v.id, NULL, json, err);
	}
	if (rc == JW_OK && (rc = store_commit(st)) != JW_OK)
		rc = jw_fail(err, rc, "", NULL);
	else if (rc != JW_OK)
		store_rollback(st);
	if (rc == JW_OK)
		*id = v.id;
	return rc;
}

/* Lists the visits the viewer may see: a restricted ledger's only to its
 * readers, each such one audited as read. */
struct vis_filter {
	struct store *st;
	const struct actor *a;
	visit_cb cb;
	void *ud;
	int nhit;
	int64_t hit[200];
	const struct ledger_def *hit_l[200];
};

static int64_t int_of(const char *s) { return s ? strtoll(s, NULL, 10) : 0; }

static int vis_filter_cb(const struct record *r, void *ud)
{
	struct vis_filter *f = ud;
	const struct visit_row row = {
		.id = r->id, .subject = record_get(r, VF_SUBJECT), .subject_id = int_of(record_get(r, VF_SUBJECT_ID)),
		.visit_date = record_get(r, VF_VISIT_DATE), .method = record_get(r, VF_METHOD),
		.note = record_get(r, VF_NOTE), .next_date = record_get(r, VF_NEXT_DATE),
		.username = record_get(r, VF_USERNAME), .created_at = int_of(record_get(r, VF_CREATED_AT)),
		.entry_id = int_of(record_get(r, VF_ENTRY_ID)), .restricted_to = record_get(r, VF_RESTRICTED_TO),
	};
	const struct visit_row *v = &row;
	if (v->restricted_to) {
		const struct ledger_def *l = ledger_builtin(v->restricted_to);
		if (!l || !ledger_can(f->st, f->a, l, false))
			return JW_OK;
		if (f->nhit < 200) {
			f->hit_l[f->nhit] = l;
			f->hit[f->nhit++] = v->id;
		}
	}
	return f->cb(v, f->ud);
}

int svc_visit_list(struct store *st, const struct actor *a, const char *subject, int64_t subject_id,
		   visit_cb cb, void *ud, struct jw_error *err)
{
	if (!svc_can(a, &entities[ENT_PERSON], P_READ))
		return jw_fail(err, JW_EPERM, "", NULL);
	if (subject_entity(subject) < 0)
		return jw_fail(err, JW_EBADREQ, "subject", "走访对象应为 person、household 或 house");
	struct verr ve;
	verr_init(&ve);
	struct ledger_def probe = { .subject = (enum entity_id)subject_entity(subject) };
	int rc = check_subject(st, a, &probe, subject_id, &ve, err);
	if (rc != JW_OK)
		return rc;
	struct vis_filter *f = xcalloc(1, sizeof(*f));
	*f = (struct vis_filter){ .st = st, .a = a, .cb = cb, .ud = ud };
	/* the latest 200, newest first */
	struct query q;
	char sid[24];
	snprintf(sid, sizeof(sid), "%lld", (long long)subject_id);
	query_init(&q);
	q.limit = 200;
	q.want_total = false;
	q.sort = "-visit_date";
	query_filter(&q, "subject", FOP_EQ, subject);
	query_filter(&q, "subject_id", FOP_EQ, sid);
	rc = STORE_CALL(st, record_list, a->community, &visit_kind, &q, vis_filter_cb, f, NULL, err);
	for (int i = 0; rc == JW_OK && i < f->nhit; i++) {
		char json[160];
		snprintf(json, sizeof(json), "{\"ledger\":\"%s\",\"read\":\"visit\",\"visit_id\":%lld}",
			 f->hit_l[i]->key, (long long)f->hit[i]);
		rc = svc_audit_raw(st, a, "ledger_read", "visit", f->hit[i], NULL, json, err);
	}
	free(f);
	return rc;
}

/* ---- reminders ---- */

#define REM_PAGE 500

struct rem_ctx {
	reminder_cb cb;
	void *ud;
	struct reminder r;
	const char *today;
	int field_ix;             /* the field that holds the due date (ending) */
	const struct ledger_def *l;
	int window_days;
	int ty, tm, td;
	/* paging: rows of this page, the last id, the restricted entries shown */
	int64_t n, last_id;
	int nhit;
	int64_t hit[REM_PAGE];
	/* the cap of each group (0 none), how many of this group went out,
	 * and whether it had more */
	int64_t each, shown;
	bool more;
	const char *only_kind, *only_ledger;
};

#define REM_FULL 4242   /* a group's cap reached: the listing stops (not a JW_ code) */

/* Whether the next reminder of the group goes out (under the cap). */
static bool rem_room(struct rem_ctx *c)
{
	if (c->each > 0 && c->shown >= c->each) {
		c->more = true;
		return false;
	}
	c->shown++;
	return true;
}

/* Starts a group of reminders: false when the options leave it out. */
static bool rem_group(struct rem_ctx *c, struct reminder r)
{
	c->r = r;
	c->shown = 0;
	c->more = false;
	if (c->only_kind && strcmp(c->only_kind, r.kind) != 0)
		return false;
	if (c->only_ledger && (!r.ledger || strcmp(c->only_ledger, r.ledger) != 0))
		return false;
	return true;
}

/* Ends a group: a listing the cap stopped is not an error; the "more" one. */
static int rem_group_end(struct rem_ctx *c, int rc)
{
	if (rc == REM_FULL)
		rc = JW_OK;
	if (rc == JW_OK && c->more) {
		struct reminder m = { .kind = c->r.kind, .label = c->r.label, .ledger = c->r.ledger, .more = true };
		rc = c->cb(&m, c->ud);
	}
	return rc;
}

static int rem_person80(const struct record *p, void *ud)
{
	struct rem_ctx *c = ud;
	int y, m, d, oy, om, od;
	c->n++;
	if (!date_parse(record_get(p, PF_BIRTH_DATE), &y, &m, &d))
		return JW_OK;
	if (!rem_room(c))
		return REM_FULL;
	date_turning(y, m, d, 80, &oy, &om, &od);
	snprintf(c->r.date, sizeof(c->r.date), "%04d-%02d-%02d", oy, om, od);
	c->r.subject_id = p->id;
	c->r.name = record_get(p, PF_NAME);
	snprintf(c->r.detail, sizeof(c->r.detail), "%s年满80周岁，可申请高龄津贴", c->r.date);
	return c->cb(&c->r, c->ud);
}

/* A reminder from entry e; a restricted ledger's entry is noted for its
 * ledger_read audit record. */
static int rem_emit(struct rem_ctx *c, const struct entry_row *e)
{
	if (!rem_room(c))
		return REM_FULL;
	if (c->l->restricted && c->nhit < REM_PAGE)
		c->hit[c->nhit++] = e->id;
	return c->cb(&c->r, c->ud);
}

static int rem_entry(const struct entry_row *e, void *ud)
{
	struct rem_ctx *c = ud;
	c->n++;
	c->last_id = e->id;
	c->r.subject = e->subject;
	c->r.subject_id = e->subject_id;
	c->r.name = e->name;
	if (strcmp(c->r.kind, "pension") == 0) {
		/* the query chose those born in the month and not certified in
		 * the year of the window */
		int y, m, d;
		if (!e->birth_date || !date_parse(e->birth_date, &y, &m, &d))
			return JW_OK;
		int wy = c->ty + (m < c->tm ? 1 : 0);
		snprintf(c->r.date, sizeof(c->r.date), "%04d-%02d-01", wy, m);
		snprintf(c->r.detail, sizeof(c->r.detail), "养老金资格认证：%d月（生日所在月）", m);
		return rem_emit(c, e);
	}
	if (strcmp(c->r.kind, "visit") == 0) {
		snprintf(c->r.date, sizeof(c->r.date), "%s", e->next_visit ? e->next_visit : c->today);
		snprintf(c->r.detail, sizeof(c->r.detail), "《%s》要求每%d天走访一次；上次走访：%s", c->l->title,
			 c->l->visit_days, e->last_visit ? e->last_visit : "无记录");
		return rem_emit(c, e);
	}
	/* an end date near: a date field of the ledger (the query chose the window) */
	char due[16] = "";
	struct record f;
	entry_fields(c->l, e->data, &f);
	const char *v = record_get(&f, c->field_ix);
	if (v)
		snprintf(due, sizeof(due), "%s", v);
	record_release(&f);
	int y, m, d;
	if (!due[0] || !date_parse(due, &y, &m, &d))
		return JW_OK;
	long left = days_between(c->ty, c->tm, c->td, y, m, d);
	if (left < 0 || left > c->window_days)
		return JW_OK;
	snprintf(c->r.date, sizeof(c->r.date), "%04d-%02d-%02d", y, m, d);
	snprintf(c->r.detail, sizeof(c->r.detail), "%s：%s（还有%ld天）", c->l->fields[c->field_ix].label, due, left);
	return rem_emit(c, e);
}

/* Every entry of q, a page at a time (oldest first, by id); a restricted
 * ledger's entries that made a reminder are each audited as read. */
static int rem_pages(struct store *st, const struct actor *a, struct entry_query *q, struct rem_ctx *c,
		     struct jw_error *err)
{
	q->oldest_first = true;
	q->after_id = 0;
	for (;;) {
		/* a capped group reads no more than it can show (and one to know of more) */
		q->limit = c->each > 0 && c->each - c->shown + 1 < REM_PAGE ? c->each - c->shown + 1 : REM_PAGE;
		c->n = 0;
		c->nhit = 0;
		int rc = STORE_CALL(st, entry_list, a->community, q, rem_entry, c, NULL, err);
		if (rc != JW_OK && rc != REM_FULL)
			return rc;
		int full = rc;
		for (int i = 0; i < c->nhit; i++)
			if ((rc = audit_read(st, a, c->l, c->hit[i], "reminder", err)) != JW_OK)
				return rc;
		if (full == REM_FULL)
			return REM_FULL;
		if (c->n < q->limit)
			return JW_OK;
		q->after_id = c->last_id;
	}
}

int svc_reminders(struct store *st, const struct actor *a, const struct reminder_opts *o, reminder_cb cb,
		  void *ud, struct jw_error *err)
{
	char today[11], from[11], to[11];
	struct rem_ctx *c = xcalloc(1, sizeof(*c));
	c->cb = cb;
	c->ud = ud;
	if (o) {
		c->each = o->each;
		c->only_kind = o->kind && *o->kind ? o->kind : NULL;
		c->only_ledger = o->ledger && *o->ledger ? o->ledger : NULL;
	}
	c->today = today;
	date_today(&c->ty, &c->tm, &c->td);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", c->ty, c->tm, c->td);
	int rc = JW_OK;
	if (!svc_can(a, &entities[ENT_PERSON], P_READ)) {
		free(c);
		return jw_fail(err, JW_EPERM, "", NULL);
	}
	/* 1. turning 80 in the next 60 days: born after today-80y (not 80 yet)
	 * and on or before today+60d-80y */
	int y2, m2, d2;
	date_years_before(80, c->ty, c->tm, c->td, from);
	date_add_days(c->ty, c->tm, c->td, 60, &y2, &m2, &d2);
	date_years_before(80, y2, m2, d2, to);
	bool want = rem_group(c, (struct reminder){ .kind = "birthday80", .label = "80周岁生日（高龄津贴）",
						    .ledger = "elderly", .subject = "person" });
	struct query pq;
	query_init(&pq);
	pq.active_only = true;
	pq.limit = c->each > 0 && c->each + 1 < REM_PAGE ? c->each + 1 : REM_PAGE;
	pq.sort = "birth_date";
	query_filter(&pq, "birth_date", FOP_GT, from);
	query_filter(&pq, "birth_date", FOP_LE, to);
	char g[24];
	if (a->role == ROLE_GRID_WORKER) {
		snprintf(g, sizeof(g), "%lld", (long long)a->grid_id);
		query_filter(&pq, "grid_id", FOP_EQ, g);
	}
	do {
		c->n = 0;
		rc = want ? STORE_CALL(st, record_list, a->community, &entities[ENT_PERSON], &pq, rem_person80, c, NULL,
				       err)
			  : JW_OK;
		pq.offset += pq.limit;
	} while (rc == JW_OK && want && c->n == pq.limit);
	rc = rem_group_end(c, rc);
	/* 2–4: from the ledgers the actor may read, filtered by the store */
	for (int i = 0; rc == JW_OK && i < nbuiltin_ledgers; i++) {
		const struct ledger_def *l = &builtin_ledgers[i];
		if (!ledger_can(st, a, l, false))
			continue;
		struct entry_query base = { .ledger = l->key };
		if (a->role == ROLE_GRID_WORKER)
			base.grid_id = a->grid_id;
		c->l = l;
		c->field_ix = -1;
		if (strcmp(l->key, "retirees") == 0) {
			/* born in this month or the next, not certified in the window's year */
			for (int k = 0; rc == JW_OK && k < 2; k++) {
				int mm = (c->tm - 1 + k) % 12 + 1, wy = c->ty + (mm < c->tm ? 1 : 0);
				char month[8], y0[16];
				snprintf(month, sizeof(month), "%02d", mm);
				snprintf(y0, sizeof(y0), "%04d-01-01", wy);
				struct entry_query q = base;
				q.where[q.nwhere++] = (struct entry_filter){ "entry.birth_date", EOP_MONTH, month };
				if (l->year_date)
					q.where[q.nwhere++] = (struct entry_filter){ l->year_date, EOP_LT, y0 };
				if (rem_group(c, (struct reminder){ .kind = "pension", .label = "养老金资格认证",
								    .ledger = l->key }))
					rc = rem_group_end(c, rem_pages(st, a, &q, c, err));
			}
		}
		if (rc == JW_OK && l->visit_days > 0) {
			char before[11];
			int vy, vm, vd;
			date_add_days(c->ty, c->tm, c->td, -l->visit_days, &vy, &vm, &vd);
			snprintf(before, sizeof(before), "%04d-%02d-%02d", vy, vm, vd);
			struct entry_query vq = base;
			vq.visit_before = before;
			if (strcmp(l->key, "elderly") == 0)   /* the rhythm is for those living alone */
				vq.where[vq.nwhere++] = (struct entry_filter){ "living", EOP_EQ, "独居" };
			if (rem_group(c, (struct reminder){ .kind = "visit", .label = "走访到期", .ledger = l->key }))
				rc = rem_group_end(c, rem_pages(st, a, &vq, c, err));
		}
		/* the entries falling due within 30 days (the due field's index) */
		if (rc == JW_OK && l->due_field) {
			char until[11];
			int uy, um, ud2;
			c->window_days = 30;
			date_add_days(c->ty, c->tm, c->td, c->window_days, &uy, &um, &ud2);
			snprintf(until, sizeof(until), "%04d-%02d-%02d", uy, um, ud2);
			c->field_ix = entity_field_index(svc_ledger_kind(l), l->due_field);
			struct entry_query q = base;
			q.where[q.nwhere++] = (struct entry_filter){ "entry.due_date", EOP_GE, today };
			q.where[q.nwhere++] = (struct entry_filter){ "entry.due_date", EOP_LE, until };
			if (rem_group(c, (struct reminder){ .kind = "ending", .label = "即将到期", .ledger = l->key }))
				rc = rem_group_end(c, rem_pages(st, a, &q, c, err));
		}
	}
	free(c);
	return rc;
}

/* ---- the committee's own ledgers ---- */

static bool key_ok(const char *k)
{
	size_t n = k ? strlen(k) : 0;
	if (n < 2 || n > 32 || !(k[0] >= 'a' && k[0] <= 'z'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

/* Copies s into the definition's string block. */
static const char *keep(char **blk, size_t *left, const char *s)
{
	size_t n = strlen(s) + 1;
	if (n > *left)
		return "";
	char *p = *blk;
	memcpy(p, s, n);
	*blk += n;
	*left -= n;
	return p;
}

static int parse_custom(const char *community, const char *json, struct custom **out, struct verr *ve)
{
	json_error_t je;
	json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		verr_add(ve, "definition", "台账定义应为 JSON 对象：%s", j ? "" : je.text);
		json_decref(j);
		return JW_EINVAL;
	}
	const char *key = json_string_value(json_object_get(j, "key"));
	const char *title = json_string_value(json_object_get(j, "title"));
	const char *subject = json_string_value(json_object_get(j, "subject"));
	json_t *fields = json_object_get(j, "fields");
	if (!key_ok(key))
		verr_add(ve, "key", "台账代码应为2–32个小写字母、数字或下划线，以字母开头，如 pets");
	else if (ledger_builtin(key))
		verr_add(ve, "key", "“%s”是内置台账的代码，请换一个", key);
	if (!title || !*title || utf8_chars(title) > 40)
		verr_add(ve, "title", "请填写台账名称（最多40字），如 养犬登记台账");
	if (subject && subject_entity(subject) < 0)
		verr_add(ve, "subject", "台账对象应为 person（居民）、household（户）或 house（房屋）");
	if (!json_is_array(fields) || json_array_size(fields) < 1 || json_array_size(fields) > LEDGER_MAX_FIELDS - 1)
		verr_add(ve, "fields", "请定义1–%d个项目", LEDGER_MAX_FIELDS - 1);
	if (ve->n) {
		json_decref(j);
		return JW_EINVAL;
	}
	struct custom *c = xcalloc(1, sizeof(*c));
	size_t left = strlen(json) + 4096, nf = json_array_size(fields);
	c->strings = xcalloc(1, left);
	char *blk = c->strings;
	snprintf(c->community, sizeof(c->community), "%s", community);
	for (size_t i = 0; i < nf && !ve->n; i++) {
		json_t *f = json_array_get(fields, i);
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *label = json_string_value(json_object_get(f, "label"));
		const char *type = json_string_value(json_object_get(f, "type"));
		json_t *opts = json_object_get(f, "options");
		char fld[32];
		snprintf(fld, sizeof(fld), "fields[%zu]", i);
		if (!key_ok(name) || strcmp(name, "notes") == 0) {
			verr_add(ve, fld, "第%zu个项目：代码应为2–32个小写字母、数字或下划线，如 breed", i + 1);
			break;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(c->fields[k].name, name) == 0)
				verr_add(ve, fld, "第%zu个项目：代码“%s”重复了", i + 1, name);
		if (!label || !*label || utf8_chars(label) > 30) {
			verr_add(ve, fld, "第%zu个项目：请填写名称（最多30字）", i + 1);
			break;
		}
		enum field_type ft = FT_TEXT;
		if (!type || strcmp(type, "text") == 0)
			ft = FT_TEXT;
		else if (strcmp(type, "number") == 0)
			ft = FT_REAL;
		else if (strcmp(type, "integer") == 0)
			ft = FT_INT;
		else if (strcmp(type, "date") == 0)
			ft = FT_DATE;
		else {
			verr_add(ve, fld, "第%zu个项目：类型应为 text、number、integer 或 date", i + 1);
			break;
		}
		struct field_def *fd = &c->fields[i];
		fd->name = keep(&blk, &left, name);
		fd->label = keep(&blk, &left, label);
		fd->synonyms = fd->label;
		fd->type = ft;
		fd->code_table = -1;
		fd->flags = FF_FORM | FF_LIST | (json_is_true(json_object_get(f, "required")) ? FF_REQUIRED : 0);
		fd->maxlen = ft == FT_TEXT ? 200 : 0;
		if (json_is_array(opts) && json_array_size(opts) > 0 && ft == FT_TEXT) {
			char all[2048] = "";
			size_t o = 0;
			for (size_t k = 0; k < json_array_size(opts); k++) {
				const char *ov = json_string_value(json_array_get(opts, k));
				if (!ov || !*ov || strchr(ov, '|') || o + strlen(ov) + 2 >= sizeof(all)) {
					verr_add(ve, fld, "第%zu个项目：选项应为不含“|”的文字", i + 1);
					break;
				}
				o += (size_t)snprintf(all + o, sizeof(all) - o, "%s%s", k ? "|" : "", ov);
			}
			fd->options = keep(&blk, &left, all);
		}
	}
	if (ve->n) {
		free(c->strings);
		free(c);
		json_decref(j);
		return JW_EINVAL;
	}
	c->fields[nf] = (struct field_def){ "notes", "备注", FT_TEXT, -1, NULL, FF_FORM | FF_MULTILINE, SENS_NONE, 500,
					    "备注", NULL, NULL };
	c->def = (struct ledger_def){
		.key = keep(&blk, &left, key), .title = keep(&blk, &left, title), .line = "自定义",
		.subject = subject ? (enum entity_id)subject_entity(subject) : ENT_PERSON,
		.fields = c->fields, .nfields = (int)nf + 1,
		.read_roles = (1u << ROLE_ADMIN) | (1u << ROLE_DIRECTOR) | (1u << ROLE_WORKER) | (1u << ROLE_GRID_WORKER),
		.write_roles = (1u << ROLE_ADMIN) | (1u << ROLE_DIRECTOR) | (1u << ROLE_WORKER),
		.custom = true,
	};
	ledger_entity(&c->def, &c->ent);
	json_decref(j);
	*out = c;
	return JW_OK;
}

int svc_ledger_define(struct store *st, const struct actor *a, const char *json, struct verr *ve,
		      const struct ledger_def **out, struct jw_error *err)
{
	if (a->role != ROLE_ADMIN && a->role != ROLE_DIRECTOR)
		return jw_fail(err, JW_EPERM, "", "只有管理员和社区主任可以定义台账");
	struct custom *c = NULL;
	if (parse_custom(a->community, json, &c, ve) != JW_OK)
		return verr_to_error(ve, err);
	if (ledger_find(st, a->community, c->def.key)) {
		free(c->strings);
		free(c);
		verr_add(ve, "key", "已有代码为该名称的台账，请换一个代码");
		return jw_fail(err, JW_ECONFLICT, "key", "已有相同代码的台账，请换一个代码");
	}
	int rc = store_begin(st);
	if (rc != JW_OK) {
		free(c->strings);
		free(c);
		return jw_fail(err, rc, "", NULL);
	}
	char mk[96];
	def_key(mk, sizeof(mk), a->community, c->def.key);
	rc = STORE_CALL(st, meta_put, mk, json, err);
	if (rc == JW_OK)
		rc = svc_audit_raw(st, a, "define_ledger", "ledger", 0, NULL, json, err);
	if (rc == JW_OK && (rc = store_commit(st)) != JW_OK)
		rc = jw_fail(err, rc, "", NULL);
	else if (rc != JW_OK)
		store_rollback(st);
	if (rc != JW_OK) {
		free(c->strings);
		free(c);
		return rc;
	}
	pthread_mutex_lock(&g_lock);
	if (g_ncustom < 256)
		g_custom[g_ncustom++] = c;
	pthread_mutex_unlock(&g_lock);
	*out = &c->def;
	return JW_OK;
}

int svc_ledger_reader(struct store *st, const struct actor *a, const struct ledger_def *l, const char *username,
		      bool on, struct jw_error *err)
{
	if (a->role != ROLE_ADMIN && a->role != ROLE_DIRECTOR)
		return jw_fail(err, JW_EPERM, "", "只有管理员和社区主任可以指定受限台账的查看人");
	if (!l->restricted)
		return jw_fail(err, JW_EBADREQ, "ledger", "《%s》不是受限台账，无需指定查看人", l->title);
	struct user_row u;
	int rc = STORE_CALL(st, user_get, username ? username : "", &u, err);
	if (rc == JW_ENOTFOUND || (rc == JW_OK && strcmp(u.community, a->community) != 0))
		return jw_fail(err, JW_ENOTFOUND, "username", "没有名为“%s”的账号", username ? username : "");
	if (rc != JW_OK)
		return rc;
	if (on && role_parse(u.role) == ROLE_ADMIN)
		return jw_fail(err, JW_EINVAL, "username",
			       "“%s”是管理员账号：受限台账只对社区主任和被指定的工作人员开放，管理员不能被指定为查看人",
			       u.username);
	if ((rc = store_begin(st)) != JW_OK)
		return jw_fail(err, rc, "", NULL);
	char mk[128];
	reader_key(mk, sizeof(mk), a->community, l->key, u.id);
	rc = STORE_CALL(st, meta_put, mk, on ? "1" : NULL, err);
	char json[256];
	snprintf(json, sizeof(json), "{\"ledger\":\"%s\",\"user\":\"%s\",\"reader\":%s}", l->key, u.username,
		 on ? "true" : "false");
	if (rc == JW_OK)
		rc = svc_audit_raw(st, a, on ? "grant_reader" : "revoke_reader", "ledger", 0, NULL, json, err);
	if (rc == JW_OK && (rc = store_commit(st)) != JW_OK)
		rc = jw_fail(err, rc, "", NULL);
	else if (rc != JW_OK)
		store_rollback(st);
	return rc;
}

/* ---- choosing an entry's subject (pickers) ---- */

#define PICK_MAX 20

struct pick_ids { int64_t id[PICK_MAX]; int n; int take; /* -1: the row's id, else a person field */ };

static int pick_collect(const struct record *r, void *ud)
{
	struct pick_ids *p = ud;
	int64_t id = r->id;
	if (p->take >= 0 && !record_int(r, p->take, &id))
		return JW_OK;
	for (int i = 0; i < p->n; i++)
		if (p->id[i] == id)
			return JW_OK;
	if (p->n < PICK_MAX && id > 0)
		p->id[p->n++] = id;
	return JW_OK;
}

int svc_ledger_pick(struct store *st, const struct actor *a, const struct ledger_def *l, const char *text,
		    pick_cb cb, void *ud, int *found, struct jw_error *err)
{
	*found = 0;
	if (!ledger_can(st, a, l, true))
		return refuse(a, l, true, err);
	if (str_empty(text))
		return JW_OK;
	if (l->subject == SUBJECT_NONE)
		return JW_OK;   /* nothing to pick */
	const struct kind *se = &entities[l->subject];
	struct pick_ids ids = { .take = -1 };
	struct list_req lr;
	list_req_init(&lr);
	lr.q = text;
	lr.page = 1;
	lr.per_page = PICK_MAX;
	int rc = svc_list(st, a, se, &lr, pick_collect, &ids, NULL, err);
	if (rc != JW_OK)
		return rc;
	if (se->id != ENT_PERSON) {   /* a household or house by a resident's name or number */
		ids.take = se->id == ENT_HOUSEHOLD ? PF_HOUSEHOLD_ID : PF_HOUSE_ID;
		if ((rc = svc_list(st, a, &entities[ENT_PERSON], &lr, pick_collect, &ids, NULL, err)) != JW_OK)
			return rc;
	}
	for (int i = 0; i < ids.n; i++) {
		struct record r, h;
		struct jw_error e2;
		struct ledger_pick p = { .id = ids.id[i] };
		if (svc_get(st, a, se, ids.id[i], &r, &e2) != JW_OK) {
			record_release(&r);
			continue;
		}
		if (se->id == ENT_PERSON) {
			char m[64];
			const char *idm = sens_display(SENS_ID, record_get(&r, PF_ID_NUMBER), false, m, sizeof(m));
			snprintf(p.label, sizeof(p.label), "%s", record_get(&r, PF_NAME) ? record_get(&r, PF_NAME) : "");
			snprintf(p.detail, sizeof(p.detail), "%s %s", idm ? idm : "",
				 record_get(&r, PF_CURRENT_ADDRESS) ? record_get(&r, PF_CURRENT_ADDRESS) : "");
		} else if (se->id == ENT_HOUSEHOLD) {
			int64_t hid = 0;
			snprintf(p.label, sizeof(p.label), "户编号 %s",
				 record_get(&r, HF_HOUSEHOLD_NO) ? record_get(&r, HF_HOUSEHOLD_NO) : "");
			if (record_int(&r, HF_HOUSE_ID, &hid) && svc_get(st, a, &entities[ENT_HOUSE], hid, &h, &e2) == JW_OK)
				snprintf(p.detail, sizeof(p.detail), "%s",
					 record_get(&h, HOF_ADDRESS) ? record_get(&h, HOF_ADDRESS) : "");
			if (hid)
				record_release(&h);
		} else {
			snprintf(p.label, sizeof(p.label), "%s",
				 record_get(&r, HOF_ADDRESS) ? record_get(&r, HOF_ADDRESS) : "");
		}
		record_release(&r);
		(*found)++;
		if ((rc = cb(&p, ud)) != JW_OK)
			return rc;
	}
	return JW_OK;
}

/* The route table's ledger permission (http/routes.c R_LREAD, R_LWRITE),
 * checked by the router before a handler runs, refused in svc's words. */
int svc_ledger_access(struct store *st, const struct actor *a, const struct ledger_def *l, bool write,
		      struct jw_error *err)
{
	return ledger_can(st, a, l, write) ? JW_OK : refuse(a, l, write, err);
}

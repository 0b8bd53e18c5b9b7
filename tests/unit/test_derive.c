/*
 * test_derive.c — derivation rules as declared conditions (model/ledger.h)
 * compiled to SQL by the store (store/derive.c): the SQL text names only
 * declared fields and placeholders; every value — codes, the cut-off dates
 * of ages counted on today (29 February included), labels, JSON paths — is
 * bound; a field that is not declared, or an operator that does not fit it,
 * is refused.  Then, on a small registry: a rule of the test's own run by
 * the store's ledger_derive, and the change hooks (svc/hooks.h) — a
 * de-registration closes every open entry of the person and writes one
 * audit record (action close) an entry naming the actor; a change that
 * takes a person out of a derived ledger does the same; a bulk create is
 * left to the load's batched derivation; an event nobody answers does
 * nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/ledger.h"
#include "store/derive.h"
#include "store/store.h"
#include "svc/hooks.h"
#include "svc/ledger.h"
#include "svc/svc.h"
#include "fixture.h"

static void expect_args(const struct sql_args *a, int first, const char *const *want, int n)
{
	assert_int_equal(a->first, first);
	assert_int_equal(a->n, n);
	for (int i = 0; i < n; i++)
		if (strcmp(a->v[i], want[i]) != 0)
			fail_msg("?%d: want %s, got %s", first + i, want[i], a->v[i]);
}

static void zero_employment_household(void **state)
{
	(void)state;
	const struct ledger_def *l = ledger_builtin("zero_employment");
	assert_non_null(l->derive);
	struct buf b = BUF_INIT;
	struct sql_args a;
	assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
	assert_int_equal(derive_sql_when(&b, &a, l->derive, ENT_HOUSEHOLD, "h"), JW_OK);
	assert_string_equal(buf_cstr(&b),
		"EXISTS (SELECT 1 FROM person m WHERE m.household_id = h.id AND m.status = 'active'"
		" AND m.employment_status = ?9 AND m.birth_date <= ?10 AND m.birth_date > ?11)"
		" AND NOT EXISTS (SELECT 1 FROM person m WHERE m.household_id = h.id AND m.status = 'active'"
		" AND m.employment_status IN (?12, ?13, ?14))");
	static const char *const want[] = { "unemployed", "2010-03-01", "1966-03-01", "employed", "self_employed",
					    "flexible" };
	expect_args(&a, 9, want, 6);
	buf_release(&b);
}

static void subject_fields(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct sql_args a;
	/* 60 or older on 2026-03-01: born on or before 1966-03-01 */
	assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
	assert_int_equal(derive_sql_when(&b, &a, ledger_builtin("elderly")->derive, ENT_PERSON, "p"), JW_OK);
	assert_string_equal(buf_cstr(&b), "p.birth_date <= ?9");
	expect_args(&a, 9, (const char *const[]){ "1966-03-01" }, 1);
	/* codes are bound, never written into the text */
	const char *keys[] = { "unemployed", "retirees", "migrants" };
	const char *sql[] = { "p.employment_status = ?9", "p.employment_status = ?9", "p.residence_type = ?9" };
	const char *code[] = { "unemployed", "retired", "migrant" };
	for (int i = 0; i < 3; i++) {
		buf_reset(&b);
		assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
		assert_int_equal(derive_sql_when(&b, &a, ledger_builtin(keys[i])->derive, ENT_PERSON, "p"), JW_OK);
		assert_string_equal(buf_cstr(&b), sql[i]);
		expect_args(&a, 9, &code[i], 1);
	}
	buf_release(&b);
}

static void ages_on_29_february(void **state)
{
	(void)state;
	/* on 28 February of a common year, someone born on 29 February of a
	 * leap year has come of age */
	static const struct derive_def three = { .when = { { DOV_SUBJECT, { { "birth_date", COP_AGE_MIN, NULL, 3 } } } } };
	struct buf b = BUF_INIT;
	struct sql_args a;
	assert_int_equal(sql_args_init(&a, 1, "2027-02-28"), JW_OK);
	assert_int_equal(derive_sql_when(&b, &a, &three, ENT_PERSON, "p"), JW_OK);
	assert_string_equal(buf_cstr(&b), "p.birth_date <= ?1");
	expect_args(&a, 1, (const char *const[]){ "2024-02-29" }, 1);
	/* on 29 February, 3 years back is a common year's 28 February */
	buf_reset(&b);
	assert_int_equal(sql_args_init(&a, 1, "2028-02-29"), JW_OK);
	assert_int_equal(derive_sql_when(&b, &a, &three, ENT_PERSON, "p"), JW_OK);
	expect_args(&a, 1, (const char *const[]){ "2025-02-28" }, 1);
	buf_release(&b);
}

/* The check in memory that spares a newcomer the ledgers it cannot join
 * (model/derive.c) makes the SQL's comparisons. */
static void subject_may_hold(void **state)
{
	(void)state;
	struct record r;
	record_init(&r, &entities[ENT_PERSON]);
	const struct derive_def *elderly = ledger_builtin("elderly")->derive;
	const struct derive_def *unemployed = ledger_builtin("unemployed")->derive;
	const struct derive_def *zero = ledger_builtin("zero_employment")->derive;
	assert_false(derive_subject_may_hold(elderly, &r, 2026, 12, 1));     /* no birth date */
	record_set(&r, PF_BIRTH_DATE, "1966-12-01");
	assert_true(derive_subject_may_hold(elderly, &r, 2026, 12, 1));      /* 60 today */
	assert_false(derive_subject_may_hold(elderly, &r, 2026, 11, 30));    /* 60 tomorrow */
	assert_false(derive_subject_may_hold(unemployed, &r, 2026, 12, 1));
	record_set(&r, PF_EMPLOYMENT_STATUS, "unemployed");
	assert_true(derive_subject_may_hold(unemployed, &r, 2026, 12, 1));
	assert_true(derive_subject_may_hold(zero, &r, 2026, 12, 1));         /* members: not looked at */
	static const struct derive_def in = { .when = { { DOV_SUBJECT,
		{ { "employment_status", COP_IN, "employed|self_employed", 0 } } } } };
	assert_false(derive_subject_may_hold(&in, &r, 2026, 12, 1));
	record_set(&r, PF_EMPLOYMENT_STATUS, "self_employed");
	assert_true(derive_subject_may_hold(&in, &r, 2026, 12, 1));
	record_release(&r);
}

static void values_bound(void **state)
{
	(void)state;
	const struct derive_def *r = ledger_builtin("elderly")->derive;
	struct kind ent;
	ledger_entity(ledger_builtin("elderly"), &ent);
	const struct derive_value *living = &r->values[0], *band = &r->values[1];
	assert_string_equal(living->field, "living");
	assert_string_equal(band->field, "band");
	assert_int_equal(derive_value_check(living, &ent), JW_OK);
	assert_int_equal(derive_value_check(band, &ent), JW_OK);
	assert_true(derive_value_household(living));
	assert_false(derive_value_household(band));

	struct buf b = BUF_INIT, cols = BUF_INIT;
	struct sql_args a;
	/* 独居 / 空巢 / 与家人同住 for one person, members counted in subqueries */
	assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
	assert_int_equal(derive_sql_household_case(&b, &a, living, "p"), JW_OK);
	assert_string_equal(buf_cstr(&b),
		"CASE WHEN p.household_id IS NULL THEN NULL"
		" WHEN (SELECT count(*) FROM person m WHERE m.household_id = p.household_id AND m.status = 'active') = 1"
		" THEN ?9 WHEN NOT EXISTS (SELECT 1 FROM person m WHERE m.household_id = p.household_id"
		" AND m.status = 'active' AND m.birth_date > ?10) THEN ?11 ELSE ?12 END");
	expect_args(&a, 9, (const char *const[]){ "独居", "1966-03-01", "空巢", "与家人同住" }, 4);
	/* the same from one pass over the households */
	buf_reset(&b);
	assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
	assert_int_equal(derive_sql_household_counts(&cols, &b, &a, living), JW_OK);
	assert_string_equal(buf_cstr(&cols), "count(*) AS n, sum(CASE WHEN birth_date > ?10 THEN 1 ELSE 0 END) AS y1");
	assert_string_equal(buf_cstr(&b), "CASE WHEN hh.id IS NULL THEN NULL WHEN hh.n = 1 THEN ?9"
					  " WHEN hh.y1 = 0 THEN ?11 ELSE ?12 END");
	expect_args(&a, 9, (const char *const[]){ "独居", "1966-03-01", "空巢", "与家人同住" }, 4);
	/* 享受类别 from the birth date an entry keeps */
	buf_reset(&b);
	assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
	assert_int_equal(derive_sql_age_case(&b, &a, band, ""), JW_OK);
	assert_string_equal(buf_cstr(&b), "CASE WHEN birth_date <= ?9 THEN ?10 WHEN birth_date <= ?11 THEN ?12"
					  " WHEN birth_date <= ?13 THEN ?14 END");
	expect_args(&a, 9, (const char *const[]){ "1926-03-01", "100周岁以上", "1936-03-01", "90–99周岁",
						  "1946-03-01", "80–89周岁" }, 6);
	/* the JSON path and key are bound too */
	buf_reset(&b);
	assert_int_equal(sql_args_init(&a, 3, "2026-03-01"), JW_OK);
	assert_int_equal(derive_sql_path(&b, &a, band), JW_OK);
	assert_int_equal(derive_sql_key(&b, &a, band), JW_OK);
	assert_string_equal(buf_cstr(&b), "?3CAST(?4 AS TEXT)");   /* a key is text on every back end */
	expect_args(&a, 3, (const char *const[]){ "$.band", "band" }, 2);
	/* the band labels are the ones elderly_band() gives */
	assert_string_equal(elderly_band(85), band->cases[2].label);
	buf_release(&b);
	buf_release(&cols);
}

static void refused(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct sql_args a;
	static const struct derive_def undeclared = {
		.when = { { DOV_SUBJECT, { { "salary", COP_EQ, "high", 0 } } } } };
	static const struct derive_def injected = {
		.when = { { DOV_SUBJECT, { { "birth_date) OR (1", COP_AGE_MIN, NULL, 60 } } } } };
	static const struct derive_def age_of_code = {
		.when = { { DOV_SUBJECT, { { "employment_status", COP_AGE_MIN, NULL, 60 } } } } };
	static const struct derive_def household_field_on_member = {
		.when = { { DOV_ANY_MEMBER, { { "household_no", COP_EQ, "1", 0 } } } } };
	static const struct derive_def empty = { .close_reason = "x" };
	const struct derive_def *bad[] = { &undeclared, &injected, &age_of_code, &household_field_on_member, &empty };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
		if (derive_sql_when(&b, &a, bad[i], ENT_HOUSEHOLD, "h") != JW_EINVAL)
			fail_msg("rule %zu compiled: %s", i, buf_cstr(&b));
		assert_null(strstr(buf_cstr(&b), "salary"));
		assert_null(strstr(buf_cstr(&b), "OR (1"));
	}
	/* a person's field is not a household's */
	static const struct derive_def on_household = {
		.when = { { DOV_SUBJECT, { { "birth_date", COP_AGE_MIN, NULL, 60 } } } } };
	buf_reset(&b);
	assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
	assert_int_equal(derive_sql_when(&b, &a, &on_household, ENT_HOUSEHOLD, "h"), JW_EINVAL);
	/* a value kept in a field the ledger does not declare */
	struct kind ent;
	ledger_entity(ledger_builtin("unemployed"), &ent);
	assert_int_equal(derive_value_check(&ledger_builtin("elderly")->derive->values[0], &ent), JW_EINVAL);
	assert_int_equal(sql_args_init(&a, 9, "not a date"), JW_EINVAL);
	buf_release(&b);
}

static void declarations(void **state)
{
	(void)state;
	/* a derived ledger has a rule, a hand-made one none; every rule
	 * compiles, keeps its values in declared fields and says why it closes */
	for (int i = 0; i < nbuiltin_ledgers; i++) {
		const struct ledger_def *l = &builtin_ledgers[i];
		assert_int_equal(l->rule != DR_NONE, l->derive != NULL);
		if (!l->derive)
			continue;
		struct buf b = BUF_INIT;
		struct sql_args a;
		assert_int_equal(sql_args_init(&a, 9, "2026-03-01"), JW_OK);
		if (derive_sql_when(&b, &a, l->derive, l->subject, l->subject == ENT_PERSON ? "p" : "h") != JW_OK)
			fail_msg("%s: the rule does not compile", l->key);
		buf_release(&b);
		struct kind ent;
		ledger_entity(l, &ent);
		for (int v = 0; v < DERIVE_MAX_VALUES && l->derive->values[v].field; v++)
			assert_int_equal(derive_value_check(&l->derive->values[v], &ent), JW_OK);
		assert_non_null(l->derive->close_reason);
		assert_string_equal(l->derive->close_reason, "不再符合列入条件");
	}
}

static struct store *g_st;
static struct actor g_admin, g_worker;

/* ---- on a store ---- */

static struct fixture g_fx;

static int up(void **state)
{
	(void)state;
	fixture_up(&g_fx, "hooks");
	g_st = g_fx.st;
	g_admin = g_fx.admin;
	g_worker = g_fx.worker;
	return 0;
}

static int down(void **state)
{
	(void)state;
	fixture_down(&g_fx);
	return 0;
}

static int64_t person(const struct actor *a, const char *name, const char *id, const char *residence,
		      const char *employment)
{
	struct record p;
	struct verr ve;
	struct jw_error err;
	int64_t pid = 0;
	record_init(&p, &entities[ENT_PERSON]);
	record_set(&p, PF_NAME, name);
	record_set(&p, PF_ID_NUMBER, id);
	record_set(&p, PF_RESIDENCE_TYPE, residence);
	record_set(&p, PF_EMPLOYMENT_STATUS, employment);
	verr_init(&ve);
	if (svc_create(g_st, a, &p, &ve, &pid, &err) != JW_OK)
		fail_msg("create %s: %s %s", name, err.field, err.message);
	record_release(&p);
	return pid;
}

static int count_entry(const struct entry_row *e, void *ud)
{
	(void)e;
	(*(int *)ud)++;
	return JW_OK;
}

/* ---- a rule of the test's own, through the store ---- */

static void store_runs_rule(void **state)
{
	(void)state;
	struct jw_error err;
	/* a migrant or foreign person of 70 or more */
	static const struct derive_def rule = {
		.when = { { DOV_SUBJECT, { { "residence_type", COP_IN, "foreign|migrant", 0 },
					   { "birth_date", COP_AGE_MIN, NULL, 70 } } } },
		.close_reason = "test: no longer",
	};
	int64_t old_migrant = person(&g_admin, "甲老", "11010519491231002X", "migrant", NULL);
	person(&g_admin, "乙老", "110105194912310038", "registered", NULL);
	person(&g_admin, "丙少", "110105200001010016", "migrant", NULL);
	struct derive_req q = { .ledger = "test_rule", .subject = "person", .rule = &rule, .today = "2026-03-01" };
	int64_t added = 0, closed = 0;
	assert_int_equal(store_begin(g_st), JW_OK);
	assert_int_equal(STORE_CALL(g_st, ledger_derive, g_admin.community, &q, &added, &closed, &err), JW_OK);
	assert_int_equal(store_commit(g_st), JW_OK);
	assert_int_equal(added, 1);
	int n = 0;
	struct entry_query eq = { .ledger = "test_rule", .limit = 10, .subject = "person", .subject_id = old_migrant };
	assert_int_equal(STORE_CALL(g_st, entry_list, g_admin.community, &eq, count_entry, &n, NULL, &err), JW_OK);
	assert_int_equal(n, 1);
	/* ten years earlier nobody was 70: the entry closes with the declared reason */
	q.today = "2016-03-01";
	assert_int_equal(store_begin(g_st), JW_OK);
	assert_int_equal(STORE_CALL(g_st, ledger_derive, g_admin.community, &q, &added, &closed, &err), JW_OK);
	assert_int_equal(store_commit(g_st), JW_OK);
	assert_int_equal(added, 0);
	assert_int_equal(closed, 1);
}

/* ---- change hooks ---- */

struct open_of { int64_t subject, id[8]; char ledger[8][32]; int n; };

static int open_cb(const struct entry_row *e, void *ud)
{
	struct open_of *o = ud;
	if (e->subject_id == o->subject && strcmp(e->status, "open") == 0 && o->n < 8) {
		o->id[o->n] = e->id;
		snprintf(o->ledger[o->n], sizeof(o->ledger[0]), "%s", e->ledger);
		o->n++;
	}
	return JW_OK;
}

static int ledger_open(const struct ledger_def *l, void *ud)
{
	struct open_of *o = ud;
	struct jw_error err;
	struct entry_query q = { .ledger = l->key, .subject = "person", .subject_id = o->subject, .limit = 10 };
	if (STORE_CALL(g_st, entry_list, g_admin.community, &q, open_cb, o, NULL, &err) != JW_OK)
		fail_msg("entry_list %s", l->key);
	return 0;
}

static struct open_of open_entries(int64_t pid)
{
	struct open_of o = { .subject = pid };
	ledger_each(g_st, g_admin.community, ledger_open, &o);
	return o;
}

struct closes { int n; int64_t id[16]; char user[16][64]; char json[16][512]; };

static int close_cb(const struct audit_row *a, void *ud)
{
	struct closes *c = ud;
	if (c->n < 16) {
		c->id[c->n] = a->entity_id;
		snprintf(c->user[c->n], sizeof(c->user[0]), "%s", a->username ? a->username : "");
		snprintf(c->json[c->n], sizeof(c->json[0]), "%s", a->new_json ? a->new_json : "");
		c->n++;
	}
	return JW_OK;
}

/* The close audit record of entry id, or NULL. */
static const char *closing_of(const struct closes *c, int64_t id, const char *user)
{
	for (int i = 0; i < c->n; i++)
		if (c->id[i] == id) {
			assert_string_equal(c->user[i], user);
			return c->json[i];
		}
	return NULL;
}

static struct closes closings(void)
{
	struct closes c = { 0 };
	struct jw_error err;
	int64_t total = 0;
	assert_int_equal(svc_audit_rows(g_st, g_admin.community, "ledger_entry", 0, "close", 100, 0, close_cb,
				    &c, &total, &err), JW_OK);
	return c;
}

static void deregistration_audits_each_closing(void **state)
{
	(void)state;
	struct jw_error err;
	struct verr ve;
	/* 65 and out of work: elderly and unemployed; and a hand-made entry */
	int64_t pid = person(&g_admin, "甲闲", "110105196001010017", "registered", "unemployed");
	const struct ledger_def *vol = ledger_find(g_st, g_admin.community, "volunteers");
	struct record f;
	entry_fields(vol, NULL, &f);
	int64_t vid = 0;
	verr_init(&ve);
	assert_int_equal(svc_entry_create(g_st, &g_admin, vol, pid, &f, NULL, &ve, &vid, &err), JW_OK);
	record_release(&f);
	struct open_of o = open_entries(pid);
	assert_int_equal(o.n, 3);
	int before = closings().n;
	verr_init(&ve);
	assert_int_equal(svc_person_deregister(g_st, &g_worker, pid, "moved_away", NULL, NULL, &ve, &err), JW_OK);
	assert_int_equal(open_entries(pid).n, 0);
	struct closes c = closings();
	assert_int_equal(c.n, before + 3);
	for (int i = 0; i < o.n; i++) {
		const char *j = closing_of(&c, o.id[i], "gongzuo9");
		if (!j)
			fail_msg("no close audit record of %s entry %lld", o.ledger[i], (long long)o.id[i]);
		json_t *v = json_loads(j, 0, NULL);
		assert_non_null(v);
		assert_string_equal(json_string_value(json_object_get(v, "ledger")), o.ledger[i]);
		assert_string_equal(json_string_value(json_object_get(v, "status")), "closed");
		assert_string_equal(json_string_value(json_object_get(v, "end_reason")), "注销：迁出");
		assert_string_equal(json_string_value(json_object_get(v, "cause")), "person_deregistered");
		assert_int_equal(json_integer_value(json_object_get(v, "subject_id")), pid);
		json_decref(v);
	}
}

static void change_audits_closing(void **state)
{
	(void)state;
	struct jw_error err;
	struct verr ve;
	int64_t pid = person(&g_admin, "乙闲", "110105199001010010", "registered", "unemployed");
	struct open_of o = open_entries(pid);
	assert_int_equal(o.n, 1);
	assert_string_equal(o.ledger[0], "unemployed");
	struct record in;
	record_init(&in, &entities[ENT_PERSON]);
	record_set(&in, PF_EMPLOYMENT_STATUS, "employed");
	verr_init(&ve);
	assert_int_equal(svc_update(g_st, &g_worker, pid, &in, &ve, &err), JW_OK);
	record_release(&in);
	assert_int_equal(open_entries(pid).n, 0);
	struct closes c = closings();
	const char *j = closing_of(&c, o.id[0], "gongzuo9");
	assert_non_null(j);
	assert_non_null(strstr(j, "\"end_reason\":\"不再符合列入条件\""));
	assert_non_null(strstr(j, "\"cause\":\"person_changed\""));
}

static void bulk_and_unanswered(void **state)
{
	(void)state;
	struct jw_error err;
	/* a bulk create is left to the load's batched derivation */
	struct actor bulk = g_admin;
	bulk.bulk = true;
	assert_int_equal(store_begin(g_st), JW_OK);
	int64_t pid = person(&bulk, "丙老", "110105195001010012", "registered", "retired");
	assert_int_equal(store_commit(g_st), JW_OK);
	assert_int_equal(open_entries(pid).n, 0);
	int64_t added = 0;
	assert_int_equal(store_begin(g_st), JW_OK);
	assert_int_equal(svc_ledger_derive_new(g_st, g_admin.community, &added, &err), JW_OK);
	assert_int_equal(store_commit(g_st), JW_OK);
	assert_int_equal(added, 2);   /* elderly and retirees */
	assert_int_equal(open_entries(pid).n, 2);
	/* an event the ledgers do not answer */
	assert_false(ledger_hook.events & EV_BIT(EV_HOUSE_CHANGED));
	struct hook_change c = { .ev = EV_HOUSE_CHANGED, .id = 1 };
	assert_int_equal(hooks_fire(g_st, &g_admin, &c, &err), JW_OK);
	assert_string_equal(hook_event_name(EV_PERSON_DEREGISTERED), "person_deregistered");
	assert_string_equal(hook_event_name(EV__COUNT), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zero_employment_household),
		cmocka_unit_test(subject_fields),
		cmocka_unit_test(ages_on_29_february),
		cmocka_unit_test(subject_may_hold),
		cmocka_unit_test(values_bound),
		cmocka_unit_test(refused),
		cmocka_unit_test(declarations),
		cmocka_unit_test(store_runs_rule),
		cmocka_unit_test(deregistration_audits_each_closing),
		cmocka_unit_test(change_audits_closing),
		cmocka_unit_test(bulk_and_unanswered),
	};
	return cmocka_run_group_tests(tests, up, down);
}

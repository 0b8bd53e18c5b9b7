/*
 * test_hooks.c — change hooks (svc/hooks.h): the registry fires events,
 * the ledgers answer them.  A de-registration closes every open entry of
 * the person and writes one audit record (action close) an entry, naming
 * the actor; a change that takes a person out of a derived ledger does the
 * same; a bulk create is left to the load's batched derivation; an event
 * nobody answers does nothing.
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

#include "svc/hooks.h"
#include "svc/ledger.h"

static char g_path[64];
static struct store *g_st;
static struct actor g_admin, g_worker;

static int up(void **state)
{
	(void)state;
	struct jw_error err;
	snprintf(g_path, sizeof(g_path), "/tmp/juwei-hooks-test-%d.db", (int)getpid());
	unlink(g_path);
	g_st = store_open(g_path, &err);
	assert_non_null(g_st);
	struct community_row c = { "110105087003", "测试社区" };
	assert_int_equal(STORE_CALL(g_st, community_insert, &c, &err), JW_OK);
	assert_int_equal(actor_system(g_st, &g_admin, &err), JW_OK);
	g_worker = g_admin;
	snprintf(g_worker.username, sizeof(g_worker.username), "gongzuo9");
	g_worker.role = ROLE_WORKER;
	return 0;
}

static int down(void **state)
{
	(void)state;
	char p[96];
	store_close(g_st);
	unlink(g_path);
	snprintf(p, sizeof(p), "%s-wal", g_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", g_path);
	unlink(p);
	return 0;
}

static int64_t person(const struct actor *a, const char *name, const char *id, const char *employment)
{
	struct record p;
	struct verr ve;
	struct jw_error err;
	int64_t pid = 0;
	record_init(&p, &entities[ENT_PERSON]);
	record_set(&p, PF_NAME, name);
	record_set(&p, PF_ID_NUMBER, id);
	record_set(&p, PF_RESIDENCE_TYPE, "registered");
	record_set(&p, PF_EMPLOYMENT_STATUS, employment);
	verr_init(&ve);
	if (svc_create(g_st, a, &p, &ve, &pid, &err) != JW_OK)
		fail_msg("create %s: %s %s", name, err.field, err.message);
	record_release(&p);
	return pid;
}

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
	assert_int_equal(STORE_CALL(g_st, audit_list, g_admin.community, "ledger_entry", 0, "close", 100, 0, close_cb,
				    &c, &total, &err), JW_OK);
	return c;
}

static void deregistration_audits_each_closing(void **state)
{
	(void)state;
	struct jw_error err;
	struct verr ve;
	/* 65 and out of work: elderly and unemployed; and a hand-made entry */
	int64_t pid = person(&g_admin, "甲闲", "110105196001010017", "unemployed");
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
	int64_t pid = person(&g_admin, "乙闲", "110105199001010010", "unemployed");
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
	int64_t pid = person(&bulk, "丙老", "110105195001010012", "retired");
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
		cmocka_unit_test(deregistration_audits_each_closing),
		cmocka_unit_test(change_audits_closing),
		cmocka_unit_test(bulk_and_unanswered),
	};
	return cmocka_run_group_tests(tests, up, down);
}

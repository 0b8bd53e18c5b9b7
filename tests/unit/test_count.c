/*
 * test_count.c — the store's one grouped count (store.h count_by) over a
 * kind's declared dimensions: persons by sex and by five-year age group
 * (on a given day, 29 February counted as 28 February in a common year),
 * with a declared-field filter; a shared-table kind (the work log) by its
 * JSON fields and by the month of a date; an unknown dimension or filter
 * refused naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/ledger.h"
#include "store/store.h"
#include "svc/ledger.h"
#include "svc/svc.h"
#include "fixture.h"

static struct store *g_st;
static struct actor g_admin, g_worker;
static const char *C = "110105087003";

static struct fixture g_fx;

static int up(void **state)
{
	(void)state;
	fixture_up(&g_fx, "count");
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

static void person(const char *name, const char *id)
{
	struct record p;
	struct verr ve;
	struct jw_error err;
	int64_t pid = 0;
	record_init(&p, &entities[ENT_PERSON]);
	record_set(&p, PF_NAME, name);
	record_set(&p, PF_ID_NUMBER, id);
	record_set(&p, PF_RESIDENCE_TYPE, "registered");
	verr_init(&ve);
	if (svc_create(g_st, &g_admin, &p, &ve, &pid, &err) != JW_OK)
		fail_msg("create %s: %s %s", name, err.field, err.message);
	record_release(&p);
}

/* The groups as "k1/k2=n;" in the order the store gives them, sorted. */
struct groups { char s[16][64]; int n; int ndims; };

static int add(const char *const *keys, int64_t n, void *ud)
{
	struct groups *g = ud;
	char *o = g->s[g->n++];
	o[0] = 0;
	for (int i = 0; i < g->ndims; i++)
		snprintf(o + strlen(o), 64 - strlen(o), "%s%s", i ? "/" : "", keys[i] ? keys[i] : "-");
	snprintf(o + strlen(o), 64 - strlen(o), "=%lld", (long long)n);
	return JW_OK;
}

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static void counted(const struct kind *k, const struct query *q, const char *const *dims, int ndims,
		    const char *today, const char *want)
{
	struct groups g = { .n = 0, .ndims = ndims };
	struct jw_error err;
	if (STORE_CALL(g_st, count_by, C, k, q, dims, ndims, today, add, &g, &err) != JW_OK)
		fail_msg("count_by: %s %s", err.field, err.message);
	qsort(g.s, (size_t)g.n, sizeof(g.s[0]), cmp);
	char got[512] = "";
	for (int i = 0; i < g.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s;", g.s[i]);
	assert_string_equal(got, want);
}

static void persons_by_sex_and_age(void **state)
{
	(void)state;
	/* fictional numbers with valid check characters */
	person("甲一", "110105196003010010");   /* man, born 1960-03-01 */
	person("乙二", "110105196003020024");   /* woman, born 1960-03-02 */
	person("丙三", "11010520000229003X");   /* man, born 2000-02-29 */
	const struct kind *p = &entities[ENT_PERSON];
	counted(p, NULL, (const char *[]){ "sex" }, 1, NULL, "1=2;2=1;");
	/* on 2025-03-01 the first is 65, the second still 64; the one born on
	 * 29 February turned 25 on 28 February 2025 */
	counted(p, NULL, (const char *[]){ "age5" }, 1, "2025-03-01", "25=1;60=1;65=1;");
	counted(p, NULL, (const char *[]){ "age5" }, 1, "2025-02-27", "20=1;60=2;");
	counted(p, NULL, (const char *[]){ "age5" }, 1, "2025-02-28", "25=1;60=2;");
	counted(p, NULL, (const char *[]){ "sex", "age5" }, 2, "2025-03-01", "1/25=1;1/65=1;2/60=1;");
	struct query q;
	query_init(&q);
	query_filter(&q, "sex", FOP_EQ, "2");
	counted(p, &q, NULL, 0, NULL, "=1;");   /* no dimension: one total */
}

static void shared_kind_by_json_fields(void **state)
{
	(void)state;
	const struct ledger_def *l = ledger_builtin("worklog");
	static const char *const rows[][3] = {
		{ "2026-10-05", "会议", "a" }, { "2026-11-05", "会议", "b" }, { "2026-11-06", "走访入户", "c" },
	};
	for (int i = 0; i < 3; i++) {
		struct kind k;
		ledger_entity(l, &k);
		struct record f;
		struct verr ve;
		struct jw_error err;
		int64_t id;
		record_init(&f, &k);
		record_set(&f, entity_field_index(&k, "work_date"), rows[i][0]);
		record_set(&f, entity_field_index(&k, "category"), rows[i][1]);
		record_set(&f, entity_field_index(&k, "content"), rows[i][2]);
		verr_init(&ve);
		if (svc_entry_create(g_st, &g_worker, l, 0, &f, NULL, &ve, &id, &err) != JW_OK)
			fail_msg("worklog: %s %s", err.field, err.message);
		record_release(&f);
	}
	struct kind k;
	ledger_entity(l, &k);
	counted(&k, NULL, (const char *[]){ "category" }, 1, NULL, "会议=2;走访入户=1;");
	counted(&k, NULL, (const char *[]){ "month" }, 1, NULL, "2026-10=1;2026-11=2;");
	counted(&k, NULL, (const char *[]){ "worker" }, 1, NULL, "gongzuo9=3;");
	struct query q;
	query_init(&q);
	query_filter(&q, "category", FOP_EQ, "会议");
	counted(&k, &q, (const char *[]){ "month" }, 1, NULL, "2026-10=1;2026-11=1;");
	/* another ledger's records are not counted with it */
	struct kind e;
	ledger_entity(ledger_builtin("volunteers"), &e);
	counted(&e, NULL, NULL, 0, NULL, "=0;");
}

static void unknown_dimension_or_filter(void **state)
{
	(void)state;
	struct jw_error err;
	struct groups g = { .n = 0, .ndims = 1 };
	const char *bad = "nonesuch";
	assert_int_equal(STORE_CALL(g_st, count_by, C, &entities[ENT_PERSON], NULL, &bad, 1, NULL, add, &g, &err),
			 JW_EBADREQ);
	assert_non_null(strstr(err.message, "nonesuch"));
	struct query q;
	query_init(&q);
	query_filter(&q, "nonesuch", FOP_EQ, "1");
	assert_int_equal(STORE_CALL(g_st, count_by, C, &entities[ENT_PERSON], &q, NULL, 0, NULL, add, &g, &err),
			 JW_EBADREQ);
	assert_string_equal(err.field, "nonesuch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(persons_by_sex_and_age),
		cmocka_unit_test(shared_kind_by_json_fields),
		cmocka_unit_test(unknown_dimension_or_filter),
	};
	return cmocka_run_group_tests(tests, up, down);
}

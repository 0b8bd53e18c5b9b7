/*
 * test_dialect.c — the PostgreSQL driver's text rules (store/pg.c
 * pg_text): one SQL text for both back ends, read by PostgreSQL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/sqldb.h"

static char *pg(const char *sql, int *n, bool *used)
{
	memset(used, 0, PG_MAX_PARAMS * sizeof(*used));
	return pg_text(sql, n, used);
}

static void test_placeholders(void **state)
{
	(void)state;
	bool used[PG_MAX_PARAMS];
	int n = 0;
	char *t = pg("SELECT a FROM t WHERE b = ? AND c = ? LIMIT ?", &n, used);
	assert_string_equal(t, "SELECT a FROM t WHERE b = $1 AND c = $2 LIMIT $3");
	assert_int_equal(n, 3);
	free(t);
	/* numbered ones keep their number; a gap is known (typed as text) */
	t = pg("UPDATE u SET r=?3, g=?4 WHERE id=?10", &n, used);
	assert_string_equal(t, "UPDATE u SET r=$3, g=$4 WHERE id=$10");
	assert_int_equal(n, 10);
	assert_false(used[0]);
	assert_true(used[2]);
	assert_true(used[9]);
	free(t);
	/* a ? inside a literal or a quoted name is left alone */
	t = pg("SELECT '?', \"a?b\", 'it''s ?' FROM t WHERE x = ?", &n, used);
	assert_string_equal(t, "SELECT '?', \"a?b\", 'it''s ?' FROM t WHERE x = $1");
	assert_int_equal(n, 1);
	free(t);
}

static void test_is_not_and_hints(void **state)
{
	(void)state;
	bool used[PG_MAX_PARAMS];
	int n = 0;
	char *t = pg("SELECT 1 FROM h WHERE h.size IS NOT (SELECT 2) AND a IS NOT NULL AND b IS NOT ?1", &n, used);
	assert_string_equal(t, "SELECT 1 FROM h WHERE h.size IS DISTINCT FROM (SELECT 2) AND a IS NOT NULL"
			       " AND b IS DISTINCT FROM $1");
	free(t);
	t = pg("SELECT count(*) FROM ledger_entry INDEXED BY ledger_entry_stats WHERE x = 1", &n, used);
	assert_string_equal(t, "SELECT count(*) FROM ledger_entry WHERE x = 1");
	free(t);
	/* words that merely hold the letters are not touched */
	t = pg("SELECT this_is, isnot FROM t WHERE indexed_by = 1", &n, used);
	assert_string_equal(t, "SELECT this_is, isnot FROM t WHERE indexed_by = 1");
	free(t);
}

/* A location shown to a person never shows a password. */
static void test_location_shown(void **state)
{
	(void)state;
	char out[256];
	assert_string_equal(store_shown("postgres://juwei:s3cret@db.lan:5432/jw", out, sizeof(out)),
			    "postgres://juwei:***@db.lan:5432/jw");
	assert_string_equal(store_shown("postgres://juwei@db.lan:5432/jw", out, sizeof(out)),
			    "postgres://juwei@db.lan:5432/jw");
	assert_string_equal(store_shown("var/juwei.db", out, sizeof(out)), "var/juwei.db");
	assert_null(strstr(store_shown("postgresql://a:b@h/d?sslmode=require", out, sizeof(out)), ":b@"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_location_shown),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_is_not_and_hints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

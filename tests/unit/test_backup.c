/*
 * test_backup.c — unit tests for svc/backup's file names and rotation:
 * which names are a store's backups, the stem of a store path, and that
 * rotation keeps the newest N of them and touches nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svc/backup.h"

static void test_name_parse(void **state)
{
	(void)state;
	char stamp[16];
	assert_true(backup_name_parse("demo-20261201-235959.db", "demo", stamp));
	assert_string_equal(stamp, "20261201-235959");
	assert_false(backup_name_parse("demo-20261301-000000.db", "demo", stamp));   /* month 13 */
	assert_false(backup_name_parse("demo-20260230-000000.db", "demo", stamp));   /* 30 February */
	assert_false(backup_name_parse("demo-20261201-245959.db", "demo", stamp));
	assert_false(backup_name_parse("demo-20261201-235959.db.tmp", "demo", stamp));
	assert_false(backup_name_parse("demo-20261201235959.db", "demo", stamp));
	assert_false(backup_name_parse("demo2-20261201-235959.db", "demo", stamp));
	assert_false(backup_name_parse("demo-2026120-1235959.db", "demo", stamp));
	assert_false(backup_name_parse("demo-x0261201-235959.db", "demo", stamp));
	assert_false(backup_name_parse("", "demo", stamp));
	assert_true(backup_name_parse("居委-20240229-010203.db", "居委", stamp));
}

static void test_stem_and_name(void **state)
{
	(void)state;
	char stem[64], name[128], stamp[16];
	backup_stem("var/demo.db", stem, sizeof(stem));
	assert_string_equal(stem, "demo");
	backup_stem("sqlite:/srv/juwei/社区.db", stem, sizeof(stem));
	assert_string_equal(stem, "社区");
	backup_stem("store", stem, sizeof(stem));
	assert_string_equal(stem, "store");
	backup_stem("/x/.db", stem, sizeof(stem));
	assert_string_equal(stem, "juwei");
	backup_name("demo", 1764633600, name, sizeof(name));
	assert_true(backup_name_parse(name, "demo", stamp));
}

static void touch(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("x", f);
	fclose(f);
}

static bool present(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static void test_rotate(void **state)
{
	(void)state;
	char dir[] = "/tmp/jw-rotate-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char name[64];
	for (int i = 1; i <= 12; i++) {   /* 12 backups, days 1 … 12 */
		snprintf(name, sizeof(name), "s-202501%02d-000000.db", i);
		touch(dir, name);
	}
	touch(dir, "other-20250101-000000.db");
	touch(dir, "s-20250101-000000.db.tmp");
	touch(dir, "notes.txt");
	int removed = -1;
	struct jw_error err;
	assert_int_equal(backup_rotate(dir, "s", 5, &removed, &err), JW_OK);
	assert_int_equal(removed, 7);
	for (int i = 1; i <= 12; i++) {
		snprintf(name, sizeof(name), "s-202501%02d-000000.db", i);
		assert_true(present(dir, name) == (i > 7));
	}
	assert_true(present(dir, "other-20250101-000000.db"));
	assert_true(present(dir, "s-20250101-000000.db.tmp"));
	assert_true(present(dir, "notes.txt"));
	assert_int_equal(backup_rotate(dir, "s", 5, &removed, &err), JW_OK);
	assert_int_equal(removed, 0);
	/* a folder that is not there: an error in Chinese, no crash */
	assert_int_not_equal(backup_rotate("/nonexistent/jw", "s", 5, &removed, &err), JW_OK);
	assert_true(strlen(err.message) > 0);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_parse),
		cmocka_unit_test(test_stem_and_name),
		cmocka_unit_test(test_rotate),
	};
	return cmocka_run_group_tests_name("backup", tests, NULL, NULL);
}

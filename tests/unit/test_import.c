/*
 * test_import.c — unit tests for the import's normalising rules: dates as
 * people type them, Excel serial numbers, scientific notation; and an
 * import of a small in-test CSV into a fresh store (header below a title
 * row, synonyms, merge, update, conflict, households and houses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "svc/import.h"

static void expect_date(const char *in, const char *want)
{
	char out[11] = "";
	bool ok = import_date_text(in, out);
	if (!want) {
		if (ok)
			fail_msg("\"%s\" should not be a date, got %s", in, out);
		return;
	}
	if (!ok || strcmp(out, want) != 0)
		fail_msg("\"%s\" → \"%s\" (ok=%d), want %s", in, out, ok, want);
}

/* 出生年月 as rosters write it (issue 8) */
static void expect_birth(const char *in, bool numeric, int prec, int y, int m, int alt)
{
	struct birth_spec b;
	import_birth_parse(in, numeric, &b);
	if (b.prec != prec || (prec && b.year != y) || (prec >= 2 && (b.month != m || b.alt_month != alt)))
		fail_msg("\"%s\"%s → prec %d %d-%d (alt %d), want prec %d %d-%d (alt %d)", in,
			 numeric ? " (number)" : "", b.prec, b.year, b.month, b.alt_month, prec, y, m, alt);
}

static void birth_months(void **state)
{
	(void)state;
	expect_birth("1958.03", false, 2, 1958, 3, 0);
	expect_birth("1958.3", false, 2, 1958, 3, 0);
	expect_birth("1958.1", true, 2, 1958, 10, 0);    /* a number cell: Excel shows 1958.10 */
	expect_birth("1958.1", false, 2, 1958, 1, 10);   /* typed: either */
	expect_birth("1958.10", false, 2, 1958, 10, 0);
	expect_birth("1958年3月", false, 2, 1958, 3, 0);
	expect_birth("1958年03月", false, 2, 1958, 3, 0);
	expect_birth("195803", false, 2, 1958, 3, 0);
	expect_birth("195803", true, 2, 1958, 3, 0);
	expect_birth("1958-03", false, 2, 1958, 3, 0);
	expect_birth("1958/3", false, 2, 1958, 3, 0);
	expect_birth("1958", false, 1, 1958, 0, 0);
	expect_birth("1958-03-05", false, 3, 1958, 3, 0);
	expect_birth("1958.13", false, 0, 0, 0, 0);
	expect_birth("不详", false, 0, 0, 0, 0);
	expect_birth("", false, 0, 0, 0, 0);

	struct birth_spec b;
	import_birth_parse("1958.1", false, &b);
	assert_true(import_birth_fits(&b, 1958, 1, 20));
	assert_true(import_birth_fits(&b, 1958, 10, 20));
	assert_false(import_birth_fits(&b, 1958, 3, 20));
	import_birth_parse("1958.1", true, &b);
	assert_false(import_birth_fits(&b, 1958, 1, 20));
	assert_true(import_birth_fits(&b, 1958, 10, 2));
	import_birth_parse("1958-03-05", false, &b);
	assert_true(import_birth_fits(&b, 1958, 3, 5));
	assert_false(import_birth_fits(&b, 1958, 3, 6));
	import_birth_parse("1958", false, &b);
	assert_true(import_birth_fits(&b, 1958, 12, 31));
	assert_false(import_birth_fits(&b, 1959, 1, 1));
}

static void dates(void **state)
{
	(void)state;
	expect_date("1958-03-05", "1958-03-05");
	expect_date("1958/3/5", "1958-03-05");
	expect_date("1958.3.5", "1958-03-05");
	expect_date("1958年3月5日", "1958-03-05");
	expect_date("1958年03月05号", "1958-03-05");
	expect_date("19580305", "1958-03-05");
	expect_date("１９５８－０３－０５", "1958-03-05");    /* full-width */
	expect_date("1958-03-05 00:00:00", "1958-03-05");
	expect_date("21249", "1958-03-05");                /* Excel serial */
	expect_date("61", "1900-03-01");
	expect_date("2000-02-29", "2000-02-29");
	expect_date("1900-02-29", NULL);
	expect_date("2023-02-29", NULL);
	expect_date("1958-13-05", NULL);
	expect_date("19581305", NULL);
	expect_date("58-3-5", NULL);                       /* a two-digit year is a guess */
	expect_date("3/5/1958", NULL);
	expect_date("1958-03-05-01", NULL);
	expect_date("abc", NULL);
	expect_date("", NULL);
	expect_date("1234567", NULL);
}

static void sci(void **state)
{
	(void)state;
	assert_true(import_sci_notation("1.10105E+17"));
	assert_true(import_sci_notation("1.10105e+17"));
	assert_true(import_sci_notation("1.10105195803050e+17"));
	assert_true(import_sci_notation(" 1E17 "));
	assert_false(import_sci_notation("110105195803050012"));
	assert_false(import_sci_notation("11010519580305001X"));
	assert_false(import_sci_notation("E12345678"));     /* a passport number */
	assert_false(import_sci_notation("1.5"));
	assert_false(import_sci_notation(""));
}

/* GB 11643 check character. */
static void idnum(const char *first17, char out[19])
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int s = 0;
	for (int i = 0; i < 17; i++)
		s += (first17[i] - '0') * w[i];
	snprintf(out, 19, "%s%c", first17, "10X98765432"[s % 11]);
}

static struct store *fresh_store(char *path, size_t sz)
{
	struct jw_error err;
	snprintf(path, sz, "/tmp/juwei-test-import-%d.db", (int)getpid());
	unlink(path);
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	struct community_row c = { "110105087003", "阳光社区居民委员会" };
	assert_int_equal(STORE_CALL(st, community_insert, &c, &err), JW_OK);
	return st;
}

static void run_import(struct store *st, const char *csv, bool dry, struct import_result *res)
{
	char path[256];
	struct jw_error err;
	struct actor a;
	assert_true(temp_file(path, sizeof(path), ".csv", csv, strlen(csv)));
	assert_int_equal(actor_system(st, &a, &err), JW_OK);
	struct import_opts o = { .dry_run = dry, .preview_rows = 5 };
	int rc = svc_import_persons(st, &a, path, &o, res, &err);
	unlink(path);
	if (rc != JW_OK)
		fail_msg("import failed: %s", err.message);
}

static int count_cb(const struct record *r, void *ud)
{
	(void)r;
	(*(int *)ud)++;
	return JW_OK;
}

static int count(struct store *st, const struct kind *e)
{
	struct query q;
	struct jw_error err;
	int n = 0;
	query_init(&q);
	q.limit = 1000;
	assert_int_equal(STORE_CALL(st, record_list, "110105087003", e, &q, count_cb, &n, NULL, &err), JW_OK);
	return n;
}

static void roster(void **state)
{
	(void)state;
	char db[256], a[19], b[19], c[19], csv[2048];
	struct import_result res;
	idnum("11010519560312003", a);
	idnum("11010519880704002", b);
	idnum("11010520150101001", c);
	struct store *st = fresh_store(db, sizeof(db));
	assert_int_equal(svc_init(), JW_OK);
	snprintf(csv, sizeof(csv),
		 "\xEF\xBB\xBF阳光社区花名册,,,,,,\r\n"
		 "户号,名字,身份证号码,人员类型,与户主关系,现住址,手机号码\r\n"
		 "H1,周桂英,%s,户籍,户主,北京市朝阳区阳光路18号院3号楼2单元302室,13800001111\r\n"
		 "H1,吴建国,%s,户籍人口,配偶,北京市朝阳区阳光路18号院3号楼2单元302室,\r\n"
		 ",,,,,,\r\n"
		 "H1,吴小宝,%s,户籍,子,北京市朝阳区阳光路18号院3号楼2单元302室,\r\n"
		 "H1,吴建国,%s,户籍,配偶,,13900002222\r\n"   /* the same person again: merged, fills the phone */
		 "H1,吴建华,%s,户籍,配偶,,\r\n",             /* same number, other name: rejected */
		 a, b, c, b, b);

	/* a dry run stores nothing */
	run_import(st, csv, true, &res);
	assert_int_equal(res.rows, 5);
	assert_int_equal(res.imported, 3);
	assert_int_equal(count(st, &entities[ENT_PERSON]), 0);
	import_result_release(&res);

	run_import(st, csv, false, &res);
	assert_int_equal(res.header_row, 2);
	assert_int_equal(res.rows, 5);
	assert_int_equal(res.imported, 3);
	assert_int_equal(res.merged, 1);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(res.rejects[0].row, 8);
	assert_string_equal(res.rejects[0].field, "name");
	assert_int_equal(res.merges[0].row, 7);
	assert_int_equal(res.merges[0].into, 4);
	assert_int_equal(res.households_created, 1);
	assert_int_equal(res.houses_created, 1);
	assert_int_equal(res.buildings_created, 1);
	assert_int_equal(count(st, &entities[ENT_PERSON]), 3);
	assert_int_equal(count(st, &entities[ENT_HOUSEHOLD]), 1);
	assert_int_equal(count(st, &entities[ENT_HOUSE]), 1);
	import_result_release(&res);

	/* again: nothing changes; the duplicate row is still reported as merged */
	run_import(st, csv, false, &res);
	assert_int_equal(res.imported, 0);
	assert_int_equal(res.updated, 0);
	assert_int_equal(res.unchanged, 3);
	assert_int_equal(res.merged, 1);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(res.households_created + res.houses_created + res.buildings_created, 0);
	import_result_release(&res);

	/* an update: a new phone; the empty cells keep what is stored */
	snprintf(csv, sizeof(csv), "姓名,公民身份号码,人口类型,联系电话\n周桂英,%s,,13700003333\n", a);
	run_import(st, csv, false, &res);
	assert_int_equal(res.updated, 1);
	assert_int_equal(res.rejected, 0);
	import_result_release(&res);
	assert_int_equal(count(st, &entities[ENT_PERSON]), 3);

	store_close(st);
	unlink(db);
}

/* A row that makes a building and a house and is then refused takes them
 * back; the next row naming the same building makes it again. */
static void refused_row_undoes_its_places(void **state)
{
	(void)state;
	char db[256], a[19], csv[1024];
	struct import_result res;
	idnum("11010519700101002", a);
	struct store *st = fresh_store(db, sizeof(db));
	snprintf(csv, sizeof(csv),
		 "姓名,公民身份号码,人口类型,户编号,与户主关系,房屋编号\n"
		 "错号,110105197001010000,户籍,H9,户主,B7-1-101\n"
		 "对号,%s,户籍,H9,户主,B7-1-101\n"
		 "另一,110105197001010001,户籍,H8,户主,B8-2-502\n", a);
	run_import(st, csv, false, &res);
	assert_int_equal(res.imported, 1);
	assert_int_equal(res.rejected, 2);
	assert_int_equal(res.buildings_created, 1);
	assert_int_equal(res.houses_created, 1);
	assert_int_equal(res.households_created, 1);
	import_result_release(&res);
	assert_int_equal(count(st, &entities[ENT_BUILDING]), 1);
	assert_int_equal(count(st, &entities[ENT_HOUSE]), 1);
	assert_int_equal(count(st, &entities[ENT_HOUSEHOLD]), 1);
	store_close(st);
	unlink(db);
}

static void no_header(void **state)
{
	(void)state;
	char db[256], path[256];
	struct store *st = fresh_store(db, sizeof(db));
	struct jw_error err;
	struct actor a;
	struct import_result res;
	const char *csv = "a,b,c\n1,2,3\n";
	assert_true(temp_file(path, sizeof(path), ".csv", csv, strlen(csv)));
	assert_int_equal(actor_system(st, &a, &err), JW_OK);
	struct import_opts o = { 0 };
	assert_int_equal(svc_import_persons(st, &a, path, &o, &res, &err), JW_EBADREQ);
	assert_non_null(strstr(err.message, "表头"));
	import_result_release(&res);
	/* a header without 人口类型: says which column is missing */
	const char *csv2 = "姓名,身份证号\n张三,110105195603120032\n";
	unlink(path);
	assert_true(temp_file(path, sizeof(path), ".csv", csv2, strlen(csv2)));
	assert_int_equal(svc_import_persons(st, &a, path, &o, &res, &err), JW_EBADREQ);
	assert_non_null(strstr(err.message, "人口类型"));
	import_result_release(&res);
	unlink(path);
	store_close(st);
	unlink(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates),
		cmocka_unit_test(birth_months),
		cmocka_unit_test(sci),
		cmocka_unit_test(roster),
		cmocka_unit_test(refused_row_undoes_its_places),
		cmocka_unit_test(no_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

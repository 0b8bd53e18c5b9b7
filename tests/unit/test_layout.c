/*
 * test_layout.c — unit tests of svc/layout.c: placeholder expansion (and
 * its truncation on a character), a two-level form and a one-level form
 * written to /tmp and read back by tests/unit/check_layout.py (openpyxl),
 * the Chinese error for a file that cannot be created, layout_abort, and a
 * 100,000-row run whose peak memory must stay flat.  Run from the
 * repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svc/layout.h"

#define PYTHON "/usr/bin/python3"
#define CHECKER "tests/unit/check_layout.py"

static const struct layout_ctx ctx = { "阳光社区居民委员会", 2026, 11, 27 };

static void tmp_path(char *out, size_t outsz, const char *what)
{
	snprintf(out, outsz, "/tmp/juwei-test-layout-%s-%d.xlsx", what, (int)getpid());
}

/* Runs check_layout.py MODE PATH; 77 from it means openpyxl is missing. */
static void check(const char *mode, const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(PYTHON, PYTHON, CHECKER, mode, path, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		fail_msg("python3-openpyxl is missing: scripts/deps.sh test installs it");
	if (WEXITSTATUS(st) != 0)
		fail_msg("%s %s: the check failed (exit %d), see above", CHECKER, mode, WEXITSTATUS(st));
}

static void expand_is(const char *text, size_t outsz, const char *want)
{
	char out[300];
	memset(out, '#', sizeof(out));
	layout_expand(text, &ctx, "高龄津贴发放花名册", out, outsz);
	if (strcmp(out, want) != 0)
		fail_msg("expand(\"%s\", %zu) = \"%s\", want \"%s\"", text, outsz, out, want);
	assert_int_equal(out[outsz], '#');   /* nothing written past outsz */
}

static void expand(void **state)
{
	(void)state;
	expand_is("{community}|{date}|{date_cn}|{year}|{month}|{title}", 256,
		  "阳光社区居民委员会|2026-11-27|2026年11月27日|2026|11|高龄津贴发放花名册");
	expand_is("{other}|{|}|{}|{date|{{year}}|date}|{", 256, "{other}|{|}|{}|{date|{2026}|date}|{");
	expand_is("no placeholders", 256, "no placeholders");
	expand_is("", 256, "");
	/* cut before the character that does not fit */
	expand_is("阳光社区", 13, "阳光社区");
	expand_is("阳光社区", 12, "阳光社");
	expand_is("阳光社区", 10, "阳光社");
	expand_is("阳光社区", 9, "阳光");
	expand_is("阳光社区", 3, "");
	expand_is("阳光社区", 1, "");
	/* inside a placeholder's value: cut there, and nothing after it */
	expand_is("ab{community}cd", 6, "ab阳");
	expand_is("ab{community}cd", 5, "ab");
	expand_is("{date}xyz", 11, "2026-11-27");
	expand_is("{unknown}", 5, "{unk");

	struct layout_ctx march = { "X", 2026, 3, 5 };
	char out[64];
	layout_expand("{year}年{month}月{date}{date_cn}", &march, NULL, out, sizeof(out));
	assert_string_equal(out, "2026年3月2026-03-052026年3月5日");
	layout_expand("[{title}]", &march, NULL, out, sizeof(out));
	assert_string_equal(out, "[]");
	layout_expand(NULL, &march, NULL, out, sizeof(out));
	assert_string_equal(out, "");
	layout_expand("x", &march, NULL, out, 0);   /* no room: nothing written */
}

static const struct layout_col roster_cols[] = {
	{ NULL, "序号", NULL, LT_SERIAL, 0, false, false },
	{ NULL, "姓名", "name", LT_TEXT, 0, false, true },
	{ NULL, "性别", "gender", LT_TEXT, 0, false, false },
	{ NULL, "身份证号码", "id_number", LT_ID, 0, false, true },
	{ NULL, "出生日期", "birth_date", LT_DATE, 0, false, false },
	{ "补贴标准", "80–89周岁", "band80", LT_MONEY, 0, true, false },
	{ "补贴标准", "90–99周岁", "band90", LT_MONEY, 0, true, false },
	{ "补贴标准", "100周岁以上", "band100", LT_MONEY, 0, true, false },
	{ NULL, "发放金额（元）", "amount", LT_MONEY, 0, true, false },
	{ NULL, "备注", "note", LT_TEXT, 0, false, false },
};

static const struct layout_def roster = {
	.key = "elderly_payout",
	.label = "高龄津贴发放花名册",
	.title = "{community}80周岁以上老年人[高龄]津贴发放花名册/{year}年第4季度:测试?*",
	.cols = roster_cols,
	.ncols = 10,
};

static void two_level(void **state)
{
	(void)state;
	char path[256];
	struct jw_error err;
	tmp_path(path, sizeof(path), "two");
	struct layout_writer *w = layout_begin(&roster, &ctx, path, &err);
	if (!w)
		fail_msg("layout_begin: %s", err.message);
	const char *rows[][10] = {
		{ "", "张桂兰", "女", "110105194403120025", "1944-03-12", "50", "", "", "50", "新增" },
		{ NULL, "李德明", "男", "11010519350607001X", "1935-06-07", "", "100", NULL, "100.10", NULL },
		{ "", "赵淑珍", "女", "010105192001010028", "1920-01-01", "", "", "500", "500.2", "百岁老人" },
		{ "", "孙国强", "男", "", "1945-02-30", "0.1", "", "", "待核实", "证件待补" },
		{ "", "  ", "", "", "", "0.2", "", "", "0.2", "" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (layout_row(w, rows[i], &err) != JW_OK)
			fail_msg("layout_row %zu: %s", i, err.message);
	if (layout_end(w, &err) != JW_OK)
		fail_msg("layout_end: %s", err.message);
	check("two", path);
	unlink(path);
}

static const struct layout_col visit_cols[] = {
	{ NULL, "姓名", "name", LT_TEXT, 0, false, true },
	{ NULL, "身份证号码", "id_number", LT_ID, 0, false, false },
	{ NULL, "走访日期", "visit_date", LT_DATE_CN, 0, false, false },
	{ NULL, "人数", "people", LT_NUMBER, 0, true, false },
	{ NULL, "备注", "note", LT_TEXT, 30, false, false },
};

static const struct layout_def visits = {
	.key = "visits",
	.label = "走访记录",
	.title = "{year}年{month}月{title}",
	.unit = "统计单位：{community}",
	.date = "统计时间：{date}",
	.footer = "制表人：____  制表时间：{date_cn}  {unknown}",
	.cols = visit_cols,
	.ncols = 5,
	.no_totals = true,
};

static void one_level(void **state)
{
	(void)state;
	char path[256];
	struct jw_error err;
	tmp_path(path, sizeof(path), "one");
	struct layout_writer *w = layout_begin(&visits, &ctx, path, &err);
	if (!w)
		fail_msg("layout_begin: %s", err.message);
	const char *rows[][5] = {
		{ "王芳", "110105198001010020", "2026-11-03", "2", "" },
		{ "刘强", "110105197502020011", "2026/11/05", "1.5", "日期格式不对" },
		{ "陈明", "", "", "abc", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (layout_row(w, rows[i], &err) != JW_OK)
			fail_msg("layout_row %zu: %s", i, err.message);
	if (layout_end(w, &err) != JW_OK)
		fail_msg("layout_end: %s", err.message);
	check("one", path);
	unlink(path);
}

static void errors(void **state)
{
	(void)state;
	struct jw_error err;
	const char *bad = "/nonexistent-juwei-dir/表.xlsx";
	assert_null(layout_begin(&roster, &ctx, bad, &err));
	assert_int_equal(err.code, JW_EIO);
	assert_non_null(strstr(err.message, "无法创建文件"));
	assert_non_null(strstr(err.message, bad));

	struct layout_def none = { .key = "none", .label = "空", .cols = roster_cols, .ncols = 0 };
	char path[256];
	tmp_path(path, sizeof(path), "none");
	assert_null(layout_begin(&none, &ctx, path, &err));
	assert_int_equal(err.code, JW_EINVAL);
	assert_int_equal(access(path, F_OK), -1);

	/* abort after some rows: the half-written file is gone */
	tmp_path(path, sizeof(path), "abort");
	struct layout_writer *w = layout_begin(&roster, &ctx, path, &err);
	assert_non_null(w);
	const char *row[10] = { "", "张三", "男", "110105194403120025", "1944-03-12", "50", "", "", "50", "" };
	for (int i = 0; i < 100; i++)
		assert_int_equal(layout_row(w, row, &err), JW_OK);
	assert_int_equal(access(path, F_OK), 0);
	layout_abort(w);
	assert_int_equal(access(path, F_OK), -1);
	layout_abort(NULL);
}

static const struct layout_col big_cols[] = {
	{ NULL, "序号", NULL, LT_SERIAL, 0, false, false },
	{ NULL, "姓名", "name", LT_TEXT, 0, false, true },
	{ NULL, "身份证号码", "id_number", LT_ID, 0, false, false },
	{ NULL, "出生日期", "birth_date", LT_DATE, 0, false, false },
	{ NULL, "发放金额（元）", "amount", LT_MONEY, 0, true, false },
	{ NULL, "人数", "people", LT_NUMBER, 0, true, false },
};

static const struct layout_def big = {
	.key = "big",
	.label = "大台账",
	.title = "{community}大台账",
	.cols = big_cols,
	.ncols = 6,
};

/* AddressSanitizer's quarantine and valgrind keep freed memory: the peak
 * says nothing about the writer there. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static bool rss_meaningful(void)
{
#ifdef UNDER_ASAN
	return false;
#else
	const char *pre = getenv("LD_PRELOAD");
	return !(pre && strstr(pre, "valgrind"));
#endif
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* 100,000 rows: the peak memory may not grow with the rows (the normal,
 * in-memory mode of libxlsxwriter takes some 100 MB more for this). */
static void many_rows(void **state)
{
	(void)state;
	char path[256], name[32], id[32];
	struct jw_error err;
	tmp_path(path, sizeof(path), "big");
	long before = max_rss_kb();
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct layout_writer *w = layout_begin(&big, &ctx, path, &err);
	if (!w)
		fail_msg("layout_begin: %s", err.message);
	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "居民%06d", i);
		snprintf(id, sizeof(id), "1101051950%02d%02d%04d", i % 12 + 1, i % 28 + 1, i % 10000);
		const char *row[6] = { NULL, name, id, "1950-01-01", "0.10", "1" };
		if (layout_row(w, row, &err) != JW_OK)
			fail_msg("layout_row %d: %s", i, err.message);
	}
	if (layout_end(w, &err) != JW_OK)
		fail_msg("layout_end: %s", err.message);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long after = max_rss_kb();
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("100000 rows: %.2f s, peak memory %ld KB → %ld KB (+%ld KB)\n", secs, before, after,
		      after - before);
	if (rss_meaningful() && after - before > 16 * 1024)
		fail_msg("peak memory grew by %ld KB for 100000 rows; constant-memory mode is not in effect",
			 after - before);
	if (secs > 60)
		fail_msg("100000 rows took %.1f s", secs);
	check("big", path);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(expand),
		cmocka_unit_test(many_rows),   /* first: a clean peak-memory baseline */
		cmocka_unit_test(two_level),
		cmocka_unit_test(one_level),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

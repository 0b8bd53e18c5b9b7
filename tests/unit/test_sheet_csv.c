/*
 * test_sheet_csv.c — unit tests for the CSV and .xls readers behind
 * io/sheet.h (io/csv_read.c, io/xls_read.c) and the shared number and
 * date helpers of io/sheet.c.
 *
 * Fixtures come from tests/data/sheet/make_csv_xls.py and are opened by
 * their path from the repository root (where `make unit` runs).  Broken
 * input is built in memory: undecodable bytes, too many columns, a NUL,
 * a huge field, chunk boundaries that cut a character in two.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/sheet.h"

#define DATA "tests/data/sheet/"
#define CHUNK (64 * 1024)   /* csv_read.c's read size */

/* ---- helpers ---- */

static struct sheet *open_file(const char *path)
{
	struct jw_error err = { 0 };
	struct sheet *s = sheet_open(path, &err);
	if (!s)
		fail_msg("%s: %s", path, err.message);
	return s;
}

static struct sheet *open_mem(enum sheet_format fmt, const void *data, size_t len)
{
	struct jw_error err = { 0 };
	struct sheet *s = sheet_open_mem(fmt, data, len, &err);
	if (!s)
		fail_msg("open_mem: %s", err.message);
	return s;
}

/* Reads the next row and checks its number and its n texts (a NULL-ended
 * list; "" for an empty cell). */
static void expect_row(struct sheet *s, int64_t rownum, ...)
{
	struct sheet_row row;
	struct jw_error err = { 0 };
	int rc = sheet_next(s, &row, &err);
	if (rc != 1)
		fail_msg("row %lld: next = %d (%s)", (long long)rownum, rc, err.message);
	assert_int_equal(row.rownum, rownum);
	va_list ap;
	va_start(ap, rownum);
	int i = 0;
	const char *want;
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (i >= row.n)
			fail_msg("row %lld: %d cells, want more (\"%s\")", (long long)rownum, row.n, want);
		if (strcmp(row.cells[i].text, want) != 0)
			fail_msg("row %lld cell %d: \"%s\", want \"%s\"", (long long)rownum, i,
				 row.cells[i].text, want);
		enum cell_kind k = row.cells[i].kind;
		if (want[0] ? k == CELL_EMPTY : k != CELL_EMPTY)
			fail_msg("row %lld cell %d: kind %d for \"%s\"", (long long)rownum, i, k, want);
		i++;
	}
	va_end(ap);
	if (i != row.n)
		fail_msg("row %lld: %d cells, want %d", (long long)rownum, row.n, i);
}

static void expect_end(struct sheet *s)
{
	struct sheet_row row;
	struct jw_error err = { 0 };
	assert_int_equal(sheet_next(s, &row, &err), 0);
	assert_int_equal(sheet_next(s, &row, &err), 0);
	assert_true(sheet_progress(s) == 1.0);
}

/* Reads until the end or an error; returns sheet_next's last result and
 * the number of rows read. */
static int drain(struct sheet *s, int64_t *rows, struct jw_error *err)
{
	struct sheet_row row;
	int rc;
	*rows = 0;
	while ((rc = sheet_next(s, &row, err)) == 1) {
		(*rows)++;
		for (int i = 0; i < row.n; i++)
			assert_non_null(row.cells[i].text);
	}
	return rc;
}

/* Expects the input to fail (after good_rows rows) with a message that
 * contains each of the NULL-ended strings. */
static void expect_error(const void *data, size_t len, int64_t good_rows, ...)
{
	struct sheet *s = open_mem(SHEET_CSV, data, len);
	struct jw_error err = { 0 };
	int64_t rows;
	assert_int_equal(drain(s, &rows, &err), -1);
	assert_int_equal(rows, good_rows);
	assert_int_equal(err.code, JW_EBADREQ);
	va_list ap;
	va_start(ap, good_rows);
	const char *want;
	while ((want = va_arg(ap, const char *)) != NULL)
		if (!strstr(err.message, want))
			fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
	va_end(ap);
	/* the failure sticks */
	struct sheet_row row;
	struct jw_error again = { 0 };
	assert_int_equal(sheet_next(s, &row, &again), -1);
	assert_string_equal(again.message, err.message);
	sheet_close(s);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 16);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

/* ---- the fixtures ---- */

static void check_utf8_bom(struct sheet *s)
{
	assert_int_equal(sheet_format(s), SHEET_CSV);
	assert_string_equal(sheet_encoding(s), "UTF-8 BOM");
	assert_int_equal(sheet_count(s), 1);
	assert_string_equal(sheet_name(s, 0), "");
	expect_row(s, 1, "姓名", "公民身份号码", "联系电话", "出生日期", NULL);
	expect_row(s, 2, "张三", "11010519491231002X", "13812345678", "1949-12-31", NULL);
	/* not trimmed; quotes removed */
	expect_row(s, 3, " 李四 ", "110105199001011234", "139 1234 5678", "1990/1/1", NULL);
	/* an empty middle cell; trailing empty cells do not count */
	expect_row(s, 4, "王芳", "", "13700001111", NULL);
	expect_end(s);
}

static void test_utf8_bom(void **state)
{
	struct sheet *s = open_file(DATA "utf8_bom.csv");
	check_utf8_bom(s);
	sheet_close(s);
}

static void test_utf8_bom_mem(void **state)
{
	size_t len;
	char *buf = slurp(DATA "utf8_bom.csv", &len);
	struct sheet *s = open_mem(SHEET_CSV, buf, len);
	assert_true(sheet_progress(s) < 1.0);
	check_utf8_bom(s);
	sheet_close(s);
	free(buf);
}

static void test_gbk(void **state)
{
	struct sheet *s = open_file(DATA "gbk.csv");
	assert_string_equal(sheet_encoding(s), "GB18030");
	expect_row(s, 1, "幸福里社区居民花名册", NULL);     /* title row, trailing commas */
	expect_row(s, 2, "姓名", "性别", "住址", "备注", NULL);
	/* a quoted comma and a quoted line break: still one row */
	expect_row(s, 3, "王五", "男", "幸福里小区3号楼,2单元302室", "第一行\r\n第二行", NULL);
	expect_row(s, 4, NULL);                             /* the blank line */
	expect_row(s, 5, "赵六", "女", "幸福里小区5号楼", "说\"好\"的", NULL);
	expect_end(s);
	sheet_close(s);
}

static void test_utf16le_tab(void **state)
{
	struct sheet *s = open_file(DATA "utf16le_tab.txt");
	assert_string_equal(sheet_encoding(s), "UTF-16LE");
	expect_row(s, 1, "姓名", "联系电话", "备注", NULL);
	expect_row(s, 2, "钱七", "13700001111", "甲\t乙", NULL);
	expect_row(s, 3, "孙八", "", "独居老人", NULL);
	expect_end(s);
	sheet_close(s);
}

static void test_semicolon(void **state)
{
	struct sheet *s = open_file(DATA "semicolon.csv");
	assert_string_equal(sheet_encoding(s), "UTF-8");
	expect_row(s, 1, "姓名", "住址", "备注", NULL);
	expect_row(s, 2, "周九", "幸福里小区1号楼,1单元101室", "无", NULL);
	expect_row(s, 3, "吴十", "幸福里小区2号楼;3单元", "a,b,c", NULL);
	expect_end(s);
	sheet_close(s);
}

static void test_select_rewinds(void **state)
{
	struct sheet *s = open_file(DATA "gbk.csv");
	struct jw_error err = { 0 };
	expect_row(s, 1, "幸福里社区居民花名册", NULL);
	expect_row(s, 2, "姓名", "性别", "住址", "备注", NULL);
	assert_int_equal(sheet_select(s, 0, &err), 0);
	assert_string_equal(sheet_encoding(s), "GB18030");
	expect_row(s, 1, "幸福里社区居民花名册", NULL);
	assert_int_equal(sheet_select(s, 1, &err), -1);
	assert_int_equal(err.code, JW_EBADREQ);
	sheet_close(s);
}

/* ---- line breaks, blank lines, delimiters ---- */

static void test_line_breaks(void **state)
{
	static const char in[] = "a,b\r\n\r\n\nc\rd,\"x\ny\"\n\"\"\n,,\n  e  \n";
	struct sheet *s = open_mem(SHEET_CSV, in, sizeof(in) - 1);
	expect_row(s, 1, "a", "b", NULL);
	expect_row(s, 2, NULL);            /* CRLF blank line */
	expect_row(s, 3, NULL);            /* LF blank line */
	expect_row(s, 4, "c", NULL);       /* ended by a lone CR */
	expect_row(s, 5, "d", "x\ny", NULL);
	expect_row(s, 6, NULL);            /* one empty quoted field */
	expect_row(s, 7, NULL);            /* only empty fields */
	expect_row(s, 8, "  e  ", NULL);
	expect_end(s);
	sheet_close(s);
}

static void test_delimiters(void **state)
{
	static const struct {
		const char *in, *second;
	} cases[] = {
		{ "a\tb,c\td\n", "b,c" },          /* tab wins 2:1 */
		{ "a;b;c,d\n", "b" },              /* semicolon wins 2:1 */
		{ "\"a,b,c\";d\n", "d" },          /* commas in quotes do not vote */
		{ "标题\n\na\tb\n", NULL },         /* first line with a delimiter */
		{ "a,b\tc\n", "b\tc" },            /* a tie goes to the comma */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sheet *s = open_mem(SHEET_CSV, cases[i].in, strlen(cases[i].in));
		struct sheet_row row;
		struct jw_error err;
		assert_int_equal(sheet_next(s, &row, &err), 1);
		if (cases[i].second) {
			assert_true(row.n >= 2);
			assert_string_equal(row.cells[1].text, cases[i].second);
		} else {
			assert_int_equal(sheet_next(s, &row, &err), 1);
			assert_int_equal(sheet_next(s, &row, &err), 1);
			assert_int_equal(row.rownum, 3);
			assert_int_equal(row.n, 2);
			assert_string_equal(row.cells[1].text, "b");
		}
		sheet_close(s);
	}
}

static void test_empty_inputs(void **state)
{
	static const char *const ins[] = { "", "\xEF\xBB\xBF", "\xFF\xFE", "\n" };
	for (size_t i = 0; i < sizeof(ins) / sizeof(ins[0]); i++) {
		struct sheet *s = open_mem(SHEET_CSV, ins[i], strlen(ins[i]));
		struct jw_error err;
		int64_t rows;
		assert_int_equal(drain(s, &rows, &err), 0);
		assert_int_equal(rows, i == 3 ? 1 : 0);
		assert_true(sheet_progress(s) == 1.0);
		sheet_close(s);
	}
	struct sheet *s = open_mem(SHEET_CSV, NULL, 0);
	expect_end(s);
	sheet_close(s);
}

/* ---- errors ---- */

static void test_bad_gbk(void **state)
{
	/* 姓名,电话 / 张三,1 in GBK, then 0x81 0x20: not GBK, not GB18030 */
	static const char in[] = "\xD0\xD5\xC3\xFB,\xB5\xE7\xBB\xB0\r\n\xD5\xC5\xC8\xFD,1\r\nx\x81\x20y\r\n";
	expect_error(in, sizeof(in) - 1, 2, "第3行", "UTF-8", "GBK", "另存为 CSV UTF-8", NULL);
	static const char ff[] = "\xFF\xFF\xFF\n";
	expect_error(ff, sizeof(ff) - 1, 0, "第1行", NULL);
}

/* A character cut short by the end of the file. */
static void test_truncated_at_end(void **state)
{
	static const char u8[] = "\xC3\xA9,a\n\xE4\xBD";
	expect_error(u8, sizeof(u8) - 1, 1, "第2行", NULL);
	static const char gbk[] = "\xD5\xC5,a\n\xD5";
	expect_error(gbk, sizeof(gbk) - 1, 1, "第2行", NULL);
	/* Nothing but a cut UTF-8 sequence at the end: it is GBK (浣) */
	static const char ascii[] = "a\n\xE4\xBD";
	struct sheet *s = open_mem(SHEET_CSV, ascii, sizeof(ascii) - 1);
	expect_row(s, 1, "a", NULL);
	expect_row(s, 2, "浣", NULL);
	assert_string_equal(sheet_encoding(s), "GB18030");
	expect_end(s);
	sheet_close(s);
}

static void test_bad_utf16(void **state)
{
	/* an odd byte at the end */
	static const char odd[] = "\xFF\xFE" "a\0,\0b\0\n\0c";
	expect_error(odd, sizeof(odd) - 1, 1, "第2行", "UTF-16LE", NULL);
	/* a lone low surrogate */
	static const char sur[] = "\xFE\xFF" "\0a\0\n\xDC\x00\0\n";
	expect_error(sur, sizeof(sur) - 1, 1, "第2行", "UTF-16BE", NULL);
}

static void test_too_many_columns(void **state)
{
	size_t n = 4 + 1100 + 2;
	char *in = malloc(n);
	assert_non_null(in);
	memcpy(in, "a,b\n", 4);
	memset(in + 4, ',', 1100);
	memcpy(in + 4 + 1100, "x\n", 2);
	expect_error(in, n, 1, "第2行", "1024", NULL);
	/* 1024 columns are fine */
	memset(in + 4, ',', 1023);
	memcpy(in + 4 + 1023, "x\n", 2);
	struct sheet *s = open_mem(SHEET_CSV, in, 4 + 1023 + 2);
	struct sheet_row row;
	struct jw_error err;
	assert_int_equal(sheet_next(s, &row, &err), 1);
	assert_int_equal(sheet_next(s, &row, &err), 1);
	assert_int_equal(row.n, 1024);
	assert_string_equal(row.cells[1023].text, "x");
	sheet_close(s);
	free(in);
}

static void test_nul_byte(void **state)
{
	static const char in[] = "a,b\nc\0d\n";
	expect_error(in, sizeof(in) - 1, 1, "第2行", "空字符", NULL);
	/* UTF-16 without a BOM reads as text full of NULs */
	static const char u16[] = "a\0,\0b\0\n\0";
	expect_error(u16, sizeof(u16) - 1, 0, "第1行", "空字符", NULL);
}

static void test_huge_field(void **state)
{
	size_t big = 1024 * 1024 + 100, n = 8 + big;
	char *in = malloc(n);
	assert_non_null(in);
	memcpy(in, "a,b\nc,\"", 7);
	memset(in + 7, 'x', big);
	in[n - 1] = '\n';
	/* unterminated quote: the field never ends */
	expect_error(in, n, 1, "第2行 B 列", "1 MB", "引号", NULL);
	/* terminated but too long */
	in[n - 2] = '"';
	expect_error(in, n, 1, "第2行 B 列", NULL);
	free(in);
}

static void test_never_crash(void **state)
{
	/* Deterministic noise, biased to the bytes the reader cares about. */
	static const unsigned char alphabet[] = "\",;\t\r\n\0 a\x80\xC3\xA9\xE4\xBD\xA0\xFF\xFE\xEF\xBB\xBF\xD5\xC5\x81\x30";
	unsigned long seed = 12345;
	unsigned char buf[300];
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = (size_t)(iter % 300);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			buf[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		struct jw_error err;
		struct sheet *s = open_mem(SHEET_CSV, buf, len);
		int64_t rows;
		int rc = drain(s, &rows, &err);
		assert_true(rc == 0 || rc == -1);
		assert_non_null(sheet_encoding(s));
		sheet_close(s);
	}
}

/* ---- chunk boundaries ---- */

/* pad bytes of "a\n" lines (pad even), then tail; returns the buffer. */
static char *padded(size_t pad, const char *tail, size_t tlen, size_t *len)
{
	char *in = malloc(pad + tlen);
	assert_non_null(in);
	for (size_t i = 0; i < pad; i += 2)
		memcpy(in + i, "a\n", 2);
	memcpy(in + pad, tail, tlen);
	*len = pad + tlen;
	return in;
}

static void expect_last_row(const char *in, size_t len, const char *enc, int64_t rownum, const char *text)
{
	struct sheet *s = open_mem(SHEET_CSV, in, len);
	struct sheet_row row;
	struct jw_error err = { 0 };
	int rc;
	int64_t last = 0;
	char got[64] = "";
	while ((rc = sheet_next(s, &row, &err)) == 1) {
		last = row.rownum;
		snprintf(got, sizeof(got), "%s", row.n ? row.cells[0].text : "");
	}
	if (rc != 0)
		fail_msg("%s", err.message);
	assert_string_equal(sheet_encoding(s), enc);
	assert_int_equal(last, rownum);
	assert_string_equal(got, text);
	sheet_close(s);
}

static void test_chunk_boundaries(void **state)
{
	size_t len;
	char *in;
	/* GBK 张三 whose first byte ends the first chunk: ASCII before it */
	in = padded(CHUNK - 2, "x\xD5\xC5\xC8\xFD\n", 6, &len);
	expect_last_row(in, len, "GB18030", (CHUNK - 2) / 2 + 1, "x张三");
	free(in);
	/* GB18030 four-byte sequence (U+00A5 ¥ is 81 30 84 36) cut after 3 bytes */
	in = padded(CHUNK - 6, "x\xB5\xE7\x81\x30\x84\x36\n", 8, &len);
	expect_last_row(in, len, "GB18030", (CHUNK - 6) / 2 + 1, "x电¥");
	free(in);
	/* UTF-8, decided early, with 你 cut after its first byte; é replaces
	 * the first "a\n", so row 1 is "éa" and there is one row less */
	in = padded(CHUNK - 2, "y\xE4\xBD\xA0\n", 5, &len);
	memcpy(in, "\xC3\xA9", 2);
	expect_last_row(in, len, "UTF-8", (CHUNK - 2) / 2, "y你");
	free(in);
	/* UTF-8 after pure ASCII, the only multibyte character cut in two */
	in = padded(CHUNK - 2, "z\xE4\xBD\xA0\n", 5, &len);
	expect_last_row(in, len, "UTF-8", (CHUNK - 2) / 2 + 1, "z你");
	free(in);
	/* UTF-16LE: a surrogate pair (U+1F600) cut in the middle */
	len = CHUNK + 8;
	in = calloc(1, len);
	assert_non_null(in);
	memcpy(in, "\xFF\xFE", 2);
	size_t p = 2;
	while (p < CHUNK - 6) {
		memcpy(in + p, "a\0\n\0", 4);
		p += 4;
	}
	assert_int_equal(p, CHUNK - 6);
	memcpy(in + p, "b\0c\0=\xD8\x00\xDE\n\0", 10);  /* the pair starts at CHUNK - 2 */
	expect_last_row(in, p + 10, "UTF-16LE", (int64_t)(p - 2) / 4 + 1, "bc\xF0\x9F\x98\x80");
	free(in);
}

/* Invalid UTF-8 far into a UTF-8 file: rows before it are returned. */
static void test_late_bad_utf8(void **state)
{
	size_t len;
	char *in = padded(3 * CHUNK, "\xFF\n", 2, &len);
	memcpy(in, "\xC3\xA9", 2);      /* row 1 is "éa": one row less */
	expect_error(in, len, 3 * CHUNK / 2 - 1, "第98304行", NULL);
	free(in);
}

/* ---- a big file: one row at a time, progress climbs to 1 ---- */

static void test_million_rows(void **state)
{
	char path[] = "/tmp/juwei-test-sheet-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	fputs("\xEF\xBB\xBF姓名,电话,备注\r\n", f);
	for (int i = 0; i < 1000000; i++)
		fprintf(f, "居民%d,138%08d,\"第%d行\"\r\n", i, i, i + 2);
	fclose(f);

	struct sheet *s = open_file(path);
	unlink(path);
	struct sheet_row row;
	struct jw_error err;
	int64_t n = 0;
	double last = 0;
	while (sheet_next(s, &row, &err) == 1) {
		n++;
		assert_int_equal(row.rownum, n);
		if (n % 100000 == 0) {
			double pr = sheet_progress(s);
			assert_true(pr >= last && pr < 1.0);
			last = pr;
			char want[32];
			snprintf(want, sizeof(want), "第%lld行", (long long)n);
			assert_string_equal(row.cells[2].text, want);
		}
	}
	assert_int_equal(n, 1000001);
	assert_true(last > 0.8);
	assert_true(sheet_progress(s) == 1.0);
	sheet_close(s);
}

/* ---- .xls ---- */

static void expect_cell(const struct sheet_row *row, int i, enum cell_kind kind, const char *text, double num)
{
	assert_true(i < row->n);
	if (row->cells[i].kind != kind || strcmp(row->cells[i].text, text) != 0)
		fail_msg("row %lld cell %d: kind %d \"%s\", want kind %d \"%s\"", (long long)row->rownum, i,
			 row->cells[i].kind, row->cells[i].text, kind, text);
	if (kind == CELL_NUMBER || kind == CELL_DATE)
		assert_true(fabs(row->cells[i].num - num) < 1e-6 * (fabs(num) + 1));
}

static void check_roster(struct sheet *s)
{
	struct sheet_row row;
	struct jw_error err = { 0 };
	assert_int_equal(sheet_format(s), SHEET_XLS);
	assert_null(sheet_encoding(s));
	assert_int_equal(sheet_count(s), 3);
	assert_string_equal(sheet_name(s, 0), "居民花名册");
	assert_string_equal(sheet_name(s, 1), "说明");
	assert_string_equal(sheet_name(s, 2), "日期");
	assert_string_equal(sheet_name(s, 3), "");

	expect_row(s, 1, "姓名", "联系电话", "公民身份号码", "出生日期", "人数", "面积", "登记时间", NULL);
	assert_int_equal(sheet_next(s, &row, &err), 1);
	assert_int_equal(row.rownum, 2);
	assert_int_equal(row.n, 7);
	expect_cell(&row, 0, CELL_TEXT, "张三", 0);
	expect_cell(&row, 1, CELL_NUMBER, "13812345678", 13812345678.0);
	expect_cell(&row, 2, CELL_NUMBER, "1.1010519491231e+17", 110105194912310021.0);
	expect_cell(&row, 3, CELL_DATE, "1958-03-05", 21249);
	expect_cell(&row, 4, CELL_NUMBER, "3", 3);
	expect_cell(&row, 5, CELL_NUMBER, "86.5", 86.5);
	expect_cell(&row, 6, CELL_DATE, "2024-01-01 12:00:00", 45292.5);
	double mid = sheet_progress(s);
	assert_true(mid > 0 && mid < 1);
	expect_row(s, 3, NULL);                                  /* the blank row */
	assert_int_equal(sheet_next(s, &row, &err), 1);
	assert_int_equal(row.rownum, 4);
	assert_int_equal(row.n, 3);
	expect_cell(&row, 0, CELL_TEXT, "李四", 0);
	assert_int_equal(row.cells[1].kind, CELL_EMPTY);
	assert_string_equal(row.cells[1].text, "");
	expect_cell(&row, 2, CELL_TEXT, "11010519491231002X", 0);
	expect_end(s);

	assert_int_equal(sheet_select(s, 1, &err), 0);
	expect_row(s, 1, "本表为测试数据", NULL);
	expect_end(s);

	/* FreeXL's dates, put right */
	assert_int_equal(sheet_select(s, 2, &err), 0);
	assert_int_equal(sheet_next(s, &row, &err), 1);
	assert_int_equal(row.n, 6);
	expect_cell(&row, 0, CELL_DATE, "1900-02-28", 60);      /* Excel's 1900-02-29 */
	expect_cell(&row, 1, CELL_DATE, "1900-03-01", 61);
	expect_cell(&row, 2, CELL_DATE, "2100-03-01", 73110);   /* FreeXL: 2100-02-29 */
	expect_cell(&row, 3, CELL_DATE, "9999-12-31", 2958465); /* FreeXL: 9999-11-01 */
	expect_cell(&row, 4, CELL_NUMBER, "0.75", 0.75);        /* a time alone, as .xlsx */
	expect_cell(&row, 5, CELL_NUMBER, "10000000", 1e7);     /* past year 9999 */
	expect_end(s);

	assert_int_equal(sheet_select(s, 3, &err), -1);
	assert_int_equal(err.code, JW_EBADREQ);
	assert_int_equal(sheet_select(s, 0, &err), 0);
	expect_row(s, 1, "姓名", "联系电话", "公民身份号码", "出生日期", "人数", "面积", "登记时间", NULL);
}

static void test_xls(void **state)
{
	struct sheet *s = open_file(DATA "roster.xls");
	check_roster(s);
	sheet_close(s);
}

static void test_xls_mem(void **state)
{
	size_t len;
	char *buf = slurp(DATA "roster.xls", &len);
	struct sheet *s = open_mem(SHEET_XLS, buf, len);
	check_roster(s);
	sheet_close(s);

	/* broken: cut short, and not a workbook at all */
	struct jw_error err = { 0 };
	assert_null(sheet_open_mem(SHEET_XLS, buf, 700, &err));
	assert_int_equal(err.code, JW_EBADREQ);
	assert_non_null(strstr(err.message, "Excel 97-2003"));
	jw_error_clear(&err);
	assert_null(sheet_open_mem(SHEET_XLS, "a,b\n", 4, &err));
	assert_non_null(strstr(err.message, "另存为 .xlsx"));
	jw_error_clear(&err);
	assert_null(sheet_open_mem(SHEET_XLS, NULL, 0, &err));
	assert_int_equal(err.code, JW_EBADREQ);
	free(buf);
}

/* ---- sheet.c's helpers ---- */

static void expect_number(double v, const char *want)
{
	char out[64];
	sheet_number_text(v, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("%.17g: \"%s\", want \"%s\"", v, out, want);
}

static void test_number_text(void **state)
{
	expect_number(13812345678.0, "13812345678");
	expect_number(110105194912310021.0, "1.1010519491231e+17");
	expect_number(999999999999999.0, "999999999999999");
	expect_number(1e15, "1e+15");
	expect_number(0, "0");
	expect_number(-3, "-3");
	expect_number(86.5, "86.5");
	expect_number(0.1, "0.1");
	expect_number(1.0 / 3, "0.333333333333333");
	expect_number(NAN, "");
	expect_number(INFINITY, "");
	char small[4];
	sheet_number_text(13812345678.0, small, sizeof(small));
	assert_string_equal(small, "138");
}

static void expect_date(double serial, const char *want)
{
	int y, m, d, hh, mi, ss;
	char got[32];
	if (!sheet_serial_date(serial, &y, &m, &d, &hh, &mi, &ss)) {
		if (want)
			fail_msg("%.17g: out of range, want %s", serial, want);
		return;
	}
	if (!want)
		fail_msg("%.17g: %04d-%02d-%02d, want out of range", serial, y, m, d);
	snprintf(got, sizeof(got), "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
	assert_string_equal(got, want);
}

static void test_serial_date(void **state)
{
	expect_date(21249, "1958-03-05 00:00:00");
	expect_date(1, "1900-01-01 00:00:00");
	expect_date(59, "1900-02-28 00:00:00");
	expect_date(60, "1900-02-28 00:00:00");     /* Excel's 1900-02-29 */
	expect_date(61, "1900-03-01 00:00:00");
	expect_date(36526, "2000-01-01 00:00:00");
	expect_date(45292.5, "2024-01-01 12:00:00");
	expect_date(45292.75, "2024-01-01 18:00:00");
	expect_date(1.9999999, "1900-01-02 00:00:00");  /* rounds to the second */
	expect_date(73110, "2100-03-01 00:00:00");
	expect_date(2958465, "9999-12-31 00:00:00");
	expect_date(2958466, NULL);
	expect_date(0, NULL);
	expect_date(0.5, NULL);
	expect_date(-1, NULL);
	expect_date(NAN, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_bom),
		cmocka_unit_test(test_utf8_bom_mem),
		cmocka_unit_test(test_gbk),
		cmocka_unit_test(test_utf16le_tab),
		cmocka_unit_test(test_semicolon),
		cmocka_unit_test(test_select_rewinds),
		cmocka_unit_test(test_line_breaks),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_bad_gbk),
		cmocka_unit_test(test_truncated_at_end),
		cmocka_unit_test(test_bad_utf16),
		cmocka_unit_test(test_too_many_columns),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_huge_field),
		cmocka_unit_test(test_never_crash),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_late_bad_utf8),
		cmocka_unit_test(test_million_rows),
		cmocka_unit_test(test_xls),
		cmocka_unit_test(test_xls_mem),
		cmocka_unit_test(test_number_text),
		cmocka_unit_test(test_serial_date),
	};
	return cmocka_run_group_tests_name("sheet_csv", tests, NULL, NULL);
}

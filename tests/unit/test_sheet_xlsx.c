/*
 * test_sheet_xlsx.c — unit tests of io/xlsx_read.c through io/sheet.h:
 * sheet names and selection, Excel's row numbers, every cell type (shared,
 * inline and rich strings, numbers, dates in both date systems, bools,
 * errors, formula strings), reading from memory, progress, and the
 * Chinese errors for broken files.  Fixtures come from
 * tests/data/sheet/make_xlsx.py; run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/sheet.h"

#define DATA "tests/data/sheet/"
#define YANGGUANG "tests/data/community/small_community.xlsx"

static void cell_is(const struct sheet_row *row, int col, enum cell_kind kind, const char *text)
{
	assert_true(col < row->n);
	if (row->cells[col].kind != kind || strcmp(row->cells[col].text, text) != 0)
		fail_msg("column %d: kind %d “%s”, want kind %d “%s”", col, row->cells[col].kind,
			 row->cells[col].text, kind, text);
}

static void empty_between(const struct sheet_row *row, int from, int to)
{
	for (int c = from; c < to; c++) {
		assert_int_equal(row->cells[c].kind, CELL_EMPTY);
		assert_string_equal(row->cells[c].text, "");
	}
}

static struct sheet *open_ok(const char *path)
{
	struct jw_error err = { 0 };
	struct sheet *s = sheet_open(path, &err);
	if (!s)
		fail_msg("%s: %s", path, err.message);
	assert_int_equal(sheet_format(s), SHEET_XLSX);
	return s;
}

static int next(struct sheet *s, struct sheet_row *row)
{
	struct jw_error err = { 0 };
	int r = sheet_next(s, row, &err);
	if (r < 0)
		fail_msg("sheet_next: %s", err.message);
	return r;
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	void *p = malloc((size_t)n);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void test_names_and_select(void **state)
{
	struct sheet *s = open_ok(DATA "residents.xlsx");
	struct sheet_row row;
	struct jw_error err = { 0 };

	assert_int_equal(sheet_count(s), 2);
	assert_string_equal(sheet_name(s, 0), "说明");
	assert_string_equal(sheet_name(s, 1), "居民");
	assert_null(sheet_name(s, 2));
	assert_null(sheet_encoding(s));

	/* positioned at the first sheet */
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 1);
	cell_is(&row, 0, CELL_TEXT, "本工作簿为测试用合成数据，不含真实人员信息。");
	assert_int_equal(row.n, 1);
	assert_int_equal(next(s, &row), 0);
	assert_true(sheet_progress(s) == 1.0);
	assert_int_equal(next(s, &row), 0);

	/* select, read part, select again: from the first row */
	assert_int_equal(sheet_select(s, 1, &err), 0);
	assert_true(sheet_progress(s) < 1.0);
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 1);
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 2);
	assert_int_equal(sheet_select(s, 1, &err), 0);
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 1);
	cell_is(&row, 0, CELL_TEXT, "阳光社区居民花名册（测试数据）");

	/* back to the first sheet */
	assert_int_equal(sheet_select(s, 0, &err), 0);
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 1);

	/* no such sheet */
	assert_int_not_equal(sheet_select(s, 2, &err), 0);
	assert_int_equal(err.code, JW_EBADREQ);
	assert_non_null(strstr(err.message, "没有第 3 个工作表"));
	assert_int_equal(sheet_next(s, &row, &err), -1);
	assert_int_not_equal(sheet_select(s, -1, &err), 0);
	sheet_close(s);
}

/* The 居民 sheet of residents.xlsx, cell by cell. */
static void check_residents(struct sheet *s)
{
	struct sheet_row row;
	double last = 0;

	assert_int_equal(next(s, &row), 1);        /* merged title */
	assert_int_equal(row.rownum, 1);
	assert_int_equal(row.n, 1);
	cell_is(&row, 0, CELL_TEXT, "阳光社区居民花名册（测试数据）");
	last = sheet_progress(s);
	assert_true(last > 0.0 && last <= 1.0);

	assert_int_equal(next(s, &row), 1);        /* header */
	assert_int_equal(row.rownum, 2);
	assert_int_equal(row.n, 28);               /* one past AB */
	cell_is(&row, 0, CELL_TEXT, "姓名");
	cell_is(&row, 3, CELL_TEXT, "公民身份号码");
	cell_is(&row, 11, CELL_TEXT, "面积");
	empty_between(&row, 12, 27);
	cell_is(&row, 27, CELL_TEXT, "扩展");

	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 3);
	assert_int_equal(row.n, 28);
	cell_is(&row, 0, CELL_TEXT, "张三");
	cell_is(&row, 1, CELL_TEXT, "男");
	cell_is(&row, 2, CELL_NUMBER, "13812345678");
	assert_true(row.cells[2].num == 13812345678.0);
	cell_is(&row, 3, CELL_NUMBER, "1.10105199709198e+17");
	cell_is(&row, 4, CELL_DATE, "1997-09-19");                /* builtin format 14 */
	assert_true(row.cells[4].num == 35692.0);
	cell_is(&row, 5, CELL_DATE, "2024-03-05 08:30:00");       /* yyyy-mm-dd h:mm:ss */
	cell_is(&row, 6, CELL_DATE, "2023-06-01");                /* yyyy"年"m"月"d"日" */
	cell_is(&row, 7, CELL_BOOL, "TRUE");
	cell_is(&row, 8, CELL_TEXT, "#N/A");
	cell_is(&row, 9, CELL_TEXT, "张三（男）");                 /* formula, cached string */
	cell_is(&row, 10, CELL_TEXT, "内联文字");                  /* inline string */
	cell_is(&row, 11, CELL_NUMBER, "89.5");                   /* 0.0" days": not a date */
	empty_between(&row, 12, 27);
	cell_is(&row, 27, CELL_TEXT, "AB列");
	assert_true(sheet_progress(s) >= last);
	last = sheet_progress(s);

	assert_int_equal(next(s, &row), 1);        /* row 4 is blank: skipped */
	assert_int_equal(row.rownum, 5);
	assert_int_equal(row.n, 12);
	cell_is(&row, 0, CELL_TEXT, "王小 五");                    /* rich text, phonetic run left out */
	cell_is(&row, 1, CELL_TEXT, "女");
	cell_is(&row, 2, CELL_TEXT, "13900001111");
	cell_is(&row, 3, CELL_TEXT, "11010519800101002X");
	cell_is(&row, 4, CELL_DATE, "1980-01-01");
	assert_true(row.cells[4].num == 29221.0);
	empty_between(&row, 5, 7);
	cell_is(&row, 7, CELL_BOOL, "FALSE");
	empty_between(&row, 8, 10);
	cell_is(&row, 10, CELL_TEXT, "  前后空格  ");               /* xml:space="preserve" */
	cell_is(&row, 11, CELL_TEXT, "甲\r乙_x0041_");             /* _x000D_, _x005F_ */

	assert_int_equal(next(s, &row), 0);
	assert_true(sheet_progress(s) == 1.0);
	assert_int_equal(next(s, &row), 0);
}

static void test_residents(void **state)
{
	struct sheet *s = open_ok(DATA "residents.xlsx");
	struct jw_error err = { 0 };

	assert_int_equal(sheet_select(s, 1, &err), 0);
	check_residents(s);
	/* rewinding gives the same rows again */
	assert_int_equal(sheet_select(s, 1, &err), 0);
	check_residents(s);
	sheet_close(s);
}

static void test_memory(void **state)
{
	size_t len;
	void *data = slurp(DATA "residents.xlsx", &len);
	struct jw_error err = { 0 };

	struct sheet *s = sheet_open_mem(SHEET_XLSX, data, len, &err);
	if (!s)
		fail_msg("%s", err.message);
	assert_int_equal(sheet_format(s), SHEET_XLSX);
	assert_int_equal(sheet_count(s), 2);
	assert_string_equal(sheet_name(s, 1), "居民");
	assert_int_equal(sheet_select(s, 1, &err), 0);
	check_residents(s);
	sheet_close(s);

	/* the first half of the same bytes is no workbook */
	assert_null(sheet_open_mem(SHEET_XLSX, data, len / 2, &err));
	assert_int_equal(err.code, JW_EBADREQ);
	free(data);
}

static void test_date1904(void **state)
{
	struct sheet *s = open_ok(DATA "date1904.xlsx");
	struct sheet_row row;

	assert_int_equal(sheet_count(s), 1);
	assert_string_equal(sheet_name(s, 0), "居民");
	assert_int_equal(next(s, &row), 1);
	cell_is(&row, 1, CELL_TEXT, "出生日期");
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 2);
	cell_is(&row, 0, CELL_TEXT, "赵六");
	cell_is(&row, 1, CELL_DATE, "1958-03-05");
	assert_true(row.cells[1].num == 21249.0);   /* the 1900-system serial */
	cell_is(&row, 2, CELL_DATE, "2024-02-29 23:59:59");
	assert_int_equal(next(s, &row), 0);
	sheet_close(s);
}

/* Prefixed elements, rows and cells without r, an absolute target, ISO
 * dates, stored entries, an empty <row/>. */
static void test_handmade(void **state)
{
	struct sheet *s = open_ok(DATA "handmade.xlsx");
	struct sheet_row row;

	assert_int_equal(sheet_count(s), 1);
	assert_string_equal(sheet_name(s, 0), "手工");
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 1);
	assert_int_equal(row.n, 2);
	cell_is(&row, 0, CELL_TEXT, "编号");
	cell_is(&row, 1, CELL_TEXT, "数量");
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 2);
	assert_int_equal(row.n, 5);
	cell_is(&row, 0, CELL_NUMBER, "7");
	cell_is(&row, 1, CELL_NUMBER, "-2.5");
	assert_true(row.cells[1].num == -2.5);
	empty_between(&row, 2, 4);
	cell_is(&row, 4, CELL_TEXT, "共享");
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 10);
	assert_int_equal(row.n, 4);
	cell_is(&row, 1, CELL_NUMBER, "1000");
	cell_is(&row, 2, CELL_DATE, "2024-03-05 08:30:00");    /* t="d", ISO 8601 */
	assert_true(row.cells[2].num > 45356.354 && row.cells[2].num < 45356.355);
	cell_is(&row, 3, CELL_DATE, "1900-03-01");
	assert_true(row.cells[3].num == 61.0);                /* after Excel's 1900-02-29 */
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 11);
	assert_int_equal(row.n, 0);
	assert_int_equal(next(s, &row), 0);
	assert_true(sheet_progress(s) == 1.0);
	sheet_close(s);
}

/* Each sheet of errors.xlsx fails in its own way, with a message that
 * names the sheet, the row and the cell; the failure repeats, and the
 * other sheets still read. */
static void test_errors(void **state)
{
	static const struct {
		const char *name;
		int64_t good_rows;      /* rows read before the failure */
		const char *want[3];    /* substrings of the message */
	} cases[] = {
		{ "越界", 1, { "工作表“越界”第 2 行 B 列", "B2", "共享字符串" } },
		{ "超长", 1, { "第 3 行 C 列", "32767", NULL } },
		{ "超列", 1, { "第 4 行", "XFE4", "XFD" } },
		{ "坏XML", 0, { "工作表“坏XML”", "不是完整有效的 XML", "另存为 .xlsx" } },
		{ "坏数字", 1, { "第 5 行 D 列（单元格 D5）", "12abc", NULL } },
		{ "缺失", -1, { "工作表“缺失”", "xl/worksheets/sheet6.xml", "找不到" } },
		{ "DTD", 0, { "DTD", NULL, NULL } },
	};
	struct sheet *s = open_ok(DATA "errors.xlsx");
	struct sheet_row row;
	struct jw_error err;

	assert_int_equal(sheet_count(s), (int)(sizeof(cases) / sizeof(cases[0])));
	for (int i = 0; i < sheet_count(s); i++) {
		assert_string_equal(sheet_name(s, i), cases[i].name);
		memset(&err, 0, sizeof(err));
		int rc = sheet_select(s, i, &err), r;
		if (cases[i].good_rows < 0) {
			assert_int_not_equal(rc, 0);
		} else {
			assert_int_equal(rc, 0);
			for (int64_t k = 0; k < cases[i].good_rows; k++) {
				assert_int_equal(sheet_next(s, &row, &err), 1);
				cell_is(&row, 0, CELL_TEXT, "正常");
			}
			r = sheet_next(s, &row, &err);
			if (r != -1)
				fail_msg("sheet %s: %d, want -1", cases[i].name, r);
		}
		assert_int_equal(err.code, JW_EBADREQ);
		for (int k = 0; k < 3 && cases[i].want[k]; k++)
			if (!strstr(err.message, cases[i].want[k]))
				fail_msg("sheet %s: “%s” lacks “%s”", cases[i].name, err.message, cases[i].want[k]);
		/* the failure repeats */
		struct jw_error again = { 0 };
		assert_int_equal(sheet_next(s, &row, &again), -1);
		assert_string_equal(again.message, err.message);
	}
	/* a good sheet after all that */
	assert_int_equal(sheet_select(s, 2, &err), 0);
	assert_int_equal(next(s, &row), 1);
	cell_is(&row, 0, CELL_TEXT, "正常");
	sheet_close(s);
}

static void test_broken_files(void **state)
{
	struct jw_error err = { 0 };

	assert_null(sheet_open(DATA "truncated.xlsx", &err));
	assert_int_equal(err.code, JW_EBADREQ);
	assert_non_null(strstr(err.message, "文件不是有效的 Excel 工作簿（.xlsx）"));
	assert_non_null(strstr(err.message, "请用 Excel 或 WPS 打开后另存为 .xlsx 再试"));

	memset(&err, 0, sizeof(err));
	assert_null(sheet_open(DATA "no_workbook.xlsx", &err));
	assert_int_equal(err.code, JW_EBADREQ);
	assert_non_null(strstr(err.message, "xl/workbook.xml"));

	static const char junk[] = "PK\x03\x04 this is not a zip at all";
	memset(&err, 0, sizeof(err));
	assert_null(sheet_open_mem(SHEET_XLSX, junk, sizeof(junk) - 1, &err));
	assert_int_equal(err.code, JW_EBADREQ);
	assert_non_null(strstr(err.message, "文件不是有效的 Excel 工作簿"));

	memset(&err, 0, sizeof(err));
	assert_null(sheet_open_mem(SHEET_XLSX, "", 0, &err));
	assert_int_equal(err.code, JW_EBADREQ);

	/* a zip bomb is refused by its declared size, before inflating */
	memset(&err, 0, sizeof(err));
	assert_null(sheet_open(DATA "bomb.xlsx", &err));
	assert_int_equal(err.code, JW_EBADREQ);
	assert_non_null(strstr(err.message, "xl/sharedStrings.xml"));
	assert_non_null(strstr(err.message, "512 MiB"));

	/* an entry that inflates past its declared size is cut off */
	struct sheet *s = open_ok(DATA "liar.xlsx");
	struct sheet_row row;
	memset(&err, 0, sizeof(err));
	assert_int_equal(sheet_next(s, &row, &err), -1);
	assert_int_equal(err.code, JW_EBADREQ);
	assert_non_null(strstr(err.message, "比文件声明的长度多"));
	sheet_close(s);
}

/* The shared demo workbook: 居民 has a header and 2,000 rows, ID numbers
 * as text, 出生日期 as dates. */
static void test_yangguang(void **state)
{
	FILE *f = fopen(YANGGUANG, "rb");
	if (!f)
		fail_msg("%s is missing from the checkout (run from the repository's top)", YANGGUANG);
	fclose(f);

	struct sheet *s = open_ok(YANGGUANG);
	struct sheet_row row;
	struct jw_error err = { 0 };
	int pick = -1, id_col = -1, birth_col = -1, name_col = -1;

	for (int i = 0; i < sheet_count(s); i++)
		if (strcmp(sheet_name(s, i), "居民") == 0)
			pick = i;
	assert_true(pick >= 0);
	assert_int_equal(sheet_select(s, pick, &err), 0);
	assert_int_equal(next(s, &row), 1);
	assert_int_equal(row.rownum, 1);
	for (int c = 0; c < row.n; c++) {
		assert_int_equal(row.cells[c].kind, CELL_TEXT);
		if (strcmp(row.cells[c].text, "公民身份号码") == 0)
			id_col = c;
		else if (strcmp(row.cells[c].text, "出生日期") == 0)
			birth_col = c;
		else if (strcmp(row.cells[c].text, "姓名") == 0)
			name_col = c;
	}
	assert_true(id_col >= 0 && birth_col >= 0 && name_col >= 0);

	int64_t rows = 0, ids = 0;
	double last = sheet_progress(s);
	while (next(s, &row) == 1) {
		rows++;
		assert_int_equal(row.rownum, rows + 1);
		assert_true(sheet_progress(s) >= last);
		last = sheet_progress(s);
		assert_true(row.n > birth_col);
		assert_int_equal(row.cells[name_col].kind, CELL_TEXT);
		const struct cell *b = &row.cells[birth_col];
		assert_int_equal(b->kind, CELL_DATE);
		assert_int_equal(strlen(b->text), 10);
		assert_true(b->text[4] == '-' && b->text[7] == '-');
		if (row.cells[id_col].kind == CELL_TEXT) {
			assert_int_equal(strlen(row.cells[id_col].text), 18);
			ids++;
		} else {
			assert_int_equal(row.cells[id_col].kind, CELL_EMPTY);   /* another document */
		}
		if (rows == 1) {
			cell_is(&row, name_col, CELL_TEXT, "陈俊斌");
			cell_is(&row, id_col, CELL_TEXT, "110101199709198172");
			cell_is(&row, birth_col, CELL_DATE, "1997-09-19");
		}
	}
	assert_int_equal(rows, 2000);
	assert_true(ids > 1900);
	assert_true(sheet_progress(s) == 1.0);
	sheet_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_select),
		cmocka_unit_test(test_residents),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_date1904),
		cmocka_unit_test(test_handmade),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_broken_files),
		cmocka_unit_test(test_yangguang),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

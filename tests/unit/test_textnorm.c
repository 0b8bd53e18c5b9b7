/*
 * test_textnorm.c — unit tests of model/textnorm: normalisation of typed
 * text, query classification, name n-grams, strict UTF-8 and phone numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/textnorm.h"

/* Asserts text_normalize(in) is want. */
static void norm_is(const char *in, const char *want)
{
	char out[128];

	assert_int_equal(text_normalize(in, out, sizeof(out)), strlen(want));
	assert_string_equal(out, want);
}

static void test_normalize(void **state)
{
	norm_is("１２３ＡＢＣ", "123ABC");
	norm_is("ｚｓｆ！（）～", "zsf!()~");
	norm_is("张\xe3\x80\x80\xe3\x80\x80三", "张 三");       /* U+3000 twice */
	norm_is("  张 \t\r\n 三  ", "张 三");
	norm_is("\xc2\xa0李\xc2\xa0\xc2\xa0娜\xc2\xa0", "李 娜");  /* U+00A0 */
	norm_is("陳志明", "陳志明");   /* traditional kept as typed */
	norm_is("", "");
	norm_is(" \xe3\x80\x80 ", "");
}

static void test_normalize_errors(void **state)
{
	char out[16];

	/* Too small: 9 bytes of text need 10 with the NUL. */
	assert_int_equal(text_normalize("张三丰", out, 9), (size_t)-1);
	assert_string_equal(out, "");
	assert_int_equal(text_normalize("张三", out, 7), 6);
	assert_int_equal(text_normalize("张三", out, 6), (size_t)-1);
	assert_int_equal(text_normalize("ab\xff", out, sizeof(out)), (size_t)-1);
	assert_int_equal(text_normalize("a", out, 0), (size_t)-1);
}

static void test_classify(void **state)
{
	char norm[32];

	assert_int_equal(query_classify("zsf"), Q_LATIN);
	assert_int_equal(query_classify("kim minjun"), Q_LATIN);
	assert_int_equal(query_classify("002X"), Q_DIGITS);
	assert_int_equal(query_classify("13812345678"), Q_DIGITS);
	assert_int_equal(text_normalize("１２３", norm, sizeof(norm)), 3);
	assert_int_equal(query_classify(norm), Q_DIGITS);
	assert_int_equal(query_classify("１２３"), Q_DIGITS);
	assert_int_equal(query_classify("张"), Q_HAN);
	assert_int_equal(query_classify("3号楼"), Q_HAN);
	assert_int_equal(query_classify("𫖯"), Q_HAN);
	assert_int_equal(query_classify(""), Q_EMPTY);
	assert_int_equal(query_classify(NULL), Q_EMPTY);
	assert_int_equal(query_classify("a1"), Q_OTHER);
	assert_int_equal(query_classify("x"), Q_LATIN);   /* no digit */
	assert_int_equal(query_classify("138 1234"), Q_OTHER);
	assert_int_equal(query_classify("@"), Q_OTHER);
	assert_int_equal(query_classify("\xff"), Q_OTHER);
}

/* Collects grams in order. */
struct grams {
	int n;
	char g[32][16];
};

static void collect(const char *gram, void *ud)
{
	struct grams *gs = ud;

	assert_true(gs->n < 32);
	snprintf(gs->g[gs->n++], sizeof(gs->g[0]), "%s", gram);
}

static void test_grams(void **state)
{
	struct grams gs = { 0 };

	assert_int_equal(name_grams("张三丰", collect, &gs), 5);
	assert_int_equal(gs.n, 5);
	assert_string_equal(gs.g[0], "张");
	assert_string_equal(gs.g[1], "三");
	assert_string_equal(gs.g[2], "丰");
	assert_string_equal(gs.g[3], "张三");
	assert_string_equal(gs.g[4], "三丰");
}

static void test_grams_duplicates(void **state)
{
	struct grams gs = { 0 };

	/* 欧 阳 娜 + 欧阳 阳娜 娜娜: the second 娜 adds nothing new. */
	assert_int_equal(name_grams("欧阳娜娜", collect, &gs), 6);
	assert_string_equal(gs.g[2], "娜");
	assert_string_equal(gs.g[5], "娜娜");
	memset(&gs, 0, sizeof(gs));
	/* 娜娜娜: 娜 and 娜娜 once each. */
	assert_int_equal(name_grams("娜娜娜", collect, &gs), 2);
}

static void test_grams_dots_and_latin(void **state)
{
	struct grams gs = { 0 };
	int i;

	/* 买 提 艾 力 + 买买 买提 艾力; no 提艾 across the dot. */
	assert_int_equal(name_grams("买买提·艾力", collect, &gs), 7);
	for (i = 0; i < gs.n; i++)
		assert_string_not_equal(gs.g[i], "提艾");
	memset(&gs, 0, sizeof(gs));
	/* Latin lower-cased; the space breaks "mk". */
	assert_int_equal(name_grams("KIM MK", collect, &gs), 3 + 2 + 1);
	assert_string_equal(gs.g[0], "k");
	assert_string_equal(gs.g[3], "ki");
	assert_string_equal(gs.g[5], "mk");
	memset(&gs, 0, sizeof(gs));
	assert_int_equal(name_grams("ÜLI", collect, &gs), 3 + 2);
	assert_string_equal(gs.g[0], "ü");
}

static void test_grams_supplementary(void **state)
{
	struct grams gs = { 0 };

	assert_int_equal(name_grams("赵孟𫖯", collect, &gs), 5);
	assert_string_equal(gs.g[2], "𫖯");
	assert_string_equal(gs.g[4], "孟𫖯");
	memset(&gs, 0, sizeof(gs));
	assert_int_equal(name_grams("", collect, &gs), 0);
	assert_int_equal(name_grams(" · ", collect, &gs), 0);
	assert_int_equal(name_grams("张\xff", collect, &gs), 0);
}

static void test_grams_long(void **state)
{
	char name[400];
	int n;
	size_t i, len = 0;
	struct grams gs = { 0 };

	/* 100 × "娜" (300 bytes) takes the heap path: 2 distinct grams. */
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(name + len, sizeof(name) - len, "娜");
	n = name_grams(name, collect, &gs);
	assert_int_equal(n, 2);
}

static void test_utf8(void **state)
{
	assert_int_equal(utf8_chars("张三丰"), 3);
	assert_int_equal(utf8_chars("赵孟𫖯"), 3);
	assert_int_equal(utf8_chars(""), 0);
	assert_int_equal(utf8_chars("a\xff"), (size_t)-1);
	assert_true(utf8_valid("张三𫖯", strlen("张三𫖯")));
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf", 4));    /* U+10FFFF */
	assert_false(utf8_valid("\xc0\xaf", 2));           /* overlong '/' */
	assert_false(utf8_valid("\xc1\xbf", 2));           /* overlong */
	assert_false(utf8_valid("\xe0\x80\xaf", 3));       /* overlong */
	assert_false(utf8_valid("\xf0\x80\x80\xaf", 4));   /* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));       /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));   /* > U+10FFFF */
	assert_false(utf8_valid("\xe5\xbc", 2));           /* 张 cut short */
	assert_false(utf8_valid("\xe5\xbc\xa0", 2));       /* len cuts it */
	assert_false(utf8_valid("\xf0\xab\x96", 3));       /* 𫖯 cut short */
	assert_false(utf8_valid("\x80", 1));               /* stray */
	assert_false(utf8_valid("\xe5\x41\xa0", 3));       /* bad continuation */
	assert_false(utf8_valid("\xff", 1));
	assert_true(utf8_valid("", 0));
}

/* issue 8: names lose every space; traditional and simplified compare equal */
static void test_names(void **state)
{
	char out[128], k1[128], k2[128];

	assert_int_equal(name_normalize("张 三 ", out, sizeof(out)), strlen("张三"));
	assert_string_equal(out, "张三");
	name_normalize("\xe3\x80\x80" "欧阳\xe3\x80\x80" "娜娜\t", out, sizeof(out));
	assert_string_equal(out, "欧阳娜娜");
	name_normalize("\xc2\xa0王\xe2\x80\x82五", out, sizeof(out));
	assert_string_equal(out, "王五");
	name_normalize("  John   Smith ", out, sizeof(out));   /* a Latin name keeps one space */
	assert_string_equal(out, "John Smith");
	name_key("張 偉", k1, sizeof(k1));
	name_key("张伟", k2, sizeof(k2));
	assert_string_equal(k1, k2);
	name_key("劉國強", k1, sizeof(k1));
	assert_string_equal(k1, "刘国强");
	name_key("张伟", k1, sizeof(k1));
	name_key("张纬", k2, sizeof(k2));
	assert_string_not_equal(k1, k2);
	assert_int_equal(name_normalize("\xff", out, sizeof(out)), (size_t)-1);
}

static void test_address_key(void **state)
{
	char a[256], b[256];

	address_key("幸福路１２号 ３单元\xe3\x80\x80" "501", a, sizeof(a));
	address_key("幸福路12号3单元501", b, sizeof(b));
	assert_string_equal(a, b);
	address_key("幸福路12号3单元502", b, sizeof(b));
	assert_string_not_equal(a, b);
}

static void test_phone(void **state)
{
	char out[32];

	assert_int_equal(phone_normalize("+86 138-1234 5678", out, sizeof(out)), 11);
	assert_string_equal(out, "13812345678");
	phone_normalize("0086 13812345678", out, sizeof(out));
	assert_string_equal(out, "13812345678");
	phone_normalize("（010）6552－1234", out, sizeof(out));
	assert_string_equal(out, "01065521234");
	phone_normalize("＋８６　１３８１２３４５６７８", out, sizeof(out));
	assert_string_equal(out, "13812345678");
	phone_normalize("(+86) 138 1234 5678", out, sizeof(out));
	assert_string_equal(out, "13812345678");
	phone_normalize("\xe3\x80\x80" "138 1234\xe3\x80\x80" "5678 ", out, sizeof(out));
	assert_string_equal(out, "13812345678");
	phone_normalize("86138", out, sizeof(out));     /* no + : kept */
	assert_string_equal(out, "86138");
	phone_normalize("138转123", out, sizeof(out));  /* kept for validation */
	assert_string_equal(out, "138转123");
	/* The result fits even though the input with its prefix would not. */
	assert_int_equal(phone_normalize("+86 138-1234 5678", out, 12), 11);
	assert_int_equal(phone_normalize("+86 138-1234 5678", out, 11), (size_t)-1);
	assert_int_equal(phone_normalize("1\xff", out, sizeof(out)), (size_t)-1);
	assert_int_equal(phone_normalize("", out, sizeof(out)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_normalize_errors),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_grams),
		cmocka_unit_test(test_grams_duplicates),
		cmocka_unit_test(test_grams_dots_and_latin),
		cmocka_unit_test(test_grams_supplementary),
		cmocka_unit_test(test_grams_long),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_address_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

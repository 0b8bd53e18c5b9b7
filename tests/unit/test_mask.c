/*
 * test_mask.c — unit tests for model/mask: the masking rules for ID and
 * phone numbers, short and empty input, and UTF-8 safety with any buffer
 * size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "model/mask.h"

typedef void (*mask_fn)(const char *, char *, size_t);

static void expect_mask(mask_fn f, const char *in, const char *want)
{
	char out[128];

	memset(out, 'Z', sizeof(out));
	f(in, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fail_msg("\"%s\" masked to \"%s\", want \"%s\"",
			 in ? in : "(null)", out, want);
}

/* Whether s is well-formed UTF-8 (enough for what masking produces). */
static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 :
			   (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
		if (!n)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

/* Every buffer size gives a terminated, well-formed prefix of the result. */
static void expect_prefixes(mask_fn f, const char *in)
{
	char full[128], out[128];

	f(in, full, sizeof(full));
	for (size_t sz = 1; sz <= strlen(full) + 1; sz++) {
		memset(out, 'Z', sizeof(out));
		f(in, out, sz);
		assert_true(strlen(out) < sz);
		assert_int_equal(out[sz], 'Z');         /* nothing past the buffer */
		assert_true(utf8_ok(out));
		assert_memory_equal(out, full, strlen(out));
	}
	/* outsz 0 writes nothing */
	memset(out, 'Z', sizeof(out));
	f(in, out, 0);
	assert_int_equal(out[0], 'Z');
}

static void test_mask_idnum(void **state)
{
	expect_mask(mask_idnum, "11010519491231002X", "110105********002X");
	expect_mask(mask_idnum, "110105491231002", "110105*****1002");
	expect_mask(mask_idnum, "USA110085060213", "USA110*****0213");
	expect_mask(mask_idnum, "H08375873", "H*******3");
	expect_mask(mask_idnum, "M1234567890", "M*********0");
	expect_mask(mask_idnum, "12345678", "1******8");
	expect_mask(mask_idnum, "E12345678901234", "E12345*****1234");
	expect_mask(mask_idnum, "ABC", "A*C");
	expect_mask(mask_idnum, "AB", "**");
	expect_mask(mask_idnum, "A", "*");
	expect_mask(mask_idnum, "", "");
	expect_mask(mask_idnum, NULL, "");
}

static void test_mask_idnum_utf8(void **state)
{
	expect_mask(mask_idnum, "张三丰", "张*丰");
	expect_mask(mask_idnum, "证件号码１２３４５６７８９０１２３４５",
		    "证件号码１２*********２３４５");
	expect_mask(mask_idnum, "\xff\xfe\xfd", "?*?");    /* stray bytes */
	expect_prefixes(mask_idnum, "11010519491231002X");
	expect_prefixes(mask_idnum, "张三丰");
	expect_prefixes(mask_idnum, "𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯");
	expect_prefixes(mask_idnum, "");
}

static void test_mask_phone(void **state)
{
	expect_mask(mask_phone, "13812345678", "138****5678");
	expect_mask(mask_phone, "138 1234 5678", "138 **** 5678");
	expect_mask(mask_phone, "138-1234-5678", "138-****-5678");
	expect_mask(mask_phone, "010-65990001", "010-******01");
	expect_mask(mask_phone, "(010) 6599 0001", "(010) **** **01");
	expect_mask(mask_phone, "65990001", "659***01");
	expect_mask(mask_phone, "+86 13812345678", "+86 1********78");
	expect_mask(mask_phone, "010-65990001转123", "010-********转*23");
	expect_mask(mask_phone, "23812345678", "238******78");   /* not a mobile */
	expect_mask(mask_phone, "12345", "1***5");
	expect_mask(mask_phone, "123", "1*3");
	expect_mask(mask_phone, "12", "**");
	expect_mask(mask_phone, "无", "无");
	expect_mask(mask_phone, "", "");
	expect_mask(mask_phone, NULL, "");
}

static void test_mask_phone_utf8(void **state)
{
	expect_mask(mask_phone, "１３８１２３４５６７８", "１３８****５６７８");
	expect_prefixes(mask_phone, "13812345678");
	expect_prefixes(mask_phone, "１３８１２３４５６７８");
	expect_prefixes(mask_phone, "010-65990001转123");
	expect_prefixes(mask_phone, "\xe8\xbd");       /* truncated sequence */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_idnum),
		cmocka_unit_test(test_mask_idnum_utf8),
		cmocka_unit_test(test_mask_phone),
		cmocka_unit_test(test_mask_phone_utf8),
	};
	return cmocka_run_group_tests_name("mask", tests, NULL, NULL);
}

/*
 * test_idnum.c — unit tests for model/idnum: GB 11643 numbers, their
 * normalisation and upgrade, and each document type's format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/idnum.h"

static const char *const vec_f = "11010519491231002X";  /* 1949-12-31, female */
static const char *const vec_m = "440524188001010014";  /* 1880-01-01, male */

/* Builds an 18-character number with a correct check character. */
static void make_id(char out[19], const char *addr6, const char *date8,
		    const char *seq3)
{
	snprintf(out, 19, "%.6s%.8s%.3s", addr6, date8, seq3);
	out[17] = idnum_check_char(out);
	out[18] = '\0';
	assert_int_not_equal(out[17], 0);
}

/* Asserts that parsing s fails on field "id_number" with msg in the text. */
static void expect_fail(const char *s, const char *msg)
{
	struct jw_error e;
	struct idnum_info in;

	jw_error_clear(&e);
	assert_int_equal(idnum_parse(s, "id_number", &in, &e), JW_EINVAL);
	assert_int_equal(e.code, JW_EINVAL);
	assert_string_equal(e.field, "id_number");
	assert_non_null(strstr(e.message, "公民身份号码"));
	if (msg && !strstr(e.message, msg))
		fail_msg("message \"%s\" lacks \"%s\"", e.message, msg);
	assert_false(idnum_valid(s));
}

static void test_check_char(void **state)
{
	assert_int_equal(idnum_check_char("11010519491231002"), 'X');
	assert_int_equal(idnum_check_char("44052418800101001"), '4');
	assert_int_equal(idnum_check_char("11010519491231002X"), 'X');  /* 18th ignored */
	assert_int_equal(idnum_check_char("1101051949123100"), 0);      /* 16 digits */
	assert_int_equal(idnum_check_char("1101051949123100A"), 0);
	assert_int_equal(idnum_check_char(""), 0);
	assert_int_equal(idnum_check_char(NULL), 0);
}

static void test_required_vectors(void **state)
{
	struct idnum_info in;
	struct jw_error e;

	jw_error_clear(&e);
	assert_int_equal(idnum_parse(vec_f, "id_number", &in, &e), 0);
	assert_string_equal(in.number, vec_f);
	assert_int_equal(in.year, 1949);
	assert_int_equal(in.month, 12);
	assert_int_equal(in.day, 31);
	assert_int_equal(in.sex, 2);
	assert_int_equal(in.kind, IDNUM_RESIDENT);
	assert_false(in.upgraded);
	assert_int_equal(e.code, JW_OK);

	assert_int_equal(idnum_parse(vec_m, "id_number", &in, NULL), 0);
	assert_string_equal(in.number, vec_m);
	assert_int_equal(in.year, 1880);
	assert_int_equal(in.month, 1);
	assert_int_equal(in.day, 1);
	assert_int_equal(in.sex, 1);
	assert_int_equal(in.kind, IDNUM_RESIDENT);

	assert_true(idnum_valid(vec_f));
	assert_true(idnum_valid(vec_m));
	/* out may be NULL */
	assert_int_equal(idnum_parse(vec_f, "id_number", NULL, NULL), 0);
}

static void corrupt_all(const char *good)
{
	static const char repl[] = "0123456789X";
	char s[19];
	int tried = 0;

	for (int pos = 0; pos < 18; pos++) {
		for (const char *r = repl; *r; r++) {
			if (*r == good[pos])
				continue;
			memcpy(s, good, 19);
			s[pos] = *r;
			if (idnum_valid(s))
				fail_msg("corrupted %s (position %d) was accepted", s, pos + 1);
			tried++;
		}
	}
	assert_int_equal(tried, 18 * 10);
}

static void test_single_corruptions(void **state)
{
	corrupt_all(vec_f);
	corrupt_all(vec_m);
}

static void test_normalisation(void **state)
{
	struct idnum_info in;

	assert_int_equal(idnum_parse("11010519491231002x", "id_number", &in, NULL), 0);
	assert_string_equal(in.number, vec_f);
	assert_int_equal(idnum_parse("  11010519491231002X\t\n", "id_number", &in, NULL), 0);
	assert_string_equal(in.number, vec_f);
	/* ideographic spaces around, full-width digits and letters */
	assert_int_equal(idnum_parse("\u3000１１０１０５１９４９１２３１００２Ｘ\u3000",
				     "id_number", &in, NULL), 0);
	assert_string_equal(in.number, vec_f);
	assert_int_equal(idnum_parse("１１０１０５１９４９１２３１００２ｘ",
				     "id_number", &in, NULL), 0);
	assert_string_equal(in.number, vec_f);
	assert_int_equal(idnum_parse("4405241880０１０１００１４", "id_number", &in, NULL), 0);
	assert_string_equal(in.number, vec_m);
}

static void test_upgrade_15(void **state)
{
	struct idnum_info in;

	assert_int_equal(idnum_parse("110105491231002", "id_number", &in, NULL), 0);
	assert_string_equal(in.number, vec_f);
	assert_true(in.upgraded);
	assert_int_equal(in.year, 1949);
	assert_int_equal(in.sex, 2);
	/* 110105 19 800101 001 → check char computed */
	assert_int_equal(idnum_parse(" 110105800101001 ", "id_number", &in, NULL), 0);
	assert_int_equal(strlen(in.number), 18);
	assert_memory_equal(in.number, "11010519800101001", 17);
	assert_int_equal(in.number[17], idnum_check_char("11010519800101001"));
	assert_int_equal(in.sex, 1);
	/* bad date inside a 15-digit number */
	expect_fail("110105491331002", "19491331不是有效日期");
	expect_fail("11010549123100X", NULL);
	expect_fail("11010549123100A", "只能包含数字和末位X");
}

static void test_bad_dates(void **state)
{
	char s[19];

	make_id(s, "110105", "19900230", "001");
	expect_fail(s, "19900230不是有效日期");
	make_id(s, "110105", "19900229", "001");       /* not a leap year */
	expect_fail(s, "19900229不是有效日期");
	make_id(s, "110105", "19000229", "001");       /* century, not leap */
	expect_fail(s, "不是有效日期");
	make_id(s, "110105", "20000229", "001");       /* 400-year leap */
	assert_true(idnum_valid(s));
	make_id(s, "110105", "19881329", "001");       /* month 13 */
	expect_fail(s, "19881329不是有效日期");
	make_id(s, "110105", "19880001", "001");
	expect_fail(s, "不是有效日期");
	make_id(s, "110105", "19880100", "001");
	expect_fail(s, "不是有效日期");
	make_id(s, "110105", "19880431", "001");
	expect_fail(s, "不是有效日期");
	make_id(s, "110105", "18791231", "001");       /* before 1880 */
	expect_fail(s, "早于1880年");
	make_id(s, "110105", "20990101", "001");       /* future */
	expect_fail(s, "20990101晚于今天");
	/* the spec's own example: 19491331 */
	expect_fail("11010519491331002X", "出生日期19491331不是有效日期");
}

static void test_lengths_and_chars(void **state)
{
	expect_fail("11010519491231002", "公民身份号码应为18位（现为17位），请核对");
	expect_fail("11010519491231002X1", "应为18位（现为19位）");
	expect_fail("1101051949123100", "现为16位");
	expect_fail("", "请填写公民身份号码");
	expect_fail("   ", "请填写公民身份号码");
	expect_fail(NULL, "请填写公民身份号码");
	expect_fail("110105194912A1002X", "公民身份号码只能包含数字和末位X");
	expect_fail("110105194912A1002X", "第13位是“A”");
	expect_fail("1101051949X231002X", "只能包含数字和末位X");
	expect_fail("11010519491231002Y", "只能包含数字和末位X");
	expect_fail("1101051949一231002X", "第11位是“一”");
	/* issue 8: spaces inside the number are dropped, not refused */
	{
		struct idnum_info sp;
		assert_int_equal(idnum_parse("110105 19491231002X", "id_number", &sp, NULL), 0);
		assert_string_equal(sp.number, "11010519491231002X");
		assert_int_equal(idnum_parse("\xe3\x80\x80" "110105 19491231 002x \xe3\x80\x80", "id_number", &sp, NULL), 0);
		assert_string_equal(sp.number, "11010519491231002X");
		assert_int_equal(idnum_parse("110105\xe3\x80\x80" "19491231\xe3\x80\x80" "002X", "id_number", &sp, NULL), 0);
		assert_string_equal(sp.number, "11010519491231002X");
	}
	expect_fail("11010519491231002X11010519491231002X11010519491231002X"
		    "11010519491231002X", "应为18位");
	expect_fail("110105194912310021", "公民身份号码第18位校验码应为X，请核对号码是否抄错");
	expect_fail("44052418800101001X", "第18位校验码应为4");
}

static void test_kinds(void **state)
{
	struct idnum_info in;
	char s[19];

	make_id(s, "810000", "19690725", "174");
	assert_int_equal(idnum_parse(s, "id_number", &in, NULL), 0);
	assert_int_equal(in.kind, IDNUM_HMT_PERMIT);
	make_id(s, "911840", "19820609", "321");
	assert_int_equal(idnum_parse(s, "id_number", &in, NULL), 0);
	assert_int_equal(in.kind, IDNUM_FOREIGN_PERMANENT);
	/* abolished county codes are not errors: 110103 崇文区, 110223 通县 */
	make_id(s, "110103", "19500101", "123");
	assert_true(idnum_valid(s));
	make_id(s, "110223", "19500101", "123");
	assert_true(idnum_valid(s));
}

/* doc_check with the usual out buffer; returns its result. */
static int dc(const char *type, const char *num, char *out,
	      struct idnum_info *in, bool *derived, struct jw_error *e)
{
	jw_error_clear(e);
	return doc_check(type, num, "doc_number", out, 32, in, derived, e);
}

static void expect_doc_ok(const char *type, const char *num, const char *norm,
			  bool want_derived)
{
	char out[32];
	struct idnum_info in;
	struct jw_error e;
	bool derived = !want_derived;

	if (dc(type, num, out, &in, &derived, &e))
		fail_msg("%s %s refused: %s", type, num, e.message);
	assert_string_equal(out, norm);
	assert_int_equal(derived, want_derived);
	if (want_derived) {
		assert_string_equal(in.number, norm);
		assert_true(in.year >= 1880);
		assert_true(in.sex == 1 || in.sex == 2);
	} else {
		assert_int_equal(in.year, 0);
	}
}

static void expect_doc_fail(const char *type, const char *num, const char *msg)
{
	char out[32];
	struct idnum_info in;
	struct jw_error e;
	bool derived = true;

	assert_int_equal(dc(type, num, out, &in, &derived, &e), JW_EINVAL);
	assert_false(derived);
	assert_string_equal(e.field, "doc_number");
	if (msg && !strstr(e.message, msg))
		fail_msg("%s %s: message \"%s\" lacks \"%s\"", type, num,
			 e.message, msg);
}

static void test_doc_id_card(void **state)
{
	char s[19];

	expect_doc_ok("id_card", vec_f, vec_f, true);
	expect_doc_ok("id_card", "11010519491231002x", vec_f, true);
	expect_doc_ok("id_card", "110105491231002", vec_f, true);      /* upgraded */
	expect_doc_ok("id_card", " ４４０５２４１８８００１０１００１４ ", vec_m, true);
	expect_doc_fail("id_card", "11010519491231002", "公民身份号码应为18位");
	expect_doc_fail("id_card", "", "请填写公民身份号码");
	make_id(s, "810000", "19690725", "174");
	expect_doc_fail("id_card", s, "港澳台居民居住证");
	make_id(s, "911840", "19820609", "321");
	expect_doc_fail("id_card", s, "外国人永久居留身份证");
	make_id(s, "710000", "19690725", "174");
	expect_doc_fail("id_card", s, "第1位应为1至6");
	make_id(s, "010000", "19690725", "174");
	expect_doc_fail("id_card", s, "第1位应为1至6");
}

static void test_doc_residence_permit(void **state)
{
	const char *pre[] = { "810000", "820000", "830000" };
	struct idnum_info in;
	struct jw_error e;
	char s[19], out[32];
	bool derived;

	for (int i = 0; i < 3; i++) {
		make_id(s, pre[i], "19860521", "904");
		expect_doc_ok("residence_permit", s, s, true);
		assert_int_equal(dc("residence_permit", s, out, &in, &derived, &e), 0);
		assert_int_equal(in.kind, IDNUM_HMT_PERMIT);
		assert_int_equal(in.year, 1986);
		assert_int_equal(in.sex, 2);
	}
	expect_doc_ok("residence_permit", "83000019860521904x", "83000019860521904X", true);
	make_id(s, "840000", "19860521", "904");
	expect_doc_fail("residence_permit", s, "810000（香港）");
	make_id(s, "810100", "19860521", "904");
	expect_doc_fail("residence_permit", s, "港澳台居民居住证号码应以810000");
	expect_doc_fail("residence_permit", vec_f, "居民身份证");
	make_id(s, "810000", "19860521", "904");
	s[17] = s[17] == '0' ? '1' : '0';
	expect_doc_fail("residence_permit", s, "港澳台居民居住证号码第18位校验码");
	/* permits were never 15 digits */
	expect_doc_fail("residence_permit", "810000860521904", "港澳台居民居住证号码应为18位");
}

static void test_doc_foreign_permanent(void **state)
{
	struct idnum_info in;
	struct jw_error e;
	char s[19], out[32];
	bool derived;

	make_id(s, "911840", "19820609", "321");
	expect_doc_ok("foreign_permanent", s, s, true);
	assert_int_equal(dc("foreign_permanent", s, out, &in, &derived, &e), 0);
	assert_int_equal(in.kind, IDNUM_FOREIGN_PERMANENT);
	assert_int_equal(in.year, 1982);
	assert_int_equal(in.month, 6);
	assert_int_equal(in.day, 9);
	assert_int_equal(in.sex, 1);
	s[17] = s[17] == '0' ? '1' : '0';
	expect_doc_fail("foreign_permanent", s, "外国人永久居留身份证号码第18位校验码");
	make_id(s, "931392", "20231301", "002");
	expect_doc_fail("foreign_permanent", s, "不是有效日期");
	/* old 15-character format */
	expect_doc_ok("foreign_permanent", "USA110085060213", "USA110085060213", false);
	expect_doc_ok("foreign_permanent", "can110085060213", "CAN110085060213", false);
	expect_doc_fail("foreign_permanent", "US1110085060213", "外国人永久居留身份证号码应为");
	expect_doc_fail("foreign_permanent", "USA11008506021", "3位字母加12位数字");
	/* a resident number is not a permanent residence number */
	expect_doc_fail("foreign_permanent", vec_f, "以9开头");
}

/* issue 8: a number typed with no 证件类型 names its type */
static void test_doc_type_of(void **state)
{
	char s[19];

	make_id(s, "810000", "19690725", "174");
	assert_string_equal(idnum_doc_type_of(s), "residence_permit");
	make_id(s, "820000", "19690725", "174");
	assert_string_equal(idnum_doc_type_of(s), "residence_permit");
	make_id(s, "830000", "19690725", "174");
	assert_string_equal(idnum_doc_type_of(s), "residence_permit");
	make_id(s, "911840", "19820609", "321");
	assert_string_equal(idnum_doc_type_of(s), "foreign_permanent");
	char sp[40];
	snprintf(sp, sizeof(sp), " %.6s %.8s %s ", s, s + 6, s + 14);
	assert_string_equal(idnum_doc_type_of(sp), "foreign_permanent");
	assert_string_equal(idnum_doc_type_of("USA110085060213"), "foreign_permanent");
	make_id(s, "110105", "19580305", "123");
	assert_null(idnum_doc_type_of(s));
	assert_null(idnum_doc_type_of("E12345678"));
	assert_null(idnum_doc_type_of(""));
	assert_null(idnum_doc_type_of("81"));
}

static void test_doc_passport(void **state)
{
	expect_doc_ok("passport", "E12345678", "E12345678", false);
	expect_doc_ok("passport", " e1234 ", "E1234", false);
	expect_doc_ok("passport", "Ｇ１２３４５６７８", "G12345678", false);
	expect_doc_ok("passport", "12345678901234567", "12345678901234567", false);
	expect_doc_fail("passport", "E123", "护照号码应为5至17位字母或数字");
	expect_doc_fail("passport", "123456789012345678", "护照号码");
	expect_doc_fail("passport", "E1234-678", "护照号码");
	expect_doc_ok("passport", "E12 34567", "E1234567", false);   /* spaces dropped */
	expect_doc_fail("passport", "护照E12345", "护照号码");
	expect_doc_fail("passport", "", "请填写护照号码");
}

static void test_doc_hk_macau_permit(void **state)
{
	expect_doc_ok("hk_macau_permit", "H08375873", "H08375873", false);
	expect_doc_ok("hk_macau_permit", "M1234567890", "M1234567890", false);
	expect_doc_ok("hk_macau_permit", "h12345678", "H12345678", false);
	expect_doc_fail("hk_macau_permit", "H1234567",
			"港澳居民来往内地通行证号码应为H或M加8位或10位数字");
	expect_doc_fail("hk_macau_permit", "H123456789", "H或M");
	expect_doc_fail("hk_macau_permit", "A12345678", "H或M");
	expect_doc_fail("hk_macau_permit", "12345678", "H或M");
	expect_doc_fail("hk_macau_permit", "H1234567X", "H或M");
}

static void test_doc_taiwan_permit(void **state)
{
	expect_doc_ok("taiwan_permit", "12345678", "12345678", false);
	expect_doc_ok("taiwan_permit", "1234567890", "1234567890", false);
	expect_doc_ok("taiwan_permit", "１２３４５６７８", "12345678", false);
	expect_doc_fail("taiwan_permit", "123456789",
			"台湾居民来往大陆通行证号码应为8位或10位数字");
	expect_doc_fail("taiwan_permit", "1234567", "台湾居民来往大陆通行证");
	expect_doc_fail("taiwan_permit", "T1234567", "台湾居民来往大陆通行证");
}

static void test_doc_type_unknown(void **state)
{
	struct jw_error e;
	char out[32];
	bool derived = true;

	jw_error_clear(&e);
	assert_int_equal(doc_check("driver_licence", "E12345678", "doc_number",
				   out, sizeof(out), NULL, &derived, &e), JW_EINVAL);
	assert_string_equal(e.field, "doc_type");
	assert_non_null(strstr(e.message, "证件类型"));
	assert_false(derived);
	assert_int_equal(doc_check(NULL, "E12345678", "doc_number", out,
				   sizeof(out), NULL, NULL, &e), JW_EINVAL);
	assert_string_equal(e.field, "doc_type");
	/* labels are not codes: callers map them with code_lookup first */
	assert_int_equal(doc_check("居民身份证", vec_f, "doc_number", out,
				   sizeof(out), NULL, NULL, &e), JW_EINVAL);
	assert_string_equal(e.field, "doc_type");
}

static void test_doc_null_outputs(void **state)
{
	struct jw_error e;
	char tiny[5];

	jw_error_clear(&e);
	assert_int_equal(doc_check("id_card", vec_f, "f", NULL, 0, NULL, NULL, &e), 0);
	assert_int_equal(doc_check("id_card", "bad", "f", NULL, 0, NULL, NULL, NULL),
			 JW_EINVAL);
	/* a short out_number is cut, still terminated */
	assert_int_equal(doc_check("id_card", vec_f, "f", tiny, sizeof(tiny), NULL,
				   NULL, &e), 0);
	assert_string_equal(tiny, "1101");
	/* on failure it holds what was typed, normalised, cut on a character */
	assert_int_equal(doc_check("passport", "护照", "f", tiny, sizeof(tiny),
				   NULL, NULL, &e), JW_EINVAL);
	assert_string_equal(tiny, "护");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_char),
		cmocka_unit_test(test_required_vectors),
		cmocka_unit_test(test_single_corruptions),
		cmocka_unit_test(test_normalisation),
		cmocka_unit_test(test_upgrade_15),
		cmocka_unit_test(test_bad_dates),
		cmocka_unit_test(test_lengths_and_chars),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_doc_id_card),
		cmocka_unit_test(test_doc_residence_permit),
		cmocka_unit_test(test_doc_foreign_permanent),
		cmocka_unit_test(test_doc_passport),
		cmocka_unit_test(test_doc_type_of),
		cmocka_unit_test(test_doc_hk_macau_permit),
		cmocka_unit_test(test_doc_taiwan_permit),
		cmocka_unit_test(test_doc_type_unknown),
		cmocka_unit_test(test_doc_null_outputs),
	};
	return cmocka_run_group_tests_name("idnum", tests, NULL, NULL);
}

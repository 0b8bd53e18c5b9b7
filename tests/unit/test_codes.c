/*
 * test_codes.c — unit tests for model/codes: the tables' integrity, the
 * national codes, lookups by code, label and alias, and that every value
 * the sample data uses maps.  Also checks that the doc_type table and
 * doc_check() in model/idnum agree (link with idnum.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "model/codes.h"
#include "model/idnum.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Asserts that text in table key maps to code. */
static void expect_lookup(const char *key, const char *text, const char *code)
{
	const struct code_table *t = code_table_find(key);
	const char *got;

	assert_non_null(t);
	got = code_lookup(t, text);
	if (!got || strcmp(got, code) != 0)
		fail_msg("%s: \"%s\" maps to %s, want %s", key, text,
			 got ? got : "NULL", code);
}

static void test_tables_complete(void **state)
{
	for (size_t i = 0; i < CT__COUNT; i++) {
		const struct code_table *t = &code_tables[i];
		assert_non_null(t->key);
		assert_non_null(t->title);
		assert_non_null(t->standard);
		assert_non_null(t->entries);
		assert_true(t->n > 0);
		assert_ptr_equal(code_table_find(t->key), t);
	}
	assert_ptr_equal(code_table_find("sex"), &code_tables[CT_SEX]);
	assert_ptr_equal(code_table_find("ethnic"), &code_tables[CT_ETHNIC]);
	assert_ptr_equal(code_table_find("relation"), &code_tables[CT_RELATION]);
	assert_ptr_equal(code_table_find("political_status"), &code_tables[CT_POLITICAL]);
	assert_ptr_equal(code_table_find("education"), &code_tables[CT_EDUCATION]);
	assert_ptr_equal(code_table_find("marital_status"), &code_tables[CT_MARITAL]);
	assert_ptr_equal(code_table_find("employment_status"), &code_tables[CT_EMPLOYMENT]);
	assert_ptr_equal(code_table_find("residence_type"), &code_tables[CT_RESIDENCE]);
	assert_ptr_equal(code_table_find("doc_type"), &code_tables[CT_DOC_TYPE]);
	assert_ptr_equal(code_table_find("dereg_reason"), &code_tables[CT_DEREG_REASON]);
	assert_ptr_equal(code_table_find("household_type"), &code_tables[CT_HOUSEHOLD_TYPE]);
	assert_ptr_equal(code_table_find("house_use"), &code_tables[CT_HOUSE_USE]);
	assert_ptr_equal(code_table_find("role"), &code_tables[CT_ROLE]);
	assert_null(code_table_find("nope"));
	assert_null(code_table_find(""));
	assert_null(code_table_find(NULL));
}

/*
 * Codes unique, labels unique, every alias distinct from every code, label
 * and other alias, and every spelling maps back to its own entry.
 */
static void test_tables_unique(void **state)
{
	for (size_t ti = 0; ti < CT__COUNT; ti++) {
		const struct code_table *t = &code_tables[ti];
		for (size_t i = 0; i < t->n; i++) {
			const struct code_entry *a = &t->entries[i];
			char buf[256];
			const char *p, *bar;

			assert_non_null(a->code);
			assert_non_null(a->label);
			assert_true(a->code[0] && a->label[0]);
			for (size_t j = i + 1; j < t->n; j++) {
				const struct code_entry *b = &t->entries[j];
				if (!strcmp(a->code, b->code))
					fail_msg("%s: code %s twice", t->key, a->code);
				if (!strcmp(a->label, b->label))
					fail_msg("%s: label %s twice", t->key, a->label);
			}
			assert_ptr_equal(code_lookup(t, a->code), a->code);
			assert_ptr_equal(code_lookup(t, a->label), a->code);
			assert_string_equal(code_label(t, a->code), a->label);
			for (p = a->aliases; p && *p; p = bar ? bar + 1 : NULL) {
				bar = strchr(p, '|');
				snprintf(buf, sizeof(buf), "%.*s",
					 (int)(bar ? (size_t)(bar - p) : strlen(p)), p);
				assert_true(buf[0] != '\0');
				for (size_t j = 0; j < t->n; j++)
					if (!strcmp(buf, t->entries[j].code) ||
					    !strcmp(buf, t->entries[j].label))
						fail_msg("%s: alias %s clashes with entry %s",
							 t->key, buf, t->entries[j].code);
				if (code_lookup(t, buf) != a->code)
					fail_msg("%s: alias %s does not map to %s",
						 t->key, buf, a->code);
				/* no alias of a later entry spells the same */
				for (size_t j = i + 1; j < t->n; j++) {
					const char *q = t->entries[j].aliases, *qb;
					for (; q && *q; q = qb ? qb + 1 : NULL) {
						qb = strchr(q, '|');
						size_t ql = qb ? (size_t)(qb - q) : strlen(q);
						if (ql == strlen(buf) && !memcmp(q, buf, ql))
							fail_msg("%s: alias %s twice", t->key, buf);
					}
				}
			}
		}
	}
}

static void test_sex(void **state)
{
	const struct code_table *t = &code_tables[CT_SEX];
	assert_int_equal(t->n, 4);
	assert_string_equal(code_label(t, "0"), "未知的性别");
	assert_string_equal(code_label(t, "1"), "男");
	assert_string_equal(code_label(t, "2"), "女");
	assert_string_equal(code_label(t, "9"), "未说明的性别");
	expect_lookup("sex", "男性", "1");
	expect_lookup("sex", "女性", "2");
	expect_lookup("sex", " 女 ", "2");
}

static void test_ethnic(void **state)
{
	static const char *const names[56] = {
		"汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族",
		"壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族",
		"土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族",
		"畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族",
		"柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族",
		"撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
		"塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
		"保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族",
		"赫哲族", "门巴族", "珞巴族", "基诺族",
	};
	const struct code_table *t = &code_tables[CT_ETHNIC];
	char code[8], bare[64];

	assert_int_equal(t->n, 58);
	for (int i = 0; i < 56; i++) {
		size_t len = strlen(names[i]) - strlen("族");
		snprintf(code, sizeof(code), "%02d", i + 1);
		assert_string_equal(t->entries[i].code, code);
		assert_string_equal(code_label(t, code), names[i]);
		expect_lookup("ethnic", names[i], code);
		/* the name without 族 */
		snprintf(bare, sizeof(bare), "%.*s", (int)len, names[i]);
		expect_lookup("ethnic", bare, code);
	}
	assert_string_equal(code_label(t, "97"), "其他");
	assert_string_equal(code_label(t, "98"), "外国血统中国籍人士");
	assert_null(code_label(t, "57"));
	assert_null(code_label(t, "1"));
	expect_lookup("ethnic", "汉", "01");
	expect_lookup("ethnic", "蒙古", "02");
	expect_lookup("ethnic", "崩龙族", "46");
	expect_lookup("ethnic", "\u3000汉族\u3000", "01");
	assert_null(code_lookup(t, "汉族人"));
	assert_null(code_lookup(t, "族"));
}

static void test_relation(void **state)
{
	const struct code_table *t = &code_tables[CT_RELATION];

	assert_int_equal(t->n, 84);
	assert_string_equal(code_label(t, "01"), "本人");
	assert_string_equal(code_label(t, "02"), "户主");
	assert_string_equal(code_label(t, "10"), "配偶");
	assert_string_equal(code_label(t, "40"), "孙子、孙女或外孙子、外孙女");
	assert_string_equal(code_label(t, "80"), "其他");
	assert_string_equal(code_label(t, "97"), "其他亲属");
	assert_string_equal(code_label(t, "99"), "非亲属");
	assert_null(code_label(t, "98"));
	assert_null(code_label(t, "03"));
	expect_lookup("relation", "儿子", "20");
	expect_lookup("relation", "女儿", "30");
	expect_lookup("relation", "姐", "75");
	expect_lookup("relation", "妹", "77");
	expect_lookup("relation", "自己", "01");
	expect_lookup("relation", "妻子", "10");
	expect_lookup("relation", "丈夫", "10");
	expect_lookup("relation", "爱人", "10");
	expect_lookup("relation", "妻", "12");
	expect_lookup("relation", "夫", "11");
}

static void test_other_national(void **state)
{
	const struct code_table *p = &code_tables[CT_POLITICAL];
	const struct code_table *e = &code_tables[CT_EDUCATION];
	const struct code_table *m = &code_tables[CT_MARITAL];

	assert_int_equal(p->n, 13);
	assert_string_equal(code_label(p, "01"), "中国共产党党员");
	assert_string_equal(code_label(p, "13"), "群众");
	expect_lookup("political_status", "党员", "01");
	expect_lookup("political_status", "团员", "03");
	expect_lookup("political_status", "普通居民", "13");
	assert_null(code_lookup(p, "中共"));

	assert_string_equal(code_label(e, "10"), "研究生教育");
	assert_string_equal(code_label(e, "90"), "其他");
	expect_lookup("education", "博士", "10");
	expect_lookup("education", "硕士", "10");
	expect_lookup("education", "博士研究生毕业", "11");
	expect_lookup("education", "本科", "20");
	expect_lookup("education", "大专", "30");
	expect_lookup("education", "技校", "40");
	expect_lookup("education", "文盲", "91");
	expect_lookup("education", "半文盲", "91");

	assert_int_equal(m->n, 8);
	assert_string_equal(code_label(m, "10"), "未婚");
	assert_string_equal(code_label(m, "90"), "未说明的婚姻状况");
	expect_lookup("marital_status", "复婚", "23");
}

/* Every value the sample data (shared/data/README.md) uses maps. */
static void test_sample_data_values(void **state)
{
	static const struct { const char *key, *text, *code; } v[] = {
		{ "relation", "户主", "02" }, { "relation", "配偶", "10" },
		{ "relation", "子", "20" }, { "relation", "女", "30" },
		{ "relation", "父亲", "51" }, { "relation", "母亲", "52" },
		{ "relation", "公公", "53" }, { "relation", "婆婆", "54" },
		{ "relation", "岳父", "55" }, { "relation", "岳母", "56" },
		{ "relation", "儿媳", "38" }, { "relation", "女婿", "28" },
		{ "relation", "孙子", "41" }, { "relation", "孙女", "42" },
		{ "relation", "外孙子", "43" }, { "relation", "外孙女", "44" },
		{ "relation", "兄", "71" }, { "relation", "弟", "73" },
		{ "relation", "姐姐", "75" }, { "relation", "妹妹", "77" },
		{ "relation", "其他", "80" }, { "relation", "非亲属", "99" },
		{ "political_status", "中共党员", "01" },
		{ "political_status", "中共预备党员", "02" },
		{ "political_status", "共青团员", "03" },
		{ "political_status", "民革党员", "04" },
		{ "political_status", "民盟盟员", "05" },
		{ "political_status", "民建会员", "06" },
		{ "political_status", "民进会员", "07" },
		{ "political_status", "农工党党员", "08" },
		{ "political_status", "致公党党员", "09" },
		{ "political_status", "九三学社社员", "10" },
		{ "political_status", "无党派人士", "12" },
		{ "political_status", "群众", "13" },
		{ "education", "研究生", "10" }, { "education", "大学本科", "20" },
		{ "education", "大学专科", "30" }, { "education", "中专", "40" },
		{ "education", "高中", "60" }, { "education", "初中", "70" },
		{ "education", "小学", "80" }, { "education", "文盲或半文盲", "91" },
		{ "education", "学龄前", "92" },
		{ "marital_status", "未婚", "10" }, { "marital_status", "已婚", "20" },
		{ "marital_status", "丧偶", "30" }, { "marital_status", "离婚", "40" },
		{ "employment_status", "在职", "employed" },
		{ "employment_status", "个体经营", "self_employed" },
		{ "employment_status", "灵活就业", "flexible" },
		{ "employment_status", "失业", "unemployed" },
		{ "employment_status", "退休", "retired" },
		{ "employment_status", "无业", "none" },
		{ "employment_status", "在校学生", "student" },
		{ "employment_status", "学龄前儿童", "preschool" },
		{ "residence_type", "户籍人口", "registered" },
		{ "residence_type", "流动人口", "migrant" },
		{ "residence_type", "境外人员", "foreign" },
		{ "household_type", "户籍户", "hukou" },
		{ "household_type", "流动户", "migrant" },
		{ "household_type", "集体户", "collective" },
		{ "doc_type", "居民身份证", "id_card" },
		{ "doc_type", "港澳台居民居住证", "residence_permit" },
		{ "doc_type", "外国人永久居留身份证", "foreign_permanent" },
		{ "doc_type", "护照", "passport" },
		{ "doc_type", "港澳居民来往内地通行证", "hk_macau_permit" },
		{ "doc_type", "台湾居民来往大陆通行证", "taiwan_permit" },
		{ "sex", "男", "1" }, { "sex", "女", "2" },
	};
	for (size_t i = 0; i < N_OF(v); i++)
		expect_lookup(v[i].key, v[i].text, v[i].code);
}

static void test_local_tables(void **state)
{
	expect_lookup("employment_status", "在岗", "employed");
	expect_lookup("employment_status", "个体", "self_employed");
	expect_lookup("employment_status", "离退休", "retired");
	expect_lookup("employment_status", "学生", "student");
	expect_lookup("residence_type", "外来人口", "migrant");
	expect_lookup("residence_type", "境外", "foreign");
	expect_lookup("doc_type", "身份证", "id_card");
	expect_lookup("doc_type", "永居证", "foreign_permanent");
	expect_lookup("doc_type", "回乡证", "hk_macau_permit");
	expect_lookup("doc_type", "台胞证", "taiwan_permit");
	expect_lookup("dereg_reason", "死亡", "died");
	expect_lookup("household_type", "家庭户", "hukou");
	expect_lookup("house_use", "出租", "rented");
	expect_lookup("house_use", "vacant", "vacant");
	expect_lookup("role", "网格员", "grid_worker");
	expect_lookup("role", "主任", "director");
}

static void test_unknown(void **state)
{
	const struct code_table *t = &code_tables[CT_ETHNIC];

	assert_null(code_lookup(t, "火星族"));
	assert_null(code_lookup(t, ""));
	assert_null(code_lookup(t, "   "));
	assert_null(code_lookup(t, "\u3000"));
	assert_null(code_lookup(t, NULL));
	assert_null(code_lookup(NULL, "汉族"));
	assert_null(code_label(t, "99"));
	assert_null(code_label(t, NULL));
	assert_null(code_label(NULL, "01"));
	/* no partial or case-folded matches */
	assert_null(code_lookup(&code_tables[CT_DOC_TYPE], "ID_CARD"));
	assert_null(code_lookup(&code_tables[CT_DOC_TYPE], "id_car"));
	assert_null(code_lookup(&code_tables[CT_RELATION], "儿"));
}

/* doc_check() knows exactly the doc_type codes of the table. */
static void test_doc_type_matches_idnum(void **state)
{
	const struct code_table *t = &code_tables[CT_DOC_TYPE];
	struct jw_error e;

	assert_int_equal(t->n, 6);
	for (size_t i = 0; i < t->n; i++) {
		jw_error_clear(&e);
		doc_check(t->entries[i].code, "", "n", NULL, 0, NULL, NULL, &e);
		assert_string_equal(e.field, "n");      /* not "doc_type" */
		assert_non_null(strstr(e.message, "请填写"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_complete),
		cmocka_unit_test(test_tables_unique),
		cmocka_unit_test(test_sex),
		cmocka_unit_test(test_ethnic),
		cmocka_unit_test(test_relation),
		cmocka_unit_test(test_other_national),
		cmocka_unit_test(test_sample_data_values),
		cmocka_unit_test(test_local_tables),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_doc_type_matches_idnum),
	};
	return cmocka_run_group_tests_name("codes", tests, NULL, NULL);
}

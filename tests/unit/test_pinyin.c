/*
 * test_pinyin.c — unit tests of model/pinyin: readings ICU gives for
 * surnames, compound surnames, traditional and rare characters, foreign
 * names, buffer limits, the cache, and calls from several threads.
 *
 * The expected strings are what ICU 72 gives, or data/surnames.tsv where
 * it has the surname; where ICU differs from a dictionary, the test says so.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model/pinyin.h"

/* Asserts the pinyin of name is full / ini and the call succeeds. */
static void check(const char *name, const char *full, const char *ini)
{
	char f[128], i[64];

	assert_int_equal(pinyin_of_name(name, f, sizeof(f), i, sizeof(i)), 0);
	assert_string_equal(f, full);
	assert_string_equal(i, ini);
}

static void test_plain(void **state)
{
	check("张三丰", "zhangsanfeng", "zsf");
	check("李娜", "lina", "ln");
}

static void test_surname_readings(void **state)
{
	/* Read as surnames through Han-Latin/Names. */
	check("曾小明", "zengxiaoming", "zxm");
	check("单田芳", "shantianfang", "stf");
	check("仇英", "qiuying", "qy");
	check("解缙", "xiejin", "xj");
	/* The same characters inside a given name take the common reading. */
	check("何曾", "heceng", "hc");
	check("王单", "wangdan", "wd");
}

static void test_compound_surnames(void **state)
{
	check("欧阳娜娜", "ouyangnana", "oynn");
	check("司马光", "simaguang", "smg");
	/* ICU reads the compounds as units: 长孙 zhangsun, 尉迟 yuchi. */
	check("长孙无忌", "zhangsunwuji", "zswj");
	check("尉迟恭", "yuchigong", "ycg");
	check("诸葛亮", "zhugeliang", "zgl");
}

static void test_surname_table(void **state)
{
	/* data/surnames.tsv, where ICU's Han-Latin/Names reads otherwise */
	check("朴庆美", "piaoqingmei", "pqm");       /* ICU: pu */
	check("覃海燕", "qinhaiyan", "qhy");         /* ICU: tan */
	check("缪文涛", "miaowentao", "mwt");        /* ICU: mou */
	check("黑旋风", "hexuanfeng", "hxf");        /* ICU: hei */
	check("阚泽", "kanze", "kz");                /* ICU: han */
	check("莘明", "shenming", "sm");             /* ICU: xin */
	/* compounds read as units; ICU: wanqi, taba, shanyu */
	check("万俟南星", "moqinanxing", "mqnx");
	check("拓跋云飞", "tuobayunfei", "tbyf");
	check("单于明", "chanyuming", "cym");
	check("东郭先生", "dongguoxiansheng", "dgxs");
	/* a table character after the surname takes the common reading */
	check("王朴", "wangpu", "wp");
}

/* The keys of a name, space-separated, in the order given. */
struct keylist {
	char s[1024];
	int n;
};

static void add_key(const char *key, void *ud)
{
	struct keylist *k = ud;
	size_t len = strlen(k->s);

	snprintf(k->s + len, sizeof(k->s) - len, "%s%s", k->n ? " " : "", key);
	k->n++;
}

static void check_keys(const char *name, const char *keys)
{
	struct keylist k = { .n = 0 };
	int n;

	k.s[0] = '\0';
	n = pinyin_keys(name, add_key, &k);
	assert_int_equal(n, k.n);
	assert_string_equal(k.s, keys);
}

static void test_keys(void **state)
{
	/* initials, full surname then initials, full pinyin ("zhangs",
	 * "zhangsanf" are prefixes of it, so not kept apart) */
	check_keys("张三丰", "zsf zhangsf zhangsanfeng");
	check_keys("李娜", "ln lina");
	check_keys("李", "li");
	/* the table's readings, then ICU's surname and common readings */
	check_keys("单田芳", "stf shantf shantianfang dtf dantf dantianfang");
	check_keys("朴庆美", "pqm piaoqm piaoqingmei puqm puqingmei");
	check_keys("乐明", "ym yueming lm leming");
	check_keys("曾国藩", "zgf zenggf zengguofan cgf cenggf cengguofan");
	/* compounds: the table's, ICU's as a unit, and character by character */
	check_keys("万俟南星", "mqnx moqnx moqinx moqinanxing wqnx wanqnx wanqinx wanqinanxing");
	check_keys("尉迟恭", "ycg yucg yuchigong");
	/* Latin words are syllables too */
	check_keys("KIM MINJUN", "km kimminjun");
	/* at most 4 syllables in full before the initials */
	check_keys("买买提·艾力", "mmtal maimtal maimaital maimaitial maimaitiaili");
	check_keys("", "");
	check_keys("𠮷", "");
}

/* Writes text to a temporary file; its path goes to path. */
static void temp_table(char *path, size_t n, const char *text)
{
	FILE *f;

	snprintf(path, n, "/tmp/jw_surnames_%d.tsv", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_table_override(void **state)
{
	char path[64], msg[256], v1[64];

	snprintf(v1, sizeof(v1), "%s", pinyin_keys_version());
	assert_true(strncmp(v1, "k1:", 3) == 0);
	/* refused while the module is open */
	temp_table(path, sizeof(path), "# 测试\n朴\tbu\n");
	assert_int_equal(pinyin_use_surnames(path, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "关闭"));
	pinyin_shutdown();
	assert_int_equal(pinyin_use_surnames(path, msg, sizeof(msg)), 0);
	check("朴庆美", "buqingmei", "bqm");
	check("覃海燕", "tanhaiyan", "thy");      /* not in this table: ICU */
	assert_string_not_equal(pinyin_keys_version(), v1);
	pinyin_shutdown();
	assert_int_equal(pinyin_use_surnames(NULL, msg, sizeof(msg)), 0);
	check("朴庆美", "piaoqingmei", "pqm");
	assert_string_equal(pinyin_keys_version(), v1);
	pinyin_shutdown();
	unlink(path);
}

static void test_table_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "朴 piao\n", "第1行：姓氏和读音之间应为一个制表符" },
		{ "#\n万俟\tmoqi\n", "第2行：读音“moqi”应为每字一个音节" },
		{ "朴\tpiáo\n", "第1行：读音“piáo”只能用拼音字母" },
		{ "欧阳修\tou yang xiu\n", "第1行：姓氏“欧阳修”应为一到两个汉字" },
		{ "ab\tab\n", "第1行：姓氏“ab”应为一到两个汉字" },
		{ "朴\tpiao\n\n朴\tpu\n", "第3行：姓氏与第1行重复" },
		{ "乐\tyue|le|lo|la|li\n", "第1行：一个姓氏最多4种读音" },
	};
	char path[64], msg[256];
	size_t i;

	pinyin_shutdown();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		temp_table(path, sizeof(path), bad[i].text);
		assert_int_equal(pinyin_use_surnames(path, msg, sizeof(msg)), -1);
		if (!strstr(msg, bad[i].msg))
			fail_msg("%s: got “%s”", bad[i].text, msg);
	}
	unlink(path);
	assert_int_equal(pinyin_use_surnames("/nonexistent/s.tsv", msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "/nonexistent/s.tsv"));
	/* a refused file leaves the built-in table in use */
	check("朴庆美", "piaoqingmei", "pqm");
}

static void test_traditional(void **state)
{
	check("陳志明", "chenzhiming", "czm");
	check("張學友", "zhangxueyou", "zxy");
}

static void test_middle_dots(void **state)
{
	check("买买提·艾力", "maimaitiaili", "mmtal");
	check("买买提・艾力", "maimaitiaili", "mmtal");   /* U+30FB */
	check("买买提•艾力", "maimaitiaili", "mmtal");    /* U+2022 */
	check("阿 里", "ali", "al");
}

static void test_latin(void **state)
{
	check("KIM MINJUN", "kimminjun", "km");
	/* ICU's Latin-ASCII folds Ü to U (not UE). */
	check("MÜLLER THOMAS", "mullerthomas", "mt");
	check("O.J. Simpson", "ojsimpson", "ojs");
	check("张Tom", "zhangtom", "zt");
}

static void test_rare_and_unknown(void **state)
{
	/* 𫖯 U+2B5AF, a supplementary-plane character ICU reads as fu. */
	check("赵孟𫖯", "zhaomengfu", "zmf");
	/* 𠮷 U+20BB7 has no reading in ICU 72: skipped. */
	check("王𠮷", "wang", "w");
	/* Digits and punctuation have no reading. */
	check("王2号", "wanghao", "wh");
}

static void test_empty(void **state)
{
	check("", "", "");
	check(NULL, "", "");
	check(" · ", "", "");
}

static void test_small_buffers(void **state)
{
	char f[6], i[2];

	assert_int_equal(pinyin_of_name("张三丰", f, sizeof(f), i, sizeof(i)), -1);
	assert_string_equal(f, "zhang");
	assert_string_equal(i, "z");
	/* A NULL buffer means the caller does not want that output. */
	assert_int_equal(pinyin_of_name("张三丰", NULL, 0, i, sizeof(i)), -1);
	assert_int_equal(pinyin_of_name("张三", NULL, 0, f, sizeof(f)), 0);
	assert_string_equal(f, "zs");
}

static void test_invalid_utf8(void **state)
{
	check("张\xff三", "zhangsan", "zs");
	check("\xe5\xbc", "", "");   /* 张 cut short */
}

static void test_cache_and_reinit(void **state)
{
	char f1[64], i1[16], f2[64], i2[16];

	assert_int_equal(pinyin_init(), 0);
	assert_int_equal(pinyin_init(), 0);   /* second call is a no-op */
	assert_int_equal(pinyin_of_name("曾国藩", f1, sizeof(f1), i1, sizeof(i1)), 0);
	assert_int_equal(pinyin_of_name("曾国藩", f2, sizeof(f2), i2, sizeof(i2)), 0);
	assert_string_equal(f1, f2);
	assert_string_equal(i1, i2);
	assert_string_equal(f1, "zengguofan");
	/* After shutdown the cache is gone; the next call reopens. */
	pinyin_shutdown();
	pinyin_shutdown();
	assert_int_equal(pinyin_of_name("曾国藩", f2, sizeof(f2), i2, sizeof(i2)), 0);
	assert_string_equal(f1, f2);
	assert_string_equal(i1, i2);
}

static const char *const thread_names[] = {
	"张三丰", "曾小明", "单田芳", "欧阳娜娜", "陳志明", "买买提·艾力",
	"KIM MINJUN", "MÜLLER THOMAS", "赵孟𫖯", "长孙无忌", "尉迟恭",
	"王大锤", "刘德华", "周杰伦", "郭富城", "黎明", "梁朝伟", "张学友",
	"仇英", "解缙", "何曾", "龚自珍", "鲁迅", "林徽因", "徐志摩",
	"司马光", "诸葛亮", "上官婉儿", "东方不败", "令狐冲", "覃海燕",
	"區志強", "單國華", "黃飛鴻", "費翔", "蔣經國", "鄧麗君",
};
#define NTHREAD_NAMES (sizeof(thread_names) / sizeof(thread_names[0]))
#define ROUNDS 200

struct answer {
	char full[64];
	char ini[16];
};

static struct answer expected[NTHREAD_NAMES];

/* Runs over the names ROUNDS times, each thread from its own offset. */
static void *worker(void *arg)
{
	size_t off = (size_t)(uintptr_t)arg, r, j, n;
	struct answer a;
	long bad = 0;

	for (r = 0; r < ROUNDS; r++) {
		for (j = 0; j < NTHREAD_NAMES; j++) {
			n = (j + off * 7 + r) % NTHREAD_NAMES;
			if (pinyin_of_name(thread_names[n], a.full, sizeof(a.full),
					   a.ini, sizeof(a.ini)) ||
			    strcmp(a.full, expected[n].full) ||
			    strcmp(a.ini, expected[n].ini))
				bad++;
		}
	}
	return (void *)(intptr_t)bad;
}

static void test_threads(void **state)
{
	pthread_t th[4];
	void *res;
	size_t j;
	int t;

	for (j = 0; j < NTHREAD_NAMES; j++)
		assert_int_equal(pinyin_of_name(thread_names[j], expected[j].full,
						 sizeof(expected[j].full),
						 expected[j].ini,
						 sizeof(expected[j].ini)), 0);
	/* Start from a cold cache so the threads race to fill it. */
	pinyin_shutdown();
	assert_int_equal(pinyin_init(), 0);
	for (t = 0; t < 4; t++)
		assert_int_equal(pthread_create(&th[t], NULL, worker,
						(void *)(uintptr_t)t), 0);
	for (t = 0; t < 4; t++) {
		assert_int_equal(pthread_join(th[t], &res), 0);
		assert_int_equal((intptr_t)res, 0);
	}
}

static int setup(void **state)
{
	return pinyin_init();
}

static int teardown(void **state)
{
	pinyin_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_surname_readings),
		cmocka_unit_test(test_compound_surnames),
		cmocka_unit_test(test_surname_table),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_table_override),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_traditional),
		cmocka_unit_test(test_middle_dots),
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_rare_and_unknown),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_cache_and_reinit),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_pinyin.c — unit tests of model/pinyin: readings ICU gives for
 * surnames, compound surnames, traditional and rare characters, foreign
 * names, buffer limits, the cache, and calls from several threads.
 *
 * The expected strings are what ICU 72 gives; where ICU differs from a
 * dictionary, the test says so.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

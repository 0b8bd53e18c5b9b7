/*
 * test_ledger.c — unit tests for the rules of model/ledger.c: the
 * disability card number (残疾人证号 = ID number + category digit + grade
 * digit, checked against the holder and the ledger's labels), birthdays
 * and ages on 29 February, the date arithmetic the reminders use, and the
 * 高龄 bands; and, on a real store, the entry filters the reminders and
 * exports use (paging past 1,000, a field between dates, a field in a list,
 * a month), and 本年已认证 derived from the date of the last certification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"
#include "model/ledger.h"
#include "store/store.h"
#include "svc/ledger.h"
#include "svc/svc.h"
#include "fixture.h"

#include <stdlib.h>
#include <unistd.h>

/* GB 11643 check character; first17 is 17 digits. */
static void idnum(const char *first17, char out[19])
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int s = 0;
	for (int i = 0; i < 17; i++)
		s += (first17[i] - '0') * w[i];
	snprintf(out, 19, "%s%c", first17, "10X98765432"[s % 11]);
}

/* A card made of an ID and two digits. */
static void card_of(const char *id, char cat, char grade, char out[21])
{
	snprintf(out, 21, "%.18s%c%c", id, cat, grade);
}

static void expect_ok(const char *card, const char *id, const char *cat, const char *grade)
{
	struct jw_error err;
	jw_error_clear(&err);
	int rc = disability_card_check(card, id, cat, grade, &err);
	if (rc != JW_OK)
		fail_msg("card %s (id %s, %s, %s) refused: %s", card ? card : "(null)", id ? id : "(null)",
			 cat ? cat : "(null)", grade ? grade : "(null)", err.message);
}

static void expect_bad(const char *card, const char *id, const char *cat, const char *grade)
{
	struct jw_error err;
	jw_error_clear(&err);
	int rc = disability_card_check(card, id, cat, grade, &err);
	if (rc != JW_EINVAL)
		fail_msg("card %s (id %s, %s, %s): want JW_EINVAL, got %d", card ? card : "(null)",
			 id ? id : "(null)", cat ? cat : "(null)", grade ? grade : "(null)", rc);
	assert_int_equal(err.code, JW_EINVAL);
	assert_string_equal(err.field, "card_no");
	/* a Chinese message: at least one byte of a multi-byte UTF-8 character */
	bool han = false;
	for (const unsigned char *p = (const unsigned char *)err.message; *p; p++)
		han = han || *p >= 0xE4;
	if (!han)
		fail_msg("message is not Chinese: \"%s\"", err.message);
}

static void card_valid(void **state)
{
	(void)state;
	char id[19], card[21];
	idnum("11010519580305001", id);
	/* every category digit 1–7 with every grade digit 1–4, with and without labels */
	for (int c = 1; c <= 7; c++)
		for (int g = 1; g <= 4; g++) {
			card_of(id, (char)('0' + c), (char)('0' + g), card);
			expect_ok(card, id, NULL, NULL);
			expect_ok(card, NULL, NULL, NULL);
			expect_ok(card, id, disability_categories[c - 1], disability_grades[g - 1]);
		}
	/* 肢体残疾 二级 = 4, 2 */
	card_of(id, '4', '2', card);
	expect_ok(card, id, "肢体残疾", "二级");
	/* an ID ending in X */
	char idx[19];
	for (int seq = 0; seq < 1000; seq++) {
		char f17[32];
		snprintf(f17, sizeof(f17), "11010819661201%03d", seq);
		idnum(f17, idx);
		if (idx[17] == 'X')
			break;
	}
	assert_int_equal(idx[17], 'X');
	card_of(idx, '1', '1', card);
	expect_ok(card, idx, "视力残疾", "一级");
}

static void card_length(void **state)
{
	(void)state;
	char id[19], card[40];
	idnum("11010519580305001", id);
	expect_bad(NULL, id, NULL, NULL);
	expect_bad("", id, NULL, NULL);
	expect_bad(id, id, NULL, NULL);                           /* the ID alone: 18 */
	snprintf(card, sizeof(card), "%s4", id);                  /* 19 */
	expect_bad(card, id, NULL, NULL);
	snprintf(card, sizeof(card), "%s421", id);                /* 21 */
	expect_bad(card, id, NULL, NULL);
	snprintf(card, sizeof(card), "%s42 ", id);                /* 21 with a space */
	expect_bad(card, id, NULL, NULL);
}

static void card_bad_id(void **state)
{
	(void)state;
	char id[19], bad[19], card[21];
	idnum("11010519580305001", id);
	/* wrong check character */
	snprintf(bad, sizeof(bad), "%.17s%c", id, id[17] == '0' ? '1' : '0');
	card_of(bad, '4', '2', card);
	expect_bad(card, NULL, NULL, NULL);
	expect_bad(card, bad, NULL, NULL);
	/* an impossible birth date with a correct check character */
	idnum("11010519581305001", bad);
	card_of(bad, '4', '2', card);
	expect_bad(card, NULL, NULL, NULL);
	/* letters in the ID part */
	expect_bad("1101051958030500AB42", NULL, NULL, NULL);
	/* 20 characters, but a 15-digit old ID + padding is not an ID */
	expect_bad("11010558030500142000", NULL, NULL, NULL);
}

static void card_digits(void **state)
{
	(void)state;
	char id[19], card[21];
	idnum("11010519580305001", id);
	card_of(id, '0', '2', card);   /* category 0 */
	expect_bad(card, id, NULL, NULL);
	card_of(id, '8', '2', card);   /* category 8 */
	expect_bad(card, id, NULL, NULL);
	card_of(id, '9', '2', card);
	expect_bad(card, id, NULL, NULL);
	card_of(id, 'X', '2', card);
	expect_bad(card, id, NULL, NULL);
	card_of(id, '4', '5', card);   /* grade 5 */
	expect_bad(card, id, NULL, NULL);
	card_of(id, '4', '0', card);   /* grade 0 */
	expect_bad(card, id, NULL, NULL);
	card_of(id, '4', 'A', card);
	expect_bad(card, id, NULL, NULL);
}

static void card_labels(void **state)
{
	(void)state;
	char id[19], card[21];
	idnum("11010519580305001", id);
	card_of(id, '4', '2', card);
	/* category disagrees with 肢体残疾 (4) */
	char wrong[21];
	card_of(id, '5', '2', wrong);
	expect_bad(wrong, id, "肢体残疾", "二级");
	/* grade disagrees with 二级 (2) */
	card_of(id, '4', '3', wrong);
	expect_bad(wrong, id, "肢体残疾", "二级");
	/* the labels disagree with a right card */
	expect_bad(card, id, "视力残疾", "二级");
	expect_bad(card, id, "肢体残疾", "一级");
	expect_bad(card, id, "多重残疾", "四级");
	/* only one label given: the other is not checked */
	expect_ok(card, id, "肢体残疾", NULL);
	expect_ok(card, id, NULL, "二级");
	expect_bad(card, id, "听力残疾", NULL);
	expect_bad(card, id, NULL, "四级");
}

static void card_other_person(void **state)
{
	(void)state;
	char id[19], other[19], card[21];
	idnum("11010519580305001", id);
	idnum("11010519580305002", other);    /* a different, valid ID */
	card_of(other, '4', '2', card);
	expect_bad(card, id, "肢体残疾", "二级");
	expect_ok(card, other, "肢体残疾", "二级");
	/* an ID differing in the check character only cannot be valid for both,
	 * but one differing in the region is */
	char moved[19];
	idnum("11010819580305001", moved);
	card_of(moved, '4', '2', card);
	expect_bad(card, id, NULL, NULL);
	/* a lower-case x in the card against an upper-case X ID: the card's
	 * first 18 characters must be the person's number (the contract does
	 * not say whether x is accepted; only require that it is not a crash) */
	char idx[19];
	for (int seq = 0; seq < 1000; seq++) {
		char f17[32];
		snprintf(f17, sizeof(f17), "11010819661201%03d", seq);
		idnum(f17, idx);
		if (idx[17] == 'X')
			break;
	}
	card_of(idx, '4', '2', card);
	card[17] = 'x';
	struct jw_error err;
	(void)disability_card_check(card, idx, NULL, NULL, &err);
}

static void birthdays(void **state)
{
	(void)state;
	int m, d;
	birthday_in(2026, 2, 29, &m, &d);      /* common year */
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	birthday_in(2025, 2, 29, &m, &d);
	assert_int_equal(d, 28);
	birthday_in(2100, 2, 29, &m, &d);      /* divisible by 100, not 400: common */
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	birthday_in(2028, 2, 29, &m, &d);      /* leap year */
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	birthday_in(2000, 2, 29, &m, &d);      /* divisible by 400: leap */
	assert_int_equal(d, 29);
	birthday_in(2026, 2, 28, &m, &d);
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	birthday_in(2026, 3, 1, &m, &d);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	birthday_in(2026, 12, 31, &m, &d);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
}

static void turning(void **state)
{
	(void)state;
	int y, m, d;
	/* The brief's case "born 1966-02-29 turns 60 on 2026-02-28": 1966 is
	 * not a leap year, so no one is born on 1966-02-29; the function takes
	 * it as given and answers as for any 29 February birth. */
	date_turning(1966, 2, 29, 60, &y, &m, &d);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	/* real 29 February births turning n in a common year */
	date_turning(1960, 2, 29, 66, &y, &m, &d);   /* 2026 common */
	assert_int_equal(y, 2026);
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	date_turning(1964, 2, 29, 62, &y, &m, &d);   /* 2026 */
	assert_int_equal(y, 2026);
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	date_turning(1964, 2, 29, 60, &y, &m, &d);   /* 2024 leap */
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	date_turning(1968, 2, 29, 60, &y, &m, &d);   /* 2028 leap */
	assert_int_equal(y, 2028);
	assert_int_equal(d, 29);
	date_turning(1940, 2, 29, 60, &y, &m, &d);   /* 2000 leap (÷400) */
	assert_int_equal(y, 2000);
	assert_int_equal(d, 29);
	date_turning(2040, 2, 29, 60, &y, &m, &d);   /* 2100 common (÷100) */
	assert_int_equal(y, 2100);
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	/* born 1946-03-01 turns 80 on 2026-03-01 */
	date_turning(1946, 3, 1, 80, &y, &m, &d);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	/* born 1966-02-28 turns 60 on 2026-02-28 */
	date_turning(1966, 2, 28, 60, &y, &m, &d);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 2);
	assert_int_equal(d, 28);
	date_turning(1945, 12, 31, 80, &y, &m, &d);
	assert_int_equal(y, 2025);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	date_turning(2000, 1, 1, 0, &y, &m, &d);
	assert_int_equal(y, 2000);
	assert_int_equal(m, 1);
	assert_int_equal(d, 1);
}

/* A plain day-by-day reference for the date arithmetic. */
static int mdays(int y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : n[m - 1];
}

static void next_day(int *y, int *m, int *d)
{
	if (++*d > mdays(*y, *m)) {
		*d = 1;
		if (++*m > 12) {
			*m = 1;
			++*y;
		}
	}
}

static void days_fixed(void **state)
{
	(void)state;
	assert_int_equal(days_between(2026, 1, 1, 2026, 1, 1), 0);
	assert_int_equal(days_between(2026, 1, 1, 2026, 1, 2), 1);
	assert_int_equal(days_between(2026, 1, 2, 2026, 1, 1), -1);
	assert_int_equal(days_between(2026, 1, 31, 2026, 2, 1), 1);          /* month */
	assert_int_equal(days_between(2025, 12, 31, 2026, 1, 1), 1);         /* year */
	assert_int_equal(days_between(2026, 2, 28, 2026, 3, 1), 1);          /* common Feb */
	assert_int_equal(days_between(2028, 2, 28, 2028, 3, 1), 2);          /* leap Feb */
	assert_int_equal(days_between(2028, 2, 28, 2028, 2, 29), 1);
	assert_int_equal(days_between(1900, 2, 28, 1900, 3, 1), 1);          /* ÷100 */
	assert_int_equal(days_between(2000, 2, 28, 2000, 3, 1), 2);          /* ÷400 */
	assert_int_equal(days_between(2026, 1, 1, 2027, 1, 1), 365);
	assert_int_equal(days_between(2028, 1, 1, 2029, 1, 1), 366);
	assert_int_equal(days_between(1970, 1, 1, 2000, 1, 1), 10957);
	assert_int_equal(days_between(1900, 1, 1, 2000, 1, 1), 36524);
	assert_int_equal(days_between(2000, 1, 1, 2100, 1, 1), 36525);
	assert_int_equal(days_between(1600, 1, 1, 2000, 1, 1), 146097);
	assert_int_equal(days_between(2026, 3, 1, 2026, 1, 1), -59);

	int y, m, d;
	date_add_days(2026, 1, 31, 1, &y, &m, &d);
	assert_true(y == 2026 && m == 2 && d == 1);
	date_add_days(2025, 12, 31, 1, &y, &m, &d);
	assert_true(y == 2026 && m == 1 && d == 1);
	date_add_days(2026, 1, 1, -1, &y, &m, &d);
	assert_true(y == 2025 && m == 12 && d == 31);
	date_add_days(2026, 2, 28, 1, &y, &m, &d);
	assert_true(y == 2026 && m == 3 && d == 1);
	date_add_days(2028, 2, 28, 1, &y, &m, &d);
	assert_true(y == 2028 && m == 2 && d == 29);
	date_add_days(2028, 3, 1, -1, &y, &m, &d);
	assert_true(y == 2028 && m == 2 && d == 29);
	date_add_days(2026, 3, 1, -1, &y, &m, &d);
	assert_true(y == 2026 && m == 2 && d == 28);
	date_add_days(2026, 1, 1, 60, &y, &m, &d);
	assert_true(y == 2026 && m == 3 && d == 2);
	date_add_days(2028, 1, 1, 60, &y, &m, &d);
	assert_true(y == 2028 && m == 3 && d == 1);
	date_add_days(2026, 1, 1, 365, &y, &m, &d);
	assert_true(y == 2027 && m == 1 && d == 1);
	date_add_days(2026, 1, 1, 0, &y, &m, &d);
	assert_true(y == 2026 && m == 1 && d == 1);
	date_add_days(2000, 1, 1, -36524, &y, &m, &d);
	assert_true(y == 1900 && m == 1 && d == 1);
	date_add_days(1969, 12, 31, 1, &y, &m, &d);      /* across the epoch */
	assert_true(y == 1970 && m == 1 && d == 1);
	date_add_days(1970, 1, 1, -1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
}

/* Every day from 1890-01-01 to 2110-12-31 against the day-by-day walk, and
 * round trips with offsets across month, year and leap boundaries. */
static void days_walk(void **state)
{
	(void)state;
	int y = 1890, m = 1, d = 1;
	long n = 0;
	while (y <= 2110) {
		long got = days_between(1890, 1, 1, y, m, d);
		if (got != n)
			fail_msg("days_between(1890-01-01, %04d-%02d-%02d) = %ld, want %ld", y, m, d, got, n);
		int oy, om, od;
		date_add_days(1890, 1, 1, n, &oy, &om, &od);
		if (oy != y || om != m || od != d)
			fail_msg("date_add_days(1890-01-01, %ld) = %04d-%02d-%02d, want %04d-%02d-%02d", n, oy, om, od,
				 y, m, d);
		/* backwards from here to the start */
		date_add_days(y, m, d, -n, &oy, &om, &od);
		if (oy != 1890 || om != 1 || od != 1)
			fail_msg("date_add_days(%04d-%02d-%02d, %ld) = %04d-%02d-%02d, want 1890-01-01", y, m, d, -n, oy,
				 om, od);
		static const long off[] = { 1, -1, 27, 28, 29, 30, 31, -28, -29, -30, -31, 59, 60, 365, 366, -365,
					    -366, 1461, -1461, 36524, -36525 };
		if (n % 7 == 0 || (m == 2 && d >= 27) || (m == 3 && d == 1) || (m == 12 && d == 31) ||
		    (m == 1 && d == 1)) {
			for (size_t k = 0; k < sizeof(off) / sizeof(off[0]); k++) {
				date_add_days(y, m, d, off[k], &oy, &om, &od);
				if (om < 1 || om > 12 || od < 1 || od > mdays(oy, om))
					fail_msg("%04d-%02d-%02d %+ld days = invalid %04d-%02d-%02d", y, m, d, off[k], oy,
						 om, od);
				long back = days_between(y, m, d, oy, om, od);
				if (back != off[k])
					fail_msg("%04d-%02d-%02d → %04d-%02d-%02d: days_between %ld, want %ld", y, m, d, oy,
						 om, od, back, off[k]);
				int ry, rm, rd;
				date_add_days(oy, om, od, -off[k], &ry, &rm, &rd);
				if (ry != y || rm != m || rd != d)
					fail_msg("round trip %04d-%02d-%02d %+ld → %04d-%02d-%02d → %04d-%02d-%02d", y, m,
						 d, off[k], oy, om, od, ry, rm, rd);
			}
		}
		next_day(&y, &m, &d);
		n++;
	}
	assert_true(n > 80000);
}

static void bands(void **state)
{
	(void)state;
	assert_null(elderly_band(0));
	assert_null(elderly_band(60));
	assert_null(elderly_band(79));
	assert_string_equal(elderly_band(80), "80–89周岁");
	assert_string_equal(elderly_band(85), "80–89周岁");
	assert_string_equal(elderly_band(89), "80–89周岁");
	assert_string_equal(elderly_band(90), "90–99周岁");
	assert_string_equal(elderly_band(99), "90–99周岁");
	assert_string_equal(elderly_band(100), "100周岁以上");
	assert_string_equal(elderly_band(105), "100周岁以上");
	assert_null(elderly_band(-1));
}

static void declarations(void **state)
{
	(void)state;
	static const char *const keys[15] = { "elderly", "disabled", "dibao", "temp_aid", "tekun",
					      "veterans", "unemployed", "zero_employment", "retirees", "correction",
					      "family_planning", "migrants", "rental", "special_care", "volunteers" };
	/* the fifteen ledgers and the work log (工作日志), attached to nothing */
	assert_int_equal(nbuiltin_ledgers, 16);
	assert_non_null(ledger_builtin("worklog"));
	assert_int_equal(ledger_builtin("worklog")->subject, SUBJECT_NONE);
	for (int i = 0; i < 15; i++) {
		const struct ledger_def *l = ledger_builtin(keys[i]);
		if (!l)
			fail_msg("no built-in ledger %s", keys[i]);
		assert_string_equal(l->key, keys[i]);
		assert_true(l->nfields >= 1 && l->nfields <= LEDGER_MAX_FIELDS);
		assert_false(l->custom);
		/* restricted: exactly correction and special_care */
		bool want_r = strcmp(keys[i], "correction") == 0 || strcmp(keys[i], "special_care") == 0;
		assert_int_equal(l->restricted, want_r);
		/* every ledger ends with notes (备注) */
		assert_string_equal(l->fields[l->nfields - 1].name, "notes");
	}
	assert_null(ledger_builtin("nosuch"));
	assert_null(ledger_builtin(NULL));
	assert_int_equal(ledger_builtin("elderly")->rule, DR_AGE_MIN);
	assert_int_equal(ledger_builtin("elderly")->derive->when[0].all[0].years, 60);
	assert_int_equal(ledger_builtin("elderly")->visit_days, 7);
	assert_int_equal(ledger_builtin("unemployed")->rule, DR_EMPLOYMENT);
	assert_int_equal(ledger_builtin("retirees")->rule, DR_EMPLOYMENT);
	assert_int_equal(ledger_builtin("migrants")->rule, DR_RESIDENCE);
	assert_int_equal(ledger_builtin("zero_employment")->rule, DR_ZERO_EMPLOYMENT);
	assert_int_equal(ledger_builtin("disabled")->rule, DR_NONE);
	/* layouts named in LEDGERS.md / the brief */
	const struct { const char *ledger, *layout; } lay[] = {
		{ "elderly", "allowance" }, { "elderly", "alone" }, { "disabled", "roster" },
		{ "migrants", "register" }, { "rental", "register" }, { "volunteers", "roster" },
	};
	for (size_t k = 0; k < sizeof(lay) / sizeof(lay[0]); k++) {
		const struct ledger_def *l = ledger_builtin(lay[k].ledger);
		bool found = false;
		for (int i = 0; i < l->nlayouts; i++)
			found = found || strcmp(l->layouts[i].key, lay[k].layout) == 0;
		if (!found)
			fail_msg("%s has no layout %s", lay[k].ledger, lay[k].layout);
	}
	assert_int_equal(sizeof(disability_categories) / sizeof(disability_categories[0]), 7);
	assert_string_equal(disability_categories[3], "肢体残疾");
	assert_string_equal(disability_grades[1], "二级");
}

/* ---- on a store ---- */

static struct fixture g_fx;

static void store_up(void) { fixture_up(&g_fx, "ledger"); }
static void store_down(void) { fixture_down(&g_fx); }

struct seen { int64_t n, last, sum; };

static int count_cb(const struct entry_row *e, void *ud)
{
	struct seen *s = ud;
	s->n++;
	s->last = e->id;
	s->sum += e->subject_id;
	return JW_OK;
}

static void entry_filters(void **state)
{
	(void)state;
	struct jw_error err;
	store_up();
	/* 1,205 entries: subject i has permit_until today+i (mod 60) days and
	 * living 独居 / 空巢 / 与家人同住 in turn; start dates in months 1–12 */
	assert_int_equal(store_begin(g_fx.st), JW_OK);
	for (int i = 1; i <= 1205; i++) {
		char data[128], start[16];
		static const char *const liv[3] = { "独居", "空巢", "与家人同住" };
		snprintf(data, sizeof(data), "{\"permit_until\":\"2030-%02d-%02d\",\"living\":\"%s\"}", 1 + i % 12,
			 1 + i % 28, liv[i % 3]);
		snprintf(start, sizeof(start), "2025-%02d-01", 1 + i % 12);
		struct entry_row e = { .ledger = "migrants", .subject = "person", .subject_id = i, .status = "open",
				       .start_date = start, .data = data };
		assert_int_equal(STORE_CALL(g_fx.st, entry_put, "110105087003", &e, &err), JW_OK);
	}
	assert_int_equal(store_commit(g_fx.st), JW_OK);
	/* paging with after_id reaches every entry */
	struct entry_query q = { .ledger = "migrants", .oldest_first = true, .limit = 500 };
	struct seen all = { 0 };
	for (;;) {
		struct seen page = { 0 };
		assert_int_equal(STORE_CALL(g_fx.st, entry_list, "110105087003", &q, count_cb, &page, NULL, &err), JW_OK);
		all.n += page.n;
		all.sum += page.sum;
		if (page.n < 500)
			break;
		q.after_id = page.last;
	}
	assert_int_equal(all.n, 1205);
	assert_int_equal(all.sum, 1205 * 1206 / 2);
	/* a field between two dates: months 3 and 4 of 2030 */
	struct entry_query w = { .ledger = "migrants", .limit = 5000, .want_total = true };
	w.where[w.nwhere++] = (struct entry_filter){ "permit_until", EOP_GE, "2030-03-01" };
	w.where[w.nwhere++] = (struct entry_filter){ "permit_until", EOP_LE, "2030-04-31" };
	struct seen between = { 0 };
	int64_t total = 0;
	assert_int_equal(STORE_CALL(g_fx.st, entry_list, "110105087003", &w, count_cb, &between, &total, &err), JW_OK);
	int64_t want = 0;
	for (int i = 1; i <= 1205; i++)
		want += (1 + i % 12 == 3 || 1 + i % 12 == 4);
	assert_int_equal(between.n, want);
	assert_int_equal(total, want);
	/* a field in a list */
	struct entry_query in = { .ledger = "migrants", .limit = 5000 };
	in.where[in.nwhere++] = (struct entry_filter){ "living", EOP_IN, "独居|空巢" };
	struct seen alone = { 0 };
	assert_int_equal(STORE_CALL(g_fx.st, entry_list, "110105087003", &in, count_cb, &alone, NULL, &err), JW_OK);
	want = 0;
	for (int i = 1; i <= 1205; i++)
		want += i % 3 != 2;
	assert_int_equal(alone.n, want);
	/* a month of an entry's own date; a missing field reads "" */
	struct entry_query mo = { .ledger = "migrants", .limit = 5000 };
	mo.where[mo.nwhere++] = (struct entry_filter){ "entry.start_date", EOP_MONTH, "07" };
	mo.where[mo.nwhere++] = (struct entry_filter){ "certify_date", EOP_LT, "2030-01-01" };
	struct seen july = { 0 };
	assert_int_equal(STORE_CALL(g_fx.st, entry_list, "110105087003", &mo, count_cb, &july, NULL, &err), JW_OK);
	want = 0;
	for (int i = 1; i <= 1205; i++)
		want += 1 + i % 12 == 7;
	assert_int_equal(july.n, want);
	/* a name that is not a field is refused, never put in SQL */
	struct entry_query bad = { .ledger = "migrants", .limit = 10 };
	bad.where[bad.nwhere++] = (struct entry_filter){ "x') OR 1=1 --", EOP_EQ, "a" };
	assert_int_equal(STORE_CALL(g_fx.st, entry_list, "110105087003", &bad, count_cb, &july, NULL, &err),
			 JW_EBADREQ);
	store_down();
}

struct got { char certified[8]; char date[16]; int64_t id; };

static int got_cb(const struct entry_row *e, void *ud)
{
	struct got *g = ud;
	const struct ledger_def *l = ledger_builtin("retirees");
	struct record f;
	entry_fields(l, e->data, &f);
	const char *c = record_get(&f, entity_field_index(f.ent, "certified"));
	const char *d = record_get(&f, entity_field_index(f.ent, "certify_date"));
	snprintf(g->certified, sizeof(g->certified), "%s", c ? c : "");
	snprintf(g->date, sizeof(g->date), "%s", d ? d : "");
	g->id = e->id;
	record_release(&f);
	return JW_OK;
}

static void certified_each_year(void **state)
{
	(void)state;
	struct jw_error err;
	struct verr ve;
	store_up();
	const struct ledger_def *l = ledger_builtin("retirees");
	assert_non_null(l->year_flag);
	/* a retired person: taken into the retirees ledger */
	struct record p;
	record_init(&p, &entities[ENT_PERSON]);
	record_set(&p, PF_NAME, "张退休");
	record_set(&p, PF_ID_NUMBER, "11010519491231002X");
	record_set(&p, PF_EMPLOYMENT_STATUS, "退休");
	record_set(&p, PF_RESIDENCE_TYPE, "registered");
	int64_t pid = 0;
	verr_init(&ve);
	int rc = svc_create(g_fx.st, &g_fx.admin, &p, &ve, &pid, &err);
	if (rc != JW_OK)
		fail_msg("create: %s %s", err.field, err.message);
	record_release(&p);
	struct got g = { "", "", 0 };
	struct entry_query q = { .limit = 10 };
	assert_int_equal(svc_entry_list(g_fx.st, &g_fx.admin, l, &q, got_cb, &g, NULL, &err), JW_OK);
	assert_true(g.id > 0);
	assert_string_equal(g.certified, "否");
	int ty, tm, td;
	date_today(&ty, &tm, &td);
	char last_year[24], today[24];
	snprintf(last_year, sizeof(last_year), "%04d-06-15", ty - 1);
	snprintf(today, sizeof(today), "%04d-%02d-%02d", ty, tm, td);
	/* a certification dated last year reads 否 this year */
	struct record f;
	entry_fields(l, NULL, &f);
	record_set(&f, entity_field_index(f.ent, "certified"), "是");
	record_set(&f, entity_field_index(f.ent, "certify_date"), last_year);
	verr_init(&ve);
	assert_int_equal(svc_entry_update(g_fx.st, &g_fx.admin, l, g.id, &f, NULL, NULL, NULL, false, &ve, &err), JW_OK);
	record_release(&f);
	assert_int_equal(svc_entry_list(g_fx.st, &g_fx.admin, l, &q, got_cb, &g, NULL, &err), JW_OK);
	assert_string_equal(g.date, last_year);
	assert_string_equal(g.certified, "否");
	/* 是 without a date records today */
	entry_fields(l, NULL, &f);
	record_set(&f, entity_field_index(f.ent, "certified"), "是");
	verr_init(&ve);
	assert_int_equal(svc_entry_update(g_fx.st, &g_fx.admin, l, g.id, &f, NULL, NULL, NULL, false, &ve, &err), JW_OK);
	record_release(&f);
	assert_int_equal(svc_entry_list(g_fx.st, &g_fx.admin, l, &q, got_cb, &g, NULL, &err), JW_OK);
	assert_string_equal(g.date, today);
	assert_string_equal(g.certified, "是");
	/* the list filter follows the date */
	struct entry_query yes = { .limit = 10, .want_total = true, .field = "certified", .value = "是" };
	int64_t total = -1;
	assert_int_equal(svc_entry_list(g_fx.st, &g_fx.admin, l, &yes, NULL, NULL, &total, &err), JW_OK);
	assert_int_equal(total, 1);
	/* 否 removes this year's date */
	entry_fields(l, NULL, &f);
	record_set(&f, entity_field_index(f.ent, "certified"), "否");
	verr_init(&ve);
	assert_int_equal(svc_entry_update(g_fx.st, &g_fx.admin, l, g.id, &f, NULL, NULL, NULL, false, &ve, &err), JW_OK);
	record_release(&f);
	assert_int_equal(svc_entry_list(g_fx.st, &g_fx.admin, l, &q, got_cb, &g, NULL, &err), JW_OK);
	assert_string_equal(g.date, "");
	assert_string_equal(g.certified, "否");
	assert_int_equal(svc_entry_list(g_fx.st, &g_fx.admin, l, &yes, NULL, NULL, &total, &err), JW_OK);
	assert_int_equal(total, 0);
	store_down();
}

static void alone_layout_filter(void **state)
{
	(void)state;
	const struct ledger_def *l = ledger_builtin("elderly");
	const struct layout_def *alone = NULL;
	for (int i = 0; i < l->nlayouts; i++)
		if (strcmp(l->layouts[i].key, "alone") == 0)
			alone = &l->layouts[i];
	assert_non_null(alone);
	assert_string_equal(alone->where_field, "living");
	assert_string_equal(alone->where_in, "独居|空巢");
	assert_null(l->layouts[0].where_field);   /* the allowance roster lists everyone in a band */
}

/* The day's derivation is done once a day by whichever server comes first. */
static void derive_once_a_day(void **state)
{
	(void)state;
	struct jw_error err;
	int64_t added, closed;
	bool skipped = true;
	store_up();
	const char *com = g_fx.admin.community;
	assert_int_equal(svc_ledger_derive_daily(g_fx.st, com, "2026-12-03", false, &added, &closed, &skipped, &err),
			 JW_OK);
	assert_false(skipped);
	char done[16];
	assert_int_equal(STORE_CALL(g_fx.st, meta_get, "ledgers_derived_on/" FIXTURE_COMMUNITY, done, sizeof(done), &err),
			 JW_OK);
	assert_string_equal(done, "2026-12-03");
	/* the same day again (another server at the change of day): nothing */
	assert_int_equal(svc_ledger_derive_daily(g_fx.st, com, "2026-12-03", false, &added, &closed, &skipped, &err),
			 JW_OK);
	assert_true(skipped);
	/* a server starting checks them whatever the day says */
	assert_int_equal(svc_ledger_derive_daily(g_fx.st, com, "2026-12-03", true, &added, &closed, &skipped, &err),
			 JW_OK);
	assert_false(skipped);
	/* the next day: done afresh */
	assert_int_equal(svc_ledger_derive_daily(g_fx.st, com, "2026-12-04", false, &added, &closed, &skipped, &err),
			 JW_OK);
	assert_false(skipped);
	store_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(card_valid),
		cmocka_unit_test(card_length),
		cmocka_unit_test(card_bad_id),
		cmocka_unit_test(card_digits),
		cmocka_unit_test(card_labels),
		cmocka_unit_test(card_other_person),
		cmocka_unit_test(birthdays),
		cmocka_unit_test(turning),
		cmocka_unit_test(days_fixed),
		cmocka_unit_test(days_walk),
		cmocka_unit_test(bands),
		cmocka_unit_test(declarations),
		cmocka_unit_test(entry_filters),
		cmocka_unit_test(certified_each_year),
		cmocka_unit_test(alone_layout_filter),
		cmocka_unit_test(derive_once_a_day),
	};
	if (svc_init() != JW_OK)
		return 1;
	return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}

/*
 * ledger.h — ledgers (台账), declared once (model/ledger.c).
 *
 * A ledger is data: key, title, the line of work it belongs to, its
 * subject (person, household or house), its own fields (the registry's
 * struct field_def), who may read and write it, whether it is restricted,
 * an optional rule that derives its membership from the registry, a visit
 * rhythm, and the departmental Excel layouts it exports to.  The engine
 * (svc/ledger.c), the store, the API, the pages and the exports all work
 * from this declaration — a new ledger is a table entry, and a committee's
 * own ledger (自定义台账) is the same declaration read from the store.
 */
#ifndef JW_LEDGER_H
#define JW_LEDGER_H

#include <stdbool.h>

#include "model/entity.h"
#include "svc/layout.h"

/* Membership derived from the registry (kept in step by the engine): the
 * kind of rule, for what the pages say; the rule itself is the ledger's
 * declaration (struct derive_def below). */
enum derive_rule {
	DR_NONE,            /* entries are made by hand (or imported) */
	DR_AGE_MIN,         /* active persons of at least an age */
	DR_EMPLOYMENT,      /* active persons of an employment_status */
	DR_RESIDENCE,       /* active persons of a residence_type */
	DR_ZERO_EMPLOYMENT, /* households with a member aged 16–59 (working age)
			     * and no member in work (在职、个体、灵活就业) */
};

/* ---- derivation rules: declared conditions over declared fields ----
 *
 * A rule says who belongs in a derived ledger as conditions over the
 * declared fields (model/entity.c) of its subject — an active person or a
 * household — and of a household's active members; the values the rule
 * keeps in an entry's own fields are declared the same way.  The store
 * compiles a rule to SQL (store/derive.c), with the fields' declared names
 * and every value bound; nothing else reaches SQL text. */

enum cond_op {
	COP_EQ,         /* field = value (a stored code: "unemployed") */
	COP_IN,         /* field is one of value, '|'-separated */
	COP_AGE_MIN,    /* field, a date (birth_date), is `years` or more years before today:
			 * at least that old (born 29 February: of age on 28 February) */
	COP_AGE_UNDER,  /* … fewer than `years` years before today: younger */
};
#define DERIVE_MAX_CONDS 4
struct derive_cond {
	const char *field;        /* a declared field; NULL ends a list */
	enum cond_op op;
	const char *value;        /* COP_EQ, COP_IN */
	int years;                /* COP_AGE_MIN, COP_AGE_UNDER */
};

/* Whose fields a test reads. */
enum derive_over {
	DOV_SUBJECT,      /* the subject itself */
	DOV_ANY_MEMBER,   /* some active member of the subject's household */
	DOV_NO_MEMBER,    /* no active member of the subject's household */
};
struct derive_test {
	enum derive_over over;
	struct derive_cond all[DERIVE_MAX_CONDS];   /* every one holds */
};

/* A value the rule keeps in one of the entry's fields: the label of the
 * first case that holds (none: no value). */
enum derive_case_test {
	DCT_AGE_MIN,      /* the subject's `field` (a date) is `years` or more before today */
	DCT_ALONE,        /* the subject is the only active member of their household */
	DCT_ALL_AGED,     /* every active member's `field` is `years` or more before today */
	DCT_ELSE,         /* always */
};
#define DERIVE_MAX_CASES 4
struct derive_case {
	enum derive_case_test test;
	const char *field;
	int years;
	const char *label;        /* the value; NULL ends the list */
};
/* The cases of one value are either all about the subject's age
 * (DCT_AGE_MIN, DCT_ELSE) or all about the household (DCT_ALONE,
 * DCT_ALL_AGED, DCT_ELSE: no value for a person without one). */
struct derive_value {
	const char *field;        /* the ledger's own field; NULL ends the list */
	struct derive_case cases[DERIVE_MAX_CASES];
};

#define DERIVE_MAX_TESTS 3
#define DERIVE_MAX_VALUES 2
struct derive_def {
	struct derive_test when[DERIVE_MAX_TESTS];  /* every one holds; a test
						     * without conditions ends */
	struct derive_value values[DERIVE_MAX_VALUES];
	const char *close_reason;  /* end_reason of an entry whose subject no longer qualifies */
};

#define LEDGER_MAX_FIELDS 32

struct ledger_def {
	const char *key;          /* "elderly": URL segment and stored key */
	const char *title;        /* 老年人台账 */
	const char *line;         /* 条线: 老龄、残联、民政、人社、司法、综治、卫健、志愿服务… */
	enum entity_id subject;   /* ENT_PERSON, ENT_HOUSEHOLD or ENT_HOUSE */
	const struct field_def *fields;
	int nfields;
	unsigned read_roles;      /* 1u << enum role; restricted: see below */
	unsigned write_roles;
	bool restricted;          /* only the director and the workers named as
				   * its readers may read or write it; every read
				   * is audited */
	enum derive_rule rule;
	const struct derive_def *derive;   /* the rule (NULL with DR_NONE) */
	int visit_days;           /* a visit is due every N days (0: no rhythm) */
	const struct layout_def *layouts;
	int nlayouts;
	const char *note;         /* one line for the ledger's page, or NULL */
	bool custom;              /* defined by the committee (lives in the store) */
	/* A yearly status derived from a date (本年已认证 from 认证日期): the
	 * field year_flag reads 是 when the date field year_date falls in the
	 * current year, else 否; it is never stored.  NULL: none. */
	const char *year_flag;
	const char *year_date;
};

extern const struct ledger_def builtin_ledgers[];
extern const int nbuiltin_ledgers;

const struct ledger_def *ledger_builtin(const char *key);
/* The entity view of a ledger's own fields, for the generic record
 * helpers (validation, JSON): id ENT__COUNT, key = the ledger key. */
void ledger_entity(const struct ledger_def *l, struct entity_def *out);

/* Age bands of the elderly (享受类别): the elderly ledger's declared
 * band value. */
const char *elderly_band(int age);   /* "80–89周岁", …, or NULL under 80 */
/* The date `years` before y-m-d: whoever was born on or before it is at
 * least that old on y-m-d (someone born on 29 February comes of age on
 * 28 February of a common year). */
void date_years_before(int years, int y, int m, int d, char out[11]);

/* ---- rules (model/ledger.c) ---- */

/* Checks a second-generation disability card number (残疾人证号): the
 * holder's 18-character ID number, then the category digit (1 视力, 2 听力,
 * 3 言语, 4 肢体, 5 智力, 6 精神, 7 多重) and the grade digit (1–4).
 * category / grade: the ledger's values (labels such as 肢体残疾, 二级), or
 * NULL when not given.  JW_EINVAL and a Chinese message naming the fix. */
int disability_card_check(const char *card, const char *id_number, const char *category,
			  const char *grade, struct jw_error *err);
extern const char *const disability_categories[7];  /* 视力残疾 … 多重残疾 */
extern const char *const disability_grades[4];      /* 一级 … 四级 */

/* The date in year y on which someone born m/d has their birthday: 29
 * February falls on 28 February in a common year (as pension and
 * allowance offices count it). */
void birthday_in(int y, int m, int d, int *om, int *od);
/* The date someone born y-m-d turns n. */
void date_turning(int y, int m, int d, int n, int *oy, int *om, int *od);
/* Days from a to b (b - a), dates as y/m/d. */
long days_between(int ay, int am, int ad, int by, int bm, int bd);
/* Adds days to a date. */
void date_add_days(int y, int m, int d, long days, int *oy, int *om, int *od);

#endif

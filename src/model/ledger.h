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

#include "model/derive.h"
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

#define LEDGER_MAX_FIELDS 32

struct ledger_def {
	const char *key;          /* "elderly": URL segment and stored key */
	const char *title;        /* 老年人台账 */
	const char *line;         /* 条线: 老龄、残联、民政、人社、司法、综治、卫健、志愿服务… */
	enum entity_id subject;   /* ENT_PERSON, ENT_HOUSEHOLD, ENT_HOUSE, or
				   * SUBJECT_NONE: records of their own (the work log) */
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
	/* The statistics dimensions of its own fields (count_by); NULL: the
	 * ones of every ledger (grid, sex, age group, month opened/closed). */
	const struct kind_dim *dims;
	int ndims;
	/* The date field by which an entry falls due (a lease's end, a
	 * residence permit's, a correction's): kept in the shared table's
	 * due_date too, so the reminders of the next 30 days come from an
	 * index; NULL: none. */
	const char *due_field;
};

/* A ledger whose records attach to nothing (stored with subject "none"). */
#define SUBJECT_NONE ENT__COUNT

/* A visit (走访) to a person, household or house, or to a ledger entry's
 * subject: a kind with its own table, served by the generic record ops. */
enum visit_field {
	VF_SUBJECT, VF_SUBJECT_ID, VF_VISIT_DATE, VF_METHOD, VF_NOTE, VF_NEXT_DATE, VF_USERNAME,
	VF_ENTRY_ID, VF_RESTRICTED_TO, VF_CREATED_AT, VF__COUNT
};
extern const struct kind visit_kind;

extern const struct ledger_def builtin_ledgers[];
extern const int nbuiltin_ledgers;

const struct ledger_def *ledger_builtin(const char *key);
/* The entity view of a ledger's own fields, for the generic record
 * helpers (validation, JSON): id ENT__COUNT, key = the ledger key. */
void ledger_entity(const struct ledger_def *l, struct kind *out);

/* Age bands of the elderly (享受类别): the elderly ledger's declared
 * band value. */
const char *elderly_band(int age);   /* "80–89周岁", …, or NULL under 80 */

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

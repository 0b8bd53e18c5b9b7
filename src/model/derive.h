/*
 * derive.h — derivation rules: declared conditions over declared fields.
 *
 * A rule says who belongs in a derived ledger (model/ledger.c declares
 * them) as conditions over the declared fields (model/entity.c) of its
 * subject — an active person or a household — and of a household's active
 * members; the values the rule keeps in an entry's own fields are declared
 * the same way.  The store compiles a rule to SQL (store/derive.c), with the
 * fields' declared names and every value bound; nothing else reaches SQL
 * text.
 */
#ifndef JW_MODEL_DERIVE_H
#define JW_MODEL_DERIVE_H

#include <stdbool.h>

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

struct record;
/* Whether the rule's tests on the subject itself (DOV_SUBJECT) may hold for
 * rec, the subject's row as stored, on day y-m-d: false when one of them
 * surely fails (the same comparisons the store's SQL makes; an empty value
 * fails every test).  Tests on household members are not looked at. */
bool derive_subject_may_hold(const struct derive_def *r, const struct record *rec, int y, int m, int d);

#endif

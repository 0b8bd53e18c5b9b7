/*
 * derive.h — derivation rules (model/derive.h: struct derive_def) compiled
 * to SQL, for the store's ledger_derive (store/sql.c).  Internal to
 * store/.
 *
 * Only declared field names (model/entity.c, the ledger's own fields for
 * the values kept) reach the SQL text; every value — codes, cut-off dates,
 * labels, JSON paths — is a numbered placeholder whose text is kept in
 * struct sql_args, to be bound by the caller.  A field that is not declared,
 * or an operator that does not fit its field, is JW_EINVAL.
 */
#ifndef JW_STORE_DERIVE_H
#define JW_STORE_DERIVE_H

#include "lib/buf.h"
#include "lib/err.h"
#include "model/derive.h"
#include "model/entity.h"

#define SQL_MAX_ARGS 32

/* The values of a statement's placeholders ?first, ?first+1, … */
struct sql_args {
	int first, n;
	const char *v[SQL_MAX_ARGS];
	char text[SQL_MAX_ARGS][24];   /* the values made here (dates, paths) */
	int y, m, d;                   /* today */
};

/* today: YYYY-MM-DD, the day ages are counted on. */
int sql_args_init(struct sql_args *a, int first, const char *today);

/* The rule's condition on the subject's row `alias` (ENT_PERSON: "p",
 * ENT_HOUSEHOLD: "h"): its tests joined by AND; a household's members are
 * the active persons of the subject's household. */
int derive_sql_when(struct buf *sql, struct sql_args *a, const struct derive_def *r, enum entity_id subject,
		    const char *alias);

/* Whether a value's cases look at the household (else at the age). */
bool derive_value_household(const struct derive_value *v);
/* Checks a value against the ledger's fields (ent: the ledger's entity view). */
int derive_value_check(const struct derive_value *v, const struct kind *ledger);

/* The JSON path of a value's field ("$.living") and its key ("living"),
 * as placeholders. */
int derive_sql_path(struct buf *sql, struct sql_args *a, const struct derive_value *v);
int derive_sql_key(struct buf *sql, struct sql_args *a, const struct derive_value *v);

/* An age value as a CASE over the date column prefix + field ("p." for the
 * person's own, "" for the copy an entry keeps). */
int derive_sql_age_case(struct buf *sql, struct sql_args *a, const struct derive_value *v, const char *prefix);

/* A household value as a CASE for the person row `alias`, counting the
 * household's members in correlated subqueries (one subject). */
int derive_sql_household_case(struct buf *sql, struct sql_args *a, const struct derive_value *v,
			      const char *alias);

/* The same from one pass over every household: `cols`, the aggregate
 * columns of a per-household SELECT over person (count(*) AS n, …), and
 * `expr`, the CASE over its row `hh` (hh.id NULL: no household). */
int derive_sql_household_counts(struct buf *cols, struct buf *expr, struct sql_args *a,
				const struct derive_value *v);

#endif

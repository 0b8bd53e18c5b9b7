/*
 * derive.c — derivation rules compiled to SQL.  See derive.h.
 *
 * The SQL has the shapes the derivation was tuned with (bench/README.md):
 * a subject's own fields compared in the WHERE of one INSERT … SELECT, a
 * household's members in EXISTS subqueries on person_household, and the
 * values kept (living alone / empty nest, the allowance band) as CASEs in
 * the same statement.
 */
#include "store/derive.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

/* A placeholder in this back end's syntax. */
static void placeholder(struct buf *sql, int n)
{
	buf_addf(sql, "?%d", n);
}

static int arg(struct buf *sql, struct sql_args *a, const char *v)
{
	if (a->n >= SQL_MAX_ARGS)
		return JW_EINVAL;
	a->v[a->n] = v;
	placeholder(sql, a->first + a->n++);
	return JW_OK;
}

/* A value made here (a date, a path): kept in the args. */
static int arg_text(struct buf *sql, struct sql_args *a, const char *v)
{
	if (a->n >= SQL_MAX_ARGS || strlen(v) >= sizeof(a->text[0]))
		return JW_EINVAL;
	snprintf(a->text[a->n], sizeof(a->text[0]), "%s", v);
	return arg(sql, a, a->text[a->n]);
}

/* The birth date of someone who turns `years` today. */
static int arg_cut(struct buf *sql, struct sql_args *a, int years)
{
	char cut[11];
	if (years < 0 || years > 200)
		return JW_EINVAL;
	date_years_before(years, a->y, a->m, a->d, cut);
	return arg_text(sql, a, cut);
}

int sql_args_init(struct sql_args *a, int first, const char *today)
{
	memset(a, 0, sizeof(*a));
	a->first = first;
	return today && date_parse(today, &a->y, &a->m, &a->d) ? JW_OK : JW_EINVAL;
}

/* The declared field of entity e called name (its declared name goes into
 * the SQL), or NULL. */
static const struct field_def *declared(enum entity_id e, const char *name, bool date)
{
	const struct field_def *f = name ? entity_field(&entities[e], name) : NULL;
	if (f && date && f->type != FT_DATE)
		return NULL;
	return f;
}

static int cond_sql(struct buf *sql, struct sql_args *a, const struct derive_cond *c, enum entity_id e,
		    const char *alias)
{
	bool age = c->op == COP_AGE_MIN || c->op == COP_AGE_UNDER;
	const struct field_def *f = declared(e, c->field, age);
	if (!f)
		return JW_EINVAL;
	buf_addf(sql, "%s.%s", alias, f->name);
	switch (c->op) {
	case COP_EQ:
		if (!c->value)
			return JW_EINVAL;
		buf_adds(sql, " = ");
		return arg(sql, a, c->value);
	case COP_IN: {
		if (!c->value)
			return JW_EINVAL;
		/* each choice its own placeholder: the values point into the
		 * declaration, so the choices are copied into the args */
		buf_adds(sql, " IN (");
		const char *p = c->value;
		char one[24];
		int n = 0, rc = JW_OK;
		while (rc == JW_OK && options_next(&p, one, sizeof(one))) {
			if (n++)
				buf_adds(sql, ", ");
			rc = arg_text(sql, a, one);
		}
		buf_addc(sql, ')');
		return n ? rc : JW_EINVAL;
	}
	case COP_AGE_MIN:     /* born on or before the cut-off */
		buf_adds(sql, " <= ");
		return arg_cut(sql, a, c->years);
	case COP_AGE_UNDER:
		buf_adds(sql, " > ");
		return arg_cut(sql, a, c->years);
	}
	return JW_EINVAL;
}

/* Every condition of a list, on alias, joined by AND (n: how many). */
static int conds_sql(struct buf *sql, struct sql_args *a, const struct derive_cond *all, enum entity_id e,
		     const char *alias, int *n)
{
	int rc = JW_OK;
	*n = 0;
	for (int i = 0; rc == JW_OK && i < DERIVE_MAX_CONDS && all[i].field; i++) {
		if ((*n)++)
			buf_adds(sql, " AND ");
		rc = cond_sql(sql, a, &all[i], e, alias);
	}
	return rc;
}

/* The household key of the subject's row. */
static void household_of(struct buf *sql, enum entity_id subject, const char *alias)
{
	buf_addf(sql, subject == ENT_PERSON ? "%s.household_id" : "%s.id", alias);
}

int derive_sql_when(struct buf *sql, struct sql_args *a, const struct derive_def *r, enum entity_id subject,
		    const char *alias)
{
	if (!r || (subject != ENT_PERSON && subject != ENT_HOUSEHOLD))
		return JW_EINVAL;
	int rc = JW_OK, tests = 0;
	for (int t = 0; rc == JW_OK && t < DERIVE_MAX_TESTS && r->when[t].all[0].field; t++) {
		const struct derive_test *dt = &r->when[t];
		int n;
		if (tests++)
			buf_adds(sql, " AND ");
		if (dt->over == DOV_SUBJECT) {
			rc = conds_sql(sql, a, dt->all, subject, alias, &n);
			continue;
		}
		buf_adds(sql, dt->over == DOV_NO_MEMBER ? "NOT EXISTS" : "EXISTS");
		buf_adds(sql, " (SELECT 1 FROM person m WHERE m.household_id = ");
		household_of(sql, subject, alias);
		buf_adds(sql, " AND m.status = 'active' AND ");
		rc = conds_sql(sql, a, dt->all, ENT_PERSON, "m", &n);
		buf_addc(sql, ')');
	}
	return rc == JW_OK && tests == 0 ? JW_EINVAL : rc;
}

bool derive_value_household(const struct derive_value *v)
{
	for (int i = 0; i < DERIVE_MAX_CASES && v->cases[i].label; i++)
		if (v->cases[i].test == DCT_ALONE || v->cases[i].test == DCT_ALL_AGED)
			return true;
	return false;
}

int derive_value_check(const struct derive_value *v, const struct kind *ledger)
{
	if (!v->field || !ledger || entity_field_index(ledger, v->field) < 0 || !v->cases[0].label)
		return JW_EINVAL;
	bool hh = derive_value_household(v);
	for (int i = 0; i < DERIVE_MAX_CASES && v->cases[i].label; i++) {
		const struct derive_case *c = &v->cases[i];
		if ((c->test == DCT_AGE_MIN && hh) || (c->test != DCT_AGE_MIN && c->test != DCT_ELSE && !hh))
			return JW_EINVAL;
		if ((c->test == DCT_AGE_MIN || c->test == DCT_ALL_AGED) && !declared(ENT_PERSON, c->field, true))
			return JW_EINVAL;
	}
	return JW_OK;
}

int derive_sql_path(struct buf *sql, struct sql_args *a, const struct derive_value *v)
{
	char path[24];
	if (snprintf(path, sizeof(path), "$.%s", v->field) >= (int)sizeof(path))
		return JW_EINVAL;
	return arg_text(sql, a, path);
}

int derive_sql_key(struct buf *sql, struct sql_args *a, const struct derive_value *v)
{
	/* typed: a JSON object's key is text on every back end */
	buf_adds(sql, "CAST(");
	int rc = arg(sql, a, v->field);
	buf_adds(sql, " AS TEXT)");
	return rc;
}

int derive_sql_age_case(struct buf *sql, struct sql_args *a, const struct derive_value *v, const char *prefix)
{
	int rc = JW_OK;
	buf_adds(sql, "CASE");
	for (int i = 0; rc == JW_OK && i < DERIVE_MAX_CASES && v->cases[i].label; i++) {
		const struct derive_case *c = &v->cases[i];
		if (c->test == DCT_ELSE) {
			buf_adds(sql, " ELSE ");
			rc = arg(sql, a, c->label);
			break;
		}
		const struct field_def *f = declared(ENT_PERSON, c->field, true);
		if (c->test != DCT_AGE_MIN || !f)
			return JW_EINVAL;
		buf_addf(sql, " WHEN %s%s <= ", prefix, f->name);
		if ((rc = arg_cut(sql, a, c->years)) == JW_OK) {
			buf_adds(sql, " THEN ");
			rc = arg(sql, a, c->label);
		}
	}
	buf_adds(sql, " END");
	return rc;
}

/* A household value's CASE: with cols NULL, the members of alias's
 * household counted in correlated subqueries; else over the per-household
 * row hh, whose aggregate columns go to cols. */
static int household_case(struct buf *expr, struct buf *cols, struct sql_args *a, const struct derive_value *v,
			  const char *alias)
{
	int rc = JW_OK;
	if (cols) {
		buf_adds(cols, "count(*) AS n");
		buf_adds(expr, "CASE WHEN hh.id IS NULL THEN NULL");
	} else {
		buf_addf(expr, "CASE WHEN %s.household_id IS NULL THEN NULL", alias);
	}
	for (int i = 0; rc == JW_OK && i < DERIVE_MAX_CASES && v->cases[i].label; i++) {
		const struct derive_case *c = &v->cases[i];
		const struct field_def *f;
		switch (c->test) {
		case DCT_ALONE:
			if (cols)
				buf_adds(expr, " WHEN hh.n = 1 THEN ");
			else
				buf_addf(expr, " WHEN (SELECT count(*) FROM person m WHERE m.household_id = %s.household_id"
					 " AND m.status = 'active') = 1 THEN ", alias);
			break;
		case DCT_ALL_AGED:   /* nobody younger */
			if (!(f = declared(ENT_PERSON, c->field, true)))
				return JW_EINVAL;
			if (cols) {
				buf_addf(cols, ", sum(CASE WHEN %s > ", f->name);
				rc = arg_cut(cols, a, c->years);
				buf_addf(cols, " THEN 1 ELSE 0 END) AS y%d", i);
				buf_addf(expr, " WHEN hh.y%d = 0 THEN ", i);
			} else {
				buf_addf(expr, " WHEN NOT EXISTS (SELECT 1 FROM person m WHERE m.household_id = %s.household_id"
					 " AND m.status = 'active' AND m.%s > ", alias, f->name);
				rc = arg_cut(expr, a, c->years);
				buf_adds(expr, ") THEN ");
			}
			break;
		case DCT_ELSE:
			buf_adds(expr, " ELSE ");
			break;
		default:
			return JW_EINVAL;
		}
		if (rc == JW_OK)
			rc = arg(expr, a, c->label);
		if (c->test == DCT_ELSE)
			break;
	}
	buf_adds(expr, " END");
	return rc;
}

int derive_sql_household_case(struct buf *sql, struct sql_args *a, const struct derive_value *v,
			      const char *alias)
{
	return household_case(sql, NULL, a, v, alias);
}

int derive_sql_household_counts(struct buf *cols, struct buf *expr, struct sql_args *a,
				const struct derive_value *v)
{
	return household_case(expr, cols, a, v, NULL);
}

/*
 * derive.c — derivation rules checked on a record in memory.  See derive.h.
 */
#include "model/derive.h"

#include <string.h>

#include "lib/util.h"
#include "model/entity.h"

static bool cond_holds(const struct derive_cond *c, const struct record *rec, int y, int m, int d)
{
	const struct field_def *f = entity_field(rec->ent, c->field);
	if (!f)
		return true;   /* not a field of the row: the store decides */
	const char *v = rec->v[f - rec->ent->fields];
	if (!v || !*v)
		return false;  /* NULL in SQL: no comparison holds */
	char cut[11], one[64];
	const char *p;
	switch (c->op) {
	case COP_EQ:
		return c->value && strcmp(v, c->value) == 0;
	case COP_IN:
		p = c->value;
		while (p && options_next(&p, one, sizeof(one)))
			if (strcmp(v, one) == 0)
				return true;
		return false;
	case COP_AGE_MIN:
		date_years_before(c->years, y, m, d, cut);
		return strcmp(v, cut) <= 0;
	case COP_AGE_UNDER:
		date_years_before(c->years, y, m, d, cut);
		return strcmp(v, cut) > 0;
	}
	return true;
}

bool derive_subject_may_hold(const struct derive_def *r, const struct record *rec, int y, int m, int d)
{
	for (int t = 0; t < DERIVE_MAX_TESTS && r->when[t].all[0].field; t++) {
		if (r->when[t].over != DOV_SUBJECT)
			continue;
		for (int i = 0; i < DERIVE_MAX_CONDS && r->when[t].all[i].field; i++)
			if (!cond_holds(&r->when[t].all[i], rec, y, m, d))
				return false;
	}
	return true;
}

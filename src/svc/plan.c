/*
 * plan.c — the building plan (楼盘表): a building's rooms with their
 * households and the marks of the ledgers that concern them (moved out of
 * svc/registry.c, which knows nothing of ledgers).  See svc.h.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "svc/ledger.h"
#include "svc/svc.h"

const struct plan_mark_def plan_marks[PM__COUNT] = {
	[PM_VACANT]     = { "vacant", "空置", "空", NULL, NULL, NULL },
	[PM_RENTED]     = { "rented", "出租", "租", "rental", NULL, NULL },
	[PM_MIGRANT]    = { "migrant", "流动人口户", "流", NULL, NULL, NULL },
	[PM_ALONE]      = { "alone", "独居老人", "独", "elderly", "living", "独居" },
	[PM_DIBAO]      = { "dibao", "低保", "低", "dibao", NULL, NULL },
	[PM_DISABLED]   = { "disabled", "残疾", "残", "disabled", NULL, NULL },
	[PM_CORRECTION] = { "correction", "矫正", "矫", "correction", NULL, NULL },
};

struct house_mark { int64_t house_id; unsigned marks; };

/* A walk of one building's plan. */
struct plan_walk {
	const struct actor *a;
	const char *keys[PM__COUNT];      /* the readable ledgers asked for */
	int nkeys;
	struct house_mark *hm;            /* from the entries, sorted by house */
	size_t nhm, cap;
	struct buf restricted[PM__COUNT]; /* entry ids read of each restricted mark */
	bool is_restricted[PM__COUNT];
	plan_cb cb;
	void *ud;
	struct plan_summary *sum;
	int64_t cur_house;                /* the room being counted */
	unsigned cur_marks;
};

static bool entry_field_is(const char *data, const char *field, const char *value)
{
	json_t *j = data ? json_loads(data, 0, NULL) : NULL;
	json_t *v = j ? json_object_get(j, field) : NULL;
	bool yes = json_is_string(v) && strcmp(json_string_value(v), value) == 0;
	json_decref(j);
	return yes;
}

static int plan_entry(const struct entry_row *e, void *ud)
{
	struct plan_walk *pw = ud;
	for (int m = 0; m < PM__COUNT; m++) {
		const struct plan_mark_def *d = &plan_marks[m];
		if (!d->ledger || strcmp(d->ledger, e->ledger) != 0 || !(pw->sum->visible & (1u << m)))
			continue;
		if (d->field && !entry_field_is(e->data, d->field, d->value))
			continue;
		if (pw->nhm == pw->cap) {
			size_t cap = pw->cap ? pw->cap * 2 : 64;
			struct house_mark *n = realloc(pw->hm, cap * sizeof(*pw->hm));
			if (!n)
				return JW_ENOMEM;
			pw->hm = n;
			pw->cap = cap;
		}
		pw->hm[pw->nhm++] = (struct house_mark){ e->house_id, 1u << m };
		if (pw->is_restricted[m])
			buf_addf(&pw->restricted[m], "%s%lld", pw->restricted[m].len ? "," : "", (long long)e->id);
	}
	return JW_OK;
}

static int house_mark_cmp(const void *x, const void *y)
{
	const struct house_mark *a = x, *b = y;
	return a->house_id < b->house_id ? -1 : a->house_id > b->house_id;
}

static void plan_room_done(struct plan_walk *pw)
{
	if (!pw->cur_house)
		return;
	pw->sum->rooms++;
	for (int m = 0; m < PM__COUNT; m++)
		if (pw->cur_marks & (1u << m))
			pw->sum->count[m]++;
}

static int plan_cell_marked(const struct plan_cell *c, void *ud)
{
	struct plan_walk *pw = ud;
	struct plan_cell mc = *c;
	struct house_mark key = { c->house_id, 0 };
	/* the ledger marks of the house (entries sorted, one run a house) */
	struct house_mark *h = pw->nhm ? bsearch(&key, pw->hm, pw->nhm, sizeof(*pw->hm), house_mark_cmp) : NULL;
	if (h) {
		while (h > pw->hm && h[-1].house_id == c->house_id)
			h--;
		for (; h < pw->hm + pw->nhm && h->house_id == c->house_id; h++)
			mc.marks |= h->marks;
	}
	if (!c->household_id)
		mc.marks |= 1u << PM_VACANT;
	if (c->use && strcmp(c->use, "rented") == 0)
		mc.marks |= 1u << PM_RENTED;
	if (c->household_id && (c->migrants > 0 || (c->household_type && strcmp(c->household_type, "migrant") == 0)))
		mc.marks |= 1u << PM_MIGRANT;
	mc.marks &= pw->sum->visible;
	if (c->house_id != pw->cur_house) {
		plan_room_done(pw);
		pw->cur_house = c->house_id;
		pw->cur_marks = 0;
	}
	pw->cur_marks |= mc.marks;
	if (c->household_id) {
		pw->sum->households++;
		pw->sum->persons += c->persons;
	}
	return pw->cb ? pw->cb(&mc, pw->ud) : JW_OK;
}

int svc_building_plan(struct store *st, const struct actor *a, int64_t building_id, plan_cb cb,
		      void *ud, struct plan_summary *sum, struct jw_error *err)
{
	struct record b;
	struct plan_summary own;
	struct plan_walk pw = { .a = a, .cb = cb, .ud = ud, .sum = sum ? sum : &own };
	int rc = svc_get(st, a, &entities[ENT_BUILDING], building_id, &b, err);
	record_release(&b);
	if (rc != JW_OK)
		return rc;
	memset(pw.sum, 0, sizeof(*pw.sum));
	/* which marks this actor may see: a ledger's only to its readers */
	for (int m = 0; m < PM__COUNT; m++) {
		buf_init(&pw.restricted[m], 0);
		const struct plan_mark_def *d = &plan_marks[m];
		const struct ledger_def *l = d->ledger ? ledger_find(st, a->community, d->ledger) : NULL;
		if (d->ledger && (!l || !ledger_can(st, a, l, false))) {
			if (m == PM_RENTED)   /* 房屋性质 租赁 still shows */
				pw.sum->visible |= 1u << m;
			continue;
		}
		pw.sum->visible |= 1u << m;
		if (l) {
			pw.keys[pw.nkeys++] = l->key;
			pw.is_restricted[m] = l->restricted;
		}
	}
	if ((rc = STORE_CALL(st, entry_in_building, a->community, building_id, pw.keys, pw.nkeys, plan_entry, &pw,
			     err)) != JW_OK) {
		if (rc == JW_ENOMEM)
			jw_fail(err, rc, "", NULL);
		goto out;
	}
	if (pw.nhm)
		qsort(pw.hm, pw.nhm, sizeof(*pw.hm), house_mark_cmp);
	/* every look at a restricted ledger's marks is logged, even when the
	 * building has none: that too is what the ledger says */
	for (int m = 0; m < PM__COUNT && rc == JW_OK; m++) {
		if (!pw.is_restricted[m])
			continue;
		struct buf j = BUF_INIT;
		buf_adds(&j, "{\"ledger\":");
		buf_json_str(&j, plan_marks[m].ledger);
		buf_addf(&j, ",\"read\":\"building_plan\",\"entries\":[%s]}", buf_cstr(&pw.restricted[m]));
		rc = svc_audit_raw(st, a, "ledger_read", "building", building_id, NULL, buf_cstr(&j), err);
		buf_release(&j);
	}
	if (rc == JW_OK)
		rc = STORE_CALL(st, building_plan, a->community, building_id, plan_cell_marked, &pw, err);
	if (rc == JW_OK)
		plan_room_done(&pw);
out:
	for (int m = 0; m < PM__COUNT; m++)
		buf_release(&pw.restricted[m]);
	free(pw.hm);
	return rc;
}

/*
 * hooks.c — the table of change hooks and their firing.  See hooks.h.
 *
 * A new kind that follows the registry (elections' rolls, cases) adds its
 * hook here; the registry does not change.
 */
#include "svc/hooks.h"

static const struct hook *const hooks[] = {
	&ledger_hook,
};

static const char *const event_names[EV__COUNT] = {
	[EV_PERSON_CREATED] = "person_created",
	[EV_PERSON_CHANGED] = "person_changed",
	[EV_PERSON_MOVED] = "person_moved",
	[EV_PERSON_DEREGISTERED] = "person_deregistered",
	[EV_HOUSEHOLD_CREATED] = "household_created",
	[EV_HOUSEHOLD_CHANGED] = "household_changed",
	[EV_HOUSEHOLD_MOVED] = "household_moved",
	[EV_HOUSE_CREATED] = "house_created",
	[EV_HOUSE_CHANGED] = "house_changed",
	[EV_HOUSE_MOVED] = "house_moved",
};

const char *hook_event_name(enum hook_event ev)
{
	return (unsigned)ev < EV__COUNT ? event_names[ev] : "";
}

int hooks_fire(struct store *st, const struct actor *a, const struct hook_change *c, struct jw_error *err)
{
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		if (!(hooks[i]->events & EV_BIT(c->ev)))
			continue;
		int rc = hooks[i]->run(st, a, c, err);
		if (rc != JW_OK)
			return rc;
	}
	return JW_OK;
}

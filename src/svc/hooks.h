/*
 * hooks.h — change hooks: what other kinds of records do when the
 * registry changes.
 *
 * The registry (svc/registry.c) knows nothing of ledgers, rolls or cases:
 * after it has written a person, household or house it fires one event,
 * inside its own transaction, and every kind that declared a hook for that
 * event runs it there (the ledgers derive their membership and close a
 * de-registered person's entries).  A hook's failure undoes the change.
 * A closing a hook makes is audited by the hook, with the actor who
 * caused it.
 *
 * Bulk loads (import, demo: actor.bulk) fire the events too; a hook may
 * leave the created records to a batched pass of its own after the load
 * (the ledgers do: svc_ledger_derive_new).
 */
#ifndef JW_SVC_HOOKS_H
#define JW_SVC_HOOKS_H

#include "svc/svc.h"

enum hook_event {
	EV_PERSON_CREATED,
	EV_PERSON_CHANGED,
	EV_PERSON_MOVED,          /* changed, and into another household (or none) */
	EV_PERSON_DEREGISTERED,
	EV_HOUSEHOLD_CREATED,
	EV_HOUSEHOLD_CHANGED,
	EV_HOUSEHOLD_MOVED,       /* changed, and into another house */
	EV_HOUSE_CREATED,
	EV_HOUSE_CHANGED,
	EV_HOUSE_MOVED,           /* changed, and into another building */
	EV__COUNT
};
#define EV_BIT(e) (1u << (e))

/* What changed. */
struct hook_change {
	enum hook_event ev;
	int64_t id;               /* the person, household or house */
	int64_t household_id;     /* a person's household after the change (0: none) */
	int64_t old_household_id; /* EV_PERSON_MOVED: the household left (0: none) */
	const char *date;         /* EV_PERSON_DEREGISTERED: the date (YYYY-MM-DD) */
	const char *reason;       /* … and the reason's label (迁出) */
	const struct record *rec; /* EV_PERSON_CREATED: the row as stored (NULL: not at hand) */
};

/* One kind's hook: the events it answers and what it does. */
struct hook {
	const char *kind;         /* who declares it: "ledgers" */
	unsigned events;          /* EV_BIT()s */
	int (*run)(struct store *st, const struct actor *a, const struct hook_change *c, struct jw_error *err);
};

/* The kinds' hooks (svc/hooks.c lists them, in the order they run). */
extern const struct hook ledger_hook;   /* svc/ledger.c */

/* Runs every hook that answers c->ev, in the caller's transaction; the
 * first failure stops and is returned. */
int hooks_fire(struct store *st, const struct actor *a, const struct hook_change *c, struct jw_error *err);

/* The event's name in audit records: "person_deregistered". */
const char *hook_event_name(enum hook_event ev);

#endif

/*
 * desk.c — the few things the pages and the API need from the store that
 * are no operation of their own, so that http/, api/ and web/ never call
 * the store: a request's read snapshot, a ledger's open entries counted
 * for its list, and a background job's own connection.
 */
#include "svc/ledger.h"

bool svc_read_begin(struct store *st)
{
	bool ok = st->txdepth == 0 && store_read(st, true) == JW_OK;
	st->reading = ok;
	return ok;
}

void svc_read_own(struct store *st)
{
	store_read_own(st);
}

void svc_read_end(struct store *st)
{
	store_read(st, false);
	st->reading = false;
}

int64_t svc_ledger_open_count(struct store *st, const struct actor *a, const struct ledger_def *l)
{
	struct entry_query q = { .ledger = l->key, .want_total = true };
	int64_t open = 0;
	struct jw_error err;
	if (a->role == ROLE_GRID_WORKER)
		q.grid_id = a->grid_id;
	STORE_CALL(st, entry_list, a->community, &q, NULL, NULL, &open, &err);
	return open;
}

int svc_with_store(const char *location, int (*fn)(struct store *st, void *ud), void *ud, struct jw_error *err)
{
	struct store *st = store_open(location, err);
	if (!st)
		return err->code ? err->code : JW_ESTORE;
	int rc = fn(st, ud);
	store_close(st);
	return rc;
}


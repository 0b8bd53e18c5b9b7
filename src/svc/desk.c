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

static int open_add(const char *const *keys, int64_t n, void *ud)
{
	(void)keys;
	*(int64_t *)ud += n;
	return JW_OK;
}

/* A ledger's open entries (a grid worker's: in their grid), from the
 * maintained counts (kind.tally: the open entries by grid). */
int64_t svc_ledger_open_count(struct store *st, const struct actor *a, const struct ledger_def *l)
{
	struct query q;
	char grid[24];
	int64_t open = 0;
	struct jw_error err;
	query_init(&q);
	query_filter(&q, "end_date", FOP_NULL, NULL);
	if (a->role == ROLE_GRID_WORKER) {
		snprintf(grid, sizeof(grid), "%lld", (long long)a->grid_id);
		query_filter(&q, "grid_id", FOP_EQ, grid);
	}
	if (STORE_CALL(st, count_by, a->community, svc_ledger_kind(l), &q, NULL, 0, NULL, open_add, &open, &err) != JW_OK)
		return 0;
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


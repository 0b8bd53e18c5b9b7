/*
 * store.c — picks a back end for a location and keeps the transaction
 * nesting that every back end shares.  See store.h.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

#include "store/sqldb.h"

void query_init(struct query *q)
{
	memset(q, 0, sizeof(*q));
	q->limit = 20;
	q->want_total = true;
}

bool query_filter(struct query *q, const char *field, enum filter_op op, const char *value)
{
	if (q->nfilters >= QUERY_MAX_FILTERS)
		return false;
	q->filters[q->nfilters].field = field;
	q->filters[q->nfilters].op = op;
	q->filters[q->nfilters].value = value;
	q->nfilters++;
	return true;
}

struct store *store_open(const char *location, struct jw_error *err)
{
	const struct store_ops *ops = &sql_store_ops;   /* the driver is picked by the location */
	struct store *st = xcalloc(1, sizeof(*st));
	st->ops = ops;
	if (ops->open(st, location, err) != JW_OK) {
		free(st);
		return NULL;
	}
	return st;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	st->ops->close(st);
	free(st);
}

int store_begin(struct store *st)
{
	int rc = st->txdepth == 0 ? st->ops->tx(st, TX_BEGIN, 0) : st->ops->tx(st, TX_SAVEPOINT, st->txdepth);
	if (rc == JW_OK)
		st->txdepth++;
	return rc;
}

int store_commit(struct store *st)
{
	if (st->txdepth <= 0)
		return JW_ESTORE;
	st->txdepth--;
	if (st->txdepth > 0)
		return st->ops->tx(st, TX_RELEASE, st->txdepth);
	int rc = st->ops->tx(st, TX_COMMIT, 0);
	if (rc != JW_OK)
		st->ops->tx(st, TX_ROLLBACK, 0);   /* a failed COMMIT leaves the transaction open */
	return rc;
}

/* An inner level undoes only its own writes; the outer transaction goes on. */
int store_rollback(struct store *st)
{
	if (st->txdepth <= 0)
		return JW_OK;
	st->txdepth--;
	return st->txdepth == 0 ? st->ops->tx(st, TX_ROLLBACK, 0) : st->ops->tx(st, TX_ROLLBACK_TO, st->txdepth);
}

int store_read(struct store *st, bool on)
{
	return st->ops->tx(st, on ? TX_READ_BEGIN : TX_READ_END, 0);
}

int store_add_replica(struct store *st, const char *location, struct jw_error *err)
{
	return st->ops->replica_add(st, location, err);
}

int store_read_own(struct store *st)
{
	return st->ops->tx(st, TX_READ_OWN, 0);
}

int store_bulk(struct store *st, bool on)
{
	return st->ops->tx(st, on ? TX_BULK_ON : TX_BULK_OFF, 0);
}

int store_writer(struct store *st)
{
	return st->ops->tx(st, TX_WRITER, 0);
}

int store_checkpoint(struct store *st, bool elsewhere)
{
	return st->ops->tx(st, elsewhere ? TX_CHECKPOINT_ELSEWHERE : TX_CHECKPOINT, 0);
}

bool store_tx_alive(struct store *st)
{
	return st->txdepth > 0 && st->ops->tx(st, TX_ALIVE, 0) == JW_OK;
}

/* ---- files (restore, backup) ---- */

int sqlite_inspect(const char *path, struct store_file_info *o, struct jw_error *err);
int sqlite_file_copy(const char *from, const char *to, struct jw_error *err);
bool sqlite_in_use(const char *path);

static const char *sqlite_path(const char *location)
{
	return strncmp(location, "sqlite:", 7) == 0 ? location + 7 : location;
}

int store_inspect(const char *location, struct store_file_info *out, struct jw_error *err)
{
	return sqlite_inspect(sqlite_path(location), out, err);
}

int store_file_copy(const char *from, const char *to, struct jw_error *err)
{
	return sqlite_file_copy(sqlite_path(from), sqlite_path(to), err);
}

bool store_in_use(const char *location)
{
	return sqlite_in_use(sqlite_path(location));
}

const char *store_shown(const char *location, char *out, size_t n)
{
	snprintf(out, n, "%s", location);
	char *scheme = strstr(out, "://");
	if (!scheme)
		return out;
	char *at = strchr(scheme + 3, '@'), *colon = strchr(scheme + 3, ':');
	if (at && colon && colon < at && (size_t)(colon - out) + 5 < n) {
		char rest[1024];
		snprintf(rest, sizeof(rest), "%s", at);
		snprintf(colon, n - (size_t)(colon - out), ":***%s", rest);
	}
	return out;
}

bool store_is_file(const char *location)
{
	return strncmp(location, "postgres://", 11) != 0 && strncmp(location, "postgresql://", 13) != 0;
}

bool store_exists(const char *location)
{
	return !store_is_file(location) || access(sqlite_path(location), F_OK) == 0;
}

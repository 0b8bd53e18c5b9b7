/*
 * ledgers.c — the ledger engine's speed on a big store: derivation of every
 * derived ledger (first on a store that has none, then again with nothing
 * to change), then the statistics of every ledger and of the community, next
 * to the reference: the same store's raw count and group-by of the persons
 * table with SQLite, in the same run.
 *
 *   bench/build/ledgers STORE.db
 *
 * The store is changed (its ledger entries are made); run it on a copy.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "svc/ledger.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double raw(const char *db, const char *sql, long long *out)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	*out = 0;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	double t0 = now();
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			*out += sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	double t = now() - t0;
	sqlite3_close(h);
	return t;
}

struct cnt { int n; };
static int count_ledger(const struct ledger_def *l, void *ud) { (void)l; ((struct cnt *)ud)->n++; return 0; }

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ledgers STORE.db\n");
		return 2;
	}
	struct jw_error err;
	if (svc_init() != JW_OK)
		return 1;
	struct store *st = store_open(argv[1], &err);
	if (!st) {
		fprintf(stderr, "ledgers: %s\n", err.message);
		return 1;
	}
	struct actor a;
	if (actor_system(st, &a, &err) != JW_OK) {
		fprintf(stderr, "ledgers: %s\n", err.message);
		return 1;
	}
	a.role = ROLE_DIRECTOR;   /* reads the restricted ledgers too */
	int64_t added = 0, closed = 0;
	double t0 = now();
	int rc = store_begin(st);
	/* what an import of these people does at its end */
	if (rc == JW_OK)
		rc = svc_ledger_derive_new(st, a.community, &added, &err);
	if (rc == JW_OK)
		rc = store_commit(st);
	double t_derive = now() - t0;
	if (rc != JW_OK) {
		fprintf(stderr, "ledgers: derive: %s\n", err.message);
		return 1;
	}
	printf("RESULT derive_s %.2f\nRESULT derive_added %lld\nRESULT derive_closed %lld\n", t_derive,
	       (long long)added, (long long)closed);
	t0 = now();
	store_begin(st);
	rc = svc_ledger_derive(st, a.community, 0, 0, &added, &closed, &err);
	store_commit(st);
	/* what the server does every day: the full check */
	printf("RESULT rederive_s %.2f\nRESULT rederive_added %lld\nRESULT rederive_closed %lld\n", now() - t0,
	       (long long)added, (long long)closed);

	struct ledger_stats *s = xcalloc(1, sizeof(*s));
	double t_all = 0;
	for (int i = 0; i < nbuiltin_ledgers; i++) {
		double t1 = now();
		if (svc_ledger_stats(st, &a, &builtin_ledgers[i], s, &err) != JW_OK) {
			fprintf(stderr, "ledgers: stats %s: %s\n", builtin_ledgers[i].key, err.message);
			return 1;
		}
		double t = now() - t1;
		t_all += t;
		printf("RESULT stats_%s_s %.4f\nRESULT stats_%s_total %lld\n", builtin_ledgers[i].key, t,
		       builtin_ledgers[i].key, (long long)s->total);
	}
	double t1 = now();
	svc_ledger_stats(st, &a, NULL, s, &err);
	double t_comm = now() - t1;
	printf("RESULT stats_ledgers_all_s %.3f\nRESULT stats_community_s %.3f\nRESULT stats_community_total %lld\n", t_all,
	       t_comm, (long long)s->total);
	struct cnt c = { 0 };
	ledger_each(st, a.community, count_ledger, &c);
	printf("RESULT ledgers %d\n", c.n);
	free(s);
	store_close(st);

	long long n;
	double r1 = raw(argv[1], "SELECT count(*) FROM person WHERE status = 'active'", &n);
	printf("RESULT ref_count_s %.3f\nRESULT ref_count %lld\n", r1, n);
	double r2 = raw(argv[1], "SELECT count(*) FROM (SELECT grid_id, sex, substr(birth_date, 1, 4)"
				 " FROM person WHERE status = 'active' GROUP BY 1, 2, 3)", &n);
	printf("RESULT ref_groupby_s %.3f\n", r2);
	return 0;
}

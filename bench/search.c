/*
 * search.c — in-process search latency on a filled store: svc_list over
 * persons exactly as the API calls it (first page of 20, with the total
 * count), for three kinds of query a desk worker types:
 *
 *   name    a 2-character name fragment ("红怡", "王伟"): a random pair of
 *           adjacent characters of a random person's name;
 *   ini     pinyin initials of a random person with a 3-character name
 *           ("zsf", "wxm");
 *   mix     the full pinyin of the same kind of name's surname, then the
 *           initials of the given name ("zhangsf", "wangxm");
 *   id      the last 4, 5 or 6 characters of a random person's ID number.
 *
 *   search DB [QUERIES [OUTDIR]]
 *
 * The queries are drawn from the store itself (a separate read-only
 * SQLite connection), so every one matches someone.  The store is opened
 * with store_open() and default settings, as `juwei serve` opens it.  The
 * first WARMUP queries of each kind are run once untimed (at most
 * WARMUP_S seconds).  A kind stops early when its queries have taken
 * BENCH_SEARCH_BUDGET seconds (environment, default 60), so a slow store
 * cannot hold the run for hours; the count actually run is printed.
 * Prints median and p99 in ms and the mean number of matches.  With
 * OUTDIR, also writes
 * the queries, percent-encoded, one a line, to OUTDIR/q_{name,ini,mix,id}.txt
 * for the HTTP benchmark.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "lib/util.h"
#include "model/pinyin.h"
#include "model/textnorm.h"
#include "svc/svc.h"

#define WARMUP 50
#define WARMUP_S 10.0

enum qkind { K_NAME, K_INI, K_MIX, K_ID, K__COUNT };
static const char *const kind_key[K__COUNT] = { "name", "ini", "mix", "id" };

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static sqlite3 *db;
static sqlite3_stmt *pick_stmt;
static int64_t max_id;

/* A random person's name, ID number and initials (false if the row is gone). */
static bool random_person(struct rng *r, char name[64], char idn[32], char ini[64])
{
	sqlite3_reset(pick_stmt);
	sqlite3_bind_int64(pick_stmt, 1, 1 + (int64_t)(rnd(r) % (uint64_t)max_id));
	if (sqlite3_step(pick_stmt) != SQLITE_ROW)
		return false;
	const char *doc = (const char *)sqlite3_column_text(pick_stmt, 3);
	if (!doc || strcmp(doc, "id_card") != 0)
		return false;   /* Han names and 18-digit numbers only */
	snprintf(name, 64, "%s", (const char *)sqlite3_column_text(pick_stmt, 0));
	snprintf(idn, 32, "%s", (const char *)sqlite3_column_text(pick_stmt, 1));
	snprintf(ini, 64, "%s", (const char *)sqlite3_column_text(pick_stmt, 2));
	return true;
}

/* One query of kind k into out. */
static void make_query(struct rng *r, enum qkind k, char out[64])
{
	char name[64], idn[32], ini[64];
	for (;;) {
		if (!random_person(r, name, idn, ini))
			continue;
		if (k == K_NAME) {
			size_t off[16], n = 0, pos = 0, len = strlen(name);
			uint32_t cp;
			while (pos < len && n < 16) {
				size_t b = utf8_decode(name + pos, len - pos, &cp);
				if (!b)
					break;
				off[n++] = pos;
				pos += b;
			}
			if (n < 2)
				continue;
			size_t j = (size_t)(rnd(r) % (n - 1));
			size_t end = j + 2 < n ? off[j + 2] : len;
			snprintf(out, 64, "%.*s", (int)(end - off[j]), name + off[j]);
			return;
		}
		if (k == K_INI) {
			if (strlen(ini) != 3)
				continue;
			snprintf(out, 64, "%s", ini);
			return;
		}
		if (k == K_MIX) {
			char sur[8], full[32];
			size_t b;
			uint32_t cp;
			if (strlen(ini) != 3 || !(b = utf8_decode(name, strlen(name), &cp)))
				continue;
			snprintf(sur, sizeof(sur), "%.*s", (int)b, name);
			pinyin_of_name(sur, full, sizeof(full), NULL, 0);
			snprintf(out, 64, "%.31s%.2s", full, ini + 1);
			return;
		}
		size_t want = 4 + (size_t)(rnd(r) % 3), len = strlen(idn);
		snprintf(out, 64, "%s", idn + len - want);
		return;
	}
}

struct count {
	int rows;
};

static int on_row(const struct record *rec, void *ud)
{
	(void)rec;
	((struct count *)ud)->rows++;
	return JW_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void url_write(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
	fputc('\n', f);
}

int main(int argc, char **argv)
{
	int64_t nq = 1000;
	struct jw_error err;
	struct actor a;
	if (argc < 2 || (argc > 2 && !parse_i64(argv[2], 1, 1000000, &nq))) {
		fputs("usage: search DB [QUERIES [OUTDIR]]\n", stderr);
		return 2;
	}
	const char *outdir = argc > 3 ? argv[3] : NULL;
	const char *env = getenv("BENCH_SEARCH_BUDGET");
	int64_t budget = 60;
	if (env && !parse_i64(env, 1, 86400, &budget)) {
		fputs("search: BENCH_SEARCH_BUDGET must be a number of seconds\n", stderr);
		return 2;
	}
	jw_error_clear(&err);
	if (svc_init() != JW_OK)
		return 1;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name, id_number, name_ini, doc_type FROM person WHERE id=?", -1,
			       &pick_stmt, NULL) != SQLITE_OK) {
		fprintf(stderr, "search: cannot read %s: %s\n", argv[1], sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_stmt *s;
	sqlite3_prepare_v2(db, "SELECT max(id) FROM person", -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		max_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (max_id < 1) {
		fputs("search: the store has no persons; run fill first\n", stderr);
		return 1;
	}

	struct store *st = store_open(argv[1], &err);
	if (!st || actor_system(st, &a, &err) != JW_OK) {
		fprintf(stderr, "search: %s\n", err.message);
		return 1;
	}
	a.role = ROLE_ADMIN;

	struct rng r = { 0x5DEECE66Dull };
	size_t total = (size_t)nq + WARMUP;
	char (*q)[64] = xcalloc(total, sizeof(*q));
	double *ms = xcalloc((size_t)nq, sizeof(*ms));
	for (int k = 0; k < K__COUNT; k++) {
		for (size_t i = 0; i < total; i++)
			make_query(&r, (enum qkind)k, q[i]);
		if (outdir) {
			char path[512];
			snprintf(path, sizeof(path), "%s/q_%s.txt", outdir, kind_key[k]);
			FILE *f = fopen(path, "w");
			if (!f) {
				perror(path);
				return 1;
			}
			for (size_t i = 0; i < total; i++)
				url_write(f, q[i]);
			fclose(f);
		}
		double matches = 0, spent = 0, warm = 0;
		int shown = 0;
		int64_t done = 0;
		for (size_t i = 0; i < total; i++) {
			struct list_req lr;
			struct count c = { 0 };
			int64_t n = 0;
			if (i < WARMUP && warm > WARMUP_S)
				continue;
			if (i >= WARMUP && spent > (double)budget)
				break;
			list_req_init(&lr);
			lr.q = q[i];
			double t0 = gen_now();
			int rc = svc_list(st, &a, &entities[ENT_PERSON], &lr, on_row, &c, &n, &err);
			double t = (gen_now() - t0) * 1000.0;
			if (rc != JW_OK) {
				fprintf(stderr, "search: \"%s\": %s\n", q[i], err.message);
				return 1;
			}
			if (n == 0 || c.rows == 0) {
				fprintf(stderr, "search: \"%s\" found nothing\n", q[i]);
				return 1;
			}
			if (i < WARMUP) {
				warm += t / 1000.0;
				continue;
			}
			spent += t / 1000.0;
			ms[done++] = t;
			matches += (double)n;
			if (shown < 3) {
				fprintf(stderr, "search: %s \"%s\": %lld matches, %.2f ms\n", kind_key[k], q[i],
					(long long)n, t);
				shown++;
			}
		}
		qsort(ms, (size_t)done, sizeof(*ms), cmp_double);
		double p50 = ms[(done - 1) / 2];
		double p99 = ms[(size_t)((double)done * 0.99 + 0.999999) - 1];
		printf("search %-4s: %lld queries%s, median %.3f ms, p99 %.3f ms, max %.3f ms, mean matches %.0f\n",
		       kind_key[k], (long long)done, done < nq ? " (cut by the time budget)" : "", p50, p99,
		       ms[done - 1], matches / (double)done);
		printf("RESULT search_%s_n %lld\n", kind_key[k], (long long)done);
		printf("RESULT search_%s_p50_ms %.3f\n", kind_key[k], p50);
		printf("RESULT search_%s_p99_ms %.3f\n", kind_key[k], p99);
		printf("RESULT search_%s_matches %.0f\n", kind_key[k], matches / (double)done);
		fflush(stdout);
	}
	free(q);
	free(ms);
	store_close(st);
	sqlite3_finalize(pick_stmt);
	sqlite3_close(db);
	return 0;
}

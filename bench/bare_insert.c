/*
 * bare_insert.c — the reference for the insert rate: the same rows as
 * bench/fill.c writes through Juwei, into the same schema and indexes
 * (a store made by `juwei init`), with nothing but SQLite prepared
 * statements.  Same PRAGMAs as src/store/sqlite.c (WAL, synchronous=
 * NORMAL, foreign_keys=ON, the cache_size bulk_mode sets), same
 * transaction size.
 *
 *   bare_insert DB PERSONS [SEED]
 *
 * Each batch of persons, their pinyin and name grams is computed first;
 * the clock runs only around the INSERTs and the COMMIT, so the figure is
 * what SQLite itself costs for these rows.  Prints
 * "RESULT bare_insert_rate N" (persons a second).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "lib/util.h"
#include "model/pinyin.h"

/* Under valgrind --tool=callgrind --instr-atstart=no, only the person
 * inserts are profiled; elsewhere these are no-ops. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#define BATCH 10000

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "bare_insert: %s failed: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bare_insert: %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void text(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void step(sqlite3_stmt *s, const char *what)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(what);
	sqlite3_reset(s);
}

/* grids, buildings, houses and households: not part of the measured rate */
static void setup(const struct gen *g, const char *community, int64_t now)
{
	sqlite3_stmt *sg = prep("INSERT INTO grid(id, community, name, notes, created_at, updated_at)"
				" VALUES(?,?,?,?,?,?)");
	sqlite3_stmt *sb = prep("INSERT INTO building(id, community, name, grid_id, compound, address,"
				" floors, units, rooms_per_floor, built_year, has_elevator, notes,"
				" created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,NULL,?,?)");
	sqlite3_stmt *sh = prep("INSERT INTO house(id, community, building_id, unit, floor, room, area,"
				" layout, \"use\", address, notes, grid_id, created_at, updated_at)"
				" VALUES(?,?,?,?,?,?,?,NULL,?,?,NULL,?,?,?)");
	sqlite3_stmt *shh = prep("INSERT INTO household(id, community, household_no, house_id, type, phone,"
				 " registered_date, notes, building_id, grid_id, size, created_at, updated_at)"
				 " VALUES(?,?,?,?,?,?,?,NULL,?,?,?,?,?)");
	long i = 1;
	exec("BEGIN IMMEDIATE");
	for (i = 1; i <= gen_grids(g); i++) {
		struct gen_grid x;
		gen_grid(g, i, &x);
		sqlite3_bind_int64(sg, 1, i);
		text(sg, 2, community);
		text(sg, 3, x.name);
		text(sg, 4, x.notes);
		sqlite3_bind_int64(sg, 5, now);
		sqlite3_bind_int64(sg, 6, now);
		step(sg, "grid");
	}
	for (i = 1; i <= gen_buildings(g); i++) {
		struct gen_building x;
		gen_building(g, i, &x);
		sqlite3_bind_int64(sb, 1, i);
		text(sb, 2, community);
		text(sb, 3, x.name);
		sqlite3_bind_int64(sb, 4, x.grid_id);
		text(sb, 5, x.compound);
		text(sb, 6, x.address);
		sqlite3_bind_int(sb, 7, x.floors);
		sqlite3_bind_int(sb, 8, x.units);
		sqlite3_bind_int(sb, 9, x.rooms_per_floor);
		sqlite3_bind_int(sb, 10, x.built_year);
		sqlite3_bind_int(sb, 11, x.has_elevator[0] == '1');
		sqlite3_bind_int64(sb, 12, now);
		sqlite3_bind_int64(sb, 13, now);
		step(sb, "building");
	}
	exec("COMMIT");
	for (i = 1; i <= gen_houses(g);) {
		exec("BEGIN IMMEDIATE");
		for (int k = 0; k < BATCH && i <= gen_houses(g); k++, i++) {
			struct gen_house x;
			gen_house(g, i, &x);
			sqlite3_bind_int64(sh, 1, i);
			text(sh, 2, community);
			sqlite3_bind_int64(sh, 3, x.building_id);
			sqlite3_bind_int(sh, 4, x.unit);
			sqlite3_bind_int(sh, 5, x.floor);
			text(sh, 6, x.room);
			sqlite3_bind_double(sh, 7, strtod(x.area, NULL));
			text(sh, 8, x.use);
			text(sh, 9, x.address);
			sqlite3_bind_int64(sh, 10, x.grid_id);
			sqlite3_bind_int64(sh, 11, now);
			sqlite3_bind_int64(sh, 12, now);
			step(sh, "house");
		}
		exec("COMMIT");
	}
	for (i = 1; i <= gen_households(g);) {
		exec("BEGIN IMMEDIATE");
		for (int k = 0; k < BATCH && i <= gen_households(g); k++, i++) {
			struct gen_household x;
			gen_household(g, i, &x);
			sqlite3_bind_int64(shh, 1, i);
			text(shh, 2, community);
			text(shh, 3, x.household_no);
			sqlite3_bind_int64(shh, 4, x.house_id);
			text(shh, 5, x.type);
			text(shh, 6, x.phone);
			text(shh, 7, x.registered_date);
			sqlite3_bind_int64(shh, 8, x.building_id);
			sqlite3_bind_int64(shh, 9, x.grid_id);
			sqlite3_bind_int(shh, 10, x.size);   /* final size: no per-person update */
			sqlite3_bind_int64(shh, 11, now);
			sqlite3_bind_int64(shh, 12, now);
			step(shh, "household");
		}
		exec("COMMIT");
	}
	sqlite3_finalize(sg);
	sqlite3_finalize(sb);
	sqlite3_finalize(sh);
	sqlite3_finalize(shh);
}

/* The number's characters in reverse order (ASCII), as juwei's jw_reverse()
 * fills person.id_rev / phone_rev; NULL stays NULL. */
static const char *reversed(const char *s, char *out, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = s[len - 1 - i];
	out[len] = '\0';
	return out;
}

int main(int argc, char **argv)
{
	int64_t n, seed = 1;
	if (argc < 3 || !parse_i64(argv[2], 1, 20000000, &n) ||
	    (argc > 3 && !parse_i64(argv[3], 0, 0xffffffffLL, &seed))) {
		fputs("usage: bare_insert DB PERSONS [SEED]\n", stderr);
		return 2;
	}
	if (pinyin_init() != 0)
		return 1;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		die("open");
	sqlite3_busy_timeout(db, 5000);
	exec("PRAGMA journal_mode=WAL");
	exec("PRAGMA foreign_keys=ON");
	exec("PRAGMA synchronous=NORMAL");
	exec("PRAGMA cache_size=-131072");   /* what store bulk_mode(true) sets */

	char community[16] = "";
	sqlite3_stmt *s = prep("SELECT code FROM community ORDER BY rowid LIMIT 1");
	if (sqlite3_step(s) != SQLITE_ROW)
		die("community (run juwei init first)");
	snprintf(community, sizeof(community), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);

	struct gen *g = gen_new((long)n, (unsigned)seed);
	if (!g)
		return 2;
	int64_t now = now_s();
	double t0 = gen_now();
	setup(g, community, now);
	double setup_s = gen_now() - t0;
	long setup_rows = gen_grids(g) + gen_buildings(g) + gen_houses(g) + gen_households(g);
	printf("bare_insert: %ld setup rows in %.1f s (%.0f rows/s)\n", setup_rows, setup_s,
	       setup_rows / setup_s);
	fflush(stdout);

	sqlite3_stmt *sp = prep(
		"INSERT INTO person(community, name, sex, doc_type, id_number, nationality, ethnic,"
		" birth_date, phone, hukou_address, current_address, residence_type, political_status,"
		" education, marital_status, employment_status, household_id, relation, notes, house_id,"
		" building_id, grid_id, status, dereg_reason, dereg_date, dereg_note, created_at,"
		" updated_at, name_py, name_ini, id_rev, phone_rev)"
		" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL,?,?,?,'active',NULL,NULL,NULL,?,?,?,?,?,?)");
	sqlite3_stmt *sgram = prep("INSERT INTO person_gram(gram, person_id) VALUES(?,?)");
	sqlite3_stmt *skey = prep("INSERT OR IGNORE INTO person_key(key, person_id) VALUES(?,?)");
	sqlite3_stmt *sfts = prep("INSERT INTO person_fts(rowid, id_number, phone, address) VALUES(?,?,?,?)");

	struct gen_person *pp = xcalloc(BATCH, sizeof(*pp));
	struct gen_index *ix = xcalloc(BATCH, sizeof(*ix));
	double timed = 0;
	long made = 0;
	for (;;) {
		int k = 0;
		while (k < BATCH && gen_next_person(g, &pp[k])) {
			gen_index_of(&pp[k], &ix[k]);
			k++;
		}
		if (!k)
			break;
		double b0 = gen_now();
		CALLGRIND_START_INSTRUMENTATION;
		exec("BEGIN IMMEDIATE");
		for (int i = 0; i < k; i++) {
			const struct gen_person *p = &pp[i];
			int c = 1;
			text(sp, c++, community);
			text(sp, c++, p->name);
			text(sp, c++, p->sex);
			text(sp, c++, p->doc_type);
			text(sp, c++, p->id_number);
			text(sp, c++, p->nationality);
			text(sp, c++, p->ethnic);
			text(sp, c++, p->birth_date);
			text(sp, c++, p->phone);
			text(sp, c++, p->hukou_address);
			text(sp, c++, p->current_address);
			text(sp, c++, p->residence_type);
			text(sp, c++, p->political_status);
			text(sp, c++, p->education);
			text(sp, c++, p->marital_status);
			text(sp, c++, p->employment_status);
			sqlite3_bind_int64(sp, c++, p->household_id);
			text(sp, c++, p->relation);
			sqlite3_bind_int64(sp, c++, p->house_id);
			sqlite3_bind_int64(sp, c++, p->building_id);
			sqlite3_bind_int64(sp, c++, p->grid_id);
			sqlite3_bind_int64(sp, c++, now);
			sqlite3_bind_int64(sp, c++, now);
			text(sp, c++, ix[i].name_py);
			text(sp, c++, ix[i].name_ini);
			char idr[40], phr[40];
			text(sp, c++, reversed(p->id_number, idr, sizeof(idr)));
			text(sp, c++, reversed(p->phone, phr, sizeof(phr)));
			step(sp, "person");
			int64_t id = sqlite3_last_insert_rowid(db);
			for (int j = 0; j < ix[i].ngrams; j++) {
				text(sgram, 1, ix[i].gram[j]);
				sqlite3_bind_int64(sgram, 2, id);
				step(sgram, "person_gram");
			}
			for (int j = 0; j < ix[i].nkeys; j++) {
				text(skey, 1, ix[i].key[j]);
				sqlite3_bind_int64(skey, 2, id);
				step(skey, "person_key");
			}
			sqlite3_bind_int64(sfts, 1, id);
			text(sfts, 2, p->id_number);
			text(sfts, 3, p->phone);
			text(sfts, 4, p->current_address);
			step(sfts, "person_fts");
		}
		exec("COMMIT");
		CALLGRIND_STOP_INSTRUMENTATION;
		timed += gen_now() - b0;
		made += k;
		if (made % 100000 == 0 || made == n)
			fprintf(stderr, "bare_insert: %ld persons, %.0f/s\n", made, made / timed);
	}
	free(pp);
	free(ix);
	sqlite3_finalize(sp);
	sqlite3_finalize(sgram);
	sqlite3_finalize(skey);
	sqlite3_finalize(sfts);
	gen_free(g);
	double c0 = gen_now();
	sqlite3_close(db);
	printf("bare_insert: %ld persons in %.2f s (close and checkpoint %.2f s, untimed)\n", made,
	       timed, gen_now() - c0);
	printf("RESULT bare_setup_rate %.0f\n", setup_rows / setup_s);
	printf("RESULT bare_insert_s %.3f\n", timed);
	printf("RESULT bare_insert_rate %.0f\n", made / timed);
	return 0;
}

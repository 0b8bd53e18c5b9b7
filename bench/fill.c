/*
 * fill.c — fills a Juwei store with the synthetic community of gen.c the
 * way Juwei itself inserts: every row through svc_create (validation, ID
 * number check, code tables, pinyin, name grams, search index), persons
 * in transactions of BATCH, as a bulk load (one summary audit record).
 *
 *   fill DB PERSONS [SEED]
 *
 * DB must have been made by `juwei init`.  Prints the person insert rate
 * as "RESULT juwei_insert_rate N" (persons a second); the clock runs only
 * around svc_create and the commits, not around building the input
 * records (the bare program likewise times only its SQLite calls).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "lib/util.h"
#include "svc/svc.h"

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

static int die(const char *what, const struct jw_error *err)
{
	fprintf(stderr, "fill: %s failed: %s (field \"%s\")\n", what, err->message, err->field);
	return 1;
}

/* Creates rec and checks it got the id the generator expects. */
static int create(struct store *st, struct actor *a, struct record *rec, long want,
		  struct jw_error *err)
{
	struct verr ve;
	int64_t id = 0;
	verr_init(&ve);
	int rc = svc_create(st, a, rec, &ve, &id, err);
	record_release(rec);
	if (rc != JW_OK)
		return rc;
	if (id != want) {
		jw_fail(err, JW_ESTORE, "id", "got id %lld, expected %ld: the store was not fresh",
			(long long)id, want);
		return JW_ESTORE;
	}
	return JW_OK;
}

static void grid_record(const struct gen *g, long i, struct record *r)
{
	struct gen_grid x;
	gen_grid(g, i, &x);
	record_init(r, &entities[ENT_GRID]);
	record_set(r, GF_NAME, x.name);
	record_set(r, GF_NOTES, x.notes);
}

static void building_record(const struct gen *g, long i, struct record *r)
{
	struct gen_building x;
	gen_building(g, i, &x);
	record_init(r, &entities[ENT_BUILDING]);
	record_set(r, BF_NAME, x.name);
	record_setf(r, BF_GRID_ID, "%lld", (long long)x.grid_id);
	record_set(r, BF_COMPOUND, x.compound);
	record_set(r, BF_ADDRESS, x.address);
	record_setf(r, BF_FLOORS, "%d", x.floors);
	record_setf(r, BF_UNITS, "%d", x.units);
	record_setf(r, BF_ROOMS_PER_FLOOR, "%d", x.rooms_per_floor);
	record_setf(r, BF_BUILT_YEAR, "%d", x.built_year);
	record_set(r, BF_HAS_ELEVATOR, x.has_elevator);
}

static void house_record(const struct gen *g, long i, struct record *r)
{
	struct gen_house x;
	gen_house(g, i, &x);
	record_init(r, &entities[ENT_HOUSE]);
	record_setf(r, HOF_BUILDING_ID, "%lld", (long long)x.building_id);
	record_setf(r, HOF_UNIT, "%d", x.unit);
	record_setf(r, HOF_FLOOR, "%d", x.floor);
	record_set(r, HOF_ROOM, x.room);
	record_set(r, HOF_AREA, x.area);
	record_set(r, HOF_USE, x.use);
	record_set(r, HOF_ADDRESS, x.address);
}

static void household_record(const struct gen *g, long i, struct record *r)
{
	struct gen_household x;
	gen_household(g, i, &x);
	record_init(r, &entities[ENT_HOUSEHOLD]);
	record_set(r, HF_HOUSEHOLD_NO, x.household_no);
	record_setf(r, HF_HOUSE_ID, "%lld", (long long)x.house_id);
	record_set(r, HF_TYPE, x.type);
	record_set(r, HF_PHONE, x.phone);
	record_set(r, HF_REGISTERED_DATE, x.registered_date);
}

/* The fields a desk worker types; Juwei derives the rest. */
static void person_record(const struct gen_person *p, struct record *r)
{
	record_init(r, &entities[ENT_PERSON]);
	record_set(r, PF_NAME, p->name);
	if (strcmp(p->doc_type, "id_card") != 0)
		record_set(r, PF_DOC_TYPE, p->doc_type);
	record_set(r, PF_ID_NUMBER, p->id_number);
	if (p->typed_sex_birth) {
		record_set(r, PF_SEX, p->sex);
		record_set(r, PF_BIRTH_DATE, p->birth_date);
		record_set(r, PF_NATIONALITY, p->nationality);
	}
	record_set(r, PF_ETHNIC, p->ethnic);
	record_set(r, PF_PHONE, p->phone);
	record_set(r, PF_HUKOU_ADDRESS, p->hukou_address);
	record_set(r, PF_CURRENT_ADDRESS, p->current_address);
	record_set(r, PF_RESIDENCE_TYPE, p->residence_type);
	record_set(r, PF_POLITICAL_STATUS, p->political_status);
	record_set(r, PF_EDUCATION, p->education);
	record_set(r, PF_MARITAL_STATUS, p->marital_status);
	record_set(r, PF_EMPLOYMENT_STATUS, p->employment_status);
	record_setf(r, PF_HOUSEHOLD_ID, "%lld", (long long)p->household_id);
	record_set(r, PF_RELATION, p->relation);
}

/* Creates rows 1..n of one table through make(), BATCH a transaction. */
static int fill_table(struct store *st, struct actor *a, const struct gen *g, long n,
		      void (*make)(const struct gen *, long, struct record *), struct jw_error *err)
{
	int rc = JW_OK;
	for (long i = 1; i <= n && rc == JW_OK;) {
		if (store_begin(st) != JW_OK)
			return jw_fail(err, JW_ESTORE, "", "BEGIN failed");
		for (long k = 0; k < BATCH && i <= n && rc == JW_OK; k++, i++) {
			struct record r;
			make(g, i, &r);
			rc = create(st, a, &r, i, err);
		}
		if (rc == JW_OK)
			rc = store_commit(st);
		else
			store_rollback(st);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct jw_error err;
	struct actor a;
	int64_t n, seed = 1;
	if (argc < 3 || !parse_i64(argv[2], 1, 20000000, &n) ||
	    (argc > 3 && !parse_i64(argv[3], 0, 0xffffffffLL, &seed))) {
		fputs("usage: fill DB PERSONS [SEED]\n", stderr);
		return 2;
	}
	jw_error_clear(&err);
	if (svc_init() != JW_OK)
		return 1;
	struct store *st = store_open(argv[1], &err);
	if (!st)
		return die("store_open", &err);
	if (actor_system(st, &a, &err) != JW_OK)
		return die("actor_system", &err);
	a.bulk = true;
	store_bulk(st, true);
	struct gen *g = gen_new((long)n, (unsigned)seed);
	if (!g)
		return 2;

	double t0 = gen_now();
	if (fill_table(st, &a, g, gen_grids(g), grid_record, &err) != JW_OK ||
	    fill_table(st, &a, g, gen_buildings(g), building_record, &err) != JW_OK ||
	    fill_table(st, &a, g, gen_houses(g), house_record, &err) != JW_OK ||
	    fill_table(st, &a, g, gen_households(g), household_record, &err) != JW_OK)
		return die("setup", &err);
	double setup_s = gen_now() - t0;
	long setup_rows = gen_grids(g) + gen_buildings(g) + gen_houses(g) + gen_households(g);
	printf("fill: %ld grids, %ld buildings, %ld houses, %ld households in %.1f s (%.0f rows/s)\n",
	       gen_grids(g), gen_buildings(g), gen_houses(g), gen_households(g), setup_s,
	       setup_rows / setup_s);
	fflush(stdout);

	/* persons: build a batch of input records, then time svc_create + commit */
	struct record *batch = xcalloc(BATCH, sizeof(*batch));
	struct gen_person p;
	double timed = 0;
	long made = 0, want = 1;
	for (;;) {
		int k = 0;
		while (k < BATCH && gen_next_person(g, &p))
			person_record(&p, &batch[k++]);
		if (!k)
			break;
		double b0 = gen_now();
		CALLGRIND_START_INSTRUMENTATION;
		if (store_begin(st) != JW_OK)
			return die("BEGIN", &err);
		for (int i = 0; i < k; i++) {
			struct verr ve;
			int64_t id = 0;
			verr_init(&ve);
			if (svc_create(st, &a, &batch[i], &ve, &id, &err) != JW_OK)
				return die(batch[i].v[PF_ID_NUMBER], &err);
			if (id != want++) {
				fprintf(stderr, "fill: person got id %lld: the store was not fresh\n", (long long)id);
				return 1;
			}
		}
		if (store_commit(st) != JW_OK)
			return die("COMMIT", &err);
		CALLGRIND_STOP_INSTRUMENTATION;
		timed += gen_now() - b0;
		for (int i = 0; i < k; i++)
			record_release(&batch[i]);
		made += k;
		if (made % 100000 == 0 || made == n) {
			fprintf(stderr, "fill: %ld persons, %.0f/s\n", made, made / timed);
		}
	}
	free(batch);

	char note[200];
	snprintf(note, sizeof(note),
		 "{\"grids\":%ld,\"buildings\":%ld,\"houses\":%ld,\"households\":%ld,\"persons\":%ld}",
		 gen_grids(g), gen_buildings(g), gen_houses(g), gen_households(g), made);
	struct audit_row ar = { .username = a.username, .action = "bulk_create", .entity = "community",
				.new_json = note, .ip = a.ip };
	if (svc_audit_put(st, a.community, &ar, &err) != JW_OK)
		return die("audit", &err);
	store_bulk(st, false);
	gen_free(g);
	double c0 = gen_now();
	store_close(st);
	printf("fill: %ld persons in %.2f s (close and checkpoint %.2f s, untimed)\n", made, timed,
	       gen_now() - c0);
	printf("RESULT juwei_setup_rate %.0f\n", setup_rows / setup_s);
	printf("RESULT juwei_insert_s %.3f\n", timed);
	printf("RESULT juwei_insert_rate %.0f\n", made / timed);
	return 0;
}

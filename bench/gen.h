/*
 * gen.h — the synthetic community the benchmarks fill a store with.
 *
 * One generator, shared by bench/fill.c (through Juwei's svc_create) and
 * bench/bare_insert.c (raw SQLite), so both write exactly the same rows
 * for the same (persons, seed).  Everything is fictional: names are drawn
 * from short lists of common surnames and given-name characters, ID
 * numbers are made valid (GB 11643 check character) and unique by a
 * per-birth-date sequence counter, phone numbers are random.
 *
 * Layout: persons live in households of 1–5 (one household a house);
 * buildings have GEN_UNITS × GEN_FLOORS × GEN_ROOMS houses (another
 * layout with gen_set_layout: gencsv.c writes 6-storey blocks); a grid
 * holds GEN_BUILDINGS_PER_GRID buildings.  Ids are 1-based and sequential per
 * table, as a fresh store assigns them.
 *
 * The struct gen owns its tables; gen_free() releases them.  Not
 * thread-safe.
 */
#ifndef JW_BENCH_GEN_H
#define JW_BENCH_GEN_H

#include <stdbool.h>
#include <stdint.h>

#define GEN_UNITS 3
#define GEN_FLOORS 18
#define GEN_ROOMS 2
#define GEN_HOUSES_PER_BUILDING (GEN_UNITS * GEN_FLOORS * GEN_ROOMS)
#define GEN_BUILDINGS_PER_GRID 40
#define GEN_MAX_GRAMS 64           /* as svc/registry.c keeps at most */

struct gen_grid {
	char name[64];
	char notes[64];
};

struct gen_building {
	char name[64];
	int64_t grid_id;
	char compound[32];
	char address[128];
	int floors, units, rooms_per_floor, built_year;
	const char *has_elevator;       /* "1" / "0" */
};

struct gen_house {
	int64_t building_id, grid_id;
	int unit, floor;
	char room[8];
	char area[16];                  /* "76.25" */
	const char *use;                /* code: owned, rented */
	char address[160];
};

struct gen_household {
	char household_no[16];          /* "H0000001" */
	int64_t house_id, building_id, grid_id;
	const char *type;               /* code: hukou, migrant */
	char phone[12];
	char registered_date[24];
	int size;                       /* persons living there */
};

/* One person as stored: the fields a desk worker types, and the ones
 * Juwei derives (sex, birth date, nationality, location) filled in too. */
struct gen_person {
	char name[64];
	const char *doc_type;           /* "id_card" or "passport" */
	char id_number[20];
	const char *sex;                /* "1" male, "2" female */
	char birth_date[11];
	const char *nationality;        /* "中国" or the foreigner's country */
	const char *ethnic;             /* code, NULL for foreigners */
	char phone[12];                 /* "" under 12 years of age */
	char hukou_address[160];
	char current_address[160];
	const char *residence_type;     /* registered, migrant, foreign */
	const char *political_status;   /* code, NULL for foreigners */
	const char *education, *marital_status, *employment_status;
	int64_t household_id, house_id, building_id, grid_id;
	const char *relation;           /* GB/T 4761 code, "02" head */
	bool typed_sex_birth;           /* passports: sex and birth date are typed */
};

/* The search index data Juwei derives from a person (svc/registry.c). */
struct gen_index {
	char name_py[256];
	char name_ini[64];
	char gram[GEN_MAX_GRAMS][16];
	int ngrams;
	char key[16][64];               /* Latin search keys (pinyin_keys) */
	int nkeys;
};

struct gen;

/* A generator of `persons` persons; NULL on a bad count. */
struct gen *gen_new(long persons, unsigned seed);
void gen_free(struct gen *g);

/* Buildings of `units` × `floors` × `rooms` (a floor) houses instead of
 * the default GEN_UNITS × GEN_FLOORS × GEN_ROOMS; call it before taking
 * any row.  Out-of-range values (units 1–9, floors and rooms 1–99) leave
 * the layout as it was. */
void gen_set_layout(struct gen *g, int units, int floors, int rooms);

long gen_grids(const struct gen *g);
long gen_buildings(const struct gen *g);
long gen_houses(const struct gen *g);        /* = households */
long gen_households(const struct gen *g);

/* Row i (1-based) of each table. */
void gen_grid(const struct gen *g, long i, struct gen_grid *out);
void gen_building(const struct gen *g, long i, struct gen_building *out);
void gen_house(const struct gen *g, long i, struct gen_house *out);
void gen_household(const struct gen *g, long i, struct gen_household *out);

/* Where house h (= household h) is: building, unit, floor and room
 * number (floor × 100 + room on the floor: 302). */
void gen_house_place(const struct gen *g, long h, long *building, int *unit, int *floor, int *room);

/* The next person, in household order; false after the last one. */
bool gen_next_person(struct gen *g, struct gen_person *out);

/* Name pinyin, initials and grams exactly as Juwei computes them. */
void gen_index_of(const struct gen_person *p, struct gen_index *ix);

/* Monotonic clock in seconds. */
double gen_now(void);

#endif

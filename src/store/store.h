/*
 * store.h — the one interface to Juwei's store.
 *
 * Callers (svc/, cli/) speak only this header.  Behind it, store/sql.c
 * builds every statement once from the declarations and the dialect table
 * and runs it through a driver (store/sqldb.h): store/sqlite.c for a file,
 * store/pg.c for a PostgreSQL database — the only places that know which
 * database runs.  The operations are a table (struct store_ops).
 *
 * A struct store is one connection: not shared between threads.  The
 * server opens one per worker thread.
 *
 * Records are generic (model/entity.h): the back end derives its SQL
 * column lists from the entity declarations; values are always bound.
 */
#ifndef JW_STORE_H
#define JW_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "model/entity.h"

struct store;

/* A filter on a declared field of the listed entity. */
enum filter_op { FOP_EQ, FOP_LE, FOP_GE, FOP_LT, FOP_GT, FOP_NE, FOP_NULL,
		 FOP_IN };   /* value "a|b|c": one of them (up to QUERY_MAX_IN; record_list only) */
#define QUERY_MAX_IN 32
struct filter {
	const char *field;     /* must be a declared field (checked) */
	enum filter_op op;
	const char *value;
};

/* How a search text is matched (chosen by svc from the query's kind). */
enum search_mode {
	SEARCH_NONE,
	SEARCH_NAME_GRAM,   /* text is one name gram (1–2 characters) */
	SEARCH_NAME_GRAMS,  /* text is 3+ chars: every bigram and LIKE, or address */
	SEARCH_PINYIN,      /* text is lower-case ASCII letters: pinyin prefix */
	SEARCH_NUMBER,      /* digits/X: fragment anywhere in ID number or phone */
	SEARCH_NUMBER_ENDS, /* digits/X: how people quote numbers — the end of an
			     * ID number or phone, or the start of an ID number */
	SEARCH_TEXT,        /* any other text: fragment of name, number, address */
};

#define QUERY_MAX_FILTERS 12
struct query {
	struct filter filters[QUERY_MAX_FILTERS];
	int nfilters;
	enum search_mode search;
	const char *text;        /* normalised search text */
	const char *sort;        /* declared field, "-" prefix for descending; NULL = "-id" */
	int64_t limit;           /* rows per page */
	int64_t offset;
	bool want_total;         /* also count all matches */
	bool active_only;        /* persons: leave de-registered ones out */
};
void query_init(struct query *q);
/* Adds a filter; false if the table is full. */
bool query_filter(struct query *q, const char *field, enum filter_op op, const char *value);

/* One group of count_by: the values of its dimensions (text, NULL when
 * the record has none) in the order asked, and how many records. */
typedef int (*group_cb)(const char *const *keys, int64_t n, void *ud);
#define COUNT_MAX_DIMS 4

/* Called for each row of a list; the record is the callee's only for the
 * call.  Non-zero stops the listing with that code. */
typedef int (*record_cb)(const struct record *r, void *ud);

/* Search index data of one person (computed by svc from model/). */
struct person_index {
	const char *name_py;      /* full pinyin, "zhangsanfeng" */
	const char *name_ini;     /* initials, "zsf" */
	const char **keys;        /* every Latin key (model/pinyin.h pinyin_keys) */
	int nkeys;
	const char **grams;       /* name unigrams and bigrams */
	int ngrams;
	const char *id_number;
	const char *phone;
	const char *address;
	bool active;              /* false: de-registered, indexed apart */
	bool skip_fts;            /* the full-text row is written later (PI_BULK_FINISH) */
};


struct user_row {
	int64_t id;
	char community[16];
	char username[64];
	char role[16];
	int64_t grid_id;          /* 0 = none */
	char pwhash[160];         /* Argon2id encoded string */
	int failed;               /* consecutive wrong passwords */
	int64_t locked_until;     /* epoch seconds, 0 = not locked */
	bool active;
};

struct session_row {
	char token_hash[65];      /* hex of the token's hash */
	int64_t user_id;
	char csrf[65];
	char kind[8];             /* "web" or "api" */
	int64_t created_at;
	int64_t last_seen;
};

struct audit_row {
	int64_t id;
	int64_t at;
	const char *username;
	const char *action;       /* create, update, deregister, reveal, login, … */
	const char *entity;
	int64_t entity_id;
	const char *old_json;     /* NULL when none */
	const char *new_json;
	const char *ip;
};
typedef int (*audit_cb)(const struct audit_row *a, void *ud);

struct community_row {
	char code[16];
	char name[128];
};
typedef int (*community_cb)(const struct community_row *c, void *ud);

/* Dashboard counts of one community (or one grid when grid_id > 0). */

/* One room of a building's 楼盘表. */
struct plan_cell {
	int64_t house_id;
	int unit, floor;
	const char *room;
	const char *use;
	int64_t household_id;     /* 0 = empty */
	const char *household_no;
	const char *head_name;
	int persons;              /* active persons living there */
	const char *household_type;
	int migrants;             /* active migrants (流动人口) of the household */
	unsigned marks;           /* set by svc_building_plan: bits of enum plan_mark */
};
typedef int (*plan_cb)(const struct plan_cell *c, void *ud);

/* ---- ledgers (model/ledger.h; svc/ledger.c) ---- */

/* One ledger entry, with its subject's columns joined for lists. */
struct entry_row {
	int64_t id;
	const char *ledger;       /* the ledger's key */
	const char *subject;      /* "person", "household" or "house" */
	int64_t subject_id;
	const char *status;       /* "open" or "closed" */
	const char *start_date, *end_date, *end_reason;
	const char *data;         /* the ledger's fields as a JSON object */
	bool derived;             /* made by the ledger's rule */
	int64_t grid_id;
	const char *sex, *birth_date;
	int64_t created_at, updated_at;
	const char *due_date;     /* written (ledger_def.due_field's value), not read back */
	/* joined (lists, exports): */
	const char *name;         /* person's name / household's number / house's address */
	const char *id_number, *phone, *address;
	int64_t household_id;
	const char *last_visit, *next_visit;   /* the newest visit's date and next date */
	int64_t house_id;         /* entry_in_building: the house the subject lives in (is) */
};
typedef int (*entry_cb)(const struct entry_row *e, void *ud);

/* A condition on an entry: field is a ledger field (its JSON data, compared
 * as text; a missing value is "") or one of the entry's own columns
 * "entry.birth_date", "entry.start_date", "entry.end_date", "entry.due_date". */
enum entry_op { EOP_EQ, EOP_LT, EOP_LE, EOP_GT, EOP_GE,
		EOP_IN,       /* value: "a|b|c" */
		EOP_MONTH };  /* a date whose month is value ("03") */
struct entry_filter {
	const char *field;
	enum entry_op op;
	const char *value;
};
#define ENTRY_MAX_FILTERS 6

struct entry_query {
	int64_t id;               /* > 0: that entry alone, open or closed, of any
				   * ledger when ledger is NULL (JW_ENOTFOUND if none) */
	const char *ledger;
	const char *subject;      /* with subject_id: that subject's entries */
	int64_t subject_id;
	bool include_closed;
	int64_t grid_id;          /* 0 = every grid */
	const char *q;            /* a fragment of the name (or the household number) */
	const char *field;        /* a ledger field equal to value (json) */
	const char *value;
	const char *visit_before; /* only entries whose last visit is older (or none) */
	int64_t limit, offset;    /* limit 0: count only */
	bool want_total;
	bool oldest_first;        /* by id ascending (exports) */
	struct entry_filter where[ENTRY_MAX_FILTERS];   /* all must hold */
	int nwhere;
	int64_t after_id;         /* > 0: only entries with a greater id (paging
				   * with oldest_first) */
};

/* Membership of a derived ledger: its declared rule (model/ledger.h), which
 * the store compiles to SQL (store/derive.c). */
struct derive_req {
	const char *ledger;
	const char *subject;      /* "person" or "household" */
	const struct derive_def *rule;
	const struct kind *fields;   /* the ledger's own fields (ledger_entity):
					    * the rule's values are kept in them */
	const char *today;        /* YYYY-MM-DD: ages, start and end dates */
	int64_t only_id;          /* > 0: only this subject */
	int64_t only_household;   /* > 0 (with only_id): the household values
				   * (living alone, empty nest) of that household's members too */
	bool insert_only;         /* only take the newcomers in (after a bulk load whose
				   * changes to existing people were derived one by one) */
	int64_t id_lo, id_hi;     /* id_hi > 0: only subjects with id_lo <= id <= id_hi
				   * (a background derivation in short transactions) */
	entry_cb closed_cb;       /* with only_id: sees each entry closed (id, ledger,
				   * subject, dates and reason), for its audit record */
	void *closed_ud;
};

/* One group of a ledger's statistics (age_counts): sex and 5-year age
 * group (-1 no age) in a grid (grid_id; -1: not by grid); or a grid's
 * count alone (age5 -3) or a building's (age5 -2; grid_id = the grid's or
 * building's id, 0 = none). */
struct stat_cell { int64_t grid_id; char sex[4]; int age5; int64_t n; };
typedef int (*stat_cb)(const struct stat_cell *c, void *ud);


typedef int (*meta_cb)(const char *key, const char *value, void *ud);

/* ---- backup, restore, check (svc/backup.c, svc/check.c) ---- */

/* A problem found by a check, in Chinese (one line). */
typedef int (*problem_cb)(const char *text, void *ud);

/* Derived columns and indexes the store keeps itself, verified by `verify`. */
enum store_verify {
	SV_HOUSEHOLD_SIZE,      /* household.size = its active members */
	SV_PERSON_LOCATION,     /* a person's house/building/grid = their household's */
	SV_HOUSEHOLD_LOCATION,  /* a household's building/grid = its house's */
	SV_HOUSE_GRID,          /* a house's grid = its building's */
	SV_SEARCH_TEXT,         /* every person has their full-text row (and no stray rows) */
	SV_SEARCH_NAME,         /* every person has name grams, pinyin, reversed numbers */
	SV_ENTRY_SUBJECT,       /* every ledger entry's subject exists */
	SV_TALLY,               /* the maintained counts (kind.tally) = the rows (n: groups that differ) */
	SV_INTEGRITY,           /* the file: structure and references (problems in words) */
	SV__COUNT
};

enum place_sync { PS_HOUSEHOLD_SIZE, PS_HOUSEHOLD, PS_HOUSE, PS_BUILDING };
struct store_place { int64_t house, building, grid; };

enum store_tx {
	TX_BEGIN, TX_COMMIT, TX_ROLLBACK,          /* the outermost level */
	TX_SAVEPOINT, TX_RELEASE, TX_ROLLBACK_TO,  /* an inner level */
	TX_READ_BEGIN, TX_READ_END,                /* one snapshot for a GET */
	TX_READ_OWN,           /* this GET must see its caller's latest writes: the primary reads */
	TX_BULK_ON, TX_BULK_OFF,                   /* a big cache for bulk loads */
	TX_CHECKPOINT,         /* copy the log back into the database, never waiting */
	TX_CHECKPOINT_ELSEWHERE,  /* this connection's commits leave that to TX_CHECKPOINT */
	TX_ALIVE,              /* JW_OK while the outermost transaction is still open */
	TX_WRITER,             /* this connection makes every grouped write: a big cache, kept */
};

enum person_index_what { PI_INSERT, PI_ADD, PI_REPLACE, PI_KEYS, PI_BULK_FINISH };

struct store_ops {
	const char *name;

	/* ---- the connection and its transactions ---- */
	/* Opens location (creating and migrating it); closes it. */
	int (*open)(struct store *st, const char *location, struct jw_error *err);
	void (*close)(struct store *st);
	/* Transactions, savepoints, a GET's read snapshot, bulk mode, the
	 * checkpoint: through store_begin/commit/rollback, store_read,
	 * store_bulk, store_checkpoint, store_tx_alive.  SQLite lets one write
	 * transaction of the process at a time past TX_BEGIN; the others queue
	 * on a lock in the process, not in the database's busy wait. */
	int (*tx)(struct store *st, enum store_tx what, int level);

	/* ---- the generic core: records of any kind ---- */
	/* A record of a KS_COLUMNS kind (r->ent): added (sets r->id), written
	 * (the fields given), read by id, listed (declared filters, a declared
	 * sort key, paging, the total), found by a unique field (0: none). */
	int (*record_insert)(struct store *st, const char *community, struct record *r, struct jw_error *err);
	int (*record_update)(struct store *st, const char *community, const struct record *r, struct jw_error *err);
	int (*record_get)(struct store *st, const char *community, const struct kind *e, int64_t id, struct record *out, struct jw_error *err);
	/* community NULL: every community (maintenance). */
	int (*record_list)(struct store *st, const char *community, const struct kind *e, const struct query *q, record_cb cb, void *ud, int64_t *total, struct jw_error *err);
	int (*record_find)(struct store *st, const char *community, const struct kind *e, const char *field, const char *value, int64_t *id, struct jw_error *err);
	/* A record of the shared table (KS_SHARED kinds): e->id 0 adds it
	 * (sets e->id; its subject's grid, sex and birth date copied in), else
	 * writes its status, dates, reason and fields; the list (or one by id)
	 * with the subject's columns joined. */
	int (*entry_put)(struct store *st, const char *community, struct entry_row *e, struct jw_error *err);
	int (*entry_list)(struct store *st, const char *community, const struct entry_query *q, entry_cb cb, void *ud, int64_t *total, struct jw_error *err);
	/* The records of kind k matching q's filters (declared fields; for a
	 * shared kind also its columns grid_id, sex, birth_date, start_date,
	 * end_date, status), counted grouped by declared dimensions dims[0..n)
	 * (none: one total), or by "community", every kind's own; today: the
	 * day ages are counted on (DIM_AGE5).  Here and in age_counts the
	 * community may be a street office's or a district's code (9 or 6
	 * digits): the records of every community under it. */
	int (*count_by)(struct store *st, const char *community, const struct kind *k, const struct query *q,
			const char *const *dims, int ndims, const char *today, group_cb cb, void *ud,
			struct jw_error *err);
	/* Settings and facts kept as keys and values, not read by the store:
	 * get gives "" when absent; put NULL removes; list: the keys beginning
	 * with prefix, in the order first put. */
	int (*meta_get)(struct store *st, const char *key, char *out, size_t n, struct jw_error *err);
	int (*meta_put)(struct store *st, const char *key, const char *value, struct jw_error *err);
	int (*meta_list)(struct store *st, const char *prefix, meta_cb cb, void *ud, struct jw_error *err);

	/* ---- the special queries ---- */
	/* The communities of the store in the order they were added (code
	 * NULL), or the one with that code (JW_ENOTFOUND if none); a new one. */
	int (*community_list)(struct store *st, const char *code, community_cb cb, void *ud, struct jw_error *err);
	int (*community_insert)(struct store *st, const struct community_row *c, struct jw_error *err);
	/* The person search index (name grams, pinyin keys, number tails, full
	 * text) of r: PI_INSERT inserts the person r too (sets r->id); PI_ADD
	 * adds r->id's, PI_REPLACE replaces it, PI_KEYS only the Latin keys;
	 * PI_BULK_FINISH: after a bulk load, the full-text rows and household
	 * sizes of the persons above r->id (ix unused). */
	int (*person_index)(struct store *st, const char *community, struct record *r, const struct person_index *ix, enum person_index_what what, struct jw_error *err);
	/* The registry's derived place columns and household sizes below id
	 * kept in step (enum place_sync); to: the new place (0 = none). */
	int (*place_sync)(struct store *st, enum place_sync what, int64_t id, const struct store_place *to, struct jw_error *err);
	/* A building's rooms, households and persons (楼盘表). */
	int (*building_plan)(struct store *st, const char *community, int64_t building_id, plan_cb cb, void *ud, struct jw_error *err);
	/* The open entries of the given ledgers whose subject lives in or is a
	 * house of the building (id, ledger, subject, subject_id, data,
	 * house_id): the plan's marks, one query. */
	int (*entry_in_building)(struct store *st, const char *community, int64_t building_id,
				 const char *const *ledgers, int nledgers, entry_cb cb, void *ud,
				 struct jw_error *err);
	/* Closes every open entry of a subject (de-registration), each closed
	 * one to cb (may be NULL); *closed = how many. */
	int (*entry_close_subject)(struct store *st, const char *community, const char *subject, int64_t id, const char *date, const char *reason, entry_cb cb, void *ud, int64_t *closed, struct jw_error *err);
	/* A derived ledger's membership from its declared rule, compiled to SQL
	 * (store/derive.c): newcomers added, those who no longer qualify closed. */
	int (*ledger_derive)(struct store *st, const char *community, const struct derive_req *d, int64_t *added, int64_t *closed, struct jw_error *err);
	/* Active persons (k the person kind) or a shared kind's open records
	 * on today: grid 0, the whole community's (or area's) from the
	 * maintained counts — each grid's count (age5 -3), the cells by sex
	 * and 5-year age group (grid_id -1), each building's (age5 -2); grid
	 * > 0, that grid's cells by sex and age group (grid_id = grid). */
	int (*age_counts)(struct store *st, const char *community, const struct kind *k, int64_t grid,
			  const char *today, stat_cb cb, void *ud, struct jw_error *err);
	/* An account (u->id 0 adds it, sets u->id; else writes role, grid,
	 * password hash, failures, lock, active), and one by name. */
	int (*user_put)(struct store *st, struct user_row *u, struct jw_error *err);
	int (*user_get)(struct store *st, const char *username, struct user_row *out, struct jw_error *err);
	/* A session (s->user_id set adds it; 0 writes the existing one's
	 * last_seen); one by token hash with its user; ended: that one, or
	 * (NULL) all idle since before idle_before. */
	int (*session_put)(struct store *st, const struct session_row *s, struct jw_error *err);
	int (*session_get)(struct store *st, const char *token_hash, struct session_row *out, struct user_row *user, struct jw_error *err);
	int (*session_end)(struct store *st, const char *token_hash, int64_t idle_before, struct jw_error *err);
	/* A consistent online copy of the whole store into a new file at path,
	 * in small steps, its row counts checked; cancel non-zero stops it. */
	int (*backup_to)(struct store *st, const char *path, const volatile int *cancel, struct jw_error *err);
	/* How many rows break rule what, the first ids in sample; SV_INTEGRITY:
	 * the back end's own check of the file, each problem in words to cb. */
	int (*verify)(struct store *st, const char *community, enum store_verify what, problem_cb cb, void *ud, int64_t *n, int64_t *sample, int nsample, struct jw_error *err);
	/* Rebuilds what rule what checks, from the registry, where the store
	 * keeps it alone (SV_TALLY: the maintained counts of the community),
	 * inside the caller's transaction. */
	int (*rebuild)(struct store *st, const char *community, enum store_verify what, struct jw_error *err);
	/* Rows written by this connection since it was opened. */
	int (*changes)(struct store *st, int64_t *n);
	/* A read replica of the store (store_add_replica). */
	int (*replica_add)(struct store *st, const char *location, struct jw_error *err);
};

/* What a store file holds, read without changing it (restore, backup). */
struct store_file_info {
	bool is_store;            /* a Juwei store (its meta, community and registry tables) */
	int schema_version;       /* meta's schema_version */
	char community[16];
	int64_t persons, households, audit;
	char problem[384];        /* "" when the file is fit to restore; else why not (Chinese) */
};
/* Inspects the file at location read-only: file format, integrity, schema
 * version (not newer than this program's), the tables a store has.
 * JW_OK with out->problem set when the file is unfit; an error code only
 * when the inspection itself failed. */
int store_inspect(const char *location, struct store_file_info *out, struct jw_error *err);
/* Copies the store file from (read-only) into a new file to, consistently. */
int store_file_copy(const char *from, const char *to, struct jw_error *err);
/* One table of a store copied (store_copy): rows and an order-free
 * checksum of every value, read back from both sides. */
struct copy_report {
	const char *table;
	int64_t rows_from, rows_to;
	uint64_t sum_from, sum_to;
};
typedef void (*copy_cb)(const struct copy_report *r, void *ud);
/* Copies every row of the store at from (opened and migrated to this
 * version) into the empty store at to — any two back ends, e.g. a
 * committee's SQLite file into a PostgreSQL database — in one transaction
 * that commits only when every table's count and checksum agree.  A
 * destination that already holds a community is refused (JW_ECONFLICT):
 * the copy is made once. */
int store_copy(const char *from, const char *to, copy_cb cb, void *ud, struct jw_error *err);

/* Whether there is a store to open at location: for a file, that the file
 * exists (opening creates one); a database server's location is always
 * taken to be there (connecting tells). */
bool store_exists(const char *location);
/* The location to show a person: a URI's password (user:secret@) as
 * "user:***@"; a path as it is.  Into out, which is returned. */
const char *store_shown(const char *location, char *out, size_t n);
/* Whether the store at location is one file (a backup copies it, a restore
 * replaces it); a database server's is not. */
bool store_is_file(const char *location);
/* Whether another process has the store at location open (a running
 * server): false when it cannot be told. */
bool store_in_use(const char *location);

/* Opens the store at location: a file path or "sqlite:PATH" (SQLite), or a
 * libpq URI "postgres://…" / "postgresql://…" (an existing database).
 * Creates the file or the schema and applies the embedded migrations.
 * Returns NULL and fills err on failure. */
struct store *store_open(const char *location, struct jw_error *err);
void store_close(struct store *st);
int store_schema_version(struct store *st);

/* The back end's private state hangs here. */
struct store {
	const struct store_ops *ops;
	void *priv;
	int txdepth;   /* nesting of store_begin: the outermost is a transaction,
			* each inner level a savepoint */
	bool reading;  /* inside read_begin/read_end: callers must not write */
};

int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);
/* One read snapshot for a read-only request: on = begin, off = end. */
int store_read(struct store *st, bool on);
/* A streaming replica at location takes this connection's reads of a GET
 * (store_read) from now on, the writes and the accounts staying on the
 * primary; several take turns; one that does not answer is skipped (the
 * primary reads) and tried again after a few seconds.  PostgreSQL only. */
int store_add_replica(struct store *st, const char *location, struct jw_error *err);
/* Inside store_read: the rest of this GET reads the primary (the caller
 * wrote a moment ago, and a replica may not have it yet). */
int store_read_own(struct store *st);
/* Bulk-load mode (a bigger page cache) on or off. */
int store_bulk(struct store *st, bool on);
/* This connection makes the grouped writes (http/server.c's writer): its
 * page cache is big and stays so, for the indexes every create touches. */
int store_writer(struct store *st);
/* A server's background checkpoint: elsewhere = true makes this
 * connection's commits leave the copying back to another connection that
 * calls store_checkpoint(st, false) now and then (and never waits for a
 * writer); a no-op for back ends without a write-ahead log to copy. */
int store_checkpoint(struct store *st, bool elsewhere);
/* Whether the outermost transaction is still open (a failed statement can
 * end it in some back ends: what follows would run outside it). */
bool store_tx_alive(struct store *st);

#define STORE_CALL(st, fn, ...) ((st)->ops->fn((st), __VA_ARGS__))
#define STORE_CALL0(st, fn) ((st)->ops->fn(st))

#endif

/*
 * sqldb.h — the one seam between the store's SQL (store/sql.c) and a
 * database library: a connection and its prepared statements.  Internal
 * to store/.
 *
 * store/sql.c builds every statement (from the kinds' declarations and the
 * dialect table of store/dialect.h) and runs it through these calls; a
 * driver — store/sqlite.c (SQLite, the embedded default) or store/pg.c
 * (libpq) — prepares, binds, steps and reads, and does what only it can:
 * open and migrate, take the write lock, copy the log back, back up, check
 * the file.  Statements use "?N" placeholders (1-based); the PostgreSQL
 * driver renumbers them "$N".
 */
#ifndef JW_STORE_SQLDB_H
#define JW_STORE_SQLDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "store/dialect.h"
#include "store/store.h"

/* What a step gives: a row, the end, or a failure (see db_conn_ops.fail). */
enum { DB_ERROR = -1, DB_ROW = 1, DB_DONE = 2 };

struct db_stmt;
struct db_stmt_ops {
	int (*step)(struct db_stmt *s);
	void (*reset)(struct db_stmt *s);            /* to be run again; bindings cleared */
	void (*bind_int64)(struct db_stmt *s, int i, int64_t v);
	void (*bind_text)(struct db_stmt *s, int i, const char *v);   /* NULL: SQL NULL */
	int64_t (*col_int64)(struct db_stmt *s, int i);              /* NULL: 0 */
	double (*col_double)(struct db_stmt *s, int i);
	const char *(*col_text)(struct db_stmt *s, int i);           /* NULL when NULL */
	bool (*col_is_int)(struct db_stmt *s, int i);                /* an integer value */
	int (*col_count)(struct db_stmt *s);
	const char *(*col_name)(struct db_stmt *s, int i);   /* after the first step */
};
struct db_stmt {
	const struct db_stmt_ops *ops;
};

/* How a statement failed, for the store's errors in words. */
enum db_failure { DBF_OTHER, DBF_UNIQUE, DBF_FOREIGN, DBF_CHECK, DBF_BUSY };

struct db_conn;
struct db_conn_ops {
	const char *name;
	const struct dialect *dialect;
	/* Opens location (creating and migrating the schema); NULL and err on failure. */
	struct db_conn *(*open)(const char *location, struct jw_error *err);
	void (*close)(struct db_conn *c);
	/* A read replica of a store (NULL: the back end has none): opened
	 * without migrating, for reads only; NULL and err when it does not answer. */
	struct db_conn *(*open_replica)(const char *location, struct jw_error *err);
	/* A new statement (NULL on failure, logged with the SQL); freed by finalize. */
	struct db_stmt *(*prepare)(struct db_conn *c, const char *sql);
	void (*finalize)(struct db_stmt *s);
	/* One or more statements without results: JW_OK, JW_EBUSY or JW_ESTORE. */
	int (*exec)(struct db_conn *c, const char *sql);
	/* Rows changed by the last statement; by the connection since it opened. */
	int64_t (*changes)(struct db_conn *c);
	int64_t (*total_changes)(struct db_conn *c);
	/* The last failure: its kind, the column it names (field, for a
	 * unique key), and the library's message (never logged with values). */
	enum db_failure (*failure)(struct db_conn *c, char *field, size_t n, const char **msg);
	/* The outermost transaction and what only the driver knows of it:
	 * TX_BEGIN (the write lock, then the dialect's begin_write), TX_COMMIT,
	 * TX_ROLLBACK, TX_ALIVE, TX_BULK_ON/OFF, TX_CHECKPOINT(_ELSEWHERE), TX_WRITER. */
	int (*tx)(struct db_conn *c, enum store_tx what);
	/* backup_to and verify(SV_INTEGRITY): the driver's own, or JW_EUSAGE. */
	int (*backup_to)(struct db_conn *c, const char *path, const volatile int *cancel, struct jw_error *err);
	int (*integrity)(struct db_conn *c, problem_cb cb, void *ud, int64_t *problems, struct jw_error *err);
	/* A load of many rows into table (cols: its quoted column list) in the
	 * back end's own bulk way (PostgreSQL's COPY): begin, a row's n values
	 * at a time (NULL = SQL NULL), end (JW_OK when the server took them
	 * all).  NULL where there is none: the caller inserts row by row. */
	int (*copy_begin)(struct db_conn *c, const char *table, const char *cols);
	int (*copy_row)(struct db_conn *c, const char *const *vals, int n);
	int (*copy_end)(struct db_conn *c);
};
struct db_conn {
	const struct db_conn_ops *ops;
};

extern const struct db_conn_ops sqlite_db;
extern const struct db_conn_ops pg_db;

/* The SQL store (store/sql.c) over a driver: "postgres://…" or
 * "postgresql://…" opens pg_db, anything else ("sqlite:PATH", PATH) sqlite_db. */
extern const struct store_ops sql_store_ops;
/* The driver of a location; *location is moved past a "sqlite:" prefix. */
const struct db_conn_ops *db_driver_for(const char **location);

/* A statement as PostgreSQL reads it (store/pg.c's text rules): a new
 * string; *nparams the highest placeholder, used[i] whether ?i+1 appears
 * (used: PG_MAX_PARAMS entries, all false on entry). */
#define PG_MAX_PARAMS 160
char *pg_text(const char *sql, int *nparams, bool *used);

static inline int db_step(struct db_stmt *s) { return s->ops->step(s); }
static inline void db_reset(struct db_stmt *s) { s->ops->reset(s); }
static inline void db_bind_int64(struct db_stmt *s, int i, int64_t v) { s->ops->bind_int64(s, i, v); }
static inline void db_bind_text(struct db_stmt *s, int i, const char *v) { s->ops->bind_text(s, i, v); }
static inline void db_bind_null(struct db_stmt *s, int i) { s->ops->bind_text(s, i, NULL); }
static inline int64_t db_col_int64(struct db_stmt *s, int i) { return s->ops->col_int64(s, i); }
static inline int db_col_int(struct db_stmt *s, int i) { return (int)s->ops->col_int64(s, i); }
static inline double db_col_double(struct db_stmt *s, int i) { return s->ops->col_double(s, i); }
static inline const char *db_col_text(struct db_stmt *s, int i) { return s->ops->col_text(s, i); }
static inline bool db_col_is_int(struct db_stmt *s, int i) { return s->ops->col_is_int(s, i); }
static inline int db_col_count(struct db_stmt *s) { return s->ops->col_count(s); }
static inline const char *db_col_name(struct db_stmt *s, int i) { return s->ops->col_name(s, i); }

#endif

/*
 * sqlite.c — the SQLite driver of the store (store/sqldb.h): the embedded
 * default, one file per committee.
 *
 * WAL, foreign keys on, a busy timeout; the migrations of migrations.h
 * applied on open; jw_reverse() registered for the reversed numbers.  The
 * process's writers queue on one lock per file (write_lock) before BEGIN
 * IMMEDIATE.  The online backup, the file's own checks and the inspection
 * of a file to restore are SQLite's and live here too.
 */
#include <pthread.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "store/dialect.h"
#include "store/migrations.h"
#include "store/sqldb.h"

/* The process's one write transaction at a time on a database file: a
 * writer waits here, in the order it came (a queue, handed on by the one
 * who lets go: a thread that writes batch after batch cannot take it
 * again ahead of those waiting), instead of in SQLite's busy handler
 * (which sleeps 1, 2, 5 … 100 ms between tries and lets later writers
 * overtake).  Keyed by the file's real path; a thread that already holds
 * it (one thread, two connections) goes on to SQLite's own lock. */
struct lock_waiter {
	pthread_cond_t cv;
	bool granted;
	struct lock_waiter *next;
};
struct write_lock {
	char path[4096];
	pthread_mutex_t m;          /* guards the fields below */
	bool held;
	pthread_t owner;
	struct lock_waiter *head, *tail;
};
static pthread_mutex_t g_wlocks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct write_lock *g_wlocks[16];
static int g_nwlocks;
#define WRITE_LOCK_WAIT_S 5   /* as long as the busy timeout */

static struct write_lock *write_lock_for(const char *path)
{
	char real[4096];
	if (!path || !*path || strcmp(path, ":memory:") == 0 || !realpath(path, real))
		return NULL;
	struct write_lock *w = NULL;
	pthread_mutex_lock(&g_wlocks_lock);
	for (int i = 0; i < g_nwlocks && !w; i++)
		if (strcmp(g_wlocks[i]->path, real) == 0)
			w = g_wlocks[i];
	if (!w && g_nwlocks < (int)(sizeof(g_wlocks) / sizeof(g_wlocks[0]))) {
		w = xcalloc(1, sizeof(*w));
		snprintf(w->path, sizeof(w->path), "%s", real);
		pthread_mutex_init(&w->m, NULL);
		g_wlocks[g_nwlocks++] = w;
	}
	pthread_mutex_unlock(&g_wlocks_lock);
	return w;
}


struct sq_conn {
	struct db_conn base;
	sqlite3 *db;
	struct write_lock *wlock;   /* NULL: an in-memory database */
	bool holds_wlock;           /* this connection's transaction holds it */
	bool writer;                /* TX_WRITER: the big cache stays */
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *s;
};

static sqlite3_stmt *S(struct db_stmt *s) { return ((struct sq_stmt *)s)->s; }
static int st_step(struct db_stmt *s)
{
	int rc = sqlite3_step(S(s));
	return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
}
static void st_reset(struct db_stmt *s)
{
	sqlite3_reset(S(s));
	sqlite3_clear_bindings(S(s));
}
static void st_bind_int64(struct db_stmt *s, int i, int64_t v) { sqlite3_bind_int64(S(s), i, v); }
static void st_bind_text(struct db_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(S(s), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(S(s), i);
}
static int64_t st_col_int64(struct db_stmt *s, int i) { return sqlite3_column_int64(S(s), i); }
static double st_col_double(struct db_stmt *s, int i) { return sqlite3_column_double(S(s), i); }
static const char *st_col_text(struct db_stmt *s, int i) { return (const char *)sqlite3_column_text(S(s), i); }
static bool st_col_is_int(struct db_stmt *s, int i) { return sqlite3_column_type(S(s), i) == SQLITE_INTEGER; }
static int st_col_count(struct db_stmt *s) { return sqlite3_column_count(S(s)); }
static const char *st_col_name(struct db_stmt *s, int i) { return sqlite3_column_name(S(s), i); }

static const struct db_stmt_ops sq_stmt_ops = {
	.step = st_step, .reset = st_reset, .bind_int64 = st_bind_int64, .bind_text = st_bind_text,
	.col_int64 = st_col_int64, .col_double = st_col_double, .col_text = st_col_text,
	.col_is_int = st_col_is_int, .col_count = st_col_count, .col_name = st_col_name,
};

static struct db_stmt *sq_prepare(struct db_conn *c, const char *sql)
{
	struct sq_conn *q = (struct sq_conn *)c;
	sqlite3_stmt *ps = NULL;
	if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &ps, NULL) != SQLITE_OK) {
		fprintf(stderr, "juwei: store: prepare failed: %s\n  in: %.200s\n", sqlite3_errmsg(q->db), sql);
		return NULL;
	}
	struct sq_stmt *s = xcalloc(1, sizeof(*s));
	s->base.ops = &sq_stmt_ops;
	s->s = ps;
	return &s->base;
}

static void sq_finalize(struct db_stmt *s)
{
	if (!s)
		return;
	sqlite3_finalize(S(s));
	free(s);
}

static int sq_exec_db(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		sqlite3_free(msg);
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
			return JW_EBUSY;   /* another connection writes: not a fault */
		fprintf(stderr, "juwei: store: %s\n  in: %.200s\n", sqlite3_errmsg(db), sql);
		return JW_ESTORE;
	}
	return JW_OK;
}

static int sq_exec(struct db_conn *c, const char *sql) { return sq_exec_db(((struct sq_conn *)c)->db, sql); }
static int64_t sq_changes(struct db_conn *c) { return sqlite3_changes(((struct sq_conn *)c)->db); }
static int64_t sq_total_changes(struct db_conn *c) { return sqlite3_total_changes64(((struct sq_conn *)c)->db); }

static enum db_failure sq_failure(struct db_conn *c, char *field, size_t n, const char **msg)
{
	sqlite3 *db = ((struct sq_conn *)c)->db;
	int ext = sqlite3_extended_errcode(db);
	*msg = sqlite3_errmsg(db);
	if (n)
		field[0] = 0;
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
		/* "UNIQUE constraint failed: person.id_number, person.doc_type" */
		const char *p = strstr(*msg, ": ");
		if (p && (p = strchr(p, '.')) && n) {
			size_t k = strcspn(p + 1, ", ");
			snprintf(field, n, "%.*s", (int)k, p + 1);
		}
		return DBF_UNIQUE;
	}
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return DBF_FOREIGN;
	if (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL)
		return DBF_CHECK;
	if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
		return DBF_BUSY;
	return DBF_OTHER;
}

static int migrate(sqlite3 *db, struct jw_error *err)
{
	int version = 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema_version'", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	if (version > SQLITE_MIGRATIONS)
		return jw_fail(err, JW_ESTORE, "db", "数据库版本（%d）比本程序新（%d），请升级 juwei",
			       version, SQLITE_MIGRATIONS);
	if (version == SQLITE_MIGRATIONS)
		return JW_OK;
	if (sq_exec_db(db, "BEGIN IMMEDIATE") != JW_OK)
		return jw_fail(err, JW_ESTORE, "db", "无法升级数据库结构（数据库被占用？）");
	for (int v = version; v < SQLITE_MIGRATIONS; v++) {
		if (sq_exec_db(db, sqlite_migrations[v]) != JW_OK) {
			sq_exec_db(db, "ROLLBACK");
			return jw_fail(err, JW_ESTORE, "db", "数据库结构升级到第%d版失败", v + 1);
		}
	}
	/* foreign keys are off while the migrations run (a table rebuilt by
	 * copy, drop and rename, as SQLite's ALTER TABLE documentation
	 * prescribes): every reference is checked before the commit */
	bool refs_ok = false;
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) == SQLITE_OK) {
		refs_ok = sqlite3_step(s) == SQLITE_DONE;
		sqlite3_finalize(s);
	}
	if (!refs_ok) {
		sq_exec_db(db, "ROLLBACK");
		return jw_fail(err, JW_ESTORE, "db", "数据库结构升级失败：升级后有引用不存在的记录，数据库未改动");
	}
	char sql[128];
	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '%d')",
		 SQLITE_MIGRATIONS);
	if (sq_exec_db(db, sql) != JW_OK || sq_exec_db(db, "COMMIT") != JW_OK) {
		sq_exec_db(db, "ROLLBACK");
		return jw_fail(err, JW_ESTORE, "db", "数据库结构升级失败");
	}
	return JW_OK;
}

/* jw_reverse(text): the text with its characters in reverse order (ASCII
 * numbers in practice; multi-byte characters are kept whole). */
static void sql_reverse(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *t = sqlite3_value_text(argv[0]);
	if (!t) {
		sqlite3_result_null(ctx);
		return;
	}
	size_t n = strlen((const char *)t);
	char *out = sqlite3_malloc64(n + 1);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	size_t k = n;
	for (size_t i = 0; i < n;) {
		size_t len = 1;
		while (i + len < n && (t[i + len] & 0xC0) == 0x80)
			len++;
		k -= len;
		memcpy(out + k, t + i, len);
		i += len;
	}
	out[n] = '\0';
	sqlite3_result_text(ctx, out, (int)n, sqlite3_free);
}


/* JUWEI_SQL_TRACE=MS: every statement that ran at least MS milliseconds,
 * with its time and its text (bound values are not shown: a trace never
 * carries personal data), to stderr. For finding a slow page. */
static int64_t g_trace_ns = INT64_MAX;
static pthread_once_t g_sq_once = PTHREAD_ONCE_INIT;

/* Once a process, before its first connection: SQLite without its memory
 * statistics, whose one mutex every allocation of every thread takes (at
 * 32 sessions it was half the time of a statistics page); the trace. */
static void sq_global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	const char *t = getenv("JUWEI_SQL_TRACE");
	int64_t ms;
	if (t && parse_i64(t, 0, 1000000, &ms))
		g_trace_ns = ms * 1000000;
}

static int sql_trace(unsigned what, void *ud, void *p, void *x)
{
	(void)ud;
	if (what != SQLITE_TRACE_PROFILE)
		return 0;
	int64_t ns = *(int64_t *)x;
	if (ns < g_trace_ns)
		return 0;
	const char *sql = sqlite3_sql((sqlite3_stmt *)p);
	fprintf(stderr, "juwei: sql %.3f ms: %.4000s\n", (double)ns / 1e6, sql ? sql : "?");
	return 0;
}

static struct db_conn *sq_open(const char *path, struct jw_error *err)
{
	struct sq_conn *q = xcalloc(1, sizeof(*q));
	q->base.ops = &sqlite_db;
	pthread_once(&g_sq_once, sq_global_init);
	int rc = sqlite3_open_v2(path, &q->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		jw_fail(err, JW_EIO, "db", "无法打开数据库文件“%s”：%s", path,
			q->db ? sqlite3_errmsg(q->db) : "内存不足");
		goto fail;
	}
	sqlite3_busy_timeout(q->db, 5000);
	q->wlock = write_lock_for(path);
	sqlite3_create_function(q->db, "jw_reverse", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				sql_reverse, NULL, NULL);
	sqlite3_extended_result_codes(q->db, 1);
	if (g_trace_ns != INT64_MAX)
		sqlite3_trace_v2(q->db, SQLITE_TRACE_PROFILE, sql_trace, NULL);
	if (sq_exec_db(q->db, "PRAGMA journal_mode=WAL") != JW_OK ||
	    sq_exec_db(q->db, "PRAGMA synchronous=NORMAL") != JW_OK ||
	    /* savepoints (nested operations) journal into memory, not a temp file */
	    sq_exec_db(q->db, "PRAGMA temp_store=MEMORY") != JW_OK) {
		jw_fail(err, JW_EIO, "db", "“%s”不是有效的 Juwei 数据库文件", path);
		goto fail;
	}
	if (migrate(q->db, err) != JW_OK)
		goto fail;
	if (sq_exec_db(q->db, "PRAGMA foreign_keys=ON") != JW_OK) {
		jw_fail(err, JW_EIO, "db", "“%s”不是有效的 Juwei 数据库文件", path);
		goto fail;
	}
	return &q->base;
fail:
	sqlite3_close(q->db);
	free(q);
	return NULL;
}

static void wlock_release(struct sq_conn *p)
{
	if (!p->holds_wlock)
		return;
	struct write_lock *w = p->wlock;
	p->holds_wlock = false;
	pthread_mutex_lock(&w->m);
	struct lock_waiter *next = w->head;
	if (next) {   /* handed on: held stays true */
		w->head = next->next;
		if (!w->head)
			w->tail = NULL;
		next->granted = true;
		pthread_cond_signal(&next->cv);
	} else {
		w->held = false;
	}
	pthread_mutex_unlock(&w->m);
}

/* Takes w in turn; false after WRITE_LOCK_WAIT_S, or true at once when
 * this thread holds it already (*mine false then: not to be let go). */
static bool wlock_take(struct write_lock *w, bool *mine)
{
	pthread_t self = pthread_self();
	*mine = false;
	pthread_mutex_lock(&w->m);
	if (w->held && pthread_equal(w->owner, self)) {
		pthread_mutex_unlock(&w->m);
		return true;
	}
	if (!w->held && !w->head) {
		w->held = true;
		w->owner = self;
		*mine = true;
		pthread_mutex_unlock(&w->m);
		return true;
	}
	struct lock_waiter me = { .granted = false };
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&me.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (w->tail)
		w->tail->next = &me;
	else
		w->head = &me;
	w->tail = &me;
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += WRITE_LOCK_WAIT_S;
	while (!me.granted)
		if (pthread_cond_timedwait(&me.cv, &w->m, &until) != 0 && !me.granted)
			break;
	if (!me.granted) {   /* waited too long: out of the queue */
		struct lock_waiter **pp = &w->head, *prev = NULL;
		while (*pp && *pp != &me) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp)
			*pp = me.next;
		if (w->tail == &me)
			w->tail = prev;
	} else {
		w->owner = self;
		*mine = true;
	}
	pthread_mutex_unlock(&w->m);
	pthread_cond_destroy(&me.cv);
	return me.granted;
}

static void sq_close(struct db_conn *c)
{
	struct sq_conn *q = (struct sq_conn *)c;
	wlock_release(q);
	sqlite3_close(q->db);
	free(q);
}

/* The background checkpoint: a passive one copies what it can while
 * writers go on.  The log only starts again from its beginning when a
 * writer begins on a log copied in full, so a connection whose copying is
 * left to it (TX_CHECKPOINT_ELSEWHERE) still checkpoints on commit once
 * the log passes WAL_RESTART_PAGES: by then only the tail since the last
 * background checkpoint is left to copy (without it, under a steady stream
 * of writes, the log would only grow). */
#define WAL_RESTART_PAGES 4096

/* The writer's page cache (64 MiB): a person's create touches a leaf of each of
 * a dozen indexes, and with the default 2 MB cache most of them are
 * read again from the file (the OS's cache) as the store grows. */
#define WRITER_CACHE "-65536"

static int sq_bulk_mode(struct sq_conn *q, bool on)
{
	if (q->writer && !on)
		return sq_exec_db(q->db, "PRAGMA cache_size=" WRITER_CACHE);
	/* A bigger page cache keeps indexed bulk inserts from thrashing. */
	int rc = sq_exec_db(q->db, on ? "PRAGMA cache_size=-131072" : "PRAGMA cache_size=-2000");
	if (!on) {   /* bulk work done: the cache's pages go back to the system */
		sqlite3_db_release_memory(q->db);
		malloc_trim(0);
	}
	return rc;
}

static int sq_tx(struct db_conn *c, enum store_tx what)
{
	struct sq_conn *q = (struct sq_conn *)c;
	int rc, log = 0, done = 0;
	switch (what) {
	case TX_BEGIN:
		if (q->wlock && !wlock_take(q->wlock, &q->holds_wlock))
			return JW_EBUSY;
		rc = sq_exec_db(q->db, dialect_sqlite.begin_write);
		if (rc != JW_OK)
			wlock_release(q);
		return rc;
	case TX_COMMIT:
		rc = sq_exec_db(q->db, "COMMIT");
		if (rc == JW_OK || sqlite3_get_autocommit(q->db))
			wlock_release(q);
		return rc;
	case TX_ROLLBACK:
		rc = sqlite3_get_autocommit(q->db) ? JW_OK : sq_exec_db(q->db, "ROLLBACK");
		wlock_release(q);
		return rc;
	case TX_BULK_ON: return sq_bulk_mode(q, true);
	case TX_BULK_OFF: return sq_bulk_mode(q, false);
	case TX_CHECKPOINT:
		rc = sqlite3_wal_checkpoint_v2(q->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		return rc == SQLITE_OK || rc == SQLITE_BUSY ? JW_OK : JW_ESTORE;
	case TX_CHECKPOINT_ELSEWHERE:
		return sqlite3_wal_autocheckpoint(q->db, WAL_RESTART_PAGES) == SQLITE_OK ? JW_OK : JW_ESTORE;
	case TX_ALIVE: return sqlite3_get_autocommit(q->db) ? JW_ESTORE : JW_OK;
	case TX_WRITER:
		q->writer = true;
		return sq_bulk_mode(q, false);
	default:
		return JW_ESTORE;
	}
}

int store_schema_version(struct store *st)
{
	(void)st;
	return SQLITE_MIGRATIONS;
}

/* Copies src's main database into a new file at path in steps of a few
 * hundred pages.  src holds one read transaction throughout, so the copy is
 * one snapshot and writers on other connections go on (WAL) without making
 * the backup restart.  Row counts of every table are compared at the end. */
static int backup_db(sqlite3 *src, const char *path, const volatile int *cancel, struct jw_error *err)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *bk = NULL;
	int rc = JW_OK, step;
	bool reading = false;
	remove(path);
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = jw_fail(err, JW_EIO, "out", "无法创建备份文件“%s”：%s", path, dst ? sqlite3_errmsg(dst) : "内存不足");
		goto out;
	}
	if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
		rc = jw_fail(err, JW_EBUSY, "db", "无法读取数据库：%s", sqlite3_errmsg(src));
		goto out;
	}
	reading = true;
	if (!(bk = sqlite3_backup_init(dst, "main", src, "main"))) {
		rc = jw_fail(err, JW_ESTORE, "out", "无法开始备份：%s", sqlite3_errmsg(dst));
		goto out;
	}
	while ((step = sqlite3_backup_step(bk, 256)) == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED) {
		if (cancel && *cancel) {
			rc = jw_fail(err, JW_EIO, "out", "备份已中止（服务正在停止）");
			goto out;
		}
		if (step != SQLITE_OK)
			sqlite3_sleep(20);
	}
	if (step != SQLITE_DONE) {
		rc = jw_fail(err, (step & 0xff) == SQLITE_FULL ? JW_EIO : JW_ESTORE, "out", "备份写入失败（%s），请检查备份位置的磁盘空间",
			     sqlite3_errstr(step));
		goto out;
	}
	sqlite3_backup_finish(bk);
	bk = NULL;
	/* one self-contained file: readers of the copy (even read-only ones)
	 * then make no -wal / -shm beside it */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = jw_fail(err, JW_EIO, "out", "备份文件“%s”无法写完：%s", path, sqlite3_errmsg(dst));
		goto out;
	}
	/* the copy has every row of the snapshot */
	sqlite3_stmt *t = NULL;
	if (sqlite3_prepare_v2(src, "SELECT name FROM sqlite_schema WHERE type = 'table'"
			       " AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_%'", -1, &t, NULL) != SQLITE_OK) {
		rc = jw_fail(err, JW_ESTORE, "db", NULL);
		goto out;
	}
	while (rc == JW_OK && sqlite3_step(t) == SQLITE_ROW) {
		char sql[200];
		int64_t n[2] = { -1, -2 };
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", (const char *)sqlite3_column_text(t, 0));
		for (int k = 0; k < 2; k++) {
			sqlite3_stmt *c = NULL;
			if (sqlite3_prepare_v2(k ? dst : src, sql, -1, &c, NULL) == SQLITE_OK && sqlite3_step(c) == SQLITE_ROW)
				n[k] = sqlite3_column_int64(c, 0);
			sqlite3_finalize(c);
		}
		if (n[0] != n[1])
			rc = jw_fail(err, JW_ESTORE, "out", "备份不完整：表 %s 原有%lld行，备份中%lld行",
				     (const char *)sqlite3_column_text(t, 0), (long long)n[0], (long long)n[1]);
	}
	sqlite3_finalize(t);
out:
	if (bk)
		sqlite3_backup_finish(bk);
	if (reading)
		sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	if (dst && sqlite3_close(dst) != SQLITE_OK && rc == JW_OK)
		rc = jw_fail(err, JW_EIO, "out", "备份文件“%s”无法写完", path);
	if (rc != JW_OK)
		remove(path);
	return rc;
}

static int sq_backup_to(struct db_conn *c, const char *path, const volatile int *cancel, struct jw_error *err)
{
	return backup_db(((struct sq_conn *)c)->db, path, cancel, err);
}

/* PRAGMA integrity_check and foreign_key_check on db; problems to cb. */
static int integrity_db(sqlite3 *db, problem_cb cb, void *ud, int64_t *problems)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc = JW_OK;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(20)", -1, &s, NULL) != SQLITE_OK) {
		n++;
		if (cb)
			cb("数据库无法检查：文件已损坏或不是数据库文件", ud);
	} else {
		int step;
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(s, 0);
			if (t && strcmp(t, "ok") == 0)
				continue;
			n++;
			char line[400];
			snprintf(line, sizeof(line), "数据库文件结构损坏：%.300s", t ? t : "");
			for (char *c = line; *c; c++)
				if (*c == '\n')
					*c = ' ';
			if (cb && (rc = cb(line, ud)) != JW_OK)
				break;
		}
		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			n++;
			if (cb)
				cb("数据库文件结构损坏：无法读完（文件已损坏）", ud);
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check LIMIT 20", -1, &s,
			       NULL) == SQLITE_OK) {
		while (rc == JW_OK && sqlite3_step(s) == SQLITE_ROW) {
			char line[200];
			n++;
			snprintf(line, sizeof(line), "引用不存在：%s 表第%lld行引用的 %s 记录不存在",
				 (const char *)sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1),
				 (const char *)sqlite3_column_text(s, 2));
			if (cb)
				rc = cb(line, ud);
		}
	}
	sqlite3_finalize(s);
	*problems = n;
	return rc;
}


/* store_inspect for SQLite files: opened read-only, never changed. */
static int first_problem(const char *text, void *ud)
{
	struct store_file_info *o = ud;
	if (!o->problem[0])
		snprintf(o->problem, sizeof(o->problem), "%s", text);
	return JW_OK;
}

static int64_t count_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int sqlite_inspect(const char *path, struct store_file_info *o, struct jw_error *err);
int sqlite_inspect(const char *path, struct store_file_info *o, struct jw_error *err)
{
	memset(o, 0, sizeof(*o));
	FILE *f = fopen(path, "rb");
	if (!f)
		return jw_fail(err, JW_EIO, "from", "无法打开文件“%s”，请检查路径", path);
	char head[16] = "";
	size_t got = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (got < 16 || memcmp(head, "SQLite format 3", 16) != 0) {
		snprintf(o->problem, sizeof(o->problem), "“%s”不是 Juwei 的数据库文件（不是 SQLite 数据库）", path);
		return JW_OK;
	}
	sqlite3 *db = NULL;
	pthread_once(&g_sq_once, sq_global_init);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(o->problem, sizeof(o->problem), "无法打开“%s”：%s", path, db ? sqlite3_errmsg(db) : "内存不足");
		sqlite3_close(db);
		return JW_OK;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_create_function(db, "jw_reverse", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_reverse, NULL, NULL);
	int64_t problems = 0;
	integrity_db(db, first_problem, o, &problems);
	if (problems) {
		char why[384];
		snprintf(why, sizeof(why), "“%.100s”已损坏，不能使用（%.200s）", path, o->problem);
		snprintf(o->problem, sizeof(o->problem), "%s", why);
		goto out;
	}
	int64_t tables = count_of(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
				  " ('meta', 'community', 'person', 'household', 'house', 'building', 'grid', 'audit', 'app_user')");
	int64_t v = count_of(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'");
	if (tables != 9 || v < 1) {
		snprintf(o->problem, sizeof(o->problem), "“%s”不是 Juwei 的数据库（可能是其他程序的文件）", path);
		goto out;
	}
	o->schema_version = (int)v;
	if (v > SQLITE_MIGRATIONS) {
		snprintf(o->problem, sizeof(o->problem), "“%s”的数据库版本（%lld）比本程序新（%d），请先升级 juwei", path,
			 (long long)v, SQLITE_MIGRATIONS);
		goto out;
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "SELECT code FROM community ORDER BY rowid LIMIT 1", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		snprintf(o->community, sizeof(o->community), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (!o->community[0]) {
		snprintf(o->problem, sizeof(o->problem), "“%s”中没有社区（未初始化的数据库）", path);
		goto out;
	}
	o->is_store = true;
	o->persons = count_of(db, "SELECT count(*) FROM person");
	o->households = count_of(db, "SELECT count(*) FROM household");
	o->audit = count_of(db, "SELECT count(*) FROM audit");
out:
	sqlite3_close(db);
	return JW_OK;
}

int sqlite_file_copy(const char *from, const char *to, struct jw_error *err);
int sqlite_file_copy(const char *from, const char *to, struct jw_error *err)
{
	sqlite3 *db = NULL;
	pthread_once(&g_sq_once, sq_global_init);
	if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return jw_fail(err, JW_EIO, "from", "无法打开文件“%s”", from);
	}
	sqlite3_busy_timeout(db, 5000);
	int rc = backup_db(db, to, NULL, err);
	sqlite3_close(db);
	return rc;
}

/* Another process keeps the store open (a server's connections): it holds
 * a shared lock that an exclusive transaction cannot get past. */
bool sqlite_in_use(const char *path);
bool sqlite_in_use(const char *path)
{
	sqlite3 *db = NULL;
	bool busy = false;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	fclose(f);
	pthread_once(&g_sq_once, sq_global_init);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return false;
	}
	sqlite3_busy_timeout(db, 200);
	if (sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; SELECT count(*) FROM sqlite_schema",
			 NULL, NULL, NULL) != SQLITE_OK)
		busy = (sqlite3_errcode(db) & 0xff) == SQLITE_BUSY;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return busy;
}

static int sq_integrity(struct db_conn *c, problem_cb cb, void *ud, int64_t *problems, struct jw_error *err)
{
	(void)err;
	return integrity_db(((struct sq_conn *)c)->db, cb, ud, problems);
}

const struct db_conn_ops sqlite_db = {
	.name = "sqlite",
	.dialect = &dialect_sqlite,
	.open = sq_open,
	.close = sq_close,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.exec = sq_exec,
	.changes = sq_changes,
	.total_changes = sq_total_changes,
	.failure = sq_failure,
	.tx = sq_tx,
	.backup_to = sq_backup_to,
	.integrity = sq_integrity,
};

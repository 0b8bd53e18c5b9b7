/*
 * pg.c — the PostgreSQL driver of the store (store/sqldb.h), over libpq.
 *
 * The store's SQL (store/sql.c) is one text for both back ends; what
 * PostgreSQL reads differently is settled in three places:
 *   - the dialect table (store/dialect.c: begin, JSON object, full text);
 *   - the schema (migrations.h pg_migrations), which also gives the few
 *     functions SQLite has built in under the same names (json_extract,
 *     json_set on text; jw_reverse) and a `rowid` column where SQLite's
 *     implicit one is read (meta, community, the full-text tables);
 *   - pg_text() below, the text rules applied once when a statement is
 *     prepared: "?N" and "?" become "$N"; "a IS NOT b" (b not NULL)
 *     becomes "a IS DISTINCT FROM b"; SQLite's "INDEXED BY name" hint goes.
 *
 * A statement is prepared once per connection (PQprepare, named "jwN")
 * and run with its values as text (PQexecPrepared); a step walks the rows
 * of the result.  Writers take one advisory lock for the transaction
 * (pg_advisory_xact_lock), so writes are serialised as on SQLite — across
 * every `juwei serve` process on the database, not just within one.
 */
#include <ctype.h>
#include <stdarg.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "store/dialect.h"
#include "store/migrations.h"
#include "store/sqldb.h"

#define PG_WRITE_LOCK "SELECT pg_advisory_xact_lock(7013001)"
#define PG_MIGRATE_LOCK "SELECT pg_advisory_xact_lock(7013002)"

struct pg_conn {
	struct db_conn base;
	PGconn *pg;
	unsigned long seq;          /* names of prepared statements */
	int64_t changes, total;
	bool bulk;                  /* TX_BULK_ON: a big load in one transaction */
	int64_t bulk_rows, bulk_next_analyze;
	char sqlstate[6];
	char field[64];             /* a unique key's first column */
	char msg[256];              /* the primary message, values cut off */
	struct buf copy;            /* COPY rows not yet sent */
	bool copy_failed;
};

struct pg_stmt {
	struct db_stmt base;
	struct pg_conn *c;
	char name[24];
	int nparams;
	bool writes;                /* INSERT, UPDATE or DELETE */
	char *vals[PG_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	bool ran;
};

/* ---- the last failure ---- */

static void note_failure(struct pg_conn *c, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *prim = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "");
	if (!prim)
		prim = PQerrorMessage(c->pg);
	/* 'invalid input syntax for type bigint: "…"': the value is not kept */
	const char *cut = strstr(prim, ": \"");
	int n = cut ? (int)(cut - prim) : (int)strcspn(prim, "\n");
	snprintf(c->msg, sizeof(c->msg), "%.*s", n, prim);
	c->field[0] = 0;
	/* "Key (id_number, doc_type)=(…) already exists." */
	const char *k = detail ? strstr(detail, "Key (") : NULL;
	if (k) {
		k += 5;
		size_t len = strcspn(k, ",)");
		snprintf(c->field, sizeof(c->field), "%.*s", (int)len, k);
	}
}

static enum db_failure pg_failure(struct db_conn *dc, char *field, size_t n, const char **msg)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	*msg = c->msg;
	if (n)
		snprintf(field, n, "%s", c->field);
	const char *s = c->sqlstate;
	if (strcmp(s, "23505") == 0)
		return DBF_UNIQUE;
	if (strcmp(s, "23503") == 0)
		return DBF_FOREIGN;
	if (strcmp(s, "23514") == 0 || strcmp(s, "23502") == 0)
		return DBF_CHECK;
	if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0 || strcmp(s, "55P03") == 0 ||
	    strcmp(s, "57014") == 0)
		return DBF_BUSY;
	return DBF_OTHER;
}

/* ---- the text rules ---- */

static bool word_at(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncasecmp(p, w, n) == 0 && !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* The statement as PostgreSQL reads it (see the header); *nparams: the
 * highest placeholder; used[i]: placeholder i+1 appears. */
char *pg_text(const char *sql, int *nparams, bool *used)
{
	struct buf b = BUF_INIT;
	int next = 1, max = 0;
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') {   /* a literal or a quoted name: as it is */
			char q = *p;
			const char *e = p + 1;
			while (*e && !(*e == q && e[1] != q))
				e += (*e == q) ? 2 : 1;
			if (*e)
				e++;
			buf_add(&b, p, (size_t)(e - p));
			p = e;
			continue;
		}
		if (*p == '?') {
			int n = 0;
			const char *e = p + 1;
			while (isdigit((unsigned char)*e))
				n = n * 10 + (*e++ - '0');
			if (e == p + 1)
				n = next;
			next = n + 1;
			if (n > max)
				max = n;
			if (n >= 1 && n <= PG_MAX_PARAMS)
				used[n - 1] = true;
			buf_addf(&b, "$%d", n);
			p = e;
			continue;
		}
		bool boundary = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		if (boundary && word_at(p, "IS")) {
			const char *e = p + 2;
			while (*e == ' ')
				e++;
			if (word_at(e, "NOT")) {
				const char *f = e + 3;
				while (*f == ' ')
					f++;
				if (!word_at(f, "NULL")) {
					buf_adds(&b, "IS DISTINCT FROM ");
					p = f;
					continue;
				}
			}
		}
		if (boundary && word_at(p, "INDEXED")) {
			const char *e = p + 7;
			while (*e == ' ')
				e++;
			if (word_at(e, "BY")) {
				e += 2;
				while (*e == ' ')
					e++;
				while (isalnum((unsigned char)*e) || *e == '_')
					e++;
				while (*e == ' ')
					e++;
				p = e;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	*nparams = max;
	return buf_detach(&b, NULL);
}

/* ---- statements ---- */

/* A bulk load writes its rows in one transaction, where autovacuum never
 * sees them: the planner would go on thinking the tables small (a unique
 * key found through the community's index, row by row: quadratic).  The
 * transaction's own ANALYZE sees its rows; done as the load doubles. */
static void bulk_rows(struct pg_conn *c, int64_t n)
{
	c->bulk_rows += n;
	if (c->bulk_rows < c->bulk_next_analyze || PQtransactionStatus(c->pg) != PQTRANS_INTRANS)
		return;
	c->bulk_next_analyze = c->bulk_rows * 2;
	PQclear(PQexec(c->pg, "ANALYZE person, person_gram, person_key, household, house, building, ledger_entry"));
}

static struct pg_stmt *P(struct db_stmt *s) { return (struct pg_stmt *)s; }

static void clear_vals(struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
	}
}

static void st_reset(struct db_stmt *ds)
{
	struct pg_stmt *s = P(ds);
	PQclear(s->res);
	s->res = NULL;
	s->ran = false;
	s->row = -1;
	s->nrows = 0;
	clear_vals(s);
}

static void quiet_exec(struct pg_conn *c, const char *sql) { PQclear(PQexec(c->pg, sql)); }

/* The statement between SAVEPOINT and RELEASE, the three sent at once
 * (libpq's pipeline: one round trip, not three); its own result.  When it
 * fails, the RELEASE is skipped by the server and the caller rolls back. */
static PGresult *exec_in_savepoint(struct pg_stmt *s)
{
	PGconn *pg = s->c->pg;
	PGresult *mine = NULL, *r;
	if (!PQenterPipelineMode(pg))
		return PQexecPrepared(pg, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0);
	bool sent = PQsendQueryParams(pg, "SAVEPOINT jw_row", 0, NULL, NULL, NULL, NULL, 0) &&
		    PQsendQueryPrepared(pg, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0) &&
		    PQsendQueryParams(pg, "RELEASE jw_row", 0, NULL, NULL, NULL, NULL, 0) && PQpipelineSync(pg);
	/* the results: SAVEPOINT's, the statement's, RELEASE's, each followed
	 * by NULL, then the sync's */
	for (int k = 0; sent && k < 3; k++) {
		while ((r = PQgetResult(pg)) != NULL) {
			if (k == 1 && !mine)
				mine = r;
			else
				PQclear(r);
		}
	}
	while (sent && (r = PQgetResult(pg)) != NULL) {
		bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	PQexitPipelineMode(pg);
	return mine ? mine : PQmakeEmptyPGresult(pg, PGRES_FATAL_ERROR);
}

static int st_step(struct db_stmt *ds)
{
	struct pg_stmt *s = P(ds);
	if (!s->ran) {
		s->ran = true;
		/* A bulk load goes on past a refused row without a savepoint of
		 * its own (SQLite undoes just the statement); PostgreSQL would
		 * abort the whole transaction, so there each write of a bulk load
		 * is a savepoint. */
		bool sp = s->writes && s->c->bulk && PQtransactionStatus(s->c->pg) == PQTRANS_INTRANS;
		s->res = sp ? exec_in_savepoint(s) : PQexecPrepared(s->c->pg, s->name, s->nparams,
								 (const char *const *)s->vals, NULL, NULL, 0);
		ExecStatusType t = PQresultStatus(s->res);
		if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
			note_failure(s->c, s->res);
			if (sp)
				quiet_exec(s->c, "ROLLBACK TO jw_row; RELEASE jw_row");
			return DB_ERROR;
		}
		const char *ct = PQcmdTuples(s->res);
		s->c->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
		s->c->total += s->c->changes;
		if (s->c->bulk)
			bulk_rows(s->c, s->c->changes);
		s->nrows = t == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	s->row = s->nrows;
	return DB_DONE;
}

static void st_bind_text(struct db_stmt *ds, int i, const char *v)
{
	struct pg_stmt *s = P(ds);
	if (i < 1 || i > s->nparams)
		return;   /* as SQLite: a value for no placeholder is left out */
	free(s->vals[i - 1]);
	s->vals[i - 1] = v ? xstrdup(v) : NULL;
}

static void st_bind_int64(struct db_stmt *ds, int i, int64_t v)
{
	char t[24];
	snprintf(t, sizeof(t), "%lld", (long long)v);
	st_bind_text(ds, i, t);
}

static const char *st_col_text(struct db_stmt *ds, int i)
{
	struct pg_stmt *s = P(ds);
	if (!s->res || s->row < 0 || s->row >= s->nrows || i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static int64_t st_col_int64(struct db_stmt *ds, int i)
{
	const char *v = st_col_text(ds, i);
	if (!v)
		return 0;
	if (v[0] == 't' && !v[1])   /* a boolean */
		return 1;
	return strtoll(v, NULL, 10);
}

static double st_col_double(struct db_stmt *ds, int i)
{
	const char *v = st_col_text(ds, i);
	return v ? strtod(v, NULL) : 0.0;
}

static bool st_col_is_int(struct db_stmt *ds, int i)
{
	struct pg_stmt *s = P(ds);
	if (!s->res || i >= PQnfields(s->res))
		return false;
	Oid t = PQftype(s->res, i);
	return t == 20 || t == 21 || t == 23;   /* int8, int2, int4 */
}

static int st_col_count(struct db_stmt *ds)
{
	struct pg_stmt *s = P(ds);
	return s->res ? PQnfields(s->res) : 0;
}

static const char *st_col_name(struct db_stmt *ds, int i)
{
	struct pg_stmt *s = P(ds);
	return s->res && i < PQnfields(s->res) ? PQfname(s->res, i) : NULL;
}

static const struct db_stmt_ops pg_stmt_ops = {
	.step = st_step, .reset = st_reset, .bind_int64 = st_bind_int64, .bind_text = st_bind_text,
	.col_int64 = st_col_int64, .col_double = st_col_double, .col_text = st_col_text,
	.col_is_int = st_col_is_int, .col_count = st_col_count, .col_name = st_col_name,
};

static struct db_stmt *pg_prepare(struct db_conn *dc, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	bool used[PG_MAX_PARAMS] = { false };
	int n = 0;
	char *text = pg_text(sql, &n, used);
	if (n > PG_MAX_PARAMS) {
		fprintf(stderr, "juwei: store: too many values (%d) in: %.200s\n", n, sql);
		free(text);
		return NULL;
	}
	/* a placeholder that does not appear cannot be typed from its place */
	Oid types[PG_MAX_PARAMS];
	for (int i = 0; i < n; i++)
		types[i] = used[i] ? 0 : 25;   /* text */
	struct pg_stmt *s = xcalloc(1, sizeof(*s));
	s->base.ops = &pg_stmt_ops;
	s->c = c;
	s->nparams = n;
	s->row = -1;
	s->writes = strncmp(sql, "INSERT", 6) == 0 || strncmp(sql, "UPDATE", 6) == 0 || strncmp(sql, "DELETE", 6) == 0 ||
		    strncmp(sql, "WITH", 4) == 0;
	snprintf(s->name, sizeof(s->name), "jw%lu", ++c->seq);
	PGresult *r = PQprepare(c->pg, s->name, text, n, types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		note_failure(c, r);
		fprintf(stderr, "juwei: store: prepare failed: %s\n  in: %.300s\n", c->msg, text);
		PQclear(r);
		free(text);
		free(s);
		return NULL;
	}
	PQclear(r);
	free(text);
	return &s->base;
}

static void pg_finalize(struct db_stmt *ds)
{
	if (!ds)
		return;
	struct pg_stmt *s = P(ds);
	st_reset(ds);
	/* not in a failed transaction (the command would be refused): the
	 * statement then lives on until the connection closes */
	if (PQtransactionStatus(s->c->pg) != PQTRANS_INERROR) {
		char sql[48];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->c->pg, sql));
	}
	free(s);
}

static int pg_exec(struct db_conn *dc, const char *sql)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	PGresult *r = PQexec(c->pg, sql);
	ExecStatusType t = PQresultStatus(r);
	int rc = JW_OK;
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
		note_failure(c, r);
		char f[2];
		const char *m;
		rc = pg_failure(dc, f, sizeof(f), &m) == DBF_BUSY ? JW_EBUSY : JW_ESTORE;
		if (rc == JW_ESTORE)
			fprintf(stderr, "juwei: store: %s\n  in: %.200s\n", c->msg, sql);
	}
	PQclear(r);
	return rc;
}

static int64_t pg_changes(struct db_conn *dc) { return ((struct pg_conn *)dc)->changes; }
static int64_t pg_total_changes(struct db_conn *dc) { return ((struct pg_conn *)dc)->total; }

/* ---- the schema ---- */

static int pg_scalar(struct pg_conn *c, const char *sql, char *out, size_t n)
{
	PGresult *r = PQexec(c->pg, sql);
	int rc = JW_ESTORE;
	out[0] = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
		rc = JW_OK;
	} else {
		note_failure(c, r);
	}
	PQclear(r);
	return rc;
}

/* Brings the database's schema to this program's version, once: a second
 * process that opens it meanwhile waits on the lock, then finds it done. */
static int pg_migrate(struct pg_conn *c, struct jw_error *err)
{
	char v[32];
	if (pg_exec(&c->base, "BEGIN") != JW_OK || pg_exec(&c->base, PG_MIGRATE_LOCK) != JW_OK)
		goto fail;
	if (pg_scalar(c, "SELECT to_regclass('meta')", v, sizeof(v)) != JW_OK ||
	    (v[0] && pg_scalar(c, "SELECT value FROM meta WHERE key = 'schema_version'", v, sizeof(v)) != JW_OK))
		goto fail;
	int version = (int)strtol(v[0] ? v : "0", NULL, 10);
	if (version > SQLITE_MIGRATIONS) {
		pg_exec(&c->base, "ROLLBACK");
		return jw_fail(err, JW_ESTORE, "db", "数据库版本（%d）比本程序新（%d），请升级 juwei", version,
			       SQLITE_MIGRATIONS);
	}
	/* trigram indexes for the full text, where the server has pg_trgm */
	if (version < SQLITE_MIGRATIONS && pg_exec(&c->base, "SAVEPOINT trgm") == JW_OK &&
	    pg_exec(&c->base, "CREATE EXTENSION IF NOT EXISTS pg_trgm") != JW_OK)
		pg_exec(&c->base, "ROLLBACK TO trgm");
	for (int i = version; i < SQLITE_MIGRATIONS; i++) {
		if (!pg_migrations[i])   /* a step of SQLite's history before PostgreSQL came */
			continue;
		if (pg_exec(&c->base, pg_migrations[i]) != JW_OK) {
			pg_exec(&c->base, "ROLLBACK");
			return jw_fail(err, JW_ESTORE, "db", "数据库结构升级到第%d版失败：%s", i + 1, c->msg);
		}
	}
	char sql[160];
	snprintf(sql, sizeof(sql), "INSERT INTO meta(key, value) VALUES('schema_version', '%d')"
		 " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", SQLITE_MIGRATIONS);
	if (version == SQLITE_MIGRATIONS ? pg_exec(&c->base, "COMMIT") != JW_OK
					 : pg_exec(&c->base, sql) != JW_OK || pg_exec(&c->base, "COMMIT") != JW_OK)
		goto fail;
	return JW_OK;
fail:
	pg_exec(&c->base, "ROLLBACK");
	return jw_fail(err, JW_ESTORE, "db", "无法建立 PostgreSQL 数据库结构：%s", c->msg);
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;   /* NOTICEs ("relation exists, skipping") are not news */
}

static struct db_conn *pg_connect(const char *location, bool replica, struct jw_error *err)
{
	struct pg_conn *c = xcalloc(1, sizeof(*c));
	c->base.ops = &pg_db;
	/* a replica that does not answer is given up after 2 s (then skipped) */
	const char *keys[] = { "dbname", "connect_timeout", "application_name", NULL };
	const char *vals[] = { location, replica ? "2" : NULL, "juwei", NULL };
	if (!replica) {
		keys[1] = "application_name";
		vals[1] = "juwei";
		keys[2] = NULL;
	}
	c->pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		const char *m = PQerrorMessage(c->pg);
		jw_fail(err, JW_EIO, "db", "无法连接 PostgreSQL 数据库：%.*s；请检查 --db 的地址、用户和密码", (int)strcspn(m, "\n"), m);
		goto fail;
	}
	PQsetNoticeProcessor(c->pg, quiet, NULL);
	if (pg_exec(&c->base, "SET client_encoding = 'UTF8'; SET client_min_messages = warning;"
			      " SET datestyle = 'ISO'; SET TIME ZONE 'Asia/Shanghai'") != JW_OK) {
		jw_fail(err, JW_EIO, "db", "PostgreSQL 连接设置失败：%s", c->msg);
		goto fail;
	}
	if (!replica && pg_migrate(c, err) != JW_OK)
		goto fail;
	return &c->base;
fail:
	PQfinish(c->pg);
	free(c);
	return NULL;
}

static struct db_conn *pg_open(const char *location, struct jw_error *err)
{
	return pg_connect(location, false, err);
}

static struct db_conn *pg_open_replica(const char *location, struct jw_error *err)
{
	return pg_connect(location, true, err);
}

static void pg_close(struct db_conn *dc)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	PQfinish(c->pg);
	buf_release(&c->copy);
	free(c);
}

static int pg_tx(struct db_conn *dc, enum store_tx what)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	int rc;
	switch (what) {
	case TX_BEGIN:
		rc = pg_exec(dc, dialect_postgres.begin_write);
		if (rc == JW_OK && (rc = pg_exec(dc, PG_WRITE_LOCK)) != JW_OK)
			pg_exec(dc, "ROLLBACK");
		return rc;
	case TX_COMMIT:
		return pg_exec(dc, "COMMIT");
	case TX_ROLLBACK:
		return PQtransactionStatus(c->pg) == PQTRANS_IDLE ? JW_OK : pg_exec(dc, "ROLLBACK");
	case TX_ALIVE: {
		PGTransactionStatusType t = PQtransactionStatus(c->pg);
		return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ? JW_OK : JW_ESTORE;
	}
	case TX_BULK_ON:
		c->bulk = true;
		c->bulk_rows = 0;
		c->bulk_next_analyze = 2000;
		return JW_OK;
	case TX_BULK_OFF:
		c->bulk = false;
		return JW_OK;
	case TX_CHECKPOINT:
	case TX_CHECKPOINT_ELSEWHERE:
	case TX_WRITER:
		return JW_OK;   /* the server keeps its own cache and log */
	default:
		return JW_ESTORE;
	}
}

static int pg_backup_to(struct db_conn *dc, const char *path, const volatile int *cancel, struct jw_error *err)
{
	(void)dc;
	(void)path;
	(void)cancel;
	return jw_fail(err, JW_EUSAGE, "db", "PostgreSQL 存储的备份由数据库服务器完成（pg_dump 或流复制），juwei backup 只备份 SQLite 文件");
}

/* A check statement with a text parameter, in a savepoint when a
 * transaction is open (a failed check must not abort it); the result (the
 * caller clears it), NULL with *why the server's message when it failed. */
static PGresult *check_exec(struct pg_conn *c, const char *sql, const char *arg, char *why, size_t n)
{
	bool sp = PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
	if (sp)
		quiet_exec(c, "SAVEPOINT jw_check");
	PGresult *r = PQexecParams(c->pg, sql, arg ? 1 : 0, NULL, arg ? &arg : NULL, NULL, NULL, 0);
	ExecStatusType t = PQresultStatus(r);
	if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
		if (sp)
			quiet_exec(c, "RELEASE jw_check");
		return r;
	}
	const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	snprintf(why, n, "%.200s", m ? m : "未知错误");
	PQclear(r);
	if (sp)
		quiet_exec(c, "ROLLBACK TO jw_check; RELEASE jw_check");
	return NULL;
}

static int check_problem(problem_cb cb, void *ud, int64_t *problems, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int check_problem(problem_cb cb, void *ud, int64_t *problems, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	(*problems)++;
	return cb ? cb(line, ud) : JW_OK;
}

/* The server's own check of its pages (the contrib module amcheck): every
 * B-tree index of the store's schema against its table (bt_index_check
 * with heapallindexed) and every table's pages (verify_heapam).  Where
 * amcheck cannot be had (the role may not create it, or run it), that is
 * said as a problem: the store was not checked. */
static int pg_integrity(struct db_conn *dc, problem_cb cb, void *ud, int64_t *problems, struct jw_error *err)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	char v[16], why[256];
	*problems = 0;
	if (pg_scalar(c, "SELECT 1", v, sizeof(v)) != JW_OK)
		return jw_fail(err, JW_ESTORE, "db", "PostgreSQL 数据库无法读取");
	if (pg_scalar(c, "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'", v, sizeof(v)) != JW_OK)
		return jw_fail(err, JW_ESTORE, "db", "PostgreSQL 数据库无法读取");
	PGresult *r;
	if (strcmp(v, "0") == 0) {
		if (!(r = check_exec(c, "CREATE EXTENSION IF NOT EXISTS amcheck", NULL, why, sizeof(why))))
			return check_problem(cb, ud, problems,
					     "索引和数据页未能检查：PostgreSQL 未启用 amcheck 扩展（%s）；请数据库管理员在本库执行"
					     " CREATE EXTENSION amcheck 并授予执行权限",
					     why);
		PQclear(r);
	}
	static const char *const lists[2] = {
		"SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
		" JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace s ON s.oid = c.relnamespace"
		" WHERE a.amname = 'btree' AND s.nspname = current_schema() AND i.indisvalid AND i.indisready"
		" ORDER BY 1",
		"SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace"
		" WHERE c.relkind = 'r' AND s.nspname = current_schema() ORDER BY 1",
	};
	int rc = JW_OK;
	for (int k = 0; rc == JW_OK && k < 2; k++) {
		PGresult *list = check_exec(c, lists[k], NULL, why, sizeof(why));
		if (!list)
			return jw_fail(err, JW_ESTORE, "db", "PostgreSQL 数据库无法读取：%s", why);
		for (int i = 0; rc == JW_OK && i < PQntuples(list); i++) {
			const char *name = PQgetvalue(list, i, 0);
			if (k == 0) {
				if (!(r = check_exec(c, "SELECT bt_index_check($1::regclass, true)", name, why, sizeof(why))))
					rc = check_problem(cb, ud, problems, "索引 %s 检查未通过：%s", name, why);
				else
					PQclear(r);
				continue;
			}
			if (!(r = check_exec(c, "SELECT blkno, offnum, msg FROM verify_heapam($1::regclass) LIMIT 5", name,
					     why, sizeof(why)))) {
				rc = check_problem(cb, ud, problems, "表 %s 检查未通过：%s", name, why);
				continue;
			}
			for (int j = 0; rc == JW_OK && j < PQntuples(r); j++)
				rc = check_problem(cb, ud, problems, "表 %s 数据页损坏（第%s页第%s行）：%s", name,
						   PQgetvalue(r, j, 0), PQgetvalue(r, j, 1), PQgetvalue(r, j, 2));
			PQclear(r);
		}
		PQclear(list);
	}
	return rc;
}

/* ---- COPY: a load of many rows (store_copy) ---- */

static int pg_copy_begin(struct db_conn *dc, const char *table, const char *cols)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	struct buf sql = BUF_INIT;
	buf_addf(&sql, "COPY %s (%s) FROM STDIN", table, cols);
	PGresult *r = PQexec(c->pg, buf_cstr(&sql));
	buf_release(&sql);
	bool ok = PQresultStatus(r) == PGRES_COPY_IN;
	if (!ok)
		note_failure(c, r);
	PQclear(r);
	buf_reset(&c->copy);
	c->copy_failed = !ok;
	return ok ? JW_OK : JW_ESTORE;
}

static int copy_flush(struct pg_conn *c)
{
	if (c->copy.len && PQputCopyData(c->pg, c->copy.data, (int)c->copy.len) != 1)
		c->copy_failed = true;
	buf_reset(&c->copy);
	return c->copy_failed ? JW_ESTORE : JW_OK;
}

/* One row in COPY's text format: tab between values, \N for NULL, and
 * the backslash, tab, newline and carriage return escaped. */
static int pg_copy_row(struct db_conn *dc, const char *const *vals, int n)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	if (c->copy_failed)
		return JW_ESTORE;
	for (int i = 0; i < n; i++) {
		if (i)
			buf_addc(&c->copy, '\t');
		if (!vals[i]) {
			buf_adds(&c->copy, "\\N");
			continue;
		}
		for (const char *p = vals[i]; *p; p++) {
			switch (*p) {
			case '\\': buf_adds(&c->copy, "\\\\"); break;
			case '\t': buf_adds(&c->copy, "\\t"); break;
			case '\n': buf_adds(&c->copy, "\\n"); break;
			case '\r': buf_adds(&c->copy, "\\r"); break;
			default: buf_addc(&c->copy, *p);
			}
		}
	}
	buf_addc(&c->copy, '\n');
	return c->copy.len >= 256 * 1024 ? copy_flush(c) : JW_OK;
}

static int pg_copy_end(struct db_conn *dc)
{
	struct pg_conn *c = (struct pg_conn *)dc;
	copy_flush(c);
	int rc = JW_OK;
	if (PQputCopyEnd(c->pg, c->copy_failed ? "juwei: copy stopped" : NULL) != 1)
		rc = JW_ESTORE;
	PGresult *r;
	while ((r = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			note_failure(c, r);
			rc = JW_ESTORE;
		}
		PQclear(r);
	}
	buf_release(&c->copy);
	return c->copy_failed ? JW_ESTORE : rc;
}

const struct db_conn_ops pg_db = {
	.name = "postgres",
	.dialect = &dialect_postgres,
	.open = pg_open,
	.open_replica = pg_open_replica,
	.close = pg_close,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.exec = pg_exec,
	.changes = pg_changes,
	.total_changes = pg_total_changes,
	.failure = pg_failure,
	.tx = pg_tx,
	.backup_to = pg_backup_to,
	.integrity = pg_integrity,
	.copy_begin = pg_copy_begin,
	.copy_row = pg_copy_row,
	.copy_end = pg_copy_end,
};

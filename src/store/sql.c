/*
 * sql.c — the store's SQL, one text for every SQL back end.
 *
 * Every operation of store.h is built here from the kinds' declarations
 * (model/kind.h: column names come only from those declarations) and the
 * dialect table (store/dialect.h), and run through a driver
 * (store/sqldb.h): store/sqlite.c for a SQLite file, store/pg.c for a
 * PostgreSQL database.  Values are always bound.  One struct sql_priv per
 * connection: the driver's connection and a small cache of prepared
 * statements keyed by their SQL text.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "store/derive.h"
#include "store/dialect.h"
#include "store/tally.h"
#include "store/sqldb.h"
#include "store/store.h"

#define STMT_CACHE 128

struct stmt_slot {
	struct db_conn *conn;   /* the connection it is prepared on */
	char *sql;
	uint64_t hash;          /* FNV-1a of sql: compared before the text */
	struct db_stmt *stmt;
	unsigned long used;
};

/* A person's full-text row kept until the transaction's end (fts_defer). */
struct fts_row {
	int level;        /* the store's txdepth when it was made */
	bool active;
	int64_t id;
	char *v[3];       /* id_number, phone, address */
};
#define FTS_PENDING_MAX 512

/* A read replica (store_add_replica): opened when first wanted; one that
 * does not answer is left alone for REPLICA_RETRY_S, then tried again. */
#define MAX_REPLICAS 4
#define REPLICA_RETRY_S 5
struct replica {
	char *location;
	struct db_conn *conn;
	int64_t retry_at;
};

struct sql_priv {
	struct db_conn *conn;
	const struct dialect *d;
	const struct db_conn_ops *drv;
	struct replica rep[MAX_REPLICAS];
	int nrep, next_rep;
	int reading_on;             /* the replica whose read transaction is open, or -1 */
	bool read_wanted;           /* inside TX_READ_BEGIN … END */
	bool read_own;              /* TX_READ_OWN, or no replica answered: the primary */
	bool single_community;      /* the store holds at most one community */
	struct fts_row *fts;        /* full-text rows not yet written */
	int nfts, capfts;
	struct stmt_slot cache[STMT_CACHE];
	unsigned long tick;
};

static struct db_conn *CONN(struct store *st) { return ((struct sql_priv *)st->priv)->conn; }
static const struct dialect *D(struct store *st) { return ((struct sql_priv *)st->priv)->d; }
static int64_t db_changes(struct store *st) { return CONN(st)->ops->changes(CONN(st)); }
static bool db_failed_unique(struct store *st)
{
	char field[8];
	const char *msg;
	return CONN(st)->ops->failure(CONN(st), field, sizeof(field), &msg) == DBF_UNIQUE;
}

/* The last failure in words: a clash of a unique key names its field. */
static int db_fail(struct store *st, struct jw_error *err, const char *what)
{
	char field[64] = "";
	const char *msg = "";
	switch (CONN(st)->ops->failure(CONN(st), field, sizeof(field), &msg)) {
	case DBF_UNIQUE:
		if (strcmp(field, "id_number") == 0)
			return jw_fail(err, JW_ECONFLICT, field, "该证件号码已登记在册，请勿重复登记；可搜索该号码找到已有记录");
		return jw_fail(err, JW_ECONFLICT, field, "与已有记录重复（%s），请修改后再提交", field);
	case DBF_FOREIGN:
		return jw_fail(err, JW_EINVAL, "", "引用的记录不存在，请检查所选的网格、楼栋、房屋或户");
	case DBF_CHECK:
		return jw_fail(err, JW_EINVAL, "", "数据不符合要求：%s", msg);
	case DBF_BUSY:
		return jw_fail(err, JW_EBUSY, "", NULL);
	case DBF_OTHER:
		break;
	}
	fprintf(stderr, "juwei: store: %s failed: %s\n", what, msg);
	return jw_fail(err, JW_ESTORE, "", NULL);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Returns a reset statement for sql on connection c from the cache,
 * preparing it on a miss. */
static struct db_stmt *stmt_on(struct store *st, struct db_conn *c, const char *sql)
{
	struct sql_priv *p = st->priv;
	struct stmt_slot *victim = &p->cache[0];
	uint64_t h = fnv1a(sql);
	p->tick++;
	for (int i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *s = &p->cache[i];
		if (s->sql && s->hash == h && s->conn == c && strcmp(s->sql, sql) == 0) {
			s->used = p->tick;
			db_reset(s->stmt);
			return s->stmt;
		}
		if (!s->sql || s->used < victim->used)
			victim = s;
	}
	struct db_stmt *ps = c->ops->prepare(c, sql);
	if (!ps)
		return NULL;
	if (victim->sql) {
		victim->conn->ops->finalize(victim->stmt);
		free(victim->sql);
	}
	victim->conn = c;
	victim->sql = xstrdup(sql);
	victim->hash = h;
	victim->stmt = ps;
	victim->used = p->tick;
	return ps;
}

/* Forgets the statements of connection c (before it is closed). */
static void stmt_forget(struct sql_priv *p, struct db_conn *c)
{
	for (int i = 0; i < STMT_CACHE; i++)
		if (p->cache[i].sql && p->cache[i].conn == c) {
			c->ops->finalize(p->cache[i].stmt);
			free(p->cache[i].sql);
			p->cache[i].sql = NULL;
		}
}

static void replica_down(struct sql_priv *p, int i)
{
	struct replica *r = &p->rep[i];
	if (r->conn) {
		stmt_forget(p, r->conn);
		r->conn->ops->close(r->conn);
		r->conn = NULL;
	}
	r->retry_at = now_s() + REPLICA_RETRY_S;
	if (p->reading_on == i)
		p->reading_on = -1;
}

/* The replica a GET's reads go to: its read transaction begun on the
 * first read; NULL when none answers (the primary then reads). */
static struct db_conn *replica_for_read(struct sql_priv *p)
{
	if (p->reading_on >= 0)
		return p->rep[p->reading_on].conn;
	int64_t now = now_s();
	for (int k = 0; k < p->nrep; k++) {
		int i = (p->next_rep + k) % p->nrep;
		struct replica *r = &p->rep[i];
		if (now < r->retry_at)
			continue;
		struct jw_error e;
		if (!r->conn && !(r->conn = p->drv->open_replica(r->location, &e))) {
			replica_down(p, i);
			continue;
		}
		if (r->conn->ops->exec(r->conn, p->d->begin_read ? p->d->begin_read : "BEGIN") != JW_OK) {
			replica_down(p, i);   /* it stopped answering: skipped, tried again later */
			continue;
		}
		p->reading_on = i;
		p->next_rep = (i + 1) % p->nrep;   /* the replicas take turns */
		return r->conn;
	}
	p->read_own = true;
	return NULL;
}

/* A statement on the connection it belongs to: a GET's reads on a replica
 * when there is one (the accounts and sessions always on the primary: a
 * login is read back at once, and a lock holds at once), the rest on the
 * primary. */
static struct db_stmt *stmt(struct store *st, const char *sql)
{
	struct sql_priv *p = st->priv;
	struct db_conn *c = NULL;
	if (p->read_wanted && !p->read_own && p->nrep && strncmp(sql, "SELECT", 6) == 0 &&
	    !strstr(sql, " FROM app_user") && !strstr(sql, " FROM session"))
		c = replica_for_read(p);
	return stmt_on(st, c ? c : p->conn, sql);
}

static void bind_text(struct db_stmt *s, int i, const char *v) { db_bind_text(s, i, v); }
static const char *col_text(struct db_stmt *s, int i) { return db_col_text(s, i); }

static int exec(struct store *st, const char *sql) { return CONN(st)->ops->exec(CONN(st), sql); }

/* The new row's id, from the INSERT's RETURNING id (one row, then done). */
static int64_t returned_id(struct db_stmt *s)
{
	int64_t id = db_col_int64(s, 0);
	db_step(s);
	return id;
}

const struct db_conn_ops *db_driver_for(const char **location)
{
	if (strncmp(*location, "postgres://", 11) == 0 || strncmp(*location, "postgresql://", 13) == 0)
		return &pg_db;
	if (strncmp(*location, "sqlite:", 7) == 0)
		*location += 7;
	return &sqlite_db;
}

static int sq_open(struct store *st, const char *location, struct jw_error *err)
{
	const struct db_conn_ops *drv = db_driver_for(&location);
	struct db_conn *c = drv->open(location, err);
	if (!c)
		return err ? err->code : JW_ESTORE;
	struct sql_priv *p = xcalloc(1, sizeof(*p));
	p->conn = c;
	p->d = drv->dialect;
	p->drv = drv;
	p->reading_on = -1;
	st->priv = p;
	p->single_community = true;
	struct db_stmt *cs = stmt(st, "SELECT count(*) FROM community");
	if (cs && db_step(cs) == DB_ROW)
		p->single_community = db_col_int(cs, 0) <= 1;
	if (cs)
		db_reset(cs);
	return JW_OK;
}

/* ---- full-text rows at the transaction's end ----
 *
 * FTS5 writes what it holds to disk at every savepoint, and every statement
 * of a transaction that holds an FTS5 change opens one: a full-text row
 * written among a request's other statements is flushed again and again,
 * and a group of requests (http/server.c) writes a segment per request.
 * So a person's full-text row waits in memory until the outermost commit
 * (or until a search or a check needs it), tagged with the level it was
 * made at: rolling back to a savepoint drops the rows made inside it. */

static void fts_drop(struct sql_priv *p, int above)
{
	int k = 0;
	for (int i = 0; i < p->nfts; i++) {
		if (p->fts[i].level > above) {
			for (int j = 0; j < 3; j++)
				free(p->fts[i].v[j]);
		} else {
			p->fts[k++] = p->fts[i];
		}
	}
	p->nfts = k;
}

/* A released savepoint's rows belong to the level around it. */
static void fts_lower(struct sql_priv *p, int to)
{
	for (int i = 0; i < p->nfts; i++)
		if (p->fts[i].level > to)
			p->fts[i].level = to;
}

static int fts_write(struct store *st, int64_t id, bool active, const char *idn, const char *phone,
		     const char *addr)
{
	struct db_stmt *s = stmt(st, active ? "INSERT INTO person_fts(rowid, id_number, phone, address) VALUES(?,?,?,?)"
					  : "INSERT INTO person_fts_gone(rowid, id_number, phone, address) VALUES(?,?,?,?)");
	if (!s)
		return JW_ESTORE;
	db_bind_int64(s, 1, id);
	bind_text(s, 2, idn);
	bind_text(s, 3, phone);
	bind_text(s, 4, addr);
	return db_step(s) == DB_DONE ? JW_OK : JW_ESTORE;
}

/* Writes the rows kept; on failure the transaction is to be rolled back. */
static int fts_flush(struct store *st)
{
	struct sql_priv *p = st->priv;
	int rc = JW_OK;
	for (int i = 0; i < p->nfts && rc == JW_OK; i++) {
		struct fts_row *f = &p->fts[i];
		rc = fts_write(st, f->id, f->active, f->v[0], f->v[1], f->v[2]);
	}
	fts_drop(p, -1);
	return rc;
}

static int fts_defer(struct store *st, int64_t id, bool active, const char *idn, const char *phone,
		     const char *addr)
{
	struct sql_priv *p = st->priv;
	if (st->txdepth <= 0)   /* no transaction to wait for */
		return fts_write(st, id, active, idn, phone, addr);
	if (p->nfts >= FTS_PENDING_MAX) {
		int rc = fts_flush(st);
		if (rc != JW_OK)
			return rc;
	}
	if (p->nfts == p->capfts) {
		p->capfts = p->capfts ? p->capfts * 2 : 64;
		p->fts = xrealloc(p->fts, (size_t)p->capfts * sizeof(*p->fts));
	}
	p->fts[p->nfts++] = (struct fts_row){ .level = st->txdepth, .active = active, .id = id,
					      .v = { idn ? xstrdup(idn) : NULL, phone ? xstrdup(phone) : NULL,
						     addr ? xstrdup(addr) : NULL } };
	return JW_OK;
}

static void sq_close(struct store *st)
{
	struct sql_priv *p = st->priv;
	if (!p)
		return;
	for (int i = 0; i < STMT_CACHE; i++) {
		if (p->cache[i].sql) {
			p->cache[i].conn->ops->finalize(p->cache[i].stmt);
			free(p->cache[i].sql);
		}
	}
	for (int i = 0; i < p->nrep; i++) {
		if (p->rep[i].conn)
			p->rep[i].conn->ops->close(p->rep[i].conn);
		free(p->rep[i].location);
	}
	fts_drop(p, -1);
	free(p->fts);
	p->conn->ops->close(p->conn);
	free(p);
}

static int sq_commit(struct store *st)
{
	if (fts_flush(st) != JW_OK)
		return JW_ESTORE;   /* store_commit rolls back */
	return CONN(st)->ops->tx(CONN(st), TX_COMMIT);
}

static int sq_rollback(struct store *st)
{
	fts_drop(st->priv, -1);
	return CONN(st)->ops->tx(CONN(st), TX_ROLLBACK);
}

static int savepoint_sql(struct store *st, const char *fmt, int level)
{
	char sql[96];
	snprintf(sql, sizeof(sql), fmt, level, level);
	if (strchr(sql, ';'))
		return exec(st, sql);
	struct db_stmt *s = stmt(st, sql);   /* the same few texts again and again */
	return s && db_step(s) == DB_DONE ? JW_OK : JW_ESTORE;
}

static int sq_savepoint(struct store *st, int level) { return savepoint_sql(st, "SAVEPOINT jw%d", level); }
static int sq_release(struct store *st, int level)
{
	fts_lower(st->priv, level);
	return savepoint_sql(st, "RELEASE jw%d", level);
}
static int sq_rollback_to(struct store *st, int level)
{
	fts_drop(st->priv, level);
	return savepoint_sql(st, "ROLLBACK TO jw%d; RELEASE jw%d", level);
}

/* A read-only request's statements share one snapshot and one lock cycle. */
static int sq_read_begin(struct store *st)
{
	struct sql_priv *p = st->priv;
	int rc = JW_OK;
	if (D(st)->begin_read) {
		struct db_stmt *s = stmt_on(st, p->conn, D(st)->begin_read);
		rc = s && db_step(s) == DB_DONE ? JW_OK : JW_ESTORE;
	}
	p->read_wanted = rc == JW_OK;   /* a replica's transaction begins with its first read */
	p->read_own = false;
	return rc;
}

static int sq_read_end(struct store *st)
{
	struct sql_priv *p = st->priv;
	if (p->reading_on >= 0) {
		struct db_conn *r = p->rep[p->reading_on].conn;
		if (r->ops->exec(r, "COMMIT") != JW_OK)
			replica_down(p, p->reading_on);
		p->reading_on = -1;
	}
	p->read_wanted = p->read_own = false;
	if (!D(st)->begin_read)
		return JW_OK;
	struct db_stmt *s = stmt_on(st, p->conn, "COMMIT");
	if (s && db_step(s) == DB_DONE)
		return JW_OK;
	exec(st, "ROLLBACK");
	return JW_ESTORE;
}

static int sq_replica_add(struct store *st, const char *location, struct jw_error *err)
{
	struct sql_priv *p = st->priv;
	if (!p->drv->open_replica)
		return jw_fail(err, JW_EUSAGE, "db-replica", "只读副本只用于 PostgreSQL 存储（--db postgres://…）");
	if (p->nrep >= MAX_REPLICAS)
		return jw_fail(err, JW_EUSAGE, "db-replica", "最多 %d 个只读副本", MAX_REPLICAS);
	const char *loc = location;
	if (db_driver_for(&loc) != p->drv)
		return jw_fail(err, JW_EUSAGE, "db-replica", "只读副本“%s”应与 --db 是同一种数据库（postgres://…）", location);
	p->rep[p->nrep++] = (struct replica){ .location = xstrdup(location) };
	return JW_OK;
}

static int sq_tx(struct store *st, enum store_tx what, int level)
{
	switch (what) {
	case TX_COMMIT: return sq_commit(st);
	case TX_ROLLBACK: return sq_rollback(st);
	case TX_SAVEPOINT: return sq_savepoint(st, level);
	case TX_RELEASE: return sq_release(st, level);
	case TX_ROLLBACK_TO: return sq_rollback_to(st, level);
	case TX_READ_BEGIN: return sq_read_begin(st);
	case TX_READ_END: return sq_read_end(st);
	case TX_READ_OWN:
		((struct sql_priv *)st->priv)->read_own = true;
		return JW_OK;
	default: return CONN(st)->ops->tx(CONN(st), what);
	}
}

/* ---- community ---- */

static int sq_community_insert(struct store *st, const struct community_row *c, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, "INSERT INTO community(code, name, created_at) VALUES(?,?,?)");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, c->code);
	bind_text(s, 2, c->name);
	db_bind_int64(s, 3, now_s());
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	struct db_stmt *cs = stmt(st, "SELECT count(*) FROM community");
	if (cs && db_step(cs) == DB_ROW)
		((struct sql_priv *)st->priv)->single_community = db_col_int(cs, 0) <= 1;
	if (cs)
		db_reset(cs);
	return JW_OK;
}

static int sq_community_list(struct store *st, const char *code, community_cb cb, void *ud, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, code ? "SELECT code, name FROM community WHERE code = ?1"
					  : "SELECT code, name FROM community ORDER BY rowid");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	if (code)
		bind_text(s, 1, code);
	int rc = JW_OK, step, n = 0;
	while ((step = db_step(s)) == DB_ROW) {
		struct community_row c;
		snprintf(c.code, sizeof(c.code), "%s", col_text(s, 0));
		snprintf(c.name, sizeof(c.name), "%s", col_text(s, 1));
		n++;
		if ((rc = cb(&c, ud)) != JW_OK)
			break;
	}
	if (rc == JW_OK && step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
	if (rc == JW_OK && !n)
		rc = code ? jw_fail(err, JW_ENOTFOUND, "community", "数据库中没有代码为 %s 的社区", code)
			  : jw_fail(err, JW_ENOTFOUND, "db", "数据库尚未初始化，请先运行 juwei init");
	return rc;
}

/* ---- generic records ---- */

static void add_col(struct buf *b, const char *name)
{
	buf_addc(b, '"');
	buf_adds(b, name);   /* declared names only: letters and '_' */
	buf_addc(b, '"');
}

static void select_cols(struct buf *b, const struct kind *e, const char *alias)
{
	buf_adds(b, alias);
	buf_adds(b, ".id");
	for (int i = 0; i < e->nfields; i++) {
		buf_addc(b, ',');
		buf_adds(b, alias);
		buf_addc(b, '.');
		add_col(b, e->fields[i].name);
	}
}

static bool is_stamp(const struct field_def *f)
{
	return strcmp(f->name, "created_at") == 0 || strcmp(f->name, "updated_at") == 0;
}

static void row_to_record(struct db_stmt *s, const struct kind *e, struct record *r)
{
	r->id = db_col_int64(s, 0);
	for (int i = 0; i < e->nfields; i++) {
		free(r->v[i]);
		const char *v = col_text(s, i + 1);
		if (v && e->fields[i].type == FT_REAL) {
			char tmp[64];
			snprintf(tmp, sizeof(tmp), "%.2f", db_col_double(s, i + 1));
			r->v[i] = xstrdup(tmp);
		} else {
			r->v[i] = v ? xstrdup(v) : NULL;
		}
		r->given[i] = 0;
	}
}

static int sq_record_insert(struct store *st, const char *community, struct record *r, struct jw_error *err)
{
	const struct kind *e = r->ent;
	struct buf b = BUF_INIT;
	buf_adds(&b, "INSERT INTO ");
	add_col(&b, e->table);
	buf_adds(&b, "(community");
	for (int i = 0; i < e->nfields; i++) {
		buf_addc(&b, ',');
		add_col(&b, e->fields[i].name);
	}
	buf_adds(&b, ") VALUES(?");
	for (int i = 0; i < e->nfields; i++)
		buf_adds(&b, ",?");
	buf_adds(&b, ") RETURNING id");
	struct db_stmt *s = stmt(st, buf_cstr(&b));
	buf_release(&b);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	int64_t now = now_s();
	bind_text(s, 1, community);
	for (int i = 0; i < e->nfields; i++) {
		if (is_stamp(&e->fields[i]))
			db_bind_int64(s, i + 2, now);
		else
			bind_text(s, i + 2, r->v[i]);
	}
	if (db_step(s) != DB_ROW)
		return db_fail(st, err, __func__);
	r->id = returned_id(s);
	return JW_OK;
}

static int sq_record_update(struct store *st, const char *community, const struct record *r, struct jw_error *err)
{
	const struct kind *e = r->ent;
	struct buf b = BUF_INIT;
	int n = 0;
	buf_adds(&b, "UPDATE ");
	add_col(&b, e->table);
	buf_adds(&b, " SET updated_at=?");
	for (int i = 0; i < e->nfields; i++) {
		if (!r->given[i] || is_stamp(&e->fields[i]))
			continue;
		buf_addc(&b, ',');
		add_col(&b, e->fields[i].name);
		buf_adds(&b, "=?");
		n++;
	}
	buf_adds(&b, " WHERE id=? AND community=?");
	struct db_stmt *s = stmt(st, buf_cstr(&b));
	buf_release(&b);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	int k = 1;
	db_bind_int64(s, k++, now_s());
	for (int i = 0; i < e->nfields; i++) {
		if (!r->given[i] || is_stamp(&e->fields[i]))
			continue;
		bind_text(s, k++, r->v[i]);
	}
	db_bind_int64(s, k++, r->id);
	bind_text(s, k, community);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	if (db_changes(st) == 0)
		return jw_fail(err, JW_ENOTFOUND, "id", "找不到该%s记录", e->label);
	return JW_OK;
}

/* "SELECT … WHERE id=? AND community=?" of each entity, built once. */
static char *get_sqls[ENT__COUNT];
static pthread_once_t get_sqls_once = PTHREAD_ONCE_INIT;

static void build_get_sqls(void)
{
	for (int i = 0; i < ENT__COUNT; i++) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "SELECT ");
		select_cols(&b, &entities[i], "t");
		buf_adds(&b, " FROM ");
		add_col(&b, entities[i].table);
		buf_adds(&b, " t WHERE t.id=? AND t.community=?");
		get_sqls[i] = buf_detach(&b, NULL);
	}
}

static const char *get_sql(const struct kind *e)
{
	pthread_once(&get_sqls_once, build_get_sqls);
	return get_sqls[e->id];
}

static int sq_record_get(struct store *st, const char *community, const struct kind *e,
			 int64_t id, struct record *out, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, get_sql(e));
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	db_bind_int64(s, 1, id);
	bind_text(s, 2, community);
	int rc = db_step(s);
	if (rc == DB_DONE)
		return jw_fail(err, JW_ENOTFOUND, "id", "找不到编号为%lld的%s", (long long)id, e->label);
	if (rc != DB_ROW)
		return db_fail(st, err, __func__);
	row_to_record(s, e, out);
	db_reset(s);   /* ends the read transaction: a later write must not meet a stale snapshot */
	return JW_OK;
}

static int sq_record_find(struct store *st, const char *community, const struct kind *e,
			  const char *field, const char *value, int64_t *id, struct jw_error *err)
{
	if (entity_field_index(e, field) < 0)
		return jw_fail(err, JW_EBADREQ, field, "未知字段 %s", field);
	struct buf b = BUF_INIT;
	buf_adds(&b, "SELECT id FROM ");
	add_col(&b, e->table);
	buf_adds(&b, " WHERE community=? AND ");
	add_col(&b, field);
	buf_adds(&b, "=? LIMIT 1");
	struct db_stmt *s = stmt(st, buf_cstr(&b));
	buf_release(&b);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, community);
	bind_text(s, 2, value);
	int rc = db_step(s);
	*id = 0;
	if (rc == DB_ROW)
		*id = db_col_int64(s, 0);
	else if (rc != DB_DONE)
		return db_fail(st, err, __func__);
	db_reset(s);
	return JW_OK;
}

static const char *op_sql(const struct dialect *d, enum filter_op op)
{
	switch (op) {
	case FOP_EQ: return "=?";
	case FOP_LE: return "<=?";
	case FOP_GE: return ">=?";
	case FOP_LT: return "<?";
	case FOP_GT: return ">?";
	case FOP_NE: return d->is_not;
	case FOP_NULL: return " IS NULL";
	case FOP_IN: break;   /* a list of placeholders: its caller's */
	}
	return "=?";
}

/* Pinyin prefix upper bound: "zsf" → "zsf{" ('{' follows 'z'). */
static void prefix_hi(char *out, size_t n, const char *lo)
{
	snprintf(out, n, "%s{", lo);
}

static void reverse_ascii(char *out, size_t n, const char *s)
{
	size_t len = strlen(s);
	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = s[len - 1 - i];
	out[len] = '\0';
}

/* Full-text matching of a person's numbers and address.  SQLite: an FTS5
 * trigram table, the value a phrase limited to the columns ("{id_number
 * phone} : "…"", its double quotes doubled).  PostgreSQL: a plain table
 * with trigram indexes (pg_trgm), the value a case-blind ILIKE pattern
 * ("%…%", its % _ \ escaped). */
static void fts_value(const struct dialect *d, char *out, size_t n, const char *cols, const char *text)
{
	size_t k;
	if (d->fts5) {
		k = cols ? (size_t)snprintf(out, n, strchr(cols, ' ') ? "{%s} : \"" : "%s : \"", cols)
			 : (size_t)snprintf(out, n, "\"");
		for (const char *p = text; *p && k + 3 < n; p++) {
			if (*p == '"')
				out[k++] = '"';
			out[k++] = *p;
		}
	} else {
		k = (size_t)snprintf(out, n, "%%");
		for (const char *p = text; *p && k + 3 < n; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				out[k++] = '\\';
			out[k++] = *p;
		}
	}
	if (k + 2 <= n) {
		out[k++] = d->fts5 ? '"' : '%';
		out[k] = '\0';
	} else {
		out[n - 1] = '\0';
	}
}

/* "SELECT rowid FROM table WHERE <its columns cols (NULL: all) hold the
 * value bound at ph>" (ph: "?1x", "?7"). */
static void fts_ids(const struct dialect *d, struct buf *c, const char *table, const char *cols, const char *ph)
{
	if (d->fts5) {
		buf_addf(c, "SELECT rowid FROM %s WHERE %s MATCH %s", table, table, ph);
		return;
	}
	char all[] = "id_number phone address", *save = NULL;
	char cs[64];
	snprintf(cs, sizeof(cs), "%s", cols ? cols : all);
	buf_addf(c, "SELECT rowid FROM %s WHERE ", table);
	int i = 0;
	for (char *t = strtok_r(cs, " ", &save); t; t = strtok_r(NULL, " ", &save))
		buf_addf(c, "%s%s ILIKE %s", i++ ? " OR " : "", t, ph);
}

/* Builds "FROM … WHERE …" of a list query into b; binds collected in order.
 *
 * A person search is a set of candidate ids taken from the search indexes
 * alone (name grams, pinyin, number trigrams), already restricted to the
 * people on the books unless de-registered ones are wanted; the outer query
 * only adds the other filters.  *bare is set when the candidate set is the
 * whole answer, so that counting need not visit the person rows. */
struct binds {
	const char *v[QUERY_MAX_FILTERS + 12 + QUERY_MAX_IN];
	int n;
	char in[QUERY_MAX_IN * 24 + 64];   /* an IN filter's values, split */
	size_t inlen;
};

static void bind_add(struct binds *bd, const char *v) { bd->v[bd->n++] = v; }

static void person_candidates(const struct dialect *d, const struct query *q, struct buf *c, struct binds *bd,
			      char *hi, size_t hisz, char *match, size_t msz, char *match2)
{
	bool all = !q->active_only;
	switch (q->search) {
	case SEARCH_NAME_GRAM:
		buf_adds(c, all ? "SELECT person_id FROM person_gram WHERE gram IN (?1x, '~' || ?1x)"
				: "SELECT person_id FROM person_gram WHERE gram = ?1x");
		bind_add(bd, q->text);
		break;
	case SEARCH_PINYIN:
		/* one range of person_key; a person matches once however many
		 * of their keys begin with the text */
		prefix_hi(hi, hisz, q->text);
		buf_adds(c, all ? "SELECT person_id FROM person_key WHERE key >= ?1x AND key < ?2x"
				  " UNION SELECT person_id FROM person_key"
				  " WHERE key >= '~' || ?1x AND key < '~' || ?2x"
				: "SELECT DISTINCT person_id FROM person_key WHERE key >= ?1x AND key < ?2x");
		bind_add(bd, q->text);
		bind_add(bd, hi);
		break;
	case SEARCH_NUMBER_ENDS:
		/* match = the text reversed; hi and match2 the ranges' ends */
		reverse_ascii(match, msz, q->text);
		prefix_hi(hi, hisz, match);
		prefix_hi(match2, msz, q->text);
		buf_adds(c, "SELECT id FROM person WHERE id_rev >= ?1x AND id_rev < ?2x");
		buf_adds(c, all ? "" : " AND status = 'active'");
		buf_adds(c, " UNION SELECT id FROM person WHERE phone_rev >= ?1x AND phone_rev < ?2x");
		buf_adds(c, all ? "" : " AND status = 'active'");
		buf_adds(c, " UNION SELECT id FROM person WHERE id_number >= ?3x AND id_number < ?4x");
		buf_adds(c, all ? "" : " AND status = 'active'");
		bind_add(bd, match);
		bind_add(bd, hi);
		bind_add(bd, q->text);
		bind_add(bd, match2);
		break;
	case SEARCH_NUMBER:
		fts_value(d, match, msz, "id_number phone", q->text);
		fts_ids(d, c, "person_fts", "id_number phone", "?1x");
		if (all) {
			buf_adds(c, " UNION ");
			fts_ids(d, c, "person_fts_gone", "id_number phone", "?1x");
		}
		bind_add(bd, match);
		break;
	case SEARCH_NAME_GRAMS:
		/* 3+ characters: names holding its first bigram (checked by LIKE
		 * outside), or addresses holding it */
		fts_value(d, match, msz, "address", q->text);
		(void)match2;
		buf_adds(c, all ? "SELECT person_id FROM person_gram WHERE gram IN (substr(?1x, 1, 2), '~' || substr(?1x, 1, 2))"
				: "SELECT person_id FROM person_gram WHERE gram = substr(?1x, 1, 2)");
		buf_adds(c, " UNION ");
		fts_ids(d, c, "person_fts", "address", "?2x");
		if (all) {
			buf_adds(c, " UNION ");
			fts_ids(d, c, "person_fts_gone", "address", "?2x");
		}
		bind_add(bd, q->text);
		bind_add(bd, match);
		break;
	case SEARCH_TEXT:
		fts_value(d, match, msz, NULL, q->text);
		fts_ids(d, c, "person_fts", NULL, "?1x");
		if (all) {
			buf_adds(c, " UNION ");
			fts_ids(d, c, "person_fts_gone", NULL, "?1x");
		}
		bind_add(bd, match);
		break;
	default:
		break;
	}
}

/* Numbers the "?Nx" placeholders of a candidate subquery after base. */
static void renumber(struct buf *out, const char *sql, int base)
{
	for (const char *p = sql; *p; p++) {
		if (p[0] == '?' && p[1] >= '1' && p[1] <= '9' && p[2] == 'x') {
			buf_addf(out, "?%d", base + (p[1] - '0'));
			p += 2;
		} else {
			buf_addc(out, *p);
		}
	}
}

static int build_where(struct store *st, const char *community, const struct kind *e,
		       const struct query *q, struct buf *b, struct binds *bd, char *hi, size_t hisz,
		       char *match, size_t msz, char *match2, bool *bare, struct jw_error *err)
{
	struct sql_priv *p = st->priv;
	bool person_search = e->id == ENT_PERSON && q->search != SEARCH_NONE && q->text;
	*bare = false;
	if (person_search && p->nfts && fts_flush(st) != JW_OK)   /* the search sees this transaction's */
		return db_fail(st, err, __func__);
	buf_adds(b, " FROM ");
	add_col(b, e->table);
	buf_adds(b, " t WHERE ");
	int conds = 0;
	if (person_search) {
		struct buf c = BUF_INIT;
		struct binds cb = { .n = 0 };
		person_candidates(D(st), q, &c, &cb, hi, hisz, match, msz, match2);
		buf_adds(b, "t.id IN (");
		renumber(b, buf_cstr(&c), bd->n);
		buf_addc(b, ')');
		for (int i = 0; i < cb.n; i++)
			bind_add(bd, cb.v[i]);
		buf_release(&c);
		conds++;
		/* one community in the store: its filter always holds */
		if (!p->single_community) {
			buf_addf(b, " AND t.community=?%d", bd->n + 1);
			bind_add(bd, community);
		}
		if (q->search == SEARCH_NAME_GRAMS) {
			/* the name must hold the whole text, or the address the phrase */
			char ph[16];
			snprintf(ph, sizeof(ph), "?%d", bd->n + 2);
			buf_addf(b, " AND (t.name LIKE '%%' || ?%d || '%%' OR t.id IN (", bd->n + 1);
			fts_ids(D(st), b, "person_fts", "address", ph);
			buf_addc(b, ')');
			bind_add(bd, q->text);
			bind_add(bd, match);
			if (!q->active_only) {
				snprintf(ph, sizeof(ph), "?%d", bd->n + 1);
				buf_adds(b, " OR t.id IN (");
				fts_ids(D(st), b, "person_fts_gone", "address", ph);
				buf_addc(b, ')');
				bind_add(bd, match);
			}
			buf_addc(b, ')');
		}
		*bare = q->nfilters == 0 && p->single_community && q->search != SEARCH_NAME_GRAMS;
	} else {
		if (community) {
			buf_addf(b, "t.community=?%d", bd->n + 1);
			bind_add(bd, community);
		} else {
			buf_adds(b, "1 = 1");   /* every community (maintenance) */
		}
		conds++;
		if (e->id == ENT_PERSON && q->active_only)
			buf_adds(b, " AND t.status='active'");
	}
	for (int i = 0; i < q->nfilters; i++) {
		const struct filter *f = &q->filters[i];
		if (strcmp(f->field, "id") != 0 && entity_field_index(e, f->field) < 0)
			return jw_fail(err, JW_EBADREQ, f->field, "不能按“%s”筛选", f->field);
		buf_adds(b, " AND t.");
		add_col(b, f->field);
		if (f->op == FOP_NULL) {
			buf_adds(b, " IS NULL");
			continue;
		}
		if (f->op == FOP_IN) {
			/* one placeholder a value; one IN filter a query (its values' room) */
			const char *v = f->value ? f->value : "";
			size_t len = strlen(v);
			if (bd->inlen || len + 1 > sizeof(bd->in))
				return jw_fail(err, JW_EBADREQ, f->field, "“%s”的取值太多", f->field);
			memcpy(bd->in, v, len + 1);
			bd->inlen = len + 1;
			buf_adds(b, " IN (");
			int k = 0;
			for (char *one = bd->in, *bar; one; one = bar ? bar + 1 : NULL) {
				if ((bar = strchr(one, '|')))
					*bar = '\0';
				if (k == QUERY_MAX_IN)
					return jw_fail(err, JW_EBADREQ, f->field, "“%s”最多%d个取值", f->field, QUERY_MAX_IN);
				buf_addf(b, "%s?%d", k++ ? ", " : "", bd->n + 1);
				bind_add(bd, one);
			}
			buf_addc(b, ')');
			continue;
		}
		const char *op = op_sql(D(st), f->op);
		buf_add(b, op, strlen(op) - 1);   /* without its '?' */
		buf_addf(b, "?%d", bd->n + 1);
		bind_add(bd, f->value);
	}
	if (!person_search && q->search != SEARCH_NONE && q->text && e->id != ENT_PERSON) {
		/* other entities: a fragment of their title field or address */
		buf_adds(b, " AND (t.");
		add_col(b, e->title_field);
		buf_addf(b, " LIKE '%%' || ?%d || '%%'", bd->n + 1);
		bind_add(bd, q->text);
		if (entity_field_index(e, "address") >= 0 && strcmp(e->title_field, "address") != 0)
			buf_addf(b, " OR t.address LIKE '%%' || ?%d || '%%'", bd->n);
		buf_addc(b, ')');
	}
	(void)conds;
	return JW_OK;
}

static bool tally_answers(const struct kind *k, const struct query *q, const char *const *dims, int ndims,
			  int *col);
static void tally_sql(const struct kind *k, const struct query *q, int ndims, const int *col, bool area,
		      const char *community, const char *lo, const char *hi, struct buf *sql, struct buf *grp,
		      const char **bv, int *nb);
static bool area_range(const char *community, char lo[13], char hi[13]);

/* How many records of a list there are, from the maintained counts when
 * they answer (no search text, every filter counted): 1 when they did
 * (*total set), else JW_OK, or the error. */
static int tally_total(struct store *st, const char *community, const struct kind *e, const struct query *q,
		       int64_t *total, struct jw_error *err)
{
	struct query q2 = *q;
	int col[1];
	if (!community || q->search != SEARCH_NONE || (q->text && *q->text))
		return JW_OK;
	if (e->id == ENT_PERSON && q->active_only && !query_filter(&q2, "status", FOP_EQ, "active"))
		return JW_OK;
	if (!tally_answers(e, &q2, NULL, 0, col))
		return JW_OK;
	struct buf sql = BUF_INIT, grp = BUF_INIT;
	const char *bv[QUERY_MAX_FILTERS + 4];
	int nb = 0, rc = 1;
	char lo[13], hi[13];
	bool area = area_range(community, lo, hi);
	tally_sql(e, &q2, 0, col, area, community, lo, hi, &sql, &grp, bv, &nb);
	struct db_stmt *s = stmt(st, buf_cstr(&sql));
	if (!s) {
		rc = jw_fail(err, JW_ESTORE, "", NULL);
	} else {
		for (int i = 0; i < nb; i++)
			bind_text(s, i + 1, bv[i]);
		if (db_step(s) == DB_ROW)
			*total = db_col_int64(s, 0);
		else
			rc = db_fail(st, err, __func__);
		db_reset(s);
	}
	buf_release(&sql);
	buf_release(&grp);
	return rc;
}

static int sq_record_list(struct store *st, const char *community, const struct kind *e,
			  const struct query *q, record_cb cb, void *ud, int64_t *total,
			  struct jw_error *err)
{
	struct buf where = BUF_INIT, sql = BUF_INIT;
	struct binds bd = { .n = 0 };
	char hi[640], match[600], match2[600];
	bool bare = false;
	int rc = JW_OK;
	struct record r;

	rc = build_where(st, community, e, q, &where, &bd, hi, sizeof(hi), match, sizeof(match),
			 match2, &bare, err);
	if (rc != JW_OK)
		goto out;

	if (total && q->want_total && (rc = tally_total(st, community, e, q, total, err)) == 1) {
		rc = JW_OK;
	} else if (rc != JW_OK) {
		goto out;
	} else if (total && q->want_total) {
		if (bare) {
			/* the candidate ids are the answer: count them from the index */
			const char *w = buf_cstr(&where);
			const char *in = strstr(w, "t.id IN (");
			size_t from = (size_t)(in - w) + 9, len = where.len - from - 1;
			buf_adds(&sql, "SELECT count(*) FROM (");
			buf_add(&sql, w + from, len);
			buf_adds(&sql, ") c");
		} else {
			buf_adds(&sql, "SELECT count(*)");
			buf_add(&sql, where.data, where.len);
		}
		struct db_stmt *s = stmt(st, buf_cstr(&sql));
		if (!s) {
			rc = jw_fail(err, JW_ESTORE, "", NULL);
			goto out;
		}
		for (int i = 0; i < bd.n; i++)
			bind_text(s, i + 1, bd.v[i]);
		if (db_step(s) != DB_ROW) {
			rc = db_fail(st, err, __func__);
			goto out;
		}
		*total = db_col_int64(s, 0);
		db_reset(s);
		buf_reset(&sql);
	}
	if (q->limit <= 0 || !cb)
		goto out;

	/* ORDER BY: a declared field or the id */
	const char *sort = q->sort && *q->sort ? q->sort : "-id";
	bool desc = sort[0] == '-';
	const char *sf = desc ? sort + 1 : sort;
	if (strcmp(sf, "id") != 0 && entity_field_index(e, sf) < 0) {
		rc = jw_fail(err, JW_EBADREQ, "sort", "不能按“%s”排序", sf);
		goto out;
	}
	buf_adds(&sql, "SELECT ");
	select_cols(&sql, e, "t");
	buf_add(&sql, where.data, where.len);
	buf_adds(&sql, " ORDER BY t.");
	add_col(&sql, sf);
	buf_adds(&sql, desc ? " DESC" : " ASC");
	if (strcmp(sf, "id") != 0)
		buf_adds(&sql, desc ? ", t.id DESC" : ", t.id ASC");
	buf_addf(&sql, " LIMIT ?%d OFFSET ?%d", bd.n + 1, bd.n + 2);
	struct db_stmt *s = stmt(st, buf_cstr(&sql));
	if (!s) {
		rc = jw_fail(err, JW_ESTORE, "", NULL);
		goto out;
	}
	for (int i = 0; i < bd.n; i++)
		bind_text(s, i + 1, bd.v[i]);
	db_bind_int64(s, bd.n + 1, q->limit);
	db_bind_int64(s, bd.n + 2, q->offset);
	record_init(&r, e);
	int step;
	while ((step = db_step(s)) == DB_ROW) {
		row_to_record(s, e, &r);
		rc = cb(&r, ud);
		if (rc != JW_OK)
			break;
	}
	record_release(&r);
	if (rc == JW_OK && step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
out:
	buf_release(&where);
	buf_release(&sql);
	return rc;
}

/* ---- person search index ---- */

static int index_rest(struct store *st, int64_t id, const struct person_index *ix, struct jw_error *err);

static int person_index_of(struct store *st, int64_t id, const struct person_index *ix,
			   bool replace, struct jw_error *err)
{
	static const char *const wipe[] = {
		"DELETE FROM person_gram WHERE person_id=?",
		"DELETE FROM person_fts WHERE rowid=?",
		"DELETE FROM person_fts_gone WHERE rowid=?",
		"DELETE FROM person_key WHERE person_id=?",
	};
	struct db_stmt *s;
	if (replace && fts_flush(st) != JW_OK)   /* the rows wiped below may still wait */
		return db_fail(st, err, __func__);
	for (int i = 0; replace && i < 4; i++) {
		if (!(s = stmt(st, wipe[i])))
			return jw_fail(err, JW_ESTORE, "", NULL);
		db_bind_int64(s, 1, id);
		if (db_step(s) != DB_DONE)
			return db_fail(st, err, __func__);
	}
	s = stmt(st, "UPDATE person SET name_py=?, name_ini=?, id_rev=jw_reverse(id_number),"
		     " phone_rev=jw_reverse(phone) WHERE id=?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, ix->name_py);
	bind_text(s, 2, ix->name_ini);
	db_bind_int64(s, 3, id);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	return index_rest(st, id, ix, err);
}

/* A new person's row with its search columns in the one INSERT (an INSERT
 * then an UPDATE would write each of their four indexes twice), then its
 * grams and full-text rows. */
static int person_insert(struct store *st, const char *community, struct record *r,
			    const struct person_index *ix, struct jw_error *err)
{
	const struct kind *e = r->ent;
	struct buf b = BUF_INIT;
	buf_adds(&b, "INSERT INTO person(community");
	for (int i = 0; i < e->nfields; i++) {
		buf_addc(&b, ',');
		add_col(&b, e->fields[i].name);
	}
	buf_adds(&b, ",name_py,name_ini,id_rev,phone_rev) VALUES(?");
	for (int i = 0; i < e->nfields; i++)
		buf_adds(&b, ",?");
	buf_addf(&b, ",?%d,?%d,jw_reverse(?%d),jw_reverse(?%d)) RETURNING id", e->nfields + 2, e->nfields + 3,
		 e->nfields + 4, e->nfields + 5);
	struct db_stmt *s = stmt(st, buf_cstr(&b));
	buf_release(&b);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	int64_t now = now_s();
	bind_text(s, 1, community);
	for (int i = 0; i < e->nfields; i++) {
		if (is_stamp(&e->fields[i]))
			db_bind_int64(s, i + 2, now);
		else
			bind_text(s, i + 2, r->v[i]);
	}
	bind_text(s, e->nfields + 2, ix->name_py);
	bind_text(s, e->nfields + 3, ix->name_ini);
	bind_text(s, e->nfields + 4, ix->id_number);
	bind_text(s, e->nfields + 5, ix->phone);
	if (db_step(s) != DB_ROW)
		return db_fail(st, err, __func__);
	r->id = returned_id(s);
	return index_rest(st, r->id, ix, err);
}

/* The Latin keys of person id; de-registered persons' carry a "~". */
static int index_keys(struct store *st, int64_t id, const struct person_index *ix, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, ix->active ? "INSERT INTO person_key(key, person_id) VALUES(?,?) ON CONFLICT DO NOTHING"
					      : "INSERT INTO person_key(key, person_id) VALUES('~' || CAST(? AS TEXT),?) ON CONFLICT DO NOTHING");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	for (int i = 0; i < ix->nkeys; i++) {
		db_reset(s);
		bind_text(s, 1, ix->keys[i]);
		db_bind_int64(s, 2, id);
		if (db_step(s) != DB_DONE)
			return db_fail(st, err, __func__);
	}
	return JW_OK;
}

static int person_keys(struct store *st, int64_t id, const struct person_index *ix,
			  struct jw_error *err)
{
	struct db_stmt *s = stmt(st, "DELETE FROM person_key WHERE person_id=?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	db_bind_int64(s, 1, id);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	s = stmt(st, "UPDATE person SET name_py=?, name_ini=? WHERE id=?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, ix->name_py);
	bind_text(s, 2, ix->name_ini);
	db_bind_int64(s, 3, id);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	return index_keys(st, id, ix, err);
}

static int bulk_finish(struct store *st, int64_t after_id, struct jw_error *err);

static int sq_person_index(struct store *st, const char *community, struct record *r,
			   const struct person_index *ix, enum person_index_what what, struct jw_error *err)
{
	switch (what) {
	case PI_INSERT: return person_insert(st, community, r, ix, err);
	case PI_ADD: return person_index_of(st, r->id, ix, false, err);
	case PI_REPLACE: return person_index_of(st, r->id, ix, true, err);
	case PI_KEYS: return person_keys(st, r->id, ix, err);
	case PI_BULK_FINISH: return bulk_finish(st, r->id, err);
	}
	return jw_fail(err, JW_EINVAL, "", NULL);
}


/* The keys, the grams and the full-text row of person id. */
static int index_rest(struct store *st, int64_t id, const struct person_index *ix, struct jw_error *err)
{
	struct db_stmt *s;
	int rc = index_keys(st, id, ix, err);
	if (rc != JW_OK)
		return rc;
	/* de-registered persons' grams carry a "~": active searches never meet them */
	s = stmt(st, ix->active ? "INSERT INTO person_gram(gram, person_id) VALUES(?,?) ON CONFLICT DO NOTHING"
				: "INSERT INTO person_gram(gram, person_id) VALUES('~' || CAST(? AS TEXT),?) ON CONFLICT DO NOTHING");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	for (int i = 0; i < ix->ngrams; i++) {
		db_reset(s);
		bind_text(s, 1, ix->grams[i]);
		db_bind_int64(s, 2, id);
		if (db_step(s) != DB_DONE)
			return db_fail(st, err, __func__);
	}
	if (ix->skip_fts)
		return JW_OK;
	if (fts_defer(st, id, ix->active, ix->id_number, ix->phone, ix->address) != JW_OK)
		return db_fail(st, err, __func__);
	return JW_OK;
}

static int bulk_finish(struct store *st, int64_t after_id, struct jw_error *err)
{
	if (fts_flush(st) != JW_OK)
		return db_fail(st, err, __func__);
	/* In ranges: a statement that reads the table it writes gathers its
	 * SELECT first, in memory; 50,000 ids at a time keep that small. */
	struct db_stmt *s = stmt(st, "SELECT max(id) FROM person");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	int64_t max = 0;
	if (db_step(s) == DB_ROW)
		max = db_col_int64(s, 0);
	db_reset(s);
	static const char *const sql[] = {
		"INSERT INTO person_fts(rowid, id_number, phone, address)"
		" SELECT id, id_number, phone, current_address FROM person"
		" WHERE id > ?1 AND id <= ?2 AND status = 'active'"
		"   AND NOT EXISTS (SELECT 1 FROM person_fts f WHERE f.rowid = person.id)",
		"UPDATE household SET size = (SELECT count(*) FROM person p"
		"   WHERE p.household_id = household.id AND p.status = 'active')"
		" WHERE id IN (SELECT household_id FROM person WHERE id > ?1 AND id <= ?2"
		"   AND household_id IS NOT NULL)",
	};
	for (int64_t from = after_id; from < max; from += 50000) {
		for (int k = 0; k < 2; k++) {
			if (!(s = stmt(st, sql[k])))
				return jw_fail(err, JW_ESTORE, "", NULL);
			db_bind_int64(s, 1, from);
			db_bind_int64(s, 2, from + 50000);
			if (db_step(s) != DB_DONE)
				return db_fail(st, err, __func__);
		}
	}
	return JW_OK;
}

static int sq_household_locate(struct store *st, int64_t hh, int64_t house, int64_t building,
			       int64_t grid, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, "UPDATE person SET house_id=?, building_id=?, grid_id=? WHERE household_id=?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
#define BIND_ID(i, v) ((v) > 0 ? db_bind_int64(s, i, v) : db_bind_null(s, i))
	BIND_ID(1, house);
	BIND_ID(2, building);
	BIND_ID(3, grid);
#undef BIND_ID
	db_bind_int64(s, 4, hh);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	return JW_OK;
}

static int sq_relocate(struct store *st, int64_t house, int64_t building, int64_t grid,
		       struct jw_error *err)
{
	static const char *by_house[] = {
		"UPDATE household SET building_id=?1, grid_id=?2 WHERE house_id=?3",
		"UPDATE person SET building_id=?1, grid_id=?2 WHERE house_id=?3",
	};
	static const char *by_building[] = {
		"UPDATE house SET grid_id=?2 WHERE building_id=?1 AND ?3 = 0",
		"UPDATE household SET grid_id=?2 WHERE building_id=?1 AND ?3 = 0",
		"UPDATE person SET grid_id=?2 WHERE building_id=?1 AND ?3 = 0",
	};
	const char *const *sqls = house > 0 ? by_house : by_building;
	int n = house > 0 ? 2 : 3;
	for (int i = 0; i < n; i++) {
		struct db_stmt *s = stmt(st, sqls[i]);
		if (!s)
			return jw_fail(err, JW_ESTORE, "", NULL);
		db_bind_int64(s, 1, building);
		db_bind_int64(s, 2, grid);
		db_bind_int64(s, 3, house > 0 ? house : 0);
		if (db_step(s) != DB_DONE)
			return db_fail(st, err, __func__);
	}
	return JW_OK;
}

static int sq_household_size(struct store *st, int64_t hh, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, "UPDATE household SET size = (SELECT count(*) FROM person"
				   " WHERE household_id = household.id AND status = 'active') WHERE id=?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	db_bind_int64(s, 1, hh);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	return JW_OK;
}

static int sq_place_sync(struct store *st, enum place_sync what, int64_t id, const struct store_place *to,
			 struct jw_error *err)
{
	static const struct store_place none;
	if (!to)
		to = &none;
	switch (what) {
	case PS_HOUSEHOLD_SIZE: return sq_household_size(st, id, err);
	case PS_HOUSEHOLD: return sq_household_locate(st, id, to->house, to->building, to->grid, err);
	case PS_HOUSE: return sq_relocate(st, id, to->building, to->grid, err);
	case PS_BUILDING: return sq_relocate(st, 0, id, to->grid, err);
	}
	return jw_fail(err, JW_EBADREQ, "", NULL);
}

static int sq_building_plan(struct store *st, const char *community, int64_t building_id,
			    plan_cb cb, void *ud, struct jw_error *err)
{
	struct db_stmt *s = stmt(st,
		"SELECT h.id, h.unit, h.floor, h.room, h.\"use\", hh.id, hh.household_no,"
		" (SELECT p.name FROM person p WHERE p.household_id = hh.id AND p.relation = '02'"
		"   AND p.status = 'active' LIMIT 1),"
		" (SELECT count(*) FROM person p WHERE p.household_id = hh.id AND p.status = 'active'),"
		" hh.type,"
		" (SELECT count(*) FROM person p WHERE p.household_id = hh.id AND p.status = 'active'"
		"   AND p.residence_type = 'migrant')"
		" FROM house h LEFT JOIN household hh ON hh.house_id = h.id"
		" WHERE h.building_id = ? AND h.community = ?"
		" ORDER BY h.unit, h.floor DESC, length(h.room), h.room, hh.id");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	db_bind_int64(s, 1, building_id);
	bind_text(s, 2, community);
	int rc = JW_OK, step;
	while ((step = db_step(s)) == DB_ROW) {
		struct plan_cell c = {
			.house_id = db_col_int64(s, 0),
			.unit = db_col_int(s, 1),
			.floor = db_col_int(s, 2),
			.room = col_text(s, 3),
			.use = col_text(s, 4),
			.household_id = db_col_int64(s, 5),
			.household_no = col_text(s, 6),
			.head_name = col_text(s, 7),
			.persons = db_col_int(s, 8),
			.household_type = col_text(s, 9),
			.migrants = db_col_int(s, 10),
		};
		rc = cb(&c, ud);
		if (rc != JW_OK)
			break;
	}
	if (rc == JW_OK && step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
	return rc;
}

#define IN_BUILDING_MAX 16

static int sq_entry_in_building(struct store *st, const char *community, int64_t building_id,
				const char *const *ledgers, int nledgers, entry_cb cb, void *ud,
				struct jw_error *err)
{
	if (nledgers <= 0)
		return JW_OK;
	if (nledgers > IN_BUILDING_MAX)
		return jw_fail(err, JW_EBADREQ, "ledger", "一次最多查询%d个台账", IN_BUILDING_MAX);
	/* ?1 community, ?2 building, ?3… the ledgers; each branch walks the
	 * building's persons, households or houses and looks their open
	 * entries up in ledger_entry_open */
	struct buf in = BUF_INIT, sql = BUF_INIT;
	for (int i = 0; i < nledgers; i++)
		buf_addf(&in, "%s?%d", i ? "," : "", i + 3);
	const char *l = buf_cstr(&in);
	buf_addf(&sql,
		 "SELECT e.id, e.ledger, e.subject, e.subject_id, e.data, p.house_id"
		 " FROM person p JOIN ledger_entry e ON e.subject = 'person' AND e.subject_id = p.id"
		 "  AND e.end_date IS NULL AND e.ledger IN (%s)"
		 " WHERE p.building_id = ?2 AND p.status = 'active' AND e.community = ?1"
		 " UNION ALL SELECT e.id, e.ledger, e.subject, e.subject_id, e.data, ho.id"
		 " FROM house ho JOIN household hh ON hh.house_id = ho.id"
		 " JOIN ledger_entry e ON e.subject = 'household' AND e.subject_id = hh.id"
		 "  AND e.end_date IS NULL AND e.ledger IN (%s)"
		 " WHERE ho.building_id = ?2 AND e.community = ?1"
		 " UNION ALL SELECT e.id, e.ledger, e.subject, e.subject_id, e.data, ho.id"
		 " FROM house ho JOIN ledger_entry e ON e.subject = 'house' AND e.subject_id = ho.id"
		 "  AND e.end_date IS NULL AND e.ledger IN (%s)"
		 " WHERE ho.building_id = ?2 AND e.community = ?1", l, l, l);
	struct db_stmt *s = stmt(st, buf_cstr(&sql));
	buf_release(&in);
	buf_release(&sql);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, community);
	db_bind_int64(s, 2, building_id);
	for (int i = 0; i < nledgers; i++)
		bind_text(s, i + 3, ledgers[i]);
	int rc = JW_OK, step;
	while ((step = db_step(s)) == DB_ROW) {
		struct entry_row e = {
			.id = db_col_int64(s, 0),
			.ledger = col_text(s, 1),
			.subject = col_text(s, 2),
			.subject_id = db_col_int64(s, 3),
			.data = col_text(s, 4),
			.house_id = db_col_int64(s, 5),
		};
		if ((rc = cb(&e, ud)) != JW_OK)
			break;
	}
	if (rc == JW_OK && step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
	return rc;
}

/* ---- users and sessions ---- */

static void row_to_user(struct db_stmt *s, struct user_row *u)
{
	u->id = db_col_int64(s, 0);
	snprintf(u->community, sizeof(u->community), "%s", col_text(s, 1) ? col_text(s, 1) : "");
	snprintf(u->username, sizeof(u->username), "%s", col_text(s, 2));
	snprintf(u->role, sizeof(u->role), "%s", col_text(s, 3));
	u->grid_id = db_col_int64(s, 4);
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", col_text(s, 5));
	u->failed = db_col_int(s, 6);
	u->locked_until = db_col_int64(s, 7);
	u->active = db_col_int(s, 8) != 0;
}

#define USER_COLS "id, community, username, role, grid_id, pwhash, failed, locked_until, active"

/* u->id 0: a new account (sets u->id); else that account's role, grid,
 * password hash, failure count, lock and active flag as u has them. */
static int sq_user_put(struct store *st, struct user_row *u, struct jw_error *err)
{
	bool add = u->id <= 0;
	struct db_stmt *s = stmt(st, add ? "INSERT INTO app_user(community, username, role, grid_id, pwhash, failed,"
					 " locked_until, active, created_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) RETURNING id"
				       : "UPDATE app_user SET role=?3, grid_id=?4, pwhash=?5, failed=?6,"
					 " locked_until=?7, active=?8 WHERE id=?10");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	if (add) {
		bind_text(s, 1, u->community);
		bind_text(s, 2, u->username);
		db_bind_int64(s, 9, now_s());
	} else {
		db_bind_int64(s, 10, u->id);
	}
	bind_text(s, 3, u->role);
	if (u->grid_id > 0)
		db_bind_int64(s, 4, u->grid_id);
	else
		db_bind_null(s, 4);
	bind_text(s, 5, u->pwhash);
	db_bind_int64(s, 6, u->failed);
	db_bind_int64(s, 7, u->locked_until);
	db_bind_int64(s, 8, u->active ? 1 : 0);
	if (db_step(s) != (add ? DB_ROW : DB_DONE)) {
		int rc = db_fail(st, err, __func__);
		if (rc == JW_ECONFLICT)
			jw_fail(err, JW_ECONFLICT, "username", "用户名“%s”已存在", u->username);
		return rc;
	}
	if (add)
		u->id = returned_id(s);
	return JW_OK;
}

static int user_get_by(struct store *st, const char *sql, const char *name, int64_t id,
		       struct user_row *out, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, sql);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	if (name)
		bind_text(s, 1, name);
	else
		db_bind_int64(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_DONE)
		return jw_fail(err, JW_ENOTFOUND, "username", "用户不存在");
	if (rc != DB_ROW)
		return db_fail(st, err, __func__);
	row_to_user(s, out);
	db_reset(s);
	return JW_OK;
}

static int sq_user_get(struct store *st, const char *username, struct user_row *out, struct jw_error *err)
{
	return user_get_by(st, "SELECT " USER_COLS " FROM app_user WHERE username=?", username, 0, out, err);
}

/* s->user_id > 0: a new session; 0: the session s->token_hash seen at
 * s->last_seen (a session that has ended stays ended). */
static int sq_session_put(struct store *st, const struct session_row *ss, struct jw_error *err)
{
	bool add = ss->user_id > 0;
	struct db_stmt *s = stmt(st, add ? "INSERT INTO session(token_hash, user_id, csrf, kind, created_at, last_seen)"
					 " VALUES(?1,?2,?3,?4,?5,?6)"
				       : "UPDATE session SET last_seen=?6 WHERE token_hash=?1");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, ss->token_hash);
	if (add) {
		db_bind_int64(s, 2, ss->user_id);
		bind_text(s, 3, ss->csrf);
		bind_text(s, 4, ss->kind);
		db_bind_int64(s, 5, ss->created_at);
	}
	db_bind_int64(s, 6, ss->last_seen);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	return JW_OK;
}

static int sq_session_get(struct store *st, const char *token_hash, struct session_row *out,
			  struct user_row *user, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, "SELECT u.id, u.community, u.username, u.role, u.grid_id, u.pwhash,"
				   " u.failed, u.locked_until, u.active,"
				   " s.token_hash, s.user_id, s.csrf, s.kind, s.created_at, s.last_seen"
				   " FROM session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash=?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, token_hash);
	int rc = db_step(s);
	if (rc == DB_DONE)
		return jw_fail(err, JW_EAUTH, "", NULL);
	if (rc != DB_ROW)
		return db_fail(st, err, __func__);
	if (user)
		row_to_user(s, user);
	snprintf(out->token_hash, sizeof(out->token_hash), "%s", col_text(s, 9));
	out->user_id = db_col_int64(s, 10);
	snprintf(out->csrf, sizeof(out->csrf), "%s", col_text(s, 11));
	snprintf(out->kind, sizeof(out->kind), "%s", col_text(s, 12));
	out->created_at = db_col_int64(s, 13);
	out->last_seen = db_col_int64(s, 14);
	db_reset(s);
	return JW_OK;
}

/* Ends the session token_hash, or (NULL) every session last seen before
 * idle_before. */
static int sq_session_end(struct store *st, const char *token_hash, int64_t idle_before, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, token_hash ? "DELETE FROM session WHERE token_hash=?"
					      : "DELETE FROM session WHERE last_seen < ?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	if (token_hash)
		bind_text(s, 1, token_hash);
	else
		db_bind_int64(s, 1, idle_before);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	return JW_OK;
}

/* ---- audit ---- */



/* ---- ledgers ---- */


static int entry_insert(struct store *st, const char *community, struct entry_row *e, struct jw_error *err)
{
	/* the subject's grid, sex and birth date are copied in for statistics */
	struct db_stmt *s = stmt(st,
		"INSERT INTO ledger_entry (community, ledger, subject, subject_id, status, start_date, end_date,"
		" end_reason, data, derived, grid_id, building_id, sex, birth_date, created_at, updated_at, due_date)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		"  CASE ?3 WHEN 'person' THEN (SELECT grid_id FROM person WHERE id = ?4)"
		"   WHEN 'household' THEN (SELECT grid_id FROM household WHERE id = ?4)"
		"   WHEN 'house' THEN (SELECT grid_id FROM house WHERE id = ?4) END,"
		"  CASE ?3 WHEN 'person' THEN (SELECT building_id FROM person WHERE id = ?4)"
		"   WHEN 'household' THEN (SELECT building_id FROM household WHERE id = ?4)"
		"   WHEN 'house' THEN (SELECT building_id FROM house WHERE id = ?4) END,"
		"  CASE ?3 WHEN 'person' THEN (SELECT sex FROM person WHERE id = ?4) END,"
		"  CASE ?3 WHEN 'person' THEN (SELECT birth_date FROM person WHERE id = ?4) END,"
		"  ?11, ?11, ?12) RETURNING id");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, community);
	bind_text(s, 2, e->ledger);
	bind_text(s, 3, e->subject);
	db_bind_int64(s, 4, e->subject_id);
	bind_text(s, 5, e->status ? e->status : "open");
	bind_text(s, 6, e->start_date);
	bind_text(s, 7, e->end_date);
	bind_text(s, 8, e->end_reason);
	bind_text(s, 9, e->data ? e->data : "{}");
	db_bind_int64(s, 10, e->derived);
	db_bind_int64(s, 11, now_s());
	bind_text(s, 12, e->due_date && *e->due_date ? e->due_date : NULL);
	if (db_step(s) != DB_ROW) {
		if (db_failed_unique(st))
			return jw_fail(err, JW_ECONFLICT, "subject_id", "该对象已在本台账中（有一条未结束的记录），请在原记录上修改");
		return db_fail(st, err, __func__);
	}
	e->id = returned_id(s);
	if (strcmp(e->subject, "none") == 0) {
		/* a record attached to nothing is its own subject (migration 9) */
		struct db_stmt *u = stmt(st, "UPDATE ledger_entry SET subject_id = id WHERE id = ?1");
		if (!u)
			return jw_fail(err, JW_ESTORE, "", NULL);
		db_bind_int64(u, 1, e->id);
		if (db_step(u) != DB_DONE)
			return db_fail(st, err, __func__);
		db_reset(u);
		e->subject_id = e->id;
	}
	return JW_OK;
}

static int entry_update(struct store *st, const char *community, const struct entry_row *e, struct jw_error *err)
{
	struct db_stmt *s = stmt(st,
		"UPDATE ledger_entry SET status = ?1, start_date = ?2, end_date = ?3, end_reason = ?4, data = ?5,"
		" updated_at = ?6, due_date = ?9 WHERE id = ?7 AND community = ?8");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, e->status);
	bind_text(s, 2, e->start_date);
	bind_text(s, 3, e->end_date);
	bind_text(s, 4, e->end_reason);
	bind_text(s, 5, e->data ? e->data : "{}");
	db_bind_int64(s, 6, now_s());
	db_bind_int64(s, 7, e->id);
	bind_text(s, 8, community);
	bind_text(s, 9, e->due_date && *e->due_date ? e->due_date : NULL);
	if (db_step(s) != DB_DONE) {
		if (db_failed_unique(st))
			return jw_fail(err, JW_ECONFLICT, "status", "该对象在本台账中已有一条未结束的记录，不能重新打开这条");
		return db_fail(st, err, __func__);
	}
	return JW_OK;
}

/* e->id 0: a new entry (sets e->id); else that entry's status, dates,
 * reason and fields as e has them. */
static int sq_entry_put(struct store *st, const char *community, struct entry_row *e, struct jw_error *err)
{
	return e->id > 0 ? entry_update(st, community, e, err) : entry_insert(st, community, e, err);
}

/* The visits that count for an entry: those of its subject, except the ones
 * of a restricted ledger other than the entry's own. */
#define VISIT_OF_ENTRY "(v.restricted_to IS NULL OR v.restricted_to = e.ledger)"
#define ENTRY_COLS \
	"SELECT e.id, e.ledger, e.subject, e.subject_id, e.status, e.start_date, e.end_date, e.end_reason," \
	" e.data, e.derived, e.grid_id, e.sex, e.birth_date, e.created_at, e.updated_at," \
	" CASE e.subject WHEN 'person' THEN p.name WHEN 'household' THEN hh.household_no ELSE ho.address END," \
	" p.id_number, coalesce(p.phone, hh.phone), coalesce(p.current_address, hho.address, ho.address)," \
	" p.household_id," \
	" (SELECT max(v.visit_date) FROM visit v WHERE v.subject = e.subject AND v.subject_id = e.subject_id" \
	"   AND " VISIT_OF_ENTRY ")," \
	" (SELECT v.next_date FROM visit v WHERE v.subject = e.subject AND v.subject_id = e.subject_id" \
	"   AND " VISIT_OF_ENTRY " ORDER BY v.visit_date DESC, v.id DESC LIMIT 1)"
#define ENTRY_FROM \
	" FROM ledger_entry e" \
	" LEFT JOIN person p ON e.subject = 'person' AND p.id = e.subject_id" \
	" LEFT JOIN household hh ON e.subject = 'household' AND hh.id = e.subject_id" \
	" LEFT JOIN house hho ON hho.id = hh.house_id" \
	" LEFT JOIN house ho ON e.subject = 'house' AND ho.id = e.subject_id"

static int entry_rows(struct db_stmt *s, entry_cb cb, void *ud)
{
	int rc = JW_OK, step;
	while ((step = db_step(s)) == DB_ROW) {
		struct entry_row e = {
			.id = db_col_int64(s, 0), .ledger = col_text(s, 1), .subject = col_text(s, 2),
			.subject_id = db_col_int64(s, 3), .status = col_text(s, 4),
			.start_date = col_text(s, 5), .end_date = col_text(s, 6), .end_reason = col_text(s, 7),
			.data = col_text(s, 8), .derived = db_col_int(s, 9) != 0,
			.grid_id = db_col_int64(s, 10), .sex = col_text(s, 11), .birth_date = col_text(s, 12),
			.created_at = db_col_int64(s, 13), .updated_at = db_col_int64(s, 14),
			.name = col_text(s, 15), .id_number = col_text(s, 16), .phone = col_text(s, 17),
			.address = col_text(s, 18), .household_id = db_col_int64(s, 19),
			.last_visit = col_text(s, 20), .next_visit = col_text(s, 21),
		};
		if ((rc = cb(&e, ud)) != JW_OK)
			break;
	}
	if (rc == JW_OK && step != DB_DONE)
		rc = JW_ESTORE;
	return rc;
}

/* Counts the rows it passes on (an entry asked for by id that is not there). */
struct found_shim { entry_cb cb; void *ud; int n; };

static int found_cb(const struct entry_row *e, void *ud)
{
	struct found_shim *f = ud;
	f->n++;
	return f->cb(e, f->ud);
}

/* The SQL of an entry filter's field: an entry column (into col) or a
 * ledger field (its JSON path into *path; col is set by the caller). */
static bool entry_filter_col(const char *field, char *col, size_t n, char (*path)[40])
{
	static const char *const own[] = { "birth_date", "start_date", "end_date", "due_date" };
	(*path)[0] = 0;
	if (!field || !*field)
		return false;
	if (strncmp(field, "entry.", 6) == 0) {
		for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
			if (strcmp(field + 6, own[i]) == 0) {
				snprintf(col, n, "e.%s", own[i]);
				return true;
			}
		return false;
	}
	if (strlen(field) > 32)
		return false;
	for (const char *p = field; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	snprintf(*path, sizeof(*path), "$.%s", field);
	return true;
}

static int sq_entry_list(struct store *st, const char *community, const struct entry_query *q, entry_cb cb,
			 void *ud, int64_t *total, struct jw_error *err)
{
	struct buf w = BUF_INIT, sql = BUF_INIT;
	const char *bv[128];   /* 5 + ENTRY_MAX_FILTERS × (a path + 16 IN values) */
	int nb = 0, rc = JW_OK;
	char like[160], path[80], paths[ENTRY_MAX_FILTERS][40], ins[ENTRY_MAX_FILTERS][256];
	bv[nb++] = community;
	buf_adds(&w, " WHERE e.community = ?1");
	if (q->ledger) {
		bv[nb++] = q->ledger;
		buf_addf(&w, " AND e.ledger = ?%d", nb);
	}
	/* numbers bound too: one statement text for every id (the cache) */
	char id_s[24], subject_s[24], grid_s[24], after_s[24];
	if (q->id > 0) {
		snprintf(id_s, sizeof(id_s), "%lld", (long long)q->id);
		bv[nb++] = id_s;
		buf_addf(&w, " AND e.id = CAST(?%d AS BIGINT)", nb);
	} else if (!q->include_closed) {
		buf_adds(&w, " AND e.end_date IS NULL");
	}
	if (q->subject && q->subject_id > 0) {
		snprintf(subject_s, sizeof(subject_s), "%lld", (long long)q->subject_id);
		bv[nb++] = q->subject;
		bv[nb++] = subject_s;
		buf_addf(&w, " AND e.subject = ?%d AND e.subject_id = CAST(?%d AS BIGINT)", nb - 1, nb);
	}
	if (q->grid_id > 0) {
		snprintf(grid_s, sizeof(grid_s), "%lld", (long long)q->grid_id);
		bv[nb++] = grid_s;
		buf_addf(&w, " AND e.grid_id = CAST(?%d AS BIGINT)", nb);
	}
	if (q->q && *q->q) {
		snprintf(like, sizeof(like), "%%%s%%", q->q);
		bv[nb++] = like;
		buf_addf(&w, " AND (p.name LIKE ?%d OR hh.household_no LIKE ?%d OR ho.address LIKE ?%d"
			 " OR hho.address LIKE ?%d OR (e.subject = 'none' AND e.data LIKE ?%d))", nb, nb, nb, nb, nb);
	}
	if (q->field && q->value) {
		snprintf(path, sizeof(path), "$.%s", q->field);
		bv[nb++] = path;
		bv[nb++] = q->value;
		buf_addf(&w, " AND json_extract(e.data, ?%d) = ?%d", nb - 1, nb);
	}
	if (q->visit_before) {
		bv[nb++] = q->visit_before;
		buf_addf(&w, " AND coalesce((SELECT max(v.visit_date) FROM visit v WHERE v.subject = e.subject"
			 " AND v.subject_id = e.subject_id AND " VISIT_OF_ENTRY "), '') < ?%d", nb);
	}
	if (q->after_id > 0) {
		snprintf(after_s, sizeof(after_s), "%lld", (long long)q->after_id);
		bv[nb++] = after_s;
		buf_addf(&w, " AND e.id > CAST(?%d AS BIGINT)", nb);
	}
	for (int i = 0; i < q->nwhere && i < ENTRY_MAX_FILTERS; i++) {
		const struct entry_filter *f = &q->where[i];
		char col[64];
		if (!entry_filter_col(f->field, col, sizeof(col), &paths[i])) {
			rc = jw_fail(err, JW_EBADREQ, "field", "不能按“%s”筛选", f->field ? f->field : "");
			goto out;
		}
		if (paths[i][0]) {
			bv[nb++] = paths[i];
			snprintf(col, sizeof(col), "coalesce(json_extract(e.data, ?%d), '')", nb);
		}
		if (f->op == EOP_IN) {
			/* a|b|c: one bound value each */
			snprintf(ins[i], sizeof(ins[i]), "%s", f->value ? f->value : "");
			buf_addf(&w, " AND %s IN (", col);
			int k = 0;
			for (char *p = ins[i], *bar; p && k < 16; p = bar ? bar + 1 : NULL) {
				if ((bar = strchr(p, '|')))
					*bar = 0;
				bv[nb++] = p;
				buf_addf(&w, "%s?%d", k++ ? ", " : "", nb);
			}
			buf_addc(&w, ')');
			continue;
		}
		bv[nb++] = f->value ? f->value : "";
		if (f->op == EOP_MONTH) {
			buf_addf(&w, " AND substr(%s, 6, 2) = ?%d", col, nb);
			continue;
		}
		static const char *const ops[] = { [EOP_EQ] = "=", [EOP_LT] = "<", [EOP_LE] = "<=", [EOP_GT] = ">",
						   [EOP_GE] = ">=" };
		buf_addf(&w, " AND %s %s ?%d", col, ops[f->op <= EOP_GE ? f->op : EOP_EQ], nb);
	}
	struct db_stmt *s;
	bool plain = q->ledger && q->id <= 0 && !q->include_closed && !q->subject && !(q->q && *q->q) &&
		     !q->field && !q->visit_before && q->after_id <= 0 && q->nwhere == 0;
	if (total && q->want_total && plain) {
		/* a ledger's open entries (in a grid): the maintained counts */
		buf_adds(&sql, q->grid_id > 0 ? "SELECT CAST(sum(n) AS BIGINT) FROM tally WHERE community = ?1"
						" AND kind = ?2 AND k1 = ?3"
					      : "SELECT CAST(sum(n) AS BIGINT) FROM tally WHERE community = ?1 AND kind = ?2");
	} else if (total && q->want_total) {
		buf_adds(&sql, "SELECT count(*)");
		/* the joins only name the subject: a count without a name to match needs none */
		buf_adds(&sql, q->q && *q->q ? ENTRY_FROM : " FROM ledger_entry e");
		buf_add(&sql, w.data, w.len);
	}
	if (total && q->want_total) {
		if (!(s = stmt(st, buf_cstr(&sql)))) {
			rc = jw_fail(err, JW_ESTORE, "", NULL);
			goto out;
		}
		for (int i = 0; i < nb; i++)
			bind_text(s, i + 1, bv[i]);
		if (db_step(s) != DB_ROW) {
			rc = db_fail(st, err, __func__);
			goto out;
		}
		*total = db_col_int64(s, 0);
		db_reset(s);
		buf_reset(&sql);
	}
	if (q->limit <= 0 || !cb)
		goto out;
	char lim_s[24], off_s[24];
	snprintf(lim_s, sizeof(lim_s), "%lld", (long long)q->limit);
	snprintf(off_s, sizeof(off_s), "%lld", (long long)q->offset);
	bv[nb++] = lim_s;
	bv[nb++] = off_s;
	const char *dir = q->oldest_first ? "ASC" : "DESC";
	buf_adds(&sql, ENTRY_COLS ENTRY_FROM);
	if (q->q && *q->q) {   /* the name to match is the joins' */
		buf_add(&sql, w.data, w.len);
		buf_addf(&sql, " ORDER BY e.id %s LIMIT CAST(?%d AS BIGINT) OFFSET CAST(?%d AS BIGINT)", dir, nb - 1,
			 nb);
	} else {
		/* the page's ids first, from the ledger's own index alone (an
		 * index-only scan on PostgreSQL, which otherwise walks the
		 * primary key's order and filters), then their rows */
		buf_adds(&sql, " WHERE e.id IN (SELECT e.id FROM ledger_entry e");
		buf_add(&sql, w.data, w.len);
		buf_addf(&sql, " ORDER BY e.id %s LIMIT CAST(?%d AS BIGINT) OFFSET CAST(?%d AS BIGINT)) ORDER BY e.id %s",
			 dir, nb - 1, nb, dir);
	}
	if (!(s = stmt(st, buf_cstr(&sql)))) {
		rc = jw_fail(err, JW_ESTORE, "", NULL);
		goto out;
	}
	for (int i = 0; i < nb; i++)
		bind_text(s, i + 1, bv[i]);
	struct found_shim shim = { cb, ud, 0 };
	rc = entry_rows(s, found_cb, &shim);
	db_reset(s);
	if (rc == JW_ESTORE)
		rc = db_fail(st, err, __func__);
	else if (rc == JW_OK && q->id > 0 && !shim.n)
		rc = jw_fail(err, JW_ENOTFOUND, "", "找不到该台账记录");
out:
	buf_release(&w);
	buf_release(&sql);
	return rc;
}

/* The rows of an UPDATE … RETURNING CLOSED_COLS, one entry_row each, to cb
 * (NULL: none); then the statement is reset. */
#define CLOSED_COLS " RETURNING id, ledger, subject, subject_id, end_date, end_reason"

static int closed_rows(struct store *st, struct db_stmt *s, entry_cb cb, void *ud, struct jw_error *err)
{
	int r, rc = JW_OK;
	while ((r = db_step(s)) == DB_ROW) {
		struct entry_row e = { .id = db_col_int64(s, 0), .ledger = col_text(s, 1),
				       .subject = col_text(s, 2), .subject_id = db_col_int64(s, 3),
				       .status = "closed", .end_date = col_text(s, 4), .end_reason = col_text(s, 5) };
		if (rc == JW_OK && cb)
			rc = cb(&e, ud);
	}
	if (r != DB_DONE)
		return db_fail(st, err, __func__);
	db_reset(s);
	return rc;
}

static int sq_entry_close_subject(struct store *st, const char *community, const char *subject, int64_t id,
				  const char *date, const char *reason, entry_cb cb, void *ud, int64_t *closed,
				  struct jw_error *err)
{
	struct db_stmt *s = stmt(st,
		"UPDATE ledger_entry SET status = 'closed', end_date = ?1, end_reason = ?2, updated_at = ?3"
		" WHERE community = ?4 AND subject = ?5 AND subject_id = ?6 AND end_date IS NULL" CLOSED_COLS);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, date);
	bind_text(s, 2, reason);
	db_bind_int64(s, 3, now_s());
	bind_text(s, 4, community);
	bind_text(s, 5, subject);
	db_bind_int64(s, 6, id);
	int rc = closed_rows(st, s, cb, ud, err);
	*closed = db_changes(st);
	return rc;
}

/* A derivation's statements: ?1 community, ?2 ledger, ?3 today, ?4 now,
 * ?5 the only subject, ?6 that subject's household, ?7–?8 a range of
 * subject ids; the compiled rule's values from ?9 (store/derive.c). */
#define DERIVE_ARG0 9

/* Runs one statement of a derivation; cb: the statement returns CLOSED_COLS. */
static int run_derive(struct store *st, const char *sql, const char *community, const struct derive_req *d,
		      const struct sql_args *args, entry_cb cb, int64_t *changes, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, sql);
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, community);
	bind_text(s, 2, d->ledger);
	bind_text(s, 3, d->today);
	db_bind_int64(s, 4, now_s());
	db_bind_int64(s, 5, d->only_id);
	db_bind_int64(s, 6, d->only_household);
	if (d->id_hi > 0) {
		db_bind_int64(s, 7, d->id_lo);
		db_bind_int64(s, 8, d->id_hi);
	}
	for (int i = 0; args && i < args->n; i++)
		bind_text(s, args->first + i, args->v[i]);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = cb ? closed_rows(st, s, cb, d->closed_ud, err) : JW_OK;
	if (!cb && db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	if (rc != JW_OK)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (getenv("JUWEI_DERIVE_TIMES"))
		fprintf(stderr, "%s %.3f s %lld rows: %.90s\n", d->ledger,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
			(long long)db_changes(st), sql);
	if (changes)
		*changes = db_changes(st);
	return JW_OK;
}

static int derive_bad(struct jw_error *err, const struct derive_req *d)
{
	fprintf(stderr, "juwei: store: the derivation rule of ledger %s does not compile\n", d->ledger);
	return jw_fail(err, JW_EINVAL, "", NULL);
}

/* The values a rule keeps (json_object(key, CASE …, …)) for the INSERT of
 * newcomers, or '{}'. */
static int derive_values_insert(const struct dialect *dl, struct buf *b, struct sql_args *args, const struct derive_req *d,
				bool person)
{
	const struct derive_def *r = d->rule;
	if (!person || !r->values[0].field) {
		buf_adds(b, "'{}'");
		return JW_OK;
	}
	int rc = JW_OK;
	buf_adds(b, dl->json_object);
	buf_addc(b, '(');
	for (int i = 0; rc == JW_OK && i < DERIVE_MAX_VALUES && r->values[i].field; i++) {
		const struct derive_value *v = &r->values[i];
		if ((rc = derive_value_check(v, d->fields)) != JW_OK)
			break;
		if (i)
			buf_adds(b, ", ");
		if ((rc = derive_sql_key(b, args, v)) != JW_OK)
			break;
		buf_adds(b, ", ");
		rc = derive_value_household(v) ? derive_sql_household_case(b, args, v, "p")
					       : derive_sql_age_case(b, args, v, "p.");
	}
	buf_addc(b, ')');
	return rc;
}

/* Brings one kept value of the open entries up to date, writing only the
 * entries whose value changes. */
static int derive_value_update(struct store *st, const char *community, const struct derive_req *d,
			       const struct derive_value *v, const char *c_sub, const char *c_rng,
			       struct jw_error *err)
{
	struct buf b = BUF_INIT, cols = BUF_INIT, expr = BUF_INIT;
	struct sql_args args;
	int rc = sql_args_init(&args, DERIVE_ARG0, d->today);
	if (rc == JW_OK)
		rc = derive_value_check(v, d->fields);
	if (rc == JW_OK && derive_value_household(v) && d->only_id == 0) {
		/* every household counted once */
		rc = derive_sql_household_counts(&cols, &expr, &args, v);
		buf_addf(&b, "WITH hh AS (SELECT household_id AS id, %s"
			 "  FROM person WHERE status = 'active' AND household_id IN (SELECT p.household_id"
			 "   FROM ledger_entry e JOIN person p ON p.id = e.subject_id WHERE e.community = ?1"
			 "   AND e.ledger = ?2 AND e.subject = 'person' AND e.end_date IS NULL%s)"
			 "  GROUP BY household_id),"
			 " v AS (SELECT e.id AS eid, %s AS value"
			 "  FROM ledger_entry e JOIN person p ON p.id = e.subject_id LEFT JOIN hh ON hh.id = p.household_id"
			 "  WHERE e.community = ?1 AND e.ledger = ?2 AND e.subject = 'person' AND e.end_date IS NULL%s)"
			 " UPDATE ledger_entry SET data = json_set(data, ", buf_cstr(&cols), c_rng, buf_cstr(&expr), c_rng);
		if (rc == JW_OK)
			rc = derive_sql_path(&b, &args, v);
		buf_adds(&b, ", v.value) FROM v WHERE ledger_entry.id = v.eid AND json_extract(ledger_entry.data, ");
		if (rc == JW_OK)
			rc = derive_sql_path(&b, &args, v);
		buf_adds(&b, ") IS NOT v.value");
	} else if (rc == JW_OK && derive_value_household(v)) {
		/* one person, and the other members of their household */
		buf_adds(&b, "UPDATE ledger_entry SET data = json_set(data, ");
		rc = derive_sql_path(&b, &args, v);
		buf_adds(&b, ", ");
		if (rc == JW_OK)
			rc = derive_sql_household_case(&b, &args, v, "p");
		buf_adds(&b, ") FROM person p WHERE p.id = ledger_entry.subject_id AND ledger_entry.subject = 'person'"
			 " AND ledger_entry.community = ?1 AND ledger_entry.ledger = ?2 AND ledger_entry.end_date IS NULL"
			 " AND ledger_entry.subject_id IN (SELECT CAST(?5 AS BIGINT) UNION SELECT m.id FROM person m"
			 "   WHERE ?6 > 0 AND m.household_id = ?6)");
	} else if (rc == JW_OK) {
		/* an age value, from the birth date the entry keeps */
		rc = derive_sql_age_case(&expr, &args, v, "");
		buf_adds(&b, "UPDATE ledger_entry SET data = json_set(data, ");
		if (rc == JW_OK)
			rc = derive_sql_path(&b, &args, v);
		buf_addf(&b, ", %s) WHERE community = ?1 AND ledger = ?2 AND end_date IS NULL%s AND json_extract(data, ",
			 buf_cstr(&expr), c_sub);
		if (rc == JW_OK)
			rc = derive_sql_path(&b, &args, v);
		buf_addf(&b, ") IS NOT (%s)", buf_cstr(&expr));
	}
	if (rc == JW_OK)
		rc = run_derive(st, buf_cstr(&b), community, d, &args, NULL, NULL, err);
	else if (rc == JW_EINVAL)
		rc = derive_bad(err, d);
	buf_release(&b);
	buf_release(&cols);
	buf_release(&expr);
	return rc;
}

static int sq_ledger_derive(struct store *st, const char *community, const struct derive_req *d, int64_t *added,
			    int64_t *closed, struct jw_error *err)
{
	bool person = strcmp(d->subject, "person") == 0;
	const char *t = person ? "person" : "household", *a = person ? "p" : "h";
	enum entity_id se = person ? ENT_PERSON : ENT_HOUSEHOLD;
	/* one subject, or all: distinct statements, so that each is planned for
	 * what it does (an `?5 = 0 OR id = ?5` would be planned as a scan) */
	bool one = d->only_id > 0;
	char c_ins[48] = "", c_sub[64] = "", c_le[64] = "", c_rng[48] = "";
	if (one) {
		snprintf(c_ins, sizeof(c_ins), " AND %s.id = ?5", a);
		snprintf(c_sub, sizeof(c_sub), " AND subject_id = ?5");
		snprintf(c_le, sizeof(c_le), " AND ledger_entry.subject_id = ?5");
	} else if (d->id_hi > 0) {   /* a range of subjects (?7–?8): one short transaction */
		snprintf(c_ins, sizeof(c_ins), " AND %s.id BETWEEN ?7 AND ?8", a);
		snprintf(c_sub, sizeof(c_sub), " AND subject_id BETWEEN ?7 AND ?8");
		snprintf(c_le, sizeof(c_le), " AND ledger_entry.subject_id BETWEEN ?7 AND ?8");
		snprintf(c_rng, sizeof(c_rng), " AND e.subject_id BETWEEN ?7 AND ?8");
	}
	if (!d->rule)
		return derive_bad(err, d);
	struct buf b = BUF_INIT, w = BUF_INIT, vals = BUF_INIT;
	struct sql_args args;
	int rc = sql_args_init(&args, DERIVE_ARG0, d->today);
	if (rc == JW_OK)
		rc = derive_values_insert(D(st), &vals, &args, d, person);
	if (rc == JW_OK)
		rc = derive_sql_when(&w, &args, d->rule, se, a);
	if (rc != JW_OK) {
		rc = derive_bad(err, d);
		goto out;
	}
	buf_addf(&b, "INSERT INTO ledger_entry (community, ledger, subject, subject_id, status, start_date, derived,"
		 " grid_id, building_id, sex, birth_date, data, created_at, updated_at)"
		 " SELECT %s.community, ?2, '%s', %s.id, 'open', ?3, 1, %s.grid_id, %s.building_id, %s, %s, %s, ?4, ?4"
		 " FROM %s %s WHERE %s.community = ?1 AND (%s)%s%s"
		 " AND NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.ledger = ?2 AND e.subject = '%s'"
		 "   AND e.subject_id = %s.id AND e.end_date IS NULL)",
		 a, t, a, a, a, person ? "p.sex" : "NULL", person ? "p.birth_date" : "NULL", buf_cstr(&vals),
		 t, a, a, buf_cstr(&w), person ? " AND p.status = 'active'" : "", c_ins, t, a);
	rc = run_derive(st, buf_cstr(&b), community, d, &args, NULL, added, err);
	if (d->insert_only)   /* a bulk load's newcomers: the rest has not changed */
		goto out;
	/* those who no longer qualify (de-registered ones were closed with their reason) */
	if (rc == JW_OK) {
		buf_reset(&b);
		buf_reset(&w);
		if ((rc = sql_args_init(&args, DERIVE_ARG0, d->today)) == JW_OK)
			rc = derive_sql_when(&w, &args, d->rule, se, a);
		if (rc == JW_OK && args.n < SQL_MAX_ARGS) {
			int reason = args.first + args.n;
			args.v[args.n++] = d->rule->close_reason;
			buf_addf(&b, "UPDATE ledger_entry SET status = 'closed', end_date = ?3, end_reason = ?%d,"
				 " updated_at = ?4 WHERE community = ?1 AND ledger = ?2 AND derived = 1 AND end_date IS NULL"
				 " AND subject = '%s'%s"
				 " AND NOT EXISTS (SELECT 1 FROM %s %s WHERE %s.id = ledger_entry.subject_id AND (%s)%s)%s",
				 reason, t, c_sub, t, a, a, buf_cstr(&w), person ? " AND p.status = 'active'" : "",
				 one && d->closed_cb ? CLOSED_COLS : "");
			rc = run_derive(st, buf_cstr(&b), community, d, &args, one ? d->closed_cb : NULL, closed, err);
		} else {
			rc = derive_bad(err, d);
		}
	}
	/* the copied columns follow the subject (a move, a corrected birth date) */
	if (rc == JW_OK) {
		buf_reset(&b);
		buf_addf(&b, "UPDATE ledger_entry SET grid_id = s.grid_id, building_id = s.building_id%s FROM %s s"
			 " WHERE s.id = ledger_entry.subject_id AND ledger_entry.subject = '%s'"
			 " AND ledger_entry.community = ?1 AND ledger_entry.ledger = ?2 AND ledger_entry.end_date IS NULL"
			 "%s AND (ledger_entry.grid_id IS NOT s.grid_id OR ledger_entry.building_id IS NOT s.building_id%s)",
			 person ? ", sex = s.sex, birth_date = s.birth_date" : "", t, t, c_le,
			 person ? " OR ledger_entry.sex IS NOT s.sex OR ledger_entry.birth_date IS NOT s.birth_date" : "");
		rc = run_derive(st, buf_cstr(&b), community, d, NULL, NULL, NULL, err);
	}
	/* the values kept: only entries whose value changes are written */
	for (int i = 0; rc == JW_OK && person && i < DERIVE_MAX_VALUES && d->rule->values[i].field; i++)
		rc = derive_value_update(st, community, d, &d->rule->values[i], c_sub, c_rng, err);
out:
	buf_release(&b);
	buf_release(&w);
	buf_release(&vals);
	return rc;
}

/* An area's code (a street office's 9 digits, a district's 6): the first
 * and last codes its communities may have.  false: one community's code. */
static bool area_range(const char *community, char lo[13], char hi[13])
{
	size_t n = community ? strlen(community) : 0;
	if (n != 6 && n != 9)
		return false;
	memcpy(lo, community, n);
	memcpy(hi, community, n);
	memset(lo + n, '0', 12 - n);
	memset(hi + n, '9', 12 - n);
	lo[12] = hi[12] = '\0';
	return true;
}

/* ---- persons and open entries by grid, sex, 5-year age group, building ---- */

/* A 5-year age group (0 = 0–4 … 20 = 100+), -1 for no age. */
static int age5_group(int age)
{
	return age < 0 ? -1 : age / 5 > 20 ? 20 : age / 5;
}

/* The age on today (ty, tmd = month * 100 + day) of one born on bd, in
 * whole years: one born on 29 February has the birthday on 28 February in
 * a common year (as count_by's DIM_AGE5). */
static int age5_of(const char *bd, int ty, int tmd, bool leap)
{
	int y, m, d;
	if (!bd || !date_parse(bd, &y, &m, &d))
		return -1;
	int md = m * 100 + d;
	if (md == 229 && !leap)
		md = 228;
	return age5_group(ty - y - (md > tmd));
}

/* The cells of one count, summed by sex and age group before they go out
 * (a million persons are a few thousand groups, and a few dozen cells). */
#define AGE_SEXES 4
struct age_cells {
	char sex[AGE_SEXES][4];
	int nsex;
	int64_t n[AGE_SEXES][22];   /* [sex][age5 + 1] */
};

static void age_put(struct age_cells *c, const char *sex, int a5, int64_t n)
{
	int i;
	if (!sex || strlen(sex) >= sizeof(c->sex[0]))
		sex = "";
	for (i = 0; i < c->nsex && strcmp(c->sex[i], sex) != 0; i++)
		;
	if (i == c->nsex) {
		if (c->nsex == AGE_SEXES)
			i = AGE_SEXES - 1;   /* a fourth kind of sex value: counted with the last */
		else
			snprintf(c->sex[c->nsex++], sizeof(c->sex[0]), "%s", sex);
	}
	c->n[i][a5 + 1] += n;
}

static int age_emit(const struct age_cells *c, int64_t grid, stat_cb cb, void *ud)
{
	int rc = JW_OK;
	for (int i = 0; rc == JW_OK && i < c->nsex; i++)
		for (int a = 0; rc == JW_OK && a < 22; a++)
			if (c->n[i][a]) {
				struct stat_cell cell = { .grid_id = grid, .age5 = a - 1, .n = c->n[i][a] };
				snprintf(cell.sex, sizeof(cell.sex), "%s", c->sex[i]);
				rc = cb(&cell, ud);
			}
	return rc;
}

/* One query of the maintained counts: its text and bound values. */
struct tally_q {
	struct buf sql;
	const char *bv[8];
	int nb;
	char lo[13], hi[13], kind[80];
};

/* " FROM tally t WHERE" the community's (or the area's communities': one
 * seek each) counts of kind key + suffix. */
static void tally_from(struct tally_q *t, const char *community, const char *key, const char *suffix)
{
	if (area_range(community, t->lo, t->hi)) {
		t->bv[t->nb++] = t->lo;
		t->bv[t->nb++] = t->hi;
		buf_addf(&t->sql, " FROM tally t WHERE t.community IN (SELECT code FROM community"
			 " WHERE code BETWEEN ?%d AND ?%d)", t->nb - 1, t->nb);
	} else {
		t->bv[t->nb++] = community;
		buf_addf(&t->sql, " FROM tally t WHERE t.community = ?%d", t->nb);
	}
	snprintf(t->kind, sizeof(t->kind), "%s%s", key, suffix);
	t->bv[t->nb++] = t->kind;
	buf_addf(&t->sql, " AND t.kind = ?%d", t->nb);
}

/* Runs the query, each row to row(); then empties t for the next one. */
static int tally_run(struct store *st, struct tally_q *t, int (*row)(struct db_stmt *s, void *ud), void *ud,
		     struct jw_error *err)
{
	struct db_stmt *s = stmt(st, buf_cstr(&t->sql));
	int rc = JW_OK, step = DB_DONE;
	if (!s) {
		rc = jw_fail(err, JW_ESTORE, "", NULL);
		goto out;
	}
	for (int i = 0; i < t->nb; i++)
		bind_text(s, i + 1, t->bv[i]);
	while ((step = db_step(s)) == DB_ROW)
		if ((rc = row(s, ud)) != JW_OK)
			break;
	if (rc == JW_OK && step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
out:
	buf_reset(&t->sql);
	t->nb = 0;
	return rc;
}

/* A key column of tally holding an id ('' = none): the id, or 0. */
static int64_t tally_id(struct db_stmt *s, int col)
{
	int64_t v = 0;
	const char *k = col_text(s, col);
	if (!k || !parse_i64(k, 0, INT64_MAX, &v))
		v = 0;
	return v;
}

struct age_tally {
	stat_cb cb;
	void *ud;
	int ty, tm, td;
	bool leap;
	struct age_cells cells;
	char edge[24][8];   /* the birth months whose days decide the group */
	int nedge;
	int edge_years;     /* of the row read now: today's year - its year */
};

/* (grid, n): the grid's count alone (age5 -3) */
static int grid_row(struct db_stmt *s, void *ud)
{
	struct age_tally *a = ud;
	struct stat_cell c = { .grid_id = tally_id(s, 0), .age5 = -3, .n = db_col_int64(s, 1) };
	return a->cb(&c, a->ud);
}

/* (building, n): age5 -2 */
static int building_row(struct db_stmt *s, void *ud)
{
	struct age_tally *a = ud;
	struct stat_cell c = { .grid_id = tally_id(s, 0), .age5 = -2, .n = db_col_int64(s, 1) };
	return a->cb(&c, a->ud);
}

/* (birth month, sex, n): born before today's month in the year, the whole
 * years are today's year less the birth year; after it, one less; in it,
 * the day decides — only when the two ages fall in different groups. */
static int month_row(struct db_stmt *s, void *ud)
{
	struct age_tally *a = ud;
	const char *month = col_text(s, 0);
	int64_t y = 0, m = 0, n = db_col_int64(s, 2);
	char ys[8];
	if (!month || strlen(month) != 7 || month[4] != '-') {
		age_put(&a->cells, col_text(s, 1), -1, n);
		return JW_OK;
	}
	memcpy(ys, month, 4);
	ys[4] = '\0';
	if (!parse_i64(ys, 1, 9999, &y) || !parse_i64(month + 5, 1, 12, &m)) {
		age_put(&a->cells, col_text(s, 1), -1, n);
		return JW_OK;
	}
	int years = a->ty - (int)y;
	if (m < a->tm)
		age_put(&a->cells, col_text(s, 1), age5_group(years), n);
	else if (m > a->tm || age5_group(years - 1) == age5_group(years))
		age_put(&a->cells, col_text(s, 1), age5_group(m > a->tm ? years - 1 : years), n);
	else {
		int i;
		for (i = 0; i < a->nedge && strcmp(a->edge[i], month) != 0; i++)
			;
		if (i == a->nedge && a->nedge < (int)(sizeof(a->edge) / sizeof(a->edge[0])))
			snprintf(a->edge[a->nedge++], sizeof(a->edge[0]), "%s", month);
	}
	return JW_OK;
}

/* (day, sex, n) of a month in edge: before or after the birthday */
static int day_row(struct db_stmt *s, void *ud)
{
	struct age_tally *a = ud;
	int64_t d = 0, n = db_col_int64(s, 2);
	const char *day = col_text(s, 0), *month = col_text(s, 3);
	a->edge_years = a->ty - (int)strtol(month ? month : "0", NULL, 10);
	if (!day || !parse_i64(day, 1, 31, &d)) {
		age_put(&a->cells, col_text(s, 1), -1, n);
		return JW_OK;
	}
	int md = a->tm * 100 + (int)d;
	if (md == 229 && !a->leap)
		md = 228;
	bool had = md <= a->tm * 100 + a->td;
	age_put(&a->cells, col_text(s, 1), age5_group(had ? a->edge_years : a->edge_years - 1), n);
	return JW_OK;
}

/* From the maintained counts: a grid's count (age5 -3), then the cells by
 * sex and age group with grid_id -1, then the buildings (age5 -2). */
static int tally_age_counts(struct store *st, const char *community, const struct kind *k, int ty, int tm,
			    int td, stat_cb cb, void *ud, struct jw_error *err)
{
	const char *key = k->storage == KS_SHARED ? k->key : "person";
	struct tally_q t = { .sql = BUF_INIT };
	struct age_tally a = { .cb = cb, .ud = ud, .ty = ty, .tm = tm, .td = td,
			       .leap = (ty % 4 == 0 && ty % 100 != 0) || ty % 400 == 0 };
	/* the grids: a person's count has the grid in k4, an entry's in k1 */
	const char *gk = k->storage == KS_SHARED ? "t.k1" : "t.k4";
	buf_addf(&t.sql, "SELECT %s, CAST(sum(t.n) AS BIGINT)", gk);
	tally_from(&t, community, key, "");
	if (k->storage != KS_SHARED)
		buf_adds(&t.sql, " AND t.k1 = 'active'");
	buf_addf(&t.sql, " GROUP BY %s HAVING sum(t.n) <> 0 ORDER BY length(%s), %s", gk, gk, gk);
	int rc = tally_run(st, &t, grid_row, &a, err);
	/* one community's rows are one a group already: summed only over an area's */
	char lo[13], hi[13];
	bool area = area_range(community, lo, hi);
	if (rc == JW_OK) {
		buf_adds(&t.sql, area ? "SELECT t.k1, t.k2, CAST(sum(t.n) AS BIGINT)" : "SELECT t.k1, t.k2, t.n");
		tally_from(&t, community, key, "#age");
		buf_adds(&t.sql, area ? " GROUP BY t.k1, t.k2 HAVING sum(t.n) <> 0" : " AND t.n <> 0");
		rc = tally_run(st, &t, month_row, &a, err);
	}
	/* the days of those months, a few at a time (the bound values' room) */
	for (int i = 0; rc == JW_OK && i < a.nedge; i += 4) {
		buf_adds(&t.sql, area ? "SELECT t.k2, t.k3, CAST(sum(t.n) AS BIGINT), t.k1" : "SELECT t.k2, t.k3, t.n, t.k1");
		tally_from(&t, community, key, "#day");
		buf_adds(&t.sql, " AND t.k1 IN (");
		for (int j = i; j < a.nedge && j < i + 4; j++) {
			t.bv[t.nb++] = a.edge[j];
			buf_addf(&t.sql, "%s?%d", j > i ? ", " : "", t.nb);
		}
		buf_adds(&t.sql, area ? ") GROUP BY t.k1, t.k2, t.k3 HAVING sum(t.n) <> 0" : ") AND t.n <> 0");
		rc = tally_run(st, &t, day_row, &a, err);
	}
	if (rc == JW_OK)
		rc = age_emit(&a.cells, -1, cb, ud);
	if (rc == JW_OK) {
		buf_adds(&t.sql, area ? "SELECT t.k1, CAST(sum(t.n) AS BIGINT)" : "SELECT t.k1, t.n");
		tally_from(&t, community, key, "#bld");
		buf_adds(&t.sql, area ? " GROUP BY t.k1 HAVING sum(t.n) <> 0" : " AND t.n <> 0");
		rc = tally_run(st, &t, building_row, &a, err);
	}
	buf_release(&t.sql);
	return rc;
}

/* One grid's: its rows grouped by sex and birth date from the covering
 * index, the ages counted here (an age computed in SQL for each of 200,000
 * rows costs more than the whole scan). */
static int grid_age_counts(struct store *st, const char *community, const struct kind *k, int64_t grid, int ty,
			   int tmd, stat_cb cb, void *ud, struct jw_error *err)
{
	struct tally_q t = { .sql = BUF_INIT };
	char grid_s[24];
	bool leap = (ty % 4 == 0 && ty % 100 != 0) || ty % 400 == 0;
	snprintf(grid_s, sizeof(grid_s), "%lld", (long long)grid);
	buf_adds(&t.sql, k->storage == KS_SHARED ? "SELECT sex, birth_date, count(*) FROM ledger_entry"
						   " INDEXED BY ledger_entry_stats WHERE "
						 : "SELECT sex, birth_date, count(*) FROM person WHERE ");
	if (area_range(community, t.lo, t.hi)) {
		t.bv[t.nb++] = t.lo;
		t.bv[t.nb++] = t.hi;
		buf_adds(&t.sql, "community BETWEEN ?1 AND ?2");
	} else {
		t.bv[t.nb++] = community;
		buf_adds(&t.sql, "community = ?1");
	}
	if (k->storage == KS_SHARED) {
		t.bv[t.nb++] = k->key;
		buf_addf(&t.sql, " AND ledger = ?%d AND end_date IS NULL", t.nb);
	} else {
		buf_adds(&t.sql, " AND status = 'active'");
	}
	t.bv[t.nb++] = grid_s;
	buf_addf(&t.sql, " AND grid_id = CAST(?%d AS BIGINT) GROUP BY 1, 2", t.nb);
	struct age_cells cells = { .nsex = 0 };
	struct db_stmt *s = stmt(st, buf_cstr(&t.sql));
	int rc = JW_OK, step = DB_DONE;
	if (!s) {
		buf_release(&t.sql);
		return jw_fail(err, JW_ESTORE, "", NULL);
	}
	for (int i = 0; i < t.nb; i++)
		bind_text(s, i + 1, t.bv[i]);
	while ((step = db_step(s)) == DB_ROW)
		age_put(&cells, col_text(s, 0), age5_of(col_text(s, 1), ty, tmd, leap), db_col_int64(s, 2));
	if (step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
	buf_release(&t.sql);
	return rc == JW_OK ? age_emit(&cells, grid, cb, ud) : rc;
}

/* Active persons, or the open records of a kind of the shared table, by
 * sex and 5-year age group on today, by grid and by building: the whole
 * community's (grid 0) from the maintained counts, one grid's from its
 * rows.  Apart from count_by for speed. */
static int sq_age_counts(struct store *st, const char *community, const struct kind *k, int64_t grid,
			 const char *today, stat_cb cb, void *ud, struct jw_error *err)
{
	int ty, tm, td;
	if (k->storage != KS_SHARED && k->id != ENT_PERSON)
		return jw_fail(err, JW_EBADREQ, "", "只有居民和台账记录按年龄统计");
	if (!today || !date_parse(today, &ty, &tm, &td))
		return jw_fail(err, JW_EBADREQ, "", "日期无效");
	if (grid > 0)
		return grid_age_counts(st, community, k, grid, ty, tm * 100 + td, cb, ud, err);
	return tally_age_counts(st, community, k, ty, tm, td, cb, ud, err);
}

/* ---- the one grouped count ---- */

/* The SQL expression of a declared field of kind k (alias t): its column,
 * or for a kind of the shared table its JSON member (through the dialect)
 * or one of the shared table's own columns.  false: not a field of k. */
static bool field_expr(const struct dialect *dl, const struct kind *k, const char *field, char *out, size_t n)
{
	static const char *const shared_cols[] = { "grid_id", "sex", "birth_date", "start_date", "end_date",
						   "status", "subject", "subject_id", "created_at", "updated_at" };
	if (!field)
		return false;
	bool declared = entity_field_index(k, field) >= 0;
	if (k->storage == KS_COLUMNS) {
		if (!declared && strcmp(field, "id") != 0)
			return false;
		snprintf(out, n, "t.\"%s\"", field);
		return true;
	}
	if (declared) {
		snprintf(out, n, dl->json_text, "t.data", field);
		return true;
	}
	for (size_t i = 0; i < sizeof(shared_cols) / sizeof(shared_cols[0]); i++)
		if (strcmp(field, shared_cols[i]) == 0) {
			snprintf(out, n, "t.%s", field);
			return true;
		}
	return false;
}

/* ---- maintained counts (kind.tally; store/migrations.h 12) ---- */

/* The column (1…KIND_MAX_TALLY) of tally that counts field of k, or 0. */
static int tally_at(const struct kind *k, const char *field)
{
	for (int i = 0; field && k->tally && i < KIND_MAX_TALLY && k->tally[i]; i++)
		if (strcmp(k->tally[i], field) == 0)
			return i + 1;
	return 0;
}

/* Whether k's maintained counts answer q grouped by dims: every filter an
 * equality on a counted field (a shared kind's counts are of its open
 * entries: its end_date IS NULL must be among them), every dimension a
 * counted field or the community; col[i]: dims[i]'s column (0: the
 * community). */
static bool tally_answers(const struct kind *k, const struct query *q, const char *const *dims, int ndims,
			  int *col)
{
	if (!k->tally || (k->flags & KF_NO_COMMUNITY))
		return false;
	bool open = false;
	for (int i = 0; q && i < q->nfilters; i++) {
		const struct filter *f = &q->filters[i];
		if (k->storage == KS_SHARED && f->op == FOP_NULL && strcmp(f->field, "end_date") == 0)
			open = true;
		else if (f->op != FOP_EQ || !f->value || !tally_at(k, f->field))
			return false;
	}
	if (k->storage == KS_SHARED && !open)
		return false;
	for (int i = 0; i < ndims; i++) {
		if (dims[i] && strcmp(dims[i], "community") == 0) {
			col[i] = 0;
			continue;
		}
		const struct kind_dim *d = kind_dim(k, dims[i]);
		if (!d || d->type != DIM_FIELD || !(col[i] = tally_at(k, d->field)))
			return false;
	}
	return true;
}

/* The community condition of a query of the maintained counts: one
 * community, or an area's communities (one seek each). */
static void tally_community(struct buf *sql, bool area, const char *community, const char *lo, const char *hi,
			    const char **bv, int *nb)
{
	if (area) {
		bv[(*nb)++] = lo;
		bv[(*nb)++] = hi;
		buf_addf(sql, "t.community IN (SELECT code FROM community WHERE code BETWEEN ?%d AND ?%d)", *nb - 1,
			 *nb);
	} else {
		bv[(*nb)++] = community;
		buf_addf(sql, "t.community = ?%d", *nb);
	}
}

/* Whether q is only the condition of migration 13's counts of k (active
 * persons; a shared kind's open entries) and, at *other, one more filter. */
static bool tally13_of(const struct kind *k, const struct query *q, const struct filter **other)
{
	bool own = false;
	*other = NULL;
	if (k->storage != KS_SHARED && k->id != ENT_PERSON)
		return false;
	for (int i = 0; q && i < q->nfilters; i++) {
		const struct filter *f = &q->filters[i];
		if (!own && k->storage == KS_SHARED && f->op == FOP_NULL && strcmp(f->field, "end_date") == 0)
			own = true;
		else if (!own && k->storage != KS_SHARED && f->op == FOP_EQ && strcmp(f->field, "status") == 0 &&
			 f->value && strcmp(f->value, "active") == 0)
			own = true;
		else if (*other)
			return false;
		else
			*other = f;
	}
	return own;
}

/* The counts migration 13 keeps that count_by reads besides tally_answers':
 * active persons or open entries born before, on or after a day
 * (by the birth months before it and the days of its month; by community
 * or in all), and a shared kind's entries by the month opened or closed
 * since a first of the month.  false: they do not answer q. */
static bool tally13_sql(const struct kind *k, const struct query *q, const char *const *dims, int ndims,
			bool area, const char *community, const char *lo, const char *hi, struct buf *sql,
			const char **bv, int *nb, char (*tmp)[24])
{
	const char *key = k->storage == KS_SHARED ? k->key : "person";
	const struct filter *f = NULL;
	int y, m, d;
	const struct kind_dim *dim = ndims == 1 && dims[0] ? kind_dim(k, dims[0]) : NULL;
	if (k->storage == KS_SHARED && dim && dim->type == DIM_MONTH && q && q->nfilters == 1 &&
	    q->filters[0].op == FOP_GE && strcmp(q->filters[0].field, dim->field) == 0 &&
	    (strcmp(dim->field, "start_date") == 0 || strcmp(dim->field, "end_date") == 0) &&
	    q->filters[0].value && date_parse(q->filters[0].value, &y, &m, &d) && d == 1 &&
	    strlen(q->filters[0].value) == 10) {
		/* the trend: entries by the month opened (#in) or closed (#out) */
		snprintf(tmp[0], sizeof(tmp[0]), "%s%s", key, strcmp(dim->field, "start_date") == 0 ? "#in" : "#out");
		snprintf(tmp[1], sizeof(tmp[1]), "%.7s", q->filters[0].value);
		buf_adds(sql, "SELECT NULLIF(t.k1, ''), CAST(sum(t.n) AS BIGINT) FROM tally t WHERE ");
		tally_community(sql, area, community, lo, hi, bv, nb);
		bv[(*nb)++] = tmp[0];
		bv[(*nb)++] = tmp[1];
		buf_addf(sql, " AND t.kind = ?%d AND t.k1 >= ?%d GROUP BY 1 HAVING sum(t.n) <> 0", *nb - 1, *nb);
		return true;
	}
	if (!tally13_of(k, q, &f) || !f || strcmp(f->field, "birth_date") != 0 || !f->value ||
	    strlen(f->value) != 10 || !date_parse(f->value, &y, &m, &d) ||
	    (f->op != FOP_LE && f->op != FOP_LT && f->op != FOP_GE && f->op != FOP_GT))
		return false;
	if (ndims > 1 || (ndims == 1 && (!dims[0] || strcmp(dims[0], "community") != 0)))
		return false;
	bool before = f->op == FOP_LE || f->op == FOP_LT;
	snprintf(tmp[0], sizeof(tmp[0]), "%s#age", key);
	snprintf(tmp[1], sizeof(tmp[1]), "%s#day", key);
	snprintf(tmp[2], sizeof(tmp[2]), "%.7s", f->value);
	snprintf(tmp[3], sizeof(tmp[3]), "%s", f->value + 8);
	static const char *const day_op[] = { [FOP_LE] = "<=", [FOP_LT] = "<", [FOP_GE] = ">=", [FOP_GT] = ">" };
	buf_adds(sql, ndims ? "SELECT c, CAST(sum(n) AS BIGINT) FROM (SELECT t.community AS c, t.n AS n FROM tally t WHERE "
			    : "SELECT CAST(sum(n) AS BIGINT) FROM (SELECT t.n AS n FROM tally t WHERE ");
	tally_community(sql, area, community, lo, hi, bv, nb);
	bv[(*nb)++] = tmp[0];
	bv[(*nb)++] = tmp[2];
	buf_addf(sql, " AND t.kind = ?%d AND t.k1 <> '' AND t.k1 %s ?%d", *nb - 1, before ? "<" : ">", *nb);
	buf_adds(sql, ndims ? " UNION ALL SELECT t.community, t.n FROM tally t WHERE "
			    : " UNION ALL SELECT t.n FROM tally t WHERE ");
	tally_community(sql, area, community, lo, hi, bv, nb);
	bv[(*nb)++] = tmp[1];
	bv[(*nb)++] = tmp[2];
	bv[(*nb)++] = tmp[3];
	buf_addf(sql, " AND t.kind = ?%d AND t.k1 = ?%d AND t.k2 %s ?%d) x", *nb - 2, *nb - 1, day_op[f->op], *nb);
	if (ndims)
		buf_adds(sql, " GROUP BY c HAVING sum(n) <> 0");
	return true;
}

/* The grouped count from the maintained counts (tally_answers said so):
 * a missing value is NULL as in the rows, a group whose rows are all gone
 * is left out. */
static void tally_sql(const struct kind *k, const struct query *q, int ndims, const int *col, bool area,
		      const char *community, const char *lo, const char *hi, struct buf *sql, struct buf *grp,
		      const char **bv, int *nb)
{
	buf_adds(sql, "SELECT ");
	for (int i = 0; i < ndims; i++) {
		if (col[i])
			buf_addf(sql, "%sNULLIF(t.k%d, '')", i ? ", " : "", col[i]);
		else
			buf_adds(sql, i ? ", t.community" : "t.community");
		buf_addf(grp, "%s%d", i ? ", " : "", i + 1);
	}
	buf_adds(sql, ndims ? ", CAST(sum(t.n) AS BIGINT) FROM tally t WHERE " : "CAST(sum(t.n) AS BIGINT) FROM tally t WHERE ");
	tally_community(sql, area, community, lo, hi, bv, nb);
	bv[(*nb)++] = k->key;
	buf_addf(sql, " AND t.kind = ?%d", *nb);
	for (int i = 0; q && i < q->nfilters; i++) {
		const struct filter *f = &q->filters[i];
		if (f->op != FOP_EQ)
			continue;   /* a shared kind's end_date IS NULL: what it counts */
		bv[(*nb)++] = f->value;
		buf_addf(sql, " AND t.k%d = ?%d", tally_at(k, f->field), *nb);
	}
	if (ndims) {
		buf_adds(sql, " GROUP BY ");
		buf_add(sql, grp->data, grp->len);
		buf_adds(sql, " HAVING sum(t.n) <> 0");
	}
}

static int sq_count_by(struct store *st, const char *community, const struct kind *k, const struct query *q,
		       const char *const *dims, int ndims, const char *today, group_cb cb, void *ud,
		       struct jw_error *err)
{
	struct buf sql = BUF_INIT, grp = BUF_INIT;
	const char *bv[QUERY_MAX_FILTERS + COUNT_MAX_DIMS + 4];
	int nb = 0, rc = JW_OK;
	char ex[160];
	if (ndims < 0 || ndims > COUNT_MAX_DIMS)
		return jw_fail(err, JW_EBADREQ, "by", "最多按 %d 个维度统计", COUNT_MAX_DIMS);
	int ty = today ? (int)strtol(today, NULL, 10) : 0;
	bool leap = ty && ((ty % 4 == 0 && ty % 100 != 0) || ty % 400 == 0);
	buf_adds(&sql, "SELECT ");
	char lo[13], hi[13];
	bool area = area_range(community, lo, hi);
	int col[COUNT_MAX_DIMS];
	char tmp[4][24];
	if (tally_answers(k, q, dims, ndims, col)) {
		buf_reset(&sql);
		tally_sql(k, q, ndims, col, area, community, lo, hi, &sql, &grp, bv, &nb);
		goto run;
	}
	buf_reset(&sql);
	if (tally13_sql(k, q, dims, ndims, area, community, lo, hi, &sql, bv, &nb, tmp))
		goto run;
	buf_adds(&sql, "SELECT ");
	for (int i = 0; i < ndims; i++) {
		if (dims[i] && strcmp(dims[i], "community") == 0 && !(k->flags & KF_NO_COMMUNITY)) {
			buf_adds(&sql, i ? ", t.community" : "t.community");
			buf_addf(&grp, "%s%d", i ? ", " : "", i + 1);
			continue;
		}
		const struct kind_dim *d = kind_dim(k, dims[i]);
		if (!d || !field_expr(D(st), k, d->field, ex, sizeof(ex))) {
			rc = jw_fail(err, JW_EBADREQ, "by", "不能按“%s”统计", dims[i] ? dims[i] : "");
			goto out;
		}
		buf_adds(&sql, i ? ", " : "");
		switch (d->type) {
		case DIM_FIELD: buf_adds(&sql, ex); break;
		case DIM_MONTH: buf_addf(&sql, "substr(%s, 1, 7)", ex); break;
		case DIM_YEAR: buf_addf(&sql, "substr(%s, 1, 4)", ex); break;
		case DIM_AGE5:
			/* whole years on today (born 29 February: the birthday is 28
			 * February in a common year), in groups of five */
			if (!today) {
				rc = jw_fail(err, JW_EBADREQ, "by", "按年龄统计需给出日期");
				goto out;
			}
			bv[nb++] = today;
			char bday[400];
			if (leap)
				snprintf(bday, sizeof(bday), "substr(%s, 6, 5)", ex);
			else
				snprintf(bday, sizeof(bday), "replace(substr(%s, 6, 5), '02-29', '02-28')", ex);
			buf_addf(&sql, "(CAST(substr(?%d, 1, 4) AS BIGINT) - CAST(substr(%s, 1, 4) AS BIGINT)"
				 " - CASE WHEN substr(?%d, 6, 5) < %s THEN 1 ELSE 0 END) / 5 * 5", nb, ex, nb, bday);
			break;
		}
		buf_addf(&grp, "%s%d", i ? ", " : "", i + 1);
	}
	buf_adds(&sql, ndims ? ", count(*) FROM " : "count(*) FROM ");
	buf_adds(&sql, k->storage == KS_SHARED ? "ledger_entry" : k->table);
	buf_adds(&sql, " t WHERE ");
	if (k->flags & KF_NO_COMMUNITY) {
		buf_adds(&sql, "1 = 1");
	} else if (area) {
		bv[nb++] = lo;
		bv[nb++] = hi;
		buf_addf(&sql, "t.community BETWEEN ?%d AND ?%d", nb - 1, nb);
	} else {
		bv[nb++] = community;
		buf_addf(&sql, "t.community = ?%d", nb);
	}
	if (k->storage == KS_SHARED) {
		bv[nb++] = k->key;
		buf_addf(&sql, " AND t.ledger = ?%d", nb);
	}
	for (int i = 0; q && i < q->nfilters; i++) {
		const struct filter *f = &q->filters[i];
		if (!field_expr(D(st), k, f->field, ex, sizeof(ex))) {
			rc = jw_fail(err, JW_EBADREQ, f->field, "不能按“%s”筛选", f->field);
			goto out;
		}
		if (f->op == FOP_NULL) {
			buf_addf(&sql, " AND %s IS NULL", ex);
			continue;
		}
		if (f->op == FOP_IN) {
			rc = jw_fail(err, JW_EBADREQ, f->field, "统计不支持按“%s”的取值列表筛选", f->field);
			goto out;
		}
		bv[nb++] = f->value;
		const char *op = op_sql(D(st), f->op);
		buf_addf(&sql, " AND %s %.*s?%d", ex, (int)strcspn(op, "?"), op, nb);
	}
	if (ndims) {
		buf_adds(&sql, " GROUP BY ");
		buf_add(&sql, grp.data, grp.len);
	}
run:;
	struct db_stmt *s = stmt(st, buf_cstr(&sql));
	if (!s) {
		rc = jw_fail(err, JW_ESTORE, "", NULL);
		goto out;
	}
	for (int i = 0; i < nb; i++)
		bind_text(s, i + 1, bv[i]);
	int step;
	while ((step = db_step(s)) == DB_ROW) {
		const char *keys[COUNT_MAX_DIMS];
		char nums[COUNT_MAX_DIMS][24];
		for (int i = 0; i < ndims; i++) {
			if (db_col_is_int(s, i)) {
				snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)db_col_int64(s, i));
				keys[i] = nums[i];
			} else {
				keys[i] = col_text(s, i);
			}
		}
		if ((rc = cb(keys, db_col_int64(s, ndims), ud)) != JW_OK)
			break;
	}
	if (rc == JW_OK && step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
out:
	buf_release(&sql);
	buf_release(&grp);
	return rc;
}


/* ---- backup, integrity, verification (svc/backup.c, svc/check.c) ---- */

static int sq_backup_to(struct store *st, const char *path, const volatile int *cancel, struct jw_error *err)
{
	if (st->txdepth > 0 || st->reading)
		return jw_fail(err, JW_ESTORE, "", "备份不能在事务中进行");
	return CONN(st)->ops->backup_to(CONN(st), path, cancel, err);
}


static int sq_verify(struct store *st, const char *community, enum store_verify what, problem_cb cb, void *ud,
		     int64_t *n, int64_t *sample, int nsample, struct jw_error *err)
{
	if (fts_flush(st) != JW_OK)
		return db_fail(st, err, __func__);
	if (what == SV_INTEGRITY)
		return CONN(st)->ops->integrity(CONN(st), cb, ud, n, err);
	/* each: the ids of the rows that break the rule (?1 = community) */
	static const char *const sql[SV__COUNT] = {
		[SV_HOUSEHOLD_SIZE] =
			"SELECT h.id FROM household h WHERE h.community = ?1 AND h.size IS NOT"
			" (SELECT count(*) FROM person p WHERE p.household_id = h.id AND p.status = 'active')",
		[SV_PERSON_LOCATION] =
			"SELECT p.id FROM person p LEFT JOIN household h ON h.id = p.household_id"
			" WHERE p.community = ?1 AND (p.house_id IS NOT h.house_id OR p.building_id IS NOT h.building_id"
			"  OR p.grid_id IS NOT h.grid_id)",
		[SV_HOUSEHOLD_LOCATION] =
			"SELECT h.id FROM household h LEFT JOIN house o ON o.id = h.house_id"
			" WHERE h.community = ?1 AND (h.building_id IS NOT o.building_id OR h.grid_id IS NOT o.grid_id)",
		[SV_HOUSE_GRID] =
			"SELECT o.id FROM house o LEFT JOIN building b ON b.id = o.building_id"
			" WHERE o.community = ?1 AND o.grid_id IS NOT b.grid_id",
		[SV_SEARCH_TEXT] =
			"SELECT p.id FROM person p WHERE p.community = ?1 AND CASE p.status WHEN 'active' THEN"
			"  NOT EXISTS (SELECT 1 FROM person_fts f WHERE f.rowid = p.id)"
			"  OR EXISTS (SELECT 1 FROM person_fts_gone g WHERE g.rowid = p.id)"
			" ELSE NOT EXISTS (SELECT 1 FROM person_fts_gone g WHERE g.rowid = p.id)"
			"  OR EXISTS (SELECT 1 FROM person_fts f WHERE f.rowid = p.id) END"
			" UNION ALL SELECT f.rowid FROM person_fts f WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.id = f.rowid)"
			" UNION ALL SELECT g.rowid FROM person_fts_gone g WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.id = g.rowid)",
		[SV_SEARCH_NAME] =
			"SELECT p.id FROM person p WHERE p.community = ?1 AND (p.name_py IS NULL OR p.name_ini IS NULL"
			" OR p.id_rev IS NOT jw_reverse(p.id_number) OR p.phone_rev IS NOT jw_reverse(p.phone)"
			" OR NOT EXISTS (SELECT 1 FROM person_gram g WHERE g.person_id = p.id"
			"  AND (substr(g.gram, 1, 1) = '~') = (p.status <> 'active')))",
		[SV_ENTRY_SUBJECT] =
			"SELECT e.id FROM ledger_entry e WHERE e.community = ?1 AND NOT CASE e.subject"
			" WHEN 'person' THEN EXISTS (SELECT 1 FROM person p WHERE p.id = e.subject_id)"
			" WHEN 'household' THEN EXISTS (SELECT 1 FROM household h WHERE h.id = e.subject_id)"
			" ELSE EXISTS (SELECT 1 FROM house o WHERE o.id = e.subject_id) END",
		[SV_TALLY] =   /* a row for each group counted otherwise than there are rows */
			"SELECT 0 FROM (SELECT c, kind, k1, k2, k3, k4 FROM (SELECT c, kind, k1, k2, k3, k4, n"
			"  FROM (" TALLY_RECOUNT_ONE ") r"
			"  EXCEPT SELECT community, kind, k1, k2, k3, k4, n FROM tally WHERE community = ?1 AND n <> 0) x"
			" UNION SELECT community, kind, k1, k2, k3, k4 FROM (SELECT community, kind, k1, k2, k3, k4, n"
			"  FROM tally WHERE community = ?1 AND n <> 0"
			"  EXCEPT SELECT c, kind, k1, k2, k3, k4, n FROM (" TALLY_RECOUNT_ONE ") r) y) z",
	};
	if ((int)what < 0 || what >= SV__COUNT || !sql[what])
		return jw_fail(err, JW_EINVAL, "", NULL);
	struct db_stmt *s = CONN(st)->ops->prepare(CONN(st), sql[what]);   /* rarely run: not cached */
	if (!s)
		return db_fail(st, err, __func__);
	bind_text(s, 1, community);
	int64_t k = 0;
	int step;
	while ((step = db_step(s)) == DB_ROW) {
		if (k < nsample)
			sample[k] = db_col_int64(s, 0);
		k++;
	}
	CONN(st)->ops->finalize(s);
	if (step != DB_DONE)
		return jw_fail(err, JW_ESTORE, "", "检查时读取失败（数据库可能已损坏）");
	*n = k;
	return JW_OK;
}

static int sq_rebuild(struct store *st, const char *community, enum store_verify what, struct jw_error *err)
{
	if (what != SV_TALLY)
		return jw_fail(err, JW_EINVAL, "", "该项检查没有可重建的内容");
	static const char *const sql[2] = {
		"DELETE FROM tally WHERE community = ?1",
		"INSERT INTO tally (community, kind, k1, k2, k3, k4, n) " TALLY_RECOUNT_ONE,
	};
	for (int i = 0; i < 2; i++) {
		struct db_stmt *s = CONN(st)->ops->prepare(CONN(st), sql[i]);   /* rarely run: not cached */
		if (!s)
			return db_fail(st, err, __func__);
		bind_text(s, 1, community);
		int step = db_step(s);
		CONN(st)->ops->finalize(s);
		if (step != DB_DONE)
			return db_fail(st, err, __func__);
	}
	return JW_OK;
}

static int sq_changes(struct store *st, int64_t *n)
{
	*n = CONN(st)->ops->total_changes(CONN(st));
	return JW_OK;
}

static int sq_meta_get(struct store *st, const char *key, char *out, size_t n, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, "SELECT value FROM meta WHERE key = ?");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, key);
	int step = db_step(s);
	if (n)
		out[0] = '\0';
	if (step == DB_ROW && n)
		snprintf(out, n, "%s", col_text(s, 0) ? col_text(s, 0) : "");
	db_reset(s);
	if (step != DB_ROW && step != DB_DONE)
		return db_fail(st, err, __func__);
	return JW_OK;
}

/* value NULL: the key is removed.  A key keeps its place in meta_list when
 * its value changes. */
static int sq_meta_put(struct store *st, const char *key, const char *value, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, value ? "INSERT INTO meta(key, value) VALUES(?1, ?2)"
					   " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
					 : "DELETE FROM meta WHERE key = ?1");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, key);
	if (value)
		bind_text(s, 2, value);
	if (db_step(s) != DB_DONE)
		return db_fail(st, err, __func__);
	db_reset(s);
	return JW_OK;
}

/* The keys that begin with prefix, with their values, in the order they
 * were first put. */
static int sq_meta_list(struct store *st, const char *prefix, meta_cb cb, void *ud, struct jw_error *err)
{
	struct db_stmt *s = stmt(st, "SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY rowid");
	if (!s)
		return jw_fail(err, JW_ESTORE, "", NULL);
	bind_text(s, 1, prefix);
	int rc = JW_OK, step;
	while ((step = db_step(s)) == DB_ROW)
		if ((rc = cb(col_text(s, 0), col_text(s, 1), ud)) != JW_OK)
			break;
	if (rc == JW_OK && step != DB_DONE)
		rc = db_fail(st, err, __func__);
	db_reset(s);
	return rc;
}

const struct store_ops sql_store_ops = {
	.name = "sql",
	.open = sq_open,
	.close = sq_close,
	.tx = sq_tx,
	.count_by = sq_count_by,
	.community_insert = sq_community_insert,
	.community_list = sq_community_list,
	.record_insert = sq_record_insert,
	.record_update = sq_record_update,
	.record_get = sq_record_get,
	.record_list = sq_record_list,
	.record_find = sq_record_find,
	.person_index = sq_person_index,
	.place_sync = sq_place_sync,
	.building_plan = sq_building_plan,
	.entry_in_building = sq_entry_in_building,
	.user_put = sq_user_put,
	.user_get = sq_user_get,
	.session_put = sq_session_put,
	.session_get = sq_session_get,
	.session_end = sq_session_end,
	.entry_put = sq_entry_put,
	.entry_list = sq_entry_list,
	.entry_close_subject = sq_entry_close_subject,
	.ledger_derive = sq_ledger_derive,
	.age_counts = sq_age_counts,
	.backup_to = sq_backup_to,
	.verify = sq_verify,
	.rebuild = sq_rebuild,
	.changes = sq_changes,
	.meta_get = sq_meta_get,
	.meta_put = sq_meta_put,
	.meta_list = sq_meta_list,
	.replica_add = sq_replica_add,
};

/*
 * copy.c — a whole store copied into an empty one, table by table
 * (store_copy in store.h; `juwei migrate`).  Both ends are drivers
 * (store/sqldb.h), so a SQLite file goes into PostgreSQL, or any back end
 * into any other; the destination's schema is made by its own migrations
 * when it is opened, and only the rows move.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "store/sqldb.h"
#include "store/tally.h"

/* In the order of their references.  The implicit rowid is copied where it
 * is read (meta's order, the community, the full-text rows' person). */
static const struct {
	const char *name;
	const char *cols;   /* NULL: every column */
	bool serial;        /* an id (or rowid) the back end numbers */
} tables[] = {
	{ "meta", "rowid, key, value", true },
	{ "community", "rowid, code, name, created_at", true },
	{ "grid", NULL, true },
	{ "building", NULL, true },
	{ "house", NULL, true },
	{ "household", NULL, true },
	{ "person", NULL, true },
	{ "person_gram", NULL, false },
	{ "person_key", NULL, false },
	{ "person_fts", "rowid, id_number, phone, address", false },
	{ "person_fts_gone", "rowid, id_number, phone, address", false },
	{ "app_user", NULL, true },
	{ "session", NULL, false },
	{ "audit", NULL, true },
	{ "ledger_entry", NULL, true },
	{ "visit", NULL, true },
};
#define NTABLES ((int)(sizeof(tables) / sizeof(tables[0])))
/* The tables whose triggers keep the maintained counts (store/tally.h). */
#define COPY_TRIGGERS(ON)                                                                              \
	"ALTER TABLE person " ON " TRIGGER USER; ALTER TABLE household " ON " TRIGGER USER;"            \
	" ALTER TABLE house " ON " TRIGGER USER; ALTER TABLE building " ON " TRIGGER USER;"             \
	" ALTER TABLE grid " ON " TRIGGER USER; ALTER TABLE ledger_entry " ON " TRIGGER USER"

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* A value as both back ends agree on it: a decimal fraction ("85.50",
 * "85.5") in one spelling. */
static uint64_t fnv_value(uint64_t h, const char *v)
{
	if (!v)
		return fnv(h, "\x1e", 1);
	char *end = NULL;
	if (strchr(v, '.') && *v) {
		double d = strtod(v, &end);
		if (end && !*end) {
			char t[40];
			int n = snprintf(t, sizeof(t), "%.15g", d);
			return fnv(fnv(h, t, (size_t)n), "\x1f", 1);
		}
	}
	return fnv(fnv(h, v, strlen(v)), "\x1f", 1);
}

/* Every row's hash summed: the same whatever order the rows come in. */
static int table_sum(struct db_conn *c, const char *sql, int64_t *rows, uint64_t *sum)
{
	struct db_stmt *s = c->ops->prepare(c, sql);
	if (!s)
		return JW_ESTORE;
	int step, rc = JW_OK;
	*rows = 0;
	*sum = 0;
	while ((step = db_step(s)) == DB_ROW) {
		uint64_t h = 1469598103934665603ull;
		for (int i = 0, n = db_col_count(s); i < n; i++)
			h = fnv_value(h, db_col_text(s, i));
		*sum += h;
		(*rows)++;
	}
	if (step != DB_DONE)
		rc = JW_ESTORE;
	c->ops->finalize(s);
	return rc;
}

static int copy_fail(struct db_conn *c, struct jw_error *err, const char *table)
{
	char field[64];
	const char *msg = "";
	c->ops->failure(c, field, sizeof(field), &msg);
	return jw_fail(err, JW_ESTORE, "to", "复制表 %s 时出错：%s", table, msg);
}

/* One table: its rows read from f and written to t; names (the columns as
 * read) into cols for the checksum's SELECT on both sides. */
static int copy_table(struct db_conn *f, struct db_conn *t, int k, struct buf *cols, struct jw_error *err)
{
	char sel[256];
	snprintf(sel, sizeof(sel), "SELECT %s FROM %s", tables[k].cols ? tables[k].cols : "*", tables[k].name);
	struct db_stmt *s = f->ops->prepare(f, sel), *ins = NULL;
	if (!s)
		return jw_fail(err, JW_ESTORE, "from", "无法读取源数据库的表 %s", tables[k].name);
	int step, rc = JW_OK, ncol = 0;
	bool copying = false;   /* the back end's bulk load (COPY) */
	const char *vals[64];
	buf_reset(cols);
	while (rc == JW_OK && (step = db_step(s)) == DB_ROW) {
		if (!ins && !copying && t->ops->copy_begin && db_col_count(s) <= 64) {
			ncol = db_col_count(s);
			for (int i = 0; i < ncol; i++)
				buf_addf(cols, "%s\"%s\"", i ? ", " : "", db_col_name(s, i));
			if (t->ops->copy_begin(t, tables[k].name, buf_cstr(cols)) != JW_OK) {
				rc = copy_fail(t, err, tables[k].name);
				break;
			}
			copying = true;
		}
		if (copying) {
			for (int i = 0; i < ncol; i++)
				vals[i] = db_col_text(s, i);
			if (t->ops->copy_row(t, vals, ncol) != JW_OK) {
				rc = copy_fail(t, err, tables[k].name);
				break;
			}
			continue;
		}
		if (!ins) {
			struct buf sql = BUF_INIT;
			ncol = db_col_count(s);
			for (int i = 0; i < ncol; i++)
				buf_addf(cols, "%s\"%s\"", i ? ", " : "", db_col_name(s, i));
			buf_addf(&sql, "INSERT INTO %s (%s) VALUES (", tables[k].name, buf_cstr(cols));
			for (int i = 0; i < ncol; i++)
				buf_addf(&sql, "%s?%d", i ? ", " : "", i + 1);
			buf_addc(&sql, ')');
			ins = t->ops->prepare(t, buf_cstr(&sql));
			buf_release(&sql);
			if (!ins) {
				rc = copy_fail(t, err, tables[k].name);
				break;
			}
		}
		db_reset(ins);
		for (int i = 0; i < ncol; i++)
			db_bind_text(ins, i + 1, db_col_text(s, i));
		if (db_step(ins) != DB_DONE)
			rc = copy_fail(t, err, tables[k].name);
	}
	if (rc == JW_OK && step != DB_DONE)
		rc = jw_fail(err, JW_ESTORE, "from", "读取源数据库的表 %s 时出错", tables[k].name);
	if (copying && t->ops->copy_end(t) != JW_OK && rc == JW_OK)
		rc = copy_fail(t, err, tables[k].name);
	if (ins)
		t->ops->finalize(ins);
	f->ops->finalize(s);
	return rc;
}

/* The back end's numbering goes on after the copied ids. */
static int renumber(struct db_conn *t, int k)
{
	if (t->ops != &pg_db || !tables[k].serial)
		return JW_OK;
	const char *col = tables[k].cols ? "rowid" : "id";
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
		 " coalesce((SELECT max(%s) FROM %s), 0) + 1, false)", tables[k].name, col, col, tables[k].name);
	return t->ops->exec(t, sql);
}

int store_copy(const char *from, const char *to, copy_cb cb, void *ud, struct jw_error *err)
{
	if (!store_exists(from))
		return jw_fail(err, JW_EIO, "from", "源数据库“%s”不存在，请检查 --from", from);
	const char *fl = from, *tl = to;
	const struct db_conn_ops *fd = db_driver_for(&fl), *td = db_driver_for(&tl);
	if (strcmp(fl, tl) == 0)
		return jw_fail(err, JW_EUSAGE, "to", "--from 与 --to 是同一个数据库");
	struct db_conn *f = fd->open(fl, err), *t = NULL;
	if (!f)
		return err->code;
	if (!(t = td->open(tl, err))) {
		f->ops->close(f);
		return err->code;
	}
	int rc = JW_OK;
	int64_t n = 0;
	uint64_t sum = 0;
	struct buf cols = BUF_INIT, sql = BUF_INIT;
	struct copy_report rep[NTABLES];
	if (table_sum(f, "SELECT code FROM community", &n, &sum) != JW_OK || n == 0) {
		rc = jw_fail(err, JW_EINVAL, "from", "源数据库“%s”中没有社区（未初始化的数据库？）", from);
		goto out;
	}
	if ((rc = t->ops->tx(t, TX_BEGIN)) != JW_OK) {
		rc = jw_fail(err, rc, "to", "无法在目标数据库开始写入（被占用？）");
		goto out;
	}
	if (table_sum(t, "SELECT code FROM community", &n, &sum) != JW_OK || n > 0) {
		rc = jw_fail(err, JW_ECONFLICT, "to", "目标数据库中已有社区数据，迁移只做一次；请换一个空的数据库");
		goto rollback;
	}
	/* the destination's own settings (its schema version) give way to the copy's */
	if (t->ops->exec(t, "DELETE FROM meta") != JW_OK) {
		rc = copy_fail(t, err, "meta");
		goto rollback;
	}
	/* A bulk load (COPY) with the maintained counts' triggers off, which
	 * would otherwise run for every row; the counts made from the rows at
	 * the end (the same transaction: nobody sees the store between). */
	bool counts_after = t->ops->copy_begin && t->ops->exec(t, COPY_TRIGGERS("DISABLE")) == JW_OK;
	if (t->ops->copy_begin && !counts_after) {
		rc = copy_fail(t, err, "tally");
		goto rollback;
	}
	for (int k = 0; k < NTABLES && rc == JW_OK; k++) {
		rep[k] = (struct copy_report){ .table = tables[k].name };
		if ((rc = copy_table(f, t, k, &cols, err)) != JW_OK)
			break;
		if (renumber(t, k) != JW_OK) {
			rc = copy_fail(t, err, tables[k].name);
			break;
		}
		if (!cols.len)   /* an empty table */
			continue;
		buf_reset(&sql);
		buf_addf(&sql, "SELECT %s FROM %s", buf_cstr(&cols), tables[k].name);
		if (table_sum(f, buf_cstr(&sql), &rep[k].rows_from, &rep[k].sum_from) != JW_OK ||
		    table_sum(t, buf_cstr(&sql), &rep[k].rows_to, &rep[k].sum_to) != JW_OK) {
			rc = copy_fail(t, err, tables[k].name);
			break;
		}
		if (rep[k].rows_from != rep[k].rows_to || rep[k].sum_from != rep[k].sum_to)
			rc = jw_fail(err, JW_ESTORE, "to", "表 %s 复制后不一致（源 %lld 行，目标 %lld 行），已撤销迁移",
				     tables[k].name, (long long)rep[k].rows_from, (long long)rep[k].rows_to);
	}
	if (rc == JW_OK && counts_after &&
	    (t->ops->exec(t, "DELETE FROM tally;\n" TALLY_FILL12 TALLY_FILL13) != JW_OK ||
	     t->ops->exec(t, COPY_TRIGGERS("ENABLE")) != JW_OK))
		rc = copy_fail(t, err, "tally");
	for (int k = 0; rc == JW_OK && k < NTABLES; k++)
		if (cb)
			cb(&rep[k], ud);
	if (rc == JW_OK && (rc = t->ops->tx(t, TX_COMMIT)) != JW_OK)
		rc = jw_fail(err, rc, "to", "目标数据库提交失败，未迁移任何数据");
	/* a bulk load's tables vacuumed and analysed, as after any: the
	 * planner's figures and the visibility map an index-only scan needs */
	if (rc == JW_OK && counts_after)
		t->ops->exec(t, "VACUUM (ANALYZE)");
	if (rc == JW_OK)
		goto out;
rollback:
	t->ops->tx(t, TX_ROLLBACK);
out:
	buf_release(&cols);
	buf_release(&sql);
	t->ops->close(t);
	f->ops->close(f);
	return rc;
}

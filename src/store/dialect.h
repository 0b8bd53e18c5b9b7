/*
 * dialect.h — what differs between the SQL back ends, in one small table,
 * so that a PostgreSQL back end is a dialect and not a rewrite.  The SQL
 * the store builds from declarations (store/sql.c: records, the grouped
 * count, derivation rules in store/derive.c) takes these pieces from here;
 * everything else it writes is SQL both back ends read alike.
 */
#ifndef JW_DIALECT_H
#define JW_DIALECT_H

#include <stdbool.h>

struct dialect {
	const char *name;
	/* the n-th bound value (1-based): "?%d" (SQLite) / "$%d" (PostgreSQL) */
	const char *placeholder;
	/* a JSON object's member as text: printf format of (column, member) */
	const char *json_text;
	/* a JSON object of text values: the function taking key, value, … */
	const char *json_object;
	/* "differs, NULL counting as a value", before a placeholder */
	const char *is_not;
	/* the write transaction's BEGIN (taking the write lock at once) */
	const char *begin_write;
	/* a read-only request's BEGIN: one snapshot for all its statements
	 * (NULL: none, the statements run on their own) */
	const char *begin_read;
	/* insert or, on a clash of the key, update: "ON CONFLICT (%s) DO UPDATE SET" */
	const char *upsert;
	/* the new row's value in an upsert: printf format of (column) */
	const char *excluded;
	/* numbers and addresses found by FTS5 MATCH (SQLite), else by ILIKE
	 * on a plain table with trigram indexes (store/sql.c fts_ids) */
	bool fts5;
};

extern const struct dialect dialect_sqlite;
extern const struct dialect dialect_postgres;

#endif

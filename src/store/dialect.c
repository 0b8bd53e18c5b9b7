/*
 * dialect.c — the dialect table (see dialect.h).  PostgreSQL's row is here
 * already, so that its back end (issue 10) starts from the same table.
 */
#include "store/dialect.h"

const struct dialect dialect_sqlite = {
	.name = "sqlite",
	.placeholder = "?%d",
	.json_text = "json_extract(%s, '$.%s')",
	.json_object = "json_object",
	.is_not = " IS NOT ?",
	.begin_write = "BEGIN IMMEDIATE",
	.begin_read = "BEGIN",
	.upsert = "ON CONFLICT (%s) DO UPDATE SET",
	.excluded = "excluded.%s",
	.fts5 = true,
};

const struct dialect dialect_postgres = {
	.name = "postgres",
	.placeholder = "$%d",
	.json_text = "(%s::jsonb ->> '%s')",
	.json_object = "json_build_object",
	.is_not = " IS DISTINCT FROM ?",
	.begin_write = "BEGIN",
	.begin_read = NULL,   /* read committed gives each statement its own snapshot anyway:
			       * a BEGIN and a COMMIT would be two round trips for nothing */
	.upsert = "ON CONFLICT (%s) DO UPDATE SET",
	.excluded = "EXCLUDED.%s",
};

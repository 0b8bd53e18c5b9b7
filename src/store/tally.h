/*
 * tally.h — the SQL of the maintained counts (kind.tally): the triggers of
 * migration 12 that keep them in every writing transaction, and the
 * recount that fills, checks and rebuilds them (store/sql.c verify and
 * rebuild).  Text only, shared by migrations.h and sql.c.
 */
#ifndef JW_STORE_TALLY_H
#define JW_STORE_TALLY_H

/* The maintained counts of migration 12: an added or taken row's count. */
#define TALLY_KEY " ON CONFLICT (community, kind, k1, k2, k3, k4) DO UPDATE SET n = tally.n + excluded.n"
#define TALLY_SQ_UPSERT TALLY_KEY ";\n"
#define TALLY_SQ_ADD TALLY_KEY ";\nEND;\n"
#define TALLY_SQ_PERSON_ROW(R, D)                                                                     \
	"  INSERT INTO tally VALUES (" R ".community, 'person', coalesce(" R ".status, ''),\n"          \
	"    coalesce(" R ".residence_type, ''), coalesce(" R ".hukou_status, ''), coalesce(" R ".grid_id, ''), " D ")"
#define TALLY_SQ_PERSON                                                                                \
	"CREATE TRIGGER person_tally_in AFTER INSERT ON person BEGIN\n" TALLY_SQ_PERSON_ROW("NEW", "1")     \
	TALLY_SQ_ADD                                                                                   \
	"CREATE TRIGGER person_tally_out AFTER DELETE ON person BEGIN\n" TALLY_SQ_PERSON_ROW("OLD", "-1")   \
	TALLY_SQ_ADD                                                                                   \
	"CREATE TRIGGER person_tally_up AFTER UPDATE OF community, status, residence_type, hukou_status, grid_id\n" \
	"  ON person WHEN OLD.community IS NOT NEW.community OR OLD.status IS NOT NEW.status\n"          \
	"    OR OLD.residence_type IS NOT NEW.residence_type OR OLD.hukou_status IS NOT NEW.hukou_status\n" \
	"    OR OLD.grid_id IS NOT NEW.grid_id BEGIN\n"                                                  \
	TALLY_SQ_PERSON_ROW("OLD", "-1") TALLY_SQ_UPSERT TALLY_SQ_PERSON_ROW("NEW", "1") TALLY_SQ_ADD
#define TALLY_SQ_PLACE(T)                                                                              \
	"CREATE TRIGGER " T "_tally_in AFTER INSERT ON " T " BEGIN\n"                                    \
	"  INSERT INTO tally VALUES (NEW.community, '" T "', coalesce(NEW.grid_id, ''), '', '', '', 1)" TALLY_SQ_ADD \
	"CREATE TRIGGER " T "_tally_out AFTER DELETE ON " T " BEGIN\n"                                   \
	"  INSERT INTO tally VALUES (OLD.community, '" T "', coalesce(OLD.grid_id, ''), '', '', '', -1)" TALLY_SQ_ADD \
	"CREATE TRIGGER " T "_tally_up AFTER UPDATE OF community, grid_id ON " T "\n"                    \
	"  WHEN OLD.community IS NOT NEW.community OR OLD.grid_id IS NOT NEW.grid_id BEGIN\n"            \
	"  INSERT INTO tally VALUES (OLD.community, '" T "', coalesce(OLD.grid_id, ''), '', '', '', -1)" TALLY_SQ_UPSERT \
	"  INSERT INTO tally VALUES (NEW.community, '" T "', coalesce(NEW.grid_id, ''), '', '', '', 1)" TALLY_SQ_ADD
/* The counts of the rows there are (the migration; check, check --repair):
 * of the whole store, or with W " WHERE community = ?1" and A the same
 * after AND, of one community. */
#define TALLY_RECOUNT_OF(W, A)                                                                         \
	"SELECT community AS c, 'person' AS kind, coalesce(status, '') AS k1, coalesce(residence_type, '') AS k2,\n" \
	"  coalesce(hukou_status, '') AS k3, coalesce(CAST(grid_id AS TEXT), '') AS k4, count(*) AS n FROM person" W \
	" GROUP BY 1, 2, 3, 4, 5, 6\n"                                                                    \
	"UNION ALL SELECT community, 'household', coalesce(CAST(grid_id AS TEXT), ''), '', '', '', count(*)\n" \
	"  FROM household" W " GROUP BY 1, 2, 3\n"                                                         \
	"UNION ALL SELECT community, 'house', coalesce(CAST(grid_id AS TEXT), ''), '', '', '', count(*)\n" \
	"  FROM house" W " GROUP BY 1, 2, 3\n"                                                             \
	"UNION ALL SELECT community, 'building', coalesce(CAST(grid_id AS TEXT), ''), '', '', '', count(*)\n" \
	"  FROM building" W " GROUP BY 1, 2, 3\n"                                                          \
	"UNION ALL SELECT community, 'grid', '', '', '', '', count(*) FROM grid" W " GROUP BY 1, 2\n"     \
	"UNION ALL SELECT community, ledger, coalesce(CAST(grid_id AS TEXT), ''), '', '', '', count(*)\n" \
	"  FROM ledger_entry WHERE end_date IS NULL" A " GROUP BY 1, 2, 3"
#define TALLY_RECOUNT TALLY_RECOUNT_OF("", "")
#define TALLY_RECOUNT_ONE TALLY_RECOUNT_OF(" WHERE community = ?1", " AND community = ?1")
#define TALLY_FILL "INSERT INTO tally (community, kind, k1, k2, k3, k4, n)\n" TALLY_RECOUNT ";\n"

#define TALLY_PG_PLACE(T)                                                                              \
	"CREATE TRIGGER " T "_tally AFTER INSERT OR DELETE ON " T " FOR EACH ROW EXECUTE FUNCTION place_tally();\n" \
	"CREATE TRIGGER " T "_tally_up AFTER UPDATE ON " T " FOR EACH ROW\n"                             \
	"  WHEN (OLD.community IS DISTINCT FROM NEW.community OR OLD.grid_id IS DISTINCT FROM NEW.grid_id)\n" \
	"  EXECUTE FUNCTION place_tally();\n"

#endif

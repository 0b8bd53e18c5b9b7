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
#define TALLY_FILL12 "INSERT INTO tally (community, kind, k1, k2, k3, k4, n)\n" TALLY_RECOUNT_OF("", "") ";\n"

/* Migration 13: the counts the statistics pages read instead of scanning
 * a million rows.  Of active persons (kind "person#…") and of a ledger's
 * open entries ("<ledger>#…"): by birth month and sex (#age: k1 'YYYY-MM',
 * k2 sex), by birth day in the month (#day: k1 month, k2 'DD', k3 sex:
 * read only for the month whose birthdays decide an age group today), by
 * building (#bld: k1 the id); and every entry of a ledger by the month it
 * was opened (#in) and, once closed, closed (#out).  '' = missing. */
#define TALLY_SQ_AGE_ROWS(R, K, COND, D)                                                               \
	"  INSERT INTO tally SELECT " R ".community, " K " || '#age', coalesce(substr(" R ".birth_date, 1, 7), ''),\n" \
	"    coalesce(" R ".sex, ''), '', '', " D " WHERE " COND TALLY_SQ_UPSERT                       \
	"  INSERT INTO tally SELECT " R ".community, " K " || '#day', substr(" R ".birth_date, 1, 7),\n"    \
	"    substr(" R ".birth_date, 9, 2), coalesce(" R ".sex, ''), '', " D "\n"                       \
	"    WHERE " COND " AND " R ".birth_date IS NOT NULL" TALLY_SQ_UPSERT                            \
	"  INSERT INTO tally SELECT " R ".community, " K " || '#bld', coalesce(" R ".building_id, ''), '', '', '', " D \
	" WHERE " COND TALLY_SQ_UPSERT
#define TALLY_SQ_PERSON_AGE(R, D) TALLY_SQ_AGE_ROWS(R, "'person'", R ".status = 'active'", D)
#define TALLY_SQ_ENTRY_ROWS(R, D)                                                                      \
	"  INSERT INTO tally SELECT " R ".community, " R ".ledger, coalesce(" R ".grid_id, ''), '', '', '', " D "\n" \
	"    WHERE " R ".end_date IS NULL" TALLY_SQ_UPSERT                                               \
	TALLY_SQ_AGE_ROWS(R, R ".ledger", R ".end_date IS NULL", D)                                    \
	"  INSERT INTO tally SELECT " R ".community, " R ".ledger || '#in', coalesce(substr(" R ".start_date, 1, 7), ''),\n" \
	"    '', '', '', " D " WHERE 1" TALLY_SQ_UPSERT                                                   \
	"  INSERT INTO tally SELECT " R ".community, " R ".ledger || '#out', substr(" R ".end_date, 1, 7), '', '', '', " D \
	"\n    WHERE " R ".end_date IS NOT NULL" TALLY_SQ_UPSERT
#define TALLY_SQ_13                                                                                    \
	"DROP TRIGGER person_tally_in;\nDROP TRIGGER person_tally_out;\nDROP TRIGGER person_tally_up;\n"   \
	"DROP TRIGGER entry_tally_in;\nDROP TRIGGER entry_tally_out;\nDROP TRIGGER entry_tally_up;\n"      \
	"CREATE TRIGGER person_tally_in AFTER INSERT ON person BEGIN\n" TALLY_SQ_PERSON_ROW("NEW", "1")     \
	TALLY_SQ_UPSERT TALLY_SQ_PERSON_AGE("NEW", "1") "END;\n"                                         \
	"CREATE TRIGGER person_tally_out AFTER DELETE ON person BEGIN\n" TALLY_SQ_PERSON_ROW("OLD", "-1")   \
	TALLY_SQ_UPSERT TALLY_SQ_PERSON_AGE("OLD", "-1") "END;\n"                                        \
	"CREATE TRIGGER person_tally_up AFTER UPDATE OF community, status, residence_type, hukou_status, grid_id,\n" \
	"  sex, birth_date, building_id ON person\n"                                                    \
	"  WHEN OLD.community IS NOT NEW.community OR OLD.status IS NOT NEW.status\n"                    \
	"    OR OLD.residence_type IS NOT NEW.residence_type OR OLD.hukou_status IS NOT NEW.hukou_status\n" \
	"    OR OLD.grid_id IS NOT NEW.grid_id OR OLD.sex IS NOT NEW.sex OR OLD.birth_date IS NOT NEW.birth_date\n" \
	"    OR OLD.building_id IS NOT NEW.building_id BEGIN\n"                                           \
	TALLY_SQ_PERSON_ROW("OLD", "-1") TALLY_SQ_UPSERT TALLY_SQ_PERSON_ROW("NEW", "1") TALLY_SQ_UPSERT \
	TALLY_SQ_PERSON_AGE("OLD", "-1") TALLY_SQ_PERSON_AGE("NEW", "1") "END;\n"                        \
	"CREATE TRIGGER entry_tally_in AFTER INSERT ON ledger_entry BEGIN\n" TALLY_SQ_ENTRY_ROWS("NEW", "1") "END;\n" \
	"CREATE TRIGGER entry_tally_out AFTER DELETE ON ledger_entry BEGIN\n" TALLY_SQ_ENTRY_ROWS("OLD", "-1") "END;\n" \
	"CREATE TRIGGER entry_tally_up AFTER UPDATE OF community, ledger, grid_id, end_date, start_date, sex,\n" \
	"  birth_date, building_id ON ledger_entry\n"                                                   \
	"  WHEN OLD.community IS NOT NEW.community OR OLD.ledger IS NOT NEW.ledger OR OLD.grid_id IS NOT NEW.grid_id\n" \
	"    OR OLD.end_date IS NOT NEW.end_date OR OLD.start_date IS NOT NEW.start_date OR OLD.sex IS NOT NEW.sex\n" \
	"    OR OLD.birth_date IS NOT NEW.birth_date OR OLD.building_id IS NOT NEW.building_id BEGIN\n"   \
	TALLY_SQ_ENTRY_ROWS("OLD", "-1") TALLY_SQ_ENTRY_ROWS("NEW", "1") "END;\n"
/* The recount of migration 13's counts (W and A as in TALLY_RECOUNT_OF). */
#define TALLY_RECOUNT13_AGE_OF(T, K, COND, A)                                                           \
	"SELECT community, " K " || '#age', coalesce(substr(birth_date, 1, 7), ''), coalesce(sex, ''), '', '',\n" \
	"  count(*) FROM " T " WHERE " COND A " GROUP BY 1, 2, 3, 4\n"                                   \
	"UNION ALL SELECT community, " K " || '#day', substr(birth_date, 1, 7), substr(birth_date, 9, 2),\n" \
	"  coalesce(sex, ''), '', count(*) FROM " T " WHERE " COND " AND birth_date IS NOT NULL" A      \
	" GROUP BY 1, 2, 3, 4, 5\n"                                                                      \
	"UNION ALL SELECT community, " K " || '#bld', coalesce(CAST(building_id AS TEXT), ''), '', '', '',\n" \
	"  count(*) FROM " T " WHERE " COND A " GROUP BY 1, 2, 3\n"
#define TALLY_RECOUNT13_OF(W, A)                                                                       \
	TALLY_RECOUNT13_AGE_OF("person", "'person'", "status = 'active'", A) "UNION ALL "                 \
	TALLY_RECOUNT13_AGE_OF("ledger_entry", "ledger", "end_date IS NULL", A)                           \
	"UNION ALL SELECT community, ledger || '#in', coalesce(substr(start_date, 1, 7), ''), '', '', '',\n" \
	"  count(*) FROM ledger_entry" W " GROUP BY 1, 2, 3\n"                                           \
	"UNION ALL SELECT community, ledger || '#out', substr(end_date, 1, 7), '', '', '', count(*)\n"    \
	"  FROM ledger_entry WHERE end_date IS NOT NULL" A " GROUP BY 1, 2, 3"
#define TALLY_FILL13 "INSERT INTO tally (community, kind, k1, k2, k3, k4, n)\n" TALLY_RECOUNT13_OF("", "") ";\n"
/* Every count there is (check, check --repair): of the whole store or of
 * the community ?1. */
#define TALLY_RECOUNT_ONE                                                                              \
	TALLY_RECOUNT_OF(" WHERE community = ?1", " AND community = ?1") "\nUNION ALL "                  \
	TALLY_RECOUNT13_OF(" WHERE community = ?1", " AND community = ?1")

/* PostgreSQL: the same rows from the trigger functions. */
#define TALLY_PG_13                                                                                    \
	"CREATE FUNCTION jw_tally_age(c TEXT, k TEXT, bd TEXT, sx TEXT, bld BIGINT, delta BIGINT) RETURNS void\n" \
	"  LANGUAGE sql AS $$\n"                                                                        \
	"  INSERT INTO tally VALUES (c, k || '#age', coalesce(substr(bd, 1, 7), ''), coalesce(sx, ''), '', '', delta)" \
	TALLY_KEY ";\n"                                                                                  \
	"  INSERT INTO tally SELECT c, k || '#day', substr(bd, 1, 7), substr(bd, 9, 2), coalesce(sx, ''), '', delta\n" \
	"    WHERE bd IS NOT NULL" TALLY_KEY ";\n"                                                         \
	"  INSERT INTO tally VALUES (c, k || '#bld', coalesce(bld::text, ''), '', '', '', delta)" TALLY_KEY " $$;\n" \
	"CREATE OR REPLACE FUNCTION person_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"          \
	"  IF TG_OP <> 'INSERT' THEN PERFORM jw_tally(OLD.community, 'person', OLD.status, OLD.residence_type,\n" \
	"    OLD.hukou_status, OLD.grid_id::text, -1);\n"                                                 \
	"    IF OLD.status = 'active' THEN\n"                                                           \
	"      PERFORM jw_tally_age(OLD.community, 'person', OLD.birth_date, OLD.sex, OLD.building_id, -1); END IF;\n" \
	"  END IF;\n"                                                                                    \
	"  IF TG_OP <> 'DELETE' THEN PERFORM jw_tally(NEW.community, 'person', NEW.status, NEW.residence_type,\n" \
	"    NEW.hukou_status, NEW.grid_id::text, 1);\n"                                                  \
	"    IF NEW.status = 'active' THEN\n"                                                           \
	"      PERFORM jw_tally_age(NEW.community, 'person', NEW.birth_date, NEW.sex, NEW.building_id, 1); END IF;\n" \
	"  END IF;\n"                                                                                    \
	"  RETURN NULL; END $$;\n"                                                                       \
	"DROP TRIGGER person_tally_up ON person;\n"                                                      \
	"CREATE TRIGGER person_tally_up AFTER UPDATE ON person FOR EACH ROW\n"                           \
	"  WHEN (OLD.community IS DISTINCT FROM NEW.community OR OLD.status IS DISTINCT FROM NEW.status\n" \
	"    OR OLD.residence_type IS DISTINCT FROM NEW.residence_type\n"                               \
	"    OR OLD.hukou_status IS DISTINCT FROM NEW.hukou_status OR OLD.grid_id IS DISTINCT FROM NEW.grid_id\n" \
	"    OR OLD.sex IS DISTINCT FROM NEW.sex OR OLD.birth_date IS DISTINCT FROM NEW.birth_date\n"     \
	"    OR OLD.building_id IS DISTINCT FROM NEW.building_id)\n"                                    \
	"  EXECUTE FUNCTION person_tally();\n"                                                           \
	"CREATE OR REPLACE FUNCTION entry_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"           \
	"  IF TG_OP <> 'INSERT' THEN\n"                                                                 \
	"    IF OLD.end_date IS NULL THEN\n"                                                            \
	"      PERFORM jw_tally(OLD.community, OLD.ledger, OLD.grid_id::text, '', '', '', -1);\n"         \
	"      PERFORM jw_tally_age(OLD.community, OLD.ledger, OLD.birth_date, OLD.sex, OLD.building_id, -1);\n" \
	"    ELSE PERFORM jw_tally(OLD.community, OLD.ledger || '#out', substr(OLD.end_date, 1, 7), '', '', '', -1);\n" \
	"    END IF;\n"                                                                                  \
	"    PERFORM jw_tally(OLD.community, OLD.ledger || '#in', substr(OLD.start_date, 1, 7), '', '', '', -1);\n" \
	"  END IF;\n"                                                                                    \
	"  IF TG_OP <> 'DELETE' THEN\n"                                                                 \
	"    IF NEW.end_date IS NULL THEN\n"                                                            \
	"      PERFORM jw_tally(NEW.community, NEW.ledger, NEW.grid_id::text, '', '', '', 1);\n"          \
	"      PERFORM jw_tally_age(NEW.community, NEW.ledger, NEW.birth_date, NEW.sex, NEW.building_id, 1);\n" \
	"    ELSE PERFORM jw_tally(NEW.community, NEW.ledger || '#out', substr(NEW.end_date, 1, 7), '', '', '', 1);\n" \
	"    END IF;\n"                                                                                  \
	"    PERFORM jw_tally(NEW.community, NEW.ledger || '#in', substr(NEW.start_date, 1, 7), '', '', '', 1);\n" \
	"  END IF;\n"                                                                                    \
	"  RETURN NULL; END $$;\n"                                                                       \
	"DROP TRIGGER entry_tally_up ON ledger_entry;\n"                                                 \
	"CREATE TRIGGER entry_tally_up AFTER UPDATE ON ledger_entry FOR EACH ROW\n"                      \
	"  WHEN (OLD.community IS DISTINCT FROM NEW.community OR OLD.ledger IS DISTINCT FROM NEW.ledger\n" \
	"    OR OLD.grid_id IS DISTINCT FROM NEW.grid_id OR OLD.end_date IS DISTINCT FROM NEW.end_date\n"  \
	"    OR OLD.start_date IS DISTINCT FROM NEW.start_date OR OLD.sex IS DISTINCT FROM NEW.sex\n"      \
	"    OR OLD.birth_date IS DISTINCT FROM NEW.birth_date OR OLD.building_id IS DISTINCT FROM NEW.building_id)\n" \
	"  EXECUTE FUNCTION entry_tally();\n"

#define TALLY_PG_PLACE(T)                                                                              \
	"CREATE TRIGGER " T "_tally AFTER INSERT OR DELETE ON " T " FOR EACH ROW EXECUTE FUNCTION place_tally();\n" \
	"CREATE TRIGGER " T "_tally_up AFTER UPDATE ON " T " FOR EACH ROW\n"                             \
	"  WHEN (OLD.community IS DISTINCT FROM NEW.community OR OLD.grid_id IS DISTINCT FROM NEW.grid_id)\n" \
	"  EXECUTE FUNCTION place_tally();\n"

#endif

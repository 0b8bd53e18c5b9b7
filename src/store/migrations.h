/*
 * migrations.h — the schema, as numbered migrations embedded in the binary.
 * Migration i (1-based) brings the schema from version i-1 to i; the
 * applied version is kept in meta('schema_version').  Never edit a
 * migration that has shipped: add a new one.
 *
 * The column lists of the registry tables match model/entity.c's
 * declarations (store/sql.c checks each declared field has a column at
 * open).  SQL here is the portable subset shared by SQLite and PostgreSQL
 * where possible; FTS5 is SQLite's own.
 */
#ifndef JW_MIGRATIONS_H
#define JW_MIGRATIONS_H

#include "store/tally.h"

/* Migration 14 on both stores (IX: the index, as each orders its rows). */
#define MIGRATION_14(IX)                                                                               \
	"ALTER TABLE ledger_entry ADD COLUMN due_date TEXT;\n"                                            \
	"UPDATE ledger_entry SET due_date = NULLIF(json_extract(data, '$.contract_end'), '') WHERE ledger = 'rental';\n" \
	"UPDATE ledger_entry SET due_date = NULLIF(json_extract(data, '$.permit_until'), '') WHERE ledger = 'migrants';\n" \
	"UPDATE ledger_entry SET due_date = NULLIF(json_extract(data, '$.corr_end'), '') WHERE ledger = 'correction';\n" \
	"CREATE INDEX " IX ";\n"

static const char *const sqlite_migrations[] = {
	/* 1: the registry, users, sessions, audit */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
	"CREATE TABLE community (\n"
	"  code TEXT PRIMARY KEY CHECK (length(code) = 12),\n"
	"  name TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL);\n"
	"CREATE TABLE grid (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  name TEXT NOT NULL, notes TEXT,\n"
	"  created_at INTEGER, updated_at INTEGER,\n"
	"  UNIQUE (community, name));\n"
	"CREATE TABLE building (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  name TEXT NOT NULL,\n"
	"  grid_id INTEGER NOT NULL REFERENCES grid(id),\n"
	"  compound TEXT, address TEXT, floors INTEGER, units INTEGER,\n"
	"  rooms_per_floor INTEGER, built_year INTEGER, has_elevator INTEGER,\n"
	"  notes TEXT, created_at INTEGER, updated_at INTEGER,\n"
	"  UNIQUE (community, name));\n"
	"CREATE INDEX building_grid ON building (grid_id);\n"
	"CREATE TABLE house (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  building_id INTEGER NOT NULL REFERENCES building(id),\n"
	"  unit INTEGER, floor INTEGER, room TEXT NOT NULL, area REAL,\n"
	"  layout TEXT, \"use\" TEXT, address TEXT, notes TEXT,\n"
	"  grid_id INTEGER REFERENCES grid(id),\n"
	"  created_at INTEGER, updated_at INTEGER,\n"
	"  UNIQUE (building_id, unit, room));\n"
	"CREATE INDEX house_grid ON house (grid_id);\n"
	"CREATE TABLE household (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  household_no TEXT NOT NULL,\n"
	"  house_id INTEGER REFERENCES house(id),\n"
	"  type TEXT, phone TEXT, registered_date TEXT, notes TEXT,\n"
	"  building_id INTEGER REFERENCES building(id),\n"
	"  grid_id INTEGER REFERENCES grid(id),\n"
	"  size INTEGER NOT NULL DEFAULT 0,\n"
	"  created_at INTEGER, updated_at INTEGER,\n"
	"  UNIQUE (community, household_no));\n"
	"CREATE INDEX household_house ON household (house_id);\n"
	"CREATE INDEX household_grid ON household (grid_id);\n"
	"CREATE TABLE person (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  name TEXT NOT NULL, sex TEXT,\n"
	"  doc_type TEXT NOT NULL DEFAULT 'id_card',\n"
	"  id_number TEXT NOT NULL,\n"
	"  nationality TEXT, ethnic TEXT, birth_date TEXT, phone TEXT,\n"
	"  hukou_address TEXT, current_address TEXT, residence_type TEXT,\n"
	"  political_status TEXT, education TEXT, marital_status TEXT,\n"
	"  employment_status TEXT,\n"
	"  household_id INTEGER REFERENCES household(id),\n"
	"  relation TEXT, notes TEXT,\n"
	"  house_id INTEGER REFERENCES house(id),\n"
	"  building_id INTEGER REFERENCES building(id),\n"
	"  grid_id INTEGER REFERENCES grid(id),\n"
	"  status TEXT NOT NULL DEFAULT 'active'\n"
	"    CHECK (status IN ('active', 'deregistered')),\n"
	"  dereg_reason TEXT, dereg_date TEXT, dereg_note TEXT,\n"
	"  created_at INTEGER, updated_at INTEGER,\n"
	"  name_py TEXT, name_ini TEXT);\n"
	"CREATE UNIQUE INDEX person_id_number ON person (id_number, doc_type);\n"
	"CREATE INDEX person_household ON person (household_id);\n"
	"CREATE INDEX person_grid ON person (grid_id);\n"
	"CREATE INDEX person_building ON person (building_id);\n"
	"CREATE INDEX person_birth ON person (birth_date);\n"
	"CREATE INDEX person_py ON person (name_py);\n"
	"CREATE INDEX person_ini ON person (name_ini);\n"
	"CREATE INDEX person_counts ON person (community, status, residence_type, birth_date);\n"
	/* name search: every unigram and bigram of a name (2-char queries) */
	"CREATE TABLE person_gram (\n"
	"  gram TEXT NOT NULL, person_id INTEGER NOT NULL,\n"
	"  PRIMARY KEY (gram, person_id)) WITHOUT ROWID;\n"
	"CREATE INDEX person_gram_person ON person_gram (person_id);\n"
	/* number and address fragments: trigram full-text index */
	"CREATE VIRTUAL TABLE person_fts USING fts5 (\n"
	"  id_number, phone, address, tokenize = 'trigram');\n"
	"CREATE TABLE app_user (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  username TEXT NOT NULL UNIQUE,\n"
	"  role TEXT NOT NULL CHECK (role IN ('admin','director','worker','grid_worker')),\n"
	"  grid_id INTEGER REFERENCES grid(id),\n"
	"  pwhash TEXT NOT NULL,\n"
	"  failed INTEGER NOT NULL DEFAULT 0,\n"
	"  locked_until INTEGER NOT NULL DEFAULT 0,\n"
	"  active INTEGER NOT NULL DEFAULT 1,\n"
	"  created_at INTEGER);\n"
	"CREATE TABLE session (\n"
	"  token_hash TEXT PRIMARY KEY,\n"
	"  user_id INTEGER NOT NULL REFERENCES app_user(id),\n"
	"  csrf TEXT NOT NULL, kind TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;\n"
	"CREATE TABLE audit (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL,\n"
	"  at INTEGER NOT NULL, username TEXT, action TEXT NOT NULL,\n"
	"  entity TEXT, entity_id INTEGER, old_json TEXT, new_json TEXT, ip TEXT);\n"
	"CREATE INDEX audit_entity ON audit (entity, entity_id);\n",

	/* 2: planner statistics for a store of about a million people, so that
	 * a new or small store already plans its searches as a large one must
	 * (without them SQLite may walk `person_counts` for a name search and
	 * scan a million rows).  `ANALYZE` replaces them with measured ones. */
	"ANALYZE sqlite_schema;\n"
	"DELETE FROM sqlite_stat1;\n"
	"INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES\n"
	"  ('person', NULL, '1000000'),\n"
	"  ('person', 'person_id_number', '1000000 1 1'),\n"
	"  ('person', 'person_household', '1000000 3'),\n"
	"  ('person', 'person_grid', '1000000 30000'),\n"
	"  ('person', 'person_building', '1000000 300'),\n"
	"  ('person', 'person_birth', '1000000 40'),\n"
	"  ('person', 'person_py', '1000000 3'),\n"
	"  ('person', 'person_ini', '1000000 30'),\n"
	"  ('person', 'person_counts', '1000000 1000000 950000 330000 40'),\n"
	"  ('person_gram', 'sqlite_autoindex_person_gram_1', '5000000 300 1'),\n"
	"  ('person_gram', 'person_gram_person', '5000000 5'),\n"
	"  ('household', NULL, '400000'),\n"
	"  ('household', 'household_house', '400000 1'),\n"
	"  ('household', 'household_grid', '400000 15000'),\n"
	"  ('household', 'sqlite_autoindex_household_1', '400000 400000 1'),\n"
	"  ('house', NULL, '450000'),\n"
	"  ('house', 'house_grid', '450000 15000'),\n"
	"  ('house', 'sqlite_autoindex_house_1', '450000 150 3 1'),\n"
	"  ('building', NULL, '3000'),\n"
	"  ('building', 'building_grid', '3000 100'),\n"
	"  ('audit', NULL, '1000000'),\n"
	"  ('audit', 'audit_entity', '1000000 200000 3');\n"
	"ANALYZE sqlite_schema;\n",

	/* 3: searches answered from their indexes alone.  Pinyin indexes carry
	 * the status; de-registered persons' name grams are kept with a "~"
	 * prefix and their numbers in person_fts_gone, so that a search of the
	 * people on the books never visits the rows of those who left. */
	"DROP INDEX person_py;\n"
	"DROP INDEX person_ini;\n"
	"CREATE INDEX person_py ON person (name_py, status);\n"
	"CREATE INDEX person_ini ON person (name_ini, status);\n"
	"CREATE VIRTUAL TABLE person_fts_gone USING fts5 (\n"
	"  id_number, phone, address, tokenize = 'trigram');\n"
	"UPDATE person_gram SET gram = '~' || gram\n"
	"  WHERE person_id IN (SELECT id FROM person WHERE status = 'deregistered');\n"
	"INSERT INTO person_fts_gone (rowid, id_number, phone, address)\n"
	"  SELECT rowid, id_number, phone, address FROM person_fts\n"
	"  WHERE rowid IN (SELECT id FROM person WHERE status = 'deregistered');\n"
	"DELETE FROM person_fts\n"
	"  WHERE rowid IN (SELECT id FROM person WHERE status = 'deregistered');\n"
	"DELETE FROM sqlite_stat1 WHERE idx IN ('person_py', 'person_ini');\n"
	"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES\n"
	"  ('person', 'person_py', '1000000 3 3'),\n"
	"  ('person', 'person_ini', '1000000 30 30');\n"
	"ANALYZE sqlite_schema;\n",

	/* 4: the ends of numbers.  People quote an ID or phone number by its
	 * last digits ("尾号"); digits have only 1,000 trigrams, so the trigram
	 * index answers that slowly.  Reversed copies make a suffix a prefix:
	 * one index range.  jw_reverse() is registered by store/sqlite.c. */
	"ALTER TABLE person ADD COLUMN id_rev TEXT;\n"
	"ALTER TABLE person ADD COLUMN phone_rev TEXT;\n"
	"UPDATE person SET id_rev = jw_reverse(id_number), phone_rev = jw_reverse(phone);\n"
	"CREATE INDEX person_id_rev ON person (id_rev, status);\n"
	"CREATE INDEX person_phone_rev ON person (phone_rev, status);\n"
	"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES\n"
	"  ('person', 'person_id_rev', '1000000 1 1'),\n"
	"  ('person', 'person_phone_rev', '1000000 2 2');\n"
	"ANALYZE sqlite_schema;\n",

	/* 5: ledgers (台账).  One table for the entries of every ledger, built-in
	 * or defined by a committee: an entry ties a subject (person, household
	 * or house) to a ledger, with its own field values as JSON.  The
	 * subject's grid, sex and birth date are copied in (and kept in step)
	 * so that a ledger's statistics read one index, not a join.  At most
	 * one open entry (end_date IS NULL) a subject a ledger. */
	"CREATE TABLE ledger_entry (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  ledger TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL CHECK (subject IN ('person', 'household', 'house')),\n"
	"  subject_id INTEGER NOT NULL,\n"
	"  status TEXT NOT NULL DEFAULT 'open',\n"
	"  start_date TEXT, end_date TEXT, end_reason TEXT,\n"
	"  data TEXT NOT NULL DEFAULT '{}',\n"
	"  derived INTEGER NOT NULL DEFAULT 0,\n"
	"  grid_id INTEGER, building_id INTEGER, sex TEXT, birth_date TEXT,\n"
	"  created_at INTEGER, updated_at INTEGER);\n"
	"CREATE UNIQUE INDEX ledger_entry_open ON ledger_entry (subject, subject_id, ledger)\n"
	"  WHERE end_date IS NULL;\n"
	"CREATE INDEX ledger_entry_stats ON ledger_entry\n"
	"  (community, ledger, end_date, grid_id, sex, birth_date, building_id, start_date);\n"

	"CREATE TABLE visit (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  subject TEXT NOT NULL, subject_id INTEGER NOT NULL,\n"
	"  visit_date TEXT NOT NULL, method TEXT, note TEXT, next_date TEXT,\n"
	"  username TEXT, created_at INTEGER);\n"
	"CREATE INDEX visit_subject ON visit (subject, subject_id, visit_date);\n"
	"CREATE TABLE ledger_custom (\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  key TEXT NOT NULL, def TEXT NOT NULL, created_at INTEGER,\n"
	"  PRIMARY KEY (community, key));\n"
	"CREATE TABLE ledger_reader (\n"
	"  community TEXT NOT NULL, ledger TEXT NOT NULL, user_id INTEGER NOT NULL,\n"
	"  PRIMARY KEY (community, ledger, user_id));\n"
	"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES\n"
	"  ('ledger_entry', NULL, '1000000'),\n"
	"  ('ledger_entry', 'ledger_entry_open', '1000000 500000 2 1'),\n"
	"  ('ledger_entry', 'ledger_entry_stats', '1000000 1000000 70000 70000 2500 1250 40 10 10'),\n"

	"  ('visit', NULL, '100000'),\n"
	"  ('visit', 'visit_subject', '100000 50000 5 2');\n"
	"ANALYZE sqlite_schema;\n",

	/* 6: ledgers after review (issue 8).  A visit belongs to the entry it
	 * was recorded on and inherits a restricted ledger's restriction.  The
	 * retirees' 本年已认证 is derived from the date of the last
	 * certification: an old "certified = 是" without a date takes the date
	 * the entry was last changed (when someone marked it), and the stored
	 * flag goes.  Nobody with the admin role is a reader of a restricted
	 * ledger. */
	"ALTER TABLE visit ADD COLUMN entry_id INTEGER;\n"
	"ALTER TABLE visit ADD COLUMN restricted_to TEXT;\n"
	"UPDATE ledger_entry SET data = json_set(data, '$.certify_date',\n"
	"    date(coalesce(updated_at, created_at, CAST(strftime('%s', 'now') AS INTEGER)), 'unixepoch', 'localtime'))\n"
	"  WHERE ledger = 'retirees' AND json_extract(data, '$.certified') = '是'\n"
	"    AND coalesce(json_extract(data, '$.certify_date'), '') = '';\n"
	"UPDATE ledger_entry SET data = json_remove(data, '$.certified')\n"
	"  WHERE ledger = 'retirees' AND json_type(data, '$.certified') IS NOT NULL;\n"
	"DELETE FROM ledger_reader WHERE user_id IN (SELECT id FROM app_user WHERE role = 'admin');\n",

	/* 7: every Latin key a person is found by (model/pinyin.h
	 * pinyin_keys(): each reading of the surname, full pinyin of the first
	 * syllables then initials), one prefix range for a pinyin search;
	 * de-registered persons' keys carry a "~" like their grams.  The keys
	 * are computed in C, so this copies the old full pinyin and initials
	 * (searches keep working) and leaves meta('person_keys') unset: `juwei
	 * serve` then re-indexes every name (svc_person_keys_refresh()).
	 * name_py / name_ini stay, unindexed, as the name's one reading.
	 * test_persons.py rebuilds a store from before it (and 8). */
	"CREATE TABLE person_key (\n"
	"  key TEXT NOT NULL, person_id INTEGER NOT NULL,\n"
	"  PRIMARY KEY (key, person_id)) WITHOUT ROWID;\n"
	"CREATE INDEX person_key_person ON person_key (person_id);\n"
	"INSERT OR IGNORE INTO person_key (key, person_id)\n"
	"  SELECT CASE WHEN status = 'deregistered' THEN '~' ELSE '' END || name_py, id\n"
	"  FROM person WHERE name_py <> ''\n"
	"  UNION ALL\n"
	"  SELECT CASE WHEN status = 'deregistered' THEN '~' ELSE '' END || name_ini, id\n"
	"  FROM person WHERE name_ini <> '';\n"
	"DROP INDEX person_py;\n"
	"DROP INDEX person_ini;\n"
	"DELETE FROM meta WHERE key = 'person_keys';\n"
	"DELETE FROM sqlite_stat1 WHERE idx IN ('person_py', 'person_ini');\n"
	"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES\n"
	"  ('person_key', 'sqlite_autoindex_person_key_1', '3500000 3 1'),\n"
	"  ('person_key', 'person_key_person', '3500000 4');\n"
	"ANALYZE sqlite_schema;\n",

	/* 8: 人户状态 (hukou_status) and 去向 (whereabouts) of a person.  A
	 * migrant (流动人口) lives here with the hukou elsewhere by definition:
	 * 人在户不在; for everybody else the state is not known until a worker
	 * records it, so it stays empty.  The index answers the dashboard's
	 * counts and the list filter. */
	"ALTER TABLE person ADD COLUMN hukou_status TEXT;\n"
	"ALTER TABLE person ADD COLUMN whereabouts TEXT;\n"
	"UPDATE person SET hukou_status = 'living_only' WHERE residence_type = 'migrant';\n"
	"CREATE INDEX person_hukou ON person (community, status, hukou_status, grid_id);\n"
	"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES\n"
	"  ('person', 'person_hukou', '1000000 1000000 950000 300000 10000');\n"
	"ANALYZE sqlite_schema;\n",
	/* 9: the shared table of small kinds (issue 9).  Its records may attach
	 * to nothing (subject 'none': the work log, and later cases that start
	 * without a subject); such a record is its own subject (subject_id =
	 * its id), so that the one-open-entry index never joins two of them.
	 * SQLite cannot change a CHECK, so the table is built anew (the copy
	 * keeps every id); run again on a table already like this, it changes
	 * nothing. */
	"CREATE TABLE ledger_entry_new (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  ledger TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL CHECK (subject IN ('person', 'household', 'house', 'none')),\n"
	"  subject_id INTEGER NOT NULL,\n"
	"  status TEXT NOT NULL DEFAULT 'open',\n"
	"  start_date TEXT, end_date TEXT, end_reason TEXT,\n"
	"  data TEXT NOT NULL DEFAULT '{}',\n"
	"  derived INTEGER NOT NULL DEFAULT 0,\n"
	"  grid_id INTEGER, building_id INTEGER, sex TEXT, birth_date TEXT,\n"
	"  created_at INTEGER, updated_at INTEGER);\n"
	"INSERT INTO ledger_entry_new (id, community, ledger, subject, subject_id, status, start_date, end_date,\n"
	"  end_reason, data, derived, grid_id, building_id, sex, birth_date, created_at, updated_at)\n"
	"  SELECT id, community, ledger, subject, subject_id, status, start_date, end_date, end_reason, data,\n"
	"    derived, grid_id, building_id, sex, birth_date, created_at, updated_at FROM ledger_entry;\n"
	"DROP TABLE ledger_entry;\n"
	"ALTER TABLE ledger_entry_new RENAME TO ledger_entry;\n"
	"CREATE UNIQUE INDEX ledger_entry_open ON ledger_entry (subject, subject_id, ledger)\n"
	"  WHERE end_date IS NULL;\n"
	"CREATE INDEX ledger_entry_stats ON ledger_entry\n"
	"  (community, ledger, end_date, grid_id, sex, birth_date, building_id, start_date);\n"
	"DELETE FROM sqlite_stat1 WHERE tbl = 'ledger_entry';\n"
	"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES\n"
	"  ('ledger_entry', NULL, '1000000'),\n"
	"  ('ledger_entry', 'ledger_entry_open', '1000000 500000 2 1'),\n"
	"  ('ledger_entry', 'ledger_entry_stats', '1000000 1000000 70000 70000 2500 1250 40 10 10');\n"
	"ANALYZE sqlite_schema;\n",
	/* 10: the settings of a community's ledgers are settings (issue 9): a
	 * committee's own ledger definitions (ledger_def/COMMUNITY/KEY → its
	 * JSON, in the order they were defined) and the named readers of
	 * restricted ledgers (ledger_reader/COMMUNITY/LEDGER/USER_ID → 1) move
	 * into meta, which the store keeps as keys and values without knowing
	 * what they mean. */
	"INSERT INTO meta (key, value) SELECT 'ledger_def/' || community || '/' || key, def\n"
	"  FROM ledger_custom ORDER BY created_at, key;\n"
	"INSERT INTO meta (key, value) SELECT 'ledger_reader/' || community || '/' || ledger || '/' || user_id, '1'\n"
	"  FROM ledger_reader;\n"
	"DROP TABLE ledger_custom;\n"
	"DROP TABLE ledger_reader;\n",
	/* 11: a user's scope is a community (12 digits), a street office (9)
	 * or a district (6) — the leading digits of its communities' codes
	 * (issue 10); no longer a reference to one community's row.  The
	 * table is rebuilt (SQLite cannot drop a constraint); migrate() runs
	 * with foreign keys off and checks them before it commits. */
	"CREATE TABLE app_user_new (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  community TEXT NOT NULL CHECK (length(community) IN (6, 9, 12)),\n"
	"  username TEXT NOT NULL UNIQUE,\n"
	"  role TEXT NOT NULL CHECK (role IN ('admin','director','worker','grid_worker')),\n"
	"  grid_id INTEGER REFERENCES grid(id),\n"
	"  pwhash TEXT NOT NULL,\n"
	"  failed INTEGER NOT NULL DEFAULT 0,\n"
	"  locked_until INTEGER NOT NULL DEFAULT 0,\n"
	"  active INTEGER NOT NULL DEFAULT 1,\n"
	"  created_at INTEGER);\n"
	"INSERT INTO app_user_new (id, community, username, role, grid_id, pwhash, failed, locked_until, active,\n"
	"  created_at) SELECT id, community, username, role, grid_id, pwhash, failed, locked_until, active,\n"
	"  created_at FROM app_user;\n"
	"DROP TABLE app_user;\n"
	"ALTER TABLE app_user_new RENAME TO app_user;\n",
	/* 12: maintained counts (issue 10).  tally holds how many rows of a
	 * kind there are by the fields its declaration counts (kind.tally:
	 * a person by status, residence type, 人户状态 and grid; a grid,
	 * building, house or household by grid; a ledger's open entries by
	 * grid), kept by triggers inside every writing transaction, whatever
	 * statement wrote.  The store's grouped count reads them when they
	 * answer the question; `juwei check` recounts them, --repair rebuilds
	 * them.  A missing value is ''. */
	"CREATE TABLE tally (\n"
	"  community TEXT NOT NULL, kind TEXT NOT NULL,\n"
	"  k1 TEXT NOT NULL DEFAULT '', k2 TEXT NOT NULL DEFAULT '', k3 TEXT NOT NULL DEFAULT '',\n"
	"  k4 TEXT NOT NULL DEFAULT '', n INTEGER NOT NULL,\n"
	"  PRIMARY KEY (community, kind, k1, k2, k3, k4)) WITHOUT ROWID;\n"
	TALLY_SQ_PERSON
	TALLY_SQ_PLACE("household")
	TALLY_SQ_PLACE("house")
	TALLY_SQ_PLACE("building")
	"CREATE TRIGGER grid_tally_in AFTER INSERT ON grid BEGIN\n"
	"  INSERT INTO tally VALUES (NEW.community, 'grid', '', '', '', '', 1)" TALLY_SQ_ADD
	"CREATE TRIGGER grid_tally_out AFTER DELETE ON grid BEGIN\n"
	"  INSERT INTO tally VALUES (OLD.community, 'grid', '', '', '', '', -1)" TALLY_SQ_ADD
	"CREATE TRIGGER grid_tally_up AFTER UPDATE OF community ON grid WHEN OLD.community IS NOT NEW.community BEGIN\n"
	"  INSERT INTO tally VALUES (OLD.community, 'grid', '', '', '', '', -1)" TALLY_SQ_UPSERT
	"  INSERT INTO tally VALUES (NEW.community, 'grid', '', '', '', '', 1)" TALLY_SQ_ADD
	"CREATE TRIGGER entry_tally_in AFTER INSERT ON ledger_entry WHEN NEW.end_date IS NULL BEGIN\n"
	"  INSERT INTO tally VALUES (NEW.community, NEW.ledger, coalesce(NEW.grid_id, ''), '', '', '', 1)" TALLY_SQ_ADD
	"CREATE TRIGGER entry_tally_out AFTER DELETE ON ledger_entry WHEN OLD.end_date IS NULL BEGIN\n"
	"  INSERT INTO tally VALUES (OLD.community, OLD.ledger, coalesce(OLD.grid_id, ''), '', '', '', -1)" TALLY_SQ_ADD
	"CREATE TRIGGER entry_tally_up AFTER UPDATE OF community, ledger, grid_id, end_date ON ledger_entry\n"
	"  WHEN (OLD.end_date IS NULL) <> (NEW.end_date IS NULL) OR OLD.community IS NOT NEW.community\n"
	"    OR OLD.ledger IS NOT NEW.ledger OR OLD.grid_id IS NOT NEW.grid_id BEGIN\n"
	"  INSERT INTO tally SELECT OLD.community, OLD.ledger, coalesce(OLD.grid_id, ''), '', '', '', -1\n"
	"    WHERE OLD.end_date IS NULL" TALLY_SQ_UPSERT
	"  INSERT INTO tally SELECT NEW.community, NEW.ledger, coalesce(NEW.grid_id, ''), '', '', '', 1\n"
	"    WHERE NEW.end_date IS NULL" TALLY_SQ_ADD
	TALLY_FILL12,
	/* 13: the statistics' counts (store/tally.h): persons and open entries
	 * by birth month, birth day and building, a ledger's entries by the
	 * month opened and closed; the triggers of 12 replaced by ones that
	 * keep these too; and the index of a ledger's list. */
	TALLY_SQ_13
	TALLY_FILL13
	/* a ledger's list, newest (or oldest) first: its rows in id order
	 * within the ledger, not a walk of every ledger's rows */
	"CREATE INDEX ledger_entry_list ON ledger_entry (community, ledger, end_date);\n",
	/* 14: the date an entry falls due (ledger_def.due_field) as a column of
	 * the shared table, with an index of the open entries', so that the
	 * reminders of the next 30 days do not read every entry's JSON; filled
	 * for the ledgers that declare one at this version. */
	MIGRATION_14("ledger_entry_due ON ledger_entry (community, ledger, due_date) WHERE end_date IS NULL"),
};

#define SQLITE_MIGRATIONS ((int)(sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0])))

/* The same versions on PostgreSQL (store/pg.c).  A PostgreSQL store starts
 * at version 10, the schema above as it stands then, in one step; from
 * there every new migration has its text in both arrays.  The functions
 * give SQLite's json_extract / json_set on text and jw_reverse under the
 * same names; `rowid` is a column where SQLite's implicit one is read;
 * the full-text tables are plain tables with trigram indexes (pg_trgm,
 * when the server has it). */
static const char *const pg_migrations[] = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	/* 10 */
	"CREATE OR REPLACE FUNCTION jw_reverse(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT\n"
	"  AS 'SELECT reverse($1)';\n"
	"CREATE OR REPLACE FUNCTION json_extract(d text, path text) RETURNS text LANGUAGE sql IMMUTABLE\n"
	"  AS $$SELECT (d::jsonb) #>> string_to_array(substr(path, 3), '.')$$;\n"
	"CREATE OR REPLACE FUNCTION json_set(d text, path text, v anyelement) RETURNS text LANGUAGE sql IMMUTABLE\n"
	"  AS $$SELECT jsonb_set(d::jsonb, string_to_array(substr(path, 3), '.'),\n"
	"    coalesce(to_jsonb(v), 'null'::jsonb))::text$$;\n"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, rowid BIGSERIAL);\n"
	"CREATE TABLE community (\n"
	"  code TEXT PRIMARY KEY CHECK (length(code) = 12),\n"
	"  name TEXT NOT NULL,\n"
	"  created_at BIGINT NOT NULL, rowid BIGSERIAL);\n"
	"CREATE TABLE grid (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  name TEXT NOT NULL, notes TEXT,\n"
	"  created_at BIGINT, updated_at BIGINT,\n"
	"  UNIQUE (community, name));\n"
	"CREATE TABLE building (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  name TEXT NOT NULL,\n"
	"  grid_id BIGINT NOT NULL REFERENCES grid(id),\n"
	"  compound TEXT, address TEXT, floors INTEGER, units INTEGER,\n"
	"  rooms_per_floor INTEGER, built_year INTEGER, has_elevator INTEGER,\n"
	"  notes TEXT, created_at BIGINT, updated_at BIGINT,\n"
	"  UNIQUE (community, name));\n"
	"CREATE INDEX building_grid ON building (grid_id);\n"
	"CREATE TABLE house (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  building_id BIGINT NOT NULL REFERENCES building(id),\n"
	"  unit INTEGER, floor INTEGER, room TEXT NOT NULL, area DOUBLE PRECISION,\n"
	"  layout TEXT, \"use\" TEXT, address TEXT, notes TEXT,\n"
	"  grid_id BIGINT REFERENCES grid(id),\n"
	"  created_at BIGINT, updated_at BIGINT,\n"
	"  UNIQUE (building_id, unit, room));\n"
	"CREATE INDEX house_grid ON house (grid_id);\n"
	"CREATE TABLE household (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  household_no TEXT NOT NULL,\n"
	"  house_id BIGINT REFERENCES house(id),\n"
	"  type TEXT, phone TEXT, registered_date TEXT, notes TEXT,\n"
	"  building_id BIGINT REFERENCES building(id),\n"
	"  grid_id BIGINT REFERENCES grid(id),\n"
	"  size INTEGER NOT NULL DEFAULT 0,\n"
	"  created_at BIGINT, updated_at BIGINT,\n"
	"  UNIQUE (community, household_no));\n"
	"CREATE INDEX household_house ON household (house_id);\n"
	"CREATE INDEX household_grid ON household (grid_id);\n"
	"CREATE TABLE person (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  name TEXT NOT NULL, sex TEXT,\n"
	"  doc_type TEXT NOT NULL DEFAULT 'id_card',\n"
	"  id_number TEXT COLLATE \"C\" NOT NULL,\n"
	"  nationality TEXT, ethnic TEXT, birth_date TEXT, phone TEXT,\n"
	"  hukou_address TEXT, current_address TEXT, residence_type TEXT,\n"
	"  political_status TEXT, education TEXT, marital_status TEXT,\n"
	"  employment_status TEXT,\n"
	"  household_id BIGINT REFERENCES household(id),\n"
	"  relation TEXT, notes TEXT,\n"
	"  house_id BIGINT REFERENCES house(id),\n"
	"  building_id BIGINT REFERENCES building(id),\n"
	"  grid_id BIGINT REFERENCES grid(id),\n"
	"  status TEXT NOT NULL DEFAULT 'active'\n"
	"    CHECK (status IN ('active', 'deregistered')),\n"
	"  dereg_reason TEXT, dereg_date TEXT, dereg_note TEXT,\n"
	"  created_at BIGINT, updated_at BIGINT,\n"
	"  name_py TEXT, name_ini TEXT, id_rev TEXT COLLATE \"C\", phone_rev TEXT COLLATE \"C\",\n"
	"  hukou_status TEXT, whereabouts TEXT);\n"
	"CREATE UNIQUE INDEX person_id_number ON person (id_number, doc_type);\n"
	"CREATE INDEX person_household ON person (household_id);\n"
	"CREATE INDEX person_grid ON person (grid_id);\n"
	"CREATE INDEX person_building ON person (building_id);\n"
	"CREATE INDEX person_birth ON person (birth_date);\n"
	"CREATE INDEX person_counts ON person (community, status, residence_type, birth_date);\n"
	"CREATE INDEX person_id_rev ON person (id_rev, status);\n"
	"CREATE INDEX person_phone_rev ON person (phone_rev, status);\n"
	"CREATE INDEX person_id_head ON person (id_number, status);\n"
	"CREATE INDEX person_hukou ON person (community, status, hukou_status, grid_id);\n"
	"CREATE TABLE person_gram (\n"
	"  gram TEXT NOT NULL, person_id BIGINT NOT NULL,\n"
	"  PRIMARY KEY (gram, person_id));\n"
	"CREATE INDEX person_gram_person ON person_gram (person_id);\n"
	"CREATE TABLE person_key (\n"
	"  key TEXT COLLATE \"C\" NOT NULL, person_id BIGINT NOT NULL,\n"
	"  PRIMARY KEY (key, person_id));\n"
	"CREATE INDEX person_key_person ON person_key (person_id);\n"
	"CREATE TABLE person_fts (rowid BIGINT PRIMARY KEY, id_number TEXT, phone TEXT, address TEXT);\n"
	"CREATE TABLE person_fts_gone (rowid BIGINT PRIMARY KEY, id_number TEXT, phone TEXT, address TEXT);\n"
	"DO $$ BEGIN\n"
	"  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN\n"
	"    CREATE INDEX person_fts_id ON person_fts USING gin (id_number gin_trgm_ops);\n"
	"    CREATE INDEX person_fts_phone ON person_fts USING gin (phone gin_trgm_ops);\n"
	"    CREATE INDEX person_fts_address ON person_fts USING gin (address gin_trgm_ops);\n"
	"    CREATE INDEX person_fts_gone_id ON person_fts_gone USING gin (id_number gin_trgm_ops);\n"
	"    CREATE INDEX person_fts_gone_phone ON person_fts_gone USING gin (phone gin_trgm_ops);\n"
	"    CREATE INDEX person_fts_gone_address ON person_fts_gone USING gin (address gin_trgm_ops);\n"
	"  END IF;\n"
	"END $$;\n"
	"CREATE TABLE app_user (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  username TEXT NOT NULL UNIQUE,\n"
	"  role TEXT NOT NULL CHECK (role IN ('admin','director','worker','grid_worker')),\n"
	"  grid_id BIGINT REFERENCES grid(id),\n"
	"  pwhash TEXT NOT NULL,\n"
	"  failed INTEGER NOT NULL DEFAULT 0,\n"
	"  locked_until BIGINT NOT NULL DEFAULT 0,\n"
	"  active INTEGER NOT NULL DEFAULT 1,\n"
	"  created_at BIGINT);\n"
	"CREATE TABLE session (\n"
	"  token_hash TEXT PRIMARY KEY,\n"
	"  user_id BIGINT NOT NULL REFERENCES app_user(id),\n"
	"  csrf TEXT NOT NULL, kind TEXT NOT NULL,\n"
	"  created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL);\n"
	"CREATE TABLE audit (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL,\n"
	"  at BIGINT NOT NULL, username TEXT, action TEXT NOT NULL,\n"
	"  entity TEXT, entity_id BIGINT, old_json TEXT, new_json TEXT, ip TEXT);\n"
	"CREATE INDEX audit_entity ON audit (entity, entity_id);\n"
	"CREATE TABLE ledger_entry (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  ledger TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL CHECK (subject IN ('person', 'household', 'house', 'none')),\n"
	"  subject_id BIGINT NOT NULL,\n"
	"  status TEXT NOT NULL DEFAULT 'open',\n"
	"  start_date TEXT, end_date TEXT, end_reason TEXT,\n"
	"  data TEXT NOT NULL DEFAULT '{}',\n"
	"  derived INTEGER NOT NULL DEFAULT 0,\n"
	"  grid_id BIGINT, building_id BIGINT, sex TEXT, birth_date TEXT,\n"
	"  created_at BIGINT, updated_at BIGINT);\n"
	"CREATE UNIQUE INDEX ledger_entry_open ON ledger_entry (subject, subject_id, ledger)\n"
	"  WHERE end_date IS NULL;\n"
	"CREATE INDEX ledger_entry_stats ON ledger_entry\n"
	"  (community, ledger, end_date, grid_id, sex, birth_date, building_id, start_date);\n"
	"CREATE TABLE visit (\n"
	"  id BIGSERIAL PRIMARY KEY,\n"
	"  community TEXT NOT NULL REFERENCES community(code),\n"
	"  subject TEXT NOT NULL, subject_id BIGINT NOT NULL,\n"
	"  visit_date TEXT NOT NULL, method TEXT, note TEXT, next_date TEXT,\n"
	"  username TEXT, created_at BIGINT, entry_id BIGINT, restricted_to TEXT);\n"
	"CREATE INDEX visit_subject ON visit (subject, subject_id, visit_date);\n",
	/* 11 */
	"ALTER TABLE app_user DROP CONSTRAINT app_user_community_fkey;\n"
	"ALTER TABLE app_user ADD CONSTRAINT app_user_scope CHECK (length(community) IN (6, 9, 12));\n",
	/* 12: maintained counts, as on SQLite (one trigger function a table) */
	"CREATE TABLE tally (\n"
	"  community TEXT NOT NULL, kind TEXT NOT NULL,\n"
	"  k1 TEXT NOT NULL DEFAULT '', k2 TEXT NOT NULL DEFAULT '', k3 TEXT NOT NULL DEFAULT '',\n"
	"  k4 TEXT NOT NULL DEFAULT '', n BIGINT NOT NULL,\n"
	"  PRIMARY KEY (community, kind, k1, k2, k3, k4));\n"
	"CREATE FUNCTION jw_tally(c TEXT, k TEXT, a TEXT, b TEXT, d TEXT, e TEXT, delta BIGINT) RETURNS void\n"
	"  LANGUAGE sql AS $$ INSERT INTO tally VALUES (c, k, coalesce(a, ''), coalesce(b, ''), coalesce(d, ''),\n"
	"  coalesce(e, ''), delta)" TALLY_KEY " $$;\n"
	"CREATE FUNCTION person_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
	"  IF TG_OP <> 'INSERT' THEN PERFORM jw_tally(OLD.community, 'person', OLD.status, OLD.residence_type,\n"
	"    OLD.hukou_status, OLD.grid_id::text, -1); END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN PERFORM jw_tally(NEW.community, 'person', NEW.status, NEW.residence_type,\n"
	"    NEW.hukou_status, NEW.grid_id::text, 1); END IF;\n"
	"  RETURN NULL; END $$;\n"
	"CREATE TRIGGER person_tally AFTER INSERT OR DELETE ON person FOR EACH ROW EXECUTE FUNCTION person_tally();\n"
	"CREATE TRIGGER person_tally_up AFTER UPDATE ON person FOR EACH ROW\n"
	"  WHEN (OLD.community IS DISTINCT FROM NEW.community OR OLD.status IS DISTINCT FROM NEW.status\n"
	"    OR OLD.residence_type IS DISTINCT FROM NEW.residence_type\n"
	"    OR OLD.hukou_status IS DISTINCT FROM NEW.hukou_status OR OLD.grid_id IS DISTINCT FROM NEW.grid_id)\n"
	"  EXECUTE FUNCTION person_tally();\n"
	"CREATE FUNCTION place_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
	"  IF TG_OP <> 'INSERT' THEN PERFORM jw_tally(OLD.community, TG_TABLE_NAME, OLD.grid_id::text, '', '', '', -1);\n"
	"  END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN PERFORM jw_tally(NEW.community, TG_TABLE_NAME, NEW.grid_id::text, '', '', '', 1);\n"
	"  END IF;\n"
	"  RETURN NULL; END $$;\n"
	TALLY_PG_PLACE("household")
	TALLY_PG_PLACE("house")
	TALLY_PG_PLACE("building")
	"CREATE FUNCTION grid_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
	"  IF TG_OP <> 'INSERT' THEN PERFORM jw_tally(OLD.community, 'grid', '', '', '', '', -1); END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN PERFORM jw_tally(NEW.community, 'grid', '', '', '', '', 1); END IF;\n"
	"  RETURN NULL; END $$;\n"
	"CREATE TRIGGER grid_tally AFTER INSERT OR DELETE ON grid FOR EACH ROW EXECUTE FUNCTION grid_tally();\n"
	"CREATE TRIGGER grid_tally_up AFTER UPDATE ON grid FOR EACH ROW\n"
	"  WHEN (OLD.community IS DISTINCT FROM NEW.community) EXECUTE FUNCTION grid_tally();\n"
	"CREATE FUNCTION entry_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
	"  IF TG_OP <> 'INSERT' AND OLD.end_date IS NULL THEN\n"
	"    PERFORM jw_tally(OLD.community, OLD.ledger, OLD.grid_id::text, '', '', '', -1); END IF;\n"
	"  IF TG_OP <> 'DELETE' AND NEW.end_date IS NULL THEN\n"
	"    PERFORM jw_tally(NEW.community, NEW.ledger, NEW.grid_id::text, '', '', '', 1); END IF;\n"
	"  RETURN NULL; END $$;\n"
	"CREATE TRIGGER entry_tally AFTER INSERT OR DELETE ON ledger_entry FOR EACH ROW EXECUTE FUNCTION entry_tally();\n"
	"CREATE TRIGGER entry_tally_up AFTER UPDATE ON ledger_entry FOR EACH ROW\n"
	"  WHEN ((OLD.end_date IS NULL) <> (NEW.end_date IS NULL) OR OLD.community IS DISTINCT FROM NEW.community\n"
	"    OR OLD.ledger IS DISTINCT FROM NEW.ledger OR OLD.grid_id IS DISTINCT FROM NEW.grid_id)\n"
	"  EXECUTE FUNCTION entry_tally();\n"
	TALLY_FILL12,
	/* 13 */
	TALLY_PG_13
	TALLY_FILL13
	/* open entries only: PostgreSQL keeps an index's id order after
	 * equalities, not after an IS NULL */
	"CREATE INDEX ledger_entry_list ON ledger_entry (community, ledger, id) WHERE end_date IS NULL;\n",
	/* 14 */
	MIGRATION_14("ledger_entry_due ON ledger_entry (community, ledger, due_date, id) WHERE end_date IS NULL"),
};
_Static_assert(sizeof(pg_migrations) / sizeof(pg_migrations[0]) == sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0]),
	       "every migration has its PostgreSQL text (NULL only before version 10)");

#endif

/*
 * bare_import.c — the ceiling for `juwei import persons`: reads the same
 * CSV (libcsv) and inserts the same rows into the same schema and indexes
 * (a store made by `juwei init`, so exactly Juwei's migrations), in one
 * transaction, with nothing in between but what the rows need: labels
 * turned into their codes, buildings, houses and households found in
 * in-memory hash tables and created when new, pinyin and name grams from
 * libjuwei (as bare_insert.c computes them), reversed numbers.  No
 * validation beyond SQLite's own constraints; a row SQLite refuses stops
 * the program.
 *
 *   bare_import DB FILE.csv [--savepoint]
 *
 * --savepoint (a diagnostic, not the ceiling): each row between SAVEPOINT
 * and RELEASE, as an importer that can undo a single row does.  SQLite
 * then calls every virtual table's xSavepoint, and FTS5 flushes its
 * pending rows to a new segment each time (person_fts): see README.md.
 *
 * The CSV is what bench/gencsv writes (UTF-8 with BOM, CRLF, a header
 * row whose names are gencsv's; 房屋编号 "B0001-2-302").  Same PRAGMAs as
 * src/store/sqlite.c opens a store with, and the cache_size its bulk mode
 * sets.  The whole program is timed (run.sh-style "RESULT" lines on
 * stdout): reading and parsing the file, pinyin and grams, the SQL, the
 * COMMIT; the WAL checkpoint at close is timed separately.
 */
#include <csv.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "lib/util.h"
#include "model/codes.h"
#include "model/pinyin.h"

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "bare_import: %s failed: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bare_import: %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void text(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static double t_sql;
static bool savepoints;

static void step(sqlite3_stmt *s, const char *what)
{
	double t0 = gen_now();
	if (sqlite3_step(s) != SQLITE_DONE)
		die(what);
	sqlite3_reset(s);
	t_sql += gen_now() - t0;
}

/* ---- string → id hash table (open addressing, FNV-1a) ---- */

struct map {
	char **key;
	int64_t *val;
	size_t cap, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t map_slot(const struct map *m, const char *k)
{
	size_t i = fnv(k) & (m->cap - 1);
	while (m->key[i] && strcmp(m->key[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void map_grow(struct map *m)
{
	struct map o = *m;
	m->cap = o.cap ? o.cap * 2 : 1024;
	m->key = xcalloc(m->cap, sizeof(*m->key));
	m->val = xcalloc(m->cap, sizeof(*m->val));
	for (size_t i = 0; i < o.cap; i++)
		if (o.key[i]) {
			size_t j = map_slot(m, o.key[i]);
			m->key[j] = o.key[i];
			m->val[j] = o.val[i];
		}
	free(o.key);
	free(o.val);
}

/* The id stored for k, or 0. */
static int64_t map_get(struct map *m, const char *k)
{
	if (!m->cap)
		return 0;
	size_t i = map_slot(m, k);
	return m->key[i] ? m->val[i] : 0;
}

static void map_put(struct map *m, const char *k, int64_t v)
{
	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	size_t i = map_slot(m, k);
	if (!m->key[i]) {
		m->key[i] = xstrdup(k);
		m->n++;
	}
	m->val[i] = v;
}

static void map_free(struct map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->key[i]);
	free(m->key);
	free(m->val);
}

/* ---- labels → codes, with a small cache a column (values repeat) ---- */

#define CACHE 32
struct codecol {
	enum code_table_id t;
	char text[CACHE][64];
	const char *code[CACHE];
	int n;
};

static const char *to_code(struct codecol *c, const char *v)
{
	if (!*v)
		return NULL;
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->text[i], v) == 0)
			return c->code[i];
	const char *code = code_lookup(&code_tables[c->t], v);
	if (c->n < CACHE && strlen(v) < sizeof(c->text[0])) {
		snprintf(c->text[c->n], sizeof(c->text[0]), "%s", v);
		c->code[c->n++] = code;
	}
	return code;
}

/* ---- the CSV ---- */

enum col {
	C_HOUSEHOLD, C_HOUSE, C_NAME, C_SEX, C_DOC_TYPE, C_ID, C_NATIONALITY, C_ETHNIC, C_BIRTH,
	C_RELATION, C_RESIDENCE, C_POLITICAL, C_EDUCATION, C_MARITAL, C_EMPLOYMENT, C_PHONE,
	C_HUKOU, C_CURRENT, NCOL
};
static const char *const col_names[NCOL] = {
	"户编号", "房屋编号", "姓名", "性别", "证件类型", "公民身份号码", "国籍（地区）", "民族",
	"出生日期", "与户主关系", "人口类型", "政治面貌", "文化程度", "婚姻状况", "就业状况",
	"联系电话", "户籍地址", "现居住地址",
};

#define MAXF 64
struct rowbuf {
	char *data;               /* the fields of the current record, NUL-separated */
	size_t len, cap;
	size_t off[MAXF];
	int nf;
};

struct ctx {
	struct rowbuf r;
	int map[NCOL];            /* column index of each field, -1 when absent */
	bool header_done;
	long rows;
	char community[16];
	int64_t grid, now;
	struct map buildings, houses, households;   /* buildings: index + 1 into b */
	struct bld {
		int64_t id;
		int floors, units;                  /* what its rooms need */
	} *b;
	size_t nb, capb;
	int64_t houses_created, households_created;
	struct codecol cc[NCOL];
	sqlite3_stmt *sb, *sh, *shh, *sp, *sgram, *skey, *sfts;
	double t_pinyin;
};

static void on_field(void *s, size_t len, void *ud)
{
	struct ctx *c = ud;
	struct rowbuf *r = &c->r;
	if (r->nf >= MAXF)
		return;
	if (r->len + len + 1 > r->cap) {
		r->cap = (r->len + len + 1) * 2;
		r->data = realloc(r->data, r->cap);
		if (!r->data)
			abort();
	}
	r->off[r->nf++] = r->len;
	memcpy(r->data + r->len, s, len);
	r->len += len;
	r->data[r->len++] = '\0';
}

static const char *field(struct ctx *c, enum col k)
{
	int i = c->map[k];
	if (i < 0 || i >= c->r.nf)
		return "";
	return c->r.data + c->r.off[i];
}

static const char *reversed(const char *s, char *out, size_t n)
{
	size_t len = strlen(s);
	if (!len)
		return NULL;
	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = s[len - 1 - i];
	out[len] = '\0';
	return out;
}

static void header(struct ctx *c)
{
	for (int k = 0; k < NCOL; k++) {
		c->map[k] = -1;
		for (int i = 0; i < c->r.nf; i++) {
			const char *h = c->r.data + c->r.off[i];
			if (i == 0 && strncmp(h, "\xEF\xBB\xBF", 3) == 0)
				h += 3;
			if (strcmp(h, col_names[k]) == 0) {
				c->map[k] = i;
				break;
			}
		}
		if (c->map[k] < 0) {
			fprintf(stderr, "bare_import: no column %s (a file of bench/gencsv?)\n", col_names[k]);
			exit(1);
		}
	}
	c->header_done = true;
}

/* Building prefix, unit and room of "…1号楼2单元302室"; false if not so. */
static bool split_address(const char *addr, char *baddr, size_t bn, int *unit, char *room, size_t rn)
{
	const char *u = NULL;
	for (const char *s = strstr(addr, "单元"); s; s = strstr(s + 1, "单元"))
		u = s;
	if (!u)
		return false;
	const char *q = u;
	while (q > addr && q[-1] >= '0' && q[-1] <= '9')
		q--;
	const char *r = u + strlen("单元"), *re = r;
	while (*re >= '0' && *re <= '9')
		re++;
	if (q == u || q == addr || re == r || (size_t)(q - addr) >= bn || (size_t)(re - r) >= rn)
		return false;
	snprintf(baddr, bn, "%.*s", (int)(q - addr), addr);
	*unit = (int)strtol(q, NULL, 10);
	snprintf(room, rn, "%.*s", (int)(re - r), r);
	return true;
}

/* What follows the last 区 (else 市) of an address: the building's name. */
static const char *after_district(const char *a)
{
	const char *cut = NULL;
	for (const char *m = strstr(a, "区"); m; m = strstr(m + 1, "区"))
		cut = m + strlen("区");
	if (!cut)
		for (const char *m = strstr(a, "市"); m; m = strstr(m + 1, "市"))
			cut = m + strlen("市");
	return cut && *cut ? cut : a;
}

/* The household of the row: building, house and household found or made.
 * As Juwei does: the building is named by the dwelling's address when it
 * names the same unit and room as 房屋编号 (else by 房屋编号's building
 * part), made with 1 floor and 1 unit and grown to its rooms at the end;
 * the house carries the address; the household's type follows the
 * person's 人口类型. */
static void place(struct ctx *c, int64_t *hh, int64_t *house, int64_t *building)
{
	const char *hno = field(c, C_HOUSEHOLD), *hid = field(c, C_HOUSE), *addr = field(c, C_CURRENT);
	char bkey[64] = "", room[16] = "", key[128], baddr[200] = "", aroom[16];
	int unit = 0, aunit = 0;
	bool named = false;
	*hh = *house = *building = 0;
	/* "B0001-2-302" → building B0001, unit 2, room 302 */
	const char *d1 = strchr(hid, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	if (d1 && d2 && (size_t)(d1 - hid) < sizeof(bkey)) {
		memcpy(bkey, hid, (size_t)(d1 - hid));
		bkey[d1 - hid] = '\0';
		unit = (int)strtol(d1 + 1, NULL, 10);
		snprintf(room, sizeof(room), "%s", d2 + 1);
		named = split_address(addr, baddr, sizeof(baddr), &aunit, aroom, sizeof(aroom)) &&
			aunit == unit && strcmp(aroom, room) == 0;
	}
	if (bkey[0]) {
		long r = strtol(room, NULL, 10);
		int64_t bi = map_get(&c->buildings, bkey);
		if (!bi) {
			sqlite3_stmt *s = c->sb;
			text(s, 1, c->community);
			text(s, 2, named ? after_district(baddr) : bkey);
			sqlite3_bind_int64(s, 3, c->grid);
			text(s, 4, named ? baddr : NULL);
			sqlite3_bind_int64(s, 5, c->now);
			sqlite3_bind_int64(s, 6, c->now);
			step(s, "building");
			if (c->nb == c->capb) {
				c->capb = c->capb ? c->capb * 2 : 1024;
				c->b = realloc(c->b, c->capb * sizeof(*c->b));
				if (!c->b)
					abort();
			}
			c->b[c->nb] = (struct bld){ sqlite3_last_insert_rowid(db), 1, 1 };
			bi = ++c->nb;
			map_put(&c->buildings, bkey, bi);
		}
		struct bld *b = &c->b[bi - 1];
		*building = b->id;
		snprintf(key, sizeof(key), "%lld-%d-%s", (long long)*building, unit, room);
		*house = map_get(&c->houses, key);
		if (!*house) {
			sqlite3_stmt *s = c->sh;
			text(s, 1, c->community);
			sqlite3_bind_int64(s, 2, *building);
			sqlite3_bind_int(s, 3, unit);
			sqlite3_bind_int(s, 4, (int)(r / 100));
			text(s, 5, room);
			text(s, 6, named ? addr : NULL);
			sqlite3_bind_int64(s, 7, c->grid);
			sqlite3_bind_int64(s, 8, c->now);
			sqlite3_bind_int64(s, 9, c->now);
			step(s, "house");
			*house = sqlite3_last_insert_rowid(db);
			map_put(&c->houses, key, *house);
			c->houses_created++;
			if (r / 100 > b->floors)
				b->floors = (int)(r / 100);
			if (unit > b->units)
				b->units = unit;
		}
	}
	if (*hno) {
		*hh = map_get(&c->households, hno);
		if (!*hh) {
			sqlite3_stmt *s = c->shh;
			text(s, 1, c->community);
			text(s, 2, hno);
			if (*house) {
				sqlite3_bind_int64(s, 3, *house);
				sqlite3_bind_int64(s, 4, *building);
				sqlite3_bind_int64(s, 5, c->grid);
			} else {
				sqlite3_bind_null(s, 3);
				sqlite3_bind_null(s, 4);
				sqlite3_bind_null(s, 5);
			}
			text(s, 6, strcmp(field(c, C_RESIDENCE), "户籍人口") == 0 ? "hukou" : "migrant");
			sqlite3_bind_int64(s, 7, c->now);
			sqlite3_bind_int64(s, 8, c->now);
			step(s, "household");
			*hh = sqlite3_last_insert_rowid(db);
			map_put(&c->households, hno, *hh);
			c->households_created++;
		}
	}
}

static void bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static void person(struct ctx *c)
{
	int64_t hh, house, building;
	double t_sp = gen_now();
	if (savepoints)
		exec("SAVEPOINT r");
	t_sql += gen_now() - t_sp;
	place(c, &hh, &house, &building);

	double t0 = gen_now();
	struct gen_person gp;
	struct gen_index ix;
	snprintf(gp.name, sizeof(gp.name), "%s", field(c, C_NAME));
	gen_index_of(&gp, &ix);
	c->t_pinyin += gen_now() - t0;

	sqlite3_stmt *sp = c->sp;
	const char *idn = field(c, C_ID), *phone = field(c, C_PHONE);
	char idr[40], phr[40];
	int k = 1;
	text(sp, k++, c->community);
	text(sp, k++, field(c, C_NAME));
	text(sp, k++, to_code(&c->cc[C_SEX], field(c, C_SEX)));
	text(sp, k++, to_code(&c->cc[C_DOC_TYPE], field(c, C_DOC_TYPE)));
	text(sp, k++, idn);
	text(sp, k++, field(c, C_NATIONALITY));
	text(sp, k++, to_code(&c->cc[C_ETHNIC], field(c, C_ETHNIC)));
	text(sp, k++, field(c, C_BIRTH));
	text(sp, k++, phone);
	text(sp, k++, field(c, C_HUKOU));
	text(sp, k++, field(c, C_CURRENT));
	text(sp, k++, to_code(&c->cc[C_RESIDENCE], field(c, C_RESIDENCE)));
	text(sp, k++, to_code(&c->cc[C_POLITICAL], field(c, C_POLITICAL)));
	text(sp, k++, to_code(&c->cc[C_EDUCATION], field(c, C_EDUCATION)));
	text(sp, k++, to_code(&c->cc[C_MARITAL], field(c, C_MARITAL)));
	text(sp, k++, to_code(&c->cc[C_EMPLOYMENT], field(c, C_EMPLOYMENT)));
	bind_id(sp, k++, hh);
	text(sp, k++, to_code(&c->cc[C_RELATION], field(c, C_RELATION)));
	bind_id(sp, k++, house);
	bind_id(sp, k++, building);
	bind_id(sp, k++, building ? c->grid : 0);
	sqlite3_bind_int64(sp, k++, c->now);
	sqlite3_bind_int64(sp, k++, c->now);
	text(sp, k++, ix.name_py);
	text(sp, k++, ix.name_ini);
	text(sp, k++, reversed(idn, idr, sizeof(idr)));
	text(sp, k++, reversed(phone, phr, sizeof(phr)));
	step(sp, "person");
	int64_t id = sqlite3_last_insert_rowid(db);
	for (int j = 0; j < ix.ngrams; j++) {
		text(c->sgram, 1, ix.gram[j]);
		sqlite3_bind_int64(c->sgram, 2, id);
		step(c->sgram, "person_gram");
	}
	for (int j = 0; j < ix.nkeys; j++) {
		text(c->skey, 1, ix.key[j]);
		sqlite3_bind_int64(c->skey, 2, id);
		step(c->skey, "person_key");
	}
	sqlite3_bind_int64(c->sfts, 1, id);
	text(c->sfts, 2, idn);
	text(c->sfts, 3, phone);
	text(c->sfts, 4, field(c, C_CURRENT));
	step(c->sfts, "person_fts");
	t_sp = gen_now();
	if (savepoints)
		exec("RELEASE r");
	t_sql += gen_now() - t_sp;
	c->rows++;
	if (c->rows % 100000 == 0)
		fprintf(stderr, "bare_import: %ld rows\n", c->rows);
}

static void on_record(int term, void *ud)
{
	struct ctx *c = ud;
	bool blank = c->r.nf == 0 || (c->r.nf == 1 && c->r.data[0] == '\0');
	if (!blank) {
		if (!c->header_done)
			header(c);
		else
			person(c);
	}
	c->r.nf = 0;
	c->r.len = 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--savepoint") != 0)) {
		fputs("usage: bare_import DB FILE.csv [--savepoint]\n", stderr);
		return 2;
	}
	savepoints = argc == 4;
	double t_start = gen_now();
	if (pinyin_init() != 0)
		return 1;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		die("open");
	sqlite3_busy_timeout(db, 5000);
	exec("PRAGMA journal_mode=WAL");
	exec("PRAGMA foreign_keys=ON");
	exec("PRAGMA synchronous=NORMAL");
	exec("PRAGMA temp_store=MEMORY");
	exec("PRAGMA cache_size=-131072");   /* what store bulk_mode(true) sets */

	static struct ctx c;
	c.now = now_s();
	sqlite3_stmt *s = prep("SELECT code FROM community ORDER BY rowid LIMIT 1");
	if (sqlite3_step(s) != SQLITE_ROW)
		die("community (run juwei init first)");
	snprintf(c.community, sizeof(c.community), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	static const enum code_table_id tables[NCOL] = {
		[C_SEX] = CT_SEX, [C_DOC_TYPE] = CT_DOC_TYPE, [C_ETHNIC] = CT_ETHNIC,
		[C_RELATION] = CT_RELATION, [C_RESIDENCE] = CT_RESIDENCE, [C_POLITICAL] = CT_POLITICAL,
		[C_EDUCATION] = CT_EDUCATION, [C_MARITAL] = CT_MARITAL, [C_EMPLOYMENT] = CT_EMPLOYMENT,
	};
	for (int k = 0; k < NCOL; k++)
		c.cc[k].t = tables[k];

	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	exec("BEGIN IMMEDIATE");
	/* New buildings go to the community's first grid, made if there is none. */
	s = prep("SELECT id FROM grid WHERE community = ? ORDER BY id LIMIT 1");
	text(s, 1, c.community);
	if (sqlite3_step(s) == SQLITE_ROW) {
		c.grid = sqlite3_column_int64(s, 0);
	} else {
		sqlite3_stmt *g = prep("INSERT INTO grid(community, name, created_at, updated_at) VALUES(?,?,?,?)");
		text(g, 1, c.community);
		text(g, 2, "第一网格");
		sqlite3_bind_int64(g, 3, c.now);
		sqlite3_bind_int64(g, 4, c.now);
		step(g, "grid");
		sqlite3_finalize(g);
		c.grid = sqlite3_last_insert_rowid(db);
	}
	sqlite3_finalize(s);
	c.sb = prep("INSERT INTO building(community, name, grid_id, address, floors, units, created_at,"
		    " updated_at) VALUES(?,?,?,?,1,1,?,?)");
	c.sh = prep("INSERT INTO house(community, building_id, unit, floor, room, address, grid_id,"
		    " created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?)");
	c.shh = prep("INSERT INTO household(community, household_no, house_id, building_id, grid_id,"
		     " type, size, created_at, updated_at) VALUES(?,?,?,?,?,?,0,?,?)");
	c.sp = prep("INSERT INTO person(community, name, sex, doc_type, id_number, nationality, ethnic,"
		    " birth_date, phone, hukou_address, current_address, residence_type, political_status,"
		    " education, marital_status, employment_status, household_id, relation, notes, house_id,"
		    " building_id, grid_id, status, dereg_reason, dereg_date, dereg_note, created_at,"
		    " updated_at, name_py, name_ini, id_rev, phone_rev)"
		    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL,?,?,?,'active',NULL,NULL,NULL,?,?,?,?,?,?)");
	c.sgram = prep("INSERT INTO person_gram(gram, person_id) VALUES(?,?)");
	c.skey = prep("INSERT OR IGNORE INTO person_key(key, person_id) VALUES(?,?)");
	c.sfts = prep("INSERT INTO person_fts(rowid, id_number, phone, address) VALUES(?,?,?,?)");

	struct csv_parser p;
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		return 1;
	static char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_record, &c) != n) {
			fprintf(stderr, "bare_import: %s: %s\n", argv[2], csv_strerror(csv_error(&p)));
			return 1;
		}
	csv_fini(&p, on_field, on_record, &c);
	csv_free(&p);
	fclose(f);

	/* buildings grown to the floors and units of their rooms; household
	 * sizes, once for all */
	double t0 = gen_now(), sql0 = t_sql;
	sqlite3_stmt *su = prep("UPDATE building SET floors = ?, units = ?, updated_at = ? WHERE id = ?");
	for (size_t i = 0; i < c.nb; i++)
		if (c.b[i].floors > 1 || c.b[i].units > 1) {
			sqlite3_bind_int(su, 1, c.b[i].floors);
			sqlite3_bind_int(su, 2, c.b[i].units);
			sqlite3_bind_int64(su, 3, c.now);
			sqlite3_bind_int64(su, 4, c.b[i].id);
			step(su, "building floors");
		}
	sqlite3_finalize(su);
	exec("UPDATE household SET size = (SELECT count(*) FROM person"
	     " WHERE person.household_id = household.id AND status = 'active')");
	exec("INSERT INTO audit(community, at, username, action, entity, new_json)"
	     " VALUES((SELECT code FROM community LIMIT 1), strftime('%s','now'), 'bare_import',"
	     " 'import', 'person', '{}')");
	exec("COMMIT");
	t_sql = sql0 + gen_now() - t0;
	double t_done = gen_now();
	sqlite3_finalize(c.sb);
	sqlite3_finalize(c.sh);
	sqlite3_finalize(c.shh);
	sqlite3_finalize(c.sp);
	sqlite3_finalize(c.sgram);
	sqlite3_finalize(c.skey);
	sqlite3_finalize(c.sfts);
	map_free(&c.buildings);
	free(c.b);
	map_free(&c.houses);
	map_free(&c.households);
	free(c.r.data);
	sqlite3_close(db);
	double t_end = gen_now();
	double total = t_done - t_start;
	printf("bare_import: %ld rows, %lld buildings, %lld houses, %lld households in %.2f s"
	       " (SQL %.2f s, pinyin and grams %.2f s, reading and the rest %.2f s);"
	       " close and checkpoint %.2f s\n",
	       c.rows, (long long)c.nb, (long long)c.houses_created,
	       (long long)c.households_created, total, t_sql, c.t_pinyin, total - t_sql - c.t_pinyin,
	       t_end - t_done);
	printf("RESULT rows %ld\n", c.rows);
	printf("RESULT sql_s %.2f\n", t_sql);
	printf("RESULT pinyin_s %.2f\n", c.t_pinyin);
	printf("RESULT inner_s %.2f\n", total);
	printf("RESULT close_s %.2f\n", t_end - t_done);
	return 0;
}

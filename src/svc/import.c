/*
 * import.c — a roster file in: find the header, map the columns by the
 * synonyms declared with each field, normalise each cell, and store every
 * row through svc_create / svc_update (the forms' own rules) in one
 * transaction.  The contract is docs/IMPORT.md.
 *
 * Memory stays flat: rows are read one at a time from io/sheet.h; what is
 * kept per row is one int (the file row of each person created, for
 * reporting merges), plus the rejected rows' reasons.
 */
#include "svc/import.h"
#include "svc/ledger.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "lib/util.h"
#include "model/idnum.h"
#include "model/mask.h"
#include "model/textnorm.h"

#define HEADER_SCAN 30
#define MAX_REJECTS 50000
#define PROGRESS_EVERY 256

/* Columns that are not person fields but place the person: the import
 * builds households and houses from them. */
enum extra_col { X_HOUSEHOLD_NO, X_HOUSE_CODE, X_HOUSE_ADDRESS, X_BUILDING, X_UNIT, X_ROOM, X_GRID,
		 X_HOUSEHOLD_TYPE, X__COUNT };
static const struct {
	const char *key, *label, *synonyms;
} extras[X__COUNT] = {
	[X_HOUSEHOLD_NO] = { "household_no", "户编号", "户编号|户号|户口编号|户籍编号" },
	[X_HOUSE_CODE] = { "house_code", "房屋编号", "房屋编号|房号|楼栋单元室|房屋代码" },
	[X_HOUSE_ADDRESS] = { "house_address", "房屋地址", "房屋地址|房屋坐落|住房地址|户所在房屋" },
	[X_BUILDING] = { "building", "楼栋", "楼栋|楼栋名称|楼号|楼栋号|幢号|楼幢" },
	[X_UNIT] = { "unit", "单元", "单元|单元号" },
	[X_ROOM] = { "room", "房间号", "房间号|室|室号|房间|门牌号" },
	[X_GRID] = { "grid", "所属网格", "所属网格|网格|网格名称" },
	[X_HOUSEHOLD_TYPE] = { "household_type", "户类型", "户类型|户别" },
};
#define T_EXTRA 1000   /* target = T_EXTRA + enum extra_col */
#define T_NONE (-1)

/* ---- small helpers ---- */

static void *grow(void *p, int64_t *cap, int64_t need, size_t size)
{
	if (need <= *cap)
		return p;
	int64_t n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	*cap = n;
	return xrealloc(p, (size_t)n * size);
}

/* A header as compared: normalised, spaces gone, a trailing * : ： and
 * "(必填)" dropped. */
static void header_key(const char *in, char *out, size_t outsz)
{
	char tmp[256];
	if (text_normalize(in, tmp, sizeof(tmp)) == (size_t)-1)
		tmp[0] = 0;
	size_t o = 0;
	for (const char *p = tmp; *p && o + 1 < outsz; p++)
		if (*p != ' ' && *p != '*')
			out[o++] = *p;
	out[o] = 0;
	const char *tails[] = { "(必填)", "(选填)", ":", "：", "*" };
	bool again = true;
	while (again) {
		again = false;
		for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
			size_t n = strlen(tails[i]);
			if (o >= n && strcmp(out + o - n, tails[i]) == 0) {
				o -= n;
				out[o] = 0;
				again = true;
			}
		}
	}
}

/* Position of key among the '|'-separated synonyms (0 = best), or -1. */
static int synonym_rank(const char *synonyms, const char *label, const char *key)
{
	char k[128];
	if (label) {
		header_key(label, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return 0;
	}
	if (!synonyms)
		return -1;
	int rank = 1;
	for (const char *p = synonyms; *p; rank++) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char syn[128];
		snprintf(syn, sizeof(syn), "%.*s", (int)n, p);
		header_key(syn, k, sizeof(k));
		if (strcmp(k, key) == 0)
			return rank;
		if (!e)
			break;
		p = e + 1;
	}
	return -1;
}

/* The target of a header, and how good a match it is (lower is better). */
static int header_target(const char *header, int *rank)
{
	char key[128];
	header_key(header, key, sizeof(key));
	if (!key[0])
		return T_NONE;
	const struct kind *e = &entities[ENT_PERSON];
	int best = T_NONE, br = 1 << 20;
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if ((f->flags & FF_READONLY) || f->type == FT_REF)
			continue;
		int r = synonym_rank(f->synonyms, f->label, key);
		if (r >= 0 && r < br) {
			best = i;
			br = r;
		}
	}
	for (int x = 0; x < X__COUNT; x++) {
		int r = synonym_rank(extras[x].synonyms, extras[x].label, key);
		if (r >= 0 && r < br) {
			best = T_EXTRA + x;
			br = r;
		}
	}
	*rank = br;
	return best;
}

static const char *target_key(int t)
{
	if (t >= T_EXTRA)
		return extras[t - T_EXTRA].key;
	return t >= 0 ? entities[ENT_PERSON].fields[t].name : "";
}

static const char *target_label(int t)
{
	if (t >= T_EXTRA)
		return extras[t - T_EXTRA].label;
	return t >= 0 ? entities[ENT_PERSON].fields[t].label : "";
}

bool import_sci_notation(const char *t)
{
	/* d[.ddd]E[+-]dd */
	const char *p = t;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != 'e' && *p != 'E')
		return false;
	p++;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	while (*p == ' ')
		p++;
	return *p == 0;
}

/* Reads up to 3 numbers separated by anything that is not a digit. */
bool import_date_text(const char *in, char out[11])
{
	char t[64];
	if (text_normalize(in, t, sizeof(t)) == (size_t)-1 || !t[0])
		return false;
	size_t n = strlen(t);
	if (n >= 1 && n <= 6 && strspn(t, "0123456789") == n) {
		/* an Excel serial number (a date cell read as a number) */
		int y, m, d, hh, mi, ss;
		if (!sheet_serial_date((double)strtol(t, NULL, 10), &y, &m, &d, &hh, &mi, &ss) || !date_valid(y, m, d))
			return false;
		snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
		return true;
	}
	return date_text(t, out);   /* as people type it (model/textnorm.h) */
}

void import_birth_parse(const char *in, bool numeric, struct birth_spec *b)
{
	char t[64], d[11];
	int ty, tm, td;
	memset(b, 0, sizeof(*b));
	if (!in || text_normalize(in, t, sizeof(t)) == (size_t)-1 || !t[0])
		return;
	date_today(&ty, &tm, &td);
	size_t n = strlen(t);
	bool digits = strspn(t, "0123456789") == n;
	/* 195803 and 1958: a year and month, a year (before any serial) */
	if (digits && (n == 6 || n == 4)) {
		int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
		int m = n == 6 ? (t[4] - '0') * 10 + (t[5] - '0') : 0;
		if (y >= 1880 && y <= ty && (n == 4 || (m >= 1 && m <= 12))) {
			b->prec = n == 6 ? 2 : 1;
			b->year = y;
			b->month = m;
			return;
		}
	}
	if (import_date_text(t, d)) {
		b->prec = 3;
		b->year = (int)strtol(d, NULL, 10);
		b->month = (int)strtol(d + 5, NULL, 10);
		b->day = (int)strtol(d + 8, NULL, 10);
		return;
	}
	/* year and month: 1958.03 1958.3 1958.1 1958-03 1958/3 1958年3月 */
	for (const char *p = t; *p; p++) {
		if (isdigit((unsigned char)*p) || *p == '-' || *p == '/' || *p == '.')
			continue;
		if (strncmp(p, "年", 3) == 0 || strncmp(p, "月", 3) == 0 || strncmp(p, "份", 3) == 0) {
			p += 2;
			continue;
		}
		return;
	}
	long v[3];
	int len[3];
	int k = date_parts(t, v, len);
	if (k < 1 || k > 2 || len[0] != 4 || v[0] < 1880 || v[0] > ty)
		return;
	b->year = (int)v[0];
	if (k == 1) {
		b->prec = 1;
		return;
	}
	if (len[1] > 2 || v[1] < 1 || v[1] > 12)
		return;
	b->month = (int)v[1];
	/* 1958.1: Excel shows 1958.10 so, a number cell is October; typed
	 * as text it may be either */
	if (len[1] == 1 && v[1] == 1 && strchr(t, '.')) {
		if (numeric)
			b->month = 10;
		else
			b->alt_month = 10;
	}
	b->prec = 2;
}

bool import_birth_fits(const struct birth_spec *b, int y, int m, int d)
{
	if (b->prec < 1 || b->year != y)
		return false;
	if (b->prec >= 2 && b->month != m && b->alt_month != m)
		return false;
	return b->prec < 3 || b->day == d;
}

/* ---- the import's state ---- */

struct bcache {             /* buildings met in this import */
	char key[128];
	int64_t id;
	int64_t floors, units;  /* as stored */
	int64_t max_floor, max_unit;
	bool created;
};

struct akent {              /* a household met by its address (no 户号) */
	char key[200];          /* model/textnorm.h address_key */
	int64_t hh;
};

struct pend {               /* a member stored before its head (no 户号) */
	char key[200];
	char rel[32];           /* the relation's code */
	char name[64];
	int64_t pid, row;
	int sheet;
	bool done;
};

struct imp {
	struct store *st;
	const struct actor *a;
	struct actor bulk;              /* a, with bulk set */
	const struct import_opts *o;
	struct import_result *res;
	struct sheet *sh;
	int ncols;                      /* of the sheet being read */
	int *target;                    /* per column (points into targets[cur]) */
	int *rank;
	bool *has_data;                 /* unnamed/unknown column with data */
	int cur;                        /* the sheet being read: res->sheets[cur] */
	int **targets, **ranks;         /* per sheet */
	bool **has_datas;
	int npreview_sheet;             /* preview rows taken from this sheet */
	struct akent *ak;               /* address → household, hashed */
	int64_t nak;                    /* slots (a power of two) */
	int64_t nak_used;
	struct pend *pend;
	int64_t npend, cappend;
	int64_t base_id;                /* the newest person before the import */
	int64_t *row_of;                /* the file row that first named person id i
					 * (row | sheet << 40) */
	int64_t nrow_of, caprow_of;
	struct bcache *bc;
	int64_t nbc, capbc;
	int64_t *bix;                   /* hash of bc by key: index+1, 0 = empty */
	int64_t nbix;                   /* slots, a power of two */
	int64_t nbix_used;              /* slots not empty (live or stale) */
	int64_t default_grid;
	int64_t last_house;             /* the dwelling of the previous row */
	char last_house_key[300];
	int64_t last_hh;                /* the household of the previous row */
	bool row_sp;                    /* this row opened a savepoint */
	char last_hh_no[64];
};

/* A row that makes a grid, building, house or household opens a savepoint
 * first, so that a person refused after them takes them back.  Most rows
 * make none (the second member of a household) and need none: a refused
 * person leaves nothing behind by itself (see actor.bulk). */
static int row_savepoint(struct imp *im, struct jw_error *err)
{
	if (im->row_sp)
		return JW_OK;
	int rc = store_begin(im->st);
	if (rc != JW_OK)
		return jw_fail(err, rc, "", NULL);
	im->row_sp = true;
	return JW_OK;
}

static void reject(struct imp *im, int64_t row, const char *field, const char *name, const char *idnum,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void warn(struct imp *im, int sheet, int64_t row, const char *field, const char *name, const char *fmt,
		 ...) __attribute__((format(printf, 6, 7)));

/* The header of the column a field came from (in the sheet being read). */
static const char *column_of(struct imp *im, const char *field)
{
	for (int c = 0; c < im->ncols; c++)
		if (im->target[c] != T_NONE && strcmp(target_key(im->target[c]), field) == 0)
			return im->res->sheets[im->cur].cols[c].header;
	return "";
}

/* Something to tell about a row that was stored (or a sheet). */
static void warn(struct imp *im, int sheet, int64_t row, const char *field, const char *name, const char *fmt,
		 ...)
{
	struct import_result *r = im->res;
	if (r->nwarnings >= MAX_REJECTS)
		return;
	r->warnings = grow(r->warnings, &r->capwarnings, r->nwarnings + 1, sizeof(*r->warnings));
	struct import_warning *w = &r->warnings[r->nwarnings++];
	memset(w, 0, sizeof(*w));
	w->sheet = sheet;
	w->row = row;
	snprintf(w->field, sizeof(w->field), "%s", field ? field : "");
	if (field && sheet == im->cur)
		snprintf(w->column, sizeof(w->column), "%s", column_of(im, field));
	snprintf(w->name, sizeof(w->name), "%s", name ? name : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->message, sizeof(w->message), fmt, ap);
	va_end(ap);
}

static void reject(struct imp *im, int64_t row, const char *field, const char *name, const char *idnum,
		   const char *fmt, ...)
{
	struct import_result *r = im->res;
	r->rejected++;
	if (r->nrejects >= MAX_REJECTS)
		return;
	r->rejects = grow(r->rejects, &r->caprejects, r->nrejects + 1, sizeof(*r->rejects));
	struct import_reject *j = &r->rejects[r->nrejects++];
	memset(j, 0, sizeof(*j));
	j->sheet = im->cur;
	j->row = row;
	snprintf(j->field, sizeof(j->field), "%s", field ? field : "");
	snprintf(j->column, sizeof(j->column), "%s", field ? column_of(im, field) : "");
	snprintf(j->name, sizeof(j->name), "%s", name ? name : "");
	if (idnum)   /* masked into id_masked (the one masking, model/mask.h) */
		sens_display(SENS_ID, idnum, false, j->id_masked, sizeof(j->id_masked));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->reason, sizeof(j->reason), fmt, ap);
	va_end(ap);
}

/* A row rejected by the service: every message of the validation. */
static void reject_verr(struct imp *im, int64_t row, const struct verr *ve, const struct jw_error *e,
			const char *name, const char *idnum, const char *hint)
{
	char msg[384];
	size_t o = 0;
	msg[0] = 0;
	for (int i = 0; i < ve->n && o + 4 < sizeof(msg); i++) {
		const char *col = column_of(im, ve->item[i].field);
		int w = snprintf(msg + o, sizeof(msg) - o, "%s%s%s%s", i ? "；" : "", col[0] ? col : "",
				 col[0] ? "：" : "", ve->item[i].message);
		if (w < 0)
			break;
		o += (size_t)w < sizeof(msg) - o ? (size_t)w : sizeof(msg) - o - 1;
	}
	if (!ve->n)
		strlcpy_jw(msg, e->message[0] ? e->message : err_default_msg(e->code), sizeof(msg));
	if (hint && strlen(msg) + strlen(hint) + 1 < sizeof(msg))
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s", hint);
	reject(im, row, ve->n ? ve->item[0].field : e->field, name, idnum, "%s", msg);
}

/* ---- locating: building, house, household ---- */

/* Digits of s (the first run), e.g. "2单元" → 2; -1 if none. */
static int64_t first_number(const char *s)
{
	while (*s && !isdigit((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	int64_t v = 0;
	int n = 0;
	while (isdigit((unsigned char)*s) && n < 9) {
		v = v * 10 + (*s - '0');
		s++;
		n++;
	}
	return v;
}

struct place {
	char bkey[128];      /* building as the file names it */
	char bname[64];      /* a building name from the address, or "" */
	char baddr[200];     /* the building's address from the address, or "" */
	int64_t unit;        /* -1: none */
	char room[24];
	char addr[256];      /* the dwelling's full address, or "" */
};

/* "…1号楼2单元302室" → building prefix, unit, room.  false if not. */
static bool parse_address(const char *addr, struct place *p)
{
	const char *u = NULL, *s = addr;
	while ((s = strstr(s, "单元")))
		u = s++;
	const char *q;
	int64_t unit = -1;
	const char *pre_end;
	if (u) {
		q = u;
		while (q > addr && isdigit((unsigned char)q[-1]))
			q--;
		if (q == u)
			return false;
		unit = first_number(q);
		pre_end = q;
		s = u + strlen("单元");
	} else {
		const char *marks[] = { "号楼", "栋", "幢", "座" };
		const char *best = NULL;
		size_t bl = 0;
		for (size_t i = 0; i < 4; i++) {
			const char *m = strstr(addr, marks[i]), *last = NULL;
			while (m) {
				last = m;
				m = strstr(m + 1, marks[i]);
			}
			if (last && (!best || last > best)) {
				best = last;
				bl = strlen(marks[i]);
			}
		}
		if (!best)
			return false;
		pre_end = best + bl;
		s = pre_end;
	}
	/* the room: digits (and a letter), then 室 / 号 / nothing */
	const char *r = s;
	while (isdigit((unsigned char)*r))
		r++;
	if (r == s || r - s > 6)
		return false;
	if (*r && strcmp(r, "室") != 0 && strcmp(r, "号") != 0)
		return false;
	if (pre_end == addr || (size_t)(pre_end - addr) >= sizeof(p->baddr))
		return false;
	snprintf(p->baddr, sizeof(p->baddr), "%.*s", (int)(pre_end - addr), addr);
	snprintf(p->room, sizeof(p->room), "%.*s", (int)(r - s), s);
	p->unit = unit;
	/* the name: the address after its district (…区) or city (…市) */
	const char *n = p->baddr, *cut = NULL;
	for (const char *m = strstr(n, "区"); m; m = strstr(m + 1, "区"))
		cut = m + strlen("区");
	if (!cut)
		for (const char *m = strstr(n, "市"); m; m = strstr(m + 1, "市"))
			cut = m + strlen("市");
	if (!cut || !*cut)
		cut = n;
	if (utf8_chars(cut) > 50)
		return false;
	if (strlen(cut) >= sizeof(p->bname))
		return false;
	strlcpy_jw(p->bname, cut, sizeof(p->bname));
	snprintf(p->addr, sizeof(p->addr), "%s", addr);
	return true;
}

/* The place a row names, if any. */
static bool row_place(char **xv, const char *address, struct place *p)
{
	memset(p, 0, sizeof(*p));
	p->unit = -1;
	const char *code = xv[X_HOUSE_CODE];
	if (code) {
		/* 楼栋-单元-室 or 楼栋-室 */
		const char *d2 = strrchr(code, '-');
		if (!d2 || !d2[1] || d2 == code)
			return false;
		const char *d1 = NULL;
		for (const char *q = d2 - 1; q > code; q--)
			if (*q == '-') {
				d1 = q;
				break;
			}
		if (strspn(d2 + 1, "0123456789") != strlen(d2 + 1) || strlen(d2 + 1) > 6)
			return false;
		snprintf(p->room, sizeof(p->room), "%s", d2 + 1);
		const char *bend = d2;
		if (d1) {
			size_t ul = (size_t)(d2 - d1 - 1);
			if (ul && ul < 4 && strspn(d1 + 1, "0123456789") >= ul) {
				p->unit = first_number(d1 + 1);
				bend = d1;
			}
		}
		snprintf(p->bkey, sizeof(p->bkey), "%.*s", (int)(bend - code), code);
		/* the address, when it names the same room, gives the building its name */
		struct place ap;
		memset(&ap, 0, sizeof(ap));
		if (address && parse_address(address, &ap) && ap.unit == p->unit && strcmp(ap.room, p->room) == 0) {
			snprintf(p->bname, sizeof(p->bname), "%s", ap.bname);
			snprintf(p->baddr, sizeof(p->baddr), "%s", ap.baddr);
			snprintf(p->addr, sizeof(p->addr), "%s", ap.addr);
		}
		return p->bkey[0] != 0;
	}
	if (xv[X_BUILDING] && xv[X_ROOM]) {
		snprintf(p->bkey, sizeof(p->bkey), "%s", xv[X_BUILDING]);
		p->unit = xv[X_UNIT] ? first_number(xv[X_UNIT]) : -1;
		int64_t room = first_number(xv[X_ROOM]);
		if (room < 0)
			return false;
		snprintf(p->room, sizeof(p->room), "%lld", (long long)room);
		return true;
	}
	if (address && parse_address(address, p)) {
		snprintf(p->bkey, sizeof(p->bkey), "%s", p->bname);
		return true;
	}
	return false;
}

static int first_id(const struct record *r, void *ud)
{
	*(int64_t *)ud = r->id;
	return JW_OK;
}

/* The grid named name (made if missing), or the community's first grid
 * (第一网格 is made when there is none). */
static int grid_for(struct imp *im, const char *name, int64_t *id, struct jw_error *err)
{
	struct store *st = im->st;
	int rc;
	*id = 0;
	if (name) {
		rc = STORE_CALL(st, record_find, im->a->community, &entities[ENT_GRID], "name", name, id, err);
		if (rc != JW_OK || *id)
			return rc;
	} else {
		if (im->default_grid) {
			*id = im->default_grid;
			return JW_OK;
		}
		struct query q;
		query_init(&q);
		q.sort = "id";
		q.limit = 1;
		rc = STORE_CALL(st, record_list, im->a->community, &entities[ENT_GRID], &q, first_id, id, NULL, err);
		if (rc != JW_OK)
			return rc;
		if (*id) {
			im->default_grid = *id;
			return JW_OK;
		}
	}
	struct record g;
	struct verr ve;
	verr_init(&ve);
	record_init(&g, &entities[ENT_GRID]);
	record_set(&g, GF_NAME, name ? name : "第一网格");
	rc = row_savepoint(im, err);
	if (rc == JW_OK)
		rc = svc_create(st, &im->bulk, &g, &ve, id, err);
	record_release(&g);
	if (rc != JW_OK)
		return rc;
	im->res->grids_created++;
	if (!name)
		im->default_grid = *id;
	return JW_OK;
}

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The cached building of key, or NULL (a row undone may have dropped the
 * newest entries: the table is checked against nbc). */
static struct bcache *bc_find(struct imp *im, const char *key)
{
	if (!im->nbix)
		return NULL;
	for (uint64_t i = key_hash(key) & (uint64_t)(im->nbix - 1);; i = (i + 1) & (uint64_t)(im->nbix - 1)) {
		int64_t k = im->bix[i];
		if (!k)
			return NULL;
		if (k <= im->nbc && strcmp(im->bc[k - 1].key, key) == 0)
			return &im->bc[k - 1];
	}
}

/* Indexes the newest entry bc[nbc-1].  Slots whose entry a rolled-back
 * row dropped (value >= the new entry's) are stale: taken over, never
 * followed (bc_find checks against nbc). */
static void bc_index(struct imp *im)
{
	int64_t k = im->nbc;   /* 1-based */
	if (im->nbix_used + 1 > im->nbix / 2) {
		free(im->bix);
		im->nbix = im->nbix ? im->nbix * 2 : 256;
		while (k * 2 > im->nbix)
			im->nbix *= 2;
		im->bix = xcalloc((size_t)im->nbix, sizeof(*im->bix));
		im->nbix_used = 0;
		for (int64_t e = 1; e < k; e++) {
			uint64_t i = key_hash(im->bc[e - 1].key) & (uint64_t)(im->nbix - 1);
			while (im->bix[i])
				i = (i + 1) & (uint64_t)(im->nbix - 1);
			im->bix[i] = e;
			im->nbix_used++;
		}
	}
	uint64_t i = key_hash(im->bc[k - 1].key) & (uint64_t)(im->nbix - 1);
	while (im->bix[i] && im->bix[i] < k)   /* a live entry: go on */
		i = (i + 1) & (uint64_t)(im->nbix - 1);
	if (!im->bix[i])
		im->nbix_used++;
	im->bix[i] = k;
}

/* The building of p: from this import's cache, the store, or new. */
static int building_for(struct imp *im, const struct place *p, const char *grid, struct bcache **out,
			struct jw_error *err)
{
	struct bcache *hit = bc_find(im, p->bkey);
	if (hit) {
		*out = hit;
		return JW_OK;
	}
	int64_t id = 0;
	int rc;
	const char *names[2] = { p->bkey, p->bname[0] ? p->bname : NULL };
	for (int k = 0; k < 2 && !id; k++)
		if (names[k] && (rc = STORE_CALL(im->st, record_find, im->a->community, &entities[ENT_BUILDING],
						 "name", names[k], &id, err)) != JW_OK)
			return rc;
	struct bcache b;
	memset(&b, 0, sizeof(b));
	snprintf(b.key, sizeof(b.key), "%s", p->bkey);
	if (id) {
		struct record r;
		record_init(&r, &entities[ENT_BUILDING]);
		rc = STORE_CALL(im->st, record_get, im->a->community, &entities[ENT_BUILDING], id, &r, err);
		record_int(&r, BF_FLOORS, &b.floors);
		record_int(&r, BF_UNITS, &b.units);
		record_release(&r);
		if (rc != JW_OK)
			return rc;
	} else {
		int64_t gid;
		if ((rc = grid_for(im, grid, &gid, err)) != JW_OK)
			return rc;
		const char *name = p->bname[0] ? p->bname : p->bkey;
		struct record r;
		struct verr ve;
		verr_init(&ve);
		record_init(&r, &entities[ENT_BUILDING]);
		record_set(&r, BF_NAME, name);
		record_setf(&r, BF_GRID_ID, "%lld", (long long)gid);
		if (p->baddr[0])
			record_set(&r, BF_ADDRESS, p->baddr);
		record_set(&r, BF_FLOORS, "1");
		record_set(&r, BF_UNITS, "1");
		rc = row_savepoint(im, err);
		if (rc == JW_OK)
			rc = svc_create(im->st, &im->bulk, &r, &ve, &id, err);
		record_release(&r);
		if (rc != JW_OK)
			return rc;
		b.created = true;
		b.floors = b.units = 1;
		im->res->buildings_created++;
	}
	b.id = id;
	im->bc = grow(im->bc, &im->capbc, im->nbc + 1, sizeof(*im->bc));
	im->bc[im->nbc++] = b;
	bc_index(im);
	*out = &im->bc[im->nbc - 1];
	return JW_OK;
}

/* The dwelling p names: found or made. */
static int house_for(struct imp *im, const struct place *p, const char *grid, int64_t *id, struct jw_error *err)
{
	char key[300];
	snprintf(key, sizeof(key), "%s\x1f%lld\x1f%s", p->bkey, (long long)p->unit, p->room);
	if (im->last_house && strcmp(key, im->last_house_key) == 0) {
		*id = im->last_house;
		return JW_OK;
	}
	struct bcache *b;
	int rc = building_for(im, p, grid, &b, err);
	if (rc != JW_OK)
		return rc;
	struct query q;
	query_init(&q);
	char bid[24], unit[24];
	snprintf(bid, sizeof(bid), "%lld", (long long)b->id);
	snprintf(unit, sizeof(unit), "%lld", (long long)p->unit);
	query_filter(&q, "building_id", FOP_EQ, bid);
	if (p->unit >= 0)
		query_filter(&q, "unit", FOP_EQ, unit);
	else
		query_filter(&q, "unit", FOP_NULL, NULL);
	query_filter(&q, "room", FOP_EQ, p->room);
	q.limit = 1;
	*id = 0;
	if ((rc = STORE_CALL(im->st, record_list, im->a->community, &entities[ENT_HOUSE], &q, first_id, id,
			     NULL, err)) != JW_OK)
		return rc;
	if (!*id) {
		struct record h;
		struct verr ve;
		verr_init(&ve);
		record_init(&h, &entities[ENT_HOUSE]);
		record_set(&h, HOF_BUILDING_ID, bid);
		if (p->unit >= 0)
			record_set(&h, HOF_UNIT, unit);
		record_set(&h, HOF_ROOM, p->room);
		if (p->addr[0])
			record_set(&h, HOF_ADDRESS, p->addr);
		rc = row_savepoint(im, err);
		if (rc == JW_OK)
			rc = svc_create(im->st, &im->bulk, &h, &ve, id, err);
		record_release(&h);
		if (rc != JW_OK)
			return rc;
		im->res->houses_created++;
		int64_t floor = first_number(p->room) / 100;
		if (floor > b->max_floor)
			b->max_floor = floor;
		if (p->unit > b->max_unit)
			b->max_unit = p->unit;
	}
	im->last_house = *id;
	snprintf(im->last_house_key, sizeof(im->last_house_key), "%s", key);
	return JW_OK;
}

/* The household of a row: by its number, else the one living at the
 * dwelling; made when missing.  *id = 0 when the row names none. */
static int household_for(struct imp *im, char **xv, const char *relation, const char *address,
			 const char *residence_type, int64_t *id, struct jw_error *err)
{
	const char *no = xv[X_HOUSEHOLD_NO];
	struct place p;
	bool placed = row_place(xv, xv[X_HOUSE_ADDRESS] ? xv[X_HOUSE_ADDRESS] : address, &p);
	int rc;
	*id = 0;
	if (!no && !(placed && relation))
		return JW_OK;
	if (no && im->last_hh && strcmp(no, im->last_hh_no) == 0) {
		*id = im->last_hh;
		return JW_OK;
	}
	if (no && utf8_chars(no) > 20)
		return jw_fail(err, JW_EINVAL, "household_no", "户编号“%s”超过20个字", no);
	if (no && (rc = STORE_CALL(im->st, record_find, im->a->community, &entities[ENT_HOUSEHOLD],
				   "household_no", no, id, err)) != JW_OK)
		return rc;
	int64_t house = 0;
	if (!*id && placed) {
		if ((rc = house_for(im, &p, xv[X_GRID], &house, err)) != JW_OK)
			return rc;
		if (!no) {
			struct query q;
			query_init(&q);
			char hid[24];
			snprintf(hid, sizeof(hid), "%lld", (long long)house);
			query_filter(&q, "house_id", FOP_EQ, hid);
			q.sort = "id";
			q.limit = 1;
			if ((rc = STORE_CALL(im->st, record_list, im->a->community, &entities[ENT_HOUSEHOLD], &q,
					     first_id, id, NULL, err)) != JW_OK)
				return rc;
		}
	}
	if (!*id) {
		struct record h;
		struct verr ve;
		verr_init(&ve);
		record_init(&h, &entities[ENT_HOUSEHOLD]);
		if (no)
			record_set(&h, HF_HOUSEHOLD_NO, no);
		if (house)
			record_setf(&h, HF_HOUSE_ID, "%lld", (long long)house);
		if (xv[X_HOUSEHOLD_TYPE])
			record_set(&h, HF_TYPE, xv[X_HOUSEHOLD_TYPE]);
		else if (residence_type)
			record_set(&h, HF_TYPE, strcmp(residence_type, "户籍人口") == 0 ||
					 strcmp(residence_type, "registered") == 0 ? "hukou" : "migrant");
		rc = row_savepoint(im, err);
		if (rc == JW_OK)
			rc = svc_create(im->st, &im->bulk, &h, &ve, id, err);
		if (rc == JW_EINVAL && ve.n && strcmp(ve.item[0].field, "type") == 0 && !xv[X_HOUSEHOLD_TYPE]) {
			/* a residence type the person's own check will refuse */
			record_set(&h, HF_TYPE, NULL);
			verr_init(&ve);
			rc = svc_create(im->st, &im->bulk, &h, &ve, id, err);
		}
		record_release(&h);
		if (rc != JW_OK)
			return rc;
		im->res->households_created++;
	}
	im->last_hh = *id;
	snprintf(im->last_hh_no, sizeof(im->last_hh_no), "%s", no ? no : "");
	if (!no)
		im->last_hh = 0;     /* only numbered households are remembered by number */
	return JW_OK;
}

/* ---- one row ---- */

static bool same_text(const char *x, const char *y)
{
	if (!x || !y)
		return !x && !y;
	return strcmp(x, y) == 0;
}

/* A name as compared: model/textnorm.h's name_key (no spaces, traditional
 * folded to simplified); the name itself when it cannot be folded. */
static void cmp_key(const char *in, char *out, size_t outsz)
{
	if (!in || name_key(in, out, outsz) == (size_t)-1)
		snprintf(out, outsz, "%s", in ? in : "");
}

/* The same name written another way?  Spaces first (cheap); ICU's
 * transform only when the spaced-out names differ. */
static bool same_name(const char *a, const char *b)
{
	char k1[128], k2[128];
	if (!a || !b)
		return !a && !b;
	if (name_normalize(a, k1, sizeof(k1)) != (size_t)-1 && name_normalize(b, k2, sizeof(k2)) != (size_t)-1 &&
	    strcmp(k1, k2) == 0)
		return true;
	cmp_key(a, k1, sizeof(k1));
	cmp_key(b, k2, sizeof(k2));
	return strcmp(k1, k2) == 0;
}

#define ROW_BITS 40
static void note_row_of(struct imp *im, int64_t pid, int64_t row)
{
	if (pid <= 0 || pid > INT32_MAX)
		return;
	im->row_of = grow(im->row_of, &im->caprow_of, pid + 1, sizeof(*im->row_of));
	while (im->nrow_of <= pid)
		im->row_of[im->nrow_of++] = 0;
	if (!im->row_of[pid])
		im->row_of[pid] = (row & ((INT64_C(1) << ROW_BITS) - 1)) | ((int64_t)im->cur << ROW_BITS);
}

/* The row (and *sheet) that first named person pid in this import; 0 if none. */
static int64_t row_of(struct imp *im, int64_t pid, int *sheet)
{
	int64_t v = pid > 0 && pid < im->nrow_of ? im->row_of[pid] : 0;
	*sheet = (int)(v >> ROW_BITS);
	return v & ((INT64_C(1) << ROW_BITS) - 1);
}

/* Updates a stored person with a row: only what differs, only what the
 * row gives; fill_only keeps every stored value (a merge). */
static int update_person(struct imp *im, int64_t row, int64_t pid, struct record *in, bool fill_only,
			 bool keep_name, bool *changed, struct verr *ve, struct jw_error *err)
{
	struct record old, norm, upd;
	int rc;
	*changed = false;
	record_init(&old, &entities[ENT_PERSON]);
	if ((rc = STORE_CALL(im->st, record_get, im->a->community, &entities[ENT_PERSON], pid, &old, err)) != JW_OK) {
		record_release(&old);
		return rc;
	}
	record_copy(&norm, in);
	record_normalize_validate(&norm, false, ve);
	if (ve->n) {
		record_release(&old);
		record_release(&norm);
		return JW_EINVAL;
	}
	record_init(&upd, &entities[ENT_PERSON]);
	for (int i = 0; i < PF__COUNT; i++) {
		const struct field_def *f = &entities[ENT_PERSON].fields[i];
		if (!in->given[i] || (f->flags & FF_READONLY) || !norm.v[i])
			continue;
		const char *nv = norm.v[i], *sv = old.v[i];
		char ph[32];
		if (f->sens == SENS_PHONE && phone_normalize(nv, ph, sizeof(ph)) != (size_t)-1)
			nv = ph;
		if (f->sens == SENS_ID)
			continue;   /* the key itself */
		if (i == PF_NAME && keep_name)
			continue;   /* the same name written another way: the stored one stays */
		if (fill_only && sv)
			continue;
		if (!same_text(nv, sv)) {
			record_set(&upd, i, in->v[i]);
			*changed = true;
		}
	}
	if (*changed)
		rc = svc_update(im->st, &im->bulk, pid, &upd, ve, err);
	record_release(&old);
	record_release(&norm);
	record_release(&upd);
	(void)row;
	return rc;
}

/* Cache state at a row's start, restored when the row is undone. */
struct snap {
	int64_t nbc, last_house, last_hh, default_grid;
	int64_t hh, houses, buildings, grids;
};

static void snap_take(struct imp *im, struct snap *s)
{
	*s = (struct snap){ im->nbc, im->last_house, im->last_hh, im->default_grid,
			    im->res->households_created, im->res->houses_created,
			    im->res->buildings_created, im->res->grids_created };
}

static void snap_restore(struct imp *im, const struct snap *s)
{
	im->nbc = s->nbc;
	im->last_house = s->last_house;
	im->last_hh = s->last_hh;
	im->default_grid = s->default_grid;
	im->res->households_created = s->hh;
	im->res->houses_created = s->houses;
	im->res->buildings_created = s->buildings;
	im->res->grids_created = s->grids;
}

static bool fatal(int rc)
{
	return rc == JW_ESTORE || rc == JW_ENOMEM || rc == JW_EIO || rc == JW_EBUSY;
}

/* The value of a cell for its target: dates normalised, numbers checked. */
static const char *cell_value(const struct cell *c, int target, char *tmp, size_t tmpsz, bool *sci)
{
	const char *t = c->text;
	if (c->kind == CELL_EMPTY || !t || !*t)
		return NULL;
	if (target == PF_ID_NUMBER) {
		if (c->kind == CELL_NUMBER && (strchr(t, 'e') || strchr(t, 'E') || strlen(t) > 15))
			*sci = true;
		else if (import_sci_notation(t))
			*sci = true;
		/* lower-case x → X; full-width folded by the validation */
		snprintf(tmp, tmpsz, "%s", t);
		for (char *p = tmp; *p; p++)
			if (*p == 'x')
				*p = 'X';
		return tmp;
	}
	if (target == PF_BIRTH_DATE)
		return t;   /* 出生年月: read with the ID number, in do_row */
	if (target >= 0 && target < T_EXTRA && entities[ENT_PERSON].fields[target].type == FT_DATE) {
		char d[11];
		if (import_date_text(t, d)) {
			snprintf(tmp, tmpsz, "%s", d);
			return tmp;
		}
	}
	return t;
}

/* A row of the data that is the sheet's header again (sheets pasted one
 * under another): at least two cells name fields, one of them in the name
 * or the number column. */
/* Cheap first look, for every row: is the cell in the name or the number
 * column one of those fields' header names (姓名, 名字, 身份证号 …)? */
static bool looks_like_header(struct imp *im, const struct sheet_row *row)
{
	for (int c = 0; c < row->n && c < im->ncols; c++) {
		int t = im->target[c];
		const char *v = row->cells[c].text;
		if ((t != PF_NAME && t != PF_ID_NUMBER) || !v || !*v || strlen(v) > 48 ||
		    strpbrk(v, "0123456789"))
			continue;
		char key[128];
		header_key(v, key, sizeof(key));
		const struct field_def *f = &entities[ENT_PERSON].fields[t];
		if (key[0] && synonym_rank(f->synonyms, f->label, key) >= 0)
			return true;
	}
	return false;
}

static bool repeated_header(struct imp *im, const struct sheet_row *row)
{
	int score = 0;
	bool key = false;
	if (!looks_like_header(im, row))
		return false;
	for (int c = 0; c < row->n && c < im->ncols; c++) {
		int r, t = header_target(row->cells[c].text, &r);
		if (t == T_NONE)
			continue;
		score++;
		if ((im->target[c] == PF_NAME && t == PF_NAME) || (im->target[c] == PF_ID_NUMBER && t == PF_ID_NUMBER))
			key = true;
	}
	return score >= 2 && key;
}

/* A cell that could be a document number: six digits or more ("4人",
 * "审核人：…" are not). */
static bool number_like(const char *v)
{
	char t[128];
	int digits = 0;
	if (!v || text_normalize(v, t, sizeof(t)) == (size_t)-1)
		return false;
	for (const char *p = t; *p; p++)
		digits += isdigit((unsigned char)*p) != 0;
	return digits >= 6;
}

/* A title or footer row inside the sheet (合计, 制表人, 填表日期, 注：…, or
 * a lone title like 第二网格居民花名册): no person, so not a rejected row.
 * Only asked of rows without anything like a document number. */
static bool noise_row(const struct sheet_row *row)
{
	static const char *lead[] = { "合计", "总计", "小计", "共计", "制表", "填表", "审核", "审批", "负责人",
				      "联系人", "联系电话：", "注：", "注:", "说明", "备注：", "备注:", "日期", "统计" };
	static const char *titles[] = { "花名册", "名册", "登记表", "统计表", "一览表", "明细表", "信息表", "汇总" };
	int cells = 0;
	const char *only = NULL;
	for (int c = 0; c < row->n; c++) {
		char t[256];
		const char *v = row->cells[c].text;
		if (!v || !*v || text_normalize(v, t, sizeof(t)) == (size_t)-1 || !t[0])
			continue;
		cells++;
		only = v;
		for (size_t k = 0; k < sizeof(lead) / sizeof(lead[0]); k++)
			if (strncmp(t, lead[k], strlen(lead[k])) == 0)
				return true;
	}
	if (cells == 1)
		for (size_t k = 0; k < sizeof(titles) / sizeof(titles[0]); k++)
			if (strstr(only, titles[k]))
				return true;
	return false;
}

/* ---- households by address (no 户号) ---- */

static int64_t *ak_slot(struct imp *im, const char *key, bool *found)
{
	*found = false;
	if (!im->nak)
		return NULL;
	for (uint64_t i = key_hash(key) & (uint64_t)(im->nak - 1);; i = (i + 1) & (uint64_t)(im->nak - 1)) {
		if (!im->ak[i].hh)
			return &im->ak[i].hh;
		if (strcmp(im->ak[i].key, key) == 0) {
			*found = true;
			return &im->ak[i].hh;
		}
	}
}

static int64_t ak_get(struct imp *im, const char *key)
{
	bool found;
	int64_t *v = ak_slot(im, key, &found);
	return found ? *v : 0;
}

/* Remembers the first household met at key (only rows already stored). */
static void ak_put(struct imp *im, const char *key, int64_t hh)
{
	if (im->nak_used + 1 > im->nak / 2) {
		struct akent *old = im->ak;
		int64_t n = im->nak;
		im->nak = n ? n * 2 : 256;
		im->ak = xcalloc((size_t)im->nak, sizeof(*im->ak));
		im->nak_used = 0;
		for (int64_t i = 0; i < n; i++)
			if (old[i].hh)
				ak_put(im, old[i].key, old[i].hh);
		free(old);
	}
	bool found;
	int64_t *v = ak_slot(im, key, &found);
	if (found)
		return;
	struct akent *e = (struct akent *)((char *)v - offsetof(struct akent, hh));
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->hh = hh;
	im->nak_used++;
}

/* A relation's code is the head's (户主, 本人). */
static bool head_relation(const char *code)
{
	return code && (strcmp(code, "02") == 0 || strcmp(code, "01") == 0);
}

/* A household for a head whose address names no dwelling: made, with no
 * house. */
static int household_new(struct imp *im, char **xv, const char *residence_type, int64_t *id, struct jw_error *err)
{
	struct record h;
	struct verr ve;
	int rc;
	verr_init(&ve);
	record_init(&h, &entities[ENT_HOUSEHOLD]);
	if (xv[X_HOUSEHOLD_TYPE])
		record_set(&h, HF_TYPE, xv[X_HOUSEHOLD_TYPE]);
	else if (residence_type)
		record_set(&h, HF_TYPE, strcmp(residence_type, "户籍人口") == 0 ||
				 strcmp(residence_type, "registered") == 0 ? "hukou" : "migrant");
	rc = row_savepoint(im, err);
	if (rc == JW_OK)
		rc = svc_create(im->st, &im->bulk, &h, &ve, id, err);
	if (rc == JW_EINVAL && ve.n && strcmp(ve.item[0].field, "type") == 0) {
		record_set(&h, HF_TYPE, NULL);
		verr_init(&ve);
		rc = svc_create(im->st, &im->bulk, &h, &ve, id, err);
	}
	record_release(&h);
	if (rc == JW_OK)
		im->res->households_created++;
	return rc;
}

/* Members stored before their head (same address): into its household. */
static int pend_resolve(struct imp *im, const char *key, int64_t hh, struct jw_error *err)
{
	for (int64_t i = 0; i < im->npend; i++) {
		struct pend *p = &im->pend[i];
		if (p->done || strcmp(p->key, key) != 0)
			continue;
		p->done = true;
		struct record u;
		struct verr ve;
		struct jw_error e2;
		verr_init(&ve);
		jw_error_clear(&e2);
		record_init(&u, &entities[ENT_PERSON]);
		record_setf(&u, PF_HOUSEHOLD_ID, "%lld", (long long)hh);
		record_set(&u, PF_RELATION, p->rel);
		int rc = svc_update(im->st, &im->bulk, p->pid, &u, &ve, &e2);
		record_release(&u);
		if (fatal(rc)) {
			*err = e2;
			return rc;
		}
		if (rc != JW_OK)
			warn(im, p->sheet, p->row, "relation", p->name, "未能编入同一地址户主的户：%s",
			     ve.n ? ve.item[0].message : e2.message);
	}
	return JW_OK;
}

static int do_row(struct imp *im, const struct sheet_row *row, struct jw_error *err)
{
	const struct kind *pe = &entities[ENT_PERSON];
	struct import_result *res = im->res;
	struct import_sheet *sheet = &res->sheets[im->cur];
	char *pv[PF__COUNT] = { 0 }, *xv[X__COUNT] = { 0 };
	int prank[PF__COUNT];
	bool sci = false, any = false, birth_num = false;
	char tmp[256];
	int rc = JW_OK;

	for (int c = 0; c < row->n && c < im->ncols; c++) {
		int t = im->target[c];
		const char *v = cell_value(&row->cells[c], t, tmp, sizeof(tmp), &sci);
		if (!v) {
			continue;
		}
		if (t == T_NONE) {
			im->has_data[c] = true;
			continue;
		}
		any = true;
		if (t >= T_EXTRA) {
			if (!xv[t - T_EXTRA])
				xv[t - T_EXTRA] = xstrdup(v);
		} else if (!pv[t] || im->rank[c] < prank[t]) {
			free(pv[t]);
			pv[t] = xstrdup(v);
			prank[t] = im->rank[c];
			if (t == PF_BIRTH_DATE)
				birth_num = row->cells[c].kind == CELL_NUMBER;
		}
	}
	if (!any) {
		/* a blank row, or a 合计 / title in a column that is no field */
		if (row->n && noise_row(row))
			res->footers++;
		goto out;
	}
	if (repeated_header(im, row)) {
		res->repeated_headers++;
		goto out;
	}
	if (!number_like(pv[PF_ID_NUMBER]) && noise_row(row)) {
		res->footers++;
		goto out;
	}
	res->rows++;

	if (im->npreview_sheet < im->o->preview_rows && sheet->cols) {
		char **pr = xcalloc((size_t)im->ncols, sizeof(char *));
		for (int c = 0; c < im->ncols && c < row->n; c++) {
			const char *t = row->cells[c].text;
			if (!t || !*t)
				continue;
			int tg = im->target[c];
			char m[64];
			if (tg >= 0 && tg < T_EXTRA && pe->fields[tg].sens != SENS_NONE) {
				char ph[32];
				if (pe->fields[tg].sens == SENS_PHONE && phone_normalize(t, ph, sizeof(ph)) != (size_t)-1)
					t = ph;
				t = field_display(&pe->fields[tg], t, false, m, sizeof(m));
			}
			pr[c] = xstrdup(t);
		}
		res->preview = realloc(res->preview, (size_t)(res->npreview + 1) * sizeof(char **));
		res->preview_row = realloc(res->preview_row, (size_t)(res->npreview + 1) * sizeof(int64_t));
		res->preview_sheet = realloc(res->preview_sheet, (size_t)(res->npreview + 1) * sizeof(int));
		if (!res->preview || !res->preview_row || !res->preview_sheet)
			abort();
		res->preview_row[res->npreview] = row->rownum;
		res->preview_sheet[res->npreview] = im->cur;
		res->preview[res->npreview++] = pr;
		im->npreview_sheet++;
	}

	/* the name as stored: no spaces in a Chinese name (张 三 → 张三) */
	char typed[128] = "";
	if (pv[PF_NAME]) {
		char nm[256];
		if (text_normalize(pv[PF_NAME], typed, sizeof(typed)) == (size_t)-1)
			typed[0] = 0;
		if (name_normalize(pv[PF_NAME], nm, sizeof(nm)) != (size_t)-1) {
			free(pv[PF_NAME]);
			pv[PF_NAME] = nm[0] ? xstrdup(nm) : NULL;
		}
	}
	/* a sheet named 流动人口 says what its rows are */
	if (!pv[PF_RESIDENCE_TYPE] && sheet->residence_default[0])
		pv[PF_RESIDENCE_TYPE] = xstrdup(sheet->residence_default);

	const char *name = pv[PF_NAME], *idn = pv[PF_ID_NUMBER];
	if (sci) {
		reject(im, row->rownum, "id_number", name, NULL,
		       "公民身份号码“%s”在Excel中被存成了数字（科学计数法），后几位已经丢失，无法恢复：请把该列设为“文本”格式，重新录入完整号码后再导入",
		       idn);
		goto out;
	}

	/* the number as stored: normalised by the document's rules; with no
	 * 证件类型 the number may name its type (81/82/83…, 9…) */
	int64_t pid = 0;
	char num[40] = "";
	bool id_dated = false;
	struct idnum_info info;
	const char *doc = "id_card";
	if (pv[PF_DOC_TYPE])
		doc = code_lookup(&code_tables[CT_DOC_TYPE], pv[PF_DOC_TYPE]);
	/* as the registry: no type, or 居民身份证 with a number only another
	 * document has */
	if ((!pv[PF_DOC_TYPE] || (doc && strcmp(doc, "id_card") == 0)) && idn && idnum_doc_type_of(idn))
		doc = idnum_doc_type_of(idn);
	if (idn) {
		bool derived = false;
		struct jw_error e2;
		char norm[64];
		if (text_normalize(idn, norm, sizeof(norm)) != (size_t)-1 && doc &&
		    doc_check(doc, norm, "id_number", num, sizeof(num), &info, &derived, &e2) == JW_OK) {
			id_dated = derived;
			if ((rc = STORE_CALL(im->st, record_find, im->a->community, pe, "id_number", num, &pid, err)) != JW_OK)
				goto out;
		}
	}

	/* 出生年月: the ID number is the authority */
	if (pv[PF_BIRTH_DATE]) {
		struct birth_spec b;
		char raw[64];
		snprintf(raw, sizeof(raw), "%s", pv[PF_BIRTH_DATE]);
		import_birth_parse(raw, birth_num, &b);
		bool dating_doc = doc && (strcmp(doc, "id_card") == 0 || strcmp(doc, "residence_permit") == 0 ||
					  strcmp(doc, "foreign_permanent") == 0);
		if (b.prec == 3) {
			/* a full date: stored; one contradicting the ID is refused by the service */
			char d[11];
			snprintf(d, sizeof(d), "%04d-%02d-%02d", b.year, b.month, b.day);
			free(pv[PF_BIRTH_DATE]);
			pv[PF_BIRTH_DATE] = xstrdup(d);
		} else if (id_dated) {
			free(pv[PF_BIRTH_DATE]);
			pv[PF_BIRTH_DATE] = NULL;
			if (!import_birth_fits(&b, info.year, info.month, info.day))
				warn(im, im->cur, row->rownum, "birth_date", name,
				     "出生年月“%s”%s，已按证件号码中的出生日期%04d-%02d-%02d登记", raw,
				     b.prec ? "与证件号码不符" : "无法识别", info.year, info.month, info.day);
		} else if (dating_doc && b.prec) {
			/* the number is wrong: its own error says so, not the 出生年月 */
			free(pv[PF_BIRTH_DATE]);
			pv[PF_BIRTH_DATE] = NULL;
		}
	}

	struct snap sn;
	snap_take(im, &sn);
	im->row_sp = false;
	struct verr ve;
	struct jw_error e3;
	verr_init(&ve);
	jw_error_clear(&e3);
	int64_t hh = 0;
	rc = household_for(im, xv, pv[PF_RELATION], pv[PF_CURRENT_ADDRESS], pv[PF_RESIDENCE_TYPE], &hh, &e3);

	/* no 户号: a head's household is found by its (normalised) 现居住地址 */
	const char *rel = pv[PF_RELATION] ? code_lookup(&code_tables[CT_RELATION], pv[PF_RELATION]) : NULL;
	char akey[200] = "";
	const char *addr = pv[PF_CURRENT_ADDRESS] ? pv[PF_CURRENT_ADDRESS] : xv[X_HOUSE_ADDRESS];
	if (rel && !xv[X_HOUSEHOLD_NO] && addr && address_key(addr, akey, sizeof(akey)) == (size_t)-1)
		akey[0] = 0;   /* only rows that look for their household by address need it */
	bool pending = false;
	if (rc == JW_OK && !hh && pid && !xv[X_HOUSEHOLD_NO]) {
		/* a person stored before keeps the household they are in */
		struct record cur;
		record_init(&cur, pe);
		rc = STORE_CALL(im->st, record_get, im->a->community, pe, pid, &cur, &e3);
		if (rc == JW_OK && !record_int(&cur, PF_HOUSEHOLD_ID, &hh))
			hh = 0;
		record_release(&cur);
	}
	if (rc == JW_OK && !hh && rel && !xv[X_HOUSEHOLD_NO]) {
		if (akey[0])
			hh = ak_get(im, akey);
		if (!hh && akey[0] && head_relation(rel))
			rc = household_new(im, xv, pv[PF_RESIDENCE_TYPE], &hh, &e3);
		else if (!hh)
			pending = true;   /* stored without a household (see below) */
	}

	struct record in;
	record_init(&in, pe);
	for (int i = 0; i < PF__COUNT; i++)
		if (pv[i])
			record_set(&in, i, pv[i]);
	if (hh)
		record_setf(&in, PF_HOUSEHOLD_ID, "%lld", (long long)hh);
	else if (pv[PF_RELATION] && rel)
		record_set(&in, PF_RELATION, NULL);   /* no household to relate to */

	bool counted = false;
	if (rc == JW_OK && pid) {
		struct record old;
		record_init(&old, pe);
		rc = STORE_CALL(im->st, record_get, im->a->community, pe, pid, &old, &e3);
		const char *oldname = rc == JW_OK ? record_get(&old, PF_NAME) : NULL;
		int fsheet;
		int64_t first = row_of(im, pid, &fsheet);
		char where[192] = "";
		if (first && fsheet != im->cur)
			snprintf(where, sizeof(where), "工作表“%s”", res->sheets[fsheet].name);
		if (rc != JW_OK) {
			/* e3 says */
		} else if (strcmp(record_get(&old, PF_STATUS), "active") != 0) {
			reject(im, row->rownum, "id_number", name, num,
			       "证件号码为该号码的居民已注销，不能导入；如需恢复，请在居民页面核对");
			counted = true;
			rc = JW_ECONFLICT;
		} else if (name && !same_name(oldname, name)) {
			if (first)
				reject(im, row->rownum, "name", name, num,
				       "与%s第%lld行的证件号码相同，但姓名不同（“%s”与“%s”），请核对后重新导入该行",
				       where, (long long)first, oldname, name);
			else
				reject(im, row->rownum, "name", name, num,
				       "该证件号码已登记为“%s”，与本行姓名“%s”不同，未作修改，请核对",
				       oldname, name);
			counted = true;
			rc = JW_ECONFLICT;
		} else {
			bool changed;
			/* the same name written another way (spaces, 繁/简): the stored one stays */
			bool other = name && oldname && strcmp(typed[0] ? typed : name, oldname) != 0;
			rc = update_person(im, row->rownum, pid, &in, first != 0, true, &changed, &ve, &e3);
			if (rc == JW_OK) {
				if (first) {
					res->merged++;
					if (res->nmerges < MAX_REJECTS) {
						res->merges = grow(res->merges, &res->capmerges, res->nmerges + 1,
								   sizeof(*res->merges));
						struct import_merge *m = &res->merges[res->nmerges++];
						memset(m, 0, sizeof(*m));
						m->sheet = im->cur;
						m->into_sheet = fsheet;
						m->row = row->rownum;
						m->into = first;
						snprintf(m->name, sizeof(m->name), "%s", name ? name : "");
						sens_display(SENS_ID, num, false, m->id_masked, sizeof(m->id_masked));
						if (other)
							snprintf(m->note, sizeof(m->note),
								 "姓名写法不同（“%s”与已登记的“%s”，空格或繁简之别），按同一人合并",
								 typed[0] ? typed : name, oldname);
					}
				} else {
					if (changed)
						res->updated++;
					else
						res->unchanged++;
					if (other && strcmp(name, oldname) != 0)
						warn(im, im->cur, row->rownum, "name", name,
						     "姓名“%s”与已登记的“%s”只是写法不同（空格或繁简），按同一人处理，姓名未改",
						     typed[0] ? typed : name, oldname);
				}
				note_row_of(im, pid, row->rownum);
			}
		}
		record_release(&old);
	} else if (rc == JW_OK) {
		rc = svc_create(im->st, &im->bulk, &in, &ve, &pid, &e3);
		if (rc == JW_OK) {
			res->imported++;
			note_row_of(im, pid, row->rownum);
		}
	}
	record_release(&in);

	if (rc == JW_OK) {
		if (im->row_sp && (rc = store_commit(im->st)) != JW_OK) {
			rc = jw_fail(err, rc, "", NULL);
			goto out;
		}
		if (hh && akey[0] && !xv[X_HOUSEHOLD_NO]) {
			ak_put(im, akey, hh);
			if (head_relation(rel) && im->npend && (rc = pend_resolve(im, akey, hh, err)) != JW_OK)
				goto out;
		}
		if (pending && akey[0]) {
			im->pend = grow(im->pend, &im->cappend, im->npend + 1, sizeof(*im->pend));
			struct pend *p = &im->pend[im->npend++];
			memset(p, 0, sizeof(*p));
			snprintf(p->key, sizeof(p->key), "%s", akey);
			snprintf(p->rel, sizeof(p->rel), "%s", rel);
			snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
			p->pid = pid;
			p->row = row->rownum;
			p->sheet = im->cur;
		} else if (pending) {
			warn(im, im->cur, row->rownum, "relation", name,
			     "填写了与户主关系“%s”，但没有户号，也没有现居住地址可找到户主：已登记，未编入户，请在居民页面指定所在户",
			     pv[PF_RELATION]);
		}
		goto out;
	}
	if (im->row_sp)
		store_rollback(im->st);
	snap_restore(im, &sn);
	if (fatal(rc)) {
		*err = e3;
		goto out;
	}
	if (!counted) {
		/* 18 digits ending in 000: Excel kept 15 significant digits */
		const char *hint = NULL;
		if (idn && verr_for(&ve, "id_number") && strlen(idn) == 18 && strspn(idn, "0123456789") == 18 &&
		    strcmp(idn + 15, "000") == 0)
			hint = "（号码末三位是000，可能是Excel把号码当成数字后丢失了末几位：请把该列设为“文本”格式后重新录入）";
		reject_verr(im, row->rownum, &ve, &e3, name, num[0] ? num : idn, hint);
	}
	rc = JW_OK;
out:
	for (int i = 0; i < PF__COUNT; i++)
		free(pv[i]);
	for (int i = 0; i < X__COUNT; i++)
		free(xv[i]);
	return rc;
}

/* ---- the file ---- */

/* The sheet --sheet names (by name or 1-based number), or an error that
 * lists the sheets there are. */
static int want_sheet(struct sheet *sh, const char *want, int *index, struct jw_error *err)
{
	int n = sheet_count(sh), pick = -1;
	int64_t k;
	for (int i = 0; i < n && pick < 0; i++)
		if (strcmp(sheet_name(sh, i), want) == 0)
			pick = i;
	if (pick < 0 && parse_i64(want, 1, n, &k))
		pick = (int)k - 1;
	if (pick < 0) {
		char names[512] = "";
		size_t o = 0;
		for (int i = 0; i < n && o + 8 < sizeof(names); i++) {
			int w = snprintf(names + o, sizeof(names) - o, "%s“%s”", i ? "、" : "", sheet_name(sh, i));
			if (w < 0 || (size_t)w >= sizeof(names) - o)
				break;
			o += (size_t)w;
		}
		return jw_fail(err, JW_EBADREQ, "sheet", "工作簿中没有名为“%s”的工作表；可选：%s", want, names);
	}
	*index = pick;
	return JW_OK;
}

/* The 人口类型 a sheet's name gives its rows (流动人口 → migrant), or "". */
static void sheet_residence(const char *name, char *out, size_t outsz)
{
	static const struct {
		const char *word, *code;
	} w[] = { { "流动", "migrant" }, { "外来", "migrant" }, { "境外", "foreign" }, { "外籍", "foreign" },
		  { "户籍", "registered" } };
	out[0] = 0;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strstr(name, w[i].word)) {
			snprintf(out, outsz, "%s", w[i].code);
			return;
		}
}

/* Finds sheet i's header among its first rows and maps its columns.  A
 * sheet with none is SKIPPED, one without a column every row needs is
 * FAILED (*why says so, as an error); JW_OK unless the file is broken. */
static int find_header(struct imp *im, int i, struct jw_error *why, struct jw_error *err)
{
	struct import_sheet *s = &im->res->sheets[i];
	struct sheet_row row;
	int rc;
	jw_error_clear(why);
	snprintf(s->name, sizeof(s->name), "%s", sheet_name(im->sh, i) ? sheet_name(im->sh, i) : "");
	sheet_residence(s->name, s->residence_default, sizeof(s->residence_default));
	if ((rc = sheet_select(im->sh, i, err)) != JW_OK)
		return rc;
	for (int k = 0; k < HEADER_SCAN; k++) {
		rc = sheet_next(im->sh, &row, err);
		if (rc < 0)
			return err->code ? err->code : JW_EBADREQ;
		if (rc == 0)
			break;
		int score = 0;
		bool seen[T_EXTRA + X__COUNT];
		memset(seen, 0, sizeof(seen));
		for (int c = 0; c < row.n; c++) {
			int r, t = header_target(row.cells[c].text, &r);
			if (t != T_NONE && !seen[t]) {
				seen[t] = true;
				score++;
			}
		}
		if (score < 2)
			continue;
		/* this is the header */
		int *target = xcalloc((size_t)row.n, sizeof(int)), *rank = xcalloc((size_t)row.n, sizeof(int));
		im->targets[i] = target;
		im->ranks[i] = rank;
		im->has_datas[i] = xcalloc((size_t)row.n, sizeof(bool));
		s->header_row = row.rownum;
		s->ncols = row.n;
		s->cols = xcalloc((size_t)row.n, sizeof(struct import_col));
		for (int c = 0; c < row.n; c++) {
			int r = 0, t = header_target(row.cells[c].text, &r);
			target[c] = t;
			rank[c] = r;
			snprintf(s->cols[c].header, sizeof(s->cols[c].header), "%s", row.cells[c].text);
		}
		/* one column a field, the best-named one; only the document
		 * number may come from several (公民身份号码, 其他证件号码) */
		for (int c = 0; c < row.n; c++) {
			int t = target[c];
			if (t == T_NONE || t == PF_ID_NUMBER)
				continue;
			for (int d = 0; d < row.n; d++)
				if (d != c && target[d] == t &&
				    (rank[d] < rank[c] || (rank[d] == rank[c] && d < c))) {
					target[c] = T_NONE;
					break;
				}
		}
		for (int c = 0; c < row.n; c++) {
			int t = target[c];
			if (t == T_NONE)
				continue;
			snprintf(s->cols[c].target, sizeof(s->cols[c].target), "%s", target_key(t));
			snprintf(s->cols[c].label, sizeof(s->cols[c].label), "%s", target_label(t));
		}
		/* the columns without which no row can be stored (a sheet named
		 * 流动人口 says the 人口类型 of its rows) */
		const int must[] = { PF_NAME, PF_ID_NUMBER, PF_RESIDENCE_TYPE };
		for (size_t m = 0; m < sizeof(must) / sizeof(must[0]); m++) {
			bool have = must[m] == PF_RESIDENCE_TYPE && s->residence_default[0];
			for (int c = 0; c < row.n; c++)
				have = have || target[c] == must[m];
			if (!have) {
				const struct field_def *f = &entities[ENT_PERSON].fields[must[m]];
				char syn[256];
				snprintf(syn, sizeof(syn), "%s", f->synonyms);
				for (char *p = syn; (p = strchr(p, '|'));)
					*p = '/';
				/* without a name or a number it is another table (楼栋,
				 * 志愿者…): skipped; without 人口类型 a roster that fails */
				s->status = must[m] == PF_RESIDENCE_TYPE ? ISHEET_FAILED : ISHEET_SKIPPED;
				jw_fail(why, JW_EBADREQ, f->name,
					"%s%s%s第%lld行是表头，但没有“%s”列（可用的列名：%s）。请在表中加上这一列后再导入",
					s->name[0] ? "工作表“" : "", s->name, s->name[0] ? "”" : "",
					(long long)row.rownum, f->label, syn);
				if (s->status == ISHEET_FAILED)
					strlcpy_jw(s->reason, why->message, sizeof(s->reason));
				else
					snprintf(s->reason, sizeof(s->reason),
						 "表头（第%lld行）没有“%s”列，不是居民名单，已跳过", (long long)row.rownum,
						 f->label);
				return JW_OK;
			}
		}
		s->status = ISHEET_IMPORTED;
		return JW_OK;
	}
	s->status = ISHEET_SKIPPED;
	jw_fail(why, JW_EBADREQ, "file",
		"在前%d行中没有找到表头：表头行应至少有两个可识别的列名，如“姓名”“公民身份号码”“人口类型”。请检查文件或工作表",
		HEADER_SCAN);
	snprintf(s->reason, sizeof(s->reason), "前%d行中没有可识别的表头（如“姓名”“公民身份号码”），不是居民名单，已跳过",
		 HEADER_SCAN);
	return JW_OK;
}

static void add_unknown(struct import_result *r, const char *s)
{
	for (int i = 0; i < r->nunknown; i++)
		if (strcmp(r->unknown[i], s) == 0)
			return;
	r->unknown = realloc(r->unknown, (size_t)(r->nunknown + 1) * sizeof(char *));
	if (!r->unknown)
		abort();
	r->unknown[r->nunknown++] = xstrdup(s);
}

static void summary_json(struct buf *b, const char *file, const struct import_result *r)
{
	buf_adds(b, "{\"file\":");
	buf_json_str(b, file);
	buf_addf(b, ",\"rows\":%lld,\"imported\":%lld,\"updated\":%lld,\"unchanged\":%lld,"
		 "\"merged\":%lld,\"rejected\":%lld,\"households_created\":%lld,\"houses_created\":%lld,\"sheets\":[",
		 (long long)r->rows, (long long)r->imported, (long long)r->updated, (long long)r->unchanged,
		 (long long)r->merged, (long long)r->rejected, (long long)r->households_created,
		 (long long)r->houses_created);
	for (int i = 0, n = 0; i < r->nsheets; i++) {
		if (r->sheets[i].status != ISHEET_IMPORTED)
			continue;
		buf_adds(b, n++ ? "," : "");
		buf_json_str(b, r->sheets[i].name);
	}
	buf_adds(b, "]}");
}

/* Totals as they are now, to count a sheet by difference. */
struct counts {
	int64_t rows, imported, updated, unchanged, merged, rejected, repeated, footers;
};

static void counts_take(const struct import_result *r, struct counts *c)
{
	*c = (struct counts){ r->rows, r->imported, r->updated, r->unchanged, r->merged, r->rejected,
			      r->repeated_headers, r->footers };
}

static void counts_to_sheet(const struct import_result *r, const struct counts *c, struct import_sheet *s)
{
	s->rows = r->rows - c->rows;
	s->imported = r->imported - c->imported;
	s->updated = r->updated - c->updated;
	s->unchanged = r->unchanged - c->unchanged;
	s->merged = r->merged - c->merged;
	s->rejected = r->rejected - c->rejected;
	s->repeated_headers = r->repeated_headers - c->repeated;
	s->footers = r->footers - c->footers;
}

int svc_import_persons(struct store *st, const struct actor *a, const char *path,
		       const struct import_opts *o, struct import_result *res, struct jw_error *err)
{
	struct imp im;
	int rc;
	memset(res, 0, sizeof(*res));
	memset(&im, 0, sizeof(im));
	res->dry_run = o->dry_run;
	if (a->role == ROLE_GRID_WORKER || !svc_can(a, &entities[ENT_PERSON], P_WRITE))
		return jw_fail(err, JW_EPERM, "", "您的角色（%s）不能批量导入居民，请联系社区工作人员", role_label(a->role));
	im.st = st;
	im.a = a;
	im.bulk = *a;
	im.bulk.bulk = true;
	im.bulk.index_later = true;   /* svc_bulk_finish() below, before the commit */
	im.o = o;
	im.res = res;
	if (!(im.sh = sheet_open(path, err)))
		return err->code ? err->code : JW_EBADREQ;
	if (sheet_encoding(im.sh))
		snprintf(res->encoding, sizeof(res->encoding), "%s", sheet_encoding(im.sh));

	/* every sheet with a roster header, or only the one asked for */
	int n = sheet_count(im.sh), only = -1, nread = 0, first = -1;
	if (n < 1)
		n = 1;
	if (o->sheet && *o->sheet && (rc = want_sheet(im.sh, o->sheet, &only, err)) != JW_OK)
		goto done;
	res->sheets = xcalloc((size_t)n, sizeof(*res->sheets));
	res->nsheets = n;
	im.targets = xcalloc((size_t)n, sizeof(int *));
	im.ranks = xcalloc((size_t)n, sizeof(int *));
	im.has_datas = xcalloc((size_t)n, sizeof(bool *));
	struct jw_error why, first_why;
	int why_rank = 0;   /* 3 a failed sheet, 2 a header without a column, 1 no header */
	jw_error_clear(&first_why);
	for (int i = 0; i < n; i++) {
		if (only >= 0 && i != only) {
			res->sheets[i].status = ISHEET_SKIPPED;
			snprintf(res->sheets[i].name, sizeof(res->sheets[i].name), "%s", sheet_name(im.sh, i));
			snprintf(res->sheets[i].reason, sizeof(res->sheets[i].reason), "未选择（--sheet）");
			continue;
		}
		if ((rc = find_header(&im, i, &why, err)) != JW_OK)
			goto done;
		if (res->sheets[i].status == ISHEET_IMPORTED) {
			nread++;
			if (first < 0)
				first = i;
		} else {
			int k = res->sheets[i].status == ISHEET_FAILED ? 3 : strcmp(why.field, "file") != 0 ? 2 : 1;
			if (k > why_rank) {
				first_why = why;   /* the error to give when no sheet can be read */
				why_rank = k;
			}
		}
	}
	if (first < 0) {
		*err = first_why;
		rc = err->code ? err->code : JW_EBADREQ;
		goto done;
	}
	snprintf(res->sheet, sizeof(res->sheet), "%s", res->sheets[first].name);
	res->header_row = res->sheets[first].header_row;
	res->cols = res->sheets[first].cols;
	res->ncols = res->sheets[first].ncols;

	struct query q;
	query_init(&q);
	q.limit = 1;
	if ((rc = STORE_CALL(st, record_list, a->community, &entities[ENT_PERSON], &q, first_id, &im.base_id,
			     NULL, err)) != JW_OK)
		goto done;
	if ((rc = store_begin(st)) != JW_OK) {
		rc = jw_fail(err, rc, "", NULL);
		goto done;
	}
	store_bulk(st, true);
	int64_t nr = 0;
	int done_sheets = 0;
	for (int i = 0; rc == JW_OK && i < n; i++) {
		struct import_sheet *s = &res->sheets[i];
		if (s->status != ISHEET_IMPORTED)
			continue;
		im.cur = i;
		im.target = im.targets[i];
		im.rank = im.ranks[i];
		im.has_data = im.has_datas[i];
		im.ncols = s->ncols;
		im.npreview_sheet = 0;
		im.last_house = 0;
		im.last_hh = 0;
		struct counts c0;
		counts_take(res, &c0);
		/* read again from the top: the rows after the header are data */
		if ((rc = sheet_select(im.sh, i, err)) != JW_OK)
			break;
		struct sheet_row row;
		for (;;) {
			int k = sheet_next(im.sh, &row, err);
			if (k < 0) {
				rc = err->code ? err->code : JW_EBADREQ;
				break;
			}
			if (k == 0)
				break;
			if (row.rownum <= s->header_row)
				continue;
			if ((rc = do_row(&im, &row, err)) != JW_OK)
				break;
			if (o->progress && ++nr % PROGRESS_EVERY == 0 &&
			    o->progress((done_sheets + sheet_progress(im.sh)) / nread, res->rows, o->ud) != 0) {
				rc = jw_fail(err, JW_EBADREQ, "", "导入已取消，未保存任何数据");
				break;
			}
		}
		counts_to_sheet(res, &c0, s);
		done_sheets++;
	}
	/* members whose head never came: stored, without a household */
	for (int64_t i = 0; rc == JW_OK && i < im.npend; i++) {
		struct pend *p = &im.pend[i];
		if (p->done)
			continue;
		const char *lab = code_label(&code_tables[CT_RELATION], p->rel);
		im.cur = p->sheet;
		warn(&im, p->sheet, p->row, "relation", p->name,
		     "与户主关系为“%s”，但没有户号，同一现居住地址也没有户主行：已登记，未编入户，请在居民页面指定所在户",
		     lab ? lab : p->rel);
	}
	/* buildings made here grow to the floors and units their rooms need */
	for (int64_t i = 0; rc == JW_OK && i < im.nbc; i++) {
		struct bcache *b = &im.bc[i];
		if (!b->created || (b->max_floor <= b->floors && b->max_unit <= b->units))
			continue;
		struct record u;
		struct verr ve;
		verr_init(&ve);
		record_init(&u, &entities[ENT_BUILDING]);
		if (b->max_floor > b->floors)
			record_setf(&u, BF_FLOORS, "%lld", (long long)(b->max_floor > 200 ? 200 : b->max_floor));
		if (b->max_unit > b->units)
			record_setf(&u, BF_UNITS, "%lld", (long long)(b->max_unit > 50 ? 50 : b->max_unit));
		rc = svc_update(st, &im.bulk, b->id, &u, &ve, err);
		record_release(&u);
	}
	if (rc == JW_OK)
		rc = svc_bulk_finish(st, im.base_id, err);
	/* derived ledgers take in the newcomers (and let go of those changed) */
	if (rc == JW_OK && (res->imported || res->updated || res->merged))
		rc = svc_ledger_derive_new(st, a->community, NULL, err);
	for (int i = 0; i < n; i++) {
		struct import_sheet *s = &res->sheets[i];
		if (s->status != ISHEET_IMPORTED)
			continue;
		for (int c = 0; c < s->ncols; c++) {
			if (im.targets[i][c] != T_NONE)
				continue;
			char h[128];
			header_key(s->cols[c].header, h, sizeof(h));
			if (h[0]) {
				add_unknown(res, s->cols[c].header);
			} else if (im.has_datas[i][c]) {
				char lab[64];
				snprintf(lab, sizeof(lab), "第%d列（无列名）", c + 1);
				add_unknown(res, lab);
			}
		}
	}
	if (rc == JW_OK && !o->dry_run) {
		struct buf b = BUF_INIT;
		const char *base = strrchr(path, '/');
		summary_json(&b, base ? base + 1 : path, res);
		rc = svc_audit_raw(st, a, "import", "person", 0, NULL, buf_cstr(&b), err);
		buf_release(&b);
	}
	store_bulk(st, false);
	if (rc != JW_OK || o->dry_run) {
		store_rollback(st);
	} else if ((rc = store_commit(st)) != JW_OK) {
		rc = jw_fail(err, rc, "", "保存导入数据时数据库出错，本次导入未保存任何数据，请重试");
	}
done:
	sheet_close(im.sh);
	for (int i = 0; im.targets && i < res->nsheets; i++) {
		free(im.targets[i]);
		free(im.ranks[i]);
		free(im.has_datas[i]);
	}
	free(im.targets);
	free(im.ranks);
	free(im.has_datas);
	free(im.row_of);
	free(im.bc);
	free(im.bix);
	free(im.ak);
	free(im.pend);
	return rc;
}

int64_t import_sheets_failed(const struct import_result *r)
{
	int64_t n = 0;
	for (int i = 0; i < r->nsheets; i++)
		n += r->sheets[i].status == ISHEET_FAILED;
	return n;
}

const char *import_sheet_status_label(enum import_sheet_status st)
{
	return st == ISHEET_IMPORTED ? "已导入" : st == ISHEET_SKIPPED ? "已跳过" : "未导入（缺少必需的列）";
}

void import_result_release(struct import_result *r)
{
	for (int i = 0; i < r->npreview; i++) {
		int s = r->preview_sheet ? r->preview_sheet[i] : 0;
		for (int c = 0; r->sheets && c < r->sheets[s].ncols; c++)
			free(r->preview[i][c]);
		free(r->preview[i]);
	}
	for (int i = 0; i < r->nsheets; i++)
		free(r->sheets[i].cols);
	free(r->sheets);
	for (int i = 0; i < r->nunknown; i++)
		free(r->unknown[i]);
	free(r->unknown);
	free(r->rejects);
	free(r->merges);
	free(r->warnings);
	free(r->preview);
	free(r->preview_row);
	free(r->preview_sheet);
	memset(r, 0, sizeof(*r));
}

static const char *sheet_of(const struct import_result *r, int i)
{
	return i >= 0 && i < r->nsheets ? r->sheets[i].name : "";
}

static void columns_json(struct buf *b, const struct import_col *cols, int ncols)
{
	buf_addc(b, '[');
	for (int c = 0; c < ncols; c++) {
		buf_adds(b, c ? ",{\"header\":" : "{\"header\":");
		buf_json_str(b, cols[c].header);
		buf_adds(b, ",\"field\":");
		buf_json_str(b, cols[c].target[0] ? cols[c].target : NULL);
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

void import_result_json(struct buf *b, const struct import_result *r)
{
	buf_addf(b, "{\"rows\":%lld,\"imported\":%lld,\"updated\":%lld,\"unchanged\":%lld,\"merged\":%lld,"
		 "\"rejected\":%lld,\"repeated_headers\":%lld,\"footers\":%lld,\"warnings_count\":%lld,"
		 "\"unknown_columns\":[",
		 (long long)r->rows, (long long)r->imported, (long long)r->updated, (long long)r->unchanged,
		 (long long)r->merged, (long long)r->rejected, (long long)r->repeated_headers, (long long)r->footers,
		 (long long)r->nwarnings);
	for (int i = 0; i < r->nunknown; i++) {
		if (i)
			buf_addc(b, ',');
		buf_json_str(b, r->unknown[i]);
	}
	buf_addf(b, "],\"dry_run\":%s,\"households_created\":%lld,\"houses_created\":%lld,"
		 "\"buildings_created\":%lld,\"grids_created\":%lld,\"header_row\":%lld,\"sheet\":",
		 r->dry_run ? "true" : "false", (long long)r->households_created, (long long)r->houses_created,
		 (long long)r->buildings_created, (long long)r->grids_created, (long long)r->header_row);
	buf_json_str(b, r->sheet);
	buf_adds(b, ",\"encoding\":");
	buf_json_str(b, r->encoding[0] ? r->encoding : NULL);
	buf_adds(b, ",\"columns\":");
	columns_json(b, r->cols, r->ncols);
	buf_adds(b, ",\"sheets\":[");
	for (int i = 0; i < r->nsheets; i++) {
		const struct import_sheet *s = &r->sheets[i];
		static const char *st[] = { "imported", "skipped", "failed" };
		buf_adds(b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(b, s->name);
		buf_addf(b, ",\"status\":\"%s\",\"reason\":", st[s->status]);
		buf_json_str(b, s->reason[0] ? s->reason : NULL);
		buf_addf(b, ",\"header_row\":%lld,\"rows\":%lld,\"imported\":%lld,\"updated\":%lld,\"unchanged\":%lld,"
			 "\"merged\":%lld,\"rejected\":%lld,\"repeated_headers\":%lld,\"footers\":%lld,"
			 "\"residence_default\":",
			 (long long)s->header_row, (long long)s->rows, (long long)s->imported, (long long)s->updated,
			 (long long)s->unchanged, (long long)s->merged, (long long)s->rejected,
			 (long long)s->repeated_headers, (long long)s->footers);
		buf_json_str(b, s->residence_default[0] ? s->residence_default : NULL);
		buf_adds(b, ",\"columns\":");
		columns_json(b, s->cols, s->ncols);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"rejects\":[");
	for (int64_t i = 0; i < r->nrejects; i++) {
		const struct import_reject *j = &r->rejects[i];
		buf_adds(b, i ? ",{\"sheet\":" : "{\"sheet\":");
		buf_json_str(b, sheet_of(r, j->sheet));
		buf_addf(b, ",\"row\":%lld,\"column\":", (long long)j->row);
		buf_json_str(b, j->column);
		buf_adds(b, ",\"field\":");
		buf_json_str(b, j->field);
		buf_adds(b, ",\"reason\":");
		buf_json_str(b, j->reason);
		buf_adds(b, ",\"name\":");
		buf_json_str(b, j->name);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"merges\":[");
	for (int64_t i = 0; i < r->nmerges; i++) {
		const struct import_merge *m = &r->merges[i];
		buf_adds(b, i ? ",{\"sheet\":" : "{\"sheet\":");
		buf_json_str(b, sheet_of(r, m->sheet));
		buf_addf(b, ",\"row\":%lld,\"into\":%lld,\"into_sheet\":", (long long)m->row, (long long)m->into);
		buf_json_str(b, sheet_of(r, m->into_sheet));
		buf_adds(b, ",\"name\":");
		buf_json_str(b, m->name);
		buf_adds(b, ",\"id_number\":");
		buf_json_str(b, m->id_masked);
		buf_adds(b, ",\"note\":");
		buf_json_str(b, m->note[0] ? m->note : NULL);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"warnings\":[");
	for (int64_t i = 0; i < r->nwarnings; i++) {
		const struct import_warning *w = &r->warnings[i];
		buf_adds(b, i ? ",{\"sheet\":" : "{\"sheet\":");
		buf_json_str(b, sheet_of(r, w->sheet));
		buf_addf(b, ",\"row\":%lld,\"column\":", (long long)w->row);
		buf_json_str(b, w->column);
		buf_adds(b, ",\"field\":");
		buf_json_str(b, w->field);
		buf_adds(b, ",\"message\":");
		buf_json_str(b, w->message);
		buf_adds(b, ",\"name\":");
		buf_json_str(b, w->name);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}");
}

/* ---- the report workbook ---- */

static void header_row(lxw_worksheet *ws, const char *const *h, const double *w, int n, lxw_format *bold)
{
	for (int c = 0; c < n; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c], NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)c, h[c], bold);
	}
	worksheet_freeze_panes(ws, 1, 0);
}

int import_report_xlsx(const struct import_result *r, const char *path, struct jw_error *err)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		return jw_fail(err, JW_EIO, "report", "无法创建报告文件“%s”，请检查路径和写入权限", path);
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);

	lxw_worksheet *ws = workbook_add_worksheet(wb, "被拒绝的行");
	const char *h1[] = { "工作表", "行号", "列", "原因", "姓名", "证件号码" };
	const double w1[] = { 14, 8, 16, 70, 12, 22 };
	header_row(ws, h1, w1, 6, bold);
	for (int64_t i = 0; i < r->nrejects; i++) {
		const struct import_reject *j = &r->rejects[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, row, 0, sheet_of(r, j->sheet), NULL);
		worksheet_write_number(ws, row, 1, (double)j->row, NULL);
		worksheet_write_string(ws, row, 2, j->column, NULL);
		worksheet_write_string(ws, row, 3, j->reason, NULL);
		worksheet_write_string(ws, row, 4, j->name, NULL);
		worksheet_write_string(ws, row, 5, j->id_masked, NULL);
	}

	ws = workbook_add_worksheet(wb, "合并的行");
	const char *h2[] = { "工作表", "行号", "合并到的工作表", "合并到第几行", "姓名", "证件号码", "说明" };
	const double w2[] = { 14, 8, 14, 14, 12, 22, 50 };
	header_row(ws, h2, w2, 7, bold);
	for (int64_t i = 0; i < r->nmerges; i++) {
		const struct import_merge *m = &r->merges[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, row, 0, sheet_of(r, m->sheet), NULL);
		worksheet_write_number(ws, row, 1, (double)m->row, NULL);
		worksheet_write_string(ws, row, 2, sheet_of(r, m->into_sheet), NULL);
		worksheet_write_number(ws, row, 3, (double)m->into, NULL);
		worksheet_write_string(ws, row, 4, m->name, NULL);
		worksheet_write_string(ws, row, 5, m->id_masked, NULL);
		worksheet_write_string(ws, row, 6, m->note, NULL);
	}

	ws = workbook_add_worksheet(wb, "提示");
	const char *h4[] = { "工作表", "行号", "列", "提示", "姓名" };
	const double w4[] = { 14, 8, 16, 70, 12 };
	header_row(ws, h4, w4, 5, bold);
	for (int64_t i = 0; i < r->nwarnings; i++) {
		const struct import_warning *w = &r->warnings[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, row, 0, sheet_of(r, w->sheet), NULL);
		worksheet_write_number(ws, row, 1, (double)w->row, NULL);
		worksheet_write_string(ws, row, 2, w->column, NULL);
		worksheet_write_string(ws, row, 3, w->message, NULL);
		worksheet_write_string(ws, row, 4, w->name, NULL);
	}

	ws = workbook_add_worksheet(wb, "未识别的列");
	worksheet_set_column(ws, 0, 0, 30, NULL);
	worksheet_write_string(ws, 0, 0, "列名（已忽略）", bold);
	for (int i = 0; i < r->nunknown; i++)
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, r->unknown[i], NULL);

	ws = workbook_add_worksheet(wb, "汇总");
	const char *h3[] = { "工作表", "状态", "表头行", "数据行", "新增", "更新", "无变化", "合并", "拒绝",
			     "重复表头行", "说明" };
	const double w3[] = { 16, 12, 8, 8, 8, 8, 8, 8, 8, 10, 50 };
	header_row(ws, h3, w3, 11, bold);
	lxw_row_t row = 1;
	for (int i = 0; i < r->nsheets; i++, row++) {
		const struct import_sheet *s = &r->sheets[i];
		worksheet_write_string(ws, row, 0, s->name[0] ? s->name : "（CSV）", NULL);
		worksheet_write_string(ws, row, 1, import_sheet_status_label(s->status), NULL);
		const int64_t v[] = { s->header_row, s->rows, s->imported, s->updated, s->unchanged, s->merged,
				      s->rejected, s->repeated_headers };
		for (int k = 0; k < 8 && s->status == ISHEET_IMPORTED; k++)
			worksheet_write_number(ws, row, (lxw_col_t)(2 + k), (double)v[k], NULL);
		worksheet_write_string(ws, row, 10, s->reason, NULL);
	}
	worksheet_write_string(ws, row, 0, "合计", bold);
	const int64_t tv[] = { r->rows, r->imported, r->updated, r->unchanged, r->merged, r->rejected,
			       r->repeated_headers };
	for (int k = 0; k < 7; k++)
		worksheet_write_number(ws, row, (lxw_col_t)(3 + k), (double)tv[k], bold);
	row += 2;
	worksheet_write_string(ws, row, 0, "新建户", bold);
	worksheet_write_number(ws, row++, 1, (double)r->households_created, NULL);
	worksheet_write_string(ws, row, 0, "新建房屋", bold);
	worksheet_write_number(ws, row++, 1, (double)r->houses_created, NULL);
	if (r->dry_run)
		worksheet_write_string(ws, row, 0, "试导入：未保存任何数据", bold);

	lxw_error le = workbook_close(wb);
	if (le != LXW_NO_ERROR)
		return jw_fail(err, JW_EIO, "report", "写入报告“%s”出错：%s", path, lxw_strerror(le));
	return JW_OK;
}

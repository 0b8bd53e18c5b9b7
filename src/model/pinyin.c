/*
 * pinyin.c — pinyin of names: a table of surnames (data/surnames.tsv, built
 * in as surnames.inc, or a file given by pinyin_use_surnames()), then ICU
 * transliteration, with a cache of one reading per distinct character; the
 * search keys of a name; see pinyin.h.
 *
 * Owns: the two ICU transliterators (guarded by icu_lock, since ICU
 * transliterators must not be used by two threads at once), the reading
 * cache (guarded by map_lock, a writer-preferring rwlock: lookups share it,
 * inserts take it alone) and the surname table with ICU's readings of its
 * compounds, which pinyin_init() fills once and everything else only
 * reads.  The two locks are never held together.
 */
#include "model/pinyin.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>

#include "lib/util.h"
#include "model/textnorm.h"

#define TRANS_SURNAME "Han-Latin/Names; Latin-ASCII"
#define TRANS_GIVEN   "Han-Latin; Latin-ASCII"

/* Set in a cache key when the character is read as a surname. */
#define KEY_SURNAME   (1u << 24)

/* Longest reading kept; pinyin syllables have at most 6 letters. */
#define READING_MAX   15

/* One cached reading. */
struct reading {
	uint32_t key;                 /* code point | KEY_SURNAME?; 0 = free slot */
	uint8_t len;                  /* strlen(text); 0 = no reading */
	bool latin;                   /* Latin script: letters join into words */
	char text[READING_MAX + 1];   /* lower-case ASCII letters, NUL-terminated */
};

/* Open-addressing hash map of readings, linear probing, at most half full. */
struct readmap {
	struct reading *slot;   /* cap entries, owned */
	size_t cap;             /* a power of two; 0 before pinyin_init */
	size_t used;            /* occupied slots */
};

/* The built-in surname table: data/surnames.tsv, as a C string. */
#include "model/surnames.inc"

/* Readings kept a surname of the table, and syllables a reading. */
#define SURNAME_READINGS 4
/* Surname readings a name can have: the table's, ICU's two. */
#define MAX_VARIANTS     (SURNAME_READINGS + 2)
/* Syllables (Han characters, Latin words) of a name after its surname. */
#define MAX_TOKENS       96
#define TEXT_MAX         640
/* Split points of the keys: full pinyin of the first k syllables, then
 * initials, for k up to this (and the whole full pinyin). */
#define KEY_SPLITS       4
#define KEY_MAX          128
#define MAX_KEYS         (MAX_VARIANTS * (KEY_SPLITS + 2))
/* Changes when the keys of a name would change for the same table. */
#define KEY_SCHEME       "k1"

/* One surname of the table. */
struct surname {
	uint32_t cp[2];                          /* cp[1] = 0: a single surname */
	int line;                                /* in its file, for messages */
	int nread;                               /* 1 … SURNAME_READINGS */
	char syl[SURNAME_READINGS][2][8];        /* the readings' syllables */
	char icu[2][8];                          /* compounds: ICU's reading */
	bool icu_ok;
};

/* The table in use, sorted by cp[0], cp[1].  Filled by pinyin_init()
 * under init_lock, only read afterwards. */
static struct surname *table;
static size_t ntable;
static char table_id[40];                    /* KEY_SCHEME ":" hash */
static char *table_text;                     /* pinyin_use_surnames(); NULL: built in */

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool ready;

static pthread_mutex_t icu_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *tr_surname;   /* guarded by icu_lock */
static UTransliterator *tr_given;     /* guarded by icu_lock */

static pthread_rwlock_t map_lock =
	PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static struct readmap map;            /* guarded by map_lock */

/* A bounded output string; NUL-terminated at every step. */
struct out {
	char *p;        /* caller's buffer, or NULL when not wanted */
	size_t sz;      /* its size */
	size_t len;     /* bytes written, NUL not counted */
	bool over;      /* something did not fit */
};

static void out_start(struct out *o, char *p, size_t sz)
{
	o->p = p;
	o->sz = sz;
	o->len = 0;
	o->over = false;
	if (!p)
		return;
	if (!sz)
		o->over = true;
	else
		p[0] = '\0';
}

static void out_add(struct out *o, const char *s, size_t n)
{
	size_t room;

	if (!o->p || o->over)
		return;
	room = o->sz - 1 - o->len;
	if (n > room) {
		n = room;
		o->over = true;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static size_t slot_of(uint32_t key, size_t cap)
{
	return (size_t)((key * 0x9E3779B1u) >> 7) & (cap - 1);
}

/* Caller holds map_lock (either way).  NULL when key is not cached. */
static const struct reading *map_find(uint32_t key)
{
	size_t i = slot_of(key, map.cap);

	while (map.slot[i].key) {
		if (map.slot[i].key == key)
			return &map.slot[i];
		i = (i + 1) & (map.cap - 1);
	}
	return NULL;
}

/* Caller holds map_lock for writing, and key is absent; room is assured. */
static void map_put(const struct reading *r)
{
	size_t i = slot_of(r->key, map.cap);

	while (map.slot[i].key)
		i = (i + 1) & (map.cap - 1);
	map.slot[i] = *r;
	map.used++;
}

/* Caller holds map_lock for writing.  Doubles the table. */
static void map_grow(void)
{
	struct reading *old = map.slot;
	size_t oldcap = map.cap, i;

	map.cap = oldcap * 2;
	map.slot = xcalloc(map.cap, sizeof(*map.slot));
	map.used = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].key)
			map_put(&old[i]);
	free(old);
}

/*
 * Runs t over n code points; the result (UTF-16) goes to buf.  Returns its
 * length, or -1 when ICU fails.  Caller holds icu_lock.
 */
static int32_t translit(UTransliterator *t, const uint32_t *cps, int n,
			UChar *buf, int32_t cap)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len = 0, limit;
	int i;

	for (i = 0; i < n; i++)
		U16_APPEND_UNSAFE(buf, len, cps[i]);
	limit = len;
	utrans_transUChars(t, buf, &len, cap, 0, &limit, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return -1;
	return len;
}

/*
 * Splits ICU's output into syllables: each run of ASCII letters,
 * lower-cased, is one syllable (at most 7 letters kept).  Returns the
 * number of syllables found; at most nsyl of them are written.
 */
static int syllables(const UChar *u, int32_t len, char (*syl)[8], int nsyl)
{
	int n = 0;
	size_t k = 0;
	int32_t i;
	bool in = false;

	for (i = 0; i < len; i++) {
		UChar c = u[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!letter) {
			in = false;
			continue;
		}
		if (!in) {
			in = true;
			n++;
			k = 0;
		}
		if (n <= nsyl && k + 1 < sizeof(syl[0])) {
			syl[n - 1][k++] = (char)(c | 0x20);
			syl[n - 1][k] = '\0';
		}
	}
	return n;
}

/* Transliterates one character and caches its reading.  No lock held. */
static void fill(uint32_t key)
{
	struct reading r;
	UErrorCode st = U_ZERO_ERROR;
	uint32_t cp = key & ~KEY_SURNAME;
	UChar buf[64];
	int32_t len, i;

	memset(&r, 0, sizeof(r));
	r.key = key;
	r.latin = uscript_getScript((UChar32)cp, &st) == USCRIPT_LATIN;

	pthread_mutex_lock(&icu_lock);
	len = translit(key & KEY_SURNAME ? tr_surname : tr_given, &cp, 1,
		       buf, 64);
	pthread_mutex_unlock(&icu_lock);

	for (i = 0; i < len && r.len < READING_MAX; i++) {
		UChar c = buf[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			r.text[r.len++] = (char)(c | 0x20);
	}
	r.text[r.len] = '\0';

	pthread_rwlock_wrlock(&map_lock);
	if (!map_find(key)) {
		if ((map.used + 1) * 2 > map.cap)
			map_grow();
		map_put(&r);
	}
	pthread_rwlock_unlock(&map_lock);
}

static UTransliterator *open_trans(const char *id)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar uid[64];
	UTransliterator *t;

	u_strFromUTF8(uid, 64, NULL, id, -1, &st);
	if (U_FAILURE(st))
		return NULL;
	t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st))
		return NULL;
	return t;
}

/* ---- the surname table ---- */

static int surname_cmp(const void *a, const void *b)
{
	const struct surname *x = a, *y = b;

	if (x->cp[0] != y->cp[0])
		return x->cp[0] < y->cp[0] ? -1 : 1;
	if (x->cp[1] != y->cp[1])
		return x->cp[1] < y->cp[1] ? -1 : 1;
	return 0;
}

static void msgf(char *msg, size_t sz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void msgf(char *msg, size_t sz, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !sz)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sz, fmt, ap);
	va_end(ap);
}

/*
 * Parses one reading ("mo qi") of a surname of nch characters into syl.
 * 0, or -1 with a message.
 */
static int parse_reading(const char *r, size_t n, int nch, char (*syl)[8],
			 int line, char *msg, size_t msgsz)
{
	size_t i = 0, k;
	int got = 0;

	while (i < n) {
		while (i < n && r[i] == ' ')
			i++;
		if (i == n)
			break;
		for (k = i; k < n && r[k] != ' '; k++) {
			char c = r[k];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
				msgf(msg, msgsz, "第%d行：读音“%.*s”只能用拼音字母（不标声调，ü 写作 v）",
				     line, (int)n, r);
				return -1;
			}
		}
		if (k - i > 6 || got == nch) {
			msgf(msg, msgsz, "第%d行：读音“%.*s”应为每字一个音节、音节间用空格分开，共%d个",
			     line, (int)n, r, nch);
			return -1;
		}
		for (size_t j = i; j < k; j++)
			syl[got][j - i] = (char)(r[j] | 0x20);
		syl[got][k - i] = '\0';
		got++;
		i = k;
	}
	if (got != nch) {
		msgf(msg, msgsz, "第%d行：读音“%.*s”应为每字一个音节、音节间用空格分开，共%d个",
		     line, (int)n, r, nch);
		return -1;
	}
	return 0;
}

/* Parses one line of the table into e.  1: a surname; 0: a comment or a
 * blank line; -1: an error, with a message. */
static int parse_line(const char *s, size_t n, int line, struct surname *e,
		      char *msg, size_t msgsz)
{
	const char *tab, *end, *r;
	size_t k, pos = 0;
	int nch = 0;
	uint32_t cp;

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (!n || s[0] == '#')
		return 0;
	tab = memchr(s, '\t', n);
	if (!tab) {
		msgf(msg, msgsz, "第%d行：姓氏和读音之间应为一个制表符（Tab）", line);
		return -1;
	}
	memset(e, 0, sizeof(*e));
	e->line = line;
	while (pos < (size_t)(tab - s)) {
		k = utf8_decode(s + pos, (size_t)(tab - s) - pos, &cp);
		if (!k || cp < 0x2E80 || nch == 2) {
			msgf(msg, msgsz, "第%d行：姓氏“%.*s”应为一到两个汉字", line,
			     (int)(tab - s), s);
			return -1;
		}
		e->cp[nch++] = cp;
		pos += k;
	}
	if (!nch) {
		msgf(msg, msgsz, "第%d行：缺少姓氏", line);
		return -1;
	}
	r = tab + 1;
	end = memchr(r, '\t', n - (size_t)(r - s));
	if (!end)
		end = s + n;
	for (;;) {
		const char *bar = memchr(r, '|', (size_t)(end - r));
		const char *stop = bar ? bar : end;
		if (e->nread == SURNAME_READINGS) {
			msgf(msg, msgsz, "第%d行：一个姓氏最多%d种读音", line, SURNAME_READINGS);
			return -1;
		}
		if (parse_reading(r, (size_t)(stop - r), nch, e->syl[e->nread], line,
				  msg, msgsz))
			return -1;
		e->nread++;
		if (!bar)
			break;
		r = bar + 1;
	}
	return 1;
}

/*
 * Parses a table in data/surnames.tsv's format into *out (sorted, owned by
 * the caller).  0, or -1 with a message naming the line.
 */
static int parse_table(const char *text, size_t len, struct surname **out,
		       size_t *nout, char *msg, size_t msgsz)
{
	struct surname *v = NULL, e;
	size_t n = 0, cap = 0, pos = 0, i;
	int line = 0, rc;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		line++;
		rc = parse_line(text + pos, ll, line, &e, msg, msgsz);
		if (rc < 0) {
			free(v);
			return -1;
		}
		if (rc) {
			if (n == cap) {
				struct surname *nv;
				cap = cap ? cap * 2 : 128;
				nv = xcalloc(cap, sizeof(*v));
				if (n)
					memcpy(nv, v, n * sizeof(*v));
				free(v);
				v = nv;
			}
			v[n++] = e;
		}
		pos += ll + 1;
	}
	if (n)
		qsort(v, n, sizeof(*v), surname_cmp);
	for (i = 1; i < n; i++) {
		if (!surname_cmp(&v[i - 1], &v[i])) {
			msgf(msg, msgsz, "第%d行：姓氏与第%d行重复",
			     v[i - 1].line > v[i].line ? v[i - 1].line : v[i].line,
			     v[i - 1].line < v[i].line ? v[i - 1].line : v[i].line);
			free(v);
			return -1;
		}
	}
	*out = v;
	*nout = n;
	return 0;
}

/* The fingerprint of the table in use: a hash of its readings, so that a
 * store indexed with another table knows to re-index. */
static void table_fingerprint(void)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;
	int r, k;

	for (i = 0; i < ntable; i++) {
		const struct surname *e = &table[i];
		uint32_t w[2] = { e->cp[0], e->cp[1] };
		for (k = 0; k < 8; k++) {
			h ^= (uint8_t)(w[k / 4] >> (8 * (k % 4)));
			h *= 0x100000001b3ull;
		}
		for (r = 0; r < e->nread; r++) {
			for (k = 0; k < 2; k++) {
				for (const char *c = e->syl[r][k]; *c; c++) {
					h ^= (uint8_t)*c;
					h *= 0x100000001b3ull;
				}
				h ^= '/';
				h *= 0x100000001b3ull;
			}
		}
	}
	snprintf(table_id, sizeof(table_id), "%s:%016llx", KEY_SCHEME,
		 (unsigned long long)h);
}

/* ICU's reading of each compound surname as a unit.  Caller holds
 * init_lock; the transliterators are open. */
static void fill_compounds(void)
{
	UChar buf[64];
	int32_t len;
	size_t i;

	for (i = 0; i < ntable; i++) {
		struct surname *e = &table[i];
		if (!e->cp[1])
			continue;
		pthread_mutex_lock(&icu_lock);
		len = translit(tr_surname, e->cp, 2, buf, 64);
		pthread_mutex_unlock(&icu_lock);
		memset(e->icu, 0, sizeof(e->icu));
		e->icu_ok = len > 0 && syllables(buf, len, e->icu, 2) == 2;
	}
}

/* The whole of a file at most 1 MiB long, NUL-terminated; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = xcalloc(1, (1u << 20) + 1);
	n = fread(buf, 1, 1u << 20, f);
	if (ferror(f) || !feof(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int pinyin_use_surnames(const char *path, char *msg, size_t msgsz)
{
	struct surname *v = NULL;
	size_t n = 0, len;
	char *text = NULL;
	int rc = -1;

	msgf(msg, msgsz, "%s", "");
	if (path) {
		text = slurp(path, &len);
		if (!text) {
			msgf(msg, msgsz, "无法读取姓氏表文件“%s”", path);
			return -1;
		}
		if (parse_table(text, len, &v, &n, msg, msgsz)) {
			free(text);
			return -1;
		}
		free(v);
	}
	pthread_mutex_lock(&init_lock);
	if (atomic_load(&ready)) {
		msgf(msg, msgsz, "拼音模块已在使用，须先关闭再换姓氏表");
		free(text);
	} else {
		free(table_text);
		table_text = text;
		rc = 0;
	}
	pthread_mutex_unlock(&init_lock);
	return rc;
}

const char *pinyin_keys_version(void)
{
	if (!atomic_load(&ready) && pinyin_init())
		return "";
	return table_id;
}

int pinyin_init(void)
{
	int rc = 0;
	const char *text;

	pthread_mutex_lock(&init_lock);
	if (atomic_load(&ready))
		goto out_unlock;
	text = table_text ? table_text : surnames_tsv;
	if (parse_table(text, strlen(text), &table, &ntable, NULL, 0)) {
		rc = -1;
		goto out_unlock;
	}
	table_fingerprint();
	tr_surname = open_trans(TRANS_SURNAME);
	tr_given = open_trans(TRANS_GIVEN);
	if (!tr_surname || !tr_given) {
		rc = -1;
		goto out_close;
	}
	fill_compounds();
	pthread_rwlock_wrlock(&map_lock);
	map.cap = 4096;
	map.used = 0;
	map.slot = xcalloc(map.cap, sizeof(*map.slot));
	pthread_rwlock_unlock(&map_lock);
	atomic_store(&ready, true);
	goto out_unlock;

out_close:
	if (tr_surname)
		utrans_close(tr_surname);
	if (tr_given)
		utrans_close(tr_given);
	tr_surname = tr_given = NULL;
	free(table);
	table = NULL;
	ntable = 0;
out_unlock:
	pthread_mutex_unlock(&init_lock);
	return rc;
}

void pinyin_shutdown(void)
{
	pthread_mutex_lock(&init_lock);
	if (atomic_load(&ready)) {
		atomic_store(&ready, false);
		utrans_close(tr_surname);
		utrans_close(tr_given);
		tr_surname = tr_given = NULL;
		pthread_rwlock_wrlock(&map_lock);
		free(map.slot);
		map.slot = NULL;
		map.cap = map.used = 0;
		pthread_rwlock_unlock(&map_lock);
		free(table);
		table = NULL;
		ntable = 0;
	}
	pthread_mutex_unlock(&init_lock);
}

/* The table's entry for a (then b, 0 = a single surname), or NULL. */
static const struct surname *surname_of(uint32_t a, uint32_t b)
{
	struct surname key;

	if (!ntable)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.cp[0] = a;
	key.cp[1] = b;
	return bsearch(&key, table, ntable, sizeof(*table), surname_cmp);
}

/* ---- reading a name ---- */

/* One way to read a surname: its syllables. */
struct variant {
	int n;                  /* 0, 1 or 2 */
	char syl[2][8];
};

/* A name read: its surname's readings, then the rest as syllables. */
struct parsed {
	int nvar;                       /* 0: no surname to read */
	struct variant var[MAX_VARIANTS];
	char text[TEXT_MAX];            /* the rest's syllables, back to back */
	size_t len;
	uint16_t off[MAX_TOKENS], tlen[MAX_TOKENS];
	int ntok;
	bool over;                      /* something did not fit */
};

/* Adds variant v unless it is empty or already there. */
static void add_variant(struct parsed *p, const struct variant *v)
{
	int i, k;

	if (!v->n || p->nvar == MAX_VARIANTS)
		return;
	for (k = 0; k < v->n; k++)
		if (!v->syl[k][0])
			return;
	for (i = 0; i < p->nvar; i++) {
		if (p->var[i].n != v->n)
			continue;
		for (k = 0; k < v->n && !strcmp(p->var[i].syl[k], v->syl[k]); k++)
			;
		if (k == v->n)
			return;
	}
	p->var[p->nvar++] = *v;
}

/* The cached reading of key, filling the cache on a miss.  Caller holds
 * map_lock for reading; it may be dropped and taken again. */
static const struct reading *reading_of(uint32_t key)
{
	const struct reading *r = map_find(key);

	if (!r) {
		pthread_rwlock_unlock(&map_lock);
		fill(key);
		pthread_rwlock_rdlock(&map_lock);
		r = map_find(key);
	}
	return r;
}

/* Appends n letters to the current token, or starts one (start). */
static void tok_add(struct parsed *p, const char *s, size_t n, bool start)
{
	if (start) {
		if (p->ntok == MAX_TOKENS) {
			p->over = true;
			return;
		}
		p->off[p->ntok] = (uint16_t)p->len;
		p->tlen[p->ntok] = 0;
		p->ntok++;
	} else if (!p->ntok) {
		return;
	}
	if (p->len + n > TEXT_MAX) {
		p->over = true;
		return;
	}
	memcpy(p->text + p->len, s, n);
	p->len += n;
	p->tlen[p->ntok - 1] = (uint16_t)(p->tlen[p->ntok - 1] + n);
}

/* Copies a reading of at most 7 letters into a syllable. */
static void syl_set(char dst[8], const char *s, size_t n)
{
	if (n > 7)
		n = 7;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * Reads a name: the surname's readings (the table's first, then ICU's),
 * then each later Han character and Latin word.  -1 when the module cannot
 * be initialised.
 */
static int parse_name(const char *utf8name, struct parsed *p)
{
	const struct reading *r;
	const struct surname *e;
	struct variant v;
	size_t len, pos = 0, k, k2;
	bool first = true, in_word = false;
	uint32_t cp, next;
	char ch;
	int i;

	memset(p, 0, offsetof(struct parsed, text));
	p->len = 0;
	p->ntok = 0;
	p->over = false;
	if (!atomic_load(&ready) && pinyin_init())
		return -1;
	if (!utf8name)
		utf8name = "";
	len = strlen(utf8name);

	pthread_rwlock_rdlock(&map_lock);
	while (pos < len) {
		k = utf8_decode(utf8name + pos, len - pos, &cp);
		if (!k) {
			pos++;          /* an invalid byte has no reading */
			in_word = false;
			continue;
		}
		pos += k;
		if (name_is_separator(cp)) {
			in_word = false;
			continue;
		}
		if (first) {
			first = false;
			if (cp >= 0x80 && !(r = reading_of(cp | KEY_SURNAME))->latin) {
				/* a compound surname of the table, read as a unit */
				k2 = utf8_decode(utf8name + pos, len - pos, &next);
				if (k2 && (e = surname_of(cp, next)) != NULL) {
					for (i = 0; i < e->nread; i++) {
						v.n = 2;
						memcpy(v.syl, e->syl[i], sizeof(v.syl));
						add_variant(p, &v);
					}
					if (e->icu_ok) {
						v.n = 2;
						memcpy(v.syl, e->icu, sizeof(v.syl));
						add_variant(p, &v);
					}
					/* and character by character, as
					 * someone who does not know it reads it */
					v.n = 2;
					syl_set(v.syl[0], r->text, r->len);
					r = reading_of(next);
					syl_set(v.syl[1], r->text, r->len);
					add_variant(p, &v);
					pos += k2;
					continue;
				}
				/* one character: the table's, ICU's surname and
				 * common readings */
				if ((e = surname_of(cp, 0)) != NULL) {
					for (i = 0; i < e->nread; i++) {
						v.n = 1;
						memcpy(v.syl[0], e->syl[i][0], sizeof(v.syl[0]));
						add_variant(p, &v);
					}
				}
				v.n = 1;
				syl_set(v.syl[0], r->text, r->len);
				add_variant(p, &v);
				r = reading_of(cp);
				v.n = 1;
				syl_set(v.syl[0], r->text, r->len);
				add_variant(p, &v);
				continue;
			}
		}
		if (cp < 0x80) {
			/* ASCII: letters make words, the rest has no reading. */
			if (!((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))) {
				in_word = false;
				continue;
			}
			ch = (char)(cp | 0x20);
			tok_add(p, &ch, 1, !in_word);
			in_word = true;
			continue;
		}
		r = reading_of(cp);
		if (!r || !r->len) {
			in_word = false;
			continue;
		}
		if (r->latin) {
			tok_add(p, r->text, r->len, !in_word);
			in_word = true;
		} else {
			tok_add(p, r->text, r->len, true);
			in_word = false;
		}
	}
	pthread_rwlock_unlock(&map_lock);
	return 0;
}

int pinyin_of_name(const char *utf8name, char *full, size_t fullsz,
		   char *initials, size_t inisz)
{
	struct out f, ini;
	struct parsed *p = xcalloc(1, sizeof(*p));
	int i, rc;

	out_start(&f, full, fullsz);
	out_start(&ini, initials, inisz);
	rc = parse_name(utf8name, p);
	if (rc) {
		free(p);
		return -1;
	}
	if (p->nvar) {
		for (i = 0; i < p->var[0].n; i++) {
			out_add(&f, p->var[0].syl[i], strlen(p->var[0].syl[i]));
			out_add(&ini, p->var[0].syl[i], 1);
		}
	}
	for (i = 0; i < p->ntok; i++) {
		out_add(&f, p->text + p->off[i], p->tlen[i]);
		out_add(&ini, p->text + p->off[i], 1);
	}
	rc = f.over || ini.over || p->over ? -1 : 0;
	free(p);
	return rc;
}

/* Syllable i of variant v followed by the rest of p. */
static const char *syl_at(const struct parsed *p, const struct variant *v, int i,
			  size_t *n)
{
	if (i < v->n) {
		*n = strlen(v->syl[i]);
		return v->syl[i];
	}
	i -= v->n;
	*n = p->tlen[i];
	return p->text + p->off[i];
}

int pinyin_keys(const char *utf8name, pinyin_key_cb cb, void *ud)
{
	struct parsed *p = xcalloc(1, sizeof(*p));
	static const struct variant none = { 0, { "", "" } };
	char (*keys)[KEY_MAX] = NULL;
	int nkeys = 0, nv, vi, n, k, i, j, sent = 0;
	bool *drop = NULL;

	if (parse_name(utf8name, p)) {
		free(p);
		return -1;
	}
	keys = xcalloc(MAX_KEYS, sizeof(*keys));
	drop = xcalloc(MAX_KEYS, sizeof(*drop));
	nv = p->nvar ? p->nvar : 1;
	for (vi = 0; vi < nv; vi++) {
		const struct variant *v = p->nvar ? &p->var[vi] : &none;
		n = v->n + p->ntok;
		for (k = 0; k <= n; k++) {
			struct out o;
			size_t sl;
			const char *s;
			/* the full pinyin of the first k syllables, then initials;
			 * k = n - 1 is a prefix of k = n */
			if ((k > KEY_SPLITS || k == n - 1) && k != n)
				continue;
			if (nkeys == MAX_KEYS)
				break;
			out_start(&o, keys[nkeys], KEY_MAX);
			for (i = 0; i < n; i++) {
				s = syl_at(p, v, i, &sl);
				out_add(&o, s, i < k ? sl : 1);
			}
			if (o.len)
				nkeys++;
		}
	}
	/* a key that begins another one finds nobody the other does not */
	for (i = 0; i < nkeys; i++) {
		size_t li = strlen(keys[i]);
		for (j = 0; j < nkeys && !drop[i]; j++) {
			if (j == i || drop[j])
				continue;
			if (!strncmp(keys[i], keys[j], li) && (strlen(keys[j]) > li || j < i))
				drop[i] = true;
		}
	}
	for (i = 0; i < nkeys; i++) {
		if (!drop[i]) {
			cb(keys[i], ud);
			sent++;
		}
	}
	free(drop);
	free(keys);
	free(p);
	return sent;
}

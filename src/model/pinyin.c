/*
 * pinyin.c — pinyin of names through ICU transliteration, with a cache of
 * one reading per distinct character; see pinyin.h.
 *
 * Owns: the two ICU transliterators (guarded by icu_lock, since ICU
 * transliterators must not be used by two threads at once), the reading
 * cache (guarded by map_lock, a writer-preferring rwlock: lookups share it,
 * inserts take it alone) and the compound-surname readings, which are
 * filled once by pinyin_init() and only read afterwards.  The two locks are
 * never held together.
 */
#include "model/pinyin.h"

#include <pthread.h>
#include <stdatomic.h>
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

/* The compound surnames; read as units by the surname transliterator. */
static const char *const compound_names[] = {
	"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
	"长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫",
	"西门", "百里", "呼延", "澹台", "公冶", "太史", "申屠", "钟离", "闻人",
};
#define NCOMPOUNDS (sizeof(compound_names) / sizeof(compound_names[0]))

/* A compound surname's reading, parallel to compound_names. */
struct compound {
	uint32_t a, b;          /* its two code points */
	char ra[8], rb[8];      /* the reading of each */
	bool ok;                /* readings present; false: read char by char */
};

/* Filled by pinyin_init() under init_lock, only read afterwards. */
static struct compound compounds[NCOMPOUNDS];

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

/* Reads each compound surname as a unit.  Caller holds init_lock. */
static void fill_compounds(void)
{
	struct compound *c;
	const char *han;
	char syl[2][8];
	uint32_t cps[2];
	UChar buf[64];
	size_t i, k, n;
	int32_t len;

	for (i = 0; i < NCOMPOUNDS; i++) {
		c = &compounds[i];
		han = compound_names[i];
		memset(c, 0, sizeof(*c));
		n = strlen(han);
		k = utf8_decode(han, n, &c->a);
		if (!k || !utf8_decode(han + k, n - k, &c->b))
			continue;
		cps[0] = c->a;
		cps[1] = c->b;
		memset(syl, 0, sizeof(syl));
		pthread_mutex_lock(&icu_lock);
		len = translit(tr_surname, cps, 2, buf, 64);
		pthread_mutex_unlock(&icu_lock);
		c->ok = len > 0 && syllables(buf, len, syl, 2) == 2;
		memcpy(c->ra, syl[0], sizeof(c->ra));
		memcpy(c->rb, syl[1], sizeof(c->rb));
	}
}

int pinyin_init(void)
{
	int rc = 0;

	pthread_mutex_lock(&init_lock);
	if (atomic_load(&ready))
		goto out_unlock;
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
	}
	pthread_mutex_unlock(&init_lock);
}

/* The compound surname made of a then b, or NULL. */
static const struct compound *compound_of(uint32_t a, uint32_t b)
{
	const struct compound *c;

	for (c = compounds; c < compounds + NCOMPOUNDS; c++)
		if (c->ok && c->a == a && c->b == b)
			return c;
	return NULL;
}

/* One syllable of a non-Latin character: all of it, and its initial. */
static void add_syllable(struct out *full, struct out *ini, const char *s,
			 size_t n)
{
	if (!n)
		return;
	out_add(full, s, n);
	out_add(ini, s, 1);
}

int pinyin_of_name(const char *utf8name, char *full, size_t fullsz,
		   char *initials, size_t inisz)
{
	struct out f, ini;
	const struct reading *r;
	const struct compound *c;
	size_t len, pos = 0, k, k2;
	bool first = true, in_word = false;
	uint32_t cp, next, key;
	char ch;

	out_start(&f, full, fullsz);
	out_start(&ini, initials, inisz);
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
		key = cp;
		if (first) {
			first = false;
			k2 = utf8_decode(utf8name + pos, len - pos, &next);
			if (k2 && (c = compound_of(cp, next)) != NULL) {
				add_syllable(&f, &ini, c->ra, strlen(c->ra));
				add_syllable(&f, &ini, c->rb, strlen(c->rb));
				pos += k2;
				continue;
			}
			if (cp >= 0x80)
				key |= KEY_SURNAME;
		}
		if (cp < 0x80) {
			/* ASCII: letters make words, the rest has no reading. */
			if (!((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))) {
				in_word = false;
				continue;
			}
			ch = (char)(cp | 0x20);
			out_add(&f, &ch, 1);
			if (!in_word)
				out_add(&ini, &ch, 1);
			in_word = true;
			continue;
		}
		r = map_find(key);
		if (!r) {
			pthread_rwlock_unlock(&map_lock);
			fill(key);
			pthread_rwlock_rdlock(&map_lock);
			r = map_find(key);
		}
		if (!r || !r->len) {
			in_word = false;
			continue;
		}
		if (r->latin) {
			out_add(&f, r->text, r->len);
			if (!in_word)
				out_add(&ini, r->text, 1);
			in_word = true;
		} else {
			add_syllable(&f, &ini, r->text, r->len);
			in_word = false;
		}
	}
	pthread_rwlock_unlock(&map_lock);
	return f.over || ini.over ? -1 : 0;
}

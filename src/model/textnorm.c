/*
 * textnorm.c — normalisation of typed text and queries, name n-grams,
 * phone numbers and strict UTF-8; see textnorm.h.
 *
 * Everything works on code points decoded by utf8_decode(), so a
 * supplementary-plane character is always one character.  Lower-casing
 * uses ICU's simple case mapping (u_tolower); the keys names and
 * addresses are compared by use ICU's NFKC normaliser and its
 * Traditional-Simplified transliterator (one, behind a lock).
 */
#include "model/textnorm.h"
#include <ctype.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "lib/util.h"

/* A bounded writer into a caller's buffer; over is set once it overflows. */
struct sink {
	char *p;      /* the caller's buffer */
	size_t sz;    /* its size, room for the NUL included */
	size_t len;   /* bytes written so far, NUL not counted */
	bool over;    /* a write did not fit; later writes are dropped */
};

static void sink_put(struct sink *s, uint32_t cp)
{
	char enc[4];
	size_t k = utf8_encode(cp, enc);

	if (s->over || !k)
		return;
	if (s->len + k + 1 > s->sz) {
		s->over = true;
		return;
	}
	memcpy(s->p + s->len, enc, k);
	s->len += k;
}

/* NUL-terminates the sink; returns the length or (size_t)-1 on overflow. */
static size_t sink_end(struct sink *s)
{
	if (s->over) {
		if (s->sz)
			s->p[0] = '\0';
		return (size_t)-1;
	}
	s->p[s->len] = '\0';
	return s->len;
}

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xBF;
	uint32_t c;
	size_t n, i;

	if (!len)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		n = 2;
		c = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		n = 3;
		c = u[0] & 0x0F;
		if (u[0] == 0xE0)
			lo = 0xA0;      /* overlong */
		else if (u[0] == 0xED)
			hi = 0x9F;      /* surrogates */
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		n = 4;
		c = u[0] & 0x07;
		if (u[0] == 0xF0)
			lo = 0x90;      /* overlong */
		else if (u[0] == 0xF4)
			hi = 0x8F;      /* above U+10FFFF */
	} else {
		return 0;               /* continuation byte, C0, C1, F5–FF */
	}
	if (len < n)
		return 0;
	if (u[1] < lo || u[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if (i > 1 && (u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	*cp = c;
	return n;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

bool utf8_valid(const char *s, size_t len)
{
	size_t pos = 0, k;
	uint32_t cp;

	if (!s)
		return len == 0;
	while (pos < len) {
		k = utf8_decode(s + pos, len - pos, &cp);
		if (!k)
			return false;
		pos += k;
	}
	return true;
}

size_t utf8_chars(const char *s)
{
	size_t pos = 0, len, k, n = 0;
	uint32_t cp;

	if (!s)
		return (size_t)-1;
	len = strlen(s);
	while (pos < len) {
		k = utf8_decode(s + pos, len - pos, &cp);
		if (!k)
			return (size_t)-1;
		pos += k;
		n++;
	}
	return n;
}

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' ||
	       cp == 0x3000 || cp == 0x00A0;
}

bool name_is_separator(uint32_t cp)
{
	switch (cp) {
	case '.':
	case 0x00B7:    /* · middle dot, as in 买买提·艾力 */
	case 0x2022:    /* • bullet, a common stand-in */
	case 0x2027:    /* ‧ hyphenation point (Big5 input methods) */
	case 0x30FB:    /* ・ katakana middle dot */
	case 0xFF0E:    /* ．full-width full stop */
	case 0xFF65:    /* ･ half-width katakana middle dot */
		return true;
	default:
		return is_space(cp);
	}
}

/* Full-width ASCII U+FF01–U+FF5E to its half-width form; others unchanged. */
static uint32_t fold_fullwidth(uint32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return cp - 0xFEE0;
	return cp;
}

static bool is_cjk_ideograph(uint32_t cp)
{
	return cp == 0x3007 ||                          /* 〇 */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||        /* Ext A */
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||        /* URO */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||        /* compatibility */
	       (cp >= 0x20000 && cp <= 0x3FFFF);        /* planes 2 and 3 */
}

size_t text_normalize(const char *in, char *out, size_t outsz)
{
	struct sink s = { out, outsz, 0, outsz == 0 };
	size_t len, pos = 0, k;
	bool started = false, gap = false;
	uint32_t cp;

	if (!in)
		in = "";
	len = strlen(in);
	while (pos < len) {
		k = utf8_decode(in + pos, len - pos, &cp);
		if (!k) {
			s.over = true;
			break;
		}
		pos += k;
		if (is_space(cp)) {
			gap = started;
			continue;
		}
		if (gap)
			sink_put(&s, ' ');
		gap = false;
		started = true;
		sink_put(&s, fold_fullwidth(cp));
	}
	return sink_end(&s);
}

enum query_kind query_classify(const char *normalized)
{
	size_t len, pos = 0, k;
	bool any = false, han = false, letter_only = true, digit_only = true;
	bool digit = false;
	uint32_t cp;

	if (!normalized)
		return Q_EMPTY;
	len = strlen(normalized);
	while (pos < len) {
		k = utf8_decode(normalized + pos, len - pos, &cp);
		if (!k)
			return Q_OTHER;
		pos += k;
		cp = fold_fullwidth(cp);
		if (is_space(cp)) {
			digit_only = false;
			continue;
		}
		any = true;
		if (is_cjk_ideograph(cp))
			han = true;
		if (cp >= '0' && cp <= '9') {
			digit = true;
			letter_only = false;
		} else if (cp == 'X' || cp == 'x') {
			/* a letter, and also the check digit of an id number */
		} else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
			digit_only = false;
		} else {
			letter_only = false;
			digit_only = false;
		}
	}
	if (!any)
		return Q_EMPTY;
	if (han)
		return Q_HAN;
	if (digit_only && digit)
		return Q_DIGITS;
	if (letter_only)
		return Q_LATIN;
	return Q_OTHER;
}

/*
 * The set of grams already emitted: open addressing over 64-bit keys.
 * A unigram's key is its code point; a bigram's is a << 21 | b, which is
 * at least 1 << 21 and so never equals a unigram's.  0 marks a free slot.
 */
struct gramset {
	uint64_t *slot;   /* cap entries */
	size_t mask;      /* cap - 1, cap a power of two */
};

/* True when key was not in the set (and now is). */
static bool gramset_add(struct gramset *gs, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & gs->mask;

	while (gs->slot[i]) {
		if (gs->slot[i] == key)
			return false;
		i = (i + 1) & gs->mask;
	}
	gs->slot[i] = key;
	return true;
}

/* Names are short: below this many code points, no malloc. */
#define GRAMS_STACK 64

int name_grams(const char *name, void (*fn)(const char *gram, void *ud),
	       void *ud)
{
	uint32_t stack_cps[GRAMS_STACK];
	uint64_t stack_set[GRAMS_STACK * 4];
	uint32_t *cps = stack_cps;    /* code points; 0 where a separator was */
	struct gramset gs = { stack_set, GRAMS_STACK * 4 - 1 };
	size_t len, pos = 0, k, n = 0, i, cap;
	char gram[9];
	int emitted = 0;
	uint32_t cp;

	if (!name)
		return 0;
	len = strlen(name);
	if (!utf8_valid(name, len))
		return 0;
	if (len > GRAMS_STACK) {
		/* len bytes hold at most len code points and 2*len grams. */
		cps = xcalloc(len, sizeof(*cps));
		for (cap = 1; cap < 4 * len; cap <<= 1)
			;
		gs.slot = xcalloc(cap, sizeof(*gs.slot));
		gs.mask = cap - 1;
	} else {
		memset(stack_set, 0, sizeof(stack_set));
	}
	while (pos < len) {
		k = utf8_decode(name + pos, len - pos, &cp);
		pos += k;
		if (name_is_separator(cp)) {
			if (n && cps[n - 1])
				cps[n++] = 0;
			continue;
		}
		cps[n++] = (uint32_t)u_tolower((UChar32)cp);
	}
	for (i = 0; i < n; i++) {
		if (!cps[i] || !gramset_add(&gs, cps[i]))
			continue;
		gram[utf8_encode(cps[i], gram)] = '\0';
		fn(gram, ud);
		emitted++;
	}
	for (i = 0; i + 1 < n; i++) {
		if (!cps[i] || !cps[i + 1] ||
		    !gramset_add(&gs, (uint64_t)cps[i] << 21 | cps[i + 1]))
			continue;
		k = utf8_encode(cps[i], gram);
		k += utf8_encode(cps[i + 1], gram + k);
		gram[k] = '\0';
		fn(gram, ud);
		emitted++;
	}
	if (cps != stack_cps) {
		free(cps);
		free(gs.slot);
	}
	return emitted;
}

/*
 * The next code point of a phone number that survives cleaning, folded to
 * half-width, or 0 at the end; *bad is set on invalid UTF-8.
 */
static uint32_t phone_next(const char *in, size_t len, size_t *pos, bool *bad)
{
	size_t k;
	uint32_t cp;

	while (*pos < len) {
		k = utf8_decode(in + *pos, len - *pos, &cp);
		if (!k) {
			*bad = true;
			return 0;
		}
		*pos += k;
		cp = fold_fullwidth(cp);
		switch (cp) {
		case '-':
		case '(':
		case ')':
		case 0x2010:    /* ‐ hyphen */
		case 0x2011:    /* non-breaking hyphen */
		case 0x2012:    /* ‒ figure dash */
		case 0x2013:    /* – en dash */
		case 0x2014:    /* — em dash */
		case 0x2212:    /* − minus sign */
			continue;
		default:
			if (is_space(cp))
				continue;
			return cp;
		}
	}
	return 0;
}

size_t phone_normalize(const char *in, char *out, size_t outsz)
{
	struct sink s = { out, outsz, 0, outsz == 0 };
	static const char *const prefixes[] = { "+86", "0086" };
	size_t len, pos = 0, skip = 0, i, j;
	bool bad = false;
	uint32_t cp;

	if (!in)
		in = "";
	len = strlen(in);
	/* Which leading country code to drop, if any. */
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && !skip; i++) {
		pos = 0;
		for (j = 0; prefixes[i][j]; j++)
			if (phone_next(in, len, &pos, &bad) !=
			    (unsigned char)prefixes[i][j])
				break;
		if (!prefixes[i][j])
			skip = j;
	}
	pos = 0;
	bad = false;
	for (i = 0; (cp = phone_next(in, len, &pos, &bad)) != 0; i++)
		if (i >= skip)
			sink_put(&s, cp);
	if (bad)
		s.over = true;
	return sink_end(&s);
}

/* ---- names and addresses as compared ---------------------------------- */

size_t name_normalize(const char *in, char *out, size_t outsz)
{
	struct sink s = { out, outsz, 0, outsz == 0 };
	size_t len, pos, k;
	bool han = false;
	uint32_t cp;

	if (!in)
		in = "";
	len = strlen(in);
	for (pos = 0; pos < len && !han; pos += k) {
		k = utf8_decode(in + pos, len - pos, &cp);
		if (!k)
			return sink_end(&(struct sink){ out, outsz, 0, true });
		han = is_cjk_ideograph(cp);
	}
	if (!han)
		return text_normalize(in, out, outsz);
	for (pos = 0; pos < len; pos += k) {
		k = utf8_decode(in + pos, len - pos, &cp);
		if (!is_space(cp) && !(cp >= 0x2000 && cp <= 0x200B) && cp != 0x202F &&
		    cp != 0x205F && cp != 0xFEFF)
			sink_put(&s, fold_fullwidth(cp));
	}
	return sink_end(&s);
}

static pthread_mutex_t ts_lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *ts_trans;    /* guarded by ts_lock */
static bool ts_tried;                /* guarded by ts_lock */

/* in (UTF-8) through NFKC and, if simplify, Traditional-Simplified, to
 * out (UTF-8).  false when ICU fails or out is too small. */
static bool icu_fold(const char *in, bool simplify, char *out, size_t outsz)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar a[512], b[1024];
	int32_t na, nb, limit;
	const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&st);

	if (U_FAILURE(st))
		return false;
	u_strFromUTF8(a, 512, &na, in, -1, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return false;
	nb = unorm2_normalize(nfkc, a, na, b, 1024, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
		return false;
	if (simplify) {
		pthread_mutex_lock(&ts_lock);
		if (!ts_tried) {
			UErrorCode e2 = U_ZERO_ERROR;
			ts_tried = true;
			ts_trans = utrans_openU(u"Traditional-Simplified", -1, UTRANS_FORWARD, NULL, 0, NULL, &e2);
			if (U_FAILURE(e2))
				ts_trans = NULL;
		}
		if (ts_trans) {
			limit = nb;
			utrans_transUChars(ts_trans, b, &nb, 1024, 0, &limit, &st);
		}
		pthread_mutex_unlock(&ts_lock);
		if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING)
			return false;
	}
	int32_t n8;
	u_strToUTF8(out, (int32_t)outsz, &n8, b, nb, &st);
	if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || (size_t)n8 >= outsz)
		return false;
	return true;
}

size_t name_key(const char *in, char *out, size_t outsz)
{
	char tmp[256];
	size_t n = name_normalize(in, tmp, sizeof(tmp));

	if (n == (size_t)-1)
		return sink_end(&(struct sink){ out, outsz, 0, true });
	if (!icu_fold(tmp, true, out, outsz)) {   /* as normalised, unfolded */
		if (n + 1 > outsz)
			return sink_end(&(struct sink){ out, outsz, 0, true });
		memcpy(out, tmp, n + 1);
		return n;
	}
	/* NFKC may have made spaces again (U+2002 …): the name has none */
	return name_normalize(out, out, outsz) ;
}

size_t address_key(const char *in, char *out, size_t outsz)
{
	char tmp[1024];
	struct sink s = { out, outsz, 0, outsz == 0 };
	size_t len, pos, k;
	uint32_t cp;

	if (!in || !icu_fold(in, false, tmp, sizeof(tmp)))
		return sink_end(&(struct sink){ out, outsz, 0, true });
	len = strlen(tmp);
	for (pos = 0; pos < len; pos += k) {
		k = utf8_decode(tmp + pos, len - pos, &cp);
		if (!k) {
			s.over = true;
			break;
		}
		if (!is_space(cp) && !u_isUWhiteSpace((UChar32)cp))
			sink_put(&s, cp);
	}
	return sink_end(&s);
}

/* ---- dates as people type them ---- */

int date_parts(const char *s, long v[3], int len[3])
{
	int n = 0;
	const char *p = s;
	while (*p && n < 3) {
		while (*p && !isdigit((unsigned char)*p))
			p++;
		if (!*p)
			break;
		char *end;
		v[n] = strtol(p, &end, 10);
		len[n] = (int)(end - p);
		n++;
		p = end;
	}
	while (*p && !isdigit((unsigned char)*p))
		p++;
	return *p ? -1 : n;   /* a fourth number: not a date */
}

bool date_text(const char *in, char out[11])
{
	char t[64];
	if (text_normalize(in, t, sizeof(t)) == (size_t)-1 || !t[0])
		return false;
	/* "1958-03-05 00:00:00": the time goes */
	char *sp = strchr(t, ' ');
	if (sp && strchr(sp, ':'))
		*sp = 0;
	int y, m, d;
	size_t n = strlen(t);
	if (strspn(t, "0123456789") == n) {
		if (n != 8)
			return false;
		y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
		m = (t[4] - '0') * 10 + (t[5] - '0');
		d = (t[6] - '0') * 10 + (t[7] - '0');
	} else {
		/* the separators must be a date's: - / . 年 月 日 号 */
		for (const char *p = t; *p; p++) {
			if (isdigit((unsigned char)*p) || *p == '-' || *p == '/' || *p == '.')
				continue;
			if (strncmp(p, "年", 3) == 0 || strncmp(p, "月", 3) == 0 || strncmp(p, "日", 3) == 0 ||
			    strncmp(p, "号", 3) == 0) {
				p += 2;
				continue;
			}
			return false;
		}
		long v[3];
		int len[3];
		if (date_parts(t, v, len) != 3 || len[0] != 4 || len[1] > 2 || len[2] > 2)
			return false;
		y = (int)v[0];
		m = (int)v[1];
		d = (int)v[2];
	}
	if (!date_valid(y, m, d))
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return true;
}

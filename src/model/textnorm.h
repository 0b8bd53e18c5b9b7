/*
 * textnorm.h — normalisation of text as people type it (full-width forms,
 * odd spaces), classification of search queries, the n-grams a name is
 * indexed by, phone numbers, and strict UTF-8 decoding.
 *
 * Nothing here allocates memory that outlives a call; all output goes to
 * buffers the caller owns.  Traditional characters are kept as typed;
 * only name_key() folds them, for comparing.
 */
#ifndef JW_TEXTNORM_H
#define JW_TEXTNORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Trims, collapses each run of whitespace (ASCII space, tab, CR, LF, U+3000
 * ideographic space, U+00A0 no-break space) to one ASCII space, and folds
 * full-width ASCII U+FF01–U+FF5E to half-width.  Writes NUL-terminated
 * UTF-8 to out; returns its length, or (size_t)-1 when out is too small or
 * in is not valid UTF-8 (out is then "" if outsz > 0).
 */
size_t text_normalize(const char *in, char *out, size_t outsz);

enum query_kind {
	Q_EMPTY,   /* nothing but spaces */
	Q_LATIN,   /* only ASCII letters and spaces: pinyin or a foreign name */
	Q_DIGITS,  /* only digits and X/x, at least one digit: id or phone */
	Q_HAN,     /* contains at least one CJK ideograph */
	Q_OTHER,   /* anything else, e.g. "a1" */
};

/*
 * Classifies a query already passed through text_normalize().  Full-width
 * digits and letters are treated as their ASCII forms, as text_normalize()
 * would have made them.  Invalid UTF-8 is Q_OTHER.
 */
enum query_kind query_classify(const char *normalized);

/*
 * Calls fn once for each distinct unigram (one character) and then each
 * distinct bigram (two adjacent characters) of a name, in order of first
 * appearance.  Spaces and dots (see name_is_separator) are skipped and
 * break adjacency.  Letters are lower-cased (ICU simple case mapping), so
 * Latin names work the same way.  A supplementary-plane character such as
 * 𫖯 (U+2B5AF) counts as one character.  gram is NUL-terminated UTF-8 and
 * valid only during the call.  Returns the number of grams emitted; invalid
 * UTF-8 emits nothing and returns 0.
 */
int name_grams(const char *name, void (*fn)(const char *gram, void *ud),
	       void *ud);

/* Number of code points in s; (size_t)-1 if s is NULL or not valid UTF-8. */
size_t utf8_chars(const char *s);

/*
 * Strict UTF-8 check of len bytes: rejects overlong forms, surrogates
 * (U+D800–U+DFFF), code points above U+10FFFF, stray continuation bytes
 * and sequences cut short.
 */
bool utf8_valid(const char *s, size_t len);

/*
 * Decodes one code point from s (at most len bytes) into *cp, with the same
 * strictness as utf8_valid().  Returns the number of bytes used (1–4), or
 * 0 when the bytes there are not valid UTF-8 (or len is 0).
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Encodes cp as UTF-8 into out (room for 4 bytes, no NUL written).
 * Returns the number of bytes, or 0 for a surrogate or cp > U+10FFFF.
 */
size_t utf8_encode(uint32_t cp, char *out);

/*
 * True for the characters that separate the parts of a name: whitespace
 * (as in text_normalize) and dots — '.', · U+00B7, • U+2022, ‧ U+2027,
 * ・ U+30FB, ．U+FF0E, ･ U+FF65.
 */
bool name_is_separator(uint32_t cp);

/*
 * Phone numbers: folds full-width digits and signs, drops spaces, dashes
 * (- ‐ – — −) and parentheses, then a leading +86 or 0086.  Other
 * characters are kept for the caller's validation to judge.  Writes
 * NUL-terminated text to out; returns its length, or (size_t)-1 when out
 * is too small or in is not valid UTF-8.
 * "+86 138-1234 5678" → "13812345678"; "(010) 6552-1234" → "01065521234".
 */
size_t phone_normalize(const char *in, char *out, size_t outsz);

/*
 * A person's name as stored: a name with a CJK ideograph in it loses every
 * whitespace character (ASCII, U+3000, U+00A0, U+2000–U+200B, at the ends
 * and inside: "张 三 " is 张三) and has full-width ASCII folded; any other
 * name (a Latin one) goes through text_normalize (its spaces are part of
 * it).  Returns the length, or (size_t)-1 when out is too small or in is
 * not valid UTF-8.  in and out may be the same buffer.
 */
size_t name_normalize(const char *in, char *out, size_t outsz);

/*
 * A name as compared, to tell "the same person written another way":
 * name_normalize, NFKC, then ICU's Traditional-Simplified transform (張三
 * and 张三 have the same key).  Same returns as name_normalize.
 */
size_t name_key(const char *in, char *out, size_t outsz);

/*
 * An address as compared: NFKC (full-width digits and letters, compatibility
 * forms) with every whitespace character removed.  Same returns.
 */
size_t address_key(const char *in, char *out, size_t outsz);

/* A date as people type it — 1958-03-05, 1958/3/5, 1958.3.5, 1958年3月5日,
 * 19580305, full-width digits, a trailing 00:00:00 — to YYYY-MM-DD; false
 * if it is none of these or no such day. */
bool date_text(const char *in, char out[11]);
/* The numbers of a date text and their lengths, at most 3; -1 if more. */
int date_parts(const char *s, long v[3], int len[3]);

#endif

/*
 * pinyin.h — the pinyin of a person's name, for search by full pinyin
 * ("zhangsanfeng") or by initials ("zsf").
 *
 * The surname is read first through a table of polyphonic and compound
 * surnames (data/surnames.tsv, built in; 朴 piao, 覃 qin, 万俟 moqi, 拓跋
 * tuoba), then through ICU's "Han-Latin/Names; Latin-ASCII" (so 曾 reads
 * zeng, 单 shan, 仇 qiu, 解 xie); every other character through
 * "Han-Latin; Latin-ASCII".  ICU is slow (tens of µs a name), so each
 * distinct character is transliterated once and its reading kept in a
 * process-wide cache; the module owns that cache, the table and the
 * transliterators until pinyin_shutdown().  All functions but
 * pinyin_use_surnames() are safe to call from several threads at once.
 */
#ifndef JW_PINYIN_H
#define JW_PINYIN_H

#include <stddef.h>

/*
 * Opens the transliterators and the cache.  0 on success, -1 when ICU
 * cannot open them.  Calling it again while open is a no-op that returns 0.
 * pinyin_of_name() calls it on first use, so calling it up front only moves
 * the cost (a few ms) out of the first request.
 */
int pinyin_init(void);

/*
 * Closes the transliterators and frees the cache.  No other thread may be
 * inside pinyin_of_name() at the time.  pinyin_init() may be called again.
 */
void pinyin_shutdown(void);

/*
 * Writes the pinyin of a UTF-8 name.
 *
 * full: the readings concatenated, lower-case ASCII, no spaces or tones
 * ("zhangsanfeng").  initials: the first letter of each Chinese character's
 * reading ("zsf").  The first character is read as a surname, or the first
 * two when they are a compound surname of the table (欧阳, 万俟, 长孙, …);
 * a surname of the table takes the table's first reading.
 *
 * Latin letters ("KIM MINJUN", "MÜLLER THOMAS") are lower-cased and folded
 * to ASCII by ICU (Ü→u, ß→ss), spaces and dots dropped, and each Latin word
 * gives its first letter to initials ("kimminjun", "km").  Spaces and
 * middle dots (· U+00B7, ・ U+30FB, • U+2022) are skipped, and so is any
 * character without a reading (digits, punctuation, Han characters ICU has
 * no reading for, invalid UTF-8 bytes).
 *
 * Returns 0, or -1 when a buffer is too small (both outputs are then still
 * NUL-terminated, truncated) or the module cannot be initialised (both
 * outputs empty).  A NULL name is the empty name; a NULL full or initials
 * buffer means that output is not wanted.
 */
int pinyin_of_name(const char *utf8name, char *full, size_t fullsz,
		   char *initials, size_t inisz);

/* Called with each search key of a name; key lives for the call only. */
typedef void (*pinyin_key_cb)(const char *key, void *ud);

/*
 * The keys a person is found by when a name is typed in Latin letters, for
 * a prefix search.  For each reading of the surname — the table's readings,
 * ICU's surname reading and ICU's common reading of the character (单:
 * shan, dan; 朴: piao, pu; 万俟: moqi, wanqi) — and with the rest of the
 * name as pinyin_of_name() reads it: the full pinyin of the first k
 * syllables followed by the initials of the others, for k = 0 (initials,
 * "zsf"), 1 ("zhangsf"), … up to 4, and the whole full pinyin
 * ("zhangsanfeng").  A key that begins another key of the same name is left
 * out (a prefix search finds it through the longer one), so "zhangs" and
 * "zhangsanf" are found through "zhangsanfeng".  Keys are lower-case ASCII,
 * at most 127 bytes, each given once.
 *
 * Returns the number of keys given (0 for a name without any reading), or
 * -1 when the module cannot be initialised.
 */
int pinyin_keys(const char *utf8name, pinyin_key_cb cb, void *ud);

/*
 * Names the version of the keys: the key scheme and a hash of the surname
 * table in use ("k1:0123456789abcdef").  A store whose keys were made under
 * another version re-indexes its names.
 */
const char *pinyin_keys_version(void);

/*
 * Uses the surname table in the file at path (data/surnames.tsv's format)
 * instead of the built-in one, from the next pinyin_init(); NULL goes back
 * to the built-in table.  0 on success; -1 when the file cannot be read or
 * a line is wrong (msg then says which line and why, in Chinese), or the
 * module is open (call it before pinyin_init() or after pinyin_shutdown(),
 * with no other thread inside the module).
 */
int pinyin_use_surnames(const char *path, char *msg, size_t msgsz);

#endif

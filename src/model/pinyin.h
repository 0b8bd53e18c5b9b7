/*
 * pinyin.h — the pinyin of a person's name, for search by full pinyin
 * ("zhangsanfeng") or by initials ("zsf").
 *
 * Readings come from ICU's transliterators, not from a table of our own:
 * "Han-Latin/Names; Latin-ASCII" for the surname (so 曾 reads zeng, 单 shan,
 * 仇 qiu, 解 xie) and "Han-Latin; Latin-ASCII" for every other character.
 * ICU is slow (tens of µs a name), so each distinct character is
 * transliterated once and its reading kept in a process-wide cache; the
 * module owns that cache and the transliterators until pinyin_shutdown().
 * All functions are safe to call from several threads at once.
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
 * two when they are a compound surname (欧阳, 司马, 长孙, …).
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

#endif

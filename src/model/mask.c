/*
 * mask.c — masking of ID and phone numbers for display; see mask.h.
 *
 * Both functions walk the input one UTF-8 character at a time and append
 * whole characters to the output, so a short buffer or odd input never
 * yields a broken character.
 */
#include "model/mask.h"
#include "model/entity.h"

#include <stdbool.h>
#include <string.h>

/* The output being written: stops for good at the first thing not fitting. */
struct mask_out {
	char *p;
	size_t size;    /* of p */
	size_t used;    /* bytes written, excluding the NUL */
	bool full;
};

/*
 * Length of the UTF-8 character at s (s non-empty): 1 to 4, or 0 for a
 * malformed or truncated sequence (then one byte is taken as '?').
 */
static size_t u8_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0)
		n = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3;
	else if ((s[0] & 0xF8) == 0xF0)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)      /* also stops at the NUL */
			return 0;
	return n;
}

/* Advances over one character; returns its byte length (>= 1). */
static size_t next_char(const char *s, size_t *len)
{
	size_t n = u8_len((const unsigned char *)s);
	*len = n;
	return n ? n : 1;
}

static size_t count_chars(const char *s)
{
	size_t n = 0, len;
	while (*s) {
		s += next_char(s, &len);
		n++;
	}
	return n;
}

/* Appends the n bytes at s (n == 0: a malformed byte, written as '?'). */
static void put(struct mask_out *o, const char *s, size_t n)
{
	size_t need = n ? n : 1;

	if (o->full || o->used + need >= o->size) {
		o->full = true;
		return;
	}
	if (n)
		memcpy(o->p + o->used, s, n);
	else
		o->p[o->used] = '?';
	o->used += need;
	o->p[o->used] = '\0';
}

static bool mask_begin(struct mask_out *o, const char *s, char *out,
		       size_t outsz)
{
	o->p = out;
	o->size = outsz;
	o->used = 0;
	o->full = false;
	if (!outsz)
		return false;
	out[0] = '\0';
	return s && *s;
}

void mask_idnum(const char *s, char *out, size_t outsz)
{
	struct mask_out o;
	size_t n, head, tail, i, len, step;

	if (!mask_begin(&o, s, out, outsz))
		return;
	n = count_chars(s);
	if (n >= 15) {
		head = 6;
		tail = 4;
	} else if (n >= 3) {
		head = 1;
		tail = 1;
	} else {
		head = 0;
		tail = 0;
	}
	for (i = 0; *s && !o.full; i++, s += step) {
		step = next_char(s, &len);
		if (i < head || i >= n - tail)
			put(&o, s, len);
		else
			put(&o, "*", 1);
	}
}

/* Whether the character at s (len bytes) is an ASCII or full-width digit. */
static bool is_digit_char(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (len == 1)
		return u[0] >= '0' && u[0] <= '9';
	/* U+FF10..U+FF19 is EF BC 90..99 */
	return len == 3 && u[0] == 0xEF && u[1] == 0xBC &&
	       u[2] >= 0x90 && u[2] <= 0x99;
}

/* Whether a digit is '1', in either width. */
static bool is_one(const char *s, size_t len)
{
	return (len == 1 && s[0] == '1') ||
	       (len == 3 && memcmp(s, "\xEF\xBC\x91", 3) == 0);
}

void mask_phone(const char *s, char *out, size_t outsz)
{
	struct mask_out o;
	const char *p;
	size_t digits = 0, head, tail, d, len, step;
	bool mobile = false;

	if (!mask_begin(&o, s, out, outsz))
		return;
	for (p = s; *p; p += step) {
		step = next_char(p, &len);
		if (is_digit_char(p, len)) {
			if (digits == 0 && is_one(p, len))
				mobile = true;
			digits++;
		}
	}
	if (digits == 11 && mobile) {
		head = 3;
		tail = 4;
	} else if (digits >= 7) {
		head = 3;
		tail = 2;
	} else if (digits >= 3) {
		head = 1;
		tail = 1;
	} else {
		head = 0;
		tail = 0;
	}
	for (p = s, d = 0; *p && !o.full; p += step) {
		step = next_char(p, &len);
		if (!is_digit_char(p, len)) {
			put(&o, p, len);
			continue;
		}
		if (d < head || d >= digits - tail)
			put(&o, p, len);
		else
			put(&o, "*", 1);
		d++;
	}
}

const char *sens_display(int sens, const char *v, bool reveal, char *tmp, size_t tmpsz)
{
	if (!v || reveal || sens == SENS_NONE)
		return v;
	if (sens == SENS_ID)
		mask_idnum(v, tmp, tmpsz);
	else
		mask_phone(v, tmp, tmpsz);
	return tmp;
}

const char *field_display(const struct field_def *f, const char *v, bool reveal, char *tmp, size_t tmpsz)
{
	return sens_display(f ? (int)f->sens : SENS_NONE, v, reveal, tmp, tmpsz);
}

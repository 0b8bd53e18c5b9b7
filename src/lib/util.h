/*
 * util.h — small generic helpers: checked number parsing (OpenBSD
 * strtonum), string duplication that cannot return NULL silently, dates.
 */
#ifndef JW_UTIL_H
#define JW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Parses a whole decimal integer in [min,max]; false on junk or range. */
bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* malloc-or-die duplicates (the program cannot go on without memory). */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);

/* Copies at most dstsz-1 bytes, always terminates; returns strlen(src). */
size_t strlcpy_jw(char *dst, const char *src, size_t dstsz);

bool str_empty(const char *s);   /* NULL or "" */

/* Dates as "YYYY-MM-DD". */
bool date_valid(int y, int m, int d);
bool date_parse(const char *s, int *y, int *m, int *d);
/* Completed years of age on (ty,tm,td) for someone born (y,m,d). */
int age_on(int y, int m, int d, int ty, int tm, int td);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t days_from_civil(int64_t y, int m, int d);
void civil_from_days(int64_t z, int *y, int *m, int *d);
/* Today's local date. */
void date_today(int *y, int *m, int *d);
/* The date `years` before y-m-d: whoever was born on or before it is at
 * least that old on y-m-d (someone born on 29 February comes of age on
 * 28 February of a common year).  out: YYYY-MM-DD. */
void date_years_before(int years, int y, int m, int d, char out[11]);
/* Makes an empty private file $TMPDIR/juwei-XXXXXX<suffix> (or /tmp) and
 * writes its path to out; len bytes of data are written when data is
 * non-NULL.  false (and nothing left behind) on failure. */
bool temp_file(char *out, size_t outsz, const char *suffix, const void *data, size_t len);
/* Seconds since the epoch. */
int64_t now_s(void);

#endif

/*
 * buf.h — one growable byte buffer with a size cap (git strbuf, curl dynbuf),
 * and the escaping writers for HTML, JSON and CSV.  Text that comes from a
 * user reaches a page or a document only through buf_html / buf_json_str /
 * buf_csv.
 *
 * A buf always keeps data NUL-terminated once anything was added.  When a
 * write would pass max, the buf is marked failed and later writes are
 * ignored; check buf_ok() once at the end.
 */
#ifndef JW_BUF_H
#define JW_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;   /* owned; NULL until the first write */
	size_t len;   /* bytes used, not counting the NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* cap on len; 0 means 64 MiB */
	bool failed;  /* a write hit max or malloc failed */
};

#define BUF_INIT { NULL, 0, 0, 0, false }

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);      /* frees data, buf reusable */
void buf_reset(struct buf *b);        /* len = 0, keeps memory */
bool buf_ok(const struct buf *b);
/* Hands the data to the caller (who frees it) and resets b. Never NULL unless failed. */
char *buf_detach(struct buf *b, size_t *len);
const char *buf_cstr(struct buf *b);  /* "" when empty */

void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Escaping writers.  NULL is written as nothing (JSON: null for buf_json_str). */
void buf_html(struct buf *b, const char *s);      /* & < > " ' escaped */
void buf_json_str(struct buf *b, const char *s);  /* with the quotes */
void buf_csv(struct buf *b, const char *s);       /* quoted when needed */
void buf_url(struct buf *b, const char *s);       /* percent-encoding */

#endif

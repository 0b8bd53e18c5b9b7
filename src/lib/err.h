/*
 * err.h — the one error enum of Juwei, and the detail that travels with it.
 *
 * A code's number never changes.  err_table (err.c) maps each code to its
 * HTTP status, its stable JSON code string and a default Chinese message.
 * The human text travels beside the code in struct jw_error, never inside
 * a log string.
 */
#ifndef JW_ERR_H
#define JW_ERR_H

#include <stdarg.h>

#include <stddef.h>

enum jw_err {
	JW_OK = 0,
	JW_EINVAL = 1,      /* a field's value is invalid (422) */
	JW_EBADREQ = 2,     /* the request itself is malformed (400) */
	JW_EAUTH = 3,       /* not logged in / wrong credentials (401) */
	JW_EPERM = 4,       /* logged in but not allowed (403) */
	JW_ENOTFOUND = 5,   /* no such record or page (404) */
	JW_ECONFLICT = 6,   /* duplicates a unique value (409) */
	JW_ELOCKED = 7,     /* account locked after wrong passwords (403) */
	JW_ECSRF = 8,       /* missing or wrong CSRF token (403) */
	JW_ESTORE = 9,      /* the store failed (500) */
	JW_ENOMEM = 10,     /* out of memory (500) */
	JW_EIO = 11,        /* file or network I/O failed (500) */
	JW_EMETHOD = 12,    /* method not allowed on this path (405) */
	JW_ETOOBIG = 13,    /* request body too large (413) */
	JW_EUSAGE = 14,     /* command-line usage error (exit 2) */
	JW_EWEAKPW = 15,    /* password too weak (422) */
	JW_EBUSY = 16,      /* the store is locked by a long write, e.g. an import (503) */
	JW_EMEDIA = 17,     /* a JSON endpoint sent a body that is not application/json (415) */
	JW_ERR__COUNT
};

/* The detail of one failure: which field, and what a user reads. */
struct jw_error {
	enum jw_err code;   /* JW_OK when nothing failed */
	char field[64];     /* the field at fault ("id_number"), or "" */
	char message[512];  /* Chinese text for the user, naming the fix */
};

/* Sets e (may be NULL) and returns code, so callers can `return jw_fail(...)`. */
int jw_fail(struct jw_error *e, enum jw_err code, const char *field,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with a va_list (for other helpers taking printf arguments). */
int jw_vfail(struct jw_error *e, enum jw_err code, const char *field, const char *fmt, va_list ap);
void jw_error_clear(struct jw_error *e);

int err_http_status(enum jw_err code);
const char *err_code_str(enum jw_err code);   /* "invalid", "conflict", … */
const char *err_default_msg(enum jw_err code); /* Chinese */

#endif

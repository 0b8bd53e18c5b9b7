/*
 * http.h — requests, responses and the route table.
 *
 * server.c runs libmicrohttpd (internal thread pool, epoll) and turns each
 * request into a struct http_req; router.c matches it against the one
 * const route table (routes.c), checks the session, the role and the CSRF
 * token, and only then calls the handler.  Handlers in api/ and web/ are
 * thin: parse, call svc/, render into struct http_resp.
 */
#ifndef JW_HTTP_H
#define JW_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "model/entity.h"
#include "store/store.h"
#include "svc/svc.h"

#define HTTP_MAX_BODY (1 << 20)   /* 1 MiB: forms and JSON */
#define HTTP_MAX_UPLOAD (64 << 20) /* 64 MiB: a roster file (R_UPLOAD routes) */
#define HTTP_MAX_PARAMS 128

struct kv {
	char *key;
	char *val;
};

struct http_req {
	const char *method;          /* "GET", "POST", … */
	const char *path;            /* path without the query */
	void *conn;                  /* struct MHD_Connection * */
	char ip[48];
	struct buf body;             /* raw request body */
	struct kv form[HTTP_MAX_PARAMS];  /* parsed x-www-form-urlencoded body */
	int nform;
	bool form_parsed;
	const char *upload;          /* multipart: the file part's bytes (in body) */
	size_t upload_len;
	char upload_name[256];       /* its file name as the browser sent it */
	int64_t id;                  /* {id} of the matched pattern, or 0 */
	char key[48];                /* {key} of the matched pattern ([a-z0-9_]), or "" */
	const struct route *route;
	struct store *st;            /* this thread's store connection */
	struct actor actor;          /* who is asking (when authed) */
	bool authed;
	char csrf[65];               /* the session's CSRF token */
	char token[65];              /* the session token (cookie or bearer) */
};

#define HTTP_MAX_COOKIES 3
struct http_resp {
	int status;
	const char *content_type;
	struct buf body;
	char location[1024];         /* for redirects */
	char cookies[HTTP_MAX_COOKIES][256];
	int ncookies;
	bool no_store;               /* Cache-Control: no-store */
	int file_fd;                 /* > 0: send this open file instead of body */
	int64_t file_size;
	char filename[160];          /* Content-Disposition: attachment (UTF-8) */
};

enum route_flag {
	R_PUBLIC = 1 << 0,   /* no session needed */
	R_API    = 1 << 1,   /* JSON API: Bearer token; errors as JSON */
	R_ID     = 1 << 2,   /* pattern ends in {id} or has {id} */
	R_WRITE  = 1 << 3,   /* a GET that writes (an export's audit record):
			      * not run inside a read snapshot */
	R_UPLOAD = 1 << 4,   /* the body may be a file up to HTTP_MAX_UPLOAD */
};

typedef void (*http_handler)(struct http_req *, struct http_resp *);

struct route {
	const char *method;
	const char *pattern;      /* "/api/v1/persons/{id}" */
	http_handler handler;
	unsigned flags;           /* enum route_flag */
	int ent;                  /* enum entity_id the handler works on, or -1 */
};

extern const struct route routes[];
extern const int nroutes;

/* Request helpers. */
const char *req_query(struct http_req *r, const char *name);   /* URL query */
const char *req_form(struct http_req *r, const char *name);    /* POST form */
const char *req_header(struct http_req *r, const char *name);
const char *req_cookie(struct http_req *r, const char *name);
/* A query parameter as an integer; def when absent; false when malformed. */
bool req_query_int(struct http_req *r, const char *name, int64_t def, int64_t *out);
const struct entity_def *req_entity(const struct http_req *r);

/* Response helpers. */
void resp_redirect(struct http_resp *w, const char *location);
void resp_cookie(struct http_resp *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void resp_json_error(struct http_resp *w, const struct jw_error *e, const struct verr *ve);

/* The route's body limit: HTTP_MAX_UPLOAD for R_UPLOAD routes. */
size_t http_body_limit(const char *method, const char *url);
/* Multipart form-data (router.c): text parts into kv, the first file part
 * into *file (pointers into body).  Exposed for tests and fuzzing. */
int multipart_parse(const char *body, size_t len, const char *content_type, struct kv *out, int max,
		    const char **file, size_t *file_len, char *file_name, size_t file_name_sz);
/* Sends the file at path as an attachment named name (the file is opened
 * and unlinked: it goes when the answer is sent). */
int resp_file(struct http_resp *w, const char *path, const char *name, const char *content_type);
/* A download made on the spot: fn writes the file at the temporary path
 * it is given; on success the answer is that file, named name.  JW_OK, or
 * fn's error (err set; the temporary file is gone). */
typedef int (*make_file_fn)(void *ud, const char *path, struct jw_error *err);
int resp_made_file(struct http_resp *w, const char *suffix, const char *name, const char *content_type,
		   make_file_fn fn, void *ud, struct jw_error *err);
/* The store location the server serves (for background jobs). */
const char *http_store_location(void);

/* The dispatcher (router.c). */
void http_dispatch(struct http_req *r, struct http_resp *w);
/* Form-urlencoded parsing (router.c), exposed for tests and fuzzing. */
int form_parse(const char *body, size_t len, struct kv *out, int max);
void form_free(struct kv *kv, int n);

/* Starts serving db on listen ("HOST:PORT"); returns when stopped by a signal. */
int http_serve(const char *db, const char *listen, int threads, struct jw_error *err);

#endif

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
#define HTTP_MAX_UPLOAD (64 << 20) /* 64 MiB: a roster file (BODY_UPLOAD routes) */
#define HTTP_MAX_PARAMS 128
#define HTTP_MAX_QSPEC 24         /* typed query parameters a route declares */

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
	struct json_t *json;         /* BODY_JSON routes: the body, a JSON object (router.c frees it) */
	const struct ledger_def *ledger;  /* {key} routes: the ledger it names (found by the router) */
	int64_t qint[HTTP_MAX_QSPEC];  /* the route's Q_INT parameters, checked (req_int) */
	int64_t id;                  /* {id} of the matched pattern, or 0 */
	char key[48];                /* {key} of the matched pattern ([a-z0-9_]), or "" */
	const struct route *route;
	struct store *st;            /* this thread's store connection */
	struct actor actor;          /* who is asking (when authed) */
	bool authed;
	char csrf[65];               /* the session's CSRF token */
	char token[65];              /* the session token (cookie or bearer) */
	struct queued *queued;       /* server.c: on its way through the writer thread */
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
	R_WRITER = 1 << 4,   /* the caller needs write access to the route's entity
			      * (svc_can P_WRITE) */
	R_LREAD  = 1 << 5,   /* {key} routes: the caller may read the ledger */
	R_LWRITE = 1 << 6,   /* {key} routes: the caller may write the ledger */
	R_ALONE  = 1 << 7,   /* a write that runs its own transactions (long, or in
			      * batches): not grouped with other writes (server.c) */
	R_AREA   = 1 << 8,   /* open to a street office's or district's user
			      * (figures only); its `community` parameter names
			      * the community it looks into (svc_area_enter) */
};

/* What a route takes as its body; the router answers 415 for another kind
 * (and 400 for a JSON body that is not an object) before the handler runs. */
enum route_body {
	BODY_NONE = 0,   /* nothing (a GET, POST /logout) */
	BODY_JSON,       /* a JSON object, parsed into r->json */
	BODY_JSON_OPT,   /* the same, or an empty body (then r->json is {}) */
	BODY_FORM,       /* a page's form (x-www-form-urlencoded or multipart) */
	BODY_UPLOAD,     /* a file up to HTTP_MAX_UPLOAD (API: the raw body; pages: multipart) */
};

/* A query parameter a route accepts, with its type; the router checks
 * it before the handler runs (400 naming it and the fix).  Parameters a
 * route does not declare are ignored, as they always were. */
enum qtype {
	Q_INT,     /* a decimal integer in [min, max]; def when absent or empty */
	Q_DATE,    /* YYYY-MM-DD */
	Q_TEXT,    /* text of at most max characters */
	Q_CODE,    /* a code (or label) of code table min */
	Q_BOOL,    /* 1/0, true/false */
	Q_WORD,    /* one of the words of words ("xlsx|csv") */
};
struct qparam {
	const char *name;
	enum qtype type;
	int64_t min, max, def;
	const char *words;        /* Q_WORD */
	bool required;
};
#define QP_INT(n, lo, hi, d) { n, Q_INT, lo, hi, d, NULL, false }
#define QP_ID(n) { n, Q_INT, 0, INT64_MAX / 4, 0, NULL, false }
#define QP_TEXT(n, maxlen) { n, Q_TEXT, 0, maxlen, 0, NULL, false }
#define QP_DATE(n) { n, Q_DATE, 0, 0, 0, NULL, false }
#define QP_CODE(n, table) { n, Q_CODE, table, 0, 0, NULL, false }
#define QP_BOOL(n) { n, Q_BOOL, 0, 0, 0, NULL, false }
#define QP_WORD(n, w) { n, Q_WORD, 0, 0, 0, w, false }
#define QP_END { NULL, Q_INT, 0, 0, 0, NULL, false }

typedef void (*http_handler)(struct http_req *, struct http_resp *);

/* A route: what it answers and what it takes.  The router matches the
 * pattern ({id} a plain decimal, {key} a word of [a-z0-9_]), finds the
 * session, checks the permission (roles, R_WRITER), the body's kind and
 * the declared query parameters, and only then calls the handler. */
struct route {
	const char *method;
	const char *pattern;      /* "/api/v1/persons/{id}" */
	http_handler handler;
	unsigned flags;           /* enum route_flag */
	int ent;                  /* enum entity_id the handler works on, or -1 */
	enum route_body body;
	const struct qparam *query;   /* QP_END-terminated, or NULL: none checked */
	unsigned roles;           /* role set (1u << enum role); 0: any session */
};
#define ROLE_BIT(r) (1u << (r))

extern const struct route routes[];
extern const int nroutes;

/* Request helpers. */
const char *req_query(struct http_req *r, const char *name);   /* URL query */
const char *req_form(struct http_req *r, const char *name);    /* POST form */
const char *req_header(struct http_req *r, const char *name);
const char *req_cookie(struct http_req *r, const char *name);
/* A declared parameter, already checked by the router: a Q_INT's value
 * (its default when absent), a Q_BOOL's truth. */
int64_t req_int(const struct http_req *r, const char *name);
bool req_bool(struct http_req *r, const char *name);
const struct kind *req_entity(const struct http_req *r);

/* Response helpers. */
void resp_redirect(struct http_resp *w, const char *location);
void resp_cookie(struct http_resp *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void resp_json_error(struct http_resp *w, const struct jw_error *e, const struct verr *ve);
/* The one API error helper: code, field and a message (printf). */
void api_fail(struct http_resp *w, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An error in the request's own form: JSON for /api, an error page otherwise. */
void req_fail(struct http_req *r, struct http_resp *w, const struct jw_error *e);
/* 200/201 … with a JSON body to follow. */
void resp_json(struct http_resp *w, int status);
/* The one list envelope: {"items":[ … ],"total":N[,"page":P,"per_page":S]}.
 * list_begin opens it; items are written with list_sep before each; list_end
 * closes it (page < 1: no paging members). */
struct list_env {
	struct buf *b;
	int64_t n;
};
void list_begin(struct list_env *l, struct buf *b);
void list_sep(struct list_env *l);
void list_end(struct list_env *l, int64_t total, int64_t page, int64_t per_page);

/* ---- the route spec's checks (spec.c, pure: unit-tested) ---- */
/* Checks the declared parameters; get(ud, name) gives a raw value or NULL.
 * Q_INT values go to vals[i] (i: the parameter's index in spec).  JW_OK, or
 * JW_EBADREQ with err naming the parameter and what it should be. */
int qspec_check(const struct qparam *spec, const char *(*get)(void *ud, const char *name), void *ud,
		int64_t *vals, struct jw_error *err);
/* The index of name in spec, or -1. */
int qspec_index(const struct qparam *spec, const char *name);
/* Whether a Q_BOOL's text is true ("1", "true"). */
bool qbool_true(const char *v);
/* Whether the actor's role is in the set (0: any). */
bool role_allowed(unsigned roles, enum role r);
/* "管理员、社区主任": the roles of a set, for messages. */
void role_set_label(unsigned roles, char *out, size_t outsz);

/* ---- the one pager (pager.c): the web lists' links, the API's paging ---- */
struct pager {
	int64_t page, per_page, total;
	int64_t pages;           /* at least 1 */
	int64_t offset;          /* (page - 1) * per_page */
};
/* The request's page and per_page (declared Q_INT parameters; per_page
 * fixed when the route does not declare it, then def_per_page). */
void pager_from(struct pager *p, const struct http_req *r, int64_t def_per_page);
void pager_set(struct pager *p, int64_t page, int64_t per_page, int64_t total);
/* The page links: link(ud, page, b) writes the URL of a page. */
typedef void (*pager_link_fn)(void *ud, int64_t page, struct buf *b);
void pager_html(struct buf *b, const struct pager *p, pager_link_fn link, void *ud);

/* The route's body limit: HTTP_MAX_UPLOAD for BODY_UPLOAD routes. */
size_t http_body_limit(const char *method, const char *url);
/* Whether the request is a short write that the server's writer thread may
 * run inside one transaction with others (a group commit): a POST, PATCH,
 * PUT or DELETE that needs a session, takes no upload and is not R_ALONE. */
bool http_grouped(const char *method, const char *url);
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
/* replicas: read replicas of db (store_add_replica) for the worker threads' reads. */
int http_serve(const char *db, const char *listen, int threads, const char *const *replicas, int nreplicas,
	       struct jw_error *err);

#endif

/*
 * router.c — the generic part of every request: match the route table,
 * answer 404/405, find the session (Bearer token for the API, cookie for
 * pages), check the CSRF token of every browser write, then call the
 * handler.  Also the small request/response helpers.
 */
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "lib/util.h"
#include "svc/area.h"
#include "web/web.h"

const char *req_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

int64_t req_int(const struct http_req *r, const char *name)
{
	int i = qspec_index(r->route ? r->route->query : NULL, name);
	return i >= 0 && i < HTTP_MAX_QSPEC ? r->qint[i] : 0;
}

bool req_bool(struct http_req *r, const char *name)
{
	return qbool_true(req_query(r, name));
}

const struct kind *req_entity(const struct http_req *r)
{
	return r->route && r->route->ent >= 0 ? &entities[r->route->ent] : NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *url_decode(const char *s, size_t n)
{
	char *out = xcalloc(n + 1, 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
			   hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

int form_parse(const char *body, size_t len, struct kv *out, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len && n < max) {
		size_t j = i;
		while (j < len && body[j] != '&')
			j++;
		size_t eq = i;
		while (eq < j && body[eq] != '=')
			eq++;
		if (j > i) {
			out[n].key = url_decode(body + i, eq - i);
			out[n].val = eq < j ? url_decode(body + eq + 1, j - eq - 1) : xstrdup("");
			/* NULs smuggled in by %00 end the value there: harmless */
			n++;
		}
		i = j + 1;
	}
	return n;
}

void form_free(struct kv *kv, int n)
{
	for (int i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
}

static bool match(const char *pattern, const char *path, int64_t *id);

/* Finds needle (n bytes) in hay (len bytes). */
static const char *mem_find(const char *hay, size_t len, const char *needle, size_t n)
{
	return n && len >= n ? memmem(hay, len, needle, n) : NULL;
}

/* The value of a parameter in a header line: name="value" or name=value. */
static bool header_param(const char *h, size_t hlen, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i + nl + 1 < hlen; i++) {
		if (strncasecmp(h + i, name, nl) != 0 || h[i + nl] != '=' ||
		    (i > 0 && h[i - 1] != ' ' && h[i - 1] != ';' && h[i - 1] != '\t'))
			continue;
		const char *v = h + i + nl + 1, *end = h + hlen;
		size_t o = 0;
		if (v < end && *v == '"') {
			v++;
			while (v < end && *v != '"' && o + 1 < outsz)
				out[o++] = *v++;
		} else {
			while (v < end && *v != ';' && *v != ' ' && *v != '\r' && o + 1 < outsz)
				out[o++] = *v++;
		}
		out[o] = 0;
		return true;
	}
	return false;
}

int multipart_parse(const char *body, size_t len, const char *content_type, struct kv *out, int max,
		    const char **file, size_t *file_len, char *file_name, size_t file_name_sz)
{
	char bnd[96] = "--", b2[80];
	int n = 0;
	*file = NULL;
	*file_len = 0;
	if (!content_type || !header_param(content_type, strlen(content_type), "boundary", b2, sizeof(b2) - 4) ||
	    !b2[0])
		return 0;
	snprintf(bnd, sizeof(bnd), "--%s", b2);
	size_t bl = strlen(bnd);
	const char *end = body + len;
	const char *p = mem_find(body, len, bnd, bl);
	while (p && n < max) {
		p += bl;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;                       /* the closing boundary */
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
			p += 2;
		const char *hend = mem_find(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hend)
			break;
		const char *data = hend + 4;
		char delim[100];
		snprintf(delim, sizeof(delim), "\r\n%s", bnd);
		const char *next = mem_find(data, (size_t)(end - data), delim, bl + 2);
		if (!next)
			break;
		char name[128] = "", fname[256] = "";
		bool has_file = header_param(p, (size_t)(hend - p), "filename", fname, sizeof(fname));
		header_param(p, (size_t)(hend - p), "name", name, sizeof(name));
		if (has_file) {
			if (!*file) {
				*file = data;
				*file_len = (size_t)(next - data);
				snprintf(file_name, file_name_sz, "%s", fname);
			}
		} else if (name[0]) {
			out[n].key = xstrdup(name);
			out[n].val = xstrndup(data, (size_t)(next - data));
			n++;
		}
		p = next + 2;
	}
	return n;
}

const char *req_form(struct http_req *r, const char *name)
{
	if (!r->form_parsed) {
		r->form_parsed = true;
		const char *ct = req_header(r, "Content-Type");
		if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
			r->nform = form_parse(r->body.data ? r->body.data : "", r->body.len, r->form,
					      HTTP_MAX_PARAMS);
		else if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0 && r->body.data)
			r->nform = multipart_parse(r->body.data, r->body.len, ct, r->form, HTTP_MAX_PARAMS,
						   &r->upload, &r->upload_len, r->upload_name,
						   sizeof(r->upload_name));
	}
	for (int i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].key, name) == 0)
			return r->form[i].val;
	return NULL;
}

size_t http_body_limit(const char *method, const char *url)
{
	for (int i = 0; i < nroutes; i++) {
		int64_t id;
		if (routes[i].body == BODY_UPLOAD && strcmp(routes[i].method, method) == 0 &&
		    match(routes[i].pattern, url, &id))
			return HTTP_MAX_UPLOAD;
	}
	return HTTP_MAX_BODY;
}

bool http_grouped(const char *method, const char *url)
{
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return false;
	for (int i = 0; i < nroutes; i++) {
		int64_t id;
		if (strcmp(routes[i].method, method) == 0 && match(routes[i].pattern, url, &id))
			return routes[i].body != BODY_UPLOAD && !(routes[i].flags & (R_PUBLIC | R_ALONE));
	}
	return false;
}

int resp_file(struct http_resp *w, const char *path, const char *name, const char *content_type)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return JW_EIO;
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return JW_EIO;
	}
	unlink(path);
	w->file_fd = fd;
	w->file_size = (int64_t)sb.st_size;
	w->content_type = content_type;
	snprintf(w->filename, sizeof(w->filename), "%s", name);
	return JW_OK;
}

int resp_made_file(struct http_resp *w, const char *suffix, const char *name, const char *content_type,
		   make_file_fn fn, void *ud, struct jw_error *err)
{
	char path[512];
	if (!temp_file(path, sizeof(path), suffix, NULL, 0))
		return jw_fail(err, JW_EIO, "", "服务器无法创建导出文件（临时目录不可写）");
	int rc = fn(ud, path, err);
	if (rc == JW_OK && resp_file(w, path, name, content_type) != JW_OK)
		rc = jw_fail(err, JW_EIO, "", "导出文件无法读取");
	if (rc != JW_OK)
		unlink(path);
	return rc;
}

void resp_redirect(struct http_resp *w, const char *location)
{
	w->status = 303;
	snprintf(w->location, sizeof(w->location), "%s", location);
	buf_reset(&w->body);
}

void resp_cookie(struct http_resp *w, const char *fmt, ...)
{
	if (w->ncookies >= HTTP_MAX_COOKIES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->cookies[w->ncookies++], sizeof(w->cookies[0]), fmt, ap);
	va_end(ap);
}

void resp_json_error(struct http_resp *w, const struct jw_error *e, const struct verr *ve)
{
	const char *msg = e->message[0] ? e->message : err_default_msg(e->code);
	w->status = err_http_status(e->code);
	w->content_type = "application/json; charset=utf-8";
	w->no_store = true;
	buf_reset(&w->body);
	buf_adds(&w->body, "{\"error\":{\"code\":");
	buf_json_str(&w->body, err_code_str(e->code));
	buf_adds(&w->body, ",\"field\":");
	buf_json_str(&w->body, e->field);
	buf_adds(&w->body, ",\"message\":");
	buf_json_str(&w->body, msg);
	buf_addc(&w->body, '}');
	if (ve && ve->n) {
		buf_adds(&w->body, ",\"errors\":[");
		for (int i = 0; i < ve->n; i++) {
			if (i)
				buf_addc(&w->body, ',');
			buf_adds(&w->body, "{\"field\":");
			buf_json_str(&w->body, ve->item[i].field);
			buf_adds(&w->body, ",\"message\":");
			buf_json_str(&w->body, ve->item[i].message);
			buf_addc(&w->body, '}');
		}
		buf_addc(&w->body, ']');
	}
	buf_addc(&w->body, '}');
}

void api_fail(struct http_resp *w, int code, const char *field, const char *fmt, ...)
{
	struct jw_error e;
	va_list ap;
	va_start(ap, fmt);
	jw_vfail(&e, code, field, fmt, ap);
	va_end(ap);
	resp_json_error(w, &e, NULL);
}

void resp_json(struct http_resp *w, int status)
{
	w->status = status;
	w->content_type = "application/json; charset=utf-8";
}

void list_begin(struct list_env *l, struct buf *b)
{
	l->b = b;
	l->n = 0;
	buf_adds(b, "{\"items\":[");
}

void list_sep(struct list_env *l)
{
	if (l->n++)
		buf_addc(l->b, ',');
}

void list_end(struct list_env *l, int64_t total, int64_t page, int64_t per_page)
{
	buf_addf(l->b, "],\"total\":%lld", (long long)total);
	if (page > 0)
		buf_addf(l->b, ",\"page\":%lld,\"per_page\":%lld", (long long)page, (long long)per_page);
	buf_addc(l->b, '}');
}

/* Matches path against pattern; {id} takes a positive integer written as
 * plain decimal digits without a leading zero, {key} a
 * word of [a-z0-9_] (written to key when non-NULL).  With bad non-NULL, a
 * segment that is not such a value still matches and *bad names the first
 * parameter at fault ("id", "key"): the router then says what is wrong. */
static bool match_loose(const char *pattern, const char *path, int64_t *id, char *key, const char **bad);
static bool match_key(const char *pattern, const char *path, int64_t *id, char *key)
{
	return match_loose(pattern, path, id, key, NULL);
}
static bool match(const char *pattern, const char *path, int64_t *id)
{
	return match_key(pattern, path, id, NULL);
}

static bool match_loose(const char *pattern, const char *path, int64_t *id, char *key, const char **bad)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{' && strncmp(p, "{key}", 5) == 0) {
			const char *e = s;
			while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '_')
				e++;
			if (e == s || e - s > 40 || (*e && *e != '/')) {
				if (!bad)
					return false;
				if (!*bad)
					*bad = "key";
				e = s + strcspn(s, "/");
			} else if (key) {
				snprintf(key, 48, "%.*s", (int)(e - s), s);
			}
			p += 5;
			s = e;
			continue;
		}
		if (*p == '{' && strncmp(p, "{id}", 4) == 0) {
			const char *e = s;
			while (*e >= '0' && *e <= '9')
				e++;
			/* a plain decimal: no sign, no leading zero, nothing after */
			char num[16];
			snprintf(num, sizeof(num), "%.*s", (int)(e - s < 15 ? e - s : 15), s);
			if (e == s || e - s > 15 || *s == '0' || (*e && *e != '/') || !parse_i64(num, 1, INT64_MAX, id)) {
				if (!bad)
					return false;
				if (!*bad)
					*bad = "id";
				e = s + strcspn(s, "/");
			}
			p += 4;
			s = e;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

static bool is_api(const char *path) { return strncmp(path, "/api/", 5) == 0; }

void req_fail(struct http_req *r, struct http_resp *w, const struct jw_error *e)
{
	if (is_api(r->path))
		resp_json_error(w, e, NULL);
	else
		web_error(r, w, e);
}

static void fail(struct http_req *r, struct http_resp *w, int code, const char *field, const char *msg)
{
	struct jw_error e;
	jw_fail(&e, code, field, "%s", msg ? msg : err_default_msg(code));
	req_fail(r, w, &e);
}

/* Constant-time comparison of two NUL-terminated tokens. */
static bool token_eq(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	size_t n = strlen(a);
	if (n != strlen(b) || n == 0)
		return false;
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static void dispatch_route(struct http_req *r, struct http_resp *w, const struct route *rt);

/* Whether a Content-Type names JSON: "application/json", any case, with
 * parameters (charset=utf-8) allowed after a ';'. */
static bool is_json_type(const char *ct)
{
	ct += strspn(ct, " \t");
	if (strncasecmp(ct, "application/json", 16) != 0)
		return false;
	ct += 16;
	ct += strspn(ct, " \t");
	return *ct == '\0' || *ct == ';';
}

static bool is_form_type(const char *ct)
{
	ct += strspn(ct, " \t");
	return strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
	       strncasecmp(ct, "multipart/form-data", 19) == 0;
}

/* The body is of the route's kind: a JSON endpoint's write must send JSON
 * (a body or a Content-Type of another kind is answered 415 before the
 * handler reads it), a page's form a form.  A write with no body and no
 * Content-Type (POST /logout) needs none. */
static bool body_type_ok(struct http_req *r, const struct route *rt)
{
	if ((rt->flags & R_API) && rt->body == BODY_UPLOAD)
		return true;
	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0 || strcmp(r->method, "DELETE") == 0)
		return true;
	const char *ct = req_header(r, "Content-Type");
	if (!ct)
		return r->body.len == 0;
	return (rt->flags & R_API) ? is_json_type(ct) : is_form_type(ct);
}

static void fail_body_type(struct http_req *r, struct http_resp *w, const struct route *rt)
{
	bool has = req_header(r, "Content-Type") != NULL;
	if (rt->flags & R_API)
		fail(r, w, JW_EMEDIA, "Content-Type",
		     has ? "请求体应为 JSON：请把请求头 Content-Type 设为 application/json（可带 charset=utf-8）" :
			   "请求体应为 JSON：请加上请求头 Content-Type: application/json");
	else
		fail(r, w, JW_EMEDIA, "Content-Type",
		     "表单应以 application/x-www-form-urlencoded（上传文件时 multipart/form-data）提交：请从页面上的表单提交");
}

/* A BODY_JSON route's body into r->json: a JSON object or a 400. */
static bool body_json(struct http_req *r, struct http_resp *w, const struct route *rt)
{
	if (rt->body == BODY_JSON_OPT && r->body.len == 0) {
		r->json = json_object();
		return true;
	}
	json_error_t je;
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		struct jw_error e;
		jw_fail(&e, JW_EBADREQ, "", "请求体不是有效的 JSON（第%d行第%d列：%s）", je.line, je.column, je.text);
		req_fail(r, w, &e);
		return false;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		fail(r, w, JW_EBADREQ, "", "请求体应为 JSON 对象，如 {\"name\":\"张三\"}");
		return false;
	}
	r->json = j;
	return true;
}

static const char *query_get(void *ud, const char *name)
{
	return req_query(ud, name);
}

/* The route's permission: its role set, and write access to its entity. */
static bool permitted(struct http_req *r, struct http_resp *w, const struct route *rt)
{
	if (rt->flags & R_PUBLIC)
		return true;
	struct jw_error e;
	if (!role_allowed(rt->roles, r->actor.role)) {
		char who[128];
		role_set_label(rt->roles, who, sizeof(who));
		jw_fail(&e, JW_EPERM, "", "您的角色（%s）不能使用此功能：只有%s可以", role_label(r->actor.role), who);
		req_fail(r, w, &e);
		return false;
	}
	if ((rt->flags & R_WRITER) && !svc_can(&r->actor, req_entity(r), P_WRITE)) {
		const struct kind *ent = req_entity(r);
		jw_fail(&e, JW_EPERM, "", "您的角色（%s）不能修改%s", role_label(r->actor.role), ent ? ent->label : "记录");
		req_fail(r, w, &e);
		return false;
	}
	return true;
}

/* A street office's or district's user takes only the routes of figures,
 * and any user's `community` names the community the request reads
 * (before its ledger is looked up: a community's own ledgers). */
static bool area_ok(struct http_req *r, struct http_resp *w, const struct route *rt)
{
	struct jw_error e;
	if (r->actor.area && !(rt->flags & R_AREA)) {
		jw_fail(&e, JW_EPERM, "", is_api(r->path) ?
			"街道、区级账号只能查看所辖社区的汇总统计：GET /api/v1/area" :
			"街道、区级账号只能查看所辖社区的汇总统计：请从“汇总”页进入");
		req_fail(r, w, &e);
		return false;
	}
	if ((rt->flags & R_AREA) && svc_area_enter(r->st, &r->actor, req_query(r, "community"), &e) != JW_OK) {
		req_fail(r, w, &e);
		return false;
	}
	return true;
}

/* Everything the route declares about its input, before the handler:
 * permission (403), the body's kind (415) and form (400), the query (400). */
static bool input_ok(struct http_req *r, struct http_resp *w, const struct route *rt)
{
	if (!(rt->flags & R_PUBLIC) && !area_ok(r, w, rt))
		return false;
	if (!permitted(r, w, rt))
		return false;
	if (strstr(rt->pattern, "{key}")) {
		r->ledger = ledger_find(r->st, r->actor.community, r->key);
		if (!r->ledger) {
			struct jw_error e;
			jw_fail(&e, JW_ENOTFOUND, "ledger", is_api(r->path) ?
				"没有代码为“%s”的台账；GET /api/v1/ledgers 列出所有台账" :
				"没有代码为“%s”的台账：请从“台账”页选择", r->key);
			req_fail(r, w, &e);
			return false;
		}
		struct jw_error e;
		if ((rt->flags & (R_LREAD | R_LWRITE)) &&
		    svc_ledger_access(r->st, &r->actor, r->ledger, (rt->flags & R_LWRITE) != 0, &e) != JW_OK) {
			req_fail(r, w, &e);
			return false;
		}
	}
	if (rt->query) {
		struct jw_error e;
		if (qspec_check(rt->query, query_get, r, r->qint, &e) != JW_OK) {
			req_fail(r, w, &e);
			return false;
		}
	}
	if ((rt->body == BODY_JSON || rt->body == BODY_JSON_OPT) && !body_json(r, w, rt))
		return false;
	return true;
}

/* Sessions that wrote a moment ago, by the hash of their token: their
 * reads go to the primary (store_read_own), since a read replica may not
 * have the write yet.  Kept in this process; OWN_WRITE_S is ample for a
 * replica on the LAN, which replays within milliseconds. */
#define OWN_WRITES 1024
#define OWN_WRITE_S 10
static struct { uint64_t h; int64_t at; } g_own[OWN_WRITES];
static pthread_mutex_t g_own_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t token_key(const char *t)
{
	uint64_t h = 1469598103934665603ull;
	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 1099511628211ull;
	return h | 1;   /* never 0: 0 is an empty slot */
}

static void note_own_write(const struct http_req *r)
{
	uint64_t h = token_key(r->token);
	pthread_mutex_lock(&g_own_lock);
	g_own[h % OWN_WRITES].h = h;
	g_own[h % OWN_WRITES].at = now_s();
	pthread_mutex_unlock(&g_own_lock);
}

static void read_own_if_wrote(struct http_req *r)
{
	if (!r->st->reading)
		return;
	uint64_t h = token_key(r->token);
	pthread_mutex_lock(&g_own_lock);
	bool lately = g_own[h % OWN_WRITES].h == h && now_s() - g_own[h % OWN_WRITES].at < OWN_WRITE_S;
	pthread_mutex_unlock(&g_own_lock);
	if (lately)
		svc_read_own(r->st);
}

void http_dispatch(struct http_req *r, struct http_resp *w)
{
	const struct route *rt = NULL;
	bool path_known = false;
	int64_t id = 0;
	bool head = strcmp(r->method, "HEAD") == 0;
	char key[48] = "";
	for (int i = 0; i < nroutes; i++) {
		int64_t tid = 0;
		char tkey[48];
		tkey[0] = '\0';
		if (!match_key(routes[i].pattern, r->path, &tid, tkey))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, r->method) == 0 ||
		    (head && strcmp(routes[i].method, "GET") == 0)) {
			rt = &routes[i];
			id = tid;
			snprintf(key, sizeof(key), "%s", tkey);
			break;
		}
	}
	if (!rt) {
		const char *bad = NULL;
		for (int i = 0; !path_known && !bad && i < nroutes; i++) {
			int64_t tid;
			const char *b = NULL;
			if (match_loose(routes[i].pattern, r->path, &tid, NULL, &b))
				bad = b;
		}
		if (path_known)
			fail(r, w, JW_EMETHOD, "", "该地址不支持此请求方法");
		else if (bad && strcmp(bad, "id") == 0)
			fail(r, w, JW_ENOTFOUND, "id",
			     "地址中的编号无效：编号应为不以0开头的十进制正整数（如 /persons/12），找不到该记录");
		else if (bad)
			fail(r, w, JW_ENOTFOUND, "key",
			     "地址中的台账代码无效：代码应为1到40个小写字母、数字或下划线（如 elderly），找不到该台账");
		else
			fail(r, w, JW_ENOTFOUND, "", "找不到该页面或记录");
		return;
	}
	r->route = rt;
	r->id = id;
	snprintf(r->key, sizeof(r->key), "%s", key);
	/* a read-only request reads one snapshot, under one lock cycle */
	bool reading = strcmp(rt->method, "GET") == 0 && !(rt->flags & R_WRITE) && svc_read_begin(r->st);
	dispatch_route(r, w, rt);
	if (r->json) {
		json_decref(r->json);
		r->json = NULL;
	}
	if (!reading && r->authed && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		note_own_write(r);
	if (reading) {
		svc_read_end(r->st);
		if (r->authed && now_s() - r->actor.session_seen >= 60) {
			struct jw_error ignore;
			svc_session_touch(r->st, r->token, &ignore);
		}
	}
}

static void dispatch_route(struct http_req *r, struct http_resp *w, const struct route *rt)
{
	struct jw_error err;
	jw_error_clear(&err);

	if (rt->flags & R_API) {
		if (!(rt->flags & R_PUBLIC)) {
			const char *auth = req_header(r, "Authorization");
			if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
				fail(r, w, JW_EAUTH, "", "缺少登录凭据：请先调用 POST /api/v1/login，并在请求头中携带 Authorization: Bearer 令牌");
				return;
			}
			/* the token exactly: 64 hex digits, nothing cut off or added */
			const char *tok = auth + 7;
			if (strlen(tok) != 64 || strspn(tok, "0123456789abcdefABCDEF") != 64) {
				fail(r, w, JW_EAUTH, "", "登录凭据无效：Authorization 应为 Bearer 加登录时得到的64位令牌，请重新登录");
				return;
			}
			snprintf(r->token, sizeof(r->token), "%s", tok);
			if (svc_session(r->st, r->token, "api", r->ip, &r->actor, r->csrf, &err) != JW_OK) {
				resp_json_error(w, &err, NULL);
				return;
			}
			r->authed = true;
			read_own_if_wrote(r);
		}
		if (!body_type_ok(r, rt)) {
			fail_body_type(r, w, rt);
			return;
		}
		if (!input_ok(r, w, rt))
			return;
		w->content_type = "application/json; charset=utf-8";
		w->no_store = true;
		rt->handler(r, w);
		return;
	}

	/* pages: cookie session, CSRF on every write */
	const char *cookie = req_cookie(r, "jw_session");
	if (cookie && strlen(cookie) == 64 &&
	    svc_session(r->st, cookie, "web", r->ip, &r->actor, r->csrf, &err) == JW_OK) {
		r->authed = true;
		snprintf(r->token, sizeof(r->token), "%s", cookie);
		read_own_if_wrote(r);
	}
	if (!(rt->flags & R_PUBLIC) && !r->authed) {
		struct buf loc = BUF_INIT;
		buf_adds(&loc, "/login?next=");
		buf_url(&loc, r->path);
		resp_redirect(w, buf_cstr(&loc));
		buf_release(&loc);
		return;
	}
	if (strcmp(r->method, "POST") == 0) {
		if (!body_type_ok(r, rt)) {
			fail_body_type(r, w, rt);
			return;
		}
		const char *sent = req_form(r, "_csrf");
		const char *want = r->authed ? r->csrf : req_cookie(r, "jw_csrf");
		if (!token_eq(sent, want)) {
			fail(r, w, JW_ECSRF, "_csrf", NULL);
			return;
		}
	}
	w->no_store = r->authed;
	if (!input_ok(r, w, rt))
		return;
	rt->handler(r, w);
}

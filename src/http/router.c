/*
 * router.c — the generic part of every request: match the route table,
 * answer 404/405, find the session (Bearer token for the API, cookie for
 * pages), check the CSRF token of every browser write, then call the
 * handler.  Also the small request/response helpers.
 */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "lib/util.h"
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

bool req_query_int(struct http_req *r, const char *name, int64_t def, int64_t *out)
{
	const char *v = req_query(r, name);
	if (str_empty(v)) {
		*out = def;
		return true;
	}
	return parse_i64(v, INT32_MIN, INT64_MAX / 4, out);
}

const struct entity_def *req_entity(const struct http_req *r)
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

const char *req_form(struct http_req *r, const char *name)
{
	if (!r->form_parsed) {
		r->form_parsed = true;
		const char *ct = req_header(r, "Content-Type");
		if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
			r->nform = form_parse(r->body.data ? r->body.data : "", r->body.len, r->form,
					      HTTP_MAX_PARAMS);
	}
	for (int i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].key, name) == 0)
			return r->form[i].val;
	return NULL;
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

/* Matches path against pattern; {id} takes a positive integer. */
static bool match(const char *pattern, const char *path, int64_t *id)
{
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (strncmp(p, "{id}", 4) == 0) {
			const char *e = s;
			while (*e >= '0' && *e <= '9')
				e++;
			if (e == s || e - s > 15 || (*e && *e != '/'))
				return false;
			char num[16];
			snprintf(num, sizeof(num), "%.*s", (int)(e - s), s);
			if (!parse_i64(num, 1, INT64_MAX, id))
				return false;
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

static void fail(struct http_req *r, struct http_resp *w, int code, const char *field, const char *msg)
{
	struct jw_error e;
	jw_fail(&e, code, field, "%s", msg ? msg : err_default_msg(code));
	if (is_api(r->path))
		resp_json_error(w, &e, NULL);
	else
		web_error(r, w, &e);
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

void http_dispatch(struct http_req *r, struct http_resp *w)
{
	const struct route *rt = NULL;
	bool path_known = false;
	int64_t id = 0;
	bool head = strcmp(r->method, "HEAD") == 0;
	for (int i = 0; i < nroutes; i++) {
		int64_t tid = 0;
		if (!match(routes[i].pattern, r->path, &tid))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, r->method) == 0 ||
		    (head && strcmp(routes[i].method, "GET") == 0)) {
			rt = &routes[i];
			id = tid;
			break;
		}
	}
	if (!rt) {
		if (path_known)
			fail(r, w, JW_EMETHOD, "", "该地址不支持此请求方法");
		else
			fail(r, w, JW_ENOTFOUND, "", "找不到该页面或记录");
		return;
	}
	r->route = rt;
	r->id = id;
	/* a read-only request reads one snapshot, under one lock cycle */
	bool reading = strcmp(rt->method, "GET") == 0 && r->st->txdepth == 0 &&
		       STORE_CALL0(r->st, read_begin) == JW_OK;
	r->st->reading = reading;
	dispatch_route(r, w, rt);
	if (reading) {
		STORE_CALL0(r->st, read_end);
		r->st->reading = false;
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
			snprintf(r->token, sizeof(r->token), "%s", auth + 7);
			if (svc_session(r->st, r->token, "api", r->ip, &r->actor, r->csrf, &err) != JW_OK) {
				resp_json_error(w, &err, NULL);
				return;
			}
			r->authed = true;
		}
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
		const char *sent = req_form(r, "_csrf");
		const char *want = r->authed ? r->csrf : req_cookie(r, "jw_csrf");
		if (!token_eq(sent, want)) {
			fail(r, w, JW_ECSRF, "_csrf", NULL);
			return;
		}
	}
	w->no_store = r->authed;
	rt->handler(r, w);
}

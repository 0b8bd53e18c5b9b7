/*
 * page.c — layout, style sheet, login/logout, dashboard, audit log and the
 * error page.  Server-rendered HTML for a 1366×768 office screen, a phone
 * and paper (print style); no JavaScript.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "lib/util.h"
#include "model/mask.h"
#include "web/page.h"
#include "svc/ledger.h"
#include "web/web.h"
#include "svc/backup.h"

static const char css[] =
	":root{--fg:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--accent:#b42318;--link:#1d4ed8}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.55 system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:var(--fg);background:var(--bg)}\n"
	"a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}\n"
	"header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.5rem 1rem;background:#fff;border-bottom:3px solid var(--accent)}\n"
	".brand{font-weight:700;color:var(--accent);font-size:1.1rem}\n"
	"header nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem;flex:1}\n"
	"header nav a{padding:.2rem 0}header nav a.on{font-weight:700;border-bottom:2px solid var(--accent)}\n"
	".who{color:var(--muted);font-size:.9rem;display:flex;gap:.5rem;align-items:center}\n"
	"main{max-width:1320px;margin:0 auto;padding:1rem}\n"
	"h1{font-size:1.35rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .6rem}\n"
	"table{border-collapse:collapse;width:100%;background:#fff}\n"
	"th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}\n"
	"th{background:#eef2f7;font-weight:600;white-space:nowrap}\n"
	"tbody tr:nth-child(even){background:#fafbfc}\n"
	".scroll{overflow-x:auto}\n"
	"dl.fields{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:.3rem 1rem;background:#fff;padding:1rem;border:1px solid var(--line)}\n"
	"dl.fields dt{color:var(--muted)}dl.fields dd{margin:0}\n"
	"form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.8rem}\n"
	"form.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}\n"
	"form.filters>a{align-self:center}\n"
	".scroll td:first-child{white-space:nowrap}\n"
	"details.danger{margin-top:1.4rem}details.danger summary{cursor:pointer;color:var(--muted)}\n"
	"input,select,textarea,button,.button{font:inherit;line-height:1.4;padding:.35rem .5rem;border:1px solid #9aa5b1;border-radius:4px;background:#fff}\n"
	"input,select{height:2.3rem}\n"
	"button,.button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer;display:inline-block;padding:.35rem .9rem}\n"
	"button.plain,.button.plain{background:#fff;color:var(--fg);border-color:#9aa5b1}\n"
	".button:hover{text-decoration:none}\n"
	"form.record{background:#fff;border:1px solid var(--line);padding:1rem;display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:.8rem 1.2rem}\n"
	"form.record .f{display:flex;flex-direction:column}\n"
	"form.record .f label{font-weight:600}form.record .req label::after{content:' *';color:var(--accent)}\n"
	"form.record .hint{color:var(--muted);font-size:.85rem}\n"
	"form.record .actions{grid-column:1/-1}\n"
	".err{color:var(--accent);font-size:.9rem;margin:.2rem 0 0}\n"
	".f.bad input,.f.bad select,.f.bad textarea{border-color:var(--accent);background:#fff5f5}\n"
	".notice{padding:.6rem .9rem;margin:0 0 1rem;border-radius:4px;border:1px solid}\n"
	".notice.err{background:#fff5f5;border-color:#f5c2c0}.notice.ok{background:#f0fdf4;border-color:#bbf7d0}.notice.info{background:#eff6ff;border-color:#bfdbfe}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:.8rem}\n"
	".card{background:#fff;border:1px solid var(--line);padding:.8rem 1rem}\n"
	".card b{display:block;font-size:1.6rem}.card span{color:var(--muted)}\n"
	".pager{display:flex;gap:1rem;align-items:center;margin:.8rem 0}\n"
	"#backup-status,.backup-dir{overflow-wrap:anywhere}.backup-dir input{max-width:100%}\n"
	".muted{color:var(--muted)}.tag{display:inline-block;padding:0 .4rem;border-radius:3px;background:#eef2f7;font-size:.85rem}\n"
	".tag.off{background:#fde8e8;color:var(--accent)}\n"
	".toolbar{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 1rem}\n"
	".toolbar form{display:inline}\n"
	"button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}\n"
	"label.inline{display:inline;font-weight:400}form.export{display:inline-flex;gap:.4rem;align-items:center;flex-wrap:wrap}\n"
	"table.preview td.ok{color:#166534;font-weight:700}table.preview td,table.preview th{white-space:nowrap}\n"
	"progress{width:min(30rem,100%);height:1.2rem}form.upload{margin:1rem 0}\n"
	"svg.chart{display:block;width:100%;max-width:640px;height:auto;margin:.5rem 0}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}\n"
	".charts h2{font-size:1rem;margin:.5rem 0}p.big{font-size:1.2rem}details{margin:.75rem 0}\n"
	"@media print{.charts{display:block}svg.chart{max-width:16cm;page-break-inside:avoid}}\n"
	"table.plan{width:auto}table.plan td{width:8rem;min-width:6rem;font-size:.85rem}table.plan th.floor{width:4rem;vertical-align:middle}\n"
	"table.plan td.vacant{background:#f1f5f9;color:var(--muted)}\n"
	"table.plan td.occupied{background:#fff}table.plan th.floor{background:#eef2f7;text-align:center}\n"
	"table.plan .room{font-weight:700;display:block}\n"
	"table.plan th.unit{text-align:center}table.plan td.none{background:transparent;border:none}\n"
	"table.plan td.m-vacant{background:#eef2f7;color:var(--muted)}table.plan td.m-rented{background:#fef3c7}\n"
	"table.plan td.m-migrant{box-shadow:inset 4px 0 0 #2563eb}\n"
	".mk{display:inline-block;min-width:1.4em;padding:0 .2em;margin:.15em .15em 0 0;border-radius:3px;font-size:.75rem;"
	"line-height:1.4;color:#fff;text-align:center}\n"
	".mk-rented{background:#b45309}.mk-migrant{background:#2563eb}.mk-alone{background:#7c3aed}"
	".mk-dibao{background:#047857}.mk-disabled{background:#0e7490}.mk-correction{background:#b42318}\n"
	"ul.legend{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;list-style:none;padding:0;margin:.4rem 0}\n"
	"ul.legend .sw{display:inline-block;width:1.2em;height:1.2em;border:1px solid #9aa5b1;background:#eef2f7;"
	"vertical-align:middle;margin-right:.3em}ul.legend .mk{margin-right:.3em}ul.legend b{margin-left:.2em}\n"
	"@page plan{size:A4 landscape;margin:8mm}\n"
	"@media print{.plan-sheet{page:plan}.plan-sheet .scroll{overflow:visible}table.plan{font-size:8pt}"
	"table.plan td{width:auto;min-width:0;padding:.15rem .25rem}"
	"table.plan td,.mk,ul.legend .sw{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n"
	".login{max-width:360px;margin:8vh auto;background:#fff;border:1px solid var(--line);padding:1.5rem}\n"
	".login label{display:block;margin:.6rem 0 .2rem}.login input{width:100%}.login button{width:100%;margin-top:1rem}\n"
	"pre.json{white-space:pre-wrap;word-break:break-all;margin:0;font-size:.8rem;max-width:40rem}\n"
	"@media (max-width:900px){dl.fields{grid-template-columns:max-content 1fr}}\n"
	"@media (max-width:640px){main{padding:.5rem}header nav{flex:1 1 100%;order:3}dl.fields{grid-template-columns:1fr}dl.fields dt{margin-top:.4rem}"
	"th,td{padding:.3rem}.hide-sm{display:none}}\n"
	"@media print{header.top,form,.toolbar,.pager,.noprint{display:none!important}body{background:#fff;font-size:11pt}"
	"main{max-width:none;padding:0}a{color:inherit}table{page-break-inside:auto}tr{page-break-inside:avoid}}\n";

void web_css(struct http_req *r, struct http_resp *w)
{
	(void)r;
	w->content_type = "text/css; charset=utf-8";
	buf_add(&w->body, css, sizeof(css) - 1);
}

void web_favicon(struct http_req *r, struct http_resp *w)
{
	(void)r;
	w->status = 204;
	w->content_type = "image/x-icon";
}

void page_csrf(struct buf *b, const struct http_req *r)
{
	buf_adds(b, "<input type=\"hidden\" name=\"_csrf\" value=\"");
	buf_html(b, r->csrf);
	buf_adds(b, "\">");
}

void page_notice(struct buf *b, const char *kind, const char *text)
{
	buf_adds(b, "<div class=\"notice ");
	buf_adds(b, kind);
	buf_adds(b, "\" role=\"status\">");
	buf_html(b, text);
	buf_adds(b, "</div>");
}

static void head(struct buf *b, const char *title)
{
	buf_adds(b, "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		    "<title>");
	buf_html(b, title);
	buf_adds(b, " · 居委</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body>");
}

static const struct { const char *href, *label; } nav[] = {
	{ "/", "首页" }, { "/persons", "居民" }, { "/households", "户" },
	{ "/buildings", "楼栋" }, { "/houses", "房屋" }, { "/grids", "网格" }, { "/ledgers", "台账" },
	{ "/stats", "统计" }, { "/reminders", "提醒" },
};

void page_begin(struct http_req *r, struct http_resp *w, const char *title)
{
	struct buf *b = &w->body;
	w->content_type = "text/html; charset=utf-8";
	head(b, title);
	buf_adds(b, "<header class=\"top\"><a class=\"brand\" href=\"/\">居委 · Juwei</a><nav>");
	if (r->actor.area)   /* a street office or district: its figures */
		buf_addf(b, "<a href=\"/area\"%s>汇总</a><a href=\"/stats\"%s>统计</a>",
			 strncmp(r->path, "/area", 5) == 0 ? " class=\"on\"" : "",
			 strcmp(r->path, "/stats") == 0 ? " class=\"on\"" : "");
	for (size_t i = 0; !r->actor.area && i < sizeof(nav) / sizeof(nav[0]); i++) {
		size_t n = strlen(nav[i].href);
		bool on = strcmp(nav[i].href, "/") == 0 ? strcmp(r->path, "/") == 0
							: strncmp(r->path, nav[i].href, n) == 0;
		buf_addf(b, "<a href=\"%s\"%s>%s</a>", nav[i].href, on ? " class=\"on\"" : "", nav[i].label);
	}
	if (svc_can(&r->actor, NULL, P_AUDIT))
		buf_adds(b, "<a href=\"/audit\">审计日志</a>");
	buf_adds(b, "</nav><form class=\"who\" method=\"post\" action=\"/logout\">");
	page_csrf(b, r);
	buf_html(b, r->actor.username);
	buf_adds(b, "（");
	buf_html(b, role_label(r->actor.role));
	buf_adds(b, "）<button class=\"plain\" type=\"submit\">退出</button></form></header><main>");
	/* the server re-deriving the ledgers (at start, on a new day): say so
	 * where their lists and counts show */
	if (svc_ledger_updating() &&
	    (strcmp(r->path, "/") == 0 || strncmp(r->path, "/ledgers", 8) == 0 ||
	     strncmp(r->path, "/stats", 6) == 0 || strncmp(r->path, "/reminders", 10) == 0))
		page_notice(b, "info", "台账正在按今天的日期更新（在后台进行，登记和查询照常）："
				       "台账名单和统计暂不完整，请稍后刷新。");
}

void page_table_rows(struct buf *b, struct buf *rows, int n, const char *empty)
{
	buf_adds(b, "</tr></thead><tbody>");
	buf_add(b, rows->data ? rows->data : "", rows->len);
	if (!n) {
		buf_adds(b, "<tr><td colspan=\"20\" class=\"muted\">");
		buf_html(b, empty);
		buf_adds(b, "</td></tr>");
	}
	buf_adds(b, "</tbody></table></div>");
	buf_release(rows);
}

void page_end(struct http_resp *w)
{
	buf_adds(&w->body, "</main></body></html>\n");
}

void page_ref_name(struct http_req *r, struct buf *b, const struct kind *e, int64_t id)
{
	struct record rec = { 0 };   /* released below even when never loaded */
	struct jw_error err;
	if (r && svc_get(r->st, &r->actor, e, id, &rec, &err) == JW_OK) {
		const char *t;
		switch (e->id) {
		case ENT_HOUSE:
			if (record_get(&rec, HOF_UNIT)) {
				buf_html(b, record_get(&rec, HOF_UNIT));
				buf_adds(b, "单元");
			}
			buf_html(b, record_get(&rec, HOF_ROOM));
			buf_adds(b, "室");
			break;
		default:
			t = record_get(&rec, entity_field_index(e, e->title_field));
			if (t)
				buf_html(b, t);
			else
				buf_addf(b, "%s #%lld", e->label, (long long)id);
		}
	} else {
		buf_html(b, e->label);
		buf_addf(b, " #%lld", (long long)id);
	}
	record_release(&rec);
}

void page_value(struct http_req *r, struct buf *b, const struct field_def *f, const char *v,
		bool reveal)
{
	char tmp[64];
	if (!v) {
		buf_adds(b, "<span class=\"muted\">—</span>");
		return;
	}
	switch (f->type) {
	case FT_CODE: {
		const char *l = code_label(&code_tables[f->code_table], v);
		buf_html(b, l ? l : v);
		return;
	}
	case FT_BOOL:
		buf_adds(b, strcmp(v, "1") == 0 ? "是" : "否");
		return;
	case FT_REF: {
		const struct kind *re = entity_by_key(f->ref);
		int64_t id;
		if (!parse_i64(v, 1, INT64_MAX, &id))
			break;
		buf_addf(b, "<a href=\"/%s/%lld\">", re->path, (long long)id);
		page_ref_name(r, b, re, id);
		buf_adds(b, "</a>");
		return;
	}
	case FT_DATETIME: {
		int64_t t;
		if (parse_i64(v, 0, INT64_MAX, &t)) {
			time_t tt = (time_t)t;
			struct tm tmv;
			localtime_r(&tt, &tmv);
			strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M", &tmv);
			buf_adds(b, tmp);
			return;
		}
		break;
	}
	default:
		break;
	}
	buf_html(b, field_display(f, v, reveal, tmp, sizeof(tmp)));
}

void page_audit_values(struct buf *b, const char *entity, const char *json)
{
	const struct kind *e = entity ? entity_by_key(entity) : NULL;
	json_t *j = json ? json_loads(json, 0, NULL) : NULL;
	if (!j)
		return;
	if (!json_is_object(j)) {
		buf_html(b, json);
		json_decref(j);
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) {
		const struct field_def *f = e ? entity_field(e, key) : NULL;
		/* members that are no field: a reveal's (or an export's) reason */
		const char *xlabel = !f && strcmp(key, "reason") == 0 ? "查看原因" :
				     !f && strcmp(key, "fields") == 0 ? "查看字段" : NULL;
		char num[64];
		const char *val = NULL;
		if (json_is_string(v))
			val = json_string_value(v);
		else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			val = num;
		}
		buf_adds(b, "<div><span class=\"muted\">");
		buf_html(b, f ? f->label : xlabel ? xlabel : key);
		buf_adds(b, "：</span>");
		if (f)
			page_value(NULL, b, f, val, false);
		else if (val)
			buf_html(b, val);
		else if (json_is_array(v) || json_is_object(v)) {
			char *d = json_dumps(v, JSON_COMPACT);
			buf_html(b, d);
			free(d);
		} else
			buf_adds(b, "—");
		buf_adds(b, "</div>");
	}
	json_decref(j);
}

static void plain_page(struct http_resp *w, const char *title)
{
	w->content_type = "text/html; charset=utf-8";
	head(&w->body, title);
	buf_adds(&w->body, "<main>");
}

void web_error(struct http_req *r, struct http_resp *w, const struct jw_error *e)
{
	buf_reset(&w->body);
	w->status = err_http_status(e->code);
	w->location[0] = '\0';
	if (r->authed)
		page_begin(r, w, "出错了");
	else
		plain_page(w, "出错了");
	buf_addf(&w->body, "<h1>%d · ", w->status);
	buf_html(&w->body, err_default_msg(e->code));
	buf_adds(&w->body, "</h1>");
	page_notice(&w->body, "err", e->message[0] ? e->message : err_default_msg(e->code));
	buf_adds(&w->body, "<p><a href=\"/\">回到首页</a></p>");
	page_end(w);
}

void web_fail(struct http_req *r, struct http_resp *w, int code, const char *field, const char *fmt, ...)
{
	struct jw_error e;
	va_list ap;
	va_start(ap, fmt);
	jw_vfail(&e, code, field, fmt, ap);
	va_end(ap);
	web_error(r, w, &e);
}

/* ---- login / logout ---- */

static bool safe_next(const char *next)
{
	return next && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
	       strpbrk(next, "\r\n") == NULL && strlen(next) < 512;
}

static void login_page(struct http_req *r, struct http_resp *w, const char *csrf,
		       const char *next, const char *user, const char *error)
{
	struct buf *b = &w->body;
	plain_page(w, "登录");
	buf_adds(b, "<form class=\"login\" method=\"post\" action=\"/login\"><h1>居委 · 社区工作平台</h1>");
	if (error)
		page_notice(b, "err", error);
	buf_adds(b, "<input type=\"hidden\" name=\"_csrf\" value=\"");
	buf_html(b, csrf);
	buf_adds(b, "\"><input type=\"hidden\" name=\"next\" value=\"");
	buf_html(b, safe_next(next) ? next : "/");
	buf_adds(b, "\"><label for=\"username\">用户名</label><input id=\"username\" name=\"username\" "
		    "autocomplete=\"username\" required autofocus value=\"");
	buf_html(b, user ? user : "");
	buf_adds(b, "\"><label for=\"password\">密码</label><input id=\"password\" name=\"password\" "
		    "type=\"password\" autocomplete=\"current-password\" required>"
		    "<button type=\"submit\">登录</button>"
		    "<p class=\"muted\">连续输错5次密码，账号将锁定15分钟；30分钟无操作自动退出。</p></form>");
	page_end(w);
	(void)r;
}

void web_login_form(struct http_req *r, struct http_resp *w)
{
	char csrf[65];
	if (r->authed) {
		resp_redirect(w, "/");
		return;
	}
	const char *have = req_cookie(r, "jw_csrf");
	if (have && strlen(have) == 64 && strspn(have, "0123456789abcdef") == 64) {
		snprintf(csrf, sizeof(csrf), "%s", have);
	} else {
		random_hex(csrf, 32);
		resp_cookie(w, "jw_csrf=%s; Path=/; HttpOnly; SameSite=Strict", csrf);
	}
	login_page(r, w, csrf, req_query(r, "next"), NULL, NULL);
}

void web_login(struct http_req *r, struct http_resp *w)
{
	char token[65], csrf[65];
	struct actor a;
	struct jw_error err;
	const char *user = req_form(r, "username"), *pw = req_form(r, "password");
	const char *next = req_form(r, "next");
	int rc = svc_login(r->st, user, pw, "web", r->ip, token, csrf, &a, &err);
	if (rc != JW_OK) {
		w->status = err_http_status(err.code);
		login_page(r, w, req_cookie(r, "jw_csrf"), next, user, err.message);
		return;
	}
	resp_cookie(w, "jw_session=%s; Path=/; HttpOnly; SameSite=Strict", token);
	resp_cookie(w, "jw_csrf=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	resp_redirect(w, safe_next(next) ? next : "/");
}

void web_logout(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	svc_logout(r->st, r->token, &err);
	resp_cookie(w, "jw_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
	resp_redirect(w, "/login");
}

/* ---- dashboard ---- */

static void card(struct buf *b, const char *label, int64_t n, const char *href)
{
	buf_adds(b, "<a class=\"card\" href=\"");
	buf_adds(b, href);
	buf_addf(b, "\"><b>%lld</b><span>", (long long)n);
	buf_adds(b, label);
	buf_adds(b, "</span></a>");
}

void web_dashboard(struct http_req *r, struct http_resp *w)
{
	struct stats_row s;
	struct jw_error err;
	struct community_row com;
	if (r->actor.area) {   /* a street office's or district's desk */
		resp_redirect(w, "/area");
		return;
	}
	if (svc_stats(r->st, &r->actor, &s, &err) != JW_OK) {
		web_error(r, w, &err);
		return;
	}
	if (svc_community(r->st, &r->actor, &com, &err) != JW_OK)
		snprintf(com.name, sizeof(com.name), "社区");
	page_begin(r, w, "首页");
	struct buf *b = &w->body;
	buf_adds(b, "<h1>");
	buf_html(b, com.name);
	if (r->actor.role == ROLE_GRID_WORKER)
		buf_adds(b, " · 本网格");
	buf_adds(b, "</h1><form class=\"filters\" method=\"get\" action=\"/persons\">"
		    "<label>查找居民<input name=\"q\" placeholder=\"姓名、拼音首字母、证件号或电话片段\" size=\"32\"></label>"
		    "<button type=\"submit\">搜索</button></form><div class=\"cards\">");
	card(b, "实有人口", s.persons, "/persons");
	card(b, "户籍人口", s.registered, "/persons?residence_type=registered");
	card(b, "流动人口", s.migrant, "/persons?residence_type=migrant");
	card(b, "境外人员", s.foreign, "/persons?residence_type=foreign");
	card(b, "人在户在", s.living_and_registered, "/persons?hukou_status=living_and_registered");
	card(b, "人在户不在", s.living_only, "/persons?hukou_status=living_only");
	card(b, "户在人不在", s.registered_only, "/persons?hukou_status=registered_only");
	card(b, "60岁以上", s.over60, "/persons?age_band=60%2B");
	card(b, "80岁以上", s.over80, "/persons?age_band=80%2B");
	card(b, "户数", s.households, "/households");
	card(b, "房屋", s.houses, "/houses");
	card(b, "楼栋", s.buildings, "/buildings");
	card(b, "网格", s.grids, "/grids");
	card(b, "已注销", s.deregistered, "/persons?include_deregistered=1");
	buf_adds(b, "</div>");
	struct backup_status bs;
	if (svc_backup_status(r->st, &r->actor, &bs, &err) == JW_OK) {
		/* the last good backup (admin, director): a committee's one file */
		buf_addf(b, "<p class=\"notice %s\" id=\"backup-status\">", bs.stale ? "err" : "info");
		if (bs.last_ok) {
			char when[32];
			time_t tt = (time_t)bs.last_ok;
			struct tm tmv;
			localtime_r(&tt, &tmv);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tmv);
			buf_addf(b, "最近一次成功备份：<time>%s</time>", when);
			buf_adds(b, "（");
			buf_html(b, bs.last_file);
			buf_adds(b, "）");
		} else {
			buf_adds(b, "尚无成功的备份");
		}
		if (bs.stale)
			buf_adds(b, "。<strong>警告：最近两天没有成功的备份</strong>，请检查备份文件夹，"
				    "或运行 juwei backup --db 数据库 --out 文件");
		if (bs.last_error[0] && bs.last_error_at > bs.last_ok) {
			buf_adds(b, "。最近一次备份失败：");
			buf_html(b, bs.last_error);
		}
		buf_adds(b, "</p><p class=\"muted backup-dir\">每日自动备份到：<code>");
		buf_html(b, bs.dir);
		buf_adds(b, "</code>（");
		buf_html(b, bs.dir_source);
		buf_adds(b, "，保留最近30份）</p>");
		if (r->actor.role == ROLE_ADMIN && !bs.dir_fixed) {
			buf_adds(b, "<form method=\"post\" action=\"/backup/settings\" class=\"filters backup-dir\">");
			page_csrf(b, r);
			buf_adds(b, "<label>备份文件夹（完整路径，留空为默认）<input name=\"backup_dir\" size=\"40\" value=\"");
			if (strcmp(bs.dir_source, "管理员设置") == 0)
				buf_html(b, bs.dir);
			buf_adds(b, "\"></label><button type=\"submit\">保存</button></form>");
		}
	}
	page_end(w);
}

/* The daily backups' folder, set by the admin on the desk. */
void web_backup_settings(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	jw_error_clear(&err);
	if (svc_backup_set_dir(r->st, &r->actor, req_form(r, "backup_dir"), &err) != JW_OK) {
		web_error(r, w, &err);
		return;
	}
	resp_redirect(w, "/");
}

/* ---- audit log ---- */

static const char *action_label(const char *a)
{
	static const struct { const char *k, *l; } t[] = {
		{ "create", "新增" }, { "update", "修改" }, { "deregister", "注销" }, { "close", "结束" },
		{ "reveal", "查看原文" }, { "login", "登录" }, { "login_failed", "登录失败" },
		{ "lock", "账号锁定" }, { "generate_houses", "生成房屋" }, { "bulk_create", "批量新增" },
		{ "user_add", "添加账号" }, { "user_passwd", "修改密码" }, { "init", "初始化" },
		{ "import", "导入" }, { "export", "导出" },
		{ "backup", "备份" }, { "restore", "恢复" }, { "check", "检查" }, { "settings", "修改设置" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (a && strcmp(a, t[i].k) == 0)
			return t[i].l;
	return a ? a : "";
}

static int audit_row_html(const struct audit_row *a, void *ud)
{
	struct buf *b = ud;
	char when[32];
	time_t tt = (time_t)a->at;
	struct tm tmv;
	localtime_r(&tt, &tmv);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tmv);
	buf_addf(b, "<tr><td>%s</td><td>", when);
	buf_html(b, a->username);
	buf_adds(b, "</td><td>");
	buf_html(b, action_label(a->action));
	buf_adds(b, "</td><td>");
	const struct kind *e = a->entity ? entity_by_key(a->entity) : NULL;
	if (e && a->entity_id) {
		buf_addf(b, "<a href=\"/%s/%lld\">", e->path, (long long)a->entity_id);
		buf_html(b, e->label);
		buf_addf(b, " #%lld</a>", (long long)a->entity_id);
	} else if (a->entity) {
		buf_html(b, strcmp(a->entity, "user") == 0 ? "账号" :
			    strcmp(a->entity, "community") == 0 ? "社区" : a->entity);
		if (a->entity_id)
			buf_addf(b, " #%lld", (long long)a->entity_id);
	}
	buf_adds(b, "</td><td>");
	page_audit_values(b, a->entity, a->old_json);
	buf_adds(b, "</td><td>");
	page_audit_values(b, a->entity, a->new_json);
	buf_adds(b, "</td><td class=\"hide-sm\">");
	buf_html(b, a->ip);
	buf_adds(b, "</td></tr>");
	return JW_OK;
}

static void audit_link(void *ud, int64_t page, struct buf *b)
{
	(void)ud;
	buf_addf(b, "/audit?page=%lld", (long long)page);
}

void web_audit(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	int64_t total = 0;
	struct pager pg;
	pager_from(&pg, r, 50);
	struct buf rows = BUF_INIT;
	int rc = svc_audit_list(r->st, &r->actor, req_query(r, "entity"), req_int(r, "entity_id"),
				req_query(r, "action"), pg.page, pg.per_page, audit_row_html, &rows, &total, &err);
	if (rc != JW_OK) {
		buf_release(&rows);
		web_error(r, w, &err);
		return;
	}
	pager_set(&pg, pg.page, pg.per_page, total);
	page_begin(r, w, "审计日志");
	struct buf *b = &w->body;
	buf_addf(b, "<h1>审计日志 <span class=\"muted\">共 %lld 条</span></h1>", (long long)total);
	buf_adds(b, "<div class=\"scroll\"><table><thead><tr><th>时间</th><th>用户</th><th>操作</th><th>对象</th>"
		    "<th>原值</th><th>新值</th><th class=\"hide-sm\">IP地址</th></tr></thead><tbody>");
	buf_add(b, rows.data ? rows.data : "", rows.len);
	buf_adds(b, "</tbody></table></div>");
	pager_html(b, &pg, audit_link, NULL);
	buf_release(&rows);
	page_end(w);
}

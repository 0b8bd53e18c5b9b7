/*
 * areapage.c — a street office's or district's pages: its communities'
 * figures side by side with the sum (/area), one ledger's open entries per
 * community (/area/ledgers/{key}); each community's name leads to that
 * community's statistics (/stats?community=CODE).  Figures only.
 */
#include <stdio.h>
#include <string.h>

#include "svc/area.h"
#include "web/page.h"
#include "web/web.h"

static void num(struct buf *b, int64_t n)
{
	buf_addf(b, "<td class=\"num\">%lld</td>", (long long)n);
}

static void stats_cells(struct buf *b, const struct stats_row *s)
{
	num(b, s->persons);
	num(b, s->registered);
	num(b, s->migrant);
	num(b, s->foreign);
	num(b, s->over60);
	num(b, s->over80);
	num(b, s->households);
	num(b, s->houses);
	num(b, s->buildings);
	num(b, s->grids);
}

static void heading(struct buf *b, const struct area_view *v, const char *what)
{
	buf_adds(b, "<h1>");
	buf_html(b, v->name);
	buf_adds(b, " · ");
	buf_html(b, what);
	buf_addf(b, " <span class=\"muted\">%d个社区</span></h1>", v->ncom);
}

void web_area(struct http_req *r, struct http_resp *w)
{
	struct area_view v;
	struct jw_error err;
	if (svc_area_view(r->st, &r->actor, NULL, &v, &err) != JW_OK) {
		svc_area_view_release(&v);
		web_error(r, w, &err);
		return;
	}
	page_begin(r, w, "汇总");
	struct buf *b = &w->body;
	heading(b, &v, "汇总");
	buf_addf(b, "<p class=\"muted\">各社区在册居民的数字；点社区名看该社区的统计，"
		    "<a href=\"/stats\">全%s的年龄、性别统计</a>。</p>", v.level);
	buf_adds(b, "<div class=\"scroll\"><table id=\"area-communities\"><thead><tr><th>社区</th><th>实有人口</th>"
		    "<th>户籍人口</th><th>流动人口</th><th>境外人员</th><th>60岁以上</th><th>80岁以上</th>"
		    "<th>户数</th><th>房屋</th><th>楼栋</th><th>网格</th></tr></thead><tbody>");
	for (int i = 0; i < v.ncom; i++) {
		const struct area_com *c = &v.com[i];
		buf_addf(b, "<tr><td><a href=\"/stats?community=%s\">", c->code);
		buf_html(b, c->name);
		buf_addf(b, "</a> <span class=\"muted\">%s</span></td>", c->code);
		stats_cells(b, &c->s);
		buf_adds(b, "</tr>");
	}
	buf_adds(b, "</tbody><tfoot><tr><th>合计</th>");
	stats_cells(b, &v.total.s);
	buf_adds(b, "</tr></tfoot></table></div>");
	buf_adds(b, "<h2>台账 <span class=\"muted\">在册条数之和；受限台账不在汇总之列</span></h2>"
		    "<table id=\"area-ledgers\"><thead><tr><th>台账</th><th class=\"num\">在册</th></tr></thead><tbody>");
	for (int i = 0; i < v.nled; i++) {
		buf_addf(b, "<tr><td><a href=\"/area/ledgers/%s\">", v.led[i].l->key);
		buf_html(b, v.led[i].l->title);
		buf_adds(b, "</a></td>");
		num(b, v.led[i].open);
		buf_adds(b, "</tr>");
	}
	buf_adds(b, "</tbody></table>");
	svc_area_view_release(&v);
	page_end(w);
}

void web_area_ledger(struct http_req *r, struct http_resp *w)
{
	struct area_view v;
	struct jw_error err;
	if (svc_area_view(r->st, &r->actor, r->ledger, &v, &err) != JW_OK) {
		svc_area_view_release(&v);
		web_error(r, w, &err);
		return;
	}
	page_begin(r, w, v.l->title);
	struct buf *b = &w->body;
	heading(b, &v, v.l->title);
	buf_addf(b, "<p><a href=\"/area\">返回汇总</a> · <a href=\"/ledgers/%s/stats\">全%s的统计</a></p>",
		 v.l->key, v.level);
	buf_adds(b, "<table id=\"area-ledger\"><thead><tr><th>社区</th><th class=\"num\">在册</th></tr></thead><tbody>");
	for (int i = 0; i < v.ncom; i++) {
		const struct area_com *c = &v.com[i];
		buf_addf(b, "<tr><td><a href=\"/ledgers/%s/stats?community=%s\">", v.l->key, c->code);
		buf_html(b, c->name);
		buf_addf(b, "</a> <span class=\"muted\">%s</span></td>", c->code);
		num(b, c->open);
		buf_adds(b, "</tr>");
	}
	buf_adds(b, "</tbody><tfoot><tr><th>合计</th>");
	num(b, v.total.open);
	buf_adds(b, "</tr></tfoot></table>");
	svc_area_view_release(&v);
	page_end(w);
}

/*
 * api_area.c — a street office's or district's figures: its communities'
 * dashboard figures and each ledger's open entries, per community and in
 * sum (svc_area_view).  A community's own figures are the community
 * routes with ?community=CODE.
 */
#include "api/api.h"
#include "svc/area.h"

static void head_json(struct buf *b, const struct area_view *v)
{
	buf_adds(b, "{\"code\":");
	buf_json_str(b, v->code);
	buf_adds(b, ",\"name\":");
	buf_json_str(b, v->name);
	buf_adds(b, ",\"level\":");
	buf_json_str(b, strlen(v->code) == 6 ? "district" : "street");
}

static void com_json(struct buf *b, const struct area_com *c, int i)
{
	buf_adds(b, i ? ",{\"code\":" : "{\"code\":");
	buf_json_str(b, c->code);
	buf_adds(b, ",\"name\":");
	buf_json_str(b, c->name);
}

void api_area(struct http_req *r, struct http_resp *w)
{
	struct area_view v;
	struct jw_error err;
	if (svc_area_view(r->st, &r->actor, NULL, &v, &err) != JW_OK) {
		svc_area_view_release(&v);
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	struct buf *b = &w->body;
	head_json(b, &v);
	buf_adds(b, ",\"communities\":[");
	for (int i = 0; i < v.ncom; i++) {
		com_json(b, &v.com[i], i);
		buf_adds(b, ",\"stats\":");
		stats_row_json(b, &v.com[i].s);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"total\":");
	stats_row_json(b, &v.total.s);
	buf_adds(b, ",\"ledgers\":[");
	for (int i = 0; i < v.nled; i++) {
		buf_adds(b, i ? ",{\"key\":" : "{\"key\":");
		buf_json_str(b, v.led[i].l->key);
		buf_adds(b, ",\"title\":");
		buf_json_str(b, v.led[i].l->title);
		buf_addf(b, ",\"open\":%lld}", (long long)v.led[i].open);
	}
	buf_adds(b, "]}");
	svc_area_view_release(&v);
}

void api_area_ledger(struct http_req *r, struct http_resp *w)
{
	struct area_view v;
	struct jw_error err;
	if (svc_area_view(r->st, &r->actor, r->ledger, &v, &err) != JW_OK) {
		svc_area_view_release(&v);
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	struct buf *b = &w->body;
	head_json(b, &v);
	buf_adds(b, ",\"ledger\":{\"key\":");
	buf_json_str(b, v.l->key);
	buf_adds(b, ",\"title\":");
	buf_json_str(b, v.l->title);
	buf_adds(b, "},\"communities\":[");
	for (int i = 0; i < v.ncom; i++) {
		com_json(b, &v.com[i], i);
		buf_addf(b, ",\"open\":%lld}", (long long)v.com[i].open);
	}
	buf_addf(b, "],\"total\":%lld}", (long long)v.total.open);
	svc_area_view_release(&v);
}

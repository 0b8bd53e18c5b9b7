/*
 * pager.c — the one pager: page and per_page as the route declared them
 * (checked by the router), the offset a list query takes, and the page
 * links every web list shows.
 */
#include "http/http.h"

void pager_set(struct pager *p, int64_t page, int64_t per_page, int64_t total)
{
	p->page = page < 1 ? 1 : page;
	p->per_page = per_page < 1 ? 1 : per_page;
	p->total = total < 0 ? 0 : total;
	p->pages = (p->total + p->per_page - 1) / p->per_page;
	if (p->pages < 1)
		p->pages = 1;
	p->offset = (p->page - 1) * p->per_page;
}

void pager_from(struct pager *p, const struct http_req *r, int64_t def_per_page)
{
	const struct qparam *spec = r->route ? r->route->query : NULL;
	int64_t per = qspec_index(spec, "per_page") >= 0 ? req_int(r, "per_page") : def_per_page;
	int64_t page = qspec_index(spec, "page") >= 0 ? req_int(r, "page") : 1;
	pager_set(p, page, per, 0);
}

void pager_html(struct buf *b, const struct pager *p, pager_link_fn link, void *ud)
{
	buf_addf(b, "<div class=\"pager\"><span>第 %lld / %lld 页</span>", (long long)p->page, (long long)p->pages);
	if (p->page > 1) {
		struct buf l = BUF_INIT;
		link(ud, p->page - 1, &l);
		buf_adds(b, "<a href=\"");
		buf_html(b, l.len ? buf_cstr(&l) : "?");
		buf_adds(b, "\">上一页</a>");
		buf_release(&l);
	}
	if (p->page < p->pages) {
		struct buf l = BUF_INIT;
		link(ud, p->page + 1, &l);
		buf_adds(b, "<a href=\"");
		buf_html(b, buf_cstr(&l));
		buf_adds(b, "\">下一页</a>");
		buf_release(&l);
	}
	buf_adds(b, "</div>");
}

/*
 * page.h — the page layout and the small HTML writers shared by the page
 * handlers.  Text from users reaches HTML only through buf_html (escaping).
 */
#ifndef JW_PAGE_H
#define JW_PAGE_H

#include "http/http.h"

/* Starts a full page with the header and navigation; the body follows in w->body. */
void page_begin(struct http_req *r, struct http_resp *w, const char *title);
void page_end(struct http_resp *w);
/* <input type="hidden" name="_csrf" …> for the current session. */
void page_csrf(struct buf *b, const struct http_req *r);
/* A field's value for display: code labels, masked numbers, links. */
void page_value(struct buf *b, const struct field_def *f, const char *v, bool reveal);
/* A notice box (kind: "ok", "err", "info"). */
void page_notice(struct buf *b, const char *kind, const char *text);

#endif

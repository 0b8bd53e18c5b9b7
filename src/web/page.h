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
/* A field's value for display: code labels, masked numbers, links named
 * after the record they point to (r may be NULL: then "#id"). */
void page_value(struct http_req *r, struct buf *b, const struct field_def *f, const char *v,
		bool reveal);
/* The name of a record for links: a grid's or building's name, a house's
 * unit and room, a household's number, a person's name. */
void page_ref_name(struct http_req *r, struct buf *b, const struct kind *e, int64_t id);
/* An audit record's stored values as "label: value" lines, numbers masked. */
void page_audit_values(struct buf *b, const char *entity, const char *json);
/* A list table's body: closes the header row, writes rows (n of them; none:
 * one row saying empty), closes the table and its scroll box; rows is released. */
void page_table_rows(struct buf *b, struct buf *rows, int n, const char *empty);
/* A notice box (kind: "ok", "err", "info"). */
void page_notice(struct buf *b, const char *kind, const char *text);
/* A subject's visits and the form to record one (ledgerpage.c); back is
 * where the form returns. */
void web_visits_block(struct http_req *r, struct buf *b, const char *subject, int64_t id, const char *back);
/* One form field from its declaration, with its error (records.c). */
void web_form_field(struct http_req *r, struct buf *b, const struct field_def *f, const char *v,
		    const struct verr *ve, bool editing);

#endif

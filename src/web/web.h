/*
 * web.h — the server-rendered pages (zh-CN, no JavaScript needed).
 * Handlers are named in the route table; page.c holds the layout and the
 * HTML writers, forms.c the forms generated from the field declarations.
 */
#ifndef JW_WEB_H
#define JW_WEB_H

#include "http/http.h"

/* The one page error helper: the error page for e (status from its code). */
void web_error(struct http_req *r, struct http_resp *w, const struct jw_error *e);
/* The same from a code, a field and a message (printf). */
void web_fail(struct http_req *r, struct http_resp *w, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

void web_css(struct http_req *r, struct http_resp *w);
void web_favicon(struct http_req *r, struct http_resp *w);
void web_login_form(struct http_req *r, struct http_resp *w);
void web_login(struct http_req *r, struct http_resp *w);
void web_logout(struct http_req *r, struct http_resp *w);
void web_dashboard(struct http_req *r, struct http_resp *w);
void web_backup_settings(struct http_req *r, struct http_resp *w);
void web_audit(struct http_req *r, struct http_resp *w);

void web_list(struct http_req *r, struct http_resp *w);
void web_new(struct http_req *r, struct http_resp *w);
void web_create(struct http_req *r, struct http_resp *w);
void web_show(struct http_req *r, struct http_resp *w);
void web_building_plan(struct http_req *r, struct http_resp *w);
void web_edit(struct http_req *r, struct http_resp *w);
void web_update(struct http_req *r, struct http_resp *w);
void web_person_deregister(struct http_req *r, struct http_resp *w);
void web_person_reveal(struct http_req *r, struct http_resp *w);
void web_import_form(struct http_req *r, struct http_resp *w);
void web_import_upload(struct http_req *r, struct http_resp *w);
void web_import_job(struct http_req *r, struct http_resp *w);
void web_import_confirm(struct http_req *r, struct http_resp *w);
void web_import_cancel(struct http_req *r, struct http_resp *w);
void web_import_report(struct http_req *r, struct http_resp *w);
void web_export(struct http_req *r, struct http_resp *w);
void web_ledgers(struct http_req *r, struct http_resp *w);
void web_ledger(struct http_req *r, struct http_resp *w);
void web_entry_new(struct http_req *r, struct http_resp *w);
void web_entry_create(struct http_req *r, struct http_resp *w);
void web_entry(struct http_req *r, struct http_resp *w);
void web_entry_update(struct http_req *r, struct http_resp *w);
void web_visit_create(struct http_req *r, struct http_resp *w);
void web_ledger_stats(struct http_req *r, struct http_resp *w);
void web_community_stats(struct http_req *r, struct http_resp *w);
void web_area(struct http_req *r, struct http_resp *w);
void web_area_ledger(struct http_req *r, struct http_resp *w);
void web_ledger_export(struct http_req *r, struct http_resp *w);
void web_reminders(struct http_req *r, struct http_resp *w);
void web_ledger_define_form(struct http_req *r, struct http_resp *w);
void web_ledger_define(struct http_req *r, struct http_resp *w);

#endif

/*
 * api.h — handlers of the JSON API (/api/v1).  Each is named in the route
 * table (http/routes.c); the route's entity tells the generic ones which
 * registry entity they serve.
 */
#ifndef JW_API_H
#define JW_API_H

#include "http/http.h"

void api_login(struct http_req *r, struct http_resp *w);
void api_logout(struct http_req *r, struct http_resp *w);
void api_me(struct http_req *r, struct http_resp *w);
void api_list(struct http_req *r, struct http_resp *w);
void api_get(struct http_req *r, struct http_resp *w);
void api_create(struct http_req *r, struct http_resp *w);
void api_patch(struct http_req *r, struct http_resp *w);
void api_person_deregister(struct http_req *r, struct http_resp *w);
void api_person_reveal(struct http_req *r, struct http_resp *w);
void api_building_plan(struct http_req *r, struct http_resp *w);
void api_audit(struct http_req *r, struct http_resp *w);
void api_codes(struct http_req *r, struct http_resp *w);
void api_stats(struct http_req *r, struct http_resp *w);
/* The dashboard's figures as JSON (api_stats, api_area). */
void stats_row_json(struct buf *b, const struct stats_row *s);
void api_area(struct http_req *r, struct http_resp *w);
void api_area_ledger(struct http_req *r, struct http_resp *w);
void api_import(struct http_req *r, struct http_resp *w);
void api_export(struct http_req *r, struct http_resp *w);
void api_ledgers(struct http_req *r, struct http_resp *w);
void api_ledger_define(struct http_req *r, struct http_resp *w);
void api_entries(struct http_req *r, struct http_resp *w);
void api_entry_get(struct http_req *r, struct http_resp *w);
void api_entry_create(struct http_req *r, struct http_resp *w);
void api_entry_patch(struct http_req *r, struct http_resp *w);
void api_ledger_stats(struct http_req *r, struct http_resp *w);
void api_community_stats(struct http_req *r, struct http_resp *w);
void api_ledger_export(struct http_req *r, struct http_resp *w);
void api_ledger_readers(struct http_req *r, struct http_resp *w);
void api_ledger_derive(struct http_req *r, struct http_resp *w);
void api_visit_create(struct http_req *r, struct http_resp *w);
void api_visits(struct http_req *r, struct http_resp *w);
void api_reminders(struct http_req *r, struct http_resp *w);
struct entry_query;
/* An entries list's filters and page, as the router checked them. */
bool entry_query_from(struct http_req *r, struct entry_query *q, struct pager *pg, struct jw_error *err);

/* The list parameters shared by the pages and the API (q, page, per_page,
 * filters), as the router checked them. */
void list_req_from_query(struct http_req *r, struct list_req *lr);

#endif

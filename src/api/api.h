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
void api_import(struct http_req *r, struct http_resp *w);
void api_export(struct http_req *r, struct http_resp *w);

/* The list parameters shared by the pages and the API (q, page, per_page,
 * filters); false with err filled when one is malformed. */
bool list_req_from_query(struct http_req *r, struct list_req *lr, struct jw_error *err);

#endif

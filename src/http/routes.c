/*
 * routes.c — the one route table: method, path pattern, handler, flags,
 * entity.  The router (router.c) checks session, role and CSRF before any
 * handler runs; permissions on records are checked again in svc/.
 */
#include "api/api.h"
#include "http/http.h"
#include "web/web.h"

#define API_ENTITY(path, ent) \
	{ "GET", "/api/v1/" path, api_list, R_API, ent }, \
	{ "GET", "/api/v1/" path "/export", api_export, R_API | R_WRITE, ent }, \
	{ "POST", "/api/v1/" path, api_create, R_API, ent }, \
	{ "GET", "/api/v1/" path "/{id}", api_get, R_API | R_ID, ent }, \
	{ "PATCH", "/api/v1/" path "/{id}", api_patch, R_API | R_ID, ent }

#define WEB_ENTITY(path, ent) \
	{ "GET", "/" path, web_list, 0, ent }, \
	{ "GET", "/" path "/export.xlsx", web_export, R_WRITE, ent }, \
	{ "GET", "/" path "/export.csv", web_export, R_WRITE, ent }, \
	{ "GET", "/" path "/new", web_new, 0, ent }, \
	{ "POST", "/" path, web_create, 0, ent }, \
	{ "GET", "/" path "/{id}", web_show, R_ID, ent }, \
	{ "GET", "/" path "/{id}/edit", web_edit, R_ID, ent }, \
	{ "POST", "/" path "/{id}", web_update, R_ID, ent }

const struct route routes[] = {
	/* JSON API */
	{ "POST", "/api/v1/login", api_login, R_API | R_PUBLIC, -1 },
	{ "POST", "/api/v1/logout", api_logout, R_API, -1 },
	{ "GET", "/api/v1/me", api_me, R_API, -1 },
	{ "GET", "/api/v1/codes", api_codes, R_API, -1 },
	{ "GET", "/api/v1/stats", api_stats, R_API, -1 },
	{ "GET", "/api/v1/audit", api_audit, R_API, -1 },
	{ "POST", "/api/v1/import/persons", api_import, R_API | R_UPLOAD, ENT_PERSON },
	/* ledgers: reads are GETs that may write an audit record (restricted ledgers) */
	{ "GET", "/api/v1/ledgers", api_ledgers, R_API, -1 },
	{ "POST", "/api/v1/ledgers", api_ledger_define, R_API, -1 },
	{ "POST", "/api/v1/ledgers/derive", api_ledger_derive, R_API, -1 },
	{ "GET", "/api/v1/ledgers/{key}/entries", api_entries, R_API | R_WRITE, -1 },
	{ "POST", "/api/v1/ledgers/{key}/entries", api_entry_create, R_API, -1 },
	{ "GET", "/api/v1/ledgers/{key}/entries/{id}", api_entry_get, R_API | R_ID | R_WRITE, -1 },
	{ "PATCH", "/api/v1/ledgers/{key}/entries/{id}", api_entry_patch, R_API | R_ID, -1 },
	{ "GET", "/api/v1/ledgers/{key}/stats", api_ledger_stats, R_API | R_WRITE, -1 },
	{ "GET", "/api/v1/ledgers/{key}/export", api_ledger_export, R_API | R_WRITE, -1 },
	{ "POST", "/api/v1/ledgers/{key}/readers", api_ledger_readers, R_API, -1 },
	{ "GET", "/api/v1/stats/community", api_community_stats, R_API, -1 },
	{ "GET", "/api/v1/reminders", api_reminders, R_API | R_WRITE, -1 },
	{ "POST", "/api/v1/visits", api_visit_create, R_API, -1 },
	{ "GET", "/api/v1/visits", api_visits, R_API | R_WRITE, -1 },
	API_ENTITY("persons", ENT_PERSON),
	{ "POST", "/api/v1/persons/{id}/deregister", api_person_deregister, R_API | R_ID, ENT_PERSON },
	{ "POST", "/api/v1/persons/{id}/reveal", api_person_reveal, R_API | R_ID, ENT_PERSON },
	API_ENTITY("households", ENT_HOUSEHOLD),
	API_ENTITY("buildings", ENT_BUILDING),
	{ "GET", "/api/v1/buildings/{id}/plan", api_building_plan, R_API | R_ID | R_WRITE, ENT_BUILDING },
	API_ENTITY("houses", ENT_HOUSE),
	API_ENTITY("grids", ENT_GRID),

	/* pages */
	{ "GET", "/static/app.css", web_css, R_PUBLIC, -1 },
	{ "GET", "/favicon.ico", web_favicon, R_PUBLIC, -1 },
	{ "GET", "/login", web_login_form, R_PUBLIC, -1 },
	{ "POST", "/login", web_login, R_PUBLIC, -1 },
	{ "POST", "/logout", web_logout, 0, -1 },
	{ "GET", "/", web_dashboard, 0, -1 },
	{ "POST", "/backup/settings", web_backup_settings, 0, -1 },
	{ "GET", "/audit", web_audit, 0, -1 },
	{ "GET", "/ledgers", web_ledgers, 0, -1 },
	{ "GET", "/ledgers/define", web_ledger_define_form, 0, -1 },
	{ "POST", "/ledgers/define", web_ledger_define, 0, -1 },
	{ "GET", "/ledgers/{key}", web_ledger, R_WRITE, -1 },
	{ "POST", "/ledgers/{key}", web_entry_create, 0, -1 },
	{ "GET", "/ledgers/{key}/new", web_entry_new, 0, -1 },
	{ "GET", "/ledgers/{key}/entries/{id}", web_entry, R_ID | R_WRITE, -1 },
	{ "POST", "/ledgers/{key}/entries/{id}", web_entry_update, R_ID, -1 },
	{ "GET", "/ledgers/{key}/stats", web_ledger_stats, R_WRITE, -1 },
	{ "GET", "/ledgers/{key}/export.xlsx", web_ledger_export, R_WRITE, -1 },
	{ "POST", "/visits", web_visit_create, 0, -1 },
	{ "GET", "/stats", web_community_stats, 0, -1 },
	{ "GET", "/reminders", web_reminders, R_WRITE, -1 },
	{ "GET", "/import", web_import_form, 0, ENT_PERSON },
	{ "POST", "/import", web_import_upload, R_UPLOAD, ENT_PERSON },
	{ "GET", "/import/{id}", web_import_job, R_ID, ENT_PERSON },
	{ "POST", "/import/{id}/confirm", web_import_confirm, R_ID, ENT_PERSON },
	{ "POST", "/import/{id}/cancel", web_import_cancel, R_ID, ENT_PERSON },
	{ "GET", "/import/{id}/report.xlsx", web_import_report, R_ID, ENT_PERSON },
	/* a person's page may audit the read of a restricted ledger's visit */
	{ "GET", "/persons/{id}", web_show, R_ID | R_WRITE, ENT_PERSON },
	WEB_ENTITY("persons", ENT_PERSON),
	{ "POST", "/persons/{id}/deregister", web_person_deregister, R_ID, ENT_PERSON },
	{ "POST", "/persons/{id}/reveal", web_person_reveal, R_ID, ENT_PERSON },
	WEB_ENTITY("households", ENT_HOUSEHOLD),
	/* a building's page and its 楼盘表 may audit a look at a restricted ledger */
	{ "GET", "/buildings/{id}", web_show, R_ID | R_WRITE, ENT_BUILDING },
	{ "GET", "/buildings/{id}/plan", web_building_plan, R_ID | R_WRITE, ENT_BUILDING },
	WEB_ENTITY("buildings", ENT_BUILDING),
	WEB_ENTITY("houses", ENT_HOUSE),
	WEB_ENTITY("grids", ENT_GRID),
};

const int nroutes = (int)(sizeof(routes) / sizeof(routes[0]));

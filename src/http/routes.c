/*
 * routes.c — the one route table: method, path pattern, handler, flags,
 * entity, and what the route takes and who may call it: its body (none,
 * a JSON object, a form, an upload), its query parameters with their
 * types, and its role set (0: any session) or R_WRITER (write access to
 * the entity).  The router (router.c) checks session, permission, body,
 * query and CSRF before any handler runs; permissions on records are
 * checked again in svc/.
 */
#include "api/api.h"
#include "http/http.h"
#include "web/web.h"

#define PAGE QP_INT("page", 1, 1000000, 1)
#define PER_PAGE(d) QP_INT("per_page", 1, 100, d)

/* a registry list and its exports: the list's filters */
#define LIST_FILTERS \
	QP_ID("grid_id"), QP_ID("building_id"), QP_ID("house_id"), QP_ID("household_id"), \
	QP_TEXT("q", 200), QP_TEXT("sort", 64), QP_CODE("residence_type", CT_RESIDENCE), \
	QP_CODE("hukou_status", CT_HUKOU_STATUS), QP_TEXT("age_band", 16), QP_TEXT("match", 16), \
	QP_BOOL("include_deregistered")
static const struct qparam q_list[] = { PAGE, PER_PAGE(20), LIST_FILTERS, QP_END };
static const struct qparam q_api_export[] = {
	LIST_FILTERS, QP_WORD("format", "xlsx|csv"), QP_BOOL("reveal"), QP_TEXT("reason", 60),
	QP_TEXT("reason_text", 300), QP_END
};
static const struct qparam q_web_export[] = {
	LIST_FILTERS, QP_BOOL("reveal"), QP_TEXT("reason", 60), QP_TEXT("reason_text", 300), QP_END
};
static const struct qparam q_entries[] = {
	PAGE, PER_PAGE(20), QP_ID("grid_id"), QP_BOOL("include_closed"), QP_TEXT("q", 200),
	QP_TEXT("field", 64), QP_TEXT("value", 200), QP_END
};
static const struct qparam q_api_audit[] = {
	PAGE, PER_PAGE(50), QP_TEXT("entity", 32), QP_ID("entity_id"), QP_TEXT("action", 32), QP_END
};
static const struct qparam q_web_audit[] = {
	PAGE, QP_TEXT("entity", 32), QP_ID("entity_id"), QP_TEXT("action", 32), QP_END
};
static const struct qparam q_visits[] = {
	{ "subject_id", Q_INT, 1, INT64_MAX / 4, 0, NULL, true }, QP_WORD("subject", "person|household|house"), QP_END
};
static const struct qparam q_layout[] = { QP_TEXT("layout", 32), QP_END };
static const struct qparam q_import[] = { QP_TEXT("sheet", 100), QP_BOOL("dry_run"), QP_END };
static const struct qparam q_subject[] = { QP_ID("subject_id"), QP_END };
static const struct qparam q_entry_new[] = { QP_ID("subject_id"), QP_TEXT("find", 100), QP_END };
static const struct qparam q_login[] = { QP_TEXT("next", 512), QP_END };
/* figures a street office or district reads too: of one of its communities */
static const struct qparam q_area[] = { QP_TEXT("community", 12), QP_END };

#define ADMIN_DIRECTOR (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DIRECTOR))
#define REVEALERS (ADMIN_DIRECTOR | ROLE_BIT(ROLE_WORKER))
#define IMPORTERS (ADMIN_DIRECTOR | ROLE_BIT(ROLE_WORKER))   /* bulk loads: not a grid worker */

#define API_ENTITY(path, ent) \
	{ "GET", "/api/v1/" path, api_list, R_API, ent, BODY_NONE, q_list, 0 }, \
	{ "GET", "/api/v1/" path "/export", api_export, R_API | R_WRITE, ent, BODY_NONE, q_api_export, 0 }, \
	{ "POST", "/api/v1/" path, api_create, R_API | R_WRITER, ent, BODY_JSON, NULL, 0 }, \
	{ "GET", "/api/v1/" path "/{id}", api_get, R_API | R_ID, ent, BODY_NONE, NULL, 0 }, \
	{ "PATCH", "/api/v1/" path "/{id}", api_patch, R_API | R_ID | R_WRITER, ent, BODY_JSON, NULL, 0 }

#define WEB_ENTITY(path, ent) \
	{ "GET", "/" path, web_list, 0, ent, BODY_NONE, q_list, 0 }, \
	{ "GET", "/" path "/export.xlsx", web_export, R_WRITE, ent, BODY_NONE, q_web_export, 0 }, \
	{ "GET", "/" path "/export.csv", web_export, R_WRITE, ent, BODY_NONE, q_web_export, 0 }, \
	{ "GET", "/" path "/new", web_new, R_WRITER, ent, BODY_NONE, NULL, 0 }, \
	{ "POST", "/" path, web_create, R_WRITER, ent, BODY_FORM, NULL, 0 }, \
	{ "GET", "/" path "/{id}", web_show, R_ID, ent, BODY_NONE, NULL, 0 }, \
	{ "GET", "/" path "/{id}/edit", web_edit, R_ID | R_WRITER, ent, BODY_NONE, NULL, 0 }, \
	{ "POST", "/" path "/{id}", web_update, R_ID | R_WRITER, ent, BODY_FORM, NULL, 0 }

const struct route routes[] = {
	/* JSON API */
	{ "POST", "/api/v1/login", api_login, R_API | R_PUBLIC, -1, BODY_JSON, NULL, 0 },
	{ "POST", "/api/v1/logout", api_logout, R_API | R_AREA, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/api/v1/me", api_me, R_API | R_AREA, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/api/v1/codes", api_codes, R_API | R_AREA, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/api/v1/stats", api_stats, R_API | R_AREA, -1, BODY_NONE, q_area, 0 },
	{ "GET", "/api/v1/area", api_area, R_API | R_AREA, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/api/v1/area/ledgers/{key}", api_area_ledger, R_API | R_AREA | R_LREAD, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/api/v1/audit", api_audit, R_API, -1, BODY_NONE, q_api_audit, 0 },
	{ "POST", "/api/v1/import/persons", api_import, R_API, ENT_PERSON, BODY_UPLOAD, q_import, IMPORTERS },
	/* ledgers: reads are GETs that may write an audit record (restricted ledgers) */
	{ "GET", "/api/v1/ledgers", api_ledgers, R_API, -1, BODY_NONE, NULL, 0 },
	{ "POST", "/api/v1/ledgers", api_ledger_define, R_API | R_ALONE, -1, BODY_JSON, NULL, ADMIN_DIRECTOR },
	{ "POST", "/api/v1/ledgers/derive", api_ledger_derive, R_API | R_ALONE, -1, BODY_NONE, NULL, ADMIN_DIRECTOR },
	{ "GET", "/api/v1/ledgers/{key}/entries", api_entries, R_API | R_WRITE | R_LREAD, -1, BODY_NONE, q_entries, 0 },
	{ "POST", "/api/v1/ledgers/{key}/entries", api_entry_create, R_API | R_LWRITE, -1, BODY_JSON, NULL, 0 },
	{ "GET", "/api/v1/ledgers/{key}/entries/{id}", api_entry_get, R_API | R_ID | R_WRITE | R_LREAD, -1, BODY_NONE, NULL, 0 },
	{ "PATCH", "/api/v1/ledgers/{key}/entries/{id}", api_entry_patch, R_API | R_ID | R_LWRITE, -1, BODY_JSON, NULL, 0 },
	{ "GET", "/api/v1/ledgers/{key}/stats", api_ledger_stats, R_API | R_WRITE | R_LREAD | R_AREA, -1, BODY_NONE, q_area, 0 },
	{ "GET", "/api/v1/ledgers/{key}/export", api_ledger_export, R_API | R_WRITE | R_LREAD, -1, BODY_NONE, q_layout, 0 },
	{ "POST", "/api/v1/ledgers/{key}/readers", api_ledger_readers, R_API, -1, BODY_JSON, NULL, 0 },
	{ "GET", "/api/v1/stats/community", api_community_stats, R_API | R_AREA, -1, BODY_NONE, q_area, 0 },
	{ "GET", "/api/v1/reminders", api_reminders, R_API | R_WRITE, -1, BODY_NONE, NULL, 0 },
	{ "POST", "/api/v1/visits", api_visit_create, R_API, -1, BODY_JSON, NULL, 0 },
	{ "GET", "/api/v1/visits", api_visits, R_API | R_WRITE, -1, BODY_NONE, q_visits, 0 },
	API_ENTITY("persons", ENT_PERSON),
	{ "POST", "/api/v1/persons/{id}/deregister", api_person_deregister, R_API | R_ID | R_WRITER, ENT_PERSON, BODY_JSON, NULL, 0 },
	{ "POST", "/api/v1/persons/{id}/reveal", api_person_reveal, R_API | R_ID, ENT_PERSON, BODY_JSON_OPT, NULL, REVEALERS },
	API_ENTITY("households", ENT_HOUSEHOLD),
	API_ENTITY("buildings", ENT_BUILDING),
	{ "GET", "/api/v1/buildings/{id}/plan", api_building_plan, R_API | R_ID | R_WRITE, ENT_BUILDING, BODY_NONE, NULL, 0 },
	API_ENTITY("houses", ENT_HOUSE),
	API_ENTITY("grids", ENT_GRID),

	/* pages */
	{ "GET", "/static/app.css", web_css, R_PUBLIC, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/favicon.ico", web_favicon, R_PUBLIC, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/login", web_login_form, R_PUBLIC, -1, BODY_NONE, q_login, 0 },
	{ "POST", "/login", web_login, R_PUBLIC, -1, BODY_FORM, NULL, 0 },
	{ "POST", "/logout", web_logout, R_AREA, -1, BODY_FORM, NULL, 0 },
	{ "GET", "/", web_dashboard, R_AREA, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/area", web_area, R_AREA, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/area/ledgers/{key}", web_area_ledger, R_AREA | R_LREAD, -1, BODY_NONE, NULL, 0 },
	{ "POST", "/backup/settings", web_backup_settings, R_ALONE, -1, BODY_FORM, NULL, 0 },
	{ "GET", "/audit", web_audit, 0, -1, BODY_NONE, q_web_audit, 0 },
	{ "GET", "/ledgers", web_ledgers, 0, -1, BODY_NONE, q_subject, 0 },
	{ "GET", "/ledgers/define", web_ledger_define_form, 0, -1, BODY_NONE, NULL, ADMIN_DIRECTOR },
	{ "POST", "/ledgers/define", web_ledger_define, R_ALONE, -1, BODY_FORM, NULL, 0 },
	{ "GET", "/ledgers/{key}", web_ledger, R_WRITE | R_LREAD, -1, BODY_NONE, q_entries, 0 },
	{ "POST", "/ledgers/{key}", web_entry_create, R_LWRITE, -1, BODY_FORM, NULL, 0 },
	{ "GET", "/ledgers/{key}/new", web_entry_new, R_LWRITE, -1, BODY_NONE, q_entry_new, 0 },
	{ "GET", "/ledgers/{key}/entries/{id}", web_entry, R_ID | R_WRITE | R_LREAD, -1, BODY_NONE, NULL, 0 },
	{ "POST", "/ledgers/{key}/entries/{id}", web_entry_update, R_ID | R_LWRITE, -1, BODY_FORM, NULL, 0 },
	{ "GET", "/ledgers/{key}/stats", web_ledger_stats, R_WRITE | R_LREAD | R_AREA, -1, BODY_NONE, q_area, 0 },
	{ "GET", "/ledgers/{key}/export.xlsx", web_ledger_export, R_WRITE | R_LREAD, -1, BODY_NONE, q_layout, 0 },
	{ "POST", "/visits", web_visit_create, 0, -1, BODY_FORM, NULL, 0 },
	{ "GET", "/stats", web_community_stats, R_AREA, -1, BODY_NONE, q_area, 0 },
	{ "GET", "/reminders", web_reminders, R_WRITE, -1, BODY_NONE, NULL, 0 },
	{ "GET", "/import", web_import_form, 0, ENT_PERSON, BODY_NONE, NULL, IMPORTERS },
	{ "POST", "/import", web_import_upload, 0, ENT_PERSON, BODY_UPLOAD, NULL, IMPORTERS },
	{ "GET", "/import/{id}", web_import_job, R_ID, ENT_PERSON, BODY_NONE, NULL, 0 },
	{ "POST", "/import/{id}/confirm", web_import_confirm, R_ID | R_ALONE, ENT_PERSON, BODY_FORM, NULL, 0 },
	{ "POST", "/import/{id}/cancel", web_import_cancel, R_ID, ENT_PERSON, BODY_FORM, NULL, 0 },
	{ "GET", "/import/{id}/report.xlsx", web_import_report, R_ID, ENT_PERSON, BODY_NONE, NULL, 0 },
	/* a person's page may audit the read of a restricted ledger's visit */
	{ "GET", "/persons/{id}", web_show, R_ID | R_WRITE, ENT_PERSON, BODY_NONE, NULL, 0 },
	WEB_ENTITY("persons", ENT_PERSON),
	{ "POST", "/persons/{id}/deregister", web_person_deregister, R_ID | R_WRITER, ENT_PERSON, BODY_FORM, NULL, 0 },
	{ "POST", "/persons/{id}/reveal", web_person_reveal, R_ID, ENT_PERSON, BODY_FORM, NULL, REVEALERS },
	WEB_ENTITY("households", ENT_HOUSEHOLD),
	/* a building's page and its 楼盘表 may audit a look at a restricted ledger */
	{ "GET", "/buildings/{id}", web_show, R_ID | R_WRITE, ENT_BUILDING, BODY_NONE, NULL, 0 },
	{ "GET", "/buildings/{id}/plan", web_building_plan, R_ID | R_WRITE, ENT_BUILDING, BODY_NONE, NULL, 0 },
	WEB_ENTITY("buildings", ENT_BUILDING),
	WEB_ENTITY("houses", ENT_HOUSE),
	WEB_ENTITY("grids", ENT_GRID),
};

const int nroutes = (int)(sizeof(routes) / sizeof(routes[0]));

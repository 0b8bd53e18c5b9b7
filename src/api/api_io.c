/*
 * api_io.c — import and export over the JSON API:
 *   POST /api/v1/import/persons   the file as the body (?dry_run=1, ?sheet=)
 *   GET  /api/v1/{entity}/export  ?format=xlsx|csv, the list's filters, reveal=1
 * See docs/IMPORT.md.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "lib/util.h"
#include "svc/import.h"

void api_import(struct http_req *r, struct http_resp *w)
{
	struct jw_error err;
	jw_error_clear(&err);
	if (r->body.len == 0) {
		api_fail(w, JW_EBADREQ, "file", "请求体为空：请把 .xlsx、.xls 或 .csv 文件的内容作为请求体上传");
		return;
	}
	char path[512];
	if (!temp_file(path, sizeof(path), ".upload", r->body.data, r->body.len)) {
		api_fail(w, JW_EIO, "", "服务器无法保存上传的文件（临时目录不可写）");
		return;
	}
	struct import_opts o = { .sheet = req_query(r, "sheet"), .dry_run = req_bool(r, "dry_run") };
	struct import_result res;
	int rc = svc_import_persons(r->st, &r->actor, path, &o, &res, &err);
	unlink(path);
	if (rc != JW_OK) {
		import_result_release(&res);
		if (err.code == JW_EIO)   /* the upload itself was readable: its content is at fault */
			err.code = JW_EBADREQ;
		resp_json_error(w, &err, NULL);
		return;
	}
	resp_json(w, 200);
	import_result_json(&w->body, &res);
	import_result_release(&res);
}

void api_export(struct http_req *r, struct http_resp *w)
{
	const struct kind *e = req_entity(r);
	struct jw_error err;
	struct list_req lr;
	jw_error_clear(&err);
	list_req_from_query(r, &lr);
	const char *format = req_query(r, "format");   /* xlsx or csv: checked by the router */
	struct export_opts o = { .format = EXPORT_XLSX, .reveal = req_bool(r, "reveal"), .filter = &lr,
				 .reason = req_query(r, "reason"), .reason_text = req_query(r, "reason_text") };
	if (format && strcmp(format, "csv") == 0)
		o.format = EXPORT_CSV;
	struct export_req x = { r->st, &r->actor, e, &o, 0 };
	const char *ext = o.format == EXPORT_XLSX ? ".xlsx" : ".csv";
	char name[96];
	snprintf(name, sizeof(name), "%s%s", e->label, ext);
	const char *type = o.format == EXPORT_XLSX ?
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8";
	if (resp_made_file(w, ext, name, type, export_to, &x, &err) != JW_OK)
		resp_json_error(w, &err, NULL);
}

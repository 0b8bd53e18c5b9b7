/*
 * importpage.c — the web desk's import and export.
 *
 * Import is a small job: the upload is saved, a background thread (its
 * own store connection) dry-runs it for the preview — header mapping,
 * first rows, what would happen — and, once the worker confirms, runs it
 * for real.  The job page shows progress (it reloads itself each second;
 * no JavaScript) and then the summary and the report.  Jobs live in memory:
 * they belong to the user who uploaded, and are forgotten after an hour or
 * when the server stops.  Nothing is stored before the confirmation.
 *
 * Export: GET /{list}/export.xlsx|csv with the list page's filters.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "lib/util.h"
#include "svc/import.h"
#include "web/page.h"
#include "web/web.h"

enum job_state { JOB_ANALYSING, JOB_READY, JOB_IMPORTING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };

struct job {
	int64_t id;                  /* 0 = free slot */
	int64_t user_id;
	int64_t created;
	struct actor actor;
	char path[512];              /* the saved upload */
	char fname[256];             /* as the browser named it */
	enum job_state state;
	bool running;                /* a thread works on it: the slot stays */
	double progress;
	int64_t rows_seen;
	struct import_result preview;   /* the dry run */
	struct import_result result;    /* the import */
	struct jw_error err;
};

#define MAX_JOBS 32
#define JOB_TTL (60 * 60)
static struct job g_jobs[MAX_JOBS];
static int64_t g_next_job = 1;
static pthread_mutex_t g_jobs_lock = PTHREAD_MUTEX_INITIALIZER;
/* One import (or dry run) at a time: each holds the store's write lock. */
static pthread_mutex_t g_run_lock = PTHREAD_MUTEX_INITIALIZER;

/* Frees a slot (lock held). */
static void job_clear(struct job *j)
{
	if (j->path[0])
		unlink(j->path);
	import_result_release(&j->preview);
	import_result_release(&j->result);
	memset(j, 0, sizeof(*j));
}

/* The caller's job id (lock held), or NULL. */
static struct job *job_find(int64_t id, const struct actor *a)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (g_jobs[i].id == id && g_jobs[i].user_id == a->user_id)
			return &g_jobs[i];
	return NULL;
}

static int on_progress(double f, int64_t rows, void *ud)
{
	struct job *j = ud;
	pthread_mutex_lock(&g_jobs_lock);
	j->progress = f;
	j->rows_seen = rows;
	bool stop = j->state == JOB_CANCELLED;
	pthread_mutex_unlock(&g_jobs_lock);
	return stop ? 1 : 0;
}

/* The import (or dry run) on the job's own store connection. */
struct run_args {
	const struct actor *a;
	const char *path;
	const struct import_opts *o;
	struct import_result *res;
	struct jw_error *err;
};

static int run_import(struct store *st, void *ud)
{
	struct run_args *ra = ud;
	return svc_import_persons(st, ra->a, ra->path, ra->o, ra->res, ra->err);
}

static void *job_run(void *arg)
{
	struct job *j = arg;
	struct jw_error err;
	struct import_result res;
	jw_error_clear(&err);
	memset(&res, 0, sizeof(res));
	pthread_mutex_lock(&g_jobs_lock);
	bool dry = j->state == JOB_ANALYSING;
	char path[512];
	snprintf(path, sizeof(path), "%s", j->path);
	struct actor a = j->actor;
	pthread_mutex_unlock(&g_jobs_lock);

	pthread_mutex_lock(&g_run_lock);
	struct import_opts o = { .dry_run = dry, .progress = on_progress, .ud = j, .preview_rows = 10 };
	struct run_args ra = { &a, path, &o, &res, &err };
	int rc = svc_with_store(http_store_location(), run_import, &ra, &err);
	pthread_mutex_unlock(&g_run_lock);
	pthread_mutex_lock(&g_jobs_lock);
	if (j->state == JOB_CANCELLED) {
		import_result_release(&res);
	} else if (rc != JW_OK) {
		j->err = err;
		j->state = JOB_FAILED;
		import_result_release(&res);
	} else if (dry) {
		j->preview = res;
		j->state = JOB_READY;
	} else {
		j->result = res;
		j->state = JOB_DONE;
		unlink(j->path);
		j->path[0] = 0;
	}
	j->progress = 1;
	j->running = false;
	pthread_mutex_unlock(&g_jobs_lock);
	return NULL;
}

static bool job_start(struct job *j)
{
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	j->running = true;   /* lock held by the caller */
	bool ok = pthread_create(&th, &at, job_run, j) == 0;
	pthread_attr_destroy(&at);
	if (!ok)
		j->running = false;
	return ok;
}

/* Who may import: the route's role set (admin, director, worker; http/routes.c). */

/* ---- pages ---- */

void web_import_form(struct http_req *r, struct http_resp *w)
{
	page_begin(r, w, "导入居民");
	struct buf *b = &w->body;
	buf_adds(b, "<h1>导入居民名册</h1>"
		    "<p>可导入 Excel（.xlsx、.xls）或 CSV（UTF-8 或 GBK）文件。系统会自动找到表头行、识别列名"
		    "（如“身份证号”“公民身份号码”“证件号码”都对应公民身份号码），先显示识别结果和前几行，"
		    "<strong>确认后才会保存</strong>。证件号码已登记的居民会被更新（表中空白的项保留原值）。</p>"
		    "<form class=\"upload\" method=\"post\" action=\"/import\" enctype=\"multipart/form-data\">");
	page_csrf(b, r);
	buf_adds(b, "<label for=\"f-file\">名册文件</label> "
		    "<input id=\"f-file\" type=\"file\" name=\"file\" required "
		    "accept=\".xlsx,.xls,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel,text/csv\"> "
		    "<button type=\"submit\">上传并预览</button></form>"
		    "<p class=\"muted\">文件最大64MB。工作簿中每张有表头的工作表都会导入（说明页等没有表头的工作表跳过）。"
		    "表中须有“姓名”“公民身份号码”“人口类型”三列（工作表名为“流动人口”等时可无“人口类型”）；"
		    "有“户编号”“与户主关系”“房屋编号”（如 B0001-2-302）或“…号楼2单元302室”形式的地址时，会同时建立户和房屋。</p>");
	page_end(w);
}

void web_import_upload(struct http_req *r, struct http_resp *w)
{
	req_form(r, "_csrf");   /* parses the multipart body */
	if (!r->upload || r->upload_len == 0) {
		web_fail(r, w, JW_EBADREQ, "file", "没有收到文件：请选择要导入的 Excel 或 CSV 文件后再上传");
		return;
	}
	char path[512];
	if (!temp_file(path, sizeof(path), ".upload", r->upload, r->upload_len)) {
		web_fail(r, w, JW_EIO, "", "服务器无法保存上传的文件（临时目录不可写）");
		return;
	}
	pthread_mutex_lock(&g_jobs_lock);
	struct job *j = NULL;
	int64_t now = now_s();
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *k = &g_jobs[i];
		if (k->id && !k->running && now - k->created > JOB_TTL)
			job_clear(k);
		if (!k->id && !j)
			j = k;
	}
	if (!j) {
		pthread_mutex_unlock(&g_jobs_lock);
		unlink(path);
		web_fail(r, w, JW_ECONFLICT, "", "同时进行的导入太多，请稍后再试");
		return;
	}
	j->id = g_next_job++;
	j->user_id = r->actor.user_id;
	j->created = now;
	j->actor = r->actor;
	snprintf(j->actor.ip, sizeof(j->actor.ip), "%s", r->ip);
	snprintf(j->path, sizeof(j->path), "%s", path);
	snprintf(j->fname, sizeof(j->fname), "%s", r->upload_name[0] ? r->upload_name : "名册");
	j->state = JOB_ANALYSING;
	int64_t id = j->id;
	bool ok = job_start(j);
	if (!ok)
		job_clear(j);
	pthread_mutex_unlock(&g_jobs_lock);
	if (!ok) {
		web_fail(r, w, JW_EIO, "", "服务器无法开始导入，请稍后再试");
		return;
	}
	char loc[64];
	snprintf(loc, sizeof(loc), "/import/%lld", (long long)id);
	resp_redirect(w, loc);
}

static const char *sheet_name_of(const struct import_result *x, int i)
{
	return i >= 0 && i < x->nsheets ? x->sheets[i].name : "";
}

static bool many_sheets(const struct import_result *x)
{
	return x->nsheets > 1 || (x->nsheets == 1 && x->sheets[0].name[0]);
}

static void counts(struct buf *b, const struct import_result *x)
{
	buf_addf(b, "<dl class=\"fields\"><dt>数据行</dt><dd>%lld</dd><dt>新增</dt><dd>%lld 人</dd>"
		 "<dt>更新</dt><dd>%lld 人</dd><dt>无变化</dt><dd>%lld 人</dd><dt>合并的重复行</dt><dd>%lld</dd>"
		 "<dt>拒绝</dt><dd>%lld 行</dd><dt>新建</dt><dd>%lld 户、%lld 套房屋、%lld 栋楼</dd></dl>",
		 (long long)x->rows, (long long)x->imported, (long long)x->updated, (long long)x->unchanged,
		 (long long)x->merged, (long long)x->rejected, (long long)x->households_created,
		 (long long)x->houses_created, (long long)x->buildings_created);
	if (!many_sheets(x))
		return;
	buf_adds(b, "<h2>各工作表</h2><table class=\"sheets\"><thead><tr><th>工作表</th><th>状态</th><th>表头行</th>"
		    "<th>数据行</th><th>新增</th><th>更新</th><th>无变化</th><th>合并</th><th>拒绝</th>"
		    "<th>跳过的重复表头</th><th>说明</th></tr></thead><tbody>");
	for (int i = 0; i < x->nsheets; i++) {
		const struct import_sheet *s = &x->sheets[i];
		buf_adds(b, "<tr><td>");
		buf_html(b, s->name);
		buf_adds(b, "</td><td>");
		buf_html(b, import_sheet_status_label(s->status));
		if (s->status == ISHEET_IMPORTED)
			buf_addf(b, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
				 "<td>%lld</td><td>%lld</td><td>",
				 (long long)s->header_row, (long long)s->rows, (long long)s->imported,
				 (long long)s->updated, (long long)s->unchanged, (long long)s->merged,
				 (long long)s->rejected, (long long)s->repeated_headers);
		else
			buf_adds(b, "</td><td colspan=\"8\"></td><td>");
		buf_html(b, s->reason);
		buf_adds(b, "</td></tr>");
	}
	buf_addf(b, "<tr><th>合计</th><td></td><td></td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
		 "<td>%lld</td><td>%lld</td><td></td></tr></tbody></table>",
		 (long long)x->rows, (long long)x->imported, (long long)x->updated, (long long)x->unchanged,
		 (long long)x->merged, (long long)x->rejected, (long long)x->repeated_headers);
}

static void rejects_table(struct buf *b, const struct import_result *x, int64_t max)
{
	bool ms = many_sheets(x);
	if (x->nrejects) {
		buf_addf(b, "<h2>被拒绝的行</h2><table><thead><tr>%s<th>行号</th><th>列</th><th>原因</th><th>姓名</th>"
			 "<th>证件号码</th></tr></thead><tbody>", ms ? "<th>工作表</th>" : "");
		for (int64_t i = 0; i < x->nrejects && i < max; i++) {
			const struct import_reject *j = &x->rejects[i];
			buf_adds(b, "<tr>");
			if (ms) {
				buf_adds(b, "<td>");
				buf_html(b, sheet_name_of(x, j->sheet));
				buf_adds(b, "</td>");
			}
			buf_addf(b, "<td>%lld</td><td>", (long long)j->row);
			buf_html(b, j->column);
			buf_adds(b, "</td><td>");
			buf_html(b, j->reason);
			buf_adds(b, "</td><td>");
			buf_html(b, j->name);
			buf_adds(b, "</td><td>");
			buf_html(b, j->id_masked);
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table>");
		if (x->rejected > max)
			buf_addf(b, "<p class=\"muted\">只显示前 %lld 行，完整清单见报告。</p>", (long long)max);
	}
	if (x->nmerges) {
		buf_addf(b, "<h2>合并的重复行</h2><table><thead><tr>%s<th>行号</th><th>合并到</th><th>姓名</th>"
			 "<th>证件号码</th><th>说明</th></tr></thead><tbody>", ms ? "<th>工作表</th>" : "");
		for (int64_t i = 0; i < x->nmerges && i < max; i++) {
			const struct import_merge *m = &x->merges[i];
			buf_adds(b, "<tr>");
			if (ms) {
				buf_adds(b, "<td>");
				buf_html(b, sheet_name_of(x, m->sheet));
				buf_adds(b, "</td>");
			}
			buf_addf(b, "<td>%lld</td><td>", (long long)m->row);
			if (ms && m->into_sheet != m->sheet) {
				buf_adds(b, "工作表“");
				buf_html(b, sheet_name_of(x, m->into_sheet));
				buf_adds(b, "”");
			}
			buf_addf(b, "第%lld行</td><td>", (long long)m->into);
			buf_html(b, m->name);
			buf_adds(b, "</td><td>");
			buf_html(b, m->id_masked);
			buf_adds(b, "</td><td>");
			buf_html(b, m->note);
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table>");
	}
	if (x->nwarnings) {
		buf_addf(b, "<h2>提示（这些行已导入）</h2><table><thead><tr>%s<th>行号</th><th>姓名</th><th>提示</th>"
			 "</tr></thead><tbody>", ms ? "<th>工作表</th>" : "");
		for (int64_t i = 0; i < x->nwarnings && i < max; i++) {
			const struct import_warning *v = &x->warnings[i];
			buf_adds(b, "<tr>");
			if (ms) {
				buf_adds(b, "<td>");
				buf_html(b, sheet_name_of(x, v->sheet));
				buf_adds(b, "</td>");
			}
			buf_addf(b, "<td>%lld</td><td>", (long long)v->row);
			buf_html(b, v->name);
			buf_adds(b, "</td><td>");
			buf_html(b, v->message);
			buf_adds(b, "</td></tr>");
		}
		buf_adds(b, "</tbody></table>");
	}
}

/* One sheet's header mapping and first rows. */
static void preview_sheet(struct buf *b, const struct import_result *x, int si)
{
	const struct import_sheet *s = &x->sheets[si];
	buf_adds(b, "<h2>识别的列");
	if (s->name[0]) {
		buf_adds(b, "：工作表“");
		buf_html(b, s->name);
		buf_adds(b, "”");
	}
	buf_addf(b, "</h2><p class=\"muted\">表头在第 %lld 行", (long long)s->header_row);
	if (x->encoding[0]) {
		buf_adds(b, "，编码 ");
		buf_html(b, x->encoding);
	}
	if (s->residence_default[0]) {
		buf_adds(b, "；没有“人口类型”的行按工作表名称记为 ");
		buf_html(b, code_label(&code_tables[CT_RESIDENCE], s->residence_default));
	}
	buf_adds(b, "。</p><div class=\"scroll\"><table class=\"preview\"><thead><tr><th>文件中的列</th>");
	for (int c = 0; c < s->ncols; c++) {
		buf_adds(b, "<th>");
		buf_html(b, s->cols[c].header[0] ? s->cols[c].header : "（无列名）");
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr><tr><th>导入为</th>");
	for (int c = 0; c < s->ncols; c++) {
		if (s->cols[c].label[0]) {
			buf_adds(b, "<td class=\"ok\">");
			buf_html(b, s->cols[c].label);
		} else {
			buf_adds(b, "<td class=\"muted\">忽略");
		}
		buf_adds(b, "</td>");
	}
	buf_adds(b, "</tr></thead><tbody>");
	for (int i = 0; i < x->npreview; i++) {
		if (x->preview_sheet[i] != si)
			continue;
		buf_addf(b, "<tr><th>第%lld行</th>", (long long)x->preview_row[i]);
		for (int c = 0; c < s->ncols; c++) {
			buf_adds(b, "<td>");
			buf_html(b, x->preview[i][c] ? x->preview[i][c] : "");
			buf_adds(b, "</td>");
		}
		buf_adds(b, "</tr>");
	}
	buf_adds(b, "</tbody></table></div>");
}

static void preview(struct buf *b, const struct import_result *x)
{
	for (int i = 0; i < x->nsheets; i++)
		if (x->sheets[i].status == ISHEET_IMPORTED)
			preview_sheet(b, x, i);
	bool skipped = false;
	for (int i = 0; i < x->nsheets; i++) {
		const struct import_sheet *s = &x->sheets[i];
		if (s->status == ISHEET_IMPORTED)
			continue;
		if (!skipped)
			buf_adds(b, "<h2>不导入的工作表</h2><ul>");
		skipped = true;
		buf_adds(b, "<li>“");
		buf_html(b, s->name);
		buf_adds(b, "”：");
		buf_html(b, s->reason);
		buf_adds(b, "</li>");
	}
	if (skipped)
		buf_adds(b, "</ul>");
	if (x->nunknown) {
		buf_adds(b, "<p>未识别、将被忽略的列：");
		for (int i = 0; i < x->nunknown; i++) {
			buf_adds(b, i ? "、" : "");
			buf_html(b, x->unknown[i]);
		}
		buf_adds(b, "</p>");
	}
}

void web_import_job(struct http_req *r, struct http_resp *w)
{
	pthread_mutex_lock(&g_jobs_lock);
	struct job *j = job_find(r->id, &r->actor);
	if (!j) {
		pthread_mutex_unlock(&g_jobs_lock);
		web_fail(r, w, JW_ENOTFOUND, "", "找不到这次导入：导入记录只保留一小时，服务重启后也会清除。请重新上传文件");
		return;
	}
	page_begin(r, w, "导入居民");
	struct buf *b = &w->body;
	buf_adds(b, "<h1>导入居民：");
	buf_html(b, j->fname);
	buf_adds(b, "</h1>");
	int pct = (int)(j->progress * 100 + 0.5);
	switch (j->state) {
	case JOB_ANALYSING:
	case JOB_IMPORTING:
		/* the page reloads itself until the job is done */
		buf_adds(b, "<meta http-equiv=\"refresh\" content=\"1\">");
		buf_addf(b, "<p>%s……已读 %lld 行</p><p><progress max=\"100\" value=\"%d\">%d%%</progress> %d%%</p>",
			 j->state == JOB_ANALYSING ? "正在读取和检查文件（尚未保存）" : "正在导入",
			 (long long)j->rows_seen, pct, pct, pct);
		break;
	case JOB_READY:
		page_notice(b, "ok", "已检查完毕，尚未保存。请核对下面的识别结果，确认无误后点“确认导入”。");
		counts(b, &j->preview);
		preview(b, &j->preview);
		rejects_table(b, &j->preview, 50);
		buf_addf(b, "<div class=\"toolbar\"><form method=\"post\" action=\"/import/%lld/confirm\">", (long long)j->id);
		page_csrf(b, r);
		buf_adds(b, "<button type=\"submit\">确认导入</button></form>");
		buf_addf(b, "<form method=\"post\" action=\"/import/%lld/cancel\">", (long long)j->id);
		page_csrf(b, r);
		buf_adds(b, "<button type=\"submit\" class=\"secondary\">取消</button></form></div>");
		break;
	case JOB_DONE:
		page_notice(b, "ok", "导入完成，已保存。");
		counts(b, &j->result);
		buf_addf(b, "<div class=\"toolbar\"><a class=\"button\" href=\"/import/%lld/report.xlsx\">下载导入报告（Excel）</a>"
			 "<a class=\"button\" href=\"/persons\">查看居民</a><a href=\"/import\">继续导入</a></div>",
			 (long long)j->id);
		rejects_table(b, &j->result, 200);
		break;
	case JOB_FAILED:
		page_notice(b, "err", j->err.message[0] ? j->err.message : err_default_msg(j->err.code));
		buf_adds(b, "<p>没有保存任何数据。<a href=\"/import\">重新上传</a></p>");
		break;
	case JOB_CANCELLED:
		buf_adds(b, "<p>已取消，没有保存任何数据。<a href=\"/import\">重新上传</a></p>");
		break;
	}
	pthread_mutex_unlock(&g_jobs_lock);
	page_end(w);
}

void web_import_confirm(struct http_req *r, struct http_resp *w)
{
	pthread_mutex_lock(&g_jobs_lock);
	struct job *j = job_find(r->id, &r->actor);
	bool ok = j && j->state == JOB_READY;
	if (ok) {
		j->state = JOB_IMPORTING;
		j->progress = 0;
		j->rows_seen = 0;
		if (!job_start(j)) {
			j->state = JOB_FAILED;
			jw_fail(&j->err, JW_EIO, "", "服务器无法开始导入，请稍后再试");
		}
	}
	pthread_mutex_unlock(&g_jobs_lock);
	if (!ok) {
		web_fail(r, w, JW_ECONFLICT, "", "这次导入不在等待确认的状态（已导入、已取消或已过期）");
		return;
	}
	char loc[64];
	snprintf(loc, sizeof(loc), "/import/%lld", (long long)r->id);
	resp_redirect(w, loc);
}

void web_import_cancel(struct http_req *r, struct http_resp *w)
{
	pthread_mutex_lock(&g_jobs_lock);
	struct job *j = job_find(r->id, &r->actor);
	if (j && (j->state == JOB_READY || j->state == JOB_ANALYSING)) {
		/* a running dry run sees the state and stops */
		j->state = JOB_CANCELLED;
		if (j->path[0]) {
			unlink(j->path);
			j->path[0] = 0;
		}
	}
	pthread_mutex_unlock(&g_jobs_lock);
	resp_redirect(w, "/import");
}

void web_import_report(struct http_req *r, struct http_resp *w)
{
	struct jw_error e;
	char path[512];
	jw_error_clear(&e);
	pthread_mutex_lock(&g_jobs_lock);
	struct job *j = job_find(r->id, &r->actor);
	int rc = JW_ENOTFOUND;
	if (j && (j->state == JOB_DONE || j->state == JOB_READY)) {
		rc = temp_file(path, sizeof(path), ".xlsx", NULL, 0) ? JW_OK : JW_EIO;
		if (rc == JW_OK)
			rc = import_report_xlsx(j->state == JOB_DONE ? &j->result : &j->preview, path, &e);
	}
	pthread_mutex_unlock(&g_jobs_lock);
	if (rc == JW_OK && resp_file(w, path, "导入报告.xlsx",
				     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") == JW_OK)
		return;
	if (rc == JW_OK)
		unlink(path);
	if (e.code)
		web_error(r, w, &e);
	else
		web_fail(r, w, rc == JW_OK ? JW_EIO : rc, "", rc == JW_ENOTFOUND ? "找不到这次导入的报告，请重新导入" : NULL);
}

/* ---- export ---- */

void web_export(struct http_req *r, struct http_resp *w)
{
	const struct kind *e = req_entity(r);
	struct jw_error err;
	struct list_req lr;
	jw_error_clear(&err);
	list_req_from_query(r, &lr);
	struct export_opts o = { .format = EXPORT_XLSX, .reveal = req_bool(r, "reveal"), .filter = &lr,
				 .reason = req_query(r, "reason"), .reason_text = req_query(r, "reason_text") };
	size_t n = strlen(r->path);
	if (n > 4 && strcmp(r->path + n - 4, ".csv") == 0)
		o.format = EXPORT_CSV;
	const char *ext = o.format == EXPORT_XLSX ? ".xlsx" : ".csv";
	char name[96];
	int y, m, d;
	date_today(&y, &m, &d);
	snprintf(name, sizeof(name), "%s-%04d%02d%02d%s", e->label, y, m, d, ext);
	struct export_req x = { r->st, &r->actor, e, &o, 0 };
	if (resp_made_file(w, ext, name, o.format == EXPORT_XLSX ?
			   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8",
			   export_to, &x, &err) != JW_OK)
		web_error(r, w, &err);
}

/*
 * cmd_import.c — `juwei import persons FILE` and `juwei export ENTITY`:
 * rosters in and lists out from the command line (svc/import.c,
 * svc/export.c; docs/IMPORT.md).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/util.h"
#include "svc/import.h"

/* A progress bar on a terminal's stderr. */
static int bar(double f, int64_t rows, void *ud)
{
	(void)ud;
	int w = (int)(f * 30 + 0.5);
	if (w > 30)
		w = 30;
	char line[64];
	for (int i = 0; i < 30; i++)
		line[i] = i < w ? '#' : '-';
	line[30] = 0;
	fprintf(stderr, "\r导入中 [%s] %3d%%  %lld 行", line, (int)(f * 100 + 0.5), (long long)rows);
	fflush(stderr);
	return 0;
}

/* "工作表“第二网格”" for a workbook's sheet i, "" for a CSV. */
static const char *sheet_tag(const struct import_result *r, int i, char *buf, size_t sz)
{
	if (i < 0 || i >= r->nsheets || !r->sheets[i].name[0] || r->nsheets < 2) {
		buf[0] = 0;
		return buf;
	}
	snprintf(buf, sz, "工作表“%s”", r->sheets[i].name);
	return buf;
}

static void print_summary(const struct import_result *r, const char *file)
{
	char w1[192], w2[192];
	printf("%s：%s共%lld行数据（表头在第%lld行%s%s）\n", file, r->dry_run ? "试导入（未保存）；" : "",
	       (long long)r->rows, (long long)r->header_row, r->sheet[0] ? "，工作表 " : "", r->sheet);
	printf("  新增 %lld 人，更新 %lld 人，无变化 %lld 人，合并重复行 %lld 行，拒绝 %lld 行\n",
	       (long long)r->imported, (long long)r->updated, (long long)r->unchanged, (long long)r->merged,
	       (long long)r->rejected);
	if (r->nsheets > 1 || (r->nsheets == 1 && r->sheets[0].name[0]))
		for (int i = 0; i < r->nsheets; i++) {
			const struct import_sheet *s = &r->sheets[i];
			if (s->status == ISHEET_IMPORTED)
				printf("  工作表“%s”：表头第%lld行，%lld行数据，新增 %lld，更新 %lld，无变化 %lld，合并 %lld，拒绝 %lld%s\n",
				       s->name, (long long)s->header_row, (long long)s->rows, (long long)s->imported,
				       (long long)s->updated, (long long)s->unchanged, (long long)s->merged,
				       (long long)s->rejected, s->repeated_headers ? "（含重复表头行，已跳过）" : "");
			else
				printf("  工作表“%s”：%s——%s\n", s->name, import_sheet_status_label(s->status), s->reason);
		}
	if (r->repeated_headers || r->footers)
		printf("  跳过重复的表头行 %lld 行、标题/合计/制表人等行 %lld 行\n", (long long)r->repeated_headers,
		       (long long)r->footers);
	if (r->households_created || r->houses_created || r->buildings_created)
		printf("  新建 %lld 户、%lld 套房屋、%lld 栋楼\n", (long long)r->households_created,
		       (long long)r->houses_created, (long long)r->buildings_created);
	if (r->nunknown) {
		printf("  未识别（已忽略）的列：");
		for (int i = 0; i < r->nunknown; i++)
			printf("%s%s", i ? "、" : "", r->unknown[i]);
		printf("\n");
	}
	for (int64_t i = 0; i < r->nrejects && i < 20; i++)
		printf("  %s第%lld行%s%s%s：%s\n", sheet_tag(r, r->rejects[i].sheet, w1, sizeof(w1)),
		       (long long)r->rejects[i].row, r->rejects[i].column[0] ? "（" : "",
		       r->rejects[i].column, r->rejects[i].column[0] ? "）" : "", r->rejects[i].reason);
	if (r->rejected > 20)
		printf("  ……另有 %lld 行被拒绝，完整清单见 --report 报告或 --json 输出\n", (long long)r->rejected - 20);
	for (int64_t i = 0; i < r->nmerges && i < 10; i++) {
		const struct import_merge *m = &r->merges[i];
		printf("  %s第%lld行与%s第%lld行证件号码相同，已合并%s%s\n", sheet_tag(r, m->sheet, w1, sizeof(w1)),
		       (long long)m->row, sheet_tag(r, m->into_sheet, w2, sizeof(w2)), (long long)m->into,
		       m->note[0] ? "：" : "", m->note);
	}
	for (int64_t i = 0; i < r->nwarnings && i < 20; i++)
		printf("  提示：%s第%lld行：%s\n", sheet_tag(r, r->warnings[i].sheet, w1, sizeof(w1)),
		       (long long)r->warnings[i].row, r->warnings[i].message);
	if (r->nwarnings > 20)
		printf("  ……另有 %lld 条提示，见 --report 报告\n", (long long)r->nwarnings - 20);
}

int cmd_import(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库文件路径", NULL },
		{ "dry-run", NULL, "只检查、不保存：报告将会新增、更新和拒绝哪些行", NULL },
		{ "report", "OUT.xlsx", "把被拒绝和合并的行写入报告工作簿", NULL },
		{ "json", NULL, "在标准输出打印一个 JSON 对象（见 docs/IMPORT.md）", NULL },
		{ "sheet", "NAME", "只导入这一张工作表（名称或序号；默认导入每张有表头的工作表）", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	const char *pos[2] = { NULL, NULL };
	int rc = opt_parse("import", "persons FILE --db PATH [--dry-run] [--report OUT.xlsx] [--json] [--sheet NAME]",
			   argc, argv, opts, n, pos, 2);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db");
	if (!pos[0] || strcmp(pos[0], "persons") != 0) {
		fputs("juwei import: 目前可导入的是居民：juwei import persons 文件 --db 数据库\n", stderr);
		return 2;
	}
	if (!pos[1] || !db) {
		fputs("juwei import: 缺少文件或 --db，请查看 juwei import --help\n", stderr);
		return 2;
	}
	const char *report = opt_get(opts, n, "report");
	if (report && !strstr(report, ".xlsx")) {
		fputs("juwei import: --report 应为 .xlsx 文件名\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	if (access(pos[1], R_OK) != 0) {
		fprintf(stderr, "juwei import: 无法读取文件“%s”，请检查路径\n", pos[1]);
		return 1;
	}
	struct store *st = store_open(db, &err);
	if (!st)
		return cli_fail(&err);
	struct actor a;
	if ((rc = actor_system(st, &a, &err)) != JW_OK) {
		store_close(st);
		return cli_fail(&err);
	}
	struct import_opts o = { .sheet = opt_get(opts, n, "sheet"), .dry_run = opt_get(opts, n, "dry-run") != NULL };
	bool tty = isatty(2);
	if (tty)
		o.progress = bar;
	struct import_result res;
	rc = svc_import_persons(st, &a, pos[1], &o, &res, &err);
	if (tty)
		fputs("\r\033[K", stderr);
	store_close(st);
	if (rc != JW_OK) {
		import_result_release(&res);
		return cli_fail(&err);
	}
	if (report && import_report_xlsx(&res, report, &err) != JW_OK) {
		import_result_release(&res);
		return cli_fail(&err);
	}
	if (opt_get(opts, n, "json")) {
		struct buf b = BUF_INIT;
		import_result_json(&b, &res);
		puts(buf_cstr(&b));
		buf_release(&b);
	} else {
		print_summary(&res, pos[1]);
		if (report)
			printf("  报告：%s\n", report);
	}
	int code = res.rejected || import_sheets_failed(&res) ? 3 : 0;
	import_result_release(&res);
	return code;
}

int cmd_export(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库文件路径", NULL },
		{ "out", "FILE", "输出文件：.xlsx 或 .csv（UTF-8 带 BOM）", NULL },
		{ "q", "TEXT", "搜索：姓名、拼音、证件号或电话尾号", NULL },
		{ "grid", "NAME", "只导出该网格（名称或编号）", NULL },
		{ "residence-type", "CODE", "人口类型：registered / migrant / foreign 或中文", NULL },
		{ "age-band", "KEY", "年龄段：0-14、15-59、60+、60-79、80+ 等", NULL },
		{ "include-deregistered", NULL, "包括已注销的居民", NULL },
		{ "reveal", NULL, "导出完整证件号码和电话（记入审计日志，须同时给出 --reason）", NULL },
		{ "reason", "TEXT", "导出完整号码的原因：办理业务、核对身份、上级部门要求，或写明其他原因", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	const char *pos[1] = { NULL };
	int rc = opt_parse("export", "persons|households|houses|buildings|grids --db PATH --out FILE [筛选]",
			   argc, argv, opts, n, pos, 1);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db"), *out = opt_get(opts, n, "out");
	const struct kind *e = pos[0] ? entity_by_path(pos[0]) : NULL;
	if (!e) {
		fputs("juwei export: 请指定要导出的内容：persons、households、houses、buildings 或 grids\n", stderr);
		return 2;
	}
	if (!db || !out) {
		fputs("juwei export: 缺少 --db 或 --out，请查看 juwei export --help\n", stderr);
		return 2;
	}
	struct export_opts o = { .reveal = opt_get(opts, n, "reveal") != NULL, .reason = opt_get(opts, n, "reason") };
	if (!export_format_of(out, &o.format)) {
		fputs("juwei export: --out 的文件名应以 .xlsx 或 .csv 结尾\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	struct store *st = store_open(db, &err);
	if (!st)
		return cli_fail(&err);
	struct actor a;
	if ((rc = actor_system(st, &a, &err)) != JW_OK) {
		store_close(st);
		return cli_fail(&err);
	}
	struct list_req lr;
	list_req_init(&lr);
	lr.q = opt_get(opts, n, "q");
	lr.residence_type = opt_get(opts, n, "residence-type");
	lr.age_band = opt_get(opts, n, "age-band");
	lr.include_deregistered = opt_get(opts, n, "include-deregistered") != NULL;
	const char *grid = opt_get(opts, n, "grid");
	if (grid && !parse_i64(grid, 1, INT64_MAX, &lr.grid_id)) {
		if (STORE_CALL(st, record_find, a.community, &entities[ENT_GRID], "name", grid, &lr.grid_id, &err) != JW_OK ||
		    !lr.grid_id) {
			store_close(st);
			fprintf(stderr, "juwei export: 没有名为“%s”的网格\n", grid);
			return 1;
		}
	}
	o.filter = &lr;
	int64_t rows = 0;
	rc = svc_export(st, &a, e, &o, out, &rows, &err);
	store_close(st);
	if (rc != JW_OK)
		return cli_fail(&err);
	printf("已导出 %lld 条%s到 %s%s\n", (long long)rows, e->label, out, o.reveal ? "（含完整号码，已记入审计日志）" : "");
	return 0;
}

/*
 * cmd_backup.c — `juwei backup`, `juwei restore`, `juwei check`: the
 * committee's one file kept safe (svc/backup.c, svc/check.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "svc/backup.h"

/* Opens an existing store (never creates one) and its system actor. */
static struct store *open_existing(const char *cmd, const char *db, struct actor *a, struct jw_error *err)
{
	if (!store_exists(db)) {
		jw_fail(err, JW_EIO, "db", "数据库文件“%s”不存在，请检查 --db", strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db);
		return NULL;
	}
	struct store *st = store_open(db, err);
	if (!st)
		return NULL;
	/* a backup is of the whole store; a check is of one community or each */
	if ((strcmp(cmd, "backup") == 0 ? actor_system_store(st, a, err) : actor_system(st, a, err)) != JW_OK) {
		store_close(st);
		return NULL;
	}
	return st;
}

int cmd_backup(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库文件路径", NULL },
		{ "out", "FILE", "备份文件（已存在的文件夹：在其中按日期命名）；检查通过后才以此名保存", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	int rc = opt_parse("backup", "--db PATH --out FILE", argc, argv, opts, n, NULL, 0);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db"), *out = opt_get(opts, n, "out");
	if (!db || !out) {
		fputs("juwei backup: 缺少 --db 或 --out，请查看 juwei backup --help\n", stderr);
		return 2;
	}
	char path[1700];
	struct stat sb;
	if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		char stem[256], name[512];
		backup_stem(db, stem, sizeof(stem));
		backup_name(stem, time(NULL), name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", out, name);
	} else {
		snprintf(path, sizeof(path), "%s", out);
	}
	struct stat sd;
	const char *dbp = strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db;
	if (stat(path, &sb) == 0 && stat(dbp, &sd) == 0 && sb.st_dev == sd.st_dev && sb.st_ino == sd.st_ino) {
		fputs("juwei backup: --out 不能是数据库文件本身\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	struct actor a;
	struct store *st = open_existing("backup", db, &a, &err);
	if (!st)
		return cli_fail(&err);
	struct backup_result res;
	rc = svc_backup(st, &a, path, true, NULL, &res, &err);
	store_close(st);
	if (rc != JW_OK) {
		fprintf(stderr, "juwei: 备份失败：%s\n", err.message[0] ? err.message : err_default_msg(err.code));
		return 1;
	}
	printf("已备份到 %s（%lld 字节，%lld 名居民，%lld 户），已通过完整性检查\n", res.path, (long long)res.bytes,
	       (long long)res.persons, (long long)res.households);
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "要恢复到的数据库文件路径（原文件改名保留）", NULL },
		{ "from", "FILE", "备份文件", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	int rc = opt_parse("restore", "--db PATH --from FILE", argc, argv, opts, n, NULL, 0);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db"), *from = opt_get(opts, n, "from");
	if (!db || !from) {
		fputs("juwei restore: 缺少 --db 或 --from，请查看 juwei restore --help\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	char aside[1200];
	if (svc_restore(db, from, aside, sizeof(aside), &err) != JW_OK)
		return cli_fail(&err);
	printf("已从 %s 恢复到 %s\n", from, db);
	if (aside[0])
		printf("原数据库已改名保留为 %s\n", aside);
	return 0;
}

static int print_problem(const char *text, void *ud)
{
	int *k = ud;
	(*k)++;
	printf("问题：%s\n", text);
	return JW_OK;
}

static int print_info(const char *text, void *ud)
{
	(void)ud;
	printf("  %s\n", text);
	return JW_OK;
}

int cmd_check(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库文件路径", NULL },
		{ "repair", NULL, "先按登记记录重建本程序自己维护的数据（首页和汇总的计数），再检查", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	int rc = opt_parse("check", "--db PATH [--repair]", argc, argv, opts, n, NULL, 0);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db");
	if (!db) {
		fputs("juwei check: 缺少 --db，请查看 juwei check --help\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	struct actor a;
	struct store *st = open_existing("check", db, &a, &err);
	static char codes[1024][16];   /* a district has hundreds */
	int ncodes = 0;
	if (!st && err.code == JW_EUSAGE && strcmp(err.field, "community") == 0) {
		/* several communities and none chosen: each of them in turn */
		struct jw_error e2;
		if ((st = store_open(db, &e2)) && svc_community_codes(st, codes, 1024, &ncodes, &e2) == JW_OK && ncodes > 0) {
			jw_error_clear(&err);
		} else {
			store_close(st);
			st = NULL;
		}
	}
	if (!st) {
		printf("问题：无法打开数据库：%s\n", err.message[0] ? err.message : err_default_msg(err.code));
		return 1;
	}
	int shown = 0;
	int64_t problems = 0;
	char where[512];
	printf("检查 %s：\n", store_shown(db, where, sizeof(where)));
	bool repair = opt_get(opts, n, "repair") != NULL;
	if (!ncodes) {
		if (repair)
			rc = svc_check_repair(st, &a, print_info, NULL, &err);
		if (rc == JW_OK)
			rc = svc_check(st, &a, print_problem, print_info, &shown, &problems, &err);
	} else {
		for (int i = 0; rc == JW_OK && i < ncodes; i++) {
			int64_t p = 0;
			svc_cli_community(codes[i]);
			printf("社区 %s：\n", codes[i]);
			if ((rc = actor_system(st, &a, &err)) == JW_OK && repair)
				rc = svc_check_repair(st, &a, print_info, NULL, &err);
			if (rc == JW_OK)
				rc = svc_check(st, &a, print_problem, print_info, &shown, &p, &err);
			problems += p;
		}
	}
	store_close(st);
	if (rc != JW_OK) {
		printf("问题：检查未能完成：%s\n", err.message[0] ? err.message : err_default_msg(err.code));
		return 1;
	}
	if (problems) {
		printf("发现 %lld 处问题。\n", (long long)problems);
		return 1;
	}
	puts("检查通过：未发现问题。");
	return 0;
}

static void print_copied(const struct copy_report *r, void *ud)
{
	int *bad = ud;
	bool same = r->rows_from == r->rows_to && r->sum_from == r->sum_to;
	if (!same)
		(*bad)++;
	printf("  %-16s 源 %8lld 行  目标 %8lld 行  校验 %016llx %s %016llx\n", r->table, (long long)r->rows_from,
	       (long long)r->rows_to, (unsigned long long)r->sum_from, same ? "=" : "≠",
	       (unsigned long long)r->sum_to);
}

int cmd_migrate(int argc, char **argv)
{
	struct opt opts[] = {
		{ "from", "PATH", "要迁移的 SQLite 数据库文件", NULL },
		{ "to", "URL", "目标数据库（空的 PostgreSQL 数据库，如 postgres://user@host/db）", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	int rc = opt_parse("migrate", "--from PATH.db --to postgres://…", argc, argv, opts, n, NULL, 0);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *from = opt_get(opts, n, "from"), *to = opt_get(opts, n, "to");
	if (!from || !to) {
		fputs("juwei migrate: 缺少 --from 或 --to，请查看 juwei migrate --help\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	int bad = 0;
	printf("迁移 %s：\n", from);
	rc = svc_migrate(from, to, print_copied, &bad, &err);
	if (rc != JW_OK) {
		fprintf(stderr, "juwei migrate: %s\n", err.message[0] ? err.message : err_default_msg(err.code));
		return rc == JW_EUSAGE ? 2 : 1;
	}
	puts("迁移完成：每张表的行数和校验值一致。");
	return 0;
}

/*
 * cmd_init.c — `juwei init`: creates the store, the community and the
 * administrator `admin` in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/util.h"
#include "svc/svc.h"

/* A 12-digit statistical division code of a residents' committee:
 * its last three digits (the village-level part) are 001–199. */
static bool community_code_ok(const char *c, struct jw_error *err)
{
	if (!c || strlen(c) != 12 || strspn(c, "0123456789") != 12) {
		jw_fail(err, JW_EUSAGE, "community-code",
			"社区代码应为12位数字的统计用区划代码（如 110105087003），现为“%s”", c ? c : "");
		return false;
	}
	int64_t tail;
	parse_i64(c + 9, 0, 999, &tail);
	if (tail < 1 || tail > 199) {
		jw_fail(err, JW_EUSAGE, "community-code",
			"社区代码末三位为%03lld：居委会的代码末三位应在001–199之间（200及以上为村委会）", (long long)tail);
		return false;
	}
	return true;
}

/* A strong random password: 3 groups of 4 from an alphabet without look-alikes. */
static void gen_password(char out[32])
{
	static const char lower[] = "abcdefghijkmnpqrstuvwxyz", upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ",
			  digit[] = "23456789";
	char hex[33];
	do {
		random_hex(hex, 16);
		int k = 0;
		for (int i = 0; i < 12; i++) {
			unsigned v = (unsigned)strtoul((char[]){ hex[2 * i], hex[2 * i + 1], 0 }, NULL, 16);
			const char *set = i % 3 == 0 ? upper : i % 3 == 1 ? lower : digit;
			size_t n = strlen(set);
			out[k++] = set[v % n];
			if (i == 3 || i == 7)
				out[k++] = '-';
		}
		out[k] = '\0';
	} while (!password_strong(out));
}

int cmd_init(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库文件路径（SQLite），如 var/juwei.db", NULL },
		{ "community-code", "CODE", "社区的12位统计用区划代码，末三位001–199", NULL },
		{ "community-name", "NAME", "社区居委会名称，如 阳光社区居民委员会", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	int rc = opt_parse("init", "--db PATH --community-code CODE --community-name NAME\n\n"
			   "管理员 admin 的密码取自环境变量 JUWEI_ADMIN_PASSWORD；未设置时随机生成并只显示一次。",
			   argc, argv, opts, n, NULL, 0);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct jw_error err;
	jw_error_clear(&err);
	const char *db = opt_get(opts, n, "db"), *code = opt_get(opts, n, "community-code"),
		   *name = opt_get(opts, n, "community-name");
	if (!db || !code || !name) {
		fprintf(stderr, "juwei init: 缺少 %s，请查看 juwei init --help\n",
			!db ? "--db" : !code ? "--community-code" : "--community-name");
		return 2;
	}
	if (!community_code_ok(code, &err))
		return cli_fail(&err);
	if (str_empty(name) || strlen(name) > 120) {
		fputs("juwei init: 社区名称不能为空，且不超过40个字\n", stderr);
		return 2;
	}
	char pw[64];
	const char *env = getenv("JUWEI_ADMIN_PASSWORD");
	bool generated = str_empty(env);
	if (generated)
		gen_password(pw);
	else if (!password_strong(env)) {
		jw_fail(&err, JW_EWEAKPW, "JUWEI_ADMIN_PASSWORD", "JUWEI_ADMIN_PASSWORD 太弱：至少8位，并包含大写字母、小写字母、数字、符号中的至少3种");
		return cli_fail(&err);
	} else
		snprintf(pw, sizeof(pw), "%s", env);

	struct store *st = store_open(db, &err);
	if (!st)
		return cli_fail(&err);
	struct community_row c;
	struct jw_error e2;
	if (STORE_CALL(st, community_get, &c, &e2) == JW_OK) {
		store_close(st);
		jw_fail(&err, JW_EUSAGE, "db", "数据库“%s”已经初始化（社区 %s %s），不能重复初始化", db, c.code, c.name);
		return cli_fail(&err);
	}
	snprintf(c.code, sizeof(c.code), "%s", code);
	snprintf(c.name, sizeof(c.name), "%s", name);
	rc = store_begin(st);
	if (rc == JW_OK)
		rc = STORE_CALL(st, community_insert, &c, &err);
	if (rc == JW_OK)
		rc = svc_user_add(st, code, "admin", "admin", NULL, pw, &err);
	if (rc == JW_OK) {
		/* no persons yet: the search keys are current (nothing to re-index) */
		bool keys_done;
		rc = svc_person_keys_refresh(st, NULL, &keys_done, &err);
	}
	if (rc == JW_OK) {
		struct actor a;
		actor_system(st, &a, &e2);
		struct audit_row ar = { .username = "system", .action = "init", .entity = "community",
					.new_json = NULL, .ip = "cli" };
		rc = svc_audit_put(st, code, &ar, &err);
	}
	if (rc == JW_OK)
		rc = store_commit(st);
	else
		store_rollback(st);
	store_close(st);
	if (rc != JW_OK) {
		if (!err.message[0])
			jw_fail(&err, rc, "", "初始化失败");
		return cli_fail(&err);
	}
	printf("已创建社区 %s %s，数据库 %s\n", code, name, db);
	if (generated)
		printf("管理员账号：admin  密码：%s\n（密码只显示这一次，请妥善保存；可用 juwei user passwd admin 修改）\n", pw);
	else
		printf("管理员账号：admin  密码：取自 JUWEI_ADMIN_PASSWORD\n");
	return 0;
}

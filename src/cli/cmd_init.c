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

static int first_community(const struct community_row *c, void *ud)
{
	struct community_row *first = ud;
	if (!first->code[0])
		*first = *c;
	return JW_OK;
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
	if (!svc_community_code_ok(code, &err))
		return cli_fail(&err);
	if (str_empty(name) || strlen(name) > 120) {
		fputs("juwei init: 社区名称不能为空，且不超过40个字\n", stderr);
		return 2;
	}
	char pw[64];
	const char *env = getenv("JUWEI_ADMIN_PASSWORD");
	bool generated = str_empty(env);
	if (generated)
		cli_gen_password(pw);
	else if (!password_strong(env)) {
		jw_fail(&err, JW_EWEAKPW, "JUWEI_ADMIN_PASSWORD", "JUWEI_ADMIN_PASSWORD 太弱：至少8位，并包含大写字母、小写字母、数字、符号中的至少3种");
		return cli_fail(&err);
	} else
		snprintf(pw, sizeof(pw), "%s", env);

	struct store *st = store_open(db, &err);
	if (!st)
		return cli_fail(&err);
	struct community_row c = { .code = "" };
	struct jw_error e2;
	if (svc_communities(st, first_community, &c, &e2) == JW_OK) {
		store_close(st);
		jw_fail(&err, JW_EUSAGE, "db", "数据库“%s”已经初始化（社区 %s %s），不能重复初始化；再加一个社区用 juwei community add",
			db, c.code, c.name);
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
	char shown[512];
	printf("已创建社区 %s %s，数据库 %s\n", code, name, store_shown(db, shown, sizeof(shown)));
	if (generated)
		printf("管理员账号：admin  密码：%s\n（密码只显示这一次，请妥善保存；可用 juwei user passwd admin 修改）\n", pw);
	else
		printf("管理员账号：admin  密码：取自 JUWEI_ADMIN_PASSWORD\n");
	return 0;
}

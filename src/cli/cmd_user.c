/*
 * cmd_user.c — `juwei user add` and `juwei user passwd`.  The password
 * comes from JUWEI_PASSWORD or is asked for on the terminal (twice, not
 * echoed); a weak one is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/util.h"
#include "svc/svc.h"

static bool ask(const char *prompt, char *out, size_t n)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return false;
	fputs(prompt, tty);
	fflush(tty);
	bool echo_off = tcgetattr(fileno(tty), &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	}
	bool ok = fgets(out, (int)n, tty) != NULL;
	if (echo_off)
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (ok)
		out[strcspn(out, "\r\n")] = '\0';
	return ok;
}

static int get_password(char *pw, size_t n)
{
	const char *env = getenv("JUWEI_PASSWORD");
	char again[256];
	if (!str_empty(env)) {
		snprintf(pw, n, "%s", env);
		return 0;
	}
	if (!ask("新密码：", pw, n) || !ask("再输入一次：", again, sizeof(again))) {
		fputs("juwei user: 无法读取密码：请在终端中运行，或设置环境变量 JUWEI_PASSWORD\n", stderr);
		return 2;
	}
	if (strcmp(pw, again) != 0) {
		fputs("juwei user: 两次输入的密码不一致\n", stderr);
		return 2;
	}
	return 0;
}

int cmd_user(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库文件路径", NULL },
		{ "role", "ROLE", "角色：admin 管理员、director 主任、worker 工作人员、grid_worker 网格员", NULL },
		{ "grid", "GRID", "网格员所属网格（网格编号或名称）", NULL },
		{ "scope", "CODE", "add：账号的范围——社区（12位代码，默认为所选社区）、街道（9位）或区（6位）；"
				   "街道、区级账号只查看所辖社区的汇总统计", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	const char *pos[2] = { NULL, NULL };
	int rc = opt_parse("user", "add NAME --role ROLE [--grid GRID] [--scope CODE] --db PATH\n"
			   "       juwei user passwd NAME --db PATH\n\n"
			   "密码取自环境变量 JUWEI_PASSWORD，未设置时在终端询问；至少8位，含大写、小写、数字、符号中的3种。",
			   argc, argv, opts, n, pos, 2);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db");
	if (!pos[0] || !pos[1] || (strcmp(pos[0], "add") != 0 && strcmp(pos[0], "passwd") != 0)) {
		fputs("juwei user: 用法 juwei user add NAME --role ROLE --db PATH 或 juwei user passwd NAME --db PATH\n", stderr);
		return 2;
	}
	if (!db) {
		fputs("juwei user: 缺少 --db\n", stderr);
		return 2;
	}
	bool add = strcmp(pos[0], "add") == 0;
	const char *role = opt_get(opts, n, "role");
	if (add && !role) {
		fputs("juwei user add: 缺少 --role（admin、director、worker 或 grid_worker）\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	if (add && role_parse(role) == ROLE_NONE) {
		jw_fail(&err, JW_EUSAGE, "role", "角色“%s”不存在，可选：admin、director、worker、grid_worker", role);
		return cli_fail(&err);
	}
	char pw[256];
	if ((rc = get_password(pw, sizeof(pw))) != 0)
		return rc;
	if (!password_strong(pw)) {
		jw_fail(&err, JW_EWEAKPW, "password", NULL);
		return cli_fail(&err);
	}
	struct store *st = store_open(db, &err);
	if (!st)
		return cli_fail(&err);
	struct actor a;
	const char *scope = add ? opt_get(opts, n, "scope") : NULL;
	rc = scope ? actor_system_store(st, &a, &err) : actor_system(st, &a, &err);
	if (rc == JW_OK && scope)   /* its record is the scope's */
		snprintf(a.community, sizeof(a.community), "%s", scope);
	if (rc == JW_OK) {
		rc = store_begin(st);
		if (rc == JW_OK) {
			rc = add ? svc_user_add(st, a.community, pos[1], role, opt_get(opts, n, "grid"), pw, &err)
				 : svc_user_passwd(st, pos[1], pw, &err);
			struct buf nj = BUF_INIT;
			buf_adds(&nj, "{\"username\":");
			buf_json_str(&nj, pos[1]);
			if (add) {
				buf_adds(&nj, ",\"role\":");
				buf_json_str(&nj, role);
				buf_adds(&nj, ",\"scope\":");
				buf_json_str(&nj, a.community);
			}
			buf_addc(&nj, '}');
			struct audit_row ar = { .username = "system", .action = add ? "user_add" : "user_passwd",
						.entity = "user", .new_json = buf_cstr(&nj), .ip = "cli" };
			if (rc == JW_OK)
				rc = svc_audit_put(st, a.community, &ar, &err);
			buf_release(&nj);
			if (rc == JW_OK)
				rc = store_commit(st);
			else
				store_rollback(st);
		}
	}
	store_close(st);
	memset(pw, 0, sizeof(pw));
	if (rc != JW_OK)
		return cli_fail(&err);
	if (add)
		printf("已添加账号 %s（%s）\n", pos[1], role_label(role_parse(role)));
	else
		printf("已修改账号 %s 的密码\n", pos[1]);
	return 0;
}

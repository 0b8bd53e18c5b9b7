/*
 * cmd_community.c — `juwei community add|list`: the communities of one
 * store (a street office's or a district's database holds many).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/util.h"
#include "svc/area.h"

struct listing { struct community_row *c; int n, cap; };

static int gather(const struct community_row *c, void *ud)
{
	struct listing *l = ud;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->c = xrealloc(l->c, (size_t)l->cap * sizeof(*l->c));
	}
	l->c[l->n++] = *c;
	return JW_OK;
}

static int by_code(const void *x, const void *y)
{
	return strcmp(((const struct community_row *)x)->code, ((const struct community_row *)y)->code);
}

/* Each community by code, under the names of its district and street
 * office. */
static int list_communities(struct store *st, struct jw_error *err)
{
	struct listing l = { NULL, 0, 0 };
	int rc = svc_communities(st, gather, &l, err);
	if (rc == JW_OK && l.n)
		qsort(l.c, (size_t)l.n, sizeof(*l.c), by_code);
	char last6[8] = "", last9[12] = "", name[128];
	for (int i = 0; rc == JW_OK && i < l.n; i++) {
		const struct community_row *c = &l.c[i];
		if (strncmp(c->code, last6, 6) != 0) {
			snprintf(last6, sizeof(last6), "%.6s", c->code);
			svc_area_name(st, last6, name, sizeof(name));
			printf("%s        %s\n", last6, name);
		}
		if (strncmp(c->code, last9, 9) != 0) {
			snprintf(last9, sizeof(last9), "%.9s", c->code);
			svc_area_name(st, last9, name, sizeof(name));
			printf("%s     %s\n", last9, name);
		}
		printf("%s  %s\n", c->code, c->name);
	}
	free(l.c);
	return rc;
}

int cmd_community(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库（文件路径或 postgres://…）", NULL },
		{ "admin", "NAME", "add：同时建立该社区的管理员账号（密码取自 JUWEI_ADMIN_PASSWORD，未设置时随机生成并只显示一次）", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	const char *pos[3] = { NULL, NULL, NULL };
	int rc = opt_parse("community", "add CODE NAME --db PATH [--admin NAME]\n"
			   "       juwei community list --db PATH\n\n"
			   "CODE：社区的12位统计用区划代码（前9位是街道，前6位是区县）；\n"
			   "9位或6位的 CODE 给街道或区命名（其账号用 juwei user add --scope CODE 建立）。",
			   argc, argv, opts, n, pos, 3);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db"), *admin = opt_get(opts, n, "admin");
	bool add = pos[0] && strcmp(pos[0], "add") == 0, list = pos[0] && strcmp(pos[0], "list") == 0;
	if ((!add && !list) || (add && (!pos[1] || !pos[2])) || (list && pos[1]) || !db) {
		fputs("juwei community: 用法 juwei community add CODE NAME --db PATH 或 juwei community list --db PATH\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	bool area = add && strlen(pos[1]) < 12;
	if (area && admin) {
		jw_fail(&err, JW_EUSAGE, "admin", "街道、区没有管理员账号：请用 juwei user add NAME --role director --scope %s",
			pos[1]);
		return cli_fail(&err);
	}
	if (add && (area ? !svc_area_code_ok(pos[1], &err) : !svc_community_code_ok(pos[1], &err)))
		return cli_fail(&err);
	char pw[64] = "";
	const char *env = getenv("JUWEI_ADMIN_PASSWORD");
	bool generated = admin && str_empty(env);
	if (admin && generated)
		cli_gen_password(pw);
	else if (admin && !password_strong(env)) {
		jw_fail(&err, JW_EWEAKPW, "JUWEI_ADMIN_PASSWORD", NULL);
		return cli_fail(&err);
	} else if (admin)
		snprintf(pw, sizeof(pw), "%s", env);
	if (!store_exists(db)) {
		jw_fail(&err, JW_EIO, "db", "数据库“%s”不存在，请先运行 juwei init", db);
		return cli_fail(&err);
	}
	struct store *st = store_open(db, &err);
	if (!st)
		return cli_fail(&err);
	rc = list ? list_communities(st, &err)
	     : area ? svc_area_put(st, pos[1], pos[2], &err)
		    : svc_community_add(st, pos[1], pos[2], admin, pw, &err);
	store_close(st);
	if (rc != JW_OK)
		return cli_fail(&err);
	if (area) {
		printf("已登记%s %s %s\n", svc_area_level(pos[1]), pos[1], pos[2]);
	} else if (add) {
		printf("已添加社区 %s %s\n", pos[1], pos[2]);
		if (admin)
			printf("管理员账号：%s  密码：%s\n", admin, generated ? pw : "取自 JUWEI_ADMIN_PASSWORD");
	}
	return 0;
}

/*
 * main.c — `juwei`, the one program: picks the subcommand from a table.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "svc/svc.h"

#define JUWEI_VERSION "0.1.0"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "init", cmd_init, "创建数据库、社区和管理员账号 admin" },
	{ "demo", cmd_demo, "在已初始化的数据库中生成演示社区（虚构数据）" },
	{ "serve", cmd_serve, "启动网页和 JSON 接口服务" },
	{ "user", cmd_user, "管理账号：user add / user passwd" },
	{ "import", cmd_import, "从 Excel（.xlsx/.xls）或 CSV 导入居民" },
	{ "export", cmd_export, "把居民、户、房屋等导出为 Excel 或 CSV" },
	{ "backup", cmd_backup, "在线备份数据库（服务运行时也可），检查通过才算成功" },
	{ "restore", cmd_restore, "从备份恢复数据库（原文件改名保留）" },
	{ "check", cmd_check, "检查数据库完整性和派生数据是否与登记一致" },
	{ "community", cmd_community, "一个数据库中的多个社区：community add / community list" },
	{ "migrate", cmd_migrate, "把 SQLite 数据库文件迁入 PostgreSQL（行数与校验值逐表核对）" },
};

static void usage(FILE *f)
{
	fprintf(f, "Juwei 居委 %s — 社区居民委员会工作平台\n\n用法：juwei 命令 [选项]\n\n命令：\n", JUWEI_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n每个命令的选项：juwei 命令 --help\n"
		   "数据库中有多个社区时，命令在 --community 代码 指定的社区中进行（所有命令都接受此选项）。\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("juwei %s\n", JUWEI_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			if (svc_init() != JW_OK)
				return 1;
			/* --community CODE (any command): taken out here, for the
			 * system actor of a store with several communities */
			int k = 2;
			for (int j = 2; j < argc; j++) {
				if (strcmp(argv[j], "--community") == 0 && j + 1 < argc)
					svc_cli_community(argv[++j]);
				else if (strncmp(argv[j], "--community=", 12) == 0)
					svc_cli_community(argv[j] + 12);
				else
					argv[k++] = argv[j];
			}
			argc = k;
			return commands[i].fn(argc - 2, argv + 2);
		}
	}
	fprintf(stderr, "juwei: 未知命令“%s”\n\n", argv[1]);
	usage(stderr);
	return 2;
}

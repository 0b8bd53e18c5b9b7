/*
 * cmd_serve.c — `juwei serve`: the web pages and the JSON API.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "http/http.h"
#include "lib/util.h"
#include "svc/backup.h"

int cmd_serve(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "数据库文件路径", NULL },
		{ "listen", "HOST:PORT", "监听地址，默认 127.0.0.1:8080（局域网使用请填本机地址）", NULL },
		{ "threads", "N", "工作线程数，默认等于CPU核数", NULL },
		{ "backup-dir", "DIR", "每日自动备份的文件夹（保留最近30份），默认为数据库所在文件夹下的 backups", NULL },
		{ "db-replica", "URL", "PostgreSQL 只读副本（可重复）：只读请求在副本上读，写入和刚写过的会话读主库", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	int rc = opt_parse("serve", "--db PATH [--listen HOST:PORT] [--threads N] [--backup-dir DIR] [--db-replica URL …]", argc, argv, opts, n, NULL, 0);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db");
	const char *listen = opt_get(opts, n, "listen");
	const char *threads = opt_get(opts, n, "threads");
	int64_t nt = 0;
	if (!db) {
		fputs("juwei serve: 缺少 --db，请查看 juwei serve --help\n", stderr);
		return 2;
	}
	if (threads && !parse_i64(threads, 1, 64, &nt)) {
		fputs("juwei serve: --threads 应为1到64之间的整数\n", stderr);
		return 2;
	}
	svc_backup_daily_config(opt_get(opts, n, "backup-dir"));
	struct jw_error err;
	jw_error_clear(&err);
	const char *replicas[4];
	int nrep = opt_all(argc, argv, "db-replica", replicas, 4);
	if (http_serve(db, listen ? listen : "127.0.0.1:8080", (int)nt, replicas, nrep, &err) != JW_OK)
		return cli_fail(&err);
	return 0;
}

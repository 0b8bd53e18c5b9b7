/*
 * cmd_demo.c — `juwei demo`: fills an initialised store with a synthetic
 * demo community (svc/demo.c).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "lib/util.h"
#include "svc/svc.h"

int cmd_demo(int argc, char **argv)
{
	struct opt opts[] = {
		{ "db", "PATH", "已初始化的数据库文件路径", NULL },
		{ "persons", "N", "居民人数，默认3000（约1000户、20栋楼）", NULL },
		{ "seed", "N", "随机种子，默认1：同一种子生成相同的数据", NULL },
	};
	const int n = (int)(sizeof(opts) / sizeof(opts[0]));
	int rc = opt_parse("demo", "--db PATH [--persons N] [--seed N]", argc, argv, opts, n, NULL, 0);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *db = opt_get(opts, n, "db");
	int64_t persons = 3000, seed = 1;
	if (!db) {
		fputs("juwei demo: 缺少 --db，请查看 juwei demo --help\n", stderr);
		return 2;
	}
	if (opt_get(opts, n, "persons") && !parse_i64(opt_get(opts, n, "persons"), 1, 2000000, &persons)) {
		fputs("juwei demo: --persons 应为1到2000000之间的整数\n", stderr);
		return 2;
	}
	if (opt_get(opts, n, "seed") && !parse_i64(opt_get(opts, n, "seed"), 0, 0xffffffff, &seed)) {
		fputs("juwei demo: --seed 应为非负整数\n", stderr);
		return 2;
	}
	struct jw_error err;
	jw_error_clear(&err);
	struct store *st = store_open(db, &err);
	if (!st)
		return cli_fail(&err);
	rc = svc_demo(st, (int)persons, (unsigned)seed, &err);
	store_close(st);
	return rc == JW_OK ? 0 : cli_fail(&err);
}

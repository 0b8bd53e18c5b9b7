/*
 * opt.c — the option parser shared by the subcommands: --name VALUE or
 * --name=VALUE, flags, positional arguments, --help from the same table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/util.h"
#include "svc/svc.h"

static void help(const char *cmd, const char *usage, const struct opt *opts, int nopts)
{
	printf("用法：juwei %s %s\n\n", cmd, usage);
	for (int i = 0; i < nopts; i++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		printf("  %-28s %s\n", left, opts[i].help);
	}
	printf("  %-28s %s\n", "--help", "显示本帮助");
}

int opt_parse(const char *cmd, const char *usage, int argc, char **argv, struct opt *opts,
	      int nopts, const char **pos, int npos)
{
	int np = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help(cmd, usage, opts, nopts);
			return 1;
		}
		if (strncmp(a, "--", 2) != 0) {
			if (np >= npos) {
				fprintf(stderr, "juwei %s: 多余的参数“%s”，请查看 juwei %s --help\n", cmd, a, cmd);
				return 2;
			}
			pos[np++] = a;
			continue;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		struct opt *o = NULL;
		for (int k = 0; k < nopts; k++)
			if (strlen(opts[k].name) == nl && strncmp(opts[k].name, name, nl) == 0)
				o = &opts[k];
		if (!o) {
			fprintf(stderr, "juwei %s: 未知选项“%s”，请查看 juwei %s --help\n", cmd, a, cmd);
			return 2;
		}
		if (!o->arg) {
			o->value = "1";
			continue;
		}
		if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			fprintf(stderr, "juwei %s: 选项 --%s 需要一个值（%s）\n", cmd, o->name, o->arg);
			return 2;
		}
	}
	return 0;
}

const char *opt_get(const struct opt *opts, int nopts, const char *name)
{
	for (int i = 0; i < nopts; i++)
		if (strcmp(opts[i].name, name) == 0)
			return opts[i].value;
	return NULL;
}

int cli_fail(const struct jw_error *err)
{
	fprintf(stderr, "juwei: %s\n", err->message[0] ? err->message : err_default_msg(err->code));
	return err->code == JW_EUSAGE ? 2 : 1;
}

int opt_all(int argc, char **argv, const char *name, const char **out, int max)
{
	int n = 0;
	size_t nl = strlen(name);
	for (int i = 0; i < argc && n < max; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, nl) != 0)
			continue;
		if (a[2 + nl] == '=')
			out[n++] = a + 3 + nl;
		else if (!a[2 + nl] && i + 1 < argc)
			out[n++] = argv[++i];
	}
	return n;
}

/* A strong random password: 3 groups of 4 from an alphabet without look-alikes. */
void cli_gen_password(char out[32])
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


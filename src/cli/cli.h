/*
 * cli.h — the subcommands (one file each, cmd_NAME) and the small option
 * parser they share.  Exit codes: 0 success, 1 failure, 2 usage error.
 */
#ifndef JW_CLI_H
#define JW_CLI_H

#include <stdbool.h>

#include "lib/err.h"

struct opt {
	const char *name;      /* "db" for --db */
	const char *arg;       /* argument name for help, NULL for a flag */
	const char *help;      /* one line, Chinese */
	const char *value;     /* parsed value ("1" for a given flag), NULL if absent */
};

/* Parses argv (after the subcommand) into opts; positional arguments go to
 * pos (up to npos).  Prints help and returns 1 on --help; 2 on a usage error
 * (message printed); 0 otherwise. */
int opt_parse(const char *cmd, const char *usage, int argc, char **argv, struct opt *opts,
	      int nopts, const char **pos, int npos);
const char *opt_get(const struct opt *opts, int nopts, const char *name);
/* Every value given to a repeatable option --name (opt_get has the last):
 * how many, at most max, into out. */
int opt_all(int argc, char **argv, const char *name, const char **out, int max);
/* Prints "juwei: message" to stderr and returns the exit code for err. */
int cli_fail(const struct jw_error *err);
/* A strong random password, 3 groups of 4 (an administrator's first one). */
void cli_gen_password(char out[32]);

int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_community(int argc, char **argv);

#endif

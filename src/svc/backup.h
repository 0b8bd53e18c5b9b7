/*
 * backup.h — a committee's one file kept safe (svc/backup.c, svc/check.c):
 * online backups checked before they count, restore that refuses a bad
 * file and keeps the replaced store aside, the server's daily backup with
 * rotation, and `check`, which compares every derived count and ledger
 * with the registry.
 */
#ifndef JW_SVC_BACKUP_H
#define JW_SVC_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "svc/svc.h"

#define BACKUP_KEEP 30        /* the daily backups kept in the folder */

/* "<stem>-YYYYmmdd-HHMMSS.db" for the store file's stem ("demo" of demo.db). */
void backup_stem(const char *db_path, char *out, size_t n);
void backup_name(const char *stem, time_t t, char *out, size_t n);
/* Whether name is one of stem's backups; stamp (16 bytes) gets "YYYYmmdd-HHMMSS". */
bool backup_name_parse(const char *name, const char *stem, char stamp[16]);
/* Removes stem's backups in dir beyond the newest keep; *removed = how many. */
int backup_rotate(const char *dir, const char *stem, int keep, int *removed, struct jw_error *err);

struct backup_result {
	char path[1024];
	int64_t bytes;
	int64_t persons, households;
};
/* Copies the open store to out (written to out.tmp, synced, inspected,
 * then renamed), records it in meta (the desk's "last good backup") and,
 * when audit is set, in the audit log (the server's daily backups are in
 * meta and its log only).  cancel may be NULL. */
int svc_backup(struct store *st, const struct actor *a, const char *out, bool audit, const volatile int *cancel,
	       struct backup_result *res, struct jw_error *err);
/* Replaces the store at db with the checked copy of from; the replaced
 * store (and its -wal) is kept as db.replaced-YYYYmmdd-HHMMSS (aside, or ""
 * when db did not exist).  Refused while a server has db open. */
int svc_restore(const char *db, const char *from, char *aside, size_t n, struct jw_error *err);

/* Moves a committee's store from (a SQLite file) into the empty store to
 * (a PostgreSQL database) without loss (store_copy): each table's rows
 * and checksum on both sides to cb; then one audit record in the copy.
 * Refused while a server has from open, and when to holds a community. */
int svc_migrate(const char *from, const char *to, copy_cb cb, void *ud, struct jw_error *err);

/* The last good backup, for the desk (admin and director). */
struct backup_status {
	int64_t last_ok;          /* epoch seconds, 0 = never */
	char last_file[1024];
	char last_error[512];     /* the latest failure since then, or "" */
	int64_t last_error_at;
	bool stale;               /* none in the last 2 days */
	char dir[1100];           /* where the server's daily backups go */
	const char *dir_source;   /* 启动参数 --backup-dir / 管理员设置 / 默认 */
	bool dir_fixed;           /* set by --backup-dir: the desk cannot change it */
};
int svc_backup_status(struct store *st, const struct actor *a, struct backup_status *out, struct jw_error *err);

/* The folder of the daily backups, set on the desk (admin only; "" = the
 * default).  An absolute path; created when missing; must be writable.
 * Audited. */
int svc_backup_set_dir(struct store *st, const struct actor *a, const char *dir, struct jw_error *err);

/* The server's daily backup: into dir (NULL: the desk's setting, else
 * "backups" beside the store),
 * one a day (at start when none today), keeping BACKUP_KEEP.  Runs on its
 * own thread and connection. */
void svc_backup_daily_config(const char *dir);
int svc_backup_daily_start(const char *db);
void svc_backup_daily_stop(void);

/* `juwei check`: integrity, derived counts and columns, search rows,
 * derived ledger membership recomputed, the audit log readable.  Every
 * problem to cb (Chinese); *problems = how many; progress lines to info
 * (may be NULL).  The store is left as it was (plus an audit record). */
/* Rebuilds what the store keeps alone and check found wrong (the
 * maintained counts of a->community), audited; nothing when all agree. */
int svc_check_repair(struct store *st, const struct actor *a, problem_cb info, void *ud, struct jw_error *err);
int svc_check(struct store *st, const struct actor *a, problem_cb cb, problem_cb info, void *ud,
	      int64_t *problems, struct jw_error *err);

#endif

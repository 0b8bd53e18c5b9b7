/*
 * backup.c — online backups, restore and the server's daily backup.
 *
 * A backup is made by the store's backup_to into FILE.tmp, synced, read
 * back by store_inspect (integrity, schema version, a Juwei store) and only
 * then renamed to FILE, so FILE is never half-written.  The last good one is
 * kept in meta (backup_last_ok, backup_last_file) for the desk; every run is
 * in the audit log (file, size, counts — no personal values).
 */
#include "svc/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/util.h"

void backup_stem(const char *db_path, char *out, size_t n)
{
	const char *p = strncmp(db_path, "sqlite:", 7) == 0 ? db_path + 7 : db_path;
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	size_t len = strlen(base);
	if (len >= 3 && strcmp(base + len - 3, ".db") == 0)
		len -= 3;
	if (len == 0) {
		base = "juwei";
		len = 5;
	}
	snprintf(out, n, "%.*s", (int)len, base);
}

void backup_name(const char *stem, time_t t, char *out, size_t n)
{
	struct tm tm;
	char stamp[32];
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(out, n, "%s-%s.db", stem, stamp);
}

bool backup_name_parse(const char *name, const char *stem, char stamp[16])
{
	size_t sl = strlen(stem);
	if (strncmp(name, stem, sl) != 0 || name[sl] != '-')
		return false;
	const char *s = name + sl + 1;
	for (int i = 0; i < 15; i++) {
		if (i == 8 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	if (strcmp(s + 15, ".db") != 0)
		return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[4] - '0') * 10 + (s[5] - '0'), d = (s[6] - '0') * 10 + (s[7] - '0');
	int hh = (s[9] - '0') * 10 + (s[10] - '0'), mm = (s[11] - '0') * 10 + (s[12] - '0');
	int ss = (s[13] - '0') * 10 + (s[14] - '0');
	if (!date_valid(y, m, d) || hh > 23 || mm > 59 || ss > 60)
		return false;
	if (stamp)
		snprintf(stamp, 16, "%.15s", s);
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int backup_rotate(const char *dir, const char *stem, int keep, int *removed, struct jw_error *err)
{
	DIR *d = opendir(dir);
	if (removed)
		*removed = 0;
	if (!d)
		return jw_fail(err, JW_EIO, "backup_dir", "无法读取备份文件夹“%s”：%s", dir, strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!backup_name_parse(e->d_name, stem, NULL))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);   /* oldest first: the stamp sorts as text */
	int rc = JW_OK;
	for (size_t i = 0; i < n; i++) {
		if ((int64_t)i + keep < (int64_t)n) {
			char path[2048];
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (unlink(path) == 0) {
				if (removed)
					(*removed)++;
			} else {
				rc = jw_fail(err, JW_EIO, "backup_dir", "无法删除旧备份“%s”：%s", path, strerror(errno));
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int fsync_path(const char *path, bool dir)
{
	int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static void dir_of(const char *path, char *out, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, n, ".");
	else if (slash == path)
		snprintf(out, n, "/");
	else
		snprintf(out, n, "%.*s", (int)(slash - path), path);
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void audit_run(struct store *st, const struct actor *a, const char *action, const char *json)
{
	struct jw_error e2;
	svc_audit_raw(st, a, action, "store", 0, NULL, json, &e2);   /* best effort: the run's own result stands */
}

int svc_backup(struct store *st, const struct actor *a, const char *out, bool audit, const volatile int *cancel,
	       struct backup_result *res, struct jw_error *err)
{
	if (a->role != ROLE_ADMIN && a->role != ROLE_DIRECTOR)
		return jw_fail(err, JW_EPERM, "", "只有管理员和主任可以备份数据库");
	memset(res, 0, sizeof(*res));
	snprintf(res->path, sizeof(res->path), "%s", out);
	char tmp[1100], now_s_[32];
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	int rc = STORE_CALL(st, backup_to, tmp, cancel, err);
	struct store_file_info info;
	if (rc == JW_OK && fsync_path(tmp, false) != 0)
		rc = jw_fail(err, JW_EIO, "out", "备份文件“%s”无法写入磁盘：%s", tmp, strerror(errno));
	if (rc == JW_OK && (rc = store_inspect(tmp, &info, err)) == JW_OK && info.problem[0])
		rc = jw_fail(err, JW_ESTORE, "out", "备份检查未通过：%s", info.problem);
	if (rc == JW_OK && rename(tmp, out) != 0)
		rc = jw_fail(err, JW_EIO, "out", "无法把备份保存为“%s”：%s", out, strerror(errno));
	if (rc != JW_OK) {
		unlink(tmp);
		struct buf j = BUF_INIT;
		buf_adds(&j, "{\"file\":");
		buf_json_str(&j, out);
		buf_adds(&j, ",\"ok\":false,\"error\":");
		buf_json_str(&j, err->message);
		buf_adds(&j, "}");
		if (audit)
			audit_run(st, a, "backup", buf_cstr(&j));
		buf_release(&j);
		snprintf(now_s_, sizeof(now_s_), "%lld", (long long)now_s());
		struct jw_error e2;
		STORE_CALL(st, meta_put, "backup_last_error", err->message, &e2);
		STORE_CALL(st, meta_put, "backup_last_error_at", now_s_, &e2);
		return rc;
	}
	char dir[1024];
	dir_of(out, dir, sizeof(dir));
	fsync_path(dir, true);
	struct stat sb;
	if (stat(out, &sb) == 0)
		res->bytes = (int64_t)sb.st_size;
	res->persons = info.persons;
	res->households = info.households;
	char abs[4096];
	const char *shown = realpath(out, abs) ? abs : out;
	snprintf(res->path, sizeof(res->path), "%.1000s", shown);
	struct buf j = BUF_INIT;
	buf_adds(&j, "{\"file\":");
	buf_json_str(&j, shown);
	buf_addf(&j, ",\"ok\":true,\"bytes\":%lld,\"persons\":%lld,\"households\":%lld,\"schema_version\":%d}",
		 (long long)res->bytes, (long long)info.persons, (long long)info.households, info.schema_version);
	if (audit)
		audit_run(st, a, "backup", buf_cstr(&j));
	buf_release(&j);
	snprintf(now_s_, sizeof(now_s_), "%lld", (long long)now_s());
	struct jw_error e2;
	STORE_CALL(st, meta_put, "backup_last_ok", now_s_, &e2);
	STORE_CALL(st, meta_put, "backup_last_file", shown, &e2);
	STORE_CALL(st, meta_put, "backup_last_error", "", &e2);
	return JW_OK;
}

/* Moves path (if present) to path+suffix. */
static int move_aside(const char *path, const char *suffix_path, struct jw_error *err)
{
	if (access(path, F_OK) != 0)
		return JW_OK;
	if (rename(path, suffix_path) != 0)
		return jw_fail(err, JW_EIO, "db", "无法把“%s”改名为“%s”：%s", path, suffix_path, strerror(errno));
	return JW_OK;
}

int svc_restore(const char *db_loc, const char *from, char *aside, size_t n, struct jw_error *err)
{
	if (!store_is_file(db_loc))
		return jw_fail(err, JW_EUSAGE, "db", "恢复只用于 SQLite 数据库文件；PostgreSQL 存储请用数据库服务器的 pg_restore 或复制");
	const char *db = strncmp(db_loc, "sqlite:", 7) == 0 ? db_loc + 7 : db_loc;
	if (aside && n)
		aside[0] = '\0';
	struct store_file_info info;
	int rc = store_inspect(from, &info, err);
	if (rc != JW_OK)
		return rc;
	if (info.problem[0])
		return jw_fail(err, JW_EINVAL, "from", "不能恢复：%s；现有数据库未作任何改动", info.problem);
	if (same_file(db, from))
		return jw_fail(err, JW_EUSAGE, "from", "--from 与 --db 是同一个文件");
	bool exists = access(db, F_OK) == 0;
	if (exists && store_in_use(db))
		return jw_fail(err, JW_EBUSY, "db", "数据库“%s”正被使用（juwei serve 正在运行？）：请先停止服务再恢复", db);
	/* the replaced store, complete: its WAL folded in first */
	if (exists) {
		struct store *st = store_open(db_loc, err);
		if (st) {
			store_close(st);   /* the last connection checkpoints and removes the -wal */
		}
		jw_error_clear(err);
	}
	char tmp[1100];
	snprintf(tmp, sizeof(tmp), "%s.restore.tmp", db);
	if ((rc = store_file_copy(from, tmp, err)) != JW_OK)
		return rc;
	if (fsync_path(tmp, false) != 0) {
		unlink(tmp);
		return jw_fail(err, JW_EIO, "db", "无法写入“%s”：%s", tmp, strerror(errno));
	}
	struct store_file_info check;
	if ((rc = store_inspect(tmp, &check, err)) != JW_OK || check.problem[0]) {
		unlink(tmp);
		return rc != JW_OK ? rc : jw_fail(err, JW_ESTORE, "from", "复制后的文件检查未通过：%s", check.problem);
	}
	if (exists) {
		char stamp[32], side[1100], w[1200], w2[1200];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(side, sizeof(side), "%s.replaced-%s", db, stamp);
		for (int k = 2; access(side, F_OK) == 0 && k < 100; k++)
			snprintf(side, sizeof(side), "%s.replaced-%s-%d", db, stamp, k);
		if ((rc = move_aside(db, side, err)) != JW_OK) {
			unlink(tmp);
			return rc;
		}
		snprintf(w, sizeof(w), "%s-wal", db);
		snprintf(w2, sizeof(w2), "%s-wal", side);
		move_aside(w, w2, err);
		snprintf(w, sizeof(w), "%s-shm", db);
		unlink(w);
		if (aside)
			snprintf(aside, n, "%s", side);
	}
	if (rename(tmp, db) != 0) {
		rc = jw_fail(err, JW_EIO, "db", "无法把恢复的数据库放到“%s”：%s", db, strerror(errno));
		unlink(tmp);
		return rc;
	}
	char dir[1024];
	dir_of(db, dir, sizeof(dir));
	fsync_path(dir, true);
	/* opened once: an older backup's schema is brought up to date */
	struct store *st = store_open(db_loc, err);
	if (!st)
		return err->code;
	struct actor a;
	if (actor_system_store(st, &a, err) == JW_OK) {
		struct buf j = BUF_INIT;
		char abs[4096];
		buf_adds(&j, "{\"from\":");
		buf_json_str(&j, realpath(from, abs) ? abs : from);
		buf_adds(&j, ",\"replaced\":");
		buf_json_str(&j, aside && aside[0] ? aside : "");
		buf_addf(&j, ",\"persons\":%lld,\"households\":%lld,\"schema_version\":%d}", (long long)info.persons,
			 (long long)info.households, info.schema_version);
		audit_run(st, &a, "restore", buf_cstr(&j));
		buf_release(&j);
	}
	store_close(st);
	jw_error_clear(err);
	return JW_OK;
}

static char *g_dir;             /* --backup-dir, or NULL */
static char *g_db;              /* the served store (daily backup running) */

/* The daily backups' folder: --backup-dir, the desk's setting, or the default. */
static void effective_dir(struct store *st, char *out, size_t n, const char **source, bool *fixed)
{
	struct jw_error e2;
	char v[1024] = "";
	*fixed = g_dir != NULL;
	if (g_dir) {
		snprintf(out, n, "%s", g_dir);
		*source = "启动参数 --backup-dir";
		return;
	}
	if (STORE_CALL(st, meta_get, "backup_dir", v, sizeof(v), &e2) == JW_OK && v[0]) {
		snprintf(out, n, "%s", v);
		*source = "管理员设置";
		return;
	}
	char d0[1024];
	const char *db = g_db ? g_db : "";
	if (strncmp(db, "sqlite:", 7) == 0)
		db += 7;
	dir_of(db, d0, sizeof(d0));
	snprintf(out, n, "%.1000s/backups", d0);
	*source = "默认（数据库所在文件夹下的 backups）";
}

int svc_backup_set_dir(struct store *st, const struct actor *a, const char *dir_in, struct jw_error *err)
{
	if (a->role != ROLE_ADMIN)
		return jw_fail(err, JW_EPERM, "backup_dir", "只有管理员可以设置备份文件夹");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", dir_in ? dir_in : "");
	size_t len = strlen(dir);
	while (len && (dir[len - 1] == ' ' || dir[len - 1] == '\t' || dir[len - 1] == '\r' || dir[len - 1] == '\n'))
		dir[--len] = '\0';
	const char *d = dir;
	while (*d == ' ' || *d == '\t')
		d++;
	while (strlen(d) > 1 && d[strlen(d) - 1] == '/')
		dir[--len] = '\0';
	if (strlen(dir_in ? dir_in : "") >= 900)
		return jw_fail(err, JW_EINVAL, "backup_dir", "备份文件夹路径太长（应少于900个字节）");
	for (const char *c = d; *c; c++)
		if ((unsigned char)*c < 0x20)
			return jw_fail(err, JW_EINVAL, "backup_dir", "备份文件夹路径中有控制字符，请重新填写");
	if (*d && *d != '/')
		return jw_fail(err, JW_EINVAL, "backup_dir", "备份文件夹应填完整路径（以 / 开头），如 /media/usb/居委备份");
	if (*d) {
		struct stat sb;
		if (stat(d, &sb) != 0 && mkdir(d, 0700) != 0)
			return jw_fail(err, JW_EINVAL, "backup_dir", "无法创建备份文件夹“%s”：%s（上一级文件夹须已存在）", d,
				       strerror(errno));
		if (stat(d, &sb) != 0 || !S_ISDIR(sb.st_mode))
			return jw_fail(err, JW_EINVAL, "backup_dir", "“%s”不是文件夹，请重新填写", d);
		if (access(d, W_OK | X_OK) != 0)
			return jw_fail(err, JW_EINVAL, "backup_dir", "本程序不能写入“%s”，请换一个文件夹或修改其权限", d);
	}
	char old[1024] = "";
	int rc;
	if ((rc = STORE_CALL(st, meta_get, "backup_dir", old, sizeof(old), err)) != JW_OK)
		return rc;
	if ((rc = store_begin(st)) != JW_OK)
		return jw_fail(err, rc, "", NULL);
	struct buf o = BUF_INIT, nw = BUF_INIT;
	buf_adds(&o, "{\"backup_dir\":");
	buf_json_str(&o, old);
	buf_adds(&o, "}");
	buf_adds(&nw, "{\"backup_dir\":");
	buf_json_str(&nw, d);
	buf_adds(&nw, "}");
	if ((rc = STORE_CALL(st, meta_put, "backup_dir", d, err)) == JW_OK &&
	    (rc = svc_audit_raw(st, a, "settings", "store", 0, buf_cstr(&o), buf_cstr(&nw), err)) == JW_OK)
		rc = store_commit(st);
	else
		store_rollback(st);
	buf_release(&o);
	buf_release(&nw);
	return rc == JW_OK ? JW_OK : (err->code ? (int)err->code : jw_fail(err, rc, "", NULL));
}

int svc_backup_status(struct store *st, const struct actor *a, struct backup_status *out, struct jw_error *err)
{
	memset(out, 0, sizeof(*out));
	if (a->role != ROLE_ADMIN && a->role != ROLE_DIRECTOR)
		return jw_fail(err, JW_EPERM, "", NULL);
	char v[64];
	int rc;
	if ((rc = STORE_CALL(st, meta_get, "backup_last_ok", v, sizeof(v), err)) != JW_OK)
		return rc;
	int64_t t = 0;
	if (v[0] && parse_i64(v, 0, INT64_MAX, &t))
		out->last_ok = t;
	STORE_CALL(st, meta_get, "backup_last_file", out->last_file, sizeof(out->last_file), err);
	STORE_CALL(st, meta_get, "backup_last_error", out->last_error, sizeof(out->last_error), err);
	if (STORE_CALL(st, meta_get, "backup_last_error_at", v, sizeof(v), err) == JW_OK && v[0])
		parse_i64(v, 0, INT64_MAX, &out->last_error_at);
	out->stale = out->last_ok == 0 || now_s() - out->last_ok > 2 * 86400;
	effective_dir(st, out->dir, sizeof(out->dir), &out->dir_source, &out->dir_fixed);
	jw_error_clear(err);
	return JW_OK;
}

/* ---- the server's daily backup ---- */

static volatile int g_stop;
static pthread_t g_thread;
static bool g_running;

void svc_backup_daily_config(const char *dir)
{
	free(g_dir);
	g_dir = dir ? xstrdup(dir) : NULL;
}

/* Whether dir holds one of stem's backups made today (local time). */
static bool made_today(const char *dir, const char *stem)
{
	char today[16], stamp[16];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(today, sizeof(today), "%Y%m%d", &tm);
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d)))
		found = backup_name_parse(e->d_name, stem, stamp) && strncmp(stamp, today, 8) == 0;
	closedir(d);
	return found;
}

static void *daily(void *arg)
{
	(void)arg;
	char dir[1100], stem[256];
	const char *db = strncmp(g_db, "sqlite:", 7) == 0 ? g_db + 7 : g_db;
	backup_stem(db, stem, sizeof(stem));
	struct jw_error err;
	/* one connection kept open for the server's life: it is also what
	 * tells `juwei restore` that a server has the store */
	struct store *st = store_open(g_db, &err);
	if (!st) {
		fprintf(stderr, "juwei: 每日备份无法打开数据库：%s\n", err.message);
		return NULL;
	}
	int64_t next_try = 0;
	char tried[1100] = "";
	while (!g_stop) {
		const char *source;
		bool fixed;
		effective_dir(st, dir, sizeof(dir), &source, &fixed);
		if (strcmp(dir, tried) != 0)
			next_try = 0;   /* a new folder (set on the desk): try it now */
		if (now_s() >= next_try && !made_today(dir, stem)) {
			snprintf(tried, sizeof(tried), "%s", dir);
			struct actor a;
			struct backup_result res;
			char name[512], path[1700];
			mkdir(dir, 0700);
			backup_name(stem, time(NULL), name, sizeof(name));
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			jw_error_clear(&err);
			int rc = actor_system_store(st, &a, &err);
			if (rc == JW_OK) {
				snprintf(a.username, sizeof(a.username), "每日备份");
				snprintf(a.ip, sizeof(a.ip), "serve");
				rc = svc_backup(st, &a, path, false, &g_stop, &res, &err);
			}
			if (rc == JW_OK) {
				int removed = 0;
				backup_rotate(dir, stem, BACKUP_KEEP, &removed, &err);
				fprintf(stderr, "juwei: 已备份到 %s（%lld 字节）\n", res.path, (long long)res.bytes);
				next_try = 0;
			} else if (!g_stop) {
				fprintf(stderr, "juwei: 每日备份失败：%s（一小时后重试）\n", err.message);
				next_try = now_s() + 3600;
			}
		}
		for (int i = 0; i < 5 && !g_stop; i++)
			sleep(1);
	}
	store_close(st);
	return NULL;
}

int svc_backup_daily_start(const char *db)
{
	if (g_running)
		return JW_OK;
	g_db = xstrdup(db);
	g_stop = 0;
	if (pthread_create(&g_thread, NULL, daily, NULL) != 0)
		return JW_ENOMEM;
	g_running = true;
	return JW_OK;
}

void svc_backup_daily_stop(void)
{
	if (!g_running)
		return;
	g_stop = 1;
	pthread_join(g_thread, NULL);
	g_running = false;
	free(g_db);
	g_db = NULL;
}

int svc_migrate(const char *from, const char *to, copy_cb cb, void *ud, struct jw_error *err)
{
	if (store_in_use(from))
		return jw_fail(err, JW_EBUSY, "from", "“%s”正被 juwei serve 使用，请先停止服务再迁移", from);
	int rc = store_copy(from, to, cb, ud, err);
	if (rc != JW_OK)
		return rc;
	struct store *st = store_open(to, err);
	if (!st)
		return err->code;
	struct actor a;
	if ((rc = actor_system_store(st, &a, err)) == JW_OK) {
		struct buf j = BUF_INIT;
		buf_adds(&j, "{\"from\":");
		/* a file's path; never a connection URI (it may carry a password) */
		buf_json_str(&j, strstr(from, "://") ? "(database)" : strncmp(from, "sqlite:", 7) == 0 ? from + 7 : from);
		buf_addc(&j, '}');
		rc = svc_audit_raw(st, &a, "migrate", "store", 0, NULL, buf_cstr(&j), err);
		buf_release(&j);
	}
	store_close(st);
	return rc;
}

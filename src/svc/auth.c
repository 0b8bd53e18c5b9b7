/*
 * auth.c — passwords (Argon2id via libsodium), users, login with lockout,
 * sessions with idle expiry, and roles.  Session tokens are random; the
 * store keeps only their hash, so a copy of the database does not hand
 * out live sessions.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "model/pinyin.h"
#include "svc/area.h"

/* Argon2id cost: 3 passes over 12 MiB, one of OWASP's equivalent minimum
 * settings (m=12 MiB, t=3); less memory than 19 MiB/t=2 keeps a serving
 * process's peak small on an old office PC.  ~40 ms here. */
#define PW_OPS 3
#define PW_MEM ((size_t)12 << 20)

static char dummy[crypto_pwhash_STRBYTES];   /* set once by svc_init */

static const struct { const char *key, *label; } roles[] = {
	[ROLE_NONE] = { "", "" },
	[ROLE_ADMIN] = { "admin", "管理员" },
	[ROLE_DIRECTOR] = { "director", "主任" },
	[ROLE_WORKER] = { "worker", "工作人员" },
	[ROLE_GRID_WORKER] = { "grid_worker", "网格员" },
};

enum role role_parse(const char *s)
{
	if (!s)
		return ROLE_NONE;
	for (int i = ROLE_ADMIN; i <= ROLE_GRID_WORKER; i++)
		if (strcmp(s, roles[i].key) == 0)
			return (enum role)i;
	return ROLE_NONE;
}

const char *role_key(enum role r) { return r <= ROLE_GRID_WORKER ? roles[r].key : ""; }
const char *role_label(enum role r) { return r <= ROLE_GRID_WORKER ? roles[r].label : ""; }

int svc_init(void)
{
	if (sodium_init() < 0) {
		fputs("juwei: libsodium 初始化失败\n", stderr);
		return JW_ENOMEM;
	}
	if (crypto_pwhash_str_alg(dummy, "juwei-dummy", 11, PW_OPS, PW_MEM,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return JW_ENOMEM;
	const char *sn = getenv("JUWEI_SURNAMES");
	if (sn && *sn) {
		char msg[256];
		if (pinyin_use_surnames(sn, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "juwei: 环境变量 JUWEI_SURNAMES 指定的姓氏表“%s”有误：%s\n", sn, msg);
			return JW_EUSAGE;
		}
	}
	if (pinyin_init() != 0) {
		fputs("juwei: ICU 拼音转换初始化失败\n", stderr);
		return JW_ENOMEM;
	}
	return JW_OK;
}

bool password_strong(const char *pw)
{
	int lower = 0, upper = 0, digit = 0, other = 0;
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)pw; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			n++;
		if (*p >= 'a' && *p <= 'z')
			lower = 1;
		else if (*p >= 'A' && *p <= 'Z')
			upper = 1;
		else if (*p >= '0' && *p <= '9')
			digit = 1;
		else
			other = 1;
	}
	return n >= 8 && lower + upper + digit + other >= 3;
}

int password_hash(const char *pw, char *out, size_t outsz, struct jw_error *err)
{
	if (outsz < crypto_pwhash_STRBYTES)
		return jw_fail(err, JW_ENOMEM, "", NULL);
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPS, PW_MEM,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return jw_fail(err, JW_ENOMEM, "password", "计算密码摘要时内存不足");
	return JW_OK;
}

bool password_verify(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void random_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];
	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	randombytes_buf(raw, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
}

static void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static int first_of(const struct community_row *c, void *ud)
{
	struct community_row *first = ud;
	if (!first->code[0])
		*first = *c;
	return JW_OK;
}

/* any: a store-wide job (a backup, a restore, a migration) that audits in
 * the chosen community, else the first: never refused for having several. */
static int actor_of(struct store *st, struct actor *a, bool any, struct jw_error *err)
{
	struct community_row c = { .code = "" };
	memset(a, 0, sizeof(*a));
	int rc = svc_store_community(st, NULL, &c, err);
	if (rc == JW_EUSAGE && any) {
		jw_error_clear(err);
		rc = svc_communities(st, first_of, &c, err);
	}
	if (rc != JW_OK)
		return rc;
	snprintf(a->community, sizeof(a->community), "%s", c.code);
	snprintf(a->scope, sizeof(a->scope), "%s", c.code);
	snprintf(a->username, sizeof(a->username), "system");
	snprintf(a->ip, sizeof(a->ip), "cli");
	a->role = ROLE_ADMIN;
	return JW_OK;
}

int actor_system(struct store *st, struct actor *a, struct jw_error *err)
{
	return actor_of(st, a, false, err);
}

int actor_system_store(struct store *st, struct actor *a, struct jw_error *err)
{
	return actor_of(st, a, true, err);
}

static int find_grid(struct store *st, const char *community, const char *grid, int64_t *id,
		     struct jw_error *err)
{
	int64_t n;
	struct record r;
	*id = 0;
	if (str_empty(grid))
		return JW_OK;
	if (parse_i64(grid, 1, INT64_MAX, &n)) {
		record_init(&r, &entities[ENT_GRID]);
		int rc = STORE_CALL(st, record_get, community, &entities[ENT_GRID], n, &r, err);
		record_release(&r);
		if (rc == JW_OK) {
			*id = n;
			return JW_OK;
		}
	}
	int rc = STORE_CALL(st, record_find, community, &entities[ENT_GRID], "name", grid, id, err);
	if (rc != JW_OK)
		return rc;
	if (*id == 0)
		return jw_fail(err, JW_EINVAL, "grid", "找不到网格“%s”，请填写网格编号或名称", grid);
	return JW_OK;
}

int svc_user_add(struct store *st, const char *community, const char *username, const char *role,
		 const char *grid, const char *password, struct jw_error *err)
{
	struct user_row u;
	memset(&u, 0, sizeof(u));
	enum role r = role_parse(role);
	if (r == ROLE_NONE)
		return jw_fail(err, JW_EINVAL, "role", "角色“%s”不存在，可选：admin（管理员）、director（主任）、worker（工作人员）、grid_worker（网格员）",
			       role ? role : "");
	if (str_empty(username) || strlen(username) >= sizeof(u.username) ||
	    strspn(username, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(username))
		return jw_fail(err, JW_EINVAL, "username", "用户名只能包含字母、数字、下划线、点和连字符，最长63位");
	if (!password_strong(password))
		return jw_fail(err, JW_EWEAKPW, "password", NULL);
	int rc = svc_scope_check(st, community, err);
	if (rc != JW_OK)
		return rc;
	if (strlen(community) < 12 && (r == ROLE_GRID_WORKER || !str_empty(grid)))
		return jw_fail(err, JW_EINVAL, "role", "街道、区级账号不属于某个网格：请选 admin、director 或 worker");
	rc = find_grid(st, community, grid, &u.grid_id, err);
	if (rc != JW_OK)
		return rc;
	if (r == ROLE_GRID_WORKER && u.grid_id == 0)
		return jw_fail(err, JW_EINVAL, "grid", "网格员必须指定所属网格（--grid 网格编号或名称）");
	snprintf(u.community, sizeof(u.community), "%s", community);
	snprintf(u.username, sizeof(u.username), "%s", username);
	snprintf(u.role, sizeof(u.role), "%s", role_key(r));
	rc = password_hash(password, u.pwhash, sizeof(u.pwhash), err);
	if (rc != JW_OK)
		return rc;
	u.id = 0;
	u.active = true;
	return STORE_CALL(st, user_put, &u, err);
}

int svc_user_passwd(struct store *st, const char *username, const char *password, struct jw_error *err)
{
	struct user_row u;
	char hash[160];
	if (!password_strong(password))
		return jw_fail(err, JW_EWEAKPW, "password", NULL);
	int rc = STORE_CALL(st, user_get, username, &u, err);
	if (rc == JW_ENOTFOUND)
		return jw_fail(err, JW_ENOTFOUND, "username", "用户“%s”不存在", username);
	if (rc != JW_OK)
		return rc;
	rc = password_hash(password, hash, sizeof(hash), err);
	if (rc != JW_OK)
		return rc;
	snprintf(u.pwhash, sizeof(u.pwhash), "%s", hash);
	u.failed = 0;        /* a new password lifts the lock */
	u.locked_until = 0;
	return STORE_CALL(st, user_put, &u, err);
}

static void fill_actor(struct actor *a, const struct user_row *u, const char *ip)
{
	memset(a, 0, sizeof(*a));
	a->user_id = u->id;
	snprintf(a->username, sizeof(a->username), "%s", u->username);
	a->role = role_parse(u->role);
	a->grid_id = u->grid_id;
	snprintf(a->community, sizeof(a->community), "%s", u->community);
	snprintf(a->scope, sizeof(a->scope), "%s", u->community);
	a->area = strlen(u->community) < 12;
	snprintf(a->ip, sizeof(a->ip), "%s", ip ? ip : "");
}

/* A hash to verify against when the user does not exist, so that a wrong
 * name costs as much time as a wrong password. */
static const char *dummy_hash(void) { return dummy; }

int svc_login(struct store *st, const char *username, const char *password, const char *kind,
	      const char *ip, char token[65], char csrf[65], struct actor *out, struct jw_error *err)
{
	struct user_row u;
	struct jw_error ignore;
	int64_t now = now_s();
	jw_error_clear(err);
	if (str_empty(username) || !password)
		return jw_fail(err, JW_EAUTH, "username", "请输入用户名和密码");
	int rc = STORE_CALL(st, user_get, username, &u, &ignore);
	if (rc == JW_ENOTFOUND || (rc == JW_OK && !u.active)) {
		password_verify(dummy_hash(), password);
		return jw_fail(err, JW_EAUTH, "password", "用户名或密码错误");
	}
	if (rc != JW_OK)
		return jw_fail(err, rc, "", NULL);
	if (u.locked_until > now) {
		int64_t mins = (u.locked_until - now + 59) / 60;
		return jw_fail(err, JW_ELOCKED, "password",
			       "密码连续错误%d次，账号已锁定，请%lld分钟后再试或联系管理员", LOCK_AFTER,
			       (long long)mins);
	}
	bool good = password_verify(u.pwhash, password);   /* ~40 ms: outside any transaction */
	/* Count, lock, session and audit record are written together, from the
	 * user's row as it is now (a concurrent wrong password is not lost). */
	if ((rc = store_begin(st)) != JW_OK)
		return jw_fail(err, rc, "", NULL);
	if ((rc = STORE_CALL(st, user_get, username, &u, err)) != JW_OK)
		goto fail;
	if (!good) {
		int failed = u.failed + 1;
		int64_t until = 0;
		if (failed >= LOCK_AFTER) {
			until = now + LOCK_S;
			failed = 0;
		}
		struct audit_row ar = { .username = u.username, .action = until ? "lock" : "login_failed",
					.entity = "user", .entity_id = u.id, .ip = ip };
		u.failed = failed;
		u.locked_until = until;
		if ((rc = STORE_CALL(st, user_put, &u, err)) != JW_OK ||
		    (rc = svc_audit_put(st, u.community, &ar, err)) != JW_OK ||
		    (rc = store_commit(st)) != JW_OK)
			goto fail;
		if (until)   /* this attempt is still a wrong password; the next ones meet the lock */
			return jw_fail(err, JW_EAUTH, "password",
				       "密码连续错误%d次，账号已锁定15分钟，请稍后再试或联系管理员", LOCK_AFTER);
		return jw_fail(err, JW_EAUTH, "password", "用户名或密码错误（再错%d次将锁定账号15分钟）",
			       LOCK_AFTER - failed);
	}
	if (u.failed || u.locked_until) {
		u.failed = 0;
		u.locked_until = 0;
		if ((rc = STORE_CALL(st, user_put, &u, err)) != JW_OK)
			goto fail;
	}

	struct session_row s;
	memset(&s, 0, sizeof(s));
	random_hex(token, 32);
	random_hex(csrf, 32);
	token_hash(token, s.token_hash);
	s.user_id = u.id;
	snprintf(s.csrf, sizeof(s.csrf), "%s", csrf);
	snprintf(s.kind, sizeof(s.kind), "%s", kind);
	s.created_at = s.last_seen = now;
	struct audit_row ar = { .username = u.username, .action = "login", .entity = "user",
				.entity_id = u.id, .ip = ip };
	if ((rc = STORE_CALL(st, session_end, NULL, now - SESSION_IDLE_S, err)) != JW_OK ||
	    (rc = STORE_CALL(st, session_put, &s, err)) != JW_OK ||
	    (rc = svc_audit_put(st, u.community, &ar, err)) != JW_OK ||
	    (rc = store_commit(st)) != JW_OK)
		goto fail;
	fill_actor(out, &u, ip);
	return JW_OK;
fail:
	store_rollback(st);
	if (err->code == JW_OK)
		jw_fail(err, JW_ESTORE, "", NULL);
	return err->code;
}

static int session_seen(struct store *st, const char *hash, int64_t now, struct jw_error *err)
{
	struct session_row s = { .last_seen = now };   /* user_id 0: the existing session */
	snprintf(s.token_hash, sizeof(s.token_hash), "%s", hash);
	return STORE_CALL(st, session_put, &s, err);
}

int svc_session(struct store *st, const char *token, const char *kind, const char *ip,
		struct actor *out, char csrf[65], struct jw_error *err)
{
	struct session_row s;
	struct user_row u;
	char h[65];
	int64_t now = now_s();
	if (str_empty(token) || strlen(token) != 64)
		return jw_fail(err, JW_EAUTH, "", "请先登录");
	token_hash(token, h);
	int rc = STORE_CALL(st, session_get, h, &s, &u, err);
	if (rc == JW_EAUTH)
		return jw_fail(err, JW_EAUTH, "", "登录已失效，请重新登录");
	if (rc != JW_OK)
		return rc;
	if (strcmp(s.kind, kind) != 0)
		return jw_fail(err, JW_EAUTH, "", "登录凭据类型不符，请重新登录");
	if (s.last_seen + SESSION_IDLE_S < now) {
		struct jw_error ignore;
		STORE_CALL(st, session_end, h, 0, &ignore);
		return jw_fail(err, JW_EAUTH, "", "超过30分钟未操作，登录已失效，请重新登录");
	}
	if (!u.active)
		return jw_fail(err, JW_EAUTH, "", "账号不可用，请重新登录");
	/* Write last_seen at most once a minute: reads stay reads.  Inside a
	 * read snapshot the caller touches after it (svc_session_touch). */
	if (now - s.last_seen >= 60 && !st->reading) {
		struct jw_error ignore;
		session_seen(st, h, now, &ignore);
		s.last_seen = now;
	}
	fill_actor(out, &u, ip);
	out->session_seen = s.last_seen;
	if (csrf)
		snprintf(csrf, 65, "%s", s.csrf);
	return JW_OK;
}

int svc_session_touch(struct store *st, const char *token, struct jw_error *err)
{
	char h[65];
	if (str_empty(token))
		return JW_OK;
	token_hash(token, h);
	return session_seen(st, h, now_s(), err);
}

int svc_logout(struct store *st, const char *token, struct jw_error *err)
{
	char h[65];
	if (str_empty(token))
		return JW_OK;
	token_hash(token, h);
	return STORE_CALL(st, session_end, h, 0, err);
}

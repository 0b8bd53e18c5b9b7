/*
 * community.c — the communities of a store: one for a committee's file,
 * many for a street office's or a district's database.  Every path acts in
 * the community of its actor; the CLI's system actor in the one chosen
 * with --community, or the store's only one.
 */
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "svc/svc.h"

static char g_cli_community[16];

void svc_cli_community(const char *code)
{
	snprintf(g_cli_community, sizeof(g_cli_community), "%s", code ? code : "");
}

bool svc_community_code_ok(const char *c, struct jw_error *err)
{
	if (!c || strlen(c) != 12 || strspn(c, "0123456789") != 12) {
		jw_fail(err, JW_EUSAGE, "community-code",
			"社区代码应为12位数字的统计用区划代码（如 110105087003），现为“%s”", c ? c : "");
		return false;
	}
	int64_t tail;
	parse_i64(c + 9, 0, 999, &tail);
	if (tail < 1 || tail > 199) {
		jw_fail(err, JW_EUSAGE, "community-code",
			"社区代码末三位为%03lld：居委会的代码末三位应在001–199之间（200及以上为村委会）", (long long)tail);
		return false;
	}
	return true;
}

struct pick {
	struct community_row first;
	int n;
	struct buf codes;
};

static int pick_cb(const struct community_row *c, void *ud)
{
	struct pick *p = ud;
	if (!p->n++)
		p->first = *c;
	if (p->n <= 6)
		buf_addf(&p->codes, "%s%s %s", p->n > 1 ? "、" : "", c->code, c->name);
	return JW_OK;
}

int svc_store_community(struct store *st, const char *code, struct community_row *out, struct jw_error *err)
{
	if (!code && g_cli_community[0])
		code = g_cli_community;
	struct pick p = { .n = 0, .codes = BUF_INIT };
	int rc = STORE_CALL(st, community_list, code, pick_cb, &p, err);
	if (rc == JW_OK && p.n > 1)
		rc = jw_fail(err, JW_EUSAGE, "community", "数据库中有%d个社区（%s%s），请用 --community 代码 指定一个", p.n,
			     buf_cstr(&p.codes), p.n > 6 ? "等" : "");
	if (rc == JW_OK)
		*out = p.first;
	buf_release(&p.codes);
	return rc;
}

int svc_communities(struct store *st, community_cb cb, void *ud, struct jw_error *err)
{
	return STORE_CALL(st, community_list, NULL, cb, ud, err);
}

struct codes {
	char (*code)[16];
	int max, n;
};

static int gather(const struct community_row *c, void *ud)
{
	struct codes *k = ud;
	if (k->n < k->max)
		snprintf(k->code[k->n++], sizeof(k->code[0]), "%s", c->code);
	return JW_OK;
}

int svc_community_codes(struct store *st, char (*codes)[16], int max, int *n, struct jw_error *err)
{
	struct codes k = { codes, max, 0 };
	int rc = svc_communities(st, gather, &k, err);
	*n = k.n;
	return rc;
}

static int found(const struct community_row *c, void *ud)
{
	(void)c;
	*(bool *)ud = true;
	return JW_OK;
}

int svc_community_add(struct store *st, const char *code, const char *name, const char *admin_name,
		      const char *pw, struct jw_error *err)
{
	if (!svc_community_code_ok(code, err))
		return err->code;
	if (str_empty(name) || strlen(name) > 120)
		return jw_fail(err, JW_EINVAL, "name", "社区名称不能为空，且不超过40个字");
	bool exists = false;
	struct jw_error e2;
	STORE_CALL(st, community_list, code, found, &exists, &e2);
	if (exists)
		return jw_fail(err, JW_ECONFLICT, "community-code", "社区 %s 已在数据库中", code);
	struct community_row c;
	snprintf(c.code, sizeof(c.code), "%s", code);
	snprintf(c.name, sizeof(c.name), "%s", name);
	int rc = store_begin(st);
	if (rc != JW_OK)
		return jw_fail(err, rc, "", NULL);
	rc = STORE_CALL(st, community_insert, &c, err);
	if (rc == JW_OK && admin_name)
		rc = svc_user_add(st, code, admin_name, "admin", NULL, pw, err);
	if (rc == JW_OK) {
		struct buf j = BUF_INIT;
		buf_adds(&j, "{\"code\":");
		buf_json_str(&j, code);
		buf_adds(&j, ",\"name\":");
		buf_json_str(&j, name);
		buf_addc(&j, '}');
		struct audit_row ar = { .username = "system", .action = "community_add", .entity = "community",
					.new_json = buf_cstr(&j), .ip = "cli" };
		rc = svc_audit_put(st, code, &ar, err);
		buf_release(&j);
	}
	if (rc == JW_OK)
		return store_commit(st) == JW_OK ? JW_OK : jw_fail(err, JW_ESTORE, "", NULL);
	store_rollback(st);
	return rc;
}

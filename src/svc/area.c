/*
 * area.c — a street office or district over the communities of a store
 * (area.h).  Its figures are the store's grouped counts over the range of
 * its communities' codes, grouped by community: one count a figure,
 * however many communities there are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/util.h"
#include "svc/area.h"

bool svc_area_code_ok(const char *c, struct jw_error *err)
{
	size_t n = c ? strlen(c) : 0;
	if ((n != 6 && n != 9) || strspn(c, "0123456789") != n) {
		jw_fail(err, JW_EUSAGE, "code",
			"街道代码应为9位数字（社区代码的前9位，如 110105087），区代码为6位（如 110105），现为“%s”",
			c ? c : "");
		return false;
	}
	return true;
}

const char *svc_area_level(const char *code)
{
	return code && strlen(code) == 6 ? "区" : "街道";
}

static void area_key(char *k, size_t n, const char *code)
{
	snprintf(k, n, "area/%s", code);
}

void svc_area_name(struct store *st, const char *code, char *out, size_t n)
{
	char k[32];
	struct jw_error e;
	area_key(k, sizeof(k), code);
	out[0] = '\0';
	if (STORE_CALL(st, meta_get, k, out, n, &e) != JW_OK || !out[0])
		snprintf(out, n, "%s %s", svc_area_level(code), code);
}

int svc_area_put(struct store *st, const char *code, const char *name, struct jw_error *err)
{
	if (!svc_area_code_ok(code, err))
		return err->code;
	if (str_empty(name) || strlen(name) > 120)
		return jw_fail(err, JW_EINVAL, "name", "%s名称不能为空，且不超过40个字", svc_area_level(code));
	char k[32];
	area_key(k, sizeof(k), code);
	int rc = store_begin(st);
	if (rc != JW_OK)
		return jw_fail(err, rc, "", NULL);
	struct buf j = BUF_INIT;
	buf_adds(&j, "{\"code\":");
	buf_json_str(&j, code);
	buf_adds(&j, ",\"name\":");
	buf_json_str(&j, name);
	buf_addc(&j, '}');
	struct audit_row ar = { .username = "system", .action = "area_name", .entity = "area",
				.new_json = buf_cstr(&j), .ip = "cli" };
	if ((rc = STORE_CALL(st, meta_put, k, name, err)) == JW_OK)
		rc = svc_audit_put(st, code, &ar, err);
	buf_release(&j);
	if (rc == JW_OK)
		return store_commit(st) == JW_OK ? JW_OK : jw_fail(err, JW_ESTORE, "", NULL);
	store_rollback(st);
	return rc;
}

/* ---- the communities under an area ---- */

struct coms {
	const char *prefix;
	size_t plen;
	struct area_com *com;
	int n, cap;
};

static int com_gather(const struct community_row *c, void *ud)
{
	struct coms *k = ud;
	if (strncmp(c->code, k->prefix, k->plen) != 0)
		return JW_OK;
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 32;
		k->com = xrealloc(k->com, (size_t)k->cap * sizeof(*k->com));
	}
	struct area_com *r = &k->com[k->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->code, sizeof(r->code), "%s", c->code);
	snprintf(r->name, sizeof(r->name), "%s", c->name);
	return JW_OK;
}

static int com_cmp(const void *x, const void *y)
{
	return strcmp(((const struct area_com *)x)->code, ((const struct area_com *)y)->code);
}

static int coms_of(struct store *st, const char *prefix, struct coms *k, struct jw_error *err)
{
	memset(k, 0, sizeof(*k));
	k->prefix = prefix;
	k->plen = strlen(prefix);
	int rc = svc_communities(st, com_gather, k, err);
	if (rc == JW_OK && k->n > 1)
		qsort(k->com, (size_t)k->n, sizeof(*k->com), com_cmp);
	return rc;
}

int svc_scope_check(struct store *st, const char *scope, struct jw_error *err)
{
	size_t n = scope ? strlen(scope) : 0;
	if (n == 12) {
		if (!svc_community_code_ok(scope, err))
			return err->code;
	} else if (!svc_area_code_ok(scope, err)) {
		return jw_fail(err, JW_EINVAL, "scope",
			       "用户的范围应为社区代码（12位）、街道代码（9位）或区代码（6位），现为“%s”",
			       scope ? scope : "");
	}
	struct coms k;
	int rc = coms_of(st, scope, &k, err);
	free(k.com);
	if (rc != JW_OK)
		return rc;
	if (!k.n)
		return jw_fail(err, JW_EINVAL, "scope",
			       n == 12 ? "数据库中没有社区 %s：请先用 juwei community add 登记它"
				       : "数据库中没有代码以 %s 开头的社区：请先用 juwei community add 登记该街道或区的社区",
			       scope);
	return JW_OK;
}

int svc_area_enter(struct store *st, struct actor *a, const char *code, struct jw_error *err)
{
	if (str_empty(code))
		return JW_OK;
	if (!a->area) {
		if (strcmp(code, a->community) != 0)
			return jw_fail(err, JW_EPERM, "community", "您的账号属于社区 %s，只能查看本社区", a->community);
		return JW_OK;
	}
	if (strlen(code) != 12 || strspn(code, "0123456789") != 12)
		return jw_fail(err, JW_EBADREQ, "community", "社区代码应为12位数字，现为“%s”", code);
	struct coms k;
	int rc = coms_of(st, code, &k, err);
	free(k.com);
	if (rc != JW_OK)
		return rc;
	if (strncmp(code, a->scope, strlen(a->scope)) != 0 || !k.n)
		return jw_fail(err, JW_ENOTFOUND, "community", "%s %s 之下没有代码为 %s 的社区",
			       svc_area_level(a->scope), a->scope, code);
	snprintf(a->community, sizeof(a->community), "%s", code);
	return JW_OK;
}

/* ---- the area's table ---- */

static struct area_com *com_find(struct area_view *v, const char *code)
{
	struct area_com key;
	snprintf(key.code, sizeof(key.code), "%s", code);
	return bsearch(&key, v->com, (size_t)v->ncom, sizeof(*v->com), com_cmp);
}

static struct stats_row *row_of(const char *community, void *ud)
{
	struct area_com *c = com_find(ud, community);
	return c ? &c->s : NULL;
}

static int open_add(const char *const *keys, int64_t n, void *ud)
{
	struct area_view *v = ud;
	v->total.open += n;
	struct area_com *c = keys[0] ? com_find(v, keys[0]) : NULL;
	if (c)
		c->open += n;
	return JW_OK;
}

static int sum_add(const char *const *keys, int64_t n, void *ud)
{
	(void)keys;
	*(int64_t *)ud += n;
	return JW_OK;
}

struct led_ctx { struct store *st; const struct actor *a; struct area_view *v; struct jw_error *err; int rc; };

static int led_sum(const struct ledger_def *l, void *ud)
{
	struct led_ctx *c = ud;
	if (c->v->nled >= AREA_MAX_LEDGERS || !ledger_can(c->st, c->a, l, false))
		return 0;
	struct area_led *o = &c->v->led[c->v->nled++];
	o->l = l;
	struct query q;
	query_init(&q);
	query_filter(&q, "end_date", FOP_NULL, NULL);
	c->rc = STORE_CALL(c->st, count_by, c->a->scope, svc_ledger_kind(l), &q, NULL, 0, NULL, sum_add, &o->open, c->err);
	return c->rc != JW_OK;
}

int svc_area_view(struct store *st, const struct actor *a, const struct ledger_def *l, struct area_view *out,
		  struct jw_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!a->area)
		return jw_fail(err, JW_EPERM, "", "汇总页面供街道、区级账号使用：本社区的数字见“首页”和“统计”");
	struct actor sum = *a;   /* the sum of its communities */
	snprintf(sum.community, sizeof(sum.community), "%s", a->scope);
	if (!svc_can(&sum, NULL, P_READ))
		return jw_fail(err, JW_EPERM, "", NULL);
	if (l && !ledger_can(st, &sum, l, false))
		return jw_fail(err, JW_EPERM, "", l->restricted ? "《%s》是受限台账，不在汇总之列：请向社区查询"
								: "您的角色不能查看《%s》", l->title);
	snprintf(out->code, sizeof(out->code), "%s", a->scope);
	svc_area_name(st, a->scope, out->name, sizeof(out->name));
	out->level = svc_area_level(a->scope);
	out->l = l;
	struct coms k;
	int rc = coms_of(st, a->scope, &k, err);
	out->com = k.com;
	out->ncom = k.n;
	if (rc != JW_OK)
		return rc;
	if (!l) {
		if ((rc = svc_stats_per(st, &sum, &out->total.s, row_of, out, err)) != JW_OK)
			return rc;
		struct led_ctx c = { st, &sum, out, err, JW_OK };
		ledger_each(st, a->scope, led_sum, &c);
		return c.rc;
	}
	struct query q;
	query_init(&q);
	query_filter(&q, "end_date", FOP_NULL, NULL);
	static const char *const by[] = { "community" };
	return STORE_CALL(st, count_by, a->scope, svc_ledger_kind(l), &q, by, 1, NULL, open_add, out, err);
}

void svc_area_view_release(struct area_view *v)
{
	free(v->com);
	v->com = NULL;
	v->ncom = 0;
}

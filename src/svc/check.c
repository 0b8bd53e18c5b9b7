/*
 * check.c — `juwei check`: whether everything the program derives still
 * agrees with the registry.  The store's own integrity check; every
 * derived column and index the store keeps (store_ops.verify, a table of
 * rules with their Chinese names here); derived ledger membership
 * recomputed by the ledger engine itself inside a transaction that is
 * rolled back, its writes counted; the audit log read to its end.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "svc/backup.h"
#include "svc/ledger.h"
#include "lib/util.h"

static const struct {
	enum store_verify what;
	const char *label;    /* what was checked */
	const char *unit;     /* what the sample ids are */
	const char *fix;      /* what the user can do */
} rules[] = {
	{ SV_HOUSEHOLD_SIZE, "户的人数与在册成员数", "户", "修改该户任一成员后保存即可重算" },
	{ SV_PERSON_LOCATION, "居民的房屋、楼栋、网格与所在户", "居民", "重新保存该户的房屋即可更正" },
	{ SV_HOUSEHOLD_LOCATION, "户的楼栋、网格与所住房屋", "户", "重新保存该户的房屋即可更正" },
	{ SV_HOUSE_GRID, "房屋的网格与所在楼栋", "房屋", "重新保存房屋的楼栋即可更正" },
	{ SV_SEARCH_TEXT, "证件号、电话、地址的搜索索引", "居民", "修改该居民后保存即可重建索引" },
	{ SV_SEARCH_NAME, "姓名、拼音、尾号的搜索索引", "居民", "修改该居民后保存即可重建索引" },
	{ SV_ENTRY_SUBJECT, "台账条目的对象存在", "台账条目", "从备份恢复，或联系技术支持" },
	{ SV_TALLY, "首页和汇总的维护计数与登记记录", NULL, "运行 juwei check --repair 即可按登记记录重建计数" },
};

struct audit_walk { int64_t rows, bad, first_bad; };

static int audit_row_ok(const struct audit_row *r, void *ud)
{
	struct audit_walk *w = ud;
	w->rows++;
	const char *js[2] = { r->old_json, r->new_json };
	for (int i = 0; i < 2; i++) {
		if (!js[i])
			continue;
		json_t *j = json_loads(js[i], JSON_DECODE_ANY, NULL);
		if (!j) {
			if (!w->bad++)
				w->first_bad = r->id;
			break;
		}
		json_decref(j);
	}
	if (!r->action || r->at <= 0) {
		if (!w->bad++)
			w->first_bad = r->id;
	}
	return JW_OK;
}

static void say(problem_cb cb, void *ud, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(problem_cb cb, void *ud, const char *fmt, ...)
{
	if (!cb)
		return;
	char line[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cb(line, ud);
}

int svc_check(struct store *st, const struct actor *a, problem_cb cb, problem_cb info, void *ud,
	      int64_t *problems, struct jw_error *err)
{
	if (a->role != ROLE_ADMIN && a->role != ROLE_DIRECTOR)
		return jw_fail(err, JW_EPERM, "", "只有管理员和主任可以检查数据库");
	int64_t total = 0, n = 0;
	int rc;

	/* 1. the file itself */
	if ((rc = STORE_CALL(st, verify, a->community, SV_INTEGRITY, cb, ud, &n, NULL, 0, err)) != JW_OK)
		return rc;
	total += n;
	say(info, ud, "数据库文件完整性：%s", n ? "有问题" : "正常");
	char v[32];
	if (STORE_CALL(st, meta_get, "schema_version", v, sizeof(v), err) == JW_OK) {
		int64_t sv = 0;
		if (!parse_i64(v, 1, 1000000, &sv) || sv != store_schema_version(st)) {
			total++;
			say(cb, ud, "数据库结构版本不符：记录为“%s”，本程序为%d", v, store_schema_version(st));
		} else {
			say(info, ud, "数据库结构版本：%lld", (long long)sv);
		}
	}

	/* 2. derived columns and search rows */
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int64_t sample[5], k = 0;
		if ((rc = STORE_CALL(st, verify, a->community, rules[i].what, NULL, NULL, &k, sample, 5, err)) != JW_OK)
			return rc;
		if (!k) {
			say(info, ud, "%s：一致", rules[i].label);
			continue;
		}
		total += k;
		if (!rules[i].unit) {   /* groups, not rows: no numbers to give */
			say(cb, ud, "%s：%lld组不一致；%s", rules[i].label, (long long)k, rules[i].fix);
			continue;
		}
		char ids[128] = "";
		size_t off = 0;
		for (int64_t j = 0; j < k && j < 5; j++)
			off += (size_t)snprintf(ids + off, sizeof(ids) - off, "%s%lld", j ? "、" : "", (long long)sample[j]);
		say(cb, ud, "%s：%lld处不一致（%s编号 %s%s）；%s", rules[i].label, (long long)k, rules[i].unit, ids,
		    k > 5 ? " 等" : "", rules[i].fix);
	}

	/* 3. derived ledgers: the engine's own derivation, undone */
	int64_t before = 0, after = 0, added = 0, closed = 0;
	if ((rc = store_begin(st)) != JW_OK)
		return jw_fail(err, rc, "db", "数据库正忙，无法检查派生台账，请稍后再试");
	STORE_CALL(st, changes, &before);
	rc = svc_ledger_derive(st, a->community, 0, 0, &added, &closed, err);
	STORE_CALL(st, changes, &after);
	store_rollback(st);
	if (rc != JW_OK)
		return rc;
	int64_t other = after - before - added - closed;
	if (added || closed || other > 0) {
		total += added + closed + (other > 0 ? other : 0);
		say(cb, ud, "派生台账与登记信息不一致：应列入而未列入%lld人（户），应移出而未移出%lld人（户），"
		    "网格、性别、出生日期、居住状况等派生字段不一致%lld处；重启 juwei serve 或修改相关居民即可重算"
		    "（当天过生日进入年龄段的居民在次日零点前也会出现在这里）",
		    (long long)added, (long long)closed, (long long)(other > 0 ? other : 0));
	} else {
		say(info, ud, "派生台账：与登记信息一致");
	}

	/* 4. the audit log, read to its end */
	struct audit_walk w = { 0 };
	if ((rc = svc_audit_rows(st, a->community, NULL, 0, NULL, -1, 0, audit_row_ok, &w, NULL, err)) != JW_OK) {
		total++;
		say(cb, ud, "审计日志无法读完（%s）", err->message[0] ? err->message : "读取失败");
		jw_error_clear(err);
	} else if (w.bad) {
		total += w.bad;
		say(cb, ud, "审计日志有%lld条记录无法解读（第一条编号 %lld）", (long long)w.bad, (long long)w.first_bad);
	} else {
		say(info, ud, "审计日志：%lld条，均可读", (long long)w.rows);
	}

	char j[160];
	snprintf(j, sizeof(j), "{\"problems\":%lld,\"audit_rows\":%lld}", (long long)total, (long long)w.rows);
	struct jw_error e2;
	svc_audit_raw(st, a, "check", "store", 0, NULL, j, &e2);
	*problems = total;
	return JW_OK;
}

int svc_check_repair(struct store *st, const struct actor *a, problem_cb info, void *ud, struct jw_error *err)
{
	if (a->role != ROLE_ADMIN && a->role != ROLE_DIRECTOR)
		return jw_fail(err, JW_EPERM, "", "只有管理员和主任可以修复数据库");
	int64_t k = 0;
	int rc = STORE_CALL(st, verify, a->community, SV_TALLY, NULL, NULL, &k, NULL, 0, err);
	if (rc != JW_OK || !k)
		return rc;
	if ((rc = store_begin(st)) != JW_OK)
		return jw_fail(err, rc, "db", "数据库正忙，无法重建计数，请稍后再试");
	char j[96];
	snprintf(j, sizeof(j), "{\"rebuilt\":\"tally\",\"groups\":%lld}", (long long)k);
	if ((rc = STORE_CALL(st, rebuild, a->community, SV_TALLY, err)) == JW_OK &&
	    (rc = svc_audit_raw(st, a, "repair", "store", 0, NULL, j, err)) == JW_OK &&
	    (rc = store_commit(st)) == JW_OK) {
		say(info, ud, "已按登记记录重建维护计数（%lld组原先不一致）", (long long)k);
		return JW_OK;
	}
	store_rollback(st);
	return rc == JW_OK ? jw_fail(err, JW_ESTORE, "", NULL) : rc;
}

/*
 * test_store.c — the store (SQLite back end) and the registry operations
 * over it: migrations, records in and out, unique conflicts, search by
 * name gram / pinyin / number fragment, transactions that roll back, the
 * grid scope of a grid worker, derived sex and birth date, audit records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/idnum.h"
#include "store/migrations.h"
#include "store/store.h"
#include "svc/svc.h"

struct fx {
	char path[64];
	struct store *st;
	struct actor admin;
	int64_t grid1, grid2, hh1, hh2;
};

static int64_t mk(struct fx *f, struct record *r)
{
	struct verr ve;
	struct jw_error err;
	int64_t id = 0;
	verr_init(&ve);
	int rc = svc_create(f->st, &f->admin, r, &ve, &id, &err);
	if (rc != JW_OK)
		fprintf(stderr, "create %s failed: %s %s\n", r->ent->key, err.field, err.message);
	assert_int_equal(rc, JW_OK);
	record_release(r);
	return id;
}

/* grid → building → house → household, returns the household id */
static int64_t place(struct fx *f, int64_t grid, const char *bname)
{
	struct record r;
	record_init(&r, &entities[ENT_BUILDING]);
	record_set(&r, BF_NAME, bname);
	record_setf(&r, BF_GRID_ID, "%lld", (long long)grid);
	record_set(&r, BF_FLOORS, "6");
	record_set(&r, BF_UNITS, "2");
	record_set(&r, BF_ADDRESS, "测试路1号院");
	int64_t b = mk(f, &r);
	record_init(&r, &entities[ENT_HOUSE]);
	record_setf(&r, HOF_BUILDING_ID, "%lld", (long long)b);
	record_set(&r, HOF_UNIT, "1");
	record_set(&r, HOF_ROOM, "302");
	int64_t h = mk(f, &r);
	record_init(&r, &entities[ENT_HOUSEHOLD]);
	record_setf(&r, HF_HOUSE_ID, "%lld", (long long)h);
	return mk(f, &r);
}

static int setup(void **state)
{
	static struct fx f;
	struct jw_error err;
	memset(&f, 0, sizeof(f));
	snprintf(f.path, sizeof(f.path), "/tmp/juwei-test-%d.db", (int)getpid());
	unlink(f.path);
	f.st = store_open(f.path, &err);
	assert_non_null(f.st);
	struct community_row c = { "110105087003", "测试社区" };
	assert_int_equal(STORE_CALL(f.st, community_insert, &c, &err), JW_OK);
	assert_int_equal(actor_system(f.st, &f.admin, &err), JW_OK);
	struct record r;
	record_init(&r, &entities[ENT_GRID]);
	record_set(&r, GF_NAME, "第一网格");
	f.grid1 = mk(&f, &r);
	record_init(&r, &entities[ENT_GRID]);
	record_set(&r, GF_NAME, "第二网格");
	f.grid2 = mk(&f, &r);
	f.hh1 = place(&f, f.grid1, "一号楼");
	f.hh2 = place(&f, f.grid2, "二号楼");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[80];
	store_close(f->st);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	return 0;
}

static int person(struct fx *f, const char *name, const char *idn, int64_t hh, struct verr *ve,
		  int64_t *id, struct jw_error *err)
{
	struct record r;
	record_init(&r, &entities[ENT_PERSON]);
	record_set(&r, PF_NAME, name);
	record_set(&r, PF_ID_NUMBER, idn);
	record_set(&r, PF_RESIDENCE_TYPE, "户籍人口");
	record_set(&r, PF_PHONE, "138-1234-5678");
	if (hh)
		record_setf(&r, PF_HOUSEHOLD_ID, "%lld", (long long)hh);
	verr_init(ve);
	int rc = svc_create(f->st, &f->admin, &r, ve, id, err);
	record_release(&r);
	return rc;
}

static void test_schema_version(void **state)
{
	struct fx *f = *state;
	assert_true(store_schema_version(f->st) >= 1);
}

static void test_person_derived(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t id;
	assert_int_equal(person(f, "张三丰", "11010519491231002x", f->hh1, &ve, &id, &err), JW_OK);
	struct record r;
	assert_int_equal(svc_get(f->st, &f->admin, &entities[ENT_PERSON], id, &r, &err), JW_OK);
	assert_string_equal(record_get(&r, PF_ID_NUMBER), "11010519491231002X");
	assert_string_equal(record_get(&r, PF_SEX), "2");
	assert_string_equal(record_get(&r, PF_BIRTH_DATE), "1949-12-31");
	assert_string_equal(record_get(&r, PF_RESIDENCE_TYPE), "registered");
	assert_string_equal(record_get(&r, PF_PHONE), "13812345678");
	assert_string_equal(record_get(&r, PF_STATUS), "active");
	assert_int_equal(atoll(record_get(&r, PF_GRID_ID)), f->grid1);
	record_release(&r);
}

static void test_duplicate_conflict(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t id;
	assert_int_equal(person(f, "李四", "440524188001010014", 0, &ve, &id, &err), JW_OK);
	assert_int_equal(person(f, "李四", "440524188001010014", 0, &ve, &id, &err), JW_ECONFLICT);
	assert_string_equal(err.field, "id_number");
}

static void test_invalid_id_and_birth_mismatch(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t id;
	assert_int_equal(person(f, "王五", "11010519491231003X", 0, &ve, &id, &err), JW_EINVAL);
	assert_non_null(verr_for(&ve, "id_number"));
	struct record r;
	record_init(&r, &entities[ENT_PERSON]);
	record_set(&r, PF_NAME, "赵六");
	record_set(&r, PF_ID_NUMBER, "110105195001010011");
	record_set(&r, PF_BIRTH_DATE, "1950-01-02");
	record_set(&r, PF_RESIDENCE_TYPE, "registered");
	verr_init(&ve);
	/* 110105195001010011: compute a valid check char for the test instead */
	char n[19];
	snprintf(n, sizeof(n), "11010519500101001%c", idnum_check_char("11010519500101001"));
	record_set(&r, PF_ID_NUMBER, n);
	assert_int_equal(svc_create(f->st, &f->admin, &r, &ve, &id, &err), JW_EINVAL);
	assert_non_null(verr_for(&ve, "birth_date"));
	record_release(&r);
}

struct names {
	int n;
	char first[64];
};

static int collect(const struct record *r, void *ud)
{
	struct names *nm = ud;
	if (nm->n++ == 0)
		snprintf(nm->first, sizeof(nm->first), "%s", record_get(r, PF_NAME));
	return JW_OK;
}

static int64_t search(struct fx *f, const struct actor *a, const char *q, struct names *nm)
{
	struct list_req lr;
	struct jw_error err;
	int64_t total = -1;
	list_req_init(&lr);
	lr.q = q;
	memset(nm, 0, sizeof(*nm));
	assert_int_equal(svc_list(f->st, a, &entities[ENT_PERSON], &lr, collect, nm, &total, &err), JW_OK);
	return total;
}

static void test_search(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t id;
	struct names nm;
	char n[19];
	snprintf(n, sizeof(n), "32010219800512123%c", idnum_check_char("32010219800512123"));
	assert_int_equal(person(f, "欧阳红怡", n, f->hh2, &ve, &id, &err), JW_OK);
	assert_int_equal(search(f, &f->admin, "红怡", &nm), 1);
	assert_string_equal(nm.first, "欧阳红怡");
	assert_int_equal(search(f, &f->admin, "oyhy", &nm), 1);
	assert_int_equal(search(f, &f->admin, "ouyanghongyi", &nm), 1);
	assert_int_equal(search(f, &f->admin, "OUYANG", &nm), 1);
	assert_int_equal(search(f, &f->admin, "0512", &nm), 1);   /* middle: found anywhere */
	char tail[8];
	snprintf(tail, sizeof(tail), "%s", n + 14);                  /* the last 4 ("尾号") */
	assert_int_equal(search(f, &f->admin, tail, &nm), 1);
	assert_string_equal(nm.first, "欧阳红怡");
	assert_int_equal(search(f, &f->admin, "320102", &nm), 1);   /* the leading digits */
	assert_true(search(f, &f->admin, "5678", &nm) >= 1);        /* a phone's last digits */
	assert_int_equal(search(f, &f->admin, "０５１２", &nm), 1);   /* full-width digits */
	assert_int_equal(search(f, &f->admin, "欧阳红怡", &nm), 1);
	assert_int_equal(search(f, &f->admin, "测试路", &nm) >= 1, 1); /* address fragment */
	assert_int_equal(search(f, &f->admin, "不存在", &nm), 0);
	assert_int_equal(search(f, &f->admin, "zsf", &nm) >= 1, 1);
}

static void test_grid_scope(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t in_id, out_id;
	char n1[19], n2[19];
	snprintf(n1, sizeof(n1), "11010519900101002%c", idnum_check_char("11010519900101002"));
	snprintf(n2, sizeof(n2), "11010519900101004%c", idnum_check_char("11010519900101004"));
	assert_int_equal(person(f, "网格内", n1, f->hh1, &ve, &in_id, &err), JW_OK);
	assert_int_equal(person(f, "网格外", n2, f->hh2, &ve, &out_id, &err), JW_OK);
	struct actor gw = f->admin;
	gw.role = ROLE_GRID_WORKER;
	gw.grid_id = f->grid1;
	struct record r;
	assert_int_equal(svc_get(f->st, &gw, &entities[ENT_PERSON], in_id, &r, &err), JW_OK);
	record_release(&r);
	assert_int_equal(svc_get(f->st, &gw, &entities[ENT_PERSON], out_id, &r, &err), JW_EPERM);
	record_release(&r);
	struct names nm;
	assert_int_equal(search(f, &gw, "网格外", &nm), 0);
	assert_int_equal(search(f, &gw, "网格内", &nm), 1);
	assert_int_equal(svc_person_reveal(f->st, &gw, in_id, "核对身份", NULL, &r, &err), JW_EPERM);
	record_release(&r);
	/* a role that may reveal must still say why */
	assert_int_equal(svc_person_reveal(f->st, &f->admin, in_id, NULL, NULL, &r, &err), JW_EINVAL);
	assert_string_equal(err.field, "reason");
	record_release(&r);
	assert_int_equal(svc_person_reveal(f->st, &f->admin, in_id, "核对身份", NULL, &r, &err), JW_OK);
	assert_string_equal(record_get(&r, PF_ID_NUMBER), n1);
	record_release(&r);
}

/* 查看原因: a code or label, the worker's words; nothing is no reason. */
static void test_reveal_reason(void **state)
{
	(void)state;
	char w[REVEAL_REASON_MAX];
	struct jw_error err;
	assert_int_equal(svc_reveal_reason("business", NULL, w, &err), JW_OK);
	assert_string_equal(w, "办理业务");
	assert_int_equal(svc_reveal_reason("\xe3\x80\x80上级部门要求 ", "", w, &err), JW_OK);
	assert_string_equal(w, "上级部门要求");
	assert_int_equal(svc_reveal_reason("核对身份", "办理居住证", w, &err), JW_OK);
	assert_string_equal(w, "核对身份：办理居住证");
	assert_int_equal(svc_reveal_reason("other", "派出所协查", w, &err), JW_OK);
	assert_string_equal(w, "其他：派出所协查");
	assert_int_equal(svc_reveal_reason("法院调查令", NULL, w, &err), JW_OK);
	assert_string_equal(w, "其他：法院调查令");
	const char *none[][2] = { { NULL, NULL }, { "", "" }, { "  ", "\xe3\x80\x80" }, { "other", NULL },
				  { "其他", " " } };
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_int_equal(svc_reveal_reason(none[i][0], none[i][1], w, &err), JW_EINVAL);
		assert_string_equal(err.field, "reason");
	}
	char longr[80];
	memset(longr, 'a', 61);
	longr[61] = '\0';
	assert_int_equal(svc_reveal_reason(longr, NULL, w, &err), JW_EINVAL);
	assert_int_equal(svc_reveal_reason("other", longr, w, &err), JW_EINVAL);
	assert_int_equal(svc_reveal_reason("\xff\xfe", NULL, w, &err), JW_EINVAL);
}

static void test_deregister_keeps_record(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t id;
	char n[19];
	snprintf(n, sizeof(n), "11010519700101005%c", idnum_check_char("11010519700101005"));
	assert_int_equal(person(f, "注销人", n, f->hh1, &ve, &id, &err), JW_OK);
	verr_init(&ve);
	assert_int_equal(svc_person_deregister(f->st, &f->admin, id, "moved_away", "2025-01-02", "迁往外省", &ve, &err), JW_OK);
	struct record r;
	assert_int_equal(svc_get(f->st, &f->admin, &entities[ENT_PERSON], id, &r, &err), JW_OK);
	assert_string_equal(record_get(&r, PF_STATUS), "deregistered");
	assert_string_equal(record_get(&r, PF_DEREG_REASON), "moved_away");
	record_release(&r);
	struct names nm;
	assert_int_equal(search(f, &f->admin, "注销人", &nm), 0);
	assert_int_equal(search(f, &f->admin, "注销", &nm), 0);
	assert_int_equal(search(f, &f->admin, "0101005", &nm), 0);
	/* with de-registered persons included, every kind of search finds them */
	struct list_req lr;
	int64_t total = 0;
	const char *qs[] = { "注销人", "注销", "zxr", "zhuxiaoren", "0101005" };
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		list_req_init(&lr);
		lr.q = qs[i];
		lr.include_deregistered = true;
		memset(&nm, 0, sizeof(nm));
		assert_int_equal(svc_list(f->st, &f->admin, &entities[ENT_PERSON], &lr, collect, &nm, &total, &err), JW_OK);
		assert_int_equal(total, 1);
		assert_string_equal(nm.first, "注销人");
	}
	verr_init(&ve);
	assert_int_equal(svc_person_deregister(f->st, &f->admin, id, "died", NULL, NULL, &ve, &err), JW_ECONFLICT);
}

static int count_audit(const struct audit_row *a, void *ud)
{
	(void)a;
	(*(int *)ud)++;
	return JW_OK;
}

static void test_audit_and_rollback(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t id, total = 0;
	char n[19];
	snprintf(n, sizeof(n), "11010519600101006%c", idnum_check_char("11010519600101006"));
	assert_int_equal(person(f, "审计人", n, 0, &ve, &id, &err), JW_OK);
	struct record patch;
	record_init(&patch, &entities[ENT_PERSON]);
	record_set(&patch, PF_NAME, "审计人改");
	verr_init(&ve);
	assert_int_equal(svc_update(f->st, &f->admin, id, &patch, &ve, &err), JW_OK);
	record_release(&patch);
	int n_audit = 0;
	assert_int_equal(svc_audit_list(f->st, &f->admin, "person", id, NULL, 1, 50, count_audit, &n_audit, &total, &err), JW_OK);
	assert_int_equal(total, 2);   /* create + update */

	/* a failed write inside a transaction leaves nothing behind */
	assert_int_equal(store_begin(f->st), JW_OK);
	struct record r;
	record_init(&r, &entities[ENT_GRID]);
	record_set(&r, GF_NAME, "回滚网格");
	assert_int_equal(STORE_CALL(f->st, record_insert, f->admin.community, &r, &err), JW_OK);
	record_release(&r);
	assert_int_equal(store_rollback(f->st), JW_OK);
	int64_t found = 1;
	assert_int_equal(STORE_CALL(f->st, record_find, f->admin.community, &entities[ENT_GRID], "name", "回滚网格", &found, &err), JW_OK);
	assert_int_equal(found, 0);
}

static void test_building_moves_grid(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	int64_t pid, bid;
	char n[19];
	snprintf(n, sizeof(n), "11010519850101007%c", idnum_check_char("11010519850101007"));
	int64_t hh = place(f, f->grid1, "搬迁楼");
	assert_int_equal(person(f, "随楼迁", n, hh, &ve, &pid, &err), JW_OK);
	struct record p;
	assert_int_equal(svc_get(f->st, &f->admin, &entities[ENT_PERSON], pid, &p, &err), JW_OK);
	bid = atoll(record_get(&p, PF_BUILDING_ID));
	record_release(&p);
	struct record patch;
	record_init(&patch, &entities[ENT_BUILDING]);
	record_setf(&patch, BF_GRID_ID, "%lld", (long long)f->grid2);
	verr_init(&ve);
	assert_int_equal(svc_update(f->st, &f->admin, bid, &patch, &ve, &err), JW_OK);
	record_release(&patch);
	assert_int_equal(svc_get(f->st, &f->admin, &entities[ENT_PERSON], pid, &p, &err), JW_OK);
	assert_int_equal(atoll(record_get(&p, PF_GRID_ID)), f->grid2);
	record_release(&p);
}

/* The 楼盘表's marks: open entries of the asked ledgers whose subject lives
 * in (person, household) or is (house) in the building, each with its house. */
struct eib { int n; int64_t house[8]; char ledger[8][16]; };

static int eib_row(const struct entry_row *e, void *ud)
{
	struct eib *x = ud;
	if (x->n < 8) {
		x->house[x->n] = e->house_id;
		snprintf(x->ledger[x->n], sizeof(x->ledger[0]), "%s", e->ledger);
	}
	x->n++;
	return JW_OK;
}

static int64_t entry_of(struct fx *f, const char *ledger, const char *subject, int64_t id, const char *end)
{
	struct jw_error err;
	struct entry_row e = { .ledger = ledger, .subject = subject, .subject_id = id, .end_date = end,
			       .status = end ? "closed" : "open" };
	assert_int_equal(STORE_CALL(f->st, entry_put, f->admin.community, &e, &err), JW_OK);
	return e.id;
}

static void test_entry_in_building(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	struct record r;
	int64_t pid, other;
	char n[19], n2[19];
	int64_t hh = place(f, f->grid1, "标记楼");
	assert_int_equal(svc_get(f->st, &f->admin, &entities[ENT_HOUSEHOLD], hh, &r, &err), JW_OK);
	int64_t house = atoll(record_get(&r, HF_HOUSE_ID)), bid = atoll(record_get(&r, HF_BUILDING_ID));
	record_release(&r);
	snprintf(n, sizeof(n), "11010519700101009%c", idnum_check_char("11010519700101009"));
	snprintf(n2, sizeof(n2), "11010519700101010%c", idnum_check_char("11010519700101010"));
	assert_int_equal(person(f, "标记甲", n, hh, &ve, &pid, &err), JW_OK);
	assert_int_equal(person(f, "别楼乙", n2, f->hh2, &ve, &other, &err), JW_OK);
	entry_of(f, "disabled", "person", pid, NULL);
	entry_of(f, "dibao", "household", hh, NULL);
	entry_of(f, "rental", "house", house, NULL);
	entry_of(f, "tekun", "person", pid, "2020-01-01");     /* closed */
	entry_of(f, "disabled", "person", other, NULL);        /* another building */
	entry_of(f, "volunteers", "person", pid, NULL);        /* not asked for */
	const char *ledgers[] = { "disabled", "dibao", "rental", "tekun" };
	struct eib x = { 0 };
	assert_int_equal(STORE_CALL(f->st, entry_in_building, f->admin.community, bid, ledgers, 4, eib_row, &x, &err),
			 JW_OK);
	assert_int_equal(x.n, 3);
	for (int i = 0; i < x.n; i++) {
		assert_int_equal(x.house[i], house);
		assert_true(strcmp(x.ledger[i], "tekun") != 0 && strcmp(x.ledger[i], "volunteers") != 0);
	}
	/* no ledgers asked: nothing, no query */
	x.n = 0;
	assert_int_equal(STORE_CALL(f->st, entry_in_building, f->admin.community, bid, ledgers, 0, eib_row, &x, &err),
			 JW_OK);
	assert_int_equal(x.n, 0);
}

/* The 人户状态 migration on a store from before it: migrants become
 * 人在户不在, everybody else stays empty (not guessed).  Found by what it
 * does, so that migrations added after it do not matter. */
static void same_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_value(ctx, argv[0]);
}

static void test_hukou_migration_default(void **state)
{
	(void)state;
	sqlite3 *db;
	sqlite3_stmt *s;
	int k = -1;
	for (int i = 0; i < SQLITE_MIGRATIONS && k < 0; i++)
		if (strstr(sqlite_migrations[i], "ADD COLUMN hukou_status"))
			k = i;
	assert_true(k > 0);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	sqlite3_create_function(db, "jw_reverse", 1, SQLITE_UTF8, NULL, same_text, NULL, NULL);
	for (int i = 0; i < k; i++)
		assert_int_equal(sqlite3_exec(db, sqlite_migrations[i], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"INSERT INTO community VALUES ('110105087003', '测试社区', 0);"
		"INSERT INTO person (id, community, name, id_number, residence_type) VALUES"
		" (1, '110105087003', '甲', '1', 'migrant'), (2, '110105087003', '乙', '2', 'registered'),"
		" (3, '110105087003', '丙', '3', 'foreign');", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sqlite_migrations[k], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, hukou_status, whereabouts FROM person ORDER BY id", -1, &s,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 1), "living_only");
	assert_int_equal(sqlite3_column_type(s, 2), SQLITE_NULL);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_type(s, 1), SQLITE_NULL);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* ---- the write lock: one write transaction of the process at a time ---- */

struct writer_arg {
	const char *path;
	int n, which, failed;
};

static void *lock_writer(void *ud)
{
	struct writer_arg *w = ud;
	struct jw_error err;
	struct store *st = store_open(w->path, &err);
	if (!st) {
		w->failed = w->n;
		return NULL;
	}
	for (int i = 0; i < w->n; i++) {
		char key[32], val[16];
		snprintf(key, sizeof(key), "locktest-%d-%d", w->which, i);
		snprintf(val, sizeof(val), "%d", i);
		if (store_begin(st) != JW_OK) {
			w->failed++;
			continue;
		}
		bool alive = store_tx_alive(st);
		if (!alive || STORE_CALL(st, meta_put, key, val, &err) != JW_OK || store_commit(st) != JW_OK) {
			w->failed++;
			store_rollback(st);
		}
	}
	store_close(st);
	return NULL;
}

static int count_problem(const char *text, void *ud)
{
	(void)text;
	(*(int *)ud)++;
	return JW_OK;
}

/* A person's full-text row waits for the transaction's end (store/sqlite.c,
 * fts_defer): a group of creates, one of them rolled back to its savepoint,
 * one de-registered in the same transaction, keeps the index exactly right,
 * and a search inside the transaction already sees its own creates. */
static void test_fulltext_rows_follow_savepoints(void **state)
{
	struct fx *f = *state;
	struct verr ve;
	struct jw_error err;
	struct names nm;
	int64_t a, b, c;
	char na[19], nb[19], nc[19];
	snprintf(na, sizeof(na), "11010519500303771%c", idnum_check_char("11010519500303771"));
	snprintf(nb, sizeof(nb), "11010519500303882%c", idnum_check_char("11010519500303882"));
	snprintf(nc, sizeof(nc), "11010519500303993%c", idnum_check_char("11010519500303993"));
	assert_int_equal(store_begin(f->st), JW_OK);          /* the writer's group */
	assert_int_equal(person(f, "组内甲", na, f->hh1, &ve, &a, &err), JW_OK);
	assert_int_equal(store_begin(f->st), JW_OK);          /* a request that fails */
	assert_int_equal(person(f, "组内乙", nb, 0, &ve, &b, &err), JW_OK);
	assert_int_equal(store_rollback(f->st), JW_OK);
	assert_int_equal(search(f, &f->admin, "0303771", &nm), 1);   /* before the commit */
	assert_string_equal(nm.first, "组内甲");
	assert_int_equal(person(f, "组内丙", nc, 0, &ve, &c, &err), JW_OK);
	verr_init(&ve);
	assert_int_equal(svc_person_deregister(f->st, &f->admin, c, "moved_away", "2025-01-02", NULL, &ve, &err),
			 JW_OK);
	assert_int_equal(store_commit(f->st), JW_OK);
	assert_int_equal(search(f, &f->admin, "0303771", &nm), 1);
	assert_int_equal(search(f, &f->admin, "0303882", &nm), 0);   /* rolled back */
	assert_int_equal(search(f, &f->admin, "0303993", &nm), 0);   /* de-registered */
	struct list_req lr;
	int64_t total = 0;
	list_req_init(&lr);
	lr.q = "0303993";
	lr.include_deregistered = true;
	assert_int_equal(svc_list(f->st, &f->admin, &entities[ENT_PERSON], &lr, collect, &nm, &total, &err), JW_OK);
	assert_int_equal(total, 1);
	int problems = 0;
	int64_t n = 0, sample[4];
	assert_int_equal(STORE_CALL(f->st, verify, f->admin.community, SV_SEARCH_TEXT, count_problem, &problems, &n,
				    sample, 4, &err), JW_OK);
	assert_int_equal(n, 0);
}

static void test_write_lock_lets_writers_queue(void **state)
{
	struct fx *f = *state;
	enum { NT = 4, N = 150 };
	pthread_t t[NT];
	struct writer_arg a[NT];
	for (int i = 0; i < NT; i++) {
		a[i] = (struct writer_arg){ f->path, N, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, lock_writer, &a[i]), 0);
	}
	for (int i = 0; i < NT; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failed, 0);   /* none refused as busy, none lost */
	}
	struct jw_error err;
	char v[16];
	for (int i = 0; i < NT; i++) {
		char key[32];
		snprintf(key, sizeof(key), "locktest-%d-%d", i, N - 1);
		assert_int_equal(STORE_CALL(f->st, meta_get, key, v, sizeof(v), &err), JW_OK);
		assert_string_equal(v, "149");
	}
	/* outside a transaction: not alive; a nested level keeps the lock */
	assert_false(store_tx_alive(f->st));
	assert_int_equal(store_begin(f->st), JW_OK);
	assert_int_equal(store_begin(f->st), JW_OK);
	assert_true(store_tx_alive(f->st));
	assert_int_equal(store_commit(f->st), JW_OK);
	assert_int_equal(store_commit(f->st), JW_OK);
	assert_false(store_tx_alive(f->st));
}

/* A writer that commits batch after batch does not keep another out: the
 * lock is handed on in turn (an unfair lock would be taken again at once,
 * and the other would wait out its 5 s and be refused as busy). */
struct hog_arg {
	const char *path;
	volatile int stop;
	int rounds, failed;
	bool gave_up;   /* ran its 3 s out: the other was kept out all along */
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Both threads on one core: the one that lets go runs on and would take an
 * unfair lock again before the woken waiter is ever scheduled. */
static void pin_to_cpu0(void)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
}

/* Batches of 2 ms each, one straight after the other, as a background
 * derivation does. */
static void *lock_hog(void *ud)
{
	struct hog_arg *h = ud;
	struct jw_error err;
	struct store *st = store_open(h->path, &err);
	if (!st) {
		h->failed++;
		return NULL;
	}
	pin_to_cpu0();
	double until = mono_s() + 30;   /* only stops a hung run: a loaded machine is slow */
	while (!h->stop) {
		if (mono_s() > until) {
			h->gave_up = true;
			break;
		}
		if (store_begin(st) != JW_OK) {
			h->failed++;
			continue;
		}
		STORE_CALL(st, meta_put, "hog", "x", &err);
		usleep(2000);
		store_commit(st);
		h->rounds++;
	}
	store_close(st);
	return NULL;
}

static void test_write_lock_is_taken_in_turn(void **state)
{
	struct fx *f = *state;
	struct jw_error err;
	struct hog_arg h = { .path = f->path };
	pthread_t t;
	cpu_set_t before;
	pthread_getaffinity_np(pthread_self(), sizeof(before), &before);
	pin_to_cpu0();
	assert_int_equal(pthread_create(&t, NULL, lock_hog, &h), 0);
	while (h.rounds < 5)
		usleep(1000);
	for (int i = 0; i < 10; i++) {   /* each in turn, between the hog's batches */
		assert_int_equal(store_begin(f->st), JW_OK);
		assert_int_equal(STORE_CALL(f->st, meta_put, "turn", "y", &err), JW_OK);
		assert_int_equal(store_commit(f->st), JW_OK);
	}
	h.stop = 1;
	pthread_join(t, NULL);
	pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
	assert_int_equal(h.failed, 0);
	assert_false(h.gave_up);
}

/* A connection whose checkpoints are left to another: the other's passive
 * checkpoint runs beside it, and every commit stays visible. */
static void test_checkpoint_elsewhere(void **state)
{
	struct fx *f = *state;
	struct jw_error err;
	assert_int_equal(store_checkpoint(f->st, true), JW_OK);
	struct store *bg = store_open(f->path, &err);
	assert_non_null(bg);
	for (int i = 0; i < 50; i++) {
		char key[32];
		snprintf(key, sizeof(key), "ckpt-%d", i);
		assert_int_equal(store_begin(f->st), JW_OK);
		assert_int_equal(STORE_CALL(f->st, meta_put, key, "x", &err), JW_OK);
		assert_int_equal(store_commit(f->st), JW_OK);
	}
	assert_int_equal(store_checkpoint(bg, false), JW_OK);
	char v[8];
	assert_int_equal(STORE_CALL(bg, meta_get, "ckpt-49", v, sizeof(v), &err), JW_OK);
	assert_string_equal(v, "x");
	store_close(bg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_version),
		cmocka_unit_test(test_person_derived),
		cmocka_unit_test(test_duplicate_conflict),
		cmocka_unit_test(test_invalid_id_and_birth_mismatch),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_grid_scope),
		cmocka_unit_test(test_reveal_reason),
		cmocka_unit_test(test_deregister_keeps_record),
		cmocka_unit_test(test_audit_and_rollback),
		cmocka_unit_test(test_building_moves_grid),
		cmocka_unit_test(test_entry_in_building),
		cmocka_unit_test(test_hukou_migration_default),
		cmocka_unit_test(test_fulltext_rows_follow_savepoints),
		cmocka_unit_test(test_write_lock_lets_writers_queue),
		cmocka_unit_test(test_write_lock_is_taken_in_turn),
		cmocka_unit_test(test_checkpoint_elsewhere),
	};
	if (svc_init() != JW_OK)
		return 1;
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}

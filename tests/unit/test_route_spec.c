/*
 * test_route_spec.c — unit tests for the route table's input spec
 * (http/spec.c: typed query parameters, role sets), the one pager
 * (http/pager.c) and field_display (model/mask.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "http/http.h"
#include "model/mask.h"

/* A query string as name=value pairs. */
struct fake_query {
	const char *kv[24];
};

static const char *fake_get(void *ud, const char *name)
{
	struct fake_query *q = ud;
	for (int i = 0; q->kv[i]; i += 2)
		if (strcmp(q->kv[i], name) == 0)
			return q->kv[i + 1];
	return NULL;
}

static const struct qparam spec[] = {
	QP_INT("page", 1, 1000000, 1),
	QP_INT("per_page", 1, 100, 20),
	QP_ID("grid_id"),
	QP_DATE("from"),
	QP_TEXT("q", 4),
	QP_CODE("residence_type", CT_RESIDENCE),
	QP_BOOL("reveal"),
	QP_WORD("format", "xlsx|csv"),
	{ "subject_id", Q_INT, 1, INT64_MAX / 4, 0, NULL, true },
	QP_END
};

/* Checks q against spec; returns the error (code JW_OK when it passed). */
static struct jw_error check(struct fake_query q, int64_t *vals)
{
	struct jw_error e;
	jw_error_clear(&e);
	int64_t tmp[HTTP_MAX_QSPEC];
	qspec_check(spec, fake_get, &q, vals ? vals : tmp, &e);
	return e;
}

static void expect_bad(struct fake_query q, const char *field)
{
	struct jw_error e = check(q, NULL);
	assert_int_equal(e.code, JW_EBADREQ);
	assert_string_equal(e.field, field);
	/* the message is Chinese and names the parameter */
	assert_non_null(strstr(e.message, field));
	assert_true((unsigned char)e.message[0] >= 0x80 || strstr(e.message, "参数") || strstr(e.message, "缺少"));
}

static void test_defaults_and_values(void **state)
{
	(void)state;
	int64_t v[HTTP_MAX_QSPEC];
	struct jw_error e = check((struct fake_query){ { "subject_id", "7", NULL } }, v);
	assert_int_equal(e.code, JW_OK);
	assert_int_equal(v[qspec_index(spec, "page")], 1);
	assert_int_equal(v[qspec_index(spec, "per_page")], 20);
	assert_int_equal(v[qspec_index(spec, "grid_id")], 0);
	assert_int_equal(v[qspec_index(spec, "subject_id")], 7);
	e = check((struct fake_query){ { "page", "3", "per_page", "100", "grid_id", "12", "subject_id", "1",
					 "from", "2024-02-29", "q", "张三丰", "residence_type", "registered",
					 "reveal", "true", "format", "csv", NULL } }, v);
	assert_int_equal(e.code, JW_OK);
	assert_int_equal(v[0], 3);
	assert_int_equal(v[1], 100);
	assert_int_equal(v[2], 12);
	/* an empty value is an absent one */
	e = check((struct fake_query){ { "page", "", "subject_id", "2", NULL } }, v);
	assert_int_equal(e.code, JW_OK);
	assert_int_equal(v[0], 1);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_bad((struct fake_query){ { "subject_id", "1", "page", "x", NULL } }, "page");
	expect_bad((struct fake_query){ { "subject_id", "1", "page", "0", NULL } }, "page");
	expect_bad((struct fake_query){ { "subject_id", "1", "per_page", "101", NULL } }, "per_page");
	expect_bad((struct fake_query){ { "subject_id", "1", "grid_id", "-1", NULL } }, "grid_id");
	expect_bad((struct fake_query){ { "subject_id", "1", "grid_id", "1e3", NULL } }, "grid_id");
	expect_bad((struct fake_query){ { "subject_id", "1", "from", "2024-02-30", NULL } }, "from");
	expect_bad((struct fake_query){ { "subject_id", "1", "from", "yesterday", NULL } }, "from");
	expect_bad((struct fake_query){ { "subject_id", "1", "q", "张三丰丰丰", NULL } }, "q");
	expect_bad((struct fake_query){ { "subject_id", "1", "residence_type", "martian", NULL } }, "residence_type");
	expect_bad((struct fake_query){ { "subject_id", "1", "reveal", "perhaps", NULL } }, "reveal");
	expect_bad((struct fake_query){ { "subject_id", "1", "format", "pdf", NULL } }, "format");
	expect_bad((struct fake_query){ { "subject_id", "1", "format", "xls", NULL } }, "format");
	expect_bad((struct fake_query){ { NULL } }, "subject_id");
	expect_bad((struct fake_query){ { "subject_id", "0", NULL } }, "subject_id");
}

static void test_text_counts_characters(void **state)
{
	(void)state;
	/* 4 characters of 3 bytes each: within a limit of 4 */
	struct jw_error e = check((struct fake_query){ { "subject_id", "1", "q", "阳光里楼", NULL } }, NULL);
	assert_int_equal(e.code, JW_OK);
}

static void test_unknown_parameters_ignored(void **state)
{
	(void)state;
	struct jw_error e = check((struct fake_query){ { "subject_id", "1", "whatever", "x", "_", "", NULL } }, NULL);
	assert_int_equal(e.code, JW_OK);
	assert_int_equal(qspec_index(spec, "whatever"), -1);
	assert_int_equal(qspec_index(NULL, "page"), -1);
}

static void test_roles(void **state)
{
	(void)state;
	unsigned ad = ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DIRECTOR);
	assert_true(role_allowed(0, ROLE_GRID_WORKER));
	assert_true(role_allowed(ad, ROLE_DIRECTOR));
	assert_false(role_allowed(ad, ROLE_WORKER));
	assert_false(role_allowed(ad, ROLE_NONE));
	char label[128];
	role_set_label(ad, label, sizeof(label));
	assert_string_equal(label, "管理员、主任");
}

static void test_pager(void **state)
{
	(void)state;
	struct pager p;
	pager_set(&p, 3, 20, 41);
	assert_int_equal(p.pages, 3);
	assert_int_equal(p.offset, 40);
	pager_set(&p, 1, 20, 0);
	assert_int_equal(p.pages, 1);
	assert_int_equal(p.offset, 0);
	pager_set(&p, 0, 0, -5);   /* nonsense is made sane */
	assert_int_equal(p.page, 1);
	assert_int_equal(p.per_page, 1);
	assert_int_equal(p.pages, 1);
}

static void link(void *ud, int64_t page, struct buf *b)
{
	buf_addf(b, "%s?page=%lld&q=a", (const char *)ud, (long long)page);
}

static void test_pager_html(void **state)
{
	(void)state;
	struct pager p;
	struct buf b = BUF_INIT;
	pager_set(&p, 2, 10, 30);
	pager_html(&b, &p, link, "/x");
	assert_string_equal(buf_cstr(&b), "<div class=\"pager\"><span>第 2 / 3 页</span>"
					  "<a href=\"/x?page=1&amp;q=a\">上一页</a>"
					  "<a href=\"/x?page=3&amp;q=a\">下一页</a></div>");
	buf_reset(&b);
	pager_set(&p, 1, 10, 5);
	pager_html(&b, &p, link, "/x");
	assert_string_equal(buf_cstr(&b), "<div class=\"pager\"><span>第 1 / 1 页</span></div>");
	buf_release(&b);
}

static void test_field_display(void **state)
{
	(void)state;
	char m[64];
	struct field_def id = { .name = "id_number", .sens = SENS_ID };
	struct field_def ph = { .name = "phone", .sens = SENS_PHONE };
	struct field_def plain = { .name = "name", .sens = SENS_NONE };
	assert_string_equal(field_display(&id, "11010519491231002X", false, m, sizeof(m)), "110105********002X");
	assert_string_equal(field_display(&id, "11010519491231002X", true, m, sizeof(m)), "11010519491231002X");
	assert_string_equal(field_display(&ph, "13812345678", false, m, sizeof(m)), "138****5678");
	assert_string_equal(field_display(&plain, "张三", false, m, sizeof(m)), "张三");
	assert_null(field_display(&id, NULL, false, m, sizeof(m)));
	assert_string_equal(sens_display(SENS_PHONE, "010-65990001", false, m, sizeof(m)), "010-******01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_text_counts_characters),
		cmocka_unit_test(test_unknown_parameters_ignored),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_pager),
		cmocka_unit_test(test_pager_html),
		cmocka_unit_test(test_field_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_kind.c — kinds: the registry's declarations, a kind registered at
 * run time, dimensions and a workflow's transitions (model/kind.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "model/entity.h"
#include "model/kind.h"
#include "model/ledger.h"

static void test_registry_kinds(void **state)
{
	(void)state;
	const struct kind *p = kind_find("person");
	assert_non_null(p);
	assert_int_equal(p->id, ENT_PERSON);
	assert_int_equal(p->storage, KS_COLUMNS);
	assert_int_equal(p->attach, KA_KIND);
	assert_string_equal(p->attach_kind, "household");
	assert_non_null(kind_dim(p, "age5"));
	assert_int_equal(kind_dim(p, "age5")->type, DIM_AGE5);
	assert_null(kind_dim(p, "nonesuch"));
	assert_null(kind_find("nonesuch"));
	assert_null(kind_find(NULL));
}

static const struct kind_state states[] = {
	{ "open", "办理中", false }, { "done", "已办结", true }, { "void", "已撤销", true },
};
static const struct kind_transition moves[] = {
	{ "finish", "办结", "open", "done", 1u << 3 },
	{ "cancel", "撤销", "*", "void", 1u << 2 },
};
static const struct kind_workflow flow = { states, 3, moves, 2, { DL_WORKING_DAYS, 5, NULL } };
static const struct field_def note_fields[] = {
	{ "content", "内容", FT_TEXT, -1, NULL, FF_REQUIRED | FF_FORM, SENS_NONE, 500, NULL, NULL, NULL },
};
static const struct kind request_kind = {
	.id = ENT__COUNT, .key = "test_request", .table = "ledger_entry", .label = "诉求",
	.fields = note_fields, .nfields = 1, .attach = KA_PERSON, .storage = KS_SHARED, .workflow = &flow,
};

static void test_registered_kind_and_workflow(void **state)
{
	(void)state;
	assert_int_equal(kind_register(&request_kind), 0);
	const struct kind *k = kind_find("test_request");
	assert_ptr_equal(k, &request_kind);
	assert_int_equal(k->storage, KS_SHARED);
	assert_non_null(kind_state(k, "open"));
	assert_true(kind_state(k, "done")->final);
	const struct kind_transition *t = kind_transition(k, "open", "finish");
	assert_non_null(t);
	assert_string_equal(t->to, "done");
	assert_non_null(kind_transition(k, "open", "cancel"));   /* "*": any open state */
	assert_null(kind_transition(k, "done", "cancel"));       /* nothing leaves a final state */
	assert_null(kind_transition(k, "open", "reopen"));
	assert_null(kind_transition(k, "nonesuch", "finish"));
	/* registering again replaces, not duplicates */
	assert_int_equal(kind_register(&request_kind), 0);
	assert_ptr_equal(kind_find("test_request"), &request_kind);
}

static void test_ledger_is_a_shared_kind(void **state)
{
	(void)state;
	const struct ledger_def *l = ledger_builtin("elderly");
	assert_non_null(l);
	struct kind k;
	ledger_entity(l, &k);
	assert_string_equal(k.key, "elderly");
	assert_int_equal(k.storage, KS_SHARED);
	assert_int_equal(k.attach, KA_PERSON);
	assert_int_equal(k.read_roles, l->read_roles);
	assert_non_null(kind_dim(&k, "opened"));
	assert_int_equal(kind_dim(&k, "opened")->type, DIM_MONTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_kinds),
		cmocka_unit_test(test_registered_kind_and_workflow),
		cmocka_unit_test(test_ledger_is_a_shared_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

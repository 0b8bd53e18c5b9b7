/*
 * fixture.h — the unit tests' store: a fresh file under /tmp with the one
 * community and the system actor, removed (with its log) afterwards.
 * Included by the test programs that need a real store.
 */
#ifndef JW_TEST_FIXTURE_H
#define JW_TEST_FIXTURE_H

#include <stdio.h>
#include <unistd.h>

#include "store/store.h"
#include "svc/svc.h"

struct fixture {
	char path[96];
	struct store *st;
	struct actor admin;     /* the system actor of the community */
	struct actor worker;    /* the same community, as the worker gongzuo9 */
};

#define FIXTURE_COMMUNITY "110105087003"

static inline void fixture_up(struct fixture *f, const char *name)
{
	struct jw_error err;
	snprintf(f->path, sizeof(f->path), "/tmp/juwei-%s-test-%d.db", name, (int)getpid());
	unlink(f->path);
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
	struct community_row c = { FIXTURE_COMMUNITY, "测试社区" };
	assert_int_equal(STORE_CALL(f->st, community_insert, &c, &err), JW_OK);
	assert_int_equal(actor_system(f->st, &f->admin, &err), JW_OK);
	f->worker = f->admin;
	snprintf(f->worker.username, sizeof(f->worker.username), "gongzuo9");
	f->worker.role = ROLE_WORKER;
}

static inline void fixture_down(struct fixture *f)
{
	char p[112];
	store_close(f->st);
	f->st = NULL;
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
}

#endif

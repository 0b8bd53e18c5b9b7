/*
 * area.h — a street office (街道, the 9 leading digits of its communities'
 * codes) or a district (区, 6) over the communities of one store: its
 * name, the users whose scope it is, and its figures per community and in
 * sum (svc/area.c).  Such a user reads figures only — no names, no
 * restricted ledger, no write — and looks into one community's statistics
 * by its code (drill-down).
 */
#ifndef JW_SVC_AREA_H
#define JW_SVC_AREA_H

#include "svc/ledger.h"

/* A street office's or district's code: 9 or 6 digits. */
bool svc_area_code_ok(const char *code, struct jw_error *err);
/* "街道" or "区" by the code's length. */
const char *svc_area_level(const char *code);
/* Its name as named (meta area/CODE), or its level and code. */
void svc_area_name(struct store *st, const char *code, char *out, size_t n);
/* Names a street office or district (audited). */
int svc_area_put(struct store *st, const char *code, const char *name, struct jw_error *err);
/* A user's scope: a community of the store, or an area with one in it. */
int svc_scope_check(struct store *st, const char *scope, struct jw_error *err);
/* The request's community (the query's `community`): an area's user looks
 * into one of its communities (404 for another's or none); a community's
 * user may name only its own (403). */
int svc_area_enter(struct store *st, struct actor *a, const char *code, struct jw_error *err);

/* One community's row of an area's table. */
struct area_com {
	char code[16], name[128];
	struct stats_row s;        /* the overview: the dashboard's figures */
	int64_t open;              /* one ledger: its open entries */
};

struct area_led { const struct ledger_def *l; int64_t open; };

#define AREA_MAX_LEDGERS 64

struct area_view {
	char code[16], name[128];
	const char *level;             /* 街道 / 区 */
	const struct ledger_def *l;    /* NULL: the overview */
	int ncom;
	struct area_com *com;          /* ncom rows, by code */
	struct area_com total;
	int nled;                      /* the overview: each ledger in sum */
	struct area_led led[AREA_MAX_LEDGERS];
};

/* The area's table: for l NULL the dashboard's figures per community and
 * each ledger's open entries in sum; for a ledger its open entries per
 * community.  Only for a street office's or district's user. */
int svc_area_view(struct store *st, const struct actor *a, const struct ledger_def *l, struct area_view *out,
		  struct jw_error *err);
void svc_area_view_release(struct area_view *v);

#endif

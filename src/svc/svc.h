/*
 * svc.h — Juwei's operations.  The pages (web/), the JSON API (api/), the
 * command line (cli/) and the tests all call these, so they cannot
 * disagree.  Every operation: permission check → validation → store (in a
 * transaction) → audit record.
 *
 * An actor is who asks: a logged-in user (or the CLI acting as the system).
 */
#ifndef JW_SVC_H
#define JW_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "model/entity.h"
#include "store/store.h"

enum role { ROLE_NONE = 0, ROLE_ADMIN, ROLE_DIRECTOR, ROLE_WORKER, ROLE_GRID_WORKER };

struct actor {
	int64_t user_id;         /* 0 for the system (CLI) */
	char username[64];
	enum role role;
	int64_t grid_id;         /* grid_worker's grid */
	char community[16];      /* the community the actor works in; for a
				  * street office's or district's user, its
				  * code (the sum of its communities) or the
				  * one community it looks into */
	char scope[16];          /* the user's own: a community's code, or a
				  * street office's (9 digits) or district's (6) */
	bool area;               /* scope is a street office or district: it
				  * reads figures of its communities, no more */
	char ip[48];             /* client address for the audit log, or "cli" */
	bool bulk;               /* a bulk load inside the caller's transaction: one
				  * summary audit record, no savepoint a row; a refused
				  * row (422/409) leaves nothing, but JW_ESTORE means
				  * the caller must roll the whole load back */
	int64_t session_seen;    /* the session's last_seen when it was checked */
	bool index_later;        /* bulk: new persons' full-text rows and their
				  * households' sizes are left out, and the caller
				  * writes them all with svc_bulk_finish() before it
				  * commits (a savepoint would otherwise flush FTS5's
				  * pending rows every time) */
};

enum role role_parse(const char *s);       /* ROLE_NONE if unknown */
const char *role_key(enum role r);         /* "admin", … */
const char *role_label(enum role r);       /* 管理员, … */
/* A system actor for the CLI: acts as admin in the store's community. */
int actor_system(struct store *st, struct actor *a, struct jw_error *err);
/* The same for a store-wide job (backup, restore, migration): on a store of
 * several communities, the chosen one or else the first (its audit record). */
int actor_system_store(struct store *st, struct actor *a, struct jw_error *err);

/* What an actor may do. */
enum perm {
	P_READ, P_WRITE, P_REVEAL, P_AUDIT, P_USERS
};
bool svc_can(const struct actor *a, const struct kind *e, enum perm p);

/* ---- passwords, users, sessions (svc/auth.c) ---- */
#define SESSION_IDLE_S (30 * 60)
#define LOCK_AFTER 5
#define LOCK_S (15 * 60)

int svc_init(void);   /* libsodium and ICU set-up; once per process */
/* 8+ characters and 3 of: lower, upper, digit, symbol. */
bool password_strong(const char *pw);
int password_hash(const char *pw, char *out, size_t outsz, struct jw_error *err);
bool password_verify(const char *hash, const char *pw);
void random_hex(char *out, size_t nbytes);   /* out holds 2*nbytes+1 */

int svc_user_add(struct store *st, const char *community, const char *username, const char *role,
		 const char *grid, const char *password, struct jw_error *err);
int svc_user_passwd(struct store *st, const char *username, const char *password, struct jw_error *err);

/* Checks the credentials, applies lockout, creates a session of kind
 * "web" or "api".  token and csrf receive 64 hex characters + NUL. */
int svc_login(struct store *st, const char *username, const char *password, const char *kind,
	      const char *ip, char token[65], char csrf[65], struct actor *out, struct jw_error *err);
/* Finds the session of token, checks idle expiry, fills the actor. */
int svc_session(struct store *st, const char *token, const char *kind, const char *ip,
		struct actor *out, char csrf[65], struct jw_error *err);
int svc_logout(struct store *st, const char *token, struct jw_error *err);
/* Records that the session was used now (svc_session does it itself
 * unless the store is inside a read-only snapshot). */
int svc_session_touch(struct store *st, const char *token, struct jw_error *err);

/* ---- the registry (svc/registry.c) ---- */
int svc_create(struct store *st, const struct actor *a, struct record *in, struct verr *ve,
	       int64_t *id, struct jw_error *err);
int svc_update(struct store *st, const struct actor *a, int64_t id, struct record *in,
	       struct verr *ve, struct jw_error *err);
int svc_get(struct store *st, const struct actor *a, const struct kind *e, int64_t id,
	    struct record *out, struct jw_error *err);

/* A list request as the pages and the API take it. */
struct list_req {
	const char *q;             /* search text as typed */
	int64_t page, per_page;
	const char *sort;
	int64_t grid_id, building_id, house_id, household_id;
	const char *residence_type;
	const char *hukou_status;  /* 人户状态: a code or label of CT_HUKOU_STATUS */
	const char *age_band;      /* a key of age_bands[]: "0-14", "60+", … */
	bool include_deregistered;
	bool match_any;            /* digits: anywhere in the number, not only its ends */
	bool all;                  /* every match, no paging (exports) */
};
void list_req_init(struct list_req *lr);

/* The age bands a person list can be filtered by, declared once: the
 * service checks them, the pages offer them. */
struct age_band_def {
	const char *key;     /* "60-79" */
	const char *label;   /* 60–79岁 */
	int from, to;        /* completed years, inclusive; to = -1: no upper end */
};
extern const struct age_band_def age_bands[];
extern const int nage_bands;
int svc_list(struct store *st, const struct actor *a, const struct kind *e,
	     const struct list_req *lr, record_cb cb, void *ud, int64_t *total,
	     struct jw_error *err);

int svc_person_deregister(struct store *st, const struct actor *a, int64_t id, const char *reason,
			  const char *date, const char *note, struct verr *ve, struct jw_error *err);
/* Why full numbers are shown (PIPL art. 51), as it goes into the audit
 * record: reason is a code or label of CT_REVEAL_REASON, or a text of its
 * own; "other" (其他) needs text.  Missing → JW_EINVAL on field "reason". */
#define REVEAL_REASON_MAX 300
int svc_reveal_reason(const char *reason, const char *text, char out[REVEAL_REASON_MAX],
		      struct jw_error *err);
/* The person's record with ID and phone unmasked: allowed roles only, and
 * only with a reason (svc_reveal_reason), audited with that reason. */
int svc_person_reveal(struct store *st, const struct actor *a, int64_t id, const char *reason,
		      const char *reason_text, struct record *out, struct jw_error *err);
/* What a grid worker looks for on a 楼盘表, declared once: a room is 空置
 * (no household), 出租 (房屋性质 租赁, or on the rental ledger), a 流动人口户
 * (a household of migrants), or has residents on a ledger.  A ledger's
 * mark is shown only to those who may read that ledger. */
enum plan_mark { PM_VACANT, PM_RENTED, PM_MIGRANT, PM_ALONE, PM_DIBAO, PM_DISABLED, PM_CORRECTION, PM__COUNT };
struct plan_mark_def {
	const char *key;      /* "alone": CSS class m-alone, JSON "marks" */
	const char *label;    /* 独居老人 */
	const char *abbr;     /* one character for the room's badge: 独 */
	const char *ledger;   /* the ledger whose open entries mark a room, or NULL */
	const char *field;    /* with value: only entries whose field holds it */
	const char *value;
};
extern const struct plan_mark_def plan_marks[PM__COUNT];
/* A building's counts, filled when the plan has been walked. */
struct plan_summary {
	unsigned visible;          /* bits of the marks this actor may see */
	int rooms, households, persons;
	int count[PM__COUNT];      /* rooms with each mark */
};
/* Walks the building's rooms (c->marks set) in plan order; sum (may be
 * NULL) receives the counts.  The ledger marks come from one query per
 * building; a look at a restricted ledger's marks is audited. */
int svc_building_plan(struct store *st, const struct actor *a, int64_t building_id, plan_cb cb,
		      void *ud, struct plan_summary *sum, struct jw_error *err);
/* Creates every room of a building (units × floors × rooms_per_floor) that
 * does not exist yet; *created receives how many. */
int svc_building_generate_houses(struct store *st, const struct actor *a, int64_t building_id,
				 int *created, struct jw_error *err);
/* The dashboard's figures (a grid worker's: their grid's). */
struct stats_row {
	int64_t persons, registered, migrant, foreign, households, houses,
		buildings, grids, over60, over80, deregistered;
	int64_t living_and_registered, living_only, registered_only;  /* 人户状态 of the active */
};
int svc_stats(struct store *st, const struct actor *a, struct stats_row *out, struct jw_error *err);
/* The same in sum of a->community (a community, or a street office's or
 * district's communities), each community's share added to per(its code)
 * too (NULL: one the caller does not show). */
int svc_stats_per(struct store *st, const struct actor *a, struct stats_row *out,
		  struct stats_row *(*per)(const char *community, void *ud), void *ud, struct jw_error *err);
/* The actor's community (code and name). */
int svc_community(struct store *st, const struct actor *a, struct community_row *out,
		  struct jw_error *err);
int svc_audit_list(struct store *st, const struct actor *a, const char *entity, int64_t entity_id,
		   const char *action, int64_t page, int64_t per_page, audit_cb cb, void *ud,
		   int64_t *total, struct jw_error *err);
/* Writes one audit record (the caller's transaction, if any). */
int svc_audit(struct store *st, const struct actor *a, const char *action, const char *entity,
	      int64_t entity_id, const struct record *old, const struct record *new_,
	      struct jw_error *err);

/* The same with JSON the caller wrote (an import's or export's summary). */
/* One audit record (at 0: now), and the records of a community newest
 * first (entity, action NULL or "" and entity_id 0: any; limit -1: all). */
int svc_audit_put(struct store *st, const char *community, const struct audit_row *a, struct jw_error *err);
int svc_audit_rows(struct store *st, const char *community, const char *entity, int64_t entity_id,
		   const char *action, int64_t limit, int64_t offset, audit_cb cb, void *ud, int64_t *total,
		   struct jw_error *err);
int svc_audit_raw(struct store *st, const struct actor *a, const char *action, const char *entity,
		  int64_t entity_id, const char *old_json, const char *new_json, struct jw_error *err);

/* Writes an audit record's stored JSON (old or new values) to b with the
 * entity's sensitive fields masked: reading the log is not a reveal. */
void svc_audit_json_masked(struct buf *b, const char *entity, const char *json);

/* Age of a person record today (-1 when the birth date is unknown). */
int person_age(const struct record *p);

/* Writes the full-text rows of the active persons with an id above
 * after_id and recounts their households (see actor.index_later). */
int svc_bulk_finish(struct store *st, int64_t after_id, struct jw_error *err);

/* Re-indexes the Latin search keys of up to 1,000 persons, in one
 * transaction, when the store's keys were made under another version
 * (model/pinyin.h pinyin_keys_version(): a new key scheme, another surname
 * table, or a store from before the keys).  Call until *done; each call
 * carries on where the last stopped.  done_now: persons re-indexed. */
int svc_person_keys_refresh(struct store *st, int64_t *done_now, bool *done, struct jw_error *err);

/* ---- demo community (svc/demo.c) ---- */
int svc_demo(struct store *st, int persons, unsigned seed, struct jw_error *err);

/* ---- for the pages and the API (svc/desk.c) ---- */
/* A read-only request's one snapshot (false: none was begun). */
bool svc_read_begin(struct store *st);
void svc_read_end(struct store *st);
/* The rest of this read sees the caller's latest writes (it wrote a moment ago). */
void svc_read_own(struct store *st);
/* Opens the store at location, runs fn on it, closes it (a background job's
 * own connection); fn's result, or the opening's error. */
int svc_with_store(const char *location, int (*fn)(struct store *st, void *ud), void *ud, struct jw_error *err);
/* ---- the communities of a store (svc/community.c) ---- */
/* A store holds one community or many (a street office's, a district's).
 * The CLI's commands act in one: the one given with --community
 * (svc_cli_community, set by main.c), else the store's only one. */
void svc_cli_community(const char *code);
/* That community (code NULL: the CLI's, else the only one; a store with
 * several and none chosen is JW_EUSAGE naming them). */
int svc_store_community(struct store *st, const char *code, struct community_row *out, struct jw_error *err);
/* Every community of the store, in the order they were added. */
int svc_communities(struct store *st, community_cb cb, void *ud, struct jw_error *err);
/* Their codes, at most max, into codes (*n of them): gathered before the
 * caller works in each (the listing must be done with before a write). */
int svc_community_codes(struct store *st, char (*codes)[16], int max, int *n, struct jw_error *err);
/* A 12-digit statistical division code of a residents' committee: its last
 * three digits are 001–199 (200 and above are villages). */
bool svc_community_code_ok(const char *code, struct jw_error *err);
/* A new community in the store (and its audit record), with its admin
 * account admin_name (password pw) when admin_name is given. */
int svc_community_add(struct store *st, const char *code, const char *name, const char *admin_name,
		      const char *pw, struct jw_error *err);

#endif

/*
 * ledger.h — the ledger engine's operations (svc/ledger.c): which ledgers
 * an actor may see, entries (list, read, create, change, close), derived
 * membership, visits, reminders, statistics, departmental exports and a
 * committee's own ledgers.  Permission → validation → store → audit, as in
 * every svc/ operation.
 */
#ifndef JW_SVC_LEDGER_H
#define JW_SVC_LEDGER_H

#include "model/ledger.h"
#include "svc/svc.h"

/* The ledger of key (built-in or the community's own), or NULL. */
const struct ledger_def *ledger_find(struct store *st, const char *community, const char *key);
/* Every ledger of the community (built-ins first). cb non-zero stops. */
int ledger_each(struct store *st, const char *community, int (*cb)(const struct ledger_def *l, void *ud),
		void *ud);

/* The kind of a ledger's entries (ledger_entity), kept for the process. */
const struct kind *svc_ledger_kind(const struct ledger_def *l);

/* Whether the actor may read / write the ledger (restricted ledgers: the
 * director and the named readers only). */
bool ledger_can(struct store *st, const struct actor *a, const struct ledger_def *l, bool write);

/* Lists entries (q->ledger is set from l).  Restricted ledgers: audited. */
int svc_entry_list(struct store *st, const struct actor *a, const struct ledger_def *l, struct entry_query *q,
		   entry_cb cb, void *ud, int64_t *total, struct jw_error *err);
int svc_entry_get(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t id, entry_cb cb,
		  void *ud, struct jw_error *err);

/* A new entry: subject_id of the ledger's subject kind; fields is a record
 * of the ledger's entity (ledger_entity); start_date NULL = today. */
int svc_entry_create(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t subject_id,
		     struct record *fields, const char *start_date, struct verr *ve, int64_t *id,
		     struct jw_error *err);
/* Changes the given fields; end_date closes the entry with end_reason;
 * reopen clears the end. */
int svc_entry_update(struct store *st, const struct actor *a, const struct ledger_def *l, int64_t id,
		     struct record *fields, const char *start_date, const char *end_date, const char *end_reason,
		     bool reopen, struct verr *ve, struct jw_error *err);

/* Brings derived ledgers up to date on today.  only_person > 0: for that
 * person (only_household: their household, whose ledgers and whose other
 * members' 独居/空巢 follow); only_household alone: for that household.
 * Inside the caller's transaction if any. */
int svc_ledger_derive(struct store *st, const char *community, int64_t only_person, int64_t only_household,
		      int64_t *added, int64_t *closed, struct jw_error *err);
/* After a bulk load (import, demo): takes the newcomers into the derived
 * ledgers — changes to people already registered were derived as they
 * were made. */
int svc_ledger_derive_new(struct store *st, const char *community, int64_t *added, struct jw_error *err);
/* The server's derivation: like svc_ledger_derive for everyone, but in
 * short transactions of `batch` subject ids each (0 = 20,000; the
 * environment's JUWEI_DERIVE_BATCH overrides it), outside any transaction
 * of the caller, so that other connections' writes interleave.  While it
 * runs, svc_ledger_updating() is true (the pages say so). */
int svc_ledger_derive_batched(struct store *st, const char *community, int64_t batch, int64_t *added,
			      int64_t *closed, struct jw_error *err);
bool svc_ledger_updating(void);
/* The day's derivation of a server (svc_ledger_derive_batched), done once
 * a day however many `juwei serve` processes share the store: the day it
 * was last done is kept in the store (meta ledgers_derived_on/COMMUNITY);
 * at a day's change a process that finds it done already (*skipped) does
 * nothing.  at_start: derive even so (a process starting checks them). */
int svc_ledger_derive_daily(struct store *st, const char *community, const char *today, bool at_start,
			    int64_t *added, int64_t *closed, bool *skipped, struct jw_error *err);
/* The registry's changes reach the ledgers through their change hook
 * (ledger_hook, svc/hooks.h): derivation, and the closing of a
 * de-registered person's entries, each closing audited. */

/* Statistics of a ledger (or of the community's persons when l is NULL). */
#define STAT_MAX_GRIDS 256
#define STAT_BY_MAX 64

struct ledger_stats {
	int64_t only_grid;       /* set for a grid worker: only that grid's figures */
	bool area_sum;           /* a street office's or district's communities in
				  * sum: no grids or buildings (svc_area_view has
				  * the communities) */
	int64_t total;
	int ngrids;
	int64_t grid_id[STAT_MAX_GRIDS];
	char grid_name[STAT_MAX_GRIDS][64];
	int64_t by_grid[STAT_MAX_GRIDS];
	int nbuildings;                              /* the 30 with most */
	int64_t building_id[30];
	char building_name[30][64];
	int64_t by_building[30];
	int64_t men, women, sex_unknown;
	int64_t pyramid_men[21], pyramid_women[21];   /* 5-year groups, 20 = 100+ */
	int64_t age_unknown;
	int64_t band[8];                             /* age_bands[] */
	int ntrend;
	char trend_month[12][16];
	int64_t trend_opened[12], trend_closed[12];
	/* A ledger that declares its own dimensions (the work log's worker,
	 * category, month): its records counted by each (count_by). */
	int nby;
	struct stat_by {
		const char *name, *label;   /* the dimension (model/ledger.c) */
		int n;                      /* groups, most records first */
		char key[STAT_BY_MAX][128];
		int64_t count[STAT_BY_MAX];
	} by[KIND_MAX_DIMS];
};
int svc_ledger_stats(struct store *st, const struct actor *a, const struct ledger_def *l,
		     struct ledger_stats *out, struct jw_error *err);

struct visit_row {
	int64_t id;
	const char *subject;
	int64_t subject_id;
	const char *visit_date, *method, *note, *next_date, *username;
	int64_t created_at;
	int64_t entry_id;         /* the ledger entry it was recorded on (0: the subject) */
	const char *restricted_to;/* the restricted ledger whose readers alone may see
				   * it (NULL: whoever may see the subject) */
};
typedef int (*visit_cb)(const struct visit_row *v, void *ud);

/* Visits (走访) on any subject, or on a ledger entry (entry_id > 0: its
 * subject; the visit belongs to the entry and a restricted ledger's visit
 * is seen by that ledger's readers only). */
int svc_visit_add(struct store *st, const struct actor *a, const char *subject, int64_t subject_id,
		  int64_t entry_id, const char *date, const char *method, const char *note, const char *next_date,
		  struct verr *ve, int64_t *id, struct jw_error *err);
/* The subject's visits the actor may see, newest first; reading a
 * restricted ledger's visit is audited. */
int svc_visit_list(struct store *st, const struct actor *a, const char *subject, int64_t subject_id,
		   visit_cb cb, void *ud, struct jw_error *err);

/* Reminders computed from the data, today. */
struct reminder {
	const char *kind;        /* "birthday80", "pension", "visit", "ending" */
	const char *label;       /* 80周岁生日（高龄津贴）… */
	const char *ledger;      /* the ledger key, or NULL */
	const char *subject;
	int64_t subject_id;
	const char *name;
	char date[11];           /* when it is due */
	char detail[160];
	bool more;               /* after a group's first `each`: there are more
				  * (nothing else set but kind, label, ledger) */
};
typedef int (*reminder_cb)(const struct reminder *r, void *ud);
/* Which reminders: each > 0, at most that many of each group (kind and
 * ledger), then one with more set if the group has more; kind (and ledger):
 * only that group.  NULL: every reminder. */
struct reminder_opts { int64_t each; const char *kind, *ledger; };
int svc_reminders(struct store *st, const struct actor *a, const struct reminder_opts *o, reminder_cb cb,
		  void *ud, struct jw_error *err);

/* Writes the ledger's entries in one of its layouts (NULL key: the generic
 * roster) to path.  Audited. */
int svc_ledger_export(struct store *st, const struct actor *a, const struct ledger_def *l, const char *layout_key,
		      const char *path, int64_t *rows, struct jw_error *err);

/* The same as a make-a-file callback (http's resp_made_file): req is a
 * struct ledger_export_req. */
struct ledger_export_req {
	struct store *st;
	const struct actor *a;
	const struct ledger_def *l;
	const char *layout;
	int64_t rows;
};
int ledger_export_to(void *req, const char *path, struct jw_error *err);

/* A committee's own ledger from its JSON definition:
 *   {"key":"pets","title":"养犬登记台账","subject":"person",
 *    "fields":[{"name":"breed","label":"犬种","type":"text","options":["…"],
 *               "required":true}, …]}
 * types: text, number, integer, date; admin only; audited. */
int svc_ledger_define(struct store *st, const struct actor *a, const char *json, struct verr *ve,
		      const struct ledger_def **out, struct jw_error *err);
/* Names a worker as a reader of a restricted ledger (director, admin). */
int svc_ledger_reader(struct store *st, const struct actor *a, const struct ledger_def *l, const char *username,
		      bool on, struct jw_error *err);

/* Candidates for an entry's subject, found by text (a name, an ID or phone
 * number's end, a household number or an address fragment): persons; or
 * households / houses matching themselves or through a resident.  At most
 * 20, each with a label and a detail line (ID numbers masked); *found
 * receives how many.  Needs write access to the ledger. */
struct ledger_pick {
	int64_t id;
	char label[160];
	char detail[200];
};
typedef int (*pick_cb)(const struct ledger_pick *p, void *ud);
int svc_ledger_pick(struct store *st, const struct actor *a, const struct ledger_def *l, const char *text,
		    pick_cb cb, void *ud, int *found, struct jw_error *err);

/* The entry's fields as a record of the ledger's entity (caller releases). */
void entry_fields(const struct ledger_def *l, const char *data_json, struct record *out);

/* JW_OK when the actor may read (write) the ledger; else JW_EPERM, err
 * saying why (the router's check of R_LREAD / R_LWRITE routes). */
int svc_ledger_access(struct store *st, const struct actor *a, const struct ledger_def *l, bool write,
		      struct jw_error *err);
/* The ledger's open entries the actor's list shows (svc/desk.c). */
int64_t svc_ledger_open_count(struct store *st, const struct actor *a, const struct ledger_def *l);

#endif

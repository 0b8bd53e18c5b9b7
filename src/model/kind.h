/*
 * kind.h — the one declaration of a stored record type (a "kind").
 *
 * Every record Juwei keeps is of a kind: the registry's grids, buildings,
 * houses, households and persons; every ledger's entries (built-in, and a
 * committee's own ledger registered at run time); visits; the work log;
 * and the cases, meetings and polls to come.  A kind says, once:
 *
 *   - its fields (struct field_def: name, label, type, code table, flags,
 *     sensitivity, import synonyms, choices) — from which the store builds
 *     its SQL, the API its JSON, the pages their forms and list columns,
 *     the validator its checks, the exports their columns;
 *   - what it attaches to (a person, household, house, building, a record
 *     of another kind, or nothing);
 *   - its storage: own columns in its own table (the hot registry tables),
 *     or the shared table of the many small kinds (its fields kept as a
 *     JSON object, the declared ones indexed where they are filtered);
 *   - who may read and write it, and whether it is restricted (only named
 *     readers; every read audited);
 *   - its list filters (fields flagged FF_SEARCH) and sort keys (FF_SORT);
 *   - its statistics dimensions (struct kind_dim), counted by the store's
 *     one grouped count;
 *   - for workflow kinds, a state machine: states, allowed transitions, the
 *     roles that may take each, and a deadline rule.
 *
 * Code above store/ reads these declarations; the store turns them into
 * SQL (store/sql.c, through the dialect table of store/dialect.h).
 */
#ifndef JW_KIND_H
#define JW_KIND_H

#include <stdbool.h>
#include <stdint.h>

enum field_type {
	FT_TEXT,    /* free text, maxlen characters */
	FT_INT,     /* integer */
	FT_REAL,    /* decimal number (area) */
	FT_DATE,    /* YYYY-MM-DD */
	FT_CODE,    /* a code of code_table */
	FT_REF,     /* id of another entity (ref) */
	FT_BOOL,    /* "1" / "0" */
	FT_DATETIME /* seconds since the epoch, shown as local time */
};

enum field_flag {
	FF_REQUIRED = 1 << 0,  /* must be given on create */
	FF_READONLY = 1 << 1,  /* derived by the program; never taken from input */
	FF_LIST     = 1 << 2,  /* shown as a list column */
	FF_FORM     = 1 << 3,  /* shown in create/edit forms */
	FF_SEARCH   = 1 << 4,  /* a list filter on the page */
	FF_MULTILINE = 1 << 5, /* textarea */
	FF_WIDE     = 1 << 6,  /* list column left out on a phone's narrow screen */
	FF_SORT     = 1 << 7,  /* a list may be sorted by it */
	FF_ACTOR    = 1 << 8,  /* set by the program to the user who made the record
				* (with FF_READONLY: never taken from input) */
};

enum field_sens {
	SENS_NONE = 0,
	SENS_ID,     /* ID/document number: masked 110105********002X */
	SENS_PHONE,  /* phone: masked 138****5678 */
};

struct field_def {
	const char *name;      /* JSON member and SQL column */
	const char *label;     /* Chinese label */
	enum field_type type;
	int code_table;        /* enum code_table_id for FT_CODE, else -1 */
	const char *ref;       /* entity key for FT_REF, else NULL */
	unsigned flags;        /* enum field_flag */
	enum field_sens sens;
	int maxlen;            /* characters, for FT_TEXT */
	const char *synonyms;  /* import header synonyms, '|'-separated */
	const char *hint;      /* form hint, Chinese, or NULL */
	const char *options;   /* FT_TEXT: the allowed values, '|'-separated (a
				* choice list for ledgers' own fields), or NULL */
};

/* What a record of the kind belongs to. */
enum kind_attach {
	KA_NONE,       /* nothing: a record of its own (a work-log line) */
	KA_PERSON,
	KA_HOUSEHOLD,
	KA_HOUSE,
	KA_BUILDING,
	KA_KIND,       /* a record of another kind (attach_kind) */
	KA_ANY,        /* a person, household or house, chosen per kind at
			* run time (a committee's own ledger) */
};

enum kind_storage {
	KS_COLUMNS,    /* own table, a column a field */
	KS_SHARED,     /* the shared table of small kinds (ledger_entry): the
			* kind's key, subject, status, dates, and its fields
			* as one JSON object */
};

/* A statistics dimension: the store counts records grouped by any of a
 * kind's declared dimensions (store.h count_by). */
enum dim_type {
	DIM_FIELD,     /* the value of a field */
	DIM_MONTH,     /* YYYY-MM of a date field */
	DIM_YEAR,      /* YYYY of a date field */
	DIM_AGE5,      /* 5-year age group of a birth date field, on "today" */
};
struct kind_dim {
	const char *name;      /* "month": the statistics' member name */
	const char *label;     /* 月份 */
	enum dim_type type;
	const char *field;     /* the field it is computed from */
};
#define KIND_MAX_DIMS 8

/* A state machine of a workflow kind (cases, applications, tasks). */
struct kind_state {
	const char *name;      /* "open" */
	const char *label;     /* 办理中 */
	bool final;            /* no transition leaves it */
};
struct kind_transition {
	const char *action;    /* "close": the verb of the API and the button */
	const char *label;     /* 办结 */
	const char *from, *to; /* state names; from "*" = any non-final state */
	unsigned roles;        /* 1u << enum role (svc/svc.h) who may take it */
};
enum deadline_unit { DL_NONE, DL_DAYS, DL_WORKING_DAYS };
struct kind_deadline {
	enum deadline_unit unit;
	int n;                 /* how many units after the record's start */
	const char *from;      /* the date field it counts from (NULL: created) */
};
struct kind_workflow {
	const struct kind_state *states;
	int nstates;           /* states[0] is the initial one */
	const struct kind_transition *transitions;
	int ntransitions;
	struct kind_deadline deadline;
};

enum kind_flag {
	KF_NO_COMMUNITY = 1 << 0,  /* rows are not a community's (users, sessions) */
	KF_NO_STAMPS    = 1 << 1,  /* no created_at/updated_at columns */
	KF_AUDIT_READS  = 1 << 2,  /* every read is audited (restricted kinds) */
};

/* enum entity_id (model/entity.h) numbers the registry's kinds; every
 * other kind has id ENT__COUNT. */
struct kind {
	int id;                 /* enum entity_id, or ENT__COUNT */
	const char *key;        /* "person": stored key, audit entity name */
	const char *table;      /* SQL table */
	const char *path;       /* URL segment: "persons" */
	const char *label;      /* Chinese: 居民 */
	const char *title_field;/* field that names a row: "name" */
	const struct field_def *fields;
	int nfields;

	enum kind_attach attach;
	const char *attach_kind;   /* KA_KIND: the key of the kind attached to */
	enum kind_storage storage;
	unsigned flags;            /* enum kind_flag */
	unsigned read_roles;       /* 1u << enum role; 0: every signed-in role */
	unsigned write_roles;
	bool restricted;           /* named readers only; reads audited */
	const struct kind_dim *dims;
	int ndims;
	const struct kind_workflow *workflow;   /* NULL: no states */
	/* The fields the store keeps maintained counts by (its table tally,
	 * kept in the writing transaction; of a KS_SHARED kind, its open
	 * entries), up to KIND_MAX_TALLY, NULL-terminated; NULL: not counted.
	 * The store's grouped count reads them when they answer. */
	const char *const *tally;
};
#define KIND_MAX_TALLY 4

/* The kinds registered at run time (a committee's own ledgers) and the
 * built-in ones are found by key.  kind_register keeps the pointer: the
 * declaration must outlive the program's use of it. */
int kind_register(const struct kind *k);
const struct kind *kind_find(const char *key);

const struct kind_dim *kind_dim(const struct kind *k, const char *name);
const struct kind_state *kind_state(const struct kind *k, const char *name);
/* The transition action from state from, or NULL when it is not allowed. */
const struct kind_transition *kind_transition(const struct kind *k, const char *from, const char *action);

#endif

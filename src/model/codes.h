/*
 * codes.h — the national and local code tables (代码表) as data: sex,
 * ethnic group, relation to the head, political status, education, marital
 * status and the project's own short lists.
 *
 * Each table lists a code (what is stored), its Chinese label (what is
 * shown) and aliases (other spellings accepted from forms and imports).
 * The tables are const and live for the whole program; every pointer
 * returned here points into them and must not be freed.
 */
#ifndef JW_MODEL_CODES_H
#define JW_MODEL_CODES_H

#include <stddef.h>

/* One value of a code table. */
struct code_entry {
	const char *code;     /* stored value: a national code or a short key */
	const char *label;    /* Chinese text shown to users */
	const char *aliases;  /* '|'-separated other spellings accepted, or NULL */
};

/* One code table. */
struct code_table {
	const char *key;                 /* stable name, e.g. "ethnic" */
	const char *title;               /* Chinese name of the field */
	const char *standard;            /* "GB/T 3304-1991", or "本系统" */
	const struct code_entry *entries;
	size_t n;                        /* number of entries */
};

enum code_table_id {
	CT_SEX,
	CT_ETHNIC,
	CT_RELATION,
	CT_POLITICAL,
	CT_EDUCATION,
	CT_MARITAL,
	CT_EMPLOYMENT,
	CT_RESIDENCE,
	CT_DOC_TYPE,
	CT_DEREG_REASON,
	CT_REVEAL_REASON,
	CT_HOUSEHOLD_TYPE,
	CT_HOUSE_USE,
	CT_ROLE,
	CT_PERSON_STATUS,
	CT_HUKOU_STATUS,
	CT__COUNT
};

extern const struct code_table code_tables[CT__COUNT];

/* The table with this key ("ethnic", "relation", …), or NULL. */
const struct code_table *code_table_find(const char *key);

/* The label of code in t, or NULL if t has no such code. */
const char *code_label(const struct code_table *t, const char *code);

/*
 * The canonical code for text, which may be a code, a label or an alias;
 * surrounding spaces (ASCII, U+3000) are ignored.  NULL if nothing matches.
 */
const char *code_lookup(const struct code_table *t, const char *text);

#endif

/*
 * entity.h — the registry's data model, declared once.
 *
 * Each entity (grid, building, house, household, person, user) is a table
 * of field declarations: name (JSON member and SQL column), Chinese label,
 * type, code table, flags, sensitivity, import header synonyms.  The store
 * builds its SQL from these, the API its JSON, the pages their forms and
 * list columns, the validator its checks.  Adding a field is one line here
 * plus a migration.
 *
 * struct record holds one row as strings (NULL = empty), one slot a field.
 */
#ifndef JW_ENTITY_H
#define JW_ENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "model/codes.h"
#include "model/kind.h"

enum entity_id { ENT_GRID, ENT_BUILDING, ENT_HOUSE, ENT_HOUSEHOLD, ENT_PERSON, ENT__COUNT };


extern const struct kind entities[ENT__COUNT];

/* The audit log: a kind of its own table, written and read through the
 * generic record ops (svc_audit_put, svc_audit_list). */
enum audit_field { AF_AT, AF_USERNAME, AF_ACTION, AF_ENTITY, AF_ENTITY_ID, AF_OLD_JSON, AF_NEW_JSON, AF_IP, AF__COUNT };
extern const struct kind audit_kind;

const struct kind *entity_by_path(const char *path);   /* "persons" → person */
const struct kind *entity_by_key(const char *key);
int entity_field_index(const struct kind *e, const char *name); /* -1 if none */
const struct field_def *entity_field(const struct kind *e, const char *name);

/* Field indexes of the person entity, in declaration order (entity.c
 * checks at start-up that they match). */
enum person_field {
	PF_NAME, PF_SEX, PF_DOC_TYPE, PF_ID_NUMBER, PF_NATIONALITY, PF_ETHNIC,
	PF_BIRTH_DATE, PF_PHONE, PF_HUKOU_ADDRESS, PF_CURRENT_ADDRESS,
	PF_RESIDENCE_TYPE, PF_HUKOU_STATUS, PF_WHEREABOUTS, PF_POLITICAL_STATUS, PF_EDUCATION, PF_MARITAL_STATUS,
	PF_EMPLOYMENT_STATUS, PF_HOUSEHOLD_ID, PF_RELATION, PF_NOTES,
	PF_HOUSE_ID, PF_BUILDING_ID, PF_GRID_ID, PF_STATUS, PF_DEREG_REASON,
	PF_DEREG_DATE, PF_DEREG_NOTE, PF_CREATED_AT, PF_UPDATED_AT, PF__COUNT
};
enum household_field {
	HF_HOUSEHOLD_NO, HF_HOUSE_ID, HF_TYPE, HF_PHONE, HF_REGISTERED_DATE,
	HF_NOTES, HF_BUILDING_ID, HF_GRID_ID, HF_SIZE, HF_CREATED_AT,
	HF_UPDATED_AT, HF__COUNT
};
enum building_field {
	BF_NAME, BF_GRID_ID, BF_COMPOUND, BF_ADDRESS, BF_FLOORS, BF_UNITS,
	BF_ROOMS_PER_FLOOR, BF_BUILT_YEAR, BF_HAS_ELEVATOR, BF_NOTES,
	BF_CREATED_AT, BF_UPDATED_AT, BF__COUNT
};
enum house_field {
	HOF_BUILDING_ID, HOF_UNIT, HOF_FLOOR, HOF_ROOM, HOF_AREA, HOF_LAYOUT,
	HOF_USE, HOF_ADDRESS, HOF_NOTES, HOF_GRID_ID, HOF_CREATED_AT,
	HOF_UPDATED_AT, HOF__COUNT
};
enum grid_field { GF_NAME, GF_NOTES, GF_CREATED_AT, GF_UPDATED_AT, GF__COUNT };

/* The next value of a '|'-separated choice list (field_def.options or
 * synonyms): copies it to out and advances *p; false at the end. */
bool options_next(const char **p, char *out, size_t outsz);

/* One row of an entity.  v[i] belongs to the record (NULL = empty). */
struct record {
	const struct kind *ent;
	int64_t id;             /* 0 until stored */
	char **v;               /* ent->nfields values */
	unsigned char *given;   /* input: 1 where the caller supplied the field */
};

void record_init(struct record *r, const struct kind *ent);
void record_release(struct record *r);
/* Sets field i to a copy of val (NULL or "" = empty) and marks it given. */
void record_set(struct record *r, int i, const char *val);
void record_setf(struct record *r, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *record_get(const struct record *r, int i);   /* NULL if empty */
bool record_int(const struct record *r, int i, int64_t *out);
void record_copy(struct record *dst, const struct record *src);

/* Validation results: every failing field, for forms that show each error
 * next to its field. */
#define VERR_MAX 32
struct verr {
	int n;
	struct { char field[64]; char message[256]; } item[VERR_MAX];
};
void verr_init(struct verr *ve);
void verr_add(struct verr *ve, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *verr_for(const struct verr *ve, const char *field); /* NULL if none */
/* Turns the first item into err (JW_EINVAL) and returns JW_EINVAL. */
int verr_to_error(const struct verr *ve, struct jw_error *err);

/* Normalises and checks each given field by its declaration: trims text,
 * looks codes up (label or alias accepted, stored as the code), checks
 * dates, integers, lengths and required fields (when creating). */
void record_normalize_validate(struct record *r, bool creating, struct verr *ve);

/* Writes the record as a JSON object: every field, code fields with a
 * "NAME_label" companion, sensitive fields masked unless reveal. */
void record_to_json(struct buf *b, const struct record *r, bool reveal);

#endif

/*
 * idnum.h — citizen ID numbers (GB 11643-1999 公民身份号码) and the other
 * identity documents a committee records (证件类型).
 *
 * Owns the rules only: normalising what a user typed, upgrading 15-digit
 * numbers, the ISO 7064 MOD 11-2 check character, the birth date and sex
 * a number carries, and the format of each document type.  It never checks
 * the address code against a list: codes of abolished counties stay valid
 * for life.  Nothing here allocates.
 */
#ifndef JW_MODEL_IDNUM_H
#define JW_MODEL_IDNUM_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

/* What an 18-character GB 11643-style number identifies, by its prefix. */
enum idnum_kind {
	IDNUM_RESIDENT = 0,          /* 公民身份号码 (anything not below) */
	IDNUM_HMT_PERMIT = 1,        /* 81/82/83 prefix: 港澳台居民居住证 */
	IDNUM_FOREIGN_PERMANENT = 2, /* first digit 9: 2023-format 永居证 */
};

/* What a valid number tells about its holder. */
struct idnum_info {
	char number[19];       /* normalised 18-character number, upper-case X */
	int year, month, day;  /* birth date taken from the number */
	int sex;               /* GB/T 2261.1: 1 male (odd 17th digit), 2 female */
	enum idnum_kind kind;  /* by prefix, see enum idnum_kind */
	bool upgraded;         /* given as 15 digits and upgraded to 18 */
};

/*
 * The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for first17,
 * which must hold at least 17 characters of which the first 17 are ASCII
 * digits; 0 otherwise.
 */
char idnum_check_char(const char *first17);

/*
 * Parses a 公民身份号码 as typed: drops spaces (at the ends and inside), turns full-width digits and
 * letters into ASCII and a lower-case x into X, upgrades a 15-digit number
 * (inserts "19" after the address code, appends the check character), then
 * checks length, characters, the birth date (a real date, not before 1880,
 * not after today) and the check character.  Fills *out (may be NULL) and
 * returns 0; otherwise returns JW_EINVAL with a Chinese message naming the
 * fix in *err (may be NULL), err->field set to field.
 */
int idnum_parse(const char *s, const char *field, struct idnum_info *out,
		struct jw_error *err);

/* True if idnum_parse would succeed on s. */
bool idnum_valid(const char *s);

/*
 * Checks number as a document of doc_type, one of the code strings
 * "id_card", "residence_permit", "foreign_permanent", "passport",
 * "hk_macau_permit", "taiwan_permit" (code table "doc_type" in codes.h).
 * The normalised number (trimmed, half-width, upper-case; the upgraded
 * 18-character form for a 15-digit 居民身份证 number) goes into out_number
 * (outsz >= 32; may be NULL), also on failure so a form can show it back.
 * For id_card, residence_permit and 2023-format foreign_permanent numbers,
 * *info is filled and *derived set true; otherwise *derived is false and
 * *info zeroed (info and derived may be NULL).  An unknown doc_type fails
 * on field "doc_type"; a bad number fails on field.  Returns 0 or JW_EINVAL.
 */
int doc_check(const char *doc_type, const char *number, const char *field,
	      char *out_number, size_t outsz, struct idnum_info *info,
	      bool *derived, struct jw_error *err);

/*
 * The document type a number itself names, for a number typed with no
 * 证件类型: "residence_permit" for an 18-character number starting 81, 82
 * or 83, "foreign_permanent" for one starting 9 (and the pre-2023 form of
 * three letters and twelve digits); NULL for anything else (a 居民身份证
 * number, or a number that names no type, such as a passport's).  Only
 * the shape is looked at; doc_check() then checks the number.
 */
const char *idnum_doc_type_of(const char *number);

#endif

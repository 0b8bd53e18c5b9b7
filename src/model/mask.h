/*
 * mask.h — masking (脱敏) of identity numbers and phone numbers for
 * display to viewers who may not see the original.
 *
 * Pure functions over strings: they write into the caller's buffer, always
 * terminate it (when outsz > 0) and never cut a UTF-8 character in half.
 * Characters, not bytes, are counted; each masked character becomes one
 * '*'.  NULL or "" gives "".
 */
#ifndef JW_MODEL_MASK_H
#define JW_MODEL_MASK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * ID-like numbers (公民身份号码, permit and passport numbers):
 *   15 characters or more: the first 6 and last 4 stay, the rest is '*'
 *     (11010519491231002X → 110105********002X);
 *   3 to 14 characters: the first and last stay (H08375873 → H*******3);
 *   1 or 2 characters: all '*'.
 * (Shorter numbers keep fewer characters so that at least half is hidden.)
 */
void mask_idnum(const char *s, char *out, size_t outsz);

/*
 * Phone numbers.  Only digits (ASCII or full-width) are masked; spaces,
 * '-', '+', brackets and other characters are copied, so the shape stays.
 * Digits are counted over the whole string:
 *   11 digits starting with 1 (mobile): first 3 and last 4 stay
 *     (13812345678 → 138****5678, 138 1234 5678 → 138 **** 5678);
 *   any other number of 7 digits or more: first 3 and last 2 stay
 *     (010-65990001 → 010-******01);
 *   3 to 6 digits: first and last stay; 1 or 2 digits: all '*'.
 */
void mask_phone(const char *s, char *out, size_t outsz);

/*
 * The one way a sensitive value is shown: sens is a field's sensitivity
 * (enum field_sens of model/entity.h: SENS_ID, SENS_PHONE); unless reveal,
 * the value is masked into tmp and tmp returned; otherwise (and for
 * SENS_NONE, and for NULL) v itself.  field_display takes it from the
 * field's declaration.  Pages, API, exports and the audit log all show
 * values through these.
 */
const char *sens_display(int sens, const char *v, bool reveal, char *tmp, size_t tmpsz);
struct field_def;
const char *field_display(const struct field_def *f, const char *v, bool reveal, char *tmp, size_t tmpsz);

#endif

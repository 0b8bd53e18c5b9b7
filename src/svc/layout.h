/*
 * layout.h — a departmental Excel form (台账导出版式), declared as data and
 * written with libxlsxwriter (svc/layout.c).
 *
 * The sheet follows the common skeleton of ../shared/layouts/README.md §0:
 *
 *   row 1   the title, merged across all columns, centred, bold, 16 pt
 *   row 2   "填报单位（盖章）：{community}" on the left,
 *           "填报日期：{date_cn}" on the right (each merged over half)
 *   row 3-4 the header: a column in a group has the group's name in row 3
 *           (merged across the group's columns) and its own in row 4; a
 *           column without a group is merged down over rows 3 and 4.  A
 *           layout without groups has a one-row header (row 3 only).
 *   row 5…  data rows; a LC_SERIAL column numbers them 1, 2, 3 …
 *           the totals row: "合计" in the first column, sums of the columns
 *           with total, counts ("共N人") of the columns with count
 *   footer  one merged row, e.g. "填表人：____  审核人：____  联系电话：____"
 *
 * Text, ID numbers, phone numbers and card numbers are text cells; dates are
 * date cells shown yyyy-mm-dd (or yyyy年m月d日 with LT_DATE_CN); money has
 * two decimals.  Borders on the table, header rows repeated when printed,
 * landscape A4 fitted to the page width, frozen below the header.
 *
 * Placeholders in title / unit / date / footer texts: {community} (the
 * committee's name), {date} (2026-11-27), {date_cn} (2026年11月27日),
 * {year}, {month}, {title} (the ledger's title).
 */
#ifndef JW_LAYOUT_H
#define JW_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/err.h"

enum layout_type {
	LT_TEXT,      /* a string cell */
	LT_ID,        /* ID / card / phone / account number: always a text cell */
	LT_NUMBER,    /* a number ("12", "3.5"); empty stays empty */
	LT_MONEY,     /* a number shown with two decimals (0.00) */
	LT_DATE,      /* "YYYY-MM-DD" → a date cell yyyy-mm-dd */
	LT_DATE_CN,   /* "YYYY-MM-DD" → a date cell yyyy"年"m"月"d"日" */
	LT_SERIAL,    /* 序号: filled by the writer, the value given is ignored */
};

struct layout_col {
	const char *group;   /* the level-1 header of its group, or NULL */
	const char *header;  /* its own header */
	const char *source;  /* what fills it: a field key the caller resolves
			      * (the writer never reads it; it is for the caller) */
	enum layout_type type;
	double width;        /* characters; 0 = from the type */
	bool total;          /* summed in the totals row (numbers, money) */
	bool count;          /* counted in the totals row: "共N人" / "N" */
};

struct layout_def {
	const char *key;         /* "elderly_roster" */
	const char *label;       /* Chinese name shown on the export menu */
	const char *title;       /* "{community}80周岁以上老年人花名册" */
	const char *unit;        /* NULL → "填报单位（盖章）：{community}" */
	const char *date;        /* NULL → "填报日期：{date_cn}" */
	const char *footer;      /* NULL → "填表人：        审核人：        联系电话：" */
	const struct layout_col *cols;
	int ncols;
	bool no_totals;          /* leave the 合计 row out */
	/* Which entries the form lists, as data: those whose ledger field
	 * where_field is one of where_in ("独居|空巢").  NULL: every entry. */
	const char *where_field;
	const char *where_in;
};

struct layout_ctx {
	const char *community;   /* 阳光社区居民委员会 */
	int year, month, day;    /* the report date */
};

struct layout_writer;

/* Opens path and writes rows 1–4.  NULL and err on failure. */
struct layout_writer *layout_begin(const struct layout_def *d, const struct layout_ctx *ctx,
				   const char *path, struct jw_error *err);
/* One data row: values[i] for cols[i] (NULL or "" = empty; ignored for
 * LT_SERIAL).  A value that does not fit its type (a date that is no date)
 * is written as text, never dropped. */
int layout_row(struct layout_writer *w, const char *const *values, struct jw_error *err);
/* Writes the totals row and the footer, closes the file.  Frees w. */
int layout_end(struct layout_writer *w, struct jw_error *err);
/* Frees w and removes the half-written file (after an error). */
void layout_abort(struct layout_writer *w);

/* Expands the placeholders of text into out. */
void layout_expand(const char *text, const struct layout_ctx *ctx, const char *title, char *out,
		   size_t outsz);

#endif

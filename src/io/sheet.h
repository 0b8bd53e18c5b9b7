/*
 * sheet.h — a spreadsheet read row by row, whatever the file: .xlsx
 * (io/xlsx_read.c, libzip + libxml2, streamed), .xls (io/xls_read.c,
 * FreeXL) or .csv/.txt (io/csv_read.c, libcsv; UTF-8 with or without BOM,
 * GBK/GB18030 or UTF-16 detected and converted with iconv).
 *
 * The importer (svc/import.c) sees only this header.  Every cell comes
 * out as UTF-8 text, with its kind, so that the importer can tell a
 * number Excel stored from text the user typed:
 *
 *   CELL_TEXT    text as stored (a CSV field is always CELL_TEXT)
 *   CELL_NUMBER  a numeric cell; text is the number as Excel's General
 *                format shows it: integers below 1e15 in full
 *                ("13812345678"), others with %.15g — so an ID number that
 *                Excel turned into a number reads "1.10105199709198e+17"
 *   CELL_DATE    a numeric cell with a date format; text is "YYYY-MM-DD"
 *                (or "YYYY-MM-DD HH:MM:SS" when it has a time), num is the
 *                Excel serial
 *   CELL_BOOL    text "TRUE"/"FALSE"
 *
 * Errors name what is wrong with the file in Chinese ("文件不是有效的
 * Excel 工作簿…"); a reader never crashes on a broken file and never reads
 * the whole of a big file into memory (the shared-strings table of an
 * .xlsx is the exception: it is the file's own dictionary).
 */
#ifndef JW_SHEET_H
#define JW_SHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum sheet_format { SHEET_CSV, SHEET_XLSX, SHEET_XLS };

enum cell_kind { CELL_EMPTY = 0, CELL_TEXT, CELL_NUMBER, CELL_DATE, CELL_BOOL };

struct cell {
	enum cell_kind kind;
	const char *text;   /* UTF-8, NUL-terminated, never NULL ("" when empty) */
	double num;         /* CELL_NUMBER / CELL_DATE: the stored value */
};

/* One row.  cells[0..n-1] are columns A, B, …; n is one past the last
 * non-empty cell (0 for a blank row).  Valid until the next sheet_next. */
struct sheet_row {
	int64_t rownum;     /* 1-based row number as the user sees it in Excel
			     * (CSV: the record's number, 1 = first line) */
	int n;
	struct cell *cells;
};

struct sheet;

/* Opens path; the format comes from the file's first bytes (PK zip →
 * xlsx, D0 CF 11 E0 → xls, else CSV), not from its name.  A workbook is
 * positioned at its first worksheet.  NULL and err (JW_EBADREQ with a
 * Chinese message, or JW_EIO) on failure. */
struct sheet *sheet_open(const char *path, struct jw_error *err);
/* The same from memory (fuzzers, tests): data must outlive the sheet. */
struct sheet *sheet_open_mem(enum sheet_format fmt, const void *data, size_t len,
			     struct jw_error *err);
void sheet_close(struct sheet *s);

enum sheet_format sheet_format(const struct sheet *s);
/* Worksheets of a workbook (CSV: one, named ""). */
int sheet_count(const struct sheet *s);
const char *sheet_name(const struct sheet *s, int i);
/* Positions at worksheet i (0-based) from its first row. */
int sheet_select(struct sheet *s, int i, struct jw_error *err);

/* Reads the next row: 1 = a row is in *row, 0 = end of the sheet, -1 =
 * the file is broken here (err says where, with the row number). */
int sheet_next(struct sheet *s, struct sheet_row *row, struct jw_error *err);

/* How far the reader is through the current worksheet, 0.0–1.0 (for
 * progress bars; an estimate). */
double sheet_progress(const struct sheet *s);

/* CSV only: the encoding found ("UTF-8", "UTF-8 BOM", "GB18030",
 * "UTF-16LE", …) and the delimiter; NULL / 0 for workbooks. */
const char *sheet_encoding(const struct sheet *s);

/* ---- back ends (sheet.c dispatches to these) ---- */
struct sheet_ops {
	void (*close)(void *priv);
	int (*count)(void *priv);
	const char *(*name)(void *priv, int i);
	int (*select)(void *priv, int i, struct jw_error *err);
	int (*next)(void *priv, struct sheet_row *row, struct jw_error *err);
	double (*progress)(void *priv);
	const char *(*encoding)(void *priv);
};
/* Each back end's open: fills *ops and returns its private state, or NULL
 * with err set.  path or (data,len): exactly one is given. */
void *csv_sheet_open(const char *path, const void *data, size_t len,
		     const struct sheet_ops **ops, struct jw_error *err);
void *xlsx_sheet_open(const char *path, const void *data, size_t len,
		      const struct sheet_ops **ops, struct jw_error *err);
void *xls_sheet_open(const char *path, const void *data, size_t len,
		     const struct sheet_ops **ops, struct jw_error *err);

/* Shared helpers for the back ends. */
/* Formats a numeric cell as Excel's General format would (see above). */
void sheet_number_text(double v, char *out, size_t outsz);
/* Excel serial (1900 date system, with its 1900-02-29 bug) to a date;
 * false if out of range (before 1900-01-01 or after 9999-12-31). */
bool sheet_serial_date(double serial, int *y, int *m, int *d, int *hh, int *mi, int *ss);

#endif

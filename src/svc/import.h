/*
 * import.h — rosters in (svc/import.c) and lists out (svc/export.c).
 * The command line, the web desk and the JSON API all call these; the
 * contract is docs/IMPORT.md.
 */
#ifndef JW_IMPORT_H
#define JW_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "io/sheet.h"
#include "lib/buf.h"
#include "svc/svc.h"

/* ---- import ---- */

/* Called now and then with how far the import is (0.0–1.0) and how many
 * data rows it has read; non-zero stops the import (rolled back). */
typedef int (*import_progress_cb)(double fraction, int64_t rows, void *ud);

struct import_opts {
	const char *sheet;        /* name or 1-based number; NULL = every sheet
				   * with a roster header */
	bool dry_run;             /* do everything, then roll back */
	import_progress_cb progress;
	void *ud;
	int preview_rows;         /* data rows kept for a preview (masked) */
};

struct import_reject {
	int sheet;                /* index into import_result.sheets */
	int64_t row;              /* as Excel shows it */
	char column[96];          /* the header of the column at fault, or "" */
	char field[32];           /* the field, or "" */
	char reason[384];
	char name[64];
	char id_masked[40];
};

struct import_merge {
	int sheet, into_sheet;    /* indexes into import_result.sheets */
	int64_t row, into;        /* row merged into the earlier row `into` */
	char name[64];
	char id_masked[40];
	char note[256];           /* how the names differ (张 三 / 張三), or "" */
};

/* Something the worker should know about a row that was stored: a
 * 出生年月 that the ID number overrode, a name written another way than
 * the stored one, a relation with no household to put it in. */
struct import_warning {
	int sheet;
	int64_t row;
	char column[96];
	char field[32];
	char message[384];
	char name[64];
};

/* One column of the file and what it was taken as. */
struct import_col {
	char header[96];          /* as written ("" when unnamed) */
	char target[32];          /* field name, or "" when ignored */
	char label[64];           /* the field's Chinese label, or "" */
};

enum import_sheet_status {
	ISHEET_IMPORTED = 0,      /* its rows were read (some may be rejected) */
	ISHEET_SKIPPED,           /* no roster header: notes, 说明, other tables */
	ISHEET_FAILED,            /* a roster header without a column it needs */
};

/* One worksheet of the file (a CSV is one, named ""). */
struct import_sheet {
	char name[128];
	enum import_sheet_status status;
	char reason[384];         /* SKIPPED / FAILED: why, in Chinese */
	int64_t header_row;
	struct import_col *cols;
	int ncols;
	char residence_default[32]; /* 人口类型 taken from the sheet's name
				     * (流动人口 → migrant) for rows with none */
	int64_t rows, imported, updated, unchanged, merged, rejected;
	int64_t repeated_headers;   /* header rows met again inside the data */
	int64_t footers;            /* 合计 / 制表人 … rows, skipped */
};

struct import_result {
	/* totals over every sheet imported */
	int64_t rows, imported, updated, unchanged, merged, rejected;
	int64_t repeated_headers, footers;
	int64_t households_created, houses_created, buildings_created, grids_created;
	bool dry_run;
	char sheet[128];          /* the first sheet imported */
	char encoding[32];
	int64_t header_row;       /* of the first sheet imported */
	struct import_col *cols;  /* of the first sheet imported (points into sheets[]) */
	int ncols;
	struct import_sheet *sheets;
	int nsheets;
	char **unknown;           /* unknown or unnamed columns (with data) */
	int nunknown;
	struct import_reject *rejects;
	int64_t nrejects, caprejects;
	struct import_merge *merges;
	int64_t nmerges, capmerges;
	struct import_warning *warnings;
	int64_t nwarnings, capwarnings;
	char ***preview;          /* up to preview_rows rows a sheet (masked);
				   * row i has sheets[preview_sheet[i]].ncols values */
	int64_t *preview_row;     /* their row numbers */
	int *preview_sheet;       /* their sheets */
	int npreview;
};

void import_result_release(struct import_result *r);
/* Sheets that have a roster header but lack a column every row needs. */
int64_t import_sheets_failed(const struct import_result *r);
/* 已导入 / 已跳过 / 未导入（…）. */
const char *import_sheet_status_label(enum import_sheet_status st);

/* Imports the persons of the file at path: every worksheet with a roster
 * header (or only o->sheet).  JW_OK when the file was read (some rows or
 * sheets may be rejected: see res); an error (nothing stored) when the
 * file cannot be read, no sheet has a usable header, or the store failed. */
int svc_import_persons(struct store *st, const struct actor *a, const char *path,
		       const struct import_opts *o, struct import_result *res, struct jw_error *err);

/* The result as the one JSON object of docs/IMPORT.md. */
void import_result_json(struct buf *b, const struct import_result *r);
/* The report workbook: rejected rows, merged rows, unknown columns. */
int import_report_xlsx(const struct import_result *r, const char *path, struct jw_error *err);

/* Normalises a date as people type it (1958-03-05, 1958/3/5, 1958.3.5,
 * 1958年3月5日, 19580305, an Excel serial number) to YYYY-MM-DD; false if
 * it is none of these. */
bool import_date_text(const char *in, char out[11]);
/* A birth date as rosters write it: a full date (as import_date_text), or
 * only a year and month — 1958.03, 1958.3, 1958年3月, 1958-03, 195803 — or
 * only a year.  numeric: the cell was a number, so Excel may have dropped a
 * trailing zero (1958.10 shows as 1958.1: October).  A text "1958.1" may
 * mean either: month 1 and alt_month 10. */
struct birth_spec {
	int prec;                 /* 0 unreadable, 1 year, 2 year and month, 3 full */
	int year, month, day;
	int alt_month;            /* the other reading of the month, or 0 */
};
void import_birth_parse(const char *text, bool numeric, struct birth_spec *b);
/* True when the (partial) date b agrees with the date y-m-d. */
bool import_birth_fits(const struct birth_spec *b, int y, int m, int d);

/* True when text is a number Excel wrote in scientific notation
 * ("1.10105E+17"): an ID number whose last digits are lost. */
bool import_sci_notation(const char *text);

/* ---- export ---- */

enum export_format { EXPORT_XLSX, EXPORT_CSV };

/* Where the rows go: a file path, or a callback for each chunk (the web
 * server streams CSV; xlsx is written to a temporary file first). */
struct export_opts {
	enum export_format format;
	bool reveal;              /* unmasked: needs P_REVEAL and a reason, audited */
	const char *reason, *reason_text;   /* why (svc_reveal_reason), with reveal */
	const struct list_req *filter;
};

/* Writes the filtered list of entity e to path.  *rows receives how many. */
int svc_export(struct store *st, const struct actor *a, const struct kind *e,
	       const struct export_opts *o, const char *path, int64_t *rows, struct jw_error *err);
/* svc_export as a make-a-file callback (http's resp_made_file). */
struct export_req {
	struct store *st;
	const struct actor *a;
	const struct kind *e;
	const struct export_opts *o;
	int64_t rows;
};
int export_to(void *req, const char *path, struct jw_error *err);
/* "persons.xlsx" → EXPORT_XLSX; false if neither .xlsx nor .csv. */
bool export_format_of(const char *name, enum export_format *out);

#endif

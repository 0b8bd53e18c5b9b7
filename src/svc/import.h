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
	const char *sheet;        /* name or 1-based number; NULL = choose */
	bool dry_run;             /* do everything, then roll back */
	import_progress_cb progress;
	void *ud;
	int preview_rows;         /* data rows kept for a preview (masked) */
};

struct import_reject {
	int64_t row;              /* as Excel shows it */
	char column[96];          /* the header of the column at fault, or "" */
	char field[32];           /* the field, or "" */
	char reason[384];
	char name[64];
	char id_masked[40];
};

struct import_merge {
	int64_t row, into;        /* row merged into the earlier row `into` */
	char name[64];
	char id_masked[40];
};

/* One column of the file and what it was taken as. */
struct import_col {
	char header[96];          /* as written ("" when unnamed) */
	char target[32];          /* field name, or "" when ignored */
	char label[64];           /* the field's Chinese label, or "" */
};

struct import_result {
	int64_t rows, imported, updated, unchanged, merged, rejected;
	int64_t households_created, houses_created, buildings_created, grids_created;
	bool dry_run;
	char sheet[128];
	char encoding[32];
	int64_t header_row;
	struct import_col *cols;
	int ncols;
	char **unknown;           /* unknown or unnamed columns (with data) */
	int nunknown;
	struct import_reject *rejects;
	int64_t nrejects, caprejects;
	struct import_merge *merges;
	int64_t nmerges, capmerges;
	char ***preview;          /* preview_rows × ncols values (masked) */
	int64_t *preview_row;     /* their row numbers */
	int npreview;
};

void import_result_release(struct import_result *r);

/* Imports the persons of the file at path.  JW_OK when the file was read
 * (some rows may be rejected: see res); an error (nothing stored) when the
 * file cannot be read, has no header row, or the store failed. */
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
int svc_export(struct store *st, const struct actor *a, const struct entity_def *e,
	       const struct export_opts *o, const char *path, int64_t *rows, struct jw_error *err);
/* svc_export as a make-a-file callback (http's resp_made_file). */
struct export_req {
	struct store *st;
	const struct actor *a;
	const struct entity_def *e;
	const struct export_opts *o;
	int64_t rows;
};
int export_to(void *req, const char *path, struct jw_error *err);
/* "persons.xlsx" → EXPORT_XLSX; false if neither .xlsx nor .csv. */
bool export_format_of(const char *name, enum export_format *out);

#endif

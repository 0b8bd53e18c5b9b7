/*
 * fuzz_csv.c — libFuzzer target for the CSV reader (io/csv_read.c behind
 * io/sheet.h): encoding detection and iconv, delimiter guess, libcsv, the
 * row and field limits.  Reads every row, touches every cell, rewinds with
 * sheet_select(0) and reads the first row again.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/sheet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t read_all(struct sheet *s, size_t max)
{
	struct sheet_row row;
	struct jw_error err;
	size_t total = 0, rows = 0;
	int rc;
	while (rows < max && (rc = sheet_next(s, &row, &err)) == 1) {
		rows++;
		if (row.n < 0 || row.n > 1024 || row.rownum != (int64_t)rows)
			__builtin_trap();
		for (int i = 0; i < row.n; i++)
			total += strlen(row.cells[i].text) + (size_t)row.cells[i].kind;
	}
	double p = sheet_progress(s);
	if (!(p >= 0.0 && p <= 1.0))
		__builtin_trap();
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jw_error err;
	struct sheet *s = sheet_open_mem(SHEET_CSV, data, size, &err);
	if (!s)
		return 0;
	if (!sheet_encoding(s) || sheet_count(s) != 1)
		__builtin_trap();
	read_all(s, (size_t)-1);
	if (sheet_select(s, 0, &err) == 0)
		read_all(s, 1);
	sheet_close(s);
	return 0;
}

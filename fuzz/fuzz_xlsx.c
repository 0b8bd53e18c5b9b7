/*
 * fuzz_xlsx.c — libFuzzer target for the .xlsx reader (io/xlsx_read.c):
 * opens the input as a workbook from memory and reads every row of every
 * sheet, touching each cell it hands out.
 *
 * Before that it puts right the CRC-32 of every stored (uncompressed)
 * entry, in the central directory and the local header: a mutation of a
 * stored entry's XML then reaches the XML parsers instead of stopping at
 * libzip's checksum.  The seeds in corpus/xlsx are stored where they can be.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/sheet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SHEETS_READ 16
#define MAX_CELLS_TOUCHED (1 << 20)

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	while (n--)
		c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Recomputes the CRC of stored entries (best effort: a malformed
 * directory is left as it is, for the reader to refuse). */
static void fix_stored_crcs(uint8_t *z, size_t n)
{
	if (n < 22)
		return;
	size_t eocd = n - 22, stop = n > 22 + 65535 ? n - 22 - 65535 : 0;
	while (rd32(z + eocd) != 0x06054b50u) {
		if (eocd == stop)
			return;
		eocd--;
	}
	uint32_t count = rd16(z + eocd + 10), cd = rd32(z + eocd + 16);
	for (uint32_t i = 0; i < count; i++) {
		if (cd > n || n - cd < 46 || rd32(z + cd) != 0x02014b50u)
			return;
		uint32_t method = rd16(z + cd + 10), csize = rd32(z + cd + 20);
		uint32_t nl = rd16(z + cd + 28), xl = rd16(z + cd + 30), cl = rd16(z + cd + 32);
		uint32_t lh = rd32(z + cd + 42);
		if (method == 0 && lh <= n && n - lh >= 30 && rd32(z + lh) == 0x04034b50u) {
			size_t start = (size_t)lh + 30 + rd16(z + lh + 26) + rd16(z + lh + 28);
			if (start <= n && n - start >= csize) {
				uint32_t c = crc32_of(z + start, csize);
				wr32(z + cd + 16, c);
				wr32(z + lh + 14, c);
			}
		}
		cd += 46 + nl + xl + cl;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		crc_init();
		ready = 1;
	}
	uint8_t *z = malloc(size ? size : 1);
	if (!z)
		return 0;
	memcpy(z, data, size);
	fix_stored_crcs(z, size);

	struct jw_error err;
	struct sheet *s = sheet_open_mem(SHEET_XLSX, z, size, &err);
	if (s) {
		size_t touched = 0, sum = 0;
		int n = sheet_count(s);
		for (int i = 0; i < n && i < MAX_SHEETS_READ; i++) {
			const char *name = sheet_name(s, i);
			sum += strlen(name);
			if (sheet_select(s, i, &err) != 0)
				continue;
			struct sheet_row row;
			while (sheet_next(s, &row, &err) == 1) {
				if (row.n < 0 || row.n > 16384 || row.rownum < 1 || row.rownum > 1048576)
					abort();
				/* the last cell always, the others within a budget */
				int from = touched < MAX_CELLS_TOUCHED ? 0 : (row.n > 0 ? row.n - 1 : 0);
				for (int c = from; c < row.n; c++) {
					const struct cell *cl = &row.cells[c];
					if ((unsigned)cl->kind > CELL_BOOL || !cl->text)
						abort();
					if ((cl->kind == CELL_EMPTY) != (cl->text[0] == '\0'))
						abort();
					sum += strlen(cl->text);
					touched++;
				}
				if (row.n > 0 && row.cells[row.n - 1].kind == CELL_EMPTY)
					abort();   /* n is one past the last non-empty cell */
			}
			double p = sheet_progress(s);
			if (!(p >= 0.0 && p <= 1.0))
				abort();
		}
		sheet_close(s);
		(void)sum;
	}
	free(z);
	return 0;
}

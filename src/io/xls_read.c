/*
 * xls_read.c — the .xls (Excel 97-2003, BIFF) back end of sheet.h, over
 * FreeXL.
 *
 * FreeXL parses the whole workbook when it opens it (an .xls holds at
 * most 65,536 rows a sheet), so this reader only walks the selected
 * worksheet's grid row by row and turns each cell into UTF-8 text with its
 * kind.  FreeXL opens files by name only: memory input is written to a
 * temporary file (mkstemp under $TMPDIR or /tmp) that is unlinked as soon
 * as FreeXL has it open, so nothing is left behind even if the process
 * dies.
 *
 * FreeXL's habits this file works around (libfreexl 1.0.6):
 *   - freexl_worksheet_dimensions returns counts (rows, columns), not the
 *     zero-based last indexes its header describes;
 *   - a date cell comes as text computed with a leap year every fourth
 *     year (so 2100-02-29 exists), serials below 1 as 1900-01-01, and
 *     without the serial: the serial is rebuilt by the same rule and the
 *     date recomputed with sheet_serial_date, like the .xlsx reader;
 *   - a time-only cell comes as "HH:MM:SS" with its date part dropped: it
 *     is returned as a plain number, the fraction of the day, as the .xlsx
 *     reader returns a time of day alone;
 *   - booleans read as the integers 1 and 0 (CELL_NUMBER); a formula
 *     without a cached value reads as empty.
 *
 * The reader owns the FreeXL handle, the sheet names and the row buffer;
 * a row stays valid until the next call of next or select.
 */
#include "io/sheet.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <freexl.h>

#include "lib/util.h"

struct xls_reader {
	const void *h;              /* FreeXL handle, closed with the reader */
	int nsheets;                /* worksheets in the workbook */
	char **names;               /* their names (UTF-8), owned */
	int cur;                    /* selected worksheet */
	unsigned int rows;          /* its row count */
	unsigned short cols;        /* its column count */
	unsigned int cap_cols;      /* cells and offs have room for this many */
	unsigned int next_row;      /* 0-based index of the next row to return */
	struct cell *cells;         /* cols cells handed out */
	size_t *offs;               /* cols offsets of the cells' texts in arena */
	char *arena;                /* the current row's texts, NUL-terminated */
	size_t arena_len, arena_cap;
};

static const char xls_invalid[] =
	"文件不是有效的 Excel 97-2003 工作簿（.xls），请在 Excel 中另存为 .xlsx 后重试";

/* A FreeXL error code as a jw_error. */
static void xls_fail(int rc, struct jw_error *err)
{
	switch (rc) {
	case FREEXL_FILE_NOT_FOUND:
		jw_fail(err, JW_EIO, "file", "无法打开文件，请检查路径和读取权限");
		break;
	case FREEXL_INSUFFICIENT_MEMORY:
		jw_fail(err, JW_ENOMEM, "file", "内存不足，无法读取这个 Excel 文件，请拆分成几个较小的文件后重试");
		break;
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
		/* A CFBF container without a workbook: often an .xlsx with an
		 * opening password, which Excel stores the same way. */
		jw_fail(err, JW_EBADREQ, "file",
			"文件不是有效的 Excel 97-2003 工作簿（.xls）：里面没有工作表。如果文件设置了打开密码，"
			"请在 Excel 中取消密码；否则请在 Excel 中另存为 .xlsx 后重试");
		break;
	default:
		jw_fail(err, JW_EBADREQ, "file", "%s", xls_invalid);
		break;
	}
}

/* Writes len bytes to a new temporary file and opens it with FreeXL,
 * whose result goes to *rc.  -1 (err set) if the file cannot be made. */
static int open_mem(const void *data, size_t len, const void **h, int *rc, struct jw_error *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	if (str_empty(dir))
		dir = "/tmp";
	int n = snprintf(path, sizeof(path), "%s/juwei-xls-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		jw_fail(err, JW_EIO, "file", "临时目录的路径太长，请检查 TMPDIR");
		return -1;
	}
	int fd = mkstemp(path);
	if (fd < 0) {
		jw_fail(err, JW_EIO, "file", "无法创建临时文件（%s）：%s", dir, strerror(errno));
		return -1;
	}
	const char *p = data;
	size_t left = data ? len : 0;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			jw_fail(err, JW_EIO, "file", "写临时文件出错：%s", w < 0 ? strerror(errno) : "磁盘已满");
			close(fd);
			unlink(path);
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	close(fd);
	*rc = freexl_open(path, h);
	unlink(path);     /* FreeXL keeps its own descriptor */
	return 0;
}

/* Room for len more bytes in the row's arena; offset of the start. */
static size_t arena_put(struct xls_reader *x, const char *s, size_t len)
{
	if (x->arena_len + len + 1 > x->arena_cap) {
		size_t cap = x->arena_cap ? x->arena_cap : 1024;
		while (cap < x->arena_len + len + 1)
			cap *= 2;
		char *a = realloc(x->arena, cap);
		if (!a) {
			fprintf(stderr, "%s: out of memory\n", __func__);
			abort();
		}
		x->arena = a;
		x->arena_cap = cap;
	}
	size_t off = x->arena_len;
	memcpy(x->arena + off, s, len);
	x->arena[off + len] = '\0';
	x->arena_len += len + 1;
	return off;
}

/*
 * The Excel serial of a date FreeXL wrote as text: its calendar has a leap
 * year every fourth year from 1900 (which is what Excel's serials assume
 * up to 2100-02-28), so count days by that rule.  false if the text is
 * not "YYYY-MM-DD[ HH:MM:SS]".
 */
static bool freexl_date_serial(const char *text, double *serial)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, hh = 0, mi = 0, ss = 0;
	int k = sscanf(text, "%d-%d-%d %d:%d:%d", &y, &m, &d, &hh, &mi, &ss);
	if ((k != 3 && k != 6) || y < 1900 || y > 99999 || m < 1 || m > 12 || d < 1 || d > 31 ||
	    hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
		return false;
	long days = 365L * (y - 1900) + (y - 1900 + 3) / 4;
	for (int i = 0; i < m - 1; i++)
		days += mdays[i] + (i == 1 && y % 4 == 0);
	days += d;
	*serial = (double)days + (hh * 3600 + mi * 60 + ss) / 86400.0;
	return true;
}

/* "HH:MM:SS" as a fraction of a day; false if it is not that. */
static bool time_fraction(const char *text, double *frac)
{
	int hh, mi, ss;
	if (sscanf(text, "%d:%d:%d", &hh, &mi, &ss) != 3 || hh < 0 || hh > 23 || mi < 0 || mi > 59 ||
	    ss < 0 || ss > 59)
		return false;
	*frac = (hh * 3600 + mi * 60 + ss) / 86400.0;
	return true;
}

/* One FreeXL cell as cells[c] (its text goes to the arena). */
static void put_cell(struct xls_reader *x, int c, const FreeXL_CellValue *v)
{
	struct cell *cell = &x->cells[c];
	char buf[64];
	const char *text = "";
	double serial;
	int y, m, d, hh, mi, ss;

	cell->kind = CELL_EMPTY;
	cell->num = 0;
	switch (v->type) {
	case FREEXL_CELL_INT:
	case FREEXL_CELL_DOUBLE:
		cell->num = v->type == FREEXL_CELL_INT ? (double)v->value.int_value : v->value.double_value;
		sheet_number_text(cell->num, buf, sizeof(buf));
		cell->kind = CELL_NUMBER;
		text = buf;
		break;
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
		text = v->value.text_value ? v->value.text_value : "";
		cell->kind = text[0] ? CELL_TEXT : CELL_EMPTY;
		break;
	case FREEXL_CELL_DATE:
	case FREEXL_CELL_DATETIME:
		text = v->value.text_value ? v->value.text_value : "";
		if (!freexl_date_serial(text, &serial)) {
			cell->kind = text[0] ? CELL_TEXT : CELL_EMPTY;
			break;
		}
		cell->num = serial;
		if (!sheet_serial_date(serial, &y, &m, &d, &hh, &mi, &ss)) {
			/* past 9999-12-31: Excel shows ####; keep the number */
			sheet_number_text(serial, buf, sizeof(buf));
			cell->kind = CELL_NUMBER;
		} else {
			if (hh || mi || ss)
				snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
			else
				snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
			cell->kind = CELL_DATE;
		}
		text = buf;
		break;
	case FREEXL_CELL_TIME:
		text = v->value.text_value ? v->value.text_value : "";
		if (time_fraction(text, &serial)) {
			cell->num = serial;
			cell->kind = CELL_NUMBER;
			sheet_number_text(serial, buf, sizeof(buf));
			text = buf;
		} else {
			cell->kind = text[0] ? CELL_TEXT : CELL_EMPTY;
		}
		break;
	default:                    /* FREEXL_CELL_NULL and anything new */
		break;
	}
	x->offs[c] = arena_put(x, text, strlen(text));
}

static int select_sheet(struct xls_reader *x, int i, struct jw_error *err)
{
	if (i < 0 || i >= x->nsheets) {
		jw_fail(err, JW_EBADREQ, "sheet", "工作簿没有第%d个工作表（共%d个）", i + 1, x->nsheets);
		return -1;
	}
	unsigned int rows = 0;
	unsigned short cols = 0;
	int rc = freexl_select_active_worksheet(x->h, (unsigned short)i);
	if (rc == FREEXL_OK)
		rc = freexl_worksheet_dimensions(x->h, &rows, &cols);
	if (rc != FREEXL_OK) {
		xls_fail(rc, err);
		return -1;
	}
	if (!x->cells || cols > x->cap_cols) {
		free(x->cells);
		free(x->offs);
		x->cap_cols = cols ? cols : 1;
		x->cells = xcalloc(x->cap_cols, sizeof(*x->cells));
		x->offs = xcalloc(x->cap_cols, sizeof(*x->offs));
	}
	x->cur = i;
	x->rows = rows;
	x->cols = cols;
	x->next_row = 0;
	return 0;
}

static int xls_next(void *priv, struct sheet_row *row, struct jw_error *err)
{
	struct xls_reader *x = priv;
	if (x->next_row >= x->rows)
		return 0;
	unsigned int r = x->next_row++;
	int n = 0;
	x->arena_len = 0;
	for (unsigned short c = 0; c < x->cols; c++) {
		FreeXL_CellValue v;
		int rc = freexl_get_cell_value(x->h, r, c, &v);
		if (rc != FREEXL_OK) {
			jw_fail(err, JW_EBADREQ, "file", "第%u行无法读取：%s", r + 1, xls_invalid);
			return -1;
		}
		put_cell(x, c, &v);
		if (x->cells[c].kind != CELL_EMPTY)
			n = c + 1;
	}
	for (int c = 0; c < n; c++)
		x->cells[c].text = x->arena + x->offs[c];
	row->rownum = (int64_t)r + 1;
	row->n = n;
	row->cells = x->cells;
	return 1;
}

static void xls_close(void *priv)
{
	struct xls_reader *x = priv;
	if (!x)
		return;
	if (x->h)
		freexl_close(x->h);
	for (int i = 0; i < x->nsheets; i++)
		free(x->names[i]);
	free(x->names);
	free(x->cells);
	free(x->offs);
	free(x->arena);
	free(x);
}

static int xls_count(void *priv)
{
	const struct xls_reader *x = priv;
	return x->nsheets;
}

static const char *xls_name(void *priv, int i)
{
	const struct xls_reader *x = priv;
	return i >= 0 && i < x->nsheets ? x->names[i] : "";
}

static int xls_select(void *priv, int i, struct jw_error *err)
{
	return select_sheet(priv, i, err);
}

static double xls_progress(void *priv)
{
	const struct xls_reader *x = priv;
	return x->rows ? (double)x->next_row / (double)x->rows : 1.0;
}

static const struct sheet_ops xls_ops = {
	.close = xls_close,
	.count = xls_count,
	.name = xls_name,
	.select = xls_select,
	.next = xls_next,
	.progress = xls_progress,
	.encoding = NULL,
};

void *xls_sheet_open(const char *path, const void *data, size_t len,
		     const struct sheet_ops **ops, struct jw_error *err)
{
	struct xls_reader *x = xcalloc(1, sizeof(*x));
	const void *h = NULL;
	int rc = FREEXL_OK;
	if (path)
		rc = freexl_open(path, &h);
	else if (open_mem(data, len, &h, &rc, err) < 0)
		goto fail;
	x->h = h;              /* FreeXL wants freexl_close even after a failure */
	if (rc != FREEXL_OK) {
		xls_fail(rc, err);
		goto fail;
	}
	unsigned int info = 0;
	if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK && info == FREEXL_BIFF_OBFUSCATED) {
		jw_fail(err, JW_EBADREQ, "file",
			"工作簿有密码保护，无法读取：请在 Excel 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后保存，再重新导入");
		goto fail;
	}
	info = 0;
	rc = freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &info);
	if (rc != FREEXL_OK) {
		xls_fail(rc, err);
		goto fail;
	}
	if (info == 0 || info > 65535) {
		jw_fail(err, JW_EBADREQ, "file", "工作簿里没有工作表，请检查文件是否完整");
		goto fail;
	}
	x->nsheets = (int)info;
	x->names = xcalloc(info, sizeof(*x->names));
	for (int i = 0; i < x->nsheets; i++) {
		const char *name = NULL;
		if (freexl_get_worksheet_name(h, (unsigned short)i, &name) != FREEXL_OK || !name)
			name = "";
		x->names[i] = xstrdup(name);
	}
	if (select_sheet(x, 0, err) < 0)
		goto fail;
	*ops = &xls_ops;
	return x;
fail:
	xls_close(x);
	return NULL;
}

/*
 * layout.c — a departmental Excel form (layout.h) written with
 * libxlsxwriter in constant-memory mode, so a 1,000,000-row ledger keeps
 * the memory flat: each row goes to a temporary file as soon as the next
 * one starts.
 *
 * Constant-memory mode wants every row written in order, merged ranges
 * included.  A merge on one row (the title, the 填报 line, a group name in
 * row 3, the footer) is written while that row is current.  A header cell
 * merged down over rows 3 and 4 cannot be: worksheet_merge_range() writes
 * its first cell (row 3) and pads the rest (row 4), so the header writes
 * row 3's text itself, moves on to row 4, and only then calls
 * worksheet_merge_range() for the vertical ranges.  libxlsxwriter records
 * the range, its write to the already flushed row 3 is refused (the text
 * is there already) and the padding of row 4 goes in normally.
 *
 * Totals are summed here as the rows go in, not as Excel formulas (an upper
 * department pastes the values elsewhere): money in integer cents, other
 * numbers in long double.
 */
#include "svc/layout.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "lib/util.h"

#define TEXT_MAX 4096       /* an expanded title / unit / date / footer */
#define CELL_MAX 32767      /* Excel's limit on the characters of a cell */
#define SHEETNAME_MAX 31    /* Excel's limit on a sheet name */
#define ROW_HDR 2           /* 0-based row of the (first) header row */

struct colstate {
	enum layout_type type;
	bool total;            /* summed (LT_NUMBER, LT_MONEY, LT_TEXT) */
	bool count;            /* counted (when not summed) */
	bool person;           /* the header names people (姓名): "共N人" */
	int64_t cents;         /* LT_MONEY: the exact sum while it fits */
	bool cents_lost;       /* a value or the sum left int64 cents */
	long double sum;
	int64_t n;             /* non-empty values (count) */
};

struct layout_writer {
	char *path;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	int ncols;
	struct colstate *cs;
	lxw_row_t row;          /* the next row to write (0-based) */
	int64_t nrows;          /* data rows written */
	bool no_totals;
	char *footer;           /* expanded at the start: ctx need not live on */
	lxw_format *f_title, *f_left, *f_right, *f_hdr;
	lxw_format *f_cell, *f_text, *f_num, *f_money, *f_date, *f_date_cn, *f_serial;
	lxw_format *f_tot_label, *f_tot_text, *f_tot_num, *f_tot_money, *f_footer;
};

/* ---- text helpers ---------------------------------------------------- */

/* Bytes of the UTF-8 sequence that starts with c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xF0 && c < 0xF8)
		return 4;
	if (c >= 0xE0)
		return c < 0xF0 ? 3 : 1;
	if (c >= 0xC0)
		return 2;
	return 1;
}

/* The code point at s (n bytes long); a broken sequence counts as one byte. */
static uint32_t utf8_cp(const char *s, size_t n, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t l = utf8_len(u[0]);
	if (l > n)
		l = 1;
	for (size_t i = 1; i < l; i++)
		if ((u[i] & 0xC0) != 0x80)
			l = 1;
	*len = l;
	switch (l) {
	case 2: return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
	case 3: return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	case 4:
		return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
		       ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
	default: return u[0];
	}
}

/* Columns a text takes: a CJK or full-width character (and general
 * punctuation such as "–", wide in Chinese fonts) counts 2, others 1. */
static double disp_width(const char *s)
{
	double w = 0;
	size_t n = s ? strlen(s) : 0, i = 0;
	while (i < n) {
		size_t l;
		uint32_t cp = utf8_cp(s + i, n - i, &l);
		w += cp >= 0x1100 ? 2 : 1;
		i += l;
	}
	return w;
}

static bool blank_text(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

struct outbuf {
	char *p;
	size_t cap, len;
	bool full;
};

/* Appends n bytes of s; what does not fit is cut before the character that
 * would be split, and nothing more is appended after that. */
static void out_put(struct outbuf *o, const char *s, size_t n)
{
	if (o->full || o->cap == 0)
		return;
	size_t avail = o->cap - 1 - o->len;
	if (n > avail) {
		n = avail;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		o->full = true;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

void layout_expand(const char *text, const struct layout_ctx *ctx, const char *title, char *out, size_t outsz)
{
	struct outbuf o = { out, outsz, 0, false };
	if (!out || outsz == 0)
		return;
	out[0] = '\0';
	if (!text)
		return;
	int y = ctx ? ctx->year : 0, m = ctx ? ctx->month : 0, d = ctx ? ctx->day : 0;
	if (y <= 0 || m <= 0 || d <= 0)
		date_today(&y, &m, &d);
	const char *community = ctx && ctx->community ? ctx->community : "";
	const char *p = text;
	while (*p) {
		const char *open = strchr(p, '{');
		if (!open) {
			out_put(&o, p, strlen(p));
			break;
		}
		out_put(&o, p, (size_t)(open - p));
		const char *close = open + 1;
		while (*close && *close != '}' && *close != '{' && close - open <= 16)
			close++;
		size_t nl = (size_t)(close - open - 1);
		char v[64];
		const char *val = NULL;
		if (*close == '}') {
#define IS(name) (nl == sizeof(name) - 1 && memcmp(open + 1, name, nl) == 0)
			if (IS("community")) {
				val = community;
			} else if (IS("title")) {
				val = title ? title : "";
			} else if (IS("date")) {
				snprintf(v, sizeof(v), "%04d-%02d-%02d", y, m, d);
				val = v;
			} else if (IS("date_cn")) {
				snprintf(v, sizeof(v), "%d年%d月%d日", y, m, d);
				val = v;
			} else if (IS("year")) {
				snprintf(v, sizeof(v), "%d", y);
				val = v;
			} else if (IS("month")) {
				snprintf(v, sizeof(v), "%d", m);
				val = v;
			}
#undef IS
		}
		if (val) {
			out_put(&o, val, strlen(val));
			p = close + 1;
		} else {
			out_put(&o, "{", 1);   /* unknown: stays as written */
			p = open + 1;
		}
	}
}

/* Excel's sheet-name rule: no []:*?/\, no apostrophe first or last, at most
 * 31 characters (UTF-16 units: a character beyond the BMP counts 2).
 * Control characters (a line break in a title) are left out too. */
static void sheet_name(const char *title, char *out, size_t outsz)
{
	size_t n = strlen(title), i = 0, len = 0;
	int units = 0;
	while (i < n) {
		size_t l;
		uint32_t cp = utf8_cp(title + i, n - i, &l);
		int u = cp > 0xFFFF ? 2 : 1;
		if (l == 1 && ((unsigned char)title[i] < 0x20 || strchr("[]:*?/\\", title[i]))) {
			i += l;
			continue;
		}
		if (units + u > SHEETNAME_MAX || len + l >= outsz)
			break;
		memcpy(out + len, title + i, l);
		len += l;
		units += u;
		i += l;
	}
	out[len] = '\0';
	/* apostrophes at either end */
	size_t b = 0;
	while (out[b] == '\'')
		b++;
	while (len > b && out[len - 1] == '\'')
		out[--len] = '\0';
	memmove(out, out + b, len - b + 1);
}

/* ---- numbers ----------------------------------------------------------- */

struct num {
	double d;
	long double ld;
	int64_t cents;
	bool cents_ok;
};

/* A plain decimal: [+-] digits [. digits] (or [+-] . digits), blanks around
 * allowed.  No exponent, no thousands separators: "1.10105E+17" is a
 * mangled ID number, not money, and stays text. */
static bool num_parse(const char *s, struct num *n)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	char buf[48];
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	const char *p = buf;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	int idig = 0, fdig = 0, sig = 0;
	int64_t whole = 0, frac = 0;   /* frac: the first three decimals */
	for (; *p >= '0' && *p <= '9'; p++, idig++) {
		if (sig > 0 || *p != '0')
			sig++;
		if (sig <= 15)
			whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fdig++)
			if (fdig < 3)
				frac = frac * 10 + (*p - '0');
	}
	if (*p || idig + fdig == 0)
		return false;
	for (int k = fdig; k < 3; k++)
		frac *= 10;
	n->cents_ok = sig <= 15;
	n->cents = whole * 100 + frac / 10 + (frac % 10 >= 5 ? 1 : 0);   /* half away from zero */
	if (neg)
		n->cents = -n->cents;
	n->d = strtod(buf, NULL);
	n->ld = strtold(buf, NULL);
	return true;
}

/* ---- writing --------------------------------------------------------- */

static int write_fail(struct layout_writer *w, lxw_error le, struct jw_error *err)
{
	return jw_fail(err, JW_EIO, "", "写入Excel文件“%s”出错：%s", w->path, lxw_strerror(le));
}

/* A string cell; a text longer than Excel's cell limit is cut (on a
 * character) instead of failing the whole export. */
static lxw_error put_string(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
	size_t n = strlen(s);
	if (n <= CELL_MAX)
		return worksheet_write_string(ws, r, c, s, f);
	size_t i = 0, chars = 0;
	while (i < n && chars < CELL_MAX) {
		size_t l;
		utf8_cp(s + i, n - i, &l);
		i += l;
		chars++;
	}
	if (i >= n)
		return worksheet_write_string(ws, r, c, s, f);
	char *cut = xstrndup(s, i);
	lxw_error le = worksheet_write_string(ws, r, c, cut, f);
	free(cut);
	return le;
}

/* One row's text over columns c0..c1: merged when more than one. */
static lxw_error put_span(lxw_worksheet *ws, lxw_row_t r, int c0, int c1, const char *s, lxw_format *f)
{
	if (c1 > c0)
		return worksheet_merge_range(ws, r, (lxw_col_t)c0, r, (lxw_col_t)c1, s, f);
	return put_string(ws, r, (lxw_col_t)c0, s, f);
}

static lxw_format *fmt(lxw_workbook *wb, double size, bool bold, uint8_t align, bool border)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_font_name(f, "宋体");
	format_set_font_size(f, size);
	if (bold)
		format_set_bold(f);
	if (align)
		format_set_align(f, align);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (border)
		format_set_border(f, LXW_BORDER_THIN);
	return f;
}

static void make_formats(struct layout_writer *w)
{
	lxw_workbook *wb = w->wb;
	w->f_title = fmt(wb, 16, true, LXW_ALIGN_CENTER, false);
	w->f_left = fmt(wb, 11, false, LXW_ALIGN_LEFT, false);
	w->f_right = fmt(wb, 11, false, LXW_ALIGN_RIGHT, false);
	w->f_hdr = fmt(wb, 11, true, LXW_ALIGN_CENTER, true);
	format_set_text_wrap(w->f_hdr);
	format_set_bg_color(w->f_hdr, 0xDDEBF7);
	w->f_cell = fmt(wb, 11, false, 0, true);
	w->f_text = fmt(wb, 11, false, 0, true);
	format_set_num_format(w->f_text, "@");
	w->f_num = fmt(wb, 11, false, 0, true);
	w->f_money = fmt(wb, 11, false, 0, true);
	format_set_num_format(w->f_money, "0.00");
	w->f_date = fmt(wb, 11, false, LXW_ALIGN_CENTER, true);
	format_set_num_format(w->f_date, "yyyy-mm-dd");
	w->f_date_cn = fmt(wb, 11, false, LXW_ALIGN_CENTER, true);
	format_set_num_format(w->f_date_cn, "yyyy\"年\"m\"月\"d\"日\"");
	w->f_serial = fmt(wb, 11, false, LXW_ALIGN_CENTER, true);
	w->f_tot_label = fmt(wb, 11, true, LXW_ALIGN_CENTER, true);
	w->f_tot_text = fmt(wb, 11, true, LXW_ALIGN_CENTER, true);
	w->f_tot_num = fmt(wb, 11, true, 0, true);
	w->f_tot_money = fmt(wb, 11, true, 0, true);
	format_set_num_format(w->f_tot_money, "0.00");
	w->f_footer = fmt(wb, 11, false, LXW_ALIGN_LEFT, false);
}

static double col_width(const struct layout_col *c)
{
	if (c->width > 0)
		return c->width;
	double w;
	switch (c->type) {
	case LT_SERIAL: w = 6; break;
	case LT_ID: w = 21; break;
	case LT_DATE: case LT_DATE_CN: case LT_MONEY: w = 12; break;
	case LT_NUMBER: w = 10; break;
	default: w = 12; break;
	}
	double h = disp_width(c->header) + 2;
	return h > w ? h : w;
}

/* Lines a header text needs in a cell width wide (wrapped). */
static int lines_for(const char *s, double width)
{
	double avail = width - 1 > 1 ? width - 1 : 1;
	int l = (int)ceil(disp_width(s) / avail);
	return l < 1 ? 1 : l;
}

static double height_for(int lines)
{
	double h = 14.25 * lines + 6;
	return h < 20 ? 20 : h;
}

static const char *group_of(const struct layout_col *c)
{
	return c->group && c->group[0] ? c->group : NULL;
}

static bool same_group(const struct layout_col *a, const struct layout_col *b)
{
	const char *ga = group_of(a), *gb = group_of(b);
	return ga && gb && strcmp(ga, gb) == 0;
}

static const char *hdr(const struct layout_col *c)
{
	return c->header ? c->header : "";
}

/* Rows 3 (and 4): see the comment at the top for the order. */
static lxw_error write_header(struct layout_writer *w, const struct layout_def *d, const double *widths,
			      bool two)
{
	lxw_worksheet *ws = w->ws;
	const struct layout_col *cols = d->cols;
	int n = d->ncols;
	lxw_error le;
	if (!two) {
		int lines = 1;
		for (int i = 0; i < n; i++) {
			int l = lines_for(hdr(&cols[i]), widths[i]);
			lines = l > lines ? l : lines;
		}
		if ((le = worksheet_set_row(ws, ROW_HDR, height_for(lines), NULL)) != LXW_NO_ERROR)
			return le;
		for (int i = 0; i < n; i++)
			if ((le = put_string(ws, ROW_HDR, (lxw_col_t)i, hdr(&cols[i]), w->f_hdr)) != LXW_NO_ERROR)
				return le;
		return LXW_NO_ERROR;
	}
	/* heights: the group names in row 3, the children in row 4, and a
	 * column merged down shares both */
	int l3 = 1, l4 = 1, lu = 1;
	for (int i = 0; i < n;) {
		int j = i;
		if (group_of(&cols[i])) {
			double gw = 0;
			while (j + 1 < n && same_group(&cols[i], &cols[j + 1]))
				j++;
			for (int k = i; k <= j; k++) {
				gw += widths[k];
				int l = lines_for(hdr(&cols[k]), widths[k]);
				l4 = l > l4 ? l : l4;
			}
			int l = lines_for(group_of(&cols[i]), gw);
			l3 = l > l3 ? l : l3;
		} else {
			int l = lines_for(hdr(&cols[i]), widths[i]);
			lu = l > lu ? l : lu;
		}
		i = j + 1;
	}
	if (lu > l3 + l4)
		l4 = lu - l3;
	if ((le = worksheet_set_row(ws, ROW_HDR, height_for(l3), NULL)) != LXW_NO_ERROR)
		return le;
	for (int i = 0; i < n;) {
		int j = i;
		if (group_of(&cols[i])) {
			while (j + 1 < n && same_group(&cols[i], &cols[j + 1]))
				j++;
			le = put_span(ws, ROW_HDR, i, j, group_of(&cols[i]), w->f_hdr);
		} else {
			le = put_string(ws, ROW_HDR, (lxw_col_t)i, hdr(&cols[i]), w->f_hdr);
		}
		if (le != LXW_NO_ERROR)
			return le;
		i = j + 1;
	}
	if ((le = worksheet_set_row(ws, ROW_HDR + 1, height_for(l4), NULL)) != LXW_NO_ERROR)
		return le;
	for (int i = 0; i < n; i++) {
		le = group_of(&cols[i]) ? put_string(ws, ROW_HDR + 1, (lxw_col_t)i, hdr(&cols[i]), w->f_hdr)
					: worksheet_write_blank(ws, ROW_HDR + 1, (lxw_col_t)i, w->f_hdr);
		if (le != LXW_NO_ERROR)
			return le;
	}
	/* Row 4 is current now: the vertical ranges.  Their first cell (row 3)
	 * is written already; libxlsxwriter's own write of it is refused. */
	for (int i = 0; i < n; i++) {
		if (group_of(&cols[i]))
			continue;
		le = worksheet_merge_range(ws, ROW_HDR, (lxw_col_t)i, ROW_HDR + 1, (lxw_col_t)i, hdr(&cols[i]),
					   w->f_hdr);
		if (le != LXW_NO_ERROR && le != LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE)
			return le;
	}
	return LXW_NO_ERROR;
}

static void writer_free(struct layout_writer *w)
{
	if (!w)
		return;
	free(w->cs);
	free(w->footer);
	free(w->path);
	free(w);
}

void layout_abort(struct layout_writer *w)
{
	if (!w)
		return;
	if (w->wb) {
		/* libxlsxwriter 1.1 has no "discard": lxw_workbook_free() drops
		 * the workbook without writing it, but leaves the worksheet's
		 * constant-memory temporary file open, so it is closed here. */
		if (w->ws && w->ws->optimize_tmpfile) {
			fclose(w->ws->optimize_tmpfile);
			w->ws->optimize_tmpfile = NULL;
			w->ws->file = NULL;
		}
		lxw_workbook_free(w->wb);
		w->wb = NULL;
	}
	unlink(w->path);
	writer_free(w);
}

struct layout_writer *layout_begin(const struct layout_def *d, const struct layout_ctx *ctx, const char *path,
				   struct jw_error *err)
{
	if (!d || !d->cols || d->ncols < 1 || d->ncols > LXW_COL_MAX || !path || !path[0]) {
		jw_fail(err, JW_EINVAL, "", "导出版式“%s”没有定义列，无法导出", d && d->label ? d->label : "");
		return NULL;
	}
	/* libxlsxwriter opens the output only when it closes the workbook;
	 * find out now whether the file can be created at all. */
	FILE *probe = fopen(path, "wb");
	if (!probe) {
		jw_fail(err, JW_EIO, "out", "无法创建文件“%s”：%s，请检查路径和写入权限", path, strerror(errno));
		return NULL;
	}
	fclose(probe);

	struct layout_writer *w = xcalloc(1, sizeof(*w));
	w->path = xstrdup(path);
	w->ncols = d->ncols;
	w->no_totals = d->no_totals;
	w->cs = xcalloc((size_t)d->ncols, sizeof(*w->cs));
	for (int i = 0; i < d->ncols; i++) {
		const struct layout_col *c = &d->cols[i];
		struct colstate *s = &w->cs[i];
		s->type = c->type;
		s->total = c->total && (c->type == LT_NUMBER || c->type == LT_MONEY || c->type == LT_TEXT);
		s->count = c->count && !s->total;
		s->person = c->header && strstr(c->header, "姓名");
	}

	char *title = xcalloc(4, TEXT_MAX);
	char *unit = title + TEXT_MAX, *date = unit + TEXT_MAX, *footer = date + TEXT_MAX;
	layout_expand(d->title ? d->title : "{title}", ctx, d->label, title, TEXT_MAX);
	layout_expand(d->unit ? d->unit : "填报单位（盖章）：{community}", ctx, title, unit, TEXT_MAX);
	layout_expand(d->date ? d->date : "填报日期：{date_cn}", ctx, title, date, TEXT_MAX);
	layout_expand(d->footer ? d->footer : "填表人：        审核人：        联系电话：", ctx, title, footer,
		      TEXT_MAX);
	w->footer = xstrdup(footer);

	lxw_error le = LXW_NO_ERROR;
	double *widths = xcalloc((size_t)d->ncols, sizeof(*widths));
	lxw_workbook_options wo = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
	w->wb = workbook_new_opt(path, &wo);
	if (!w->wb) {
		jw_fail(err, JW_EIO, "out", "无法创建文件“%s”：无法创建临时文件，请检查临时目录的空间和权限", path);
		goto fail;
	}
	char name[SHEETNAME_MAX * 4 + 1];
	sheet_name(title, name, sizeof(name));
	w->ws = workbook_add_worksheet(w->wb, name[0] ? name : NULL);
	if (!w->ws)
		w->ws = workbook_add_worksheet(w->wb, NULL);
	if (!w->ws) {
		jw_fail(err, JW_EIO, "out", "无法创建文件“%s”：无法创建工作表", path);
		goto fail;
	}
	make_formats(w);

	lxw_worksheet *ws = w->ws;
	int n = d->ncols, last = n - 1;
	bool two = false;
	for (int i = 0; i < n; i++) {
		widths[i] = col_width(&d->cols[i]);
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL);
		if (group_of(&d->cols[i]))
			two = true;
	}
	lxw_row_t first_data = two ? ROW_HDR + 2 : ROW_HDR + 1;

	/* print: landscape A4, one page wide, header repeated, frozen below it */
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
	worksheet_center_horizontally(ws);
	worksheet_set_footer(ws, "&C第 &P 页，共 &N 页");
	worksheet_repeat_rows(ws, ROW_HDR, first_data - 1);
	worksheet_freeze_panes(ws, first_data, 0);

	/* row 1: the title */
	double total_w = 0;
	for (int i = 0; i < n; i++)
		total_w += widths[i];
	/* 16 pt: a character is 16/11 of the columns it takes at 11 pt */
	int tl = (int)ceil(disp_width(title) * 16 / 11 / (total_w > 1 ? total_w : 1));
	double th = 22.0 * (tl < 1 ? 1 : tl) + 8;
	if ((le = worksheet_set_row(ws, 0, th, NULL)) != LXW_NO_ERROR ||
	    (le = put_span(ws, 0, 0, last, title, w->f_title)) != LXW_NO_ERROR)
		goto lxw;

	/* row 2: unit on the left half, date on the right */
	if ((le = worksheet_set_row(ws, 1, 22, NULL)) != LXW_NO_ERROR)
		goto lxw;
	if (n == 1) {
		size_t bsz = 2 * TEXT_MAX + 8;
		char *both = xcalloc(1, bsz);
		snprintf(both, bsz, "%s    %s", unit, date);
		le = put_string(ws, 1, 0, both, w->f_left);
		free(both);
	} else {
		int mid = (n + 1) / 2;   /* the left half gets the odd column */
		le = put_span(ws, 1, 0, mid - 1, unit, w->f_left);
		if (le == LXW_NO_ERROR)
			le = put_span(ws, 1, mid, last, date, w->f_right);
	}
	if (le != LXW_NO_ERROR)
		goto lxw;

	if ((le = write_header(w, d, widths, two)) != LXW_NO_ERROR)
		goto lxw;
	w->row = first_data;
	free(widths);
	free(title);
	return w;

lxw:
	write_fail(w, le, err);
fail:
	free(widths);
	free(title);
	layout_abort(w);
	return NULL;
}

int layout_row(struct layout_writer *w, const char *const *values, struct jw_error *err)
{
	if (!w)
		return jw_fail(err, JW_EINVAL, "", "导出尚未开始，无法写入数据行");
	/* the totals row, a blank row and the footer must still fit */
	if (w->row + 3 >= LXW_ROW_MAX)
		return jw_fail(err, JW_ETOOBIG, "", "数据超过了Excel单个工作表的行数上限（%d行），请筛选后分批导出",
			       LXW_ROW_MAX);
	lxw_worksheet *ws = w->ws;
	lxw_row_t r = w->row;
	for (int i = 0; i < w->ncols; i++) {
		struct colstate *s = &w->cs[i];
		const char *v = values ? values[i] : NULL;
		lxw_col_t c = (lxw_col_t)i;
		lxw_error le;
		if (s->type == LT_SERIAL) {
			le = worksheet_write_number(ws, r, c, (double)(w->nrows + 1), w->f_serial);
			if (le != LXW_NO_ERROR)
				return write_fail(w, le, err);
			continue;
		}
		lxw_format *f = s->type == LT_ID ? w->f_text : w->f_cell;
		if (blank_text(v)) {
			le = worksheet_write_blank(ws, r, c, f);
			if (le != LXW_NO_ERROR)
				return write_fail(w, le, err);
			continue;
		}
		s->n++;
		struct num num;
		int y, m, d;
		bool numeric = (s->type == LT_NUMBER || s->type == LT_MONEY || s->total) && num_parse(v, &num);
		if (s->total && numeric) {
			s->sum += num.ld;
			if (!num.cents_ok || __builtin_add_overflow(s->cents, num.cents, &s->cents))
				s->cents_lost = true;
		}
		switch (s->type) {
		case LT_NUMBER:
		case LT_MONEY:
			if (numeric)
				le = worksheet_write_number(ws, r, c, num.d, s->type == LT_MONEY ? w->f_money : w->f_num);
			else
				le = put_string(ws, r, c, v, f);
			break;
		case LT_DATE:
		case LT_DATE_CN:
			if (date_parse(v, &y, &m, &d) && y >= 1900) {
				lxw_datetime dt = { y, m, d, 0, 0, 0 };
				le = worksheet_write_datetime(ws, r, c, &dt,
							      s->type == LT_DATE ? w->f_date : w->f_date_cn);
			} else {
				le = put_string(ws, r, c, v, f);
			}
			break;
		default:
			le = put_string(ws, r, c, v, f);
			break;
		}
		if (le != LXW_NO_ERROR)
			return write_fail(w, le, err);
	}
	w->row++;
	w->nrows++;
	return JW_OK;
}

static double total_of(const struct colstate *s)
{
	if (s->type == LT_MONEY) {
		if (!s->cents_lost)
			return (double)s->cents / 100.0;
		return (double)(roundl(s->sum * 100) / 100);
	}
	return (double)s->sum;
}

int layout_end(struct layout_writer *w, struct jw_error *err)
{
	if (!w)
		return jw_fail(err, JW_EINVAL, "", "导出尚未开始，无法完成文件");
	lxw_worksheet *ws = w->ws;
	lxw_error le = LXW_NO_ERROR;
	int last = w->ncols - 1;
	if (!w->no_totals) {
		lxw_row_t r = w->row;
		for (int i = 0; i < w->ncols && le == LXW_NO_ERROR; i++) {
			const struct colstate *s = &w->cs[i];
			lxw_col_t c = (lxw_col_t)i;
			char t[48];
			if (i == 0) {
				le = worksheet_write_string(ws, r, c, "合计", w->f_tot_label);
			} else if (s->total) {
				le = worksheet_write_number(ws, r, c, total_of(s),
							    s->type == LT_MONEY ? w->f_tot_money : w->f_tot_num);
			} else if (s->count && s->person) {
				snprintf(t, sizeof(t), "共%" PRId64 "人", s->n);
				le = worksheet_write_string(ws, r, c, t, w->f_tot_text);
			} else if (s->count) {
				le = worksheet_write_number(ws, r, c, (double)s->n, w->f_tot_num);
			} else {
				le = worksheet_write_blank(ws, r, c, w->f_tot_text);
			}
		}
		w->row++;
	}
	/* one blank row, then the footer */
	if (le == LXW_NO_ERROR && w->footer[0]) {
		lxw_row_t r = w->row + 1;
		le = worksheet_set_row(ws, r, 24, NULL);
		if (le == LXW_NO_ERROR)
			le = put_span(ws, r, 0, last, w->footer, w->f_footer);
	}
	if (le != LXW_NO_ERROR) {
		int rc = write_fail(w, le, err);
		layout_abort(w);
		return rc;
	}
	le = workbook_close(w->wb);
	w->wb = NULL;
	w->ws = NULL;
	if (le != LXW_NO_ERROR) {
		int rc;
		if (le == LXW_ERROR_CREATING_XLSX_FILE)
			rc = jw_fail(err, JW_EIO, "out", "无法创建文件“%s”：%s，请检查路径和写入权限", w->path,
				     lxw_strerror(le));
		else
			rc = jw_fail(err, JW_EIO, "out", "写入Excel文件“%s”出错：%s", w->path, lxw_strerror(le));
		unlink(w->path);
		writer_free(w);
		return rc;
	}
	writer_free(w);
	return JW_OK;
}

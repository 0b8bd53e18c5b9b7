/*
 * csv_read.c — the CSV back end of sheet.h: a .csv/.txt file read one
 * record at a time with libcsv, never whole.
 *
 * Three stages, each with a bounded buffer:
 *   source   the file (fread) or the caller's memory, 64 KiB at a time;
 *   decoder  those bytes to UTF-8: the encoding comes from a BOM (UTF-8,
 *            UTF-16LE/BE), else from the first bytes above 0x7F — valid
 *            UTF-8 stays UTF-8, anything else is GB18030 (a superset of
 *            GBK) and goes through iconv.  A multibyte sequence cut by a
 *            chunk boundary waits in the raw buffer for the next chunk;
 *            undecodable bytes stop the stream there, so the rows before
 *            them are still returned and the error names the right row;
 *   parser   libcsv over the UTF-8 text, fed up to one line break at a
 *            time so that at most one record completes per feed and
 *            sheet_next returns as soon as it has one.
 *
 * Row numbers are Excel's: every record counts, a blank line too (it is
 * returned with n = 0; libcsv reports it because of CSV_REPALL_NL, and the
 * LF of a CRLF is not a second one), and a quoted line break does not
 * start a new row.  Fields are not trimmed (libcsv's space test is
 * replaced by one that says no).  libcsv is lenient, as Excel is: a
 * quote inside an unquoted field is literal, an unterminated quote runs to
 * the end of the file (or to the field limit).  One difference: text right
 * after a closing quote ("ab"c,d) makes that quote literal and the field
 * stays quoted, where Excel would read abc and d.  Limits that keep a
 * hostile file from eating
 * memory: CSV_MAX_COLS columns, CSV_MAX_FIELD bytes a field, CSV_MAX_ROW
 * bytes a record.  A NUL byte in the text is an error: no spreadsheet
 * writes one, and a binary file would otherwise read as garbage rows.
 *
 * The reader owns everything it allocates; a row's cells and texts stay
 * valid until the next call of next or select.
 */
#include "io/sheet.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "lib/util.h"

#ifndef CSV_CHUNK   /* -DCSV_CHUNK=5 makes a fuzzer cross chunk boundaries */
#define CSV_CHUNK      (64 * 1024)          /* bytes read from the source at once */
#endif
#define CSV_RAW_SLACK  64                   /* raw room for a cut sequence carried over */
#define CSV_RAW_LOW    16                   /* read more when fewer bytes wait */
#define CSV_MAX_COLS   1024
#define CSV_MAX_FIELD  (1024 * 1024)
#define CSV_MAX_ROW    (16 * 1024 * 1024)

enum csv_enc {
	ENC_ASCII,       /* nothing above 0x7F yet: read as UTF-8, not decided */
	ENC_UTF8,
	ENC_UTF8_BOM,
	ENC_GB18030,
	ENC_UTF16LE,
	ENC_UTF16BE,
};

static const char *const enc_names[] = {
	[ENC_ASCII] = "UTF-8",
	[ENC_UTF8] = "UTF-8",
	[ENC_UTF8_BOM] = "UTF-8 BOM",
	[ENC_GB18030] = "GB18030",
	[ENC_UTF16LE] = "UTF-16LE",
	[ENC_UTF16BE] = "UTF-16BE",
};

/* What a libcsv callback found wrong (callbacks cannot return errors). */
enum csv_cb_err { CB_OK, CB_COLS, CB_FIELD, CB_ROW };

struct csv_reader {
	/* source: exactly one of f and mem */
	FILE *f;                    /* owned; NULL for memory input */
	const unsigned char *mem;   /* the caller's bytes (outlive the reader) */
	size_t memlen;              /* bytes at mem */
	size_t mempos;              /* next byte of mem to read */
	unsigned long long size;    /* total bytes, 0 when unknown */
	unsigned long long consumed;/* bytes read from the source so far */
	bool src_eof;               /* the source has no more bytes */

	/* decoder */
	enum csv_enc enc;           /* encoding found (see enc_names) */
	bool detected;              /* BOM looked for */
	iconv_t cd;                 /* (iconv_t)-1 unless converting */
	size_t chunk;               /* bytes read at once: CSV_CHUNK, less for a
				     * small memory input */
	unsigned char *raw;         /* chunk + CSV_RAW_SLACK bytes from the source */
	size_t raw_off;             /* first byte of raw not yet decoded */
	size_t raw_len;             /* bytes in raw */
	unsigned char *dec;         /* dec_cap bytes of UTF-8 text */
	size_t dec_cap;             /* 2 * chunk + 256: UTF-8 is at most 1.5 times
				     * as long as UTF-16 or GB18030 */
	size_t dec_pos;             /* first byte of dec not yet parsed */
	size_t dec_len;             /* bytes in dec */
	size_t dec_raw;             /* source bytes that became dec[0..dec_len) */
	bool dec_bad;               /* undecodable bytes follow dec[dec_len] */
	bool dec_eof;               /* everything has been decoded */

	/* parser */
	struct csv_parser p;
	bool p_ready;               /* p initialised (needs csv_free) */
	bool fini_done;             /* csv_fini called at the end of the text */
	unsigned char delim;        /* ',', '\t' or ';' */
	int prev_term;              /* the line break that ended the last record */
	int64_t rownum;             /* number of the record being parsed */

	/* the record being built */
	char *arena;                /* its fields, each NUL-terminated */
	size_t arena_len, arena_cap;
	size_t *offs;               /* col_cap offsets into arena */
	int nfields;                /* fields so far */
	bool row_ready;             /* a whole record is in arena */
	enum csv_cb_err cb_err;     /* set by the callbacks */
	struct cell *cells;         /* col_cap cells handed out */
	int col_cap;                /* room in offs and cells */

	/* a failure is final: next keeps returning it */
	bool failed;
	struct jw_error err;
};

/* ---- small helpers ---- */

/* Excel's column letters for 0-based column i ("A", "Z", "AA", …). */
static void col_letters(int i, char *out, size_t outsz)
{
	char tmp[8];
	int n = 0;
	i++;
	while (i > 0 && n < (int)sizeof(tmp)) {
		tmp[n++] = (char)('A' + (i - 1) % 26);
		i = (i - 1) / 26;
	}
	size_t k = 0;
	while (n > 0 && k + 1 < outsz)
		out[k++] = tmp[--n];
	if (outsz)
		out[k] = '\0';
}

/* Records the failure (once) and returns -1. */
static int fail(struct csv_reader *r, struct jw_error *err, enum jw_err code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct csv_reader *r, struct jw_error *err, enum jw_err code, const char *fmt, ...)
{
	char msg[sizeof(r->err.message)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jw_fail(&r->err, code, "file", "%s", msg);
	r->failed = true;
	if (err)
		*err = r->err;
	return -1;
}

/*
 * The longest prefix of s[0..n) made of whole, valid UTF-8 sequences
 * (no overlongs, surrogates or code points past U+10FFFF).  *cut tells
 * whether what follows the prefix is a valid start that the end of the
 * buffer cuts short (as opposed to bad bytes); *multi whether the prefix
 * holds a multibyte sequence.
 */
static size_t utf8_prefix(const unsigned char *s, size_t n, bool *cut, bool *multi)
{
	size_t i = 0;
	*cut = false;
	*multi = false;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned char lo = 0x80, hi = 0xBF;   /* range of the second byte */
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else
			return i;
		for (size_t k = 1; k < len; k++) {
			if (i + k >= n) {
				*cut = true;
				return i;
			}
			unsigned char b = s[i + k];
			if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80)
				return i;
		}
		*multi = true;
		i += len;
	}
	return i;
}

/* ---- source ---- */

/* Reads up to want bytes into buf; 0 at the end.  -1 on a read error. */
static long src_read(struct csv_reader *r, unsigned char *buf, size_t want, struct jw_error *err)
{
	size_t n;
	if (r->f) {
		n = fread(buf, 1, want, r->f);
		if (n < want) {
			if (ferror(r->f))
				return fail(r, err, JW_EIO, "读取文件出错：%s", strerror(errno));
			r->src_eof = true;
		}
	} else {
		size_t left = r->memlen - r->mempos;
		n = left < want ? left : want;
		if (n)
			memcpy(buf, r->mem + r->mempos, n);
		r->mempos += n;
		if (r->mempos >= r->memlen)
			r->src_eof = true;
	}
	r->consumed += n;
	return (long)n;
}

/* ---- decoder ---- */

static void set_iconv(struct csv_reader *r, enum csv_enc enc)
{
	static const char *const from[] = {
		[ENC_GB18030] = "GB18030",
		[ENC_UTF16LE] = "UTF-16LE",
		[ENC_UTF16BE] = "UTF-16BE",
	};
	r->enc = enc;
	r->cd = iconv_open("UTF-8", from[enc]);
}

/* The first bytes of the source: a BOM decides the encoding. */
static void detect_bom(struct csv_reader *r)
{
	const unsigned char *s = r->raw + r->raw_off;
	size_t n = r->raw_len - r->raw_off;
	r->detected = true;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		r->enc = ENC_UTF8_BOM;
		r->raw_off += 3;
	} else if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		set_iconv(r, ENC_UTF16LE);
		r->raw_off += 2;
	} else if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		set_iconv(r, ENC_UTF16BE);
		r->raw_off += 2;
	} else {
		r->enc = ENC_ASCII;
	}
}

/* Moves n raw bytes to dec unchanged (they are UTF-8 already). */
static void pass_through(struct csv_reader *r, size_t n)
{
	memcpy(r->dec + r->dec_len, r->raw + r->raw_off, n);
	r->dec_len += n;
	r->dec_raw += n;
	r->raw_off += n;
}

/*
 * ASCII so far: pass ASCII through; at the first byte above 0x7F decide
 * between UTF-8 (the rest of the chunk is valid UTF-8 with at least one
 * whole multibyte character) and GB18030 (it is not).  A lone cut
 * sequence at the chunk's end decides nothing: it waits for more bytes.
 */
static void decode_ascii(struct csv_reader *r)
{
	const unsigned char *s = r->raw + r->raw_off;
	size_t n = r->raw_len - r->raw_off, k = 0;
	while (k < n && s[k] < 0x80)
		k++;
	if (k == n) {
		pass_through(r, n);
		return;
	}
	bool cut, multi;
	size_t v = utf8_prefix(s + k, n - k, &cut, &multi);
	/* At the very end a cut sequence after whole UTF-8 characters is a
	 * UTF-8 file cut short (an error later), not GB18030. */
	bool valid = v == n - k || (cut && (!r->src_eof || multi));
	pass_through(r, k);
	if (!valid)
		set_iconv(r, ENC_GB18030);
	else if (multi)
		r->enc = ENC_UTF8;
	/* else: only a cut sequence; it stays in raw for the next chunk */
}

static void decode_utf8(struct csv_reader *r)
{
	bool cut, multi;
	size_t n = r->raw_len - r->raw_off;
	size_t v = utf8_prefix(r->raw + r->raw_off, n, &cut, &multi);
	pass_through(r, v);
	if (v < n && (!cut || r->src_eof))
		r->dec_bad = true;
}

static void decode_iconv(struct csv_reader *r)
{
	if (r->cd == (iconv_t)-1) {          /* the C library lacks the charset */
		r->dec_bad = true;
		return;
	}
	char *in = (char *)r->raw + r->raw_off;
	char *out = (char *)r->dec + r->dec_len;
	size_t inleft = r->raw_len - r->raw_off, outleft = r->dec_cap - r->dec_len;
	size_t before = inleft;
	size_t rc = iconv(r->cd, &in, &inleft, &out, &outleft);
	int e = errno;
	r->raw_off += before - inleft;
	r->dec_raw += before - inleft;
	r->dec_len = r->dec_cap - outleft;
	if (rc != (size_t)-1)
		return;
	if (e == EILSEQ || (e == EINVAL && r->src_eof))
		r->dec_bad = true;
	else if (e != EINVAL && e != E2BIG)
		r->dec_bad = true;
	/* EINVAL: a sequence cut by the chunk's end; E2BIG: dec is full.
	 * Both leave the rest in raw for the next fill. */
}

/*
 * Refills dec with the next UTF-8 text.  On return dec holds text, or
 * dec_bad / dec_eof is set, or more raw bytes were read — so a caller that
 * loops always gets somewhere.  -1 on a read error.
 */
static int fill(struct csv_reader *r, struct jw_error *err)
{
	r->dec_pos = r->dec_len = r->dec_raw = 0;
	size_t pending = r->raw_len - r->raw_off;
	if (pending && r->raw_off)
		memmove(r->raw, r->raw + r->raw_off, pending);
	r->raw_off = 0;
	r->raw_len = pending;
	if (!r->src_eof && pending < CSV_RAW_LOW) {
		long n = src_read(r, r->raw + pending, r->chunk, err);
		if (n < 0)
			return -1;
		r->raw_len += (size_t)n;
	}
	if (!r->detected)
		detect_bom(r);
	if (r->raw_off < r->raw_len) {
		if (r->enc == ENC_ASCII)
			decode_ascii(r);
		/* decode_ascii may have decided; carry on with the rest */
		if (r->enc == ENC_UTF8 || r->enc == ENC_UTF8_BOM)
			decode_utf8(r);
		else if (r->enc != ENC_ASCII)
			decode_iconv(r);
	}
	if (r->src_eof && r->raw_off == r->raw_len)
		r->dec_eof = true;
	else if (r->src_eof && r->dec_len == 0)
		r->dec_bad = true;   /* bytes at the end that never decode */
	return 0;
}

/* ---- delimiter ---- */

/*
 * The delimiter: whichever of comma, tab and semicolon occurs most,
 * outside quotes, on the first line that has any of them (a title line
 * above the header has none).  Comma when there is no such line; ties go
 * to comma, then tab.
 */
static unsigned char guess_delim(const unsigned char *s, size_t n)
{
	static const unsigned char cand[] = { ',', '\t', ';' };
	size_t cnt[3] = { 0 };
	bool inq = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '"') {
			inq = !inq;
		} else if (inq) {
			continue;
		} else if (c == '\n' || c == '\r') {
			if (cnt[0] || cnt[1] || cnt[2])
				break;
		} else {
			for (int k = 0; k < 3; k++)
				if (c == cand[k])
					cnt[k]++;
		}
	}
	int best = 0;
	for (int k = 1; k < 3; k++)
		if (cnt[k] > cnt[best])
			best = k;
	return cand[best];
}

/* ---- parser callbacks ---- */

static int never_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void on_field(void *s, size_t len, void *ud)
{
	struct csv_reader *r = ud;
	if (r->cb_err)
		return;
	if (r->nfields >= CSV_MAX_COLS) {
		r->cb_err = CB_COLS;
		return;
	}
	if (len > CSV_MAX_FIELD) {
		r->cb_err = CB_FIELD;
		return;
	}
	if (r->arena_len + len + 1 > CSV_MAX_ROW) {
		r->cb_err = CB_ROW;
		return;
	}
	if (r->nfields == r->col_cap) {
		int cap = r->col_cap * 2 < CSV_MAX_COLS ? r->col_cap * 2 : CSV_MAX_COLS;
		size_t *o = realloc(r->offs, (size_t)cap * sizeof(*o));
		if (o)
			r->offs = o;
		struct cell *c = o ? realloc(r->cells, (size_t)cap * sizeof(*c)) : NULL;
		if (!c) {
			r->cb_err = CB_ROW;
			return;
		}
		r->cells = c;
		r->col_cap = cap;
	}
	if (r->arena_len + len + 1 > r->arena_cap) {
		size_t cap = r->arena_cap ? r->arena_cap : 4096;
		while (cap < r->arena_len + len + 1)
			cap *= 2;
		char *a = realloc(r->arena, cap);
		if (!a) {
			r->cb_err = CB_ROW;
			return;
		}
		r->arena = a;
		r->arena_cap = cap;
	}
	if (len)
		memcpy(r->arena + r->arena_len, s, len);
	r->arena[r->arena_len + len] = '\0';
	r->offs[r->nfields++] = r->arena_len;
	r->arena_len += len + 1;
}

static void on_row(int c, void *ud)
{
	struct csv_reader *r = ud;
	int prev = r->prev_term;
	r->prev_term = c;
	if (r->cb_err)
		return;
	/* The LF of a CRLF: not a blank line of its own. */
	if (r->nfields == 0 && c == '\n' && prev == '\r')
		return;
	r->row_ready = true;
}

/* ---- reader ---- */

static void row_start(struct csv_reader *r)
{
	r->arena_len = 0;
	r->nfields = 0;
	r->row_ready = false;
}

/* Turns the callbacks' verdict into an error naming the row; 0 if none. */
static int check_row(struct csv_reader *r, struct jw_error *err)
{
	char col[8];
	long long row = (long long)r->rownum;
	switch (r->cb_err) {
	case CB_OK:
		break;
	case CB_COLS:
		return fail(r, err, JW_EBADREQ, "第%lld行超过 %d 列：请检查分隔符是否正确，删去多余的列后重试",
			    row, CSV_MAX_COLS);
	case CB_FIELD:
		col_letters(r->nfields, col, sizeof(col));
		return fail(r, err, JW_EBADREQ, "第%lld行 %s 列的内容超过 1 MB：可能是引号没有配对，请检查该单元格后重试",
			    row, col);
	case CB_ROW:
		return fail(r, err, JW_EBADREQ, "第%lld行的内容超过 16 MB：可能是引号没有配对，请检查该行后重试", row);
	}
	/* A field still open (no delimiter yet) counts too. */
	if (r->p.entry_pos > CSV_MAX_FIELD) {
		r->cb_err = CB_FIELD;
		return check_row(r, err);
	}
	if (r->arena_len + r->p.entry_pos > CSV_MAX_ROW) {
		r->cb_err = CB_ROW;
		return check_row(r, err);
	}
	if (csv_error(&r->p) != CSV_SUCCESS)
		return fail(r, err, JW_ENOMEM, "第%lld行太大，内存不足，无法读取", row);
	return 0;
}

static int feed(struct csv_reader *r, const unsigned char *s, size_t n, struct jw_error *err)
{
	size_t done = csv_parse(&r->p, s, n, on_field, on_row, r);
	if (check_row(r, err) < 0)
		return -1;
	if (done != n)
		return fail(r, err, JW_ENOMEM, "第%lld行太大，内存不足，无法读取", (long long)r->rownum);
	return 0;
}

static int emit(struct csv_reader *r, struct sheet_row *row)
{
	int n = 0;
	for (int i = 0; i < r->nfields; i++) {
		struct cell *c = &r->cells[i];
		c->text = r->arena + r->offs[i];
		c->kind = c->text[0] ? CELL_TEXT : CELL_EMPTY;
		c->num = 0;
		if (c->text[0])
			n = i + 1;
	}
	row->rownum = r->rownum++;
	row->n = n;
	row->cells = r->cells;
	return 1;
}

static int fail_undecodable(struct csv_reader *r, struct jw_error *err)
{
	long long row = (long long)r->rownum;
	if (r->enc == ENC_UTF16LE || r->enc == ENC_UTF16BE)
		return fail(r, err, JW_EBADREQ,
			    "第%lld行含有无法识别的字符：文件标明是 %s 编码，内容却不是，请在 Excel 中“另存为 CSV UTF-8”后重试",
			    row, enc_names[r->enc]);
	return fail(r, err, JW_EBADREQ,
		    "第%lld行含有无法识别的字符：文件既不是 UTF-8 也不是 GBK 编码，请在 Excel 中“另存为 CSV UTF-8”后重试",
		    row);
}

/* Back to the first byte: source, decoder and parser start over. */
static int reset(struct csv_reader *r, struct jw_error *err)
{
	if (r->f) {
		if (fseek(r->f, 0, SEEK_SET) != 0)
			return fail(r, err, JW_EIO, "读取文件出错：%s", strerror(errno));
		clearerr(r->f);
	}
	r->mempos = 0;
	r->consumed = 0;
	r->src_eof = false;
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	r->cd = (iconv_t)-1;
	r->enc = ENC_ASCII;
	r->detected = false;
	r->raw_off = r->raw_len = 0;
	r->dec_pos = r->dec_len = r->dec_raw = 0;
	r->dec_bad = r->dec_eof = false;
	if (r->p_ready)
		csv_free(&r->p);
	r->p_ready = false;
	r->fini_done = false;
	r->prev_term = 0;
	r->rownum = 1;
	r->cb_err = CB_OK;
	r->failed = false;
	jw_error_clear(&r->err);
	row_start(r);

	if (fill(r, err) < 0)
		return -1;
	r->delim = guess_delim(r->dec, r->dec_len);
	if (csv_init(&r->p, CSV_REPALL_NL) != 0)
		return fail(r, err, JW_ENOMEM, "内存不足，无法读取文件");
	r->p_ready = true;
	csv_set_delim(&r->p, r->delim);
	csv_set_space_func(&r->p, never_space);
	csv_set_blk_size(&r->p, 16 * 1024);
	return 0;
}

static int csv_next(void *priv, struct sheet_row *row, struct jw_error *err)
{
	struct csv_reader *r = priv;
	if (r->failed) {
		if (err)
			*err = r->err;
		return -1;
	}
	row_start(r);
	for (;;) {
		if (r->dec_pos == r->dec_len) {
			if (r->dec_bad)
				return fail_undecodable(r, err);
			if (r->dec_eof) {
				if (r->fini_done)
					return 0;
				r->fini_done = true;
				csv_fini(&r->p, on_field, on_row, r);
				if (check_row(r, err) < 0)
					return -1;
				return r->row_ready ? emit(r, row) : 0;
			}
			if (fill(r, err) < 0)
				return -1;
			continue;
		}
		/* Feed up to and with the next line break, or up to a NUL. */
		const unsigned char *s = r->dec + r->dec_pos;
		size_t n = r->dec_len - r->dec_pos, k = 0;
		while (k < n && s[k] != '\n' && s[k] != '\r' && s[k] != '\0')
			k++;
		bool nul = k < n && s[k] == '\0';
		size_t seg = k < n && !nul ? k + 1 : k;
		if (seg && feed(r, s, seg, err) < 0)
			return -1;
		r->dec_pos += seg;
		if (nul)
			return fail(r, err, JW_EBADREQ,
				    "第%lld行含有空字符（NUL），这不像是文本文件：Excel 工作簿请直接上传 .xlsx 文件，"
				    "其他文件请在 Excel 中“另存为 CSV UTF-8”后重试",
				    (long long)r->rownum);
		if (r->row_ready)
			return emit(r, row);
	}
}

static void csv_close(void *priv)
{
	struct csv_reader *r = priv;
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	if (r->p_ready)
		csv_free(&r->p);
	free(r->raw);
	free(r->dec);
	free(r->arena);
	free(r->offs);
	free(r->cells);
	free(r);
}

static int csv_count(void *priv)
{
	(void)priv;
	return 1;
}

static const char *csv_name(void *priv, int i)
{
	(void)priv;
	(void)i;
	return "";
}

static int csv_select(void *priv, int i, struct jw_error *err)
{
	struct csv_reader *r = priv;
	if (i != 0) {
		jw_fail(err, JW_EBADREQ, "sheet", "CSV 文件只有一个工作表，没有第%d个", i + 1);
		return -1;
	}
	return reset(r, err);
}

static double csv_progress(void *priv)
{
	const struct csv_reader *r = priv;
	if (r->fini_done || r->size == 0)
		return r->fini_done ? 1.0 : 0.0;
	/* Source bytes read, less those still waiting in raw and the share
	 * of dec that is not parsed yet. */
	double done = (double)r->consumed - (double)(r->raw_len - r->raw_off);
	if (r->dec_len)
		done -= (double)r->dec_raw * (double)(r->dec_len - r->dec_pos) / (double)r->dec_len;
	double p = done / (double)r->size;
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

static const char *csv_encoding(void *priv)
{
	const struct csv_reader *r = priv;
	return enc_names[r->enc];
}

static const struct sheet_ops csv_ops = {
	.close = csv_close,
	.count = csv_count,
	.name = csv_name,
	.select = csv_select,
	.next = csv_next,
	.progress = csv_progress,
	.encoding = csv_encoding,
};

void *csv_sheet_open(const char *path, const void *data, size_t len,
		     const struct sheet_ops **ops, struct jw_error *err)
{
	struct csv_reader *r = xcalloc(1, sizeof(*r));
	r->cd = (iconv_t)-1;
	if (path) {
		r->f = fopen(path, "rb");
		if (!r->f) {
			jw_fail(err, JW_EIO, "file", "无法打开文件“%s”，请检查路径和读取权限", path);
			free(r);
			return NULL;
		}
		struct stat st;
		if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
			r->size = (unsigned long long)st.st_size;
	} else {
		r->mem = data;
		r->memlen = data ? len : 0;
		r->size = r->memlen;
	}
	r->chunk = CSV_CHUNK;
	if (!path && r->memlen < CSV_CHUNK)
		r->chunk = r->memlen + 1;
	r->raw = xcalloc(1, r->chunk + CSV_RAW_SLACK);
	r->dec_cap = 2 * r->chunk + 256;
	r->dec = xcalloc(1, r->dec_cap);
	r->col_cap = 16;
	r->offs = xcalloc((size_t)r->col_cap, sizeof(*r->offs));
	r->cells = xcalloc((size_t)r->col_cap, sizeof(*r->cells));
	if (reset(r, err) < 0) {
		csv_close(r);
		return NULL;
	}
	*ops = &csv_ops;
	return r;
}

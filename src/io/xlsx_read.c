/*
 * xlsx_read.c — the .xlsx back end of io/sheet.h: a workbook opened with
 * libzip (from a path or from memory), its worksheets streamed with
 * libxml2's xmlTextReader straight from zip_fread, row by row.
 *
 * At open it reads the small parts whole: xl/workbook.xml (sheet names,
 * the 1904 date system), xl/_rels/workbook.xml.rels (where each sheet
 * lives), xl/styles.xml (which cell styles are dates) and
 * xl/sharedStrings.xml (every shared string, kept in memory: it is the
 * file's own dictionary).  A worksheet itself is never held in memory:
 * memory stays flat however many rows it has.
 *
 * It owns the zip archive, the shared strings (valid until close) and one
 * row of cells whose texts are valid until the next call of next().
 *
 * The file is hostile until proven otherwise: no entity substitution, no
 * network, no DTD, declared sizes capped (a zip bomb is refused before it
 * is inflated, and an entry that inflates past its declared size is cut),
 * at most 16384 columns, 1,048,576 rows, 10,000,000 shared strings and
 * 32767 characters a cell.  Every failure is a Chinese message that names
 * the part, the row and the cell.
 */
#include "io/sheet.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <zip.h>

#include "lib/buf.h"
#include "lib/util.h"

#define MAX_COLS        16384                   /* A … XFD */
#define MAX_ROWS        1048576
#define MAX_CELL_CHARS  32767                   /* Excel's own limit */
#define MAX_SST         10000000
#define MAX_SST_BYTES   ((uint64_t)512 << 20)   /* declared, inflated */
#define MAX_SHEET_BYTES ((uint64_t)4 << 30)
#define MAX_PART_BYTES  ((uint64_t)64 << 20)    /* workbook, rels, styles */
#define MAX_SHEETS      10000
#define MAX_ENTRIES     65535                   /* an .xlsx has dozens */
#define MAX_XFS         (1 << 20)
#define MAX_NUMFMTS     65536
#define MAX_ROW_TEXT    ((size_t)64 << 20)      /* one row's texts together */
#define MAX_RAW_TEXT    ((size_t)1 << 20)       /* one value as stored */
#define SST_CHUNK       ((size_t)64 << 10)

#define BADFILE_FIX "，请用 Excel 或 WPS 打开后另存为 .xlsx 再试"

/* One zip entry read as XML, through zip_fread, never whole. */
struct xstream {
	const char *part;       /* entry name, for messages (borrowed) */
	zip_file_t *zf;         /* open entry, or NULL */
	xmlTextReaderPtr rd;    /* reader over zf, or NULL */
	uint64_t size;          /* declared uncompressed size */
	uint64_t done;          /* bytes handed to libxml2 so far */
	bool zip_failed;        /* zip_fread failed (bad data, CRC) */
	bool overrun;           /* the entry inflated past its declared size */
	int xml_line;           /* line of the first XML error, 0 if none */
	bool xml_fatal;         /* xml_line is from a fatal error */
};

struct xsheet {
	char *name;             /* as in workbook.xml ("" if absent) */
	char *rid;              /* r:id, freed once path is resolved */
	char *path;             /* zip entry, or NULL if no relationship */
};

/* One <Relationship> of xl/_rels/workbook.xml.rels. */
struct rel {
	char *id;               /* Id ("rId3") */
	char *type;             /* last segment of Type ("worksheet", …) */
	char *path;             /* resolved entry name, NULL if external */
};

/* Storage of the shared strings, NUL-terminated one after another. */
struct sst_chunk {
	struct sst_chunk *next; /* the chunk filled before this one */
	size_t used, cap;       /* bytes of data used / allocated */
	char data[];
};

/* A custom <numFmt> of styles.xml. */
struct numfmt {
	int id;                 /* numFmtId */
	bool date;              /* its formatCode shows a date or a time */
};

/* One cell being read: what its <c> element said. */
struct cur_cell {
	int col;                /* 0-based */
	char ref[32];           /* r as written ("C5"), or "" */
	char type[16];          /* t ("s", "n", …), "" for a number */
	int style;              /* s, -1 when absent or out of range */
	bool has_v, has_is;
};

struct xlsx {
	zip_t *za;              /* the archive, read-only */
	bool date1904;          /* <workbookPr date1904="1"/> */
	struct xsheet *sheets;  /* in workbook order */
	int nsheets, capsheets;

	const char **sst;       /* shared strings; sst_too_long marks one over the limit */
	size_t nsst, capsst;
	struct sst_chunk *chunks; /* where the sst strings live */

	bool *xf_date;          /* cellXfs index → date format */
	size_t nxf;             /* entries of xf_date */

	/* the current worksheet */
	int cur;                /* selected sheet, -1 none */
	struct xstream st;
	bool at_end;            /* the sheet's rows are all read */
	bool failed;            /* error holds a failure next() repeats */
	struct jw_error error;
	/* XML depth of the open <sheetData>, <row>, <c>, <v>, <is>, <t> (in
	 * <is>) and <rPh> (phonetic run, skipped) elements; -1 when not open */
	int sd_depth, row_depth, c_depth, v_depth, is_depth, t_depth, rph_depth;
	int64_t rownum;         /* last row number seen */
	struct cur_cell cc;
	struct buf val;         /* <v> text of the current cell */
	struct buf istr;        /* <is><t> text of the current cell */

	/* the row handed out */
	struct cell *cells;     /* MAX_COLS, all CELL_EMPTY but those in used */
	size_t *toff;           /* offset of a cell's text in rowtext, or SIZE_MAX */
	int *used;              /* columns set in this row */
	int nused;              /* entries of used */
	int n;                  /* one past the last non-empty cell */
	struct buf rowtext;     /* NUL-separated texts of this row */
};

static const char sst_too_long[] = "";

/* ---- errors ---- */

/* Records a failure of the current sheet: next() repeats it. */
static int sheet_fail(struct xlsx *x, struct jw_error *err, enum jw_err code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int sheet_fail(struct xlsx *x, struct jw_error *err, enum jw_err code, const char *fmt, ...)
{
	char msg[sizeof(x->error.message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jw_fail(&x->error, code, "file", "%s", msg);
	x->failed = true;
	if (err)
		*err = x->error;
	return code;
}

static void col_name(int col, char out[8])
{
	char tmp[8];
	int n = 0;

	col++;
	while (col > 0 && n < 7) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

static const char *sheet_label(const struct xlsx *x)
{
	return x->cur >= 0 && x->cur < x->nsheets ? x->sheets[x->cur].name : "";
}

/* A failure in the current cell, named by sheet, row and column. */
static int cell_fail(struct xlsx *x, struct jw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cell_fail(struct xlsx *x, struct jw_error *err, const char *fmt, ...)
{
	char detail[384], col[8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	col_name(x->cc.col, col);
	return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”第 %" PRId64 " 行 %s 列（单元格 %s%" PRId64 "）：%s",
			  sheet_label(x), x->rownum, col, col, x->rownum, detail);
}

/* ---- a zip entry as an XML stream ---- */

static void xml_error_cb(void *ctx, xmlErrorPtr e)
{
	struct xstream *s = ctx;

	if (!e || e->level < XML_ERR_ERROR)
		return;
	if (e->level == XML_ERR_FATAL && !s->xml_fatal) {
		s->xml_fatal = true;
		s->xml_line = e->line > 0 ? e->line : 1;
	} else if (!s->xml_line) {
		s->xml_line = e->line > 0 ? e->line : 1;
	}
}

/* libxml2's read callback: at most the declared size, and a failure
 * ends the input (the parser then reports a premature end, and the
 * caller names the real cause from zip_failed / overrun). */
static int zip_read_cb(void *ctx, char *out, int len)
{
	struct xstream *s = ctx;

	if (s->zip_failed || s->overrun || len <= 0)
		return 0;
	zip_int64_t n = zip_fread(s->zf, out, (zip_uint64_t)len);
	if (n < 0) {
		s->zip_failed = true;
		return 0;
	}
	if ((uint64_t)n > s->size - s->done) {
		s->overrun = true;
		return 0;
	}
	s->done += (uint64_t)n;
	return (int)n;
}

static void xml_generic_cb(void *ctx, const char *msg, ...)
{
	/* the fatal error that follows is reported through xml_error_cb */
}

/* libxml2 reports some errors (I/O, encodings) through the thread's
 * global handlers rather than the reader's ("xmlParseChunk: encoder
 * error" through the generic one): point them at the stream while we
 * parse, so that nothing reaches stderr and every error is counted. */
struct errscope {
	xmlStructuredErrorFunc func;
	void *ctx;
	xmlGenericErrorFunc gfunc;
	void *gctx;
};

static struct errscope errscope_enter(struct xstream *s)
{
	struct errscope sc = { xmlStructuredError, xmlStructuredErrorContext,
			       xmlGenericError, xmlGenericErrorContext };
	xmlSetStructuredErrorFunc(s, xml_error_cb);
	xmlSetGenericErrorFunc(s, xml_generic_cb);
	return sc;
}

static void errscope_leave(struct errscope sc)
{
	xmlSetStructuredErrorFunc(sc.ctx, sc.func);
	xmlSetGenericErrorFunc(sc.gctx, sc.gfunc);
}

static void stream_close(struct xstream *s)
{
	if (s->rd)
		xmlFreeTextReader(s->rd);
	if (s->zf)
		zip_fclose(s->zf);
	memset(s, 0, sizeof(*s));
}

static int badfile(struct jw_error *err, const char *why)
{
	return jw_fail(err, JW_EBADREQ, "file", "文件不是有效的 Excel 工作簿（.xlsx）：%s" BADFILE_FIX, why);
}

/* Opens entry path for parsing.  0, or an error code with err set; a
 * missing optional entry is JW_ENOTFOUND and leaves err alone. */
static int stream_open(zip_t *za, const char *path, bool optional, uint64_t max, struct xstream *s,
		       struct jw_error *err)
{
	zip_stat_t st;
	char why[256];

	memset(s, 0, sizeof(*s));
	s->part = path;
	zip_int64_t idx = zip_name_locate(za, path, ZIP_FL_NOCASE);
	if (idx < 0) {
		if (optional)
			return JW_ENOTFOUND;
		snprintf(why, sizeof(why), "缺少 %s", path);
		return badfile(err, why);
	}
	zip_stat_init(&st);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
		snprintf(why, sizeof(why), "%s 的目录信息已损坏", path);
		return badfile(err, why);
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return jw_fail(err, JW_EBADREQ, "file", "文件中的 %s 已加密，请在 Excel 或 WPS 中取消密码后另存为 .xlsx 再试", path);
	if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE) {
		snprintf(why, sizeof(why), "%s 使用了不支持的压缩方式", path);
		return badfile(err, why);
	}
	if (st.size > max)
		return jw_fail(err, JW_EBADREQ, "file",
			       "文件中的 %s 解压后有 %" PRIu64 " 字节，超过上限 %" PRIu64 " MiB，拒绝读取（文件可能是恶意构造的压缩包）",
			       path, (uint64_t)st.size, max >> 20);
	s->size = st.size;
	s->zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!s->zf) {
		snprintf(why, sizeof(why), "%s 无法解压", path);
		return badfile(err, why);
	}
	struct errscope sc = errscope_enter(s);
	s->rd = xmlReaderForIO(zip_read_cb, NULL, s, path, NULL,
			       XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING);
	if (s->rd)
		xmlTextReaderSetStructuredErrorHandler(s->rd, xml_error_cb, s);
	errscope_leave(sc);
	if (!s->rd) {
		stream_close(s);
		return jw_fail(err, JW_ENOMEM, "file", "读取 %s 时内存不足", path);
	}
	return 0;
}

/* Why the stream stopped: the zip data, its size, or the XML. */
static void stream_why(const struct xstream *s, char *out, size_t outsz)
{
	if (s->zip_failed)
		snprintf(out, outsz, "%s 的压缩数据已损坏，无法解压", s->part);
	else if (s->overrun)
		snprintf(out, outsz, "%s 解压后的数据比文件声明的长度多", s->part);
	else if (s->xml_line)
		snprintf(out, outsz, "%s 的内容不是完整有效的 XML（第 %d 行有错误）", s->part, s->xml_line);
	else
		snprintf(out, outsz, "%s 的内容不是完整有效的 XML", s->part);
}

static int stream_fail(const struct xstream *s, struct jw_error *err)
{
	char why[384];
	stream_why(s, why, sizeof(why));
	return jw_fail(err, JW_EBADREQ, "file", "文件已损坏：%s" BADFILE_FIX, why);
}

/* The next node of a small part: 1, 0 at its end, or -1 with err set.
 * A DTD is refused: no Office file has one, and it is where entity tricks
 * live. */
static int part_next(struct xstream *s, struct jw_error *err)
{
	int r = xmlTextReaderRead(s->rd);
	if (r == 0 && (s->zip_failed || s->overrun))
		r = -1;
	if (r < 0) {
		stream_fail(s, err);
		return -1;
	}
	if (r == 1 && xmlTextReaderNodeType(s->rd) == XML_READER_TYPE_DOCUMENT_TYPE) {
		jw_fail(err, JW_EBADREQ, "file", "文件中的 %s 含有 DTD 声明，Excel 工作簿不会有这种内容，拒绝读取", s->part);
		return -1;
	}
	return r;
}

static const char *local_name(xmlTextReaderPtr rd)
{
	const xmlChar *n = xmlTextReaderConstLocalName(rd);
	return n ? (const char *)n : "";
}

static bool is_name(xmlTextReaderPtr rd, const char *name)
{
	return strcmp(local_name(rd), name) == 0;
}

/* The value of the current element's attribute name, cut to at most cap
 * bytes on a character boundary, or NULL; the caller frees it. */
static char *attr_dup(xmlTextReaderPtr rd, const char *name, size_t cap)
{
	xmlChar *v = xmlTextReaderGetAttribute(rd, (const xmlChar *)name);
	if (!v)
		return NULL;
	size_t n = strlen((const char *)v);
	if (n > cap) {
		n = cap;
		while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
			n--;        /* do not cut a UTF-8 character */
	}
	char *s = xstrndup((const char *)v, n);
	xmlFree(v);
	return s;
}

/* The relationship id of <sheet r:id="…">: any namespaced "id". */
static char *attr_rid(xmlTextReaderPtr rd)
{
	static const char *const ns[] = {
		"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
		"http://purl.oclc.org/ooxml/officeDocument/relationships",
	};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		xmlChar *v = xmlTextReaderGetAttributeNs(rd, (const xmlChar *)"id", (const xmlChar *)ns[i]);
		if (v) {
			char *s = xstrndup((const char *)v, 255);
			xmlFree(v);
			return s;
		}
	}
	return NULL;
}

struct attr_want {
	const char *name;       /* unprefixed local name */
	char *out;              /* "" when absent */
	size_t size;
	bool toolong;           /* present but longer than size-1 */
};

/* Copies the wanted unprefixed attributes of the current element without
 * allocating (the hot path: every row and cell). */
static void attrs_get(xmlTextReaderPtr rd, struct attr_want *w, int nw)
{
	for (int i = 0; i < nw; i++) {
		w[i].out[0] = '\0';
		w[i].toolong = false;
	}
	while (xmlTextReaderMoveToNextAttribute(rd) == 1) {
		if (xmlTextReaderConstNamespaceUri(rd))
			continue;
		const char *ln = local_name(rd);
		for (int i = 0; i < nw; i++) {
			if (strcmp(ln, w[i].name) != 0)
				continue;
			const char *v = (const char *)xmlTextReaderConstValue(rd);
			size_t n = v ? strlen(v) : 0;
			if (n >= w[i].size) {
				w[i].toolong = true;
				n = 0;
			}
			memcpy(w[i].out, v ? v : "", n);
			w[i].out[n] = '\0';
		}
	}
	xmlTextReaderMoveToElement(rd);
}

/* ---- text helpers ---- */

static size_t utf8_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static void add_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	if (cp < 0x80) {
		u[0] = (char)cp;
		buf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 2);
	} else {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 3);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends s to b, decoding OOXML's _xHHHH_ escapes (how Excel stores
 * control characters: "_x000D_"; "_x005F_" is a literal underscore).  NUL
 * is dropped and a lone surrogate becomes U+FFFD. */
static void add_unescaped(struct buf *b, const char *s, size_t len)
{
	size_t start = 0, i = 0;

	while (i + 7 <= len) {
		const char *u = memchr(s + i, '_', len - i);
		if (!u || (size_t)(u - s) + 7 > len)
			break;
		i = (size_t)(u - s);
		int h0 = hexval(s[i + 2]), h1 = hexval(s[i + 3]), h2 = hexval(s[i + 4]), h3 = hexval(s[i + 5]);
		if (s[i + 1] != 'x' || s[i + 6] != '_' || h0 < 0 || h1 < 0 || h2 < 0 || h3 < 0) {
			i++;
			continue;
		}
		buf_add(b, s + start, i - start);
		unsigned cp = (unsigned)(h0 << 12 | h1 << 8 | h2 << 4 | h3);
		if (cp >= 0xD800 && cp <= 0xDFFF)
			cp = 0xFFFD;
		if (cp)
			add_utf8(b, cp);
		i += 7;
		start = i;
	}
	buf_add(b, s + start, len - start);
}

/* Text of a node the reader stands on, if it belongs to a value. */
static bool text_node(xmlTextReaderPtr rd, int type, const char **text)
{
	if (type != XML_READER_TYPE_TEXT && type != XML_READER_TYPE_CDATA &&
	    type != XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
		return false;   /* blanks without xml:space="preserve" are layout */
	const char *v = (const char *)xmlTextReaderConstValue(rd);
	*text = v ? v : "";
	return true;
}

/* ---- workbook.xml and its relationships ---- */

static int add_sheet(struct xlsx *x, char *name, char *rid, struct jw_error *err)
{
	if (x->nsheets >= MAX_SHEETS) {
		free(name);
		free(rid);
		return jw_fail(err, JW_EBADREQ, "file", "工作簿中的工作表超过 %d 个，拒绝读取", MAX_SHEETS);
	}
	if (x->nsheets == x->capsheets) {
		int cap = x->capsheets ? x->capsheets * 2 : 8;
		struct xsheet *p = realloc(x->sheets, (size_t)cap * sizeof(*p));
		if (!p) {
			free(name);
			free(rid);
			return jw_fail(err, JW_ENOMEM, "file", "读取工作表列表时内存不足");
		}
		x->sheets = p;
		x->capsheets = cap;
	}
	x->sheets[x->nsheets++] = (struct xsheet){ name ? name : xstrdup(""), rid, NULL };
	return 0;
}

static bool truthy(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static int parse_workbook(struct xlsx *x, struct jw_error *err)
{
	struct xstream s;
	int rc = stream_open(x->za, "xl/workbook.xml", true, MAX_PART_BYTES, &s, err);
	if (rc == JW_ENOTFOUND)
		return badfile(err, "缺少 xl/workbook.xml（工作簿目录）");
	if (rc)
		return rc;
	struct errscope sc = errscope_enter(&s);
	int r, sheets_depth = -1;
	while ((r = part_next(&s, err)) > 0) {
		int type = xmlTextReaderNodeType(s.rd), depth = xmlTextReaderDepth(s.rd);
		if (type == XML_READER_TYPE_END_ELEMENT && depth == sheets_depth) {
			sheets_depth = -1;
		} else if (type == XML_READER_TYPE_ELEMENT) {
			if (is_name(s.rd, "workbookPr")) {
				xmlChar *v = xmlTextReaderGetAttribute(s.rd, (const xmlChar *)"date1904");
				x->date1904 = truthy((const char *)v);
				xmlFree(v);
			} else if (is_name(s.rd, "sheets") && sheets_depth < 0 && !xmlTextReaderIsEmptyElement(s.rd)) {
				sheets_depth = depth;
			} else if (is_name(s.rd, "sheet") && sheets_depth >= 0 && depth == sheets_depth + 1) {
				if ((rc = add_sheet(x, attr_dup(s.rd, "name", 255), attr_rid(s.rd), err)) != 0)
					break;
			}
		}
	}
	errscope_leave(sc);
	stream_close(&s);
	if (rc)
		return rc;
	if (r < 0)
		return err ? err->code : JW_EBADREQ;
	if (x->nsheets == 0)
		return badfile(err, "工作簿中没有工作表");
	return 0;
}

/* Resolves a relationship target: absolute ("/xl/worksheets/sheet1.xml")
 * or relative to xl/.  NULL when it climbs out of the package. */
static char *resolve_target(const char *target)
{
	size_t tl = strlen(target);
	char *out = xcalloc(1, tl + 4);
	size_t n = 0;

	if (target[0] == '/' || target[0] == '\\') {
		target++;
	} else {
		memcpy(out, "xl/", 3);
		n = 3;
	}
	const char *p = target;
	while (*p) {
		const char *e = p;
		while (*e && *e != '/' && *e != '\\')
			e++;
		size_t sl = (size_t)(e - p);
		if (sl == 0 || (sl == 1 && p[0] == '.')) {
			/* nothing */
		} else if (sl == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0) {
				free(out);
				return NULL;
			}
			n--;                            /* the '/' after the last segment */
			while (n > 0 && out[n - 1] != '/')
				n--;
		} else {
			memcpy(out + n, p, sl);
			n += sl;
			if (*e)
				out[n++] = '/';
		}
		p = *e ? e + 1 : e;
	}
	out[n] = '\0';
	if (n == 0 || out[n - 1] == '/') {
		free(out);
		return NULL;
	}
	return out;
}

static void rels_free(struct rel *rels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rels[i].id);
		free(rels[i].type);
		free(rels[i].path);
	}
	free(rels);
}

static const char *rel_path_of_type(const struct rel *rels, size_t n, const char *type)
{
	for (size_t i = 0; i < n; i++)
		if (rels[i].path && strcmp(rels[i].type, type) == 0)
			return rels[i].path;
	return NULL;
}

/* Reads the workbook's relationships, points each sheet at its entry,
 * and finds the shared strings and styles (default paths if unnamed). */
static int parse_rels(struct xlsx *x, char **sst_path, char **styles_path, struct jw_error *err)
{
	struct xstream s;
	struct rel *rels = NULL;
	size_t nrels = 0, cap = 0;
	int r = 0;

	int rc = stream_open(x->za, "xl/_rels/workbook.xml.rels", true, MAX_PART_BYTES, &s, err);
	if (rc && rc != JW_ENOTFOUND)
		return rc;
	if (rc == 0) {
		struct errscope sc = errscope_enter(&s);
		while ((r = part_next(&s, err)) > 0) {
			if (xmlTextReaderNodeType(s.rd) != XML_READER_TYPE_ELEMENT || !is_name(s.rd, "Relationship"))
				continue;
			if (nrels >= (size_t)MAX_SHEETS * 2) {
				r = -1;
				jw_fail(err, JW_EBADREQ, "file", "xl/_rels/workbook.xml.rels 中的关系条目过多，拒绝读取");
				break;
			}
			if (nrels == cap) {
				cap = cap ? cap * 2 : 16;
				struct rel *p = realloc(rels, cap * sizeof(*p));
				if (!p) {
					r = -1;
					jw_fail(err, JW_ENOMEM, "file", "读取工作簿关系时内存不足");
					break;
				}
				rels = p;
			}
			char *id = attr_dup(s.rd, "Id", 255), *type = attr_dup(s.rd, "Type", 1024);
			char *target = attr_dup(s.rd, "Target", 4096), *mode = attr_dup(s.rd, "TargetMode", 64);
			const char *slash = type ? strrchr(type, '/') : NULL;
			rels[nrels].id = id ? id : xstrdup("");
			rels[nrels].type = xstrdup(slash ? slash + 1 : "");
			rels[nrels].path = target && !(mode && strcmp(mode, "External") == 0) ? resolve_target(target) : NULL;
			nrels++;
			free(type);
			free(target);
			free(mode);
		}
		errscope_leave(sc);
		stream_close(&s);
	}
	if (r < 0) {
		rels_free(rels, nrels);
		return err ? err->code : JW_EBADREQ;
	}
	for (int i = 0; i < x->nsheets; i++) {
		struct xsheet *sh = &x->sheets[i];
		for (size_t j = 0; sh->rid && j < nrels; j++) {
			if (strcmp(rels[j].id, sh->rid) == 0) {
				sh->path = rels[j].path ? xstrdup(rels[j].path) : NULL;
				break;
			}
		}
		free(sh->rid);
		sh->rid = NULL;
	}
	const char *p = rel_path_of_type(rels, nrels, "sharedStrings");
	*sst_path = xstrdup(p ? p : "xl/sharedStrings.xml");
	p = rel_path_of_type(rels, nrels, "styles");
	*styles_path = xstrdup(p ? p : "xl/styles.xml");
	rels_free(rels, nrels);
	return 0;
}

/* ---- styles.xml: which cell formats are dates ---- */

static bool builtin_date(int id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
	       (id >= 50 && id <= 58);
}

/* A custom format is a date when, outside "quoted text", [brackets] and
 * escapes (\x, _x, *x), it has one of the tokens y m d h s. */
static bool format_is_date(const char *f)
{
	for (const char *p = f; *p; p++) {
		switch (*p) {
		case '"':
			p = strchr(p + 1, '"');
			if (!p)
				return false;
			break;
		case '[':
			p = strchr(p + 1, ']');
			if (!p)
				return false;
			break;
		case '\\': case '_': case '*':
			if (!p[1])
				return false;
			p++;
			break;
		default:
			if (strchr("yYmMdDhHsS", *p))
				return true;
		}
	}
	return false;
}

static bool parse_int_attr(const char *v, int64_t max, int64_t *out)
{
	return v && parse_i64(v, 0, max, out);
}

static int parse_styles(struct xlsx *x, const char *path, struct jw_error *err)
{
	struct xstream s;
	struct numfmt *fmts = NULL;
	size_t nfmts = 0, capf = 0, capx = 0;
	int *xfs = NULL;
	int r, numfmts_depth = -1, cellxfs_depth = -1;

	int rc = stream_open(x->za, path, true, MAX_PART_BYTES, &s, err);
	if (rc == JW_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	struct errscope sc = errscope_enter(&s);
	while ((r = part_next(&s, err)) > 0) {
		int type = xmlTextReaderNodeType(s.rd), depth = xmlTextReaderDepth(s.rd);
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (depth == numfmts_depth)
				numfmts_depth = -1;
			else if (depth == cellxfs_depth)
				cellxfs_depth = -1;
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		bool empty = xmlTextReaderIsEmptyElement(s.rd) == 1;
		if (is_name(s.rd, "numFmts") && !empty && numfmts_depth < 0 && cellxfs_depth < 0) {
			numfmts_depth = depth;
		} else if (is_name(s.rd, "cellXfs") && !empty && numfmts_depth < 0 && cellxfs_depth < 0) {
			cellxfs_depth = depth;
		} else if (numfmts_depth >= 0 && depth == numfmts_depth + 1 && is_name(s.rd, "numFmt")) {
			char *id = attr_dup(s.rd, "numFmtId", 32), *code = attr_dup(s.rd, "formatCode", 1024);
			int64_t v;
			if (parse_int_attr(id, INT32_MAX, &v) && code && nfmts < MAX_NUMFMTS) {
				if (nfmts == capf) {
					capf = capf ? capf * 2 : 16;
					struct numfmt *p = realloc(fmts, capf * sizeof(*p));
					if (!p) {
						free(id);
						free(code);
						r = -1;
						jw_fail(err, JW_ENOMEM, "file", "读取单元格格式时内存不足");
						break;
					}
					fmts = p;
				}
				fmts[nfmts++] = (struct numfmt){ (int)v, format_is_date(code) };
			}
			free(id);
			free(code);
		} else if (cellxfs_depth >= 0 && depth == cellxfs_depth + 1 && is_name(s.rd, "xf")) {
			if (x->nxf >= MAX_XFS)
				continue;       /* past Excel's own limit: read as General */
			if (x->nxf == capx) {
				capx = capx ? capx * 2 : 16;
				int *p = realloc(xfs, capx * sizeof(*p));
				if (!p) {
					r = -1;
					jw_fail(err, JW_ENOMEM, "file", "读取单元格格式时内存不足");
					break;
				}
				xfs = p;
			}
			char *id = attr_dup(s.rd, "numFmtId", 32);
			int64_t v = 0;
			xfs[x->nxf++] = parse_int_attr(id, INT32_MAX, &v) ? (int)v : 0;
			free(id);
		}
	}
	errscope_leave(sc);
	stream_close(&s);
	if (r == 0 && x->nxf) {
		x->xf_date = xcalloc(x->nxf, sizeof(bool));
		for (size_t i = 0; i < x->nxf; i++) {
			bool date = builtin_date(xfs[i]);
			for (size_t j = 0; j < nfmts; j++) {
				if (fmts[j].id == xfs[i]) {
					date = fmts[j].date;   /* a custom format overrides */
					break;
				}
			}
			x->xf_date[i] = date;
		}
	}
	free(fmts);
	free(xfs);
	return r < 0 ? (err ? err->code : JW_EBADREQ) : 0;
}

/* ---- sharedStrings.xml ---- */

static const char *sst_store(struct xlsx *x, const char *s, size_t len)
{
	struct sst_chunk *c = x->chunks;
	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > SST_CHUNK ? len + 1 : SST_CHUNK;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = x->chunks;
		x->chunks = c;
	}
	char *p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

static int sst_push(struct xlsx *x, struct buf *raw, struct buf *dec, const char *path, struct jw_error *err)
{
	const char *str;

	if (x->nsst >= MAX_SST)
		return jw_fail(err, JW_EBADREQ, "file", "%s 中的共享字符串超过 %d 条，拒绝读取", path, MAX_SST);
	if (x->nsst == x->capsst) {
		size_t cap = x->capsst ? x->capsst * 2 : 1024;
		const char **p = realloc(x->sst, cap * sizeof(*p));
		if (!p)
			return jw_fail(err, JW_ENOMEM, "file", "读取共享字符串时内存不足");
		x->sst = p;
		x->capsst = cap;
	}
	buf_reset(dec);
	if (buf_ok(raw))
		add_unescaped(dec, raw->data ? raw->data : "", raw->len);
	if (!buf_ok(raw) || !buf_ok(dec) || utf8_count(dec->data ? dec->data : "", dec->len) > MAX_CELL_CHARS) {
		str = sst_too_long;     /* an error only where a cell uses it */
	} else {
		str = sst_store(x, dec->data ? dec->data : "", dec->len);
		if (!str)
			return jw_fail(err, JW_ENOMEM, "file", "读取共享字符串时内存不足");
	}
	x->sst[x->nsst++] = str;
	return 0;
}

static int parse_sst(struct xlsx *x, const char *path, struct jw_error *err)
{
	struct xstream s;
	struct buf raw, dec;
	int r, rc = 0, si_depth = -1, t_depth = -1, rph_depth = -1;
	const char *text;

	rc = stream_open(x->za, path, true, MAX_SST_BYTES, &s, err);
	if (rc == JW_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	buf_init(&raw, MAX_RAW_TEXT);
	buf_init(&dec, MAX_RAW_TEXT);
	struct errscope sc = errscope_enter(&s);
	while ((r = part_next(&s, err)) > 0) {
		int type = xmlTextReaderNodeType(s.rd), depth = xmlTextReaderDepth(s.rd);
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(s.rd) == 1;
			if (si_depth < 0) {
				if (!is_name(s.rd, "si"))
					continue;
				buf_reset(&raw);
				if (empty) {
					if ((rc = sst_push(x, &raw, &dec, path, err)) != 0)
						break;
				} else {
					si_depth = depth;
				}
			} else if (is_name(s.rd, "rPh") && rph_depth < 0 && !empty) {
				rph_depth = depth;
			} else if (is_name(s.rd, "t") && t_depth < 0 && rph_depth < 0 && !empty) {
				t_depth = depth;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (depth == t_depth) {
				t_depth = -1;
			} else if (depth == rph_depth) {
				rph_depth = -1;
			} else if (depth == si_depth) {
				si_depth = -1;
				if ((rc = sst_push(x, &raw, &dec, path, err)) != 0)
					break;
			}
		} else if (t_depth >= 0 && text_node(s.rd, type, &text)) {
			buf_adds(&raw, text);
		}
	}
	errscope_leave(sc);
	stream_close(&s);
	buf_release(&raw);
	buf_release(&dec);
	if (rc)
		return rc;
	return r < 0 ? (err ? err->code : JW_EBADREQ) : 0;
}

/* ---- the worksheet, row by row ---- */

static void row_clear(struct xlsx *x)
{
	for (int i = 0; i < x->nused; i++) {
		struct cell *c = &x->cells[x->used[i]];
		c->kind = CELL_EMPTY;
		c->text = "";
		c->num = 0;
		x->toff[x->used[i]] = SIZE_MAX;
	}
	x->nused = 0;
	x->n = 0;
	buf_reset(&x->rowtext);
}

static void sheet_reset_state(struct xlsx *x)
{
	stream_close(&x->st);
	row_clear(x);
	x->at_end = false;
	x->failed = false;
	jw_error_clear(&x->error);
	x->sd_depth = x->row_depth = x->c_depth = -1;
	x->v_depth = x->is_depth = x->t_depth = x->rph_depth = -1;
	x->rownum = 0;
}

static int x_select(void *priv, int i, struct jw_error *err)
{
	struct xlsx *x = priv;

	sheet_reset_state(x);
	x->cur = i;
	if (i < 0 || i >= x->nsheets) {
		x->cur = -1;
		return sheet_fail(x, err, JW_EBADREQ, "工作簿中没有第 %d 个工作表（共 %d 个）", i + 1, x->nsheets);
	}
	const struct xsheet *sh = &x->sheets[i];
	if (!sh->path)
		return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”在文件中找不到对应的数据" BADFILE_FIX, sh->name);
	struct jw_error e;
	jw_error_clear(&e);
	int rc = stream_open(x->za, sh->path, true, MAX_SHEET_BYTES, &x->st, &e);
	if (rc == JW_ENOTFOUND)
		return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”的数据（%s）在文件中找不到" BADFILE_FIX,
				  sh->name, sh->path);
	if (rc)
		return sheet_fail(x, err, e.code, "工作表“%s”：%s", sh->name, e.message);
	return 0;
}

/* Stores the text of the current cell in the row (already decoded). */
static void set_cell(struct xlsx *x, enum cell_kind kind, double num, const char *ext, size_t off)
{
	int col = x->cc.col;
	struct cell *c = &x->cells[col];

	if (c->kind == CELL_EMPTY)
		x->used[x->nused++] = col;
	c->kind = kind;
	c->num = num;
	c->text = ext ? ext : "";
	x->toff[col] = ext ? SIZE_MAX : off;
	if (col + 1 > x->n)
		x->n = col + 1;
}

/* Appends text to the row, checks Excel's length limit and stores it. */
static int set_text_cell(struct xlsx *x, enum cell_kind kind, double num, const char *s, size_t len,
			 bool unescape, struct jw_error *err)
{
	size_t off = x->rowtext.len;
	if (unescape)
		add_unescaped(&x->rowtext, s, len);
	else
		buf_add(&x->rowtext, s, len);
	size_t tl = x->rowtext.len - off;
	buf_add(&x->rowtext, "", 1);
	if (!buf_ok(&x->rowtext))
		return cell_fail(x, err, "这一行的文字总量超过 %zu MiB，拒绝读取", MAX_ROW_TEXT >> 20);
	if (tl == 0)
		return 0;       /* "" is an empty cell */
	if (utf8_count(x->rowtext.data + off, tl) > MAX_CELL_CHARS)
		return cell_fail(x, err, "单元格文字超过 Excel 的上限 %d 个字符", MAX_CELL_CHARS);
	set_cell(x, kind, num, NULL, off);
	return 0;
}

static const char *trimmed(struct buf *b, size_t *len)
{
	const char *s = b->data ? b->data : "";
	size_t n = b->len;
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* A number as Excel stores it: [-+]digits[.digits][e[-+]digits], nothing
 * else (no hex, inf or nan, which strtod would take). */
static bool parse_number(const char *s, size_t len, double *out)
{
	char tmp[64];
	size_t i = 0;
	int digits = 0;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	if (s[i] == '-' || s[i] == '+')
		i++;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			digits++;
	if (!digits)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		if (i >= len || !isdigit((unsigned char)s[i]))
			return false;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i != len)
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = strtod(tmp, NULL);
	return isfinite(*out);
}

static int set_number_cell(struct xlsx *x, double v, bool date, struct jw_error *err)
{
	char text[64];
	int y, m, d, hh, mi, ss;

	if (date) {
		double serial = x->date1904 ? v + 1462 : v;
		if (sheet_serial_date(serial, &y, &m, &d, &hh, &mi, &ss)) {
			if (hh || mi || ss)
				snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
			else
				snprintf(text, sizeof(text), "%04d-%02d-%02d", y, m, d);
			return set_text_cell(x, CELL_DATE, serial, text, strlen(text), false, err);
		}
		/* a time of day alone, or out of Excel's range: a plain number */
	}
	sheet_number_text(v, text, sizeof(text));
	return set_text_cell(x, CELL_NUMBER, v, text, strlen(text), false, err);
}

/* t="d": an ISO 8601 date ("2024-03-05", "2024-03-05T08:30:00"). */
static int set_iso_date_cell(struct xlsx *x, const char *s, size_t len, struct jw_error *err)
{
	char text[64], tmp[64];
	int y, m, d, hh = 0, mi = 0, ss = 0, used = 0;

	if (len < sizeof(tmp)) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		if (sscanf(tmp, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 && date_valid(y, m, d)) {
			if (tmp[10] == 'T' && sscanf(tmp + 11, "%2d:%2d:%2d", &hh, &mi, &ss) != 3)
				hh = mi = ss = 0;
			if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
				hh = mi = ss = 0;
			if (hh || mi || ss)
				snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d", y, m, d, hh, mi, ss);
			else
				snprintf(text, sizeof(text), "%04d-%02d-%02d", y, m, d);
			/* the serial, for dates Excel counts without its 1900 leap bug */
			struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
			struct tm base = { .tm_year = 0, .tm_mon = 0, .tm_mday = 1, .tm_hour = 12 };
			double days = floor((double)(timegm(&tm) - timegm(&base)) / 86400.0 + 0.5) + 1;
			if (days >= 60)
				days++;
			double serial = days + (hh * 3600 + mi * 60 + ss) / 86400.0;
			return set_text_cell(x, CELL_DATE, serial, text, strlen(text), false, err);
		}
	}
	return set_text_cell(x, CELL_TEXT, 0, s, len, true, err);
}

/* </c>: turns what the cell held into a struct cell. */
static int finish_cell(struct xlsx *x, struct jw_error *err)
{
	const struct cur_cell *cc = &x->cc;
	const char *t = cc->type;
	size_t len;

	if (!buf_ok(&x->val) || !buf_ok(&x->istr))
		return cell_fail(x, err, "单元格文字超过 Excel 的上限 %d 个字符", MAX_CELL_CHARS);
	if (strcmp(t, "inlineStr") == 0) {
		struct buf *b = cc->has_is ? &x->istr : &x->val;
		return set_text_cell(x, CELL_TEXT, 0, b->data ? b->data : "", b->len, true, err);
	}
	if (!cc->has_v)
		return 0;       /* a formatted empty cell */
	if (strcmp(t, "s") == 0) {
		const char *v = trimmed(&x->val, &len);
		int64_t idx;
		char tmp[24];
		if (len == 0)
			return 0;
		if (len >= sizeof(tmp))
			return cell_fail(x, err, "共享字符串编号“%.20s…”无效", v);
		memcpy(tmp, v, len);
		tmp[len] = '\0';
		if (!parse_i64(tmp, 0, INT64_MAX, &idx))
			return cell_fail(x, err, "共享字符串编号“%s”无效", tmp);
		if ((uint64_t)idx >= x->nsst)
			return cell_fail(x, err, "引用了不存在的共享字符串（第 %" PRId64 " 条，文件中只有 %zu 条）",
					 idx + 1, x->nsst);
		const char *str = x->sst[idx];
		if (str == sst_too_long)
			return cell_fail(x, err, "单元格文字超过 Excel 的上限 %d 个字符", MAX_CELL_CHARS);
		if (*str)
			set_cell(x, CELL_TEXT, 0, str, 0);
		return 0;
	}
	if (strcmp(t, "str") == 0 || strcmp(t, "e") == 0)
		return set_text_cell(x, CELL_TEXT, 0, x->val.data ? x->val.data : "", x->val.len, true, err);
	if (strcmp(t, "b") == 0) {
		const char *v = trimmed(&x->val, &len);
		if (len == 0)
			return 0;
		if ((len == 1 && v[0] == '1') || (len == 4 && strncmp(v, "true", 4) == 0))
			return set_text_cell(x, CELL_BOOL, 1, "TRUE", 4, false, err);
		if ((len == 1 && v[0] == '0') || (len == 5 && strncmp(v, "false", 5) == 0))
			return set_text_cell(x, CELL_BOOL, 0, "FALSE", 5, false, err);
		return cell_fail(x, err, "逻辑值“%.*s”无效，应为 0 或 1", len > 20 ? 20 : (int)len, v);
	}
	if (strcmp(t, "d") == 0) {
		const char *v = trimmed(&x->val, &len);
		return len ? set_iso_date_cell(x, v, len, err) : 0;
	}
	if (t[0] == '\0' || strcmp(t, "n") == 0) {
		const char *v = trimmed(&x->val, &len);
		double num;
		if (len == 0)
			return 0;
		if (!parse_number(v, len, &num))
			return cell_fail(x, err, "数字“%.*s”格式不正确", len > 30 ? 30 : (int)len, v);
		bool date = cc->style >= 0 && (size_t)cc->style < x->nxf && x->xf_date[cc->style];
		return set_number_cell(x, num, date, err);
	}
	/* a type Excel does not write: keep what is there as text */
	return set_text_cell(x, CELL_TEXT, 0, x->val.data ? x->val.data : "", x->val.len, true, err);
}

/* Column of a reference like "C5" (0-based); -1 bad, -2 past XFD. */
static int ref_col(const char *r)
{
	int col = 0, nl = 0;
	for (; isalpha((unsigned char)*r); r++) {
		if (++nl > 3)
			return -2;
		col = col * 26 + (toupper((unsigned char)*r) - 'A' + 1);
	}
	if (nl == 0)
		return -1;
	for (; *r; r++)
		if (!isdigit((unsigned char)*r))
			return -1;
	return col > MAX_COLS ? -2 : col - 1;
}

static int start_row(struct xlsx *x, struct jw_error *err)
{
	char r[24];
	struct attr_want w[] = { { "r", r, sizeof(r), false } };
	int64_t n;

	attrs_get(x->st.rd, w, 1);
	row_clear(x);
	x->cc.col = -1;
	if (r[0] || w[0].toolong) {
		if (w[0].toolong || !parse_i64(r, 1, INT64_MAX, &n))
			return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”第 %" PRId64 " 行之后：行号“%s”无效" BADFILE_FIX,
					  sheet_label(x), x->rownum, w[0].toolong ? "…" : r);
		if (n > MAX_ROWS)
			return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”：行号 %" PRId64 " 超过 Excel 的上限 %d 行",
					  sheet_label(x), n, MAX_ROWS);
		x->rownum = n;
	} else {
		if (x->rownum >= MAX_ROWS)
			return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”的行数超过 Excel 的上限 %d 行",
					  sheet_label(x), MAX_ROWS);
		x->rownum++;
	}
	return 0;
}

static int start_cell(struct xlsx *x, struct jw_error *err)
{
	struct cur_cell *cc = &x->cc;
	char s[16];
	struct attr_want w[] = {
		{ "r", cc->ref, sizeof(cc->ref), false },
		{ "t", cc->type, sizeof(cc->type), false },
		{ "s", s, sizeof(s), false },
	};
	int64_t v;

	attrs_get(x->st.rd, w, 3);
	cc->has_v = cc->has_is = false;
	buf_reset(&x->val);
	buf_reset(&x->istr);
	cc->style = s[0] && !w[2].toolong && parse_i64(s, 0, INT32_MAX, &v) ? (int)v : -1;
	if (w[1].toolong)
		memcpy(cc->type, "?", 2);
	int prev = cc->col;
	if (cc->ref[0] || w[0].toolong) {
		int col = w[0].toolong ? -1 : ref_col(cc->ref);
		if (col == -2) {
			cc->col = prev + 1 < MAX_COLS ? prev + 1 : MAX_COLS - 1;
			return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”第 %" PRId64 " 行：单元格“%s”超出了 Excel 的最大列 XFD",
					  sheet_label(x), x->rownum, cc->ref);
		}
		if (col < 0)
			return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”第 %" PRId64 " 行：单元格位置“%s”无效" BADFILE_FIX,
					  sheet_label(x), x->rownum, w[0].toolong ? "…" : cc->ref);
		cc->col = col;
	} else {
		if (prev + 1 >= MAX_COLS)
			return sheet_fail(x, err, JW_EBADREQ, "工作表“%s”第 %" PRId64 " 行的单元格超出了 Excel 的最大列 XFD",
					  sheet_label(x), x->rownum);
		cc->col = prev + 1;
	}
	return 0;
}

/* Hands the finished row out: texts now sit still in rowtext. */
static void emit_row(struct xlsx *x, struct sheet_row *row)
{
	for (int i = 0; i < x->nused; i++) {
		int col = x->used[i];
		if (x->toff[col] != SIZE_MAX)
			x->cells[col].text = x->rowtext.data + x->toff[col];
	}
	row->rownum = x->rownum;
	row->n = x->n;
	row->cells = x->cells;
}

/* Reads nodes until a row is complete: 1, 0 at the sheet's end, -1. */
static int read_row(struct xlsx *x, struct sheet_row *row, struct jw_error *err)
{
	xmlTextReaderPtr rd = x->st.rd;
	const char *text;

	for (;;) {
		int r = xmlTextReaderRead(rd);
		if (r == 0 && (x->st.zip_failed || x->st.overrun))
			r = -1;
		if (r < 0) {
			char why[384];
			stream_why(&x->st, why, sizeof(why));
			if (x->rownum > 0)
				sheet_fail(x, err, JW_EBADREQ, "文件已损坏：工作表“%s”第 %" PRId64 " 行附近：%s" BADFILE_FIX,
					   sheet_label(x), x->rownum, why);
			else
				sheet_fail(x, err, JW_EBADREQ, "文件已损坏：工作表“%s”：%s" BADFILE_FIX, sheet_label(x), why);
			return -1;
		}
		if (r == 0) {
			x->at_end = true;       /* no <sheetData>, or it never closed cleanly */
			return 0;
		}
		int type = xmlTextReaderNodeType(rd), depth = xmlTextReaderDepth(rd);
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(rd) == 1;
			if (x->sd_depth < 0) {
				if (!is_name(rd, "sheetData"))
					continue;
				if (empty) {
					x->at_end = true;
					return 0;
				}
				x->sd_depth = depth;
			} else if (x->row_depth < 0) {
				if (depth != x->sd_depth + 1 || !is_name(rd, "row"))
					continue;
				if (start_row(x, err))
					return -1;
				if (empty) {
					emit_row(x, row);
					return 1;
				}
				x->row_depth = depth;
			} else if (x->c_depth < 0) {
				if (depth != x->row_depth + 1 || !is_name(rd, "c"))
					continue;
				if (start_cell(x, err))
					return -1;
				if (empty) {
					if (finish_cell(x, err))
						return -1;
				} else {
					x->c_depth = depth;
				}
			} else if (depth == x->c_depth + 1) {
				if (is_name(rd, "v")) {
					x->cc.has_v = true;
					if (!empty)
						x->v_depth = depth;
				} else if (is_name(rd, "is")) {
					x->cc.has_is = true;
					if (!empty)
						x->is_depth = depth;
				}
			} else if (x->is_depth >= 0 && !empty) {
				if (is_name(rd, "rPh") && x->rph_depth < 0)
					x->rph_depth = depth;
				else if (is_name(rd, "t") && x->t_depth < 0 && x->rph_depth < 0)
					x->t_depth = depth;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (depth == x->t_depth) {
				x->t_depth = -1;
			} else if (depth == x->rph_depth) {
				x->rph_depth = -1;
			} else if (depth == x->v_depth) {
				x->v_depth = -1;
			} else if (depth == x->is_depth) {
				x->is_depth = -1;
			} else if (depth == x->c_depth) {
				x->c_depth = -1;
				if (finish_cell(x, err))
					return -1;
			} else if (depth == x->row_depth) {
				x->row_depth = -1;
				emit_row(x, row);
				return 1;
			} else if (depth == x->sd_depth) {
				x->at_end = true;
				return 0;
			}
		} else if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			sheet_fail(x, err, JW_EBADREQ, "工作表“%s”的数据含有 DTD 声明，Excel 工作簿不会有这种内容，拒绝读取",
				   sheet_label(x));
			return -1;
		} else if (x->c_depth >= 0 && text_node(rd, type, &text)) {
			if (x->v_depth >= 0)
				buf_adds(&x->val, text);
			else if (x->t_depth >= 0)
				buf_adds(&x->istr, text);
		}
	}
}

static int x_next(void *priv, struct sheet_row *row, struct jw_error *err)
{
	struct xlsx *x = priv;

	if (x->failed) {
		if (err)
			*err = x->error;
		return -1;
	}
	if (x->at_end || !x->st.rd)
		return 0;
	struct errscope sc = errscope_enter(&x->st);
	int r = read_row(x, row, err);
	errscope_leave(sc);
	if (r <= 0)
		stream_close(&x->st);   /* the rest of the part is of no use */
	return r;
}

static double x_progress(void *priv)
{
	struct xlsx *x = priv;
	if (x->at_end)
		return 1.0;
	if (x->failed || !x->st.rd || x->st.size == 0)
		return 0.0;
	double p = (double)x->st.done / (double)x->st.size;
	return p > 1.0 ? 1.0 : p;
}

static int x_count(void *priv)
{
	return ((struct xlsx *)priv)->nsheets;
}

static const char *x_name(void *priv, int i)
{
	struct xlsx *x = priv;
	return i >= 0 && i < x->nsheets ? x->sheets[i].name : NULL;
}

static const char *x_encoding(void *priv)
{
	return NULL;
}

static void x_close(void *priv)
{
	struct xlsx *x = priv;
	if (!x)
		return;
	stream_close(&x->st);
	for (int i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
		free(x->sheets[i].path);
	}
	free(x->sheets);
	free(x->sst);
	while (x->chunks) {
		struct sst_chunk *c = x->chunks;
		x->chunks = c->next;
		free(c);
	}
	free(x->xf_date);
	free(x->cells);
	free(x->toff);
	free(x->used);
	buf_release(&x->val);
	buf_release(&x->istr);
	buf_release(&x->rowtext);
	if (x->za)
		zip_discard(x->za);
	free(x);
}

static const struct sheet_ops xlsx_ops = {
	.close = x_close,
	.count = x_count,
	.name = x_name,
	.select = x_select,
	.next = x_next,
	.progress = x_progress,
	.encoding = x_encoding,
};

static zip_t *open_archive(const char *path, const void *data, size_t len, struct jw_error *err)
{
	zip_t *za;
	int ze = 0;

	if (path) {
		za = zip_open(path, ZIP_RDONLY, &ze);
	} else {
		zip_error_t zerr;
		zip_error_init(&zerr);
		zip_source_t *src = zip_source_buffer_create(len ? data : "", len, 0, &zerr);
		za = NULL;
		if (src) {
			za = zip_open_from_source(src, ZIP_RDONLY, &zerr);
			if (!za)
				zip_source_free(src);
		}
		ze = zip_error_code_zip(&zerr);
		zip_error_fini(&zerr);
	}
	if (za)
		return za;
	switch (ze) {
	case ZIP_ER_OPEN: case ZIP_ER_READ: case ZIP_ER_SEEK:
		jw_fail(err, JW_EIO, "file", "无法读取文件“%s”，请检查路径和读取权限", path ? path : "");
		break;
	case ZIP_ER_MEMORY:
		jw_fail(err, JW_ENOMEM, "file", "打开工作簿时内存不足");
		break;
	case ZIP_ER_MULTIDISK:
		badfile(err, "这是分卷压缩的文件");
		break;
	default:
		badfile(err, "文件内容不是完整的 ZIP 压缩包（可能已损坏或没有传完整）");
	}
	return NULL;
}

static void xml_init_once(void)
{
	xmlInitParser();
}

void *xlsx_sheet_open(const char *path, const void *data, size_t len,
		      const struct sheet_ops **ops, struct jw_error *err)
{
	static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
	char *sst_path = NULL, *styles_path = NULL;
	int rc;

	pthread_once(&xml_once, xml_init_once);   /* libxml2's setup is not thread-safe */
	zip_t *za = open_archive(path, data, len, err);
	if (!za)
		return NULL;
	if (zip_get_num_entries(za, 0) > MAX_ENTRIES) {
		zip_discard(za);
		badfile(err, "压缩包中的条目过多");
		return NULL;
	}
	struct xlsx *x = xcalloc(1, sizeof(*x));
	x->za = za;
	x->cur = -1;
	x->cells = xcalloc(MAX_COLS, sizeof(*x->cells));
	x->toff = xcalloc(MAX_COLS, sizeof(*x->toff));
	x->used = xcalloc(MAX_COLS, sizeof(*x->used));
	for (int i = 0; i < MAX_COLS; i++) {
		x->cells[i].text = "";
		x->toff[i] = SIZE_MAX;
	}
	buf_init(&x->val, MAX_RAW_TEXT);
	buf_init(&x->istr, MAX_RAW_TEXT);
	buf_init(&x->rowtext, MAX_ROW_TEXT);
	sheet_reset_state(x);

	if ((rc = parse_workbook(x, err)) != 0 ||
	    (rc = parse_rels(x, &sst_path, &styles_path, err)) != 0 ||
	    (rc = parse_styles(x, styles_path, err)) != 0 ||
	    (rc = parse_sst(x, sst_path, err)) != 0)
		goto fail;
	free(sst_path);
	free(styles_path);
	/* a first sheet that cannot be read is reported by next(), so that
	 * the other sheets can still be chosen */
	x_select(x, 0, NULL);
	*ops = &xlsx_ops;
	return x;

fail:
	free(sst_path);
	free(styles_path);
	x_close(x);
	return NULL;
}

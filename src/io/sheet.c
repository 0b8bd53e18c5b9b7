/*
 * sheet.c — picks the reader by the file's first bytes and forwards to it;
 * number and date helpers shared by the readers.  See sheet.h.
 */
#include "io/sheet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

struct sheet {
	enum sheet_format fmt;
	const struct sheet_ops *ops;
	void *priv;
};

static struct sheet *wrap(enum sheet_format fmt, void *priv, const struct sheet_ops *ops)
{
	if (!priv)
		return NULL;
	struct sheet *s = xcalloc(1, sizeof(*s));
	s->fmt = fmt;
	s->ops = ops;
	s->priv = priv;
	return s;
}

static struct sheet *open_fmt(enum sheet_format fmt, const char *path, const void *data, size_t len,
			      struct jw_error *err)
{
	const struct sheet_ops *ops = NULL;
	void *priv;
	switch (fmt) {
	case SHEET_XLSX: priv = xlsx_sheet_open(path, data, len, &ops, err); break;
	case SHEET_XLS: priv = xls_sheet_open(path, data, len, &ops, err); break;
	default: priv = csv_sheet_open(path, data, len, &ops, err); break;
	}
	return wrap(fmt, priv, ops);
}

struct sheet *sheet_open(const char *path, struct jw_error *err)
{
	unsigned char magic[8] = { 0 };
	FILE *f = fopen(path, "rb");
	if (!f) {
		jw_fail(err, JW_EIO, "file", "无法打开文件“%s”，请检查路径和读取权限", path);
		return NULL;
	}
	size_t n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	enum sheet_format fmt = SHEET_CSV;
	if (n >= 4 && memcmp(magic, "PK\x03\x04", 4) == 0)
		fmt = SHEET_XLSX;
	else if (n >= 8 && memcmp(magic, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		fmt = SHEET_XLS;
	return open_fmt(fmt, path, NULL, 0, err);
}

struct sheet *sheet_open_mem(enum sheet_format fmt, const void *data, size_t len, struct jw_error *err)
{
	return open_fmt(fmt, NULL, data, len, err);
}

void sheet_close(struct sheet *s)
{
	if (!s)
		return;
	s->ops->close(s->priv);
	free(s);
}

enum sheet_format sheet_format(const struct sheet *s) { return s->fmt; }
int sheet_count(const struct sheet *s) { return s->ops->count(s->priv); }
const char *sheet_name(const struct sheet *s, int i) { return s->ops->name(s->priv, i); }
int sheet_select(struct sheet *s, int i, struct jw_error *err) { return s->ops->select(s->priv, i, err); }
int sheet_next(struct sheet *s, struct sheet_row *row, struct jw_error *err)
{
	return s->ops->next(s->priv, row, err);
}
double sheet_progress(const struct sheet *s) { return s->ops->progress(s->priv); }
const char *sheet_encoding(const struct sheet *s)
{
	return s->ops->encoding ? s->ops->encoding(s->priv) : NULL;
}

void sheet_number_text(double v, char *out, size_t outsz)
{
	if (isnan(v) || isinf(v)) {
		snprintf(out, outsz, "%s", "");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, outsz, "%.0f", v);
	else
		snprintf(out, outsz, "%.15g", v);
}

bool sheet_serial_date(double serial, int *y, int *m, int *d, int *hh, int *mi, int *ss)
{
	if (isnan(serial) || serial < 1 || serial >= 2958466)
		return false;
	int64_t day = (int64_t)floor(serial);
	double frac = serial - (double)day;
	int64_t secs = (int64_t)floor(frac * 86400.0 + 0.5);
	if (secs >= 86400) {
		secs -= 86400;
		day++;
	}
	if (day == 60) {          /* Excel's 1900-02-29, which never was */
		*y = 1900;
		*m = 2;
		*d = 28;
	} else {
		if (day > 60)
			day--;
		/* serial 1 = 1900-01-01 */
		civil_from_days(days_from_civil(1899, 12, 31) + day, y, m, d);
	}
	*hh = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*ss = (int)(secs % 60);
	return true;
}

/*
 * svg.c — bar, pyramid and line charts as inline SVG; see svg.h.
 *
 * Everything is laid out in a viewBox 640 units wide (the height grows with
 * the data); text widths are estimated (14 units a CJK character, 8 an ASCII
 * one at font-size 14), since the server cannot measure fonts.  Only
 * presentation attributes are used (fill=, font-size=, …): the page's CSP
 * (style-src 'self') blocks style attributes.  The root carries
 * class="chart" so the page's CSS can size it.
 *
 * Text is first cleaned (well-formed UTF-8, no control characters, so the
 * output is always well-formed XML) and then written through buf_html.
 * Values that are NaN, infinite or negative are drawn as 0; numbers are
 * printed with %.0f / %.1f, which do not depend on the locale here (the
 * program never sets LC_NUMERIC).
 */
#include "web/svg.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define W 640.0             /* viewBox width */
#define LABEL_MAX 1024      /* bytes kept of a cleaned text (titles, tooltips) */
#define SHOWN_MAX 512       /* bytes of a text cut to a width */
#define VALUE_MAX 1e15      /* larger values are drawn as this */

#define C_FG "#1f2933"      /* --fg */
#define C_MUTED "#616e7c"   /* --muted */
#define C_LINE "#d9e2ec"    /* --line: gridlines */
#define C_AXIS "#9aa5b1"    /* axes (the page's plain-button border) */
#define C_BLUE "#3b6ea5"    /* bars, men, the line */
#define C_WARM "#c8553d"    /* women: a warm terracotta next to --accent #b42318 */

#define FONT "system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','Microsoft YaHei',sans-serif"

/* ---- text ---- */

/* Decodes the character at s into *cp and returns its length in bytes;
 * a malformed sequence gives U+FFFD.  Never reads past a NUL. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		*cp = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		*cp = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		*cp = c & 0x07;
		min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		*cp = (*cp << 6) | (s[i] & 0x3Fu);
	}
	if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
		*cp = 0xFFFD;
	return n;
}

static size_t utf8_put(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Copies s (NULL: "") into out as well-formed UTF-8 that XML accepts:
 * control characters become spaces, malformed bytes U+FFFD.  Stops at a
 * character boundary when out is full. */
static void clean_text(const char *s, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = 0;

	while (*p) {
		unsigned cp;
		char enc[4];
		p += utf8_next(p, &cp);
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
			cp = ' ';
		else if (cp == 0xFFFE || cp == 0xFFFF)
			cp = 0xFFFD;
		size_t n = utf8_put(cp, enc);
		if (len + n >= outsz)
			break;
		memcpy(out + len, enc, n);
		len += n;
	}
	out[len] = '\0';
}

/* Estimated advance of one character at font size fs. */
static double char_width(unsigned cp, double fs)
{
	return (cp < 0x1100 ? 8.0 : 14.0) * fs / 14.0;
}

/* Estimated width of clean text s at font size fs. */
static double text_width(const char *s, double fs)
{
	const unsigned char *p = (const unsigned char *)s;
	double w = 0;

	while (*p) {
		unsigned cp;
		p += utf8_next(p, &cp);
		w += char_width(cp, fs);
	}
	return w;
}

/* Copies clean text s into out (SHOWN_MAX bytes), cut on a character
 * boundary and ended with "…" when wider than maxw; true when cut. */
static bool fit_text(const char *s, double maxw, double fs, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	double ell = char_width(0x2026, fs), w = 0;
	size_t len = 0;

	if (!*s || (text_width(s, fs) <= maxw && strlen(s) < SHOWN_MAX)) {
		memcpy(out, s, strlen(s) + 1);
		return false;
	}
	while (*p) {
		unsigned cp;
		size_t n = utf8_next(p, &cp);
		double cw = char_width(cp, fs);
		if (w + cw > maxw - ell || len + n + 3 >= SHOWN_MAX)
			break;
		memcpy(out + len, p, n);
		len += n;
		w += cw;
		p += n;
	}
	while (len > 0 && out[len - 1] == ' ')   /* no "abc …" */
		len--;
	memcpy(out + len, "\xE2\x80\xA6", 4);   /* … and the NUL */
	return true;
}

/* Writes clean text s at (x, y), cut to maxw; a cut text carries the whole
 * one as a tooltip.  attrs: more attributes for <text>, from this file. */
static void put_text(struct buf *b, double x, double y, const char *s, double maxw, double fs,
		     const char *attrs)
{
	char shown[SHOWN_MAX];
	bool cut = fit_text(s, maxw, fs, shown);

	if (cut) {
		buf_adds(b, "<g><title>");
		buf_html(b, s);
		buf_adds(b, "</title>");
	}
	buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" %s>", x, y, fs, attrs);
	buf_html(b, shown);
	buf_adds(b, "</text>");
	if (cut)
		buf_adds(b, "</g>");
}

/* ---- numbers ---- */

static double clean_value(double v)
{
	if (!isfinite(v) || !(v > 0))
		return 0;
	return v > VALUE_MAX ? VALUE_MAX : v;
}

/* values[i] cleaned; a NULL array reads as zeros. */
static double value_at(const double *values, int i)
{
	return values ? clean_value(values[i]) : 0;
}

/* A whole number without decimals, anything else with one. */
static void fmt_value(double v, char *out, size_t outsz)
{
	double r = round(v * 10) / 10;

	if (r == floor(r))
		snprintf(out, outsz, "%.0f", r);
	else
		snprintf(out, outsz, "%.1f", r);
}

/* Estimated width of a formatted value plus its (clean) unit. */
static double value_width(double v, const char *unit, double fs)
{
	char num[64];

	fmt_value(v, num, sizeof(num));
	return text_width(num, fs) + text_width(unit, fs);
}

static void put_value(struct buf *b, double v, const char *unit)
{
	char num[64];

	fmt_value(v, num, sizeof(num));
	buf_adds(b, num);
	buf_html(b, unit);
}

/* ---- the frame ---- */

static void svg_open(struct buf *b, const char *title, double h)
{
	char t[LABEL_MAX];

	clean_text(title, t, sizeof(t));
	buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
		 "width=\"100%%\" role=\"img\" aria-label=\"", W, h);
	buf_html(b, t);
	buf_adds(b, "\" font-family=\"" FONT "\" fill=\"" C_FG "\"><title>");
	buf_html(b, t);
	buf_adds(b, "</title>");
}

static void svg_close(struct buf *b)
{
	buf_adds(b, "</svg>");
}

static void svg_empty(struct buf *b, const char *title)
{
	svg_open(b, title, 48);
	buf_addf(b, "<text x=\"%.0f\" y=\"29\" font-size=\"14\" text-anchor=\"middle\" fill=\"" C_MUTED
		 "\">暂无数据</text>", W / 2);
	svg_close(b);
}

/* ---- horizontal bars ---- */

#define BAR_ROW 26.0
#define BAR_H 18.0
#define BAR_PAD 8.0
#define BAR_FS 14.0
#define BAR_VFS 13.0

void svg_bars(struct buf *b, const char *title, const char *const *labels, const double *values, int n,
	      const char *unit)
{
	char lab[LABEL_MAX], u[64];
	double lw = 0, vw = 0, max = 0;

	if (n <= 0) {
		svg_empty(b, title);
		return;
	}
	clean_text(unit, u, sizeof(u));
	for (int i = 0; i < n; i++) {
		double v = value_at(values, i), w;
		clean_text(labels ? labels[i] : NULL, lab, sizeof(lab));
		w = text_width(lab, BAR_FS);
		if (w > lw)
			lw = w;
		w = value_width(v, u, BAR_VFS);
		if (w > vw)
			vw = w;
		if (v > max)
			max = v;
	}
	if (lw > W * 0.4)
		lw = W * 0.4;
	if (lw < 28)
		lw = 28;
	vw += 6;

	double x0 = BAR_PAD + lw + 8;               /* where the bars start */
	double area = W - x0 - vw - BAR_PAD;         /* the longest bar */
	double h = 2 * BAR_PAD + n * BAR_ROW;

	svg_open(b, title, h);
	buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_AXIS "\"/>",
		 x0, BAR_PAD, x0, h - BAR_PAD);
	for (int i = 0; i < n; i++) {
		double v = value_at(values, i);
		double y = BAR_PAD + i * BAR_ROW + (BAR_ROW - BAR_H) / 2;
		double bw = max > 0 ? v / max * area : 0;
		if (v >= 0.05 && bw < 1)
			bw = 1;             /* a value not shown as 0 stays visible */

		clean_text(labels ? labels[i] : NULL, lab, sizeof(lab));
		put_text(b, x0 - 8, y + BAR_H / 2 + BAR_FS * 0.35, lab, lw, BAR_FS, "text-anchor=\"end\"");
		buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"" C_BLUE "\"/>",
			 x0, y, bw, BAR_H);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\">", x0 + bw + 5,
			 y + BAR_H / 2 + BAR_VFS * 0.35, BAR_VFS);
		put_value(b, v, u);
		buf_adds(b, "</text>");
	}
	svg_close(b);
}

/* ---- age pyramid ---- */

#define PYR_TOP 34.0        /* room for the legend */
#define PYR_ROW 22.0
#define PYR_H 16.0
#define PYR_PAD 8.0
#define PYR_FS 13.0         /* band labels */
#define PYR_VFS 12.0        /* values */

void svg_pyramid(struct buf *b, const char *title, const char *const *bands, const double *men,
		 const double *women, int n)
{
	char lab[LABEL_MAX];
	double cw = 0, vw = 0, max = 0;

	if (n <= 0) {
		svg_empty(b, title);
		return;
	}
	for (int i = 0; i < n; i++) {
		double m = value_at(men, i), f = value_at(women, i), w;
		clean_text(bands ? bands[i] : NULL, lab, sizeof(lab));
		w = text_width(lab, PYR_FS);
		if (w > cw)
			cw = w;
		w = value_width(m > f ? m : f, "", PYR_VFS);
		if (w > vw)
			vw = w;
		if (m > max)
			max = m;
		if (f > max)
			max = f;
	}
	if (cw > 120)
		cw = 120;
	if (cw < 24)
		cw = 24;
	vw += 5;

	double mid = W / 2;
	double cl = mid - cw / 2 - 8, cr = mid + cw / 2 + 8;   /* where the bars start */
	double area = cl - PYR_PAD - vw;                        /* the longest bar */
	double h = PYR_TOP + n * PYR_ROW + PYR_PAD;

	svg_open(b, title, h);
	/* legend */
	buf_addf(b, "<rect x=\"%.1f\" y=\"10\" width=\"12\" height=\"12\" fill=\"" C_BLUE "\"/>"
		 "<text x=\"%.1f\" y=\"21\" font-size=\"13\">男</text>", PYR_PAD, PYR_PAD + 17);
	buf_addf(b, "<rect x=\"%.1f\" y=\"10\" width=\"12\" height=\"12\" fill=\"" C_WARM "\"/>"
		 "<text x=\"%.1f\" y=\"21\" font-size=\"13\" text-anchor=\"end\">女</text>",
		 W - PYR_PAD - 12, W - PYR_PAD - 17);
	buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_AXIS "\"/>"
		 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_AXIS "\"/>",
		 cl, PYR_TOP, cl, h - PYR_PAD, cr, PYR_TOP, cr, h - PYR_PAD);
	for (int i = 0; i < n; i++) {
		double m = value_at(men, i), f = value_at(women, i);
		double y = PYR_TOP + (n - 1 - i) * PYR_ROW + (PYR_ROW - PYR_H) / 2;
		double ty = y + PYR_H / 2 + PYR_VFS * 0.35;
		double mw = max > 0 ? m / max * area : 0, fw = max > 0 ? f / max * area : 0;
		if (m >= 0.05 && mw < 1)
			mw = 1;
		if (f >= 0.05 && fw < 1)
			fw = 1;

		clean_text(bands ? bands[i] : NULL, lab, sizeof(lab));
		put_text(b, mid, y + PYR_H / 2 + PYR_FS * 0.35, lab, cw, PYR_FS,
			 "text-anchor=\"middle\" fill=\"" C_MUTED "\"");
		buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"" C_BLUE "\"/>",
			 cl - mw, y, mw, PYR_H);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"end\">",
			 cl - mw - 4, ty, PYR_VFS);
		put_value(b, m, "");
		buf_adds(b, "</text>");
		buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"" C_WARM "\"/>",
			 cr, y, fw, PYR_H);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\">", cr + fw + 4, ty, PYR_VFS);
		put_value(b, f, "");
		buf_adds(b, "</text>");
	}
	svg_close(b);
}

/* ---- line over time ---- */

#define LN_TOP 34.0         /* unit caption and the values above the top */
#define LN_PLOT 200.0       /* plot height */
#define LN_BOTTOM 30.0      /* x labels */
#define LN_RIGHT 12.0
#define LN_FS 12.0          /* values, y labels */
#define LN_XFS 11.0         /* x labels */
#define HALO "stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\""

/* A round step for 3–4 intervals up to max (whole numbers when whole). */
static double nice_step(double max, bool whole, int *decimals)
{
	double raw, mag, norm, step;

	*decimals = 0;
	if (!(max > 0))
		return 1;
	raw = max / 4;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	if (norm <= 1)
		step = 1;
	else if (norm <= 2)
		step = 2;
	else if (norm <= 2.5)
		step = 2.5;
	else if (norm <= 5)
		step = 5;
	else
		step = 10;
	step *= mag;
	if (whole && step < 1)
		return 1;
	if (step < 1) {
		*decimals = (int)ceil(-log10(step) - 1e-9);
		if (step * pow(10, *decimals) - floor(step * pow(10, *decimals) + 1e-9) > 1e-6)
			(*decimals)++;            /* 0.25 → two */
		if (*decimals > 6)
			*decimals = 6;
	} else if (step == 2.5) {
		*decimals = 1;
	}
	return step;
}

/* The smallest k so that every k-th of n slots of width slot has room for
 * a text of width tw; at least ceil(n / 12) past 12. */
static int thin_step(int n, double slot, double tw)
{
	int k = n > 12 ? (n + 11) / 12 : 1;

	while (k < n && k * slot < tw + 4)
		k++;
	return k;
}

void svg_line(struct buf *b, const char *title, const char *const *labels, const double *values, int n,
	      const char *unit)
{
	char lab[LABEL_MAX], u[64], num[64];
	double max = 0, lw = 0, vw = 0;
	bool whole = true;
	int dec;

	if (n <= 0) {
		svg_empty(b, title);
		return;
	}
	clean_text(unit, u, sizeof(u));
	for (int i = 0; i < n; i++) {
		double v = value_at(values, i), w;
		if (v > max)
			max = v;
		if (v != floor(v))
			whole = false;
		clean_text(labels ? labels[i] : NULL, lab, sizeof(lab));
		w = text_width(lab, LN_XFS);
		if (w > lw)
			lw = w;
		w = value_width(v, "", LN_FS);
		if (w > vw)
			vw = w;
	}
	if (lw > 96)
		lw = 96;

	double step = nice_step(max, whole, &dec);
	int ticks = (int)ceil(max / step - 1e-9);
	if (ticks < 1)
		ticks = 1;
	double top = ticks * step;

	snprintf(num, sizeof(num), "%.*f", dec, top);
	double ml = text_width(num, LN_FS) + 14;
	if (ml < 32)
		ml = 32;
	/* room for half the widest x label beside the first and last points */
	double mr = LN_RIGHT, need = lw / 2 + 4 - (W - ml - mr) / n / 2;
	if (need > mr)
		mr = need;
	if (need > ml)
		ml = need;
	double pw = W - ml - mr, slot = pw / n;
	double base = LN_TOP + LN_PLOT, h = base + LN_BOTTOM;
	int kl = thin_step(n, slot, lw);
	/* the values: all when they fit, else the latest, the highest and the lowest */
	bool all_values = slot >= vw + 4;
	int imax = 0, imin = 0;
	for (int i = 1; i < n; i++) {
		if (value_at(values, i) > value_at(values, imax))
			imax = i;
		if (value_at(values, i) < value_at(values, imin))
			imin = i;
	}
	double r = slot < 10 ? 2 : 3.5;

	svg_open(b, title, h);
	if (u[0]) {
		buf_addf(b, "<text x=\"%.1f\" y=\"14\" font-size=\"%.0f\" fill=\"" C_MUTED "\">单位：", 4.0, LN_FS);
		buf_html(b, u);
		buf_adds(b, "</text>");
	}
	/* grid and y labels */
	for (int t = 0; t <= ticks; t++) {
		double y = base - t * LN_PLOT / ticks;
		buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", ml, y,
			 W - mr, y, t ? C_LINE : C_AXIS);
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"end\" fill=\"" C_MUTED
			 "\">%.*f</text>", ml - 6, y + LN_FS * 0.35, LN_FS, dec, t * step);
	}
	/* x labels, counted from the last so the latest always shows */
	for (int i = 0; i < n; i++) {
		double x = ml + (i + 0.5) * slot, room = kl * slot - 4, w;
		char shown[SHOWN_MAX];
		if ((n - 1 - i) % kl)
			continue;
		if (room > lw)
			room = lw;
		clean_text(labels ? labels[i] : NULL, lab, sizeof(lab));
		fit_text(lab, room, LN_XFS, shown);
		w = text_width(shown, LN_XFS);
		if (x - w / 2 < 2)              /* keep the ends inside */
			x = w / 2 + 2;
		if (x + w / 2 > W - 2)
			x = W - 2 - w / 2;
		put_text(b, x, base + 18, lab, room, LN_XFS, "text-anchor=\"middle\" fill=\"" C_MUTED "\"");
	}
	/* the line */
	if (n > 1) {
		buf_adds(b, "<polyline fill=\"none\" stroke=\"" C_BLUE "\" stroke-width=\"2\" "
			 "stroke-linejoin=\"round\" points=\"");
		for (int i = 0; i < n; i++)
			buf_addf(b, "%s%.1f,%.1f", i ? " " : "", ml + (i + 0.5) * slot,
				 base - value_at(values, i) / top * LN_PLOT);
		buf_adds(b, "\"/>");
	}
	/* dots (with the label and value as a tooltip) and values */
	for (int i = 0; i < n; i++) {
		double v = value_at(values, i);
		double x = ml + (i + 0.5) * slot, y = base - v / top * LN_PLOT;
		clean_text(labels ? labels[i] : NULL, lab, sizeof(lab));
		buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"" C_BLUE "\"><title>", x, y, r);
		buf_html(b, lab);
		buf_adds(b, "：");
		put_value(b, v, u);
		buf_adds(b, "</title></circle>");
		if (!all_values && i != n - 1 && i != imax && i != imin)
			continue;
		buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"middle\" " HALO ">", x,
			 y - 8, LN_FS);
		put_value(b, v, "");
		buf_adds(b, "</text>");
	}
	svg_close(b);
}

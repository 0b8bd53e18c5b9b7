/*
 * test_svg.c — unit tests for web/svg: every chart (bars, pyramid, line)
 * parses as XML with n = 0, 1 and 200, with labels holding <&"'>, control
 * characters, broken UTF-8 and long Chinese text; the values are written as
 * text, NaN / negative / infinite values are drawn as 0, long labels are cut
 * with "…" on a character boundary, and nothing a CSP would block (style
 * attributes, scripts, outside references) is written.
 *
 * Run from the repository root: the sample charts are also written to
 * build/svg-samples/ (one .svg each and an index.html showing them all).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "web/svg.h"

#define SAMPLES "build/svg-samples"

static struct buf samples_html = BUF_INIT;

/* ---- helpers ---- */

static void save_sample(const char *name, const char *svg)
{
	char path[256];
	FILE *f;

	if (mkdir("build", 0777) != 0 && errno != EEXIST)
		return;
	if (mkdir(SAMPLES, 0777) != 0 && errno != EEXIST)
		return;
	snprintf(path, sizeof(path), SAMPLES "/%s.svg", name);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(svg, f);
	fclose(f);
	buf_addf(&samples_html, "<h2>%s</h2>\n%s\n", name, svg);
}

static bool has_ci(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

/* Estimated width of UTF-8 s at font-size 14, by svg.c's rule: 8 units a
 * character below U+1100, 14 the others. */
static double est_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	double w = 0;
	while (*p) {
		unsigned cp = *p;
		size_t n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
		if (n == 2)
			cp = (cp & 0x1Fu) << 6 | (p[1] & 0x3Fu);
		else if (n >= 3)
			cp = 0x1100;
		w += cp < 0x1100 ? 8 : 14;
		p += n;
	}
	return w;
}

/* The y of the first <text> showing exactly s (-1: none). */
static double text_y(const char *svg, const char *s)
{
	char pat[256];
	const char *hit, *y;
	snprintf(pat, sizeof(pat), ">%s</text>", s);
	hit = strstr(svg, pat);
	if (!hit)
		return -1;
	for (y = hit; y > svg && strncmp(y, "<text ", 6) != 0; y--)
		;
	y = strstr(y, " y=\"");
	return y && y < hit ? strtod(y + 4, NULL) : -1;
}

struct walk {
	size_t texts;          /* <text> elements */
	size_t rects, circles, polylines;
	size_t cut;            /* texts ending in … */
	double widest_cut;     /* estimated width of the widest of them at 14 */
	struct buf all;        /* the content of every <text>, joined by '|' */
};

static void walk_nodes(xmlNode *n, struct walk *w)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)n->name;
		/* nothing a CSP or a sanitiser would object to */
		assert_null(xmlHasProp(n, (const xmlChar *)"style"));
		assert_null(xmlHasProp(n, (const xmlChar *)"href"));
		for (xmlAttr *a = n->properties; a; a = a->next)
			assert_false(strncmp((const char *)a->name, "on", 2) == 0);
		assert_true(strcmp(name, "script") != 0 && strcmp(name, "style") != 0 &&
			    strcmp(name, "image") != 0 && strcmp(name, "use") != 0 &&
			    strcmp(name, "foreignObject") != 0);
		if (!strcmp(name, "text")) {
			/* the shown text only, not a tooltip */
			struct buf t = BUF_INIT;
			for (xmlNode *c = n->children; c; c = c->next)
				if (c->type == XML_TEXT_NODE)
					buf_adds(&t, (const char *)c->content);
			const char *s = buf_cstr(&t);
			size_t len = strlen(s);
			w->texts++;
			if (len >= 3 && !strcmp(s + len - 3, "\xE2\x80\xA6")) {
				w->cut++;
				if (est_width(s) > w->widest_cut)
					w->widest_cut = est_width(s);
			}
			buf_adds(&w->all, s);
			buf_addc(&w->all, '|');
			buf_release(&t);
		} else if (!strcmp(name, "rect")) {
			w->rects++;
		} else if (!strcmp(name, "circle")) {
			w->circles++;
		} else if (!strcmp(name, "polyline")) {
			w->polylines++;
		}
		walk_nodes(n->children, w);
	}
}

/* Checks the frame and parses svg; fills w (release w->all after). */
static void check_svg(const char *svg, const char *title, struct walk *w)
{
	xmlDoc *doc;
	xmlNode *root, *first;
	xmlChar *s;

	memset(w, 0, sizeof(*w));
	buf_init(&w->all, 0);
	assert_true(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40) == 0);
	assert_false(has_ci(svg, "nan"));
	assert_false(has_ci(svg, "inf"));
	assert_false(has_ci(svg, "style="));
	assert_false(has_ci(svg, "<script"));
	assert_false(has_ci(svg, "url("));

	doc = xmlReadMemory(svg, (int)strlen(svg), "chart.svg", "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		fail_msg("not well-formed XML: %.400s", svg);
	root = xmlDocGetRootElement(doc);
	assert_non_null(root);
	assert_string_equal((const char *)root->name, "svg");
	assert_non_null(root->ns);
	assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2000/svg");

	s = xmlGetProp(root, (const xmlChar *)"viewBox");
	assert_non_null(s);
	double vw = 0, vh = 0;
	assert_int_equal(sscanf((const char *)s, "0 0 %lf %lf", &vw, &vh), 2);
	assert_true(vw > 0 && vh > 0);
	xmlFree(s);
	s = xmlGetProp(root, (const xmlChar *)"width");
	assert_string_equal((const char *)s, "100%");
	xmlFree(s);
	s = xmlGetProp(root, (const xmlChar *)"class");
	assert_string_equal((const char *)s, "chart");
	xmlFree(s);
	s = xmlGetProp(root, (const xmlChar *)"role");
	assert_string_equal((const char *)s, "img");
	xmlFree(s);
	s = xmlGetProp(root, (const xmlChar *)"aria-label");
	assert_string_equal((const char *)s, title);
	xmlFree(s);
	s = xmlGetProp(root, (const xmlChar *)"font-family");
	assert_non_null(strstr((const char *)s, "Noto Sans CJK SC"));
	xmlFree(s);

	first = root->children;
	while (first && first->type != XML_ELEMENT_NODE)
		first = first->next;
	assert_non_null(first);
	assert_string_equal((const char *)first->name, "title");
	s = xmlNodeGetContent(first);
	assert_string_equal((const char *)s, title);
	xmlFree(s);

	walk_nodes(root->children, w);
	xmlFreeDoc(doc);
}

/* Whether the text "|item|" (a whole <text>) was drawn. */
static bool drawn(struct walk *w, const char *item)
{
	char pat[256];
	const char *all = buf_cstr(&w->all);
	snprintf(pat, sizeof(pat), "%s|", item);
	size_t n = strlen(pat);
	if (!strncmp(all, pat, n))
		return true;
	snprintf(pat, sizeof(pat), "|%s|", item);
	return strstr(all, pat) != NULL;
}

static const char *const nasty[] = {
	"<&\"'>",
	"老年人（60岁及以上）居家养老服务需求调查登记人员名单汇总表第一批次",
	"tab\there\x01 bell\x7f",
	"bad \xff\xfe utf8 \xe8\xbd",       /* stray and truncated bytes */
	NULL,
	"",
	"𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯𫖯",
	"A long ASCII label that goes on and on and on",
};

/* ---- bars ---- */

static void test_bars_basic(void **state)
{
	const char *labels[] = { "幸福里小区", "和平路小区", "东风村" };
	const double values[] = { 120, 45.5, 2.96 };
	struct buf b = BUF_INIT;
	struct walk w;

	svg_bars(&b, "各小区人口", labels, values, 3, "人");
	assert_true(buf_ok(&b));
	save_sample("bars", buf_cstr(&b));
	check_svg(buf_cstr(&b), "各小区人口", &w);
	assert_true(drawn(&w, "幸福里小区"));
	assert_true(drawn(&w, "120人"));
	assert_true(drawn(&w, "45.5人"));
	assert_true(drawn(&w, "3人"));           /* 2.96 rounds to one decimal: 3.0 → 3 */
	assert_int_equal(w.rects, 3);
	assert_int_equal(w.cut, 0);
	/* the longest bar fills the room, the others in proportion */
	assert_non_null(strstr(buf_cstr(&b), "fill=\"#3b6ea5\""));
	buf_release(&w.all);
	buf_release(&b);
}

static void test_bars_escaping(void **state)
{
	const double values[] = { 1, NAN, -5, INFINITY, -INFINITY, 0.04, 7, 8 };
	struct buf b = BUF_INIT;
	struct walk w;

	svg_bars(&b, "<b>\"标题\" & 'x'</b>", nasty, values, 8, "<人>");
	assert_true(buf_ok(&b));
	save_sample("bars-nasty", buf_cstr(&b));
	assert_null(strstr(buf_cstr(&b), "<&\"'>"));
	assert_null(strstr(buf_cstr(&b), "<b>"));
	assert_non_null(strstr(buf_cstr(&b), "&lt;&amp;&quot;&#39;&gt;"));
	check_svg(buf_cstr(&b), "<b>\"标题\" & 'x'</b>", &w);
	assert_true(drawn(&w, "<&\"'>"));
	assert_true(drawn(&w, "1<人>"));
	assert_true(drawn(&w, "0<人>"));         /* NaN, negatives, inf and 0.04 */
	assert_false(drawn(&w, "0.0<人>"));
	assert_true(drawn(&w, "tab here  bell "));
	/* the long labels are cut to 40% of the width (256 units), "…" included */
	assert_true(w.cut >= 3);
	assert_true(w.widest_cut <= 256 && w.widest_cut > 200);
	assert_true(drawn(&w, "老年人（60岁及以上）居家养老服务需…") ||
		    drawn(&w, "老年人（60岁及以上）居家养老服务…"));
	/* the whole label stays as a tooltip */
	assert_non_null(strstr(buf_cstr(&b), "<title>老年人（60岁及以上）居家养老服务需求调查"));
	assert_int_equal(w.rects, 8);
	buf_release(&w.all);
	buf_release(&b);
}

static void test_bars_edges(void **state)
{
	const char *one[] = { "唯一" };
	const double v1[] = { 5 };
	const double zeros[] = { 0, 0, 0 };
	struct buf b = BUF_INIT;
	struct walk w;

	/* n = 0 */
	svg_bars(&b, "空", NULL, NULL, 0, "人");
	save_sample("bars-empty", buf_cstr(&b));
	check_svg(buf_cstr(&b), "空", &w);
	assert_true(drawn(&w, "暂无数据"));
	assert_int_equal(w.rects, 0);
	buf_release(&w.all);
	buf_reset(&b);

	svg_bars(&b, "负数", one, v1, -3, NULL);
	check_svg(buf_cstr(&b), "负数", &w);
	assert_true(drawn(&w, "暂无数据"));
	buf_release(&w.all);
	buf_reset(&b);

	/* n = 1, no unit, NULL title */
	svg_bars(&b, NULL, one, v1, 1, NULL);
	check_svg(buf_cstr(&b), "", &w);
	assert_true(drawn(&w, "唯一"));
	assert_true(drawn(&w, "5"));
	buf_release(&w.all);
	buf_reset(&b);

	/* all zero: empty bars, values 0 */
	svg_bars(&b, "全零", NULL, zeros, 3, "户");
	check_svg(buf_cstr(&b), "全零", &w);
	assert_int_equal(w.rects, 3);
	assert_non_null(strstr(buf_cstr(&b), "width=\"0.0\""));
	assert_true(drawn(&w, "0户"));
	buf_release(&w.all);
	buf_reset(&b);

	/* NULL values: zeros */
	svg_bars(&b, "无值", one, NULL, 1, "人");
	check_svg(buf_cstr(&b), "无值", &w);
	assert_true(drawn(&w, "0人"));
	buf_release(&w.all);
	buf_release(&b);
}

static void test_bars_many(void **state)
{
	enum { N = 200 };
	char names[N][32];
	const char *labels[N];
	double values[N];
	struct buf b = BUF_INIT;
	struct walk w;
	char want[32];

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "第%d网格", i + 1);
		labels[i] = names[i];
		values[i] = N - i;
	}
	svg_bars(&b, "两百条", labels, values, N, "人");
	assert_true(buf_ok(&b));
	save_sample("bars-200", buf_cstr(&b));
	check_svg(buf_cstr(&b), "两百条", &w);
	assert_int_equal(w.rects, N);
	for (int i = 0; i < N; i++) {
		snprintf(want, sizeof(want), "%d人", N - i);
		assert_true(drawn(&w, want));
		assert_true(drawn(&w, names[i]));
	}
	/* the height grows with n */
	double h = 0;
	assert_int_equal(sscanf(strstr(buf_cstr(&b), "viewBox=\"") + 9, "0 0 %*f %lf", &h), 1);
	assert_true(h > N * 20);
	buf_release(&w.all);
	buf_release(&b);
}

/* ---- pyramid ---- */

static void test_pyramid(void **state)
{
	const char *bands[] = { "0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79",
				"80-89", "90+" };
	const double men[] = { 210, 188, 240, 305, 290, 260, 220, 140, 61, 8 };
	const double women[] = { 198, 180, 235, 298, 301, 275, 248, 170, 92, 17.5 };
	struct buf b = BUF_INIT;
	struct walk w;

	svg_pyramid(&b, "年龄结构", bands, men, women, 10);
	assert_true(buf_ok(&b));
	save_sample("pyramid", buf_cstr(&b));
	check_svg(buf_cstr(&b), "年龄结构", &w);
	assert_true(drawn(&w, "男"));
	assert_true(drawn(&w, "女"));
	assert_true(drawn(&w, "90+"));
	assert_true(drawn(&w, "305"));
	assert_true(drawn(&w, "17.5"));
	assert_int_equal(w.rects, 2 * 10 + 2);   /* bars and the legend swatches */
	/* the youngest band is at the bottom */
	double y0 = text_y(buf_cstr(&b), "0-9"), y9 = text_y(buf_cstr(&b), "90+");
	assert_true(y0 > 0 && y9 > 0 && y0 > y9);
	buf_release(&w.all);
	buf_release(&b);
}

static void test_pyramid_edges(void **state)
{
	const double men[] = { NAN, -1, 3 };
	const double women[] = { INFINITY, 0, 0 };
	struct buf b = BUF_INIT;
	struct walk w;

	svg_pyramid(&b, "空", NULL, NULL, NULL, 0);
	check_svg(buf_cstr(&b), "空", &w);
	assert_true(drawn(&w, "暂无数据"));
	buf_release(&w.all);
	buf_reset(&b);

	svg_pyramid(&b, "怪值", nasty, men, women, 3);
	save_sample("pyramid-nasty", buf_cstr(&b));
	check_svg(buf_cstr(&b), "怪值", &w);
	assert_true(drawn(&w, "<&\"'>"));
	assert_true(drawn(&w, "3"));
	assert_true(drawn(&w, "0"));
	assert_true(w.cut >= 1);                 /* the long band is cut */
	buf_release(&w.all);
	buf_reset(&b);

	/* one band, women missing */
	svg_pyramid(&b, "一段", nasty + 5, men + 2, NULL, 1);
	check_svg(buf_cstr(&b), "一段", &w);
	assert_int_equal(w.rects, 4);
	buf_release(&w.all);
	buf_reset(&b);

	/* all zero */
	const double z[] = { 0, 0 };
	svg_pyramid(&b, "全零", nasty, z, z, 2);
	check_svg(buf_cstr(&b), "全零", &w);
	buf_release(&w.all);
	buf_reset(&b);

	/* 200 bands */
	enum { N = 200 };
	double m[N], f[N];
	for (int i = 0; i < N; i++) {
		m[i] = i;
		f[i] = N - i;
	}
	svg_pyramid(&b, "两百段", NULL, m, f, N);
	assert_true(buf_ok(&b));
	check_svg(buf_cstr(&b), "两百段", &w);
	assert_int_equal(w.rects, 2 * N + 2);
	assert_true(drawn(&w, "199"));
	buf_release(&w.all);
	buf_release(&b);
}

/* ---- line ---- */

static void test_line(void **state)
{
	const char *months[] = { "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
				 "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06" };
	const double values[] = { 12, 15, 9, 22, 30, 28, 17, 19, 25, 31, 27, 33 };
	struct buf b = BUF_INIT;
	struct walk w;

	svg_line(&b, "每月新增登记", months, values, 12, "人");
	assert_true(buf_ok(&b));
	save_sample("line", buf_cstr(&b));
	check_svg(buf_cstr(&b), "每月新增登记", &w);
	assert_int_equal(w.circles, 12);
	assert_int_equal(w.polylines, 1);
	assert_true(drawn(&w, "2026-06"));       /* the latest month always shows */
	assert_true(drawn(&w, "33"));
	assert_true(drawn(&w, "9"));
	assert_true(drawn(&w, "单位：人"));
	/* y axis: 0 … 40 in steps of 10 */
	assert_true(drawn(&w, "0"));
	assert_true(drawn(&w, "10"));
	assert_true(drawn(&w, "40"));
	assert_false(drawn(&w, "50"));
	/* each dot has a tooltip with its month and value */
	assert_non_null(strstr(buf_cstr(&b), "<title>2026-01：17人</title>"));
	buf_release(&w.all);
	buf_release(&b);
}

static void test_line_edges(void **state)
{
	const char *one[] = { "2026-01" };
	const double v1[] = { 7 };
	const double frac[] = { 0.1, 0.35, 0.2 };
	const double bad[] = { NAN, -3, INFINITY, 4, 0, 1, 2, 3 };
	struct buf b = BUF_INIT;
	struct walk w;

	svg_line(&b, "空", NULL, NULL, 0, "人");
	save_sample("line-empty", buf_cstr(&b));
	check_svg(buf_cstr(&b), "空", &w);
	assert_true(drawn(&w, "暂无数据"));
	buf_release(&w.all);
	buf_reset(&b);

	/* n = 1: a dot, no line */
	svg_line(&b, "一个月", one, v1, 1, "人");
	save_sample("line-one", buf_cstr(&b));
	check_svg(buf_cstr(&b), "一个月", &w);
	assert_int_equal(w.circles, 1);
	assert_int_equal(w.polylines, 0);
	assert_true(drawn(&w, "2026-01"));
	assert_true(drawn(&w, "7"));
	buf_release(&w.all);
	buf_reset(&b);

	/* fractions: the ticks keep their decimals */
	svg_line(&b, "比例", one, frac, 1, NULL);
	check_svg(buf_cstr(&b), "比例", &w);
	assert_true(drawn(&w, "0.1"));
	buf_release(&w.all);
	buf_reset(&b);
	svg_line(&b, "比例", NULL, frac, 3, "");
	save_sample("line-fractions", buf_cstr(&b));
	check_svg(buf_cstr(&b), "比例", &w);
	assert_true(drawn(&w, "0.35") || drawn(&w, "0.4"));
	assert_true(drawn(&w, "0.30") || drawn(&w, "0.3"));
	assert_false(drawn(&w, "单位："));
	buf_release(&w.all);
	buf_reset(&b);

	/* all zero */
	const double z[] = { 0, 0, 0 };
	svg_line(&b, "全零", one, z, 1, "人");
	check_svg(buf_cstr(&b), "全零", &w);
	buf_release(&w.all);
	buf_reset(&b);
	svg_line(&b, "全零", NULL, z, 3, "人");
	check_svg(buf_cstr(&b), "全零", &w);
	buf_release(&w.all);
	buf_reset(&b);

	/* odd values and labels */
	svg_line(&b, "<怪>", nasty, bad, 8, "<&>");
	save_sample("line-nasty", buf_cstr(&b));
	check_svg(buf_cstr(&b), "<怪>", &w);
	assert_true(drawn(&w, "4"));
	assert_true(drawn(&w, "单位：<&>"));
	buf_release(&w.all);
	buf_reset(&b);

	/* huge values do not run away */
	const double huge[] = { 1e300, 5 };
	svg_line(&b, "大", NULL, huge, 2, "人");
	check_svg(buf_cstr(&b), "大", &w);
	buf_release(&w.all);
	buf_release(&b);
}

static void test_line_many(void **state)
{
	enum { N = 200 };
	char names[N][16];
	const char *labels[N];
	double values[N];
	struct buf b = BUF_INIT;
	struct walk w;

	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "%04d-%02d", 2010 + i / 12, i % 12 + 1);
		labels[i] = names[i];
		values[i] = 50 + 40 * sin(i / 9.0);
	}
	svg_line(&b, "两百个月", labels, values, N, "人");
	assert_true(buf_ok(&b));
	save_sample("line-200", buf_cstr(&b));
	check_svg(buf_cstr(&b), "两百个月", &w);
	assert_int_equal(w.circles, N);
	assert_true(drawn(&w, names[N - 1]));
	/* thinned: far fewer x labels than points, and at most 12 */
	size_t xl = 0;
	for (int i = 0; i < N; i++)
		if (drawn(&w, names[i]))
			xl++;
	assert_true(xl >= 2 && xl <= 12);
	/* too dense for every value: the latest, the highest and the lowest */
	assert_true(w.texts < 40);
	assert_true(drawn(&w, "45.2"));
	buf_release(&w.all);
	buf_reset(&b);

	/* 13 months thin to every other one */
	svg_line(&b, "十三个月", labels, values, 13, "人");
	save_sample("line-13", buf_cstr(&b));
	check_svg(buf_cstr(&b), "十三个月", &w);
	xl = 0;
	for (int i = 0; i < 13; i++)
		if (drawn(&w, names[i]))
			xl++;
	assert_true(xl <= 7);
	assert_true(drawn(&w, names[12]));
	for (int i = 0; i < 13; i++) {           /* but every value still shows */
		char want[32];
		double r = round(values[i] * 10) / 10;
		snprintf(want, sizeof(want), r == floor(r) ? "%.0f" : "%.1f", r);
		assert_true(drawn(&w, want));
	}
	buf_release(&w.all);
	buf_release(&b);
}

static int write_index(void **state)
{
	FILE *f;

	if (buf_cstr(&samples_html)[0]) {
		f = fopen(SAMPLES "/index.html", "w");
		if (f) {
			fputs("<!doctype html><meta charset=\"utf-8\"><title>svg samples</title>"
			      "<style>body{font:15px system-ui,'Noto Sans CJK SC',sans-serif;margin:1rem}"
			      "svg.chart{display:block;max-width:640px;height:auto;background:#fff;"
			      "border:1px solid #d9e2ec}</style>\n", f);
			fputs(buf_cstr(&samples_html), f);
			fclose(f);
		}
	}
	buf_release(&samples_html);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars_basic),
		cmocka_unit_test(test_bars_escaping),
		cmocka_unit_test(test_bars_edges),
		cmocka_unit_test(test_bars_many),
		cmocka_unit_test(test_pyramid),
		cmocka_unit_test(test_pyramid_edges),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_line_edges),
		cmocka_unit_test(test_line_many),
	};
	int rc = cmocka_run_group_tests_name("svg", tests, NULL, write_index);
	xmlCleanupParser();
	return rc;
}

/*
 * spec.c — the route table's input spec checked: the query parameters a
 * route declares (http.h struct qparam) and its role set.  Pure functions
 * (the router gives them a getter), so that tests/unit/test_route_spec.c
 * can drive them without a server.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "lib/util.h"
#include "model/codes.h"

int qspec_index(const struct qparam *spec, const char *name)
{
	for (int i = 0; spec && spec[i].name; i++)
		if (strcmp(spec[i].name, name) == 0)
			return i;
	return -1;
}

/* A yes/no parameter, as forms and people write it: 1/true/yes/on (an
 * HTML checkbox without a value sends "on") and 0/false/no/off, in any
 * case. */
bool qbool_true(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
		     strcasecmp(v, "on") == 0);
}

static bool qbool_ok(const char *v)
{
	return qbool_true(v) || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
	       strcasecmp(v, "off") == 0;
}

/* Characters (not bytes) of UTF-8 text. */
static int64_t u8_chars(const char *s)
{
	int64_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool word_in(const char *v, const char *words)
{
	size_t n = strlen(v);
	for (const char *p = words; *p;) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p += len + (e ? 1 : 0);
	}
	return false;
}

/* "xlsx|csv" as "xlsx 或 csv" (at most outsz bytes). */
static void words_label(const char *words, char *out, size_t outsz)
{
	size_t o = 0;
	for (const char *p = words; *p && o + 8 < outsz; p++) {
		if (*p == '|') {
			o += (size_t)snprintf(out + o, outsz - o, " 或 ");
		} else {
			out[o++] = *p;
			out[o] = '\0';
		}
	}
	if (o < outsz)
		out[o] = '\0';
}

int qspec_check(const struct qparam *spec, const char *(*get)(void *ud, const char *name), void *ud,
		int64_t *vals, struct jw_error *err)
{
	for (int i = 0; spec && spec[i].name && i < HTTP_MAX_QSPEC; i++) {
		const struct qparam *q = &spec[i];
		const char *v = get(ud, q->name);
		if (q->type == Q_INT)
			vals[i] = q->def;
		if (str_empty(v)) {
			if (q->required)
				return jw_fail(err, JW_EBADREQ, q->name, "缺少参数 %s：请在地址的查询部分给出 %s=…", q->name,
					       q->name);
			continue;
		}
		switch (q->type) {
		case Q_INT:
			if (!parse_i64(v, q->min, q->max, &vals[i])) {
				if (q->max >= INT64_MAX / 4)
					return jw_fail(err, JW_EBADREQ, q->name, "参数 %s 应为不小于%lld的整数（十进制数字）",
						       q->name, (long long)q->min);
				return jw_fail(err, JW_EBADREQ, q->name, "参数 %s 应为%lld到%lld之间的整数", q->name,
					       (long long)q->min, (long long)q->max);
			}
			break;
		case Q_DATE: {
			int y, m, d;
			if (!date_parse(v, &y, &m, &d))
				return jw_fail(err, JW_EBADREQ, q->name, "参数 %s 应为日期，写作 年-月-日，如 2024-03-01",
					       q->name);
			break;
		}
		case Q_TEXT:
			if (u8_chars(v) > q->max)
				return jw_fail(err, JW_EBADREQ, q->name, "参数 %s 太长：最多%lld个字，请缩短后再试", q->name,
					       (long long)q->max);
			break;
		case Q_CODE:
			if (q->min < 0 || q->min >= CT__COUNT || !code_lookup(&code_tables[q->min], v))
				return jw_fail(err, JW_EBADREQ, q->name,
					       "参数 %s 的值“%.60s”不在代码表中：可用的代码见 GET /api/v1/codes 的 %s", q->name, v,
					       q->min >= 0 && q->min < CT__COUNT ? code_tables[q->min].key : "");
			break;
		case Q_BOOL:
			if (!qbool_ok(v))
				return jw_fail(err, JW_EBADREQ, q->name, "参数 %s 应为 1（是）或 0（否）", q->name);
			break;
		case Q_WORD:
			if (!word_in(v, q->words)) {
				char w[128];
				words_label(q->words, w, sizeof(w));
				return jw_fail(err, JW_EBADREQ, q->name, "参数 %s 应为 %s", q->name, w);
			}
			break;
		}
	}
	return JW_OK;
}

bool role_allowed(unsigned roles, enum role r)
{
	return roles == 0 || (r > ROLE_NONE && r < 32 && (roles & ROLE_BIT(r)));
}

void role_set_label(unsigned roles, char *out, size_t outsz)
{
	size_t o = 0;
	if (outsz)
		out[0] = '\0';
	for (int r = ROLE_ADMIN; r <= ROLE_GRID_WORKER && o < outsz; r++)
		if (roles & ROLE_BIT(r))
			o += (size_t)snprintf(out + o, outsz - o, "%s%s", o ? "、" : "", role_label((enum role)r));
}

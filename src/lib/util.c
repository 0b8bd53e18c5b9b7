/*
 * util.c — checked parsing, allocation and date helpers; see util.h.
 */
#include "lib/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;
	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void oom(void)
{
	fputs("juwei: 内存不足 (out of memory)\n", stderr);
	abort();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s ? s : "", n);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		oom();
	return q;
}

size_t strlcpy_jw(char *dst, const char *src, size_t dstsz)
{
	size_t n = strlen(src);
	if (dstsz) {
		size_t c = n < dstsz - 1 ? n : dstsz - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

bool str_empty(const char *s) { return !s || !*s; }

bool date_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	int md = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		md = 29;
	return d <= md;
}

bool date_parse(const char *s, int *y, int *m, int *d)
{
	int yy, mm, dd;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	mm = (s[5] - '0') * 10 + (s[6] - '0');
	dd = (s[8] - '0') * 10 + (s[9] - '0');
	if (!date_valid(yy, mm, dd))
		return false;
	*y = yy;
	*m = mm;
	*d = dd;
	return true;
}

int age_on(int y, int m, int d, int ty, int tm, int td)
{
	int a = ty - y;
	if (tm < m || (tm == m && td < d))
		a--;
	return a;
}

void date_today(int *y, int *m, int *d)
{
	time_t t = time(NULL);
	struct tm tmv;
	localtime_r(&t, &tmv);
	*y = tmv.tm_year + 1900;
	*m = tmv.tm_mon + 1;
	*d = tmv.tm_mday;
}

void date_years_before(int years, int y, int m, int d, char out[11])
{
	int ty = y - years, tm = m, td = d;
	if (tm == 2 && td == 28 && !date_valid(y, 2, 29) && date_valid(ty, 2, 29))
		td = 29;
	else if (!date_valid(ty, tm, td))
		td = 28;
	snprintf(out, 11, "%04d-%02d-%02d", ty, tm, td);
}

int64_t now_s(void) { return (int64_t)time(NULL); }

bool temp_file(char *out, size_t outsz, const char *suffix, const void *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int n = snprintf(out, outsz, "%s/juwei-XXXXXX%s", dir, suffix ? suffix : "");
	if (n < 0 || (size_t)n >= outsz)
		return false;
	int fd = mkstemps(out, suffix ? (int)strlen(suffix) : 0);
	if (fd < 0)
		return false;
	const char *p = data;
	size_t left = data ? len : 0;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w <= 0) {
			close(fd);
			unlink(out);
			return false;
		}
		p += w;
		left -= (size_t)w;
	}
	if (close(fd) != 0) {
		unlink(out);
		return false;
	}
	return true;
}

/* Howard Hinnant's algorithms (chrono-Compatible Low-Level Date Algorithms). */
int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

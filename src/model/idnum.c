/*
 * idnum.c — GB 11643-1999 citizen ID numbers and the other identity
 * documents; see idnum.h.
 *
 * Every check names the fix in Chinese.  The document types are one table
 * (doc_rules) so adding a type is one row and one checker.  The address code
 * is deliberately never looked up: a number keeps the code of the county
 * that issued it even after the county is abolished.
 */
#include "model/idnum.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

#define ID_LEN 18
#define OLD_ID_LEN 15
#define NORM_MAX 64     /* longer input is wrong anyway; we still count it */

/*
 * Decodes one UTF-8 character at p (left > 0 bytes); returns its length
 * and the code point in *cp, or length 1 and U+FFFD for a malformed byte.
 */
static size_t u8_decode(const unsigned char *p, size_t left, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		c = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		c = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		goto bad;
	}
	if (n > left)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (p[i] & 0x3F);
	}
	*cp = c;
	return n;
bad:
	*cp = 0xFFFD;
	return 1;
}

/* Spaces trimmed from both ends: ASCII blanks, no-break and ideographic. */
static bool is_space_cp(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f' || c == 0xA0 || c == 0x3000;
}

/* Full-width digits and Latin letters to ASCII; other code points as is. */
static uint32_t halfwidth(uint32_t c)
{
	if (c >= 0xFF10 && c <= 0xFF19)
		return '0' + (c - 0xFF10);
	if (c >= 0xFF21 && c <= 0xFF3A)
		return 'A' + (c - 0xFF21);
	if (c >= 0xFF41 && c <= 0xFF5A)
		return 'a' + (c - 0xFF41);
	return c;
}

/*
 * Drops every space in s (ends and inside: people group the digits as
 * "110105 19580305 123X"), turns full-width characters half-width and upper-cases ASCII
 * letters (all of them if upper_all, else only x), writing into out
 * (outsz > 0, always terminated, never a partial character).  Returns the
 * number of characters of the whole normalised text; *fits tells whether
 * all of them went into out.
 */
static size_t normalise(const char *s, char *out, size_t outsz, bool upper_all,
			bool *fits)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), n, len, used = 0, nchars = 0;
	const unsigned char *end;
	uint32_t c;

	*fits = true;
	out[0] = '\0';
	while (left) {                  /* leading spaces */
		n = u8_decode(p, left, &c);
		if (!is_space_cp(c))
			break;
		p += n;
		left -= n;
	}
	end = p;                        /* end of the last non-space */
	for (const unsigned char *q = p; q < p + left; q += n) {
		n = u8_decode(q, (size_t)(p + left - q), &c);
		if (!is_space_cp(c))
			end = q + n;
	}
	left = (size_t)(end - p);

	while (left) {
		n = u8_decode(p, left, &c);
		if (is_space_cp(c)) {   /* "110105 19580305 123X": spaces go */
			p += n;
			left -= n;
			continue;
		}
		c = halfwidth(c);
		if (c == 'x' || (upper_all && c >= 'a' && c <= 'z'))
			c -= 'a' - 'A';
		len = c < 0x80 ? 1 : (c == 0xFFFD && n == 1 ? 1 : n);
		if (*fits && used + len < outsz) {
			if (c < 0x80)
				out[used] = (char)c;
			else if (c == 0xFFFD && n == 1)
				out[used] = '?';        /* never copy a stray byte */
			else
				memcpy(out + used, p, n);
			used += len;
			out[used] = '\0';
		} else {
			*fits = false;
		}
		nchars++;
		p += n;
		left -= n;
	}
	return nchars;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

char idnum_check_char(const char *first17)
{
	static const char map[] = "10X98765432";
	unsigned sum = 0, w = 1;
	int i;

	if (!first17)
		return 0;
	for (i = 0; i < ID_LEN - 1; i++)
		if (!is_digit(first17[i]))
			return 0;
	/* weight of position i is 2^(17-i) mod 11; walk from the right */
	for (i = ID_LEN - 2; i >= 0; i--) {
		w = (w * 2) % 11;
		sum += (unsigned)(first17[i] - '0') * w;
	}
	return map[sum % 11];
}

static int days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

static int num_at(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static enum idnum_kind kind_of(const char *num)
{
	if (num[0] == '8' && (num[1] == '1' || num[1] == '2' || num[1] == '3'))
		return IDNUM_HMT_PERMIT;
	if (num[0] == '9')
		return IDNUM_FOREIGN_PERMANENT;
	return IDNUM_RESIDENT;
}

/*
 * Fails on the first character that is neither a digit nor an X (an X
 * anywhere if x_anywhere, else only in last place), quoting it.  buf holds
 * nchars characters.
 */
static int check_chars(const char *buf, size_t nchars, bool x_anywhere,
		       const char *field, const char *noun, struct jw_error *err)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t left = strlen(buf), n;
	uint32_t c;

	for (size_t i = 0; left; i++, p += n, left -= n) {
		n = u8_decode(p, left, &c);
		if (c >= '0' && c <= '9')
			continue;
		if (c == 'X' && (x_anywhere || i == nchars - 1))
			continue;
		if (c == ' ' || c == 0x3000)
			return jw_fail(err, JW_EINVAL, field,
				       "%s只能包含数字和末位X（第%zu位是空格），请删去空格",
				       noun, i + 1);
		return jw_fail(err, JW_EINVAL, field,
			       "%s只能包含数字和末位X（第%zu位是“%.*s”），请核对",
			       noun, i + 1, (int)n, (const char *)p);
	}
	return 0;
}

/*
 * The common parser: noun names the number in messages; allow15 permits
 * upgrading a 15-digit number (only 居民身份证 ever had them).
 */
static int parse18(const char *s, const char *field, const char *noun,
		   bool allow15, struct idnum_info *out, struct jw_error *err)
{
	char buf[NORM_MAX], num[ID_LEN + 1];
	size_t nchars;
	bool fits, upgraded = false;
	int y, m, d, ty, tm, td, rc;
	char want;

	if (out)
		memset(out, 0, sizeof(*out));
	nchars = normalise(s, buf, sizeof(buf), false, &fits);
	if (nchars == 0)
		return jw_fail(err, JW_EINVAL, field, "请填写%s", noun);
	/* a stray letter first; then the length; then where the X is */
	if (fits && (rc = check_chars(buf, nchars, true, field, noun, err)))
		return rc;
	if (allow15 && nchars == OLD_ID_LEN) {
		if (!all_digits(buf, OLD_ID_LEN))
			return jw_fail(err, JW_EINVAL, field,
				       "15位的旧%s只能包含数字，请核对", noun);
		memcpy(num, buf, 6);
		memcpy(num + 6, "19", 2);
		memcpy(num + 8, buf + 6, 9);
		num[17] = idnum_check_char(num);
		num[18] = '\0';
		upgraded = true;
	} else if (nchars != ID_LEN) {
		return jw_fail(err, JW_EINVAL, field,
			       "%s应为18位（现为%zu位），请核对", noun, nchars);
	} else if ((rc = check_chars(buf, nchars, false, field, noun, err))) {
		return rc;
	} else {
		memcpy(num, buf, ID_LEN + 1);
	}

	y = num_at(num + 6, 4);
	m = num_at(num + 10, 2);
	d = num_at(num + 12, 2);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return jw_fail(err, JW_EINVAL, field,
			       "%s中的出生日期%.8s不是有效日期，请核对",
			       noun, num + 6);
	if (y < 1880)
		return jw_fail(err, JW_EINVAL, field,
			       "%s中的出生日期%.8s早于1880年，请核对",
			       noun, num + 6);
	date_today(&ty, &tm, &td);
	if (y * 10000 + m * 100 + d > ty * 10000 + tm * 100 + td)
		return jw_fail(err, JW_EINVAL, field,
			       "%s中的出生日期%.8s晚于今天，请核对",
			       noun, num + 6);

	want = idnum_check_char(num);
	if (num[17] != want)
		return jw_fail(err, JW_EINVAL, field,
			       "%s第18位校验码应为%c，请核对号码是否抄错",
			       noun, want);

	if (out) {
		memcpy(out->number, num, sizeof(out->number));
		out->year = y;
		out->month = m;
		out->day = d;
		out->sex = (num[16] - '0') % 2 ? 1 : 2;
		out->kind = kind_of(num);
		out->upgraded = upgraded;
	}
	return 0;
}

int idnum_parse(const char *s, const char *field, struct idnum_info *out,
		struct jw_error *err)
{
	return parse18(s, field, "公民身份号码", true, out, err);
}

bool idnum_valid(const char *s)
{
	return parse18(s, "", "公民身份号码", true, NULL, NULL) == 0;
}

/* ---- document types ---------------------------------------------------- */

/*
 * One checker per document type.  buf is the normalised (upper-cased)
 * number of nchars characters, fits false if it was too long to keep.
 */
typedef int (*doc_checker)(const char *buf, size_t nchars, bool fits,
			   const char *field, const char *noun,
			   struct idnum_info *info, bool *derived,
			   struct jw_error *err);

static int check_id_card(const char *buf, size_t nchars, bool fits,
			 const char *field, const char *noun,
			 struct idnum_info *info, bool *derived,
			 struct jw_error *err)
{
	int rc = parse18(buf, field, noun, true, info, err);
	if (rc)
		return rc;
	switch (info->kind) {
	case IDNUM_HMT_PERMIT:
		return jw_fail(err, JW_EINVAL, field,
			       "%s不能以%.2s开头：这是港澳台居民居住证号码，"
			       "请将证件类型改为港澳台居民居住证",
			       noun, info->number);
	case IDNUM_FOREIGN_PERMANENT:
		return jw_fail(err, JW_EINVAL, field,
			       "%s不能以9开头：这是外国人永久居留身份证号码，"
			       "请将证件类型改为外国人永久居留身份证", noun);
	case IDNUM_RESIDENT:
		break;
	}
	if (info->number[0] < '1' || info->number[0] > '6')
		return jw_fail(err, JW_EINVAL, field,
			       "%s第1位应为1至6（省级行政区划代码），请核对",
			       noun);
	*derived = true;
	return 0;
}

static int check_residence_permit(const char *buf, size_t nchars, bool fits,
				  const char *field, const char *noun,
				  struct idnum_info *info, bool *derived,
				  struct jw_error *err)
{
	static const char *const prefixes[] = { "810000", "820000", "830000" };
	int rc = parse18(buf, field, noun, false, info, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (memcmp(info->number, prefixes[i], 6) == 0) {
			*derived = true;
			return 0;
		}
	}
	return jw_fail(err, JW_EINVAL, field,
		       "%s应以810000（香港）、820000（澳门）或830000（台湾）开头；"
		       "内地居民请将证件类型选为居民身份证", noun);
}

static int check_foreign_permanent(const char *buf, size_t nchars, bool fits,
				   const char *field, const char *noun,
				   struct idnum_info *info, bool *derived,
				   struct jw_error *err)
{
	if (nchars == 0)
		return jw_fail(err, JW_EINVAL, field, "请填写%s", noun);
	if (fits && nchars == OLD_ID_LEN && is_upper(buf[0])) {
		/* the pre-2023 format: nationality letters and 12 digits */
		if (is_upper(buf[1]) && is_upper(buf[2]) &&
		    all_digits(buf + 3, OLD_ID_LEN - 3))
			return 0;
	} else if (buf[0] == '9') {
		int rc = parse18(buf, field, noun, false, info, err);
		if (rc)
			return rc;
		*derived = true;
		return 0;
	}
	return jw_fail(err, JW_EINVAL, field,
		       "%s应为以9开头的18位号码（2023年起的新版），"
		       "或3位字母加12位数字（旧版），请核对", noun);
}

static int check_passport(const char *buf, size_t nchars, bool fits,
			  const char *field, const char *noun,
			  struct idnum_info *info, bool *derived,
			  struct jw_error *err)
{
	bool ok = fits && nchars >= 5 && nchars <= 17;
	for (size_t i = 0; ok && buf[i]; i++)
		ok = is_digit(buf[i]) || is_upper(buf[i]);
	if (!ok)
		return jw_fail(err, JW_EINVAL, field,
			       "%s应为5至17位字母或数字（现为%zu位），请按护照核对",
			       noun, nchars);
	return 0;
}

static int check_hk_macau_permit(const char *buf, size_t nchars, bool fits,
				 const char *field, const char *noun,
				 struct idnum_info *info, bool *derived,
				 struct jw_error *err)
{
	if (fits && (nchars == 9 || nchars == 11) &&
	    (buf[0] == 'H' || buf[0] == 'M') && all_digits(buf + 1, nchars - 1))
		return 0;
	return jw_fail(err, JW_EINVAL, field,
		       "%s应为H或M加8位或10位数字，请核对", noun);
}

static int check_taiwan_permit(const char *buf, size_t nchars, bool fits,
			       const char *field, const char *noun,
			       struct idnum_info *info, bool *derived,
			       struct jw_error *err)
{
	if (fits && (nchars == 8 || nchars == 10) && all_digits(buf, nchars))
		return 0;
	return jw_fail(err, JW_EINVAL, field,
		       "%s应为8位或10位数字，请核对", noun);
}

/* The document types; codes and order match code table "doc_type". */
static const struct doc_rule {
	const char *code;       /* doc_type code string */
	const char *noun;       /* how messages name the number */
	doc_checker check;
} doc_rules[] = {
	{ "id_card", "公民身份号码", check_id_card },
	{ "residence_permit", "港澳台居民居住证号码", check_residence_permit },
	{ "foreign_permanent", "外国人永久居留身份证号码", check_foreign_permanent },
	{ "passport", "护照号码", check_passport },
	{ "hk_macau_permit", "港澳居民来往内地通行证号码", check_hk_macau_permit },
	{ "taiwan_permit", "台湾居民来往大陆通行证号码", check_taiwan_permit },
};
#define N_RULES (sizeof(doc_rules) / sizeof(doc_rules[0]))

int doc_check(const char *doc_type, const char *number, const char *field,
	      char *out_number, size_t outsz, struct idnum_info *info,
	      bool *derived, struct jw_error *err)
{
	const struct doc_rule *rule = NULL;
	struct idnum_info tmp;
	char buf[NORM_MAX];
	size_t nchars;
	bool fits, der = false;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	if (info)
		memset(info, 0, sizeof(*info));
	if (derived)
		*derived = false;
	if (out_number && outsz)
		out_number[0] = '\0';

	for (size_t i = 0; doc_type && i < N_RULES; i++)
		if (strcmp(doc_type, doc_rules[i].code) == 0)
			rule = &doc_rules[i];
	if (!rule && str_empty(doc_type))
		return jw_fail(err, JW_EINVAL, "doc_type", "请选择证件类型");
	if (!rule)      /* echo the value only if short: no cut characters */
		return jw_fail(err, JW_EINVAL, "doc_type",
			       "证件类型%s%s%s无法识别，请选择居民身份证、港澳台居民居住证、"
			       "外国人永久居留身份证、护照、港澳居民来往内地通行证"
			       "或台湾居民来往大陆通行证",
			       strlen(doc_type) <= 40 ? "“" : "",
			       strlen(doc_type) <= 40 ? doc_type : "",
			       strlen(doc_type) <= 40 ? "”" : "");

	nchars = normalise(number, buf, sizeof(buf), true, &fits);
	if (nchars == 0)
		rc = jw_fail(err, JW_EINVAL, field, "请填写%s", rule->noun);
	else
		rc = rule->check(buf, nchars, fits, field, rule->noun, &tmp,
				 &der, err);

	if (out_number && outsz) {
		if (!rc && der)
			strlcpy_jw(out_number, tmp.number, outsz);
		else    /* what was typed, normalised, cut on a whole character */
			normalise(number, out_number, outsz, true, &fits);
	}
	if (rc)
		return rc;
	if (info && der)
		*info = tmp;
	if (derived)
		*derived = der;
	return 0;
}

const char *idnum_doc_type_of(const char *number)
{
	char buf[NORM_MAX];
	bool fits;
	size_t n = normalise(number, buf, sizeof(buf), true, &fits);

	if (!fits)
		return NULL;
	if (n == ID_LEN && all_digits(buf, ID_LEN - 1)) {
		switch (kind_of(buf)) {
		case IDNUM_HMT_PERMIT:
			return "residence_permit";
		case IDNUM_FOREIGN_PERMANENT:
			return "foreign_permanent";
		case IDNUM_RESIDENT:
			return NULL;
		}
	}
	if (n == OLD_ID_LEN && is_upper(buf[0]) && is_upper(buf[1]) && is_upper(buf[2]) &&
	    all_digits(buf + 3, OLD_ID_LEN - 3))
		return "foreign_permanent";
	return NULL;
}

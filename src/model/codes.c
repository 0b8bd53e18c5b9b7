/*
 * codes.c — the code tables themselves, and lookups over them; see codes.h.
 *
 * National tables follow their standards' codes and wording; aliases hold
 * the short forms people actually type (中共党员, 大专, 儿子).  Local
 * tables use short English keys as codes.  code_tables[] is indexed by
 * enum code_table_id through designated initialisers so it cannot drift.
 */
#include "model/codes.h"

#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* GB/T 2261.1-2003 人的性别代码 */
static const struct code_entry sex_codes[] = {
	{ "0", "未知的性别", NULL },
	{ "1", "男", "男性" },
	{ "2", "女", "女性" },
	{ "9", "未说明的性别", NULL },
};

/* GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码, in its order */
static const struct code_entry ethnic_codes[] = {
	{ "01", "汉族", "汉" },
	{ "02", "蒙古族", "蒙古" },
	{ "03", "回族", "回" },
	{ "04", "藏族", "藏" },
	{ "05", "维吾尔族", "维吾尔" },
	{ "06", "苗族", "苗" },
	{ "07", "彝族", "彝" },
	{ "08", "壮族", "壮" },
	{ "09", "布依族", "布依" },
	{ "10", "朝鲜族", "朝鲜" },
	{ "11", "满族", "满" },
	{ "12", "侗族", "侗" },
	{ "13", "瑶族", "瑶" },
	{ "14", "白族", "白" },
	{ "15", "土家族", "土家" },
	{ "16", "哈尼族", "哈尼" },
	{ "17", "哈萨克族", "哈萨克" },
	{ "18", "傣族", "傣" },
	{ "19", "黎族", "黎" },
	{ "20", "傈僳族", "傈僳" },
	{ "21", "佤族", "佤" },
	{ "22", "畲族", "畲" },
	{ "23", "高山族", "高山" },
	{ "24", "拉祜族", "拉祜" },
	{ "25", "水族", "水" },
	{ "26", "东乡族", "东乡" },
	{ "27", "纳西族", "纳西" },
	{ "28", "景颇族", "景颇" },
	{ "29", "柯尔克孜族", "柯尔克孜" },
	{ "30", "土族", "土" },
	{ "31", "达斡尔族", "达斡尔" },
	{ "32", "仫佬族", "仫佬" },
	{ "33", "羌族", "羌" },
	{ "34", "布朗族", "布朗" },
	{ "35", "撒拉族", "撒拉" },
	{ "36", "毛南族", "毛南|毛难族|毛难" },    /* renamed 1986 */
	{ "37", "仡佬族", "仡佬" },
	{ "38", "锡伯族", "锡伯" },
	{ "39", "阿昌族", "阿昌" },
	{ "40", "普米族", "普米" },
	{ "41", "塔吉克族", "塔吉克" },
	{ "42", "怒族", "怒" },
	{ "43", "乌孜别克族", "乌孜别克" },
	{ "44", "俄罗斯族", "俄罗斯" },
	{ "45", "鄂温克族", "鄂温克" },
	{ "46", "德昂族", "德昂|崩龙族|崩龙" },    /* renamed 1985 */
	{ "47", "保安族", "保安" },
	{ "48", "裕固族", "裕固" },
	{ "49", "京族", "京" },
	{ "50", "塔塔尔族", "塔塔尔" },
	{ "51", "独龙族", "独龙" },
	{ "52", "鄂伦春族", "鄂伦春" },
	{ "53", "赫哲族", "赫哲" },
	{ "54", "门巴族", "门巴" },
	{ "55", "珞巴族", "珞巴" },
	{ "56", "基诺族", "基诺" },
	{ "97", "其他", "其他民族" },
	{ "98", "外国血统中国籍人士", "外国血统" },
};

/* GB/T 4761-2008 家庭关系代码 */
static const struct code_entry relation_codes[] = {
	{ "01", "本人", "自己" },
	{ "02", "户主", NULL },
	{ "10", "配偶", "妻子|丈夫|爱人" },
	{ "11", "夫", NULL },
	{ "12", "妻", NULL },
	{ "20", "子", "儿子" },
	{ "21", "独生子", NULL },
	{ "22", "长子", NULL },
	{ "23", "次子", NULL },
	{ "24", "三子", NULL },
	{ "25", "四子", NULL },
	{ "26", "五子", NULL },
	{ "27", "养子或继子", "养子|继子" },
	{ "28", "女婿", NULL },
	{ "29", "其他儿子", NULL },
	{ "30", "女", "女儿" },
	{ "31", "独生女", NULL },
	{ "32", "长女", NULL },
	{ "33", "次女", NULL },
	{ "34", "三女", NULL },
	{ "35", "四女", NULL },
	{ "36", "五女", NULL },
	{ "37", "养女或继女", "养女|继女" },
	{ "38", "儿媳", "儿媳妇" },
	{ "39", "其他女儿", NULL },
	{ "40", "孙子、孙女或外孙子、外孙女", NULL },
	{ "41", "孙子", NULL },
	{ "42", "孙女", NULL },
	{ "43", "外孙子", NULL },
	{ "44", "外孙女", NULL },
	{ "45", "孙媳妇或外孙媳妇", "孙媳妇|外孙媳妇" },
	{ "46", "孙女婿或外孙女婿", "孙女婿|外孙女婿" },
	{ "47", "曾孙子或外曾孙子", "曾孙子|外曾孙子" },
	{ "48", "曾孙女或外曾孙女", "曾孙女|外曾孙女" },
	{ "49", "其他孙子、孙女或外孙子、外孙女", NULL },
	{ "50", "父母", NULL },
	{ "51", "父亲", "爸爸" },
	{ "52", "母亲", "妈妈" },
	{ "53", "公公", NULL },
	{ "54", "婆婆", NULL },
	{ "55", "岳父", NULL },
	{ "56", "岳母", NULL },
	{ "57", "继父或养父", "继父|养父" },
	{ "58", "继母或养母", "继母|养母" },
	{ "59", "其他父母关系", NULL },
	{ "60", "祖父母或外祖父母", NULL },
	{ "61", "祖父", "爷爷" },
	{ "62", "祖母", "奶奶" },
	{ "63", "外祖父", "外公|姥爷" },
	{ "64", "外祖母", "外婆|姥姥" },
	{ "65", "配偶的祖父母或外祖父母", NULL },
	{ "66", "曾祖父", NULL },
	{ "67", "曾祖母", NULL },
	{ "68", "配偶的曾祖父母或外曾祖父母", NULL },
	{ "69", "其他祖父母或外祖父母关系", NULL },
	{ "70", "兄弟姐妹", NULL },
	{ "71", "兄", "哥哥" },
	{ "72", "嫂", "嫂子" },
	{ "73", "弟", "弟弟" },
	{ "74", "弟媳", NULL },
	{ "75", "姐姐", "姐" },
	{ "76", "姐夫", NULL },
	{ "77", "妹妹", "妹" },
	{ "78", "妹夫", NULL },
	{ "79", "其他兄弟姐妹", NULL },
	{ "80", "其他", NULL },
	{ "81", "伯父", NULL },
	{ "82", "伯母", NULL },
	{ "83", "叔父", NULL },
	{ "84", "婶母", NULL },
	{ "85", "舅父", NULL },
	{ "86", "舅母", NULL },
	{ "87", "姨父", NULL },
	{ "88", "姨母", NULL },
	{ "89", "姑父", NULL },
	{ "90", "姑母", NULL },
	{ "91", "堂兄弟、堂姐妹", NULL },
	{ "92", "表兄弟、表姐妹", NULL },
	{ "93", "侄子", NULL },
	{ "94", "侄女", NULL },
	{ "95", "外甥", NULL },
	{ "96", "外甥女", NULL },
	{ "97", "其他亲属", NULL },
	{ "99", "非亲属", NULL },
};

/* GB/T 4762-1984 政治面貌代码; aliases are the short forms in use */
static const struct code_entry political_codes[] = {
	{ "01", "中国共产党党员", "中共党员|党员" },
	{ "02", "中国共产党预备党员", "中共预备党员|预备党员" },
	{ "03", "中国共产主义青年团团员", "共青团员|团员" },
	{ "04", "中国国民党革命委员会会员", "民革党员|民革会员" },
	{ "05", "中国民主同盟盟员", "民盟盟员" },
	{ "06", "中国民主建国会会员", "民建会员" },
	{ "07", "中国民主促进会会员", "民进会员" },
	{ "08", "中国农工民主党党员", "农工党党员" },
	{ "09", "中国致公党党员", "致公党党员" },
	{ "10", "九三学社社员", NULL },
	{ "11", "台湾民主自治同盟盟员", "台盟盟员" },
	{ "12", "无党派民主人士", "无党派人士" },
	{ "13", "群众", "普通居民" },
};

/*
 * GB/T 4658-2006 学历代码: the levels and common sub-levels; 91 and 92 are
 * local additions committees use, outside the standard's codes.
 */
static const struct code_entry education_codes[] = {
	{ "10", "研究生教育", "研究生|博士|硕士" },
	{ "11", "博士研究生毕业", NULL },
	{ "14", "硕士研究生毕业", NULL },
	{ "20", "大学本科教育", "大学本科|本科" },
	{ "30", "大学专科教育", "大学专科|专科|大专" },
	{ "40", "中等职业教育", "中专|中等专科|职高|技校" },
	{ "60", "普通高级中学教育", "高中" },
	{ "70", "初级中学教育", "初中" },
	{ "80", "小学教育", "小学" },
	{ "90", "其他", NULL },
	{ "91", "文盲或半文盲", "文盲|半文盲" },
	{ "92", "学龄前", NULL },
};

/* GB/T 2261.2-2003 婚姻状况代码 */
static const struct code_entry marital_codes[] = {
	{ "10", "未婚", NULL },
	{ "20", "已婚", NULL },
	{ "21", "初婚", NULL },
	{ "22", "再婚", NULL },
	{ "23", "复婚", NULL },
	{ "30", "丧偶", NULL },
	{ "40", "离婚", NULL },
	{ "90", "未说明的婚姻状况", NULL },
};

static const struct code_entry employment_codes[] = {
	{ "employed", "在职", "在岗|就业" },
	{ "self_employed", "个体经营", "个体" },
	{ "flexible", "灵活就业", NULL },
	{ "unemployed", "失业", NULL },
	{ "retired", "退休", "离退休" },
	{ "none", "无业", NULL },
	{ "student", "在校学生", "学生" },
	{ "preschool", "学龄前儿童", NULL },
};

static const struct code_entry residence_codes[] = {
	{ "registered", "户籍人口", "户籍" },
	{ "migrant", "流动人口", "流动|外来人口" },
	{ "foreign", "境外人员", "境外" },
};

/* Codes match doc_check() in idnum.c. */
static const struct code_entry doc_type_codes[] = {
	{ "id_card", "居民身份证", "身份证" },
	{ "residence_permit", "港澳台居民居住证", "居住证" },
	{ "foreign_permanent", "外国人永久居留身份证", "永居证|外国人永久居留证" },
	{ "passport", "护照", NULL },
	{ "hk_macau_permit", "港澳居民来往内地通行证", "回乡证" },
	{ "taiwan_permit", "台湾居民来往大陆通行证", "台胞证" },
};

static const struct code_entry dereg_reason_codes[] = {
	{ "moved_away", "迁出", NULL },
	{ "died", "死亡", NULL },
	{ "other", "其他", NULL },
};

/* Why a full ID or phone number is shown: PIPL (个人信息保护法) art. 51 asks
 * that access to personal information be controlled and recorded; the
 * reason goes into the reveal's audit record.  "other" needs a text. */
static const struct code_entry reveal_reason_codes[] = {
	{ "business", "办理业务", NULL },
	{ "verify", "核对身份", NULL },
	{ "superior", "上级部门要求", NULL },
	{ "other", "其他", NULL },
};

static const struct code_entry household_type_codes[] = {
	{ "hukou", "户籍户", "家庭户" },
	{ "migrant", "流动户", NULL },
	{ "collective", "集体户", NULL },
};

static const struct code_entry house_use_codes[] = {
	{ "owned", "自有", NULL },
	{ "rented", "租赁", "出租" },
	{ "public", "公房", NULL },
	{ "vacant", "空置", NULL },
};

static const struct code_entry role_codes[] = {
	{ "admin", "管理员", NULL },
	{ "director", "主任", NULL },
	{ "worker", "工作人员", NULL },
	{ "grid_worker", "网格员", NULL },
};

#define TABLE(k, t, s, e) { .key = k, .title = t, .standard = s, \
			    .entries = e, .n = N_OF(e) }

static const struct code_entry person_status_codes[] = {
	{ "active", "在册", NULL },
	{ "deregistered", "已注销", "注销" },
};

/*
 * 人户状态: how a person's residence and household registration (户口)
 * relate, as committees record 人户分离 (公安部《户口登记》 practice; the
 * wording of the 人口普查 短表 "人户分离情况"): 人在户在 — lives here, hukou
 * here; 人在户不在 — lives here, hukou elsewhere (see 户籍地址); 户在人不在 —
 * hukou here, lives elsewhere (see 去向).
 */
static const struct code_entry hukou_status_codes[] = {
	{ "living_and_registered", "人在户在", "人户一致|人户同在|一致" },
	{ "living_only", "人在户不在", "户籍在外" },
	{ "registered_only", "户在人不在", "人已外出|外出" },
};

const struct code_table code_tables[CT__COUNT] = {
	[CT_SEX]            = TABLE("sex", "性别", "GB/T 2261.1-2003", sex_codes),
	[CT_ETHNIC]         = TABLE("ethnic", "民族", "GB/T 3304-1991", ethnic_codes),
	[CT_RELATION]       = TABLE("relation", "与户主关系", "GB/T 4761-2008", relation_codes),
	[CT_POLITICAL]      = TABLE("political_status", "政治面貌", "GB/T 4762-1984", political_codes),
	[CT_EDUCATION]      = TABLE("education", "文化程度", "GB/T 4658-2006", education_codes),
	[CT_MARITAL]        = TABLE("marital_status", "婚姻状况", "GB/T 2261.2-2003", marital_codes),
	[CT_EMPLOYMENT]     = TABLE("employment_status", "就业状况", "本系统", employment_codes),
	[CT_RESIDENCE]      = TABLE("residence_type", "人口类型", "本系统", residence_codes),
	[CT_DOC_TYPE]       = TABLE("doc_type", "证件类型", "本系统", doc_type_codes),
	[CT_DEREG_REASON]   = TABLE("dereg_reason", "注销原因", "本系统", dereg_reason_codes),
	[CT_REVEAL_REASON]  = TABLE("reveal_reason", "查看原因", "本系统（个人信息保护法第五十一条）", reveal_reason_codes),
	[CT_HOUSEHOLD_TYPE] = TABLE("household_type", "户类型", "本系统", household_type_codes),
	[CT_HOUSE_USE]      = TABLE("house_use", "房屋使用情况", "本系统", house_use_codes),
	[CT_ROLE]           = TABLE("role", "角色", "本系统", role_codes),
	[CT_PERSON_STATUS]  = TABLE("person_status", "人员状态", "本系统", person_status_codes),
	[CT_HUKOU_STATUS]   = TABLE("hukou_status", "人户状态", "本系统（人户分离登记）", hukou_status_codes),
};

const struct code_table *code_table_find(const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < CT__COUNT; i++)
		if (code_tables[i].key && strcmp(code_tables[i].key, key) == 0)
			return &code_tables[i];
	return NULL;
}

const char *code_label(const struct code_table *t, const char *code)
{
	if (!t || !code)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->entries[i].code, code) == 0)
			return t->entries[i].label;
	return NULL;
}

/* Length of the space (ASCII blank or U+3000) at p, or 0. */
static size_t space_at(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		return 1;
	if (strncmp(p, "\xE3\x80\x80", 3) == 0)  /* stops at a NUL */
		return 3;
	return 0;
}

/* Whether s equals the len bytes at p. */
static int same(const char *s, const char *p, size_t len)
{
	return s && strlen(s) == len && memcmp(s, p, len) == 0;
}

/* Whether one of the '|'-separated aliases equals the len bytes at p. */
static int alias_match(const char *aliases, const char *p, size_t len)
{
	const char *a = aliases, *bar;
	size_t alen;

	while (a && *a) {
		bar = strchr(a, '|');
		alen = bar ? (size_t)(bar - a) : strlen(a);
		if (alen == len && memcmp(a, p, len) == 0)
			return 1;
		a = bar ? bar + 1 : NULL;
	}
	return 0;
}

const char *code_lookup(const struct code_table *t, const char *text)
{
	const char *p = text;
	size_t len, n, i;

	if (!t || !text)
		return NULL;
	while ((n = space_at(p)))
		p += n;
	len = strlen(p);
	while (len) {                   /* trailing spaces */
		if (strchr(" \t\r\n", p[len - 1]))
			len--;
		else if (len >= 3 && memcmp(p + len - 3, "\xE3\x80\x80", 3) == 0)
			len -= 3;
		else
			break;
	}
	if (!len)
		return NULL;
	/* codes first, then labels, then aliases: a code is never shadowed */
	for (i = 0; i < t->n; i++)
		if (same(t->entries[i].code, p, len))
			return t->entries[i].code;
	for (i = 0; i < t->n; i++)
		if (same(t->entries[i].label, p, len))
			return t->entries[i].code;
	for (i = 0; i < t->n; i++)
		if (alias_match(t->entries[i].aliases, p, len))
			return t->entries[i].code;
	return NULL;
}

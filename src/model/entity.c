/*
 * entity.c — the declarations of the registry's entities and the generic
 * record helpers (set/get, normalisation and validation by declaration,
 * JSON output with masking).  See entity.h.
 */
#include "model/entity.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/mask.h"
#include "model/textnorm.h"

#define RO (FF_READONLY)
#define L  (FF_LIST)
#define F  (FF_FORM)
#define REQ (FF_REQUIRED)

static const struct field_def person_fields[PF__COUNT] = {
	[PF_NAME] = { "name", "姓名", FT_TEXT, -1, NULL, REQ | L | F, SENS_NONE, 50,
		"姓名|名字|居民姓名|户主姓名|人员姓名", NULL },
	[PF_SEX] = { "sex", "性别", FT_CODE, CT_SEX, NULL, L | F, SENS_NONE, 0,
		"性别", "按身份证号自动确定；其他证件请选择" },
	[PF_DOC_TYPE] = { "doc_type", "证件类型", FT_CODE, CT_DOC_TYPE, NULL, F, SENS_NONE, 0,
		"证件类型|证件种类", NULL },
	[PF_ID_NUMBER] = { "id_number", "公民身份号码", FT_TEXT, -1, NULL, REQ | L | F, SENS_ID, 32,
		"公民身份号码|身份证号|身份证号码|证件号码|身份证|其他证件号码|证件号", "18位，末位X大写" },
	[PF_NATIONALITY] = { "nationality", "国籍（地区）", FT_TEXT, -1, NULL, F, SENS_NONE, 40,
		"国籍|国籍（地区）|国籍(地区)|国家地区", "境外人员必填" },
	[PF_ETHNIC] = { "ethnic", "民族", FT_CODE, CT_ETHNIC, NULL, F, SENS_NONE, 0,
		"民族", NULL },
	[PF_BIRTH_DATE] = { "birth_date", "出生日期", FT_DATE, -1, NULL, L | F | FF_WIDE, SENS_NONE, 0,
		"出生日期|出生年月|生日", "身份证号码已含出生日期，可不填" },
	[PF_PHONE] = { "phone", "联系电话", FT_TEXT, -1, NULL, L | F | FF_WIDE, SENS_PHONE, 20,
		"联系电话|手机|手机号|手机号码|电话|电话号码|联系方式", NULL },
	[PF_HUKOU_ADDRESS] = { "hukou_address", "户籍地址", FT_TEXT, -1, NULL, F, SENS_NONE, 200,
		"户籍地址|户籍地|户口所在地|户籍所在地", NULL },
	[PF_CURRENT_ADDRESS] = { "current_address", "现居住地址", FT_TEXT, -1, NULL, L | F | FF_WIDE, SENS_NONE, 200,
		"现居住地址|现住址|居住地址|住址|地址|现居住地", NULL },
	[PF_RESIDENCE_TYPE] = { "residence_type", "人口类型", FT_CODE, CT_RESIDENCE, NULL, REQ | L | F | FF_SEARCH, SENS_NONE, 0,
		"人口类型|人员类型|居住类型|户籍类型", NULL },
	[PF_HUKOU_STATUS] = { "hukou_status", "人户状态", FT_CODE, CT_HUKOU_STATUS, NULL, F | FF_SEARCH, SENS_NONE, 0,
		"人户状态|人户一致情况|人户分离情况|人户情况", "人在户不在：户籍地址填户口所在地；户在人不在：请填去向" },
	[PF_WHEREABOUTS] = { "whereabouts", "去向", FT_TEXT, -1, NULL, F, SENS_NONE, 200,
		"去向|人员去向|外出去向|现去向", "仅“户在人不在”填写：现在何处居住（如 广东省深圳市南山区，务工）" },
	[PF_POLITICAL_STATUS] = { "political_status", "政治面貌", FT_CODE, CT_POLITICAL, NULL, F, SENS_NONE, 0,
		"政治面貌", NULL },
	[PF_EDUCATION] = { "education", "文化程度", FT_CODE, CT_EDUCATION, NULL, F, SENS_NONE, 0,
		"文化程度|学历", NULL },
	[PF_MARITAL_STATUS] = { "marital_status", "婚姻状况", FT_CODE, CT_MARITAL, NULL, F, SENS_NONE, 0,
		"婚姻状况|婚姻状态|婚否", NULL },
	[PF_EMPLOYMENT_STATUS] = { "employment_status", "就业状况", FT_CODE, CT_EMPLOYMENT, NULL, F, SENS_NONE, 0,
		"就业状况|就业情况|从业状况|就业状态", NULL },
	[PF_HOUSEHOLD_ID] = { "household_id", "所在户", FT_REF, -1, "household", F, SENS_NONE, 0,
		NULL, "户的内部编号" },
	[PF_RELATION] = { "relation", "与户主关系", FT_CODE, CT_RELATION, NULL, L | F | FF_WIDE, SENS_NONE, 0,
		"与户主关系|与户主的关系|家庭关系|关系", NULL },
	[PF_NOTES] = { "notes", "备注", FT_TEXT, -1, NULL, F | FF_MULTILINE, SENS_NONE, 500,
		"备注|说明", NULL },
	[PF_HOUSE_ID] = { "house_id", "房屋", FT_REF, -1, "house", RO, SENS_NONE, 0, NULL, NULL },
	[PF_BUILDING_ID] = { "building_id", "楼栋", FT_REF, -1, "building", RO, SENS_NONE, 0, NULL, NULL },
	[PF_GRID_ID] = { "grid_id", "网格", FT_REF, -1, "grid", RO, SENS_NONE, 0, NULL, NULL },
	[PF_STATUS] = { "status", "状态", FT_CODE, CT_PERSON_STATUS, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[PF_DEREG_REASON] = { "dereg_reason", "注销原因", FT_CODE, CT_DEREG_REASON, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[PF_DEREG_DATE] = { "dereg_date", "注销日期", FT_DATE, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[PF_DEREG_NOTE] = { "dereg_note", "注销说明", FT_TEXT, -1, NULL, RO, SENS_NONE, 200, NULL, NULL },
	[PF_CREATED_AT] = { "created_at", "登记时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[PF_UPDATED_AT] = { "updated_at", "更新时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
};

static const struct field_def household_fields[HF__COUNT] = {
	[HF_HOUSEHOLD_NO] = { "household_no", "户编号", FT_TEXT, -1, NULL, L | F, SENS_NONE, 20,
		"户编号|户号", "留空则自动生成" },
	[HF_HOUSE_ID] = { "house_id", "房屋", FT_REF, -1, "house", L | F, SENS_NONE, 0, "房屋编号", NULL },
	[HF_TYPE] = { "type", "户类型", FT_CODE, CT_HOUSEHOLD_TYPE, NULL, L | F, SENS_NONE, 0, "户类型|户别", NULL },
	[HF_PHONE] = { "phone", "联系电话", FT_TEXT, -1, NULL, F, SENS_PHONE, 20, "联系电话", NULL },
	[HF_REGISTERED_DATE] = { "registered_date", "登记日期", FT_DATE, -1, NULL, F, SENS_NONE, 0, "登记日期", NULL },
	[HF_NOTES] = { "notes", "备注", FT_TEXT, -1, NULL, F | FF_MULTILINE, SENS_NONE, 500, "备注", NULL },
	[HF_BUILDING_ID] = { "building_id", "楼栋", FT_REF, -1, "building", RO, SENS_NONE, 0, NULL, NULL },
	[HF_GRID_ID] = { "grid_id", "网格", FT_REF, -1, "grid", RO, SENS_NONE, 0, NULL, NULL },
	[HF_SIZE] = { "size", "人数", FT_INT, -1, NULL, RO | L, SENS_NONE, 0, NULL, NULL },
	[HF_CREATED_AT] = { "created_at", "登记时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[HF_UPDATED_AT] = { "updated_at", "更新时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
};

static const struct field_def building_fields[BF__COUNT] = {
	[BF_NAME] = { "name", "楼栋名称", FT_TEXT, -1, NULL, REQ | L | F, SENS_NONE, 50, "楼栋名称|楼号", "如 阳光里3号楼" },
	[BF_GRID_ID] = { "grid_id", "所属网格", FT_REF, -1, "grid", REQ | L | F, SENS_NONE, 0, "所属网格", NULL },
	[BF_COMPOUND] = { "compound", "所属小区", FT_TEXT, -1, NULL, L | F, SENS_NONE, 50, "所属小区|小区", NULL },
	[BF_ADDRESS] = { "address", "楼栋地址", FT_TEXT, -1, NULL, L | F, SENS_NONE, 200, "楼栋地址", NULL },
	[BF_FLOORS] = { "floors", "地上层数", FT_INT, -1, NULL, REQ | L | F, SENS_NONE, 0, "地上层数|层数", NULL },
	[BF_UNITS] = { "units", "单元数", FT_INT, -1, NULL, REQ | L | F, SENS_NONE, 0, "单元数", NULL },
	[BF_ROOMS_PER_FLOOR] = { "rooms_per_floor", "每层户数", FT_INT, -1, NULL, F, SENS_NONE, 0, "每层户数", NULL },
	[BF_BUILT_YEAR] = { "built_year", "建成年份", FT_INT, -1, NULL, F, SENS_NONE, 0, "建成年份", NULL },
	[BF_HAS_ELEVATOR] = { "has_elevator", "有无电梯", FT_BOOL, -1, NULL, F, SENS_NONE, 0, "有无电梯", NULL },
	[BF_NOTES] = { "notes", "备注", FT_TEXT, -1, NULL, F | FF_MULTILINE, SENS_NONE, 500, "备注", NULL },
	[BF_CREATED_AT] = { "created_at", "登记时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[BF_UPDATED_AT] = { "updated_at", "更新时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
};

static const struct field_def house_fields[HOF__COUNT] = {
	[HOF_BUILDING_ID] = { "building_id", "楼栋", FT_REF, -1, "building", REQ | L | F, SENS_NONE, 0, "楼栋编号", NULL },
	[HOF_UNIT] = { "unit", "单元", FT_INT, -1, NULL, L | F, SENS_NONE, 0, "单元", NULL },
	[HOF_FLOOR] = { "floor", "楼层", FT_INT, -1, NULL, L | F, SENS_NONE, 0, "楼层", NULL },
	[HOF_ROOM] = { "room", "房间号", FT_TEXT, -1, NULL, REQ | L | F, SENS_NONE, 20, "房间号|室", "如 1502" },
	[HOF_AREA] = { "area", "建筑面积（㎡）", FT_REAL, -1, NULL, L | F, SENS_NONE, 0, "建筑面积", NULL },
	[HOF_LAYOUT] = { "layout", "户型", FT_TEXT, -1, NULL, F, SENS_NONE, 20, "户型", NULL },
	[HOF_USE] = { "use", "房屋性质", FT_CODE, CT_HOUSE_USE, NULL, L | F, SENS_NONE, 0, "房屋性质|房屋用途", NULL },
	[HOF_ADDRESS] = { "address", "房屋地址", FT_TEXT, -1, NULL, L | F, SENS_NONE, 200, "房屋地址", "留空则按楼栋地址生成" },
	[HOF_NOTES] = { "notes", "备注", FT_TEXT, -1, NULL, F | FF_MULTILINE, SENS_NONE, 500, "备注", NULL },
	[HOF_GRID_ID] = { "grid_id", "网格", FT_REF, -1, "grid", RO, SENS_NONE, 0, NULL, NULL },
	[HOF_CREATED_AT] = { "created_at", "登记时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[HOF_UPDATED_AT] = { "updated_at", "更新时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
};

static const struct field_def grid_fields[GF__COUNT] = {
	[GF_NAME] = { "name", "网格名称", FT_TEXT, -1, NULL, REQ | L | F, SENS_NONE, 50, "所属网格|网格", "如 第一网格" },
	[GF_NOTES] = { "notes", "备注", FT_TEXT, -1, NULL, L | F | FF_MULTILINE, SENS_NONE, 500, "备注", NULL },
	[GF_CREATED_AT] = { "created_at", "登记时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
	[GF_UPDATED_AT] = { "updated_at", "更新时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL },
};

/* The registry's statistics dimensions (count_by). */
static const struct kind_dim person_dims[] = {
	{ "grid", "网格", DIM_FIELD, "grid_id" },
	{ "sex", "性别", DIM_FIELD, "sex" },
	{ "age5", "年龄段", DIM_AGE5, "birth_date" },
	{ "residence_type", "人口类型", DIM_FIELD, "residence_type" },
	{ "hukou_status", "人户状态", DIM_FIELD, "hukou_status" },
	{ "status", "状态", DIM_FIELD, "status" },
};
static const struct kind_dim place_dims[] = {
	{ "grid", "网格", DIM_FIELD, "grid_id" },
};

/* What the store keeps counted (store/migrations.h 12: its triggers). */
static const char *const person_tally[] = { "status", "residence_type", "hukou_status", "grid_id", NULL };
static const char *const place_tally[] = { "grid_id", NULL };
static const char *const grid_tally[] = { NULL };

#define REGISTRY_KIND(ID, KEY, PATH, LABEL, TITLE, FIELDS, N, ATTACH, DIMS, NDIMS, TALLY)          \
	[ID] = { .id = ID, .key = KEY, .table = KEY, .path = PATH, .label = LABEL, .title_field = TITLE, \
		 .fields = FIELDS, .nfields = N, .attach = ATTACH ? KA_KIND : KA_NONE, .attach_kind = ATTACH, \
		 .storage = KS_COLUMNS, .dims = DIMS, .ndims = NDIMS, .tally = TALLY }

const struct kind entities[ENT__COUNT] = {
	REGISTRY_KIND(ENT_GRID, "grid", "grids", "网格", "name", grid_fields, GF__COUNT, NULL, NULL, 0, grid_tally),
	REGISTRY_KIND(ENT_BUILDING, "building", "buildings", "楼栋", "name", building_fields, BF__COUNT, "grid",
		      place_dims, 1, place_tally),
	REGISTRY_KIND(ENT_HOUSE, "house", "houses", "房屋", "address", house_fields, HOF__COUNT, "building",
		      place_dims, 1, place_tally),
	REGISTRY_KIND(ENT_HOUSEHOLD, "household", "households", "户", "household_no", household_fields, HF__COUNT,
		      "house", place_dims, 1, place_tally),
	REGISTRY_KIND(ENT_PERSON, "person", "persons", "居民", "name", person_fields, PF__COUNT, "household",
		      person_dims, (int)(sizeof(person_dims) / sizeof(person_dims[0])), person_tally),
};

static const struct field_def audit_fields[AF__COUNT] = {
	[AF_AT] = { "at", "时间", FT_DATETIME, -1, NULL, RO | L, SENS_NONE, 0, NULL, NULL, NULL },
	[AF_USERNAME] = { "username", "用户", FT_TEXT, -1, NULL, RO | L | FF_ACTOR, SENS_NONE, 64, NULL, NULL, NULL },
	[AF_ACTION] = { "action", "操作", FT_TEXT, -1, NULL, RO | L | FF_SEARCH, SENS_NONE, 40, NULL, NULL, NULL },
	[AF_ENTITY] = { "entity", "对象类型", FT_TEXT, -1, NULL, RO | L | FF_SEARCH, SENS_NONE, 40, NULL, NULL, NULL },
	[AF_ENTITY_ID] = { "entity_id", "对象编号", FT_INT, -1, NULL, RO | L | FF_SEARCH, SENS_NONE, 0, NULL, NULL, NULL },
	[AF_OLD_JSON] = { "old_json", "原值", FT_TEXT, -1, NULL, RO, SENS_NONE, 0, NULL, NULL, NULL },
	[AF_NEW_JSON] = { "new_json", "新值", FT_TEXT, -1, NULL, RO, SENS_NONE, 0, NULL, NULL, NULL },
	[AF_IP] = { "ip", "地址", FT_TEXT, -1, NULL, RO, SENS_NONE, 48, NULL, NULL, NULL },
};

const struct kind audit_kind = {
	.id = ENT__COUNT, .key = "audit", .table = "audit", .path = "audit", .label = "审计日志",
	.title_field = "action", .fields = audit_fields, .nfields = AF__COUNT, .attach = KA_NONE,
	.storage = KS_COLUMNS, .flags = KF_NO_STAMPS,
};

const struct kind *entity_by_path(const char *path)
{
	for (int i = 0; i < ENT__COUNT; i++)
		if (strcmp(entities[i].path, path) == 0)
			return &entities[i];
	return NULL;
}

const struct kind *entity_by_key(const char *key)
{
	for (int i = 0; i < ENT__COUNT; i++)
		if (strcmp(entities[i].key, key) == 0)
			return &entities[i];
	return NULL;
}

int entity_field_index(const struct kind *e, const char *name)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return i;
	return -1;
}

const struct field_def *entity_field(const struct kind *e, const char *name)
{
	int i = entity_field_index(e, name);
	return i < 0 ? NULL : &e->fields[i];
}

void record_init(struct record *r, const struct kind *ent)
{
	r->ent = ent;
	r->id = 0;
	r->v = xcalloc((size_t)ent->nfields, sizeof(char *));
	r->given = xcalloc((size_t)ent->nfields, 1);
}

void record_release(struct record *r)
{
	if (!r->v)
		return;
	for (int i = 0; i < r->ent->nfields; i++)
		free(r->v[i]);
	free(r->v);
	free(r->given);
	r->v = NULL;
	r->given = NULL;
}

void record_set(struct record *r, int i, const char *val)
{
	if (i < 0 || i >= r->ent->nfields)
		return;
	free(r->v[i]);
	r->v[i] = (val && *val) ? xstrdup(val) : NULL;
	r->given[i] = 1;
}

void record_setf(struct record *r, int i, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	record_set(r, i, tmp);
}

const char *record_get(const struct record *r, int i)
{
	if (i < 0 || i >= r->ent->nfields)
		return NULL;
	return r->v[i];
}

bool record_int(const struct record *r, int i, int64_t *out)
{
	const char *s = record_get(r, i);
	return s && parse_i64(s, INT64_MIN, INT64_MAX, out);
}

void record_copy(struct record *dst, const struct record *src)
{
	record_init(dst, src->ent);
	dst->id = src->id;
	for (int i = 0; i < src->ent->nfields; i++) {
		dst->v[i] = src->v[i] ? xstrdup(src->v[i]) : NULL;
		dst->given[i] = src->given[i];
	}
}

void verr_init(struct verr *ve) { ve->n = 0; }

void verr_add(struct verr *ve, const char *field, const char *fmt, ...)
{
	if (ve->n >= VERR_MAX)
		return;
	for (int i = 0; i < ve->n; i++)   /* first error of a field wins */
		if (strcmp(ve->item[i].field, field) == 0)
			return;
	va_list ap;
	snprintf(ve->item[ve->n].field, sizeof(ve->item[0].field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(ve->item[ve->n].message, sizeof(ve->item[0].message), fmt, ap);
	va_end(ap);
	ve->n++;
}

const char *verr_for(const struct verr *ve, const char *field)
{
	for (int i = 0; i < ve->n; i++)
		if (strcmp(ve->item[i].field, field) == 0)
			return ve->item[i].message;
	return NULL;
}

int verr_to_error(const struct verr *ve, struct jw_error *err)
{
	if (ve->n == 0)
		return JW_OK;
	return jw_fail(err, JW_EINVAL, ve->item[0].field, "%s", ve->item[0].message);
}

/* Normalises one text value in place: trims, collapses spaces, folds
 * full-width ASCII.  Returns false if it is not valid UTF-8. */
static bool norm_text(struct record *r, int i)
{
	char *v = r->v[i];
	size_t cap = strlen(v) + 1;
	char *out = malloc(cap);
	if (!out)
		return false;
	size_t n = text_normalize(v, out, cap);
	if (n == (size_t)-1) {
		free(out);
		return false;
	}
	free(r->v[i]);
	r->v[i] = n ? out : NULL;
	if (!n)
		free(out);
	return true;
}

bool options_next(const char **p, char *out, size_t outsz)
{
	if (!*p || !**p)
		return false;
	const char *e = strchr(*p, '|');
	size_t len = e ? (size_t)(e - *p) : strlen(*p);
	snprintf(out, outsz, "%.*s", (int)len, *p);
	*p = e ? e + 1 : *p + len;
	return true;
}

/* Whether v is one of the '|'-separated options. */
static bool option_ok(const char *options, const char *v)
{
	char opt[256];
	for (const char *p = options; options_next(&p, opt, sizeof(opt));)
		if (strcmp(opt, v) == 0)
			return true;
	return false;
}

void record_normalize_validate(struct record *r, bool creating, struct verr *ve)
{
	const struct kind *e = r->ent;
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if (f->flags & FF_READONLY)
			continue;
		if (!r->given[i]) {
			if (creating && (f->flags & FF_REQUIRED))
				verr_add(ve, f->name, "请填写%s", f->label);
			continue;
		}
		if (r->v[i] && !norm_text(r, i)) {
			verr_add(ve, f->name, "%s含有无效字符，请重新输入", f->label);
			continue;
		}
		const char *v = r->v[i];
		if (!v) {
			if (f->flags & FF_REQUIRED)
				verr_add(ve, f->name, "请填写%s", f->label);
			continue;
		}
		int64_t n;
		int y, m, d;
		switch (f->type) {
		case FT_TEXT:
			if (f->maxlen && utf8_chars(v) > (size_t)f->maxlen)
				verr_add(ve, f->name, "%s最多%d个字，请缩短", f->label, f->maxlen);
			else if (f->options && !option_ok(f->options, v))
				verr_add(ve, f->name, "%s应为以下之一：%s", f->label, f->options);
			break;
		case FT_INT:
			if (!parse_i64(v, -1000000000, 1000000000, &n))
				verr_add(ve, f->name, "%s应为整数，如 6", f->label);
			break;
		case FT_REF:
			if (!parse_i64(v, 1, INT64_MAX, &n))
				verr_add(ve, f->name, "%s应为记录编号（正整数）", f->label);
			break;
		case FT_REAL: {
			char *end;
			double x = strtod(v, &end);
			if (*end || end == v || x < 0 || x > 1e7)
				verr_add(ve, f->name, "%s应为数字，如 86.5", f->label);
			break;
		}
		case FT_DATE: {
			char iso[11];
			if (!date_parse(v, &y, &m, &d) && date_text(v, iso))
				record_set(r, i, iso);   /* 1958/3/5, 1958年3月5日 … */
			else if (!date_parse(v, &y, &m, &d))
				verr_add(ve, f->name, "%s应为有效日期，格式如 1958-03-05", f->label);
			break;
		}
		case FT_BOOL:
			if (strcmp(v, "1") == 0 || strcmp(v, "是") == 0 || strcmp(v, "有") == 0 ||
			    strcmp(v, "true") == 0)
				record_set(r, i, "1");
			else if (strcmp(v, "0") == 0 || strcmp(v, "否") == 0 || strcmp(v, "无") == 0 ||
				 strcmp(v, "false") == 0)
				record_set(r, i, "0");
			else
				verr_add(ve, f->name, "%s应为“是”或“否”", f->label);
			break;
		case FT_CODE: {
			const struct code_table *t = &code_tables[f->code_table];
			const char *c = code_lookup(t, v);
			if (!c)
				verr_add(ve, f->name, "%s“%s”不在《%s》代码表中，请从列表中选择",
					 f->label, v, t->title);
			else
				record_set(r, i, c);
			break;
		}
		case FT_DATETIME:
			break;
		}
	}
}

void record_to_json(struct buf *b, const struct record *r, bool reveal)
{
	const struct kind *e = r->ent;
	buf_addf(b, "{\"id\":%lld", (long long)r->id);
	for (int i = 0; i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		const char *v = r->v[i];
		buf_addc(b, ',');
		buf_json_str(b, f->name);
		buf_addc(b, ':');
		if (!v) {
			buf_adds(b, "null");
		} else if ((f->type == FT_INT || f->type == FT_REF || f->type == FT_DATETIME) &&
			   v[strspn(v, "-0123456789")] == '\0') {
			buf_adds(b, v);
		} else if (f->sens != SENS_NONE && !reveal) {
			char m[64];
			buf_json_str(b, field_display(f, v, reveal, m, sizeof(m)));
		} else {
			buf_json_str(b, v);
		}
		if (f->type == FT_CODE) {
			buf_addc(b, ',');
			buf_addc(b, '"');
			buf_adds(b, f->name);
			buf_adds(b, "_label\":");
			buf_json_str(b, v ? code_label(&code_tables[f->code_table], v) : NULL);
		}
	}
	buf_addc(b, '}');
}

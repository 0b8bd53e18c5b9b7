/*
 * ledger.c — the built-in ledgers, declared once, and the rules that go
 * with them (disability card numbers, birthdays and dates).  See ledger.h.
 *
 * Field names are the JSON members of an entry's "fields"; labels are what
 * the forms, lists and exports show; options are choice lists.  The
 * departmental layouts follow ../shared/layouts/README.md: a committee can
 * still add its own ledger, and every ledger without a layout of its own
 * exports the generic roster (序号, the subject's columns, the fields).
 */
#include "model/ledger.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "model/idnum.h"

/* enum role of svc/svc.h: 1 admin, 2 director, 3 worker, 4 grid_worker
 * (svc/ledger.c checks the numbers at start-up). */
#define RB(r) (1u << (r))
#define R_STAFF (RB(1) | RB(2) | RB(3) | RB(4))
#define R_DESK (RB(1) | RB(2) | RB(3))
#define R_DIRECTOR (RB(2))

#define L  (FF_LIST)
#define F  (FF_FORM)
#define REQ (FF_REQUIRED)
#define RO (FF_READONLY)
#define ML (FF_MULTILINE)

/* name, label, type, code table, ref, flags, sensitivity, maxlen, synonyms, hint, options */
#define TXT(n, l, fl, max, opts) { n, l, FT_TEXT, -1, NULL, (fl), SENS_NONE, max, l, NULL, opts }
#define NUM(n, l, fl) { n, l, FT_REAL, -1, NULL, (fl), SENS_NONE, 0, l, NULL, NULL }
#define INT(n, l, fl) { n, l, FT_INT, -1, NULL, (fl), SENS_NONE, 0, l, NULL, NULL }
#define DATE(n, l, fl) { n, l, FT_DATE, -1, NULL, (fl), SENS_NONE, 0, l, NULL, NULL }
#define IDNO(n, l, fl, max) { n, l, FT_TEXT, -1, NULL, (fl), SENS_ID, max, l, NULL, NULL }
#define PHONE(n, l, fl) { n, l, FT_TEXT, -1, NULL, (fl), SENS_PHONE, 20, l, NULL, NULL }
#define NOTES { "notes", "备注", FT_TEXT, -1, NULL, F | ML, SENS_NONE, 500, "备注", NULL, NULL }

const char *const disability_categories[7] = {
	"视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾",
};
const char *const disability_grades[4] = { "一级", "二级", "三级", "四级" };

/* ---- the ledgers' own fields ---- */

static const struct field_def elderly_fields[] = {
	TXT("living", "居住情况", L | RO, 10, "独居|空巢|与家人同住"),
	TXT("band", "享受类别", L | RO, 20, NULL),
	NUM("allowance", "月发放标准（元）", L | F),
	TXT("bank", "开户银行", F, 50, NULL),
	IDNO("account", "银行账号", F, 32),
	TXT("contact", "联系人", F, 50, NULL),
	TXT("contact_relation", "与老人关系", F, 20, NULL),
	PHONE("contact_phone", "联系人电话", F),
	TXT("health", "健康状况", L | F, 10, "自理|半自理|不能自理"),
	NOTES,
};

static const struct field_def disabled_fields[] = {
	TXT("category", "残疾类别", L | F | REQ, 10, "视力残疾|听力残疾|言语残疾|肢体残疾|智力残疾|精神残疾|多重残疾"),
	TXT("grade", "残疾等级", L | F | REQ, 10, "一级|二级|三级|四级"),
	IDNO("card_no", "残疾人证号", L | F, 20),
	NUM("living_subsidy", "困难残疾人生活补贴（元/月）", F),
	NUM("care_subsidy", "重度残疾人护理补贴（元/月）", F),
	TXT("guardian", "监护人", F, 50, NULL),
	PHONE("guardian_phone", "监护人电话", F),
	NOTES,
};

static const struct field_def dibao_fields[] = {
	TXT("cert_no", "低保证号", L | F, 30, NULL),
	INT("covered", "保障人数", L | F),
	NUM("amount", "月保障金额（元）", L | F | REQ),
	TXT("reason", "致贫原因", F, 10, "因病|因残|缺乏劳动力|失业|其他"),
	TXT("bank", "开户银行", F, 50, NULL),
	IDNO("account", "银行账号", F, 32),
	NOTES,
};

static const struct field_def temp_aid_fields[] = {
	DATE("aid_date", "救助日期", L | F | REQ),
	NUM("amount", "救助金额（元）", L | F | REQ),
	TXT("aid_type", "救助类型", L | F, 10, "急难型|支出型|其他"),
	TXT("reason", "救助事由", F | ML, 200, NULL),
	TXT("approver", "审批单位", F, 50, NULL),
	NOTES,
};

static const struct field_def tekun_fields[] = {
	TXT("support", "供养方式", L | F | REQ, 10, "分散供养|集中供养"),
	NUM("amount", "基本生活费（元/月）", L | F),
	TXT("care_level", "生活自理能力", L | F, 10, "自理|半自理|全护理"),
	TXT("caretaker", "照料人", F, 50, NULL),
	PHONE("caretaker_phone", "照料人电话", F),
	NOTES,
};

static const struct field_def veterans_fields[] = {
	TXT("category", "类别", L | F | REQ, 20,
	    "退役军人|残疾军人|烈士遗属|因公牺牲军人遗属|病故军人遗属|现役军人家属|其他优抚对象"),
	DATE("enlist_date", "入伍时间", F),
	DATE("discharge_date", "退役时间", L | F),
	TXT("unit", "原部队", F, 50, NULL),
	TXT("disability_grade", "伤残等级", F, 10, NULL),
	NUM("subsidy", "抚恤补助（元/月）", F),
	NOTES,
};

static const struct field_def unemployed_fields[] = {
	TXT("reg_no", "失业登记证号", L | F, 30, NULL),
	DATE("reg_date", "登记日期", L | F),
	TXT("last_job", "原工作单位", F, 100, NULL),
	TXT("reason", "失业原因", F, 10, "合同到期|单位裁员|辞职|毕业未就业|其他"),
	TXT("wish", "求职意向", F, 100, NULL),
	TXT("training", "培训意向", F, 2, "是|否"),
	TXT("hardship", "就业困难人员类型", L | F, 20, "大龄|残疾|零就业家庭成员|长期失业|低保家庭成员|其他"),
	NOTES,
};

static const struct field_def zero_emp_fields[] = {
	DATE("confirmed", "认定日期", L | F),
	TXT("help", "帮扶措施", F | ML, 200, NULL),
	NOTES,
};

static const struct field_def retirees_fields[] = {
	TXT("former_unit", "原工作单位", F, 100, NULL),
	DATE("retire_date", "退休日期", F),
	TXT("pension", "养老金类别", L | F, 10, "企业|机关事业|城乡居民"),
	TXT("certified", "本年已认证", L | F, 2, "是|否"),   /* from certify_date: see year_flag */
	DATE("certify_date", "认证日期", L | F),
	NOTES,
};

static const struct field_def correction_fields[] = {
	TXT("corr_no", "社区矫正对象编号", L | F, 30, NULL),
	TXT("corr_type", "矫正类别", L | F | REQ, 10, "管制|缓刑|假释|暂予监外执行"),
	TXT("crime", "罪名", F, 50, NULL),
	DATE("corr_start", "矫正开始日期", L | F | REQ),
	DATE("corr_end", "矫正结束日期", L | F | REQ),
	TXT("office", "负责司法所", F, 50, NULL),
	PHONE("office_phone", "司法所联系电话", F),
	TXT("helper", "协管人员", F, 50, NULL),
	TXT("level", "管理等级", L | F, 4, "严管|普管|宽管"),
	NOTES,
};

static const struct field_def family_planning_fields[] = {
	TXT("kind", "特殊家庭类型", L | F | REQ, 20, "独生子女伤残|独生子女死亡|其他"),
	TXT("parents", "夫妻姓名", F, 50, NULL),
	NUM("subsidy", "扶助金（元/月）", L | F),
	TXT("contact", "双岗联系人", F, 50, NULL),
	NOTES,
};

static const struct field_def migrants_fields[] = {
	DATE("arrive_date", "流入时间", L | F),
	TXT("reason", "流入原因", L | F, 10, "务工|务农|经商|服务|投亲靠友|上学|其他"),
	TXT("dwelling", "住所类型", F, 10, "租赁房屋|单位内部|工地|居民家中|其他"),
	TXT("employer", "服务处所", F, 100, NULL),
	TXT("permit_no", "居住证号", F, 30, NULL),
	DATE("permit_until", "居住证有效期至", L | F),
	NOTES,
};

static const struct field_def rental_fields[] = {
	TXT("landlord", "房主姓名", L | F | REQ, 50, NULL),
	IDNO("landlord_id", "房主身份证号", F, 32),
	PHONE("landlord_phone", "房主电话", L | F),
	TXT("tenants", "承租人", L | F, 200, NULL),
	INT("tenant_count", "实住人数", L | F),
	NUM("rent", "月租金（元）", F),
	DATE("contract_start", "起租日期", F),
	DATE("contract_end", "到期日期", L | F),
	TXT("use", "出租用途", F, 10, "住房|宿舍|店面|仓库|其他"),
	TXT("record_no", "租赁备案证号", F, 30, NULL),
	TXT("security", "治安责任书", L | F, 4, "已签订|未签订"),
	NOTES,
};

static const struct field_def special_care_fields[] = {
	TXT("kind", "关爱类型", L | F | REQ, 20, "困境儿童|留守儿童|家庭暴力受害人|社区戒毒|社区康复|其他"),
	TXT("situation", "基本情况", F | ML, 300, NULL),
	TXT("measures", "帮扶措施", F | ML, 300, NULL),
	TXT("guardian", "监护人", F, 50, NULL),
	PHONE("guardian_phone", "监护人电话", F),
	NOTES,
};

static const struct field_def volunteers_fields[] = {
	TXT("team", "所属服务队", L | F, 20,
	    "红袖标巡逻队|助老服务队|环保服务队|文艺宣传队|青少年服务队|法律服务队|应急救援队|文明引导队|其他"),
	DATE("reg_date", "注册日期", L | F),
	TXT("skills", "技能特长", F, 100, NULL),
	NUM("hours_before", "历史累计时长（小时）", F),
	NUM("hours_year", "本年度服务时长（小时）", L | F),
	NOTES,
};

/* 工作日志: what the committee's workers did, day by day.  The proof that a
 * line of work is a declaration: no subject, one writer (the signed-in
 * user), its own statistics dimensions; list, form, API, export and
 * statistics come from the ledger machinery and the store's generic
 * operations. */
static const struct field_def worklog_fields[] = {
	DATE("work_date", "日期", REQ | L | F | FF_SORT),
	{ "worker", "工作人员", FT_TEXT, -1, NULL, RO | L | FF_ACTOR | FF_SEARCH, SENS_NONE, 64, "工作人员|记录人", NULL,
	  NULL },
	TXT("category", "类别", REQ | L | F | FF_SEARCH, 20,
	    "走访入户|接待来访|会议|政策宣传|矛盾调解|环境巡查|上级交办|其他"),
	TXT("content", "工作内容", REQ | L | F | ML, 1000, NULL),
	TXT("place", "地点", L | F, 100, NULL),
	NUM("hours", "用时（小时）", L | F),
	NOTES,
};
static const struct kind_dim worklog_dims[] = {
	{ "worker", "工作人员", DIM_FIELD, "worker" },
	{ "category", "类别", DIM_FIELD, "category" },
	{ "month", "月份", DIM_MONTH, "work_date" },
};

/* ---- visits ---- */

static const struct field_def visit_fields[VF__COUNT] = {
	[VF_SUBJECT] = { "subject", "走访对象类型", FT_TEXT, -1, NULL, RO, SENS_NONE, 16, NULL, NULL, NULL },
	[VF_SUBJECT_ID] = { "subject_id", "走访对象", FT_INT, -1, NULL, RO, SENS_NONE, 0, NULL, NULL, NULL },
	[VF_VISIT_DATE] = { "visit_date", "走访日期", FT_DATE, -1, NULL, REQ | L | F | FF_SORT, SENS_NONE, 0, NULL, NULL,
			    NULL },
	[VF_METHOD] = { "method", "走访方式", FT_TEXT, -1, NULL, L | F, SENS_NONE, 20, NULL, NULL, NULL },
	[VF_NOTE] = { "note", "走访情况", FT_TEXT, -1, NULL, REQ | L | F | ML, SENS_NONE, 1000, NULL, NULL, NULL },
	[VF_NEXT_DATE] = { "next_date", "下次走访", FT_DATE, -1, NULL, L | F, SENS_NONE, 0, NULL, NULL, NULL },
	[VF_USERNAME] = { "username", "走访人", FT_TEXT, -1, NULL, RO | L | FF_ACTOR, SENS_NONE, 64, NULL, NULL, NULL },
	[VF_ENTRY_ID] = { "entry_id", "台账记录", FT_INT, -1, NULL, RO, SENS_NONE, 0, NULL, NULL, NULL },
	[VF_RESTRICTED_TO] = { "restricted_to", "受限台账", FT_TEXT, -1, NULL, RO, SENS_NONE, 40, NULL, NULL, NULL },
	[VF_CREATED_AT] = { "created_at", "记录时间", FT_DATETIME, -1, NULL, RO, SENS_NONE, 0, NULL, NULL, NULL },
};

const struct kind visit_kind = {
	.id = ENT__COUNT, .key = "visit", .table = "visit", .path = "visits", .label = "走访记录",
	.title_field = "visit_date", .fields = visit_fields, .nfields = VF__COUNT, .attach = KA_ANY,
	.storage = KS_COLUMNS,
};

/* ---- departmental layouts (../shared/layouts/README.md) ---- */

#define COL(g, h, src, t) { g, h, src, t, 0, false, false }
#define COLW(g, h, src, t, w) { g, h, src, t, w, false, false }
#define SUM(g, h, src, t) { g, h, src, t, 0, true, false }
#define CNT(g, h, src, t) { g, h, src, t, 0, false, true }

/* §1 高龄津贴发放花名册: the amount in its band's column, so that the 合计
 * row gives a total a band. */
static const struct layout_col elderly_pay_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	CNT(NULL, "姓名", "p.name", LT_TEXT),
	COL(NULL, "性别", "p.sex", LT_TEXT),
	COL(NULL, "身份证号码", "p.id_number", LT_ID),
	COL(NULL, "出生日期", "p.birth_date", LT_DATE),
	COL(NULL, "年龄", "p.age", LT_NUMBER),
	COLW(NULL, "家庭住址", "p.current_address", LT_TEXT, 30),
	SUM("补贴标准（元/月）", "80–89周岁", "band:80–89周岁", LT_MONEY),
	SUM("补贴标准（元/月）", "90–99周岁", "band:90–99周岁", LT_MONEY),
	SUM("补贴标准（元/月）", "100周岁以上", "band:100周岁以上", LT_MONEY),
	COL(NULL, "开户银行", "f.bank", LT_TEXT),
	COL(NULL, "银行账号", "f.account", LT_ID),
	COL(NULL, "联系人", "f.contact", LT_TEXT),
	COL(NULL, "联系电话", "f.contact_phone", LT_ID),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
/* §2 独居/空巢老人登记表 */
static const struct layout_col elderly_alone_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	CNT(NULL, "姓名", "p.name", LT_TEXT),
	COL(NULL, "性别", "p.sex", LT_TEXT),
	COL(NULL, "年龄", "p.age", LT_NUMBER),
	COL(NULL, "身份证号码", "p.id_number", LT_ID),
	COLW(NULL, "居住地址", "p.current_address", LT_TEXT, 30),
	COL(NULL, "联系电话", "p.phone", LT_ID),
	COL(NULL, "老人类型", "f.living", LT_TEXT),
	COL(NULL, "健康状况", "f.health", LT_TEXT),
	COL("紧急联系人", "姓名", "f.contact", LT_TEXT),
	COL("紧急联系人", "关系", "f.contact_relation", LT_TEXT),
	COL("紧急联系人", "联系电话", "f.contact_phone", LT_ID),
	COL(NULL, "最近探访", "v.last", LT_DATE),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
static const struct layout_def elderly_layouts[] = {
	{ "allowance", "高龄津贴发放花名册", "{year}年{month}月{community}高龄津贴发放花名册", NULL, NULL, NULL,
	  elderly_pay_cols, (int)(sizeof(elderly_pay_cols) / sizeof(elderly_pay_cols[0])), false, NULL, NULL },
	{ "alone", "独居（空巢）老人登记表", "{community}独居（空巢）老人登记表", NULL, NULL, NULL,
	  elderly_alone_cols, (int)(sizeof(elderly_alone_cols) / sizeof(elderly_alone_cols[0])), false,
	  "living", "独居|空巢" },
};

/* §3 残疾人基本情况登记表 / 两项补贴 */
static const struct layout_col disabled_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	CNT(NULL, "姓名", "p.name", LT_TEXT),
	COL(NULL, "性别", "p.sex", LT_TEXT),
	COL(NULL, "出生年月", "p.birth_date", LT_DATE),
	COL(NULL, "身份证号码", "p.id_number", LT_ID),
	COLW(NULL, "残疾人证号", "f.card_no", LT_ID, 23),
	COL(NULL, "残疾类别", "f.category", LT_TEXT),
	COL(NULL, "残疾等级", "f.grade", LT_TEXT),
	COLW(NULL, "家庭住址", "p.current_address", LT_TEXT, 30),
	COL(NULL, "联系电话", "p.phone", LT_ID),
	SUM("两项补贴（元/月）", "生活补贴", "f.living_subsidy", LT_MONEY),
	SUM("两项补贴（元/月）", "护理补贴", "f.care_subsidy", LT_MONEY),
	COL(NULL, "监护人", "f.guardian", LT_TEXT),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
static const struct layout_def disabled_layouts[] = {
	{ "roster", "残疾人基本情况登记表", "{community}残疾人基本情况登记表", NULL, NULL, NULL,
	  disabled_cols, (int)(sizeof(disabled_cols) / sizeof(disabled_cols[0])), false, NULL, NULL },
};

/* §4 城市最低生活保障对象花名册 (a household a row) */
static const struct layout_col dibao_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	CNT(NULL, "户主姓名", "hh.head", LT_TEXT),
	COL(NULL, "身份证号码", "hh.head_id", LT_ID),
	COL(NULL, "低保证号", "f.cert_no", LT_TEXT),
	COLW(NULL, "家庭住址", "hh.address", LT_TEXT, 30),
	SUM(NULL, "保障人数", "f.covered", LT_NUMBER),
	SUM(NULL, "月保障金额（元）", "f.amount", LT_MONEY),
	COL(NULL, "致贫原因", "f.reason", LT_TEXT),
	COL(NULL, "开户银行", "f.bank", LT_TEXT),
	COL(NULL, "银行账号", "f.account", LT_ID),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
static const struct layout_def dibao_layouts[] = {
	{ "roster", "城市最低生活保障对象花名册", "{community}城市最低生活保障对象花名册", NULL, NULL, NULL,
	  dibao_cols, (int)(sizeof(dibao_cols) / sizeof(dibao_cols[0])), false, NULL, NULL },
};

/* §5 失业人员登记 */
static const struct layout_col unemployed_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	CNT(NULL, "姓名", "p.name", LT_TEXT),
	COL(NULL, "性别", "p.sex", LT_TEXT),
	COL(NULL, "身份证号码", "p.id_number", LT_ID),
	COL(NULL, "文化程度", "p.education", LT_TEXT),
	COL(NULL, "失业登记证号", "f.reg_no", LT_TEXT),
	COL(NULL, "登记日期", "f.reg_date", LT_DATE),
	COL(NULL, "原工作单位", "f.last_job", LT_TEXT),
	COL(NULL, "失业原因", "f.reason", LT_TEXT),
	COL(NULL, "求职意向", "f.wish", LT_TEXT),
	COL(NULL, "就业困难人员类型", "f.hardship", LT_TEXT),
	COL(NULL, "联系电话", "p.phone", LT_ID),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
static const struct layout_def unemployed_layouts[] = {
	{ "roster", "失业人员登记表", "{community}失业人员登记表", NULL, NULL, NULL,
	  unemployed_cols, (int)(sizeof(unemployed_cols) / sizeof(unemployed_cols[0])), false, NULL, NULL },
};

/* §7a 流动人口登记表 */
static const struct layout_col migrants_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	CNT(NULL, "姓名", "p.name", LT_TEXT),
	COL(NULL, "性别", "p.sex", LT_TEXT),
	COL(NULL, "民族", "p.ethnic", LT_TEXT),
	COL(NULL, "出生日期", "p.birth_date", LT_DATE),
	COL(NULL, "公民身份号码", "p.id_number", LT_ID),
	COLW(NULL, "户籍详细地址", "p.hukou_address", LT_TEXT, 30),
	COLW(NULL, "现住地址", "p.current_address", LT_TEXT, 30),
	COL(NULL, "流入时间", "f.arrive_date", LT_DATE),
	COL(NULL, "流入原因", "f.reason", LT_TEXT),
	COL(NULL, "住所类型", "f.dwelling", LT_TEXT),
	COL(NULL, "服务处所", "f.employer", LT_TEXT),
	COL(NULL, "联系电话", "p.phone", LT_ID),
	COL("居住证", "证件号码", "f.permit_no", LT_ID),
	COL("居住证", "有效期至", "f.permit_until", LT_DATE),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
static const struct layout_def migrants_layouts[] = {
	{ "register", "流动人口登记表", "{community}流动人口登记表", NULL, NULL, NULL,
	  migrants_cols, (int)(sizeof(migrants_cols) / sizeof(migrants_cols[0])), false, NULL, NULL },
};

/* §7b 出租房屋登记表 */
static const struct layout_col rental_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	COLW(NULL, "出租房屋地址", "h.address", LT_TEXT, 30),
	COL("房主", "姓名", "f.landlord", LT_TEXT),
	COL("房主", "身份证号码", "f.landlord_id", LT_ID),
	COL("房主", "联系电话", "f.landlord_phone", LT_ID),
	COL(NULL, "出租用途", "f.use", LT_TEXT),
	COL(NULL, "承租人", "f.tenants", LT_TEXT),
	SUM(NULL, "实住人数", "f.tenant_count", LT_NUMBER),
	COL("租期", "起租日期", "f.contract_start", LT_DATE),
	COL("租期", "到期日期", "f.contract_end", LT_DATE),
	COL(NULL, "月租金", "f.rent", LT_MONEY),
	COL(NULL, "租赁备案证号", "f.record_no", LT_TEXT),
	COL(NULL, "治安责任书", "f.security", LT_TEXT),
	COL(NULL, "登记日期", "e.start_date", LT_DATE),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
static const struct layout_def rental_layouts[] = {
	{ "register", "出租房屋登记表", "{community}出租房屋登记表", NULL, NULL, NULL,
	  rental_cols, (int)(sizeof(rental_cols) / sizeof(rental_cols[0])), false, NULL, NULL },
};

/* §10 志愿者花名册 */
static const struct layout_col volunteers_cols[] = {
	COL(NULL, "序号", NULL, LT_SERIAL),
	CNT(NULL, "姓名", "p.name", LT_TEXT),
	COL(NULL, "性别", "p.sex", LT_TEXT),
	COL(NULL, "年龄", "p.age", LT_NUMBER),
	COL(NULL, "政治面貌", "p.political_status", LT_TEXT),
	COL(NULL, "文化程度", "p.education", LT_TEXT),
	COL(NULL, "联系电话", "p.phone", LT_ID),
	COL(NULL, "所属服务队", "f.team", LT_TEXT),
	COL(NULL, "技能特长", "f.skills", LT_TEXT),
	COL(NULL, "注册日期", "f.reg_date", LT_DATE),
	SUM("服务时长（小时）", "本年度", "f.hours_year", LT_NUMBER),
	SUM("服务时长（小时）", "累计", "calc.hours_total", LT_NUMBER),
	COL(NULL, "星级", "calc.stars", LT_TEXT),
	COL(NULL, "备注", "f.notes", LT_TEXT),
};
static const struct layout_def volunteers_layouts[] = {
	{ "roster", "志愿者花名册", "{community}志愿者花名册", NULL, NULL, NULL,
	  volunteers_cols, (int)(sizeof(volunteers_cols) / sizeof(volunteers_cols[0])), false, NULL, NULL },
};

/* ---- derivation rules (ledger.h: conditions over declared fields) ---- */

#define NOT_QUALIFIED "不再符合列入条件"

/* 60周岁以上; 独居 / 空巢 (every member 60+) / 与家人同住; 享受类别 by age */
static const struct derive_def elderly_rule = {
	.when = { { DOV_SUBJECT, { { "birth_date", COP_AGE_MIN, NULL, 60 } } } },
	.values = {
		{ "living", { { DCT_ALONE, NULL, 0, "独居" }, { DCT_ALL_AGED, "birth_date", 60, "空巢" },
			      { DCT_ELSE, NULL, 0, "与家人同住" } } },
		{ "band", { { DCT_AGE_MIN, "birth_date", 100, "100周岁以上" },
			    { DCT_AGE_MIN, "birth_date", 90, "90–99周岁" },
			    { DCT_AGE_MIN, "birth_date", 80, "80–89周岁" } } },
	},
	.close_reason = NOT_QUALIFIED,
};
static const struct derive_def unemployed_rule = {
	.when = { { DOV_SUBJECT, { { "employment_status", COP_EQ, "unemployed", 0 } } } },
	.close_reason = NOT_QUALIFIED,
};
static const struct derive_def retirees_rule = {
	.when = { { DOV_SUBJECT, { { "employment_status", COP_EQ, "retired", 0 } } } },
	.close_reason = NOT_QUALIFIED,
};
static const struct derive_def migrants_rule = {
	.when = { { DOV_SUBJECT, { { "residence_type", COP_EQ, "migrant", 0 } } } },
	.close_reason = NOT_QUALIFIED,
};
/* a member of working age (16–59) out of work, and nobody in work */
static const struct derive_def zero_employment_rule = {
	.when = {
		{ DOV_ANY_MEMBER, { { "employment_status", COP_EQ, "unemployed", 0 },
				    { "birth_date", COP_AGE_MIN, NULL, 16 },
				    { "birth_date", COP_AGE_UNDER, NULL, 60 } } },
		{ DOV_NO_MEMBER, { { "employment_status", COP_IN, "employed|self_employed|flexible", 0 } } },
	},
	.close_reason = NOT_QUALIFIED,
};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FIELDS(a) a, N_OF(a)
#define LAYOUTS(a) a, N_OF(a)

const struct ledger_def builtin_ledgers[] = {
	{ "elderly", "老年人台账", "老龄", ENT_PERSON, FIELDS(elderly_fields), R_STAFF, R_DESK, false,
	  DR_AGE_MIN, &elderly_rule, 7, LAYOUTS(elderly_layouts),
	  "60周岁以上的居民自动列入；80、90、100周岁分档；独居老人每7天走访一次。", false, NULL, NULL, NULL, 0, NULL },
	{ "disabled", "残疾人台账", "残联", ENT_PERSON, FIELDS(disabled_fields), R_STAFF, R_DESK, false,
	  DR_NONE, NULL, 0, LAYOUTS(disabled_layouts),
	  "残疾类别、等级按 GB/T 26341；残疾人证号 = 身份证号 + 类别码 + 等级码。", false, NULL, NULL, NULL, 0, NULL },
	{ "dibao", "最低生活保障台账", "民政", ENT_HOUSEHOLD, FIELDS(dibao_fields), R_DESK, R_DESK, false,
	  DR_NONE, NULL, 0, LAYOUTS(dibao_layouts), "以户为单位；保障期写在起止日期。", false, NULL, NULL, NULL, 0, NULL },
	{ "temp_aid", "临时救助台账", "民政", ENT_HOUSEHOLD, FIELDS(temp_aid_fields), R_DESK, R_DESK, false,
	  DR_NONE, NULL, 0, NULL, 0, NULL, false, NULL, NULL, NULL, 0, NULL },
	{ "tekun", "特困供养人员台账", "民政", ENT_PERSON, FIELDS(tekun_fields), R_DESK, R_DESK, false,
	  DR_NONE, NULL, 30, NULL, 0, NULL, false, NULL, NULL, NULL, 0, NULL },
	{ "veterans", "退役军人和优抚对象台账", "退役军人服务", ENT_PERSON, FIELDS(veterans_fields), R_STAFF, R_DESK,
	  false, DR_NONE, NULL, 0, NULL, 0, NULL, false, NULL, NULL, NULL, 0, NULL },
	{ "unemployed", "失业人员登记台账", "人社", ENT_PERSON, FIELDS(unemployed_fields), R_STAFF, R_DESK, false,
	  DR_EMPLOYMENT, &unemployed_rule, 0, LAYOUTS(unemployed_layouts),
	  "就业状况为“失业”的居民自动列入。", false, NULL, NULL, NULL, 0, NULL },
	{ "zero_employment", "零就业家庭台账", "人社", ENT_HOUSEHOLD, FIELDS(zero_emp_fields), R_STAFF, R_DESK, false,
	  DR_ZERO_EMPLOYMENT, &zero_employment_rule, 30, NULL, 0,
	  "有16–59周岁成员、但无人在职或从事个体、灵活就业的户自动列入。", false, NULL, NULL, NULL, 0, NULL },
	{ "retirees", "退休人员台账", "人社", ENT_PERSON, FIELDS(retirees_fields), R_STAFF, R_DESK, false,
	  DR_EMPLOYMENT, &retirees_rule, 0, NULL, 0,
	  "就业状况为“退休”的居民自动列入；养老金资格认证在本人生日所在月份，本年已认证按认证日期计算。", false,
	  "certified", "certify_date", NULL, 0, NULL },
	{ "correction", "社区矫正对象台账", "司法", ENT_PERSON, FIELDS(correction_fields), R_DIRECTOR, R_DIRECTOR, true,
	  DR_NONE, NULL, 30, NULL, 0, "受限台账：只有主任和指定的工作人员可以查看，每次查看都记入审计日志。",
	  false, NULL, NULL, NULL, 0, "corr_end" },
	{ "family_planning", "计生特殊家庭台账", "卫健", ENT_HOUSEHOLD, FIELDS(family_planning_fields), R_DESK,
	  R_DESK, false, DR_NONE, NULL, 90, NULL, 0, NULL, false, NULL, NULL, NULL, 0, NULL },
	{ "migrants", "流动人口台账", "综治", ENT_PERSON, FIELDS(migrants_fields), R_STAFF, R_STAFF, false,
	  DR_RESIDENCE, &migrants_rule, 0, LAYOUTS(migrants_layouts), "人口类型为“流动人口”的居民自动列入。", false, NULL, NULL, NULL, 0,
	  "permit_until" },
	{ "rental", "出租房屋台账", "综治", ENT_HOUSE, FIELDS(rental_fields), R_STAFF, R_STAFF, false,
	  DR_NONE, NULL, 0, LAYOUTS(rental_layouts), "租期到期前30天提醒。", false, NULL, NULL, NULL, 0, "contract_end" },
	{ "special_care", "特殊关爱对象台账", "综治", ENT_PERSON, FIELDS(special_care_fields), R_DIRECTOR, R_DIRECTOR,
	  true, DR_NONE, NULL, 30, NULL, 0,
	  "受限台账（未成年人、家庭暴力、社区戒毒等）：只有主任和指定的工作人员可以查看，每次查看都记入审计日志。",
	  false, NULL, NULL, NULL, 0, NULL },
	{ "volunteers", "志愿者台账", "志愿服务", ENT_PERSON, FIELDS(volunteers_fields), R_STAFF, R_DESK, false,
	  DR_NONE, NULL, 0, LAYOUTS(volunteers_layouts), NULL, false, NULL, NULL, NULL, 0, NULL },
	{ "worklog", "工作日志", "工作", SUBJECT_NONE, FIELDS(worklog_fields), RB(2) | RB(3) | RB(4),
	  RB(2) | RB(3) | RB(4), false, DR_NONE, NULL, 0, NULL, 0,
	  "每位工作人员记下当天做了什么：日期、类别、内容、地点、用时；记录人自动为登录的本人。", false, NULL, NULL,
	  worklog_dims, N_OF(worklog_dims), NULL },
};
const int nbuiltin_ledgers = N_OF(builtin_ledgers);

const struct ledger_def *ledger_builtin(const char *key)
{
	for (int i = 0; key && i < nbuiltin_ledgers; i++)
		if (strcmp(builtin_ledgers[i].key, key) == 0)
			return &builtin_ledgers[i];
	return NULL;
}

/* The dimensions every ledger's entries are counted by: columns of the
 * shared table kept from the subject (grid, sex, birth date) and the
 * entry's own dates. */
static const struct kind_dim entry_dims[] = {
	{ "grid", "网格", DIM_FIELD, "grid_id" },
	{ "sex", "性别", DIM_FIELD, "sex" },
	{ "age5", "年龄段", DIM_AGE5, "birth_date" },
	{ "opened", "列入月份", DIM_MONTH, "start_date" },
	{ "closed", "移出月份", DIM_MONTH, "end_date" },
};

/* Every ledger's open entries are counted by grid (store/migrations.h 12). */
static const char *const entry_tally[] = { "grid_id", NULL };

void ledger_entity(const struct ledger_def *l, struct kind *out)
{
	const struct kind_dim *dims = l->dims ? l->dims : entry_dims;
	int ndims = l->dims ? l->ndims : (int)(sizeof(entry_dims) / sizeof(entry_dims[0]));
	enum kind_attach at = l->subject == ENT_PERSON ? KA_PERSON
			    : l->subject == ENT_HOUSEHOLD ? KA_HOUSEHOLD
			    : l->subject == ENT_HOUSE ? KA_HOUSE : KA_NONE;
	*out = (struct kind){ .id = ENT__COUNT, .key = l->key, .table = "ledger_entry", .path = l->key,
			      .label = l->title, .title_field = NULL, .fields = l->fields, .nfields = l->nfields,
			      .attach = at, .storage = KS_SHARED,
			      .flags = l->restricted ? KF_AUDIT_READS : 0,
			      .read_roles = l->read_roles, .write_roles = l->write_roles,
			      .restricted = l->restricted, .dims = dims, .ndims = ndims, .tally = entry_tally };
}

const char *elderly_band(int age)
{
	const struct derive_value *v = &elderly_rule.values[1];
	for (int i = 0; i < DERIVE_MAX_CASES && v->cases[i].label; i++)
		if (v->cases[i].test == DCT_ELSE || (v->cases[i].test == DCT_AGE_MIN && age >= v->cases[i].years))
			return v->cases[i].label;
	return NULL;
}

/* ---- rules ---- */

static int index_of(const char *const *list, int n, const char *v)
{
	for (int i = 0; v && i < n; i++)
		if (strcmp(list[i], v) == 0)
			return i;
	return -1;
}

int disability_card_check(const char *card, const char *id_number, const char *category,
			  const char *grade, struct jw_error *err)
{
	static const char *const short_cat[7] = { "视力", "听力", "言语", "肢体", "智力", "精神", "多重" };
	if (!card || strlen(card) != 20)
		return jw_fail(err, JW_EINVAL, "card_no",
			       "残疾人证号应为20位：18位身份证号 + 1位残疾类别码（1–7）+ 1位残疾等级码（1–4）");
	char id[19];
	snprintf(id, sizeof(id), "%.18s", card);
	if (!idnum_valid(id))
		return jw_fail(err, JW_EINVAL, "card_no", "残疾人证号的前18位不是有效的公民身份号码，请核对");
	if (id_number && strncmp(card, id_number, 18) != 0)
		return jw_fail(err, JW_EINVAL, "card_no", "残疾人证号的前18位应与本人的公民身份号码一致，请核对");
	int c = card[18] - '0', g = card[19] - '0';
	if (c < 1 || c > 7)
		return jw_fail(err, JW_EINVAL, "card_no",
			       "残疾人证号第19位是残疾类别码，应为1–7（1视力 2听力 3言语 4肢体 5智力 6精神 7多重）");
	if (g < 1 || g > 4)
		return jw_fail(err, JW_EINVAL, "card_no", "残疾人证号第20位是残疾等级码，应为1–4（一级至四级）");
	int ci = index_of(disability_categories, 7, category);
	if (ci >= 0 && ci + 1 != c)
		return jw_fail(err, JW_EINVAL, "card_no", "残疾人证号的类别码为%d（%s），与所填残疾类别“%s”不符", c,
			       short_cat[c - 1], category);
	int gi = index_of(disability_grades, 4, grade);
	if (gi >= 0 && gi + 1 != g)
		return jw_fail(err, JW_EINVAL, "card_no", "残疾人证号的等级码为%d（%s），与所填残疾等级“%s”不符", g,
			       disability_grades[g - 1], grade);
	return JW_OK;
}

void birthday_in(int y, int m, int d, int *om, int *od)
{
	*om = m;
	*od = d;
	if (m == 2 && d == 29 && !date_valid(y, 2, 29))
		*od = 28;
}

void date_turning(int y, int m, int d, int n, int *oy, int *om, int *od)
{
	*oy = y + n;
	birthday_in(*oy, m, d, om, od);
}

long days_between(int ay, int am, int ad, int by, int bm, int bd)
{
	return (long)(days_from_civil(by, bm, bd) - days_from_civil(ay, am, ad));
}

void date_add_days(int y, int m, int d, long days, int *oy, int *om, int *od)
{
	civil_from_days(days_from_civil(y, m, d) + days, oy, om, od);
}

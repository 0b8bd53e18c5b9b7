/*
 * gen.c — the synthetic community of the benchmarks (see gen.h).
 *
 * Deterministic for (persons, seed): household sizes are drawn once up
 * front; each household's attributes come from a random stream seeded by
 * its id, and persons are drawn in household order.  The only state that
 * makes order matter is the per-birth-date counter that keeps ID numbers
 * unique, so callers must take persons in order (both programs do).
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/idnum.h"
#include "model/pinyin.h"
#include "model/textnorm.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FIRST_YEAR 1900

struct rng {
	uint64_t s;
};

/* Per-household values shared by the household row and its persons. */
struct hh_attrs {
	const char *rtype;       /* registered, migrant, foreign */
	int surname;             /* index into surnames[] */
	int foreign;             /* index into foreigners[] */
	bool elderly;
	int head_age, head_sex;
};

struct gen {
	long persons;
	uint64_t seed;
	long nhouseholds;
	unsigned char *size;      /* size[h-1]: persons of household h */
	int ty, tm, td;           /* today */
	long ndays;
	uint16_t *counter;        /* [day * 2 + sex-1]: ID numbers issued */
	/* the person cursor */
	long made, hh, member;    /* hh 1-based; member index within it */
	struct hh_attrs cur;
	struct rng prng;
	long passports;
	/* the layout of a building (gen_set_layout) */
	int units, floors, rooms;
};

static uint64_t splitmix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream, uint64_t id)
{
	r->s = splitmix(seed ^ splitmix(stream * 0x100000001B3ull ^ splitmix(id)));
	if (!r->s)
		r->s = 1;
}

static uint32_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

static int pick(struct rng *r, int n) { return (int)(rnd(r) % (uint32_t)n); }

/* Common surnames first: min of two draws favours the front of the list. */
static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
	"郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "萧", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
	"魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹",
	"欧阳", "司马", "上官", "单", "仇",
};
/* Given names: one character (15%) or two drawn from these. */
static const char *const given_m[] = {
	"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞",
	"建", "国", "志", "海", "俊", "子", "轩", "浩", "然", "宇", "航", "博", "文", "三", "丰",
	"家", "豪", "振", "德", "胜", "春", "生", "立", "新", "东", "晓", "鑫", "斌", "宏", "波",
};
static const char *const given_f[] = {
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "桂", "玉", "兰", "淑", "珍",
	"红", "梅", "婷", "雪", "欣", "怡", "梓", "涵", "诗", "雨", "桐", "思", "琪", "佳", "晓",
	"燕", "美", "玲", "慧", "雅", "琴", "萍", "倩", "洁", "颖",
};
static const char *const regions_local[] = { "110105", "110105", "110105", "110101", "110108", "110103" };
static const char *const regions_migrant[] = {
	"130102", "140105", "210102", "320102", "330106", "340104", "370102", "410105",
	"420106", "430104", "510104", "610113", "130984", "411623", "230603",
};
static const struct { const char *name, *country; int sex; } foreigners[] = {
	{ "KIM MINJUN", "韩国", 1 }, { "MÜLLER THOMAS", "德国", 1 }, { "SATO YUKI", "日本", 2 },
	{ "SMITH EMMA", "美国", 2 }, { "NGUYEN VAN AN", "越南", 1 }, { "PARK JIYEON", "韩国", 2 },
};
static const char *const compounds[] = { "阳光里", "阳光家园", "阳光花园", "明德小区" };
static const char *const streets[] = { "阳光路18号院", "阳光路26号院", "明德北街9号院", "明德南街3号院" };

enum { S_HOUSEHOLD = 1, S_HOUSE, S_BUILDING, S_PERSON, S_SIZE };

/* days_from_civil / civil_from_days: lib/util.h. */

struct gen *gen_new(long persons, unsigned seed)
{
	if (persons < 1 || persons > 20000000)
		return NULL;
	struct gen *g = xcalloc(1, sizeof(*g));
	g->persons = persons;
	g->seed = splitmix(seed);
	/* household sizes until every person has a home: 1–5, mean ≈ 2.6 */
	size_t cap = (size_t)persons;
	g->size = xcalloc(cap, 1);
	struct rng r;
	rng_seed(&r, g->seed, S_SIZE, 0);
	long left = persons;
	while (left > 0) {
		int roll = pick(&r, 100);
		int n = roll < 20 ? 1 : roll < 50 ? 2 : roll < 78 ? 3 : roll < 93 ? 4 : 5;
		if (n > left)
			n = (int)left;
		g->size[g->nhouseholds++] = (unsigned char)n;
		left -= n;
	}
	date_today(&g->ty, &g->tm, &g->td);
	g->ndays = days_from_civil(g->ty, g->tm, g->td) - days_from_civil(FIRST_YEAR, 1, 1) + 1;
	g->counter = xcalloc((size_t)g->ndays * 2, sizeof(*g->counter));
	g->hh = 0;
	g->member = 0;
	g->units = GEN_UNITS;
	g->floors = GEN_FLOORS;
	g->rooms = GEN_ROOMS;
	return g;
}

void gen_set_layout(struct gen *g, int units, int floors, int rooms)
{
	if (units >= 1 && units <= 9 && floors >= 1 && floors <= 99 && rooms >= 1 && rooms <= 99) {
		g->units = units;
		g->floors = floors;
		g->rooms = rooms;
	}
}

static long houses_per_building(const struct gen *g) { return (long)g->units * g->floors * g->rooms; }

void gen_free(struct gen *g)
{
	if (!g)
		return;
	free(g->size);
	free(g->counter);
	free(g);
}

long gen_households(const struct gen *g) { return g->nhouseholds; }
long gen_houses(const struct gen *g) { return g->nhouseholds; }
long gen_buildings(const struct gen *g)
{
	return (g->nhouseholds + houses_per_building(g) - 1) / houses_per_building(g);
}
long gen_grids(const struct gen *g)
{
	return (gen_buildings(g) + GEN_BUILDINGS_PER_GRID - 1) / GEN_BUILDINGS_PER_GRID;
}

void gen_grid(const struct gen *g, long i, struct gen_grid *out)
{
	(void)g;
	snprintf(out->name, sizeof(out->name), "第%ld网格", i);
	snprintf(out->notes, sizeof(out->notes), "基准测试网格");
}

static int64_t building_grid(long b) { return (b - 1) / GEN_BUILDINGS_PER_GRID + 1; }

static void building_address(long b, char *out, size_t n)
{
	snprintf(out, n, "北京市朝阳区%s%ld号楼", streets[(b - 1) % 4], (b - 1) / 4 + 1);
}

void gen_building(const struct gen *g, long i, struct gen_building *out)
{
	struct rng r;
	rng_seed(&r, g->seed, S_BUILDING, (uint64_t)i);
	snprintf(out->name, sizeof(out->name), "%s%ld号楼", compounds[(i - 1) % 4], (i - 1) / 4 + 1);
	out->grid_id = building_grid(i);
	snprintf(out->compound, sizeof(out->compound), "%s", compounds[(i - 1) % 4]);
	building_address(i, out->address, sizeof(out->address));
	out->floors = g->floors;
	out->units = g->units;
	out->rooms_per_floor = g->rooms;
	out->built_year = 1985 + pick(&r, 35);
	out->has_elevator = g->floors > 6 ? "1" : "0";
}

/* Where house h is: building, unit, floor, room number. */
static void house_place(const struct gen *g, long h, long *b, int *unit, int *floor, int *room)
{
	long k = (h - 1) % houses_per_building(g);
	*b = (h - 1) / houses_per_building(g) + 1;
	*unit = (int)(k / (g->floors * g->rooms)) + 1;
	*floor = (int)((k / g->rooms) % g->floors) + 1;
	*room = *floor * 100 + (int)(k % g->rooms) + 1;
}

void gen_house_place(const struct gen *g, long h, long *building, int *unit, int *floor, int *room)
{
	house_place(g, h, building, unit, floor, room);
}

static void house_address(const struct gen *g, long h, char *out, size_t n)
{
	long b;
	int unit, floor, room;
	char baddr[128];
	house_place(g, h, &b, &unit, &floor, &room);
	building_address(b, baddr, sizeof(baddr));
	snprintf(out, n, "%s%d单元%d室", baddr, unit, room);
}

void gen_house(const struct gen *g, long i, struct gen_house *out)
{
	struct rng r;
	long b;
	int room;
	rng_seed(&r, g->seed, S_HOUSE, (uint64_t)i);
	house_place(g, i, &b, &out->unit, &out->floor, &room);
	out->building_id = b;
	out->grid_id = building_grid(b);
	snprintf(out->room, sizeof(out->room), "%d", room % 100000);
	snprintf(out->area, sizeof(out->area), "%d.%02d", 45 + pick(&r, 100), pick(&r, 100));
	out->use = pick(&r, 4) == 0 ? "rented" : "owned";
	house_address(g, i, out->address, sizeof(out->address));
}

static void hh_attrs(const struct gen *g, long h, struct hh_attrs *a)
{
	struct rng r;
	rng_seed(&r, g->seed, S_HOUSEHOLD, (uint64_t)h);
	int roll = pick(&r, 100);
	int size = g->size[h - 1];
	a->rtype = roll < 75 ? "registered" : roll < 99 ? "migrant" : "foreign";
	int s1 = pick(&r, NELEM(surnames)), s2 = pick(&r, NELEM(surnames));
	a->surname = s1 < s2 ? s1 : s2;
	a->foreign = pick(&r, NELEM(foreigners));
	a->elderly = size <= 2 && pick(&r, 100) < 45;
	a->head_age = a->elderly ? 62 + pick(&r, 30) : size == 1 ? 22 + pick(&r, 40) : 30 + pick(&r, 22);
	a->head_sex = 1 + pick(&r, 2);
}

static void make_phone(struct rng *r, char out[12])
{
	static const char *const pre[] = { "13", "15", "18", "17", "19", "16" };
	snprintf(out, 12, "%s%09u", pre[pick(r, NELEM(pre))], rnd(r) % 1000000000u);
}

void gen_household(const struct gen *g, long i, struct gen_household *out)
{
	struct hh_attrs a;
	struct rng r;
	long b;
	int unit, floor, room;
	hh_attrs(g, i, &a);
	rng_seed(&r, g->seed, S_HOUSEHOLD + 100, (uint64_t)i);
	house_place(g, i, &b, &unit, &floor, &room);
	snprintf(out->household_no, sizeof(out->household_no), "H%07ld", i);
	out->house_id = i;
	out->building_id = b;
	out->grid_id = building_grid(b);
	out->type = strcmp(a.rtype, "registered") == 0 ? "hukou" : "migrant";
	make_phone(&r, out->phone);
	snprintf(out->registered_date, sizeof(out->registered_date), "%04d-%02d-%02d",
		 g->ty - 1 - pick(&r, 20), 1 + pick(&r, 12), 1 + pick(&r, 28));
	out->size = g->size[i - 1];
}

/* A birth date for someone `age` today, moved to a day whose sequence
 * numbers for that sex are not used up; returns the day index. */
static long birth_day(struct gen *g, struct rng *r, int age, int sex)
{
	int y = g->ty - age, m = 1 + pick(r, 12), d = 1 + pick(r, 28);
	if (m * 100 + d > g->tm * 100 + g->td)
		y--;
	if (y < FIRST_YEAR)
		y = FIRST_YEAR;
	long day = days_from_civil(y, m, d) - days_from_civil(FIRST_YEAR, 1, 1);
	while (g->counter[day * 2 + sex - 1] >= 500)
		day = day > 0 ? day - 1 : g->ndays - 1;
	return day;
}

/* A valid, unique 18-character ID number for a birth on `day`. */
static void make_id(struct gen *g, const char *region, long day, int sex, char out[20], char bd[11])
{
	int y, m, d;
	civil_from_days(day + days_from_civil(FIRST_YEAR, 1, 1), &y, &m, &d);
	unsigned c = g->counter[day * 2 + sex - 1]++;
	/* spread the sequence over 000–999: bijective in c for c < 500 */
	unsigned seq = ((c * 337u + (unsigned)(splitmix((uint64_t)day) % 500)) % 500u) * 2u + (sex == 1);
	char first17[18];
	snprintf(first17, sizeof(first17), "%s%04d%02d%02d%03u", region, y, m, d, seq);
	snprintf(out, 20, "%s%c", first17, idnum_check_char(first17));
	snprintf(bd, 11, "%04d-%02d-%02d", y, m, d);
}

bool gen_next_person(struct gen *g, struct gen_person *p)
{
	if (g->made >= g->persons)
		return false;
	if (g->hh == 0 || g->member >= g->size[g->hh - 1]) {
		g->hh++;
		g->member = 0;
		hh_attrs(g, g->hh, &g->cur);
		rng_seed(&g->prng, g->seed, S_PERSON, (uint64_t)g->hh);
	}
	struct hh_attrs *a = &g->cur;
	struct rng *r = &g->prng;
	long k = g->member++;
	int sex, age;
	const char *relation;
	bool own_surname = true;

	memset(p, 0, sizeof(*p));
	if (k == 0) {
		sex = a->head_sex;
		age = a->head_age;
		relation = "02";
	} else if (k == 1) {
		sex = 3 - a->head_sex;
		age = a->head_age - 3 + pick(r, 7);
		relation = "10";
		own_surname = false;
	} else if (k == 4 && a->head_age < 55) {
		sex = 1 + pick(r, 2);
		age = a->head_age + 24 + pick(r, 8);
		relation = sex == 1 ? "51" : "52";
	} else {
		age = a->head_age - 22 - pick(r, 12);
		if (age < 0)
			age = pick(r, 5);
		sex = 1 + pick(r, 2);
		relation = sex == 1 ? "20" : "30";
	}
	long day = birth_day(g, r, age, sex);
	p->relation = relation;
	p->residence_type = a->rtype;
	p->household_id = g->hh;
	p->house_id = g->hh;
	house_place(g, g->hh, &p->building_id, &(int){ 0 }, &(int){ 0 }, &(int){ 0 });
	p->grid_id = building_grid(p->building_id);
	house_address(g, g->hh, p->current_address, sizeof(p->current_address));

	if (strcmp(a->rtype, "foreign") == 0) {
		int f = k == 0 ? a->foreign : pick(r, NELEM(foreigners));
		int y, m, d;
		snprintf(p->name, sizeof(p->name), "%s", foreigners[f].name);
		sex = foreigners[f].sex;
		p->doc_type = "passport";
		snprintf(p->id_number, sizeof(p->id_number), "E%08u",
			 (unsigned)((10000000 + ++g->passports) % 100000000));
		p->nationality = foreigners[f].country;
		civil_from_days(day + days_from_civil(FIRST_YEAR, 1, 1), &y, &m, &d);
		snprintf(p->birth_date, sizeof(p->birth_date), "%04d-%02d-%02d", y, m, d);
		snprintf(p->hukou_address, sizeof(p->hukou_address), "%s", foreigners[f].country);
		p->typed_sex_birth = true;
	} else {
		int sn = a->surname;
		if (!own_surname) {
			int s1 = pick(r, NELEM(surnames)), s2 = pick(r, NELEM(surnames));
			sn = s1 < s2 ? s1 : s2;
		}
		const char *const *gl = sex == 1 ? given_m : given_f;
		int gn = sex == 1 ? NELEM(given_m) : NELEM(given_f);
		if (pick(r, 100) < 15)
			snprintf(p->name, sizeof(p->name), "%s%s", surnames[sn], gl[pick(r, gn)]);
		else {
			int c1 = pick(r, gn), c2 = pick(r, gn);
			snprintf(p->name, sizeof(p->name), "%s%s%s", surnames[sn], gl[c1], gl[c2]);
		}
		bool local = strcmp(a->rtype, "registered") == 0;
		const char *region = local ? regions_local[pick(r, NELEM(regions_local))]
					   : regions_migrant[pick(r, NELEM(regions_migrant))];
		p->doc_type = "id_card";
		make_id(g, region, day, sex, p->id_number, p->birth_date);
		p->nationality = "中国";
		p->ethnic = pick(r, 100) < 92 ? "01" : (pick(r, 2) ? "03" : "04");
		snprintf(p->hukou_address, sizeof(p->hukou_address), "%s",
			 local ? p->current_address : "户籍地(外省市)");
		p->political_status = age >= 18 ? (pick(r, 10) < 2 ? "01" : "13") : (age >= 14 ? "03" : "13");
	}
	p->sex = sex == 1 ? "1" : "2";
	/* the age as Juwei will compute it from the birth date */
	{
		int y, m, d;
		date_parse(p->birth_date, &y, &m, &d);
		age = age_on(y, m, d, g->ty, g->tm, g->td);
	}
	if (age >= 12)
		make_phone(r, p->phone);
	p->marital_status = age < 22 ? "10" : age > 75 && pick(r, 3) == 0 ? "30" : "20";
	p->education = age < 6 ? "92" : age < 12 ? "80" : age < 15 ? "70" :
		       age < 18 ? "60" : pick(r, 3) == 0 ? "20" : pick(r, 2) ? "60" : "30";
	p->employment_status = age < 6 ? "preschool" : age < 22 ? "student" :
			       age >= 60 ? "retired" : pick(r, 20) == 0 ? "unemployed" : "employed";
	g->made++;
	return true;
}

static void add_gram(const char *gram, void *ud)
{
	struct gen_index *ix = ud;
	/* the same cap and size limit as svc/registry.c's add_gram */
	if (ix->ngrams < GEN_MAX_GRAMS && strlen(gram) < sizeof(ix->gram[0])) {
		snprintf(ix->gram[ix->ngrams], sizeof(ix->gram[0]), "%s", gram);
		ix->ngrams++;
	}
}

static void add_key(const char *key, void *ud)
{
	struct gen_index *ix = ud;
	if (ix->nkeys < 16) {
		snprintf(ix->key[ix->nkeys], sizeof(ix->key[0]), "%s", key);
		ix->nkeys++;
	}
}

void gen_index_of(const struct gen_person *p, struct gen_index *ix)
{
	ix->ngrams = 0;
	ix->nkeys = 0;
	pinyin_of_name(p->name, ix->name_py, sizeof(ix->name_py), ix->name_ini, sizeof(ix->name_ini));
	pinyin_keys(p->name, add_key, ix);
	name_grams(p->name, add_gram, ix);
}

double gen_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

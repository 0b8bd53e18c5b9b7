/*
 * gencsv.c — writes the synthetic community of gen.c as a persons file in
 * the import format (docs/IMPORT.md): UTF-8 with BOM, CRLF line ends, the
 * Chinese headers of a committee's roster that Juwei maps, codes written
 * as their labels (男, 汉族, 户主, 群众 …) as people type them.
 *
 *   gencsv PERSONS OUT.csv [SEED]
 *
 * Households of 1–5 (mean 2.6), one a house; 6-storey blocks of 3 units ×
 * 2 flats a floor (36 flats, about 94 persons a building, so N/94
 * buildings); 房屋编号 is 楼栋-单元-室 ("B0001-2-302"), 户编号 "H0000001".
 * ID numbers are valid and unique (gen.c); 1% of households are foreign,
 * with passports in the same column and 证件类型 护照.  Deterministic for
 * (PERSONS, SEED) and the date: ages and birth dates count from today.
 *
 * Prints "RESULT csv_households N", "RESULT csv_buildings N" and
 * "RESULT csv_mb N" on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "lib/util.h"
#include "model/codes.h"

#define CSV_UNITS 3
#define CSV_FLOORS 6
#define CSV_ROOMS 2

/* The columns, in the order of a committee's roster. */
static const char *const headers[] = {
	"户编号", "房屋编号", "姓名", "性别", "证件类型", "公民身份号码", "国籍（地区）", "民族",
	"出生日期", "与户主关系", "人口类型", "政治面貌", "文化程度", "婚姻状况", "就业状况",
	"联系电话", "户籍地址", "现居住地址",
};
#define NCOLS ((int)(sizeof(headers) / sizeof(headers[0])))

/* One field, quoted when it has to be; then a comma or the line end. */
static void put_field(FILE *f, const char *v, int col)
{
	if (!v)
		v = "";
	if (strpbrk(v, ",\"\r\n")) {
		fputc('"', f);
		for (const char *p = v; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		fputs(v, f);
	}
	fputs(col == NCOLS - 1 ? "\r\n" : ",", f);
}

static const char *label(enum code_table_id t, const char *code)
{
	return code ? code_label(&code_tables[t], code) : NULL;
}

int main(int argc, char **argv)
{
	int64_t n, seed = 1;
	if (argc < 3 || !parse_i64(argv[1], 1, 20000000, &n) ||
	    (argc > 3 && !parse_i64(argv[3], 0, 0xffffffffLL, &seed))) {
		fputs("usage: gencsv PERSONS OUT.csv [SEED]\n", stderr);
		return 2;
	}
	struct gen *g = gen_new((long)n, (unsigned)seed);
	if (!g)
		return 2;
	gen_set_layout(g, CSV_UNITS, CSV_FLOORS, CSV_ROOMS);
	FILE *f = fopen(argv[2], "wb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	fputs("\xEF\xBB\xBF", f);
	for (int c = 0; c < NCOLS; c++)
		put_field(f, headers[c], c);

	struct gen_person p;
	long made = 0;
	while (gen_next_person(g, &p)) {
		long b;
		int unit, floor, room;
		char hno[16], hid[32];
		gen_house_place(g, p.household_id, &b, &unit, &floor, &room);
		snprintf(hno, sizeof(hno), "H%07lld", (long long)p.household_id);
		snprintf(hid, sizeof(hid), "B%04ld-%d-%d", b, unit, room);
		const char *v[NCOLS] = {
			hno, hid, p.name, label(CT_SEX, p.sex), label(CT_DOC_TYPE, p.doc_type),
			p.id_number, p.nationality, label(CT_ETHNIC, p.ethnic), p.birth_date,
			label(CT_RELATION, p.relation), label(CT_RESIDENCE, p.residence_type),
			label(CT_POLITICAL, p.political_status), label(CT_EDUCATION, p.education),
			label(CT_MARITAL, p.marital_status), label(CT_EMPLOYMENT, p.employment_status),
			p.phone, p.hukou_address, p.current_address,
		};
		for (int c = 0; c < NCOLS; c++)
			put_field(f, v[c], c);
		made++;
	}
	if (fflush(f) != 0 || ferror(f)) {
		perror(argv[2]);
		return 1;
	}
	long bytes = ftell(f);
	if (fclose(f) != 0) {
		perror(argv[2]);
		return 1;
	}
	fprintf(stderr, "gencsv: %ld persons, %ld households, %ld buildings → %s (%.1f MB)\n", made,
		gen_households(g), gen_buildings(g), argv[2], bytes / 1e6);
	printf("RESULT csv_households %ld\n", gen_households(g));
	printf("RESULT csv_buildings %ld\n", gen_buildings(g));
	printf("RESULT csv_mb %.1f\n", bytes / 1e6);
	gen_free(g);
	return 0;
}

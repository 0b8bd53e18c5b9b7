/*
 * driver.c — a stand-in for libFuzzer's main where libFuzzer is not
 * available (gcc, or a clang without compiler-rt's fuzzer): runs the
 * target once over each file given, and over every file of each directory
 * given (the committed corpus), so that the targets still build and their
 * seeds still run under the sanitizers.  No mutation: use clang with
 * libFuzzer for real fuzzing.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "driver: cannot open %s\n", path);
		return 1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (!buf)
		return 1;
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 0, bad = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;              /* libFuzzer options (-max_total_time=…): ignored */
		struct stat sb;
		if (stat(argv[i], &sb) != 0)
			continue;
		if (!S_ISDIR(sb.st_mode)) {
			bad |= run_file(argv[i]);
			runs++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			char p[4096];
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
			if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
				bad |= run_file(p);
				runs++;
			}
		}
		if (d)
			closedir(d);
	}
	printf("driver: %d inputs run (no libFuzzer: no mutation)\n", runs);
	return bad;
}

/*
 * fuzz_text.c — libFuzzer target for the text a user types: normalisation,
 * query classification, name grams, pinyin and phone normalisation
 * (model/textnorm.c, model/pinyin.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/pinyin.h"
#include "model/textnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(const char *gram, void *ud)
{
	(*(size_t *)ud) += strlen(gram);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		pinyin_init();
		ready = 1;
	}
	char *s = malloc(size + 1), out[512], full[256], ini[64];
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	size_t n = text_normalize(s, out, sizeof(out));
	if (n != (size_t)-1) {
		query_classify(out);
		size_t total = 0;
		name_grams(out, count, &total);
		pinyin_of_name(out, full, sizeof(full), ini, sizeof(ini));
	}
	phone_normalize(s, out, sizeof(out));
	utf8_chars(s);
	free(s);
	return 0;
}

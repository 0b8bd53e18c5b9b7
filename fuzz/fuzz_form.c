/*
 * fuzz_form.c — libFuzzer target for the x-www-form-urlencoded parser
 * (http/router.c form_parse) that reads every page form.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv kv[HTTP_MAX_PARAMS];
	int n = form_parse((const char *)data, size, kv, HTTP_MAX_PARAMS);
	for (int i = 0; i < n; i++) {
		/* every key and value is a NUL-terminated string */
		volatile size_t k = strlen(kv[i].key) + strlen(kv[i].val);
		(void)k;
	}
	form_free(kv, n);
	return 0;
}

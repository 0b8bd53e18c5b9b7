/*
 * fuzz_form.c — libFuzzer target for the form parsers of http/router.c:
 * x-www-form-urlencoded (form_parse, every page form) and multipart
 * form-data (multipart_parse, the roster upload).  The same input is given
 * to both; for multipart the boundary is "XyZ".
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

	const char *file = NULL;
	size_t flen = 0;
	char fname[256];
	n = multipart_parse((const char *)data, size, "multipart/form-data; boundary=XyZ", kv, HTTP_MAX_PARAMS,
			    &file, &flen, fname, sizeof(fname));
	for (int i = 0; i < n; i++) {
		volatile size_t k = strlen(kv[i].key) + strlen(kv[i].val);
		(void)k;
	}
	if (file) {
		/* the file part lies inside the input */
		if (file < (const char *)data || file + flen > (const char *)data + size)
			__builtin_trap();
		volatile size_t k = strlen(fname);
		(void)k;
	}
	form_free(kv, n);
	return 0;
}

/*
 * fuzz_idnum.c — libFuzzer target for the identity-document rules
 * (model/idnum.c): every document type, any bytes.  An accepted resident
 * ID must pass idnum_valid again after normalisation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/idnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *types[] = { "id_card", "residence_permit", "foreign_permanent",
				       "passport", "hk_macau_permit", "taiwan_permit", "bogus" };
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		char out[32];
		struct idnum_info info;
		struct jw_error err;
		bool derived = false;
		if (doc_check(types[t], s, "id_number", out, sizeof(out), &info, &derived, &err) == JW_OK &&
		    t == 0 && !idnum_valid(out))
			abort();
	}
	idnum_valid(s);
	free(s);
	return 0;
}

/*
 * fuzz_dname.c - libFuzzer target for dname_normalize() (lib/dname.c).
 *
 * Properties checked beyond "no crash": an accepted name is a canonical form — within the
 * length limits, lower case, no trailing dot — and normalising it again gives the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxs_error err = { 0 };
	char *name = NULL, *again = NULL;
	size_t len, i;

	if (dname_normalize((const char *)data, size, &name, &err) < 0) {
		if (err.what == NULL)
			abort();
		mxs_error_clear(&err);
		return 0;
	}
	len = strlen(name);
	if (len == 0 || len > DNAME_MAX_NAME || name[len - 1] == '.')
		abort();
	for (i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			abort();
	if (dname_normalize(name, len, &again, NULL) < 0 || strcmp(name, again) != 0)
		abort();
	free(again);
	free(name);
	return 0;
}

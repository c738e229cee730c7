/*
 * fuzz_duration.c - libFuzzer target for duration_parse() (lib/duration.c).
 *
 * Beyond "no crash": an accepted duration is never negative nor above DURATION_MAX, and the
 * first byte of the input says which unit was used for a bare number (seconds or days), so the
 * default-unit path is explored too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxs_error err = { 0 };
	long unit;
	long long ms = -1;

	if (size == 0)
		return 0;
	unit = (data[0] & 1) ? 86400 : 1;
	if (duration_parse((const char *)data + 1, size - 1, unit, &ms, &err) < 0) {
		if (err.what == NULL)
			abort();
		mxs_error_clear(&err);
		return 0;
	}
	if (ms < 0 || ms > DURATION_MAX * 1000LL)
		abort();
	return 0;
}

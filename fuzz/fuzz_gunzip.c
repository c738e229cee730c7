/*
 * fuzz_gunzip.c - libFuzzer target for gunzip_bounded() (lib/gunzip.c; RPT-DLV-08, RPT-JSON-14).
 *
 * The input is a would-be .json.gz file. Properties checked beyond "no crash":
 *  - the result is 0, -EINVAL, -EFBIG or -ENOMEM; a failure fills reterr with one line of text
 *    without control characters (bytes from the input are never echoed into it);
 *  - outputs are written only on success, and an output is NUL-terminated and within the cap;
 *  - the cap is exact: an output of n bytes is accepted again with max_out n (same bytes) and
 *    refused with -EFBIG under max_out n - 1;
 *  - an accepted input begins with the gzip magic, and what it holds, compressed again by zlib,
 *    decompresses to the same bytes.
 * The cap is 1 MiB here rather than GUNZIP_REPORT_MAX, so that bombs are cheap to explore.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lib/gunzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CAP (1024u * 1024)

static void check_error(int r, const struct mxs_error *err)
{
	const char *c;

	if (r != -EINVAL && r != -EFBIG && r != -ENOMEM)
		abort();
	if (err->what == NULL || err->what[0] == '\0')
		abort();
	for (c = err->what; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
}

/* Compress out again with zlib's gzip writer and decompress it with gunzip_bounded(). */
static void check_roundtrip(const unsigned char *out, size_t len)
{
	unsigned char *gz, *back = NULL;
	size_t back_len = 0;
	z_stream zs;
	uLong bound;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	bound = deflateBound(&zs, (uLong)len);
	gz = malloc(bound);
	if (gz == NULL) {
		(void)deflateEnd(&zs);
		return;
	}
	zs.next_in = (Bytef *)out;
	zs.avail_in = (uInt)len;
	zs.next_out = gz;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	if (gunzip_bounded(gz, zs.total_out, len, &back, &back_len, NULL) == 0) {
		if (back_len != len || memcmp(back, out, len) != 0)
			abort();
		free(back);
	}
	(void)deflateEnd(&zs);
	free(gz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out = (unsigned char *)"x", *again = NULL;
	size_t len = SIZE_MAX, again_len = 0;
	struct mxs_error err = { 0 };
	int r;

	r = gunzip_bounded(data, size, FUZZ_CAP, &out, &len, &err);
	if (r < 0) {
		check_error(r, &err);
		if (out[0] != 'x' || out[1] != '\0' || len != SIZE_MAX)
			abort();
		mxs_error_clear(&err);
		return 0;
	}
	if (r != 0 || err.what != NULL || len > FUZZ_CAP || out[len] != '\0')
		abort();
	if (!gunzip_is_gzip(data, size))
		abort();

	r = gunzip_bounded(data, size, len, &again, &again_len, NULL);
	if (r == 0) {
		if (again_len != len || memcmp(again, out, len) != 0)
			abort();
		free(again);
	} else if (r != -ENOMEM) {
		abort();
	}
	if (len > 0) {
		r = gunzip_bounded(data, size, len - 1, &again, &again_len, NULL);
		if (r != -EFBIG && r != -ENOMEM)
			abort();
	}
	check_roundtrip(out, len);
	free(out);
	return 0;
}

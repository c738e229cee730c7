/*
 * gunzip.c - bounded gzip decompression (RFC 1952; RPT-DLV-08, RPT-JSON-14); see gunzip.h.
 *
 * zlib does the decoding (inflate with the gzip wrapper, which checks the header, CRC-32 and
 * ISIZE); this file adds what zlib leaves to its caller: the output cap, member concatenation,
 * and the decisions about truncated input and trailing bytes.
 */
#define ZLIB_CONST
#include "lib/gunzip.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* zlib windowBits: 15 (32 KiB, the most deflate uses) + 16 for "gzip wrapper only". */
#define GUNZIP_WBITS (15 + 16)

/* First output buffer: a guess from the input size, then doubled up to the cap. */
#define GUNZIP_FIRST_MIN 4096u
#define GUNZIP_FIRST_MAX (1024u * 1024)

bool gunzip_is_gzip(const void *data, size_t len)
{
	const unsigned char *p = data;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static size_t first_size(size_t in_len, size_t max_out)
{
	size_t n = in_len <= GUNZIP_FIRST_MAX / 4 ? in_len * 4 : GUNZIP_FIRST_MAX;

	if (n < GUNZIP_FIRST_MIN)
		n = GUNZIP_FIRST_MIN;
	return n < max_out ? n : max_out;
}

/* Grow the output buffer (cap bytes + the NUL) towards max_out; never past it. */
static int grow(unsigned char **out, size_t *cap, size_t max_out)
{
	size_t n = *cap <= max_out / 2 ? *cap * 2 : max_out;
	unsigned char *p;

	if (n < GUNZIP_FIRST_MIN)
		n = GUNZIP_FIRST_MIN < max_out ? GUNZIP_FIRST_MIN : max_out;
	p = realloc(*out, n + 1);
	if (p == NULL)
		return -ENOMEM;
	*out = p;
	*cap = n;
	return 0;
}

/*
 * What follows the end of a member: nothing (done), another member (RFC 1952 §2.2), or bytes
 * that are not gzip. A lone 0x1f may be the start of a member cut short, so it goes to zlib,
 * which calls it truncated.
 */
static bool starts_member(const unsigned char *rest, size_t n)
{
	return n >= 1 && rest[0] == 0x1f && (n == 1 || rest[1] == 0x8b);
}

int gunzip_bounded(const void *in, size_t in_len, size_t max_out, unsigned char **ret,
		   size_t *ret_len, struct mxs_error *reterr)
{
	const unsigned char *base = in, *next = in;
	size_t left = in_len, cap, len = 0;
	unsigned char *out = NULL;
	z_stream zs;
	int r = 0, zr;

	if (in_len == 0)
		return mxs_error_set(reterr, NULL, "RPT-DLV-08", "empty input: no gzip data");
	if (!gunzip_is_gzip(in, in_len)) {
		if (in_len == 1 && base[0] == 0x1f)
			return mxs_error_set(reterr, NULL, "RPT-DLV-08", "truncated gzip header");
		return mxs_error_set(reterr, NULL, "RPT-DLV-08",
				     "not gzip data (no 1f 8b magic at the start)");
	}
	/* Room for the terminating NUL must not overflow. */
	if (max_out > SIZE_MAX - 1)
		max_out = SIZE_MAX - 1;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, GUNZIP_WBITS) != Z_OK) {
		(void)mxs_error_set(reterr, NULL, NULL, "cannot start zlib: out of memory");
		return -ENOMEM;
	}
	cap = first_size(in_len, max_out);
	out = malloc(cap + 1);
	if (out == NULL) {
		r = -ENOMEM;
		goto out;
	}

	for (;;) {
		unsigned char spill;
		bool spilling = false;
		unsigned before;

		/* zlib counts in uInt: feed inputs over 4 GiB in pieces. */
		if (zs.avail_in == 0 && left > 0) {
			size_t chunk = left < UINT_MAX ? left : UINT_MAX;

			zs.next_in = next;
			zs.avail_in = (uInt)chunk;
			next += chunk;
			left -= chunk;
		}
		if (len == cap && cap < max_out) {
			r = grow(&out, &cap, max_out);
			if (r < 0)
				goto out;
		}
		if (len < cap) {
			size_t room = cap - len;

			zs.next_out = out + len;
			zs.avail_out = room < UINT_MAX ? (uInt)room : UINT_MAX;
		} else {
			/*
			 * The buffer holds max_out bytes: one more byte of output is a bomb (or
			 * just too big), and is detected without allocating anything more.
			 */
			zs.next_out = &spill;
			zs.avail_out = 1;
			spilling = true;
		}
		before = zs.avail_out;
		zr = inflate(&zs, Z_NO_FLUSH);
		if (spilling && zs.avail_out == 0) {
			(void)mxs_error_set(reterr, NULL, "RPT-JSON-14",
					    "decompressed data exceeds the limit of %zu bytes",
					    max_out);
			r = -EFBIG;
			goto out;
		}
		if (!spilling)
			len += before - zs.avail_out;

		if (zr == Z_STREAM_END) {
			size_t used = (size_t)(zs.next_in - base);

			if (used == in_len)
				break;
			if (!starts_member(base + used, in_len - used)) {
				r = mxs_error_set(
				    reterr, NULL, "RPT-DLV-08",
				    "trailing data after the gzip member (%zu byte%s)",
				    in_len - used, in_len - used == 1 ? "" : "s");
				goto out;
			}
			/* RFC 1952 §2.2: another member follows; its output is appended. */
			next = base + used;
			left = in_len - used;
			zs.avail_in = 0;
			if (inflateReset(&zs) != Z_OK) {
				r = mxs_error_set(reterr, NULL, NULL, "cannot restart zlib");
				goto out;
			}
			continue;
		}
		if (zr == Z_OK || zr == Z_BUF_ERROR) {
			/* Output room left over and no input left: the member never ended. */
			if (zs.avail_out > 0 && zs.avail_in == 0 && left == 0) {
				r = mxs_error_set(
				    reterr, NULL, "RPT-DLV-08",
				    "truncated gzip data (%zu bytes, no end of member)", in_len);
				goto out;
			}
			continue;
		}
		if (zr == Z_MEM_ERROR) {
			r = -ENOMEM;
			goto out;
		}
		/* Z_DATA_ERROR (bad data, CRC or length), Z_NEED_DICT, Z_STREAM_ERROR. */
		r = mxs_error_set(reterr, NULL, "RPT-DLV-08", "corrupt gzip data: %s",
				  zs.msg != NULL ? zs.msg : "invalid stream");
		goto out;
	}

	out[len] = '\0';
	*ret = out;
	*ret_len = len;
	out = NULL;
out:
	if (r == -ENOMEM)
		(void)mxs_error_set(reterr, NULL, NULL, "decompression: out of memory");
	(void)inflateEnd(&zs);
	free(out);
	return r;
}

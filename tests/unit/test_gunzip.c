/*
 * test_gunzip.c - bounded gzip decompression (lib/gunzip.c): RFC 1952 members, truncation,
 * corruption, trailing bytes (RPT-DLV-08) and the output cap against gzip bombs (RPT-JSON-14).
 *
 * The inputs are made here with zlib's deflate, so every case knows its exact bytes. The test
 * is linked with --wrap=malloc,--wrap=realloc (Makefile.am) to record the largest block asked
 * for while a case runs: a bomb must be refused without allocating more than the cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "lib/gunzip.h"

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);

static size_t biggest_alloc; /* largest malloc/realloc request since the last reset */

void *__wrap_malloc(size_t n)
{
	if (n > biggest_alloc)
		biggest_alloc = n;
	return __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (n > biggest_alloc)
		biggest_alloc = n;
	return __real_realloc(p, n);
}

/* A growing byte buffer for the compressed test inputs. */
struct bytes {
	unsigned char *p;
	size_t n;
};

static void bytes_add(struct bytes *b, const void *data, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->n, data, n);
	b->n += n;
}

/*
 * Append one gzip member holding "repeat" copies of data to b. With named, the header carries
 * a file name and a header CRC (FNAME, FHCRC), as gzip(1) -N writes it.
 */
static void gz_member(struct bytes *b, const void *data, size_t len, size_t repeat, bool named)
{
	unsigned char out[65536];
	gz_header head;
	z_stream zs;
	size_t i;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	if (named) {
		memset(&head, 0, sizeof(head));
		head.name = (Bytef *)"example.com!example.org!1!2.json";
		head.hcrc = 1;
		assert_int_equal(deflateSetHeader(&zs, &head), Z_OK);
	}
	for (i = 0; i <= repeat; i++) {
		int flush = i == repeat ? Z_FINISH : Z_NO_FLUSH;
		int zr;

		zs.next_in = (Bytef *)(i == repeat ? "" : data);
		zs.avail_in = i == repeat ? 0 : (uInt)len;
		do {
			zs.next_out = out;
			zs.avail_out = sizeof(out);
			zr = deflate(&zs, flush);
			assert_true(zr == Z_OK || zr == Z_STREAM_END || zr == Z_BUF_ERROR);
			bytes_add(b, out, sizeof(out) - zs.avail_out);
		} while (zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	}
	assert_int_equal(deflateEnd(&zs), Z_OK);
}

static struct bytes gz(const char *text)
{
	struct bytes b = { 0 };

	gz_member(&b, text, strlen(text), 1, false);
	return b;
}

/* Run gunzip_bounded() expecting failure r whose message holds want; outputs stay untouched. */
static void expect_fail(const void *in, size_t len, size_t max_out, int r, const char *want)
{
	unsigned char *out = (unsigned char *)"untouched";
	size_t out_len = 4242;
	struct mxs_error err = { 0 };

	assert_int_equal(gunzip_bounded(in, len, max_out, &out, &out_len, &err), r);
	assert_string_equal((const char *)out, "untouched");
	assert_int_equal(out_len, 4242);
	assert_non_null(err.what);
	if (strstr(err.what, want) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", want, err.what);
	mxs_error_clear(&err);
}

static void expect_text(const void *in, size_t len, size_t max_out, const char *want)
{
	unsigned char *out = NULL;
	size_t out_len = 0;

	assert_int_equal(gunzip_bounded(in, len, max_out, &out, &out_len, NULL), 0);
	assert_non_null(out);
	assert_int_equal(out_len, strlen(want));
	assert_memory_equal(out, want, out_len);
	assert_int_equal(out[out_len], '\0');
	free(out);
}

static const char report[] =
    "{\"organization-name\":\"Example\",\"report-id\":\"1\",\"policies\":[]}";

/* RPT-DLV-08: a gzip member decompresses to its bytes, NUL-terminated. */
static void test_RPT_DLV_08_one_member(void **state)
{
	struct bytes b = gz(report);

	(void)state;
	expect_text(b.p, b.n, GUNZIP_REPORT_MAX, report);
	assert_true(gunzip_is_gzip(b.p, b.n));
	free(b.p);
}

/* RFC 1952 §2.3.1: FNAME and FHCRC in the header are read; a wrong header CRC is refused. */
static void test_RPT_DLV_08_header_name_and_crc(void **state)
{
	struct bytes b = { 0 };

	(void)state;
	gz_member(&b, report, strlen(report), 1, true);
	assert_int_not_equal(b.p[3] & 0x0a, 0); /* FHCRC and FNAME set */
	expect_text(b.p, b.n, GUNZIP_REPORT_MAX, report);
	/* The header CRC-16 sits just before the deflate data, after the NUL-ended name. */
	b.p[10 + strlen("example.com!example.org!1!2.json") + 1] ^= 0xff;
	expect_fail(b.p, b.n, GUNZIP_REPORT_MAX, -EINVAL, "corrupt");
	free(b.p);
}

/* An empty member is valid and yields zero bytes (still a NUL-terminated buffer). */
static void test_RPT_DLV_08_empty_member(void **state)
{
	struct bytes b = gz("");

	(void)state;
	expect_text(b.p, b.n, GUNZIP_REPORT_MAX, "");
	free(b.p);
}

/* RFC 1952 §2.2: concatenated members are one file; their outputs are concatenated. */
static void test_RPT_DLV_08_two_members(void **state)
{
	struct bytes b = { 0 };

	(void)state;
	gz_member(&b, "{\"a\":", 5, 1, false);
	gz_member(&b, "1}", 2, 1, true);
	expect_text(b.p, b.n, GUNZIP_REPORT_MAX, "{\"a\":1}");
	/* The cap counts the whole output, across members. */
	expect_fail(b.p, b.n, 6, -EFBIG, "exceeds the limit of 6 bytes");
	free(b.p);
}

/* Every proper prefix of a member is truncated, whether cut in header, data or trailer. */
static void test_RPT_DLV_08_truncated(void **state)
{
	struct bytes b = gz(report);
	size_t k;

	(void)state;
	for (k = 1; k < b.n; k++)
		expect_fail(b.p, k, GUNZIP_REPORT_MAX, -EINVAL, "truncated");
	/* A second member cut after its first byte. */
	b.p[b.n] = 0x1f;
	expect_fail(b.p, b.n + 1, GUNZIP_REPORT_MAX, -EINVAL, "truncated");
	free(b.p);
}

/* RFC 1952 §2.3.1: CRC-32 and ISIZE are checked; bad deflate data is refused. */
static void test_RPT_DLV_08_corrupt(void **state)
{
	struct bytes b = gz(report);

	(void)state;
	b.p[b.n - 8] ^= 0x01; /* CRC-32 */
	expect_fail(b.p, b.n, GUNZIP_REPORT_MAX, -EINVAL, "incorrect data check");
	b.p[b.n - 8] ^= 0x01;
	b.p[b.n - 1] ^= 0x01; /* ISIZE */
	expect_fail(b.p, b.n, GUNZIP_REPORT_MAX, -EINVAL, "incorrect length check");
	b.p[b.n - 1] ^= 0x01;
	b.p[2] = 7; /* compression method other than deflate */
	expect_fail(b.p, b.n, GUNZIP_REPORT_MAX, -EINVAL, "corrupt");
	b.p[2] = 8;
	b.p[10] = 0xff; /* first deflate block header: reserved block type */
	expect_fail(b.p, b.n, GUNZIP_REPORT_MAX, -EINVAL, "corrupt");
	free(b.p);
}

/* Bytes after the last member that do not start a member are refused (gunzip.h). */
static void test_RPT_DLV_08_trailing_garbage(void **state)
{
	struct bytes b = gz(report);
	static const unsigned char zeros[4] = { 0 };

	(void)state;
	bytes_add(&b, "\n", 1);
	expect_fail(b.p, b.n, GUNZIP_REPORT_MAX, -EINVAL,
		    "trailing data after the gzip member (1 byte)");
	b.n--;
	bytes_add(&b, zeros, sizeof(zeros));
	expect_fail(b.p, b.n, GUNZIP_REPORT_MAX, -EINVAL, "(4 bytes)");
	free(b.p);
}

/* Not gzip at all: JSON, a zlib stream, nothing. */
static void test_RPT_DLV_08_not_gzip(void **state)
{
	struct bytes z = { 0 };
	unsigned char out[256];
	uLongf n = sizeof(out);

	(void)state;
	expect_fail(report, strlen(report), GUNZIP_REPORT_MAX, -EINVAL, "not gzip");
	assert_int_equal(compress(out, &n, (const Bytef *)report, strlen(report)), Z_OK);
	bytes_add(&z, out, n);
	expect_fail(z.p, z.n, GUNZIP_REPORT_MAX, -EINVAL, "not gzip");
	expect_fail("", 0, GUNZIP_REPORT_MAX, -EINVAL, "empty");
	expect_fail("\x1f", 1, GUNZIP_REPORT_MAX, -EINVAL, "truncated");
	assert_false(gunzip_is_gzip("\x1f", 1));
	assert_false(gunzip_is_gzip(report, strlen(report)));
	free(z.p);
}

/* The cap is inclusive: exactly max_out bytes pass, one more is refused. */
static void test_RPT_JSON_14_cap_edge(void **state)
{
	struct bytes b = gz(report);
	size_t n = strlen(report);

	(void)state;
	expect_text(b.p, b.n, n, report);
	expect_fail(b.p, b.n, n - 1, -EFBIG, "exceeds the limit");
	expect_fail(b.p, b.n, 0, -EFBIG, "exceeds the limit of 0 bytes");
	free(b.p);
}

/*
 * RPT-JSON-14: 100 MiB of zeros (about 100 KiB compressed) is refused at the 10 MiB cap, and no
 * block larger than the cap plus its NUL was requested on the way.
 */
static void test_RPT_JSON_14_bomb(void **state)
{
	static const unsigned char mib[1024 * 1024];
	struct bytes b = { 0 };
	struct mxs_error err = { 0 };
	unsigned char *out = NULL;
	size_t out_len = 0;

	(void)state;
	gz_member(&b, mib, sizeof(mib), 100, false);
	assert_true(b.n < 200 * 1024);
	biggest_alloc = 0;
	assert_int_equal(gunzip_bounded(b.p, b.n, GUNZIP_REPORT_MAX, &out, &out_len, &err), -EFBIG);
	assert_true(biggest_alloc <= GUNZIP_REPORT_MAX + 1);
	assert_true(biggest_alloc > 0);
	assert_null(out);
	assert_string_equal(err.req, "RPT-JSON-14");
	assert_non_null(strstr(err.what, "10485760"));
	mxs_error_clear(&err);
	free(b.p);
}

/* Outputs are written only on success; reterr may be NULL. */
static void test_gunzip_null_reterr(void **state)
{
	unsigned char *out = NULL;
	size_t out_len = 7;

	(void)state;
	assert_int_equal(gunzip_bounded("xx", 2, 10, &out, &out_len, NULL), -EINVAL);
	assert_null(out);
	assert_int_equal(out_len, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_RPT_DLV_08_one_member),
		cmocka_unit_test(test_RPT_DLV_08_header_name_and_crc),
		cmocka_unit_test(test_RPT_DLV_08_empty_member),
		cmocka_unit_test(test_RPT_DLV_08_two_members),
		cmocka_unit_test(test_RPT_DLV_08_truncated),
		cmocka_unit_test(test_RPT_DLV_08_corrupt),
		cmocka_unit_test(test_RPT_DLV_08_trailing_garbage),
		cmocka_unit_test(test_RPT_DLV_08_not_gzip),
		cmocka_unit_test(test_RPT_JSON_14_cap_edge),
		cmocka_unit_test(test_RPT_JSON_14_bomb),
		cmocka_unit_test(test_gunzip_null_reterr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

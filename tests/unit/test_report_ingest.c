/*
 * test_report_ingest.c - TLS-RPT reports into the store (agent/report_ingest.c) from what
 * brings them: real senders' mails and files (shared/spec/vectors/real), the same report twice,
 * and inputs that cannot be understood, which are kept with the reason (RPT-JSON-01/14,
 * RPT-DLV-03/08).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "agent/report_ingest.h"
#include "agent/store.h"
#include "agent/store_report.h"
#include "tests/unit/storefix.h"
#include "tests/unit/vectors.h"

#define NOW ((time_t)1795921200)

static unsigned char *read_vector(const char *name, size_t *len)
{
	char *path = vectors_path(name);
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	free(path);
	return buf;
}

static struct ingest_result ingest(struct store *s, const void *data, size_t len, const char *name)
{
	struct ingest_result res;
	struct mxs_error err = { 0 };

	if (report_ingest(s, data, len, name, "file", NOW, &res, &err) != 0)
		fail_msg("report_ingest: %s", err.what);
	return res;
}

/* RPT-DLV-03: each real mail gives its report; the second delivery is a duplicate. */
static void test_real_mails(void **state)
{
	static const char *const mails[] = { "real/google-2022-sts-enforce.eml",
					     "real/google-2024-no-policy-found.eml",
					     "real/microsoft-2023-no-timezone.eml" };
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct ingest_result res;
	size_t i, len, reports = 0, rejected = 0;
	unsigned char *data;

	for (i = 0; i < 3; i++) {
		data = read_vector(mails[i], &len);
		res = ingest(s, data, len, NULL);
		assert_int_equal(res.stored, 1);
		assert_int_equal(res.rejected, 0);
		ingest_result_clear(&res);
		res = ingest(s, data, len, NULL);
		assert_int_equal(res.stored, 0);
		assert_int_equal(res.duplicates, 1);
		ingest_result_clear(&res);
		free(data);
	}
	assert_int_equal(store_report_counts(s, &reports, &rejected, NULL), 0);
	assert_int_equal(reports, 3);
	assert_int_equal(rejected, 0);
	store_close(s);
}

/* Every real report file is ingested, each deviation recorded with the report. */
static void test_real_files(void **state)
{
	static const char *const files[] = { "real/google-2019-no-mx-host.json",
					     "real/microsoft-2025-tlsa-json-in-string.json",
					     "real/egressif-2024-contact-null.json",
					     "real/postfix-tlsrpt-2025-no-policy-domain.json" };
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct ingest_result res;
	unsigned char *data;
	size_t i, len;

	for (i = 0; i < 4; i++) {
		data = read_vector(files[i], &len);
		res = ingest(s, data, len, files[i]);
		if (res.stored != 1)
			fail_msg("%s: not stored (%s)", files[i], res.why != NULL ? res.why : "");
		ingest_result_clear(&res);
		free(data);
	}
	assert_true(sql_int(f->db_path, "SELECT count(*) FROM reports WHERE deviations <> ''") >=
		    3);
	store_close(s);
}

/* RPT-JSON-01, RPT-JSON-14: not JSON, or a gzip bomb: kept raw, with the reason. */
static void test_rejected_kept(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	static const char not_json[] = "{\"organization-name\": \"x\", ";
	unsigned char *zeros = calloc(1, 11u << 20), *gz = malloc(1 << 20);
	uLongf gz_len = 1 << 20;
	z_stream z = { 0 };
	struct ingest_result res;

	assert_non_null(zeros);
	assert_non_null(gz);
	res = ingest(s, not_json, sizeof(not_json) - 1, NULL);
	assert_int_equal(res.rejected, 1);
	assert_non_null(res.why);
	ingest_result_clear(&res);
	/* 11 MiB of zeros as gzip: over the 10 MiB a report may take */
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = zeros;
	z.avail_in = 11u << 20;
	z.next_out = gz;
	z.avail_out = (uInt)gz_len;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	gz_len = z.total_out;
	deflateEnd(&z);
	res = ingest(s, gz, gz_len, "bomb.json.gz");
	assert_int_equal(res.stored, 0);
	assert_int_equal(res.rejected, 1);
	ingest_result_clear(&res);
	assert_int_equal(sql_int(f->db_path, "SELECT count(*) FROM reports_rejected"), 2);
	assert_int_equal(
	    sql_int(f->db_path, "SELECT length(raw) FROM reports_rejected WHERE id = 1"),
	    (long long)sizeof(not_json) - 1);
	free(zeros);
	free(gz);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_real_mails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_kept, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_rpt_txt.c - the TLS-RPT TXT record (lib/rpt_txt.c), driven by
 * shared/spec/vectors/tlsrpt-txt.json, plus discovery and the project's own cases.
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

#include "lib/rpt_txt.h"
#include "tests/unit/vectors.h"

/* The parsed destinations against expect.rua; returns the number of mismatches. */
static size_t rua_mismatch(const json_t *v, const json_t *want, const struct rpt_txt *rec)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	size_t i, bad = 0;

	if (rec == NULL) {
		print_error("%s (%s): expected a record, got none\n", id, req);
		return 1;
	}
	if (rec->n_rua != json_array_size(want) || rec->rua[rec->n_rua] != NULL) {
		print_error("%s (%s): expected %zu rua, got %zu\n", id, req, json_array_size(want),
			    rec->n_rua);
		return 1;
	}
	for (i = 0; i < rec->n_rua; i++) {
		if (strcmp(rec->rua[i], json_string_value(json_array_get(want, i))) != 0) {
			print_error("%s (%s): rua[%zu] \"%s\"\n", id, req, i, rec->rua[i]);
			bad++;
		}
	}
	return bad;
}

/* One vector of tlsrpt-txt.json (vectors_check_fn): the destinations, the same verdict without
 * a list. */
static size_t check_rpt(const json_t *v, struct diag_list *d, void *ctx)
{
	const json_t *want_rua = json_object_get(json_object_get(v, "expect"), "rua");
	struct txt_record in = vectors_txt_record(json_object_get(v, "input"));
	struct rpt_txt *rec = NULL;
	size_t failures = 0;
	int r = rpt_txt_parse(in.data, in.len, &rec, d);

	(void)ctx;
	assert_true(r == 0 || r == -EINVAL);
	assert_true((r == 0) == (rec != NULL));
	assert_int_equal(rpt_txt_parse(in.data, in.len, NULL, NULL), r);
	if (json_is_array(want_rua))
		failures += rua_mismatch(v, want_rua, rec);
	rec = rpt_txt_free(rec);
	free(in.data);
	return failures;
}

/* covers: RPT-TXT-02 .. RPT-TXT-09 (every vector of tlsrpt-txt.json) */
static void test_rpt_vectors(void **state)
{
	(void)state;
	vectors_run("tlsrpt-txt.json", NULL, 26, check_rpt, NULL);
}

/* The parser under test for vectors_run_cases() and vectors_check_txt(). */
static int parse_rpt(const char *data, size_t len, struct diag_list *diags)
{
	return rpt_txt_parse(data, len, NULL, diags);
}

/* covers: RPT-TXT-05 (the tlsrpt-txt records of real/real.json) */
static void test_rpt_real_vectors(void **state)
{
	struct vectors_parser parser = { parse_rpt };

	(void)state;
	vectors_run("real/real.json", "tlsrpt-txt", 0, vectors_check_txt, &parser);
}

/* Cases beyond the vectors. */
static void test_rpt_project_cases(void **state)
{
	static const struct vectors_case cases[] = {
		{ "RPT-TXT-05", "v=TLSRPTv1; rua= mailto:a@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-05", "v=TLSRPTv1; RUA=mailto:a@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-05" },
		{ "RPT-TXT-05", "v=TLSRPTv1; rua=,mailto:a@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-05" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=mailto:a%2@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=mailto:a b@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=1mailto:a@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=mailto:a@example.com\x7f", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-07", "v=TLSRPTv1; rua=MAILTO:a@example.com", 0, 0, true, DIAG_OK, NULL },
		{ "RPT-TXT-07", "v=TLSRPTv1; rua=mailto:", 0, 0, true, DIAG_ERROR, "RPT-TXT-07" },
		{ "RPT-TXT-07", "v=TLSRPTv1; rua=https:/x", 0, 0, true, DIAG_ERROR, "RPT-TXT-07" },
		{ "RPT-TXT-04", "v=TLSRPTv1;; rua=mailto:a@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-04" },
		{ "RPT-TXT-04", "v=TLSRPTv1; rua=mailto:a@example.com ", 0, 0, false, DIAG_WARN,
		  "RPT-TXT-04" },
		{ "RPT-TXT-04", "v=TLSRPTv1x; rua=mailto:a@example.com", 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-04" },
		{ "RPT-TXT-04", "v=TLSRPTv1; rua=mailto:a@example.com; v=TLSRPTv1", 0, 0, true,
		  DIAG_WARN, "RPT-TXT-04" },
		{ "RPT-TXT-08", "v=TLSRPTv1; rua=mailto:a@example.com; x", 0, 0, false, DIAG_WARN,
		  "RPT-TXT-08" },
	};

	(void)state;
	vectors_run_cases(cases, sizeof(cases) / sizeof(cases[0]), parse_rpt);
}

/* covers: RPT-TXT-02: discovery over an RRset */
static void test_rpt_discovery(void **state)
{
	struct txt_record recs[4] = {
		{ .data = "v=spf1 -all", .len = 11 },
		{ .data = "v=TLSRPTv1;rua=mailto:a@example.com", .len = 35 },
		{ .data = "v=TLSRPTv1 rua=mailto:b@example.com", .len = 35 },
		{ .data = "v=TLSRPTv1 ;rua=mailto:c@example.com", .len = 36 },
	};
	struct rpt_txt *rec = NULL;
	struct diag_list d = { 0 };
	size_t count = 99;

	(void)state;
	/* one candidate, one look-alike without ";" (WARN), one unrelated record */
	assert_int_equal(rpt_txt_discover(recs, 3, &count, &rec, &d), 1);
	assert_int_equal(count, 1);
	assert_int_equal(rec->n_rua, 1);
	assert_string_equal(rec->rua[0], "mailto:a@example.com");
	assert_int_equal(diag_worst(&d, 0), DIAG_WARN);
	assert_false(diag_any_invalid(&d, 0));
	rec = rpt_txt_free(rec);
	diag_clear(&d);

	/* two candidates (D1 keeps the one with WSP before ";"): no TLS-RPT, ERROR */
	assert_int_equal(rpt_txt_discover(recs, 4, &count, &rec, &d), 0);
	assert_int_equal(count, 2);
	assert_null(rec);
	assert_int_equal(diag_worst(&d, 0), DIAG_ERROR);
	diag_clear(&d);

	/* none: INFO, invalid */
	assert_int_equal(rpt_txt_discover(recs, 1, &count, &rec, &d), 0);
	assert_int_equal(count, 0);
	assert_int_equal(diag_worst(&d, 0), DIAG_INFO);
	assert_true(diag_any_invalid(&d, 0));
	diag_clear(&d);

	/* the single candidate is invalid: no TLS-RPT */
	recs[1].data = "v=TLSRPTv1;rua=a@example.com";
	recs[1].len = strlen(recs[1].data);
	assert_int_equal(rpt_txt_discover(recs + 1, 1, &count, &rec, &d), 0);
	assert_int_equal(count, 1);
	assert_null(rec);
	assert_int_equal(diag_worst(&d, 0), DIAG_ERROR);
	diag_clear(&d);

	/* a NUL byte in the only record */
	recs[3].has_nul = true;
	assert_int_equal(rpt_txt_discover(recs + 3, 1, &count, &rec, NULL), 0);
	assert_null(rec);
	assert_int_equal(rpt_txt_discover(NULL, 0, NULL, NULL, NULL), 0);
	assert_null(rpt_txt_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpt_vectors),
		cmocka_unit_test(test_rpt_real_vectors),
		cmocka_unit_test(test_rpt_project_cases),
		cmocka_unit_test(test_rpt_discovery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

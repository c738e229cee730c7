/*
 * test_sts_txt.c - the MTA-STS TXT record (lib/sts_txt.c), driven by
 * shared/spec/vectors/mta-sts-txt.json and mta-sts-discovery.json, plus the project's own cases
 * that the vectors do not cover.
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

#include "lib/sts_txt.h"
#include "tests/unit/vectors.h"

/* One vector of mta-sts-txt.json (vectors_check_fn): the id, and outputs only on success. */
static size_t check_txt(const json_t *v, struct diag_list *d, void *ctx)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	const char *want_id = vectors_string(json_object_get(v, "expect"), "id");
	struct txt_record rec = vectors_txt_record(json_object_get(v, "input"));
	struct sts_txt txt = { .id = "untouched" };
	size_t failures = 0;
	int r = sts_txt_parse(rec.data, rec.len, &txt, d);

	(void)ctx;
	assert_int_not_equal(r, -ENOMEM);
	if (want_id != NULL && (r != 0 || strcmp(txt.id, want_id) != 0)) {
		print_error("%s (%s): expected id \"%s\", got %d \"%s\"\n", id, req, want_id, r,
			    txt.id);
		failures++;
	}
	/* an output only on success */
	if (r < 0 && strcmp(txt.id, "untouched") != 0) {
		print_error("%s (%s): id written on failure\n", id, req);
		failures++;
	}
	/* the same verdict without a list */
	if (sts_txt_parse(rec.data, rec.len, NULL, NULL) != r) {
		print_error("%s (%s): different result without diagnostics\n", id, req);
		failures++;
	}
	free(rec.data);
	return failures;
}

/* covers: STS-TXT-02, STS-TXT-03, STS-TXT-04, STS-TXT-06, STS-TXT-07, STS-TXT-08, STS-TXT-10,
 * STS-TXT-11 (every vector of mta-sts-txt.json) */
static void test_txt_vectors(void **state)
{
	(void)state;
	vectors_run("mta-sts-txt.json", NULL, 29, check_txt, NULL);
}

/* The parser under test for vectors_run_cases() and vectors_check_txt(). */
static int parse_txt(const char *data, size_t len, struct diag_list *diags)
{
	return sts_txt_parse(data, len, NULL, diags);
}

/* covers: STS-TXT-07, STS-TXT-08 (the mta-sts-txt records of real/real.json) */
static void test_txt_real_vectors(void **state)
{
	struct vectors_parser parser = { parse_txt };

	(void)state;
	vectors_run("real/real.json", "mta-sts-txt", 0, vectors_check_txt, &parser);
}

/* An RRset of a vector as the gatherer stores it. */
static struct txt_record *rrset_of(const json_t *arr, size_t *ret_n)
{
	size_t n = json_array_size(arr), i;
	struct txt_record *recs = calloc(n + 1, sizeof(*recs));

	assert_non_null(recs);
	for (i = 0; i < n; i++)
		recs[i] = vectors_txt_record(json_array_get(arr, i));
	*ret_n = n;
	return recs;
}

static void free_rrset(struct txt_record *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(recs[i].data);
	free(recs);
}

/* One vector of mta-sts-discovery.json (vectors_check_fn): whether a policy applies, its id. */
static size_t check_discovery(const json_t *v, struct diag_list *d, void *ctx)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	const json_t *expect = json_object_get(v, "expect");
	bool want_sts = json_is_true(json_object_get(expect, "sts"));
	const char *want_id = vectors_string(expect, "id");
	struct sts_txt txt = { .id = "" };
	struct txt_record *recs;
	size_t n, count = 999, failures = 0;
	int r;

	(void)ctx;
	recs = rrset_of(json_object_get(v, "rrset"), &n);
	r = sts_txt_discover(recs, n, &count, &txt, d);
	assert_true(r == 0 || r == 1);
	assert_true(count <= n);
	if ((r == 1) != want_sts) {
		print_error("%s (%s): expected %s\n", id, req, want_sts ? "a policy" : "no policy");
		failures++;
	} else if (want_id != NULL && strcmp(txt.id, want_id) != 0) {
		print_error("%s (%s): expected id \"%s\", got \"%s\"\n", id, req, want_id, txt.id);
		failures++;
	}
	free_rrset(recs, n);
	return failures;
}

/* covers: STS-TXT-04, STS-TXT-05 (every vector of mta-sts-discovery.json) */
static void test_discovery_vectors(void **state)
{
	(void)state;
	vectors_run("mta-sts-discovery.json", NULL, 7, check_discovery, NULL);
}

/* Cases beyond the vectors: control bytes, NUL, a second version, look-alike versions. */
static void test_txt_project_cases(void **state)
{
	static const struct vectors_case cases[] = {
		{ "STS-TXT-02", "v=STSv1; id=abc\x01", 0, -EINVAL, false, DIAG_ERROR,
		  "STS-TXT-02" },
		{ "STS-TXT-02", "v=STSv1; id=abc\0def", 19, -EINVAL, false, DIAG_ERROR,
		  "STS-TXT-02" },
		{ "STS-TXT-02", "v=STSv1; id=abc\r\n", 0, -EINVAL, false, DIAG_ERROR,
		  "STS-TXT-02" },
		{ "STS-TXT-11", "v=STSv1; id=abc; v=STSv1", 0, 0, true, DIAG_WARN, "STS-TXT-11" },
		{ "STS-TXT-11", "v=STSv1; id=abc; id=a-b", 0, 0, true, DIAG_WARN, "STS-TXT-11" },
		{ "STS-TXT-07", "v=STSv10; id=abc", 0, -EINVAL, false, DIAG_ERROR, "STS-TXT-07" },
		{ "STS-TXT-07", "v=STSv1;  ;", 0, -EINVAL, false, DIAG_ERROR, "STS-TXT-07" },
		{ "STS-TXT-07", "v=STSv1; id=abc;;", 0, -EINVAL, false, DIAG_ERROR, "STS-TXT-07" },
		{ "STS-TXT-07", "v=STSv1 ", 0, -EINVAL, false, DIAG_ERROR, "STS-TXT-07" },
		{ "STS-TXT-07", "v=STSv1; id=abc ;  ", 0, 0, true, DIAG_OK, NULL },
		{ "STS-TXT-08", "v=STSv1; ID=abc", 0, -EINVAL, false, DIAG_ERROR, "STS-TXT-08" },
		{ "STS-TXT-08", "v=STSv1; id=abc=", 0, -EINVAL, false, DIAG_ERROR, "STS-TXT-08" },
		{ "STS-TXT-10", "v=STSv1; id=abc; foo", 0, 0, false, DIAG_WARN, "STS-TXT-10" },
		{ "STS-TXT-10", "v=STSv1; id=abc; =x", 0, 0, false, DIAG_WARN, "STS-TXT-10" },
		{ "STS-TXT-10", "v=STSv1; id=abc; _x=1", 0, 0, false, DIAG_WARN, "STS-TXT-10" },
		{ "STS-TXT-06", "", 0, -EINVAL, false, DIAG_ERROR, "STS-TXT-06" },
	};

	(void)state;
	vectors_run_cases(cases, sizeof(cases) / sizeof(cases[0]), parse_txt);
}

/* covers: STS-TXT-02, STS-TXT-04, STS-TXT-05: discovery edge cases */
static void test_discovery_project_cases(void **state)
{
	struct txt_record recs[3] = {
		{ .data = "v=STSv1; id=abc", .len = 15 },
		{ .data = "V=STSv1; id=def", .len = 15 },
		{ .data = "v=spf1 -all", .len = 11 },
	};
	struct sts_txt txt = { .id = "untouched" };
	struct diag_list d = { 0 };
	size_t count = 99;

	(void)state;
	/* a mistyped version is discarded, with a warning; the good record applies */
	assert_int_equal(sts_txt_discover(recs, 3, &count, &txt, &d), 1);
	assert_int_equal(count, 1);
	assert_string_equal(txt.id, "abc");
	assert_int_equal(diag_worst(&d, 0), DIAG_WARN);
	assert_false(diag_any_invalid(&d, 0));
	diag_clear(&d);

	/* only the look-alike: no policy; INFO for "none", WARN for the look-alike */
	assert_int_equal(sts_txt_discover(recs + 1, 2, &count, &txt, &d), 0);
	assert_int_equal(count, 0);
	assert_int_equal(diag_worst(&d, 0), DIAG_WARN);
	assert_true(diag_any_invalid(&d, 0));
	diag_clear(&d);

	/* D1: whitespace before ";" keeps the record a candidate; it applies, with a warning */
	recs[0].data = "v=STSv1\t; id=xyz";
	recs[0].len = strlen(recs[0].data);
	assert_int_equal(sts_txt_discover(recs, 1, &count, &txt, &d), 1);
	assert_string_equal(txt.id, "xyz");
	assert_int_equal(diag_worst(&d, 0), DIAG_WARN);
	diag_clear(&d);

	/* STS-TXT-02: a record with a NUL byte (kept up to the NUL by the gatherer) is invalid */
	recs[0].data = "v=STSv1; id=abc";
	recs[0].len = 15;
	recs[0].has_nul = true;
	strcpy(txt.id, "untouched");
	assert_int_equal(sts_txt_discover(recs, 1, &count, &txt, &d), 0);
	assert_int_equal(count, 1);
	assert_string_equal(txt.id, "untouched");
	assert_int_equal(diag_worst(&d, 0), DIAG_ERROR);
	diag_clear(&d);

	/* an empty RRset, without any optional output */
	assert_int_equal(sts_txt_discover(NULL, 0, NULL, NULL, NULL), 0);
}

/* The diagnostics of a second parse are appended after those of the first. */
static void test_diagnostics_accumulate(void **state)
{
	struct diag_list d = { 0 };
	size_t first;

	(void)state;
	assert_int_equal(sts_txt_parse("v=STSv1; id=a-b", 15, NULL, &d), -EINVAL);
	first = d.n;
	assert_true(first > 0);
	assert_int_equal(sts_txt_parse("v=STSv1; id=ab", 14, NULL, &d), 0);
	assert_int_equal(d.n, first);
	assert_int_equal(diag_worst(&d, first), DIAG_OK);
	assert_int_equal(diag_worst(&d, 0), DIAG_ERROR);
	diag_clear(&d);
	assert_int_equal(d.n, 0);
	diag_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_vectors),
		cmocka_unit_test(test_discovery_vectors),
		cmocka_unit_test(test_txt_real_vectors),
		cmocka_unit_test(test_txt_project_cases),
		cmocka_unit_test(test_discovery_project_cases),
		cmocka_unit_test(test_diagnostics_accumulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

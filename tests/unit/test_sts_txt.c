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

/* One TXT RR of a vector (a list of character-strings) joined as the gatherer joins them. */
static struct txt_record join_strings(const json_t *arr)
{
	struct txt_record rec = { 0 };
	size_t i, len = 0;
	json_t *s;

	json_array_foreach(arr, i, s) len += json_string_length(s);
	rec.data = calloc(1, len + 1);
	assert_non_null(rec.data);
	json_array_foreach(arr, i, s)
	{
		memcpy(rec.data + rec.len, json_string_value(s), json_string_length(s));
		rec.len += json_string_length(s);
	}
	rec.n_strings = (unsigned)json_array_size(arr);
	rec.has_nul = strlen(rec.data) != rec.len;
	return rec;
}

/* Print the diagnostics from index from on, for a failing vector. */
static void print_diags(const struct diag_list *d, size_t from)
{
	size_t i;

	for (i = from; i < d->n; i++)
		print_error("    %s %s%s: %s\n", diag_level_name(d->v[i].level),
			    d->v[i].invalid ? "invalid " : "", d->v[i].req, d->v[i].text);
}

/*
 * Compare the verdict of the diagnostics with the vector's "valid" and "severity"; print the
 * failure as "<vector id> (<req>): expected ..., got ..." and return 1 on a mismatch.
 */
static int verdict_mismatch(const json_t *v, const struct diag_list *d)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	const char *want_sev = vectors_string(v, "severity");
	bool want_valid = json_is_true(json_object_get(v, "valid"));
	bool got_valid = !diag_any_invalid(d, 0);
	const char *got_sev = diag_level_name(diag_worst(d, 0));

	assert_non_null(want_sev);
	if (want_valid == got_valid && strcmp(want_sev, got_sev) == 0)
		return 0;
	print_error("%s (%s): expected %s, severity %s, got %s, severity %s\n", id, req,
		    want_valid ? "valid" : "invalid", want_sev, got_valid ? "valid" : "invalid",
		    got_sev);
	print_diags(d, 0);
	return 1;
}

/* covers: STS-TXT-02, STS-TXT-03, STS-TXT-04, STS-TXT-06, STS-TXT-07, STS-TXT-08, STS-TXT-10,
 * STS-TXT-11 (every vector of mta-sts-txt.json) */
static void test_txt_vectors(void **state)
{
	json_t *root = vectors_load("mta-sts-txt.json");
	size_t i, failures = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 29);
	json_array_foreach(root, i, v)
	{
		const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
		const char *want_id = vectors_string(json_object_get(v, "expect"), "id");
		struct txt_record rec = join_strings(json_object_get(v, "input"));
		struct sts_txt txt = { .id = "untouched" };
		struct diag_list d = { 0 };
		int r = sts_txt_parse(rec.data, rec.len, &txt, &d);

		assert_int_not_equal(r, -ENOMEM);
		failures += (size_t)verdict_mismatch(v, &d);
		if (want_id != NULL && (r != 0 || strcmp(txt.id, want_id) != 0)) {
			print_error("%s (%s): expected id \"%s\", got %d \"%s\"\n", id, req,
				    want_id, r, txt.id);
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
		diag_clear(&d);
		free(rec.data);
	}
	json_decref(root);
	if (failures > 0)
		fail_msg("%zu check(s) of mta-sts-txt.json failed", failures);
}

/* covers: STS-TXT-07, STS-TXT-08 (the mta-sts-txt records of real/real.json) */
static void test_txt_real_vectors(void **state)
{
	json_t *root = vectors_load("real/real.json");
	size_t i, n = 0, failures = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	json_array_foreach(root, i, v)
	{
		struct txt_record rec;
		struct diag_list d = { 0 };
		int r;

		if (strcmp(vectors_string(v, "kind"), "mta-sts-txt") != 0)
			continue;
		n++;
		rec = join_strings(json_object_get(v, "input"));
		r = sts_txt_parse(rec.data, rec.len, NULL, &d);
		failures += (size_t)verdict_mismatch(v, &d);
		if (json_is_true(json_object_get(v, "valid")) && r != 0) {
			print_error("%s: a valid record was rejected\n", vectors_string(v, "id"));
			failures++;
		}
		diag_clear(&d);
		free(rec.data);
	}
	json_decref(root);
	assert_true(n > 0);
	if (failures > 0)
		fail_msg("%zu check(s) of real/real.json failed", failures);
}

/* An RRset of a vector as the gatherer stores it. */
static struct txt_record *rrset_of(const json_t *arr, size_t *ret_n)
{
	size_t n = json_array_size(arr), i;
	struct txt_record *recs = calloc(n + 1, sizeof(*recs));

	assert_non_null(recs);
	for (i = 0; i < n; i++)
		recs[i] = join_strings(json_array_get(arr, i));
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

/* covers: STS-TXT-04, STS-TXT-05 (every vector of mta-sts-discovery.json) */
static void test_discovery_vectors(void **state)
{
	json_t *root = vectors_load("mta-sts-discovery.json");
	size_t i, failures = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 7);
	json_array_foreach(root, i, v)
	{
		const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
		const json_t *expect = json_object_get(v, "expect");
		bool want_sts = json_is_true(json_object_get(expect, "sts"));
		const char *want_id = vectors_string(expect, "id");
		struct sts_txt txt = { .id = "" };
		struct diag_list d = { 0 };
		struct txt_record *recs;
		size_t n, count = 999;
		int r;

		recs = rrset_of(json_object_get(v, "rrset"), &n);
		r = sts_txt_discover(recs, n, &count, &txt, &d);
		assert_true(r == 0 || r == 1);
		assert_true(count <= n);
		failures += (size_t)verdict_mismatch(v, &d);
		if ((r == 1) != want_sts) {
			print_error("%s (%s): expected %s\n", id, req,
				    want_sts ? "a policy" : "no policy");
			failures++;
		} else if (want_id != NULL && strcmp(txt.id, want_id) != 0) {
			print_error("%s (%s): expected id \"%s\", got \"%s\"\n", id, req, want_id,
				    txt.id);
			failures++;
		}
		diag_clear(&d);
		free_rrset(recs, n);
	}
	json_decref(root);
	if (failures > 0)
		fail_msg("%zu check(s) of mta-sts-discovery.json failed", failures);
}

/* One record of the project's own cases. */
struct txt_case {
	const char *req;
	const char *input;
	size_t len; /* 0: strlen(input) */
	int want_r;
	bool want_valid;
	enum diag_level want_level;
	const char *want_req; /* a diagnostic with this ID must be among them, or NULL */
};

/* Cases beyond the vectors: control bytes, NUL, a second version, look-alike versions. */
static void test_txt_project_cases(void **state)
{
	static const struct txt_case cases[] = {
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
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct txt_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->input), k;
		struct diag_list d = { 0 };
		bool found = c->want_req == NULL;
		int r = sts_txt_parse(c->input, len, NULL, &d);

		for (k = 0; k < d.n; k++) {
			found = found || strcmp(d.v[k].req, c->want_req) == 0;
			/* no diagnostic without text, and the text is one clean line */
			assert_non_null(d.v[k].text);
			assert_null(strpbrk(d.v[k].text, "\r\n"));
		}
		if (r != c->want_r || diag_any_invalid(&d, 0) == c->want_valid ||
		    diag_worst(&d, 0) != c->want_level || !found) {
			print_diags(&d, 0);
			fail_msg("case %zu (%s): expected %d, %s, severity %s%s%s, got %d, %s, "
				 "severity %s",
				 i, c->req, c->want_r, c->want_valid ? "valid" : "invalid",
				 diag_level_name(c->want_level), found ? "" : ", diagnostic ",
				 found ? "" : c->want_req, r,
				 diag_any_invalid(&d, 0) ? "invalid" : "valid",
				 diag_level_name(diag_worst(&d, 0)));
		}
		diag_clear(&d);
	}
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

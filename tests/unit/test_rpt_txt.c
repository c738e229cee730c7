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

/* One TXT RR of a vector (a list of character-strings), joined without separators. */
static char *join_strings(const json_t *arr, size_t *ret_len)
{
	size_t i, len = 0;
	char *data;
	json_t *s;

	json_array_foreach(arr, i, s) len += json_string_length(s);
	data = calloc(1, len + 1);
	assert_non_null(data);
	len = 0;
	json_array_foreach(arr, i, s)
	{
		memcpy(data + len, json_string_value(s), json_string_length(s));
		len += json_string_length(s);
	}
	*ret_len = len;
	return data;
}

static void print_diags(const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_error("    %s %s%s: %s\n", diag_level_name(d->v[i].level),
			    d->v[i].invalid ? "invalid " : "", d->v[i].req, d->v[i].text);
}

/* The parsed destinations against expect.rua; returns the number of mismatches. */
static int rua_mismatch(const json_t *v, const json_t *want, const struct rpt_txt *rec)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	size_t i;
	int bad = 0;

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

/* covers: RPT-TXT-02 .. RPT-TXT-09 (every vector of tlsrpt-txt.json) */
static void test_rpt_vectors(void **state)
{
	json_t *root = vectors_load("tlsrpt-txt.json");
	size_t i, failures = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 26);
	json_array_foreach(root, i, v)
	{
		const json_t *want_rua = json_object_get(json_object_get(v, "expect"), "rua");
		const char *want_sev = vectors_string(v, "severity"), *got_sev;
		bool want_valid = json_is_true(json_object_get(v, "valid")), got_valid;
		struct rpt_txt *rec = NULL;
		struct diag_list d = { 0 };
		size_t len;
		char *data = join_strings(json_object_get(v, "input"), &len);
		int r = rpt_txt_parse(data, len, &rec, &d);

		assert_true(r == 0 || r == -EINVAL);
		assert_true((r == 0) == (rec != NULL));
		assert_int_equal(rpt_txt_parse(data, len, NULL, NULL), r);
		got_valid = !diag_any_invalid(&d, 0);
		got_sev = diag_level_name(diag_worst(&d, 0));
		if (got_valid != want_valid || strcmp(got_sev, want_sev) != 0) {
			print_error("%s (%s): expected %s, severity %s, got %s, severity %s\n",
				    vectors_string(v, "id"), vectors_string(v, "req"),
				    want_valid ? "valid" : "invalid", want_sev,
				    got_valid ? "valid" : "invalid", got_sev);
			print_diags(&d);
			failures++;
		}
		if (json_is_array(want_rua))
			failures += (size_t)rua_mismatch(v, want_rua, rec);
		rec = rpt_txt_free(rec);
		diag_clear(&d);
		free(data);
	}
	json_decref(root);
	if (failures > 0)
		fail_msg("%zu check(s) of tlsrpt-txt.json failed", failures);
}

/* covers: RPT-TXT-05 (the tlsrpt-txt records of real/real.json) */
static void test_rpt_real_vectors(void **state)
{
	json_t *root = vectors_load("real/real.json");
	size_t i, n = 0, failures = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	json_array_foreach(root, i, v)
	{
		const char *want_sev = vectors_string(v, "severity"), *got_sev;
		bool want_valid = json_is_true(json_object_get(v, "valid"));
		struct diag_list d = { 0 };
		size_t len;
		char *data;
		int r;

		if (strcmp(vectors_string(v, "kind"), "tlsrpt-txt") != 0)
			continue;
		n++;
		data = join_strings(json_object_get(v, "input"), &len);
		r = rpt_txt_parse(data, len, NULL, &d);
		got_sev = diag_level_name(diag_worst(&d, 0));
		if (want_valid == diag_any_invalid(&d, 0) || strcmp(want_sev, got_sev) != 0 ||
		    (want_valid && r != 0)) {
			print_error("%s (%s): expected %s, severity %s, got %d, severity %s\n",
				    vectors_string(v, "id"), vectors_string(v, "req"),
				    want_valid ? "valid" : "invalid", want_sev, r, got_sev);
			print_diags(&d);
			failures++;
		}
		diag_clear(&d);
		free(data);
	}
	json_decref(root);
	assert_true(n > 0);
	if (failures > 0)
		fail_msg("%zu check(s) of real/real.json failed", failures);
}

struct rpt_case {
	const char *req;
	const char *input;
	int want_r;
	bool want_valid;
	enum diag_level want_level;
	const char *want_req; /* a diagnostic with this ID must be among them, or NULL */
};

/* Cases beyond the vectors. */
static void test_rpt_project_cases(void **state)
{
	static const struct rpt_case cases[] = {
		{ "RPT-TXT-05", "v=TLSRPTv1; rua= mailto:a@example.com", -EINVAL, false, DIAG_ERROR,
		  "RPT-TXT-06" },
		{ "RPT-TXT-05", "v=TLSRPTv1; RUA=mailto:a@example.com", -EINVAL, false, DIAG_ERROR,
		  "RPT-TXT-05" },
		{ "RPT-TXT-05", "v=TLSRPTv1; rua=,mailto:a@example.com", -EINVAL, false, DIAG_ERROR,
		  "RPT-TXT-05" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=mailto:a%2@example.com", -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=mailto:a b@example.com", -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=1mailto:a@example.com", -EINVAL, false, DIAG_ERROR,
		  "RPT-TXT-06" },
		{ "RPT-TXT-06", "v=TLSRPTv1; rua=mailto:a@example.com\x7f", -EINVAL, false,
		  DIAG_ERROR, "RPT-TXT-06" },
		{ "RPT-TXT-07", "v=TLSRPTv1; rua=MAILTO:a@example.com", 0, true, DIAG_OK, NULL },
		{ "RPT-TXT-07", "v=TLSRPTv1; rua=mailto:", 0, true, DIAG_ERROR, "RPT-TXT-07" },
		{ "RPT-TXT-07", "v=TLSRPTv1; rua=https:/x", 0, true, DIAG_ERROR, "RPT-TXT-07" },
		{ "RPT-TXT-04", "v=TLSRPTv1;; rua=mailto:a@example.com", -EINVAL, false, DIAG_ERROR,
		  "RPT-TXT-04" },
		{ "RPT-TXT-04", "v=TLSRPTv1; rua=mailto:a@example.com ", 0, false, DIAG_WARN,
		  "RPT-TXT-04" },
		{ "RPT-TXT-04", "v=TLSRPTv1x; rua=mailto:a@example.com", -EINVAL, false, DIAG_ERROR,
		  "RPT-TXT-04" },
		{ "RPT-TXT-04", "v=TLSRPTv1; rua=mailto:a@example.com; v=TLSRPTv1", 0, true,
		  DIAG_WARN, "RPT-TXT-04" },
		{ "RPT-TXT-08", "v=TLSRPTv1; rua=mailto:a@example.com; x", 0, false, DIAG_WARN,
		  "RPT-TXT-08" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rpt_case *c = &cases[i];
		struct diag_list d = { 0 };
		bool found = c->want_req == NULL;
		size_t k;
		int r = rpt_txt_parse(c->input, strlen(c->input), NULL, &d);

		for (k = 0; k < d.n; k++)
			found = found || strcmp(d.v[k].req, c->want_req) == 0;
		if (r != c->want_r || diag_any_invalid(&d, 0) == c->want_valid ||
		    diag_worst(&d, 0) != c->want_level || !found) {
			print_diags(&d);
			fail_msg("case %zu (%s) \"%s\": expected %d, %s, severity %s, got %d, %s, "
				 "severity %s%s",
				 i, c->req, c->input, c->want_r,
				 c->want_valid ? "valid" : "invalid",
				 diag_level_name(c->want_level), r,
				 diag_any_invalid(&d, 0) ? "invalid" : "valid",
				 diag_level_name(diag_worst(&d, 0)),
				 found ? "" : ", expected diagnostic missing");
		}
		diag_clear(&d);
	}
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

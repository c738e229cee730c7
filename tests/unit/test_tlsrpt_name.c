/*
 * test_tlsrpt_name.c - the file name of a TLS-RPT report (lib/tlsrpt_name.c), driven by
 * shared/spec/vectors/tlsrpt-filename.json, plus the names real senders used (real/real.json)
 * and the project's own cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/tlsrpt_name.h"
#include "tests/unit/vectors.h"

/* A parsed string against an "expect" member (JSON null for NULL); returns 1 on a mismatch. */
static size_t str_mismatch(const char *id, const char *what, const char *got, const json_t *want)
{
	const char *w = json_string_value(want);

	if ((got == NULL && w == NULL) || (got != NULL && w != NULL && strcmp(got, w) == 0))
		return 0;
	print_error("%s (RPT-DLV-07): %s is \"%s\", expected \"%s\"\n", id, what,
		    got ? got : "(null)", w ? w : "(null)");
	return 1;
}

/* One vector of tlsrpt-filename.json (vectors_check_fn): verdict and "expect". */
static size_t check_name(const json_t *v, struct diag_list *d, void *ctx)
{
	const char *id = vectors_string(v, "id"), *in = vectors_string(v, "input");
	const json_t *want = json_object_get(v, "expect");
	struct tlsrpt_name n = { 0 };
	size_t bad = 0;
	int r = tlsrpt_name_parse(in, strlen(in), &n, d);

	(void)ctx;
	assert_int_equal(tlsrpt_name_parse(in, strlen(in), NULL, NULL), r);
	if ((r == 0) != json_is_true(json_object_get(v, "valid"))) {
		print_error("%s (RPT-DLV-07): result %d\n", id, r);
		return 1;
	}
	if (r != 0)
		return n.sender == NULL ? 0 : 1;
	bad += str_mismatch(id, "sender", n.sender, json_object_get(want, "sender"));
	bad += str_mismatch(id, "policy domain", n.policy_domain,
			    json_object_get(want, "policy_domain"));
	bad += str_mismatch(id, "unique-id", n.unique_id, json_object_get(want, "unique_id"));
	bad += str_mismatch(id, "extension", n.extension, json_object_get(want, "extension"));
	if (n.begin != json_integer_value(json_object_get(want, "begin")) ||
	    n.end != json_integer_value(json_object_get(want, "end"))) {
		print_error("%s (RPT-DLV-07): timestamps %lld %lld\n", id, (long long)n.begin,
			    (long long)n.end);
		bad++;
	}
	tlsrpt_name_clear(&n);
	return bad;
}

/* covers: RPT-DLV-07 (every vector of tlsrpt-filename.json) */
static void test_rpt_filename_vectors(void **state)
{
	(void)state;
	vectors_run("tlsrpt-filename.json", NULL, 8, check_name, NULL);
}

static int parse_name(const char *data, size_t len, struct diag_list *diags)
{
	return tlsrpt_name_parse(data, len, NULL, diags);
}

/* covers: RPT-DLV-07 (cases beyond the vectors; the real names of real/real.json) */
static void test_rpt_filename_cases(void **state)
{
	static const struct vectors_case cases[] = {
		/* real-014 (egressif, no unique-id), real-002 (Google), real-004 (Microsoft) */
		{ "RPT-DLV-07", "mx.egressif.io!redacted.example.com!1730332800!1730419200.json.gz",
		  0, 0, true, DIAG_OK, NULL },
		{ "RPT-DLV-07", "google.com!example.org!1663200000!1663286399!001.json.gz", 0, 0,
		  true, DIAG_OK, NULL },
		{ "RPT-DLV-07",
		  "microsoft.com!example.org!1673308800!1673395200!133198585438131172.json.gz", 0,
		  0, true, DIAG_OK, NULL },
		{ "RPT-DLV-07", "a.example!b.example!1!2!.json", 0, -EINVAL, false, DIAG_WARN,
		  "RPT-DLV-07" },
		{ "RPT-DLV-07", "a.example!b.example!1!2!x!y.json", 0, -EINVAL, false, DIAG_WARN,
		  "RPT-DLV-07" },
		{ "RPT-DLV-07", "a.example!b.example!2!1.json", 0, -EINVAL, false, DIAG_WARN,
		  "RPT-DLV-07" },
		{ "RPT-DLV-07", "-a.example!b.example!1!2.json", 0, -EINVAL, false, DIAG_WARN,
		  "RPT-DLV-07" },
		{ "RPT-DLV-07", "a..example!b.example!1!2.json", 0, -EINVAL, false, DIAG_WARN,
		  "RPT-DLV-07" },
		{ "RPT-DLV-07", "a.example!b.example!1!2.JSON", 0, -EINVAL, false, DIAG_WARN,
		  "RPT-DLV-07" },
		{ "RPT-DLV-07", "a.example!b.example!1!1234567890123.json", 0, -EINVAL, false,
		  DIAG_WARN, "RPT-DLV-07" },
		{ "RPT-DLV-07", "a.example!b.example!1!2\0.json", 29, -EINVAL, false, DIAG_WARN,
		  "RPT-DLV-07" },
		{ "RPT-DLV-07", ".json", 0, -EINVAL, false, DIAG_WARN, "RPT-DLV-07" },
		{ "RPT-DLV-07", "", 0, -EINVAL, false, DIAG_WARN, "RPT-DLV-07" },
	};

	(void)state;
	vectors_run_cases(cases, sizeof(cases) / sizeof(cases[0]), parse_name);
	tlsrpt_name_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpt_filename_vectors),
		cmocka_unit_test(test_rpt_filename_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

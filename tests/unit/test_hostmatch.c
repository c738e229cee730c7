/*
 * test_hostmatch.c - certificate names and MTA-STS mx patterns (lib/hostmatch.c), driven by
 * shared/spec/vectors/cert-name-match.json and mx-pattern-match.json, plus the project's own
 * cases that the vectors do not cover.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/hostmatch.h"
#include "tests/unit/vectors.h"

/* The "context" of cert-name-match.json as the enum; -1 for a value this test does not know. */
static int context_of(const char *s)
{
	static const struct {
		const char *name;
		enum hostmatch_context ctx;
	} map[] = {
		{ "mta-sts-mx", HOSTMATCH_STS_MX },
		{ "mta-sts-policy-host", HOSTMATCH_STS_POLICY },
		{ "dane-ta", HOSTMATCH_DANE_TA },
		{ "dane-ee", HOSTMATCH_DANE_EE },
	};
	size_t i;

	for (i = 0; s != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i].name) == 0)
			return (int)map[i].ctx;
	return -1;
}

/* A JSON array of strings as a NULL-terminated array (strings borrowed from the JSON). */
static const char **string_list(const json_t *arr)
{
	size_t n = json_array_size(arr), i;
	const char **v = calloc(n + 1, sizeof(*v));

	assert_non_null(v);
	for (i = 0; i < n; i++) {
		v[i] = json_string_value(json_array_get(arr, i));
		assert_non_null(v[i]);
	}
	return v;
}

/* covers: STS-CERT-04, STS-CERT-05, STS-FETCH-02, STS-FETCH-03, COMMON-NAME-03,
 * DANE-NAME-01, DANE-NAME-02, DANE-NAME-03 (every vector of cert-name-match.json) */
static void test_cert_name_vectors(void **state)
{
	json_t *root = vectors_load("cert-name-match.json");
	size_t i, failures = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	assert_true(json_array_size(root) > 0);
	json_array_foreach(root, i, v)
	{
		const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
		const char *cn = vectors_string(v, "cn"), *matched = NULL;
		int ctx = context_of(vectors_string(v, "context"));
		bool want = json_is_true(json_object_get(v, "match"));
		const char **san, **refs;
		bool got;

		if (ctx < 0)
			fail_msg("%s (%s): unknown context", id, req);
		san = string_list(json_object_get(v, "san"));
		refs = string_list(json_object_get(v, "reference"));
		/* every failure is listed before the test fails, not only the first */
		got = hostmatch_cert((enum hostmatch_context)ctx, san, cn, refs, &matched);
		if (got != want) {
			print_error("%s (%s): expected %s\n", id, req, want ? "match" : "no match");
			failures++;
		} else if (got && ctx != HOSTMATCH_DANE_EE) {
			/* the matched name is one the certificate presented, not a copy */
			size_t k;
			bool found = matched == cn;

			for (k = 0; san[k] != NULL; k++)
				found = found || matched == san[k];
			if (!found) {
				print_error("%s (%s): matched name is not from the certificate\n",
					    id, req);
				failures++;
			}
		}
		free(san);
		free(refs);
	}
	json_decref(root);
	if (failures > 0)
		fail_msg("%zu vector(s) of cert-name-match.json failed", failures);
}

/* covers: STS-MX-02, STS-MX-03, STS-MX-04 (every vector of mx-pattern-match.json) */
static void test_mx_pattern_vectors(void **state)
{
	json_t *root = vectors_load("mx-pattern-match.json");
	size_t i, failures = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	assert_true(json_array_size(root) > 0);
	json_array_foreach(root, i, v)
	{
		const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
		bool want = json_is_true(json_object_get(v, "match"));

		if (hostmatch_mx_pattern(vectors_string(v, "pattern"), vectors_string(v, "host")) !=
		    want) {
			print_error("%s (%s): expected %s\n", id, req, want ? "match" : "no match");
			failures++;
		}
	}
	json_decref(root);
	if (failures > 0)
		fail_msg("%zu vector(s) of mx-pattern-match.json failed", failures);
}

/* One pattern against one host, with the requirement the case rests on. */
struct mx_case {
	const char *req;
	const char *pattern;
	const char *host;
	bool want;
};

/* Cases beyond the vectors: malformed patterns, IDN patterns, one-label parents. */
static void test_mx_pattern_project_cases(void **state)
{
	static const struct mx_case cases[] = {
		{ "STS-POL-08", "mx*.example.com", "mx1.example.com", false },
		{ "STS-POL-08", "*.*.example.com", "a.b.example.com", false },
		{ "STS-POL-08", "*", "example", false },
		{ "STS-POL-08", "*example.com", "mailexample.com", false },
		{ "STS-POL-08", ".example.com", "mail.example.com", false },
		{ "STS-POL-08", "", "mail.example.com", false },
		{ "STS-POL-14", "*.com", "example.com",
		  true }, /* allowed; the policy check warns */
		{ "STS-MX-02", "mail.example.com.", "mail.example.com", true },
		{ "STS-MX-02",
		  "b\xc3\xbc"
		  "cher.example",
		  "xn--bcher-kva.example", true },
		{ "STS-MX-04", "mail.example.com", "mail.example.com\n", false },
		{ "STS-MX-04", "*.example.com", "mail_1.example.com", false },
		{ "STS-MX-04", "*.2", "1.2",
		  false }, /* numeric top label: an address, not a name */
		{ "STS-MX-04", "mx1.example.com", "[192.0.2.1]", false },
		{ "STS-MX-04", "mx1.example.com", NULL, false },
		{ "STS-MX-04", NULL, "mx1.example.com", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (hostmatch_mx_pattern(cases[i].pattern, cases[i].host) != cases[i].want)
			fail_msg("case %zu (%s) \"%s\" vs \"%s\": expected %s", i, cases[i].req,
				 cases[i].pattern ? cases[i].pattern : "(null)",
				 cases[i].host ? cases[i].host : "(null)",
				 cases[i].want ? "match" : "no match");
}

/* One presented name (a dNSName or, with san0 NULL, only the CN) against one reference. */
struct cert_case {
	const char *req;
	enum hostmatch_context ctx;
	const char *san0; /* one dNSName, or NULL for none */
	const char *cn;
	const char *ref;
	bool want;
};

/* Cases beyond the vectors: wildcards over one label, A-labels, raw UTF-8, trailing dots. */
static void test_cert_project_cases(void **state)
{
	static const struct cert_case cases[] = {
		{ "STS-CERT-05", HOSTMATCH_STS_MX, "*.com", NULL, "example.com", false },
		{ "STS-CERT-05", HOSTMATCH_STS_MX, "*", NULL, "example", false },
		{ "COMMON-NAME-04", HOSTMATCH_STS_MX, "xn--*.example.com", NULL,
		  "xn--bcher-kva.example.com", false },
		{ "STS-CERT-05", HOSTMATCH_STS_MX, "*.example.com", NULL,
		  "xn--bcher-kva.example.com", true },
		{ "STS-CERT-05", HOSTMATCH_STS_MX, "*.xn--bcher-kva.example", NULL,
		  "mx.b\xc3\xbc"
		  "cher.example",
		  true },
		{ "COMMON-NAME-01", HOSTMATCH_STS_MX, "mx1.example.com.", NULL, "MX1.example.com",
		  true },
		{ "COMMON-NAME-01", HOSTMATCH_STS_MX,
		  "b\xc3\xbc"
		  "cher.example",
		  NULL, "xn--bcher-kva.example", false }, /* raw UTF-8 in a dNSName */
		{ "DANE-NAME-03", HOSTMATCH_DANE_TA, NULL,
		  "b\xc3\xbc"
		  "cher.example",
		  "xn--bcher-kva.example", true }, /* a CN may carry U-labels */
		{ "DANE-NAME-03", HOSTMATCH_DANE_TA, "mx1..example.com", "mx1.example.com",
		  "mx1.example.com", false }, /* a malformed DNS-ID still rules out the CN */
		{ "STS-CERT-04", HOSTMATCH_STS_MX, "mx1.example.com", NULL, "mx1..example.com",
		  false },
		{ "STS-CERT-04", HOSTMATCH_STS_POLICY, NULL, "mta-sts.example.com",
		  "mta-sts.example.com", false },
		{ "DANE-NAME-01", HOSTMATCH_DANE_EE, NULL, NULL, "mx1.example.com", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cert_case *c = &cases[i];
		const char *san[2] = { c->san0, NULL };
		const char *refs[2] = { c->ref, NULL };
		const char *matched = "untouched";
		bool got = hostmatch_cert(c->ctx, san, c->cn, refs, &matched);

		if (got != c->want)
			fail_msg("case %zu (%s) %s/%s vs \"%s\": expected %s", i, c->req,
				 c->san0 ? c->san0 : "-", c->cn ? c->cn : "-", c->ref,
				 c->want ? "match" : "no match");
		/* ret_matched is written on a match only */
		if (!got)
			assert_string_equal(matched, "untouched");
	}
}

/* Several references: any one may match; invalid ones are skipped; NULL san is no DNS-ID. */
static void test_cert_references(void **state)
{
	const char *san[] = { "other.example.net", "mx2.example.com", NULL };
	const char *refs[] = { "not..valid", "mx1.example.com", "mx2.example.com", NULL };
	const char *none[] = { NULL };
	const char *matched = NULL;

	(void)state;
	/* ret_matched points into the caller's array, so a finding can name the SAN entry */
	assert_true(hostmatch_cert(HOSTMATCH_STS_MX, san, NULL, refs, &matched));
	assert_ptr_equal(matched, san[1]);
	assert_true(hostmatch_cert(HOSTMATCH_STS_MX, san, NULL, refs, NULL));
	assert_false(hostmatch_cert(HOSTMATCH_STS_MX, san, NULL, none, NULL));
	/* no dNSName at all: only DANE-TA falls back to the CN (DANE-NAME-03, STS-CERT-04) */
	assert_false(hostmatch_cert(HOSTMATCH_STS_MX, NULL, "mx1.example.com", refs, NULL));
	assert_true(hostmatch_cert(HOSTMATCH_DANE_TA, NULL, "mx1.example.com", refs, &matched));
	assert_string_equal(matched, "mx1.example.com");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cert_name_vectors),
		cmocka_unit_test(test_mx_pattern_vectors),
		cmocka_unit_test(test_mx_pattern_project_cases),
		cmocka_unit_test(test_cert_project_cases),
		cmocka_unit_test(test_cert_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

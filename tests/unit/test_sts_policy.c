/*
 * test_sts_policy.c - the MTA-STS policy file (lib/sts_policy.c), driven by
 * shared/spec/vectors/mta-sts-policy.json, plus the project's own cases that the vectors do not
 * cover and the MX coverage helper.
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

#include "lib/sts_policy.h"
#include "tests/unit/vectors.h"

/* The "expect" fields against the parsed policy; returns the number of mismatches. */
static size_t expect_mismatch(const json_t *v, const json_t *expect, const struct sts_policy *p)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	const json_t *mx = json_object_get(expect, "mx");
	size_t i, bad = 0;

	if (p == NULL) {
		print_error("%s (%s): expected a policy, got none\n", id, req);
		return 1;
	}
	if (strcmp(p->version, vectors_string(expect, "version")) != 0) {
		print_error("%s (%s): version \"%s\"\n", id, req, p->version);
		bad++;
	}
	if (strcmp(sts_policy_mode_name(p->mode), vectors_string(expect, "mode")) != 0) {
		print_error("%s (%s): mode %s\n", id, req, sts_policy_mode_name(p->mode));
		bad++;
	}
	if ((json_int_t)p->max_age != json_integer_value(json_object_get(expect, "max_age"))) {
		print_error("%s (%s): max_age %u\n", id, req, (unsigned)p->max_age);
		bad++;
	}
	if (p->n_mx != json_array_size(mx) || p->mx == NULL || p->mx[p->n_mx] != NULL) {
		print_error("%s (%s): %zu mx patterns\n", id, req, p->n_mx);
		return bad + 1;
	}
	for (i = 0; i < p->n_mx; i++) {
		if (strcmp(p->mx[i], json_string_value(json_array_get(mx, i))) != 0) {
			print_error("%s (%s): mx[%zu] \"%s\"\n", id, req, i, p->mx[i]);
			bad++;
		}
	}
	return bad;
}

/* One vector of mta-sts-policy.json (vectors_check_fn): the "expect" fields, and no policy
 * returned despite an invalid ERROR. */
static size_t check_policy(const json_t *v, struct diag_list *d, void *ctx)
{
	const json_t *in = json_object_get(v, "input");
	const json_t *expect = json_object_get(v, "expect");
	struct sts_policy *p = NULL;
	size_t failures = 0;
	int r;

	(void)ctx;
	r = sts_policy_parse(json_string_value(in), json_string_length(in), &p, d);
	assert_true(r == 0 || r == -EINVAL);
	assert_true((r == 0) == (p != NULL));
	if (json_is_object(expect))
		failures += expect_mismatch(v, expect, p);
	/* a policy that breaks the grammar at ERROR level is never returned */
	if (p != NULL && diag_rejects(d, 0)) {
		print_error("%s: policy returned despite an invalid ERROR\n",
			    vectors_string(v, "id"));
		failures++;
	}
	p = sts_policy_free(p);
	return failures;
}

/* covers: STS-POL-01 .. STS-POL-14 (every vector of mta-sts-policy.json) */
static void test_policy_vectors(void **state)
{
	(void)state;
	vectors_run("mta-sts-policy.json", NULL, 40, check_policy, NULL);
}

/* The bytes of a file under the vector directory; *ret_len is its size. */
static char *read_vector_file(const char *name, size_t *ret_len)
{
	char *path = vectors_path(name), *buf;
	long size;
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0 && size <= STS_POLICY_MAX_BODY);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	free(path);
	*ret_len = (size_t)size;
	return buf;
}

/* One policy of real/real.json (vectors_check_fn): a valid one is accepted. */
static size_t check_real_policy(const json_t *v, struct diag_list *d, void *ctx)
{
	struct sts_policy *p = NULL;
	char *name, *body;
	size_t len;
	int r;

	(void)ctx;
	name = malloc(strlen(vectors_string(v, "file")) + 6);
	assert_non_null(name);
	strcpy(name, "real/");
	strcat(name, vectors_string(v, "file"));
	body = read_vector_file(name, &len);
	r = sts_policy_parse(body, len, &p, d);
	p = sts_policy_free(p);
	free(body);
	free(name);
	if (json_is_true(json_object_get(v, "valid")) && r != 0) {
		print_error("%s: a valid policy was rejected\n", vectors_string(v, "id"));
		return 1;
	}
	return 0;
}

/* covers: STS-POL-01, STS-POL-02, STS-POL-06, STS-POL-08 (the policies of real/real.json) */
static void test_policy_real_vectors(void **state)
{
	(void)state;
	vectors_run("real/real.json", "mta-sts-policy", 0, check_real_policy, NULL);
}

/* The parser under test for vectors_run_cases(). */
static int parse_policy(const char *data, size_t len, struct diag_list *diags)
{
	struct sts_policy *p = NULL;
	int r = sts_policy_parse(data, len, &p, diags);

	assert_true((r == 0) == (p != NULL));
	(void)sts_policy_free(p);
	return r;
}

#define GOOD_HEAD "version: STSv1\nmode: enforce\nmax_age: 604800\n"

/* Cases beyond the vectors. */
static void test_policy_project_cases(void **state)
{
	static const struct vectors_case cases[] = {
		{ "STS-POL-02", "", 0, -EINVAL, false, DIAG_ERROR, "STS-POL-03" },
		{ "STS-POL-02", GOOD_HEAD "mx: a.example\nnot a field\n", 0, -EINVAL, false,
		  DIAG_ERROR, "STS-POL-02" },
		{ "STS-POL-02", GOOD_HEAD "mx: a.example\n: x\n", 0, -EINVAL, false, DIAG_ERROR,
		  "STS-POL-02" },
		{ "STS-POL-02", GOOD_HEAD "mx: a.example\n   \n", 0, 0, false, DIAG_WARN,
		  "STS-POL-02" },
		{ "STS-POL-02", GOOD_HEAD "mx: a.example\r\n\r\n", 0, 0, false, DIAG_WARN,
		  "STS-POL-02" },
		{ "STS-POL-01", GOOD_HEAD "mx: a.example\rfoo: bar\n", 0, -EINVAL, false,
		  DIAG_ERROR, "STS-POL-01" },
		{ "STS-POL-06", "version: STSv1\nmode: testing\nmax_age: 86400\nmx: a.example\n", 0,
		  0, true, DIAG_OK, NULL },
		{ "STS-POL-06", "version: STSv1\nmode: testing\nmax_age: 86399\nmx: a.example\n", 0,
		  0, true, DIAG_WARN, "STS-POL-06" },
		{ "STS-POL-06", "version: STSv1\nmode: none\nmax_age: 0\n", 0, 0, true, DIAG_INFO,
		  "STS-POL-06" },
		{ "STS-POL-05", "version: STSv1\nmode: none\nmax_age: 9999999999\n", 0, -EINVAL,
		  false, DIAG_ERROR, "STS-POL-05" },
		{ "STS-POL-05", "version: STSv1\nmode: none\nmax_age: \n", 0, -EINVAL, false,
		  DIAG_ERROR, "STS-POL-05" },
		{ "STS-POL-05", "version: STSv1\nmode: none\nmax_age: +5\n", 0, -EINVAL, false,
		  DIAG_ERROR, "STS-POL-05" },
		{ "STS-POL-08", GOOD_HEAD "mx: *\n", 0, -EINVAL, false, DIAG_ERROR, "STS-POL-08" },
		{ "STS-POL-08", GOOD_HEAD "mx: *example.com\n", 0, -EINVAL, false, DIAG_ERROR,
		  "STS-POL-08" },
		{ "STS-POL-08", GOOD_HEAD "mx: -a.example\n", 0, -EINVAL, false, DIAG_ERROR,
		  "STS-POL-08" },
		{ "STS-POL-08", GOOD_HEAD "mx: a..example\n", 0, -EINVAL, false, DIAG_ERROR,
		  "STS-POL-08" },
		{ "STS-POL-08", GOOD_HEAD "mx:\n", 0, -EINVAL, false, DIAG_ERROR, "STS-POL-08" },
		{ "STS-POL-08",
		  GOOD_HEAD "mx: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    ".example\n",
		  0, -EINVAL, false, DIAG_ERROR, "STS-POL-08" },
		{ "STS-POL-08", GOOD_HEAD "mx: MX1.Example.COM\n", 0, 0, true, DIAG_OK, NULL },
		{ "STS-POL-10", GOOD_HEAD "mx: a.example\nfoo:\n", 0, 0, false, DIAG_WARN,
		  "STS-POL-10" },
		{ "STS-POL-10", GOOD_HEAD "mx: a.example\nfoo: a\tb\n", 0, 0, false, DIAG_WARN,
		  "STS-POL-10" },
		{ "STS-POL-10", GOOD_HEAD "mx: a.example\nfoo: \xc3\x28\n", 0, 0, false, DIAG_WARN,
		  "STS-POL-10" },
		{ "STS-POL-10", GOOD_HEAD "mx: a.example\nfoo: x\0y\n", sizeof(GOOD_HEAD) - 1 + 23,
		  0, false, DIAG_WARN, "STS-POL-10" },
		{ "STS-POL-11", GOOD_HEAD "mx: a.example\nversion: STSv2\n", 0, 0, true, DIAG_WARN,
		  "STS-POL-11" },
		{ "STS-POL-12", GOOD_HEAD "MX: a.example\n", 0, -EINVAL, false, DIAG_ERROR,
		  "STS-POL-12" },
		{ "STS-POL-14", GOOD_HEAD "mx: *.example.com\n", 0, 0, true, DIAG_OK, NULL },
	};
	(void)state;
	vectors_run_cases(cases, sizeof(cases) / sizeof(cases[0]), parse_policy);
}

/* covers: STS-FETCH-09: a body over 64 KiB is not read */
static void test_policy_too_large(void **state)
{
	size_t len = STS_POLICY_MAX_BODY + 1;
	char *big = malloc(len);
	struct sts_policy *p = NULL;
	struct diag_list d = { 0 };

	(void)state;
	assert_non_null(big);
	memset(big, 'x', len);
	assert_int_equal(sts_policy_parse(big, len, &p, &d), -EINVAL);
	assert_null(p);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].req, "STS-FETCH-09");
	diag_clear(&d);
	free(big);
}

/* covers: STS-MX-01, STS-MX-02, STS-MX-03, STS-MX-04 through sts_policy_covers() */
static void test_policy_covers(void **state)
{
	static const char body[] = "version: STSv1\nmode: enforce\nmax_age: 604800\n"
				   "mx: mail.example.com\nmx: *.example.net\n";
	struct sts_policy *p = NULL;
	const char *matched = "untouched";

	(void)state;
	assert_int_equal(sts_policy_parse(body, sizeof(body) - 1, &p, NULL), 0);
	assert_true(sts_policy_covers(p, "MAIL.example.com.", &matched));
	assert_string_equal(matched, "mail.example.com");
	assert_ptr_equal(matched, p->mx[0]);
	assert_true(sts_policy_covers(p, "mx1.example.net", &matched));
	assert_ptr_equal(matched, p->mx[1]);
	matched = "untouched";
	assert_false(sts_policy_covers(p, "example.net", &matched));
	assert_false(sts_policy_covers(p, "a.b.example.net", &matched));
	assert_false(sts_policy_covers(p, "mail.example.org", NULL));
	assert_false(sts_policy_covers(p, NULL, NULL));
	assert_string_equal(matched, "untouched");
	p = sts_policy_free(p);
	assert_false(sts_policy_covers(NULL, "mail.example.com", NULL));
	assert_null(sts_policy_free(NULL));
}

/* covers: STS-POL-07: mode none has an empty, still NULL-terminated pattern list */
static void test_policy_none_without_mx(void **state)
{
	static const char body[] = "version: STSv1\nmode: none\nmax_age: 86400";
	struct sts_policy *p = NULL;

	(void)state;
	assert_int_equal(sts_policy_parse(body, sizeof(body) - 1, &p, NULL), 0);
	assert_int_equal(p->mode, STS_MODE_NONE);
	assert_int_equal(p->n_mx, 0);
	assert_non_null(p->mx);
	assert_null(p->mx[0]);
	assert_false(sts_policy_covers(p, "mail.example.com", NULL));
	p = sts_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_vectors),
		cmocka_unit_test(test_policy_real_vectors),
		cmocka_unit_test(test_policy_project_cases),
		cmocka_unit_test(test_policy_too_large),
		cmocka_unit_test(test_policy_covers),
		cmocka_unit_test(test_policy_none_without_mx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sts_fetch.c - judging the policy fetch response (lib/sts_fetch.c), driven by
 * shared/spec/vectors/mta-sts-fetch.json, plus the project's own Content-Type cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "lib/sts_fetch.h"
#include "tests/unit/vectors.h"

/* A header of the vector, its name compared case-insensitively (RFC 7230 §3.2); or NULL. */
static const char *header(const json_t *headers, const char *name)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)headers, key,
			    value) if (strcasecmp(key, name) == 0) return json_string_value(value);
	return NULL;
}

/* One vector of mta-sts-fetch.json (vectors_check_fn): the result agrees with "valid", with or
 * without a list. */
static size_t check_fetch(const json_t *v, struct diag_list *d, void *ctx)
{
	const json_t *headers = json_object_get(v, "headers");
	bool want_valid = json_is_true(json_object_get(v, "valid"));
	struct sts_fetch_response resp = {
		.status = (int)json_integer_value(json_object_get(v, "status")),
		.content_type = header(headers, "Content-Type"),
		.body_len = (size_t)json_integer_value(json_object_get(v, "body_bytes")),
		.location = header(headers, "Location"),
	};
	int r = sts_fetch_judge(&resp, d);

	(void)ctx;
	assert_true(r == 0 || r == -EINVAL);
	assert_int_equal(sts_fetch_judge(&resp, NULL), r);
	if ((r == 0) != want_valid) {
		print_error("%s (%s): expected %s, got %d\n", vectors_string(v, "id"),
			    vectors_string(v, "req"), want_valid ? "acceptance" : "rejection", r);
		return 1;
	}
	return 0;
}

/* covers: STS-FETCH-05, STS-FETCH-06, STS-FETCH-07, STS-FETCH-08, STS-FETCH-09 (every vector
 * of mta-sts-fetch.json) */
static void test_fetch_vectors(void **state)
{
	(void)state;
	vectors_run("mta-sts-fetch.json", NULL, 12, check_fetch, NULL);
}

struct fetch_case {
	const char *req;
	int status;
	const char *content_type;
	size_t body_len;
	int want_r;
	enum diag_level want_level;
};

/* Cases beyond the vectors: D5 parameter forms, size limits at their edges, other statuses. */
static void test_fetch_project_cases(void **state)
{
	static const struct fetch_case cases[] = {
		{ "STS-FETCH-08", 200, "text/plain;charset=\"utf-8\"", 10, 0, DIAG_OK },
		{ "STS-FETCH-08", 200, " text/plain ; format=flowed; charset=UTF-8", 10, 0,
		  DIAG_OK },
		{ "STS-FETCH-08", 200, "text/plain; charset=\"latin1\"", 10, 0, DIAG_WARN },
		{ "STS-FETCH-08", 200, "text/plain; charset=utf8", 10, 0, DIAG_WARN },
		{ "STS-FETCH-08", 200, "text/plain; charset", 10, 0, DIAG_OK },
		{ "STS-FETCH-08", 200, "text/plain; q=\"a;charset=x\"", 10, 0, DIAG_OK },
		{ "STS-FETCH-08", 200, "text/plainx", 10, -EINVAL, DIAG_ERROR },
		{ "STS-FETCH-08", 200, "text/", 10, -EINVAL, DIAG_ERROR },
		{ "STS-FETCH-08", 200, "", 10, -EINVAL, DIAG_ERROR },
		{ "STS-FETCH-08", 200, "application/octet-stream", 10, -EINVAL, DIAG_ERROR },
		{ "STS-FETCH-09", 200, "text/plain", STS_FETCH_WARN_BODY, 0, DIAG_OK },
		{ "STS-FETCH-09", 200, "text/plain", STS_FETCH_MAX_BODY, 0, DIAG_WARN },
		{ "STS-FETCH-09", 200, "text/plain", STS_FETCH_MAX_BODY + 1, -EINVAL, DIAG_ERROR },
		{ "STS-FETCH-05", 204, "text/plain", 0, -EINVAL, DIAG_ERROR },
		{ "STS-FETCH-05", 503, NULL, 0, -EINVAL, DIAG_ERROR },
		{ "STS-FETCH-06", 302, NULL, 0, -EINVAL, DIAG_ERROR },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fetch_case *c = &cases[i];
		struct sts_fetch_response resp = {
			.status = c->status,
			.content_type = c->content_type,
			.body_len = c->body_len,
		};
		struct diag_list d = { 0 };
		int r = sts_fetch_judge(&resp, &d);

		if (r != c->want_r || diag_worst(&d, 0) != c->want_level) {
			vectors_print_diags(&d, 0);
			fail_msg("case %zu (%s) %d \"%s\" %zu: expected %d, severity %s, got %d, "
				 "severity %s",
				 i, c->req, c->status, c->content_type ? c->content_type : "(none)",
				 c->body_len, c->want_r, diag_level_name(c->want_level), r,
				 diag_level_name(diag_worst(&d, 0)));
		}
		diag_clear(&d);
	}
}

/* covers: STS-FETCH-06: the redirect target is named, rendered safely */
static void test_fetch_redirect_location(void **state)
{
	struct sts_fetch_response resp = {
		.status = 301,
		.location = "https://evil.example/\r\nX: y",
	};
	struct diag_list d = { 0 };

	(void)state;
	assert_int_equal(sts_fetch_judge(&resp, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].req, "STS-FETCH-06");
	assert_non_null(strstr(d.v[0].text, "https://evil.example/\\x0d\\x0aX: y"));
	diag_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_vectors),
		cmocka_unit_test(test_fetch_project_cases),
		cmocka_unit_test(test_fetch_redirect_location),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

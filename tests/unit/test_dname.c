/*
 * test_dname.c - host name syntax and normalisation (lib/dname.c), spec/common.md COMMON-NAME.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/dname.h"

struct dname_case {
	const char *req; /* requirement covered */
	const char *input;
	size_t len;       /* 0: strlen(input) */
	const char *want; /* canonical form, or NULL when the name must be rejected */
};

/* covers: COMMON-NAME-01, COMMON-NAME-02 */
static const struct dname_case cases[] = {
	{ "COMMON-NAME-01", "example.com", 0, "example.com" },
	{ "COMMON-NAME-01", "example.com.", 0, "example.com" }, /* one trailing dot removed */
	{ "COMMON-NAME-01", "example.com..", 0, NULL },         /* ... not two */
	{ "COMMON-NAME-02", "MX1.Example.COM", 0, "mx1.example.com" },
	{ "COMMON-NAME-01", "xn--bcher-kva.example", 0, "xn--bcher-kva.example" },
	/* U-labels are converted to A-labels with libidn2 (IDNA2008, UTS #46 non-transitional) */
	{ "COMMON-NAME-01",
	  "b\xc3\xbc"
	  "cher.example",
	  0, "xn--bcher-kva.example" },
	{ "COMMON-NAME-01",
	  "B\xc3\x9c"
	  "CHER.Example.",
	  0, "xn--bcher-kva.example" },                            /* mapped to lower case */
	{ "COMMON-NAME-01", "fa\xc3\x9f.de", 0, "xn--fa-hia.de" }, /* non-transitional: ß kept */
	{ "COMMON-NAME-01",
	  "mx.b\xc3\xbc"
	  "cher.example",
	  0, "mx.xn--bcher-kva.example" },
	{ "COMMON-NAME-01", "\xe2\x98\x83.example", 0, NULL }, /* snowman: disallowed */
	{ "COMMON-NAME-01", "\xff.example", 0, NULL },         /* not UTF-8 */
	{ "COMMON-NAME-01", "-\xc3\xbc.example", 0, NULL },    /* hyphen at the start */
	{ "COMMON-NAME-01",
	  "a_b.b\xc3\xbc"
	  "cher",
	  0, NULL }, /* converted, still not LDH */
	{ "COMMON-NAME-01",
	  "b\xc3\xbc"
	  "cher..example",
	  0, NULL },                                               /* empty label */
	{ "COMMON-NAME-01", "b\xc3\xbc\0cher.example", 16, NULL }, /* NUL in a U-label name */
	{ "COMMON-NAME-01", "a\x7f.example", 0, NULL },            /* DEL is ASCII, not LDH */
	{ "COMMON-NAME-01", "", 0, NULL },
	{ "COMMON-NAME-01", ".", 0, NULL },
	{ "COMMON-NAME-01", "a..b", 0, NULL },
	{ "COMMON-NAME-01", ".example.com", 0, NULL },
	{ "COMMON-NAME-01", "-mx.example.com", 0, NULL },
	{ "COMMON-NAME-01", "mx-.example.com", 0, NULL },
	{ "COMMON-NAME-01", "mx-1.example.com", 0, "mx-1.example.com" },
	{ "COMMON-NAME-01", "under_score.example", 0, NULL },
	{ "COMMON-NAME-01", "*.example.com", 0, NULL },    /* a pattern, not a host name */
	{ "COMMON-NAME-01", "a\0b.example", 11, NULL },    /* embedded NUL */
	{ "COMMON-NAME-01", "localhost", 0, "localhost" }, /* one label is a name */
};

static void test_COMMON_NAME_01_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dname_case *c = &cases[i];
		struct mxs_error err = { 0 };
		size_t len = c->len ? c->len : strlen(c->input);
		char *out = NULL;
		int r = dname_normalize(c->input, len, &out, &err);

		if (c->want != NULL) {
			if (r != 0)
				fail_msg("case %zu (%s) \"%s\": rejected: %s", i, c->req, c->input,
					 err.what);
			assert_string_equal(out, c->want);
			assert_null(err.what);
		} else {
			if (r != -EINVAL)
				fail_msg("case %zu (%s) \"%s\": accepted as \"%s\"", i, c->req,
					 c->input, out ? out : "");
			assert_null(out);
			assert_non_null(err.what);
			assert_string_equal(err.req, "COMMON-NAME-01");
		}
		free(out);
		mxs_error_clear(&err);
	}
}

/* covers: COMMON-NAME-01 (label of 63 octets is the limit, 64 is over) */
static void test_COMMON_NAME_01_label_limit(void **state)
{
	char name[80];
	char *out = NULL;

	(void)state;
	memset(name, 'a', 63);
	strcpy(name + 63, ".example");
	assert_int_equal(dname_normalize(name, strlen(name), &out, NULL), 0);
	free(out);
	out = NULL;
	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	assert_int_equal(dname_normalize(name, strlen(name), &out, NULL), -EINVAL);
	assert_null(out);
}

/* covers: COMMON-NAME-01 (names longer than 253 octets are rejected) */
static void test_COMMON_NAME_01_name_limit(void **state)
{
	char name[300];
	char *out = NULL;
	size_t i;

	(void)state;
	/* 253 characters: labels "aaaaaaaaa." (10 each) x 25 = 250, then "aaa" */
	for (i = 0; i < 250; i++)
		name[i] = (i % 10 == 9) ? '.' : 'a';
	memcpy(name + 250, "aaa", 4);
	assert_int_equal(dname_normalize(name, 253, &out, NULL), 0);
	free(out);
	out = NULL;
	memcpy(name + 250, "aaaa", 5);
	assert_int_equal(dname_normalize(name, 254, &out, NULL), -EINVAL);
	assert_null(out);
}

/* covers: COMMON-NAME-01 (a name libidn2 refuses is rejected with libidn2's reason) */
static void test_COMMON_NAME_01_idna_reason(void **state)
{
	static const char snowman[] = "\xe2\x98\x83.example";
	struct mxs_error err = { 0 };
	char *out = NULL;

	(void)state;
	assert_int_equal(dname_normalize(snowman, strlen(snowman), &out, &err), -EINVAL);
	assert_null(out);
	assert_string_equal(err.req, "COMMON-NAME-01");
	assert_non_null(strstr(err.what, "not a valid internationalised name: "));
	assert_non_null(strstr(err.what, "disallowed"));
	mxs_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_COMMON_NAME_01_table),
		cmocka_unit_test(test_COMMON_NAME_01_label_limit),
		cmocka_unit_test(test_COMMON_NAME_01_name_limit),
		cmocka_unit_test(test_COMMON_NAME_01_idna_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_error.c - readable errors (lib/error.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/error.h"

static void test_error_set_replaces(void **state)
{
	struct mxs_error err = { 0 };

	(void)state;
	assert_int_equal(mxs_error_set(&err, "a.conf:3", "STS-TXT-08", "id \"%s\" too long", "x"),
			 -EINVAL);
	assert_string_equal(err.where, "a.conf:3");
	assert_string_equal(err.req, "STS-TXT-08");
	assert_string_equal(err.what, "id \"x\" too long");
	/* a second set replaces the first without leaking it (ASan checks the leak) */
	(void)mxs_error_set(&err, NULL, NULL, "second");
	assert_null(err.where);
	assert_null(err.req);
	assert_string_equal(err.what, "second");
	mxs_error_clear(&err);
	assert_null(err.what);
	mxs_error_clear(&err); /* clearing twice is harmless */
	mxs_error_clear(NULL);
	assert_int_equal(mxs_error_set(NULL, NULL, NULL, "ignored"), -EINVAL);
}

static void test_errors_list_grows_in_order(void **state)
{
	struct mxs_errors errs = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		assert_int_equal(mxs_errors_add(&errs, "f:1", NULL, "error %d", i), 0);
	assert_int_equal(errs.n, 20);
	assert_string_equal(errs.v[0].what, "error 0");
	assert_string_equal(errs.v[19].what, "error 19");
	mxs_errors_free(&errs);
	assert_int_equal(errs.n, 0);
	assert_null(errs.v);
	mxs_errors_free(NULL);
}

static void test_strdupf_long(void **state)
{
	char big[5000];
	char *s;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = mxs_strdupf("<%s>", big);
	assert_non_null(s);
	assert_int_equal(strlen(s), sizeof(big) + 1);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_set_replaces),
		cmocka_unit_test(test_errors_list_grows_in_order),
		cmocka_unit_test(test_strdupf_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

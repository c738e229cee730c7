/*
 * test_severity.c - the four verdicts (lib/severity.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/severity.h"

/* Values are the Nagios plugin exit codes: "mxsentry check" exits with them. */
static void test_severity_nagios_codes(void **state)
{
	(void)state;
	assert_int_equal(SEVERITY_OK, 0);
	assert_int_equal(SEVERITY_WARNING, 1);
	assert_int_equal(SEVERITY_CRITICAL, 2);
	assert_int_equal(SEVERITY_UNKNOWN, 3);
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_string_equal(severity_name(SEVERITY_OK), "OK");
	assert_string_equal(severity_name(SEVERITY_WARNING), "WARNING");
	assert_string_equal(severity_name(SEVERITY_CRITICAL), "CRITICAL");
	assert_string_equal(severity_name(SEVERITY_UNKNOWN), "UNKNOWN");
	assert_string_equal(severity_name((enum severity)9), "?");
}

static void test_severity_rank_order(void **state)
{
	(void)state;
	assert_true(severity_rank(SEVERITY_OK) < severity_rank(SEVERITY_WARNING));
	assert_true(severity_rank(SEVERITY_WARNING) < severity_rank(SEVERITY_UNKNOWN));
	assert_true(severity_rank(SEVERITY_UNKNOWN) < severity_rank(SEVERITY_CRITICAL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_severity_nagios_codes),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_severity_rank_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

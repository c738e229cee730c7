/*
 * test_registry.c - check names (checks/registry.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "checks/registry.h"

static void test_registry_lookup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < CHECK_COUNT; i++)
		assert_int_equal(check_index(check_name(i)), i);
	assert_int_equal(check_index("mx_starttls"), 0);
	assert_int_equal(check_index("MX_STARTTLS"), -ENOENT); /* names are exact */
	assert_int_equal(check_index("nope"), -ENOENT);
	assert_null(check_name(CHECK_COUNT));
	assert_null(check_name(-1));
}

static void test_registry_known_names_lists_all(void **state)
{
	const char *known = check_known_names();
	int i;

	(void)state;
	for (i = 0; i < CHECK_COUNT; i++)
		assert_non_null(strstr(known, check_name(i)));
	assert_ptr_equal(known, check_known_names()); /* built once */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_lookup),
		cmocka_unit_test(test_registry_known_names_lists_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

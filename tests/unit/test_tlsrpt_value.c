/*
 * test_tlsrpt_value.c - the value syntaxes and registries of TLS-RPT reports
 * (lib/tlsrpt_value.c): RFC 3339 date-times, IP address strings, result types, policy types.
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

#include "lib/tlsrpt.h"

/* covers: RPT-JSON-05: the RFC 3339 reader */
static void test_rpt_datetime(void **state)
{
	static const struct {
		const char *in;
		int r;
		long long t;
		bool zoned;
	} cases[] = {
		{ "2024-03-10T00:00:00Z", 0, 1710028800, true },
		{ "2024-03-10t01:00:00+01:00", 0, 1710028800, true },
		{ "2024-03-09T18:30:00-05:30", 0, 1710028800, true },
		{ "2024-03-10T00:00:00.999z", 0, 1710028800, true },
		{ "2024-03-10T00:00:00", 0, 1710028800, false },
		{ "2016-12-31T23:59:60Z", 0, 1483228800, true },
		{ "2024-02-29T00:00:00Z", 0, 1709164800, true },
		{ "1969-12-31T23:59:59Z", 0, -1, true },
		{ "2023-02-29T00:00:00Z", -EINVAL, 0, false },
		{ "2024-03-10", -EINVAL, 0, false },
		{ "2024-03-10 00:00:00Z", -EINVAL, 0, false },
		{ "2024-03-10T24:00:00Z", -EINVAL, 0, false },
		{ "2024-03-10T00:00:00Zx", -EINVAL, 0, false },
		{ "2024-03-10T00:00:00.Z", -EINVAL, 0, false },
		{ "2024-03-10T00:00:00+0100", -EINVAL, 0, false },
		{ "2024-13-10T00:00:00Z", -EINVAL, 0, false },
		{ "24-03-10T00:00:00Z", -EINVAL, 0, false },
		{ "", -EINVAL, 0, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t t = 12345;
		bool zoned = !cases[i].zoned;
		int r = tlsrpt_datetime_parse(cases[i].in, &t, &zoned);

		if (r != cases[i].r || (r == 0 && (t != cases[i].t || zoned != cases[i].zoned)) ||
		    (r != 0 && t != 12345))
			fail_msg("\"%s\": got %d, %lld, %s", cases[i].in, r, (long long)t,
				 zoned ? "zoned" : "zone-less");
	}
}

/* covers: RPT-JSON-11: IP address strings */
static void test_rpt_ip(void **state)
{
	static const char *const good[] = { "192.0.2.1",
					    "0.0.0.0",
					    "255.255.255.255",
					    "2001:db8::1",
					    "2001:db8:abcd:0012::1",
					    "::",
					    "::ffff:192.0.2.1" };
	static const char *const bad[] = { "192.0.2.010", "192.0.2",        "192.0.2.256",
					   "192.0.2.1.",  "1.2.3.4.5",      "",
					   " 192.0.2.1",  "2001:db8::1::2", "fe80::1%eth0",
					   "2001:db8::g", "01.2.3.4",       "1.2.3.4444" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!tlsrpt_ip_valid(good[i]))
			fail_msg("\"%s\" refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tlsrpt_ip_valid(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
	assert_false(tlsrpt_ip_valid(NULL));
}

/* covers: RPT-RES-01, RPT-RES-02, RPT-JSON-04: the registry and the names */
static void test_rpt_registry(void **state)
{
	static const char *const known[] = {
		"starttls-not-supported", "certificate-host-mismatch",
		"certificate-expired",    "certificate-not-trusted",
		"validation-failure",     "tlsa-invalid",
		"dnssec-invalid",         "dane-required",
		"sts-policy-fetch-error", "sts-policy-invalid",
		"sts-webpki-invalid",
	};
	char copy[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		strcpy(copy, known[i]);
		assert_string_equal(tlsrpt_result_type_known(copy), known[i]);
		assert_true(tlsrpt_result_type_known(copy) != copy);
	}
	assert_null(tlsrpt_result_type_known("starttls-downgrade-observed"));
	assert_null(tlsrpt_result_type_known("Certificate-Expired"));
	assert_null(tlsrpt_result_type_known(""));
	assert_null(tlsrpt_result_type_known(NULL));
	assert_string_equal(tlsrpt_policy_type_name(TLSRPT_POLICY_STS), "sts");
	assert_string_equal(tlsrpt_policy_type_name(TLSRPT_POLICY_TLSA), "tlsa");
	assert_string_equal(tlsrpt_policy_type_name(TLSRPT_POLICY_NO_POLICY), "no-policy-found");
	assert_string_equal(tlsrpt_policy_type_name((enum tlsrpt_policy_type)7), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpt_datetime),
		cmocka_unit_test(test_rpt_ip),
		cmocka_unit_test(test_rpt_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_duration.c - durations written by people (lib/duration.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/duration.h"

struct duration_case {
	const char *input;
	long unit; /* seconds per bare number */
	int ok;
	long long want_ms;
};

static const struct duration_case cases[] = {
	{ "30", 1, 1, 30000 },
	{ "14", 86400, 1, 14LL * 86400000 }, /* certificate thresholds count days */
	{ "36h", 86400, 1, 36LL * 3600000 }, /* ... and accept hours for short-lived certs */
	{ "30s", 86400, 1, 30000 },
	{ "5m", 1, 1, 300000 },
	{ "500ms", 1, 1, 500 },
	{ "2w", 1, 1, 2LL * 604800000 },
	{ "0", 1, 1, 0 },
	{ "3660d", 1, 1, 3660LL * 86400000 }, /* DURATION_MAX exactly */
	{ "3661d", 1, 0, 0 },
	{ "99999999999999999999", 1, 0, 0 }, /* overflow is a range error, not a wrap */
	{ "", 1, 0, 0 },
	{ "-1", 1, 0, 0 },
	{ "+1", 1, 0, 0 },
	{ "1.5d", 1, 0, 0 },
	{ " 5s", 1, 0, 0 },
	{ "5 s", 1, 0, 0 },
	{ "5x", 1, 0, 0 },
	{ "1h30m", 1, 0, 0 },
	{ "d", 1, 0, 0 },
	{ "5S", 1, 0, 0 }, /* units are lower case, as documented */
};

static void test_duration_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct duration_case *c = &cases[i];
		struct mxs_error err = { 0 };
		long long ms = -42;
		int r = duration_parse(c->input, strlen(c->input), c->unit, &ms, &err);

		if (c->ok) {
			if (r != 0)
				fail_msg("\"%s\": rejected: %s", c->input, err.what);
			if (ms != c->want_ms)
				fail_msg("\"%s\": got %lld ms, want %lld", c->input, ms,
					 c->want_ms);
		} else {
			if (r != -EINVAL)
				fail_msg("\"%s\": accepted as %lld ms", c->input, ms);
			assert_int_equal(ms, -42); /* output untouched on failure */
			assert_non_null(err.what);
		}
		mxs_error_clear(&err);
	}
}

/* Input need not be NUL-terminated: only len bytes are read. */
static void test_duration_length_bound(void **state)
{
	long long ms = 0;

	(void)state;
	assert_int_equal(duration_parse("15d-garbage", 3, 1, &ms, NULL), 0);
	assert_int_equal(ms, 15LL * 86400000);
}

/* Times and spans as the texts for people write them (status, alert bodies). */
static void test_duration_texts(void **state)
{
	char buf[40];

	(void)state;
	duration_time_text((time_t)1795921200, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-29 03:00 UTC");
	duration_span_text(100, 145, buf, sizeof(buf));
	assert_string_equal(buf, "45s");
	duration_span_text(0, 12 * 60 + 59, buf, sizeof(buf));
	assert_string_equal(buf, "12m");
	duration_span_text(0, 3 * 3600 + 5 * 60, buf, sizeof(buf));
	assert_string_equal(buf, "3h 05m");
	duration_span_text(0, 2 * 86400 + 4 * 3600 + 59, buf, sizeof(buf));
	assert_string_equal(buf, "2d 4h");
	duration_span_text(200, 100, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_table),
		cmocka_unit_test(test_duration_length_bound),
		cmocka_unit_test(test_duration_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_rollout.c - the rollout judge (lib/rollout.c, lib/rollout_text.c): every verdict, the
 * window and mode filters on the reports, the reasons and the change it proposes.
 *
 * covers: STS-MODE-01/02/03, STS-CACHE-01/03, STS-TXT-08/09, STS-POL-06, STS-FETCH-12,
 * RPT-CHK-01, RPT-RES-05
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include <cmocka.h>

#include "lib/count.h"
#include "lib/rollout.h"

#define NOW ((time_t)1795921200) /* 2026-11-29 03:00:00 UTC */
#define DAY 86400L

static char *mx_two[] = { "mx1.example.com", "*.mail.example.com", NULL };
static char *mx_none[] = { NULL };

static struct policy_seen testing_20d = {
	.id = "t2",
	.mode = "testing",
	.max_age = 86400,
	.mx = mx_two,
	.first_seen = NOW - 20 * DAY,
	.last_seen = NOW - 3600,
};

/* Two organisations, 600 sessions, none failed, over the last days under testing. */
static const struct rollout_report clean[] = {
	{ "Google", "sts", "testing", NOW - 3 * DAY, NOW - 2 * DAY, 400, 0 },
	{ "Microsoft", "sts", NULL, NOW - 2 * DAY, NOW - DAY, 200, 0 },
};

static void input(struct rollout_input *in, const struct policy_seen *p, size_t n)
{
	*in = (struct rollout_input){ .domain = "example.com",
				      .policies = p,
				      .n_policies = n,
				      .last_cycle = NOW - 600,
				      .stale_after = DAY,
				      .now = NOW };
	rollout_thresholds_default(&in->th);
}

static void judge(const struct rollout_input *in, struct rollout_result *r)
{
	*r = (struct rollout_result){ 0 };
	assert_int_equal(rollout_judge(in, r), 0);
}

/* The number of reasons of kind whose text holds what (and, when given, whose req is req). */
static size_t reasons(const struct rollout_result *r, enum rollout_reason_kind kind,
		      const char *what, const char *req)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_reasons; i++) {
		assert_non_null(r->reasons[i].what);
		assert_non_null(r->reasons[i].fix);
		if (r->reasons[i].kind == kind && strstr(r->reasons[i].what, what) != NULL &&
		    (req == NULL ||
		     (r->reasons[i].req != NULL && strcmp(r->reasons[i].req, req) == 0)))
			n++;
	}
	return n;
}

/* Fixes, then waits, then notes. */
static void assert_sorted(const struct rollout_result *r)
{
	size_t i;

	for (i = 1; i < r->n_reasons; i++)
		assert_true(r->reasons[i - 1].kind <= r->reasons[i].kind);
}

/* No policy ever seen, and mode none: NOT READY, with what to publish. */
static void test_no_policy_and_none(void **state)
{
	struct policy_seen none = testing_20d;
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	input(&in, NULL, 0);
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_NO_POLICY);
	assert_int_equal(r.verdict, ROLLOUT_NOT_READY);
	assert_null(r.policy);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "no MTA-STS policy", "STS-TXT-01"), 1);
	assert_non_null(strstr(r.reasons[0].fix, "https://mta-sts.example.com/.well-known/"));
	assert_null(r.policy_text);
	assert_null(r.txt_record);
	rollout_result_clear(&r);

	none.mode = "none";
	none.mx = mx_none;
	input(&in, &none, 1);
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_NONE);
	assert_int_equal(r.verdict, ROLLOUT_NOT_READY);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "mode none", "STS-MODE-03"), 1);
	assert_int_equal(r.days, 20);
	rollout_result_clear(&r);
}

/* An invalid policy, and one the agent has not fetched for days: no policy in force. */
static void test_invalid_and_gone(void **state)
{
	struct policy_seen p = testing_20d;
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	p.mode = NULL;
	input(&in, &p, 1);
	in.reports = clean;
	in.n_reports = 2;
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_NO_POLICY);
	assert_int_equal(r.verdict, ROLLOUT_NOT_READY);
	assert_ptr_equal(r.policy, &p);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "is invalid", "STS-FETCH-12"), 1);
	assert_int_equal(r.n_orgs, 0); /* no mode: nothing to count sessions under */
	rollout_result_clear(&r);

	p = testing_20d;
	p.last_seen = NOW - 3 * DAY;
	input(&in, &p, 1);
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_NO_POLICY);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "was last fetched 2026-11-26", NULL), 1);
	rollout_result_clear(&r);
	/* two days late is still within the tolerance */
	p.last_seen = NOW - 600 - ROLLOUT_GONE_AFTER;
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_TESTING);
	rollout_result_clear(&r);
}

/* Testing for five days, no report: NOT ENOUGH DATA, each threshold a reason to wait. */
static void test_not_enough_data(void **state)
{
	struct policy_seen p = testing_20d;
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	p.first_seen = NOW - 5 * DAY - 3600;
	input(&in, &p, 1);
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_TESTING);
	assert_int_equal(r.verdict, ROLLOUT_NOT_ENOUGH_DATA);
	assert_int_equal(r.since, p.first_seen);
	assert_int_equal(r.days, 5);
	assert_int_equal(r.window_start, p.first_seen);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_WAIT, "for 5 days, 14 needed", NULL), 1);
	assert_non_null(strstr(r.reasons[0].fix, "wait until 2026-12-08 02:00 UTC"));
	assert_int_equal(
	    reasons(&r, ROLLOUT_REASON_WAIT, "by 0 organisations, 2 needed", "RPT-CHK-01"), 1);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_WAIT, "0 sessions reported", NULL), 1);
	assert_int_equal(r.n_reasons, 3);
	assert_null(r.policy_text);
	rollout_result_clear(&r);

	/* 20 days and one organisation: only that is missing */
	input(&in, &testing_20d, 1);
	in.reports = clean;
	in.n_reports = 1;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_NOT_ENOUGH_DATA);
	assert_int_equal(r.n_reasons, 1);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_WAIT, "by 1 organisation, 2 needed", NULL), 1);
	assert_null(r.reasons[0].req);
	rollout_result_clear(&r);
}

/* Failures above 0.1%: NOT READY, the rate and each result type with its fix. */
static void test_not_ready_failures(void **state)
{
	static const struct rollout_report reps[] = {
		{ "Google", "sts", "testing", NOW - 3 * DAY, NOW - 2 * DAY, 995, 5 },
		{ "Microsoft", "sts", "testing", NOW - 2 * DAY, NOW - DAY, 1000, 0 },
	};
	static const struct rollout_failure fails[] = {
		{ "sts", "testing", NOW - 3 * DAY, NOW - 2 * DAY, "certificate-host-mismatch", 4 },
		{ "sts", "testing", NOW - 3 * DAY, NOW - 2 * DAY, "sts-webpki-invalid", 1 },
		{ "sts", "testing", NOW - 3 * DAY, NOW - 2 * DAY, "certificate-host-mismatch", 1 },
	};
	struct rollout_input in;
	struct rollout_result r;
	char rate[32];

	(void)state;
	input(&in, &testing_20d, 1);
	in.reports = reps;
	in.n_reports = 2;
	in.failures = fails;
	in.n_failures = 3;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_NOT_READY);
	assert_int_equal(r.successful, 1995);
	assert_int_equal(r.failed, 5);
	rollout_rate_text(r.failure_rate, rate, sizeof(rate));
	assert_string_equal(rate, "0.25%");
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX,
				 "5 of 2000 sessions failed (0.25%), "
				 "above the 0.1% allowed",
				 "STS-MODE-02"),
			 1);
	assert_int_equal(r.n_types, 2);
	assert_string_equal(r.types[0].result_type, "certificate-host-mismatch");
	assert_int_equal(r.types[0].sessions, 5);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX,
				 "5 sessions failed with certificate-host-mismatch", "STS-CERT-04"),
			 1);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "1 session failed with sts-webpki-invalid",
				 "STS-FETCH-02"),
			 1);
	assert_non_null(strstr(r.reasons[2].fix, "mta-sts.example.com"));
	assert_string_equal(r.orgs[0].name, "Google");
	assert_int_equal(r.orgs[0].failed, 5);
	assert_null(r.policy_text);
	rollout_result_clear(&r);

	/* a threshold of 0.5% lets the same reports through, with a note */
	in.th.max_failure_rate = 0.005;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_READY);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_NOTE, "within the 0.5% allowed", NULL), 1);
	rollout_result_clear(&r);
}

/*
 * Counts are the senders' word, up to 2^63 - 1 each (RPT-JSON-02): summed over reports they
 * saturate instead of wrapping, and the failure rate stays a share.
 */
static void test_huge_counts(void **state)
{
	static const struct rollout_report reps[] = {
		{ "Google", "sts", "testing", NOW - 3 * DAY, NOW - 2 * DAY, INT64_MAX, 0 },
		{ "Google", "sts", "testing", NOW - 2 * DAY, NOW - DAY, INT64_MAX, INT64_MAX },
		{ "Microsoft", "sts", "testing", NOW - 2 * DAY, NOW - DAY, INT64_MAX, 5 },
	};
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	assert_true(count_add(ULLONG_MAX - 1, 2) == ULLONG_MAX);
	assert_true(count_add(2, 3) == 5);
	assert_true(count_json(ULLONG_MAX) == LLONG_MAX);
	input(&in, &testing_20d, 1);
	in.reports = reps;
	in.n_reports = 3;
	judge(&in, &r);
	assert_true(r.successful == ULLONG_MAX);
	assert_true(r.failed == (unsigned long long)INT64_MAX + 5);
	assert_true(r.failure_rate > 0.33 && r.failure_rate < 0.34);
	assert_int_equal(r.n_orgs, 2);
	assert_string_equal(r.orgs[0].name, "Google");
	assert_true(r.orgs[0].successful == (unsigned long long)INT64_MAX * 2);
	assert_int_equal(r.verdict, ROLLOUT_NOT_READY);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX,
				 "9223372036854775812 of 18446744073709551615 sessions failed",
				 "STS-MODE-02"),
			 1);
	rollout_result_clear(&r);
}

/* Open problems of the gating checks block; those of other checks and UNKNOWN ones do not. */
static void test_not_ready_problems(void **state)
{
	static const struct rollout_problem probs[] = {
		{ "mx_starttls", "starttls.missing", SEVERITY_CRITICAL, "mx1.example.com",
		  "no STARTTLS", "STS-CERT-01" },
		{ "cert_expiry", "cert.expiring", SEVERITY_WARNING, NULL, "expires in 20 days",
		  "COMMON-EXP-04" },
		{ "dane_tlsa", "dane.tlsa.mismatch", SEVERITY_CRITICAL, "mx1.example.com",
		  "no match", NULL },
		{ "mta_sts", "sts.policy.fetch", SEVERITY_UNKNOWN, NULL, "resolver down", NULL },
	};
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	input(&in, &testing_20d, 1);
	in.reports = clean;
	in.n_reports = 2;
	in.problems = probs;
	in.n_problems = 4;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_NOT_READY);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX,
				 "CRITICAL starttls.missing mx1.example.com: no STARTTLS",
				 "STS-CERT-01"),
			 1);
	assert_non_null(strstr(r.reasons[0].fix, "before enforcing"));
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "WARNING cert.expiring: expires", NULL),
			 1);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "dane.tlsa", NULL), 0);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_NOTE, "mta_sts could not tell", NULL), 1);
	assert_sorted(&r);
	rollout_result_clear(&r);
	/* the UNKNOWN and other checks alone: READY */
	in.problems = probs + 2;
	in.n_problems = 2;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_READY);
	rollout_result_clear(&r);
}

/* READY: the enforce policy with the current mx lines and a longer max_age, and a fresh id. */
static void test_ready_change(void **state)
{
	struct policy_seen hist[2] = { testing_20d, testing_20d };
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	input(&in, &testing_20d, 1);
	in.reports = clean;
	in.n_reports = 2;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_READY);
	assert_int_equal(r.n_reasons, 0);
	assert_int_equal(r.n_orgs, 2);
	assert_int_equal(r.successful, 600);
	assert_string_equal(r.new_id, "20261129030000");
	assert_string_equal(r.policy_text, "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
					   "mx: *.mail.example.com\nmax_age: 1209600\n");
	assert_string_equal(r.txt_record,
			    "_mta-sts.example.com. IN TXT \"v=STSv1; id=20261129030000\"");
	assert_null(r.none_text);
	assert_int_equal(r.enforce_cached_until, 0);
	rollout_result_clear(&r);

	/* a longer max_age is kept; an id used before is not used again (STS-TXT-09) */
	hist[0].max_age = 31557600;
	hist[1].id = "20261129030000";
	hist[1].last_seen = NOW - 21 * DAY;
	input(&in, hist, 2);
	in.reports = clean;
	in.n_reports = 2;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_READY);
	assert_string_equal(r.new_id, "20261129030000a");
	assert_non_null(strstr(r.policy_text, "\nmax_age: 31557600\n"));
	rollout_result_clear(&r);
}

/* The window: the last min_days days of the current mode; other modes and types excluded. */
static void test_window(void **state)
{
	struct policy_seen hist[3] = { testing_20d, testing_20d, testing_20d };
	static const struct rollout_report reps[] = {
		{ "Old", "sts", "testing", NOW - 16 * DAY, NOW - 15 * DAY, 10, 10 },
		{ "Enforcer", "sts", "enforce", NOW - 2 * DAY, NOW - DAY, 10, 10 },
		{ "Dane", "tlsa", NULL, NOW - 2 * DAY, NOW - DAY, 10, 10 },
		{ "Silent", "sts", "testing", NOW - 2 * DAY, NOW - DAY, 0, 0 },
		{ "Google", "sts", "testing", NOW - 14 * DAY - 3600, NOW - 13 * DAY, 400, 0 },
		{ "Yahoo", "sts", "testing", NOW - DAY, NOW, 300, 0 },
	};
	static const struct rollout_failure fails[] = {
		{ "sts", "testing", NOW - 16 * DAY, NOW - 15 * DAY, "certificate-expired", 10 },
	};
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	/* t2 (testing) after t1 (testing) after t0 (none): testing since t1's first sighting */
	hist[0].first_seen = NOW - 10 * DAY;
	hist[1].id = "t1";
	hist[1].first_seen = NOW - 30 * DAY;
	hist[1].last_seen = NOW - 10 * DAY;
	hist[2].id = "t0";
	hist[2].mode = "none";
	hist[2].first_seen = NOW - 40 * DAY;
	hist[2].last_seen = NOW - 30 * DAY;
	input(&in, hist, 3);
	in.reports = reps;
	in.n_reports = 6;
	in.failures = fails;
	in.n_failures = 1;
	judge(&in, &r);
	assert_int_equal(r.since, NOW - 30 * DAY);
	assert_int_equal(r.days, 30);
	assert_int_equal(r.window_start, NOW - 14 * DAY);
	assert_int_equal(r.n_orgs, 2);
	assert_string_equal(r.orgs[0].name, "Google");
	assert_string_equal(r.orgs[1].name, "Yahoo");
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.n_types, 0);
	assert_int_equal(r.verdict, ROLLOUT_READY);
	rollout_result_clear(&r);
	/* a change of mode restarts the clock */
	hist[1].mode = "none";
	judge(&in, &r);
	assert_int_equal(r.since, NOW - 10 * DAY);
	assert_int_equal(r.window_start, NOW - 10 * DAY);
	assert_int_equal(r.verdict, ROLLOUT_NOT_ENOUGH_DATA);
	assert_int_equal(r.n_orgs, 1);
	rollout_result_clear(&r);
}

/* Enforce: OK while the rate holds; ROLLBACK above it, with both ways back and the cache. */
static void test_enforce(void **state)
{
	struct policy_seen hist[2] = { testing_20d, testing_20d };
	static const struct rollout_report reps[] = {
		{ "Google", "sts", "enforce", NOW - 2 * DAY, NOW - DAY, 900, 100 },
		{ "Microsoft", "sts", "testing", NOW - 2 * DAY, NOW - DAY, 1000, 0 },
	};
	static const struct rollout_failure fails[] = {
		{ "sts", "enforce", NOW - 2 * DAY, NOW - DAY, "certificate-expired", 100 },
	};
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	hist[0].id = "e1";
	hist[0].mode = "enforce";
	hist[0].max_age = 604800;
	hist[0].first_seen = NOW - 3 * DAY;
	hist[1].last_seen = NOW - 3 * DAY;
	input(&in, hist, 2);
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_ENFORCE);
	assert_int_equal(r.verdict, ROLLOUT_OK);
	assert_int_equal(r.days, 3);
	assert_int_equal(
	    reasons(&r, ROLLOUT_REASON_NOTE, "no report of sessions under enforce", "RPT-CHK-01"),
	    1);
	assert_int_equal(r.enforce_cached_until, NOW - 3600 + 604800);
	assert_null(r.policy_text);
	rollout_result_clear(&r);

	in.reports = reps;
	in.n_reports = 2;
	in.failures = fails;
	in.n_failures = 1;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_ROLLBACK);
	assert_int_equal(r.successful, 900); /* the testing sessions do not count */
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "(10%) since the cutover", "STS-MODE-01"),
			 1);
	assert_int_equal(
	    reasons(&r, ROLLOUT_REASON_FIX, "failed with certificate-expired", "STS-CERT-02"), 1);
	assert_string_equal(r.policy_text, "version: STSv1\nmode: testing\nmx: mx1.example.com\n"
					   "mx: *.mail.example.com\nmax_age: 86400\n");
	assert_string_equal(r.none_text, "version: STSv1\nmode: none\nmax_age: 86400\n");
	assert_string_equal(r.txt_record,
			    "_mta-sts.example.com. IN TXT \"v=STSv1; id=20261129030000\"");
	assert_int_equal(r.enforce_cached_until, NOW - 3600 + 604800);
	rollout_result_clear(&r);

	/* rolled back to testing: the enforce policy may still be cached (STS-CACHE-01) */
	hist[0].mode = "testing";
	hist[0].first_seen = NOW - DAY;
	hist[1].mode = "enforce";
	hist[1].max_age = 604800;
	hist[1].last_seen = NOW - DAY;
	input(&in, hist, 2);
	judge(&in, &r);
	assert_int_equal(r.stage, ROLLOUT_STAGE_TESTING);
	assert_int_equal(r.enforce_cached_until, NOW - DAY + 604800);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_NOTE, "senders may apply it until 2026-12-05",
				 "STS-CACHE-01"),
			 1);
	rollout_result_clear(&r);
}

/* The agent has not checked the domain, or not lately: UNKNOWN over everything else. */
static void test_unknown(void **state)
{
	struct rollout_input in;
	struct rollout_result r;

	(void)state;
	input(&in, &testing_20d, 1);
	in.reports = clean;
	in.n_reports = 2;
	in.last_cycle = 0;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_UNKNOWN);
	assert_int_equal(r.stage, ROLLOUT_STAGE_TESTING);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "recorded no cycle", NULL), 1);
	assert_null(r.policy_text);
	rollout_result_clear(&r);
	in.last_cycle = NOW - 2 * DAY;
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_UNKNOWN);
	assert_int_equal(reasons(&r, ROLLOUT_REASON_FIX, "(2d 0h ago)", NULL), 1);
	rollout_result_clear(&r);
	in.stale_after = 0; /* no age limit */
	judge(&in, &r);
	assert_int_equal(r.verdict, ROLLOUT_READY);
	rollout_result_clear(&r);
}

static void test_bad_input(void **state)
{
	struct rollout_input in;
	struct rollout_result r = { 0 };

	(void)state;
	input(&in, &testing_20d, 1);
	assert_int_equal(rollout_judge(NULL, &r), -EINVAL);
	assert_int_equal(rollout_judge(&in, NULL), -EINVAL);
	in.th.min_days = 0;
	assert_int_equal(rollout_judge(&in, &r), -EINVAL);
	input(&in, &testing_20d, 1);
	in.th.max_failure_rate = 1.5;
	assert_int_equal(rollout_judge(&in, &r), -EINVAL);
	input(&in, NULL, 1);
	assert_int_equal(rollout_judge(&in, &r), -EINVAL);
	assert_null(r.reasons);
	rollout_result_clear(NULL);
}

static void test_rate_parse(void **state)
{
	static const struct {
		const char *text;
		int ret;
		double rate;
	} cases[] = {
		{ "0.1%", 0, 0.001 },  { "2%", 0, 0.02 },      { "0%", 0, 0 },
		{ "100%", 0, 1 },      { "0.05%", 0, 0.0005 }, { "0.1", -EINVAL, 0 },
		{ "%", -EINVAL, 0 },   { ".5%", -EINVAL, 0 },  { "1.%", -EINVAL, 0 },
		{ "-1%", -EINVAL, 0 }, { "101%", -EINVAL, 0 }, { "1e2%", -EINVAL, 0 },
		{ " 1%", -EINVAL, 0 }, { "1% ", -EINVAL, 0 },  { "nan%", -EINVAL, 0 },
	};
	struct mxs_error err = { 0 };
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -1;
		int r = rollout_rate_parse(cases[i].text, &v, &err);

		if (r != cases[i].ret)
			fail_msg("\"%s\": %d, expected %d", cases[i].text, r, cases[i].ret);
		if (r == 0)
			assert_true(v > cases[i].rate - 1e-12 && v < cases[i].rate + 1e-12);
		else
			assert_true(v == -1 && err.what != NULL);
		mxs_error_clear(&err);
	}
	rollout_rate_text(0.001, buf, sizeof(buf));
	assert_string_equal(buf, "0.1%");
	rollout_rate_text(0, buf, sizeof(buf));
	assert_string_equal(buf, "0%");
	rollout_rate_text(1e-9, buf, sizeof(buf));
	assert_string_equal(buf, "<0.001%");
	assert_string_equal(rollout_verdict_name(ROLLOUT_NOT_ENOUGH_DATA), "NOT_ENOUGH_DATA");
	assert_string_equal(rollout_stage_name(ROLLOUT_STAGE_NO_POLICY), "no-policy");
	assert_string_equal(rollout_verdict_name((enum rollout_verdict)42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_policy_and_none),
		cmocka_unit_test(test_invalid_and_gone),
		cmocka_unit_test(test_not_enough_data),
		cmocka_unit_test(test_not_ready_failures),
		cmocka_unit_test(test_huge_counts),
		cmocka_unit_test(test_not_ready_problems),
		cmocka_unit_test(test_ready_change),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_enforce),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_rate_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

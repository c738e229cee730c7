/*
 * test_tls_rpt_reports.c - the tls_rpt_reports check (checks/tls_rpt_reports.c): what senders'
 * TLS-RPT reports say becomes findings, rpt.failure-rate (RPT-JSON-12) and rpt.failure-type
 * (RPT-RES-01), with the agent's own probes' verdict in the message.
 *
 * The history is built as the agent builds it: report rows summed up by lib/rpt_summary.h and
 * judged against problem intervals (lib/rpt_correlate.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/check.h"
#include "lib/history.h"
#include "tests/unit/snapfix.h"

extern const struct check check_tls_rpt_reports;

#define DOMAIN "example.test"
#define MX1    "mx1.example.test"
#define NOW    SNAPFIX_NOW
#define DAY    86400

static const char *const types[] = { "certificate-expired", NULL };

/* Two organisations' reports of yesterday: ok/failed sessions, failures starttls on mx1. */
static void history_of(struct history *h, unsigned long long ok, unsigned long long failed,
		       const char *type, bool probes_saw_it)
{
	const struct rpt_policy_in pol[] = {
		{ DOMAIN, "google.com", "g1", NOW - DAY, NOW, ok, failed },
		{ DOMAIN, "microsoft.com", "m1", NOW - DAY, NOW, ok, 0 },
	};
	const struct rpt_failure_in fail[] = {
		{ DOMAIN, "google.com", type, MX1, "192.0.2.1", NOW - DAY, NOW, failed },
	};
	struct rpt_interval iv = { .check = "mx_starttls",
				   .code = "tls.starttls-missing",
				   .mx = MX1,
				   .address = "192.0.2.1",
				   .opened_at = NOW - 2 * DAY,
				   .open = true };

	memset(h, 0, sizeof(*h));
	assert_int_equal(rpt_summary_build(pol, 2, fail, failed > 0 ? 1 : 0, NOW - 2 * DAY, NOW + 1,
					   &h->reports),
			 0);
	assert_int_equal(
	    rpt_summary_correlate(&h->reports, DOMAIN, &iv, probes_saw_it ? 1 : 0, 3600), 0);
	h->reports_loaded = true;
	h->reports_window = 2 * DAY;
}

static void run(struct history *h, double rate, unsigned min, struct findings *out)
{
	const struct check_settings set = { .cert_warning = 1,
					    .rpt_alert_rate = rate,
					    .rpt_alert_min_sessions = min,
					    .rpt_alert_types = types };
	struct snapshot *s = snapfix_new(DOMAIN);
	void *priv = NULL;

	assert_int_equal(check_tls_rpt_reports.configure(&set, &priv, NULL), 0);
	assert_int_equal(check_tls_rpt_reports.evaluate(s, h, priv, out), 0);
	check_tls_rpt_reports.release(priv);
	snapshot_free(s);
	history_clear(h);
}

/* RPT-JSON-12: 10% of 2000 sessions failed, above 5%: WARNING, not seen by our probes. */
static void test_rate_warning(void **state)
{
	struct history h;
	struct findings out = { 0 };
	const struct finding *f;

	(void)state;
	history_of(&h, 900, 200, "starttls-not-supported", false);
	run(&h, 0.05, 100, &out);
	assert_int_equal(out.n, 1);
	f = snapfix_expect(&out, "tls_rpt_reports", "rpt.failure-rate", SEVERITY_WARNING,
			   "RPT-JSON-12", "starttls-not-supported", "google.com 18.2% of 1100",
			   "not seen by our probes");
	assert_int_equal(snapfix_int(f, "sessions"), 2000);
	assert_int_equal(snapfix_int(f, "failed"), 200);
	findings_clear(&out);
}

/* The same failures confirmed by our own probes: CRITICAL. */
static void test_rate_confirmed(void **state)
{
	struct history h;
	struct findings out = { 0 };

	(void)state;
	history_of(&h, 900, 200, "starttls-not-supported", true);
	run(&h, 0.05, 100, &out);
	snapfix_expect(&out, "tls_rpt_reports", "rpt.failure-rate", SEVERITY_CRITICAL,
		       "RPT-JSON-12", "starttls-not-supported", "confirmed by our probes", NULL);
	findings_clear(&out);
}

/* Below the rate, or too few sessions, or the rule off: nothing. */
static void test_rate_quiet(void **state)
{
	struct history h;
	struct findings out = { 0 };

	(void)state;
	history_of(&h, 100000, 20, "starttls-not-supported", true);
	run(&h, 0.05, 100, &out);
	assert_int_equal(out.n, 0);
	history_of(&h, 10, 20, "starttls-not-supported", true);
	run(&h, 0.05, 100, &out);
	assert_int_equal(out.n, 0);
	history_of(&h, 900, 200, "starttls-not-supported", true);
	run(&h, 0, 100, &out);
	assert_int_equal(out.n, 0);
}

/* RPT-RES-01: a chosen type is a finding at any count, naming MX, address and organisation. */
static void test_type(void **state)
{
	struct history h;
	struct findings out = { 0 };
	const struct finding *f;

	(void)state;
	history_of(&h, 100000, 3, "certificate-expired", false);
	run(&h, 0.05, 100, &out);
	assert_int_equal(out.n, 1);
	f = snapfix_expect(&out, "tls_rpt_reports", "rpt.failure-type", SEVERITY_CRITICAL,
			   "RPT-RES-01", "certificate-expired",
			   "google.com reports 3 sessions to " MX1 " [192.0.2.1] failing with "
			   "certificate-expired",
			   "not seen by our probes");
	assert_string_equal(f->mx, MX1);
	assert_string_equal(snapfix_str(f, "verdict"), "not-seen");
	findings_clear(&out);
}

/* Without reports loaded (no store): nothing, whatever the settings. */
static void test_no_reports(void **state)
{
	struct history h = { 0 };
	struct findings out = { 0 };

	(void)state;
	run(&h, 0.05, 0, &out);
	assert_int_equal(out.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_warning), cmocka_unit_test(test_rate_confirmed),
		cmocka_unit_test(test_rate_quiet),   cmocka_unit_test(test_type),
		cmocka_unit_test(test_no_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

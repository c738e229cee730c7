/*
 * test_rpt_summary.c - TLS-RPT reports summed up per domain and organisation
 * (lib/rpt_summary.c): which period a report counts in, distinct reports, rates (also without
 * a session), failures by type, MX host and IP, faults with their periods, the trend words and
 * their edges, and the verdicts rpt_summary_correlate() attaches.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/rpt_summary.h"

#define DAY  86400
#define HOUR 3600
#define D(n) ((time_t)1795737600 + (n)*DAY) /* D(0) = 2026-11-27 00:00:00 UTC */
#define TO   (D(2) + 3 * HOUR)              /* 2026-11-29 03:00 UTC */
#define FROM (TO - 2 * DAY)                 /* two days; the previous two before */

#define COM "example.com"
#define GOO "Google LLC"
#define MS  "Microsoft Corporation"
#define NT  "certificate-not-trusted"
#define MX1 "mx1.example.com"
#define IP1 "192.0.2.1"

/* Daily reports: a policy of the day starting at D(day). */
#define POL(dom, org, id, day, ok, bad)                                                            \
	{                                                                                          \
		.domain = (dom), .organization = (org), .report_id = (id), .start = D(day),        \
		.end = D((day) + 1), .successful = (ok), .failed = (bad)                           \
	}
#define FAIL(dom, org, day, type, mx, ip, n)                                                       \
	{                                                                                          \
		.domain = (dom), .organization = (org), .result_type = (type),                     \
		.receiving_mx = (mx), .receiving_ip = (ip), .start = D(day), .end = D((day) + 1),  \
		.count = (n)                                                                       \
	}

static const struct rpt_policy_in pols[] = {
	/* ignored: ends before the previous period */
	POL(COM, GOO, "g0", -3, 1, 99),
	POL(COM, GOO, "g1", -1, 600, 0),
	/* one report, two policies */
	POL(COM, GOO, "g2", 0, 500, 10),
	POL(COM, GOO, "g2", 0, 100, 0),
	POL(COM, GOO, "g3", 1, 490, 5),
	POL(COM, MS, "m1", 1, 0, 0),
	POL(COM, "Yahoo", "y1", -2, 100, 0),
	POL("example.org", GOO, "o1", -1, 1000, 0),
	POL("example.org", GOO, "o2", 1, 1000, 0),
	POL("example.org", "Better Inc", "b1", -1, 50, 50),
	POL("example.org", "Better Inc", "b2", 0, 100, 0),
	POL("example.net", GOO, "n1", -1, 10, 10),
};

static const struct rpt_failure_in fails[] = {
	FAIL(COM, GOO, -3, "validation-failure", MX1, IP1, 99),
	FAIL(COM, GOO, 0, NT, MX1, IP1, 10),
	FAIL(COM, GOO, 1, NT, MX1, IP1, 4),
	FAIL(COM, GOO, 1, "starttls-not-supported", "mx2.example.com", NULL, 1),
	FAIL("example.org", "Better Inc", -1, "tlsa-invalid", MX1, IP1, 50),
	FAIL("example.net", GOO, -1, NT, "mx.example.net", NULL, 10),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void build(struct rpt_summary *s)
{
	assert_int_equal(rpt_summary_build(pols, N(pols), fails, N(fails), FROM, TO, s), 0);
}

static void check_count(const struct rpt_count *c, const char *name, unsigned long long n)
{
	assert_string_equal(c->name, name);
	assert_int_equal(c->count, n);
}

/* covers: RFC 8460 §4.2 (session counts), RPT-JSON-12 (failure types counted as reported) */
static void test_domain_and_orgs(void **state)
{
	struct rpt_summary s = { 0 };
	const struct rpt_domain *d;
	const struct rpt_org *g, *m;
	const struct rpt_fault *x;

	(void)state;
	build(&s);
	assert_int_equal(s.from, FROM);
	assert_int_equal(s.to, TO);
	assert_int_equal(s.n_domains, 3);
	assert_string_equal(s.domains[0].name, "example.com");
	assert_string_equal(s.domains[1].name, "example.net");
	assert_string_equal(s.domains[2].name, "example.org");
	d = rpt_summary_domain(&s, COM);
	assert_ptr_equal(d, &s.domains[0]);
	/* Yahoo reported only before: not listed, but in the total */
	assert_int_equal(d->n_orgs, 2);
	g = &d->orgs[0];
	m = &d->orgs[1];
	assert_string_equal(g->name, GOO);
	assert_string_equal(m->name, MS);
	assert_int_equal(g->now.reports, 2);
	assert_int_equal(g->now.successful, 1090);
	assert_int_equal(g->now.failed, 15);
	assert_true(g->rate > 1090.0 / 1105 - 1e-9 && g->rate < 1090.0 / 1105 + 1e-9);
	assert_int_equal(g->prev.reports, 1);
	assert_int_equal(g->prev.successful, 600);
	assert_true(g->prev_rate == 1.0);
	assert_int_equal(g->trend, RPT_TREND_WORSE);
	assert_true(g->delta < -0.0135 && g->delta > -0.0136);
	assert_int_equal(g->now.n_types, 2);
	check_count(&g->now.types[0], NT, 14);
	check_count(&g->now.types[1], "starttls-not-supported", 1);
	assert_int_equal(g->now.n_mxs, 2);
	check_count(&g->now.mxs[0], MX1, 14);
	check_count(&g->now.mxs[1], "mx2.example.com", 1);
	/* a detail without an IP is not counted under one */
	assert_int_equal(g->now.n_ips, 1);
	check_count(&g->now.ips[0], IP1, 14);
	assert_int_equal(g->now.n_faults, 2);
	x = &g->now.faults[0];
	assert_string_equal(x->result_type, NT);
	assert_string_equal(x->mx, MX1);
	assert_string_equal(x->ip, IP1);
	assert_int_equal(x->count, 14);
	assert_int_equal(x->n_periods, 2);
	assert_int_equal(x->periods[0].start, D(0));
	assert_int_equal(x->periods[0].count, 10);
	assert_int_equal(x->periods[1].end, D(2));
	assert_int_equal(x->periods[1].count, 4);
	assert_null(x->judged.reason);
	assert_null(g->now.faults[1].ip);
	/* nothing of the report before the previous period */
	assert_int_equal(g->prev.n_types, 0);
	/* no session: rate 1.0, nothing failed; nothing before: new */
	assert_int_equal(m->now.reports, 1);
	assert_true(m->rate == 1.0);
	assert_int_equal(m->trend, RPT_TREND_NEW);
	assert_true(m->delta == 0);
	/* the domain's total: every organisation of both periods, no faults */
	assert_null(d->total.name);
	assert_int_equal(d->total.now.reports, 3);
	assert_int_equal(d->total.now.successful, 1090);
	assert_int_equal(d->total.now.failed, 15);
	assert_int_equal(d->total.prev.reports, 2);
	assert_int_equal(d->total.prev.successful, 700);
	assert_int_equal(d->total.trend, RPT_TREND_WORSE);
	assert_int_equal(d->total.now.n_types, 2);
	assert_int_equal(d->total.now.n_faults, 0);
	/* reports only before: listed, without organisations */
	d = rpt_summary_domain(&s, "example.net");
	assert_int_equal(d->n_orgs, 0);
	assert_int_equal(d->total.now.reports, 0);
	assert_int_equal(d->total.prev.reports, 1);
	assert_int_equal(d->total.prev.failed, 10);
	check_count(&d->total.prev.types[0], NT, 10);
	assert_int_equal(d->total.now.n_types, 0);
	/* better and same */
	d = rpt_summary_domain(&s, "example.org");
	assert_int_equal(d->n_orgs, 2);
	assert_string_equal(d->orgs[0].name, "Better Inc");
	assert_int_equal(d->orgs[0].trend, RPT_TREND_BETTER);
	assert_true(d->orgs[0].delta > 0.4999 && d->orgs[0].delta < 0.5001);
	assert_int_equal(d->orgs[0].prev.n_faults, 0);
	assert_int_equal(d->orgs[1].trend, RPT_TREND_SAME);
	assert_int_equal(d->total.trend, RPT_TREND_BETTER);
	assert_null(rpt_summary_domain(&s, "example.edu"));
	assert_null(rpt_summary_domain(&s, NULL));
	rpt_summary_clear(&s);
	assert_int_equal(s.n_domains, 0);
	assert_null(s.domains);
	rpt_summary_clear(&s);
	rpt_summary_clear(NULL);
}

/* A report counts where its date-range ends: end == from is the previous period. */
static void test_period_edges(void **state)
{
	const struct rpt_policy_in p[] = {
		{ COM, GOO, "a", FROM - DAY, FROM, 10, 0 },
		{ COM, GOO, "b", FROM - DAY + 1, FROM + 1, 20, 0 },
		{ COM, GOO, "c", FROM - 3 * DAY, FROM - 2 * DAY, 40, 0 },
		{ COM, GOO, "d", FROM - 3 * DAY + 1, FROM - 2 * DAY + 1, 80, 0 },
		{ COM, GOO, "e", TO, TO + DAY, 160, 0 },
	};
	struct rpt_summary s = { 0 };
	const struct rpt_org *g;

	(void)state;
	assert_int_equal(rpt_summary_build(p, N(p), NULL, 0, FROM, TO, &s), 0);
	g = &s.domains[0].orgs[0];
	/* b, and e (a report ending after to is still the current period's) */
	assert_int_equal(g->now.successful, 180);
	assert_int_equal(g->now.reports, 2);
	/* a and d; c ends exactly where the previous period begins */
	assert_int_equal(g->prev.successful, 90);
	assert_int_equal(g->prev.reports, 2);
	rpt_summary_clear(&s);
}

/* The trend words at their edges: |delta| < 0.001 is the same. */
static void test_trend_edges(void **state)
{
	const struct rpt_policy_in p[] = {
		POL(COM, "A", "a1", -1, 1000, 0), POL(COM, "A", "a2", 0, 9990, 10),
		POL(COM, "B", "b1", -1, 1000, 0), POL(COM, "B", "b2", 0, 99995, 5),
		POL(COM, "C", "c1", -1, 0, 0),    POL(COM, "C", "c2", 0, 0, 10),
	};
	struct rpt_summary s = { 0 };
	const struct rpt_domain *d;

	(void)state;
	assert_int_equal(rpt_summary_build(p, N(p), NULL, 0, FROM, TO, &s), 0);
	d = &s.domains[0];
	assert_int_equal(d->orgs[0].trend, RPT_TREND_WORSE);
	assert_int_equal(d->orgs[1].trend, RPT_TREND_SAME);
	/* no session before (rate 1.0), all failed now */
	assert_int_equal(d->orgs[2].trend, RPT_TREND_WORSE);
	assert_true(d->orgs[2].rate == 0.0);
	assert_true(d->orgs[2].prev_rate == 1.0);
	assert_string_equal(rpt_summary_trend_name(RPT_TREND_NEW), "new");
	assert_string_equal(rpt_summary_trend_name(RPT_TREND_SAME), "same");
	assert_string_equal(rpt_summary_trend_name(RPT_TREND_BETTER), "better");
	assert_string_equal(rpt_summary_trend_name(RPT_TREND_WORSE), "worse");
	assert_string_equal(rpt_summary_trend_name((enum rpt_trend)9), "?");
	rpt_summary_clear(&s);
}

/* Each fault judged over its periods against the domain's history. */
static void test_correlate(void **state)
{
	struct rpt_interval hist[] = {
		{ .check = (char *)"mx_starttls",
		  .code = (char *)"tls.untrusted",
		  .mx = (char *)MX1,
		  .address = (char *)IP1,
		  .opened_at = D(0) + 10 * HOUR,
		  .open = true },
	};
	struct rpt_summary s = { 0 };
	const struct rpt_fault *x, *y;

	(void)state;
	build(&s);
	assert_int_equal(rpt_summary_correlate(&s, COM, hist, 1, HOUR), 0);
	/* twice: the verdicts are replaced, not added up */
	assert_int_equal(rpt_summary_correlate(&s, COM, hist, 1, HOUR), 0);
	x = &s.domains[0].orgs[0].now.faults[0];
	y = &s.domains[0].orgs[0].now.faults[1];
	assert_int_equal(x->judged.verdict, RPT_VERDICT_CONFIRMED);
	assert_int_equal(x->judged.n_verdict[RPT_VERDICT_CONFIRMED], 2);
	assert_int_equal(x->judged.overlap, 14 * HOUR);
	assert_string_equal(x->judged.evidence.code, "tls.untrusted");
	assert_string_equal(x->judged.reason,
			    "confirmed by our probes: tls.untrusted on mx1.example.com "
			    "[192.0.2.1] since 2026-11-27 10:00 UTC, still open");
	assert_int_equal(y->judged.verdict, RPT_VERDICT_NOT_SEEN);
	assert_int_equal(y->judged.n_verdict[RPT_VERDICT_NOT_SEEN], 1);
	assert_string_equal(y->judged.reason, "not seen by our probes: likely the sender's side");
	/* another domain's faults are left alone; an unknown domain is no error */
	assert_null(s.domains[2].orgs[0].now.faults);
	assert_int_equal(rpt_summary_correlate(&s, "example.edu", hist, 1, HOUR), 0);
	assert_int_equal(rpt_summary_correlate(&s, COM, hist, 1, 0), -EINVAL);
	assert_int_equal(rpt_summary_correlate(&s, COM, NULL, 1, HOUR), -EINVAL);
	assert_int_equal(rpt_summary_correlate(&s, NULL, hist, 1, HOUR), -EINVAL);
	/* without history: everything not seen */
	assert_int_equal(rpt_summary_correlate(&s, COM, NULL, 0, HOUR), 0);
	assert_int_equal(x->judged.verdict, RPT_VERDICT_NOT_SEEN);
	assert_null(x->judged.evidence.code);
	rpt_summary_clear(&s);
}

static void test_invalid(void **state)
{
	const struct rpt_policy_in bad_pol[] = { { NULL, GOO, "x", D(0), D(1), 1, 0 } };
	const struct rpt_failure_in bad_fail[] = { { COM, GOO, NULL, MX1, IP1, D(0), D(1), 1 } };
	struct rpt_summary s = { .n_domains = 42 };

	(void)state;
	assert_int_equal(rpt_summary_build(pols, N(pols), fails, N(fails), TO, TO, &s), -EINVAL);
	assert_int_equal(rpt_summary_build(NULL, 1, NULL, 0, FROM, TO, &s), -EINVAL);
	assert_int_equal(rpt_summary_build(NULL, 0, NULL, 1, FROM, TO, &s), -EINVAL);
	assert_int_equal(rpt_summary_build(bad_pol, 1, NULL, 0, FROM, TO, &s), -EINVAL);
	assert_int_equal(rpt_summary_build(NULL, 0, bad_fail, 1, FROM, TO, &s), -EINVAL);
	assert_int_equal(rpt_summary_build(pols, N(pols), fails, N(fails), FROM, TO, NULL),
			 -EINVAL);
	assert_int_equal(s.n_domains, 42);
	/* nothing at all is an empty summary */
	assert_int_equal(rpt_summary_build(NULL, 0, NULL, 0, FROM, TO, &s), 0);
	assert_int_equal(s.n_domains, 0);
	rpt_summary_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_and_orgs), cmocka_unit_test(test_period_edges),
		cmocka_unit_test(test_trend_edges),     cmocka_unit_test(test_correlate),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

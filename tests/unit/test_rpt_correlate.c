/*
 * test_rpt_correlate.c - TLS-RPT failures against the probe history (lib/rpt_correlate.c):
 * the code table against docs/findings.md (RPT-RES-05), every branch of the verdict, the order
 * among several problems, the reasons, and a failure judged over several report periods.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/error.h"
#include "lib/rpt_correlate.h"

#define T0   ((time_t)1795824000) /* 2026-11-28 00:00:00 UTC */
#define HOUR 3600
#define DAY  86400
#define MX1  "mx1.example.com"
#define IP1  "192.0.2.1"

/* covers: RPT-RES-05 - the table is docs/findings.md's last column, code by code. */
static void test_table_matches_docs(void **state)
{
	const char *top = getenv("top_srcdir");
	char *path = mxs_strdupf("%s/docs/findings.md", top != NULL ? top : ".");
	char line[2048];
	size_t rows = 0, typed = 0;
	FILE *f;

	(void)state;
	assert_non_null(path);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *cell[8], *p = line, *bar, *code, *type;
		size_t n = 0;

		if (strncmp(line, "| `", 3) != 0)
			continue;
		/* The codes table has six columns; the typed-values table has two. */
		while (n < 8 && (bar = strchr(p, '|')) != NULL) {
			*bar = '\0';
			cell[n++] = p;
			p = bar + 1;
		}
		if (n != 7)
			continue;
		code = cell[1] + 2; /* " `code` " */
		*strchr(code, '`') = '\0';
		type = cell[6] + 1;
		type[strcspn(type, " ")] = '\0';
		rows++;
		if (strcmp(type, "—") == 0) {
			if (rpt_correlate_result_type(code) != NULL)
				fail_msg("%s: docs say no result type, the table %s", code,
					 rpt_correlate_result_type(code));
			continue;
		}
		typed++;
		if (rpt_correlate_result_type(code) == NULL ||
		    strcmp(rpt_correlate_result_type(code), type) != 0)
			fail_msg("%s: docs say %s, the table %s", code, type,
				 rpt_correlate_result_type(code) != NULL
				     ? rpt_correlate_result_type(code)
				     : "nothing");
		assert_true(rpt_correlate_session_fault(code));
	}
	assert_int_equal(fclose(f), 0);
	free(path);
	assert_true(rows >= 60);
	assert_int_equal(typed, 24);
}

/* covers: RPT-RES-05 (the examples of the spec), tls-rpt.md §6 item 6 */
static void test_table_examples(void **state)
{
	static const struct {
		const char *code, *type;
	} cases[] = {
		{ "tls.starttls-missing", "starttls-not-supported" },
		{ "cert.expired", "certificate-expired" },
		{ "tls.name-mismatch", "certificate-host-mismatch" },
		{ "tls.untrusted", "certificate-not-trusted" },
		{ "dane.tlsa.mismatch", "tlsa-invalid" },
		{ "dns.dnssec-bogus", "dnssec-invalid" },
		{ "sts.policy.unreachable", "sts-policy-fetch-error" },
		{ "sts.policy.invalid", "sts-policy-invalid" },
		{ "sts.policy.tls", "sts-webpki-invalid" },
		{ "sts.mx.not-covered", "validation-failure" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(rpt_correlate_result_type(cases[i].code), cases[i].type);
		assert_true(rpt_correlate_type_matches(cases[i].code, cases[i].type));
	}
	assert_null(rpt_correlate_result_type("cert.expiring"));
	assert_null(rpt_correlate_result_type("no.such-code"));
	assert_null(rpt_correlate_result_type(NULL));
	/* faults of reaching an MX: no result type, still session faults */
	assert_null(rpt_correlate_result_type("smtp.timeout"));
	assert_true(rpt_correlate_session_fault("smtp.timeout"));
	assert_true(rpt_correlate_session_fault("mx.no-address"));
	assert_false(rpt_correlate_session_fault("cert.expiring"));
	assert_false(rpt_correlate_session_fault("dns.inconsistent"));
	assert_false(rpt_correlate_session_fault(NULL));
	/* an MX outside the policy: either type reporters use */
	assert_true(rpt_correlate_type_matches("sts.mx.not-covered", "certificate-host-mismatch"));
	assert_true(
	    rpt_correlate_type_matches("sts.mx.not-in-cached-policy", "certificate-host-mismatch"));
	assert_false(rpt_correlate_type_matches("tls.version", "certificate-host-mismatch"));
	assert_false(rpt_correlate_type_matches("tls.untrusted", "certificate-expired"));
	assert_false(rpt_correlate_type_matches("tls.untrusted", "Certificate-Not-Trusted"));
	assert_false(rpt_correlate_type_matches("smtp.timeout", "validation-failure"));
	assert_false(rpt_correlate_type_matches("tls.untrusted", NULL));
	assert_false(rpt_correlate_type_matches(NULL, "certificate-not-trusted"));
}

/* One case: a failure, one problem (code NULL: none), and what must come out. */
struct vcase {
	const char *name;
	const char *type, *mx, *ip;
	time_t start, end;
	const char *code, *hmx, *haddr;
	time_t opened, resolved; /* resolved 0: still open */
	enum rpt_verdict verdict;
	bool same_type;
	time_t overlap;
};

#define NT "certificate-not-trusted"
#define P0 T0, T0 + DAY

static const struct vcase vcases[] = {
	{ "no history", NT, MX1, IP1, P0, NULL, NULL, NULL, 0, 0, RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "open since before", NT, MX1, IP1, P0, "tls.untrusted", MX1, IP1, T0 - 8 * DAY, 0,
	  RPT_VERDICT_CONFIRMED, true, DAY },
	{ "host-wide, 3 cycles", NT, MX1, IP1, P0, "tls.untrusted", MX1, NULL, T0 + 2 * HOUR,
	  T0 + 5 * HOUR, RPT_VERDICT_CONFIRMED, true, 3 * HOUR },
	{ "case and dot, open late", NT, MX1, IP1, P0, "tls.untrusted", "MX1.Example.COM.", IP1,
	  T0 + DAY - 1800, 0, RPT_VERDICT_CONFIRMED, true, 1800 },
	{ "exactly enough", NT, MX1, IP1, P0, "tls.untrusted", MX1, IP1, T0 + HOUR,
	  T0 + HOUR + 6840, RPT_VERDICT_CONFIRMED, true, 6840 },
	{ "one second short", NT, MX1, IP1, P0, "tls.untrusted", MX1, IP1, T0 + HOUR,
	  T0 + HOUR + 6839, RPT_VERDICT_TRANSIENT, true, 6839 },
	{ "one cycle", NT, MX1, IP1, P0, "tls.untrusted", MX1, IP1, T0 + 2 * HOUR, T0 + 3 * HOUR,
	  RPT_VERDICT_TRANSIENT, true, HOUR },
	{ "long, clipped at start", NT, MX1, IP1, P0, "tls.untrusted", MX1, IP1, T0 - 10 * HOUR,
	  T0 + HOUR, RPT_VERDICT_TRANSIENT, true, HOUR },
	{ "other session fault", NT, MX1, IP1, P0, "smtp.timeout", MX1, IP1, T0 + 2 * HOUR,
	  T0 + 9 * HOUR, RPT_VERDICT_TRANSIENT, false, 7 * HOUR },
	{ "other fault, open, host-wide", NT, MX1, IP1, P0, "smtp.refused", MX1, NULL, T0 - DAY, 0,
	  RPT_VERDICT_TRANSIENT, false, DAY },
	{ "other address", NT, MX1, IP1, P0, "tls.untrusted", MX1, "192.0.2.2", T0 - DAY, 0,
	  RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "other MX", NT, MX1, IP1, P0, "tls.untrusted", "mx2.example.com", IP1, T0 - DAY, 0,
	  RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "resolved at the start", NT, MX1, IP1, P0, "tls.untrusted", MX1, IP1, T0 - DAY, T0,
	  RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "opened at the end", NT, MX1, IP1, P0, "tls.untrusted", MX1, IP1, T0 + DAY, 0,
	  RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "advice only", NT, MX1, IP1, P0, "cert.expiring", MX1, IP1, T0 - DAY, 0,
	  RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "other type, domain-wide", NT, MX1, IP1, P0, "sts.policy.unreachable", NULL, NULL,
	  T0 - DAY, 0, RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "same type, domain-wide", "sts-policy-fetch-error", MX1, IP1, P0,
	  "sts.policy.unreachable", NULL, NULL, T0 - DAY, 0, RPT_VERDICT_CONFIRMED, true, DAY },
	{ "report names no MX", NT, NULL, NULL, P0, "tls.untrusted", "mx2.example.com", "192.0.2.9",
	  T0 - DAY, 0, RPT_VERDICT_CONFIRMED, true, DAY },
	{ "report names no IP", NT, MX1, NULL, P0, "tls.untrusted", MX1, "192.0.2.7", T0 + HOUR,
	  T0 + 4 * HOUR, RPT_VERDICT_CONFIRMED, true, 3 * HOUR },
	{ "IPv6 written two ways", NT, MX1, "2001:db8:0:0::1", P0, "tls.untrusted", MX1,
	  "2001:db8::1", T0 - DAY, 0, RPT_VERDICT_CONFIRMED, true, DAY },
	{ "IPv6 other address", NT, MX1, "2001:db8::2", P0, "tls.untrusted", MX1, "2001:db8::1",
	  T0 - DAY, 0, RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "IPv4 against mapped IPv6", NT, MX1, IP1, P0, "tls.untrusted", MX1, "::ffff:192.0.2.1",
	  T0 - DAY, 0, RPT_VERDICT_NOT_SEEN, false, 0 },
	{ "address not an IP", NT, MX1, "Host-A", P0, "tls.untrusted", MX1, "host-a", T0 - DAY, 0,
	  RPT_VERDICT_CONFIRMED, true, DAY },
	{ "MX outside policy, host-mismatch", "certificate-host-mismatch", MX1, IP1, P0,
	  "sts.mx.not-covered", MX1, NULL, T0 - DAY, 0, RPT_VERDICT_CONFIRMED, true, DAY },
	{ "MX outside policy, validation-failure", "validation-failure", MX1, IP1, P0,
	  "sts.mx.not-covered", MX1, NULL, T0 - DAY, 0, RPT_VERDICT_CONFIRMED, true, DAY },
	{ "period shorter than two cycles", NT, MX1, IP1, T0, T0 + HOUR, "tls.untrusted", MX1, IP1,
	  T0 - HOUR, T0 + 2 * HOUR, RPT_VERDICT_CONFIRMED, true, HOUR },
};

/* covers: every branch of rpt_correlate.h's definition, hourly cycles */
static void test_verdicts(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct vcase *c = &vcases[i];
		const struct rpt_failure f = { .result_type = c->type,
					       .mx = c->mx,
					       .ip = c->ip,
					       .start = c->start,
					       .end = c->end };
		struct rpt_interval h = { .code = (char *)c->code,
					  .mx = (char *)c->hmx,
					  .address = (char *)c->haddr,
					  .opened_at = c->opened,
					  .resolved_at = c->resolved,
					  .open = c->resolved == 0 };
		struct rpt_evidence e;

		assert_int_equal(rpt_correlate(&f, &h, c->code != NULL, HOUR, &e), 0);
		if (e.verdict != c->verdict || e.same_type != c->same_type ||
		    e.overlap != c->overlap)
			fail_msg("%s: got %s same_type=%d overlap=%lld", c->name,
				 rpt_correlate_verdict_name(e.verdict), e.same_type,
				 (long long)e.overlap);
		if (c->verdict == RPT_VERDICT_NOT_SEEN)
			assert_null(e.interval);
		else
			assert_ptr_equal(e.interval, &h);
	}
}

/* A problem interval; r 0: still open. */
#define IV(c, m, a, o, r)                                                                          \
	{                                                                                          \
		.code = (char *)(c), .mx = (char *)(m), .address = (char *)(a), .opened_at = (o),  \
		.resolved_at = (r), .open = (r) == 0                                               \
	}

/* Several problems: the strongest, then the same type, then the longest, then the first. */
static void test_preference(void **state)
{
	const struct rpt_failure f = {
		.result_type = NT, .mx = MX1, .ip = IP1, .start = T0, .end = T0 + DAY
	};
	struct rpt_interval brief_other_same[] = {
		IV("smtp.timeout", MX1, IP1, T0, T0 + 10 * HOUR),
		IV("tls.untrusted", MX1, IP1, T0 + HOUR, T0 + 2 * HOUR),
	};
	struct rpt_interval confirmed_last[] = {
		IV("tls.untrusted", MX1, IP1, T0 + HOUR, T0 + 2 * HOUR),
		IV("smtp.timeout", MX1, IP1, T0, 0),
		IV("tls.untrusted", MX1, NULL, T0 + 5 * HOUR, T0 + 8 * HOUR),
	};
	struct rpt_interval longest[] = {
		IV("smtp.timeout", MX1, IP1, T0, T0 + 2 * HOUR),
		IV("smtp.closed", MX1, IP1, T0 + 3 * HOUR, T0 + 8 * HOUR),
		IV("smtp.refused", MX1, IP1, T0 + 9 * HOUR, T0 + 11 * HOUR),
	};
	struct rpt_interval ties[] = {
		IV(NULL, MX1, IP1, T0 - DAY, 0),
		IV("tls.untrusted", MX1, IP1, T0 - DAY, 0),
		IV("tls.untrusted", MX1, NULL, T0 - DAY, 0),
	};
	struct rpt_interval whole = IV("tls.untrusted", MX1, IP1, T0 - DAY, T0 + 2 * DAY);
	struct rpt_evidence e;

	(void)state;
	assert_int_equal(rpt_correlate(&f, brief_other_same, 2, HOUR, &e), 0);
	assert_int_equal(e.verdict, RPT_VERDICT_TRANSIENT);
	assert_true(e.same_type);
	assert_ptr_equal(e.interval, &brief_other_same[1]);
	assert_int_equal(rpt_correlate(&f, confirmed_last, 3, HOUR, &e), 0);
	assert_int_equal(e.verdict, RPT_VERDICT_CONFIRMED);
	assert_ptr_equal(e.interval, &confirmed_last[2]);
	assert_int_equal(rpt_correlate(&f, longest, 3, HOUR, &e), 0);
	assert_ptr_equal(e.interval, &longest[1]);
	assert_false(e.same_type);
	assert_int_equal(e.overlap, 5 * HOUR);
	/* a problem without a code is skipped; equals keep the first */
	assert_int_equal(rpt_correlate(&f, ties, 3, HOUR, &e), 0);
	assert_ptr_equal(e.interval, &ties[1]);
	/* daily cycles: three hours are not two cycles, a whole period is */
	assert_int_equal(rpt_correlate(&f, &confirmed_last[2], 1, DAY, &e), 0);
	assert_int_equal(e.verdict, RPT_VERDICT_TRANSIENT);
	assert_int_equal(rpt_correlate(&f, &whole, 1, DAY, &e), 0);
	assert_int_equal(e.verdict, RPT_VERDICT_CONFIRMED);
	assert_int_equal(e.overlap, DAY);
}

static void test_invalid(void **state)
{
	struct rpt_failure f = { .result_type = NT, .mx = MX1, .start = T0, .end = T0 + DAY };
	struct rpt_interval h = IV("tls.untrusted", MX1, NULL, T0, 0);
	struct rpt_evidence e = { .verdict = RPT_VERDICT_TRANSIENT, .overlap = 42 };

	(void)state;
	assert_int_equal(rpt_correlate(&f, &h, 1, 0, &e), -EINVAL);
	assert_int_equal(rpt_correlate(NULL, &h, 1, HOUR, &e), -EINVAL);
	assert_int_equal(rpt_correlate(&f, &h, 1, HOUR, NULL), -EINVAL);
	assert_int_equal(rpt_correlate(&f, NULL, 1, HOUR, &e), -EINVAL);
	f.end = f.start;
	assert_int_equal(rpt_correlate(&f, &h, 1, HOUR, &e), -EINVAL);
	f.end = T0 + DAY;
	f.result_type = NULL;
	assert_int_equal(rpt_correlate(&f, &h, 1, HOUR, &e), -EINVAL);
	/* untouched on failure */
	assert_int_equal(e.verdict, RPT_VERDICT_TRANSIENT);
	assert_int_equal(e.overlap, 42);
	/* no history at all is fine */
	f.result_type = NT;
	assert_int_equal(rpt_correlate(&f, NULL, 0, HOUR, &e), 0);
	assert_int_equal(e.verdict, RPT_VERDICT_NOT_SEEN);
}

static void check_reason(const struct rpt_evidence *e, const char *want)
{
	char *r = rpt_correlate_reason(e);

	assert_non_null(r);
	assert_string_equal(r, want);
	free(r);
}

static void test_reasons(void **state)
{
	struct rpt_interval open = IV("tls.untrusted", MX1, IP1, T0 - 8 * DAY, 0),
			    hostwide = IV("tls.untrusted", MX1, NULL, T0 + 2 * HOUR, T0 + 5 * HOUR),
			    brief = IV("tls.untrusted", MX1, IP1, T0 + 2 * HOUR, T0 + 3 * HOUR),
			    other_open = IV("smtp.refused", MX1, NULL, T0 - DAY, 0),
			    other = IV("smtp.timeout", MX1, IP1, T0 + 2 * HOUR, T0 + 9 * HOUR),
			    domain = IV("sts.policy.unreachable", NULL, NULL, T0 - DAY, 0);
	struct rpt_evidence e = { .verdict = RPT_VERDICT_NOT_SEEN };

	(void)state;
	hostwide.alg = (char *)"ECDSA";
	check_reason(&e, "not seen by our probes: likely the sender's side");
	e = (struct rpt_evidence){ RPT_VERDICT_CONFIRMED, &open, true, DAY };
	check_reason(&e, "confirmed by our probes: tls.untrusted on mx1.example.com [192.0.2.1] "
			 "since 2026-11-20 00:00 UTC, still open");
	e = (struct rpt_evidence){ RPT_VERDICT_CONFIRMED, &hostwide, true, 3 * HOUR };
	check_reason(&e, "confirmed by our probes: tls.untrusted on mx1.example.com ECDSA from "
			 "2026-11-28 02:00 UTC to 2026-11-28 05:00 UTC");
	e = (struct rpt_evidence){ RPT_VERDICT_TRANSIENT, &brief, true, HOUR };
	check_reason(&e, "transient on our side: our probes saw tls.untrusted on mx1.example.com "
			 "[192.0.2.1] for only 1h 00m of the period, from 2026-11-28 02:00 UTC "
			 "to 2026-11-28 03:00 UTC");
	e = (struct rpt_evidence){ RPT_VERDICT_TRANSIENT, &other_open, false, DAY };
	check_reason(&e, "transient on our side: our probes saw another fault, smtp.refused on "
			 "mx1.example.com, since 2026-11-27 00:00 UTC, still open");
	e = (struct rpt_evidence){ RPT_VERDICT_TRANSIENT, &other, false, 7 * HOUR };
	check_reason(&e, "transient on our side: our probes saw another fault, smtp.timeout on "
			 "mx1.example.com [192.0.2.1], from 2026-11-28 02:00 UTC to 2026-11-28 "
			 "09:00 UTC");
	e = (struct rpt_evidence){ RPT_VERDICT_CONFIRMED, &domain, true, DAY };
	check_reason(&e, "confirmed by our probes: sts.policy.unreachable for the domain since "
			 "2026-11-27 00:00 UTC, still open");
	assert_null(rpt_correlate_reason(NULL));
	assert_string_equal(rpt_correlate_verdict_name(RPT_VERDICT_NOT_SEEN), "not-seen");
	assert_string_equal(rpt_correlate_verdict_name(RPT_VERDICT_TRANSIENT), "transient");
	assert_string_equal(rpt_correlate_verdict_name(RPT_VERDICT_CONFIRMED), "confirmed");
	assert_string_equal(rpt_correlate_verdict_name((enum rpt_verdict)7), "?");
}

/* One failure reported on four days: the strongest verdict, the first period among equals. */
static void test_judge(void **state)
{
	const struct rpt_period days[] = {
		{ T0, T0 + DAY, 5 },
		{ T0 + DAY, T0 + 2 * DAY, 1 },
		{ T0 + 2 * DAY, T0 + 3 * DAY, 7 },
		{ T0 + 3 * DAY, T0 + 4 * DAY, 9 },
	};
	struct rpt_interval hist[] = {
		IV("smtp.timeout", MX1, IP1, T0 + 2 * HOUR, T0 + 9 * HOUR),
		IV("tls.untrusted", MX1, IP1, T0 + DAY + 2 * HOUR, T0 + DAY + 3 * HOUR),
		IV("tls.untrusted", MX1, IP1, T0 + 2 * DAY + 10 * HOUR, 0),
	};
	struct rpt_judgement j = { 0 }, keep;

	(void)state;
	hist[2].check = (char *)"mx_starttls";
	assert_int_equal(rpt_correlate_judge(NT, MX1, IP1, days, 4, hist, 3, HOUR, &j), 0);
	assert_int_equal(j.verdict, RPT_VERDICT_CONFIRMED);
	assert_int_equal(j.n_verdict[RPT_VERDICT_NOT_SEEN], 0);
	assert_int_equal(j.n_verdict[RPT_VERDICT_TRANSIENT], 2);
	assert_int_equal(j.n_verdict[RPT_VERDICT_CONFIRMED], 2);
	assert_true(j.same_type);
	assert_int_equal(j.overlap, 14 * HOUR);
	assert_string_equal(j.evidence.check, "mx_starttls");
	assert_string_equal(j.evidence.code, "tls.untrusted");
	assert_ptr_not_equal(j.evidence.code, hist[2].code);
	assert_true(j.evidence.open);
	assert_int_equal(j.evidence.opened_at, T0 + 2 * DAY + 10 * HOUR);
	assert_string_equal(j.reason, "confirmed by our probes: tls.untrusted on mx1.example.com "
				      "[192.0.2.1] since 2026-11-30 10:00 UTC, still open");
	rpt_correlate_judgement_clear(&j);
	assert_null(j.reason);
	assert_null(j.evidence.code);
	/* the brief same fault beats another fault seen longer, whatever the period order */
	assert_int_equal(rpt_correlate_judge(NT, MX1, IP1, days, 2, hist, 2, HOUR, &j), 0);
	assert_int_equal(j.verdict, RPT_VERDICT_TRANSIENT);
	assert_true(j.same_type);
	assert_int_equal(j.evidence.opened_at, T0 + DAY + 2 * HOUR);
	assert_int_equal(j.n_verdict[RPT_VERDICT_TRANSIENT], 2);
	rpt_correlate_judgement_clear(&j);
	/* nothing seen on that MX: no evidence, the sender's side */
	assert_int_equal(
	    rpt_correlate_judge(NT, "mx2.example.com", NULL, days, 4, hist, 3, HOUR, &j), 0);
	assert_int_equal(j.verdict, RPT_VERDICT_NOT_SEEN);
	assert_int_equal(j.n_verdict[RPT_VERDICT_NOT_SEEN], 4);
	assert_null(j.evidence.code);
	assert_string_equal(j.reason, "not seen by our probes: likely the sender's side");
	/* invalid: untouched */
	keep = j;
	assert_int_equal(rpt_correlate_judge(NT, MX1, IP1, NULL, 1, hist, 3, HOUR, &j), -EINVAL);
	assert_int_equal(rpt_correlate_judge(NT, MX1, IP1, days, 4, hist, 3, 0, &j), -EINVAL);
	assert_int_equal(rpt_correlate_judge(NT, MX1, IP1, days, 4, hist, 3, HOUR, NULL), -EINVAL);
	assert_ptr_equal(j.reason, keep.reason);
	rpt_correlate_judgement_clear(&j);
	rpt_correlate_judgement_clear(NULL);
	assert_null(rpt_correlate_intervals_free(NULL, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_docs),
		cmocka_unit_test(test_table_examples),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_preference),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_judge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

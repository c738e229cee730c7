/*
 * test_tls_rpt.c - the tls_rpt check (checks/tls_rpt.c) on hand-built snapshots.
 *
 * One case per finding code and per rule the check applies (shared/spec/tls-rpt.md): the
 * discovery of the single `_smtp._tls` record (RPT-TXT-02), its grammar and destinations
 * (RPT-TXT-05..09), and RPT-CHK-01, which asks for a record only while MTA-STS runs in
 * "testing". A case compares the findings with docs/findings.md: code, severity, requirement
 * and a part of the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/check.h"
#include "tests/unit/snapfix.h"

extern const struct check check_tls_rpt;

#define DOMAIN "example.test"
#define RPT_OK "v=TLSRPTv1; rua=mailto:tlsrpt@" DOMAIN

struct rpt_case {
	const char *name;                /* test name, citing the spec ID */
	struct snapshot *(*build)(void); /* the snapshot of the case */
	size_t n_findings;               /* how many findings in all */
	const char *code;                /* the finding to look at, or NULL */
	enum severity severity;
	const char *req;  /* expected requirement ID, or NULL */
	const char *msg;  /* a part of the message, or NULL */
	const char *msg2; /* another part, or NULL */
};

/* --- snapshots ------------------------------------------------------------------------------ */

/*
 * example.test with an MTA-STS policy of mode sts ("enforce", "testing", "none"; NULL: no
 * _mta-sts record) and _smtp._tls answering status with the records a and b (may be NULL).
 */
static struct snapshot *domain(const char *sts, enum dns_status status, const char *a,
			       const char *b)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 1);
	const char *const rec[] = { a, b, NULL };

	if (sts != NULL)
		(void)snapfix_sts_active(s, sts);
	else
		snapfix_sts_txt(s, DNS_NXDOMAIN, NULL);
	snapfix_rpt_txt(s, status, rec);
	return s;
}

static struct snapshot *healthy(void)
{
	return domain("testing", DNS_OK, RPT_OK, NULL);
}

static struct snapshot *missing_testing(void)
{
	return domain("testing", DNS_NXDOMAIN, NULL, NULL);
}

static struct snapshot *missing_enforce(void)
{
	return domain("enforce", DNS_NXDOMAIN, NULL, NULL);
}

static struct snapshot *missing_none(void)
{
	return domain("none", DNS_NODATA, NULL, NULL);
}

static struct snapshot *missing_no_sts(void)
{
	return domain(NULL, DNS_NXDOMAIN, NULL, NULL);
}

/* MTA-STS not gathered: whether "testing" runs blind cannot be told, so nothing is said. */
static struct snapshot *missing_sts_not_gathered(void)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 1);

	snapfix_rpt_txt(s, DNS_NXDOMAIN, NULL);
	return s;
}

/* "testing" whose policy senders cannot fetch: no policy applies, RPT-CHK-01 does not either. */
static struct snapshot *missing_testing_404(void)
{
	struct snapshot *s = missing_testing();

	s->policy.status = 404;
	return s;
}

/* RPT-TXT-02: a TXT record not beginning with v=TLSRPTv1 is discarded; none remains. */
static struct snapshot *other_txt_testing(void)
{
	return domain("testing", DNS_OK, "v=spf1 -all", NULL);
}

static struct snapshot *multiple(void)
{
	return domain("enforce", DNS_OK, RPT_OK, "v=TLSRPTv1; rua=mailto:other@" DOMAIN);
}

static struct snapshot *no_scheme(void)
{
	return domain("enforce", DNS_OK, "v=TLSRPTv1; rua=tlsrpt@" DOMAIN, NULL);
}

static struct snapshot *no_usable_rua(void)
{
	return domain("enforce", DNS_OK, "v=TLSRPTv1; rua=http://reports." DOMAIN "/tlsrpt", NULL);
}

static struct snapshot *no_rua(void)
{
	return domain("enforce", DNS_OK, "v=TLSRPTv1; ruf=mailto:tlsrpt@" DOMAIN, NULL);
}

static struct snapshot *two_rua_fields(void)
{
	return domain("enforce", DNS_OK,
		      "v=TLSRPTv1; rua=mailto:a@" DOMAIN "; rua=https://reports." DOMAIN "/r",
		      NULL);
}

static struct snapshot *lookup_servfail(void)
{
	return domain("testing", DNS_SERVFAIL, NULL, NULL);
}

static struct snapshot *lookup_timeout(void)
{
	return domain("testing", DNS_TIMEOUT, NULL, NULL);
}

static struct snapshot *not_looked_up(void)
{
	return snapfix_healthy(DOMAIN, 1);
}

static struct snapshot *unknown(void)
{
	struct snapshot *s = multiple();

	s->unknown_reason = strdup("the resolver 127.0.0.53 does not answer");
	return s;
}

/* --- the table ------------------------------------------------------------------------------ */

static const struct rpt_case cases[] = {
	{ "RPT-TXT-05 healthy record: no findings", healthy, 0, NULL, 0, NULL, NULL, NULL },
	{ "RPT-CHK-01 STS-MODE-02 testing without a record: rpt.missing WARNING", missing_testing,
	  1, "rpt.missing", SEVERITY_WARNING, "RPT-CHK-01", "runs MTA-STS in testing",
	  "v=TLSRPTv1; rua=mailto:" },
	{ "RPT-CHK-01 testing, only a non-TLSRPTv1 TXT record: rpt.missing WARNING",
	  other_txt_testing, 1, "rpt.missing", SEVERITY_WARNING, "RPT-CHK-01", NULL, NULL },
	{ "RPT-CHK-01 enforce without a record: no findings", missing_enforce, 0, NULL, 0, NULL,
	  NULL, NULL },
	{ "RPT-CHK-01 mode none without a record: no findings", missing_none, 0, NULL, 0, NULL,
	  NULL, NULL },
	{ "RPT-CHK-01 no MTA-STS, no record: no findings", missing_no_sts, 0, NULL, 0, NULL, NULL,
	  NULL },
	{ "RPT-CHK-01 MTA-STS not gathered, no record: no findings", missing_sts_not_gathered, 0,
	  NULL, 0, NULL, NULL, NULL },
	{ "RPT-CHK-01 STS-FETCH-05 testing policy not fetchable: no findings", missing_testing_404,
	  0, NULL, 0, NULL, NULL, NULL },
	{ "RPT-TXT-02 two TLSRPTv1 records: rpt.txt.multiple WARNING", multiple, 1,
	  "rpt.txt.multiple", SEVERITY_WARNING, "RPT-TXT-02", "has 2 v=TLSRPTv1 records",
	  "senders ignore TLS-RPT" },
	{ "RPT-TXT-06 rua without a scheme: rpt.txt.invalid WARNING", no_scheme, 1,
	  "rpt.txt.invalid", SEVERITY_WARNING, "RPT-TXT-06", "tlsrpt@" DOMAIN,
	  "senders send no TLS reports" },
	{ "RPT-TXT-07 only an http: rua: rpt.txt.invalid WARNING", no_usable_rua, 1,
	  "rpt.txt.invalid", SEVERITY_WARNING, "RPT-TXT-07", "no rua is a usable",
	  "senders send no TLS reports" },
	{ "RPT-TXT-05 no rua field: rpt.txt.invalid WARNING", no_rua, 1, "rpt.txt.invalid",
	  SEVERITY_WARNING, "RPT-TXT-05", "rua field is missing", NULL },
	{ "RPT-TXT-09 two rua fields: rpt.txt.syntax WARNING", two_rua_fields, 1, "rpt.txt.syntax",
	  SEVERITY_WARNING, "RPT-TXT-09", "_smtp._tls." DOMAIN, "several rua fields" },
	{ "RPT-TXT-01 _smtp._tls SERVFAIL: rpt.txt.lookup WARNING", lookup_servfail, 1,
	  "rpt.txt.lookup", SEVERITY_WARNING, "RPT-TXT-01", "(servfail)", NULL },
	{ "RPT-TXT-01 _smtp._tls timeout: rpt.txt.lookup UNKNOWN", lookup_timeout, 1,
	  "rpt.txt.lookup", SEVERITY_UNKNOWN, "RPT-TXT-01", "(timeout)", NULL },
	{ "RPT-TXT-01 _smtp._tls not looked up: no findings", not_looked_up, 0, NULL, 0, NULL, NULL,
	  NULL },
	{ "DESIGN unknown_reason: check.unknown only", unknown, 1, "check.unknown",
	  SEVERITY_UNKNOWN, NULL, "127.0.0.53", NULL },
};

static void run_case(void **state)
{
	const struct rpt_case *c = *state;
	struct snapshot *s = c->build();
	struct findings out = { 0 };
	const struct finding *f;

	assert_int_equal(check_tls_rpt.evaluate(s, NULL, NULL, &out), 0);
	if (out.n != c->n_findings) {
		size_t i;

		for (i = 0; i < out.n; i++)
			print_message("# unexpected: %s %s %s\n", out.v[i].code,
				      severity_name(out.v[i].severity), out.v[i].message);
	}
	assert_int_equal(out.n, c->n_findings);
	if (c->code != NULL) {
		/* no RFC 8460 result type is about the record */
		f = snapfix_expect(&out, "tls_rpt", c->code, c->severity, c->req, NULL, c->msg,
				   c->msg2);
		assert_string_equal(f->domain, DOMAIN);
		assert_null(f->mx);
	}
	findings_clear(&out);
	(void)snapshot_free(s);
}

/* The plugin's shape: the MTA-STS facts are needed to tell "testing" (RPT-CHK-01). */
static void test_tls_rpt_plugin(void **state)
{
	(void)state;
	snapfix_expect_plugin(&check_tls_rpt, "tls_rpt",
			      OBS_RPT_TXT | OBS_STS_TXT | OBS_STS_POLICY);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		{ .name = "tls_rpt plugin: needs the _smtp._tls record and the MTA-STS facts",
		  .test_func = test_tls_rpt_plugin },
	};

	return snapfix_run_table("tls_rpt", cases, sizeof(cases) / sizeof(cases[0]),
				 sizeof(cases[0]), run_case, extra,
				 sizeof(extra) / sizeof(extra[0]));
}

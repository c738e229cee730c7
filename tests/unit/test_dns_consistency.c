/*
 * test_dns_consistency.c - the dns_consistency check (checks/dns_consistency.c) on hand-built
 * snapshots.
 *
 * Every case covers MXS-NS-01 (docs/findings.md, "Project rules"): the authoritative servers of
 * the zone, each asked directly, give the same answers. A case builds the views of the
 * servers, evaluates them and compares the findings with what docs/findings.md promises:
 * code, severity, requirement, subject; "extra" asserts the values and message.
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

#include "checks/check.h"
#include "tests/unit/snapfix.h"

extern const struct check check_dns_consistency;

#define STS_OK  "\"v=STSv1; id=20261101T0000\""
#define STS_NS2 "\"v=STSv1; id=20261101T0000ns2\""
#define RPT_OK  "\"v=TLSRPTv1; rua=mailto:tlsrpt@ns-split.test\""
/* A key rolled on ns1 and not on ns2 (the zone transfer stopped). */
#define TLSA_QNAME "_25._tcp.mx1.ns-split.test"
#define TLSA_NEW   "3 1 1 2f28c4f4e0d8dbc7d0e5b0a0b1a2c3d4e5f60718293a4b5c6d7e8f9000112233"
#define TLSA_OLD   "3 1 1 a1b2c3d4e5f60718293a4b5c6d7e8f90001122332f28c4f4e0d8dbc7d0e5b0a0"

struct ns_case {
	const char *name;                /* test name, citing the rule */
	struct snapshot *(*build)(void); /* the snapshot of the case */
	size_t n_findings;               /* how many findings in all */
	const char *code;                /* the finding to look at, or NULL */
	size_t n_code;                   /* how many findings with that code */
	enum severity severity;
	const char *req;     /* expected requirement ID, or NULL */
	const char *address; /* expected subject address, or NULL for the domain */
	void (*extra)(const struct finding *f);
};

/* --- snapshots ------------------------------------------------------------------------------ */

/* Drop the records of an answer (before changing its status to one without records). */
static void rrs_none(struct ns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n_rrs; i++)
		free(a->rrs[i]);
	free(a->rrs);
	a->rrs = NULL;
	a->n_rrs = 0;
}

/* One server's answers to the three questions of ns-split.test, AA set. */
static struct ns_view *server(struct snapshot *s, const char *name, const char *address,
			      const char *sts)
{
	const char *const sts_rrs[] = { sts, NULL };
	const char *const rpt_rrs[] = { RPT_OK, NULL };
	const char *const mx_rrs[] = { "20 mx2.ns-split.test", "10 mx1.ns-split.test", NULL };
	struct ns_view *v = snapfix_ns_view(s, name, address);

	(void)snapfix_ns_answer(v, "_mta-sts.ns-split.test", SNAPFIX_TXT, DNS_OK, true, sts_rrs);
	(void)snapfix_ns_answer(v, "_smtp._tls.ns-split.test", SNAPFIX_TXT, DNS_OK, true, rpt_rrs);
	(void)snapfix_ns_answer(v, "ns-split.test", SNAPFIX_MX, DNS_OK, true, mx_rrs);
	return v;
}

static struct snapshot *agree(void)
{
	struct snapshot *s = snapfix_new("ns-split.test");

	(void)server(s, "ns1.test", "127.53.0.10", STS_OK);
	(void)server(s, "ns2.test", "127.53.0.11", STS_OK);
	(void)server(s, "ns2.test", "2001:db8::53", STS_OK);
	return s;
}

/* The same records in another order are the same answer (the gatherer sorts them). */
static struct snapshot *agree_other_order(void)
{
	const char *const mx_rrs[] = { "10 mx1.ns-split.test", "20 mx2.ns-split.test", NULL };
	struct snapshot *s = snapfix_new("ns-split.test");
	struct ns_view *v;

	(void)server(s, "ns1.test", "127.53.0.10", STS_OK);
	v = snapfix_ns_view(s, "ns2.test", "127.53.0.11");
	(void)snapfix_ns_answer(v, "ns-split.test", SNAPFIX_MX, DNS_OK, true, mx_rrs);
	return s;
}

/* lab ns-split.test: ns2.test serves another _mta-sts id. */
static struct snapshot *ns_split(void)
{
	struct snapshot *s = snapfix_new("ns-split.test");

	(void)server(s, "ns1.test", "127.53.0.10", STS_OK);
	(void)server(s, "ns2.test", "127.53.0.11", STS_NS2);
	return s;
}

/* ns2 still serves the TLSA record of the old key for mx1; the other questions agree. */
static struct snapshot *tlsa_split(void)
{
	const char *const new_rrs[] = { TLSA_NEW, NULL };
	const char *const old_rrs[] = { TLSA_OLD, NULL };
	struct snapshot *s = snapfix_new("ns-split.test");

	(void)snapfix_ns_answer(server(s, "ns1.test", "127.53.0.10", STS_OK), TLSA_QNAME,
				SNAPFIX_TLSA, DNS_OK, true, new_rrs);
	(void)snapfix_ns_answer(server(s, "ns2.test", "127.53.0.11", STS_OK), TLSA_QNAME,
				SNAPFIX_TLSA, DNS_OK, true, old_rrs);
	return s;
}

/* ns2 has no _smtp._tls record at all (a forgotten secondary). */
static struct snapshot *one_nxdomain(void)
{
	struct snapshot *s = snapfix_new("ns-split.test");
	struct ns_view *v;

	(void)server(s, "ns1.test", "127.53.0.10", STS_OK);
	(void)server(s, "ns3.test", "192.0.2.53", STS_OK);
	v = server(s, "ns2.test", "127.53.0.11", STS_OK);
	rrs_none(&v->answers[1]);
	v->answers[1].status = DNS_NXDOMAIN;
	return s;
}

/* ns2 does not answer at all: unreachable, and not counted as a different answer. */
static struct snapshot *one_timeout(void)
{
	struct snapshot *s = snapfix_new("ns-split.test");
	struct ns_view *v;

	(void)server(s, "ns1.test", "127.53.0.10", STS_OK);
	v = snapfix_ns_view(s, "ns2.test", "127.53.0.11");
	(void)snapfix_ns_answer(v, "_mta-sts.ns-split.test", SNAPFIX_TXT, DNS_TIMEOUT, false, NULL);
	(void)snapfix_ns_answer(v, "_smtp._tls.ns-split.test", SNAPFIX_TXT, DNS_TIMEOUT, false,
				NULL);
	(void)snapfix_ns_answer(v, "ns-split.test", SNAPFIX_MX, DNS_TIMEOUT, false, NULL);
	return s;
}

/* ns2 answers without the AA bit (a lame delegation: a referral or cached data). */
static struct snapshot *lame(void)
{
	struct snapshot *s = snapfix_new("ns-split.test");

	(void)server(s, "ns2.test", "127.53.0.11", STS_NS2);
	(void)server(s, "ns1.test", "127.53.0.10", STS_OK);
	s->ns_views[0].answers[0].authoritative = false;
	return s;
}

static struct snapshot *no_address(void)
{
	struct snapshot *s = snapfix_new("ns-split.test");

	(void)server(s, "ns1.test", "127.53.0.10", STS_OK);
	(void)snapfix_ns_view(s, "ns9.test", "");
	return s;
}

/* Every server silent: the agent's network, most likely (outbound port 53 blocked). */
static struct snapshot *all_silent(void)
{
	struct snapshot *s = one_timeout();

	s->ns_views[0].answers[0].status = DNS_ERROR;
	s->ns_views[0].answers[1].status = DNS_ERROR;
	s->ns_views[0].answers[2].status = DNS_ERROR;
	rrs_none(&s->ns_views[0].answers[0]);
	rrs_none(&s->ns_views[0].answers[1]);
	rrs_none(&s->ns_views[0].answers[2]);
	return s;
}

static struct snapshot *unknown_reason(void)
{
	struct snapshot *s = ns_split();

	s->unknown_reason = strdup("resolver 127.0.0.1 does not answer");
	return s;
}

static struct snapshot *ns_lookup_timeout(void)
{
	struct snapshot *s = snapfix_new("ns-split.test");

	s->ns_looked_up = true;
	s->ns_status = DNS_TIMEOUT;
	return s;
}

/* Not a zone apex: nothing to compare. */
static struct snapshot *not_apex(void)
{
	struct snapshot *s = snapfix_new("sub.ns-split.test");

	s->ns_looked_up = true;
	s->ns_status = DNS_NODATA;
	return s;
}

/* OBS_NS_VIEWS not gathered: nothing to say. */
static struct snapshot *not_gathered(void)
{
	return snapfix_new("ns-split.test");
}

/*
 * Six servers, five different answers, one of them long: the message is shortened, the values
 * are whole.
 */
#define LONG "; padding=0123456789012345678901234567890123456789012345678901234567890123456789"
static struct snapshot *many(void)
{
	static const char *const ids[] = { "\"v=STSv1; id=1\"", "\"v=STSv1; id=2" LONG "\"",
					   "\"v=STSv1; id=3\"", "\"v=STSv1; id=4\"",
					   "\"v=STSv1; id=5\"", "\"v=STSv1; id=1\"" };
	struct snapshot *s = snapfix_new("ns-split.test");
	char name[32], addr[32];
	size_t i;

	for (i = 0; i < 6; i++) {
		(void)snprintf(name, sizeof(name), "ns%zu.test", i + 1);
		(void)snprintf(addr, sizeof(addr), "192.0.2.%zu", i + 1);
		(void)server(s, name, addr, ids[i]);
	}
	return s;
}

/* --- checks of one finding ------------------------------------------------------------------ */

static void split_values(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "qname"), "_mta-sts.ns-split.test");
	assert_string_equal(snapfix_str(f, "qtype"), "TXT");
	assert_int_equal(snapfix_int(f, "answers_count"), 2);
	assert_int_equal(snapfix_int(f, "servers"), 2);
	assert_non_null(strstr(f->message, "ns1.test (127.53.0.10)"));
	assert_non_null(strstr(f->message, "ns2.test (127.53.0.11)"));
	assert_non_null(strstr(f->message, STS_OK));
	assert_non_null(strstr(f->message, STS_NS2));
	assert_non_null(strstr(f->message, "TXT _mta-sts.ns-split.test"));
	assert_non_null(strstr(snapfix_str(f, "answers"), STS_NS2));
}

static void tlsa_values(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "qname"), TLSA_QNAME);
	assert_string_equal(snapfix_str(f, "qtype"), "TLSA");
	assert_int_equal(snapfix_int(f, "answers_count"), 2);
	assert_int_equal(snapfix_int(f, "servers"), 2);
	assert_non_null(strstr(f->message, "TLSA " TLSA_QNAME));
	assert_non_null(strstr(f->message, "ns1.test (127.53.0.10): " TLSA_NEW));
	assert_non_null(strstr(f->message, "ns2.test (127.53.0.11): " TLSA_OLD));
}

static void nxdomain_values(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "qname"), "_smtp._tls.ns-split.test");
	assert_int_equal(snapfix_int(f, "servers"), 3);
	/* The common answer comes first, with both of its servers. */
	assert_non_null(strstr(f->message, "ns1.test (127.53.0.10), ns3.test (192.0.2.53): " RPT_OK
					   "; ns2.test (127.53.0.11): no such name (NXDOMAIN)"));
}

static void timeout_values(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "ns"), "ns2.test");
	assert_string_equal(snapfix_str(f, "status"), "timeout");
	assert_int_equal(snapfix_int(f, "unanswered"), 3);
	assert_non_null(strstr(f->message, "ns2.test (127.53.0.11)"));
}

static void lame_values(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "status"), "not-authoritative");
	assert_int_equal(snapfix_int(f, "unanswered"), 1);
}

static void no_address_values(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "ns"), "ns9.test");
	assert_string_equal(snapfix_str(f, "status"), "no-address");
	assert_null(f->address);
}

static void unknown_values(const struct finding *f)
{
	assert_non_null(strstr(f->message, "resolver 127.0.0.1 does not answer"));
}

static void silent_values(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "status"), "error");
	assert_non_null(strstr(f->message, "port 53"));
}

static void many_values(const struct finding *f)
{
	assert_int_equal(snapfix_int(f, "answers_count"), 5);
	assert_int_equal(snapfix_int(f, "servers"), 6);
	/* The shared answer first; four answers shown, the fifth counted. */
	assert_non_null(strstr(f->message, "ns1.test (192.0.2.1), ns6.test (192.0.2.6): "));
	assert_non_null(strstr(f->message, "; and 1 more answer;"));
	assert_null(strstr(f->message, "id=5"));
	assert_non_null(strstr(snapfix_str(f, "answers"), "id=5"));
	/* An answer is cut after 80 characters in the message only. */
	assert_non_null(strstr(f->message, "\"v=STSv1; id=2; padding=0123456789"));
	assert_non_null(strstr(f->message, "...;"));
	assert_null(strstr(f->message, LONG "\""));
	assert_non_null(strstr(snapfix_str(f, "answers"), LONG "\""));
}

/* --- the table ------------------------------------------------------------------------------ */

static const struct ns_case cases[] = {
	{ "MXS-NS-01: all servers agree", agree, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "MXS-NS-01: records in another order are the same answer", agree_other_order, 0, NULL, 0,
	  0, NULL, NULL, NULL },
	{ "MXS-NS-01: lab ns-split.test, one server differs on _mta-sts TXT", ns_split, 1,
	  "dns.inconsistent", 1, SEVERITY_WARNING, "MXS-NS-01", NULL, split_values },
	{ "MXS-NS-01: one server serves another TLSA record for an MX host", tlsa_split, 1,
	  "dns.inconsistent", 1, SEVERITY_WARNING, "MXS-NS-01", NULL, tlsa_values },
	{ "MXS-NS-01: one server NXDOMAIN, the others OK", one_nxdomain, 1, "dns.inconsistent", 1,
	  SEVERITY_WARNING, "MXS-NS-01", NULL, nxdomain_values },
	{ "MXS-NS-01: one server times out", one_timeout, 1, "dns.ns-unreachable", 1,
	  SEVERITY_WARNING, "MXS-NS-01", "127.53.0.11", timeout_values },
	{ "MXS-NS-01: a lame server (no AA) is not compared", lame, 1, "dns.ns-unreachable", 1,
	  SEVERITY_WARNING, "MXS-NS-01", "127.53.0.11", lame_values },
	{ "MXS-NS-01: an NS host without address", no_address, 1, "dns.ns-unreachable", 1,
	  SEVERITY_WARNING, "MXS-NS-01", NULL, no_address_values },
	{ "MXS-NS-01: five answers from six servers, shortened", many, 1, "dns.inconsistent", 1,
	  SEVERITY_WARNING, "MXS-NS-01", NULL, many_values },
	{ "unknown_reason: one check.unknown, nothing else", unknown_reason, 1, "check.unknown", 1,
	  SEVERITY_UNKNOWN, NULL, NULL, unknown_values },
	{ "no server answers at all: UNKNOWN, not the zone's fault", all_silent, 1, "check.unknown",
	  1, SEVERITY_UNKNOWN, NULL, NULL, silent_values },
	{ "the NS lookup timed out: UNKNOWN", ns_lookup_timeout, 1, "check.unknown", 1,
	  SEVERITY_UNKNOWN, NULL, NULL, NULL },
	{ "not a zone apex (NS NODATA): nothing", not_apex, 0, NULL, 0, 0, NULL, NULL, NULL },
	{ "views not gathered: nothing", not_gathered, 0, NULL, 0, 0, NULL, NULL, NULL },
};

static void run_case(void **state)
{
	const struct ns_case *c = *state;
	struct findings out = { 0 };
	struct snapshot *s = c->build();
	const struct finding *f;
	size_t i;

	assert_int_equal(check_dns_consistency.evaluate(s, NULL, NULL, &out), 0);
	for (i = 0; i < out.n; i++) {
		assert_string_equal(out.v[i].check, "dns_consistency");
		assert_string_equal(out.v[i].domain, s->domain);
		assert_non_null(out.v[i].message);
		assert_null(strchr(out.v[i].message, '\n')); /* one line */
	}
	assert_int_equal(out.n, c->n_findings);
	if (c->code != NULL) {
		assert_int_equal(snapfix_count(&out, c->code), c->n_code);
		f = snapfix_find(&out, c->code);
		assert_non_null(f);
		assert_int_equal(f->severity, c->severity);
		if (c->req != NULL)
			assert_string_equal(f->req, c->req);
		else
			assert_null(f->req);
		if (c->address != NULL)
			assert_string_equal(f->address, c->address);
		assert_null(f->mx);
		if (c->extra != NULL)
			c->extra(f);
	}
	findings_clear(&out);
	(void)snapshot_free(s);
}

/* The plugin's shape: what the gatherer must collect, a configure() that accepts anything. */
static void test_dns_consistency_plugin(void **state)
{
	(void)state;
	snapfix_expect_plugin(&check_dns_consistency, "dns_consistency", OBS_NS_VIEWS);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		{ .name = "dns_consistency plugin: needs NS views",
		  .test_func = test_dns_consistency_plugin },
	};

	return snapfix_run_table("dns_consistency", cases, sizeof(cases) / sizeof(cases[0]),
				 sizeof(cases[0]), run_case, extra,
				 sizeof(extra) / sizeof(extra[0]));
}

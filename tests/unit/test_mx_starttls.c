/*
 * test_mx_starttls.c - the mx_starttls check (checks/mx_starttls.c) on hand-built snapshots.
 *
 * One case per finding code and per lab scenario of the STARTTLS kind (tests/lab/README.md);
 * each case names the requirement it covers. A case builds a snapshot, evaluates it and compares
 * the findings with what docs/findings.md promises: code, severity, requirement, RFC 8460 result
 * type, subject; "extra" asserts the values and message of the finding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <openssl/x509_vfy.h>

#include "checks/check.h"
#include "tests/unit/snapfix.h"

extern const struct check check_mx_starttls;

struct mx_case {
	const char *name;                /* test name, citing the spec ID */
	struct snapshot *(*build)(void); /* the snapshot of the case */
	size_t n_findings;               /* how many findings in all */
	const char *code;                /* the finding to look at, or NULL */
	enum severity severity;
	const char *req;         /* expected requirement ID, or NULL */
	const char *result_type; /* expected RFC 8460 result type, or NULL */
	const char *mx;          /* expected subject MX, or NULL */
	const char *alg;         /* expected subject algorithm, or NULL */
	void (*extra)(const struct finding *f);
};

/* --- snapshots ------------------------------------------------------------------------------ */

static struct snapshot *healthy(void)
{
	return snapfix_healthy("healthy.test", 2);
}

/* lab healthy.test: mx1 on IPv4 and IPv6, mx2 on a *.healthy.test wildcard certificate. */
static struct snapshot *healthy_lab(void)
{
	const char *const wild[] = { "*.healthy.test", NULL };
	struct snapshot *s = snapfix_healthy("healthy.test", 2);
	struct smtp_probe *p;
	struct mx_address *a;

	a = snapfix_addr(&s->mx[0], AF_INET6, "fd6d:7873::1:1");
	(void)snapfix_good_probe(a, PROBE_ALG_ANY, "mx1.healthy.test", KEY_TYPE_EC,
				 80 * SNAPFIX_DAY);
	p = &snapfix_at(s, 1, 0)->probes[0];
	free(p->chain[0]->san[0]);
	p->chain[0]->san[0] = strdup(wild[0]);
	/* A restricted probe the server has no certificate for is no fault. */
	(void)snapfix_probe(snapfix_at(s, 1, 0), PROBE_ALG_RSA, PROBE_NO_ALGORITHM, STAGE_HANDSHAKE,
			    "no RSA certificate");
	return s;
}

/* A domain with one MX whose only session is replaced by one with the given outcome. */
static struct snapshot *one_mx(enum probe_outcome o, enum probe_stage st, const char *detail,
			       int reply)
{
	struct snapshot *s = snapfix_new("example.test");
	struct mx_address *a =
	    snapfix_addr(snapfix_mx(s, "mx1.example.test", 10), AF_INET, "192.0.2.1");
	struct smtp_probe *p = snapfix_probe(a, PROBE_ALG_ANY, o, st, detail);

	p->reply_code = reply;
	return s;
}

/* Healthy two-MX domain whose mx2 session is replaced by one with the given outcome. */
static struct snapshot *second_mx(enum probe_outcome o, enum probe_stage st, const char *detail)
{
	struct snapshot *s = snapfix_healthy("example.test", 2);
	struct mx_address *a = snapfix_at(s, 1, 0);

	snapfix_reset_probes(a);
	(void)snapfix_probe(a, PROBE_ALG_ANY, o, st, detail);
	return s;
}

static struct snapshot *no_starttls(void)
{
	return one_mx(PROBE_NO_STARTTLS, STAGE_EHLO, "EHLO did not list STARTTLS", 250);
}

static struct snapshot *starttls_454(void)
{
	return one_mx(PROBE_REJECTED, STAGE_STARTTLS, "454 4.7.0 TLS not available", 454);
}

static struct snapshot *handshake_failed(void)
{
	return one_mx(PROBE_TLS_FAILED, STAGE_HANDSHAKE, "no protocols available", 0);
}

/* lab tls-legacy.test: mx2 only does TLS 1.0. */
static struct snapshot *tls_legacy(void)
{
	struct snapshot *s = snapfix_healthy("tls-legacy.test", 2);

	snapfix_tls(&snapfix_at(s, 1, 0)->probes[0], 0x0301, 30);
	return s;
}

static struct snapshot *tls_1_1(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);

	snapfix_tls(&snapfix_at(s, 0, 0)->probes[0], 0x0302, 30);
	return s;
}

static struct snapshot *tls_1_2(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);

	snapfix_tls(&snapfix_at(s, 0, 0)->probes[0], 0x0303, 30);
	return s;
}

/* lab cert-selfsigned.test. */
static struct snapshot *selfsigned(void)
{
	struct snapshot *s = snapfix_healthy("cert-selfsigned.test", 1);

	snapfix_verdict(&snapfix_at(s, 0, 0)->probes[0].verify_now,
			X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate", 0);
	return s;
}

static struct snapshot *missing_intermediate(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);

	snapfix_verdict(&snapfix_at(s, 0, 0)->probes[0].verify_now,
			X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
			"unable to get local issuer certificate", 0);
	return s;
}

/* An expired chain is cert_expiry's: nothing here (no double report). */
static struct snapshot *expired_chain(void)
{
	struct snapshot *s = snapfix_healthy("cert-expired.test", 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];

	p->chain[0]->not_after = SNAPFIX_NOW - 5 * SNAPFIX_DAY;
	snapfix_verdict(&p->verify_now, X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired", 0);
	return s;
}

static struct snapshot *not_yet_valid_chain(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);

	snapfix_verdict(&snapfix_at(s, 0, 0)->probes[0].verify_now, X509_V_ERR_CERT_NOT_YET_VALID,
			"certificate is not yet valid", 0);
	return s;
}

/* Replace the leaf names of the first session of MX i. */
static void set_names(struct snapshot *s, size_t i, const char *cn, const char *san)
{
	struct certinfo *leaf = snapfix_at(s, i, 0)->probes[0].chain[0];

	free(leaf->cn);
	leaf->cn = cn != NULL ? strdup(cn) : NULL;
	free(leaf->san[0]);
	leaf->san[0] = san != NULL ? strdup(san) : NULL;
}

/* lab cert-wrongname.test. */
static struct snapshot *wrongname(void)
{
	struct snapshot *s = snapfix_healthy("cert-wrongname.test", 1);

	set_names(s, 0, "mx.elsewhere.test", "mx.elsewhere.test");
	return s;
}

/*
 * cert-wrongname.test under an MTA-STS policy of mode ("enforce", "testing", "none"), without
 * one (NULL: no _mta-sts record), or with its _mta-sts lookup failing (""): the mode grades the
 * TLS fault (STS-MODE-01/02/03).
 */
static struct snapshot *wrongname_sts(const char *mode)
{
	struct snapshot *s = wrongname();

	if (mode == NULL)
		snapfix_sts_txt(s, DNS_NXDOMAIN, NULL);
	else if (*mode == '\0')
		snapfix_sts_txt(s, DNS_TIMEOUT, NULL);
	else
		(void)snapfix_sts_active(s, mode);
	return s;
}

static struct snapshot *wrongname_enforce(void)
{
	return wrongname_sts("enforce");
}

static struct snapshot *wrongname_testing(void)
{
	return wrongname_sts("testing");
}

static struct snapshot *wrongname_mode_none(void)
{
	return wrongname_sts("none");
}

static struct snapshot *wrongname_no_policy(void)
{
	return wrongname_sts(NULL);
}

static struct snapshot *wrongname_sts_unknown(void)
{
	return wrongname_sts("");
}

/* A record, but the policy cannot be fetched: senders have no policy to enforce. */
static struct snapshot *wrongname_policy_404(void)
{
	struct snapshot *s = wrongname_sts("enforce");

	s->policy.status = 404;
	return s;
}

/* lab wildcard-deep.test: MX mx.in.wildcard-deep.test, certificate *.wildcard-deep.test. */
static struct snapshot *wildcard_deep(void)
{
	struct snapshot *s = snapfix_new("wildcard-deep.test");
	struct mx_address *a =
	    snapfix_addr(snapfix_mx(s, "mx.in.wildcard-deep.test", 10), AF_INET, "192.0.2.1");

	(void)snapfix_good_probe(a, PROBE_ALG_ANY, "*.wildcard-deep.test", KEY_TYPE_EC,
				 80 * SNAPFIX_DAY);
	return s;
}

static struct snapshot *cn_only(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);

	set_names(s, 0, "mx1.example.test", NULL);
	return s;
}

/* lab tarpit.test: mx2 accepts TCP and never greets; mx1 is fine. */
static struct snapshot *tarpit(void)
{
	return second_mx(PROBE_TIMEOUT, STAGE_GREETING, "no greeting within 60 s");
}

static struct snapshot *all_timeout(void)
{
	return one_mx(PROBE_TIMEOUT, STAGE_GREETING, "no greeting within 60 s", 0);
}

static struct snapshot *closed(void)
{
	return second_mx(PROBE_CLOSED, STAGE_EHLO, "connection closed by peer");
}

static struct snapshot *protocol(void)
{
	return second_mx(PROBE_PROTOCOL, STAGE_GREETING, "reply line over 512 octets");
}

static struct snapshot *refused(void)
{
	return one_mx(PROBE_REFUSED, STAGE_CONNECT, "Connection refused", 0);
}

static struct snapshot *rejected_greeting(void)
{
	return second_mx(PROBE_REJECTED, STAGE_GREETING, "554 5.7.1 no service");
}

static struct snapshot *rejected_ehlo(void)
{
	return one_mx(PROBE_REJECTED, STAGE_EHLO, "550 5.7.1 go away", 550);
}

/* mx1 answers on IPv4; IPv6 has no route from the agent. */
static struct snapshot *unreachable(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct mx_address *a = snapfix_addr(&s->mx[0], AF_INET6, "2001:db8::1");

	(void)snapfix_probe(a, PROBE_ALG_ANY, PROBE_UNREACHABLE, STAGE_CONNECT,
			    "Network is unreachable");
	return s;
}

static struct snapshot *local_error(void)
{
	return second_mx(PROBE_LOCAL_ERROR, STAGE_CONNECT, "Too many open files");
}

/* Only the RSA-restricted session times out; default clients get through: WARNING, named RSA. */
static struct snapshot *rsa_timeout(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);

	(void)snapfix_probe(snapfix_at(s, 0, 0), PROBE_ALG_RSA, PROBE_TIMEOUT, STAGE_HANDSHAKE,
			    "handshake took over 60 s");
	return s;
}

/* The session delivered everything but the goodbye: not a fault (lib/snapshot.h, STAGE_QUIT). */
static struct snapshot *quit_timeout(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];

	p->outcome = PROBE_TIMEOUT;
	p->stage = STAGE_QUIT;
	return s;
}

/* lab null-mx.test. */
static struct snapshot *null_mx(void)
{
	struct snapshot *s = snapfix_new("null-mx.test");

	s->null_mx = true;
	return s;
}

/* lab no-mx.test: the implicit MX runs a good server. */
static struct snapshot *no_mx(void)
{
	struct snapshot *s = snapfix_new("no-mx.test");
	struct mx_address *a = snapfix_addr(snapfix_mx(s, "no-mx.test", -1), AF_INET, "192.0.2.7");

	s->mx_status = DNS_NODATA;
	(void)snapfix_good_probe(a, PROBE_ALG_ANY, "no-mx.test", KEY_TYPE_EC, 80 * SNAPFIX_DAY);
	return s;
}

static struct snapshot *nxdomain(void)
{
	struct snapshot *s = snapfix_new("gone.test");

	s->mx_status = DNS_NXDOMAIN;
	return s;
}

static struct snapshot *servfail(void)
{
	struct snapshot *s = snapfix_new("dnssec-bogus.test");

	s->mx_status = DNS_SERVFAIL;
	return s;
}

static struct snapshot *mx_timeout(void)
{
	struct snapshot *s = snapfix_new("example.test");

	s->mx_status = DNS_TIMEOUT;
	return s;
}

static struct snapshot *no_address_second(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct mx_host *h = snapfix_mx(s, "mx2.example.test", 20);

	h->a_status = DNS_NXDOMAIN;
	h->aaaa_status = DNS_NXDOMAIN;
	return s;
}

static struct snapshot *no_address_only(void)
{
	struct snapshot *s = snapfix_new("example.test");
	struct mx_host *h = snapfix_mx(s, "mx1.example.test", 10);

	h->a_status = DNS_NODATA;
	h->aaaa_status = DNS_NODATA;
	return s;
}

static struct snapshot *no_address_resolver(void)
{
	struct snapshot *s = snapfix_new("example.test");
	struct mx_host *h = snapfix_mx(s, "mx1.example.test", 10);

	h->a_status = DNS_TIMEOUT;
	h->aaaa_status = DNS_NODATA;
	return s;
}

/* The agent could not tell: one UNKNOWN, nothing blamed, whatever else the snapshot says. */
static struct snapshot *unknown(void)
{
	struct snapshot *s = no_starttls();

	s->unknown_reason = strdup("the resolver 127.0.0.53 does not answer");
	return s;
}

/* The default and the ECDSA session present the same self-signed leaf: one finding. */
static struct snapshot *dedupe_same_leaf(void)
{
	struct snapshot *s = selfsigned();
	struct mx_address *a = snapfix_at(s, 0, 0);
	struct smtp_probe *p;
	size_t i;

	p = snapfix_probe(a, PROBE_ALG_ECDSA, PROBE_OK, STAGE_DONE, NULL);
	snapfix_tls(p, 0x0304, 20);
	for (i = 0; i < a->probes[0].chain_len; i++)
		snapfix_chain_add(p, snapfix_cert_dup(a->probes[0].chain[i]));
	snapfix_verdict(&p->verify_now, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
			"self-signed certificate", 0);
	return s;
}

/* An RSA certificate for another name, seen only by RSA-only clients. */
static struct snapshot *rsa_wrongname(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct smtp_probe *p;

	p = snapfix_good_probe(snapfix_at(s, 0, 0), PROBE_ALG_RSA, "old.example.test", KEY_TYPE_RSA,
			       80 * SNAPFIX_DAY);
	(void)p;
	return s;
}

/* lab cert-dual.test: the expiring RSA certificate is cert_expiry's, nothing here. */
static struct snapshot *cert_dual(void)
{
	struct snapshot *s = snapfix_healthy("cert-dual.test", 1);

	(void)snapfix_good_probe(snapfix_at(s, 0, 0), PROBE_ALG_RSA, "mx1.cert-dual.test",
				 KEY_TYPE_RSA, 3 * SNAPFIX_DAY);
	return s;
}

/* --- extra assertions ----------------------------------------------------------------------- */

static void extra_no_starttls(const struct finding *f)
{
	assert_string_equal(f->address, "192.0.2.1");
	assert_string_equal(snapfix_str(f, "stage"), "ehlo");
	assert_non_null(strstr(f->message, "STARTTLS"));
}

static void extra_454(const struct finding *f)
{
	assert_int_equal(snapfix_int(f, "reply_code"), 454);
	assert_non_null(strstr(f->message, "454 4.7.0"));
}

static void extra_handshake(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "detail"), "no protocols available");
}

static void extra_tls10(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "tls_version"), "TLSv1");
	assert_int_equal(snapfix_int(f, "tls_version_code"), 0x0301);
	assert_string_equal(f->address, "192.0.2.2");
}

static void extra_tls11(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "tls_version"), "TLSv1.1");
}

static void extra_selfsigned(const struct finding *f)
{
	assert_int_equal(snapfix_int(f, "verify_code"), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_int_equal(snapfix_int(f, "depth"), 0);
	assert_non_null(strstr(f->message, "self-signed certificate"));
}

static void extra_intermediate(const struct finding *f)
{
	assert_non_null(strstr(f->message, "unable to get local issuer certificate"));
	assert_non_null(strstr(f->message, "intermediate"));
}

static void extra_wrongname(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "names"), "mx.elsewhere.test");
	assert_string_equal(snapfix_str(f, "host"), "mx1.cert-wrongname.test");
	assert_non_null(strstr(f->message, "mx.elsewhere.test"));
}

static void extra_mode_enforce(const struct finding *f)
{
	assert_non_null(strstr(f->message, "MTA-STS enforce: senders refuse this MX"));
}

static void extra_mode_testing(const struct finding *f)
{
	assert_non_null(strstr(f->message, "would refuse this MX under enforce"));
}

static void extra_mode_no_policy(const struct finding *f)
{
	assert_non_null(strstr(f->message, "no MTA-STS policy in force"));
}

/* Not gathered: the fault is graded as under enforce, without claiming a policy. */
static void extra_mode_not_gathered(const struct finding *f)
{
	assert_null(strstr(f->message, "MTA-STS"));
}

static void extra_wildcard(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "names"), "*.wildcard-deep.test");
	assert_non_null(strstr(f->message, "one label"));
}

static void extra_cn_only(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "names"), "");
	assert_non_null(strstr(f->message, "no DNS names"));
}

static void extra_tarpit(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "stage"), "greeting");
	assert_string_equal(f->address, "192.0.2.2");
}

static void extra_unreachable(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "family"), "IPv6");
	assert_non_null(strstr(f->message, "cannot reach IPv6 addresses"));
}

static void extra_null_mx(const struct finding *f)
{
	assert_non_null(strstr(f->message, "accepts no mail"));
	assert_null(f->mx);
}

static void extra_servfail(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "status"), "servfail");
	assert_non_null(strstr(f->message, "DNSSEC"));
}

static void extra_no_address(const struct finding *f)
{
	assert_string_equal(snapfix_str(f, "a_status"), "nxdomain");
}

static void extra_unknown(const struct finding *f)
{
	assert_non_null(strstr(f->message, "127.0.0.53"));
	assert_string_equal(f->check, "mx_starttls");
}

/* --- the table ------------------------------------------------------------------------------ */

static const struct mx_case cases[] = {
	{ "healthy.test: no findings (OK)", healthy, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "healthy.test lab: IPv6, wildcard mx2, no RSA certificate (STS-CERT-05)", healthy_lab, 0,
	  NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "STS-CERT-01 no-starttls.test: tls.starttls-missing CRITICAL", no_starttls, 1,
	  "tls.starttls-missing", SEVERITY_CRITICAL, "STS-CERT-01", "starttls-not-supported",
	  "mx1.example.test", NULL, extra_no_starttls },
	{ "COMMON-STLS-02 STARTTLS answered 454: tls.starttls-missing", starttls_454, 1,
	  "tls.starttls-missing", SEVERITY_CRITICAL, "COMMON-STLS-02", "starttls-not-supported",
	  "mx1.example.test", NULL, extra_454 },
	{ "STS-CERT-01 handshake failure: tls.handshake-failed", handshake_failed, 1,
	  "tls.handshake-failed", SEVERITY_CRITICAL, "STS-CERT-01", "validation-failure",
	  "mx1.example.test", NULL, extra_handshake },
	{ "STS-CERT-08 tls-legacy.test: mx2 TLS 1.0 is tls.version CRITICAL", tls_legacy, 1,
	  "tls.version", SEVERITY_CRITICAL, "STS-CERT-08", "validation-failure",
	  "mx2.tls-legacy.test", NULL, extra_tls10 },
	{ "STS-CERT-08 TLS 1.1: tls.version", tls_1_1, 1, "tls.version", SEVERITY_CRITICAL,
	  "STS-CERT-08", "validation-failure", "mx1.example.test", NULL, extra_tls11 },
	{ "STS-CERT-08 boundary: TLS 1.2 is fine", tls_1_2, 0, NULL, 0, NULL, NULL, NULL, NULL,
	  NULL },
	{ "STS-CERT-03 cert-selfsigned.test: tls.untrusted CRITICAL", selfsigned, 1,
	  "tls.untrusted", SEVERITY_CRITICAL, "STS-CERT-03", "certificate-not-trusted",
	  "mx1.cert-selfsigned.test", NULL, extra_selfsigned },
	{ "STS-CERT-03 missing intermediate: tls.untrusted", missing_intermediate, 1,
	  "tls.untrusted", SEVERITY_CRITICAL, "STS-CERT-03", "certificate-not-trusted",
	  "mx1.example.test", NULL, extra_intermediate },
	{ "STS-CERT-02 cert-expired.test: left to cert_expiry, not tls.untrusted", expired_chain, 0,
	  NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "COMMON-EXP-01 not yet valid: left to cert_expiry", not_yet_valid_chain, 0, NULL, 0, NULL,
	  NULL, NULL, NULL, NULL },
	{ "STS-CERT-04 cert-wrongname.test: tls.name-mismatch CRITICAL", wrongname, 1,
	  "tls.name-mismatch", SEVERITY_CRITICAL, "STS-CERT-04", "certificate-host-mismatch",
	  "mx1.cert-wrongname.test", NULL, extra_wrongname },
	{ "STS-MODE-01 name mismatch under enforce: tls.name-mismatch CRITICAL", wrongname_enforce,
	  1, "tls.name-mismatch", SEVERITY_CRITICAL, "STS-CERT-04", "certificate-host-mismatch",
	  "mx1.cert-wrongname.test", NULL, extra_mode_enforce },
	{ "STS-MODE-02 name mismatch under testing: tls.name-mismatch WARNING", wrongname_testing,
	  1, "tls.name-mismatch", SEVERITY_WARNING, "STS-CERT-04", "certificate-host-mismatch",
	  "mx1.cert-wrongname.test", NULL, extra_mode_testing },
	{ "STS-MODE-03 name mismatch under mode none: tls.name-mismatch WARNING",
	  wrongname_mode_none, 1, "tls.name-mismatch", SEVERITY_WARNING, "STS-CERT-04",
	  "certificate-host-mismatch", "mx1.cert-wrongname.test", NULL, extra_mode_no_policy },
	{ "STS-TXT-04 name mismatch without MTA-STS: tls.name-mismatch WARNING",
	  wrongname_no_policy, 1, "tls.name-mismatch", SEVERITY_WARNING, "STS-CERT-04",
	  "certificate-host-mismatch", "mx1.cert-wrongname.test", NULL, extra_mode_no_policy },
	{ "STS-FETCH-12 name mismatch, policy not fetchable: tls.name-mismatch WARNING",
	  wrongname_policy_404, 1, "tls.name-mismatch", SEVERITY_WARNING, "STS-CERT-04",
	  "certificate-host-mismatch", "mx1.cert-wrongname.test", NULL, extra_mode_no_policy },
	{ "STS-MODE-01 name mismatch, MTA-STS not gathered: tls.name-mismatch CRITICAL", wrongname,
	  1, "tls.name-mismatch", SEVERITY_CRITICAL, "STS-CERT-04", "certificate-host-mismatch",
	  "mx1.cert-wrongname.test", NULL, extra_mode_not_gathered },
	{ "STS-TXT-01 name mismatch, _mta-sts lookup failed: tls.name-mismatch CRITICAL",
	  wrongname_sts_unknown, 1, "tls.name-mismatch", SEVERITY_CRITICAL, "STS-CERT-04",
	  "certificate-host-mismatch", "mx1.cert-wrongname.test", NULL, extra_mode_not_gathered },
	{ "STS-CERT-05 wildcard-deep.test: one label only, tls.name-mismatch", wildcard_deep, 1,
	  "tls.name-mismatch", SEVERITY_CRITICAL, "STS-CERT-05", "certificate-host-mismatch",
	  "mx.in.wildcard-deep.test", NULL, extra_wildcard },
	{ "STS-CERT-04 CN without SAN does not count: tls.name-mismatch", cn_only, 1,
	  "tls.name-mismatch", SEVERITY_CRITICAL, "STS-CERT-04", "certificate-host-mismatch",
	  "mx1.example.test", NULL, extra_cn_only },
	{ "COMMON-STLS-05 tarpit.test: mx2 timeout is smtp.timeout WARNING", tarpit, 1,
	  "smtp.timeout", SEVERITY_WARNING, "COMMON-STLS-05", NULL, "mx2.example.test", NULL,
	  extra_tarpit },
	{ "COMMON-STLS-05 only MX times out: smtp.timeout CRITICAL", all_timeout, 1, "smtp.timeout",
	  SEVERITY_CRITICAL, "COMMON-STLS-05", NULL, "mx1.example.test", NULL, NULL },
	{ "COMMON-STLS-05 closed by mx2: smtp.closed WARNING", closed, 1, "smtp.closed",
	  SEVERITY_WARNING, "COMMON-STLS-05", NULL, "mx2.example.test", NULL, NULL },
	{ "COMMON-STLS-05 broken SMTP from mx2: smtp.protocol WARNING", protocol, 1,
	  "smtp.protocol", SEVERITY_WARNING, "COMMON-STLS-05", NULL, "mx2.example.test", NULL,
	  NULL },
	{ "COMMON-STLS-05 only MX refuses TCP: smtp.refused CRITICAL", refused, 1, "smtp.refused",
	  SEVERITY_CRITICAL, "COMMON-STLS-05", NULL, "mx1.example.test", NULL, NULL },
	{ "COMMON-STLS-05 mx2 banner 554: smtp.rejected WARNING", rejected_greeting, 1,
	  "smtp.rejected", SEVERITY_WARNING, "COMMON-STLS-05", NULL, "mx2.example.test", NULL,
	  NULL },
	{ "COMMON-STLS-05 EHLO rejected on the only MX: smtp.rejected CRITICAL", rejected_ehlo, 1,
	  "smtp.rejected", SEVERITY_CRITICAL, "COMMON-STLS-05", NULL, "mx1.example.test", NULL,
	  NULL },
	{ "COMMON-STLS-05 no route to IPv6: smtp.unreachable UNKNOWN", unreachable, 1,
	  "smtp.unreachable", SEVERITY_UNKNOWN, "COMMON-STLS-05", NULL, "mx1.example.test", NULL,
	  extra_unreachable },
	{ "agent failure: smtp.local-error UNKNOWN", local_error, 1, "smtp.local-error",
	  SEVERITY_UNKNOWN, NULL, NULL, "mx2.example.test", NULL, NULL },
	{ "COMMON-STLS-05 restricted session times out, default one works: WARNING", rsa_timeout, 1,
	  "smtp.timeout", SEVERITY_WARNING, "COMMON-STLS-05", NULL, "mx1.example.test", "RSA",
	  NULL },
	{ "COMMON-STLS-04 a timeout at QUIT is no fault", quit_timeout, 0, NULL, 0, NULL, NULL,
	  NULL, NULL, NULL },
	{ "RFC7505 null-mx.test: mx.null OK", null_mx, 1, "mx.null", SEVERITY_OK, "RFC7505", NULL,
	  NULL, NULL, extra_null_mx },
	{ "RFC5321-5.1 no-mx.test: mx.implicit OK", no_mx, 1, "mx.implicit", SEVERITY_OK,
	  "RFC5321-5.1", NULL, "no-mx.test", NULL, NULL },
	{ "RFC5321-5.1 NXDOMAIN: dns.nxdomain CRITICAL", nxdomain, 1, "dns.nxdomain",
	  SEVERITY_CRITICAL, "RFC5321-5.1", NULL, NULL, NULL, NULL },
	{ "RFC5321-5.1 MX SERVFAIL: dns.mx-lookup CRITICAL", servfail, 1, "dns.mx-lookup",
	  SEVERITY_CRITICAL, "RFC5321-5.1", NULL, NULL, NULL, extra_servfail },
	{ "MX lookup timeout: dns.mx-lookup UNKNOWN", mx_timeout, 1, "dns.mx-lookup",
	  SEVERITY_UNKNOWN, NULL, NULL, NULL, NULL, NULL },
	{ "RFC5321-5.1 mx2 without address: mx.no-address WARNING", no_address_second, 1,
	  "mx.no-address", SEVERITY_WARNING, "RFC5321-5.1", NULL, "mx2.example.test", NULL,
	  extra_no_address },
	{ "RFC5321-5.1 only MX without address: mx.no-address CRITICAL", no_address_only, 1,
	  "mx.no-address", SEVERITY_CRITICAL, "RFC5321-5.1", NULL, "mx1.example.test", NULL, NULL },
	{ "RFC5321-5.1 address lookup timed out: mx.no-address UNKNOWN", no_address_resolver, 1,
	  "mx.no-address", SEVERITY_UNKNOWN, "RFC5321-5.1", NULL, "mx1.example.test", NULL, NULL },
	{ "DESIGN unknown_reason: check.unknown only", unknown, 1, "check.unknown",
	  SEVERITY_UNKNOWN, NULL, NULL, NULL, NULL, extra_unknown },
	{ "STS-CERT-03 same leaf in two sessions: reported once", dedupe_same_leaf, 1,
	  "tls.untrusted", SEVERITY_CRITICAL, "STS-CERT-03", "certificate-not-trusted",
	  "mx1.cert-selfsigned.test", NULL, NULL },
	{ "STS-CERT-04 RSA-only certificate for another name names RSA", rsa_wrongname, 1,
	  "tls.name-mismatch", SEVERITY_CRITICAL, "STS-CERT-04", "certificate-host-mismatch",
	  "mx1.example.test", "RSA", NULL },
	{ "COMMON-EXP-04 cert-dual.test: expiry is not this check's", cert_dual, 0, NULL, 0, NULL,
	  NULL, NULL, NULL, NULL },
};

static void run_case(void **state)
{
	const struct mx_case *c = *state;
	struct snapshot *s = c->build();
	struct findings out = { 0 };
	const struct finding *f;

	assert_int_equal(check_mx_starttls.evaluate(s, NULL, NULL, &out), 0);
	if (out.n != c->n_findings) {
		size_t i;

		for (i = 0; i < out.n; i++)
			print_message("# unexpected: %s %s %s\n", out.v[i].code,
				      severity_name(out.v[i].severity), out.v[i].message);
	}
	assert_int_equal(out.n, c->n_findings);
	if (c->code != NULL) {
		f = snapfix_expect(&out, "mx_starttls", c->code, c->severity, c->req,
				   c->result_type, NULL, NULL);
		assert_string_equal(f->domain, s->domain);
		if (c->mx != NULL)
			assert_string_equal(f->mx, c->mx);
		if (c->alg != NULL)
			assert_string_equal(f->alg, c->alg);
		else
			assert_null(f->alg);
		if (c->extra != NULL)
			c->extra(f);
	}
	findings_clear(&out);
	(void)snapshot_free(s);
}

/* The plugin's shape: what the gatherer must collect, a configure() that accepts anything. */
static void test_mx_starttls_plugin(void **state)
{
	(void)state;
	snapfix_expect_plugin(&check_mx_starttls, "mx_starttls", OBS_MX | OBS_SMTP);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		{ .name = "mx_starttls plugin: needs MX and SMTP",
		  .test_func = test_mx_starttls_plugin },
	};

	return snapfix_run_table("mx_starttls", cases, sizeof(cases) / sizeof(cases[0]),
				 sizeof(cases[0]), run_case, extra,
				 sizeof(extra) / sizeof(extra[0]));
}

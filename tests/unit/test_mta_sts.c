/*
 * test_mta_sts.c - the mta_sts check (checks/mta_sts.c) on hand-built snapshots.
 *
 * One case per finding code mta_sts emits, and per severity where the code has several; each
 * case names the requirement it covers (shared/spec/mta-sts.md). A case builds a snapshot of
 * example.test (two MX hosts, mx1 and mx2, working TLS), optionally the store's history of the
 * domain, evaluates them and compares the findings with what docs/findings.md promises: code,
 * severity, requirement, RFC 8460 result type, subject, and a part of the message.
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
#include <openssl/x509_vfy.h>

#include "checks/check.h"
#include "lib/history.h"
#include "lib/sts_view.h"
#include "tests/unit/snapfix.h"

extern const struct check check_mta_sts;

#define DOMAIN "example.test"

struct sts_case {
	const char *name;                   /* test name, citing the spec ID */
	struct snapshot *(*build)(void);    /* the snapshot of the case */
	void (*history)(struct history *h); /* the store's history, or NULL: none at all */
	size_t n_findings;                  /* how many findings in all */
	const char *code;                   /* the finding to look at, or NULL */
	enum severity severity;
	const char *req;         /* expected requirement ID, or NULL */
	const char *result_type; /* expected RFC 8460 result type, or NULL */
	const char *mx;          /* expected subject MX, or NULL for the domain */
	const char *msg;         /* a part of the message, or NULL */
	const char *msg2;        /* another part, or NULL */
};

/* --- snapshots ------------------------------------------------------------------------------ */

/* example.test with an MTA-STS policy of the given mode over *.example.test. */
static struct snapshot *with_mode(const char *mode)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 2);

	(void)snapfix_sts_active(s, mode);
	return s;
}

static struct snapshot *enforce(void)
{
	return with_mode("enforce");
}

/* The record of a working deployment; the fetch is the case's. */
static struct snapshot *record_only(void)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 2);
	const char *const rec[] = { "v=STSv1; id=" SNAPFIX_STS_ID, NULL };

	snapfix_sts_txt(s, DNS_OK, rec);
	return s;
}

/* A valid record and a response with the given facts, with a valid chain. */
static struct snapshot *response(long status, const char *content_type, const char *location,
				 const char *body)
{
	const char *const san[] = { "mta-sts." DOMAIN, NULL };
	struct snapshot *s = record_only();

	snapfix_policy_chain(
	    snapfix_policy(s, FETCH_RESPONSE, status, content_type, location, body, NULL), san,
	    X509_V_OK, NULL);
	return s;
}

/* A valid record and a 200 text/plain response carrying body. */
static struct snapshot *policy_body(const char *body)
{
	return response(200, "text/plain", NULL, body);
}

/* A valid record and a fetch that got no response. */
static struct snapshot *no_response(enum fetch_outcome o, const char *detail)
{
	struct snapshot *s = record_only();

	(void)snapfix_policy(s, o, 0, NULL, NULL, NULL, detail);
	return s;
}

/* The records of _mta-sts.example.test are exactly these. */
static struct snapshot *records(const char *a, const char *b)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 2);
	const char *const rec[] = { a, b, NULL };

	snapfix_sts_txt(s, DNS_OK, rec);
	return s;
}

static struct snapshot *not_gathered(void)
{
	return snapfix_healthy(DOMAIN, 2);
}

static struct snapshot *no_sts(void)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 2);

	snapfix_sts_txt(s, DNS_NXDOMAIN, NULL);
	return s;
}

/* STS-TXT-04: records not beginning with v=STSv1 are discarded; none remains. */
static struct snapshot *other_txt(void)
{
	return records("google-site-verification=abc123", NULL);
}

static struct snapshot *multiple(void)
{
	return records("v=STSv1; id=20261101a", "v=STSv1; id=20261101b");
}

static struct snapshot *bad_id(void)
{
	return records("v=STSv1; id=2026-11-01", NULL);
}

static struct snapshot *no_id(void)
{
	return records("v=STSv1; ext=1", NULL);
}

/* STS-TXT-11: a second id is ignored (WARN); the first one is valid, the policy applies. */
static struct snapshot *dup_id(void)
{
	struct snapshot *s = enforce();
	const char *const rec[] = { "v=STSv1; id=" SNAPFIX_STS_ID "; id=20261201T0000", NULL };

	snapfix_sts_txt(s, DNS_OK, rec);
	return s;
}

static struct snapshot *lookup_servfail(void)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 2);

	snapfix_sts_txt(s, DNS_SERVFAIL, NULL);
	return s;
}

static struct snapshot *lookup_timeout(void)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 2);

	snapfix_sts_txt(s, DNS_TIMEOUT, NULL);
	return s;
}

/* The policy host presents a chain for these names with this verdict. */
static struct snapshot *webpki(const char *name, long code, const char *text)
{
	const char *const san[] = { name, NULL };
	struct snapshot *s = enforce();

	snapfix_policy_chain(&s->policy, san, code, text);
	return s;
}

static struct snapshot *tls_no_cert(void)
{
	struct snapshot *s = record_only();
	char *body = snapfix_sts_body(DOMAIN, "enforce");
	struct policy_fetch *pf;

	pf = snapfix_policy(s, FETCH_RESPONSE, 200, "text/plain", NULL, body, NULL);
	/* A response without a recorded chain: drop the one snapfix_policy() gives it. */
	certinfo_array_free(pf->chain, pf->chain_len);
	pf->chain = NULL;
	pf->chain_len = 0;
	free(body);
	return s;
}

static struct snapshot *tls_selfsigned(void)
{
	return webpki("mta-sts." DOMAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
		      "self-signed certificate");
}

static struct snapshot *tls_wrong_name(void)
{
	return webpki("www." DOMAIN, X509_V_OK, NULL);
}

static struct snapshot *tls_wildcard(void)
{
	return webpki("*." DOMAIN, X509_V_OK, NULL);
}

static struct snapshot *tls_partial_wildcard(void)
{
	return webpki("mta*." DOMAIN, X509_V_OK, NULL);
}

static struct snapshot *tls_failed(void)
{
	return no_response(FETCH_TLS_FAILED, "sslv3 alert handshake failure");
}

static struct snapshot *fetch_timeout(void)
{
	return no_response(FETCH_TIMEOUT, "no response within 60 s");
}

static struct snapshot *fetch_too_large(void)
{
	return no_response(FETCH_TOO_LARGE, "body over 65536 bytes");
}

/* A response whose body is over the 64 KiB senders read (STS-FETCH-09), judged as such. */
static struct snapshot *body_too_large(void)
{
	size_t n = 70000;
	char *body = malloc(n + 1);
	struct snapshot *s;

	if (body == NULL)
		abort();
	memset(body, 'x', n);
	body[n] = '\0';
	s = policy_body(body);
	free(body);
	return s;
}

static struct snapshot *fetch_refused(void)
{
	return no_response(FETCH_CONNECT, "Connection refused");
}

static struct snapshot *fetch_local(void)
{
	return no_response(FETCH_LOCAL_ERROR, "Too many open files");
}

static struct snapshot *status_404(void)
{
	return response(404, "text/html", NULL, "<h1>Not Found</h1>");
}

static struct snapshot *redirect(void)
{
	return response(301, "text/html", "https://www." DOMAIN "/mta-sts.txt", "");
}

static struct snapshot *content_html(void)
{
	struct snapshot *s = enforce();

	free(s->policy.content_type);
	s->policy.content_type = strdup("text/html; charset=utf-8");
	return s;
}

static struct snapshot *content_missing(void)
{
	struct snapshot *s = enforce();

	free(s->policy.content_type);
	s->policy.content_type = NULL;
	return s;
}

static struct snapshot *charset_latin1(void)
{
	struct snapshot *s = enforce();

	free(s->policy.content_type);
	s->policy.content_type = strdup("text/plain; charset=iso-8859-1");
	return s;
}

static struct snapshot *bad_mode(void)
{
	return policy_body("version: STSv1\nmode: Enforce\nmx: *." DOMAIN "\nmax_age: 604800\n");
}

static struct snapshot *no_mx_line(void)
{
	return policy_body("version: STSv1\nmode: enforce\nmax_age: 604800\n");
}

static struct snapshot *max_age_over(void)
{
	return policy_body("version: STSv1\nmode: enforce\nmx: *." DOMAIN "\nmax_age: 31557601\n");
}

static struct snapshot *max_age_short(void)
{
	return policy_body("version: STSv1\nmode: enforce\nmx: *." DOMAIN "\nmax_age: 3600\n");
}

/* Mode none: no coverage is judged, even for an MX outside the patterns. */
static struct snapshot *mode_none(void)
{
	return policy_body("version: STSv1\nmode: none\nmx: mx.elsewhere.test\nmax_age: 604800\n");
}

static struct snapshot *mx2_uncovered_enforce(void)
{
	return policy_body("version: STSv1\nmode: enforce\nmx: mx1." DOMAIN "\nmax_age: 604800\n");
}

static struct snapshot *mx2_uncovered_testing(void)
{
	return policy_body("version: STSv1\nmode: testing\nmx: mx1." DOMAIN "\nmax_age: 604800\n");
}

/* The agent could not tell: one UNKNOWN, nothing blamed, whatever else the snapshot says. */
static struct snapshot *unknown(void)
{
	struct snapshot *s = multiple();

	s->unknown_reason = strdup("the resolver 127.0.0.53 does not answer");
	return s;
}

/* --- histories ------------------------------------------------------------------------------ */

/* The digest of the enforce policy of with_mode() (STS-TXT-09 identifies bodies by it). */
static void enforce_digest(char out[65])
{
	char *body = snapfix_sts_body(DOMAIN, "enforce");

	assert_int_equal(sts_view_body_digest((const unsigned char *)body, strlen(body), out), 0);
	free(body);
}

/* Append a policy the store saw; mx is one pattern or NULL for none. */
static void seen(struct history *h, const char *id, const char *digest, const char *mode,
		 long max_age, time_t last_seen, const char *mx)
{
	struct policy_seen *p;

	p = realloc(h->policies, (h->n_policies + 1) * sizeof(*p));
	if (p == NULL)
		abort();
	h->policies = p;
	p = &h->policies[h->n_policies++];
	memset(p, 0, sizeof(*p));
	p->id = strdup(id);
	(void)snprintf(p->digest, sizeof(p->digest), "%s", digest);
	p->mode = mode != NULL ? strdup(mode) : NULL;
	p->max_age = max_age;
	p->mx = calloc(2, sizeof(*p->mx));
	if (p->id == NULL || p->mx == NULL)
		abort();
	p->mx[0] = mx != NULL ? strdup(mx) : NULL;
	p->first_seen = last_seen - 30 * SNAPFIX_DAY;
	p->last_seen = last_seen;
	h->available = true;
	h->sts_txt_seen = true;
	h->sts_txt_last_seen = last_seen;
}

/* The store saw today's policy, under today's id, yesterday: nothing new. */
static void hist_same(struct history *h)
{
	char d[65];

	enforce_digest(d);
	seen(h, SNAPFIX_STS_ID, d, "enforce", 604800, SNAPFIX_NOW - SNAPFIX_DAY, "*." DOMAIN);
}

/* Yesterday another body was served under today's id, for a week of caching. */
static void hist_other_body(struct history *h)
{
	seen(h, SNAPFIX_STS_ID, "0000000000000000000000000000000000000000000000000000000000000000",
	     "enforce", 604800, SNAPFIX_NOW - SNAPFIX_DAY, "*." DOMAIN);
}

/* Today's body was served yesterday under an older id. */
static void hist_old_id(struct history *h)
{
	char d[65];

	enforce_digest(d);
	seen(h, "20261001T0000", d, "enforce", 604800, SNAPFIX_NOW - SNAPFIX_DAY, "*." DOMAIN);
}

/* A policy was in force two days ago; the record has gone since. */
static void hist_removed(struct history *h)
{
	hist_other_body(h);
	h->sts_txt_last_seen = SNAPFIX_NOW - 2 * SNAPFIX_DAY;
}

/* What hist_other_body() says, but the store could not be read. */
static void hist_unavailable(struct history *h)
{
	hist_other_body(h);
	h->available = false;
	h->unavailable_reason = strdup("no state directory configured");
}

/*
 * An older enforce policy allowed only mx1; senders that fetched it yesterday keep it for a
 * week (STS-CACHE-01).
 */
static void hist_cached_mx1(struct history *h)
{
	seen(h, "20261001T0000", "1111111111111111111111111111111111111111111111111111111111111111",
	     "enforce", 604800, SNAPFIX_NOW - SNAPFIX_DAY, "mx1." DOMAIN);
}

/* The same policy, last seen eight days ago: no sender caches it any more. */
static void hist_cached_mx1_expired(struct history *h)
{
	seen(h, "20261001T0000", "1111111111111111111111111111111111111111111111111111111111111111",
	     "enforce", 604800, SNAPFIX_NOW - 8 * SNAPFIX_DAY, "mx1." DOMAIN);
}

/* --- the table ------------------------------------------------------------------------------ */

static const struct sts_case cases[] = {
	{ "STS-MODE-01 healthy enforce domain: no findings", enforce, NULL, 0, NULL, 0, NULL, NULL,
	  NULL, NULL, NULL },
	{ "STS-TXT-09 same id and body as the store saw: no findings", enforce, hist_same, 0, NULL,
	  0, NULL, NULL, NULL, NULL, NULL },
	{ "STS-TXT-04 no _mta-sts record: no findings", no_sts, NULL, 0, NULL, 0, NULL, NULL, NULL,
	  NULL, NULL },
	{ "STS-TXT-04 only non-STSv1 TXT records: no findings", other_txt, NULL, 0, NULL, 0, NULL,
	  NULL, NULL, NULL, NULL },
	{ "STS-TXT-01 _mta-sts not looked up: no findings", not_gathered, NULL, 0, NULL, 0, NULL,
	  NULL, NULL, NULL, NULL },
	{ "STS-TXT-04 two STSv1 records: sts.txt.multiple CRITICAL", multiple, NULL, 1,
	  "sts.txt.multiple", SEVERITY_CRITICAL, "STS-TXT-04", NULL, NULL, "has 2 v=STSv1 records",
	  "senders ignore MTA-STS" },
	{ "STS-TXT-08 id with '-': sts.txt.invalid CRITICAL", bad_id, NULL, 1, "sts.txt.invalid",
	  SEVERITY_CRITICAL, "STS-TXT-08", NULL, NULL, "is not a valid MTA-STS record",
	  "2026-11-01" },
	{ "STS-TXT-08 no id field: sts.txt.invalid CRITICAL", no_id, NULL, 1, "sts.txt.invalid",
	  SEVERITY_CRITICAL, "STS-TXT-08", NULL, NULL, "as having no policy", NULL },
	{ "STS-TXT-11 duplicate id: sts.txt.syntax WARNING, policy still applies", dup_id, NULL, 1,
	  "sts.txt.syntax", SEVERITY_WARNING, "STS-TXT-11", NULL, NULL, "_mta-sts." DOMAIN,
	  "20261201T0000" },
	{ "STS-TXT-01 _mta-sts SERVFAIL: sts.txt.lookup WARNING", lookup_servfail, NULL, 1,
	  "sts.txt.lookup", SEVERITY_WARNING, "STS-TXT-01", NULL, NULL, "(servfail)",
	  "cannot discover a policy" },
	{ "STS-TXT-01 _mta-sts timeout: sts.txt.lookup UNKNOWN", lookup_timeout, NULL, 1,
	  "sts.txt.lookup", SEVERITY_UNKNOWN, "STS-TXT-01", NULL, NULL, "(timeout)", NULL },
	{ "STS-TXT-14 record gone, policy seen before: sts.txt.removed until last seen + max_age",
	  no_sts, hist_removed, 1, "sts.txt.removed", SEVERITY_WARNING, "STS-TXT-14", NULL, NULL,
	  "until 2026-11-07T00:00:00Z", "mode: none" },
	{ "STS-FETCH-02 policy host presents no certificate: sts.policy.tls CRITICAL", tls_no_cert,
	  NULL, 1, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", "sts-webpki-invalid", NULL,
	  "mta-sts." DOMAIN " presented no certificate", NULL },
	{ "STS-FETCH-02 self-signed policy host: sts.policy.tls CRITICAL", tls_selfsigned, NULL, 1,
	  "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", "sts-webpki-invalid", NULL,
	  "does not validate (self-signed certificate)", NULL },
	{ "STS-FETCH-02 certificate for another name: sts.policy.tls CRITICAL", tls_wrong_name,
	  NULL, 1, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", "sts-webpki-invalid", NULL,
	  "is not valid for that name", "subjectAltName includes mta-sts." DOMAIN },
	{ "STS-FETCH-03 *.example.test covers mta-sts.example.test: no findings", tls_wildcard,
	  NULL, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "STS-FETCH-03 partial-label wildcard mta*: sts.policy.tls CRITICAL", tls_partial_wildcard,
	  NULL, 1, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", "sts-webpki-invalid", NULL,
	  "is not valid for that name", NULL },
	{ "STS-FETCH-02 TLS with the policy host failed: sts.policy.tls CRITICAL", tls_failed, NULL,
	  1, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", "sts-webpki-invalid", NULL,
	  "TLS with the policy host failed (sslv3 alert handshake failure)", NULL },
	{ "STS-FETCH-09 fetch timed out: sts.policy.timeout CRITICAL", fetch_timeout, NULL, 1,
	  "sts.policy.timeout", SEVERITY_CRITICAL, "STS-FETCH-09", "sts-policy-fetch-error", NULL,
	  "timed out (no response within 60 s)", "https://mta-sts." DOMAIN "/.well-known/" },
	{ "STS-FETCH-09 body over 64 KiB while fetching: sts.policy.too-large CRITICAL",
	  fetch_too_large, NULL, 1, "sts.policy.too-large", SEVERITY_CRITICAL, "STS-FETCH-09",
	  "sts-policy-fetch-error", NULL, "larger than 64 KiB", NULL },
	{ "STS-FETCH-09 response of 70000 bytes: sts.policy.too-large CRITICAL", body_too_large,
	  NULL, 1, "sts.policy.too-large", SEVERITY_CRITICAL, "STS-FETCH-09",
	  "sts-policy-fetch-error", NULL, "70000 bytes", NULL },
	{ "STS-FETCH-12 policy host refuses TCP: sts.policy.unreachable CRITICAL", fetch_refused,
	  NULL, 1, "sts.policy.unreachable", SEVERITY_CRITICAL, "STS-FETCH-12",
	  "sts-policy-fetch-error", NULL, "(Connection refused)",
	  "as if the domain had no policy" },
	{ "agent failure while fetching: sts.policy.fetch UNKNOWN", fetch_local, NULL, 1,
	  "sts.policy.fetch", SEVERITY_UNKNOWN, NULL, NULL, NULL, "Too many open files", NULL },
	{ "STS-FETCH-05 HTTP 404: sts.policy.status CRITICAL", status_404, NULL, 1,
	  "sts.policy.status", SEVERITY_CRITICAL, "STS-FETCH-05", "sts-policy-fetch-error", NULL,
	  "HTTP status 404", NULL },
	{ "STS-FETCH-06 HTTP 301: sts.policy.redirect CRITICAL", redirect, NULL, 1,
	  "sts.policy.redirect", SEVERITY_CRITICAL, "STS-FETCH-06", "sts-policy-fetch-error", NULL,
	  "https://www." DOMAIN "/mta-sts.txt", "do not follow redirects" },
	{ "STS-FETCH-08 text/html: sts.policy.content-type CRITICAL", content_html, NULL, 1,
	  "sts.policy.content-type", SEVERITY_CRITICAL, "STS-FETCH-08", "sts-policy-fetch-error",
	  NULL, "not text/plain", NULL },
	{ "STS-FETCH-08 no Content-Type: sts.policy.content-type CRITICAL", content_missing, NULL,
	  1, "sts.policy.content-type", SEVERITY_CRITICAL, "STS-FETCH-08", "sts-policy-fetch-error",
	  NULL, "no Content-Type", NULL },
	{ "STS-FETCH-08 D5 charset iso-8859-1: sts.policy.http WARNING, policy still applies",
	  charset_latin1, NULL, 1, "sts.policy.http", SEVERITY_WARNING, "STS-FETCH-08", NULL, NULL,
	  "iso-8859-1", NULL },
	{ "STS-POL-04 D6 mode: Enforce: sts.policy.invalid CRITICAL", bad_mode, NULL, 1,
	  "sts.policy.invalid", SEVERITY_CRITICAL, "STS-POL-04", "sts-policy-invalid", NULL,
	  "senders ignore it", "Enforce" },
	{ "STS-POL-07 enforce without mx: sts.policy.invalid CRITICAL", no_mx_line, NULL, 1,
	  "sts.policy.invalid", SEVERITY_CRITICAL, "STS-POL-07", "sts-policy-invalid", NULL,
	  "is invalid", NULL },
	{ "STS-POL-05 D4 max_age above one year: sts.policy.max-age CRITICAL", max_age_over, NULL,
	  1, "sts.policy.max-age", SEVERITY_CRITICAL, "STS-POL-05", "sts-policy-invalid", NULL,
	  "31557601", NULL },
	{ "STS-POL-06 max_age of an hour: sts.policy.syntax WARNING", max_age_short, NULL, 1,
	  "sts.policy.syntax", SEVERITY_WARNING, "STS-POL-06", NULL, NULL, "max_age 3600", NULL },
	{ "STS-MODE-03 mode none: sts.mode.none OK, no coverage judged", mode_none, NULL, 1,
	  "sts.mode.none", SEVERITY_OK, "STS-MODE-03", NULL, NULL, "mode none",
	  "as having no policy" },
	{ "STS-MX-01 STS-MODE-01 mx2 outside an enforce policy: sts.mx.not-covered CRITICAL",
	  mx2_uncovered_enforce, NULL, 1, "sts.mx.not-covered", SEVERITY_CRITICAL, "STS-MX-01",
	  "validation-failure", "mx2." DOMAIN, "senders refuse to deliver to it",
	  "add \"mx: mx2." DOMAIN "\"" },
	{ "STS-MX-01 STS-MODE-02 mx2 outside a testing policy: sts.mx.not-covered WARNING",
	  mx2_uncovered_testing, NULL, 1, "sts.mx.not-covered", SEVERITY_WARNING, "STS-MX-01",
	  "validation-failure", "mx2." DOMAIN, "would refuse it under enforce", "testing policy" },
	{ "STS-TXT-09 body changed, id not: sts.policy.changed-same-id until last seen + max_age",
	  enforce, hist_other_body, 1, "sts.policy.changed-same-id", SEVERITY_WARNING, "STS-TXT-09",
	  NULL, NULL, "until 2026-11-08T00:00:00Z", "\"" SNAPFIX_STS_ID "\"" },
	{ "STS-TXT-09 history unavailable: no history findings", enforce, hist_unavailable, 0, NULL,
	  0, NULL, NULL, NULL, NULL, NULL },
	{ "STS-FETCH-14 id changed, body not: sts.policy.id-only OK", enforce, hist_old_id, 1,
	  "sts.policy.id-only", SEVERITY_OK, "STS-FETCH-14", NULL, NULL,
	  "changed to \"" SNAPFIX_STS_ID "\"", "policy unchanged" },
	{ "STS-CACHE-02 mx2 not in a cached enforce policy: sts.mx.not-in-cached-policy WARNING",
	  enforce, hist_cached_mx1, 1, "sts.mx.not-in-cached-policy", SEVERITY_WARNING,
	  "STS-CACHE-02", "validation-failure", "mx2." DOMAIN, "until 2026-11-08T00:00:00Z",
	  "(id \"20261001T0000\")" },
	{ "STS-CACHE-01 the cached policy has expired: no findings", enforce,
	  hist_cached_mx1_expired, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "DESIGN unknown_reason: check.unknown only", unknown, NULL, 1, "check.unknown",
	  SEVERITY_UNKNOWN, NULL, NULL, NULL, "127.0.0.53", NULL },
};

static void run_case(void **state)
{
	const struct sts_case *c = *state;
	struct snapshot *s = c->build();
	struct history hist = { 0 };
	struct findings out = { 0 };
	const struct finding *f;

	if (c->history != NULL)
		c->history(&hist);
	assert_int_equal(check_mta_sts.evaluate(s, c->history != NULL ? &hist : NULL, NULL, &out),
			 0);
	if (out.n != c->n_findings) {
		size_t i;

		for (i = 0; i < out.n; i++)
			print_message("# unexpected: %s %s %s\n", out.v[i].code,
				      severity_name(out.v[i].severity), out.v[i].message);
	}
	assert_int_equal(out.n, c->n_findings);
	if (c->code != NULL) {
		f = snapfix_expect(&out, "mta_sts", c->code, c->severity, c->req, c->result_type,
				   c->msg, c->msg2);
		assert_string_equal(f->domain, DOMAIN);
		if (c->mx != NULL)
			assert_string_equal(f->mx, c->mx);
		else
			assert_null(f->mx);
	}
	findings_clear(&out);
	history_clear(&hist);
	(void)snapshot_free(s);
}

/* The plugin's shape: what the gatherer must collect, a configure() that accepts anything. */
static void test_mta_sts_plugin(void **state)
{
	(void)state;
	snapfix_expect_plugin(&check_mta_sts, "mta_sts", OBS_MX | OBS_STS_TXT | OBS_STS_POLICY);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		{ .name = "mta_sts plugin: needs MX, the _mta-sts record and the policy",
		  .test_func = test_mta_sts_plugin },
	};

	return snapfix_run_table("mta_sts", cases, sizeof(cases) / sizeof(cases[0]),
				 sizeof(cases[0]), run_case, extra,
				 sizeof(extra) / sizeof(extra[0]));
}

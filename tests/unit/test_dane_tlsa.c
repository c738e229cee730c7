/*
 * test_dane_tlsa.c - the dane_tlsa check (checks/dane_tlsa.c) on hand-built snapshots.
 *
 * One case per finding code dane_tlsa emits, and one per lab scenario of tests/lab/README.md
 * that is about DANE (healthy, dane-stale, dane-unsigned, dnssec-bogus) and for a resolver that
 * does not validate; each case names the requirement it covers (shared/spec/dane-smtp.md). A
 * case builds a snapshot of example.test whose MX hosts present fixture chains (snapfix) with
 * keys of their own, publishes TLSA records for them, evaluates the check and compares the
 * findings with what docs/findings.md promises: code, severity, requirement, RFC 8460 result
 * type, subject, and parts of the message.
 *
 * The rotation cases (DANE-ROT-01/02) add the history the store would give: the key mx1
 * presented before (or none, or none at all), and check what the findings say of the change.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "checks/check.h"
#include "lib/history.h"
#include "lib/tlsa.h"
#include "tests/unit/snapfix.h"

extern const struct check check_dane_tlsa;

#define DOMAIN "example.test"
#define MX1    "mx1." DOMAIN

/* A SHA2-256 digest of no presented key: the stale record. */
#define STALE "3 1 1 0000000000000000000000000000000000000000000000000000000000000000"

struct dane_case {
	const char *name;                /* test name, citing the spec ID */
	struct snapshot *(*build)(void); /* the snapshot of the case */
	size_t n_findings;               /* how many findings in all */
	const char *code;                /* the finding to look at, or NULL */
	enum severity severity;
	const char *req;         /* expected requirement ID, or NULL */
	const char *result_type; /* expected RFC 8460 result type, or NULL */
	const char *mx;          /* expected subject MX, or NULL for the domain */
	const char *msg;         /* a part of the message, or NULL */
	const char *msg2;        /* another part, or NULL */
};

/* --- snapshots ------------------------------------------------------------------------------ */

/* The "3 1 1" record of the leaf the first session of MX host i presents. */
static char *leaf_311(struct snapshot *s, size_t i)
{
	return snapfix_tlsa_of(snapfix_at(s, i, 0)->probes[0].chain[0], TLSA_USAGE_DANE_EE,
			       TLSA_SELECTOR_SPKI, TLSA_MTYPE_SHA256);
}

/* n_mx MX hosts, signed zone (MX and address answers with AD), keys on every chain. */
static struct snapshot *signed_domain(size_t n_mx)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, n_mx);
	size_t i;

	s->mx_secure = true;
	for (i = 0; i < n_mx; i++)
		s->mx[i].addr_secure = true;
	snapfix_keys_all(s);
	return s;
}

/* Every MX host publishes its own leaf's 3 1 1 (and extra, when not NULL), with this AD bit. */
static struct snapshot *matching(size_t n_mx, bool secure, const char *extra)
{
	struct snapshot *s = signed_domain(n_mx);
	size_t i;

	for (i = 0; i < n_mx; i++) {
		char *rec = leaf_311(s, i);
		const char *const recs[] = { rec, extra, NULL };

		(void)snapfix_tlsa(&s->mx[i], DNS_OK, secure, recs);
		free(rec);
	}
	return s;
}

/* One MX host publishing exactly these records (secure). */
static struct snapshot *records(const char *a, const char *b)
{
	struct snapshot *s = signed_domain(1);
	const char *const recs[] = { a, b, NULL };

	(void)snapfix_tlsa(&s->mx[0], DNS_OK, true, recs);
	return s;
}

/* Lab healthy.test: two MX hosts, each with a 3 1 1 of its key. */
static struct snapshot *lab_healthy(void)
{
	return matching(2, true, NULL);
}

/* Lab dane-stale.test: signed zone, TLSA of a key the MX never uses. */
static struct snapshot *lab_stale(void)
{
	return records(STALE, NULL);
}

/* Lab dane-unsigned.test: the records exist, the answer has no AD. */
static struct snapshot *lab_unsigned(void)
{
	return matching(1, false, NULL);
}

/* Lab dnssec-bogus.test: the MX lookup itself SERVFAILs at the validator. */
static struct snapshot *lab_bogus(void)
{
	struct snapshot *s = snapfix_new(DOMAIN);

	s->mx_status = DNS_SERVFAIL;
	return s;
}

/* The TLSA lookup of mx1 SERVFAILs (bogus signatures, broken servers). */
static struct snapshot *tlsa_servfail(void)
{
	struct snapshot *s = signed_domain(1);

	(void)snapfix_tlsa(&s->mx[0], DNS_SERVFAIL, false, NULL);
	return s;
}

static struct snapshot *tlsa_timeout(void)
{
	struct snapshot *s = signed_domain(1);

	(void)snapfix_tlsa(&s->mx[0], DNS_TIMEOUT, false, NULL);
	return s;
}

/* The records are signed, the address answer is not. */
static struct snapshot *address_insecure(void)
{
	struct snapshot *s = matching(1, true, NULL);

	s->mx[0].addr_secure = false;
	return s;
}

/* A resolver that does not validate (the gatherer's root-zone probe got no AD). */
static struct snapshot *not_validating(void)
{
	struct snapshot *s = lab_healthy();

	s->dnssec_unknown_reason = strdup("the resolver 127.0.0.53 does not validate DNSSEC");
	if (s->dnssec_unknown_reason == NULL)
		abort();
	return s;
}

static struct snapshot *not_validating_no_tlsa(void)
{
	struct snapshot *s = not_validating();

	(void)snapfix_tlsa(&s->mx[0], DNS_NXDOMAIN, false, NULL);
	(void)snapfix_tlsa(&s->mx[1], DNS_NXDOMAIN, false, NULL);
	return s;
}

static struct snapshot *agent_unknown(void)
{
	struct snapshot *s = lab_stale();

	s->unknown_reason = strdup("the resolver 127.0.0.53 does not answer");
	if (s->unknown_reason == NULL)
		abort();
	return s;
}

/* Authenticated denial (DANE-DNS-03) and an unsigned one: no TLSA records. */
static struct snapshot *secure_nxdomain(void)
{
	struct snapshot *s = signed_domain(2);

	(void)snapfix_tlsa(&s->mx[0], DNS_NXDOMAIN, true, NULL);
	(void)snapfix_tlsa(&s->mx[1], DNS_NODATA, false, NULL);
	return s;
}

static struct snapshot *not_looked_up(void)
{
	return signed_domain(2);
}

/* The current key and the next one: the rotation practice of DANE-ROT-03. */
static struct snapshot *next_key(void)
{
	return matching(1, true, STALE);
}

/* DANE-PUB-02: the current record and 17 others, 72 octets each: 1296 octets. */
static struct snapshot *large_rrset(void)
{
	struct snapshot *s = signed_domain(1);
	char *cur = leaf_311(s, 0);
	const char *recs[19] = { cur };
	char extra[17][80];
	size_t i;

	for (i = 0; i < 17; i++) {
		snprintf(extra[i], sizeof(extra[i]), "3 1 1 %02zx%062d", i, 0);
		recs[i + 1] = extra[i];
	}
	(void)snapfix_tlsa(&s->mx[0], DNS_OK, true, recs);
	free(cur);
	return s;
}

/* DANE-EXP-03: a current and a next record signed until two days from now. */
static struct snapshot *rrsig_expiring(void)
{
	struct snapshot *s = matching(1, true, STALE);

	s->mx[0].tlsa.sig_inception = SNAPFIX_NOW - 12 * SNAPFIX_DAY;
	s->mx[0].tlsa.sig_expiration = SNAPFIX_NOW + 2 * SNAPFIX_DAY;
	return s;
}

/* DANE-EXP-03: signatures valid for 50 days. */
static struct snapshot *rrsig_long(void)
{
	struct snapshot *s = matching(1, true, STALE);

	s->mx[0].tlsa.sig_inception = SNAPFIX_NOW - 10 * SNAPFIX_DAY;
	s->mx[0].tlsa.sig_expiration = SNAPFIX_NOW + 40 * SNAPFIX_DAY;
	return s;
}

/* A signature valid for 14 days, 10 days left, as knot signs by default: nothing to say. */
static struct snapshot *rrsig_ordinary(void)
{
	struct snapshot *s = matching(1, true, STALE);

	s->mx[0].tlsa.sig_inception = SNAPFIX_NOW - 4 * SNAPFIX_DAY;
	s->mx[0].tlsa.sig_expiration = SNAPFIX_NOW + 10 * SNAPFIX_DAY;
	return s;
}

static struct snapshot *unusable_only(void)
{
	return records("4 1 1 0000000000000000000000000000000000000000000000000000000000000000",
		       NULL);
}

static struct snapshot *pkix_only(void)
{
	return records("1 1 1 0000000000000000000000000000000000000000000000000000000000000000",
		       NULL);
}

/* Secure records, and the MX stopped offering STARTTLS. */
static struct snapshot *no_starttls(void)
{
	struct snapshot *s = matching(1, true, NULL);
	struct mx_address *a = snapfix_at(s, 0, 0);

	snapfix_reset_probes(a);
	(void)snapfix_probe(a, PROBE_ALG_ANY, PROBE_NO_STARTTLS, STAGE_EHLO, "250 mx1 Hello");
	return s;
}

/* Unusable records only, and no STARTTLS: still committed to TLS (DANE-USG-05). */
static struct snapshot *unusable_no_starttls(void)
{
	struct snapshot *s = unusable_only();
	struct mx_address *a = snapfix_at(s, 0, 0);

	snapfix_reset_probes(a);
	(void)snapfix_probe(a, PROBE_ALG_ANY, PROBE_NO_STARTTLS, STAGE_EHLO, "250 mx1 Hello");
	return s;
}

/* DANE-EE with the whole certificate (3 0 1). */
static struct snapshot *full_cert(void)
{
	struct snapshot *s = signed_domain(1);
	char *rec = snapfix_tlsa_of(snapfix_at(s, 0, 0)->probes[0].chain[0], TLSA_USAGE_DANE_EE,
				    TLSA_SELECTOR_CERT, TLSA_MTYPE_SHA256);
	const char *const recs[] = { rec, NULL };

	(void)snapfix_tlsa(&s->mx[0], DNS_OK, true, recs);
	free(rec);
	return s;
}

/* A dual-certificate MX whose RSA key has no record (DANE-ROT-06). */
static struct snapshot *rsa_forgotten(void)
{
	struct snapshot *s = matching(1, true, NULL);

	(void)snapfix_good_probe(snapfix_at(s, 0, 0), PROBE_ALG_RSA, MX1, KEY_TYPE_RSA,
				 80 * SNAPFIX_DAY);
	snapfix_keys_all(s);
	return s;
}

/* Two sessions of one address presenting the same stale leaf: one finding. */
static struct snapshot *stale_twice(void)
{
	struct snapshot *s = lab_stale();
	struct mx_address *a = snapfix_at(s, 0, 0);
	struct smtp_probe *p = snapfix_probe(a, PROBE_ALG_ECDSA, PROBE_OK, STAGE_DONE, NULL);

	snapfix_tls(p, 0x0304, 20);
	snapfix_chain_add(p, snapfix_cert_dup(a->probes[0].chain[0]));
	snapfix_keys_all(s);
	return s;
}

/* --- cases ---------------------------------------------------------------------------------- */

static const struct dane_case cases[] = {
	{ "lab healthy.test, DANE-ROT-03: one matching 3 1 1 per MX: dane.tlsa.single OK only",
	  lab_healthy, 2, "dane.tlsa.single", SEVERITY_OK, "DANE-ROT-03", NULL, MX1,
	  "record 1 (3 1 1 ", "matches the leaf (depth 0)" },
	{ "DANE-ROT-03 current and next key published: no findings", next_key, 0, NULL, 0, NULL,
	  NULL, NULL, NULL, NULL },
	{ "DANE-PUB-02 18 records, 1296 octets: dane.tlsa.large WARNING", large_rrset, 1,
	  "dane.tlsa.large", SEVERITY_WARNING, "DANE-PUB-02", NULL, MX1, "is 1296 octets",
	  "(18 records)" },
	{ "DANE-EXP-03 TLSA signature expiring in 2 days: dane.tlsa.rrsig-expiring WARNING",
	  rrsig_expiring, 1, "dane.tlsa.rrsig-expiring", SEVERITY_WARNING, "DANE-EXP-03", NULL, MX1,
	  "the signature over the TLSA RRset of _25._tcp." MX1 " expires at",
	  "DANE senders defer mail" },
	{ "DANE-EXP-03 TLSA signature valid for 50 days: dane.tlsa.rrsig-long OK", rrsig_long, 1,
	  "dane.tlsa.rrsig-long", SEVERITY_OK, "DANE-EXP-03", NULL, MX1, "valid for 50 days",
	  NULL },
	{ "DANE-EXP-03 a 14-day signature with 10 days left: no findings", rrsig_ordinary, 0, NULL,
	  0, NULL, NULL, NULL, NULL, NULL },
	{ "lab dane-stale.test, DANE-USG-06: stale 3 1 1: dane.tlsa.mismatch CRITICAL", lab_stale,
	  1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06", "tlsa-invalid", MX1,
	  "record 1 (3 1 1 00000000...) matches no presented certificate", "publish \"3 1 1 " },
	{ "DANE-USG-06 once per address: two sessions, same stale leaf, one finding", stale_twice,
	  1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06", "tlsa-invalid", MX1,
	  "[192.0.2.1]", NULL },
	{ "DANE-ROT-06 the RSA key has no record: dane.tlsa.mismatch for the RSA session",
	  rsa_forgotten, 2, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06", "tlsa-invalid",
	  MX1, "the leaf's SPKI SHA2-256 is", NULL },
	{ "lab dane-unsigned.test, DANE-LKP-04: records without AD: dane.tlsa.insecure WARNING",
	  lab_unsigned, 1, "dane.tlsa.insecure", SEVERITY_WARNING, "DANE-LKP-04", NULL, MX1,
	  "its TLSA answer is not DNSSEC-secure", "record 1 (3 1 1 " },
	{ "DANE-LKP-04 signed records behind an insecure address: dane.tlsa.insecure WARNING",
	  address_insecure, 1, "dane.tlsa.insecure", SEVERITY_WARNING, "DANE-LKP-04", NULL, MX1,
	  "its address answer is not DNSSEC-secure", NULL },
	{ "lab dnssec-bogus.test, DANE-DNS-04: MX SERVFAIL: dns.dnssec-bogus CRITICAL", lab_bogus,
	  1, "dns.dnssec-bogus", SEVERITY_CRITICAL, "DANE-DNS-04", "dnssec-invalid", NULL,
	  "the MX lookup of " DOMAIN " fails", "senders defer all mail" },
	{ "DANE-DNS-04 TLSA SERVFAIL: dns.dnssec-bogus CRITICAL for the MX host", tlsa_servfail, 1,
	  "dns.dnssec-bogus", SEVERITY_CRITICAL, "DANE-DNS-04", "dnssec-invalid", MX1,
	  "_25._tcp." MX1, "defer mail to " MX1 },
	{ "DANE-DNS-01 TLSA lookup timeout at the agent's resolver: dane.unknown UNKNOWN",
	  tlsa_timeout, 1, "dane.unknown", SEVERITY_UNKNOWN, "DANE-DNS-01", NULL, MX1, "timeout",
	  NULL },
	{ "DANE-DNS-01 a resolver that does not validate: one dane.unknown UNKNOWN only",
	  not_validating, 1, "dane.unknown", SEVERITY_UNKNOWN, "DANE-DNS-01", NULL, NULL,
	  "does not validate DNSSEC", NULL },
	{ "DANE-DNS-01 no validation and no TLSA anywhere: no findings", not_validating_no_tlsa, 0,
	  NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "DESIGN unknown_reason: check.unknown only", agent_unknown, 1, "check.unknown",
	  SEVERITY_UNKNOWN, NULL, NULL, NULL, "does not answer", NULL },
	{ "DANE-DNS-03 authenticated and unsigned denial: no TLSA, no findings", secure_nxdomain, 0,
	  NULL, 0, NULL, NULL, NULL, NULL, NULL },
	{ "DANE-LKP-01 TLSA not looked up: no findings", not_looked_up, 0, NULL, 0, NULL, NULL,
	  NULL, NULL, NULL },
	{ "DANE-USG-01 case 2 unusable records only: dane.tlsa.unusable WARNING", unusable_only, 1,
	  "dane.tlsa.unusable", SEVERITY_WARNING, "DANE-USG-01", NULL, MX1,
	  "record 1 (4 1 1 00000000...) is unusable", "publish \"3 1 1\"" },
	{ "DANE-USG-03 PKIX usages only: dane.tlsa.unusable WARNING", pkix_only, 1,
	  "dane.tlsa.unusable", SEVERITY_WARNING, "DANE-USG-03", NULL, MX1,
	  "record 1 (1 1 1 00000000...) is unusable", NULL },
	{ "DANE-USG-05 secure records, no STARTTLS: dane.starttls-missing CRITICAL", no_starttls, 1,
	  "dane.starttls-missing", SEVERITY_CRITICAL, "DANE-USG-05", "starttls-not-supported", MX1,
	  "does not offer STARTTLS", "record 1 (3 1 1 " },
	{ "DANE-USG-05 unusable records commit to STARTTLS too: dane.starttls-missing CRITICAL",
	  unusable_no_starttls, 2, "dane.starttls-missing", SEVERITY_CRITICAL, "DANE-USG-05",
	  "starttls-not-supported", MX1, "[192.0.2.1]", NULL },
	{ "DANE-SEL-06 3 0 1 matches: dane.tlsa.full-cert OK with the 3 1 1 to publish", full_cert,
	  2, "dane.tlsa.full-cert", SEVERITY_OK, "DANE-SEL-06", NULL, MX1, "record 1 (3 0 1 ",
	  "publish \"3 1 1 " },
};

static void dump(const struct findings *out)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		print_message("# got: %s %s %s\n", out->v[i].code,
			      severity_name(out->v[i].severity), out->v[i].message);
}

static void run_case(void **state)
{
	const struct dane_case *c = *state;
	struct snapshot *s = c->build();
	struct findings out = { 0 };
	const struct finding *f;

	assert_int_equal(check_dane_tlsa.evaluate(s, NULL, NULL, &out), 0);
	if (out.n != c->n_findings)
		dump(&out);
	assert_int_equal(out.n, c->n_findings);
	if (c->code != NULL) {
		if (snapfix_find(&out, c->code) == NULL)
			dump(&out);
		f = snapfix_expect(&out, "dane_tlsa", c->code, c->severity, c->req, c->result_type,
				   c->msg, c->msg2);
		assert_string_equal(f->domain, DOMAIN);
		if (c->mx != NULL)
			assert_string_equal(f->mx, c->mx);
		else
			assert_null(f->mx);
	}
	findings_clear(&out);
	snapfix_tlsa_release(s);
	(void)snapshot_free(s);
}

/* DANE-USG-06, DANE-USG-02: the mismatch gives the exact record of the presented leaf. */
static void test_mismatch_suggests_leaf_record(void **state)
{
	struct snapshot *s = lab_stale();
	struct findings out = { 0 };
	const struct finding *f;
	char *want = leaf_311(s, 0);
	char *quoted = NULL;

	(void)state;
	assert_int_equal(check_dane_tlsa.evaluate(s, NULL, NULL, &out), 0);
	f = snapfix_find(&out, "dane.tlsa.mismatch");
	assert_non_null(f);
	assert_string_equal(snapfix_str(f, "suggested_tlsa"), want);
	assert_string_equal(snapfix_str(f, "leaf_spki_sha256"), want + strlen("3 1 1 "));
	assert_string_equal(snapfix_str(f, "outcome"), "dane-fail");
	quoted = mxs_strdupf("publish \"%s\"", want);
	assert_non_null(quoted);
	assert_non_null(strstr(f->message, quoted));
	free(quoted);
	free(want);
	findings_clear(&out);
	snapfix_tlsa_release(s);
	(void)snapshot_free(s);
}

/* DANE-ROT-06: the finding of the forgotten RSA key names the algorithm; ECDSA passes. */
static void test_rsa_session_named(void **state)
{
	struct snapshot *s = rsa_forgotten();
	struct findings out = { 0 };
	const struct finding *f;

	(void)state;
	assert_int_equal(check_dane_tlsa.evaluate(s, NULL, NULL, &out), 0);
	f = snapfix_find(&out, "dane.tlsa.mismatch");
	assert_non_null(f);
	assert_non_null(f->alg);
	assert_string_equal(f->alg, "RSA");
	f = snapfix_find(&out, "dane.tlsa.single");
	assert_non_null(f);
	assert_null(f->alg);
	findings_clear(&out);
	snapfix_tlsa_release(s);
	(void)snapshot_free(s);
}

/* --- rotation (DANE-ROT-01/02) ------------------------------------------------------------- */

/* SNAPFIX_NOW as the findings write it: when a key first seen in this snapshot changed. */
#define NOW_ISO "2026-11-02T00:00:00Z"

/* What the TLSA RRset of mx1 names. */
enum rot_tlsa {
	ROT_TLSA_OLD,         /* only the old key: the record was not updated */
	ROT_TLSA_OLD_AND_NEW, /* the old key and the new one, pre-published */
	ROT_TLSA_STALE,       /* neither */
};

/* What the history says of mx1 [192.0.2.1], default session. */
enum rot_history {
	ROT_HIST_NONE,        /* no history passed (NULL) */
	ROT_HIST_UNAVAILABLE, /* a history that could not be read */
	ROT_HIST_EMPTY,       /* available, nothing seen: the first observation */
	ROT_HIST_OLD,         /* the old key, seen until yesterday: the change is new */
	ROT_HIST_OLD_NEW,     /* and the new key too, since an hour: a later cycle */
	ROT_HIST_SAME,        /* only the key presented now */
};

struct rot_case {
	const char *name;
	enum rot_tlsa tlsa;
	enum rot_history hist;
	size_t n_findings;
	const char *code; /* the finding to look at, or NULL */
	enum severity severity;
	const char *req;
	const char *msg;        /* a part of its message, or NULL */
	const char *msg2;       /* another, or NULL */
	const char *changed_at; /* expected changed_at value; NULL: no change said at all */
};

static const struct rot_case rot_cases[] = {
	{ "DANE-ROT-02 key changed, TLSA names the old key: the mismatch says so", ROT_TLSA_OLD,
	  ROT_HIST_OLD, 1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06",
	  "key of " MX1 " [192.0.2.1] changed at " NOW_ISO " (it was ",
	  "the TLSA records still name the old key (record 1), none the new one", NOW_ISO },
	{ "DANE-ROT-02 key changed, TLSA names neither key: the mismatch says so", ROT_TLSA_STALE,
	  ROT_HIST_OLD, 1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06",
	  "changed at " NOW_ISO, "no usable TLSA record authenticates the new chain", NOW_ISO },
	{ "DANE-ROT-02 a later cycle: the change keeps the new key's first sighting", ROT_TLSA_OLD,
	  ROT_HIST_OLD_NEW, 1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06",
	  "changed at 2026-11-01T23:00:00Z", "still name the old key", "2026-11-01T23:00:00Z" },
	{ "DANE-ROT-01 key changed to a pre-published 3 1 1: dane.key-rotated OK",
	  ROT_TLSA_OLD_AND_NEW, ROT_HIST_OLD, 1, "dane.key-rotated", SEVERITY_OK, "DANE-ROT-01",
	  "key of " MX1 " [192.0.2.1] changed at " NOW_ISO " (it was ",
	  "matches the pre-published record 2 (3 1 1 ", NOW_ISO },
	{ "DANE-ROT-01 a later cycle of the same change: no note", ROT_TLSA_OLD_AND_NEW,
	  ROT_HIST_OLD_NEW, 0, NULL, 0, NULL, NULL, NULL, NULL },
	{ "DANE-USG-06 no history: the mismatch as before, no change said", ROT_TLSA_OLD,
	  ROT_HIST_NONE, 1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06",
	  "no usable TLSA record authenticates the chain", "record 1 (3 1 1 ", NULL },
	{ "DANE-USG-06 history unavailable: no change said", ROT_TLSA_OLD, ROT_HIST_UNAVAILABLE, 1,
	  "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06",
	  "no usable TLSA record authenticates the chain", NULL, NULL },
	{ "DANE-USG-06 first observation of the address: no change said", ROT_TLSA_OLD,
	  ROT_HIST_EMPTY, 1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06",
	  "no usable TLSA record authenticates the chain", NULL, NULL },
	{ "DANE-USG-06 same key as before (the TLSA changed): no change said", ROT_TLSA_STALE,
	  ROT_HIST_SAME, 1, "dane.tlsa.mismatch", SEVERITY_CRITICAL, "DANE-USG-06",
	  "no usable TLSA record authenticates the chain", NULL, NULL },
	{ "DANE-ROT-01 first observation of a pass through two records: no note",
	  ROT_TLSA_OLD_AND_NEW, ROT_HIST_EMPTY, 0, NULL, 0, NULL, NULL, NULL, NULL },
};

/* Append to h the key of c as the store records it for mx1 [192.0.2.1], default session. */
static void history_key(struct history *h, const struct certinfo *c, time_t first, time_t last)
{
	struct key_seen *k;

	h->keys = realloc(h->keys, (h->n_keys + 1) * sizeof(*h->keys));
	assert_non_null(h->keys);
	k = &h->keys[h->n_keys++];
	memset(k, 0, sizeof(*k));
	k->mx = strdup(MX1);
	assert_non_null(k->mx);
	strcpy(k->address, "192.0.2.1");
	strcpy(k->alg, "any");
	history_digest_hex(c->sha256, k->cert_sha256);
	history_digest_hex(c->spki_sha256, k->spki_sha256);
	k->first_seen = first;
	k->last_seen = last;
}

static void run_rotation(void **state)
{
	const struct rot_case *c = *state;
	struct snapshot *s = signed_domain(1);
	const struct certinfo *now = snapfix_at(s, 0, 0)->probes[0].chain[0];
	struct certinfo *old =
	    snapfix_cert(MX1, NULL, SNAPFIX_NOW - 120 * SNAPFIX_DAY, SNAPFIX_NOW - 30 * SNAPFIX_DAY,
			 KEY_TYPE_EC, "Fixture CA R1");
	char *old_rec, *new_rec, old_spki[65], *prefix;
	struct history h = { 0 };
	struct findings out = { 0 };
	const struct finding *f;
	size_t i;

	snapfix_cert_keys(old);
	old_rec = snapfix_tlsa_of(old, TLSA_USAGE_DANE_EE, TLSA_SELECTOR_SPKI, TLSA_MTYPE_SHA256);
	new_rec = leaf_311(s, 0);
	{
		const char *const recs[] = { c->tlsa == ROT_TLSA_STALE ? STALE : old_rec,
					     c->tlsa == ROT_TLSA_OLD_AND_NEW ? new_rec : NULL,
					     NULL };

		(void)snapfix_tlsa(&s->mx[0], DNS_OK, true, recs);
	}
	h.available = c->hist != ROT_HIST_UNAVAILABLE;
	if (c->hist == ROT_HIST_UNAVAILABLE)
		h.unavailable_reason = strdup("the store cannot be read: disk I/O error");
	if (c->hist == ROT_HIST_OLD || c->hist == ROT_HIST_OLD_NEW)
		history_key(&h, old, SNAPFIX_NOW - 60 * SNAPFIX_DAY, SNAPFIX_NOW - SNAPFIX_DAY);
	if (c->hist == ROT_HIST_OLD_NEW)
		history_key(&h, now, SNAPFIX_NOW - 3600, SNAPFIX_NOW - 3600);
	if (c->hist == ROT_HIST_SAME)
		history_key(&h, now, SNAPFIX_NOW - 60 * SNAPFIX_DAY, SNAPFIX_NOW - SNAPFIX_DAY);

	assert_int_equal(
	    check_dane_tlsa.evaluate(s, c->hist == ROT_HIST_NONE ? NULL : &h, NULL, &out), 0);
	if (out.n != c->n_findings)
		dump(&out);
	assert_int_equal(out.n, c->n_findings);
	/* No other finding speaks of a change, or of a rotation, when none is expected. */
	for (i = 0; i < out.n && c->changed_at == NULL; i++)
		assert_null(strstr(out.v[i].message, "changed at"));
	if (c->code != NULL) {
		f = snapfix_expect(&out, "dane_tlsa", c->code, c->severity, c->req,
				   c->severity == SEVERITY_OK ? NULL : "tlsa-invalid", c->msg,
				   c->msg2);
		assert_string_equal(f->mx, MX1);
		assert_string_equal(f->address, "192.0.2.1");
		if (c->changed_at != NULL) {
			/* the old key: its first 8 hex digits in the message, all in the value */
			history_digest_hex(old->spki_sha256, old_spki);
			assert_string_equal(snapfix_str(f, "previous_spki"), old_spki);
			assert_string_equal(snapfix_str(f, "changed_at"), c->changed_at);
			prefix = mxs_strdupf("(it was %.8s...)", old_spki);
			assert_non_null(prefix);
			assert_non_null(strstr(f->message, prefix));
			free(prefix);
		}
		if (strcmp(c->code, "dane.tlsa.mismatch") == 0)
			assert_string_equal(snapfix_str(f, "suggested_tlsa"), new_rec);
	}
	findings_clear(&out);
	history_clear(&h);
	certinfo_free(old);
	free(old_rec);
	free(new_rec);
	snapfix_tlsa_release(s);
	(void)snapshot_free(s);
}

/* DANE-ROT-03, DANE-SEL-06: the operator may raise the advice to WARNING, and only to that. */
static void test_advice_levels(void **state)
{
	struct check_settings set = { .cert_warning = 1,
				      .dane_single_record = SEVERITY_WARNING,
				      .dane_full_certificate = SEVERITY_WARNING };
	struct findings out = { 0 };
	struct snapshot *s;
	void *priv = NULL;

	(void)state;
	assert_int_equal(check_dane_tlsa.configure(&set, &priv, NULL), 0);
	assert_non_null(priv);
	s = lab_healthy();
	assert_int_equal(check_dane_tlsa.evaluate(s, NULL, priv, &out), 0);
	snapfix_expect(&out, "dane_tlsa", "dane.tlsa.single", SEVERITY_WARNING, "DANE-ROT-03", NULL,
		       "through a single record", NULL);
	findings_clear(&out);
	snapfix_tlsa_release(s);
	(void)snapshot_free(s);
	s = full_cert();
	assert_int_equal(check_dane_tlsa.evaluate(s, NULL, priv, &out), 0);
	snapfix_expect(&out, "dane_tlsa", "dane.tlsa.full-cert", SEVERITY_WARNING, "DANE-SEL-06",
		       NULL, "every renewal breaks it", NULL);
	findings_clear(&out);
	snapfix_tlsa_release(s);
	(void)snapshot_free(s);
	check_dane_tlsa.release(priv);
	set.dane_single_record = SEVERITY_CRITICAL;
	priv = NULL;
	assert_int_equal(check_dane_tlsa.configure(&set, &priv, NULL), -EINVAL);
	assert_null(priv);
}

/* The plugin's shape: what the gatherer must collect, a configure() that accepts anything. */
static void test_dane_tlsa_plugin(void **state)
{
	(void)state;
	snapfix_expect_plugin(&check_dane_tlsa, "dane_tlsa", OBS_MX | OBS_SMTP | OBS_TLSA);
}

int main(void)
{
	enum { N_ROT = sizeof(rot_cases) / sizeof(rot_cases[0]) };
	static struct CMUnitTest extra[4 + N_ROT] = {
		{ .name = "DANE-USG-06 the mismatch suggests the presented leaf's 3 1 1",
		  .test_func = test_mismatch_suggests_leaf_record },
		{ .name = "DANE-ROT-06 the RSA session's mismatch names RSA",
		  .test_func = test_rsa_session_named },
		{ .name = "dane_tlsa plugin: needs MX, SMTP and TLSA",
		  .test_func = test_dane_tlsa_plugin },
		{ .name = "DANE-ROT-03, DANE-SEL-06 advice raised to WARNING by the settings",
		  .test_func = test_advice_levels },
	};

	size_t i;

	/* The rotation table: one test per case, after the others. */
	for (i = 0; i < N_ROT; i++)
		extra[4 + i] = (struct CMUnitTest){ .name = rot_cases[i].name,
						    .test_func = run_rotation,
						    .initial_state = (void *)&rot_cases[i] };
	return snapfix_run_table("dane_tlsa", cases, sizeof(cases) / sizeof(cases[0]),
				 sizeof(cases[0]), run_case, extra,
				 sizeof(extra) / sizeof(extra[0]));
}

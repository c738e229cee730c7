/*
 * dane_tlsa.c - the TLSA records of every MX host against the chains it presents (RFC 7672).
 *
 * For each MX host whose _25._tcp TLSA RRset was looked up, the check asks lib/dane.h what a
 * DANE sender does with the host, from the DNSSEC states of the MX, address and TLSA answers,
 * the records, and, per address, each session's STARTTLS offer and presented chain:
 *  - a TLSA lookup that fails (SERVFAIL: bogus or broken) makes the host unreachable for DANE
 *    senders (DANE-DNS-04): dns.dnssec-bogus, CRITICAL, once per host; an MX lookup that
 *    SERVFAILs at the validating resolver never gets as far as TLSA: dns.dnssec-bogus once for
 *    the domain (mx_starttls reports the failed lookup itself as dns.mx-lookup);
 *  - records behind an answer that is not DNSSEC-secure have no effect (DANE-LKP-04):
 *    dane.tlsa.insecure, WARNING, once per host;
 *  - a secure RRset with no usable record requires TLS without authentication (DANE-USG-01
 *    case 2): dane.tlsa.unusable, WARNING, once per host;
 *  - usable records that do not authenticate a presented chain, or no STARTTLS at all
 *    (DANE-USG-05/06, DANE-NAME-02, DANE-EXP-02): CRITICAL, named by the RFC 8460 result type
 *    lib/dane.h gives, once per MX address;
 *  - a chain that passes but through a single record (DANE-ROT-03) or through a whole
 *    certificate under DANE-EE (DANE-SEL-06): OK findings with the advice;
 *  - a secure RRset too large for a UDP answer (DANE-PUB-02): dane.tlsa.large, WARNING; its
 *    signature expiring within 3 days (DANE-EXP-03): dane.tlsa.rrsig-expiring, WARNING; valid
 *    for more than 30 days: dane.tlsa.rrsig-long, OK with the advice.
 *
 * Rotation (DANE-ROT-01/02). With the store's history (lib/history.h), a session whose leaf key
 * differs from the key the same (MX host, address, algorithm) presented before names the change
 * as the cause: a mismatch says when the key changed, what it was, and whether the records
 * still name the old key; a pass through a DANE-EE record at the first sighting of the new key
 * is dane.key-rotated (OK): its record was in place when the key changed, i.e. pre-published.
 * Without history, or at the first observation of an address, nothing is said about rotation.
 *
 * Every message names the records and what became of each one, so that an operator can fix the
 * RRset from the message alone (the wording: checks/dane_tlsa_explain.h).
 *
 * Without a validating resolver (snapshot.dnssec_unknown_reason), nothing DNSSEC-derived can
 * be judged: one dane.unknown and nothing else (DANE-DNS-01), never CRITICAL or OK. A domain
 * with no TLSA record anywhere (and no failed lookup) has nothing to report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "checks/dane_tlsa_explain.h"
#include "lib/dane.h"
#include "lib/dane_gate.h"
#include "lib/history.h"
#include "lib/tlsa.h"

#define CHECK_NAME "dane_tlsa"

/* DANE-PUB-02 (PROJECT): an RRset larger than a 1232-octet UDP answer is a warning. */
#define DANE_UDP_SIZE 1232
/* DANE-EXP-03 (PROJECT): a TLSA signature expiring within 3 days is a warning; one valid
 * for more than 30 days is noted. */
#define RRSIG_WARN_SECS (3 * 86400L)
#define RRSIG_LONG_SECS (30 * 86400L)

/* RFC 8460 §4.3 result types (RPT-RES-05). */
#define RT_DNSSEC "dnssec-invalid"

/* Distinct codes one address can get (dane_tlsa_explain_fail_code(), eval_rotated(),
 * eval_pass()), once each. */
#define CODES_PER_ADDRESS 8

/* The advice levels of the settings (check.h): what configure() keeps. */
struct dane_priv {
	enum severity single_record;
	enum severity full_certificate;
};

/* What one evaluation works on. */
struct eval {
	const struct snapshot *snap;
	const struct history *hist; /* NULL when the caller has none */
	struct findings *out;
	struct dane_priv advice;
};

/* The codes already reported for one (MX host, address). */
struct seen {
	const char *code[CODES_PER_ADDRESS];
	size_t n;
};

/* Whether code was reported for this address already; if not, remember it. */
static bool seen_once(struct seen *s, const char *code)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->code[i], code) == 0)
			return true;
	if (s->n < CODES_PER_ADDRESS)
		s->code[s->n++] = code;
	return false;
}

/*
 * Append a finding about mx/address/probe (each may be NULL). The subject names the algorithm
 * only for the algorithm-restricted probes. Returns the finding, or NULL on memory exhaustion.
 */
__attribute__((format(printf, 9, 10))) static struct finding *add(
    struct eval *ev, const char *code, enum severity sev, const char *req, const char *rt,
    const struct mx_host *mx, const struct mx_address *a, const struct smtp_probe *p,
    const char *fmt, ...)
{
	struct finding_subject subj = snapshot_subject(mx, a, p);
	struct finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = findings_addv(ev->out, CHECK_NAME, code, sev, req, rt, ev->snap->domain,
			  mx != NULL ? &subj : NULL, fmt, ap);
	va_end(ap);
	return f;
}

/*
 * DANE-ROT-01/02: whether the leaf of session p changed since the cycles before (see
 * history_key_change()). 1 with *ret filled, 0 without history or change.
 */
static int key_change(const struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
		      const struct smtp_probe *p, struct key_change *ret)
{
	char spki[65];

	if (ev->hist == NULL || p->chain_len == 0)
		return 0;
	history_digest_hex(p->chain[0]->spki_sha256, spki);
	return history_key_change(ev->hist, mx->name, a->text, probe_alg_name(p->alg), spki,
				  ev->snap->taken_at, ret) > 0;
}

/* The typed values of a key change: previous_spki (hex) and changed_at (ISO 8601 UTC). */
static int set_change(struct finding *f, const struct key_change *kc)
{
	char when[32];

	dane_tlsa_explain_time(kc->changed_at, when, sizeof(when));
	if (finding_set_string(f, "previous_spki", kc->previous->spki_sha256) < 0 ||
	    finding_set_string(f, "changed_at", when) < 0)
		return -ENOMEM;
	return 0;
}

/* Run dane_evaluate() on one host, and optionally one session. */
static int run_dane(struct eval *ev, const struct mx_host *mx, const struct smtp_probe *p,
		    bool starttls_offered, struct dane_result *ret)
{
	struct dane_input in = {
		.mx_dnssec = ev->snap->mx_secure ? DANE_DNSSEC_SECURE : DANE_DNSSEC_INSECURE,
		.address_dnssec = mx->addr_secure ? DANE_DNSSEC_SECURE : DANE_DNSSEC_INSECURE,
		.tlsa_dnssec = dane_gate_tlsa_state(&mx->tlsa),
		.tlsa = mx->tlsa.rrs,
		.n_tlsa = mx->tlsa.n_rrs,
		.starttls_offered = starttls_offered,
		.chain = p != NULL ? (const struct certinfo *const *)p->chain : NULL,
		.n_chain = p != NULL ? p->chain_len : 0,
		/* DD4: the base domain is the MX host; the next hop the domain */
		.base_domain = mx->name,
		.next_hop = ev->snap->domain,
		.now = ev->snap->taken_at,
	};

	return dane_evaluate(&in, ret);
}

/* DANE-USG-05/06, DANE-NAME-02, DANE-EXP-02: DANE senders will not deliver to this address. */
static int eval_fail(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
		     const struct smtp_probe *p, const struct dane_result *res, struct seen *seen)
{
	const char *req, *code = dane_tlsa_explain_fail_code(res->result_type, &req);
	bool starttls = strcmp(code, "dane.starttls-missing") == 0, changed;
	const char *digest = NULL;
	char *text = NULL, *suggest = NULL;
	struct key_change kc;
	struct finding *f;
	int r = -ENOMEM;

	if (seen_once(seen, code))
		return 0;
	/* without STARTTLS there is no chain, so no leaf to suggest a record for */
	if (!starttls && dane_tlsa_explain_leaf_record(p->chain[0], &suggest, &digest) == -ENOMEM)
		goto out;
	changed = suggest != NULL && strcmp(code, "dane.tlsa.mismatch") == 0 &&
		  key_change(ev, mx, a, p, &kc);
	text = dane_tlsa_explain_fail(mx, a, res, code, suggest, digest, changed ? &kc : NULL);
	if (text == NULL)
		goto out;
	f = add(ev, code, SEVERITY_CRITICAL, req, res->result_type, mx, a, p, "%s", text);
	if (f == NULL)
		goto out;
	/* dane.starttls-missing carries no outcome value, and there is no leaf to suggest for */
	if (!starttls && finding_set_string(f, "outcome", dane_outcome_name(res->outcome)) < 0)
		goto out;
	if (suggest != NULL && (finding_set_string(f, "leaf_spki_sha256", digest) < 0 ||
				finding_set_string(f, "suggested_tlsa", suggest) < 0))
		goto out;
	if (changed && set_change(f, &kc) < 0)
		goto out;
	r = 0;
out:
	free(text);
	free(suggest);
	return r;
}

/*
 * DANE-ROT-01: a pass by a DANE-EE record of the leaf at the first sighting of a new key: the
 * record was there when the key changed, so the rollover kept DANE senders delivering. Later
 * cycles say nothing more (the record may as well have been published after the change).
 */
static int eval_rotated(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
			const struct smtp_probe *p, const struct dane_result *res,
			struct seen *seen)
{
	const struct tlsa_lookup *t = &mx->tlsa;
	struct key_change kc;
	struct finding *f;
	char *text;
	int r = -ENOMEM;

	if (res->matched_depth != 0 || t->rrs[res->matched_record].usage != TLSA_USAGE_DANE_EE ||
	    !key_change(ev, mx, a, p, &kc) || !kc.first_now || seen_once(seen, "dane.key-rotated"))
		return 0;
	text = dane_tlsa_explain_rotated(mx, a, (size_t)res->matched_record, &kc);
	if (text == NULL)
		return -ENOMEM;
	f = add(ev, "dane.key-rotated", SEVERITY_OK, "DANE-ROT-01", NULL, mx, a, p, "%s", text);
	if (f != NULL && set_change(f, &kc) == 0)
		r = 0;
	free(text);
	return r;
}

/* A DANE pass, with the advice of DANE-ROT-03 and DANE-SEL-06 when it applies. */
static int eval_pass(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
		     const struct smtp_probe *p, const struct dane_result *res, struct seen *seen)
{
	const struct tlsa_rr *m = &mx->tlsa.rrs[res->matched_record];
	const char *digest = NULL;
	char *records = NULL, *suggest = NULL;
	bool single = false;
	size_t i;
	int r = -ENOMEM;

	/* lib/dane.c notes "the only one of its kind" under DANE-ROT-03 */
	for (i = 0; i < res->notes.n; i++)
		if (strcmp(res->notes.v[i].req, "DANE-ROT-03") == 0 &&
		    strstr(res->notes.v[i].text, "no next key") != NULL)
			single = true;
	if (!single && !(m->usage == TLSA_USAGE_DANE_EE && m->selector == TLSA_SELECTOR_CERT))
		return 0;
	records = dane_tlsa_explain_records(&mx->tlsa, res, true);
	if (records == NULL)
		goto out;
	/* DANE-ROT-03 is a SHOULD: OK with the advice, or WARNING when the operator says so. */
	if (single && !seen_once(seen, "dane.tlsa.single") &&
	    add(ev, "dane.tlsa.single", ev->advice.single_record, "DANE-ROT-03", NULL, mx, a, p,
		"%s [%s] is authenticated by DANE (%s), through a single record: publish the "
		"next key's record beside it at least two TTLs before the next key change",
		mx->name, a->text, records) == NULL)
		goto out;
	if (m->usage == TLSA_USAGE_DANE_EE && m->selector == TLSA_SELECTOR_CERT &&
	    !seen_once(seen, "dane.tlsa.full-cert")) {
		r = dane_tlsa_explain_leaf_record(p->chain[0], &suggest, &digest);
		if (r < 0)
			goto out;
		r = -ENOMEM;
		/* DANE-SEL-06, DANE-USG-02: a certificate record breaks at every renewal */
		if (add(ev, "dane.tlsa.full-cert", ev->advice.full_certificate, "DANE-SEL-06", NULL,
			mx, a, p,
			"%s [%s] is authenticated by a DANE-EE record of the whole certificate "
			"(%s): every renewal breaks it; publish \"%s\" (the key) instead",
			mx->name, a->text, records, suggest) == NULL)
			goto out;
	}
	r = 0;
out:
	free(records);
	free(suggest);
	return r;
}

/* Whether a session found STARTTLS missing or refused (DANE-USG-05, DANE-USG-07). */
static bool starttls_failed(const struct smtp_probe *p)
{
	return p->outcome == PROBE_NO_STARTTLS ||
	       (p->outcome == PROBE_REJECTED && p->stage == STAGE_STARTTLS);
}

/* One address of a host whose secure RRset needs the sessions to be judged. */
static int eval_address(struct eval *ev, const struct mx_host *mx, const struct mx_address *a)
{
	struct seen seen = { .n = 0 };
	size_t k;
	int r = 0;

	for (k = 0; k < a->n_probes && r == 0; k++) {
		const struct smtp_probe *p = &a->probes[k];
		struct dane_result res;

		if (p->chain_len > 0)
			r = run_dane(ev, mx, p, p->starttls_offered, &res);
		else if (starttls_failed(p))
			r = run_dane(ev, mx, p, false, &res);
		else
			continue; /* no TLS facts: mx_starttls reports why */
		if (r < 0)
			break;
		if (res.outcome == DANE_OUTCOME_FAIL)
			r = eval_fail(ev, mx, a, p, &res, &seen);
		else if (res.outcome == DANE_OUTCOME_PASS)
			r = eval_rotated(ev, mx, a, p, &res, &seen);
		if (r == 0 && res.outcome == DANE_OUTCOME_PASS)
			r = eval_pass(ev, mx, a, p, &res, &seen);
		dane_result_clear(&res);
	}
	return r;
}

/* The text of one diagnostic of the result with this requirement, or dflt. */
static const char *diag_text(const struct dane_result *res, const char *req, const char *dflt)
{
	size_t i;

	for (i = 0; i < res->diags.n; i++)
		if (strcmp(res->diags.v[i].req, req) == 0)
			return res->diags.v[i].text;
	return dflt;
}

/* One MX host: first what the lookups decide, then each address when the sessions matter. */
static int eval_host(struct eval *ev, const struct mx_host *mx)
{
	const struct tlsa_lookup *t = &mx->tlsa;
	const char *qname = t->qname != NULL ? t->qname : mx->name;
	struct dane_result res;
	struct finding *f = NULL;
	bool per_address = false;
	char *records;
	size_t j;
	int r;

	if (t->status == DNS_TIMEOUT || t->status == DNS_ERROR) {
		/* no answer from the agent's resolver: its fault, not the domain's */
		f = add(ev, "dane.unknown", SEVERITY_UNKNOWN, "DANE-DNS-01", NULL, mx, NULL, NULL,
			"the TLSA lookup of %s got no answer from the agent's resolver (%s%s%s): "
			"DANE not evaluated",
			qname, dns_status_name(t->status), t->detail != NULL ? ": " : "",
			t->detail != NULL ? t->detail : "");
		return f != NULL ? 0 : -ENOMEM;
	}
	r = run_dane(ev, mx, NULL, true, &res);
	if (r < 0)
		return r;
	/* the records are judged one by one only when the RRset is secure and usable or not */
	records =
	    dane_tlsa_explain_records(t, &res, res.outcome == DANE_OUTCOME_TLS_UNAUTHENTICATED);
	if (records == NULL) {
		r = -ENOMEM;
		goto out;
	}
	switch (res.outcome) {
	case DANE_OUTCOME_HOST_UNREACHABLE:
		/* DANE-DNS-04, DANE-DNS-06 */
		f = add(ev, "dns.dnssec-bogus", SEVERITY_CRITICAL, "DANE-DNS-04",
			res.result_type != NULL ? res.result_type : RT_DNSSEC, mx, NULL, NULL,
			"the TLSA lookup of %s fails at a validating resolver (%s: DNSSEC bogus "
			"or the zone's servers broken): senders with DANE defer mail to %s; fix "
			"the zone's signatures and DS records or its name servers",
			qname, dns_status_name(t->status), mx->name);
		if (f != NULL && finding_set_string(f, "status", dns_status_name(t->status)) < 0)
			f = NULL;
		break;
	case DANE_OUTCOME_NOT_APPLICABLE:
		/* DANE-LKP-04: records nobody can authenticate; DANE-DNS-03: none at all */
		if (t->n_rrs == 0 || t->status != DNS_OK) {
			r = 0;
			goto out;
		}
		f = add(ev, "dane.tlsa.insecure", SEVERITY_WARNING, "DANE-LKP-04", NULL, mx, NULL,
			NULL,
			"%s has TLSA records but its %s answer is not DNSSEC-secure: DANE is not "
			"in force for %s and senders use opportunistic TLS; sign the zone (and "
			"publish its DS) or remove the records (%s)",
			qname, !t->secure ? "TLSA" : "address", mx->name, records);
		break;
	case DANE_OUTCOME_TLS_UNAUTHENTICATED:
		/* DANE-USG-01 case 2, DANE-USG-03: TLS is required, nothing is authenticated */
		f = add(ev, "dane.tlsa.unusable", SEVERITY_WARNING,
			strcmp(diag_text(&res, "DANE-USG-03", ""), "") != 0 ? "DANE-USG-03"
									    : "DANE-USG-01",
			NULL, mx, NULL, NULL,
			"no TLSA record of %s is usable (%s): DANE senders require TLS with %s "
			"but authenticate nothing; publish \"3 1 1\" records of the server's keys",
			qname, records, mx->name);
		break;
	case DANE_OUTCOME_FAIL:
		/* usable records and no chain yet: each address's sessions decide */
		per_address = true;
		break;
	default:
		r = 0;
		goto out;
	}
	if (!per_address && f == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = 0;
	/* the sessions matter for usable records, and for STARTTLS under any secure record */
	if (res.outcome != DANE_OUTCOME_TLS_UNAUTHENTICATED && !per_address)
		goto out;
	for (j = 0; j < mx->n_addrs && r == 0; j++)
		r = eval_address(ev, mx, &mx->addrs[j]);
out:
	free(records);
	dane_result_clear(&res);
	return r;
}

/* Whether there is anything DANE to judge: a TLSA record or a failed lookup. */
static bool dane_relevant(const struct snapshot *snap)
{
	size_t i;

	if (snap->mx_status == DNS_SERVFAIL)
		return true;
	for (i = 0; i < snap->n_mx; i++) {
		const struct tlsa_lookup *t = &snap->mx[i].tlsa;

		if (t->looked_up &&
		    (t->n_rrs > 0 ||
		     (t->status != DNS_OK && t->status != DNS_NODATA && t->status != DNS_NXDOMAIN)))
			return true;
	}
	return false;
}

/*
 * The wire size of a TLSA RRset as a server sends it, each RR with its owner name uncompressed:
 * name, TYPE, CLASS, TTL, RDLENGTH (10 octets), then usage, selector, matching type and data.
 */
static size_t rrset_size(const struct tlsa_lookup *t)
{
	size_t owner = t->qname != NULL ? strlen(t->qname) + 2 : 2, n = 0, i;

	for (i = 0; i < t->n_rrs; i++)
		n += owner + 10 + 3 + t->rrs[i].len;
	return n;
}

/*
 * Rules on the secure RRset itself, whatever the chains: its size (DANE-PUB-02) and the validity
 * of its signature (DANE-EXP-03: the DANE binding expires with the RRSIG).
 */
static int eval_rrset(struct eval *ev, const struct mx_host *mx)
{
	const struct tlsa_lookup *t = &mx->tlsa;
	time_t now = ev->snap->taken_at;
	size_t size = rrset_size(t);
	char when[32];
	struct finding *f;

	if (t->status != DNS_OK || !t->secure)
		return 0;
	if (size > DANE_UDP_SIZE) {
		f = add(ev, "dane.tlsa.large", SEVERITY_WARNING, "DANE-PUB-02", NULL, mx, NULL,
			NULL,
			"the TLSA RRset of %s is %zu octets on the wire (%zu records), more than "
			"fits a %d-octet UDP answer: resolvers must retry over TCP and some "
			"senders fail; keep only the current and next records",
			t->qname, size, t->n_rrs, DANE_UDP_SIZE);
		if (f == NULL || finding_set_int(f, "octets", (long long)size) < 0)
			return -ENOMEM;
	}
	if (t->sig_expiration == 0)
		return 0;
	dane_tlsa_explain_time(t->sig_expiration, when, sizeof(when));
	if (t->sig_expiration - now < RRSIG_WARN_SECS) {
		f = add(ev, "dane.tlsa.rrsig-expiring", SEVERITY_WARNING, "DANE-EXP-03", NULL, mx,
			NULL, NULL,
			"the signature over the TLSA RRset of %s expires at %s: when it does, the "
			"records turn bogus and DANE senders defer mail to %s; check that the "
			"zone is being re-signed",
			t->qname, when, mx->name);
		if (f == NULL || finding_set_int(f, "expires_in_seconds",
						 (long long)(t->sig_expiration - now)) < 0)
			return -ENOMEM;
	} else if (t->sig_expiration - t->sig_inception > RRSIG_LONG_SECS) {
		f = add(
		    ev, "dane.tlsa.rrsig-long", SEVERITY_OK, "DANE-EXP-03", NULL, mx, NULL, NULL,
		    "the signature over the TLSA RRset of %s is valid for %lld days (until "
		    "%s): a record withdrawn after a key compromise can be replayed that long; "
		    "prefer signatures valid for a few weeks at most",
		    t->qname, (long long)((t->sig_expiration - t->sig_inception) / 86400), when);
		if (f == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* Only OK and WARNING make sense for advice: a pass is never CRITICAL. */
static int dane_tlsa_configure(const struct check_settings *settings, void **ret_priv,
			       struct mxs_error *reterr)
{
	struct dane_priv *p;

	if ((settings->dane_single_record != SEVERITY_OK &&
	     settings->dane_single_record != SEVERITY_WARNING) ||
	    (settings->dane_full_certificate != SEVERITY_OK &&
	     settings->dane_full_certificate != SEVERITY_WARNING))
		return mxs_error_set(reterr, NULL, NULL,
				     "dane_tlsa: advice levels are OK or WARNING");
	/* the defaults need nothing kept */
	if (settings->dane_single_record == SEVERITY_OK &&
	    settings->dane_full_certificate == SEVERITY_OK) {
		*ret_priv = NULL;
		return 0;
	}
	p = malloc(sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	*p = (struct dane_priv){ .single_record = settings->dane_single_record,
				 .full_certificate = settings->dane_full_certificate };
	*ret_priv = p;
	return 0;
}

static void dane_tlsa_release(void *priv)
{
	free(priv);
}

static int dane_tlsa_evaluate(const struct snapshot *snap, const struct history *hist,
			      const void *priv, struct findings *out)
{
	struct eval ev = { .snap = snap, .hist = hist, .out = out };
	struct finding *f;
	size_t i;
	int r;

	if (priv != NULL)
		ev.advice = *(const struct dane_priv *)priv;
	if (snap->unknown_reason != NULL) {
		/* DESIGN.md: when the agent could not tell, say so and blame nothing. */
		if (add(&ev, "check.unknown", SEVERITY_UNKNOWN, NULL, NULL, NULL, NULL, NULL,
			"not evaluated: %s", snap->unknown_reason) == NULL)
			return -ENOMEM;
		return 0;
	}
	if (!dane_relevant(snap))
		return 0;
	if (snap->dnssec_unknown_reason != NULL) {
		/* DANE-DNS-01: without a validating resolver no verdict, good or bad */
		if (add(&ev, "dane.unknown", SEVERITY_UNKNOWN, "DANE-DNS-01", NULL, NULL, NULL,
			NULL, "DANE not evaluated: %s", snap->dnssec_unknown_reason) == NULL)
			return -ENOMEM;
		return 0;
	}
	if (snap->mx_status == DNS_SERVFAIL) {
		/* DANE-DNS-04: an MX lookup error delays all mail; TLSA is never reached */
		f = add(&ev, "dns.dnssec-bogus", SEVERITY_CRITICAL, "DANE-DNS-04", RT_DNSSEC, NULL,
			NULL, NULL,
			"the MX lookup of %s fails at a validating resolver (servfail: DNSSEC "
			"bogus or the zone's servers broken): senders defer all mail to it; check "
			"the DS records at the parent and the zone's signatures",
			snap->domain);
		if (f == NULL || finding_set_string(f, "status", "servfail") < 0)
			return -ENOMEM;
		return 0;
	}
	for (i = 0; i < snap->n_mx; i++) {
		if (!snap->mx[i].tlsa.looked_up)
			continue;
		r = eval_rrset(&ev, &snap->mx[i]);
		if (r == 0)
			r = eval_host(&ev, &snap->mx[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

const struct check check_dane_tlsa = {
	.name = CHECK_NAME,
	.needs = OBS_MX | OBS_SMTP | OBS_TLSA,
	.configure = dane_tlsa_configure,
	.evaluate = dane_tlsa_evaluate,
	.release = dane_tlsa_release,
};
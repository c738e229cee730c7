/*
 * mx_starttls.c - STARTTLS, TLS version, chain and name on every MX address.
 *
 * Reads the SMTP sessions of the snapshot (one per MX address and certificate algorithm) and
 * reports, per address, what a sender that requires authenticated TLS trips over: STARTTLS
 * missing or refused (STS-CERT-01, COMMON-STLS-01/02), a failed handshake, TLS below 1.2
 * (STS-CERT-08), a chain that does not validate (STS-CERT-03), a certificate that is not valid
 * for the MX host name (STS-CERT-04/05); and what keeps a sender from talking to an MX at all
 * (timeouts, refused or closed connections, rejections), judged against the domain's other MX
 * addresses (COMMON-STLS-05). The domain-level MX facts (null MX, implicit MX, a failed MX
 * lookup, a host without addresses) are reported here too: this is the check that needs the MX
 * RRset.
 *
 * Expired and not-yet-valid certificates are left to cert_expiry (checks/cert_expiry.c), which
 * reports each certificate once with its dates; this check does not report them again.
 *
 * Severity of TLS failures follows what senders do with them (RFC 8461 §5, spec/README.md):
 * under an MTA-STS "enforce" policy they refuse the MX (STS-MODE-01): CRITICAL; under
 * "testing", or without an active policy, TLS is opportunistic and the fault only weakens it:
 * WARNING, saying what would break at cutover. When the domain's MTA-STS state was not gathered
 * (the mta_sts check is off), the domain is treated as requiring authenticated TLS, which is
 * what an organisation watching its own domains wants to hear about: CRITICAL.
 *
 * Findings about one address are reported once even when several probes (the default one and
 * the algorithm-restricted ones) see the same fault: a certificate fault once per presented
 * leaf (by SHA2-256), any other fault once per outcome.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509_vfy.h>

#include "checks/check.h"
#include "lib/hostmatch.h"
#include "lib/sts_view.h"

#define CHECK_NAME "mx_starttls"

/* TLS 1.2 as on the wire (RFC 5246); STS-CERT-08 requires at least this. */
#define TLS_VERSION_1_2 0x0303

/* At most this many certificate names are quoted in a name-mismatch message. */
#define NAMES_QUOTED 8

/* RFC 8460 §4.3 result types, as mapped by RPT-RES-05. */
#define RT_STARTTLS      "starttls-not-supported"
#define RT_HOST_MISMATCH "certificate-host-mismatch"
#define RT_NOT_TRUSTED   "certificate-not-trusted"
#define RT_VALIDATION    "validation-failure"

/* What one evaluation works on. */
struct eval {
	const struct snapshot *snap;
	struct findings *out;
	enum severity tls_severity; /* of TLS faults, by the MTA-STS mode (see the top) */
	const char *tls_context;    /* said after a TLS fault's message: why this severity */
};

/* The severity of TLS faults and the words that explain it, from the domain's MTA-STS state. */
static int grade_tls(struct eval *ev)
{
	struct sts_view v;

	if (sts_view_build(ev->snap, &v) < 0)
		return -ENOMEM;
	if (v.state == STS_NOT_GATHERED || v.state == STS_UNKNOWN) {
		ev->tls_severity = SEVERITY_CRITICAL;
		ev->tls_context = "";
	} else if (v.state == STS_ACTIVE && v.policy->mode == STS_MODE_ENFORCE) {
		ev->tls_severity = SEVERITY_CRITICAL;
		ev->tls_context = " (MTA-STS enforce: senders refuse this MX)";
	} else if (v.state == STS_ACTIVE && v.policy->mode == STS_MODE_TESTING) {
		ev->tls_severity = SEVERITY_WARNING;
		ev->tls_context = " (MTA-STS testing: senders would refuse this MX under enforce)";
	} else {
		ev->tls_severity = SEVERITY_WARNING;
		ev->tls_context =
		    " (no MTA-STS policy in force: only opportunistic TLS is weakened)";
	}
	sts_view_clear(&v);
	return 0;
}

/*
 * Append a finding about mx/address/probe (each may be NULL) with a formatted message. The
 * subject names the algorithm only for the algorithm-restricted probes. Returns the finding, or
 * NULL on memory exhaustion.
 */
__attribute__((format(printf, 9, 10))) static struct finding *add(
    struct eval *ev, const char *code, enum severity sev, const char *req, const char *rt,
    const struct mx_host *mx, const struct mx_address *a, const struct smtp_probe *p,
    const char *fmt, ...)
{
	struct finding_subject subj = snapshot_subject(mx, a, p);
	struct finding *f;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	if (msg == NULL)
		return NULL;
	/* A TLS fault says why it has its severity: the MTA-STS mode senders act on. */
	f = findings_add(ev->out, CHECK_NAME, code, sev, req, rt, ev->snap->domain,
			 mx != NULL ? &subj : NULL, "%s%s", msg,
			 strncmp(code, "tls.", 4) == 0 && ev->tls_context != NULL ? ev->tls_context
										  : "");
	free(msg);
	return f;
}

/*
 * Whether a session got through to SMTP over TLS. A failure at QUIT does not spoil a session
 * (lib/snapshot.h): the mail would have been delivered by then.
 */
static bool session_completed(const struct smtp_probe *p)
{
	return p->outcome == PROBE_OK || p->stage == STAGE_QUIT;
}

/*
 * COMMON-STLS-05: a fault that stops senders from talking to one address costs a retry when
 * another session of the domain got through (another address, or the same address for the
 * other clients when only an algorithm-restricted session failed): WARNING. When none did, mail
 * waits (CRITICAL). skip is the failed session (NULL for a host without addresses).
 */
static enum severity reach_severity(const struct snapshot *snap, const struct smtp_probe *skip)
{
	size_t i, j, k;

	for (i = 0; i < snap->n_mx; i++)
		for (j = 0; j < snap->mx[i].n_addrs; j++)
			for (k = 0; k < snap->mx[i].addrs[j].n_probes; k++) {
				const struct smtp_probe *p = &snap->mx[i].addrs[j].probes[k];

				if (p != skip && session_completed(p))
					return SEVERITY_WARNING;
			}
	return SEVERITY_CRITICAL;
}

static const char *tls_version_text(const struct smtp_probe *p)
{
	if (p->tls_version_name != NULL)
		return p->tls_version_name;
	switch (p->tls_version) {
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv1";
	case 0x0302:
		return "TLSv1.1";
	default:
		return "unknown";
	}
}

/* Expiry is cert_expiry's business (COMMON-EXP-01): not a trust fault of this check. */
static bool verify_is_expiry(long code)
{
	return code == X509_V_ERR_CERT_HAS_EXPIRED || code == X509_V_ERR_CERT_NOT_YET_VALID ||
	       code == X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD ||
	       code == X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD;
}

/* What the operator should do about a chain that does not validate (STS-CERT-03). */
static const char *untrusted_fix(long code)
{
	switch (code) {
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return "replace the self-signed certificate with one from a publicly trusted CA";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "send the intermediate certificates with the leaf, or use a publicly "
		       "trusted CA";
	default:
		return "install a certificate and chain that validate to a publicly trusted CA";
	}
}

/*
 * STS-CERT-05: a wildcard covers exactly one label, so "*.example.com" does not cover
 * "mx.in.example.com". True when san is such a wildcard whose base is a proper suffix of host
 * with more than one label in front: the name looks right to a person but is not.
 */
static bool wildcard_too_deep(const char *san, const char *host)
{
	size_t hl = strlen(host), bl;
	const char *base, *dot;

	if (strncmp(san, "*.", 2) != 0)
		return false;
	base = san + 1; /* ".example.com" */
	bl = strlen(base);
	if (hl <= bl || strcasecmp(host + hl - bl, base) != 0)
		return false;
	dot = memchr(host, '.', hl - bl);
	return dot != NULL;
}

/* "a, b, c and 3 more" of a NULL-terminated list; NULL on memory exhaustion. */
static char *join_names(const char *const *names)
{
	size_t n = 0, len = 1, i, shown;
	char *s, *p;

	while (names != NULL && names[n] != NULL)
		n++;
	shown = n < NAMES_QUOTED ? n : NAMES_QUOTED;
	for (i = 0; i < shown; i++)
		len += strlen(names[i]) + 2;
	len += 32; /* " and N more" */
	s = malloc(len);
	if (s == NULL)
		return NULL;
	p = s;
	*p = '\0';
	for (i = 0; i < shown; i++) {
		size_t l = strlen(names[i]);

		if (i > 0) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		memcpy(p, names[i], l);
		p += l;
		*p = '\0';
	}
	if (n > shown && snprintf(p, len - (size_t)(p - s), " and %zu more", n - shown) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Whether an earlier probe of the address presented the same leaf (its faults are reported). */
static bool leaf_seen(const struct mx_address *a, size_t k)
{
	const struct certinfo *leaf = a->probes[k].chain[0];
	size_t i;

	for (i = 0; i < k; i++)
		if (a->probes[i].chain_len > 0 &&
		    memcmp(a->probes[i].chain[0]->sha256, leaf->sha256, sizeof(leaf->sha256)) == 0)
			return true;
	return false;
}

/* Whether an earlier probe of the address ended the same way (its finding is reported). */
static bool outcome_seen(const struct mx_address *a, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (a->probes[i].outcome == a->probes[k].outcome &&
		    a->probes[i].stage == a->probes[k].stage)
			return true;
	return false;
}

/* Whether an earlier probe of the address negotiated the same version. */
static bool version_seen(const struct mx_address *a, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (a->probes[i].tls_version == a->probes[k].tls_version)
			return true;
	return false;
}

/* Fill the values every finding about a session outcome carries. */
static int probe_values(struct finding *f, const struct smtp_probe *p)
{
	int r;

	r = finding_set_string(f, "stage", probe_stage_name(p->stage));
	if (r == 0 && p->detail != NULL)
		r = finding_set_string(f, "detail", p->detail);
	if (r == 0 && p->reply_code > 0)
		r = finding_set_int(f, "reply_code", p->reply_code);
	return r;
}

/* A session that never reached TLS, or stopped on the way (everything but the TLS facts). */
static int eval_outcome(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
			const struct smtp_probe *p)
{
	const char *detail = p->detail != NULL ? p->detail : "no detail";
	const char *stage = probe_stage_name(p->stage);
	const char *code = NULL;
	struct finding *f = NULL;

	if (session_completed(p))
		return 0;
	switch (p->outcome) {
	case PROBE_OK:
	case PROBE_NO_ALGORITHM:
		/* A restricted probe the server has no certificate for is not a fault. */
		return 0;
	case PROBE_NO_STARTTLS:
		/* STS-CERT-01, COMMON-STLS-01: senders requiring TLS cannot deliver. */
		f = add(ev, "tls.starttls-missing", ev->tls_severity, "STS-CERT-01", RT_STARTTLS,
			mx, a, p,
			"%s [%s] does not offer STARTTLS: enable STARTTLS with a valid certificate",
			mx->name, a->text);
		break;
	case PROBE_REJECTED:
		if (p->stage == STAGE_STARTTLS) {
			/* COMMON-STLS-02: a 454 is temporary to the server, but senders
			 * enforcing MTA-STS or DANE defer mail meanwhile. */
			f = add(ev, "tls.starttls-missing", ev->tls_severity, "COMMON-STLS-02",
				RT_STARTTLS, mx, a, p,
				"%s [%s] refuses STARTTLS (%s): make TLS available (certificate, "
				"key, TLS configuration of the MTA)",
				mx->name, a->text, detail);
			break;
		}
		code = "smtp.rejected";
		break;
	case PROBE_TLS_FAILED:
		/* STS-CERT-01: the handshake must complete; RPT-RES-05 has no closer type. */
		f = add(ev, "tls.handshake-failed", ev->tls_severity, "STS-CERT-01", RT_VALIDATION,
			mx, a, p,
			"TLS handshake with %s [%s] failed (%s): allow TLS 1.2 or 1.3 with current "
			"cipher suites and a certificate the server can use",
			mx->name, a->text, detail);
		break;
	case PROBE_TIMEOUT:
		code = "smtp.timeout";
		break;
	case PROBE_CLOSED:
		code = "smtp.closed";
		break;
	case PROBE_PROTOCOL:
		code = "smtp.protocol";
		break;
	case PROBE_REFUSED:
		code = "smtp.refused";
		break;
	case PROBE_UNREACHABLE:
		/* DESIGN.md: UNKNOWN is never the domain's fault; no route is our network. */
		f = add(ev, "smtp.unreachable", SEVERITY_UNKNOWN, "COMMON-STLS-05", NULL, mx, a, p,
			"this host cannot reach %s addresses (%s [%s]: %s): check the agent's own "
			"network, not the domain",
			mx_address_family_name(a), mx->name, a->text, detail);
		if (f != NULL && finding_set_string(f, "family", mx_address_family_name(a)) != 0)
			return -ENOMEM;
		break;
	case PROBE_LOCAL_ERROR:
	default:
		f = add(ev, "smtp.local-error", SEVERITY_UNKNOWN, NULL, NULL, mx, a, p,
			"the agent failed to probe %s [%s] (%s): see the agent's log", mx->name,
			a->text, detail);
		break;
	}
	if (code != NULL) {
		/* COMMON-STLS-05: judged against the domain's other addresses. RPT-RES-04:
		 * transient failures have no result type. */
		f = add(ev, code, reach_severity(ev->snap, p), "COMMON-STLS-05", NULL, mx, a, p,
			"%s [%s]: %s at %s (%s): senders cannot deliver to this address; check the "
			"MTA, its firewall and its load",
			mx->name, a->text, probe_outcome_name(p->outcome), stage, detail);
	}
	if (f == NULL)
		return -ENOMEM;
	return probe_values(f, p);
}

/* STS-CERT-08: TLS 1.2 or higher. */
static int eval_version(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
			const struct smtp_probe *p)
{
	const char *name = tls_version_text(p);
	struct finding *f;

	f = add(ev, "tls.version", ev->tls_severity, "STS-CERT-08", RT_VALIDATION, mx, a, p,
		"%s [%s] negotiated %s: enable TLS 1.2 and 1.3 (senders enforcing MTA-STS "
		"require TLS 1.2 or higher)",
		mx->name, a->text, name);
	if (f == NULL || finding_set_string(f, "tls_version", name) != 0 ||
	    finding_set_int(f, "tls_version_code", p->tls_version) != 0)
		return -ENOMEM;
	return 0;
}

/* STS-CERT-03: the chain must validate to a trusted root; expiry is left to cert_expiry. */
static int eval_trust(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
		      const struct smtp_probe *p)
{
	const struct chain_verdict *v = &p->verify_now;
	const char *text = v->text != NULL ? v->text : "verification failed";
	struct finding *f;

	if (v->code <= 0 || verify_is_expiry(v->code))
		return 0;
	if (v->depth >= 0)
		f = add(ev, "tls.untrusted", ev->tls_severity, "STS-CERT-03", RT_NOT_TRUSTED, mx, a,
			p, "certificate chain of %s [%s] does not validate: %s (depth %d): %s",
			mx->name, a->text, text, v->depth, untrusted_fix(v->code));
	else
		f = add(ev, "tls.untrusted", ev->tls_severity, "STS-CERT-03", RT_NOT_TRUSTED, mx, a,
			p, "certificate chain of %s [%s] does not validate: %s: %s", mx->name,
			a->text, text, untrusted_fix(v->code));
	if (f == NULL || finding_set_int(f, "verify_code", v->code) != 0 ||
	    finding_set_string(f, "verify_text", text) != 0 ||
	    finding_set_int(f, "depth", v->depth) != 0)
		return -ENOMEM;
	return 0;
}

/* STS-CERT-04/05: a SAN DNS-ID of the leaf must cover the MX host name; never the CN. */
static int eval_name(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
		     const struct smtp_probe *p)
{
	static const char *const none[] = { NULL };
	const struct certinfo *leaf = p->chain[0];
	const char *const *san = leaf->san != NULL ? (const char *const *)leaf->san : none;
	const char *const refs[] = { mx->name, NULL };
	const char *req = "STS-CERT-04";
	struct finding *f;
	char *names;
	size_t i;
	int r = -ENOMEM;

	if (hostmatch_cert(HOSTMATCH_STS_MX, san, leaf->cn, refs, NULL))
		return 0;
	for (i = 0; san[i] != NULL; i++)
		if (wildcard_too_deep(san[i], mx->name))
			req = "STS-CERT-05";
	names = join_names(san);
	if (names == NULL)
		return -ENOMEM;
	if (san[0] == NULL)
		f = add(ev, "tls.name-mismatch", ev->tls_severity, req, RT_HOST_MISMATCH, mx, a, p,
			"certificate of %s [%s] has no DNS names (subject CN %s does not count): "
			"get a certificate whose subjectAltName includes %s",
			mx->name, a->text, leaf->cn != NULL ? leaf->cn : "none", mx->name);
	else
		f = add(ev, "tls.name-mismatch", ev->tls_severity, req, RT_HOST_MISMATCH, mx, a, p,
			"certificate of %s [%s] is for %s, not %s%s: get a certificate whose "
			"subjectAltName includes %s",
			mx->name, a->text, names, mx->name,
			strcmp(req, "STS-CERT-05") == 0 ? " (a wildcard covers one label only)"
							: "",
			mx->name);
	if (f != NULL && finding_set_string(f, "names", names) == 0 &&
	    finding_set_string(f, "host", mx->name) == 0)
		r = 0;
	free(names);
	return r;
}

/* Every probe of one address. */
static int eval_address(struct eval *ev, const struct mx_host *mx, const struct mx_address *a)
{
	size_t k;
	int r;

	for (k = 0; k < a->n_probes; k++) {
		const struct smtp_probe *p = &a->probes[k];

		if (!outcome_seen(a, k)) {
			r = eval_outcome(ev, mx, a, p);
			if (r < 0)
				return r;
		}
		/* The TLS facts count even when the session stopped later (EHLO over TLS). */
		if (p->tls_version != 0 && p->tls_version < TLS_VERSION_1_2 &&
		    !version_seen(a, k)) {
			r = eval_version(ev, mx, a, p);
			if (r < 0)
				return r;
		}
		if (p->chain_len == 0 || leaf_seen(a, k))
			continue;
		r = eval_trust(ev, mx, a, p);
		if (r == 0)
			r = eval_name(ev, mx, a, p);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A host whose A and AAAA lookups gave no address. */
static int eval_no_address(struct eval *ev, const struct mx_host *mx)
{
	enum severity sev;
	struct finding *f;
	bool unsure;

	/* Only NODATA/NXDOMAIN on both is the zone's answer; a timeout or error is ours, and a
	 * SERVFAIL is what every sender's resolver sees too. */
	unsure = mx->a_status == DNS_TIMEOUT || mx->a_status == DNS_ERROR ||
		 mx->aaaa_status == DNS_TIMEOUT || mx->aaaa_status == DNS_ERROR;
	sev = unsure ? SEVERITY_UNKNOWN : reach_severity(ev->snap, NULL);
	f = add(ev, "mx.no-address", sev, "RFC5321-5.1", NULL, mx, NULL, NULL,
		"MX host %s has no address (A: %s, AAAA: %s): publish its A/AAAA records or fix "
		"the MX record",
		mx->name, dns_status_name(mx->a_status), dns_status_name(mx->aaaa_status));
	if (f == NULL || finding_set_string(f, "a_status", dns_status_name(mx->a_status)) != 0 ||
	    finding_set_string(f, "aaaa_status", dns_status_name(mx->aaaa_status)) != 0)
		return -ENOMEM;
	return 0;
}

/* The MX lookup itself; returns 1 when there is nothing more to evaluate. */
static int eval_mx_lookup(struct eval *ev)
{
	const struct snapshot *snap = ev->snap;
	const char *st = dns_status_name(snap->mx_status);
	struct finding *f;

	switch (snap->mx_status) {
	case DNS_OK:
	case DNS_NODATA:
		return 0;
	case DNS_NXDOMAIN:
		f = add(ev, "dns.nxdomain", SEVERITY_CRITICAL, "RFC5321-5.1", NULL, NULL, NULL,
			NULL,
			"%s does not exist in the DNS (NXDOMAIN): mail to it bounces; check the "
			"delegation and the zone",
			snap->domain);
		break;
	case DNS_SERVFAIL:
		/* Every sender's resolver fails the same way: mail is deferred, then bounced. */
		f = add(
		    ev, "dns.mx-lookup", SEVERITY_CRITICAL, "RFC5321-5.1", NULL, NULL, NULL, NULL,
		    "MX lookup of %s fails (SERVFAIL): senders defer mail; check the zone's "
		    "name servers and, if it is signed, its DNSSEC chain (DS, keys, signatures)",
		    snap->domain);
		break;
	default:
		f = add(ev, "dns.mx-lookup", SEVERITY_UNKNOWN, NULL, NULL, NULL, NULL, NULL,
			"MX lookup of %s got no answer (%s) from the agent's resolver: check the "
			"agent's resolver and network",
			snap->domain, st);
		break;
	}
	if (f == NULL || finding_set_string(f, "status", st) != 0)
		return -ENOMEM;
	return 1;
}

static int mx_starttls_evaluate(const struct snapshot *snap, const struct history *hist,
				const void *priv, struct findings *out)
{
	struct eval ev = { .snap = snap, .out = out };
	size_t i, j;
	int r;

	(void)hist;
	(void)priv;
	if (grade_tls(&ev) < 0)
		return -ENOMEM;
	if (snap->unknown_reason != NULL) {
		/* DESIGN.md: when the agent could not tell, say so and blame nothing. */
		if (add(&ev, "check.unknown", SEVERITY_UNKNOWN, NULL, NULL, NULL, NULL, NULL,
			"not evaluated: %s", snap->unknown_reason) == NULL)
			return -ENOMEM;
		return 0;
	}
	r = eval_mx_lookup(&ev);
	if (r != 0)
		return r < 0 ? r : 0;
	if (snap->null_mx) {
		if (add(&ev, "mx.null", SEVERITY_OK, "RFC7505", NULL, NULL, NULL, NULL,
			"%s accepts no mail (RFC 7505 null MX)", snap->domain) == NULL)
			return -ENOMEM;
		return 0;
	}
	if (snap->n_mx == 0) {
		if (add(&ev, "mx.no-address", SEVERITY_CRITICAL, "RFC5321-5.1", NULL, NULL, NULL,
			NULL,
			"%s has neither an MX record nor an address: it cannot receive mail; "
			"publish an MX record (or \"MX 0 .\" if it takes no mail)",
			snap->domain) == NULL)
			return -ENOMEM;
		return 0;
	}
	for (i = 0; i < snap->n_mx; i++) {
		const struct mx_host *mx = &snap->mx[i];

		/* RFC 5321 §5.1: without an MX RRset the domain's own address is its MX. */
		if (mx->implicit &&
		    add(&ev, "mx.implicit", SEVERITY_OK, "RFC5321-5.1", NULL, mx, NULL, NULL,
			"%s has no MX record: senders deliver to its own address (implicit MX); "
			"publish an MX record to make this explicit",
			snap->domain) == NULL)
			return -ENOMEM;
		if (mx->n_addrs == 0) {
			r = eval_no_address(&ev, mx);
			if (r < 0)
				return r;
		}
		for (j = 0; j < mx->n_addrs; j++) {
			r = eval_address(&ev, mx, &mx->addrs[j]);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

const struct check check_mx_starttls = {
	.name = CHECK_NAME,
	.needs = OBS_MX | OBS_SMTP,
	.configure = check_configure_none,
	.evaluate = mx_starttls_evaluate,
	.release = check_release_none,
};

/*
 * cert_expiry.c - time left on every certificate an MX presents, and on the path it builds to.
 *
 * For every MX address, each certificate presented by any of its sessions (leaf and
 * intermediates, and a root if the server sends one: COMMON-EXP-04 says every certificate of
 * the presented chain) is judged against the snapshot's time:
 *   - expired (now > notAfter) or not yet valid (now < notBefore): CRITICAL (STS-CERT-02,
 *     COMMON-EXP-01); a certificate is still valid at its very notAfter second (COMMON-EXP-05);
 *   - expiring within the critical threshold: CRITICAL, within the warning one: WARNING
 *     (COMMON-EXP-04; thresholds from the configuration).
 * Certificates of the validated path that the server did not send (an intermediate or root from
 * the CA bundle) are judged the same way, since senders need them as well. Where the path itself
 * was not recorded, the path validations at "now + threshold" of the snapshot still tell that
 * some certificate of the path runs out first, and at which depth.
 *
 * Each certificate is reported once per address: the default session and the algorithm-
 * restricted ones usually present the same certificates, told apart by SHA2-256. A certificate
 * seen only by a restricted session (the RSA certificate of a dual-certificate server) carries
 * that algorithm in its subject.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509_vfy.h>

#include "checks/check.h"

#define CHECK_NAME "cert_expiry"

#define SECS_PER_DAY 86400LL

/* RFC 8460 §4.3 result type for expired and not-yet-valid certificates (RPT-RES-05). */
#define RT_EXPIRED "certificate-expired"

/* The validated settings (configure()). */
struct expiry_cfg {
	long warning;  /* seconds */
	long critical; /* seconds, < warning */
};

/* Where a judged certificate came from. */
struct cert_ref {
	const struct certinfo *cert;
	const struct smtp_probe *probe; /* the first session that showed it */
	size_t depth;                   /* its place in that chain or path, 0 = leaf */
	bool presented;                 /* sent by the server, not taken from the CA bundle */
};

/* What one evaluation works on. */
struct eval {
	const struct snapshot *snap;
	const struct expiry_cfg *cfg;
	struct findings *out;
	struct cert_ref *seen; /* certificates of the current address, judged already */
	size_t n_seen;
};

static int cert_expiry_configure(const struct check_settings *settings, void **ret_priv,
				 struct mxs_error *reterr)
{
	struct expiry_cfg *cfg;

	if (settings == NULL)
		return mxs_error_set(reterr, NULL, "COMMON-EXP-04",
				     "cert_expiry: no certificate thresholds given");
	if (settings->cert_warning < 0 || settings->cert_critical < 0)
		return mxs_error_set(reterr, NULL, "COMMON-EXP-04",
				     "cert_expiry: certificate thresholds must not be negative "
				     "(warning %lds, critical %lds)",
				     settings->cert_warning, settings->cert_critical);
	if (settings->cert_critical >= settings->cert_warning)
		return mxs_error_set(reterr, NULL, "COMMON-EXP-04",
				     "cert_expiry: the critical threshold (%lds) must be shorter "
				     "than the warning threshold (%lds)",
				     settings->cert_critical, settings->cert_warning);
	cfg = malloc(sizeof(*cfg));
	if (cfg == NULL)
		return -ENOMEM;
	cfg->warning = settings->cert_warning;
	cfg->critical = settings->cert_critical;
	*ret_priv = cfg;
	return 0;
}

static void cert_expiry_release(void *priv)
{
	free(priv);
}

/* ISO 8601 UTC ("2026-12-02T01:28:58Z") into buf (at least 32 bytes). */
static void iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, len, "@%lld", (long long)t);
}

/* "leaf", "intermediate", "root", with "from the CA bundle" for what was not presented. */
static const char *position(const struct cert_ref *ref)
{
	if (ref->depth == 0)
		return "leaf";
	if (ref->cert->self_signed)
		return ref->presented ? "root" : "root from the CA bundle";
	return ref->presented ? "intermediate" : "intermediate from the CA bundle";
}

/* Whether a certificate with this digest was judged already for the current address. */
static bool seen(const struct eval *ev, const struct certinfo *c)
{
	size_t i;

	for (i = 0; i < ev->n_seen; i++)
		if (memcmp(ev->seen[i].cert->sha256, c->sha256, sizeof(c->sha256)) == 0)
			return true;
	return false;
}

/*
 * Append a finding about a certificate with the values every certificate finding carries.
 * Returns the finding, or NULL on memory exhaustion.
 */
__attribute__((format(printf, 8, 9))) static struct finding *add_cert(
    struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
    const struct cert_ref *ref, const char *code, enum severity sev, const char *req,
    const char *fmt, ...)
{
	const struct smtp_probe *p = ref->probe;
	struct finding_subject subj = {
		.mx = mx->name,
		.address = a->text,
		.alg = p->alg != PROBE_ALG_ANY ? probe_alg_name(p->alg) : NULL,
	};
	const char *rt = strcmp(code, "cert.expiring") == 0 ? NULL : RT_EXPIRED;
	char not_after[32];
	struct finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = findings_addv(ev->out, CHECK_NAME, code, sev, req, rt, ev->snap->domain, &subj, fmt,
			  ap);
	va_end(ap);
	iso_time(ref->cert->not_after, not_after, sizeof(not_after));
	if (f == NULL ||
	    finding_set_int(f, "days_left", certinfo_days_left(ref->cert, ev->snap->taken_at)) !=
		0 ||
	    finding_set_string(f, "not_after", not_after) != 0 ||
	    finding_set_int(f, "depth", (long long)ref->depth) != 0 ||
	    finding_set_string(f, "subject",
			       ref->cert->subject != NULL ? ref->cert->subject : "") != 0 ||
	    finding_set_string(f, "key_type", key_type_name(ref->cert->key_type)) != 0 ||
	    finding_set_string(f, "source", ref->presented ? "presented" : "ca-bundle") != 0)
		return NULL;
	return f;
}

/* "in 3 days", "in 1 day", "in less than a day". */
static void days_phrase(long long days, char *buf, size_t len)
{
	if (days <= 0)
		(void)snprintf(buf, len, "in less than a day");
	else
		(void)snprintf(buf, len, "in %lld day%s", days, days == 1 ? "" : "s");
}

/* Judge one certificate (COMMON-EXP-01/04/05, STS-CERT-02). */
static int judge(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
		 const struct cert_ref *ref)
{
	const struct certinfo *c = ref->cert;
	time_t now = ev->snap->taken_at;
	long long left = (long long)c->not_after - (long long)now;
	const char *fix = ref->presented ? "renew it" : "move to a chain that does not need it";
	const char *kt = key_type_name(c->key_type);
	const char *pos = position(ref);
	char when[32], phrase[48];
	enum severity sev;
	struct finding *f;

	if (c->not_before > now) {
		/* COMMON-EXP-01: not yet valid fails validation like expired. */
		iso_time(c->not_before, when, sizeof(when));
		f = add_cert(ev, mx, a, ref, "cert.not-yet-valid", SEVERITY_CRITICAL,
			     "COMMON-EXP-01",
			     "certificate of %s (%s, %s) is not valid before %s: senders that "
			     "validate refuse it; check the issuing date and the server's clock",
			     mx->name, kt, pos, when);
		if (f == NULL || finding_set_string(f, "not_before", when) != 0)
			return -ENOMEM;
		return 0;
	}
	iso_time(c->not_after, when, sizeof(when));
	if (left < 0) {
		/* COMMON-EXP-05: valid at the notAfter second itself, so only left < 0 is past. */
		long long ago = -left / SECS_PER_DAY;

		if (ago == 0)
			(void)snprintf(phrase, sizeof(phrase), "less than a day");
		else
			(void)snprintf(phrase, sizeof(phrase), "%lld day%s", ago,
				       ago == 1 ? "" : "s");
		f = add_cert(ev, mx, a, ref, "cert.expired", SEVERITY_CRITICAL, "STS-CERT-02",
			     "certificate of %s (%s, %s) expired %s ago (%s): senders that "
			     "validate refuse it; %s",
			     mx->name, kt, pos, phrase, when, fix);
		return f != NULL ? 0 : -ENOMEM;
	}
	/* COMMON-EXP-04: "within" the threshold is strictly less time left than it. */
	if (left < ev->cfg->critical)
		sev = SEVERITY_CRITICAL;
	else if (left < ev->cfg->warning)
		sev = SEVERITY_WARNING;
	else
		return 0;
	/* left >= 0 here: whole days are the plain quotient, as in days_left. */
	days_phrase(left / SECS_PER_DAY, phrase, sizeof(phrase));
	f = add_cert(ev, mx, a, ref, "cert.expiring", sev, "COMMON-EXP-04",
		     "certificate of %s (%s, %s) expires %s (%s): %s", mx->name, kt, pos, phrase,
		     when, fix);
	return f != NULL ? 0 : -ENOMEM;
}

/* Judge c unless it was judged for this address already. */
static int consider(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
		    const struct smtp_probe *p, const struct certinfo *c, size_t depth,
		    bool presented)
{
	struct cert_ref *ref;

	if (c == NULL || seen(ev, c))
		return 0;
	ref = &ev->seen[ev->n_seen++];
	ref->cert = c;
	ref->probe = p;
	ref->depth = depth;
	ref->presented = presented;
	return judge(ev, mx, a, ref);
}

/*
 * An expiry error of a path validation at "now + threshold". Only "has expired" counts: the
 * validation ran at a future time, so "not yet valid" cannot come from the threshold.
 */
static bool verdict_expires(const struct chain_verdict *v)
{
	return v->code == X509_V_ERR_CERT_HAS_EXPIRED;
}

/*
 * The path validations at now + critical and now + warning (COMMON-EXP-04): with the path
 * recorded, every certificate of it was judged above; otherwise the verdict still says that a
 * certificate at some depth runs out within the threshold. Reported once per address.
 */
static int eval_verdicts(struct eval *ev, const struct mx_host *mx, const struct mx_address *a,
			 bool *reported)
{
	size_t k;

	for (k = 0; k < a->n_probes && !*reported; k++) {
		const struct smtp_probe *p = &a->probes[k];
		const struct chain_verdict *v;
		const struct certinfo *c = NULL;
		struct finding_subject subj = {
			.mx = mx->name,
			.address = a->text,
			.alg = p->alg != PROBE_ALG_ANY ? probe_alg_name(p->alg) : NULL,
		};
		enum severity sev;
		struct finding *f;
		long secs;

		if (p->chain_len == 0 || p->verify_now.code != X509_V_OK)
			continue;
		if (verdict_expires(&p->verify_critical)) {
			v = &p->verify_critical;
			sev = SEVERITY_CRITICAL;
			secs = ev->snap->critical_secs;
		} else if (verdict_expires(&p->verify_warning)) {
			v = &p->verify_warning;
			sev = SEVERITY_WARNING;
			secs = ev->snap->warning_secs;
		} else {
			continue;
		}
		if (v->depth >= 0 && (size_t)v->depth < p->path_len)
			c = p->path[v->depth];
		else if (v->depth >= 0 && (size_t)v->depth < p->chain_len)
			c = p->chain[v->depth];
		if (c != NULL && seen(ev, c))
			continue; /* judged with its own dates above */
		f = findings_add(
		    ev->out, CHECK_NAME, "cert.expiring", sev, "COMMON-EXP-04", NULL,
		    ev->snap->domain, &subj,
		    "a certificate of the validated chain of %s (depth %d%s%s) expires "
		    "within %ld days: renew it or move to a chain that does not need it",
		    mx->name, v->depth, c != NULL && c->subject != NULL ? ", " : "",
		    c != NULL && c->subject != NULL ? c->subject : "", secs / (long)SECS_PER_DAY);
		if (f == NULL || finding_set_int(f, "depth", v->depth) != 0 ||
		    finding_set_int(f, "within_days", secs / (long)SECS_PER_DAY) != 0 ||
		    (c != NULL && c->subject != NULL &&
		     finding_set_string(f, "subject", c->subject) != 0))
			return -ENOMEM;
		*reported = true;
	}
	return 0;
}

/* Every certificate of one address: presented first, then the rest of the paths. */
static int eval_address(struct eval *ev, const struct mx_host *mx, const struct mx_address *a)
{
	bool reported = false;
	size_t k, i, n = 0;
	int r = 0;

	for (k = 0; k < a->n_probes; k++)
		n += a->probes[k].chain_len + a->probes[k].path_len;
	if (n == 0)
		return 0;
	/* At most every certificate of every session is new: the bound of the seen list. */
	ev->seen = calloc(n, sizeof(*ev->seen));
	if (ev->seen == NULL)
		return -ENOMEM;
	ev->n_seen = 0;
	for (k = 0; k < a->n_probes && r == 0; k++)
		for (i = 0; i < a->probes[k].chain_len && r == 0; i++)
			r = consider(ev, mx, a, &a->probes[k], a->probes[k].chain[i], i, true);
	/*
	 * Then what the server did not send but senders need as well: the path's certificates
	 * from the CA bundle. The presented ones among them were judged above (same digest).
	 */
	for (k = 0; k < a->n_probes && r == 0; k++)
		for (i = 0; i < a->probes[k].path_len && r == 0; i++)
			r = consider(ev, mx, a, &a->probes[k], a->probes[k].path[i], i, false);
	/* Last, what only the validations at now + threshold know (no path recorded). */
	if (r == 0)
		r = eval_verdicts(ev, mx, a, &reported);
	free(ev->seen);
	ev->seen = NULL;
	return r;
}

/*
 * COMMON-EXP-01/04: the MTA-STS policy host's certificate is validated by senders with its
 * dates, like an MX's. Its chain is judged the same way, through a session record that borrows
 * the fetch's chain, path and verdicts, with the policy host as the "MX" of the messages.
 */
static int eval_policy_host(struct eval *ev)
{
	const struct policy_fetch *pf = &ev->snap->policy;
	struct smtp_probe probe = { 0 };
	struct mx_address addr = { 0 };
	struct mx_host host = { 0 };
	int r;

	if (!pf->attempted || pf->chain_len == 0)
		return 0;
	host.name = mxs_strdupf("mta-sts.%s", ev->snap->domain);
	if (host.name == NULL)
		return -ENOMEM;
	probe.alg = PROBE_ALG_ANY;
	probe.outcome = PROBE_OK;
	probe.chain = pf->chain;
	probe.chain_len = pf->chain_len;
	probe.path = pf->path;
	probe.path_len = pf->path_len;
	probe.verify_now = pf->verify_now;
	probe.verify_warning = pf->verify_warning;
	probe.verify_critical = pf->verify_critical;
	(void)snprintf(addr.text, sizeof(addr.text), "%s", pf->address);
	addr.probes = &probe;
	addr.n_probes = 1;
	host.addrs = &addr;
	host.n_addrs = 1;
	r = eval_address(ev, &host, &addr);
	free(host.name);
	return r;
}

static int cert_expiry_evaluate(const struct snapshot *snap, const struct history *hist,
				const void *priv, struct findings *out)
{
	/* The lab's and mxsentry.conf(5)'s defaults when the agent configured nothing. */
	static const struct expiry_cfg defaults = {
		.warning = 30 * SECS_PER_DAY,
		.critical = 14 * SECS_PER_DAY,
	};
	struct eval ev = {
		.snap = snap,
		.cfg = priv != NULL ? priv : &defaults,
		.out = out,
	};
	size_t i, j;
	int r;

	(void)hist;
	if (snap->unknown_reason != NULL) {
		/* DESIGN.md: when the agent could not tell, say so and blame nothing. */
		if (findings_add(out, CHECK_NAME, "check.unknown", SEVERITY_UNKNOWN, NULL, NULL,
				 snap->domain, NULL, "not evaluated: %s",
				 snap->unknown_reason) == NULL)
			return -ENOMEM;
		return 0;
	}
	for (i = 0; i < snap->n_mx; i++)
		for (j = 0; j < snap->mx[i].n_addrs; j++) {
			r = eval_address(&ev, &snap->mx[i], &snap->mx[i].addrs[j]);
			if (r < 0)
				return r;
		}
	return eval_policy_host(&ev);
}

const struct check check_cert_expiry = {
	.name = CHECK_NAME,
	.needs = OBS_MX | OBS_SMTP,
	.configure = cert_expiry_configure,
	.evaluate = cert_expiry_evaluate,
	.release = cert_expiry_release,
};

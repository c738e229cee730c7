/*
 * rpt_correlate.c - a report's failures against the agent's own probe history; see
 * rpt_correlate.h (RPT-RES-05, tls-rpt.md §6 item 6).
 */
#include "lib/rpt_correlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/duration.h"
#include "lib/error.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Finding codes whose problems can make a sender's session fail, with their RFC 8460 result
 * type: docs/findings.md, last column (test_rpt_correlate compares the two). A NULL type is a
 * fault of reaching the MX that no result type names (RPT-RES-04: senders may leave transient
 * failures out, or call them validation-failure). Codes not listed are advice (cert.expiring,
 * dane.tlsa.single, ...) or about DNS and the TLS-RPT record itself: they fail no session.
 */
static const struct code_type {
	const char *code;
	const char *result_type;
	const char *also; /* a second type reporters use for it (tls-rpt.md §6 item 6), or NULL */
} codes[] = {
	{ "cert.expired", "certificate-expired", NULL },
	{ "cert.not-yet-valid", "certificate-expired", NULL },
	{ "dane.cert-expired", "certificate-expired", NULL },
	{ "dane.chain-invalid", "certificate-not-trusted", NULL },
	{ "dane.name-mismatch", "certificate-host-mismatch", NULL },
	{ "dane.starttls-missing", "starttls-not-supported", NULL },
	{ "dane.tlsa.mismatch", "tlsa-invalid", NULL },
	{ "dns.dnssec-bogus", "dnssec-invalid", NULL },
	{ "mx.no-address", NULL, NULL },
	{ "smtp.closed", NULL, NULL },
	{ "smtp.local-error", NULL, NULL },
	{ "smtp.protocol", NULL, NULL },
	{ "smtp.refused", NULL, NULL },
	{ "smtp.rejected", NULL, NULL },
	{ "smtp.timeout", NULL, NULL },
	{ "smtp.unreachable", NULL, NULL },
	{ "sts.mx.not-covered", "validation-failure", "certificate-host-mismatch" },
	{ "sts.mx.not-in-cached-policy", "validation-failure", "certificate-host-mismatch" },
	{ "sts.policy.content-type", "sts-policy-fetch-error", NULL },
	{ "sts.policy.invalid", "sts-policy-invalid", NULL },
	{ "sts.policy.max-age", "sts-policy-invalid", NULL },
	{ "sts.policy.redirect", "sts-policy-fetch-error", NULL },
	{ "sts.policy.status", "sts-policy-fetch-error", NULL },
	{ "sts.policy.timeout", "sts-policy-fetch-error", NULL },
	{ "sts.policy.tls", "sts-webpki-invalid", NULL },
	{ "sts.policy.too-large", "sts-policy-fetch-error", NULL },
	{ "sts.policy.unreachable", "sts-policy-fetch-error", NULL },
	{ "tls.handshake-failed", "validation-failure", NULL },
	{ "tls.name-mismatch", "certificate-host-mismatch", NULL },
	{ "tls.starttls-missing", "starttls-not-supported", NULL },
	{ "tls.untrusted", "certificate-not-trusted", NULL },
	{ "tls.version", "validation-failure", NULL },
};

static const struct code_type *lookup(const char *code)
{
	size_t i;

	if (code == NULL)
		return NULL;
	for (i = 0; i < N_ELEMS(codes); i++)
		if (strcmp(codes[i].code, code) == 0)
			return &codes[i];
	return NULL;
}

const char *rpt_correlate_result_type(const char *code)
{
	const struct code_type *c = lookup(code);

	return c != NULL ? c->result_type : NULL;
}

bool rpt_correlate_session_fault(const char *code)
{
	return lookup(code) != NULL;
}

bool rpt_correlate_type_matches(const char *code, const char *result_type)
{
	const struct code_type *c = lookup(code);

	if (c == NULL || result_type == NULL)
		return false;
	return (c->result_type != NULL && strcmp(c->result_type, result_type) == 0) ||
	       (c->also != NULL && strcmp(c->also, result_type) == 0);
}

/* Host names as reports write them: ASCII case and one trailing dot do not count. */
static bool same_host(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* RPT-JSON-11: senders need not write IPv6 canonically, so compare the addresses. */
static bool same_address(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 && memcmp(x, y, 16) == 0;
	return strcasecmp(a, b) == 0;
}

/* An unnamed part on either side does not narrow the match (rpt_correlate.h, "subject"). */
static bool same_subject(const struct rpt_interval *h, const struct rpt_failure *f)
{
	if (h->mx != NULL && f->mx != NULL && !same_host(h->mx, f->mx))
		return false;
	return h->address == NULL || f->ip == NULL || same_address(h->address, f->ip);
}

/* Seconds of h inside [f->start, f->end); 0 or less when they do not meet. */
static long long overlap(const struct rpt_interval *h, const struct rpt_failure *f)
{
	long long lo = h->opened_at > f->start ? (long long)h->opened_at : (long long)f->start;
	long long hi = (long long)f->end;

	if (!h->open && h->resolved_at < f->end)
		hi = (long long)h->resolved_at;
	return hi - lo;
}

/* Whether c should replace best: stronger, then same type, then longer; the first on ties. */
static bool better(const struct rpt_evidence *c, const struct rpt_evidence *best)
{
	if (c->verdict != best->verdict)
		return c->verdict > best->verdict;
	if (c->same_type != best->same_type)
		return c->same_type;
	return c->overlap > best->overlap;
}

int rpt_correlate(const struct rpt_failure *f, const struct rpt_interval *hist, size_t n,
		  unsigned cycle, struct rpt_evidence *ret)
{
	struct rpt_evidence best = { .verdict = RPT_VERDICT_NOT_SEEN };
	long long enough, span;
	size_t i;

	if (f == NULL || ret == NULL || f->result_type == NULL || f->end <= f->start ||
	    cycle == 0 || (hist == NULL && n > 0))
		return -EINVAL;
	/* Two cycles, less a tenth of one for jitter; never more than the whole period. */
	enough = 2LL * cycle - cycle / 10;
	span = (long long)f->end - (long long)f->start;
	if (span < enough)
		enough = span;
	for (i = 0; i < n; i++) {
		const struct rpt_interval *h = &hist[i];
		struct rpt_evidence c = { .interval = h };
		long long ov = overlap(h, f);

		if (ov <= 0 || h->code == NULL || !same_subject(h, f))
			continue;
		if (rpt_correlate_type_matches(h->code, f->result_type)) {
			c.same_type = true;
			c.verdict =
			    h->open || ov >= enough ? RPT_VERDICT_CONFIRMED : RPT_VERDICT_TRANSIENT;
		} else if (h->mx != NULL && rpt_correlate_session_fault(h->code)) {
			/* Another fault of that MX: a problem of the domain as a whole is not one. */
			c.verdict = RPT_VERDICT_TRANSIENT;
		} else {
			continue;
		}
		c.overlap = (time_t)ov;
		if (better(&c, &best))
			best = c;
	}
	*ret = best;
	return 0;
}

/* "tls.untrusted on mx1.example.com [192.0.2.1] (ECDSA)" or "... for the domain". */
static char *subject_text(const struct rpt_interval *h)
{
	if (h->mx == NULL)
		return mxs_strdupf("%s for the domain", h->code);
	return mxs_strdupf("%s on %s%s%s%s%s%s", h->code, h->mx, h->address != NULL ? " [" : "",
			   h->address != NULL ? h->address : "", h->address != NULL ? "]" : "",
			   h->alg != NULL ? " " : "", h->alg != NULL ? h->alg : "");
}

char *rpt_correlate_reason(const struct rpt_evidence *e)
{
	char opened[64], resolved[64], span[64], *subj, *r;
	const struct rpt_interval *h;

	if (e == NULL)
		return NULL;
	h = e->interval;
	if (e->verdict == RPT_VERDICT_NOT_SEEN || h == NULL)
		return mxs_strdupf("not seen by our probes: likely the sender's side");
	subj = subject_text(h);
	if (subj == NULL)
		return NULL;
	duration_time_text(h->opened_at, opened, sizeof(opened));
	duration_time_text(h->resolved_at, resolved, sizeof(resolved));
	duration_span_text(0, e->overlap, span, sizeof(span));
	if (e->verdict == RPT_VERDICT_CONFIRMED && h->open)
		r = mxs_strdupf("confirmed by our probes: %s since %s, still open", subj, opened);
	else if (e->verdict == RPT_VERDICT_CONFIRMED)
		r = mxs_strdupf("confirmed by our probes: %s from %s to %s", subj, opened,
				resolved);
	else if (e->same_type)
		r = mxs_strdupf("transient on our side: our probes saw %s for only %s of the "
				"period, from %s to %s",
				subj, span, opened, resolved);
	else if (h->open)
		r = mxs_strdupf("transient on our side: our probes saw another fault, %s, since "
				"%s, still open",
				subj, opened);
	else
		r = mxs_strdupf("transient on our side: our probes saw another fault, %s, from %s "
				"to %s",
				subj, opened, resolved);
	free(subj);
	return r;
}

static int dup_opt(const char *s, char **ret)
{
	*ret = NULL;
	if (s == NULL)
		return 0;
	*ret = strdup(s);
	return *ret != NULL ? 0 : -ENOMEM;
}

int rpt_correlate_judge(const char *result_type, const char *mx, const char *ip,
			const struct rpt_period *p, size_t n_p, const struct rpt_interval *hist,
			size_t n, unsigned cycle, struct rpt_judgement *ret)
{
	struct rpt_evidence best = { .verdict = RPT_VERDICT_NOT_SEEN };
	struct rpt_judgement j = { 0 };
	const struct rpt_interval *h;
	size_t i;
	int r;

	if (ret == NULL || (p == NULL && n_p > 0))
		return -EINVAL;
	for (i = 0; i < n_p; i++) {
		const struct rpt_failure f = { .result_type = result_type,
					       .mx = mx,
					       .ip = ip,
					       .start = p[i].start,
					       .end = p[i].end };
		struct rpt_evidence e;

		r = rpt_correlate(&f, hist, n, cycle, &e);
		if (r < 0)
			return r;
		j.n_verdict[e.verdict]++;
		if (e.verdict > best.verdict ||
		    (e.verdict == best.verdict && e.same_type && !best.same_type))
			best = e;
	}
	j.verdict = best.verdict;
	j.same_type = best.same_type;
	j.overlap = best.overlap;
	h = best.interval;
	if (h != NULL) {
		j.evidence.opened_at = h->opened_at;
		j.evidence.resolved_at = h->resolved_at;
		j.evidence.open = h->open;
		if (dup_opt(h->check, &j.evidence.check) < 0 ||
		    dup_opt(h->code, &j.evidence.code) < 0 || dup_opt(h->mx, &j.evidence.mx) < 0 ||
		    dup_opt(h->address, &j.evidence.address) < 0 ||
		    dup_opt(h->alg, &j.evidence.alg) < 0)
			goto nomem;
	}
	j.reason = rpt_correlate_reason(&best);
	if (j.reason == NULL)
		goto nomem;
	*ret = j;
	return 0;
nomem:
	rpt_correlate_judgement_clear(&j);
	return -ENOMEM;
}

void rpt_correlate_judgement_clear(struct rpt_judgement *j)
{
	if (j == NULL)
		return;
	free(j->evidence.check);
	free(j->evidence.code);
	free(j->evidence.mx);
	free(j->evidence.address);
	free(j->evidence.alg);
	free(j->reason);
	*j = (struct rpt_judgement){ 0 };
}

const char *rpt_correlate_verdict_name(enum rpt_verdict v)
{
	static const char *const names[] = {
		[RPT_VERDICT_NOT_SEEN] = "not-seen",
		[RPT_VERDICT_TRANSIENT] = "transient",
		[RPT_VERDICT_CONFIRMED] = "confirmed",
	};

	return (unsigned)v < N_ELEMS(names) ? names[v] : "?";
}

struct rpt_interval *rpt_correlate_intervals_free(struct rpt_interval *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].check);
		free(v[i].code);
		free(v[i].mx);
		free(v[i].address);
		free(v[i].alg);
	}
	free(v);
	return NULL;
}

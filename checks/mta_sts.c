/*
 * mta_sts.c - the MTA-STS record, policy fetch and policy of a domain (RFC 8461).
 *
 * Walks the sender's steps on the snapshot (lib/sts_view.h): discovery of the single
 * `_mta-sts` record (STS-TXT), the HTTPS fetch with a valid certificate for
 * mta-sts.<domain> (STS-FETCH), the policy grammar (STS-POL), then, with a policy in force,
 * every MX host covered by an `mx` pattern (STS-MX-01). The first step that breaks is reported
 * and the walk stops there, since senders stop there too; each problem says what senders do
 * about it.
 *
 * Severity: a record, fetch or policy that leaves senders without a policy is CRITICAL (the
 * domain asked for protection it does not get); an MX outside the policy is CRITICAL under
 * "enforce" (senders refuse it, STS-MODE-01) and a WARNING under "testing" that says what
 * breaks at cutover (STS-MODE-02). TLS faults of the MX hosts are mx_starttls's, graded by the
 * same mode; certificate dates are cert_expiry's.
 *
 * With the store's history (lib/history.h): a policy body changed while the id stayed the same
 * (STS-TXT-09: senders keep their cached copy until max_age runs out), an id changed with the
 * body unchanged (STS-FETCH-14, informational), an MX in the current policy that an earlier
 * policy senders may still cache does not cover (STS-CACHE-02), and a record removed while
 * senders may still cache a policy (STS-TXT-14). Each names the cache horizon: last seen +
 * max_age.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks/check.h"
#include "lib/history.h"
#include "lib/hostmatch.h"
#include "lib/sts_view.h"

#define CHECK_NAME "mta_sts"

/* RFC 8460 §4.3 result types (RPT-RES-05). */
#define RT_FETCH  "sts-policy-fetch-error"
#define RT_POLICY "sts-policy-invalid"
#define RT_WEBPKI "sts-webpki-invalid"
#define RT_VALID  "validation-failure"

struct eval {
	const struct snapshot *snap;
	const struct history *hist;
	struct findings *out;
	struct sts_view view;
};

__attribute__((format(printf, 7, 8))) static struct finding *add(struct eval *ev, const char *code,
								 enum severity sev, const char *req,
								 const char *rt, const char *mx,
								 const char *fmt, ...)
{
	struct finding_subject subj = { .mx = mx };
	struct finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = findings_addv(ev->out, CHECK_NAME, code, sev, req, rt, ev->snap->domain,
			  mx != NULL ? &subj : NULL, fmt, ap);
	va_end(ap);
	return f;
}

/* The first diagnostic at least as bad as level, from a list; NULL when there is none. */
static const struct diag *first_diag(const struct diag_list *list, enum diag_level level)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->v[i].level >= level)
			return &list->v[i];
	return NULL;
}

/* "2026-12-02T01:28:58Z" into buf (at least 32 bytes). */
static void iso_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, size, "@%lld", (long long)t);
}

/* STS-TXT-04/05/08, D1: the record senders discover, or why they discover none. */
static int eval_record(struct eval *ev)
{
	const struct sts_view *v = &ev->view;
	const struct diag *d;

	if (v->n_records > 1)
		return add(ev, "sts.txt.multiple", SEVERITY_CRITICAL, "STS-TXT-04", NULL, NULL,
			   "_mta-sts.%s has %zu v=STSv1 records: senders ignore MTA-STS for the "
			   "domain; publish exactly one",
			   ev->snap->domain, v->n_records) != NULL
			   ? 1
			   : -ENOMEM;
	if (!v->txt_valid) {
		d = first_diag(&v->txt_diags, DIAG_ERROR);
		return add(ev, "sts.txt.invalid", SEVERITY_CRITICAL,
			   d != NULL ? d->req : "STS-TXT-05", NULL, NULL,
			   "_mta-sts.%s is not a valid MTA-STS record (%s): senders treat the "
			   "domain "
			   "as having no policy",
			   ev->snap->domain, d != NULL ? d->text : "rejected") != NULL
			   ? 1
			   : -ENOMEM;
	}
	d = first_diag(&v->txt_diags, DIAG_WARN);
	if (d != NULL && add(ev, "sts.txt.syntax", SEVERITY_WARNING, d->req, NULL, NULL,
			     "_mta-sts.%s: %s", ev->snap->domain, d->text) == NULL)
		return -ENOMEM;
	return 0;
}

/* The policy host's certificate, judged as a sender's TLS client would (STS-FETCH-02/03). */
static int eval_webpki(struct eval *ev)
{
	static const char *const none[] = { NULL };
	const struct policy_fetch *pf = &ev->snap->policy;
	const struct certinfo *leaf = pf->chain_len > 0 ? pf->chain[0] : NULL;
	char *host = mxs_strdupf("mta-sts.%s", ev->snap->domain);
	const char *refs[] = { host, NULL };
	struct finding *f = (struct finding *)1;

	if (host == NULL)
		return -ENOMEM;
	if (leaf == NULL)
		f = add(ev, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", RT_WEBPKI, NULL,
			"%s presented no certificate: senders cannot fetch the policy", host);
	else if (pf->verify_now.code != 0)
		f = add(ev, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", RT_WEBPKI, NULL,
			"certificate of %s does not validate (%s): senders cannot fetch the "
			"policy and deliver as if the domain had none",
			host, pf->verify_now.text != NULL ? pf->verify_now.text : "error");
	else if (!hostmatch_cert(HOSTMATCH_STS_POLICY,
				 leaf->san != NULL ? (const char *const *)leaf->san : none,
				 leaf->cn, refs, NULL))
		f = add(ev, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", RT_WEBPKI, NULL,
			"certificate of %s is not valid for that name: senders cannot fetch the "
			"policy; get a certificate whose subjectAltName includes %s",
			host, host);
	free(host);
	if (f == NULL)
		return -ENOMEM;
	return f == (struct finding *)1 ? 0 : 1;
}

/* How the fetch failed when no response arrived (STS-FETCH-09/12). */
static int eval_no_response(struct eval *ev)
{
	const struct policy_fetch *pf = &ev->snap->policy;
	const char *why = pf->detail != NULL ? pf->detail : "failed";
	struct finding *f;

	switch (pf->outcome) {
	case FETCH_TIMEOUT:
		f = add(ev, "sts.policy.timeout", SEVERITY_CRITICAL, "STS-FETCH-09", RT_FETCH, NULL,
			"fetching %s timed out (%s): senders give up and deliver as if the domain "
			"had no policy",
			pf->url, why);
		break;
	case FETCH_TOO_LARGE:
		f = add(ev, "sts.policy.too-large", SEVERITY_CRITICAL, "STS-FETCH-09", RT_FETCH,
			NULL, "the policy at %s is larger than 64 KiB: senders reject it", pf->url);
		break;
	case FETCH_TLS_FAILED:
		f = add(ev, "sts.policy.tls", SEVERITY_CRITICAL, "STS-FETCH-02", RT_WEBPKI, NULL,
			"TLS with the policy host failed (%s): senders cannot fetch %s", why,
			pf->url);
		break;
	case FETCH_LOCAL_ERROR:
		f = add(ev, "sts.policy.fetch", SEVERITY_UNKNOWN, NULL, NULL, NULL,
			"the policy fetch failed on this host: %s", why);
		break;
	default:
		f = add(ev, "sts.policy.unreachable", SEVERITY_CRITICAL, "STS-FETCH-12", RT_FETCH,
			NULL,
			"cannot reach the policy host for %s (%s): senders deliver as if the "
			"domain had no policy",
			pf->url, why);
		break;
	}
	return f != NULL ? 1 : -ENOMEM;
}

/* The HTTP response as senders judge it (STS-FETCH-05/06/08/09). */
static int eval_response(struct eval *ev)
{
	const struct policy_fetch *pf = &ev->snap->policy;
	const struct diag *d = first_diag(&ev->view.fetch_diags, DIAG_ERROR);
	const char *code = "sts.policy.status";

	if (d == NULL) {
		d = first_diag(&ev->view.fetch_diags, DIAG_WARN);
		if (d != NULL && add(ev, "sts.policy.http", SEVERITY_WARNING, d->req, NULL, NULL,
				     "%s: %s", pf->url, d->text) == NULL)
			return -ENOMEM;
		return 0;
	}
	if (strcmp(d->req, "STS-FETCH-06") == 0)
		code = "sts.policy.redirect";
	else if (strcmp(d->req, "STS-FETCH-08") == 0)
		code = "sts.policy.content-type";
	else if (strcmp(d->req, "STS-FETCH-09") == 0)
		code = "sts.policy.too-large";
	return add(ev, code, SEVERITY_CRITICAL, d->req, RT_FETCH, NULL,
		   "%s: %s; senders deliver as if the domain had no policy", pf->url,
		   d->text) != NULL
		   ? 1
		   : -ENOMEM;
}

/* STS-POL: the policy grammar; the first rejecting diagnostic names the rule. */
static int eval_policy(struct eval *ev)
{
	const struct diag *d;

	if (ev->view.policy_invalid) {
		d = first_diag(&ev->view.policy_diags, DIAG_ERROR);
		return add(ev,
			   d != NULL && strcmp(d->req, "STS-POL-05") == 0 ? "sts.policy.max-age"
									  : "sts.policy.invalid",
			   SEVERITY_CRITICAL, d != NULL ? d->req : "STS-POL-02", RT_POLICY, NULL,
			   "the policy of %s is invalid (%s): senders ignore it", ev->snap->domain,
			   d != NULL ? d->text : "rejected") != NULL
			   ? 1
			   : -ENOMEM;
	}
	d = first_diag(&ev->view.policy_diags, DIAG_WARN);
	if (d != NULL && add(ev, "sts.policy.syntax", SEVERITY_WARNING, d->req, NULL, NULL,
			     "the policy of %s: %s", ev->snap->domain, d->text) == NULL)
		return -ENOMEM;
	return 0;
}

/* STS-MX-01: every MX host (the name in the MX record) matches an mx pattern. */
static int eval_coverage(struct eval *ev)
{
	const struct sts_policy *pol = ev->view.policy;
	bool enforce = pol->mode == STS_MODE_ENFORCE;
	struct finding *f;
	size_t i;

	for (i = 0; i < ev->snap->n_mx; i++) {
		const char *host = ev->snap->mx[i].name;

		if (sts_policy_covers(pol, host, NULL))
			continue;
		f = add(ev, "sts.mx.not-covered", enforce ? SEVERITY_CRITICAL : SEVERITY_WARNING,
			"STS-MX-01", RT_VALID, host,
			"MX %s matches no mx line of the %s policy: %s; add \"mx: %s\" to the "
			"policy and change the _mta-sts id",
			host, sts_policy_mode_name(pol->mode),
			enforce ? "senders refuse to deliver to it"
				: "senders would refuse it under enforce",
			host);
		if (f == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* Whether any of the NULL-terminated mx patterns covers host (STS-MX-02/03). */
static bool patterns_cover(char *const *mx, const char *host)
{
	size_t i;

	for (i = 0; mx != NULL && mx[i] != NULL; i++)
		if (hostmatch_mx_pattern(mx[i], host))
			return true;
	return false;
}

/*
 * STS-CACHE-01/02: senders that cached an earlier policy apply it until its last fetch plus its
 * max_age. An MX the current policy covers but such a cached policy does not (typically one added
 * to DNS and to the policy at once) is refused by those senders until then.
 */
static int eval_cached_exclusions(struct eval *ev, const char *digest)
{
	const struct history *h = ev->hist;
	const struct sts_policy *pol = ev->view.policy;
	char until[32];
	size_t i, j;

	if (pol->mode != STS_MODE_ENFORCE)
		return 0;
	for (i = 0; i < ev->snap->n_mx; i++) {
		const char *host = ev->snap->mx[i].name;

		if (!sts_policy_covers(pol, host, NULL))
			continue; /* reported as sts.mx.not-covered */
		for (j = 0; j < h->n_policies; j++) {
			const struct policy_seen *p = &h->policies[j];
			time_t horizon = p->last_seen + (p->max_age > 0 ? p->max_age : 0);

			if (strcmp(p->digest, digest) == 0 || p->mode == NULL ||
			    strcmp(p->mode, "enforce") != 0 || horizon <= ev->snap->taken_at ||
			    patterns_cover(p->mx, host))
				continue;
			iso_time(horizon, until, sizeof(until));
			if (add(ev, "sts.mx.not-in-cached-policy", SEVERITY_WARNING, "STS-CACHE-02",
				RT_VALID, host,
				"MX %s is in the current policy but not in the one senders may "
				"still "
				"cache (id \"%s\"): they refuse it until %s",
				host, p->id, until) == NULL)
				return -ENOMEM;
			break;
		}
	}
	return 0;
}

/*
 * STS-TXT-09, STS-FETCH-14: compare today's (id, body digest) with what the store saw. The
 * history holds past observations only (the agent records today's after evaluating).
 */
static int eval_history(struct eval *ev, const char *digest)
{
	const struct history *h = ev->hist;
	const char *id = ev->view.txt.id;
	bool same_body_other_id = false;
	char until[32];
	size_t i;

	for (i = 0; i < h->n_policies; i++) {
		const struct policy_seen *p = &h->policies[i];

		if (strcmp(p->digest, digest) == 0 && strcmp(p->id, id) == 0)
			return 0; /* seen before exactly so: nothing new */
		if (strcmp(p->id, id) == 0) {
			iso_time(p->last_seen + (p->max_age > 0 ? p->max_age : 0), until,
				 sizeof(until));
			return add(ev, "sts.policy.changed-same-id", SEVERITY_WARNING, "STS-TXT-09",
				   NULL, NULL,
				   "the policy of %s changed but its _mta-sts id \"%s\" did not: "
				   "senders keep their cached copy until %s; change the id",
				   ev->snap->domain, id, until) != NULL
				   ? 0
				   : -ENOMEM;
		}
		if (strcmp(p->digest, digest) == 0)
			same_body_other_id = true;
	}
	if (same_body_other_id &&
	    add(ev, "sts.policy.id-only", SEVERITY_OK, "STS-FETCH-14", NULL, NULL,
		"the _mta-sts id of %s changed to \"%s\" with the policy unchanged: senders "
		"fetch it again, nothing else changes",
		ev->snap->domain, id) == NULL)
		return -ENOMEM;
	return 0;
}

/* STS-TXT-14: a record gone while senders may still cache the last policy. */
static int eval_removed(struct eval *ev)
{
	const struct history *h = ev->hist;
	char until[32];
	long max_age;

	if (h == NULL || !h->available || !h->sts_txt_seen)
		return 0;
	max_age = h->n_policies > 0 && h->policies[0].max_age > 0 ? h->policies[0].max_age : 0;
	iso_time(h->sts_txt_last_seen + max_age, until, sizeof(until));
	return add(ev, "sts.txt.removed", SEVERITY_WARNING, "STS-TXT-14", NULL, NULL,
		   "_mta-sts.%s is gone, but senders may apply the last policy until %s; to opt "
		   "out, publish mode: none with a new id first (RFC 8461 §8.3)",
		   ev->snap->domain, until) != NULL
		   ? 0
		   : -ENOMEM;
}

static int evaluate(struct eval *ev, const char *digest)
{
	const struct sts_view *v = &ev->view;
	int r;

	switch (v->state) {
	case STS_NOT_GATHERED:
		return 0;
	case STS_UNKNOWN:
		return add(ev, "sts.txt.lookup",
			   ev->snap->sts_txt.status == DNS_SERVFAIL ? SEVERITY_WARNING
								    : SEVERITY_UNKNOWN,
			   "STS-TXT-01", NULL, NULL,
			   "the _mta-sts.%s lookup failed (%s): senders cannot discover a policy",
			   ev->snap->domain, dns_status_name(ev->snap->sts_txt.status)) != NULL
			   ? 0
			   : -ENOMEM;
	case STS_ABSENT:
		return eval_removed(ev);
	default:
		break;
	}
	r = eval_record(ev);
	if (r != 0)
		return r < 0 ? r : 0;
	if (!ev->snap->policy.attempted)
		return 0;
	r = ev->snap->policy.outcome == FETCH_RESPONSE ? eval_webpki(ev) : eval_no_response(ev);
	if (r == 0)
		r = eval_response(ev);
	if (r == 0)
		r = eval_policy(ev);
	if (r != 0)
		return r < 0 ? r : 0;
	if (v->state != STS_ACTIVE)
		return 0;
	if (v->policy->mode == STS_MODE_NONE)
		return add(ev, "sts.mode.none", SEVERITY_OK, "STS-MODE-03", NULL, NULL,
			   "the MTA-STS policy of %s has mode none: senders treat the domain as "
			   "having no policy",
			   ev->snap->domain) != NULL
			   ? 0
			   : -ENOMEM;
	r = eval_coverage(ev);
	if (r == 0 && ev->hist != NULL && ev->hist->available && digest != NULL)
		r = eval_history(ev, digest);
	if (r == 0 && ev->hist != NULL && ev->hist->available && digest != NULL)
		r = eval_cached_exclusions(ev, digest);
	return r;
}

static int mta_sts_evaluate(const struct snapshot *snap, const struct history *hist,
			    const void *priv, struct findings *out)
{
	struct eval ev = { .snap = snap, .hist = hist, .out = out };
	char digest[65];
	int r;

	(void)priv;
	if (snap->unknown_reason != NULL)
		return add(&ev, "check.unknown", SEVERITY_UNKNOWN, NULL, NULL, NULL,
			   "not evaluated: %s", snap->unknown_reason) != NULL
			   ? 0
			   : -ENOMEM;
	if (sts_view_build(snap, &ev.view) < 0)
		return -ENOMEM;
	r = snap->policy.attempted && snap->policy.body != NULL
		? sts_view_body_digest(snap->policy.body, snap->policy.body_len, digest)
		: -1;
	r = evaluate(&ev, r == 0 ? digest : NULL);
	sts_view_clear(&ev.view);
	return r;
}

const struct check check_mta_sts = {
	.name = CHECK_NAME,
	.needs = OBS_MX | OBS_STS_TXT | OBS_STS_POLICY,
	.configure = check_configure_none,
	.evaluate = mta_sts_evaluate,
	.release = check_release_none,
};

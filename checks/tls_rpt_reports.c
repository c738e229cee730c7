/*
 * tls_rpt_reports.c - what senders report (RFC 8460 aggregate reports received by the agent),
 * as findings, so that it reaches people through the same state, damping and alerts as the
 * agent's own probes.
 *
 * The history (lib/history.h) carries the domain's reports whose period ended within the
 * configured window, summed up per organisation and each failure judged against the agent's
 * probe history (lib/rpt_summary.h, lib/rpt_correlate.h). Two rules, both configured
 * (mxsentry.conf(5), "reports"):
 *
 *   rpt.failure-rate  the share of failed sessions over all organisations is above
 *                     alert_failure_rate, over at least alert_min_sessions sessions: WARNING,
 *                     CRITICAL when our own probes confirm one of the failures (senders and
 *                     the agent see the same fault); the message names each organisation's
 *                     share and the worst failures with the verdict on each;
 *   rpt.failure-type  a failure of a type in alert_types (e.g. certificate-expired): one finding
 *                     per type and receiving MX, CRITICAL, with the organisations, sessions,
 *                     address and the verdict ("confirmed by our probes: ...", "not seen by our
 *                     probes: likely the sender's side").
 *
 * Nothing is said without reports, and nothing about the reports themselves is ever blamed on
 * the domain when the agent could not load them (no store: no finding).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"
#include "lib/count.h"
#include "lib/history.h"
#include "lib/rpt_correlate.h"
#include "lib/rpt_summary.h"
#include "lib/tlsrpt.h"

#define CHECK_NAME "tls_rpt_reports"
#define MAX_TYPES  32

/* What configure() keeps: the thresholds and a copy of the types. */
struct rr_priv {
	double rate;
	unsigned min_sessions;
	char *types[MAX_TYPES + 1];
};

static void rr_release(void *priv)
{
	struct rr_priv *p = priv;

	if (p == NULL)
		return;
	for (size_t i = 0; p->types[i] != NULL; i++)
		free(p->types[i]);
	free(p);
}

static int rr_configure(const struct check_settings *settings, void **ret_priv,
			struct mxs_error *reterr)
{
	struct rr_priv *p;
	size_t i;

	if (settings->rpt_alert_rate < 0 || settings->rpt_alert_rate > 1)
		return mxs_error_set(reterr, NULL, NULL,
				     "tls_rpt_reports: a failure rate is 0%% to 100%%");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->rate = settings->rpt_alert_rate;
	p->min_sessions = settings->rpt_alert_min_sessions;
	for (i = 0; settings->rpt_alert_types != NULL && settings->rpt_alert_types[i] != NULL &&
		    i < MAX_TYPES;
	     i++)
		if ((p->types[i] = strdup(settings->rpt_alert_types[i])) == NULL) {
			rr_release(p);
			return -ENOMEM;
		}
	*ret_priv = p;
	return 0;
}

static bool alerting_type(const struct rr_priv *p, const char *type)
{
	for (size_t i = 0; p->types[i] != NULL; i++)
		if (strcmp(p->types[i], type) == 0)
			return true;
	return false;
}

/* "google.com 12.5% of 800, microsoft.com 0% of 300" */
static char *org_shares(const struct rpt_domain *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < d->n_orgs; i++) {
		const struct rpt_tally *t = &d->orgs[i].now;
		fprintf(f, "%s%s %.3g%% of %llu", i > 0 ? ", " : "", d->orgs[i].name,
			100.0 * count_share(t->failed, t->successful),
			count_add(t->successful, t->failed));
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The fault of d most worth naming: confirmed first, then the most sessions. */
static const struct rpt_fault *worst_fault(const struct rpt_domain *d, bool *ret_confirmed)
{
	const struct rpt_fault *best = NULL;

	*ret_confirmed = false;
	for (size_t i = 0; i < d->n_orgs; i++)
		for (size_t j = 0; j < d->orgs[i].now.n_faults; j++) {
			const struct rpt_fault *x = &d->orgs[i].now.faults[j];
			bool c = x->judged.verdict == RPT_VERDICT_CONFIRMED;

			if (best == NULL || (c && !*ret_confirmed) ||
			    (c == *ret_confirmed && x->count > best->count)) {
				best = x;
				*ret_confirmed = c;
			}
		}
	return best;
}

static int rule_rate(const struct snapshot *snap, const struct history *h, const struct rr_priv *p,
		     const struct rpt_domain *d, struct findings *out)
{
	unsigned long long all = count_add(d->total.now.successful, d->total.now.failed);
	const struct rpt_fault *w;
	struct finding *f;
	bool confirmed;
	double rate;
	char *shares;

	if (p->rate <= 0 || all == 0 || all < p->min_sessions)
		return 0;
	rate = count_share(d->total.now.failed, d->total.now.successful);
	if (rate <= p->rate)
		return 0;
	w = worst_fault(d, &confirmed);
	shares = org_shares(d);
	if (shares == NULL)
		return -ENOMEM;
	f = findings_add(
	    out, CHECK_NAME, "rpt.failure-rate", confirmed ? SEVERITY_CRITICAL : SEVERITY_WARNING,
	    "RPT-JSON-12", w != NULL ? tlsrpt_result_type_known(w->result_type) : NULL,
	    snap->domain, NULL,
	    "senders report %.3g%% of %llu sessions to %s failing in the last %ld h "
	    "(%s), above %.3g%%%s%s%s%s%s%s",
	    100.0 * rate, all, snap->domain, h->reports_window / 3600, shares, 100.0 * p->rate,
	    w != NULL ? "; most: " : "", w != NULL ? w->result_type : "",
	    w != NULL && w->mx != NULL ? " on " : "", w != NULL && w->mx != NULL ? w->mx : "",
	    w != NULL ? ", " : "", w != NULL && w->judged.reason != NULL ? w->judged.reason : "");
	free(shares);
	if (f == NULL || finding_set_int(f, "sessions", (long long)all) < 0 ||
	    finding_set_int(f, "failed", (long long)d->total.now.failed) < 0)
		return -ENOMEM;
	return 0;
}

/* One finding per (type, receiving MX) of a chosen type, summed over organisations. */
static int rule_types(const struct snapshot *snap, const struct rr_priv *p,
		      const struct rpt_domain *d, struct findings *out)
{
	for (size_t i = 0; i < d->n_orgs; i++)
		for (size_t j = 0; j < d->orgs[i].now.n_faults; j++) {
			const struct rpt_fault *x = &d->orgs[i].now.faults[j];
			const struct finding_subject subj = { .mx = x->mx, .address = x->ip };
			struct finding *f;

			if (!alerting_type(p, x->result_type))
				continue;
			f = findings_add(
			    out, CHECK_NAME, "rpt.failure-type", SEVERITY_CRITICAL, "RPT-RES-01",
			    tlsrpt_result_type_known(x->result_type), snap->domain,
			    x->mx != NULL ? &subj : NULL,
			    "%s reports %llu session%s to %s%s%s%s failing with %s: %s",
			    d->orgs[i].name, x->count, x->count == 1 ? "" : "s",
			    x->mx != NULL ? x->mx : snap->domain, x->ip != NULL ? " [" : "",
			    x->ip != NULL ? x->ip : "", x->ip != NULL ? "]" : "", x->result_type,
			    x->judged.reason != NULL ? x->judged.reason : "not judged");
			if (f == NULL || finding_set_int(f, "sessions", (long long)x->count) < 0 ||
			    finding_set_string(f, "organization", d->orgs[i].name) < 0 ||
			    finding_set_string(f, "verdict",
					       rpt_correlate_verdict_name(x->judged.verdict)) < 0)
				return -ENOMEM;
		}
	return 0;
}

static int rr_evaluate(const struct snapshot *snap, const struct history *hist, const void *priv,
		       struct findings *out)
{
	const struct rr_priv *p = priv;
	const struct rpt_domain *d;
	int r;

	if (p == NULL || hist == NULL || !hist->reports_loaded)
		return 0;
	d = rpt_summary_domain(&hist->reports, snap->domain);
	if (d == NULL)
		return 0;
	r = rule_rate(snap, hist, p, d, out);
	if (r == 0)
		r = rule_types(snap, p, d, out);
	return r;
}

const struct check check_tls_rpt_reports = {
	.name = CHECK_NAME,
	/* nothing to gather: the reports are in the store */
	.needs = 0,
	.configure = rr_configure,
	.evaluate = rr_evaluate,
	.release = rr_release,
};

/*
 * report_summary_render.c - the text and JSON output of "mxsentry report summary"; see
 * report_summary.h.
 *
 * Text (long lines cut at "..." here):
 *
 *   TLS-RPT reports of the last 7 days, 2026-11-22 03:00 UTC to 2026-11-29 03:00 UTC; ...
 *
 *   example.com: 3 reports, 1962 sessions, 98.8% successful; worse than the 7 days ...
 *     failed sessions by result type: certificate-not-trusted 15, starttls-not-supported 2
 *     by MX host: mx1.example.com 15, mx2.example.com 2
 *     by IP: 192.0.2.1 15, 198.51.100.2 2
 *     Google LLC: 2 reports, 1912 sessions, 98.8% successful; worse than the 7 days ...
 *       15 failed sessions: certificate-not-trusted at mx1.example.com [192.0.2.1], 2 reports
 *         confirmed by our probes: tls.untrusted on mx1.example.com [192.0.2.1] since ...
 *
 * Rates are cut, not rounded, to a tenth of a percent, so that "100.0%" means that nothing
 * failed. Times are UTC to the minute as elsewhere in the text outputs; the JSON has them to
 * the second.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent/report_summary.h"
#include "lib/count.h"
#include "lib/duration.h"
#include "lib/jsonval.h"

/* docs/json-output.md, "Report summary": raised only for an incompatible change. */
#define SUMMARY_SCHEMA_VERSION 1

#define DAY 86400

/* A domain without any report in either period. */
static const struct rpt_domain no_report;

static unsigned days_of(const struct rpt_summary *sum)
{
	return (unsigned)(((long long)sum->to - (long long)sum->from) / DAY);
}

/* The i-th domain to show and its name: names[i] (maybe without a report), or sum's i-th. */
static const struct rpt_domain *shown(const struct rpt_summary *sum, const char *const *names,
				      size_t n, size_t i, const char **ret_name)
{
	const struct rpt_domain *d;

	if (n == 0) {
		*ret_name = sum->domains[i].name;
		return &sum->domains[i];
	}
	*ret_name = names[i];
	d = rpt_summary_domain(sum, names[i]);
	return d != NULL ? d : &no_report;
}

int report_summary_status(const struct rpt_summary *sum, const char *const *names, size_t n)
{
	size_t count = n > 0 ? n : sum->n_domains, i, j, k;
	int status = 0;

	for (i = 0; i < count; i++) {
		const char *name;
		const struct rpt_domain *d = shown(sum, names, n, i, &name);

		if (d->total.now.failed > 0 || d->total.now.n_types > 0)
			status = status > 1 ? status : 1;
		for (j = 0; j < d->n_orgs; j++)
			for (k = 0; k < d->orgs[j].now.n_faults; k++)
				if (d->orgs[j].now.faults[k].judged.verdict ==
				    RPT_VERDICT_CONFIRMED)
					status = 2;
	}
	return status;
}

/* "98.8%": the rate cut to a tenth of a percent; false without a session. */
static bool pct_text(const struct rpt_tally *t, char *buf, size_t len)
{
	unsigned long long all = count_add(t->successful, t->failed), pm;

	if (all == 0)
		return false;
	pm = (unsigned long long)(count_share(t->successful, t->failed) * 1000.0);
	if (t->failed > 0 && pm > 999)
		pm = 999;
	(void)snprintf(buf, len, "%llu.%llu%%", pm / 10, pm % 10);
	return true;
}

/* "1012 sessions, 98.8% successful" or "no sessions". */
static void rate_text(const struct rpt_tally *t, char *buf, size_t len)
{
	unsigned long long all = count_add(t->successful, t->failed);
	char pct[32];

	if (!pct_text(t, pct, sizeof(pct)))
		(void)snprintf(buf, len, "no sessions");
	else
		(void)snprintf(buf, len, "%llu session%s, %s successful", all, all == 1 ? "" : "s",
			       pct);
}

static void trend_text(const struct rpt_org *o, unsigned days, char *buf, size_t len)
{
	char prev[32];

	if (o->trend == RPT_TREND_NEW)
		(void)snprintf(buf, len, "no report in the %u days before", days);
	else if (o->trend == RPT_TREND_SAME)
		(void)snprintf(buf, len, "same as the %u days before", days);
	else if (pct_text(&o->prev, prev, sizeof(prev)))
		(void)snprintf(buf, len, "%s than the %u days before (%+.1f points from %s)",
			       o->trend == RPT_TREND_BETTER ? "better" : "worse", days,
			       o->delta * 100.0, prev);
	else
		(void)snprintf(buf, len, "%s than the %u days before (no sessions then)",
			       o->trend == RPT_TREND_BETTER ? "better" : "worse", days);
}

static void org_line(FILE *out, const char *indent, const char *name, const struct rpt_org *o,
		     unsigned days)
{
	char rate[96], trend[192];

	rate_text(&o->now, rate, sizeof(rate));
	trend_text(o, days, trend, sizeof(trend));
	fprintf(out, "%s%s: %zu report%s, %s; %s\n", indent, *name != '\0' ? name : "(no name)",
		o->now.reports, o->now.reports == 1 ? "" : "s", rate, trend);
}

static void counts_line(FILE *out, const char *label, const struct rpt_count *v, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(out, "  %s:", label);
	for (i = 0; i < n; i++)
		fprintf(out, "%s %s %llu", i > 0 ? "," : "", v[i].name, v[i].count);
	fputc('\n', out);
}

static void fault_lines(FILE *out, const struct rpt_fault *x)
{
	const struct rpt_judgement *j = &x->judged;
	size_t same = j->n_verdict[j->verdict];

	fprintf(out, "    %llu failed session%s: %s at %s", x->count, x->count == 1 ? "" : "s",
		x->result_type, x->mx != NULL ? x->mx : "an MX the report does not name");
	if (x->ip != NULL)
		fprintf(out, " [%s]", x->ip);
	fprintf(out, ", %zu report%s\n      %s", x->n_periods, x->n_periods == 1 ? "" : "s",
		j->reason != NULL ? j->reason : "not judged");
	if (x->n_periods > 1 && same < x->n_periods)
		fprintf(out, " (%s in %zu of %zu reports)", rpt_correlate_verdict_name(j->verdict),
			same, x->n_periods);
	fputc('\n', out);
}

static void text_domain(FILE *out, const char *name, const struct rpt_domain *d, unsigned days)
{
	size_t i, j;

	if (d->total.now.reports == 0) {
		fprintf(out, "%s: no report in the last %u days", name, days);
		if (d->total.prev.reports > 0)
			fprintf(out, " (%zu in the %u days before)", d->total.prev.reports, days);
		fputc('\n', out);
		return;
	}
	org_line(out, "", name, &d->total, days);
	counts_line(out, "failed sessions by result type", d->total.now.types,
		    d->total.now.n_types);
	counts_line(out, "by MX host", d->total.now.mxs, d->total.now.n_mxs);
	counts_line(out, "by IP", d->total.now.ips, d->total.now.n_ips);
	for (i = 0; i < d->n_orgs; i++) {
		org_line(out, "  ", d->orgs[i].name, &d->orgs[i], days);
		for (j = 0; j < d->orgs[i].now.n_faults; j++)
			fault_lines(out, &d->orgs[i].now.faults[j]);
	}
}

int report_summary_text(FILE *out, const struct rpt_summary *sum, const char *const *names,
			size_t n)
{
	size_t count = n > 0 ? n : sum->n_domains, i;
	unsigned days = days_of(sum);
	char from[64], to[64];

	duration_time_text(sum->from, from, sizeof(from));
	duration_time_text(sum->to, to, sizeof(to));
	fprintf(out,
		"TLS-RPT reports of the last %u days, %s to %s; trends against the %u days "
		"before\n",
		days, from, to, days);
	if (count == 0)
		fprintf(out, "\nno report in the store for these %u days nor the %u days before\n",
			days, days);
	for (i = 0; i < count; i++) {
		const char *name;
		const struct rpt_domain *d = shown(sum, names, n, i, &name);

		fputc('\n', out);
		text_domain(out, name, d, days);
	}
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return report_summary_status(sum, names, n);
}

/* Set o[key] = v, taking v; NULL v is memory exhaustion. Chains with "||". */
static int set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL)
		return -ENOMEM;
	return json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

static json_t *counts_json(const struct rpt_count *v, size_t n, const char *key)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		if (json_array_append_new(a, json_pack("{s:o, s:I}", key, jsonval_string(v[i].name),
						       "sessions",
						       (json_int_t)count_json(v[i].count))) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The counts of one period: reports, sessions, rate (null without a session). */
static int tally_json(json_t *o, const struct rpt_tally *t, double rate)
{
	return set(o, "reports", json_integer((json_int_t)t->reports)) ||
	       set(o, "successful", json_integer((json_int_t)count_json(t->successful))) ||
	       set(o, "failed", json_integer((json_int_t)count_json(t->failed))) ||
	       set(o, "success_rate",
		   count_add(t->successful, t->failed) > 0 ? json_real(rate) : json_null());
}

static json_t *evidence_json(const struct rpt_judgement *j)
{
	const struct rpt_interval *h = &j->evidence;

	if (h->code == NULL)
		return json_null();
	return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:I}", "check",
			 jsonval_string(h->check), "code", h->code, "mx", jsonval_string(h->mx),
			 "address", jsonval_string(h->address), "alg", jsonval_string(h->alg),
			 "opened", jsonval_time(h->opened_at), "resolved",
			 h->open ? json_null() : jsonval_time(h->resolved_at), "same_type",
			 j->same_type, "overlap_seconds", (json_int_t)j->overlap);
}

static json_t *fault_json(const struct rpt_fault *x)
{
	const struct rpt_judgement *j = &x->judged;
	json_t *periods = json_array(), *o;
	size_t i;

	for (i = 0; periods != NULL && i < x->n_periods; i++) {
		if (json_array_append_new(
			periods,
			json_pack("{s:o, s:o, s:I}", "start", jsonval_time(x->periods[i].start),
				  "end", jsonval_time(x->periods[i].end), "sessions",
				  (json_int_t)count_json(x->periods[i].count))) != 0) {
			json_decref(periods);
			return NULL;
		}
	}
	if (periods == NULL)
		return NULL;
	o = json_pack("{s:s, s:o, s:o, s:I, s:o, s:s, s:{s:I, s:I, s:I}, s:o, s:o}", "result_type",
		      x->result_type, "receiving_mx", jsonval_string(x->mx), "receiving_ip",
		      jsonval_string(x->ip), "sessions", (json_int_t)count_json(x->count),
		      "periods", periods, "verdict", rpt_correlate_verdict_name(j->verdict),
		      "verdicts", "confirmed", (json_int_t)j->n_verdict[RPT_VERDICT_CONFIRMED],
		      "transient", (json_int_t)j->n_verdict[RPT_VERDICT_TRANSIENT], "not_seen",
		      (json_int_t)j->n_verdict[RPT_VERDICT_NOT_SEEN], "reason",
		      jsonval_string(j->reason), "evidence", evidence_json(j));
	return o;
}

/* An organisation or a domain's total: both periods, the trend and the counts. */
static json_t *org_json(const char *name, const struct rpt_org *o, bool faults)
{
	json_t *j = json_object(), *prev = json_object(), *list;
	size_t i;
	int r;

	if (j == NULL || prev == NULL) {
		json_decref(j);
		json_decref(prev);
		return NULL;
	}
	r = set(j, "name", jsonval_string(name)) || tally_json(j, &o->now, o->rate) ||
	    set(j, "trend",
		o->now.reports > 0 ? json_string(rpt_summary_trend_name(o->trend)) : json_null()) ||
	    set(j, "rate_delta",
		o->trend != RPT_TREND_NEW && o->now.reports > 0 ? json_real(o->delta)
								: json_null()) ||
	    tally_json(prev, &o->prev, o->prev_rate) || set(j, "previous", json_incref(prev)) ||
	    set(j, "failures_by_type", counts_json(o->now.types, o->now.n_types, "result_type")) ||
	    set(j, "mx_hosts", counts_json(o->now.mxs, o->now.n_mxs, "name")) ||
	    set(j, "receiving_ips", counts_json(o->now.ips, o->now.n_ips, "address"));
	json_decref(prev);
	if (r == 0 && faults) {
		list = json_array();
		r = set(j, "failures", json_incref(list));
		for (i = 0; r == 0 && i < o->now.n_faults; i++)
			if (json_array_append_new(list, fault_json(&o->now.faults[i])) != 0)
				r = -ENOMEM;
		json_decref(list);
	}
	if (r != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *domain_json(const char *name, const struct rpt_domain *d)
{
	json_t *j = org_json(name, &d->total, false), *orgs = json_array();
	size_t i;
	int r = j != NULL && orgs != NULL ? set(j, "organizations", json_incref(orgs)) : -ENOMEM;

	for (i = 0; r == 0 && i < d->n_orgs; i++)
		if (json_array_append_new(orgs, org_json(d->orgs[i].name, &d->orgs[i], true)) != 0)
			r = -ENOMEM;
	json_decref(orgs);
	if (r != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int report_summary_json(FILE *out, const struct rpt_summary *sum, const char *const *names,
			size_t n, time_t now)
{
	size_t count = n > 0 ? n : sum->n_domains, i;
	json_t *root = NULL, *list = json_array();
	int r = -ENOMEM;

	for (i = 0; list != NULL && i < count; i++) {
		const char *name;
		const struct rpt_domain *d = shown(sum, names, n, i, &name);

		if (json_array_append_new(list, domain_json(name, d)) != 0)
			goto out;
	}
	if (list != NULL)
		root = json_pack("{s:i, s:o, s:i, s:o, s:o, s:o, s:O}", "version",
				 SUMMARY_SCHEMA_VERSION, "generated", jsonval_time(now), "days",
				 (int)days_of(sum), "from", jsonval_time(sum->from), "to",
				 jsonval_time(sum->to), "previous_from",
				 jsonval_time(sum->from - (sum->to - sum->from)), "domains", list);
	if (root == NULL)
		goto out;
	if (json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0 ||
	    fputc('\n', out) == EOF || fflush(out) != 0)
		r = -EIO;
	else
		r = report_summary_status(sum, names, n);
out:
	json_decref(root);
	json_decref(list);
	return r;
}

/*
 * rollout_render.c - the text, JSON and Nagios output of "mxsentry rollout"; see
 * rollout_render.h.
 *
 *   example.com: READY to enforce
 *     MTA-STS: mode testing since 2026-11-09 03:00 UTC (20 days, 14 needed)
 *     policy: id 20261109, max_age 86400, mx mx1.example.com
 *     reports since 2026-11-15 03:00 UTC: 600 sessions (100 needed) from 2 organisations
 *     ...
 *
 * Times are UTC to the minute, as in "mxsentry status"; the JSON has them to the second. The
 * change is printed in the order to make it: the policy body first, the TXT id after
 * (STS-FETCH-14), since senders refetch only for a new id (STS-CACHE-03).
 */
#include "agent/rollout_render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/count.h"
#include "lib/duration.h"
#include "lib/jsonval.h"

/* docs/json-output.md, "Rollout": raised only for an incompatible change. */
#define ROLLOUT_SCHEMA_VERSION 1

int rollout_render_exit(enum rollout_verdict v, enum rollout_format fmt)
{
	bool nagios = fmt == ROLLOUT_FORMAT_NAGIOS;

	switch (v) {
	case ROLLOUT_READY:
	case ROLLOUT_OK:
		return 0;
	case ROLLOUT_NOT_ENOUGH_DATA:
		return nagios ? 0 : 1;
	case ROLLOUT_NOT_READY:
		return nagios ? 1 : 2;
	case ROLLOUT_ROLLBACK:
		return 2;
	case ROLLOUT_UNKNOWN:
	default:
		return 3;
	}
}

static const char *verdict_text(enum rollout_verdict v)
{
	switch (v) {
	case ROLLOUT_READY:
		return "READY to enforce";
	case ROLLOUT_NOT_READY:
		return "NOT READY";
	case ROLLOUT_NOT_ENOUGH_DATA:
		return "NOT ENOUGH DATA";
	case ROLLOUT_OK:
		return "OK, enforce holds";
	case ROLLOUT_ROLLBACK:
		return "ROLLBACK";
	case ROLLOUT_UNKNOWN:
	default:
		return "UNKNOWN";
	}
}

static bool counted(const struct rollout_result *r)
{
	return r->stage == ROLLOUT_STAGE_TESTING || r->stage == ROLLOUT_STAGE_ENFORCE;
}

static void text_policy(FILE *out, const struct rollout_input *in, const struct rollout_result *r)
{
	const struct policy_seen *p = r->policy;
	char when[64];
	size_t i;

	if (p == NULL) {
		fprintf(out, "  MTA-STS: no policy seen\n");
		return;
	}
	if (r->stage == ROLLOUT_STAGE_NO_POLICY) {
		duration_time_text(p->last_seen, when, sizeof(when));
		fprintf(out, "  MTA-STS: no valid policy in force (last fetched %s)\n", when);
	} else {
		duration_time_text(r->since, when, sizeof(when));
		fprintf(out, "  MTA-STS: mode %s since %s (%ld day%s", p->mode, when, r->days,
			r->days == 1 ? "" : "s");
		if (r->stage == ROLLOUT_STAGE_TESTING)
			fprintf(out, ", %u needed", in->th.min_days);
		fprintf(out, ")\n");
	}
	fprintf(out, "  policy: id %s, ", p->id);
	if (p->max_age >= 0)
		fprintf(out, "max_age %ld, ", p->max_age);
	fprintf(out, "mx");
	for (i = 0; p->mx[i] != NULL; i++)
		fprintf(out, "%s %s", i > 0 ? "," : "", p->mx[i]);
	fprintf(out, "%s\n", i == 0 ? " none" : "");
}

static void text_reports(FILE *out, const struct rollout_input *in, const struct rollout_result *r)
{
	unsigned long long all = count_add(r->successful, r->failed);
	char when[64], rate[32], max[32];
	size_t i;

	duration_time_text(r->window_start, when, sizeof(when));
	rollout_rate_text(r->failure_rate, rate, sizeof(rate));
	rollout_rate_text(in->th.max_failure_rate, max, sizeof(max));
	fprintf(out, "  reports since %s: %llu session%s", when, all, all == 1 ? "" : "s");
	if (r->stage == ROLLOUT_STAGE_TESTING)
		fprintf(out, " (%u needed)", in->th.min_sessions);
	fprintf(out, " from %zu organisation%s", r->n_orgs, r->n_orgs == 1 ? "" : "s");
	if (r->stage == ROLLOUT_STAGE_TESTING)
		fprintf(out, " (%u needed)", in->th.min_orgs);
	fprintf(out, ", %llu failed (%s, at most %s)\n", r->failed, rate, max);
	for (i = 0; i < r->n_orgs; i++)
		fprintf(out, "    %s: %llu sessions, %llu failed\n",
			*r->orgs[i].name != '\0' ? r->orgs[i].name : "(unnamed)",
			count_add(r->orgs[i].successful, r->orgs[i].failed), r->orgs[i].failed);
	for (i = 0; i < r->n_types; i++)
		fprintf(out, "%s %s %llu", i == 0 ? "  failures by type:" : ",",
			r->types[i].result_type, r->types[i].sessions);
	if (r->n_types > 0)
		fputc('\n', out);
}

static void text_reasons(FILE *out, const struct rollout_result *r)
{
	static const char *const titles[] = { "To fix", "To wait for", "To know" };
	int kind = -1;
	size_t i;

	for (i = 0; i < r->n_reasons; i++) {
		const struct rollout_reason *x = &r->reasons[i];

		if ((int)x->kind != kind) {
			kind = (int)x->kind;
			fprintf(out, "\n%s:\n", titles[kind]);
		}
		fprintf(out, "  - %s", x->what);
		if (x->req != NULL)
			fprintf(out, " (%s)", x->req);
		fprintf(out, "\n    %s\n", x->fix);
	}
}

/* A policy or record, indented as a block to copy. */
static void text_block(FILE *out, const char *text)
{
	const char *line = text, *nl;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		fprintf(out, "       %.*s\n", (int)(nl - line), line);
		line = *nl == '\n' ? nl + 1 : nl;
	}
}

static void text_change(FILE *out, const struct rollout_input *in, const struct rollout_result *r)
{
	bool ready = r->verdict == ROLLOUT_READY;
	char when[64];

	fprintf(out, "\n%s\n", ready ? "The change to make:" : "Roll back:");
	fprintf(out,
		"  1. Publish this policy at https://mta-sts.%s/.well-known/mta-sts.txt%s:\n\n",
		in->domain, ready ? "" : " (back to testing)");
	text_block(out, r->policy_text);
	if (r->none_text != NULL) {
		fprintf(out, "\n     or, to switch MTA-STS off (RFC 8461 section 8.3):\n\n");
		text_block(out, r->none_text);
	}
	fprintf(out, "\n  2. Then replace the _mta-sts TXT record: senders fetch the policy again "
		     "only\n     when its id changes (STS-CACHE-03, STS-FETCH-14):\n\n");
	text_block(out, r->txt_record);
	if (ready) {
		fprintf(out, "\n  Run this command again after the change: it watches the failure "
			     "rate\n  under enforce and prints the way back if it rises.\n");
		return;
	}
	duration_time_text(r->enforce_cached_until, when, sizeof(when));
	fprintf(out,
		"\n  Senders that fetched the enforce policy may keep applying it until %s\n"
		"  (its last fetch + max_age %ld, STS-CACHE-01); a sender looks for a new id\n"
		"  before it fails a message for good (STS-MODE-04).\n",
		when, r->policy->max_age);
}

static int render_text(FILE *out, const struct rollout_input *in, const struct rollout_result *r)
{
	char when[64], span[64];

	fprintf(out, "%s: %s\n", in->domain, verdict_text(r->verdict));
	text_policy(out, in, r);
	if (counted(r))
		text_reports(out, in, r);
	if (in->last_cycle != 0) {
		duration_time_text(in->last_cycle, when, sizeof(when));
		duration_span_text(in->last_cycle, in->now, span, sizeof(span));
		fprintf(out, "  last cycle of mxsentryd: %s (%s ago)\n", when, span);
	}
	text_reasons(out, r);
	if (r->txt_record != NULL)
		text_change(out, in, r);
	else if (r->verdict == ROLLOUT_NOT_READY || r->verdict == ROLLOUT_NOT_ENOUGH_DATA)
		fprintf(out, "\nRun this command again once the above is done.\n");
	return 0;
}

/* json_pack() steals the "o" values, also when it fails (jansson 2.13 and later). */
static json_t *policy_json(const struct policy_seen *p)
{
	json_t *mx = json_array();
	size_t i;

	if (p == NULL)
		return json_null();
	for (i = 0; mx != NULL && p->mx[i] != NULL; i++)
		if (json_array_append_new(mx, jsonval_string(p->mx[i])) != 0)
			break;
	return json_pack(
	    "{s:s, s:o, s:o, s:o, s:o, s:o}", "id", p->id, "mode", jsonval_string(p->mode),
	    "max_age", p->max_age >= 0 ? json_integer(p->max_age) : json_null(), "mx", mx,
	    "first_seen", jsonval_time(p->first_seen), "last_seen", jsonval_time(p->last_seen));
}

static json_t *reports_json(const struct rollout_result *r)
{
	json_t *orgs = json_array(), *types = json_array();
	size_t i;

	for (i = 0; orgs != NULL && i < r->n_orgs; i++)
		if (json_array_append_new(
			orgs, json_pack("{s:s, s:I, s:I}", "name", r->orgs[i].name, "successful",
					(json_int_t)count_json(r->orgs[i].successful), "failed",
					(json_int_t)count_json(r->orgs[i].failed))) != 0)
			break;
	for (i = 0; types != NULL && i < r->n_types; i++)
		if (json_array_append_new(
			types,
			json_pack("{s:s, s:I}", "result_type", r->types[i].result_type, "sessions",
				  (json_int_t)count_json(r->types[i].sessions))) != 0)
			break;
	return json_pack("{s:o, s:o, s:I, s:I, s:f, s:o}", "from", jsonval_time(r->window_start),
			 "organizations", orgs, "successful", (json_int_t)count_json(r->successful),
			 "failed", (json_int_t)count_json(r->failed), "failure_rate",
			 r->failure_rate, "failure_types", types);
}

static json_t *reasons_json(const struct rollout_result *r)
{
	static const char *const kinds[] = { "fix", "wait", "note" };
	json_t *v = json_array();
	size_t i;

	for (i = 0; v != NULL && i < r->n_reasons; i++)
		if (json_array_append_new(
			v, json_pack("{s:s, s:s, s:s, s:o}", "kind", kinds[r->reasons[i].kind],
				     "what", r->reasons[i].what, "fix", r->reasons[i].fix, "req",
				     jsonval_string(r->reasons[i].req))) != 0)
			break;
	return v;
}

static json_t *change_json(const struct rollout_result *r)
{
	if (r->txt_record == NULL)
		return json_null();
	return json_pack("{s:s, s:s, s:o, s:s}", "id", r->new_id, "policy", r->policy_text,
			 "none_policy", jsonval_string(r->none_text), "txt_record", r->txt_record);
}

static int render_json(FILE *out, const struct rollout_input *in, const struct rollout_result *r)
{
	const struct rollout_thresholds *th = &in->th;
	json_t *root;
	int q = 0;

	root = json_pack(
	    "{s:i, s:o, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:{s:i, s:i, s:f, s:i}, s:o, s:o, s:o, "
	    "s:o}",
	    "version", ROLLOUT_SCHEMA_VERSION, "generated", jsonval_time(in->now), "domain",
	    in->domain, "verdict", rollout_verdict_name(r->verdict), "stage",
	    rollout_stage_name(r->stage), "since",
	    r->since != 0 ? jsonval_time(r->since) : json_null(), "days", (json_int_t)r->days,
	    "last_cycle", in->last_cycle != 0 ? jsonval_time(in->last_cycle) : json_null(),
	    "policy", policy_json(r->policy), "thresholds", "min_days", (int)th->min_days,
	    "min_orgs", (int)th->min_orgs, "max_failure_rate", th->max_failure_rate, "min_sessions",
	    (int)th->min_sessions, "reports", counted(r) ? reports_json(r) : json_null(), "reasons",
	    reasons_json(r), "change", change_json(r), "enforce_cached_until",
	    r->enforce_cached_until != 0 ? jsonval_time(r->enforce_cached_until) : json_null());
	if (root == NULL)
		return -ENOMEM;
	if (json_dumpf(root, out, JSON_INDENT(2)) != 0 || fputc('\n', out) == EOF)
		q = -EIO;
	json_decref(root);
	return q;
}

static int render_nagios(FILE *out, const struct rollout_input *in, const struct rollout_result *r)
{
	static const char *const states[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	static const char *const kinds[] = { "fix", "wait", "note" };
	int status = rollout_render_exit(r->verdict, ROLLOUT_FORMAT_NAGIOS);
	char rate[32], max[32];
	bool testing;
	size_t i;

	rollout_rate_text(r->failure_rate, rate, sizeof(rate));
	fprintf(out, "ROLLOUT %s - %s %s", states[status], in->domain, verdict_text(r->verdict));
	if (r->verdict == ROLLOUT_NOT_ENOUGH_DATA)
		fprintf(out, ", waiting");
	if (r->n_reasons > 0 && r->reasons[0].kind != ROLLOUT_REASON_NOTE)
		fprintf(out, ": %s%s", r->reasons[0].what, r->n_reasons > 1 ? " (and more)" : "");
	else if (counted(r))
		fprintf(out, ": mode %s for %ld days, %zu organisations, %llu sessions, %s failed",
			r->policy->mode, r->days, r->n_orgs, count_add(r->successful, r->failed),
			rate);
	/*
	 * Ranges of the plugin guidelines: "14:" is below 14, "0.1" above 0.1. The data
	 * thresholds apply while testing; the rate warns while testing (NOT READY) and is
	 * critical under enforce (ROLLBACK).
	 */
	testing = r->stage == ROLLOUT_STAGE_TESTING;
	(void)snprintf(max, sizeof(max), "%g", in->th.max_failure_rate * 100);
	fprintf(out, " | days=%ld;", r->days);
	if (testing)
		fprintf(out, "%u:", in->th.min_days);
	fprintf(out, ";;0 orgs=%zu;", r->n_orgs);
	if (testing)
		fprintf(out, "%u:", in->th.min_orgs);
	fprintf(out, ";;0 sessions=%llu;", count_add(r->successful, r->failed));
	if (testing)
		fprintf(out, "%u:", in->th.min_sessions);
	fprintf(out, ";;0 failure_rate=%.6g%%;%s;%s;0;100\n", r->failure_rate * 100,
		testing ? max : "", r->stage == ROLLOUT_STAGE_ENFORCE ? max : "");
	for (i = 0; i < r->n_reasons; i++)
		fprintf(out, "%s: %s\n", kinds[r->reasons[i].kind], r->reasons[i].what);
	return status;
}

int rollout_render(FILE *out, const struct rollout_input *in, const struct rollout_result *r,
		   enum rollout_format fmt)
{
	int q;

	if (fmt == ROLLOUT_FORMAT_JSON)
		q = render_json(out, in, r);
	else if (fmt == ROLLOUT_FORMAT_NAGIOS)
		q = render_nagios(out, in, r);
	else
		q = render_text(out, in, r);
	if (q < 0)
		return q;
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return rollout_render_exit(r->verdict, fmt);
}

/*
 * rollout.c - judge where a domain stands between no policy, testing and enforce; see rollout.h.
 *
 * The order of the work: the stage from the policy history, the reports of the window tallied
 * per organisation and result type, then the reasons (what to fix, what to wait for, what to
 * know), from which the verdict follows, and last the change to make (rollout_text.c).
 * Rules: STS-MODE-01/02/03 (what each mode does to mail), STS-CACHE-01 (how long senders keep
 * an enforce policy), STS-FETCH-12 (a policy no longer served), RPT-CHK-01 (no reports),
 * RPT-JSON-12 (failure types overlap, so only the totals make the rate).
 */
#include "lib/rollout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/count.h"
#include "lib/duration.h"
#include "lib/rollout_text.h"

#define DAY 86400L

/* The live checks whose WARNING and CRITICAL problems stand in the way of enforce. */
static const char *const gating_checks[] = { "mx_starttls", "cert_expiry", "mta_sts", NULL };

void rollout_thresholds_default(struct rollout_thresholds *t)
{
	*t = (struct rollout_thresholds){ .min_days = ROLLOUT_MIN_DAYS_DEFAULT,
					  .min_orgs = ROLLOUT_MIN_ORGS_DEFAULT,
					  .max_failure_rate = ROLLOUT_MAX_FAILURE_RATE_DEFAULT,
					  .min_sessions = ROLLOUT_MIN_SESSIONS_DEFAULT };
}

time_t rollout_window_start(const struct rollout_thresholds *th, time_t now)
{
	return now - (time_t)th->min_days * DAY;
}

/* Append a reason; takes fix (NULL means the caller ran out of memory). */
__attribute__((format(printf, 5, 6))) static int add_reason(struct rollout_result *r,
							    enum rollout_reason_kind kind,
							    const char *req, char *fix,
							    const char *fmt, ...)
{
	struct rollout_reason *v;
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	v = what != NULL && fix != NULL ? realloc(r->reasons, (r->n_reasons + 1) * sizeof(*v))
					: NULL;
	if (v == NULL) {
		free(what);
		free(fix);
		return -ENOMEM;
	}
	r->reasons = v;
	v[r->n_reasons++] =
	    (struct rollout_reason){ .kind = kind, .what = what, .fix = fix, .req = req };
	return 0;
}

static const char *when(time_t t, char *buf, size_t len)
{
	duration_time_text(t, buf, len);
	return buf;
}

static bool same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * The stage from the newest policy: its mode, unless the agent has gone on cycling for
 * ROLLOUT_GONE_AFTER without seeing it (no longer served) or it did not parse. "since" is the
 * first sighting of the run of newest policies in the same mode: a new id in the same mode
 * does not restart the clock, a change of mode does.
 */
static int find_stage(const struct rollout_input *in, struct rollout_result *r)
{
	const struct policy_seen *p;
	char t[64];
	size_t i;

	r->stage = ROLLOUT_STAGE_NO_POLICY;
	if (in->n_policies == 0)
		return add_reason(
		    r, ROLLOUT_REASON_FIX, "STS-TXT-01",
		    mxs_strdupf("publish a policy with mode: testing at "
				"https://mta-sts.%s/.well-known/mta-sts.txt and its "
				"_mta-sts TXT record, with a TLS-RPT record beside them",
				in->domain),
		    "no MTA-STS policy of %s has been seen", in->domain);
	p = &in->policies[0];
	r->policy = p;
	if (in->last_cycle != 0 && in->last_cycle - p->last_seen > ROLLOUT_GONE_AFTER)
		return add_reason(
		    r, ROLLOUT_REASON_FIX, "STS-FETCH-12",
		    mxs_strdupf("serve the policy again (mode: testing) at "
				"https://mta-sts.%s/.well-known/mta-sts.txt, or enable "
				"the mta_sts check of this domain",
				in->domain),
		    "the last policy (id %s, mode %s) was last fetched %s", p->id,
		    p->mode != NULL ? p->mode : "invalid", when(p->last_seen, t, sizeof(t)));
	if (p->mode == NULL)
		return add_reason(
		    r, ROLLOUT_REASON_FIX, "STS-FETCH-12",
		    mxs_strdupf("correct the policy (mxsentry check %s names each error)",
				in->domain),
		    "the policy served under id %s is invalid: senders ignore it", p->id);
	if (strcmp(p->mode, "testing") == 0)
		r->stage = ROLLOUT_STAGE_TESTING;
	else if (strcmp(p->mode, "enforce") == 0)
		r->stage = ROLLOUT_STAGE_ENFORCE;
	else
		r->stage = ROLLOUT_STAGE_NONE;
	r->since = p->first_seen;
	for (i = 1; i < in->n_policies && same(in->policies[i].mode, p->mode); i++)
		if (in->policies[i].first_seen < r->since)
			r->since = in->policies[i].first_seen;
	r->days = in->now > r->since ? (long)((in->now - r->since) / DAY) : 0;
	if (r->stage == ROLLOUT_STAGE_NONE)
		return add_reason(
		    r, ROLLOUT_REASON_FIX, "STS-MODE-03",
		    mxs_strdupf("publish mode: testing under a new id, with a TLS-RPT "
				"record, and come back after %u days",
				in->th.min_days),
		    "mode none: senders treat %s as having no policy", in->domain);
	return 0;
}

/* Whether a report row counts: an MTA-STS policy in the current mode, inside the window. */
static bool counts(const struct rollout_result *r, const char *mode, const char *type, time_t start,
		   time_t end, time_t now)
{
	return same(type, "sts") && (mode == NULL || same(mode, r->policy->mode)) &&
	       end > r->window_start && start < now;
}

static int org_cmp(const void *a, const void *b)
{
	const struct rollout_org *x = a, *y = b;
	unsigned long long sx = count_add(x->successful, x->failed);
	unsigned long long sy = count_add(y->successful, y->failed);

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int type_cmp(const void *a, const void *b)
{
	const struct rollout_type *x = a, *y = b;

	if (x->sessions != y->sessions)
		return x->sessions > y->sessions ? -1 : 1;
	return strcmp(x->result_type, y->result_type);
}

static int add_org(struct rollout_result *r, const struct rollout_report *rep)
{
	const char *name = rep->organization != NULL ? rep->organization : "";
	struct rollout_org *v;
	size_t i;

	for (i = 0; i < r->n_orgs && strcmp(r->orgs[i].name, name) != 0; i++)
		;
	if (i == r->n_orgs) {
		v = realloc(r->orgs, (r->n_orgs + 1) * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		r->orgs = v;
		v[i] = (struct rollout_org){ .name = strdup(name) };
		if (v[i].name == NULL)
			return -ENOMEM;
		r->n_orgs++;
	}
	r->orgs[i].successful = count_add(r->orgs[i].successful, rep->successful);
	r->orgs[i].failed = count_add(r->orgs[i].failed, rep->failed);
	return 0;
}

static int add_type(struct rollout_result *r, const struct rollout_failure *f)
{
	struct rollout_type *v;
	size_t i;

	for (i = 0; i < r->n_types && strcmp(r->types[i].result_type, f->result_type) != 0; i++)
		;
	if (i == r->n_types) {
		v = realloc(r->types, (r->n_types + 1) * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		r->types = v;
		v[i] = (struct rollout_type){ .result_type = strdup(f->result_type) };
		if (v[i].result_type == NULL)
			return -ENOMEM;
		r->n_types++;
	}
	r->types[i].sessions = count_add(r->types[i].sessions, f->sessions);
	return 0;
}

/* Sessions and failures of the window, under the current mode (testing or enforce only). */
static int tally(const struct rollout_input *in, struct rollout_result *r)
{
	size_t i, n = 0;
	int q;

	r->window_start = rollout_window_start(&in->th, in->now);
	if (r->stage != ROLLOUT_STAGE_TESTING && r->stage != ROLLOUT_STAGE_ENFORCE)
		return 0;
	if (r->since > r->window_start)
		r->window_start = r->since;
	for (i = 0; i < in->n_reports; i++) {
		const struct rollout_report *rep = &in->reports[i];

		if (!counts(r, rep->mode, rep->policy_type, rep->start, rep->end, in->now))
			continue;
		q = add_org(r, rep);
		if (q < 0)
			return q;
		r->successful = count_add(r->successful, rep->successful);
		r->failed = count_add(r->failed, rep->failed);
	}
	for (i = 0; i < in->n_failures; i++) {
		const struct rollout_failure *f = &in->failures[i];

		if (f->result_type == NULL ||
		    !counts(r, f->mode, f->policy_type, f->start, f->end, in->now))
			continue;
		q = add_type(r, f);
		if (q < 0)
			return q;
	}
	/* An organisation whose reports say zero sessions has not seen the path. */
	for (i = 0; i < r->n_orgs; i++) {
		if (count_add(r->orgs[i].successful, r->orgs[i].failed) == 0)
			free(r->orgs[i].name);
		else
			r->orgs[n++] = r->orgs[i];
	}
	r->n_orgs = n;
	if (n > 1)
		qsort(r->orgs, n, sizeof(*r->orgs), org_cmp);
	if (r->n_types > 1)
		qsort(r->types, r->n_types, sizeof(*r->types), type_cmp);
	r->failure_rate = count_share(r->failed, r->successful);
	return 0;
}

/* Failures above the threshold: the rate, then each result type with its fix. */
static int failure_reasons(const struct rollout_input *in, struct rollout_result *r)
{
	bool over =
	    count_add(r->successful, r->failed) > 0 && r->failure_rate > in->th.max_failure_rate;
	char rate[32], max[32];
	size_t i;
	int q;

	if (r->failed == 0)
		return 0;
	rollout_rate_text(r->failure_rate, rate, sizeof(rate));
	rollout_rate_text(in->th.max_failure_rate, max, sizeof(max));
	if (!over)
		return add_reason(r, ROLLOUT_REASON_NOTE, "STS-MODE-02",
				  strdup("look at them anyway: under enforce each is a message "
					 "deferred"),
				  "%llu of %llu sessions failed (%s), within the %s allowed",
				  r->failed, count_add(r->successful, r->failed), rate, max);
	q = add_reason(r, ROLLOUT_REASON_FIX,
		       r->stage == ROLLOUT_STAGE_ENFORCE ? "STS-MODE-01" : "STS-MODE-02",
		       r->stage == ROLLOUT_STAGE_ENFORCE
			   ? strdup("roll back (below), then fix the causes listed")
			   : mxs_strdupf("fix the causes listed; the rate counts the last %u days",
					 in->th.min_days),
		       "%llu of %llu sessions failed (%s)%s, above the %s allowed", r->failed,
		       count_add(r->successful, r->failed), rate,
		       r->stage == ROLLOUT_STAGE_ENFORCE ? " since the cutover" : "", max);
	for (i = 0; q == 0 && i < r->n_types; i++)
		q = add_reason(r, ROLLOUT_REASON_FIX,
			       rollout_text_type_req(r->types[i].result_type),
			       rollout_text_type_fix(r->types[i].result_type, in->domain),
			       "%llu session%s failed with %s", r->types[i].sessions,
			       r->types[i].sessions == 1 ? "" : "s", r->types[i].result_type);
	return q;
}

static bool gating(const char *check)
{
	size_t i;

	for (i = 0; check != NULL && gating_checks[i] != NULL; i++)
		if (strcmp(check, gating_checks[i]) == 0)
			return true;
	return false;
}

/* Open problems of the gating checks: WARNING and CRITICAL to fix, UNKNOWN to know. */
static int problem_reasons(const struct rollout_input *in, struct rollout_result *r)
{
	bool enforce = r->stage == ROLLOUT_STAGE_ENFORCE;
	size_t i;
	int q = 0;

	for (i = 0; q == 0 && i < in->n_problems; i++) {
		const struct rollout_problem *p = &in->problems[i];
		const char *sep = p->mx != NULL ? " " : "";
		const char *mx = p->mx != NULL ? p->mx : "";

		if (!gating(p->check))
			continue;
		if (p->severity == SEVERITY_UNKNOWN)
			q = add_reason(r, ROLLOUT_REASON_NOTE, p->req,
				       strdup("the verdict rests on the reports alone for it"),
				       "%s could not tell: %s%s%s: %s", p->check, p->code, sep, mx,
				       p->message);
		else if (p->severity == SEVERITY_WARNING || p->severity == SEVERITY_CRITICAL)
			q = add_reason(r, ROLLOUT_REASON_FIX, p->req,
				       rollout_text_problem_fix(p->check, enforce), "%s %s%s%s: %s",
				       severity_name(p->severity), p->code, sep, mx, p->message);
	}
	return q;
}

/* Too little data to judge: each threshold not met yet, with what to wait for. */
static int wait_reasons(const struct rollout_input *in, struct rollout_result *r)
{
	unsigned long long sessions = count_add(r->successful, r->failed);
	char t[64];
	int q = 0;

	if (r->days < (long)in->th.min_days)
		q = add_reason(
		    r, ROLLOUT_REASON_WAIT, "STS-MODE-02",
		    mxs_strdupf("wait until %s",
				when(r->since + (time_t)in->th.min_days * DAY, t, sizeof(t))),
		    "mode testing for %ld day%s, %u needed", r->days, r->days == 1 ? "" : "s",
		    in->th.min_days);
	if (q == 0 && r->n_orgs < in->th.min_orgs)
		q = add_reason(
		    r, ROLLOUT_REASON_WAIT, r->n_orgs == 0 ? "RPT-CHK-01" : NULL,
		    r->n_orgs == 0
			? mxs_strdupf("publish a TLS-RPT record at _smtp._tls.%s whose rua reaches "
				      "mxsentry, and check that its reports are stored",
				      in->domain)
			: strdup("wait for more senders to report (large ones report daily)"),
		    "sessions reported by %zu organisation%s, %u needed", r->n_orgs,
		    r->n_orgs == 1 ? "" : "s", in->th.min_orgs);
	if (q == 0 && sessions < in->th.min_sessions)
		q = add_reason(r, ROLLOUT_REASON_WAIT, NULL, strdup("wait for more reports"),
			       "%llu session%s reported in the window, %u needed", sessions,
			       sessions == 1 ? "" : "s", in->th.min_sessions);
	return q;
}

/*
 * The newest enforce policy senders may still apply (STS-CACHE-01: fetch time + max_age; its
 * last sighting is the latest fetch we know of). Under enforce that is the current one.
 */
static int cached_enforce(const struct rollout_input *in, struct rollout_result *r)
{
	char t[64], u[64];
	size_t i;

	for (i = 0; i < in->n_policies; i++) {
		const struct policy_seen *p = &in->policies[i];

		if (!same(p->mode, "enforce") || p->max_age < 0 ||
		    p->last_seen + p->max_age <= in->now)
			continue;
		r->enforce_cached_until = p->last_seen + p->max_age;
		if (r->stage == ROLLOUT_STAGE_ENFORCE)
			return 0;
		return add_reason(
		    r, ROLLOUT_REASON_NOTE, "STS-CACHE-01",
		    strdup("keep every MX host valid under it until then"),
		    "an enforce policy (id %s) was served until %s: senders may apply "
		    "it until %s",
		    p->id, when(p->last_seen, t, sizeof(t)),
		    when(r->enforce_cached_until, u, sizeof(u)));
	}
	return 0;
}

/* UNKNOWN: the agent has not checked the domain, or not lately. */
static int agent_reasons(const struct rollout_input *in, struct rollout_result *r, bool *unknown)
{
	char t[64], span[64];

	*unknown = in->last_cycle == 0 ||
		   (in->stale_after > 0 && in->now - in->last_cycle > in->stale_after);
	if (in->last_cycle == 0)
		return add_reason(r, ROLLOUT_REASON_FIX, NULL,
				  mxs_strdupf("add %s to the domains of mxsentry.conf and let "
					      "mxsentryd check it",
					      in->domain),
				  "mxsentryd has recorded no cycle of %s", in->domain);
	if (!*unknown)
		return 0;
	duration_span_text(in->last_cycle, in->now, span, sizeof(span));
	return add_reason(r, ROLLOUT_REASON_FIX, NULL,
			  mxs_strdupf("check that mxsentryd is running and that %s is in its "
				      "configuration",
				      in->domain),
			  "the last cycle of %s ran %s (%s ago): its findings and policy history "
			  "are out of date",
			  in->domain, when(in->last_cycle, t, sizeof(t)), span);
}

static bool any(const struct rollout_result *r, enum rollout_reason_kind kind)
{
	size_t i;

	for (i = 0; i < r->n_reasons; i++)
		if (r->reasons[i].kind == kind)
			return true;
	return false;
}

/* Fixes first, then waits, then notes; the order found within each. */
static void sort_reasons(struct rollout_result *r)
{
	struct rollout_reason tmp;
	size_t i, j;

	for (i = 1; i < r->n_reasons; i++) {
		tmp = r->reasons[i];
		for (j = i; j > 0 && r->reasons[j - 1].kind > tmp.kind; j--)
			r->reasons[j] = r->reasons[j - 1];
		r->reasons[j] = tmp;
	}
}

static int judge(const struct rollout_input *in, struct rollout_result *r)
{
	bool unknown = false;
	int q;

	q = find_stage(in, r);
	if (q == 0)
		q = tally(in, r);
	if (q == 0 && (r->stage == ROLLOUT_STAGE_TESTING || r->stage == ROLLOUT_STAGE_ENFORCE))
		q = failure_reasons(in, r);
	if (q == 0)
		q = problem_reasons(in, r);
	if (q == 0 && r->stage == ROLLOUT_STAGE_TESTING)
		q = wait_reasons(in, r);
	if (q == 0 && r->stage == ROLLOUT_STAGE_ENFORCE && count_add(r->successful, r->failed) == 0)
		q = add_reason(r, ROLLOUT_REASON_NOTE, "RPT-CHK-01",
			       strdup("reports come a day after the sessions; if none ever come, "
				      "check the TLS-RPT record"),
			       "no report of sessions under enforce yet");
	if (q == 0)
		q = cached_enforce(in, r);
	if (q == 0)
		q = agent_reasons(in, r, &unknown);
	if (q < 0)
		return q;
	if (unknown)
		r->verdict = ROLLOUT_UNKNOWN;
	else if (r->stage == ROLLOUT_STAGE_ENFORCE)
		r->verdict = count_add(r->successful, r->failed) > 0 &&
				     r->failure_rate > in->th.max_failure_rate
				 ? ROLLOUT_ROLLBACK
				 : ROLLOUT_OK;
	else if (r->stage != ROLLOUT_STAGE_TESTING || any(r, ROLLOUT_REASON_FIX))
		r->verdict = ROLLOUT_NOT_READY;
	else if (any(r, ROLLOUT_REASON_WAIT))
		r->verdict = ROLLOUT_NOT_ENOUGH_DATA;
	else
		r->verdict = ROLLOUT_READY;
	sort_reasons(r);
	if (r->verdict == ROLLOUT_READY || r->verdict == ROLLOUT_ROLLBACK)
		return rollout_text_change(in, r);
	return 0;
}

int rollout_judge(const struct rollout_input *in, struct rollout_result *ret)
{
	struct rollout_result r = { 0 };
	int q;

	if (in == NULL || ret == NULL || in->domain == NULL || in->th.min_days == 0 ||
	    !(in->th.max_failure_rate >= 0 && in->th.max_failure_rate <= 1) ||
	    (in->n_policies > 0 && in->policies == NULL) ||
	    (in->n_reports > 0 && in->reports == NULL) ||
	    (in->n_failures > 0 && in->failures == NULL) ||
	    (in->n_problems > 0 && in->problems == NULL))
		return -EINVAL;
	q = judge(in, &r);
	if (q < 0) {
		rollout_result_clear(&r);
		return q;
	}
	*ret = r;
	return 0;
}

void rollout_result_clear(struct rollout_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_orgs; i++)
		free(r->orgs[i].name);
	free(r->orgs);
	for (i = 0; i < r->n_types; i++)
		free(r->types[i].result_type);
	free(r->types);
	for (i = 0; i < r->n_reasons; i++) {
		free(r->reasons[i].what);
		free(r->reasons[i].fix);
	}
	free(r->reasons);
	free(r->new_id);
	free(r->policy_text);
	free(r->none_text);
	free(r->txt_record);
	memset(r, 0, sizeof(*r));
}

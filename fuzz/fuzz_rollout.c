/*
 * fuzz_rollout.c - structure-aware libFuzzer target for rollout_judge() (lib/rollout.c).
 *
 * The bytes are read with a cursor into a struct rollout_input at a fixed now: thresholds within
 * their documented ranges, the agent's last cycle, then up to six each of policies, report rows,
 * failure rows and open problems. Modes, policy types, result types and checks come from the
 * valid set or, now and then, are strings cut from the input, as are organisation names, ids, mx
 * patterns, codes and messages, so that hostile bytes reach the text code. Session counts span
 * what the store holds (0..INT64_MAX); report times may be anything. Properties checked beyond
 * "no crash", each from rollout.h:
 *  - the result is 0 or -ENOMEM (the input is well formed, so never -EINVAL);
 *  - UNKNOWN exactly when no cycle is recorded or the last one is stale; otherwise testing gives
 *    READY, NOT_READY or NOT_ENOUGH_DATA, enforce OK or ROLLBACK, the other stages NOT_READY;
 *    the stage follows from the newest policy (its mode, unless invalid or gone);
 *  - READY: no fix, every threshold met, the enforce policy with max_age at least two weeks;
 *    ROLLBACK: the rate above the threshold, back to testing or none with max_age one day; both
 *    with a fresh id (1-32 alphanumerics, STS-TXT-08) used by no input policy, and its TXT
 *    record; other verdicts propose no change; NOT_READY has a fix, NOT_ENOUGH_DATA a wait and
 *    no fix;
 *  - reasons are fixes, then waits, then notes, each with a non-empty what and fix, one line when
 *    no input string holds a control character;
 *  - since, days and window_start as documented; the totals are the sessions of the "sts" rows
 *    of the current mode inside the window, the rate failed / all (0 without any) in [0, 1];
 *    organisations distinct, with sessions, most first, summing to the totals; result types
 *    most first, summing to the failure rows of the window;
 *  - enforce_cached_until is 0 or after now, and the end of some enforce policy's max_age;
 *  - judging the same input twice gives the same result.
 * Sums of counts saturate at ULLONG_MAX (lib/count.h), here as in rollout.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/count.h"
#include "lib/rollout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW      ((time_t)1795921200) /* 2026-11-29 03:00:00 UTC */
#define STAMP    "20261129030000"     /* the id rollout_judge() proposes first at NOW */
#define DAY      86400L
#define MAX_ROWS 6 /* of each kind */
#define MAX_MX   3
#define MAX_CUTS 128 /* strings cut per input, at most */

struct cursor {
	const uint8_t *p;
	size_t n;
	char *pool; /* the cut strings, NUL-terminated */
	size_t used, cap;
	bool ctl; /* a cut string holds a control character */
};

static unsigned u8(struct cursor *c)
{
	if (c->n == 0)
		return 0;
	c->n--;
	return *c->p++;
}

static uint64_t take(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | u8(c);
	return v;
}

/* A string of up to 39 input bytes (shorter at a NUL). */
static const char *cut(struct cursor *c)
{
	size_t len = u8(c) % 40, i;
	char *s;

	if (len > c->n)
		len = c->n;
	if (c->used + len + 1 > c->cap)
		return "";
	s = c->pool + c->used;
	memcpy(s, c->p, len);
	s[len] = '\0';
	c->p += len;
	c->n -= len;
	c->used += len + 1;
	for (i = 0; s[i] != '\0'; i++)
		c->ctl = c->ctl || (unsigned char)s[i] < 0x20 || s[i] == 0x7f;
	return s;
}

/* One of set (which may hold NULL), or a cut string one time in n + 1. */
static const char *pick(struct cursor *c, const char *const *set, size_t n)
{
	size_t i = u8(c) % (n + 1);

	return i < n ? set[i] : cut(c);
}

#define PICK(c, set) pick(c, set, sizeof(set) / sizeof(set[0]))

/* A session count: small, medium or anything the store holds (SQLite's int64). */
static unsigned long long count(struct cursor *c)
{
	static const unsigned widths[] = { 1, 2, 4, 8 };

	return take(c, widths[u8(c) % 4]) & INT64_MAX;
}

/* A report's date-range: recent days, or (hostile) any time at all. */
static void range(struct cursor *c, time_t *start, time_t *end)
{
	if (u8(c) == 0xff) {
		*start = (time_t)take(c, 8);
		*end = (time_t)take(c, 8);
		return;
	}
	*start = NOW - (time_t)take(c, 2) * 600;
	*end = *start + (time_t)u8(c) * 3600;
}

static const char *const modes[] = { "testing", "enforce", "none", NULL };
static const char *const types[] = { "sts", "sts", "tlsa", "no-policy-found" };

struct built {
	struct rollout_input in;
	struct policy_seen pols[MAX_ROWS];
	char *mx[MAX_ROWS][MAX_MX + 1];
	struct rollout_report reps[MAX_ROWS];
	struct rollout_failure fails[MAX_ROWS];
	struct rollout_problem probs[MAX_ROWS];
};

static void build_policies(struct cursor *c, struct built *b)
{
	static const char *const ids[] = { "p1", "p2", STAMP, STAMP "a", STAMP "b" };
	static const char *const mxs[] = { "mx1.example.com", "*.mail.example.com" };
	struct policy_seen *p, tmp;
	size_t i, k, n = u8(c) % (MAX_ROWS + 1);

	for (i = 0; i < n; i++) {
		p = &b->pols[i];
		p->id = (char *)PICK(c, ids);
		p->mode = (char *)PICK(c, modes);
		p->max_age = p->mode == NULL || u8(c) == 0xff ? -1 : (long)(take(c, 4) % 31557601);
		for (k = u8(c) % (MAX_MX + 1); k > 0; k--)
			b->mx[i][k - 1] = (char *)PICK(c, mxs);
		p->mx = b->mx[i];
		p->first_seen = NOW - (time_t)(int16_t)take(c, 2) * 1800;
		p->last_seen = p->first_seen + (time_t)take(c, 2) * 900;
	}
	/* store_history_load() order: newest last_seen first */
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && b->pols[k - 1].last_seen < b->pols[k].last_seen; k--) {
			tmp = b->pols[k - 1];
			b->pols[k - 1] = b->pols[k];
			b->pols[k] = tmp;
		}
	b->in.policies = b->pols;
	b->in.n_policies = n;
}

static void build_rows(struct cursor *c, struct built *b)
{
	static const char *const orgs[] = { "Google", "Microsoft", "" };
	static const char *const results[] = {
		"starttls-not-supported", "certificate-host-mismatch",
		"certificate-expired",    "certificate-not-trusted",
		"validation-failure",     "sts-policy-fetch-error",
		"sts-policy-invalid",     "sts-webpki-invalid",
		"tlsa-invalid",           NULL,
	};
	static const char *const checks[] = { "mx_starttls", "cert_expiry", "mta_sts",
					      "dane_tlsa" };
	static const char *const mxs[] = { "mx1.example.com", NULL };
	static const char *const reqs[] = { "STS-CERT-01", NULL };
	size_t i;

	b->in.n_reports = u8(c) % (MAX_ROWS + 1);
	for (i = 0; i < b->in.n_reports; i++) {
		b->reps[i].organization = PICK(c, orgs);
		b->reps[i].policy_type = PICK(c, types);
		b->reps[i].mode = PICK(c, modes);
		range(c, &b->reps[i].start, &b->reps[i].end);
		b->reps[i].successful = count(c);
		b->reps[i].failed = count(c);
	}
	b->in.n_failures = u8(c) % (MAX_ROWS + 1);
	for (i = 0; i < b->in.n_failures; i++) {
		b->fails[i].policy_type = PICK(c, types);
		b->fails[i].mode = PICK(c, modes);
		range(c, &b->fails[i].start, &b->fails[i].end);
		b->fails[i].result_type = PICK(c, results);
		b->fails[i].sessions = count(c);
	}
	b->in.n_problems = u8(c) % (MAX_ROWS + 1);
	for (i = 0; i < b->in.n_problems; i++) {
		b->probs[i].check = PICK(c, checks);
		b->probs[i].code = cut(c);
		b->probs[i].severity = (enum severity)(u8(c) % 4);
		b->probs[i].mx = PICK(c, mxs);
		b->probs[i].message = cut(c);
		b->probs[i].req = PICK(c, reqs);
	}
	b->in.reports = b->reps;
	b->in.failures = b->fails;
	b->in.problems = b->probs;
}

static void build(struct cursor *c, struct built *b)
{
	static const char *const domains[] = { "example.com", "xn--bcher-kva.example" };
	static const double rates[] = { ROLLOUT_MAX_FAILURE_RATE_DEFAULT, 0, 1 };
	unsigned r;

	b->in.domain = domains[u8(c) % 2];
	b->in.now = NOW;
	b->in.th.min_days = 1 + (unsigned)(take(c, 2) % 365);
	b->in.th.min_orgs = 1 + u8(c) % 4;
	r = u8(c) % 4;
	b->in.th.max_failure_rate = r < 3 ? rates[r] : (double)take(c, 2) / 65535;
	b->in.th.min_sessions = (unsigned)take(c, 2);
	b->in.last_cycle = u8(c) % 8 == 0 ? 0 : NOW - (time_t)take(c, 2) * 60;
	r = u8(c) % 3;
	b->in.stale_after = r == 0 ? 0 : r == 1 ? DAY : (time_t)take(c, 2) * 60;
	build_policies(c, b);
	build_rows(c, b);
}

/* What rollout.h lets one work out from the input alone. */
struct expect {
	enum rollout_stage stage;
	bool unknown;
	time_t since, window_start;
	long days;
	unsigned long long successful, failed, type_sessions;
};

static bool same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool counted(const struct expect *e, const char *cur, const char *type, const char *mode,
		    time_t start, time_t end)
{
	return same(type, "sts") && (mode == NULL || same(mode, cur)) && end > e->window_start &&
	       start < NOW;
}

static void expect(const struct rollout_input *in, struct expect *e)
{
	const struct policy_seen *p = in->n_policies > 0 ? &in->policies[0] : NULL;
	size_t i;

	*e = (struct expect){ .stage = ROLLOUT_STAGE_NO_POLICY };
	e->unknown = in->last_cycle == 0 ||
		     (in->stale_after > 0 && in->now - in->last_cycle > in->stale_after);
	e->window_start = in->now - (time_t)in->th.min_days * DAY;
	if (p == NULL || p->mode == NULL ||
	    (in->last_cycle != 0 && in->last_cycle - p->last_seen > ROLLOUT_GONE_AFTER))
		return;
	e->stage = same(p->mode, "testing")   ? ROLLOUT_STAGE_TESTING
		   : same(p->mode, "enforce") ? ROLLOUT_STAGE_ENFORCE
					      : ROLLOUT_STAGE_NONE;
	e->since = p->first_seen;
	for (i = 1; i < in->n_policies && same(in->policies[i].mode, p->mode); i++)
		if (in->policies[i].first_seen < e->since)
			e->since = in->policies[i].first_seen;
	e->days = in->now > e->since ? (long)((in->now - e->since) / DAY) : 0;
	if (e->stage != ROLLOUT_STAGE_TESTING && e->stage != ROLLOUT_STAGE_ENFORCE)
		return;
	if (e->since > e->window_start)
		e->window_start = e->since;
	for (i = 0; i < in->n_reports; i++) {
		const struct rollout_report *r = &in->reports[i];

		if (!counted(e, p->mode, r->policy_type, r->mode, r->start, r->end))
			continue;
		e->successful = count_add(e->successful, r->successful);
		e->failed = count_add(e->failed, r->failed);
	}
	for (i = 0; i < in->n_failures; i++) {
		const struct rollout_failure *f = &in->failures[i];

		if (f->result_type != NULL &&
		    counted(e, p->mode, f->policy_type, f->mode, f->start, f->end))
			e->type_sessions = count_add(e->type_sessions, f->sessions);
	}
}

static bool one_line(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The proposed change: a fresh id, its TXT record, and the policy bodies of the verdict. */
static void check_change(const struct rollout_input *in, const struct rollout_result *r)
{
	long max_age = r->verdict == ROLLOUT_READY && r->policy->max_age > ROLLOUT_ENFORCE_MAX_AGE
			   ? r->policy->max_age
		       : r->verdict == ROLLOUT_READY ? ROLLOUT_ENFORCE_MAX_AGE
						     : ROLLOUT_ROLLBACK_MAX_AGE;
	char want[160];
	size_t i, n;

	if (r->new_id == NULL || r->policy_text == NULL || r->txt_record == NULL)
		abort();
	n = strlen(r->new_id);
	if (n < 1 || n > 32 ||
	    strspn(r->new_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789") != n)
		abort();
	for (i = 0; i < in->n_policies; i++)
		if (strcmp(in->policies[i].id, r->new_id) == 0)
			abort();
	(void)snprintf(want, sizeof(want), "_mta-sts.%s. IN TXT \"v=STSv1; id=%s\"", in->domain,
		       r->new_id);
	if (strcmp(r->txt_record, want) != 0)
		abort();
	(void)snprintf(want, sizeof(want), "\nmax_age: %ld\n", max_age);
	if (!ends(r->policy_text, want))
		abort();
	if (r->verdict == ROLLOUT_READY) {
		if (!starts(r->policy_text, "version: STSv1\nmode: enforce\n") ||
		    r->none_text != NULL)
			abort();
	} else if (!starts(r->policy_text, "version: STSv1\nmode: testing\n") ||
		   r->none_text == NULL ||
		   strcmp(r->none_text, "version: STSv1\nmode: none\nmax_age: 86400\n") != 0) {
		abort();
	}
}

static void check_verdict(const struct rollout_input *in, const struct expect *e,
			  const struct rollout_result *r, const bool kinds[3])
{
	unsigned long long all = count_add(r->successful, r->failed);
	bool over = all > 0 && r->failure_rate > in->th.max_failure_rate;

	if (r->stage != e->stage || (r->verdict == ROLLOUT_UNKNOWN) != e->unknown)
		abort();
	if (!e->unknown) {
		switch (r->stage) {
		case ROLLOUT_STAGE_TESTING:
			if (r->verdict != ROLLOUT_READY && r->verdict != ROLLOUT_NOT_READY &&
			    r->verdict != ROLLOUT_NOT_ENOUGH_DATA)
				abort();
			break;
		case ROLLOUT_STAGE_ENFORCE:
			if (r->verdict != ROLLOUT_OK && r->verdict != ROLLOUT_ROLLBACK)
				abort();
			if ((r->verdict == ROLLOUT_ROLLBACK) != over)
				abort();
			break;
		default:
			if (r->verdict != ROLLOUT_NOT_READY)
				abort();
		}
	}
	if (r->verdict == ROLLOUT_READY &&
	    (kinds[ROLLOUT_REASON_FIX] || r->days < (long)in->th.min_days ||
	     r->n_orgs < in->th.min_orgs || all < in->th.min_sessions || over))
		abort();
	if ((r->verdict == ROLLOUT_NOT_READY && !kinds[ROLLOUT_REASON_FIX]) ||
	    (r->verdict == ROLLOUT_NOT_ENOUGH_DATA &&
	     (kinds[ROLLOUT_REASON_FIX] || !kinds[ROLLOUT_REASON_WAIT])))
		abort();
	if (kinds[ROLLOUT_REASON_WAIT] && r->stage != ROLLOUT_STAGE_TESTING)
		abort();
	if (r->verdict == ROLLOUT_READY || r->verdict == ROLLOUT_ROLLBACK)
		check_change(in, r);
	else if (r->new_id != NULL || r->policy_text != NULL || r->none_text != NULL ||
		 r->txt_record != NULL)
		abort();
}

static void check_tally(const struct expect *e, const struct rollout_result *r)
{
	unsigned long long s = 0, f = 0, t = 0;
	size_t i, k;

	if (r->since != e->since || r->days != e->days || r->window_start != e->window_start)
		abort();
	for (i = 0; i < r->n_orgs; i++) {
		const struct rollout_org *o = &r->orgs[i];

		if (o->name == NULL || count_add(o->successful, o->failed) == 0)
			abort();
		if (i > 0 && count_add(o->successful, o->failed) >
				 count_add(r->orgs[i - 1].successful, r->orgs[i - 1].failed))
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(r->orgs[k].name, o->name) == 0)
				abort();
		s = count_add(s, o->successful);
		f = count_add(f, o->failed);
	}
	for (i = 0; i < r->n_types; i++) {
		if (r->types[i].result_type == NULL ||
		    (i > 0 && r->types[i].sessions > r->types[i - 1].sessions))
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(r->types[k].result_type, r->types[i].result_type) == 0)
				abort();
		t = count_add(t, r->types[i].sessions);
	}
	if (r->successful != e->successful || r->failed != e->failed || s != r->successful ||
	    f != r->failed || t != e->type_sessions)
		abort();
	if (!(r->failure_rate >= 0 && r->failure_rate <= 1))
		abort();
	if (r->failed == 0 ? r->failure_rate != 0
			   : r->failure_rate !=
				 (double)r->failed / ((double)r->successful + (double)r->failed))
		abort();
}

static void check_result(const struct built *b, const struct expect *e,
			 const struct rollout_result *r, bool ctl)
{
	const struct rollout_input *in = &b->in;
	bool kinds[3] = { false, false, false };
	size_t i;

	if (r->policy != (in->n_policies > 0 ? &in->policies[0] : NULL))
		abort();
	for (i = 0; i < r->n_reasons; i++) {
		const struct rollout_reason *x = &r->reasons[i];

		if (x->kind < ROLLOUT_REASON_FIX || x->kind > ROLLOUT_REASON_NOTE ||
		    (i > 0 && x->kind < r->reasons[i - 1].kind))
			abort();
		if (x->what == NULL || x->fix == NULL || x->what[0] == '\0' || x->fix[0] == '\0')
			abort();
		if (!ctl && (!one_line(x->what) || !one_line(x->fix)))
			abort();
		kinds[x->kind] = true;
	}
	check_verdict(in, e, r, kinds);
	check_tally(e, r);
	if (r->enforce_cached_until != 0) {
		bool found = false;

		for (i = 0; i < in->n_policies; i++)
			found = found || (same(in->policies[i].mode, "enforce") &&
					  in->policies[i].max_age >= 0 &&
					  in->policies[i].last_seen + in->policies[i].max_age ==
					      r->enforce_cached_until);
		if (!found || r->enforce_cached_until <= in->now)
			abort();
	}
}

static bool same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || same(a, b);
}

static void check_same(const struct rollout_result *a, const struct rollout_result *b)
{
	size_t i;

	if (a->stage != b->stage || a->verdict != b->verdict || a->n_orgs != b->n_orgs ||
	    a->n_types != b->n_types || a->n_reasons != b->n_reasons ||
	    a->successful != b->successful || a->failed != b->failed ||
	    a->enforce_cached_until != b->enforce_cached_until)
		abort();
	if (!same_text(a->new_id, b->new_id) || !same_text(a->policy_text, b->policy_text) ||
	    !same_text(a->none_text, b->none_text) || !same_text(a->txt_record, b->txt_record))
		abort();
	for (i = 0; i < a->n_orgs; i++)
		if (strcmp(a->orgs[i].name, b->orgs[i].name) != 0)
			abort();
	for (i = 0; i < a->n_reasons; i++)
		if (a->reasons[i].kind != b->reasons[i].kind ||
		    strcmp(a->reasons[i].what, b->reasons[i].what) != 0 ||
		    strcmp(a->reasons[i].fix, b->reasons[i].fix) != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { .p = data, .n = size, .cap = size + MAX_CUTS };
	struct rollout_result r1 = { 0 }, r2 = { 0 };
	struct built *b = calloc(1, sizeof(*b));
	struct expect e;
	int q;

	c.pool = malloc(c.cap);
	if (b == NULL || c.pool == NULL)
		goto out;
	build(&c, b);
	expect(&b->in, &e);
	q = rollout_judge(&b->in, &r1);
	if (q == -ENOMEM)
		goto out;
	if (q != 0)
		abort();
	check_result(b, &e, &r1, c.ctl);
	q = rollout_judge(&b->in, &r2);
	if (q == -ENOMEM)
		goto out;
	if (q != 0)
		abort();
	check_same(&r1, &r2);
out:
	rollout_result_clear(&r1);
	rollout_result_clear(&r2);
	free(c.pool);
	free(b);
	return 0;
}

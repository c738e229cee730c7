/*
 * dns_consistency.c - every authoritative server of the zone gives the same answer (MXS-NS-01).
 *
 * Reads the views of the snapshot (struct ns_view, gathered by agent/nsviews.c): each address
 * of each NS host asked directly, without recursion, for the _mta-sts and _smtp._tls TXT, the
 * MX of the domain and the _25._tcp TLSA of the MX hosts in its zone. Questions are told apart
 * by name and type; a server not asked a question (its MX answer named other hosts) is left
 * out of that question's comparison. A recursive resolver asks one of these servers and
 * caches what it said, so servers that disagree (a forgotten secondary, a zone transfer that
 * stopped) make senders see different policies depending on whom their resolver asked.
 *
 * Findings:
 *   dns.inconsistent    WARNING, one per question on which the servers that answered give
 *                       more than one answer (status and sorted records); the message names
 *                       the servers of each answer and the answers, shortened.
 *   dns.ns-unreachable  WARNING, one per server (NS host and address) that left a question
 *                       without an authoritative answer: it timed out, refused, failed
 *                       (SERVFAIL) or answered without the AA bit (a lame delegation); or an
 *                       NS host without any address. Resolvers that pick it wait or fail, and
 *                       its answers cannot be compared.
 *   check.unknown       UNKNOWN when the agent could not tell: the snapshot's unknown_reason,
 *                       the NS lookup itself failed, or no server answered anything at all
 *                       (most likely outbound DNS is blocked where the agent runs).
 *
 * A domain that is not a zone apex (NS NODATA) or does not exist (NXDOMAIN) has nothing to
 * compare here: no finding (mx_starttls reports a domain that does not exist).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "checks/check.h"

#define CHECK_NAME "dns_consistency"
#define REQ_NS     "MXS-NS-01"

/* RR types (RFC 1035 §3.2.2, RFC 6698 §7.1): checks/ includes no resolver header. */
#define RR_MX   15
#define RR_TXT  16
#define RR_TLSA 52

/* A message stays one readable line: at most this much of one answer ... */
#define ANSWER_SHOWN 80
/* ... this many differing answers per question ... */
#define GROUPS_SHOWN 4
/* ... and this many servers per answer; the rest are counted ("and 3 more"). */
#define SERVERS_SHOWN 4

/* A growing string; after a failed allocation it stays failed and the caller sees NULL. */
struct text {
	char *s;
	size_t len;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	char *add, *grown;
	size_t n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	add = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	if (add == NULL)
		goto fail;
	n = strlen(add);
	grown = realloc(t->s, t->len + n + 1);
	if (grown == NULL) {
		free(add);
		goto fail;
	}
	memcpy(grown + t->len, add, n + 1);
	t->s = grown;
	t->len += n;
	free(add);
	return;
fail:
	t->failed = true;
}

/* The finished string (owned by the caller), or NULL after a failed allocation. */
static char *text_take(struct text *t)
{
	if (t->failed) {
		free(t->s);
		t->s = NULL;
	}
	if (t->s == NULL && !t->failed)
		t->s = calloc(1, 1);
	return t->s;
}

static const char *qtype_name(int qtype)
{
	switch (qtype) {
	case RR_MX:
		return "MX";
	case RR_TXT:
		return "TXT";
	case RR_TLSA:
		return "TLSA";
	default:
		return "?";
	}
}

/*
 * An answer that can be compared: the server said, with authority, what the zone holds. A
 * timeout, a refusal, a SERVFAIL or an answer without AA (a referral, cached data) is not one.
 */
static bool answered(const struct ns_answer *a)
{
	return a->authoritative &&
	       (a->status == DNS_OK || a->status == DNS_NODATA || a->status == DNS_NXDOMAIN);
}

/* Why an answer cannot be compared, for messages and values (a static string). */
static const char *unanswered_reason(const struct ns_answer *a)
{
	if (a->status == DNS_OK || a->status == DNS_NODATA || a->status == DNS_NXDOMAIN)
		return "not-authoritative";
	return dns_status_name(a->status);
}

/* Same status and the same records; records are sorted by the gatherer (lib/snapshot.h). */
static bool same_answer(const struct ns_answer *a, const struct ns_answer *b)
{
	size_t i;

	if (a->status != b->status || a->n_rrs != b->n_rrs)
		return false;
	for (i = 0; i < a->n_rrs; i++)
		if (strcmp(a->rrs[i], b->rrs[i]) != 0)
			return false;
	return true;
}

/* The answer of view v to the question (qname, qtype), or NULL when it was not asked. */
static const struct ns_answer *answer_of(const struct ns_view *v, const char *qname, int qtype)
{
	size_t i;

	for (i = 0; i < v->n_answers; i++)
		if (v->answers[i].qtype == qtype && v->answers[i].qname != NULL &&
		    strcmp(v->answers[i].qname, qname) == 0)
			return &v->answers[i];
	return NULL;
}

/* s, cut to max bytes with "..." when longer (max == 0: whole). */
static void text_add_cut(struct text *t, const char *s, size_t max)
{
	if (max == 0 || strlen(s) <= max)
		text_add(t, "%s", s);
	else
		text_add(t, "%.*s...", (int)max, s);
}

/* The answer as a person reads it: the records, or what the status means. */
static void text_add_answer(struct text *t, const struct ns_answer *a, size_t max)
{
	struct text all = { 0 };
	size_t i;
	char *s;

	switch (a->status) {
	case DNS_NODATA:
		text_add(t, "no record");
		return;
	case DNS_NXDOMAIN:
		text_add(t, "no such name (NXDOMAIN)");
		return;
	default:
		break;
	}
	for (i = 0; i < a->n_rrs; i++)
		text_add(&all, "%s%s", i > 0 ? ", " : "", a->rrs[i]);
	s = text_take(&all);
	if (s == NULL) {
		t->failed = true;
		return;
	}
	text_add_cut(t, s, max);
	free(s);
}

/* What one evaluation works on. */
struct eval {
	const struct snapshot *snap;
	struct findings *out;
};

/* One answer to a question and the views that gave it. */
struct group {
	const struct ns_answer *answer;
	size_t *views; /* indexes into snap->ns_views */
	size_t n;
};

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	/* The most common answer first (it is likely what the primary serves); stable by view. */
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->views[0] < y->views[0] ? -1 : x->views[0] > y->views[0];
}

/* "ns1.test (127.53.0.10), ns1.test (2001:db8::53): <answer>" for each group, "; " between. */
static char *describe_groups(const struct eval *ev, const struct group *g, size_t n_groups,
			     bool shorten)
{
	size_t max_groups = shorten && n_groups > GROUPS_SHOWN ? GROUPS_SHOWN : n_groups;
	struct text t = { 0 };
	size_t i, j, shown;

	for (i = 0; i < max_groups; i++) {
		shown = shorten && g[i].n > SERVERS_SHOWN ? SERVERS_SHOWN : g[i].n;
		text_add(&t, "%s", i > 0 ? "; " : "");
		for (j = 0; j < shown; j++) {
			const struct ns_view *v = &ev->snap->ns_views[g[i].views[j]];

			text_add(&t, "%s%s (%s)", j > 0 ? ", " : "", v->name, v->address);
		}
		if (shown < g[i].n)
			text_add(&t, " and %zu more", g[i].n - shown);
		text_add(&t, ": ");
		text_add_answer(&t, g[i].answer, shorten ? ANSWER_SHOWN : 0);
	}
	if (max_groups < n_groups)
		text_add(&t, "; and %zu more answer%s", n_groups - max_groups,
			 n_groups - max_groups > 1 ? "s" : "");
	return text_take(&t);
}

/* MXS-NS-01 for one question: group the comparable answers; more than one group is a finding. */
static int eval_question(struct eval *ev, const char *qname, int qtype)
{
	const struct snapshot *snap = ev->snap;
	struct group *groups = calloc(snap->n_ns_views, sizeof(*groups));
	size_t *members = calloc(snap->n_ns_views, sizeof(*members));
	size_t n_groups = 0, n_servers = 0, i, g, used = 0;
	char *shown = NULL, *full = NULL;
	struct finding *f;
	int r = -ENOMEM;

	if (groups == NULL || members == NULL)
		goto out;
	/* Count first so that each group's members are contiguous in one array. */
	for (i = 0; i < snap->n_ns_views; i++) {
		const struct ns_answer *a = answer_of(&snap->ns_views[i], qname, qtype);

		if (a == NULL || !answered(a))
			continue;
		n_servers++;
		for (g = 0; g < n_groups && !same_answer(groups[g].answer, a); g++)
			;
		if (g == n_groups)
			groups[n_groups++].answer = a;
		groups[g].n++;
	}
	r = 0;
	if (n_groups < 2)
		goto out;
	for (g = 0; g < n_groups; g++) {
		groups[g].views = members + used;
		used += groups[g].n;
		groups[g].n = 0;
	}
	for (i = 0; i < snap->n_ns_views; i++) {
		const struct ns_answer *a = answer_of(&snap->ns_views[i], qname, qtype);

		if (a == NULL || !answered(a))
			continue;
		for (g = 0; !same_answer(groups[g].answer, a); g++)
			;
		groups[g].views[groups[g].n++] = i;
	}
	qsort(groups, n_groups, sizeof(*groups), cmp_group);
	r = -ENOMEM;
	shown = describe_groups(ev, groups, n_groups, true);
	full = describe_groups(ev, groups, n_groups, false);
	if (shown == NULL || full == NULL)
		goto out;
	f = findings_add(ev->out, CHECK_NAME, "dns.inconsistent", SEVERITY_WARNING, REQ_NS, NULL,
			 snap->domain, NULL,
			 "the authoritative servers of %s give %zu different answers to %s %s: %s; "
			 "what senders see depends on the server their resolver asks: bring "
			 "every server to the same zone data",
			 snap->domain, n_groups, qtype_name(qtype), qname, shown);
	if (f == NULL)
		goto out;
	if (finding_set_string(f, "qname", qname) < 0 ||
	    finding_set_string(f, "qtype", qtype_name(qtype)) < 0 ||
	    finding_set_int(f, "answers_count", (long long)n_groups) < 0 ||
	    finding_set_int(f, "servers", (long long)n_servers) < 0 ||
	    finding_set_string(f, "answers", full) < 0)
		goto out;
	r = 0;
out:
	free(shown);
	free(full);
	free(members);
	free(groups);
	return r;
}

/* Every distinct question of the views, in the order first asked, compared once. */
static int eval_questions(struct eval *ev)
{
	const struct snapshot *snap = ev->snap;
	size_t i, j, k, l;
	int r;

	for (i = 0; i < snap->n_ns_views; i++)
		for (j = 0; j < snap->ns_views[i].n_answers; j++) {
			const struct ns_answer *a = &snap->ns_views[i].answers[j];
			bool seen = false;

			if (a->qname == NULL)
				continue;
			for (k = 0; k <= i && !seen; k++)
				for (l = 0; l < snap->ns_views[k].n_answers && !seen; l++) {
					const struct ns_answer *b = &snap->ns_views[k].answers[l];

					if (b == a)
						break;
					seen = b->qtype == a->qtype && b->qname != NULL &&
					       strcmp(b->qname, a->qname) == 0;
				}
			if (seen)
				continue;
			r = eval_question(ev, a->qname, a->qtype);
			if (r < 0)
				return r;
		}
	return 0;
}

/* A lame or unreachable server (or an NS host without address): one finding per view. */
static int eval_view(struct eval *ev, const struct ns_view *v)
{
	struct finding_subject subj = { .address = v->address };
	const struct ns_answer *first = NULL;
	struct text t = { 0 };
	size_t i, n = 0;
	struct finding *f;
	char *what;
	int r = -ENOMEM;

	if (v->address[0] == '\0') {
		f = findings_add(ev->out, CHECK_NAME, "dns.ns-unreachable", SEVERITY_WARNING,
				 REQ_NS, NULL, ev->snap->domain, NULL,
				 "name server %s of %s has no address (no A or AAAA record): "
				 "resolvers cannot ask it; fix its address or remove its NS record",
				 v->name, ev->snap->domain);
		if (f == NULL || finding_set_string(f, "ns", v->name) < 0 ||
		    finding_set_string(f, "status", "no-address") < 0)
			return -ENOMEM;
		return 0;
	}
	for (i = 0; i < v->n_answers; i++) {
		const struct ns_answer *a = &v->answers[i];

		if (answered(a))
			continue;
		if (first == NULL)
			first = a;
		text_add(&t, "%s%s %s: %s", n > 0 ? ", " : "", qtype_name(a->qtype), a->qname,
			 unanswered_reason(a));
		n++;
	}
	what = text_take(&t);
	if (what == NULL)
		return -ENOMEM;
	if (n == 0) {
		r = 0;
		goto out;
	}
	f = findings_add(ev->out, CHECK_NAME, "dns.ns-unreachable", SEVERITY_WARNING, REQ_NS, NULL,
			 ev->snap->domain, &subj,
			 "name server %s (%s) of %s gives no authoritative answer (%s): resolvers "
			 "that ask it wait or fail; make it serve the zone or remove its NS record",
			 v->name, v->address, ev->snap->domain, what);
	if (f == NULL || finding_set_string(f, "ns", v->name) < 0 ||
	    finding_set_string(f, "status", unanswered_reason(first)) < 0 ||
	    finding_set_int(f, "unanswered", (long long)n) < 0)
		goto out;
	r = 0;
out:
	free(what);
	return r;
}

/*
 * When no server that was asked answered anything, the likely cause is the agent's network
 * (outbound port 53 blocked), not the zone: returns the first failed answer then, else NULL.
 */
static const struct ns_answer *none_answered(const struct snapshot *snap)
{
	const struct ns_answer *first = NULL;
	size_t i, j;

	for (i = 0; i < snap->n_ns_views; i++) {
		const struct ns_view *v = &snap->ns_views[i];

		for (j = 0; j < v->n_answers; j++) {
			/* SERVFAIL or a lame answer: the server is there, and broken. */
			if (v->answers[j].status != DNS_TIMEOUT &&
			    v->answers[j].status != DNS_ERROR)
				return NULL;
			if (first == NULL)
				first = &v->answers[j];
		}
	}
	return first;
}

/* The one UNKNOWN finding of the check; status (static) becomes a value when not NULL. */
__attribute__((format(printf, 3, 4))) static int unknown(struct eval *ev, const char *status,
							 const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = findings_addv(ev->out, CHECK_NAME, "check.unknown", SEVERITY_UNKNOWN, NULL, NULL,
			  ev->snap->domain, NULL, fmt, ap);
	va_end(ap);
	if (f == NULL || (status != NULL && finding_set_string(f, "status", status) < 0))
		return -ENOMEM;
	return 0;
}

static int dns_consistency_evaluate(const struct snapshot *snap, const struct history *hist,
				    const void *priv, struct findings *out)
{
	struct eval ev = { .snap = snap, .out = out };
	const struct ns_answer *silent;
	size_t i;
	int r;

	(void)hist;
	(void)priv;
	/* DESIGN.md: when the agent could not tell, say so and blame nothing. */
	if (snap->unknown_reason != NULL)
		return unknown(&ev, NULL, "not evaluated: %s", snap->unknown_reason);
	if (!snap->ns_looked_up)
		return 0;
	switch (snap->ns_status) {
	case DNS_OK:
		break;
	case DNS_NODATA:
	case DNS_NXDOMAIN:
		/* Not a zone apex, or no such domain: nothing to compare (see the top comment). */
		return 0;
	case DNS_SERVFAIL:
		/*
		 * The validating resolver refuses the zone (DNSSEC bogus, broken servers): the
		 * domain's fault, which the MX lookup already reports; there is no NS set to ask.
		 */
		return 0;
	default:
		return unknown(&ev, dns_status_name(snap->ns_status),
			       "not evaluated: the NS lookup of the domain failed (%s)",
			       dns_status_name(snap->ns_status));
	}
	silent = none_answered(snap);
	if (silent != NULL)
		return unknown(&ev, unanswered_reason(silent),
			       "not evaluated: no authoritative server of %s answered a direct "
			       "question (%s); is outbound DNS (port 53) blocked from where "
			       "mxsentry runs?",
			       snap->domain, unanswered_reason(silent));
	for (i = 0; i < snap->n_ns_views; i++) {
		r = eval_view(&ev, &snap->ns_views[i]);
		if (r < 0)
			return r;
	}
	return eval_questions(&ev);
}

const struct check check_dns_consistency = {
	.name = CHECK_NAME,
	.needs = OBS_NS_VIEWS,
	.configure = check_configure_none,
	.evaluate = dns_consistency_evaluate,
	.release = check_release_none,
};

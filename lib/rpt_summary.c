/*
 * rpt_summary.c - TLS-RPT reports summed up per domain and organisation; see rpt_summary.h.
 *
 * The rows are sorted by (domain, organisation, report-id) once, so that each organisation is
 * one run of consecutive rows and each domain one run of organisations: no lookup by name over
 * the whole input. Within an organisation the lists (types, hosts, addresses, faults) are short
 * and searched in place.
 */
#include "lib/rpt_summary.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/count.h"

/* Half the last digit shown: "99.9 %" against "100.0 %" is a change, "99.95" is not. */
#define TREND_EPSILON 0.001

enum period {
	PERIOD_NONE,
	PERIOD_NOW,
	PERIOD_PREV,
};

/* The current period, which the previous one precedes. */
struct walk {
	time_t from, to;
};

static enum period period_of(const struct walk *w, time_t end)
{
	long long len = (long long)w->to - (long long)w->from;

	if (end > w->from)
		return PERIOD_NOW;
	if ((long long)end > (long long)w->from - len)
		return PERIOD_PREV;
	return PERIOD_NONE;
}

/* NULL sorts first; used for optional names. */
static int cmp_opt(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* The rows are sorted as arrays of pointers, so that the comparisons need no context. */
static int pol_cmp(const void *a, const void *b)
{
	const struct rpt_policy_in *x = *(const struct rpt_policy_in *const *)a,
				   *y = *(const struct rpt_policy_in *const *)b;
	int c = strcmp(x->domain, y->domain);

	if (c == 0)
		c = strcmp(x->organization, y->organization);
	return c != 0 ? c : strcmp(x->report_id, y->report_id);
}

static int fail_cmp(const void *a, const void *b)
{
	const struct rpt_failure_in *x = *(const struct rpt_failure_in *const *)a,
				    *y = *(const struct rpt_failure_in *const *)b;
	int c = strcmp(x->domain, y->domain);

	return c != 0 ? c : strcmp(x->organization, y->organization);
}

static int count_cmp(const void *a, const void *b)
{
	const struct rpt_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int fault_cmp(const void *a, const void *b)
{
	const struct rpt_fault *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = strcmp(x->result_type, y->result_type);
	if (c == 0)
		c = cmp_opt(x->mx, y->mx);
	return c != 0 ? c : cmp_opt(x->ip, y->ip);
}

static int period_cmp(const void *a, const void *b)
{
	const struct rpt_period *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/* Grow *v (of *n elements of size) by one zeroed element; NULL on memory exhaustion. */
static void *grow(void *v, size_t *n, size_t size)
{
	char *g = realloc(*(void **)v, (*n + 1) * size);

	if (g == NULL)
		return NULL;
	*(void **)v = g;
	memset(g + *n * size, 0, size);
	return g + (*n)++ * size;
}

/* Add count under name (NULL: nothing to count). */
static int add_count(struct rpt_count **v, size_t *n, const char *name, unsigned long long count)
{
	struct rpt_count *c;
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, name) == 0) {
			(*v)[i].count = count_add((*v)[i].count, count);
			return 0;
		}
	}
	c = grow(v, n, sizeof(**v));
	if (c == NULL)
		return -ENOMEM;
	c->name = strdup(name);
	c->count = count;
	return c->name != NULL ? 0 : -ENOMEM;
}

static int dup_opt(const char *s, char **ret)
{
	*ret = NULL;
	if (s == NULL)
		return 0;
	*ret = strdup(s);
	return *ret != NULL ? 0 : -ENOMEM;
}

/* The fault (type, mx, ip) of t, made when missing, with the detail's period added. */
static int add_fault(struct rpt_tally *t, const struct rpt_failure_in *f)
{
	struct rpt_fault *x = NULL;
	struct rpt_period *p;
	size_t i;

	for (i = 0; x == NULL && i < t->n_faults; i++)
		if (strcmp(t->faults[i].result_type, f->result_type) == 0 &&
		    cmp_opt(t->faults[i].mx, f->receiving_mx) == 0 &&
		    cmp_opt(t->faults[i].ip, f->receiving_ip) == 0)
			x = &t->faults[i];
	if (x == NULL) {
		x = grow(&t->faults, &t->n_faults, sizeof(*x));
		if (x == NULL)
			return -ENOMEM;
		x->result_type = strdup(f->result_type);
		if (x->result_type == NULL || dup_opt(f->receiving_mx, &x->mx) < 0 ||
		    dup_opt(f->receiving_ip, &x->ip) < 0)
			return -ENOMEM;
	}
	x->count = count_add(x->count, f->count);
	for (i = 0; i < x->n_periods; i++) {
		if (x->periods[i].start == f->start && x->periods[i].end == f->end) {
			x->periods[i].count = count_add(x->periods[i].count, f->count);
			return 0;
		}
	}
	p = grow(&x->periods, &x->n_periods, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	*p = (struct rpt_period){ .start = f->start, .end = f->end, .count = f->count };
	return 0;
}

static int tally_failure(struct rpt_tally *t, const struct rpt_failure_in *f, bool faults)
{
	if (add_count(&t->types, &t->n_types, f->result_type, f->count) < 0 ||
	    add_count(&t->mxs, &t->n_mxs, f->receiving_mx, f->count) < 0 ||
	    add_count(&t->ips, &t->n_ips, f->receiving_ip, f->count) < 0)
		return -ENOMEM;
	return faults ? add_fault(t, f) : 0;
}

/* qsort() of an empty list: the array is NULL then, which qsort() must not be given. */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

static void tally_sort(struct rpt_tally *t)
{
	size_t i;

	sort(t->types, t->n_types, sizeof(*t->types), count_cmp);
	sort(t->mxs, t->n_mxs, sizeof(*t->mxs), count_cmp);
	sort(t->ips, t->n_ips, sizeof(*t->ips), count_cmp);
	sort(t->faults, t->n_faults, sizeof(*t->faults), fault_cmp);
	for (i = 0; i < t->n_faults; i++)
		sort(t->faults[i].periods, t->faults[i].n_periods, sizeof(*t->faults[i].periods),
		     period_cmp);
}

static void tally_clear(struct rpt_tally *t)
{
	size_t i;

	for (i = 0; i < t->n_types; i++)
		free(t->types[i].name);
	for (i = 0; i < t->n_mxs; i++)
		free(t->mxs[i].name);
	for (i = 0; i < t->n_ips; i++)
		free(t->ips[i].name);
	for (i = 0; i < t->n_faults; i++) {
		rpt_correlate_judgement_clear(&t->faults[i].judged);
		free(t->faults[i].result_type);
		free(t->faults[i].mx);
		free(t->faults[i].ip);
		free(t->faults[i].periods);
	}
	free(t->types);
	free(t->mxs);
	free(t->ips);
	free(t->faults);
}

static void org_clear(struct rpt_org *o)
{
	free(o->name);
	tally_clear(&o->now);
	tally_clear(&o->prev);
}

static double rate_of(const struct rpt_tally *t)
{
	/* No session: nothing failed (rpt_summary.h). */
	return t->successful == 0 && t->failed == 0 ? 1.0 : count_share(t->successful, t->failed);
}

static void org_finish(struct rpt_org *o)
{
	tally_sort(&o->now);
	tally_sort(&o->prev);
	o->rate = rate_of(&o->now);
	o->prev_rate = rate_of(&o->prev);
	o->delta = 0;
	if (o->prev.reports == 0) {
		o->trend = RPT_TREND_NEW;
		return;
	}
	o->delta = o->rate - o->prev_rate;
	if (o->delta > -TREND_EPSILON && o->delta < TREND_EPSILON)
		o->trend = RPT_TREND_SAME;
	else
		o->trend = o->delta > 0 ? RPT_TREND_BETTER : RPT_TREND_WORSE;
}

/*
 * One organisation: its policy rows p[0..np-1] (sorted by report-id) and failure rows
 * f[0..nf-1], into o and the domain's total.
 */
static int add_org(const struct walk *w, const struct rpt_policy_in *const *p, size_t np,
		   const struct rpt_failure_in *const *f, size_t nf, struct rpt_org *o,
		   struct rpt_org *total)
{
	const char *last[3] = { NULL, NULL, NULL };
	size_t i;

	for (i = 0; i < np; i++) {
		enum period k = period_of(w, p[i]->end);
		struct rpt_tally *t = k == PERIOD_NOW ? &o->now : &o->prev,
				 *tt = k == PERIOD_NOW ? &total->now : &total->prev;

		if (k == PERIOD_NONE)
			continue;
		/* Sorted by report-id: a report's policies are consecutive. */
		if (last[k] == NULL || strcmp(last[k], p[i]->report_id) != 0) {
			t->reports++;
			tt->reports++;
			last[k] = p[i]->report_id;
		}
		t->successful = count_add(t->successful, p[i]->successful);
		t->failed = count_add(t->failed, p[i]->failed);
		tt->successful = count_add(tt->successful, p[i]->successful);
		tt->failed = count_add(tt->failed, p[i]->failed);
	}
	for (i = 0; i < nf; i++) {
		enum period k = period_of(w, f[i]->end);
		bool now = k == PERIOD_NOW;

		if (k == PERIOD_NONE)
			continue;
		if (tally_failure(now ? &o->now : &o->prev, f[i], now) < 0 ||
		    tally_failure(now ? &total->now : &total->prev, f[i], false) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Which periods the rows of one organisation fall in: PERIOD_NOW and PERIOD_PREV bits. */
static unsigned periods_of(const struct walk *w, const struct rpt_policy_in *const *p, size_t np,
			   const struct rpt_failure_in *const *f, size_t nf)
{
	unsigned bits = 0;
	size_t i;

	for (i = 0; i < np; i++)
		bits |= 1u << period_of(w, p[i]->end);
	for (i = 0; i < nf; i++)
		bits |= 1u << period_of(w, f[i]->end);
	return bits & ~(1u << PERIOD_NONE);
}

/* The domain of s named dom: the last one, or a new one after it (the rows are sorted). */
static struct rpt_domain *domain_for(struct rpt_summary *s, const char *dom)
{
	struct rpt_domain *d = s->n_domains > 0 ? &s->domains[s->n_domains - 1] : NULL;

	if (d != NULL && strcmp(d->name, dom) == 0)
		return d;
	d = grow(&s->domains, &s->n_domains, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->name = strdup(dom);
	return d->name != NULL ? d : NULL;
}

/* Compare the heads of the two sorted arrays by (domain, organisation). */
static int head_cmp(const struct rpt_policy_in *p, const struct rpt_failure_in *f)
{
	int c;

	if (f == NULL)
		return -1;
	if (p == NULL)
		return 1;
	c = strcmp(p->domain, f->domain);
	return c != 0 ? c : strcmp(p->organization, f->organization);
}

/* Walk the sorted rows, one organisation at a time, into s. */
static int walk_rows(const struct walk *w, const struct rpt_policy_in *const *p, size_t np,
		     const struct rpt_failure_in *const *f, size_t nf, struct rpt_summary *s)
{
	size_t a = 0, b = 0;

	while (a < np || b < nf) {
		int c = head_cmp(a < np ? p[a] : NULL, b < nf ? f[b] : NULL);
		const char *dom = c <= 0 ? p[a]->domain : f[b]->domain,
			   *org = c <= 0 ? p[a]->organization : f[b]->organization;
		struct rpt_org o = { 0 }, *slot;
		struct rpt_domain *d;
		size_t a2 = a, b2 = b;
		unsigned bits;

		while (a2 < np && strcmp(p[a2]->domain, dom) == 0 &&
		       strcmp(p[a2]->organization, org) == 0)
			a2++;
		while (b2 < nf && strcmp(f[b2]->domain, dom) == 0 &&
		       strcmp(f[b2]->organization, org) == 0)
			b2++;
		bits = periods_of(w, p + a, a2 - a, f + b, b2 - b);
		if (bits == 0) {
			a = a2;
			b = b2;
			continue;
		}
		d = domain_for(s, dom);
		o.name = strdup(org);
		if (d == NULL || o.name == NULL ||
		    add_org(w, p + a, a2 - a, f + b, b2 - b, &o, &d->total) < 0) {
			org_clear(&o);
			return -ENOMEM;
		}
		a = a2;
		b = b2;
		/* Only organisations that reported in the current period are listed. */
		if ((bits & (1u << PERIOD_NOW)) == 0) {
			org_clear(&o);
			continue;
		}
		slot = grow(&d->orgs, &d->n_orgs, sizeof(*slot));
		if (slot == NULL) {
			org_clear(&o);
			return -ENOMEM;
		}
		*slot = o;
	}
	return 0;
}

int rpt_summary_build(const struct rpt_policy_in *pol, size_t n_pol,
		      const struct rpt_failure_in *fail, size_t n_fail, time_t from, time_t to,
		      struct rpt_summary *ret)
{
	const struct walk w = { .from = from, .to = to };
	struct rpt_summary s = { .from = from, .to = to };
	const struct rpt_policy_in **p = NULL;
	const struct rpt_failure_in **f = NULL;
	size_t i, j;
	int r = -ENOMEM;

	if (to <= from || ret == NULL || (pol == NULL && n_pol > 0) || (fail == NULL && n_fail > 0))
		return -EINVAL;
	for (i = 0; i < n_pol; i++)
		if (pol[i].domain == NULL || pol[i].organization == NULL ||
		    pol[i].report_id == NULL)
			return -EINVAL;
	for (i = 0; i < n_fail; i++)
		if (fail[i].domain == NULL || fail[i].organization == NULL ||
		    fail[i].result_type == NULL)
			return -EINVAL;
	p = calloc(n_pol > 0 ? n_pol : 1, sizeof(*p));
	f = calloc(n_fail > 0 ? n_fail : 1, sizeof(*f));
	if (p == NULL || f == NULL)
		goto out;
	for (i = 0; i < n_pol; i++)
		p[i] = &pol[i];
	for (i = 0; i < n_fail; i++)
		f[i] = &fail[i];
	sort(p, n_pol, sizeof(*p), pol_cmp);
	sort(f, n_fail, sizeof(*f), fail_cmp);
	r = walk_rows(&w, p, n_pol, f, n_fail, &s);
	if (r < 0)
		goto out;
	for (i = 0; i < s.n_domains; i++) {
		org_finish(&s.domains[i].total);
		for (j = 0; j < s.domains[i].n_orgs; j++)
			org_finish(&s.domains[i].orgs[j]);
	}
	*ret = s;
	s = (struct rpt_summary){ 0 };
out:
	rpt_summary_clear(&s);
	free(p);
	free(f);
	return r;
}

int rpt_summary_correlate(struct rpt_summary *s, const char *domain,
			  const struct rpt_interval *hist, size_t n, unsigned cycle)
{
	struct rpt_domain *d;
	size_t i, j;
	int r;

	if (s == NULL || domain == NULL || cycle == 0 || (hist == NULL && n > 0))
		return -EINVAL;
	d = (struct rpt_domain *)rpt_summary_domain(s, domain);
	for (i = 0; d != NULL && i < d->n_orgs; i++) {
		for (j = 0; j < d->orgs[i].now.n_faults; j++) {
			struct rpt_fault *x = &d->orgs[i].now.faults[j];
			struct rpt_judgement jd;

			r = rpt_correlate_judge(x->result_type, x->mx, x->ip, x->periods,
						x->n_periods, hist, n, cycle, &jd);
			if (r < 0)
				return r;
			rpt_correlate_judgement_clear(&x->judged);
			x->judged = jd;
		}
	}
	return 0;
}

static int domain_by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rpt_domain *)elem)->name);
}

const struct rpt_domain *rpt_summary_domain(const struct rpt_summary *s, const char *name)
{
	if (s == NULL || name == NULL || s->n_domains == 0)
		return NULL;
	return bsearch(name, s->domains, s->n_domains, sizeof(*s->domains), domain_by_name);
}

const char *rpt_summary_trend_name(enum rpt_trend t)
{
	static const char *const names[] = {
		[RPT_TREND_NEW] = "new",
		[RPT_TREND_SAME] = "same",
		[RPT_TREND_BETTER] = "better",
		[RPT_TREND_WORSE] = "worse",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

void rpt_summary_clear(struct rpt_summary *s)
{
	size_t i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_domains; i++) {
		free(s->domains[i].name);
		org_clear(&s->domains[i].total);
		for (j = 0; j < s->domains[i].n_orgs; j++)
			org_clear(&s->domains[i].orgs[j]);
		free(s->domains[i].orgs);
	}
	free(s->domains);
	*s = (struct rpt_summary){ 0 };
}

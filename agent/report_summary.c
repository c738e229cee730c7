/*
 * report_summary.c - reading what "mxsentry report summary" shows out of the store; see
 * report_summary.h.
 *
 * Flow: the report rows of both periods (one pair of queries per domain asked, or one pair for
 * every domain) -> lib/rpt_summary.h builds the tallies -> for each domain with failures, its
 * problem intervals over the span of those failures' periods (one query) -> lib/rpt_correlate.h
 * judges each failure. The reads are separate statements without a transaction: a report or a
 * cycle committed by the daemon in between shows up in one part only, which the next run
 * corrects.
 */
#include "agent/report_summary.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store_history.h"
#include "agent/store_report.h"

#define DAY 86400

/* The cycle length of a domain that no configuration names (config.c's default). */
#define DEFAULT_CYCLE 3600

/* The store's rows of one query pair, kept until the summary has copied what it needs. */
struct batch {
	struct report_policy_row *pol;
	size_t n_pol;
	struct report_failure_row *fail;
	size_t n_fail;
};

static void batches_free(struct batch *b, size_t n)
{
	size_t i;

	for (i = 0; b != NULL && i < n; i++) {
		report_policy_rows_free(b[i].pol, b[i].n_pol);
		report_failure_rows_free(b[i].fail, b[i].n_fail);
	}
	free(b);
}

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* The rows of every batch as the plain structs of lib/rpt_summary.h, borrowing their strings. */
static int flatten(const struct batch *b, size_t nb, struct rpt_policy_in **ret_p, size_t *ret_np,
		   struct rpt_failure_in **ret_f, size_t *ret_nf)
{
	size_t np = 0, nf = 0, i, j;
	struct rpt_policy_in *p;
	struct rpt_failure_in *f;

	for (i = 0; i < nb; i++) {
		np += b[i].n_pol;
		nf += b[i].n_fail;
	}
	p = calloc(np > 0 ? np : 1, sizeof(*p));
	f = calloc(nf > 0 ? nf : 1, sizeof(*f));
	if (p == NULL || f == NULL) {
		free(p);
		free(f);
		return -ENOMEM;
	}
	np = nf = 0;
	for (i = 0; i < nb; i++) {
		for (j = 0; j < b[i].n_pol; j++) {
			const struct report_policy_row *r = &b[i].pol[j];

			p[np++] = (struct rpt_policy_in){ .domain = or_empty(r->policy_domain),
							  .organization = or_empty(r->organization),
							  .report_id = or_empty(r->report_id),
							  .start = r->start,
							  .end = r->end,
							  .successful = r->successful,
							  .failed = r->failed };
		}
		for (j = 0; j < b[i].n_fail; j++) {
			const struct report_failure_row *r = &b[i].fail[j];

			f[nf++] =
			    (struct rpt_failure_in){ .domain = or_empty(r->policy_domain),
						     .organization = or_empty(r->organization),
						     .result_type = or_empty(r->result_type),
						     .receiving_mx = r->receiving_mx,
						     .receiving_ip = r->receiving_ip,
						     .start = r->start,
						     .end = r->end,
						     .count = r->count };
		}
	}
	*ret_p = p;
	*ret_np = np;
	*ret_f = f;
	*ret_nf = nf;
	return 0;
}

/* The report rows of both periods, for each domain asked or for all (domains NULL). */
static int read_rows(struct store *s, const char *const *domains, size_t n, time_t from, time_t to,
		     struct batch **ret, size_t *ret_n, struct mxs_error *reterr)
{
	size_t nb = n > 0 ? n : 1, i;
	struct batch *b = calloc(nb, sizeof(*b));
	int r = 0;

	if (b == NULL)
		return -ENOMEM;
	for (i = 0; r == 0 && i < nb; i++) {
		const char *d = n > 0 ? domains[i] : NULL;

		r = store_report_policies(s, d, from, to, &b[i].pol, &b[i].n_pol, reterr);
		if (r == 0)
			r = store_report_failures(s, d, from, to, &b[i].fail, &b[i].n_fail, reterr);
	}
	if (r < 0) {
		batches_free(b, nb);
		return r;
	}
	*ret = b;
	*ret_n = nb;
	return 0;
}

static unsigned cycle_of(const struct config *cfg, const char *domain)
{
	size_t i;

	for (i = 0; cfg != NULL && i < cfg->n_domains; i++)
		if (strcmp(cfg->domains[i].name, domain) == 0 && cfg->domains[i].interval > 0)
			return cfg->domains[i].interval;
	return cfg != NULL && cfg->interval > 0 ? cfg->interval : DEFAULT_CYCLE;
}

/* Judge the failures of domain d against its problems over the span of their periods. */
static int correlate_domain(struct store *s, unsigned cycle, struct rpt_summary *sum,
			    const struct rpt_domain *d, struct mxs_error *reterr)
{
	struct rpt_interval *hist = NULL;
	time_t lo = 0, hi = 0;
	size_t i, j, k, n = 0;
	bool any = false;
	int r;

	for (i = 0; i < d->n_orgs; i++) {
		for (j = 0; j < d->orgs[i].now.n_faults; j++) {
			const struct rpt_fault *x = &d->orgs[i].now.faults[j];

			for (k = 0; k < x->n_periods; k++) {
				if (!any || x->periods[k].start < lo)
					lo = x->periods[k].start;
				if (!any || x->periods[k].end > hi)
					hi = x->periods[k].end;
				any = true;
			}
		}
	}
	if (!any || hi <= lo)
		return 0;
	r = store_history_problems(s, d->name, lo, hi, &hist, &n, reterr);
	if (r < 0)
		return r;
	r = rpt_summary_correlate(sum, d->name, hist, n, cycle);
	rpt_correlate_intervals_free(hist, n);
	if (r < 0)
		(void)mxs_error_set(reterr, d->name, NULL, "judging the report failures: %s",
				    strerror(-r));
	return r;
}

/* report_summary_load() with each domain's cycle from cfg, or cycle for all when it is not 0. */
static int load(struct store *s, const struct config *cfg, unsigned cycle,
		const char *const *domains, size_t n, time_t now, unsigned days,
		struct rpt_summary *ret, struct mxs_error *reterr)
{
	struct rpt_summary sum = { 0 };
	struct rpt_policy_in *p = NULL;
	struct rpt_failure_in *f = NULL;
	struct batch *b = NULL;
	size_t nb = 0, np = 0, nf = 0, i;
	time_t len, from;
	int r;

	if (days < 1 || days > REPORT_SUMMARY_MAX_DAYS)
		return mxs_error_set(reterr, NULL, NULL, "--days must be 1 to %d",
				     REPORT_SUMMARY_MAX_DAYS);
	len = (time_t)days * DAY;
	from = now - len;
	/* Both periods at once: the previous one is [from - len, from). */
	r = read_rows(s, domains, n, from - len, now, &b, &nb, reterr);
	if (r < 0)
		return r;
	r = flatten(b, nb, &p, &np, &f, &nf);
	if (r == 0)
		r = rpt_summary_build(p, np, f, nf, from, now, &sum);
	if (r < 0) {
		(void)mxs_error_set(reterr, NULL, NULL, "summing up the reports: %s", strerror(-r));
		goto out;
	}
	for (i = 0; r == 0 && i < sum.n_domains; i++)
		r = correlate_domain(s, cycle != 0 ? cycle : cycle_of(cfg, sum.domains[i].name),
				     &sum, &sum.domains[i], reterr);
	if (r < 0)
		goto out;
	*ret = sum;
	sum = (struct rpt_summary){ 0 };
out:
	rpt_summary_clear(&sum);
	free(p);
	free(f);
	batches_free(b, nb);
	return r;
}

int report_summary_load(struct store *s, const struct config *cfg, const char *const *domains,
			size_t n, time_t now, unsigned days, struct rpt_summary *ret,
			struct mxs_error *reterr)
{
	return load(s, cfg, 0, domains, n, now, days, ret, reterr);
}

int report_summary_load_one(struct store *s, const char *domain, unsigned cycle, time_t now,
			    unsigned days, struct rpt_summary *ret, struct mxs_error *reterr)
{
	return load(s, NULL, cycle > 0 ? cycle : DEFAULT_CYCLE, &domain, 1, now, days, ret, reterr);
}

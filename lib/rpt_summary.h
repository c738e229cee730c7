/*
 * rpt_summary.h - TLS-RPT reports summed up per domain and reporting organisation, this period
 * against the one before (issue "Analyse"; RFC 8460 §4, spec/tls-rpt.md §2-3).
 *
 * Input: the policies and failure details of stored reports (plain structs the caller fills,
 * e.g. from agent/store_report.h), for a period [from, to) and the previous one of the same
 * length, [from - (to - from), from). A report counts in the period in which its date-range
 * ends: current when end > from, previous when from - (to - from) < end <= from, otherwise not
 * at all. So "the last 7 days" at any time of day holds the 7 daily reports of each sender.
 *
 * Output, per domain (by name) and within it per organisation (by name):
 *
 *   reports      distinct report-ids (a report with two policies for the domain counts once);
 *   successful,  the session counts of its policies (RFC 8460 §4.2), summed;
 *   failed
 *   rate         successful / (successful + failed); 1.0 when there was no session (nothing
 *                failed), which callers show as "no sessions";
 *   types, mxs,  failed sessions of the failure details (failed-session-count, RPT-JSON-12:
 *   ips          types are not exclusive, so these need not add up to failed) by result type,
 *                receiving MX host and receiving IP: each distinct name with its sum, the
 *                largest first, then by name; details without a host or IP are left out there;
 *   faults       (organisations only) each distinct (result type, MX host, IP) with its sum and
 *                the report periods it was reported in, the largest first;
 *   trend        against the previous period: NEW when the organisation (for the domain's
 *                total: the domain) sent no report then; otherwise delta = rate - previous
 *                rate, and SAME when |delta| < 0.001 (the 0.1 % shown), BETTER when
 *                positive, WORSE when negative.
 *
 * Only organisations with a report in the current period are listed; the domain's total covers
 * every organisation of both periods. A domain is listed when it has a report in either.
 *
 * rpt_summary_correlate() then judges each fault with lib/rpt_correlate.h. Pure: no clock, no
 * I/O. Every string of the summary is its own; rpt_summary_clear() frees them.
 */
#ifndef MXS_LIB_RPT_SUMMARY_H
#define MXS_LIB_RPT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/rpt_correlate.h"

/* One policy of a report (borrowed strings; organization "" when the report had none). */
struct rpt_policy_in {
	const char *domain, *organization, *report_id; /* never NULL */
	time_t start, end;                             /* the report's date-range */
	unsigned long long successful, failed;
};

/* One failure detail of a report (borrowed strings). */
struct rpt_failure_in {
	const char *domain, *organization, *result_type; /* never NULL */
	const char *receiving_mx, *receiving_ip;         /* NULL when the report left them out */
	time_t start, end;
	unsigned long long count; /* failed-session-count */
};

/* A name with the failed sessions counted under it. */
struct rpt_count {
	char *name;
	unsigned long long count;
};

/* One distinct failure of an organisation's reports, and what our probes saw of it. */
struct rpt_fault {
	char *result_type;
	char *mx, *ip; /* NULL when the reports left them out */
	unsigned long long count;
	struct rpt_period *periods; /* oldest first; a period once */
	size_t n_periods;
	struct rpt_judgement judged; /* by rpt_summary_correlate(); zero (NOT_SEEN, no
				      * reason) before */
};

/* The counts of one period. */
struct rpt_tally {
	size_t reports;
	unsigned long long successful, failed;
	struct rpt_count *types, *mxs, *ips;
	size_t n_types, n_mxs, n_ips;
	struct rpt_fault *faults; /* current period of an organisation only */
	size_t n_faults;
};

enum rpt_trend {
	RPT_TREND_NEW,
	RPT_TREND_SAME,
	RPT_TREND_BETTER,
	RPT_TREND_WORSE,
};

/* An organisation (or the domain's total, name NULL) in both periods. */
struct rpt_org {
	char *name;
	struct rpt_tally now, prev;
	double rate, prev_rate; /* see the top of this file; prev_rate 1.0 without a report */
	double delta;           /* rate - prev_rate; 0 for NEW */
	enum rpt_trend trend;
};

struct rpt_domain {
	char *name;
	struct rpt_org total;
	struct rpt_org *orgs; /* with a report in the current period, by name */
	size_t n_orgs;
};

struct rpt_summary {
	time_t from, to;            /* the current period; the previous ends at from */
	struct rpt_domain *domains; /* by name */
	size_t n_domains;
};

/*
 * Sum up the rows.
 *
 * pol, n_pol, fail, n_fail: the rows (borrowed; NULL when the count is 0), any order. Rows of
 *          neither period are skipped; a failure detail counts in the period of its report.
 * from, to: the current period, to > from.
 * ret:     on success the summary, to release with rpt_summary_clear(). Untouched on failure.
 *
 * Returns 0, -EINVAL (to <= from, a NULL array with a count, a NULL name), -ENOMEM.
 */
int rpt_summary_build(const struct rpt_policy_in *pol, size_t n_pol,
		      const struct rpt_failure_in *fail, size_t n_fail, time_t from, time_t to,
		      struct rpt_summary *ret);

/*
 * Judge every fault of domain's organisations against its problem history (rpt_correlate()
 * per period of the fault; the strongest verdict and its evidence are kept, then one of the
 * same type, then the first period) and write the reason. Running it again replaces the
 * verdicts.
 *
 * hist, n: the domain's problem intervals covering the faults' periods (borrowed; copied
 *          where kept). cycle: the domain's cycle interval in seconds, at least 1.
 *
 * Returns 0 (also for a domain not in s), -EINVAL, -ENOMEM (verdicts may then be partial).
 */
int rpt_summary_correlate(struct rpt_summary *s, const char *domain,
			  const struct rpt_interval *hist, size_t n, unsigned cycle);

/* The domain of s named name, or NULL. */
const struct rpt_domain *rpt_summary_domain(const struct rpt_summary *s, const char *name);

/* "new", "same", "better", "worse" (static); "?" out of range. */
const char *rpt_summary_trend_name(enum rpt_trend t);

/* Release everything s owns and zero it. NULL-safe. */
void rpt_summary_clear(struct rpt_summary *s);

#endif

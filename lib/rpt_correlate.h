/*
 * rpt_correlate.h - what mxsentry's own probes saw of a failure that a TLS-RPT report names
 * (issue "Analyse"; spec/tls-rpt.md RPT-RES-05, §6 item 6).
 *
 * A sender's report says: in this period, so many sessions to this MX host (and address)
 * failed with this result type. The agent has its own record of the problems its probes saw on
 * the same domain, as intervals: a problem opened in one cycle and resolved in a later one, or
 * still open. Putting the two side by side tells an administrator where to look:
 *
 *   CONFIRMED  our probes saw the same fault: a problem whose code has the report's result type
 *              (rpt_correlate_type_matches()), on the same subject, overlapping the period
 *              either for at least two cycles' worth or while still open. The fault is ours to
 *              fix.
 *   TRANSIENT  our probes saw something on that MX during the period, but not that: either
 *              the same fault only briefly (less than two cycles' worth of the period, and since
 *              resolved), or another session fault (rpt_correlate_session_fault()) of that MX
 *              host or address. Probably a passing fault on our side.
 *   NOT_SEEN   nothing of the above overlaps the period: likely the sender's side (its
 *              resolver, its CA store, a middlebox on its path).
 *
 * Precisely, for a failure of result type T at MX host M and address A (either may be
 * unnamed) in the period [start, end), and one problem interval [opened, resolved) - or
 * [opened, now) while still open:
 *
 *   overlap    min(end, resolved) - max(start, opened), with resolved = end while open; an
 *              interval overlaps when this is positive. Times are cycle times: a problem seen
 *              by k consecutive cycles of length c spans about k * c.
 *   subject    the interval's MX host equals M (ASCII case and one trailing dot ignored) or
 *              either is unnamed; and its address equals A (as an address: "2001:db8::1" and
 *              "2001:db8:0:0::1" are equal) or either is unnamed. A problem of the domain as a
 *              whole (no MX: an MTA-STS policy fetch) thus concerns every MX.
 *   enough     overlap >= min(2 * c - c / 10, end - start): two cycles of length c, less a tenth
 *              of one for the scheduler's jitter, or the whole period when it is shorter.
 *
 *   CONFIRMED  some interval of type T, subject matching, overlapping, and open or enough;
 *   TRANSIENT  else some interval of type T, subject matching, overlapping (not enough, and
 *              resolved); or some interval of a session fault of another type, of an MX host
 *              (not of the domain as a whole), subject matching, overlapping;
 *   NOT_SEEN   else.
 *
 * Examples with hourly cycles (c = 3600) and a report for 2026-11-28 00:00 to 24:00 UTC,
 * certificate-not-trusted at mx1.example.com [192.0.2.1]:
 *
 *   tls.untrusted mx1.example.com 192.0.2.1 opened 11-20, still open          CONFIRMED
 *   tls.untrusted mx1.example.com (no address) 11-28 02:00 to 05:00 (3 cycles) CONFIRMED
 *   tls.untrusted MX1.EXAMPLE.COM. 192.0.2.1 opened 11-28 23:30, still open   CONFIRMED
 *   tls.untrusted mx1.example.com 192.0.2.1 11-28 02:00 to 03:00 (1 cycle)    TRANSIENT
 *   smtp.timeout mx1.example.com 192.0.2.1 11-28 02:00 to 09:00               TRANSIENT
 *   tls.untrusted mx1.example.com 192.0.2.2 (another address), any time       NOT_SEEN
 *   tls.untrusted mx1.example.com 192.0.2.1 11-27 02:00 to 11-28 00:00        NOT_SEEN
 *   cert.expiring mx1.example.com 192.0.2.1 (no session fault), any time      NOT_SEEN
 *   sts.policy.unreachable (the domain), any time: another type, no MX         NOT_SEEN
 *
 * The table of finding codes and their result types (docs/findings.md, last column) is kept
 * here alone; test_rpt_correlate checks it against that file.
 *
 * Pure: no clock, no I/O.
 */
#ifndef MXS_LIB_RPT_CORRELATE_H
#define MXS_LIB_RPT_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * One problem the agent's probes saw, from the cycle that opened it to the cycle that no longer
 * saw it (agent/store_history.h reads them from the store's events). Strings owned, NULL when
 * absent; released with rpt_correlate_intervals_free().
 */
struct rpt_interval {
	char *check;        /* the check's name, e.g. "mx_starttls" */
	char *code;         /* finding code, e.g. "tls.untrusted"; never NULL */
	char *mx;           /* MX host, NULL for the domain as a whole */
	char *address;      /* address of that MX, NULL for the host as a whole */
	char *alg;          /* "ECDSA"/"RSA", or NULL */
	time_t opened_at;   /* the cycle that opened it */
	time_t resolved_at; /* the cycle that resolved it; meaningless while open */
	bool open;          /* not resolved (yet) */
};

/* One failure detail of a report, as judged here. Borrowed strings. */
struct rpt_failure {
	const char *result_type; /* RFC 8460 §4.3, as written; never NULL */
	const char *mx;          /* receiving-mx-hostname, NULL when the report leaves it out */
	const char *ip;          /* receiving-ip, NULL when left out */
	time_t start, end;       /* the report's date-range; end > start */
};

/* In increasing strength: a stronger verdict wins when details are combined. */
enum rpt_verdict {
	RPT_VERDICT_NOT_SEEN,
	RPT_VERDICT_TRANSIENT,
	RPT_VERDICT_CONFIRMED,
};

/* The verdict on one failure and what it rests on. */
struct rpt_evidence {
	enum rpt_verdict verdict;
	const struct rpt_interval *interval; /* the problem that decided (borrowed from the
					      * history given); NULL for NOT_SEEN */
	bool same_type;                      /* it has the failure's result type (false: another
					      * session fault) */
	time_t overlap;                      /* seconds of it inside the period */
};

/* A report period in which a failure was reported, with its failed sessions there. */
struct rpt_period {
	time_t start, end;
	unsigned long long count;
};

/* The verdict on a failure reported in several periods, with a copy of what it rests on. */
struct rpt_judgement {
	enum rpt_verdict verdict;     /* the strongest over the periods */
	size_t n_verdict[3];          /* periods by verdict, indexed by enum rpt_verdict */
	struct rpt_interval evidence; /* a copy of the deciding problem; all NULL and 0 if none */
	bool same_type;               /* as in struct rpt_evidence */
	time_t overlap;               /* as in struct rpt_evidence */
	char *reason;                 /* rpt_correlate_reason() of it, never NULL once judged */
};

/*
 * The RFC 8460 result type a finding code carries (RPT-RES-05; docs/findings.md), a static
 * string, or NULL for a code without one (cert.expiring, an unknown code, NULL).
 */
const char *rpt_correlate_result_type(const char *code);

/*
 * Whether a problem of code can make a sender's session to an MX fail: every code with a result
 * type, and the faults of reaching an MX that have none (smtp.timeout, smtp.closed,
 * smtp.protocol, smtp.refused, smtp.rejected, smtp.unreachable, smtp.local-error,
 * mx.no-address). False for NULL.
 */
bool rpt_correlate_session_fault(const char *code);

/*
 * Whether a problem of code explains a failure of result_type: the code's own result type, or
 * for an MX outside the MTA-STS policy (sts.mx.not-covered, sts.mx.not-in-cached-policy) also
 * certificate-host-mismatch, which some reporters use for it (tls-rpt.md §6 item 6). Result
 * types compare case-sensitively (RPT-RES-01). False when either is NULL.
 */
bool rpt_correlate_type_matches(const char *code, const char *result_type);

/*
 * Judge one failure against the problem intervals of its domain, as the top of this file says.
 *
 * f:      the failure (borrowed).
 * hist:   the domain's problem intervals, any order (borrowed; NULL when n is 0).
 * cycle:  seconds between two cycles of the domain (its configured interval), at least 1.
 * ret:    on success the verdict; its interval points into hist. Among several intervals the
 *         strongest verdict wins, then one of the same type, then the longest overlap, then
 *         the first in hist.
 *
 * Returns 0, or -EINVAL for a NULL f, ret or result type, end <= start, or cycle 0 (ret is
 * then untouched).
 */
int rpt_correlate(const struct rpt_failure *f, const struct rpt_interval *hist, size_t n,
		  unsigned cycle, struct rpt_evidence *ret);

/*
 * Judge a failure of result_type at mx and ip (either may be NULL) reported in the periods
 * p[0..n_p-1]: rpt_correlate() per period; the strongest verdict is kept with its evidence,
 * then one of the same type, then the first period. hist, n and cycle as for rpt_correlate().
 *
 * ret: on success the judgement (strings copied), to release with
 *      rpt_correlate_judgement_clear(); untouched on failure.
 *
 * Returns 0, -EINVAL (as rpt_correlate(), or a NULL p with n_p), -ENOMEM.
 */
int rpt_correlate_judge(const char *result_type, const char *mx, const char *ip,
			const struct rpt_period *p, size_t n_p, const struct rpt_interval *hist,
			size_t n, unsigned cycle, struct rpt_judgement *ret);

/* Release what a judgement owns and zero it. NULL-safe. */
void rpt_correlate_judgement_clear(struct rpt_judgement *j);

/*
 * One line for people saying what the verdict rests on, e.g. "confirmed by our probes:
 * tls.untrusted on mx1.example.com [192.0.2.1] since 2026-11-20 03:00 UTC, still open", or
 * "not seen by our probes: likely the sender's side". Times in UTC to the minute.
 *
 * Returns a new string, the caller's to free; NULL on memory exhaustion or a NULL e.
 */
char *rpt_correlate_reason(const struct rpt_evidence *e);

/* "not-seen", "transient", "confirmed" (static); "?" for a value out of range. */
const char *rpt_correlate_verdict_name(enum rpt_verdict v);

/* Release n intervals and the array. NULL-safe; returns NULL ("v = ..._free(v, n);"). */
struct rpt_interval *rpt_correlate_intervals_free(struct rpt_interval *v, size_t n);

#endif

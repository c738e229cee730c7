/*
 * rollout.h - where a domain stands on the road from no MTA-STS policy, through mode testing, to
 * mode enforce ("mxsentry rollout"), and the exact change to make next.
 *
 * RFC 8461 §5 and §8 describe the road: publish a policy in mode testing with a TLS-RPT record
 * (STS-MODE-02, RPT-CHK-01), read the reports until they show that senders can validate every
 * MX, then switch to enforce under a new id (STS-CACHE-03) with a longer max_age (STS-POL-06).
 * When an enforce policy turns out to break delivery (STS-MODE-01), roll back under a new id to
 * testing, or opt out with mode none (STS-MODE-03, §8.3); senders that fetched the enforce
 * policy may keep applying it for max_age after they last fetched it (STS-CACHE-01/02).
 *
 * The judge weighs three sources, all read by the caller from the agent's store:
 *   - the policy history (lib/history.h): the mode served now and since when;
 *   - the TLS-RPT reports (RFC 8460): sessions under the current mode per reporting
 *     organisation, and failures by result type (RPT-RES);
 *   - the open problems of the live checks mx_starttls, cert_expiry and mta_sts.
 *
 * Verdicts while testing: READY (every threshold met, nothing to fix), NOT_ENOUGH_DATA (nothing
 * to fix, but too few days, organisations or sessions), NOT_READY (something to fix: failures
 * above the threshold, an open WARNING or CRITICAL problem of those checks, no valid policy,
 * mode none). Under enforce: OK, or ROLLBACK when the failure rate since the cutover exceeds the
 * threshold. UNKNOWN when the agent's data is too old or absent to tell.
 *
 * The observation window is the last min_days days of the current mode (all of it when it is
 * younger): the verdict rests on recent reports, so a problem fixed stops counting once min_days
 * clean days have passed, which is also the proof the thresholds ask for before enforcing.
 *
 * Pure: no I/O and no clock; the caller passes now. Nothing here includes agent/ headers: the
 * input structs below are plain views of the store's rows.
 */
#ifndef MXS_LIB_ROLLOUT_H
#define MXS_LIB_ROLLOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/error.h"
#include "lib/history.h"
#include "lib/severity.h"

/*
 * Default thresholds. Common deployment guidance runs mode testing for two to four weeks before
 * enforcing; the defaults take the short end, and each can be raised in mxsentry.conf(5).
 *
 * min_days 14: two full weeks cover weekday and weekend traffic twice, and daily reports that
 *   arrive hours after their UTC day (RPT-DLV-12) still leave about 13 complete report days.
 * min_orgs 2: one reporter sees only its own path and validation quirks; two independent ones
 *   (in practice the two large mailbox providers report first) confirm each other, while
 *   asking for more would leave small domains waiting for ever.
 * max_failure_rate 0.1%: a correct setup reports no failures at all; residual noise from
 *   sender bugs and transient faults stays well below one session in a thousand, whereas any
 *   real misconfiguration (an MX without a matching certificate or mx line) fails a share of
 *   sessions far above it.
 * min_sessions 100: below about a hundred sessions a clean report says little (one failure is
 *   already 1%); a hundred over two weeks is a few sessions a day from reporters, which most
 *   domains that receive mail reach. Busy domains should raise it.
 */
#define ROLLOUT_MIN_DAYS_DEFAULT         14u
#define ROLLOUT_MIN_ORGS_DEFAULT         2u
#define ROLLOUT_MAX_FAILURE_RATE_DEFAULT 0.001
#define ROLLOUT_MIN_SESSIONS_DEFAULT     100u

/*
 * max_age of the proposed enforce policy when the current one is shorter: two weeks, which clears
 * STS-POL-06's "weeks or more" while keeping the time senders may cache a bad enforce policy
 * bounded; raise it further once enforce has held. A longer current max_age is kept.
 */
#define ROLLOUT_ENFORCE_MAX_AGE 1209600L
/* max_age of a rollback policy: one day, as §8.3 suggests when opting out. */
#define ROLLOUT_ROLLBACK_MAX_AGE 86400L
/*
 * The newest policy counts as no longer served when the agent's last cycle is this much later
 * than its last sighting (two days of failed fetches, not one transient fault).
 */
#define ROLLOUT_GONE_AFTER (2L * 86400)

struct rollout_thresholds {
	unsigned min_days;       /* days in the current mode before READY, 1..365 */
	unsigned min_orgs;       /* reporting organisations before READY, 1.. */
	double max_failure_rate; /* failed / all sessions, a fraction in [0, 1] */
	unsigned min_sessions;   /* sessions reported in the window before READY */
};

enum rollout_stage {
	ROLLOUT_STAGE_NO_POLICY, /* no valid policy served (none seen, gone, or invalid) */
	ROLLOUT_STAGE_TESTING,
	ROLLOUT_STAGE_ENFORCE,
	ROLLOUT_STAGE_NONE, /* mode none: opted out (STS-MODE-03) */
};

enum rollout_verdict {
	ROLLOUT_READY,           /* testing: switch to enforce now */
	ROLLOUT_NOT_READY,       /* something to fix first */
	ROLLOUT_NOT_ENOUGH_DATA, /* nothing to fix; wait */
	ROLLOUT_OK,              /* enforce: holding */
	ROLLOUT_ROLLBACK,        /* enforce: failures above the threshold since the cutover */
	ROLLOUT_UNKNOWN,         /* the agent's data is missing or too old */
};

/* One policy of one stored TLS-RPT report (borrowed strings). */
struct rollout_report {
	const char *organization; /* "" when the report did not say */
	const char *policy_type;  /* "sts", "tlsa" or "no-policy-found"; only "sts" counts */
	const char *mode;         /* the mode of the policy strings, NULL when they do not say */
	time_t start, end;        /* the report's date-range */
	unsigned long long successful, failed;
};

/* One failure-details entry of a stored report (borrowed strings). */
struct rollout_failure {
	const char *policy_type, *mode; /* as in struct rollout_report */
	time_t start, end;
	const char *result_type; /* RPT-RES, as written */
	unsigned long long sessions;
};

/* One open problem of the live checks (borrowed strings). */
struct rollout_problem {
	const char *check;      /* "mx_starttls", ... */
	const char *code;       /* "cert.expiring", ... */
	enum severity severity; /* WARNING, CRITICAL or UNKNOWN */
	const char *mx;         /* the MX host, or NULL */
	const char *message;
	const char *req; /* requirement ID, or NULL */
};

struct rollout_input {
	const char *domain;                 /* normalised */
	const struct policy_seen *policies; /* newest last_seen first, as store_history_load() */
	size_t n_policies;
	time_t last_cycle;  /* the agent's last cycle of the domain; 0 when none is recorded */
	time_t stale_after; /* a last cycle older than this many seconds gives UNKNOWN; 0 never */
	const struct rollout_report *reports; /* any order; outside the window they are ignored */
	size_t n_reports;
	const struct rollout_failure *failures;
	size_t n_failures;
	const struct rollout_problem *problems;
	size_t n_problems;
	struct rollout_thresholds th;
	time_t now;
};

enum rollout_reason_kind {
	ROLLOUT_REASON_FIX,  /* something to fix (NOT_READY; under enforce, fix now) */
	ROLLOUT_REASON_WAIT, /* something to wait for (NOT_ENOUGH_DATA) */
	ROLLOUT_REASON_NOTE, /* for information; changes no verdict */
};

struct rollout_reason {
	enum rollout_reason_kind kind;
	char *what;      /* what stands in the way, one line (owned) */
	char *fix;       /* what to do about it, one line (owned) */
	const char *req; /* requirement ID (static or borrowed from a problem), or NULL */
};

/* Sessions one organisation reported under the current mode in the window. */
struct rollout_org {
	char *name; /* owned */
	unsigned long long successful, failed;
};

/* Failed sessions of one result type in the window (types are not exclusive, RPT-JSON-12). */
struct rollout_type {
	char *result_type; /* owned */
	unsigned long long sessions;
};

struct rollout_result {
	enum rollout_stage stage;
	enum rollout_verdict verdict;
	const struct policy_seen *policy; /* the policy served now (borrowed from the input), or
					   * the last one seen when it is gone or invalid; NULL
					   * when none was ever seen */
	time_t since;        /* the current mode since: the first sighting of the run of policies in
			      * this mode that reaches the newest (as far back as the history goes);
			      * 0 without a policy */
	long days;           /* whole days since then */
	time_t window_start; /* reports ending after this and starting before now count */
	struct rollout_org *orgs; /* with at least one session, most sessions first */
	size_t n_orgs;
	/* all sessions of the window; sums saturate (lib/count.h) */
	unsigned long long successful, failed;
	double failure_rate;        /* failed / (successful + failed); 0 without any */
	struct rollout_type *types; /* most sessions first */
	size_t n_types;
	struct rollout_reason *reasons; /* fixes, then waits, then notes */
	size_t n_reasons;
	/* READY and ROLLBACK: the change to make, all owned; NULL otherwise. */
	char *new_id;      /* a fresh TXT id: the UTC time YYYYMMDDHHMMSS (STS-TXT-08) */
	char *policy_text; /* READY: the enforce policy; ROLLBACK: back to testing */
	char *none_text;   /* ROLLBACK: the alternative, mode none */
	char *txt_record;  /* _mta-sts.DOMAIN. IN TXT "v=STSv1; id=NEW_ID" */
	/* An enforce policy senders may still hold (STS-CACHE-01): its last sighting + max_age,
	 * when later than now (under enforce: the current policy); else 0. */
	time_t enforce_cached_until;
};

/* Fill t with the defaults above. */
void rollout_thresholds_default(struct rollout_thresholds *t);

/*
 * The start of the observation window for thresholds th at now: min_days days back. A caller
 * reading reports from its store needs those whose period ends after it.
 */
time_t rollout_window_start(const struct rollout_thresholds *th, time_t now);

/*
 * Judge a domain.
 *
 * in:  the domain's data (borrowed for the call; ret->policy keeps pointing into
 *      in->policies, which must outlive ret).
 * ret: must be zeroed or cleared; on success filled, released with rollout_result_clear().
 *      Untouched on failure.
 *
 * Returns 0, -EINVAL (NULL argument, no domain, min_days 0, a rate outside [0, 1]) or -ENOMEM.
 */
int rollout_judge(const struct rollout_input *in, struct rollout_result *ret);

/* Release what a result owns and zero it. NULL-safe. */
void rollout_result_clear(struct rollout_result *r);

/* "no-policy", "testing", "enforce", "none" (static); "?" out of range. */
const char *rollout_stage_name(enum rollout_stage s);

/* "READY", "NOT_READY", "NOT_ENOUGH_DATA", "OK", "ROLLBACK", "UNKNOWN" (static); "?". */
const char *rollout_verdict_name(enum rollout_verdict v);

/*
 * Read a percentage as the configuration writes it: digits with an optional fraction, then "%"
 * ("0.1%", "2%", "0%"); 0 to 100. No sign, spaces, exponent or locale. *ret_rate receives the
 * fraction (0.001 for "0.1%"). Returns 0 or -EINVAL (reterr, optional, says why).
 */
int rollout_rate_parse(const char *text, double *ret_rate, struct mxs_error *reterr);

/* Write a fraction as a percentage with up to three significant digits: "0.1%", "0.0512%". */
void rollout_rate_text(double rate, char *buf, size_t len);

#endif

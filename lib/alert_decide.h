/*
 * alert_decide.h - which of a domain's problems to tell people about in this cycle, and how:
 * flap damping, reminders, silences and inhibition (issue "alerts"; Icinga's soft and hard
 * states are the model for the damping).
 *
 * The alert side keeps its own record of every problem of a domain (struct alert_track): how
 * many consecutive cycles have reported it, and what was last told about it (its severity then
 * and when). Each cycle, alert_decide() compares that record with the cycle's findings:
 *
 *   - a problem (a finding above OK, keyed by check, subject and code; the worst of duplicates)
 *     counts one more cycle; once it has held for `damping` consecutive cycles it is told:
 *     "opened" the first time, "changed" when its severity differs from what was told, and a
 *     "reminder" when `reminder` seconds have passed since it was last told (0: no reminders);
 *   - a problem no longer reported was "resolved" if it had been told, else it is dropped
 *     quietly (it flapped below the damping);
 *   - silences (domain and/or code, until a time) hold back what they match: nothing is told and
 *     nothing is marked told, so a problem still open when its silence ends is told then;
 *   - inhibition: findings that are consequences of another are not problems of their own this
 *     cycle. An MX address that cannot be reached (smtp.timeout, smtp.refused, smtp.unreachable)
 *     inhibits the cert.*, tls.* and dane.* problems of that address (and of its host as a
 *     whole); a self-check that could not tell (check.unknown: the agent's resolver, port 25 or
 *     clock) inhibits every other problem of the domain, and dane.unknown (no validating
 *     resolver) the other dane.* and dns.dnssec-* problems. An inhibited problem keeps its
 *     record as it was: it is neither counted nor resolved, since nobody could look at it.
 *
 * Pure: no clock, no I/O; the cycle's time is given.
 */
#ifndef MXS_LIB_ALERT_DECIDE_H
#define MXS_LIB_ALERT_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/alert.h"
#include "lib/finding.h"

/* One problem as the alert side remembers it. Strings owned (NULL when absent). */
struct alert_track {
	char *check, *code, *mx, *address, *alg;
	enum severity severity; /* as last reported (WARNING, CRITICAL or UNKNOWN) */
	unsigned cycles;        /* consecutive cycles it has been reported */
	time_t since;           /* the first of those cycles */
	enum severity notified; /* the severity last told; SEVERITY_OK: never told */
	time_t notified_at;     /* when */
	char *message, *req;    /* as last reported */
};

struct alert_silence {
	const char *domain; /* NULL: every domain */
	const char *code;   /* NULL: every code; "cert.*" matches a prefix up to the "*" */
	time_t until;       /* the silence ends then */
};

struct alert_policy {
	unsigned damping; /* consecutive cycles before a problem is told (at least 1) */
	long reminder;    /* seconds between reminders of an open problem; 0: none */
	const struct alert_silence *silences;
	size_t n_silences;
};

/*
 * Decide the cycle of one domain.
 *
 * domain:          the domain (for silences and the message).
 * prev, n_prev:    its tracks before this cycle (borrowed).
 * found:           the cycle's findings (borrowed).
 * at:              the cycle's time.
 * ret_tracks, ret_n: on success, the tracks after this cycle (alert_tracks_free()).
 * msg:             an initialised message the cycle's news are added to (opened, changed,
 *                  resolved, reminder items, in the order of the findings, then resolved ones
 *                  in the order of prev).
 *
 * Returns 0 or -ENOMEM (nothing changed in *msg beyond items already added; the caller drops
 * the message and keeps prev).
 */
int alert_decide(const char *domain, const struct alert_track *prev, size_t n_prev,
		 const struct findings *found, const struct alert_policy *policy, time_t at,
		 struct alert_track **ret_tracks, size_t *ret_n, struct alert_message *msg);

/* Whether a silence holds back code of domain at time at. */
bool alert_silenced(const struct alert_policy *policy, const char *domain, const char *code,
		    time_t at);

/* Release n tracks and the array. NULL-safe; returns NULL. */
struct alert_track *alert_tracks_free(struct alert_track *v, size_t n);

#endif

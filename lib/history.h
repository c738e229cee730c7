/*
 * history.h - what the store remembers about a domain, as the checks see it.
 *
 * Some findings need the past: a policy whose content changed while its id stayed the same
 * (STS-TXT-09), an id bumped with nothing else changed (STS-FETCH-14), an MX removed from the
 * policy while senders still cache the old one (STS-CACHE-01/02), a TXT record removed (STS-TXT-14).
 * The agent reads this from its store (agent/store.h) before evaluating, and records the new
 * observation after. When there is no store (a one-shot check without state_dir) or it cannot
 * be read, available is false and unavailable_reason says why; checks then skip the findings
 * that need history and may say so.
 */
#ifndef MXS_LIB_HISTORY_H
#define MXS_LIB_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* One MTA-STS policy as it was seen, identified by (id, digest). */
struct policy_seen {
	char *id;          /* the _mta-sts TXT id it was served under */
	char digest[65];   /* SHA-256 of the policy body, lower-case hex */
	char *mode;        /* "enforce", "testing", "none" (as parsed), or NULL if invalid */
	long max_age;      /* seconds, -1 if invalid */
	char **mx;         /* the mx patterns, NULL-terminated (never NULL itself) */
	time_t first_seen; /* first observation of this (id, digest) */
	time_t last_seen;  /* last observation of it */
};

struct history {
	bool available;
	char *unavailable_reason;     /* when !available: "no state directory configured", ... */
	struct policy_seen *policies; /* newest last_seen first */
	size_t n_policies;
	bool sts_txt_seen; /* a valid _mta-sts record was seen before */
	time_t sts_txt_last_seen;
};

/* Release a history's contents and reset it to empty (not available). NULL-safe. */
void history_clear(struct history *h);

#endif

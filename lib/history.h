/*
 * history.h - what the store remembers about a domain, as the checks see it.
 *
 * Some findings need the past: a policy whose content changed while its id stayed the same
 * (STS-TXT-09), an id bumped with nothing else changed (STS-FETCH-14), an MX removed from the
 * policy while senders still cache the old one (STS-CACHE-01/02), a TXT record removed
 * (STS-TXT-14), an MX key that changed under TLSA records naming the old one (DANE-ROT-01/02).
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

#include "lib/rpt_summary.h"

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

/*
 * One leaf certificate as an MX address presented it to one kind of session, identified by
 * (mx, address, alg, cert_sha256). A certificate renewed for the same key is a new entry with
 * the same spki_sha256; a key change is a new entry with another one.
 */
struct key_seen {
	char *mx;             /* the MX host name, normalised */
	char address[46];     /* the address as text, as in struct mx_address */
	char alg[8];          /* the session's algorithm as probe_alg_name() words it: "any", ... */
	char cert_sha256[65]; /* SHA2-256 of the certificate (DANE-SEL-01 Cert), lower-case hex */
	char spki_sha256[65]; /* SHA2-256 of its SubjectPublicKeyInfo (SPKI), lower-case hex */
	time_t first_seen;    /* first observation of this certificate there */
	time_t last_seen;     /* last observation of it */
};

struct history {
	bool available;
	char *unavailable_reason;     /* when !available: "no state directory configured", ... */
	struct policy_seen *policies; /* newest last_seen first */
	size_t n_policies;
	bool sts_txt_seen; /* a valid _mta-sts record was seen before */
	time_t sts_txt_last_seen;
	/* leaf keys, grouped by (mx, address, alg), newest last_seen first within a group */
	struct key_seen *keys;
	size_t n_keys;
	/*
	 * TLS-RPT: the domain's reports whose period ended within the last reports_window seconds,
	 * summed up and their failures judged against the agent's probe history (lib/rpt_summary.h);
	 * reports_loaded false when nobody loaded them (no store, or not asked).
	 */
	bool reports_loaded;
	long reports_window;
	struct rpt_summary reports;
};

/* A key change of one session's leaf, as history_key_change() finds it. */
struct key_change {
	const struct key_seen *previous; /* the key presented before (borrowed from the history) */
	time_t changed_at; /* first sighting of the current key after the previous one */
	bool first_now;    /* the history has not seen the current key: changed_at is now */
};

/* Release a history's contents and reset it to empty (not available). NULL-safe. */
void history_clear(struct history *h);

/*
 * Write the SHA2-256 digest d (32 bytes, e.g. struct certinfo's sha256 or spki_sha256) into out
 * as 64 lower-case hex digits and a NUL: the form struct key_seen holds and the store records.
 */
void history_digest_hex(const unsigned char d[32], char out[65]);

/*
 * Whether the leaf key one session presents now differs from the key the same (mx, address,
 * alg) presented before: the cause to name when TLSA records stop matching (DANE-ROT-01/02).
 *
 * h:           the history; an unavailable one never shows a change.
 * mx, address, alg: the session's MX host name, address text and probe_alg_name().
 * spki_sha256: SHA2-256 of the current leaf's SubjectPublicKeyInfo, lower-case hex.
 * now:         when the current key was observed (the snapshot's taken_at).
 * ret:         on a change, filled (previous points into h, valid until history_clear()).
 *
 * Returns 1 on a change. Returns 0 when there is none to tell: nothing seen before for the
 * session (the first observation of a key is no change), only the current key seen (perhaps
 * in several certificates), or the current key seen already before the previous one was last
 * seen (a return to an old key, or an address behind which servers present different keys:
 * no moment of change can be named). -EINVAL for a NULL argument.
 */
int history_key_change(const struct history *h, const char *mx, const char *address,
		       const char *alg, const char *spki_sha256, time_t now,
		       struct key_change *ret);

#endif

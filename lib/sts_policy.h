/*
 * sts_policy.h - the MTA-STS policy file (RFC 8461 §3.2; spec/mta-sts.md §4, STS-POL).
 *
 * The body fetched from https://mta-sts.<domain>/.well-known/mta-sts.txt is a list of
 * "key: value" lines ending in LF or CRLF. The parser checks the grammar and the field rules
 * (STS-POL-01..14, decisions D2, D3, D4, D6) and reports every problem as a diagnostic
 * (lib/diag.h); sts_policy_covers() then answers whether an MX host name is allowed by the
 * policy's mx patterns (STS-MX-01..04, through lib/hostmatch.h).
 *
 * Choice about partial results: a policy is returned only when it is accepted, i.e. no
 * diagnostic is both invalid and ERROR (senders would ignore it). An accepted policy may still be
 * invalid at WARN level (a blank line, D2) and then carries every field; for a rejected policy
 * the diagnostics are the whole result, which is what a check reports.
 */
#ifndef MXS_LIB_STS_POLICY_H
#define MXS_LIB_STS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

/* Largest max_age (STS-POL-05: one year of 365.25 days, in seconds). */
#define STS_POLICY_MAX_AGE_LIMIT 31557600u
/* Largest body parsed (STS-FETCH-09: senders stop at 64 KiB). */
#define STS_POLICY_MAX_BODY 65536

enum sts_mode {
	STS_MODE_ENFORCE, /* senders refuse MX hosts that fail the policy (STS-MODE-01) */
	STS_MODE_TESTING, /* failures are only reported (STS-MODE-02) */
	STS_MODE_NONE,    /* no active policy (STS-MODE-03) */
};

struct sts_policy {
	const char *version; /* always "STSv1" (static) in an accepted policy */
	enum sts_mode mode;
	uint32_t max_age; /* seconds, 0..STS_POLICY_MAX_AGE_LIMIT */
	char **mx;        /* the mx patterns as written, in order, NULL-terminated; each a
			       * host name or "*." + host name in ASCII; owned by the policy */
	size_t n_mx;      /* may be 0 only with STS_MODE_NONE */
};

/*
 * Parse a policy body.
 *
 * data, len:  the body (need not be NUL-terminated; may contain any byte). Bodies longer than
 *             STS_POLICY_MAX_BODY are rejected without being read.
 * ret_policy: optional; on success a new policy, freed by the caller with sts_policy_free().
 *             Untouched on failure.
 * diags:      optional; every diagnostic found is appended (on failure too).
 *
 * Returns 0 when the policy is accepted (see the top of this file); -EINVAL when it is
 * rejected (the diagnostics say why); -ENOMEM (the diagnostics may then be incomplete).
 */
int sts_policy_parse(const char *data, size_t len, struct sts_policy **ret_policy,
		     struct diag_list *diags);

/* Release a policy and its patterns. NULL-safe; returns NULL. */
struct sts_policy *sts_policy_free(struct sts_policy *policy);

/* "enforce", "testing" or "none". */
const char *sts_policy_mode_name(enum sts_mode mode);

/*
 * Whether an MX host name is covered by one of the policy's mx patterns (STS-MX-01: the name
 * from the MX RDATA; any case, one trailing dot allowed, see hostmatch_mx_pattern()).
 *
 * ret_pattern: optional; on a match, the first pattern that matched (borrowed from the policy).
 *              Untouched when nothing matches.
 */
bool sts_policy_covers(const struct sts_policy *policy, const char *host, const char **ret_pattern);

#endif

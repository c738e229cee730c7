/*
 * hostmatch.h - does a certificate name, or a policy "mx" pattern, cover a host name?
 *
 * Two related rule sets, both with the wildcard only as the whole left-most label covering
 * exactly one label:
 *  - certificate identities (RFC 6125 §6.4, RFC 8461 §4.2, RFC 7672 §3.2.3): hostmatch_cert()
 *    compares a host name against the DNS-IDs (SAN dNSName) of a certificate, falling back to
 *    the subject CN only where the context allows it (DANE-TA without any DNS-ID);
 *  - MTA-STS "mx" patterns (RFC 8461 §4.1): hostmatch_mx_pattern().
 * Spec IDs: COMMON-NAME-01..04, STS-CERT-04/05, STS-FETCH-02/03, STS-MX-01..04, DANE-NAME-01..03.
 * Vectors: shared/spec/vectors/cert-name-match.json and mx-pattern-match.json.
 *
 * All names are compared in canonical form (lib/dname.h): lower case, no trailing dot, A-labels.
 * Inputs may be in any case and carry one trailing dot; U-labels are converted (IDNA2008).
 */
#ifndef MXS_LIB_HOSTMATCH_H
#define MXS_LIB_HOSTMATCH_H

#include <stdbool.h>
#include <stddef.h>

/* Which rules apply to a certificate name check. */
enum hostmatch_context {
	HOSTMATCH_STS_MX,     /* MX under MTA-STS or plain PKIX: SAN DNS-IDs only, never the CN */
	HOSTMATCH_STS_POLICY, /* the mta-sts.<domain> policy host: SAN DNS-IDs only */
	HOSTMATCH_DANE_TA,    /* DANE-TA(2): DNS-IDs, CN only when there is no DNS-ID */
	HOSTMATCH_DANE_EE,    /* DANE-EE(3): no name check at all (always matches) */
};

/*
 * Whether a certificate with the given SAN dNSNames and subject CN is valid for any of the
 * reference host names under the rules of ctx.
 *
 * san:        the certificate's SAN dNSName values (NULL-terminated; may be empty); as found in
 *             the certificate, not yet normalised.
 * cn:         the subject CN, or NULL.
 * references: the acceptable host names (NULL-terminated, at least one), e.g. the MX host name.
 * ret_matched: optional; on a match, points at the san[] entry (or cn) that matched (borrowed).
 *
 * A malformed certificate name (partial-label wildcard "mx*.example.com", a wildcard not in the
 * left-most label, an empty label) never matches (COMMON-NAME-03/04, STS-CERT-05).
 */
bool hostmatch_cert(enum hostmatch_context ctx, const char *const san[], const char *cn,
		    const char *const references[], const char **ret_matched);

/*
 * Whether the MTA-STS policy pattern covers the MX host name (RFC 8461 §4.1; STS-MX-02/03/04):
 * exact (case-insensitive) or "*." + D covering exactly one more label before D. A host that
 * is not a valid host name (empty labels, "*", an IP address literal) never matches.
 */
bool hostmatch_mx_pattern(const char *pattern, const char *host);

#endif

/*
 * dane.h - the DANE state of one MX host, judged as an RFC 7672 sender judges it.
 *
 * The gatherer collects the facts (DNSSEC states of the MX, address and TLSA RRsets, the TLSA
 * records, whether STARTTLS was offered, the presented chain); dane_evaluate() decides what a
 * DANE sender does with this host and explains every record it set aside or that did not match.
 * It does no I/O and keeps no pointer to its input.
 *
 * Spec IDs: DANE-LKP-03/04, DANE-DNS-02..04/06, DANE-USG-01/03..06, DANE-NAME-01..04,
 * DANE-EXP-01/02, DANE-ROT-02/03, DANE-AGI-02..04, DD1-DD4.
 * Vectors: shared/spec/vectors/dane-scenarios.json.
 */
#ifndef MXS_LIB_DANE_H
#define MXS_LIB_DANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/certinfo.h"
#include "lib/diag.h"
#include "lib/tlsa.h"

/* The DNSSEC state of one lookup (DANE-DNS-02/03), as the vectors word it. */
enum dane_dnssec {
	DANE_DNSSEC_NOT_REACHED = 0, /* the lookup was not made ("null" in the vectors) */
	DANE_DNSSEC_SECURE,
	DANE_DNSSEC_INSECURE,
	DANE_DNSSEC_BOGUS,
	DANE_DNSSEC_SERVFAIL,        /* SERVFAIL, timeout, malformed reply: a lookup error */
	DANE_DNSSEC_SECURE_NXDOMAIN, /* authenticated denial of existence (NXDOMAIN or NODATA) */
};

/* What a DANE sender does with the host (spec/README.md, "dane-scenarios.json outcomes"). */
enum dane_outcome {
	DANE_OUTCOME_PASS,                /* authenticated through a TLSA record */
	DANE_OUTCOME_FAIL,                /* usable records but no match, or no STARTTLS */
	DANE_OUTCOME_TLS_UNAUTHENTICATED, /* secure RRset, no usable record: TLS required */
	DANE_OUTCOME_NOT_APPLICABLE,      /* insecure or no TLSA: pre-DANE opportunistic TLS */
	DANE_OUTCOME_HOST_UNREACHABLE,    /* TLSA (or address) lookup error */
	DANE_OUTCOME_DEFER,               /* MX lookup error */
};

struct dane_input {
	enum dane_dnssec mx_dnssec;      /* MX RRset of the next-hop domain */
	enum dane_dnssec address_dnssec; /* A/AAAA RRset of the MX host */
	enum dane_dnssec tlsa_dnssec;    /* TLSA RRset of _25._tcp.<base domain> */
	const struct tlsa_rr *tlsa;      /* the TLSA RRset, in the order it was received */
	size_t n_tlsa;
	bool starttls_offered;
	const struct certinfo *const *chain; /* presented chain, leaf first (may be empty) */
	size_t n_chain;
	const char *base_domain;       /* TLSA base domain (DD4), not NULL */
	const char *next_hop;          /* next-hop (recipient) domain, not NULL */
	const char *next_hop_expanded; /* its CNAME-expanded form when different, or NULL */
	time_t now;                    /* for certificate dates under DANE-TA(2) */
	/*
	 * Digest matching types the client supports, most preferred first (DANE-AGI-04), e.g.
	 * { 2, 1 }; NULL for the default SHA2-512 > SHA2-256. Full(0) is always supported.
	 */
	const uint8_t *digest_preference;
	size_t n_digest_preference;
};

/* What became of one record of the RRset. */
struct dane_record {
	bool usable;        /* DANE-USG-04, DD1, DD2 */
	bool kept;          /* usable and kept by digest agility (DANE-AGI-02) */
	int depth;          /* chain depth of the certificate it matches (0 = leaf), -1 none */
	bool authenticates; /* it authenticates the server (DANE-TA: path, dates and names too) */
};

struct dane_result {
	enum dane_outcome outcome;
	enum diag_level severity;    /* worst level of diags; DIAG_OK when there is none */
	const char *result_type;     /* RFC 8460 §4.3 result type (static), or NULL */
	struct dane_record *records; /* one per input record, same order (owned; NULL when none) */
	size_t n_records;
	int matched_record;     /* index of the record that authenticated the server, or -1 */
	int matched_depth;      /* the chain depth it matched, or -1 */
	struct diag_list diags; /* the findings; severity is their worst level */
	struct diag_list notes; /* explanations that do not change the severity (INFO) */
};

/*
 * Evaluate one MX host.
 *
 * in:  the facts (borrowed for the call).
 * ret: on success, the verdict; release its contents with dane_result_clear().
 *
 * Returns 0, -EINVAL (base_domain or next_hop NULL, a chain entry NULL) or -ENOMEM.
 */
int dane_evaluate(const struct dane_input *in, struct dane_result *ret);

/* Release what a result owns and zero it. NULL-safe. */
void dane_result_clear(struct dane_result *res);

/* "dane-pass", "dane-fail", "tls-required-unauthenticated", "not-applicable",
 * "host-unreachable", "defer" (the vectors' words; static). */
const char *dane_outcome_name(enum dane_outcome outcome);

/*
 * The state for a vector word: "secure", "insecure", "bogus", "servfail", "secure-nxdomain";
 * NULL means not reached. Returns 0 or -EINVAL (unknown word).
 */
int dane_dnssec_from_name(const char *name, enum dane_dnssec *ret_state);

#endif

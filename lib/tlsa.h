/*
 * tlsa.h - one TLSA record (RFC 6698 §2): reading it from presentation text or wire RDATA,
 * judging whether an SMTP client can use it, computing association data, writing it back.
 *
 * Spec IDs: DANE-SEL-01..03, DANE-SEL-06, DANE-USG-02..04 and the decisions DD1 (PKIX-TA(0) and
 * PKIX-EE(1) are unusable for SMTP) and DD2 (a digest of the wrong length is malformed, hence
 * unusable). Vectors: shared/spec/vectors/dane-tlsa.json and dane-association.json.
 *
 * A record that parses is not necessarily usable: "4 1 1 ..." or a 31-byte SHA2-256 digest are
 * well-formed RDATA that senders discard (DANE-USG-04). Parsing and usability are separate
 * verdicts, as in the vectors ("valid" and "usable").
 */
#ifndef MXS_LIB_TLSA_H
#define MXS_LIB_TLSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/certinfo.h"
#include "lib/diag.h"

/* Certificate usages (RFC 7218 acronyms). */
#define TLSA_USAGE_PKIX_TA 0
#define TLSA_USAGE_PKIX_EE 1
#define TLSA_USAGE_DANE_TA 2
#define TLSA_USAGE_DANE_EE 3
/* Selectors. */
#define TLSA_SELECTOR_CERT 0
#define TLSA_SELECTOR_SPKI 1
/* Matching types. */
#define TLSA_MTYPE_FULL   0
#define TLSA_MTYPE_SHA256 1
#define TLSA_MTYPE_SHA512 2

/* Most association data bytes: RDATA is at most 65535 bytes, 3 of them usage/selector/mtype. */
#define TLSA_MAX_DATA 65532

struct tlsa_rr {
	uint8_t usage;       /* certificate usage, any 0..255 */
	uint8_t selector;    /* selector, any 0..255 */
	uint8_t mtype;       /* matching type, any 0..255 */
	unsigned char *data; /* certificate association data (owned; may be NULL when len is 0) */
	size_t len;
};

/*
 * Read a TLSA record in presentation form, "3 1 1 2f28...": three decimal numbers 0..255 and
 * the association data in hex, either case, with whitespace allowed between hex digits
 * (DANE-SEL-03). Leading and trailing whitespace is ignored.
 *
 * text, len:  the RDATA text (need not be NUL-terminated).
 * ret_rr:     optional; on success the record, whose data the caller releases with
 *             tlsa_clear().
 * diags:      optional; on success the record's usability diagnostics (tlsa_check()) are
 *             appended; on failure a WARN diagnostic marked invalid says why (a record that
 *             does not parse is discarded by senders, DANE-USG-04).
 *
 * Returns 0, -EINVAL (not a TLSA record: a field out of range, odd or non-hex data, no data,
 * more than TLSA_MAX_DATA bytes) or -ENOMEM.
 */
int tlsa_parse(const char *text, size_t len, struct tlsa_rr *ret_rr, struct diag_list *diags);

/*
 * Build a record from wire RDATA (RFC 6698 §2.1): usage, selector, matching type, data.
 *
 * rdata, len: the RDATA bytes as the DNS reader found them.
 * ret_rr:     on success the record (data copied; release with tlsa_clear()).
 * diags:      optional; as for tlsa_parse().
 *
 * Returns 0, -EINVAL (fewer than 3 bytes, or data over TLSA_MAX_DATA) or -ENOMEM.
 */
int tlsa_from_wire(const unsigned char *rdata, size_t len, struct tlsa_rr *ret_rr,
		   struct diag_list *diags);

/*
 * Judge a record as an SMTP client does (DANE-USG-03/04, DD1, DD2, DANE-SEL-06) and append
 * the diagnostics to diags (optional): WARN per reason the record is unusable, INFO for a
 * usable DANE-TA(2) record that is not the recommended Cert(0) with a digest.
 *
 * Returns whether the record is usable. Memory exhaustion while checking a Full(0) record
 * counts as unusable (and sets diags->lost when the diagnostic cannot be stored).
 */
bool tlsa_check(const struct tlsa_rr *rr, struct diag_list *diags);

/* Whether the record is usable for SMTP: tlsa_check() without diagnostics. */
bool tlsa_usable(const struct tlsa_rr *rr);

/*
 * The association data a certificate has for a selector and matching type (DANE-SEL-01/02):
 * the certificate DER or its SubjectPublicKeyInfo DER, as is (Full(0)) or hashed with
 * SHA2-256(1) or SHA2-512(2).
 *
 * info:        the certificate (borrowed).
 * ret_data:    on success, a new buffer the caller frees with free().
 * ret_len:     on success, its length.
 *
 * Returns 0, -EINVAL (selector or matching type not one of those) or -ENOMEM.
 */
int tlsa_association(const struct certinfo *info, uint8_t selector, uint8_t mtype,
		     unsigned char **ret_data, size_t *ret_len);

/*
 * Whether a certificate matches a record's selector, matching type and data (usage not
 * considered). Returns 1 (match), 0 (no match, or a selector/matching type not understood) or
 * -ENOMEM.
 */
int tlsa_matches(const struct tlsa_rr *rr, const struct certinfo *info);

/*
 * Write a record in zone-file RDATA form, "3 1 1 <lower-case hex>", as tlsa_parse() reads it.
 *
 * ret_text: on success, a new NUL-terminated string the caller frees with free().
 *
 * Returns 0, -EINVAL (no association data: the form has no way to write it) or -ENOMEM.
 */
int tlsa_format(const struct tlsa_rr *rr, char **ret_text);

/*
 * The record to publish for a certificate (DANE-USG-02): "3 1 1" (DANE-EE, SPKI, SHA2-256) for
 * an end-entity certificate, so that renewals with the same key keep matching; "2 0 1"
 * (DANE-TA, Cert, SHA2-256) for a CA certificate, as RFC 7671 §5.2.1 recommends for a trust
 * anchor.
 *
 * ret_rr: on success the record; release with tlsa_clear().
 *
 * Returns 0 or -ENOMEM.
 */
int tlsa_recommend(const struct certinfo *info, struct tlsa_rr *ret_rr);

/* "PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE", "PrivCert" or "unassigned" (static string). */
const char *tlsa_usage_name(uint8_t usage);

/* Release the record's data and zero it. NULL-safe. */
void tlsa_clear(struct tlsa_rr *rr);

/* Release n records and the array. NULL-safe. */
void tlsa_array_free(struct tlsa_rr *v, size_t n);

#endif

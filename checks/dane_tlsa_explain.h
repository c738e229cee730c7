/*
 * dane_tlsa_explain.h - the wording and codes of the dane_tlsa findings. Private to dane_tlsa.c.
 *
 * Every message of the check names the TLSA records and what became of each one (which matched
 * at which depth, why the others were set aside), so that an operator can fix the RRset from the
 * message alone; a mismatch also gives the "3 1 1" record of the leaf actually presented, and a
 * key change (DANE-ROT-01/02) is named as the cause of a mismatch or the reason a pass is news.
 *
 * Pure functions of their arguments: no I/O, no clock. Every returned string is new and owned by
 * the caller, who frees it; NULL means memory exhaustion. Arguments are borrowed for the call.
 */
#ifndef MXS_CHECKS_DANE_TLSA_EXPLAIN_H
#define MXS_CHECKS_DANE_TLSA_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/certinfo.h"
#include "lib/dane.h"
#include "lib/history.h"
#include "lib/snapshot.h"

/*
 * What became of each record of t, one clause each, joined with "; " (the first few records,
 * the rest counted): matched at which depth, unusable and why (DANE-USG-03/04, DD1, DD2), set
 * aside by digest agility (DANE-AGI-02), or matched by no presented certificate. res is the
 * dane_evaluate() result for t's records. When judged is false (the lookups decided, or
 * STARTTLS is missing) only the records' labels. "no records" for an empty RRset.
 * Returns a new string, or NULL on memory exhaustion.
 */
char *dane_tlsa_explain_records(const struct tlsa_lookup *t, const struct dane_result *res,
				bool judged);

/*
 * The record to publish for leaf: DANE-EE(3) SPKI(1) SHA2-256(1), as DANE-USG-02 recommends.
 * Returns 0 with *ret_record (the "3 1 1 <hex>" text, the caller's to free) and *ret_digest (the
 * hex alone, pointing into *ret_record), or -ENOMEM / -EINVAL (no SubjectPublicKeyInfo); the
 * outputs are written only on success.
 */
int dane_tlsa_explain_leaf_record(const struct certinfo *leaf, char **ret_record,
				  const char **ret_digest);

/*
 * t as "2026-11-02T00:00:00Z" (UTC) into buf of size bytes (at least 32); "@<seconds>" when it
 * cannot be converted.
 */
void dane_tlsa_explain_time(time_t t, char *buf, size_t size);

/*
 * The finding code of a dane-fail by its RFC 8460 result type rt (NULL: none), with its
 * requirement in *ret_req (a static string): dane.starttls-missing, dane.cert-expired,
 * dane.name-mismatch, dane.chain-invalid, or dane.tlsa.mismatch for any other. Returns the code,
 * a static string.
 */
const char *dane_tlsa_explain_fail_code(const char *rt, const char **ret_req);

/*
 * The message of a dane-fail at address a of mx: code is the finding code chosen for the
 * result res ("dane.starttls-missing", "dane.tlsa.mismatch", ...); suggest and digest the
 * leaf's record and its hex from dane_tlsa_explain_leaf_record(), both NULL when there is none;
 * kc the key change behind a dane.tlsa.mismatch (DANE-ROT-01/02), NULL when there is none or
 * the history does not tell. Returns a new string, or NULL on memory exhaustion.
 */
char *dane_tlsa_explain_fail(const struct mx_host *mx, const struct mx_address *a,
			     const struct dane_result *res, const char *code, const char *suggest,
			     const char *digest, const struct key_change *kc);

/*
 * The message of a pass through record matched (0-based index into mx's TLSA records) at the
 * first sighting of the new key kc at address a of mx (DANE-ROT-01), with the advice to retire
 * the old key's record when one still names it (DANE-ROT-03/04). Returns a new string, or NULL
 * on memory exhaustion.
 */
char *dane_tlsa_explain_rotated(const struct mx_host *mx, const struct mx_address *a,
				size_t matched, const struct key_change *kc);

#endif

/*
 * snapfix.h - build snapshots (lib/snapshot.h) by hand for the tests of checks and reports.
 *
 * A test starts from an empty domain (snapfix_new) or a healthy one (snapfix_healthy) and adds
 * or changes what its case is about. Certificates are made in memory (snapfix_cert): no DER,
 * only the facts the checks read, with a SHA2-256 unique to each call (copies made with
 * snapfix_cert_dup keep it, so the same certificate can appear in several sessions).
 *
 * Everything is allocated the way snapshot_free() releases it: a test frees the whole
 * snapshot with snapshot_free(). The helpers abort on memory exhaustion (tests only).
 *
 * Pointers returned into a snapshot's arrays (snapfix_mx, snapfix_addr, snapfix_probe) stay
 * valid until the next element is added to the same array.
 */
#ifndef MXS_TESTS_SNAPFIX_H
#define MXS_TESTS_SNAPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/certinfo.h"
#include "lib/finding.h"
#include "lib/snapshot.h"

/* The time every fixture snapshot is taken at: 2026-11-02T00:00:00Z. */
#define SNAPFIX_NOW ((time_t)1793577600)
#define SNAPFIX_DAY 86400L

/* Thresholds recorded in fixture snapshots: 30 and 14 days (the lab's defaults). */
#define SNAPFIX_WARNING  (30 * SNAPFIX_DAY)
#define SNAPFIX_CRITICAL (14 * SNAPFIX_DAY)

/* An empty snapshot of domain: MX lookup OK, no hosts, taken at SNAPFIX_NOW. */
struct snapshot *snapfix_new(const char *domain);

/* Append an MX host (preference -1 marks the implicit MX; A and AAAA lookups OK). */
struct mx_host *snapfix_mx(struct snapshot *snap, const char *name, int preference);

/* Append an address (AF_INET or AF_INET6, as text) to an MX host. */
struct mx_address *snapfix_addr(struct mx_host *mx, int family, const char *text);

/*
 * Append a session to an address with the given outcome, stopped at stage; detail (copied, may
 * be NULL) is the readable cause. No TLS facts, no chain; verdicts "not attempted".
 */
struct smtp_probe *snapfix_probe(struct mx_address *a, enum probe_alg alg,
				 enum probe_outcome outcome, enum probe_stage stage,
				 const char *detail);

/* Remove (and release) every session of an address. */
void snapfix_reset_probes(struct mx_address *a);

/* Record a negotiated TLS version (0x0301..0x0304) with its name, a cipher and timings. */
void snapfix_tls(struct smtp_probe *p, int version, unsigned handshake_ms);

/*
 * A certificate made in memory.
 *
 * cn:        subject CN (also the subject "CN=<cn>"), or NULL.
 * san:       SAN dNSNames, NULL-terminated (copied), or NULL for none.
 * not_before, not_after: validity window (UTC seconds).
 * key:       key type (RSA gets 2048 bits, EC 256).
 * issuer_cn: issuer's CN; equal to cn makes the certificate self-signed.
 *
 * Returns a new certinfo (the caller owns it until it is added to a probe).
 */
struct certinfo *snapfix_cert(const char *cn, const char *const san[], time_t not_before,
			      time_t not_after, enum key_type key, const char *issuer_cn);

/* A deep copy, with the same digests. */
struct certinfo *snapfix_cert_dup(const struct certinfo *c);

/* Append to the presented chain / to the validated path; the probe takes ownership. */
void snapfix_chain_add(struct smtp_probe *p, struct certinfo *c);
void snapfix_path_add(struct smtp_probe *p, struct certinfo *c);

/* Set a verdict: code (X509_V_OK or X509_V_ERR_*), its text (copied, may be NULL), depth. */
void snapfix_verdict(struct chain_verdict *v, long code, const char *text, int depth);

/*
 * Append a good session: PROBE_OK, TLS 1.3, a leaf of the given key type for host expiring
 * leaf_left seconds after SNAPFIX_NOW (issued 60 days before), an intermediate valid for
 * another 3 years, the path leaf + intermediate + root (copies), every verdict OK.
 */
struct smtp_probe *snapfix_good_probe(struct mx_address *a, enum probe_alg alg, const char *host,
				      enum key_type key, long leaf_left);

/*
 * A healthy domain: n_mx hosts "mx<i>.<domain>" (preference 10 * i), each with the IPv4
 * address 192.0.2.<i> and one good ECDSA session (leaf valid 80 more days). Nothing for the
 * checks of this tree to report.
 */
struct snapshot *snapfix_healthy(const char *domain, size_t n_mx);

/* The address index j of MX host index i (asserting both exist). */
struct mx_address *snapfix_at(struct snapshot *snap, size_t i, size_t j);

/* The number of findings with this code (any severity). */
size_t snapfix_count(const struct findings *list, const char *code);

/* The first finding with this code, or NULL. */
const struct finding *snapfix_find(const struct findings *list, const char *code);

/* The integer / string value called name of f; asserts it exists and has that type. */
long long snapfix_int(const struct finding *f, const char *name);
const char *snapfix_str(const struct finding *f, const char *name);

/* --- name server views (MXS-NS-01), for dns_consistency ----------------------------------- */

/* RR types of struct ns_answer.qtype (RFC 1035 §3.2.2, RFC 6698 §7.1). */
#define SNAPFIX_MX   15
#define SNAPFIX_TXT  16
#define SNAPFIX_TLSA 52

/*
 * Append a view of NS host name at address ("" for an NS host without address) and mark the
 * NS lookup done: ns_looked_up true, ns_status DNS_OK (a test may change it afterwards).
 */
struct ns_view *snapfix_ns_view(struct snapshot *snap, const char *name, const char *address);

/*
 * Append an answer to a view: qname, qtype (SNAPFIX_TXT, SNAPFIX_MX, SNAPFIX_TLSA), status,
 * the AA bit, and the records in presentation form (NULL-terminated, copied, sorted as the
 * gatherer sorts them; NULL for none).
 */
struct ns_answer *snapfix_ns_answer(struct ns_view *v, const char *qname, int qtype,
				    enum dns_status status, bool aa, const char *const rrs[]);

/* --- MTA-STS and TLS-RPT (STS-TXT, STS-FETCH, RPT-TXT), for mta_sts, tls_rpt, sts_view ----- */

/*
 * Mark the _mta-sts (snapfix_sts_txt) or _smtp._tls (snapfix_rpt_txt) lookup done with status
 * and the records as their joined character-strings (NULL-terminated, copied, one string each;
 * NULL for none), TTL 3600. Whatever the lookup held before is released.
 */
void snapfix_sts_txt(struct snapshot *snap, enum dns_status status, const char *const records[]);
void snapfix_rpt_txt(struct snapshot *snap, enum dns_status status, const char *const records[]);

/*
 * Record the policy fetch of https://mta-sts.<domain>/.well-known/mta-sts.txt (attempted, from
 * 192.0.2.80): outcome, HTTP status (0 without a response), the Content-Type and Location
 * headers (copied, NULL when absent), the body (copied, NULL for none) and detail, the readable
 * cause of an outcome other than FETCH_RESPONSE (copied, may be NULL). A response gets the chain
 * of snapfix_policy_chain() for mta-sts.<domain>, valid (a handshake happened); other outcomes
 * get none and verdicts "not attempted". Whatever the fetch held before is released. Returns
 * &snap->policy.
 */
struct policy_fetch *snapfix_policy(struct snapshot *snap, enum fetch_outcome outcome, long status,
				    const char *content_type, const char *location,
				    const char *body, const char *detail);

/*
 * Give the policy host a presented chain: a leaf with the SAN dNSNames san (NULL-terminated;
 * its CN is san[0]) issued by "Fixture CA R1" (valid 80 more days) and that intermediate, the
 * path leaf + intermediate + root (copies), made with snapfix_cert. verify_now is code with
 * text (snapfix_verdict; depth 0 unless code is X509_V_OK); verify_warning and verify_critical
 * are X509_V_OK. Replaces an earlier chain.
 */
void snapfix_policy_chain(struct policy_fetch *pf, const char *const san[], long code,
			  const char *text);

/*
 * The body snapfix_sts_active() serves: mode, "mx: *.<domain>", max_age 604800 (a week). The
 * caller frees it.
 */
char *snapfix_sts_body(const char *domain, const char *mode);

/* The id of the record snapfix_sts_active() publishes. */
#define SNAPFIX_STS_ID "20261101T0000"

/*
 * A working MTA-STS deployment: the record "v=STSv1; id=" SNAPFIX_STS_ID and the policy of
 * snapfix_sts_body() served with 200, text/plain and a valid chain for mta-sts.<domain>.
 * mode is "enforce", "testing" or "none". Returns &snap->policy.
 */
struct policy_fetch *snapfix_sts_active(struct snapshot *snap, const char *mode);

/*
 * The finding of code in out, asserted common to every check test: it exists, was made by
 * check, has this severity, this requirement ID and RFC 8460 result type (NULL: none), and a
 * message of one line that contains msg and msg2 when they are not NULL. Returns it for the
 * caller's own assertions.
 */
const struct finding *snapfix_expect(const struct findings *out, const char *check,
				     const char *code, enum severity severity, const char *req,
				     const char *result_type, const char *msg, const char *msg2);

/*
 * The shape of a plugin without settings of its own: its name, what it needs gathered, and a
 * configure() that accepts anything and keeps nothing.
 */
struct check;
void snapfix_expect_plugin(const struct check *c, const char *name, unsigned needs);

/*
 * Run a table of cases as one cmocka group: every case becomes its own test, named by the
 * case's first member (which must be "const char *name") and run by run() with the case as its
 * state; the extra tests follow. Returns what cmocka returns (the number of failures).
 */
struct CMUnitTest;
int snapfix_run_table(const char *group, const void *cases, size_t n, size_t size,
		      void (*run)(void **state), const struct CMUnitTest *extra, size_t n_extra);

/* --- DANE: TLSA lookups (DANE-LKP, DANE-DNS, DANE-USG), for dane_tlsa ------------------------ */

/*
 * Give a certificate made by snapfix_cert DER and SubjectPublicKeyInfo bytes of its own (made
 * from its fixture digests, so copies made with snapfix_cert_dup get the same bytes), so that
 * lib/tlsa.h can compute its association data; sha256 and spki_sha256 then become the digests
 * of those bytes, as for a real certificate (a copy made earlier gets the same ones). Not real
 * DER: good for DANE-EE(3) records only (DANE-TA(2) parses the certificates). Does nothing to a
 * certificate that has DER already.
 */
void snapfix_cert_keys(struct certinfo *c);

/* snapfix_cert_keys() for every certificate presented to every session of the snapshot. */
void snapfix_keys_all(struct snapshot *snap);

/*
 * Mark the TLSA lookup of an MX host done: qname "_25._tcp.<host>", status, the AD bit (secure)
 * and the records in presentation form, e.g. "3 1 1 2f28...", read with tlsa_parse()
 * (NULL-terminated; NULL for none; a record that does not parse aborts), TTL 3600. Whatever the
 * lookup held before is released. Returns &mx->tlsa.
 */
struct tlsa_lookup *snapfix_tlsa(struct mx_host *mx, enum dns_status status, bool secure,
				 const char *const records[]);

/*
 * The record "usage selector mtype <hex>" of a certificate (after snapfix_cert_keys), computed
 * with tlsa_association() and written with tlsa_format(). The caller frees it.
 */
char *snapfix_tlsa_of(const struct certinfo *c, uint8_t usage, uint8_t selector, uint8_t mtype);

/*
 * Release the TLSA lookups of every MX host and zero them; call before snapshot_free() (which
 * may or may not release them itself: zeroed lookups are safe either way).
 */
void snapfix_tlsa_release(struct snapshot *snap);

#endif

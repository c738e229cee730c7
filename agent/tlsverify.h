/*
 * tlsverify.h - validate a presented certificate chain against the CA bundle, as a sender would.
 *
 * Shared by the SMTP probe (agent/probe_tls.h) and the MTA-STS policy fetch (agent/https.h):
 * both let the handshake go through whatever the server presents, record the chain, and judge
 * it here afterwards, so that one chain yields the same verdicts whichever protocol carried it.
 *
 * A chain is validated three times: as of the snapshot time `at`, and as of `at + warning` and
 * `at + critical`, so that any certificate of the built path that expires first (an intermediate
 * or a root of the bundle included) shows up before it breaks mail (STS-CERT-02, STS-CERT-03,
 * STS-FETCH-02, COMMON-EXP-04). Purpose and trust are "SSL server"; host names are not checked
 * here: checks/ match them with lib/hostmatch.h (STS-CERT-04, STS-FETCH-02).
 *
 * OpenSSL's error queue is per thread and shared by everything on the loop: every call here
 * clears it before and leaves it empty after.
 */
#ifndef MXS_AGENT_TLSVERIFY_H
#define MXS_AGENT_TLSVERIFY_H

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <stddef.h>
#include <time.h>

#include "lib/certinfo.h"
#include "lib/error.h"
#include "lib/snapshot.h"

/*
 * What tlsverify_chain() learnt about one presented chain; the fields have the meaning of the
 * same-named fields of struct smtp_probe and struct policy_fetch (lib/snapshot.h), into which
 * the caller moves them.
 */
struct tlsverify_result {
	struct certinfo **chain; /* as presented, leaf first (owned) */
	size_t chain_len;
	struct chain_verdict verify_now; /* text owned; code -1 when not attempted */
	struct chain_verdict verify_warning;
	struct chain_verdict verify_critical;
	struct certinfo **path; /* the path built at `at`, leaf first (owned) */
	size_t path_len;
};

/*
 * Load the trust anchors used for path validation.
 *
 * ca_bundle: PEM file with one or more CA certificates (read now, not kept open).
 * ret_store: the new store; free with X509_STORE_free().
 * reterr:    optional; why the bundle could not be used (unreadable, no certificate in it).
 *
 * Returns 0, -EINVAL (with reterr), or -ENOMEM.
 */
int tlsverify_store_new(const char *ca_bundle, X509_STORE **ret_store, struct mxs_error *reterr);

/*
 * Record and validate a presented chain.
 *
 * store:      the trust anchors (borrowed).
 * presented:  the chain as the server sent it, leaf first (borrowed; NULL or empty: nothing is
 *             validated, the result is empty with every verdict code -1).
 * at, warning_secs, critical_secs: the three validation times are at, at + warning_secs and
 *             at + critical_secs.
 * ret:        on 0, filled (it is overwritten, not freed: pass a cleared struct); release its
 *             contents with tlsverify_result_clear(), or move them out.
 * ret_why:    on -EINVAL, when not NULL, a new string saying which certificate cannot be read
 *             (the caller frees it; may stay NULL on memory exhaustion).
 *
 * Returns 0; -ENOMEM; or -EINVAL when a presented certificate cannot be read by
 * certinfo_from_der().
 */
int tlsverify_chain(X509_STORE *store, STACK_OF(X509) * presented, time_t at, long warning_secs,
		    long critical_secs, struct tlsverify_result *ret, char **ret_why);

/* Release what a result owns and zero it (verdict codes back to -1). NULL-safe. */
void tlsverify_result_clear(struct tlsverify_result *res);

/*
 * Drain the thread's OpenSSL error queue into one readable line: each reason with its extra data
 * ("sslv3 alert handshake failure (SSL alert number 40)"), oldest first, "; " between them.
 *
 * Returns a new string the caller frees, or NULL when the queue was empty or memory ran out. The
 * queue is empty afterwards in every case.
 */
char *tlsverify_errors(void);

#endif

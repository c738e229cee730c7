/*
 * https.h - fetch MTA-STS policies with libcurl, driven by the sd-event loop.
 *
 * libcurl's multi interface runs on our loop (DESIGN.md, Runtime): its socket callback adds and
 * removes sd-event I/O sources, its timer callback arms one sd-event timer, and both call
 * curl_multi_socket_action(). Nothing blocks, and no thread is started: the policy host's
 * addresses come from our own resolver (agent/resolver.h) and are handed to libcurl, so its
 * threaded resolver is never used and the fetch asks the same resolver as every other lookup.
 *
 * A fetch is the one a sender makes (RFC 8461 §3.3): GET https://mta-sts.<domain>/.well-known/
 * mta-sts.txt (STS-FETCH-01), https only, SNI = the policy host (STS-FETCH-11), no redirect
 * followed (STS-FETCH-06: the status and Location are recorded), "Cache-Control: no-cache"
 * (STS-FETCH-07), a body of 64 KiB at most and one deadline for the whole fetch (STS-FETCH-09).
 * The certificate is not checked during the transfer: the chain the server presented is
 * recorded and validated against the CA bundle with agent/tlsverify.h, like an MX chain, so
 * that checks/ judge it (STS-FETCH-02/03) and cert_expiry sees it.
 */
#ifndef MXS_AGENT_HTTPS_H
#define MXS_AGENT_HTTPS_H

#include <systemd/sd-event.h>
#include <time.h>

#include "agent/resolver.h"
#include "lib/error.h"
#include "lib/snapshot.h"

/* Largest policy body accepted (STS-FETCH-09: senders may stop at 64 KiB). */
#define HTTPS_MAX_BODY (64 * 1024)

/* The fetching context of one loop: a libcurl multi handle and the trust anchors. */
struct https;

/*
 * Make a context on loop.
 *
 * loop:      the sd-event loop (referenced until https_free()).
 * res:       the resolver that finds the policy hosts' addresses (borrowed; must outlive the
 *            context).
 * ca_bundle: PEM file of trust anchors for the verdicts (read once here).
 * ret_https: the new context; free with https_free().
 * reterr:    optional; why it could not be made (unreadable CA bundle, libcurl setup).
 *
 * Returns 0, -EINVAL (with reterr), or -ENOMEM.
 */
int https_new(sd_event *loop, struct resolver *res, const char *ca_bundle, struct https **ret_https,
	      struct mxs_error *reterr);

/*
 * Cancel the fetches still running (their callbacks run from here, with FETCH_LOCAL_ERROR
 * "cancelled") and release the context. NULL-safe; returns NULL. Must not be called from a
 * fetch's callback.
 */
struct https *https_free(struct https *h);

/*
 * Called exactly once per started fetch, from the loop (never from inside
 * https_fetch_policy()), or from https_free(). result is owned by the callee from then on:
 * move its contents out (e.g. into the snapshot) and zero the struct; what is left in it is
 * released, with the struct, after the callback returns (as with probe_done_fn, agent/probe.h).
 */
typedef void (*https_done_fn)(struct policy_fetch *result, void *userdata);

/*
 * Fetch the MTA-STS policy of domain.
 *
 * h:             the context (borrowed; must outlive the fetch or cancel it).
 * domain:        the policy domain, normalised A-label form (copied); the policy host is
 *                "mta-sts." + domain.
 * at:            the time the certificate verdicts are computed for (the snapshot's time), and
 * warning_secs, critical_secs: the offsets of the future verdicts.
 * timeout_ms:    one deadline for the whole fetch, address lookup included (STS-FETCH-09).
 * done, userdata: the completion callback and its argument.
 *
 * The result (struct policy_fetch, lib/snapshot.h) has attempted = true and the url; then,
 * whatever the outcome, everything that was learnt: status, content_type, location, address,
 * the presented chain with its verdicts and path, duration_ms. body is set (possibly "", always
 * NUL-terminated) only with FETCH_RESPONSE; a non-200 response's body is kept up to
 * HTTPS_MAX_BODY and not read further. Outcomes: FETCH_CONNECT (no address, refused,
 * unreachable), FETCH_TLS_FAILED (handshake failed, or a presented certificate cannot be read),
 * FETCH_TIMEOUT, FETCH_TOO_LARGE (a 200 body over HTTPS_MAX_BODY; no body kept),
 * FETCH_LOCAL_ERROR (anything else, with libcurl's own words in detail).
 *
 * Returns 0 when done will be called; -EINVAL (NULL argument), -ENOMEM, or a resolver error
 * when it will not.
 */
int https_fetch_policy(struct https *h, const char *domain, time_t at, long warning_secs,
		       long critical_secs, unsigned timeout_ms, https_done_fn done, void *userdata);

#endif

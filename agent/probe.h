/*
 * probe.h - one SMTP STARTTLS session to one MX address, on the event loop.
 *
 * connect -> 220 greeting -> EHLO -> STARTTLS -> 220 -> TLS handshake (SNI = the MX host name,
 * COMMON-STLS, STS-CERT-07) -> EHLO over TLS -> QUIT. Never MAIL FROM (COMMON-STLS-04). The
 * socket is non-blocking and driven by sd-event; OpenSSL runs over it non-blocking. Every step
 * has its own deadline and the whole session one more, so a server that never speaks costs one
 * deadline. Replies are read with lib/smtp_reply.h, which bounds their size.
 *
 * The result is a filled struct smtp_probe (lib/snapshot.h): outcome, the stage reached, the
 * negotiated version and cipher, the presented chain as struct certinfo, and the path validation
 * verdicts (as of now, now + warning, now + critical) against the CA bundle.
 */
#ifndef MXS_AGENT_PROBE_H
#define MXS_AGENT_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "agent/config.h"
#include "lib/snapshot.h"

/* What every probe of a run shares: TLS context, identities, deadlines. */
struct probe_env;

/*
 * Make the shared environment.
 *
 * ca_bundle:    PEM file of trust anchors (read once here).
 * ehlo_name:    name for EHLO (copied).
 * source_ipv4, source_ipv6: source addresses to bind, or NULL (copied).
 * timeouts:     per-step deadlines (copied).
 * ret_env:      the new environment; free with probe_env_free().
 * reterr:       why it could not be made (unreadable CA bundle, ...).
 *
 * Returns 0, -EINVAL (with reterr), or -ENOMEM.
 */
int probe_env_new(const char *ca_bundle, const char *ehlo_name, const char *source_ipv4,
		  const char *source_ipv6, const struct timeouts *timeouts,
		  struct probe_env **ret_env, struct mxs_error *reterr);

/* Release. NULL-safe; returns NULL. Must not be called while probes run. */
struct probe_env *probe_env_free(struct probe_env *env);

/*
 * Called exactly once when a probe ends, from the loop. result is owned by the callee from then
 * on (move its contents into the snapshot; the struct itself is freed by the probe after the
 * callback returns, so take the pointers you keep and zero them).
 */
typedef void (*probe_done_fn)(struct smtp_probe *result, void *userdata);

/*
 * Start one session.
 *
 * env:          the shared environment (borrowed; must outlive the probe).
 * loop:         the sd-event loop to run on (borrowed).
 * addr, addrlen: the MX address and port (25 normally; tests may use another).
 * host:         the MX host name, for SNI (copied).
 * alg:          which certificate algorithms to accept (PROBE_ALG_ANY first; a restricted probe
 *               that the server cannot serve ends PROBE_NO_ALGORITHM).
 * at:           the time the verdicts are computed for (the snapshot's time), and
 * warning_secs, critical_secs: the offsets for the future verdicts.
 * done, userdata: the completion callback.
 *
 * Returns 0 when the probe started (done will be called), or a negative errno when it could not
 * start (done will not be called).
 */
int probe_start(struct probe_env *env, sd_event *loop, const struct sockaddr *addr,
		socklen_t addrlen, const char *host, enum probe_alg alg, time_t at,
		long warning_secs, long critical_secs, probe_done_fn done, void *userdata);

#endif

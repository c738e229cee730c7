/*
 * probe_smtp.h - the SMTP dialogue of one STARTTLS probe (agent/probe.h), once connected.
 *
 * 220 greeting -> EHLO -> STARTTLS -> 220 -> TLS handshake -> EHLO over TLS -> QUIT, and never
 * MAIL FROM (COMMON-STLS-04). The dialogue owns what the conversation needs: the command being
 * written, the bytes received and not yet taken as a reply (read with lib/smtp_reply.h, which
 * bounds them), the SSL object from STARTTLS on, and the step it is in. It writes what it learns
 * into the probe's result as it goes (stage, reply code, banner, STARTTLS offered, timings, the
 * TLS facts of agent/probe_tls.h).
 *
 * The probe (probe.c) owns the socket, its event sources, the deadlines and the end of the
 * session; the dialogue only re-aims the socket's events and re-arms the step deadline, both of
 * which it borrows. It never ends the session itself: each call returns whether the dialogue
 * goes on, is complete, or failed with a fault, and the probe acts on that. This keeps one place
 * (probe.c) that closes the socket and delivers the result.
 *
 * A reply that decides the outcome while the session is still in step (4xx/5xx, no STARTTLS,
 * the final EHLO) "settles" it: the outcome is written and QUIT is sent, whose own failure
 * changes nothing (probe_smtp_settled()).
 */
#ifndef MXS_AGENT_PROBE_SMTP_H
#define MXS_AGENT_PROBE_SMTP_H

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <stdbool.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "agent/config.h"
#include "agent/probe_tls.h"
#include "lib/snapshot.h"

/* One dialogue; made by probe_smtp_new(), released by probe_smtp_free(). */
struct probe_smtp;

/* What a dialogue borrows from its probe. Everything must outlive the dialogue. */
struct probe_smtp_args {
	SSL_CTX *ssl_ctx;                 /* the run's client context (probe_tls_ctx_new()) */
	X509_STORE *store;                /* trust anchors for the path validation verdicts */
	const char *ehlo_name;            /* passed probe_smtp_ehlo_name_ok() */
	const struct timeouts *timeouts;  /* greeting, command and tls deadlines */
	const char *host;                 /* the MX host name: SNI (STS-CERT-07) */
	time_t at;                        /* the verdicts' time, and */
	long warning_secs, critical_secs; /* the offsets of the future verdicts */
	sd_event_source *step_timer;      /* the step deadline: re-armed at every step */
	struct smtp_probe *res;           /* the result being filled (alg already set) */
};

/*
 * Make a dialogue, before the connection exists, so that a probe that starts can always talk.
 * Nothing is sent or awaited yet: probe_smtp_start() does that once connected.
 *
 * args:      what the dialogue borrows (the struct itself is copied).
 * ret_smtp:  the new dialogue; free with probe_smtp_free().
 *
 * Returns 0, -EINVAL (args or a member is NULL), or -ENOMEM.
 */
int probe_smtp_new(const struct probe_smtp_args *args, struct probe_smtp **ret_smtp);

/*
 * Release: TLS is ended (probe_tls_close(): close_notify without waiting for the server's) and
 * the buffers freed. The socket and the borrowed sources are left as they are; call this before
 * closing the socket. NULL-safe; returns NULL.
 */
struct probe_smtp *probe_smtp_free(struct probe_smtp *smtp);

/*
 * The calls below return 0 when the dialogue goes on (the socket's events and the step deadline
 * are set for what it waits for), 1 when it is complete (QUIT answered: the probe ends the
 * session), or -1 on failure (*retfault: the outcome and a new detail string, NULL on memory
 * exhaustion, which the caller owns; the probe ends the session, and keeps an outcome already
 * settled). After 1 or -1 the dialogue must not be driven again.
 */

/*
 * The connection is up: wait for the 220 greeting (RFC 5321 §4.5.3.2, COMMON-STLS-04).
 *
 * fd:  the connected, non-blocking socket (borrowed; the dialogue never closes it).
 * io:  fd's event source (borrowed): the dialogue sets the events it waits for.
 */
int probe_smtp_start(struct probe_smtp *smtp, int fd, sd_event_source *io,
		     struct probe_tls_fault *retfault);

/* The socket is ready for what the dialogue waits for: write, read, or handshake further. */
int probe_smtp_io(struct probe_smtp *smtp, struct probe_tls_fault *retfault);

/*
 * Whether the outcome is decided (a reply settled it and only QUIT is left). A failure after
 * that, QUIT's own or a deadline's, must not change the outcome.
 */
bool probe_smtp_settled(const struct probe_smtp *smtp);

/*
 * What the dialogue is waiting for, for a step deadline's message ("reply to EHLO"); the
 * deadline it armed for it in *ret_ms.
 */
const char *probe_smtp_waiting_for(const struct probe_smtp *smtp, unsigned *ret_ms);

/*
 * Whether s can go on the wire as an EHLO argument (RFC 5321 §4.1.1.1): 1 to 255 bytes, no
 * space and no control character, so in particular no CRLF that would start a command of its
 * own.
 */
bool probe_smtp_ehlo_name_ok(const char *s);

#endif

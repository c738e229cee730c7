/*
 * probe_tls.h - the OpenSSL side of an SMTP STARTTLS probe (agent/probe.h).
 *
 * The probe measures; it does not send mail. So the client context accepts what a legacy server
 * offers (TLS 1.0 and up, security level 0, legacy renegotiation) and never aborts on a
 * certificate: it records the chain as presented and validates it separately against the CA
 * bundle (agent/tlsverify.h, which the policy fetch shares), at the snapshot time and at two
 * future times, so that checks/ can report expiry and trust (STS-CERT-02, STS-CERT-03, COMMON-EXP-04) from plain data. Host names are not checked
 * here: checks/ match them (STS-CERT-04, STS-CERT-05).
 *
 * It also carries the probe's byte stream, plain before STARTTLS and TLS after it, so that the
 * session logic in probe.c sees one read, one write and one kind of failure. Every call is
 * non-blocking and says what to wait for. OpenSSL's error queue is per thread and shared by
 * every probe on the loop: each call here clears it before and consumes it after.
 */
#ifndef MXS_AGENT_PROBE_TLS_H
#define MXS_AGENT_PROBE_TLS_H

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/error.h"
#include "lib/snapshot.h"

/*
 * Make the client context every probe of a run shares: TLS 1.0 as the minimum version, security
 * level 0, SSL_VERIFY_NONE, no session cache (every probe does a full handshake, so the chain
 * is always presented).
 *
 * ret_ctx:   the new context; free with SSL_CTX_free().
 * reterr:    optional; the OpenSSL error when it could not be made.
 *
 * Returns 0, -ENOMEM, or -EINVAL (with reterr) when OpenSSL refuses a setting.
 */
int probe_tls_ctx_new(SSL_CTX **ret_ctx, struct mxs_error *reterr);

/*
 * Make the client side of one session over fd: SNI = host (STS-CERT-07), and for a restricted
 * alg the signature algorithms (TLS 1.2, 1.3) and the TLS 1.2-and-older cipher suites limited to
 * that certificate type, so that a server holding several certificates presents that one.
 *
 * ctx:       the shared context (borrowed).
 * fd:        the connected socket (borrowed; the SSL object never closes it).
 * host:      the MX host name (copied by OpenSSL).
 * alg:       PROBE_ALG_ANY, PROBE_ALG_ECDSA or PROBE_ALG_RSA.
 * ret_ssl:   the new SSL object in client mode; free with SSL_free().
 * ret_why:   on failure, a new string saying which setting OpenSSL refused (may be left
 *            unset on memory exhaustion); the caller frees it.
 *
 * Returns 0, -ENOMEM, or -EINVAL.
 */
int probe_tls_new(SSL_CTX *ctx, int fd, const char *host, enum probe_alg alg, SSL **ret_ssl,
		  char **ret_why);

/* How a transfer on the connection failed: the probe's outcome and a readable cause. */
struct probe_tls_fault {
	enum probe_outcome outcome; /* PROBE_CLOSED, PROBE_TLS_FAILED, PROBE_NO_ALGORITHM, ... */
	char *detail; /* new string (NULL on memory exhaustion); the caller frees it */
};

/*
 * Run the client handshake one non-blocking step further.
 *
 * ssl:        from probe_tls_new() (borrowed).
 * alg:        the probe's restriction: a restricted handshake the server cannot serve for lack
 *             of such a certificate is PROBE_NO_ALGORITHM, not a fault of the server.
 * ret_events: on 0, the epoll events to wait for (EPOLLIN or EPOLLOUT) before calling again.
 * retfault:   on -1, how it failed (PROBE_TLS_FAILED with the OpenSSL reasons, PROBE_CLOSED,
 *             PROBE_NO_ALGORITHM).
 *
 * Returns 1 when the handshake is complete, 0 to wait, -1 on failure.
 */
int probe_tls_handshake(SSL *ssl, enum probe_alg alg, uint32_t *ret_events,
			struct probe_tls_fault *retfault);

/*
 * Read from the connection: from the socket fd while ssl is NULL (before STARTTLS), through TLS
 * once ssl is set. len must be > 0.
 *
 * Returns the number of bytes read (> 0); 0 when nothing can be read now (*ret_events says
 * what to wait for); -1 when the connection is over (*retfault: PROBE_CLOSED for EOF, reset or
 * close_notify; PROBE_TLS_FAILED for a TLS error; another outcome for other socket errors).
 */
ssize_t probe_tls_read(int fd, SSL *ssl, char *buf, size_t len, uint32_t *ret_events,
		       struct probe_tls_fault *retfault);

/*
 * Write to the connection, like probe_tls_read(). Returns the number of bytes written (> 0;
 * through TLS always all of them), 0 to wait, -1 on failure. After 0 through TLS, the retry must
 * pass the same bytes (SSL_write(3)).
 */
ssize_t probe_tls_write(int fd, SSL *ssl, const char *buf, size_t len, uint32_t *ret_events,
			struct probe_tls_fault *retfault);

/*
 * End TLS and free the SSL object: a close_notify is sent, without waiting for the server's,
 * when the handshake completed and no fatal error happened (SSL_shutdown(3)). The socket is not
 * closed. NULL-safe; returns NULL.
 */
SSL *probe_tls_close(SSL *ssl);

/*
 * Record the facts of a completed handshake into res: tls_version, tls_version_name, cipher,
 * the presented chain (leaf first, as struct certinfo), and, when a chain was presented, the
 * path validation verdicts against store at `at`, `at + warning_secs` and `at + critical_secs`
 * (purpose SSL server, no host name check), with the path built at `at` (agent/tlsverify.h).
 *
 * ssl:        a connection whose handshake completed (borrowed).
 * store:      the trust anchors (borrowed).
 * res:        written only when 0 is returned; the fields it sets must be unset (NULL) before.
 *
 * Returns 0; -ENOMEM; or -EINVAL when a presented certificate cannot be read by
 * certinfo_from_der() (ret_why then says which, when not NULL; the caller frees it).
 */
int probe_tls_record(SSL *ssl, X509_STORE *store, time_t at, long warning_secs, long critical_secs,
		     struct smtp_probe *res, char **ret_why);

#endif

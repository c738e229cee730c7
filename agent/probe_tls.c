/*
 * probe_tls.c - the OpenSSL side of an SMTP STARTTLS probe; see probe_tls.h.
 *
 * Every OpenSSL call here starts with ERR_clear_error() and ends by draining or clearing the
 * queue: the queue is per thread, and a reason left behind by one probe would otherwise be
 * reported as the cause of another probe's failure on the same loop.
 */
#include "agent/probe_tls.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "agent/tlsverify.h"
#include "lib/certinfo.h"

/*
 * Restricted probes (snapshot.h, enum probe_alg). TLS 1.3 and 1.2 choose the certificate from
 * the client's signature_algorithms (RFC 8446 §4.4.2.2, RFC 5246 §7.4.2); TLS 1.2 and older also
 * tie it to the cipher suite's authentication, hence the two lists.
 */
static const char sigalgs_ecdsa[] = "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512";
static const char sigalgs_rsa[] = "RSA+SHA256:RSA+SHA384:RSA+SHA512:"
				  "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512";
static const char ciphers_ecdsa[] = "aECDSA:!eNULL";
static const char ciphers_rsa[] = "aRSA:!eNULL";

int probe_tls_ctx_new(SSL_CTX **ret_ctx, struct mxs_error *reterr)
{
	SSL_CTX *ctx;
	char *why;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		return -ENOMEM;
	/*
	 * We measure, we do not send mail: a TLS 1.0 server must be observed to be reported
	 * (STS-CERT-08), and OpenSSL 3 refuses TLS 1.0/1.1 signatures (SHA-1, MD5+SHA-1) above
	 * security level 0 and servers without RFC 5746 unless legacy connects are allowed.
	 */
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) != 1)
		goto fail;
	SSL_CTX_set_security_level(ctx, 0);
	(void)SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT);
	/* No resumption, so no tickets to ask for: a resumed session presents no certificate. */
	(void)SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	/* Verdicts are computed on the chain afterwards; a handshake never stops on them. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	(void)SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/*
	 * A probe spends most of its life waiting for the server; the ~34 KiB of record buffers
	 * each connection holds are then given back, which is what lets a thousand probes in
	 * flight fit the agent's memory goal (bench/README.md).
	 */
	(void)SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	*ret_ctx = ctx;
	return 0;
fail:
	why = tlsverify_errors();
	(void)mxs_error_set(reterr, NULL, NULL, "cannot set up the TLS client context: %s",
			    why != NULL ? why : "unknown OpenSSL error");
	free(why);
	SSL_CTX_free(ctx);
	return -EINVAL;
}

int probe_tls_new(SSL_CTX *ctx, int fd, const char *host, enum probe_alg alg, SSL **ret_ssl,
		  char **ret_why)
{
	const char *sigalgs = NULL, *ciphers = NULL, *step;
	SSL *ssl;

	ERR_clear_error();
	ssl = SSL_new(ctx);
	if (ssl == NULL)
		return -ENOMEM;
	if (alg == PROBE_ALG_ECDSA) {
		sigalgs = sigalgs_ecdsa;
		ciphers = ciphers_ecdsa;
	} else if (alg == PROBE_ALG_RSA) {
		sigalgs = sigalgs_rsa;
		ciphers = ciphers_rsa;
	}
	/* step names what OpenSSL refused, for the one line the operator reads. */
	step = "SSL_set_fd";
	if (SSL_set_fd(ssl, fd) != 1)
		goto fail;
	/* STS-CERT-07: always send the MX host name in SNI. */
	step = "SNI";
	if (SSL_set_tlsext_host_name(ssl, host) != 1)
		goto fail;
	step = "signature algorithms";
	if (sigalgs != NULL && SSL_set1_sigalgs_list(ssl, sigalgs) != 1)
		goto fail;
	step = "cipher list";
	if (ciphers != NULL && SSL_set_cipher_list(ssl, ciphers) != 1)
		goto fail;
	SSL_set_connect_state(ssl);
	*ret_ssl = ssl;
	return 0;
fail:
	if (ret_why != NULL) {
		char *why = tlsverify_errors();

		*ret_why = mxs_strdupf("cannot set up TLS for %s (%s): %s", host, step,
				       why != NULL ? why : "unknown OpenSSL error");
		free(why);
	}
	ERR_clear_error();
	SSL_free(ssl);
	return -EINVAL;
}

/*
 * Reasons that, in a restricted probe, mean "the server has no certificate of that type": it
 * alerts handshake_failure or insufficient_security (RFC 8446 §4.4.2.2, §6.2), or presents a
 * certificate or signature of another type anyway.
 */
static bool no_shared_algorithm(int reason)
{
	switch (reason) {
	case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
	case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY:
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
	case SSL_R_WRONG_SIGNATURE_TYPE:
	case SSL_R_WRONG_CERTIFICATE_TYPE:
	case SSL_R_UNKNOWN_CERTIFICATE_TYPE:
	case SSL_R_WRONG_CIPHER_RETURNED:
		return true;
	default:
		return false;
	}
}

/*
 * Classify a failed SSL call (SSL_get_error() gave ssl_error, errno was sys_errno) and say why,
 * consuming the error queue. alg is PROBE_ALG_ANY after the handshake, where "no shared
 * algorithm" cannot happen.
 */
static enum probe_outcome classify(int ssl_error, int sys_errno, enum probe_alg alg,
				   char **ret_detail)
{
	unsigned long first = ERR_peek_error();
	enum probe_outcome outcome = PROBE_TLS_FAILED;
	int reason = ERR_GET_REASON(first);
	bool from_ssl = first != 0 && ERR_GET_LIB(first) == ERR_LIB_SSL;
	char *why;

	/* A clean close_notify is the server leaving, not a TLS failure (RFC 8446 §6.1). */
	if (ssl_error == SSL_ERROR_ZERO_RETURN) {
		ERR_clear_error();
		*ret_detail = mxs_strdupf("the server closed the TLS connection (close_notify)");
		return PROBE_CLOSED;
	}
	if (ssl_error == SSL_ERROR_SYSCALL && first == 0) {
		/* No OpenSSL reason: the socket itself failed or reached EOF. */
		if (sys_errno == 0 || sys_errno == ECONNRESET || sys_errno == EPIPE) {
			*ret_detail = mxs_strdupf("the server closed the connection%s%s",
						  sys_errno != 0 ? ": " : "",
						  sys_errno != 0 ? strerror(sys_errno) : "");
			return PROBE_CLOSED;
		}
		*ret_detail = mxs_strdupf("%s", strerror(sys_errno));
		return PROBE_TLS_FAILED;
	}
	/* OpenSSL 3 reports a TCP close without close_notify as this reason: still a close. */
	if (from_ssl && reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		outcome = PROBE_CLOSED;
	else if (from_ssl && alg != PROBE_ALG_ANY && no_shared_algorithm(reason))
		outcome = PROBE_NO_ALGORITHM;
	why = tlsverify_errors();
	if (outcome == PROBE_NO_ALGORITHM)
		*ret_detail = mxs_strdupf("no %s certificate offered: %s", probe_alg_name(alg),
					  why != NULL ? why : "handshake failure");
	else
		*ret_detail = mxs_strdupf("%s", why != NULL ? why : "unknown TLS failure");
	free(why);
	return outcome;
}

/* A socket call failed after connect: what errno says about the session. */
static ssize_t socket_fault(int e, const char *doing, struct probe_tls_fault *retfault)
{
	switch (e) {
	/* Connected already: a refusal or reset now is the server closing on us. */
	case ECONNRESET:
	case EPIPE:
	case ECONNREFUSED:
		retfault->outcome = PROBE_CLOSED;
		break;
	case ETIMEDOUT:
		retfault->outcome = PROBE_TIMEOUT;
		break;
	/* The agent's own network (probe.h): UNKNOWN, not the domain's fault. */
	case ENETUNREACH:
	case EHOSTUNREACH:
		retfault->outcome = PROBE_UNREACHABLE;
		break;
	default:
		retfault->outcome = PROBE_LOCAL_ERROR;
		break;
	}
	retfault->detail = mxs_strdupf("%s: %s", doing, strerror(e));
	return -1;
}

/*
 * An SSL call returned rc <= 0: wait (0, with *ret_events) or fail (-1, with *retfault). After a
 * fatal error SSL_shutdown() must not be called (SSL_shutdown(3)): marking both directions shut
 * makes probe_tls_close() skip it.
 */
static ssize_t ssl_step(SSL *ssl, int rc, enum probe_alg alg, uint32_t *ret_events,
			struct probe_tls_fault *retfault)
{
	int saved = errno, e = SSL_get_error(ssl, rc);

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		*ret_events = e == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
		return 0;
	}
	if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL)
		SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	retfault->outcome = classify(e, saved, alg, &retfault->detail);
	return -1;
}

int probe_tls_handshake(SSL *ssl, enum probe_alg alg, uint32_t *ret_events,
			struct probe_tls_fault *retfault)
{
	int rc;

	ERR_clear_error();
	rc = SSL_connect(ssl);
	if (rc == 1)
		return 1;
	return (int)ssl_step(ssl, rc, alg, ret_events, retfault);
}

ssize_t probe_tls_read(int fd, SSL *ssl, char *buf, size_t len, uint32_t *ret_events,
		       struct probe_tls_fault *retfault)
{
	ssize_t n;
	int rc;

	/* Before STARTTLS the stream is plain (RFC 3207 §4); EINTR is retried, nothing else. */
	while (ssl == NULL) {
		n = recv(fd, buf, len, 0);
		if (n > 0)
			return n;
		if (n == 0) {
			retfault->outcome = PROBE_CLOSED;
			retfault->detail = mxs_strdupf("the server closed the connection");
			return -1;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*ret_events = EPOLLIN;
			return 0;
		}
		if (errno != EINTR)
			return socket_fault(errno, "cannot read", retfault);
	}
	ERR_clear_error();
	/* SSL_read() takes an int; a shorter read is fine, the caller reads again. */
	rc = SSL_read(ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (rc > 0)
		return rc;
	return ssl_step(ssl, rc, PROBE_ALG_ANY, ret_events, retfault);
}

ssize_t probe_tls_write(int fd, SSL *ssl, const char *buf, size_t len, uint32_t *ret_events,
			struct probe_tls_fault *retfault)
{
	ssize_t n;
	int rc;

	while (ssl == NULL) {
		/* MSG_NOSIGNAL: a server that went away must not raise SIGPIPE. */
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0)
			return n > 0 ? n : 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			*ret_events = EPOLLOUT;
			return 0;
		}
		if (errno != EINTR)
			return socket_fault(errno, "cannot send", retfault);
	}
	ERR_clear_error();
	/* Without SSL_MODE_ENABLE_PARTIAL_WRITE, SSL_write writes all of buf or nothing. */
	rc = SSL_write(ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (rc > 0)
		return rc;
	return ssl_step(ssl, rc, PROBE_ALG_ANY, ret_events, retfault);
}

SSL *probe_tls_close(SSL *ssl)
{
	if (ssl == NULL)
		return NULL;
	/* Best effort: one close_notify; the server's is not awaited (we are leaving anyway). */
	if (SSL_is_init_finished(ssl) && (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) == 0) {
		ERR_clear_error();
		(void)SSL_shutdown(ssl);
	}
	ERR_clear_error();
	SSL_free(ssl);
	return NULL;
}

int probe_tls_record(SSL *ssl, X509_STORE *store, time_t at, long warning_secs, long critical_secs,
		     struct smtp_probe *res, char **ret_why)
{
	struct tlsverify_result v = { 0 };
	char *version = strdup(SSL_get_version(ssl));
	char *cipher = strdup(SSL_get_cipher_name(ssl));
	int r = -ENOMEM;

	if (version == NULL || cipher == NULL)
		goto out;
	/* The chain as presented: SSL_get_peer_cert_chain() is leaf first on the client side. */
	r = tlsverify_chain(store, SSL_get_peer_cert_chain(ssl), at, warning_secs, critical_secs,
			    &v, ret_why);
	if (r < 0)
		goto out;
	/* All or nothing (probe_tls.h): res is written only once everything above succeeded. */
	res->tls_version = SSL_version(ssl);
	res->tls_version_name = version;
	res->cipher = cipher;
	res->chain = v.chain;
	res->chain_len = v.chain_len;
	res->verify_now = v.verify_now;
	res->verify_warning = v.verify_warning;
	res->verify_critical = v.verify_critical;
	res->path = v.path;
	res->path_len = v.path_len;
	version = cipher = NULL;
	v = (struct tlsverify_result){ 0 };
	r = 0;
out:
	tlsverify_result_clear(&v);
	free(version);
	free(cipher);
	return r;
}

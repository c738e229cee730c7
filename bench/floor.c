/*
 * floor.c - the floor of the probe benchmark: the least CPU one SMTP STARTTLS probe can cost.
 *
 * Usage: floor [-k] ADDRESS PORT SNI CA-FILE N
 *
 * Runs N SMTP STARTTLS sessions against one IPv4 or IPv6 ADDRESS, one after the other, in this
 * one process: connect, read the 220 greeting, EHLO, STARTTLS, 220, TLS handshake (SNI = SNI,
 * TLS 1.2 or later, full chain verification against CA-FILE and the name check of RFC 6125),
 * EHLO over TLS, QUIT. It uses OpenSSL directly over blocking sockets: no event loop, no DNS, no
 * certificate facts kept, no report. Whatever mxsentry spends on top of this per probe is the
 * price of its engine, which bench/run.sh reports as a ratio to this floor.
 *
 * With -k every session is kept open after its EHLO over TLS until all N are open, and only
 * then are they ended with QUIT: the peak RSS then measures N established TLS sessions held at
 * once, the memory floor of N probes in flight.
 *
 * Prints "key value" lines on stdout (bench/run.sh reads them): sessions, cpu_user_s, cpu_sys_s,
 * cpu_total_s (user+sys of the whole process, getrusage(RUSAGE_SELF), startup and CA loading
 * included, as /usr/bin/time counts them for mxsentry), cpu_per_session_ms, wall_s (the sessions
 * only), rss_before_kib (peak RSS before the first session), rss_peak_kib, tls_version (of the
 * last handshake). Any failed session is
 * an error: the floor is only meaningful when every session did all the work. Exit status 0 on
 * success, 1 on a failed session, 2 on bad arguments.
 *
 * Not part of the build: bench/run.sh compiles it with
 *   cc -O2 -o floor bench/floor.c $(pkg-config --cflags --libs openssl)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

/* The bounds of lib/smtp_reply.h: RFC 5321 §4.5.3.1.5 says 512 octets a line; real servers send
 * longer banners, so 2048 with CRLF; and at most 64 lines in one reply. */
#define REPLY_MAX_LINE  2048
#define REPLY_MAX_LINES 64

/* Deadline of every socket read, write and connect; the peer is our own Postfix, so hitting it
 * means the bench is broken, not slow. */
#define IO_TIMEOUT_S 30

/* The most sessions one run may ask for (-k keeps that many sockets open). */
#define MAX_SESSIONS 100000

/* One SMTP session. buf holds at most one reply line that is not complete yet. */
struct session {
	int fd;
	SSL *ssl; /* NULL before STARTTLS */
	size_t len;
	char buf[REPLY_MAX_LINE];
};

/* The run's fixed inputs. */
struct target {
	struct addrinfo *addr; /* owned */
	const char *sni;       /* borrowed from argv */
	SSL_CTX *ctx;          /* owned */
	const char *version;   /* protocol of the last handshake (OpenSSL's static string) */
};

static void print_ssl_errors(void)
{
	unsigned long e;
	char text[256]; /* OpenSSL documents 256 bytes as enough for one error string */

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, text, sizeof(text));
		fprintf(stderr, "floor:   %s\n", text);
	}
}

/* Reads some bytes into s->buf after s->len, through TLS once STARTTLS is done. Returns the
 * count (> 0), or -EPROTO when the peer closed or the read failed. */
static int session_read(struct session *s)
{
	size_t room = sizeof(s->buf) - s->len;
	ssize_t n;

	if (s->ssl != NULL) {
		int r = SSL_read(s->ssl, s->buf + s->len, (int)room);

		if (r <= 0) {
			fprintf(stderr, "floor: TLS read failed (SSL_get_error %d)\n",
				SSL_get_error(s->ssl, r));
			print_ssl_errors();
			return -EPROTO;
		}
		return r;
	}
	do
		n = recv(s->fd, s->buf + s->len, room, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		fprintf(stderr, "floor: read failed: %s\n",
			n == 0 ? "peer closed the connection" : strerror(errno));
		return -EPROTO;
	}
	return (int)n;
}

/* Sends the whole of text, in clear or through TLS. Returns 0 or -EPROTO. */
static int session_send(struct session *s, const char *text)
{
	size_t len = strlen(text), done = 0;

	if (s->ssl != NULL) {
		/* Blocking BIO: SSL_write returns only when all of it is written (no partial
		 * writes unless SSL_MODE_ENABLE_PARTIAL_WRITE is set). */
		if (SSL_write(s->ssl, text, (int)len) != (int)len) {
			fprintf(stderr, "floor: TLS write failed\n");
			print_ssl_errors();
			return -EPROTO;
		}
		return 0;
	}
	while (done < len) {
		ssize_t n = send(s->fd, text + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "floor: write failed: %s\n", strerror(errno));
			return -EPROTO;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Does the EHLO line text (after "250-"/"250 ") name the STARTTLS extension? Keywords are
 * case-insensitive (RFC 5321 §2.4, COMMON-STLS-01). */
static bool names_starttls(const char *text, size_t len)
{
	static const char kw[] = "STARTTLS";
	size_t n = sizeof(kw) - 1;

	return len >= n && strncasecmp(text, kw, n) == 0 && (len == n || text[n] == ' ');
}

/*
 * Reads one whole reply (RFC 5321 §4.2: "CODE-text" lines, then "CODE text" or a bare "CODE",
 * one code throughout) and checks its code.
 *
 * want:          the code expected.
 * ret_starttls:  if not NULL, set to whether a line after the first names STARTTLS.
 *
 * Returns 0, or -EPROTO (malformed, too long, too many lines, another code, closed).
 */
static int read_reply(struct session *s, int want, bool *ret_starttls)
{
	bool starttls = false;
	int lines = 0;

	for (;;) {
		char *end = memmem(s->buf, s->len, "\r\n", 2);
		size_t line_len;
		bool last;
		int code;

		if (end == NULL) {
			int n;

			if (s->len == sizeof(s->buf)) {
				fprintf(stderr, "floor: reply line longer than %d bytes\n",
					REPLY_MAX_LINE);
				return -EPROTO;
			}
			n = session_read(s);
			if (n < 0)
				return n;
			s->len += (size_t)n;
			continue;
		}
		line_len = (size_t)(end - s->buf);
		if (line_len < 3 || s->buf[0] < '2' || s->buf[0] > '5' || s->buf[1] < '0' ||
		    s->buf[1] > '9' || s->buf[2] < '0' || s->buf[2] > '9' ||
		    (line_len > 3 && s->buf[3] != ' ' && s->buf[3] != '-')) {
			fprintf(stderr, "floor: malformed reply line \"%.*s\"\n", (int)line_len,
				s->buf);
			return -EPROTO;
		}
		code = (s->buf[0] - '0') * 100 + (s->buf[1] - '0') * 10 + (s->buf[2] - '0');
		if (code != want) {
			fprintf(stderr, "floor: expected %d, got \"%.*s\"\n", want, (int)line_len,
				s->buf);
			return -EPROTO;
		}
		last = line_len == 3 || s->buf[3] == ' ';
		if (lines > 0 && line_len > 4 && names_starttls(s->buf + 4, line_len - 4))
			starttls = true;
		/* Consume the line and its CRLF. */
		s->len -= line_len + 2;
		memmove(s->buf, end + 2, s->len);
		if (last)
			break;
		if (++lines >= REPLY_MAX_LINES) {
			fprintf(stderr, "floor: reply of more than %d lines\n", REPLY_MAX_LINES);
			return -EPROTO;
		}
	}
	if (ret_starttls != NULL)
		*ret_starttls = starttls;
	return 0;
}

/* Sends command and reads its reply with the code want. */
static int command(struct session *s, const char *cmd, int want, bool *ret_starttls)
{
	int r = session_send(s, cmd);

	if (r < 0)
		return r;
	return read_reply(s, want, ret_starttls);
}

/* Opens a TCP connection with deadlines on every later read and write (SO_SNDTIMEO also bounds
 * connect() on Linux) and without Nagle's delay: the client's TLS Finished and the EHLO after it
 * are two small writes in a row, and the second would otherwise wait for a delayed ACK.
 * Returns the socket, or -errno. */
static int dial(const struct addrinfo *ai)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int one = 1, fd, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		r = -errno;
		goto fail;
	}
	do
		r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	(void)close(fd);
	return r;
}

/*
 * Runs one session up to and including EHLO over TLS; QUIT is session_end()'s.
 *
 * Returns 0 with s ready for session_end(), or a negative errno (s is then already released).
 */
static int session_start(struct session *s, struct target *t)
{
	bool starttls;
	long verdict;
	int r;

	s->ssl = NULL;
	s->len = 0;
	s->fd = dial(t->addr);
	if (s->fd < 0) {
		fprintf(stderr, "floor: connect failed: %s\n", strerror(-s->fd));
		return s->fd;
	}
	r = read_reply(s, 220, NULL);
	if (r < 0)
		goto fail;
	r = command(s, "EHLO floor.bench.test\r\n", 250, &starttls);
	if (r < 0)
		goto fail;
	if (!starttls) {
		fprintf(stderr, "floor: the server does not offer STARTTLS\n");
		r = -EPROTO;
		goto fail;
	}
	r = command(s, "STARTTLS\r\n", 220, NULL);
	if (r < 0)
		goto fail;
	/* RFC 3207 §5: nothing the server sent before the handshake may be used after it; bytes
	 * already waiting here would be an injection, not part of the TLS session. */
	if (s->len != 0) {
		fprintf(stderr, "floor: %zu bytes after the STARTTLS reply\n", s->len);
		r = -EPROTO;
		goto fail;
	}

	s->ssl = SSL_new(t->ctx);
	if (s->ssl == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	/* SNI = the MX host name (STS-CERT-07), and the same name for the RFC 6125 check. */
	if (SSL_set_tlsext_host_name(s->ssl, t->sni) != 1 || SSL_set1_host(s->ssl, t->sni) != 1 ||
	    SSL_set_fd(s->ssl, s->fd) != 1) {
		print_ssl_errors();
		r = -ENOMEM;
		goto fail;
	}
	if (SSL_connect(s->ssl) != 1) {
		fprintf(stderr, "floor: TLS handshake failed\n");
		print_ssl_errors();
		r = -EPROTO;
		goto fail;
	}
	/* SSL_VERIFY_PEER already aborts the handshake on a bad chain; say so explicitly anyway,
	 * the floor must have verified every session. */
	verdict = SSL_get_verify_result(s->ssl);
	if (verdict != X509_V_OK) {
		fprintf(stderr, "floor: chain not verified: %s\n",
			X509_verify_cert_error_string(verdict));
		r = -EPROTO;
		goto fail;
	}
	t->version = SSL_get_version(s->ssl);
	r = command(s, "EHLO floor.bench.test\r\n", 250, NULL);
	if (r < 0)
		goto fail;
	return 0;
fail:
	SSL_free(s->ssl);
	s->ssl = NULL;
	(void)close(s->fd);
	s->fd = -1;
	return r;
}

/* Ends a started session: QUIT, 221, close_notify, close. Releases s in every case. */
static int session_end(struct session *s)
{
	int r = command(s, "QUIT\r\n", 221, NULL);

	/* One close_notify, without waiting for the peer's: a probe does not need it. */
	if (r == 0)
		(void)SSL_shutdown(s->ssl);
	SSL_free(s->ssl);
	s->ssl = NULL;
	(void)close(s->fd);
	s->fd = -1;
	return r;
}

/* The TLS client context every session shares: TLS 1.2 or later, the chain verified against
 * ca_file, no session resumption (each probe must see the full chain, as a probe does). */
static SSL_CTX *make_ctx(const char *ca_file)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* -k needs one descriptor per session: raise the soft limit as far as the hard one allows. */
static int allow_descriptors(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)n + 16
				  ? (rlim_t)n + 16
				  : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			return -errno;
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: floor [-k] ADDRESS PORT SNI CA-FILE N\n"
		     "  N SMTP STARTTLS sessions against ADDRESS:PORT, one after another;\n"
		     "  -k keeps all N open until the last one is established.\n");
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct target t = { 0 };
	struct session *sessions = NULL;
	struct timespec t0, t1;
	struct rusage before, ru;
	bool hold = false;
	long n, i, held = 0;
	char *end;
	int opt, r, status = 1;

	while ((opt = getopt(argc, argv, "hk")) != -1) {
		switch (opt) {
		case 'k':
			hold = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 5) {
		usage(stderr);
		return 2;
	}
	errno = 0;
	n = strtol(argv[optind + 4], &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > MAX_SESSIONS) {
		fprintf(stderr, "floor: N \"%s\" is not a number from 1 to %d\n", argv[optind + 4],
			MAX_SESSIONS);
		return 2;
	}
	r = getaddrinfo(argv[optind], argv[optind + 1], &hints, &t.addr);
	if (r != 0) {
		fprintf(stderr, "floor: \"%s\" port \"%s\": %s\n", argv[optind], argv[optind + 1],
			gai_strerror(r));
		return 2;
	}
	t.sni = argv[optind + 2];
	t.ctx = make_ctx(argv[optind + 3]);
	if (t.ctx == NULL) {
		fprintf(stderr, "floor: cannot make a TLS context with CA file \"%s\"\n",
			argv[optind + 3]);
		print_ssl_errors();
		goto out;
	}
	/* One session at a time needs one slot; -k needs one per session. */
	sessions = calloc(hold ? (size_t)n : 1, sizeof(*sessions));
	if (sessions == NULL) {
		fprintf(stderr, "floor: out of memory\n");
		goto out;
	}
	if (hold) {
		r = allow_descriptors(n);
		if (r < 0) {
			fprintf(stderr, "floor: cannot allow %ld open files: %s\n", n + 16,
				strerror(-r));
			goto out;
		}
	}

	if (getrusage(RUSAGE_SELF, &before) < 0 || clock_gettime(CLOCK_MONOTONIC, &t0) < 0) {
		fprintf(stderr, "floor: cannot read the clocks: %s\n", strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct session *s = hold ? &sessions[i] : &sessions[0];

		r = session_start(s, &t);
		if (r < 0) {
			fprintf(stderr, "floor: session %ld of %ld failed, stopping\n", i + 1, n);
			goto out;
		}
		if (hold) {
			held++;
			continue;
		}
		r = session_end(s);
		if (r < 0) {
			fprintf(stderr, "floor: QUIT of session %ld failed, stopping\n", i + 1);
			goto out;
		}
	}
	/* With -k the peak is reached here, all n sessions open. */
	for (; held > 0; held--) {
		r = session_end(&sessions[held - 1]);
		if (r < 0) {
			fprintf(stderr, "floor: QUIT of held session %ld failed, stopping\n", held);
			held--;
			goto out;
		}
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t1) < 0 || getrusage(RUSAGE_SELF, &ru) < 0) {
		fprintf(stderr, "floor: cannot read the clocks: %s\n", strerror(errno));
		goto out;
	}

	printf("sessions %ld\n", n);
	printf("cpu_user_s %.6f\n", seconds(ru.ru_utime));
	printf("cpu_sys_s %.6f\n", seconds(ru.ru_stime));
	printf("cpu_total_s %.6f\n", seconds(ru.ru_utime) + seconds(ru.ru_stime));
	printf("cpu_per_session_ms %.4f\n",
	       (seconds(ru.ru_utime) + seconds(ru.ru_stime)) * 1000.0 / (double)n);
	printf("wall_s %.6f\n", elapsed(&t0, &t1));
	printf("rss_before_kib %ld\n", before.ru_maxrss);
	printf("rss_peak_kib %ld\n", ru.ru_maxrss);
	printf("tls_version %s\n", t.version);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	/* Sessions still open after a failure: close them without QUIT. */
	for (i = 0; sessions != NULL && i < held; i++) {
		SSL_free(sessions[i].ssl);
		(void)close(sessions[i].fd);
	}
	free(sessions);
	SSL_CTX_free(t.ctx);
	if (t.addr != NULL)
		freeaddrinfo(t.addr);
	return status;
}

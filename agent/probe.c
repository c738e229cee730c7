/*
 * probe.c - one SMTP STARTTLS session to one MX address, on the event loop; see probe.h.
 *
 * One probe is one socket, one I/O source and two timers (the step deadline, re-armed at every
 * step, and the session deadline), and it moves through these phases:
 *
 *   CONNECT --writable, SO_ERROR 0--> GREETING --220--> EHLO --250 with STARTTLS--> STARTTLS
 *   --220, nothing more sent--> HANDSHAKE --SSL_connect done--> EHLO_TLS --250--> QUIT --> end
 *
 * Each command step first writes the command (EPOLLOUT until it is out), then reads (EPOLLIN)
 * until smtp_reply_read() gives one reply. A reply that decides the outcome while the session is
 * still in step (4xx/5xx, no STARTTLS, the final EHLO) "settles" it and goes to QUIT, whose own
 * failure changes nothing; every other failure ends the session at once. Ending closes the
 * socket and enables a defer source, so done() always runs from the loop, never inside
 * probe_start(); an exit source delivers it when the loop exits first (the agent stops).
 *
 * OpenSSL writes to the socket with write(): the process must ignore SIGPIPE, which
 * probe_env_new() ensures when the disposition is still the default.
 */
#include "agent/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "agent/probe_tls.h"
#include "lib/smtp_reply.h"

/* smtp_reply.h: a caller never needs more than this many bytes to get one reply. */
#define IN_MAX   ((size_t)SMTP_REPLY_MAX_LINE * SMTP_REPLY_MAX_LINES)
#define IN_FIRST ((size_t)4096)
/* QUIT is politeness (COMMON-STLS-04), not measurement: wait for 221 only this long. */
#define QUIT_WAIT_MS 2000u
/* Timer slack: deadlines are seconds long, 1 ms keeps the reported timings honest. */
#define TIMER_ACCURACY_USEC 1000

enum phase {
	PH_CONNECT,
	PH_GREETING,
	PH_EHLO,
	PH_STARTTLS,
	PH_HANDSHAKE,
	PH_EHLO_TLS,
	PH_QUIT,
	PH_END,
};

struct probe_env {
	SSL_CTX *ssl_ctx;
	X509_STORE *store;
	char *ehlo_name;
	bool have_src4, have_src6;
	struct sockaddr_in src4;
	struct sockaddr_in6 src6;
	struct timeouts timeouts;
};

struct probe {
	struct probe_env *env;
	sd_event *loop;
	probe_done_fn done;
	void *userdata;
	struct smtp_probe *res; /* the result being filled; handed to done() */
	char *host;
	time_t at;
	long warning_secs, critical_secs;

	int fd;
	SSL *ssl; /* set from the handshake on; NULL before STARTTLS */
	sd_event_source *io, *step_timer, *session_timer, *complete, *on_exit;
	enum phase phase;
	unsigned step_ms; /* the current step's deadline, for the message */
	bool settled;     /* the outcome is decided; only QUIT is left */

	char *in; /* bytes received and not yet taken as a reply */
	size_t in_len, in_cap;
	char *out; /* the command being written */
	size_t out_len, out_off;

	uint64_t t_start, t_connected, t_handshake; /* CLOCK_MONOTONIC, µs */
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static unsigned ms_since(uint64_t start)
{
	uint64_t ms = (now_usec() - start) / 1000u;

	return ms > UINT_MAX ? UINT_MAX : (unsigned)ms;
}

static void certs_free(struct certinfo **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)certinfo_free(v[i]);
	free(v);
}

/* Release what done() left in the result (it takes pointers and zeroes them), and the struct. */
static struct smtp_probe *result_free(struct smtp_probe *res)
{
	if (res == NULL)
		return NULL;
	free(res->detail);
	free(res->banner);
	free(res->tls_version_name);
	free(res->cipher);
	certs_free(res->chain, res->chain_len);
	certs_free(res->path, res->path_len);
	free(res->verify_now.text);
	free(res->verify_warning.text);
	free(res->verify_critical.text);
	free(res);
	return NULL;
}

/* Close the connection: best-effort close_notify, no waiting for the server's. */
static void close_session(struct probe *p)
{
	p->ssl = probe_tls_close(p->ssl);
	/* Before close(): sd-event removes the descriptor from epoll while it is still open. */
	p->io = sd_event_source_disable_unref(p->io);
	if (p->step_timer != NULL)
		(void)sd_event_source_set_enabled(p->step_timer, SD_EVENT_OFF);
	if (p->session_timer != NULL)
		(void)sd_event_source_set_enabled(p->session_timer, SD_EVENT_OFF);
	if (p->fd >= 0)
		(void)close(p->fd);
	p->fd = -1;
	free(p->in);
	p->in = NULL;
	p->in_len = p->in_cap = 0;
	free(p->out);
	p->out = NULL;
	p->out_len = p->out_off = 0;
}

static struct probe *probe_free(struct probe *p)
{
	if (p == NULL)
		return NULL;
	close_session(p);
	(void)sd_event_source_disable_unref(p->step_timer);
	(void)sd_event_source_disable_unref(p->session_timer);
	(void)sd_event_source_disable_unref(p->complete);
	(void)sd_event_source_disable_unref(p->on_exit);
	(void)sd_event_unref(p->loop);
	(void)result_free(p->res);
	free(p->host);
	free(p);
	return NULL;
}

/* Hand the result over and free the probe. Runs from the loop only. */
static void deliver(struct probe *p)
{
	struct smtp_probe *res = p->res;

	p->res = NULL;
	p->done(res, p->userdata);
	(void)result_free(res);
	(void)probe_free(p);
}

/* End the session with what res holds; done() follows from the loop. */
static void end(struct probe *p)
{
	if (p->phase == PH_END)
		return;
	close_session(p);
	p->phase = PH_END;
	if (p->res->outcome == PROBE_OK)
		p->res->stage = STAGE_DONE;
	p->res->session_ms = ms_since(p->t_start);
	/* A defer source cannot fail to be enabled; done() runs on the next loop iteration. */
	(void)sd_event_source_set_enabled(p->complete, SD_EVENT_ONESHOT);
}

/*
 * A failure ends the session at the current stage, taking ownership of detail (NULL on memory
 * exhaustion). Once settled, the outcome stands: QUIT failing does not change it.
 */
static void fail_with(struct probe *p, enum probe_outcome outcome, char *detail)
{
	if (p->phase == PH_END || p->settled) {
		free(detail);
		end(p);
		return;
	}
	p->res->outcome = outcome;
	free(p->res->detail);
	p->res->detail = detail;
	end(p);
}

static void fail(struct probe *p, enum probe_outcome outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct probe *p, enum probe_outcome outcome, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_with(p, outcome, mxs_vstrdupf(fmt, ap));
	va_end(ap);
}

/* A socket error after connect: what it says about the peer, or about us. */
static void fail_errno(struct probe *p, int e, const char *doing)
{
	enum probe_outcome o;

	switch (e) {
	case ECONNREFUSED:
		o = p->phase == PH_CONNECT ? PROBE_REFUSED : PROBE_CLOSED;
		break;
	case ECONNRESET:
	case EPIPE:
		o = PROBE_CLOSED;
		break;
	case ETIMEDOUT:
		o = PROBE_TIMEOUT;
		break;
	/* The agent's own network (probe.h): reported UNKNOWN, not the domain's fault. */
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
	case ENETDOWN:
	case EACCES:
	case EPERM:
		o = PROBE_UNREACHABLE;
		break;
	default:
		o = PROBE_LOCAL_ERROR;
		break;
	}
	fail(p, o, "%s: %s", doing, strerror(e));
}

static void set_events(struct probe *p, uint32_t events)
{
	int r = sd_event_source_set_io_events(p->io, events);

	if (r < 0)
		fail(p, PROBE_LOCAL_ERROR, "cannot watch the socket: %s", strerror(-r));
}

static void arm_step(struct probe *p, unsigned ms)
{
	int r;

	p->step_ms = ms;
	r = sd_event_source_set_time(p->step_timer, now_usec() + (uint64_t)ms * 1000u);
	if (r >= 0)
		r = sd_event_source_set_enabled(p->step_timer, SD_EVENT_ONESHOT);
	if (r < 0)
		fail(p, PROBE_LOCAL_ERROR, "cannot arm the step deadline: %s", strerror(-r));
}

/* Write cmd (taking ownership; NULL means memory ran out), then wait for its reply. */
static void send_command(struct probe *p, char *cmd, enum phase next, unsigned ms)
{
	if (cmd == NULL) {
		fail(p, PROBE_LOCAL_ERROR, "out of memory");
		return;
	}
	free(p->out);
	p->out = cmd;
	p->out_len = strlen(cmd);
	p->out_off = 0;
	p->phase = next;
	arm_step(p, ms);
	if (p->phase != PH_END)
		set_events(p, EPOLLOUT);
}

/* Decide the outcome now, then leave politely (RFC 5321 §4.1.1.10; COMMON-STLS-04). */
static void settle(struct probe *p, enum probe_outcome outcome, char *detail)
{
	unsigned ms = p->env->timeouts.command;

	p->res->outcome = outcome;
	p->res->detail = detail;
	p->settled = true;
	if (outcome == PROBE_OK)
		p->res->stage = STAGE_QUIT;
	send_command(p, strdup("QUIT\r\n"), PH_QUIT, ms < QUIT_WAIT_MS ? ms : QUIT_WAIT_MS);
}

static void read_step(struct probe *p);

/* After a command is out: the reply may already be buffered, where epoll cannot see it. */
static void await_reply(struct probe *p)
{
	set_events(p, EPOLLIN);
	if (p->phase != PH_END &&
	    (p->in_len > 0 || (p->ssl != NULL && SSL_has_pending(p->ssl) == 1)))
		read_step(p);
}

static void write_step(struct probe *p)
{
	struct probe_tls_fault fault = { PROBE_OK, NULL };
	uint32_t events = EPOLLOUT;
	ssize_t n = probe_tls_write(p->fd, p->ssl, p->out + p->out_off, p->out_len - p->out_off,
				    &events, &fault);

	if (n < 0) {
		fail_with(p, fault.outcome, fault.detail);
		return;
	}
	if (n == 0) {
		set_events(p, events);
		return;
	}
	p->out_off += (size_t)n;
	if (p->out_off < p->out_len)
		return;
	free(p->out);
	p->out = NULL;
	p->out_len = p->out_off = 0;
	await_reply(p);
}

/*
 * Read what the connection has into p->in, growing it up to IN_MAX. Returns 0 (wait, or the
 * buffer is full), or -1 when the connection is over (*fault says how; what came before it is
 * still parsed, so that a "421 closing" or "554" followed by a close is seen).
 */
static int fill(struct probe *p, struct probe_tls_fault *fault)
{
	for (;;) {
		size_t cap = p->in_cap == 0 ? IN_FIRST : p->in_cap * 2;
		uint32_t events = EPOLLIN;
		ssize_t n;

		if (p->in_len == p->in_cap) {
			char *in;

			if (p->in_cap >= IN_MAX)
				return 0; /* full: the reader decides (smtp_reply.h bound) */
			cap = cap < IN_MAX ? cap : IN_MAX;
			in = realloc(p->in, cap);
			if (in == NULL) {
				fault->outcome = PROBE_LOCAL_ERROR;
				fault->detail = strdup("out of memory");
				return -1;
			}
			p->in = in;
			p->in_cap = cap;
		}
		n = probe_tls_read(p->fd, p->ssl, p->in + p->in_len, p->in_cap - p->in_len, &events,
				   fault);
		if (n < 0)
			return -1;
		if (n == 0) {
			set_events(p, events);
			return 0;
		}
		p->in_len += (size_t)n;
	}
}

static void on_reply(struct probe *p, const struct smtp_reply *reply);

static void read_step(struct probe *p)
{
	struct probe_tls_fault fault = { PROBE_OK, NULL };
	struct smtp_reply *reply = NULL;
	struct mxs_error err = { 0 };
	bool over = fill(p, &fault) < 0;
	int r;

	if (p->phase == PH_END)
		goto out;
	r = smtp_reply_read(p->in, p->in_len, &reply, &err);
	if (r == -EPROTO)
		fail(p, PROBE_PROTOCOL, "malformed reply: %s",
		     err.what != NULL ? err.what : "unreadable");
	else if (r < 0)
		fail(p, PROBE_LOCAL_ERROR, "cannot read the reply: %s", strerror(-r));
	else if (r == 0 && over) {
		fail_with(p, fault.outcome, fault.detail);
		fault.detail = NULL;
	} else if (r == 0 && p->in_len == IN_MAX)
		fail(p, PROBE_PROTOCOL, "reply longer than %zu bytes", IN_MAX);
	if (r <= 0)
		goto out;
	memmove(p->in, p->in + r, p->in_len - (size_t)r);
	p->in_len -= (size_t)r;
	on_reply(p, reply);
out:
	free(fault.detail);
	(void)smtp_reply_free(reply);
	mxs_error_clear(&err);
}

/* "454 4.7.0 TLS not available" from a reply, for detail. */
static char *reply_text(const struct smtp_reply *reply)
{
	return mxs_strdupf("%d %s", reply->code, reply->n_lines > 0 ? reply->lines[0] : "");
}

static void handshake_step(struct probe *p);

static void start_handshake(struct probe *p)
{
	char *why = NULL;
	ssize_t n;
	char c;
	int r;

	/*
	 * COMMON-STLS-03: nothing from before TLS may carry over. An honest server says nothing
	 * between its 220 and our ClientHello; bytes here are an injection attempt or a broken
	 * server, and must never be fed to TLS or read as a post-TLS reply.
	 */
	n = recv(p->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (p->in_len > 0 || n > 0) {
		fail(p, PROBE_PROTOCOL, "the server sent data after its 220 reply to STARTTLS");
		return;
	}
	if (n == 0) {
		fail(p, PROBE_CLOSED,
		     "the server closed the connection after its 220 reply to "
		     "STARTTLS");
		return;
	}
	p->res->stage = STAGE_HANDSHAKE;
	p->phase = PH_HANDSHAKE;
	r = probe_tls_new(p->env->ssl_ctx, p->fd, p->host, p->res->alg, &p->ssl, &why);
	if (r < 0) {
		fail_with(p, PROBE_LOCAL_ERROR,
			  why != NULL ? why : mxs_strdupf("%s", strerror(-r)));
		return;
	}
	p->t_handshake = now_usec();
	arm_step(p, p->env->timeouts.tls);
	if (p->phase != PH_END)
		handshake_step(p);
}

static void handshake_step(struct probe *p)
{
	struct probe_tls_fault fault = { PROBE_OK, NULL };
	uint32_t events = EPOLLIN;
	char *why = NULL;
	int r = probe_tls_handshake(p->ssl, p->res->alg, &events, &fault);

	if (r < 0) {
		fail_with(p, fault.outcome, fault.detail);
		return;
	}
	if (r == 0) {
		set_events(p, events);
		return;
	}
	p->res->handshake_ms = ms_since(p->t_handshake);
	r = probe_tls_record(p->ssl, p->env->store, p->at, p->warning_secs, p->critical_secs,
			     p->res, &why);
	if (r == -EINVAL) {
		fail_with(p, PROBE_TLS_FAILED, why);
		return;
	}
	free(why);
	if (r < 0) {
		fail(p, PROBE_LOCAL_ERROR, "cannot record the TLS session: %s", strerror(-r));
		return;
	}
	/* COMMON-STLS-03: the session is reset; ask again and trust only this answer. */
	p->res->stage = STAGE_EHLO_TLS;
	send_command(p, mxs_strdupf("EHLO %s\r\n", p->env->ehlo_name), PH_EHLO_TLS,
		     p->env->timeouts.command);
}

static void on_reply(struct probe *p, const struct smtp_reply *reply)
{
	unsigned command_ms = p->env->timeouts.command;

	/* The QUIT reply is courtesy; reply_code keeps the last reply that mattered. */
	if (p->phase != PH_QUIT)
		p->res->reply_code = reply->code;
	switch (p->phase) {
	case PH_GREETING:
		p->res->greeting_ms = ms_since(p->t_connected);
		if (reply->code != 220) {
			settle(p, PROBE_REJECTED, reply_text(reply));
			return;
		}
		p->res->banner = strdup(reply->n_lines > 0 ? reply->lines[0] : "");
		if (p->res->banner == NULL) {
			fail(p, PROBE_LOCAL_ERROR, "out of memory");
			return;
		}
		/* COMMON-STLS-01: EHLO, not HELO, or no extension is listed. */
		p->res->stage = STAGE_EHLO;
		send_command(p, mxs_strdupf("EHLO %s\r\n", p->env->ehlo_name), PH_EHLO, command_ms);
		return;
	case PH_EHLO:
		if (reply->code != 250) {
			settle(p, PROBE_REJECTED, reply_text(reply));
			return;
		}
		p->res->starttls_offered = smtp_reply_has_keyword(reply, "STARTTLS");
		if (!p->res->starttls_offered) {
			settle(p, PROBE_NO_STARTTLS,
			       strdup("STARTTLS not offered in the EHLO reply (COMMON-STLS-01)"));
			return;
		}
		p->res->stage = STAGE_STARTTLS;
		send_command(p, strdup("STARTTLS\r\n"), PH_STARTTLS, command_ms);
		return;
	case PH_STARTTLS:
		/* COMMON-STLS-02: 220 to go on; 454 and 501 are refusals. */
		if (reply->code != 220) {
			settle(p, PROBE_REJECTED, reply_text(reply));
			return;
		}
		start_handshake(p);
		return;
	case PH_EHLO_TLS:
		if (reply->code != 250) {
			settle(p, PROBE_REJECTED, reply_text(reply));
			return;
		}
		settle(p, PROBE_OK, NULL);
		return;
	case PH_QUIT:
		end(p);
		return;
	default:
		return;
	}
}

static void connected(struct probe *p)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e != 0) {
		fail_errno(p, e, "cannot connect");
		return;
	}
	p->t_connected = now_usec();
	p->res->connect_ms = ms_since(p->t_start);
	p->res->stage = STAGE_GREETING;
	p->phase = PH_GREETING;
	arm_step(p, p->env->timeouts.greeting);
	if (p->phase != PH_END)
		set_events(p, EPOLLIN);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct probe *p = userdata;

	if (p->phase == PH_CONNECT)
		connected(p);
	else if (p->phase == PH_HANDSHAKE)
		handshake_step(p);
	else if (p->out != NULL)
		write_step(p);
	else
		read_step(p);
	return 0;
}

static int on_step_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	static const char *const waiting_for[] = {
		[PH_CONNECT] = "connection",      [PH_GREETING] = "greeting",
		[PH_EHLO] = "reply to EHLO",      [PH_STARTTLS] = "reply to STARTTLS",
		[PH_HANDSHAKE] = "TLS handshake", [PH_EHLO_TLS] = "reply to EHLO over TLS",
		[PH_QUIT] = "reply to QUIT",      [PH_END] = "end",
	};
	struct probe *p = userdata;

	fail(p, PROBE_TIMEOUT, "no %s within %u ms", waiting_for[p->phase], p->step_ms);
	return 0;
}

static int on_session_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct probe *p = userdata;

	fail(p, PROBE_TIMEOUT, "session not finished within %u ms", p->env->timeouts.session);
	return 0;
}

static int on_complete(sd_event_source *s, void *userdata)
{
	deliver(userdata);
	return 0;
}

/* The loop is exiting (the agent stops): done() still runs exactly once, from here. */
static int on_loop_exit(sd_event_source *s, void *userdata)
{
	struct probe *p = userdata;

	fail(p, PROBE_LOCAL_ERROR, "cancelled: the event loop is exiting");
	deliver(p);
	return 0;
}

/* socket(), bind(), connect(); failures become the result. */
static void start_connect(struct probe *p, const struct sockaddr *addr, socklen_t addrlen)
{
	const struct sockaddr *src = NULL;
	socklen_t srclen = 0;
	int r;

	p->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (p->fd < 0) {
		fail_errno(p, errno, "cannot make a socket");
		return;
	}
	/* Lock-step commands of a few bytes each: Nagle must not hold one back for an ACK. */
	(void)setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	if (addr->sa_family == AF_INET && p->env->have_src4) {
		src = (const struct sockaddr *)&p->env->src4;
		srclen = sizeof(p->env->src4);
	} else if (addr->sa_family == AF_INET6 && p->env->have_src6) {
		src = (const struct sockaddr *)&p->env->src6;
		srclen = sizeof(p->env->src6);
	}
	if (src != NULL) {
#ifdef IP_BIND_ADDRESS_NO_PORT
		/* Let connect() pick the port, so thousands of probes do not exhaust them. */
		int one = 1;

		(void)setsockopt(p->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
#endif
		if (bind(p->fd, src, srclen) < 0) {
			fail_errno(p, errno, "cannot bind the source address");
			return;
		}
	}
	if (connect(p->fd, addr, addrlen) < 0 && errno != EINPROGRESS) {
		fail_errno(p, errno, "cannot connect");
		return;
	}
	r = sd_event_add_io(p->loop, &p->io, p->fd, EPOLLOUT, on_io, p);
	if (r < 0)
		fail(p, PROBE_LOCAL_ERROR, "cannot watch the socket: %s", strerror(-r));
}

int probe_start(struct probe_env *env, sd_event *loop, const struct sockaddr *addr,
		socklen_t addrlen, const char *host, enum probe_alg alg, time_t at,
		long warning_secs, long critical_secs, probe_done_fn done, void *userdata)
{
	struct probe *p = NULL;
	int r = -ENOMEM;

	if (env == NULL || loop == NULL || addr == NULL || host == NULL || *host == '\0' ||
	    done == NULL ||
	    (alg != PROBE_ALG_ANY && alg != PROBE_ALG_ECDSA && alg != PROBE_ALG_RSA) ||
	    (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
	    addrlen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->fd = -1;
	p->env = env;
	p->loop = sd_event_ref(loop);
	p->done = done;
	p->userdata = userdata;
	p->at = at;
	p->warning_secs = warning_secs;
	p->critical_secs = critical_secs;
	p->t_start = now_usec();
	p->host = strdup(host);
	p->res = calloc(1, sizeof(*p->res));
	if (p->host == NULL || p->res == NULL)
		goto out;
	p->res->alg = alg;
	p->res->outcome = PROBE_LOCAL_ERROR;
	p->res->stage = STAGE_CONNECT;
	p->res->verify_now = p->res->verify_warning = p->res->verify_critical =
	    (struct chain_verdict){ .code = -1, .text = NULL, .depth = -1 };

	r = sd_event_add_defer(loop, &p->complete, on_complete, p);
	if (r < 0)
		goto out;
	r = sd_event_source_set_enabled(p->complete, SD_EVENT_OFF);
	if (r < 0)
		goto out;
	r = sd_event_add_exit(loop, &p->on_exit, on_loop_exit, p);
	if (r < 0)
		goto out;
	r = sd_event_add_time(loop, &p->session_timer, CLOCK_MONOTONIC,
			      p->t_start + (uint64_t)env->timeouts.session * 1000u,
			      TIMER_ACCURACY_USEC, on_session_timeout, p);
	if (r < 0)
		goto out;
	r = sd_event_add_time(loop, &p->step_timer, CLOCK_MONOTONIC,
			      p->t_start + (uint64_t)env->timeouts.connect * 1000u,
			      TIMER_ACCURACY_USEC, on_step_timeout, p);
	if (r < 0)
		goto out;
	p->step_ms = env->timeouts.connect;
	p->phase = PH_CONNECT;
	/* From here on every failure is a result, delivered by the complete source. */
	start_connect(p, addr, addrlen);
	p = NULL;
	r = 0;
out:
	(void)probe_free(p);
	return r;
}

/* An EHLO argument goes on the wire as is: no spaces, no control characters (no CRLF). */
static bool ehlo_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* gethostname() into a new string, sized by the system's limit. */
static int own_hostname(char **ret)
{
	long max = sysconf(_SC_HOST_NAME_MAX);
	size_t size = (max > 0 ? (size_t)max : 255) + 1;
	char *s = calloc(1, size);

	if (s == NULL)
		return -ENOMEM;
	if (gethostname(s, size - 1) < 0) {
		int e = errno;

		free(s);
		return -e;
	}
	*ret = s;
	return 0;
}

int probe_env_new(const char *ca_bundle, const char *ehlo_name, const char *source_ipv4,
		  const char *source_ipv6, const struct timeouts *timeouts,
		  struct probe_env **ret_env, struct mxs_error *reterr)
{
	struct probe_env *env = NULL;
	struct sigaction sa;
	int r;

	if (ca_bundle == NULL || timeouts == NULL || ret_env == NULL)
		return -EINVAL;
	env = calloc(1, sizeof(*env));
	if (env == NULL)
		return -ENOMEM;
	env->timeouts = *timeouts;
	if (ehlo_name != NULL) {
		env->ehlo_name = strdup(ehlo_name);
		r = env->ehlo_name == NULL ? -ENOMEM : 0;
	} else {
		r = own_hostname(&env->ehlo_name);
		if (r < 0 && r != -ENOMEM)
			r = mxs_error_set(reterr, NULL, "COMMON-STLS-04",
					  "cannot get the host name for EHLO: %s", strerror(-r));
	}
	if (r < 0)
		goto out;
	if (!ehlo_name_ok(env->ehlo_name)) {
		r = mxs_error_set(reterr, NULL, "COMMON-STLS-04",
				  "\"%s\" cannot be sent as the EHLO name", env->ehlo_name);
		goto out;
	}
	if (source_ipv4 != NULL) {
		env->src4.sin_family = AF_INET;
		env->have_src4 = inet_pton(AF_INET, source_ipv4, &env->src4.sin_addr) == 1;
		if (!env->have_src4) {
			r = mxs_error_set(reterr, NULL, NULL, "\"%s\" is not an IPv4 address",
					  source_ipv4);
			goto out;
		}
	}
	if (source_ipv6 != NULL) {
		env->src6.sin6_family = AF_INET6;
		env->have_src6 = inet_pton(AF_INET6, source_ipv6, &env->src6.sin6_addr) == 1;
		if (!env->have_src6) {
			r = mxs_error_set(reterr, NULL, NULL, "\"%s\" is not an IPv6 address",
					  source_ipv6);
			goto out;
		}
	}
	r = probe_tls_store_new(ca_bundle, &env->store, reterr);
	if (r < 0)
		goto out;
	r = probe_tls_ctx_new(&env->ssl_ctx, reterr);
	if (r < 0)
		goto out;
	/* A peer that resets mid-write must not kill the agent (see the top of this file). */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		(void)signal(SIGPIPE, SIG_IGN);
	*ret_env = env;
	env = NULL;
out:
	(void)probe_env_free(env);
	return r;
}

struct probe_env *probe_env_free(struct probe_env *env)
{
	if (env == NULL)
		return NULL;
	SSL_CTX_free(env->ssl_ctx);
	X509_STORE_free(env->store);
	free(env->ehlo_name);
	free(env);
	return NULL;
}

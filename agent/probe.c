/*
 * probe.c - one SMTP STARTTLS session to one MX address, on the event loop; see probe.h.
 *
 * This file owns the session's resources and its life: the environment every probe of a run
 * shares, one socket, one I/O source and two timers (the step deadline, which the dialogue
 * re-arms at every step, and the session deadline), the connect, and the end. What is said on
 * the connection once it is up, SMTP and STARTTLS, is agent/probe_smtp.c; the OpenSSL side is
 * agent/probe_tls.c. The probe's phases:
 *
 *   CONNECT --writable, SO_ERROR 0--> SMTP (probe_smtp.h) --complete or failed--> END
 *
 * Every failure ends the session at once, except that an outcome the dialogue has settled
 * stands (a failing QUIT or a deadline during it changes nothing). Ending closes the socket and
 * enables a defer source, so done() always runs from the loop, never inside probe_start(); an
 * exit source delivers it when the loop exits first (the agent stops), so done() runs exactly
 * once in every case, as probe.h promises.
 *
 * OpenSSL writes to the socket with write(): the process must ignore SIGPIPE, which
 * probe_env_new() ensures when the disposition is still the default.
 */
#include "agent/monotime.h"
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

#include "agent/probe_smtp.h"
#include "agent/probe_tls.h"
#include "agent/tlsverify.h"

/* Timer slack: deadlines are seconds long, 1 ms keeps the reported timings honest. */
#define TIMER_ACCURACY_USEC 1000

enum phase {
	PH_CONNECT,
	PH_SMTP,
	PH_END,
};

/* Made once per run: what every probe shares, read-only while probes run. */
struct probe_env {
	SSL_CTX *ssl_ctx; /* one context: no session cache, so every probe sees a full chain */
	X509_STORE *store;
	char *ehlo_name; /* COMMON-STLS-04: the monitor's real name, checked for the wire */
	bool have_src4, have_src6;
	struct sockaddr_in src4;
	struct sockaddr_in6 src6;
	struct timeouts timeouts;
};

struct probe {
	struct probe_env *env;
	sd_event *loop; /* referenced: the sources below need it until probe_free() */
	probe_done_fn done;
	void *userdata;
	struct smtp_probe *res; /* the result being filled; handed to done() */
	char *host;
	struct probe_smtp *smtp; /* the dialogue; made in probe_start(), gone at the end */

	int fd;
	sd_event_source *io, *step_timer, *session_timer, *complete, *on_exit;
	enum phase phase;

	uint64_t t_start; /* CLOCK_MONOTONIC, µs */
};

/*
 * The monotonic clock, not the loop's cached time: the timings reported (connect_ms,
 * session_ms) must cover the work done in this iteration, and no clock step may skew them.
 */
/* Release what done() left in the result (it takes pointers and zeroes them), and the struct. */
static struct smtp_probe *result_free(struct smtp_probe *res)
{
	smtp_probe_clear(res);
	free(res);
	return NULL;
}

/*
 * Close the connection: best-effort close_notify (probe_smtp_free()), no waiting for the
 * server's, since we are leaving anyway and a server that never answers must not hold us.
 */
static void close_session(struct probe *p)
{
	/* TLS first: the close_notify needs the socket still open. */
	p->smtp = probe_smtp_free(p->smtp);
	/* Before close(): sd-event removes the descriptor from epoll while it is still open. */
	p->io = sd_event_source_disable_unref(p->io);
	if (p->step_timer != NULL)
		(void)sd_event_source_set_enabled(p->step_timer, SD_EVENT_OFF);
	if (p->session_timer != NULL)
		(void)sd_event_source_set_enabled(p->session_timer, SD_EVENT_OFF);
	if (p->fd >= 0)
		(void)close(p->fd);
	p->fd = -1;
}

/* Everything a probe holds, at any point of its life: probe_start()'s failures use it too. */
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

	/* probe.h: done() takes the pointers it keeps and zeroes them; the rest is freed here. */
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
	/* QUIT was only politeness (COMMON-STLS-04): a settled PROBE_OK went all the way. */
	if (p->res->outcome == PROBE_OK)
		p->res->stage = STAGE_DONE;
	p->res->session_ms = monotime_ms_since(p->t_start);
	/* A defer source cannot fail to be enabled; done() runs on the next loop iteration. */
	(void)sd_event_source_set_enabled(p->complete, SD_EVENT_ONESHOT);
}

/*
 * A failure ends the session at the current stage, taking ownership of detail (NULL on memory
 * exhaustion). Once settled, the outcome stands: QUIT failing does not change it.
 */
static void fail_with(struct probe *p, enum probe_outcome outcome, char *detail)
{
	if (p->phase == PH_END || (p->smtp != NULL && probe_smtp_settled(p->smtp))) {
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
	/* A RST to our SYN is the host's answer (nothing listens); later it is a close. */
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
	/* The detail names the step and errno's text, as the operator reads it in the report. */
	fail(p, o, "%s: %s", doing, strerror(e));
}

/* Act on what a call of the dialogue answered (probe_smtp.h): go on, end, or fail. */
static void dialogue_went(struct probe *p, int r, struct probe_tls_fault *fault)
{
	if (r < 0)
		fail_with(p, fault->outcome, fault->detail);
	else if (r > 0)
		end(p);
}

static void connected(struct probe *p)
{
	struct probe_tls_fault fault = { PROBE_OK, NULL };
	socklen_t len = sizeof(int);
	int e = 0;

	/* A non-blocking connect() reports its result as writability plus SO_ERROR (connect(2)). */
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e != 0) {
		fail_errno(p, e, "cannot connect");
		return;
	}
	p->res->connect_ms = monotime_ms_since(p->t_start);
	p->phase = PH_SMTP;
	dialogue_went(p, probe_smtp_start(p->smtp, p->fd, p->io, &fault), &fault);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct probe_tls_fault fault = { PROBE_OK, NULL };
	struct probe *p = userdata;

	/* The socket is watched for EPOLLOUT until connected, then for what the dialogue asks. */
	if (p->phase == PH_CONNECT)
		connected(p);
	else
		dialogue_went(p, probe_smtp_io(p->smtp, &fault), &fault);
	return 0;
}

static int on_step_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct probe *p = userdata;
	unsigned ms = p->env->timeouts.connect;
	const char *what = "connection";

	/* Once connected, the dialogue knows which step ran out and which deadline it had. */
	if (p->phase == PH_SMTP)
		what = probe_smtp_waiting_for(p->smtp, &ms);
	fail(p, PROBE_TIMEOUT, "no %s within %u ms", what, ms);
	return 0;
}

/*
 * probe.h: the whole session has a deadline too, so that a server answering every step just
 * before its deadline (a tarpit) still costs a bounded time and one concurrency slot.
 */
static int on_session_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct probe *p = userdata;

	fail(p, PROBE_TIMEOUT, "session not finished within %u ms", p->env->timeouts.session);
	return 0;
}

/* Enabled by end(): done() runs from the loop, never from the stack of a caller of ours. */
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

/* socket(), bind(), connect(); failures become the result, delivered from the loop. */
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
	/* EINPROGRESS is the normal answer of a non-blocking connect: on_io() learns the rest. */
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
	/* Up to start_connect(), a failure is returned and done() is never called (probe.h). */
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->fd = -1;
	p->env = env;
	p->loop = sd_event_ref(loop);
	p->done = done;
	p->userdata = userdata;
	p->t_start = monotime_usec();
	p->host = strdup(host);
	p->res = calloc(1, sizeof(*p->res));
	if (p->host == NULL || p->res == NULL)
		goto out;
	p->res->alg = alg;
	/* Pessimistic until proven otherwise: only a settled session can say PROBE_OK. */
	p->res->outcome = PROBE_LOCAL_ERROR;
	p->res->stage = STAGE_CONNECT;
	p->res->verify_now = p->res->verify_warning = p->res->verify_critical =
	    (struct chain_verdict){ .code = -1, .text = NULL, .depth = -1 };

	r = sd_event_add_defer(loop, &p->complete, on_complete, p);
	if (r < 0)
		goto out;
	/* Off until end(): a defer source would otherwise fire on the next iteration. */
	r = sd_event_source_set_enabled(p->complete, SD_EVENT_OFF);
	if (r < 0)
		goto out;
	/* The agent may stop with probes in flight: they still answer, once (on_loop_exit()). */
	r = sd_event_add_exit(loop, &p->on_exit, on_loop_exit, p);
	if (r < 0)
		goto out;
	r = sd_event_add_time(loop, &p->session_timer, CLOCK_MONOTONIC,
			      p->t_start + (uint64_t)env->timeouts.session * 1000u,
			      TIMER_ACCURACY_USEC, on_session_timeout, p);
	if (r < 0)
		goto out;
	/* COMMON-STLS-04: connecting has a deadline of its own, apart from the greeting's. */
	r = sd_event_add_time(loop, &p->step_timer, CLOCK_MONOTONIC,
			      p->t_start + (uint64_t)env->timeouts.connect * 1000u,
			      TIMER_ACCURACY_USEC, on_step_timeout, p);
	if (r < 0)
		goto out;
	/* Made now, so that a probe that has started never fails for want of it. */
	r = probe_smtp_new(&(struct probe_smtp_args){ .ssl_ctx = env->ssl_ctx,
						      .store = env->store,
						      .ehlo_name = env->ehlo_name,
						      .timeouts = &env->timeouts,
						      .host = p->host,
						      .at = at,
						      .warning_secs = warning_secs,
						      .critical_secs = critical_secs,
						      .step_timer = p->step_timer,
						      .res = p->res },
			   &p->smtp);
	if (r < 0)
		goto out;
	p->phase = PH_CONNECT;
	/* From here on every failure is a result, delivered by the complete source. */
	start_connect(p, addr, addrlen);
	p = NULL;
	r = 0;
out:
	(void)probe_free(p);
	return r;
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
	/* COMMON-STLS-04: EHLO with the monitor's real host name unless one is configured. */
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
	/* Checked once here, so that no probe can put a broken command on the wire. */
	if (!probe_smtp_ehlo_name_ok(env->ehlo_name)) {
		r = mxs_error_set(reterr, NULL, "COMMON-STLS-04",
				  "\"%s\" cannot be sent as the EHLO name", env->ehlo_name);
		goto out;
	}
	/* Parsed once, bound per probe: COMMON-STLS-04 probes each family separately. */
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
	r = tlsverify_store_new(ca_bundle, &env->store, reterr);
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
	/* probe.h: not while probes run, which borrow the context, the store and the name. */
	SSL_CTX_free(env->ssl_ctx);
	X509_STORE_free(env->store);
	free(env->ehlo_name);
	free(env);
	return NULL;
}

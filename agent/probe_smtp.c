/*
 * probe_smtp.c - the SMTP dialogue of one STARTTLS probe; see probe_smtp.h.
 *
 * The steps, and what moves the dialogue from one to the next:
 *
 *   GREETING --220--> EHLO --250 with STARTTLS--> STARTTLS --220, nothing more sent-->
 *   HANDSHAKE --SSL_connect done--> EHLO_TLS --250--> QUIT --any reply--> complete
 *
 * Each command step first writes the command (EPOLLOUT until it is out), then reads (EPOLLIN)
 * until smtp_reply_read() gives one reply. Without PIPELINING (RFC 2920, never used here) SMTP
 * is lock-step, one command and one reply (RFC 5321 §4.1.1), so a step waits for exactly one
 * reply, and bytes that arrive early stay in the buffer for the next read.
 *
 * Every function that moves the dialogue returns 0 (waiting), 1 (complete) or -1 (failed, with
 * the fault filled), and passes its callee's answer on unchanged: the probe ends the session,
 * never this file, so nothing here runs after the session is over.
 */
#include "agent/monotime.h"
#include "agent/probe_smtp.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "lib/error.h"
#include "lib/smtp_reply.h"

/* smtp_reply.h: a caller never needs more than this many bytes to get one reply. */
#define IN_MAX   ((size_t)SMTP_REPLY_MAX_LINE * SMTP_REPLY_MAX_LINES)
#define IN_FIRST ((size_t)4096)
/* QUIT is politeness (COMMON-STLS-04), not measurement: wait for 221 only this long. */
#define QUIT_WAIT_MS 2000u

enum step {
	ST_GREETING,
	ST_EHLO,
	ST_STARTTLS,
	ST_HANDSHAKE,
	ST_EHLO_TLS,
	ST_QUIT,
};

struct probe_smtp {
	struct probe_smtp_args a; /* borrowed from the probe (probe_smtp.h) */
	int fd;                   /* from probe_smtp_start(); -1 before */
	sd_event_source *io;
	SSL *ssl; /* set from the handshake on; NULL before STARTTLS */
	enum step step;
	unsigned step_ms; /* the current step's deadline, for the timeout message */
	bool settled;     /* the outcome is decided; only QUIT is left */

	char *in; /* bytes received and not yet taken as a reply */
	size_t in_len, in_cap;
	char *out; /* the command being written */
	size_t out_len, out_off;

	uint64_t t_connected, t_handshake; /* CLOCK_MONOTONIC, µs */
};

static int fault(struct probe_tls_fault *f, enum probe_outcome outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill the caller's fault (the probe.c message formats are kept word for word); returns -1. */
static int fault(struct probe_tls_fault *f, enum probe_outcome outcome, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->outcome = outcome;
	f->detail = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	return -1;
}

static int set_events(struct probe_smtp *s, uint32_t events, struct probe_tls_fault *f)
{
	int r = sd_event_source_set_io_events(s->io, events);

	if (r < 0)
		return fault(f, PROBE_LOCAL_ERROR, "cannot watch the socket: %s", strerror(-r));
	return 0;
}

/* probe.h: every step has its own deadline, so a silent server costs one step, not forever. */
static int arm_step(struct probe_smtp *s, unsigned ms, struct probe_tls_fault *f)
{
	int r;

	s->step_ms = ms;
	r = sd_event_source_set_time(s->a.step_timer, monotime_usec() + (uint64_t)ms * 1000u);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->a.step_timer, SD_EVENT_ONESHOT);
	if (r < 0)
		return fault(f, PROBE_LOCAL_ERROR, "cannot arm the step deadline: %s",
			     strerror(-r));
	return 0;
}

/* Write cmd (taking ownership; NULL means memory ran out), then wait for its reply. */
static int send_command(struct probe_smtp *s, char *cmd, enum step next, unsigned ms,
			struct probe_tls_fault *f)
{
	if (cmd == NULL)
		return fault(f, PROBE_LOCAL_ERROR, "out of memory");
	free(s->out);
	s->out = cmd;
	s->out_len = strlen(cmd);
	s->out_off = 0;
	s->step = next;
	if (arm_step(s, ms, f) < 0)
		return -1;
	return set_events(s, EPOLLOUT, f);
}

/*
 * Decide the outcome now (taking ownership of detail), then leave politely: RFC 5321 §4.1.1.10
 * and COMMON-STLS-04 want QUIT, but its reply is not worth a full command deadline.
 */
static int settle(struct probe_smtp *s, enum probe_outcome outcome, char *detail,
		  struct probe_tls_fault *f)
{
	unsigned ms = s->a.timeouts->command;

	s->a.res->outcome = outcome;
	s->a.res->detail = detail;
	s->settled = true;
	if (outcome == PROBE_OK)
		s->a.res->stage = STAGE_QUIT;
	return send_command(s, strdup("QUIT\r\n"), ST_QUIT, ms < QUIT_WAIT_MS ? ms : QUIT_WAIT_MS,
			    f);
}

static int read_step(struct probe_smtp *s, struct probe_tls_fault *f);

/*
 * After a command is out: the reply may already be buffered, in s->in or inside OpenSSL, where
 * epoll cannot see it; waiting for EPOLLIN alone could then wait for the deadline.
 */
static int await_reply(struct probe_smtp *s, struct probe_tls_fault *f)
{
	if (set_events(s, EPOLLIN, f) < 0)
		return -1;
	if (s->in_len > 0 || (s->ssl != NULL && SSL_has_pending(s->ssl) == 1))
		return read_step(s, f);
	return 0;
}

static int write_step(struct probe_smtp *s, struct probe_tls_fault *f)
{
	uint32_t events = EPOLLOUT;
	ssize_t n = probe_tls_write(s->fd, s->ssl, s->out + s->out_off, s->out_len - s->out_off,
				    &events, f);

	if (n < 0)
		return -1;
	if (n == 0)
		return set_events(s, events, f);
	s->out_off += (size_t)n;
	/* A partial plain write: EPOLLOUT is still what we wait for. */
	if (s->out_off < s->out_len)
		return 0;
	free(s->out);
	s->out = NULL;
	s->out_len = s->out_off = 0;
	return await_reply(s, f);
}

/*
 * Read what the connection has into s->in, growing it up to IN_MAX. Returns 0 (*ret_events:
 * what to wait for, or 0 when the buffer is full), or -1 when the connection is over (*over
 * says how; what came before it is still parsed, so that a "421 closing" or "554" followed by a
 * close is seen, RFC 5321 §3.8).
 */
static int fill(struct probe_smtp *s, uint32_t *ret_events, struct probe_tls_fault *over)
{
	for (;;) {
		size_t cap = s->in_cap == 0 ? IN_FIRST : s->in_cap * 2;
		uint32_t events = EPOLLIN;
		ssize_t n;

		if (s->in_len == s->in_cap) {
			char *in;

			if (s->in_cap >= IN_MAX)
				return 0; /* full: the reader decides (smtp_reply.h bound) */
			cap = cap < IN_MAX ? cap : IN_MAX;
			in = realloc(s->in, cap);
			if (in == NULL) {
				over->outcome = PROBE_LOCAL_ERROR;
				over->detail = strdup("out of memory");
				return -1;
			}
			s->in = in;
			s->in_cap = cap;
		}
		n = probe_tls_read(s->fd, s->ssl, s->in + s->in_len, s->in_cap - s->in_len, &events,
				   over);
		if (n < 0)
			return -1;
		if (n == 0) {
			*ret_events = events;
			return 0;
		}
		s->in_len += (size_t)n;
	}
}

static int on_reply(struct probe_smtp *s, const struct smtp_reply *reply,
		    struct probe_tls_fault *f);

/* Take one reply, if a whole one is there, and act on it. */
static int read_step(struct probe_smtp *s, struct probe_tls_fault *f)
{
	struct probe_tls_fault over = { PROBE_OK, NULL };
	struct smtp_reply *reply = NULL;
	struct mxs_error err = { 0 };
	uint32_t events = 0;
	bool ended = fill(s, &events, &over) < 0;
	int r, ret = -1;

	if (events != 0 && set_events(s, events, f) < 0)
		goto out;
	r = smtp_reply_read(s->in, s->in_len, &reply, &err);
	if (r == -EPROTO)
		ret = fault(f, PROBE_PROTOCOL, "malformed reply: %s",
			    err.what != NULL ? err.what : "unreadable");
	else if (r < 0)
		ret = fault(f, PROBE_LOCAL_ERROR, "cannot read the reply: %s", strerror(-r));
	else if (r == 0 && ended) {
		/* Only now is the close the answer: no reply came before it. */
		*f = over;
		over.detail = NULL;
	} else if (r == 0 && s->in_len == IN_MAX)
		/* smtp_reply.h: a reply that is not whole by now never will be. */
		ret = fault(f, PROBE_PROTOCOL, "reply longer than %zu bytes", IN_MAX);
	else if (r == 0)
		ret = 0;
	if (r <= 0)
		goto out;
	memmove(s->in, s->in + r, s->in_len - (size_t)r);
	s->in_len -= (size_t)r;
	ret = on_reply(s, reply, f);
out:
	free(over.detail);
	(void)smtp_reply_free(reply);
	mxs_error_clear(&err);
	return ret;
}

/* "454 4.7.0 TLS not available" from a reply, for detail. */
static char *reply_text(const struct smtp_reply *reply)
{
	return mxs_strdupf("%d %s", reply->code, reply->n_lines > 0 ? reply->lines[0] : "");
}

static int handshake_step(struct probe_smtp *s, struct probe_tls_fault *f);

static int start_handshake(struct probe_smtp *s, struct probe_tls_fault *f)
{
	char *why = NULL;
	ssize_t n;
	char c;
	int r;

	/*
	 * COMMON-STLS-03, RFC 3207 §4.2: nothing from before TLS may carry over. An honest server
	 * says nothing between its 220 and our ClientHello; bytes here are an injection attempt
	 * or a broken server, and must never be fed to TLS or read as a post-TLS reply.
	 */
	n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (s->in_len > 0 || n > 0)
		return fault(f, PROBE_PROTOCOL,
			     "the server sent data after its 220 reply to STARTTLS");
	if (n == 0)
		return fault(f, PROBE_CLOSED,
			     "the server closed the connection after its 220 reply to "
			     "STARTTLS");
	s->a.res->stage = STAGE_HANDSHAKE;
	s->step = ST_HANDSHAKE;
	/* STS-CERT-07: probe_tls_new() sends the MX host name in SNI. */
	r = probe_tls_new(s->a.ssl_ctx, s->fd, s->a.host, s->a.res->alg, &s->ssl, &why);
	if (r < 0) {
		f->outcome = PROBE_LOCAL_ERROR;
		f->detail = why != NULL ? why : mxs_strdupf("%s", strerror(-r));
		return -1;
	}
	s->t_handshake = monotime_usec();
	if (arm_step(s, s->a.timeouts->tls, f) < 0)
		return -1;
	return handshake_step(s, f);
}

static int handshake_step(struct probe_smtp *s, struct probe_tls_fault *f)
{
	uint32_t events = EPOLLIN;
	char *why = NULL;
	int r = probe_tls_handshake(s->ssl, s->a.res->alg, &events, f);

	if (r < 0)
		return -1;
	if (r == 0)
		return set_events(s, events, f);
	s->a.res->handshake_ms = monotime_ms_since(s->t_handshake);
	r = probe_tls_record(s->ssl, s->a.store, s->a.at, s->a.warning_secs, s->a.critical_secs,
			     s->a.res, &why);
	if (r == -EINVAL) {
		f->outcome = PROBE_TLS_FAILED;
		f->detail = why;
		return -1;
	}
	free(why);
	if (r < 0)
		return fault(f, PROBE_LOCAL_ERROR, "cannot record the TLS session: %s",
			     strerror(-r));
	/* COMMON-STLS-03: the session is reset; ask again and trust only this answer. */
	s->a.res->stage = STAGE_EHLO_TLS;
	return send_command(s, mxs_strdupf("EHLO %s\r\n", s->a.ehlo_name), ST_EHLO_TLS,
			    s->a.timeouts->command, f);
}

/*
 * The per-step handling of a reply. Any code other than the one a step goes on with settles the
 * session as PROBE_REJECTED with the server's own words; checks/ decide what that means.
 */
static int on_reply(struct probe_smtp *s, const struct smtp_reply *reply, struct probe_tls_fault *f)
{
	unsigned command_ms = s->a.timeouts->command;
	struct smtp_probe *res = s->a.res;

	/* The QUIT reply is courtesy; reply_code keeps the last reply that mattered. */
	if (s->step != ST_QUIT)
		res->reply_code = reply->code;
	switch (s->step) {
	case ST_GREETING:
		res->greeting_ms = monotime_ms_since(s->t_connected);
		/* RFC 5321 §3.1: a 554 greeting is a refusal to talk, not an error of ours. */
		if (reply->code != 220)
			return settle(s, PROBE_REJECTED, reply_text(reply), f);
		res->banner = strdup(reply->n_lines > 0 ? reply->lines[0] : "");
		if (res->banner == NULL)
			return fault(f, PROBE_LOCAL_ERROR, "out of memory");
		/* COMMON-STLS-01: EHLO, not HELO, or no extension is listed. */
		res->stage = STAGE_EHLO;
		return send_command(s, mxs_strdupf("EHLO %s\r\n", s->a.ehlo_name), ST_EHLO,
				    command_ms, f);
	case ST_EHLO:
		if (reply->code != 250)
			return settle(s, PROBE_REJECTED, reply_text(reply), f);
		/* COMMON-STLS-01: the keyword is matched case-insensitively (smtp_reply.h). */
		res->starttls_offered = smtp_reply_has_keyword(reply, "STARTTLS");
		if (!res->starttls_offered)
			return settle(
			    s, PROBE_NO_STARTTLS,
			    strdup("STARTTLS not offered in the EHLO reply (COMMON-STLS-01)"), f);
		res->stage = STAGE_STARTTLS;
		return send_command(s, strdup("STARTTLS\r\n"), ST_STARTTLS, command_ms, f);
	case ST_STARTTLS:
		/* COMMON-STLS-02: 220 to go on; 454 and 501 are refusals. */
		if (reply->code != 220)
			return settle(s, PROBE_REJECTED, reply_text(reply), f);
		return start_handshake(s, f);
	case ST_EHLO_TLS:
		if (reply->code != 250)
			return settle(s, PROBE_REJECTED, reply_text(reply), f);
		/* The TLS facts are recorded; the post-TLS EHLO answering is all that was left. */
		return settle(s, PROBE_OK, NULL, f);
	case ST_QUIT:
		return 1;
	default:
		return 0;
	}
}

int probe_smtp_new(const struct probe_smtp_args *args, struct probe_smtp **ret_smtp)
{
	struct probe_smtp *s;

	if (args == NULL || ret_smtp == NULL || args->ssl_ctx == NULL || args->store == NULL ||
	    args->ehlo_name == NULL || args->timeouts == NULL || args->host == NULL ||
	    args->step_timer == NULL || args->res == NULL)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->a = *args;
	s->fd = -1;
	*ret_smtp = s;
	return 0;
}

struct probe_smtp *probe_smtp_free(struct probe_smtp *smtp)
{
	if (smtp == NULL)
		return NULL;
	/* Best-effort close_notify over a socket that is still open (probe_smtp.h). */
	(void)probe_tls_close(smtp->ssl);
	free(smtp->in);
	free(smtp->out);
	free(smtp);
	return NULL;
}

int probe_smtp_start(struct probe_smtp *smtp, int fd, sd_event_source *io,
		     struct probe_tls_fault *retfault)
{
	smtp->fd = fd;
	smtp->io = io;
	smtp->t_connected = monotime_usec();
	smtp->a.res->stage = STAGE_GREETING;
	smtp->step = ST_GREETING;
	/* COMMON-STLS-04: the greeting has its own, longer deadline (RFC 5321 §4.5.3.2). */
	if (arm_step(smtp, smtp->a.timeouts->greeting, retfault) < 0)
		return -1;
	return set_events(smtp, EPOLLIN, retfault);
}

int probe_smtp_io(struct probe_smtp *smtp, struct probe_tls_fault *retfault)
{
	if (smtp->step == ST_HANDSHAKE)
		return handshake_step(smtp, retfault);
	if (smtp->out != NULL)
		return write_step(smtp, retfault);
	return read_step(smtp, retfault);
}

bool probe_smtp_settled(const struct probe_smtp *smtp)
{
	return smtp->settled;
}

const char *probe_smtp_waiting_for(const struct probe_smtp *smtp, unsigned *ret_ms)
{
	static const char *const waiting_for[] = {
		[ST_GREETING] = "greeting",
		[ST_EHLO] = "reply to EHLO",
		[ST_STARTTLS] = "reply to STARTTLS",
		[ST_HANDSHAKE] = "TLS handshake",
		[ST_EHLO_TLS] = "reply to EHLO over TLS",
		[ST_QUIT] = "reply to QUIT",
	};

	*ret_ms = smtp->step_ms;
	return waiting_for[smtp->step];
}

bool probe_smtp_ehlo_name_ok(const char *s)
{
	size_t n = strlen(s);

	/* RFC 5321 §4.5.3.1.2: a domain is at most 255 octets. */
	if (n == 0 || n > 255)
		return false;
	/* The name goes on the wire as is: a space or CRLF would change the command. */
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

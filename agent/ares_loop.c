/*
 * ares_loop.c - a c-ares channel on the sd-event loop; see ares_loop.h.
 *
 * c-ares owns its sockets and announces each through the socket-state callback: one sd-event
 * I/O source per socket, and one timer source armed at ares_timeout() after every call into
 * c-ares. Nothing here knows what the queries are for; agent/resolver.c and agent/nsviews.c
 * decode the answers.
 */
#include "agent/ares_loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

/* Shortest first-try timeout worth giving a server, in milliseconds. */
#define ARES_LOOP_MIN_TRY_MS 50
/* Most tries per server accepted: the doubling makes more pointless (and overflows). */
#define ARES_LOOP_MAX_TRIES 16
/* The timer may fire this late (sd-event coalesces timers; its default slack is 250 ms). */
#define ARES_LOOP_TIMER_ACCURACY_USEC 1000

/* One socket c-ares asked us to watch. c-ares keeps few sockets (one per server and protocol). */
struct watch {
	struct watch *next;
	ares_socket_t fd;
	sd_event_source *source;
};

struct ares_loop {
	sd_event *loop;
	ares_channel channel;
	bool have_channel;
	bool freeing;           /* inside ares_loop_free(): the timer stays as it is */
	sd_event_source *timer; /* armed at ares_timeout() */
	struct watch *watches;
};

void ares_loop_rearm(struct ares_loop *al)
{
	struct timeval tv, *tvp;
	uint64_t now;

	if (al == NULL || al->freeing || !al->have_channel || al->timer == NULL)
		return;
	tvp = ares_timeout(al->channel, NULL, &tv);
	if (tvp == NULL) {
		(void)sd_event_source_set_enabled(al->timer, SD_EVENT_OFF);
		return;
	}
	if (sd_event_now(al->loop, CLOCK_MONOTONIC, &now) < 0)
		return;
	/*
	 * These two calls only change fields of an existing source; they fail only on a loop
	 * that is being torn down, when no query will be waited for anyway.
	 */
	(void)sd_event_source_set_time(al->timer, now + (uint64_t)tvp->tv_sec * 1000000u +
						      (uint64_t)tvp->tv_usec);
	(void)sd_event_source_set_enabled(al->timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct ares_loop *al = userdata;

	/* No socket is ready: c-ares only checks its deadlines (retries, timeouts). */
	ares_process_fd(al->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	ares_loop_rearm(al);
	return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct ares_loop *al = userdata;
	/* An error or hang-up is reported to c-ares as readable: its read fails and it moves on. */
	bool readable = (revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
	bool writable = (revents & EPOLLOUT) != 0;

	ares_process_fd(al->channel, readable ? fd : ARES_SOCKET_BAD,
			writable ? fd : ARES_SOCKET_BAD);
	ares_loop_rearm(al);
	return 0;
}

static void watch_free(struct watch *w)
{
	sd_event_source_disable_unref(w->source);
	free(w);
}

/*
 * c-ares announces a socket it opens, a change of interest, and (readable = writable = 0) a
 * socket it is about to close, so the source goes before the descriptor number can be reused.
 */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct ares_loop *al = data;
	struct watch **pw, *w;
	uint32_t events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);

	for (pw = &al->watches; *pw != NULL; pw = &(*pw)->next)
		if ((*pw)->fd == fd)
			break;
	w = *pw;
	if (events == 0) {
		if (w != NULL) {
			*pw = w->next;
			watch_free(w);
		}
		return;
	}
	if (w != NULL) {
		(void)sd_event_source_set_io_events(w->source, events);
		return;
	}
	/*
	 * Without a source the socket is not watched and its queries end at their deadline
	 * through the timer with ARES_ETIMEOUT: degraded, never stuck.
	 */
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return;
	if (sd_event_add_io(al->loop, &w->source, fd, events, on_io, al) < 0) {
		free(w);
		return;
	}
	w->fd = fd;
	w->next = al->watches;
	al->watches = w;
}

/* How many servers a channel made from /etc/resolv.conf asks in turn (at least 1). */
static int system_servers(size_t *ret_n)
{
	struct ares_addr_port_node *head = NULL, *s;
	ares_channel tmp;
	size_t n = 0;
	int status;

	/* A channel opens no socket before its first query: reading resolv.conf is all it does. */
	if (ares_init(&tmp) != ARES_SUCCESS)
		return -ENOMEM;
	status = ares_get_servers_ports(tmp, &head);
	ares_destroy(tmp);
	if (status != ARES_SUCCESS)
		return -ENOMEM;
	for (s = head; s != NULL; s = s->next)
		n++;
	ares_free_data(head);
	*ret_n = n > 0 ? n : 1;
	return 0;
}

/* How many servers the channel will ask: those of the list, or of resolv.conf. */
static int planned_servers(const char *servers, size_t *ret_n)
{
	size_t n = 1;
	const char *p;

	if (servers == NULL)
		return system_servers(ret_n);
	for (p = servers; *p != '\0'; p++)
		n += *p == ',';
	*ret_n = n;
	return 0;
}

/*
 * c-ares 1.18 gives each try of a query the first-try timeout T shifted left by the number of
 * complete passes over the n servers, so "tries" passes cost n * T * (2^tries - 1). Choose T so
 * that the whole query fits in timeout_ms (measured: a silent server, 3000 ms -> ends after
 * 3002 ms). A server that refuses (ICMP port unreachable) ends the query at once instead.
 */
static int try_timeout_ms(unsigned timeout_ms, size_t n_servers, int tries)
{
	unsigned long t = timeout_ms / (n_servers * ((1ul << tries) - 1));

	return t < ARES_LOOP_MIN_TRY_MS ? ARES_LOOP_MIN_TRY_MS : (int)t;
}

int ares_loop_new(sd_event *loop, const struct ares_loop_options *opts, struct ares_loop **ret_al,
		  struct mxs_error *reterr)
{
	struct ares_options o = { 0 };
	struct ares_loop *al = NULL;
	size_t n_servers;
	int status, tries, r;

	if (loop == NULL || opts == NULL || ret_al == NULL || opts->timeout_ms == 0 ||
	    opts->tries < 0 || opts->tries > ARES_LOOP_MAX_TRIES)
		return mxs_error_set(reterr, NULL, NULL, "c-ares channel: invalid arguments");
	tries = opts->tries > 0 ? opts->tries : ARES_LOOP_TRIES;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return -ENOMEM;
	/* From here on every failure goes through "out", which undoes what was done so far. */
	al = calloc(1, sizeof(*al));
	if (al == NULL) {
		r = -ENOMEM;
		goto out;
	}
	al->loop = sd_event_ref(loop);
	r = planned_servers(opts->servers, &n_servers);
	if (r < 0) {
		mxs_error_set(reterr, "/etc/resolv.conf", NULL,
			      "cannot read the resolver configuration");
		goto out;
	}
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = al;
	o.timeout = try_timeout_ms(opts->timeout_ms, n_servers, tries);
	o.tries = tries;
	o.flags = opts->flags | ARES_FLAG_NOCHECKRESP; /* see ares_loop.h */
	status = ares_init_options(&al->channel, &o,
				   ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
				       ARES_OPT_FLAGS);
	if (status != ARES_SUCCESS) {
		r = mxs_error_set(reterr, NULL, NULL, "cannot initialise c-ares: %s",
				  ares_strerror(status));
		goto out;
	}
	al->have_channel = true;
	if (opts->servers != NULL) {
		/* Accepts "1.2.3.4", "1.2.3.4:53", "::1" and "[::1]:53". */
		status = ares_set_servers_ports_csv(al->channel, opts->servers);
		if (status != ARES_SUCCESS) {
			r = mxs_error_set(reterr, NULL, NULL,
					  "resolver address \"%s\" is not valid: %s", opts->servers,
					  ares_strerror(status));
			goto out;
		}
	}
	r = sd_event_add_time(loop, &al->timer, CLOCK_MONOTONIC, UINT64_MAX,
			      ARES_LOOP_TIMER_ACCURACY_USEC, on_timer, al);
	if (r < 0) {
		mxs_error_set(reterr, NULL, NULL, "cannot add a timer to the event loop: %s",
			      strerror(-r));
		goto out;
	}
	(void)sd_event_source_set_enabled(al->timer, SD_EVENT_OFF);
	*ret_al = al;
	return 0;
out:
	/* ares_loop_free() also drops the library reference taken above. */
	if (al != NULL)
		(void)ares_loop_free(al);
	else
		ares_library_cleanup();
	return r;
}

struct ares_loop *ares_loop_free(struct ares_loop *al)
{
	struct watch *w;

	if (al == NULL || al->freeing)
		return NULL;
	al->freeing = true;
	/*
	 * ares_destroy() completes every pending query with ARES_EDESTRUCTION and reports its
	 * sockets closed through on_sock_state, which removes their sources; al is still whole
	 * meanwhile. Whatever it did not report goes below.
	 */
	if (al->have_channel)
		ares_destroy(al->channel);
	al->have_channel = false;
	while (al->watches != NULL) {
		w = al->watches;
		al->watches = w->next;
		watch_free(w);
	}
	sd_event_source_disable_unref(al->timer);
	sd_event_unref(al->loop);
	free(al);
	ares_library_cleanup();
	return NULL;
}

enum dns_status ares_loop_dns_status(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return DNS_OK;
	case ARES_ENODATA:
		return DNS_NODATA;
	case ARES_ENOTFOUND:
		return DNS_NXDOMAIN;
	case ARES_ESERVFAIL:
		return DNS_SERVFAIL;
	case ARES_ETIMEOUT:
		return DNS_TIMEOUT;
	default:
		return DNS_ERROR;
	}
}

ares_channel ares_loop_channel(const struct ares_loop *al)
{
	return al->channel;
}

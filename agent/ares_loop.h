/*
 * ares_loop.h - one c-ares channel driven by an sd-event loop.
 *
 * c-ares 1.18 says through its socket-state callback which sockets it wants watched; each gets
 * one sd-event I/O source, and one timer source is kept armed at ares_timeout() (DESIGN.md,
 * Runtime; the pattern of curl's lib/asyn-ares.c). Both sources call ares_process_fd() and re-arm
 * the timer. The owner makes its own ares_*() calls on the channel (ares_query(), ares_send())
 * and calls ares_loop_rearm() after each, since a new query may bring the deadline forward.
 *
 * Every channel has ARES_FLAG_NOCHECKRESP: without it c-ares 1.18 drops SERVFAIL, REFUSED and
 * NOTIMP answers, retries, and once the tries run out reports ARES_ECONNREFUSED, so what the
 * server said (a validating resolver's SERVFAIL, DANE-DNS-04) would look like a dead server.
 * With it the answers reach the query callback, which sees the RCODE's status (ARES_ESERVFAIL,
 * ARES_EREFUSED) and the raw answer.
 *
 * The channel's query callbacks run from inside ares_process_fd(), that is from this module's
 * sources, or from ares_loop_free() (ARES_EDESTRUCTION). They must not free the ares_loop.
 */
#ifndef MXS_AGENT_ARES_LOOP_H
#define MXS_AGENT_ARES_LOOP_H

#include <ares.h>
#include <systemd/sd-event.h>

#include "lib/error.h"
#include "lib/snapshot.h"

/* Tries per server when ares_loop_options.tries is 0; with c-ares's doubling, 3 timeouts. */
#define ARES_LOOP_TRIES 2

/* A c-ares channel and the sd-event sources that drive it. */
struct ares_loop;

/* How to make the channel. Zero-initialise, then set what differs from the defaults. */
struct ares_loop_options {
	/*
	 * The servers to ask, in turn: a comma-separated list of "address", "address:port" or
	 * "[v6]:port" (ares_set_servers_ports_csv()); NULL = those of /etc/resolv.conf.
	 */
	const char *servers;
	int flags;           /* ARES_FLAG_* (e.g. ARES_FLAG_NORECURSE), NOCHECKRESP is added */
	unsigned timeout_ms; /* deadline of one query, every try on every server included; > 0 */
	int tries;           /* tries per server; 0 = ARES_LOOP_TRIES */
};

/*
 * Make a channel on loop, with the sources that drive it (the timer starts disabled).
 *
 * loop:   the sd-event loop (referenced until ares_loop_free()).
 * opts:   the channel's servers, flags and deadline (read here, not kept).
 * ret_al: the new channel; free with ares_loop_free().
 * reterr: optional; why not (an invalid server address, /etc/resolv.conf unreadable, c-ares or
 *         loop setup).
 *
 * Returns 0; -EINVAL (a NULL argument, timeout_ms 0, tries negative or above 16, a server
 * that does not parse, c-ares setup; with reterr); -ENOMEM (also: /etc/resolv.conf could not be read);
 * or the loop's error when the timer cannot be added.
 */
int ares_loop_new(sd_event *loop, const struct ares_loop_options *opts, struct ares_loop **ret_al,
		  struct mxs_error *reterr);

/*
 * Destroy the channel: every query still pending completes now, from inside this call, with
 * ARES_EDESTRUCTION; then the sources are removed. NULL-safe; returns NULL. Must not be called
 * from inside one of the channel's query callbacks.
 */
struct ares_loop *ares_loop_free(struct ares_loop *al);

/* The channel, for ares_query() and the like (owned by al; valid until ares_loop_free()). */
ares_channel ares_loop_channel(const struct ares_loop *al);

/*
 * A query's ARES_* status as the snapshot records it (enum dns_status, lib/snapshot.h):
 * ARES_ENOTFOUND is NXDOMAIN (RCODE 3) and ARES_ENODATA a NOERROR answer without records of the
 * type (RFC 2308 §2.2, NODATA). Everything else, REFUSED, refused connections and malformed
 * answers included, is DNS_ERROR (ares_strerror() says which).
 */
enum dns_status ares_loop_dns_status(int status);

/*
 * Arm the timer at c-ares's next deadline, or disable it when no query is pending. Call it
 * after every ares_*() call that may start a query. NULL-safe; a no-op inside ares_loop_free().
 */
void ares_loop_rearm(struct ares_loop *al);

#endif

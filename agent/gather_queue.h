/*
 * gather_queue.h - schedule the SMTP sessions of a gather run (agent/gather.h) politely.
 *
 * Sessions of every domain share one FIFO queue. A queued session starts (agent/probe.h) when
 * fewer than max_sessions run and no session runs to the same address, whichever domain or MX
 * host name it is for (COMMON-STLS-04, DESIGN.md "Politeness toward other people's MX hosts").
 * The oldest session that may start starts first, so a tarpit holds one slot for one deadline
 * while the rest of the queue moves past it.
 *
 * The queue knows nothing of domains: each session carries the caller's userdata, and one
 * callback of the queue hears how each session ended. Everything runs on one loop, so no
 * locking.
 */
#ifndef MXS_AGENT_GATHER_QUEUE_H
#define MXS_AGENT_GATHER_QUEUE_H

#include <systemd/sd-event.h>
#include <time.h>

#include "agent/probe.h"
#include "lib/snapshot.h"

/* The queue of one run; made by gather_queue_new(), released by gather_queue_free(). */
struct gather_queue;

/* One SMTP session to schedule: the arguments of probe_start() that vary per session. */
struct gather_session {
	struct mx_host *host;    /* host->name is the SNI name (borrowed until done) */
	struct mx_address *addr; /* address as inet_ntop text (borrowed until done) */
	enum probe_alg alg;
	time_t at;                        /* the snapshot's time, for the verdicts */
	long warning_secs, critical_secs; /* offsets of the future verdicts */
	void *userdata;                   /* the caller's, handed back to done */
};

/*
 * Called exactly once per pushed session, when it ended (from the loop) or could not start
 * (from within gather_queue_pump()). session is borrowed for the call; result as in
 * probe_done_fn (probe.h): move its contents out and zero the pointers. The callback may push
 * more sessions; the queue starts them at its next pump.
 */
typedef void (*gather_queue_done_fn)(const struct gather_session *session,
				     struct smtp_probe *result);

/*
 * Make an empty queue.
 *
 * loop, env:    where sessions run and what they share (borrowed; must outlive the queue and
 *               every session in flight).
 * max_sessions: sessions in flight at most (at least 1).
 * port:         the TCP port every session connects to.
 * done:         the completion callback.
 * ret_queue:    the new queue; free with gather_queue_free().
 *
 * Returns 0, -EINVAL, or -ENOMEM.
 */
int gather_queue_new(sd_event *loop, struct probe_env *env, unsigned max_sessions, unsigned port,
		     gather_queue_done_fn done, struct gather_queue **ret_queue);

/*
 * Release the sessions still queued (done is not called for them) and, when none is in flight,
 * the queue. Sessions in flight keep the queue (only a failed loop leaves any; their
 * environment is kept alive with them). NULL-safe; returns NULL.
 */
struct gather_queue *gather_queue_free(struct gather_queue *queue);

/*
 * Append a session (copied) to the queue. It starts at a later gather_queue_pump() or when a
 * session in flight ends. Returns 0 or -ENOMEM (the session is then not queued).
 */
int gather_queue_push(struct gather_queue *queue, const struct gather_session *session);

/* Start queued sessions while there is room, oldest first, skipping those whose address is busy. */
void gather_queue_pump(struct gather_queue *queue);

/* Sessions started and not ended yet. 0 for NULL. */
unsigned gather_queue_in_flight(const struct gather_queue *queue);

#endif

/*
 * alerting.h - the agent's alerts: from each cycle's findings to messages in the durable outbox,
 * and from the outbox to the sinks (alerts/).
 *
 * After each domain's cycle (agent/sched.h) the alert side decides what to tell
 * (lib/alert_decide.h: flap damping, reminders, silences, inhibition), makes one message of it
 * for the domain (lib/alert.h), and queues for each sink the part meant for it (its tags and
 * min_severity): in one store transaction with the tracks that say it was told
 * (agent/store_alert.h), so that no alert is lost to a crash.
 *
 * Delivery: each sink has at most one delivery in flight and takes its rows oldest first; a
 * slow or dead sink holds back only its own rows, never the checks nor another sink. A delivery
 * that may work later is retried after 10 s, then twice as long each time up to 10 min; one
 * that never will (SINK_GIVE_UP) or that has been tried for longer than alerts.give_up is
 * dropped with an error in the log. A row cut off by a crash ("sending" at start) is sent again
 * and counted as redelivered: the receiver may see that message twice, with the same id.
 */
#ifndef MXS_AGENT_ALERTING_H
#define MXS_AGENT_ALERTING_H

#include <stddef.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "agent/config.h"
#include "agent/store.h"
#include "lib/finding.h"

struct alerting;

/* What /metrics and /status show of the alerts. */
struct alerting_stats {
	size_t pending;                  /* rows queued or in flight */
	unsigned long delivered, failed; /* since start */
	unsigned long redelivered;       /* rows found "sending" at start: sent again */
	unsigned long retries;           /* deliveries that will be tried again */
};

/* The alert side on loop, queueing into store (borrowed). Returns 0 or -errno. */
int alerting_new(sd_event *loop, struct store *store, struct alerting **ret,
		 struct mxs_error *reterr);

/*
 * Take cfg's sinks and alert settings (copied). Deliveries in flight are cancelled and their rows
 * queued again; rows of sinks no longer configured are dropped with a log entry. A sink that
 * cannot be set up (e.g. an unreadable password file) is logged and left out. Returns 0 or
 * -ENOMEM.
 */
int alerting_configure(struct alerting *a, const struct config *cfg);

/*
 * One domain's cycle: decide, queue, start delivering. tags is the domain's (NULL-terminated),
 * interval its schedule in seconds (an Alertmanager alert still firing is valid for three of
 * them). Failures are logged; the agent goes on.
 */
void alerting_cycle(struct alerting *a, const char *domain, const char *const *tags,
		    const struct findings *found, time_t at, unsigned interval);

/* Try every queued row now (SIGUSR1), whatever its next attempt. */
void alerting_retry_now(struct alerting *a);

const struct alerting_stats *alerting_stats(const struct alerting *a);

/* Release; deliveries in flight are cancelled (their rows stay queued). NULL-safe. */
struct alerting *alerting_free(struct alerting *a);

#endif

/*
 * sched.h - the agent's schedule: every configured domain is checked every interval, with
 * jitter, and each cycle is evaluated, recorded in the store and kept for /metrics and /status.
 *
 * Scheduling. Each domain has its own interval (mxsentry.conf(5): interval, default 1 h) and a
 * next due time on the monotonic clock. Its first check after start is spread over the first
 * twentieth of its interval (at most 30 s), at a place fixed by a hash of its name, so that a
 * thousand domains do not fire at once and a restart keeps their order; after each cycle the
 * next one is due after its interval, shifted at random by up to a tenth either way, so that
 * domains that happened to align drift apart.
 *
 * Batches. Domains that are due together are gathered together, in one run of agent/gather.h:
 * one resolver, one session queue, so that the global session cap and "one session at a time per
 * address" hold across domains (DESIGN.md, politeness). At most one run is in flight; domains
 * that fall due meanwhile wait for the next batch, which starts when it ends.
 *
 * A cycle of a domain: its checks run on the snapshot with the store's history (agent/observe.h,
 * agent/evaluate.h), what the cycle observed is recorded (MTA-STS history, keys, TLSA
 * sightings), then its findings become the store's current state, where every transition is an
 * event (agent/store_state.h). Transitions are logged with their fields (agent/log.h).
 *
 * Configuration. sched_configure() applies a (new) configuration: domains that stay keep their
 * due time and last cycle; new ones are spread as at start; removed ones are dropped and their
 * open problems forgotten in the store (not "resolved": removing a domain repairs nothing). A
 * run in flight keeps its own copies of what it needs, and its results for a removed domain are
 * dropped.
 */
#ifndef MXS_AGENT_SCHED_H
#define MXS_AGENT_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "agent/config.h"
#include "agent/store.h"
#include "checks/check.h"
#include "lib/finding.h"
#include "lib/snapshot.h"

/* One configured domain and what the schedule knows of it. */
struct sched_domain {
	char *name;
	unsigned checks; /* bit set of enabled checks */
	struct check_settings settings;
	unsigned interval;     /* seconds */
	char **tags;           /* NULL-terminated copy */
	uint64_t next_due;     /* CLOCK_MONOTONIC, microseconds */
	bool running;          /* in the run in flight */
	struct snapshot *snap; /* the last completed cycle, or NULL */
	struct findings found; /* its findings */
	time_t last_cycle_end; /* 0: none yet */
	unsigned cycles;       /* completed cycles since start */
};

/* Counters of the agent as a whole (for /metrics and /healthz). */
struct sched_stats {
	time_t started;
	time_t last_cycle_ok;   /* when the last run ended whose domains were all recorded */
	unsigned long cycles;   /* runs ended */
	unsigned long failures; /* runs that ended without results, or a domain not recorded */
	bool store_ok;          /* the last store operation succeeded */
	bool running;           /* a run is in flight */
	uint64_t run_started;   /* CLOCK_MONOTONIC, when the run in flight started */
};

struct sched;

/*
 * A schedule on loop, recording into store (borrowed; must outlive the schedule). It does
 * nothing until sched_configure(). Returns 0 or -ENOMEM.
 */
int sched_new(sd_event *loop, struct store *store, struct sched **ret);

/* Release the schedule; a run in flight is abandoned (only at exit). NULL-safe; returns NULL. */
struct sched *sched_free(struct sched *s);

/* Apply cfg (borrowed for the call; everything needed is copied). Returns 0 or -ENOMEM. */
int sched_configure(struct sched *s, const struct config *cfg);

/*
 * Called after each domain's cycle has been recorded (the alerts hang here): d is the domain
 * with its new snapshot and findings (borrowed for the call).
 */
typedef void (*sched_cycle_fn)(const struct sched_domain *d, void *userdata);
void sched_on_cycle(struct sched *s, sched_cycle_fn fn, void *userdata);

/* Make every domain due now (SIGUSR1: "check everything now"). */
void sched_run_now(struct sched *s);

/* The domains, in configuration order, and the counters: read-only views for the endpoint. */
const struct sched_domain *sched_domains(const struct sched *s, size_t *ret_n);
const struct sched_stats *sched_stats(const struct sched *s);

#endif

/*
 * gather_int.h - what the two halves of the gatherer share (agent/gather.c: one domain's stages;
 * agent/gather_run.c: the run around them, its self-checks and its completion). Nobody else
 * includes it.
 */
#ifndef MXS_AGENT_GATHER_INT_H
#define MXS_AGENT_GATHER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "agent/gather.h"
#include "agent/gather_queue.h"
#include "agent/resolver.h"

#define GATHER_DEFAULT_PORT   25
#define GATHER_DEFAULT_DNS_MS 10000
/* STS-FETCH-09: senders may give a policy fetch a minute. */
#define GATHER_DEFAULT_HTTPS_MS 60000
/*
 * A name known to be signed, asked once per run with AD requested to learn whether the resolver
 * validates (DANE-DNS-01): the root zone, whose trust anchor every validator has.
 */
#define GATHER_DNSSEC_PROBE_NAME "."
/*
 * DANE-LKP-01: the TLSA name of an MX host is _25._tcp.<host>. Senders always deliver to port
 * 25, so a test run that probes another port (smtp_port) still asks for port 25's records.
 */
#define GATHER_DANE_PORT 25
/* 2026-01-01T00:00:00Z: this code did not exist before, so a clock showing less is wrong. */
#define GATHER_CLOCK_FLOOR ((time_t)1767225600)

struct run;

/*
 * One domain being gathered. Its snapshot is written only from the loop's callbacks, one at a
 * time, so no locking; it becomes read-only when gather_run() hands it out.
 */
struct dom {
	struct run *run;
	const struct gather_domain *cfg;
	struct snapshot *snap;   /* allocated before the loop starts; owned by the run */
	uint64_t began_usec;     /* CLOCK_MONOTONIC */
	unsigned holds;          /* outstanding queries and sessions (+1 while a stage starts) */
	unsigned lookups_left;   /* A and AAAA queries not answered yet */
	struct lookup *lookups;  /* userdata of the A, AAAA and TLSA queries, three per MX host */
	unsigned dns_unanswered; /* queries of this domain that got no answer at all */
	unsigned probes;         /* sessions recorded for this domain */
};

/* Userdata of one A, AAAA or TLSA query. */
struct lookup {
	struct dom *dom;
	size_t host; /* index into snap->mx: the array does not move once lookups start (it may
		      * only be emptied, see gather_mx_order_addresses()) */
	int type;    /* ns_t_a, ns_t_aaaa or ns_t_tlsa */
};

/*
 * Everything one run shares: a gather (gather.h) from gather_start() to gather_free(). opts and
 * the domains are the caller's, borrowed for the run.
 */
struct run {
	const struct gather_opts *opts;
	sd_event *loop;
	sd_event_source *complete; /* defer source: calls done once the run has ended */
	gather_done_fn done;
	void *userdata;
	struct snapshot **snaps; /* one per domain until handed to done */
	struct resolver *res;
	struct probe_env *env;
	struct https *https; /* policy fetches; NULL when no domain needs one */
	struct dom *doms;
	size_t n, next, active, finished;
	unsigned max_sessions, max_domains, port;
	struct gather_queue *queue; /* the run's SMTP sessions; NULL until run_open() */
	/* self-checks */
	time_t began;
	unsigned dns_total, dns_unanswered;
	bool root_unanswered; /* the final "." NS query got no answer */
	/* The DNSSEC probe (GATHER_DNSSEC_PROBE_NAME SOA), asked when some domain needs OBS_TLSA. */
	bool dnssec_asked, dnssec_pending;
	bool dnssec_ad;                /* answered DNS_OK with AD: the resolver validates */
	enum dns_status dnssec_status; /* how the probe ended */
	unsigned probes, probes_unreachable;
	bool ended;    /* run_end() was called */
	bool reported; /* done was called */
	int error;     /* -ENOMEM met during the run: the snapshots are incomplete */
};

/* The loop's cached time of the current iteration: durations need no better. */
static inline uint64_t gather_now_usec(sd_event *loop)
{
	uint64_t t = 0;

	(void)sd_event_now(loop, CLOCK_MONOTONIC, &t);
	return t;
}

/* Start gathering one domain (gather.c). */
void gather_dom_start(struct dom *d);

/* The queue's callback for a finished SMTP session (gather.c). */
void gather_on_session(const struct gather_session *s, struct smtp_probe *p);

/* Start domains while there is room; end the run after the last one (gather_run.c). */
void gather_run_fill(struct run *run);

#endif

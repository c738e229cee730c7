/*
 * gather.h - gather snapshots (lib/snapshot.h) of many domains concurrently on one loop.
 *
 * For each domain: MX (a domain without MX falls back to its own addresses, RFC 5321 §5.1; a
 * null MX, RFC 7505, is recorded as such), A and AAAA of every MX host, then one SMTP session
 * per address with the default algorithm preferences and one more per other certificate
 * algorithm the server might hold (agent/probe.h). Politeness: at most max_sessions sessions in
 * flight overall, at most one at a time per address (even when two domains share an MX), and
 * the configured EHLO name.
 *
 * Alongside, as the domain's needs say: the _mta-sts TXT (OBS_STS_TXT) and, when a record of it
 * starts with "v=STSv1", the MTA-STS policy fetch (OBS_STS_POLICY, agent/https.h); the
 * _smtp._tls TXT (OBS_RPT_TXT); the TLSA RRset _25._tcp.<host> of every MX host (OBS_TLSA), with
 * the AD bit of every MX, address and TLSA answer recorded (DANE-DNS-01). Deadlines: timeouts.dns
 * per query, timeouts.https per fetch (0: 60 s).
 *
 * Self-checks before blaming a domain (snapshot.unknown_reason): the resolver does not answer;
 * port 25 is unreachable for every address of every domain of the run; the clock is obviously
 * wrong. An address family this host cannot reach at all (no route) is PROBE_UNREACHABLE.
 * When some domain needs OBS_TLSA, the run asks the SOA of a name known to be signed
 * (dnssec_probe_name) once, with AD requested; without AD in a positive answer, every domain that
 * needed OBS_TLSA gets snapshot.dnssec_unknown_reason (the resolver does not validate).
 */
#ifndef MXS_AGENT_GATHER_H
#define MXS_AGENT_GATHER_H

#include <stddef.h>
#include <systemd/sd-event.h>

#include "agent/config.h"
#include "lib/error.h"
#include "lib/snapshot.h"

/* Everything that shapes how a run gathers. Strings are borrowed for the run. */
struct gather_opts {
	const char *resolver; /* "addr[:port]", or NULL for /etc/resolv.conf */
	const char *ca_bundle;
	const char *ehlo_name;   /* NULL: the host name (gethostname) */
	const char *source_ipv4; /* NULL: the kernel's choice */
	const char *source_ipv6;
	struct timeouts timeouts; /* timeouts.dns 0: 10 s */
	unsigned max_sessions;    /* SMTP sessions in flight overall; 0 is taken as 1 */
	unsigned max_domains;     /* domains gathered at once; 0: all of them */
	unsigned smtp_port;       /* 25 (also when 0); tests may change it */
	/* a name known to be signed whose SOA must come back with AD; NULL: "." (the root zone).
	 * A lab whose resolver has a trust anchor for one test zone only names that zone. */
	const char *dnssec_probe_name;
};

/* One domain to gather. */
struct gather_domain {
	const char *name;  /* normalised (lib/dname.h) */
	long warning_secs; /* for the future path validations */
	long critical_secs;
	unsigned needs; /* enum obs bits (checks/check.h) of its enabled checks */
};

/* A run of gather_start(). */
struct gather;

/*
 * Called once when a run of gather_start() has ended, from the loop (a defer source of the run,
 * never from inside gather_start()).
 *
 * error: 0, or -ENOMEM when memory ran out during the run (snaps is then NULL: no partial
 *        snapshots are handed out).
 * snaps: n snapshots in the order of the domains, now the callee's (snapshot_free() each, free()
 *        the array); they are complete, the self-checks of the whole run applied.
 *
 * The callee may free the gather (gather_free()) from the callback.
 */
typedef void (*gather_done_fn)(struct gather *g, int error, struct snapshot **snaps, size_t n,
			       void *userdata);

/*
 * Gather the domains on loop (the agent's entry point): returns at once; done is called when
 * every domain is finished.
 *
 * opts, doms: borrowed until done has run (or the gather is freed).
 * ret:        the run; free with gather_free() once done has run.
 *
 * Returns 0 (done will be called), -EINVAL (with reterr: resolver address, CA bundle, ...) or
 * -ENOMEM (done will not be called).
 */
int gather_start(sd_event *loop, const struct gather_opts *opts, const struct gather_domain *doms,
		 size_t n, gather_done_fn done, void *userdata, struct gather **ret,
		 struct mxs_error *reterr);

/*
 * Release a run. Before done has run, only when the loop will not dispatch again (the agent
 * stopping): sessions in flight are abandoned, not cancelled. NULL-safe; returns NULL.
 */
struct gather *gather_free(struct gather *g);

/*
 * Gather every domain and return when all are done (the one-shot command's entry point). Runs
 * its own sd-event loop.
 *
 * ret_snaps:  on success, a new array of n snapshots in the order of doms; free each with
 *             snapshot_free() and the array with free().
 * reterr:     why the run could not start (resolver address, CA bundle, ...).
 *
 * The snapshots are complete and own everything (the probe results are moved into them). A
 * self-check that fires sets unknown_reason only on the snapshots it explains: a dead resolver
 * on those with unanswered queries, unreachable port 25 on those with sessions; a wrong clock
 * on all.
 *
 * Returns 0 (problems of the domains are inside the snapshots), -EINVAL (with reterr) or -ENOMEM
 * (also when memory ran out during the run: no partial snapshots are returned).
 */
int gather_run(const struct gather_opts *opts, const struct gather_domain *doms, size_t n,
	       struct snapshot ***ret_snaps, struct mxs_error *reterr);

#endif

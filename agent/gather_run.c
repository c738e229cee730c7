/*
 * gather_run.c - the run around the domains: its resolver, probe environment and session queue
 * on the caller's loop, the self-checks after the last domain, and the completion; see gather.h.
 *
 * After the last domain the self-checks (gather.h) turn what the run saw as a whole into
 * snapshot.unknown_reason, so that the checks do not blame a domain for the agent's own trouble;
 * likewise the one DNSSEC probe of the run, asked when some domain needs OBS_TLSA, becomes
 * snapshot.dnssec_unknown_reason when the resolver does not show that it validates.
 *
 * The end of a run is noticed inside a callback of the resolver or of a session; the caller's
 * done() runs later, from a defer source of its own, so that it may free the gather (and with it
 * the resolver whose callback noticed the end).
 */
#include "agent/gather.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/gather_int.h"
#include "agent/https.h"
#include "agent/probe.h"
#include "checks/check.h"

struct gather {
	struct run run;
};

static void run_complete(struct run *run);

/* Any answer, even SERVFAIL or REFUSED, proves the resolver alive; only silence counts. */
static void on_root(const struct dns_result *r, void *userdata)
{
	struct run *run = userdata;

	run->root_unanswered = r->unanswered;
	run_complete(run);
}

/* Every domain is done: stop the loop, after one more question to the resolver if needed. */
static void run_end(struct run *run)
{
	/* The DNSSEC probe's callback ends the run when it comes last. */
	if (run->ended || run->dnssec_pending)
		return;
	run->ended = true;
	/*
	 * Some queries went unanswered and some did not: ask the resolver "." NS, which any
	 * working resolver answers at once (even with SERVFAIL), to tell a resolver that died
	 * during the run from domains whose servers are silent.
	 */
	if (run->dns_unanswered > 0 && run->dns_unanswered < run->dns_total &&
	    resolver_query(run->res, ".", ns_t_ns, on_root, run) == 0)
		return;
	run_complete(run);
}

/* The DNSSEC probe's answer: only a validated positive answer shows a validating resolver. */
static void on_dnssec_probe(const struct dns_result *r, void *userdata)
{
	struct run *run = userdata;

	run->dnssec_pending = false;
	run->dnssec_status = r->status;
	run->dnssec_ad = r->status == DNS_OK && r->ad;
	if (run->finished == run->n)
		run_end(run);
}

/*
 * DANE-DNS-01: DANE trusts the AD bit of the configured resolver, which means something only
 * if the resolver validates. Once per run, not per domain: it is the same resolver for all.
 */
static int run_probe_dnssec(struct run *run)
{
	const char *name = run->opts->dnssec_probe_name != NULL ? run->opts->dnssec_probe_name
								: GATHER_DNSSEC_PROBE_NAME;
	size_t i;
	int r;

	for (i = 0; i < run->n; i++)
		if (run->doms[i].cfg->needs & OBS_TLSA)
			break;
	if (i == run->n)
		return 0;
	r = resolver_query(run->res, name, ns_t_soa, on_dnssec_probe, run);
	if (r < 0)
		return r;
	run->dnssec_asked = true;
	run->dnssec_pending = true;
	return 0;
}

void gather_run_fill(struct run *run)
{
	while (run->next < run->n && (run->max_domains == 0 || run->active < run->max_domains))
		gather_dom_start(&run->doms[run->next++]);
	if (run->finished == run->n)
		run_end(run);
}

/*
 * The DNSSEC probe's verdict, on every domain that needed OBS_TLSA: without proof that the
 * resolver validates, an answer without AD says nothing about the zone, so DANE is not judged.
 */
static int run_dnssec_verdicts(struct run *run)
{
	const char *server = run->opts->resolver;
	const char *name = run->opts->dnssec_probe_name != NULL ? run->opts->dnssec_probe_name
								: GATHER_DNSSEC_PROBE_NAME;
	bool root = strcmp(name, ".") == 0;
	char *who = NULL, *what = NULL;
	size_t i;
	int r = -ENOMEM;

	if (!run->dnssec_asked || run->dnssec_ad)
		return 0;
	who = server != NULL ? strdup(server) : strdup("of /etc/resolv.conf");
	what = root ? strdup("the root zone's SOA") : mxs_strdupf("the SOA of \"%s\"", name);
	if (who == NULL || what == NULL)
		goto out;
	for (i = 0; i < run->n; i++) {
		struct dom *d = &run->doms[i];
		char *why;

		if (!(d->cfg->needs & OBS_TLSA))
			continue;
		/* A positive answer without AD proves it; a failed probe only leaves it unknown. */
		if (run->dnssec_status == DNS_OK)
			why = mxs_strdupf("the resolver %s does not validate DNSSEC (no AD on %s): "
					  "DANE cannot be judged",
					  who, what);
		else
			why =
			    mxs_strdupf("cannot tell whether the resolver %s validates DNSSEC (%s: "
					"%s): DANE cannot be judged",
					who, what, dns_status_name(run->dnssec_status));
		if (why == NULL)
			goto out;
		d->snap->dnssec_unknown_reason = why;
	}
	r = 0;
out:
	free(who);
	free(what);
	return r;
}

/*
 * The self-checks of gather.h, applied to the snapshots after the run. Each reason goes only to
 * the domains it explains: a dead resolver to those whose queries went unanswered, blocked
 * port 25 to those that had sessions (a null-MX domain needed none). DESIGN.md: UNKNOWN is
 * never reported as the domain's fault, so the bar is "every" and not "most": one probe that
 * connected proves the port open, and the failures of the others belong to their domains.
 * Sessions of one family that are all PROBE_UNREACHABLE while the other family connects stay as
 * they are: the checks report those addresses UNKNOWN themselves.
 */
static int run_verdicts(struct run *run)
{
	const char *server = run->opts->resolver;
	bool clock_wrong = run->began < GATHER_CLOCK_FLOOR;
	bool resolver_dead =
	    (run->dns_total > 0 && run->dns_unanswered == run->dns_total) || run->root_unanswered;
	bool port_blocked = run->probes > 0 && run->probes_unreachable == run->probes;
	size_t i;

	for (i = 0; i < run->n; i++) {
		struct dom *d = &run->doms[i];
		char *why = NULL;

		/* A wrong clock spoils every certificate verdict: it goes first. */
		if (clock_wrong)
			why = strdup("the system clock is wrong");
		else if (resolver_dead && d->dns_unanswered > 0)
			why = mxs_strdupf("resolver %s does not answer",
					  server != NULL ? server : "of /etc/resolv.conf");
		else if (port_blocked && d->probes > 0)
			why = mxs_strdupf("port %u is unreachable from this host for every MX of "
					  "every domain (outbound port %u blocked?)",
					  run->port, run->port);
		else
			continue;
		if (why == NULL)
			return -ENOMEM;
		d->snap->unknown_reason = why;
	}
	return run_dnssec_verdicts(run);
}

/* Open the run's resolver, probe environment, HTTPS context and session queue on its loop. */
static int run_open(struct run *run, struct mxs_error *reterr)
{
	const struct gather_opts *o = run->opts;
	int r;

	r = resolver_new(run->loop, o->resolver,
			 o->timeouts.dns > 0 ? o->timeouts.dns : GATHER_DEFAULT_DNS_MS, &run->res,
			 reterr);
	if (r < 0)
		return r;
	/* COMMON-STLS-04: without a configured name, probe_env_new() uses the host's name. */
	r = probe_env_new(o->ca_bundle, o->ehlo_name, o->source_ipv4, o->source_ipv6, &o->timeouts,
			  &run->env, reterr);
	if (r < 0)
		return r;
	/* The HTTPS context (and its copy of the trust anchors) only for a run that fetches. */
	for (size_t i = 0; i < run->n; i++)
		if (run->doms[i].cfg->needs & OBS_STS_POLICY) {
			r = https_new(run->loop, run->res, o->ca_bundle, &run->https, reterr);
			if (r < 0)
				return r;
			break;
		}
	return gather_queue_new(run->loop, run->env, run->max_sessions, run->port,
				gather_on_session, &run->queue);
}

/* The run has ended: report from the loop, outside the callback that noticed it. */
static void run_complete(struct run *run)
{
	if (sd_event_source_set_enabled(run->complete, SD_EVENT_ONESHOT) < 0 && run->error == 0)
		run->error = -ENOMEM;
}

static int on_complete(sd_event_source *s, void *userdata)
{
	struct gather *g = userdata;
	struct run *run = &g->run;
	struct snapshot **snaps = NULL;
	int r = run->error;

	(void)s;
	if (run->reported)
		return 0;
	if (r == 0)
		r = run_verdicts(run);
	if (r == 0) {
		snaps = run->snaps;
		run->snaps = NULL;
	}
	run->reported = true;
	run->done(g, r, snaps, run->n, run->userdata);
	return 0;
}

/* Everything a domain needs up front, so that the callbacks never meet a missing snapshot. */
static int run_prepare(struct run *run, const struct gather_domain *doms)
{
	size_t i;

	run->snaps = calloc(run->n > 0 ? run->n : 1, sizeof(*run->snaps));
	run->doms = calloc(run->n > 0 ? run->n : 1, sizeof(*run->doms));
	if (run->snaps == NULL || run->doms == NULL)
		return -ENOMEM;
	for (i = 0; i < run->n; i++) {
		struct snapshot *snap = calloc(1, sizeof(*snap));

		if (snap == NULL)
			return -ENOMEM;
		run->snaps[i] = snap;
		snap->domain = strdup(doms[i].name);
		if (snap->domain == NULL)
			return -ENOMEM;
		snap->warning_secs = doms[i].warning_secs;
		snap->critical_secs = doms[i].critical_secs;
		snap->mx_status = DNS_ERROR;
		run->doms[i] = (struct dom){ .run = run, .cfg = &doms[i], .snap = snap };
	}
	return 0;
}

int gather_start(sd_event *loop, const struct gather_opts *opts, const struct gather_domain *doms,
		 size_t n, gather_done_fn done, void *userdata, struct gather **ret,
		 struct mxs_error *reterr)
{
	struct gather *g;
	struct run *run;
	int r;

	if (loop == NULL || opts == NULL || (doms == NULL && n > 0) || done == NULL || ret == NULL)
		return mxs_error_set(reterr, NULL, NULL, "gather: invalid arguments");
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	run = &g->run;
	*run = (struct run){ .opts = opts,
			     .loop = sd_event_ref(loop),
			     .done = done,
			     .userdata = userdata,
			     .n = n,
			     /* a limit of 0 sessions would never start one */
			     .max_sessions = opts->max_sessions > 0 ? opts->max_sessions : 1,
			     .max_domains = opts->max_domains,
			     .port = opts->smtp_port > 0 ? opts->smtp_port : GATHER_DEFAULT_PORT,
			     .began = time(NULL) };
	r = sd_event_add_defer(loop, &run->complete, on_complete, g);
	if (r >= 0)
		r = sd_event_source_set_enabled(run->complete, SD_EVENT_OFF);
	if (r >= 0)
		r = run_prepare(run, doms);
	if (r >= 0 && n > 0)
		r = run_open(run, reterr);
	if (r >= 0 && n > 0)
		r = run_probe_dnssec(run);
	if (r < 0) {
		gather_free(g);
		return r;
	}
	if (n > 0)
		gather_run_fill(run);
	else
		run_complete(run);
	*ret = g;
	return 0;
}

struct gather *gather_free(struct gather *g)
{
	struct run *run;
	size_t i;

	if (g == NULL)
		return NULL;
	run = &g->run;
	/* Only an abandoned run leaves sessions in flight; their environment must then stay. */
	if (gather_queue_in_flight(run->queue) == 0)
		probe_env_free(run->env);
	run->queue = gather_queue_free(run->queue);
	/* Before the resolver, which the fetches' lookups use (https.h). */
	https_free(run->https);
	resolver_free(run->res);
	sd_event_source_disable_unref(run->complete);
	if (run->snaps != NULL)
		for (i = 0; i < run->n; i++)
			snapshot_free(run->snaps[i]);
	free(run->snaps);
	if (run->doms != NULL)
		for (i = 0; i < run->n; i++)
			free(run->doms[i].lookups);
	free(run->doms);
	sd_event_unref(run->loop);
	free(g);
	return NULL;
}

/* gather_run(): what the completion hands over, and the end of the private loop. */
struct sync_result {
	int error;
	struct snapshot **snaps;
};

static void on_sync_done(struct gather *g, int error, struct snapshot **snaps, size_t n,
			 void *userdata)
{
	struct sync_result *res = userdata;

	(void)n;
	res->error = error;
	res->snaps = snaps;
	(void)sd_event_exit(sd_event_source_get_event(g->run.complete), 0);
}

int gather_run(const struct gather_opts *opts, const struct gather_domain *doms, size_t n,
	       struct snapshot ***ret_snaps, struct mxs_error *reterr)
{
	struct sync_result res = { .error = -EIO };
	struct gather *g = NULL;
	sd_event *loop = NULL;
	size_t i;
	int r;

	if (ret_snaps == NULL)
		return mxs_error_set(reterr, NULL, NULL, "gather: invalid arguments");
	/* A loop of its own: gather_run() must not run other people's sources. */
	r = sd_event_new(&loop);
	if (r < 0)
		return r;
	r = gather_start(loop, opts, doms, n, on_sync_done, &res, &g, reterr);
	if (r == 0)
		r = sd_event_loop(loop);
	if (r >= 0)
		r = res.error;
	if (r >= 0) {
		*ret_snaps = res.snaps;
		res.snaps = NULL;
		r = 0;
	}
	if (res.snaps != NULL)
		for (i = 0; i < n; i++)
			snapshot_free(res.snaps[i]);
	free(res.snaps);
	gather_free(g);
	sd_event_unref(loop);
	return r;
}

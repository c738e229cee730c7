/*
 * gather.c - gather the snapshots of many domains on one loop; see gather.h.
 *
 * Per domain: MX -> A and AAAA of every MX host -> one SMTP session per address and algorithm.
 * Each domain counts its outstanding operations ("holds"); when the count falls to zero the
 * domain is finished and the next one starts, up to max_domains at a time.
 *
 * SMTP sessions of every domain share one FIFO queue. A queued session starts when fewer than
 * max_sessions run and no session runs to the same address (COMMON-STLS-04, DESIGN.md:
 * politeness), so a tarpit holds one slot for one deadline while the rest of the queue moves.
 *
 * After the loop the self-checks (gather.h) turn what the run saw as a whole into
 * snapshot.unknown_reason, so that the checks do not blame a domain for the agent's own trouble.
 */
#include "agent/gather.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/probe.h"
#include "agent/resolver.h"
#include "checks/check.h"
#include "lib/dname.h"

#define GATHER_DEFAULT_PORT   25
#define GATHER_DEFAULT_DNS_MS 10000
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
	struct lookup *lookups;  /* userdata of those queries, two per MX host */
	unsigned dns_unanswered; /* queries of this domain that got no answer at all */
	unsigned probes;         /* sessions recorded for this domain */
};

/* Userdata of one A or AAAA query. */
struct lookup {
	struct dom *dom;
	size_t host; /* index into snap->mx: the array does not move once lookups start */
	int type;    /* ns_t_a or ns_t_aaaa */
};

/*
 * One SMTP session: queued, then in flight. host and addr point into the snapshot, whose
 * arrays are final by the time the first job of the domain exists.
 */
struct job {
	struct job *next; /* in the queue or in the list of sessions in flight */
	struct dom *dom;
	struct mx_host *host;
	struct mx_address *addr;
	enum probe_alg alg;
};

/* Everything one gather_run() shares; lives on its stack for the duration of the loop. */
struct run {
	const struct gather_opts *opts;
	sd_event *loop;
	struct resolver *res;
	struct probe_env *env;
	struct dom *doms;
	size_t n, next, active, finished;
	unsigned max_sessions, max_domains, port;
	struct job *queue, **queue_tail; /* FIFO of sessions waiting for a slot */
	struct job *running;             /* sessions in flight, at most max_sessions */
	unsigned in_flight;
	/* self-checks */
	time_t began;
	unsigned dns_total, dns_unanswered;
	bool root_unanswered; /* the final "." NS query got no answer */
	unsigned probes, probes_unreachable;
	bool ended; /* run_end() was called */
	int error;  /* -ENOMEM met during the run: the snapshots are incomplete */
};

static void run_fill(struct run *run);
static void run_pump(struct run *run);

/* The loop's cached time of the current iteration: durations need no better. */
static uint64_t now_usec(sd_event *loop)
{
	uint64_t t = 0;

	(void)sd_event_now(loop, CLOCK_MONOTONIC, &t);
	return t;
}

/* The last hold is gone: nothing of the domain is outstanding any more. */
static void dom_finish(struct dom *d)
{
	struct run *run = d->run;

	d->snap->duration_ms = (unsigned)((now_usec(run->loop) - d->began_usec) / 1000);
	free(d->lookups);
	d->lookups = NULL;
	run->active--;
	run->finished++;
	run_fill(run);
}

/*
 * Holds make "is the domain done?" a counter instead of a state machine: every query and
 * session holds the domain until its callback, and a stage that starts several of them holds
 * it once more meanwhile, so that an early answer cannot finish the domain half-way.
 */
static void dom_hold(struct dom *d)
{
	d->holds++;
}

static void dom_release(struct dom *d)
{
	if (--d->holds == 0)
		dom_finish(d);
}

/* Count every answer for the "resolver does not answer" self-check. */
static void dns_account(struct dom *d, const struct dns_result *r)
{
	d->run->dns_total++;
	if (r->unanswered) {
		d->run->dns_unanswered++;
		d->dns_unanswered++;
	}
}

/* Start a query that holds d until its callback has run. Returns 0 or resolver_query()'s error. */
static int dom_query(struct dom *d, const char *name, int type, resolver_done_fn done,
		     void *userdata)
{
	int r = resolver_query(d->run->res, name, type, done, userdata);

	if (r < 0)
		d->run->error = r;
	else
		dom_hold(d);
	return r;
}

static void job_enqueue(struct dom *d, struct mx_host *host, struct mx_address *addr,
			enum probe_alg alg)
{
	struct run *run = d->run;
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		run->error = -ENOMEM;
		return;
	}
	*j = (struct job){ .dom = d, .host = host, .addr = addr, .alg = alg };
	*run->queue_tail = j;
	run->queue_tail = &j->next;
	dom_hold(d);
}

/* Free what a probe result owns, when it cannot be kept. */
static void probe_result_release(struct smtp_probe *p)
{
	size_t i;

	free(p->detail);
	free(p->banner);
	free(p->tls_version_name);
	free(p->cipher);
	for (i = 0; i < p->chain_len; i++)
		certinfo_free(p->chain[i]);
	free(p->chain);
	free(p->verify_now.text);
	free(p->verify_warning.text);
	free(p->verify_critical.text);
	for (i = 0; i < p->path_len; i++)
		certinfo_free(p->path[i]);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

/*
 * Record a finished session and, for the first one of an address, decide on a second: a server
 * may hold an ECDSA and an RSA certificate and show RSA-only clients the one nobody watches
 * (DANE-ROT-06), so the algorithm the default session did not see is asked for explicitly.
 */
static void job_finish(struct job *j, struct smtp_probe *p)
{
	struct dom *d = j->dom;
	struct run *run = d->run;
	struct mx_address *a = j->addr;
	struct smtp_probe *grown;
	enum probe_alg other = PROBE_ALG_ANY;

	run->probes++;
	d->probes++;
	if (p->outcome == PROBE_UNREACHABLE ||
	    (p->outcome == PROBE_TIMEOUT && p->stage == STAGE_CONNECT))
		run->probes_unreachable++;
	if (j->alg == PROBE_ALG_ANY && (d->cfg->needs & OBS_SMTP) && p->chain_len > 0 &&
	    p->chain[0] != NULL) {
		if (p->chain[0]->key_type == KEY_TYPE_EC)
			other = PROBE_ALG_RSA;
		else if (p->chain[0]->key_type == KEY_TYPE_RSA)
			other = PROBE_ALG_ECDSA;
	}
	grown = realloc(a->probes, (a->n_probes + 1) * sizeof(*a->probes));
	if (grown == NULL) {
		run->error = -ENOMEM;
		probe_result_release(p);
	} else {
		/* probe.h: the contents move into the snapshot; the probe frees only the struct. */
		a->probes = grown;
		a->probes[a->n_probes++] = *p;
		memset(p, 0, sizeof(*p));
	}
	if (other != PROBE_ALG_ANY)
		job_enqueue(d, j->host, a, other);
	free(j);
	dom_release(d);
}

/* The list is at most max_sessions long: a linear search is enough. */
static void running_remove(struct run *run, struct job *j)
{
	struct job **pj;

	for (pj = &run->running; *pj != NULL; pj = &(*pj)->next)
		if (*pj == j) {
			*pj = j->next;
			run->in_flight--;
			return;
		}
}

/* probe.h: called once per started session, from the loop; a slot is free again. */
static void on_probe(struct smtp_probe *result, void *userdata)
{
	struct job *j = userdata;
	struct run *run = j->dom->run;

	running_remove(run, j);
	job_finish(j, result);
	run_pump(run);
}

/* One session at a time per address, whichever domain or host name it is for. */
static bool address_busy(const struct run *run, const struct mx_address *a)
{
	const struct job *j;

	for (j = run->running; j != NULL; j = j->next)
		if (j->addr->family == a->family && strcmp(j->addr->text, a->text) == 0)
			return true;
	return false;
}

/* A session that never started is recorded as the agent's own failure. */
static void job_not_started(struct job *j, int error)
{
	struct smtp_probe p = { .alg = j->alg,
				.outcome = PROBE_LOCAL_ERROR,
				.stage = STAGE_CONNECT,
				.detail = strdup(strerror(-error)) };

	job_finish(j, &p);
}

/* The snapshot keeps addresses as text (inet_ntop output), so they convert back exactly. */
static void job_start(struct run *run, struct job *j)
{
	struct dom *d = j->dom;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int r = -EAFNOSUPPORT;

	if (j->addr->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)run->port);
		len = sizeof(*sin6);
		if (inet_pton(AF_INET6, j->addr->text, &sin6->sin6_addr) == 1)
			r = 0;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)run->port);
		len = sizeof(*sin);
		if (inet_pton(AF_INET, j->addr->text, &sin->sin_addr) == 1)
			r = 0;
	}
	if (r == 0)
		r = probe_start(run->env, run->loop, (struct sockaddr *)&ss, len, j->host->name,
				j->alg, d->snap->taken_at, d->cfg->warning_secs,
				d->cfg->critical_secs, on_probe, j);
	if (r < 0) {
		job_not_started(j, r);
		return;
	}
	j->next = run->running;
	run->running = j;
	run->in_flight++;
}

/* Start queued sessions, oldest first, skipping those whose address is busy. */
static void run_pump(struct run *run)
{
	struct job **pj = &run->queue, *j;

	while (*pj != NULL && run->in_flight < run->max_sessions) {
		j = *pj;
		if (address_busy(run, j->addr)) {
			pj = &j->next;
			continue;
		}
		*pj = j->next;
		if (run->queue_tail == &j->next)
			run->queue_tail = pj;
		j->next = NULL;
		job_start(run, j);
	}
}

static int cmp_addr(const void *x, const void *y)
{
	const struct mx_address *a = x, *b = y;
	unsigned char ba[16] = { 0 }, bb[16] = { 0 };

	/* IPv4 first; then by address value, so that the order does not depend on the answer's. */
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	(void)inet_pton(a->family, a->text, ba);
	(void)inet_pton(b->family, b->text, bb);
	return memcmp(ba, bb, sizeof(ba));
}

/* snapshot.h: hosts sorted by preference, then name, so that reports are stable. */
static int cmp_host(const void *x, const void *y)
{
	const struct mx_host *a = x, *b = y;

	if (a->preference != b->preference)
		return a->preference < b->preference ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Every A and AAAA answer is in: order the addresses and queue one session per address. */
static void dom_addresses_done(struct dom *d)
{
	struct snapshot *s = d->snap;
	size_t i, k, w;

	/*
	 * RFC 5321 §5.1: without MX records the domain itself is the mail exchanger, but only if
	 * it has an address. When both lookups say there is none, the snapshot keeps the MX
	 * status and no host; a lookup that failed keeps the host, with its status.
	 */
	if (s->n_mx == 1 && s->mx[0].implicit && s->mx[0].n_addrs == 0 &&
	    (s->mx[0].a_status == DNS_NODATA || s->mx[0].a_status == DNS_NXDOMAIN) &&
	    (s->mx[0].aaaa_status == DNS_NODATA || s->mx[0].aaaa_status == DNS_NXDOMAIN)) {
		free(s->mx[0].name);
		free(s->mx);
		s->mx = NULL;
		s->n_mx = 0;
		return;
	}
	for (i = 0; i < s->n_mx; i++) {
		struct mx_host *h = &s->mx[i];

		if (h->n_addrs == 0)
			continue;
		qsort(h->addrs, h->n_addrs, sizeof(*h->addrs), cmp_addr);
		for (k = 1, w = 1; k < h->n_addrs; k++)
			if (cmp_addr(&h->addrs[k], &h->addrs[w - 1]) != 0)
				h->addrs[w++] = h->addrs[k];
		h->n_addrs = w;
	}
	/* COMMON-STLS-05: every address of every MX, the default session first. */
	for (i = 0; i < s->n_mx; i++)
		for (k = 0; k < s->mx[i].n_addrs; k++)
			job_enqueue(d, &s->mx[i], &s->mx[i].addrs[k], PROBE_ALG_ANY);
	run_pump(d->run);
}

/*
 * An A or AAAA answer. The addresses are appended as they come; their order is settled once
 * both answers are in (dom_addresses_done), so that it does not depend on which came first.
 */
static void on_addrs(const struct dns_result *r, void *userdata)
{
	struct lookup *lk = userdata;
	struct dom *d = lk->dom;
	struct mx_host *h = &d->snap->mx[lk->host];
	struct mx_address *grown;
	size_t i;

	dns_account(d, r);
	if (lk->type == ns_t_a)
		h->a_status = r->status;
	else
		h->aaaa_status = r->status;
	if (r->status == DNS_OK && r->n_addrs > 0) {
		grown = realloc(h->addrs, (h->n_addrs + r->n_addrs) * sizeof(*h->addrs));
		if (grown == NULL) {
			d->run->error = -ENOMEM;
		} else {
			h->addrs = grown;
			for (i = 0; i < r->n_addrs; i++) {
				struct mx_address *a = &h->addrs[h->n_addrs++];

				*a = (struct mx_address){ .family = r->addrs[i].family };
				memcpy(a->text, r->addrs[i].text, sizeof(a->text));
			}
		}
	}
	if (--d->lookups_left == 0)
		dom_addresses_done(d);
	dom_release(d);
}

/* Ask A and AAAA of every host in snap->mx (already sorted; the array stays put from here). */
static void dom_lookup_hosts(struct dom *d)
{
	struct snapshot *s = d->snap;
	size_t i;

	if (s->n_mx == 0)
		return;
	d->lookups = calloc(2 * s->n_mx, sizeof(*d->lookups));
	if (d->lookups == NULL) {
		d->run->error = -ENOMEM;
		return;
	}
	/* The statuses of queries that cannot start stay DNS_ERROR. */
	for (i = 0; i < s->n_mx; i++) {
		s->mx[i].a_status = DNS_ERROR;
		s->mx[i].aaaa_status = DNS_ERROR;
	}
	/* Hold the domain so that no answer can finish it before every query is out. */
	dom_hold(d);
	for (i = 0; i < 2 * s->n_mx; i++) {
		struct lookup *lk = &d->lookups[i];

		*lk =
		    (struct lookup){ .dom = d, .host = i / 2, .type = i % 2 ? ns_t_aaaa : ns_t_a };
		if (dom_query(d, s->mx[i / 2].name, lk->type, on_addrs, lk) == 0)
			d->lookups_left++;
	}
	if (d->lookups_left == 0)
		dom_addresses_done(d);
	dom_release(d);
}

/* The exchanges of an MX RRset: normalised, sorted by preference then name, without repeats. */
static int dom_take_mx(struct dom *d, const struct dns_result *r)
{
	struct snapshot *s = d->snap;
	size_t i, w;
	int ret;

	s->mx = calloc(r->n_mx, sizeof(*s->mx));
	if (s->mx == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_mx; i++) {
		char *name = NULL;

		/*
		 * A name that is not a host name cannot be connected to; it is left out. That
		 * includes a "." mixed with other records, which RFC 7505 §3 forbids: the others
		 * are still tried, as senders do.
		 */
		ret = dname_normalize(r->mx[i].name, strlen(r->mx[i].name), &name, NULL);
		if (ret == -ENOMEM)
			return ret;
		if (ret < 0)
			continue;
		s->mx[s->n_mx++] =
		    (struct mx_host){ .name = name, .preference = r->mx[i].preference };
	}
	if (s->n_mx == 0)
		return 0;
	qsort(s->mx, s->n_mx, sizeof(*s->mx), cmp_host);
	/* The same exchange twice (at two preferences) is one host: keep the preferred one. */
	for (i = 1, w = 1; i < s->n_mx; i++) {
		size_t k;
		bool seen = false;

		for (k = 0; k < w && !seen; k++)
			seen = strcmp(s->mx[k].name, s->mx[i].name) == 0;
		if (seen)
			free(s->mx[i].name);
		else
			s->mx[w++] = s->mx[i];
	}
	s->n_mx = w;
	return 0;
}

static void on_mx(const struct dns_result *r, void *userdata)
{
	struct dom *d = userdata;
	struct snapshot *s = d->snap;
	int ret = 0;

	dns_account(d, r);
	s->mx_status = r->status;
	if (r->status == DNS_OK && r->n_mx == 1 && r->mx[0].name[0] == '\0') {
		/* RFC 7505 §3: a single "MX 0 ." says the domain accepts no mail; nothing to probe. */
		s->null_mx = true;
	} else if (r->status == DNS_OK) {
		ret = dom_take_mx(d, r);
	} else if (r->status == DNS_NODATA) {
		/* RFC 5321 §5.1: no MX RRset, the domain is its own (implicit) MX. */
		s->mx = calloc(1, sizeof(*s->mx));
		if (s->mx == NULL) {
			ret = -ENOMEM;
		} else {
			s->mx[0] = (struct mx_host){ .name = strdup(s->domain),
						     .preference = -1,
						     .implicit = true };
			s->n_mx = 1;
			if (s->mx[0].name == NULL)
				ret = -ENOMEM;
		}
	}
	/* NXDOMAIN: the name has no records at all, an implicit MX included. */
	if (ret < 0)
		d->run->error = ret;
	else
		dom_lookup_hosts(d);
	dom_release(d);
}

/*
 * taken_at is wall-clock time (the checks compare it with certificate dates), duration is
 * measured on the monotonic clock, which no clock step can make negative.
 */
static void dom_start(struct dom *d)
{
	struct run *run = d->run;

	run->active++;
	d->began_usec = now_usec(run->loop);
	d->snap->taken_at = time(NULL);
	dom_hold(d);
	(void)dom_query(d, d->cfg->name, ns_t_mx, on_mx, d);
	dom_release(d);
}

/* Any answer, even SERVFAIL or REFUSED, proves the resolver alive; only silence counts. */
static void on_root(const struct dns_result *r, void *userdata)
{
	struct run *run = userdata;

	run->root_unanswered = r->unanswered;
	(void)sd_event_exit(run->loop, 0);
}

/* Every domain is done: stop the loop, after one more question to the resolver if needed. */
static void run_end(struct run *run)
{
	if (run->ended)
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
	(void)sd_event_exit(run->loop, 0);
}

/* Start domains while there is room; stop the loop when the last one is finished. */
static void run_fill(struct run *run)
{
	while (run->next < run->n && (run->max_domains == 0 || run->active < run->max_domains))
		dom_start(&run->doms[run->next++]);
	if (run->finished == run->n)
		run_end(run);
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
	return 0;
}

/*
 * Open the run's loop, resolver and probe environment. A loop of its own, not the default one:
 * gather_run() returns only when its work is done and must not run other people's sources.
 */
static int run_open(struct run *run, struct mxs_error *reterr)
{
	const struct gather_opts *o = run->opts;
	char host[HOST_NAME_MAX + 1] = { 0 };
	const char *ehlo = o->ehlo_name;
	int r;

	r = sd_event_new(&run->loop);
	if (r < 0)
		return r;
	r = resolver_new(run->loop, o->resolver,
			 o->timeouts.dns > 0 ? o->timeouts.dns : GATHER_DEFAULT_DNS_MS, &run->res,
			 reterr);
	if (r < 0)
		return r;
	/* COMMON-STLS-04: EHLO with the monitor's real host name. */
	if (ehlo == NULL) {
		if (gethostname(host, sizeof(host) - 1) < 0)
			return mxs_error_set(reterr, NULL, "COMMON-STLS-04",
					     "no EHLO name configured and no host name: %s",
					     strerror(errno));
		ehlo = host;
	}
	return probe_env_new(o->ca_bundle, ehlo, o->source_ipv4, o->source_ipv6, &o->timeouts,
			     &run->env, reterr);
}

int gather_run(const struct gather_opts *opts, const struct gather_domain *doms, size_t n,
	       struct snapshot ***ret_snaps, struct mxs_error *reterr)
{
	struct run run = { .opts = opts };
	struct snapshot **snaps = NULL;
	size_t i;
	int r;

	if (opts == NULL || (doms == NULL && n > 0) || ret_snaps == NULL)
		return mxs_error_set(reterr, NULL, NULL, "gather: invalid arguments");
	run.queue_tail = &run.queue;
	run.n = n;
	/* A limit of 0 sessions would never start one. */
	run.max_sessions = opts->max_sessions > 0 ? opts->max_sessions : 1;
	run.max_domains = opts->max_domains;
	run.port = opts->smtp_port > 0 ? opts->smtp_port : GATHER_DEFAULT_PORT;
	run.began = time(NULL);
	snaps = calloc(n > 0 ? n : 1, sizeof(*snaps));
	run.doms = calloc(n > 0 ? n : 1, sizeof(*run.doms));
	if (snaps == NULL || run.doms == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* Everything a domain needs up front, so that the callbacks never meet a missing snapshot. */
	for (i = 0; i < n; i++) {
		snaps[i] = calloc(1, sizeof(**snaps));
		if (snaps[i] == NULL) {
			r = -ENOMEM;
			goto out;
		}
		snaps[i]->domain = strdup(doms[i].name);
		if (snaps[i]->domain == NULL) {
			r = -ENOMEM;
			goto out;
		}
		snaps[i]->warning_secs = doms[i].warning_secs;
		snaps[i]->critical_secs = doms[i].critical_secs;
		snaps[i]->mx_status = DNS_ERROR;
		run.doms[i] = (struct dom){ .run = &run, .cfg = &doms[i], .snap = snaps[i] };
	}
	if (n > 0) {
		r = run_open(&run, reterr);
		if (r < 0)
			goto out;
		run_fill(&run);
		r = sd_event_loop(run.loop);
		if (r < 0)
			goto out;
	}
	r = run.error;
	if (r == 0)
		r = run_verdicts(&run);
	if (r < 0)
		goto out;
	*ret_snaps = snaps;
	snaps = NULL;
out:
	/* Only a loop failure leaves sessions in flight; their environment must then stay. */
	if (run.in_flight == 0)
		probe_env_free(run.env);
	resolver_free(run.res);
	sd_event_unref(run.loop);
	if (snaps != NULL)
		for (i = 0; i < n; i++)
			snapshot_free(snaps[i]);
	free(snaps);
	if (run.doms != NULL)
		for (i = 0; i < n; i++)
			free(run.doms[i].lookups);
	free(run.doms);
	while (run.queue != NULL) {
		struct job *j = run.queue;

		run.queue = j->next;
		free(j);
	}
	return r;
}

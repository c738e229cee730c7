/*
 * gather.c - gather the snapshots of many domains on one loop; see gather.h.
 *
 * Per domain: MX -> A and AAAA of every MX host -> one SMTP session per address and algorithm;
 * alongside, when its checks need them, the _mta-sts TXT -> the policy fetch (agent/https.h),
 * and the _smtp._tls TXT; with OBS_TLSA, the TLSA RRset of every MX host, asked as soon as the MX
 * answer is in, alongside the address lookups and the sessions. Each domain counts its
 * outstanding operations ("holds"); when the count falls to zero the domain is finished and the
 * next one starts, up to max_domains at a time.
 *
 * SMTP sessions of every domain share one FIFO queue (agent/gather_queue.h): at most
 * max_sessions in flight and one per address (COMMON-STLS-04, DESIGN.md: politeness). This file
 * decides which sessions a domain needs and records what they saw.
 *
 * After the loop the self-checks (gather.h) turn what the run saw as a whole into
 * snapshot.unknown_reason, so that the checks do not blame a domain for the agent's own trouble;
 * likewise the one DNSSEC probe of the run, asked when some domain needs OBS_TLSA, becomes
 * snapshot.dnssec_unknown_reason when the resolver does not show that it validates.
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

#include "agent/gather_mx.h"
#include "agent/gather_queue.h"
#include "agent/https.h"
#include "agent/nsviews.h"
#include "agent/probe.h"
#include "agent/resolver.h"
#include "checks/check.h"
#include "lib/dname.h"

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

/* Everything one gather_run() shares; lives on its stack for the duration of the loop. */
struct run {
	const struct gather_opts *opts;
	sd_event *loop;
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
	bool ended; /* run_end() was called */
	int error;  /* -ENOMEM met during the run: the snapshots are incomplete */
};

static void run_fill(struct run *run);

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

/*
 * Queue a session that holds d until it has been recorded. host and addr point into the
 * snapshot, whose arrays are final by the time the first session of the domain is queued.
 */
static void dom_enqueue(struct dom *d, struct mx_host *host, struct mx_address *addr,
			enum probe_alg alg)
{
	const struct gather_session s = { .host = host,
					  .addr = addr,
					  .alg = alg,
					  .at = d->snap->taken_at,
					  .warning_secs = d->cfg->warning_secs,
					  .critical_secs = d->cfg->critical_secs,
					  .userdata = d };
	int r = gather_queue_push(d->run->queue, &s);

	if (r < 0) {
		d->run->error = r;
		return;
	}
	dom_hold(d);
}

/*
 * Record a finished session and, for the first one of an address, decide on a second: a server
 * may hold an ECDSA and an RSA certificate and show RSA-only clients the one nobody watches
 * (DANE-ROT-06), so the algorithm the default session did not see is asked for explicitly.
 */
static void on_session(const struct gather_session *s, struct smtp_probe *p)
{
	struct dom *d = s->userdata;
	struct run *run = d->run;
	struct mx_address *a = s->addr;
	struct smtp_probe *grown;
	enum probe_alg other = PROBE_ALG_ANY;

	run->probes++;
	d->probes++;
	if (p->outcome == PROBE_UNREACHABLE ||
	    (p->outcome == PROBE_TIMEOUT && p->stage == STAGE_CONNECT))
		run->probes_unreachable++;
	if (s->alg == PROBE_ALG_ANY && (d->cfg->needs & OBS_SMTP) && p->chain_len > 0 &&
	    p->chain[0] != NULL) {
		if (p->chain[0]->key_type == KEY_TYPE_EC)
			other = PROBE_ALG_RSA;
		else if (p->chain[0]->key_type == KEY_TYPE_RSA)
			other = PROBE_ALG_ECDSA;
	}
	grown = realloc(a->probes, (a->n_probes + 1) * sizeof(*a->probes));
	if (grown == NULL) {
		run->error = -ENOMEM;
		smtp_probe_clear(p);
	} else {
		/* probe.h: the contents move into the snapshot; the probe frees only the struct. */
		a->probes = grown;
		a->probes[a->n_probes++] = *p;
		memset(p, 0, sizeof(*p));
	}
	if (other != PROBE_ALG_ANY)
		dom_enqueue(d, s->host, a, other);
	dom_release(d);
}

/* Every A and AAAA answer is in: order the addresses and queue one session per address. */
static void dom_addresses_done(struct dom *d)
{
	struct snapshot *s = d->snap;
	size_t i, k;

	gather_mx_order_addresses(s);
	/* An implicit MX without an address was dropped: nothing to probe. */
	if (s->n_mx == 0)
		return;
	/* COMMON-STLS-05: every address of every MX, the default session first. */
	for (i = 0; i < s->n_mx; i++)
		for (k = 0; k < s->mx[i].n_addrs; k++)
			dom_enqueue(d, &s->mx[i], &s->mx[i].addrs[k], PROBE_ALG_ANY);
	gather_queue_pump(d->run->queue);
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
	/*
	 * DANE-LKP-04: the host's addresses are secure when every answer that returned addresses
	 * carried AD. An answer with data always adds addresses, so none yet means this is the
	 * first one.
	 */
	if (r->status == DNS_OK && r->n_addrs > 0)
		h->addr_secure = h->n_addrs == 0 ? r->ad : h->addr_secure && r->ad;
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

/*
 * Copy a TLSA answer into the host's lookup (the answer is borrowed for the callback only). The
 * records keep the answer's order, usable or not: the checks judge them (DANE-USG-04).
 */
static int tlsa_take(struct tlsa_lookup *t, const struct dns_result *r)
{
	size_t i;

	t->status = r->status;
	t->secure = r->ad;
	t->ttl = r->ttl;
	if (r->rrsig) {
		/* RFC 4034 §3.1.5: 32-bit times, read as the nearest to now */
		time_t now = time(NULL);

		t->sig_expiration = now + (int32_t)(r->rrsig_expiration - (uint32_t)now);
		t->sig_inception = now + (int32_t)(r->rrsig_inception - (uint32_t)now);
	}
	if (r->detail != NULL) {
		t->detail = strdup(r->detail);
		if (t->detail == NULL)
			return -ENOMEM;
	}
	if (r->n_tlsa == 0)
		return 0;
	t->rrs = calloc(r->n_tlsa, sizeof(*t->rrs));
	if (t->rrs == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_tlsa; i++) {
		struct tlsa_rr *to = &t->rrs[i];

		*to = (struct tlsa_rr){ .usage = r->tlsa[i].usage,
					.selector = r->tlsa[i].selector,
					.mtype = r->tlsa[i].mtype };
		if (r->tlsa[i].len > 0) {
			to->data = malloc(r->tlsa[i].len);
			if (to->data == NULL)
				return -ENOMEM;
			memcpy(to->data, r->tlsa[i].data, r->tlsa[i].len);
			to->len = r->tlsa[i].len;
		}
		t->n_rrs = i + 1;
	}
	return 0;
}

/*
 * A TLSA answer. An implicit MX without an address is dropped from the snapshot once its
 * address answers are in (gather_mx_order_addresses()); a TLSA answer that comes later has no
 * host left to go to.
 */
static void on_tlsa(const struct dns_result *r, void *userdata)
{
	struct lookup *lk = userdata;
	struct dom *d = lk->dom;

	dns_account(d, r);
	if (lk->host < d->snap->n_mx && tlsa_take(&d->snap->mx[lk->host].tlsa, r) < 0)
		d->run->error = -ENOMEM;
	dom_release(d);
}

/*
 * DANE-LKP-01, DANE-LKP-02: the TLSA RRset of every MX host, whatever its preference. The
 * query is asked by the MX host's own name: the base domain stays the host (DD4), and the
 * resolver follows a CNAME of _25._tcp.<host> (DANE-LKP-06).
 */
static void dom_lookup_tlsa(struct dom *d)
{
	struct snapshot *s = d->snap;
	size_t i;

	for (i = 0; i < s->n_mx; i++) {
		struct tlsa_lookup *t = &s->mx[i].tlsa;
		struct lookup *lk = &d->lookups[2 * s->n_mx + i];

		*lk = (struct lookup){ .dom = d, .host = i, .type = ns_t_tlsa };
		/* A query that cannot start stays DNS_ERROR. */
		t->looked_up = true;
		t->status = DNS_ERROR;
		t->qname = mxs_strdupf("_%d._tcp.%s", GATHER_DANE_PORT, s->mx[i].name);
		if (t->qname == NULL) {
			d->run->error = -ENOMEM;
			return;
		}
		(void)dom_query(d, t->qname, ns_t_tlsa, on_tlsa, lk);
	}
}

/*
 * Ask A and AAAA of every host in snap->mx (already sorted; the array stays put from here), and
 * its TLSA when the domain's checks need it.
 */
static void dom_lookup_hosts(struct dom *d)
{
	struct snapshot *s = d->snap;
	size_t i;

	if (s->n_mx == 0)
		return;
	d->lookups = calloc(3 * s->n_mx, sizeof(*d->lookups));
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
	if (d->cfg->needs & OBS_TLSA)
		dom_lookup_tlsa(d);
	if (d->lookups_left == 0)
		dom_addresses_done(d);
	dom_release(d);
}

static void on_mx(const struct dns_result *r, void *userdata)
{
	struct dom *d = userdata;
	struct snapshot *s = d->snap;
	int ret = 0;

	dns_account(d, r);
	s->mx_status = r->status;
	/* DANE-LKP-03: whether the MX RRset (or its denial) was validated. */
	s->mx_secure = r->ad;
	if (r->status == DNS_OK && r->n_mx == 1 && r->mx[0].name[0] == '\0') {
		/* RFC 7505 §3: a single "MX 0 ." says the domain accepts no mail; nothing to probe. */
		s->null_mx = true;
	} else if (r->status == DNS_OK) {
		ret = gather_mx_take(s, r);
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
 * Copy a TXT answer into a snapshot's lookup (the answer is borrowed for the callback only).
 * The records keep the answer's order; the checks count and judge them (STS-TXT-04).
 */
static int txt_take(struct txt_lookup *t, const struct dns_result *r)
{
	size_t i;

	t->looked_up = true;
	t->status = r->status;
	t->ttl = r->ttl;
	if (r->detail != NULL) {
		t->detail = strdup(r->detail);
		if (t->detail == NULL)
			return -ENOMEM;
	}
	if (r->n_txt == 0)
		return 0;
	t->records = calloc(r->n_txt, sizeof(*t->records));
	if (t->records == NULL)
		return -ENOMEM;
	for (i = 0; i < r->n_txt; i++) {
		struct txt_record *to = &t->records[i];

		*to = r->txt[i];
		/* data holds len bytes and a NUL; a NUL inside is impossible (has_nul cuts it). */
		to->data = malloc(r->txt[i].len + 1);
		if (to->data == NULL)
			return -ENOMEM;
		memcpy(to->data, r->txt[i].data, r->txt[i].len + 1);
		t->n_records = i + 1;
	}
	return 0;
}

static void on_rpt_txt(const struct dns_result *r, void *userdata)
{
	struct dom *d = userdata;

	dns_account(d, r);
	if (txt_take(&d->snap->rpt_txt, r) < 0)
		d->run->error = -ENOMEM;
	dom_release(d);
}

/* The fetch moves into the snapshot (https.h: the callee takes the contents). */
static void on_policy(struct policy_fetch *result, void *userdata)
{
	struct dom *d = userdata;

	d->snap->policy = *result;
	memset(result, 0, sizeof(*result));
	dom_release(d);
}

/*
 * A sender fetches the policy only when the TXT record announces one. The record's grammar is
 * the checks' to judge (lib/sts_txt.h); here the version prefix is enough to decide that a
 * sender would go on (STS-TXT-04, STS-TXT-06).
 */
static bool sts_announced(const struct txt_lookup *t)
{
	size_t i;

	for (i = 0; i < t->n_records; i++)
		if (strncmp(t->records[i].data, "v=STSv1", 7) == 0)
			return true;
	return false;
}

static void on_sts_txt(const struct dns_result *r, void *userdata)
{
	struct dom *d = userdata;
	struct run *run = d->run;
	struct snapshot *s = d->snap;
	unsigned ms =
	    run->opts->timeouts.https > 0 ? run->opts->timeouts.https : GATHER_DEFAULT_HTTPS_MS;
	int ret;

	dns_account(d, r);
	if (txt_take(&s->sts_txt, r) < 0) {
		run->error = -ENOMEM;
	} else if ((d->cfg->needs & OBS_STS_POLICY) && run->https != NULL &&
		   sts_announced(&s->sts_txt)) {
		ret = https_fetch_policy(run->https, s->domain, s->taken_at, d->cfg->warning_secs,
					 d->cfg->critical_secs, ms, on_policy, d);
		if (ret < 0)
			run->error = ret;
		else
			dom_hold(d);
	}
	dom_release(d);
}

/*
 * The MTA-STS and TLS-RPT lookups run alongside the MX work: the domain is finished when all
 * of it is. The policy fetch needs the _mta-sts answer, so OBS_STS_POLICY asks for it too.
 */
static void dom_start_txt(struct dom *d)
{
	unsigned needs = d->cfg->needs;
	char *name;

	if (needs & (OBS_STS_TXT | OBS_STS_POLICY)) {
		/* STS-TXT-01, STS-TXT-12: exactly this name, never a parent's. */
		name = mxs_strdupf("_mta-sts.%s", d->cfg->name);
		if (name == NULL)
			d->run->error = -ENOMEM;
		else
			(void)dom_query(d, name, ns_t_txt, on_sts_txt, d);
		free(name);
	}
	if (needs & OBS_RPT_TXT) {
		/* RPT-TXT-01 (RFC 8460 §3): the record lives at _smtp._tls.<domain>. */
		name = mxs_strdupf("_smtp._tls.%s", d->cfg->name);
		if (name == NULL)
			d->run->error = -ENOMEM;
		else
			(void)dom_query(d, name, ns_t_txt, on_rpt_txt, d);
		free(name);
	}
}

/* MXS-NS-01: the zone's authoritative servers, each asked directly; the contents move in. */
static void on_ns_views(struct nsviews_result *r, void *userdata)
{
	struct dom *d = userdata;
	struct snapshot *s = d->snap;

	s->ns_looked_up = r->ns_looked_up;
	s->ns_status = r->ns_status;
	s->ns_views = r->ns_views;
	s->n_ns_views = r->n_ns_views;
	r->ns_views = NULL;
	r->n_ns_views = 0;
	dom_release(d);
}

static void dom_start_ns_views(struct dom *d)
{
	struct run *run = d->run;
	unsigned ms = run->opts->timeouts.dns > 0 ? run->opts->timeouts.dns : GATHER_DEFAULT_DNS_MS;
	int r;

	if (!(d->cfg->needs & OBS_NS_VIEWS))
		return;
	r = nsviews_start(run->loop, run->res, d->cfg->name, ms, on_ns_views, d);
	if (r < 0)
		run->error = r;
	else
		dom_hold(d);
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
	dom_start_txt(d);
	dom_start_ns_views(d);
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
	(void)sd_event_exit(run->loop, 0);
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

/* Start domains while there is room; stop the loop when the last one is finished. */
static void run_fill(struct run *run)
{
	while (run->next < run->n && (run->max_domains == 0 || run->active < run->max_domains))
		dom_start(&run->doms[run->next++]);
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

/*
 * Open the run's loop, resolver and probe environment. A loop of its own, not the default one:
 * gather_run() returns only when its work is done and must not run other people's sources.
 */
static int run_open(struct run *run, struct mxs_error *reterr)
{
	const struct gather_opts *o = run->opts;
	int r;

	r = sd_event_new(&run->loop);
	if (r < 0)
		return r;
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
	return gather_queue_new(run->loop, run->env, run->max_sessions, run->port, on_session,
				&run->queue);
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
		r = run_probe_dnssec(&run);
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
	if (gather_queue_in_flight(run.queue) == 0)
		probe_env_free(run.env);
	run.queue = gather_queue_free(run.queue);
	/* Before the resolver, which the fetches' lookups use (https.h). */
	https_free(run.https);
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
	return r;
}

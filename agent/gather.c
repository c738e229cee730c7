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
 * The run around the domains (its loop, resolver and probe environment, the self-checks and the
 * completion) is agent/gather_run.c.
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

#include "agent/gather_int.h"
#include "agent/gather_mx.h"
#include "agent/gather_queue.h"
#include "agent/https.h"
#include "agent/nsviews.h"
#include "agent/probe.h"
#include "agent/resolver.h"
#include "checks/check.h"
#include "lib/dname.h"

/* The last hold is gone: nothing of the domain is outstanding any more. */
static void dom_finish(struct dom *d)
{
	struct run *run = d->run;

	d->snap->duration_ms = (unsigned)((gather_now_usec(run->loop) - d->began_usec) / 1000);
	free(d->lookups);
	d->lookups = NULL;
	run->active--;
	run->finished++;
	gather_run_fill(run);
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
void gather_on_session(const struct gather_session *s, struct smtp_probe *p)
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
void gather_dom_start(struct dom *d)
{
	struct run *run = d->run;

	run->active++;
	d->began_usec = gather_now_usec(run->loop);
	d->snap->taken_at = time(NULL);
	dom_hold(d);
	(void)dom_query(d, d->cfg->name, ns_t_mx, on_mx, d);
	dom_start_txt(d);
	dom_start_ns_views(d);
	dom_release(d);
}

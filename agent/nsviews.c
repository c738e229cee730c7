/*
 * nsviews.c - every authoritative server of a zone asked directly; see nsviews.h.
 *
 * Three phases, each started from the loop once the previous one has no question left:
 *   NS     the domain's NS RRset, through the run's resolver;
 *   ADDRS  A and AAAA of every NS host, through the run's resolver;
 *   DIRECT the three questions to every address, one non-recursive channel per address
 *          (agent/ares_loop.h: the channel and the sd-event sources that drive it); once an
 *          address has given its MX answer, the TLSA of its MX hosts, on the same channel.
 *
 * Callbacks, the resolver's and c-ares's, only record the answer and count down; when nothing
 * is pending the "advance" defer source runs the next phase on the loop's next iteration, so no
 * channel is ever destroyed from inside c-ares, and the caller's callback never runs inside
 * nsviews_start().
 */
#include "agent/nsviews.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/ares_loop.h"
#include "agent/nsviews_decode.h"
#include "lib/dnswire.h"
#include "lib/error.h"
#include "lib/tlsa.h"

#define NSV_DNS_PORT 53
/* NS names considered at most: far beyond any real NS set; the rest are not looked at. */
#define NSV_MAX_NAMES 64
/* RFC 1035 §4.1.1: AA is bit 2 of the third header octet. */
#define DNS_HEADER_AA(abuf) (((abuf)[2] & 0x04) != 0)

/* The questions of MXS-NS-01 that nsviews asks, in the order of struct ns_view.answers. */
static const struct question {
	const char *prefix; /* prepended to the domain */
	int qtype;
} questions[] = {
	{ "_mta-sts.", ns_t_txt },
	{ "_smtp._tls.", ns_t_txt },
	{ "", ns_t_mx },
};
#define N_QUESTIONS (sizeof(questions) / sizeof(questions[0]))
/* Answers (and asks) per view: the questions, then the TLSA questions of the MX answer. */
#define N_ANSWERS (N_QUESTIONS + NSVIEWS_MAX_TLSA)

/* One A or AAAA lookup of an NS host through the run's resolver. */
struct addr_q {
	struct nsv *nv;
	int type; /* ns_t_a or ns_t_aaaa */
	enum dns_status status;
	struct addr_record addrs[NSVIEWS_MAX_ADDRS];
	bool routed[NSVIEWS_MAX_ADDRS]; /* this host has a route to addrs[i] */
	size_t n_addrs;
};

struct ns_host {
	char *name; /* lower case, no trailing dot */
	struct addr_q q4, q6;
};

/* The argument of one direct question's c-ares callback. */
struct ask {
	struct nsv *nv;
	size_t view;              /* index of the view in nv->result.ns_views */
	struct ns_answer *answer; /* in that view's answers, which never move while asked */
	bool referral;            /* a TLSA answer that is a delegation below the domain */
};

enum phase { PHASE_NS, PHASE_ADDRS, PHASE_DIRECT };

/* One domain's gathering, from nsviews_start() until its callback has run. */
struct nsv {
	sd_event *loop;
	struct resolver *res;
	char *domain;
	unsigned timeout_ms;
	nsviews_done_fn done;
	void *userdata;
	enum phase phase;
	unsigned pending;         /* questions of the current phase not yet answered */
	sd_event_source *advance; /* defer source: runs the next phase */
	struct ns_host hosts[NSVIEWS_MAX_SERVERS];
	size_t n_hosts;
	struct ares_loop **chans; /* one per view, for the direct questions; NULL: none */
	struct ask *asks;         /* N_ANSWERS per view, in the order of its answers */
	struct nsviews_result result;
};

/* --- answers -------------------------------------------------------------------------------- */

void nsviews_result_clear(struct nsviews_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_ns_views; i++)
		ns_view_clear(&r->ns_views[i]);
	free(r->ns_views);
	*r = (struct nsviews_result){ 0 };
}

/* --- phases --------------------------------------------------------------------------------- */

static void step_done(struct nsv *nv)
{
	/* Enabling an existing source allocates nothing: the next phase cannot be lost. */
	if (nv->pending > 0 && --nv->pending == 0)
		(void)sd_event_source_set_enabled(nv->advance, SD_EVENT_ONESHOT);
}

/* Whether host (normalised) is the domain or below it: the servers asked serve its zone. */
static bool in_domain(const char *host, const char *domain)
{
	size_t h = strlen(host), d = strlen(domain);

	if (h == d)
		return strcasecmp(host, domain) == 0;
	return h > d && host[h - d - 1] == '.' && strcasecmp(host + h - d, domain) == 0;
}

static bool asked(const struct ns_view *view, const char *qname)
{
	size_t i;

	for (i = 0; i < view->n_answers; i++)
		if (view->answers[i].qname != NULL && strcmp(view->answers[i].qname, qname) == 0)
			return true;
	return false;
}

static void on_direct(void *arg, int status, int timeouts, unsigned char *abuf, int alen);

/*
 * MXS-NS-01 covers the TLSA records too: ask the server that gave the MX answer mx, on its
 * channel, for TLSA _25._tcp.<host> (RFC 7672 §2.2.1) of each MX host of that answer in the
 * domain's zone, at most NSVIEWS_MAX_TLSA. Hosts in other zones have other servers. Runs from
 * a c-ares callback: ares_query() may be called there, and the source that called it re-arms.
 */
static void ask_tlsa(struct nsv *nv, size_t v, const struct ns_answer *mx)
{
	struct ns_view *view = &nv->result.ns_views[v];
	ares_channel channel = ares_loop_channel(nv->chans[v]);
	const char *host;
	struct ask *k;
	char *qname;
	size_t i;

	for (i = 0; i < mx->n_rrs && view->n_answers < N_ANSWERS; i++) {
		host = strchr(mx->rrs[i], ' ');
		if (host == NULL || !in_domain(host + 1, nv->domain))
			continue;
		qname = mxs_strdupf("_25._tcp.%s", host + 1);
		if (qname == NULL)
			return; /* our own failure: fewer questions, none of them wrong */
		if (asked(view, qname)) {
			free(qname);
			continue;
		}
		k = &nv->asks[v * N_ANSWERS + view->n_answers];
		k->nv = nv;
		k->view = v;
		k->answer = &view->answers[view->n_answers++];
		k->answer->qname = qname;
		k->answer->qtype = ns_t_tlsa;
		k->answer->status = DNS_ERROR;
		nv->pending++;
		ares_query(channel, qname, ns_c_in, ns_t_tlsa, on_direct, k);
	}
	ares_loop_rearm(nv->chans[v]);
}

static void on_direct(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct ask *k = arg;
	struct ns_answer *a = k->answer;

	/* c-ares hands over the raw answer for NXDOMAIN and the like too (NOCHECKRESP). */
	if (abuf != NULL && alen >= 4)
		a->authoritative = DNS_HEADER_AA(abuf);
	if (a->qtype == ns_t_tlsa && status == ARES_ENODATA && abuf != NULL && !a->authoritative)
		k->referral = nsviews_is_referral(abuf, alen);
	if (status == ARES_SUCCESS && abuf != NULL) {
		if (a->qtype == ns_t_mx)
			status = nsviews_decode_mx(a, abuf, alen);
		else if (a->qtype == ns_t_tlsa)
			status = nsviews_decode_tlsa(a, abuf, alen);
		else
			status = nsviews_decode_txt(a, abuf, alen);
	}
	if (status != ARES_SUCCESS)
		nsviews_rrs_clear(a);
	a->status = ares_loop_dns_status(status);
	/* Asked before this one counts down, so that the phase cannot end in between. */
	if (a->qtype == ns_t_mx && a->status == DNS_OK && a->authoritative)
		ask_tlsa(k->nv, k->view, a);
	step_done(k->nv);
}

/*
 * Keep the NS names, normalised, sorted, without duplicates, at most NSVIEWS_MAX_SERVERS.
 * Returns DNS_OK, DNS_NODATA when no name is left, or DNS_ERROR when memory ran out.
 */
static enum dns_status keep_ns(struct nsv *nv, const struct dns_result *r)
{
	char *all[NSV_MAX_NAMES];
	enum dns_status status = DNS_OK;
	size_t n = 0, i;

	for (i = 0; i < r->n_names && n < NSV_MAX_NAMES; i++) {
		all[n] = strdup(r->names[i]);
		if (all[n] == NULL) {
			status = DNS_ERROR;
			goto out;
		}
		nsviews_name_normalise(all[n]);
		n++;
	}
	if (n == 0) {
		status = DNS_NODATA;
		goto out;
	}
	qsort(all, n, sizeof(*all), nsviews_cmp_str);
	for (i = 0; i < n; i++) {
		if (nv->n_hosts < NSVIEWS_MAX_SERVERS &&
		    (nv->n_hosts == 0 || strcmp(nv->hosts[nv->n_hosts - 1].name, all[i]) != 0)) {
			nv->hosts[nv->n_hosts++].name = all[i];
			all[i] = NULL;
		}
	}
out:
	for (i = 0; i < n; i++)
		free(all[i]);
	return status;
}

/* The NS RRset, from the run's resolver (a recursive lookup). */
static void on_ns(const struct dns_result *r, void *userdata)
{
	struct nsv *nv = userdata;

	nv->result.ns_status = r->status == DNS_OK ? keep_ns(nv, r) : r->status;
	step_done(nv);
}

/*
 * Whether this host has a route to a: connect() on a UDP socket only consults the routing
 * table. No route to a family is the agent's network (like PROBE_UNREACHABLE), not the zone's.
 */
static bool have_route(const struct addr_record *a)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(NSV_DNS_PORT) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(NSV_DNS_PORT) };
	int fd, r, e;

	fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return errno != EAFNOSUPPORT;
	if (a->family == AF_INET6) {
		memcpy(&s6.sin6_addr, a->bytes, 16);
		r = connect(fd, (const struct sockaddr *)&s6, sizeof(s6));
	} else {
		memcpy(&s4.sin_addr, a->bytes, 4);
		r = connect(fd, (const struct sockaddr *)&s4, sizeof(s4));
	}
	e = errno;
	(void)close(fd);
	return r == 0 || (e != ENETUNREACH && e != EHOSTUNREACH && e != EADDRNOTAVAIL);
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(((const struct addr_record *)a)->bytes,
		      ((const struct addr_record *)b)->bytes, 16);
}

static void on_addr(const struct dns_result *r, void *userdata)
{
	struct addr_q *q = userdata;
	size_t i;

	q->status = r->status;
	for (i = 0; i < r->n_addrs && q->n_addrs < NSVIEWS_MAX_ADDRS; i++)
		if (r->addrs[i].family == (q->type == ns_t_aaaa ? AF_INET6 : AF_INET))
			q->addrs[q->n_addrs++] = r->addrs[i];
	/* A stable order, so that views and messages do not shuffle between cycles. */
	qsort(q->addrs, q->n_addrs, sizeof(*q->addrs), cmp_addr);
	for (i = 0; i < q->n_addrs; i++)
		q->routed[i] = have_route(&q->addrs[i]);
	step_done(q->nv);
}

static void start_addrs(struct nsv *nv)
{
	struct addr_q *qs[2];
	size_t i, j;

	for (i = 0; i < nv->n_hosts; i++) {
		qs[0] = &nv->hosts[i].q4;
		qs[1] = &nv->hosts[i].q6;
		for (j = 0; j < 2; j++) {
			qs[j]->nv = nv;
			qs[j]->type = j == 0 ? ns_t_a : ns_t_aaaa;
			qs[j]->status = DNS_ERROR;
			nv->pending++;
			if (resolver_query(nv->res, nv->hosts[i].name, qs[j]->type, on_addr,
					   qs[j]) < 0)
				nv->pending--;
		}
	}
}

/* The name says it has no address: NODATA or NXDOMAIN for A and for AAAA. */
static bool no_address(const struct ns_host *h)
{
	return (h->q4.status == DNS_NODATA || h->q4.status == DNS_NXDOMAIN) &&
	       (h->q6.status == DNS_NODATA || h->q6.status == DNS_NXDOMAIN);
}

/* How many addresses of h this host has a route to. */
static size_t routed_addrs(const struct ns_host *h)
{
	size_t n = 0, i;

	for (i = 0; i < h->q4.n_addrs; i++)
		n += h->q4.routed[i];
	for (i = 0; i < h->q6.n_addrs; i++)
		n += h->q6.routed[i];
	return n;
}

/* Views of one host: its routed addresses, or one without address (see nsviews.h). */
static size_t host_views(const struct ns_host *h)
{
	size_t n = routed_addrs(h);

	return n == 0 && no_address(h) ? 1 : n;
}

/*
 * A non-recursive channel whose only server is a, port 53. RD clear (RFC 1035 §4.1.1): the
 * server answers from its own zone data or not at all. Returns 0 or -errno.
 */
static int direct_channel(struct nsv *nv, const struct addr_record *a, struct ares_loop **ret_al)
{
	struct ares_loop_options o = { .flags = ARES_FLAG_NORECURSE, .timeout_ms = nv->timeout_ms };
	char server[sizeof(a->text) + 8];
	int n;

	n = snprintf(server, sizeof(server), a->family == AF_INET6 ? "[%s]:%d" : "%s:%d", a->text,
		     NSV_DNS_PORT);
	if (n < 0 || (size_t)n >= sizeof(server))
		return -EINVAL;
	o.servers = server;
	return ares_loop_new(nv->loop, &o, ret_al, NULL);
}

/* Make view v of host h at address a (NULL: no address) and ask it the questions. */
static int view_start(struct nsv *nv, size_t v, const struct ns_host *h,
		      const struct addr_record *a)
{
	struct ns_view *view = &nv->result.ns_views[v];
	ares_channel channel;
	size_t i;
	int r;

	view->name = strdup(h->name);
	if (view->name == NULL)
		return -ENOMEM;
	if (a == NULL)
		return 0;
	(void)snprintf(view->address, sizeof(view->address), "%s", a->text);
	/* Room for the TLSA questions too: answers must not move while c-ares holds them. */
	view->answers = calloc(N_ANSWERS, sizeof(*view->answers));
	if (view->answers == NULL)
		return -ENOMEM;
	view->n_answers = N_QUESTIONS;
	for (i = 0; i < N_QUESTIONS; i++) {
		view->answers[i].qtype = questions[i].qtype;
		view->answers[i].status = DNS_ERROR;
		view->answers[i].qname = mxs_strdupf("%s%s", questions[i].prefix, nv->domain);
		if (view->answers[i].qname == NULL)
			return -ENOMEM;
	}
	r = direct_channel(nv, a, &nv->chans[v]);
	if (r < 0)
		return 0; /* our own failure: the answers stay DNS_ERROR */
	channel = ares_loop_channel(nv->chans[v]);
	for (i = 0; i < N_QUESTIONS; i++) {
		struct ask *k = &nv->asks[v * N_ANSWERS + i];

		k->nv = nv;
		k->view = v;
		k->answer = &view->answers[i];
		nv->pending++;
		/* May answer at once (bad name, no memory): on_direct only records it. */
		ares_query(channel, k->answer->qname, ns_c_in, questions[i].qtype, on_direct, k);
	}
	ares_loop_rearm(nv->chans[v]);
	return 0;
}

/* Returns 0, or -ENOMEM: the caller then ends the gathering without views. */
static int start_direct(struct nsv *nv)
{
	const struct addr_q *qs[2];
	size_t n = 0, v = 0, i, j, k;
	int r;

	for (i = 0; i < nv->n_hosts; i++)
		n += host_views(&nv->hosts[i]);
	if (n == 0)
		return 0;
	nv->result.ns_views = calloc(n, sizeof(*nv->result.ns_views));
	nv->chans = calloc(n, sizeof(*nv->chans));
	nv->asks = calloc(n * N_ANSWERS, sizeof(*nv->asks));
	if (nv->result.ns_views == NULL || nv->chans == NULL || nv->asks == NULL)
		return -ENOMEM;
	nv->result.n_ns_views = n;
	for (i = 0; i < nv->n_hosts; i++) {
		const struct ns_host *h = &nv->hosts[i];

		if (routed_addrs(h) == 0) {
			r = no_address(h) ? view_start(nv, v++, h, NULL) : 0;
			if (r < 0)
				return r;
			continue;
		}
		qs[0] = &h->q4;
		qs[1] = &h->q6;
		for (j = 0; j < 2; j++)
			for (k = 0; k < qs[j]->n_addrs; k++) {
				if (!qs[j]->routed[k])
					continue;
				r = view_start(nv, v++, h, &qs[j]->addrs[k]);
				if (r < 0)
					return r;
			}
	}
	return 0;
}

/* Close every channel of the views (those of views never started are all zero). */
static void close_views(struct nsv *nv)
{
	size_t i;

	for (i = 0; nv->chans != NULL && i < nv->result.n_ns_views; i++)
		nv->chans[i] = ares_loop_free(nv->chans[i]);
}

static struct nsv *nsv_free(struct nsv *nv)
{
	size_t i;

	if (nv == NULL)
		return NULL;
	close_views(nv);
	free(nv->chans);
	free(nv->asks);
	for (i = 0; i < nv->n_hosts; i++)
		free(nv->hosts[i].name);
	nsviews_result_clear(&nv->result);
	sd_event_source_disable_unref(nv->advance);
	sd_event_unref(nv->loop);
	free(nv->domain);
	free(nv);
	return NULL;
}

/*
 * A TLSA question of an MX host in a zone delegated below the domain gets a referral: that
 * host's records live on other servers, so the question is dropped, not reported as lame.
 * Only after the channels are closed, when no answer is held by c-ares any more.
 */
static void drop_referrals(struct nsv *nv)
{
	struct ns_view *view;
	size_t v, i, j;

	for (v = 0; nv->asks != NULL && v < nv->result.n_ns_views; v++) {
		view = &nv->result.ns_views[v];
		for (i = j = N_QUESTIONS; i < view->n_answers; i++) {
			if (nv->asks[v * N_ANSWERS + i].referral) {
				free(view->answers[i].qname);
				nsviews_rrs_clear(&view->answers[i]);
			} else {
				view->answers[j++] = view->answers[i];
			}
		}
		for (i = j; i < view->n_answers; i++)
			view->answers[i] = (struct ns_answer){ 0 };
		if (view->n_answers > j)
			view->n_answers = j;
	}
}

/* Every question is answered: close the channels first, then hand the result over. */
static void finish(struct nsv *nv)
{
	close_views(nv);
	drop_referrals(nv);
	nv->done(&nv->result, nv->userdata);
	(void)nsv_free(nv);
}

static int on_advance(sd_event_source *s, void *userdata)
{
	struct nsv *nv = userdata;

	if (nv->phase == PHASE_NS) {
		if (nv->result.ns_status == DNS_OK) {
			nv->phase = PHASE_ADDRS;
			start_addrs(nv);
			if (nv->pending > 0)
				return 0;
		}
	}
	if (nv->phase == PHASE_ADDRS) {
		nv->phase = PHASE_DIRECT;
		if (start_direct(nv) < 0) {
			/* Out of memory: end now, without views, and say the lookup failed. */
			close_views(nv);
			nsviews_result_clear(&nv->result);
			nv->result.ns_looked_up = true;
			nv->result.ns_status = DNS_ERROR;
			nv->pending = 0;
		}
		if (nv->pending > 0)
			return 0;
	}
	finish(nv);
	return 0;
}

int nsviews_start(sd_event *loop, struct resolver *res, const char *domain, unsigned timeout_ms,
		  nsviews_done_fn done, void *userdata)
{
	struct nsv *nv;
	int r;

	if (loop == NULL || res == NULL || domain == NULL || done == NULL || timeout_ms == 0)
		return -EINVAL;
	nv = calloc(1, sizeof(*nv));
	if (nv == NULL)
		return -ENOMEM;
	/* From here on nsv_free() undoes whatever was made. */
	nv->loop = sd_event_ref(loop);
	nv->res = res;
	nv->timeout_ms = timeout_ms;
	nv->done = done;
	nv->userdata = userdata;
	nv->result.ns_looked_up = true;
	nv->result.ns_status = DNS_ERROR;
	nv->domain = strdup(domain);
	if (nv->domain == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	r = sd_event_add_defer(loop, &nv->advance, on_advance, nv);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_enabled(nv->advance, SD_EVENT_OFF);
	/* The last step: once the query is out, on_ns() will run and the gathering go on. */
	r = resolver_query(res, nv->domain, ns_t_ns, on_ns, nv);
	if (r < 0)
		goto fail;
	nv->pending = 1;
	return 0;
fail:
	(void)nsv_free(nv);
	return r < 0 ? r : -ENOMEM;
}

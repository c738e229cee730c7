/*
 * resolver.c - c-ares on the sd-event loop; see resolver.h.
 *
 * c-ares owns its sockets and tells us through the socket-state callback which ones to watch;
 * each gets one sd-event I/O source, and one timer source stays armed at ares_timeout() after
 * every call into c-ares (DESIGN.md, Runtime; the pattern of curl's lib/asyn-ares.c).
 *
 * Completion is always deferred: the c-ares callback only stores the decoded answer in the
 * query and enables the query's own defer source, made (disabled) when the query started. So
 * the caller's callback never runs inside resolver_query() nor inside ares_process_fd(), and a
 * query cannot fail to complete for want of memory once it has started.
 */
#include "agent/resolver.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

/* c-ares tries per server; with the doubling below, 2 tries cost 3 first-try timeouts. */
#define RESOLVER_TRIES 2
/* Shortest first-try timeout worth giving a server, in milliseconds. */
#define RESOLVER_MIN_TRY_MS 50
/*
 * Queries handed to c-ares at once; more wait in a FIFO. A burst of thousands of UDP queries
 * overflows socket buffers (ours or the resolver's), the answers are lost, and every retry comes
 * in a burst again: bounded, the same work finishes, and the resolver is treated politely.
 */
#define RESOLVER_MAX_INFLIGHT 128
/* The timer may fire this late (sd-event coalesces timers; its default slack is 250 ms). */
#define RESOLVER_TIMER_ACCURACY_USEC 1000

/* One socket c-ares asked us to watch. c-ares keeps few sockets (one per server and protocol). */
struct watch {
	struct watch *next;
	ares_socket_t fd;
	sd_event_source *source;
};

/* One query from resolver_query() until its callback has run. */
struct query {
	struct query *prev, *next; /* resolver's list of queries not yet delivered */
	struct resolver *res;
	int type;
	resolver_done_fn done;
	void *userdata;
	sd_event_source *deliver; /* defer source, enabled once c-ares has answered */
	bool answered;
	struct dns_result result;
	char *name;              /* while waiting for a place among the in-flight queries */
	struct query *wait_next; /* the resolver's FIFO of waiting queries */
};

struct resolver {
	sd_event *loop;
	ares_channel channel;
	bool have_channel;
	bool freeing;           /* inside resolver_free(): no new queries */
	sd_event_source *timer; /* armed at ares_timeout() */
	struct watch *watches;
	struct query *queries;               /* started and not yet delivered */
	unsigned inflight;                   /* handed to c-ares and not yet answered */
	struct query *wait_head, *wait_tail; /* waiting for a place (RESOLVER_MAX_INFLIGHT) */
};

/* Release what a result owns and leave it empty, ready for the next use or for nothing. */
static void result_clear(struct dns_result *r)
{
	size_t i;

	for (i = 0; i < r->n_mx; i++)
		free(r->mx[i].name);
	free(r->mx);
	free(r->addrs);
	for (i = 0; i < r->n_txt; i++)
		free(r->txt[i].data);
	free(r->txt);
	free(r->detail);
	*r = (struct dns_result){ 0 };
}

/* Re-arm the timer at the next c-ares deadline, or disable it when nothing is pending. */
static void rearm_timer(struct resolver *res)
{
	struct timeval tv, *tvp;
	uint64_t now;

	if (res->freeing || res->timer == NULL)
		return;
	tvp = ares_timeout(res->channel, NULL, &tv);
	if (tvp == NULL) {
		(void)sd_event_source_set_enabled(res->timer, SD_EVENT_OFF);
		return;
	}
	if (sd_event_now(res->loop, CLOCK_MONOTONIC, &now) < 0)
		return;
	/*
	 * These two calls only change fields of an existing source; they fail only on a loop
	 * that is being torn down, when no query will be waited for anyway.
	 */
	(void)sd_event_source_set_time(res->timer, now + (uint64_t)tvp->tv_sec * 1000000u +
						       (uint64_t)tvp->tv_usec);
	(void)sd_event_source_set_enabled(res->timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct resolver *res = userdata;

	/* No socket is ready: c-ares only checks its deadlines (retries, timeouts). */
	ares_process_fd(res->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	rearm_timer(res);
	return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct resolver *res = userdata;
	/* An error or hang-up is reported to c-ares as readable: its read fails and it moves on. */
	bool readable = (revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
	bool writable = (revents & EPOLLOUT) != 0;

	ares_process_fd(res->channel, readable ? fd : ARES_SOCKET_BAD,
			writable ? fd : ARES_SOCKET_BAD);
	rearm_timer(res);
	return 0;
}

/*
 * c-ares announces a socket it opens, a change of interest, and (readable = writable = 0) a
 * socket it is about to close, so the source goes before the descriptor number can be reused.
 */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver *res = data;
	struct watch **pw, *w;
	uint32_t events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);

	for (pw = &res->watches; *pw != NULL; pw = &(*pw)->next)
		if ((*pw)->fd == fd)
			break;
	w = *pw;
	if (events == 0) {
		if (w != NULL) {
			*pw = w->next;
			sd_event_source_disable_unref(w->source);
			free(w);
		}
		return;
	}
	if (w != NULL) {
		(void)sd_event_source_set_io_events(w->source, events);
		return;
	}
	/*
	 * Without a source the socket is not watched and its queries end at their deadline
	 * through the timer with ARES_ETIMEOUT: degraded, never stuck.
	 */
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return;
	if (sd_event_add_io(res->loop, &w->source, fd, events, on_io, res) < 0) {
		free(w);
		return;
	}
	w->fd = fd;
	w->next = res->watches;
	res->watches = w;
}

/*
 * c-ares statuses to the snapshot's. ARES_ENOTFOUND is NXDOMAIN (RCODE 3) and ARES_ENODATA a
 * NOERROR answer without records of the type (RFC 2308 §2.2, NODATA). Everything else, refused
 * connections and malformed answers included, is DNS_ERROR with ares_strerror() as detail.
 */
static enum dns_status map_status(int status)
{
	switch (status) {
	case ARES_SUCCESS:
		return DNS_OK;
	case ARES_ENODATA:
		return DNS_NODATA;
	case ARES_ENOTFOUND:
		return DNS_NXDOMAIN;
	case ARES_ESERVFAIL:
		return DNS_SERVFAIL;
	case ARES_ETIMEOUT:
		return DNS_TIMEOUT;
	default:
		return DNS_ERROR;
	}
}

/*
 * Decode an MX answer into r. Returns an ARES_* status: the parser's own (ARES_EBADRESP for a
 * malformed answer), ARES_ENODATA when no MX record is left, or ARES_ENOMEM.
 */
static int decode_mx(struct dns_result *r, const unsigned char *abuf, int alen)
{
	struct ares_mx_reply *head = NULL, *m;
	size_t n = 0, i = 0;
	int status, ret = ARES_SUCCESS;

	status = ares_parse_mx_reply(abuf, alen, &head);
	if (status != ARES_SUCCESS)
		return status;
	for (m = head; m != NULL; m = m->next)
		n++;
	if (n == 0) {
		ret = ARES_ENODATA;
		goto out;
	}
	r->mx = calloc(n, sizeof(*r->mx));
	if (r->mx == NULL) {
		ret = ARES_ENOMEM;
		goto out;
	}
	/* A null MX target "." (RFC 7505) comes out of c-ares as the empty name. */
	for (m = head; m != NULL; m = m->next, i++) {
		r->mx[i].name = strdup(m->host != NULL ? m->host : "");
		r->mx[i].preference = m->priority;
		r->n_mx = i + 1;
		if (r->mx[i].name == NULL) {
			ret = ARES_ENOMEM;
			goto out;
		}
	}
out:
	ares_free_data(head);
	return ret;
}

/*
 * Decode an A or AAAA answer into r; a CNAME chain is followed by c-ares, and h_addr_list holds
 * the final addresses. Returns an ARES_* status like decode_mx().
 */
static int decode_addrs(struct dns_result *r, int type, const unsigned char *abuf, int alen)
{
	struct hostent *h = NULL;
	int family = type == ns_t_aaaa ? AF_INET6 : AF_INET;
	size_t n = 0, i, len = family == AF_INET6 ? 16 : 4;
	int status, ret = ARES_SUCCESS;

	/* Without the TTL arrays the parser has no fixed capacity: every address is kept. */
	if (type == ns_t_aaaa)
		status = ares_parse_aaaa_reply(abuf, alen, &h, NULL, NULL);
	else
		status = ares_parse_a_reply(abuf, alen, &h, NULL, NULL);
	if (status != ARES_SUCCESS)
		return status;
	while (h->h_addr_list != NULL && h->h_addr_list[n] != NULL)
		n++;
	if (n == 0 || h->h_addrtype != family) {
		ret = ARES_ENODATA;
		goto out;
	}
	r->addrs = calloc(n, sizeof(*r->addrs));
	if (r->addrs == NULL) {
		ret = ARES_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct addr_record *a = &r->addrs[i];

		a->family = family;
		memcpy(a->bytes, h->h_addr_list[i], len);
		if (inet_ntop(family, a->bytes, a->text, sizeof(a->text)) == NULL) {
			ret = ARES_EBADRESP;
			goto out;
		}
	}
	r->n_addrs = n;
out:
	ares_free_hostent(h);
	return ret;
}

/* Big-endian 16 and 32-bit fields of a DNS message (RFC 1035 §4.1). */
static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned long get32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 |
	       p[3];
}

/*
 * Skip the (possibly compressed) name at *pos; false when it runs past the message. c-ares's
 * own expander does the bounds and loop checks, so no second name reader lives here.
 */
static bool skip_name(const unsigned char *abuf, int alen, int *pos)
{
	char *name = NULL;
	long enclen = 0;

	if (*pos >= alen ||
	    ares_expand_name(abuf + *pos, abuf, alen, &name, &enclen) != ARES_SUCCESS)
		return false;
	ares_free_string(name);
	*pos += (int)enclen;
	return *pos <= alen;
}

/*
 * The smallest TTL among the answer section's RRs, CNAMEs of the chain included, since the
 * whole chain expires with its shortest link (STS-CACHE-05, RPT-TXT-11). c-ares's TXT parser
 * does not return TTLs, so the fixed fields are read here; 0 (unknown) for a message that does
 * not parse. A TTL with the top bit set counts as 0 (RFC 2181 §8).
 */
static unsigned answer_ttl(const unsigned char *abuf, int alen)
{
	unsigned long best = ULONG_MAX;
	unsigned qd, an, i;
	int pos = 12;

	if (abuf == NULL || alen < 12)
		return 0;
	qd = get16(abuf + 4);
	an = get16(abuf + 6);
	for (i = 0; i < qd; i++) {
		if (!skip_name(abuf, alen, &pos) || pos + 4 > alen)
			return 0;
		pos += 4;
	}
	for (i = 0; i < an; i++) {
		unsigned long ttl;

		/* type, class, TTL, RDLENGTH */
		if (!skip_name(abuf, alen, &pos) || pos + 10 > alen)
			return 0;
		ttl = get32(abuf + pos + 4);
		if (ttl > 0x7fffffffUL)
			ttl = 0;
		if (ttl < best)
			best = ttl;
		pos += 10 + (int)get16(abuf + pos + 8);
		if (pos > alen)
			return 0;
	}
	return best == ULONG_MAX || best > UINT_MAX ? 0 : (unsigned)best;
}

/*
 * Append one character-string to the record being joined. RFC 8461 §3.1 (STS-TXT-03) and
 * RFC 8460 §3 (RPT-TXT-03): the strings of one RR concatenate without separators. A NUL byte
 * ends the usable text (snapshot.h: the bytes before it are kept and has_nul is set).
 */
static int txt_append(struct txt_record *t, const unsigned char *s, size_t len)
{
	const unsigned char *nul = len > 0 ? memchr(s, '\0', len) : NULL;
	size_t keep = nul != NULL ? (size_t)(nul - s) : len;
	char *grown;

	t->n_strings++;
	if (t->has_nul)
		return ARES_SUCCESS;
	if (nul != NULL)
		t->has_nul = true;
	/* One RR is at most 64 KiB (RDLENGTH): no overflow of len + keep + 1. */
	grown = realloc(t->data, t->len + keep + 1);
	if (grown == NULL)
		return ARES_ENOMEM;
	t->data = grown;
	memcpy(t->data + t->len, s, keep);
	t->len += keep;
	t->data[t->len] = '\0';
	return ARES_SUCCESS;
}

/*
 * Decode a TXT answer into r: one struct txt_record per RR, in answer order. c-ares 1.18 gives
 * one node per character-string and marks the first string of each RR with record_start.
 * Returns an ARES_* status like decode_mx().
 */
static int decode_txt(struct dns_result *r, const unsigned char *abuf, int alen)
{
	struct ares_txt_ext *head = NULL, *t;
	size_t n = 0, i = 0;
	int status, ret = ARES_SUCCESS;

	status = ares_parse_txt_reply_ext(abuf, alen, &head);
	if (status != ARES_SUCCESS)
		return status;
	/* The first node starts a record whatever its flag says, so no string is dropped. */
	for (t = head; t != NULL; t = t->next)
		n += t->record_start || t == head;
	if (n == 0) {
		ret = ARES_ENODATA;
		goto out;
	}
	r->txt = calloc(n, sizeof(*r->txt));
	if (r->txt == NULL) {
		ret = ARES_ENOMEM;
		goto out;
	}
	for (t = head; t != NULL; t = t->next) {
		if (t != head && t->record_start)
			i++;
		r->n_txt = i + 1;
		ret = txt_append(&r->txt[i], t->txt, t->length);
		if (ret != ARES_SUCCESS)
			goto out;
	}
	/* An RR of only empty strings has no bytes yet; it still is a record, "" (snapshot.h). */
	for (i = 0; i < r->n_txt; i++)
		if (r->txt[i].data == NULL) {
			r->txt[i].data = strdup("");
			if (r->txt[i].data == NULL) {
				ret = ARES_ENOMEM;
				goto out;
			}
		}
	r->ttl = answer_ttl(abuf, alen);
out:
	ares_free_data(head);
	return ret;
}

/* The c-ares completion: decode, then hand over to the loop (see the top of the file). */
static void start_waiting(struct resolver *res);

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct dns_result *r = &q->result;

	if (status == ARES_SUCCESS && q->type == ns_t_mx)
		status = decode_mx(r, abuf, alen);
	else if (status == ARES_SUCCESS && (q->type == ns_t_a || q->type == ns_t_aaaa))
		status = decode_addrs(r, q->type, abuf, alen);
	else if (status == ARES_SUCCESS && q->type == ns_t_txt)
		status = decode_txt(r, abuf, alen);
	if (status != ARES_SUCCESS) {
		result_clear(r);
		r->unanswered = status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED;
	}
	r->status = map_status(status);
	if (r->status != DNS_OK && r->status != DNS_NODATA && r->status != DNS_NXDOMAIN) {
		/* ARES_EDESTRUCTION and ARES_ECANCELLED: resolver_free() is cancelling us. */
		bool cancelled = status == ARES_EDESTRUCTION || status == ARES_ECANCELLED;

		r->detail = strdup(cancelled ? "cancelled" : ares_strerror(status));
	}
	q->answered = true;
	q->res->inflight--;
	/* Enabling an existing source allocates nothing; in resolver_free() it is not needed. */
	if (!q->res->freeing) {
		(void)sd_event_source_set_enabled(q->deliver, SD_EVENT_ONESHOT);
		start_waiting(q->res);
	}
}

/* Hand q to c-ares; it may answer at once (bad name, no memory): on_answer defers the callback. */
static void query_send(struct query *q, const char *name)
{
	q->res->inflight++;
	ares_query(q->res->channel, name, ns_c_in, q->type, on_answer, q);
}

/* Send waiting queries while there is room; called whenever a query was answered. */
static void start_waiting(struct resolver *res)
{
	struct query *q;

	while (res->wait_head != NULL && res->inflight < RESOLVER_MAX_INFLIGHT) {
		q = res->wait_head;
		res->wait_head = q->wait_next;
		if (res->wait_head == NULL)
			res->wait_tail = NULL;
		q->wait_next = NULL;
		query_send(q, q->name);
		free(q->name);
		q->name = NULL;
	}
	rearm_timer(res);
}

/* Take q off the resolver's list of undelivered queries (doubly linked: O(1)). */
static void query_unlink(struct query *q)
{
	struct resolver *res = q->res;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		res->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

/* Run the caller's callback once and release the query; it is off every list by then. */
static void query_deliver(struct query *q)
{
	query_unlink(q);
	q->done(&q->result, q->userdata);
	result_clear(&q->result);
	sd_event_source_disable_unref(q->deliver);
	free(q->name);
	free(q);
}

/* The defer source of an answered query: the loop's next iteration delivers it. */
static int on_deliver(sd_event_source *s, void *userdata)
{
	query_deliver(userdata);
	return 0;
}

/* Number of servers c-ares will ask in turn; the per-try timeout is divided among them. */
static int count_servers(ares_channel channel, size_t *ret_n)
{
	struct ares_addr_port_node *head = NULL, *s;
	size_t n = 0;
	int status;

	status = ares_get_servers_ports(channel, &head);
	if (status != ARES_SUCCESS)
		return -ENOMEM;
	for (s = head; s != NULL; s = s->next)
		n++;
	ares_free_data(head);
	*ret_n = n > 0 ? n : 1;
	return 0;
}

/*
 * c-ares 1.18 gives each try of a query the first-try timeout T shifted left by the number of
 * complete passes over the n servers, so "tries" passes cost n * T * (2^tries - 1). Choose T so
 * that the whole query fits in timeout_ms (measured: a silent server, 3000 ms -> ends after
 * 3002 ms). A server that refuses (ICMP port unreachable) ends the query at once instead.
 */
static int try_timeout_ms(unsigned timeout_ms, size_t n_servers)
{
	unsigned long t = timeout_ms / (n_servers * ((1u << RESOLVER_TRIES) - 1));

	return t < RESOLVER_MIN_TRY_MS ? RESOLVER_MIN_TRY_MS : (int)t;
}

/* How many servers the channel will have: those of server (a list) or of resolv.conf. */
static int planned_servers(const char *server, size_t *ret_n)
{
	ares_channel tmp;
	size_t n = 1;
	const char *p;
	int r;

	if (server != NULL) {
		for (p = server; *p != '\0'; p++)
			n += *p == ',';
		*ret_n = n;
		return 0;
	}
	/* A channel opens no socket before its first query: reading resolv.conf is all it does. */
	if (ares_init(&tmp) != ARES_SUCCESS)
		return -ENOMEM;
	r = count_servers(tmp, ret_n);
	ares_destroy(tmp);
	return r;
}

int resolver_new(sd_event *loop, const char *server, unsigned timeout_ms, struct resolver **ret_res,
		 struct mxs_error *reterr)
{
	struct ares_options o = { 0 };
	struct resolver *res = NULL;
	size_t n_servers;
	int status, r;

	if (loop == NULL || ret_res == NULL || timeout_ms == 0)
		return mxs_error_set(reterr, NULL, NULL, "resolver: invalid arguments");
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return -ENOMEM;
	/* From here on every failure goes through "out", which undoes what was done so far. */
	res = calloc(1, sizeof(*res));
	if (res == NULL) {
		r = -ENOMEM;
		goto out;
	}
	res->loop = sd_event_ref(loop);
	r = planned_servers(server, &n_servers);
	if (r < 0) {
		mxs_error_set(reterr, "/etc/resolv.conf", NULL,
			      "cannot read the resolver configuration");
		goto out;
	}
	o.sock_state_cb = on_sock_state;
	o.sock_state_cb_data = res;
	o.timeout = try_timeout_ms(timeout_ms, n_servers);
	o.tries = RESOLVER_TRIES;
	/*
	 * c-ares 1.18 drops SERVFAIL, REFUSED and NOTIMP answers and retries; once the tries run
	 * out it reports the query's initial status, ARES_ECONNREFUSED, so a DNSSEC-bogus name
	 * would look like a dead resolver. NOCHECKRESP hands those answers to ares_query(), which
	 * maps their RCODE (SERVFAIL -> ARES_ESERVFAIL). A validating resolver's SERVFAIL is its
	 * verdict on the name (DANE-DNS-04), so asking the next server would not change it.
	 */
	o.flags = ARES_FLAG_NOCHECKRESP;
	status = ares_init_options(&res->channel, &o,
				   ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
				       ARES_OPT_FLAGS);
	if (status != ARES_SUCCESS) {
		r = mxs_error_set(reterr, NULL, NULL, "cannot initialise c-ares: %s",
				  ares_strerror(status));
		goto out;
	}
	res->have_channel = true;
	if (server != NULL) {
		/* Accepts "1.2.3.4", "1.2.3.4:53", "::1" and "[::1]:53". */
		status = ares_set_servers_ports_csv(res->channel, server);
		if (status != ARES_SUCCESS) {
			r = mxs_error_set(reterr, NULL, NULL,
					  "resolver address \"%s\" is not valid: %s", server,
					  ares_strerror(status));
			goto out;
		}
	}
	r = sd_event_add_time(loop, &res->timer, CLOCK_MONOTONIC, UINT64_MAX,
			      RESOLVER_TIMER_ACCURACY_USEC, on_timer, res);
	if (r < 0) {
		mxs_error_set(reterr, NULL, NULL, "cannot add a timer to the event loop: %s",
			      strerror(-r));
		goto out;
	}
	(void)sd_event_source_set_enabled(res->timer, SD_EVENT_OFF);
	*ret_res = res;
	return 0;
out:
	/* resolver_free() also drops the library reference taken above. */
	if (res != NULL)
		resolver_free(res);
	else
		ares_library_cleanup();
	return r;
}

struct resolver *resolver_free(struct resolver *res)
{
	struct watch *w;

	if (res == NULL || res->freeing)
		return NULL;
	res->freeing = true;
	/*
	 * ares_destroy() completes every pending query with ARES_EDESTRUCTION (on_answer only
	 * stores it: res->freeing keeps the defer sources off) and reports its sockets closed
	 * through on_sock_state, which removes the I/O sources. res is still whole meanwhile.
	 */
	if (res->have_channel)
		ares_destroy(res->channel);
	/* Queries that never reached c-ares end the same way as those it cancelled. */
	while (res->wait_head != NULL) {
		struct query *q = res->wait_head;

		res->wait_head = q->wait_next;
		q->wait_next = NULL;
		q->result.status = DNS_ERROR;
		q->result.detail = strdup("cancelled");
		q->answered = true;
	}
	res->wait_tail = NULL;
	/*
	 * Now deliver every query still listed, answered or cancelled, with the resolver still
	 * allocated: a callback that calls resolver_query() gets -ECANCELED, one that calls
	 * resolver_free() returns at once.
	 */
	while (res->queries != NULL)
		query_deliver(res->queries);
	while (res->watches != NULL) {
		w = res->watches;
		res->watches = w->next;
		sd_event_source_disable_unref(w->source);
		free(w);
	}
	sd_event_source_disable_unref(res->timer);
	sd_event_unref(res->loop);
	free(res);
	ares_library_cleanup();
	return NULL;
}

int resolver_query(struct resolver *res, const char *name, int type, resolver_done_fn done,
		   void *userdata)
{
	struct query *q;
	int r;

	if (res == NULL || name == NULL || done == NULL)
		return -EINVAL;
	if (res->freeing)
		return -ECANCELED;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	r = sd_event_add_defer(res->loop, &q->deliver, on_deliver, q);
	if (r < 0) {
		free(q);
		return r;
	}
	(void)sd_event_source_set_enabled(q->deliver, SD_EVENT_OFF);
	q->res = res;
	q->type = type;
	q->done = done;
	q->userdata = userdata;
	q->next = res->queries;
	if (q->next != NULL)
		q->next->prev = q;
	res->queries = q;
	if (res->inflight < RESOLVER_MAX_INFLIGHT) {
		query_send(q, name);
		rearm_timer(res);
		return 0;
	}
	q->name = strdup(name);
	if (q->name == NULL) {
		query_unlink(q);
		sd_event_source_disable_unref(q->deliver);
		free(q);
		return -ENOMEM;
	}
	if (res->wait_tail != NULL)
		res->wait_tail->wait_next = q;
	else
		res->wait_head = q;
	res->wait_tail = q;
	return 0;
}

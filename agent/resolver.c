/*
 * resolver.c - c-ares on the sd-event loop; see resolver.h.
 *
 * The channel and the sd-event sources that drive it are agent/ares_loop.h's; this file adds
 * the queue of queries, the decoding of the answers and the deferred completion.
 *
 * Every query goes out through ares_send() rather than ares_query(): c-ares 1.18 neither sets
 * the AD bit in a request nor shows it in an answer, and a validating resolver sets AD only when
 * the request asked for it with AD or DO (RFC 6840 §5.7). The request is built with
 * ares_create_query() (EDNS0 included) and the AD flag set in its header; the answer's header is
 * read with lib/dnswire.h, and its RCODE mapped to an ARES_* status the way ares_query() does.
 * The records themselves are still decoded by c-ares's parsers from that same answer, since
 * they read only the answer section: one query per lookup, one code path for every type, and
 * only TLSA (unknown to c-ares) goes through the lib/dnswire.h reader.
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

#include "agent/ares_loop.h"
#include "lib/dnswire.h"
#include "lib/tlsa.h"

/*
 * Queries handed to c-ares at once; more wait in a FIFO. A burst of thousands of UDP queries
 * overflows socket buffers (ours or the resolver's), the answers are lost, and every retry comes
 * in a burst again: bounded, the same work finishes, and the resolver is treated politely.
 */
#define RESOLVER_MAX_INFLIGHT 128

/*
 * The EDNS0 UDP payload size advertised (RFC 6891 §6.2.5): 1232 octets, the DNS flag day 2020
 * value that fits an IPv6 minimum MTU without fragmentation. Larger answers come back with TC
 * and c-ares repeats the query over TCP.
 */
#define RESOLVER_EDNS_PAYLOAD 1232
/* RFC 4035 §3.2.3, RFC 6840 §5.7: AD is bit 0x20 of the header's fourth octet. */
#define RESOLVER_HDR_FLAGS2 3
#define RESOLVER_FLAG_AD    0x20
#define RESOLVER_OPT_LEN    11 /* an OPT RR without options */

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
	struct ares_loop *al;                /* the channel on the loop */
	bool freeing;                        /* inside resolver_free(): no new queries */
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
	for (i = 0; i < r->n_names; i++)
		free(r->names[i]);
	free(r->names);
	tlsa_array_free(r->tlsa, r->n_tlsa);
	free(r->detail);
	*r = (struct dns_result){ 0 };
}

/* The timer follows c-ares's next deadline; not while resolver_free() destroys the channel. */
static void rearm_timer(struct resolver *res)
{
	if (!res->freeing)
		ares_loop_rearm(res->al);
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

/*
 * Decode an NS answer into r: the name servers' host names as c-ares gives them (no trailing
 * dot), in answer order. Returns an ARES_* status like decode_mx().
 */
static int decode_ns(struct dns_result *r, const unsigned char *abuf, int alen)
{
	struct hostent *h = NULL;
	size_t n = 0, i;
	int status, ret = ARES_SUCCESS;

	status = ares_parse_ns_reply(abuf, alen, &h);
	if (status != ARES_SUCCESS)
		return status;
	while (h->h_aliases != NULL && h->h_aliases[n] != NULL)
		n++;
	if (n == 0) {
		ret = ARES_ENODATA;
		goto out;
	}
	r->names = calloc(n, sizeof(*r->names));
	if (r->names == NULL) {
		ret = ARES_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		r->names[i] = strdup(h->h_aliases[i]);
		if (r->names[i] == NULL) {
			ret = ARES_ENOMEM;
			goto out;
		}
		r->n_names = i + 1;
	}
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

/*
 * Decode a TLSA answer into r with lib/dnswire.h (c-ares 1.18 has no TLSA parser). Every TLSA
 * RR of the answer section counts, whatever its owner: the resolver followed the CNAMEs of
 * _25._tcp.<host> (DANE-LKP-06), and the TLSA base domain stays the MX host (DD4), which the
 * caller knows. Returns an ARES_* status like decode_mx(); a record too short to be TLSA makes
 * the whole answer malformed (ARES_EBADRESP), since a partial RRset must not pass for the whole.
 */
static int decode_tlsa(struct dns_result *r, const unsigned char *abuf, int alen)
{
	struct dnswire_msg *msg = NULL;
	const struct dnswire_rr *rr;
	unsigned long best = ULONG_MAX;
	size_t n, i, iter = 0;
	int ret = ARES_SUCCESS, k;

	k = dnswire_parse(abuf, (size_t)alen, 0, &msg, NULL);
	if (k < 0)
		return k == -ENOMEM ? ARES_ENOMEM : ARES_EBADRESP;
	/* DANE-DNS-03: NOERROR without a TLSA RR (a CNAME alone included) is "no records". */
	if (dnswire_status(msg, DNSWIRE_TYPE_TLSA) != DNSWIRE_DATA) {
		ret = ARES_ENODATA;
		goto out;
	}
	n = dnswire_rrs_of_type(msg, DNSWIRE_TYPE_TLSA);
	r->tlsa = calloc(n, sizeof(*r->tlsa));
	if (r->tlsa == NULL) {
		ret = ARES_ENOMEM;
		goto out;
	}
	for (rr = dnswire_rr_next(&msg->answer, DNSWIRE_TYPE_TLSA, &iter); rr != NULL;
	     rr = dnswire_rr_next(&msg->answer, DNSWIRE_TYPE_TLSA, &iter)) {
		k = tlsa_from_wire(rr->rdata, rr->rdlength, &r->tlsa[r->n_tlsa], NULL);
		if (k < 0) {
			ret = k == -ENOMEM ? ARES_ENOMEM : ARES_EBADRESP;
			goto out;
		}
		r->n_tlsa++;
	}
	/* DANE-EXP-03: the signatures over the TLSA RRset; the one that expires first counts. */
	for (i = 0; i < msg->answer.n; i++) {
		const struct dnswire_rr *sig = &msg->answer.rrs[i];
		uint32_t inception, expiration;

		/* RFC 4034 §3.1: type covered (2), algorithm, labels, original TTL (4), expiration
		 * (4), inception (4), ... */
		if (sig->type != DNSWIRE_TYPE_RRSIG || sig->rdlength < 18 ||
		    ((unsigned)sig->rdata[0] << 8 | sig->rdata[1]) != DNSWIRE_TYPE_TLSA)
			continue;
		expiration = (uint32_t)sig->rdata[8] << 24 | (uint32_t)sig->rdata[9] << 16 |
			     (uint32_t)sig->rdata[10] << 8 | sig->rdata[11];
		inception = (uint32_t)sig->rdata[12] << 24 | (uint32_t)sig->rdata[13] << 16 |
			    (uint32_t)sig->rdata[14] << 8 | sig->rdata[15];
		if (!r->rrsig || (int32_t)(expiration - r->rrsig_expiration) < 0) {
			r->rrsig = true;
			r->rrsig_expiration = expiration;
			r->rrsig_inception = inception;
		}
	}
	/* The chain expires with its shortest link; above 2^31-1 reads as 0 (RFC 2181 §8). */
	for (i = 0; i < msg->answer.n; i++) {
		unsigned long ttl = msg->answer.rrs[i].ttl;

		if (ttl > 0x7fffffffUL)
			ttl = 0;
		if (ttl < best)
			best = ttl;
	}
	r->ttl = best == ULONG_MAX || best > UINT_MAX ? 0 : (unsigned)best;
out:
	dnswire_msg_free(msg);
	return ret;
}

/*
 * The status of a raw answer, as ares_query() would have reported it (c-ares 1.18's
 * qcallback): the RCODE, and for NOERROR whether the answer section has any RR at all; the
 * decoders then narrow ARES_SUCCESS down to the type asked. *ret_ad receives the AD bit.
 */
static int answer_status(const unsigned char *abuf, int alen, bool *ret_ad)
{
	struct dnswire_header h;

	if (abuf == NULL || alen < 0 || dnswire_header_parse(abuf, (size_t)alen, &h, NULL) < 0)
		return ARES_EBADRESP;
	*ret_ad = h.ad;
	switch (h.rcode) {
	case DNSWIRE_RCODE_NOERROR:
		return h.ancount > 0 ? ARES_SUCCESS : ARES_ENODATA;
	case DNSWIRE_RCODE_FORMERR:
		return ARES_EFORMERR;
	case DNSWIRE_RCODE_SERVFAIL:
		return ARES_ESERVFAIL;
	case DNSWIRE_RCODE_NXDOMAIN:
		return ARES_ENOTFOUND;
	case DNSWIRE_RCODE_NOTIMP:
		return ARES_ENOTIMP;
	case DNSWIRE_RCODE_REFUSED:
		return ARES_EREFUSED;
	default:
		return ARES_EBADRESP;
	}
}

/* The c-ares completion: decode, then hand over to the loop (see the top of the file). */
static void start_waiting(struct resolver *res);

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query *q = arg;
	struct dns_result *r = &q->result;
	bool ad = false;

	/* ares_send() reports the transport; what the server said is in the answer's header. */
	if (status == ARES_SUCCESS)
		status = answer_status(abuf, alen, &ad);
	if (status == ARES_SUCCESS && q->type == ns_t_mx)
		status = decode_mx(r, abuf, alen);
	else if (status == ARES_SUCCESS && (q->type == ns_t_a || q->type == ns_t_aaaa))
		status = decode_addrs(r, q->type, abuf, alen);
	else if (status == ARES_SUCCESS && q->type == ns_t_txt)
		status = decode_txt(r, abuf, alen);
	else if (status == ARES_SUCCESS && q->type == ns_t_ns)
		status = decode_ns(r, abuf, alen);
	else if (status == ARES_SUCCESS && q->type == ns_t_tlsa)
		status = decode_tlsa(r, abuf, alen);
	if (status != ARES_SUCCESS) {
		result_clear(r);
		r->unanswered = status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED;
	}
	/* A validated denial of existence (NODATA, NXDOMAIN) carries AD too (DANE-DNS-03). */
	r->ad = ad;
	r->status = ares_loop_dns_status(status);
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

/*
 * Hand q to c-ares; it may answer at once (bad name, no memory): on_answer defers the callback.
 * ares_send() gives the request its own random ID, so 0 is fine here.
 */
static void query_send(struct query *q, const char *name)
{
	unsigned char *qbuf = NULL;
	int qlen = 0, status;

	q->res->inflight++;
	status =
	    ares_create_query(name, ns_c_in, q->type, 0, 1, &qbuf, &qlen, RESOLVER_EDNS_PAYLOAD);
	if (status != ARES_SUCCESS) {
		on_answer(q, status, 0, NULL, 0);
		return;
	}
	/* RFC 6840 §5.7: AD in a request asks a validating resolver to report its verdict. */
	qbuf[RESOLVER_HDR_FLAGS2] |= RESOLVER_FLAG_AD;
	/*
	 * TLSA also with DO (RFC 3225), for the RRSIGs: the DANE binding expires with them
	 * (DANE-EXP-03). The OPT RR ares_create_query() appends is the message's last 11 octets:
	 * root name, TYPE 41, CLASS, TTL = extended RCODE, version, flags (DO is its top bit).
	 */
	if (q->type == ns_t_tlsa && qlen >= RESOLVER_OPT_LEN + 12 &&
	    qbuf[qlen - RESOLVER_OPT_LEN] == 0 && qbuf[qlen - RESOLVER_OPT_LEN + 1] == 0 &&
	    qbuf[qlen - RESOLVER_OPT_LEN + 2] == 41)
		qbuf[qlen - RESOLVER_OPT_LEN + 7] |= 0x80;
	ares_send(ares_loop_channel(q->res->al), qbuf, qlen, on_answer, q);
	ares_free_string(qbuf);
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

int resolver_new(sd_event *loop, const char *server, unsigned timeout_ms, struct resolver **ret_res,
		 struct mxs_error *reterr)
{
	/*
	 * NOCHECKRESP (ares_loop.h) hands SERVFAIL answers to ares_query(), which maps them to
	 * ARES_ESERVFAIL: a validating resolver's SERVFAIL is its verdict on the name
	 * (DANE-DNS-04), so asking the next server would not change it.
	 */
	struct ares_loop_options o = { .servers = server, .timeout_ms = timeout_ms };
	struct resolver *res;
	int r;

	if (loop == NULL || ret_res == NULL || timeout_ms == 0)
		return mxs_error_set(reterr, NULL, NULL, "resolver: invalid arguments");
	res = calloc(1, sizeof(*res));
	if (res == NULL)
		return -ENOMEM;
	r = ares_loop_new(loop, &o, &res->al, reterr);
	if (r < 0) {
		free(res);
		return r;
	}
	res->loop = sd_event_ref(loop);
	*ret_res = res;
	return 0;
}

struct resolver *resolver_free(struct resolver *res)
{
	if (res == NULL || res->freeing)
		return NULL;
	res->freeing = true;
	/*
	 * Destroying the channel completes every pending query with ARES_EDESTRUCTION (on_answer
	 * only stores it: res->freeing keeps the defer sources off) and removes the channel's
	 * sources. res is still whole meanwhile.
	 */
	res->al = ares_loop_free(res->al);
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
	sd_event_unref(res->loop);
	free(res);
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

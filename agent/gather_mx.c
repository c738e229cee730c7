/*
 * gather_mx.c - the MX hosts and addresses of a snapshot, in a stable order; see gather_mx.h.
 */
#include "agent/gather_mx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/dname.h"

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

int gather_mx_take(struct snapshot *snap, const struct dns_result *r)
{
	size_t i, w;
	int ret;

	snap->mx = calloc(r->n_mx, sizeof(*snap->mx));
	if (snap->mx == NULL)
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
		snap->mx[snap->n_mx++] =
		    (struct mx_host){ .name = name, .preference = r->mx[i].preference };
	}
	if (snap->n_mx == 0)
		return 0;
	qsort(snap->mx, snap->n_mx, sizeof(*snap->mx), cmp_host);
	/* The same exchange twice (at two preferences) is one host: keep the preferred one. */
	for (i = 1, w = 1; i < snap->n_mx; i++) {
		size_t k;
		bool seen = false;

		for (k = 0; k < w && !seen; k++)
			seen = strcmp(snap->mx[k].name, snap->mx[i].name) == 0;
		if (seen)
			free(snap->mx[i].name);
		else
			snap->mx[w++] = snap->mx[i];
	}
	snap->n_mx = w;
	return 0;
}

void gather_mx_order_addresses(struct snapshot *snap)
{
	size_t i, k, w;

	/*
	 * RFC 5321 §5.1: without MX records the domain itself is the mail exchanger, but only if
	 * it has an address. When both lookups say there is none, the snapshot keeps the MX
	 * status and no host; a lookup that failed keeps the host, with its status.
	 */
	if (snap->n_mx == 1 && snap->mx[0].implicit && snap->mx[0].n_addrs == 0 &&
	    (snap->mx[0].a_status == DNS_NODATA || snap->mx[0].a_status == DNS_NXDOMAIN) &&
	    (snap->mx[0].aaaa_status == DNS_NODATA || snap->mx[0].aaaa_status == DNS_NXDOMAIN)) {
		free(snap->mx[0].name);
		/* Its TLSA answer may already be in (gather.c asks it alongside the addresses). */
		tlsa_lookup_clear(&snap->mx[0].tlsa);
		free(snap->mx);
		snap->mx = NULL;
		snap->n_mx = 0;
		return;
	}
	for (i = 0; i < snap->n_mx; i++) {
		struct mx_host *h = &snap->mx[i];

		if (h->n_addrs == 0)
			continue;
		qsort(h->addrs, h->n_addrs, sizeof(*h->addrs), cmp_addr);
		for (k = 1, w = 1; k < h->n_addrs; k++)
			if (cmp_addr(&h->addrs[k], &h->addrs[w - 1]) != 0)
				h->addrs[w++] = h->addrs[k];
		h->n_addrs = w;
	}
}

/*
 * gather_mx.h - shape the MX part of a snapshot (lib/snapshot.h) from the DNS answers.
 *
 * Pure functions of the snapshot and the answers, no I/O: the order they give is what the
 * reports and the history compare from one run to the next, so it must not depend on the order
 * of the records in an answer or on which answer came first. Hosts are sorted by preference,
 * then name; the addresses of a host IPv4 first, then by value; repeats are dropped.
 */
#ifndef MXS_AGENT_GATHER_MX_H
#define MXS_AGENT_GATHER_MX_H

#include "agent/resolver.h"
#include "lib/snapshot.h"

/*
 * Take the exchanges of an MX answer (status DNS_OK, not a null MX) into snap->mx: normalised
 * (lib/dname.h), sorted, the same exchange at two preferences kept once at the preferred one.
 * An exchange that is not a host name is left out (RFC 7505 §3 forbids "." among other
 * records; the others are still tried, as senders do).
 *
 * snap:  snap->mx must be NULL and snap->n_mx 0; whatever is in snap->mx on return, also
 *        after -ENOMEM, is owned by the snapshot (snapshot_free() releases it).
 * r:     the answer (borrowed).
 *
 * Returns 0 or -ENOMEM.
 */
int gather_mx_take(struct snapshot *snap, const struct dns_result *r);

/*
 * Every A and AAAA answer of snap->mx is in: sort the addresses of each host and drop repeats.
 * An implicit MX (RFC 5321 §5.1) whose two lookups both say the name has no address is no
 * mail exchanger at all: it is removed, and snap->n_mx becomes 0.
 */
void gather_mx_order_addresses(struct snapshot *snap);

#endif

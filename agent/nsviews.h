/*
 * nsviews.h - ask every authoritative server of a domain's zone directly (MXS-NS-01).
 *
 * A recursive resolver asks one of the zone's servers and caches what that one said; senders
 * whose resolvers asked another server may see another policy. To see what each of them
 * serves, the gatherer looks up the domain's NS set, the addresses of every NS host, and asks
 * every address the same questions without recursion (RD clear, one c-ares channel per
 * address with only that address as its server, on the run's sd-event loop):
 *
 *   TXT _mta-sts.<domain>, TXT _smtp._tls.<domain>, MX <domain>;
 *   then, once an address has given its MX answer (authoritative, with records), that same
 *   address: TLSA _25._tcp.<host> of every MX host of its answer that is the domain or ends
 *   with "." + the domain, at most NSVIEWS_MAX_TLSA, in the order of the sorted MX records.
 *   Hosts in other zones have other servers and are not asked; a TLSA question answered
 *   with a referral (the host is in a zone delegated below the domain) is dropped.
 *
 * Each answer is recorded with its status, its AA bit (read from the header of the raw
 * answer) and its RDATA in presentation form, sorted, so that two servers agree exactly when
 * their recorded answers are equal (struct ns_answer, lib/snapshot.h):
 *   TXT: the character-strings joined and quoted: "v=STSv1; id=1"; '"' and '\' are escaped
 *        with a backslash, other bytes outside printable ASCII as \DDD (RFC 1035 §5.1);
 *   MX:  "10 mx1.example.com", the host lower-cased without the trailing dot ("0 ." for a
 *        null MX);
 *   TLSA: "3 1 1 <lower-case hex>" (tlsa_format(), lib/tlsa.h); RDATA that form cannot write
 *        (under three octets, no association data) in the generic form "\# 3 030101"
 *        (RFC 3597 §5).
 *
 * Scope (kept simple on purpose): the NS RRset of the domain itself; a domain that is not a
 * zone apex (NODATA) or does not exist (NXDOMAIN) gets ns_status saying so and no views. At
 * most NSVIEWS_MAX_SERVERS NS hosts (the first by name) and NSVIEWS_MAX_ADDRS addresses of
 * each family per host are asked. An address of a family this host has no route to (an
 * IPv4-only agent and an IPv6 server) is skipped: that is the agent's network, not the zone's.
 * An NS host whose A and AAAA lookups both say the name has no address (NODATA or NXDOMAIN)
 * gets one view with an empty address and no answers: a lame delegation the check reports.
 *
 * Lookups through a recursive resolver: the NS RRset and the A and AAAA of the NS hosts go
 * through the run's resolver (agent/resolver.h), like every other lookup of the run.
 */
#ifndef MXS_AGENT_NSVIEWS_H
#define MXS_AGENT_NSVIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "agent/resolver.h"
#include "lib/snapshot.h"

/* At most this many NS hosts are asked (those first in name order). */
#define NSVIEWS_MAX_SERVERS 8
/* At most this many addresses per NS host and family (A, AAAA). */
#define NSVIEWS_MAX_ADDRS 4
/* At most this many MX hosts per address are asked for their TLSA records. */
#define NSVIEWS_MAX_TLSA 8

/*
 * What nsviews gathered for one domain: the OBS_NS_VIEWS members of struct snapshot, under
 * the same names, so that the gatherer moves them over one by one.
 */
struct nsviews_result {
	bool ns_looked_up;         /* true: the NS lookup was made */
	enum dns_status ns_status; /* of the NS lookup */
	struct ns_view *ns_views;  /* one per (NS host, address) asked, by host name then address */
	size_t n_ns_views;
};

/*
 * Called exactly once when every question is answered or timed out, from the loop (never from
 * inside nsviews_start()). result is owned by the callee from then on: move its contents into
 * the snapshot and zero the members you took (the struct itself is freed by nsviews after the
 * callback returns, with whatever members are still set: nsviews_result_clear()).
 */
typedef void (*nsviews_done_fn)(struct nsviews_result *result, void *userdata);

/*
 * Start gathering the views of one domain.
 *
 * loop:       the sd-event loop to run on (borrowed; must run until done is called).
 * res:        the run's resolver, for the NS RRset and the NS hosts' A and AAAA (borrowed;
 *             must outlive the gathering: resolver_free() while it runs makes the lookups fail,
 *             and the gathering ends with the views it has).
 * domain:     the normalised domain name (copied).
 * timeout_ms: deadline of each direct question, retries included; the NS and A/AAAA
 *             lookups follow the resolver's own deadline. The whole gathering takes at most
 *             about four deadlines (the TLSA questions wait for the MX answer).
 * done, userdata: the completion callback and its argument.
 *
 * Returns 0 when done will be called, -EINVAL (a NULL argument, timeout_ms 0), -ENOMEM, or the
 * error of the loop or of resolver_query() that kept the NS lookup from starting, when it will
 * not.
 */
int nsviews_start(sd_event *loop, struct resolver *res, const char *domain, unsigned timeout_ms,
		  nsviews_done_fn done, void *userdata);

/* Release every view a result still holds and zero its members (not the struct). NULL-safe. */
void nsviews_result_clear(struct nsviews_result *r);

#endif

/*
 * dane_gate.h - the pre-deployment gate of a certificate rotation under DANE ("mxsentry
 * dane-check"): may this new certificate go live on the MX hosts of a domain now?
 *
 * RFC 7672 §4 and RFC 7671 §8 (DANE-ROT-01/03/04): before a new key or certificate is used, a
 * TLSA record that matches it must be published, DNSSEC-secure, beside the current one, and stay
 * published until every cache that may hold the previous RRset has let it go: at least twice its
 * TTL, counted from the moment every authoritative server serves it. The gate answers per MX
 * host and for the domain:
 *
 *   YES      a secure record matches the new chain on every MX host, and every server has
 *            served it for two TTLs;
 *   WAIT     it matches, but some server does not serve it yet or not for long enough (the time
 *            it will be ready is known when every server serves it);
 *   NO       an MX host has no secure record that matches the new chain (or its TLSA answer is
 *            bogus): deploying now breaks delivery from DANE senders;
 *   UNKNOWN  the facts are not there: the resolver does not validate, a lookup failed, a server
 *            did not answer, the store cannot tell how long a record has been served.
 *
 * The domain's verdict is the worst over its hosts in the order YES < WAIT < UNKNOWN < NO: a
 * definite "no" is what the operator must act on, even when other hosts could not be judged.
 *
 * Matching is lib/dane.h's: the new chain is judged exactly as a DANE sender would judge it once
 * presented (usages, selectors, matching types, digest agility, names and dates under DANE-TA).
 * Pure: no I/O; the caller supplies what the servers serve and since when.
 */
#ifndef MXS_LIB_DANE_GATE_H
#define MXS_LIB_DANE_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/certinfo.h"
#include "lib/dane.h"
#include "lib/snapshot.h"

/* Ordered as the exit status of "mxsentry dane-check". */
enum dane_gate {
	DANE_GATE_YES = 0,
	DANE_GATE_WAIT = 1,
	DANE_GATE_NO = 2,
	DANE_GATE_UNKNOWN = 3,
};

/* One MX host's verdict. */
struct dane_gate_host {
	const char *host; /* borrowed from the snapshot */
	enum dane_gate verdict;
	int record;        /* index into the host's TLSA records of the one that matched, or -1 */
	char *record_text; /* that record, "3 1 1 <hex>" (owned), or NULL */
	char *why;         /* one line saying why (owned) */
	time_t ready_at;   /* WAIT, every server serving: when two TTLs have passed; else 0 */
};

struct dane_gate_result {
	enum dane_gate verdict;
	struct dane_gate_host *hosts; /* one per MX host of the snapshot, same order (owned) */
	size_t n_hosts;
};

/* What one server (or the resolver) serves at _25._tcp.<host>, as the store remembers it. */
struct dane_gate_server {
	const char *label; /* "ns1.example.net [192.0.2.53]", or "the resolver" */
	bool answered;     /* it answered the TLSA question this time (records or none) */
	bool serves;       /* its answer holds the matched record */
	time_t since;      /* serves: since when, continuously */
	unsigned ttl;      /* serves: the TTL it serves the RRset with (0 unknown) */
};

/*
 * Step 1: does a DNSSEC-secure TLSA record of every MX host of snap match chain (the new
 * certificate, leaf first, with its intermediates when the file has them)?
 *
 * snap:  a snapshot gathered with OBS_MX and OBS_TLSA (borrowed for the call; the result
 *        borrows host names from it).
 * chain: n_chain certificates, leaf first.
 * now:   the time certificate dates are judged at (DANE-TA).
 * ret:   filled on success: hosts whose record matched are YES so far (step 2 decides), the
 *        others NO or UNKNOWN with their reason; release with dane_gate_result_clear().
 *
 * Returns 0, -EINVAL (no chain) or -ENOMEM.
 */
int dane_gate_match(const struct snapshot *snap, const struct certinfo *const *chain,
		    size_t n_chain, time_t now, struct dane_gate_result *ret);

/*
 * Step 2, for a host that step 1 left YES: has its record been served by every server long
 * enough? servers[0..n-1] are the authoritative servers of the host's zone (or the resolver
 * alone when they could not be asked). Sets the host's verdict (YES, WAIT or UNKNOWN), why and
 * ready_at. No server at all is UNKNOWN. Returns 0 or -ENOMEM.
 */
int dane_gate_visibility(struct dane_gate_host *h, const struct dane_gate_server *servers, size_t n,
			 time_t now);

/* Step 3: the domain's verdict from its hosts' (none: UNKNOWN). Sets and returns it. */
enum dane_gate dane_gate_combine(struct dane_gate_result *res);

/* "yes", "wait", "no", "unknown". */
const char *dane_gate_name(enum dane_gate g);

/* The DNSSEC state of a TLSA lookup as lib/dane.h words it (DANE-DNS-02/03). */
enum dane_dnssec dane_gate_tlsa_state(const struct tlsa_lookup *t);

/* Release what a result owns and zero it. NULL-safe. */
void dane_gate_result_clear(struct dane_gate_result *res);

#endif

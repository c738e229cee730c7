/*
 * resolver.h - DNS lookups with c-ares, driven by the sd-event loop.
 *
 * The c-ares channel runs on the loop through agent/ares_loop.h: I/O sources for the sockets
 * c-ares announces, one timer armed at ares_timeout() (DESIGN.md, Runtime). Nothing blocks.
 *
 * Every query is sent with ares_send() and the AD bit requested (RFC 6840 §5.7: the AD flag
 * set in the request, with an EDNS0 OPT record, RFC 6891), so that a validating resolver says
 * whether it validated the answer (DANE-DNS-01). The answer's header is read with lib/dnswire.h
 * for AD and the RCODE; MX, A, AAAA, TXT and NS records are decoded with c-ares's own parsers,
 * TLSA records (which c-ares 1.18 does not know) with lib/dnswire.h and lib/tlsa.h. Everything
 * is handed back as plain data.
 */
#ifndef MXS_AGENT_RESOLVER_H
#define MXS_AGENT_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "lib/error.h"
#include "lib/snapshot.h"
#include "lib/tlsa.h"

struct resolver;

/* One MX record. */
struct mx_record {
	char *name; /* exchange host name as received (owned); "" for a null MX target "." */
	int preference;
};

/* One address. */
struct addr_record {
	int family;    /* AF_INET / AF_INET6 */
	char text[46]; /* textual form */
	unsigned char bytes[16];
};

/* The answer to one query; arrays owned by the result, freed after the callback returns. */
struct dns_result {
	enum dns_status status;
	char *detail;    /* c-ares error text when status is not DNS_OK/NODATA/NXDOMAIN
				    * ("cancelled" from resolver_free()); NULL otherwise, or when
				    * memory ran out */
	bool unanswered; /* no server answered at all: timeout or connection refused
				    * (gather's "resolver does not answer" self-check) */
	bool ad; /* the answer's header had AD: the resolver validated it (RFC 4035 §3.2.3); false
		  * without an answer. Meaningful only from a validating resolver (DANE-DNS-01). */
	struct mx_record *mx; /* for MX queries */
	size_t n_mx;
	struct addr_record *addrs; /* for A / AAAA queries */
	size_t n_addrs;
	struct txt_record *txt; /* for TXT queries: one per RR, in answer order, each RR's
				 * character-strings joined without separators (STS-TXT-03) */
	size_t n_txt;
	unsigned ttl; /* TXT and TLSA queries: the smallest TTL among the answer's RRs (CNAMEs
		       * included); 0 when unknown */
	struct tlsa_rr *tlsa; /* for TLSA queries (ns_t_tlsa): every TLSA RR of the answer, in
			       * answer order, whatever its owner (the resolver followed the
			       * CNAMEs, DANE-LKP-06); usable or not, as received */
	size_t n_tlsa;
	/* TLSA queries (sent with DO): the RRSIG over the TLSA RRset that expires first, its
	 * expiration and inception as sent (RFC 4034 §3.1.5: serial number arithmetic) */
	bool rrsig;
	uint32_t rrsig_expiration, rrsig_inception;
	char **names; /* for NS queries: the name servers' host names as received, without the
		       * trailing dot, in answer order (owned, like the array) */
	size_t n_names;
};

typedef void (*resolver_done_fn)(const struct dns_result *result, void *userdata);

/*
 * Make a resolver on loop.
 *
 * server:     "address" or "address:port" ("[v6]:port"); NULL = the system's resolv.conf.
 * timeout_ms: deadline for one query, retries included.
 * ret_res:    the new resolver; free with resolver_free().
 * reterr:     why not (bad address, c-ares initialisation).
 */
int resolver_new(sd_event *loop, const char *server, unsigned timeout_ms, struct resolver **ret_res,
		 struct mxs_error *reterr);

/* Cancel pending queries (their callbacks run with DNS_ERROR "cancelled") and release. NULL-safe. */
struct resolver *resolver_free(struct resolver *res);

/*
 * Look up name's records of type (ns_t_mx, ns_t_a, ns_t_aaaa, ns_t_txt, ns_t_ns or ns_t_tlsa
 * from <arpa/nameser.h>; any other type is asked too, but only its status and AD bit are
 * reported); class IN, with the AD bit requested (see the top of this file).
 * CNAMEs are followed by the recursive resolver, and the records at the end of the chain are
 * reported (STS-TXT-13). done is called exactly once, from the loop (never from inside this
 * call, nor from inside c-ares), or from resolver_free() for a query still pending. result and
 * everything it points to are valid only during the callback.
 *
 * name, userdata: name is copied; userdata is passed to done untouched.
 *
 * Returns 0 when done will be called; -ENOMEM, -EINVAL (NULL argument) or -ECANCELED (called
 * while resolver_free() runs, i.e. from a callback it makes), when it will not.
 */
int resolver_query(struct resolver *res, const char *name, int type, resolver_done_fn done,
		   void *userdata);

#endif

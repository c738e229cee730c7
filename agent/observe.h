/*
 * observe.h - the bridge between a cycle's snapshots and the store's history.
 *
 * Before a domain's checks run, observe_history() gives them what the store remembers (or says
 * why there is nothing: no state directory, a database that cannot be read). After, observe_record()
 * stores what this cycle saw of the domain's MTA-STS record and policy, so that the next cycle
 * can tell a policy edited without a new id (STS-TXT-09) or a record removed (STS-TXT-14), and
 * the leaf every MX address presented, so that it can tell a key change (DANE-ROT-01/02), and
 * the TLSA records every authoritative server serves, so that "mxsentry dane-check" can tell how
 * long a record has been visible (DANE-ROT-01/03).
 */
#ifndef MXS_AGENT_OBSERVE_H
#define MXS_AGENT_OBSERVE_H

#include "agent/store.h"
#include "lib/error.h"
#include "lib/history.h"
#include "lib/snapshot.h"

/* The "server" of TLSA records seen through the resolver only (store_tlsa_view()). */
#define OBSERVE_RESOLVER "resolver"

/*
 * Fill ret (which must be empty) with domain's history. store may be NULL: ret is then
 * unavailable with reason no_store_reason. A read failure leaves ret unavailable with the
 * store's error as its reason. Returns 0, or -ENOMEM.
 */
int observe_history(struct store *store, const char *domain, const char *no_store_reason,
		    struct history *ret);

/*
 * Add to hist (filled by observe_history()) the domain's TLS-RPT reports whose period ended in
 * the window seconds before now, summed up and each failure judged against the probe history
 * (cycle: the domain's interval, lib/rpt_correlate.h). store NULL, or a read failure: nothing
 * is added (reports_loaded stays false: no report finding is made). Returns 0 or -ENOMEM.
 */
int observe_reports(struct store *store, const char *domain, unsigned cycle, long window,
		    time_t now, struct history *hist);

/*
 * Record snap's observations. MTA-STS: the valid _mta-sts record's id, and the policy body
 * fetched under it (parsed mode, max_age and mx when valid); nothing when the domain has no
 * single valid record or no fetched body. MX: the leaf certificate of every session that got a
 * chain (the default one and the algorithm-restricted ones), by MX host, address and algorithm.
 * TLSA: what every authoritative server answered for _25._tcp.<mx> (records, or none), by
 * server address; for an MX host no server was asked about, the resolver's secure answer under
 * the name OBSERVE_RESOLVER. A server that did not answer changes nothing. store may be NULL: nothing is recorded. On a failure the remaining observations are still
 * recorded. Returns 0, or the first negative errno with reterr filled.
 */
int observe_record(struct store *store, const struct snapshot *snap, struct mxs_error *reterr);

#endif

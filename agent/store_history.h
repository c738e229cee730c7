/*
 * store_history.h - the problems the agent's probes saw on a domain over time, as intervals,
 * read back from the store's transitions (the events table of migration 4, agent/store_state.h;
 * issue "Analyse": TLS-RPT failures against our own probes, lib/rpt_correlate.h).
 *
 * store_state_apply() writes an "opened" event when a problem (a finding of severity WARNING,
 * CRITICAL or UNKNOWN, keyed by check, MX host, address, algorithm and code) appears, "changed"
 * events while its severity moves, and "resolved" when a cycle no longer reports it. One
 * interval runs from an "opened" event to the next "resolved" event of the same key, or is
 * still open when there is none; "changed" events do not cut it. Events older than the first
 * "opened" of a key (a log pruned in the middle of a problem) give no interval.
 *
 * Reading only: nothing is written, and the store's rules apply (store.h): negative errno,
 * reterr filled with the database path and SQLite's message.
 */
#ifndef MXS_AGENT_STORE_HISTORY_H
#define MXS_AGENT_STORE_HISTORY_H

#include <stddef.h>
#include <time.h>

#include "agent/store.h"
#include "lib/error.h"
#include "lib/rpt_correlate.h"

/*
 * The problem intervals of domain that overlap [from, to): opened before to, and still open or
 * resolved after from. One query; ordered by opening time, then check, MX host, address,
 * algorithm and code. Subject parts the events hold as '' come back NULL.
 *
 * ret, ret_n: on success a new array (NULL and 0 when there is none), the caller's to release
 *             with rpt_correlate_intervals_free(); untouched on failure.
 *
 * Returns 0; -EINVAL for a NULL domain or to <= from; -ENOMEM, -EIO, -EBUSY.
 */
int store_history_problems(struct store *s, const char *domain, time_t from, time_t to,
			   struct rpt_interval **ret, size_t *ret_n, struct mxs_error *reterr);

#endif

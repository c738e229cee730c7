/*
 * report_summary.h - "mxsentry report summary": the TLS-RPT reports received for each domain
 * (agent/store_report.h), summed up per reporting organisation against the previous period
 * (lib/rpt_summary.h), each failure set against the agent's own probe history
 * (agent/store_history.h, lib/rpt_correlate.h); text or JSON (docs/json-output.md, "Report
 * summary"). Issue "Analyse"; spec/tls-rpt.md §2-3, RPT-RES-05.
 *
 * report_summary.c reads the store, report_summary_render.c writes the output; they are apart
 * from the command (agent/cmd_report.c) so that a test runs them on a store of its own with a
 * fixed clock.
 */
#ifndef MXS_AGENT_REPORT_SUMMARY_H
#define MXS_AGENT_REPORT_SUMMARY_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "agent/config.h"
#include "agent/store.h"
#include "lib/error.h"
#include "lib/rpt_summary.h"

/* The longest period asked for, in days (--days). */
#define REPORT_SUMMARY_MAX_DAYS 365

/*
 * Read the reports of the last days days before now and of the days before those, sum them up
 * and judge every failure of the current period against its domain's problem history.
 *
 * domains, n: the domains to read (normalised; borrowed); none (n 0) for every domain of the
 *             store.
 * cfg:        each domain's cycle interval (its own when configured, else cfg->interval),
 *             the length of "two cycles" in lib/rpt_correlate.h (borrowed).
 * days:       1 to REPORT_SUMMARY_MAX_DAYS: the current period is [now - days * 86400, now).
 * ret:        on success the summary (rpt_summary_clear()); untouched on failure.
 *
 * Returns 0; -EINVAL for days out of range; the store's -ENOMEM, -EIO, -EBUSY with reterr.
 */
int report_summary_load(struct store *s, const struct config *cfg, const char *const *domains,
			size_t n, time_t now, unsigned days, struct rpt_summary *ret,
			struct mxs_error *reterr);

/* The same for one domain, whose cycle interval is cycle seconds (0: one hour). */
int report_summary_load_one(struct store *s, const char *domain, unsigned cycle, time_t now,
			    unsigned days, struct rpt_summary *ret, struct mxs_error *reterr);

/*
 * Write the summary of the domains names[0..n-1] (each once; a name without a report is shown
 * as having none), or of every domain of sum when n is 0, in that order, to out.
 *
 * Text, for a mail administrator: per domain a line with its reports, sessions, success rate
 * and trend, the failed sessions by result type, MX host and IP; then per organisation the same
 * line and each distinct failure with its verdict and reason ("confirmed by our probes: ...").
 * JSON: the document of docs/json-output.md, "Report summary", generated at now.
 *
 * Returns the exit status (report_summary_status()), or -ENOMEM / -EIO when the output could
 * not be built or written.
 */
int report_summary_text(FILE *out, const struct rpt_summary *sum, const char *const *names,
			size_t n);
int report_summary_json(FILE *out, const struct rpt_summary *sum, const char *const *names,
			size_t n, time_t now);

/*
 * The exit status of "report summary" for the domains shown (as above): 0 when no session
 * failed in the current period, 2 when a failure is CONFIRMED by our probes, else 1 (failures,
 * each TRANSIENT or NOT_SEEN, or counted without details).
 */
int report_summary_status(const struct rpt_summary *sum, const char *const *names, size_t n);

#endif

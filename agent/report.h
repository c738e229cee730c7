/*
 * report.h - render the result of a one-shot check: readable text, JSON, Nagios plugin output.
 *
 * Input: per domain, its snapshot and the findings of its checks. The renderers only read.
 *  - text: one block per domain, worst domain first; per block the verdict, then each MX
 *    address with its TLS facts, then the findings worst first, each with what to fix and
 *    its requirement ID.
 *  - JSON: the schema documented in docs/json-output.md (stable; additions only).
 *  - Nagios: one status line, then perfdata ('label'=value[UOM];warn;crit;min;max): days left
 *    per certificate (leaf and intermediates, per MX address and algorithm) and handshake
 *    time; the return value is the plugin exit status.
 */
#ifndef MXS_AGENT_REPORT_H
#define MXS_AGENT_REPORT_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "lib/finding.h"
#include "lib/snapshot.h"

struct report_domain {
	const struct snapshot *snap;     /* borrowed */
	const struct findings *findings; /* borrowed; this domain's findings only */
};

/* Write the readable report. */
void report_text(FILE *out, const struct report_domain *doms, size_t n);

/* Write the JSON document. Returns 0, -ENOMEM, or -EIO when writing to out failed. */
int report_json(FILE *out, const struct report_domain *doms, size_t n);

/*
 * The pieces of that document, for documents of the same family (the agent's /status): one
 * domain's object (a new reference, or NULL on memory exhaustion), and a time as the schema
 * writes times ("2026-11-29T03:00:00Z"; JSON null when it cannot be written).
 */
json_t *report_json_domain(const struct report_domain *d);
json_t *report_json_time(time_t t);

/*
 * Write the Nagios plugin output. warning_secs/critical_secs are the certificate thresholds
 * (perfdata warn/crit, in days). Returns the exit status: 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN (the worst severity over all findings).
 */
int report_nagios(FILE *out, const struct report_domain *doms, size_t n, long warning_secs,
		  long critical_secs);

#endif

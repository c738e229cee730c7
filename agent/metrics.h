/*
 * metrics.h - the agent's state in the Prometheus text exposition format (version 0.0.4), for
 * GET /metrics (DESIGN.md, Runtime and Scale: agents are scraped, Alertmanager alerts).
 *
 * Input: per domain, its last completed cycle (snapshot and findings) and schedule; for the
 * agent, its counters and health. metrics_write() only reads them. Output order is fixed:
 * families in the order below, within a family the domains in the order given, within a domain
 * the snapshot's order (MX hosts, addresses, sessions); so equal input gives equal text.
 *
 * Conventions: names start with mxsentry_; values are in base units (seconds; points in time are
 * Unix seconds named _timestamp_seconds); "# HELP" and "# TYPE" are written once per family,
 * also for a family without samples. Label values are escaped as the format requires
 * (backslash, double quote, newline); other control bytes and bytes of 0x80 and above, which
 * are not expected in normalised names and addresses, become '?' so that the text stays UTF-8.
 *
 * The families (labels in braces; "domain" is the configured name):
 *
 * Agent
 *   mxsentry_up                           gauge   1 whenever the agent answers
 *   mxsentry_start_time_seconds           gauge   when the agent started
 *   mxsentry_last_cycle_ok_timestamp_seconds gauge end of the last cycle that completed; absent
 *                                                 until one has
 *   mxsentry_cycles_total                 counter cycles run
 *   mxsentry_cycle_failures_total         counter cycles that did not complete
 *   mxsentry_config_reloads_total{result} counter configuration reloads, result "ok" or "failed"
 *   mxsentry_store_ok                     gauge   1 when the state store works, else 0
 *   mxsentry_outbox_pending               gauge   alerts queued and not delivered yet
 *   mxsentry_alerts_total{result}         counter alert deliveries since start: "delivered",
 *                                                 "failed" (given up), "redelivered" (sent
 *                                                 again after a crash cut them off in flight)
 *   mxsentry_domains                      gauge   domains configured
 * Domain
 *   mxsentry_domain_interval_seconds{domain}             gauge seconds between two cycles
 *   mxsentry_domain_last_cycle_timestamp_seconds{domain} gauge end of its last cycle; absent
 *                                                              until one
 *   mxsentry_domain_cycle_duration_seconds{domain}       gauge how long gathering took
 *   mxsentry_check_status{domain,check}   gauge  worst severity of the check's findings (by
 *                                                severity_rank()) as its value: 0 OK, 1 WARNING,
 *                                                2 CRITICAL, 3 UNKNOWN; one per enabled check
 *                                                (0 when it found nothing) and per check with
 *                                                findings, in the registry's order
 *   mxsentry_findings{domain,severity}    gauge  findings per severity ("OK", "WARNING",
 *                                                "CRITICAL", "UNKNOWN"), all four always
 * Certificates: every certificate presented (depth 0 = leaf, 1.. = as sent) by every MX address,
 * once per key algorithm of its leaf (the default session and an algorithm-restricted one that
 * get the same chain count once), and by the MTA-STS policy host
 *   mxsentry_certificate_expiry_timestamp_seconds{domain,service,host,address,alg,depth} gauge
 *                                                notAfter
 *     service "smtp" (host = the MX host) or "https" (host = "mta-sts.<domain>"); alg = the
 *     leaf's key type ("RSA", "ECDSA", "Ed25519", ...), the same for every depth of a chain.
 *     Days left are "(mxsentry_certificate_expiry_timestamp_seconds - time()) / 86400" in
 *     PromQL, as etc/prometheus/mxsentry.rules.yml does: no family in days, which is not a base
 *     unit ("promtool check metrics" refuses it), and no "seconds left" frozen at the time of
 *     the cycle.
 * MTA-STS
 *   mxsentry_mta_sts_mode{domain,mode}    gauge  1 for the mode senders apply, 0 for the other
 *                                                two ("enforce", "testing", "none"); "none" when
 *                                                the domain publishes no policy; absent when not
 *                                                gathered, unknown or broken (mxsentry_check_status
 *                                                of mta_sts says why)
 *   mxsentry_mta_sts_fetch_seconds{domain} gauge duration of the policy fetch
 * Probes, per SMTP session (probe = "any", "ECDSA", "RSA": the certificates it asked for)
 *   mxsentry_smtp_handshake_seconds{domain,host,address,probe} gauge TLS handshake; sessions
 *                                                that reached TLS only
 *   mxsentry_smtp_session_seconds{domain,host,address,probe}   gauge connect to the end
 */
#ifndef MXS_AGENT_METRICS_H
#define MXS_AGENT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "lib/finding.h"
#include "lib/snapshot.h"

/* The Content-Type of the text this module writes. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* One configured domain. Everything is borrowed for the call. */
struct metrics_domain {
	const char *name;                /* the configured name */
	const struct snapshot *snap;     /* last completed cycle, or NULL (none yet) */
	const struct findings *findings; /* that cycle's findings, or NULL */
	time_t last_cycle_end;           /* 0: none yet */
	unsigned interval;               /* seconds */
	unsigned checks; /* enabled checks (bit set, checks/registry.h): each gets a status sample,
			  * 0 when it found nothing; 0 = only the checks that have findings */
};

/* The agent's own state. */
struct metrics_agent {
	time_t started;
	time_t last_cycle_ok; /* end of the last cycle of all due domains that completed; 0: none */
	unsigned long cycles; /* cycles started and ended, completed or not */
	unsigned long cycle_failures;         /* of those, the ones that did not complete */
	unsigned long config_reloads;         /* reloads applied */
	unsigned long config_reload_failures; /* reloads rejected (the old configuration stays) */
	bool store_ok;
	size_t outbox_pending;                         /* alerts queued or in flight */
	unsigned long alerts_delivered, alerts_failed; /* since start */
	unsigned long alerts_redelivered; /* sent again after a crash cut them off in flight */
};

/*
 * Write the exposition.
 *
 * out:   where to write.
 * doms:  n domains (doms may be NULL when n is 0).
 * agent: the agent's state.
 *
 * Returns 0; -ENOMEM (the text is then incomplete); -EIO when writing to out failed; -EINVAL for
 * a NULL out or agent.
 */
int metrics_write(FILE *out, const struct metrics_domain *doms, size_t n,
		  const struct metrics_agent *agent);

/*
 * metrics_write() into a new buffer, for an HTTP response body.
 *
 * ret_text, ret_len: on success, the text (NUL-terminated; the caller frees it) and its length.
 *
 * Returns 0, or what metrics_write() returns (-ENOMEM also when the buffer cannot be made).
 */
int metrics_text(const struct metrics_domain *doms, size_t n, const struct metrics_agent *agent,
		 char **ret_text, size_t *ret_len);

#endif

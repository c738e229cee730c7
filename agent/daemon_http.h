/*
 * daemon_http.h - the agent's HTTP endpoint (libmicrohttpd, agent/httpd.h): what it serves.
 *
 *   GET /metrics  the Prometheus text format (agent/metrics.h) of the last cycle of every
 *                 domain and of the agent's own health;
 *   GET /status   JSON of the same family as "mxsentry check --json" (docs/json-output.md,
 *                 "Agent status"): the agent's counters and, per domain, its last cycle's
 *                 document, or "pending" before its first;
 *   GET /healthz  200 "ok" while the agent is healthy (daemon.h), else 503 with the reason;
 *   POST <http.report_path>  a TLS-RPT report delivered over HTTPS (RFC 8460 §5.4, RPT-DLV-01/02;
 *                 the agent is meant to sit behind the domain's TLS reverse proxy), body
 *                 application/tlsrpt+gzip or application/tlsrpt+json, at most 10 MiB before and
 *                 after decompression (RPT-JSON-14): 200 once recorded (stored, or stored
 *                 already), 400 when it cannot be understood (it is kept with the reason), 413
 *                 too large, 415 another media type, 429 when the client sends more than
 *                 DAEMON_HTTP_REPORTS_BURST reports at once or DAEMON_HTTP_REPORTS_PER_MIN a
 *                 minute (the peer's address counts: behind a proxy, all clients share it),
 *                 503 when the store cannot record it (the sender retries, RPT-DLV-10).
 */
#ifndef MXS_AGENT_DAEMON_HTTP_H
#define MXS_AGENT_DAEMON_HTTP_H

#include <stdbool.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "agent/alerting.h"
#include "agent/httpd.h"
#include "agent/sched.h"
#include "agent/store.h"

#define DAEMON_HTTP_REPORTS_BURST   20
#define DAEMON_HTTP_REPORTS_PER_MIN 60
#define DAEMON_HTTP_RATE_CLIENTS    256 /* clients remembered; the oldest is forgotten first */

/* One client's allowance (a token bucket refilled at DAEMON_HTTP_REPORTS_PER_MIN). */
struct daemon_http_rate {
	char client[46];
	double tokens;
	time_t last;
};

/* What the endpoint reads; owned by the daemon, valid while the endpoint runs. */
struct daemon_view {
	const struct sched *sched;
	const struct alerting *alerting;
	const char *config_path;
	struct store *store; /* where POSTed reports go */
	unsigned long reloads, reload_failures;
	unsigned long reports_received, reports_rejected; /* POSTed since start */
	struct daemon_http_rate rates[DAEMON_HTTP_RATE_CLIENTS];
	struct httpd_route routes[4]; /* the endpoint's, which httpd borrows */
	/* whether the agent is healthy, and why not (static text) when it is not */
	bool (*healthy)(const struct daemon_view *v, const char **ret_why);
};

/*
 * Serve view on listen ("address:port"), reports on report_path (NULL: not served; borrowed
 * while the endpoint runs). Returns 0 or -errno with reterr filled.
 */
int daemon_http_start(sd_event *loop, const char *listen, const char *report_path,
		      struct daemon_view *view, struct httpd **ret, struct mxs_error *reterr);

#endif

/*
 * daemon_http.h - the agent's HTTP endpoint (libmicrohttpd, agent/httpd.h): what it serves.
 *
 *   GET /metrics  the Prometheus text format (agent/metrics.h) of the last cycle of every
 *                 domain and of the agent's own health;
 *   GET /status   JSON of the same family as "mxsentry check --json" (docs/json-output.md,
 *                 "Agent status"): the agent's counters and, per domain, its last cycle's
 *                 document, or "pending" before its first;
 *   GET /healthz  200 "ok" while the agent is healthy (daemon.h), else 503 with the reason.
 */
#ifndef MXS_AGENT_DAEMON_HTTP_H
#define MXS_AGENT_DAEMON_HTTP_H

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "agent/alerting.h"
#include "agent/httpd.h"
#include "agent/sched.h"

/* What the endpoint reads; owned by the daemon, valid while the endpoint runs. */
struct daemon_view {
	const struct sched *sched;
	const struct alerting *alerting;
	const char *config_path;
	unsigned long reloads, reload_failures;
	/* whether the agent is healthy, and why not (static text) when it is not */
	bool (*healthy)(const struct daemon_view *v, const char **ret_why);
};

/* Serve view on listen ("address:port"). Returns 0 or -errno with reterr filled. */
int daemon_http_start(sd_event *loop, const char *listen, struct daemon_view *view,
		      struct httpd **ret, struct mxs_error *reterr);

#endif

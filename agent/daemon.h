/*
 * daemon.h - mxsentryd as a service: the loop, signals, systemd notifications, the watchdog, the
 * configuration and its reload, the store, the schedule and the HTTP endpoint.
 *
 * Life (DESIGN.md, Runtime):
 *   start    load the configuration (errors with file:line, exit 1), open the store under
 *            state_dir (exit 1 when it cannot be), start the schedule (agent/sched.h) and, when
 *            http.listen is set, the endpoint (agent/daemon_http.h); then READY=1.
 *   SIGHUP   RELOADING=1; load the file again: when it has errors they are logged with
 *            file:line and the running configuration stays; else the schedule and the endpoint
 *            take the new one (domains that stay keep their state). Then READY=1.
 *   SIGUSR1  check every domain now.
 *   SIGTERM, SIGINT   STOPPING=1; a run in flight is abandoned (each domain's cycle is one
 *            store transaction, so nothing is half-written), the store is closed; exit 0.
 *   watchdog when systemd asks for it (WatchdogSec=), WATCHDOG=1 every half period while the
 *            agent is healthy: its store works and no run has been in flight for more than
 *            DAEMON_RUN_STUCK_SECS.
 * The daemon never forks: systemd (Type=notify) or the operator's terminal runs it.
 */
#ifndef MXS_AGENT_DAEMON_H
#define MXS_AGENT_DAEMON_H

#include <stdbool.h>

/* A run in flight for longer than this makes the agent unhealthy (watchdog, /healthz). */
#define DAEMON_RUN_STUCK_SECS (6 * 3600)

struct daemon_opts {
	const char *config_path;
	bool foreground; /* log to stderr, with debug records */
};

/* Run the agent until SIGTERM or SIGINT. Returns the exit status: 0, or 1 when it could not start. */
int daemon_run(const struct daemon_opts *opts);

#endif

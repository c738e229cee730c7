/*
 * cmd_report.h - "mxsentry report": the TLS-RPT reports the domains receive (RFC 8460; issue
 * "Analyse").
 *
 * cmd_report() runs one subcommand, found by name in the table of cmd_report.c:
 *
 *   summary [DOMAIN...] [--days N] [--json] [-f FILE] [--state-dir DIR]
 *       per domain and reporting organisation: sessions, success rate and its trend against the
 *       previous period of the same length, failed sessions by result type, MX host and IP,
 *       and each failure set against the agent's own probe history (agent/report_summary.h).
 *       The store is found as for "mxsentry status" (--state-dir, else the file's state_dir,
 *       else /var/lib/mxsentry) and never created. Exit status: 0 no session failed in the
 *       period, 1 failures, none confirmed by our probes, 2 some confirmed by our probes,
 *       3 could not tell (bad arguments, a store missing or unreadable).
 *
 * A subcommand is a function of the form of cmd_report() itself, argv[0] being its name, that
 * returns the exit status; adding one is one entry of that table.
 */
#ifndef MXS_AGENT_CMD_REPORT_H
#define MXS_AGENT_CMD_REPORT_H

/* Run "report"; argv[0] is "report", argv[1] the subcommand. Returns the exit status. */
int cmd_report(int argc, char **argv);

/* "report ingest" (agent/cmd_report_ingest.c): argv[0] is "ingest". Returns the exit status. */
int cmd_report_ingest(int argc, char **argv);

#endif

/*
 * cmd_status.h - "mxsentry status": what is wrong with each domain now, and since when, as the
 * daemon recorded it in the store (agent/store_state.h); no probe is made.
 *
 * The store is found in the state directory of --state-dir, else of the configuration file
 * (-f), else the default one (/var/lib/mxsentry). Output: text, or JSON with --json
 * (docs/json-output.md, "Status"). Exit status follows the Nagios plugin conventions: the worst
 * severity shown (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; a domain without a recorded cycle is
 * UNKNOWN), and 3 for bad arguments or a store that cannot be opened.
 */
#ifndef MXS_AGENT_CMD_STATUS_H
#define MXS_AGENT_CMD_STATUS_H

/* Run the command; argv[0] is "status". Writes to stdout and stderr; returns the exit status. */
int cmd_status(int argc, char **argv);

#endif

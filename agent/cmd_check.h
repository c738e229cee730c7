/*
 * cmd_check.h - "mxsentry check": gather, evaluate and report, once.
 *
 * Works with a configuration file (its domains and settings), without one (domains named on
 * the command line, every setting from flags or defaults, as a Nagios plugin is usually run), or
 * both (flags override the file). Exit status follows the Nagios plugin conventions for every
 * output format: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN — also for bad arguments, an unreadable
 * configuration and anything that keeps the check from running.
 */
#ifndef MXS_AGENT_CMD_CHECK_H
#define MXS_AGENT_CMD_CHECK_H

/* Run the command; argv[0] is "check". Returns the exit status. */
int cmd_check(int argc, char **argv);

#endif

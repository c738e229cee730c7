/*
 * cmd_dane_check.h - "mxsentry dane-check": the pre-deployment gate of a certificate rotation
 * under DANE (RFC 7672 §4, RFC 7671 §8.1; lib/dane_gate.h).
 *
 * Exit status: 0 yes (deploy), 1 wait, 2 no (the TLSA records to publish are printed), 3 could
 * not tell (also for bad arguments, an unreadable certificate or a store that cannot be opened).
 */
#ifndef MXS_AGENT_CMD_DANE_CHECK_H
#define MXS_AGENT_CMD_DANE_CHECK_H

/* Run the command; argv[0] is "dane-check". Returns the exit status. */
int cmd_dane_check(int argc, char **argv);

#endif

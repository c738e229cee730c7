/*
 * cmd_rollout.h - "mxsentry rollout DOMAIN": where DOMAIN stands on the road from no MTA-STS
 * policy, through mode testing, to mode enforce, and the exact change to make next
 * (lib/rollout.h), judged from what mxsentryd recorded in its store; no probe is made.
 *
 * The store is found in the state directory of --state-dir, else of the configuration file
 * (-f), else the default one (/var/lib/mxsentry), and is never created here. The thresholds are
 * the domain's "rollout" group in that file, else the file's global one, else the defaults.
 * Output: text, JSON with --json (docs/json-output.md, "Rollout"), or a Nagios status line with
 * --nagios. Exit status: rollout_render_exit() (agent/rollout_render.h), and 3 for bad
 * arguments, a store that cannot be opened or read, or output that cannot be written.
 */
#ifndef MXS_AGENT_CMD_ROLLOUT_H
#define MXS_AGENT_CMD_ROLLOUT_H

#include <stdio.h>
#include <time.h>

#include "agent/rollout_render.h"
#include "agent/store.h"
#include "lib/error.h"
#include "lib/rollout.h"

/* Run the command; argv[0] is "rollout". Writes to stdout and stderr; returns the exit status. */
int cmd_rollout(int argc, char **argv);

/*
 * The command's core, for a store already open: read domain's policy history, last cycle,
 * reports of the window and open problems from s, judge them and write the result to out.
 *
 * domain:      normalised.
 * th:          the thresholds (borrowed).
 * stale_after: seconds after which the last cycle is too old to judge by (0: never).
 * now:         the clock the judgement and the fresh id use.
 * reterr:      optional; the store's error when it could not be read.
 *
 * Returns the exit status of rollout_render(); -EIO/-EBUSY/-ENOMEM when the store could not be
 * read (reterr says why); -EIO when out could not be written.
 */
int cmd_rollout_report(struct store *s, const char *domain, const struct rollout_thresholds *th,
		       time_t stale_after, enum rollout_format fmt, FILE *out, time_t now,
		       struct mxs_error *reterr);

#endif

/*
 * rollout_render.h - the output of "mxsentry rollout" (agent/cmd_rollout.c): a judged domain
 * (lib/rollout.h) as text for a mail administrator, as JSON (docs/json-output.md, "Rollout"),
 * or as one Nagios plugin status line with performance data.
 *
 * Kept apart from the command so that it can be run on hand-made data with a fixed clock.
 */
#ifndef MXS_AGENT_ROLLOUT_RENDER_H
#define MXS_AGENT_ROLLOUT_RENDER_H

#include <stdio.h>

#include "lib/rollout.h"

enum rollout_format {
	ROLLOUT_FORMAT_TEXT,
	ROLLOUT_FORMAT_JSON,
	ROLLOUT_FORMAT_NAGIOS,
};

/*
 * The exit status of a verdict (mxsentry(1), EXIT STATUS).
 * Text and JSON: 0 READY or OK, 1 NOT_ENOUGH_DATA, 2 NOT_READY or ROLLBACK, 3 UNKNOWN.
 * Nagios: 0 OK for READY, OK and NOT_ENOUGH_DATA (waiting needs no one's attention), 1 WARNING
 * for NOT_READY (mail still flows under testing), 2 CRITICAL for ROLLBACK (enforce is refusing
 * mail), 3 UNKNOWN.
 */
int rollout_render_exit(enum rollout_verdict v, enum rollout_format fmt);

/*
 * Write the judgement r of in (as rollout_judge() made it) to out in format fmt.
 *
 * Text: "DOMAIN: VERDICT", the mode and since when, the policy, the reports of the window per
 * organisation and the failures by type, the agent's last cycle; then what to fix, what to
 * wait for and notes, each with what to do; for READY and ROLLBACK the change to make, in the
 * order to make it, and how long senders may keep an enforce policy.
 * JSON: one document (docs/json-output.md, "Rollout").
 * Nagios: "ROLLOUT STATE - DOMAIN VERDICT: summary | perfdata", then one line per reason.
 *
 * Returns rollout_render_exit(r->verdict, fmt), or -ENOMEM / -EIO when the output could not be
 * built or written.
 */
int rollout_render(FILE *out, const struct rollout_input *in, const struct rollout_result *r,
		   enum rollout_format fmt);

#endif

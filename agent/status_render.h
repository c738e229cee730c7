/*
 * status_render.h - the output of "mxsentry status" (agent/cmd_status.c): the open problems and
 * last cycles read from the store, per domain, worst first, as text or JSON.
 *
 * Kept apart from the command so that it can be run on hand-made data with a fixed clock.
 */
#ifndef MXS_AGENT_STATUS_RENDER_H
#define MXS_AGENT_STATUS_RENDER_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "agent/store_state.h"

/* What the store holds, borrowed by the renderers. */
struct status_data {
	struct state_row *rows; /* every open problem, ordered as store_state_load(NULL) */
	size_t n_rows;
	struct state_cycle *cycles; /* every last cycle, ordered as store_cycles_load(NULL) */
	size_t n_cycles;
};

/*
 * Write the report on the domains names[0..n-1] (normalised, each once) to out, the worst
 * domain first (severity_rank(), then the order given). A domain without a cycle nor a problem
 * in d is shown as "no cycle recorded" and counts as UNKNOWN. now is the clock that ages are
 * counted from; a time ahead of it counts as now.
 *
 * Text: per domain a line "NAME: WORST (N problems)", the last cycle's time, age and summary,
 * then per problem "SEVERITY CODE [MX [ADDRESS [ALG]]]: MESSAGE (REQ)" and "since TIME (AGE)".
 * JSON: the document of docs/json-output.md, "Status".
 *
 * Returns the exit status, the worst severity shown (0-3; 3 when n is 0: nothing is known), or
 * -ENOMEM / -EIO when the report could not be built or written.
 */
int status_render_text(FILE *out, const struct status_data *d, const char *const *names, size_t n,
		       time_t now);
int status_render_json(FILE *out, const struct status_data *d, const char *const *names, size_t n,
		       time_t now);

#endif

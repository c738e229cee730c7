/*
 * evaluate.h - run a domain's enabled checks on its snapshot.
 *
 * The step between gathering and reporting: for each enabled check that has a plugin, configure
 * it with the domain's settings, evaluate the snapshot and collect the findings. A plugin that
 * fails internally (memory, a bug) yields one UNKNOWN finding "check.failed" for that check
 * rather than losing the others.
 */
#ifndef MXS_AGENT_EVALUATE_H
#define MXS_AGENT_EVALUATE_H

#include "checks/check.h"
#include "lib/finding.h"
#include "lib/snapshot.h"

/*
 * Evaluate snap with every check of the bit set checks (checks/registry.h indexes).
 *
 * settings:  the merged settings of the domain (borrowed).
 * hist:      the domain's history from the store, or NULL when there is none (borrowed).
 * out:       findings are appended here.
 *
 * Returns 0, or -ENOMEM when findings could not be recorded.
 */
int evaluate_domain(const struct snapshot *snap, unsigned checks,
		    const struct check_settings *settings, const struct history *hist,
		    struct findings *out);

/* The union of the needs (enum obs bits) of the enabled checks that have a plugin. */
unsigned evaluate_needs(unsigned checks);

#endif

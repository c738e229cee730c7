/*
 * config_rollout.h - reading a "rollout" group, at the top level or in a domain; private to the
 * config module (config.c).
 */
#ifndef MXS_AGENT_CONFIG_ROLLOUT_H
#define MXS_AGENT_CONFIG_ROLLOUT_H

#include <libconfig.h>

#include "agent/cfgval.h"
#include "lib/rollout.h"

/*
 * Read parent's "rollout" group, when present, over t (which holds the defaults or the global
 * values): min_days, min_orgs, max_failure_rate ("0.1%"), min_sessions. Errors go to cv and
 * leave the setting concerned as it was.
 */
void config_read_rollout(struct cfgval *cv, const config_setting_t *parent,
			 struct rollout_thresholds *t);

#endif

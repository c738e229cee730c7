/*
 * config_sinks.h - reading the "alerts" group; private to the config module (config.c).
 */
#ifndef MXS_AGENT_CONFIG_SINKS_H
#define MXS_AGENT_CONFIG_SINKS_H

#include <libconfig.h>

#include "agent/cfgval.h"
#include "agent/config.h"

/*
 * Read every sink of root's "alerts" group into cfg->sinks / cfg->n_sinks, recording errors in
 * cv. Returns 0 (errors, if any, are in cv) or -ENOMEM.
 */
int config_read_sinks(struct cfgval *cv, const config_setting_t *root, struct config *cfg);

#endif

/*
 * cli_config.h - loading a configuration for a command-line front end and printing what was
 * found, shared by "mxsentry config check" and "mxsentryd --test".
 */
#ifndef MXS_AGENT_CLI_CONFIG_H
#define MXS_AGENT_CLI_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "agent/config.h"

/*
 * Load the configuration at path. Every error goes to err as "FILE:LINE: message", one per
 * line, followed by a count. Returns 0 and sets *ret_cfg (free with config_free()), or a
 * negative errno after the errors were printed.
 */
int cli_config_load(const char *path, FILE *err, struct config **ret_cfg);

/*
 * Print a one-line summary of cfg to out; with verbose, also one line per domain with its
 * effective checks, thresholds, interval and tags, and one per alert sink.
 */
void cli_config_summary(const struct config *cfg, bool verbose, FILE *out);

#endif

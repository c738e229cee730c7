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

/*
 * Print "PROG: message" and a newline to stderr, for a bad argument. Returns -EINVAL, so that a
 * parser can "return cli_bad(...)".
 */
int cli_bad(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Check the arguments the commands that look things up share: --resolver ADDR (an IP address
 * with an optional port) and --dnssec-probe NAME (a domain name in text, at most 253
 * characters, RFC 1035 §2.3.4, with an optional trailing dot). Return 0, or cli_bad()'s -EINVAL
 * after saying what is wrong.
 */
int cli_check_resolver(const char *prog, const char *arg);

/*
 * Open the store in dir for a command that reads what the agent recorded ("status", "report
 * summary", "rollout"): dir must already hold the database, which such a command never creates
 * (it would belong to whoever ran it, not to the agent). On failure reterr says, naming the
 * path, why (and asks whether mxsentryd has run with that directory when there is none).
 * Returns 0 or -errno.
 */
struct store;
int cli_store_open_existing(const char *dir, struct store **ret, struct mxs_error *reterr);

/* Append a copy of name to the list names[0..*n-1] unless it is there already. 0 or -ENOMEM. */
int cli_names_add(char ***names, size_t *n, const char *name);

/*
 * Append the DOMAIN arguments args[0..n_args-1] to the list, each normalised (dname.h) and once.
 * A bad name is reported as "PROG: "NAME" is not a domain name: why" and stops the walk.
 * Returns 0 or a negative errno (after saying so for a bad name); the list keeps what was
 * appended.
 */
int cli_names_add_args(const char *prog, char *const *args, int n_args, char ***names, size_t *n);

/* Free the list names[0..n-1] and the array. */
void cli_names_free(char **names, size_t n);
int cli_check_dnssec_probe(const char *prog, const char *arg);

#endif

/*
 * registry.h - the check plugins, by name.
 *
 * The configuration selects checks by name (globally and per domain), so this is the one place
 * that knows the names: an unknown name is an error that lists the known ones. Checks are
 * numbered in a fixed order (their index) so that a set of checks is a bit set.
 *
 * Some names are known before their plugin exists: the configuration accepts them, and the agent
 * skips them (check_plugin() returns NULL) until they are built.
 */
#ifndef MXS_CHECKS_REGISTRY_H
#define MXS_CHECKS_REGISTRY_H

#include <stddef.h>

#include "checks/check.h"

/* Number of known checks; check indexes run from 0 to CHECK_COUNT - 1. */
#define CHECK_COUNT 7

/* Bit set of all checks: (1u << index) per check. */
#define CHECK_ALL ((1u << CHECK_COUNT) - 1)

/* Returns the index of the check called name, or -ENOENT. */
int check_index(const char *name);

/* Returns the name of check index i (static string), or NULL when i is out of range. */
const char *check_name(int i);

/* Returns the plugin of check index i, or NULL when i is out of range or not built yet. */
const struct check *check_plugin(int i);

/* Returns the known names separated by ", " (static string), for error messages. */
const char *check_known_names(void);

#endif

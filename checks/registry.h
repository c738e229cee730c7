/*
 * registry.h - the names of mxsentry's check plugins.
 *
 * The configuration selects checks by name (globally and per domain); this table is the one place
 * that knows the names, so an unknown name is an error that lists the known ones. The plugins
 * themselves (const struct check, see DESIGN.md) are registered here as they are built.
 */
#ifndef MXS_CHECKS_REGISTRY_H
#define MXS_CHECKS_REGISTRY_H

#include <stddef.h>

/* Number of known checks; check indexes run from 0 to CHECK_COUNT - 1. */
#define CHECK_COUNT 6

/* Bit set of all checks: (1u << index) per check. */
#define CHECK_ALL ((1u << CHECK_COUNT) - 1)

/* Returns the index of the check called name, or -ENOENT. */
int check_index(const char *name);

/* Returns the name of check index i (static string), or NULL when i is out of range. */
const char *check_name(int i);

/* Returns the known names separated by ", " (static string), for error messages. */
const char *check_known_names(void);

#endif

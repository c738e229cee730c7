/*
 * cfgval.h - typed, validated reads from a libconfig tree, with errors that name file and line.
 *
 * Every reader takes the group that should hold the key, the key's name and where to store the
 * value. A missing optional key leaves the output untouched (so callers preset defaults); a
 * present key of the wrong type or out of range adds one error to the context and also leaves
 * the output untouched. Readers never stop at the first error: the context collects them all.
 *
 * Returns of the readers: 1 when the key was present and valid (value stored), 0 when absent,
 * -EINVAL when present but invalid (error recorded), -ENOMEM.
 */
#ifndef MXS_AGENT_CFGVAL_H
#define MXS_AGENT_CFGVAL_H

#include <libconfig.h>
#include <stdbool.h>

#include "lib/error.h"

struct cfgval {
	struct mxs_errors *errs; /* where errors go; borrowed */
	const char *path;        /* the main file, for settings libconfig has no file for */
	int failed;              /* number of errors recorded through this context */
};

/* Record an error about setting s (its file and line are the place). */
void cfgval_error(struct cfgval *cv, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Check that every member of group has a name listed in known (NULL-terminated) and report each
 * unknown one, suggesting the known names. group may be NULL (nothing to check).
 */
void cfgval_known_keys(struct cfgval *cv, const config_setting_t *group, const char *const known[]);

/*
 * Look up key in group and check that it is a group ("what" names it in errors). Returns the
 * group, or NULL when absent or of the wrong type (error recorded).
 */
const config_setting_t *cfgval_group(struct cfgval *cv, const config_setting_t *group,
				     const char *key);

/* A list "( ... )" or array "[ ... ]" at key; NULL when absent or not a list (error recorded). */
const config_setting_t *cfgval_list(struct cfgval *cv, const config_setting_t *group,
				    const char *key);

/* A string; *out is replaced by a new copy (the old value is freed). Empty strings are errors. */
int cfgval_string(struct cfgval *cv, const config_setting_t *group, const char *key, char **out);

/* An integer within [min, max]. */
int cfgval_uint(struct cfgval *cv, const config_setting_t *group, const char *key, unsigned min,
		unsigned max, unsigned *out);

/* A boolean (true/false). */
int cfgval_bool(struct cfgval *cv, const config_setting_t *group, const char *key, bool *out);

/*
 * A duration (lib/duration.h): an integer in default_unit seconds or a string with a unit,
 * within [min_ms, max_ms]; stored in milliseconds.
 */
int cfgval_duration(struct cfgval *cv, const config_setting_t *group, const char *key,
		    long default_unit, long long min_ms, long long max_ms, long long *out);

/*
 * One of the strings in values (NULL-terminated); *out receives its index. Errors list the
 * allowed values.
 */
int cfgval_enum(struct cfgval *cv, const config_setting_t *group, const char *key,
		const char *const values[], int *out);

/*
 * An array of non-empty strings; *out is replaced by a new NULL-terminated array of copies
 * (free with cfgval_strv_free()). An empty array gives an empty vector when allow_empty, else an
 * error.
 */
int cfgval_strv(struct cfgval *cv, const config_setting_t *group, const char *key, bool allow_empty,
		char ***out);

/* A new empty NULL-terminated vector, or NULL on memory exhaustion. */
char **cfgval_strv_new(void);

/* Free a NULL-terminated vector and its strings. NULL-safe; returns NULL. */
char **cfgval_strv_free(char **v);

#endif

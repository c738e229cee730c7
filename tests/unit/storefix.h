/*
 * storefix.h - a fresh state directory per test for the store's unit tests.
 *
 * setup() makes a directory with mkdtemp() under /tmp; the store's state directory is a
 * not-yet-existing folder inside it, so store_open() creates it; teardown() removes it all.
 * Include after <cmocka.h>.
 */
#ifndef MXS_TESTS_STOREFIX_H
#define MXS_TESTS_STOREFIX_H

#include "agent/store.h"

struct fixture {
	char tmp[64];  /* the mkdtemp() directory */
	char *state;   /* <tmp>/state: not created before store_open() */
	char *db_path; /* <tmp>/state/mxsentry.db */
};

/* cmocka group or test setup/teardown: *state is a struct fixture. */
int setup(void **state);
int teardown(void **state);

/* store_open() on the fixture's state directory; fails the test with the message if it fails. */
struct store *open_ok(const struct fixture *f);

/* One query returning one integer, run directly on the file (not through the store). */
long long sql_int(const char *db_path, const char *sql);

/* Statements run directly on the file, creating it when missing. */
void sql_exec(const char *db_path, const char *sql);

/*
 * Run a command's entry point (cmd_status(), ...) in the test process with argv
 * (NULL-terminated), its stdout and stderr captured into *out and *err (new strings the caller
 * frees). Returns the command's exit status.
 */
int storefix_run(int (*cmd)(int argc, char **argv), char **out, char **err,
		 const char *const *argv);

#endif

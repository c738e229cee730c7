/*
 * storefix.c - a fresh state directory per store test; see storefix.h.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "lib/error.h"
#include "tests/unit/storefix.h"

int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->tmp, "/tmp/mxs-test-store-XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	f->state = mxs_strdupf("%s/state", f->tmp);
	f->db_path = mxs_strdupf("%s/mxsentry.db", f->state);
	assert_non_null(f->state);
	assert_non_null(f->db_path);
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int teardown(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(f->state);
	free(f->db_path);
	free(f);
	return 0;
}

struct store *open_ok(const struct fixture *f)
{
	struct mxs_error err = { 0 };
	struct store *s = NULL;
	int r = store_open(f->state, &s, &err);

	if (r != 0)
		fail_msg("store_open: %d: %s", r, err.what);
	mxs_error_clear(&err);
	return s;
}

/* Run one query returning one integer, directly on the file (not through the store). */
long long sql_int(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v;

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return v;
}

/* Run statements directly on the file, creating it when missing. */
void sql_exec(const char *db_path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(
	    sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Read a whole file into a new string. */
static char *slurp(FILE *f)
{
	char *buf;
	long len;

	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	return buf;
}

int storefix_run(int (*cmd)(int argc, char **argv), char **out, char **err, const char *const *argv)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int so, se, argc = 0, rc;

	assert_non_null(fo);
	assert_non_null(fe);
	while (argv[argc] != NULL)
		argc++;
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	assert_true(so >= 0 && se >= 0);
	assert_true(dup2(fileno(fo), 1) >= 0 && dup2(fileno(fe), 2) >= 0);
	rc = cmd(argc, (char **)argv);
	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(so, 1) >= 0 && dup2(se, 2) >= 0);
	close(so);
	close(se);
	*out = slurp(fo);
	*err = slurp(fe);
	fclose(fo);
	fclose(fe);
	return rc;
}

/*
 * store_history.c - problem intervals out of the events table; see store_history.h.
 *
 * The pairing of each "opened" event with the next "resolved" event of its key is done by
 * SQLite with a window function (lead() over the key, in id order, over those two kinds only),
 * so that one statement gives the intervals already cut to the range: a problem opened months
 * ago and still open costs one row, not its history. The events table has no index on the
 * domain (migration 4): this is a scan, fine for a command run by people, not for a cycle.
 */
#include "agent/store_history.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store_db.h"

static const char SQL_PROBLEMS[] =
    "SELECT check_name, code, mx, address, alg, at, next_at FROM"
    " (SELECT check_name, code, mx, address, alg, kind, at,"
    " lead(at) OVER (PARTITION BY check_name, mx, address, alg, code ORDER BY id) AS next_at"
    " FROM events WHERE domain = ?1 AND kind IN ('opened', 'resolved'))"
    " WHERE kind = 'opened' AND at < ?3 AND (next_at IS NULL OR next_at > ?2)"
    " ORDER BY at, check_name, mx, address, alg, code";

/* A copy of text column i; NULL for SQL NULL and for '' (an absent subject part). */
static int col_text(sqlite3_stmt *st, int i, char **ret)
{
	const unsigned char *t;

	*ret = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	t = sqlite3_column_text(st, i);
	if (t == NULL)
		return -ENOMEM;
	if (*t == '\0')
		return 0;
	*ret = strdup((const char *)t);
	return *ret != NULL ? 0 : -ENOMEM;
}

static int read_row(sqlite3_stmt *st, struct rpt_interval *h)
{
	if (col_text(st, 0, &h->check) < 0 || col_text(st, 1, &h->code) < 0 ||
	    col_text(st, 2, &h->mx) < 0 || col_text(st, 3, &h->address) < 0 ||
	    col_text(st, 4, &h->alg) < 0)
		return -ENOMEM;
	/* The schema requires a code; a row without one is a damaged file. */
	if (h->code == NULL)
		return -EIO;
	h->opened_at = (time_t)sqlite3_column_int64(st, 5);
	h->open = sqlite3_column_type(st, 6) == SQLITE_NULL;
	h->resolved_at = h->open ? 0 : (time_t)sqlite3_column_int64(st, 6);
	return 0;
}

int store_history_problems(struct store *s, const char *domain, time_t from, time_t to,
			   struct rpt_interval **ret, size_t *ret_n, struct mxs_error *reterr)
{
	struct rpt_interval *v = NULL, *grown;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int r = 0, rc;

	if (domain == NULL || to <= from)
		return mxs_error_set(reterr, store_db_path(s), NULL,
				     "reading the problem history: bad range or domain");
	st = store_stmt(s, SQL_PROBLEMS, reterr);
	if (st == NULL)
		return -EIO;
	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)from) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)to) != SQLITE_OK) {
		r = store_db_fail(s, reterr, "reading the problem history");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t want = cap > 0 ? 2 * cap : 8;

			grown = reallocarray(v, want, sizeof(*v));
			if (grown == NULL) {
				r = -ENOMEM;
				break;
			}
			v = grown;
			memset(v + cap, 0, (want - cap) * sizeof(*v));
			cap = want;
		}
		r = read_row(st, &v[n++]);
		if (r < 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_db_fail(s, reterr, "reading the problem history");
	else if (r == -ENOMEM)
		(void)mxs_error_set(reterr, store_db_path(s), NULL,
				    "reading the problem history: out of memory");
	else if (r == -EIO)
		(void)mxs_error_set(reterr, store_db_path(s), NULL,
				    "reading the problem history: an event without a code");
out:
	store_db_done(st);
	if (r < 0) {
		rpt_correlate_intervals_free(v, n);
		return r;
	}
	*ret = n > 0 ? v : NULL;
	*ret_n = n;
	if (n == 0)
		free(v);
	return 0;
}

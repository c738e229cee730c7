/*
 * store_alert.c - alert tracks and the outbox in the store; see store_alert.h.
 */
#include "agent/store_alert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store_db.h"

static const char SQL_TRACKS[] =
    "SELECT check_name, code, mx, address, alg, severity, cycles, since, notified, notified_at,"
    " message, req FROM alert_state WHERE domain = ?1"
    " ORDER BY since, check_name, code, mx, address, alg";
static const char SQL_TRACKS_DROP[] = "DELETE FROM alert_state WHERE domain = ?1";
static const char SQL_TRACK_ADD[] =
    "INSERT INTO alert_state (domain, check_name, code, mx, address, alg, severity, cycles,"
    " since, notified, notified_at, message, req)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char SQL_QUEUE[] =
    "INSERT OR IGNORE INTO outbox (sink, domain, message_id, body, valid_until, created,"
    " next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char SQL_NEXT[] =
    "SELECT id, sink, domain, message_id, body, valid_until, created, next_attempt, attempts"
    " FROM outbox WHERE state = 'pending' AND sink = ?1 AND next_attempt <= ?2"
    " ORDER BY next_attempt, id LIMIT 1";
static const char SQL_SENDING[] = "UPDATE outbox SET state = 'sending' WHERE id = ?1";
static const char SQL_DONE[] =
    "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt = ?4, last_error = ?5,"
    " done_at = CASE WHEN ?2 IN ('delivered', 'failed') THEN ?6 ELSE NULL END WHERE id = ?1";
static const char SQL_RECOVER[] = "UPDATE outbox SET state = 'pending' WHERE state = 'sending'";
static const char SQL_QUEUED_SINKS[] =
    "SELECT DISTINCT sink FROM outbox WHERE state IN ('pending', 'sending')";
static const char SQL_ORPHAN[] = "UPDATE outbox SET state = 'failed', last_error = ?2, done_at = ?3"
				 " WHERE sink = ?1 AND state IN ('pending', 'sending')";
static const char SQL_RETRY_NOW[] =
    "UPDATE outbox SET next_attempt = ?1 WHERE state = 'pending' AND next_attempt > ?1";
static const char SQL_MARK_GET[] = "SELECT at FROM agent_marks WHERE name = ?1";
static const char SQL_MARK_SET[] = "INSERT INTO agent_marks (name, at) VALUES (?1, ?2)"
				   " ON CONFLICT (name) DO UPDATE SET at = excluded.at";
static const char SQL_PENDING[] =
    "SELECT count(*), min(CASE WHEN state = 'pending' THEN next_attempt END) FROM outbox"
    " WHERE state IN ('pending', 'sending')";

/* A text column; NULL for SQL NULL and for '' when empty_is_null. */
static char *col_text(sqlite3_stmt *st, int i, bool empty_is_null, bool *ok)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *c;

	if (t == NULL || (empty_is_null && *t == '\0'))
		return NULL;
	c = strdup((const char *)t);
	if (c == NULL)
		*ok = false;
	return c;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) == SQLITE_OK ? 0 : -1;
}

static int read_track(sqlite3_stmt *st, struct alert_track *t)
{
	bool ok = true;

	*t = (struct alert_track){ 0 };
	t->check = col_text(st, 0, false, &ok);
	t->code = col_text(st, 1, false, &ok);
	t->mx = col_text(st, 2, true, &ok);
	t->address = col_text(st, 3, true, &ok);
	t->alg = col_text(st, 4, true, &ok);
	t->severity = (enum severity)sqlite3_column_int(st, 5);
	t->cycles = (unsigned)sqlite3_column_int64(st, 6);
	t->since = (time_t)sqlite3_column_int64(st, 7);
	t->notified = (enum severity)sqlite3_column_int(st, 8);
	t->notified_at = (time_t)sqlite3_column_int64(st, 9);
	t->message = col_text(st, 10, false, &ok);
	t->req = col_text(st, 11, false, &ok);
	return ok && t->check != NULL && t->code != NULL ? 0 : -ENOMEM;
}

int store_alert_load(struct store *s, const char *domain, struct alert_track **ret, size_t *ret_n,
		     struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_TRACKS, reterr);
	struct alert_track *v = NULL, *grown;
	size_t n = 0;
	int rc, r = 0;

	if (st == NULL)
		return -EIO;
	if (bind_text(st, 1, domain) < 0) {
		r = store_db_fail(s, reterr, "reading alert tracks");
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		grown = realloc(v, (n + 1) * sizeof(*v));
		if (grown == NULL) {
			r = -ENOMEM;
			break;
		}
		v = grown;
		r = read_track(st, &v[n]);
		n++;
		if (r < 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_db_fail(s, reterr, "reading alert tracks");
out:
	store_db_done(st);
	if (r < 0) {
		alert_tracks_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int add_track(struct store *s, sqlite3_stmt *st, const char *domain,
		     const struct alert_track *t)
{
	int r = 0;

	if (bind_text(st, 1, domain) < 0 || bind_text(st, 2, t->check) < 0 ||
	    bind_text(st, 3, t->code) < 0 || bind_text(st, 4, t->mx != NULL ? t->mx : "") < 0 ||
	    bind_text(st, 5, t->address != NULL ? t->address : "") < 0 ||
	    bind_text(st, 6, t->alg != NULL ? t->alg : "") < 0 ||
	    sqlite3_bind_int(st, 7, (int)t->severity) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 8, (sqlite3_int64)t->cycles) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 9, (sqlite3_int64)t->since) != SQLITE_OK ||
	    sqlite3_bind_int(st, 10, (int)t->notified) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 11, (sqlite3_int64)t->notified_at) != SQLITE_OK ||
	    bind_text(st, 12, t->message) < 0 || bind_text(st, 13, t->req) < 0 ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = -1;
	store_db_done(st);
	return r;
}

static int queue_row(sqlite3_stmt *st, const char *domain, const struct outbox_new *row, time_t at)
{
	int r = 0;

	if (bind_text(st, 1, row->sink) < 0 || bind_text(st, 2, domain) < 0 ||
	    bind_text(st, 3, row->message_id) < 0 || bind_text(st, 4, row->body) < 0 ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)row->valid_until) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, (sqlite3_int64)at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = -1;
	store_db_done(st);
	return r;
}

int store_alert_commit(struct store *s, const char *domain, const struct alert_track *tracks,
		       size_t n, const struct outbox_new *rows, size_t n_rows, time_t at,
		       struct mxs_error *reterr)
{
	sqlite3_stmt *drop = store_stmt(s, SQL_TRACKS_DROP, reterr),
		     *add = store_stmt(s, SQL_TRACK_ADD, reterr),
		     *queue = store_stmt(s, SQL_QUEUE, reterr);
	size_t i;
	int r;

	if (drop == NULL || add == NULL || queue == NULL)
		return -EIO;
	r = store_db_exec(s, "BEGIN IMMEDIATE", "recording alerts", reterr);
	if (r < 0)
		return r;
	if (bind_text(drop, 1, domain) < 0 || sqlite3_step(drop) != SQLITE_DONE)
		r = -1;
	store_db_done(drop);
	for (i = 0; r == 0 && i < n; i++)
		r = add_track(s, add, domain, &tracks[i]);
	for (i = 0; r == 0 && i < n_rows; i++)
		r = queue_row(queue, domain, &rows[i], at);
	if (r < 0) {
		r = store_db_fail(s, reterr, "recording alerts");
		store_db_rollback(s);
		return r;
	}
	return store_db_exec(s, "COMMIT", "recording alerts", reterr);
}

void outbox_row_clear(struct outbox_row *row)
{
	free(row->sink);
	free(row->domain);
	free(row->message_id);
	free(row->body);
	memset(row, 0, sizeof(*row));
}

int store_outbox_next(struct store *s, const char *sink, time_t now, struct outbox_row *ret,
		      struct mxs_error *reterr)
{
	sqlite3_stmt *next = store_stmt(s, SQL_NEXT, reterr),
		     *mark = store_stmt(s, SQL_SENDING, reterr);
	struct outbox_row row = { 0 };
	bool ok = true;
	int rc, r = 0;

	if (next == NULL || mark == NULL)
		return -EIO;
	if (bind_text(next, 1, sink) < 0 ||
	    sqlite3_bind_int64(next, 2, (sqlite3_int64)now) != SQLITE_OK) {
		r = store_db_fail(s, reterr, "reading the outbox");
		goto out;
	}
	rc = sqlite3_step(next);
	if (rc == SQLITE_DONE)
		goto out;
	if (rc != SQLITE_ROW) {
		r = store_db_fail(s, reterr, "reading the outbox");
		goto out;
	}
	row.id = sqlite3_column_int64(next, 0);
	row.sink = col_text(next, 1, false, &ok);
	row.domain = col_text(next, 2, false, &ok);
	row.message_id = col_text(next, 3, false, &ok);
	row.body = col_text(next, 4, false, &ok);
	row.valid_until = (time_t)sqlite3_column_int64(next, 5);
	row.created = (time_t)sqlite3_column_int64(next, 6);
	row.next_attempt = (time_t)sqlite3_column_int64(next, 7);
	row.attempts = (unsigned)sqlite3_column_int64(next, 8);
	if (!ok || row.body == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (sqlite3_bind_int64(mark, 1, row.id) != SQLITE_OK || sqlite3_step(mark) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "marking an outbox row");
	else
		r = 1;
out:
	store_db_done(next);
	store_db_done(mark);
	if (r == 1)
		*ret = row;
	else
		outbox_row_clear(&row);
	return r;
}

int store_outbox_done(struct store *s, long long id, const char *state, unsigned attempts,
		      time_t next_attempt, const char *error, time_t at, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_DONE, reterr);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK || bind_text(st, 2, state) < 0 ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)attempts) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)next_attempt) != SQLITE_OK ||
	    bind_text(st, 5, error) < 0 ||
	    sqlite3_bind_int64(st, 6, (sqlite3_int64)at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "recording a delivery");
	store_db_done(st);
	return r;
}

int store_outbox_recover(struct store *s, size_t *ret_n, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RECOVER, reterr);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "recovering the outbox");
	else
		*ret_n = (size_t)sqlite3_changes(store_db_handle(s));
	store_db_done(st);
	return r;
}

static bool named(const char *const *names, const char *sink)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++)
		if (strcmp(names[i], sink) == 0)
			return true;
	return false;
}

int store_outbox_orphans(struct store *s, const char *const *names, const char *why, time_t at,
			 size_t *ret_n, struct mxs_error *reterr)
{
	sqlite3_stmt *list = store_stmt(s, SQL_QUEUED_SINKS, reterr),
		     *fail = store_stmt(s, SQL_ORPHAN, reterr);
	char *gone[64];
	size_t n_gone = 0, i;
	int rc, r = 0;

	*ret_n = 0;
	if (list == NULL || fail == NULL)
		return -EIO;
	while ((rc = sqlite3_step(list)) == SQLITE_ROW && n_gone < 64) {
		const char *sink = (const char *)sqlite3_column_text(list, 0);

		if (sink != NULL && !named(names, sink) && (gone[n_gone] = strdup(sink)) != NULL)
			n_gone++;
	}
	store_db_done(list);
	for (i = 0; r == 0 && i < n_gone; i++) {
		if (bind_text(fail, 1, gone[i]) < 0 || bind_text(fail, 2, why) < 0 ||
		    sqlite3_bind_int64(fail, 3, (sqlite3_int64)at) != SQLITE_OK ||
		    sqlite3_step(fail) != SQLITE_DONE)
			r = store_db_fail(s, reterr, "failing rows of a removed sink");
		else
			*ret_n += (size_t)sqlite3_changes(store_db_handle(s));
		store_db_done(fail);
	}
	for (i = 0; i < n_gone; i++)
		free(gone[i]);
	return r;
}

int store_outbox_pending(struct store *s, size_t *ret_n, time_t *ret_next, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_PENDING, reterr);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (sqlite3_step(st) != SQLITE_ROW) {
		r = store_db_fail(s, reterr, "counting the outbox");
	} else {
		*ret_n = (size_t)sqlite3_column_int64(st, 0);
		*ret_next = (time_t)sqlite3_column_int64(st, 1);
	}
	store_db_done(st);
	return r;
}

int store_outbox_retry_now(struct store *s, time_t now, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_RETRY_NOW, reterr);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)now) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "retrying the outbox");
	store_db_done(st);
	return r;
}

int store_mark_get(struct store *s, const char *name, time_t *ret, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_MARK_GET, reterr);
	int rc, r = 0;

	if (st == NULL)
		return -EIO;
	if (bind_text(st, 1, name) < 0) {
		r = store_db_fail(s, reterr, "reading a mark");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = (time_t)sqlite3_column_int64(st, 0);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = store_db_fail(s, reterr, "reading a mark");
	}
out:
	store_db_done(st);
	return r;
}

int store_mark_set(struct store *s, const char *name, time_t at, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_MARK_SET, reterr);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (bind_text(st, 1, name) < 0 ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "recording a mark");
	store_db_done(st);
	return r;
}

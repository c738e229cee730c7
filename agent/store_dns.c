/*
 * store_dns.c - the store's record of what each authoritative server serves; see store.h
 * (store_tlsa_view, store_tlsa_since) and migration 3 in store.c.
 */
#include <errno.h>
#include <string.h>

#include "agent/store.h"
#include "agent/store_db.h"

/* A server's answer: every record it serves now, first_seen kept, last_seen moved to ?6. */
static const char SQL_TLSA_SEEN[] =
    "INSERT INTO tlsa_history (domain, mx, server, record, ttl, first_seen, last_seen)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (domain, mx, server, record) DO UPDATE"
    " SET ttl = excluded.ttl, first_seen = min(first_seen, excluded.first_seen),"
    " last_seen = max(last_seen, excluded.last_seen)";
/* ...and what it no longer serves is forgotten: it was not seen at ?4. */
static const char SQL_TLSA_GONE[] =
    "DELETE FROM tlsa_history WHERE domain = ?1 AND mx = ?2 AND server = ?3 AND last_seen < ?4";
static const char SQL_TLSA_SINCE[] =
    "SELECT first_seen, ttl FROM tlsa_history"
    " WHERE domain = ?1 AND mx = ?2 AND server = ?3 AND record = ?4";

/* Bind the (domain, mx, server) key every query starts with. */
static int bind_key(sqlite3_stmt *st, const char *domain, const char *mx, const char *server)
{
	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, mx, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, server, -1, SQLITE_STATIC) != SQLITE_OK)
		return -1;
	return 0;
}

static int check_key(const struct store *s, const char *domain, const char *mx, const char *server,
		     struct mxs_error *reterr)
{
	if (s == NULL || domain == NULL || mx == NULL || server == NULL)
		return mxs_error_set(reterr, NULL, NULL, "store: TLSA history: missing argument");
	if (*mx == '\0' || *server == '\0' || strlen(server) > 45)
		return mxs_error_set(reterr, store_db_path(s), NULL,
				     "TLSA history of \"%s\" at \"%s\": not a host and an address",
				     mx, server);
	return 0;
}

static int record_one(struct store *s, sqlite3_stmt *st, const char *domain, const char *mx,
		      const char *server, const char *record, unsigned ttl, time_t at,
		      struct mxs_error *reterr)
{
	int r = 0;

	if (record == NULL || *record == '\0')
		return mxs_error_set(reterr, store_db_path(s), NULL,
				     "TLSA history of %s at %s: empty record", mx, server);
	if (bind_key(st, domain, mx, server) < 0 ||
	    sqlite3_bind_text(st, 4, record, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)ttl) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, (sqlite3_int64)at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "recording a TLSA record");
	store_db_done(st);
	return r;
}

int store_tlsa_view(struct store *s, const char *domain, const char *mx, const char *server,
		    const char *const *records, size_t n, unsigned ttl, time_t at,
		    struct mxs_error *reterr)
{
	sqlite3_stmt *seen, *gone;
	size_t i;
	int r;

	r = check_key(s, domain, mx, server, reterr);
	if (r < 0)
		return r;
	seen = store_stmt(s, SQL_TLSA_SEEN, reterr);
	gone = store_stmt(s, SQL_TLSA_GONE, reterr);
	if (seen == NULL || gone == NULL)
		return -EIO;
	r = store_db_exec(s, "BEGIN IMMEDIATE", "recording TLSA records", reterr);
	for (i = 0; r == 0 && i < n; i++)
		r = record_one(s, seen, domain, mx, server, records[i], ttl, at, reterr);
	if (r == 0) {
		if (bind_key(gone, domain, mx, server) < 0 ||
		    sqlite3_bind_int64(gone, 4, (sqlite3_int64)at) != SQLITE_OK ||
		    sqlite3_step(gone) != SQLITE_DONE)
			r = store_db_fail(s, reterr, "forgetting removed TLSA records");
		store_db_done(gone);
	}
	if (r == 0)
		r = store_db_exec(s, "COMMIT", "recording TLSA records", reterr);
	if (r < 0)
		store_db_rollback(s);
	return r;
}

int store_tlsa_since(struct store *s, const char *domain, const char *mx, const char *server,
		     const char *record, time_t *ret_first, unsigned *ret_ttl,
		     struct mxs_error *reterr)
{
	sqlite3_stmt *st;
	int r, rc;

	r = check_key(s, domain, mx, server, reterr);
	if (r < 0)
		return r;
	if (record == NULL || ret_first == NULL || ret_ttl == NULL)
		return mxs_error_set(reterr, NULL, NULL, "store_tlsa_since: missing argument");
	st = store_stmt(s, SQL_TLSA_SINCE, reterr);
	if (st == NULL)
		return -EIO;
	if (bind_key(st, domain, mx, server) < 0 ||
	    sqlite3_bind_text(st, 4, record, -1, SQLITE_STATIC) != SQLITE_OK) {
		r = store_db_fail(s, reterr, "reading the TLSA history");
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_first = (time_t)sqlite3_column_int64(st, 0);
		*ret_ttl = (unsigned)sqlite3_column_int64(st, 1);
		r = 0;
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_db_fail(s, reterr, "reading the TLSA history");
	}
out:
	store_db_done(st);
	return r;
}

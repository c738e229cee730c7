/*
 * store_db.h - what the store's own files share (agent/store*.c); nobody else includes it.
 *
 * The store is split by subject: store.c opens the database, applies the migrations and keeps
 * the MTA-STS and leaf-key history; other store_*.c files keep other tables behind the same
 * struct store. They share the error mapping and a cache of prepared statements, so that a
 * file adds its queries without touching store.c.
 */
#ifndef MXS_AGENT_STORE_DB_H
#define MXS_AGENT_STORE_DB_H

#include <stddef.h>

#include <sqlite3.h>

#include "agent/store.h"

/*
 * The schema: store_migrations[i] brings a database from version i to i + 1, in one
 * transaction with the version bump (store.c). Append only: a migration that has shipped is
 * never edited (store_schema.c).
 */
extern const char *const store_migrations[];
extern const size_t store_n_migrations;

/* Statements prepared on first use by store_stmt(), for the whole life of the store. */
#define STORE_STMT_CACHE 48

struct store_stmt_slot {
	const char *sql; /* the caller's static string: the key is its address */
	sqlite3_stmt *st;
};

/*
 * Report the connection's last failure: what we were doing and SQLite's own message, mapped to
 * a negative errno (-ENOMEM, -EBUSY, -EINVAL for a constraint, else -EIO). Must run before any
 * other call on the connection, which would replace the message.
 */
int store_db_fail(const struct store *s, struct mxs_error *reterr, const char *doing);

/* Run SQL without results (BEGIN, COMMIT, ...). Returns 0 or store_db_fail()'s value. */
int store_db_exec(struct store *s, const char *sql, const char *doing, struct mxs_error *reterr);

/* Undo an open transaction after a failure already reported. */
void store_db_rollback(struct store *s);

/* Make a cached statement ready for its next use (reset, bindings cleared). */
void store_db_done(sqlite3_stmt *st);

/*
 * The prepared statement for sql, a static string of the caller's: prepared on the first call
 * and cached until store_close() (keyed by the string's address). Returns NULL with reterr
 * filled when it cannot be prepared or the cache is full (a programming error).
 */
sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct mxs_error *reterr);

/* The connection, for sqlite3_changes() and the like. */
sqlite3 *store_db_handle(struct store *s);

/* The database file, for messages. */
const char *store_db_path(const struct store *s);

#endif

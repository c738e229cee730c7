/*
 * store.c - the agent's SQLite store; see store.h.
 *
 * Migrations. The schema is the ordered list store_migrations[] (agent/store_schema.c); PRAGMA
 * user_version holds how many of them a database has applied. store_open() applies the missing
 * ones in order, each in its own transaction together with the version bump, so a crash or an
 * error leaves the database at the previous version, never half-migrated. The rule for later changes: never edit a
 * migration that has shipped (databases in the field already ran it); append a new one that
 * alters what exists. A database with a higher version than this code knows was written by a
 * newer mxsentry: it is refused rather than written with assumptions that may no longer hold.
 *
 * Statements. Every statement that carries data is prepared once, at open or on first use
 * (store_stmt(), for the other store_*.c files), with bound parameters; no SQL is ever built
 * from input. The only formatted SQL is the user_version pragma, from our own integer (pragmas
 * take no parameters).
 */
#include "agent/store.h"
#include "agent/store_db.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "lib/sts_view.h"

#define DB_NAME         STORE_DB_FILE
#define BUSY_TIMEOUT_MS 5000 /* another process (CLI, backup) holding the lock briefly */

/* The prepared statements, by purpose. */
enum query { Q_POLICY_SEEN, Q_TXT_SEEN, Q_POLICIES, Q_TXT_LAST, Q_LEAF_SEEN, Q_KEYS, Q_COUNT };

/*
 * An observation moves first_seen back and last_seen forward only, so a clock stepped back or
 * an observation recorded late never makes a policy look newer or older than it was. mode,
 * max_age and mx follow the latest parse of the same body.
 */
static const char *const queries[Q_COUNT] = {
	[Q_POLICY_SEEN] =
	    "INSERT INTO policy_history (domain, policy_id, digest, mode, max_age, mx,"
	    " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
	    " ON CONFLICT (domain, policy_id, digest) DO UPDATE SET"
	    " first_seen = min(first_seen, excluded.first_seen),"
	    " last_seen = max(last_seen, excluded.last_seen),"
	    " mode = excluded.mode, max_age = excluded.max_age, mx = excluded.mx",
	[Q_TXT_SEEN] = "INSERT INTO sts_txt_history (domain, sts_id, first_seen, last_seen)"
		       " VALUES (?1, ?2, ?3, ?3) ON CONFLICT (domain, sts_id) DO UPDATE SET"
		       " first_seen = min(first_seen, excluded.first_seen),"
		       " last_seen = max(last_seen, excluded.last_seen)",
	/* Ties broken by key so that the order is stable from one cycle to the next. */
	[Q_POLICIES] = "SELECT policy_id, digest, mode, max_age, mx, first_seen, last_seen"
		       " FROM policy_history WHERE domain = ?1"
		       " ORDER BY last_seen DESC, first_seen DESC, policy_id, digest LIMIT ?2",
	[Q_TXT_LAST] = "SELECT max(last_seen) FROM sts_txt_history WHERE domain = ?1",
	[Q_LEAF_SEEN] =
	    "INSERT INTO leaf_history (domain, mx, address, alg, cert_sha256, spki_sha256,"
	    " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
	    " ON CONFLICT (domain, mx, address, alg, cert_sha256) DO UPDATE SET"
	    " first_seen = min(first_seen, excluded.first_seen),"
	    " last_seen = max(last_seen, excluded.last_seen)",
	/* The newest ?2 certificates of each session kind, grouped, newest first in a group. */
	[Q_KEYS] = "SELECT mx, address, alg, cert_sha256, spki_sha256, first_seen, last_seen"
		   " FROM (SELECT *, row_number() OVER (PARTITION BY mx, address, alg"
		   " ORDER BY last_seen DESC, first_seen DESC, cert_sha256) AS n"
		   " FROM leaf_history WHERE domain = ?1)"
		   " WHERE n <= ?2 ORDER BY mx, address, alg, n",
};

struct store {
	sqlite3 *db;
	char *path; /* <state_dir>/mxsentry.db: the place named in every error */
	sqlite3_stmt *q[Q_COUNT];
	struct store_stmt_slot cache[STORE_STMT_CACHE]; /* store_stmt(), other store_*.c files */
};

int store_schema_version(void)
{
	return (int)store_n_migrations;
}

/*
 * Report the connection's last failure: what we were doing and SQLite's own message, mapped to
 * a negative errno. Must run before any other call on the connection (a ROLLBACK would replace
 * the message). Works without a connection too: SQLite then says "out of memory".
 */
int store_db_fail(const struct store *s, struct mxs_error *reterr, const char *doing)
{
	int rc = sqlite3_errcode(s->db);

	(void)mxs_error_set(reterr, s->path, NULL, "%s: %s", doing, sqlite3_errmsg(s->db));
	if (rc == SQLITE_NOMEM)
		return -ENOMEM;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return -EBUSY;
	if (rc == SQLITE_CONSTRAINT || rc == SQLITE_RANGE || rc == SQLITE_TOOBIG)
		return -EINVAL;
	return -EIO;
}

int store_db_exec(struct store *s, const char *sql, const char *doing, struct mxs_error *reterr)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_db_fail(s, reterr, doing);
	return 0;
}

/* Undo an open transaction after a failure already reported; nothing more to say if it fails. */
void store_db_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Make a cached statement ready for its next use; bindings point into the caller's buffers. */
void store_db_done(sqlite3_stmt *st)
{
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

/* Run a pragma that answers one text row, and return a copy of the answer in *ret. */
static int pragma_text(struct store *s, const char *sql, char **ret, struct mxs_error *reterr)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *text;
	int r = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		r = store_db_fail(s, reterr, sql);
		goto out;
	}
	text = sqlite3_column_text(st, 0);
	*ret = strdup(text != NULL ? (const char *)text : "");
	if (*ret == NULL) {
		(void)mxs_error_set(reterr, s->path, NULL, "%s: out of memory", sql);
		r = -ENOMEM;
	}
out:
	(void)sqlite3_finalize(st);
	return r;
}

/*
 * Apply the migrations this database lacks, one transaction each. BEGIN IMMEDIATE takes the
 * write lock before the version is read, so two processes opening a fresh database at once
 * cannot both apply the same migration.
 */
static int migrate(struct store *s, struct mxs_error *reterr)
{
	const int known = store_schema_version();
	char *text = NULL, set[64];
	long v;
	int r;

	for (;;) {
		r = store_db_exec(s, "BEGIN IMMEDIATE", "starting a schema upgrade", reterr);
		if (r < 0)
			return r;
		r = pragma_text(s, "PRAGMA user_version", &text, reterr);
		if (r < 0)
			break;
		v = strtol(text, NULL, 10);
		free(text);
		if (v == known)
			return store_db_exec(s, "COMMIT", "reading the schema version", reterr);
		if (v > known) {
			(void)mxs_error_set(reterr, s->path, NULL,
					    "database schema version %ld is newer than this "
					    "mxsentry knows (%d): refusing to use it; run a newer "
					    "mxsentry",
					    v, known);
			r = -ENOTSUP;
			break;
		}
		r = store_db_exec(s, store_migrations[v], "applying a schema migration", reterr);
		if (r == 0 && snprintf(set, sizeof(set), "PRAGMA user_version = %ld", v + 1) >=
				  (int)sizeof(set))
			r = mxs_error_set(reterr, s->path, NULL, "schema version out of range");
		if (r == 0)
			r = store_db_exec(s, set, "recording the schema version", reterr);
		if (r == 0)
			r = store_db_exec(s, "COMMIT", "committing a schema migration", reterr);
		if (r < 0)
			break;
	}
	store_db_rollback(s);
	return r;
}

/*
 * mkdir the state directory if missing (its parent is the operator's or systemd's
 * StateDirectory=); an existing file in its place is refused with a message saying so.
 */
static int ensure_dir(const char *dir, struct mxs_error *reterr)
{
	struct stat st;
	int e;

	if (mkdir(dir, 0750) == 0 ||
	    (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	/* Still EEXIST after a successful stat(): something that is not a directory. */
	e = errno == EEXIST ? ENOTDIR : errno;
	(void)mxs_error_set(reterr, dir, NULL, "cannot use it as the state directory: %s",
			    strerror(e));
	return -e;
}

/* Journal and durability settings, then the schema, then the statements. */
static int setup(struct store *s, struct mxs_error *reterr)
{
	char *mode = NULL;
	int r, i;

	/* Refuse writable_schema and other ways to corrupt the file through SQL. */
	(void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	(void)sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* WAL: readers never block the daemon. A file system without it is refused rather than
	 * silently used in another mode. */
	r = pragma_text(s, "PRAGMA journal_mode = WAL", &mode, reterr);
	if (r < 0)
		return r;
	if (strcmp(mode, "wal") != 0)
		r = mxs_error_set(reterr, s->path, NULL,
				  "cannot use WAL journal mode (SQLite kept \"%s\")", mode);
	free(mode);
	if (r < 0)
		return -EIO;
	/* NORMAL is durable across application crashes in WAL mode; a power loss may lose the
	 * last cycle's observations, which the next cycle records again. */
	r = store_db_exec(s, "PRAGMA synchronous = NORMAL", "setting synchronous mode", reterr);
	if (r == 0)
		r = store_db_exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys", reterr);
	if (r == 0)
		r = migrate(s, reterr);
	for (i = 0; r == 0 && i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
				       NULL) != SQLITE_OK)
			r = store_db_fail(s, reterr, "preparing a statement");
	return r;
}

int store_open(const char *state_dir, struct store **ret_store, struct mxs_error *reterr)
{
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	struct store *s;
	int r;

	if (state_dir == NULL || *state_dir == '\0' || ret_store == NULL)
		return mxs_error_set(reterr, NULL, NULL, "no state directory given");
	r = ensure_dir(state_dir, reterr);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (s != NULL)
		s->path = mxs_strdupf("%s/%s", state_dir, DB_NAME);
	if (s == NULL || s->path == NULL) {
		(void)mxs_error_set(reterr, state_dir, NULL,
				    "cannot open the store: out of memory");
		r = -ENOMEM;
		goto fail;
	}
	/* One thread uses a store (store.h): SQLite's own mutexes are not needed. */
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		r = store_db_fail(s, reterr, "cannot open the database");
		goto fail;
	}
	r = setup(s, reterr);
	if (r < 0)
		goto fail;
	*ret_store = s;
	return 0;
fail:
	(void)store_close(s);
	return r;
}

struct store *store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < Q_COUNT; i++)
		(void)sqlite3_finalize(s->q[i]);
	for (i = 0; i < STORE_STMT_CACHE; i++)
		(void)sqlite3_finalize(s->cache[i].st);
	/* With every statement finalized the close is immediate and releases the file. */
	(void)sqlite3_close(s->db);
	free(s->path);
	free(s);
	return NULL;
}

/* The "mx" column back into a NULL-terminated array (never NULL itself, history.h). */
static char **split_patterns(const char *joined)
{
	size_t n = *joined != '\0' ? 1 : 0, i;
	const char *p = joined, *nl;
	char **v;

	for (nl = joined; *nl != '\0'; nl++)
		n += *nl == '\n';
	v = calloc(n + 1, sizeof(*v));
	for (i = 0; v != NULL && i < n; i++, p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		v[i] = strndup(p, (size_t)(nl - p));
		if (v[i] != NULL)
			continue;
		while (i > 0)
			free(v[--i]);
		free(v);
		return NULL;
	}
	return v;
}

/* One row of Q_POLICIES into *p (zeroed); a NULL text in a NOT NULL column means no memory. */
static int read_policy(sqlite3_stmt *st, struct policy_seen *p)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	const char *digest = (const char *)sqlite3_column_text(st, 1);
	const char *mode = (const char *)sqlite3_column_text(st, 2);
	const char *mx = (const char *)sqlite3_column_text(st, 4);

	if (id == NULL || digest == NULL || mx == NULL)
		return -ENOMEM;
	p->id = strdup(id);
	p->mode = mode != NULL ? strdup(mode) : NULL;
	p->mx = split_patterns(mx);
	if (p->id == NULL || (mode != NULL && p->mode == NULL) || p->mx == NULL)
		return -ENOMEM;
	/* The schema's CHECK keeps digests at 64 characters; copied bounded all the same. */
	(void)snprintf(p->digest, sizeof(p->digest), "%s", digest);
	p->max_age = (long)sqlite3_column_int64(st, 3);
	p->first_seen = (time_t)sqlite3_column_int64(st, 5);
	p->last_seen = (time_t)sqlite3_column_int64(st, 6);
	return 0;
}

/* The newest policies of domain into h->policies (allocated for STORE_HISTORY_MAX). */
static int load_policies(struct store *s, const char *domain, struct history *h,
			 struct mxs_error *reterr)
{
	sqlite3_stmt *st = s->q[Q_POLICIES];
	int r = 0, rc = SQLITE_ERROR;

	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int(st, 2, STORE_HISTORY_MAX) == SQLITE_OK)
		rc = sqlite3_step(st);
	while (rc == SQLITE_ROW && h->n_policies < STORE_HISTORY_MAX) {
		/* Counted before filling: history_clear() frees a half-filled entry. */
		r = read_policy(st, &h->policies[h->n_policies++]);
		if (r < 0)
			break;
		rc = sqlite3_step(st);
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = store_db_fail(s, reterr, "reading policy history");
	else if (r < 0)
		(void)mxs_error_set(reterr, s->path, NULL, "reading history: out of memory");
	store_db_done(st);
	return r;
}

/* STS-TXT-14: whether a valid _mta-sts record was ever seen, and when last. */
static int load_sts_txt(struct store *s, const char *domain, struct history *h,
			struct mxs_error *reterr)
{
	sqlite3_stmt *st = s->q[Q_TXT_LAST];
	int r = 0;

	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		r = store_db_fail(s, reterr, "reading _mta-sts history");
	} else if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		/* An aggregate always answers one row: NULL when no record was ever seen. */
		h->sts_txt_seen = true;
		h->sts_txt_last_seen = (time_t)sqlite3_column_int64(st, 0);
	}
	store_db_done(st);
	return r;
}

/* One row of Q_KEYS into *k (zeroed); the schema's CHECKs keep the texts within their arrays. */
static int read_key(sqlite3_stmt *st, struct key_seen *k)
{
	const char *text[5];
	int i;

	for (i = 0; i < 5; i++) {
		text[i] = (const char *)sqlite3_column_text(st, i);
		if (text[i] == NULL)
			return -ENOMEM;
	}
	k->mx = strdup(text[0]);
	if (k->mx == NULL)
		return -ENOMEM;
	(void)snprintf(k->address, sizeof(k->address), "%s", text[1]);
	(void)snprintf(k->alg, sizeof(k->alg), "%s", text[2]);
	(void)snprintf(k->cert_sha256, sizeof(k->cert_sha256), "%s", text[3]);
	(void)snprintf(k->spki_sha256, sizeof(k->spki_sha256), "%s", text[4]);
	k->first_seen = (time_t)sqlite3_column_int64(st, 5);
	k->last_seen = (time_t)sqlite3_column_int64(st, 6);
	return 0;
}

/* The leaf keys of domain into h->keys, grown as rows come (a domain has a few MX sessions). */
static int load_keys(struct store *s, const char *domain, struct history *h,
		     struct mxs_error *reterr)
{
	sqlite3_stmt *st = s->q[Q_KEYS];
	size_t cap = 0;
	int r = 0, rc = SQLITE_ERROR;

	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int(st, 2, STORE_KEYS_MAX) == SQLITE_OK)
		rc = sqlite3_step(st);
	while (rc == SQLITE_ROW) {
		if (h->n_keys == cap) {
			size_t want = cap > 0 ? 2 * cap : 8;
			struct key_seen *v = reallocarray(h->keys, want, sizeof(*v));

			if (v == NULL) {
				r = -ENOMEM;
				break;
			}
			memset(v + cap, 0, (want - cap) * sizeof(*v));
			h->keys = v;
			cap = want;
		}
		/* Counted before filling: history_clear() frees a half-filled entry. */
		r = read_key(st, &h->keys[h->n_keys++]);
		if (r < 0)
			break;
		rc = sqlite3_step(st);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_db_fail(s, reterr, "reading key history");
	else if (r < 0)
		(void)mxs_error_set(reterr, s->path, NULL, "reading history: out of memory");
	store_db_done(st);
	return r;
}

/* Every read under one read transaction, so that they see the same moment. */
int store_history_load(struct store *s, const char *domain, struct history *ret,
		       struct mxs_error *reterr)
{
	struct history h = { 0 };
	int r;

	if (s == NULL || domain == NULL || ret == NULL)
		return mxs_error_set(reterr, NULL, NULL, "store_history_load: missing argument");
	h.policies = calloc(STORE_HISTORY_MAX, sizeof(*h.policies));
	if (h.policies == NULL) {
		(void)mxs_error_set(reterr, s->path, NULL, "reading history: out of memory");
		return -ENOMEM;
	}
	r = store_db_exec(s, "BEGIN", "reading history", reterr);
	if (r == 0)
		r = load_policies(s, domain, &h, reterr);
	if (r == 0)
		r = load_sts_txt(s, domain, &h, reterr);
	if (r == 0)
		r = load_keys(s, domain, &h, reterr);
	if (r == 0)
		r = store_db_exec(s, "COMMIT", "reading history", reterr);
	if (r < 0) {
		store_db_rollback(s);
		history_clear(&h);
		return r;
	}
	if (h.n_policies == 0) {
		free(h.policies);
		h.policies = NULL;
	}
	h.available = true;
	*ret = h;
	return 0;
}

/* Join the mx patterns with newlines into *ret ("" for none); -EINVAL for an unstorable one. */
static int join_patterns(const char *const *mx, char **ret)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; mx != NULL && mx[i] != NULL; i++) {
		if (*mx[i] == '\0' || strchr(mx[i], '\n') != NULL)
			return -EINVAL;
		len += strlen(mx[i]) + 1;
	}
	s = calloc(1, len);
	if (s == NULL)
		return -ENOMEM;
	for (i = 0; mx != NULL && mx[i] != NULL; i++) {
		if (i > 0)
			strcat(s, "\n");
		strcat(s, mx[i]); /* lengths counted above */
	}
	*ret = s;
	return 0;
}

int store_policy_seen(struct store *s, const char *domain, const char *id, const void *body,
		      size_t body_len, const char *mode, long max_age, const char *const *mx,
		      time_t at, struct mxs_error *reterr)
{
	sqlite3_stmt *st;
	char digest[65], *joined = NULL;
	int r;

	if (s == NULL || domain == NULL || id == NULL || (body == NULL && body_len > 0))
		return mxs_error_set(reterr, NULL, NULL, "store_policy_seen: missing argument");
	r = join_patterns(mx, &joined);
	if (r == -EINVAL)
		return mxs_error_set(reterr, s->path, NULL,
				     "policy of %s: an mx pattern is empty or has a newline",
				     domain);
	if (r < 0) {
		(void)mxs_error_set(reterr, s->path, NULL, "policy of %s: out of memory", domain);
		return r;
	}
	if (sts_view_body_digest(body != NULL ? body : (const void *)"", body_len, digest) < 0) {
		(void)mxs_error_set(reterr, s->path, NULL, "policy of %s: SHA-256 failed", domain);
		r = -EIO;
		goto out;
	}
	/* One statement: atomic on its own, no transaction needed. */
	st = s->q[Q_POLICY_SEEN];
	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, mode, -1, SQLITE_STATIC) != SQLITE_OK || /* NULL: NULL */
	    sqlite3_bind_int64(st, 5, max_age) != SQLITE_OK ||
	    sqlite3_bind_text(st, 6, joined, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, (sqlite3_int64)at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "recording a policy");
	store_db_done(st);
out:
	free(joined);
	return r;
}

int store_sts_txt_seen(struct store *s, const char *domain, const char *id, time_t at,
		       struct mxs_error *reterr)
{
	sqlite3_stmt *st;
	int r = 0;

	if (s == NULL || domain == NULL || id == NULL)
		return mxs_error_set(reterr, NULL, NULL, "store_sts_txt_seen: missing argument");
	st = s->q[Q_TXT_SEEN];
	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "recording an _mta-sts record");
	store_db_done(st);
	return r;
}

/* Whether text is a SHA-256 digest as lower-case hex, as certinfo digests are written. */
static bool is_digest_hex(const char *text)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			return false;
	return text[64] == '\0';
}

int store_leaf_seen(struct store *s, const char *domain, const char *mx, const char *address,
		    const char *alg, const char *cert_sha256, const char *spki_sha256, time_t at,
		    struct mxs_error *reterr)
{
	sqlite3_stmt *st;
	int r = 0;

	if (s == NULL || domain == NULL || mx == NULL || address == NULL || alg == NULL ||
	    cert_sha256 == NULL || spki_sha256 == NULL)
		return mxs_error_set(reterr, NULL, NULL, "store_leaf_seen: missing argument");
	/* The schema checks the lengths too; saying which argument is wrong is kinder. */
	if (*mx == '\0' || *address == '\0' || strlen(address) > 45 || *alg == '\0' ||
	    strlen(alg) > 7 || !is_digest_hex(cert_sha256) || !is_digest_hex(spki_sha256))
		return mxs_error_set(reterr, s->path, NULL,
				     "leaf key of %s [%s] (%s): not a host, address, algorithm and "
				     "two SHA-256 digests in lower-case hex",
				     mx, address, alg);
	st = s->q[Q_LEAF_SEEN];
	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, mx, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 4, alg, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 5, cert_sha256, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 6, spki_sha256, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, (sqlite3_int64)at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "recording a leaf key");
	store_db_done(st);
	return r;
}

/* integrity_check answers "ok" alone, or up to 100 rows describing damage; keep the first. */
int store_integrity_check(struct store *s, struct mxs_error *reterr)
{
	char *verdict = NULL;
	int r;

	if (s == NULL)
		return mxs_error_set(reterr, NULL, NULL, "store_integrity_check: no store");
	r = pragma_text(s, "PRAGMA integrity_check", &verdict, reterr);
	if (r < 0)
		return r;
	if (strcmp(verdict, "ok") != 0) {
		(void)mxs_error_set(reterr, s->path, NULL, "integrity check failed: %s", verdict);
		r = -EIO;
	}
	free(verdict);
	return r;
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct mxs_error *reterr)
{
	int i;

	for (i = 0; i < STORE_STMT_CACHE && s->cache[i].sql != NULL; i++)
		if (s->cache[i].sql == sql)
			return s->cache[i].st;
	if (i == STORE_STMT_CACHE) {
		(void)mxs_error_set(reterr, s->path, NULL, "too many statements (%d)",
				    STORE_STMT_CACHE);
		return NULL;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cache[i].st, NULL) !=
	    SQLITE_OK) {
		(void)store_db_fail(s, reterr, "preparing a statement");
		return NULL;
	}
	s->cache[i].sql = sql;
	return s->cache[i].st;
}

const char *store_db_path(const struct store *s)
{
	return s->path;
}

sqlite3 *store_db_handle(struct store *s)
{
	return s->db;
}

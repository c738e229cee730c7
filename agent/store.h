/*
 * store.h - the agent's state on disk: one SQLite database under the state directory.
 *
 * DESIGN.md, "Runtime": the store keeps what one cycle must know about the previous ones. This
 * first part keeps the MTA-STS history that the checks read through lib/history.h: every policy
 * seen, identified by (id, SHA-256 of the body), with when it was first and last seen
 * (STS-TXT-09, STS-FETCH-14, STS-CACHE-01/02), and every valid _mta-sts TXT id seen (STS-TXT-14).
 * The second keeps the leaf certificate and key every MX address presented to each kind of
 * session, so that a key change can be named as the cause of a TLSA mismatch (DANE-ROT-01/02).
 * The third keeps the TLSA records each authoritative server serves and since when, for the
 * pre-deployment gate "mxsentry dane-check" (DANE-ROT-01/03; agent/store_dns.c).
 * The fourth keeps the current finding state, its transitions as events and the last cycle of
 * each domain (agent/store_state.h). The fifth the alert side: tracks of what was told and the
 * outbox (agent/store_alert.h); the sixth TLS-RPT reports (agent/store_report.h); the seventh
 * marks of what the agent does on its own clock. The schema is agent/store_schema.c.
 *
 * The database is <state_dir>/mxsentry.db, in WAL mode so that a reader (the CLI, a backup)
 * never blocks the daemon. One struct store belongs to one thread (the loop's); the calls are
 * synchronous and short (one or two statements on indexed rows).
 *
 * Errors: every function returns 0 or a negative errno and, when reterr is not NULL, fills it
 * with the database path as the place and SQLite's own message. A failed call changes nothing
 * in the database (each write is one statement or one transaction).
 *
 * Times are UTC seconds since the epoch (time_t), as the snapshot's taken_at.
 */
#ifndef MXS_AGENT_STORE_H
#define MXS_AGENT_STORE_H

#include <stddef.h>
#include <time.h>

#include "lib/error.h"
#include "lib/history.h"

/* The database file under the state directory. */
#define STORE_DB_FILE "mxsentry.db"

/* Policies returned by store_history_load(), newest last_seen first. */
#define STORE_HISTORY_MAX 20

/* Leaf certificates returned by store_history_load() per (MX host, address, algorithm). */
#define STORE_KEYS_MAX 8

struct store;

/*
 * Open (creating if needed) the store under state_dir and bring its schema up to date.
 *
 * state_dir: the state directory (borrowed); created with mode 0750 when missing (its parent
 *            must exist). An existing path that is not a directory is an error.
 * ret_store: on success, the new store, owned by the caller (store_close()).
 *
 * Returns 0; -ENOTDIR when state_dir is not a directory; -ENOTSUP when the database was written
 * by a newer mxsentry (its schema version is higher than store_schema_version()); -EIO, -EBUSY
 * or -ENOMEM for SQLite failures (the message is in reterr); another -errno from mkdir().
 */
int store_open(const char *state_dir, struct store **ret_store, struct mxs_error *reterr);

/* Close the store. NULL-safe; returns NULL ("s = store_close(s);"). */
struct store *store_close(struct store *s);

/* The schema version this code writes (the number of migrations it knows). */
int store_schema_version(void);

/*
 * Read what the checks need to know about domain's past (lib/history.h).
 *
 * domain: the normalised domain name (borrowed).
 * ret:    must be empty (zeroed or history_clear()ed). On success it is filled: available is
 *         true, policies holds at most STORE_HISTORY_MAX entries, newest last_seen first (an
 *         unknown domain gives none and sts_txt_seen false); keys holds the leaf certificates,
 *         grouped by (mx, address, alg) in that sort order, at most STORE_KEYS_MAX per group,
 *         newest last_seen first within one (NULL when none). The caller owns the contents and
 *         releases them with history_clear(). On failure ret is untouched; the caller then
 *         marks its history unavailable with reterr's text.
 *
 * Returns 0, -ENOMEM, or -EIO/-EBUSY for SQLite failures.
 */
int store_history_load(struct store *s, const char *domain, struct history *ret,
		       struct mxs_error *reterr);

/*
 * Record that domain served this policy at time at (after a fetch that returned a body).
 *
 * id:       the _mta-sts TXT id it was fetched under (STS-TXT-09).
 * body:     the policy body as received, body_len bytes (any bytes); its SHA-256 identifies it.
 * mode:     the parsed mode ("enforce", "testing", "none"), or NULL when the policy is invalid.
 * max_age:  the parsed max_age in seconds, or -1 when invalid.
 * mx:       the parsed mx patterns, NULL-terminated, or NULL for none; no pattern may be empty
 *           or contain a newline (they are stored newline-joined).
 *
 * The first observation of (domain, id, digest) creates a row with first_seen = last_seen = at;
 * later ones move last_seen forward only, and refresh mode, max_age and mx. A body that
 * changed under the same id is a new row, which is how STS-TXT-09 is detected.
 *
 * Returns 0; -EINVAL for a bad argument (reterr says which); -ENOMEM, -EIO or -EBUSY.
 */
int store_policy_seen(struct store *s, const char *domain, const char *id, const void *body,
		      size_t body_len, const char *mode, long max_age, const char *const *mx,
		      time_t at, struct mxs_error *reterr);

/*
 * Record that domain had one valid _mta-sts TXT record with this id at time at (STS-TXT-14
 * needs to know that a valid record existed, and when last). Same first/last seen rule as
 * store_policy_seen(). Returns 0, -EINVAL, -ENOMEM, -EIO or -EBUSY.
 */
int store_sts_txt_seen(struct store *s, const char *domain, const char *id, time_t at,
		       struct mxs_error *reterr);

/*
 * Record that the MX host mx of domain presented, at address to a session of algorithm alg, a
 * leaf certificate with these digests at time at (DANE-ROT-01/02).
 *
 * mx:          the MX host name, normalised, not empty.
 * address:     the address as text (at most 45 characters, as struct mx_address holds it).
 * alg:         the session's probe_alg_name() ("any", "ECDSA", "RSA"; at most 7 characters).
 * cert_sha256, spki_sha256: SHA2-256 of the certificate and of its SubjectPublicKeyInfo, as 64
 *              lower-case hex digits.
 *
 * Same first/last seen rule as store_policy_seen(): the first observation of a certificate
 * there creates a row, later ones widen its first_seen/last_seen. Another certificate (a new
 * key, or a renewal for the same key) is a new row.
 *
 * Returns 0; -EINVAL for a bad argument (reterr says which); -ENOMEM, -EIO or -EBUSY.
 */
int store_leaf_seen(struct store *s, const char *domain, const char *mx, const char *address,
		    const char *alg, const char *cert_sha256, const char *spki_sha256, time_t at,
		    struct mxs_error *reterr);

/*
 * Record what one authoritative server (address server) of domain's zone answered for the TLSA
 * RRset of MX host mx at time at: records[0..n-1] in presentation form ("3 1 1 <hex>", as
 * lib/tlsa.h writes them), served with TTL ttl (0 when unknown). A record seen for the first
 * time there gets first_seen = at; one seen before keeps its first_seen. Records of (domain, mx,
 * server) that are not in this answer are forgotten: a record removed and published again is
 * visible only from its new publication on. n = 0 (NODATA) forgets them all. One transaction.
 *
 * Returns 0; -EINVAL for a bad argument (reterr says which); -ENOMEM, -EIO or -EBUSY.
 */
int store_tlsa_view(struct store *s, const char *domain, const char *mx, const char *server,
		    const char *const *records, size_t n, unsigned ttl, time_t at,
		    struct mxs_error *reterr);

/*
 * Since when server has been serving record for mx (see store_tlsa_view()): *ret_first and the
 * TTL it was last served with in *ret_ttl. Returns 0, -ENOENT when it has not been seen there
 * (or was removed since), -EIO/-EBUSY/-ENOMEM.
 */
int store_tlsa_since(struct store *s, const char *domain, const char *mx, const char *server,
		     const char *record, time_t *ret_first, unsigned *ret_ttl,
		     struct mxs_error *reterr);

/*
 * Run SQLite's "PRAGMA integrity_check" on the whole database. Returns 0 when it reports "ok";
 * -EIO when it found damage (reterr holds its first complaint), or when it could not run.
 */
int store_integrity_check(struct store *s, struct mxs_error *reterr);

#endif

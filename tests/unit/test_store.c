/*
 * test_store.c - the agent's SQLite store (agent/store.c) and lib/history.c (history_clear(),
 * history_key_change(), history_digest_hex()).
 *
 * Each test gets a fresh directory made with mkdtemp() under /tmp and removed afterwards; the
 * store's own state directory is a not-yet-existing folder inside it, so store_open() creates it.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "agent/store.h"
#include "tests/unit/schema_frozen.h"
#include "tests/unit/storefix.h"
#include "lib/error.h"
#include "lib/history.h"

static const char policy_a[] = "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
			       "mx: *.example.net\nmax_age: 604800\n";
static const char policy_b[] = "version: STSv1\nmode: testing\nmx: mx1.example.com\n"
			       "max_age: 86400\n";
static const char *const mx_a[] = { "mx1.example.com", "*.example.net", NULL };
static const char *const mx_b[] = { "mx1.example.com", NULL };

static struct history load(struct store *s, const char *domain)
{
	struct history h = { 0 };
	struct mxs_error err = { 0 };
	int r = store_history_load(s, domain, &h, &err);

	if (r != 0)
		fail_msg("store_history_load(%s): %d: %s", domain, r, err.what);
	assert_true(h.available);
	mxs_error_clear(&err);
	return h;
}

static void seen_a(struct store *s, const char *domain, const char *id, time_t at)
{
	assert_int_equal(store_policy_seen(s, domain, id, policy_a, strlen(policy_a), "enforce",
					   604800, mx_a, at, NULL),
			 0);
}

/* A fresh directory: created 0750, database in WAL mode, every migration applied. */
static void test_open_fresh(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct stat st;

	assert_int_equal(stat(f->state, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_true(store_schema_version() >= 1);
	assert_int_equal(sql_int(f->db_path, "PRAGMA user_version"), store_schema_version());
	assert_int_equal(sql_int(f->db_path, "SELECT count(*) FROM sqlite_master WHERE type = "
					     "'table' AND name IN ('policy_history', "
					     "'sts_txt_history', 'leaf_history')"),
			 3);
	/* The journal mode is persistent in the file: an outside reader sees WAL too. */
	assert_int_equal(sql_int(f->db_path, "SELECT journal_mode = 'wal' FROM "
					     "pragma_journal_mode"),
			 1);
	assert_null(store_close(s));
	assert_null(store_close(NULL));
}

/* Reopening applies nothing twice and finds what was recorded. */
static void test_reopen_keeps_data(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	seen_a(s, "example.com", "20240101", 1000);
	assert_int_equal(store_sts_txt_seen(s, "example.com", "20240101", 1000, NULL), 0);
	s = store_close(s);

	s = open_ok(f);
	assert_int_equal(sql_int(f->db_path, "PRAGMA user_version"), store_schema_version());
	h = load(s, "example.com");
	assert_int_equal(h.n_policies, 1);
	assert_string_equal(h.policies[0].id, "20240101");
	assert_true(h.sts_txt_seen);
	history_clear(&h);
	assert_false(h.available);
	assert_null(h.policies);
	store_close(s);
}

/* A database from a newer mxsentry is refused, with a message, and left as it was. */
static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct mxs_error err = { 0 };
	struct store *s = open_ok(f);
	char sql[64];
	int newer = store_schema_version() + 1;

	store_close(s);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", newer);
	sql_exec(f->db_path, sql);

	s = NULL;
	assert_int_equal(store_open(f->state, &s, &err), -ENOTSUP);
	assert_null(s); /* ret_store written only on success */
	assert_non_null(err.what);
	assert_non_null(strstr(err.what, "newer"));
	assert_non_null(err.where);
	assert_int_equal(sql_int(f->db_path, "PRAGMA user_version"), newer);
	mxs_error_clear(&err);
}

/* STS-CACHE-01: a second sighting moves last_seen, never first_seen; the row stays one. */
static void test_policy_seen_twice(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	seen_a(s, "example.com", "20240101", 1000);
	seen_a(s, "example.com", "20240101", 2000);
	seen_a(s, "example.com", "20240101", 1500); /* late or clock stepped back: no change */
	h = load(s, "example.com");
	assert_int_equal(h.n_policies, 1);
	assert_int_equal(h.policies[0].first_seen, 1000);
	assert_int_equal(h.policies[0].last_seen, 2000);
	assert_string_equal(h.policies[0].mode, "enforce");
	assert_int_equal(h.policies[0].max_age, 604800);
	assert_string_equal(h.policies[0].mx[0], "mx1.example.com");
	assert_string_equal(h.policies[0].mx[1], "*.example.net");
	assert_null(h.policies[0].mx[2]);
	assert_int_equal(strlen(h.policies[0].digest), 64);
	history_clear(&h);
	store_close(s);
}

/* The digest is SHA-256 of the body as lower-case hex (FIPS 180-2 "abc" vector). */
static void test_policy_digest(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	assert_int_equal(
	    store_policy_seen(s, "example.org", "1", "abc", 3, NULL, -1, NULL, 5, NULL), 0);
	h = load(s, "example.org");
	assert_int_equal(h.n_policies, 1);
	assert_string_equal(h.policies[0].digest,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* An invalid policy: no mode, max_age -1, an empty (not NULL) pattern list. */
	assert_null(h.policies[0].mode);
	assert_int_equal(h.policies[0].max_age, -1);
	assert_non_null(h.policies[0].mx);
	assert_null(h.policies[0].mx[0]);
	history_clear(&h);
	store_close(s);
}

/* STS-TXT-09: content changed, id the same -> a second row, newest first. */
static void test_changed_body_same_id(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	seen_a(s, "example.com", "20240101", 1000);
	assert_int_equal(store_policy_seen(s, "example.com", "20240101", policy_b, strlen(policy_b),
					   "testing", 86400, mx_b, 2000, NULL),
			 0);
	h = load(s, "example.com");
	assert_int_equal(h.n_policies, 2);
	assert_string_equal(h.policies[0].id, h.policies[1].id);
	assert_string_not_equal(h.policies[0].digest, h.policies[1].digest);
	assert_string_equal(h.policies[0].mode, "testing");
	assert_int_equal(h.policies[0].last_seen, 2000);
	assert_int_equal(h.policies[1].last_seen, 1000);
	assert_null(h.policies[0].mx[1]);
	history_clear(&h);
	store_close(s);
}

/* STS-FETCH-14: id bumped, body the same -> a second row with the same digest. */
static void test_id_bumped_same_body(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	seen_a(s, "example.com", "1", 1000);
	seen_a(s, "example.com", "2", 2000);
	h = load(s, "example.com");
	assert_int_equal(h.n_policies, 2);
	assert_string_equal(h.policies[0].id, "2");
	assert_string_equal(h.policies[1].id, "1");
	assert_string_equal(h.policies[0].digest, h.policies[1].digest);
	history_clear(&h);
	store_close(s);
}

/* Newest last_seen first, at most STORE_HISTORY_MAX, other domains not mixed in. */
static void test_history_order_and_limit(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	const int n = STORE_HISTORY_MAX + 5;
	struct history h;
	char id[32];
	int i;

	/* Recorded out of time order, so that insertion order cannot pass for time order. */
	for (i = 0; i < n; i++) {
		int t = (i * 7) % n; /* 7 and 25 are coprime: every t once */

		snprintf(id, sizeof(id), "id%d", t);
		seen_a(s, "example.com", id, 1000 + t);
	}
	seen_a(s, "example.net", "other", 99999);
	h = load(s, "example.com");
	assert_int_equal(h.n_policies, STORE_HISTORY_MAX);
	for (i = 0; i < STORE_HISTORY_MAX; i++) {
		snprintf(id, sizeof(id), "id%d", n - 1 - i);
		assert_string_equal(h.policies[i].id, id);
		assert_int_equal(h.policies[i].last_seen, 1000 + n - 1 - i);
	}
	history_clear(&h);
	store_close(s);
}

/* A domain never seen: history is available (we know it has none), and empty. */
static void test_unknown_domain(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	seen_a(s, "example.com", "1", 1000);
	assert_int_equal(store_sts_txt_seen(s, "example.com", "1", 1000, NULL), 0);
	h = load(s, "unknown.example");
	assert_true(h.available);
	assert_int_equal(h.n_policies, 0);
	assert_null(h.policies);
	assert_false(h.sts_txt_seen);
	assert_null(h.unavailable_reason);
	history_clear(&h);
	store_close(s);
}

/* STS-TXT-14: that a valid record was seen, and the latest sighting of any id. */
static void test_sts_txt_seen(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	assert_int_equal(store_sts_txt_seen(s, "example.com", "a", 100, NULL), 0);
	assert_int_equal(store_sts_txt_seen(s, "example.com", "b", 200, NULL), 0);
	assert_int_equal(store_sts_txt_seen(s, "example.com", "a", 300, NULL), 0);
	h = load(s, "example.com");
	assert_true(h.sts_txt_seen);
	assert_int_equal(h.sts_txt_last_seen, 300);
	assert_int_equal(h.n_policies, 0);
	history_clear(&h);
	assert_int_equal(sql_int(f->db_path, "SELECT first_seen FROM sts_txt_history WHERE "
					     "domain = 'example.com' AND sts_id = 'a'"),
			 100);
	store_close(s);
}

/* Patterns are stored newline-joined: one that cannot be stored is refused, nothing written. */
static void test_bad_pattern_refused(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct mxs_error err = { 0 };
	const char *const bad[] = { "mx1.example.com", "a\nb", NULL };
	const char *const empty[] = { "", NULL };
	struct history h;

	assert_int_equal(store_policy_seen(s, "example.com", "1", policy_a, strlen(policy_a),
					   "enforce", 1, bad, 1, &err),
			 -EINVAL);
	assert_non_null(err.what);
	mxs_error_clear(&err);
	assert_int_equal(store_policy_seen(s, "example.com", "1", policy_a, strlen(policy_a),
					   "enforce", 1, empty, 1, NULL),
			 -EINVAL);
	h = load(s, "example.com");
	assert_int_equal(h.n_policies, 0);
	history_clear(&h);
	store_close(s);
}

static void test_integrity_ok(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct mxs_error err = { 0 };

	seen_a(s, "example.com", "1", 1000);
	assert_int_equal(store_integrity_check(s, &err), 0);
	assert_null(err.what);
	store_close(s);
}

/* A state_dir that is a file, or under a file: a readable error naming the path. */
static void test_bad_state_dir(void **state)
{
	struct fixture *f = *state;
	struct mxs_error err = { 0 };
	struct store *s = NULL;
	char *under;
	FILE *fp;

	fp = fopen(f->state, "w");
	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);

	assert_int_equal(store_open(f->state, &s, &err), -ENOTDIR);
	assert_null(s);
	assert_string_equal(err.where, f->state);
	assert_non_null(strstr(err.what, "state directory"));
	assert_non_null(strstr(err.what, strerror(ENOTDIR)));
	mxs_error_clear(&err);

	under = mxs_strdupf("%s/sub", f->state);
	assert_non_null(under);
	assert_int_equal(store_open(under, &s, &err), -ENOTDIR);
	assert_null(s);
	assert_non_null(strstr(err.what, "state directory"));
	mxs_error_clear(&err);
	free(under);

	assert_int_equal(store_open("", &s, &err), -EINVAL);
	assert_null(s);
	mxs_error_clear(&err);
}

/* A file that is not a database: SQLite's own message reaches the operator. */
static void test_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct mxs_error err = { 0 };
	struct store *s = NULL;
	char junk[4096];
	FILE *fp;

	memset(junk, 'x', sizeof(junk));
	assert_int_equal(mkdir(f->state, 0750), 0);
	fp = fopen(f->db_path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
	assert_int_equal(fclose(fp), 0);

	assert_true(store_open(f->state, &s, &err) < 0);
	assert_null(s);
	assert_string_equal(err.where, f->db_path);
	assert_non_null(strstr(err.what, "not a database"));
	mxs_error_clear(&err);
}

/*
 * The schema of version 1 exactly as that release created it (migration 1), with one policy
 * and one _mta-sts id recorded: what a database in the field looks like before migration 2.
 */
static void make_v1_database(const struct fixture *f)
{
	assert_int_equal(mkdir(f->state, 0750), 0);
	sql_exec(f->db_path, SCHEMA_FROZEN_V1
		 "INSERT INTO policy_history VALUES ('example.com', '20240101', "
		 "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'enforce', "
		 "604800, 'mx1.example.com', 1000, 2000);"
		 "INSERT INTO sts_txt_history VALUES ('example.com', '20240101', 1000, 2000);"
		 "PRAGMA user_version = 1;");
}

/* A version 1 database is brought up to date: its rows stay, the key table is added. */
static void test_migrate_v1_to_v2(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	struct history h;
	char cert[65], spki[65];

	make_v1_database(f);
	assert_int_equal(sql_int(f->db_path, "PRAGMA user_version"), 1);
	s = open_ok(f);
	assert_int_equal(sql_int(f->db_path, "PRAGMA user_version"), store_schema_version());
	assert_int_equal(sql_int(f->db_path, "SELECT count(*) FROM sqlite_master WHERE type = "
					     "'table' AND name = 'leaf_history'"),
			 1);
	h = load(s, "example.com");
	assert_int_equal(h.n_policies, 1);
	assert_string_equal(h.policies[0].id, "20240101");
	assert_int_equal(h.policies[0].first_seen, 1000);
	assert_int_equal(h.policies[0].last_seen, 2000);
	assert_string_equal(h.policies[0].mx[0], "mx1.example.com");
	assert_true(h.sts_txt_seen);
	assert_int_equal(h.n_keys, 0);
	assert_null(h.keys);
	history_clear(&h);
	/* The new table is usable at once. */
	memset(cert, 'c', 64);
	memset(spki, 'a', 64);
	cert[64] = spki[64] = '\0';
	assert_int_equal(store_leaf_seen(s, "example.com", "mx1.example.com", "192.0.2.1", "any",
					 cert, spki, 3000, NULL),
			 0);
	h = load(s, "example.com");
	assert_int_equal(h.n_keys, 1);
	history_clear(&h);
	assert_int_equal(store_integrity_check(s, NULL), 0);
	store_close(s);
}

/* A digest of 64 times the hex digit c. */
static const char *hex64(char c, char buf[65])
{
	memset(buf, c, 64);
	buf[64] = '\0';
	return buf;
}

static void leaf(struct store *s, const char *address, const char *alg, char cert, char spki,
		 time_t at)
{
	char c[65], k[65];

	assert_int_equal(store_leaf_seen(s, "example.com", "mx1.example.com", address, alg,
					 hex64(cert, c), hex64(spki, k), at, NULL),
			 0);
}

/* DANE-ROT-01: one row per certificate; sightings widen first/last seen. */
static void test_leaf_seen(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	leaf(s, "192.0.2.1", "any", '1', 'a', 1000);
	leaf(s, "192.0.2.1", "any", '1', 'a', 2000);
	leaf(s, "192.0.2.1", "any", '1', 'a', 1500); /* late: no change */
	h = load(s, "example.com");
	assert_int_equal(h.n_keys, 1);
	assert_string_equal(h.keys[0].mx, "mx1.example.com");
	assert_string_equal(h.keys[0].address, "192.0.2.1");
	assert_string_equal(h.keys[0].alg, "any");
	assert_int_equal(h.keys[0].cert_sha256[0], '1');
	assert_int_equal(strlen(h.keys[0].cert_sha256), 64);
	assert_int_equal(h.keys[0].spki_sha256[63], 'a');
	assert_int_equal(strlen(h.keys[0].spki_sha256), 64);
	assert_int_equal(h.keys[0].first_seen, 1000);
	assert_int_equal(h.keys[0].last_seen, 2000);
	history_clear(&h);
	assert_null(h.keys);
	assert_int_equal(h.n_keys, 0);
	h = load(s, "example.net");
	assert_int_equal(h.n_keys, 0);
	history_clear(&h);
	store_close(s);
}

/*
 * DANE-ROT-01/02: a new key is a new row, newest first per (mx, address, alg); other addresses
 * and algorithms are groups of their own, in sort order; a renewal for the same key is a row too.
 */
static void test_leaf_key_change(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct history h;

	leaf(s, "192.0.2.1", "any", '1', 'a', 1000);
	leaf(s, "192.0.2.1", "any", '2', 'b', 3000);
	leaf(s, "192.0.2.1", "any", '3', 'b', 5000); /* renewed, same key */
	leaf(s, "192.0.2.1", "RSA", '9', 'f', 1000);
	leaf(s, "192.0.2.2", "any", '1', 'a', 1000);
	h = load(s, "example.com");
	assert_int_equal(h.n_keys, 5);
	/* "192.0.2.1"/"RSA" sorts before "192.0.2.1"/"any" (upper case first) */
	assert_string_equal(h.keys[0].alg, "RSA");
	assert_string_equal(h.keys[1].alg, "any");
	assert_int_equal(h.keys[1].cert_sha256[0], '3');
	assert_int_equal(h.keys[2].cert_sha256[0], '2');
	assert_int_equal(h.keys[3].cert_sha256[0], '1');
	assert_int_equal(h.keys[3].last_seen, 1000);
	assert_string_equal(h.keys[4].address, "192.0.2.2");
	history_clear(&h);
	store_close(s);
}

/* At most STORE_KEYS_MAX certificates per group, the newest. */
static void test_leaf_limit(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	const char digits[] = "0123456789abcdef";
	struct history h;
	size_t i;

	assert_true(STORE_KEYS_MAX + 2 <= 16);
	for (i = 0; i < STORE_KEYS_MAX + 2; i++)
		leaf(s, "192.0.2.1", "any", digits[i], digits[i], 1000 + (time_t)i);
	leaf(s, "192.0.2.9", "any", '0', '0', 1);
	h = load(s, "example.com");
	assert_int_equal(h.n_keys, STORE_KEYS_MAX + 1);
	for (i = 0; i < STORE_KEYS_MAX; i++)
		assert_int_equal(h.keys[i].last_seen, 1000 + STORE_KEYS_MAX + 1 - i);
	assert_string_equal(h.keys[STORE_KEYS_MAX].address, "192.0.2.9");
	history_clear(&h);
	store_close(s);
}

/* What store_leaf_seen() cannot store is refused with a message, nothing written. */
static void test_leaf_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct mxs_error err = { 0 };
	char c[65], k[65];
	struct history h;

	hex64('a', c);
	hex64('b', k);
	assert_int_equal(store_leaf_seen(s, "example.com", "mx1.example.com", "192.0.2.1", "any",
					 "ABCD", k, 1, &err),
			 -EINVAL);
	assert_non_null(err.what);
	mxs_error_clear(&err);
	hex64('A', k); /* upper case is not the stored form */
	assert_int_equal(
	    store_leaf_seen(s, "example.com", "mx1.example.com", "192.0.2.1", "any", c, k, 1, NULL),
	    -EINVAL);
	hex64('b', k);
	assert_int_equal(store_leaf_seen(s, "example.com", "", "192.0.2.1", "any", c, k, 1, NULL),
			 -EINVAL);
	assert_int_equal(
	    store_leaf_seen(s, "example.com", "mx1.example.com", "", "any", c, k, 1, NULL),
	    -EINVAL);
	assert_int_equal(store_leaf_seen(s, "example.com", "mx1.example.com", "192.0.2.1",
					 "too-long-name", c, k, 1, NULL),
			 -EINVAL);
	assert_int_equal(store_leaf_seen(s, "example.com", NULL, "192.0.2.1", "any", c, k, 1, NULL),
			 -EINVAL);
	h = load(s, "example.com");
	assert_int_equal(h.n_keys, 0);
	history_clear(&h);
	store_close(s);
}

/* DANE-ROT-01/02: history_key_change() on what the store gives back. */
static void test_key_change_from_store(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct key_change kc = { 0 };
	char a[65], b[65], c[65];
	struct history h;

	hex64('a', a);
	hex64('b', b);
	hex64('c', c);
	leaf(s, "192.0.2.1", "any", '1', 'a', 1000);
	leaf(s, "192.0.2.1", "any", '1', 'a', 2000);
	h = load(s, "example.com");
	/* the same key again: no change */
	assert_int_equal(
	    history_key_change(&h, "mx1.example.com", "192.0.2.1", "any", a, 3000, &kc), 0);
	/* a new key, first seen now */
	assert_int_equal(
	    history_key_change(&h, "mx1.example.com", "192.0.2.1", "any", b, 3000, &kc), 1);
	assert_ptr_equal(kc.previous, &h.keys[0]);
	assert_int_equal(kc.changed_at, 3000);
	assert_true(kc.first_now);
	/* another address, another algorithm: a first observation, no change */
	assert_int_equal(
	    history_key_change(&h, "mx1.example.com", "192.0.2.2", "any", b, 3000, &kc), 0);
	assert_int_equal(
	    history_key_change(&h, "mx1.example.com", "192.0.2.1", "RSA", b, 3000, &kc), 0);
	history_clear(&h);

	/* the next cycle: the new key is in the history, the change keeps its time */
	leaf(s, "192.0.2.1", "any", '2', 'b', 3000);
	h = load(s, "example.com");
	memset(&kc, 0, sizeof(kc));
	assert_int_equal(
	    history_key_change(&h, "mx1.example.com", "192.0.2.1", "any", b, 4000, &kc), 1);
	assert_string_equal(kc.previous->spki_sha256, a);
	assert_int_equal(kc.previous->last_seen, 2000);
	assert_int_equal(kc.changed_at, 3000);
	assert_false(kc.first_now);
	/* back to the old key: seen before the previous one was last seen, no moment to name */
	assert_int_equal(
	    history_key_change(&h, "mx1.example.com", "192.0.2.1", "any", a, 4000, &kc), 0);
	/* a third key: the previous one is the newest other key, b */
	assert_int_equal(
	    history_key_change(&h, "mx1.example.com", "192.0.2.1", "any", c, 4000, &kc), 1);
	assert_string_equal(kc.previous->spki_sha256, b);
	history_clear(&h);
	store_close(s);
}

/* Without history, or with bad arguments, never a change. */
static void test_key_change_unavailable(void **state)
{
	struct history h = { 0 };
	struct key_change kc = { 0 };
	char a[65];

	(void)state;
	hex64('a', a);
	assert_int_equal(history_key_change(&h, "mx", "192.0.2.1", "any", a, 1, &kc), 0);
	assert_int_equal(history_key_change(NULL, "mx", "192.0.2.1", "any", a, 1, &kc), -EINVAL);
	assert_int_equal(history_key_change(&h, "mx", "192.0.2.1", "any", a, 1, NULL), -EINVAL);
}

/* The hex form the store keeps: lower case, 64 digits. */
static void test_digest_hex(void **state)
{
	unsigned char d[32];
	char out[65];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(d); i++)
		d[i] = (unsigned char)(i * 0x11 + 0x0f);
	history_digest_hex(d, out);
	assert_int_equal(strlen(out), 64);
	assert_memory_equal(out, "0f2031", 6);
	assert_string_equal(out + 60, "0d1e");
}

/* history_clear() on a half-filled history and on NULL. */
static void test_history_clear(void **state)
{
	struct history h = { 0 };

	(void)state;
	history_clear(NULL);
	h.available = true;
	h.unavailable_reason = strdup("x");
	h.policies = calloc(2, sizeof(*h.policies));
	assert_non_null(h.policies);
	h.n_policies = 2;
	h.policies[0].id = strdup("1");
	h.policies[0].mx = calloc(2, sizeof(char *));
	assert_non_null(h.policies[0].mx);
	h.policies[0].mx[0] = strdup("mx.example.com");
	h.keys = calloc(2, sizeof(*h.keys));
	assert_non_null(h.keys);
	h.n_keys = 2;
	h.keys[0].mx = strdup("mx.example.com");
	history_clear(&h); /* policies[1] and keys[1] are all NULL: abandoned while loading */
	assert_false(h.available);
	assert_null(h.policies);
	assert_null(h.keys);
	assert_int_equal(h.n_keys, 0);
	assert_int_equal(h.n_policies, 0);
	assert_null(h.unavailable_reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_seen_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_body_same_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_bumped_same_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_order_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sts_txt_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pattern_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1_to_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_key_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_change_from_store, setup, teardown),
		cmocka_unit_test(test_key_change_unavailable),
		cmocka_unit_test(test_digest_hex),
		cmocka_unit_test(test_history_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

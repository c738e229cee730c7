/*
 * schema_frozen.h - the store's first tables exactly as migrations 1 to 3 created them, for the
 * tests that start from an old database and open it with today's store.
 *
 * Deliberately a copy, not a reference to agent/store_schema.c: a database in the field was
 * made by the release that wrote it, so an edit to an old migration there must fail these
 * tests rather than silently move their starting point with it.
 */
#ifndef MXS_TESTS_SCHEMA_FROZEN_H
#define MXS_TESTS_SCHEMA_FROZEN_H

/* Migration 1: MTA-STS policy and _mta-sts id history. */
#define SCHEMA_FROZEN_V1                                                                           \
	"CREATE TABLE policy_history ("                                                            \
	" domain TEXT NOT NULL,"                                                                   \
	" policy_id TEXT NOT NULL,"                                                                \
	" digest TEXT NOT NULL CHECK (length(digest) = 64),"                                       \
	" mode TEXT,"                                                                              \
	" max_age INTEGER NOT NULL DEFAULT -1,"                                                    \
	" mx TEXT NOT NULL DEFAULT '',"                                                            \
	" first_seen INTEGER NOT NULL,"                                                            \
	" last_seen INTEGER NOT NULL,"                                                             \
	" PRIMARY KEY (domain, policy_id, digest)) WITHOUT ROWID;"                                 \
	"CREATE INDEX policy_history_recent ON policy_history (domain, last_seen DESC);"           \
	"CREATE TABLE sts_txt_history ("                                                           \
	" domain TEXT NOT NULL,"                                                                   \
	" sts_id TEXT NOT NULL,"                                                                   \
	" first_seen INTEGER NOT NULL,"                                                            \
	" last_seen INTEGER NOT NULL,"                                                             \
	" PRIMARY KEY (domain, sts_id)) WITHOUT ROWID;"                                            \
	"CREATE INDEX sts_txt_history_recent ON sts_txt_history (domain, last_seen DESC);"

/* Migration 2: leaf keys per MX address and algorithm. */
#define SCHEMA_FROZEN_V2                                                                           \
	"CREATE TABLE leaf_history ("                                                              \
	" domain TEXT NOT NULL,"                                                                   \
	" mx TEXT NOT NULL CHECK (length(mx) > 0),"                                                \
	" address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 45),"                         \
	" alg TEXT NOT NULL CHECK (length(alg) BETWEEN 1 AND 7),"                                  \
	" cert_sha256 TEXT NOT NULL CHECK (length(cert_sha256) = 64),"                             \
	" spki_sha256 TEXT NOT NULL CHECK (length(spki_sha256) = 64),"                             \
	" first_seen INTEGER NOT NULL,"                                                            \
	" last_seen INTEGER NOT NULL,"                                                             \
	" PRIMARY KEY (domain, mx, address, alg, cert_sha256)) WITHOUT ROWID;"

/* Migration 3: TLSA records per authoritative server. */
#define SCHEMA_FROZEN_V3                                                                           \
	"CREATE TABLE tlsa_history ("                                                              \
	" domain TEXT NOT NULL,"                                                                   \
	" mx TEXT NOT NULL CHECK (length(mx) > 0),"                                                \
	" server TEXT NOT NULL CHECK (length(server) BETWEEN 1 AND 45),"                           \
	" record TEXT NOT NULL CHECK (length(record) > 0),"                                        \
	" ttl INTEGER NOT NULL DEFAULT 0,"                                                         \
	" first_seen INTEGER NOT NULL,"                                                            \
	" last_seen INTEGER NOT NULL,"                                                             \
	" PRIMARY KEY (domain, mx, server, record)) WITHOUT ROWID;"

#endif

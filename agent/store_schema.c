/*
 * store_schema.c - the store's schema as its ordered list of migrations; see store.c (how they
 * are applied) and store_db.h.
 */
#include "agent/store_db.h"

/*
 * migrations[i] brings a database from version i to i + 1. Append only (see the top comment).
 *
 * 1: MTA-STS history. policy_history has one row per distinct (domain, id, body digest): a body
 *    that changed under the same id is a second row (STS-TXT-09), an id bumped over the same body
 *    is a second row with the same digest (STS-FETCH-14), and last_seen with max_age tells how
 *    long senders may still cache a policy (STS-CACHE-01/02). mode is NULL and max_age -1 for a
 *    body that did not parse; mx holds the patterns newline-joined (a pattern has no newline).
 *    sts_txt_history records every valid _mta-sts id seen, so that a TXT record that disappears
 *    can be told from one that never existed (STS-TXT-14). WITHOUT ROWID: the rows are looked up
 *    by their key only, and the indexes serve "newest first" per domain.
 * 2: leaf keys (DANE-ROT-01/02). leaf_history has one row per distinct (domain, MX host,
 *    address, session algorithm, certificate digest) with the digest of its SubjectPublicKeyInfo:
 *    a new key is a new row, and so is a certificate renewed for the same key (same spki_sha256),
 *    so that a key change can be told from a renewal. alg is the session's probe_alg_name():
 *    a dual-certificate server presents one key per algorithm. The primary key serves the only
 *    read, all rows of one domain; the lengths are checked so that a row always fits struct
 *    key_seen.
 * 3: TLSA records per authoritative server (DANE-ROT-01/03, "mxsentry dane-check"). tlsa_history
 *    has one row per (domain, MX host, server address, record in presentation form) with the
 *    TTL it was served with and when it was first and last seen there, so that "visible on every
 *    server for twice its TTL" can be answered (agent/store_dns.c).
 * 4: current finding state and its transitions (agent/store_state.c). finding_state has one row
 *    per open problem of a domain, a finding of severity WARNING, CRITICAL or UNKNOWN (an OK
 *    finding is a note, not a problem), keyed by (domain, check, MX host, address, algorithm,
 *    code) with '' for an absent subject part (a key column holding NULL would not be unique).
 *    since is when the problem opened, severity_since when its current severity began (a
 *    severity change keeps since), last_seen the last cycle that reported it. events is the
 *    append-only log of transitions: a problem opened, changed severity, or resolved, with the
 *    severities before and after (0, OK, on the side where there is no problem). Its id is
 *    AUTOINCREMENT so that a number is never handed out twice, even once old rows are pruned:
 *    the alert outbox keeps "delivered up to id N". domain_cycles keeps the last cycle of each
 *    domain: when, how long, its worst severity, how many findings of each severity, and a short
 *    summary for people. The severity columns hold enum severity values (lib/severity.h).
 * 5: alerts (agent/store_alert.c). alert_state is the alert side's own record of each problem
 *    of a domain (lib/alert_decide.h): consecutive cycles seen, and the severity last told and
 *    when; it is replaced as a whole per domain each cycle. outbox holds one row per message and
 *    sink to deliver: the message as its webhook document (lib/alert.h), its state (pending,
 *    sending while a delivery is in flight, delivered, failed), attempts, the next attempt's
 *    time and the last error. (sink, message_id) is unique, so the same news queued twice for a
 *    sink is one row. A row still "sending" at start was cut off by a crash: it is sent again.
 * 6: TLS-RPT reports (agent/store_report.c). reports has one row per report, keyed by the
 *    reporting organisation and its report-id (RFC 8460 §4.4), so that a report delivered
 *    twice (by mail and by HTTPS, or resent) is stored once; with the deviations from the RFC
 *    that were tolerated. report_policies and report_failures hold its policies (type, domain,
 *    the MTA-STS mode when the policy strings say it, session counts) and failure details
 *    (result type, sending and receiving MTA, count). reports_rejected keeps every input that
 *    could not be understood, raw, with the reason: nothing is dropped silently.
 * 7: agent_marks, when the agent last did something it does on its own clock (the weekly
 *    report summary of each email sink), so that a restart neither repeats nor skips it.
 */
const char *const store_migrations[] = {
	"CREATE TABLE policy_history ("
	" domain TEXT NOT NULL,"
	" policy_id TEXT NOT NULL,"
	" digest TEXT NOT NULL CHECK (length(digest) = 64),"
	" mode TEXT,"
	" max_age INTEGER NOT NULL DEFAULT -1,"
	" mx TEXT NOT NULL DEFAULT '',"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (domain, policy_id, digest)) WITHOUT ROWID;"
	"CREATE INDEX policy_history_recent ON policy_history (domain, last_seen DESC);"
	"CREATE TABLE sts_txt_history ("
	" domain TEXT NOT NULL,"
	" sts_id TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (domain, sts_id)) WITHOUT ROWID;"
	"CREATE INDEX sts_txt_history_recent ON sts_txt_history (domain, last_seen DESC);",
	"CREATE TABLE leaf_history ("
	" domain TEXT NOT NULL,"
	" mx TEXT NOT NULL CHECK (length(mx) > 0),"
	" address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 45),"
	" alg TEXT NOT NULL CHECK (length(alg) BETWEEN 1 AND 7),"
	" cert_sha256 TEXT NOT NULL CHECK (length(cert_sha256) = 64),"
	" spki_sha256 TEXT NOT NULL CHECK (length(spki_sha256) = 64),"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (domain, mx, address, alg, cert_sha256)) WITHOUT ROWID;",
	"CREATE TABLE tlsa_history ("
	" domain TEXT NOT NULL,"
	" mx TEXT NOT NULL CHECK (length(mx) > 0),"
	" server TEXT NOT NULL CHECK (length(server) BETWEEN 1 AND 45),"
	" record TEXT NOT NULL CHECK (length(record) > 0),"
	" ttl INTEGER NOT NULL DEFAULT 0,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (domain, mx, server, record)) WITHOUT ROWID;",
	"CREATE TABLE finding_state ("
	" domain TEXT NOT NULL,"
	" check_name TEXT NOT NULL CHECK (length(check_name) > 0),"
	" mx TEXT NOT NULL DEFAULT '',"
	" address TEXT NOT NULL DEFAULT '',"
	" alg TEXT NOT NULL DEFAULT '',"
	" code TEXT NOT NULL CHECK (length(code) > 0),"
	" severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),"
	" message TEXT NOT NULL,"
	" req TEXT,"
	" since INTEGER NOT NULL,"
	" severity_since INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (domain, check_name, mx, address, alg, code)) WITHOUT ROWID;"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" at INTEGER NOT NULL,"
	" domain TEXT NOT NULL,"
	" check_name TEXT NOT NULL,"
	" mx TEXT NOT NULL DEFAULT '',"
	" address TEXT NOT NULL DEFAULT '',"
	" alg TEXT NOT NULL DEFAULT '',"
	" code TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('opened', 'changed', 'resolved')),"
	" severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),"
	" old_severity INTEGER NOT NULL CHECK (old_severity BETWEEN 0 AND 3),"
	" message TEXT NOT NULL,"
	" req TEXT);"
	"CREATE TABLE domain_cycles ("
	" domain TEXT NOT NULL PRIMARY KEY,"
	" cycle_at INTEGER NOT NULL,"
	" duration_ms INTEGER NOT NULL DEFAULT 0,"
	" worst INTEGER NOT NULL CHECK (worst BETWEEN 0 AND 3),"
	" n_ok INTEGER NOT NULL DEFAULT 0,"
	" n_warning INTEGER NOT NULL DEFAULT 0,"
	" n_critical INTEGER NOT NULL DEFAULT 0,"
	" n_unknown INTEGER NOT NULL DEFAULT 0,"
	" summary TEXT NOT NULL DEFAULT '') WITHOUT ROWID;",
	"CREATE TABLE alert_state ("
	" domain TEXT NOT NULL,"
	" check_name TEXT NOT NULL,"
	" mx TEXT NOT NULL DEFAULT '',"
	" address TEXT NOT NULL DEFAULT '',"
	" alg TEXT NOT NULL DEFAULT '',"
	" code TEXT NOT NULL,"
	" severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 3),"
	" cycles INTEGER NOT NULL CHECK (cycles >= 1),"
	" since INTEGER NOT NULL,"
	" notified INTEGER NOT NULL DEFAULT 0 CHECK (notified BETWEEN 0 AND 3),"
	" notified_at INTEGER NOT NULL DEFAULT 0,"
	" message TEXT,"
	" req TEXT,"
	" PRIMARY KEY (domain, check_name, mx, address, alg, code)) WITHOUT ROWID;"
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" sink TEXT NOT NULL,"
	" domain TEXT NOT NULL,"
	" message_id TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" valid_until INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),"
	" last_error TEXT,"
	" done_at INTEGER,"
	" UNIQUE (sink, message_id));"
	"CREATE INDEX outbox_due ON outbox (state, sink, next_attempt);",
	"CREATE TABLE reports ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" organization TEXT NOT NULL,"
	" report_id TEXT NOT NULL CHECK (length(report_id) > 0),"
	" contact TEXT,"
	" start INTEGER NOT NULL,"
	" end INTEGER NOT NULL,"
	" received INTEGER NOT NULL,"
	" via TEXT NOT NULL,"
	" deviations TEXT NOT NULL DEFAULT '',"
	" UNIQUE (organization, report_id));"
	"CREATE TABLE report_policies ("
	" report INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" policy_type TEXT NOT NULL,"
	" policy_domain TEXT NOT NULL DEFAULT '',"
	" mode TEXT,"
	" successful INTEGER NOT NULL,"
	" failed INTEGER NOT NULL,"
	" PRIMARY KEY (report, idx)) WITHOUT ROWID;"
	"CREATE INDEX report_policies_domain ON report_policies (policy_domain);"
	"CREATE TABLE report_failures ("
	" report INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
	" policy_idx INTEGER NOT NULL,"
	" result_type TEXT NOT NULL,"
	" sending_ip TEXT,"
	" receiving_mx TEXT,"
	" receiving_ip TEXT,"
	" count INTEGER NOT NULL,"
	" reason TEXT);"
	"CREATE INDEX report_failures_report ON report_failures (report, policy_idx);"
	"CREATE TABLE reports_rejected ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" received INTEGER NOT NULL,"
	" via TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" raw BLOB NOT NULL);",
	"CREATE TABLE agent_marks ("
	" name TEXT NOT NULL PRIMARY KEY,"
	" at INTEGER NOT NULL) WITHOUT ROWID;",
};

const size_t store_n_migrations = sizeof(store_migrations) / sizeof(store_migrations[0]);

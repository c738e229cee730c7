/*
 * test_store_state.c - the store's finding state and its transitions (agent/store_state.c,
 * agent/store_state_read.c, migration 4): each transition recorded exactly once, applying the
 * same cycle again changes nothing, a cycle is one transaction (also when the process is killed
 * in the middle of one), and a database of version 3 keeps its rows when it is migrated.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/store.h"
#include "agent/store_state.h"
#include "lib/error.h"
#include "lib/finding.h"
#include "tests/unit/schema_frozen.h"
#include "tests/unit/storefix.h"

#define DOM "example.com"
#define MX1 "mx1.example.com"

static const struct finding_subject mx1 = { .mx = MX1, .address = "192.0.2.1" };

static void add(struct findings *f, const char *domain, const char *check, const char *code,
		enum severity sev, const struct finding_subject *subj, const char *msg)
{
	assert_non_null(findings_add(f, check, code, sev, "REQ-01", NULL, domain, subj, "%s", msg));
}

/* Apply and return the transitions written; fails the test on error. */
static struct store_transitions apply(struct store *s, const char *domain, const struct findings *f,
				      time_t at)
{
	struct store_transitions t = { 0 };
	struct mxs_error err = { 0 };
	int r = store_state_apply(s, domain, f, at, 1234, "1 MX", &t, &err);

	if (r != 0)
		fail_msg("store_state_apply(%s, %lld): %d: %s", domain, (long long)at, r, err.what);
	return t;
}

/* The open problems of domain. */
static struct state_row *load(struct store *s, const char *domain, size_t *n)
{
	struct state_row *rows = NULL;

	assert_int_equal(store_state_load(s, domain, &rows, n, NULL), 0);
	return rows;
}

static long long n_events(const struct fixture *f)
{
	return sql_int(f->db_path, "SELECT count(*) FROM events");
}

/* A problem opens once, changes severity once, resolves once; since survives the change. */
static void test_transitions(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	struct findings f = { 0 };
	struct store_transitions t;
	struct state_row *rows;
	size_t n;

	add(&f, DOM, "cert_expiry", "cert.expiring", SEVERITY_WARNING, &mx1, "expires in 20 days");
	add(&f, DOM, "mta_sts", "sts.txt.missing", SEVERITY_CRITICAL, NULL, "no record");
	add(&f, DOM, "tls_rpt", "rpt.ok", SEVERITY_OK, NULL, "a note, not a problem");
	t = apply(s, DOM, &f, 1000);
	assert_int_equal(t.n, 2);
	/* walked in key order: cert_expiry before mta_sts */
	assert_int_equal(t.v[0].kind, STATE_EVENT_OPENED);
	assert_string_equal(t.v[0].code, "cert.expiring");
	assert_string_equal(t.v[0].mx, MX1);
	assert_string_equal(t.v[0].address, "192.0.2.1");
	assert_null(t.v[0].alg);
	assert_int_equal(t.v[0].severity, SEVERITY_WARNING);
	assert_int_equal(t.v[0].old_severity, SEVERITY_OK);
	assert_string_equal(t.v[1].code, "sts.txt.missing");
	assert_null(t.v[1].mx);
	assert_true(t.v[1].id > t.v[0].id);
	store_transitions_clear(&t);
	assert_null(t.v);

	/* The same cycle again, later and at the same time: no event, last_seen moves. */
	t = apply(s, DOM, &f, 2000);
	assert_int_equal(t.n, 0);
	t = apply(s, DOM, &f, 2000);
	assert_int_equal(t.n, 0);
	assert_int_equal(n_events(fx), 2);
	rows = load(s, DOM, &n);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].since, 1000);
	assert_int_equal(rows[0].last_seen, 2000);
	rows = store_state_free(rows, n);

	/* Worse, and a new message at the same severity (no event for that one). */
	findings_clear(&f);
	add(&f, DOM, "cert_expiry", "cert.expiring", SEVERITY_CRITICAL, &mx1, "expires in 5 days");
	add(&f, DOM, "mta_sts", "sts.txt.missing", SEVERITY_CRITICAL, NULL, "still no record");
	t = apply(s, DOM, &f, 3000);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].kind, STATE_EVENT_CHANGED);
	assert_int_equal(t.v[0].severity, SEVERITY_CRITICAL);
	assert_int_equal(t.v[0].old_severity, SEVERITY_WARNING);
	assert_string_equal(t.v[0].message, "expires in 5 days");
	store_transitions_clear(&t);
	rows = load(s, DOM, &n);
	assert_int_equal(n, 2);
	/* both CRITICAL and as old: by key, cert_expiry first */
	assert_string_equal(rows[0].code, "cert.expiring");
	assert_int_equal(rows[0].since, 1000);
	assert_int_equal(rows[0].severity_since, 3000);
	assert_string_equal(rows[1].message, "still no record");
	assert_int_equal(rows[1].severity_since, 1000);
	rows = store_state_free(rows, n);

	/* The MTA-STS problem disappears; then the certificate one is reported as OK. */
	findings_clear(&f);
	add(&f, DOM, "cert_expiry", "cert.expiring", SEVERITY_CRITICAL, &mx1, "expires in 4 days");
	t = apply(s, DOM, &f, 4000);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].kind, STATE_EVENT_RESOLVED);
	assert_string_equal(t.v[0].code, "sts.txt.missing");
	assert_int_equal(t.v[0].severity, SEVERITY_OK);
	assert_int_equal(t.v[0].old_severity, SEVERITY_CRITICAL);
	assert_string_equal(t.v[0].message, "still no record");
	store_transitions_clear(&t);
	findings_clear(&f);
	add(&f, DOM, "cert_expiry", "cert.expiring", SEVERITY_OK, &mx1, "renewed: 90 days left");
	t = apply(s, DOM, &f, 5000);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].kind, STATE_EVENT_RESOLVED);
	assert_string_equal(t.v[0].message, "renewed: 90 days left");
	store_transitions_clear(&t);
	rows = load(s, DOM, &n);
	assert_int_equal(n, 0);
	assert_null(rows);
	t = apply(s, DOM, &f, 6000);
	assert_int_equal(t.n, 0);
	assert_int_equal(n_events(fx), 5);
	assert_int_equal(sql_int(fx->db_path, "SELECT count(*) FROM events WHERE kind = 'resolved'"
					      " AND severity = 0"),
			 2);
	findings_clear(&f);
	store_close(s);
}

/* One key twice in a cycle: the worst counts, the first of equals gives the message. */
static void test_duplicate_key(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	struct findings f = { 0 };
	struct store_transitions t;
	struct state_row *rows;
	size_t n;

	add(&f, DOM, "mx_starttls", "smtp.tls.version", SEVERITY_WARNING, &mx1, "TLSv1.1");
	add(&f, DOM, "mx_starttls", "smtp.tls.version", SEVERITY_CRITICAL, &mx1, "first critical");
	add(&f, DOM, "mx_starttls", "smtp.tls.version", SEVERITY_UNKNOWN, &mx1, "unknown");
	add(&f, DOM, "mx_starttls", "smtp.tls.version", SEVERITY_CRITICAL, &mx1, "second");
	t = apply(s, DOM, &f, 1000);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].severity, SEVERITY_CRITICAL);
	store_transitions_clear(&t);
	rows = load(s, DOM, &n);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].message, "first critical");
	assert_string_equal(rows[0].req, "REQ-01");
	store_state_free(rows, n);
	/* a problem beside an OK finding of the same key stays a problem */
	findings_clear(&f);
	add(&f, DOM, "mx_starttls", "smtp.tls.version", SEVERITY_OK, &mx1, "fine");
	add(&f, DOM, "mx_starttls", "smtp.tls.version", SEVERITY_CRITICAL, &mx1, "not fine");
	t = apply(s, DOM, &f, 2000);
	assert_int_equal(t.n, 0);
	findings_clear(&f);
	store_close(s);
}

/* Two domains: a cycle of one never touches the other. */
static void test_domains_independent(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	struct findings a = { 0 }, b = { 0 };
	struct store_transitions t;
	struct state_row *rows;
	struct state_cycle *cycles;
	size_t n;

	add(&a, DOM, "mta_sts", "sts.txt.missing", SEVERITY_CRITICAL, NULL, "no record");
	add(&b, "example.net", "mta_sts", "sts.txt.missing", SEVERITY_WARNING, NULL, "no record");
	store_transitions_clear(NULL);
	t = apply(s, DOM, &a, 1000);
	store_transitions_clear(&t);
	t = apply(s, "example.net", &b, 1100);
	assert_int_equal(t.n, 1);
	store_transitions_clear(&t);
	/* example.net resolves: example.com's problem stays */
	t = apply(s, "example.net", NULL, 2000);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].domain, "example.net");
	store_transitions_clear(&t);
	rows = load(s, NULL, &n);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].domain, DOM);
	store_state_free(rows, n);
	assert_int_equal(store_cycles_load(s, NULL, &cycles, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cycles[0].domain, DOM);
	assert_int_equal(cycles[0].cycle_at, 1000);
	assert_int_equal(cycles[0].worst, SEVERITY_CRITICAL);
	assert_int_equal(cycles[0].n_critical, 1);
	assert_int_equal(cycles[0].duration_ms, 1234);
	assert_string_equal(cycles[0].summary, "1 MX");
	assert_string_equal(cycles[1].domain, "example.net");
	assert_int_equal(cycles[1].cycle_at, 2000);
	assert_int_equal(cycles[1].worst, SEVERITY_OK);
	assert_int_equal(cycles[1].n_warning, 0);
	store_cycles_free(cycles, n);
	/* a finding about another domain is refused before anything is written */
	assert_int_equal(store_state_apply(s, DOM, &b, 3000, 0, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(sql_int(fx->db_path, "SELECT cycle_at FROM domain_cycles WHERE domain = "
					      "'example.com'"),
			 1000);
	findings_clear(&a);
	findings_clear(&b);
	store_close(s);
}

/* A cycle that fails after some of its writes leaves nothing of itself, then applies whole. */
static void test_one_transaction(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	struct findings f = { 0 };
	struct store_transitions t = { 0 };
	struct mxs_error err = { 0 };
	struct state_row *rows;
	size_t n;

	add(&f, DOM, "cert_expiry", "cert.expiring", SEVERITY_WARNING, &mx1, "20 days");
	add(&f, DOM, "dane_tlsa", "dane.tlsa.mismatch", SEVERITY_CRITICAL, &mx1, "mismatch");
	t = apply(s, DOM, &f, 1000);
	store_transitions_clear(&t);
	/* The last write of the next cycle (keys are walked in order: "zz" is last) fails. */
	sql_exec(fx->db_path, "CREATE TRIGGER provoke BEFORE INSERT ON events WHEN NEW.check_name"
			      " = 'zz' BEGIN SELECT RAISE(ABORT, 'provoked failure'); END;");
	findings_clear(&f);
	add(&f, DOM, "cert_expiry", "cert.expiring", SEVERITY_CRITICAL, &mx1, "5 days");
	add(&f, DOM, "zz", "zz.new", SEVERITY_WARNING, NULL, "new");
	assert_int_equal(store_state_apply(s, DOM, &f, 2000, 0, "x", &t, &err), -EINVAL);
	assert_non_null(strstr(err.what, "provoked failure"));
	mxs_error_clear(&err);
	assert_int_equal(t.n, 0); /* untouched on failure */
	assert_null(t.v);
	assert_int_equal(n_events(fx), 2);
	rows = load(s, DOM, &n);
	assert_int_equal(n, 2);
	assert_string_equal(rows[1].code, "cert.expiring");
	assert_int_equal(rows[1].severity, SEVERITY_WARNING);
	assert_int_equal(rows[1].last_seen, 1000);
	assert_string_equal(rows[0].code, "dane.tlsa.mismatch"); /* not resolved */
	store_state_free(rows, n);
	assert_int_equal(sql_int(fx->db_path, "SELECT cycle_at FROM domain_cycles"), 1000);
	/* Failing at the last statement, the cycle's summary, undoes the transitions too. */
	sql_exec(fx->db_path, "DROP TRIGGER provoke;"
			      "CREATE TRIGGER provoke BEFORE UPDATE ON domain_cycles"
			      " BEGIN SELECT RAISE(ABORT, 'provoked failure'); END;");
	assert_int_equal(store_state_apply(s, DOM, &f, 2000, 0, "x", &t, NULL), -EINVAL);
	assert_int_equal(n_events(fx), 2);
	assert_int_equal(sql_int(fx->db_path, "SELECT count(*) FROM finding_state"), 2);
	assert_int_equal(sql_int(fx->db_path, "SELECT max(last_seen) FROM finding_state"), 1000);
	/* The same cycle once the cause is gone: every transition, once. */
	sql_exec(fx->db_path, "DROP TRIGGER provoke");
	t = apply(s, DOM, &f, 2000);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.v[0].kind, STATE_EVENT_CHANGED);
	assert_int_equal(t.v[1].kind, STATE_EVENT_RESOLVED);
	assert_int_equal(t.v[2].kind, STATE_EVENT_OPENED);
	store_transitions_clear(&t);
	assert_int_equal(n_events(fx), 5);
	assert_int_equal(store_integrity_check(s, NULL), 0);
	/* a severity outside the enum is refused up front */
	f.v[0].severity = (enum severity)7;
	assert_int_equal(store_state_apply(s, DOM, &f, 3000, 0, NULL, NULL, &err), -EINVAL);
	assert_non_null(err.what);
	mxs_error_clear(&err);
	assert_int_equal(n_events(fx), 5);
	findings_clear(&f);
	store_close(s);
}

/*
 * kill -9 while cycles are being applied: cycle i (at = i) opens the problem when i is odd and
 * resolves it when i is even, one transition per cycle. Whatever the moment of the kill, the
 * database is intact and holds exactly one event per committed cycle.
 */
static void test_killed_mid_cycle(void **state)
{
	struct fixture *fx = *state;
	struct store *s;
	struct findings on = { 0 };
	struct timespec pause = { 0, 300 * 1000 * 1000 };
	struct state_row *rows;
	long long last;
	size_t n;
	pid_t pid;
	int status;

	add(&on, DOM, "mta_sts", "sts.txt.missing", SEVERITY_CRITICAL, NULL, "no record");
	s = open_ok(fx); /* the schema exists before the child starts */
	store_close(s);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *c = NULL;
		time_t i;

		if (store_open(fx->state, &c, NULL) < 0)
			_exit(1);
		for (i = 1;; i++)
			if (store_state_apply(c, DOM, i % 2 ? &on : NULL, i, 0, NULL, NULL, NULL) <
			    0)
				_exit(2);
	}
	(void)nanosleep(&pause, NULL);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status)); /* it was still applying, not failed */

	s = open_ok(fx);
	assert_int_equal(store_integrity_check(s, NULL), 0);
	last = sql_int(fx->db_path, "SELECT cycle_at FROM domain_cycles");
	assert_true(last > 1);
	assert_int_equal(n_events(fx), last);
	assert_int_equal(sql_int(fx->db_path, "SELECT max(at) FROM events"), last);
	rows = load(s, DOM, &n);
	assert_int_equal(n, (size_t)(last % 2));
	store_state_free(rows, n);
	findings_clear(&on);
	store_close(s);
}

/* Paging through the log by the last id received. */
static void test_events_paging(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	struct findings f = { 0 };
	struct store_transitions t;
	struct state_event *ev = NULL;
	long long after = 0;
	size_t n, total = 0;
	int page = 0;
	time_t i;

	add(&f, DOM, "mta_sts", "sts.txt.missing", SEVERITY_WARNING, NULL, "no record");
	for (i = 1; i <= 5; i++) {
		t = apply(s, DOM, i % 2 ? &f : NULL, i * 100);
		store_transitions_clear(&t);
	}
	for (;;) {
		assert_int_equal(store_events_since(s, after, 2, &ev, &n, NULL), 0);
		if (n == 0)
			break;
		assert_true(n <= 2);
		assert_true(ev[0].id > after);
		assert_int_equal(ev[0].at, (time_t)(total + 1) * 100);
		assert_int_equal(ev[0].kind, total % 2 ? STATE_EVENT_RESOLVED : STATE_EVENT_OPENED);
		assert_string_equal(ev[0].check, "mta_sts");
		assert_string_equal(store_event_kind_name(ev[0].kind),
				    total % 2 ? "resolved" : "opened");
		total += n;
		after = ev[n - 1].id;
		ev = store_events_free(ev, n);
		page++;
	}
	assert_null(ev);
	assert_int_equal(total, 5);
	assert_int_equal(page, 3);
	assert_int_equal(store_events_since(s, 0, 0, &ev, &n, NULL), -EINVAL);
	findings_clear(&f);
	store_close(s);
}

/* A removed domain: state and cycle deleted, no event, the log kept. */
static void test_forget_domain(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	struct findings f = { 0 }, g = { 0 };
	struct store_transitions t;
	struct state_cycle *cycles;
	size_t n;

	add(&f, DOM, "mta_sts", "sts.txt.missing", SEVERITY_WARNING, NULL, "no record");
	add(&f, DOM, "cert_expiry", "cert.expiring", SEVERITY_CRITICAL, &mx1, "3 days");
	add(&g, "example.net", "mta_sts", "sts.txt.missing", SEVERITY_WARNING, NULL, "no record");
	t = apply(s, DOM, &f, 1000);
	store_transitions_clear(&t);
	t = apply(s, "example.net", &g, 1000);
	store_transitions_clear(&t);
	assert_int_equal(store_state_forget_domain(s, DOM, NULL), 2);
	assert_int_equal(store_state_forget_domain(s, DOM, NULL), 0);
	assert_int_equal(n_events(fx), 3);
	assert_int_equal(store_cycles_load(s, DOM, &cycles, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_cycles_load(s, NULL, &cycles, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cycles[0].domain, "example.net");
	store_cycles_free(cycles, n);
	/* added again later: its problems open anew */
	t = apply(s, DOM, &f, 2000);
	assert_int_equal(t.n, 2);
	store_transitions_clear(&t);
	findings_clear(&f);
	findings_clear(&g);
	store_close(s);
}

/* Worst first within a domain, by severity_rank(): CRITICAL, UNKNOWN, WARNING. */
static void test_load_order(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	struct findings f = { 0 };
	struct store_transitions t;
	struct state_row *rows;
	size_t n;

	add(&f, DOM, "a", "w", SEVERITY_WARNING, NULL, "w");
	add(&f, DOM, "b", "u", SEVERITY_UNKNOWN, NULL, "u");
	add(&f, DOM, "c", "c", SEVERITY_CRITICAL, NULL, "c");
	t = apply(s, DOM, &f, 1000);
	store_transitions_clear(&t);
	rows = load(s, DOM, &n);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].severity, SEVERITY_CRITICAL);
	assert_int_equal(rows[1].severity, SEVERITY_UNKNOWN);
	assert_int_equal(rows[2].severity, SEVERITY_WARNING);
	store_state_free(rows, n);
	findings_clear(&f);
	store_close(s);
}

/* A version 3 database exactly as migrations 1-3 created it, with a row in each table. */
static void make_v3_database(const struct fixture *f)
{
	assert_int_equal(mkdir(f->state, 0750), 0);
	sql_exec(f->db_path, SCHEMA_FROZEN_V1 SCHEMA_FROZEN_V2 SCHEMA_FROZEN_V3
		 "INSERT INTO sts_txt_history VALUES ('example.com', '20240101', 1000, 2000);"
		 "INSERT INTO tlsa_history VALUES ('example.com', 'mx1.example.com', '192.0.2.53',"
		 " '3 1 1 aa', 300, 1000, 2000);"
		 "PRAGMA user_version = 3;");
}

/* Migration 4 on a version 3 database: the old rows stay, the new tables work at once. */
static void test_migrate_v3(void **state)
{
	struct fixture *fx = *state;
	struct store *s;
	struct findings f = { 0 };
	struct store_transitions t;
	time_t first = 0;
	unsigned ttl = 0;

	make_v3_database(fx);
	assert_int_equal(sql_int(fx->db_path, "PRAGMA user_version"), 3);
	s = open_ok(fx);
	assert_int_equal(sql_int(fx->db_path, "PRAGMA user_version"), store_schema_version());
	assert_int_equal(
	    store_tlsa_since(s, DOM, MX1, "192.0.2.53", "3 1 1 aa", &first, &ttl, NULL), 0);
	assert_int_equal(first, 1000);
	assert_int_equal(ttl, 300);
	assert_int_equal(sql_int(fx->db_path, "SELECT count(*) FROM sts_txt_history"), 1);
	add(&f, DOM, "mta_sts", "sts.txt.missing", SEVERITY_WARNING, NULL, "no record");
	t = apply(s, DOM, &f, 3000);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].id, 1);
	store_transitions_clear(&t);
	assert_int_equal(store_integrity_check(s, NULL), 0);
	findings_clear(&f);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domains_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_mid_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forget_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v3, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_store_alert.c - the alert side of the store (agent/store_alert.c): tracks replaced per
 * domain with the outbox rows in one transaction, the same news queued once per sink, rows
 * handed out oldest first and marked while in flight, recovered after a crash, retried, failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/store.h"
#include "agent/store_alert.h"
#include "lib/error.h"
#include "tests/unit/storefix.h"

#define T0 ((time_t)1795921200)

static struct alert_track track(const char *code, unsigned cycles, enum severity notified)
{
	return (struct alert_track){ .check = "cert_expiry",
				     .code = (char *)code,
				     .mx = "mx1.example.com",
				     .address = "192.0.2.1",
				     .severity = SEVERITY_WARNING,
				     .cycles = cycles,
				     .since = T0,
				     .notified = notified,
				     .notified_at = notified != SEVERITY_OK ? T0 : 0,
				     .message = "expires soon",
				     .req = "COMMON-EXP-04" };
}

/* Tracks of a domain are replaced as a whole; another domain's stay. */
static void test_tracks(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct alert_track t[2] = { track("cert.expiring", 1, SEVERITY_OK),
				    track("cert.expired", 3, SEVERITY_WARNING) };
	struct alert_track *back = NULL;
	size_t n = 0;

	assert_int_equal(store_alert_commit(s, "example.com", t, 2, NULL, 0, T0, NULL), 0);
	assert_int_equal(store_alert_commit(s, "example.net", t, 1, NULL, 0, T0, NULL), 0);
	assert_int_equal(store_alert_commit(s, "example.com", &t[1], 1, NULL, 0, T0, NULL), 0);
	assert_int_equal(store_alert_load(s, "example.com", &back, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(back[0].code, "cert.expired");
	assert_int_equal(back[0].cycles, 3);
	assert_int_equal(back[0].notified, SEVERITY_WARNING);
	assert_string_equal(back[0].address, "192.0.2.1");
	assert_null(back[0].alg);
	assert_string_equal(back[0].req, "COMMON-EXP-04");
	alert_tracks_free(back, n);
	assert_int_equal(store_alert_load(s, "example.net", &back, &n, NULL), 0);
	assert_int_equal(n, 1);
	alert_tracks_free(back, n);
	store_close(s);
}

/* The outbox: queued once per (sink, id), oldest first, marked, recovered, retried, done. */
static void test_outbox(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	const struct outbox_new rows[] = { { "mail", "id1", "{\"a\":1}", 0 },
					   { "hook", "id1", "{\"a\":1}", 0 },
					   { "mail", "id2", "{\"a\":2}", T0 + 60 } };
	struct outbox_row row = { 0 };
	size_t n = 0;
	time_t next = 0;

	assert_int_equal(store_alert_commit(s, "example.com", NULL, 0, rows, 3, T0, NULL), 0);
	/* the same news again: nothing more queued */
	assert_int_equal(store_alert_commit(s, "example.com", NULL, 0, rows, 1, T0 + 5, NULL), 0);
	assert_int_equal(store_outbox_pending(s, &n, &next, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(next, T0);
	assert_int_equal(store_outbox_next(s, "mail", T0 - 1, &row, NULL), 0); /* not due */
	assert_int_equal(store_outbox_next(s, "mail", T0, &row, NULL), 1);
	assert_string_equal(row.message_id, "id1");
	assert_string_equal(row.domain, "example.com");
	assert_int_equal(row.created, T0);
	/* in flight: not handed out twice */
	outbox_row_clear(&row);
	assert_int_equal(store_outbox_next(s, "mail", T0, &row, NULL), 1);
	assert_string_equal(row.message_id, "id2");
	assert_int_equal(row.valid_until, T0 + 60);
	outbox_row_clear(&row);
	assert_int_equal(store_outbox_next(s, "mail", T0, &row, NULL), 0);
	/* a crash: both come back */
	assert_int_equal(store_outbox_recover(s, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_outbox_next(s, "mail", T0, &row, NULL), 1);
	/* retry later, then give up */
	assert_int_equal(store_outbox_done(s, row.id, "pending", 1, T0 + 10, "refused", T0, NULL),
			 0);
	outbox_row_clear(&row);
	assert_int_equal(store_outbox_next(s, "mail", T0 + 5, &row, NULL), 1);
	assert_string_equal(row.message_id, "id2"); /* id1 waits until T0 + 10 */
	assert_int_equal(store_outbox_done(s, row.id, "delivered", 1, T0 + 5, NULL, T0 + 5, NULL),
			 0);
	outbox_row_clear(&row);
	assert_int_equal(store_outbox_retry_now(s, T0 + 6, NULL), 0);
	assert_int_equal(store_outbox_next(s, "mail", T0 + 6, &row, NULL), 1);
	assert_string_equal(row.message_id, "id1");
	assert_int_equal(row.attempts, 1);
	assert_int_equal(store_outbox_done(s, row.id, "failed", 2, T0 + 6, "gave up", T0 + 6, NULL),
			 0);
	outbox_row_clear(&row);
	assert_int_equal(store_outbox_pending(s, &n, &next, NULL), 0);
	assert_int_equal(n, 1); /* hook's */
	assert_int_equal(sql_int(f->db_path,
				 "SELECT count(*) FROM outbox WHERE state = 'failed'"
				 " AND last_error = 'gave up' AND done_at = 1795921206"),
			 1);
	store_close(s);
}

/* Rows of a sink that is no longer configured are dropped with the reason. */
static void test_orphans(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	const struct outbox_new rows[] = { { "old", "id1", "{}", 0 }, { "kept", "id1", "{}", 0 } };
	const char *const names[] = { "kept", NULL };
	size_t n = 0;

	assert_int_equal(store_alert_commit(s, "example.com", NULL, 0, rows, 2, T0, NULL), 0);
	assert_int_equal(store_outbox_orphans(s, names, "gone", T0, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sql_int(f->db_path, "SELECT count(*) FROM outbox WHERE sink = 'old' AND"
					     " state = 'failed' AND last_error = 'gone'"),
			 1);
	assert_int_equal(store_integrity_check(s, NULL), 0);
	store_close(s);
}

/* Marks: never set, set, moved on; a restart reads what was recorded. */
static void test_marks(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	time_t at = 0;

	assert_int_equal(store_mark_get(s, "weekly-summary:oncall", &at, NULL), 0);
	assert_int_equal(store_mark_set(s, "weekly-summary:oncall", T0, NULL), 0);
	assert_int_equal(store_mark_set(s, "weekly-summary:oncall", T0 + 604800, NULL), 0);
	store_close(s);
	s = open_ok(f);
	assert_int_equal(store_mark_get(s, "weekly-summary:oncall", &at, NULL), 1);
	assert_int_equal(at, T0 + 604800);
	assert_int_equal(store_mark_get(s, "weekly-summary:other", &at, NULL), 0);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tracks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

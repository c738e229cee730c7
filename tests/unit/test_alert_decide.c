/*
 * test_alert_decide.c - which problems are told, and how (lib/alert_decide.c): flap damping,
 * opened / changed / resolved / reminder, silences and inhibition, cycle after cycle.
 *
 * A test runs a domain through cycles of findings, keeping the tracks between cycles as the
 * store would, and looks at the items each cycle's message got.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/alert_decide.h"

#define DOMAIN "example.com"
#define T0     ((time_t)1795921200)
#define HOUR   3600

/* A domain's alert side across cycles. */
struct run {
	struct alert_policy policy;
	struct alert_track *tracks;
	size_t n;
	struct alert_message msg; /* the last cycle's */
};

static void add(struct findings *f, const char *check, const char *code, enum severity sev,
		const char *mx, const char *address)
{
	const struct finding_subject subj = { .mx = mx, .address = address };

	assert_non_null(findings_add(f, check, code, sev, "REQ-1", NULL, DOMAIN,
				     mx != NULL ? &subj : NULL, "%s on %s", code,
				     mx != NULL ? mx : DOMAIN));
}

/* One cycle at time at: the findings are consumed. */
static void cycle(struct run *r, struct findings *f, time_t at)
{
	struct alert_track *next = NULL;
	size_t n = 0;

	alert_message_clear(&r->msg);
	assert_int_equal(alert_message_init(&r->msg, DOMAIN, NULL, at), 0);
	assert_int_equal(
	    alert_decide(DOMAIN, r->tracks, r->n, f, &r->policy, at, &next, &n, &r->msg), 0);
	alert_tracks_free(r->tracks, r->n);
	r->tracks = next;
	r->n = n;
	findings_clear(f);
}

static void done(struct run *r)
{
	alert_tracks_free(r->tracks, r->n);
	alert_message_clear(&r->msg);
}

static void expect_item(const struct run *r, size_t i, enum alert_kind kind, const char *code,
			enum severity sev, enum severity old)
{
	assert_true(i < r->msg.n_items);
	assert_int_equal(r->msg.items[i].kind, kind);
	assert_string_equal(r->msg.items[i].code, code);
	assert_int_equal(r->msg.items[i].severity, sev);
	assert_int_equal(r->msg.items[i].old_severity, old);
}

/* Damping 2: told at the second consecutive cycle, with since = the first. */
static void test_damping(void **state)
{
	struct run r = { .policy = { .damping = 2 } };
	struct findings f = { 0 };

	(void)state;
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	cycle(&r, &f, T0);
	assert_int_equal(r.msg.n_items, 0);
	assert_int_equal(r.n, 1);
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	cycle(&r, &f, T0 + HOUR);
	assert_int_equal(r.msg.n_items, 1);
	expect_item(&r, 0, ALERT_OPENED, "cert.expiring", SEVERITY_WARNING, SEVERITY_OK);
	assert_int_equal(r.msg.items[0].since, T0);
	/* the same again: nothing new */
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	cycle(&r, &f, T0 + 2 * HOUR);
	assert_int_equal(r.msg.n_items, 0);
	done(&r);
}

/* A problem seen once and gone (a flap below the damping) is never told, not even resolved. */
static void test_flap_is_quiet(void **state)
{
	struct run r = { .policy = { .damping = 2 } };
	struct findings f = { 0 };

	(void)state;
	add(&f, "mx_starttls", "smtp.timeout", SEVERITY_WARNING, "mx1", "192.0.2.1");
	cycle(&r, &f, T0);
	cycle(&r, &f, T0 + HOUR);
	assert_int_equal(r.msg.n_items, 0);
	assert_int_equal(r.n, 0);
	/* and an interruption starts the count again */
	add(&f, "mx_starttls", "smtp.timeout", SEVERITY_WARNING, "mx1", "192.0.2.1");
	cycle(&r, &f, T0 + 2 * HOUR);
	assert_int_equal(r.msg.n_items, 0);
	done(&r);
}

/* Severity change, then resolved with the last told severity. */
static void test_changed_and_resolved(void **state)
{
	struct run r = { .policy = { .damping = 1 } };
	struct findings f = { 0 };

	(void)state;
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	cycle(&r, &f, T0);
	expect_item(&r, 0, ALERT_OPENED, "cert.expiring", SEVERITY_WARNING, SEVERITY_OK);
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_CRITICAL, "mx1", "192.0.2.1");
	cycle(&r, &f, T0 + HOUR);
	assert_int_equal(r.msg.n_items, 1);
	expect_item(&r, 0, ALERT_CHANGED, "cert.expiring", SEVERITY_CRITICAL, SEVERITY_WARNING);
	/* an OK finding of the same key is the end of the problem */
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_OK, "mx1", "192.0.2.1");
	cycle(&r, &f, T0 + 2 * HOUR);
	assert_int_equal(r.msg.n_items, 1);
	expect_item(&r, 0, ALERT_RESOLVED, "cert.expiring", SEVERITY_OK, SEVERITY_CRITICAL);
	assert_int_equal(r.n, 0);
	done(&r);
}

/* Reminders every 24 h while open, not before. */
static void test_reminder(void **state)
{
	struct run r = { .policy = { .damping = 1, .reminder = 24 * HOUR } };
	struct findings f = { 0 };
	int h;

	(void)state;
	for (h = 0; h <= 24; h += 12) {
		add(&f, "tls_rpt", "rpt.missing", SEVERITY_WARNING, NULL, NULL);
		cycle(&r, &f, T0 + h * HOUR);
		if (h == 12)
			assert_int_equal(r.msg.n_items, 0);
	}
	assert_int_equal(r.msg.n_items, 1);
	expect_item(&r, 0, ALERT_REMINDER, "rpt.missing", SEVERITY_WARNING, SEVERITY_WARNING);
	done(&r);
}

/* A silence holds the news back until it ends; then the open problem is told. */
static void test_silence(void **state)
{
	const struct alert_silence s[] = {
		{ .domain = DOMAIN, .code = "cert.*", .until = T0 + HOUR }
	};
	struct run r = { .policy = { .damping = 1, .silences = s, .n_silences = 1 } };
	struct findings f = { 0 };

	(void)state;
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	add(&f, "tls_rpt", "rpt.missing", SEVERITY_WARNING, NULL, NULL);
	cycle(&r, &f, T0);
	assert_int_equal(r.msg.n_items, 1);
	expect_item(&r, 0, ALERT_OPENED, "rpt.missing", SEVERITY_WARNING, SEVERITY_OK);
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	add(&f, "tls_rpt", "rpt.missing", SEVERITY_WARNING, NULL, NULL);
	cycle(&r, &f, T0 + HOUR);
	assert_int_equal(r.msg.n_items, 1);
	expect_item(&r, 0, ALERT_OPENED, "cert.expiring", SEVERITY_WARNING, SEVERITY_OK);
	assert_int_equal(r.msg.items[0].since, T0);
	assert_true(alert_silenced(&r.policy, DOMAIN, "cert.expired", T0));
	assert_false(alert_silenced(&r.policy, "example.net", "cert.expired", T0));
	assert_false(alert_silenced(&r.policy, DOMAIN, "tls.version", T0));
	done(&r);
}

/* An unreachable address inhibits its certificate and DANE problems: neither told nor resolved. */
static void test_inhibit_unreachable(void **state)
{
	struct run r = { .policy = { .damping = 1 } };
	struct findings f = { 0 };

	(void)state;
	add(&f, "dane_tlsa", "dane.tlsa.mismatch", SEVERITY_CRITICAL, "mx1", "192.0.2.1");
	cycle(&r, &f, T0);
	expect_item(&r, 0, ALERT_OPENED, "dane.tlsa.mismatch", SEVERITY_CRITICAL, SEVERITY_OK);
	/* mx1 times out: the DANE problem cannot be seen, and is not resolved */
	add(&f, "mx_starttls", "smtp.timeout", SEVERITY_WARNING, "mx1", "192.0.2.1");
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx2", "192.0.2.2");
	cycle(&r, &f, T0 + HOUR);
	assert_int_equal(r.msg.n_items, 2);
	expect_item(&r, 0, ALERT_OPENED, "smtp.timeout", SEVERITY_WARNING, SEVERITY_OK);
	expect_item(&r, 1, ALERT_OPENED, "cert.expiring", SEVERITY_WARNING, SEVERITY_OK);
	assert_string_equal(r.msg.items[1].mx, "mx2");
	assert_int_equal(r.n, 3);
	done(&r);
}

/* The agent could not tell (check.unknown): nothing else is told or resolved. */
static void test_inhibit_self_check(void **state)
{
	struct run r = { .policy = { .damping = 1 } };
	struct findings f = { 0 };

	(void)state;
	add(&f, "mta_sts", "sts.policy.unreachable", SEVERITY_CRITICAL, NULL, NULL);
	cycle(&r, &f, T0);
	add(&f, "mx_starttls", "check.unknown", SEVERITY_UNKNOWN, NULL, NULL);
	add(&f, "mta_sts", "check.unknown", SEVERITY_UNKNOWN, NULL, NULL);
	cycle(&r, &f, T0 + HOUR);
	assert_int_equal(r.msg.n_items, 2);
	expect_item(&r, 0, ALERT_OPENED, "check.unknown", SEVERITY_UNKNOWN, SEVERITY_OK);
	/* the policy problem is still remembered as told */
	add(&f, "mta_sts", "sts.policy.unreachable", SEVERITY_CRITICAL, NULL, NULL);
	cycle(&r, &f, T0 + 2 * HOUR);
	assert_int_equal(r.msg.n_items, 2);
	expect_item(&r, 0, ALERT_RESOLVED, "check.unknown", SEVERITY_OK, SEVERITY_UNKNOWN);
	expect_item(&r, 1, ALERT_RESOLVED, "check.unknown", SEVERITY_OK, SEVERITY_UNKNOWN);
	done(&r);
}

/* Duplicates of a key count once, at their worst. */
static void test_duplicates(void **state)
{
	struct run r = { .policy = { .damping = 1 } };
	struct findings f = { 0 };

	(void)state;
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "mx1", "192.0.2.1");
	add(&f, "cert_expiry", "cert.expiring", SEVERITY_CRITICAL, "mx1", "192.0.2.1");
	cycle(&r, &f, T0);
	assert_int_equal(r.msg.n_items, 1);
	expect_item(&r, 0, ALERT_OPENED, "cert.expiring", SEVERITY_CRITICAL, SEVERITY_OK);
	assert_int_equal(r.n, 1);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_damping),
		cmocka_unit_test(test_flap_is_quiet),
		cmocka_unit_test(test_changed_and_resolved),
		cmocka_unit_test(test_reminder),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_inhibit_unreachable),
		cmocka_unit_test(test_inhibit_self_check),
		cmocka_unit_test(test_duplicates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

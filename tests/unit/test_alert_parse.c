/*
 * test_alert_parse.c - reading an alert document back (lib/alert_parse.c): what the outbox
 * stores survives a restart unchanged, and a damaged document is refused with its member named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/alert.h"
#include "lib/error.h"

#define AT ((time_t)1795921200) /* 2026-11-29T03:00:00Z */

static void build(struct alert_message *m)
{
	static const char *const tags[] = { "production", "eu", NULL };
	struct alert_item a = { .kind = ALERT_CHANGED,
				.check = "cert_expiry",
				.code = "cert.expiring",
				.severity = SEVERITY_CRITICAL,
				.old_severity = SEVERITY_WARNING,
				.mx = "mx1.example.com",
				.address = "192.0.2.1",
				.message = "certificate of mx1.example.com expires in 3 days",
				.req = "COMMON-EXP-04",
				.since = AT - 2 * 86400,
				.at = AT };
	struct alert_item b = { .kind = ALERT_RESOLVED,
				.check = "mta_sts",
				.code = "sts.policy.unreachable",
				.severity = SEVERITY_OK,
				.old_severity = SEVERITY_CRITICAL,
				.message = "the policy host answers again",
				.at = AT };

	assert_int_equal(alert_message_init(m, "example.com", tags, AT), 0);
	assert_int_equal(alert_message_add(m, &a), 0);
	assert_int_equal(alert_message_add(m, &b), 0);
}

/* Written and read back: the same message, item by item, with the same id. */
static void test_round_trip(void **state)
{
	struct alert_message m, back;
	char *text;

	(void)state;
	build(&m);
	assert_int_equal(alert_json(&m, "agent1.example.org", &text), 0);
	assert_int_equal(alert_message_from_json(text, strlen(text), &back, NULL), 0);
	assert_string_equal(back.id, m.id);
	assert_string_equal(back.domain, "example.com");
	assert_string_equal(back.tags[1], "eu");
	assert_null(back.tags[2]);
	assert_int_equal(back.at, AT);
	assert_int_equal(back.n_items, 2);
	assert_int_equal(back.items[0].kind, ALERT_CHANGED);
	assert_int_equal(back.items[0].severity, SEVERITY_CRITICAL);
	assert_int_equal(back.items[0].old_severity, SEVERITY_WARNING);
	assert_string_equal(back.items[0].address, "192.0.2.1");
	assert_null(back.items[0].alg);
	assert_string_equal(back.items[0].req, "COMMON-EXP-04");
	assert_int_equal(back.items[0].since, AT - 2 * 86400);
	assert_int_equal(back.items[1].kind, ALERT_RESOLVED);
	assert_int_equal(back.items[1].since, 0);
	assert_null(back.items[1].mx);
	assert_int_equal(back.worst, m.worst);
	free(text);
	alert_message_clear(&back);
	alert_message_clear(&m);
}

/* Replace the first occurrence of from in text by to; returns a new string. */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t head;
	char *out;

	assert_non_null(at);
	head = (size_t)(at - text);
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	return out;
}

/* Each damage is refused, naming the member. */
static void test_damage_refused(void **state)
{
	static const struct {
		const char *from, *to, *member;
	} cases[] = {
		{ "\"version\":1", "\"version\":2", "version" },
		{ "\"kind\":\"changed\"", "\"kind\":\"moved\"", "kind" },
		{ "\"severity\":\"CRITICAL\"", "\"severity\":\"FATAL\"", "severity" },
		{ "\"at\":\"2026-11-29T03:00:00Z\"", "\"at\":\"yesterday\"", "at" },
		{ "\"old_severity\":\"WARNING\"", "\"old_severity\":null", "old_severity" },
		/* the news edited after its id was computed (the message text is not news) */
		{ "cert.expiring", "cert.expired", "id" },
		{ "\"domain\":\"example.com\"", "\"domain\":\"\"", "domain" },
		{ "\"tags\":[", "\"tags\":[1,", "tags" },
	};
	struct alert_message m, back;
	struct mxs_error err = { 0 };
	char *text, *bad;
	size_t i;

	(void)state;
	build(&m);
	assert_int_equal(alert_json(&m, NULL, &text), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = edit(text, cases[i].from, cases[i].to);
		if (alert_message_from_json(bad, strlen(bad), &back, &err) != -EINVAL)
			fail_msg("case %zu (%s) was accepted", i, cases[i].to);
		assert_non_null(err.what);
		if (cases[i].member != NULL && strstr(err.what, cases[i].member) == NULL)
			fail_msg("case %zu: \"%s\" does not name %s", i, err.what, cases[i].member);
		mxs_error_clear(&err);
		free(bad);
	}
	assert_int_equal(alert_message_from_json("{", 1, &back, &err), -EINVAL);
	assert_non_null(strstr(err.what, "not JSON"));
	mxs_error_clear(&err);
	assert_int_equal(alert_message_from_json("[]", 2, &back, NULL), -EINVAL);
	free(text);
	alert_message_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damage_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

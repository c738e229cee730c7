/*
 * test_alert.c - the alert message model and its renderings (lib/alert.c, lib/alert_json.c,
 * lib/alert_mail.c): routing by severity and tags, the id, subject and body texts, the webhook
 * and Alertmanager JSON parsed back field by field, and the mail message (RFC 5322 line rules,
 * RFC 2047 encoded subject, RFC 3834 Auto-Submitted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "lib/alert.h"

/* 2026-11-29 03:00:00 UTC, a Sunday: the cycle of every message here. */
#define AT  1795921200
#define DAY 86400

static const char *const tags_production[] = { "production", "eu", NULL };

/*
 * The message most tests use, one item of each kind:
 *   0 opened   CRITICAL           cert.expiring on mx1 [192.0.2.1] ECDSA, open 2 days
 *   1 changed  WARNING->CRITICAL  tls.untrusted on mx2
 *   2 resolved was WARNING        sts.policy.content-type, the domain itself
 *   3 reminder WARNING            rpt.missing, the domain itself, no requirement
 */
static void build(struct alert_message *m)
{
	const struct alert_item items[] = {
		{ .kind = ALERT_OPENED,
		  .check = "cert_expiry",
		  .code = "cert.expiring",
		  .severity = SEVERITY_CRITICAL,
		  .old_severity = SEVERITY_OK,
		  .mx = "mx1.example.com",
		  .address = "192.0.2.1",
		  .alg = "ECDSA",
		  .message = "certificate of mx1.example.com expires in 3 days",
		  .req = "COMMON-EXP-04",
		  .since = AT - 2 * DAY,
		  .at = AT },
		{ .kind = ALERT_CHANGED,
		  .check = "mx_starttls",
		  .code = "tls.untrusted",
		  .severity = SEVERITY_CRITICAL,
		  .old_severity = SEVERITY_WARNING,
		  .mx = "mx2.example.com",
		  .message = "chain of mx2.example.com does not validate",
		  .req = "STS-CERT-03",
		  .since = AT - DAY,
		  .at = AT },
		{ .kind = ALERT_RESOLVED,
		  .check = "mta_sts",
		  .code = "sts.policy.content-type",
		  .severity = SEVERITY_OK,
		  .old_severity = SEVERITY_WARNING,
		  .message = "policy served as text/plain again",
		  .req = "STS-FETCH-08",
		  .since = AT - 3 * 3600,
		  .at = AT },
		{ .kind = ALERT_REMINDER,
		  .check = "tls_rpt",
		  .code = "rpt.missing",
		  .severity = SEVERITY_WARNING,
		  .old_severity = SEVERITY_WARNING,
		  .message = "no _smtp._tls record",
		  .since = 0,
		  .at = AT },
	};
	size_t i;

	assert_int_equal(alert_message_init(m, "example.com", tags_production, AT), 0);
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		assert_int_equal(alert_message_add(m, &items[i]), 0);
}

/* A message of one item, the given kind and severities, about the domain itself. */
static void build_one(struct alert_message *m, enum alert_kind kind, enum severity sev,
		      enum severity old, const char *message)
{
	const struct alert_item it = { .kind = kind,
				       .check = "mta_sts",
				       .code = "sts.policy.status",
				       .severity = sev,
				       .old_severity = old,
				       .message = (char *)message,
				       .req = "STS-FETCH-05",
				       .since = AT,
				       .at = AT };

	assert_int_equal(alert_message_init(m, "example.com", NULL, AT), 0);
	assert_int_equal(alert_message_add(m, &it), 0);
}

static bool is_hex_id(const char *s)
{
	return strlen(s) == ALERT_ID_LEN && strspn(s, "0123456789abcdef") == ALERT_ID_LEN;
}

static void test_message_copies_and_worst(void **state)
{
	struct alert_message m;
	char msg[] = "line one\r\nX-Injected: yes";
	struct alert_item it = { .kind = ALERT_OPENED,
				 .check = "mx_starttls",
				 .code = "smtp.timeout",
				 .severity = SEVERITY_UNKNOWN,
				 .message = msg,
				 .at = AT };

	(void)state;
	assert_int_equal(alert_message_init(&m, "example.com", NULL, AT), 0);
	assert_non_null(m.tags);
	assert_null(m.tags[0]);
	assert_int_equal(alert_message_add(&m, &it), 0);
	msg[0] = 'X';
	/* a copy, one line: a peer's CR LF cannot add a mail header or a syslog line */
	assert_string_equal(m.items[0].message, "line one  X-Injected: yes");
	assert_int_equal(m.worst, SEVERITY_UNKNOWN);
	it.severity = SEVERITY_WARNING;
	assert_int_equal(alert_message_add(&m, &it), 0);
	/* UNKNOWN ranks above WARNING */
	assert_int_equal(alert_message_worst(&m), SEVERITY_UNKNOWN);
	assert_true(is_hex_id(m.id));
	it.code = NULL;
	assert_int_equal(alert_message_add(&m, &it), -EINVAL);
	assert_int_equal(m.n_items, 2);
	alert_message_clear(&m);
	assert_int_equal(m.n_items, 0);
	assert_null(m.items);
	alert_message_clear(NULL);
}

static void test_worst_of_resolved_is_ok(void **state)
{
	struct alert_message m;

	(void)state;
	build_one(&m, ALERT_RESOLVED, SEVERITY_OK, SEVERITY_CRITICAL, "policy fetched again");
	assert_int_equal(m.worst, SEVERITY_OK);
	alert_message_clear(&m);
	build(&m);
	assert_int_equal(m.worst, SEVERITY_CRITICAL);
	alert_message_clear(&m);
}

/* The same news gives the same id; another cycle or another subset another one. */
static void test_id_is_stable(void **state)
{
	struct alert_message a, b, one, later, part;

	(void)state;
	build(&a);
	build(&b);
	assert_true(is_hex_id(a.id));
	assert_string_equal(a.id, b.id);
	/* the same first item alone, in this cycle and in the next */
	assert_int_equal(alert_message_init(&one, "example.com", NULL, AT), 0);
	assert_int_equal(alert_message_add(&one, &b.items[0]), 0);
	assert_int_equal(alert_message_init(&later, "example.com", NULL, AT + 1), 0);
	assert_int_equal(alert_message_add(&later, &b.items[0]), 0);
	assert_string_not_equal(one.id, a.id);
	assert_string_not_equal(one.id, later.id);
	/* a filtered part is a message of its own */
	assert_int_equal(alert_message_filter(&a, SEVERITY_CRITICAL, NULL, &part), 1);
	assert_true(is_hex_id(part.id));
	assert_string_not_equal(part.id, a.id);
	alert_message_clear(&a);
	alert_message_clear(&b);
	alert_message_clear(&one);
	alert_message_clear(&later);
	alert_message_clear(&part);
}

/* min_severity: the item's severity, or for resolved and changed items the one before. */
static void test_filter_by_severity(void **state)
{
	struct alert_message m, out, sentinel;

	(void)state;
	build(&m);
	assert_int_equal(alert_message_filter(&m, SEVERITY_CRITICAL, NULL, &out), 1);
	assert_int_equal(out.n_items, 2);
	assert_string_equal(out.items[0].code, "cert.expiring");
	assert_string_equal(out.items[1].code, "tls.untrusted");
	assert_string_equal(out.domain, "example.com");
	assert_string_equal(out.tags[1], "eu");
	assert_int_equal(out.at, AT);
	alert_message_clear(&out);

	assert_int_equal(alert_message_filter(&m, SEVERITY_WARNING, NULL, &out), 1);
	assert_int_equal(out.n_items, 4);
	assert_string_equal(out.id, m.id);
	alert_message_clear(&out);
	alert_message_clear(&m);

	/* resolved: its old severity counts */
	build_one(&m, ALERT_RESOLVED, SEVERITY_OK, SEVERITY_CRITICAL, "fixed");
	assert_int_equal(alert_message_filter(&m, SEVERITY_CRITICAL, NULL, &out), 1);
	assert_int_equal(out.n_items, 1);
	alert_message_clear(&out);
	alert_message_clear(&m);

	/* a CRITICAL-only sink hears that a problem is no longer CRITICAL */
	build_one(&m, ALERT_CHANGED, SEVERITY_WARNING, SEVERITY_CRITICAL, "better");
	assert_int_equal(alert_message_filter(&m, SEVERITY_CRITICAL, NULL, &out), 1);
	alert_message_clear(&out);
	alert_message_clear(&m);

	/* nothing left: not sent, ret untouched */
	build_one(&m, ALERT_OPENED, SEVERITY_WARNING, SEVERITY_OK, "meh");
	memset(&sentinel, 0x5a, sizeof(sentinel));
	out = sentinel;
	assert_int_equal(alert_message_filter(&m, SEVERITY_CRITICAL, NULL, &out), 0);
	assert_memory_equal(&out, &sentinel, sizeof(out));
	/* UNKNOWN is above WARNING: a WARNING item does not reach an UNKNOWN sink */
	assert_int_equal(alert_message_filter(&m, SEVERITY_UNKNOWN, NULL, &out), 0);
	assert_int_equal(alert_message_filter(&m, SEVERITY_OK, NULL, &out), 1);
	alert_message_clear(&out);
	alert_message_clear(&m);
}

/* tags: empty means all, else one of the domain's tags. */
static void test_filter_by_tags(void **state)
{
	const char *const none[] = { NULL };
	const char *const staging[] = { "staging", NULL };
	const char *const either[] = { "staging", "production", NULL };
	const char *const case_differs[] = { "Production", NULL };
	struct alert_message m, out;

	(void)state;
	build(&m);
	assert_int_equal(alert_message_filter(&m, SEVERITY_OK, staging, &out), 0);
	assert_int_equal(alert_message_filter(&m, SEVERITY_OK, case_differs, &out), 0);
	assert_int_equal(alert_message_filter(&m, SEVERITY_OK, either, &out), 1);
	assert_int_equal(out.n_items, 4);
	alert_message_clear(&out);
	assert_int_equal(alert_message_filter(&m, SEVERITY_OK, none, &out), 1);
	alert_message_clear(&out);
	assert_int_equal(alert_message_filter(&m, SEVERITY_OK, NULL, &out), 1);
	alert_message_clear(&out);
	alert_message_clear(&m);
	/* a domain without tags reaches only sinks without tags */
	build_one(&m, ALERT_OPENED, SEVERITY_CRITICAL, SEVERITY_OK, "x");
	assert_int_equal(alert_message_filter(&m, SEVERITY_OK, either, &out), 0);
	alert_message_clear(&m);
}

static void test_subject(void **state)
{
	struct alert_message m;
	char long_msg[200], *s = NULL;

	(void)state;
	build(&m);
	assert_int_equal(alert_subject(&m, &s), 0);
	assert_string_equal(s, "[mxsentry] CRITICAL example.com: certificate of mx1.example.com "
			       "expires in 3 days (+3 more)");
	free(s);
	alert_message_clear(&m);

	build_one(&m, ALERT_RESOLVED, SEVERITY_OK, SEVERITY_CRITICAL, "policy fetched again");
	assert_int_equal(alert_subject(&m, &s), 0);
	assert_string_equal(s, "[mxsentry] RESOLVED example.com: resolved: policy fetched again");
	free(s);
	alert_message_clear(&m);

	/* 76 ASCII bytes then "ü" (2 bytes) and more: cut before the character, never inside */
	memset(long_msg, 'a', 76);
	strcpy(long_msg + 76, "\xc3\xbc and a long tail that does not fit");
	build_one(&m, ALERT_OPENED, SEVERITY_WARNING, SEVERITY_OK, long_msg);
	assert_int_equal(alert_subject(&m, &s), 0);
	assert_non_null(strstr(s, "WARNING example.com: aaaa"));
	assert_non_null(strstr(s, "a..."));
	assert_null(strstr(s, "\xc3..."));
	assert_null(strstr(s, "tail"));
	free(s);
	alert_message_clear(&m);
	memset(&m, 0, sizeof(m));
	assert_int_equal(alert_subject(&m, &s), -EINVAL);
}

/* Each item with its state change, subject, message, requirement and since. */
static void test_text_body(void **state)
{
	struct alert_message m;
	char *b = NULL;

	(void)state;
	build(&m);
	assert_int_equal(alert_text_body(&m, "agent1.example.org", &b), 0);
	assert_non_null(strstr(b, "example.com: 1 new problem, 1 changed, 1 resolved, 1 still "
				  "open.\nWorst now: CRITICAL. Checked: 2026-11-29 03:00 UTC.\n"));
	assert_non_null(strstr(b, "[NEW] CRITICAL - mx1.example.com [192.0.2.1] ECDSA\n"
				  "  certificate of mx1.example.com expires in 3 days\n"
				  "  Code: cert.expiring (check cert_expiry)\n"
				  "  Requirement: COMMON-EXP-04\n"
				  "  Since: 2026-11-27 03:00 UTC (open for 2d 0h)\n"));
	assert_non_null(strstr(b, "[CHANGED] WARNING -> CRITICAL - mx2.example.com\n"));
	assert_non_null(strstr(b, "  Requirement: STS-CERT-03\n"));
	assert_non_null(strstr(b, "[RESOLVED] was WARNING - example.com\n"));
	assert_non_null(strstr(b, "  Requirement: STS-FETCH-08\n  Since: 2026-11-29 00:00 UTC, "
				  "resolved 2026-11-29 03:00 UTC (after 3h 00m)\n"));
	assert_non_null(strstr(b, "[STILL OPEN] WARNING - example.com\n  no _smtp._tls record\n"
				  "  Code: rpt.missing (check tls_rpt)\n\n"));
	assert_non_null(strstr(b, "\n-- \nSent by mxsentry on agent1.example.org; message "));
	assert_non_null(strstr(b, m.id));
	free(b);
	alert_message_clear(&m);
}

static void test_item_line(void **state)
{
	struct alert_message m;
	char *l = NULL;

	(void)state;
	build(&m);
	assert_int_equal(alert_item_line(&m, &m.items[0], &l), 0);
	assert_string_equal(l, "example.com cert.expiring CRITICAL opened: mx1.example.com "
			       "[192.0.2.1] ECDSA: certificate of mx1.example.com expires in 3 "
			       "days (COMMON-EXP-04)");
	free(l);
	assert_int_equal(alert_item_line(&m, &m.items[1], &l), 0);
	assert_string_equal(l, "example.com tls.untrusted CRITICAL changed (was WARNING): "
			       "mx2.example.com: chain of mx2.example.com does not validate "
			       "(STS-CERT-03)");
	free(l);
	assert_int_equal(alert_item_line(&m, &m.items[2], &l), 0);
	assert_string_equal(l, "example.com sts.policy.content-type OK resolved (was WARNING): "
			       "policy served as text/plain again (STS-FETCH-08)");
	free(l);
	assert_int_equal(alert_item_line(&m, &m.items[3], &l), 0);
	assert_string_equal(l, "example.com rpt.missing WARNING reminder: no _smtp._tls record");
	free(l);
	alert_message_clear(&m);
}

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	if (j == NULL)
		fail_msg("not JSON: %s: %s", err.text, text);
	return j;
}

static const char *str_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void assert_null_member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	assert_non_null(v); /* present, as docs/json-output.md promises */
	assert_true(json_is_null(v));
}

/* docs/json-output.md, "Webhook alerts", field by field. */
static void test_webhook_json(void **state)
{
	struct alert_message m;
	json_t *root, *items, *it;
	char *text = NULL;

	(void)state;
	build(&m);
	assert_int_equal(alert_json(&m, "agent1.example.org", &text), 0);
	root = parse(text);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
	assert_string_equal(str_of(root, "id"), m.id);
	assert_string_equal(str_of(root, "domain"), "example.com");
	assert_int_equal(json_array_size(json_object_get(root, "tags")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(root, "tags"), 0)),
			    "production");
	assert_string_equal(str_of(root, "at"), "2026-11-29T03:00:00Z");
	assert_string_equal(str_of(root, "worst"), "CRITICAL");
	assert_string_equal(str_of(root, "instance"), "agent1.example.org");
	assert_non_null(strstr(str_of(root, "subject"), "[mxsentry] CRITICAL example.com: "));
	items = json_object_get(root, "items");
	assert_int_equal(json_array_size(items), 4);

	it = json_array_get(items, 0);
	assert_string_equal(str_of(it, "kind"), "opened");
	assert_string_equal(str_of(it, "check"), "cert_expiry");
	assert_string_equal(str_of(it, "code"), "cert.expiring");
	assert_string_equal(str_of(it, "severity"), "CRITICAL");
	assert_string_equal(str_of(it, "old_severity"), "OK");
	assert_string_equal(str_of(it, "mx"), "mx1.example.com");
	assert_string_equal(str_of(it, "address"), "192.0.2.1");
	assert_string_equal(str_of(it, "alg"), "ECDSA");
	assert_string_equal(str_of(it, "message"),
			    "certificate of mx1.example.com expires in 3 days");
	assert_string_equal(str_of(it, "req"), "COMMON-EXP-04");
	assert_string_equal(str_of(it, "since"), "2026-11-27T03:00:00Z");
	assert_string_equal(str_of(it, "at"), "2026-11-29T03:00:00Z");

	it = json_array_get(items, 2);
	assert_string_equal(str_of(it, "kind"), "resolved");
	assert_string_equal(str_of(it, "severity"), "OK");
	assert_string_equal(str_of(it, "old_severity"), "WARNING");
	assert_null_member(it, "mx");
	assert_null_member(it, "address");
	assert_null_member(it, "alg");

	it = json_array_get(items, 3);
	assert_string_equal(str_of(it, "kind"), "reminder");
	assert_null_member(it, "req");
	assert_null_member(it, "since");
	json_decref(root);
	free(text);

	/* no instance: null; bytes that are not UTF-8 become '?' */
	alert_message_clear(&m);
	build_one(&m, ALERT_OPENED, SEVERITY_WARNING, SEVERITY_OK, "bad \xff byte");
	assert_int_equal(alert_json(&m, NULL, &text), 0);
	root = parse(text);
	assert_null_member(root, "instance");
	assert_string_equal(str_of(json_array_get(json_object_get(root, "items"), 0), "message"),
			    "bad ? byte");
	json_decref(root);
	free(text);
	alert_message_clear(&m);
}

/* Alertmanager v2: labels, annotations, startsAt, endsAt for what ended. */
static void test_alertmanager_json(void **state)
{
	struct alert_message m;
	json_t *root, *a, *labels, *ann;
	char *text = NULL;

	(void)state;
	build(&m);
	m.valid_until = AT + 2 * DAY;
	assert_int_equal(alert_alertmanager_json(&m, "agent1", &text), 0);
	root = parse(text);
	assert_true(json_is_array(root));
	/* the changed item is two alerts: the WARNING one ends, the CRITICAL one starts */
	assert_int_equal(json_array_size(root), 5);

	a = json_array_get(root, 0);
	labels = json_object_get(a, "labels");
	ann = json_object_get(a, "annotations");
	assert_string_equal(str_of(labels, "alertname"), "cert.expiring");
	assert_string_equal(str_of(labels, "domain"), "example.com");
	assert_string_equal(str_of(labels, "check"), "cert_expiry");
	assert_string_equal(str_of(labels, "severity"), "critical");
	assert_string_equal(str_of(labels, "mx"), "mx1.example.com");
	assert_string_equal(str_of(labels, "address"), "192.0.2.1");
	assert_string_equal(str_of(labels, "alg"), "ECDSA");
	assert_string_equal(str_of(labels, "instance"), "agent1");
	assert_string_equal(str_of(ann, "summary"),
			    "certificate of mx1.example.com expires in 3 days");
	assert_string_equal(str_of(ann, "requirement"), "COMMON-EXP-04");
	assert_non_null(strstr(str_of(ann, "description"), "cert.expiring CRITICAL opened"));
	assert_string_equal(str_of(a, "startsAt"), "2026-11-27T03:00:00Z");
	assert_string_equal(str_of(a, "endsAt"), "2026-12-01T03:00:00Z");

	a = json_array_get(root, 1);
	labels = json_object_get(a, "labels");
	assert_string_equal(str_of(labels, "severity"), "warning");
	assert_string_equal(str_of(a, "endsAt"), "2026-11-29T03:00:00Z");
	a = json_array_get(root, 2);
	labels = json_object_get(a, "labels");
	assert_string_equal(str_of(labels, "severity"), "critical");
	assert_string_equal(str_of(a, "startsAt"), "2026-11-29T03:00:00Z");
	assert_string_equal(str_of(a, "endsAt"), "2026-12-01T03:00:00Z");

	/* resolved: the labels it fired with, endsAt its cycle; no empty labels */
	a = json_array_get(root, 3);
	labels = json_object_get(a, "labels");
	assert_string_equal(str_of(labels, "alertname"), "sts.policy.content-type");
	assert_string_equal(str_of(labels, "severity"), "warning");
	assert_null(json_object_get(labels, "mx"));
	assert_null(json_object_get(labels, "address"));
	assert_string_equal(str_of(a, "startsAt"), "2026-11-29T00:00:00Z");
	assert_string_equal(str_of(a, "endsAt"), "2026-11-29T03:00:00Z");

	/* since unknown: startsAt is the cycle; no requirement annotation */
	a = json_array_get(root, 4);
	assert_string_equal(str_of(a, "startsAt"), "2026-11-29T03:00:00Z");
	assert_null(json_object_get(json_object_get(a, "annotations"), "requirement"));
	json_decref(root);
	free(text);

	/* without valid_until, firing alerts carry no endsAt; no instance label */
	m.valid_until = 0;
	assert_int_equal(alert_alertmanager_json(&m, NULL, &text), 0);
	root = parse(text);
	assert_null(json_object_get(json_array_get(root, 0), "endsAt"));
	assert_null(
	    json_object_get(json_object_get(json_array_get(root, 0), "labels"), "instance"));
	assert_non_null(json_object_get(json_array_get(root, 3), "endsAt"));
	json_decref(root);
	free(text);
	alert_message_clear(&m);
}

/* Decode the encoded-words of a header value and check RFC 2047's limits on the way. */
static void decode_words(const char *field, char *out, size_t size)
{
	const char *p = field, *end;
	size_t used = 0;

	out[0] = '\0';
	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		unsigned char raw[128];
		int n;
		size_t b64len;

		end = strstr(p + 10, "?=");
		assert_non_null(end);
		assert_true((size_t)(end + 2 - p) <= 75);
		b64len = (size_t)(end - (p + 10));
		n = EVP_DecodeBlock(raw, (const unsigned char *)p + 10, (int)b64len);
		assert_true(n >= 0);
		/* EVP_DecodeBlock counts the padding's zero bytes */
		while (b64len > 0 && p[10 + b64len - 1] == '=') {
			b64len--;
			n--;
		}
		/* whole characters in each word: it never starts with a continuation byte */
		assert_true(n > 0 && (raw[0] & 0xc0) != 0x80);
		assert_true(used + (size_t)n < size);
		memcpy(out + used, raw, (size_t)n);
		used += (size_t)n;
		out[used] = '\0';
		p = end + 2;
	}
}

static void assert_lines_within(const char *text, size_t max)
{
	const char *line = text, *nl;

	while ((nl = strstr(line, "\r\n")) != NULL) {
		assert_true((size_t)(nl - line) <= max);
		line = nl + 2;
	}
	assert_true(strlen(line) <= max);
}

/* RFC 2047: a non-ASCII subject as encoded-words, lines folded, the text intact. */
static void test_mail_header_rfc2047(void **state)
{
	const char *subject =
	    "[mxsentry] CRITICAL b\xc3\xbc"
	    "cher.example: Zertifikat l\xc3\xa4uft in 3 Tagen ab, "
	    "\xe8\xaf\x81\xe4\xb9\xa6\xe5\x8d\xb3\xe5\xb0\x86\xe8\xbf\x87\xe6\x9c\x9f "
	    "und noch mehr Text, damit gefaltet werden muss";
	char *h = NULL, decoded[512];
	const char *p;

	(void)state;
	assert_int_equal(alert_mail_header("Subject", "plain ascii text", &h), 0);
	assert_string_equal(h, "Subject: plain ascii text");
	free(h);
	assert_int_equal(alert_mail_header("Subject", subject, &h), 0);
	assert_true(strncmp(h, "Subject: =?UTF-8?B?", 19) == 0);
	assert_non_null(strstr(h, "?=\r\n =?UTF-8?B?")); /* folded into several words */
	assert_lines_within(h, 78);
	for (p = h; *p != '\0'; p++)
		assert_true((unsigned char)*p < 0x80);
	decode_words(h, decoded, sizeof(decoded));
	assert_string_equal(decoded, subject);
	free(h);
	/* ASCII that looks like an encoded-word is encoded too */
	assert_int_equal(alert_mail_header("Subject", "=?x?", &h), 0);
	assert_non_null(strstr(h, "=?UTF-8?B?"));
	free(h);
}

/* The whole message: header fields, CRLF everywhere, lines within 998 octets. */
static void test_mail_message(void **state)
{
	const char *const to[] = { "postmaster@example.org", "noc@example.org", NULL };
	struct alert_mail_headers h = { .from = "mxsentry@example.org",
					.to = to,
					.hostname = "agent1.example.org",
					.date = AT,
					.agent_host = "agent1.example.org" };
	struct alert_message m;
	char long_msg[3001], expect[128], *text = NULL, *body;
	size_t len = 0, i;

	(void)state;
	memset(long_msg, 'x', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	build(&m);
	assert_int_equal(alert_mail(&m, &h, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_true(strncmp(text, "From: mxsentry@example.org\r\n", 28) == 0);
	assert_non_null(strstr(text, "\r\nTo: postmaster@example.org, noc@example.org\r\n"));
	assert_non_null(strstr(text, "\r\nSubject: [mxsentry] CRITICAL example.com: certificate"));
	assert_non_null(strstr(text, "\r\nDate: Sun, 29 Nov 2026 03:00:00 +0000\r\n"));
	(void)snprintf(expect, sizeof(expect), "\r\nMessage-ID: <%s@agent1.example.org>\r\n", m.id);
	assert_non_null(strstr(text, expect));
	assert_non_null(strstr(text, "\r\nAuto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(text, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(text, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(text, "\r\nContent-Transfer-Encoding: 8bit\r\n"));
	assert_non_null(strstr(text, "\r\nX-Mxsentry-Domain: example.com\r\n"));
	body = strstr(text, "\r\n\r\n");
	assert_non_null(body);
	assert_non_null(strstr(body, "  Requirement: COMMON-EXP-04\r\n"));
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			assert_true(i > 0 && text[i - 1] == '\r');
	free(text);
	alert_message_clear(&m);

	/* a 3000-byte message is broken into lines of at most 998 octets */
	build_one(&m, ALERT_OPENED, SEVERITY_WARNING, SEVERITY_OK, long_msg);
	assert_int_equal(alert_mail(&m, &h, &text, &len), 0);
	assert_lines_within(text, 998);
	free(text);

	/* a header field that would carry a line break is refused */
	h.from = "a@example.org\r\nBcc: victim@example.net";
	assert_int_equal(alert_mail(&m, &h, &text, &len), -EINVAL);
	alert_message_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_copies_and_worst),
		cmocka_unit_test(test_worst_of_resolved_is_ok),
		cmocka_unit_test(test_id_is_stable),
		cmocka_unit_test(test_filter_by_severity),
		cmocka_unit_test(test_filter_by_tags),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_text_body),
		cmocka_unit_test(test_item_line),
		cmocka_unit_test(test_webhook_json),
		cmocka_unit_test(test_alertmanager_json),
		cmocka_unit_test(test_mail_header_rfc2047),
		cmocka_unit_test(test_mail_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

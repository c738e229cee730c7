/*
 * test_mailshape.c - the shape bounds checked on a message before GMime parses it
 * (agent/mailshape.c; PROJECT, RPT-JSON-14 "bound sizes"): each limit just met and just
 * passed, the lines that count and those that do not, and the message that overflows GMime's
 * stack refused by report_mail_extract() before GMime sees it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/mailshape.h"
#include "agent/report_mail.h"

/* A message built as head + count times unit + tail. */
struct shape_case {
	const char *name;
	const char *head;
	size_t head_len; /* 0: strlen(head) */
	const char *unit;
	unsigned count;
	const char *tail;
	int want;        /* 0 or -E2BIG */
	const char *why; /* part of the error text when refused */
};

static const struct shape_case cases[] = {
	{ "address groups nest (GMime recurses per \":\")", "From: a@b\r\nTo: x", 0, " a:", 300,
	  "\r\n\r\nbody\r\n", -E2BIG, "colons in one address header field" },
	{ "256 colons in an address field are fine", "To: x", 0, " a:", 256, "\r\n", 0, NULL },
	{ "257 are not", "To: x", 0, " a:", 257, "\r\n", -E2BIG, "colons" },
	{ "folded lines count for their field", "Cc: x\r\n", 0, " a:\r\n", 300, "", -E2BIG,
	  "colons" },
	{ "a NUL ends a name as GMime compares it", "To\0x: y\r\nnonsense\r\n", 19, " a:\r\n", 300,
	  "", -E2BIG, "colons" },
	{ "a blank line ends the field", "To: x\r\n\r\n", 0, " a:\r\n", 300, "", 0, NULL },
	{ "colons outside address fields are free", "X-Data: ", 0, "a:", 1000, "\r\n", 0, NULL },
	{ "1024 boundary lines", "Content-Type: multipart/mixed; boundary=b\r\n\r\n", 0,
	  "--b\r\n\r\n", 1024, "", 0, NULL },
	{ "1025 boundary lines", "Content-Type: multipart/mixed; boundary=b\r\n\r\n", 0,
	  "--b\r\n\r\n", 1025, "", -E2BIG, "lines beginning with \"--\"" },
	{ "4096 header fields", "", 0, "a:b\r\n", 4096, "", 0, NULL },
	{ "4097 header fields", "", 0, "a:b\r\n", 4097, "", -E2BIG,
	  "more than 4096 header fields" },
	{ "64 address fields", "", 0, "Cc: a@b\r\n", 64, "", 0, NULL },
	{ "65 address fields", "", 0, "Cc: a@b\r\n", 65, "", -E2BIG, "address header fields" },
	{ "256 KiB in one field", "X-Big: ", 0, "yyyyyyyy", 32768, "\r\n", -E2BIG,
	  "bytes of header fields" },
	{ "a MiB of base64 body", "Content-Transfer-Encoding: base64\r\n\r\n", 0,
	  "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n", 13800,
	  "", 0, NULL },
};

static char *build(const struct shape_case *c, size_t *ret_len)
{
	size_t head = c->head_len != 0 ? c->head_len : strlen(c->head);
	size_t unit = strlen(c->unit), tail = strlen(c->tail), n = 0, i;
	char *p = malloc(head + unit * c->count + tail + 1);

	assert_non_null(p);
	memcpy(p, c->head, head);
	n = head;
	for (i = 0; i < c->count; i++, n += unit)
		memcpy(p + n, c->unit, unit);
	memcpy(p + n, c->tail, tail + 1);
	*ret_len = n + tail;
	return p;
}

static void test_mailshape_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mxs_error err = { 0 };
		size_t len;
		char *msg = build(&cases[i], &len);
		int r = mailshape_check(msg, len, &err);

		if (r != cases[i].want)
			fail_msg("%s: got %d (%s), want %d", cases[i].name, r,
				 err.what != NULL ? err.what : "", cases[i].want);
		if (cases[i].why != NULL && strstr(err.what, cases[i].why) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].name, err.what, cases[i].why);
		mxs_error_clear(&err);
		free(msg);
	}
}

/* RFC 5322 §2.2: what a header field line is, for telling a mail from a JSON file. */
static void test_mailshape_field_name(void **state)
{
	(void)state;
	assert_int_equal(mailshape_field_name("TLS-Report-Domain: x", 20), 17);
	assert_int_equal(mailshape_field_name("To : x", 6), 2);
	assert_int_equal(mailshape_field_name(" To: x", 6), 0);
	assert_int_equal(mailshape_field_name("To x: y", 7), 0);
	assert_int_equal(mailshape_field_name(": y", 3), 0);
	assert_int_equal(mailshape_field_name("To", 2), 0);
	assert_int_equal(mailshape_field_name("To: x", 2), 0);
}

/*
 * Some hundred KiB of nested groups overflow GMime's stack; the message is refused before
 * GMime parses it.
 */
static void test_mailshape_guards_gmime(void **state)
{
	const struct shape_case deep = { "deep", "From: a@b\r\nTo: x", 0,      " a:",
					 100000, "\r\n\r\n",           -E2BIG, NULL };
	struct report_mail *mail = NULL;
	struct mxs_error err = { 0 };
	size_t len;
	char *msg = build(&deep, &len);

	(void)state;
	assert_int_equal(report_mail_extract(msg, len, &mail, &err), -E2BIG);
	assert_null(mail);
	assert_non_null(strstr(err.what, "message shape"));
	mxs_error_clear(&err);
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mailshape_table),
		cmocka_unit_test(test_mailshape_field_name),
		cmocka_unit_test(test_mailshape_guards_gmime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

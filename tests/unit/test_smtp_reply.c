/*
 * test_smtp_reply.c - reading SMTP replies (lib/smtp_reply.c): RFC 5321 §4.2 syntax, the
 * limits of §4.5.3.1.5, and the replies a STARTTLS probe meets (COMMON-STLS-01/02/03).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/smtp_reply.h"

#define NEED_MORE 0
#define WHOLE     -1000 /* the reply uses the whole input */

struct reply_case {
	const char *name; /* requirement or RFC rule, and what the case shows */
	const char *input;
	size_t len;       /* 0: strlen(input) */
	int want;         /* bytes used, WHOLE, NEED_MORE or -EPROTO */
	int code;         /* expected code when accepted */
	size_t n_lines;   /* expected number of lines when accepted */
	const char *last; /* expected text of the last line when accepted */
};

#define EHLO_STARTTLS                                                                              \
	"250-mx1.example.com Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"                     \
	"250-starttls\r\n250 8BITMIME\r\n"

static const struct reply_case cases[] = {
	{ "RFC 5321 §4.2 single-line greeting", "220 mx1.example.com ESMTP\r\n", 0, WHOLE, 220, 1,
	  "mx1.example.com ESMTP" },
	{ "COMMON-STLS-01 multi-line EHLO", EHLO_STARTTLS, 0, WHOLE, 250, 5, "8BITMIME" },
	{ "RFC 5321 §4.2 bare code line", "250\r\n", 0, WHOLE, 250, 1, "" },
	{ "RFC 5321 §4.2 code and space, empty text", "250 \r\n", 0, WHOLE, 250, 1, "" },
	{ "RFC 5321 §4.2 empty continuation text", "250-\r\n250 ok\r\n", 0, WHOLE, 250, 2, "ok" },
	{ "COMMON-STLS-02 ready to start TLS", "220 2.0.0 Ready to start TLS\r\n", 0, WHOLE, 220, 1,
	  "2.0.0 Ready to start TLS" },
	{ "COMMON-STLS-02 TLS not available",
	  "454 4.7.0 TLS not available due to local problem\r\n", 0, WHOLE, 454, 1,
	  "4.7.0 TLS not available due to local problem" },
	{ "COMMON-STLS-02 syntax error", "501 5.5.4 Syntax: STARTTLS\r\n", 0, WHOLE, 501, 1,
	  "5.5.4 Syntax: STARTTLS" },
	{ "RFC 5321 §4.2 reply followed by the next one", "250 ok\r\n221 bye\r\n", 0, 8, 250, 1,
	  "ok" },
	{ "COMMON-STLS-03 pipelined bytes after EHLO", EHLO_STARTTLS "220 go ahead\r\n", 0,
	  (int)sizeof(EHLO_STARTTLS) - 1, 250, 5, "8BITMIME" },
	{ "RFC 5321 §4.2 reply followed by a partial line", "250 ok\r\n22", 0, 8, 250, 1, "ok" },
	{ "RFC 5321 §4.2 UTF-8 text kept", "220 m\xc3\xa4il ESMTP\r\n", 0, WHOLE, 220, 1,
	  "m\xc3\xa4il ESMTP" },
	/* need more: nothing is consumed */
	{ "need more: empty input", "", 0, NEED_MORE, 0, 0, NULL },
	{ "need more: partial code", "25", 0, NEED_MORE, 0, 0, NULL },
	{ "need more: code only", "250", 0, NEED_MORE, 0, 0, NULL },
	{ "need more: no CRLF yet", "220 mx1.example.com", 0, NEED_MORE, 0, 0, NULL },
	{ "need more: CR without LF yet", "220 mx1\r", 0, NEED_MORE, 0, 0, NULL },
	{ "need more: missing final line", "250-mx1.example.com\r\n250-STARTTLS\r\n", 0, NEED_MORE,
	  0, 0, NULL },
	{ "need more: final line incomplete", "250-mx1\r\n250 STA", 0, NEED_MORE, 0, 0, NULL },
	/* the peer broke the protocol */
	{ "RFC 5321 §4.2.1 codes differ between lines", "250-mx1\r\n251 ok\r\n", 0, -EPROTO, 0, 0,
	  NULL },
	{ "RFC 5321 §4.2.1 code differs, seen early", "250-mx1\r\n26", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 letters for a code", "abc def\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 first digit 1", "150 x\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 first digit 6", "650 x\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 second digit 9", "290 x\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 four-digit code", "2500 x\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 tab after code", "250\tx\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 bare LF", "220 mx1\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 bare LF after code", "220\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 CR not followed by LF", "220 mx1\rx\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 NUL byte", "220 mx\0001\r\n", 12, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 leading space", " 220 mx1\r\n", 0, -EPROTO, 0, 0, NULL },
	{ "RFC 5321 §4.2 HTTP answer", "HTTP/1.1 400 Bad Request\r\n", 0, -EPROTO, 0, 0, NULL },
};

/*
 * Each case: what smtp_reply_read() returns, and for a complete reply its code, line count and
 * last line. "need more" must leave nothing behind; -EPROTO must say where and why.
 */
static void test_smtp_reply_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct reply_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->input);
		int want = c->want == WHOLE ? (int)len : c->want;
		struct smtp_reply *reply = NULL;
		struct mxs_error err = { 0 };
		int r = smtp_reply_read(c->input, len, &reply, &err);

		if (r != want)
			fail_msg("case %zu (%s): returned %d, expected %d%s%s", i, c->name, r, want,
				 err.what ? ": " : "", err.what ? err.what : "");
		if (want > 0) {
			assert_non_null(reply);
			if (reply->code != c->code || reply->n_lines != c->n_lines)
				fail_msg("case %zu (%s): code %d with %zu lines, expected %d "
					 "with %zu",
					 i, c->name, reply->code, reply->n_lines, c->code,
					 c->n_lines);
			assert_null(reply->lines[reply->n_lines]);
			assert_string_equal(reply->lines[reply->n_lines - 1], c->last);
			assert_null(err.what);
		} else {
			assert_null(reply);
			if (want == -EPROTO) {
				assert_non_null(err.what);
				assert_non_null(err.where);
				assert_non_null(err.req);
			} else {
				assert_null(err.what);
			}
		}
		(void)smtp_reply_free(reply);
		mxs_error_clear(&err);
	}
}

/* COMMON-STLS-01: STARTTLS is an extension keyword of the EHLO reply, case-insensitive. */
static void test_COMMON_STLS_01_keyword(void **state)
{
	static const struct {
		const char *reply;
		const char *keyword;
		bool want;
	} kw_cases[] = {
		{ EHLO_STARTTLS, "STARTTLS", true },
		{ EHLO_STARTTLS, "starttls", true },
		{ EHLO_STARTTLS, "SIZE", true },     /* keyword with a parameter */
		{ EHLO_STARTTLS, "8bitmime", true }, /* on the last line */
		{ EHLO_STARTTLS, "START", false },   /* a prefix is not the keyword */
		{ EHLO_STARTTLS, "CHUNKING", false },
		{ EHLO_STARTTLS, "mx1.example.com", false }, /* the greeting line is no extension */
		{ "250-mx1\r\n250-STARTTLSX\r\n250 OK\r\n", "STARTTLS", false },
		{ "250-mx1\r\n250-X-STARTTLS\r\n250 OK\r\n", "STARTTLS", false },
		{ "250 STARTTLS\r\n", "STARTTLS", false }, /* one line: only the greeting */
		{ "250 mx1\r\n", "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kw_cases) / sizeof(kw_cases[0]); i++) {
		struct smtp_reply *reply = NULL;

		assert_true(smtp_reply_read(kw_cases[i].reply, strlen(kw_cases[i].reply), &reply,
					    NULL) > 0);
		if (smtp_reply_has_keyword(reply, kw_cases[i].keyword) != kw_cases[i].want)
			fail_msg("case %zu (COMMON-STLS-01): keyword \"%s\": expected %s", i,
				 kw_cases[i].keyword, kw_cases[i].want ? "found" : "not found");
		(void)smtp_reply_free(reply);
	}
	assert_false(smtp_reply_has_keyword(NULL, "STARTTLS"));
}

/* RFC 5321 §4.5.3.1.5 with our margin: a line of SMTP_REPLY_MAX_LINE octets is the limit. */
static void test_smtp_reply_line_limit(void **state)
{
	size_t n = SMTP_REPLY_MAX_LINE + 16;
	char *buf = malloc(n);
	struct smtp_reply *reply = NULL;
	struct mxs_error err = { 0 };

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "220 ", 4);
	memset(buf + 4, 'x', n - 4);
	/* exactly the limit, CRLF included */
	memcpy(buf + SMTP_REPLY_MAX_LINE - 2, "\r\n", 2);
	assert_int_equal(smtp_reply_read(buf, SMTP_REPLY_MAX_LINE, &reply, NULL),
			 SMTP_REPLY_MAX_LINE);
	assert_int_equal(strlen(reply->lines[0]), SMTP_REPLY_MAX_LINE - 6);
	reply = smtp_reply_free(reply);

	/*
	 * No CR where the CRLF of a full-length line must begin: rejected at once, before the end
	 * of the line arrives, so a caller never buffers more than the limit.
	 */
	memset(buf + 4, 'x', n - 4);
	assert_int_equal(smtp_reply_read(buf, SMTP_REPLY_MAX_LINE - 2, &reply, NULL), 0);
	assert_int_equal(smtp_reply_read(buf, SMTP_REPLY_MAX_LINE - 1, &reply, &err), -EPROTO);
	assert_null(reply);
	assert_string_equal(err.req, "RFC 5321 §4.5.3.1.5");
	assert_string_equal(err.where, "SMTP reply line 1");
	mxs_error_clear(&err);
	/* ... and also when its CRLF follows */
	memcpy(buf + SMTP_REPLY_MAX_LINE - 1, "\r\n", 2);
	assert_int_equal(smtp_reply_read(buf, SMTP_REPLY_MAX_LINE + 1, &reply, NULL), -EPROTO);
	free(buf);
}

/* At most SMTP_REPLY_MAX_LINES lines: the last one may be line 64, not line 65. */
static void test_smtp_reply_line_count_limit(void **state)
{
	size_t n = (SMTP_REPLY_MAX_LINES + 1) * 8, i;
	char *buf = malloc(n + 1);
	struct smtp_reply *reply = NULL;
	struct mxs_error err = { 0 };

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < SMTP_REPLY_MAX_LINES + 1; i++)
		memcpy(buf + i * 8, "250-ab\r\n", 8);
	/* 63 continuation lines and a last one */
	buf[(SMTP_REPLY_MAX_LINES - 1) * 8 + 3] = ' ';
	assert_int_equal(smtp_reply_read(buf, SMTP_REPLY_MAX_LINES * 8, &reply, NULL),
			 SMTP_REPLY_MAX_LINES * 8);
	assert_int_equal(reply->n_lines, SMTP_REPLY_MAX_LINES);
	reply = smtp_reply_free(reply);
	/* 64 continuation lines: no valid ending is possible any more */
	buf[(SMTP_REPLY_MAX_LINES - 1) * 8 + 3] = '-';
	assert_int_equal(smtp_reply_read(buf, SMTP_REPLY_MAX_LINES * 8, &reply, &err), -EPROTO);
	assert_null(reply);
	assert_non_null(strstr(err.what, "more than 64 lines"));
	mxs_error_clear(&err);
	free(buf);
}

/* The probe feeds bytes as they arrive: a reply split anywhere reads the same once complete. */
static void test_smtp_reply_incremental(void **state)
{
	const char *in = EHLO_STARTTLS;
	size_t len = strlen(in), k;

	(void)state;
	for (k = 0; k < len; k++) {
		struct smtp_reply *reply = NULL;

		if (smtp_reply_read(in, k, &reply, NULL) != 0)
			fail_msg("prefix of %zu bytes: expected \"need more\"", k);
		assert_null(reply);
	}
}

static void test_smtp_reply_free_null(void **state)
{
	(void)state;
	assert_null(smtp_reply_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_reply_table),
		cmocka_unit_test(test_COMMON_STLS_01_keyword),
		cmocka_unit_test(test_smtp_reply_line_limit),
		cmocka_unit_test(test_smtp_reply_line_count_limit),
		cmocka_unit_test(test_smtp_reply_incremental),
		cmocka_unit_test(test_smtp_reply_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz_smtp_reply.c - libFuzzer target for smtp_reply_read() (lib/smtp_reply.c).
 *
 * The input is the byte stream a server sends. Properties checked beyond "no crash":
 *  - a complete reply uses at most the bytes given, and at most the caps of smtp_reply.h;
 *  - its code is 200..599, it has 1..SMTP_REPLY_MAX_LINES NUL-free lines, NULL-terminated;
 *  - -EPROTO always comes with a readable reason; nothing else but -ENOMEM is negative;
 *  - feeding the same bytes as a prefix first (as a probe does when they arrive in pieces)
 *    gives "need more" or the very same answer, at every split point (see read_one() for the
 *    sampling of long inputs): the reader never
 *    rejects a prefix whose continuation is valid, and never accepts one differently.
 * Then the rest of the input is read as the next reply, as the probe does with pipelined bytes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_reply(const struct smtp_reply *a, const struct smtp_reply *b)
{
	size_t i;

	if (a->code != b->code || a->n_lines != b->n_lines)
		return 0;
	for (i = 0; i < a->n_lines; i++)
		if (strcmp(a->lines[i], b->lines[i]) != 0)
			return 0;
	return 1;
}

/* Read one reply from buf and check its properties; returns what smtp_reply_read() returned. */
static int read_one(const char *buf, size_t len)
{
	struct smtp_reply *whole = NULL, *part;
	struct mxs_error err = { 0 };
	size_t k, step;
	int r, rk;

	r = smtp_reply_read(buf, len, &whole, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (r != -EPROTO || err.what == NULL || whole != NULL)
			abort();
		mxs_error_clear(&err);
	} else if (r == 0) {
		if (whole != NULL || err.what != NULL)
			abort();
	} else {
		size_t i;

		if ((size_t)r > len || r > SMTP_REPLY_MAX_LINE * SMTP_REPLY_MAX_LINES)
			abort();
		if (whole->code < 200 || whole->code > 599)
			abort();
		if (whole->n_lines < 1 || whole->n_lines > SMTP_REPLY_MAX_LINES ||
		    whole->lines[whole->n_lines] != NULL)
			abort();
		for (i = 0; i < whole->n_lines; i++)
			if (strlen(whole->lines[i]) > SMTP_REPLY_MAX_LINE)
				abort();
		(void)smtp_reply_has_keyword(whole, "STARTTLS");
	}

	/*
	 * Every split point up to 1 KiB (a whole EHLO reply); above that about 512 of them spread
	 * evenly, or the quadratic work would starve the fuzzer of executions.
	 */
	step = len <= 1024 ? 1 : len / 512;
	for (k = 0; k < len; k += step) {
		part = NULL;
		rk = smtp_reply_read(buf, k, &part, NULL);
		if (rk == -ENOMEM)
			continue;
		if (rk != 0 && rk != r)
			abort();
		if (rk > 0 && !same_reply(part, whole))
			abort();
		(void)smtp_reply_free(part);
	}
	(void)smtp_reply_free(whole);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	int r;

	r = read_one(buf, size);
	if (r > 0)
		(void)read_one(buf + r, size - (size_t)r);
	return 0;
}

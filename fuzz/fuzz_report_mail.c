/*
 * fuzz_report_mail.c - libFuzzer target for report_mail_extract() and
 * report_mail_extract_file() (agent/report_mail.c, agent/mailshape.c; RPT-DLV-03, -08,
 * RPT-JSON-14), GMime included: the one target outside lib/, since what GMime makes of hostile
 * mail is what agent/mailshape.c exists to bound.
 *
 * The input is a whole message. Properties checked beyond "no crash" (and, under ASan, no leak
 * of GMime objects or our own):
 *  - the result is 0, -ENOENT, -EFBIG, -E2BIG, -EINVAL or -ENOMEM; a failure says why in one
 *    line without control characters; outputs are written only on success;
 *  - an accepted message has 1..REPORT_MAIL_MAX_REPORTS reports whose JSON is NUL-terminated
 *    and REPORT_MAIL_MAX_JSON bytes at most in all, each with a lower-case "type/subtype";
 *  - the same input gives the same result and the same bytes again, and through
 *    report_mail_extract_file() when it begins like a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/report_mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int r, const struct mxs_error *err)
{
	const char *c;

	if (r != -ENOENT && r != -EFBIG && r != -E2BIG && r != -EINVAL && r != -ENOMEM)
		abort();
	if (err->what == NULL || err->what[0] == '\0')
		abort();
	for (c = err->what; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
}

static void check_mail(const struct report_mail *mail)
{
	size_t i, total = 0;
	const char *c;

	if (!mail->is_message || mail->n == 0 || mail->n > REPORT_MAIL_MAX_REPORTS)
		abort();
	for (i = 0; i < mail->n; i++) {
		const struct report_payload *pl = &mail->reports[i];

		if (pl->json == NULL || pl->json[pl->len] != '\0' || pl->content_type == NULL)
			abort();
		for (c = pl->content_type; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				abort();
		if (strchr(pl->content_type, '/') == NULL)
			abort();
		total += pl->len;
	}
	if (total > REPORT_MAIL_MAX_JSON)
		abort();
}

static void check_same(const struct report_mail *a, const struct report_mail *b)
{
	size_t i;

	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++)
		if (a->reports[i].len != b->reports[i].len ||
		    memcmp(a->reports[i].json, b->reports[i].json, a->reports[i].len) != 0 ||
		    a->reports[i].was_gzip != b->reports[i].was_gzip)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_mail *a = NULL, *b = NULL;
	struct mxs_error err = { 0 };
	int r1, r2;

	r1 = report_mail_extract(data, size, &a, &err);
	if (r1 == -ENOMEM)
		goto out;
	if (r1 < 0) {
		check_error(r1, &err);
		if (a != NULL)
			abort();
	} else {
		if (r1 != 0 || a == NULL)
			abort();
		check_mail(a);
	}
	mxs_error_clear(&err);

	r2 = report_mail_extract(data, size, &b, NULL);
	if (r2 != r1 && r2 != -ENOMEM)
		abort();
	if (r2 == 0)
		check_same(a, b);
	b = report_mail_free(b);

	/* The file entry point hands anything that is no JSON and no gzip to the same code. */
	if (size > 0 && data[0] != 0x1f && data[0] != '{' && data[0] != ' ' && data[0] != '\n' &&
	    data[0] != '\r' && data[0] != '\t' && data[0] != 0xef) {
		r2 = report_mail_extract_file(data, size, "fuzz", &b, NULL);
		if (r1 == 0 && r2 == 0)
			check_same(a, b);
		else if (r1 != -EINVAL && r2 != r1 && r2 != -ENOMEM)
			abort();
		if (r2 != 0 && b != NULL)
			abort();
	}
out:
	mxs_error_clear(&err);
	(void)report_mail_free(a);
	(void)report_mail_free(b);
	return 0;
}

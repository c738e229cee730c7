/*
 * fuzz_rollout_text.c - libFuzzer target for the words of the rollout judge (lib/rollout_text.c):
 * rollout_rate_parse() and rollout_rate_text(), the fixes per result type and per problem, and
 * the stage and verdict names.
 *
 * The whole input, NUL-terminated, is read as a percentage of the configuration; then it is split
 * at the first NUL or LF into a result type or check name and a domain. Properties checked beyond
 * "no crash":
 *  - rollout_rate_parse() returns 0 or -EINVAL; on -EINVAL the error has a text and the rate is
 *    untouched; without an error to fill it returns the same;
 *  - it accepts exactly what a plain reading of digits ["." digits] "%" accepts up to 100%
 *    (the boundary itself within a rounding error), and the rate is in [0, 1] and within 1e-9
 *    percentage points of strtod()'s reading of the same digits;
 *  - rollout_rate_text() of an accepted rate, unless "<0.001%", parses back to within the
 *    rounding to three significant digits (0.5% relative); cut to any buffer size it stays
 *    NUL-terminated inside it;
 *  - parsing twice gives the same result, rate and error text;
 *  - rollout_text_type_fix() and rollout_text_problem_fix() return a non-empty text (NULL only
 *    without memory), without control characters when their inputs have none, the same twice;
 *    rollout_text_type_req() is NULL or a requirement ID, the same twice;
 *  - rollout_stage_name() and rollout_verdict_name() never return NULL, and "?" exactly out of
 *    range.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rollout_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The buffer rollout.c gives rollout_rate_text(). */
#define RATE_TEXT_SIZE 32

static bool has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * The grammar of rollout.h, read independently: 1*DIGIT ["." 1*DIGIT] "%" and nothing after.
 * Returns the length of the number before "%", or 0 when text does not match.
 */
static size_t plain_percentage(const char *text)
{
	size_t i = 0, int_digits, frac_digits = 0;

	while (text[i] >= '0' && text[i] <= '9')
		i++;
	int_digits = i;
	if (int_digits == 0)
		return 0;
	if (text[i] == '.') {
		i++;
		while (text[i] >= '0' && text[i] <= '9') {
			i++;
			frac_digits++;
		}
		if (frac_digits == 0)
			return 0;
	}
	return text[i] == '%' && text[i + 1] == '\0' ? i : 0;
}

/* strtod() of the number part (C locale: fuzzers never call setlocale). */
static double plain_value(const char *text, size_t len)
{
	char *num = strndup(text, len);
	double v;

	if (num == NULL)
		return -1;
	v = strtod(num, NULL);
	free(num);
	return v;
}

/* The percentage text of rate reads back within the rounding to three significant digits. */
static void check_rate_text(double rate, size_t cut)
{
	char text[RATE_TEXT_SIZE], *small;
	double back = -1;

	rollout_rate_text(rate, text, sizeof(text));
	if (text[0] == '\0' || text[strlen(text) - 1] != '%' || has_ctl(text))
		abort();
	if (strcmp(text, "<0.001%") == 0) {
		if (!(rate > 0 && rate * 100 < 0.001))
			abort();
	} else {
		if (rollout_rate_parse(text, &back, NULL) != 0)
			abort();
		if (!(back >= rate - rate * 0.005 - 1e-12 && back <= rate + rate * 0.005 + 1e-12))
			abort();
	}
	/* an exact allocation, so that ASan sees a write past the size given */
	small = malloc(cut != 0 ? cut : 1);
	if (small == NULL)
		return;
	rollout_rate_text(rate, small, cut);
	if (cut != 0 && (strnlen(small, cut) == cut || strncmp(small, text, cut - 1) != 0))
		abort();
	free(small);
}

static void fuzz_rate(const char *text, size_t cut)
{
	struct mxs_error e1 = { 0 }, e2 = { 0 };
	double r1 = -1, r2 = -1, r3 = -1, v;
	size_t len = plain_percentage(text);
	int q1, q2, q3;

	q1 = rollout_rate_parse(text, &r1, &e1);
	if (q1 != 0 && q1 != -EINVAL)
		abort();
	if (q1 != 0 && (e1.what == NULL || e1.what[0] == '\0' || r1 != -1))
		abort();
	if (q1 == 0 && (e1.what != NULL || len == 0 || !(r1 >= 0 && r1 <= 1)))
		abort();
	if (len != 0) {
		v = plain_value(text, len);
		/* within the grammar: accepted exactly up to 100% */
		if (v >= 0 && v < 100 - 1e-9 && q1 != 0)
			abort();
		if (v > 100 + 1e-9 && q1 == 0)
			abort();
		if (q1 == 0 && v >= 0 && !(r1 * 100 >= v - 1e-9 && r1 * 100 <= v + 1e-9))
			abort();
	}
	if (q1 == 0)
		check_rate_text(r1, cut);

	q2 = rollout_rate_parse(text, &r2, &e2);
	if (q2 != q1 || (q1 == 0 && r2 != r1))
		abort();
	if (q1 != 0 && (e2.what == NULL || strcmp(e1.what, e2.what) != 0))
		abort();
	q3 = rollout_rate_parse(text, &r3, NULL);
	if (q3 != q1 || (q1 == 0 && r3 != r1))
		abort();
	mxs_error_clear(&e1);
	mxs_error_clear(&e2);
}

/* A fix text: NULL only without memory, else non-empty and one line when its inputs are. */
static void check_fix(char *fix, char *again, bool ctl_in)
{
	if (fix != NULL && (fix[0] == '\0' || (!ctl_in && has_ctl(fix))))
		abort();
	if (fix != NULL && again != NULL && strcmp(fix, again) != 0)
		abort();
	free(fix);
	free(again);
}

/* A requirement ID as shared/spec/ writes them: capitals, digits and hyphens. */
static void check_req(const char *req)
{
	const char *c;

	if (req == NULL)
		return;
	if (req[0] < 'A' || req[0] > 'Z' || strchr(req, '-') == NULL)
		abort();
	for (c = req; *c != '\0'; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-'))
			abort();
}

static void fuzz_fixes(const char *a, const char *b)
{
	bool ctl_ab = has_ctl(a) || has_ctl(b);
	const char *req = rollout_text_type_req(a);

	check_req(req);
	if (rollout_text_type_req(a) != req)
		abort();
	check_fix(rollout_text_type_fix(a, b), rollout_text_type_fix(a, b), ctl_ab);
	check_fix(rollout_text_problem_fix(a, false), rollout_text_problem_fix(a, false),
		  has_ctl(a));
	check_fix(rollout_text_problem_fix(a, true), rollout_text_problem_fix(a, true), has_ctl(a));
}

static void check_names(int v)
{
	const char *s = rollout_stage_name((enum rollout_stage)v);
	const char *w = rollout_verdict_name((enum rollout_verdict)v);
	bool stage_in = v >= ROLLOUT_STAGE_NO_POLICY && v <= ROLLOUT_STAGE_NONE;
	bool verdict_in = v >= ROLLOUT_READY && v <= ROLLOUT_UNKNOWN;

	if (s == NULL || w == NULL || s[0] == '\0' || w[0] == '\0')
		abort();
	if ((strcmp(s, "?") == 0) == stage_in || (strcmp(w, "?") == 0) == verdict_in)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	size_t k;
	int32_t wide = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	fuzz_rate(buf, size > 0 ? data[size - 1] % 24 : 0);

	/* the type or check, and the domain: split at the first NUL or LF */
	for (k = 0; k < size && buf[k] != '\0' && buf[k] != '\n'; k++)
		;
	buf[k] = '\0';
	fuzz_fixes(buf, k < size ? buf + k + 1 : buf + size);

	if (size > 0)
		check_names((signed char)data[0]);
	if (size >= sizeof(wide)) {
		memcpy(&wide, data, sizeof(wide));
		check_names(wide);
	}
	free(buf);
	return 0;
}

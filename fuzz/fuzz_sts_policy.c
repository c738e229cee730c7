/*
 * fuzz_sts_policy.c - libFuzzer target for sts_policy_parse() and sts_policy_covers()
 * (lib/sts_policy.c).
 *
 * The input is a policy body. Properties checked beyond "no crash":
 *  - an accepted policy has version "STSv1", a known mode, max_age within
 *    0..STS_POLICY_MAX_AGE_LIMIT (STS-POL-05), at least one mx pattern unless the mode is none
 *    (STS-POL-07), and NULL-terminated patterns of printable ASCII without WSP;
 *  - the result is 0, -EINVAL or -ENOMEM; 0 exactly when no diagnostic is invalid and ERROR;
 *  - every diagnostic has a requirement ID, a level and a text without control characters;
 *  - parsing the same input twice, or without a diagnostic list, gives the same result;
 *  - sts_policy_covers() answers for names derived from the patterns without crashing, and a
 *    pattern it names as the match is one of the policy's own.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sts_policy.h"
#include "fuzz/fuzz_diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_policy(const struct sts_policy *p)
{
	size_t i;
	const char *c;

	if (p->version == NULL || strcmp(p->version, "STSv1") != 0)
		abort();
	if (p->mode != STS_MODE_ENFORCE && p->mode != STS_MODE_TESTING && p->mode != STS_MODE_NONE)
		abort();
	if (p->max_age > STS_POLICY_MAX_AGE_LIMIT)
		abort();
	if (p->mx == NULL || p->mx[p->n_mx] != NULL || (p->n_mx == 0 && p->mode != STS_MODE_NONE))
		abort();
	for (i = 0; i < p->n_mx; i++) {
		if (p->mx[i][0] == '\0')
			abort();
		for (c = p->mx[i]; *c != '\0'; c++)
			if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
				abort();
	}
}

/* Ask about hosts built from the patterns: the pattern itself and one label under it. */
static void check_covers(const struct sts_policy *p)
{
	size_t i, k;

	for (i = 0; i < p->n_mx && i < 8; i++) {
		const char *pat = p->mx[i], *matched = NULL;
		char *host = malloc(strlen(pat) + 3);

		if (host == NULL)
			return;
		memcpy(host, "a.", 2);
		strcpy(host + 2, pat[0] == '*' ? pat + 2 : pat);
		if (sts_policy_covers(p, host, &matched)) {
			bool own = false;

			for (k = 0; k < p->n_mx; k++)
				own = own || matched == p->mx[k];
			if (!own)
				abort();
		}
		(void)sts_policy_covers(p, pat, NULL);
		free(host);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct sts_policy *a = NULL, *b = NULL;
	struct diag_list da = { 0 }, db = { 0 };
	size_t i;
	int r1, r2;

	r1 = sts_policy_parse(buf, size, &a, &da);
	if (r1 == -ENOMEM)
		goto out;
	fuzz_check_verdict(r1, &da, a != NULL);
	if (a != NULL) {
		check_policy(a);
		check_covers(a);
	}
	r2 = sts_policy_parse(buf, size, &b, &db);
	if (r2 == -ENOMEM)
		goto out;
	if (r2 != r1)
		abort();
	fuzz_check_same_diags(&da, &db);
	if (a != NULL) {
		if (a->mode != b->mode || a->max_age != b->max_age || a->n_mx != b->n_mx)
			abort();
		for (i = 0; i < a->n_mx; i++)
			if (strcmp(a->mx[i], b->mx[i]) != 0)
				abort();
	}
	r2 = sts_policy_parse(buf, size, NULL, NULL);
	if (r2 != r1 && r2 != -ENOMEM)
		abort();
out:
	(void)sts_policy_free(a);
	(void)sts_policy_free(b);
	diag_clear(&da);
	diag_clear(&db);
	return 0;
}

/*
 * fuzz_sts_view.c - libFuzzer target for sts_view_build() (lib/sts_view.c): the sender's walk
 * from the _mta-sts records through the fetch to the policy, on hostile input.
 *
 * Input layout: byte 0 picks the HTTP status class and whether a certificate was presented;
 * the rest is split at the first NUL byte into the TXT RRset (records separated by '\n') and
 * the policy body. Beyond "no crash": the state is consistent with what was found (an active
 * view has a policy and one valid record; an absent one no record), and building twice gives
 * the same state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sts_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 8

static void check(const struct snapshot *snap)
{
	struct sts_view a, b;

	if (sts_view_build(snap, &a) < 0)
		return;
	if (a.state == STS_ACTIVE && (a.policy == NULL || !a.txt_valid || a.n_records != 1))
		abort();
	if (a.state == STS_ABSENT && a.n_records != 0)
		abort();
	if (a.policy != NULL && a.policy->max_age > STS_POLICY_MAX_AGE_LIMIT)
		abort();
	if (sts_view_build(snap, &b) == 0) {
		if (a.state != b.state || a.n_records != b.n_records)
			abort();
		sts_view_clear(&b);
	}
	sts_view_clear(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 200, 301, 404 };
	struct txt_record recs[MAX_RECORDS];
	struct certinfo leaf = { 0 };
	struct certinfo *chain[1] = { &leaf };
	char *san[] = { "mta-sts.example.test", NULL };
	struct snapshot snap = { 0 };
	const uint8_t *p, *end, *nul, *nl;
	size_t n = 0;

	if (size == 0)
		return 0;
	end = data + size;
	p = data + 1;
	nul = memchr(p, '\0', (size_t)(end - p));
	if (nul == NULL)
		nul = end;
	/* The RRset: records separated by newlines, borrowed from the input (not NUL-terminated). */
	while (p < nul && n < MAX_RECORDS) {
		nl = memchr(p, '\n', (size_t)(nul - p));
		if (nl == NULL)
			nl = nul;
		recs[n] = (struct txt_record){ .data = (char *)p,
					       .len = (size_t)(nl - p),
					       .n_strings = 1 };
		n++;
		p = nl + 1;
	}
	snap.domain = "example.test";
	snap.sts_txt.looked_up = true;
	snap.sts_txt.status = DNS_OK;
	snap.sts_txt.records = recs;
	snap.sts_txt.n_records = n;
	snap.policy.attempted = true;
	snap.policy.outcome = FETCH_RESPONSE;
	snap.policy.status = statuses[data[0] & 3];
	snap.policy.content_type = (data[0] & 4) ? "text/html" : "text/plain";
	if (nul < end) {
		snap.policy.body = (unsigned char *)nul + 1;
		snap.policy.body_len = (size_t)(end - nul - 1);
	}
	if (data[0] & 8) {
		leaf.san = san;
		snap.policy.chain = chain;
		snap.policy.chain_len = 1;
	}
	snap.policy.verify_now.code = (data[0] & 16) ? 10 : 0;
	check(&snap);
	return 0;
}

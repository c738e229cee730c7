/*
 * fuzz_tlsrpt_policy.c - libFuzzer target for one entry of a TLS-RPT report's "policies"
 * (lib/tlsrpt_policy.c): the policy, its summary and its failure details, where a report's
 * hostile bytes mostly sit. The input is put into a fixed valid report as its only entry and
 * read with tlsrpt_parse(), so the fuzzer spends its effort inside the entry rather than on the
 * envelope that fuzz_tlsrpt covers.
 *
 * Properties checked beyond "no crash", as in fuzz_tlsrpt:
 *  - the result is 0, -EINVAL or -ENOMEM; 0 exactly when no diagnostic is invalid and ERROR;
 *  - every diagnostic has a requirement ID, a level and a text without control characters;
 *  - an accepted report looks as fuzz_tlsrpt.h says;
 *  - parsing the same input twice gives the same result, diagnostics and counts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tlsrpt.h"
#include "fuzz/fuzz_diag.h"
#include "fuzz/fuzz_tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] =
    "{\"organization-name\": \"fuzz\", \"date-range\": {"
    "\"start-datetime\": \"2024-03-10T00:00:00Z\", \"end-datetime\": \"2024-03-10T23:59:59Z\"}, "
    "\"contact-info\": \"tlsrpt@fuzz.example\", \"report-id\": \"fuzz-1\", \"policies\": [";
static const char tail[] = "]}";

/* The per-entry numbers two parses must agree on. */
static void same_policies(const struct tlsrpt_report *a, const struct tlsrpt_report *b)
{
	size_t i;

	if (a->n_policies != b->n_policies)
		abort();
	for (i = 0; i < a->n_policies; i++) {
		const struct tlsrpt_policy *p = &a->policies[i], *q = &b->policies[i];

		if (p->type != q->type || p->n_failures != q->n_failures ||
		    p->total_successful != q->total_successful ||
		    p->total_failure != q->total_failure)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = sizeof(head) - 1 + size + sizeof(tail) - 1;
	struct tlsrpt_report a = { 0 }, b = { 0 };
	struct diag_list da = { 0 }, db = { 0 };
	char *buf = malloc(len);
	int r1, r2;

	if (buf == NULL)
		return 0;
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + sizeof(head) - 1, data, size);
	memcpy(buf + sizeof(head) - 1 + size, tail, sizeof(tail) - 1);
	r1 = tlsrpt_parse(buf, len, &a, &da);
	if (r1 == -ENOMEM)
		goto out;
	fuzz_check_verdict(r1, &da, r1 == 0);
	if (r1 == 0)
		fuzz_check_report(&a);
	r2 = tlsrpt_parse(buf, len, &b, &db);
	if (r2 == -ENOMEM)
		goto out;
	if (r2 != r1)
		abort();
	fuzz_check_same_diags(&da, &db);
	if (r1 == 0)
		same_policies(&a, &b);
out:
	tlsrpt_report_clear(&a);
	tlsrpt_report_clear(&b);
	diag_clear(&da);
	diag_clear(&db);
	free(buf);
	return 0;
}

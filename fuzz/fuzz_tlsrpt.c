/*
 * fuzz_tlsrpt.c - libFuzzer target for tlsrpt_parse() (lib/tlsrpt.c), a whole TLS-RPT report
 * as JSON bytes. The file name, the value syntaxes and one policy entry have targets of their
 * own (fuzz_tlsrpt_name, fuzz_tlsrpt_value, fuzz_tlsrpt_policy).
 *
 * Properties checked beyond "no crash":
 *  - the result is 0, -EINVAL or -ENOMEM; 0 exactly when no diagnostic is invalid and ERROR;
 *  - every diagnostic has a requirement ID, a level and a text without control characters;
 *  - an accepted report looks as fuzz_tlsrpt.h says;
 *  - parsing the same input twice, or without a diagnostic list or output, gives the same result.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lib/tlsrpt.h"
#include "fuzz/fuzz_diag.h"
#include "fuzz/fuzz_tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_report(const char *buf, size_t size)
{
	struct tlsrpt_report a = { 0 }, b = { 0 };
	struct diag_list da = { 0 }, db = { 0 };
	int r1, r2;

	r1 = tlsrpt_parse(buf, size, &a, &da);
	if (r1 == -ENOMEM)
		goto out;
	fuzz_check_verdict(r1, &da, r1 == 0);
	if (r1 == 0)
		fuzz_check_report(&a);
	r2 = tlsrpt_parse(buf, size, &b, &db);
	if (r2 == -ENOMEM)
		goto out;
	if (r2 != r1)
		abort();
	fuzz_check_same_diags(&da, &db);
	if (r1 == 0 && (strcmp(a.report_id, b.report_id) != 0 || a.start != b.start ||
			a.end != b.end || a.n_policies != b.n_policies))
		abort();
	r2 = tlsrpt_parse(buf, size, NULL, NULL);
	if (r2 != r1 && r2 != -ENOMEM)
		abort();
out:
	tlsrpt_report_clear(&a);
	tlsrpt_report_clear(&b);
	diag_clear(&da);
	diag_clear(&db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_report((const char *)data, size);
	return 0;
}

/*
 * fuzz_sts_txt.c - libFuzzer target for sts_txt_parse() and sts_txt_discover() (lib/sts_txt.c).
 *
 * The input is parsed as one record, then split at LF bytes into an RRset for discovery.
 * Properties checked beyond "no crash":
 *  - an accepted record's id is 1..32 ASCII letters and digits;
 *  - the result is 0, -EINVAL or -ENOMEM; 0 exactly when no diagnostic is invalid and ERROR;
 *  - every diagnostic has a requirement ID, a level and a text without control characters;
 *  - parsing the same input twice, or without a diagnostic list, gives the same result;
 *  - discovery counts at most as many candidates as records, and names a valid id when a
 *    policy applies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sts_txt.h"
#include "fuzz/fuzz_diag.h"
#include "fuzz/fuzz_txt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest RRset built from one input; the rest of the input is one more record. */
#define MAX_RECORDS 16

static bool id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n < 1 || n > STS_TXT_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
		      (id[i] >= '0' && id[i] <= '9')))
			return false;
	return true;
}

static void parse_one(const char *buf, size_t size)
{
	struct sts_txt a = { { 0 } }, b = { { 0 } };
	struct diag_list da = { 0 }, db = { 0 };
	int r1, r2;

	r1 = sts_txt_parse(buf, size, &a, &da);
	if (r1 == -ENOMEM)
		goto out;
	fuzz_check_verdict(r1, &da, r1 == 0);
	if (r1 == 0 && !id_ok(a.id))
		abort();
	r2 = sts_txt_parse(buf, size, &b, &db);
	if (r2 == -ENOMEM)
		goto out;
	if (r2 != r1 || (r1 == 0 && strcmp(a.id, b.id) != 0))
		abort();
	fuzz_check_same_diags(&da, &db);
	r2 = sts_txt_parse(buf, size, NULL, NULL);
	if (r2 != r1 && r2 != -ENOMEM)
		abort();
out:
	diag_clear(&da);
	diag_clear(&db);
}

static void discover(const char *buf, size_t size)
{
	struct txt_record recs[MAX_RECORDS];
	struct sts_txt txt = { { 0 } };
	struct diag_list d = { 0 };
	size_t n, count = 0;
	int r;

	n = fuzz_txt_split(buf, size, recs, MAX_RECORDS);
	r = sts_txt_discover(recs, n, &count, &txt, &d);
	if (r == -ENOMEM) {
		diag_clear(&d);
		return;
	}
	if (r != 0 && r != 1)
		abort();
	fuzz_check_diags(&d);
	if (count > n || (r == 1 && (count != 1 || !id_ok(txt.id))))
		abort();
	/* no policy always comes with a reason */
	if (r == 0 && diag_worst(&d, 0) == DIAG_OK)
		abort();
	diag_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_one((const char *)data, size);
	discover((const char *)data, size);
	return 0;
}

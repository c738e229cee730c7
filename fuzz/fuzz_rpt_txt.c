/*
 * fuzz_rpt_txt.c - libFuzzer target for rpt_txt_parse() and rpt_txt_discover()
 * (lib/rpt_txt.c).
 *
 * The input is parsed as one record, then split at LF bytes into an RRset for discovery.
 * Properties checked beyond "no crash":
 *  - an accepted record has at least one rua, NULL-terminated, each a non-empty string with a
 *    scheme and without WSP, ",", ";" or "!" (RPT-TXT-06);
 *  - the result is 0, -EINVAL or -ENOMEM; 0 exactly when no diagnostic is invalid and ERROR;
 *  - every diagnostic has a requirement ID, a level and a text without control characters;
 *  - parsing the same input twice, or without a diagnostic list, gives the same result.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rpt_txt.h"
#include "fuzz/fuzz_diag.h"
#include "fuzz/fuzz_txt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 16

static void check_record(const struct rpt_txt *rec)
{
	size_t i;

	if (rec->n_rua < 1 || rec->rua[rec->n_rua] != NULL)
		abort();
	for (i = 0; i < rec->n_rua; i++)
		if (rec->rua[i][0] == '\0' || strchr(rec->rua[i], ':') == NULL ||
		    strpbrk(rec->rua[i], " \t,;!") != NULL)
			abort();
}

static void parse_one(const char *buf, size_t size)
{
	struct rpt_txt *a = NULL, *b = NULL;
	struct diag_list da = { 0 }, db = { 0 };
	size_t i;
	int r1, r2;

	r1 = rpt_txt_parse(buf, size, &a, &da);
	if (r1 == -ENOMEM)
		goto out;
	fuzz_check_verdict(r1, &da, a != NULL);
	if (a != NULL)
		check_record(a);
	r2 = rpt_txt_parse(buf, size, &b, &db);
	if (r2 == -ENOMEM)
		goto out;
	if (r2 != r1)
		abort();
	fuzz_check_same_diags(&da, &db);
	if (a != NULL) {
		if (a->n_rua != b->n_rua)
			abort();
		for (i = 0; i < a->n_rua; i++)
			if (strcmp(a->rua[i], b->rua[i]) != 0)
				abort();
	}
	r2 = rpt_txt_parse(buf, size, NULL, NULL);
	if (r2 != r1 && r2 != -ENOMEM)
		abort();
out:
	(void)rpt_txt_free(a);
	(void)rpt_txt_free(b);
	diag_clear(&da);
	diag_clear(&db);
}

static void discover(const char *buf, size_t size)
{
	struct txt_record recs[MAX_RECORDS];
	struct rpt_txt *rec = NULL;
	struct diag_list d = { 0 };
	size_t n, count = 0;
	int r;

	n = fuzz_txt_split(buf, size, recs, MAX_RECORDS);
	r = rpt_txt_discover(recs, n, &count, &rec, &d);
	if (r != -ENOMEM) {
		if (r != 0 && r != 1)
			abort();
		fuzz_check_diags(&d);
		if (count > n || (r == 1) != (rec != NULL) || (r == 1 && count != 1))
			abort();
		if (rec != NULL)
			check_record(rec);
		if (r == 0 && diag_worst(&d, 0) == DIAG_OK)
			abort();
	}
	(void)rpt_txt_free(rec);
	diag_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_one((const char *)data, size);
	discover((const char *)data, size);
	return 0;
}

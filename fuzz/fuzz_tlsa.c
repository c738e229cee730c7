/*
 * fuzz_tlsa.c - libFuzzer target for tlsa_parse() and tlsa_from_wire() (lib/tlsa.c).
 *
 * The input is read as presentation text, then as wire RDATA. Properties checked beyond
 * "no crash":
 *  - the result is 0, -EINVAL or -ENOMEM; 0 exactly when no diagnostic is invalid;
 *  - every diagnostic has a requirement ID, a level and a text without control characters;
 *  - an accepted record has data, and its zone-file form (tlsa_format()) reads back to the same
 *    fields and bytes, with the same usability (DANE-SEL-03);
 *  - wire RDATA of 3 bytes or more is always accepted, and formats and reads back likewise.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tlsa.h"
#include "fuzz/fuzz_diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The zone-file form of rr reads back to the same record. */
static void round_trip(const struct tlsa_rr *rr)
{
	struct tlsa_rr again = { 0 };
	char *text = NULL;
	int r;

	r = tlsa_format(rr, &text);
	if (r == -ENOMEM || (r == -EINVAL && rr->len == 0))
		return;
	if (r != 0)
		abort();
	r = tlsa_parse(text, strlen(text), &again, NULL);
	if (r == -ENOMEM)
		goto out;
	if (r != 0 || again.usage != rr->usage || again.selector != rr->selector ||
	    again.mtype != rr->mtype || again.len != rr->len ||
	    memcmp(again.data, rr->data, rr->len) != 0 || tlsa_usable(&again) != tlsa_usable(rr))
		abort();
out:
	tlsa_clear(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_rr rr = { 0 };
	struct diag_list d = { 0 };
	int r;

	r = tlsa_parse((const char *)data, size, &rr, &d);
	if (r != 0 && r != -EINVAL && r != -ENOMEM)
		abort();
	if (r != -ENOMEM) {
		fuzz_check_diags(&d);
		if ((r == 0) == diag_any_invalid(&d, 0))
			abort();
	}
	if (r == 0) {
		if (rr.len == 0)
			abort();
		round_trip(&rr);
	}
	tlsa_clear(&rr);
	diag_clear(&d);

	r = tlsa_from_wire(data, size, &rr, &d);
	if (r == 0)
		round_trip(&rr);
	else if (r != -ENOMEM && size >= 3 && size - 3 <= TLSA_MAX_DATA)
		abort();
	fuzz_check_diags(&d);
	tlsa_clear(&rr);
	diag_clear(&d);
	return 0;
}

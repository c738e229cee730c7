/*
 * fuzz_diag.h - the property every grammar's fuzz target asserts of its diagnostics
 * (lib/diag.h): each has a requirement ID, a level in range, and one non-empty line of text
 * without control characters, whatever bytes the input held; and a second parse of the same
 * input repeats them. Header-only, for fuzz targets.
 */
#ifndef MXS_FUZZ_DIAG_H
#define MXS_FUZZ_DIAG_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"

static inline void fuzz_check_diags(const struct diag_list *d)
{
	size_t i;
	const char *c;

	for (i = 0; i < d->n; i++) {
		if (d->v[i].req == NULL || d->v[i].text == NULL || d->v[i].text[0] == '\0')
			abort();
		if (d->v[i].level < DIAG_INFO || d->v[i].level > DIAG_ERROR)
			abort();
		for (c = d->v[i].text; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
	}
}

/*
 * The verdict rule every grammar shares (lib/diag.h): a parser returns 0 or -EINVAL (-ENOMEM is
 * the caller's to skip), its diagnostics are well formed, it accepts exactly when no diagnostic
 * rejects, and it hands out a result exactly when it accepts (has_result; pass r == 0 when the
 * parser has no separate result).
 */
static inline void fuzz_check_verdict(int r, const struct diag_list *d, int has_result)
{
	if (r != 0 && r != -EINVAL)
		abort();
	fuzz_check_diags(d);
	if ((r == 0) == diag_rejects(d, 0) || (r == 0) != (has_result != 0))
		abort();
}

/* Two parses of the same input gave the same diagnostics, in the same order. */
static inline void fuzz_check_same_diags(const struct diag_list *a, const struct diag_list *b)
{
	size_t i;

	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++)
		if (a->v[i].level != b->v[i].level || a->v[i].invalid != b->v[i].invalid ||
		    strcmp(a->v[i].req, b->v[i].req) != 0 ||
		    strcmp(a->v[i].text, b->v[i].text) != 0)
			abort();
}

#endif

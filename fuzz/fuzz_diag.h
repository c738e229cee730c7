/*
 * fuzz_diag.h - the property every grammar's fuzz target asserts of its diagnostics
 * (lib/diag.h): each has a requirement ID, a level in range, and one non-empty line of text
 * without control characters, whatever bytes the input held. Header-only, for fuzz targets.
 */
#ifndef MXS_FUZZ_DIAG_H
#define MXS_FUZZ_DIAG_H

#include <errno.h>
#include <stdlib.h>

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

#endif

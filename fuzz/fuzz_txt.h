/*
 * fuzz_txt.h - an input as a TXT RRset for the discovery functions of the record grammars
 * (lib/snapshot.h, struct txt_record). Header-only, for fuzz targets.
 */
#ifndef MXS_FUZZ_TXT_H
#define MXS_FUZZ_TXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lib/snapshot.h"

/*
 * Cut buf[0..size-1] at LF bytes into at most max records of one character-string each,
 * borrowed from buf; the last record takes the rest, LF bytes and all. An LF at the very end
 * starts no empty record. Returns how many records recs holds.
 */
static inline size_t fuzz_txt_split(const char *buf, size_t size, struct txt_record *recs,
				    size_t max)
{
	size_t n = 0, p = 0;

	while (p < size && n < max) {
		const char *nl = memchr(buf + p, '\n', size - p);
		size_t end = nl != NULL && n + 1 < max ? (size_t)(nl - buf) : size;

		recs[n] = (struct txt_record){
			.data = (char *)buf + p,
			.len = end - p,
			.n_strings = 1,
			.has_nul = memchr(buf + p, '\0', end - p) != NULL,
		};
		n++;
		p = end + 1;
	}
	return n;
}

#endif

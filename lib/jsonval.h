/*
 * jsonval.h - JSON values the way every mxsentry document writes them (docs/json-output.md,
 * "Conventions"): strings that are always valid UTF-8, times in ISO 8601 UTC.
 */
#ifndef MXS_LIB_JSONVAL_H
#define MXS_LIB_JSONVAL_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

/*
 * A JSON string of len bytes; null for NULL. Bytes that do not form UTF-8 become '?' (the text
 * came from the network: a banner, a TXT record); a NUL byte is kept, JSON escapes it. Returns a
 * new reference, or NULL on memory exhaustion.
 */
json_t *jsonval_stringn(const char *s, size_t len);

/* jsonval_stringn() of a NUL-terminated string (null for NULL). */
json_t *jsonval_string(const char *s);

/* "2026-11-29T03:00:00Z"; null when the time cannot be written. A new reference, or NULL. */
json_t *jsonval_time(time_t t);

#endif

/*
 * duration.h - durations written by people: "90", "30s", "5m", "36h", "14d", "2w".
 *
 * Used by the configuration for timeouts, intervals and certificate thresholds, where the
 * natural unit differs (seconds for a timeout, days for a certificate threshold): a bare number
 * takes the caller's default unit, a number with a suffix says its own.
 */
#ifndef MXS_LIB_DURATION_H
#define MXS_LIB_DURATION_H

#include <stddef.h>
#include <time.h>

#include "lib/error.h"

/* Longest duration accepted, in seconds: ten years, far beyond any threshold or interval. */
#define DURATION_MAX (10L * 366 * 86400)

/*
 * Parse a duration: decimal digits, then optionally one unit letter: "ms" (milliseconds), s, m,
 * h, d or w. No sign, no spaces, no fractions, no combinations ("1h30m"): a configuration value
 * should read one way.
 *
 * text:          the bytes to parse; need not be NUL-terminated.
 * len:           number of bytes.
 * default_unit:  seconds per unit of a bare number (1 for seconds, 86400 for days).
 * ret_ms:        on success, the duration in milliseconds (at most DURATION_MAX seconds).
 * reterr:        optional; receives the reason on failure.
 *
 * Returns 0 or -EINVAL (empty, a bad unit, a sign or fraction, or more than DURATION_MAX).
 */
int duration_parse(const char *text, size_t len, long default_unit, long long *ret_ms,
		   struct mxs_error *reterr);

/*
 * For people: a time as "2026-11-29 03:00 UTC" ("@<seconds>" when it cannot be written), and
 * how long from a to b, coarsely: "45s", "12m", "3h 05m", "2d 4h" (0 when b is before a).
 */
void duration_time_text(time_t t, char *buf, size_t len);
void duration_span_text(time_t a, time_t b, char *buf, size_t len);

#endif

/*
 * count.h - sums and shares of the session counts senders state in TLS-RPT reports.
 *
 * A report may claim up to 2^63 - 1 sessions in one count (RPT-JSON-02), and anyone may send
 * one; added over several reports such counts would wrap an unsigned long long. Every sum of
 * them therefore saturates at ULLONG_MAX, a share is computed in doubles, and a count leaves
 * for JSON (a signed 64-bit integer) capped at LLONG_MAX. Header-only.
 */
#ifndef MXS_LIB_COUNT_H
#define MXS_LIB_COUNT_H

#include <limits.h>

/* a + b, or ULLONG_MAX when that does not fit. */
static inline unsigned long long count_add(unsigned long long a, unsigned long long b)
{
	return a > ULLONG_MAX - b ? ULLONG_MAX : a + b;
}

/* part / (part + rest) in [0, 1]; 0 when both are 0. */
static inline double count_share(unsigned long long part, unsigned long long rest)
{
	return part == 0 ? 0.0 : (double)part / ((double)part + (double)rest);
}

/* v as a signed 64-bit JSON integer, LLONG_MAX when larger. */
static inline long long count_json(unsigned long long v)
{
	return v > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)v;
}

#endif

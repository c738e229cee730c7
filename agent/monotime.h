/*
 * monotime.h - durations measured on CLOCK_MONOTONIC, in the units the snapshot records.
 *
 * Header-only: two one-line functions shared by the probe modules, which time connects,
 * greetings and handshakes.
 */
#ifndef MXS_AGENT_MONOTIME_H
#define MXS_AGENT_MONOTIME_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

/* Now, in microseconds of CLOCK_MONOTONIC (the clock sd-event timers use). */
static inline uint64_t monotime_usec(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Whole milliseconds since start (a monotime_usec() value), saturated to UINT_MAX. */
static inline unsigned monotime_ms_since(uint64_t start)
{
	uint64_t ms = (monotime_usec() - start) / 1000u;

	return ms > UINT_MAX ? UINT_MAX : (unsigned)ms;
}

#endif

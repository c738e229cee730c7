/*
 * severity.h - the four verdicts of a finding (DESIGN.md, "A finding").
 *
 * OK and WARNING/CRITICAL describe the domain; UNKNOWN means mxsentry could not tell (its own
 * resolver or network failed) and is never the domain's fault. The values are the Nagios plugin
 * exit codes; severity_rank() gives the order of urgency used by "at least this severity"
 * filters, in which UNKNOWN sits between WARNING and CRITICAL as in Icinga's worst-state order.
 */
#ifndef MXS_LIB_SEVERITY_H
#define MXS_LIB_SEVERITY_H

enum severity {
	SEVERITY_OK = 0,       /* Nagios exit code 0 */
	SEVERITY_WARNING = 1,  /* 1 */
	SEVERITY_CRITICAL = 2, /* 2 */
	SEVERITY_UNKNOWN = 3,  /* 3 */
};

/* "OK", "WARNING", "CRITICAL" or "UNKNOWN" (static string); "?" for a value out of range. */
const char *severity_name(enum severity s);

/* Urgency order for filters: OK 0 < WARNING 1 < UNKNOWN 2 < CRITICAL 3. */
int severity_rank(enum severity s);

#endif

/*
 * severity.c - the four verdicts of a finding; see severity.h.
 */
#include "lib/severity.h"

static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

const char *severity_name(enum severity s)
{
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

int severity_rank(enum severity s)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return (unsigned)s < sizeof(rank) / sizeof(rank[0]) ? rank[s] : 0;
}

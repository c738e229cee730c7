/*
 * severity.c - the four verdicts of a finding; see severity.h.
 */
#include "lib/severity.h"

#include <errno.h>
#include <strings.h>

static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

const char *severity_name(enum severity s)
{
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

int severity_parse(const char *name, enum severity *ret_s)
{
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i]) == 0) {
			*ret_s = (enum severity)i;
			return 0;
		}
	}
	return -EINVAL;
}

int severity_rank(enum severity s)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return (unsigned)s < sizeof(rank) / sizeof(rank[0]) ? rank[s] : 0;
}

/*
 * duration.c - durations written by people; see duration.h.
 */
#include "lib/duration.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Milliseconds per unit for each suffix; "ms" is matched before "m". */
static const struct {
	const char *suffix;
	long long ms;
} units[] = {
	{ "ms", 1 },      { "s", 1000 },     { "m", 60000 },
	{ "h", 3600000 }, { "d", 86400000 }, { "w", 604800000 },
};

int duration_parse(const char *text, size_t len, long default_unit, long long *ret_ms,
		   struct mxs_error *reterr)
{
	const long long max_ms = DURATION_MAX * 1000LL;
	long long n = 0, per_unit = -1;
	size_t i = 0, j;

	while (i < len && text[i] >= '0' && text[i] <= '9') {
		/* Stop before overflow; anything this long is over the limit anyway. */
		if (n > max_ms)
			return mxs_error_set(reterr, NULL, NULL, "duration is longer than %ld days",
					     DURATION_MAX / 86400);
		n = n * 10 + (text[i] - '0');
		i++;
	}
	if (i == 0)
		return mxs_error_set(reterr, NULL, NULL,
				     "a duration is a whole number with an "
				     "optional unit (ms, s, m, h, d, w), e.g. \"30s\" or "
				     "\"14d\"");
	if (i == len) {
		per_unit = default_unit * 1000LL;
	} else {
		for (j = 0; j < sizeof(units) / sizeof(units[0]); j++) {
			size_t sl = strlen(units[j].suffix);

			if (len - i == sl && memcmp(text + i, units[j].suffix, sl) == 0) {
				per_unit = units[j].ms;
				break;
			}
		}
		if (per_unit < 0)
			return mxs_error_set(reterr, NULL, NULL,
					     "unknown unit \"%.*s\" (use ms, s, m, "
					     "h, d or w)",
					     (int)(len - i > 16 ? 16 : len - i), text + i);
	}
	if (n > max_ms / per_unit)
		return mxs_error_set(reterr, NULL, NULL, "duration is longer than %ld days",
				     DURATION_MAX / 86400);
	*ret_ms = n * per_unit;
	return 0;
}

void duration_time_text(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		(void)snprintf(buf, len, "@%lld", (long long)t);
}

void duration_span_text(time_t a, time_t b, char *buf, size_t len)
{
	long long s = b > a ? (long long)(b - a) : 0;

	if (s < 60)
		(void)snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		(void)snprintf(buf, len, "%lldm", s / 60);
	else if (s < 86400)
		(void)snprintf(buf, len, "%lldh %02lldm", s / 3600, s % 3600 / 60);
	else
		(void)snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
}

/*
 * config_rollout.c - the "rollout" group of mxsentry.conf: the thresholds of "mxsentry rollout"
 * (lib/rollout.h, where the defaults are explained).
 *
 *   rollout = { min_days = 14; min_orgs = 2; max_failure_rate = "0.1%"; min_sessions = 100; };
 *
 * The rate is a string with a percent sign: a bare 0.1 could be read as 0.1% or as 10%.
 */
#include <errno.h>
#include <stdlib.h>

#include "agent/config_rollout.h"

/* Upper bounds: a year of testing, and far more than any report count needs. */
#define MAX_DAYS     365u
#define MAX_ORGS     1000u
#define MAX_SESSIONS 1000000000u

void config_read_rollout(struct cfgval *cv, const config_setting_t *parent,
			 struct rollout_thresholds *t)
{
	static const char *const keys[] = { "min_days", "min_orgs", "max_failure_rate",
					    "min_sessions", NULL };
	const config_setting_t *g = cfgval_group(cv, parent, "rollout");
	struct mxs_error err = { 0 };
	char *rate = NULL;
	double v;

	if (g == NULL)
		return;
	cfgval_known_keys(cv, g, keys);
	(void)cfgval_uint(cv, g, "min_days", 1, MAX_DAYS, &t->min_days);
	(void)cfgval_uint(cv, g, "min_orgs", 1, MAX_ORGS, &t->min_orgs);
	(void)cfgval_uint(cv, g, "min_sessions", 0, MAX_SESSIONS, &t->min_sessions);
	if (cfgval_string(cv, g, "max_failure_rate", &rate) != 1)
		return;
	if (rollout_rate_parse(rate, &v, &err) < 0)
		cfgval_error(cv, config_setting_get_member(g, "max_failure_rate"), "%s", err.what);
	else
		t->max_failure_rate = v;
	mxs_error_clear(&err);
	free(rate);
}

/*
 * config_sinks.c - the "alerts" group of mxsentry.conf: email, webhook and syslog sinks.
 *
 * Only parsed and validated here; delivery belongs to alerts/. Each kind is a list of groups so
 * that, e.g., two teams can get mail with different routing:
 *
 *   alerts = { email = ( { relay = "smtp://127.0.0.1"; from = "..."; to = [ "..." ]; } ); };
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "agent/config_sinks.h"

static const char *const kind_names[] = { "email", "webhook", "syslog", NULL };
/* Every key of the "alerts" group: the three lists, then the alert settings. */
static const char *const alerts_keys[] = { "email",    "webhook", "syslog",   "damping",
					   "reminder", "give_up", "silences", NULL };

const char *sink_kind_name(enum sink_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A mailbox as an SMTP envelope needs it: local@domain, no spaces or angle brackets. */
static int plausible_address(const char *s)
{
	const char *at = strrchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' && strpbrk(s, " \t<>,;\"") == NULL;
}

static void read_email(struct cfgval *cv, const config_setting_t *g, struct sink_config *s)
{
	static const char *const keys[] = { "name",     "min_severity", "tags",
					    "relay",    "from",         "to",
					    "starttls", "username",     "password_file",
					    "timeout",  "ca_bundle",    "weekly_summary",
					    NULL };
	static const char *const starttls[] = { "required", "none", NULL };
	const config_setting_t *to;
	long long ms;
	int mode = 0;
	size_t i;

	cfgval_known_keys(cv, g, keys);
	if (cfgval_string(cv, g, "relay", &s->relay) == 0)
		cfgval_error(cv, g, "an email sink needs relay = \"smtp://host[:port]\"");
	else if (s->relay != NULL && !has_prefix(s->relay, "smtp://") &&
		 !has_prefix(s->relay, "smtps://"))
		cfgval_error(cv, config_setting_get_member(g, "relay"),
			     "\"%s\" must be an smtp:// or smtps:// URL", s->relay);
	if (cfgval_string(cv, g, "from", &s->from) == 0)
		cfgval_error(cv, g, "an email sink needs from = \"address\"");
	else if (s->from != NULL && !plausible_address(s->from))
		cfgval_error(cv, config_setting_get_member(g, "from"),
			     "\"%s\" is not a mail address (local@domain)", s->from);
	if (cfgval_strv(cv, g, "to", false, &s->to) == 0)
		cfgval_error(cv, g, "an email sink needs to = [ \"address\", ... ]");
	to = config_setting_get_member(g, "to");
	for (i = 0; s->to != NULL && s->to[i] != NULL; i++)
		if (!plausible_address(s->to[i]))
			cfgval_error(cv, config_setting_get_elem(to, (unsigned)i),
				     "\"%s\" is not a mail address (local@domain)", s->to[i]);
	/* STARTTLS to the relay is required unless the operator says otherwise, knowingly. */
	(void)cfgval_enum(cv, g, "starttls", starttls, &mode);
	s->starttls_required = mode == 0;
	(void)cfgval_string(cv, g, "username", &s->username);
	(void)cfgval_string(cv, g, "password_file", &s->password_file);
	if ((s->username == NULL) != (s->password_file == NULL))
		cfgval_error(cv, g, "username and password_file go together");
	(void)cfgval_string(cv, g, "ca_bundle", &s->ca_bundle);
	(void)cfgval_bool(cv, g, "weekly_summary", &s->weekly_summary);
	ms = 60000;
	(void)cfgval_duration(cv, g, "timeout", 1, 1000, 600 * 1000LL, &ms);
	s->timeout = (unsigned)ms;
}

static void read_webhook(struct cfgval *cv, const config_setting_t *g, struct sink_config *s)
{
	static const char *const keys[] = { "name",    "min_severity", "tags",
					    "url",     "format",       "hmac_key_file",
					    "timeout", "ca_bundle",    NULL };
	static const char *const formats[] = { "json", "alertmanager", NULL };
	long long ms = 10000;
	int format = 0;

	cfgval_known_keys(cv, g, keys);
	if (cfgval_string(cv, g, "url", &s->url) == 0)
		cfgval_error(cv, g, "a webhook sink needs url = \"https://...\"");
	else if (s->url != NULL && !has_prefix(s->url, "https://") &&
		 !has_prefix(s->url, "http://"))
		cfgval_error(cv, config_setting_get_member(g, "url"),
			     "\"%s\" must be an http:// or https:// URL", s->url);
	(void)cfgval_enum(cv, g, "format", formats, &format);
	s->alertmanager = format == 1;
	(void)cfgval_string(cv, g, "hmac_key_file", &s->hmac_key_file);
	(void)cfgval_string(cv, g, "ca_bundle", &s->ca_bundle);
	(void)cfgval_duration(cv, g, "timeout", 1, 100, 300 * 1000LL, &ms);
	s->timeout = (unsigned)ms;
}

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "mail", LOG_MAIL },     { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static void read_syslog(struct cfgval *cv, const config_setting_t *g, struct sink_config *s)
{
	static const char *const keys[] = { "name",     "min_severity", "tags",
					    "facility", "ident",        NULL };
	const char *names[sizeof(facilities) / sizeof(facilities[0]) + 1];
	size_t i;
	int f = 0;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		names[i] = facilities[i].name;
	names[i] = NULL;
	cfgval_known_keys(cv, g, keys);
	(void)cfgval_enum(cv, g, "facility", names, &f);
	s->facility = facilities[f].value;
	if (cfgval_string(cv, g, "ident", &s->ident) == 0)
		s->ident = strdup("mxsentry");
}

/* What every sink has: name, min_severity, tags. */
static int read_common(struct cfgval *cv, const config_setting_t *g, enum sink_kind kind,
		       unsigned nth, struct sink_config *s)
{
	/* indexed by enum severity, so the index cfgval_enum returns is the value */
	const char *const severities[] = { severity_name(SEVERITY_OK),
					   severity_name(SEVERITY_WARNING),
					   severity_name(SEVERITY_CRITICAL),
					   severity_name(SEVERITY_UNKNOWN), NULL };
	int sev = SEVERITY_WARNING;

	s->kind = kind;
	s->group = g;
	s->tags = cfgval_strv_new();
	if (s->tags == NULL)
		return -ENOMEM;
	if (cfgval_string(cv, g, "name", &s->name) == 0) {
		s->name = mxs_strdupf("%s%u", sink_kind_name(kind), nth);
		if (s->name == NULL)
			return -ENOMEM;
	}
	(void)cfgval_enum(cv, g, "min_severity", severities, &sev);
	s->min_severity = (enum severity)sev;
	(void)cfgval_strv(cv, g, "tags", true, &s->tags);
	return 0;
}

/* "2026-12-31" (midnight UTC) or "2026-12-31T08:00:00Z". Returns 0 or -EINVAL. */
static int parse_until(const char *text, time_t *ret)
{
	struct tm tm = { 0 };
	int n = 0, len = (int)strlen(text);

	if (len == 10 &&
	    sscanf(text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) == 3 &&
	    n == 10) {
		/* midnight */
	} else if (len == 20 &&
		   sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) == 6 &&
		   n == 20) {
		/* a time of day */
	} else {
		return -EINVAL;
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59 || tm.tm_year < 1970)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ret = timegm(&tm);
	return *ret == (time_t)-1 ? -EINVAL : 0;
}

/* silences = ( { domain = "..."; code = "cert.*"; until = "2026-12-31"; comment = "..."; } ) */
static int read_silence(struct cfgval *cv, const config_setting_t *g, struct silence_config *s)
{
	static const char *const keys[] = { "domain", "code", "until", "comment", NULL };
	char *until = NULL;

	cfgval_known_keys(cv, g, keys);
	(void)cfgval_string(cv, g, "domain", &s->domain);
	(void)cfgval_string(cv, g, "code", &s->code);
	(void)cfgval_string(cv, g, "comment", &s->comment);
	if (cfgval_string(cv, g, "until", &until) == 0)
		cfgval_error(cv, g, "a silence needs until = \"YYYY-MM-DD\" (UTC)");
	else if (until != NULL && parse_until(until, &s->until) < 0)
		cfgval_error(cv, config_setting_get_member(g, "until"),
			     "\"%s\" is not a date \"YYYY-MM-DD\" or a time "
			     "\"YYYY-MM-DDTHH:MM:SSZ\" (UTC)",
			     until);
	if (s->domain != NULL && s->code == NULL && s->domain[0] == '\0')
		cfgval_error(cv, g, "domain must not be empty");
	free(until);
	return 0;
}

static int read_alerting(struct cfgval *cv, const config_setting_t *alerts, struct alert_config *a)
{
	const config_setting_t *list = cfgval_list(cv, alerts, "silences");
	long long ms;
	size_t i, n;

	(void)cfgval_uint(cv, alerts, "damping", 1, 100, &a->damping);
	ms = a->reminder * 1000LL;
	if (cfgval_duration(cv, alerts, "reminder", 3600, 0, 365 * 86400 * 1000LL, &ms) == 1)
		a->reminder = (long)(ms / 1000);
	ms = a->give_up * 1000LL;
	if (cfgval_duration(cv, alerts, "give_up", 3600, 60 * 1000LL, 365 * 86400 * 1000LL, &ms) ==
	    1)
		a->give_up = (long)(ms / 1000);
	if (list == NULL)
		return 0;
	n = (size_t)config_setting_length(list);
	a->silences = calloc(n + 1, sizeof(*a->silences));
	if (a->silences == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfgval_error(cv, g, "each silence must be a group { ... }");
			continue;
		}
		read_silence(cv, g, &a->silences[a->n_silences++]);
	}
	return 0;
}

int config_read_sinks(struct cfgval *cv, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *alerts = cfgval_group(cv, root, "alerts");
	const config_setting_t *lists[3];
	size_t total = 0, i, j;
	unsigned k;
	int r;

	if (alerts == NULL)
		return 0;
	cfgval_known_keys(cv, alerts, alerts_keys);
	r = read_alerting(cv, alerts, &cfg->alerting);
	if (r < 0)
		return r;
	for (k = 0; k < 3; k++) {
		lists[k] = cfgval_list(cv, alerts, kind_names[k]);
		if (lists[k] != NULL)
			total += (size_t)config_setting_length(lists[k]);
	}
	cfg->sinks = calloc(total ? total : 1, sizeof(*cfg->sinks));
	if (cfg->sinks == NULL)
		return -ENOMEM;
	for (k = 0; k < 3; k++) {
		for (i = 0; lists[k] != NULL && i < (size_t)config_setting_length(lists[k]); i++) {
			const config_setting_t *g = config_setting_get_elem(lists[k], (unsigned)i);
			struct sink_config *s = &cfg->sinks[cfg->n_sinks++];

			if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
				cfgval_error(cv, g, "each %s sink must be a group { ... }",
					     kind_names[k]);
				continue;
			}
			r = read_common(cv, g, (enum sink_kind)k, (unsigned)i + 1, s);
			if (r < 0)
				return r;
			if (k == SINK_EMAIL)
				read_email(cv, g, s);
			else if (k == SINK_WEBHOOK)
				read_webhook(cv, g, s);
			else
				read_syslog(cv, g, s);
		}
	}
	/* Names identify sinks in logs and in the outbox; two sinks must not share one. */
	for (i = 0; i < cfg->n_sinks; i++)
		for (j = 0; j < i; j++)
			if (cfg->sinks[i].name && cfg->sinks[j].name &&
			    strcmp(cfg->sinks[i].name, cfg->sinks[j].name) == 0)
				cfgval_error(cv, cfg->sinks[i].group,
					     "sink name \"%s\" is used twice", cfg->sinks[i].name);
	return 0;
}

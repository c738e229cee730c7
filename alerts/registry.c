/*
 * registry.c - the alert sinks, by name; see sink.h.
 *
 * The names are those of the configuration's lists (alerts = { email = (...); webhook = (...);
 * syslog = (...); }), so the agent finds a sink with sink_lookup(sink_kind_name(kind)).
 */
#include "alerts/sink.h"

#include <stddef.h>
#include <string.h>

extern const struct sink sink_email;
extern const struct sink sink_webhook;
extern const struct sink sink_syslog;

static const struct sink *const sinks[] = { &sink_email, &sink_webhook, &sink_syslog, NULL };

const struct sink *sink_lookup(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && sinks[i] != NULL; i++)
		if (strcmp(sinks[i]->name, name) == 0)
			return sinks[i];
	return NULL;
}

const char *sink_known_names(void)
{
	/* written out: three names do not need a buffer built at run time */
	return "email, webhook, syslog";
}

const char *sink_result_name(enum sink_result r)
{
	static const char *const names[] = { "ok", "retry", "give-up" };

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

/*
 * alerting_int.h - what the two files of the alert side share (agent/alerting.c: the outbox and
 * its deliveries; agent/alerting_digest.c: the weekly report summary). Nobody else includes it.
 */
#ifndef MXS_AGENT_ALERTING_INT_H
#define MXS_AGENT_ALERTING_INT_H

#include <stdbool.h>

#include "agent/alerting.h"
#include "agent/curl_loop.h"
#include "agent/store_alert.h"
#include "alerts/sink.h"
#include "lib/alert_decide.h"

#define HOSTNAME_SIZE 256

/* One configured sink and its delivery in flight. */
struct slot {
	struct alerting *a;
	char *name;
	const struct sink *impl;
	void *priv;
	enum severity min_severity;
	char **tags; /* NULL-terminated copy */
	bool busy;
	struct outbox_row row; /* the row in flight */
	bool weekly;      /* it also gets the weekly report summary (agent/alerting_digest.c) */
	bool digest_busy; /* a summary is on its way */
};

struct alerting {
	sd_event *loop;
	struct store *store;
	struct curl_loop *curl;
	sd_event_source *timer;
	char hostname[HOSTNAME_SIZE];
	struct slot *slots;
	size_t n_slots;
	struct alert_policy policy;
	struct alert_silence *silences; /* policy.silences, pointing into silence_strings */
	char **silence_strings;
	long give_up;
	struct alerting_stats stats;
	/* the configured domains with their tags, for routing the weekly summary */
	char **domains;      /* NULL-terminated */
	char ***domain_tags; /* one NULL-terminated vector per domain */
	size_t n_domains;
	sd_event_source *digest_timer;
};

/* Whether a sink with these tags (NULL or empty: all) gets a domain carrying tags. */
bool alerting_routes(char *const *sink_tags, char *const *domain_tags);

/* Take cfg's domains and the sinks' weekly flags; start the hourly check. 0 or -ENOMEM. */
int alerting_digest_configure(struct alerting *a, const struct config *cfg);

/* Send every weekly summary that is due now. */
void alerting_digest_check(struct alerting *a);

/* Release the digest's part. */
void alerting_digest_clear(struct alerting *a);

#endif

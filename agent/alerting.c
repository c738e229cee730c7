/*
 * alerting.c - from each cycle's findings to the outbox, and from the outbox to the sinks; see
 * alerting.h.
 */
#include "agent/alerting.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/curl_loop.h"
#include "agent/log.h"
#include "agent/store_alert.h"
#include "alerts/sink.h"
#include "lib/alert.h"
#include "lib/alert_decide.h"
#include "lib/strv.h"

#define RETRY_FIRST  10  /* seconds before the first retry */
#define RETRY_MAX    600 /* the longest wait between two tries */
#define VALID_CYCLES 3   /* a firing Alertmanager alert is valid for this many intervals */
#define USEC_PER_SEC 1000000ULL

#include "agent/alerting_int.h"

static void pump(struct alerting *a);

static uint64_t monotonic_now(const struct alerting *a)
{
	uint64_t t = 0;

	(void)sd_event_now(a->loop, CLOCK_MONOTONIC, &t);
	return t;
}

static time_t now_wall(void)
{
	return time(NULL);
}

static void slot_release(struct slot *s)
{
	if (s->impl != NULL)
		s->impl->release(s->priv);
	free(s->name);
	strv_free(s->tags);
	outbox_row_clear(&s->row);
	memset(s, 0, sizeof(*s));
}

static void slots_free(struct alerting *a)
{
	for (size_t i = 0; i < a->n_slots; i++)
		slot_release(&a->slots[i]);
	free(a->slots);
	a->slots = NULL;
	a->n_slots = 0;
}

static void silences_free(struct alerting *a)
{
	for (size_t i = 0; a->silence_strings != NULL && i < 2 * a->policy.n_silences; i++)
		free(a->silence_strings[i]);
	free(a->silence_strings);
	free(a->silences);
	a->silence_strings = NULL;
	a->silences = NULL;
	a->policy.silences = NULL;
	a->policy.n_silences = 0;
}

/* A sink's settings as alerts/sink.h wants them, pointing into c. */
static struct sink_settings settings_of(const struct sink_config *c)
{
	return (struct sink_settings){ .name = c->name,
				       .min_severity = c->min_severity,
				       .tags = (const char *const *)c->tags,
				       .relay = c->relay,
				       .from = c->from,
				       .to = (const char *const *)c->to,
				       .starttls_required = c->starttls_required,
				       .username = c->username,
				       .password_file = c->password_file,
				       .url = c->url,
				       .alertmanager = c->alertmanager,
				       .hmac_key_file = c->hmac_key_file,
				       .timeout = c->timeout,
				       .ca_bundle = c->ca_bundle,
				       .facility = c->facility,
				       .ident = c->ident };
}

static int slot_setup(struct alerting *a, struct slot *s, const struct sink_config *c)
{
	const struct sink_settings set = settings_of(c);
	const struct sink_env env = { .loop = a->loop, .curl = a->curl, .hostname = a->hostname };
	struct mxs_error err = { 0 };
	int r;

	*s = (struct slot){ .a = a, .min_severity = c->min_severity };
	s->name = strdup(c->name);
	s->tags = strv_dup((const char *const *)c->tags);
	if (s->name == NULL || s->tags == NULL)
		return -ENOMEM;
	s->impl = sink_lookup(sink_kind_name(c->kind));
	if (s->impl == NULL)
		return -EINVAL;
	r = s->impl->configure(&set, &env, &s->priv, &err);
	if (r < 0) {
		log_msg(LOG_ERR, "alert sink %s cannot be set up, its alerts wait: %s", c->name,
			err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		s->impl = NULL;
	}
	return 0;
}

static int set_silences(struct alerting *a, const struct alert_config *ac)
{
	size_t i, n = ac->n_silences;

	a->silences = calloc(n + 1, sizeof(*a->silences));
	a->silence_strings = calloc(2 * n + 1, sizeof(*a->silence_strings));
	if (a->silences == NULL || a->silence_strings == NULL)
		return -ENOMEM;
	a->policy.n_silences = n;
	for (i = 0; i < n; i++) {
		const struct silence_config *c = &ac->silences[i];

		a->silence_strings[2 * i] = c->domain != NULL ? strdup(c->domain) : NULL;
		a->silence_strings[2 * i + 1] = c->code != NULL ? strdup(c->code) : NULL;
		if ((c->domain != NULL && a->silence_strings[2 * i] == NULL) ||
		    (c->code != NULL && a->silence_strings[2 * i + 1] == NULL))
			return -ENOMEM;
		a->silences[i] = (struct alert_silence){ .domain = a->silence_strings[2 * i],
							 .code = a->silence_strings[2 * i + 1],
							 .until = c->until };
	}
	a->policy.silences = a->silences;
	return 0;
}

int alerting_configure(struct alerting *a, const struct config *cfg)
{
	struct mxs_error err = { 0 };
	const char **names;
	size_t i, n_orphans = 0, n_back = 0;
	int r = 0;

	/* deliveries in flight are cancelled with their sinks: their rows go back to the queue */
	slots_free(a);
	silences_free(a);
	(void)store_outbox_recover(a->store, &n_back, NULL);
	a->policy.damping = cfg->alerting.damping;
	a->policy.reminder = cfg->alerting.reminder;
	a->give_up = cfg->alerting.give_up;
	if (set_silences(a, &cfg->alerting) < 0)
		return -ENOMEM;
	a->slots = calloc(cfg->n_sinks + 1, sizeof(*a->slots));
	names = calloc(cfg->n_sinks + 1, sizeof(*names));
	if (a->slots == NULL || names == NULL) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; r == 0 && i < cfg->n_sinks; i++) {
		r = slot_setup(a, &a->slots[i], &cfg->sinks[i]);
		a->n_slots = i + 1;
		names[i] = cfg->sinks[i].name;
	}
	if (r == 0)
		r = alerting_digest_configure(a, cfg);
	if (r == 0 &&
	    store_outbox_orphans(a->store, names, "its sink is no longer configured", now_wall(),
				 &n_orphans, &err) == 0 &&
	    n_orphans > 0)
		log_msg(LOG_WARNING,
			"%zu queued alert%s dropped: their sink is no longer configured", n_orphans,
			n_orphans == 1 ? "" : "s");
	mxs_error_clear(&err);
	free(names);
	pump(a);
	return r == -ENOMEM ? r : 0;
}

/* One message of the domain: decide, then queue each sink's part with the tracks. */
void alerting_cycle(struct alerting *a, const char *domain, const char *const *tags,
		    const struct findings *found, time_t at, unsigned interval)
{
	struct alert_track *prev = NULL, *next = NULL;
	struct outbox_new *rows = NULL;
	struct alert_message msg = { 0 }, *parts = NULL;
	char **bodies = NULL;
	struct mxs_error err = { 0 };
	size_t n_prev = 0, n_next = 0, n_rows = 0, i;
	int r;

	r = store_alert_load(a->store, domain, &prev, &n_prev, &err);
	if (r == 0)
		r = alert_message_init(&msg, domain, tags, at);
	if (r == 0)
		r = alert_decide(domain, prev, n_prev, found, &a->policy, at, &next, &n_next, &msg);
	msg.valid_until = at + (time_t)VALID_CYCLES * interval;
	rows = calloc(a->n_slots + 1, sizeof(*rows));
	parts = calloc(a->n_slots + 1, sizeof(*parts));
	bodies = calloc(a->n_slots + 1, sizeof(*bodies));
	if (r == 0 && (rows == NULL || parts == NULL || bodies == NULL))
		r = -ENOMEM;
	for (i = 0; r == 0 && msg.n_items > 0 && i < a->n_slots; i++) {
		const struct slot *s = &a->slots[i];
		int k = alert_message_filter(&msg, s->min_severity, (const char *const *)s->tags,
					     &parts[i]);

		if (k < 0)
			r = k;
		if (k <= 0)
			continue;
		r = alert_json(&parts[i], a->hostname, &bodies[i]);
		if (r == 0)
			rows[n_rows++] = (struct outbox_new){ .sink = s->name,
							      .message_id = parts[i].id,
							      .body = bodies[i],
							      .valid_until = msg.valid_until };
	}
	if (r == 0)
		r = store_alert_commit(a->store, domain, next, n_next, rows, n_rows, at, &err);
	if (r < 0)
		log_about(LOG_ERR, domain, NULL, NULL, SEVERITY_OK,
			  "cannot queue this cycle's alerts: %s",
			  err.what != NULL ? err.what : strerror(-r));
	else if (n_rows > 0)
		log_about(LOG_INFO, domain, NULL, NULL, SEVERITY_OK,
			  "%zu alert item%s queued for %zu sink%s", msg.n_items,
			  msg.n_items == 1 ? "" : "s", n_rows, n_rows == 1 ? "" : "s");
	mxs_error_clear(&err);
	for (i = 0; i < a->n_slots && parts != NULL; i++) {
		alert_message_clear(&parts[i]);
		free(bodies[i]);
	}
	free(parts);
	free(bodies);
	free(rows);
	alert_message_clear(&msg);
	alert_tracks_free(prev, n_prev);
	alert_tracks_free(next, n_next);
	if (n_rows > 0)
		pump(a);
}

/* 10 s, 20 s, 40 s, ... up to 10 min. */
static time_t backoff(unsigned attempts)
{
	time_t wait = RETRY_FIRST;

	while (attempts > 1 && wait < RETRY_MAX) {
		wait *= 2;
		attempts--;
	}
	return wait < RETRY_MAX ? wait : RETRY_MAX;
}

static void on_delivered(enum sink_result result, const char *detail, void *userdata)
{
	struct slot *s = userdata;
	struct alerting *a = s->a;
	struct outbox_row *row = &s->row;
	time_t now = now_wall();
	unsigned attempts = row->attempts + 1;
	const char *state = "delivered";
	time_t next = now;

	if (result == SINK_RETRY && now - row->created < a->give_up) {
		state = "pending";
		next = now + backoff(attempts);
		a->stats.retries++;
		log_about(LOG_WARNING, row->domain, NULL, NULL, SEVERITY_OK,
			  "alert %s to %s not delivered (%s): next try in %lld s", row->message_id,
			  s->name, detail != NULL ? detail : "no detail", (long long)(next - now));
	} else if (result != SINK_OK) {
		state = "failed";
		a->stats.failed++;
		log_about(LOG_ERR, row->domain, NULL, NULL, SEVERITY_OK,
			  "alert %s to %s dropped after %u attempt%s (%s): %s", row->message_id,
			  s->name, attempts, attempts == 1 ? "" : "s",
			  result == SINK_RETRY ? "tried for too long" : "refused",
			  detail != NULL ? detail : "no detail");
	} else {
		a->stats.delivered++;
		log_about(LOG_INFO, row->domain, NULL, NULL, SEVERITY_OK,
			  "alert %s delivered to %s", row->message_id, s->name);
	}
	if (store_outbox_done(a->store, row->id, state, attempts, next,
			      result == SINK_OK ? NULL : detail, now, NULL) < 0)
		log_msg(LOG_ERR, "cannot record the delivery of alert %s", row->message_id);
	outbox_row_clear(row);
	s->busy = false;
	pump(a);
}

/* Start the next delivery of one idle sink, if a row is due. */
static void pump_slot(struct alerting *a, struct slot *s, time_t now)
{
	struct alert_message msg = { 0 };
	struct mxs_error err = { 0 };
	int r;

	if (s->busy || s->impl == NULL)
		return;
	r = store_outbox_next(a->store, s->name, now, &s->row, &err);
	if (r <= 0) {
		if (r < 0)
			log_msg(LOG_ERR, "cannot read the outbox: %s",
				err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		return;
	}
	r = alert_message_from_json(s->row.body, strlen(s->row.body), &msg, &err);
	if (r == 0) {
		msg.valid_until = s->row.valid_until;
		s->busy = true;
		r = s->impl->deliver(s->priv, &msg, on_delivered, s);
		alert_message_clear(&msg);
		if (r < 0) {
			s->busy = false;
			on_delivered(SINK_RETRY, strerror(-r), s);
		}
		return;
	}
	log_msg(LOG_ERR, "queued alert %lld is damaged, dropped: %s", s->row.id,
		err.what != NULL ? err.what : strerror(-r));
	mxs_error_clear(&err);
	(void)store_outbox_done(a->store, s->row.id, "failed", s->row.attempts, now, "damaged", now,
				NULL);
	outbox_row_clear(&s->row);
}

/* Start what is due on every idle sink; wake up again when the next row falls due. */
static void pump(struct alerting *a)
{
	time_t now = now_wall(), next = 0;
	size_t i, pending = 0;

	for (i = 0; i < a->n_slots; i++)
		pump_slot(a, &a->slots[i], now);
	if (store_outbox_pending(a->store, &pending, &next, NULL) == 0)
		a->stats.pending = pending;
	if (next == 0) {
		(void)sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
		return;
	}
	if (next <= now)
		next = now + 1;
	(void)sd_event_source_set_time(a->timer,
				       (uint64_t)(next - now) * USEC_PER_SEC + monotonic_now(a));
	(void)sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)src;
	(void)usec;
	pump(userdata);
	return 0;
}

int alerting_new(sd_event *loop, struct store *store, struct alerting **ret,
		 struct mxs_error *reterr)
{
	struct alerting *a = calloc(1, sizeof(*a));
	size_t n = 0;
	int r;

	if (a == NULL)
		return -ENOMEM;
	a->loop = sd_event_ref(loop);
	a->store = store;
	if (gethostname(a->hostname, sizeof(a->hostname) - 1) < 0 || a->hostname[0] == '\0')
		strcpy(a->hostname, "localhost");
	r = curl_loop_new(loop, &a->curl, reterr);
	if (r == 0)
		r = sd_event_add_time(loop, &a->timer, CLOCK_MONOTONIC, UINT64_MAX,
				      USEC_PER_SEC / 2, on_timer, a);
	if (r < 0) {
		alerting_free(a);
		return r;
	}
	(void)sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
	/* rows a crash cut off in flight: sent again, at least once */
	if (store_outbox_recover(store, &n, NULL) == 0 && n > 0) {
		a->stats.redelivered += n;
		log_msg(LOG_WARNING,
			"%zu alert%s cut off in flight by the last stop will be sent again "
			"(the receiver may see %s twice)",
			n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
	}
	*ret = a;
	return 0;
}

void alerting_retry_now(struct alerting *a)
{
	(void)store_outbox_retry_now(a->store, now_wall(), NULL);
	pump(a);
	alerting_digest_check(a);
}

const struct alerting_stats *alerting_stats(const struct alerting *a)
{
	return &a->stats;
}

struct alerting *alerting_free(struct alerting *a)
{
	if (a == NULL)
		return NULL;
	slots_free(a);
	silences_free(a);
	alerting_digest_clear(a);
	sd_event_source_disable_unref(a->timer);
	a->curl = curl_loop_free(a->curl);
	sd_event_unref(a->loop);
	free(a);
	return NULL;
}

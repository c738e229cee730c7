/*
 * alerting_digest.c - the weekly TLS-RPT summary mail of an email sink ("weekly_summary",
 * mxsentry.conf(5)): once a week, per sink, the report summary of the domains routed to it
 * (agent/report_summary.h: per domain and organisation, success rate, failures by type, MX hosts
 * and addresses, each failure against our probes, the trend against the week before).
 *
 * The week is counted from the last summary the sink took, kept in the store (agent_marks), so
 * that a restart neither repeats nor skips one; a sink's first summary comes a week after it was
 * first configured with weekly_summary. A summary the relay does not take is tried again at the
 * next hourly check. Summaries do not go through the outbox: one that is lost is rebuilt the
 * next hour from the store, which is where its content lives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/alerting_int.h"
#include "agent/log.h"
#include "agent/report_summary.h"
#include "lib/strv.h"

#define WEEK         (7 * 86400L)
#define CHECK_EVERY  (3600ULL * 1000000ULL) /* microseconds between two checks */
#define SUMMARY_DAYS 7

bool alerting_routes(char *const *sink_tags, char *const *domain_tags)
{
	size_t i, k;

	if (sink_tags == NULL || sink_tags[0] == NULL)
		return true;
	for (i = 0; sink_tags[i] != NULL; i++)
		for (k = 0; domain_tags != NULL && domain_tags[k] != NULL; k++)
			if (strcmp(sink_tags[i], domain_tags[k]) == 0)
				return true;
	return false;
}

void alerting_digest_clear(struct alerting *a)
{
	for (size_t i = 0; i < a->n_domains; i++)
		strv_free(a->domain_tags[i]);
	free(a->domain_tags);
	a->domains = strv_free(a->domains);
	a->domain_tags = NULL;
	a->n_domains = 0;
	a->digest_timer = sd_event_source_disable_unref(a->digest_timer);
}

struct digest_job {
	struct slot *slot;
	time_t at;
};

static void on_sent(enum sink_result result, const char *detail, void *userdata)
{
	struct digest_job *j = userdata;
	struct slot *s = j->slot;
	char mark[256];

	s->digest_busy = false;
	snprintf(mark, sizeof(mark), "weekly-summary:%s", s->name);
	if (result == SINK_OK) {
		if (store_mark_set(s->a->store, mark, j->at, NULL) < 0)
			log_msg(LOG_ERR,
				"the weekly summary to %s was sent but not recorded: it may "
				"be sent again",
				s->name);
		else
			log_msg(LOG_INFO, "weekly TLS-RPT summary sent to %s", s->name);
	} else {
		log_msg(LOG_WARNING,
			"the weekly TLS-RPT summary to %s was not taken (%s): tried "
			"again within the hour",
			s->name, detail != NULL ? detail : "no detail");
	}
	free(j);
}

/* "[mxsentry] weekly TLS-RPT summary: 3 domains, 12034 sessions, 99.2% successful" */
static char *subject_of(const struct rpt_summary *sum, const char *const *names, size_t n)
{
	unsigned long long ok = 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		const struct rpt_domain *d = rpt_summary_domain(sum, names[i]);

		if (d != NULL) {
			ok += d->total.now.successful;
			failed += d->total.now.failed;
		}
	}
	if (ok + failed == 0)
		return mxs_strdupf("[mxsentry] weekly TLS-RPT summary: %zu domain%s, no report", n,
				   n == 1 ? "" : "s");
	/* rounded down, as the body writes rates: 99.99% is not "100.0%" while failures exist */
	return mxs_strdupf("[mxsentry] weekly TLS-RPT summary: %zu domain%s, %llu sessions, "
			   "%llu.%llu%% successful",
			   n, n == 1 ? "" : "s", ok + failed, ok * 1000 / (ok + failed) / 10,
			   ok * 1000 / (ok + failed) % 10);
}

/* Build and send one sink's summary of its domains. */
static int send_summary(struct alerting *a, struct slot *s, time_t now)
{
	const char **names = calloc(a->n_domains + 1, sizeof(*names));
	struct rpt_summary sum = { 0 };
	struct mxs_error err = { 0 };
	struct digest_job *j = NULL;
	char *body = NULL, *subject = NULL, id[96], day[16];
	size_t n = 0, len = 0;
	struct tm tm;
	FILE *f;
	int r;

	if (names == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_domains; i++)
		if (alerting_routes(s->tags, a->domain_tags[i]))
			names[n++] = a->domains[i];
	r = report_summary_load(a->store, NULL, names, n, now, SUMMARY_DAYS, &sum, &err);
	if (r < 0) {
		log_msg(LOG_ERR, "the weekly summary to %s cannot be built: %s", s->name,
			err.what != NULL ? err.what : strerror(-r));
		goto out;
	}
	f = open_memstream(&body, &len);
	if (f == NULL) {
		r = -ENOMEM;
		goto out;
	}
	(void)report_summary_text(f, &sum, names, n);
	if (fclose(f) != 0 || (subject = subject_of(&sum, names, n)) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (gmtime_r(&now, &tm) == NULL || strftime(day, sizeof(day), "%Y%m%d", &tm) == 0)
		snprintf(day, sizeof(day), "%lld", (long long)now);
	snprintf(id, sizeof(id), "weekly.%s.%.60s", day, s->name);
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		r = -ENOMEM;
		goto out;
	}
	*j = (struct digest_job){ .slot = s, .at = now };
	s->digest_busy = true;
	r = s->impl->deliver_text(s->priv, id, subject, body, on_sent, j);
	if (r < 0) {
		s->digest_busy = false;
		free(j);
		log_msg(LOG_ERR, "the weekly summary to %s cannot be sent: %s", s->name,
			strerror(-r));
	}
out:
	mxs_error_clear(&err);
	rpt_summary_clear(&sum);
	free(names);
	free(body);
	free(subject);
	return r;
}

void alerting_digest_check(struct alerting *a)
{
	time_t now = time(NULL), last = 0;
	char mark[256];

	for (size_t i = 0; i < a->n_slots; i++) {
		struct slot *s = &a->slots[i];
		int r;

		if (!s->weekly || s->digest_busy || s->impl == NULL ||
		    s->impl->deliver_text == NULL)
			continue;
		snprintf(mark, sizeof(mark), "weekly-summary:%s", s->name);
		r = store_mark_get(a->store, mark, &last, NULL);
		if (r == 0) {
			/* the week starts now */
			(void)store_mark_set(a->store, mark, now, NULL);
			continue;
		}
		if (r < 0 || now - last < WEEK)
			continue;
		(void)send_summary(a, s, now);
	}
}

static int on_check(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)sd_event_source_set_time(src, usec + CHECK_EVERY);
	(void)sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
	alerting_digest_check(userdata);
	return 0;
}

int alerting_digest_configure(struct alerting *a, const struct config *cfg)
{
	uint64_t now = 0;
	size_t i;
	int r;

	alerting_digest_clear(a);
	a->domains = calloc(cfg->n_domains + 1, sizeof(*a->domains));
	a->domain_tags = calloc(cfg->n_domains + 1, sizeof(*a->domain_tags));
	if (a->domains == NULL || a->domain_tags == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->n_domains; i++) {
		a->domains[i] = strdup(cfg->domains[i].name);
		a->domain_tags[i] = strv_dup((const char *const *)cfg->domains[i].tags);
		a->n_domains = i + 1;
		if (a->domains[i] == NULL || a->domain_tags[i] == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < a->n_slots && i < cfg->n_sinks; i++)
		a->slots[i].weekly =
		    cfg->sinks[i].kind == SINK_EMAIL && cfg->sinks[i].weekly_summary;
	(void)sd_event_now(a->loop, CLOCK_MONOTONIC, &now);
	r = sd_event_add_time(a->loop, &a->digest_timer, CLOCK_MONOTONIC, now + 1000000ULL,
			      1000000ULL, on_check, a);
	return r < 0 ? r : 0;
}

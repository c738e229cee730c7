/*
 * sched.c - the agent's schedule; see sched.h.
 */
#include "agent/sched.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/evaluate.h"
#include "agent/gather.h"
#include "agent/log.h"
#include "agent/observe.h"
#include "agent/store_state.h"
#include "lib/strv.h"

#define USEC_PER_SEC 1000000ULL
/* The first check of a domain is spread over interval / FIRST_SPREAD_DIV, at most ... */
#define FIRST_SPREAD_DIV 20
#define FIRST_SPREAD_MAX (30 * USEC_PER_SEC)
/* Later ones drift by up to interval / DRIFT_DIV either way. */
#define DRIFT_DIV 10

/* What one run needs, copied so that a reload during the run cannot pull it away. */
struct batch {
	struct gather_opts opts;
	char *strings[6]; /* the opts strings, owned */
	struct gather_domain *doms;
	char **names; /* owned copies, doms[i].name */
	size_t n;
	uint64_t started;
};

struct sched {
	sd_event *loop;
	struct store *store;
	sd_event_source *timer;
	struct sched_domain *doms;
	size_t n;
	/* the gather settings of the current configuration, copied */
	struct gather_opts opts;
	char *strings[6];
	struct gather *gather; /* the run in flight, or NULL */
	struct batch *batch;
	struct sched_stats stats;
	uint64_t rand; /* xorshift state for the drift */
	sched_cycle_fn on_cycle;
	void *on_cycle_data;
	char **rpt_types; /* the report result types the domains' settings point into */
	long rpt_window;  /* seconds of reports each cycle looks at */
};

static void sched_arm(struct sched *s);

static uint64_t now_usec(const struct sched *s)
{
	uint64_t t = 0;

	(void)sd_event_now(s->loop, CLOCK_MONOTONIC, &t);
	return t;
}

/* A uniform number in [0, n): good enough to make domains drift apart, nothing more. */
static uint64_t next_rand(struct sched *s, uint64_t n)
{
	s->rand ^= s->rand << 13;
	s->rand ^= s->rand >> 7;
	s->rand ^= s->rand << 17;
	return n > 0 ? s->rand % n : 0;
}

/* FNV-1a of the name: where in the first spread a domain's first check falls, every start. */
static uint64_t name_hash(const char *name)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h;
}

static uint64_t first_due(const struct sched *s, const char *name, unsigned interval)
{
	uint64_t spread = (uint64_t)interval * USEC_PER_SEC / FIRST_SPREAD_DIV;

	if (spread > FIRST_SPREAD_MAX)
		spread = FIRST_SPREAD_MAX;
	return now_usec(s) + (spread > 0 ? name_hash(name) % spread : 0);
}

static uint64_t later_due(struct sched *s, unsigned interval)
{
	uint64_t base = (uint64_t)interval * USEC_PER_SEC, drift = base / DRIFT_DIV;

	return now_usec(s) + base - drift + next_rand(s, 2 * drift + 1);
}

static void domain_clear(struct sched_domain *d)
{
	free(d->name);
	strv_free(d->tags);
	snapshot_free(d->snap);
	findings_clear(&d->found);
	*d = (struct sched_domain){ 0 };
}

/* Copy the gather settings' strings of cfg into strings[] and point opts at them. */
static int opts_copy(const struct config *cfg, struct gather_opts *opts, char *strings[6])
{
	const char *const from[6] = { cfg->resolver,    cfg->ca_bundle,   cfg->ehlo_name,
				      cfg->source_ipv4, cfg->source_ipv6, cfg->dnssec_probe };
	size_t i;

	for (i = 0; i < 6; i++) {
		strings[i] = from[i] != NULL ? strdup(from[i]) : NULL;
		if (from[i] != NULL && strings[i] == NULL)
			return -ENOMEM;
	}
	*opts = (struct gather_opts){ .resolver = strings[0],
				      .ca_bundle = strings[1],
				      .ehlo_name = strings[2],
				      .source_ipv4 = strings[3],
				      .source_ipv6 = strings[4],
				      .dnssec_probe_name = strings[5],
				      .timeouts = cfg->timeouts,
				      .max_sessions = cfg->max_sessions,
				      .max_domains = cfg->max_domains,
				      .smtp_port = 25 };
	return 0;
}

static void strings_free(char *strings[6])
{
	for (size_t i = 0; i < 6; i++) {
		free(strings[i]);
		strings[i] = NULL;
	}
}

static struct batch *batch_free(struct batch *b)
{
	if (b == NULL)
		return NULL;
	strings_free(b->strings);
	for (size_t i = 0; i < b->n; i++)
		free(b->names[i]);
	free(b->names);
	free(b->doms);
	free(b);
	return NULL;
}

static struct sched_domain *find(struct sched *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->doms[i].name, name) == 0)
			return &s->doms[i];
	return NULL;
}

/* "2 MX hosts, 3 addresses": what domain_cycles.summary says of a snapshot. */
static char *summary_of(const struct snapshot *snap)
{
	size_t i, addrs = 0;

	for (i = 0; i < snap->n_mx; i++)
		addrs += snap->mx[i].n_addrs;
	return mxs_strdupf("%zu MX host%s, %zu address%s", snap->n_mx, snap->n_mx == 1 ? "" : "s",
			   addrs, addrs == 1 ? "" : "es");
}

/* Log what changed in the store: each transition once, with its fields. */
static void log_transitions(const struct store_transitions *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct state_event *e = &t->v[i];
		bool resolved = e->kind == STATE_EVENT_RESOLVED;
		char was[32] = "";

		if (e->kind == STATE_EVENT_CHANGED)
			snprintf(was, sizeof(was), " (was %s)", severity_name(e->old_severity));
		log_about(log_priority_of(resolved ? SEVERITY_OK : e->severity), e->domain,
			  e->check, e->code, e->severity, "%s %s%s: %s%s%s%s%s%s: %s",
			  store_event_kind_name(e->kind),
			  severity_name(resolved ? e->old_severity : e->severity), was, e->domain,
			  e->mx != NULL ? " " : "", e->mx != NULL ? e->mx : "",
			  e->address != NULL ? " [" : "", e->address != NULL ? e->address : "",
			  e->address != NULL ? "]" : "", e->message != NULL ? e->message : "");
	}
}

/*
 * One domain's cycle: evaluate with the history, record, apply to the state. Takes snap. Returns
 * 0, or -errno when the cycle could not be recorded (the domain keeps its previous results).
 */
static int record_cycle(struct sched *s, struct sched_domain *d, struct snapshot *snap)
{
	struct store_transitions trans = { 0 };
	struct findings found = { 0 };
	struct history hist = { 0 };
	struct mxs_error err = { 0 };
	char *summary = NULL;
	int r;

	r = observe_history(s->store, d->name, "no store", &hist);
	if (r == 0)
		r = observe_reports(s->store, d->name, d->interval, s->rpt_window, snap->taken_at,
				    &hist);
	if (r == 0)
		r = evaluate_domain(snap, d->checks, &d->settings, &hist, &found);
	history_clear(&hist);
	if (r < 0)
		goto out;
	if (observe_record(s->store, snap, &err) < 0) {
		log_about(LOG_WARNING, d->name, NULL, NULL, SEVERITY_OK,
			  "cannot record what the cycle observed: %s",
			  err.what != NULL ? err.what : "error");
		mxs_error_clear(&err);
	}
	summary = summary_of(snap);
	r = store_state_apply(s->store, d->name, &found, snap->taken_at, snap->duration_ms,
			      summary != NULL ? summary : "", &trans, &err);
	s->stats.store_ok = r == 0;
	if (r < 0) {
		log_about(LOG_ERR, d->name, NULL, NULL, SEVERITY_OK,
			  "cannot record the cycle's findings: %s",
			  err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		goto out;
	}
	log_transitions(&trans);
	snapshot_free(d->snap);
	findings_clear(&d->found);
	d->snap = snap;
	d->found = found;
	snap = NULL;
	found = (struct findings){ 0 };
	d->last_cycle_end = time(NULL);
	d->cycles++;
out:
	store_transitions_clear(&trans);
	findings_clear(&found);
	snapshot_free(snap);
	free(summary);
	return r;
}

static void on_gathered(struct gather *g, int error, struct snapshot **snaps, size_t n,
			void *userdata)
{
	struct sched *s = userdata;
	struct batch *b = s->batch;
	unsigned failed = 0;
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct sched_domain *d = find(s, b->names[i]);

		if (d != NULL) {
			d->running = false;
			d->next_due = later_due(s, d->interval);
		}
		if (error < 0 || snaps == NULL || i >= n) {
			failed++;
			continue;
		}
		/* a domain removed by a reload during the run: its results go nowhere */
		if (d == NULL) {
			snapshot_free(snaps[i]);
			continue;
		}
		if (record_cycle(s, d, snaps[i]) < 0)
			failed++;
		else if (s->on_cycle != NULL)
			s->on_cycle(d, s->on_cycle_data);
	}
	free(snaps);
	if (error < 0)
		log_msg(LOG_ERR, "a check run of %zu domains failed: %s", b->n, strerror(-error));
	s->stats.cycles++;
	if (failed > 0)
		s->stats.failures++;
	else
		s->stats.last_cycle_ok = time(NULL);
	log_msg(LOG_INFO, "checked %zu domain%s in %.1f s", b->n, b->n == 1 ? "" : "s",
		(double)(now_usec(s) - b->started) / USEC_PER_SEC);
	s->gather = gather_free(g);
	s->batch = batch_free(b);
	s->stats.running = false;
	sched_arm(s);
}

/* Start one run with every domain that is due. Returns 0 or -errno (nothing started). */
static int start_batch(struct sched *s, uint64_t now)
{
	struct mxs_error err = { 0 };
	struct batch *b;
	size_t i, k = 0;
	int r = -ENOMEM;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		if (!s->doms[i].running && s->doms[i].next_due <= now)
			b->n++;
	b->doms = calloc(b->n + 1, sizeof(*b->doms));
	b->names = calloc(b->n + 1, sizeof(*b->names));
	if (b->doms == NULL || b->names == NULL)
		goto fail;
	for (i = 0; i < s->n && k < b->n; i++) {
		const struct sched_domain *d = &s->doms[i];

		if (d->running || d->next_due > now)
			continue;
		b->names[k] = strdup(d->name);
		if (b->names[k] == NULL)
			goto fail;
		b->doms[k] = (struct gather_domain){ .name = b->names[k],
						     .warning_secs = d->settings.cert_warning,
						     .critical_secs = d->settings.cert_critical,
						     .needs = evaluate_needs(d->checks) };
		k++;
	}
	b->n = k;
	const char *const from[6] = { s->opts.resolver,    s->opts.ca_bundle,
				      s->opts.ehlo_name,   s->opts.source_ipv4,
				      s->opts.source_ipv6, s->opts.dnssec_probe_name };
	for (i = 0; i < 6; i++)
		if (from[i] != NULL && (b->strings[i] = strdup(from[i])) == NULL)
			goto fail;
	b->opts = s->opts;
	b->opts.resolver = b->strings[0];
	b->opts.ca_bundle = b->strings[1];
	b->opts.ehlo_name = b->strings[2];
	b->opts.source_ipv4 = b->strings[3];
	b->opts.source_ipv6 = b->strings[4];
	b->opts.dnssec_probe_name = b->strings[5];
	b->started = now;
	r = gather_start(s->loop, &b->opts, b->doms, b->n, on_gathered, s, &s->gather, &err);
	if (r < 0) {
		log_msg(LOG_ERR, "cannot start checking: %s",
			err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		goto fail;
	}
	for (i = 0; i < b->n; i++)
		find(s, b->names[i])->running = true;
	s->batch = b;
	s->stats.running = true;
	s->stats.run_started = now;
	log_msg(LOG_DEBUG, "checking %zu domain%s", b->n, b->n == 1 ? "" : "s");
	return 0;
fail:
	batch_free(b);
	return r;
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sched *s = userdata;
	uint64_t now = now_usec(s);
	size_t i;

	(void)src;
	(void)usec;
	if (s->gather == NULL && start_batch(s, now) < 0) {
		/* try again in a minute rather than spin on a failure that may last */
		for (i = 0; i < s->n; i++)
			if (!s->doms[i].running && s->doms[i].next_due <= now)
				s->doms[i].next_due = now + 60 * USEC_PER_SEC;
		s->stats.failures++;
	}
	sched_arm(s);
	return 0;
}

/* Arm the timer at the earliest due time, unless a run is in flight (its end re-arms it). */
static void sched_arm(struct sched *s)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	if (s->gather != NULL) {
		(void)sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
		return;
	}
	for (i = 0; i < s->n; i++)
		if (!s->doms[i].running && s->doms[i].next_due < next)
			next = s->doms[i].next_due;
	if (next == UINT64_MAX) {
		(void)sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
		return;
	}
	(void)sd_event_source_set_time(s->timer, next);
	(void)sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

int sched_new(sd_event *loop, struct store *store, struct sched **ret)
{
	struct sched *s = calloc(1, sizeof(*s));
	int r;

	if (s == NULL)
		return -ENOMEM;
	s->loop = sd_event_ref(loop);
	s->store = store;
	s->stats.started = time(NULL);
	s->stats.store_ok = true;
	s->rand = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;
	r = sd_event_add_time(loop, &s->timer, CLOCK_MONOTONIC, UINT64_MAX, USEC_PER_SEC / 10,
			      on_timer, s);
	if (r < 0) {
		sched_free(s);
		return r;
	}
	(void)sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
	*ret = s;
	return 0;
}

struct sched *sched_free(struct sched *s)
{
	if (s == NULL)
		return NULL;
	s->gather = gather_free(s->gather);
	s->batch = batch_free(s->batch);
	for (size_t i = 0; i < s->n; i++)
		domain_clear(&s->doms[i]);
	free(s->doms);
	strings_free(s->strings);
	strv_free(s->rpt_types);
	sd_event_source_disable_unref(s->timer);
	sd_event_unref(s->loop);
	free(s);
	return NULL;
}

/* The settings the checks of one domain get (as "mxsentry check" merges them). */
static void settings_of(const struct domain_config *dc, const struct reports_config *rc,
			char *const *rpt_types, struct check_settings *out)
{
	*out = (struct check_settings){ .rpt_alert_rate = rc->alert_rate,
					.rpt_alert_min_sessions = rc->min_sessions,
					.rpt_alert_types = (const char *const *)rpt_types,
					.cert_warning = dc->cert.warning,
					.cert_critical = dc->cert.critical,
					.dane_single_record = dc->dane.single_record,
					.dane_full_certificate = dc->dane.full_certificate };
}

int sched_configure(struct sched *s, const struct config *cfg)
{
	struct sched_domain *doms = calloc(cfg->n_domains + 1, sizeof(*doms));
	char **rpt_types = strv_dup((const char *const *)cfg->reports.alert_types);
	struct gather_opts opts;
	char *strings[6] = { NULL };
	struct mxs_error err = { 0 };
	size_t i;

	if (doms == NULL || rpt_types == NULL || opts_copy(cfg, &opts, strings) < 0)
		goto nomem;
	for (i = 0; i < cfg->n_domains; i++) {
		const struct domain_config *dc = &cfg->domains[i];
		struct sched_domain *old = find(s, dc->name), *d = &doms[i];

		if (old != NULL) {
			/* keep what the schedule knows; the settings are the new ones */
			*d = *old;
			*old = (struct sched_domain){ .name = old->name, .tags = old->tags };
			d->name = NULL;
			d->tags = NULL;
		} else {
			d->next_due = first_due(s, dc->name, dc->interval);
		}
		d->name = strdup(dc->name);
		d->tags = strv_dup((const char *const *)dc->tags);
		if (d->name == NULL || d->tags == NULL)
			goto nomem;
		d->checks = dc->checks;
		d->interval = dc->interval;
		settings_of(dc, &cfg->reports, rpt_types, &d->settings);
	}
	/* what is left of the old table: moved entries (name and tags only) and removed domains */
	for (i = 0; i < s->n; i++) {
		const char *name = s->doms[i].name;
		bool gone = name != NULL;

		for (size_t k = 0; gone && k < cfg->n_domains; k++)
			if (strcmp(cfg->domains[k].name, name) == 0)
				gone = false;
		if (gone && store_state_forget_domain(s->store, name, &err) < 0) {
			log_msg(LOG_WARNING, "%s: cannot forget its state: %s", name,
				err.what != NULL ? err.what : "error");
			mxs_error_clear(&err);
		} else if (gone) {
			log_msg(LOG_INFO,
				"%s: no longer configured; its open problems are forgotten", name);
		}
		domain_clear(&s->doms[i]);
	}
	free(s->doms);
	s->doms = doms;
	s->n = cfg->n_domains;
	strings_free(s->strings);
	memcpy(s->strings, strings, sizeof(strings));
	s->opts = opts;
	strv_free(s->rpt_types);
	s->rpt_types = rpt_types;
	s->rpt_window = cfg->reports.window;
	sched_arm(s);
	return 0;
nomem:
	if (doms != NULL)
		for (i = 0; i < cfg->n_domains; i++)
			domain_clear(&doms[i]);
	free(doms);
	strings_free(strings);
	strv_free(rpt_types);
	return -ENOMEM;
}

void sched_on_cycle(struct sched *s, sched_cycle_fn fn, void *userdata)
{
	s->on_cycle = fn;
	s->on_cycle_data = userdata;
}

void sched_run_now(struct sched *s)
{
	uint64_t now = now_usec(s);

	for (size_t i = 0; i < s->n; i++)
		if (!s->doms[i].running)
			s->doms[i].next_due = now;
	sched_arm(s);
}

const struct sched_domain *sched_domains(const struct sched *s, size_t *ret_n)
{
	*ret_n = s->n;
	return s->doms;
}

const struct sched_stats *sched_stats(const struct sched *s)
{
	return &s->stats;
}

/*
 * daemon.c - mxsentryd as a service; see daemon.h.
 */
#include "autoconf.h"

#include "agent/daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "agent/alerting.h"
#include "agent/cli_config.h"
#include "agent/daemon_http.h"
#include "agent/log.h"
#include "agent/maildir.h"
#include "agent/sched.h"
#include "agent/store.h"

struct daemon {
	const char *config_path;
	sd_event *loop;
	struct config *cfg;
	struct store *store;
	struct sched *sched;
	struct alerting *alerting;
	struct maildir *maildir; /* reports.maildir, when set */
	char *maildir_path;
	struct httpd *httpd;
	char *listen;      /* the endpoint's address now, or NULL */
	char *report_path; /* where it takes reports, borrowed by it */
	struct daemon_view view;
	sd_event_source *watchdog;
	uint64_t watchdog_usec;
};

/*
 * Load the configuration; every error goes to the log as "FILE:LINE: message" (the journal keeps
 * them for "systemctl status"). Returns 0 or a negative errno.
 */
static int load_config(const char *path, struct config **ret)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int r;

	if (mem == NULL)
		return -ENOMEM;
	r = cli_config_load(path, mem, ret);
	if (fclose(mem) != 0 && r == 0) {
		config_free(*ret);
		*ret = NULL;
		r = -ENOMEM;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		log_msg(LOG_ERR, "%s", line);
	free(text);
	return r;
}

static bool healthy(const struct daemon_view *v, const char **ret_why)
{
	const struct sched_stats *st = sched_stats(v->sched);
	struct timespec ts;
	uint64_t now;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
	if (!st->store_ok) {
		*ret_why = "the store cannot be written";
		return false;
	}
	if (st->running && now > st->run_started &&
	    now - st->run_started > (uint64_t)DAEMON_RUN_STUCK_SECS * 1000000ULL) {
		*ret_why = "a check run has been in flight for too long";
		return false;
	}
	*ret_why = NULL;
	return true;
}

/* Start, stop or move the endpoint to cfg's address. A failure is logged; the agent goes on. */
static void apply_http(struct daemon *d, const struct config *cfg)
{
	struct mxs_error err = { 0 };
	int r;

	if ((d->listen == NULL && cfg->http_listen == NULL) ||
	    (d->listen != NULL && cfg->http_listen != NULL &&
	     strcmp(d->listen, cfg->http_listen) == 0 && d->httpd != NULL &&
	     strcmp(d->report_path, cfg->report_path) == 0))
		return;
	d->httpd = httpd_free(d->httpd);
	free(d->listen);
	free(d->report_path);
	d->listen = NULL;
	d->report_path = NULL;
	if (cfg->http_listen == NULL)
		return;
	d->listen = strdup(cfg->http_listen);
	d->report_path = strdup(cfg->report_path);
	if (d->listen == NULL || d->report_path == NULL) {
		log_msg(LOG_ERR, "the HTTP endpoint cannot start: out of memory");
		return;
	}
	r = daemon_http_start(d->loop, cfg->http_listen, d->report_path, &d->view, &d->httpd, &err);
	if (r < 0)
		log_msg(LOG_ERR, "the HTTP endpoint on %s cannot start: %s", cfg->http_listen,
			err.what != NULL ? err.what : strerror(-r));
	else
		log_msg(LOG_INFO, "HTTP endpoint on %s: /metrics /status /healthz, reports on %s",
			cfg->http_listen, cfg->report_path);
	mxs_error_clear(&err);
}

/* Watch cfg's report Maildir, if it is another than now. A failure is logged; the agent goes on. */
static void apply_maildir(struct daemon *d, const struct config *cfg)
{
	const char *path = cfg->reports.maildir;
	struct mxs_error err = { 0 };

	if ((path == NULL && d->maildir_path == NULL) ||
	    (path != NULL && d->maildir_path != NULL && strcmp(path, d->maildir_path) == 0))
		return;
	d->maildir = maildir_free(d->maildir);
	free(d->maildir_path);
	d->maildir_path = NULL;
	if (path == NULL)
		return;
	d->maildir_path = strdup(path);
	if (maildir_watch(d->loop, path, d->store, &d->maildir, &err) < 0)
		log_msg(LOG_ERR, "reports Maildir %s: %s", path,
			err.what != NULL ? err.what : "cannot watch it");
	else
		log_msg(LOG_INFO, "taking TLS-RPT report mails from %s", path);
	mxs_error_clear(&err);
}

static void reload(struct daemon *d)
{
	struct config *cfg = NULL;

	(void)sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
	log_msg(LOG_INFO, "reloading %s", d->config_path);
	if (load_config(d->config_path, &cfg) < 0) {
		d->view.reload_failures++;
		log_msg(LOG_ERR, "%s was not accepted: the running configuration stays",
			d->config_path);
	} else if (strcmp(cfg->state_dir, d->cfg->state_dir) != 0) {
		/* the store is open: moving it under a running agent is not a reload */
		d->view.reload_failures++;
		log_msg(LOG_ERR,
			"state_dir changed from %s to %s: restart mxsentryd to move it; "
			"the running configuration stays",
			d->cfg->state_dir, cfg->state_dir);
		config_free(cfg);
	} else if (sched_configure(d->sched, cfg) < 0) {
		d->view.reload_failures++;
		log_msg(LOG_ERR, "out of memory applying %s: the running configuration stays",
			d->config_path);
		config_free(cfg);
	} else {
		d->view.reloads++;
		if (alerting_configure(d->alerting, cfg) < 0)
			log_msg(LOG_ERR, "out of memory setting up the alert sinks");
		apply_http(d, cfg);
		apply_maildir(d, cfg);
		config_free(d->cfg);
		d->cfg = cfg;
		log_msg(LOG_INFO, "configuration reloaded: %zu domain%s", cfg->n_domains,
			cfg->n_domains == 1 ? "" : "s");
	}
	(void)sd_notifyf(0, "READY=1\nSTATUS=watching %zu domain%s", d->cfg->n_domains,
			 d->cfg->n_domains == 1 ? "" : "s");
}

/* A domain's cycle is recorded: its alerts. */
static void on_cycle(const struct sched_domain *dom, void *userdata)
{
	struct daemon *d = userdata;

	alerting_cycle(d->alerting, dom->name, (const char *const *)dom->tags, &dom->found,
		       dom->snap->taken_at, dom->interval);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	switch (si->ssi_signo) {
	case SIGHUP:
		reload(d);
		break;
	case SIGUSR1:
		log_msg(LOG_INFO, "SIGUSR1: checking every domain now, retrying queued alerts");
		sched_run_now(d->sched);
		alerting_retry_now(d->alerting);
		break;
	default:
		(void)sd_notify(0, "STOPPING=1\nSTATUS=stopping");
		log_msg(LOG_INFO, "stopping (%s)", strsignal((int)si->ssi_signo));
		(void)sd_event_exit(d->loop, 0);
		break;
	}
	return 0;
}

static int on_watchdog(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	const char *why = NULL;

	if (healthy(&d->view, &why))
		(void)sd_notify(0, "WATCHDOG=1");
	else
		log_msg(LOG_ERR, "unhealthy, not feeding the watchdog: %s", why);
	(void)sd_event_source_set_time(s, usec + d->watchdog_usec / 2);
	return 0;
}

static int setup_signals(struct daemon *d)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	sigset_t set;
	size_t i;
	int r;

	/* sd-event takes signals through a signalfd: they must be blocked first */
	sigemptyset(&set);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaddset(&set, signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		r = sd_event_add_signal(d->loop, NULL, signals[i], on_signal, d);
		if (r < 0)
			return r;
	}
	return 0;
}

static int setup_watchdog(struct daemon *d)
{
	uint64_t now = 0;
	int r = sd_watchdog_enabled(0, &d->watchdog_usec);

	if (r <= 0)
		return 0;
	(void)sd_event_now(d->loop, CLOCK_MONOTONIC, &now);
	log_msg(LOG_INFO, "watchdog every %llu ms", (unsigned long long)(d->watchdog_usec / 2000));
	return sd_event_add_time(d->loop, &d->watchdog, CLOCK_MONOTONIC, now + d->watchdog_usec / 2,
				 0, on_watchdog, d);
}

static int start(struct daemon *d)
{
	struct mxs_error err = { 0 };
	int r;

	if (load_config(d->config_path, &d->cfg) < 0)
		return -EINVAL;
	r = store_open(d->cfg->state_dir, &d->store, &err);
	if (r < 0) {
		log_msg(LOG_ERR, "cannot open the store: %s",
			err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		return r;
	}
	r = sd_event_default(&d->loop);
	if (r >= 0)
		r = setup_signals(d);
	if (r >= 0)
		r = setup_watchdog(d);
	if (r >= 0)
		r = alerting_new(d->loop, d->store, &d->alerting, &err);
	if (r >= 0)
		r = alerting_configure(d->alerting, d->cfg);
	if (r >= 0)
		r = sched_new(d->loop, d->store, &d->sched);
	if (r >= 0) {
		sched_on_cycle(d->sched, on_cycle, d);
		r = sched_configure(d->sched, d->cfg);
	}
	if (r < 0) {
		log_msg(LOG_ERR, "cannot start: %s", err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		return r;
	}
	d->view = (struct daemon_view){ .sched = d->sched,
					.alerting = d->alerting,
					.store = d->store,
					.config_path = d->config_path,
					.healthy = healthy };
	apply_http(d, d->cfg);
	apply_maildir(d, d->cfg);
	return 0;
}

int daemon_run(const struct daemon_opts *opts)
{
	struct daemon d = { .config_path = opts->config_path };
	int r, status = 1;

	log_init(opts->foreground ? LOG_TO_STDERR : LOG_TO_AUTO,
		 opts->foreground ? LOG_DEBUG : LOG_INFO);
	if (start(&d) == 0) {
		log_msg(LOG_INFO, "mxsentryd %s watching %zu domain%s (store %s)", PACKAGE_VERSION,
			d.cfg->n_domains, d.cfg->n_domains == 1 ? "" : "s", d.cfg->state_dir);
		(void)sd_notifyf(0, "READY=1\nSTATUS=watching %zu domain%s", d.cfg->n_domains,
				 d.cfg->n_domains == 1 ? "" : "s");
		r = sd_event_loop(d.loop);
		status = r < 0 ? 1 : 0;
		if (r < 0)
			log_msg(LOG_ERR, "the event loop failed: %s", strerror(-r));
	}
	d.httpd = httpd_free(d.httpd);
	d.maildir = maildir_free(d.maildir);
	free(d.maildir_path);
	d.sched = sched_free(d.sched);
	d.alerting = alerting_free(d.alerting);
	d.store = store_close(d.store);
	sd_event_source_disable_unref(d.watchdog);
	sd_event_unref(d.loop);
	free(d.listen);
	free(d.report_path);
	config_free(d.cfg);
	log_msg(LOG_INFO, "stopped");
	return status;
}

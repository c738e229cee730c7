/*
 * daemon_http.c - what the agent's endpoint serves; see daemon_http.h.
 */
#include "autoconf.h"

#include "agent/daemon_http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "agent/log.h"
#include "agent/metrics.h"
#include "agent/report.h"
#include "agent/report_ingest.h"
#include "agent/report_mail.h"

#define STATUS_VERSION 1

static void reply_text(struct httpd_response *resp, unsigned status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body = strdup(text);
	resp->len = resp->body != NULL ? strlen(resp->body) : 0;
}

static void on_metrics(const struct httpd_request *req, struct httpd_response *resp, void *userdata)
{
	const struct daemon_view *v = userdata;
	const struct sched_stats *st = sched_stats(v->sched);
	const struct sched_domain *doms;
	struct metrics_domain *md;
	struct metrics_agent agent = { .started = st->started,
				       .last_cycle_ok = st->last_cycle_ok,
				       .cycles = st->cycles,
				       .cycle_failures = st->failures,
				       .config_reloads = v->reloads,
				       .config_reload_failures = v->reload_failures,
				       .store_ok = st->store_ok,
				       .outbox_pending = alerting_stats(v->alerting)->pending,
				       .alerts_delivered = alerting_stats(v->alerting)->delivered,
				       .alerts_failed = alerting_stats(v->alerting)->failed,
				       .alerts_redelivered =
					   alerting_stats(v->alerting)->redelivered };
	size_t n, i;

	(void)req;
	doms = sched_domains(v->sched, &n);
	md = calloc(n + 1, sizeof(*md));
	if (md == NULL) {
		reply_text(resp, 500, "out of memory\n");
		return;
	}
	for (i = 0; i < n; i++)
		md[i] = (struct metrics_domain){ .name = doms[i].name,
						 .snap = doms[i].snap,
						 .findings =
						     doms[i].snap != NULL ? &doms[i].found : NULL,
						 .last_cycle_end = doms[i].last_cycle_end,
						 .interval = doms[i].interval,
						 .checks = doms[i].checks };
	if (metrics_text(md, n, &agent, &resp->body, &resp->len) < 0) {
		reply_text(resp, 500, "out of memory\n");
	} else {
		resp->status = 200;
		resp->content_type = METRICS_CONTENT_TYPE;
	}
	free(md);
}

static int set(json_t *o, const char *key, json_t *value)
{
	return value == NULL ? -1 : json_object_set_new(o, key, value);
}

static json_t *alerts_json(const struct alerting_stats *a)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "pending", (json_int_t)a->pending,
			 "delivered", (json_int_t)a->delivered, "failed", (json_int_t)a->failed,
			 "redelivered", (json_int_t)a->redelivered, "retries",
			 (json_int_t)a->retries);
}

static json_t *agent_json(const struct daemon_view *v)
{
	const struct sched_stats *st = sched_stats(v->sched);
	const char *why = NULL;
	bool healthy = v->healthy(v, &why);
	json_t *o = json_object();

	if (o == NULL || set(o, "version", json_string(PACKAGE_VERSION)) ||
	    set(o, "config", json_string(v->config_path)) ||
	    set(o, "started", report_json_time(st->started)) ||
	    set(o, "healthy", json_boolean(healthy)) ||
	    set(o, "unhealthy_reason", why != NULL ? json_string(why) : json_null()) ||
	    set(o, "running", json_boolean(st->running)) ||
	    set(o, "cycles", json_integer((json_int_t)st->cycles)) ||
	    set(o, "cycle_failures", json_integer((json_int_t)st->failures)) ||
	    set(o, "last_cycle_ok",
		st->last_cycle_ok > 0 ? report_json_time(st->last_cycle_ok) : json_null()) ||
	    set(o, "config_reloads", json_integer((json_int_t)v->reloads)) ||
	    set(o, "config_reload_failures", json_integer((json_int_t)v->reload_failures)) ||
	    set(o, "store_ok", json_boolean(st->store_ok)) ||
	    set(o, "alerts", alerts_json(alerting_stats(v->alerting)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One domain: its last cycle's document with the schedule's facts, or a pending stub. */
static json_t *domain_json(const struct sched_domain *d)
{
	struct report_domain rd = { .snap = d->snap, .findings = &d->found };
	json_t *o = d->snap != NULL ? report_json_domain(&rd) : json_object();

	if (o == NULL)
		return NULL;
	if ((d->snap == NULL && set(o, "domain", json_string(d->name))) ||
	    set(o, "pending", json_boolean(d->snap == NULL)) ||
	    set(o, "interval", json_integer(d->interval)) ||
	    set(o, "last_cycle",
		d->last_cycle_end > 0 ? report_json_time(d->last_cycle_end) : json_null()) ||
	    set(o, "running", json_boolean(d->running))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void on_status(const struct httpd_request *req, struct httpd_response *resp, void *userdata)
{
	const struct daemon_view *v = userdata;
	const struct sched_domain *doms;
	json_t *root = json_object(), *list = json_array();
	size_t n, i;
	char *text = NULL;

	(void)req;
	doms = sched_domains(v->sched, &n);
	if (root == NULL || list == NULL || set(root, "version", json_integer(STATUS_VERSION)) ||
	    set(root, "generated", report_json_time(time(NULL))) ||
	    set(root, "agent", agent_json(v)))
		goto out;
	for (i = 0; i < n; i++)
		if (json_array_append_new(list, domain_json(&doms[i])) != 0)
			goto out;
	if (json_object_set(root, "domains", list) != 0)
		goto out;
	text = json_dumps(root, JSON_INDENT(2));
out:
	json_decref(list);
	json_decref(root);
	if (text == NULL) {
		reply_text(resp, 500, "out of memory\n");
		return;
	}
	resp->status = 200;
	resp->content_type = "application/json";
	resp->len = strlen(text);
	resp->body = text;
}

static void on_healthz(const struct httpd_request *req, struct httpd_response *resp, void *userdata)
{
	const struct daemon_view *v = userdata;
	const char *why = NULL;
	char *text;

	(void)req;
	if (v->healthy(v, &why)) {
		reply_text(resp, 200, "ok\n");
		return;
	}
	text = mxs_strdupf("unhealthy: %s\n", why != NULL ? why : "unknown");
	reply_text(resp, 503, text != NULL ? text : "unhealthy\n");
	free(text);
}

/* Whether client may send one more report now (a token bucket per client address). */
static bool rate_ok(struct daemon_view *v, const char *client, time_t now)
{
	struct daemon_http_rate *slot = NULL, *oldest = &v->rates[0];
	size_t i;

	for (i = 0; i < DAEMON_HTTP_RATE_CLIENTS && slot == NULL; i++) {
		if (strcmp(v->rates[i].client, client) == 0)
			slot = &v->rates[i];
		else if (v->rates[i].last < oldest->last)
			oldest = &v->rates[i];
	}
	if (slot == NULL) {
		slot = oldest;
		snprintf(slot->client, sizeof(slot->client), "%s", client);
		slot->tokens = DAEMON_HTTP_REPORTS_BURST;
		slot->last = now;
	}
	slot->tokens += (double)(now - slot->last) * DAEMON_HTTP_REPORTS_PER_MIN / 60.0;
	if (slot->tokens > DAEMON_HTTP_REPORTS_BURST)
		slot->tokens = DAEMON_HTTP_REPORTS_BURST;
	slot->last = now;
	if (slot->tokens < 1.0)
		return false;
	slot->tokens -= 1.0;
	return true;
}

/* RPT-DLV-01: the media types of a report POSTed over HTTPS (parameters ignored). */
static bool report_type(const char *ct)
{
	static const char *const types[] = { "application/tlsrpt+gzip", "application/tlsrpt+json" };

	if (ct == NULL)
		return false;
	for (size_t i = 0; i < 2; i++)
		if (strncasecmp(ct, types[i], strlen(types[i])) == 0 &&
		    (ct[strlen(types[i])] == '\0' || ct[strlen(types[i])] == ';' ||
		     ct[strlen(types[i])] == ' '))
			return true;
	return false;
}

static void on_report(const struct httpd_request *req, struct httpd_response *resp, void *userdata)
{
	struct daemon_view *v = userdata;
	struct ingest_result res = { 0 };
	struct mxs_error err = { 0 };
	time_t now = time(NULL);
	char *text;
	int r;

	if (!report_type(httpd_header(req, "Content-Type"))) {
		reply_text(resp, 415,
			   "a report is application/tlsrpt+gzip or application/tlsrpt+json\n");
		return;
	}
	if (!rate_ok(v, req->client, now)) {
		reply_text(resp, 429, "too many reports from this client; try again later\n");
		return;
	}
	r = report_ingest(v->store, req->body, req->body_len, "the request body", "https", now,
			  &res, &err);
	if (r < 0) {
		log_msg(LOG_ERR, "a report POSTed by %s could not be recorded: %s", req->client,
			err.what != NULL ? err.what : strerror(-r));
		reply_text(resp, 503, "the report could not be recorded; try again later\n");
	} else if (res.rejected > 0) {
		v->reports_rejected++;
		log_msg(LOG_WARNING, "a report POSTed by %s was not understood (kept): %s",
			req->client, res.why);
		text = mxs_strdupf("not understood (kept): %s\n", res.why);
		reply_text(resp, 400, text != NULL ? text : "not understood (kept)\n");
		free(text);
	} else {
		v->reports_received++;
		log_msg(LOG_INFO, "report POSTed by %s: %u stored, %u already stored%s%s",
			req->client, res.stored, res.duplicates,
			res.last_domain != NULL ? ", about " : "",
			res.last_domain != NULL ? res.last_domain : "");
		text =
		    mxs_strdupf("{\"stored\":%u,\"duplicates\":%u}\n", res.stored, res.duplicates);
		reply_text(resp, 200, text != NULL ? text : "ok\n");
		resp->content_type = "application/json";
		free(text);
	}
	ingest_result_clear(&res);
	mxs_error_clear(&err);
}

int daemon_http_start(sd_event *loop, const char *listen, const char *report_path,
		      struct daemon_view *view, struct httpd **ret, struct mxs_error *reterr)
{
	const struct httpd_route routes[] = {
		{ "GET", "/metrics", on_metrics, 0 },
		{ "GET", "/status", on_status, 0 },
		{ "GET", "/healthz", on_healthz, 0 },
		{ "POST", report_path, on_report, REPORT_MAIL_MAX_JSON },
	};

	memcpy(view->routes, routes, sizeof(routes));
	return httpd_new(loop, listen, view->routes, report_path != NULL ? 4 : 3, view, ret,
			 reterr);
}

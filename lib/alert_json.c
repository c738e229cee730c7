/*
 * alert_json.c - the JSON renderings of an alert message: mxsentry's webhook schema
 * (docs/json-output.md, "Webhook alerts") and Alertmanager's v2 API; see alert.h.
 *
 * Alertmanager identifies an alert by its whole label set and ends it when an alert with the
 * same labels arrives with endsAt in the past. So the labels of a resolved item are those its
 * firing alert had (its old severity), and a change of severity, which is a change of labels,
 * ends the old alert and starts a new one. Without endsAt, Alertmanager ends a firing alert
 * itself after its resolve_timeout (5 minutes by default) unless the alert is sent again: the
 * caller sets valid_until to cover the time until its next message about the domain.
 */
#include "lib/alert.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/jsonval.h"

/* docs/json-output.md, "Webhook alerts": raised only for an incompatible change. */
#define ALERT_JSON_VERSION 1

/* ISO 8601 UTC, "2026-11-29T03:00:00Z"; null for 0 (not known). */
static json_t *jtime(time_t t)
{
	return t != 0 ? jsonval_time(t) : json_null();
}

/*
 * Set o[key] = v, taking v; a NULL v (a failed constructor) is memory exhaustion. Returns
 * nonzero on failure, so that a chain of sets can be joined with "||".
 */
static int set(json_t *o, const char *key, json_t *v)
{
	return v == NULL || json_object_set_new(o, key, v) != 0;
}

/* Set o[key] only when s is not NULL (Alertmanager: an empty label is no label). */
static int set_some(json_t *o, const char *key, const char *s)
{
	return s != NULL ? set(o, key, jsonval_string(s)) : 0;
}

/* The root's text, compact; takes root. Returns 0 and *ret, or -ENOMEM. */
static int dump(json_t *root, char **ret)
{
	char *text;

	if (root == NULL)
		return -ENOMEM;
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (text == NULL)
		return -ENOMEM;
	*ret = text;
	return 0;
}

static json_t *item_json(const struct alert_item *it)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (set(o, "kind", json_string(alert_kind_name(it->kind))) ||
	    set(o, "check", jsonval_string(it->check)) ||
	    set(o, "code", jsonval_string(it->code)) ||
	    set(o, "severity", json_string(severity_name(it->severity))) ||
	    set(o, "old_severity", json_string(severity_name(it->old_severity))) ||
	    set(o, "mx", jsonval_string(it->mx)) ||
	    set(o, "address", jsonval_string(it->address)) ||
	    set(o, "alg", jsonval_string(it->alg)) ||
	    set(o, "message", jsonval_string(it->message)) ||
	    set(o, "req", jsonval_string(it->req)) || set(o, "since", jtime(it->since)) ||
	    set(o, "at", jtime(it->at))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int alert_json(const struct alert_message *m, const char *instance, char **ret)
{
	json_t *root, *tags, *items;
	char *subject = NULL;
	size_t i;
	int r;

	if (m == NULL || m->n_items == 0 || ret == NULL)
		return -EINVAL;
	r = alert_subject(m, &subject);
	if (r < 0)
		return r;
	root = json_object();
	tags = json_array();
	items = json_array();
	r = root == NULL || tags == NULL || items == NULL;
	for (i = 0; !r && m->tags[i] != NULL; i++)
		r = json_array_append_new(tags, jsonval_string(m->tags[i])) != 0;
	for (i = 0; !r && i < m->n_items; i++)
		r = json_array_append_new(items, item_json(&m->items[i])) != 0;
	if (r || set(root, "version", json_integer(ALERT_JSON_VERSION)) ||
	    set(root, "id", json_string(m->id)) || set(root, "domain", jsonval_string(m->domain)) ||
	    set(root, "tags", json_incref(tags)) || set(root, "at", jtime(m->at)) ||
	    set(root, "worst", json_string(severity_name(m->worst))) ||
	    set(root, "subject", jsonval_string(subject)) ||
	    set(root, "instance", jsonval_string(instance)) ||
	    set(root, "items", json_incref(items))) {
		json_decref(root);
		root = NULL;
	}
	json_decref(tags);
	json_decref(items);
	free(subject);
	return dump(root, ret);
}

/* Alertmanager's severity label: lower case, as Prometheus alerting rules write it. */
static json_t *severity_label(enum severity s)
{
	char buf[16];
	size_t i;

	(void)snprintf(buf, sizeof(buf), "%s", severity_name(s));
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	return json_string(buf);
}

/*
 * One Alertmanager alert about item it, with severity sev in its labels; starts at starts and
 * ends at ends (0: no endsAt). Returns the alert, or NULL on ENOMEM.
 */
static json_t *am_alert(const struct alert_message *m, const struct alert_item *it,
			enum severity sev, const char *instance, time_t starts, time_t ends)
{
	json_t *alert = json_object(), *labels = json_object(), *ann = json_object();
	char *description = NULL;
	int bad;

	bad = alert == NULL || labels == NULL || ann == NULL ||
	      alert_item_line(m, it, &description) < 0;
	bad = bad || set(labels, "alertname", jsonval_string(it->code)) ||
	      set(labels, "domain", jsonval_string(m->domain)) ||
	      set(labels, "check", jsonval_string(it->check)) ||
	      set(labels, "severity", severity_label(sev)) || set_some(labels, "mx", it->mx) ||
	      set_some(labels, "address", it->address) || set_some(labels, "alg", it->alg) ||
	      set_some(labels, "instance", instance);
	bad = bad || set(ann, "summary", jsonval_string(it->message)) ||
	      set(ann, "description", jsonval_string(description)) ||
	      set_some(ann, "requirement", it->req);
	bad = bad || set(alert, "labels", json_incref(labels)) ||
	      set(alert, "annotations", json_incref(ann)) ||
	      set(alert, "startsAt", jtime(starts)) ||
	      (ends != 0 && set(alert, "endsAt", jtime(ends)));
	free(description);
	json_decref(labels);
	json_decref(ann);
	if (bad) {
		json_decref(alert);
		return NULL;
	}
	return alert;
}

int alert_alertmanager_json(const struct alert_message *m, const char *instance, char **ret)
{
	json_t *root;
	size_t i;
	int bad;

	if (m == NULL || m->n_items == 0 || ret == NULL)
		return -EINVAL;
	root = json_array();
	bad = root == NULL;
	for (i = 0; !bad && i < m->n_items; i++) {
		const struct alert_item *it = &m->items[i];
		time_t since = it->since != 0 ? it->since : it->at;
		time_t until = m->valid_until > it->at ? m->valid_until : 0;

		switch (it->kind) {
		case ALERT_RESOLVED:
			bad = json_array_append_new(root, am_alert(m, it, it->old_severity,
								   instance, since, it->at)) != 0;
			break;
		case ALERT_CHANGED:
			/* the old label set ends now; the new one starts now */
			bad = json_array_append_new(root, am_alert(m, it, it->old_severity,
								   instance, since, it->at)) != 0 ||
			      json_array_append_new(root, am_alert(m, it, it->severity, instance,
								   it->at, until)) != 0;
			break;
		default:
			bad = json_array_append_new(
				  root, am_alert(m, it, it->severity, instance, since, until)) != 0;
			break;
		}
	}
	if (bad) {
		json_decref(root);
		root = NULL;
	}
	return dump(root, ret);
}

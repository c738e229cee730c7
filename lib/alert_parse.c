/*
 * alert_parse.c - a message back from mxsentry's webhook document (docs/json-output.md,
 * "Webhook alerts"); see alert_message_from_json() in alert.h.
 *
 * The outbox keeps each message it has to deliver as this document, the form it already has a
 * renderer for, so that a message survives a restart: this is the way back. Its input is the
 * agent's own database, but a database can be damaged or edited, so the document is read like
 * any untrusted input: every member is checked for its type and range, and anything that does
 * not fit the schema is refused with the member named, never half-read.
 */
#include "lib/alert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "lib/error.h"

/* The severities by name, as the document writes them. */
static int severity_of(const char *name, enum severity *ret)
{
	static const enum severity all[] = { SEVERITY_OK, SEVERITY_WARNING, SEVERITY_CRITICAL,
					     SEVERITY_UNKNOWN };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(name, severity_name(all[i])) == 0) {
			*ret = all[i];
			return 0;
		}
	return -EINVAL;
}

static int kind_of(const char *name, enum alert_kind *ret)
{
	for (int k = ALERT_OPENED; k <= ALERT_REMINDER; k++)
		if (strcmp(name, alert_kind_name((enum alert_kind)k)) == 0) {
			*ret = (enum alert_kind)k;
			return 0;
		}
	return -EINVAL;
}

/* "2026-11-29T03:00:00Z" exactly (the only form the renderer writes). */
static int time_of(const char *text, time_t *ret)
{
	struct tm tm = { 0 };
	int n = 0;
	time_t t;

	if (strlen(text) != 20 ||
	    sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 20 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t;
	return 0;
}

/* A string member (NULL for JSON null when nullable). */
static int str_member(const json_t *o, const char *key, bool nullable, const char **ret)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL && json_is_null(v) && nullable) {
		*ret = NULL;
		return 0;
	}
	if (v == NULL || !json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -EINVAL;
	*ret = json_string_value(v);
	return 0;
}

static int time_member(const json_t *o, const char *key, bool nullable, time_t *ret)
{
	const char *text;

	if (str_member(o, key, nullable, &text) < 0)
		return -EINVAL;
	if (text == NULL) {
		*ret = 0;
		return 0;
	}
	return time_of(text, ret);
}

static int read_item(const json_t *o, struct alert_item *it, const char **ret_bad)
{
	const char *kind, *sev, *old;

	if (!json_is_object(o))
		return *ret_bad = "items[]", -EINVAL;
	*it = (struct alert_item){ 0 };
	if (str_member(o, "kind", false, &kind) < 0 || kind_of(kind, &it->kind) < 0)
		return *ret_bad = "kind", -EINVAL;
	if (str_member(o, "check", false, (const char **)&it->check) < 0)
		return *ret_bad = "check", -EINVAL;
	if (str_member(o, "code", false, (const char **)&it->code) < 0)
		return *ret_bad = "code", -EINVAL;
	if (str_member(o, "severity", false, &sev) < 0 || severity_of(sev, &it->severity) < 0)
		return *ret_bad = "severity", -EINVAL;
	if (str_member(o, "old_severity", false, &old) < 0 ||
	    severity_of(old, &it->old_severity) < 0)
		return *ret_bad = "old_severity", -EINVAL;
	if (str_member(o, "mx", true, (const char **)&it->mx) < 0)
		return *ret_bad = "mx", -EINVAL;
	if (str_member(o, "address", true, (const char **)&it->address) < 0)
		return *ret_bad = "address", -EINVAL;
	if (str_member(o, "alg", true, (const char **)&it->alg) < 0)
		return *ret_bad = "alg", -EINVAL;
	if (str_member(o, "message", false, (const char **)&it->message) < 0)
		return *ret_bad = "message", -EINVAL;
	if (str_member(o, "req", true, (const char **)&it->req) < 0)
		return *ret_bad = "req", -EINVAL;
	if (time_member(o, "since", true, &it->since) < 0)
		return *ret_bad = "since", -EINVAL;
	if (time_member(o, "at", false, &it->at) < 0)
		return *ret_bad = "at", -EINVAL;
	return 0;
}

/* The tags array: NULL-terminated array of borrowed strings (the caller frees the array). */
static int read_tags(const json_t *root, const char ***ret)
{
	const json_t *tags = json_object_get(root, "tags");
	const char **v;
	size_t i, n;

	if (tags == NULL || !json_is_array(tags))
		return -EINVAL;
	n = json_array_size(tags);
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const json_t *t = json_array_get(tags, i);

		if (!json_is_string(t) || strlen(json_string_value(t)) != json_string_length(t)) {
			free(v);
			return -EINVAL;
		}
		v[i] = json_string_value(t);
	}
	*ret = v;
	return 0;
}

int alert_message_from_json(const char *text, size_t len, struct alert_message *ret,
			    struct mxs_error *reterr)
{
	const char *domain, *id, *bad = NULL, **tags = NULL;
	struct alert_message m = { 0 };
	const json_t *items, *version;
	json_error_t jerr;
	json_t *root;
	time_t at;
	size_t i;
	int r = -EINVAL;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return mxs_error_set(reterr, NULL, NULL, "alert document: not JSON: %s (line %d)",
				     jerr.text, jerr.line);
	version = json_object_get(root, "version");
	items = json_object_get(root, "items");
	if (!json_is_object(root))
		bad = "the document";
	else if (!json_is_integer(version) || json_integer_value(version) != 1)
		bad = "version";
	else if (str_member(root, "domain", false, &domain) < 0 || *domain == '\0')
		bad = "domain";
	else if (str_member(root, "id", false, &id) < 0)
		bad = "id";
	else if (time_member(root, "at", false, &at) < 0)
		bad = "at";
	else if (!json_is_array(items) || json_array_size(items) == 0)
		bad = "items";
	else if ((r = read_tags(root, &tags)) < 0)
		bad = r == -ENOMEM ? NULL : "tags";
	if (bad != NULL || r == -ENOMEM)
		goto out;
	r = alert_message_init(&m, domain, tags, at);
	for (i = 0; r == 0 && i < json_array_size(items); i++) {
		struct alert_item it;

		r = read_item(json_array_get(items, i), &it, &bad);
		if (r == 0)
			r = alert_message_add(&m, &it);
		else
			bad = bad != NULL ? bad : "items[]";
	}
	/* the id names what the message says: a document whose id does not fit was altered */
	if (r == 0 && strcmp(m.id, id) != 0) {
		bad = "id";
		r = -EINVAL;
	}
out:
	free(tags);
	json_decref(root);
	if (r < 0) {
		alert_message_clear(&m);
		if (r == -ENOMEM)
			return -ENOMEM;
		return mxs_error_set(reterr, NULL, NULL,
				     "alert document: \"%s\" is missing or "
				     "not what the schema says",
				     bad != NULL ? bad : "items");
	}
	*ret = m;
	return 0;
}

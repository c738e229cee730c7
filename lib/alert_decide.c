/*
 * alert_decide.c - which problems to tell about, and how; see alert_decide.h.
 */
#include "lib/alert_decide.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The codes that say an MX address could not be reached at all (docs/findings.md). */
static const char *const unreachable_codes[] = { "smtp.timeout", "smtp.refused",
						 "smtp.unreachable" };

static bool str_eq(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What identifies a problem: check, code and subject. */
struct key {
	const char *check, *code, *mx, *address, *alg;
};

static struct key key_of_finding(const struct finding *f)
{
	return (struct key){ f->check, f->code, f->mx, f->address, f->alg };
}

static struct key key_of_track(const struct alert_track *t)
{
	return (struct key){ t->check, t->code, t->mx, t->address, t->alg };
}

static bool key_eq(struct key a, struct key b)
{
	return str_eq(a.check, b.check) && str_eq(a.code, b.code) && str_eq(a.mx, b.mx) &&
	       str_eq(a.address, b.address) && str_eq(a.alg, b.alg);
}

static bool has_code(const struct findings *found, const char *code)
{
	for (size_t i = 0; i < found->n; i++)
		if (strcmp(found->v[i].code, code) == 0)
			return true;
	return false;
}

/* Whether the cycle's findings make k a consequence of another problem (alert_decide.h). */
static bool inhibited(const struct findings *found, struct key k)
{
	size_t i, u;

	if (strcmp(k.code, "check.unknown") != 0 && has_code(found, "check.unknown"))
		return true;
	if ((starts(k.code, "dane.") || starts(k.code, "dns.dnssec-")) &&
	    strcmp(k.code, "dane.unknown") != 0 && has_code(found, "dane.unknown"))
		return true;
	if (k.mx == NULL ||
	    !(starts(k.code, "cert.") || starts(k.code, "tls.") || starts(k.code, "dane.")))
		return false;
	for (i = 0; i < found->n; i++) {
		const struct finding *g = &found->v[i];

		for (u = 0; u < sizeof(unreachable_codes) / sizeof(unreachable_codes[0]); u++)
			if (strcmp(g->code, unreachable_codes[u]) == 0 && str_eq(g->mx, k.mx) &&
			    (k.address == NULL || str_eq(g->address, k.address)))
				return true;
	}
	return false;
}

bool alert_silenced(const struct alert_policy *policy, const char *domain, const char *code,
		    time_t at)
{
	for (size_t i = 0; i < policy->n_silences; i++) {
		const struct alert_silence *s = &policy->silences[i];
		const char *star;

		if (at >= s->until || (s->domain != NULL && strcmp(s->domain, domain) != 0))
			continue;
		if (s->code == NULL)
			return true;
		star = strchr(s->code, '*');
		if (star != NULL ? strncmp(s->code, code, (size_t)(star - s->code)) == 0
				 : strcmp(s->code, code) == 0)
			return true;
	}
	return false;
}

static void track_clear(struct alert_track *t)
{
	free(t->check);
	free(t->code);
	free(t->mx);
	free(t->address);
	free(t->alg);
	free(t->message);
	free(t->req);
	memset(t, 0, sizeof(*t));
}

struct alert_track *alert_tracks_free(struct alert_track *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		track_clear(&v[i]);
	free(v);
	return NULL;
}

/* strdup() that keeps NULL; sets *ok to false when memory runs out. */
static char *dup(const char *s, bool *ok)
{
	char *c;

	if (s == NULL)
		return NULL;
	c = strdup(s);
	if (c == NULL)
		*ok = false;
	return c;
}

static int track_copy(struct alert_track *to, const struct alert_track *from)
{
	bool ok = true;

	*to = *from;
	to->check = dup(from->check, &ok);
	to->code = dup(from->code, &ok);
	to->mx = dup(from->mx, &ok);
	to->address = dup(from->address, &ok);
	to->alg = dup(from->alg, &ok);
	to->message = dup(from->message, &ok);
	to->req = dup(from->req, &ok);
	if (!ok) {
		track_clear(to);
		return -ENOMEM;
	}
	return 0;
}

/* The finding's facts on a track (its key is already the same). */
static int track_take(struct alert_track *t, const struct finding *f)
{
	bool ok = true;
	char *message = dup(f->message, &ok), *req = dup(f->req, &ok);

	if (!ok) {
		free(message);
		free(req);
		return -ENOMEM;
	}
	free(t->message);
	free(t->req);
	t->message = message;
	t->req = req;
	t->severity = f->severity;
	return 0;
}

/* A new track for a problem first reported at this cycle. */
static int track_new(struct alert_track *t, const struct finding *f, time_t at)
{
	bool ok = true;

	*t = (struct alert_track){ .since = at, .notified = SEVERITY_OK };
	t->check = dup(f->check, &ok);
	t->code = dup(f->code, &ok);
	t->mx = dup(f->mx, &ok);
	t->address = dup(f->address, &ok);
	t->alg = dup(f->alg, &ok);
	if (!ok || track_take(t, f) < 0) {
		track_clear(t);
		return -ENOMEM;
	}
	return 0;
}

static int tell(struct alert_message *msg, const struct alert_track *t, enum alert_kind kind,
		enum severity severity, enum severity old, time_t at)
{
	struct alert_item it = { .kind = kind,
				 .check = t->check,
				 .code = t->code,
				 .severity = severity,
				 .old_severity = old,
				 .mx = t->mx,
				 .address = t->address,
				 .alg = t->alg,
				 .message = t->message != NULL ? t->message : t->code,
				 .req = t->req,
				 .since = t->since,
				 .at = at };

	return alert_message_add(msg, &it);
}

/* The news of one problem still reported, once it has held for the damping. */
static int decide_open(const char *domain, struct alert_track *t, const struct alert_policy *policy,
		       time_t at, struct alert_message *msg)
{
	enum alert_kind kind;
	int r;

	if (t->cycles < (policy->damping > 0 ? policy->damping : 1) ||
	    alert_silenced(policy, domain, t->code, at))
		return 0;
	if (t->notified == SEVERITY_OK)
		kind = ALERT_OPENED;
	else if (t->notified != t->severity)
		kind = ALERT_CHANGED;
	else if (policy->reminder > 0 && at - t->notified_at >= policy->reminder)
		kind = ALERT_REMINDER;
	else
		return 0;
	r = tell(msg, t, kind, t->severity, kind == ALERT_REMINDER ? t->severity : t->notified, at);
	if (r == 0) {
		t->notified = t->severity;
		t->notified_at = at;
	}
	return r;
}

/* Fold the cycle's problems into tracks: one per key, the worst of duplicates. */
static int fold(const struct alert_track *prev, size_t n_prev, const struct findings *found,
		time_t at, struct alert_track *next, size_t *n)
{
	size_t i, k;
	int r;

	for (i = 0; i < found->n; i++) {
		const struct finding *f = &found->v[i];
		struct key key = key_of_finding(f);
		const struct alert_track *p = NULL;

		if (f->severity == SEVERITY_OK || inhibited(found, key))
			continue;
		for (k = 0; k < *n && !key_eq(key_of_track(&next[k]), key); k++)
			;
		if (k < *n) {
			if (severity_rank(f->severity) > severity_rank(next[k].severity) &&
			    track_take(&next[k], f) < 0)
				return -ENOMEM;
			continue;
		}
		for (k = 0; k < n_prev && p == NULL; k++)
			if (key_eq(key_of_track(&prev[k]), key))
				p = &prev[k];
		r = p != NULL ? track_copy(&next[*n], p) : track_new(&next[*n], f, at);
		if (r == 0 && p != NULL)
			r = track_take(&next[*n], f);
		if (r < 0)
			return r;
		next[*n].cycles = p != NULL ? p->cycles + 1 : 1;
		(*n)++;
	}
	return 0;
}

int alert_decide(const char *domain, const struct alert_track *prev, size_t n_prev,
		 const struct findings *found, const struct alert_policy *policy, time_t at,
		 struct alert_track **ret_tracks, size_t *ret_n, struct alert_message *msg)
{
	struct alert_track *next = calloc(found->n + n_prev + 1, sizeof(*next));
	size_t n = 0, n_cur, i, k;
	int r;

	if (next == NULL)
		return -ENOMEM;
	r = fold(prev, n_prev, found, at, next, &n);
	n_cur = n;
	for (i = 0; r == 0 && i < n_cur; i++)
		r = decide_open(domain, &next[i], policy, at, msg);
	/* what is no longer reported: resolved if it was told, kept if nobody could look */
	for (i = 0; r == 0 && i < n_prev; i++) {
		const struct alert_track *p = &prev[i];

		for (k = 0; k < n_cur && !key_eq(key_of_track(&next[k]), key_of_track(p)); k++)
			;
		if (k < n_cur)
			continue;
		if (inhibited(found, key_of_track(p)))
			r = track_copy(&next[n++], p);
		else if (p->notified != SEVERITY_OK && !alert_silenced(policy, domain, p->code, at))
			r = tell(msg, p, ALERT_RESOLVED, SEVERITY_OK, p->notified, at);
	}
	if (r < 0) {
		alert_tracks_free(next, n);
		return r;
	}
	*ret_tracks = next;
	*ret_n = n;
	return 0;
}

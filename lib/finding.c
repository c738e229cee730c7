/*
 * finding.c - the finding model; see finding.h.
 *
 * A finding must stay valid after the snapshot it was made from is gone (the agent stores and
 * renders findings after the cycle), so everything that is not a static string is copied.
 */
#include "lib/finding.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"

/* strdup() that keeps NULL as NULL; *ok is cleared when a copy fails. */
static char *dup_or_null(const char *s, int *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*ok = 0;
	return d;
}

/*
 * Messages are "one line a person can act on" and often quote a server's reply or an OpenSSL
 * error: a CR, LF or other control character from the peer would split the line in logs, mail
 * and the Nagios output (where the first line is the status), so each becomes a space.
 */
static void one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/* Free what a finding owns; check, code, req, result_type and value names are static. */
static void finding_release(struct finding *f)
{
	size_t i;

	free(f->domain);
	free(f->mx);
	free(f->address);
	free(f->alg);
	free(f->message);
	for (i = 0; i < f->n_values; i++)
		free(f->values[i].s);
	free(f->values);
	memset(f, 0, sizeof(*f));
}

struct finding *findings_addv(struct findings *out, const char *check, const char *code,
			      enum severity severity, const char *req, const char *result_type,
			      const char *domain, const struct finding_subject *subj,
			      const char *fmt, va_list ap)
{
	struct finding f = { 0 };
	int ok = 1;

	/*
	 * Grow first: once the strings are copied, a failure would have to undo them. Doubling
	 * keeps appends amortised O(1); a domain rarely has more than a few dozen findings.
	 */
	if (out->n == out->cap) {
		size_t cap = out->cap != 0 ? out->cap * 2 : 8;
		struct finding *v = realloc(out->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		out->v = v;
		out->cap = cap;
	}
	f.check = check;
	f.code = code;
	f.severity = severity;
	f.req = req;
	f.result_type = result_type;
	f.domain = dup_or_null(domain, &ok);
	if (subj != NULL) {
		f.mx = dup_or_null(subj->mx, &ok);
		f.address = dup_or_null(subj->address, &ok);
		f.alg = dup_or_null(subj->alg, &ok);
	}
	/* The message is formatted into exactly the size it needs: no truncated lines. */
	f.message = mxs_vstrdupf(fmt, ap);
	if (!ok || f.message == NULL) {
		finding_release(&f);
		return NULL;
	}
	one_line(f.message);
	out->v[out->n] = f;
	return &out->v[out->n++];
}

struct finding *findings_add(struct findings *out, const char *check, const char *code,
			     enum severity severity, const char *req, const char *result_type,
			     const char *domain, const struct finding_subject *subj,
			     const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = findings_addv(out, check, code, severity, req, result_type, domain, subj, fmt, ap);
	va_end(ap);
	return f;
}

/*
 * Find the value called name, or append an empty one. A name appears once per finding because
 * it is also a JSON object key: setting it again replaces the old value.
 */
static struct finding_value *value_slot(struct finding *f, const char *name)
{
	struct finding_value *v;
	size_t i;

	for (i = 0; i < f->n_values; i++) {
		if (strcmp(f->values[i].name, name) == 0) {
			free(f->values[i].s);
			f->values[i].s = NULL;
			return &f->values[i];
		}
	}
	v = realloc(f->values, (f->n_values + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	f->values = v;
	v = &f->values[f->n_values++];
	memset(v, 0, sizeof(*v));
	v->name = name;
	return v;
}

int finding_set_int(struct finding *f, const char *name, long long value)
{
	struct finding_value *v = value_slot(f, name);

	if (v == NULL)
		return -ENOMEM;
	v->type = VALUE_INT;
	v->i = value;
	return 0;
}

int finding_set_string(struct finding *f, const char *name, const char *value)
{
	struct finding_value *v;
	char *copy;

	/* Copy first, so that a failure leaves an existing value as it was. */
	copy = strdup(value != NULL ? value : "");
	if (copy == NULL)
		return -ENOMEM;
	v = value_slot(f, name);
	if (v == NULL) {
		free(copy);
		return -ENOMEM;
	}
	v->type = VALUE_STRING;
	v->i = 0;
	v->s = copy;
	return 0;
}

/*
 * By rank, not by value: the values are Nagios exit codes, in which UNKNOWN (3) is above
 * CRITICAL (2), but a domain with one critical fault is worse than one we could not check.
 */
enum severity findings_worst(const struct findings *list)
{
	enum severity worst = SEVERITY_OK;
	size_t i;

	if (list == NULL)
		return worst;
	for (i = 0; i < list->n; i++)
		if (severity_rank(list->v[i].severity) > severity_rank(worst))
			worst = list->v[i].severity;
	return worst;
}

void findings_clear(struct findings *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		finding_release(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

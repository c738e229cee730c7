/*
 * status_render.c - the text and JSON output of "mxsentry status"; see status_render.h.
 *
 *   example.com: CRITICAL (2 problems)
 *     last cycle 2026-11-29 03:00 UTC (5m ago): 2 MX, 3 addresses, MTA-STS enforce
 *     CRITICAL cert.expiring mx1.example.com 192.0.2.1: certificate ... (COMMON-EXP-04)
 *       since 2026-11-20 03:00 UTC (9d 0h), CRITICAL since 2026-11-27 03:00 UTC (2d 0h)
 *
 * The problem lines have the form of "mxsentry check" (report_text.c) so that one reading
 * habit serves both. Times are UTC to the minute, as a person compares them with a cycle
 * interval; the JSON has them to the second, in the form of "mxsentry check --json".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent/status_render.h"
#include "lib/duration.h"
#include "lib/jsonval.h"

/* docs/json-output.md, "Status": raised only for an incompatible change. */
#define STATUS_SCHEMA_VERSION 1

/* One domain to show: its slice of d and its verdict. */
struct shown {
	const char *name;
	const struct state_cycle *cycle; /* NULL: no cycle recorded */
	const struct state_row *rows;    /* its open problems, worst first */
	size_t n_rows;
	enum severity worst;
	size_t index; /* position in names, for a stable order */
};

static int cycle_by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct state_cycle *)elem)->domain);
}

/* The first problem of name in rows (sorted by domain), and how many there are. */
static const struct state_row *rows_of(const struct status_data *d, const char *name, size_t *n)
{
	size_t lo = 0, hi = d->n_rows, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(d->rows[mid].domain, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < d->n_rows && strcmp(d->rows[end].domain, name) == 0; end++)
		;
	*n = end - lo;
	return end > lo ? &d->rows[lo] : NULL;
}

/* Worst first; the given order among equals. */
static int shown_cmp(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;
	int rx = severity_rank(x->worst), ry = severity_rank(y->worst);

	if (rx != ry)
		return rx > ry ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The domains of names with their data, worst first, into *ret; the exit status in *ret_exit. */
static int build(const struct status_data *d, const char *const *names, size_t n,
		 struct shown **ret, int *ret_exit)
{
	enum severity all = n > 0 ? SEVERITY_OK : SEVERITY_UNKNOWN;
	struct shown *v = calloc(n > 0 ? n : 1, sizeof(*v));
	size_t i, j;

	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct shown *s = &v[i];

		s->name = names[i];
		s->index = i;
		s->cycle = d->n_cycles > 0 ? bsearch(names[i], d->cycles, d->n_cycles,
						     sizeof(*d->cycles), cycle_by_name)
					   : NULL;
		s->rows = rows_of(d, names[i], &s->n_rows);
		/* Nothing recorded: the agent cannot tell (yet). */
		s->worst = s->cycle == NULL && s->n_rows == 0 ? SEVERITY_UNKNOWN : SEVERITY_OK;
		for (j = 0; j < s->n_rows; j++)
			if (severity_rank(s->rows[j].severity) > severity_rank(s->worst))
				s->worst = s->rows[j].severity;
		if (severity_rank(s->worst) > severity_rank(all))
			all = s->worst;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), shown_cmp);
	*ret = v;
	*ret_exit = (int)all;
	return 0;
}

static void text_problem(FILE *out, const struct state_row *r, time_t now)
{
	char when[64], span[64];

	fprintf(out, "  %s %s", severity_name(r->severity), r->code);
	if (r->mx != NULL)
		fprintf(out, " %s", r->mx);
	if (r->address != NULL)
		fprintf(out, " %s", r->address);
	if (r->alg != NULL)
		fprintf(out, " %s", r->alg);
	fprintf(out, ": %s", r->message);
	if (r->req != NULL)
		fprintf(out, " (%s)", r->req);
	duration_time_text(r->since, when, sizeof(when));
	duration_span_text(r->since, now, span, sizeof(span));
	fprintf(out, "\n    since %s (%s)", when, span);
	if (r->severity_since != r->since) {
		duration_time_text(r->severity_since, when, sizeof(when));
		duration_span_text(r->severity_since, now, span, sizeof(span));
		fprintf(out, ", %s since %s (%s)", severity_name(r->severity), when, span);
	}
	fputc('\n', out);
}

static void text_domain(FILE *out, const struct shown *s, time_t now)
{
	char when[64], span[64];
	size_t i;

	if (s->cycle == NULL && s->n_rows == 0) {
		fprintf(out, "%s: %s (no cycle recorded)\n", s->name, severity_name(s->worst));
		return;
	}
	fprintf(out, "%s: %s (%zu problem%s)\n", s->name, severity_name(s->worst), s->n_rows,
		s->n_rows == 1 ? "" : "s");
	if (s->cycle != NULL) {
		duration_time_text(s->cycle->cycle_at, when, sizeof(when));
		duration_span_text(s->cycle->cycle_at, now, span, sizeof(span));
		fprintf(out, "  last cycle %s (%s ago)%s%s\n", when, span,
			*s->cycle->summary != '\0' ? ": " : "", s->cycle->summary);
	}
	for (i = 0; i < s->n_rows; i++)
		text_problem(out, &s->rows[i], now);
}

int status_render_text(FILE *out, const struct status_data *d, const char *const *names, size_t n,
		       time_t now)
{
	struct shown *v = NULL;
	int status, r;
	size_t i;

	r = build(d, names, n, &v, &status);
	if (r < 0)
		return r;
	if (n == 0)
		fprintf(out, "no domain recorded in the store yet\n");
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc('\n', out);
		text_domain(out, &v[i], now);
	}
	free(v);
	return fflush(out) == 0 && !ferror(out) ? status : -EIO;
}

/* json_pack() steals the "o" values, also when it fails (jansson 2.13 and later). */
static json_t *problem_json(const struct state_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "check",
			 r->check, "code", r->code, "severity", severity_name(r->severity), "mx",
			 jsonval_string(r->mx), "address", jsonval_string(r->address), "alg",
			 jsonval_string(r->alg), "message", jsonval_string(r->message), "req",
			 jsonval_string(r->req), "since", jsonval_time(r->since), "severity_since",
			 jsonval_time(r->severity_since), "last_seen", jsonval_time(r->last_seen));
}

static json_t *domain_json(const struct shown *s)
{
	const struct state_cycle *c = s->cycle;
	json_t *problems = json_array(), *o;
	size_t i;

	if (problems == NULL)
		return NULL;
	for (i = 0; i < s->n_rows; i++) {
		if (json_array_append_new(problems, problem_json(&s->rows[i])) != 0) {
			json_decref(problems);
			return NULL;
		}
	}
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "name", s->name, "worst",
		      severity_name(s->worst), "cycle_at",
		      c != NULL ? jsonval_time(c->cycle_at) : json_null(), "duration_ms",
		      c != NULL ? json_integer(c->duration_ms) : json_null(), "summary",
		      c != NULL ? jsonval_string(c->summary) : json_null(), "problems", problems);
	return o;
}

int status_render_json(FILE *out, const struct status_data *d, const char *const *names, size_t n,
		       time_t now)
{
	json_t *root = NULL, *list = json_array();
	struct shown *v = NULL;
	int status, r;
	size_t i;

	r = build(d, names, n, &v, &status);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	r = -ENOMEM;
	for (i = 0; list != NULL && i < n; i++)
		if (json_array_append_new(list, domain_json(&v[i])) != 0)
			goto out;
	if (list != NULL)
		root = json_pack("{s:i, s:o, s:O}", "version", STATUS_SCHEMA_VERSION, "generated",
				 jsonval_time(now), "domains", list);
	if (root == NULL)
		goto out;
	if (json_dumpf(root, out, JSON_INDENT(2)) != 0 || fputc('\n', out) == EOF ||
	    fflush(out) != 0)
		r = -EIO;
	else
		r = status;
out:
	json_decref(root);
	json_decref(list);
	free(v);
	return r;
}

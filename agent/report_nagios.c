/*
 * report_nagios.c - "mxsentry check --nagios": output of a Nagios/Icinga plugin; see report.h.
 *
 * Nagios plugin guidelines (output and performance data):
 *   - one status line "MXSENTRY <STATE> - <n> critical, <n> warning: <worst messages>";
 *   - optional long output lines: here every finding, worst first;
 *   - performance data after a '|': 'label'=value[UOM];warn;crit;min;max, space-separated. The
 *     status line carries it when there is no long output; otherwise it follows the long output
 *     on a line of its own starting with '|'.
 * Perfdata: per MX address and presented certificate, the days left ("30:" and "14:" are the
 * guideline's ranges "alert below"), and per session the TLS handshake time in ms. A label
 * appears once even when two domains share an MX host or two sessions the same certificate.
 *
 * The exit status is the worst severity over all findings (severity_rank()), whose values are
 * the plugin exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/report.h"

#define SECS_PER_DAY 86400LL

/* How many finding messages the status line quotes, and how long each may be. */
#define STATUS_MESSAGES    3
#define STATUS_MESSAGE_LEN 72

/* One finding, for ordering across domains. */
struct item {
	const struct snapshot *snap;
	const struct finding *f;
	int rank;
	size_t seq;
};

/* Labels written so far, to write each once. */
struct labels {
	char **v;
	size_t n, cap;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Write s with the characters that would break the plugin output replaced: '|' starts the
 * perfdata, a newline ends the line. At most max bytes (0: no limit), then "...".
 */
static void put_clean(FILE *out, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (max > 0 && i >= max) {
			fputs("...", out);
			return;
		}
		if (s[i] == '|')
			fputc('/', out);
		else if (s[i] == '\n' || s[i] == '\r')
			fputc(' ', out);
		else
			fputc(s[i], out);
	}
}

/* Whether label was written already; otherwise remember it. -1 on memory exhaustion. */
static int label_seen(struct labels *l, const char *label)
{
	size_t i;
	char *copy;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], label) == 0)
			return 1;
	if (l->n == l->cap) {
		size_t cap = l->cap > 0 ? 2 * l->cap : 32;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(label);
	if (copy == NULL)
		return -1;
	l->v[l->n++] = copy;
	return 0;
}

/*
 * Write one perfdata item: a space before every item but the first, the label quoted with
 * '=' and '\'' (not allowed in labels) replaced, the rest as given.
 */
static void put_perf(FILE *out, struct labels *l, bool *first, const char *label, const char *rest)
{
	const char *c;

	if (label == NULL || label_seen(l, label) != 0)
		return;
	if (!*first)
		fputc(' ', out);
	*first = false;
	fputc('\'', out);
	for (c = label; *c != '\0'; c++)
		fputc(*c == '\'' || *c == '=' ? '_' : *c, out);
	fprintf(out, "'=%s", rest);
}

/* The perfdata of one session: days left per presented certificate, handshake time. */
static void perf_probe(FILE *out, struct labels *l, bool *first, const struct snapshot *snap,
		       const struct mx_host *mx, const struct mx_address *a,
		       const struct smtp_probe *p, long warn_days, long crit_days)
{
	char rest[96];
	char *label;
	size_t i;

	for (i = 0; i < p->chain_len; i++) {
		const struct certinfo *c = p->chain[i];
		char pos[24];

		if (i == 0)
			(void)snprintf(pos, sizeof(pos), "leaf");
		else
			(void)snprintf(pos, sizeof(pos), "int%zu", i);
		label = mxs_strdupf("%s_%s_%s_%s_days", mx->name, a->text,
				    key_type_name(p->chain[0]->key_type), pos);
		(void)snprintf(rest, sizeof(rest),
			       "%lld;%ld:;%ld:", certinfo_days_left(c, snap->taken_at), warn_days,
			       crit_days);
		put_perf(out, l, first, label, rest);
		free(label);
	}
	if (p->tls_version == 0)
		return;
	if (p->alg == PROBE_ALG_ANY)
		label = mxs_strdupf("%s_%s_handshake", mx->name, a->text);
	else
		label =
		    mxs_strdupf("%s_%s_%s_handshake", mx->name, a->text, probe_alg_name(p->alg));
	(void)snprintf(rest, sizeof(rest), "%ums;;;0", p->handshake_ms);
	put_perf(out, l, first, label, rest);
	free(label);
}

static void perfdata(FILE *out, const struct report_domain *doms, size_t n, long warn_days,
		     long crit_days)
{
	struct labels l = { 0 };
	bool first = true;
	size_t d, i, j, k;

	for (d = 0; d < n; d++) {
		const struct snapshot *snap = doms[d].snap;

		for (i = 0; i < snap->n_mx; i++)
			for (j = 0; j < snap->mx[i].n_addrs; j++)
				for (k = 0; k < snap->mx[i].addrs[j].n_probes; k++)
					perf_probe(out, &l, &first, snap, &snap->mx[i],
						   &snap->mx[i].addrs[j],
						   &snap->mx[i].addrs[j].probes[k], warn_days,
						   crit_days);
	}
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
}

/*
 * All perfdata items as one string (the caller frees it), so that an empty set writes no '|'.
 * NULL on memory exhaustion: the output then has no perfdata, the status stays right.
 */
static char *perf_text(const struct report_domain *doms, size_t n, long warning_secs,
		       long critical_secs)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (mem == NULL)
		return NULL;
	perfdata(mem, doms, n, (long)(warning_secs / SECS_PER_DAY),
		 (long)(critical_secs / SECS_PER_DAY));
	if (fclose(mem) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The status line's text after the counts: the worst messages, or the domains' verdict. */
static void summary(FILE *out, const struct item *items, size_t n_items, size_t n_domains)
{
	size_t shown = 0, problems = 0, i;

	for (i = 0; i < n_items; i++)
		if (items[i].f->severity != SEVERITY_OK)
			problems++;
	if (problems == 0) {
		fprintf(out, "%zu domain%s OK", n_domains, n_domains == 1 ? "" : "s");
		return;
	}
	for (i = 0; i < n_items && shown < STATUS_MESSAGES; i++) {
		if (items[i].f->severity == SEVERITY_OK)
			continue;
		fputs(shown > 0 ? "; " : "", out);
		put_clean(out, items[i].snap->domain, 0);
		fputs(": ", out);
		put_clean(out, items[i].f->message, STATUS_MESSAGE_LEN);
		shown++;
	}
	if (problems > shown)
		fprintf(out, " (+%zu more)", problems - shown);
}

/* One long output line per finding. */
static void long_line(FILE *out, const struct item *it)
{
	const struct finding *f = it->f;

	fprintf(out, "%s %s %s", severity_name(f->severity), it->snap->domain, f->code);
	if (f->mx != NULL)
		fprintf(out, " %s", f->mx);
	if (f->address != NULL)
		fprintf(out, " %s", f->address);
	if (f->alg != NULL)
		fprintf(out, " %s", f->alg);
	fputs(": ", out);
	put_clean(out, f->message, 0);
	if (f->req != NULL)
		fprintf(out, " (%s)", f->req);
	fputc('\n', out);
}

int report_nagios(FILE *out, const struct report_domain *doms, size_t n, long warning_secs,
		  long critical_secs)
{
	size_t n_items = 0, counts[4] = { 0 }, i, j;
	enum severity worst = SEVERITY_OK;
	struct item *items = NULL;
	char *perf;

	for (i = 0; i < n; i++)
		n_items += doms[i].findings != NULL ? doms[i].findings->n : 0;
	if (n_items > 0) {
		items = calloc(n_items, sizeof(*items));
		if (items == NULL) {
			fprintf(out, "MXSENTRY UNKNOWN - out of memory\n");
			return SEVERITY_UNKNOWN;
		}
	}
	n_items = 0;
	for (i = 0; i < n; i++)
		for (j = 0; doms[i].findings != NULL && j < doms[i].findings->n; j++) {
			const struct finding *f = &doms[i].findings->v[j];

			items[n_items] = (struct item){ .snap = doms[i].snap,
							.f = f,
							.rank = severity_rank(f->severity),
							.seq = n_items };
			n_items++;
			if ((unsigned)f->severity < 4)
				counts[f->severity]++;
			if (severity_rank(f->severity) > severity_rank(worst))
				worst = f->severity;
		}
	if (n_items > 0)
		qsort(items, n_items, sizeof(*items), item_cmp);

	fprintf(out, "MXSENTRY %s - %zu critical, %zu warning", severity_name(worst),
		counts[SEVERITY_CRITICAL], counts[SEVERITY_WARNING]);
	if (counts[SEVERITY_UNKNOWN] > 0)
		fprintf(out, ", %zu unknown", counts[SEVERITY_UNKNOWN]);
	fputs(": ", out);
	summary(out, items, n_items, n);
	perf = perf_text(doms, n, warning_secs, critical_secs);
	if (n_items == 0) {
		if (perf != NULL && perf[0] != '\0')
			fprintf(out, " | %s", perf);
		fputc('\n', out);
	} else {
		fputc('\n', out);
		for (i = 0; i < n_items; i++)
			long_line(out, &items[i]);
		if (perf != NULL && perf[0] != '\0')
			fprintf(out, "| %s\n", perf);
	}
	free(perf);
	free(items);
	return (int)worst;
}

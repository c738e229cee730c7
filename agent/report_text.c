/*
 * report_text.c - the readable report of "mxsentry check"; see report.h.
 *
 * One block per domain, the worst domain first (severity_rank(), then the order given):
 *
 *   cert-3d.test: CRITICAL (1 finding)
 *     MX 10 mx1.cert-3d.test
 *       192.0.2.1: TLSv1.3 TLS_AES_256_GCM_SHA384, ECDSA leaf expires 2026-11-05 (3 days)
 *     CRITICAL cert.expiring mx1.cert-3d.test 192.0.2.1: certificate of ... (COMMON-EXP-04)
 *
 * The MX lines say what each session saw, so that a person reading a finding sees the facts
 * next to it; the findings come worst first, each with the requirement it rests on. A domain
 * with no findings is OK. Nothing here decides anything: the checks did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agent/report.h"

/* "2026-11-05" into buf (at least 16 bytes). */
static void iso_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		(void)snprintf(buf, len, "@%lld", (long long)t);
}

/* Order for qsort: worst first by rank, then in the given order (qsort is not stable). */
struct ranked {
	int rank;
	size_t index;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* A worst-first order of the findings of one list; NULL on memory exhaustion or when empty. */
static struct ranked *order_findings(const struct findings *list)
{
	struct ranked *o;
	size_t i;

	if (list == NULL || list->n == 0)
		return NULL;
	o = calloc(list->n, sizeof(*o));
	if (o == NULL)
		return NULL;
	for (i = 0; i < list->n; i++) {
		o[i].rank = severity_rank(list->v[i].severity);
		o[i].index = i;
	}
	qsort(o, list->n, sizeof(*o), ranked_cmp);
	return o;
}

/* One session: what TLS it got and when its leaf expires, or how it ended. */
static void print_probe(FILE *out, const struct snapshot *snap, const struct mx_address *a,
			const struct smtp_probe *p)
{
	char alg[16] = "";

	if (p->alg != PROBE_ALG_ANY)
		(void)snprintf(alg, sizeof(alg), " %s", probe_alg_name(p->alg));
	fprintf(out, "    %s%s: ", a->text, alg);
	if (p->outcome == PROBE_NO_ALGORITHM) {
		fprintf(out, "no %s certificate\n", probe_alg_name(p->alg));
		return;
	}
	if (p->tls_version != 0)
		fprintf(out, "%s %s", p->tls_version_name != NULL ? p->tls_version_name : "TLS",
			p->cipher != NULL ? p->cipher : "(no cipher)");
	if (p->chain_len > 0) {
		const struct certinfo *leaf = p->chain[0];
		char date[32];

		iso_date(leaf->not_after, date, sizeof(date));
		fprintf(out, ", %s leaf expires %s (%lld days)", key_type_name(leaf->key_type),
			date, certinfo_days_left(leaf, snap->taken_at));
	}
	if (p->outcome != PROBE_OK)
		fprintf(out, "%s%s at %s (%s)", p->tls_version != 0 ? "; " : "",
			probe_outcome_name(p->outcome), probe_stage_name(p->stage),
			p->detail != NULL ? p->detail : "no detail");
	fputc('\n', out);
}

/* The MX hosts of a domain and their sessions. */
static void print_mx(FILE *out, const struct snapshot *snap)
{
	size_t i, j, k;

	if (snap->mx_status != DNS_OK && snap->mx_status != DNS_NODATA)
		fprintf(out, "  MX lookup: %s\n", dns_status_name(snap->mx_status));
	if (snap->null_mx)
		fprintf(out, "  null MX: accepts no mail\n");
	for (i = 0; i < snap->n_mx; i++) {
		const struct mx_host *mx = &snap->mx[i];

		if (mx->implicit)
			fprintf(out, "  MX (implicit) %s\n", mx->name);
		else
			fprintf(out, "  MX %d %s\n", mx->preference, mx->name);
		if (mx->n_addrs == 0)
			fprintf(out, "    no address (A: %s, AAAA: %s)\n",
				dns_status_name(mx->a_status), dns_status_name(mx->aaaa_status));
		for (j = 0; j < mx->n_addrs; j++)
			for (k = 0; k < mx->addrs[j].n_probes; k++)
				print_probe(out, snap, &mx->addrs[j], &mx->addrs[j].probes[k]);
	}
}

static void print_finding(FILE *out, const struct finding *f)
{
	fprintf(out, "  %s %s", severity_name(f->severity), f->code);
	if (f->mx != NULL)
		fprintf(out, " %s", f->mx);
	if (f->address != NULL)
		fprintf(out, " %s", f->address);
	if (f->alg != NULL)
		fprintf(out, " %s", f->alg);
	fprintf(out, ": %s", f->message);
	if (f->req != NULL)
		fprintf(out, " (%s)", f->req);
	fputc('\n', out);
}

static void print_domain(FILE *out, const struct report_domain *d)
{
	const struct findings *list = d->findings;
	size_t n = list != NULL ? list->n : 0, i;
	struct ranked *order;

	fprintf(out, "%s: %s (%zu finding%s)\n", d->snap->domain,
		severity_name(findings_worst(list)), n, n == 1 ? "" : "s");
	if (d->snap->unknown_reason != NULL)
		fprintf(out, "  not evaluated: %s\n", d->snap->unknown_reason);
	print_mx(out, d->snap);
	order = order_findings(list);
	for (i = 0; i < n; i++)
		print_finding(out, &list->v[order != NULL ? order[i].index : i]);
	free(order);
}

void report_text(FILE *out, const struct report_domain *doms, size_t n)
{
	struct ranked *order = n > 0 ? calloc(n, sizeof(*order)) : NULL;
	size_t i;

	/* Without memory for the order, the given order still gives the whole report. */
	if (order != NULL) {
		for (i = 0; i < n; i++) {
			order[i].rank = severity_rank(findings_worst(doms[i].findings));
			order[i].index = i;
		}
		qsort(order, n, sizeof(*order), ranked_cmp);
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc('\n', out);
		print_domain(out, &doms[order != NULL ? order[i].index : i]);
	}
	free(order);
}

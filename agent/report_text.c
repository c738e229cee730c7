/*
 * report_text.c - the readable report of "mxsentry check"; see report.h.
 *
 * One block per domain, the worst domain first (severity_rank(), then the order given):
 *
 *   cert-3d.test: CRITICAL (1 finding)
 *     MX 10 mx1.cert-3d.test
 *       192.0.2.1: TLSv1.3 TLS_AES_256_GCM_SHA384, ECDSA leaf expires 2026-11-05 (3 days)
 *     MTA-STS: id 20261101T0000, enforce, max_age 604800, mx: *.cert-3d.test
 *     TLS-RPT: rua mailto:tlsrpt@cert-3d.test
 *     CRITICAL cert.expiring mx1.cert-3d.test 192.0.2.1: certificate of ... (COMMON-EXP-04)
 *
 * The MX lines say what each session saw, so that a person reading a finding sees the facts
 * next to it; the findings come worst first, each with the requirement it rests on. A domain
 * with no findings is OK. Nothing here decides anything: the checks did.
 *
 * The MTA-STS and TLS-RPT lines are one line each, printed only when that data was gathered:
 * what a sender ends up with (lib/sts_view.h walks its steps; lib/rpt_txt.h discovers the
 * record), or the first step where it broke. The details are in the findings and the JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agent/report.h"
#include "lib/rpt_txt.h"
#include "lib/sts_view.h"

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

		long long days = certinfo_days_left(leaf, snap->taken_at);

		iso_date(leaf->not_after, date, sizeof(date));
		/* Whole days either way, as the findings count them: "expired 5 days ago". */
		if (leaf->not_after < snap->taken_at)
			fprintf(out, ", %s leaf expired %s (%lld days ago)",
				key_type_name(leaf->key_type), date,
				(long long)(snap->taken_at - leaf->not_after) / 86400);
		else
			fprintf(out, ", %s leaf expires %s (%lld days)",
				key_type_name(leaf->key_type), date, days);
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

/* The text of the first ERROR diagnostic of a list, or fallback. */
static const char *first_error(const struct diag_list *list, const char *fallback)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->v[i].level == DIAG_ERROR)
			return list->v[i].text;
	return fallback;
}

/* Why a sender got no policy from the fetch (struct sts_view.fetch_failed). */
static void print_fetch_failure(FILE *out, const struct snapshot *snap, const struct sts_view *v)
{
	const struct policy_fetch *pf = &snap->policy;

	if (!pf->attempted) {
		fprintf(out, "policy not fetched");
		return;
	}
	fprintf(out, "policy fetch failed (");
	/* STS-FETCH-02/03: the certificate is judged before anything the server sent. */
	if (v->webpki_failed) {
		if (pf->chain_len == 0)
			fprintf(out, "no certificate");
		else if (pf->verify_now.code != 0)
			fprintf(out, "certificate: %s",
				pf->verify_now.text != NULL ? pf->verify_now.text : "not valid");
		else
			fprintf(out, "certificate not valid for mta-sts.%s", snap->domain);
	} else if (pf->outcome != FETCH_RESPONSE) {
		fprintf(out, "%s", pf->detail != NULL ? pf->detail : "no response");
	} else if (pf->status != 200) {
		fprintf(out, "%ld", pf->status);
	} else {
		fprintf(out, "%s", first_error(&v->fetch_diags, "response rejected"));
	}
	fputc(')', out);
}

/* One line: the policy senders apply, or the first step of RFC 8461 §3 that broke. */
static void print_sts(FILE *out, const struct snapshot *snap)
{
	struct sts_view v;
	size_t i;

	if (!snap->sts_txt.looked_up)
		return;
	fprintf(out, "  MTA-STS: ");
	if (sts_view_build(snap, &v) < 0) {
		fprintf(out, "not shown (out of memory)\n");
		return;
	}
	if (v.state == STS_UNKNOWN) {
		fprintf(out, "lookup failed (%s)", dns_status_name(snap->sts_txt.status));
	} else if (v.state == STS_ABSENT) {
		fprintf(out, "none published");
	} else if (v.n_records > 1) {
		/* STS-TXT-04: several STSv1 records leave senders without a policy. */
		fprintf(out, "%zu STSv1 records, senders apply none", v.n_records);
	} else if (!v.txt_valid) {
		fprintf(out, "invalid record (%s)", first_error(&v.txt_diags, "rejected"));
	} else {
		fprintf(out, "id %s, ", v.txt.id);
		if (v.fetch_failed) {
			print_fetch_failure(out, snap, &v);
		} else if (v.policy == NULL) {
			fprintf(out, "policy invalid (%s)",
				first_error(&v.policy_diags, "rejected"));
		} else {
			fprintf(out, "%s, max_age %u", sts_policy_mode_name(v.policy->mode),
				(unsigned)v.policy->max_age);
			if (v.policy->n_mx > 0)
				fprintf(out, ", mx:");
			for (i = 0; i < v.policy->n_mx; i++)
				fprintf(out, " %s", v.policy->mx[i]);
		}
	}
	fputc('\n', out);
	sts_view_clear(&v);
}

/* One line: where TLS reports go (RFC 8460 §3), or why no sender sends any. */
static void print_rpt(FILE *out, const struct snapshot *snap)
{
	const struct txt_lookup *t = &snap->rpt_txt;
	struct diag_list diags = { 0 };
	struct rpt_txt *rec = NULL;
	size_t count = 0, i;
	int r;

	if (!t->looked_up)
		return;
	fprintf(out, "  TLS-RPT: ");
	if (t->status != DNS_OK && t->status != DNS_NODATA && t->status != DNS_NXDOMAIN) {
		fprintf(out, "lookup failed (%s)\n", dns_status_name(t->status));
		return;
	}
	/* RPT-TXT-02: only records beginning with "v=TLSRPTv1" count; exactly one must remain. */
	r = rpt_txt_discover(t->records, t->n_records, &count, &rec, &diags);
	if (r < 0)
		fprintf(out, "not shown (out of memory)");
	else if (count == 0)
		fprintf(out, "none published");
	else if (count > 1)
		fprintf(out, "%zu TLSRPTv1 records, senders report to none", count);
	else if (r == 0)
		fprintf(out, "invalid record (%s)", first_error(&diags, "rejected"));
	else
		fprintf(out, "rua");
	for (i = 0; rec != NULL && i < rec->n_rua; i++)
		fprintf(out, " %s", rec->rua[i]);
	fputc('\n', out);
	(void)rpt_txt_free(rec);
	diag_clear(&diags);
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
	print_sts(out, d->snap);
	print_rpt(out, d->snap);
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

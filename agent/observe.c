/*
 * observe.c - snapshots into the store's history and back; see observe.h.
 *
 * Recording runs after the checks, so that a cycle's checks compare with the previous cycles
 * only: the first observation of a key is never a change (lib/history.h).
 */
#include "agent/observe.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/report_summary.h"
#include "lib/sts_view.h"
#include "lib/tlsa.h"

int observe_reports(struct store *store, const char *domain, unsigned cycle, long window,
		    time_t now, struct history *hist)
{
	struct mxs_error err = { 0 };
	unsigned days = (unsigned)((window + 86399) / 86400);
	int r;

	if (store == NULL)
		return 0;
	r = report_summary_load_one(store, domain, cycle, now, days, &hist->reports, &err);
	mxs_error_clear(&err);
	if (r == -ENOMEM)
		return r;
	hist->reports_loaded = r == 0;
	hist->reports_window = (long)days * 86400;
	return 0;
}

int observe_history(struct store *store, const char *domain, const char *no_store_reason,
		    struct history *ret)
{
	struct mxs_error err = { 0 };
	int r;

	if (store != NULL) {
		r = store_history_load(store, domain, ret, &err);
		if (r == 0)
			return 0;
		if (r == -ENOMEM)
			return r;
		/* A history that cannot be read costs the history findings, not the checks. */
		ret->unavailable_reason = mxs_strdupf("the store cannot be read: %s",
						      err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
	} else {
		ret->unavailable_reason = strdup(no_store_reason);
	}
	ret->available = false;
	return ret->unavailable_reason != NULL ? 0 : -ENOMEM;
}

/*
 * DANE-ROT-01/02: the leaf of every session with a chain. Each algorithm is its own key (a
 * dual-certificate server, DANE-ROT-06). One failure does not stop the others: the first error
 * is returned, in *reterr.
 */
static int record_leaves(struct store *store, const struct snapshot *snap, struct mxs_error *reterr)
{
	char cert[65], spki[65];
	size_t i, j, k;
	int r = 0, q;

	for (i = 0; i < snap->n_mx; i++) {
		const struct mx_host *mx = &snap->mx[i];

		for (j = 0; j < mx->n_addrs; j++) {
			const struct mx_address *a = &mx->addrs[j];

			for (k = 0; k < a->n_probes; k++) {
				const struct smtp_probe *p = &a->probes[k];

				if (p->chain_len == 0 || p->chain[0] == NULL)
					continue;
				history_digest_hex(p->chain[0]->sha256, cert);
				history_digest_hex(p->chain[0]->spki_sha256, spki);
				q = store_leaf_seen(store, snap->domain, mx->name, a->text,
						    probe_alg_name(p->alg), cert, spki,
						    snap->taken_at, r == 0 ? reterr : NULL);
				if (q < 0 && r == 0)
					r = q;
			}
		}
	}
	return r;
}

/* Whether some authoritative server answered the TLSA question of this MX host. */
static bool ns_answered(const struct snapshot *snap, const struct mx_host *mx)
{
	size_t i, k;

	for (i = 0; i < snap->n_ns_views; i++)
		for (k = 0; k < snap->ns_views[i].n_answers; k++) {
			const struct ns_answer *a = &snap->ns_views[i].answers[k];

			if (a->qtype == ns_t_tlsa && a->qname != NULL && mx->tlsa.qname != NULL &&
			    strcmp(a->qname, mx->tlsa.qname) == 0 &&
			    (a->status == DNS_OK || a->status == DNS_NODATA ||
			     a->status == DNS_NXDOMAIN))
				return true;
		}
	return false;
}

/*
 * An MX host in another zone than the domain's is not asked of authoritative servers
 * (nsviews.h): what the resolver answered, with AD, stands for them under the name
 * OBSERVE_RESOLVER, so that the gate still has a "since when" to go by.
 */
static int record_tlsa_resolver(struct store *store, const struct snapshot *snap,
				const struct mx_host *mx, struct mxs_error *reterr)
{
	const struct tlsa_lookup *t = &mx->tlsa;
	size_t i, n = 0, of = t->status == DNS_OK ? t->n_rrs : 0;
	char **texts;
	int r = 0;

	texts = calloc(of + 1, sizeof(*texts));
	if (texts == NULL)
		return -ENOMEM;
	for (i = 0; r == 0 && i < of; i++) {
		r = tlsa_format(&t->rrs[i], &texts[n]);
		/* a record without data cannot be written, nor can it match: leave it out */
		if (r == -EINVAL)
			r = 0;
		else if (r == 0)
			n++;
	}
	if (r == 0)
		r = store_tlsa_view(store, snap->domain, mx->name, OBSERVE_RESOLVER,
				    (const char *const *)texts, n, t->ttl, snap->taken_at, reterr);
	for (i = 0; texts[i] != NULL; i++)
		free(texts[i]);
	free(texts);
	return r;
}

/*
 * DANE-ROT-01/03: what every authoritative server serves at _25._tcp.<mx>, so that
 * "mxsentry dane-check" can tell how long a record has been visible everywhere. An answer that
 * says there is nothing (NODATA, NXDOMAIN) is recorded as such; a server that did not answer
 * tells nothing, and what it served before is kept.
 */
static int record_tlsa_views(struct store *store, const struct snapshot *snap,
			     struct mxs_error *reterr)
{
	static const char prefix[] = "_25._tcp.";
	size_t i, k;
	int r = 0, q;

	for (i = 0; i < snap->n_ns_views; i++) {
		const struct ns_view *v = &snap->ns_views[i];

		for (k = 0; k < v->n_answers; k++) {
			const struct ns_answer *a = &v->answers[k];
			bool none = a->status == DNS_NODATA || a->status == DNS_NXDOMAIN;

			if (a->qtype != ns_t_tlsa || a->qname == NULL ||
			    strncmp(a->qname, prefix, sizeof(prefix) - 1) != 0 ||
			    a->qname[sizeof(prefix) - 1] == '\0' ||
			    (a->status != DNS_OK && !none) || v->address[0] == '\0')
				continue;
			q = store_tlsa_view(store, snap->domain, a->qname + sizeof(prefix) - 1,
					    v->address, (const char *const *)a->rrs,
					    none ? 0 : a->n_rrs, a->ttl, snap->taken_at,
					    r == 0 ? reterr : NULL);
			if (q < 0 && r == 0)
				r = q;
		}
	}
	for (i = 0; i < snap->n_mx; i++) {
		const struct mx_host *mx = &snap->mx[i];

		if (!mx->tlsa.looked_up || !mx->tlsa.secure || ns_answered(snap, mx) ||
		    !(mx->tlsa.status == DNS_OK || mx->tlsa.status == DNS_NODATA ||
		      mx->tlsa.status == DNS_NXDOMAIN))
			continue;
		q = record_tlsa_resolver(store, snap, mx, r == 0 ? reterr : NULL);
		if (q < 0 && r == 0)
			r = q;
	}
	return r;
}

int observe_record(struct store *store, const struct snapshot *snap, struct mxs_error *reterr)
{
	const struct policy_fetch *pf = &snap->policy;
	struct sts_view v;
	int r = 0, q;

	if (store == NULL)
		return 0;
	if (sts_view_build(snap, &v) < 0)
		return -ENOMEM;
	/* Only one valid record gives senders an id to cache a policy under (STS-TXT-04). */
	if (v.txt_valid && v.n_records == 1) {
		r = store_sts_txt_seen(store, snap->domain, v.txt.id, snap->taken_at, reterr);
		if (r == 0 && pf->attempted && pf->outcome == FETCH_RESPONSE && pf->status == 200 &&
		    pf->body != NULL)
			r = store_policy_seen(
			    store, snap->domain, v.txt.id, pf->body, pf->body_len,
			    v.policy != NULL ? sts_policy_mode_name(v.policy->mode) : NULL,
			    v.policy != NULL ? (long)v.policy->max_age : -1,
			    v.policy != NULL ? (const char *const *)v.policy->mx : NULL,
			    snap->taken_at, reterr);
	}
	sts_view_clear(&v);
	q = record_leaves(store, snap, r == 0 ? reterr : NULL);
	if (r == 0)
		r = q;
	q = record_tlsa_views(store, snap, r == 0 ? reterr : NULL);
	return r < 0 ? r : q;
}

/*
 * observe.c - snapshots into the store's history and back; see observe.h.
 *
 * Recording runs after the checks, so that a cycle's checks compare with the previous cycles
 * only: the first observation of a key is never a change (lib/history.h).
 */
#include "agent/observe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sts_view.h"

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
	return r < 0 ? r : q;
}

/*
 * observe.c - snapshots into the store's history and back; see observe.h.
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

int observe_record(struct store *store, const struct snapshot *snap, struct mxs_error *reterr)
{
	const struct policy_fetch *pf = &snap->policy;
	struct sts_view v;
	int r = 0;

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
	return r;
}

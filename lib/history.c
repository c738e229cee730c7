/*
 * history.c - releasing what the store remembered about a domain, and reading key changes
 * out of it; see history.h.
 *
 * The agent fills a struct history from its store (agent/store.c) and hands it to the checks
 * for one evaluation; this is its only destructor. It must tolerate a history abandoned
 * half-way through loading (a NULL id, mode, pattern list or MX name), because the store
 * clears what it filled when a later row fails.
 */
#include "lib/history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One policy's strings; the digest is inline. */
static void policy_seen_clear(struct policy_seen *p)
{
	size_t i;

	free(p->id);
	free(p->mode);
	if (p->mx != NULL) {
		for (i = 0; p->mx[i] != NULL; i++)
			free(p->mx[i]);
		free(p->mx);
	}
	memset(p, 0, sizeof(*p));
}

void history_clear(struct history *h)
{
	size_t i;

	if (h == NULL)
		return;
	if (h->policies != NULL) {
		for (i = 0; i < h->n_policies; i++)
			policy_seen_clear(&h->policies[i]);
		free(h->policies);
	}
	if (h->keys != NULL) {
		for (i = 0; i < h->n_keys; i++)
			free(h->keys[i].mx);
		free(h->keys);
	}
	rpt_summary_clear(&h->reports);
	free(h->unavailable_reason);
	/* All zero: available is false, as history.h promises after a clear. */
	memset(h, 0, sizeof(*h));
}

void history_digest_hex(const unsigned char d[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0x0f];
	}
	out[64] = '\0';
}

/* Whether k was presented to the session (mx, address, alg). */
static bool same_session(const struct key_seen *k, const char *mx, const char *address,
			 const char *alg)
{
	return k->mx != NULL && strcmp(k->mx, mx) == 0 && strcmp(k->address, address) == 0 &&
	       strcmp(k->alg, alg) == 0;
}

int history_key_change(const struct history *h, const char *mx, const char *address,
		       const char *alg, const char *spki_sha256, time_t now, struct key_change *ret)
{
	const struct key_seen *prev = NULL;
	time_t first = 0;
	bool seen_current = false;
	size_t i;

	if (h == NULL || mx == NULL || address == NULL || alg == NULL || spki_sha256 == NULL ||
	    ret == NULL)
		return -EINVAL;
	if (!h->available)
		return 0;
	/* The previous key is the newest other key; the order of the array is not relied on. */
	for (i = 0; i < h->n_keys; i++) {
		const struct key_seen *k = &h->keys[i];

		if (!same_session(k, mx, address, alg))
			continue;
		if (strcmp(k->spki_sha256, spki_sha256) != 0) {
			if (prev == NULL || k->last_seen > prev->last_seen)
				prev = k;
		} else if (!seen_current || k->first_seen < first) {
			/* a renewal for the same key is another certificate of the same run */
			first = k->first_seen;
			seen_current = true;
		}
	}
	if (prev == NULL)
		return 0;
	if (!seen_current)
		first = now;
	/* Both keys seen at the same time, or the current one before: no single change. */
	if (first <= prev->last_seen)
		return 0;
	*ret = (struct key_change){ .previous = prev,
				    .changed_at = first,
				    .first_now = !seen_current };
	return 1;
}

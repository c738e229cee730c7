/*
 * history.c - releasing what the store remembered about a domain; see history.h.
 *
 * The agent fills a struct history from its store (agent/store.c) and hands it to the checks
 * for one evaluation; this is its only destructor. It must tolerate a history abandoned
 * half-way through loading (a NULL id, mode or pattern list), because the store clears what it
 * filled when a later row fails.
 */
#include "lib/history.h"

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
	free(h->unavailable_reason);
	/* All zero: available is false, as history.h promises after a clear. */
	memset(h, 0, sizeof(*h));
}

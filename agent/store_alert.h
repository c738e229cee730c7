/*
 * store_alert.h - the alert side of the store (migration 5, agent/store.c): each domain's alert
 * tracks (lib/alert_decide.h) and the durable outbox.
 *
 * Durability (issue "alerts"): every message is written to the outbox before any delivery is
 * tried, in the same transaction as the tracks that say it was told, so that a crash loses
 * neither; a delivery in flight is marked "sending", and a row still marked so when the agent
 * starts again is sent again (at least once: the receiver may see it twice, with the same
 * message id, and the agent counts such rows).
 */
#ifndef MXS_AGENT_STORE_ALERT_H
#define MXS_AGENT_STORE_ALERT_H

#include <stddef.h>
#include <time.h>

#include "agent/store.h"
#include "lib/alert_decide.h"
#include "lib/error.h"

/* A message for one sink, to be queued. */
struct outbox_new {
	const char *sink;
	const char *message_id;
	const char *body; /* the webhook document (alert_json()) */
	time_t valid_until;
};

/* A queued row, as store_outbox_next() hands it out. */
struct outbox_row {
	long long id;
	char *sink, *domain, *message_id, *body;
	time_t valid_until, created, next_attempt;
	unsigned attempts;
};

/* The domain's tracks (alert_tracks_free()); none: *ret NULL, *ret_n 0. */
int store_alert_load(struct store *s, const char *domain, struct alert_track **ret, size_t *ret_n,
		     struct mxs_error *reterr);

/*
 * In one transaction: replace the domain's tracks by tracks[0..n-1] and queue rows[0..n_rows-1]
 * (pending, due now; a row whose (sink, message id) is queued already is not queued again).
 */
int store_alert_commit(struct store *s, const char *domain, const struct alert_track *tracks,
		       size_t n, const struct outbox_new *rows, size_t n_rows, time_t at,
		       struct mxs_error *reterr);

/*
 * The oldest row of sink that is pending and due at now, marked "sending" (one transaction).
 * Returns 1 and *ret (outbox_row_clear()), 0 when there is none, or -errno.
 */
int store_outbox_next(struct store *s, const char *sink, time_t now, struct outbox_row *ret,
		      struct mxs_error *reterr);

/* A delivery ended: "delivered" or "failed" (done), or back to "pending" for next_attempt. */
int store_outbox_done(struct store *s, long long id, const char *state, unsigned attempts,
		      time_t next_attempt, const char *error, time_t at, struct mxs_error *reterr);

/* At start: rows left "sending" by a crash become pending again; *ret_n says how many. */
int store_outbox_recover(struct store *s, size_t *ret_n, struct mxs_error *reterr);

/* Rows queued for a sink that is not in names (NULL-terminated) become failed with why. */
int store_outbox_orphans(struct store *s, const char *const *names, const char *why, time_t at,
			 size_t *ret_n, struct mxs_error *reterr);

/* Every pending row is due at now (an operator's "try again now"). */
int store_outbox_retry_now(struct store *s, time_t now, struct mxs_error *reterr);

/* Rows pending or sending; and the earliest next_attempt of pending rows (0 when none). */
int store_outbox_pending(struct store *s, size_t *ret_n, time_t *ret_next,
			 struct mxs_error *reterr);

void outbox_row_clear(struct outbox_row *row);

/* When the agent last did name (e.g. "weekly-summary:oncall"): 1 and *ret, 0 never, -errno. */
int store_mark_get(struct store *s, const char *name, time_t *ret, struct mxs_error *reterr);

/* Record that the agent did name at at. Returns 0 or -errno. */
int store_mark_set(struct store *s, const char *name, time_t at, struct mxs_error *reterr);

#endif

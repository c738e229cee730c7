/*
 * store_state.h - what is wrong with each domain now, since when, and every change of it: the
 * store's finding state, its transitions and the last cycle of each domain (migration 4 in
 * store.c; DESIGN.md, "record and alert").
 *
 * A problem is a finding of severity WARNING, CRITICAL or UNKNOWN; an OK finding is a note and
 * never state. A problem is identified by its key: (domain, check, MX host, address, algorithm,
 * code). After each cycle of a domain the daemon hands its findings to store_state_apply(),
 * which compares them with the domain's open problems and records each difference as an event:
 *
 *   opened    a key that was not a problem is one now (old_severity OK);
 *   changed   an open problem now has another severity (since is kept, severity_since moves);
 *   resolved  an open problem is not reported any more, or only as OK (severity OK).
 *
 * A new message under the same key and severity is no event: the row's message is updated. The
 * events are append-only and numbered; the alert outbox reads them with store_events_since()
 * and keeps the last number it delivered. UNKNOWN ("the agent could not tell", check.failed,
 * check.unknown) is a problem like the others here: inhibiting alerts about it is the alert
 * side's business, and the state must say what the last cycle saw.
 *
 * Ownership: every array returned here is the caller's, with every string in it, and is
 * released by the matching *_free() function. The store's own rules apply (store.h): negative
 * errno, reterr filled with the database path and SQLite's message, nothing changed on failure.
 */
#ifndef MXS_AGENT_STORE_STATE_H
#define MXS_AGENT_STORE_STATE_H

#include <stddef.h>
#include <time.h>

#include "agent/store.h"
#include "lib/error.h"
#include "lib/finding.h"
#include "lib/severity.h"

/* One open problem (a row of finding_state). */
struct state_row {
	char *domain;
	char *check;            /* the check's name, e.g. "cert_expiry" */
	char *mx;               /* MX host, or NULL for the domain as a whole */
	char *address;          /* address of that MX, or NULL */
	char *alg;              /* "ECDSA"/"RSA", or NULL */
	char *code;             /* stable code, e.g. "cert.expiring" */
	enum severity severity; /* WARNING, CRITICAL or UNKNOWN */
	char *message;          /* the latest message */
	char *req;              /* requirement ID, or NULL */
	time_t since;           /* the cycle that opened the problem */
	time_t severity_since;  /* the cycle that gave it its current severity */
	time_t last_seen;       /* the latest cycle that reported it */
};

enum state_event_kind {
	STATE_EVENT_OPENED,
	STATE_EVENT_CHANGED,
	STATE_EVENT_RESOLVED,
};

/* One transition (a row of events). */
struct state_event {
	long long id; /* increasing, never reused */
	time_t at;    /* the cycle that saw it */
	char *domain;
	char *check;
	char *mx, *address, *alg; /* NULL when absent, as in struct state_row */
	char *code;
	enum state_event_kind kind;
	enum severity severity;     /* after: SEVERITY_OK for resolved */
	enum severity old_severity; /* before: SEVERITY_OK for opened */
	char *message; /* the finding's message; for resolved, the OK finding's message when the
			* check reported the key as OK, else the problem's last message */
	char *req;     /* requirement ID, or NULL */
};

/* The last cycle of one domain (a row of domain_cycles). */
struct state_cycle {
	char *domain;
	time_t cycle_at;
	unsigned duration_ms;
	enum severity worst; /* of all the cycle's findings, by severity_rank() */
	unsigned n_ok, n_warning, n_critical, n_unknown; /* findings of the cycle, by severity */
	char *summary;                                   /* a short text; "" when none */
};

/* The events one store_state_apply() wrote, in the order written. */
struct store_transitions {
	struct state_event *v;
	size_t n;
};

/*
 * Record one cycle of domain: compare its findings with its open problems, write the
 * transitions as events, update the problems and the domain's last cycle. One transaction
 * (BEGIN IMMEDIATE): after a crash or a failure either all of it is recorded or nothing, so a
 * transition is never lost nor written twice when the cycle is applied again.
 *
 * domain:      the normalised domain name (borrowed); every finding must be about it.
 * f:           the cycle's findings (borrowed); NULL or empty resolves every open problem. When
 *              one key appears more than once, the worst by severity_rank() counts, the first
 *              of equals; its message and req are stored.
 * at:          when the cycle ran (the snapshot's taken_at): the events' time, since of the
 *              problems it opens, the cycle's time.
 * duration_ms: how long the cycle took.
 * summary:     a short text for people ("2 MX, 3 addresses, MTA-STS enforce"), or NULL.
 * ret:         when not NULL, must be empty (zeroed or cleared); on success it receives copies
 *              of the events written (none when nothing changed), the caller's to release with
 *              store_transitions_clear(). Untouched on failure.
 *
 * Applying the same findings again writes no event, only last_seen and the cycle.
 *
 * Returns 0; -EINVAL for a bad argument or finding (reterr says which; nothing written);
 * -ENOMEM, -EIO, -EBUSY for failures of the database, after which nothing of the cycle is
 * recorded.
 */
int store_state_apply(struct store *s, const char *domain, const struct findings *f, time_t at,
		      unsigned duration_ms, const char *summary, struct store_transitions *ret,
		      struct mxs_error *reterr);

/*
 * Forget a domain that left the configuration: its open problems and its last cycle are
 * deleted without events. Removing a domain is the operator's act, not a repair: a "resolved"
 * event would announce a recovery nobody saw. The events already written stay (the log is
 * append-only), and so do the certificate, policy and TLSA histories, which a domain added
 * again can still use. The domains the store knows are those of store_cycles_load(NULL).
 *
 * Returns the number of open problems forgotten (0 or more); -EINVAL, -ENOMEM, -EIO, -EBUSY.
 */
int store_state_forget_domain(struct store *s, const char *domain, struct mxs_error *reterr);

/*
 * The open problems of domain, or of every domain when domain is NULL: ordered by domain, then
 * worst first (severity_rank()), then oldest first, then key. On success *ret is a new array of
 * *ret_n rows (NULL and 0 when there is none), to release with store_state_free().
 *
 * Returns 0, -EINVAL, -ENOMEM, -EIO, -EBUSY.
 */
int store_state_load(struct store *s, const char *domain, struct state_row **ret, size_t *ret_n,
		     struct mxs_error *reterr);

/*
 * The last cycle of domain, or of every domain when domain is NULL, ordered by domain. Same
 * return and ownership rules as store_state_load(); a domain never applied gives no row.
 */
int store_cycles_load(struct store *s, const char *domain, struct state_cycle **ret, size_t *ret_n,
		      struct mxs_error *reterr);

/*
 * The events numbered after after_id (0: from the first), oldest first, at most max (1 or
 * more): a reader pages with the last id it received. Same return and ownership rules as
 * store_state_load(); release with store_events_free().
 */
int store_events_since(struct store *s, long long after_id, size_t max, struct state_event **ret,
		       size_t *ret_n, struct mxs_error *reterr);

/* Release what the readers returned. NULL-safe; return NULL ("v = store_state_free(v, n);"). */
struct state_row *store_state_free(struct state_row *v, size_t n);
struct state_cycle *store_cycles_free(struct state_cycle *v, size_t n);
struct state_event *store_events_free(struct state_event *v, size_t n);

/* Release the events of t and reset it to empty. NULL-safe. */
void store_transitions_clear(struct store_transitions *t);

/* "opened", "changed", "resolved" (static); "?" for a value out of range. */
const char *store_event_kind_name(enum state_event_kind k);

#endif

/*
 * store_state.c - recording a domain's cycle as finding state and transitions; see
 * store_state.h and migration 4 in store.c. The readers are in store_state_read.c.
 *
 * store_state_apply() reads the domain's open problems and writes every difference inside one
 * BEGIN IMMEDIATE transaction: the write lock is taken before the read, so no other writer can
 * slip a change between the comparison and the writes, and a crash leaves the database either
 * before or after the whole cycle (kill -9: every commit is kept; a power loss under WAL's
 * synchronous=NORMAL may lose the latest commits, never part of one). An event is written in
 * the same transaction as the state change it describes, which is what makes "no transition
 * lost or doubled" hold across restarts: a cycle that did not commit is applied again from the
 * same old state.
 *
 * The comparison sorts the cycle's findings and the open problems by key with the same C
 * comparison (byte order, '' for an absent subject part) and walks both lists once.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store_db.h"
#include "agent/store_state.h"

/* The key of a problem, '' standing for an absent part as in the table. */
enum { K_CHECK, K_MX, K_ADDRESS, K_ALG, K_CODE, K_COUNT };

static const char SQL_OPEN[] =
    "INSERT INTO finding_state (domain, check_name, mx, address, alg, code, severity, message,"
    " req, since, severity_since, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
    " ?10, ?10)";
/* The right-hand sides read the row as it was: severity_since moves only on a new severity. */
static const char SQL_UPDATE[] =
    "UPDATE finding_state SET severity = ?7, message = ?8, req = ?9, last_seen = ?10,"
    " severity_since = CASE WHEN severity = ?7 THEN severity_since ELSE ?10 END"
    " WHERE domain = ?1 AND check_name = ?2 AND mx = ?3 AND address = ?4 AND alg = ?5"
    " AND code = ?6";
static const char SQL_RESOLVE[] =
    "DELETE FROM finding_state WHERE domain = ?1 AND check_name = ?2 AND mx = ?3"
    " AND address = ?4 AND alg = ?5 AND code = ?6";
static const char SQL_EVENT[] =
    "INSERT INTO events (domain, check_name, mx, address, alg, code, kind, severity,"
    " old_severity, message, req, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " RETURNING id";
static const char SQL_CYCLE[] =
    "INSERT INTO domain_cycles (domain, cycle_at, duration_ms, worst, n_ok, n_warning,"
    " n_critical, n_unknown, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (domain) DO UPDATE SET cycle_at = excluded.cycle_at,"
    " duration_ms = excluded.duration_ms, worst = excluded.worst, n_ok = excluded.n_ok,"
    " n_warning = excluded.n_warning, n_critical = excluded.n_critical,"
    " n_unknown = excluded.n_unknown, summary = excluded.summary";
static const char SQL_FORGET_STATE[] = "DELETE FROM finding_state WHERE domain = ?1 RETURNING 1";
static const char SQL_FORGET_CYCLE[] = "DELETE FROM domain_cycles WHERE domain = ?1";

/* One finding of the cycle with its position, for "the first of equals wins". */
struct ranked {
	const struct finding *f;
	size_t index;
};

/* What one apply is working with. */
struct apply {
	struct store *s;
	const char *domain;
	time_t at;
	struct store_transitions *out; /* NULL: the caller does not want the events */
	struct mxs_error *reterr;
};

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static void finding_key(const struct finding *f, const char *k[K_COUNT])
{
	k[K_CHECK] = f->check;
	k[K_MX] = or_empty(f->mx);
	k[K_ADDRESS] = or_empty(f->address);
	k[K_ALG] = or_empty(f->alg);
	k[K_CODE] = f->code;
}

static void row_key(const struct state_row *r, const char *k[K_COUNT])
{
	k[K_CHECK] = r->check;
	k[K_MX] = or_empty(r->mx);
	k[K_ADDRESS] = or_empty(r->address);
	k[K_ALG] = or_empty(r->alg);
	k[K_CODE] = r->code;
}

static int key_cmp(const char *const a[K_COUNT], const char *const b[K_COUNT])
{
	int i, c;

	for (i = 0; i < K_COUNT; i++) {
		c = strcmp(a[i], b[i]);
		if (c != 0)
			return c;
	}
	return 0;
}

/* By key; within one key the worst first, then the first given. */
static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	const char *kx[K_COUNT], *ky[K_COUNT];
	int c, rx, ry;

	finding_key(x->f, kx);
	finding_key(y->f, ky);
	c = key_cmp(kx, ky);
	if (c != 0)
		return c;
	rx = severity_rank(x->f->severity);
	ry = severity_rank(y->f->severity);
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int row_cmp(const void *a, const void *b)
{
	const char *ka[K_COUNT], *kb[K_COUNT];

	row_key(a, ka);
	row_key(b, kb);
	return key_cmp(ka, kb);
}

/* Everything is checked before the transaction, so that a bad finding writes nothing. */
static int check_findings(const struct store *s, const char *domain, const struct findings *f,
			  struct mxs_error *reterr)
{
	size_t i;

	for (i = 0; f != NULL && i < f->n; i++) {
		const struct finding *x = &f->v[i];

		if (x->check == NULL || *x->check == '\0' || x->code == NULL || *x->code == '\0' ||
		    x->message == NULL || (unsigned)x->severity > SEVERITY_UNKNOWN)
			return mxs_error_set(reterr, store_db_path(s), NULL,
					     "state of %s: finding %zu has no check, code, message "
					     "or a valid severity",
					     domain, i);
		if (x->domain == NULL || strcmp(x->domain, domain) != 0)
			return mxs_error_set(reterr, store_db_path(s), NULL,
					     "state of %s: finding %zu (%s) is about \"%s\"",
					     domain, i, x->code, or_empty(x->domain));
	}
	return 0;
}

/*
 * The cycle's findings, one per key (the worst, the first of equals), sorted by key, into
 * *ret (NULL when none) and *ret_n.
 */
static int pick_findings(const struct findings *f, const struct finding ***ret, size_t *ret_n)
{
	const struct finding **w;
	struct ranked *all;
	const char *prev[K_COUNT], *k[K_COUNT];
	size_t n = f != NULL ? f->n : 0, i, m = 0;

	*ret = NULL;
	*ret_n = 0;
	if (n == 0)
		return 0;
	all = calloc(n, sizeof(*all));
	w = calloc(n, sizeof(*w));
	if (all == NULL || w == NULL) {
		free(all);
		free(w);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		all[i] = (struct ranked){ .f = &f->v[i], .index = i };
	qsort(all, n, sizeof(*all), ranked_cmp);
	for (i = 0; i < n; i++) {
		finding_key(all[i].f, k);
		if (m > 0 && key_cmp(prev, k) == 0)
			continue;
		w[m++] = all[i].f;
		memcpy(prev, k, sizeof(prev));
	}
	free(all);
	*ret = w;
	*ret_n = m;
	return 0;
}

/* Every statement here starts with the same six parameters: ?1 domain, ?2-?6 the key. */
static bool bind_key(sqlite3_stmt *st, const char *domain, const char *const k[K_COUNT])
{
	int i;

	if (sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK)
		return false;
	for (i = 0; i < K_COUNT; i++)
		if (sqlite3_bind_text(st, 2 + i, k[i], -1, SQLITE_STATIC) != SQLITE_OK)
			return false;
	return true;
}

/* What one transition says; the key's strings are the table's ('' for absent). */
struct transition {
	const char *const *k;
	enum state_event_kind kind;
	enum severity severity, old_severity;
	const char *message, *req;
};

/* A copy of "" as NULL, of anything else as itself; false when out of memory. */
static bool dup_part(const char *s, char **ret)
{
	*ret = *s != '\0' ? strdup(s) : NULL;
	return *s == '\0' || *ret != NULL;
}

/* A copy of the event just written, for the caller's log; the key's '' become NULL again. */
static int keep_event(struct apply *a, long long id, const struct transition *t)
{
	struct store_transitions *out = a->out;
	struct state_event *v, *c;

	v = reallocarray(out->v, out->n + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	out->v = v;
	c = &v[out->n];
	*c = (struct state_event){ .id = id,
				   .at = a->at,
				   .kind = t->kind,
				   .severity = t->severity,
				   .old_severity = t->old_severity };
	out->n++; /* counted before filling: store_transitions_clear() frees a half copy */
	c->domain = strdup(a->domain);
	c->check = strdup(t->k[K_CHECK]);
	c->code = strdup(t->k[K_CODE]);
	c->message = strdup(t->message);
	c->req = t->req != NULL ? strdup(t->req) : NULL;
	if (!dup_part(t->k[K_MX], &c->mx) || !dup_part(t->k[K_ADDRESS], &c->address) ||
	    !dup_part(t->k[K_ALG], &c->alg) || c->domain == NULL || c->check == NULL ||
	    c->code == NULL || c->message == NULL || (t->req != NULL && c->req == NULL))
		return -ENOMEM;
	return 0;
}

/*
 * Append one event to the log. RETURNING gives the id the row got, which the caller's log
 * line carries so that it can be matched with what the alert outbox later delivers.
 */
static int write_event(struct apply *a, const struct transition *t)
{
	sqlite3_stmt *st = store_stmt(a->s, SQL_EVENT, a->reterr);
	long long id;
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (!bind_key(st, a->domain, t->k) ||
	    sqlite3_bind_text(st, 7, store_event_kind_name(t->kind), -1, SQLITE_STATIC) !=
		SQLITE_OK ||
	    sqlite3_bind_int(st, 8, (int)t->severity) != SQLITE_OK ||
	    sqlite3_bind_int(st, 9, (int)t->old_severity) != SQLITE_OK ||
	    sqlite3_bind_text(st, 10, t->message, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 11, t->req, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 12, (sqlite3_int64)a->at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		r = store_db_fail(a->s, a->reterr, "recording a transition");
		goto out;
	}
	id = (long long)sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		r = store_db_fail(a->s, a->reterr, "recording a transition");
		goto out;
	}
	if (a->out != NULL && keep_event(a, id, t) < 0) {
		(void)mxs_error_set(a->reterr, store_db_path(a->s), NULL,
				    "recording a transition: out of memory");
		r = -ENOMEM;
	}
out:
	store_db_done(st);
	return r;
}

/* Insert (sql = SQL_OPEN) or update (SQL_UPDATE) the problem x. */
static int write_problem(struct apply *a, const char *sql, const struct finding *x)
{
	sqlite3_stmt *st = store_stmt(a->s, sql, a->reterr);
	const char *k[K_COUNT];
	int r = 0;

	if (st == NULL)
		return -EIO;
	finding_key(x, k);
	if (!bind_key(st, a->domain, k) || sqlite3_bind_int(st, 7, (int)x->severity) != SQLITE_OK ||
	    sqlite3_bind_text(st, 8, x->message, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 9, x->req, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 10, (sqlite3_int64)a->at) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(a->s, a->reterr, "recording a problem");
	store_db_done(st);
	return r;
}

/* The open problem row is no longer reported (ok == NULL) or reported as OK. */
static int resolve(struct apply *a, const struct state_row *row, const struct finding *ok)
{
	sqlite3_stmt *st = store_stmt(a->s, SQL_RESOLVE, a->reterr);
	const char *k[K_COUNT];
	int r = 0;

	if (st == NULL)
		return -EIO;
	row_key(row, k);
	if (!bind_key(st, a->domain, k) || sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(a->s, a->reterr, "resolving a problem");
	store_db_done(st);
	if (r == 0)
		r = write_event(
		    a, &(struct transition){ .k = k,
					     .kind = STATE_EVENT_RESOLVED,
					     .severity = SEVERITY_OK,
					     .old_severity = row->severity,
					     .message = ok != NULL ? ok->message : row->message,
					     .req = row->req });
	return r;
}

/* One key of the walk: x is the cycle's finding (or NULL), row the open problem (or NULL). */
static int step(struct apply *a, const struct finding *x, const struct state_row *row)
{
	const char *k[K_COUNT];
	int r;

	if (x == NULL || x->severity == SEVERITY_OK)
		return row != NULL ? resolve(a, row, x) : 0;
	finding_key(x, k);
	if (row == NULL) {
		r = write_problem(a, SQL_OPEN, x);
		if (r == 0)
			r = write_event(a, &(struct transition){ .k = k,
								 .kind = STATE_EVENT_OPENED,
								 .severity = x->severity,
								 .old_severity = SEVERITY_OK,
								 .message = x->message,
								 .req = x->req });
		return r;
	}
	/* Same severity: a new message or requirement is stored, and is no transition. */
	r = write_problem(a, SQL_UPDATE, x);
	if (r == 0 && row->severity != x->severity)
		r = write_event(a, &(struct transition){ .k = k,
							 .kind = STATE_EVENT_CHANGED,
							 .severity = x->severity,
							 .old_severity = row->severity,
							 .message = x->message,
							 .req = x->req });
	return r;
}

/* Walk the cycle's findings and the open problems, both sorted by key, together. */
static int compare(struct apply *a, const struct finding *const *w, size_t n_w,
		   struct state_row *rows, size_t n_rows)
{
	const char *kw[K_COUNT], *kr[K_COUNT];
	size_t i = 0, j = 0;
	int r = 0, c;

	if (n_rows > 1)
		qsort(rows, n_rows, sizeof(*rows), row_cmp);
	while (r == 0 && (i < n_w || j < n_rows)) {
		if (i == n_w) {
			c = 1;
		} else if (j == n_rows) {
			c = -1;
		} else {
			finding_key(w[i], kw);
			row_key(&rows[j], kr);
			c = key_cmp(kw, kr);
		}
		r = step(a, c <= 0 ? w[i] : NULL, c >= 0 ? &rows[j] : NULL);
		i += c <= 0;
		j += c >= 0;
	}
	return r;
}

static int write_cycle(struct apply *a, const struct findings *f, unsigned duration_ms,
		       const char *summary)
{
	sqlite3_stmt *st = store_stmt(a->s, SQL_CYCLE, a->reterr);
	unsigned count[SEVERITY_UNKNOWN + 1] = { 0 };
	size_t i;
	int r = 0;

	if (st == NULL)
		return -EIO;
	/* Counted as the cycle reported them, duplicates included, as "check" counts them. */
	for (i = 0; f != NULL && i < f->n; i++)
		count[f->v[i].severity]++; /* in range: check_findings() */
	if (sqlite3_bind_text(st, 1, a->domain, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)a->at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)duration_ms) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, (int)findings_worst(f)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, count[SEVERITY_OK]) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, count[SEVERITY_WARNING]) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, count[SEVERITY_CRITICAL]) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 8, count[SEVERITY_UNKNOWN]) != SQLITE_OK ||
	    sqlite3_bind_text(st, 9, or_empty(summary), -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(a->s, a->reterr, "recording the cycle");
	store_db_done(st);
	return r;
}

int store_state_apply(struct store *s, const char *domain, const struct findings *f, time_t at,
		      unsigned duration_ms, const char *summary, struct store_transitions *ret,
		      struct mxs_error *reterr)
{
	struct store_transitions events = { 0 };
	struct apply a = { .s = s,
			   .domain = domain,
			   .at = at,
			   .out = ret != NULL ? &events : NULL,
			   .reterr = reterr };
	const struct finding **w = NULL;
	struct state_row *rows = NULL;
	size_t n_w = 0, n_rows = 0;
	int r;

	if (s == NULL || domain == NULL || *domain == '\0')
		return mxs_error_set(reterr, NULL, NULL, "store_state_apply: missing argument");
	r = check_findings(s, domain, f, reterr);
	if (r < 0)
		return r;
	r = pick_findings(f, &w, &n_w);
	if (r < 0) {
		(void)mxs_error_set(reterr, store_db_path(s), NULL, "state of %s: out of memory",
				    domain);
		return r;
	}
	/* The comparison reads the state under the write lock it then writes with. */
	r = store_db_exec(s, "BEGIN IMMEDIATE", "recording a cycle", reterr);
	if (r == 0)
		r = store_state_load(s, domain, &rows, &n_rows, reterr);
	if (r == 0)
		r = compare(&a, w, n_w, rows, n_rows);
	if (r == 0)
		r = write_cycle(&a, f, duration_ms, summary);
	if (r == 0)
		r = store_db_exec(s, "COMMIT", "recording a cycle", reterr);
	if (r < 0) {
		store_db_rollback(s);
		store_transitions_clear(&events);
	} else if (ret != NULL) {
		*ret = events;
	}
	(void)store_state_free(rows, n_rows);
	free(w);
	return r;
}

int store_state_forget_domain(struct store *s, const char *domain, struct mxs_error *reterr)
{
	sqlite3_stmt *state, *cycle;
	int r, n = 0, rc;

	if (s == NULL || domain == NULL || *domain == '\0')
		return mxs_error_set(reterr, NULL, NULL,
				     "store_state_forget_domain: missing argument");
	state = store_stmt(s, SQL_FORGET_STATE, reterr);
	cycle = store_stmt(s, SQL_FORGET_CYCLE, reterr);
	if (state == NULL || cycle == NULL)
		return -EIO;
	r = store_db_exec(s, "BEGIN IMMEDIATE", "forgetting a domain", reterr);
	if (r == 0) {
		/* RETURNING answers one row per problem deleted: their count is the result. */
		rc = sqlite3_bind_text(state, 1, domain, -1, SQLITE_STATIC) == SQLITE_OK
			 ? sqlite3_step(state)
			 : SQLITE_ERROR;
		while (rc == SQLITE_ROW) {
			n++;
			rc = sqlite3_step(state);
		}
		if (rc != SQLITE_DONE)
			r = store_db_fail(s, reterr, "forgetting a domain's problems");
		store_db_done(state);
	}
	if (r == 0 && (sqlite3_bind_text(cycle, 1, domain, -1, SQLITE_STATIC) != SQLITE_OK ||
		       sqlite3_step(cycle) != SQLITE_DONE))
		r = store_db_fail(s, reterr, "forgetting a domain's cycle");
	store_db_done(cycle);
	if (r == 0)
		r = store_db_exec(s, "COMMIT", "forgetting a domain", reterr);
	if (r < 0) {
		store_db_rollback(s);
		return r;
	}
	return n;
}

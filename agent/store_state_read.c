/*
 * store_state_read.c - reading the finding state, the last cycles and the transitions back;
 * see store_state.h. store_state.c writes them.
 *
 * Each reader is one SELECT, so it sees one moment of the database without a transaction of
 * its own, and can run inside the caller's (store_state_apply() reads the open problems under
 * its write lock). The one-domain and every-domain forms are separate statements so that the
 * one-domain form, which the daemon runs once per cycle, is a lookup on the primary key.
 *
 * The subject parts the tables hold as '' come back as NULL, as in struct finding.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store_db.h"
#include "agent/store_state.h"

/* Worst first in severity_rank()'s order: CRITICAL, UNKNOWN, WARNING (lib/severity.h). */
#define STATE_COLUMNS                                                                              \
	"SELECT domain, check_name, mx, address, alg, code, severity, message, req, since,"        \
	" severity_since, last_seen FROM finding_state"
#define STATE_ORDER                                                                                \
	" ORDER BY domain, CASE severity WHEN 2 THEN 3 WHEN 3 THEN 2 ELSE severity END DESC,"      \
	" since, check_name, mx, address, alg, code"
static const char SQL_STATE_ONE[] = STATE_COLUMNS " WHERE domain = ?1" STATE_ORDER;
static const char SQL_STATE_ALL[] = STATE_COLUMNS STATE_ORDER;

#define CYCLE_COLUMNS                                                                              \
	"SELECT domain, cycle_at, duration_ms, worst, n_ok, n_warning, n_critical, n_unknown,"     \
	" summary FROM domain_cycles"
static const char SQL_CYCLE_ONE[] = CYCLE_COLUMNS " WHERE domain = ?1";
static const char SQL_CYCLE_ALL[] = CYCLE_COLUMNS " ORDER BY domain";

static const char SQL_EVENTS[] =
    "SELECT id, at, domain, check_name, mx, address, alg, code, kind, severity, old_severity,"
    " message, req FROM events WHERE id > ?1 ORDER BY id LIMIT ?2";

static const char *const kind_names[] = {
	[STATE_EVENT_OPENED] = "opened",
	[STATE_EVENT_CHANGED] = "changed",
	[STATE_EVENT_RESOLVED] = "resolved",
};

const char *store_event_kind_name(enum state_event_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

/*
 * A copy of text column i into *ret: NULL for an SQL NULL, and for '' when empty_is_null (an
 * absent subject part). -ENOMEM when SQLite or strdup() ran out of memory.
 */
static int col_text(sqlite3_stmt *st, int i, bool empty_is_null, char **ret)
{
	const unsigned char *t;

	*ret = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	t = sqlite3_column_text(st, i);
	if (t == NULL)
		return -ENOMEM;
	if (empty_is_null && *t == '\0')
		return 0;
	*ret = strdup((const char *)t);
	return *ret != NULL ? 0 : -ENOMEM;
}

/* A severity column; the schema's CHECKs keep it within the enum. */
static enum severity col_severity(sqlite3_stmt *st, int i)
{
	int v = sqlite3_column_int(st, i);

	return v >= SEVERITY_OK && v <= SEVERITY_UNKNOWN ? (enum severity)v : SEVERITY_UNKNOWN;
}

/* One row of SQL_STATE_* into *r (zeroed). */
static int read_state(sqlite3_stmt *st, void *row)
{
	struct state_row *r = row;

	if (col_text(st, 0, false, &r->domain) < 0 || col_text(st, 1, false, &r->check) < 0 ||
	    col_text(st, 2, true, &r->mx) < 0 || col_text(st, 3, true, &r->address) < 0 ||
	    col_text(st, 4, true, &r->alg) < 0 || col_text(st, 5, false, &r->code) < 0 ||
	    col_text(st, 7, false, &r->message) < 0 || col_text(st, 8, false, &r->req) < 0)
		return -ENOMEM;
	r->severity = col_severity(st, 6);
	r->since = (time_t)sqlite3_column_int64(st, 9);
	r->severity_since = (time_t)sqlite3_column_int64(st, 10);
	r->last_seen = (time_t)sqlite3_column_int64(st, 11);
	return 0;
}

/* A count column, for unsigned fields. */
static unsigned col_count(sqlite3_stmt *st, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(st, i);

	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
}

static int read_cycle(sqlite3_stmt *st, void *row)
{
	struct state_cycle *c = row;

	if (col_text(st, 0, false, &c->domain) < 0 || col_text(st, 8, false, &c->summary) < 0)
		return -ENOMEM;
	c->cycle_at = (time_t)sqlite3_column_int64(st, 1);
	c->duration_ms = col_count(st, 2);
	c->worst = col_severity(st, 3);
	c->n_ok = col_count(st, 4);
	c->n_warning = col_count(st, 5);
	c->n_critical = col_count(st, 6);
	c->n_unknown = col_count(st, 7);
	return 0;
}

static int read_event(sqlite3_stmt *st, void *row)
{
	struct state_event *e = row;
	const unsigned char *kind = sqlite3_column_text(st, 8);
	size_t k;

	if (kind == NULL)
		return -ENOMEM;
	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (strcmp((const char *)kind, kind_names[k]) == 0)
			break;
	/* The schema's CHECK allows these three only; another value is a damaged file. */
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return -EIO;
	e->kind = (enum state_event_kind)k;
	if (col_text(st, 2, false, &e->domain) < 0 || col_text(st, 3, false, &e->check) < 0 ||
	    col_text(st, 4, true, &e->mx) < 0 || col_text(st, 5, true, &e->address) < 0 ||
	    col_text(st, 6, true, &e->alg) < 0 || col_text(st, 7, false, &e->code) < 0 ||
	    col_text(st, 11, false, &e->message) < 0 || col_text(st, 12, false, &e->req) < 0)
		return -ENOMEM;
	e->id = (long long)sqlite3_column_int64(st, 0);
	e->at = (time_t)sqlite3_column_int64(st, 1);
	e->severity = col_severity(st, 9);
	e->old_severity = col_severity(st, 10);
	return 0;
}

static void release_state(void *v, size_t n)
{
	(void)store_state_free(v, n);
}

static void release_cycles(void *v, size_t n)
{
	(void)store_cycles_free(v, n);
}

static void release_events(void *v, size_t n)
{
	(void)store_events_free(v, n);
}

/* How to read one kind of row. */
struct reader {
	size_t size;                              /* of one row */
	int (*read)(sqlite3_stmt *st, void *row); /* fill a zeroed row: 0, -ENOMEM, -EIO */
	void (*release)(void *rows, size_t n);    /* its type's *_free() */
	const char *doing;                        /* for messages: "reading ..." */
};

static const struct reader state_reader = { sizeof(struct state_row), read_state, release_state,
					    "reading the finding state" };
static const struct reader cycle_reader = { sizeof(struct state_cycle), read_cycle, release_cycles,
					    "reading the last cycles" };
static const struct reader event_reader = { sizeof(struct state_event), read_event, release_events,
					    "reading the transitions" };

/*
 * Step st (bound by the caller; bound false when binding failed) to the end, reading every row
 * into a new array. The statement is made ready for its next use in every case.
 */
static int collect(struct store *s, sqlite3_stmt *st, bool bound, const struct reader *rd,
		   void **ret, size_t *ret_n, struct mxs_error *reterr)
{
	char *v = NULL, *grown;
	size_t n = 0, cap = 0;
	int r = 0, rc = bound ? sqlite3_step(st) : SQLITE_ERROR;

	while (rc == SQLITE_ROW) {
		if (n == cap) {
			size_t want = cap > 0 ? 2 * cap : 8;

			grown = reallocarray(v, want, rd->size);
			if (grown == NULL) {
				r = -ENOMEM;
				break;
			}
			v = grown;
			memset(v + cap * rd->size, 0, (want - cap) * rd->size);
			cap = want;
		}
		/* Counted before filling: the release function frees a half-filled row. */
		r = rd->read(st, v + n++ * rd->size);
		if (r < 0)
			break;
		rc = sqlite3_step(st);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_db_fail(s, reterr, rd->doing);
	else if (r == -ENOMEM)
		(void)mxs_error_set(reterr, store_db_path(s), NULL, "%s: out of memory", rd->doing);
	else if (r < 0)
		(void)mxs_error_set(reterr, store_db_path(s), NULL,
				    "%s: a value the schema does not allow", rd->doing);
	store_db_done(st);
	if (r < 0) {
		rd->release(v, n);
		return r;
	}
	if (n == 0) {
		free(v);
		v = NULL;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* The rows of one of two statements: sql_one for a domain, sql_all for NULL. */
static int load(struct store *s, const char *domain, const char *sql_one, const char *sql_all,
		const struct reader *rd, void **ret, size_t *ret_n, struct mxs_error *reterr)
{
	sqlite3_stmt *st;

	if (s == NULL || ret == NULL || ret_n == NULL)
		return mxs_error_set(reterr, NULL, NULL, "%s: missing argument", rd->doing);
	st = store_stmt(s, domain != NULL ? sql_one : sql_all, reterr);
	if (st == NULL)
		return -EIO;
	return collect(s, st,
		       domain == NULL ||
			   sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC) == SQLITE_OK,
		       rd, ret, ret_n, reterr);
}

int store_state_load(struct store *s, const char *domain, struct state_row **ret, size_t *ret_n,
		     struct mxs_error *reterr)
{
	void *v = NULL;
	int r = load(s, domain, SQL_STATE_ONE, SQL_STATE_ALL, &state_reader, &v, ret_n, reterr);

	if (r == 0)
		*ret = v;
	return r;
}

int store_cycles_load(struct store *s, const char *domain, struct state_cycle **ret, size_t *ret_n,
		      struct mxs_error *reterr)
{
	void *v = NULL;
	int r = load(s, domain, SQL_CYCLE_ONE, SQL_CYCLE_ALL, &cycle_reader, &v, ret_n, reterr);

	if (r == 0)
		*ret = v;
	return r;
}

int store_events_since(struct store *s, long long after_id, size_t max, struct state_event **ret,
		       size_t *ret_n, struct mxs_error *reterr)
{
	sqlite3_stmt *st;
	void *v = NULL;
	int r;

	if (s == NULL || ret == NULL || ret_n == NULL || max == 0)
		return mxs_error_set(reterr, NULL, NULL, "store_events_since: missing argument");
	st = store_stmt(s, SQL_EVENTS, reterr);
	if (st == NULL)
		return -EIO;
	r = collect(s, st,
		    sqlite3_bind_int64(st, 1, after_id) == SQLITE_OK &&
			sqlite3_bind_int64(
			    st, 2, max > INT64_MAX ? INT64_MAX : (sqlite3_int64)max) == SQLITE_OK,
		    &event_reader, &v, ret_n, reterr);
	if (r == 0)
		*ret = v;
	return r;
}

struct state_row *store_state_free(struct state_row *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].domain);
		free(v[i].check);
		free(v[i].mx);
		free(v[i].address);
		free(v[i].alg);
		free(v[i].code);
		free(v[i].message);
		free(v[i].req);
	}
	free(v);
	return NULL;
}

struct state_cycle *store_cycles_free(struct state_cycle *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].domain);
		free(v[i].summary);
	}
	free(v);
	return NULL;
}

struct state_event *store_events_free(struct state_event *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].domain);
		free(v[i].check);
		free(v[i].mx);
		free(v[i].address);
		free(v[i].alg);
		free(v[i].code);
		free(v[i].message);
		free(v[i].req);
	}
	free(v);
	return NULL;
}

void store_transitions_clear(struct store_transitions *t)
{
	if (t == NULL)
		return;
	t->v = store_events_free(t->v, t->n);
	t->n = 0;
}

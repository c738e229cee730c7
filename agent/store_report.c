/*
 * store_report.c - TLS-RPT reports in the store; see store_report.h.
 */
#include "agent/store_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/store_db.h"

static const char SQL_ADD[] =
    "INSERT OR IGNORE INTO reports (organization, report_id, contact, start, end, received,"
    " via, deviations) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_FIND[] = "SELECT id FROM reports WHERE organization = ?1 AND report_id = ?2";
static const char SQL_POLICY[] =
    "INSERT INTO report_policies (report, idx, policy_type, policy_domain, mode, successful,"
    " failed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_FAILURE[] =
    "INSERT INTO report_failures (report, policy_idx, result_type, sending_ip, receiving_mx,"
    " receiving_ip, count, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_REJECT[] =
    "INSERT INTO reports_rejected (received, via, reason, raw) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_POLICIES[] =
    "SELECT r.organization, r.report_id, r.start, r.end, p.policy_domain, p.policy_type,"
    " p.mode, p.successful, p.failed FROM reports r JOIN report_policies p ON p.report = r.id"
    " WHERE (?1 IS NULL OR p.policy_domain = ?1) AND r.end > ?2 AND r.start < ?3"
    " ORDER BY r.start, r.organization, r.report_id, p.idx";
static const char SQL_FAILURES[] =
    "SELECT r.organization, r.start, r.end, p.policy_domain, p.policy_type, p.mode,"
    " f.result_type, f.sending_ip, f.receiving_mx, f.receiving_ip, f.count, f.reason"
    " FROM reports r JOIN report_policies p ON p.report = r.id"
    " JOIN report_failures f ON f.report = r.id AND f.policy_idx = p.idx"
    " WHERE (?1 IS NULL OR p.policy_domain = ?1) AND r.end > ?2 AND r.start < ?3"
    " ORDER BY r.start, r.organization, p.idx, f.rowid";
static const char SQL_COUNTS[] =
    "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM reports_rejected)";

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) == SQLITE_OK ? 0 : -1;
}

static int bind_int(sqlite3_stmt *st, int i, long long v)
{
	return sqlite3_bind_int64(st, i, (sqlite3_int64)v) == SQLITE_OK ? 0 : -1;
}

/* The mode an MTA-STS policy's strings give ("mode: enforce"), or NULL. */
static const char *sts_mode(const struct tlsrpt_policy *p)
{
	static const char *const modes[] = { "enforce", "testing", "none" };

	if (p->type != TLSRPT_POLICY_STS)
		return NULL;
	for (size_t i = 0; i < p->n_policy_strings; i++) {
		const char *v = p->policy_strings[i];

		if (strncmp(v, "mode:", 5) != 0)
			continue;
		for (v += 5; *v == ' ' || *v == '\t'; v++)
			;
		for (size_t m = 0; m < 3; m++)
			if (strncmp(v, modes[m], strlen(modes[m])) == 0)
				return modes[m];
	}
	return NULL;
}

static int add_policy(sqlite3_stmt *pol, sqlite3_stmt *fail, long long id, size_t idx,
		      const struct tlsrpt_policy *p)
{
	int r = 0;

	if (bind_int(pol, 1, id) < 0 || bind_int(pol, 2, (long long)idx) < 0 ||
	    bind_text(pol, 3, tlsrpt_policy_type_name(p->type)) < 0 ||
	    bind_text(pol, 4, p->policy_domain != NULL ? p->policy_domain : "") < 0 ||
	    bind_text(pol, 5, sts_mode(p)) < 0 ||
	    bind_int(pol, 6, (long long)p->total_successful) < 0 ||
	    bind_int(pol, 7, (long long)p->total_failure) < 0 || sqlite3_step(pol) != SQLITE_DONE)
		r = -1;
	store_db_done(pol);
	for (size_t k = 0; r == 0 && k < p->n_failures; k++) {
		const struct tlsrpt_failure *f = &p->failures[k];

		if (bind_int(fail, 1, id) < 0 || bind_int(fail, 2, (long long)idx) < 0 ||
		    bind_text(fail, 3, f->result_type) < 0 ||
		    bind_text(fail, 4, f->sending_mta_ip) < 0 ||
		    bind_text(fail, 5, f->receiving_mx_hostname) < 0 ||
		    bind_text(fail, 6, f->receiving_ip) < 0 ||
		    bind_int(fail, 7, (long long)f->failed_session_count) < 0 ||
		    bind_text(fail, 8, f->failure_reason_code) < 0 ||
		    sqlite3_step(fail) != SQLITE_DONE)
			r = -1;
		store_db_done(fail);
	}
	return r;
}

int store_report_add(struct store *s, const struct tlsrpt_report *r, const char *via,
		     const char *deviations, time_t received, bool *ret_dup, long long *ret_id,
		     struct mxs_error *reterr)
{
	sqlite3_stmt *add = store_stmt(s, SQL_ADD, reterr), *find = store_stmt(s, SQL_FIND, reterr),
		     *pol = store_stmt(s, SQL_POLICY, reterr),
		     *fail = store_stmt(s, SQL_FAILURE, reterr);
	const char *org = r->organization_name != NULL ? r->organization_name : "";
	long long id = 0;
	int q, e = 0;

	if (add == NULL || find == NULL || pol == NULL || fail == NULL)
		return -EIO;
	q = store_db_exec(s, "BEGIN IMMEDIATE", "storing a report", reterr);
	if (q < 0)
		return q;
	if (bind_text(add, 1, org) < 0 || bind_text(add, 2, r->report_id) < 0 ||
	    bind_text(add, 3, r->contact_info) < 0 || bind_int(add, 4, (long long)r->start) < 0 ||
	    bind_int(add, 5, (long long)r->end) < 0 || bind_int(add, 6, (long long)received) < 0 ||
	    bind_text(add, 7, via) < 0 ||
	    bind_text(add, 8, deviations != NULL ? deviations : "") < 0 ||
	    sqlite3_step(add) != SQLITE_DONE)
		e = -1;
	store_db_done(add);
	*ret_dup = e == 0 && sqlite3_changes(store_db_handle(s)) == 0;
	if (e == 0 && *ret_dup) {
		if (bind_text(find, 1, org) < 0 || bind_text(find, 2, r->report_id) < 0 ||
		    sqlite3_step(find) != SQLITE_ROW)
			e = -1;
		else
			id = sqlite3_column_int64(find, 0);
		store_db_done(find);
	} else if (e == 0) {
		id = sqlite3_last_insert_rowid(store_db_handle(s));
		for (size_t i = 0; e == 0 && i < r->n_policies; i++)
			e = add_policy(pol, fail, id, i, &r->policies[i]);
	}
	if (e < 0) {
		q = store_db_fail(s, reterr, "storing a report");
		store_db_rollback(s);
		return q;
	}
	if (ret_id != NULL)
		*ret_id = id;
	return store_db_exec(s, "COMMIT", "storing a report", reterr);
}

int store_report_reject(struct store *s, const char *via, const char *reason, const void *raw,
			size_t len, time_t received, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_REJECT, reterr);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (bind_int(st, 1, (long long)received) < 0 || bind_text(st, 2, via) < 0 ||
	    bind_text(st, 3, reason) < 0 ||
	    sqlite3_bind_blob64(st, 4, raw != NULL ? raw : "", (sqlite3_uint64)len,
				SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		r = store_db_fail(s, reterr, "keeping a rejected report");
	store_db_done(st);
	return r;
}

static char *col(sqlite3_stmt *st, int i, bool *ok)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *c;

	if (t == NULL)
		return NULL;
	c = strdup((const char *)t);
	if (c == NULL)
		*ok = false;
	return c;
}

/* Run a range query (?1 domain or NULL, ?2 from, ?3 to), one callback per row. */
static int range_query(struct store *s, const char *sql, const char *domain, time_t from, time_t to,
		       int (*row)(sqlite3_stmt *st, void *ctx), void *ctx, struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, sql, reterr);
	int rc, r = 0;

	if (st == NULL)
		return -EIO;
	if ((domain != NULL ? bind_text(st, 1, domain) : (sqlite3_bind_null(st, 1) != SQLITE_OK)) ||
	    bind_int(st, 2, (long long)from) < 0 || bind_int(st, 3, (long long)to) < 0) {
		r = store_db_fail(s, reterr, "reading reports");
		goto out;
	}
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = row(st, ctx);
	if (r == 0 && rc != SQLITE_DONE)
		r = store_db_fail(s, reterr, "reading reports");
out:
	store_db_done(st);
	return r;
}

struct rows {
	void *v;
	size_t n, size;
};

static void *grow(struct rows *rs)
{
	void *g = realloc(rs->v, (rs->n + 1) * rs->size);

	if (g == NULL)
		return NULL;
	rs->v = g;
	memset((char *)g + rs->n * rs->size, 0, rs->size);
	return (char *)g + rs->n++ * rs->size;
}

static int policy_row(sqlite3_stmt *st, void *ctx)
{
	struct report_policy_row *p = grow(ctx);
	bool ok = true;

	if (p == NULL)
		return -ENOMEM;
	p->organization = col(st, 0, &ok);
	p->report_id = col(st, 1, &ok);
	p->start = (time_t)sqlite3_column_int64(st, 2);
	p->end = (time_t)sqlite3_column_int64(st, 3);
	p->policy_domain = col(st, 4, &ok);
	p->policy_type = col(st, 5, &ok);
	p->mode = col(st, 6, &ok);
	p->successful = (unsigned long long)sqlite3_column_int64(st, 7);
	p->failed = (unsigned long long)sqlite3_column_int64(st, 8);
	return ok ? 0 : -ENOMEM;
}

static int failure_row(sqlite3_stmt *st, void *ctx)
{
	struct report_failure_row *f = grow(ctx);
	bool ok = true;

	if (f == NULL)
		return -ENOMEM;
	f->organization = col(st, 0, &ok);
	f->start = (time_t)sqlite3_column_int64(st, 1);
	f->end = (time_t)sqlite3_column_int64(st, 2);
	f->policy_domain = col(st, 3, &ok);
	f->policy_type = col(st, 4, &ok);
	f->mode = col(st, 5, &ok);
	f->result_type = col(st, 6, &ok);
	f->sending_ip = col(st, 7, &ok);
	f->receiving_mx = col(st, 8, &ok);
	f->receiving_ip = col(st, 9, &ok);
	f->count = (unsigned long long)sqlite3_column_int64(st, 10);
	f->reason = col(st, 11, &ok);
	return ok ? 0 : -ENOMEM;
}

int store_report_policies(struct store *s, const char *domain, time_t from, time_t to,
			  struct report_policy_row **ret, size_t *ret_n, struct mxs_error *reterr)
{
	struct rows rs = { .size = sizeof(struct report_policy_row) };
	int r = range_query(s, SQL_POLICIES, domain, from, to, policy_row, &rs, reterr);

	if (r < 0) {
		report_policy_rows_free(rs.v, rs.n);
		return r;
	}
	*ret = rs.v;
	*ret_n = rs.n;
	return 0;
}

int store_report_failures(struct store *s, const char *domain, time_t from, time_t to,
			  struct report_failure_row **ret, size_t *ret_n, struct mxs_error *reterr)
{
	struct rows rs = { .size = sizeof(struct report_failure_row) };
	int r = range_query(s, SQL_FAILURES, domain, from, to, failure_row, &rs, reterr);

	if (r < 0) {
		report_failure_rows_free(rs.v, rs.n);
		return r;
	}
	*ret = rs.v;
	*ret_n = rs.n;
	return 0;
}

struct report_policy_row *report_policy_rows_free(struct report_policy_row *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].organization);
		free(v[i].report_id);
		free(v[i].policy_domain);
		free(v[i].policy_type);
		free(v[i].mode);
	}
	free(v);
	return NULL;
}

struct report_failure_row *report_failure_rows_free(struct report_failure_row *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].organization);
		free(v[i].policy_domain);
		free(v[i].policy_type);
		free(v[i].mode);
		free(v[i].result_type);
		free(v[i].sending_ip);
		free(v[i].receiving_mx);
		free(v[i].receiving_ip);
		free(v[i].reason);
	}
	free(v);
	return NULL;
}

int store_report_counts(struct store *s, size_t *ret_reports, size_t *ret_rejected,
			struct mxs_error *reterr)
{
	sqlite3_stmt *st = store_stmt(s, SQL_COUNTS, reterr);
	int r = 0;

	if (st == NULL)
		return -EIO;
	if (sqlite3_step(st) != SQLITE_ROW) {
		r = store_db_fail(s, reterr, "counting reports");
	} else {
		*ret_reports = (size_t)sqlite3_column_int64(st, 0);
		*ret_rejected = (size_t)sqlite3_column_int64(st, 1);
	}
	store_db_done(st);
	return r;
}

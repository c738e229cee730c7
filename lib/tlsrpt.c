/*
 * tlsrpt.c - one TLS-RPT aggregate report; see tlsrpt.h.
 *
 * RFC 8460 §4.4 template, in short (spec/tls-rpt.md §2 has the table of types and which
 * members this project requires):
 *   { organization-name, date-range { start-datetime, end-datetime }, contact-info, report-id,
 *     policies [ { policy { ... }, summary { ... }, failure-details [ ... ] } ] }
 * jansson reads the bytes (rejecting duplicate member names, RPT-JSON-01); the walk then takes
 * each member it knows, in a fixed order so that the diagnostics are the same on every run, and
 * ignores the others (RPT-JSON-13). This file walks the report itself and its date-range and
 * gives the verdict; tlsrpt_policy.c walks each policy. A fault that makes the report
 * meaningless stops the walk with an ERROR; everything else is recorded and the walk goes on.
 *
 * Diagnostics that cannot be stored set list->lost; the parse checks it once at its end and
 * returns -ENOMEM, so the individual diag_add() calls are deliberately unchecked.
 */
#include "lib/tlsrpt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/strv.h"
#include "lib/tlsrpt_walk.h"

/* How each repeated deviation (tlsrpt_walk.h) is reported. */
static const struct {
	enum diag_level level;
	bool invalid;
	const char *req;
	const char *text;
} repeat_info[TLSRPT_REP_COUNT] = {
	[TLSRPT_REP_NO_SENDING_IP] = { DIAG_WARN, true, "RPT-JSON-02",
				       "failure details without the required sending-mta-ip" },
	[TLSRPT_REP_NO_MX_HOSTNAME] = { DIAG_WARN, true, "RPT-JSON-02",
					"failure details without the required "
					"receiving-mx-hostname" },
	[TLSRPT_REP_EMPTY_IP] = { DIAG_WARN, true, "RPT-JSON-11",
				  "an empty IP address string, read as absent" },
	[TLSRPT_REP_ULABEL] = { DIAG_WARN, true, "RPT-JSON-08",
				"a domain name with non-ASCII bytes where A-labels are required" },
	[TLSRPT_REP_UNKNOWN_TYPE] = { DIAG_WARN, false, "RPT-RES-02",
				      "a result-type outside the RFC 8460 registry, kept as "
				      "written" },
	[TLSRPT_REP_NO_REASON] = { DIAG_INFO, false, "RPT-RES-03",
				   "certificate-not-trusted or validation-failure details "
				   "without a failure-reason-code" },
	[TLSRPT_REP_OVER_TOTAL] = { DIAG_WARN, false, "RPT-JSON-12",
				    "a failed-session-count larger than the policy's "
				    "total-failure-session-count" },
};

int tlsrpt_fatal(struct tlsrpt_walk *st, const char *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)diag_addv(st->d, DIAG_ERROR, true, req, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void tlsrpt_note(struct tlsrpt_walk *st, enum tlsrpt_repeat_kind k, size_t pol, size_t fail,
		 const char *detail)
{
	struct tlsrpt_repeat *r = &st->rep[k];

	if (r->count++ == 0) {
		r->pol = pol;
		r->fail = fail;
		r->detail = detail;
	}
}

/* Report each repeated deviation once: what, the first place, and how many in all. */
static void report_repeats(struct tlsrpt_walk *st)
{
	char q[TLSRPT_QUOTE_SIZE], fail[48], more[48];
	int k;

	for (k = 0; k < TLSRPT_REP_COUNT; k++) {
		const struct tlsrpt_repeat *r = &st->rep[k];

		if (r->count == 0)
			continue;
		fail[0] = more[0] = '\0';
		if (r->fail != TLSRPT_NO_FAILURE)
			(void)snprintf(fail, sizeof(fail), ".failure-details[%zu]", r->fail);
		if (r->count > 1)
			(void)snprintf(more, sizeof(more), "; %zu places in all", r->count);
		(void)diag_add(st->d, repeat_info[k].level, repeat_info[k].invalid,
			       repeat_info[k].req, "%s (%s%s%sat policies[%zu]%s%s)",
			       repeat_info[k].text, r->detail != NULL ? "\"" : "",
			       r->detail != NULL
				   ? diag_excerpt(q, sizeof(q), r->detail, strlen(r->detail))
				   : "",
			       r->detail != NULL ? "\" " : "", r->pol, fail, more);
	}
}

const char *tlsrpt_str_member(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int tlsrpt_copy(struct tlsrpt_walk *st, const char *s, char **ret)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, i;
	char *out;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		n += is_control((unsigned char)s[i]);
	out = malloc(strlen(s) + 3 * n + 1);
	if (out == NULL)
		return -ENOMEM;
	for (i = 0, n = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_control(c)) {
			out[n++] = (char)c;
			continue;
		}
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 15];
	}
	out[n] = '\0';
	st->escaped += n != i;
	*ret = out;
	return 0;
}

/* RFC 5322 addr-spec, loosely: local "@" domain, both non-empty, no space or angle bracket. */
static bool looks_like_addr_spec(const char *s)
{
	const char *at = strrchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' && strpbrk(s, " \t<>") == NULL;
}

/* date-range (RPT-JSON-05, RPT-JSON-06). */
static int walk_dates(struct tlsrpt_walk *st, const json_t *root, struct tlsrpt_report *rep)
{
	static const char *const keys[2] = { "start-datetime", "end-datetime" };
	const json_t *dr = json_object_get(root, "date-range");
	char q[TLSRPT_QUOTE_SIZE];
	bool zoned[2];
	time_t t[2];
	int i;

	if (!json_is_object(dr))
		return tlsrpt_fatal(st, "RPT-JSON-02", "the report has no date-range object");
	for (i = 0; i < 2; i++) {
		const char *s = json_string_value(json_object_get(dr, keys[i]));

		if (s == NULL)
			return tlsrpt_fatal(st, "RPT-JSON-02", "date-range has no %s string",
					    keys[i]);
		if (tlsrpt_datetime_parse(s, &t[i], &zoned[i]) < 0)
			return tlsrpt_fatal(st, "RPT-JSON-05",
					    "date-range.%s \"%s\" is not an RFC 3339 date-time",
					    keys[i], diag_excerpt(q, sizeof(q), s, strlen(s)));
	}
	/* Microsoft (2023) writes no offset; UTC is what the report day means (RFC 8460 §4.1) */
	if (!zoned[0] || !zoned[1])
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-05",
			       "date-range has date-times without a time zone offset; read as UTC");
	if (t[1] <= t[0])
		return tlsrpt_fatal(st, "RPT-JSON-05",
				    "date-range ends %lld seconds before it starts",
				    (long long)(t[0] - t[1]));
	if (t[0] % 86400 != 0)
		(void)diag_add(st->d, DIAG_WARN, false, "RPT-JSON-06",
			       "the report does not start at midnight UTC");
	/* RPT-JSON-06 (PROJECT): 00:00-24:00 and the RFC example's 00:00-23:59:59 are one day */
	if (t[1] - t[0] != 86400 && t[1] - t[0] != 86399)
		(void)diag_add(st->d, DIAG_WARN, false, "RPT-JSON-06",
			       "the report covers %lld seconds, not one day",
			       (long long)(t[1] - t[0]));
	rep->start = t[0];
	rep->end = t[1];
	return 0;
}

static int walk_report(struct tlsrpt_walk *st, const json_t *root, struct tlsrpt_report *rep)
{
	const json_t *contact = json_object_get(root, "contact-info");
	const json_t *pols = json_object_get(root, "policies");
	const char *id = tlsrpt_str_member(root, "report-id");
	const char *s;
	char q[TLSRPT_QUOTE_SIZE];
	size_t pi;
	int r;

	if (!json_is_object(root))
		return tlsrpt_fatal(st, "RPT-JSON-02", "the report is a JSON array, not an object");
	if (id == NULL)
		return tlsrpt_fatal(st, "RPT-JSON-02", "the report has no report-id string");
	r = tlsrpt_copy(st, id, &rep->report_id);
	if (r < 0)
		return r;
	s = tlsrpt_str_member(root, "organization-name");
	if (s == NULL)
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-02",
			       "the report has no organization-name string");
	r = tlsrpt_copy(st, s, &rep->organization_name);
	if (r < 0)
		return r;
	/* RPT-JSON-07: small senders send "contact-info": null (real-014, real-015) */
	s = tlsrpt_str_member(root, "contact-info");
	if (s == NULL)
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-07",
			       "contact-info is %s: the report names no contact",
			       contact == NULL           ? "missing"
			       : json_is_null(contact)   ? "null"
			       : json_is_string(contact) ? "empty"
							 : "not a string");
	else if (!looks_like_addr_spec(s))
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-07",
			       "contact-info \"%s\" is not an e-mail address (local@domain)",
			       diag_excerpt(q, sizeof(q), s, strlen(s)));
	r = tlsrpt_copy(st, s, &rep->contact_info);
	if (r == 0)
		r = walk_dates(st, root, rep);
	if (r < 0)
		return r;
	if (pols == NULL)
		return tlsrpt_fatal(st, "RPT-JSON-02", "the report has no policies member");
	if (!json_is_array(pols))
		return tlsrpt_fatal(st, "RPT-JSON-03",
				    "policies is not an array (it must be one even for "
				    "a single policy)");
	if (json_array_size(pols) == 0) {
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-02",
			       "policies is empty: the report counts no session");
	} else {
		rep->policies = calloc(json_array_size(pols), sizeof(*rep->policies));
		if (rep->policies == NULL)
			return -ENOMEM;
		rep->n_policies = json_array_size(pols);
	}
	for (pi = 0; pi < rep->n_policies; pi++) {
		r = tlsrpt_walk_policy(st, pi, json_array_get(pols, pi), &rep->policies[pi]);
		if (r < 0)
			return r;
	}
	report_repeats(st);
	if (st->escaped > 0)
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-14",
			       "%zu string%s with control characters, kept with each written as "
			       "\\xHH",
			       st->escaped, st->escaped == 1 ? "" : "s");
	return 0;
}

/* Why jansson could not read the bytes (RPT-JSON-01); -ENOMEM or -EINVAL. */
static int json_fault(struct tlsrpt_walk *st, const json_error_t *jerr)
{
	char q[TLSRPT_QUOTE_SIZE];

	switch (json_error_code(jerr)) {
	case json_error_out_of_memory:
		return -ENOMEM;
	case json_error_duplicate_key:
		return tlsrpt_fatal(
		    st, "RPT-JSON-01",
		    "a member name appears twice in one object (line %d), which I-JSON forbids",
		    jerr->line);
	case json_error_invalid_utf8:
		return tlsrpt_fatal(st, "RPT-JSON-01", "the report is not UTF-8 (line %d)",
				    jerr->line);
	case json_error_premature_end_of_input:
		return tlsrpt_fatal(st, "RPT-JSON-01",
				    "the report ends inside its JSON (truncated?)");
	default:
		return tlsrpt_fatal(
		    st, "RPT-JSON-01", "not well-formed JSON at line %d, column %d: %s", jerr->line,
		    jerr->column, diag_excerpt(q, sizeof(q), jerr->text, strlen(jerr->text)));
	}
}

int tlsrpt_parse(const char *json, size_t len, struct tlsrpt_report *ret, struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct tlsrpt_report rep = { 0 };
	struct tlsrpt_walk st = { 0 };
	json_t *root = NULL;
	json_error_t jerr;
	size_t from, pos = 0;
	bool lost_before;
	int r;

	st.d = diags != NULL ? diags : &local;
	from = st.d->n;
	lost_before = st.d->lost;
	st.d->lost = false;
	if (len > TLSRPT_MAX_REPORT) {
		(void)diag_add(st.d, DIAG_ERROR, true, "RPT-JSON-14",
			       "the report has %zu bytes; reports over %u bytes are refused", len,
			       TLSRPT_MAX_REPORT);
		goto verdict;
	}
	/* RFC 7493 §2.1: I-JSON texts carry no byte-order mark; skip it and record it */
	if (len >= 3 && memcmp(json, "\xef\xbb\xbf", 3) == 0) {
		(void)diag_add(st.d, DIAG_WARN, true, "RPT-JSON-01",
			       "the report begins with a UTF-8 byte-order mark");
		pos = 3;
	}
	root = json_loadb(len > 0 ? json + pos : "", len - pos, JSON_REJECT_DUPLICATES, &jerr);
	r = root != NULL ? walk_report(&st, root, &rep) : json_fault(&st, &jerr);
	if (r == -ENOMEM)
		goto out;
verdict:
	if (st.d->lost)
		r = -ENOMEM;
	else if (diag_rejects(st.d, from))
		r = -EINVAL;
	else
		r = 0;
out:
	json_decref(root);
	st.d->lost = st.d->lost || lost_before;
	if (r == 0 && ret != NULL)
		*ret = rep;
	else
		tlsrpt_report_clear(&rep);
	diag_clear(&local);
	return r;
}

static void failure_clear(struct tlsrpt_failure *f)
{
	free(f->result_type);
	free(f->sending_mta_ip);
	free(f->receiving_mx_hostname);
	free(f->receiving_mx_helo);
	free(f->receiving_ip);
	free(f->additional_information);
	free(f->failure_reason_code);
}

void tlsrpt_report_clear(struct tlsrpt_report *report)
{
	size_t i, k;

	if (report == NULL)
		return;
	for (i = 0; i < report->n_policies; i++) {
		struct tlsrpt_policy *p = &report->policies[i];

		for (k = 0; k < p->n_failures; k++)
			failure_clear(&p->failures[k]);
		free(p->failures);
		free(p->policy_domain);
		(void)strv_free(p->policy_strings);
		(void)strv_free(p->mx_hosts);
	}
	free(report->policies);
	free(report->organization_name);
	free(report->report_id);
	free(report->contact_info);
	memset(report, 0, sizeof(*report));
}

/*
 * tlsrpt_policy.c - one entry of a TLS-RPT report's "policies" and its failure details; see
 * tlsrpt.h and tlsrpt_walk.h.
 *
 *   { policy { policy-type, policy-string [], policy-domain, mx-host [] },
 *     summary { total-successful-session-count, total-failure-session-count },
 *     failure-details [ { result-type, sending-mta-ip, receiving-mx-hostname, receiving-mx-helo,
 *                         receiving-ip, failed-session-count, additional-information,
 *                         failure-reason-code } ] }
 *
 * What the report needs to be understood is required (the type, the counts, a result type per
 * failure); what large senders omit (policy-string, sending-mta-ip, receiving-mx-hostname) is
 * accepted and recorded. Diagnostics that cannot be stored set list->lost, which tlsrpt_parse()
 * checks once, so the individual diag_add() calls are deliberately unchecked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/tlsrpt_walk.h"

/* RPT-JSON-02: counts are exact in an IEEE-754 double up to 2^53 (I-JSON, RFC 7493 §2.2). */
#define COUNT_REAL_MAX 9007199254740992.0

/* A growing NULL-terminated string vector. */
struct strvec {
	char **v;
	size_t n, cap;
};

static bool has_non_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/*
 * Append a copy of s: through tlsrpt_copy() with st (control characters escaped), verbatim
 * without (policy strings, which are policy text read further, not shown as they are).
 */
static int strvec_push(struct tlsrpt_walk *st, struct strvec *sv, const char *s)
{
	if (sv->n + 1 >= sv->cap) {
		size_t cap = sv->cap != 0 ? sv->cap * 2 : 4;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	if (st != NULL) {
		if (tlsrpt_copy(st, s, &sv->v[sv->n]) < 0)
			return -ENOMEM;
	} else {
		sv->v[sv->n] = strdup(s);
		if (sv->v[sv->n] == NULL)
			return -ENOMEM;
	}
	sv->v[++sv->n] = NULL;
	return 0;
}

/* Make sure the vector exists even when empty (the model never holds a NULL vector). */
static int strvec_finish(struct strvec *sv)
{
	if (sv->v == NULL) {
		sv->v = calloc(1, sizeof(*sv->v));
		if (sv->v == NULL)
			return -ENOMEM;
	}
	return 0;
}

/*
 * RPT-JSON-09 tolerance (Microsoft, 2024-2025): a tlsa policy-string element that is itself a
 * JSON-encoded array of TLSA records. Returns 1 when s was such an array and its strings were
 * pushed, 0 when it is not one (nothing pushed), -ENOMEM.
 */
static int unpack_json_strings(struct strvec *sv, const char *s)
{
	json_t *a = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	json_t *e;
	size_t i;
	int r = 0;

	if (json_array_size(a) == 0)
		goto out;
	json_array_foreach(a, i, e)
	{
		if (!json_is_string(e))
			goto out;
	}
	json_array_foreach(a, i, e)
	{
		r = strvec_push(NULL, sv, json_string_value(e));
		if (r < 0)
			goto out;
	}
	r = 1;
out:
	json_decref(a);
	return r;
}

/* policy-string: an array of strings; its absence is recorded, not fatal (real-007, real-013). */
static int read_policy_strings(struct tlsrpt_walk *st, size_t pi, const json_t *pol,
			       struct tlsrpt_policy *p)
{
	const json_t *a = json_object_get(pol, "policy-string");
	struct strvec sv = { 0 };
	size_t i, packed = 0;
	json_t *e;
	int r = 0;

	if (a == NULL || json_is_null(a)) {
		if (p->type != TLSRPT_POLICY_NO_POLICY)
			(void)diag_add(
			    st->d, DIAG_WARN, true, "RPT-JSON-02",
			    "policies[%zu]: %s policy without the required policy-string", pi,
			    tlsrpt_policy_type_name(p->type));
	} else if (!json_is_array(a)) {
		return tlsrpt_fatal(st, "RPT-JSON-02",
				    "policies[%zu]: policy-string is not an array", pi);
	}
	json_array_foreach(a, i, e)
	{
		const char *s = json_string_value(e);

		if (s == NULL) {
			r = tlsrpt_fatal(st, "RPT-JSON-02",
					 "policies[%zu]: policy-string[%zu] is not a string", pi,
					 i);
			goto out;
		}
		if (p->type == TLSRPT_POLICY_TLSA && s[0] == '[') {
			r = unpack_json_strings(&sv, s);
			if (r < 0)
				goto out;
			if (r == 1) {
				packed++;
				continue;
			}
		}
		r = strvec_push(NULL, &sv, s);
		if (r < 0)
			goto out;
	}
	r = strvec_finish(&sv);
	if (r == 0 && packed > 0)
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-09",
			       "policies[%zu]: the tlsa policy-string holds a JSON-encoded array "
			       "instead of one string per TLSA record; read as %zu records",
			       pi, sv.n);
out:
	p->policy_strings = sv.v;
	p->n_policy_strings = sv.n;
	return r;
}

/* mx-host: an array of strings, or one string (tls-rpt.md §6 item 2); optional. */
static int read_mx_hosts(struct tlsrpt_walk *st, size_t pi, const json_t *pol,
			 struct tlsrpt_policy *p)
{
	const json_t *a = json_object_get(pol, "mx-host");
	struct strvec sv = { 0 };
	json_t *e;
	size_t i;
	int r = 0;

	if (json_is_string(a)) {
		(void)diag_add(st->d, DIAG_WARN, false, "RPT-JSON-10",
			       "policies[%zu]: mx-host is a single string, not an array; read as "
			       "one host",
			       pi);
		r = strvec_push(st, &sv, json_string_value(a));
		if (has_non_ascii(json_string_value(a)))
			tlsrpt_note(st, TLSRPT_REP_ULABEL, pi, TLSRPT_NO_FAILURE, "mx-host");
	} else if (json_is_array(a)) {
		if (json_array_size(a) == 0)
			(void)diag_add(st->d, DIAG_INFO, false, "RPT-JSON-10",
				       "policies[%zu]: mx-host is an empty list (omit it instead)",
				       pi);
		json_array_foreach(a, i, e)
		{
			if (!json_is_string(e)) {
				r = tlsrpt_fatal(st, "RPT-JSON-02",
						 "policies[%zu]: mx-host[%zu] is not a string", pi,
						 i);
				goto out;
			}
			if (has_non_ascii(json_string_value(e)))
				tlsrpt_note(st, TLSRPT_REP_ULABEL, pi, TLSRPT_NO_FAILURE,
					    "mx-host");
			r = strvec_push(st, &sv, json_string_value(e));
			if (r < 0)
				goto out;
		}
	} else if (a != NULL && !json_is_null(a)) {
		return tlsrpt_fatal(st, "RPT-JSON-02", "policies[%zu]: mx-host is not an array",
				    pi);
	}
	if (r == 0)
		r = strvec_finish(&sv);
out:
	p->mx_hosts = sv.v;
	p->n_mx_hosts = sv.n;
	return r;
}

/* What is wrong with a value that should be a count, for the diagnostic. */
static const char *count_problem(const json_t *v)
{
	if (json_is_number(v))
		return json_number_value(v) < 0                ? "negative"
		       : json_number_value(v) > COUNT_REAL_MAX ? "too large"
							       : "a fraction";
	if (json_is_string(v))
		return "a JSON string";
	if (json_is_boolean(v))
		return "a boolean";
	return json_is_null(v) ? "null" : "an object or array";
}

/*
 * A count (RPT-JSON-02): a JSON number holding a non-negative integer. An integral real such as
 * 5.0 is the same number in JSON and is accepted; "5", 5.5 and -1 are not.
 */
static int read_count(struct tlsrpt_walk *st, const json_t *obj, const char *key, const char *place,
		      size_t pi, size_t fi, unsigned long long *ret)
{
	const json_t *v = json_object_get(obj, key);
	char fail[48] = "";

	if (fi != TLSRPT_NO_FAILURE)
		(void)snprintf(fail, sizeof(fail), ".failure-details[%zu]", fi);
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*ret = (unsigned long long)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) <= COUNT_REAL_MAX &&
	    (double)(unsigned long long)json_real_value(v) == json_real_value(v)) {
		*ret = (unsigned long long)json_real_value(v);
		return 0;
	}
	if (v == NULL)
		return tlsrpt_fatal(st, "RPT-JSON-02", "policies[%zu]%s%s: %s is missing", pi, fail,
				    place, key);
	return tlsrpt_fatal(st, "RPT-JSON-02",
			    "policies[%zu]%s%s: %s is not a non-negative integer (it is %s)", pi,
			    fail, place, key, count_problem(v));
}

/*
 * An IP address member (RPT-JSON-11). Absent, null or empty gives NULL: an absent required one
 * is recorded (Microsoft, Mail.ru), an empty one too (Google, 2024: "sending-mta-ip": ""); a
 * string that is no address cannot be trusted to name a host and rejects the report (vector
 * rpt-json-011).
 */
static int read_ip(struct tlsrpt_walk *st, const json_t *obj, const char *key, bool required,
		   size_t pi, size_t fi, char **ret)
{
	const json_t *v = json_object_get(obj, key);
	const char *s = json_string_value(v);
	char q[TLSRPT_QUOTE_SIZE];

	if (v == NULL || json_is_null(v)) {
		if (required)
			tlsrpt_note(st, TLSRPT_REP_NO_SENDING_IP, pi, fi, NULL);
		return 0;
	}
	if (s == NULL)
		return tlsrpt_fatal(st, "RPT-JSON-02",
				    "policies[%zu].failure-details[%zu]: %s is not a string", pi,
				    fi, key);
	if (*s == '\0') {
		tlsrpt_note(st, TLSRPT_REP_EMPTY_IP, pi, fi, key);
		return 0;
	}
	if (!tlsrpt_ip_valid(s))
		return tlsrpt_fatal(
		    st, "RPT-JSON-11",
		    "policies[%zu].failure-details[%zu]: %s \"%s\" is not an IPv4 or IPv6 "
		    "address (IPv4 octets have no leading zeros)",
		    pi, fi, key, diag_excerpt(q, sizeof(q), s, strlen(s)));
	return tlsrpt_copy(st, s, ret);
}

/*
 * An optional string member: absent, null or (with empty_is_absent) "" gives NULL; another JSON
 * type rejects the report.
 */
static int read_opt_string(struct tlsrpt_walk *st, const json_t *obj, const char *key,
			   bool empty_is_absent, size_t pi, size_t fi, char **ret)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return tlsrpt_fatal(st, "RPT-JSON-02",
				    "policies[%zu].failure-details[%zu]: %s is not a string", pi,
				    fi, key);
	if (empty_is_absent && json_string_length(v) == 0)
		return 0;
	return tlsrpt_copy(st, json_string_value(v), ret);
}

static int walk_failure(struct tlsrpt_walk *st, size_t pi, size_t fi, const json_t *e,
			const struct tlsrpt_policy *p, struct tlsrpt_failure *f)
{
	const char *info = "additional-information", *type;
	int r;

	if (!json_is_object(e))
		return tlsrpt_fatal(st, "RPT-JSON-02",
				    "policies[%zu].failure-details[%zu] is not an object", pi, fi);
	type = tlsrpt_str_member(e, "result-type");
	if (type == NULL)
		return tlsrpt_fatal(st, "RPT-JSON-02",
				    "policies[%zu].failure-details[%zu] has no result-type string",
				    pi, fi);
	/* tls-rpt.md §6 item 1: the definitions list calls it additional-info-uri */
	if (json_object_get(e, info) == NULL)
		info = "additional-info-uri";
	r = read_count(st, e, "failed-session-count", "", pi, fi, &f->failed_session_count);
	if (r == 0)
		r = tlsrpt_copy(st, type, &f->result_type);
	if (r == 0)
		r = read_ip(st, e, "sending-mta-ip", true, pi, fi, &f->sending_mta_ip);
	if (r == 0)
		r = read_ip(st, e, "receiving-ip", false, pi, fi, &f->receiving_ip);
	if (r == 0)
		r = read_opt_string(st, e, "receiving-mx-hostname", true, pi, fi,
				    &f->receiving_mx_hostname);
	if (r == 0)
		r = read_opt_string(st, e, "receiving-mx-helo", false, pi, fi,
				    &f->receiving_mx_helo);
	if (r == 0)
		r = read_opt_string(st, e, info, false, pi, fi, &f->additional_information);
	if (r == 0)
		r = read_opt_string(st, e, "failure-reason-code", false, pi, fi,
				    &f->failure_reason_code);
	if (r < 0)
		return r;
	/* the PROJECT rule of the table: accept a missing receiving-mx-hostname, record it */
	if (f->receiving_mx_hostname == NULL)
		tlsrpt_note(st, TLSRPT_REP_NO_MX_HOSTNAME, pi, fi, NULL);
	else if (has_non_ascii(f->receiving_mx_hostname))
		tlsrpt_note(st, TLSRPT_REP_ULABEL, pi, fi, "receiving-mx-hostname");
	if (tlsrpt_result_type_known(type) == NULL)
		tlsrpt_note(st, TLSRPT_REP_UNKNOWN_TYPE, pi, fi, type);
	else if ((strcmp(type, "certificate-not-trusted") == 0 ||
		  strcmp(type, "validation-failure") == 0) &&
		 f->failure_reason_code == NULL)
		tlsrpt_note(st, TLSRPT_REP_NO_REASON, pi, fi, NULL);
	if (f->failed_session_count > p->total_failure)
		tlsrpt_note(st, TLSRPT_REP_OVER_TOTAL, pi, fi, NULL);
	return 0;
}

static int policy_type_of(const char *s, enum tlsrpt_policy_type *ret)
{
	static const enum tlsrpt_policy_type all[] = {
		TLSRPT_POLICY_STS,
		TLSRPT_POLICY_TLSA,
		TLSRPT_POLICY_NO_POLICY,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, tlsrpt_policy_type_name(all[i])) == 0) {
			*ret = all[i];
			return 0;
		}
	return -EINVAL;
}

int tlsrpt_walk_policy(struct tlsrpt_walk *st, size_t pi, const json_t *e, struct tlsrpt_policy *p)
{
	const json_t *pol = json_object_get(e, "policy"), *sum = json_object_get(e, "summary");
	const json_t *fd = json_object_get(e, "failure-details"), *dom;
	const char *type, *domain;
	char q[TLSRPT_QUOTE_SIZE];
	size_t fi;
	int r;

	if (!json_is_object(e))
		return tlsrpt_fatal(st, "RPT-JSON-02", "policies[%zu] is not an object", pi);
	if (!json_is_object(pol))
		return tlsrpt_fatal(st, "RPT-JSON-02", "policies[%zu] has no policy object", pi);
	type = json_string_value(json_object_get(pol, "policy-type"));
	if (type == NULL)
		return tlsrpt_fatal(st, "RPT-JSON-02", "policies[%zu] has no policy-type string",
				    pi);
	/* RPT-JSON-04: "presently the only three valid choices" */
	if (policy_type_of(type, &p->type) < 0)
		return tlsrpt_fatal(
		    st, "RPT-JSON-04",
		    "policies[%zu]: policy-type \"%s\" is none of sts, tlsa, no-policy-found", pi,
		    diag_excerpt(q, sizeof(q), type, strlen(type)));
	dom = json_object_get(pol, "policy-domain");
	if (dom != NULL && !json_is_null(dom) && !json_is_string(dom))
		return tlsrpt_fatal(st, "RPT-JSON-02",
				    "policies[%zu]: policy-domain is not a string", pi);
	domain = tlsrpt_str_member(pol, "policy-domain");
	if (domain == NULL && p->type != TLSRPT_POLICY_NO_POLICY)
		return tlsrpt_fatal(st, "RPT-JSON-02",
				    "policies[%zu]: %s policy without policy-domain", pi, type);
	/* tls-rpt.md §6 item 5: Postfix' tlsrpt-reporter leaves it out for no-policy-found */
	if (domain == NULL)
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-JSON-02",
			       "policies[%zu]: no-policy-found policy without the required "
			       "policy-domain",
			       pi);
	else if (has_non_ascii(domain))
		tlsrpt_note(st, TLSRPT_REP_ULABEL, pi, TLSRPT_NO_FAILURE, "policy-domain");
	r = tlsrpt_copy(st, domain, &p->policy_domain);
	if (r == 0)
		r = read_policy_strings(st, pi, pol, p);
	if (r == 0)
		r = read_mx_hosts(st, pi, pol, p);
	if (r < 0)
		return r;
	if (!json_is_object(sum))
		return tlsrpt_fatal(st, "RPT-JSON-02", "policies[%zu] has no summary object", pi);
	r = read_count(st, sum, "total-successful-session-count", ".summary", pi, TLSRPT_NO_FAILURE,
		       &p->total_successful);
	if (r == 0)
		r = read_count(st, sum, "total-failure-session-count", ".summary", pi,
			       TLSRPT_NO_FAILURE, &p->total_failure);
	if (r < 0)
		return r;
	/* absent failure-details = no failure (tls-rpt.md §2 table) */
	if (fd == NULL || json_is_null(fd) || json_array_size(fd) == 0) {
		if (fd != NULL && !json_is_null(fd) && !json_is_array(fd))
			return tlsrpt_fatal(st, "RPT-JSON-02",
					    "policies[%zu]: failure-details is not an array", pi);
		return 0;
	}
	p->failures = calloc(json_array_size(fd), sizeof(*p->failures));
	if (p->failures == NULL)
		return -ENOMEM;
	p->n_failures = json_array_size(fd);
	for (fi = 0; fi < p->n_failures; fi++) {
		r = walk_failure(st, pi, fi, json_array_get(fd, fi), p, &p->failures[fi]);
		if (r < 0)
			return r;
	}
	return 0;
}

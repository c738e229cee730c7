/*
 * rollout_text.c - names, percentages, fixes and the change to publish for lib/rollout.h.
 *
 * The change is written in the order an operator applies it (STS-FETCH-14: the policy body
 * first, the TXT id after), with a fresh id because senders refetch a policy only when the id
 * changes (STS-CACHE-03, STS-TXT-09).
 */
#include "lib/rollout_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"

/* STS-TXT-08: an id is 1 to 32 of A-Z a-z 0-9; "YYYYMMDDHHMMSS" and one letter fit. */
#define ID_STAMP_LEN 14

/* What a result type of RPT-RES-05 says about the setup, and the rule it breaks. */
static const struct {
	const char *type;
	const char *req;
	const char *fix;
	bool policy_host; /* the fix names mta-sts.<domain> */
} type_fixes[] = {
	{ "starttls-not-supported", "STS-CERT-01",
	  "offer STARTTLS on every MX host, on every address", false },
	{ "certificate-host-mismatch", "STS-CERT-04",
	  "give every MX host a certificate whose SAN names it, and cover every MX host with an "
	  "mx line of the policy (STS-MX-01)",
	  false },
	{ "certificate-expired", "STS-CERT-02", "renew the expired MX certificate", false },
	{ "certificate-not-trusted", "STS-CERT-03",
	  "serve a certificate of a public CA with its intermediates on every MX host", false },
	{ "validation-failure", "STS-MX-01",
	  "read the failure-reason-code of the reports; often an MX host that no mx line covers",
	  false },
	{ "sts-policy-fetch-error", "STS-FETCH-05",
	  "keep the policy answering 200 on every address of", true },
	{ "sts-policy-invalid", "STS-POL-04", "correct the policy served by", true },
	{ "sts-webpki-invalid", "STS-FETCH-02",
	  "serve a publicly trusted certificate valid for the name of", true },
};

const char *rollout_stage_name(enum rollout_stage s)
{
	static const char *const names[] = { "no-policy", "testing", "enforce", "none" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *rollout_verdict_name(enum rollout_verdict v)
{
	static const char *const names[] = { "READY", "NOT_READY", "NOT_ENOUGH_DATA",
					     "OK",    "ROLLBACK",  "UNKNOWN" };

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

int rollout_rate_parse(const char *text, double *ret_rate, struct mxs_error *reterr)
{
	double v = 0, scale = 1;
	const char *p = text;
	bool digits = false;

	if (text == NULL)
		return mxs_error_set(reterr, NULL, NULL, "no percentage given");
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		digits = true;
	}
	if (digits && *p == '.') {
		for (p++, digits = false; *p >= '0' && *p <= '9'; p++) {
			scale /= 10;
			v += (*p - '0') * scale;
			digits = true;
		}
	}
	if (!digits || p[0] != '%' || p[1] != '\0')
		return mxs_error_set(reterr, NULL, NULL,
				     "\"%s\" is not a percentage (e.g. \"0.1%%\")", text);
	if (v > 100)
		return mxs_error_set(reterr, NULL, NULL, "\"%s\" is more than 100%%", text);
	*ret_rate = v / 100;
	return 0;
}

void rollout_rate_text(double rate, char *buf, size_t len)
{
	double pct = rate * 100;

	/* three significant digits keep 0.1% and 0.0162% readable; below that, say so */
	if (pct > 0 && pct < 0.001)
		(void)snprintf(buf, len, "<0.001%%");
	else
		(void)snprintf(buf, len, "%.3g%%", pct);
}

const char *rollout_text_type_req(const char *result_type)
{
	size_t i;

	for (i = 0; i < sizeof(type_fixes) / sizeof(type_fixes[0]); i++)
		if (strcmp(result_type, type_fixes[i].type) == 0)
			return type_fixes[i].req;
	return NULL;
}

char *rollout_text_type_fix(const char *result_type, const char *domain)
{
	size_t i;

	for (i = 0; i < sizeof(type_fixes) / sizeof(type_fixes[0]); i++) {
		if (strcmp(result_type, type_fixes[i].type) != 0)
			continue;
		return type_fixes[i].policy_host
			   ? mxs_strdupf("%s mta-sts.%s", type_fixes[i].fix, domain)
			   : strdup(type_fixes[i].fix);
	}
	/* RPT-RES-02: a type outside the registry, or a DANE one under an MTA-STS policy */
	return strdup("read the failure details of the reports for this type");
}

char *rollout_text_problem_fix(const char *check, bool enforce)
{
	const char *why;

	if (strcmp(check, "mx_starttls") == 0)
		why = "senders applying enforce refuse an MX host that fails it (STS-MODE-01)";
	else if (strcmp(check, "cert_expiry") == 0)
		why = "an expired MX certificate under enforce stops delivery (STS-CERT-02)";
	else
		why = "the enforce policy is discovered and fetched the same way (STS-FETCH-12)";
	return mxs_strdupf("%s: %s", enforce ? "fix it now" : "fix it before enforcing", why);
}

static bool id_used(const struct rollout_input *in, const char *id)
{
	size_t i;

	for (i = 0; i < in->n_policies; i++)
		if (in->policies[i].id != NULL && strcmp(in->policies[i].id, id) == 0)
			return true;
	return false;
}

/*
 * A fresh id: the UTC time to the second, which people read and which sorts, although senders
 * only compare ids for equality (STS-TXT-09). Should it equal an id the domain served (a
 * clock behind, or the same idea earlier), a letter is added.
 */
static char *fresh_id(const struct rollout_input *in)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
	char stamp[ID_STAMP_LEN + 1], id[ID_STAMP_LEN + 2];
	struct tm tm;
	size_t i;

	if (gmtime_r(&in->now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) != ID_STAMP_LEN)
		return NULL;
	if (!id_used(in, stamp))
		return strdup(stamp);
	for (i = 0; letters[i] != '\0'; i++) {
		(void)snprintf(id, sizeof(id), "%s%c", stamp, letters[i]);
		if (!id_used(in, id))
			return strdup(id);
	}
	return NULL;
}

/* A policy body: version, mode, the mx lines (none for mode none), max_age; LF line ends. */
static char *policy_body(const char *mode, char *const *mx, long max_age)
{
	char *s = mxs_strdupf("version: STSv1\nmode: %s\n", mode), *t;
	size_t i;

	for (i = 0; s != NULL && mx != NULL && mx[i] != NULL; i++) {
		t = mxs_strdupf("%smx: %s\n", s, mx[i]);
		free(s);
		s = t;
	}
	if (s == NULL)
		return NULL;
	t = mxs_strdupf("%smax_age: %ld\n", s, max_age);
	free(s);
	return t;
}

int rollout_text_change(const struct rollout_input *in, struct rollout_result *r)
{
	const struct policy_seen *cur = r->policy;
	long max_age;

	r->new_id = fresh_id(in);
	if (r->new_id == NULL)
		return -EINVAL;
	if (r->verdict == ROLLOUT_READY) {
		/* STS-POL-06: weeks or more; a longer max_age already chosen is kept */
		max_age =
		    cur->max_age > ROLLOUT_ENFORCE_MAX_AGE ? cur->max_age : ROLLOUT_ENFORCE_MAX_AGE;
		r->policy_text = policy_body("enforce", cur->mx, max_age);
	} else {
		/* §8.3: a short max_age, so that the next change reaches senders within a day */
		r->policy_text = policy_body("testing", cur->mx, ROLLOUT_ROLLBACK_MAX_AGE);
		r->none_text = policy_body("none", NULL, ROLLOUT_ROLLBACK_MAX_AGE);
		if (r->none_text == NULL)
			return -ENOMEM;
	}
	r->txt_record =
	    mxs_strdupf("_mta-sts.%s. IN TXT \"v=STSv1; id=%s\"", in->domain, r->new_id);
	return r->policy_text != NULL && r->txt_record != NULL ? 0 : -ENOMEM;
}

/*
 * sts_fetch.c - judging the response to a policy fetch; see sts_fetch.h.
 *
 * Content-Type (RFC 7231 §3.1.1.1): media-type = type "/" subtype *(OWS ";" OWS parameter),
 * parameter = token "=" (token / quoted-string); type, subtype and parameter names are
 * case-insensitive, and so is the value of charset. The header value comes from the agent's
 * HTTP client, which already capped the header size.
 *
 * Diagnostics that cannot be stored set list->lost; the judge checks it once at its end and
 * returns -ENOMEM, so the individual diag_add() calls are deliberately unchecked.
 */
#include "lib/sts_fetch.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A value of charset that needs no warning (RFC 8461 §3.2, D5), quotes already removed. */
static bool charset_ok(const char *v, size_t len)
{
	return (len == 5 && strncasecmp(v, "utf-8", 5) == 0) ||
	       (len == 8 && strncasecmp(v, "us-ascii", 8) == 0);
}

/*
 * The charset parameter of the header, if any: *ret_value and *ret_len point into ct. Parameters
 * are split at ";" outside quoted strings; a malformed one is skipped (D5: parameters do not
 * decide validity).
 */
static bool find_charset(const char *ct, const char **ret_value, size_t *ret_len)
{
	const char *p = strchr(ct, ';');

	while (p != NULL && *p == ';') {
		const char *name, *val;
		size_t nlen, vlen = 0;

		p++;
		while (is_ows(*p))
			p++;
		name = p;
		while (*p != '\0' && *p != '=' && *p != ';' && !is_ows(*p))
			p++;
		nlen = (size_t)(p - name);
		if (*p != '=') {
			p = strchr(p, ';');
			continue;
		}
		p++;
		if (*p == '"') {
			/* quoted-string: backslash escapes one character */
			val = ++p;
			while (*p != '\0' && *p != '"') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			vlen = (size_t)(p - val);
			if (*p == '"')
				p++;
		} else {
			val = p;
			while (*p != '\0' && *p != ';' && !is_ows(*p))
				p++;
			vlen = (size_t)(p - val);
		}
		if (nlen == 7 && strncasecmp(name, "charset", 7) == 0) {
			*ret_value = val;
			*ret_len = vlen;
			return true;
		}
		p = strchr(p, ';');
	}
	return false;
}

static void judge_content_type(struct diag_list *d, const char *ct)
{
	char ex[DIAG_EXCERPT_SIZE];
	const char *p = ct, *type, *cs;
	size_t tlen, cslen;

	if (ct == NULL) {
		(void)diag_add(d, DIAG_ERROR, true, "STS-FETCH-08",
			       "the response has no Content-Type; senders expect text/plain");
		return;
	}
	while (is_ows(*p))
		p++;
	type = p;
	while (*p != '\0' && *p != ';' && !is_ows(*p))
		p++;
	tlen = (size_t)(p - type);
	/* D5: the media type decides, compared without regard to case */
	if (tlen != 10 || strncasecmp(type, "text/plain", 10) != 0) {
		(void)diag_add(d, DIAG_ERROR, true, "STS-FETCH-08",
			       "Content-Type is \"%s\", not text/plain; some senders reject the "
			       "policy",
			       diag_excerpt(ex, sizeof(ex), ct, strlen(ct)));
		return;
	}
	if (find_charset(p, &cs, &cslen) && !charset_ok(cs, cslen))
		(void)diag_add(d, DIAG_WARN, false, "STS-FETCH-08",
			       "Content-Type charset \"%s\" is neither utf-8 nor us-ascii",
			       diag_excerpt(ex, sizeof(ex), cs, cslen));
}

int sts_fetch_judge(const struct sts_fetch_response *resp, struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct diag_list *d = diags != NULL ? diags : &local;
	char ex[DIAG_EXCERPT_SIZE];
	bool lost_before = d->lost;
	size_t from = d->n;
	int r;

	assert(resp != NULL);
	d->lost = false;
	if (resp->status >= 300 && resp->status <= 399) {
		/* STS-FETCH-06: redirects are not followed */
		if (resp->location != NULL)
			(void)diag_add(
			    d, DIAG_ERROR, true, "STS-FETCH-06",
			    "HTTP status %d redirects to \"%s\": senders do not follow "
			    "redirects",
			    resp->status,
			    diag_excerpt(ex, sizeof(ex), resp->location, strlen(resp->location)));
		else
			(void)diag_add(d, DIAG_ERROR, true, "STS-FETCH-06",
				       "HTTP status %d: senders accept only 200 and do not follow "
				       "redirects",
				       resp->status);
	} else if (resp->status != 200) {
		/* STS-FETCH-05: only 200 makes a policy */
		(void)diag_add(d, DIAG_ERROR, true, "STS-FETCH-05",
			       "HTTP status %d: senders accept only 200", resp->status);
	} else {
		judge_content_type(d, resp->content_type);
		/* STS-FETCH-09 */
		if (resp->body_len > STS_FETCH_MAX_BODY)
			(void)diag_add(d, DIAG_ERROR, true, "STS-FETCH-09",
				       "the body has %zu bytes; senders stop reading at %d",
				       resp->body_len, STS_FETCH_MAX_BODY);
		else if (resp->body_len > STS_FETCH_WARN_BODY)
			(void)diag_add(d, DIAG_WARN, false, "STS-FETCH-09",
				       "the body has %zu bytes, more than %d", resp->body_len,
				       STS_FETCH_WARN_BODY);
	}
	if (d->lost)
		r = -ENOMEM;
	else if (diag_rejects(d, from))
		r = -EINVAL;
	else
		r = 0;
	d->lost = d->lost || lost_before;
	diag_clear(&local);
	return r;
}

/*
 * hostmatch.c - certificate names and MTA-STS mx patterns against host names; see hostmatch.h.
 *
 * Both rule sets come down to one comparison: a presented name, possibly "*." + a parent, against
 * a host name, both in the canonical form of lib/dname.h. Everything that is not a well-formed
 * name on either side never matches (STS-MX-04, COMMON-NAME-03/04): a fault in a name must
 * show up as a mismatch, never as a surprise match.
 */
#include "lib/hostmatch.h"

#include <stdlib.h>
#include <string.h>

#include "lib/dname.h"

/*
 * The canonical form of a host name, or NULL when it is not one. On top of dname_normalize(),
 * a name whose last label is all digits is refused: RFC 1123 §2.1 and RFC 3696 §2 keep
 * top-level labels alphabetic so that "192.0.2.1" is never taken for a host name.
 */
static char *canonical_host(const char *name)
{
	char *n = NULL;
	const char *last;

	if (dname_normalize(name, strlen(name), &n, NULL) < 0)
		return NULL;
	last = strrchr(n, '.');
	last = last != NULL ? last + 1 : n;
	if (strspn(last, "0123456789") == strlen(last)) {
		free(n);
		return NULL;
	}
	return n;
}

static bool non_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s > 0x7f)
			return true;
	return false;
}

/*
 * Whether host (canonical) is "one more non-empty label" + parent (canonical): the single-label
 * wildcard of RFC 8461 §4.1 (STS-MX-03) and RFC 6125 §6.4.3 (STS-CERT-05).
 */
static bool one_label_over(const char *host, const char *parent)
{
	const char *dot = strchr(host, '.');

	return dot != NULL && dot != host && strcmp(dot + 1, parent) == 0;
}

/*
 * Whether a presented name ("mx.example.com" or "*.example.com") covers the canonical host.
 * min_parent_labels: labels the parent of a wildcard needs (see hostmatch_cert()).
 */
static bool name_covers(const char *presented, const char *host, int min_parent_labels)
{
	bool wild = strncmp(presented, "*.", 2) == 0;
	char *canon;
	bool ok;

	/*
	 * "*" only as the whole left-most label: anything else with a "*" ("mx*.example.com",
	 * "mx1.*.example.com", "xn--*") fails dname_normalize() below, since "*" is not LDH
	 * (COMMON-NAME-03/04).
	 */
	canon = wild ? canonical_host(presented + 2) : canonical_host(presented);
	if (canon == NULL)
		return false;
	if (!wild) {
		ok = strcmp(canon, host) == 0;
	} else {
		const char *p;
		int labels = 1;

		for (p = canon; *p != '\0'; p++)
			labels += *p == '.';
		ok = labels >= min_parent_labels && one_label_over(host, canon);
	}
	free(canon);
	return ok;
}

bool hostmatch_mx_pattern(const char *pattern, const char *host)
{
	char *h;
	bool ok;

	if (pattern == NULL || host == NULL)
		return false;
	/*
	 * STS-MX-02, D8: the MX host name, one trailing dot removed, in A-label form. A host with
	 * "*" or any other fault is not a host name and never matches (STS-MX-04).
	 */
	h = canonical_host(host);
	if (h == NULL)
		return false;
	/* RFC 8461 §4.1 allows "*.com": the policy check warns about it (STS-POL-14). */
	ok = name_covers(pattern, h, 1);
	free(h);
	return ok;
}

bool hostmatch_cert(enum hostmatch_context ctx, const char *const san[], const char *cn,
		    const char *const references[], const char **ret_matched)
{
	const char *const *ids = san;
	const char *cn_ids[2] = { cn, NULL };
	bool use_cn = false;
	size_t i, j;

	/* DANE-NAME-01: under DANE-EE(3) the TLSA record names the key; names play no part. */
	if (ctx == HOSTMATCH_DANE_EE) {
		if (ret_matched != NULL)
			*ret_matched = NULL;
		return true;
	}
	if (references == NULL)
		return false;
	/*
	 * STS-CERT-04, STS-FETCH-02: DNS-IDs only. DANE-NAME-03 (RFC 7672 §3.2.3, RFC 6125
	 * §6.4.4): the CN is consulted only when the certificate has no DNS-ID at all; one
	 * dNSName, even a malformed one, rules the CN out.
	 */
	if (ctx == HOSTMATCH_DANE_TA && (san == NULL || san[0] == NULL) && cn != NULL) {
		ids = cn_ids;
		use_cn = true;
	}
	if (ids == NULL)
		return false;

	for (j = 0; references[j] != NULL; j++) {
		char *ref = canonical_host(references[j]);

		if (ref == NULL)
			continue;
		for (i = 0; ids[i] != NULL; i++) {
			/*
			 * A dNSName is an IA5String (RFC 5280 §4.2.1.6): IDNs appear there as
			 * A-labels only, so raw UTF-8 is malformed and never matches. A CN is a
			 * UTF8String and may carry U-labels, converted like any name (RFC 6125
			 * §6.4.2).
			 */
			if (!use_cn && non_ascii(ids[i]))
				continue;
			/*
			 * A certificate wildcard needs a parent of at least two labels: "*.com"
			 * is refused, as CAs may not issue it and OpenSSL-based senders refuse it.
			 */
			if (name_covers(ids[i], ref, 2)) {
				free(ref);
				if (ret_matched != NULL)
					*ret_matched = ids[i];
				return true;
			}
		}
		free(ref);
	}
	return false;
}

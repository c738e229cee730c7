/*
 * fuzz_hostmatch.c - libFuzzer target for hostmatch_mx_pattern() and hostmatch_cert()
 * (lib/hostmatch.c).
 *
 * The input is "pattern", one separator byte (the first NUL or newline), then "host" (up to the
 * next NUL). Properties checked beyond "no crash", none of which assumes that matching is
 * symmetric:
 *  - a match implies both sides are valid names: the host normalises (lib/dname.h), and the
 *    pattern does too once a leading "*." is taken off;
 *  - a wildcard match covers exactly one label more than the pattern's parent;
 *  - a valid host name in canonical form (lower case, no trailing dot) matches itself, both as
 *    an mx pattern and as a certificate DNS-ID, unless its last label is all digits;
 *  - under DANE-EE every certificate matches (DANE-NAME-01).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dname.h"
#include "lib/hostmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The canonical form of s, or NULL when it is not a host name. */
static char *norm(const char *s)
{
	char *n = NULL;

	if (dname_normalize(s, strlen(s), &n, NULL) < 0)
		return NULL;
	return n;
}

static size_t count_labels(const char *s)
{
	size_t n = 1;

	for (; *s != '\0'; s++)
		n += *s == '.';
	return n;
}

static bool numeric_top(const char *canon)
{
	const char *last = strrchr(canon, '.');

	last = last != NULL ? last + 1 : canon;
	return strspn(last, "0123456789") == strlen(last);
}

/* The properties of one (pattern, host) pair. */
static void check_pair(const char *pattern, const char *host)
{
	const char *san[2] = { pattern, NULL }, *refs[2] = { host, NULL };
	const char *matched = NULL;
	bool wild = strncmp(pattern, "*.", 2) == 0;
	char *h, *p;

	if (hostmatch_mx_pattern(pattern, host)) {
		h = norm(host);
		p = norm(wild ? pattern + 2 : pattern);
		if (h == NULL || p == NULL)
			abort();
		if (wild ? count_labels(h) != count_labels(p) + 1 : strcmp(h, p) != 0)
			abort();
		free(h);
		free(p);
	}
	if (hostmatch_cert(HOSTMATCH_STS_MX, san, NULL, refs, &matched)) {
		if (matched != pattern)
			abort();
		h = norm(host);
		p = norm(wild ? pattern + 2 : pattern);
		if (h == NULL || p == NULL)
			abort();
		free(h);
		free(p);
	}
	if (!hostmatch_cert(HOSTMATCH_DANE_EE, san, NULL, refs, NULL))
		abort();
	(void)hostmatch_cert(HOSTMATCH_DANE_TA, NULL, pattern, refs, NULL);

	/* A valid name in canonical form matches itself. */
	h = norm(host);
	if (h != NULL && !numeric_top(h)) {
		const char *self[2] = { h, NULL };

		if (!hostmatch_mx_pattern(h, h))
			abort();
		if (!hostmatch_cert(HOSTMATCH_STS_MX, self, NULL, self, NULL))
			abort();
	}
	free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *host, *sep;

	/* A C string for each side; the input itself is not NUL-terminated. */
	buf = malloc(size + 2);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	sep = buf + strcspn(buf, "\n");
	host = sep < buf + size ? sep + 1 : buf + size + 1;
	*sep = '\0';
	check_pair(buf, host);
	free(buf);
	return 0;
}

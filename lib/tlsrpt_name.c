/*
 * tlsrpt_name.c - the file name of a TLS-RPT report; see tlsrpt_name.h.
 *
 * The name is cut from the right: first the extension (".json.gz" or ".json"; a unique-id
 * holds no ".", so the suffix is unambiguous), then the rest at each "!" into 4 or 5 fields.
 * Every field is then checked on its own, so one run lists every fault. The domains follow
 * RFC 5321's Domain (letters, digits, hyphens, dots), which also rules out U-labels.
 *
 * Diagnostics that cannot be stored set list->lost; the parse checks it once at its end and
 * returns -ENOMEM, so the individual diag_add() calls are deliberately unchecked.
 */
#include "lib/tlsrpt_name.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* RFC 1035 §2.3.4 for the domains. */
#define LABEL_MAX    63
#define NAME_MAX_LEN 253
/* Digits of a timestamp: up to the year 33000, well inside a 64-bit time_t. */
#define STAMP_DIGITS_MAX 12

static const char *const req = "RPT-DLV-07";

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * RFC 5321 §4.1.2: Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str].
 * Returns NULL, or why s is not one.
 */
static const char *domain_problem(const char *s, size_t len)
{
	size_t i, start = 0;

	if (len == 0)
		return "it is empty";
	if (len > NAME_MAX_LEN)
		return "it is longer than 253 bytes";
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return "it is not in A-labels (it holds non-ASCII bytes)";
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_alnum(s[i]) && s[i] != '-')
				return "it holds a character other than letters, digits, \"-\" and "
				       "\".\"";
			continue;
		}
		if (i == start)
			return "it has an empty label";
		if (i - start > LABEL_MAX)
			return "a label is longer than 63 bytes";
		if (s[start] == '-' || s[i - 1] == '-')
			return "a label begins or ends with \"-\"";
		start = i + 1;
	}
	return NULL;
}

/* begin-timestamp / end-timestamp = 1*DIGIT, seconds since the epoch. */
static int read_stamp(const char *s, size_t len, time_t *ret)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > STAMP_DIGITS_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*ret = (time_t)v;
	return 0;
}

static void check_domain(struct diag_list *d, const char *what, const char *s, size_t len)
{
	char q[DIAG_EXCERPT_SIZE];
	const char *why = domain_problem(s, len);

	if (why != NULL)
		(void)diag_add(d, DIAG_WARN, true, req, "the %s \"%s\" is not a domain name: %s",
			       what, diag_excerpt(q, sizeof(q), s, len), why);
}

/* Copy len bytes at s as a new string into *ret. */
static int copy(const char *s, size_t len, char **ret)
{
	*ret = strndup(s, len);
	return *ret != NULL ? 0 : -ENOMEM;
}

int tlsrpt_name_parse(const char *name, size_t len, struct tlsrpt_name *ret,
		      struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct diag_list *d = diags != NULL ? diags : &local;
	struct tlsrpt_name n = { 0 };
	const char *field[5] = { NULL };
	size_t flen[5] = { 0 }, nf = 0, base, i, start = 0, from = d->n;
	char q[DIAG_EXCERPT_SIZE];
	bool lost_before = d->lost;
	int r = 0;

	d->lost = false;
	if (len > TLSRPT_NAME_MAX) {
		(void)diag_add(d, DIAG_WARN, true, req, "the name has %zu bytes, more than %d", len,
			       TLSRPT_NAME_MAX);
		goto verdict;
	}
	if (len >= 8 && memcmp(name + len - 8, ".json.gz", 8) == 0) {
		n.extension = "json.gz";
		base = len - 8;
	} else if (len >= 5 && memcmp(name + len - 5, ".json", 5) == 0) {
		n.extension = "json";
		base = len - 5;
	} else {
		(void)diag_add(d, DIAG_WARN, true, req,
			       "the name \"%s\" does not end in .json or .json.gz",
			       diag_excerpt(q, sizeof(q), name, len));
		goto verdict;
	}
	for (i = 0; i <= base && nf <= 5; i++) {
		if (i < base && name[i] != '!')
			continue;
		if (nf < 5) {
			field[nf] = name + start;
			flen[nf] = i - start;
		}
		nf++;
		start = i + 1;
	}
	if (nf < 4 || nf > 5) {
		(void)diag_add(d, DIAG_WARN, true, req,
			       "the name \"%s\" does not have the form "
			       "sender!policy-domain!begin!end[!unique-id].json[.gz]",
			       diag_excerpt(q, sizeof(q), name, len));
		goto verdict;
	}
	check_domain(d, "sender", field[0], flen[0]);
	check_domain(d, "policy domain", field[1], flen[1]);
	if (read_stamp(field[2], flen[2], &n.begin) < 0 ||
	    read_stamp(field[3], flen[3], &n.end) < 0)
		(void)diag_add(d, DIAG_WARN, true, req,
			       "the timestamps are not decimal seconds since the epoch");
	else if (n.end < n.begin)
		(void)diag_add(d, DIAG_WARN, true, req, "the end timestamp is before the begin");
	if (nf == 5) {
		bool alnum = flen[4] > 0;

		for (i = 0; i < flen[4]; i++)
			alnum = alnum && is_alnum(field[4][i]);
		if (!alnum)
			(void)diag_add(d, DIAG_WARN, true, req,
				       "the unique-id \"%s\" is not one or more letters and digits",
				       diag_excerpt(q, sizeof(q), field[4], flen[4]));
	}
verdict:
	if (d->lost)
		r = -ENOMEM;
	else if (diag_any_invalid(d, from))
		r = -EINVAL;
	if (r == 0 && ret != NULL) {
		r = copy(field[0], flen[0], &n.sender);
		if (r == 0)
			r = copy(field[1], flen[1], &n.policy_domain);
		if (r == 0 && nf == 5)
			r = copy(field[4], flen[4], &n.unique_id);
	}
	d->lost = d->lost || lost_before;
	if (r == 0 && ret != NULL)
		*ret = n;
	else
		tlsrpt_name_clear(&n);
	diag_clear(&local);
	return r;
}

void tlsrpt_name_clear(struct tlsrpt_name *name)
{
	if (name == NULL)
		return;
	free(name->sender);
	free(name->policy_domain);
	free(name->unique_id);
	memset(name, 0, sizeof(*name));
}

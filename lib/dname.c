/*
 * dname.c - host name syntax and normalisation; see dname.h.
 */
#include "lib/dname.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REQ "COMMON-NAME-01"

static int is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

/* Check one label of len bytes; pos is its 0-based index, for the message. */
static int check_label(const char *label, size_t len, size_t pos, struct mxs_error *reterr)
{
	size_t i;

	if (len == 0)
		return mxs_error_set(reterr, NULL, REQ,
				     "label %zu is empty (two dots in a row, or a "
				     "leading dot)",
				     pos + 1);
	if (len > DNAME_MAX_LABEL)
		return mxs_error_set(reterr, NULL, REQ,
				     "label %zu is %zu characters long; the limit "
				     "is %d",
				     pos + 1, len, DNAME_MAX_LABEL);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (c > 0x7e)
			return mxs_error_set(reterr, NULL, REQ,
					     "non-ASCII character in label %zu: "
					     "write internationalised names as A-labels "
					     "(xn--...)",
					     pos + 1);
		if (!is_ldh(c))
			return mxs_error_set(reterr, NULL, REQ,
					     "character 0x%02x in label %zu is not "
					     "a letter, digit or hyphen",
					     c, pos + 1);
	}
	/* RFC 1123 §2.1: a label begins and ends with a letter or digit. */
	if (label[0] == '-' || label[len - 1] == '-')
		return mxs_error_set(reterr, NULL, REQ, "label %zu begins or ends with a hyphen",
				     pos + 1);
	return 0;
}

int dname_normalize(const char *name, size_t len, char **ret_name, struct mxs_error *reterr)
{
	size_t start, i, label;
	char *out;
	int r;

	/* COMMON-NAME-01: one trailing dot (the root label) is removed, not two. */
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return mxs_error_set(reterr, NULL, REQ, "empty name");
	if (len > DNAME_MAX_NAME)
		return mxs_error_set(reterr, NULL, REQ,
				     "name is %zu characters long; the limit is %d", len,
				     DNAME_MAX_NAME);

	for (start = 0, label = 0, i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		r = check_label(name + start, i - start, label, reterr);
		if (r < 0)
			return r;
		start = i + 1;
		label++;
	}

	out = malloc(len + 1);
	if (out == NULL)
		return -ENOMEM;
	/* COMMON-NAME-02: comparison is case-insensitive ASCII, so store lower case. */
	for (i = 0; i < len; i++) {
		char c = name[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
	*ret_name = out;
	return 0;
}

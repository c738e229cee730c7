/*
 * dname.c - host name syntax and normalisation; see dname.h.
 *
 * COMMON-NAME-01 asks for U-labels to be converted to A-labels (IDNA2008). That conversion
 * (mapping, normalisation, the IDNA2008 code point and bidi rules, Punycode) is libidn2's job;
 * this file only decides when to call it and checks the ASCII result like any other name.
 */
#include "lib/dname.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#define REQ "COMMON-NAME-01"

/*
 * Longest input handed to libidn2. A U-label of 63 octets in A-label form is at least as long
 * as its UTF-8 form divided by four, so anything above this cannot convert to a legal name;
 * the cap keeps hostile input from costing more than a name's worth of work.
 */
#define DNAME_MAX_INPUT (4 * (DNAME_MAX_NAME + 1))

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

static int has_non_ascii(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] > 0x7f)
			return 1;
	return 0;
}

/*
 * Convert a name holding U-labels to A-labels (COMMON-NAME-01). IDN2_NONTRANSITIONAL: UTS #46
 * non-transitional processing, the IDNA2008 behaviour browsers and MTAs use ("ß" stays "ß"
 * and becomes its own A-label instead of "ss"). ret_ace is malloc()ed.
 */
static int to_alabels(const char *name, size_t len, char **ret_ace, struct mxs_error *reterr)
{
	char *in, *ace = NULL;
	int rc;

	/* libidn2 reads a C string: a NUL inside would silently cut the name. */
	if (memchr(name, '\0', len) != NULL)
		return mxs_error_set(reterr, NULL, REQ, "NUL byte in the name");
	if (len > DNAME_MAX_INPUT)
		return mxs_error_set(reterr, NULL, REQ,
				     "name is %zu bytes long; the limit is %d characters", len,
				     DNAME_MAX_NAME);
	in = strndup(name, len);
	if (in == NULL)
		return -ENOMEM;
	rc = idn2_to_ascii_8z(in, &ace, IDN2_NONTRANSITIONAL);
	free(in);
	if (rc == IDN2_MALLOC)
		return -ENOMEM;
	if (rc != IDN2_OK) {
		idn2_free(ace);
		return mxs_error_set(reterr, NULL, REQ, "not a valid internationalised name: %s",
				     idn2_strerror(rc));
	}
	/* Our free() must not be handed libidn2's memory: copy it out. */
	*ret_ace = strdup(ace);
	idn2_free(ace);
	return *ret_ace != NULL ? 0 : -ENOMEM;
}

int dname_normalize(const char *name, size_t len, char **ret_name, struct mxs_error *reterr)
{
	size_t start, i, label;
	char *ace = NULL, *out;
	int r;

	/* COMMON-NAME-01: one trailing dot (the root label) is removed, not two. */
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return mxs_error_set(reterr, NULL, REQ, "empty name");
	if (has_non_ascii(name, len)) {
		r = to_alabels(name, len, &ace, reterr);
		if (r < 0)
			return r;
		name = ace;
		len = strlen(ace);
	}
	/* The limits apply to the A-label form, the one that goes on the wire. */
	if (len > DNAME_MAX_NAME) {
		r = mxs_error_set(reterr, NULL, REQ, "name is %zu characters long; the limit is %d",
				  len, DNAME_MAX_NAME);
		goto out;
	}

	for (start = 0, label = 0, i = 0; i <= len; i++) {
		if (i < len && name[i] != '.')
			continue;
		r = check_label(name + start, i - start, label, reterr);
		if (r < 0)
			goto out;
		start = i + 1;
		label++;
	}

	out = malloc(len + 1);
	if (out == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* COMMON-NAME-02: comparison is case-insensitive ASCII, so store lower case. */
	for (i = 0; i < len; i++) {
		char c = name[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[len] = '\0';
	*ret_name = out;
	r = 0;
out:
	free(ace);
	return r;
}

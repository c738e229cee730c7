/*
 * mailshape.c - bounds on a mail message's shape before GMime parses it; see mailshape.h.
 *
 * One pass over the lines, with no notion of where header blocks are: every line that could be
 * a header field counts, wherever it is. GMime skips a line that is no field inside a header
 * block and goes on reading fields after it, and reads the fields of an attached message at the
 * start of a body; counting everywhere is what keeps the bound true whatever GMime does. For
 * the same reason "could be a field" is taken wide: any line holding a ":" that is neither
 * folded nor a boundary, whatever bytes its name holds.
 */
#include "agent/mailshape.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Fields whose values GMime parses as address lists (and folds and re-parses, mailshape.h). */
static const char *const addr_fields[] = {
	"from",
	"sender",
	"reply-to",
	"to",
	"cc",
	"bcc",
	"resent-from",
	"resent-sender",
	"resent-to",
	"resent-cc",
	"resent-reply-to",
	"resent-bcc",
	"return-path",
	"disposition-notification-to",
};

size_t mailshape_field_name(const char *line, size_t len)
{
	size_t i = 0, name;

	while (i < len) {
		unsigned char c = (unsigned char)line[i];

		if (c <= 0x20 || c == ':' || c == 0x7f)
			break;
		i++;
	}
	name = i;
	if (name == 0)
		return 0;
	/* RFC 5322 §4.5.3 (obs-optional): WSP may come between the name and the colon. */
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && line[i] == ':' ? name : 0;
}

/*
 * The first word of a line: what a lenient parser may take for a field name. It stops at any
 * control byte too (a NUL would end the name GMime compares), so "To\0x: ..." counts as "To".
 */
static size_t token_len(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (unsigned char)line[i] > 0x20 && line[i] != ':' && line[i] != 0x7f)
		i++;
	return i;
}

static bool is_addr_field(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(addr_fields) / sizeof(addr_fields[0]); i++)
		if (strlen(addr_fields[i]) == len && strncasecmp(addr_fields[i], name, len) == 0)
			return true;
	return false;
}

static size_t count_colons(const char *p, size_t len)
{
	size_t n = 0;

	while (len > 0) {
		const char *c = memchr(p, ':', len);

		if (c == NULL)
			break;
		n++;
		len -= (size_t)(c - p) + 1;
		p = c + 1;
	}
	return n;
}

static int too_much(struct mxs_error *reterr, size_t lineno, const char *what, unsigned limit)
{
	(void)mxs_error_set(reterr, NULL, NULL,
			    "message shape: more than %u %s (line %zu); not parsed", limit, what,
			    lineno);
	return -E2BIG;
}

int mailshape_check(const char *msg, size_t len, struct mxs_error *reterr)
{
	size_t fields = 0, field_bytes = 0, addrs = 0, boundaries = 0, colons = 0, lineno = 0;
	bool in_field = false, in_addr = false;
	const char *p = msg, *end = msg + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (n >= 2 && p[0] == '-' && p[1] == '-') {
			if (++boundaries > MAILSHAPE_MAX_BOUNDARIES)
				return too_much(reterr, lineno, "lines beginning with \"--\"",
						MAILSHAPE_MAX_BOUNDARIES);
			in_field = false;
		} else if (n == 0 || (n == 1 && p[0] == '\r')) {
			/* The end of a header block (or a blank line in a body). */
			in_field = false;
		} else if (p[0] == ' ' || p[0] == '\t') {
			/* A folded line belongs to the field before it (RFC 5322 §2.2.3). */
			if (in_field) {
				field_bytes += n + 1;
				if (in_addr)
					colons += count_colons(p, n);
			}
		} else if (memchr(p, ':', n) != NULL) {
			if (++fields > MAILSHAPE_MAX_FIELDS)
				return too_much(reterr, lineno, "header fields",
						MAILSHAPE_MAX_FIELDS);
			field_bytes += n + 1;
			in_field = true;
			in_addr = is_addr_field(p, token_len(p, n));
			if (in_addr) {
				if (++addrs > MAILSHAPE_MAX_ADDR_FIELDS)
					return too_much(reterr, lineno, "address header fields",
							MAILSHAPE_MAX_ADDR_FIELDS);
				/* The colon after the name separates; those in the value nest. */
				colons = count_colons(p, n) - 1;
			}
		}
		/*
		 * Any other line leaves the state as it is: inside a header block GMime skips it,
		 * and a folded line after it still continues the field before it.
		 */
		if (field_bytes > MAILSHAPE_MAX_FIELD_BYTES)
			return too_much(reterr, lineno, "bytes of header fields",
					MAILSHAPE_MAX_FIELD_BYTES);
		if (in_field && in_addr && colons > MAILSHAPE_MAX_ADDR_COLONS)
			return too_much(reterr, lineno, "colons in one address header field",
					MAILSHAPE_MAX_ADDR_COLONS);
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}

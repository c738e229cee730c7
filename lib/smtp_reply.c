/*
 * smtp_reply.c - reading SMTP replies from a byte stream; see smtp_reply.h.
 *
 * The reader works in two passes over the bytes it is given. The first pass checks the syntax
 * (RFC 5321 §4.2) and finds where the reply ends, without allocating; the second copies the line
 * texts. Every check of the first pass looks only at bytes already seen, so a prefix of a stream
 * is rejected only if every continuation of it would be too: the probe can feed bytes as they
 * arrive and gets the same answer as if they had come at once (fuzz/fuzz_smtp_reply.c checks
 * this at every split point).
 */
#include "lib/smtp_reply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RFC_SYNTAX "RFC 5321 §4.2"
#define RFC_LIMITS "RFC 5321 §4.5.3.1.5"

/* What the first pass learnt about a complete reply. */
struct scan {
	int code;
	size_t end; /* bytes used, the final CRLF included */
	size_t n_lines;
};

/* Fill reterr with the line number as the place; returns -EPROTO. */
__attribute__((format(printf, 4, 5))) static int proto_error(struct mxs_error *reterr, size_t line,
							     const char *req, const char *fmt, ...)
{
	char where[48];
	char *what;
	va_list ap;

	if (reterr == NULL)
		return -EPROTO;
	/* A line number has at most 20 digits: the buffer cannot be too small. */
	(void)snprintf(where, sizeof(where), "SMTP reply line %zu", line + 1);
	va_start(ap, fmt);
	what = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	(void)mxs_error_set(reterr, where, req, "%s", what != NULL ? what : "malformed reply");
	free(what);
	return -EPROTO;
}

/*
 * RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39. pos is the digit's index (0..2); the
 * check runs on each digit as soon as it has arrived.
 */
static int digit_ok(unsigned char c, size_t pos)
{
	switch (pos) {
	case 0:
		return c >= '2' && c <= '5';
	case 1:
		return c >= '0' && c <= '5';
	default:
		return c >= '0' && c <= '9';
	}
}

/*
 * First pass. Returns 1 and fills *s when a complete reply is at the start of buf, 0 when more
 * bytes are needed, -EPROTO when no continuation can make a valid reply.
 */
static int scan_reply(const unsigned char *buf, size_t len, struct scan *s,
		      struct mxs_error *reterr)
{
	size_t p = 0, line = 0;
	int code = 0;

	for (;;) {
		size_t start = p, i;
		int last;

		/* "CODE" then "-" (more lines follow), " " or the end of the line (last line). */
		for (i = 0; i < 3; i++) {
			unsigned char c;

			if (start + i >= len)
				return 0;
			c = buf[start + i];
			if (!digit_ok(c, i))
				return proto_error(reterr, line, RFC_SYNTAX,
						   "does not begin with a reply code "
						   "(byte 0x%02x at position %zu)",
						   c, i + 1);
		}
		if (line == 0) {
			code = (buf[start] - '0') * 100 + (buf[start + 1] - '0') * 10 +
			       (buf[start + 2] - '0');
		} else if (memcmp(buf + start, buf, 3) != 0) {
			/* RFC 5321 §4.2.1: every line of a multi-line reply has the same code. */
			return proto_error(reterr, line, RFC_SYNTAX,
					   "reply code %.3s differs from %d on the first line",
					   (const char *)buf + start, code);
		}
		if (start + 3 >= len)
			return 0;
		switch (buf[start + 3]) {
		case '-':
			last = 0;
			p = start + 4;
			break;
		case ' ':
			last = 1;
			p = start + 4;
			break;
		case '\r':
			/* a bare "250" line: a last line without text */
			last = 1;
			p = start + 3;
			break;
		default:
			return proto_error(reterr, line, RFC_SYNTAX,
					   "byte 0x%02x after the reply code; expected '-', ' ' "
					   "or CRLF",
					   buf[start + 3]);
		}

		/* The text runs to CRLF; the line, CRLF included, fits SMTP_REPLY_MAX_LINE. */
		for (;; p++) {
			if (p - start > SMTP_REPLY_MAX_LINE - 2)
				return proto_error(reterr, line, RFC_LIMITS,
						   "line longer than %d octets",
						   SMTP_REPLY_MAX_LINE);
			if (p >= len)
				return 0;
			if (buf[p] == '\r')
				break;
			if (buf[p] == '\n')
				return proto_error(reterr, line, RFC_SYNTAX,
						   "line ends in a bare LF, not CRLF");
			if (buf[p] == '\0')
				return proto_error(reterr, line, RFC_SYNTAX,
						   "NUL byte in the reply text");
		}
		if (p + 1 >= len)
			return 0;
		if (buf[p + 1] != '\n')
			return proto_error(reterr, line, RFC_SYNTAX,
					   "CR not followed by LF in the reply text");
		p += 2;
		line++;
		if (last)
			break;
		/* The last line of a reply must come within SMTP_REPLY_MAX_LINES lines. */
		if (line >= SMTP_REPLY_MAX_LINES)
			return proto_error(reterr, line - 1, RFC_LIMITS,
					   "reply has more than %d lines", SMTP_REPLY_MAX_LINES);
	}
	s->code = code;
	s->end = p;
	s->n_lines = line;
	return 1;
}

struct smtp_reply *smtp_reply_free(struct smtp_reply *reply)
{
	size_t i;

	if (reply == NULL)
		return NULL;
	if (reply->lines != NULL)
		for (i = 0; i < reply->n_lines; i++)
			free(reply->lines[i]);
	free(reply->lines);
	free(reply);
	return NULL;
}

int smtp_reply_read(const char *buf, size_t len, struct smtp_reply **ret_reply,
		    struct mxs_error *reterr)
{
	const unsigned char *b = (const unsigned char *)buf;
	struct smtp_reply *reply;
	struct scan s = { 0 };
	size_t p, i;
	int r;

	r = scan_reply(b, len, &s, reterr);
	if (r <= 0)
		return r;

	reply = calloc(1, sizeof(*reply));
	if (reply == NULL)
		return -ENOMEM;
	reply->lines = calloc(s.n_lines + 1, sizeof(*reply->lines));
	if (reply->lines == NULL) {
		free(reply);
		return -ENOMEM;
	}
	reply->code = s.code;
	reply->n_lines = s.n_lines;

	/* Second pass: the syntax is known to be right, so only copy each line's text. */
	for (p = 0, i = 0; i < s.n_lines; i++) {
		const char *cr = memchr(buf + p, '\r', s.end - p);
		size_t text = p + 3 < s.end && buf[p + 3] != '\r' ? p + 4 : p + 3;

		reply->lines[i] = strndup(buf + text, (size_t)(cr - (buf + text)));
		if (reply->lines[i] == NULL) {
			(void)smtp_reply_free(reply);
			return -ENOMEM;
		}
		p = (size_t)(cr - buf) + 2;
	}
	*ret_reply = reply;
	return (int)s.end;
}

bool smtp_reply_has_keyword(const struct smtp_reply *reply, const char *keyword)
{
	size_t klen = strlen(keyword), i;

	/*
	 * RFC 5321 §4.1.1.1: the first line of an EHLO reply is the greeting (the server's name),
	 * each later line one extension, "keyword *(SP param)". COMMON-STLS-01: the keyword is
	 * compared case-insensitively and must be the whole first word ("STARTTLSX" is not it).
	 */
	if (reply == NULL || klen == 0)
		return false;
	for (i = 1; i < reply->n_lines; i++) {
		const char *l = reply->lines[i];

		if (strncasecmp(l, keyword, klen) == 0 && (l[klen] == '\0' || l[klen] == ' '))
			return true;
	}
	return false;
}

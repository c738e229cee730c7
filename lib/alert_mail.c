/*
 * alert_mail.c - an alert message as an Internet message (RFC 5322, MIME); see alert.h.
 *
 * The message is what the email sink uploads to its relay: header fields, an empty line and
 * the text body, every line ending in CRLF (RFC 5322 §2.1) and none longer than 998 octets
 * (§2.1.1). A subject that is not plain ASCII is written as RFC 2047 encoded-words, since an
 * 8-bit header needs SMTPUTF8 all the way to the reader; the body is UTF-8 declared as 8bit
 * (RFC 6152 8BITMIME, which every current relay offers). Auto-Submitted: auto-generated
 * (RFC 3834 §5) tells vacation responders and other robots not to answer. SMTP's dot-stuffing
 * (RFC 5321 §4.5.2) is the transport's: libcurl applies it to what it uploads, so doing it here
 * would double every leading dot.
 */
#include "lib/alert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* RFC 5322 §2.1.1: lines SHOULD be at most 78 characters and MUST be at most 998. */
#define LINE_SOFT 78
#define LINE_HARD 998
/* RFC 2047 §2: an encoded-word is at most 75 characters; "=?UTF-8?B?" and "?=" take 12. */
#define WORD_MAX    75
#define WORD_FRAMES 12

/* Whether s is printable ASCII that no reader could take for an encoded-word. */
static bool plain_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static bool has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Printable ASCII, folded at spaces so that lines stay within LINE_SOFT where they can. */
static void put_folded_ascii(FILE *f, const char *value, size_t col)
{
	const char *p = value;

	while (*p != '\0') {
		const char *sp = strchr(p + 1, ' ');
		size_t word = sp != NULL ? (size_t)(sp - p) : strlen(p);

		/* p points at the start or at the space before the next word */
		if (p != value && *p == ' ' && col + word > LINE_SOFT) {
			fputs("\r\n", f);
			col = 0;
		}
		fwrite(p, 1, word, f);
		col += word;
		p += word;
	}
}

/*
 * RFC 2047 B-encoded words of UTF-8 text, each holding whole characters, one per line after
 * the first so that every line stays within LINE_SOFT. Returns 0 or -ENOMEM.
 */
static int put_encoded(FILE *f, const char *value, size_t col)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t left = strlen(value);
	unsigned char b64[WORD_MAX];
	bool first = true;

	/* a long field name leaves no room for a word on its own line: start on the next */
	if (col + WORD_FRAMES + 8 > LINE_SOFT) {
		fputs("\r\n ", f);
		col = 1;
	}
	while (left > 0) {
		size_t room = LINE_SOFT - col - WORD_FRAMES, take;

		if (room > WORD_MAX - WORD_FRAMES)
			room = WORD_MAX - WORD_FRAMES;
		/* base64: 4 characters per 3 bytes */
		take = room / 4 * 3;
		if (take > left)
			take = left;
		while (take < left && take > 0 && (p[take] & 0xc0) == 0x80)
			take--;
		if (take == 0)
			return -EINVAL;
		(void)EVP_EncodeBlock(b64, p, (int)take);
		fprintf(f, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", (const char *)b64);
		first = false;
		col = 1;
		p += take;
		left -= take;
	}
	return 0;
}

/* Write "Name: value\r\n" (see alert_mail_header()). Returns 0, -EINVAL or -ENOMEM. */
static int put_header(FILE *f, const char *name, const char *value)
{
	char *v = strdup(value), *q;
	int r = 0;

	if (v == NULL)
		return -ENOMEM;
	for (q = v; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	fprintf(f, "%s: ", name);
	/* "=?" could be read as the start of an encoded-word: encode such text too */
	if (plain_ascii(v) && strstr(v, "=?") == NULL)
		put_folded_ascii(f, v, strlen(name) + 2);
	else
		r = put_encoded(f, v, strlen(name) + 2);
	fputs("\r\n", f);
	free(v);
	return r;
}

/* Close a memory stream and hand its bytes over. Returns 0 or -ENOMEM. */
static int stream_finish(FILE *f, char **text, size_t *len, int r, char **ret, size_t *ret_len)
{
	bool failed = ferror(f) != 0;

	if (fclose(f) != 0 || failed || r < 0) {
		free(*text);
		return r < 0 ? r : -ENOMEM;
	}
	*ret = *text;
	if (ret_len != NULL)
		*ret_len = *len;
	return 0;
}

int alert_mail_header(const char *name, const char *value, char **ret)
{
	char *text = NULL;
	size_t len = 0, n = 0;
	FILE *f;
	int r;

	if (name == NULL || value == NULL || ret == NULL)
		return -EINVAL;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return -ENOMEM;
	r = put_header(f, name, value);
	r = stream_finish(f, &text, &len, r, ret, &n);
	if (r == 0 && n >= 2)
		(*ret)[n - 2] = '\0'; /* without the line ending */
	return r;
}

/* RFC 5322 §3.3 date-time in UTC, in English whatever the locale: "Sun, 29 Nov 2026 03:00:00
 * +0000". */
static void put_date(FILE *f, time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11)
		memset(&tm, 0, sizeof(tm)); /* cannot happen for a time_t of this century */
	fprintf(f, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
		months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "To: a@example.org, b@example.org", folded after a comma where a line would grow long. */
static void put_to(FILE *f, const char *const *to)
{
	size_t col = 4, i;

	fputs("To: ", f);
	for (i = 0; to[i] != NULL; i++) {
		size_t len = strlen(to[i]);

		if (i > 0 && col + len + 2 > LINE_SOFT) {
			fputs(",\r\n ", f);
			col = 1;
		} else if (i > 0) {
			fputs(", ", f);
			col += 2;
		}
		fputs(to[i], f);
		col += len;
	}
	fputs("\r\n", f);
}

/* The body with CRLF line endings, a line broken before it reaches LINE_HARD octets. */
static void put_body(FILE *f, const char *body)
{
	size_t col = 0;

	for (; *body != '\0'; body++) {
		unsigned char c = (unsigned char)*body;

		if (c == '\n') {
			fputs("\r\n", f);
			col = 0;
			continue;
		}
		/* break before a character's first byte, so a UTF-8 sequence is never split */
		if (col >= LINE_HARD - 8 && (c & 0xc0) != 0x80) {
			fputs("\r\n", f);
			col = 0;
		}
		fputc(c, f);
		col++;
	}
	if (col > 0)
		fputs("\r\n", f);
}

static bool headers_valid(const struct alert_mail_headers *h)
{
	size_t i;

	if (h == NULL || h->from == NULL || h->to == NULL || h->to[0] == NULL ||
	    h->hostname == NULL || h->from[0] == '\0' || h->hostname[0] == '\0' ||
	    has_control(h->from) || has_control(h->hostname) || strchr(h->hostname, '>') != NULL)
		return false;
	for (i = 0; h->to[i] != NULL; i++)
		if (h->to[i][0] == '\0' || has_control(h->to[i]))
			return false;
	return true;
}

/* The message: headers, then the body; domain and severity are X- fields when not NULL. */
static int assemble(const struct alert_mail_headers *h, const char *id, const char *subject,
		    const char *body, const char *domain, const char *severity, char **ret,
		    size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int r;

	if (f == NULL)
		return -ENOMEM;
	fprintf(f, "From: %s\r\n", h->from);
	put_to(f, h->to);
	r = put_header(f, "Subject", subject);
	put_date(f, h->date);
	fprintf(f, "Message-ID: <%s@%s>\r\n", id, h->hostname);
	fputs("Auto-Submitted: auto-generated\r\n"
	      "MIME-Version: 1.0\r\n"
	      "Content-Type: text/plain; charset=utf-8\r\n"
	      "Content-Transfer-Encoding: 8bit\r\n",
	      f);
	if (r == 0 && domain != NULL)
		r = put_header(f, "X-Mxsentry-Domain", domain);
	if (severity != NULL)
		fprintf(f, "X-Mxsentry-Severity: %s\r\n", severity);
	fputs("\r\n", f);
	put_body(f, body);
	return stream_finish(f, &text, &len, r, ret, ret_len);
}

int alert_mail(const struct alert_message *m, const struct alert_mail_headers *h, char **ret,
	       size_t *ret_len)
{
	char *subject = NULL, *body = NULL;
	int r;

	if (m == NULL || m->n_items == 0 || ret == NULL || !headers_valid(h))
		return -EINVAL;
	r = alert_subject(m, &subject);
	if (r == 0)
		r = alert_text_body(m, h->agent_host, &body);
	if (r == 0)
		r = assemble(h, m->id, subject, body, m->domain, severity_name(m->worst), ret,
			     ret_len);
	free(subject);
	free(body);
	return r;
}

int alert_mail_plain(const struct alert_mail_headers *h, const char *id, const char *subject,
		     const char *body, char **ret, size_t *ret_len)
{
	if (id == NULL || subject == NULL || body == NULL || ret == NULL || !headers_valid(h))
		return -EINVAL;
	return assemble(h, id, subject, body, NULL, NULL, ret, ret_len);
}

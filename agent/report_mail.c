/*
 * report_mail.c - TLS-RPT report bytes out of a mail message or a bare file (RPT-DLV-03, -04,
 * -06, -08; RPT-JSON-14); see report_mail.h.
 *
 * GMime parses the message and undoes transfer encodings; this file decides which parts are
 * reports, gunzips them under the cap (lib/gunzip.c) and copies what it keeps out of GMime's
 * objects, so that the result is plain malloc()ed memory with one owner and one free function.
 * Before GMime sees a message, agent/mailshape.c bounds its shape.
 */
#include "agent/report_mail.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "agent/mailshape.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
	g_mime_init();
}

/* One extraction under way. */
struct walk {
	struct report_mail *mail; /* the result being built; reports has room for the maximum */
	size_t json_left;         /* RPT-JSON-14: JSON bytes this input may still yield */
	unsigned leaf;            /* leaf parts seen so far, to name a part without a file name */
	struct mxs_error *reterr;
};

struct report_mail *report_mail_free(struct report_mail *mail)
{
	size_t i;

	if (mail == NULL)
		return NULL;
	for (i = 0; i < mail->n; i++) {
		free(mail->reports[i].json);
		free(mail->reports[i].filename);
		free(mail->reports[i].content_type);
	}
	free(mail->reports);
	free(mail->report_domain);
	free(mail->report_submitter);
	free(mail->subject);
	free(mail->message_id);
	free(mail);
	return NULL;
}

/*
 * An empty result with room for the most reports a message may hold: the array never moves, so
 * a part being filled in can be pointed at, and there is no growth to fail half-way.
 */
static struct report_mail *mail_new(void)
{
	struct report_mail *mail = calloc(1, sizeof(*mail));

	if (mail == NULL)
		return NULL;
	mail->reports = calloc(REPORT_MAIL_MAX_REPORTS, sizeof(*mail->reports));
	if (mail->reports == NULL) {
		free(mail);
		return NULL;
	}
	return mail;
}

/* A heap copy of s (NULL stays NULL). Returns 0 or -ENOMEM. */
/*
 * GMime's strings live in its objects (g_free(), gone with the message); the caller gets plain
 * malloc()ed copies that report_mail_free() releases.
 */
static int copy_str(const char *s, char **ret)
{
	char *copy = NULL;

	if (s != NULL) {
		copy = strdup(s);
		if (copy == NULL)
			return -ENOMEM;
	}
	*ret = copy;
	return 0;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* "{" as the first byte after JSON whitespace (and a UTF-8 BOM, which some writers add). */
static bool looks_like_json(const unsigned char *p, size_t len)
{
	size_t i = 0;

	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < len && p[i] == '{';
}

/*
 * The length of an mbox "From " line in front of the message, LF included (0 when there is
 * none): pipe transports (Exim's by default, Postfix pipe(8) with flag F) add one.
 */
static size_t mbox_from_len(const char *p, size_t len)
{
	const char *nl;

	if (len < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	nl = memchr(p, '\n', len);
	return nl != NULL ? (size_t)(nl - p) + 1 : len;
}

/* A message begins with a header field (after an optional mbox "From " line). */
static bool looks_like_message(const char *p, size_t len)
{
	size_t skip = mbox_from_len(p, len);

	return mailshape_field_name(p + skip, len - skip) > 0;
}

/*
 * RPT-DLV-03: the report media types, whatever the name; RPT-DLV-07: other types senders use
 * (all seen in the wild, or what a generic mailer picks), only with a report's file name.
 */
static bool is_report_part(GMimeContentType *ct, const char *name)
{
	static const char *const loose[] = { "gzip", "x-gzip", "octet-stream", "json" };
	size_t i;

	if (g_mime_content_type_is_type(ct, "application", "tlsrpt+json") ||
	    g_mime_content_type_is_type(ct, "application", "tlsrpt+gzip"))
		return true;
	if (name == NULL || !(ends_with_ci(name, ".json") || ends_with_ci(name, ".json.gz")))
		return false;
	for (i = 0; i < sizeof(loose) / sizeof(loose[0]); i++)
		if (g_mime_content_type_is_type(ct, "application", loose[i]))
			return true;
	return false;
}

static bool labelled_gzip(GMimeContentType *ct, const char *name)
{
	return g_mime_content_type_is_type(ct, "application", "tlsrpt+gzip") ||
	       g_mime_content_type_is_type(ct, "application", "gzip") ||
	       g_mime_content_type_is_type(ct, "application", "x-gzip") ||
	       (name != NULL && ends_with_ci(name, ".gz"));
}

/*
 * RPT-JSON-14. The budget is per input, not per part, so that sixteen report parts cannot make
 * sixteen times the cap; the text says which of the two was passed.
 */
static int too_big(struct walk *w, const char *label)
{
	if (w->json_left == REPORT_MAIL_MAX_JSON)
		(void)mxs_error_set(w->reterr, label, "RPT-JSON-14",
				    "report exceeds %u bytes of JSON (decompressed)",
				    (unsigned)REPORT_MAIL_MAX_JSON);
	else
		(void)mxs_error_set(w->reterr, label, "RPT-JSON-14",
				    "reports exceed %u bytes of JSON in all (decompressed)",
				    (unsigned)REPORT_MAIL_MAX_JSON);
	return -EFBIG;
}

/*
 * One report's bytes into pl->json: gunzipped when they begin with the gzip magic (RPT-DLV-08),
 * whatever the label says; else taken as they are, unless labelled gzip and not even JSON.
 */
static int take_bytes(struct walk *w, struct report_payload *pl, const unsigned char *p, size_t len,
		      const char *label, bool gzip_label)
{
	struct mxs_error zerr = { 0 };
	unsigned char *json;
	size_t json_len;
	int r;

	if (gunzip_is_gzip(p, len)) {
		r = gunzip_bounded(p, len, w->json_left, &json, &json_len, &zerr);
		if (r == -EFBIG)
			(void)too_big(w, label);
		else if (r < 0)
			(void)mxs_error_set(w->reterr, label, zerr.req, "%s",
					    zerr.what != NULL ? zerr.what : "cannot decompress");
		mxs_error_clear(&zerr);
		if (r < 0)
			return r;
		pl->was_gzip = true;
	} else {
		if (gzip_label && !looks_like_json(p, len))
			return mxs_error_set(w->reterr, label, "RPT-DLV-08",
					     "labelled gzip, but neither gzip data (no 1f 8b "
					     "magic) nor JSON");
		if (len > w->json_left)
			return too_big(w, label);
		json = malloc(len + 1);
		if (json == NULL)
			return -ENOMEM;
		if (len > 0)
			memcpy(json, p, len);
		json[len] = '\0';
		json_len = len;
	}
	pl->json = json;
	pl->len = json_len;
	w->json_left -= json_len;
	return 0;
}

/* A report part: decode its transfer encoding, then take its bytes and labels. */
static int take_part(struct walk *w, GMimePart *part, GMimeContentType *ct, const char *name)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	struct report_payload *pl = NULL;
	GMimeStream *mem = NULL;
	GByteArray *bytes;
	char *label, *mime = NULL, *c;
	int r;

	label = name != NULL ? mxs_strdupf("%s", name) : mxs_strdupf("MIME part %u", w->leaf);
	if (label == NULL)
		return -ENOMEM;
	if (w->mail->n == REPORT_MAIL_MAX_REPORTS) {
		(void)mxs_error_set(w->reterr, label, NULL,
				    "more than %d report parts in the message",
				    REPORT_MAIL_MAX_REPORTS);
		r = -E2BIG;
		goto out;
	}
	pl = &w->mail->reports[w->mail->n];
	/*
	 * The decoded part is at most the size of the message (base64 and quoted-printable only
	 * shrink), which is bounded; the cap that matters is on what gunzip makes of it.
	 */
	mem = g_mime_stream_mem_new();
	if (content != NULL && g_mime_data_wrapper_write_to_stream(content, mem) < 0) {
		r = mxs_error_set(w->reterr, label, "RPT-DLV-03",
				  "cannot undo the part's transfer encoding");
		goto out;
	}
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	r = take_bytes(w, pl, bytes->data, bytes->len, label, labelled_gzip(ct, name));
	if (r < 0)
		goto out;
	mime = g_mime_content_type_get_mime_type(ct);
	if (copy_str(name, &pl->filename) < 0 || copy_str(mime, &pl->content_type) < 0) {
		r = -ENOMEM;
		goto out;
	}
	/* Media types are case-insensitive (RFC 2045 §5.1); consumers compare one spelling. */
	for (c = pl->content_type; c != NULL && *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	w->mail->n++;
out:
	/* A part that failed leaves its slot empty, so report_mail_free() sees only whole ones. */
	if (r < 0 && pl != NULL) {
		free(pl->json);
		free(pl->filename);
		memset(pl, 0, sizeof(*pl));
	}
	g_free(mime);
	if (mem != NULL)
		g_object_unref(mem);
	free(label);
	return r;
}

/*
 * Depth-first over the MIME tree, in message order. Attached messages (GMimeMessagePart) are
 * not entered (report_mail.h).
 */
static int walk_tree(struct walk *w, GMimeObject *obj, unsigned depth)
{
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int i, n = g_mime_multipart_get_count(mp);

		if (depth >= REPORT_MAIL_MAX_DEPTH) {
			(void)mxs_error_set(w->reterr, NULL, NULL,
					    "MIME parts nested deeper than %d levels",
					    REPORT_MAIL_MAX_DEPTH);
			return -E2BIG;
		}
		for (i = 0; i < n; i++) {
			int r = walk_tree(w, g_mime_multipart_get_part(mp, i), depth + 1);

			if (r < 0)
				return r;
		}
		return 0;
	}
	w->leaf++;
	if (GMIME_IS_PART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		const char *name = g_mime_part_get_filename(GMIME_PART(obj));

		if (ct != NULL && is_report_part(ct, name))
			return take_part(w, GMIME_PART(obj), ct, name);
	}
	return 0;
}

/* RPT-DLV-04, -06: what the message says about its report, copied out of GMime. */
static int take_headers(struct report_mail *mail, GMimeMessage *m)
{
	const char *domain = g_mime_object_get_header(GMIME_OBJECT(m), "TLS-Report-Domain");
	const char *submitter = g_mime_object_get_header(GMIME_OBJECT(m), "TLS-Report-Submitter");

	if (copy_str(domain, &mail->report_domain) < 0 ||
	    copy_str(submitter, &mail->report_submitter) < 0 ||
	    copy_str(g_mime_message_get_subject(m), &mail->subject) < 0 ||
	    copy_str(g_mime_message_get_message_id(m), &mail->message_id) < 0)
		return -ENOMEM;
	return 0;
}

int report_mail_extract(const void *msg, size_t len, struct report_mail **ret,
			struct mxs_error *reterr)
{
	const char *p = msg;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *m = NULL;
	GMimeObject *body;
	struct walk w = { .json_left = REPORT_MAIL_MAX_JSON, .reterr = reterr };
	size_t skip;
	int r;

	if (len > REPORT_MAIL_MAX_INPUT) {
		(void)mxs_error_set(reterr, NULL, NULL,
				    "message of %zu bytes exceeds the limit of %u bytes", len,
				    (unsigned)REPORT_MAIL_MAX_INPUT);
		return -EFBIG;
	}
	if (!looks_like_message(p, len))
		return mxs_error_set(reterr, NULL, "RPT-DLV-03",
				     "not a mail message: it does not begin with a header field");
	skip = mbox_from_len(p, len);
	r = mailshape_check(p + skip, len - skip, reterr);
	if (r < 0)
		return r;

	/* The cheap refusals first: GMime is started only for a message worth parsing. */
	(void)pthread_once(&gmime_once, gmime_start);
	w.mail = mail_new();
	if (w.mail == NULL) {
		r = -ENOMEM;
		goto out;
	}
	w.mail->is_message = true;
	/*
	 * GMime copies the bytes into its stream; parts then refer to ranges of it rather than
	 * holding copies of their own (the parser persists the stream by default).
	 */
	stream = g_mime_stream_mem_new_with_buffer(p + skip, len - skip);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	m = g_mime_parser_construct_message(parser, NULL);
	if (m == NULL) {
		r = mxs_error_set(reterr, NULL, "RPT-DLV-03", "not a mail message GMime can read");
		goto out;
	}
	r = take_headers(w.mail, m);
	if (r < 0)
		goto out;
	body = g_mime_message_get_mime_part(m);
	if (body != NULL) {
		r = walk_tree(&w, body, 0);
		if (r < 0)
			goto out;
	}
	if (w.mail->n == 0) {
		(void)mxs_error_set(reterr, NULL, "RPT-DLV-03",
				    "no TLS-RPT report in the message: no application/tlsrpt+gzip "
				    "or application/tlsrpt+json part, and no attachment named "
				    "*.json or *.json.gz");
		r = -ENOENT;
		goto out;
	}
	*ret = w.mail;
	w.mail = NULL;
	r = 0;
out:
	if (r == -ENOMEM)
		(void)mxs_error_set(reterr, NULL, NULL, "out of memory");
	if (m != NULL)
		g_object_unref(m);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	(void)report_mail_free(w.mail);
	return r;
}

int report_mail_extract_file(const void *data, size_t len, const char *name,
			     struct report_mail **ret, struct mxs_error *reterr)
{
	const unsigned char *p = data;
	const char *base = NULL, *slash;
	struct walk w = { .json_left = REPORT_MAIL_MAX_JSON, .reterr = reterr };
	int r;

	if (name != NULL && strcmp(name, "-") != 0) {
		slash = strrchr(name, '/');
		base = slash != NULL ? slash + 1 : name;
		if (*base == '\0')
			base = NULL;
	} else {
		name = "standard input";
	}
	if (len == 0)
		return mxs_error_set(reterr, name, NULL, "empty input");
	if (len > REPORT_MAIL_MAX_INPUT) {
		(void)mxs_error_set(reterr, name, NULL, "%zu bytes exceed the limit of %u bytes",
				    len, (unsigned)REPORT_MAIL_MAX_INPUT);
		return -EFBIG;
	}
	/* By content, not by name: JSON before mail, as "{" could begin a field name. */
	if (!gunzip_is_gzip(p, len) && !looks_like_json(p, len)) {
		if (looks_like_message(data, len))
			return report_mail_extract(data, len, ret, reterr);
		return mxs_error_set(reterr, name, NULL,
				     "neither a mail message, gzip data nor a JSON report");
	}

	w.mail = mail_new();
	if (w.mail == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = take_bytes(&w, &w.mail->reports[0], p, len, name, false);
	if (r < 0)
		goto out;
	w.mail->n = 1;
	r = copy_str(base, &w.mail->reports[0].filename);
	if (r < 0)
		goto out;
	*ret = w.mail;
	w.mail = NULL;
out:
	if (r == -ENOMEM)
		(void)mxs_error_set(reterr, name, NULL, "out of memory");
	(void)report_mail_free(w.mail);
	return r;
}

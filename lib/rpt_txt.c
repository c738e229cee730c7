/*
 * rpt_txt.c - the TLS-RPT TXT record; see rpt_txt.h.
 *
 * RFC 8460 §3 grammar, in short:
 *   tlsrpt-record = "v=TLSRPTv1" 1*(field-delim tlsrpt-field) [field-delim]
 *   field-delim = *WSP ";" *WSP; tlsrpt-rua = "rua=" uri *(*WSP "," *WSP uri)
 * A URI cannot hold an unencoded ";" (RPT-TXT-06), so the parser cuts the record at every ";"
 * and trims WSP around each piece, as sts_txt.c does; each piece is then judged on its own.
 *
 * Diagnostics that cannot be stored set list->lost; the functions check it once at the end and
 * return -ENOMEM, so the individual diag_add() calls are deliberately unchecked.
 */
#include "lib/rpt_txt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RPT_VERSION     "v=TLSRPTv1"
#define RPT_VERSION_LEN (sizeof(RPT_VERSION) - 1)
/* RFC 8460 §3: extension names are at most 32 characters. */
#define EXT_NAME_MAX 32

/* State of one record's parse. */
struct rpt_state {
	struct diag_list *d;
	struct rpt_txt *rec; /* the record being built */
	size_t rua_cap;
	size_t fields;     /* fields after the version */
	size_t rua_fields; /* rua fields seen (RPT-TXT-09) */
	size_t usable;     /* URIs with a supported scheme and shape (RPT-TXT-07) */
	bool have_v;       /* a second "v=" was already reported */
	bool nomem;        /* a URI could not be stored */
};

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static bool ext_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > EXT_NAME_MAX || !is_alnum(s[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
static bool ext_value_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '=' || c == ';')
			return false;
	}
	return true;
}

/* Whether the record is a discovery candidate: "v=TLSRPTv1" *WSP ";" (RPT-TXT-02, D1). */
static bool is_candidate(const char *data, size_t len)
{
	size_t p = RPT_VERSION_LEN;

	if (len < RPT_VERSION_LEN || memcmp(data, RPT_VERSION, RPT_VERSION_LEN) != 0)
		return false;
	while (p < len && is_wsp(data[p]))
		p++;
	return p < len && data[p] == ';';
}

/*
 * RPT-TXT-06: an RFC 3986 URI with a scheme, whose characters are unreserved, reserved or
 * percent-encoded, except ",", "!" and ";" which must be encoded. The structure after the
 * scheme (authority, port, path) is not checked further. Returns NULL or the reason.
 */
static const char *uri_problem(const char *u, size_t len, size_t *ret_scheme_len)
{
	static const char allowed[] = "-._~:/?#[]@$&'()*+=";
	size_t i = 0;

	if (len == 0 || !is_alpha(u[0]))
		return "it does not begin with a scheme (such as mailto: or https:)";
	while (i < len && (is_alnum(u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'))
		i++;
	if (i == len || u[i] != ':')
		return "it does not begin with a scheme (such as mailto: or https:)";
	*ret_scheme_len = i;
	for (i++; i < len; i++) {
		char c = u[i];

		if (c == '%') {
			if (i + 2 >= len || !is_hex(u[i + 1]) || !is_hex(u[i + 2]))
				return "\"%\" is not followed by two hexadecimal digits";
			i += 2;
		} else if (c == '!' || c == ',') {
			return "\"!\" and \",\" must be percent-encoded (a DMARC-style size limit "
			       "is not allowed)";
		} else if (!is_alnum(c) && (c == '\0' || strchr(allowed, c) == NULL)) {
			return "it holds a character that a URI cannot contain unencoded";
		}
	}
	return NULL;
}

/*
 * RPT-TXT-07: whether a URI with a valid syntax can receive reports: a mailto: with an address
 * or an https: with a host. Returns NULL or the reason.
 */
static const char *uri_unusable(const char *u, size_t len, size_t scheme_len)
{
	const char *rest = u + scheme_len + 1;
	size_t rlen = len - scheme_len - 1;

	if (scheme_len == 6 && strncasecmp(u, "mailto", 6) == 0)
		return memchr(rest, '@', rlen) != NULL ? NULL : "the mailto: URI has no address";
	if (scheme_len == 5 && strncasecmp(u, "https", 5) == 0)
		return rlen > 2 && memcmp(rest, "//", 2) == 0 && rest[2] != '/'
			   ? NULL
			   : "the https: URI has no host";
	return "only mailto: and https: are supported";
}

static int rua_append(struct rpt_state *st, const char *u, size_t len)
{
	struct rpt_txt *rec = st->rec;
	char *copy;

	if (rec->n_rua + 1 >= st->rua_cap) {
		size_t cap = st->rua_cap ? st->rua_cap * 2 : 4;
		char **v = realloc(rec->rua, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		rec->rua = v;
		st->rua_cap = cap;
	}
	copy = strndup(u, len);
	if (copy == NULL)
		return -ENOMEM;
	rec->rua[rec->n_rua++] = copy;
	rec->rua[rec->n_rua] = NULL;
	return 0;
}

/* The value of one rua field: URIs separated by "," with optional WSP around it. */
static void parse_rua(struct rpt_state *st, const char *v, size_t vlen)
{
	char ex[DIAG_EXCERPT_SIZE];
	size_t p = 0;

	st->rua_fields++;
	if (st->rua_fields == 2)
		(void)diag_add(
		    st->d, DIAG_WARN, false, "RPT-TXT-09",
		    "several rua fields: their destinations are joined, but some senders "
		    "only use the first");
	for (;;) {
		const char *comma = memchr(v + p, ',', vlen - p);
		size_t end = comma != NULL ? (size_t)(comma - v) : vlen;
		size_t s = p, e = end, scheme_len = 0;
		const char *why;

		/* WSP only around the commas: "rua= x" is outside the grammar */
		if (p > 0)
			while (s < e && is_wsp(v[s]))
				s++;
		if (comma != NULL)
			while (e > s && is_wsp(v[e - 1]))
				e--;
		why = s < e ? uri_problem(v + s, e - s, &scheme_len) : NULL;
		if (s == e) {
			(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-05",
				       "empty URI in rua \"%s\"",
				       diag_excerpt(ex, sizeof(ex), v, vlen));
		} else if (why != NULL) {
			(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-06",
				       "rua \"%s\" is not a valid URI: %s",
				       diag_excerpt(ex, sizeof(ex), v + s, e - s), why);
		} else {
			why = uri_unusable(v + s, e - s, scheme_len);
			if (why != NULL)
				(void)diag_add(st->d, DIAG_WARN, false, "RPT-TXT-07",
					       "rua \"%s\" cannot receive reports: %s",
					       diag_excerpt(ex, sizeof(ex), v + s, e - s), why);
			else
				st->usable++;
			if (rua_append(st, v + s, e - s) < 0)
				st->nomem = true;
		}
		if (comma == NULL)
			break;
		p = end + 1;
	}
}

/* One field between delimiters, already trimmed of WSP and not empty. */
static void parse_field(struct rpt_state *st, const char *f, size_t len)
{
	char ex[DIAG_EXCERPT_SIZE];
	const char *eq = memchr(f, '=', len);
	size_t nlen = eq != NULL ? (size_t)(eq - f) : len;
	const char *val = eq != NULL ? eq + 1 : f + len;
	size_t vlen = eq != NULL ? len - nlen - 1 : 0;

	st->fields++;
	if (eq != NULL && nlen == 3 && memcmp(f, "rua", 3) == 0) {
		if (vlen == 0)
			(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-05", "rua is empty");
		else
			parse_rua(st, val, vlen);
		return;
	}
	if (eq != NULL && nlen == 1 && f[0] == 'v') {
		if (!st->have_v)
			(void)diag_add(st->d, DIAG_WARN, false, "RPT-TXT-04",
				       "a second version field \"%s\" is ignored",
				       diag_excerpt(ex, sizeof(ex), f, len));
		st->have_v = true;
		return;
	}
	if (nlen == 3 && strncasecmp(f, "rua", 3) == 0)
		(void)diag_add(
		    st->d, DIAG_WARN, false, "RPT-TXT-05",
		    "field \"%.3s\" is not \"rua\" (names are case-sensitive), so senders "
		    "ignore it",
		    f);
	/* RPT-TXT-08: unknown fields are ignored; a malformed one breaks the grammar (D2) */
	if (eq == NULL || !ext_name_ok(f, nlen) || !ext_value_ok(val, vlen))
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-TXT-08",
			       "malformed field \"%s\": expected name=value with a name of 1-32 "
			       "letters, digits, '_', '-', '.' and a non-empty value without "
			       "spaces, '=' or ';'",
			       diag_excerpt(ex, sizeof(ex), f, len));
}

static void parse_record(struct rpt_state *st, const char *data, size_t len)
{
	char ex[DIAG_EXCERPT_SIZE];
	size_t p, q;

	/* RPT-TXT-04: the record begins with the case-sensitive version */
	if (len < RPT_VERSION_LEN || memcmp(data, RPT_VERSION, RPT_VERSION_LEN) != 0) {
		(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-04",
			       "the record \"%s\" does not begin with \"v=TLSRPTv1\"",
			       diag_excerpt(ex, sizeof(ex), data, len));
		return;
	}
	p = RPT_VERSION_LEN;
	q = p;
	while (q < len && is_wsp(data[q]))
		q++;
	if (q == len) {
		(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-05",
			       "no field follows the version; rua is required");
		return;
	}
	if (data[q] != ';') {
		(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-04",
			       "\"v=TLSRPTv1\" is not followed by \";\" (\"%s\")",
			       diag_excerpt(ex, sizeof(ex), data, len));
		return;
	}
	/* RPT-TXT-02 with MTA-STS D1: grammatical, but the discard rule wants "v=TLSRPTv1;" */
	if (q > p)
		(void)diag_add(st->d, DIAG_WARN, false, "RPT-TXT-02",
			       "whitespace before \";\" after the version: some senders discard "
			       "this record");
	p = q + 1;
	for (;;) {
		const char *semi;
		size_t end, fend;

		while (p < len && is_wsp(data[p]))
			p++;
		if (p == len)
			break; /* the optional trailing delimiter */
		semi = memchr(data + p, ';', len - p);
		end = semi != NULL ? (size_t)(semi - data) : len;
		fend = end;
		while (fend > p && is_wsp(data[fend - 1]))
			fend--;
		if (fend == p)
			(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-04",
				       "empty field between two \";\" at position %zu", p + 1);
		else
			parse_field(st, data + p, fend - p);
		if (end == len) {
			/* D2: trailing WSP without a ";" after it is outside the ABNF */
			if (fend < end)
				(void)diag_add(st->d, DIAG_WARN, true, "RPT-TXT-04",
					       "trailing whitespace after the last field");
			break;
		}
		p = end + 1;
	}
	if (st->rua_fields == 0) {
		(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-05", "the rua field is missing");
	} else if (st->usable == 0 && st->rec->n_rua > 0) {
		/* RPT-TXT-07: grammatical, but no sender can deliver a report */
		(void)diag_add(st->d, DIAG_ERROR, false, "RPT-TXT-07",
			       "no rua is a usable mailto: or https: destination: nobody can send "
			       "reports");
	}
}

int rpt_txt_parse(const char *data, size_t len, struct rpt_txt **ret_record,
		  struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct rpt_state st = { 0 };
	bool lost_before;
	size_t from;
	int r;

	st.d = diags != NULL ? diags : &local;
	from = st.d->n;
	lost_before = st.d->lost;
	st.d->lost = false;
	st.rec = calloc(1, sizeof(*st.rec));
	if (st.rec == NULL) {
		r = -ENOMEM;
		goto out;
	}
	parse_record(&st, data, len);
	if (st.d->lost || st.nomem)
		r = -ENOMEM;
	else if (diag_rejects(st.d, from) || st.rec->n_rua == 0)
		r = -EINVAL;
	else
		r = 0;
out:
	st.d->lost = st.d->lost || lost_before;
	if (r == 0 && ret_record != NULL) {
		*ret_record = st.rec;
		st.rec = NULL;
	}
	(void)rpt_txt_free(st.rec);
	diag_clear(&local);
	return r;
}

struct rpt_txt *rpt_txt_free(struct rpt_txt *record)
{
	size_t i;

	if (record == NULL)
		return NULL;
	for (i = 0; i < record->n_rua; i++)
		free(record->rua[i]);
	free(record->rua);
	free(record);
	return NULL;
}

/* A discarded record that was probably meant as the TLSRPTv1 record (other case, leading WSP,
 * no ";"). */
static bool looks_like_rpt(const char *data, size_t len)
{
	size_t p = 0;

	while (p < len && is_wsp(data[p]))
		p++;
	return len - p >= RPT_VERSION_LEN &&
	       strncasecmp(data + p, RPT_VERSION, RPT_VERSION_LEN) == 0;
}

int rpt_txt_discover(const struct txt_record *records, size_t n, size_t *ret_count,
		     struct rpt_txt **ret_record, struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct diag_list *d = diags != NULL ? diags : &local;
	const struct txt_record *only = NULL;
	struct rpt_txt *rec = NULL;
	char ex[DIAG_EXCERPT_SIZE];
	bool lost_before = d->lost;
	size_t count = 0, i;
	int r = 0;

	d->lost = false;
	for (i = 0; i < n; i++) {
		const struct txt_record *t = &records[i];

		if (is_candidate(t->data, t->len)) {
			count++;
			only = t;
		} else if (looks_like_rpt(t->data, t->len)) {
			(void)diag_add(d, DIAG_WARN, false, "RPT-TXT-02",
				       "TXT record \"%s\" is discarded: it does not begin with "
				       "\"v=TLSRPTv1;\"",
				       diag_excerpt(ex, sizeof(ex), t->data, t->len));
		}
	}
	/* RPT-TXT-02: exactly one record must remain */
	if (count == 0) {
		(void)diag_add(d, DIAG_INFO, true, "RPT-TXT-02",
			       "no TXT record begins with \"v=TLSRPTv1;\": no TLS-RPT");
	} else if (count > 1) {
		(void)diag_add(d, DIAG_ERROR, true, "RPT-TXT-02",
			       "%zu TXT records begin with \"v=TLSRPTv1;\": senders ignore TLS-RPT "
			       "unless there is exactly one",
			       count);
	} else {
		if (only->has_nul)
			(void)diag_add(d, DIAG_ERROR, true, "RPT-TXT-04",
				       "the record holds a NUL byte");
		r = rpt_txt_parse(only->data, only->len, &rec, d);
		if (r == 0 && only->has_nul) {
			rec = rpt_txt_free(rec);
			r = -EINVAL;
		}
		if (r == -EINVAL) {
			(void)diag_add(
			    d, DIAG_ERROR, true, "RPT-TXT-02",
			    "the TLSRPTv1 record is invalid: senders treat the domain as "
			    "having no TLS-RPT");
			r = 0;
		} else if (r == 0) {
			r = 1;
		}
	}
	if (d->lost) {
		rec = rpt_txt_free(rec);
		r = -ENOMEM;
	}
	d->lost = d->lost || lost_before;
	if (r >= 0 && ret_count != NULL)
		*ret_count = count;
	if (r == 1 && ret_record != NULL) {
		*ret_record = rec;
		rec = NULL;
	}
	(void)rpt_txt_free(rec);
	diag_clear(&local);
	return r;
}

/*
 * rpt_txt.c - the TLS-RPT TXT record; see rpt_txt.h.
 *
 * RFC 8460 §3 grammar, in short:
 *   tlsrpt-record = "v=TLSRPTv1" 1*(field-delim tlsrpt-field) [field-delim]
 *   field-delim = *WSP ";" *WSP; tlsrpt-rua = "rua=" uri *(*WSP "," *WSP uri)
 * The version, the delimiters, the extension syntax and discovery are the grammar MTA-STS shares
 * (lib/tagvalue.h; a URI cannot hold an unencoded ";", RPT-TXT-06, so cutting at ";" is safe);
 * this file adds the rua field, its URIs and the requirement IDs.
 *
 * Diagnostics that cannot be stored set list->lost (lib/diag.h); tagvalue_parse() and
 * tagvalue_discover() check it once at their end and return -ENOMEM, so the individual diag_add()
 * calls here are deliberately unchecked.
 */
#include "lib/rpt_txt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/tagvalue.h"

/* How RFC 8460 and spec/tls-rpt.md §1 word the shared grammar. */
static const struct tagvalue_syntax rpt_syntax = {
	.version = "v=TLSRPTv1",
	.protocol = "TLS-RPT",
	.absent = "TLS-RPT",
	.req = {
		.discard = "RPT-TXT-02",
		.invalid = "RPT-TXT-02",
		.nul = "RPT-TXT-04",
		.version = "RPT-TXT-04",
		.delim = "RPT-TXT-04",
		.no_field = "RPT-TXT-05",
	},
	.hint = {
		.no_field = "; rua is required",
		.nul = "",
		.trailing = "",
	},
};

/* State of one record's parse. */
struct rpt_state {
	struct diag_list *d;
	struct rpt_txt *rec; /* the record being built */
	size_t rua_cap;
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
			if (tagvalue_values_add(&st->rec->rua, &st->rec->n_rua, &st->rua_cap, v + s,
						e - s) < 0)
				st->nomem = true;
		}
		if (comma == NULL)
			break;
		p = end + 1;
	}
}

/* One non-empty field (tagvalue_field_fn). */
static void parse_field(void *ctx, const struct tagvalue_field *f)
{
	struct rpt_state *st = ctx;
	char ex[DIAG_EXCERPT_SIZE];

	if (f->value != NULL && f->name_len == 3 && memcmp(f->name, "rua", 3) == 0) {
		if (f->value_len == 0)
			(void)diag_add(st->d, DIAG_ERROR, true, "RPT-TXT-05", "rua is empty");
		else
			parse_rua(st, f->value, f->value_len);
		return;
	}
	if (f->value != NULL && f->name_len == 1 && f->name[0] == 'v') {
		if (!st->have_v)
			(void)diag_add(st->d, DIAG_WARN, false, "RPT-TXT-04",
				       "a second version field \"%s\" is ignored",
				       diag_excerpt(ex, sizeof(ex), f->text, f->len));
		st->have_v = true;
		return;
	}
	if (f->name_len == 3 && strncasecmp(f->name, "rua", 3) == 0)
		(void)diag_add(
		    st->d, DIAG_WARN, false, "RPT-TXT-05",
		    "field \"%.3s\" is not \"rua\" (names are case-sensitive), so senders "
		    "ignore it",
		    f->name);
	/* RPT-TXT-08: unknown fields are ignored; a malformed one breaks the grammar (D2) */
	if (!tagvalue_ext_ok(f))
		(void)diag_add(st->d, DIAG_WARN, true, "RPT-TXT-08",
			       "malformed field \"%s\": expected name=value with a name of 1-32 "
			       "letters, digits, '_', '-', '.' and a non-empty value without "
			       "spaces, '=' or ';'",
			       diag_excerpt(ex, sizeof(ex), f->text, f->len));
}

/*
 * The grammar of one record (tagvalue_parse_fn); ctx is the struct rpt_state, whose record is
 * built here. The verdict is mostly read from the diagnostics by tagvalue_parse(); at least one
 * rua destination is required on top.
 */
static int parse_record(void *ctx, const char *data, size_t len, struct diag_list *d)
{
	struct rpt_state *st = ctx;

	st->d = d;
	st->rec = calloc(1, sizeof(*st->rec));
	if (st->rec == NULL)
		return -ENOMEM;
	/* RPT-TXT-02, -04: version, delimiters; the fields come to parse_field() */
	if (tagvalue_walk(&rpt_syntax, data, len, parse_field, st, d) < 0)
		return -EINVAL;
	if (st->rua_fields == 0) {
		(void)diag_add(d, DIAG_ERROR, true, "RPT-TXT-05", "the rua field is missing");
	} else if (st->usable == 0 && st->rec->n_rua > 0) {
		/* RPT-TXT-07: grammatical, but no sender can deliver a report */
		(void)diag_add(d, DIAG_ERROR, false, "RPT-TXT-07",
			       "no rua is a usable mailto: or https: destination: nobody can send "
			       "reports");
	}
	if (st->nomem)
		return -ENOMEM;
	return st->rec->n_rua > 0 ? 0 : -EINVAL;
}

int rpt_txt_parse(const char *data, size_t len, struct rpt_txt **ret_record,
		  struct diag_list *diags)
{
	struct rpt_state st = { 0 };
	int r = tagvalue_parse(parse_record, &st, data, len, diags);

	if (r == 0 && ret_record != NULL) {
		*ret_record = st.rec;
		st.rec = NULL;
	}
	(void)rpt_txt_free(st.rec);
	return r;
}

struct rpt_txt *rpt_txt_free(struct rpt_txt *record)
{
	if (record == NULL)
		return NULL;
	(void)tagvalue_values_free(record->rua, record->n_rua);
	free(record);
	return NULL;
}

/* The one remaining record of a discovery (tagvalue_parse_fn); ctx is a struct rpt_txt **. */
static int parse_only(void *ctx, const char *data, size_t len, struct diag_list *diags)
{
	return rpt_txt_parse(data, len, ctx, diags);
}

int rpt_txt_discover(const struct txt_record *records, size_t n, size_t *ret_count,
		     struct rpt_txt **ret_record, struct diag_list *diags)
{
	struct rpt_txt *rec = NULL;
	int r;

	/* RPT-TXT-02: exactly one TLSRPTv1 record, and a valid one */
	r = tagvalue_discover(&rpt_syntax, records, n, ret_count, parse_only, &rec, diags);
	if (r == 1 && ret_record != NULL) {
		*ret_record = rec;
		rec = NULL;
	}
	(void)rpt_txt_free(rec);
	return r;
}

/*
 * sts_txt.c - the MTA-STS TXT record; see sts_txt.h.
 *
 * RFC 8461 §3.1 grammar, in short:
 *   sts-record = "v=STSv1" 1*(sts-field-delim sts-field) [sts-field-delim]
 *   sts-field-delim = *WSP ";" *WSP; sts-field = sts-id / sts-extension
 * The version, the delimiters, the extension syntax and discovery are the grammar TLS-RPT shares
 * (lib/tagvalue.h); this file adds the US-ASCII rule, the id and the requirement IDs.
 *
 * Diagnostics that cannot be stored set list->lost (lib/diag.h); tagvalue_parse() and
 * tagvalue_discover() check it once at their end and return -ENOMEM, so the individual diag_add()
 * calls here are deliberately unchecked.
 */
#include "lib/sts_txt.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib/tagvalue.h"

/* How RFC 8461 and spec/mta-sts.md §1 word the shared grammar. */
static const struct tagvalue_syntax sts_syntax = {
	.version = "v=STSv1",
	.protocol = "MTA-STS",
	.absent = "MTA-STS policy",
	.req = {
		.discard = "STS-TXT-04",
		.invalid = "STS-TXT-05",
		.nul = "STS-TXT-02",
		.version = "STS-TXT-06",
		.delim = "STS-TXT-07",
		.no_field = "STS-TXT-07",
	},
	.hint = {
		.no_field = "",
		.nul = ": it must be printable US-ASCII",
		.trailing = "; end the record with the last field or with \";\"",
	},
};

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* State of one record's parse. */
struct txt_state {
	struct diag_list *d;
	bool have_id; /* an id field was seen (the first one counts, D7) */
	bool id_ok;   /* ... and it was well-formed */
	bool have_v;  /* a second "v=" was already reported */
	struct sts_txt txt;
};

/* STS-TXT-08: sts-id-value = 1*32(ALPHA / DIGIT); returns whether the id was taken. */
static bool take_id(struct txt_state *st, const char *val, size_t vlen)
{
	char ex[DIAG_EXCERPT_SIZE];
	size_t i;

	if (vlen == 0) {
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-08", "the id is empty");
		return false;
	}
	if (vlen > STS_TXT_ID_MAX) {
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-08",
			       "the id \"%s\" has %zu characters; at most %d are allowed",
			       diag_excerpt(ex, sizeof(ex), val, vlen), vlen, STS_TXT_ID_MAX);
		return false;
	}
	for (i = 0; i < vlen; i++) {
		if (!is_alnum(val[i])) {
			(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-08",
				       "the id \"%s\" may only hold letters and digits",
				       diag_excerpt(ex, sizeof(ex), val, vlen));
			return false;
		}
	}
	memcpy(st->txt.id, val, vlen);
	st->txt.id[vlen] = '\0';
	return true;
}

/* One non-empty field (tagvalue_field_fn). */
static void parse_field(void *ctx, const struct tagvalue_field *f)
{
	struct txt_state *st = ctx;
	char ex[DIAG_EXCERPT_SIZE];

	if (f->value != NULL && f->name_len == 2 && memcmp(f->name, "id", 2) == 0) {
		if (st->have_id) {
			/* STS-TXT-11: only the first occurrence counts */
			(void)diag_add(st->d, DIAG_WARN, false, "STS-TXT-11",
				       "duplicate id field \"%s\" ignored; the first one is used",
				       diag_excerpt(ex, sizeof(ex), f->text, f->len));
			return;
		}
		st->have_id = true;
		st->id_ok = take_id(st, f->value, f->value_len);
		return;
	}
	if (f->value != NULL && f->name_len == 1 && f->name[0] == 'v') {
		if (!st->have_v)
			(void)diag_add(st->d, DIAG_WARN, false, "STS-TXT-11",
				       "a second version field \"%s\" is ignored",
				       diag_excerpt(ex, sizeof(ex), f->text, f->len));
		st->have_v = true;
		return;
	}
	/*
	 * STS-TXT-10: unknown fields are ignored when well-formed (the vectors report them as
	 * plain "ok"); a malformed one breaks the grammar but senders skip it (D2).
	 */
	if (!tagvalue_ext_ok(f))
		(void)diag_add(
		    st->d, DIAG_WARN, true, "STS-TXT-10",
		    "malformed field \"%s\": expected name=value with a name of 1-32 "
		    "letters, digits, '_', '-', '.' and a non-empty value without spaces",
		    diag_excerpt(ex, sizeof(ex), f->text, f->len));
}

/*
 * The grammar of one record (tagvalue_parse_fn); ctx is the struct txt_state. The verdict is
 * mostly read from the diagnostics by tagvalue_parse(); an id is required on top.
 */
static int parse_record(void *ctx, const char *data, size_t len, struct diag_list *d)
{
	struct txt_state *st = ctx;
	size_t i;
	int fields;

	st->d = d;
	/* STS-TXT-02: US-ASCII without control characters (HTAB is WSP, so allowed) */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c > 0x7e || (c < 0x20 && c != '\t')) {
			(void)diag_add(d, DIAG_ERROR, true, "STS-TXT-02",
				       "byte 0x%02x at position %zu: the record must be printable "
				       "US-ASCII",
				       c, i + 1);
			return -EINVAL;
		}
	}
	/* STS-TXT-04, -06, -07: version, delimiters; the fields come to parse_field() */
	fields = tagvalue_walk(&sts_syntax, data, len, parse_field, st, d);
	if (fields < 0)
		return -EINVAL;
	/* STS-TXT-07: at least one field follows the version ("v=STSv1;" has none) */
	if (fields == 0)
		(void)diag_add(d, DIAG_ERROR, true, "STS-TXT-07", "no field follows the version");
	if (!st->have_id)
		(void)diag_add(d, DIAG_ERROR, true, "STS-TXT-08", "the id field is missing");
	return st->id_ok ? 0 : -EINVAL;
}

int sts_txt_parse(const char *data, size_t len, struct sts_txt *ret_txt, struct diag_list *diags)
{
	struct txt_state st = { 0 };
	int r = tagvalue_parse(parse_record, &st, data, len, diags);

	if (r == 0 && ret_txt != NULL)
		*ret_txt = st.txt;
	return r;
}

/* The one remaining record of a discovery (tagvalue_parse_fn); ctx is a struct sts_txt. */
static int parse_only(void *ctx, const char *data, size_t len, struct diag_list *diags)
{
	return sts_txt_parse(data, len, ctx, diags);
}

int sts_txt_discover(const struct txt_record *records, size_t n, size_t *ret_count,
		     struct sts_txt *ret_txt, struct diag_list *diags)
{
	struct sts_txt txt;
	int r;

	/* STS-TXT-04, STS-TXT-05: exactly one STSv1 record, and a valid one */
	r = tagvalue_discover(&sts_syntax, records, n, ret_count, parse_only, &txt, diags);
	if (r == 1 && ret_txt != NULL)
		*ret_txt = txt;
	return r;
}

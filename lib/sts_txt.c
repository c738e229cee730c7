/*
 * sts_txt.c - the MTA-STS TXT record; see sts_txt.h.
 *
 * RFC 8461 §3.1 grammar, in short:
 *   sts-record = "v=STSv1" 1*(sts-field-delim sts-field) [sts-field-delim]
 *   sts-field-delim = *WSP ";" *WSP; sts-field = sts-id / sts-extension
 * Fields cannot contain ";" or WSP-adjacent delimiters, so the parser cuts the record at every
 * ";" and trims WSP around each piece; a piece that then breaks the field grammar is judged on
 * its own, which lets a malformed extension be a WARN (D2) while a bad id is an ERROR.
 *
 * Diagnostics that cannot be stored set list->lost (lib/diag.h); the functions check it once
 * at the end and return -ENOMEM, so the individual diag_add() calls are deliberately unchecked.
 */
#include "lib/sts_txt.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define STS_VERSION     "v=STSv1"
#define STS_VERSION_LEN (sizeof(STS_VERSION) - 1)
/* RFC 8461 §3.2: extension names are at most 32 characters. */
#define EXT_NAME_MAX 32

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
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

/* sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable ASCII but "=", ";" and space */
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

/* Whether the record is a discovery candidate: "v=STSv1" *WSP ";" (STS-TXT-04 with D1). */
static bool is_candidate(const char *data, size_t len)
{
	size_t p = STS_VERSION_LEN;

	if (len < STS_VERSION_LEN || memcmp(data, STS_VERSION, STS_VERSION_LEN) != 0)
		return false;
	while (p < len && is_wsp(data[p]))
		p++;
	return p < len && data[p] == ';';
}

/* State of one record's parse. */
struct txt_state {
	struct diag_list *d;
	bool have_id;  /* an id field was seen (the first one counts, D7) */
	bool id_ok;    /* ... and it was well-formed */
	bool have_v;   /* a second "v=" was already reported */
	size_t fields; /* fields after the version */
	struct sts_txt txt;
};

/* One field between delimiters, already trimmed of WSP and not empty. */
static void parse_field(struct txt_state *st, const char *f, size_t len)
{
	char ex[DIAG_EXCERPT_SIZE];
	const char *eq = memchr(f, '=', len);
	size_t nlen = eq != NULL ? (size_t)(eq - f) : len;
	const char *val = eq != NULL ? eq + 1 : f + len;
	size_t vlen = eq != NULL ? len - nlen - 1 : 0;
	size_t i;

	st->fields++;
	if (eq != NULL && nlen == 2 && memcmp(f, "id", 2) == 0) {
		if (st->have_id) {
			/* STS-TXT-11: only the first occurrence counts */
			(void)diag_add(st->d, DIAG_WARN, false, "STS-TXT-11",
				       "duplicate id field \"%s\" ignored; the first one is used",
				       diag_excerpt(ex, sizeof(ex), f, len));
			return;
		}
		st->have_id = true;
		/* STS-TXT-08: sts-id-value = 1*32(ALPHA / DIGIT) */
		if (vlen == 0) {
			(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-08", "the id is empty");
			return;
		}
		if (vlen > STS_TXT_ID_MAX) {
			(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-08",
				       "the id \"%s\" has %zu characters; at most %d are allowed",
				       diag_excerpt(ex, sizeof(ex), val, vlen), vlen,
				       STS_TXT_ID_MAX);
			return;
		}
		for (i = 0; i < vlen; i++) {
			if (!is_alnum(val[i])) {
				(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-08",
					       "the id \"%s\" may only hold letters and digits",
					       diag_excerpt(ex, sizeof(ex), val, vlen));
				return;
			}
		}
		memcpy(st->txt.id, val, vlen);
		st->txt.id[vlen] = '\0';
		st->id_ok = true;
		return;
	}
	if (eq != NULL && nlen == 1 && f[0] == 'v') {
		if (!st->have_v)
			(void)diag_add(st->d, DIAG_WARN, false, "STS-TXT-11",
				       "a second version field \"%s\" is ignored",
				       diag_excerpt(ex, sizeof(ex), f, len));
		st->have_v = true;
		return;
	}
	/*
	 * STS-TXT-10: unknown fields are ignored when well-formed (the vectors report them as
	 * plain "ok"); a malformed one breaks the grammar but senders skip it (D2).
	 */
	if (eq == NULL || !ext_name_ok(f, nlen) || !ext_value_ok(val, vlen))
		(void)diag_add(
		    st->d, DIAG_WARN, true, "STS-TXT-10",
		    "malformed field \"%s\": expected name=value with a name of 1-32 "
		    "letters, digits, '_', '-', '.' and a non-empty value without spaces",
		    diag_excerpt(ex, sizeof(ex), f, len));
}

/* The grammar of one record; the verdict is read from the diagnostics afterwards. */
static void parse_record(struct txt_state *st, const char *data, size_t len)
{
	char ex[DIAG_EXCERPT_SIZE];
	size_t p, q, i;

	/* STS-TXT-02: US-ASCII without control characters (HTAB is WSP, so allowed) */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c > 0x7e || (c < 0x20 && c != '\t')) {
			(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-02",
				       "byte 0x%02x at position %zu: the record must be printable "
				       "US-ASCII",
				       c, i + 1);
			return;
		}
	}
	/* STS-TXT-06: the record begins with the case-sensitive version, nothing before it */
	if (len < STS_VERSION_LEN || memcmp(data, STS_VERSION, STS_VERSION_LEN) != 0) {
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-06",
			       "the record \"%s\" does not begin with \"v=STSv1\"",
			       diag_excerpt(ex, sizeof(ex), data, len));
		return;
	}
	p = STS_VERSION_LEN;
	q = p;
	while (q < len && is_wsp(data[q]))
		q++;
	if (q == len) {
		/* STS-TXT-07: at least one field follows the version */
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-07",
			       "no field follows the version");
		return;
	}
	if (data[q] != ';') {
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-07",
			       "\"v=STSv1\" is not followed by \";\" (\"%s\")",
			       diag_excerpt(ex, sizeof(ex), data, len));
		return;
	}
	/* D1 (erratum 6285): grammatical, but the literal discard rule wants "v=STSv1;" */
	if (q > p)
		(void)diag_add(st->d, DIAG_WARN, false, "STS-TXT-04",
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
			(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-07",
				       "empty field between two \";\" at position %zu", p + 1);
		else
			parse_field(st, data + p, fend - p);
		if (end == len) {
			/* D2: trailing WSP without a ";" after it is outside the ABNF */
			if (fend < end)
				(void)diag_add(st->d, DIAG_WARN, true, "STS-TXT-07",
					       "trailing whitespace after the last field; end the "
					       "record with the last field or with \";\"");
			break;
		}
		p = end + 1;
	}
	if (st->fields == 0)
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-07",
			       "no field follows the version");
	if (!st->have_id)
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-TXT-08", "the id field is missing");
}

int sts_txt_parse(const char *data, size_t len, struct sts_txt *ret_txt, struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct txt_state st = { 0 };
	bool lost_before;
	size_t from;
	int r;

	st.d = diags != NULL ? diags : &local;
	from = st.d->n;
	lost_before = st.d->lost;
	st.d->lost = false;
	parse_record(&st, data, len);
	if (st.d->lost)
		r = -ENOMEM;
	else if (diag_rejects(st.d, from) || !st.id_ok)
		r = -EINVAL;
	else
		r = 0;
	st.d->lost = st.d->lost || lost_before;
	if (r == 0 && ret_txt != NULL)
		*ret_txt = st.txt;
	diag_clear(&local);
	return r;
}

/*
 * A discarded record that was probably meant as the STSv1 record: the version in another case,
 * after leading whitespace, or without the ";" (vector sts-disc-005 warns about that one).
 */
static bool looks_like_sts(const char *data, size_t len)
{
	size_t p = 0;

	while (p < len && is_wsp(data[p]))
		p++;
	return len - p >= STS_VERSION_LEN &&
	       strncasecmp(data + p, STS_VERSION, STS_VERSION_LEN) == 0;
}

int sts_txt_discover(const struct txt_record *records, size_t n, size_t *ret_count,
		     struct sts_txt *ret_txt, struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct diag_list *d = diags != NULL ? diags : &local;
	const struct txt_record *only = NULL;
	char ex[DIAG_EXCERPT_SIZE];
	struct sts_txt txt;
	bool lost_before = d->lost;
	size_t count = 0, i;
	int r = 0;

	d->lost = false;
	for (i = 0; i < n; i++) {
		const struct txt_record *rec = &records[i];

		if (is_candidate(rec->data, rec->len)) {
			count++;
			only = rec;
		} else if (looks_like_sts(rec->data, rec->len)) {
			(void)diag_add(d, DIAG_WARN, false, "STS-TXT-04",
				       "TXT record \"%s\" is discarded: it does not begin with "
				       "\"v=STSv1;\"",
				       diag_excerpt(ex, sizeof(ex), rec->data, rec->len));
		}
	}
	/* STS-TXT-04: exactly one record must remain */
	if (count == 0) {
		(void)diag_add(d, DIAG_INFO, true, "STS-TXT-04",
			       "no TXT record begins with \"v=STSv1;\": no MTA-STS policy");
	} else if (count > 1) {
		(void)diag_add(d, DIAG_ERROR, true, "STS-TXT-04",
			       "%zu TXT records begin with \"v=STSv1;\": senders ignore MTA-STS "
			       "unless there is exactly one",
			       count);
	} else {
		if (only->has_nul)
			(void)diag_add(
			    d, DIAG_ERROR, true, "STS-TXT-02",
			    "the record holds a NUL byte: it must be printable US-ASCII");
		r = sts_txt_parse(only->data, only->len, &txt, d);
		if (r == 0 && only->has_nul)
			r = -EINVAL;
		if (r == -EINVAL) {
			/* STS-TXT-05: the only record is invalid, so there is no policy */
			(void)diag_add(d, DIAG_ERROR, true, "STS-TXT-05",
				       "the STSv1 record is invalid: senders treat the domain as "
				       "having no MTA-STS policy");
			r = 0;
		} else if (r == 0) {
			r = 1;
		}
	}
	if (d->lost)
		r = -ENOMEM;
	d->lost = d->lost || lost_before;
	if (r >= 0 && ret_count != NULL)
		*ret_count = count;
	if (r == 1 && ret_txt != NULL)
		*ret_txt = txt;
	diag_clear(&local);
	return r;
}

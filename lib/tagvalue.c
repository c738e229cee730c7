/*
 * tagvalue.c - the record grammar shared by the MTA-STS and TLS-RPT TXT records; see tagvalue.h.
 *
 * Fields cannot contain ";" (an ext-value excludes it, and RPT-TXT-06 makes a URI encode it), so
 * the tokeniser cuts the record at every ";" and trims WSP around each piece; a piece that then
 * breaks the field grammar is judged on its own by the caller, which lets a malformed extension
 * be a WARN (D2) while a bad id or rua is an ERROR.
 *
 * Diagnostics that cannot be stored set list->lost (lib/diag.h); tagvalue_parse() and
 * tagvalue_discover() check it once at their end, so the individual diag_add() calls are
 * deliberately unchecked.
 */
#include "lib/tagvalue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

enum tagvalue_head tagvalue_begin(struct tagvalue_iter *ret_iter, const char *data, size_t len,
				  const char *version)
{
	size_t vlen = strlen(version), q = vlen;

	/* STS-TXT-06, RPT-TXT-04: the case-sensitive version first, nothing before it */
	if (len < vlen || memcmp(data, version, vlen) != 0)
		return TAGVALUE_HEAD_NO_VERSION;
	while (q < len && is_wsp(data[q]))
		q++;
	/* STS-TXT-07: 1*(field-delim field), so a ";" must follow, WSP allowed before it */
	if (q == len)
		return TAGVALUE_HEAD_NO_FIELD;
	if (data[q] != ';')
		return TAGVALUE_HEAD_NO_DELIM;
	ret_iter->data = data;
	ret_iter->len = len;
	ret_iter->pos = q + 1;
	return q > vlen ? TAGVALUE_HEAD_WSP : TAGVALUE_HEAD_OK;
}

bool tagvalue_next(struct tagvalue_iter *iter, struct tagvalue_field *ret_field)
{
	const char *data = iter->data, *semi, *eq;
	size_t len = iter->len, p = iter->pos, end, fend;
	struct tagvalue_field f = { 0 };

	while (p < len && is_wsp(data[p]))
		p++;
	if (p == len) {
		/* [field-delim] at the end: the optional trailing ";" with its WSP */
		iter->pos = len;
		return false;
	}
	/*
	 * No field can hold a ";" (ext-value excludes it, a URI must encode it), so the next ";"
	 * ends this one. When it is right here, the field is empty (";;", STS-TXT-07) and its
	 * position is that of the ";", which is what the diagnostic reports.
	 */
	semi = memchr(data + p, ';', len - p);
	end = semi != NULL ? (size_t)(semi - data) : len;
	fend = end;
	while (fend > p && is_wsp(data[fend - 1]))
		fend--;
	f.pos = p;
	f.text = data + p;
	f.len = fend - p;
	/* name "=" value: the first "=" splits, so a value may hold more (judged by the caller) */
	eq = memchr(f.text, '=', f.len);
	f.name = f.text;
	f.name_len = eq != NULL ? (size_t)(eq - f.text) : f.len;
	if (eq != NULL) {
		f.value = eq + 1;
		f.value_len = f.len - f.name_len - 1;
	}
	/* D2: WSP is only allowed around a ";", so trailing WSP without one is outside the ABNF */
	f.trailing_wsp = end == len && fend < end;
	iter->pos = end == len ? len : end + 1;
	*ret_field = f;
	return true;
}

/* STS-TXT-10, RPT-TXT-08, STS-POL-10: the same ext-name in both RFCs and in the policy file */
bool tagvalue_ext_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > TAGVALUE_EXT_NAME_MAX || !is_alnum(s[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

bool tagvalue_ext_value_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* %x21-3A / %x3C / %x3E-7E: printable ASCII but space, "=" and ";" */
		if (c < 0x21 || c > 0x7e || c == '=' || c == ';')
			return false;
	}
	return true;
}

bool tagvalue_ext_ok(const struct tagvalue_field *field)
{
	return field->value != NULL && tagvalue_ext_name_ok(field->name, field->name_len) &&
	       tagvalue_ext_value_ok(field->value, field->value_len);
}

/*
 * The discard rule read with the grammar (D1): RFC 8461 §3.1 says "begin with v=STSv1;", but the
 * ABNF lets WSP stand before the ";", so such a record is kept (and warned about by the walk).
 */
bool tagvalue_is_candidate(const char *data, size_t len, const char *version)
{
	struct tagvalue_iter it;
	enum tagvalue_head h = tagvalue_begin(&it, data, len, version);

	return h == TAGVALUE_HEAD_OK || h == TAGVALUE_HEAD_WSP;
}

/* Report a broken head; returns whether the fields can be read. */
static bool head_ok(const struct tagvalue_syntax *syn, enum tagvalue_head h, const char *data,
		    size_t len, struct diag_list *d)
{
	char ex[DIAG_EXCERPT_SIZE];

	switch (h) {
	case TAGVALUE_HEAD_OK:
		return true;
	case TAGVALUE_HEAD_WSP:
		/* D1 (erratum 6285): grammatical, but the literal discard rule wants "v=...;" */
		(void)diag_add(d, DIAG_WARN, false, syn->req.discard,
			       "whitespace before \";\" after the version: some senders discard "
			       "this record");
		return true;
	case TAGVALUE_HEAD_NO_VERSION:
		(void)diag_add(d, DIAG_ERROR, true, syn->req.version,
			       "the record \"%s\" does not begin with \"%s\"",
			       diag_excerpt(ex, sizeof(ex), data, len), syn->version);
		return false;
	case TAGVALUE_HEAD_NO_FIELD:
		(void)diag_add(d, DIAG_ERROR, true, syn->req.no_field,
			       "no field follows the version%s", syn->hint.no_field);
		return false;
	case TAGVALUE_HEAD_NO_DELIM:
		(void)diag_add(d, DIAG_ERROR, true, syn->req.delim,
			       "\"%s\" is not followed by \";\" (\"%s\")", syn->version,
			       diag_excerpt(ex, sizeof(ex), data, len));
		return false;
	}
	return false;
}

int tagvalue_walk(const struct tagvalue_syntax *syntax, const char *data, size_t len,
		  tagvalue_field_fn on_field, void *ctx, struct diag_list *diags)
{
	struct tagvalue_iter it;
	struct tagvalue_field f;
	int fields = 0;

	if (!head_ok(syntax, tagvalue_begin(&it, data, len, syntax->version), data, len, diags))
		return -EINVAL;
	while (tagvalue_next(&it, &f)) {
		if (f.len == 0) {
			/* STS-TXT-07: a field-delim is one ";", so ";;" holds an empty field */
			(void)diag_add(diags, DIAG_ERROR, true, syntax->req.delim,
				       "empty field between two \";\" at position %zu", f.pos + 1);
		} else {
			on_field(ctx, &f);
			fields++;
		}
		if (f.trailing_wsp)
			(void)diag_add(diags, DIAG_WARN, true, syntax->req.delim,
				       "trailing whitespace after the last field%s",
				       syntax->hint.trailing);
	}
	return fields;
}

/*
 * A discarded record that was probably meant as one of ours: the version in another case, after
 * leading WSP, or without the ";" (vector sts-disc-005 warns about that one).
 */
static bool looks_like(const char *data, size_t len, const char *version)
{
	size_t vlen = strlen(version), p = 0;

	while (p < len && is_wsp(data[p]))
		p++;
	return len - p >= vlen && strncasecmp(data + p, version, vlen) == 0;
}

/*
 * lib/diag.h's optional list, as every parser handles it: the caller's list or one of our own,
 * where this call's diagnostics begin, and whether the list had lost one before (a lost
 * diagnostic of this call is told apart by clearing the flag, then restored).
 */
struct scope {
	struct diag_list *d;
	struct diag_list local;
	size_t from;
	bool lost_before;
};

static struct diag_list *scope_open(struct scope *s, struct diag_list *diags)
{
	s->local = (struct diag_list){ 0 };
	s->d = diags != NULL ? diags : &s->local;
	s->from = s->d->n;
	s->lost_before = s->d->lost;
	s->d->lost = false;
	return s->d;
}

/* Returns whether a diagnostic was lost since scope_open(). */
static bool scope_close(struct scope *s)
{
	bool lost = s->d->lost;

	s->d->lost = lost || s->lost_before;
	diag_clear(&s->local);
	return lost;
}

int tagvalue_parse(tagvalue_parse_fn parse, void *ctx, const char *data, size_t len,
		   struct diag_list *diags)
{
	struct scope s;
	struct diag_list *d = scope_open(&s, diags);
	int r = parse(ctx, data, len, d);

	/* lib/diag.h: a record is rejected when a diagnostic is both invalid and ERROR */
	if (r != -ENOMEM && diag_rejects(d, s.from))
		r = -EINVAL;
	/* a lost diagnostic might have been the rejecting one */
	if (scope_close(&s))
		r = -ENOMEM;
	return r;
}

/* The one remaining record: NUL bytes, its own grammar; returns 1, 0 or -ENOMEM. */
static int judge_only(const struct tagvalue_syntax *syn, const struct txt_record *rec,
		      tagvalue_parse_fn parse, void *ctx, struct diag_list *d)
{
	int r;

	/* STS-TXT-02: the gatherer keeps a record with a NUL byte up to it and says so */
	if (rec->has_nul)
		(void)diag_add(d, DIAG_ERROR, true, syn->req.nul, "the record holds a NUL byte%s",
			       syn->hint.nul);
	r = parse(ctx, rec->data, rec->len, d);
	if (r == 0 && rec->has_nul)
		r = -EINVAL;
	if (r == -EINVAL) {
		/* STS-TXT-05, RPT-TXT-02: the only record is invalid, so nothing applies */
		(void)diag_add(d, DIAG_ERROR, true, syn->req.invalid,
			       "the %s record is invalid: senders treat the domain as having no %s",
			       syn->version + 2, syn->absent);
		return 0;
	}
	return r == 0 ? 1 : r;
}

int tagvalue_discover(const struct tagvalue_syntax *syntax, const struct txt_record *records,
		      size_t n, size_t *ret_count, tagvalue_parse_fn parse, void *ctx,
		      struct diag_list *diags)
{
	const struct txt_record *only = NULL;
	char ex[DIAG_EXCERPT_SIZE];
	struct scope s;
	struct diag_list *d = scope_open(&s, diags);
	size_t count = 0, i;
	int r = 0;

	for (i = 0; i < n; i++) {
		const struct txt_record *rec = &records[i];

		if (tagvalue_is_candidate(rec->data, rec->len, syntax->version)) {
			count++;
			only = rec;
		} else if (looks_like(rec->data, rec->len, syntax->version)) {
			(void)diag_add(d, DIAG_WARN, false, syntax->req.discard,
				       "TXT record \"%s\" is discarded: it does not begin with "
				       "\"%s;\"",
				       diag_excerpt(ex, sizeof(ex), rec->data, rec->len),
				       syntax->version);
		}
	}
	/* STS-TXT-04, RPT-TXT-02: exactly one record must remain */
	if (count == 0)
		(void)diag_add(d, DIAG_INFO, true, syntax->req.discard,
			       "no TXT record begins with \"%s;\": no %s", syntax->version,
			       syntax->absent);
	else if (count > 1)
		(void)diag_add(d, DIAG_ERROR, true, syntax->req.discard,
			       "%zu TXT records begin with \"%s;\": senders ignore %s unless there "
			       "is exactly one",
			       count, syntax->version, syntax->protocol);
	else
		r = judge_only(syntax, only, parse, ctx, d);
	/* a lost diagnostic, ours or the parser's, makes the whole verdict unreliable */
	if (scope_close(&s))
		r = -ENOMEM;
	if (r >= 0 && ret_count != NULL)
		*ret_count = count;
	return r;
}

/* The list stays NULL-terminated after every call, so a caller may hand it out at any time. */
int tagvalue_values_add(char ***list, size_t *n, size_t *cap, const char *value, size_t len)
{
	char *copy;

	/* one slot more than the values, for the terminating NULL */
	if (*n + 1 >= *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		char **v = realloc(*list, c * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		*list = v;
		*cap = c;
	}
	copy = strndup(value, len);
	if (copy == NULL)
		return -ENOMEM;
	(*list)[(*n)++] = copy;
	(*list)[*n] = NULL;
	return 0;
}

char **tagvalue_values_free(char **list, size_t n)
{
	size_t i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return NULL;
}

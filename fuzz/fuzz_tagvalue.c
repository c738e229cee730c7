/*
 * fuzz_tagvalue.c - libFuzzer target for the record grammar shared by the MTA-STS and TLS-RPT
 * TXT records (lib/tagvalue.c).
 *
 * The input is read as a record under both versions, "v=STSv1" and "v=TLSRPTv1", then split at
 * LF bytes into an RRset for discovery. Properties checked beyond "no crash":
 *  - the fields lie inside the record, in order, trimmed of WSP and without ";"; what separates
 *    them is *WSP ";" *WSP (STS-TXT-07), an empty field sits on a ";", and trailing WSP is
 *    flagged exactly when the record ends in WSP without a ";";
 *  - name and value split at the first "=";
 *  - the extension checks agree with a plain reading of ext-name and ext-value (STS-TXT-10);
 *  - tagvalue_is_candidate() agrees with tagvalue_begin(), tagvalue_walk() hands out the same
 *    fields as the tokeniser and fails exactly on a broken head, every diagnostic carries one of
 *    the syntax's requirement IDs and a text without control characters;
 *  - tagvalue_parse() rejects exactly when an invalid ERROR was reported;
 *  - discovery counts the candidates and parses the record only when there is exactly one;
 *  - the values of every field, added to a list, come back in order and NULL-terminated.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tagvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest RRset built from one input; the rest of the input is one more record. */
#define MAX_RECORDS 16

/* The versions the input is read under. */
static const char *const versions[] = { "v=STSv1", "v=TLSRPTv1" };

/* A syntax for a version, with an ID of its own for every rule (check_diags() knows them). */
static struct tagvalue_syntax words(const char *version)
{
	return (struct tagvalue_syntax){
		.version = version,
		.protocol = "FUZZ",
		.absent = "FUZZ policy",
		.req = { "FUZZ-DISCARD", "FUZZ-INVALID", "FUZZ-NUL", "FUZZ-VERSION", "FUZZ-DELIM",
			 "FUZZ-NO-FIELD" },
		.hint = { "", ": hint", "" },
	};
}

static bool wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether s[from, to) is *WSP, with exactly n_semi ";" among the WSP (0 or 1). */
static bool gap_is(const char *s, size_t from, size_t to, int n_semi)
{
	int semis = 0;

	for (; from < to; from++) {
		if (s[from] == ';')
			semis++;
		else if (!wsp(s[from]))
			return false;
	}
	return semis == n_semi;
}

/* The fields of one record, checked against the grammar; returns how many are non-empty. */
static size_t tokenise(const char *buf, size_t size, const char *version)
{
	struct tagvalue_iter it;
	struct tagvalue_field f, last = { 0 };
	enum tagvalue_head h = tagvalue_begin(&it, buf, size, version);
	size_t vlen = strlen(version), prev, fields = 0, n = 0;
	bool end_ok;

	if (tagvalue_is_candidate(buf, size, version) !=
	    (h == TAGVALUE_HEAD_OK || h == TAGVALUE_HEAD_WSP))
		abort();
	if (h != TAGVALUE_HEAD_OK && h != TAGVALUE_HEAD_WSP)
		return 0;
	/* the head: the version, *WSP, ";" */
	if (memcmp(buf, version, vlen) != 0 || it.pos <= vlen || buf[it.pos - 1] != ';' ||
	    !gap_is(buf, vlen, it.pos - 1, 0) || (h == TAGVALUE_HEAD_WSP) != (it.pos - 1 > vlen))
		abort();
	prev = it.pos;
	while (tagvalue_next(&it, &f)) {
		/* in order, inside the record, separated by *WSP ";" *WSP (only WSP before the
		 * first: the head took its ";") */
		if (last.trailing_wsp || f.pos < prev || f.pos + f.len > size ||
		    f.text != buf + f.pos || !gap_is(buf, prev, f.pos, n == 0 ? 0 : 1))
			abort();
		if (f.len == 0 && buf[f.pos] != ';')
			abort();
		if (f.len > 0 && (wsp(f.text[0]) || wsp(f.text[f.len - 1])))
			abort();
		/* name "=" value, split at the first "=" */
		if (memchr(f.text, ';', f.len) != NULL || f.name != f.text || f.name_len > f.len ||
		    memchr(f.name, '=', f.name_len) != NULL)
			abort();
		if (f.value != NULL &&
		    (f.name_len == f.len || f.text[f.name_len] != '=' ||
		     f.value != f.text + f.name_len + 1 || f.value_len != f.len - f.name_len - 1))
			abort();
		if (f.value == NULL && (f.name_len != f.len || f.value_len != 0))
			abort();
		fields += f.len > 0;
		prev = f.pos + f.len;
		last = f;
		n++;
	}
	/* the end: only WSP after the head; WSP flagged on the last field; or the optional
	 * trailing delimiter */
	if (n == 0)
		end_ok = gap_is(buf, prev, size, 0);
	else if (last.trailing_wsp)
		end_ok = prev < size && gap_is(buf, prev, size, 0);
	else
		end_ok = prev == size || gap_is(buf, prev, size, 1);
	if (!end_ok || tagvalue_next(&it, &f))
		abort();
	return fields;
}

/* A plain reading of ext-name and ext-value, to compare with the module's. */
static void extension(const char *s, size_t len)
{
	bool name = len >= 1 && len <= TAGVALUE_EXT_NAME_MAX && alnum(s[0]);
	bool value = len >= 1;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i > 0 && !alnum(s[i]) && c != '_' && c != '-' && c != '.')
			name = false;
		if (c <= ' ' || c >= 0x7f || c == '=' || c == ';')
			value = false;
	}
	if (tagvalue_ext_name_ok(s, len) != name || tagvalue_ext_value_ok(s, len) != value)
		abort();
}

/* Every diagnostic names one of the syntax's rules and is one line of text. */
static void check_diags(const struct tagvalue_syntax *syn, const struct diag_list *d)
{
	const char *ids[] = { syn->req.discard, syn->req.invalid, syn->req.nul,
			      syn->req.version, syn->req.delim,   syn->req.no_field };
	size_t i, k;
	const char *c;

	for (i = 0; i < d->n; i++) {
		for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
			if (d->v[i].req == ids[k])
				break;
		if (k == sizeof(ids) / sizeof(ids[0]) || d->v[i].text[0] == '\0')
			abort();
		for (c = d->v[i].text; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
	}
}

/* What a walk saw: the fields, and copies of their values. */
struct walk_state {
	const struct tagvalue_syntax *syn;
	size_t fields;
	char **values;
	size_t n, cap;
	bool nomem;
};

/* tagvalue_field_fn */
static void on_field(void *ctx, const struct tagvalue_field *f)
{
	struct walk_state *ws = ctx;

	if (f->len == 0)
		abort();
	ws->fields++;
	if (f->value != NULL &&
	    tagvalue_values_add(&ws->values, &ws->n, &ws->cap, f->value, f->value_len) < 0)
		ws->nomem = true;
}

/* tagvalue_parse_fn: the shared grammar alone. */
static int parse_walk(void *ctx, const char *buf, size_t size, struct diag_list *d)
{
	struct walk_state *ws = ctx;

	return tagvalue_walk(ws->syn, buf, size, on_field, ws, d) < 0 ? -EINVAL : 0;
}

/* tagvalue_walk() against the tokeniser; the values against the fields. */
static void walk(const struct tagvalue_syntax *syn, const char *buf, size_t size, size_t fields)
{
	struct walk_state ws = { .syn = syn };
	struct diag_list d = { 0 };
	struct tagvalue_iter it;
	struct tagvalue_field f;
	enum tagvalue_head h = tagvalue_begin(&it, buf, size, syn->version);
	int r = tagvalue_walk(syn, buf, size, on_field, &ws, &d);
	size_t k = 0;

	if ((r < 0) != (h != TAGVALUE_HEAD_OK && h != TAGVALUE_HEAD_WSP))
		abort();
	if (r >= 0 && ((size_t)r != fields || ws.fields != fields))
		abort();
	if (!d.lost)
		check_diags(syn, &d);
	if (r >= 0 && !ws.nomem) {
		if (ws.values != NULL && ws.values[ws.n] != NULL)
			abort();
		/* each value copied up to its first NUL, in order */
		while (tagvalue_next(&it, &f)) {
			if (f.len == 0 || f.value == NULL)
				continue;
			if (k >= ws.n || strlen(ws.values[k]) != strnlen(f.value, f.value_len) ||
			    memcmp(ws.values[k], f.value, strlen(ws.values[k])) != 0)
				abort();
			k++;
		}
		if (k != ws.n)
			abort();
	}
	(void)tagvalue_values_free(ws.values, ws.n);
	diag_clear(&d);
}

/* tagvalue_parse(): rejected exactly when an invalid ERROR was reported; the same without a
 * list. */
static void parse(const struct tagvalue_syntax *syn, const char *buf, size_t size)
{
	struct walk_state a = { .syn = syn }, b = { .syn = syn };
	struct diag_list d = { 0 };
	int r1 = tagvalue_parse(parse_walk, &a, buf, size, &d);
	int r2 = tagvalue_parse(parse_walk, &b, buf, size, NULL);

	if (r1 != 0 && r1 != -EINVAL && r1 != -ENOMEM)
		abort();
	if (r1 != -ENOMEM && ((r1 == 0) == diag_rejects(&d, 0) || (r2 != r1 && r2 != -ENOMEM)))
		abort();
	(void)tagvalue_values_free(a.values, a.n);
	(void)tagvalue_values_free(b.values, b.n);
	diag_clear(&d);
}

/* Discovery over the input cut at LF into up to MAX_RECORDS records (the last one takes the
 * rest): the count, and a parse only for exactly one. */
static void discover(const struct tagvalue_syntax *syn, const char *buf, size_t size)
{
	struct txt_record recs[MAX_RECORDS];
	struct walk_state ws = { .syn = syn };
	struct diag_list d = { 0 };
	size_t n = 0, start = 0, count = 0, kept = 0, i;
	int r;

	for (i = 0; i <= size; i++) {
		if (i < size && (buf[i] != '\n' || n + 1 == MAX_RECORDS))
			continue;
		recs[n] = (struct txt_record){
			.data = (char *)buf + start,
			.len = i - start,
			.n_strings = 1,
			.has_nul = memchr(buf + start, '\0', i - start) != NULL,
		};
		kept += tagvalue_is_candidate(recs[n].data, recs[n].len, syn->version);
		n++;
		start = i + 1;
	}
	r = tagvalue_discover(syn, recs, n, &count, parse_walk, &ws, &d);
	if (r != -ENOMEM) {
		if ((r != 0 && r != 1) || count != kept || (r == 1 && kept != 1))
			abort();
		/* nothing applies always comes with a reason */
		if (r == 0 && diag_worst(&d, 0) == DIAG_OK)
			abort();
		if (kept != 1 && ws.fields != 0)
			abort();
		check_diags(syn, &d);
	}
	(void)tagvalue_values_free(ws.values, ws.n);
	diag_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t i;

	extension(buf, size);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct tagvalue_syntax syn = words(versions[i]);
		size_t fields = tokenise(buf, size, syn.version);

		walk(&syn, buf, size, fields);
		parse(&syn, buf, size);
		discover(&syn, buf, size);
	}
	return 0;
}

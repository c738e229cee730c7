/*
 * test_tagvalue.c - the record grammar shared by the MTA-STS and TLS-RPT TXT records
 * (lib/tagvalue.c): the tokeniser and its delimiter verdicts, the extension syntax, the discovery
 * filter, and the diagnostics reported in a protocol's words. The parsers built on it are tested
 * against the vectors in test_sts_txt.c and test_rpt_txt.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/tagvalue.h"

/* Room for the rendering of a record's fields. */
#define RENDER_SIZE 256

/*
 * The fields of a record as "pos:text" joined by "|", "~" after a field followed by trailing
 * WSP; an empty field is "pos:". Returns the head verdict.
 */
static enum tagvalue_head render_fields(const char *version, const char *in, size_t len, char *buf,
					size_t size)
{
	struct tagvalue_iter it;
	struct tagvalue_field f;
	enum tagvalue_head h = tagvalue_begin(&it, in, len, version);
	size_t used = 0;
	int n;

	buf[0] = '\0';
	if (h != TAGVALUE_HEAD_OK && h != TAGVALUE_HEAD_WSP)
		return h;
	while (tagvalue_next(&it, &f)) {
		/* a field lies inside the record and is trimmed of WSP */
		assert_true(f.pos + f.len <= len);
		assert_ptr_equal(f.text, in + f.pos);
		if (f.len > 0) {
			assert_true(f.text[0] != ' ' && f.text[0] != '\t');
			assert_true(f.text[f.len - 1] != ' ' && f.text[f.len - 1] != '\t');
		}
		assert_null(memchr(f.text, ';', f.len));
		n = snprintf(buf + used, size - used, "%s%zu:%.*s%s", used > 0 ? "|" : "", f.pos,
			     (int)f.len, f.text, f.trailing_wsp ? "~" : "");
		assert_true(n > 0 && (size_t)n < size - used);
		used += (size_t)n;
	}
	/* the end stays the end */
	assert_false(tagvalue_next(&it, &f));
	return h;
}

struct token_case {
	const char *req;     /* the rule the case exercises */
	const char *version; /* the protocol's version literal */
	const char *input;
	enum tagvalue_head head;
	const char *fields; /* as render_fields() writes them */
};

/* covers: STS-TXT-04, STS-TXT-06, STS-TXT-07, RPT-TXT-02, RPT-TXT-04: the tokeniser */
static void test_STS_TXT_07_tokeniser(void **state)
{
	static const struct token_case cases[] = {
		{ "STS-TXT-07", "v=STSv1", "v=STSv1; id=abc", TAGVALUE_HEAD_OK, "9:id=abc" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1;id=abc;", TAGVALUE_HEAD_OK, "8:id=abc" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1; id=abc ; ", TAGVALUE_HEAD_OK, "9:id=abc" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1; id=abc ", TAGVALUE_HEAD_OK, "9:id=abc~" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1; id=abc\t", TAGVALUE_HEAD_OK, "9:id=abc~" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1; id=abc;; x=1", TAGVALUE_HEAD_OK,
		  "9:id=abc|16:|18:x=1" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1; ;", TAGVALUE_HEAD_OK, "9:" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1;", TAGVALUE_HEAD_OK, "" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1;\t", TAGVALUE_HEAD_OK, "" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1; a b ;c", TAGVALUE_HEAD_OK, "9:a b|14:c" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1", TAGVALUE_HEAD_NO_FIELD, "" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1 \t", TAGVALUE_HEAD_NO_FIELD, "" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv10; id=abc", TAGVALUE_HEAD_NO_DELIM, "" },
		{ "STS-TXT-07", "v=STSv1", "v=STSv1 id=abc", TAGVALUE_HEAD_NO_DELIM, "" },
		{ "STS-TXT-04", "v=STSv1", "v=STSv1 ; id=abc", TAGVALUE_HEAD_WSP, "10:id=abc" },
		{ "STS-TXT-04", "v=STSv1", "v=STSv1\t;\tid=abc\t;\t", TAGVALUE_HEAD_WSP,
		  "10:id=abc" },
		{ "STS-TXT-06", "v=STSv1", "V=STSv1; id=abc", TAGVALUE_HEAD_NO_VERSION, "" },
		{ "STS-TXT-06", "v=STSv1", " v=STSv1; id=abc", TAGVALUE_HEAD_NO_VERSION, "" },
		{ "STS-TXT-06", "v=STSv1", "v=STS", TAGVALUE_HEAD_NO_VERSION, "" },
		{ "STS-TXT-06", "v=STSv1", "", TAGVALUE_HEAD_NO_VERSION, "" },
		{ "RPT-TXT-04", "v=TLSRPTv1", "v=TLSRPTv1; rua=mailto:a@example.com",
		  TAGVALUE_HEAD_OK, "12:rua=mailto:a@example.com" },
		{ "RPT-TXT-04", "v=TLSRPTv1", "v=TLSRPTv1;rua=a ,b ; x = y", TAGVALUE_HEAD_OK,
		  "11:rua=a ,b|22:x = y" },
		{ "RPT-TXT-04", "v=TLSRPTv1", "v=STSv1; id=abc", TAGVALUE_HEAD_NO_VERSION, "" },
		{ "RPT-TXT-04", "v=TLSRPTv1", "v=TLSRPTv1", TAGVALUE_HEAD_NO_FIELD, "" },
		{ "RPT-TXT-02", "v=TLSRPTv1", "v=TLSRPTv1 ;rua=x", TAGVALUE_HEAD_WSP, "12:rua=x" },
	};
	char got[RENDER_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct token_case *c = &cases[i];
		enum tagvalue_head h =
		    render_fields(c->version, c->input, strlen(c->input), got, sizeof(got));

		if (h != c->head || strcmp(got, c->fields) != 0)
			fail_msg("case %zu (%s) \"%s\": expected head %d, fields \"%s\", got head "
				 "%d, fields \"%s\"",
				 i, c->req, c->input, c->head, c->fields, h, got);
	}
}

/* covers: STS-TXT-02, STS-TXT-03: the joined record is read by its length, not as a C string
 * (a NUL byte is just a byte to the tokeniser) */
static void test_STS_TXT_07_length_bound(void **state)
{
	static const char rec[] = "v=STSv1; id=a\0b; x=1";
	char got[RENDER_SIZE];

	(void)state;
	assert_int_equal(render_fields("v=STSv1", rec, sizeof(rec) - 1, got, sizeof(got)),
			 TAGVALUE_HEAD_OK);
	assert_int_equal(strncmp(got, "9:id=a", 6), 0);
	assert_int_equal(render_fields("v=STSv1", rec, 13, got, sizeof(got)), TAGVALUE_HEAD_OK);
	assert_string_equal(got, "9:id=a");
	assert_int_equal(render_fields("v=STSv1", rec, 7, got, sizeof(got)),
			 TAGVALUE_HEAD_NO_FIELD);
	assert_int_equal(render_fields("v=STSv1", rec, 6, got, sizeof(got)),
			 TAGVALUE_HEAD_NO_VERSION);
}

struct split_case {
	const char *field;
	const char *name;
	const char *value; /* NULL: no "=" */
};

/* covers: STS-TXT-10, RPT-TXT-08: name "=" value, split at the first "=" */
static void test_STS_TXT_10_name_value(void **state)
{
	static const struct split_case cases[] = {
		{ "id=abc", "id", "abc" }, { "foo", "foo", NULL },  { "=x", "", "x" },
		{ "a=", "a", "" },         { "a=b=c", "a", "b=c" }, { "rua = x", "rua ", " x" },
	};
	char rec[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct split_case *c = &cases[i];
		struct tagvalue_iter it;
		struct tagvalue_field f;
		int n = snprintf(rec, sizeof(rec), "v=X; %s", c->field);

		assert_true(n > 0 && (size_t)n < sizeof(rec));
		assert_int_equal(tagvalue_begin(&it, rec, (size_t)n, "v=X"), TAGVALUE_HEAD_OK);
		assert_true(tagvalue_next(&it, &f));
		assert_int_equal(f.name_len, strlen(c->name));
		assert_memory_equal(f.name, c->name, f.name_len);
		if (c->value == NULL) {
			assert_null(f.value);
			assert_int_equal(f.value_len, 0);
		} else {
			assert_non_null(f.value);
			assert_int_equal(f.value_len, strlen(c->value));
			assert_memory_equal(f.value, c->value, f.value_len);
		}
		assert_false(tagvalue_next(&it, &f));
	}
}

struct ext_case {
	const char *name;
	const char *value;
	bool name_ok;
	bool value_ok;
};

/* covers: STS-TXT-10, RPT-TXT-08, STS-POL-10: ext-name and the TXT records' ext-value */
static void test_STS_TXT_10_extension_syntax(void **state)
{
	static const struct ext_case cases[] = {
		{ "a", "1", true, true },
		{ "x_y-z.1", "!:<>~", true, true },
		{ "0abc", "a/b?c", true, true },
		{ "aaaaaaaaaabbbbbbbbbbccccccccccdd", "x", true, true },
		{ "aaaaaaaaaabbbbbbbbbbccccccccccddd", "x", false, true },
		{ "_x", "a b", false, false },
		{ "-a", "a=b", false, false },
		{ ".a", "a;b", false, false },
		{ "", "", false, false },
		{ "a b", "\x7f", false, false },
		{ "a=", "\x80", false, false },
		{ "\xc3\xa9", "\xc3\xa9", false, false },
		{ "a\tb", "a\tb", false, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ext_case *c = &cases[i];

		if (tagvalue_ext_name_ok(c->name, strlen(c->name)) != c->name_ok ||
		    tagvalue_ext_value_ok(c->value, strlen(c->value)) != c->value_ok)
			fail_msg("case %zu: name \"%s\" (want %s), value \"%s\" (want %s)", i,
				 c->name, c->name_ok ? "ok" : "bad", c->value,
				 c->value_ok ? "ok" : "bad");
	}
}

/* covers: STS-TXT-10, RPT-TXT-08: a field is an extension only as name "=" value, both well-formed */
static void test_RPT_TXT_08_extension_fields(void **state)
{
	static const struct {
		const char *field;
		bool ok;
	} cases[] = {
		{ "foo=bar", true }, { "foo", false },   { "foo=", false },
		{ "=bar", false },   { "a=b=c", false }, { "a.b-c_d=%20", true },
	};
	char rec[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tagvalue_iter it;
		struct tagvalue_field f;
		int n = snprintf(rec, sizeof(rec), "v=X;%s", cases[i].field);

		assert_true(n > 0 && (size_t)n < sizeof(rec));
		assert_int_equal(tagvalue_begin(&it, rec, (size_t)n, "v=X"), TAGVALUE_HEAD_OK);
		assert_true(tagvalue_next(&it, &f));
		if (tagvalue_ext_ok(&f) != cases[i].ok)
			fail_msg("case %zu \"%s\": expected %s", i, cases[i].field,
				 cases[i].ok ? "an extension" : "malformed");
	}
}

/* covers: STS-TXT-04, RPT-TXT-02 (with D1): the discovery filter */
static void test_STS_TXT_04_candidates(void **state)
{
	static const struct {
		const char *version;
		const char *record;
		bool kept;
	} cases[] = {
		{ "v=STSv1", "v=STSv1;", true },
		{ "v=STSv1", "v=STSv1; id=abc", true },
		{ "v=STSv1", "v=STSv1 \t; id=abc", true },
		{ "v=STSv1", "v=STSv1", false },
		{ "v=STSv1", "v=STSv1 ", false },
		{ "v=STSv1", "v=STSv1 id=abc", false },
		{ "v=STSv1", "v=STSv10;", false },
		{ "v=STSv1", "V=STSv1;", false },
		{ "v=STSv1", " v=STSv1;", false },
		{ "v=STSv1", "v=TLSRPTv1;", false },
		{ "v=TLSRPTv1", "v=TLSRPTv1;rua=mailto:a@example.com", true },
		{ "v=TLSRPTv1", "v=TLSRPTv1 ;", true },
		{ "v=TLSRPTv1", "v=tlsrptv1;", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (tagvalue_is_candidate(cases[i].record, strlen(cases[i].record),
					  cases[i].version) != cases[i].kept)
			fail_msg("case %zu \"%s\": expected %s", i, cases[i].record,
				 cases[i].kept ? "kept" : "discarded");
}

/* A protocol for the tests, with a requirement ID of its own for every rule. */
static const struct tagvalue_syntax test_syntax = {
	.version = "v=X1",
	.protocol = "X",
	.absent = "X policy",
	.req = {
		.discard = "TEST-DISCARD",
		.invalid = "TEST-INVALID",
		.nul = "TEST-NUL",
		.version = "TEST-VERSION",
		.delim = "TEST-DELIM",
		.no_field = "TEST-NO-FIELD",
	},
	.hint = {
		.no_field = " (no-field hint)",
		.nul = " (nul hint)",
		.trailing = " (trailing hint)",
	},
};

/* The diagnostics from index from on as "level:req" joined by " ". */
static void render_diags(const struct diag_list *d, size_t from, char *buf, size_t size)
{
	size_t i, used = 0;
	int n;

	buf[0] = '\0';
	for (i = from; i < d->n; i++) {
		n = snprintf(buf + used, size - used, "%s%s%s:%s", used > 0 ? " " : "",
			     d->v[i].invalid ? "!" : "", diag_level_name(d->v[i].level),
			     d->v[i].req);
		assert_true(n > 0 && (size_t)n < size - used);
		used += (size_t)n;
	}
}

/* tagvalue_field_fn for the tests: the names of the fields, joined by ",". */
static void collect_name(void *ctx, const struct tagvalue_field *f)
{
	char *names = ctx;
	size_t used = strlen(names);
	int n = snprintf(names + used, RENDER_SIZE - used, "%s%.*s", used > 0 ? "," : "",
			 (int)f->name_len, f->name);

	assert_true(n >= 0 && (size_t)n < RENDER_SIZE - used);
	assert_true(f->len > 0);
}

struct walk_case {
	const char *req;
	const char *input;
	int want_r;
	const char *want_diags; /* as render_diags() writes them, "!" for invalid */
	const char *want_names;
};

/* covers: STS-TXT-04, STS-TXT-06, STS-TXT-07, RPT-TXT-04, RPT-TXT-05: the faults of the shared
 * grammar, worded by the protocol */
static void test_STS_TXT_07_walk_diagnostics(void **state)
{
	static const struct walk_case cases[] = {
		{ "STS-TXT-07", "v=X1; a=1; b=2", 2, "", "a,b" },
		{ "STS-TXT-07", "v=X1;", 0, "", "" },
		{ "STS-TXT-07", "v=X1; a=1;; b", 2, "!error:TEST-DELIM", "a,b" },
		{ "STS-TXT-07", "v=X1; a=1 ", 1, "!warn:TEST-DELIM", "a" },
		{ "STS-TXT-07", "v=X1;;a ", 1, "!error:TEST-DELIM !warn:TEST-DELIM", "a" },
		{ "STS-TXT-07", "v=X1", -EINVAL, "!error:TEST-NO-FIELD", "" },
		{ "STS-TXT-07", "v=X1 a=1", -EINVAL, "!error:TEST-DELIM", "" },
		{ "STS-TXT-06", "v=X2; a=1", -EINVAL, "!error:TEST-VERSION", "" },
		{ "STS-TXT-04", "v=X1 ; a", 1, "warn:TEST-DISCARD", "a" },
		{ "RPT-TXT-05", "v=X1 \t", -EINVAL, "!error:TEST-NO-FIELD", "" },
	};
	char got[RENDER_SIZE], names[RENDER_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct walk_case *c = &cases[i];
		struct diag_list d = { 0 };
		int r;

		names[0] = '\0';
		r = tagvalue_walk(&test_syntax, c->input, strlen(c->input), collect_name, names,
				  &d);
		render_diags(&d, 0, got, sizeof(got));
		if (r != c->want_r || strcmp(got, c->want_diags) != 0 ||
		    strcmp(names, c->want_names) != 0)
			fail_msg(
			    "case %zu (%s) \"%s\": expected %d \"%s\" [%s], got %d \"%s\" [%s]", i,
			    c->req, c->input, c->want_r, c->want_diags, c->want_names, r, got,
			    names);
		diag_clear(&d);
	}
}

/* The protocol's words reach the texts: version, hints. */
static void test_STS_TXT_07_walk_texts(void **state)
{
	struct diag_list d = { 0 };
	char names[RENDER_SIZE] = "";

	(void)state;
	assert_int_equal(tagvalue_walk(&test_syntax, "v=X1", 4, collect_name, names, &d), -EINVAL);
	assert_string_equal(d.v[0].text, "no field follows the version (no-field hint)");
	assert_int_equal(tagvalue_walk(&test_syntax, "v=X1; a ", 8, collect_name, names, &d), 1);
	assert_string_equal(d.v[1].text,
			    "trailing whitespace after the last field (trailing hint)");
	assert_int_equal(tagvalue_walk(&test_syntax, "v=X1x", 5, collect_name, names, &d), -EINVAL);
	assert_string_equal(d.v[2].text, "\"v=X1\" is not followed by \";\" (\"v=X1x\")");
	assert_int_equal(tagvalue_walk(&test_syntax, "x\n", 2, collect_name, names, &d), -EINVAL);
	assert_string_equal(d.v[3].text, "the record \"x\\x0a\" does not begin with \"v=X1\"");
	assert_int_equal(d.n, 4);
	diag_clear(&d);
}

/* A record parser for the tests (tagvalue_parse_fn): ctx is a struct fake_parse. */
struct fake_parse {
	int calls;
	int result;            /* what the parser returns */
	enum diag_level level; /* a diagnostic it adds, or DIAG_OK for none */
	bool invalid;
	char seen[RENDER_SIZE]; /* the last record it was given */
};

static int fake_parser(void *ctx, const char *data, size_t len, struct diag_list *diags)
{
	struct fake_parse *fp = ctx;

	assert_non_null(diags);
	fp->calls++;
	assert_true(len < sizeof(fp->seen));
	memcpy(fp->seen, data, len);
	fp->seen[len] = '\0';
	if (fp->level != DIAG_OK)
		assert_int_equal(diag_add(diags, fp->level, fp->invalid, "TEST-FIELD", "a fault"),
				 0);
	return fp->result;
}

/* covers: STS-TXT-05, RPT-TXT-02 (the verdict): rejected on an invalid ERROR, a lost
 * diagnostic is -ENOMEM, an earlier lost flag survives */
static void test_STS_TXT_05_parse_verdict(void **state)
{
	struct fake_parse fp = { 0 };
	struct diag_list d = { 0 };

	(void)state;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, NULL), 0);
	assert_string_equal(fp.seen, "abc");
	fp.level = DIAG_WARN;
	fp.invalid = true;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, &d), 0);
	fp.level = DIAG_ERROR;
	fp.invalid = false;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, &d), 0);
	fp.invalid = true;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, &d), -EINVAL);
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, NULL), -EINVAL);
	/* only this call's diagnostics count */
	fp.level = DIAG_OK;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, &d), 0);
	fp.result = -EINVAL;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, &d), -EINVAL);
	fp.result = -ENOMEM;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, &d), -ENOMEM);
	/* a list that had lost a diagnostic before: not this call's fault, and still marked */
	fp.result = 0;
	d.lost = true;
	assert_int_equal(tagvalue_parse(fake_parser, &fp, "abc", 3, &d), 0);
	assert_true(d.lost);
	assert_int_equal(fp.calls, 9);
	assert_int_equal(d.n, 3);
	diag_clear(&d);
}

/* covers: STS-TXT-04, STS-TXT-05, RPT-TXT-02: discovery over an RRset */
static void test_STS_TXT_04_discover(void **state)
{
	struct txt_record recs[4] = {
		{ .data = "v=spf1 -all", .len = 11 },
		{ .data = "v=X1; a=1", .len = 9 },
		{ .data = "V=x1; b=2", .len = 9 },
		{ .data = "v=X1 ;c=3", .len = 9 },
	};
	struct fake_parse fp = { 0 };
	struct diag_list d = { 0 };
	char got[RENDER_SIZE];
	size_t count = 99;

	(void)state;
	/* one kept, one look-alike (WARN, valid), one unrelated: the kept one is parsed */
	assert_int_equal(tagvalue_discover(&test_syntax, recs, 3, &count, fake_parser, &fp, &d), 1);
	assert_int_equal(count, 1);
	assert_int_equal(fp.calls, 1);
	assert_string_equal(fp.seen, "v=X1; a=1");
	render_diags(&d, 0, got, sizeof(got));
	assert_string_equal(got, "warn:TEST-DISCARD");
	assert_string_equal(
	    d.v[0].text, "TXT record \"V=x1; b=2\" is discarded: it does not begin with \"v=X1;\"");
	diag_clear(&d);

	/* two kept (D1 keeps WSP before ";"): nothing applies, the parser is not called */
	assert_int_equal(tagvalue_discover(&test_syntax, recs, 4, &count, fake_parser, &fp, &d), 0);
	assert_int_equal(count, 2);
	assert_int_equal(fp.calls, 1);
	render_diags(&d, 0, got, sizeof(got));
	assert_string_equal(got, "warn:TEST-DISCARD !error:TEST-DISCARD");
	assert_string_equal(d.v[1].text, "2 TXT records begin with \"v=X1;\": senders ignore X "
					 "unless there is exactly one");
	diag_clear(&d);

	/* none kept: INFO, invalid */
	assert_int_equal(tagvalue_discover(&test_syntax, recs, 1, &count, fake_parser, &fp, &d), 0);
	assert_int_equal(count, 0);
	render_diags(&d, 0, got, sizeof(got));
	assert_string_equal(got, "!info:TEST-DISCARD");
	assert_string_equal(d.v[0].text, "no TXT record begins with \"v=X1;\": no X policy");
	diag_clear(&d);

	/* the one record is rejected by its parser */
	fp.result = -EINVAL;
	assert_int_equal(tagvalue_discover(&test_syntax, recs + 1, 1, &count, fake_parser, &fp, &d),
			 0);
	assert_int_equal(count, 1);
	render_diags(&d, 0, got, sizeof(got));
	assert_string_equal(got, "!error:TEST-INVALID");
	assert_string_equal(
	    d.v[0].text,
	    "the X1 record is invalid: senders treat the domain as having no X policy");
	diag_clear(&d);

	/* accepted by its parser, but it held a NUL byte */
	fp.result = 0;
	recs[1].has_nul = true;
	assert_int_equal(tagvalue_discover(&test_syntax, recs + 1, 1, &count, fake_parser, &fp, &d),
			 0);
	render_diags(&d, 0, got, sizeof(got));
	assert_string_equal(got, "!error:TEST-NUL !error:TEST-INVALID");
	assert_string_equal(d.v[0].text, "the record holds a NUL byte (nul hint)");
	diag_clear(&d);
	recs[1].has_nul = false;

	/* the parser's own diagnostics come between */
	fp.level = DIAG_WARN;
	assert_int_equal(tagvalue_discover(&test_syntax, recs + 1, 1, &count, fake_parser, &fp, &d),
			 1);
	render_diags(&d, 0, got, sizeof(got));
	assert_string_equal(got, "warn:TEST-FIELD");
	diag_clear(&d);

	/* memory exhaustion in the parser: no count */
	fp.result = -ENOMEM;
	count = 99;
	assert_int_equal(tagvalue_discover(&test_syntax, recs + 1, 1, &count, fake_parser, &fp, &d),
			 -ENOMEM);
	assert_int_equal(count, 99);
	diag_clear(&d);

	/* an empty RRset without any optional output */
	assert_int_equal(tagvalue_discover(&test_syntax, NULL, 0, NULL, fake_parser, &fp, NULL), 0);
}

/* covers: RPT-TXT-09, STS-POL-11: the values of a repeated field accumulate in order */
static void test_RPT_TXT_09_values(void **state)
{
	char **list = NULL, want[32];
	size_t n = 0, cap = 0, i;

	(void)state;
	for (i = 0; i < 40; i++) {
		int len = snprintf(want, sizeof(want), "v%zuXYZ", i);

		assert_true(len > 3);
		/* only the first len - 3 bytes are copied, and the copy is terminated */
		assert_int_equal(tagvalue_values_add(&list, &n, &cap, want, (size_t)len - 3), 0);
		assert_int_equal(n, i + 1);
		assert_true(cap > n);
		assert_null(list[n]);
	}
	for (i = 0; i < n; i++) {
		(void)snprintf(want, sizeof(want), "v%zu", i);
		assert_string_equal(list[i], want);
	}
	assert_null(tagvalue_values_free(list, n));
	assert_null(tagvalue_values_free(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_STS_TXT_07_tokeniser),
		cmocka_unit_test(test_STS_TXT_07_length_bound),
		cmocka_unit_test(test_STS_TXT_10_name_value),
		cmocka_unit_test(test_STS_TXT_10_extension_syntax),
		cmocka_unit_test(test_RPT_TXT_08_extension_fields),
		cmocka_unit_test(test_STS_TXT_04_candidates),
		cmocka_unit_test(test_STS_TXT_07_walk_diagnostics),
		cmocka_unit_test(test_STS_TXT_07_walk_texts),
		cmocka_unit_test(test_STS_TXT_05_parse_verdict),
		cmocka_unit_test(test_STS_TXT_04_discover),
		cmocka_unit_test(test_RPT_TXT_09_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

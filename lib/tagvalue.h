/*
 * tagvalue.h - the record grammar that the MTA-STS and TLS-RPT TXT records share (RFC 8461 §3.1,
 * RFC 8460 §3; spec/mta-sts.md STS-TXT-04/06/07/10, spec/tls-rpt.md RPT-TXT-02/04/08).
 *
 * Both records read
 *   record      = version 1*(field-delim field) [field-delim]
 *   field-delim = *WSP ";" *WSP
 *   extension   = ext-name "=" ext-value
 *   ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 * and are discovered alike: of a TXT RRset only the records beginning with the version followed
 * by *WSP and ";" count (decision D1), and exactly one of them must remain.
 *
 * What the module offers, each part usable on its own:
 *  - a tokeniser without diagnostics: tagvalue_begin() checks the head (the version and the
 *    delimiter after it), tagvalue_next() hands out the fields one by one with their position and
 *    the delimiter verdicts (empty field, trailing WSP), split into name and value; it copies
 *    nothing, so fields point into the caller's record;
 *  - the extension syntax, tagvalue_ext_name_ok() (also the policy file's ext-name, STS-POL-10),
 *    tagvalue_ext_value_ok(), tagvalue_ext_ok(), and the discovery filter tagvalue_is_candidate();
 *  - the same rules as diagnostics (lib/diag.h), worded for one protocol by a const struct
 *    tagvalue_syntax: tagvalue_walk() reads a record and hands its fields to the protocol,
 *    tagvalue_parse() applies the verdict rules of lib/diag.h around a protocol's parser, and
 *    tagvalue_discover() runs discovery over an RRset;
 *  - the list of values of a field that may repeat (tagvalue_values_add(), tagvalue_values_free()),
 *    for TLS-RPT rua and the policy file's mx.
 */
#ifndef MXS_LIB_TAGVALUE_H
#define MXS_LIB_TAGVALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/diag.h"
#include "lib/snapshot.h"

/* Longest extension name (ext-name: 1 + 31 characters). */
#define TAGVALUE_EXT_NAME_MAX 32

/* How a record begins: the version and what follows it. */
enum tagvalue_head {
	TAGVALUE_HEAD_OK,         /* the version, then ";" */
	TAGVALUE_HEAD_WSP,        /* the version, WSP, then ";": grammatical, but the literal
				   * discard rule wants ";" right after the version (D1) */
	TAGVALUE_HEAD_NO_VERSION, /* the record does not begin with the version (case-sensitive) */
	TAGVALUE_HEAD_NO_FIELD,   /* nothing but WSP follows the version */
	TAGVALUE_HEAD_NO_DELIM,   /* the version is followed by something other than *WSP ";" */
};

/* Where the tokeniser stands in a record; set up by tagvalue_begin(). */
struct tagvalue_iter {
	const char *data; /* the record (borrowed) */
	size_t len;
	size_t pos; /* where the next field or the end is looked for */
};

/* One field between delimiters. */
struct tagvalue_field {
	size_t pos;        /* offset of the field's first byte in the record, from 0 */
	const char *text;  /* the field without the WSP around it (borrowed from the record) */
	size_t len;        /* 0: an empty field, ";" *WSP ";", which is outside the grammar */
	const char *name;  /* text up to the first "=", or all of it when there is none */
	size_t name_len;   /* may be 0 ("=x") */
	const char *value; /* after the first "="; NULL when the field has no "=" */
	size_t value_len;  /* 0 when value is NULL or the field ends in "=" */
	bool trailing_wsp; /* the last field, followed by WSP without a ";" after it: outside the
			    * grammar (the WSP of a field-delim needs its ";") */
};

/*
 * Start reading a record.
 *
 * ret_iter:  set up for tagvalue_next() when the head is TAGVALUE_HEAD_OK or _WSP (just past
 *            the ";"); untouched otherwise.
 * data, len: the record's joined bytes (need not be NUL-terminated; may contain any byte).
 * version:   the literal the record must begin with, e.g. "v=STSv1" (NUL-terminated).
 *
 * Returns how the record begins; only TAGVALUE_HEAD_OK and _WSP have fields to read.
 */
enum tagvalue_head tagvalue_begin(struct tagvalue_iter *ret_iter, const char *data, size_t len,
				  const char *version);

/*
 * The next field: WSP is skipped, the field runs up to the next ";" or the end of the record and
 * is trimmed of WSP on both sides. A ";" with only WSP after it ends the record (the optional
 * trailing delimiter).
 *
 * iter:      as tagvalue_begin() or the previous call left it.
 * ret_field: the field; written only when one is returned.
 *
 * Returns true with a field (possibly empty, see len), false at the end of the record.
 */
bool tagvalue_next(struct tagvalue_iter *iter, struct tagvalue_field *ret_field);

/* Whether s, len is an ext-name: 1-32 of ALPHA, DIGIT, "_", "-", ".", the first ALPHA or DIGIT. */
bool tagvalue_ext_name_ok(const char *s, size_t len);

/* Whether s, len is an ext-value of a TXT record: 1 or more printable US-ASCII characters other
 * than space, "=" and ";". (The policy file's ext-value differs: it allows SP and UTF-8.) */
bool tagvalue_ext_value_ok(const char *s, size_t len);

/* Whether a field is a well-formed extension: name "=" value, both as above. */
bool tagvalue_ext_ok(const struct tagvalue_field *field);

/*
 * Whether a TXT record is kept by discovery: it begins with version, then *WSP ";"
 * (STS-TXT-04, RPT-TXT-02, with D1 for the WSP). Same arguments as tagvalue_begin().
 */
bool tagvalue_is_candidate(const char *data, size_t len, const char *version);

/*
 * How one protocol words the diagnostics of the shared grammar: its version literal, the
 * requirement ID its specification gives each rule, and the few words in which its texts
 * differ. One const instance per protocol (sts_txt.c, rpt_txt.c); every member is a static
 * NUL-terminated string, none NULL ("" for no hint).
 */
struct tagvalue_syntax {
	const char *version;  /* the literal a record begins with, "v=STSv1" ("v=" first) */
	const char *protocol; /* what senders ignore when several records remain, "MTA-STS" */
	const char *absent;   /* what the domain has none of without a record, "MTA-STS policy" */
	/* The requirement ID of each rule (examples from spec/mta-sts.md). */
	struct {
		const char *discard;  /* discovery: discard rule, one record, D1 (STS-TXT-04) */
		const char *invalid;  /* discovery: the one record is invalid (STS-TXT-05) */
		const char *nul;      /* the record holds a NUL byte (STS-TXT-02) */
		const char *version;  /* the record begins with the version (STS-TXT-06) */
		const char *delim;    /* ";" after the version, ";;", trailing WSP (STS-TXT-07) */
		const char *no_field; /* at least one field follows the version (STS-TXT-07) */
	} req;
	/* Words appended to three texts: "no field follows the version", "the record holds a NUL
	 * byte", "trailing whitespace after the last field". */
	struct {
		const char *no_field;
		const char *nul;
		const char *trailing;
	} hint;
};

/* What tagvalue_walk() does with every non-empty field; ctx is the caller's. */
typedef void (*tagvalue_field_fn)(void *ctx, const struct tagvalue_field *field);

/*
 * Read one record: report the faults of its head and of its delimiters as diagnostics and hand
 * every non-empty field, in order, to on_field, which judges the field and may add diagnostics
 * of its own (they stay in record order).
 *
 * syntax:    the protocol's words (not NULL).
 * data, len: the record, as for tagvalue_begin().
 * on_field:  called for each non-empty field (not NULL); ctx is passed through.
 * diags:     where the diagnostics are appended (not NULL); a diagnostic that cannot be stored
 *            sets diags->lost (lib/diag.h), which the caller checks.
 *
 * Reported: a missing version (ERROR, invalid), nothing after the version (ERROR, invalid), the
 * version not followed by *WSP ";" (ERROR, invalid), WSP before that ";" (WARN, valid, D1), an
 * empty field (ERROR, invalid), trailing WSP after the last field (WARN, invalid, D2).
 *
 * Returns the number of non-empty fields (0 or more), or -EINVAL when the head is broken and no
 * field was read (the diagnostic says why).
 */
int tagvalue_walk(const struct tagvalue_syntax *syntax, const char *data, size_t len,
		  tagvalue_field_fn on_field, void *ctx, struct diag_list *diags);

/*
 * A protocol's parser of one record: parse data, len, appending diagnostics to diags (not NULL),
 * and keep what it found in ctx. Returns 0 when the record is accepted, -EINVAL when it is
 * rejected, -ENOMEM.
 */
typedef int (*tagvalue_parse_fn)(void *ctx, const char *data, size_t len, struct diag_list *diags);

/*
 * Run a record parser under the rules all the grammar parsers follow (lib/diag.h): the
 * diagnostics go to diags, or to a list of its own, released at the end, when diags is NULL;
 * the record is rejected when parse rejects it or when a diagnostic it added is both invalid and
 * ERROR; a diagnostic that cannot be stored makes the result -ENOMEM. A diags->lost that was set
 * before the call stays set.
 *
 * parse, ctx: the protocol's parser (not NULL) and its state; what parse leaves in ctx is the
 *             caller's, meaningful only when the result is 0, to be released otherwise.
 * data, len:  the record, as for tagvalue_begin().
 * diags:      optional; every diagnostic is appended (on failure too).
 *
 * Returns 0 when the record is accepted, -EINVAL when it is rejected, -ENOMEM.
 */
int tagvalue_parse(tagvalue_parse_fn parse, void *ctx, const char *data, size_t len,
		   struct diag_list *diags);

/*
 * Discovery over a TXT RRset (STS-TXT-04/05, RPT-TXT-02): keep the records that
 * tagvalue_is_candidate() keeps; something applies only when exactly one remains and parse
 * accepts it. Reported: WARN (valid) for each discarded record that looks like a mistyped one
 * (the version in another case, after WSP, or without its ";"); INFO (invalid) when none
 * remains; ERROR (invalid) when several do; for the one record, ERROR (invalid) when it holds a
 * NUL byte (has_nul), then its own diagnostics, then ERROR (invalid) when it is rejected.
 *
 * syntax:     the protocol's words (not NULL).
 * records, n: the RRset (records may be NULL when n is 0).
 * ret_count:  optional; the number of records kept. Written when the result is 0 or 1.
 * parse, ctx: called at most once, on the one remaining record (not NULL), usually the
 *             protocol's public parser. What it leaves in ctx is the caller's: meaningful only
 *             when the result is 1, to be released otherwise.
 * diags:      optional; every diagnostic is appended.
 *
 * Returns 1 when exactly one record remains and it is accepted, 0 when nothing applies,
 * -ENOMEM (the diagnostics may then be incomplete).
 */
int tagvalue_discover(const struct tagvalue_syntax *syntax, const struct txt_record *records,
		      size_t n, size_t *ret_count, tagvalue_parse_fn parse, void *ctx,
		      struct diag_list *diags);

/*
 * Append a copy of value to the NULL-terminated list of a field that may repeat and whose
 * values accumulate (TLS-RPT rua, RPT-TXT-09; the policy's mx, STS-POL-11).
 *
 * list, n:   the list (NULL with *n == 0 at first) and its length, both updated on success;
 *            the list and its strings are owned by the caller (tagvalue_values_free()).
 * cap:       the list's capacity, kept by the caller between calls (0 at first).
 * value, len: the bytes to copy (need not be NUL-terminated; the copy is).
 *
 * Returns 0, or -ENOMEM with the values unchanged (the list may have been moved: *list and *cap
 * stay consistent).
 */
int tagvalue_values_add(char ***list, size_t *n, size_t *cap, const char *value, size_t len);

/* Free the n strings of a list and the list itself. NULL-safe; returns NULL. */
char **tagvalue_values_free(char **list, size_t n);

#endif

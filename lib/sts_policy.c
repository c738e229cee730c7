/*
 * sts_policy.c - the MTA-STS policy file; see sts_policy.h.
 *
 * RFC 8461 §3.2 grammar, in short (spec/mta-sts.md §4 has the whole of it):
 *   record = field *WSP *(term field *WSP) [term]; term = LF / CRLF
 *   field  = key ":" *WSP value, keys case-sensitive, unknown keys are extensions
 * The parser cuts the body into lines at LF (dropping one CR before it), then judges each line
 * on its own: a bad line does not stop the parse, so one run lists every problem. The verdict
 * comes from the diagnostics at the end (lib/diag.h: rejected = invalid and ERROR).
 *
 * Diagnostics that cannot be stored set list->lost; the parse checks it once at its end and
 * returns -ENOMEM, so the individual diag_add() calls are deliberately unchecked.
 */
#include "lib/sts_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/hostmatch.h"
#include "lib/tagvalue.h"

/* RFC 1035 §2.3.4 for the mx names. */
#define LABEL_MAX    63
#define NAME_MAX_LEN 253
/* STS-POL-06 (PROJECT): a max_age below a day is reported. */
#define AGE_DAY 86400u

/* State of one parse. */
struct pol_state {
	struct diag_list *d;
	struct sts_policy *p; /* the policy being built; mx grows as lines are read */
	size_t mx_cap;
	size_t line;       /* number of the current line, from 1 */
	size_t fields;     /* lines seen so far that have the form of a field */
	bool have_version; /* a version line was seen; only the first counts (STS-POL-11) */
	bool have_mode;
	bool have_max_age;
	bool version_ok; /* ... and its value was valid */
	bool mode_ok;
	bool max_age_ok;
	bool bare_cr_seen; /* STS-POL-01 is reported once */
	bool nomem;        /* an mx pattern could not be stored */
};

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether the key is exactly the literal (keys are case-sensitive, STS-POL-12). */
static bool key_is(const char *key, size_t klen, const char *lit)
{
	return strlen(lit) == klen && memcmp(key, lit, klen) == 0;
}

/* Same, ignoring case: a "Mode" key deserves a hint. */
static bool key_is_nocase(const char *key, size_t klen, const char *lit)
{
	return strlen(lit) == klen && strncasecmp(key, lit, klen) == 0;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629 §4: no overlongs, no surrogates,
 * nothing above U+10FFFF), or 0.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/*
 * ext-value = vchar [*(SP / vchar) vchar], vchar = %x21-7E or a UTF-8 multi-byte character.
 * The value given is already trimmed of WSP on both sides.
 */
static bool ext_value_ok(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	if (len == 0)
		return false;
	while (i < len) {
		if (u[i] >= 0x21 && u[i] <= 0x7e) {
			i++;
		} else if (u[i] == ' ') {
			i++;
		} else {
			k = utf8_seq(u + i, len - i);
			if (k == 0)
				return false;
			i += k;
		}
	}
	return true;
}

/*
 * STS-POL-08/09: mx = ["*."] Domain, Domain per RFC 5321 §4.1.2 (LDH labels, no trailing dot).
 * Returns NULL when the pattern is good, else the reason and in *ret_req the rule broken;
 * *ret_labels counts the labels after the wildcard.
 */
static const char *mx_pattern_problem(const char *s, size_t len, size_t *ret_labels,
				      const char **ret_req)
{
	size_t i, p = 0, labels = 0;

	*ret_req = "STS-POL-08";
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] > 0x7f) {
			*ret_req = "STS-POL-09";
			return "it holds non-ASCII characters; internationalised names must be "
			       "written as A-labels (xn--...)";
		}
	}
	if (len >= 2 && s[0] == '*' && s[1] == '.')
		p = 2;
	if (len - p > NAME_MAX_LEN)
		return "the name is longer than 253 characters";
	if (p == len)
		return "the name is empty";
	while (p <= len) {
		size_t start = p;

		while (p < len && s[p] != '.')
			p++;
		if (p == start)
			return p == len ? "it ends in a dot or is empty"
					: "it has an empty label (leading or double dot)";
		if (p - start > LABEL_MAX)
			return "a label is longer than 63 characters";
		if (s[start] == '-' || s[p - 1] == '-')
			return "a label begins or ends with a hyphen";
		for (i = start; i < p; i++) {
			if (s[i] == '*')
				return "\"*\" is only allowed as the whole first label, \"*.\"";
			if (!is_alnum(s[i]) && s[i] != '-')
				return "a label holds a character other than a letter, digit or "
				       "hyphen";
		}
		labels++;
		p++; /* past the dot, or past the end */
	}
	*ret_labels = labels;
	return NULL;
}

/* A line whose key is a repeated non-mx key: STS-POL-11, only the first occurrence counts. */
static bool duplicate(struct pol_state *st, bool *seen, const char *key)
{
	if (!*seen) {
		*seen = true;
		return false;
	}
	(void)diag_add(st->d, DIAG_WARN, false, "STS-POL-11",
		       "line %zu repeats the key \"%s\": only its first value is used", st->line,
		       key);
	return true;
}

static void field_version(struct pol_state *st, const char *v, size_t vlen)
{
	char ex[DIAG_EXCERPT_SIZE];

	if (duplicate(st, &st->have_version, "version"))
		return;
	if (vlen != 5 || memcmp(v, "STSv1", 5) != 0) {
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-03",
			       "line %zu: version \"%s\" is not \"STSv1\"", st->line,
			       diag_excerpt(ex, sizeof(ex), v, vlen));
		return;
	}
	st->version_ok = true;
	st->p->version = "STSv1";
	/* STS-POL-03: allowed anywhere in the policy, only the TXT record must begin with it */
	if (st->fields != 1)
		(void)diag_add(st->d, DIAG_INFO, false, "STS-POL-03",
			       "the version is on line %zu, not first (allowed)", st->line);
}

static void field_mode(struct pol_state *st, const char *v, size_t vlen)
{
	static const struct {
		const char *name;
		enum sts_mode mode;
	} modes[] = {
		{ "enforce", STS_MODE_ENFORCE },
		{ "testing", STS_MODE_TESTING },
		{ "none", STS_MODE_NONE },
	};
	char ex[DIAG_EXCERPT_SIZE];
	size_t i;

	if (duplicate(st, &st->have_mode, "mode"))
		return;
	/* STS-POL-04, D6: exact lowercase values; anything else invalidates the policy */
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (key_is(v, vlen, modes[i].name)) {
			st->p->mode = modes[i].mode;
			st->mode_ok = true;
			return;
		}
	}
	(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-04",
		       "line %zu: mode \"%s\" is not one of enforce, testing, none "
		       "(case-sensitive)",
		       st->line, diag_excerpt(ex, sizeof(ex), v, vlen));
}

static void field_max_age(struct pol_state *st, const char *v, size_t vlen)
{
	char ex[DIAG_EXCERPT_SIZE];
	uint64_t age = 0;
	size_t i;

	if (duplicate(st, &st->have_max_age, "max_age"))
		return;
	/* STS-POL-05: 1*10DIGIT, so at most 9999999999: fits in 64 bits */
	for (i = 0; i < vlen; i++)
		if (!is_digit(v[i]))
			break;
	if (vlen == 0 || vlen > 10 || i < vlen) {
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-05",
			       "line %zu: max_age \"%s\" is not 1 to 10 decimal digits", st->line,
			       diag_excerpt(ex, sizeof(ex), v, vlen));
		return;
	}
	for (i = 0; i < vlen; i++)
		age = age * 10 + (uint64_t)(v[i] - '0');
	if (age > STS_POLICY_MAX_AGE_LIMIT) {
		/* D4 (erratum 7282): the prose maximum wins over the ABNF */
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-05",
			       "line %zu: max_age %llu is above the maximum of %u seconds (one "
			       "year); many senders clamp it, strict ones reject the policy",
			       st->line, (unsigned long long)age, STS_POLICY_MAX_AGE_LIMIT);
		return;
	}
	if (vlen > 1 && v[0] == '0')
		(void)diag_add(st->d, DIAG_WARN, false, "STS-POL-05",
			       "line %zu: max_age \"%.*s\" has leading zeros", st->line, (int)vlen,
			       v);
	st->p->max_age = (uint32_t)age;
	st->max_age_ok = true;
}

static void field_mx(struct pol_state *st, const char *v, size_t vlen)
{
	char ex[DIAG_EXCERPT_SIZE];
	const char *why, *req;
	size_t labels = 0;

	why = mx_pattern_problem(v, vlen, &labels, &req);
	if (why != NULL) {
		(void)diag_add(st->d, DIAG_ERROR, true, req,
			       "line %zu: mx pattern \"%s\" is invalid: %s", st->line,
			       diag_excerpt(ex, sizeof(ex), v, vlen), why);
		return;
	}
	/* STS-POL-14: "*.com" lets any host one label under a top-level domain qualify */
	if (v[0] == '*' && labels == 1)
		(void)diag_add(st->d, DIAG_WARN, false, "STS-POL-14",
			       "line %zu: mx pattern \"%.*s\" covers every host directly under a "
			       "top-level domain",
			       st->line, (int)vlen, v);
	if (tagvalue_values_add(&st->p->mx, &st->p->n_mx, &st->mx_cap, v, vlen) < 0)
		st->nomem = true;
}

/* An unknown key; line, n: the whole line, for the diagnostic. */
static void field_extension(struct pol_state *st, const char *line, size_t n, size_t klen,
			    const char *v, size_t vlen)
{
	const char *key = line;
	static const char *const known[] = { "version", "mode", "max_age", "mx" };
	char ex[DIAG_EXCERPT_SIZE];
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (key_is_nocase(key, klen, known[i]))
			(void)diag_add(st->d, DIAG_WARN, false, "STS-POL-12",
				       "line %zu: key \"%.*s\" is not \"%s\" (keys are "
				       "case-sensitive), so senders ignore the line",
				       st->line, (int)klen, key, known[i]);
	/*
	 * D2: a malformed extension breaks the grammar, but senders skip it. The ext-name is the
	 * TXT record's (lib/tagvalue.h); the ext-value is the policy's own, with SP and UTF-8.
	 */
	if (!tagvalue_ext_name_ok(key, klen) || !ext_value_ok(v, vlen)) {
		(void)diag_add(st->d, DIAG_WARN, true, "STS-POL-10",
			       "line %zu: malformed extension \"%s\"", st->line,
			       diag_excerpt(ex, sizeof(ex), line, n));
		return;
	}
	/* STS-POL-10: unknown keys are accepted and ignored */
	(void)diag_add(st->d, DIAG_INFO, false, "STS-POL-10",
		       "line %zu: unknown key \"%.*s\" ignored", st->line, (int)klen, key);
}

/* One line without its terminator. */
static void parse_line(struct pol_state *st, const char *s, size_t n)
{
	char ex[DIAG_EXCERPT_SIZE];
	const char *colon, *v;
	size_t i, klen, vlen;

	i = 0;
	while (i < n && is_wsp(s[i]))
		i++;
	if (i == n) {
		/* D2: an empty line is outside the grammar; senders skip it */
		(void)diag_add(st->d, DIAG_WARN, true, "STS-POL-02", "line %zu is empty", st->line);
		return;
	}
	/* STS-POL-01: only LF and CRLF end a line */
	if (!st->bare_cr_seen && memchr(s, '\r', n) != NULL) {
		st->bare_cr_seen = true;
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-01",
			       "line %zu holds a CR that is not followed by LF; lines end in LF or "
			       "CRLF",
			       st->line);
	}
	if (i > 0) {
		/* D3: no whitespace before the key (no header continuation lines) */
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-02",
			       "line %zu begins with whitespace", st->line);
		return;
	}
	colon = memchr(s, ':', n);
	if (colon == NULL || colon == s) {
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-02",
			       "line %zu \"%s\" is not \"key: value\"", st->line,
			       diag_excerpt(ex, sizeof(ex), s, n));
		return;
	}
	klen = (size_t)(colon - s);
	if (is_wsp(s[klen - 1])) {
		/* D3 */
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-02",
			       "line %zu has whitespace before \":\"", st->line);
		return;
	}
	st->fields++;
	v = colon + 1;
	vlen = n - klen - 1;
	while (vlen > 0 && is_wsp(*v)) {
		v++;
		vlen--;
	}
	/* STS-POL-02: trailing WSP after a field is allowed */
	while (vlen > 0 && is_wsp(v[vlen - 1]))
		vlen--;
	if (key_is(s, klen, "version"))
		field_version(st, v, vlen);
	else if (key_is(s, klen, "mode"))
		field_mode(st, v, vlen);
	else if (key_is(s, klen, "max_age"))
		field_max_age(st, v, vlen);
	else if (key_is(s, klen, "mx"))
		field_mx(st, v, vlen); /* STS-POL-11: mx repeats accumulate */
	else
		field_extension(st, s, n, klen, v, vlen);
}

/* The checks on the whole policy, after the last line. */
static void parse_end(struct pol_state *st)
{
	const struct sts_policy *p = st->p;

	if (!st->have_version)
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-03",
			       "the version line is missing");
	if (!st->have_mode)
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-04", "the mode line is missing");
	if (!st->have_max_age)
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-05",
			       "the max_age line is missing");
	/* STS-POL-07: mx is required unless the mode is none */
	if (p->n_mx == 0 && !(st->mode_ok && p->mode == STS_MODE_NONE))
		(void)diag_add(st->d, DIAG_ERROR, true, "STS-POL-07",
			       "no valid mx line: an mx pattern is required unless the mode is "
			       "none");
	/*
	 * STS-POL-06: short lifetimes. The vectors set the levels: below a day WARN (sts-pol-024,
	 * -025), a day or more nothing (real-017 is a one-day enforce policy reported "ok", although
	 * the spec text has INFO below a week); mode none below a day only INFO (real-019: the
	 * §8.3 opt-out publishes none with a short max_age on purpose).
	 */
	if (!st->max_age_ok || p->max_age >= AGE_DAY)
		return;
	if (st->mode_ok && p->mode == STS_MODE_NONE)
		(void)diag_add(st->d, DIAG_INFO, false, "STS-POL-06",
			       "mode none with max_age %u: senders forget the policy within a day",
			       p->max_age);
	else if (p->max_age == 0)
		(void)diag_add(st->d, DIAG_WARN, false, "STS-POL-06",
			       "max_age is 0: senders drop the policy immediately");
	else
		(void)diag_add(st->d, DIAG_WARN, false, "STS-POL-06",
			       "max_age %u is shorter than a day; weeks or more are recommended",
			       p->max_age);
}

int sts_policy_parse(const char *data, size_t len, struct sts_policy **ret_policy,
		     struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct pol_state st = { 0 };
	bool lost_before;
	size_t from, pos = 0;
	int r;

	st.d = diags != NULL ? diags : &local;
	from = st.d->n;
	lost_before = st.d->lost;
	st.d->lost = false;
	st.p = calloc(1, sizeof(*st.p));
	if (st.p == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (len > STS_POLICY_MAX_BODY) {
		(void)diag_add(st.d, DIAG_ERROR, true, "STS-FETCH-09",
			       "the policy has %zu bytes; senders stop reading at %d", len,
			       STS_POLICY_MAX_BODY);
		goto verdict;
	}
	/* STS-POL-13 (PROJECT): a BOM hides the first key from senders */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		(void)diag_add(st.d, DIAG_ERROR, true, "STS-POL-13",
			       "the policy begins with a UTF-8 byte-order mark: senders do not "
			       "recognise the first key");
		pos = 3;
	}
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - data) : len;
		size_t cend = end;

		/* STS-POL-01: LF or CRLF; the CR of a CRLF is not part of the line */
		if (nl != NULL && cend > pos && data[cend - 1] == '\r')
			cend--;
		st.line++;
		parse_line(&st, data + pos, cend - pos);
		pos = nl != NULL ? end + 1 : len;
	}
	parse_end(&st);
verdict:
	if (st.d->lost || st.nomem)
		r = -ENOMEM;
	else if (diag_rejects(st.d, from))
		r = -EINVAL;
	else
		r = 0;
out:
	st.d->lost = st.d->lost || lost_before;
	if (r == 0 && ret_policy != NULL) {
		if (st.p->mx == NULL) {
			/* an accepted policy always has its NULL-terminated array */
			st.p->mx = calloc(1, sizeof(*st.p->mx));
			if (st.p->mx == NULL)
				r = -ENOMEM;
		}
		if (r == 0) {
			*ret_policy = st.p;
			st.p = NULL;
		}
	}
	(void)sts_policy_free(st.p);
	diag_clear(&local);
	return r;
}

struct sts_policy *sts_policy_free(struct sts_policy *policy)
{
	if (policy == NULL)
		return NULL;
	(void)tagvalue_values_free(policy->mx, policy->n_mx);
	free(policy);
	return NULL;
}

const char *sts_policy_mode_name(enum sts_mode mode)
{
	switch (mode) {
	case STS_MODE_ENFORCE:
		return "enforce";
	case STS_MODE_TESTING:
		return "testing";
	case STS_MODE_NONE:
		return "none";
	}
	return "?";
}

bool sts_policy_covers(const struct sts_policy *policy, const char *host, const char **ret_pattern)
{
	size_t i;

	if (policy == NULL || host == NULL)
		return false;
	for (i = 0; i < policy->n_mx; i++) {
		if (hostmatch_mx_pattern(policy->mx[i], host)) {
			if (ret_pattern != NULL)
				*ret_pattern = policy->mx[i];
			return true;
		}
	}
	return false;
}

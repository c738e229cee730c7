/*
 * vectors.c - the conformance vectors in unit tests; see vectors.h.
 */
#include "tests/unit/vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/error.h"

char *vectors_path(const char *name)
{
	const char *top = getenv("top_srcdir");

	if (top == NULL || *top == '\0')
		top = ".";
	return mxs_strdupf("%s/tests/vectors/spec/%s", top, name);
}

json_t *vectors_load(const char *name)
{
	json_error_t jerr;
	json_t *root;
	char *path = vectors_path(name);

	if (path == NULL)
		return NULL;
	/* Vector strings may hold NUL bytes as \u0000 (names with embedded NULs). */
	root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	if (root == NULL) {
		fprintf(stderr, "%s:%d: %s\n", path, jerr.line, jerr.text);
	} else if (!json_is_array(root)) {
		fprintf(stderr, "%s: not a JSON array of vectors\n", path);
		json_decref(root);
		root = NULL;
	}
	free(path);
	return root;
}

const char *vectors_string(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void vectors_print_diags(const struct diag_list *d, size_t from)
{
	size_t i;

	for (i = from; i < d->n; i++)
		print_error("    %s %s%s: %s\n", diag_level_name(d->v[i].level),
			    d->v[i].invalid ? "invalid " : "", d->v[i].req, d->v[i].text);
}

struct txt_record vectors_txt_record(const json_t *strings)
{
	struct txt_record rec = { 0 };
	size_t i, len = 0;
	json_t *s;

	json_array_foreach(strings, i, s) len += json_string_length(s);
	rec.data = calloc(1, len + 1);
	assert_non_null(rec.data);
	json_array_foreach(strings, i, s)
	{
		memcpy(rec.data + rec.len, json_string_value(s), json_string_length(s));
		rec.len += json_string_length(s);
	}
	rec.n_strings = (unsigned)json_array_size(strings);
	rec.has_nul = strlen(rec.data) != rec.len;
	return rec;
}

/* Every diagnostic has a text of one non-empty line (lib/diag.h renders input with escapes). */
static void assert_clean_texts(const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		assert_non_null(d->v[i].text);
		assert_true(d->v[i].text[0] != '\0');
		assert_null(strpbrk(d->v[i].text, "\r\n"));
	}
}

/* The diagnostics against the vector's "valid" and "severity"; returns 1 on a mismatch. */
static size_t verdict_mismatch(const json_t *v, const struct diag_list *d)
{
	const char *want_sev = vectors_string(v, "severity");
	bool want_valid = json_is_true(json_object_get(v, "valid"));
	bool got_valid = !diag_any_invalid(d, 0);
	const char *got_sev = diag_level_name(diag_worst(d, 0));

	assert_non_null(want_sev);
	if (want_valid == got_valid && strcmp(want_sev, got_sev) == 0)
		return 0;
	print_error("%s (%s): expected %s, severity %s, got %s, severity %s\n",
		    vectors_string(v, "id"), vectors_string(v, "req"),
		    want_valid ? "valid" : "invalid", want_sev, got_valid ? "valid" : "invalid",
		    got_sev);
	vectors_print_diags(d, 0);
	return 1;
}

void vectors_run(const char *name, const char *kind, size_t count, vectors_check_fn check,
		 void *ctx)
{
	json_t *root = vectors_load(name);
	size_t i, n = 0, failures = 0;
	json_t *v;

	assert_non_null(root);
	json_array_foreach(root, i, v)
	{
		struct diag_list d = { 0 };
		const char *k = vectors_string(v, "kind");

		if (kind != NULL && (k == NULL || strcmp(k, kind) != 0))
			continue;
		n++;
		failures += check(v, &d, ctx);
		failures += verdict_mismatch(v, &d);
		assert_clean_texts(&d);
		diag_clear(&d);
	}
	json_decref(root);
	if (count > 0)
		assert_int_equal(n, count);
	else
		assert_true(n > 0);
	if (failures > 0)
		fail_msg("%zu check(s) of %s failed", failures, name);
}

size_t vectors_check_txt(const json_t *vector, struct diag_list *diags, void *ctx)
{
	const struct vectors_parser *p = ctx;
	struct txt_record rec = vectors_txt_record(json_object_get(vector, "input"));
	int r = p->parse(rec.data, rec.len, diags);

	free(rec.data);
	if (json_is_true(json_object_get(vector, "valid")) && r != 0) {
		print_error("%s (%s): valid, but rejected (%d)\n", vectors_string(vector, "id"),
			    vectors_string(vector, "req"), r);
		return 1;
	}
	return 0;
}

void vectors_run_cases(const struct vectors_case *cases, size_t n, vectors_parse_fn parse)
{
	char ex[DIAG_EXCERPT_SIZE];
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct vectors_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->input);
		struct diag_list d = { 0 };
		bool found = c->want_req == NULL;
		int r = parse(c->input, len, &d);

		for (k = 0; k < d.n; k++)
			found = found || strcmp(d.v[k].req, c->want_req) == 0;
		assert_clean_texts(&d);
		if (r != c->want_r || diag_any_invalid(&d, 0) == c->want_valid ||
		    diag_worst(&d, 0) != c->want_level || !found) {
			vectors_print_diags(&d, 0);
			fail_msg("case %zu (%s) \"%s\": expected %d, %s, severity %s, got %d, %s, "
				 "severity %s%s%s",
				 i, c->req, diag_excerpt(ex, sizeof(ex), c->input, len), c->want_r,
				 c->want_valid ? "valid" : "invalid",
				 diag_level_name(c->want_level), r,
				 diag_any_invalid(&d, 0) ? "invalid" : "valid",
				 diag_level_name(diag_worst(&d, 0)),
				 found ? "" : ", no diagnostic ", found ? "" : c->want_req);
		}
		diag_clear(&d);
	}
}

struct certinfo *vectors_load_cert(const char *name)
{
	char *path = vectors_path(name);
	struct certinfo *ci = NULL;
	unsigned char *der = NULL;
	X509 *x = NULL;
	BIO *bio;
	int n;

	assert_non_null(path);
	bio = BIO_new_file(path, "r");
	if (bio == NULL || (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		fail_msg("%s: not a PEM certificate", path);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	assert_int_equal(certinfo_from_der(der, (size_t)n, &ci, NULL), 0);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	free(path);
	return ci;
}

/*
 * vectors.h - the conformance vectors of tests/vectors/spec/ (shared/spec/README.md) in unit
 * tests: loading them, and running a parser that reports diagnostics (lib/diag.h) over them and
 * over the project's own cases.
 *
 * The files are found under "$top_srcdir/tests/vectors/spec/", top_srcdir coming from the
 * environment ("make check" sets it; "." when unset, for running a test from the top of the
 * source tree by hand).
 *
 * The runners report as the spec's README asks: a failure is printed as
 * "<vector id> (<req>): expected ..., got ..." followed by the diagnostics, and the test fails
 * with the number of failed checks once every vector has run.
 */
#ifndef MXS_TESTS_VECTORS_H
#define MXS_TESTS_VECTORS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "lib/certinfo.h"
#include "lib/diag.h"
#include "lib/snapshot.h"

/*
 * The path of a file under the vector directory, e.g. vectors_path("certs/leaf-a.pem").
 * Returns a new string the caller frees, or NULL on memory exhaustion.
 */
char *vectors_path(const char *name);

/*
 * The PEM certificate of the vector folder at name (e.g. "certs/leaf-a.pem") as a struct certinfo,
 * through its DER as the probe records it. Fails the test when it cannot be read. The caller
 * frees it with certinfo_free().
 */
struct certinfo *vectors_load_cert(const char *name);

/*
 * Load a vector file, which must be a JSON array (README.md, "Vector files").
 *
 * name: file name under the vector directory, e.g. "mx-pattern-match.json".
 *
 * Returns a new reference (release with json_decref()), or NULL when the file cannot be read or
 * is not a JSON array; the reason is printed on stderr with the path and line.
 */
json_t *vectors_load(const char *name);

/* The string member key of obj, or NULL when it is absent, null or not a string (borrowed). */
const char *vectors_string(const json_t *obj, const char *key);

/* Print the diagnostics of d from index "from" on, one a line, under a failure. */
void vectors_print_diags(const struct diag_list *d, size_t from);

/*
 * One TXT RR of a vector, a JSON array of character-strings, joined as the gatherer joins them
 * (STS-TXT-03, RPT-TXT-03: without separators), with n_strings and has_nul set. The data is a
 * new NUL-terminated string the caller frees. Fails the test on memory exhaustion.
 */
struct txt_record vectors_txt_record(const json_t *strings);

/*
 * The per-vector step of vectors_run(): run the parser on the vector's input, appending its
 * diagnostics to diags (empty, not NULL; vectors_run() clears it), and check what the vector
 * asks beyond its verdict ("expect", outputs written only on success, ...), printing each failed
 * check as "<id> (<req>): ...". ctx is vectors_run()'s. Returns the number of failed checks.
 */
typedef size_t (*vectors_check_fn)(const json_t *vector, struct diag_list *diags, void *ctx);

/*
 * Run check on the vectors of a file, then compare each vector's diagnostics with its "valid"
 * (no diagnostic is invalid) and "severity" (the worst level, "ok" for none), and check that
 * every diagnostic text is one non-empty line. Fails the test after the last vector when any
 * check failed.
 *
 * name:  file under the vector directory, e.g. "mta-sts-txt.json".
 * kind:  NULL for every vector, or the "kind" of the vectors to run (real/real.json mixes kinds).
 * count: how many vectors must be run, 0 for "at least one".
 * check: the per-vector step (not NULL), called with ctx.
 */
void vectors_run(const char *name, const char *kind, size_t count, vectors_check_fn check,
		 void *ctx);

/* A parser under test: parse data, len, appending diagnostics to diags (not NULL). */
typedef int (*vectors_parse_fn)(const char *data, size_t len, struct diag_list *diags);

/* A parser handed to vectors_check_txt() as its ctx. */
struct vectors_parser {
	vectors_parse_fn parse;
};

/*
 * A vectors_check_fn for vectors whose "input" is one TXT RR (a list of character-strings):
 * run the parser of ctx (a struct vectors_parser, only read) on the joined record and check
 * that a valid vector is accepted (result 0).
 */
size_t vectors_check_txt(const json_t *vector, struct diag_list *diags, void *ctx);

/* One of the project's own cases for a parser, beyond the vectors. */
struct vectors_case {
	const char *req;            /* the requirement the case covers */
	const char *input;          /* the parser's input */
	size_t len;                 /* its length; 0 for strlen(input) */
	int want_r;                 /* the parser's result, 0 or -Exxx */
	bool want_valid;            /* whether no diagnostic is invalid */
	enum diag_level want_level; /* the worst level, DIAG_OK for no diagnostic */
	const char *want_req;       /* a diagnostic with this ID must be among them, or NULL */
};

/*
 * Run parse on each of n cases and fail the test at the first case whose result, validity,
 * worst level or wanted diagnostic differ, printing its diagnostics; every diagnostic text must
 * be one non-empty line.
 */
void vectors_run_cases(const struct vectors_case *cases, size_t n, vectors_parse_fn parse);

#endif

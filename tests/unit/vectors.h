/*
 * vectors.h - loading the conformance vectors of tests/vectors/spec/ (shared/spec/README.md) in
 * unit tests.
 *
 * The files are found under "$top_srcdir/tests/vectors/spec/", top_srcdir coming from the
 * environment ("make check" sets it; "." when unset, for running a test from the top of the
 * source tree by hand).
 */
#ifndef MXS_TESTS_VECTORS_H
#define MXS_TESTS_VECTORS_H

#include <jansson.h>

/*
 * The path of a file under the vector directory, e.g. vectors_path("certs/leaf-a.pem").
 * Returns a new string the caller frees, or NULL on memory exhaustion.
 */
char *vectors_path(const char *name);

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

#endif

/*
 * vectors.c - loading the conformance vectors in unit tests; see vectors.h.
 */
#include "tests/unit/vectors.h"

#include <stdio.h>
#include <stdlib.h>

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

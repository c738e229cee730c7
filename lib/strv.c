/*
 * strv.c - NULL-terminated vectors of strings; see strv.h.
 */
#include "lib/strv.h"

#include <stdlib.h>
#include <string.h>

char **strv_dup(const char *const *v)
{
	size_t n = 0, i;
	char **c;

	while (v != NULL && v[n] != NULL)
		n++;
	c = calloc(n + 1, sizeof(*c));
	for (i = 0; c != NULL && i < n; i++)
		if ((c[i] = strdup(v[i])) == NULL)
			return strv_free(c);
	return c;
}

char **strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
	return NULL;
}

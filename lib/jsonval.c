/*
 * jsonval.c - JSON values as mxsentry's documents write them; see jsonval.h.
 */
#include "lib/jsonval.h"

#include <stdlib.h>
#include <string.h>

json_t *jsonval_stringn(const char *s, size_t len)
{
	json_t *j;
	char *copy;
	size_t i;

	if (s == NULL)
		return json_null();
	j = json_stringn(s, len);
	if (j != NULL)
		return j;
	/* jansson refuses invalid UTF-8: replace every byte above ASCII and try again */
	copy = malloc(len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	for (i = 0; i < len; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_stringn(copy, len);
	free(copy);
	return j;
}

json_t *jsonval_string(const char *s)
{
	return s != NULL ? jsonval_stringn(s, strlen(s)) : json_null();
}

json_t *jsonval_time(time_t t)
{
	char buf[32];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_null();
	return json_string(buf);
}

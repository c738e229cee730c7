/*
 * strv.h - NULL-terminated vectors of strings (tags, recipient lists) copied between owners.
 */
#ifndef MXS_LIB_STRV_H
#define MXS_LIB_STRV_H

/* A deep copy of v (NULL gives an empty vector); NULL on memory exhaustion. */
char **strv_dup(const char *const *v);

/* Free every string and the vector. NULL-safe; returns NULL. */
char **strv_free(char **v);

#endif

/*
 * error.h - readable errors for parsers and validators of untrusted input.
 *
 * A parser that rejects its input says where (a place such as "mxsentry.conf:12" or "TXT record
 * _mta-sts.example.com"), which rule (a requirement ID from shared/spec/, or NULL) and why (one
 * line a person can act on). Functions take an optional "struct mxs_error *reterr": NULL means the
 * caller only wants the return code.
 *
 * Where a caller must report every error at once (a configuration file), it collects them in a
 * struct mxs_errors list.
 *
 * Strings are owned by the error and freed by mxs_error_clear() / mxs_errors_free().
 */
#ifndef MXS_LIB_ERROR_H
#define MXS_LIB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

struct mxs_error {
	char *where;     /* place of the fault, e.g. "mxsentry.conf:12"; may be NULL */
	const char *req; /* requirement ID (static string), or NULL */
	char *what;      /* one readable line, never NULL once set */
};

struct mxs_errors {
	struct mxs_error *v; /* the errors, in the order they were found */
	size_t n;
	size_t cap;
};

/*
 * Fill *err (when err is not NULL), replacing what it held. where and req may be NULL; the
 * message is formatted printf-style. Returns -EINVAL so that a parser can write
 * "return mxs_error_set(reterr, ...);". On memory exhaustion the error keeps a fixed text and
 * the function still returns -EINVAL.
 */
int mxs_error_set(struct mxs_error *err, const char *where, const char *req, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Release the strings of *err and reset it. NULL-safe. */
void mxs_error_clear(struct mxs_error *err);

/* Append one error to the list. Returns 0, or -ENOMEM (the error is then lost). */
int mxs_errors_add(struct mxs_errors *errs, const char *where, const char *req, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* Same as mxs_errors_add() with a va_list. */
int mxs_errors_addv(struct mxs_errors *errs, const char *where, const char *req, const char *fmt,
		    va_list ap) __attribute__((format(printf, 4, 0)));

/* Release every error of the list and reset it to empty. NULL-safe. */
void mxs_errors_free(struct mxs_errors *errs);

/*
 * Format printf-style into a new heap string. Returns NULL on memory exhaustion. The caller
 * frees the result.
 */
char *mxs_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Same as mxs_strdupf() with a va_list. */
char *mxs_vstrdupf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif

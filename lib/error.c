/*
 * error.c - readable errors for code that rejects input; see error.h.
 */
#include "lib/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Used when even the message cannot be allocated; never freed. */
static char oom_text[] = "out of memory";

char *mxs_vstrdupf(const char *fmt, va_list ap)
{
	va_list aq;
	int len;
	char *s;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0)
		return NULL;
	s = malloc((size_t)len + 1);
	if (s == NULL)
		return NULL;
	if (vsnprintf(s, (size_t)len + 1, fmt, ap) != len) {
		free(s);
		return NULL;
	}
	return s;
}

char *mxs_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	return s;
}

void mxs_error_clear(struct mxs_error *err)
{
	if (err == NULL)
		return;
	free(err->where);
	if (err->what != oom_text)
		free(err->what);
	memset(err, 0, sizeof(*err));
}

/* Fill err from a va_list; err must be cleared already. */
__attribute__((format(printf, 4, 0))) static void error_fill(struct mxs_error *err,
							     const char *where, const char *req,
							     const char *fmt, va_list ap)
{
	err->req = req;
	err->where = where != NULL ? strdup(where) : NULL;
	err->what = mxs_vstrdupf(fmt, ap);
	if (err->what == NULL)
		err->what = oom_text;
}

int mxs_error_set(struct mxs_error *err, const char *where, const char *req, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -EINVAL;
	mxs_error_clear(err);
	va_start(ap, fmt);
	error_fill(err, where, req, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int mxs_errors_addv(struct mxs_errors *errs, const char *where, const char *req, const char *fmt,
		    va_list ap)
{
	if (errs->n == errs->cap) {
		size_t cap = errs->cap != 0 ? errs->cap * 2 : 8;
		struct mxs_error *v = realloc(errs->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		errs->v = v;
		errs->cap = cap;
	}
	memset(&errs->v[errs->n], 0, sizeof(errs->v[0]));
	error_fill(&errs->v[errs->n], where, req, fmt, ap);
	errs->n++;
	return 0;
}

int mxs_errors_add(struct mxs_errors *errs, const char *where, const char *req, const char *fmt,
		   ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = mxs_errors_addv(errs, where, req, fmt, ap);
	va_end(ap);
	return r;
}

void mxs_errors_free(struct mxs_errors *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		mxs_error_clear(&errs->v[i]);
	free(errs->v);
	memset(errs, 0, sizeof(*errs));
}

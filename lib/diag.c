/*
 * diag.c - diagnostics of the protocol grammars; see diag.h.
 */
#include "lib/diag.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"

int diag_addv(struct diag_list *list, enum diag_level level, bool invalid, const char *req,
	      const char *fmt, va_list ap)
{
	struct diag *d;
	char *text;

	assert(list != NULL && req != NULL);
	assert(level >= DIAG_INFO && level <= DIAG_ERROR);
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		struct diag *v = realloc(list->v, cap * sizeof(*v));

		if (v == NULL) {
			list->lost = true;
			return -ENOMEM;
		}
		list->v = v;
		list->cap = cap;
	}
	text = mxs_vstrdupf(fmt, ap);
	if (text == NULL) {
		list->lost = true;
		return -ENOMEM;
	}
	d = &list->v[list->n++];
	d->level = level;
	d->invalid = invalid;
	d->req = req;
	d->text = text;
	return 0;
}

int diag_add(struct diag_list *list, enum diag_level level, bool invalid, const char *req,
	     const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_addv(list, level, invalid, req, fmt, ap);
	va_end(ap);
	return r;
}

enum diag_level diag_worst(const struct diag_list *list, size_t from)
{
	enum diag_level worst = DIAG_OK;
	size_t i;

	for (i = from; i < list->n; i++)
		if (list->v[i].level > worst)
			worst = list->v[i].level;
	return worst;
}

bool diag_any_invalid(const struct diag_list *list, size_t from)
{
	size_t i;

	for (i = from; i < list->n; i++)
		if (list->v[i].invalid)
			return true;
	return false;
}

bool diag_rejects(const struct diag_list *list, size_t from)
{
	size_t i;

	for (i = from; i < list->n; i++)
		if (list->v[i].invalid && list->v[i].level == DIAG_ERROR)
			return true;
	return false;
}

const char *diag_level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_OK:
		return "ok";
	case DIAG_INFO:
		return "info";
	case DIAG_WARN:
		return "warn";
	case DIAG_ERROR:
		return "error";
	}
	return "?";
}

char *diag_excerpt(char *buf, size_t size, const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	assert(size >= 8);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];
		bool plain = c >= 0x20 && c < 0x7f && c != '\\' && c != '"';
		size_t need = plain ? 1 : 4;

		/* keep room for "..." and the NUL whenever more bytes could follow */
		if (o + need + (i + 1 < len ? 3 : 0) >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (plain) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}

void diag_clear(struct diag_list *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		free(list->v[i].text);
	free(list->v);
	list->v = NULL;
	list->n = 0;
	list->cap = 0;
	list->lost = false;
}

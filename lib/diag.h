/*
 * diag.h - diagnostics of the protocol grammars (MTA-STS, TLS-RPT records and policies).
 *
 * A parser of a published artefact does not stop at the first fault: an operator wants every
 * problem of a record or policy at once, graded. Each diagnostic carries two separate verdicts
 * (shared/spec/README.md, "Vector conventions"):
 *  - level: what mxsentry reports (INFO, WARN, ERROR, as defined in spec/mta-sts.md);
 *  - invalid: whether the strict grammar or RFC rule is violated. The two differ on purpose:
 *    a blank line in a policy is invalid but only WARN (decision D2), a TLS-RPT record with no
 *    usable destination is valid but ERROR (RPT-TXT-07).
 * A vector's "valid" is "no diagnostic is invalid"; its "severity" is the worst level ("ok"
 * when there is none).
 *
 * The parsers append to a caller's list, so one list can collect the diagnostics of a whole
 * discovery (several records). Functions that judge a part of a list take the index of its
 * first diagnostic ("from"; 0 for the whole list).
 *
 * Ownership: the list owns its diagnostics and their text; diag_clear() releases them. The
 * requirement IDs are static strings and are not copied.
 */
#ifndef MXS_LIB_DIAG_H
#define MXS_LIB_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Severity levels, ordered: a larger value is worse. */
enum diag_level {
	DIAG_OK = 0, /* no diagnostic at all: returned by diag_worst(), never stored */
	DIAG_INFO,
	DIAG_WARN,
	DIAG_ERROR,
};

struct diag {
	enum diag_level level; /* DIAG_INFO, DIAG_WARN or DIAG_ERROR */
	bool invalid;          /* the strict grammar/RFC verdict is violated */
	const char *req;       /* requirement ID, e.g. "STS-POL-05" (static string, never NULL) */
	char *text;            /* one readable line, never NULL; owned by the list */
};

struct diag_list {
	struct diag *v; /* the diagnostics, in the order they were found */
	size_t n;
	size_t cap;
	bool
	    lost; /* a diagnostic could not be stored (memory exhaustion): the list is incomplete */
};

/*
 * Append one diagnostic, its text formatted printf-style.
 *
 * list:    the list (not NULL).
 * level:   DIAG_INFO, DIAG_WARN or DIAG_ERROR.
 * invalid: whether the input breaks the strict grammar or RFC rule.
 * req:     requirement ID (static string; kept, not copied).
 *
 * Returns 0, or -ENOMEM: the diagnostic is then lost and list->lost is set, so that a parser
 * may check once at its end instead of after every call.
 */
int diag_add(struct diag_list *list, enum diag_level level, bool invalid, const char *req,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Same as diag_add() with a va_list. */
int diag_addv(struct diag_list *list, enum diag_level level, bool invalid, const char *req,
	      const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* The worst level among the diagnostics from index "from" on; DIAG_OK when there is none. */
enum diag_level diag_worst(const struct diag_list *list, size_t from);

/* Whether any diagnostic from index "from" on is invalid (the strict verdict fails). */
bool diag_any_invalid(const struct diag_list *list, size_t from);

/*
 * Whether any diagnostic from index "from" on is both invalid and ERROR: the input breaks the
 * grammar in a way senders do not tolerate. This is when the parsers reject their input.
 */
bool diag_rejects(const struct diag_list *list, size_t from);

/* "ok", "info", "warn" or "error" (the vectors' "severity" words); "?" for anything else. */
const char *diag_level_name(enum diag_level level);

/* Size of a buffer for diag_excerpt(): room for a short excerpt, escapes and "...". */
#define DIAG_EXCERPT_SIZE 64

/*
 * Render len bytes of untrusted input for a diagnostic text: printable ASCII as is, '\\' and
 * '"' and every other byte as \xHH, cut with "..." when it does not fit, so that no text ever
 * holds a control character or a newline from the input.
 *
 * buf, size: where to write (size >= 8; DIAG_EXCERPT_SIZE is the usual choice).
 * data, len: the bytes (need not be NUL-terminated).
 *
 * Returns buf, always NUL-terminated.
 */
char *diag_excerpt(char *buf, size_t size, const char *data, size_t len);

/* Release every diagnostic and reset the list to empty. NULL-safe. */
void diag_clear(struct diag_list *list);

#endif

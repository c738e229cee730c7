/*
 * finding.h - what a check concludes: the finding model (DESIGN.md, "A finding").
 *
 * A finding is: the check that made it, its subject (the domain, an MX host, an MX address,
 * and the certificate algorithm a probe asked for), a stable code documented in
 * docs/findings.md, a severity, one line a person can act on, the requirement ID it rests on,
 * the RFC 8460 result type when one applies, and typed values (days left, TLS version, ...).
 *
 * Checks append findings to a struct findings; the agent reads, orders and renders them. A
 * finding owns copies of all its strings except those documented as static.
 */
#ifndef MXS_LIB_FINDING_H
#define MXS_LIB_FINDING_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/severity.h"

/* Where a finding applies; unset members are NULL. */
struct finding_subject {
	const char *mx;      /* MX host name */
	const char *address; /* address of that MX, as text */
	const char *alg; /* "ECDSA"/"RSA" when the finding is about one algorithm's certificate */
};

enum value_type {
	VALUE_INT,
	VALUE_STRING,
};

/* One typed value: e.g. ("days_left", 3), ("tls_version", "TLSv1.1"). */
struct finding_value {
	const char *name; /* static, snake_case; also the JSON key */
	enum value_type type;
	long long i;
	char *s; /* owned */
};

struct finding {
	const char *check; /* the check's name (static) */
	const char *code;  /* stable code, e.g. "cert.expiring" (static) */
	enum severity severity;
	char *domain;            /* owned */
	char *mx;                /* owned, or NULL */
	char *address;           /* owned, or NULL */
	char *alg;               /* owned, or NULL */
	char *message;           /* one line, owned */
	const char *req;         /* requirement ID (static), or NULL */
	const char *result_type; /* RFC 8460 result type (static), or NULL */
	struct finding_value *values;
	size_t n_values;
};

struct findings {
	struct finding *v;
	size_t n;
	size_t cap;
};

/*
 * Append a finding.
 *
 * out:      the list.
 * check, code, req, result_type: static strings (req and result_type may be NULL).
 * domain:   the domain (copied).
 * subj:     where within the domain (copied); NULL for the domain itself.
 * fmt:      printf-style one-line message.
 *
 * Returns the new finding (owned by the list; valid until the next append), or NULL on memory
 * exhaustion.
 */
struct finding *findings_add(struct findings *out, const char *check, const char *code,
			     enum severity severity, const char *req, const char *result_type,
			     const char *domain, const struct finding_subject *subj,
			     const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* Same as findings_add() with a va_list. */
struct finding *findings_addv(struct findings *out, const char *check, const char *code,
			      enum severity severity, const char *req, const char *result_type,
			      const char *domain, const struct finding_subject *subj,
			      const char *fmt, va_list ap) __attribute__((format(printf, 9, 0)));

/* Attach a typed value to f. Returns 0 or -ENOMEM. name is static; s is copied. */
int finding_set_int(struct finding *f, const char *name, long long value);
int finding_set_string(struct finding *f, const char *name, const char *value);

/* The worst severity of the list by severity_rank(); SEVERITY_OK for an empty list. */
enum severity findings_worst(const struct findings *list);

/* Release every finding and reset the list. NULL-safe. */
void findings_clear(struct findings *list);

#endif

/*
 * tlsrpt_walk.h - the state of one report walk, shared by tlsrpt.c (the report, its date-range,
 * the verdict) and tlsrpt_policy.c (each policy and its failure details). Private to those two.
 *
 * A fault that makes the report meaningless is reported with tlsrpt_fatal() and stops the walk;
 * a deviation that may repeat over many failure-details entries is noted with tlsrpt_note() and
 * reported once, with its first place and a count, when the walk ends (tlsrpt.h).
 */
#ifndef MXS_LIB_TLSRPT_WALK_H
#define MXS_LIB_TLSRPT_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/diag.h"
#include "lib/tlsrpt.h"

/* Room for a rendered jansson error text or a value quoted in a diagnostic. */
#define TLSRPT_QUOTE_SIZE 96
/* No place in a policy: the deviation is on the policy itself. */
#define TLSRPT_NO_FAILURE SIZE_MAX

/* Deviations that may repeat over a report's entries: reported once, with a count. */
enum tlsrpt_repeat_kind {
	TLSRPT_REP_NO_SENDING_IP,
	TLSRPT_REP_NO_MX_HOSTNAME,
	TLSRPT_REP_EMPTY_IP,
	TLSRPT_REP_ULABEL,
	TLSRPT_REP_UNKNOWN_TYPE,
	TLSRPT_REP_NO_REASON,
	TLSRPT_REP_OVER_TOTAL,
	TLSRPT_REP_COUNT,
};

struct tlsrpt_repeat {
	size_t count;
	size_t pol, fail;   /* the first place: policies[pol].failure-details[fail] */
	const char *detail; /* the first offending member or value (borrowed from the tree) */
};

/* State of one parse. */
struct tlsrpt_walk {
	struct diag_list *d;
	struct tlsrpt_repeat rep[TLSRPT_REP_COUNT];
	size_t escaped; /* strings whose control characters tlsrpt_copy() escaped */
};

/*
 * Report a fault that leaves the report meaningless: ERROR, invalid, req and the formatted text
 * appended to st->d. Returns -EINVAL, for "return tlsrpt_fatal(...)".
 */
int tlsrpt_fatal(struct tlsrpt_walk *st, const char *req, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Note one occurrence of a repeated deviation at policies[pol].failure-details[fail] (fail
 * TLSRPT_NO_FAILURE for the policy itself). detail: the offending member name or value, or
 * NULL; borrowed, it must live until the walk ends (a string of the JSON tree or a literal).
 */
void tlsrpt_note(struct tlsrpt_walk *st, enum tlsrpt_repeat_kind k, size_t pol, size_t fail,
		 const char *detail);

/* The string member key of obj when it is a non-empty string, else NULL (borrowed). */
const char *tlsrpt_str_member(const json_t *obj, const char *key);

/*
 * A copy of s into *ret (NULL leaves *ret alone), with every control character (C0 and DEL)
 * written as \xHH: report strings reach terminals, mail and logs, where a sender's newline or
 * escape sequence would forge lines (RPT-JSON-14). Each string so changed counts in
 * st->escaped, reported once when the walk ends. Returns 0 or -ENOMEM.
 */
int tlsrpt_copy(struct tlsrpt_walk *st, const char *s, char **ret);

/*
 * Read policies[pi] (e, borrowed) into p, which must be zeroed; p holds whatever was read when
 * the walk stops, for tlsrpt_report_clear(). Returns 0, -EINVAL after tlsrpt_fatal(), -ENOMEM.
 */
int tlsrpt_walk_policy(struct tlsrpt_walk *st, size_t pi, const json_t *e, struct tlsrpt_policy *p);

#endif

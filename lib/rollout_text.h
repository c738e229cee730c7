/*
 * rollout_text.h - the words of lib/rollout.c: what to do about each failure type and problem,
 * and the policy and TXT record to publish. Private to rollout.c and rollout_text.c.
 */
#ifndef MXS_LIB_ROLLOUT_TEXT_H
#define MXS_LIB_ROLLOUT_TEXT_H

#include <stdbool.h>

#include "lib/rollout.h"

/* The requirement a TLS-RPT result type (RPT-RES) points at (static), or NULL when unknown. */
const char *rollout_text_type_req(const char *result_type);

/* What to do about sessions failing with result_type, as a new string (NULL: no memory). */
char *rollout_text_type_fix(const char *result_type, const char *domain);

/* What to do about an open problem of check, before (enforce false) or under enforce. */
char *rollout_text_problem_fix(const char *check, bool enforce);

/*
 * Fill r's change for its verdict (READY: the enforce policy; ROLLBACK: back to testing, or
 * mode none) with a fresh id. r->policy must be set. Returns 0, -EINVAL when now cannot be
 * written as a UTC time or every candidate id was used before, or -ENOMEM.
 */
int rollout_text_change(const struct rollout_input *in, struct rollout_result *r);

#endif

/*
 * sts_fetch.h - judging the HTTPS response to an MTA-STS policy fetch (RFC 8461 §3.2, §3.3;
 * spec/mta-sts.md §2, STS-FETCH-05, -06, -08, -09 and decision D5).
 *
 * The agent does the fetch (TLS, certificate, timeout: STS-FETCH-02/11 are its business); this
 * module only judges the facts of the response it got: status, Content-Type, body size and
 * Location. The body itself goes to sts_policy_parse().
 */
#ifndef MXS_LIB_STS_FETCH_H
#define MXS_LIB_STS_FETCH_H

#include <stddef.h>

#include "lib/diag.h"

/* STS-FETCH-09: senders stop at 64 KiB; above 16 KiB mxsentry warns (PROJECT). */
#define STS_FETCH_MAX_BODY  65536
#define STS_FETCH_WARN_BODY 16384

/* The facts of one HTTP response (all borrowed for the call). */
struct sts_fetch_response {
	int status;               /* HTTP status code */
	const char *content_type; /* value of the Content-Type header, or NULL when absent */
	size_t body_len;          /* body size in bytes, as received (or as announced) */
	const char *location;     /* value of the Location header, or NULL when absent */
};

/*
 * Judge a response.
 *
 * resp:  the response facts (not NULL).
 * diags: optional; every diagnostic found is appended: ERROR for a status other than 200
 *        (STS-FETCH-05; STS-FETCH-06 for a redirect, naming the Location), a media type other
 *        than text/plain (STS-FETCH-08, compared case-insensitively, parameters ignored) or a
 *        body over STS_FETCH_MAX_BODY; WARN for a charset other than utf-8 or us-ascii (D5)
 *        or a body over STS_FETCH_WARN_BODY. Content-Type and size are judged only for a 200.
 *
 * Returns 0 when the response can carry a policy (no diagnostic is both invalid and ERROR),
 * -EINVAL when senders would not use it (the diagnostics say why), -ENOMEM.
 */
int sts_fetch_judge(const struct sts_fetch_response *resp, struct diag_list *diags);

#endif

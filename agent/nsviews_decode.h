/*
 * nsviews_decode.h - the answers of authoritative servers in presentation form (MXS-NS-01).
 *
 * To compare what each server of a zone says, every answer becomes sorted text: TXT records as
 * their joined strings in quotes (RFC 1035 §5.1 escapes), MX as "pref host" (host lower case, no
 * trailing dot), TLSA as "usage selector mtype hex". Private to agent/nsviews.c.
 *
 * Each decoder takes the raw answer abuf/alen of one question, fills a->rrs/a->n_rrs (owned by
 * a, freed with nsviews_rrs_clear()) and returns an ARES_* status: ARES_SUCCESS, ARES_ENODATA
 * (no record of the type), ARES_EBADRESP (malformed) or ARES_ENOMEM.
 */
#ifndef MXS_AGENT_NSVIEWS_DECODE_H
#define MXS_AGENT_NSVIEWS_DECODE_H

#include <stdbool.h>

#include "lib/snapshot.h"

int nsviews_decode_txt(struct ns_answer *a, const unsigned char *abuf, int alen);
int nsviews_decode_mx(struct ns_answer *a, const unsigned char *abuf, int alen);
int nsviews_decode_tlsa(struct ns_answer *a, const unsigned char *abuf, int alen);

/* Lower-case a host name in place and drop one trailing dot: the form answers are compared in. */
void nsviews_name_normalise(char *s);

/* qsort() comparison of two char * (strcmp order). */
int nsviews_cmp_str(const void *a, const void *b);

/* Release the records of a and reset them. */
void nsviews_rrs_clear(struct ns_answer *a);

/*
 * Whether the answer is a referral to a zone below (no AA, no answer, NS records in the authority
 * section): the question belongs to other servers, not to this zone's.
 */
bool nsviews_is_referral(const unsigned char *abuf, int alen);

#endif

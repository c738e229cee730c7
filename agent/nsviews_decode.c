/*
 * nsviews_decode.c - the answers of authoritative servers in presentation form, for comparison;
 * see nsviews_decode.h.
 */
#include "agent/nsviews_decode.h"

#include <arpa/nameser.h>
#include <ares.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/dnswire.h"
#include "lib/tlsa.h"

void nsviews_rrs_clear(struct ns_answer *a)
{
	size_t i;

	for (i = 0; i < a->n_rrs; i++)
		free(a->rrs[i]);
	free(a->rrs);
	a->rrs = NULL;
	a->n_rrs = 0;
}

/*
 * One TXT record in presentation form (RFC 1035 §5.1): the joined strings in quotes, '"' and
 * '\' escaped, bytes outside printable ASCII as \DDD so that a message stays one clean line.
 */
static char *txt_present(const unsigned char *data, size_t len)
{
	char *s = malloc(len * 4 + 3), *p;
	size_t i;

	if (s == NULL)
		return NULL;
	p = s;
	*p++ = '"';
	for (i = 0; i < len; i++) {
		unsigned c = data[i];

		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			*p++ = '\\';
			*p++ = (char)('0' + c / 100);
			*p++ = (char)('0' + c / 10 % 10);
			*p++ = (char)('0' + c % 10);
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	*p = '\0';
	return s;
}

int nsviews_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the answer's records so that equal RRsets compare equal whatever the server's order. */
static void rrs_sort(struct ns_answer *a)
{
	if (a->n_rrs > 1)
		qsort(a->rrs, a->n_rrs, sizeof(*a->rrs), nsviews_cmp_str);
}

/* Returns an ARES_* status: the parser's, ARES_ENODATA without records, or ARES_ENOMEM. */
int nsviews_decode_txt(struct ns_answer *a, const unsigned char *abuf, int alen)
{
	struct ares_txt_ext *head = NULL, *t, *u;
	size_t n = 0, len;
	unsigned char *buf;
	int status;

	status = ares_parse_txt_reply_ext(abuf, alen, &head);
	if (status != ARES_SUCCESS)
		return status;
	for (t = head; t != NULL; t = t->next)
		n += t == head || t->record_start;
	if (n == 0) {
		status = ARES_ENODATA;
		goto out;
	}
	a->rrs = calloc(n + 1, sizeof(*a->rrs));
	if (a->rrs == NULL) {
		status = ARES_ENOMEM;
		goto out;
	}
	/* STS-TXT-03, RPT-TXT-03: a record's character-strings join without separators. */
	for (t = head; t != NULL; t = u) {
		len = 0;
		for (u = t; u != NULL && (u == t || !u->record_start); u = u->next)
			len += u->length;
		buf = malloc(len + 1);
		if (buf == NULL) {
			status = ARES_ENOMEM;
			goto out;
		}
		len = 0;
		for (u = t; u != NULL && (u == t || !u->record_start); u = u->next) {
			memcpy(buf + len, u->txt, u->length);
			len += u->length;
		}
		a->rrs[a->n_rrs] = txt_present(buf, len);
		free(buf);
		if (a->rrs[a->n_rrs] == NULL) {
			status = ARES_ENOMEM;
			goto out;
		}
		a->n_rrs++;
	}
	rrs_sort(a);
out:
	ares_free_data(head);
	return status;
}

/* A host name lower-cased (ASCII only: names compare case-insensitively) without final dot. */
void nsviews_name_normalise(char *s)
{
	size_t n = strlen(s);
	char *p;

	if (n > 0 && s[n - 1] == '.')
		s[n - 1] = '\0';
	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

/* "10 mx1.example.com"; "0 ." for a null MX (RFC 7505). Returns an ARES_* status. */
int nsviews_decode_mx(struct ns_answer *a, const unsigned char *abuf, int alen)
{
	struct ares_mx_reply *head = NULL, *m;
	size_t n = 0;
	int status;

	status = ares_parse_mx_reply(abuf, alen, &head);
	if (status != ARES_SUCCESS)
		return status;
	for (m = head; m != NULL; m = m->next)
		n++;
	if (n == 0) {
		status = ARES_ENODATA;
		goto out;
	}
	a->rrs = calloc(n + 1, sizeof(*a->rrs));
	if (a->rrs == NULL) {
		status = ARES_ENOMEM;
		goto out;
	}
	for (m = head; m != NULL; m = m->next) {
		const char *host = m->host != NULL && m->host[0] != '\0' ? m->host : ".";

		a->rrs[a->n_rrs] = mxs_strdupf("%u %s", (unsigned)m->priority, host);
		if (a->rrs[a->n_rrs] == NULL) {
			status = ARES_ENOMEM;
			goto out;
		}
		if (strcmp(host, ".") != 0)
			nsviews_name_normalise(a->rrs[a->n_rrs]);
		a->n_rrs++;
	}
	rrs_sort(a);
out:
	ares_free_data(head);
	return status;
}

/*
 * One TLSA record as "3 1 1 <lower-case hex>" (lib/tlsa.h). RDATA that form cannot write (under
 * three octets, no association data) is given in the generic form of RFC 3597 §5, "\# 3 030101",
 * so that servers are still compared on what they serve. Returns NULL when memory ran out.
 */
static char *tlsa_present(const struct dnswire_rr *rr)
{
	static const char digits[] = "0123456789abcdef";
	struct tlsa_rr t = { 0 };
	char *s = NULL, *hex;
	size_t i;
	int r;

	r = tlsa_from_wire(rr->rdata, rr->rdlength, &t, NULL);
	if (r == 0)
		r = tlsa_format(&t, &s);
	tlsa_clear(&t);
	if (r == 0)
		return s;
	if (r != -EINVAL)
		return NULL;
	hex = malloc(2 * (size_t)rr->rdlength + 1);
	if (hex == NULL)
		return NULL;
	for (i = 0; i < rr->rdlength; i++) {
		hex[2 * i] = digits[rr->rdata[i] >> 4];
		hex[2 * i + 1] = digits[rr->rdata[i] & 0x0f];
	}
	hex[2 * i] = '\0';
	s = mxs_strdupf("\\# %u%s%s", (unsigned)rr->rdlength, rr->rdlength > 0 ? " " : "", hex);
	free(hex);
	return s;
}

/*
 * The TLSA records of an answer c-ares found NOERROR with records (lib/dnswire.h reads it:
 * c-ares 1.18 has no TLSA parser). Returns an ARES_* status: ARES_ENODATA without a TLSA
 * record (a CNAME alone), ARES_EBADRESP for a message that does not parse, ARES_ENOMEM.
 */
int nsviews_decode_tlsa(struct ns_answer *a, const unsigned char *abuf, int alen)
{
	struct dnswire_msg *msg = NULL;
	const struct dnswire_rr *rr;
	size_t n, iter = 0;
	int status, r;

	r = dnswire_parse(abuf, (size_t)alen, 0, &msg, NULL);
	if (r < 0)
		return r == -ENOMEM ? ARES_ENOMEM : ARES_EBADRESP;
	if (dnswire_status(msg, DNSWIRE_TYPE_TLSA) != DNSWIRE_DATA) {
		status = ARES_ENODATA;
		goto out;
	}
	n = dnswire_rrs_of_type(msg, DNSWIRE_TYPE_TLSA);
	a->rrs = calloc(n + 1, sizeof(*a->rrs));
	if (a->rrs == NULL) {
		status = ARES_ENOMEM;
		goto out;
	}
	status = ARES_SUCCESS;
	for (rr = dnswire_rr_next(&msg->answer, DNSWIRE_TYPE_TLSA, &iter); rr != NULL;
	     rr = dnswire_rr_next(&msg->answer, DNSWIRE_TYPE_TLSA, &iter)) {
		a->rrs[a->n_rrs] = tlsa_present(rr);
		if (a->n_rrs == 0 || rr->ttl < a->ttl)
			a->ttl = rr->ttl;
		if (a->rrs[a->n_rrs] == NULL) {
			status = ARES_ENOMEM;
			goto out;
		}
		a->n_rrs++;
	}
	rrs_sort(a);
out:
	(void)dnswire_msg_free(msg);
	return status;
}

/*
 * A referral (RFC 1034 §4.3.2): no AA, no answer, NS records in the authority section. An
 * authoritative server of the domain gives one for a name in a zone delegated below it.
 */
bool nsviews_is_referral(const unsigned char *abuf, int alen)
{
	struct dnswire_msg *msg = NULL;
	size_t iter = 0;
	bool referral;

	if (dnswire_parse(abuf, (size_t)alen, DNSWIRE_AUTHORITY, &msg, NULL) < 0)
		return false;
	referral = !msg->hdr.aa && msg->hdr.rcode == DNSWIRE_RCODE_NOERROR && msg->answer.n == 0 &&
		   dnswire_rr_next(&msg->authority, DNSWIRE_TYPE_NS, &iter) != NULL;
	(void)dnswire_msg_free(msg);
	return referral;
}

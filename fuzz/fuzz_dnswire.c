/*
 * fuzz_dnswire.c - libFuzzer target for dnswire_parse() (lib/dnswire.c).
 *
 * The input is a DNS message as a resolver would send it. Properties checked beyond "no crash":
 *  - a rejection is -EINVAL, -EMSGSIZE (only with TC set) or -ENOMEM, and comes with a place
 *    and a reason; nothing is returned with it;
 *  - an accepted message has TC clear, the header dnswire_header_parse() reads, sections of
 *    exactly the sizes the header counts, and every record's RDATA inside the buffer;
 *  - every owner name, the question's name and every decoded RDATA name is a valid
 *    presentation name: lower case, no empty label, no trailing dot (but "." for the root),
 *    escapes well formed, labels of at most 63 octets and at most 255 octets on the wire;
 *  - parsing twice gives the same result, and parsing without the authority and additional
 *    sections gives the same header, question and answers.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dnswire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is a name as dnswire.h describes its presentation form. */
static bool valid_name(const char *s)
{
	size_t label = 0, wire = 1, i = 0;

	if (s == NULL || strlen(s) >= DNSWIRE_NAME_TEXT_MAX)
		return false;
	if (strcmp(s, ".") == 0)
		return true;
	for (;;) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0' || c == '.') {
			if (label == 0 || label > DNSWIRE_MAX_LABEL)
				return false;
			wire += 1 + label;
			label = 0;
			if (c == '\0')
				break;
			i++;
			continue;
		}
		if (c == '\\') {
			unsigned char d = (unsigned char)s[i + 1];

			if (d >= '0' && d <= '9') {
				unsigned v;

				if (s[i + 2] < '0' || s[i + 2] > '9' || s[i + 3] < '0' ||
				    s[i + 3] > '9')
					return false;
				v = (unsigned)(d - '0') * 100 + (unsigned)(s[i + 2] - '0') * 10 +
				    (unsigned)(s[i + 3] - '0');
				if (v > 255)
					return false;
				i += 4;
			} else if (d == '.' || d == '\\') {
				i += 2;
			} else {
				return false;
			}
		} else if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z') ||
			   strchr("\"();@$", c) != NULL) {
			return false;
		} else {
			i++;
		}
		label++;
	}
	return wire <= DNSWIRE_MAX_WIRE_NAME;
}

static bool rr_ok(const struct dnswire_msg *msg, const struct dnswire_rr *rr, const uint8_t *data,
		  size_t size)
{
	if (!valid_name(rr->owner))
		return false;
	if (rr->rdata_off > size || rr->rdlength > size - rr->rdata_off)
		return false;
	return rr->rdata == data + rr->rdata_off && msg->buf == data;
}

static bool same_rr(const struct dnswire_rr *a, const struct dnswire_rr *b)
{
	return strcmp(a->owner, b->owner) == 0 && a->type == b->type && a->class == b->class &&
	       a->ttl == b->ttl && a->rdata == b->rdata && a->rdlength == b->rdlength &&
	       a->rdata_off == b->rdata_off;
}

static bool same_section(const struct dnswire_section *a, const struct dnswire_section *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!same_rr(&a->rrs[i], &b->rrs[i]))
			return false;
	return true;
}

static bool same_header(const struct dnswire_header *a, const struct dnswire_header *b)
{
	return a->id == b->id && a->qr == b->qr && a->aa == b->aa && a->tc == b->tc &&
	       a->rd == b->rd && a->ra == b->ra && a->ad == b->ad && a->cd == b->cd &&
	       a->opcode == b->opcode && a->rcode == b->rcode && a->qdcount == b->qdcount &&
	       a->ancount == b->ancount && a->nscount == b->nscount && a->arcount == b->arcount;
}

static bool same_start(const struct dnswire_msg *a, const struct dnswire_msg *b)
{
	if (!same_header(&a->hdr, &b->hdr))
		return false;
	if ((a->qname == NULL) != (b->qname == NULL))
		return false;
	if (a->qname != NULL &&
	    (strcmp(a->qname, b->qname) != 0 || a->qtype != b->qtype || a->qclass != b->qclass))
		return false;
	return same_section(&a->answer, &b->answer);
}

/* Decode the names in RDATA where the type says there is one; results must be valid names. */
static void check_rdata_names(const struct dnswire_msg *msg, const struct dnswire_rr *rr)
{
	struct mxs_error err = { 0 };
	char *name = NULL;
	uint16_t pref;
	int r;

	switch (rr->type) {
	case DNSWIRE_TYPE_CNAME:
	case DNSWIRE_TYPE_NS:
		r = dnswire_rdata_name(msg, rr, &name, &err);
		break;
	case DNSWIRE_TYPE_MX:
		r = dnswire_rdata_mx(msg, rr, &pref, &name, &err);
		break;
	default:
		return;
	}
	if (r == 0 && !valid_name(name))
		abort();
	if (r < 0 && r != -ENOMEM && (r != -EINVAL || err.what == NULL || name != NULL))
		abort();
	free(name);
	mxs_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned flags = DNSWIRE_AUTHORITY | DNSWIRE_ADDITIONAL;
	struct dnswire_msg *msg = NULL, *again = NULL, *answers = NULL;
	const struct dnswire_section *secs[3];
	struct dnswire_header h;
	struct mxs_error err = { 0 };
	size_t i, j;
	int r, r2;

	r = dnswire_parse(data, size, flags, &msg, &err);
	r2 = dnswire_parse(data, size, flags, &again, NULL);
	if (r != r2 && r != -ENOMEM && r2 != -ENOMEM)
		abort();
	if (r < 0) {
		if (msg != NULL || (r != -ENOMEM && (err.what == NULL || err.where == NULL)))
			abort();
		if (r != -EINVAL && r != -EMSGSIZE && r != -ENOMEM)
			abort();
		if (r == -EMSGSIZE && (dnswire_header_parse(data, size, &h, NULL) != 0 || !h.tc))
			abort();
		mxs_error_clear(&err);
		(void)dnswire_msg_free(again);
		return 0;
	}
	if (err.what != NULL)
		abort();
	if (dnswire_header_parse(data, size, &h, NULL) != 0 || !same_header(&h, &msg->hdr) || h.tc)
		abort();
	if (msg->answer.n != h.ancount || msg->authority.n != h.nscount ||
	    msg->additional.n != h.arcount || (msg->qname != NULL) != (h.qdcount == 1))
		abort();
	if (msg->qname != NULL && !valid_name(msg->qname))
		abort();
	secs[0] = &msg->answer;
	secs[1] = &msg->authority;
	secs[2] = &msg->additional;
	for (j = 0; j < 3; j++)
		for (i = 0; i < secs[j]->n; i++) {
			if (!rr_ok(msg, &secs[j]->rrs[i], data, size))
				abort();
			check_rdata_names(msg, &secs[j]->rrs[i]);
		}
	if (again != NULL &&
	    (!same_start(msg, again) || !same_section(&msg->authority, &again->authority) ||
	     !same_section(&msg->additional, &again->additional)))
		abort();
	if (dnswire_parse(data, size, 0, &answers, NULL) == 0) {
		if (!same_start(msg, answers) || answers->authority.n != 0 ||
		    answers->additional.n != 0)
			abort();
	}
	if (dnswire_status(msg, DNSWIRE_TYPE_TLSA) == DNSWIRE_DATA &&
	    dnswire_rrs_of_type(msg, DNSWIRE_TYPE_TLSA) == 0)
		abort();
	(void)dnswire_msg_free(answers);
	(void)dnswire_msg_free(again);
	(void)dnswire_msg_free(msg);
	return 0;
}

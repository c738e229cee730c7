/*
 * dnswire.c - reading DNS messages from a resolver; see dnswire.h.
 *
 * One forward pass over the message: header, question, then the three RR sections. Every
 * multi-octet read goes through need(), which checks the remaining length first, so no read
 * can pass the end of the buffer. Names are read by a loop (never recursion) that follows
 * compression pointers only towards the start of the message: each pointer must point before
 * the run of labels it continues, so the runs start at strictly decreasing offsets and every
 * name ends; DNSWIRE_MAX_JUMPS and the 255-octet limit are a second bound on the work.
 */
#include "lib/dnswire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RFC_HEADER   "RFC 1035 §4.1.1"
#define RFC_QUESTION "RFC 1035 §4.1.2"
#define RFC_RR       "RFC 1035 §4.1.3"
#define RFC_POINTER  "RFC 1035 §4.1.4"
#define RFC_NAME     "RFC 1035 §2.3.4"

/* RFC 1035 §4.1.4: the two top bits of a length octet say "label" (00) or "pointer" (11). */
#define LABEL_KIND_MASK 0xc0
#define LABEL_POINTER   0xc0

/* RFC 1035 §4.1.3: TYPE, CLASS, TTL, RDLENGTH after the owner name. */
#define RR_FIXED_LEN 10
/* The shortest question (root, QTYPE, QCLASS) and the shortest RR (root owner, no RDATA). */
#define MIN_QUESTION_LEN 5
#define MIN_RR_LEN       11

/* Fill reterr with the offset as the place; returns err (-EINVAL or -EMSGSIZE). */
__attribute__((format(printf, 5, 6))) static int wire_error(struct mxs_error *reterr, int err,
							    size_t off, const char *req,
							    const char *fmt, ...)
{
	char where[48];
	char *what;
	va_list ap;

	if (reterr == NULL)
		return err;
	/* An offset has at most 20 digits: the buffer cannot be too small. */
	(void)snprintf(where, sizeof(where), "DNS message, offset %zu", off);
	va_start(ap, fmt);
	what = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	(void)mxs_error_set(reterr, where, req, "%s", what != NULL ? what : "malformed message");
	free(what);
	return err;
}

/*
 * RFC 1035 §2.3.2: integers are in network order. Octets are assembled one by one, so the
 * reads need no alignment and the message may start anywhere in the caller's buffer.
 */
static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Whether n octets are available at off in a message of len octets. Written as a subtraction
 * from len, never as off + n, so a large n taken from the message cannot wrap around.
 */
static bool need(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

/*
 * Append one label octet to the presentation form at out[*pos]. RFC 4343 §2.1 folds case;
 * RFC 1035 §5.1 escapes: "\." and "\\" for the octets that would change the syntax, "\DDD"
 * for anything outside printable ASCII and for the zone-file specials, so the text reads back
 * as the same name. The caller guarantees room for 4 characters.
 */
static size_t put_octet(char *out, size_t pos, unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	if (c == '.' || c == '\\') {
		out[pos++] = '\\';
		out[pos++] = (char)c;
	} else if (c <= 0x20 || c >= 0x7f || c == '"' || c == '(' || c == ')' || c == ';' ||
		   c == '@' || c == '$') {
		out[pos++] = '\\';
		out[pos++] = (char)('0' + c / 100);
		out[pos++] = (char)('0' + c / 10 % 10);
		out[pos++] = (char)('0' + c % 10);
	} else {
		out[pos++] = (char)c;
	}
	return pos;
}

/*
 * Read the (possibly compressed) name starting at off. On success writes its presentation
 * form to out (DNSWIRE_NAME_TEXT_MAX octets) and the offset just after the name as it sits at
 * off (after its first pointer, if any) to *ret_end.
 */
static int read_name(const unsigned char *buf, size_t len, size_t off, char *out, size_t *ret_end,
		     struct mxs_error *reterr)
{
	size_t pos = off, run_start = off, end = 0, text = 0, wire = 0;
	unsigned jumps = 0;
	bool jumped = false;

	for (;;) {
		unsigned char c;
		size_t i;

		/* Every name ends with the root label (a zero octet); the end of data is no end. */
		if (!need(len, pos, 1))
			return wire_error(reterr, -EINVAL, pos, RFC_NAME,
					  "name starting at offset %zu runs past the end of the "
					  "message",
					  off);
		c = buf[pos];
		if ((c & LABEL_KIND_MASK) == LABEL_POINTER) {
			size_t target;

			if (!need(len, pos, 2))
				return wire_error(reterr, -EINVAL, pos, RFC_POINTER,
						  "compression pointer cut by the end of the "
						  "message");
			target = (size_t)get16(buf + pos) & 0x3fff;
			/*
			 * Only backwards, and before the run of labels this pointer ends: the
			 * runs then start at decreasing offsets and no loop is possible.
			 */
			if (target >= pos)
				return wire_error(reterr, -EINVAL, pos, RFC_POINTER,
						  "compression pointer to offset %zu does not "
						  "point backwards",
						  target);
			if (target >= run_start)
				return wire_error(reterr, -EINVAL, pos, RFC_POINTER,
						  "compression pointer to offset %zu makes a loop",
						  target);
			if (++jumps > DNSWIRE_MAX_JUMPS)
				return wire_error(reterr, -EINVAL, pos, RFC_POINTER,
						  "name uses more than %d compression pointers",
						  DNSWIRE_MAX_JUMPS);
			/* The name as it sits in its record ends after its first pointer. */
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = run_start = target;
			continue;
		}
		if ((c & LABEL_KIND_MASK) != 0)
			/* 0x40 and 0x80: RFC 6891 §5 deprecates extended label types. */
			return wire_error(reterr, -EINVAL, pos, RFC_NAME,
					  "length octet 0x%02x: a label longer than %d octets", c,
					  DNSWIRE_MAX_LABEL);
		/*
		 * RFC 1035 §2.3.4 counts the whole name, length octets and the root included, and
		 * the labels reached through pointers as well as those written out.
		 */
		if (wire + 1u + c > DNSWIRE_MAX_WIRE_NAME)
			return wire_error(reterr, -EINVAL, pos, RFC_NAME,
					  "name starting at offset %zu is longer than %d octets",
					  off, DNSWIRE_MAX_WIRE_NAME);
		wire += 1u + c;
		if (c == 0)
			break;
		if (!need(len, pos + 1, c))
			return wire_error(reterr, -EINVAL, pos, RFC_NAME,
					  "label of %u octets runs past the end of the message",
					  (unsigned)c);
		/* The wire limit above keeps text below DNSWIRE_NAME_TEXT_MAX - 1. */
		if (text > 0)
			out[text++] = '.';
		for (i = 0; i < c; i++)
			text = put_octet(out, text, buf[pos + 1 + i]);
		pos += 1u + c;
	}
	/* The root alone has no labels; "." is its only presentation form. */
	if (text == 0)
		out[text++] = '.';
	out[text] = '\0';
	*ret_end = jumped ? end : pos + 1;
	return 0;
}

/* read_name() into a new string: names are built on the stack, then copied at their size. */
static int read_name_dup(const unsigned char *buf, size_t len, size_t off, char **ret_name,
			 size_t *ret_end, struct mxs_error *reterr)
{
	char text[DNSWIRE_NAME_TEXT_MAX];
	char *s;
	int r;

	r = read_name(buf, len, off, text, ret_end, reterr);
	if (r < 0)
		return r;
	s = strdup(text);
	if (s == NULL)
		return -ENOMEM;
	*ret_name = s;
	return 0;
}

int dnswire_header_parse(const unsigned char *buf, size_t len, struct dnswire_header *ret_hdr,
			 struct mxs_error *reterr)
{
	struct dnswire_header h = { 0 };

	if (!need(len, 0, DNSWIRE_HEADER_LEN))
		return wire_error(reterr, -EINVAL, 0, RFC_HEADER,
				  "%zu octets are too short for a DNS header (%d)", len,
				  DNSWIRE_HEADER_LEN);
	h.id = get16(buf);
	/* RFC 1035 §4.1.1 and RFC 4035 §3.2: |QR|Opcode|AA|TC|RD|RA|Z|AD|CD|RCODE| */
	h.qr = (buf[2] & 0x80) != 0;
	h.opcode = (uint8_t)(buf[2] >> 3 & 0x0f);
	h.aa = (buf[2] & 0x04) != 0;
	h.tc = (buf[2] & 0x02) != 0;
	h.rd = (buf[2] & 0x01) != 0;
	h.ra = (buf[3] & 0x80) != 0;
	h.ad = (buf[3] & 0x20) != 0;
	h.cd = (buf[3] & 0x10) != 0;
	h.rcode = (uint8_t)(buf[3] & 0x0f);
	h.qdcount = get16(buf + 4);
	h.ancount = get16(buf + 6);
	h.nscount = get16(buf + 8);
	h.arcount = get16(buf + 10);
	*ret_hdr = h;
	return 0;
}

/* Free the owners of a section's records and the array; the RDATA is borrowed, not freed. */
static void section_clear(struct dnswire_section *sec)
{
	size_t i;

	for (i = 0; i < sec->n; i++)
		free(sec->rrs[i].owner);
	free(sec->rrs);
	sec->rrs = NULL;
	sec->n = 0;
}

struct dnswire_msg *dnswire_msg_free(struct dnswire_msg *msg)
{
	if (msg == NULL)
		return NULL;
	free(msg->qname);
	section_clear(&msg->answer);
	section_clear(&msg->authority);
	section_clear(&msg->additional);
	free(msg);
	return NULL;
}

/*
 * Read count RRs at *pos. When keep is not NULL, store them there (the array is allocated
 * for count records; sec->n grows as records are read, so a failure frees what was stored).
 */
static int read_section(const unsigned char *buf, size_t len, size_t *pos, uint16_t count,
			const char *name, struct dnswire_section *keep, struct mxs_error *reterr)
{
	char owner[DNSWIRE_NAME_TEXT_MAX];
	size_t p = *pos, i;
	int r;

	if (keep != NULL && count > 0) {
		keep->rrs = calloc(count, sizeof(*keep->rrs));
		if (keep->rrs == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		size_t start = p, end;
		uint16_t rdlength;

		/* RFC 1035 §4.1.3: NAME, then the fixed fields, then RDLENGTH octets of RDATA. */
		r = read_name(buf, len, p, owner, &end, reterr);
		if (r < 0)
			return r;
		p = end;
		if (!need(len, p, RR_FIXED_LEN))
			return wire_error(reterr, -EINVAL, p, RFC_RR,
					  "record %zu of the %s section (offset %zu) is cut "
					  "after its owner name",
					  i + 1, name, start);
		rdlength = get16(buf + p + 8);
		if (!need(len, p + RR_FIXED_LEN, rdlength))
			return wire_error(reterr, -EINVAL, p + 8, RFC_RR,
					  "RDLENGTH %u of record %zu of the %s section runs past "
					  "the end of the message",
					  (unsigned)rdlength, i + 1, name);
		if (keep != NULL) {
			struct dnswire_rr *rr = &keep->rrs[i];

			rr->owner = strdup(owner);
			if (rr->owner == NULL)
				return -ENOMEM;
			keep->n = i + 1;
			rr->type = get16(buf + p);
			rr->class = get16(buf + p + 2);
			rr->ttl = get32(buf + p + 4);
			rr->rdlength = rdlength;
			rr->rdata_off = p + RR_FIXED_LEN;
			rr->rdata = buf + rr->rdata_off;
		}
		/*
		 * RDATA is not interpreted here: its syntax depends on the type, and the callers
		 * (TLSA, CNAME, MX readers) check it against rdlength themselves.
		 */
		p += RR_FIXED_LEN + (size_t)rdlength;
	}
	*pos = p;
	return 0;
}

/* Everything of dnswire_parse() after the header, into msg (freed by the caller on error). */
static int parse_body(const unsigned char *buf, size_t len, unsigned flags, struct dnswire_msg *msg,
		      struct mxs_error *reterr)
{
	const struct dnswire_header *h = &msg->hdr;
	size_t pos = DNSWIRE_HEADER_LEN, least;
	int r;

	/*
	 * Counts that cannot fit are rejected before anything is allocated for them: every
	 * question takes 5 octets at least, every RR 11.
	 */
	least = (size_t)h->qdcount * MIN_QUESTION_LEN +
		((size_t)h->ancount + h->nscount + h->arcount) * MIN_RR_LEN;
	if (least > len - DNSWIRE_HEADER_LEN)
		return wire_error(
		    reterr, -EINVAL, 4, RFC_HEADER,
		    "QDCOUNT %u, ANCOUNT %u, NSCOUNT %u and ARCOUNT %u need at least %zu "
		    "octets after the header, the message has %zu",
		    (unsigned)h->qdcount, (unsigned)h->ancount, (unsigned)h->nscount,
		    (unsigned)h->arcount, least, len - DNSWIRE_HEADER_LEN);
	if (h->qdcount > 1)
		return wire_error(reterr, -EINVAL, 4, "RFC 9619",
				  "%u questions in one message; a resolver answers one",
				  (unsigned)h->qdcount);
	/* RFC 1035 §4.1.2: QNAME, QTYPE, QCLASS; the caller compares them with what it asked. */
	if (h->qdcount == 1) {
		r = read_name_dup(buf, len, pos, &msg->qname, &pos, reterr);
		if (r < 0)
			return r;
		if (!need(len, pos, 4))
			return wire_error(reterr, -EINVAL, pos, RFC_QUESTION,
					  "question cut after its name");
		msg->qtype = get16(buf + pos);
		msg->qclass = get16(buf + pos + 2);
		pos += 4;
	}
	/*
	 * The authority and additional sections are read even when not kept: a malformed record
	 * anywhere makes the whole message untrustworthy, and the end of the last section is
	 * where the message must end.
	 */
	r = read_section(buf, len, &pos, h->ancount, "answer", &msg->answer, reterr);
	if (r < 0)
		return r;
	r = read_section(buf, len, &pos, h->nscount, "authority",
			 (flags & DNSWIRE_AUTHORITY) != 0 ? &msg->authority : NULL, reterr);
	if (r < 0)
		return r;
	r = read_section(buf, len, &pos, h->arcount, "additional",
			 (flags & DNSWIRE_ADDITIONAL) != 0 ? &msg->additional : NULL, reterr);
	if (r < 0)
		return r;
	/* See dnswire.h: the counts must account for every octet. */
	if (pos != len)
		return wire_error(reterr, -EINVAL, pos, RFC_HEADER,
				  "%zu trailing octets after the last record", len - pos);
	return 0;
}

int dnswire_parse(const unsigned char *buf, size_t len, unsigned flags,
		  struct dnswire_msg **ret_msg, struct mxs_error *reterr)
{
	struct dnswire_msg *msg;
	struct dnswire_header h;
	int r;

	r = dnswire_header_parse(buf, len, &h, reterr);
	if (r < 0)
		return r;
	/* RFC 2181 §9: a truncated message is incomplete; its sections are not to be used. */
	if (h.tc)
		return wire_error(reterr, -EMSGSIZE, 2, RFC_HEADER,
				  "answer truncated (TC set); ask again over TCP");
	msg = calloc(1, sizeof(*msg));
	if (msg == NULL)
		return -ENOMEM;
	msg->hdr = h;
	msg->buf = buf;
	msg->len = len;
	r = parse_body(buf, len, flags, msg, reterr);
	if (r < 0) {
		(void)dnswire_msg_free(msg);
		return r;
	}
	*ret_msg = msg;
	return 0;
}

/* A linear scan: answers hold a handful of records, and message order is kept for callers. */
const struct dnswire_rr *dnswire_rr_next(const struct dnswire_section *sec, uint16_t type,
					 size_t *iter)
{
	while (*iter < sec->n) {
		const struct dnswire_rr *rr = &sec->rrs[(*iter)++];

		if (rr->type == type)
			return rr;
	}
	return NULL;
}

size_t dnswire_rrs_of_type(const struct dnswire_msg *msg, uint16_t type)
{
	size_t iter = 0, n = 0;

	while (dnswire_rr_next(&msg->answer, type, &iter) != NULL)
		n++;
	return n;
}

enum dnswire_status dnswire_status(const struct dnswire_msg *msg, uint16_t qtype)
{
	/* DANE-DNS-03: NXDOMAIN and NODATA are answers; DANE-DNS-02: other RCODEs are errors. */
	switch (msg->hdr.rcode) {
	case DNSWIRE_RCODE_NOERROR:
		/* RFC 2308 §2.2: NODATA is NOERROR with no record of the type for the name. */
		return dnswire_rrs_of_type(msg, qtype) > 0 ? DNSWIRE_DATA : DNSWIRE_NODATA;
	case DNSWIRE_RCODE_NXDOMAIN:
		/* RFC 6604 §2: with a CNAME chain, RCODE describes the last name of the chain. */
		return DNSWIRE_NXDOMAIN;
	default:
		return DNSWIRE_LOOKUP_ERROR;
	}
}

/*
 * Read the name at offset skip of rr's RDATA; it must end exactly where the RDATA ends. The
 * name is read against the whole message (its pointers may lead anywhere before it), but its
 * own octets must lie inside the RDATA: reading against a length cut at the RDATA's end
 * rejects a name running over into the next record.
 */
static int rdata_name_at(const struct dnswire_msg *msg, const struct dnswire_rr *rr, size_t skip,
			 char **ret_name, struct mxs_error *reterr)
{
	size_t rd_end = rr->rdata_off + rr->rdlength, end;
	char *name = NULL;
	int r;

	if (skip >= rr->rdlength)
		return wire_error(reterr, -EINVAL, rr->rdata_off, RFC_RR,
				  "RDATA of %u octets holds no name", (unsigned)rr->rdlength);
	r = read_name_dup(msg->buf, rd_end, rr->rdata_off + skip, &name, &end, reterr);
	if (r < 0)
		return r;
	if (end != rd_end) {
		free(name);
		return wire_error(reterr, -EINVAL, end, RFC_RR,
				  "%zu octets after the name in the RDATA", rd_end - end);
	}
	*ret_name = name;
	return 0;
}

int dnswire_rdata_name(const struct dnswire_msg *msg, const struct dnswire_rr *rr, char **ret_name,
		       struct mxs_error *reterr)
{
	return rdata_name_at(msg, rr, 0, ret_name, reterr);
}

int dnswire_rdata_mx(const struct dnswire_msg *msg, const struct dnswire_rr *rr, uint16_t *ret_pref,
		     char **ret_name, struct mxs_error *reterr)
{
	char *name = NULL;
	int r;

	/* The preference, then at least the root label. */
	if (rr->rdlength < 3)
		return wire_error(reterr, -EINVAL, rr->rdata_off, "RFC 1035 §3.3.9",
				  "MX RDATA of %u octets is too short", (unsigned)rr->rdlength);
	r = rdata_name_at(msg, rr, 2, &name, reterr);
	if (r < 0)
		return r;
	*ret_pref = get16(rr->rdata);
	*ret_name = name;
	return 0;
}

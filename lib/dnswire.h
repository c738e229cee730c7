/*
 * dnswire.h - reading DNS messages (RFC 1035 §4.1) received from a resolver, with bounds.
 *
 * c-ares 1.18 (Debian 12) has no parser for TLSA and does not expose the header's AD bit, so
 * the agent asks with ares_send() and reads the raw answer here: the header with its flags
 * (QR AA TC RD RA, and AD CD of RFC 4035 §3.2), the question, and every resource record of the
 * answer section (the authority and additional sections on request), each with its owner name
 * decompressed into presentation form and its RDATA borrowed from the message.
 *
 * The reader trusts nothing in the message. Every read is checked against its length; names
 * obey RFC 1035 §2.3.4 (labels of at most 63 octets, at most 255 octets on the wire) and
 * compression pointers (§4.1.4) must point before the name they continue, so loops and forward
 * pointers are rejected and a name takes at most DNSWIRE_MAX_JUMPS jumps. Malformed messages
 * are -EINVAL with the offset and the reason in reterr.
 *
 * Decisions:
 *  - A message with TC set is not parsed beyond its header: its sections are incomplete by
 *    definition (RFC 2181 §9), and a partial RRset must never pass for the whole one.
 *    dnswire_parse() returns -EMSGSIZE; the caller retries over TCP (RFC 7766 §5).
 *  - The counts must describe the message exactly: octets after the last record of the
 *    additional section are rejected (-EINVAL, "trailing octets"), as knot does. A resolver
 *    has no reason to send them, and they mean the counts and the content disagree.
 *  - At most one question (RFC 9619): a resolver's answer echoes the one question asked.
 *  - RCODE is the 4-bit header field; the EDNS extended RCODE (RFC 6891 §6.1.3) is not merged.
 *
 * Ownership: a parsed message borrows the buffer it was read from. Every rdata pointer points
 * into that buffer, and the names in RDATA are decoded from it, so the buffer must outlive the
 * message (in a c-ares callback, finish with the message, or copy what is needed, before
 * returning). Owner names belong to the message; dnswire_msg_free() releases everything.
 */
#ifndef MXS_LIB_DNSWIRE_H
#define MXS_LIB_DNSWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* RFC 1035 §4.1.1: the fixed header. */
#define DNSWIRE_HEADER_LEN 12
/* RFC 1035 §2.3.4: a name is at most 255 octets on the wire, a label at most 63. */
#define DNSWIRE_MAX_WIRE_NAME 255
#define DNSWIRE_MAX_LABEL     63
/* Compression pointers followed in one name; real names need a handful. */
#define DNSWIRE_MAX_JUMPS 64
/*
 * Room for a name in presentation form, NUL included: 255 wire octets hold at most 250
 * label octets in 4 labels, each octet at most 4 characters ("\DDD"), plus 3 dots.
 */
#define DNSWIRE_NAME_TEXT_MAX 1004

/* RR types and classes the agent reads (RFC 1035 §3.2.2, RFC 6698 §7.1). */
#define DNSWIRE_TYPE_A     1
#define DNSWIRE_TYPE_NS    2
#define DNSWIRE_TYPE_CNAME 5
#define DNSWIRE_TYPE_SOA   6
#define DNSWIRE_TYPE_MX    15
#define DNSWIRE_TYPE_TXT   16
#define DNSWIRE_TYPE_AAAA  28
#define DNSWIRE_TYPE_OPT   41
#define DNSWIRE_TYPE_RRSIG 46
#define DNSWIRE_TYPE_NSEC  47
#define DNSWIRE_TYPE_TLSA  52
#define DNSWIRE_CLASS_IN   1

/* RFC 1035 §4.1.1, RFC 2136 §2.2: header RCODE values. */
#define DNSWIRE_RCODE_NOERROR  0
#define DNSWIRE_RCODE_FORMERR  1
#define DNSWIRE_RCODE_SERVFAIL 2
#define DNSWIRE_RCODE_NXDOMAIN 3
#define DNSWIRE_RCODE_NOTIMP   4
#define DNSWIRE_RCODE_REFUSED  5

/* Flags for dnswire_parse(): which sections beyond the answer to keep. */
#define DNSWIRE_AUTHORITY  (1u << 0)
#define DNSWIRE_ADDITIONAL (1u << 1)

struct dnswire_header {
	uint16_t id;
	bool qr;        /* a response */
	bool aa;        /* authoritative answer */
	bool tc;        /* truncated */
	bool rd;        /* recursion desired */
	bool ra;        /* recursion available */
	bool ad;        /* authentic data: the resolver validated it (RFC 4035 §3.2.3) */
	bool cd;        /* checking disabled (RFC 4035 §3.2.2) */
	uint8_t opcode; /* 0..15 */
	uint8_t rcode;  /* 0..15, DNSWIRE_RCODE_* */
	uint16_t qdcount, ancount, nscount, arcount;
};

/* One resource record (RFC 1035 §4.1.3). */
struct dnswire_rr {
	char *owner; /* presentation form: lower case, no trailing dot, "." for the root, octets
		      * outside LDH escaped as "\." "\\" or "\DDD"; owned by the message */
	uint16_t type;
	uint16_t class;
	uint32_t ttl;               /* as sent (RFC 2181 §8 asks to read above 2^31-1 as 0) */
	const unsigned char *rdata; /* borrowed: points into the parsed buffer */
	uint16_t rdlength;          /* octets at rdata, all inside the buffer */
	size_t rdata_off;           /* offset of rdata in the message */
};

struct dnswire_section {
	struct dnswire_rr *rrs; /* n records in message order; owned by the message */
	size_t n;
};

struct dnswire_msg {
	struct dnswire_header hdr;
	char *qname;    /* the question's name (presentation form), or NULL when qdcount is 0 */
	uint16_t qtype; /* valid when qname is not NULL */
	uint16_t qclass;
	struct dnswire_section answer;
	struct dnswire_section authority;  /* empty unless DNSWIRE_AUTHORITY was asked */
	struct dnswire_section additional; /* empty unless DNSWIRE_ADDITIONAL was asked */
	const unsigned char *buf;          /* borrowed: the message the records point into */
	size_t len;
};

/* What a parsed answer says about the question's name and type (DANE-DNS-02, DANE-DNS-03). */
enum dnswire_status {
	DNSWIRE_DATA,         /* NOERROR with at least one answer RR of the type asked */
	DNSWIRE_NODATA,       /* NOERROR without one: the name exists, the type does not */
	DNSWIRE_NXDOMAIN,     /* RCODE 3: the name (or the end of its CNAME chain) does not exist */
	DNSWIRE_LOOKUP_ERROR, /* any other RCODE (SERVFAIL, REFUSED, ...): no answer at all */
};

/*
 * Read only the 12-octet header of a DNS message.
 *
 * buf, len:  the message; only its first DNSWIRE_HEADER_LEN octets are read.
 * ret_hdr:   on success, the header fields.
 * reterr:    optional; on -EINVAL, the reason.
 *
 * Returns 0, or -EINVAL when len is shorter than a header. TC is not an error here.
 */
int dnswire_header_parse(const unsigned char *buf, size_t len, struct dnswire_header *ret_hdr,
			 struct mxs_error *reterr);

/*
 * Parse a whole DNS message received from a resolver.
 *
 * buf, len:  the message, exactly as received (need not be aligned or NUL-terminated). The
 *            message keeps pointers into it: it must outlive *ret_msg.
 * flags:     DNSWIRE_AUTHORITY and/or DNSWIRE_ADDITIONAL to keep those sections too; they
 *            are checked either way.
 * ret_msg:   on success, a new message; free with dnswire_msg_free(). Untouched on failure.
 * reterr:    optional; on -EINVAL or -EMSGSIZE, the place ("DNS message, offset N"), the
 *            rule broken and the reason.
 *
 * Returns 0; -EMSGSIZE when the header has TC set (nothing else is read); -EINVAL for a
 * malformed message (see the top of this file); -ENOMEM.
 */
int dnswire_parse(const unsigned char *buf, size_t len, unsigned flags,
		  struct dnswire_msg **ret_msg, struct mxs_error *reterr);

/* Release a message (not the buffer it borrows). NULL-safe; returns NULL. */
struct dnswire_msg *dnswire_msg_free(struct dnswire_msg *msg);

/* Number of records of the given type in the answer section. */
size_t dnswire_rrs_of_type(const struct dnswire_msg *msg, uint16_t type);

/*
 * Iterate over the records of one type in a section: start with *iter = 0, call until NULL.
 * The records returned belong to the message.
 */
const struct dnswire_rr *dnswire_rr_next(const struct dnswire_section *sec, uint16_t type,
					 size_t *iter);

/*
 * Classify an answer to a question of type qtype (RFC 1035 §4.1.1, RFC 2308 §2): the RCODE,
 * and for NOERROR whether an answer RR of qtype is present (a CNAME alone is NODATA).
 * Owners are not compared; the caller follows the CNAME chain for that.
 */
enum dnswire_status dnswire_status(const struct dnswire_msg *msg, uint16_t qtype);

/*
 * Decode the name that forms the whole RDATA of a CNAME, NS, PTR or DNAME record.
 * Compression pointers in RDATA point into the message, which is why this needs msg.
 *
 * msg:       the message rr belongs to.
 * rr:        the record.
 * ret_name:  on success, a new string in presentation form; the caller frees it.
 * reterr:    optional; on -EINVAL, the offset and the reason.
 *
 * Returns 0; -EINVAL for a malformed name or one that does not end exactly at the end of the
 * RDATA; -ENOMEM.
 */
int dnswire_rdata_name(const struct dnswire_msg *msg, const struct dnswire_rr *rr, char **ret_name,
		       struct mxs_error *reterr);

/*
 * Decode MX RDATA (RFC 1035 §3.3.9): a 16-bit preference, then the exchange name.
 * Parameters and returns as for dnswire_rdata_name(); ret_pref receives the preference.
 */
int dnswire_rdata_mx(const struct dnswire_msg *msg, const struct dnswire_rr *rr, uint16_t *ret_pref,
		     char **ret_name, struct mxs_error *reterr);

#endif

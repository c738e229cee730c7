/*
 * test_dnswire.c - reading DNS messages (lib/dnswire.c): the header and its AD bit (RFC 4035
 * §3.2), names with compression (RFC 1035 §4.1.4) and their limits (§2.3.4), the answers a
 * DANE lookup meets (DANE-DNS-02, DANE-DNS-03), and malformed messages.
 *
 * Messages are built by hand with the small writer below. With MXS_DNSWIRE_CORPUS=DIR in the
 * environment, every message of the table is also written to DIR under its case's slug: that
 * is how fuzz/corpus/dnswire/ was made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/dnswire.h"

/* --- a tiny message writer -------------------------------------------------------------------- */

struct wire {
	unsigned char b[2048];
	size_t n;
};

static void w8(struct wire *w, unsigned v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = (unsigned char)v;
}

static void w16(struct wire *w, unsigned v)
{
	w8(w, v >> 8 & 0xff);
	w8(w, v & 0xff);
}

static void w32(struct wire *w, uint32_t v)
{
	w16(w, v >> 16);
	w16(w, v & 0xffff);
}

static void wbytes(struct wire *w, const void *p, size_t n)
{
	assert_true(n <= sizeof(w->b) - w->n);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* The labels of a dotted name, without the root label (a pointer or 0 must follow). */
static size_t wlabels(struct wire *w, const char *dotted)
{
	size_t start = w->n;

	while (*dotted != '\0') {
		size_t l = strcspn(dotted, ".");

		w8(w, (unsigned)l);
		wbytes(w, dotted, l);
		dotted += l;
		if (*dotted == '.')
			dotted++;
	}
	return start;
}

/* An uncompressed name; returns its offset. */
static size_t wname(struct wire *w, const char *dotted)
{
	size_t start = wlabels(w, dotted);

	w8(w, 0);
	return start;
}

static void wptr(struct wire *w, size_t off)
{
	w16(w, 0xc000 | (unsigned)off);
}

/* Header flag octets (RFC 1035 §4.1.1, RFC 4035 §3.2). */
#define F2_QR 0x80
#define F2_AA 0x04
#define F2_TC 0x02
#define F2_RD 0x01
#define F3_RA 0x80
#define F3_AD 0x20
#define F3_CD 0x10

static void whdr(struct wire *w, unsigned f2, unsigned f3, unsigned qd, unsigned an, unsigned ns,
		 unsigned ar)
{
	w->n = 0;
	w16(w, 0x1234);
	w8(w, f2);
	w8(w, f3);
	w16(w, qd);
	w16(w, an);
	w16(w, ns);
	w16(w, ar);
}

/* A question for name, class IN; returns the offset of its name. */
static size_t wquestion(struct wire *w, const char *name, unsigned type)
{
	size_t off = wname(w, name);

	w16(w, type);
	w16(w, DNSWIRE_CLASS_IN);
	return off;
}

/* After an owner name: TYPE, CLASS IN, TTL, a RDLENGTH to patch; returns where it is. */
static size_t wrr_begin(struct wire *w, unsigned type, uint32_t ttl)
{
	size_t at;

	w16(w, type);
	w16(w, DNSWIRE_CLASS_IN);
	w32(w, ttl);
	at = w->n;
	w16(w, 0);
	return at;
}

static void wrr_end(struct wire *w, size_t at)
{
	size_t rdlen = w->n - at - 2;

	w->b[at] = (unsigned char)(rdlen >> 8);
	w->b[at + 1] = (unsigned char)(rdlen & 0xff);
}

/* TLSA RDATA 3 1 1 with a 32-octet digest filled with fill. */
static void wtlsa(struct wire *w, unsigned fill)
{
	size_t at = wrr_begin(w, DNSWIRE_TYPE_TLSA, 3600), i;

	w8(w, 3);
	w8(w, 1);
	w8(w, 1);
	for (i = 0; i < 32; i++)
		w8(w, fill);
	wrr_end(w, at);
}

/* A SOA record for the zone at zone_off (a compressed owner and compressed RDATA names). */
static void wsoa(struct wire *w, size_t zone_off)
{
	size_t at;

	wptr(w, zone_off);
	at = wrr_begin(w, DNSWIRE_TYPE_SOA, 300);
	wlabels(w, "ns1");
	wptr(w, zone_off);
	wlabels(w, "hostmaster");
	wptr(w, zone_off);
	w32(w, 2024010101);
	w32(w, 7200);
	w32(w, 3600);
	w32(w, 1209600);
	w32(w, 300);
	wrr_end(w, at);
}

#define QNAME "_25._tcp.mx.example.com"
/* Offset of "example.com" inside QNAME written at 12: 12 + 4 ("_25") + 5 ("_tcp") + 3 ("mx"). */
#define QNAME_EXAMPLE_COM 24

/* --- the messages ----------------------------------------------------------------------------- */

static void m_tlsa_ad(struct wire *w)
{
	size_t q;

	whdr(w, F2_QR | F2_RD, F3_RA | F3_AD, 1, 2, 0, 0);
	q = wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	wptr(w, q);
	wtlsa(w, 0xaa);
	wptr(w, q);
	wtlsa(w, 0xbb);
}

/* The same answer without compression and without AD: insecure data (DANE-DNS-02). */
static void m_tlsa_plain(struct wire *w)
{
	whdr(w, F2_QR | F2_RD, F3_RA, 1, 1, 0, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	(void)wname(w, QNAME);
	wtlsa(w, 0xcc);
}

/*
 * DANE-LKP-06: _25._tcp.mx.example.com CNAME tlsa.example.com (its RDATA compressed against the
 * question), then the TLSA RRset at tlsa.example.com, whose owner points into that RDATA.
 */
static void m_cname_tlsa(struct wire *w)
{
	size_t q, at, target;

	whdr(w, F2_QR | F2_RD, F3_RA | F3_AD, 1, 2, 0, 0);
	q = wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	wptr(w, q);
	at = wrr_begin(w, DNSWIRE_TYPE_CNAME, 3600);
	target = wlabels(w, "tlsa");
	wptr(w, QNAME_EXAMPLE_COM);
	wrr_end(w, at);
	wptr(w, target);
	wtlsa(w, 0xdd);
}

/* DANE-DNS-03: NXDOMAIN with the zone's SOA in the authority section. */
static void m_nxdomain(struct wire *w)
{
	whdr(w, F2_QR | F2_RD, F3_RA | F3_AD, 1, 0, 1, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	wsoa(w, QNAME_EXAMPLE_COM);
	w->b[3] |= DNSWIRE_RCODE_NXDOMAIN;
}

/* DANE-DNS-03: NODATA: NOERROR, no answer, the SOA in the authority section. */
static void m_nodata(struct wire *w)
{
	whdr(w, F2_QR | F2_RD, F3_RA | F3_AD, 1, 0, 1, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	wsoa(w, QNAME_EXAMPLE_COM);
}

/* DANE-DNS-02: SERVFAIL is a lookup error. */
static void m_servfail(struct wire *w)
{
	whdr(w, F2_QR | F2_RD, F3_RA | DNSWIRE_RCODE_SERVFAIL, 1, 0, 0, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
}

/* An EDNS OPT record (root owner) in the additional section, and an MX answer. */
static void m_mx_opt(struct wire *w)
{
	size_t q, at;

	whdr(w, F2_QR | F2_RD, F3_RA, 1, 1, 0, 1);
	q = wquestion(w, "Example.COM", DNSWIRE_TYPE_MX);
	wptr(w, q);
	at = wrr_begin(w, DNSWIRE_TYPE_MX, 300);
	w16(w, 10);
	wlabels(w, "MX1");
	wptr(w, q);
	wrr_end(w, at);
	w8(w, 0);
	w16(w, DNSWIRE_TYPE_OPT);
	w16(w, 1232);
	w32(w, 0);
	w16(w, 0);
}

/* Octets that need escapes in presentation form: a dot and a space inside labels. */
static void m_escapes(struct wire *w)
{
	size_t at;

	whdr(w, F2_QR, F3_RA, 0, 1, 0, 0);
	w8(w, 5);
	wbytes(w, "A.b C", 5);
	(void)wname(w, "Example");
	at = wrr_begin(w, DNSWIRE_TYPE_A, 60);
	w32(w, 0xc0000201);
	wrr_end(w, at);
}

/* The longest name: 63+63+63+61 octets of labels, 255 on the wire. */
static void m_name_255(struct wire *w)
{
	char name[300];

	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	whdr(w, F2_QR, F3_RA, 1, 0, 0, 0);
	(void)wquestion(w, name, DNSWIRE_TYPE_TLSA);
}

static void m_name_256(struct wire *w)
{
	char name[300];

	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[254] = '\0';
	whdr(w, F2_QR, F3_RA, 1, 0, 0, 0);
	(void)wquestion(w, name, DNSWIRE_TYPE_TLSA);
}

/* Five labels of 63: 321 octets, even though each label is fine. */
static void m_name_long(struct wire *w)
{
	char name[400];

	memset(name, 'b', sizeof(name));
	name[63] = name[127] = name[191] = name[255] = '.';
	name[319] = '\0';
	whdr(w, F2_QR, F3_RA, 1, 0, 0, 0);
	(void)wquestion(w, name, DNSWIRE_TYPE_TLSA);
}

/* A name under 255 octets by its own labels but over it through a pointer. */
static void m_name_long_compressed(struct wire *w)
{
	char name[200];
	size_t q, at;

	memset(name, 'c', sizeof(name));
	name[63] = name[127] = '.';
	name[191] = '\0';
	whdr(w, F2_QR, F3_RA, 1, 1, 0, 0);
	q = wquestion(w, name, DNSWIRE_TYPE_A);
	/* 60 + 1 + 1 + 1 octets of labels, then the 193 of the question's name: 256 */
	memset(name, 'd', 60);
	memcpy(name + 60, ".e", 3);
	wlabels(w, name);
	wptr(w, q);
	at = wrr_begin(w, DNSWIRE_TYPE_A, 60);
	w32(w, 0xc0000201);
	wrr_end(w, at);
}

/* A length octet of 64 (0x40): over the 63-octet limit, and no pointer either. */
static void m_label_64(struct wire *w)
{
	size_t i;

	whdr(w, F2_QR, F3_RA, 1, 0, 0, 0);
	w8(w, 64);
	for (i = 0; i < 64; i++)
		w8(w, 'x');
	w8(w, 0);
	w16(w, DNSWIRE_TYPE_TLSA);
	w16(w, DNSWIRE_CLASS_IN);
}

/* A label that points to itself through its own name: "a" then a pointer to the "a". */
static void m_loop(struct wire *w)
{
	size_t at, self;

	whdr(w, F2_QR, F3_RA, 1, 1, 0, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	self = wlabels(w, "a");
	wptr(w, self);
	at = wrr_begin(w, DNSWIRE_TYPE_TLSA, 60);
	w8(w, 3);
	wrr_end(w, at);
}

/* A pointer to itself. */
static void m_self_pointer(struct wire *w)
{
	size_t at;

	whdr(w, F2_QR, F3_RA, 1, 1, 0, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	wptr(w, w->n);
	at = wrr_begin(w, DNSWIRE_TYPE_TLSA, 60);
	w8(w, 3);
	wrr_end(w, at);
}

/* An owner pointing forward, to the name in the next record. */
static void m_forward(struct wire *w)
{
	size_t at;

	whdr(w, F2_QR, F3_RA, 0, 2, 0, 0);
	wptr(w, w->n + 2 + 10 + 1);
	at = wrr_begin(w, DNSWIRE_TYPE_TLSA, 60);
	w8(w, 3);
	wrr_end(w, at);
	(void)wname(w, "later.example");
	at = wrr_begin(w, DNSWIRE_TYPE_TLSA, 60);
	w8(w, 3);
	wrr_end(w, at);
}

/*
 * A chain of n pointers, each to the one before, ending in the name "a": stored as the RDATA of
 * a private-type record, then used as the owner of the next record.
 */
static void chain(struct wire *w, unsigned n)
{
	size_t at, prev, i;

	whdr(w, F2_QR, F3_RA, 0, 2, 0, 0);
	w8(w, 0); /* the root as owner */
	at = wrr_begin(w, 65280, 60);
	prev = wname(w, "a");
	for (i = 0; i + 1 < n; i++) {
		size_t here = w->n;

		wptr(w, prev);
		prev = here;
	}
	wrr_end(w, at);
	wptr(w, prev);
	at = wrr_begin(w, DNSWIRE_TYPE_A, 60);
	w32(w, 0xc0000201);
	wrr_end(w, at);
}

static void m_jumps_64(struct wire *w)
{
	chain(w, DNSWIRE_MAX_JUMPS);
}

static void m_jumps_65(struct wire *w)
{
	chain(w, DNSWIRE_MAX_JUMPS + 1);
}

static void m_rdlength_past_end(struct wire *w)
{
	m_tlsa_ad(w);
	w->b[w->n - 35 - 2] = 0;
	w->b[w->n - 35 - 1] = 36;
}

static void m_counts_too_large(struct wire *w)
{
	m_tlsa_ad(w);
	w->b[6] = 1; /* ANCOUNT 265, two present */
}

/* ANCOUNT 3 with two records and 12 more octets: the counts fit, the third record does not. */
static void m_count_one_more(struct wire *w)
{
	m_tlsa_ad(w);
	w->b[7] = 3;
	wptr(w, DNSWIRE_HEADER_LEN);
	w16(w, DNSWIRE_TYPE_TLSA);
	w16(w, DNSWIRE_CLASS_IN);
	w32(w, 60);
	w16(w, 5);
}

static void m_header_11(struct wire *w)
{
	m_tlsa_ad(w);
	w->n = 11;
}

static void m_empty(struct wire *w)
{
	w->n = 0;
}

static void m_trailing(struct wire *w)
{
	m_tlsa_ad(w);
	wbytes(w, "\0\0\0", 3);
}

static void m_tc(struct wire *w)
{
	m_tlsa_ad(w);
	w->b[2] |= F2_TC;
	w->n -= 20; /* cut inside the last record, as a truncating server may */
}

static void m_two_questions(struct wire *w)
{
	whdr(w, F2_QR, F3_RA, 2, 0, 0, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	(void)wquestion(w, "mx.example.com", DNSWIRE_TYPE_A);
}

static void m_question_cut(struct wire *w)
{
	whdr(w, F2_QR, F3_RA, 1, 0, 0, 0);
	(void)wquestion(w, QNAME, DNSWIRE_TYPE_TLSA);
	w->n -= 2;
}

static void m_label_past_end(struct wire *w)
{
	whdr(w, F2_QR, F3_RA, 1, 0, 0, 0);
	w8(w, 40);
	wbytes(w, "example", 7);
}

/* A second owner name whose pointer has only its first octet before the end. */
static void m_pointer_cut(struct wire *w)
{
	size_t at;

	whdr(w, F2_QR, F3_RA, 0, 2, 0, 0);
	w8(w, 0);
	at = wrr_begin(w, 65280, 60);
	wbytes(w, "0123456789", 10);
	wrr_end(w, at);
	w8(w, 0xc0);
}

static void m_extended_label(struct wire *w)
{
	whdr(w, F2_QR, F3_RA, 1, 0, 0, 0);
	w8(w, 0x41);
	wbytes(w, "\0\0\0\0\0\0\0", 7);
}

static void m_rr_cut_after_owner(struct wire *w)
{
	whdr(w, F2_QR, F3_RA, 0, 1, 0, 0);
	(void)wname(w, "example.com");
}

/* --- the table -------------------------------------------------------------------------------- */

#define ANY -1

struct msg_case {
	const char *name; /* rule, and what the case shows */
	const char *slug; /* seed file name in fuzz/corpus/dnswire/ */
	void (*build)(struct wire *w);
	unsigned flags;
	int want; /* 0, -EINVAL or -EMSGSIZE */
	/* when accepted: */
	int ad, rcode;
	size_t n_answer, n_authority, n_additional, n_tlsa;
	int status;
	const char *owner0; /* owner of the first answer, or NULL */
	const char *qname;  /* the question's name, or NULL */
	const char *why;    /* when rejected: a part of the reason */
};

#define ALL (DNSWIRE_AUTHORITY | DNSWIRE_ADDITIONAL)

static const struct msg_case cases[] = {
	{ "RFC 4035 §3.2.3 AD set, two TLSA RRs (DANE-DNS-01)", "tlsa-ad", m_tlsa_ad, 0, 0, 1, 0, 2,
	  0, 0, 2, DNSWIRE_DATA, QNAME, QNAME, NULL },
	{ "DANE-DNS-02 TLSA without AD, no compression", "tlsa-insecure", m_tlsa_plain, ALL, 0, 0,
	  0, 1, 0, 0, 1, DNSWIRE_DATA, QNAME, QNAME, NULL },
	{ "DANE-LKP-06 CNAME chain then TLSA", "cname-tlsa", m_cname_tlsa, 0, 0, 1, 0, 2, 0, 0, 1,
	  DNSWIRE_DATA, QNAME, QNAME, NULL },
	{ "DANE-DNS-03 NXDOMAIN with SOA", "nxdomain", m_nxdomain, DNSWIRE_AUTHORITY, 0, 1, 3, 0, 1,
	  0, 0, DNSWIRE_NXDOMAIN, NULL, QNAME, NULL },
	{ "DANE-DNS-03 NODATA with SOA", "nodata-soa", m_nodata, DNSWIRE_AUTHORITY, 0, 1, 0, 0, 1,
	  0, 0, DNSWIRE_NODATA, NULL, QNAME, NULL },
	{ "DANE-DNS-03 NODATA, authority not kept", "nodata-soa", m_nodata, 0, 0, 1, 0, 0, 0, 0, 0,
	  DNSWIRE_NODATA, NULL, QNAME, NULL },
	{ "DANE-DNS-02 SERVFAIL is a lookup error", "servfail", m_servfail, ALL, 0, 0, 2, 0, 0, 0,
	  0, DNSWIRE_LOOKUP_ERROR, NULL, QNAME, NULL },
	{ "RFC 6891 OPT record with root owner, MX answer", "mx-opt", m_mx_opt, ALL, 0, 0, 0, 1, 0,
	  1, 0, DNSWIRE_NODATA, "example.com", "example.com", NULL },
	{ "RFC 1035 §5.1 escapes in presentation form", "escapes", m_escapes, 0, 0, 0, 0, 1, 0, 0,
	  0, DNSWIRE_NODATA, "a\\.b\\032c.example", NULL, NULL },
	{ "RFC 1035 §2.3.4 name of 255 octets", "name-255", m_name_255, 0, 0, 0, 0, 0, 0, 0, 0,
	  DNSWIRE_NODATA, NULL, NULL, NULL },
	{ "RFC 1035 §4.1.4 64 pointers in one name", "jumps-64", m_jumps_64, 0, 0, 0, 0, 2, 0, 0, 0,
	  DNSWIRE_NODATA, ".", NULL, NULL },
	/* malformed */
	{ "RFC 1035 §2.3.4 name of 256 octets", "name-256", m_name_256, 0, -EINVAL, 0, 0, 0, 0, 0,
	  0, ANY, NULL, NULL, "longer than 255" },
	{ "RFC 1035 §2.3.4 five labels of 63", "name-321", m_name_long, 0, -EINVAL, 0, 0, 0, 0, 0,
	  0, ANY, NULL, NULL, "longer than 255" },
	{ "RFC 1035 §2.3.4 name over 255 through a pointer", "name-long-compressed",
	  m_name_long_compressed, 0, -EINVAL, 0, 0, 0, 0, 0, 0, ANY, NULL, NULL,
	  "longer than 255" },
	{ "RFC 1035 §2.3.4 label of 64 octets", "label-64", m_label_64, 0, -EINVAL, 0, 0, 0, 0, 0,
	  0, ANY, NULL, NULL, "longer than 63" },
	{ "RFC 6891 §5 extended label type", "label-extended", m_extended_label, 0, -EINVAL, 0, 0,
	  0, 0, 0, 0, ANY, NULL, NULL, "0x41" },
	{ "RFC 1035 §4.1.4 compression loop", "loop", m_loop, 0, -EINVAL, 0, 0, 0, 0, 0, 0, ANY,
	  NULL, NULL, "loop" },
	{ "RFC 1035 §4.1.4 pointer to itself", "self-pointer", m_self_pointer, 0, -EINVAL, 0, 0, 0,
	  0, 0, 0, ANY, NULL, NULL, "backwards" },
	{ "RFC 1035 §4.1.4 forward pointer", "forward-pointer", m_forward, 0, -EINVAL, 0, 0, 0, 0,
	  0, 0, ANY, NULL, NULL, "backwards" },
	{ "RFC 1035 §4.1.4 65 pointers in one name", "jumps-65", m_jumps_65, 0, -EINVAL, 0, 0, 0, 0,
	  0, 0, ANY, NULL, NULL, "more than 64" },
	{ "RFC 1035 §4.1.4 pointer cut by the end", "pointer-cut", m_pointer_cut, 0, -EINVAL, 0, 0,
	  0, 0, 0, 0, ANY, NULL, NULL, "pointer cut" },
	{ "RFC 1035 §2.3.4 label past the end", "label-past-end", m_label_past_end, 0, -EINVAL, 0,
	  0, 0, 0, 0, 0, ANY, NULL, NULL, "past the end" },
	{ "RFC 1035 §4.1.3 RDLENGTH past the end", "rdlength-past-end", m_rdlength_past_end, 0,
	  -EINVAL, 0, 0, 0, 0, 0, 0, ANY, NULL, NULL, "RDLENGTH 36" },
	{ "RFC 1035 §4.1.3 record cut after its owner", "rr-cut", m_rr_cut_after_owner, 0, -EINVAL,
	  0, 0, 0, 0, 0, 0, ANY, NULL, NULL, "cut after its owner" },
	{ "RFC 1035 §4.1.1 counts larger than the content", "counts-too-large", m_counts_too_large,
	  0, -EINVAL, 0, 0, 0, 0, 0, 0, ANY, NULL, NULL, "need at least" },
	{ "RFC 1035 §4.1.1 one record fewer than counted", "count-one-more", m_count_one_more, 0,
	  -EINVAL, 0, 0, 0, 0, 0, 0, ANY, NULL, NULL, "record 3 of the answer" },
	{ "RFC 1035 §4.1.1 header of 11 octets", "header-11", m_header_11, 0, -EINVAL, 0, 0, 0, 0,
	  0, 0, ANY, NULL, NULL, "too short" },
	{ "RFC 1035 §4.1.1 empty message", "empty", m_empty, 0, -EINVAL, 0, 0, 0, 0, 0, 0, ANY,
	  NULL, NULL, "too short" },
	{ "RFC 1035 §4.1 trailing octets are rejected", "trailing", m_trailing, 0, -EINVAL, 0, 0, 0,
	  0, 0, 0, ANY, NULL, NULL, "3 trailing octets" },
	{ "RFC 2181 §9 TC set", "truncated-tc", m_tc, 0, -EMSGSIZE, 0, 0, 0, 0, 0, 0, ANY, NULL,
	  NULL, "TC" },
	{ "RFC 9619 two questions", "two-questions", m_two_questions, 0, -EINVAL, 0, 0, 0, 0, 0, 0,
	  ANY, NULL, NULL, "2 questions" },
	{ "RFC 1035 §4.1.2 question cut", "question-cut", m_question_cut, 0, -EINVAL, 0, 0, 0, 0, 0,
	  0, ANY, NULL, NULL, NULL },
};

/* Write every case's message to dir (see the top of this file). */
static void write_corpus(const char *dir)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire w = { 0 };
		char path[512];
		FILE *f;

		cases[i].build(&w);
		assert_true(snprintf(path, sizeof(path), "%s/%s", dir, cases[i].slug) <
			    (int)sizeof(path));
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(w.b, 1, w.n, f), w.n);
		assert_int_equal(fclose(f), 0);
	}
}

/*
 * Each case: what dnswire_parse() returns; for an accepted message the header bits, the
 * sections' sizes, the number of TLSA answers, the status and the names; for a rejected one a
 * reason with the offset. Every case is parsed from an exact-size heap copy, so a read past the
 * end shows under ASan.
 */
static void test_dnswire_table(void **state)
{
	const char *dir = getenv("MXS_DNSWIRE_CORPUS");
	size_t i;

	(void)state;
	if (dir != NULL)
		write_corpus(dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct msg_case *c = &cases[i];
		struct dnswire_msg *msg = NULL;
		struct mxs_error err = { 0 };
		struct wire w = { 0 };
		unsigned char *copy;
		int r;

		c->build(&w);
		copy = malloc(w.n ? w.n : 1);
		assert_non_null(copy);
		memcpy(copy, w.b, w.n);
		r = dnswire_parse(copy, w.n, c->flags, &msg, &err);
		if (r != c->want)
			fail_msg("case %zu (%s): returned %d, expected %d%s%s", i, c->name, r,
				 c->want, err.what ? ": " : "", err.what ? err.what : "");
		if (r == 0) {
			assert_non_null(msg);
			assert_null(err.what);
			assert_true(msg->hdr.qr);
			if (msg->hdr.ad != (c->ad != 0) || msg->hdr.rcode != c->rcode)
				fail_msg("case %zu (%s): AD %d RCODE %u", i, c->name, msg->hdr.ad,
					 msg->hdr.rcode);
			if (msg->answer.n != c->n_answer || msg->authority.n != c->n_authority ||
			    msg->additional.n != c->n_additional)
				fail_msg("case %zu (%s): %zu/%zu/%zu records", i, c->name,
					 msg->answer.n, msg->authority.n, msg->additional.n);
			assert_int_equal(dnswire_rrs_of_type(msg, DNSWIRE_TYPE_TLSA), c->n_tlsa);
			assert_int_equal(dnswire_status(msg, DNSWIRE_TYPE_TLSA), c->status);
			if (c->owner0 != NULL)
				assert_string_equal(msg->answer.rrs[0].owner, c->owner0);
			if (c->qname != NULL)
				assert_string_equal(msg->qname, c->qname);
			assert_ptr_equal(msg->buf, copy);
		} else {
			assert_null(msg);
			assert_non_null(err.what);
			assert_non_null(err.req);
			assert_non_null(err.where);
			assert_non_null(strstr(err.where, "DNS message, offset "));
			if (c->why != NULL && strstr(err.what, c->why) == NULL)
				fail_msg("case %zu (%s): reason \"%s\" lacks \"%s\"", i, c->name,
					 err.what, c->why);
		}
		(void)dnswire_msg_free(msg);
		mxs_error_clear(&err);
		free(copy);
	}
}

/* RFC 1035 §4.1.1, RFC 4035 §3.2: each flag from its own bit. */
static void test_dnswire_header_flags(void **state)
{
	static const struct {
		unsigned char f2, f3;
		const char *set; /* the flags that must read as set */
		unsigned opcode, rcode;
	} flag_cases[] = {
		{ 0x80, 0x00, "qr", 0, 0 }, { 0x04, 0x00, "aa", 0, 0 },
		{ 0x02, 0x00, "tc", 0, 0 }, { 0x01, 0x00, "rd", 0, 0 },
		{ 0x00, 0x80, "ra", 0, 0 }, { 0x00, 0x20, "ad", 0, 0 },
		{ 0x00, 0x10, "cd", 0, 0 }, { 0x00, 0x40, "", 0, 0 }, /* Z: no flag */
		{ 0x28, 0x05, "", 5, 5 },   { 0xff, 0xff, "qr aa tc rd ra ad cd", 15, 15 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		unsigned char b[DNSWIRE_HEADER_LEN] = { 0xab, 0xcd, 0, 0, 0, 1, 0, 2, 0, 3, 1, 4 };
		struct dnswire_header h;
		const char *s = flag_cases[i].set;

		b[2] = flag_cases[i].f2;
		b[3] = flag_cases[i].f3;
		assert_int_equal(dnswire_header_parse(b, sizeof(b), &h, NULL), 0);
		if (h.qr != (strstr(s, "qr") != NULL) || h.aa != (strstr(s, "aa") != NULL) ||
		    h.tc != (strstr(s, "tc") != NULL) || h.rd != (strstr(s, "rd") != NULL) ||
		    h.ra != (strstr(s, "ra") != NULL) || h.ad != (strstr(s, "ad") != NULL) ||
		    h.cd != (strstr(s, "cd") != NULL))
			fail_msg("case %zu: flags 0x%02x 0x%02x read wrong", i, flag_cases[i].f2,
				 flag_cases[i].f3);
		assert_int_equal(h.opcode, flag_cases[i].opcode);
		assert_int_equal(h.rcode, flag_cases[i].rcode);
		assert_int_equal(h.id, 0xabcd);
		assert_int_equal(h.qdcount, 1);
		assert_int_equal(h.ancount, 2);
		assert_int_equal(h.nscount, 3);
		assert_int_equal(h.arcount, 260);
	}
}

/* The header alone reads even with TC set; only dnswire_parse() refuses the rest. */
static void test_dnswire_tc_header(void **state)
{
	struct dnswire_msg *msg = NULL;
	struct mxs_error err = { 0 };
	struct dnswire_header h;
	struct wire w = { 0 };

	(void)state;
	m_tc(&w);
	assert_int_equal(dnswire_header_parse(w.b, w.n, &h, NULL), 0);
	assert_true(h.tc);
	assert_true(h.ad);
	assert_int_equal(dnswire_parse(w.b, w.n, ALL, &msg, &err), -EMSGSIZE);
	assert_null(msg);
	assert_string_equal(err.where, "DNS message, offset 2");
	mxs_error_clear(&err);
	assert_int_equal(dnswire_header_parse(w.b, 11, &h, &err), -EINVAL);
	assert_string_equal(err.where, "DNS message, offset 0");
	mxs_error_clear(&err);
}

/* Offsets in the reasons point at the fault. */
static void test_dnswire_error_offsets(void **state)
{
	static const struct {
		void (*build)(struct wire *w);
		size_t back; /* the fault's offset, counted from the end of the message */
	} off_cases[] = {
		{ m_trailing, 3 },                    /* the first trailing octet */
		{ m_forward, 2 * (10 + 1) + 15 + 2 }, /* the pointer, at the first owner */
		{ m_rdlength_past_end, 35 + 2 },      /* the RDLENGTH field */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(off_cases) / sizeof(off_cases[0]); i++) {
		struct dnswire_msg *msg = NULL;
		struct mxs_error err = { 0 };
		struct wire w = { 0 };
		char want[64];

		off_cases[i].build(&w);
		assert_int_equal(dnswire_parse(w.b, w.n, 0, &msg, &err), -EINVAL);
		(void)snprintf(want, sizeof(want), "DNS message, offset %zu",
			       w.n - off_cases[i].back);
		assert_string_equal(err.where, want);
		mxs_error_clear(&err);
	}
}

/* The RDATA of TLSA answers: borrowed, inside the message, with the right length and octets. */
static void test_dnswire_tlsa_rdata(void **state)
{
	const struct dnswire_rr *rr;
	struct dnswire_msg *msg = NULL;
	struct wire w = { 0 };
	size_t iter = 0, n = 0;

	(void)state;
	m_tlsa_ad(&w);
	assert_int_equal(dnswire_parse(w.b, w.n, 0, &msg, NULL), 0);
	while ((rr = dnswire_rr_next(&msg->answer, DNSWIRE_TYPE_TLSA, &iter)) != NULL) {
		assert_int_equal(rr->rdlength, 35);
		assert_ptr_equal(rr->rdata, w.b + rr->rdata_off);
		assert_true(rr->rdata_off + rr->rdlength <= w.n);
		assert_int_equal(rr->rdata[0], 3);
		assert_int_equal(rr->rdata[3], n == 0 ? 0xaa : 0xbb);
		assert_int_equal(rr->ttl, 3600);
		assert_int_equal(rr->class, DNSWIRE_CLASS_IN);
		n++;
	}
	assert_int_equal(n, 2);
	iter = 0;
	assert_null(dnswire_rr_next(&msg->answer, DNSWIRE_TYPE_CNAME, &iter));
	assert_int_equal(msg->qtype, DNSWIRE_TYPE_TLSA);
	assert_int_equal(msg->qclass, DNSWIRE_CLASS_IN);
	(void)dnswire_msg_free(msg);
}

/* DANE-LKP-06: the CNAME target, compressed inside RDATA, and the TLSA at it. */
static void test_dnswire_cname_target(void **state)
{
	struct dnswire_msg *msg = NULL;
	struct mxs_error err = { 0 };
	struct wire w = { 0 };
	char *target = NULL;
	uint16_t pref = 0;

	(void)state;
	m_cname_tlsa(&w);
	assert_int_equal(dnswire_parse(w.b, w.n, 0, &msg, NULL), 0);
	assert_int_equal(msg->answer.rrs[0].type, DNSWIRE_TYPE_CNAME);
	assert_int_equal(dnswire_rdata_name(msg, &msg->answer.rrs[0], &target, NULL), 0);
	assert_string_equal(target, "tlsa.example.com");
	assert_string_equal(msg->answer.rrs[1].owner, target);
	free(target);
	target = NULL;
	/* TLSA RDATA is no name: after the label "\1\1\xdd", 0xdd reads as a pointer forward */
	assert_int_equal(dnswire_rdata_name(msg, &msg->answer.rrs[1], &target, &err), -EINVAL);
	assert_null(target);
	assert_non_null(err.what);
	mxs_error_clear(&err);
	/* a CNAME's RDATA read as MX: preference 0x0474, then 'l' (0x6c), no length octet */
	assert_int_equal(dnswire_rdata_mx(msg, &msg->answer.rrs[0], &pref, &target, &err), -EINVAL);
	assert_null(target);
	mxs_error_clear(&err);
	(void)dnswire_msg_free(msg);
}

/* RFC 1035 §3.3.9: MX preference and exchange, compressed against the question. */
static void test_dnswire_mx(void **state)
{
	struct dnswire_msg *msg = NULL;
	struct wire w = { 0 };
	char *exchange = NULL;
	uint16_t pref = 0;

	(void)state;
	m_mx_opt(&w);
	assert_int_equal(dnswire_parse(w.b, w.n, ALL, &msg, NULL), 0);
	assert_int_equal(dnswire_rrs_of_type(msg, DNSWIRE_TYPE_MX), 1);
	assert_int_equal(dnswire_status(msg, DNSWIRE_TYPE_MX), DNSWIRE_DATA);
	assert_int_equal(dnswire_rdata_mx(msg, &msg->answer.rrs[0], &pref, &exchange, NULL), 0);
	assert_int_equal(pref, 10);
	assert_string_equal(exchange, "mx1.example.com");
	free(exchange);
	assert_string_equal(msg->additional.rrs[0].owner, ".");
	assert_int_equal(msg->additional.rrs[0].type, DNSWIRE_TYPE_OPT);
	assert_int_equal(msg->additional.rrs[0].class, 1232);
	assert_int_equal(msg->additional.rrs[0].rdlength, 0);
	(void)dnswire_msg_free(msg);
}

/* DANE-DNS-03: the SOA of a NODATA answer, with its compressed RDATA names inside the RDATA. */
static void test_dnswire_nodata_soa(void **state)
{
	struct dnswire_msg *msg = NULL;
	struct mxs_error err = { 0 };
	struct wire w = { 0 };
	char *mname = NULL;
	size_t iter = 0;
	const struct dnswire_rr *soa;

	(void)state;
	m_nodata(&w);
	assert_int_equal(dnswire_parse(w.b, w.n, DNSWIRE_AUTHORITY, &msg, NULL), 0);
	soa = dnswire_rr_next(&msg->authority, DNSWIRE_TYPE_SOA, &iter);
	assert_non_null(soa);
	assert_string_equal(soa->owner, "example.com");
	assert_int_equal(soa->rdlength, 6 + 13 + 20);
	/* SOA RDATA holds two names and five numbers: it is not one name */
	assert_int_equal(dnswire_rdata_name(msg, soa, &mname, &err), -EINVAL);
	assert_non_null(strstr(err.what, "after the name"));
	mxs_error_clear(&err);
	(void)dnswire_msg_free(msg);
}

static void test_dnswire_free_null(void **state)
{
	(void)state;
	assert_null(dnswire_msg_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dnswire_table),
		cmocka_unit_test(test_dnswire_header_flags),
		cmocka_unit_test(test_dnswire_tc_header),
		cmocka_unit_test(test_dnswire_error_offsets),
		cmocka_unit_test(test_dnswire_tlsa_rdata),
		cmocka_unit_test(test_dnswire_cname_target),
		cmocka_unit_test(test_dnswire_mx),
		cmocka_unit_test(test_dnswire_nodata_soa),
		cmocka_unit_test(test_dnswire_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

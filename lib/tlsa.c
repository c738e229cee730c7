/*
 * tlsa.c - one TLSA record: presentation and wire forms, usability, association data; see
 * tlsa.h.
 *
 * The text comes from operators (a zone file line pasted into "mxsentry tlsa") and the RDATA from
 * the network, so both readers are bounded by TLSA_MAX_DATA and never trust a length they did
 * not count themselves.
 */
#include "lib/tlsa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* A digest of each matching type that has one (DANE-SEL-02). */
#define SHA256_LEN 32
#define SHA512_LEN 64

const char *tlsa_usage_name(uint8_t usage)
{
	switch (usage) {
	case TLSA_USAGE_PKIX_TA:
		return "PKIX-TA";
	case TLSA_USAGE_PKIX_EE:
		return "PKIX-EE";
	case TLSA_USAGE_DANE_TA:
		return "DANE-TA";
	case TLSA_USAGE_DANE_EE:
		return "DANE-EE";
	case 255:
		return "PrivCert";
	default:
		return "unassigned";
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Report a syntax fault: the record is not read, and senders discard it (DANE-USG-04). */
static int syntax_error(struct diag_list *diags, const char *req, const char *text, size_t len,
			const char *why)
{
	char ex[DIAG_EXCERPT_SIZE];

	if (diags != NULL)
		(void)diag_add(diags, DIAG_WARN, true, req, "TLSA record \"%s\": %s",
			       diag_excerpt(ex, sizeof(ex), text, len), why);
	return -EINVAL;
}

/*
 * One of the three 8-bit fields: 1-3 decimal digits, value 0..255, followed by whitespace
 * (RFC 6698 §2.2: "an unsigned decimal integer").
 */
static int read_field(const char *s, size_t len, size_t *pos, uint8_t *ret)
{
	size_t p = *pos, digits = 0;
	unsigned value = 0;

	while (p < len && s[p] >= '0' && s[p] <= '9') {
		if (++digits > 3)
			return -EINVAL;
		value = value * 10 + (unsigned)(s[p] - '0');
		p++;
	}
	/* the end of the text after the matching type is "association data missing" */
	if (digits == 0 || value > 255 || (p < len && !is_space(s[p])))
		return -EINVAL;
	while (p < len && is_space(s[p]))
		p++;
	*ret = (uint8_t)value;
	*pos = p;
	return 0;
}

int tlsa_parse(const char *text, size_t len, struct tlsa_rr *ret_rr, struct diag_list *diags)
{
	static const char *const names[3] = { "usage", "selector", "matching type" };
	struct tlsa_rr rr = { 0 };
	uint8_t fields[3];
	size_t p = 0, digits = 0, i;
	int hi = -1;

	while (p < len && is_space(text[p]))
		p++;
	for (i = 0; i < 3; i++)
		if (read_field(text, len, &p, &fields[i]) < 0) {
			char why[80];

			/* DANE-SEL-03: three unsigned 8-bit decimals, then the data */
			(void)snprintf(why, sizeof(why), "the %s must be a number 0..255",
				       names[i]);
			return syntax_error(diags, "DANE-SEL-03", text, len, why);
		}
	/* count first, so that the buffer is exact and the cap holds before any allocation */
	for (i = p; i < len; i++) {
		if (is_space(text[i]))
			continue;
		if (hex_value(text[i]) < 0)
			return syntax_error(diags, "DANE-USG-04", text, len,
					    "the association data has a non-hex character");
		digits++;
	}
	if (digits == 0)
		return syntax_error(diags, "DANE-SEL-03", text, len, "association data missing");
	if (digits % 2 != 0)
		return syntax_error(diags, "DANE-USG-04", text, len,
				    "odd number of hex digits in the association data");
	if (digits / 2 > TLSA_MAX_DATA)
		return syntax_error(diags, "DANE-SEL-03", text, len,
				    "association data longer than a TLSA record can hold");
	rr.usage = fields[0];
	rr.selector = fields[1];
	rr.mtype = fields[2];
	rr.data = malloc(digits / 2);
	if (rr.data == NULL)
		return -ENOMEM;
	/* DANE-SEL-03: whitespace may separate any two hex digits, even within a byte */
	for (i = p; i < len; i++) {
		if (is_space(text[i]))
			continue;
		if (hi < 0) {
			hi = hex_value(text[i]);
			continue;
		}
		rr.data[rr.len++] = (unsigned char)(hi << 4 | hex_value(text[i]));
		hi = -1;
	}
	if (diags != NULL)
		(void)tlsa_check(&rr, diags);
	if (ret_rr != NULL)
		*ret_rr = rr;
	else
		free(rr.data);
	return 0;
}

int tlsa_from_wire(const unsigned char *rdata, size_t len, struct tlsa_rr *ret_rr,
		   struct diag_list *diags)
{
	struct tlsa_rr rr = { 0 };

	/* RFC 6698 §2.1: one octet each for usage, selector and matching type, then the data */
	if (len < 3) {
		if (diags != NULL)
			(void)diag_add(diags, DIAG_WARN, true, "DANE-USG-04",
				       "TLSA RDATA of %zu byte(s) is too short for a record", len);
		return -EINVAL;
	}
	if (len - 3 > TLSA_MAX_DATA)
		return -EINVAL;
	rr.usage = rdata[0];
	rr.selector = rdata[1];
	rr.mtype = rdata[2];
	rr.len = len - 3;
	if (rr.len > 0) {
		rr.data = malloc(rr.len);
		if (rr.data == NULL)
			return -ENOMEM;
		memcpy(rr.data, rdata + 3, rr.len);
	}
	if (diags != NULL)
		(void)tlsa_check(&rr, diags);
	*ret_rr = rr;
	return 0;
}

/*
 * DANE-USG-04: Full(0) data must be what the selector names, exactly one DER certificate or
 * one DER SubjectPublicKeyInfo with nothing after it.
 */
static bool full_data_parses(const struct tlsa_rr *rr)
{
	const unsigned char *p = rr->data;
	bool ok = false;

	if (rr->len == 0 || rr->len > CERTINFO_MAX_DER)
		return false;
	if (rr->selector == TLSA_SELECTOR_CERT) {
		X509 *x = d2i_X509(NULL, &p, (long)rr->len);

		ok = x != NULL && p == rr->data + rr->len;
		X509_free(x);
	} else {
		EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)rr->len);

		ok = k != NULL && p == rr->data + rr->len;
		EVP_PKEY_free(k);
	}
	ERR_clear_error();
	return ok;
}

bool tlsa_check(const struct tlsa_rr *rr, struct diag_list *diags)
{
	bool usable = true;
	size_t want = 0;

	if (rr->usage == TLSA_USAGE_PKIX_TA || rr->usage == TLSA_USAGE_PKIX_EE) {
		/* DD1: RFC 7672 §3.1.3 lets SMTP clients treat them as unusable; most do */
		usable = false;
		if (diags != NULL)
			(void)diag_add(diags, DIAG_WARN, false, "DANE-USG-03",
				       "usage %s(%u) in an SMTP TLSA record: unusable for "
				       "most DANE senders",
				       tlsa_usage_name(rr->usage), rr->usage);
	} else if (rr->usage != TLSA_USAGE_DANE_TA && rr->usage != TLSA_USAGE_DANE_EE) {
		usable = false;
		if (diags != NULL)
			(void)diag_add(diags, DIAG_WARN, false, "DANE-USG-04",
				       "usage %u (%s) is not understood: the record is unusable",
				       rr->usage, tlsa_usage_name(rr->usage));
	}
	if (rr->selector > TLSA_SELECTOR_SPKI) {
		usable = false;
		if (diags != NULL)
			(void)diag_add(diags, DIAG_WARN, false, "DANE-USG-04",
				       "selector %u is not understood: the record is unusable",
				       rr->selector);
	}
	if (rr->mtype == TLSA_MTYPE_SHA256)
		want = SHA256_LEN;
	else if (rr->mtype == TLSA_MTYPE_SHA512)
		want = SHA512_LEN;
	if (rr->mtype > TLSA_MTYPE_SHA512) {
		usable = false;
		if (diags != NULL)
			(void)diag_add(diags, DIAG_WARN, false, "DANE-USG-04",
				       "matching type %u is not understood: the record is unusable",
				       rr->mtype);
	} else if (want != 0 && rr->len != want) {
		/* DD2: malformed, discarded before digest agility (RFC 7671 §9) */
		usable = false;
		if (diags != NULL)
			(void)diag_add(diags, DIAG_WARN, false, "DANE-USG-04",
				       "%zu-byte data for matching type %s: a digest is %zu bytes; "
				       "the record is unusable",
				       rr->len, rr->mtype == 1 ? "SHA2-256(1)" : "SHA2-512(2)",
				       want);
	} else if (rr->mtype == TLSA_MTYPE_FULL && rr->selector <= TLSA_SELECTOR_SPKI &&
		   !full_data_parses(rr)) {
		usable = false;
		if (diags != NULL)
			(void)diag_add(diags, DIAG_WARN, false, "DANE-USG-04",
				       "Full(0) data is not a DER %s: the record is unusable",
				       rr->selector == 0 ? "certificate" : "SubjectPublicKeyInfo");
	}
	if (!usable || rr->usage != TLSA_USAGE_DANE_TA || diags == NULL)
		return usable;
	/* DANE-SEL-06: RFC 7672 §3.1.2 recommends "2 0 1"/"2 0 2" for trust anchors */
	if (rr->selector == TLSA_SELECTOR_SPKI)
		(void)diag_add(diags, DIAG_INFO, false, "DANE-SEL-06",
			       "DANE-TA(2) record with selector SPKI(1): Cert(0) is recommended");
	if (rr->mtype == TLSA_MTYPE_FULL)
		(void)diag_add(diags, DIAG_INFO, false, "DANE-SEL-06",
			       "DANE-TA(2) record with matching type Full(0) is not recommended");
	return usable;
}

bool tlsa_usable(const struct tlsa_rr *rr)
{
	return tlsa_check(rr, NULL);
}

int tlsa_association(const struct certinfo *info, uint8_t selector, uint8_t mtype,
		     unsigned char **ret_data, size_t *ret_len)
{
	const unsigned char *in;
	const EVP_MD *md = NULL;
	unsigned char *out;
	size_t in_len, out_len;

	/* DANE-SEL-01: the certificate as presented, or its DER SubjectPublicKeyInfo */
	if (selector == TLSA_SELECTOR_CERT) {
		in = info->der;
		in_len = info->der_len;
	} else if (selector == TLSA_SELECTOR_SPKI) {
		in = info->spki_der;
		in_len = info->spki_der_len;
	} else {
		return -EINVAL;
	}
	if (mtype == TLSA_MTYPE_SHA256)
		md = EVP_sha256();
	else if (mtype == TLSA_MTYPE_SHA512)
		md = EVP_sha512();
	else if (mtype != TLSA_MTYPE_FULL)
		return -EINVAL;
	out_len = md != NULL ? (size_t)EVP_MD_get_size(md) : in_len;
	out = malloc(out_len > 0 ? out_len : 1);
	if (out == NULL)
		return -ENOMEM;
	if (md == NULL) {
		memcpy(out, in, in_len);
	} else if (EVP_Digest(in, in_len, out, NULL, md, NULL) != 1) {
		/* the only way a one-shot digest of memory fails is an allocation inside it */
		free(out);
		ERR_clear_error();
		return -ENOMEM;
	}
	*ret_data = out;
	*ret_len = out_len;
	return 0;
}

int tlsa_matches(const struct tlsa_rr *rr, const struct certinfo *info)
{
	unsigned char *d = NULL;
	size_t n = 0;
	int r;

	r = tlsa_association(info, rr->selector, rr->mtype, &d, &n);
	if (r == -EINVAL)
		return 0;
	if (r < 0)
		return r;
	/* DANE-SEL-03: bytes are compared, never their text */
	r = n == rr->len && n > 0 && memcmp(d, rr->data, n) == 0;
	free(d);
	return r;
}

int tlsa_format(const struct tlsa_rr *rr, char **ret_text)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, head;
	char *s;
	int n;

	if (rr->len == 0)
		return -EINVAL;
	/* "255 255 255 " is 12 characters; the data doubles in hex */
	s = malloc(12 + 2 * rr->len + 1);
	if (s == NULL)
		return -ENOMEM;
	n = snprintf(s, 13, "%u %u %u ", rr->usage, rr->selector, rr->mtype);
	if (n < 0 || n > 12) {
		free(s);
		return -EINVAL;
	}
	head = (size_t)n;
	for (i = 0; i < rr->len; i++) {
		s[head + 2 * i] = hex[rr->data[i] >> 4];
		s[head + 2 * i + 1] = hex[rr->data[i] & 0x0f];
	}
	s[head + 2 * rr->len] = '\0';
	*ret_text = s;
	return 0;
}

void tlsa_clear(struct tlsa_rr *rr)
{
	if (rr == NULL)
		return;
	free(rr->data);
	memset(rr, 0, sizeof(*rr));
}

void tlsa_array_free(struct tlsa_rr *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		tlsa_clear(&v[i]);
	free(v);
}

int tlsa_recommend(const struct certinfo *info, struct tlsa_rr *ret_rr)
{
	struct tlsa_rr rr = { .mtype = TLSA_MTYPE_SHA256 };
	int r;

	rr.usage = info->is_ca ? TLSA_USAGE_DANE_TA : TLSA_USAGE_DANE_EE;
	rr.selector = info->is_ca ? TLSA_SELECTOR_CERT : TLSA_SELECTOR_SPKI;
	r = tlsa_association(info, rr.selector, rr.mtype, &rr.data, &rr.len);
	if (r < 0)
		return r;
	*ret_rr = rr;
	return 0;
}

/*
 * certinfo.c - facts of one X.509 certificate, read once with OpenSSL; see certinfo.h.
 *
 * The bytes come from the network (a server's Certificate message), so the reader is strict about
 * what it accepts as a certificate and lenient about what it records: a certificate that parses
 * is described even when checks will later find fault with it (expired, a name with a NUL byte,
 * an unknown key type), because the findings are about those faults.
 */
#include "lib/certinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Structure rules of a certificate; no spec ID of ours covers "is this a certificate". */
#define REQ_X509 "RFC 5280 §4.1"

/* The most recent OpenSSL reason, for messages; the queue is cleared by the caller. */
static const char *openssl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r != NULL ? r : "no details";
}

/* Copy the contents of a memory BIO as a NUL-terminated string; NULL on failure. */
static char *bio_to_string(BIO *bio)
{
	char *data, *s;
	long n = BIO_get_mem_data(bio, &data);

	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

/*
 * A name for messages, RFC 2253 style. Non-ASCII and control characters are escaped
 * (ASN1_STRFLGS_ESC_MSB, ESC_CTRL), so a hostile subject cannot inject lines or terminal codes
 * into logs. X509_NAME_oneline() is the fallback for names print_ex refuses (bad UTF-8).
 */
static char *name_text(const X509_NAME *name)
{
	char *s = NULL;
	BIO *bio = BIO_new(BIO_s_mem());

	if (bio == NULL)
		return NULL;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0)
		s = bio_to_string(bio);
	BIO_free(bio);
	if (s == NULL) {
		char *o = X509_NAME_oneline(name, NULL, 0);

		if (o != NULL) {
			s = strdup(o);
			OPENSSL_free(o);
		}
	}
	return s;
}

/*
 * The subject CN as UTF-8. With several CNs the last, most specific in DN order, is used. A CN
 * that does not convert to UTF-8 or holds a NUL byte is left out (NULL), not cut short: a
 * truncated "mx1.example.com\0.evil.test" would otherwise look like a good name.
 */
static int read_cn(X509 *x, char **ret_cn)
{
	const X509_NAME *subj = X509_get_subject_name(x);
	int i = -1, last = -1;
	unsigned char *utf8 = NULL;
	char *cn;
	int n;

	while ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0)
		last = i;
	*ret_cn = NULL;
	if (last < 0)
		return 0;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, last)));
	if (n < 0)
		return 0;
	if (memchr(utf8, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf8);
		return 0;
	}
	cn = strndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	if (cn == NULL)
		return -ENOMEM;
	*ret_cn = cn;
	return 0;
}

/*
 * SAN dNSNames as found (IA5String bytes), NUL-free. A name with an embedded NUL is dropped: as
 * text it would end early and could match a name the CA never certified. Other names (IP,
 * e-mail, URI) are not DNS-IDs and play no part in RFC 6125 §6.4 matching here.
 */
static int read_san(X509 *x, struct certinfo *info, struct mxs_error *reterr)
{
	GENERAL_NAMES *gens;
	int crit = -1, i, count, r = 0;
	size_t n = 0;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	/* crit: -1 absent, -2 present more than once, >= 0 present (but may not have decoded). */
	if (gens == NULL && crit == -2)
		return mxs_error_set(reterr, NULL, "RFC 5280 §4.2",
				     "more than one subjectAltName extension");
	if (gens == NULL && crit >= 0)
		return mxs_error_set(reterr, NULL, "RFC 5280 §4.2.1.6",
				     "subjectAltName extension does not decode: %s",
				     openssl_reason());
	count = gens != NULL ? sk_GENERAL_NAME_num(gens) : 0;
	info->san = calloc((size_t)(count < CERTINFO_MAX_SAN ? count : CERTINFO_MAX_SAN) + 1,
			   sizeof(*info->san));
	if (info->san == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < count; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char *d;
		int len;

		if (g->type != GEN_DNS)
			continue;
		d = ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		if (len < 0 || memchr(d, '\0', (size_t)len) != NULL)
			continue;
		if (n == CERTINFO_MAX_SAN) {
			info->n_san_dropped++;
			continue;
		}
		info->san[n] = strndup((const char *)d, (size_t)len);
		if (info->san[n] == NULL) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
out:
	GENERAL_NAMES_free(gens);
	return r;
}

/* A validity time as UTC seconds; RFC 5280 §4.1.2.5 UTCTime/GeneralizedTime are both UTC. */
static int read_time(const ASN1_TIME *t, const char *which, time_t *ret, struct mxs_error *reterr)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return mxs_error_set(reterr, NULL, "RFC 5280 §4.1.2.5", "%s is not a valid time",
				     which);
	*ret = timegm(&tm);
	return 0;
}

/*
 * Key type and size, for the checks' "weak key" and per-algorithm findings. EVP_PKEY_get_bits()
 * is the modulus size for RSA and the field size for EC (256 for P-256).
 */
static void read_key(X509 *x, struct certinfo *info)
{
	/* NULL for a key OpenSSL cannot decode: the certificate is still described. */
	EVP_PKEY *pkey = X509_get0_pubkey(x);

	info->key_type = KEY_TYPE_OTHER;
	info->key_bits = 0;
	if (pkey == NULL)
		return;
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		info->key_type = KEY_TYPE_RSA;
		break;
	case EVP_PKEY_EC:
		info->key_type = KEY_TYPE_EC;
		break;
	case EVP_PKEY_ED25519:
		info->key_type = KEY_TYPE_ED25519;
		break;
	case EVP_PKEY_ED448:
		info->key_type = KEY_TYPE_ED448;
		break;
	default:
		break;
	}
	info->key_bits = EVP_PKEY_get_bits(pkey);
}

/* The signature algorithm's long name, or its dotted OID when OpenSSL has no name for it. */
static char *sig_alg_name(X509 *x)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	int nid = X509_get_signature_nid(x);
	char *s;
	int n;

	if (nid != NID_undef && OBJ_nid2ln(nid) != NULL)
		return strdup(OBJ_nid2ln(nid));
	X509_get0_signature(NULL, &alg, x);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	n = obj != NULL ? OBJ_obj2txt(NULL, 0, obj, 1) : -1;
	if (n <= 0)
		return strdup("unknown");
	s = malloc((size_t)n + 1);
	if (s != NULL && OBJ_obj2txt(s, n + 1, obj, 1) != n) {
		free(s);
		return strdup("unknown");
	}
	return s;
}

/*
 * DANE-SEL-01/02: SHA2-256 of the certificate as presented and of its SubjectPublicKeyInfo. The
 * SPKI DER is kept too: Full(0) and SHA2-512(2) records of selector SPKI(1) need the bytes.
 */
static int digests(X509 *x, const unsigned char *der, size_t len, struct certinfo *info,
		   struct mxs_error *reterr)
{
	unsigned char *spki = NULL;
	int n;

	if (EVP_Digest(der, len, info->sha256, NULL, EVP_sha256(), NULL) != 1)
		return -ENOMEM;
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	if (n <= 0)
		return mxs_error_set(reterr, NULL, REQ_X509,
				     "subjectPublicKeyInfo does not encode: %s", openssl_reason());
	info->spki_der = malloc((size_t)n);
	if (info->spki_der == NULL) {
		OPENSSL_free(spki);
		return -ENOMEM;
	}
	memcpy(info->spki_der, spki, (size_t)n);
	info->spki_der_len = (size_t)n;
	OPENSSL_free(spki);
	if (EVP_Digest(info->spki_der, info->spki_der_len, info->spki_sha256, NULL, EVP_sha256(),
		       NULL) != 1)
		return -ENOMEM;
	return 0;
}

/*
 * Fill info from the parsed certificate. On failure info may be partly filled; the caller frees
 * it, so each step can simply return.
 */
static int describe(X509 *x, const unsigned char *der, size_t len, struct certinfo *info,
		    struct mxs_error *reterr)
{
	EVP_PKEY *pkey;
	int r;

	info->der = malloc(len);
	if (info->der == NULL)
		return -ENOMEM;
	memcpy(info->der, der, len);
	info->der_len = len;
	info->subject = name_text(X509_get_subject_name(x));
	info->issuer = name_text(X509_get_issuer_name(x));
	info->sig_alg = sig_alg_name(x);
	if (info->subject == NULL || info->issuer == NULL || info->sig_alg == NULL)
		return -ENOMEM;
	r = read_cn(x, &info->cn);
	if (r < 0)
		return r;
	r = read_san(x, info, reterr);
	if (r < 0)
		return r;
	r = read_time(X509_get0_notBefore(x), "notBefore", &info->not_before, reterr);
	if (r < 0)
		return r;
	r = read_time(X509_get0_notAfter(x), "notAfter", &info->not_after, reterr);
	if (r < 0)
		return r;
	read_key(x, info);
	/* EXFLAG_CA is set only from basicConstraints cA TRUE (RFC 5280 §4.2.1.9). */
	info->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	/*
	 * Self-signed means more than subject == issuer: the signature must verify with the
	 * certificate's own key, or any leaf could claim to be a trust anchor by its names.
	 */
	pkey = X509_get0_pubkey(x);
	info->self_signed =
	    X509_check_issued(x, x) == X509_V_OK && pkey != NULL && X509_verify(x, pkey) == 1;
	return digests(x, der, len, info, reterr);
}

int certinfo_from_der(const unsigned char *der, size_t len, struct certinfo **ret_info,
		      struct mxs_error *reterr)
{
	const unsigned char *p = der;
	struct certinfo *info = NULL;
	X509 *x = NULL;
	int r;

	if (len == 0)
		return mxs_error_set(reterr, NULL, REQ_X509, "empty certificate");
	if (len > CERTINFO_MAX_DER)
		return mxs_error_set(reterr, NULL, REQ_X509,
				     "certificate is %zu bytes long; the limit is %d", len,
				     CERTINFO_MAX_DER);
	/* d2i_X509() advances p past what it read: the rest of the input is checked below. */
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL) {
		r = mxs_error_set(reterr, NULL, REQ_X509, "not a DER certificate: %s",
				  openssl_reason());
		goto out;
	}
	/* The digests are of the presented bytes: anything after the certificate is not part of it. */
	if (p != der + len) {
		r = mxs_error_set(reterr, NULL, REQ_X509,
				  "%zu byte(s) after the end of the certificate",
				  len - (size_t)(p - der));
		goto out;
	}
	info = calloc(1, sizeof(*info));
	if (info == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = describe(x, der, len, info, reterr);
	if (r < 0)
		goto out;
	*ret_info = info;
	info = NULL;
out:
	(void)certinfo_free(info);
	X509_free(x);
	/* Leave nothing on this thread's error queue for the next, unrelated OpenSSL call. */
	ERR_clear_error();
	return r;
}

struct certinfo *certinfo_free(struct certinfo *info)
{
	size_t i;

	if (info == NULL)
		return NULL;
	free(info->der);
	free(info->subject);
	free(info->issuer);
	free(info->cn);
	for (i = 0; info->san != NULL && info->san[i] != NULL; i++)
		free(info->san[i]);
	free(info->san);
	free(info->sig_alg);
	free(info->spki_der);
	free(info);
	return NULL;
}

/* The names match what operators see in "openssl x509 -text" and in the probe's algorithms. */
const char *key_type_name(enum key_type t)
{
	switch (t) {
	case KEY_TYPE_RSA:
		return "RSA";
	case KEY_TYPE_EC:
		return "ECDSA";
	case KEY_TYPE_ED25519:
		return "Ed25519";
	case KEY_TYPE_ED448:
		return "Ed448";
	default:
		return "other";
	}
}

void certinfo_array_free(struct certinfo **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		(void)certinfo_free(v[i]);
	free(v);
}

long long certinfo_days_left(const struct certinfo *info, time_t at)
{
	long long secs = (long long)info->not_after - (long long)at;
	long long days = secs / 86400;

	/* C division truncates towards zero; a certificate expired 1 s ago has -1 days left. */
	if (secs % 86400 != 0 && secs < 0)
		days--;
	return days;
}

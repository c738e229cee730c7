/*
 * test_certinfo.c - facts of X.509 certificates (lib/certinfo.c): the association data of DANE
 * (DANE-SEL-01/02) against shared/spec/vectors/dane-association.json, names, dates and keys of
 * the spec's test certificates, certificates built here for the cases those do not cover, and
 * the rejection of bytes that are not exactly one certificate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/certinfo.h"
#include "tests/unit/vectors.h"

/* Read a PEM certificate of the vector directory as DER bytes (the PEM body, decoded). */
static unsigned char *load_der(const char *name, size_t *ret_len)
{
	char *path = vectors_path(name);
	char *pem_name = NULL, *header = NULL;
	unsigned char *data = NULL, *copy;
	long len = 0;
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	if (PEM_read(f, &pem_name, &header, &data, &len) != 1 ||
	    strcmp(pem_name, "CERTIFICATE") != 0)
		fail_msg("%s: not a PEM certificate", path);
	fclose(f);
	copy = malloc((size_t)len);
	assert_non_null(copy);
	memcpy(copy, data, (size_t)len);
	OPENSSL_free(pem_name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	free(path);
	*ret_len = (size_t)len;
	return copy;
}

/* Lowercase hex, as the vector files write association data; out holds 2 * n + 1 bytes. */
static void to_hex(const unsigned char *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* "2024-01-01T00:00:00+00:00" (the vector files only use +00:00) as UTC seconds. */
static time_t iso_time(const char *s)
{
	struct tm tm = { 0 };

	if (s == NULL || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				&tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		fail_msg("bad time \"%s\" in vector file", s ? s : "(null)");
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* covers: DANE-SEL-01, DANE-SEL-02 (vectors "0 1", "1 1" and "1 0", the SPKI DER itself) */
static void test_DANE_SEL_01_association_vectors(void **state)
{
	json_t *root = vectors_load("dane-association.json");
	json_t *v;
	size_t i;

	(void)state;
	assert_non_null(root);
	assert_true(json_array_size(root) >= 6);
	json_array_foreach(root, i, v)
	{
		const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
		json_t *expect = json_object_get(v, "expect");
		struct certinfo *ci = NULL;
		struct mxs_error err = { 0 };
		char hex[65], *full;
		size_t len;
		unsigned char *der = load_der(vectors_string(v, "cert"), &len);

		if (certinfo_from_der(der, len, &ci, &err) != 0)
			fail_msg("%s (%s): rejected: %s", id, req, err.what);
		if ((json_int_t)ci->der_len !=
		    json_integer_value(json_object_get(v, "cert_der_len")))
			fail_msg("%s (%s): DER length %zu", id, req, ci->der_len);
		assert_memory_equal(ci->der, der, len);
		to_hex(ci->sha256, 32, hex);
		if (strcmp(hex, vectors_string(expect, "0 1")) != 0)
			fail_msg("%s (%s): expected \"0 1\" %s, got %s", id, req,
				 vectors_string(expect, "0 1"), hex);
		to_hex(ci->spki_sha256, 32, hex);
		if (strcmp(hex, vectors_string(expect, "1 1")) != 0)
			fail_msg("%s (DANE-SEL-02): expected \"1 1\" %s, got %s", id,
				 vectors_string(expect, "1 1"), hex);
		/* the SPKI DER itself, selector SPKI(1) with matching type Full(0) */
		full = malloc(2 * ci->spki_der_len + 1);
		assert_non_null(full);
		to_hex(ci->spki_der, ci->spki_der_len, full);
		if ((json_int_t)ci->spki_der_len !=
			json_integer_value(json_object_get(v, "spki_der_len")) ||
		    strcmp(full, vectors_string(expect, "1 0")) != 0)
			fail_msg("%s (DANE-SEL-01): expected \"1 0\" %s, got %s", id,
				 vectors_string(expect, "1 0"), full);
		free(full);
		if (ci->not_before != iso_time(vectors_string(v, "not_before")) ||
		    ci->not_after != iso_time(vectors_string(v, "not_after")))
			fail_msg("%s (COMMON-EXP-05): validity %lld..%lld", id,
				 (long long)ci->not_before, (long long)ci->not_after);
		(void)certinfo_free(ci);
		free(der);
	}
	json_decref(root);
}

/* What "openssl x509 -text" shows for each certificate of the vector directory. */
struct cert_facts {
	const char *file;
	const char *cn;
	const char *san0; /* first dNSName, or NULL for none */
	bool is_ca;
	bool self_signed;
};

/* Names, key and flags of the spec's certificates (shared/spec/README.md, "certs/"). */
static void test_certinfo_facts(void **state)
{
	static const struct cert_facts facts[] = {
		{ "certs/ca.pem", "Example Test Root CA", NULL, true, true },
		{ "certs/leaf-a.pem", "mx1.example.com", "mx1.example.com", false, false },
		{ "certs/leaf-a-cn-only.pem", "mx1.example.com", NULL, false, false },
		{ "certs/leaf-a-wildcard.pem", "*.example.com", "*.example.com", false, false },
		{ "certs/leaf-a-expired.pem", "mx1.example.com", "mx1.example.com", false, false },
		{ "certs/leaf-b.pem", "mx1.example.com", "mx1.example.com", false, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		const struct cert_facts *c = &facts[i];
		struct certinfo *ci = NULL;
		size_t len;
		unsigned char *der = load_der(c->file, &len);

		assert_int_equal(certinfo_from_der(der, len, &ci, NULL), 0);
		assert_string_equal(ci->cn, c->cn);
		assert_non_null(ci->san);
		if (c->san0 == NULL) {
			assert_null(ci->san[0]);
		} else {
			assert_string_equal(ci->san[0], c->san0);
			assert_null(ci->san[1]);
		}
		assert_int_equal(ci->n_san_dropped, 0);
		if (ci->is_ca != c->is_ca || ci->self_signed != c->self_signed)
			fail_msg("%s: is_ca %d self_signed %d", c->file, ci->is_ca,
				 ci->self_signed);
		assert_string_equal(ci->issuer, "CN=Example Test Root CA");
		assert_non_null(strstr(ci->subject, "CN="));
		assert_int_equal(ci->key_type, KEY_TYPE_EC);
		assert_int_equal(ci->key_bits, 256);
		assert_string_equal(ci->sig_alg, "ecdsa-with-SHA256");
		(void)certinfo_free(ci);
		free(der);
	}
}

/* Only exactly one certificate is read: empty, cut short, trailing bytes, junk, oversized. */
static void test_certinfo_rejects(void **state)
{
	struct certinfo *ci = NULL;
	struct mxs_error err = { 0 };
	unsigned char *big;
	size_t len, k;
	unsigned char *der = load_der("certs/leaf-a.pem", &len);

	(void)state;
	assert_int_equal(certinfo_from_der(der, 0, &ci, &err), -EINVAL);
	assert_non_null(err.what);
	/* a certificate cut anywhere, as by a short read, is never taken for a certificate */
	for (k = 1; k < len; k++)
		if (certinfo_from_der(der, k, &ci, &err) != -EINVAL)
			fail_msg("certificate cut to %zu of %zu bytes accepted", k, len);
	assert_null(ci);
	assert_non_null(strstr(err.what, "not a DER certificate"));

	/* trailing bytes would change the Cert(0) digest without changing the certificate */
	big = malloc(CERTINFO_MAX_DER + 1);
	assert_non_null(big);
	memcpy(big, der, len);
	big[len] = 0;
	assert_int_equal(certinfo_from_der(big, len + 1, &ci, &err), -EINVAL);
	assert_non_null(strstr(err.what, "1 byte(s) after the end"));
	/* the size cap is applied before any parsing */
	memset(big, 0x30, CERTINFO_MAX_DER + 1);
	assert_int_equal(certinfo_from_der(big, CERTINFO_MAX_DER + 1, &ci, &err), -EINVAL);
	assert_non_null(strstr(err.what, "limit"));
	assert_int_equal(certinfo_from_der((const unsigned char *)"hello", 5, &ci, &err), -EINVAL);
	assert_null(ci);
	mxs_error_clear(&err);
	free(big);
	free(der);
}

/*
 * A dNSName with an embedded NUL is dropped, never cut at the NUL ("mx1\0example.com" must not
 * become "mx1"). The byte is changed in the SAN of leaf-a; the signature no longer verifies,
 * which certinfo does not check (path validation is the probe's job).
 */
static void test_certinfo_san_with_nul_dropped(void **state)
{
	static const char name[] = "mx1.example.com";
	struct certinfo *ci = NULL;
	unsigned char *p, *san = NULL;
	size_t len;
	unsigned char *der = load_der("certs/leaf-a.pem", &len);

	(void)state;
	/* the subject CN comes first, the SAN value later */
	for (p = der; p + sizeof(name) - 1 <= der + len; p++)
		if (memcmp(p, name, sizeof(name) - 1) == 0)
			san = p;
	assert_non_null(san);
	san[3] = '\0';
	assert_int_equal(certinfo_from_der(der, len, &ci, NULL), 0);
	assert_null(ci->san[0]);
	assert_string_equal(ci->cn, "mx1.example.com");
	(void)certinfo_free(ci);
	free(der);
}

/* Build a certificate: key is its key, signer signs it; dns_count dNSNames "hN.example.com". */
static unsigned char *make_cert(EVP_PKEY *key, EVP_PKEY *signer, const char *subject_cn,
				const char *issuer_cn, int dns_count, size_t *ret_len)
{
	X509 *x = X509_new();
	X509_NAME *subj = X509_NAME_new(), *iss = X509_NAME_new();
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	unsigned char *der = NULL;
	const EVP_MD *md;
	int i, n;

	assert_non_null(x);
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 7));
	assert_true(ASN1_TIME_set_string(X509_getm_notBefore(x), "20250101000000Z"));
	assert_true(ASN1_TIME_set_string(X509_getm_notAfter(x), "20350101120000Z"));
	assert_true(X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
					       (const unsigned char *)subject_cn, -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(iss, "CN", MBSTRING_UTF8,
					       (const unsigned char *)issuer_cn, -1, -1, 0));
	assert_true(X509_set_subject_name(x, subj));
	assert_true(X509_set_issuer_name(x, iss));
	assert_true(X509_set_pubkey(x, key));
	for (i = 0; i < dns_count; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();
		char host[32];

		assert_true(snprintf(host, sizeof(host), "h%d.example.com", i) < (int)sizeof(host));
		assert_true(ASN1_STRING_set(s, host, -1));
		GENERAL_NAME_set0_value(g, GEN_DNS, s);
		assert_true(sk_GENERAL_NAME_push(gens, g) > 0);
	}
	if (dns_count > 0)
		assert_true(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0));
	/* Ed25519 signs without a separate digest. */
	md = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
	assert_true(X509_sign(x, signer, md) > 0);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	GENERAL_NAMES_free(gens);
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	X509_free(x);
	*ret_len = (size_t)n;
	return der;
}

/* Self-signed needs the signature to verify with the certificate's own key, not just names. */
static void test_certinfo_self_signed_and_keys(void **state)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	struct certinfo *ci = NULL;
	unsigned char *der;
	size_t len;

	(void)state;
	assert_non_null(ed);
	assert_non_null(rsa);

	/* Ed25519 keeps key generation fast; RSA covers the other signature family */
	der = make_cert(ed, ed, "Self Root", "Self Root", 0, &len);
	assert_int_equal(certinfo_from_der(der, len, &ci, NULL), 0);
	assert_true(ci->self_signed);
	assert_false(ci->is_ca); /* no basicConstraints */
	assert_int_equal(ci->key_type, KEY_TYPE_ED25519);
	assert_string_equal(ci->sig_alg, "ED25519");
	assert_non_null(ci->san);
	assert_null(ci->san[0]);
	/* 2025-01-01 to 2035-01-01T12:00Z: two leap days (2028, 2032) */
	assert_int_equal(ci->not_after - ci->not_before, 3652 * 86400L + 12 * 3600);
	ci = certinfo_free(ci);
	OPENSSL_free(der);

	/* same names, signed by another key: not self-signed */
	der = make_cert(rsa, ed, "Self Root", "Self Root", 1, &len);
	assert_int_equal(certinfo_from_der(der, len, &ci, NULL), 0);
	assert_false(ci->self_signed);
	assert_int_equal(ci->key_type, KEY_TYPE_RSA);
	assert_int_equal(ci->key_bits, 2048);
	assert_string_equal(ci->san[0], "h0.example.com");
	ci = certinfo_free(ci);
	OPENSSL_free(der);

	der = make_cert(rsa, rsa, "RSA Root", "RSA Root", 0, &len);
	assert_int_equal(certinfo_from_der(der, len, &ci, NULL), 0);
	assert_true(ci->self_signed);
	assert_string_equal(ci->sig_alg, "sha256WithRSAEncryption");
	ci = certinfo_free(ci);
	OPENSSL_free(der);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
}

/* At most CERTINFO_MAX_SAN dNSNames are kept; the rest are counted. */
static void test_certinfo_san_cap(void **state)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct certinfo *ci = NULL;
	unsigned char *der;
	size_t len, n;

	(void)state;
	assert_non_null(ed);
	der = make_cert(ed, ed, "many", "many", CERTINFO_MAX_SAN + 5, &len);
	assert_int_equal(certinfo_from_der(der, len, &ci, NULL), 0);
	for (n = 0; ci->san[n] != NULL; n++)
		;
	assert_int_equal(n, CERTINFO_MAX_SAN);
	assert_int_equal(ci->n_san_dropped, 5);
	assert_string_equal(ci->san[CERTINFO_MAX_SAN - 1], "h1023.example.com");
	(void)certinfo_free(ci);
	OPENSSL_free(der);
	EVP_PKEY_free(ed);
}

/* key_type_name() feeds the "alg" subject of findings ("ECDSA"/"RSA", see finding.h). */
static void test_certinfo_names(void **state)
{
	(void)state;
	assert_null(certinfo_free(NULL));
	assert_string_equal(key_type_name(KEY_TYPE_RSA), "RSA");
	assert_string_equal(key_type_name(KEY_TYPE_EC), "ECDSA");
	assert_string_equal(key_type_name(KEY_TYPE_ED25519), "Ed25519");
	assert_string_equal(key_type_name(KEY_TYPE_ED448), "Ed448");
	assert_string_equal(key_type_name(KEY_TYPE_OTHER), "other");
}

/* covers: COMMON-EXP-05 (valid at the exact notAfter second), COMMON-EXP-04 (whole days left) */
static void test_COMMON_EXP_05_days_left(void **state)
{
	const time_t at = 1798761600; /* 2027-01-01T00:00:00Z */
	struct certinfo c = { 0 };

	(void)state;
	c.not_after = at + 86400;
	assert_int_equal(certinfo_days_left(&c, at), 1);
	c.not_after = at + 86399; /* less than a day left: 0 days, not yet expired */
	assert_int_equal(certinfo_days_left(&c, at), 0);
	c.not_after = at; /* the last valid second */
	assert_int_equal(certinfo_days_left(&c, at), 0);
	c.not_after = at - 1; /* expired a second ago */
	assert_int_equal(certinfo_days_left(&c, at), -1);
	c.not_after = at - 86400;
	assert_int_equal(certinfo_days_left(&c, at), -1);
	c.not_after = at - 86401;
	assert_int_equal(certinfo_days_left(&c, at), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_DANE_SEL_01_association_vectors),
		cmocka_unit_test(test_certinfo_facts),
		cmocka_unit_test(test_certinfo_rejects),
		cmocka_unit_test(test_certinfo_san_with_nul_dropped),
		cmocka_unit_test(test_certinfo_self_signed_and_keys),
		cmocka_unit_test(test_certinfo_san_cap),
		cmocka_unit_test(test_certinfo_names),
		cmocka_unit_test(test_COMMON_EXP_05_days_left),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

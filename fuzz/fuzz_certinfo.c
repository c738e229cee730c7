/*
 * fuzz_certinfo.c - libFuzzer target for certinfo_from_der() (lib/certinfo.c).
 *
 * The input is one certificate as a server would present it. Properties checked beyond "no
 * crash":
 *  - a rejection always comes with a readable reason, and nothing is returned;
 *  - an accepted certificate keeps exactly the bytes given, and its Cert(0) digest is the
 *    SHA2-256 of those bytes (DANE-SEL-01), computed here independently;
 *  - its texts exist, SAN entries are at most CERTINFO_MAX_SAN and the list is NULL-terminated;
 *  - reading the copy it keeps gives the same facts (the reader is deterministic).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/certinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_facts(const struct certinfo *a, const struct certinfo *b)
{
	size_t i;

	if (strcmp(a->subject, b->subject) != 0 || strcmp(a->issuer, b->issuer) != 0 ||
	    strcmp(a->sig_alg, b->sig_alg) != 0 || (a->cn == NULL) != (b->cn == NULL) ||
	    (a->cn != NULL && strcmp(a->cn, b->cn) != 0))
		return 0;
	if (a->not_before != b->not_before || a->not_after != b->not_after ||
	    a->key_type != b->key_type || a->key_bits != b->key_bits || a->is_ca != b->is_ca ||
	    a->self_signed != b->self_signed || a->n_san_dropped != b->n_san_dropped ||
	    memcmp(a->spki_sha256, b->spki_sha256, 32) != 0)
		return 0;
	for (i = 0; a->san[i] != NULL || b->san[i] != NULL; i++)
		if (a->san[i] == NULL || b->san[i] == NULL || strcmp(a->san[i], b->san[i]) != 0)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certinfo *ci = NULL, *again = NULL;
	struct mxs_error err = { 0 };
	unsigned char md[32];
	size_t n;
	int r;

	r = certinfo_from_der(data, size, &ci, &err);
	if (r == -ENOMEM)
		return 0;
	if (r < 0) {
		if (r != -EINVAL || err.what == NULL || ci != NULL)
			abort();
		mxs_error_clear(&err);
		return 0;
	}
	if (r != 0 || ci == NULL || err.what != NULL)
		abort();
	if (ci->der_len != size || memcmp(ci->der, data, size) != 0)
		abort();
	if (EVP_Digest(data, size, md, NULL, EVP_sha256(), NULL) == 1 &&
	    memcmp(md, ci->sha256, sizeof(md)) != 0)
		abort();
	if (ci->subject == NULL || ci->issuer == NULL || ci->sig_alg == NULL || ci->san == NULL)
		abort();
	for (n = 0; ci->san[n] != NULL; n++)
		if (n >= CERTINFO_MAX_SAN)
			abort();
	if (key_type_name(ci->key_type) == NULL)
		abort();
	if (certinfo_from_der(ci->der, ci->der_len, &again, NULL) == 0 && !same_facts(ci, again))
		abort();
	(void)certinfo_free(again);
	(void)certinfo_free(ci);
	return 0;
}

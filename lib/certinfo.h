/*
 * certinfo.h - the facts of one X.509 certificate that checks need, read once from its DER.
 *
 * The probe records every certificate a server presented as DER; certinfo_from_der() turns
 * each into a struct certinfo that the checks read without touching OpenSSL again: names,
 * validity window, key, the DER SubjectPublicKeyInfo and digests for DANE (DANE-SEL-01/02:
 * SHA2-256 of the whole certificate and of its SubjectPublicKeyInfo; lib/tlsa.c computes the
 * other selector/matching-type combinations from der and spki_der).
 */
#ifndef MXS_LIB_CERTINFO_H
#define MXS_LIB_CERTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/error.h"

/* Largest certificate accepted, DER: far above any real one (a few KiB), a cap for untrusted input. */
#define CERTINFO_MAX_DER (64 * 1024)
/* Most SAN dNSName entries kept (more are counted in n_san_dropped). */
#define CERTINFO_MAX_SAN 1024

enum key_type {
	KEY_TYPE_OTHER,
	KEY_TYPE_RSA,
	KEY_TYPE_EC, /* ECDSA */
	KEY_TYPE_ED25519,
	KEY_TYPE_ED448,
};

struct certinfo {
	unsigned char *der; /* the certificate as presented (owned) */
	size_t der_len;
	char *subject;        /* one-line RFC 2253 form, for messages (owned) */
	char *issuer;         /* likewise (owned) */
	char *cn;             /* subject commonName as UTF-8, or NULL (owned) */
	char **san;           /* SAN dNSName values as found, NULL-terminated (owned) */
	size_t n_san_dropped; /* dNSNames beyond CERTINFO_MAX_SAN */
	time_t not_before;    /* UTC seconds */
	time_t not_after;     /* UTC seconds; valid at this very second (COMMON-EXP-05) */
	enum key_type key_type;
	int key_bits;             /* RSA modulus bits, EC curve bits */
	char *sig_alg;            /* signature algorithm, e.g. "ecdsa-with-SHA256" (owned) */
	bool is_ca;               /* basicConstraints cA */
	bool self_signed;         /* subject == issuer and the signature verifies with its key */
	unsigned char sha256[32]; /* SHA2-256 of der (selector Cert(0), DANE-SEL-01) */
	unsigned char
	    spki_sha256[32];     /* SHA2-256 of the DER SubjectPublicKeyInfo (selector SPKI(1)) */
	unsigned char *spki_der; /* the DER SubjectPublicKeyInfo, selector SPKI(1) input (owned) */
	size_t spki_der_len;
};

/*
 * Read the facts of one DER certificate.
 *
 * der, len:   the certificate; copied into the result.
 * ret_info:   on success, a new struct; free with certinfo_free().
 * reterr:     optional; the reason the bytes are not a certificate mxsentry can read.
 *
 * Returns 0, -EINVAL (not a DER certificate, trailing bytes, over CERTINFO_MAX_DER, validity
 * times that do not convert), or -ENOMEM.
 */
int certinfo_from_der(const unsigned char *der, size_t len, struct certinfo **ret_info,
		      struct mxs_error *reterr);

/* Release. NULL-safe; returns NULL. */
struct certinfo *certinfo_free(struct certinfo *info);

/* Release an array of n certinfo pointers (entries may be NULL) and the array. NULL-safe. */
void certinfo_array_free(struct certinfo **v, size_t n);

/*
 * Whole days from at until the certificate's notAfter, rounded towards minus infinity: 0 during
 * its last day, -1 on the first day after it expired. The one rule behind every "days left" that
 * mxsentry prints, so reports and findings agree.
 */
long long certinfo_days_left(const struct certinfo *info, time_t at);

/* "RSA", "ECDSA", "Ed25519", "Ed448" or "other" (static string). */
const char *key_type_name(enum key_type t);

#endif

/*
 * pemfile.c - certificates from a PEM file; see pemfile.h.
 */
#include "agent/pemfile.h"

#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

int pemfile_read_certs(const char *path, struct certinfo **certs, int max, const char **ret_why)
{
	BIO *bio = BIO_new_file(path, "r");
	int n = 0, r = 0;
	X509 *x;

	if (bio == NULL) {
		r = errno != 0 ? -errno : -EIO;
		*ret_why = strerror(-r);
		ERR_clear_error();
		return r;
	}
	while (n < max && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		unsigned char *der = NULL;
		int len = i2d_X509(x, &der);

		X509_free(x);
		if (len <= 0) {
			r = -EINVAL;
			*ret_why = "a certificate could not be encoded";
			break;
		}
		r = certinfo_from_der(der, (size_t)len, &certs[n], NULL);
		OPENSSL_free(der);
		if (r < 0) {
			*ret_why =
			    r == -ENOMEM ? strerror(ENOMEM) : "a certificate mxsentry cannot read";
			break;
		}
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (r < 0 || n == 0) {
		while (n > 0) {
			n--;
			certs[n] = certinfo_free(certs[n]);
		}
		if (r == 0)
			*ret_why = "no PEM certificate in it";
		return r < 0 ? r : -EINVAL;
	}
	return n;
}

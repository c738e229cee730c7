/*
 * cmd_tlsa.c - "mxsentry tlsa": TLSA records for a PEM certificate or chain; see cmd_tlsa.h.
 *
 * The association data comes from lib/tlsa.h (tlsa_association, tlsa_format), the very code
 * the dane_tlsa check matches with, so that what this command prints is what the check
 * accepts. Certificates are read with OpenSSL's PEM reader and then through
 * certinfo_from_der(), like the certificates a server presents.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "agent/cmd_tlsa.h"
#include "lib/certinfo.h"
#include "lib/tlsa.h"

/* More certificates than any chain has; a cap on what one file may make us read. */
#define MAX_CERTS 16

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: mxsentry tlsa FILE.pem [--mx HOST]...\n"
		"\n"
		"Print the TLSA records to publish for the certificates of FILE.pem (PEM, the\n"
		"leaf first): \"3 1 1\" (DANE-EE, SPKI, SHA2-256) for an end-entity certificate,\n"
		"\"2 0 1\" (DANE-TA, Cert, SHA2-256) for a CA certificate.\n"
		"\n"
		"  -m, --mx HOST   print zone-file lines \"_25._tcp.HOST. IN TLSA ...\" for HOST\n"
		"                  (repeatable); without it only the record data is printed\n"
		"  -h, --help      this text\n"
		"\n"
		"Exit status: 0 success, 1 unreadable file or no certificate, 2 usage error.\n");
}

/*
 * Read every certificate of a PEM file (at most MAX_CERTS). Returns the number read (> 0), or
 * -errno for an unreadable file, or -EINVAL when it holds no certificate; *ret_why then says
 * why in words (static).
 */
static int read_pem(const char *path, struct certinfo **certs, const char **ret_why)
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
	while (n < MAX_CERTS && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
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

/* The recommended record for one certificate (DANE-USG-02): a new string, or NULL. */
static char *record_for(const struct certinfo *c)
{
	struct tlsa_rr rr = { .mtype = TLSA_MTYPE_SHA256 };
	char *text = NULL;

	/* RFC 7671 §5.2.1: a trust anchor is published as its whole certificate, Cert(0) */
	rr.usage = c->is_ca ? TLSA_USAGE_DANE_TA : TLSA_USAGE_DANE_EE;
	rr.selector = c->is_ca ? TLSA_SELECTOR_CERT : TLSA_SELECTOR_SPKI;
	if (tlsa_association(c, rr.selector, rr.mtype, &rr.data, &rr.len) < 0)
		return NULL;
	if (tlsa_format(&rr, &text) < 0)
		text = NULL;
	tlsa_clear(&rr);
	return text;
}

/*
 * Print the record of each certificate, as RDATA or once per host as a zone-file line; a
 * host's trailing dot is optional ("mx.example.com." and "mx.example.com" are one host).
 * Returns the exit status.
 */
static int print_records(struct certinfo **certs, int n, char **hosts, int n_hosts)
{
	int i, h;

	for (i = 0; i < n; i++) {
		char *rec = record_for(certs[i]);

		if (rec == NULL) {
			fprintf(stderr, "mxsentry tlsa: %s\n", strerror(ENOMEM));
			return 1;
		}
		if (n_hosts == 0)
			printf("%s\n", rec);
		for (h = 0; h < n_hosts; h++) {
			size_t len = strlen(hosts[h]);

			if (len > 0 && hosts[h][len - 1] == '.')
				len--;
			printf("_25._tcp.%.*s. IN TLSA %s\n", (int)len, hosts[h], rec);
		}
		free(rec);
	}
	return 0;
}

int cmd_tlsa(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mx", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct certinfo *certs[MAX_CERTS] = { NULL };
	char **hosts = NULL;
	const char *why = NULL;
	int c, n, n_hosts = 0, rc = 2;

	hosts = calloc((size_t)argc, sizeof(*hosts));
	if (hosts == NULL) {
		fprintf(stderr, "mxsentry tlsa: %s\n", strerror(ENOMEM));
		return 1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (optarg[0] == '\0' || strcmp(optarg, ".") == 0) {
				fprintf(stderr, "mxsentry tlsa: --mx needs a host name\n");
				goto out;
			}
			hosts[n_hosts++] = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			goto out;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mxsentry tlsa: expected one FILE.pem (see --help)\n");
		goto out;
	}
	n = read_pem(argv[optind], certs, &why);
	if (n < 0) {
		fprintf(stderr, "mxsentry tlsa: %s: %s\n", argv[optind], why);
		rc = 1;
		goto out;
	}
	rc = print_records(certs, n, hosts, n_hosts);
	while (n > 0) {
		n--;
		certs[n] = certinfo_free(certs[n]);
	}
out:
	free(hosts);
	return rc;
}

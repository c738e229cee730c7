/*
 * cmd_tlsa.c - "mxsentry tlsa": TLSA records for a PEM certificate or chain; see cmd_tlsa.h.
 *
 * The association data comes from lib/tlsa.h (tlsa_association, tlsa_format), the very code
 * the dane_tlsa check matches with, so that what this command prints is what the check
 * accepts. Certificates are read by agent/pemfile.h, like the certificates a server presents.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cmd_tlsa.h"
#include "agent/pemfile.h"
#include "lib/certinfo.h"
#include "lib/tlsa.h"

#define MAX_CERTS PEMFILE_MAX_CERTS

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

/* The recommended record for one certificate (DANE-USG-02): a new string, or NULL. */
static char *record_for(const struct certinfo *c)
{
	struct tlsa_rr rr = { 0 };
	char *text = NULL;

	if (tlsa_recommend(c, &rr) < 0)
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
	n = pemfile_read_certs(argv[optind], certs, MAX_CERTS, &why);
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

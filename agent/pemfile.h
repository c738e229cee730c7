/*
 * pemfile.h - read the certificates of a PEM file (a leaf and its chain, an operator's file).
 *
 * Each certificate is read with OpenSSL's PEM reader and then through certinfo_from_der(), like
 * the certificates a server presents, so that the commands that take a file ("mxsentry tlsa",
 * "mxsentry dane-check") see it exactly as the checks see a presented chain.
 */
#ifndef MXS_AGENT_PEMFILE_H
#define MXS_AGENT_PEMFILE_H

#include "lib/certinfo.h"

/* More certificates than any chain has; a cap on what one file may make us read. */
#define PEMFILE_MAX_CERTS 16

/*
 * Read at most max certificates of the file at path, in file order, into certs[0..].
 *
 * Returns the number read (> 0; the caller frees each with certinfo_free()), -errno for an
 * unreadable file, -EINVAL when it holds no certificate or one mxsentry cannot read, -ENOMEM;
 * *ret_why then says why in words (static).
 */
int pemfile_read_certs(const char *path, struct certinfo **certs, int max, const char **ret_why);

#endif

/*
 * dname.h - host name syntax and normalisation (spec/common.md, COMMON-NAME).
 *
 * Every name mxsentry compares (configured domains, MX host names, policy mx patterns,
 * certificate names) goes through dname_normalize() first, so that comparisons are plain
 * byte comparisons of one canonical form: ASCII lower case, no trailing dot, A-labels.
 */
#ifndef MXS_LIB_DNAME_H
#define MXS_LIB_DNAME_H

#include <stddef.h>

#include "lib/error.h"

/* Limits of RFC 1035 §2.3.4 in presentation form (COMMON-NAME-01). */
#define DNAME_MAX_LABEL 63
#define DNAME_MAX_NAME  253

/*
 * Check that the len bytes at name form a host name and return its canonical form.
 *
 * Accepted: letter-digit-hyphen labels (RFC 1123 §2.1; a label neither begins nor ends with a
 * hyphen), separated by single dots, at least one label, optionally one trailing dot.
 * Internationalised names may be given as A-labels ("xn--...", kept as written) or as UTF-8
 * U-labels: a name with any byte above 0x7f is converted to A-labels with libidn2 (IDNA2008,
 * UTS #46 non-transitional mapping, so "faß.de" is "xn--fa-hia.de"), and what libidn2 refuses
 * is rejected with its reason. The converted name must then pass the rules above.
 *
 * name:      the bytes to check; need not be NUL-terminated and may contain NUL (rejected).
 * len:       number of bytes.
 * ret_name:  on success, a new NUL-terminated string in lower case without trailing dot; the
 *            caller frees it. Untouched on failure.
 * reterr:    optional; on failure receives the reason and COMMON-NAME-01. Its "where" is left
 *            NULL: the caller knows the place.
 *
 * Returns 0, -EINVAL for a name that is not a host name, or -ENOMEM.
 */
int dname_normalize(const char *name, size_t len, char **ret_name, struct mxs_error *reterr);

#endif

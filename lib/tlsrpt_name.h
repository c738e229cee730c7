/*
 * tlsrpt_name.h - the file name of a TLS-RPT report (RFC 8460 §5.1; spec/tls-rpt.md §4,
 * RPT-DLV-07).
 *
 *   filename = sender "!" policy-domain "!" begin-timestamp "!" end-timestamp
 *              [ "!" unique-id ] "." extension
 *   e.g. mail.sndr.example.com!example.net!1470013207!1470186007!001.json.gz
 *
 * Senders name the attachment (or the HTTPS upload) this way. The name is only a hint: when it
 * disagrees with the report body, the body wins (RPT-DLV-09), so a name that breaks the
 * grammar is worth a WARN, never a reason to drop the report. Hence the verdict here differs
 * from the report parsers': a name is accepted exactly when no diagnostic is invalid, and its
 * diagnostics are WARN.
 */
#ifndef MXS_LIB_TLSRPT_NAME_H
#define MXS_LIB_TLSRPT_NAME_H

#include <stddef.h>
#include <time.h>

#include "lib/diag.h"

/* Longest name read; longer ones are refused (a file name is at most 255 bytes on most file
 * systems, a MIME filename parameter has no limit). */
#define TLSRPT_NAME_MAX 1024

/* What an accepted name says. Strings are owned by the struct; tlsrpt_name_clear() frees them. */
struct tlsrpt_name {
	char *sender;          /* the reporting domain, as written (letters, digits, "-", ".") */
	char *policy_domain;   /* the policy domain, as written, in A-labels */
	time_t begin;          /* begin-timestamp, seconds since the epoch */
	time_t end;            /* end-timestamp, not before begin */
	char *unique_id;       /* 1 or more letters and digits, or NULL when absent */
	const char *extension; /* "json" or "json.gz" (static) */
};

/*
 * Parse a report's file name (the last path component, no directory).
 *
 * name, len: the bytes (need not be NUL-terminated; may contain any byte).
 * ret:       optional; on success filled in, released by the caller with tlsrpt_name_clear().
 *            Untouched on failure.
 * diags:     optional; every diagnostic found is appended (WARN, invalid, RPT-DLV-07).
 *
 * Returns 0 when the name follows RFC 8460 §5.1, -EINVAL when it does not (the diagnostics say
 * why), -ENOMEM.
 */
int tlsrpt_name_parse(const char *name, size_t len, struct tlsrpt_name *ret,
		      struct diag_list *diags);

/* Release the strings of a parsed name and zero it. NULL-safe. */
void tlsrpt_name_clear(struct tlsrpt_name *name);

#endif

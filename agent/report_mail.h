/*
 * report_mail.h - the TLS-RPT report bytes out of what arrives: a whole RFC 5322 message (as an
 * MTA pipe transport or a .forward hands it), a bare .json or a .json.gz file (spec/tls-rpt.md
 * §4, RPT-DLV-03, -04, -06, -07, -08; RPT-JSON-14).
 *
 * The result is the decompressed JSON of each report with what the message says about it; the
 * JSON itself is read by lib/tlsrpt.c, which this module never calls. The body is authoritative
 * (RPT-DLV-09): nothing here is checked against the Subject, the file name or the headers.
 *
 * Which MIME parts are reports, walking the tree depth-first in message order:
 *  - application/tlsrpt+json and application/tlsrpt+gzip (RPT-DLV-03), whatever their name;
 *  - application/gzip, application/x-gzip, application/octet-stream and application/json
 *    parts whose file name ends in ".json" or ".json.gz" (case-insensitive): senders mislabel;
 *  - not: parts of an attached message (message/rfc822): a forwarded report is not a report
 *    delivered to us, and its DKIM signature (RPT-DLV-05) is not the outer message's.
 * Transfer encodings (base64, quoted-printable, ...) are undone by GMime. A part is gunzipped
 * when its bytes begin with the gzip magic (RPT-DLV-08), whatever it is labelled; a part
 * labelled gzip that is not gzip is accepted only when it looks like JSON ("{" first).
 *
 * Limits (untrusted input, RPT-JSON-14): the input is refused above REPORT_MAIL_MAX_INPUT; the
 * JSON of all reports of one input together above REPORT_MAIL_MAX_JSON (a gzip bomb is refused
 * as soon as it passes that, without allocating more); more than REPORT_MAIL_MAX_REPORTS report
 * parts, or MIME nesting deeper than REPORT_MAIL_MAX_DEPTH, are refused. Before GMime sees a
 * message, agent/mailshape.h bounds its shape (header fields, boundaries, address groups), so
 * that neither GMime's memory nor its stack grows with what a sender chooses.
 *
 * GMime is initialised on first use, once per process (pthread_once), and never shut down. The
 * functions may be called from any thread, one call at a time per process: GMime does not
 * promise more (the agent calls them from its one thread). GMime aborts the process when memory
 * runs out (GLib's rule); everything else returns -ENOMEM.
 */
#ifndef MXS_AGENT_REPORT_MAIL_H
#define MXS_AGENT_REPORT_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "lib/gunzip.h"

#define REPORT_MAIL_MAX_INPUT   (25u * 1024 * 1024) /* PROJECT: a message or a file */
#define REPORT_MAIL_MAX_JSON    GUNZIP_REPORT_MAX   /* RPT-JSON-14, all reports of one input */
#define REPORT_MAIL_MAX_REPORTS 16                  /* report parts in one message */
#define REPORT_MAIL_MAX_DEPTH   16                  /* nested multiparts walked */

/* One report found in the input. */
struct report_payload {
	unsigned char *json; /* the report's bytes, decompressed when was_gzip (not validated:
			      * lib/tlsrpt.c judges them); followed by a NUL byte not counted in
			      * len; owned by the payload */
	size_t len;          /* bytes in json */
	char *filename;      /* the part's file name (Content-Disposition filename, else
			      * Content-Type name; RFC 2231 decoded) or the file's base name, as
			      * the sender wrote it (may hold any byte but NUL: quote it before
			      * logging); NULL when there is none */
	char *content_type;  /* the part's "type/subtype", lower case; NULL for a bare file */
	bool was_gzip;       /* the bytes were gzip (magic 1f 8b) and have been decompressed */
};

/* What arrived: the reports, and what the message says about them. */
struct report_mail {
	bool is_message;        /* the input was a mail message (else a bare .json/.json.gz) */
	char *report_domain;    /* TLS-Report-Domain (RPT-DLV-04), unfolded and trimmed; NULL
				 * when absent or not a message */
	char *report_submitter; /* TLS-Report-Submitter (RPT-DLV-04), likewise */
	char *subject;          /* Subject (RPT-DLV-06), RFC 2047 decoded and unfolded, or NULL */
	char *message_id;       /* Message-ID without its angle brackets, or NULL */
	struct report_payload *reports; /* n reports (at least one), in the order found */
	size_t n;
};

/*
 * Extract the reports of one RFC 5322 message.
 *
 * msg, len: the whole message, headers and body, CRLF or LF line ends; an mbox "From " line
 *           in front (as pipe transports add) is skipped. Not NUL-terminated; borrowed.
 * ret:      on success a new struct report_mail, freed by the caller with report_mail_free().
 *           Untouched on failure.
 * reterr:   optional; on failure where the fault is (the report part's file name, or "MIME
 *           part N" counting leaves from 1, or NULL for the message as a whole), the rule and
 *           why.
 *
 * Returns 0; -ENOENT when the message holds no report part (the message says which types
 * and names are looked for); -EFBIG when the message or the reports' JSON exceed their
 * limits (a gzip bomb: where names the part); -E2BIG for too many report parts, too deep a
 * nesting, or a message shape past the limits of agent/mailshape.h; -EINVAL for input that is no message, a part that cannot be
 * decoded, or a gzip part that is truncated, corrupt or neither gzip nor JSON; -ENOMEM.
 */
int report_mail_extract(const void *msg, size_t len, struct report_mail **ret,
			struct mxs_error *reterr);

/*
 * Extract the reports of an input of unknown kind, as "mxsentry report ingest [FILE|-]" reads
 * it: gzip data (magic 1f 8b, whatever the name) is one gzipped report; text whose first
 * non-blank byte is "{" is one JSON report; anything that begins like a mail message (a header
 * field, or an mbox "From " line) goes to report_mail_extract().
 *
 * data, len: the input (borrowed).
 * name:      the file's path or name, or NULL or "-" for standard input; its base name becomes
 *            the payload's filename for a bare file. Only ever used as a label.
 * ret, reterr, return values: as report_mail_extract(); -EINVAL also for an empty input or one
 *            that is none of the three kinds.
 */
int report_mail_extract_file(const void *data, size_t len, const char *name,
			     struct report_mail **ret, struct mxs_error *reterr);

/* Release a result and everything it holds. NULL-safe; returns NULL. */
struct report_mail *report_mail_free(struct report_mail *mail);

#endif

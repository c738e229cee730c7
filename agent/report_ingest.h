/*
 * report_ingest.h - TLS-RPT reports into the store, from whatever brought them: a mail an MTA
 * pipes to "mxsentry report ingest", a .json or .json.gz file, or an HTTPS POST to the agent.
 *
 * Each input goes through agent/report_mail.h (MIME, gzip with its size caps), each report it
 * holds through lib/tlsrpt.h, and into the store (agent/store_report.h): a report that parses is
 * stored once per (organisation, report-id) with the deviations that were tolerated; an input or
 * a report that cannot be understood is kept raw with the reason. Nothing is dropped silently.
 */
#ifndef MXS_AGENT_REPORT_INGEST_H
#define MXS_AGENT_REPORT_INGEST_H

#include <stddef.h>
#include <time.h>

#include "agent/store.h"
#include "lib/error.h"

/* What one input gave. */
struct ingest_result {
	unsigned stored;     /* new reports */
	unsigned duplicates; /* reports stored already */
	unsigned rejected;   /* inputs or reports kept raw as not understood */
	char *why;           /* the first rejection's reason (owned), or NULL */
	char *last_domain;   /* the policy domain of the last report stored (owned), or NULL */
};

/*
 * Ingest one input.
 *
 * data, len: the bytes (a whole mail message, a report's JSON, or its gzip).
 * name:      a file name for messages (may be NULL).
 * via:       "mail", "file" or "https" (recorded with each report).
 * ret:       filled (clear with ingest_result_clear()).
 *
 * Returns 0 when everything was recorded (also when some of it was rejected: it is kept), or
 * -errno when the store could not record it (the caller must not drop the input: an MTA should
 * try again later).
 */
int report_ingest(struct store *s, const void *data, size_t len, const char *name, const char *via,
		  time_t now, struct ingest_result *ret, struct mxs_error *reterr);

void ingest_result_clear(struct ingest_result *r);

#endif

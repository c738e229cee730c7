/*
 * rpt_txt.h - the TLS-RPT TXT record at _smtp._tls.<domain> (RFC 8460 §3; spec/tls-rpt.md §1,
 * RPT-TXT).
 *
 * Two steps, as a reporting sender takes them:
 *  - discovery over the whole TXT RRset (RPT-TXT-02): records not beginning with "v=TLSRPTv1"
 *    followed by optional WSP and ";" are discarded (whitespace before ";" as MTA-STS D1);
 *    TLS-RPT applies only when exactly one remains and it is valid;
 *  - the grammar of one record (RPT-TXT-03..09): version first, then ";"-delimited fields, a
 *    required "rua" holding one or more URIs separated by ",", extensions ignored.
 *
 * Both report every problem as diagnostics (lib/diag.h) appended to a caller's list. Records
 * are the joined character-strings (RPT-TXT-03), as in struct txt_record (lib/snapshot.h).
 */
#ifndef MXS_LIB_RPT_TXT_H
#define MXS_LIB_RPT_TXT_H

#include <stddef.h>

#include "lib/diag.h"
#include "lib/snapshot.h"

/* What an accepted record says. */
struct rpt_txt {
	char **rua;   /* the report destinations (URIs as written), in order of appearance over
		       * every rua field (RPT-TXT-09), NULL-terminated; owned by the record */
	size_t n_rua; /* at least 1 */
};

/*
 * Parse one record.
 *
 * data, len:  the record's joined bytes (need not be NUL-terminated; may contain any byte).
 * ret_record: optional; on success a new record, freed by the caller with rpt_txt_free().
 *             Untouched on failure.
 * diags:      optional; every diagnostic found is appended (on failure too).
 *
 * Returns 0 when the record is accepted: no diagnostic is both invalid and ERROR. An accepted
 * record may still carry an ERROR that is no grammar fault (RPT-TXT-07: no rua with a
 * supported scheme, so nobody can send reports) or be invalid at WARN level (D2: a malformed
 * extension). -EINVAL when it is rejected (the diagnostics say why); -ENOMEM (the diagnostics
 * may then be incomplete).
 */
int rpt_txt_parse(const char *data, size_t len, struct rpt_txt **ret_record,
		  struct diag_list *diags);

/* Release a record. NULL-safe; returns NULL. */
struct rpt_txt *rpt_txt_free(struct rpt_txt *record);

/*
 * Discovery over the TXT RRset of _smtp._tls.<domain> (RPT-TXT-02).
 *
 * records, n: the RRset (records may be NULL when n is 0); a record with has_nul set is
 *             rejected.
 * ret_count:  optional; the number of records that begin with "v=TLSRPTv1" + *WSP + ";".
 * ret_record: optional; when TLS-RPT applies, the one record as rpt_txt_parse() returns it
 *             (the caller frees it).
 * diags:      optional; every diagnostic is appended: INFO (invalid) for no TLSRPTv1 record,
 *             ERROR for several, the single record's own diagnostics, WARN for a discarded
 *             record that looks like a mistyped TLSRPTv1 record.
 *
 * Returns 1 when exactly one TLSRPTv1 record remains and it is accepted, 0 when TLS-RPT does
 * not apply, -ENOMEM. ret_count is written in both non-negative cases, ret_record only on 1.
 */
int rpt_txt_discover(const struct txt_record *records, size_t n, size_t *ret_count,
		     struct rpt_txt **ret_record, struct diag_list *diags);

#endif

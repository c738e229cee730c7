/*
 * sts_txt.h - the MTA-STS TXT record at _mta-sts.<domain> (RFC 8461 §3.1; spec/mta-sts.md §1).
 *
 * Two steps, as a sender takes them:
 *  - discovery over the whole TXT RRset (STS-TXT-04/05): records not beginning with "v=STSv1"
 *    followed by optional WSP and ";" are discarded (decision D1); a policy applies only when
 *    exactly one remains and it is valid;
 *  - the grammar of one record (STS-TXT-02..11, decisions D1, D2, D7): version first, then
 *    ";"-delimited fields, a required "id" of 1..32 alphanumerics, extensions ignored.
 *
 * Both report every problem they find as diagnostics (lib/diag.h) appended to a caller's list.
 * The records are the joined character-strings (STS-TXT-03: joined without spaces), as the
 * gatherer stores them in struct txt_record (lib/snapshot.h).
 */
#ifndef MXS_LIB_STS_TXT_H
#define MXS_LIB_STS_TXT_H

#include <stddef.h>

#include "lib/diag.h"
#include "lib/snapshot.h"

/* Longest policy id (STS-TXT-08: 1*32 alphanumerics). */
#define STS_TXT_ID_MAX 32

/* What a valid record says. */
struct sts_txt {
	char id[STS_TXT_ID_MAX + 1]; /* the policy id, 1..32 of [A-Za-z0-9], NUL-terminated */
};

/*
 * Parse one record.
 *
 * data, len: the record's joined bytes (need not be NUL-terminated; may contain any byte).
 * ret_txt:   optional; on success, the id. Untouched on failure.
 * diags:     optional; every diagnostic found is appended (on failure too).
 *
 * Returns 0 when the record is accepted: no diagnostic is both invalid and ERROR (it may still
 * be invalid at WARN level, decision D2, e.g. trailing whitespace); -EINVAL when it is rejected
 * (the diagnostics say why: not beginning with "v=STSv1", bad or missing id, ...); -ENOMEM
 * (the diagnostics may then be incomplete).
 */
int sts_txt_parse(const char *data, size_t len, struct sts_txt *ret_txt, struct diag_list *diags);

/*
 * Discovery over the TXT RRset of _mta-sts.<domain> (STS-TXT-04, STS-TXT-05).
 *
 * records, n: the RRset (records may be NULL when n is 0). A record with has_nul set is a
 *             record with a NUL byte, which is not US-ASCII text (STS-TXT-02).
 * ret_count:  optional; the number of records that begin with "v=STSv1" + *WSP + ";".
 * ret_txt:    optional; when a policy applies, the id of the one record.
 * diags:      optional; every diagnostic is appended: INFO (invalid) for no STSv1 record,
 *             ERROR for several, the single record's own diagnostics, WARN for a discarded
 *             record that looks like a mistyped STSv1 record.
 *
 * Returns 1 when exactly one STSv1 record remains and it is accepted (*ret_txt is set), 0 when
 * no MTA-STS policy applies (*ret_count says whether there were none or several), -ENOMEM.
 * ret_count is written in both non-negative cases.
 */
int sts_txt_discover(const struct txt_record *records, size_t n, size_t *ret_count,
		     struct sts_txt *ret_txt, struct diag_list *diags);

#endif

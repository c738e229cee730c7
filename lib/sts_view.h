/*
 * sts_view.h - the MTA-STS state of a domain as a sender sees it, from one snapshot.
 *
 * Three checks need the same judgement: mta_sts reports on the record and the policy,
 * mx_starttls grades TLS faults by the policy's mode (a fault that makes "enforce" senders
 * refuse an MX is CRITICAL, the same under "testing" a WARNING; RFC 8461 §5), and tls_rpt warns
 * when "testing" runs without reports (RPT-CHK-01). sts_view_build() walks the sender's steps
 * once — discovery of the _mta-sts record (STS-TXT-04), the fetch (STS-FETCH), the policy
 * (STS-POL) — and keeps every diagnostic for the check that reports them.
 */
#ifndef MXS_LIB_STS_VIEW_H
#define MXS_LIB_STS_VIEW_H

#include <stddef.h>

#include "lib/diag.h"
#include "lib/snapshot.h"
#include "lib/sts_policy.h"
#include "lib/sts_txt.h"

enum sts_state {
	STS_NOT_GATHERED, /* the snapshot has no _mta-sts lookup (the check was not enabled) */
	STS_UNKNOWN,      /* the _mta-sts lookup failed (SERVFAIL, timeout): cannot tell */
	STS_ABSENT,       /* no STSv1 record: the domain does not use MTA-STS */
	STS_BROKEN,       /* STSv1 record(s), but senders end up with no policy: several records,
			   * an invalid record, a failed fetch or an invalid policy */
	STS_ACTIVE,       /* one valid record and a valid policy: senders apply `mode` */
};

struct sts_view {
	enum sts_state state;
	size_t n_records;   /* STSv1 records found */
	struct sts_txt txt; /* the record's id, when exactly one valid record */
	bool txt_valid;
	struct sts_policy *policy; /* the parsed policy when it was accepted (owned) */
	/* Where the sender's path broke, when state is STS_BROKEN: */
	bool fetch_failed;   /* no response, or one senders reject (status, type, size) */
	bool webpki_failed;  /* the fetch failed on the policy host certificate (STS-FETCH-02/03) */
	bool policy_invalid; /* a response, but the body is not a valid policy */
	/* Every diagnostic, by stage (owned). */
	struct diag_list txt_diags;
	struct diag_list fetch_diags;
	struct diag_list policy_diags;
};

/*
 * Judge snap's MTA-STS facts. ret is always filled (state STS_NOT_GATHERED at least) and must
 * be released with sts_view_clear(). Returns 0, or -ENOMEM (ret is then cleared).
 */
int sts_view_build(const struct snapshot *snap, struct sts_view *ret);

/*
 * The SHA-256 of a policy body as lower-case hex into out (65 bytes): how the store and the
 * checks recognise a policy they saw before (STS-TXT-09). Returns 0, or -ENOMEM.
 */
int sts_view_body_digest(const unsigned char *body, size_t len, char out[65]);

/* Release what a view owns and reset it. NULL-safe. */
void sts_view_clear(struct sts_view *v);

#endif

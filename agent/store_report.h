/*
 * store_report.h - TLS-RPT reports in the store (migration 6, agent/store.c).
 *
 * A report is stored once per (organisation, report-id) whatever way it came (RFC 8460 §4.4:
 * report-id is unique per reporting organisation); an input that could not be understood is kept
 * raw with the reason (issue "TLS-RPT reports in": nothing dropped silently).
 */
#ifndef MXS_AGENT_STORE_REPORT_H
#define MXS_AGENT_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "agent/store.h"
#include "lib/error.h"
#include "lib/tlsrpt.h"

/*
 * Store a parsed report, in one transaction with its policies and failure details.
 *
 * via:        how it came: "https", "mail" or "file".
 * deviations: what was tolerated, one line each ("" for none).
 * ret_dup:    set to whether it was stored already (then nothing is written).
 * ret_id:     optional; its row id (the earlier one for a duplicate).
 *
 * Returns 0 or -errno.
 */
int store_report_add(struct store *s, const struct tlsrpt_report *r, const char *via,
		     const char *deviations, time_t received, bool *ret_dup, long long *ret_id,
		     struct mxs_error *reterr);

/* Keep an input that could not be understood, raw, with the reason. Returns 0 or -errno. */
int store_report_reject(struct store *s, const char *via, const char *reason, const void *raw,
			size_t len, time_t received, struct mxs_error *reterr);

/* One failure detail of a stored report, as the summary and the correlation read them. */
struct report_failure_row {
	char *organization;
	time_t start, end;
	char *policy_domain, *policy_type, *mode;
	char *result_type, *sending_ip, *receiving_mx, *receiving_ip, *reason;
	unsigned long long count;
};

/* Session counts of one stored policy of a report. */
struct report_policy_row {
	char *organization, *report_id;
	time_t start, end;
	char *policy_domain, *policy_type, *mode;
	unsigned long long successful, failed;
};

/*
 * The policies and failures of the reports about domain (NULL: every domain) whose period ends
 * after from and starts before to, oldest first. Free with the _free() functions.
 */
int store_report_policies(struct store *s, const char *domain, time_t from, time_t to,
			  struct report_policy_row **ret, size_t *ret_n, struct mxs_error *reterr);
int store_report_failures(struct store *s, const char *domain, time_t from, time_t to,
			  struct report_failure_row **ret, size_t *ret_n, struct mxs_error *reterr);
struct report_policy_row *report_policy_rows_free(struct report_policy_row *v, size_t n);
struct report_failure_row *report_failure_rows_free(struct report_failure_row *v, size_t n);

/* How many inputs were rejected (for /metrics and the summary). */
int store_report_counts(struct store *s, size_t *ret_reports, size_t *ret_rejected,
			struct mxs_error *reterr);

#endif

/*
 * tlsrpt.h - one SMTP TLS Reporting aggregate report (RFC 8460 §4; spec/tls-rpt.md §2-3,
 * RPT-JSON, RPT-RES).
 *
 * A report is the JSON document a sending organisation mails or posts to a domain's rua
 * destinations once a day: who reports, for which day, and per policy (MTA-STS, DANE TLSA, or
 * none found) how many sessions succeeded and how many failed, and why. tlsrpt_parse() turns
 * the bytes (already decompressed, RPT-DLV-08) into a struct tlsrpt_report.
 *
 * Tolerance: real senders are sloppy (spec/vectors/real/): large ones omit fields the RFC
 * requires, send "contact-info": null, empty IP strings, zone-less date-times or a TLSA
 * policy-string holding one JSON-encoded array. A report is accepted whenever its data can be
 * understood; every deviation is recorded as a diagnostic (lib/diag.h) with its requirement
 * ID, "invalid" set where the strict RFC verdict fails. A report is rejected only when it cannot
 * be understood or attributed: not JSON (or duplicate member names, RPT-JSON-01), no report-id,
 * no usable date-range, no policies array, a summary or count that is missing or not a
 * non-negative integer, a policy-type outside the three of RFC 8460, an IP address string that
 * is not an address. The parse stops at the first such fault, and its ERROR diagnostic says
 * why; lib/diag.h's rule holds: rejected exactly when a diagnostic is both invalid and ERROR.
 *
 * Strings are the sender's words and reach terminals, mail and logs: every string of the model
 * but the policy strings (which are policy text, read further) has its control characters
 * written as \xHH, recorded once per report (WARN, RPT-JSON-14).
 *
 * Deviations that repeat over failure-details entries (a missing sending-mta-ip, an
 * unregistered result type, ...) are reported once per report with the first place and a
 * count, so that a 10 MiB report does not give a diagnostic per line.
 *
 * Files: tlsrpt.c walks the report and gives the verdict, tlsrpt_policy.c each policy and its
 * failure details (sharing the private tlsrpt_walk.h), tlsrpt_value.c the value syntaxes and
 * registries below. The file name of a report (RFC 8460 §5.1) is read by lib/tlsrpt_name.h.
 */
#ifndef MXS_LIB_TLSRPT_H
#define MXS_LIB_TLSRPT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/diag.h"

/* RPT-JSON-14 (PROJECT): the largest report read, decompressed (the §5.2 receiver limit). */
#define TLSRPT_MAX_REPORT (10u * 1024 * 1024)

/*
 * The policy a sender applied (RPT-JSON-04). RFC 8460 §4.4 allows only these three; a report
 * naming another is rejected (vector rpt-json-008), so no "other" value exists.
 */
enum tlsrpt_policy_type {
	TLSRPT_POLICY_STS,       /* "sts": an MTA-STS policy (RFC 8461) */
	TLSRPT_POLICY_TLSA,      /* "tlsa": DANE TLSA records (RFC 7672) */
	TLSRPT_POLICY_NO_POLICY, /* "no-policy-found": neither was found */
};

/* One failure-details entry: sessions that failed for one reason between two hosts. */
struct tlsrpt_failure {
	char *result_type;           /* as written, never NULL; tlsrpt_result_type_known()
				       * tells a registered one (RPT-RES-01/02) */
	char *sending_mta_ip;        /* IPv4 or IPv6 text, NULL when absent or empty */
	char *receiving_mx_hostname; /* NULL when absent or empty */
	char *receiving_mx_helo;     /* NULL when absent */
	char *receiving_ip;          /* IPv4 or IPv6 text, NULL when absent or empty */
	unsigned long long failed_session_count;
	char *additional_information; /* a URI as written ("additional-info-uri" read too),
				       * NULL when absent */
	char *failure_reason_code;    /* free text, NULL when absent */
};

/* One entry of "policies": a policy and the sessions counted under it. */
struct tlsrpt_policy {
	enum tlsrpt_policy_type type;
	char *policy_domain;     /* as written; NULL only for TLSRPT_POLICY_NO_POLICY when the
				  * sender left it out (tls-rpt.md §6 item 5) */
	char **policy_strings;   /* NULL-terminated, never NULL; for tlsa one string per TLSA RR,
				  * also when the sender packed them into one JSON array string */
	size_t n_policy_strings; /* 0 when absent */
	char **mx_hosts;         /* NULL-terminated, never NULL; a single string becomes one
				  * element (tls-rpt.md §6 item 2) */
	size_t n_mx_hosts;
	unsigned long long total_successful;
	unsigned long long total_failure;
	struct tlsrpt_failure *failures; /* NULL when n_failures is 0 */
	size_t n_failures;
};

/* A whole report. Every pointer is owned by the report; tlsrpt_report_clear() frees them. */
struct tlsrpt_report {
	char *organization_name; /* NULL when the sender left it out (recorded, RPT-JSON-02) */
	char *report_id;         /* never NULL nor empty: the key to recognise a report again */
	char *contact_info;      /* NULL when absent or JSON null (RPT-JSON-07) */
	time_t start;            /* date-range, UTC; a zone-less date-time is read as UTC */
	time_t end;              /* always later than start */
	struct tlsrpt_policy *policies; /* NULL when n_policies is 0 */
	size_t n_policies;
};

/*
 * Parse one report.
 *
 * json, len: the JSON bytes (need not be NUL-terminated; may contain any byte). Input over
 *            TLSRPT_MAX_REPORT bytes is rejected without being read (RPT-JSON-14).
 * ret:       optional; on success filled with the report, which the caller releases with
 *            tlsrpt_report_clear(). Untouched on failure.
 * diags:     optional; every diagnostic found is appended (on failure too).
 *
 * Returns 0 when the report is accepted (see the top of this file), -EINVAL when it is
 * rejected (an ERROR diagnostic says why), -ENOMEM (the diagnostics may then be incomplete).
 */
int tlsrpt_parse(const char *json, size_t len, struct tlsrpt_report *ret, struct diag_list *diags);

/* Release everything a report owns and zero it. NULL-safe. */
void tlsrpt_report_clear(struct tlsrpt_report *report);

/* "sts", "tlsa" or "no-policy-found" (the JSON values); "?" for anything else. */
const char *tlsrpt_policy_type_name(enum tlsrpt_policy_type type);

/*
 * Whether name is a result type of the "STARTTLS Validation Result Types" registry (RFC 8460
 * §6.6; tls-rpt.md §3, RPT-RES-01). Returns the registry's own static string (compared
 * case-sensitively), or NULL for an unregistered or NULL name (RPT-RES-02).
 */
const char *tlsrpt_result_type_known(const char *name);

/*
 * Read an RFC 3339 date-time (RPT-JSON-05): full-date "T" time with optional fraction, then "Z"
 * or a numeric offset; "T" and "Z" in either case.
 *
 * text:      NUL-terminated.
 * ret_time:  on success the instant, seconds since the epoch (fraction dropped).
 * ret_zoned: on success, false when the zone was missing and the time was read as UTC (the
 *            Microsoft form "2023-01-10T00:00:00", which is not RFC 3339). Optional.
 *
 * Returns 0, or -EINVAL for anything else (a date alone, a time alone, fields out of range).
 * Outputs are written only on success.
 */
int tlsrpt_datetime_parse(const char *text, time_t *ret_time, bool *ret_zoned);

/*
 * Whether text is an IP address as RFC 8460 §4.4 writes it (RPT-JSON-11): dotted-decimal IPv4
 * without leading zeros, or an RFC 4291 IPv6 address (canonical form not required). NULL gives
 * false.
 */
bool tlsrpt_ip_valid(const char *text);

#endif

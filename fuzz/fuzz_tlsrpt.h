/*
 * fuzz_tlsrpt.h - what every accepted TLS-RPT report must look like (lib/tlsrpt.h), shared by
 * the targets that reach tlsrpt_parse(): fuzz_tlsrpt (whole reports) and fuzz_tlsrpt_policy
 * (one entry of "policies"). Header-only, for fuzz targets.
 *
 * A non-empty report-id, end after start, one of the three policy types, a policy-domain unless
 * no-policy-found, NULL-terminated policy-string and mx-host vectors of the stated length, and
 * failures with a result type, valid IP addresses (RPT-JSON-11) and no empty host names.
 */
#ifndef MXS_FUZZ_TLSRPT_H
#define MXS_FUZZ_TLSRPT_H

#include <stdlib.h>
#include <string.h>

#include "lib/tlsrpt.h"

static inline void fuzz_check_strv(char **v, size_t n)
{
	size_t i;

	if (v == NULL || v[n] != NULL)
		abort();
	for (i = 0; i < n; i++)
		if (v[i] == NULL)
			abort();
}

static inline void fuzz_check_failure(const struct tlsrpt_failure *f)
{
	if (f->result_type == NULL || f->result_type[0] == '\0')
		abort();
	if (f->sending_mta_ip != NULL && !tlsrpt_ip_valid(f->sending_mta_ip))
		abort();
	if (f->receiving_ip != NULL && !tlsrpt_ip_valid(f->receiving_ip))
		abort();
	if (f->receiving_mx_hostname != NULL && f->receiving_mx_hostname[0] == '\0')
		abort();
}

static inline void fuzz_check_report(const struct tlsrpt_report *r)
{
	size_t i, k;

	if (r->report_id == NULL || r->report_id[0] == '\0' || r->end <= r->start)
		abort();
	if ((r->policies == NULL) != (r->n_policies == 0))
		abort();
	for (i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		if (strcmp(tlsrpt_policy_type_name(p->type), "?") == 0)
			abort();
		if (p->policy_domain == NULL && p->type != TLSRPT_POLICY_NO_POLICY)
			abort();
		fuzz_check_strv(p->policy_strings, p->n_policy_strings);
		fuzz_check_strv(p->mx_hosts, p->n_mx_hosts);
		if ((p->failures == NULL) != (p->n_failures == 0))
			abort();
		for (k = 0; k < p->n_failures; k++)
			fuzz_check_failure(&p->failures[k]);
	}
}

#endif

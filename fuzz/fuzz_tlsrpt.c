/*
 * fuzz_tlsrpt.c - libFuzzer target for tlsrpt_parse() (lib/tlsrpt.c) and tlsrpt_name_parse()
 * (lib/tlsrpt_name.c).
 *
 * The input is parsed as one report (JSON bytes), then as a report file name, and its first
 * line as a date-time and as an IP address. Properties checked beyond "no crash":
 *  - the result is 0, -EINVAL or -ENOMEM; 0 exactly when no diagnostic is invalid and ERROR;
 *  - every diagnostic has a requirement ID, a level and a text without control characters;
 *  - an accepted report has a non-empty report-id, end after start, one of the three policy
 *    types, a policy-domain unless no-policy-found, NULL-terminated policy-string and mx-host
 *    vectors of the stated length, and failures with a result type, valid IP addresses
 *    (RPT-JSON-11) and no empty host names;
 *  - parsing the same input twice, or without a diagnostic list or output, gives the same result;
 *  - a file name is accepted exactly when no diagnostic is invalid, all its diagnostics are
 *    WARN RPT-DLV-07, and an accepted name has a known extension, end >= begin and an
 *    alphanumeric unique-id.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tlsrpt.h"
#include "lib/tlsrpt_name.h"
#include "fuzz/fuzz_diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_strv(char **v, size_t n)
{
	size_t i;

	if (v == NULL || v[n] != NULL)
		abort();
	for (i = 0; i < n; i++)
		if (v[i] == NULL)
			abort();
}

static void check_failure(const struct tlsrpt_failure *f)
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

static void check_report(const struct tlsrpt_report *r)
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
		check_strv(p->policy_strings, p->n_policy_strings);
		check_strv(p->mx_hosts, p->n_mx_hosts);
		if ((p->failures == NULL) != (p->n_failures == 0))
			abort();
		for (k = 0; k < p->n_failures; k++)
			check_failure(&p->failures[k]);
	}
}

static void same_diags(const struct diag_list *a, const struct diag_list *b)
{
	size_t i;

	if (a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++)
		if (a->v[i].level != b->v[i].level || a->v[i].invalid != b->v[i].invalid ||
		    strcmp(a->v[i].req, b->v[i].req) != 0 ||
		    strcmp(a->v[i].text, b->v[i].text) != 0)
			abort();
}

static void fuzz_report(const char *buf, size_t size)
{
	struct tlsrpt_report a = { 0 }, b = { 0 };
	struct diag_list da = { 0 }, db = { 0 };
	int r1, r2;

	r1 = tlsrpt_parse(buf, size, &a, &da);
	if (r1 == -ENOMEM)
		goto out;
	fuzz_check_verdict(r1, &da, r1 == 0);
	if (r1 == 0)
		check_report(&a);
	r2 = tlsrpt_parse(buf, size, &b, &db);
	if (r2 == -ENOMEM)
		goto out;
	if (r2 != r1)
		abort();
	same_diags(&da, &db);
	if (r1 == 0 && (strcmp(a.report_id, b.report_id) != 0 || a.start != b.start ||
			a.end != b.end || a.n_policies != b.n_policies))
		abort();
	r2 = tlsrpt_parse(buf, size, NULL, NULL);
	if (r2 != r1 && r2 != -ENOMEM)
		abort();
out:
	tlsrpt_report_clear(&a);
	tlsrpt_report_clear(&b);
	diag_clear(&da);
	diag_clear(&db);
}

static void fuzz_name(const char *buf, size_t size)
{
	struct tlsrpt_name n = { 0 };
	struct diag_list d = { 0 };
	size_t i;
	int r, r2;

	r = tlsrpt_name_parse(buf, size, &n, &d);
	if (r == -ENOMEM)
		goto out;
	if (r != 0 && r != -EINVAL)
		abort();
	fuzz_check_diags(&d);
	if ((r == 0) == diag_any_invalid(&d, 0))
		abort();
	for (i = 0; i < d.n; i++)
		if (d.v[i].level != DIAG_WARN || strcmp(d.v[i].req, "RPT-DLV-07") != 0)
			abort();
	if (r == 0) {
		if (n.sender == NULL || n.policy_domain == NULL || n.end < n.begin)
			abort();
		if (strcmp(n.extension, "json") != 0 && strcmp(n.extension, "json.gz") != 0)
			abort();
		for (i = 0; n.unique_id != NULL && n.unique_id[i] != '\0'; i++)
			if (!isalnum((unsigned char)n.unique_id[i]))
				abort();
	}
	r2 = tlsrpt_name_parse(buf, size, NULL, NULL);
	if (r2 != r && r2 != -ENOMEM)
		abort();
out:
	tlsrpt_name_clear(&n);
	diag_clear(&d);
}

/* The first line alone, NUL-terminated, through the value syntaxes. */
static void fuzz_values(const char *buf, size_t size)
{
	const char *nl = memchr(buf, '\n', size);
	size_t len = nl != NULL ? (size_t)(nl - buf) : size;
	char *line = malloc(len + 1);
	time_t t = 0;
	bool zoned = false;

	if (line == NULL)
		return;
	memcpy(line, buf, len);
	line[len] = '\0';
	if (tlsrpt_datetime_parse(line, &t, &zoned) == 0 && strlen(line) < 19)
		abort();
	(void)tlsrpt_ip_valid(line);
	if (tlsrpt_result_type_known(line) != NULL && strcmp(tlsrpt_result_type_known(line), line))
		abort();
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_report(buf, size);
	fuzz_name(buf, size);
	fuzz_values(buf, size);
	return 0;
}

/*
 * tls_rpt.c - the TLS-RPT record of a domain (RFC 8460 §3).
 *
 * Senders that find exactly one valid `_smtp._tls` record mail or POST a daily report of the
 * TLS failures they met (RPT-TXT-02); without one, failures go unreported. That matters most
 * while an MTA-STS policy runs in "testing": the observation period before "enforce" is blind
 * without reports (RPT-CHK-01, STS-MODE-02).
 *
 * Severity: a broken or missing record costs visibility, not mail: WARNING.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "checks/check.h"
#include "lib/rpt_txt.h"
#include "lib/sts_view.h"

#define CHECK_NAME "tls_rpt"

/* Append a domain-level finding. */
__attribute__((format(printf, 6, 7))) static int add(const struct snapshot *snap,
						     struct findings *out, const char *code,
						     enum severity sev, const char *req,
						     const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = findings_addv(out, CHECK_NAME, code, sev, req, NULL, snap->domain, NULL, fmt, ap);
	va_end(ap);
	return f != NULL ? 0 : -ENOMEM;
}

/* The first diagnostic at least as bad as level; NULL when there is none. */
static const struct diag *first_diag(const struct diag_list *list, enum diag_level level)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->v[i].level >= level)
			return &list->v[i];
	return NULL;
}

/* RPT-CHK-01: is the domain's MTA-STS policy in "testing"? */
static int in_testing(const struct snapshot *snap, bool *ret)
{
	struct sts_view v;

	if (sts_view_build(snap, &v) < 0)
		return -ENOMEM;
	*ret = v.state == STS_ACTIVE && v.policy->mode == STS_MODE_TESTING;
	sts_view_clear(&v);
	return 0;
}

static int judge(const struct snapshot *snap, struct findings *out)
{
	const struct txt_lookup *t = &snap->rpt_txt;
	struct diag_list diags = { 0 };
	struct rpt_txt *rec = NULL;
	const struct diag *d;
	size_t count = 0;
	bool testing;
	int r;

	if (t->status != DNS_OK && t->status != DNS_NODATA && t->status != DNS_NXDOMAIN)
		return add(
		    snap, out, "rpt.txt.lookup",
		    t->status == DNS_SERVFAIL ? SEVERITY_WARNING : SEVERITY_UNKNOWN, "RPT-TXT-01",
		    "the _smtp._tls.%s lookup failed (%s): senders cannot find where to send "
		    "TLS reports",
		    snap->domain, dns_status_name(t->status));
	r = rpt_txt_discover(t->records, t->n_records, &count, &rec, &diags);
	if (r < 0)
		goto out;
	if (count == 0) {
		r = in_testing(snap, &testing);
		if (r == 0 && testing)
			r = add(snap, out, "rpt.missing", SEVERITY_WARNING, "RPT-CHK-01",
				"%s runs MTA-STS in testing but publishes no _smtp._tls record: "
				"nobody will report what enforce would break; publish "
				"\"v=TLSRPTv1; rua=mailto:...\"",
				snap->domain);
	} else if (count > 1) {
		r = add(snap, out, "rpt.txt.multiple", SEVERITY_WARNING, "RPT-TXT-02",
			"_smtp._tls.%s has %zu v=TLSRPTv1 records: senders ignore TLS-RPT; publish "
			"exactly one",
			snap->domain, count);
	} else {
		/* One record: rejected (r == 0), or accepted with an ERROR such as no usable
		 * destination (RPT-TXT-07), or with warnings only. */
		d = first_diag(&diags, DIAG_ERROR);
		if (r == 0 || d != NULL)
			r = add(snap, out, "rpt.txt.invalid", SEVERITY_WARNING,
				d != NULL ? d->req : "RPT-TXT-05",
				"_smtp._tls.%s: %s: senders send no TLS reports", snap->domain,
				d != NULL ? d->text : "not a valid TLS-RPT record");
		else if ((d = first_diag(&diags, DIAG_WARN)) != NULL)
			r = add(snap, out, "rpt.txt.syntax", SEVERITY_WARNING, d->req,
				"_smtp._tls.%s: %s", snap->domain, d->text);
		else
			r = 0;
	}
out:
	(void)rpt_txt_free(rec);
	diag_clear(&diags);
	return r;
}

static int tls_rpt_evaluate(const struct snapshot *snap, const struct history *hist,
			    const void *priv, struct findings *out)
{
	(void)hist;
	(void)priv;
	if (snap->unknown_reason != NULL)
		return findings_add(out, CHECK_NAME, "check.unknown", SEVERITY_UNKNOWN, NULL, NULL,
				    snap->domain, NULL, "not evaluated: %s",
				    snap->unknown_reason) != NULL
			   ? 0
			   : -ENOMEM;
	if (!snap->rpt_txt.looked_up)
		return 0;
	return judge(snap, out);
}

const struct check check_tls_rpt = {
	.name = CHECK_NAME,
	/* The MTA-STS facts tell whether a missing record leaves "testing" blind. */
	.needs = OBS_RPT_TXT | OBS_STS_TXT | OBS_STS_POLICY,
	.configure = check_configure_none,
	.evaluate = tls_rpt_evaluate,
	.release = check_release_none,
};

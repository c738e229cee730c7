/*
 * report_ingest.c - TLS-RPT reports into the store; see report_ingest.h.
 */
#include "agent/report_ingest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/report_mail.h"
#include "agent/store_report.h"
#include "lib/diag.h"
#include "lib/tlsrpt.h"

void ingest_result_clear(struct ingest_result *r)
{
	free(r->why);
	free(r->last_domain);
	memset(r, 0, sizeof(*r));
}

/* Keep what could not be understood, with why; remember the first reason. */
static int reject(struct store *s, struct ingest_result *res, const char *via, const char *why,
		  const void *raw, size_t len, time_t now, struct mxs_error *reterr)
{
	int r = store_report_reject(s, via, why, raw, len, now, reterr);

	if (r < 0)
		return r;
	res->rejected++;
	if (res->why == NULL)
		res->why = strdup(why);
	return 0;
}

/* The diagnostics as lines, "[REQ] text" each: the deviations a report is stored with. */
static char *lines_of(const struct diag_list *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s[%s] %s", i > 0 ? "\n" : "", d->v[i].req, d->v[i].text);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The first ERROR that made the parser give up: the reason a report is rejected. */
static const char *first_error(const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == DIAG_ERROR)
			return d->v[i].text;
	return "the report cannot be understood";
}

static int one_report(struct store *s, struct ingest_result *res, const char *via,
		      const struct report_payload *p, time_t now, struct mxs_error *reterr)
{
	struct tlsrpt_report rep = { 0 };
	struct diag_list diags = { 0 };
	char *deviations = NULL, *why = NULL;
	bool dup = false;
	int r;

	r = tlsrpt_parse((const char *)p->json, p->len, &rep, &diags);
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		why = mxs_strdupf("%s%s%s: %s", p->filename != NULL ? "\"" : "",
				  p->filename != NULL ? p->filename : "a report",
				  p->filename != NULL ? "\"" : "", first_error(&diags));
		r = why == NULL ? -ENOMEM : reject(s, res, via, why, p->json, p->len, now, reterr);
		goto out;
	}
	deviations = lines_of(&diags);
	if (deviations == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = store_report_add(s, &rep, via, deviations, now, &dup, NULL, reterr);
	if (r < 0)
		goto out;
	if (dup)
		res->duplicates++;
	else
		res->stored++;
	if (rep.n_policies > 0 && rep.policies[0].policy_domain != NULL) {
		free(res->last_domain);
		res->last_domain = strdup(rep.policies[0].policy_domain);
	}
out:
	free(deviations);
	free(why);
	diag_clear(&diags);
	tlsrpt_report_clear(&rep);
	return r;
}

int report_ingest(struct store *s, const void *data, size_t len, const char *name, const char *via,
		  time_t now, struct ingest_result *ret, struct mxs_error *reterr)
{
	struct report_mail *mail = NULL;
	struct mxs_error err = { 0 };
	int r;

	*ret = (struct ingest_result){ 0 };
	r = report_mail_extract_file(data, len, name, &mail, &err);
	if (r == -ENOMEM) {
		mxs_error_clear(&err);
		return r;
	}
	if (r < 0) {
		/* a gzip bomb, a truncated file, a mail without a report: kept, with why */
		char *why = mxs_strdupf("%s%s%s", err.where != NULL ? err.where : "",
					err.where != NULL ? ": " : "",
					err.what != NULL ? err.what : strerror(-r));

		r = why == NULL ? -ENOMEM
				: reject(s, ret, via, why, data,
					 len > REPORT_MAIL_MAX_INPUT ? REPORT_MAIL_MAX_INPUT : len,
					 now, reterr);
		free(why);
		mxs_error_clear(&err);
		return r;
	}
	for (size_t i = 0; r == 0 && i < mail->n; i++)
		r = one_report(s, ret, via, &mail->reports[i], now, reterr);
	report_mail_free(mail);
	return r;
}

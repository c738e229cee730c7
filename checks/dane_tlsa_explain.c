/*
 * dane_tlsa_explain.c - the wording of the dane_tlsa findings (see dane_tlsa_explain.h).
 *
 * A record is named by its position and its fields, "record 2 (3 1 1 2f28d43d...)", so that the
 * operator finds it in the zone; its fate is worded from lib/dane.h's verdict on it and, for an
 * unusable record, from tlsa_check()'s reason. The rotation wording compares the key the history
 * saw before (lib/history.h) with the DANE-EE records still published.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/dane_tlsa_explain.h"
#include "lib/error.h"
#include "lib/tlsa.h"

/* At most this many records are described in one message; the rest are counted. */
#define RECORDS_DESCRIBED 6

/* Append printf-style text to *s (a heap string or NULL). Returns 0 or -ENOMEM. */
__attribute__((format(printf, 2, 3))) static int appendf(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add, *joined;

	va_start(ap, fmt);
	add = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	if (add == NULL)
		return -ENOMEM;
	if (*s == NULL) {
		*s = add;
		return 0;
	}
	joined = mxs_strdupf("%s%s", *s, add);
	free(add);
	if (joined == NULL)
		return -ENOMEM;
	free(*s);
	*s = joined;
	return 0;
}

/* "record 2 (3 1 1 2f28d43d...)": position (1-based), fields and the first data bytes. */
static int record_label(const struct tlsa_rr *rr, size_t i, char **s)
{
	char hex[9] = "";
	size_t k;

	for (k = 0; k < rr->len && k < 4; k++)
		(void)snprintf(hex + 2 * k, sizeof(hex) - 2 * k, "%02x", rr->data[k]);
	return appendf(s, "record %zu (%u %u %u %s%s)", i + 1, rr->usage, rr->selector, rr->mtype,
		       hex, rr->len > 4 ? "..." : "");
}

char *dane_tlsa_explain_records(const struct tlsa_lookup *t, const struct dane_result *res,
				bool judged)
{
	char *s = NULL;
	size_t i;
	int r = 0;

	for (i = 0; i < t->n_rrs && i < RECORDS_DESCRIBED && r == 0; i++) {
		const struct dane_record *rec = i < res->n_records ? &res->records[i] : NULL;
		struct diag_list why = { 0 };

		if (i > 0)
			r = appendf(&s, "; ");
		if (r == 0)
			r = record_label(&t->rrs[i], i, &s);
		if (r != 0 || !judged)
			continue;
		if (rec == NULL || !rec->usable) {
			/* tlsa_check() words the reason the sender discards it */
			(void)tlsa_check(&t->rrs[i], &why);
			r = appendf(&s, " is unusable%s%s", why.n > 0 ? ": " : "",
				    why.n > 0 ? why.v[0].text : "");
			diag_clear(&why);
		} else if (!rec->kept) {
			r = appendf(&s, " is ignored: a stronger digest is published for its "
					"usage and selector");
		} else if (rec->authenticates && rec->depth == 0) {
			r = appendf(&s, " matches the leaf (depth 0)");
		} else if (rec->authenticates) {
			r = appendf(&s, " matches the trust anchor at depth %d", rec->depth);
		} else if (rec->depth >= 0) {
			r = appendf(&s,
				    " matches the certificate at depth %d but the path from it "
				    "does not validate",
				    rec->depth);
		} else {
			r = appendf(&s, " matches no presented certificate");
		}
	}
	if (r == 0 && t->n_rrs > RECORDS_DESCRIBED)
		r = appendf(&s, "; and %zu more records", t->n_rrs - RECORDS_DESCRIBED);
	if (r == 0 && s == NULL)
		r = appendf(&s, "no records");
	if (r != 0) {
		free(s);
		return NULL;
	}
	return s;
}

int dane_tlsa_explain_leaf_record(const struct certinfo *leaf, char **ret_record,
				  const char **ret_digest)
{
	struct tlsa_rr rr = { .usage = TLSA_USAGE_DANE_EE,
			      .selector = TLSA_SELECTOR_SPKI,
			      .mtype = TLSA_MTYPE_SHA256 };
	char *text;
	int r;

	r = tlsa_association(leaf, rr.selector, rr.mtype, &rr.data, &rr.len);
	if (r < 0)
		return r;
	r = tlsa_format(&rr, &text);
	tlsa_clear(&rr);
	if (r < 0)
		return r;
	*ret_record = text;
	*ret_digest = text + strlen("3 1 1 ");
	return 0;
}

void dane_tlsa_explain_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, size, "@%lld", (long long)t);
}

/*
 * The 1-based position of a DANE-EE SHA2-256 record that names key k: "3 1 1" of its SPKI or
 * "3 0 1" of its certificate, the two the history can compare. 0 when no record does.
 */
static size_t names_key(const struct tlsa_lookup *t, const struct key_seen *k)
{
	char hex[65];
	size_t i;

	for (i = 0; i < t->n_rrs; i++) {
		const struct tlsa_rr *rr = &t->rrs[i];

		if (rr->usage != TLSA_USAGE_DANE_EE || rr->mtype != TLSA_MTYPE_SHA256 ||
		    rr->len != 32)
			continue;
		history_digest_hex(rr->data, hex);
		if ((rr->selector == TLSA_SELECTOR_SPKI && strcmp(hex, k->spki_sha256) == 0) ||
		    (rr->selector == TLSA_SELECTOR_CERT && strcmp(hex, k->cert_sha256) == 0))
			return i + 1;
	}
	return 0;
}

/* The first ERROR diagnostic of a result that is not about the records one by one. */
static const char *fail_reason(const struct dane_result *res)
{
	size_t i;

	for (i = 0; i < res->diags.n; i++)
		if (res->diags.v[i].level == DIAG_ERROR &&
		    strcmp(res->diags.v[i].req, "DANE-USG-06") != 0)
			return res->diags.v[i].text;
	return "no usable TLSA record authenticates the server";
}

const char *dane_tlsa_explain_fail_code(const char *rt, const char **ret_req)
{
	if (rt != NULL && strcmp(rt, "starttls-not-supported") == 0) {
		*ret_req = "DANE-USG-05";
		return "dane.starttls-missing";
	}
	if (rt != NULL && strcmp(rt, "certificate-expired") == 0) {
		*ret_req = "DANE-EXP-02";
		return "dane.cert-expired";
	}
	if (rt != NULL && strcmp(rt, "certificate-host-mismatch") == 0) {
		*ret_req = "DANE-NAME-02";
		return "dane.name-mismatch";
	}
	if (rt != NULL && strcmp(rt, "certificate-not-trusted") == 0) {
		*ret_req = "DANE-NAME-02";
		return "dane.chain-invalid";
	}
	*ret_req = "DANE-USG-06";
	return "dane.tlsa.mismatch";
}

char *dane_tlsa_explain_fail(const struct mx_host *mx, const struct mx_address *a,
			     const struct dane_result *res, const char *code, const char *suggest,
			     const char *digest, const struct key_change *kc)
{
	bool starttls = strcmp(code, "dane.starttls-missing") == 0;
	char *records, *text, when[32];
	size_t old;

	/* without STARTTLS no chain was matched: the records are only listed */
	records = dane_tlsa_explain_records(&mx->tlsa, res, !starttls);
	if (records == NULL)
		return NULL;
	if (starttls) {
		text = mxs_strdupf(
		    "%s [%s] has DNSSEC-secure TLSA records at %s but does not offer "
		    "STARTTLS: DANE senders will not deliver to it; enable STARTTLS "
		    "(records: %s)",
		    mx->name, a->text, mx->tlsa.qname != NULL ? mx->tlsa.qname : mx->name, records);
	} else if (kc != NULL) {
		/* DANE-ROT-01/02: the cause first, then what to publish */
		old = names_key(&mx->tlsa, kc->previous);
		dane_tlsa_explain_time(kc->changed_at, when, sizeof(when));
		if (old > 0)
			text = mxs_strdupf(
			    "key of %s [%s] changed at %s (it was %.8s...): the TLSA records "
			    "still name the old key (record %zu), none the new one: %s; the "
			    "new leaf's SPKI SHA2-256 is %s: publish \"%s\" (DANE senders "
			    "defer mail until a record matches)",
			    mx->name, a->text, when, kc->previous->spki_sha256, old, records,
			    digest, suggest);
		else
			text = mxs_strdupf(
			    "key of %s [%s] changed at %s (it was %.8s...) and no usable TLSA "
			    "record authenticates the new chain: %s; the new leaf's SPKI "
			    "SHA2-256 is %s: publish \"%s\" (DANE senders defer mail until a "
			    "record matches)",
			    mx->name, a->text, when, kc->previous->spki_sha256, records, digest,
			    suggest);
	} else if (suggest == NULL) {
		text = mxs_strdupf("%s [%s]: %s: DANE senders defer mail to it (%s)", mx->name,
				   a->text, fail_reason(res), records);
	} else if (strcmp(code, "dane.tlsa.mismatch") == 0) {
		text =
		    mxs_strdupf("no usable TLSA record authenticates the chain %s [%s] presents: "
				"%s; the leaf's SPKI SHA2-256 is %s: publish \"%s\" (DANE "
				"senders defer mail until a record matches)",
				mx->name, a->text, records, digest, suggest);
	} else {
		text =
		    mxs_strdupf("%s [%s]: %s: DANE senders defer mail to it (%s); fix the chain, "
				"or publish \"%s\" for the leaf",
				mx->name, a->text, fail_reason(res), records, suggest);
	}
	free(records);
	return text;
}

char *dane_tlsa_explain_rotated(const struct mx_host *mx, const struct mx_address *a,
				size_t matched, const struct key_change *kc)
{
	const struct tlsa_lookup *t = &mx->tlsa;
	char *label = NULL, *advice = NULL, *text = NULL, when[32];
	size_t old;
	int r;

	dane_tlsa_explain_time(kc->changed_at, when, sizeof(when));
	old = names_key(t, kc->previous);
	/* DANE-ROT-03/04: the old key's record has done its job once no server presents it */
	if (old > 0)
		r = appendf(&advice,
			    "; retire the old key's record %zu and pre-publish the next key's",
			    old);
	else
		r = appendf(&advice, "%s", "");
	if (r == 0)
		r = record_label(&t->rrs[matched], matched, &label);
	if (r == 0)
		text =
		    mxs_strdupf("key of %s [%s] changed at %s (it was %.8s...) and matches the "
				"pre-published %s: DANE senders kept delivering through the "
				"change%s",
				mx->name, a->text, when, kc->previous->spki_sha256, label, advice);
	free(label);
	free(advice);
	return text;
}

/*
 * dane.c - the DANE state of one MX host; see dane.h.
 *
 * The order of the steps is the order in which a sender meets the facts (RFC 7672 §2.2): the MX
 * lookup, the address lookup, the TLSA lookup, the records' usability, STARTTLS, then matching
 * the chain. Each step that ends the evaluation leaves one finding saying why. Matching is done
 * for every usable record, not only until the first match, because the findings are about the
 * whole RRset: combinations that fail for some clients (DANE-ROT-02), digest agility
 * (DANE-AGI-03) and rotation hints (DANE-ROT-03).
 */
#include "lib/dane.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/hostmatch.h"

/* RFC 8460 §4.3 result types used here. */
#define RT_STARTTLS    "starttls-not-supported"
#define RT_TLSA        "tlsa-invalid"
#define RT_DNSSEC      "dnssec-invalid"
#define RT_EXPIRED     "certificate-expired"
#define RT_MISMATCH    "certificate-host-mismatch"
#define RT_NOT_TRUSTED "certificate-not-trusted"
#define RT_VALIDATION  "validation-failure"

/* DANE-AGI-04 (PROJECT): SHA2-512 before SHA2-256 unless the caller says otherwise. */
static const uint8_t default_preference[] = { TLSA_MTYPE_SHA512, TLSA_MTYPE_SHA256 };

/* Room for "record 2 (3 1 1 2f28d43d...)". */
#define LABEL_SIZE 48

const char *dane_outcome_name(enum dane_outcome outcome)
{
	switch (outcome) {
	case DANE_OUTCOME_PASS:
		return "dane-pass";
	case DANE_OUTCOME_FAIL:
		return "dane-fail";
	case DANE_OUTCOME_TLS_UNAUTHENTICATED:
		return "tls-required-unauthenticated";
	case DANE_OUTCOME_NOT_APPLICABLE:
		return "not-applicable";
	case DANE_OUTCOME_HOST_UNREACHABLE:
		return "host-unreachable";
	case DANE_OUTCOME_DEFER:
		return "defer";
	}
	return "?";
}

int dane_dnssec_from_name(const char *name, enum dane_dnssec *ret_state)
{
	static const struct {
		const char *name;
		enum dane_dnssec state;
	} words[] = {
		{ "secure", DANE_DNSSEC_SECURE },
		{ "insecure", DANE_DNSSEC_INSECURE },
		{ "bogus", DANE_DNSSEC_BOGUS },
		{ "servfail", DANE_DNSSEC_SERVFAIL },
		{ "secure-nxdomain", DANE_DNSSEC_SECURE_NXDOMAIN },
	};
	size_t i;

	if (name == NULL) {
		*ret_state = DANE_DNSSEC_NOT_REACHED;
		return 0;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(name, words[i].name) == 0) {
			*ret_state = words[i].state;
			return 0;
		}
	return -EINVAL;
}

/* A short name of record i for findings: its position (1-based), fields and first data bytes. */
static const char *label(const struct tlsa_rr *rr, size_t i, char *buf)
{
	char hex[9] = "";
	size_t k;

	for (k = 0; k < rr->len && k < 4; k++)
		(void)snprintf(hex + 2 * k, sizeof(hex) - 2 * k, "%02x", rr->data[k]);
	(void)snprintf(buf, LABEL_SIZE, "record %zu (%u %u %u %s%s)", i + 1, rr->usage,
		       rr->selector, rr->mtype, hex, rr->len > 4 ? "..." : "");
	return buf;
}

/* Rank of a digest matching type in the preference, 0 best; SIZE_MAX when not supported. */
static size_t rank(const struct dane_input *in, uint8_t mtype)
{
	const uint8_t *pref =
	    in->digest_preference != NULL ? in->digest_preference : default_preference;
	size_t n =
	    in->digest_preference != NULL ? in->n_digest_preference : sizeof(default_preference);
	size_t i;

	for (i = 0; i < n; i++)
		if (pref[i] == mtype)
			return i;
	return SIZE_MAX;
}

/* Why a DANE-TA(2) path did not validate: a result type and one line. */
struct ta_failure {
	const char *type;
	char why[160];
};

/*
 * DANE-NAME-02, DANE-EXP-02: the certificate at depth d is the trust anchor; every certificate
 * below it must be issued and signed by the one above, all of them must be within their dates,
 * and the leaf must carry a reference name. Returns 0 (valid), 1 (not valid; *fail says why) or
 * -ENOMEM. *ret_by_cn tells whether the leaf's name was its subject CN (no DNS-ID).
 */
static int ta_path(const struct dane_input *in, size_t d, uint8_t selector, struct ta_failure *fail,
		   bool *ret_by_cn)
{
	const char *refs[4];
	const char *matched = NULL;
	X509 **x;
	size_t i, n_refs = 0;
	int r = 1;

	x = calloc(d + 1, sizeof(*x));
	if (x == NULL)
		return -ENOMEM;
	for (i = 0; i <= d; i++) {
		const unsigned char *p = in->chain[i]->der;

		x[i] = d2i_X509(NULL, &p, (long)in->chain[i]->der_len);
		if (x[i] == NULL) {
			r = -ENOMEM; /* certinfo_from_der() read these very bytes */
			goto out;
		}
	}
	for (i = d; i > 0; i--) {
		EVP_PKEY *key = X509_get0_pubkey(x[i]);

		/* an issuer must be a CA; an SPKI(1) anchor is a bare key, its certificate aside */
		if ((i < d || selector == TLSA_SELECTOR_CERT) && !in->chain[i]->is_ca) {
			fail->type = RT_NOT_TRUSTED;
			(void)snprintf(fail->why, sizeof(fail->why),
				       "chain certificate at depth %zu is not a CA", i);
			goto out;
		}
		if (X509_check_issued(x[i], x[i - 1]) != X509_V_OK || key == NULL ||
		    X509_verify(x[i - 1], key) != 1) {
			fail->type = RT_NOT_TRUSTED;
			(void)snprintf(
			    fail->why, sizeof(fail->why),
			    "certificate at depth %zu is not issued and signed by the one "
			    "at depth %zu",
			    i - 1, i);
			goto out;
		}
	}
	for (i = 0; i <= d; i++) {
		const struct certinfo *c = in->chain[i];

		if (in->now < c->not_before || in->now > c->not_after) {
			fail->type = RT_EXPIRED;
			(void)snprintf(fail->why, sizeof(fail->why),
				       "certificate at depth %zu is %s", i,
				       in->now > c->not_after ? "expired" : "not yet valid");
			goto out;
		}
	}
	/*
	 * DANE-NAME-02: the base domain; with a secure MX lookup (or none, for a direct route)
	 * also the next-hop domain and its expanded form; behind insecure MX only the host name.
	 */
	refs[n_refs++] = in->base_domain;
	if (in->mx_dnssec != DANE_DNSSEC_INSECURE) {
		refs[n_refs++] = in->next_hop;
		if (in->next_hop_expanded != NULL)
			refs[n_refs++] = in->next_hop_expanded;
	}
	refs[n_refs] = NULL;
	/* DANE-NAME-03: DNS-IDs, the CN only without any */
	if (!hostmatch_cert(HOSTMATCH_DANE_TA, (const char *const *)in->chain[0]->san,
			    in->chain[0]->cn, refs, &matched)) {
		fail->type = RT_MISMATCH;
		(void)snprintf(fail->why, sizeof(fail->why),
			       "the leaf certificate names neither %s nor the next-hop domain",
			       in->base_domain);
		goto out;
	}
	*ret_by_cn = matched != NULL && matched == in->chain[0]->cn;
	r = 0;
out:
	for (i = 0; i <= d; i++)
		X509_free(x[i]);
	free(x);
	ERR_clear_error();
	return r;
}

/* The state of the evaluation, so that the steps can be small functions. */
struct eval {
	const struct dane_input *in;
	struct dane_record *rec;
	struct diag_list diags;
	struct diag_list notes;
	const char *fail_type; /* the first DANE-TA path failure, for the result type */
	bool by_cn;            /* the authenticating DANE-TA record matched the leaf by its CN */
};

/* Match record i against the chain, filling rec[i].depth and rec[i].authenticates. */
static int match_record(struct eval *ev, size_t i)
{
	const struct tlsa_rr *rr = &ev->in->tlsa[i];
	struct dane_record *rec = &ev->rec[i];
	char lb[LABEL_SIZE];
	size_t d, top;
	int r;

	/* DANE-NAME-01: DANE-EE(3) looks at the leaf only; DANE-TA(2) at any certificate */
	top = rr->usage == TLSA_USAGE_DANE_EE ? 1 : ev->in->n_chain;
	for (d = 0; d < top; d++) {
		struct ta_failure fail = { NULL, "" };
		bool by_cn = false;

		r = tlsa_matches(rr, ev->in->chain[d]);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (rec->depth < 0)
			rec->depth = (int)d;
		if (rr->usage == TLSA_USAGE_DANE_EE) {
			rec->authenticates = true;
			return 0;
		}
		r = ta_path(ev->in, d, rr->selector, &fail, &by_cn);
		if (r < 0)
			return r;
		if (r == 0) {
			rec->depth = (int)d;
			rec->authenticates = true;
			ev->by_cn = ev->by_cn || by_cn;
			return 0;
		}
		if (rec->kept && ev->fail_type == NULL)
			ev->fail_type = fail.type;
		(void)diag_add(&ev->notes, DIAG_INFO, false,
			       strcmp(fail.type, RT_EXPIRED) == 0 ? "DANE-EXP-02" : "DANE-NAME-02",
			       "%s matches the certificate at depth %zu, but %s", label(rr, i, lb),
			       d, fail.why);
	}
	return 0;
}

/*
 * DANE-AGI-02: per (usage, selector), keep the Full(0) records and those of the most preferred
 * digest present among the usable ones.
 */
static void agility(struct eval *ev)
{
	const struct dane_input *in = ev->in;
	char lb[LABEL_SIZE];
	size_t i, j;

	for (i = 0; i < in->n_tlsa; i++) {
		const struct tlsa_rr *rr = &in->tlsa[i];
		size_t best = SIZE_MAX;

		if (!ev->rec[i].usable)
			continue;
		if (rr->mtype == TLSA_MTYPE_FULL) {
			ev->rec[i].kept = true;
			continue;
		}
		for (j = 0; j < in->n_tlsa; j++)
			if (ev->rec[j].usable && in->tlsa[j].usage == rr->usage &&
			    in->tlsa[j].selector == rr->selector &&
			    in->tlsa[j].mtype != TLSA_MTYPE_FULL &&
			    rank(in, in->tlsa[j].mtype) < best)
				best = rank(in, in->tlsa[j].mtype);
		ev->rec[i].kept = best != SIZE_MAX && rank(in, rr->mtype) == best;
		if (!ev->rec[i].kept)
			(void)diag_add(&ev->notes, DIAG_INFO, false, "DANE-AGI-02",
				       "%s is ignored: the client prefers another digest present "
				       "for this usage and selector",
				       label(rr, i, lb));
	}
}

/*
 * DANE-AGI-03: where both digests are published for a (usage, selector), both must cover the
 * presented chain. Each pair is judged once, at its first SHA2-256 record.
 */
static void agility_compat(struct eval *ev)
{
	const struct dane_input *in = ev->in;
	size_t i, j;

	for (i = 0; i < in->n_tlsa; i++) {
		bool has512 = false, m256 = false, m512 = false, first = true;
		const struct tlsa_rr *rr = &in->tlsa[i];

		if (!ev->rec[i].usable || rr->mtype != TLSA_MTYPE_SHA256)
			continue;
		for (j = 0; j < in->n_tlsa; j++) {
			const struct tlsa_rr *o = &in->tlsa[j];

			if (!ev->rec[j].usable || o->usage != rr->usage ||
			    o->selector != rr->selector)
				continue;
			if (o->mtype == TLSA_MTYPE_SHA256 && j < i)
				first = false;
			if (o->mtype == TLSA_MTYPE_SHA512)
				has512 = true;
			if (o->mtype == TLSA_MTYPE_SHA256 && ev->rec[j].authenticates)
				m256 = true;
			if (o->mtype == TLSA_MTYPE_SHA512 && ev->rec[j].authenticates)
				m512 = true;
		}
		if (!first || !has512 || m256 == m512)
			continue;
		/* the weaker digest alone: clients preferring SHA2-512 fail, whatever ours is */
		if (m256)
			(void)diag_add(&ev->diags, DIAG_ERROR, false, "DANE-AGI-03",
				       "%s(%u) %s: the chain matches only the %s records; clients "
				       "preferring %s fail",
				       tlsa_usage_name(rr->usage), rr->usage,
				       rr->selector == 0 ? "Cert(0)" : "SPKI(1)",
				       m256 ? "SHA2-256" : "SHA2-512",
				       m256 ? "SHA2-512" : "SHA2-256");
		else
			(void)diag_add(&ev->diags, DIAG_WARN, false, "DANE-AGI-03",
				       "%s(%u) %s: SHA2-256 and SHA2-512 records cover different "
				       "keys; the RRset is not agility-compatible",
				       tlsa_usage_name(rr->usage), rr->usage,
				       rr->selector == 0 ? "Cert(0)" : "SPKI(1)");
	}
}

/*
 * After a pass: DANE-ROT-02 per (usage, selector) and the rotation hints of DANE-ROT-03 per
 * (usage, selector, matching type). The RRset order stands for age: a record listed before the
 * matching one of its combination is taken for a retired key, one listed after it for the next
 * key (the vectors' reading; DNS itself does not order an RRset).
 */
static void rotation(struct eval *ev)
{
	const struct dane_input *in = ev->in;
	char lb[LABEL_SIZE];
	size_t i, j;

	for (i = 0; i < in->n_tlsa; i++) {
		const struct tlsa_rr *rr = &in->tlsa[i];
		bool pair_ok = false, first_pair = true, combo_first = true;
		size_t n_combo = 0, first_match = SIZE_MAX;

		if (!ev->rec[i].usable)
			continue;
		for (j = 0; j < in->n_tlsa; j++) {
			const struct tlsa_rr *o = &in->tlsa[j];

			if (!ev->rec[j].usable || o->usage != rr->usage ||
			    o->selector != rr->selector)
				continue;
			if (j < i)
				first_pair = false;
			if (ev->rec[j].authenticates)
				pair_ok = true;
			if (o->mtype != rr->mtype)
				continue;
			if (j < i)
				combo_first = false;
			n_combo++;
			if (ev->rec[j].authenticates && first_match == SIZE_MAX)
				first_match = j;
		}
		if (!pair_ok) {
			if (first_pair)
				(void)diag_add(&ev->diags, DIAG_WARN, false, "DANE-ROT-02",
					       "no %s(%u) %s record matches the current chain: "
					       "clients that only support it fail",
					       tlsa_usage_name(rr->usage), rr->usage,
					       rr->selector == 0 ? "Cert(0)" : "SPKI(1)");
			continue;
		}
		if (first_match == SIZE_MAX || ev->rec[i].authenticates) {
			if (combo_first && n_combo == 1 && ev->rec[i].authenticates)
				(void)diag_add(&ev->notes, DIAG_INFO, false, "DANE-ROT-03",
					       "%s is the only one of its kind: no next key "
					       "pre-published",
					       label(rr, i, lb));
			continue;
		}
		if (i > first_match)
			(void)diag_add(&ev->notes, DIAG_INFO, false, "DANE-ROT-03",
				       "%s matches no presented certificate: next key "
				       "pre-published",
				       label(rr, i, lb));
		else
			(void)diag_add(
			    &ev->diags, DIAG_INFO, false, "DANE-ROT-01",
			    "%s matches no presented certificate: a retired key's record "
			    "can be removed once unused",
			    label(rr, i, lb));
	}
}

/* Steps 5 on: a secure, non-empty RRset. Returns the outcome, or -ENOMEM. */
static int evaluate_rrset(struct eval *ev, enum dane_outcome *outcome, const char **type,
			  int *ret_record)
{
	const struct dane_input *in = ev->in;
	size_t i, n_usable = 0, n_pkix = 0;
	char lb[LABEL_SIZE];
	int r;

	for (i = 0; i < in->n_tlsa; i++) {
		ev->rec[i].usable = tlsa_check(&in->tlsa[i], &ev->diags);
		n_usable += ev->rec[i].usable;
		n_pkix += in->tlsa[i].usage <= TLSA_USAGE_PKIX_EE;
	}
	/* DANE-USG-05: any secure record, usable or not, commits the host to STARTTLS */
	if (!in->starttls_offered) {
		*outcome = DANE_OUTCOME_FAIL;
		*type = RT_STARTTLS;
		return diag_add(&ev->diags, DIAG_ERROR, false, "DANE-USG-05",
				"secure TLSA records published but STARTTLS not offered: DANE "
				"senders will not deliver to this host");
	}
	if (n_usable == 0) {
		/* DANE-USG-01 case 2; DD1 for an RRset of PKIX usages only */
		*outcome = DANE_OUTCOME_TLS_UNAUTHENTICATED;
		if (n_pkix == in->n_tlsa)
			return diag_add(
			    &ev->diags, DIAG_WARN, false, "DANE-USG-03",
			    "PKIX usages only: TLS required, no authentication for most "
			    "DANE senders");
		return diag_add(&ev->diags, DIAG_WARN, false, "DANE-USG-01",
				"no usable TLSA record: TLS required, the server is not "
				"authenticated");
	}
	if (in->n_chain == 0) {
		*outcome = DANE_OUTCOME_FAIL;
		*type = RT_VALIDATION;
		return diag_add(&ev->diags, DIAG_ERROR, false, "DANE-USG-06",
				"no certificate was presented to match the TLSA records against");
	}
	agility(ev);
	for (i = 0; i < in->n_tlsa; i++) {
		if (!ev->rec[i].usable)
			continue;
		r = match_record(ev, i);
		if (r < 0)
			return r;
		if (ev->rec[i].kept && ev->rec[i].authenticates && *ret_record < 0)
			*ret_record = (int)i;
	}
	agility_compat(ev);
	if (*ret_record >= 0) {
		const struct tlsa_rr *m = &in->tlsa[*ret_record];

		*outcome = DANE_OUTCOME_PASS;
		/* DANE-EXP-01, DD3: expiry does not matter to DANE-EE(3) */
		if (m->usage == TLSA_USAGE_DANE_EE && in->now > in->chain[0]->not_after)
			(void)diag_add(
			    &ev->diags, DIAG_INFO, false, "DANE-EXP-01",
			    "the leaf certificate has expired; irrelevant for DANE-EE(3) "
			    "but not for MTA-STS or PKIX senders");
		if (m->usage == TLSA_USAGE_DANE_TA && ev->by_cn)
			(void)diag_add(
			    &ev->diags, DIAG_INFO, false, "DANE-NAME-03",
			    "the leaf certificate has no DNS-ID; its subject CN was used");
		rotation(ev);
		return 0;
	}
	*outcome = DANE_OUTCOME_FAIL;
	*type = ev->fail_type != NULL ? ev->fail_type : RT_TLSA;
	/* the DANE-TA(2) path failures noted while matching are now the reason for the failure */
	for (i = 0; i < ev->notes.n; i++) {
		const struct diag *n = &ev->notes.v[i];

		if (strcmp(n->req, "DANE-EXP-02") == 0 || strcmp(n->req, "DANE-NAME-02") == 0)
			(void)diag_add(&ev->diags, DIAG_ERROR, false, n->req, "%s", n->text);
	}
	for (i = 0; i < in->n_tlsa; i++) {
		const struct tlsa_rr *rr = &in->tlsa[i];

		if (!ev->rec[i].kept || ev->rec[i].depth >= 0)
			continue;
		if (rr->usage == TLSA_USAGE_DANE_TA)
			(void)diag_add(&ev->diags, DIAG_ERROR, false, "DANE-NAME-04",
				       "%s matches no certificate of the presented chain: the "
				       "trust-anchor certificate must be sent",
				       label(rr, i, lb));
		else
			(void)diag_add(&ev->diags, DIAG_ERROR, false, "DANE-USG-06",
				       "%s does not match the leaf certificate", label(rr, i, lb));
	}
	return diag_add(&ev->diags, DIAG_ERROR, false, "DANE-USG-06",
			"no usable TLSA record authenticates the server: DANE senders will not "
			"deliver to this host");
}

/* Steps 1-4: the lookups. Returns 1 when the RRset is to be evaluated, 0 when decided. */
static int lookups(struct eval *ev, enum dane_outcome *outcome, const char **type)
{
	const struct dane_input *in = ev->in;
	enum dane_dnssec t = in->tlsa_dnssec;

	/* DANE-DNS-04: an MX lookup error delays delivery */
	if (in->mx_dnssec == DANE_DNSSEC_BOGUS || in->mx_dnssec == DANE_DNSSEC_SERVFAIL) {
		*outcome = DANE_OUTCOME_DEFER;
		*type = RT_DNSSEC;
		(void)diag_add(&ev->diags, DIAG_ERROR, false, "DANE-DNS-04",
			       "the MX lookup failed (%s): senders defer delivery",
			       in->mx_dnssec == DANE_DNSSEC_BOGUS ? "bogus" : "SERVFAIL");
		return 0;
	}
	if (in->address_dnssec == DANE_DNSSEC_BOGUS || in->address_dnssec == DANE_DNSSEC_SERVFAIL ||
	    t == DANE_DNSSEC_BOGUS || t == DANE_DNSSEC_SERVFAIL) {
		/* DANE-DNS-04, DANE-DNS-06: a lookup error makes the host unreachable */
		*outcome = DANE_OUTCOME_HOST_UNREACHABLE;
		*type = RT_DNSSEC;
		(void)diag_add(
		    &ev->diags, DIAG_ERROR, false, "DANE-DNS-04",
		    "the %s lookup failed (%s): senders with DANE will defer mail to "
		    "this MX",
		    t == DANE_DNSSEC_BOGUS || t == DANE_DNSSEC_SERVFAIL ? "TLSA" : "address",
		    t == DANE_DNSSEC_BOGUS || in->address_dnssec == DANE_DNSSEC_BOGUS ? "bogus"
										      : "SERVFAIL");
		return 0;
	}
	*outcome = DANE_OUTCOME_NOT_APPLICABLE;
	if (in->address_dnssec != DANE_DNSSEC_SECURE || t == DANE_DNSSEC_INSECURE) {
		/* DANE-LKP-04, DANE-DNS-02: unsigned data has no effect */
		if (in->n_tlsa > 0 && t != DANE_DNSSEC_SECURE_NXDOMAIN)
			(void)diag_add(&ev->diags, DIAG_WARN, false, "DANE-LKP-04",
				       "TLSA records in an unsigned zone (or behind an insecure "
				       "address answer) have no effect");
		else
			(void)diag_add(&ev->diags, DIAG_INFO, false, "DANE-DNS-02",
				       "no DNSSEC-secure TLSA lookup: pre-DANE opportunistic TLS");
		return 0;
	}
	if (t != DANE_DNSSEC_SECURE || in->n_tlsa == 0) {
		/* DANE-DNS-03: authenticated denial is an answer, "no TLSA records" */
		(void)diag_add(&ev->diags, DIAG_INFO, false, "DANE-DNS-03",
			       "no TLSA records: pre-DANE opportunistic TLS");
		return 0;
	}
	/* DANE-LKP-03 */
	if (in->mx_dnssec == DANE_DNSSEC_INSECURE)
		(void)diag_add(&ev->diags, DIAG_INFO, false, "DANE-LKP-03",
			       "the MX RRset is insecure: DANE protects the MX host but not the "
			       "MX choice");
	return 1;
}

int dane_evaluate(const struct dane_input *in, struct dane_result *ret)
{
	struct eval ev = { .in = in };
	enum dane_outcome outcome = DANE_OUTCOME_NOT_APPLICABLE;
	const char *type = NULL;
	int matched = -1, r;
	size_t i;

	if (in->base_domain == NULL || in->next_hop == NULL || (in->n_tlsa > 0 && !in->tlsa))
		return -EINVAL;
	for (i = 0; i < in->n_chain; i++)
		if (in->chain[i] == NULL)
			return -EINVAL;
	if (in->n_tlsa > 0) {
		ev.rec = calloc(in->n_tlsa, sizeof(*ev.rec));
		if (ev.rec == NULL)
			return -ENOMEM;
	}
	for (i = 0; i < in->n_tlsa; i++)
		ev.rec[i].depth = -1;
	r = lookups(&ev, &outcome, &type);
	if (r == 1)
		r = evaluate_rrset(&ev, &outcome, &type, &matched);
	if (r < 0 || ev.diags.lost || ev.notes.lost) {
		r = r < 0 ? r : -ENOMEM;
		goto fail;
	}
	*ret = (struct dane_result){
		.outcome = outcome,
		.severity = diag_worst(&ev.diags, 0),
		.result_type = type,
		.records = ev.rec,
		.n_records = in->n_tlsa,
		.matched_record = matched,
		.matched_depth = matched >= 0 ? ev.rec[matched].depth : -1,
		.diags = ev.diags,
		.notes = ev.notes,
	};
	return 0;
fail:
	free(ev.rec);
	diag_clear(&ev.diags);
	diag_clear(&ev.notes);
	return r;
}

void dane_result_clear(struct dane_result *res)
{
	if (res == NULL)
		return;
	free(res->records);
	diag_clear(&res->diags);
	diag_clear(&res->notes);
	memset(res, 0, sizeof(*res));
	res->matched_record = -1;
	res->matched_depth = -1;
}

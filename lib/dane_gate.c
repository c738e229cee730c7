/*
 * dane_gate.c - may a new certificate go live under DANE; see dane_gate.h.
 */
#include "lib/dane_gate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/tlsa.h"

/* "2026-11-29 04:30:00 UTC" */
#define TIME_TEXT 32

static const char *time_text(time_t t, char buf[TIME_TEXT])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, TIME_TEXT, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, TIME_TEXT, "@%lld", (long long)t);
	return buf;
}

const char *dane_gate_name(enum dane_gate g)
{
	switch (g) {
	case DANE_GATE_YES:
		return "yes";
	case DANE_GATE_WAIT:
		return "wait";
	case DANE_GATE_NO:
		return "no";
	case DANE_GATE_UNKNOWN:
		return "unknown";
	}
	return "?";
}

enum dane_dnssec dane_gate_tlsa_state(const struct tlsa_lookup *t)
{
	switch (t->status) {
	case DNS_OK:
		return t->secure ? DANE_DNSSEC_SECURE : DANE_DNSSEC_INSECURE;
	case DNS_NODATA:
	case DNS_NXDOMAIN:
		/* an insecure denial is "insecure": pre-DANE TLS either way */
		return t->secure ? DANE_DNSSEC_SECURE_NXDOMAIN : DANE_DNSSEC_INSECURE;
	case DNS_SERVFAIL:
	default:
		/* a validator answers SERVFAIL for bogus data: the two look alike here */
		return DANE_DNSSEC_SERVFAIL;
	}
}

/* Rank for the domain's verdict: YES < WAIT < UNKNOWN < NO (dane_gate.h). */
static int rank(enum dane_gate g)
{
	static const int ranks[] = { [DANE_GATE_YES] = 0,
				     [DANE_GATE_WAIT] = 1,
				     [DANE_GATE_UNKNOWN] = 2,
				     [DANE_GATE_NO] = 3 };

	return ranks[g];
}

/* Set a host's verdict and reason; returns 0 or -ENOMEM. */
__attribute__((format(printf, 3, 4))) static int say(struct dane_gate_host *h, enum dane_gate g,
						     const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return -ENOMEM;
	free(h->why);
	h->why = text;
	h->verdict = g;
	return 0;
}

/* The first diagnostic of a verdict, which says why the sender gave up. */
static const char *first_reason(const struct dane_result *res)
{
	if (res->diags.n > 0)
		return res->diags.v[0].text;
	if (res->notes.n > 0)
		return res->notes.v[0].text;
	return dane_outcome_name(res->outcome);
}

/* What a DANE sender does with the host once it presents chain. */
static int match_host(const struct snapshot *snap, const struct mx_host *mx,
		      const struct certinfo *const *chain, size_t n_chain, time_t now,
		      struct dane_gate_host *h)
{
	const struct tlsa_lookup *t = &mx->tlsa;
	struct dane_input in = {
		.mx_dnssec = snap->mx_secure ? DANE_DNSSEC_SECURE : DANE_DNSSEC_INSECURE,
		.address_dnssec = mx->addr_secure ? DANE_DNSSEC_SECURE : DANE_DNSSEC_INSECURE,
		.tlsa_dnssec = dane_gate_tlsa_state(t),
		.tlsa = t->rrs,
		.n_tlsa = t->n_rrs,
		.starttls_offered = true,
		.chain = chain,
		.n_chain = n_chain,
		/* DD4: the base domain is the MX host; the next hop the domain */
		.base_domain = mx->name,
		.next_hop = snap->domain,
		.now = now,
	};
	struct dane_result res = { 0 };
	int r;

	h->host = mx->name;
	h->record = -1;
	if (!t->looked_up)
		return say(h, DANE_GATE_UNKNOWN, "its TLSA records were not looked up");
	r = dane_evaluate(&in, &res);
	if (r < 0)
		return r;
	switch (res.outcome) {
	case DANE_OUTCOME_PASS:
		h->record = res.matched_record;
		r = tlsa_format(&t->rrs[h->record], &h->record_text);
		if (r == 0)
			r = say(h, DANE_GATE_YES, "%s matches the new certificate (chain depth %d)",
				h->record_text, res.matched_depth);
		break;
	case DANE_OUTCOME_FAIL:
		r = say(h, DANE_GATE_NO, "no TLSA record of %s matches the new certificate: %s",
			t->qname, first_reason(&res));
		break;
	case DANE_OUTCOME_TLS_UNAUTHENTICATED:
		r = say(h, DANE_GATE_NO, "%s has no usable TLSA record: %s", t->qname,
			first_reason(&res));
		break;
	case DANE_OUTCOME_NOT_APPLICABLE:
		r = say(h, DANE_GATE_NO,
			"no DNSSEC-secure TLSA record matches the new certificate at %s: %s",
			t->qname, first_reason(&res));
		break;
	case DANE_OUTCOME_HOST_UNREACHABLE:
	case DANE_OUTCOME_DEFER:
		r = say(h, DANE_GATE_UNKNOWN, "cannot tell: %s", first_reason(&res));
		break;
	}
	dane_result_clear(&res);
	return r;
}

int dane_gate_match(const struct snapshot *snap, const struct certinfo *const *chain,
		    size_t n_chain, time_t now, struct dane_gate_result *ret)
{
	const char *unknown;
	size_t i;
	int r = 0;

	if (snap == NULL || chain == NULL || n_chain == 0 || ret == NULL)
		return -EINVAL;
	*ret = (struct dane_gate_result){ .verdict = DANE_GATE_UNKNOWN };
	if (snap->n_mx == 0)
		return 0;
	ret->hosts = calloc(snap->n_mx, sizeof(*ret->hosts));
	if (ret->hosts == NULL)
		return -ENOMEM;
	ret->n_hosts = snap->n_mx;
	/* DANE-DNS-01: without a validating resolver nothing DNSSEC-derived can be judged. */
	unknown = snap->unknown_reason != NULL ? snap->unknown_reason : snap->dnssec_unknown_reason;
	for (i = 0; r == 0 && i < snap->n_mx; i++) {
		ret->hosts[i].host = snap->mx[i].name;
		ret->hosts[i].record = -1;
		if (unknown != NULL)
			r = say(&ret->hosts[i], DANE_GATE_UNKNOWN, "%s", unknown);
		else
			r = match_host(snap, &snap->mx[i], chain, n_chain, now, &ret->hosts[i]);
	}
	if (r < 0) {
		dane_gate_result_clear(ret);
		return r;
	}
	dane_gate_combine(ret);
	return 0;
}

int dane_gate_visibility(struct dane_gate_host *h, const struct dane_gate_server *servers, size_t n,
			 time_t now)
{
	const struct dane_gate_server *silent = NULL, *missing = NULL, *no_ttl = NULL;
	time_t ready = 0, since = 0;
	unsigned ttl = 0;
	char when[TIME_TEXT], from[TIME_TEXT];
	size_t i;

	if (h->verdict != DANE_GATE_YES || h->record_text == NULL)
		return 0;
	if (n == 0)
		return say(h, DANE_GATE_UNKNOWN,
			   "%s matches, but no server could be asked how long it has been served",
			   h->record_text);
	for (i = 0; i < n; i++) {
		const struct dane_gate_server *s = &servers[i];

		if (!s->answered) {
			silent = silent != NULL ? silent : s;
		} else if (!s->serves) {
			missing = missing != NULL ? missing : s;
		} else {
			if (s->ttl == 0)
				no_ttl = no_ttl != NULL ? no_ttl : s;
			if (s->since + 2 * (time_t)s->ttl > ready)
				ready = s->since + 2 * (time_t)s->ttl;
			if (s->since > since)
				since = s->since;
			if (s->ttl > ttl)
				ttl = s->ttl;
		}
	}
	h->ready_at = 0;
	if (silent != NULL)
		return say(h, DANE_GATE_UNKNOWN,
			   "%s matches, but %s did not answer: cannot tell whether it serves it",
			   h->record_text, silent->label);
	if (missing != NULL)
		return say(h, DANE_GATE_WAIT, "%s matches, but %s does not serve it yet",
			   h->record_text, missing->label);
	if (no_ttl != NULL)
		return say(h, DANE_GATE_UNKNOWN,
			   "%s matches, but the TTL %s serves it with is unknown", h->record_text,
			   no_ttl->label);
	if (now < ready) {
		h->ready_at = ready;
		return say(h, DANE_GATE_WAIT,
			   "%s matches and is served by every server (%zu) since %s; caches may "
			   "hold the previous TLSA RRset until %s (twice the TTL of %u s)",
			   h->record_text, n, time_text(since, from), time_text(ready, when), ttl);
	}
	return say(h, DANE_GATE_YES,
		   "%s matches and has been served by every server (%zu) since %s, more than "
		   "twice its TTL (%u s)",
		   h->record_text, n, time_text(since, from), ttl);
}

enum dane_gate dane_gate_combine(struct dane_gate_result *res)
{
	size_t i;

	res->verdict = res->n_hosts > 0 ? DANE_GATE_YES : DANE_GATE_UNKNOWN;
	for (i = 0; i < res->n_hosts; i++)
		if (rank(res->hosts[i].verdict) > rank(res->verdict))
			res->verdict = res->hosts[i].verdict;
	return res->verdict;
}

void dane_gate_result_clear(struct dane_gate_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->n_hosts; i++) {
		free(res->hosts[i].record_text);
		free(res->hosts[i].why);
	}
	free(res->hosts);
	*res = (struct dane_gate_result){ 0 };
}

/*
 * report_json.c - "mxsentry check --json": the JSON document; see report.h.
 *
 * The schema is documented in docs/json-output.md and only grows: keys are added, never renamed
 * or removed, and "version" changes only for an incompatible change. Every key of the schema is
 * always present; what is unknown is null (a probe without TLS has "tls_version": null). Enum
 * values are the static names of lib/snapshot.h and lib/severity.h.
 *
 * Servers send arbitrary bytes in banners, replies, TXT records and policy bodies; JSON strings
 * must be UTF-8, so a string that is not gets its non-ASCII bytes replaced by '?' rather than
 * failing the whole report.
 *
 * Beside the MX facts, each domain carries what was gathered for MTA-STS, TLS-RPT and the
 * authoritative servers ("mta_sts", "tls_rpt", "ns"): the raw facts, as the checks read them,
 * so that a person can see what a finding rests on. Each is null when no enabled check needed
 * it, which is the snapshot's own "looked_up"/"attempted" flag.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <arpa/nameser.h>
#include <jansson.h>

#include "agent/report.h"
#include "lib/jsonval.h"

/* docs/json-output.md: raised only for an incompatible change. */
#define JSON_SCHEMA_VERSION 1

json_t *report_json_time(time_t t)
{
	return jsonval_time(t);
}

/* Lowercase hex of a digest. */
static json_t *jhex(const unsigned char *d, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char buf[2 * 64 + 1];
	size_t i;

	if (len > 64)
		return NULL;
	for (i = 0; i < len; i++) {
		buf[2 * i] = hex[d[i] >> 4];
		buf[2 * i + 1] = hex[d[i] & 0x0f];
	}
	buf[2 * len] = '\0';
	return json_string(buf);
}

/*
 * Set o[key] = v, taking v; a NULL v (a failed constructor) is memory exhaustion. Returns 0 or
 * -ENOMEM. Written so that a chain of sets can be joined with "||".
 */
static int set(json_t *o, const char *key, json_t *v)
{
	if (v == NULL)
		return -ENOMEM;
	return json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

static int push(json_t *a, json_t *v)
{
	if (v == NULL)
		return -ENOMEM;
	return json_array_append_new(a, v) == 0 ? 0 : -ENOMEM;
}

/*
 * Ownership in the builders below: a builder keeps its own reference to each container it
 * makes and drops it at the end; the parent takes another one (json_incref) when the container
 * is set, so a failure anywhere is cleaned up by dropping the local references and the parent.
 * A value made inside a chain of set() calls is simply taken: json_object_set_new() releases it
 * on failure too, and the calls after a failed one are never made.
 */
static json_t *cert_json(const struct snapshot *snap, const struct certinfo *c)
{
	json_t *o = json_object(), *san = json_array();
	size_t i;
	int r = -ENOMEM;

	if (o == NULL || san == NULL)
		goto out;
	for (i = 0; c->san != NULL && c->san[i] != NULL; i++)
		if (push(san, jsonval_string(c->san[i])) != 0)
			goto out;
	r = set(o, "subject", jsonval_string(c->subject)) ||
	    set(o, "issuer", jsonval_string(c->issuer)) ||
	    set(o, "not_before", report_json_time(c->not_before)) ||
	    set(o, "not_after", report_json_time(c->not_after)) ||
	    set(o, "days_left", json_integer(certinfo_days_left(c, snap->taken_at))) ||
	    set(o, "key_type", json_string(key_type_name(c->key_type))) ||
	    set(o, "key_bits", json_integer(c->key_bits)) || set(o, "san", json_incref(san)) ||
	    set(o, "sha256", jhex(c->sha256, sizeof(c->sha256))) ||
	    set(o, "spki_sha256", jhex(c->spki_sha256, sizeof(c->spki_sha256)));
out:
	json_decref(san);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A chain as presented, leaf first: an MX session's or the policy host's. */
static json_t *chain_json(const struct snapshot *snap, struct certinfo *const *chain, size_t len)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		if (push(a, cert_json(snap, chain[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* {"code", "text"} of a verdict, or JSON null when no validation was attempted (code -1). */
static json_t *verdict_json(const struct chain_verdict *v)
{
	json_t *o;

	if (v->code < 0)
		return json_null();
	o = json_object();
	if (o == NULL || set(o, "code", json_integer(v->code)) ||
	    set(o, "text", jsonval_string(v->text))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *probe_json(const struct snapshot *snap, const struct smtp_probe *p)
{
	json_t *o = json_object();
	int r;

	if (o == NULL)
		return NULL;
	/* tls_version is the name ("TLSv1.3"), null without TLS: the number is for machines
	 * that already know TLS, the name is what the docs and messages use. */
	r = set(o, "alg", json_string(probe_alg_name(p->alg))) ||
	    set(o, "outcome", json_string(probe_outcome_name(p->outcome))) ||
	    set(o, "stage", json_string(probe_stage_name(p->stage))) ||
	    set(o, "detail", jsonval_string(p->detail)) ||
	    set(o, "tls_version",
		p->tls_version != 0 ? jsonval_string(p->tls_version_name) : json_null()) ||
	    set(o, "cipher", jsonval_string(p->cipher)) ||
	    set(o, "starttls_offered", json_boolean(p->starttls_offered)) ||
	    set(o, "handshake_ms", json_integer(p->handshake_ms)) ||
	    set(o, "chain", chain_json(snap, p->chain, p->chain_len)) ||
	    set(o, "verify", verdict_json(&p->verify_now));
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *address_json(const struct snapshot *snap, const struct mx_address *a)
{
	json_t *o = json_object(), *probes = json_array();
	size_t k;
	int r = -ENOMEM;

	if (o == NULL || probes == NULL)
		goto out;
	for (k = 0; k < a->n_probes; k++)
		if (push(probes, probe_json(snap, &a->probes[k])) != 0)
			goto out;
	r = set(o, "address", json_string(a->text)) ||
	    set(o, "family", json_string(a->family == AF_INET6 ? "ipv6" : "ipv4")) ||
	    set(o, "probes", json_incref(probes));
out:
	json_decref(probes);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *mx_json(const struct snapshot *snap, const struct mx_host *mx)
{
	json_t *o = json_object(), *addrs = json_array();
	size_t j;
	int r = -ENOMEM;

	if (o == NULL || addrs == NULL)
		goto out;
	for (j = 0; j < mx->n_addrs; j++)
		if (push(addrs, address_json(snap, &mx->addrs[j])) != 0)
			goto out;
	r = set(o, "host", jsonval_string(mx->name)) ||
	    set(o, "preference", json_integer(mx->preference)) ||
	    set(o, "implicit", json_boolean(mx->implicit)) ||
	    set(o, "a_status", json_string(dns_status_name(mx->a_status))) ||
	    set(o, "aaaa_status", json_string(dns_status_name(mx->aaaa_status))) ||
	    set(o, "addresses", json_incref(addrs));
out:
	json_decref(addrs);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *finding_json(const struct finding *f)
{
	json_t *o = json_object(), *values = json_object();
	size_t i;
	int r = -ENOMEM;

	if (o == NULL || values == NULL)
		goto out;
	for (i = 0; i < f->n_values; i++) {
		const struct finding_value *v = &f->values[i];

		if (set(values, v->name,
			v->type == VALUE_INT ? json_integer(v->i) : jsonval_string(v->s)) != 0)
			goto out;
	}
	r = set(o, "check", json_string(f->check)) || set(o, "code", json_string(f->code)) ||
	    set(o, "severity", json_string(severity_name(f->severity))) ||
	    set(o, "mx", jsonval_string(f->mx)) || set(o, "address", jsonval_string(f->address)) ||
	    set(o, "alg", jsonval_string(f->alg)) ||
	    set(o, "message", jsonval_string(f->message)) ||
	    set(o, "req", jsonval_string(f->req)) ||
	    set(o, "result_type", jsonval_string(f->result_type)) ||
	    set(o, "values", json_incref(values));
out:
	json_decref(values);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One TXT record: its joined character-strings (up to a NUL byte, see lib/snapshot.h). */
static json_t *txt_record_json(const struct txt_record *rec)
{
	json_t *o = json_object();

	if (o == NULL || set(o, "text", jsonval_string(rec->data)) ||
	    set(o, "strings", json_integer(rec->n_strings))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A TXT lookup that was made (the caller checks looked_up). TTL 0 is "unknown": null. */
static json_t *txt_json(const struct txt_lookup *t)
{
	json_t *o = json_object(), *records = json_array();
	size_t i;
	int r = -ENOMEM;

	if (o == NULL || records == NULL)
		goto out;
	for (i = 0; i < t->n_records; i++)
		if (push(records, txt_record_json(&t->records[i])) != 0)
			goto out;
	r = set(o, "status", json_string(dns_status_name(t->status))) ||
	    set(o, "ttl", t->ttl != 0 ? json_integer(t->ttl) : json_null()) ||
	    set(o, "records", json_incref(records));
out:
	json_decref(records);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The policy fetch, or JSON null when none was attempted. The body is what a sender would
 * parse, so it is given whole (at most 64 KiB, STS-FETCH-09); null without a response.
 */
static json_t *policy_json(const struct snapshot *snap)
{
	const struct policy_fetch *pf = &snap->policy;
	json_t *o;
	int r;

	if (!pf->attempted)
		return json_null();
	o = json_object();
	if (o == NULL)
		return NULL;
	r = set(o, "url", jsonval_string(pf->url)) ||
	    set(o, "outcome", json_string(fetch_outcome_name(pf->outcome))) ||
	    set(o, "detail", jsonval_string(pf->detail)) ||
	    set(o, "status", pf->status != 0 ? json_integer(pf->status) : json_null()) ||
	    set(o, "content_type", jsonval_string(pf->content_type)) ||
	    set(o, "location", jsonval_string(pf->location)) ||
	    set(o, "address", pf->address[0] != '\0' ? jsonval_string(pf->address) : json_null()) ||
	    set(o, "duration_ms", json_integer(pf->duration_ms)) ||
	    set(o, "body", jsonval_stringn((const char *)pf->body, pf->body_len)) ||
	    set(o, "chain", chain_json(snap, pf->chain, pf->chain_len)) ||
	    set(o, "verify", verdict_json(&pf->verify_now));
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "mta_sts": the _mta-sts TXT lookup and the policy fetch; null when not looked up. */
static json_t *mta_sts_json(const struct snapshot *snap)
{
	json_t *o;

	if (!snap->sts_txt.looked_up)
		return json_null();
	o = json_object();
	if (o == NULL || set(o, "txt", txt_json(&snap->sts_txt)) ||
	    set(o, "policy", policy_json(snap))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "tls_rpt": the _smtp._tls TXT lookup; null when not looked up. */
static json_t *tls_rpt_json(const struct snapshot *snap)
{
	json_t *o;

	if (!snap->rpt_txt.looked_up)
		return json_null();
	o = json_object();
	if (o == NULL || set(o, "txt", txt_json(&snap->rpt_txt))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The mnemonic of an RR type the gatherer asks; RFC 3597 §5 "TYPE<n>" for any other. */
static json_t *qtype_json(int qtype)
{
	char buf[16];
	int n;

	switch (qtype) {
	case ns_t_txt:
		return json_string("TXT");
	case ns_t_mx:
		return json_string("MX");
	case ns_t_tlsa:
		return json_string("TLSA");
	default:
		n = snprintf(buf, sizeof(buf), "TYPE%d", qtype);
		return n > 0 && (size_t)n < sizeof(buf) ? json_string(buf) : json_null();
	}
}

static json_t *ns_answer_json(const struct ns_answer *a)
{
	json_t *o = json_object(), *rrs = json_array();
	size_t i;
	int r = -ENOMEM;

	if (o == NULL || rrs == NULL)
		goto out;
	for (i = 0; i < a->n_rrs; i++)
		if (push(rrs, jsonval_string(a->rrs[i])) != 0)
			goto out;
	r = set(o, "qname", jsonval_string(a->qname)) || set(o, "qtype", qtype_json(a->qtype)) ||
	    set(o, "status", json_string(dns_status_name(a->status))) ||
	    set(o, "authoritative", json_boolean(a->authoritative)) ||
	    set(o, "rrs", json_incref(rrs));
out:
	json_decref(rrs);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *ns_view_json(const struct ns_view *v)
{
	json_t *o = json_object(), *answers = json_array();
	size_t i;
	int r = -ENOMEM;

	if (o == NULL || answers == NULL)
		goto out;
	for (i = 0; i < v->n_answers; i++)
		if (push(answers, ns_answer_json(&v->answers[i])) != 0)
			goto out;
	/* An NS host without an address was not asked: its address is null. */
	r = set(o, "name", jsonval_string(v->name)) ||
	    set(o, "address", v->address[0] != '\0' ? jsonval_string(v->address) : json_null()) ||
	    set(o, "answers", json_incref(answers));
out:
	json_decref(answers);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "ns": every authoritative server asked directly (MXS-NS-01); null when not looked up. */
static json_t *ns_json(const struct snapshot *snap)
{
	json_t *o, *views;
	size_t i;
	int r = -ENOMEM;

	if (!snap->ns_looked_up)
		return json_null();
	o = json_object();
	views = json_array();
	if (o == NULL || views == NULL)
		goto out;
	for (i = 0; i < snap->n_ns_views; i++)
		if (push(views, ns_view_json(&snap->ns_views[i])) != 0)
			goto out;
	r = set(o, "status", json_string(dns_status_name(snap->ns_status))) ||
	    set(o, "views", json_incref(views));
out:
	json_decref(views);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *report_json_domain(const struct report_domain *d)
{
	const struct snapshot *snap = d->snap;
	json_t *o = json_object(), *mx = json_array(), *findings = json_array();
	size_t i;
	int r = -ENOMEM;

	if (o == NULL || mx == NULL || findings == NULL)
		goto out;
	for (i = 0; i < snap->n_mx; i++)
		if (push(mx, mx_json(snap, &snap->mx[i])) != 0)
			goto out;
	for (i = 0; d->findings != NULL && i < d->findings->n; i++)
		if (push(findings, finding_json(&d->findings->v[i])) != 0)
			goto out;
	/* status: the worst finding by severity_rank(), as the text and Nagios outputs say. */
	r = set(o, "domain", jsonval_string(snap->domain)) ||
	    set(o, "status", json_string(severity_name(findings_worst(d->findings)))) ||
	    set(o, "taken_at", report_json_time(snap->taken_at)) ||
	    set(o, "duration_ms", json_integer(snap->duration_ms)) ||
	    set(o, "unknown_reason", jsonval_string(snap->unknown_reason)) ||
	    set(o, "mx_status", json_string(dns_status_name(snap->mx_status))) ||
	    set(o, "null_mx", json_boolean(snap->null_mx)) || set(o, "mx", json_incref(mx)) ||
	    set(o, "findings", json_incref(findings)) || set(o, "mta_sts", mta_sts_json(snap)) ||
	    set(o, "tls_rpt", tls_rpt_json(snap)) || set(o, "ns", ns_json(snap));
out:
	json_decref(mx);
	json_decref(findings);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int report_json(FILE *out, const struct report_domain *doms, size_t n)
{
	json_t *root = json_object(), *list = json_array();
	size_t i;
	int r = -ENOMEM;

	if (root == NULL || list == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (push(list, report_json_domain(&doms[i])) != 0)
			goto out;
	if (set(root, "version", json_integer(JSON_SCHEMA_VERSION)) ||
	    set(root, "generated", report_json_time(time(NULL))) ||
	    set(root, "domains", json_incref(list)))
		goto out;
	/* Indented for people reading it in a terminal; jansson keeps insertion order, which is
	 * the order of docs/json-output.md. */
	if (json_dumpf(root, out, JSON_INDENT(2)) != 0 || fputc('\n', out) == EOF)
		r = -EIO;
	else
		r = 0;
out:
	json_decref(list);
	json_decref(root);
	return r;
}

/*
 * snapshot.c - releasing a snapshot and naming its enumerations; see snapshot.h.
 *
 * A snapshot is built once by the gatherer and only read afterwards, so the only code here is the
 * destructor, which must tolerate a snapshot abandoned half-way through gathering (any pointer
 * NULL, any count 0), and the static names used in messages, JSON and metrics labels.
 */
#include "lib/snapshot.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Everything one SMTP session recorded; the verdict texts are owned copies (snapshot.h). A chain
 * entry may be NULL when the probe stopped while filling it.
 */
void smtp_probe_clear(struct smtp_probe *p)
{
	if (p == NULL)
		return;
	free(p->detail);
	free(p->banner);
	free(p->tls_version_name);
	free(p->cipher);
	certinfo_array_free(p->chain, p->chain_len);
	free(p->verify_now.text);
	free(p->verify_warning.text);
	free(p->verify_critical.text);
	certinfo_array_free(p->path, p->path_len);
	memset(p, 0, sizeof(*p));
}

/* An MX host, its addresses and their sessions; addresses hold their text inline. */
static void free_host(struct mx_host *h)
{
	size_t i, j;

	free(h->name);
	tlsa_lookup_clear(&h->tlsa);
	if (h->addrs == NULL)
		return;
	for (i = 0; i < h->n_addrs; i++) {
		struct mx_address *a = &h->addrs[i];

		if (a->probes == NULL)
			continue;
		for (j = 0; j < a->n_probes; j++)
			smtp_probe_clear(&a->probes[j]);
		free(a->probes);
	}
	free(h->addrs);
}

void txt_lookup_clear(struct txt_lookup *t)
{
	size_t i;

	if (t == NULL)
		return;
	free(t->detail);
	if (t->records != NULL)
		for (i = 0; i < t->n_records; i++)
			free(t->records[i].data);
	free(t->records);
	memset(t, 0, sizeof(*t));
}

/* The records own their association data (lib/tlsa.h). */
void tlsa_lookup_clear(struct tlsa_lookup *t)
{
	if (t == NULL)
		return;
	free(t->qname);
	free(t->detail);
	tlsa_array_free(t->rrs, t->n_rrs);
	memset(t, 0, sizeof(*t));
}

/* Like smtp_probe_clear(): the chain and path may hold NULL entries after a failure. */
void policy_fetch_clear(struct policy_fetch *f)
{
	if (f == NULL)
		return;
	free(f->url);
	free(f->detail);
	free(f->content_type);
	free(f->location);
	free(f->body);
	certinfo_array_free(f->chain, f->chain_len);
	free(f->verify_now.text);
	free(f->verify_warning.text);
	free(f->verify_critical.text);
	certinfo_array_free(f->path, f->path_len);
	memset(f, 0, sizeof(*f));
	f->verify_now.code = f->verify_warning.code = f->verify_critical.code = -1;
	f->verify_now.depth = f->verify_warning.depth = f->verify_critical.depth = -1;
}

void ns_view_clear(struct ns_view *v)
{
	size_t i, k;

	if (v == NULL)
		return;
	free(v->name);
	if (v->answers != NULL) {
		for (i = 0; i < v->n_answers; i++) {
			struct ns_answer *a = &v->answers[i];

			free(a->qname);
			/* rrs is NULL-terminated, and n_rrs counts the same entries. */
			if (a->rrs != NULL)
				for (k = 0; k < a->n_rrs; k++)
					free(a->rrs[k]);
			free(a->rrs);
		}
		free(v->answers);
	}
	memset(v, 0, sizeof(*v));
}

struct snapshot *snapshot_free(struct snapshot *snap)
{
	size_t i;

	/* NULL-safe and returning NULL, so that callers write "snap = snapshot_free(snap);". */
	if (snap == NULL)
		return NULL;
	free(snap->domain);
	if (snap->mx != NULL) {
		for (i = 0; i < snap->n_mx; i++)
			free_host(&snap->mx[i]);
		free(snap->mx);
	}
	free(snap->unknown_reason);
	free(snap->dnssec_unknown_reason);
	txt_lookup_clear(&snap->sts_txt);
	txt_lookup_clear(&snap->rpt_txt);
	policy_fetch_clear(&snap->policy);
	if (snap->ns_views != NULL) {
		for (i = 0; i < snap->n_ns_views; i++)
			ns_view_clear(&snap->ns_views[i]);
		free(snap->ns_views);
	}
	free(snap);
	return NULL;
}

/*
 * The names are part of the JSON output and of metric labels: like finding codes, they are
 * never renamed once shipped. Each table is indexed by the enumeration value.
 */
static const char *const stage_names[] = {
	[STAGE_CONNECT] = "connect",     [STAGE_GREETING] = "greeting",
	[STAGE_EHLO] = "ehlo",           [STAGE_STARTTLS] = "starttls",
	[STAGE_HANDSHAKE] = "handshake", [STAGE_EHLO_TLS] = "ehlo-tls",
	[STAGE_QUIT] = "quit",           [STAGE_DONE] = "done",
};

static const char *const outcome_names[] = {
	[PROBE_OK] = "ok",
	[PROBE_NO_STARTTLS] = "no-starttls",
	[PROBE_REJECTED] = "rejected",
	[PROBE_TLS_FAILED] = "tls-failed",
	[PROBE_NO_ALGORITHM] = "no-algorithm",
	[PROBE_TIMEOUT] = "timeout",
	[PROBE_REFUSED] = "refused",
	[PROBE_CLOSED] = "closed",
	[PROBE_PROTOCOL] = "protocol",
	[PROBE_UNREACHABLE] = "unreachable",
	[PROBE_LOCAL_ERROR] = "local-error",
};

static const char *const alg_names[] = {
	[PROBE_ALG_ANY] = "any",
	[PROBE_ALG_ECDSA] = "ECDSA",
	[PROBE_ALG_RSA] = "RSA",
};

static const char *const dns_names[] = {
	[DNS_OK] = "ok",
	[DNS_NODATA] = "nodata",
	[DNS_NXDOMAIN] = "nxdomain",
	[DNS_SERVFAIL] = "servfail",
	[DNS_TIMEOUT] = "timeout",
	[DNS_ERROR] = "error",
};

/* A value outside the table (memory corruption, a cast from an integer) gets "?", not a crash. */
static const char *name_of(const char *const *table, size_t n, unsigned v)
{
	return v < n && table[v] != NULL ? table[v] : "?";
}

const char *probe_stage_name(enum probe_stage s)
{
	return name_of(stage_names, N_ELEMS(stage_names), (unsigned)s);
}

const char *probe_outcome_name(enum probe_outcome o)
{
	return name_of(outcome_names, N_ELEMS(outcome_names), (unsigned)o);
}

/* Part of the JSON schema (docs/json-output.md): never renamed once shipped. */
static const char *const fetch_names[] = {
	[FETCH_RESPONSE] = "response",      [FETCH_TLS_FAILED] = "tls-failed",
	[FETCH_CONNECT] = "connect-failed", [FETCH_TIMEOUT] = "timeout",
	[FETCH_TOO_LARGE] = "too-large",    [FETCH_LOCAL_ERROR] = "local-error",
};

const char *fetch_outcome_name(enum fetch_outcome o)
{
	return name_of(fetch_names, N_ELEMS(fetch_names), (unsigned)o);
}

const char *probe_alg_name(enum probe_alg a)
{
	return name_of(alg_names, N_ELEMS(alg_names), (unsigned)a);
}

const char *dns_status_name(enum dns_status s)
{
	return name_of(dns_names, N_ELEMS(dns_names), (unsigned)s);
}

const char *mx_address_family_name(const struct mx_address *a)
{
	return a->family == AF_INET6 ? "IPv6" : "IPv4";
}

struct finding_subject snapshot_subject(const struct mx_host *mx, const struct mx_address *a,
					const struct smtp_probe *p)
{
	struct finding_subject subj = { 0 };

	subj.mx = mx != NULL ? mx->name : NULL;
	subj.address = a != NULL ? a->text : NULL;
	subj.alg = p != NULL && p->alg != PROBE_ALG_ANY ? probe_alg_name(p->alg) : NULL;
	return subj;
}

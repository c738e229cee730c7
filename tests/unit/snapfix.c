/*
 * snapfix.c - hand-built snapshots for tests; see snapfix.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <openssl/x509_vfy.h>

#include "checks/check.h"
#include "tests/unit/snapfix.h"

/* Tests only: running out of memory ends the test program. */
static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

/* Grow *v by one zeroed element of size; returns the new element. */
static void *append(void **v, size_t *n, size_t size)
{
	char *p = realloc(*v, (*n + 1) * size);

	if (p == NULL)
		abort();
	memset(p + *n * size, 0, size);
	*v = p;
	return p + (*n)++ * size;
}

struct snapshot *snapfix_new(const char *domain)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));

	s->domain = xstrdup(domain);
	s->taken_at = SNAPFIX_NOW;
	s->duration_ms = 1234;
	s->warning_secs = SNAPFIX_WARNING;
	s->critical_secs = SNAPFIX_CRITICAL;
	s->mx_status = DNS_OK;
	return s;
}

struct mx_host *snapfix_mx(struct snapshot *snap, const char *name, int preference)
{
	struct mx_host *h = append((void **)&snap->mx, &snap->n_mx, sizeof(*h));

	h->name = xstrdup(name);
	h->preference = preference;
	h->implicit = preference < 0;
	h->a_status = DNS_OK;
	h->aaaa_status = DNS_NODATA;
	return h;
}

struct mx_address *snapfix_addr(struct mx_host *mx, int family, const char *text)
{
	struct mx_address *a = append((void **)&mx->addrs, &mx->n_addrs, sizeof(*a));

	a->family = family;
	(void)snprintf(a->text, sizeof(a->text), "%s", text);
	if (family == AF_INET6)
		mx->aaaa_status = DNS_OK;
	return a;
}

static void verdict_unset(struct chain_verdict *v)
{
	v->code = -1;
	v->text = NULL;
	v->depth = -1;
}

struct smtp_probe *snapfix_probe(struct mx_address *a, enum probe_alg alg,
				 enum probe_outcome outcome, enum probe_stage stage,
				 const char *detail)
{
	struct smtp_probe *p = append((void **)&a->probes, &a->n_probes, sizeof(*p));

	p->alg = alg;
	p->outcome = outcome;
	p->stage = stage;
	p->detail = xstrdup(detail);
	p->banner = xstrdup("220 mx.example ESMTP");
	p->starttls_offered = outcome != PROBE_NO_STARTTLS && stage > STAGE_EHLO;
	verdict_unset(&p->verify_now);
	verdict_unset(&p->verify_warning);
	verdict_unset(&p->verify_critical);
	p->connect_ms = 3;
	p->greeting_ms = 12;
	p->session_ms = 60;
	return p;
}

void snapfix_reset_probes(struct mx_address *a)
{
	/* Hand the sessions to a throwaway snapshot: snapshot_free() knows how to release them. */
	struct snapshot *bin = snapfix_new("bin.invalid");
	struct mx_address *b = snapfix_addr(snapfix_mx(bin, "bin.invalid", 0), a->family, a->text);

	b->probes = a->probes;
	b->n_probes = a->n_probes;
	a->probes = NULL;
	a->n_probes = 0;
	(void)snapshot_free(bin);
}

void snapfix_tls(struct smtp_probe *p, int version, unsigned handshake_ms)
{
	static const char *const names[] = { "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" };

	p->tls_version = version;
	free(p->tls_version_name);
	free(p->cipher);
	p->tls_version_name =
	    xstrdup(version >= 0x0301 && version <= 0x0304 ? names[version - 0x0301] : "SSLv3");
	p->cipher =
	    xstrdup(version == 0x0304 ? "TLS_AES_256_GCM_SHA384" : "ECDHE-ECDSA-AES128-GCM-SHA256");
	p->handshake_ms = handshake_ms;
	p->starttls_offered = true;
}

struct certinfo *snapfix_cert(const char *cn, const char *const san[], time_t not_before,
			      time_t not_after, enum key_type key, const char *issuer_cn)
{
	/* Every certificate made here gets its own digest: a counter in the first bytes. */
	static unsigned serial;
	struct certinfo *c = xcalloc(1, sizeof(*c));
	size_t n = 0, i;

	c->subject = mxs_strdupf("CN=%s", cn != NULL ? cn : "");
	c->issuer = mxs_strdupf("CN=%s", issuer_cn != NULL ? issuer_cn : "");
	if (c->subject == NULL || c->issuer == NULL)
		abort();
	c->cn = xstrdup(cn);
	while (san != NULL && san[n] != NULL)
		n++;
	c->san = xcalloc(n + 1, sizeof(*c->san));
	for (i = 0; i < n; i++)
		c->san[i] = xstrdup(san[i]);
	c->not_before = not_before;
	c->not_after = not_after;
	c->key_type = key;
	c->key_bits = key == KEY_TYPE_RSA ? 2048 : 256;
	c->sig_alg = xstrdup(key == KEY_TYPE_RSA ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256");
	c->self_signed = cn != NULL && issuer_cn != NULL && strcmp(cn, issuer_cn) == 0;
	c->is_ca = c->self_signed || san == NULL;
	serial++;
	memcpy(c->sha256, &serial, sizeof(serial));
	c->sha256[31] = 0xc5;
	memcpy(c->spki_sha256, &serial, sizeof(serial));
	c->spki_sha256[31] = 0x5b;
	return c;
}

struct certinfo *snapfix_cert_dup(const struct certinfo *c)
{
	struct certinfo *d = snapfix_cert(c->cn, (const char *const *)c->san, c->not_before,
					  c->not_after, c->key_type, NULL);

	free(d->subject);
	free(d->issuer);
	d->subject = xstrdup(c->subject);
	d->issuer = xstrdup(c->issuer);
	d->key_bits = c->key_bits;
	d->is_ca = c->is_ca;
	d->self_signed = c->self_signed;
	memcpy(d->sha256, c->sha256, sizeof(d->sha256));
	memcpy(d->spki_sha256, c->spki_sha256, sizeof(d->spki_sha256));
	return d;
}

void snapfix_chain_add(struct smtp_probe *p, struct certinfo *c)
{
	struct certinfo **slot = append((void **)&p->chain, &p->chain_len, sizeof(*slot));

	*slot = c;
}

void snapfix_path_add(struct smtp_probe *p, struct certinfo *c)
{
	struct certinfo **slot = append((void **)&p->path, &p->path_len, sizeof(*slot));

	*slot = c;
}

void snapfix_verdict(struct chain_verdict *v, long code, const char *text, int depth)
{
	free(v->text);
	v->code = code;
	v->text = xstrdup(text != NULL ? text : (code == X509_V_OK ? "ok" : NULL));
	v->depth = depth;
}

struct smtp_probe *snapfix_good_probe(struct mx_address *a, enum probe_alg alg, const char *host,
				      enum key_type key, long leaf_left)
{
	const char *const san[] = { host, NULL };
	struct smtp_probe *p = snapfix_probe(a, alg, PROBE_OK, STAGE_DONE, NULL);
	struct certinfo *leaf, *inter, *root;

	snapfix_tls(p, 0x0304, 25);
	leaf = snapfix_cert(host, san, SNAPFIX_NOW - 60 * SNAPFIX_DAY, SNAPFIX_NOW + leaf_left, key,
			    "Fixture CA R1");
	inter = snapfix_cert("Fixture CA R1", NULL, SNAPFIX_NOW - 400 * SNAPFIX_DAY,
			     SNAPFIX_NOW + 1100 * SNAPFIX_DAY, key, "Fixture Root");
	root = snapfix_cert("Fixture Root", NULL, SNAPFIX_NOW - 4000 * SNAPFIX_DAY,
			    SNAPFIX_NOW + 4000 * SNAPFIX_DAY, key, "Fixture Root");
	snapfix_chain_add(p, leaf);
	snapfix_chain_add(p, inter);
	snapfix_path_add(p, snapfix_cert_dup(leaf));
	snapfix_path_add(p, snapfix_cert_dup(inter));
	snapfix_path_add(p, root);
	snapfix_verdict(&p->verify_now, X509_V_OK, NULL, -1);
	snapfix_verdict(&p->verify_warning, X509_V_OK, NULL, -1);
	snapfix_verdict(&p->verify_critical, X509_V_OK, NULL, -1);
	return p;
}

struct snapshot *snapfix_healthy(const char *domain, size_t n_mx)
{
	struct snapshot *s = snapfix_new(domain);
	size_t i;

	for (i = 1; i <= n_mx; i++) {
		char *host = mxs_strdupf("mx%zu.%s", i, domain);
		char *addr = mxs_strdupf("192.0.2.%zu", i);
		struct mx_address *a;

		if (host == NULL || addr == NULL)
			abort();
		a = snapfix_addr(snapfix_mx(s, host, (int)(10 * i)), AF_INET, addr);
		(void)snapfix_good_probe(a, PROBE_ALG_ANY, host, KEY_TYPE_EC, 80 * SNAPFIX_DAY);
		free(host);
		free(addr);
	}
	return s;
}

struct mx_address *snapfix_at(struct snapshot *snap, size_t i, size_t j)
{
	assert_true(i < snap->n_mx);
	assert_true(j < snap->mx[i].n_addrs);
	return &snap->mx[i].addrs[j];
}

size_t snapfix_count(const struct findings *list, const char *code)
{
	size_t i, n = 0;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->v[i].code, code) == 0)
			n++;
	return n;
}

const struct finding *snapfix_find(const struct findings *list, const char *code)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->v[i].code, code) == 0)
			return &list->v[i];
	return NULL;
}

static const struct finding_value *value_of(const struct finding *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n_values; i++)
		if (strcmp(f->values[i].name, name) == 0)
			return &f->values[i];
	return NULL;
}

long long snapfix_int(const struct finding *f, const char *name)
{
	const struct finding_value *v = value_of(f, name);

	assert_non_null(v);
	assert_int_equal(v->type, VALUE_INT);
	return v->i;
}

const char *snapfix_str(const struct finding *f, const char *name)
{
	const struct finding_value *v = value_of(f, name);

	assert_non_null(v);
	assert_int_equal(v->type, VALUE_STRING);
	return v->s;
}

/* --- name server views (MXS-NS-01), for dns_consistency ----------------------------------- */

static int cmp_rr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct ns_view *snapfix_ns_view(struct snapshot *snap, const char *name, const char *address)
{
	struct ns_view *v =
	    append((void **)&snap->ns_views, &snap->n_ns_views, sizeof(*snap->ns_views));

	v->name = xstrdup(name);
	(void)snprintf(v->address, sizeof(v->address), "%s", address);
	snap->ns_looked_up = true;
	snap->ns_status = DNS_OK;
	return v;
}

struct ns_answer *snapfix_ns_answer(struct ns_view *v, const char *qname, int qtype,
				    enum dns_status status, bool aa, const char *const rrs[])
{
	struct ns_answer *a = append((void **)&v->answers, &v->n_answers, sizeof(*a));
	size_t n = 0, i;

	a->qname = xstrdup(qname);
	a->qtype = qtype;
	a->status = status;
	a->authoritative = aa;
	while (rrs != NULL && rrs[n] != NULL)
		n++;
	if (n == 0)
		return a;
	a->rrs = xcalloc(n + 1, sizeof(*a->rrs));
	for (i = 0; i < n; i++)
		a->rrs[i] = xstrdup(rrs[i]);
	a->n_rrs = n;
	/* lib/snapshot.h: the gatherer hands over the records sorted. */
	qsort(a->rrs, n, sizeof(*a->rrs), cmp_rr);
	return a;
}

/* --- MTA-STS and TLS-RPT (STS-TXT, STS-FETCH, RPT-TXT), for mta_sts, tls_rpt, sts_view ----- */

static void txt_set(struct txt_lookup *t, enum dns_status status, const char *const records[])
{
	size_t n = 0, i;

	txt_lookup_clear(t);
	t->looked_up = true;
	t->status = status;
	t->ttl = 3600;
	while (records != NULL && records[n] != NULL)
		n++;
	if (n == 0)
		return;
	t->records = xcalloc(n, sizeof(*t->records));
	for (i = 0; i < n; i++) {
		t->records[i].data = xstrdup(records[i]);
		t->records[i].len = strlen(records[i]);
		t->records[i].n_strings = 1;
	}
	t->n_records = n;
}

void snapfix_sts_txt(struct snapshot *snap, enum dns_status status, const char *const records[])
{
	txt_set(&snap->sts_txt, status, records);
}

void snapfix_rpt_txt(struct snapshot *snap, enum dns_status status, const char *const records[])
{
	txt_set(&snap->rpt_txt, status, records);
}

struct policy_fetch *snapfix_policy(struct snapshot *snap, enum fetch_outcome outcome, long status,
				    const char *content_type, const char *location,
				    const char *body, const char *detail)
{
	struct policy_fetch *pf = &snap->policy;

	/* Leaves the verdicts "not attempted" (-1), as the gatherer does before a handshake. */
	policy_fetch_clear(pf);
	pf->attempted = true;
	pf->url = mxs_strdupf("https://mta-sts.%s/.well-known/mta-sts.txt", snap->domain);
	if (pf->url == NULL)
		abort();
	pf->outcome = outcome;
	pf->detail = xstrdup(detail);
	pf->status = status;
	pf->content_type = xstrdup(content_type);
	pf->location = xstrdup(location);
	if (body != NULL) {
		/* lib/snapshot.h: NUL-terminated after body_len */
		pf->body_len = strlen(body);
		pf->body = xcalloc(pf->body_len + 1, 1);
		memcpy(pf->body, body, pf->body_len);
	}
	(void)snprintf(pf->address, sizeof(pf->address), "%s", "192.0.2.80");
	pf->duration_ms = 40;
	/* A response means a handshake happened: give it a chain senders accept. */
	if (outcome == FETCH_RESPONSE) {
		char *host = mxs_strdupf("mta-sts.%s", snap->domain);
		const char *const san[] = { host, NULL };

		if (host == NULL)
			abort();
		snapfix_policy_chain(pf, san, 0, "ok");
		free(host);
	}
	return pf;
}

/* Append c to a certificate array (which takes ownership). */
static void push_cert(struct certinfo ***v, size_t *n, struct certinfo *c)
{
	struct certinfo **slot = append((void **)v, n, sizeof(*slot));

	*slot = c;
}

void snapfix_policy_chain(struct policy_fetch *pf, const char *const san[], long code,
			  const char *text)
{
	struct certinfo *leaf, *inter, *root;

	certinfo_array_free(pf->chain, pf->chain_len);
	certinfo_array_free(pf->path, pf->path_len);
	pf->chain = pf->path = NULL;
	pf->chain_len = pf->path_len = 0;
	leaf = snapfix_cert(san != NULL ? san[0] : NULL, san, SNAPFIX_NOW - 10 * SNAPFIX_DAY,
			    SNAPFIX_NOW + 80 * SNAPFIX_DAY, KEY_TYPE_EC, "Fixture CA R1");
	inter = snapfix_cert("Fixture CA R1", NULL, SNAPFIX_NOW - 400 * SNAPFIX_DAY,
			     SNAPFIX_NOW + 1100 * SNAPFIX_DAY, KEY_TYPE_EC, "Fixture Root");
	root = snapfix_cert("Fixture Root", NULL, SNAPFIX_NOW - 4000 * SNAPFIX_DAY,
			    SNAPFIX_NOW + 4000 * SNAPFIX_DAY, KEY_TYPE_EC, "Fixture Root");
	push_cert(&pf->chain, &pf->chain_len, leaf);
	push_cert(&pf->chain, &pf->chain_len, inter);
	push_cert(&pf->path, &pf->path_len, snapfix_cert_dup(leaf));
	push_cert(&pf->path, &pf->path_len, snapfix_cert_dup(inter));
	push_cert(&pf->path, &pf->path_len, root);
	snapfix_verdict(&pf->verify_now, code, text, code == X509_V_OK ? -1 : 0);
	snapfix_verdict(&pf->verify_warning, X509_V_OK, NULL, -1);
	snapfix_verdict(&pf->verify_critical, X509_V_OK, NULL, -1);
}

char *snapfix_sts_body(const char *domain, const char *mode)
{
	char *body =
	    mxs_strdupf("version: STSv1\nmode: %s\nmx: *.%s\nmax_age: 604800\n", mode, domain);

	if (body == NULL)
		abort();
	return body;
}

struct policy_fetch *snapfix_sts_active(struct snapshot *snap, const char *mode)
{
	const char *const records[] = { "v=STSv1; id=" SNAPFIX_STS_ID, NULL };
	char *body = snapfix_sts_body(snap->domain, mode);
	char *host = mxs_strdupf("mta-sts.%s", snap->domain);
	const char *const san[] = { host, NULL };
	struct policy_fetch *pf;

	if (host == NULL)
		abort();
	snapfix_sts_txt(snap, DNS_OK, records);
	pf = snapfix_policy(snap, FETCH_RESPONSE, 200, "text/plain", NULL, body, NULL);
	snapfix_policy_chain(pf, san, X509_V_OK, NULL);
	free(host);
	free(body);
	return pf;
}

static void expect_same(const char *what, const char *got, const char *want)
{
	if (want == NULL && got != NULL)
		fail_msg("%s: got \"%s\", want none", what, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s: got \"%s\", want \"%s\"", what, got != NULL ? got : "(none)", want);
}

const struct finding *snapfix_expect(const struct findings *out, const char *check,
				     const char *code, enum severity severity, const char *req,
				     const char *result_type, const char *msg, const char *msg2)
{
	const struct finding *f = snapfix_find(out, code);

	if (f == NULL)
		fail_msg("no finding %s among %zu", code, out->n);
	assert_string_equal(f->check, check);
	assert_int_equal(f->severity, severity);
	expect_same("req", f->req, req);
	expect_same("result_type", f->result_type, result_type);
	assert_non_null(f->message);
	assert_null(strchr(f->message, '\n')); /* one line */
	if (msg != NULL && strstr(f->message, msg) == NULL)
		fail_msg("\"%s\" not in \"%s\"", msg, f->message);
	if (msg2 != NULL && strstr(f->message, msg2) == NULL)
		fail_msg("\"%s\" not in \"%s\"", msg2, f->message);
	return f;
}

void snapfix_expect_plugin(const struct check *c, const char *name, unsigned needs)
{
	struct check_settings set = { .cert_warning = 1, .cert_critical = 0 };
	void *priv = &set;

	assert_string_equal(c->name, name);
	assert_int_equal(c->needs, needs);
	assert_int_equal(c->configure(&set, &priv, NULL), 0);
	assert_null(priv);
	c->release(priv);
}

int snapfix_run_table(const char *group, const void *cases, size_t n, size_t size,
		      void (*run)(void **state), const struct CMUnitTest *extra, size_t n_extra)
{
	struct CMUnitTest *tests = xcalloc(n + n_extra, sizeof(*tests));
	const char *base = cases;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		const void *c = base + i * size;

		/* The case's first member is its name. */
		tests[i].name = *(const char *const *)c;
		tests[i].test_func = run;
		tests[i].initial_state = (void *)c;
	}
	memcpy(tests + n, extra, n_extra * sizeof(*tests));
	r = _cmocka_run_group_tests(group, tests, n + n_extra, NULL, NULL);
	free(tests);
	return r;
}

/* --- DANE: TLSA lookups (DANE-LKP, DANE-DNS, DANE-USG), for dane_tlsa ------------------------ */

/* A fixture's bytes: a tag and its digest field, unique per certificate like the digest. */
static void fake_der(unsigned char **v, size_t *n, const char *tag, const unsigned char d[32])
{
	size_t tl = strlen(tag);

	*v = xcalloc(1, tl + 32);
	memcpy(*v, tag, tl);
	memcpy(*v + tl, d, 32);
	*n = tl + 32;
}

/* The SHA2-256 of what selector picks of c (DANE-SEL-01/02), into d. */
static void digest_of(const struct certinfo *c, uint8_t selector, unsigned char d[32])
{
	unsigned char *data = NULL;
	size_t len = 0;

	if (tlsa_association(c, selector, TLSA_MTYPE_SHA256, &data, &len) < 0 || len != 32)
		abort();
	memcpy(d, data, 32);
	free(data);
}

void snapfix_cert_keys(struct certinfo *c)
{
	if (c->der != NULL)
		return;
	fake_der(&c->der, &c->der_len, "fixture certificate ", c->sha256);
	fake_der(&c->spki_der, &c->spki_der_len, "fixture key ", c->spki_sha256);
	/* As certinfo_from_der() does: the digests are those of the bytes. */
	digest_of(c, TLSA_SELECTOR_CERT, c->sha256);
	digest_of(c, TLSA_SELECTOR_SPKI, c->spki_sha256);
}

void snapfix_keys_all(struct snapshot *snap)
{
	size_t i, j, k, d;

	for (i = 0; i < snap->n_mx; i++)
		for (j = 0; j < snap->mx[i].n_addrs; j++)
			for (k = 0; k < snap->mx[i].addrs[j].n_probes; k++) {
				struct smtp_probe *p = &snap->mx[i].addrs[j].probes[k];

				for (d = 0; d < p->chain_len; d++)
					snapfix_cert_keys(p->chain[d]);
			}
}

static void tlsa_lookup_release(struct tlsa_lookup *t)
{
	tlsa_array_free(t->rrs, t->n_rrs);
	free(t->qname);
	free(t->detail);
	memset(t, 0, sizeof(*t));
}

struct tlsa_lookup *snapfix_tlsa(struct mx_host *mx, enum dns_status status, bool secure,
				 const char *const records[])
{
	struct tlsa_lookup *t = &mx->tlsa;
	size_t i;

	tlsa_lookup_release(t);
	t->looked_up = true;
	t->qname = mxs_strdupf("_25._tcp.%s", mx->name);
	if (t->qname == NULL)
		abort();
	t->status = status;
	t->secure = secure;
	t->ttl = 3600;
	for (i = 0; records != NULL && records[i] != NULL; i++) {
		struct tlsa_rr *rr = append((void **)&t->rrs, &t->n_rrs, sizeof(*rr));

		if (tlsa_parse(records[i], strlen(records[i]), rr, NULL) != 0)
			abort();
	}
	return t;
}

char *snapfix_tlsa_of(const struct certinfo *c, uint8_t usage, uint8_t selector, uint8_t mtype)
{
	struct tlsa_rr rr = { .usage = usage, .selector = selector, .mtype = mtype };
	char *text;

	if (tlsa_association(c, selector, mtype, &rr.data, &rr.len) != 0 ||
	    tlsa_format(&rr, &text) != 0)
		abort();
	tlsa_clear(&rr);
	return text;
}

void snapfix_tlsa_release(struct snapshot *snap)
{
	size_t i;

	for (i = 0; i < snap->n_mx; i++)
		tlsa_lookup_release(&snap->mx[i].tlsa);
}

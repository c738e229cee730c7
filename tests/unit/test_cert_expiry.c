/*
 * test_cert_expiry.c - the cert_expiry check (checks/cert_expiry.c) on hand-built snapshots.
 *
 * Table-driven: the lab's certificate scenarios (tests/lab/README.md: cert-20d, cert-10d,
 * cert-3d, cert-expired, cert-dual), every certificate of the chain and of the validated path
 * (COMMON-EXP-04), the boundaries of COMMON-EXP-05 and of the thresholds, and the reporting of
 * each certificate once per address. Thresholds are the lab's defaults, 30 and 14 days, unless a
 * case says otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <openssl/x509_vfy.h>

#include "checks/check.h"
#include "tests/unit/snapfix.h"

extern const struct check check_cert_expiry;

#define DAY SNAPFIX_DAY

/* "no such value" for the expected integers of a case. */
#define NONE (-999999)

struct exp_case {
	const char *name;                /* test name, citing the spec ID */
	struct snapshot *(*build)(void); /* the snapshot of the case */
	size_t n_findings;               /* how many findings in all */
	const char *code;                /* the finding to look at, or NULL */
	enum severity severity;
	const char *req;
	const char *result_type;
	const char *alg;        /* expected subject algorithm, or NULL */
	long long days_left;    /* expected "days_left", or NONE when it must be absent */
	long long depth;        /* expected "depth" */
	const char *in_message; /* a piece of the message, or NULL */
};

/* --- snapshots ------------------------------------------------------------------------------ */

/* A one-MX domain whose leaf expires leaf_left seconds after the snapshot. */
static struct snapshot *leaf_in(const char *domain, long leaf_left)
{
	struct snapshot *s = snapfix_healthy(domain, 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];

	p->chain[0]->not_after = SNAPFIX_NOW + leaf_left;
	p->path[0]->not_after = SNAPFIX_NOW + leaf_left;
	return s;
}

static struct snapshot *healthy(void)
{
	return snapfix_healthy("healthy.test", 2);
}

static struct snapshot *cert_20d(void)
{
	return leaf_in("cert-20d.test", 20 * DAY + 3600);
}

static struct snapshot *cert_10d(void)
{
	return leaf_in("cert-10d.test", 10 * DAY + 3600);
}

/* The message of the style card, to the letter. */
static struct snapshot *cert_3d(void)
{
	return leaf_in("cert-3d.test", 3 * DAY + 5338);
}

static struct snapshot *cert_expired(void)
{
	return leaf_in("cert-expired.test", -5 * DAY);
}

static struct snapshot *at_not_after(void)
{
	return leaf_in("example.test", 0);
}

static struct snapshot *past_not_after(void)
{
	return leaf_in("example.test", -1);
}

static struct snapshot *at_warning(void)
{
	return leaf_in("example.test", 30 * DAY);
}

static struct snapshot *below_warning(void)
{
	return leaf_in("example.test", 30 * DAY - 1);
}

static struct snapshot *at_critical(void)
{
	return leaf_in("example.test", 14 * DAY);
}

static struct snapshot *below_critical(void)
{
	return leaf_in("example.test", 14 * DAY - 1);
}

static struct snapshot *not_yet_valid(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);

	snapfix_at(s, 0, 0)->probes[0].chain[0]->not_before = SNAPFIX_NOW + DAY;
	return s;
}

/* The presented intermediate runs out first (and is in the path as the same certificate). */
static struct snapshot *intermediate(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];

	p->chain[1]->not_after = SNAPFIX_NOW + 10 * DAY;
	p->path[1]->not_after = SNAPFIX_NOW + 10 * DAY;
	return s;
}

/* The server sends only its leaf; the path takes an intermediate from the bundle. */
static struct snapshot *bundle_intermediate(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];
	struct certinfo *other;

	p->chain[1] = certinfo_free(p->chain[1]);
	p->chain_len = 1;
	other = snapfix_cert("Bundle CA", NULL, SNAPFIX_NOW - 900 * DAY, SNAPFIX_NOW + 20 * DAY,
			     KEY_TYPE_EC, "Fixture Root");
	(void)certinfo_free(p->path[1]);
	p->path[1] = other;
	return s;
}

/* No path recorded; only the verdicts say that depth 2 runs out within the threshold. */
static struct snapshot *verdict_only(long code_warning, long code_critical)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];
	size_t i;

	for (i = 0; i < p->path_len; i++)
		(void)certinfo_free(p->path[i]);
	free(p->path);
	p->path = NULL;
	p->path_len = 0;
	snapfix_verdict(&p->verify_warning, code_warning, "certificate has expired", 2);
	snapfix_verdict(&p->verify_critical, code_critical, "certificate has expired", 2);
	return s;
}

static struct snapshot *verdict_warning(void)
{
	return verdict_only(X509_V_ERR_CERT_HAS_EXPIRED, X509_V_OK);
}

static struct snapshot *verdict_critical(void)
{
	return verdict_only(X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED);
}

/* The verdict is about the leaf, judged with its own dates already: once. */
static struct snapshot *verdict_known(void)
{
	struct snapshot *s = cert_20d();
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];

	snapfix_verdict(&p->verify_warning, X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired",
			0);
	return s;
}

/* lab cert-dual.test: fresh ECDSA for everyone, an RSA one expiring in 3 days. */
static struct snapshot *cert_dual(void)
{
	struct snapshot *s = snapfix_healthy("cert-dual.test", 1);
	struct mx_address *a = snapfix_at(s, 0, 0);
	struct smtp_probe *p;
	size_t i;

	p = snapfix_probe(a, PROBE_ALG_ECDSA, PROBE_OK, STAGE_DONE, NULL);
	snapfix_tls(p, 0x0304, 20);
	for (i = 0; i < a->probes[0].chain_len; i++)
		snapfix_chain_add(p, snapfix_cert_dup(a->probes[0].chain[i]));
	snapfix_verdict(&p->verify_now, X509_V_OK, NULL, -1);
	(void)snapfix_good_probe(a, PROBE_ALG_RSA, "mx1.cert-dual.test", KEY_TYPE_RSA,
				 3 * DAY + 60);
	return s;
}

/* The default and the ECDSA session show the same expiring chain: reported once. */
static struct snapshot *dedupe(void)
{
	struct snapshot *s = cert_3d();
	struct mx_address *a = snapfix_at(s, 0, 0);
	struct smtp_probe *p = snapfix_probe(a, PROBE_ALG_ECDSA, PROBE_OK, STAGE_DONE, NULL);
	size_t i;

	snapfix_tls(p, 0x0304, 20);
	for (i = 0; i < a->probes[0].chain_len; i++)
		snapfix_chain_add(p, snapfix_cert_dup(a->probes[0].chain[i]));
	return s;
}

/* Same certificate on IPv4 and IPv6: once per address. */
static struct snapshot *two_addresses(void)
{
	struct snapshot *s = cert_3d();
	struct mx_address *a = snapfix_addr(&s->mx[0], AF_INET6, "2001:db8::25");
	const struct smtp_probe *q = &snapfix_at(s, 0, 0)->probes[0];
	struct smtp_probe *p = snapfix_probe(a, PROBE_ALG_ANY, PROBE_OK, STAGE_DONE, NULL);
	size_t i;

	snapfix_tls(p, 0x0304, 20);
	for (i = 0; i < q->chain_len; i++)
		snapfix_chain_add(p, snapfix_cert_dup(q->chain[i]));
	return s;
}

/* A presented self-signed root is judged like any other certificate. */
static struct snapshot *presented_root(void)
{
	struct snapshot *s = snapfix_healthy("example.test", 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];
	struct certinfo *root = snapfix_cert_dup(p->path[2]);

	root->not_after = SNAPFIX_NOW + 7 * DAY;
	p->path[2]->not_after = root->not_after;
	snapfix_chain_add(p, root);
	return s;
}

/* A session that got no chain (no STARTTLS) has nothing to judge. */
static struct snapshot *no_chain(void)
{
	struct snapshot *s = snapfix_new("no-starttls.test");
	struct mx_address *a =
	    snapfix_addr(snapfix_mx(s, "mx1.no-starttls.test", 10), AF_INET, "192.0.2.1");

	(void)snapfix_probe(a, PROBE_ALG_ANY, PROBE_NO_STARTTLS, STAGE_EHLO, NULL);
	return s;
}

static struct snapshot *unknown(void)
{
	struct snapshot *s = cert_expired();

	s->unknown_reason = strdup("port 25 is unreachable for every MX of the run");
	return s;
}

/* --- the table ------------------------------------------------------------------------------ */

static const struct exp_case cases[] = {
	{ "healthy.test: no findings (OK)", healthy, 0, NULL, 0, NULL, NULL, NULL, 0, 0, NULL },
	{ "COMMON-EXP-04 cert-20d.test: cert.expiring WARNING", cert_20d, 1, "cert.expiring",
	  SEVERITY_WARNING, "COMMON-EXP-04", NULL, NULL, 20, 0, "expires in 20 days" },
	{ "COMMON-EXP-04 cert-10d.test: cert.expiring CRITICAL", cert_10d, 1, "cert.expiring",
	  SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 10, 0, "(ECDSA, leaf)" },
	{ "COMMON-EXP-04 cert-3d.test: cert.expiring CRITICAL", cert_3d, 1, "cert.expiring",
	  SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 3, 0,
	  "certificate of mx1.cert-3d.test (ECDSA, leaf) expires in 3 days "
	  "(2026-11-05T01:28:58Z): renew it" },
	{ "STS-CERT-02 COMMON-EXP-01 cert-expired.test: cert.expired CRITICAL", cert_expired, 1,
	  "cert.expired", SEVERITY_CRITICAL, "STS-CERT-02", "certificate-expired", NULL, -5, 0,
	  "expired 5 days ago" },
	{ "COMMON-EXP-05 valid at the notAfter second itself", at_not_after, 1, "cert.expiring",
	  SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 0, 0, "in less than a day" },
	{ "COMMON-EXP-05 one second after notAfter: cert.expired", past_not_after, 1,
	  "cert.expired", SEVERITY_CRITICAL, "STS-CERT-02", "certificate-expired", NULL, -1, 0,
	  "less than a day ago" },
	{ "COMMON-EXP-04 exactly the warning threshold left: OK", at_warning, 0, NULL, 0, NULL,
	  NULL, NULL, 0, 0, NULL },
	{ "COMMON-EXP-04 one second below the warning threshold: WARNING", below_warning, 1,
	  "cert.expiring", SEVERITY_WARNING, "COMMON-EXP-04", NULL, NULL, 29, 0, NULL },
	{ "COMMON-EXP-04 exactly the critical threshold left: WARNING", at_critical, 1,
	  "cert.expiring", SEVERITY_WARNING, "COMMON-EXP-04", NULL, NULL, 14, 0, NULL },
	{ "COMMON-EXP-04 one second below the critical threshold: CRITICAL", below_critical, 1,
	  "cert.expiring", SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 13, 0, NULL },
	{ "COMMON-EXP-01 not yet valid: cert.not-yet-valid CRITICAL", not_yet_valid, 1,
	  "cert.not-yet-valid", SEVERITY_CRITICAL, "COMMON-EXP-01", "certificate-expired", NULL, 80,
	  0, "not valid before 2026-11-03T00:00:00Z" },
	{ "COMMON-EXP-04 presented intermediate expiring: reported once", intermediate, 1,
	  "cert.expiring", SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 10, 1,
	  "(ECDSA, intermediate)" },
	{ "COMMON-EXP-04 intermediate from the CA bundle expiring", bundle_intermediate, 1,
	  "cert.expiring", SEVERITY_WARNING, "COMMON-EXP-04", NULL, NULL, 20, 1,
	  "intermediate from the CA bundle" },
	{ "COMMON-EXP-04 path not recorded, verdict at now+warning fails: WARNING", verdict_warning,
	  1, "cert.expiring", SEVERITY_WARNING, "COMMON-EXP-04", NULL, NULL, NONE, 2, "depth 2" },
	{ "COMMON-EXP-04 path not recorded, verdict at now+critical fails: CRITICAL",
	  verdict_critical, 1, "cert.expiring", SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL,
	  NONE, 2, "within 14 days" },
	{ "COMMON-EXP-04 verdict about a certificate judged already: once", verdict_known, 1,
	  "cert.expiring", SEVERITY_WARNING, "COMMON-EXP-04", NULL, NULL, 20, 0, NULL },
	{ "COMMON-EXP-04 cert-dual.test: the RSA certificate, named RSA", cert_dual, 1,
	  "cert.expiring", SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, "RSA", 3, 0, "(RSA, leaf)" },
	{ "COMMON-EXP-04 same chain in two sessions: reported once", dedupe, 1, "cert.expiring",
	  SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 3, 0, NULL },
	{ "COMMON-STLS-05 same certificate on two addresses: once per address", two_addresses, 2,
	  "cert.expiring", SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 3, 0, NULL },
	{ "COMMON-EXP-04 a presented root is judged too", presented_root, 1, "cert.expiring",
	  SEVERITY_CRITICAL, "COMMON-EXP-04", NULL, NULL, 7, 2, "(ECDSA, root)" },
	{ "COMMON-STLS-01 no chain, nothing to judge", no_chain, 0, NULL, 0, NULL, NULL, NULL, 0, 0,
	  NULL },
	{ "DESIGN unknown_reason: check.unknown only", unknown, 1, "check.unknown",
	  SEVERITY_UNKNOWN, NULL, NULL, NULL, NONE, NONE, "port 25" },
};

/* The value called name of f, or NULL. */
static const struct finding_value *value(const struct finding *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n_values; i++)
		if (strcmp(f->values[i].name, name) == 0)
			return &f->values[i];
	return NULL;
}

static void *configure_default(void)
{
	struct check_settings set = { .cert_warning = 30 * DAY, .cert_critical = 14 * DAY };
	void *priv = NULL;

	assert_int_equal(check_cert_expiry.configure(&set, &priv, NULL), 0);
	assert_non_null(priv);
	return priv;
}

static void run_case(void **state)
{
	const struct exp_case *c = *state;
	struct snapshot *s = c->build();
	struct findings out = { 0 };
	void *priv = configure_default();
	const struct finding *f;

	assert_int_equal(check_cert_expiry.evaluate(s, NULL, priv, &out), 0);
	if (out.n != c->n_findings) {
		size_t i;

		for (i = 0; i < out.n; i++)
			print_message("# unexpected: %s %s %s\n", out.v[i].code,
				      severity_name(out.v[i].severity), out.v[i].message);
	}
	assert_int_equal(out.n, c->n_findings);
	if (c->code != NULL) {
		f = snapfix_find(&out, c->code);
		assert_non_null(f);
		assert_string_equal(f->check, "cert_expiry");
		assert_int_equal(f->severity, c->severity);
		if (c->req != NULL)
			assert_string_equal(f->req, c->req);
		else
			assert_null(f->req);
		if (c->result_type != NULL)
			assert_string_equal(f->result_type, c->result_type);
		else
			assert_null(f->result_type);
		if (c->alg != NULL)
			assert_string_equal(f->alg, c->alg);
		else
			assert_null(f->alg);
		if (c->days_left != NONE)
			assert_int_equal(snapfix_int(f, "days_left"), c->days_left);
		else
			assert_null(value(f, "days_left"));
		if (c->depth != NONE)
			assert_int_equal(snapfix_int(f, "depth"), c->depth);
		if (c->in_message != NULL && strstr(f->message, c->in_message) == NULL)
			fail_msg("message \"%s\" lacks \"%s\"", f->message, c->in_message);
		if (c->days_left != NONE && strcmp(c->code, "check.unknown") != 0) {
			assert_non_null(strchr(snapfix_str(f, "not_after"), 'T'));
			assert_non_null(f->mx);
			assert_non_null(f->address);
		}
	}
	findings_clear(&out);
	check_cert_expiry.release(priv);
	(void)snapshot_free(s);
}

/* configure() keeps sane thresholds and rejects the rest with a readable reason. */
static void test_cert_expiry_configure(void **state)
{
	static const struct {
		long warning, critical;
		int ret;
	} t[] = {
		{ 30 * DAY, 14 * DAY, 0 },       { 14 * DAY, 0, 0 },
		{ 14 * DAY, 14 * DAY, -EINVAL }, /* critical must be shorter */
		{ 14 * DAY, 30 * DAY, -EINVAL }, { -1, -2, -EINVAL },
		{ 30 * DAY, -1, -EINVAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct check_settings set = { .cert_warning = t[i].warning,
					      .cert_critical = t[i].critical };
		struct mxs_error err = { 0 };
		void *priv = NULL;

		assert_int_equal(check_cert_expiry.configure(&set, &priv, &err), t[i].ret);
		if (t[i].ret == 0) {
			assert_non_null(priv);
			assert_null(err.what);
		} else {
			assert_null(priv);
			assert_non_null(err.what);
			assert_string_equal(err.req, "COMMON-EXP-04");
		}
		check_cert_expiry.release(priv);
		mxs_error_clear(&err);
	}
	assert_int_equal(check_cert_expiry.needs, OBS_MX | OBS_SMTP);
}

/* COMMON-EXP-04: the thresholds are configurable; 60/7 days make a 10-day leaf a WARNING. */
static void test_cert_expiry_custom_thresholds(void **state)
{
	struct check_settings set = { .cert_warning = 60 * DAY, .cert_critical = 7 * DAY };
	struct snapshot *s = leaf_in("example.test", 10 * DAY);
	struct findings out = { 0 };
	void *priv = NULL;

	(void)state;
	assert_int_equal(check_cert_expiry.configure(&set, &priv, NULL), 0);
	assert_int_equal(check_cert_expiry.evaluate(s, NULL, priv, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].severity, SEVERITY_WARNING);
	findings_clear(&out);
	check_cert_expiry.release(priv);
	(void)snapshot_free(s);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		{ .name = "COMMON-EXP-04 configure validates the thresholds",
		  .test_func = test_cert_expiry_configure },
		{ .name = "COMMON-EXP-04 configurable thresholds",
		  .test_func = test_cert_expiry_custom_thresholds },
	};

	return snapfix_run_table("cert_expiry", cases, sizeof(cases) / sizeof(cases[0]),
				 sizeof(cases[0]), run_case, extra,
				 sizeof(extra) / sizeof(extra[0]));
}

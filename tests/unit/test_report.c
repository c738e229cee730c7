/*
 * test_report.c - the three renderings of "mxsentry check" (agent/report_*.c).
 *
 * Snapshots come from snapfix and their findings from the real mx_starttls and cert_expiry
 * checks, so what is asserted is what a user reads: the text blocks (worst domain first), the
 * Nagios status line, long output, perfdata syntax and exit status (Nagios plugin guidelines),
 * and a JSON document that parses and has the keys of docs/json-output.md. The MTA-STS, TLS-RPT
 * and name server facts are rendered as gathered (snapfix_sts_active and friends): present when
 * gathered, null when not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>

#include "agent/report.h"
#include "checks/check.h"
#include "lib/error.h"
#include "tests/unit/snapfix.h"

extern const struct check check_mx_starttls;
extern const struct check check_cert_expiry;

#define DAY         SNAPFIX_DAY
#define MAX_DOMAINS 4

/* Up to MAX_DOMAINS snapshots with their findings, ready to render. */
struct fixture {
	struct snapshot *snap[MAX_DOMAINS];
	struct findings found[MAX_DOMAINS];
	struct report_domain rep[MAX_DOMAINS];
	size_t n;
};

/* Add a snapshot (taken over) and evaluate it with both checks, thresholds 30/14 days. */
static void fx_add(struct fixture *fx, struct snapshot *s)
{
	struct check_settings set = { .cert_warning = 30 * DAY, .cert_critical = 14 * DAY };
	void *priv = NULL;
	size_t i = fx->n++;

	assert_true(i < MAX_DOMAINS);
	fx->snap[i] = s;
	assert_int_equal(check_mx_starttls.evaluate(s, NULL, NULL, &fx->found[i]), 0);
	assert_int_equal(check_cert_expiry.configure(&set, &priv, NULL), 0);
	assert_int_equal(check_cert_expiry.evaluate(s, NULL, priv, &fx->found[i]), 0);
	check_cert_expiry.release(priv);
	fx->rep[i] = (struct report_domain){ .snap = s, .findings = &fx->found[i] };
}

static void fx_free(struct fixture *fx)
{
	size_t i;

	for (i = 0; i < fx->n; i++) {
		findings_clear(&fx->found[i]);
		(void)snapshot_free(fx->snap[i]);
	}
}

/* lab cert-3d.test: leaf expires in 3 days (2026-11-05T01:28:58Z). */
static struct snapshot *cert_3d(void)
{
	struct snapshot *s = snapfix_healthy("cert-3d.test", 1);
	struct smtp_probe *p = &snapfix_at(s, 0, 0)->probes[0];

	p->chain[0]->not_after = SNAPFIX_NOW + 3 * DAY + 5338;
	return s;
}

/* lab tarpit.test: mx2 never greets. */
static struct snapshot *tarpit(void)
{
	struct snapshot *s = snapfix_healthy("tarpit.test", 2);
	struct mx_address *a = snapfix_at(s, 1, 0);

	snapfix_reset_probes(a);
	(void)snapfix_probe(a, PROBE_ALG_ANY, PROBE_TIMEOUT, STAGE_GREETING,
			    "no greeting within 60 s");
	return s;
}

static struct snapshot *unknown(void)
{
	struct snapshot *s = snapfix_healthy("blind.test", 1);

	s->unknown_reason = strdup("the resolver 127.0.0.53 does not answer");
	return s;
}

/* A working MTA-STS deployment in enforce mode, with TLS-RPT and one authoritative server. */
static struct snapshot *sts_enforce(const char *domain)
{
	struct snapshot *s = snapfix_healthy(domain, 1);
	char *rua = mxs_strdupf("v=TLSRPTv1; rua=mailto:tlsrpt@%s", domain);
	char *sts_q = mxs_strdupf("_mta-sts.%s", domain);
	char *mx_rr = mxs_strdupf("10 mx1.%s", domain);
	const char *const rpt[] = { rua, NULL };
	const char *const sts_rrs[] = { "\"v=STSv1; id=" SNAPFIX_STS_ID "\"", NULL };
	const char *const mx_rrs[] = { mx_rr, NULL };
	struct ns_view *v;

	assert_non_null(rua);
	assert_non_null(sts_q);
	assert_non_null(mx_rr);
	(void)snapfix_sts_active(s, "enforce");
	snapfix_rpt_txt(s, DNS_OK, rpt);
	v = snapfix_ns_view(s, "ns1.example.net", "192.0.2.53");
	(void)snapfix_ns_answer(v, sts_q, SNAPFIX_TXT, DNS_OK, true, sts_rrs);
	(void)snapfix_ns_answer(v, domain, SNAPFIX_MX, DNS_OK, true, mx_rrs);
	free(rua);
	free(sts_q);
	free(mx_rr);
	return s;
}

/* Neither MTA-STS nor TLS-RPT published: both names do not exist. */
static struct snapshot *sts_absent(const char *domain)
{
	struct snapshot *s = snapfix_healthy(domain, 1);

	snapfix_sts_txt(s, DNS_NXDOMAIN, NULL);
	snapfix_rpt_txt(s, DNS_NXDOMAIN, NULL);
	return s;
}

/* An STSv1 record whose policy URL answers 404 with a body that is not UTF-8. */
static struct snapshot *sts_404(const char *domain)
{
	const char *const records[] = { "v=STSv1; id=" SNAPFIX_STS_ID, NULL };
	struct snapshot *s = snapfix_healthy(domain, 1);

	snapfix_sts_txt(s, DNS_OK, records);
	(void)snapfix_policy(s, FETCH_RESPONSE, 404, "text/html", NULL, "not found \xff\n", NULL);
	return s;
}

/* Render with fn into a new string (the caller frees it). */
enum format { TEXT, NAGIOS, JSON };

static char *render(const struct fixture *fx, enum format fmt, int *ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int r = 0;

	assert_non_null(mem);
	switch (fmt) {
	case TEXT:
		report_text(mem, fx->rep, fx->n);
		break;
	case NAGIOS:
		r = report_nagios(mem, fx->rep, fx->n, 30 * DAY, 14 * DAY);
		break;
	case JSON:
		r = report_json(mem, fx->rep, fx->n);
		break;
	}
	assert_int_equal(fclose(mem), 0);
	if (ret != NULL)
		*ret = r;
	return text;
}

static void assert_contains(const char *text, const char *piece)
{
	if (strstr(text, piece) == NULL)
		fail_msg("output lacks \"%s\":\n%s", piece, text);
}

/* --- text ----------------------------------------------------------------------------------- */

/* Worst domain first; header, MX facts, then findings with their requirement. */
static void test_report_text_blocks(void **state)
{
	struct fixture fx = { 0 };
	const char *crit, *ok;
	char *text;

	(void)state;
	fx_add(&fx, snapfix_healthy("healthy.test", 2));
	fx_add(&fx, cert_3d());
	text = render(&fx, TEXT, NULL);
	crit = strstr(text, "cert-3d.test: CRITICAL (1 finding)\n");
	ok = strstr(text, "healthy.test: OK (0 findings)\n");
	assert_non_null(crit);
	assert_non_null(ok);
	assert_ptr_equal(crit, text); /* worst first, although given second */
	assert_true(ok > crit);
	assert_contains(text, "  MX 10 mx1.cert-3d.test\n");
	assert_contains(text, "    192.0.2.1: TLSv1.3 TLS_AES_256_GCM_SHA384, ECDSA leaf expires "
			      "2026-11-05 (3 days)\n");
	assert_contains(text, "  CRITICAL cert.expiring mx1.cert-3d.test 192.0.2.1: certificate of "
			      "mx1.cert-3d.test (ECDSA, leaf) expires in 3 days "
			      "(2026-11-05T01:28:58Z): renew it (COMMON-EXP-04)\n");
	assert_contains(text, "\n\nhealthy.test: OK"); /* blocks apart */
	free(text);
	fx_free(&fx);
}

/* Within a domain, findings worst first: the CRITICAL expiry before the WARNING timeout. */
static void test_report_text_findings_worst_first(void **state)
{
	struct fixture fx = { 0 };
	struct snapshot *s = tarpit();
	const char *c, *w;
	char *text;

	(void)state;
	snapfix_at(s, 0, 0)->probes[0].chain[0]->not_after = SNAPFIX_NOW - DAY;
	fx_add(&fx, s);
	text = render(&fx, TEXT, NULL);
	assert_contains(text, "tarpit.test: CRITICAL (2 findings)\n");
	assert_contains(text, "    192.0.2.2: timeout at greeting (no greeting within 60 s)\n");
	c = strstr(text, "  CRITICAL cert.expired ");
	w = strstr(text, "  WARNING smtp.timeout mx2.tarpit.test 192.0.2.2: ");
	assert_non_null(c);
	assert_non_null(w);
	assert_true(c < w);
	assert_contains(text, "(COMMON-STLS-05)\n");
	free(text);
	fx_free(&fx);
}

/* RFC 7505 and UNKNOWN domains say so in words. */
static void test_report_text_null_mx_and_unknown(void **state)
{
	struct fixture fx = { 0 };
	struct snapshot *s = snapfix_new("null-mx.test");
	char *text;

	(void)state;
	s->null_mx = true;
	fx_add(&fx, s);
	fx_add(&fx, unknown());
	text = render(&fx, TEXT, NULL);
	assert_contains(text, "null-mx.test: OK (1 finding)\n  null MX: accepts no mail\n");
	assert_contains(text, "  OK mx.null: null-mx.test accepts no mail (RFC 7505 null MX) "
			      "(RFC7505)\n");
	assert_contains(text, "blind.test: UNKNOWN (2 findings)\n  not evaluated: the resolver");
	assert_ptr_equal(strstr(text, "blind.test"), text); /* UNKNOWN ranks above OK */
	free(text);
	fx_free(&fx);
}

/* One MTA-STS and one TLS-RPT line after the MX lines, and only when they were gathered. */
static void test_report_text_sts_rpt(void **state)
{
	struct fixture fx = { 0 };
	const char *block, *mx, *sts, *rpt, *finding;
	char *text;

	(void)state;
	fx_add(&fx, sts_enforce("sts.test"));
	fx_add(&fx, sts_absent("plain.test"));
	fx_add(&fx, sts_404("broken.test"));
	fx_add(&fx, cert_3d());
	(void)snapfix_sts_active(fx.snap[3], "testing");
	text = render(&fx, TEXT, NULL);
	assert_contains(text, "sts.test: OK (0 findings)\n  MX 10 mx1.sts.test\n    192.0.2.1: "
			      "TLSv1.3 TLS_AES_256_GCM_SHA384, ECDSA leaf expires 2027-01-21 (80 "
			      "days)\n  MTA-STS: id 20261101T0000, enforce, max_age 604800, mx: "
			      "*.sts.test\n  TLS-RPT: rua mailto:tlsrpt@sts.test\n");
	assert_contains(text, "    192.0.2.1: TLSv1.3 TLS_AES_256_GCM_SHA384, ECDSA leaf expires "
			      "2027-01-21 (80 days)\n  MTA-STS: none published\n  TLS-RPT: none "
			      "published\n");
	assert_contains(text, "  MTA-STS: id 20261101T0000, policy fetch failed (404)\n");
	/* broken.test: no _smtp._tls lookup, so no TLS-RPT line in its block */
	block = strstr(text, "broken.test: ");
	assert_non_null(block);
	assert_null(strstr(block, "TLS-RPT"));
	/* the facts come between the MX lines and the findings */
	block = strstr(text, "cert-3d.test: CRITICAL");
	assert_non_null(block);
	mx = strstr(block, "  MX 10 mx1.cert-3d.test\n");
	sts = strstr(block, "  MTA-STS: id 20261101T0000, testing, max_age 604800, mx: "
			    "*.cert-3d.test\n");
	rpt = strstr(block, "TLS-RPT");
	finding = strstr(block, "  CRITICAL cert.expiring ");
	assert_non_null(mx);
	assert_non_null(sts);
	assert_non_null(finding);
	assert_true(mx < sts && sts < finding);
	assert_true(rpt == NULL || rpt > finding); /* none of its own */
	free(text);
	fx_free(&fx);
}

/* Nothing gathered for MTA-STS, TLS-RPT or the name servers: no line about them. */
static void test_report_text_not_gathered(void **state)
{
	struct fixture fx = { 0 };
	char *text;

	(void)state;
	fx_add(&fx, snapfix_healthy("healthy.test", 1));
	text = render(&fx, TEXT, NULL);
	assert_null(strstr(text, "MTA-STS"));
	assert_null(strstr(text, "TLS-RPT"));
	free(text);
	fx_free(&fx);
}

/* --- Nagios --------------------------------------------------------------------------------- */

/* Nagios plugin guidelines: 'label'=value[UOM];[warn];[crit];[min];[max]. */
static void assert_perfdata_syntax(const char *perf)
{
	regex_t re;
	char *copy = strdup(perf), *tok, *save = NULL;
	size_t n = 0;

	assert_non_null(copy);
	assert_int_equal(regcomp(&re,
				 "^'[^'=]+'=-?[0-9]+(\\.[0-9]+)?(us|ms|s|%|B|KB|MB|TB|c)?"
				 "(;[0-9:~@.-]*){0,4}$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	for (tok = strtok_r(copy, " \n", &save); tok != NULL; tok = strtok_r(NULL, " \n", &save)) {
		if (regexec(&re, tok, 0, NULL, 0) != 0)
			fail_msg("bad perfdata item \"%s\"", tok);
		n++;
	}
	assert_true(n > 0);
	regfree(&re);
	free(copy);
}

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		if (*text == '\n')
			n++;
	return n;
}

/* All OK: one line, status, perfdata after " | ", exit 0. */
static void test_report_nagios_ok(void **state)
{
	struct fixture fx = { 0 };
	char *text, *bar;
	int status;

	(void)state;
	fx_add(&fx, snapfix_healthy("healthy.test", 2));
	text = render(&fx, NAGIOS, &status);
	assert_int_equal(status, 0);
	assert_int_equal(count_lines(text), 1);
	assert_ptr_equal(strstr(text, "MXSENTRY OK - 0 critical, 0 warning: 1 domain OK | "), text);
	bar = strchr(text, '|');
	assert_non_null(bar);
	assert_perfdata_syntax(bar + 2);
	assert_contains(text, "'mx1.healthy.test_192.0.2.1_ECDSA_leaf_days'=80;30:;14:");
	assert_contains(text, "'mx1.healthy.test_192.0.2.1_ECDSA_int1_days'=1100;30:;14:");
	assert_contains(text, "'mx2.healthy.test_192.0.2.2_handshake'=25ms;;;0");
	free(text);
	fx_free(&fx);
}

/* CRITICAL: exit 2, the message in the status line, long output, then '|' perfdata. */
static void test_report_nagios_critical(void **state)
{
	struct fixture fx = { 0 };
	char *text, *nl, *last;
	int status;

	(void)state;
	fx_add(&fx, cert_3d());
	fx_add(&fx, snapfix_healthy("healthy.test", 1));
	text = render(&fx, NAGIOS, &status);
	assert_int_equal(status, 2);
	assert_ptr_equal(strstr(text,
				"MXSENTRY CRITICAL - 1 critical, 0 warning: cert-3d.test: "
				"certificate of mx1.cert-3d.test (ECDSA, leaf) expires in 3 "),
			 text);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_null(memchr(text, '|', (size_t)(nl - text))); /* perfdata is not on line 1 */
	assert_contains(text, "\nCRITICAL cert-3d.test cert.expiring mx1.cert-3d.test 192.0.2.1: "
			      "certificate of");
	/* the last line is the perfdata */
	text[strlen(text) - 1] = '\0';
	last = strrchr(text, '\n') + 1;
	assert_true(last[0] == '|' && last[1] == ' ');
	assert_perfdata_syntax(last + 2);
	assert_contains(last, "'mx1.cert-3d.test_192.0.2.1_ECDSA_leaf_days'=3;30:;14:");
	assert_contains(last, "'mx1.healthy.test_192.0.2.1_ECDSA_leaf_days'=80;30:;14:");
	free(text);
	fx_free(&fx);
}

/* tarpit.test: WARNING, exit 1. */
static void test_report_nagios_warning(void **state)
{
	struct fixture fx = { 0 };
	char *text;
	int status;

	(void)state;
	fx_add(&fx, tarpit());
	text = render(&fx, NAGIOS, &status);
	assert_int_equal(status, 1);
	assert_ptr_equal(strstr(text, "MXSENTRY WARNING - 0 critical, 1 warning: tarpit.test: "
				      "mx2.tarpit.test [192.0.2.2]: timeout at greeting"),
			 text);
	free(text);
	fx_free(&fx);
}

/* UNKNOWN alone exits 3; next to a CRITICAL domain, CRITICAL wins (severity_rank). */
static void test_report_nagios_unknown_and_rank(void **state)
{
	struct fixture fx = { 0 };
	char *text;
	int status;

	(void)state;
	fx_add(&fx, unknown());
	text = render(&fx, NAGIOS, &status);
	assert_int_equal(status, 3);
	assert_ptr_equal(strstr(text, "MXSENTRY UNKNOWN - 0 critical, 0 warning, 2 unknown: "),
			 text);
	free(text);
	fx_add(&fx, cert_3d());
	text = render(&fx, NAGIOS, &status);
	assert_int_equal(status, 2);
	assert_ptr_equal(strstr(text, "MXSENTRY CRITICAL - 1 critical, 0 warning, 2 unknown: "
				      "cert-3d.test: "),
			 text);
	free(text);
	fx_free(&fx);
}

/* A '|' or newline in a message would break the plugin output; long messages are shortened. */
static void test_report_nagios_sanitises(void **state)
{
	struct fixture fx = { 0 };
	struct finding *f;
	char *text, *nl;
	int status;

	(void)state;
	fx_add(&fx, snapfix_healthy("odd.test", 1));
	f = findings_add(&fx.found[0], "mx_starttls", "smtp.protocol", SEVERITY_WARNING, NULL, NULL,
			 "odd.test", NULL, "reply was 'a|b'\nthen %s",
			 "a very long tail of text "
			 "that goes on and on well past the limit of the status line");
	assert_non_null(f);
	text = render(&fx, NAGIOS, &status);
	assert_int_equal(status, 1);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	*nl = '\0';
	assert_null(strchr(text, '|'));
	assert_contains(text, "reply was 'a/b' then a very long");
	assert_contains(text, "...");
	free(text);
	fx_free(&fx);
}

/* Two domains on the same MX host: each perfdata label once. */
static void test_report_nagios_labels_once(void **state)
{
	struct fixture fx = { 0 };
	const char *label = "'mx1.shared.test_192.0.2.1_ECDSA_leaf_days'=";
	char *text, *first;
	int status;

	(void)state;
	fx_add(&fx, snapfix_healthy("shared.test", 1));
	fx_add(&fx, snapfix_healthy("shared.test", 1));
	text = render(&fx, NAGIOS, &status);
	assert_int_equal(status, 0);
	first = strstr(text, label);
	assert_non_null(first);
	assert_null(strstr(first + 1, label));
	free(text);
	fx_free(&fx);
}

/* --- JSON ----------------------------------------------------------------------------------- */

static void assert_keys(json_t *o, const char *const keys[])
{
	size_t i;

	assert_true(json_is_object(o));
	for (i = 0; keys[i] != NULL; i++)
		if (json_object_get(o, keys[i]) == NULL)
			fail_msg("JSON object lacks \"%s\"", keys[i]);
}

/*
 * The value at a dotted path below j ("mta_sts.txt.records.0.text"; a number indexes an array),
 * or NULL when there is none.
 */
static json_t *jpath(json_t *j, const char *path)
{
	char *copy = strdup(path), *seg, *save = NULL, *end;

	assert_non_null(copy);
	for (seg = strtok_r(copy, ".", &save); j != NULL && seg != NULL;
	     seg = strtok_r(NULL, ".", &save)) {
		unsigned long i = strtoul(seg, &end, 10);

		j = *end == '\0' ? json_array_get(j, i) : json_object_get(j, seg);
	}
	free(copy);
	return j;
}

static void assert_jstr(json_t *j, const char *path, const char *want)
{
	json_t *v = jpath(j, path);

	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	assert_string_equal(json_string_value(v), want);
}

static void assert_jint(json_t *j, const char *path, long long want)
{
	json_t *v = jpath(j, path);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	assert_int_equal(json_integer_value(v), want);
}

/* The key is there and its value is null (docs/json-output.md: "always present"). */
static void assert_jnull(json_t *j, const char *path)
{
	json_t *v = jpath(j, path);

	if (v == NULL)
		fail_msg("%s is missing", path);
	if (!json_is_null(v))
		fail_msg("%s is not null", path);
}

/* Render fx as JSON and parse it: the document (the caller releases it). */
static json_t *render_parsed(const struct fixture *fx)
{
	json_error_t jerr;
	json_t *root;
	char *text;
	int r;

	text = render(fx, JSON, &r);
	assert_int_equal(r, 0);
	root = json_loads(text, 0, &jerr);
	if (root == NULL)
		fail_msg("JSON does not parse: %s (line %d)", jerr.text, jerr.line);
	free(text);
	return root;
}

/* docs/json-output.md: every documented key is there, with the documented types. */
static void test_report_json_schema(void **state)
{
	static const char *const top[] = { "version", "generated", "domains", NULL };
	static const char *const dom[] = { "domain",         "status",  "taken_at", "duration_ms",
					   "unknown_reason", "null_mx", "mx",       "findings",
					   "mta_sts",        "tls_rpt", "ns",       NULL };
	static const char *const mx[] = { "host", "preference", "implicit", "addresses", NULL };
	static const char *const addr[] = { "address", "family", "probes", NULL };
	static const char *const probe[] = {
		"alg",    "outcome",          "stage",        "detail", "tls_version",
		"cipher", "starttls_offered", "handshake_ms", "chain",  "verify",
		NULL
	};
	static const char *const cert[] = { "subject",   "issuer",      "not_before", "not_after",
					    "days_left", "key_type",    "key_bits",   "san",
					    "sha256",    "spki_sha256", NULL };
	static const char *const finding[] = { "check",       "code",   "severity", "mx",
					       "address",     "alg",    "message",  "req",
					       "result_type", "values", NULL };
	struct fixture fx = { 0 };
	json_t *root, *d, *p, *c, *f;
	json_error_t jerr;
	char *text;
	int r;

	(void)state;
	fx_add(&fx, cert_3d());
	text = render(&fx, JSON, &r);
	assert_int_equal(r, 0);
	root = json_loads(text, 0, &jerr);
	if (root == NULL)
		fail_msg("JSON does not parse: %s (line %d)", jerr.text, jerr.line);
	assert_keys(root, top);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
	assert_int_equal(strlen(json_string_value(json_object_get(root, "generated"))), 20);
	d = json_array_get(json_object_get(root, "domains"), 0);
	assert_keys(d, dom);
	assert_string_equal(json_string_value(json_object_get(d, "domain")), "cert-3d.test");
	assert_string_equal(json_string_value(json_object_get(d, "status")), "CRITICAL");
	assert_string_equal(json_string_value(json_object_get(d, "taken_at")),
			    "2026-11-02T00:00:00Z");
	assert_true(json_is_null(json_object_get(d, "unknown_reason")));
	assert_true(json_is_false(json_object_get(d, "null_mx")));
	assert_keys(json_array_get(json_object_get(d, "mx"), 0), mx);
	assert_keys(
	    json_array_get(
		json_object_get(json_array_get(json_object_get(d, "mx"), 0), "addresses"), 0),
	    addr);
	p = json_array_get(
	    json_object_get(
		json_array_get(
		    json_object_get(json_array_get(json_object_get(d, "mx"), 0), "addresses"), 0),
		"probes"),
	    0);
	assert_keys(p, probe);
	assert_string_equal(json_string_value(json_object_get(p, "tls_version")), "TLSv1.3");
	assert_string_equal(json_string_value(json_object_get(p, "alg")), "any");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "verify"), "code")),
			 0);
	c = json_array_get(json_object_get(p, "chain"), 0);
	assert_keys(c, cert);
	assert_int_equal(json_integer_value(json_object_get(c, "days_left")), 3);
	assert_string_equal(json_string_value(json_object_get(c, "not_after")),
			    "2026-11-05T01:28:58Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "san"), 0)),
			    "mx1.cert-3d.test");
	assert_int_equal(strlen(json_string_value(json_object_get(c, "sha256"))), 64);
	f = json_array_get(json_object_get(d, "findings"), 0);
	assert_keys(f, finding);
	assert_string_equal(json_string_value(json_object_get(f, "code")), "cert.expiring");
	assert_string_equal(json_string_value(json_object_get(f, "req")), "COMMON-EXP-04");
	assert_true(json_is_null(json_object_get(f, "alg")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(f, "values"), "days_left")), 3);
	json_decref(root);
	free(text);
	fx_free(&fx);
}

/* A server's bytes that are not UTF-8 do not break the document. */
static void test_report_json_not_utf8(void **state)
{
	struct fixture fx = { 0 };
	struct snapshot *s = tarpit();
	struct smtp_probe *p = &snapfix_at(s, 1, 0)->probes[0];
	json_t *root;
	char *text;
	int r;

	(void)state;
	free(p->detail);
	p->detail = strdup("bad \xff\xfe reply");
	fx_add(&fx, s);
	text = render(&fx, JSON, &r);
	assert_int_equal(r, 0);
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	assert_contains(text, "\"detail\": \"bad ?? reply\"");
	json_decref(root);
	free(text);
	fx_free(&fx);
}

/* A healthy enforce domain: the record, the fetch with its chain, TLS-RPT and the NS view. */
static void test_report_json_sts_enforce(void **state)
{
	static const char *const sts[] = { "txt", "policy", NULL };
	static const char *const txt[] = { "status", "ttl", "records", NULL };
	static const char *const record[] = { "text", "strings", NULL };
	static const char *const policy[] = { "url",          "outcome",  "detail",  "status",
					      "content_type", "location", "address", "duration_ms",
					      "body",         "chain",    "verify",  NULL };
	static const char *const cert[] = { "subject",   "issuer",      "not_before", "not_after",
					    "days_left", "key_type",    "key_bits",   "san",
					    "sha256",    "spki_sha256", NULL };
	static const char *const ns[] = { "status", "views", NULL };
	static const char *const view[] = { "name", "address", "answers", NULL };
	static const char *const answer[] = { "qname",         "qtype", "status",
					      "authoritative", "rrs",   NULL };
	struct fixture fx = { 0 };
	json_t *root, *d;
	char *body;

	(void)state;
	fx_add(&fx, sts_enforce("sts.test"));
	root = render_parsed(&fx);
	d = jpath(root, "domains.0");
	assert_keys(jpath(d, "mta_sts"), sts);
	assert_keys(jpath(d, "mta_sts.txt"), txt);
	assert_keys(jpath(d, "mta_sts.txt.records.0"), record);
	assert_jstr(d, "mta_sts.txt.status", "ok");
	assert_jint(d, "mta_sts.txt.ttl", 3600);
	assert_int_equal(json_array_size(jpath(d, "mta_sts.txt.records")), 1);
	assert_jstr(d, "mta_sts.txt.records.0.text", "v=STSv1; id=" SNAPFIX_STS_ID);
	assert_jint(d, "mta_sts.txt.records.0.strings", 1);
	assert_keys(jpath(d, "mta_sts.policy"), policy);
	assert_jstr(d, "mta_sts.policy.url", "https://mta-sts.sts.test/.well-known/mta-sts.txt");
	assert_jstr(d, "mta_sts.policy.outcome", "response");
	assert_jnull(d, "mta_sts.policy.detail");
	assert_jint(d, "mta_sts.policy.status", 200);
	assert_jstr(d, "mta_sts.policy.content_type", "text/plain");
	assert_jnull(d, "mta_sts.policy.location");
	assert_jstr(d, "mta_sts.policy.address", "192.0.2.80");
	assert_jint(d, "mta_sts.policy.duration_ms", 40);
	body = snapfix_sts_body("sts.test", "enforce");
	assert_jstr(d, "mta_sts.policy.body", body);
	free(body);
	assert_int_equal(json_array_size(jpath(d, "mta_sts.policy.chain")), 2);
	assert_keys(jpath(d, "mta_sts.policy.chain.0"), cert);
	assert_jstr(d, "mta_sts.policy.chain.0.san.0", "mta-sts.sts.test");
	assert_jint(d, "mta_sts.policy.chain.0.days_left", 80);
	assert_jint(d, "mta_sts.policy.verify.code", 0);
	assert_true(json_is_string(jpath(d, "mta_sts.policy.verify.text")) ||
		    json_is_null(jpath(d, "mta_sts.policy.verify.text")));
	assert_keys(jpath(d, "tls_rpt"), (const char *const[]){ "txt", NULL });
	assert_keys(jpath(d, "tls_rpt.txt"), txt);
	assert_jstr(d, "tls_rpt.txt.status", "ok");
	assert_jstr(d, "tls_rpt.txt.records.0.text", "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test");
	assert_keys(jpath(d, "ns"), ns);
	assert_jstr(d, "ns.status", "ok");
	assert_keys(jpath(d, "ns.views.0"), view);
	assert_jstr(d, "ns.views.0.name", "ns1.example.net");
	assert_jstr(d, "ns.views.0.address", "192.0.2.53");
	assert_keys(jpath(d, "ns.views.0.answers.0"), answer);
	assert_jstr(d, "ns.views.0.answers.0.qname", "_mta-sts.sts.test");
	assert_jstr(d, "ns.views.0.answers.0.qtype", "TXT");
	assert_jstr(d, "ns.views.0.answers.0.status", "ok");
	assert_true(json_is_true(jpath(d, "ns.views.0.answers.0.authoritative")));
	assert_jstr(d, "ns.views.0.answers.0.rrs.0", "\"v=STSv1; id=" SNAPFIX_STS_ID "\"");
	assert_jstr(d, "ns.views.0.answers.1.qname", "sts.test");
	assert_jstr(d, "ns.views.0.answers.1.qtype", "MX");
	assert_jstr(d, "ns.views.0.answers.1.rrs.0", "10 mx1.sts.test");
	json_decref(root);
	fx_free(&fx);
}

/* No MTA-STS record: the lookup is there, the policy is null; a failed fetch keeps its facts. */
static void test_report_json_sts_absent_and_failed(void **state)
{
	struct fixture fx = { 0 };
	struct snapshot *s;
	json_t *root, *d;

	(void)state;
	fx_add(&fx, sts_absent("plain.test"));
	s = sts_404("broken.test");
	/* a TXT record that is not UTF-8 */
	free(s->sts_txt.records[0].data);
	s->sts_txt.records[0].data = strdup("v=STSv1; id=\xe9t\xe9");
	assert_non_null(s->sts_txt.records[0].data);
	fx_add(&fx, s);
	root = render_parsed(&fx);
	d = jpath(root, "domains.0");
	assert_jstr(d, "mta_sts.txt.status", "nxdomain");
	assert_true(json_is_array(jpath(d, "mta_sts.txt.records")));
	assert_int_equal(json_array_size(jpath(d, "mta_sts.txt.records")), 0);
	assert_jnull(d, "mta_sts.policy");
	assert_jstr(d, "tls_rpt.txt.status", "nxdomain");
	assert_jnull(d, "ns");
	d = jpath(root, "domains.1");
	assert_jstr(d, "mta_sts.txt.records.0.text", "v=STSv1; id=?t?");
	assert_jstr(d, "mta_sts.policy.outcome", "response");
	assert_jint(d, "mta_sts.policy.status", 404);
	assert_jstr(d, "mta_sts.policy.content_type", "text/html");
	assert_jstr(d, "mta_sts.policy.body", "not found ?\n"); /* the newline is kept */
	assert_jnull(d, "tls_rpt");
	json_decref(root);
	fx_free(&fx);
}

/* A fetch without a response: no status, no body, no chain, no verdict. */
static void test_report_json_sts_timeout(void **state)
{
	const char *const records[] = { "v=STSv1; id=" SNAPFIX_STS_ID, NULL };
	struct fixture fx = { 0 };
	struct snapshot *s = snapfix_healthy("slow.test", 1);
	json_t *root, *d;

	(void)state;
	snapfix_sts_txt(s, DNS_OK, records);
	(void)snapfix_policy(s, FETCH_TIMEOUT, 0, NULL, NULL, NULL, "no response within 10 s");
	fx_add(&fx, s);
	root = render_parsed(&fx);
	d = jpath(root, "domains.0");
	assert_jstr(d, "mta_sts.policy.outcome", "timeout");
	assert_jstr(d, "mta_sts.policy.detail", "no response within 10 s");
	assert_jnull(d, "mta_sts.policy.status");
	assert_jnull(d, "mta_sts.policy.body");
	assert_int_equal(json_array_size(jpath(d, "mta_sts.policy.chain")), 0);
	assert_jnull(d, "mta_sts.policy.verify");
	json_decref(root);
	fx_free(&fx);
}

/* Nothing gathered beyond the MX facts: the three keys are there, and null. */
static void test_report_json_not_gathered(void **state)
{
	struct fixture fx = { 0 };
	json_t *root, *d;

	(void)state;
	fx_add(&fx, snapfix_healthy("healthy.test", 1));
	root = render_parsed(&fx);
	d = jpath(root, "domains.0");
	assert_jnull(d, "mta_sts");
	assert_jnull(d, "tls_rpt");
	assert_jnull(d, "ns");
	json_decref(root);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_text_blocks),
		cmocka_unit_test(test_report_text_findings_worst_first),
		cmocka_unit_test(test_report_text_null_mx_and_unknown),
		cmocka_unit_test(test_report_text_sts_rpt),
		cmocka_unit_test(test_report_text_not_gathered),
		cmocka_unit_test(test_report_nagios_ok),
		cmocka_unit_test(test_report_nagios_critical),
		cmocka_unit_test(test_report_nagios_warning),
		cmocka_unit_test(test_report_nagios_unknown_and_rank),
		cmocka_unit_test(test_report_nagios_sanitises),
		cmocka_unit_test(test_report_nagios_labels_once),
		cmocka_unit_test(test_report_json_schema),
		cmocka_unit_test(test_report_json_not_utf8),
		cmocka_unit_test(test_report_json_sts_enforce),
		cmocka_unit_test(test_report_json_sts_absent_and_failed),
		cmocka_unit_test(test_report_json_sts_timeout),
		cmocka_unit_test(test_report_json_not_gathered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_finding.c - the finding model (lib/finding.c) and the snapshot destructor and names
 * (lib/snapshot.c), which every check and the agent rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/finding.h"
#include "lib/snapshot.h"

/* A finding owns copies: changing or freeing the caller's strings must not show through. */
static void test_finding_add_copies(void **state)
{
	struct findings list = { 0 };
	struct finding_subject subj = { 0 };
	struct finding *f;
	char mx[] = "mx1.example.com", addr[] = "192.0.2.1", dom[] = "example.com";

	(void)state;
	subj.mx = mx;
	subj.address = addr;
	subj.alg = "ECDSA";
	/* the subject and domain come from buffers the caller reuses for the next MX */
	f = findings_add(&list, "mx_starttls", "starttls.missing", SEVERITY_CRITICAL,
			 "COMMON-STLS-01", "starttls-not-supported", dom, &subj,
			 "%s does not offer STARTTLS (%d)", mx, 250);
	assert_non_null(f);
	mx[0] = 'X';
	addr[0] = 'X';
	dom[0] = 'X';
	assert_int_equal(list.n, 1);
	assert_string_equal(f->check, "mx_starttls");
	assert_string_equal(f->code, "starttls.missing");
	assert_int_equal(f->severity, SEVERITY_CRITICAL);
	assert_string_equal(f->req, "COMMON-STLS-01");
	assert_string_equal(f->result_type, "starttls-not-supported");
	assert_string_equal(f->domain, "example.com");
	assert_string_equal(f->mx, "mx1.example.com");
	assert_string_equal(f->address, "192.0.2.1");
	assert_string_equal(f->alg, "ECDSA");
	assert_string_equal(f->message, "mx1.example.com does not offer STARTTLS (250)");
	assert_int_equal(f->n_values, 0);
	findings_clear(&list);
	assert_int_equal(list.n, 0);
	assert_null(list.v);
}

/* A finding about the domain itself has no subject; req and result_type may be NULL. */
static void test_finding_add_domain_subject(void **state)
{
	struct findings list = { 0 };
	struct finding *f;

	(void)state;
	f = findings_add(&list, "mta_sts", "sts.none", SEVERITY_OK, NULL, NULL, "example.com", NULL,
			 "no MTA-STS policy");
	assert_non_null(f);
	assert_null(f->mx);
	assert_null(f->address);
	assert_null(f->alg);
	assert_null(f->req);
	assert_null(f->result_type);
	findings_clear(&list);
}

/*
 * A message quotes server replies: CR, LF and other control characters would split "one line"
 * in logs and in the Nagios status line, so they become spaces.
 */
static void test_finding_message_is_one_line(void **state)
{
	struct findings list = { 0 };
	struct finding *f;

	(void)state;
	f = findings_add(&list, "mx_starttls", "starttls.rejected", SEVERITY_WARNING,
			 "COMMON-STLS-02", NULL, "example.com", NULL, "server said: %s",
			 "454 4.7.0 TLS not available\r\nX-Injected: yes\t!");
	assert_non_null(f);
	assert_null(strchr(f->message, '\r'));
	assert_null(strchr(f->message, '\n'));
	assert_null(strchr(f->message, '\t'));
	assert_string_equal(f->message,
			    "server said: 454 4.7.0 TLS not available  X-Injected: yes !");
	findings_clear(&list);
}

/* The list grows past its first allocation; earlier findings keep their contents. */
static void test_finding_list_grows(void **state)
{
	struct findings list = { 0 };
	size_t i;

	(void)state;
	/* 100 > the first allocation of 8 and several doublings after it */
	for (i = 0; i < 100; i++)
		assert_non_null(findings_add(&list, "c", "x.y", SEVERITY_OK, NULL, NULL,
					     "example.com", NULL, "finding %zu", i));
	assert_int_equal(list.n, 100);
	assert_true(list.cap >= 100);
	assert_string_equal(list.v[0].message, "finding 0");
	assert_string_equal(list.v[57].message, "finding 57");
	assert_string_equal(list.v[99].message, "finding 99");
	findings_clear(&list);
}

/* Typed values: ints and copied strings, one per name (the name is also the JSON key). */
static void test_finding_values(void **state)
{
	struct findings list = { 0 };
	struct finding *f;
	char version[] = "TLSv1.1";

	(void)state;
	f = findings_add(&list, "cert_expiry", "cert.expiring", SEVERITY_WARNING, "COMMON-EXP-04",
			 NULL, "example.com", NULL, "certificate expires in 3 days");
	assert_non_null(f);
	assert_int_equal(finding_set_int(f, "days_left", 3), 0);
	assert_int_equal(finding_set_string(f, "tls_version", version), 0);
	version[0] = 'X';
	assert_int_equal(f->n_values, 2);
	assert_string_equal(f->values[0].name, "days_left");
	assert_int_equal(f->values[0].type, VALUE_INT);
	assert_int_equal(f->values[0].i, 3);
	assert_string_equal(f->values[1].name, "tls_version");
	assert_int_equal(f->values[1].type, VALUE_STRING);
	assert_string_equal(f->values[1].s, "TLSv1.1");

	/* setting a name again replaces its value, also across types (no leak under ASan) */
	assert_int_equal(finding_set_int(f, "days_left", -2), 0);
	assert_int_equal(finding_set_int(f, "tls_version", 0x0302), 0);
	assert_int_equal(f->n_values, 2);
	assert_int_equal(f->values[0].i, -2);
	assert_int_equal(f->values[1].type, VALUE_INT);
	assert_null(f->values[1].s);
	assert_int_equal(finding_set_string(f, "days_left", "many"), 0);
	assert_int_equal(f->values[0].type, VALUE_STRING);
	assert_string_equal(f->values[0].s, "many");
	findings_clear(&list);
}

/* The worst severity follows severity_rank(): UNKNOWN is worse than WARNING, CRITICAL worst. */
static void test_findings_worst(void **state)
{
	static const struct {
		enum severity in[4];
		size_t n;
		enum severity want;
	} cases[] = {
		{ { SEVERITY_OK }, 0, SEVERITY_OK },
		{ { SEVERITY_OK, SEVERITY_OK }, 2, SEVERITY_OK },
		{ { SEVERITY_OK, SEVERITY_WARNING }, 2, SEVERITY_WARNING },
		{ { SEVERITY_WARNING, SEVERITY_UNKNOWN, SEVERITY_OK }, 3, SEVERITY_UNKNOWN },
		{ { SEVERITY_UNKNOWN, SEVERITY_CRITICAL, SEVERITY_WARNING }, 3, SEVERITY_CRITICAL },
		{ { SEVERITY_CRITICAL, SEVERITY_UNKNOWN }, 2, SEVERITY_CRITICAL },
	};
	size_t i, j;

	(void)state;
	assert_int_equal(findings_worst(NULL), SEVERITY_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct findings list = { 0 };

		for (j = 0; j < cases[i].n; j++)
			assert_non_null(findings_add(&list, "c", "x", cases[i].in[j], NULL, NULL,
						     "example.com", NULL, "m"));
		if (findings_worst(&list) != cases[i].want)
			fail_msg("case %zu: worst is %s, expected %s", i,
				 severity_name(findings_worst(&list)),
				 severity_name(cases[i].want));
		findings_clear(&list);
	}
}

/* Clearing twice and clearing NULL are no-ops: cleanup paths need not track what they did. */
static void test_findings_clear_null_safe(void **state)
{
	struct findings empty = { 0 };

	(void)state;
	findings_clear(NULL);
	findings_clear(&empty);
	findings_clear(&empty);
	assert_int_equal(empty.n, 0);
}

/* snapshot_free() releases a fully populated snapshot (ASan reports any leak) and NULL. */
static void test_snapshot_free_everything(void **state)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct smtp_probe *p;

	(void)state;
	assert_null(snapshot_free(NULL));
	assert_non_null(s);
	s->domain = strdup("example.com");
	s->unknown_reason = strdup("resolver down");
	s->n_mx = 2;
	s->mx = calloc(2, sizeof(*s->mx));
	assert_non_null(s->mx);
	s->mx[0].name = strdup("mx1.example.com");
	s->mx[0].n_addrs = 1;
	s->mx[0].addrs = calloc(1, sizeof(*s->mx[0].addrs));
	assert_non_null(s->mx[0].addrs);
	s->mx[0].addrs[0].n_probes = 2;
	s->mx[0].addrs[0].probes = calloc(2, sizeof(struct smtp_probe));
	assert_non_null(s->mx[0].addrs[0].probes);
	p = &s->mx[0].addrs[0].probes[0];
	p->detail = strdup("x");
	p->banner = strdup("mx1 ESMTP");
	p->tls_version_name = strdup("TLSv1.3");
	p->cipher = strdup("TLS_AES_128_GCM_SHA256");
	p->verify_now.text = strdup("ok");
	p->verify_warning.text = strdup("certificate has expired");
	p->verify_critical.text = strdup("certificate has expired");
	p->chain_len = 2;
	p->chain = calloc(2, sizeof(*p->chain)); /* NULL entries: certinfo_free(NULL) */
	p->path_len = 1;
	p->path = calloc(1, sizeof(*p->path));
	/* the second MX was abandoned half-way: name only */
	s->mx[1].name = strdup("mx2.example.com");
	assert_null(snapshot_free(s));
}

/*
 * The names appear in JSON output and metric labels, where a rename breaks dashboards: pin
 * them. An out-of-range value gets "?" rather than reading past a table.
 */
static void test_snapshot_names(void **state)
{
	(void)state;
	assert_string_equal(probe_stage_name(STAGE_CONNECT), "connect");
	assert_string_equal(probe_stage_name(STAGE_EHLO_TLS), "ehlo-tls");
	assert_string_equal(probe_stage_name(STAGE_DONE), "done");
	assert_string_equal(probe_stage_name((enum probe_stage)99), "?");
	assert_string_equal(probe_outcome_name(PROBE_OK), "ok");
	assert_string_equal(probe_outcome_name(PROBE_NO_STARTTLS), "no-starttls");
	assert_string_equal(probe_outcome_name(PROBE_LOCAL_ERROR), "local-error");
	assert_string_equal(probe_outcome_name((enum probe_outcome) - 1), "?");
	assert_string_equal(probe_alg_name(PROBE_ALG_ANY), "any");
	assert_string_equal(probe_alg_name(PROBE_ALG_ECDSA), "ECDSA");
	assert_string_equal(probe_alg_name(PROBE_ALG_RSA), "RSA");
	assert_string_equal(dns_status_name(DNS_OK), "ok");
	assert_string_equal(dns_status_name(DNS_SERVFAIL), "servfail");
	assert_string_equal(dns_status_name(DNS_ERROR), "error");
	assert_string_equal(dns_status_name((enum dns_status)42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finding_add_copies),
		cmocka_unit_test(test_finding_add_domain_subject),
		cmocka_unit_test(test_finding_message_is_one_line),
		cmocka_unit_test(test_finding_list_grows),
		cmocka_unit_test(test_finding_values),
		cmocka_unit_test(test_findings_worst),
		cmocka_unit_test(test_findings_clear_null_safe),
		cmocka_unit_test(test_snapshot_free_everything),
		cmocka_unit_test(test_snapshot_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_dane.c - the DANE state of one MX host (lib/dane.c), driven by every vector of
 * shared/spec/vectors/dane-scenarios.json with the clock pinned to 2026-01-01T00:00:00Z
 * (spec/README.md), plus the project's own cases: which record matched which depth, the
 * rotation hints, a broken DANE-TA path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/dane.h"
#include "tests/unit/vectors.h"

/* 2026-01-01T00:00:00Z */
#define NOW ((time_t)1767225600)

/* What one scenario needs, built from its JSON and released with scenario_free(). */
struct scenario {
	struct dane_input in;
	struct tlsa_rr *rrs;
	struct certinfo **chain;
	uint8_t pref[4];
};

static enum dane_dnssec state_of(const json_t *dnssec, const char *key)
{
	enum dane_dnssec s;

	if (dane_dnssec_from_name(vectors_string(dnssec, key), &s) != 0)
		fail_msg("unknown dnssec state for %s", key);
	return s;
}

static void scenario_load(const json_t *v, struct scenario *sc)
{
	const json_t *dnssec = json_object_get(v, "dnssec");
	const json_t *tlsa = json_object_get(v, "tlsa"), *chain = json_object_get(v, "chain");
	const json_t *pref = json_object_get(json_object_get(v, "client"), "digest_preference");
	const json_t *e;
	size_t i;

	memset(sc, 0, sizeof(*sc));
	sc->in.mx_dnssec = state_of(dnssec, "mx");
	sc->in.address_dnssec = state_of(dnssec, "address");
	sc->in.tlsa_dnssec = state_of(dnssec, "tlsa");
	sc->rrs = calloc(json_array_size(tlsa) + 1, sizeof(*sc->rrs));
	sc->chain = calloc(json_array_size(chain) + 1, sizeof(*sc->chain));
	assert_non_null(sc->rrs);
	assert_non_null(sc->chain);
	json_array_foreach(tlsa, i, e)
	{
		const char *t = json_string_value(e);

		assert_int_equal(tlsa_parse(t, strlen(t), &sc->rrs[i], NULL), 0);
	}
	json_array_foreach(chain, i, e) sc->chain[i] = vectors_load_cert(json_string_value(e));
	json_array_foreach(pref, i, e)
	{
		assert_true(i < sizeof(sc->pref));
		sc->pref[i] = strcmp(json_string_value(e), "SHA2-512") == 0 ? 2 : 1;
	}
	sc->in.tlsa = sc->rrs;
	sc->in.n_tlsa = json_array_size(tlsa);
	sc->in.starttls_offered = json_is_true(json_object_get(v, "starttls_offered"));
	sc->in.chain = (const struct certinfo *const *)sc->chain;
	sc->in.n_chain = json_array_size(chain);
	sc->in.base_domain = vectors_string(v, "tlsa_base_domain");
	sc->in.next_hop = vectors_string(v, "next_hop");
	sc->in.now = NOW;
	if (json_array_size(pref) > 0) {
		sc->in.digest_preference = sc->pref;
		sc->in.n_digest_preference = json_array_size(pref);
	}
}

static void scenario_free(struct scenario *sc)
{
	tlsa_array_free(sc->rrs, sc->in.n_tlsa);
	certinfo_array_free(sc->chain, sc->in.n_chain);
}

/* One vector of dane-scenarios.json: outcome, severity and result type. */
static size_t check_scenario(const json_t *v)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	const json_t *expect = json_object_get(v, "expect");
	const char *want_outcome = vectors_string(expect, "outcome");
	const char *want_sev = vectors_string(expect, "severity");
	const char *want_type = vectors_string(expect, "result_type");
	struct dane_result res;
	struct scenario sc;
	size_t failures = 0;

	scenario_load(v, &sc);
	assert_int_equal(dane_evaluate(&sc.in, &res), 0);
	if (strcmp(dane_outcome_name(res.outcome), want_outcome) != 0) {
		print_error("%s (%s): expected %s, got %s\n", id, req, want_outcome,
			    dane_outcome_name(res.outcome));
		failures++;
	}
	if (strcmp(diag_level_name(res.severity), want_sev) != 0) {
		print_error("%s (%s): expected severity %s, got %s\n", id, req, want_sev,
			    diag_level_name(res.severity));
		failures++;
	}
	if ((want_type == NULL) != (res.result_type == NULL) ||
	    (want_type != NULL && strcmp(want_type, res.result_type) != 0)) {
		print_error("%s (%s): expected result type %s, got %s\n", id, req,
			    want_type ? want_type : "(none)",
			    res.result_type ? res.result_type : "(none)");
		failures++;
	}
	/* a pass names the record and depth; anything else names none */
	if ((res.outcome == DANE_OUTCOME_PASS) !=
	    (res.matched_record >= 0 && res.matched_depth >= 0)) {
		print_error("%s (%s): matched record %d depth %d\n", id, req, res.matched_record,
			    res.matched_depth);
		failures++;
	}
	if (failures > 0) {
		vectors_print_diags(&res.diags, 0);
		vectors_print_diags(&res.notes, 0);
	}
	dane_result_clear(&res);
	scenario_free(&sc);
	return failures;
}

/* covers: DANE-NAME-01..04, DANE-EXP-01, DANE-EXP-02, DANE-USG-03..06, DANE-DNS-02..04,
 * DANE-LKP-03, DANE-ROT-01..03, DANE-AGI-02, DANE-AGI-03, DANE-SEL-01 (every vector of
 * dane-scenarios.json) */
static void test_dane_scenarios(void **state)
{
	json_t *root = vectors_load("dane-scenarios.json"), *v;
	size_t i, failures = 0;

	/* not vectors_run(): the verdict of a scenario is under "expect", not beside it */
	(void)state;
	assert_non_null(root);
	assert_int_equal(json_array_size(root), 24);
	json_array_foreach(root, i, v) failures += check_scenario(v);
	json_decref(root);
	if (failures > 0)
		fail_msg("%zu scenario check(s) failed", failures);
}

/* Run one scenario of the vector file by id. */
static void run_vector(const char *want_id, struct scenario *sc, struct dane_result *res)
{
	json_t *root = vectors_load("dane-scenarios.json"), *v;
	size_t i;

	assert_non_null(root);
	json_array_foreach(root, i, v)
	{
		if (strcmp(vectors_string(v, "id"), want_id) != 0)
			continue;
		scenario_load(v, sc);
		/* strings of the vector stay valid: copy what outlives the file */
		sc->in.base_domain = strcmp(sc->in.base_domain, "mx2.example.com") == 0
					 ? "mx2.example.com"
					 : "mx1.example.com";
		sc->in.next_hop = "example.com";
		json_decref(root);
		assert_int_equal(dane_evaluate(&sc->in, res), 0);
		return;
	}
	fail_msg("%s: no such vector", want_id);
}

/* Whether a diagnostic with this ID is in the list. */
static bool has(const struct diag_list *d, const char *req)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].req, req) == 0)
			return true;
	return false;
}

/* covers: DANE-ROT-02, DANE-ROT-03: which record matched which depth, and the hints */
static void test_DANE_ROT_02_records(void **state)
{
	struct scenario sc;
	struct dane_result res;

	(void)state;
	/* DANE-TA(2) at depth 1 (the CA) */
	run_vector("dane-scn-007", &sc, &res);
	assert_int_equal(res.matched_record, 0);
	assert_int_equal(res.matched_depth, 1);
	assert_true(has(&res.notes, "DANE-ROT-03"));
	dane_result_clear(&res);
	scenario_free(&sc);
	/* current + next: the next key is a note, not a finding */
	run_vector("dane-scn-004", &sc, &res);
	assert_int_equal(res.matched_record, 0);
	assert_int_equal(res.records[1].depth, -1);
	assert_true(has(&res.notes, "DANE-ROT-03"));
	assert_int_equal(res.diags.n, 0);
	dane_result_clear(&res);
	scenario_free(&sc);
	/* a combination with no match next to one that matches */
	run_vector("dane-scn-024", &sc, &res);
	assert_int_equal(res.matched_record, 0);
	assert_true(has(&res.diags, "DANE-ROT-02"));
	assert_false(res.records[1].authenticates);
	dane_result_clear(&res);
	scenario_free(&sc);
	/* DANE-AGI-02: the SHA2-256 record is set aside for a SHA2-512 client */
	run_vector("dane-scn-022", &sc, &res);
	assert_false(res.records[0].kept);
	assert_true(res.records[0].authenticates);
	assert_true(has(&res.diags, "DANE-AGI-03"));
	assert_true(has(&res.notes, "DANE-AGI-02"));
	dane_result_clear(&res);
	scenario_free(&sc);
}

/* covers: DANE-AGI-04 (a SHA2-256-only client), DANE-NAME-02 (a chain whose order is wrong) */
static void test_DANE_AGI_04_preference(void **state)
{
	static const uint8_t only256[] = { 1 };
	const struct certinfo *swapped[2];
	struct scenario sc;
	struct dane_result res, res2;

	(void)state;
	run_vector("dane-scn-022", &sc, &res);
	dane_result_clear(&res);
	sc.in.digest_preference = only256;
	sc.in.n_digest_preference = 1;
	assert_int_equal(dane_evaluate(&sc.in, &res), 0);
	assert_int_equal(res.outcome, DANE_OUTCOME_PASS);
	/* still an error: SHA2-512 clients fail on this RRset */
	assert_int_equal(res.severity, DIAG_ERROR);
	dane_result_clear(&res);
	scenario_free(&sc);

	/* the CA first and the leaf second: the anchor signs nothing below it that is the leaf */
	run_vector("dane-scn-007", &sc, &res);
	swapped[0] = sc.chain[1];
	swapped[1] = sc.chain[0];
	sc.in.chain = swapped;
	assert_int_equal(dane_evaluate(&sc.in, &res2), 0);
	assert_int_equal(res2.outcome, DANE_OUTCOME_FAIL);
	assert_non_null(res2.result_type);
	dane_result_clear(&res);
	dane_result_clear(&res2);
	scenario_free(&sc);
}

/* Bad input is refused; a cleared result is empty. */
static void test_dane_input(void **state)
{
	struct dane_input in = { .mx_dnssec = DANE_DNSSEC_SECURE };
	struct dane_result res;
	enum dane_dnssec s;

	(void)state;
	assert_int_equal(dane_evaluate(&in, &res), -EINVAL);
	assert_int_equal(dane_dnssec_from_name("maybe", &s), -EINVAL);
	assert_int_equal(dane_dnssec_from_name(NULL, &s), 0);
	assert_int_equal(s, DANE_DNSSEC_NOT_REACHED);
	dane_result_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dane_scenarios),
		cmocka_unit_test(test_DANE_ROT_02_records),
		cmocka_unit_test(test_DANE_AGI_04_preference),
		cmocka_unit_test(test_dane_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

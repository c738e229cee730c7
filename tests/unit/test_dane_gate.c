/*
 * test_dane_gate.c - the pre-deployment gate of a rotation under DANE (lib/dane_gate.c):
 * DANE-ROT-01 (a record for the next key before it is used), DANE-ROT-03 (pre-published for two
 * TTLs, on every server), DANE-DNS-01 (no verdict without a validating resolver), DANE-LKP-04
 * (records outside DNSSEC do not count).
 *
 * Snapshots come from snapfix: each MX host presents a fixture chain whose leaf has a key of its
 * own; the "new certificate" is another fixture leaf for the same host name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/dane_gate.h"
#include "lib/tlsa.h"
#include "tests/unit/snapfix.h"

#define DOMAIN "example.test"
#define NOW    SNAPFIX_NOW

struct gate_fixture {
	struct snapshot *snap;
	struct certinfo *next; /* the new leaf, for mx1's name, another key */
	char *cur_rec, *next_rec;
};

/* Two MX hosts in a signed zone, each publishing its current key's 3 1 1 (and mx1 also
 * next_rec when with_next). */
static void build(struct gate_fixture *f, bool secure, bool with_next)
{
	size_t i;

	f->snap = snapfix_healthy(DOMAIN, 2);
	f->snap->mx_secure = true;
	for (i = 0; i < 2; i++)
		f->snap->mx[i].addr_secure = true;
	snapfix_keys_all(f->snap);
	f->next =
	    snapfix_cert("mx1." DOMAIN, (const char *const[]){ "mx1." DOMAIN, NULL },
			 NOW - SNAPFIX_DAY, NOW + 90 * SNAPFIX_DAY, KEY_TYPE_EC, "Fixture CA R1");
	snapfix_cert_keys(f->next);
	f->next_rec = snapfix_tlsa_of(f->next, 3, 1, 1);
	for (i = 0; i < 2; i++) {
		char *rec = snapfix_tlsa_of(snapfix_at(f->snap, i, 0)->probes[0].chain[0], 3, 1, 1);
		const char *const recs[] = { rec, i == 0 && with_next ? f->next_rec : NULL, NULL };

		(void)snapfix_tlsa(&f->snap->mx[i], DNS_OK, secure, recs);
		if (i == 0)
			f->cur_rec = rec;
		else
			free(rec);
	}
}

static void release(struct gate_fixture *f)
{
	snapfix_tlsa_release(f->snap);
	snapshot_free(f->snap);
	certinfo_free(f->next);
	free(f->cur_rec);
	free(f->next_rec);
}

static struct dane_gate_result match_next(struct gate_fixture *f)
{
	struct dane_gate_result res;
	const struct certinfo *chain[] = { f->next };

	assert_int_equal(dane_gate_match(f->snap, chain, 1, NOW, &res), 0);
	assert_int_equal(res.n_hosts, 2);
	return res;
}

/* DANE-ROT-01: a new key with no record of its own is a "no" on that host, and for the domain. */
static void test_no_record_for_new_key(void **state)
{
	struct gate_fixture f = { 0 };
	struct dane_gate_result res;

	(void)state;
	build(&f, true, false);
	res = match_next(&f);
	assert_int_equal(res.hosts[0].verdict, DANE_GATE_NO);
	assert_int_equal(res.hosts[0].record, -1);
	assert_non_null(strstr(res.hosts[0].why, "matches the new certificate"));
	assert_int_equal(res.verdict, DANE_GATE_NO);
	dane_gate_result_clear(&res);
	release(&f);
}

/* DANE-ROT-01: the pre-published record matches: step 1 says yes and names it. */
static void test_prepublished_record_matches(void **state)
{
	struct gate_fixture f = { 0 };
	struct dane_gate_result res;

	(void)state;
	build(&f, true, true);
	res = match_next(&f);
	assert_int_equal(res.hosts[0].verdict, DANE_GATE_YES);
	assert_int_equal(res.hosts[0].record, 1);
	assert_string_equal(res.hosts[0].record_text, f.next_rec);
	/* mx2 has no record for this certificate (its name differs, its key too) */
	assert_int_equal(res.hosts[1].verdict, DANE_GATE_NO);
	assert_int_equal(res.verdict, DANE_GATE_NO);
	dane_gate_result_clear(&res);
	release(&f);
}

/* DANE-LKP-04: the same records without AD do not count: no. */
static void test_insecure_records(void **state)
{
	struct gate_fixture f = { 0 };
	struct dane_gate_result res;

	(void)state;
	build(&f, false, true);
	res = match_next(&f);
	assert_int_equal(res.hosts[0].verdict, DANE_GATE_NO);
	assert_non_null(strstr(res.hosts[0].why, "DNSSEC-secure"));
	dane_gate_result_clear(&res);
	release(&f);
}

/* DANE-DNS-01: a resolver not shown to validate: could not tell, for every host. */
static void test_resolver_not_validating(void **state)
{
	struct gate_fixture f = { 0 };
	struct dane_gate_result res;

	(void)state;
	build(&f, true, true);
	f.snap->dnssec_unknown_reason = strdup("the resolver does not validate DNSSEC");
	res = match_next(&f);
	assert_int_equal(res.hosts[0].verdict, DANE_GATE_UNKNOWN);
	assert_int_equal(res.hosts[1].verdict, DANE_GATE_UNKNOWN);
	assert_int_equal(res.verdict, DANE_GATE_UNKNOWN);
	assert_string_equal(res.hosts[0].why, "the resolver does not validate DNSSEC");
	dane_gate_result_clear(&res);
	release(&f);
}

/* The TLSA lookup failed (SERVFAIL): could not tell. */
static void test_lookup_failed(void **state)
{
	struct gate_fixture f = { 0 };
	struct dane_gate_result res;

	(void)state;
	build(&f, true, true);
	(void)snapfix_tlsa(&f.snap->mx[0], DNS_SERVFAIL, false, NULL);
	res = match_next(&f);
	assert_int_equal(res.hosts[0].verdict, DANE_GATE_UNKNOWN);
	dane_gate_result_clear(&res);
	release(&f);
}

/* A host that step 1 left at yes, with its record "3 1 1 aa". */
static struct dane_gate_host yes_host(void)
{
	struct dane_gate_host h = { .host = "mx1", .verdict = DANE_GATE_YES, .record = 0 };

	h.record_text = strdup("3 1 1 aa");
	h.why = strdup("matches");
	return h;
}

/* DANE-ROT-03: served everywhere for two TTLs: yes; one TTL short: wait, with the time. */
static void test_visible_two_ttls(void **state)
{
	struct dane_gate_server s[] = {
		{ .label = "ns1",
		  .answered = true,
		  .serves = true,
		  .since = NOW - 7200,
		  .ttl = 3600 },
		{ .label = "ns2",
		  .answered = true,
		  .serves = true,
		  .since = NOW - 3600,
		  .ttl = 3600 },
	};
	struct dane_gate_host h = yes_host();

	(void)state;
	assert_int_equal(dane_gate_visibility(&h, s, 2, NOW), 0);
	assert_int_equal(h.verdict, DANE_GATE_WAIT);
	/* the latest server to serve it counts */
	assert_int_equal(h.ready_at, NOW + 3600);
	assert_non_null(strstr(h.why, "twice the TTL of 3600 s"));
	s[1].since = NOW - 7200;
	h.verdict = DANE_GATE_YES;
	assert_int_equal(dane_gate_visibility(&h, s, 2, NOW), 0);
	assert_int_equal(h.verdict, DANE_GATE_YES);
	assert_int_equal(h.ready_at, 0);
	free(h.record_text);
	free(h.why);
}

/* A server that does not serve it yet: wait; one that did not answer: could not tell. */
static void test_server_missing_or_silent(void **state)
{
	struct dane_gate_server s[] = {
		{ .label = "ns1",
		  .answered = true,
		  .serves = true,
		  .since = NOW - 9000,
		  .ttl = 60 },
		{ .label = "ns2 [192.0.2.2]", .answered = true, .serves = false },
	};
	struct dane_gate_host h = yes_host();

	(void)state;
	assert_int_equal(dane_gate_visibility(&h, s, 2, NOW), 0);
	assert_int_equal(h.verdict, DANE_GATE_WAIT);
	assert_int_equal(h.ready_at, 0);
	assert_non_null(strstr(h.why, "ns2 [192.0.2.2] does not serve it yet"));
	s[1].answered = false;
	h.verdict = DANE_GATE_YES;
	assert_int_equal(dane_gate_visibility(&h, s, 2, NOW), 0);
	assert_int_equal(h.verdict, DANE_GATE_UNKNOWN);
	h.verdict = DANE_GATE_YES;
	assert_int_equal(dane_gate_visibility(&h, s, 0, NOW), 0);
	assert_int_equal(h.verdict, DANE_GATE_UNKNOWN);
	/* a host step 1 said no to is left alone */
	h.verdict = DANE_GATE_NO;
	assert_int_equal(dane_gate_visibility(&h, s, 1, NOW), 0);
	assert_int_equal(h.verdict, DANE_GATE_NO);
	free(h.record_text);
	free(h.why);
}

/* The domain: no > unknown > wait > yes; no host at all is unknown. */
static void test_combine(void **state)
{
	struct dane_gate_host hosts[3] = { { .verdict = DANE_GATE_YES },
					   { .verdict = DANE_GATE_WAIT },
					   { .verdict = DANE_GATE_YES } };
	struct dane_gate_result res = { .hosts = hosts, .n_hosts = 3 };

	(void)state;
	assert_int_equal(dane_gate_combine(&res), DANE_GATE_WAIT);
	hosts[2].verdict = DANE_GATE_UNKNOWN;
	assert_int_equal(dane_gate_combine(&res), DANE_GATE_UNKNOWN);
	hosts[0].verdict = DANE_GATE_NO;
	assert_int_equal(dane_gate_combine(&res), DANE_GATE_NO);
	res.n_hosts = 0;
	assert_int_equal(dane_gate_combine(&res), DANE_GATE_UNKNOWN);
	assert_string_equal(dane_gate_name(DANE_GATE_WAIT), "wait");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_record_for_new_key),
		cmocka_unit_test(test_prepublished_record_matches),
		cmocka_unit_test(test_insecure_records),
		cmocka_unit_test(test_resolver_not_validating),
		cmocka_unit_test(test_lookup_failed),
		cmocka_unit_test(test_visible_two_ttls),
		cmocka_unit_test(test_server_missing_or_silent),
		cmocka_unit_test(test_combine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

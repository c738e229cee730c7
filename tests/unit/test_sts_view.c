/*
 * test_sts_view.c - the MTA-STS state of a domain as a sender sees it (lib/sts_view.c).
 *
 * sts_view_build() walks a sender's steps over a snapshot: discovery of the single _mta-sts
 * record (STS-TXT-04/05), the fetch (STS-FETCH-05/06/08/09/12), the policy grammar (STS-POL).
 * Each case builds a snapshot by hand (tests/unit/snapfix.h) and checks the state it ends in,
 * where the path broke, and one diagnostic of the stage that decided. Then the body digest
 * (STS-TXT-09) against the FIPS 180-2 test vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/sts_view.h"
#include "tests/unit/snapfix.h"

#define DOMAIN "example.test"

/* The diagnostic list a case looks into. */
enum stage {
	STAGE_NONE,
	STAGE_TXT,
	STAGE_FETCH,
	STAGE_POLICY,
};

#define NO_POLICY (-1)

struct view_case {
	const char *name;                /* test name, citing the spec ID */
	struct snapshot *(*build)(void); /* the snapshot of the case */
	enum sts_state state;
	size_t n_records;
	bool txt_valid;
	bool fetch_failed;
	bool policy_invalid;
	int mode;              /* enum sts_mode of the parsed policy, or NO_POLICY */
	enum stage stage;      /* where the diagnostic below must be, or STAGE_NONE */
	const char *diag_req;  /* a diagnostic with this requirement ID ... */
	enum diag_level level; /* ... at this level */
};

/* --- snapshots ------------------------------------------------------------------------------ */

static struct snapshot *txt(enum dns_status status, const char *a, const char *b)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 1);
	const char *const rec[] = { a, b, NULL };

	snapfix_sts_txt(s, status, rec);
	return s;
}

static struct snapshot *with_mode(const char *mode)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 1);

	(void)snapfix_sts_active(s, mode);
	return s;
}

/* A working deployment whose fetch got a 200 with this Content-Type and body. */
static struct snapshot *served(const char *content_type, const char *body)
{
	struct snapshot *s = with_mode("enforce");

	(void)snapfix_policy(s, FETCH_RESPONSE, 200, content_type, NULL, body, NULL);
	return s;
}

static struct snapshot *not_looked_up(void)
{
	return snapfix_new(DOMAIN);
}

/* A fetch without the record it hangs on still tells nothing. */
static struct snapshot *policy_without_lookup(void)
{
	struct snapshot *s = with_mode("enforce");

	txt_lookup_clear(&s->sts_txt);
	return s;
}

static struct snapshot *servfail(void)
{
	return txt(DNS_SERVFAIL, NULL, NULL);
}

static struct snapshot *timeout(void)
{
	return txt(DNS_TIMEOUT, NULL, NULL);
}

static struct snapshot *dns_error(void)
{
	return txt(DNS_ERROR, NULL, NULL);
}

static struct snapshot *nxdomain(void)
{
	return txt(DNS_NXDOMAIN, NULL, NULL);
}

static struct snapshot *nodata(void)
{
	return txt(DNS_NODATA, NULL, NULL);
}

static struct snapshot *other_txt(void)
{
	return txt(DNS_OK, "v=spf1 -all", NULL);
}

static struct snapshot *multiple(void)
{
	return txt(DNS_OK, "v=STSv1; id=one", "v=STSv1; id=two");
}

static struct snapshot *bad_id(void)
{
	return txt(DNS_OK, "v=STSv1; id=a_b", NULL);
}

/* An invalid record with a policy served anyway: senders never get to the policy. */
static struct snapshot *bad_id_with_policy(void)
{
	struct snapshot *s = with_mode("enforce");
	const char *const rec[] = { "v=STSv1; id=a_b", NULL };

	snapfix_sts_txt(s, DNS_OK, rec);
	return s;
}

static struct snapshot *not_fetched(void)
{
	return txt(DNS_OK, "v=STSv1; id=" SNAPFIX_STS_ID, NULL);
}

static struct snapshot *fetch_timeout(void)
{
	struct snapshot *s = not_fetched();

	(void)snapfix_policy(s, FETCH_TIMEOUT, 0, NULL, NULL, NULL, "no response within 60 s");
	return s;
}

static struct snapshot *status_404(void)
{
	struct snapshot *s = with_mode("enforce");

	s->policy.status = 404;
	return s;
}

static struct snapshot *redirect(void)
{
	struct snapshot *s = not_fetched();

	(void)snapfix_policy(s, FETCH_RESPONSE, 302, "text/html", "https://www." DOMAIN "/", "",
			     NULL);
	return s;
}

static struct snapshot *html(void)
{
	struct snapshot *s = with_mode("enforce");

	free(s->policy.content_type);
	s->policy.content_type = strdup("text/html");
	return s;
}

static struct snapshot *bad_mode(void)
{
	return served("text/plain",
		      "version: STSv1\nmode: Enforce\nmx: *." DOMAIN "\nmax_age: 604800\n");
}

static struct snapshot *enforce(void)
{
	return with_mode("enforce");
}

static struct snapshot *testing(void)
{
	return with_mode("testing");
}

static struct snapshot *mode_none(void)
{
	return with_mode("none");
}

static struct snapshot *charset(void)
{
	struct snapshot *s = with_mode("testing");

	free(s->policy.content_type);
	s->policy.content_type = strdup("text/plain; charset=windows-1252");
	return s;
}

static struct snapshot *short_max_age(void)
{
	return served("text/plain",
		      "version: STSv1\nmode: enforce\nmx: *." DOMAIN "\nmax_age: 3600\n");
}

static struct snapshot *dup_id(void)
{
	struct snapshot *s = with_mode("enforce");
	const char *const rec[] = { "v=STSv1; id=" SNAPFIX_STS_ID "; id=other", NULL };

	snapfix_sts_txt(s, DNS_OK, rec);
	return s;
}

/* --- the table ------------------------------------------------------------------------------ */

static const struct view_case cases[] = {
	{ "no _mta-sts lookup: STS_NOT_GATHERED", not_looked_up, STS_NOT_GATHERED, 0, false, false,
	  false, NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "a fetch but no _mta-sts lookup: STS_NOT_GATHERED", policy_without_lookup,
	  STS_NOT_GATHERED, 0, false, false, false, NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "STS-TXT-01 SERVFAIL: STS_UNKNOWN", servfail, STS_UNKNOWN, 0, false, false, false,
	  NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "STS-TXT-01 timeout: STS_UNKNOWN", timeout, STS_UNKNOWN, 0, false, false, false,
	  NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "STS-TXT-01 resolver error: STS_UNKNOWN", dns_error, STS_UNKNOWN, 0, false, false, false,
	  NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "STS-TXT-04 NXDOMAIN: STS_ABSENT", nxdomain, STS_ABSENT, 0, false, false, false,
	  NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "STS-TXT-04 NODATA: STS_ABSENT", nodata, STS_ABSENT, 0, false, false, false, NO_POLICY,
	  STAGE_NONE, NULL, 0 },
	{ "STS-TXT-04 only non-STSv1 records: STS_ABSENT", other_txt, STS_ABSENT, 0, false, false,
	  false, NO_POLICY, STAGE_TXT, "STS-TXT-04", DIAG_INFO },
	{ "STS-TXT-04 two STSv1 records: STS_BROKEN", multiple, STS_BROKEN, 2, false, true, false,
	  NO_POLICY, STAGE_TXT, "STS-TXT-04", DIAG_ERROR },
	{ "STS-TXT-05 STS-TXT-08 invalid id: STS_BROKEN", bad_id, STS_BROKEN, 1, false, true, false,
	  NO_POLICY, STAGE_TXT, "STS-TXT-08", DIAG_ERROR },
	{ "STS-TXT-05 invalid record, valid policy served: STS_BROKEN", bad_id_with_policy,
	  STS_BROKEN, 1, false, false, false, STS_MODE_ENFORCE, STAGE_TXT, "STS-TXT-08",
	  DIAG_ERROR },
	{ "STS-FETCH-12 valid record, no fetch: STS_BROKEN fetch_failed", not_fetched, STS_BROKEN,
	  1, true, true, false, NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "STS-FETCH-09 fetch timed out: STS_BROKEN fetch_failed", fetch_timeout, STS_BROKEN, 1,
	  true, true, false, NO_POLICY, STAGE_NONE, NULL, 0 },
	{ "STS-FETCH-05 HTTP 404: STS_BROKEN fetch_failed", status_404, STS_BROKEN, 1, true, true,
	  false, NO_POLICY, STAGE_FETCH, "STS-FETCH-05", DIAG_ERROR },
	{ "STS-FETCH-06 HTTP 302: STS_BROKEN fetch_failed", redirect, STS_BROKEN, 1, true, true,
	  false, NO_POLICY, STAGE_FETCH, "STS-FETCH-06", DIAG_ERROR },
	{ "STS-FETCH-08 text/html: STS_BROKEN fetch_failed", html, STS_BROKEN, 1, true, true, false,
	  NO_POLICY, STAGE_FETCH, "STS-FETCH-08", DIAG_ERROR },
	{ "STS-POL-04 mode: Enforce: STS_BROKEN policy_invalid", bad_mode, STS_BROKEN, 1, true,
	  false, true, NO_POLICY, STAGE_POLICY, "STS-POL-04", DIAG_ERROR },
	{ "STS-MODE-01 enforce: STS_ACTIVE", enforce, STS_ACTIVE, 1, true, false, false,
	  STS_MODE_ENFORCE, STAGE_NONE, NULL, 0 },
	{ "STS-MODE-02 testing: STS_ACTIVE", testing, STS_ACTIVE, 1, true, false, false,
	  STS_MODE_TESTING, STAGE_NONE, NULL, 0 },
	{ "STS-MODE-03 none: STS_ACTIVE with mode none", mode_none, STS_ACTIVE, 1, true, false,
	  false, STS_MODE_NONE, STAGE_NONE, NULL, 0 },
	{ "STS-FETCH-08 D5 odd charset: STS_ACTIVE with a warning", charset, STS_ACTIVE, 1, true,
	  false, false, STS_MODE_TESTING, STAGE_FETCH, "STS-FETCH-08", DIAG_WARN },
	{ "STS-POL-06 max_age of an hour: STS_ACTIVE with a warning", short_max_age, STS_ACTIVE, 1,
	  true, false, false, STS_MODE_ENFORCE, STAGE_POLICY, "STS-POL-06", DIAG_WARN },
	{ "STS-TXT-11 duplicate id: STS_ACTIVE with a warning", dup_id, STS_ACTIVE, 1, true, false,
	  false, STS_MODE_ENFORCE, STAGE_TXT, "STS-TXT-11", DIAG_WARN },
};

/* Whether list holds a diagnostic for req at level. */
static bool has_diag(const struct diag_list *list, const char *req, enum diag_level level)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->v[i].req, req) == 0 && list->v[i].level == level)
			return true;
	return false;
}

static void run_case(void **state)
{
	const struct view_case *c = *state;
	struct snapshot *s = c->build();
	struct sts_view v;
	const struct diag_list *list = NULL;

	memset(&v, 0xa5, sizeof(v)); /* sts_view_build() fills every member */
	assert_int_equal(sts_view_build(s, &v), 0);
	assert_int_equal(v.state, c->state);
	assert_int_equal(v.n_records, c->n_records);
	assert_int_equal(v.txt_valid, c->txt_valid);
	assert_int_equal(v.fetch_failed, c->fetch_failed);
	assert_int_equal(v.policy_invalid, c->policy_invalid);
	if (c->txt_valid)
		assert_string_equal(v.txt.id, SNAPFIX_STS_ID);
	if (c->mode == NO_POLICY) {
		assert_null(v.policy);
	} else {
		assert_non_null(v.policy);
		assert_int_equal(v.policy->mode, c->mode);
	}
	switch (c->stage) {
	case STAGE_TXT:
		list = &v.txt_diags;
		break;
	case STAGE_FETCH:
		list = &v.fetch_diags;
		break;
	case STAGE_POLICY:
		list = &v.policy_diags;
		break;
	case STAGE_NONE:
		break;
	}
	if (list != NULL && !has_diag(list, c->diag_req, c->level))
		fail_msg("no %s diagnostic for %s", diag_level_name(c->level), c->diag_req);
	sts_view_clear(&v);
	assert_int_equal(v.state, STS_NOT_GATHERED);
	assert_null(v.policy);
	assert_int_equal(v.txt_diags.n + v.fetch_diags.n + v.policy_diags.n, 0);
	(void)snapshot_free(s);
}

/* STS-TXT-09: bodies are recognised by their SHA-256 (FIPS 180-2 vectors), lower-case hex. */
static void test_body_digest(void **state)
{
	char out[65];

	(void)state;
	assert_int_equal(sts_view_body_digest((const unsigned char *)"abc", 3, out), 0);
	assert_string_equal(out,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(sts_view_body_digest((const unsigned char *)"", 0, out), 0);
	assert_string_equal(out,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* the length decides, not a NUL: "abc" followed by a NUL byte is another body */
	assert_int_equal(sts_view_body_digest((const unsigned char *)"abc", 4, out), 0);
	assert_string_not_equal(out,
				"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/*
 * STS-FETCH-02: a policy served behind a certificate senders reject is no policy for them, so
 * the domain's state is BROKEN (and mx_starttls grades TLS faults as without a policy).
 */
static void test_STS_FETCH_02_webpki_breaks_the_policy(void **state)
{
	struct snapshot *s = snapfix_healthy(DOMAIN, 1);
	struct policy_fetch *pf = snapfix_sts_active(s, "enforce");
	char *host = mxs_strdupf("mta-sts.%s", DOMAIN);
	const char *const san[] = { host, NULL };
	const char *const other[] = { "www." DOMAIN, NULL };
	struct sts_view v;

	(void)state;
	assert_non_null(host);
	snapfix_policy_chain(pf, san, 18, "self-signed certificate");
	assert_int_equal(sts_view_build(s, &v), 0);
	assert_int_equal(v.state, STS_BROKEN);
	assert_true(v.fetch_failed);
	assert_true(v.webpki_failed);
	assert_null(v.policy);
	sts_view_clear(&v);

	snapfix_policy_chain(pf, other, 0, "ok");
	assert_int_equal(sts_view_build(s, &v), 0);
	assert_int_equal(v.state, STS_BROKEN);
	assert_true(v.webpki_failed);
	sts_view_clear(&v);

	snapfix_policy_chain(pf, san, 0, "ok");
	assert_int_equal(sts_view_build(s, &v), 0);
	assert_int_equal(v.state, STS_ACTIVE);
	assert_false(v.webpki_failed);
	sts_view_clear(&v);
	free(host);
	(void)snapshot_free(s);
}

static void test_clear_null(void **state)
{
	(void)state;
	sts_view_clear(NULL);
}

int main(void)
{
	static const struct CMUnitTest extra[] = {
		{ .name = "STS-TXT-09 sts_view_body_digest: SHA-256 of \"abc\" and \"\"",
		  .test_func = test_body_digest },
		{ .name = "sts_view_clear(NULL) is a no-op", .test_func = test_clear_null },
		{ .name = "STS-FETCH-02 a rejected policy host certificate leaves no policy",
		  .test_func = test_STS_FETCH_02_webpki_breaks_the_policy },
	};

	return snapfix_run_table("sts_view", cases, sizeof(cases) / sizeof(cases[0]),
				 sizeof(cases[0]), run_case, extra,
				 sizeof(extra) / sizeof(extra[0]));
}

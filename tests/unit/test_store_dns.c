/*
 * test_store_dns.c - the store's record of what each authoritative server serves
 * (agent/store_dns.c): first_seen per (MX host, server, record), kept while the record stays,
 * forgotten when it goes (DANE-ROT-01/03: "visible on every server for twice its TTL").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "agent/store.h"
#include "lib/error.h"
#include "tests/unit/storefix.h"

#define MX  "mx1.example.com"
#define NS1 "192.0.2.53"
#define NS2 "2001:db8::53"

static const char *const cur[] = { "3 1 1 aa" };
static const char *const both[] = { "3 1 1 aa", "3 1 1 bb" };
static const char *const next[] = { "3 1 1 bb" };

static void view(struct store *s, const char *server, const char *const *recs, size_t n,
		 unsigned ttl, time_t at)
{
	struct mxs_error err = { 0 };
	int r = store_tlsa_view(s, "example.com", MX, server, recs, n, ttl, at, &err);

	if (r != 0)
		fail_msg("store_tlsa_view: %d: %s", r, err.what);
}

/* Returns first_seen, or -1 when the server does not serve the record (-ENOENT). */
static long since(struct store *s, const char *server, const char *rec, unsigned *ttl)
{
	time_t first = 0;
	unsigned t = 0;
	int r = store_tlsa_since(s, "example.com", MX, server, rec, &first, &t, NULL);

	if (r == -ENOENT)
		return -1;
	assert_int_equal(r, 0);
	if (ttl != NULL)
		*ttl = t;
	return (long)first;
}

/* A record keeps its first sighting per server while it stays; the TTL follows the latest. */
static void test_first_seen_per_server(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	unsigned ttl = 0;

	view(s, NS1, cur, 1, 3600, 1000);
	view(s, NS2, cur, 1, 3600, 1100);
	view(s, NS1, both, 2, 300, 2000);
	assert_int_equal(since(s, NS1, "3 1 1 aa", &ttl), 1000);
	assert_int_equal(ttl, 300);
	assert_int_equal(since(s, NS1, "3 1 1 bb", NULL), 2000);
	assert_int_equal(since(s, NS2, "3 1 1 aa", NULL), 1100);
	/* NS2 has not served the next key yet: not visible there */
	assert_int_equal(since(s, NS2, "3 1 1 bb", NULL), -1);
	/* another domain with the same MX host is another history */
	assert_int_equal(
	    store_tlsa_since(s, "example.net", MX, NS1, "3 1 1 aa", &(time_t){ 0 }, &ttl, NULL),
	    -ENOENT);
	store_close(s);
}

/* A record removed and published again counts from its new publication only. */
static void test_removed_is_forgotten(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);

	view(s, NS1, both, 2, 300, 1000);
	view(s, NS1, next, 1, 300, 2000);
	assert_int_equal(since(s, NS1, "3 1 1 aa", NULL), -1);
	assert_int_equal(since(s, NS1, "3 1 1 bb", NULL), 1000);
	view(s, NS1, NULL, 0, 0, 3000); /* NODATA: nothing served */
	assert_int_equal(since(s, NS1, "3 1 1 bb", NULL), -1);
	view(s, NS1, both, 2, 300, 4000);
	assert_int_equal(since(s, NS1, "3 1 1 aa", NULL), 4000);
	assert_int_equal(store_integrity_check(s, NULL), 0);
	store_close(s);
}

/* A late observation (clock stepped back) never makes a record younger or drops a fresh one. */
static void test_late_observation(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);

	view(s, NS1, both, 2, 300, 2000);
	view(s, NS1, cur, 1, 300, 1500);
	assert_int_equal(since(s, NS1, "3 1 1 aa", NULL), 1500);
	assert_int_equal(since(s, NS1, "3 1 1 bb", NULL), 2000);
	store_close(s);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct store *s = open_ok(f);
	struct mxs_error err = { 0 };
	static const char *const empty[] = { "" };

	assert_int_equal(store_tlsa_view(s, "example.com", "", NS1, cur, 1, 0, 1, &err), -EINVAL);
	assert_non_null(err.what);
	mxs_error_clear(&err);
	assert_int_equal(store_tlsa_view(s, "example.com", MX,
					 "not-an-address-but-far-too-long-to-be-one-of-them", cur,
					 1, 0, 1, NULL),
			 -EINVAL);
	/* an empty record rolls the whole answer back */
	view(s, NS1, cur, 1, 300, 1000);
	assert_int_equal(store_tlsa_view(s, "example.com", MX, NS1, empty, 1, 0, 2000, &err),
			 -EINVAL);
	mxs_error_clear(&err);
	assert_int_equal(since(s, NS1, "3 1 1 aa", NULL), 1000);
	assert_int_equal(
	    store_tlsa_since(s, NULL, MX, NS1, "x", &(time_t){ 0 }, &(unsigned){ 0 }, NULL),
	    -EINVAL);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_seen_per_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_is_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_observation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

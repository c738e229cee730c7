/*
 * test_cmd_status.c - "mxsentry status" (agent/cmd_status.c, agent/status_render.c) on a store
 * filled through store_state_apply(): the text and JSON renderings with a fixed clock, then the
 * command itself in this process with its standard output and error captured: the choice of
 * the store, the domains shown and the Nagios exit status.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "agent/cmd_status.h"
#include "agent/status_render.h"
#include "agent/store.h"
#include "agent/store_state.h"
#include "lib/error.h"
#include "lib/finding.h"
#include "tests/unit/storefix.h"

#define NOW  ((time_t)1795921200) /* 2026-11-29 03:00:00 UTC */
#define HOUR 3600
#define DAY  86400

static const struct finding_subject ecdsa = { .mx = "mx1.example.com",
					      .address = "192.0.2.1",
					      .alg = "ECDSA" };

static void apply(struct store *s, const char *domain, const struct findings *f, time_t at)
{
	struct mxs_error err = { 0 };
	int r = store_state_apply(s, domain, f, at, 900, "1 MX", NULL, &err);

	if (r != 0)
		fail_msg("store_state_apply: %d: %s", r, err.what);
}

/*
 * example.com: a certificate problem opened as WARNING two days before base and CRITICAL for
 * one, an MTA-STS warning for three hours; last cycle 5 minutes before base. example.net: OK,
 * checked 10 minutes before base.
 */
static void fill(const struct fixture *fx, time_t base)
{
	struct store *s = open_ok(fx);
	struct findings f = { 0 };

	assert_non_null(findings_add(&f, "cert_expiry", "cert.expiring", SEVERITY_WARNING,
				     "COMMON-EXP-04", NULL, "example.com", &ecdsa,
				     "expires in 20 days"));
	apply(s, "example.com", &f, base - 2 * DAY);
	findings_clear(&f);
	assert_non_null(findings_add(&f, "cert_expiry", "cert.expiring", SEVERITY_CRITICAL,
				     "COMMON-EXP-04", NULL, "example.com", &ecdsa,
				     "expires in 3 days"));
	apply(s, "example.com", &f, base - DAY);
	assert_non_null(findings_add(&f, "mta_sts", "sts.txt.missing", SEVERITY_WARNING,
				     "STS-TXT-01", NULL, "example.com", NULL,
				     "no _mta-sts record"));
	apply(s, "example.com", &f, base - 3 * HOUR);
	apply(s, "example.com", &f, base - 300);
	findings_clear(&f);
	apply(s, "example.net", NULL, base - 600);
	store_close(s);
}

static void load(const struct fixture *fx, struct status_data *d)
{
	struct store *s = open_ok(fx);

	assert_int_equal(store_state_load(s, NULL, &d->rows, &d->n_rows, NULL), 0);
	assert_int_equal(store_cycles_load(s, NULL, &d->cycles, &d->n_cycles, NULL), 0);
	store_close(s);
}

static void unload(struct status_data *d)
{
	d->rows = store_state_free(d->rows, d->n_rows);
	d->cycles = store_cycles_free(d->cycles, d->n_cycles);
}

static const char expected_text[] =
    "example.com: CRITICAL (2 problems)\n"
    "  last cycle 2026-11-29 02:55 UTC (5m ago): 1 MX\n"
    "  CRITICAL cert.expiring mx1.example.com 192.0.2.1 ECDSA: expires in 3 days "
    "(COMMON-EXP-04)\n"
    "    since 2026-11-27 03:00 UTC (2d 0h), CRITICAL since 2026-11-28 03:00 UTC (1d 0h)\n"
    "  WARNING sts.txt.missing: no _mta-sts record (STS-TXT-01)\n"
    "    since 2026-11-29 00:00 UTC (3h 00m)\n"
    "\n"
    "unknown.example: UNKNOWN (no cycle recorded)\n"
    "\n"
    "example.net: OK (0 problems)\n"
    "  last cycle 2026-11-29 02:50 UTC (10m ago): 1 MX\n";

/* Worst domain first, each problem with since when; an unknown domain is UNKNOWN. */
static void test_render_text(void **state)
{
	const char *const names[] = { "example.net", "unknown.example", "example.com" };
	struct fixture *fx = *state;
	struct status_data d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	fill(fx, NOW);
	load(fx, &d);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(status_render_text(out, &d, names, 3, NOW), SEVERITY_CRITICAL);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(buf, expected_text);
	free(buf);
	/* without the critical domain the exit status follows the worst left: UNKNOWN */
	out = open_memstream(&buf, &len);
	assert_int_equal(status_render_text(out, &d, names, 2, NOW), SEVERITY_UNKNOWN);
	assert_int_equal(fclose(out), 0);
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(status_render_text(out, &d, names, 1, NOW), SEVERITY_OK);
	assert_int_equal(fclose(out), 0);
	free(buf);
	/* nothing to show: nothing is known */
	out = open_memstream(&buf, &len);
	assert_int_equal(status_render_text(out, &d, names, 0, NOW), SEVERITY_UNKNOWN);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(buf, "no domain recorded in the store yet\n");
	free(buf);
	unload(&d);
}

static const char *jget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	return json_is_null(v) ? NULL : json_string_value(v);
}

/* docs/json-output.md, "Status". */
static void test_render_json(void **state)
{
	const char *const names[] = { "unknown.example", "example.com" };
	struct fixture *fx = *state;
	struct status_data d = { 0 };
	json_t *root, *doms, *com, *p;
	json_error_t jerr;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	fill(fx, NOW);
	load(fx, &d);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(status_render_json(out, &d, names, 2, NOW), SEVERITY_CRITICAL);
	assert_int_equal(fclose(out), 0);
	root = json_loads(buf, 0, &jerr);
	if (root == NULL)
		fail_msg("not JSON: %s", jerr.text);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
	assert_string_equal(jget(root, "generated"), "2026-11-29T03:00:00Z");
	doms = json_object_get(root, "domains");
	assert_int_equal(json_array_size(doms), 2);
	com = json_array_get(doms, 0);
	assert_string_equal(jget(com, "name"), "example.com");
	assert_string_equal(jget(com, "worst"), "CRITICAL");
	assert_string_equal(jget(com, "cycle_at"), "2026-11-29T02:55:00Z");
	assert_int_equal(json_integer_value(json_object_get(com, "duration_ms")), 900);
	assert_string_equal(jget(com, "summary"), "1 MX");
	assert_int_equal(json_array_size(json_object_get(com, "problems")), 2);
	p = json_array_get(json_object_get(com, "problems"), 0);
	assert_string_equal(jget(p, "check"), "cert_expiry");
	assert_string_equal(jget(p, "code"), "cert.expiring");
	assert_string_equal(jget(p, "severity"), "CRITICAL");
	assert_string_equal(jget(p, "mx"), "mx1.example.com");
	assert_string_equal(jget(p, "address"), "192.0.2.1");
	assert_string_equal(jget(p, "alg"), "ECDSA");
	assert_string_equal(jget(p, "message"), "expires in 3 days");
	assert_string_equal(jget(p, "req"), "COMMON-EXP-04");
	assert_string_equal(jget(p, "since"), "2026-11-27T03:00:00Z");
	assert_string_equal(jget(p, "severity_since"), "2026-11-28T03:00:00Z");
	assert_string_equal(jget(p, "last_seen"), "2026-11-29T02:55:00Z");
	p = json_array_get(json_object_get(com, "problems"), 1);
	assert_null(jget(p, "mx"));
	assert_null(jget(p, "alg"));
	com = json_array_get(doms, 1);
	assert_string_equal(jget(com, "name"), "unknown.example");
	assert_string_equal(jget(com, "worst"), "UNKNOWN");
	assert_null(jget(com, "cycle_at"));
	assert_true(json_is_null(json_object_get(com, "duration_ms")));
	assert_int_equal(json_array_size(json_object_get(com, "problems")), 0);
	json_decref(root);
	free(buf);
	unload(&d);
}

/* Run the command with argv (NULL-terminated), its stdout and stderr into *out and *err. */
static int run(char **out, char **err, const char *const *argv)
{
	return storefix_run(cmd_status, out, err, argv);
}

/* The command: the store named, the domains chosen, the exit status of the worst. */
static void test_command(void **state)
{
	struct fixture *fx = *state;
	char *out, *err, *missing, *conf;
	json_t *root;
	FILE *f;

	fill(fx, time(NULL));
	/* no DOMAIN: every domain of the store */
	assert_int_equal(
	    run(&out, &err, (const char *[]){ "status", "--state-dir", fx->state, NULL }), 2);
	assert_non_null(strstr(out, "example.com: CRITICAL (2 problems)\n  last cycle "));
	assert_non_null(strstr(out, "\n\nexample.net: OK (0 problems)\n"));
	assert_null(strstr(out, "no cycle recorded"));
	assert_string_equal(err, "");
	free(out);
	free(err);
	/* named, normalised */
	assert_int_equal(
	    run(&out, &err,
		(const char *[]){ "status", "--state-dir", fx->state, "Example.NET.", NULL }),
	    0);
	assert_non_null(strstr(out, "example.net: OK"));
	assert_null(strstr(out, "example.com"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "status", "--state-dir", fx->state, "example.net",
					       "new.example", NULL }),
			 3);
	assert_non_null(strstr(out, "new.example: UNKNOWN (no cycle recorded)"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "status", "--json", "--state-dir", fx->state,
					       "example.com", NULL }),
			 2);
	root = json_loads(out, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(root, "domains")), 1);
	json_decref(root);
	free(out);
	free(err);
	/* the configuration's state_dir, and its domains beside the store's */
	conf = mxs_strdupf("%s/mxsentry.conf", fx->tmp);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "state_dir = \"%s\";\ndomains = ( { name = \"new.example\"; } );\n", fx->state);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(run(&out, &err, (const char *[]){ "status", "-f", conf, NULL }), 2);
	assert_non_null(strstr(out, "new.example: UNKNOWN (no cycle recorded)"));
	assert_non_null(strstr(out, "example.net: OK"));
	free(out);
	free(err);
	assert_int_equal(unlink(conf), 0);
	free(conf);
	/* a store that is not there: UNKNOWN, the path named, nothing created */
	missing = mxs_strdupf("%s/none", fx->tmp);
	assert_int_equal(
	    run(&out, &err, (const char *[]){ "status", "--state-dir", missing, NULL }), 3);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "/none/mxsentry.db: cannot open the store"));
	assert_int_equal(access(missing, F_OK), -1);
	free(out);
	free(err);
	free(missing);
	/* bad arguments: UNKNOWN; --help: 0 */
	assert_int_equal(
	    run(&out, &err,
		(const char *[]){ "status", "--state-dir", fx->state, "bad_name!", NULL }),
	    3);
	assert_non_null(strstr(err, "\"bad_name!\" is not a domain name"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, (const char *[]){ "status", "--frobnicate", NULL }), 3);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, (const char *[]){ "status", "--help", NULL }), 0);
	assert_non_null(strstr(out, "Usage: mxsentry status"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_render_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_config.c - loading and validating mxsentry.conf (agent/config.c, agent/cfgval.c,
 * agent/config_sinks.c).
 *
 * The files under tests/unit/config/ mark each faulty line; the test asserts that every one of
 * them is reported with its file and line, which is the promise of "mxsentry config check".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/config.h"
#include "checks/registry.h"

static char *src_path(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char *p;

	p = mxs_strdupf("%s/%s", top != NULL ? top : ".", rel);
	assert_non_null(p);
	return p;
}

/* Count the errors whose place ends in ":line" of file and whose message holds text. */
static int count_errors(const struct mxs_errors *errs, const char *file, int line, const char *text)
{
	char suffix[64];
	size_t i, sl;
	int n = 0;

	(void)snprintf(suffix, sizeof(suffix), "%s:%d", file, line);
	sl = strlen(suffix);
	for (i = 0; i < errs->n; i++) {
		const char *w = errs->v[i].where;
		size_t wl = w != NULL ? strlen(w) : 0;

		if (wl >= sl && strcmp(w + wl - sl, suffix) == 0 && strstr(errs->v[i].what, text))
			n++;
	}
	return n;
}

static long line_of(const char *where)
{
	const char *colon = strrchr(where, ':');

	return colon != NULL ? strtol(colon + 1, NULL, 10) : 0;
}

static void dump(const struct mxs_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		print_message("#   %s: %s\n", errs->v[i].where, errs->v[i].what);
}

/* The shipped example is the documentation of the format: it must load as it is. */
static void test_config_example_loads(void **state)
{
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;
	char *path = src_path("etc/mxsentry.conf.example");

	(void)state;
	if (config_load(path, &cfg, &errs) != 0) {
		dump(&errs);
		fail_msg("the example configuration does not load");
	}
	assert_int_equal(cfg->n_domains, 2);
	assert_string_equal(cfg->domains[1].name, "example.net");
	assert_int_equal(cfg->domains[1].cert.warning, 21 * 86400);
	assert_int_equal(cfg->domains[1].cert.critical, 72 * 3600);
	assert_int_equal(cfg->domains[1].interval, 900);
	assert_int_equal(cfg->domains[1].rollout.min_days, 7);
	assert_int_equal(cfg->domains[1].rollout.min_orgs, 2);
	assert_int_equal(cfg->domains[0].rollout.min_days, 14);
	assert_int_equal(cfg->domains[1].checks, 0x7);
	assert_int_equal(cfg->domains[0].checks, CHECK_ALL);
	assert_int_equal(cfg->domains[0].dane.single_record, SEVERITY_OK);
	assert_int_equal(cfg->domains[1].dane.full_certificate, SEVERITY_WARNING);
	assert_string_equal(cfg->domains[0].tags[1], "eu");
	assert_int_equal(cfg->n_sinks, 3);
	assert_int_equal(cfg->sinks[0].kind, SINK_EMAIL);
	assert_true(cfg->sinks[0].starttls_required);
	assert_int_equal(cfg->sinks[1].kind, SINK_WEBHOOK);
	assert_true(cfg->sinks[1].alertmanager);
	assert_int_equal(cfg->sinks[2].kind, SINK_SYSLOG);
	assert_int_equal(cfg->sinks[2].min_severity, SEVERITY_CRITICAL);
	assert_string_equal(cfg->sinks[2].name, "syslog1");
	assert_int_equal(cfg->timeouts.session, 180000);
	assert_int_equal(cfg->alerting.damping, 2);
	assert_int_equal(cfg->alerting.reminder, 24 * 3600);
	assert_int_equal(cfg->alerting.n_silences, 1);
	assert_string_equal(cfg->alerting.silences[0].code, "cert.*");
	assert_int_equal(cfg->alerting.silences[0].until, 1798675200); /* 2026-12-31 */
	config_free(cfg);
	mxs_errors_free(&errs);
	free(path);
}

/* Defaults as documented in mxsentry.conf(5): 30/14 days (COMMON-EXP-04), every check, 1 h. */
static void test_config_minimal_defaults(void **state)
{
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;
	char *path = src_path("tests/unit/config/minimal.conf");

	(void)state;
	assert_int_equal(config_load(path, &cfg, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg->n_domains, 1);
	assert_string_equal(cfg->domains[0].name, "example.com"); /* COMMON-NAME-01 normalised */
	assert_int_equal(cfg->cert.warning, 30 * 86400);
	assert_int_equal(cfg->cert.critical, 14 * 86400);
	assert_int_equal(cfg->domains[0].cert.critical, 14 * 86400);
	assert_int_equal(cfg->domains[0].checks, CHECK_ALL);
	assert_int_equal(cfg->domains[0].dane.single_record, SEVERITY_OK);
	assert_int_equal(cfg->domains[0].dane.full_certificate, SEVERITY_OK);
	assert_int_equal(cfg->domains[0].interval, 3600);
	assert_null(cfg->resolver);
	assert_null(cfg->http_listen);
	assert_string_equal(cfg->ca_bundle, "/etc/ssl/certs/ca-certificates.crt");
	assert_int_equal(cfg->domains[0].tags[0] == NULL, 1);
	config_free(cfg);
	free(path);
}

/* Every faulty line of errors.conf is reported, each with file and line; nothing else is. */
static void test_config_reports_every_error_with_line(void **state)
{
	static const struct {
		int line;
		const char *text;
	} want[] = {
		{ 2, "not an IP address" },
		{ 3, "not a host name" },
		{ 4, "unknown setting" },
		{ 5, "out of range" },
		{ 6, "unknown check \"bogus_check\"" },
		{ 8, "unknown unit" },
		{ 9, "must be a duration" },
		{ 11, "out of range (1 to 4096)" },
		{ 12, "critical (480 h) must be less than warning (240 h)" },
		{ 13, "with a port" },
		{ 16, "listed twice (first at line 15)" },
		{ 17, "not a valid internationalised name" },
		{ 18, "needs a name" },
		{ 19, "domains[4].colour: unknown setting" },
		{ 22, "smtp:// or smtps://" },
		{ 22, "not a mail address" },
		{ 22, "must not be empty" },
		{ 23, "\"slack\" is not one of: json, alertmanager" },
		{ 24, "\"kern\" is not one of" },
		{ 25, "unknown setting (known here: email, webhook, syslog, damping" },
		{ 26, "\"next week\" is not a date" },
		{ 28, "dnssec_probe: \"bad_name.test\" is not a domain name" },
		{ 29, "\"critical\" is not one of: ok, warning" },
	};
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;
	char *path = src_path("tests/unit/config/errors.conf");
	size_t i;

	(void)state;
	assert_int_equal(config_load(path, &cfg, &errs), -EINVAL);
	assert_null(cfg);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (count_errors(&errs, "errors.conf", want[i].line, want[i].text) != 1) {
			dump(&errs);
			fail_msg("line %d: expected one error containing \"%s\"", want[i].line,
				 want[i].text);
		}
	}
	if (errs.n != sizeof(want) / sizeof(want[0])) {
		dump(&errs);
		fail_msg("%zu errors reported, %zu expected", errs.n,
			 sizeof(want) / sizeof(want[0]));
	}
	/* reported in file order, as a person reads the file */
	for (i = 1; i < errs.n; i++)
		assert_true(line_of(errs.v[i - 1].where) <= line_of(errs.v[i].where));
	mxs_errors_free(&errs);
	free(path);
}

static void test_config_syntax_error_has_line(void **state)
{
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;
	char *path = src_path("tests/unit/config/syntax.conf");

	(void)state;
	assert_int_equal(config_load(path, &cfg, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_int_equal(count_errors(&errs, "syntax.conf", 4, "syntax error"), 1);
	mxs_errors_free(&errs);
	free(path);
}

/* An error inside an @include'd file names that file, not the including one. */
static void test_config_include_names_the_included_file(void **state)
{
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;
	char *path = src_path("tests/unit/config/include-main.conf");

	(void)state;
	assert_int_equal(config_load(path, &cfg, &errs), -EINVAL);
	if (count_errors(&errs, "include-part.conf", 2, "out of range") != 1) {
		dump(&errs);
		fail_msg("error in the included file not reported at include-part.conf:2");
	}
	mxs_errors_free(&errs);
	free(path);
}

/* "rollout": defaults (lib/rollout.h), the global group, and a domain's own over it. */
static void test_config_rollout(void **state)
{
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;
	char *path = src_path("tests/unit/config/rollout.conf");

	(void)state;
	if (config_load(path, &cfg, &errs) != 0) {
		dump(&errs);
		fail_msg("rollout.conf does not load");
	}
	assert_int_equal(cfg->rollout.min_days, 28);
	assert_int_equal(cfg->rollout.min_orgs, ROLLOUT_MIN_ORGS_DEFAULT);
	assert_true(cfg->rollout.max_failure_rate > 0.00049 &&
		    cfg->rollout.max_failure_rate < 0.00051);
	assert_int_equal(cfg->rollout.min_sessions, ROLLOUT_MIN_SESSIONS_DEFAULT);
	assert_int_equal(cfg->domains[0].rollout.min_days, 28);
	assert_int_equal(cfg->domains[0].rollout.min_orgs, 2);
	assert_int_equal(cfg->domains[1].rollout.min_days, 28);
	assert_int_equal(cfg->domains[1].rollout.min_orgs, 3);
	assert_int_equal(cfg->domains[1].rollout.min_sessions, 0);
	assert_true(cfg->domains[1].rollout.max_failure_rate == cfg->rollout.max_failure_rate);
	config_free(cfg);
	free(path);
	/* no group: the defaults */
	path = src_path("tests/unit/config/minimal.conf");
	assert_int_equal(config_load(path, &cfg, &errs), 0);
	assert_int_equal(cfg->domains[0].rollout.min_days, 14);
	assert_int_equal(cfg->domains[0].rollout.min_orgs, 2);
	assert_true(cfg->domains[0].rollout.max_failure_rate == 0.001);
	assert_int_equal(cfg->domains[0].rollout.min_sessions, 100);
	config_free(cfg);
	free(path);
}

static void test_config_rollout_errors(void **state)
{
	static const struct {
		int line;
		const char *text;
	} want[] = {
		{ 3, "0 is out of range (1 to 365)" },
		{ 4, "must be a string" },
		{ 5, "unknown setting" },
		{ 8, "\"0.1\" is not a percentage" },
		{ 9, "\"150%\" is more than 100%" },
		{ 10, "must be a group" },
	};
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;
	char *path = src_path("tests/unit/config/rollout-errors.conf");
	size_t i;

	(void)state;
	assert_int_equal(config_load(path, &cfg, &errs), -EINVAL);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (count_errors(&errs, "rollout-errors.conf", want[i].line, want[i].text) != 1) {
			dump(&errs);
			fail_msg("line %d: expected one error containing \"%s\"", want[i].line,
				 want[i].text);
		}
	}
	assert_int_equal(errs.n, sizeof(want) / sizeof(want[0]));
	mxs_errors_free(&errs);
	free(path);
}

static void test_config_missing_file(void **state)
{
	struct mxs_errors errs = { 0 };
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(config_load("/nonexistent/mxsentry.conf", &cfg, &errs), -ENOENT);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0].what, "cannot read"));
	mxs_errors_free(&errs);
	assert_null(config_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_example_loads),
		cmocka_unit_test(test_config_minimal_defaults),
		cmocka_unit_test(test_config_reports_every_error_with_line),
		cmocka_unit_test(test_config_syntax_error_has_line),
		cmocka_unit_test(test_config_include_names_the_included_file),
		cmocka_unit_test(test_config_missing_file),
		cmocka_unit_test(test_config_rollout),
		cmocka_unit_test(test_config_rollout_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

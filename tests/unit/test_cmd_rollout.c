/*
 * test_cmd_rollout.c - "mxsentry rollout" (agent/cmd_rollout.c, agent/rollout_render.c) on a
 * store filled the way the agent fills it: the policy history through store_policy_seen(), the
 * reports through tlsrpt_parse() and store_report_add(), the problems through
 * store_state_apply(). The verdict follows the data as it is added (NOT ENOUGH DATA, NOT READY,
 * READY), with the enforce policy and TXT record printed; an enforce policy with failures gives
 * the rollback. Then the command itself in this process: the store, the configuration's
 * thresholds, the exit statuses.
 *
 * covers: STS-MODE-01/02, STS-CACHE-01/03, STS-TXT-08, STS-POL-06, RPT-CHK-01
 */
#define _GNU_SOURCE
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "agent/cmd_rollout.h"
#include "agent/store.h"
#include "agent/store_report.h"
#include "agent/store_state.h"
#include "lib/error.h"
#include "lib/finding.h"
#include "lib/tlsrpt.h"
#include "tests/unit/storefix.h"

#define NOW  ((time_t)1795921200) /* 2026-11-29 03:00:00 UTC */
#define HOUR 3600
#define DAY  86400L

static const char *const mx[] = { "mx1.example.com", "mx2.example.com", NULL };

/* The domain served a policy in mode under id from first to last (two observations). */
static void policy(struct store *s, const char *id, const char *mode, long max_age, time_t first,
		   time_t last)
{
	struct mxs_error err = { 0 };
	char *body = mxs_strdupf("version: STSv1\nmode: %s\nmx: mx1.example.com\n"
				 "mx: mx2.example.com\nmax_age: %ld\n",
				 mode, max_age);
	time_t at[2] = { first, last };

	assert_non_null(body);
	for (int i = 0; i < 2; i++)
		if (store_policy_seen(s, "example.com", id, body, strlen(body), mode, max_age, mx,
				      at[i], &err) != 0)
			fail_msg("store_policy_seen: %s", err.what);
	free(body);
}

static void cycle(struct store *s, const struct findings *f, time_t at)
{
	struct mxs_error err = { 0 };

	if (store_state_apply(s, "example.com", f, at, 900, "2 MX", NULL, &err) != 0)
		fail_msg("store_state_apply: %s", err.what);
}

/*
 * One daily report of org about example.com for the UTC day that starts at day, under mode:
 * ok and failed sessions, the failures (when any) all of result type type.
 */
static void report(struct store *s, const char *org, time_t day, const char *mode,
		   unsigned long long ok, unsigned long long failed, const char *type)
{
	struct tlsrpt_report rep = { 0 };
	struct mxs_error err = { 0 };
	char start[32], end[32], *json, *details;
	time_t day_end = day + DAY - 1;
	struct tm tm;
	bool dup;

	assert_non_null(gmtime_r(&day, &tm));
	assert_int_equal(strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
	assert_non_null(gmtime_r(&day_end, &tm));
	assert_int_equal(strftime(end, sizeof(end), "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
	details = failed > 0 ? mxs_strdupf(",\"failure-details\":[{\"result-type\":\"%s\","
					   "\"sending-mta-ip\":\"192.0.2.1\",\"receiving-mx-"
					   "hostname\":\"mx1.example.com\",\"failed-session-"
					   "count\":%llu}]",
					   type, failed)
			     : strdup("");
	assert_non_null(details);
	json = mxs_strdupf(
	    "{\"organization-name\":\"%s\",\"date-range\":{\"start-datetime\":\"%s\","
	    "\"end-datetime\":\"%s\"},\"contact-info\":\"tlsrpt@%s.example\",\"report-id\":"
	    "\"%s-%s\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":["
	    "\"version: STSv1\",\"mode: %s\",\"mx: mx1.example.com\",\"mx: mx2.example.com\","
	    "\"max_age: 86400\"],\"policy-domain\":\"example.com\"},\"summary\":{"
	    "\"total-successful-session-count\":%llu,\"total-failure-session-count\":%llu}%s}]}",
	    org, start, end, org, org, start, mode, ok, failed, details);
	assert_non_null(json);
	assert_int_equal(tlsrpt_parse(json, strlen(json), &rep, NULL), 0);
	if (store_report_add(s, &rep, "file", "", day + DAY + HOUR, &dup, NULL, &err) != 0)
		fail_msg("store_report_add: %s", err.what);
	assert_false(dup);
	tlsrpt_report_clear(&rep);
	free(json);
	free(details);
}

/* Render the domain's judgement at now into a new string; the exit status in *ret_status. */
static char *render(struct store *s, enum rollout_format fmt, time_t now, int *ret_status)
{
	struct rollout_thresholds th;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	rollout_thresholds_default(&th);
	*ret_status = cmd_rollout_report(s, "example.com", &th, DAY, fmt, out, now, NULL);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void assert_has(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		fail_msg("\"%s\" not in:\n%s", part, text);
}

static const char ready_policy[] = "       version: STSv1\n"
				   "       mode: enforce\n"
				   "       mx: mx1.example.com\n"
				   "       mx: mx2.example.com\n"
				   "       max_age: 1209600\n";

/* NOT ENOUGH DATA -> NOT READY -> READY as reports come and a problem is fixed. */
static void test_testing_to_ready(void **state)
{
	const struct finding_subject mx1 = { .mx = "mx1.example.com" };
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	time_t today = NOW - 3 * HOUR;
	struct findings f = { 0 };
	json_t *root, *change;
	regex_t id_re;
	regmatch_t m;
	char *out;
	int status;

	policy(s, "20261109", "testing", 86400, NOW - 20 * DAY, NOW - HOUR);
	cycle(s, NULL, NOW - HOUR);
	out = render(s, ROLLOUT_FORMAT_TEXT, NOW, &status);
	assert_int_equal(status, 1);
	assert_has(out, "example.com: NOT ENOUGH DATA\n");
	assert_has(out,
		   "  MTA-STS: mode testing since 2026-11-09 03:00 UTC (20 days, 14 needed)\n");
	assert_has(out,
		   "  policy: id 20261109, max_age 86400, mx mx1.example.com, mx2.example.com\n");
	assert_has(out, "To wait for:\n  - sessions reported by 0 organisations, 2 needed "
			"(RPT-CHK-01)\n    publish a TLS-RPT record at _smtp._tls.example.com");
	assert_null(strstr(out, "version: STSv1"));
	free(out);

	/* reports with failures above 0.1%, and an MX without STARTTLS */
	report(s, "google.com", today - DAY, "testing", 995, 5, "certificate-host-mismatch");
	report(s, "microsoft.com", today - DAY, "testing", 1000, 0, NULL);
	assert_non_null(findings_add(&f, "mx_starttls", "starttls.missing", SEVERITY_CRITICAL,
				     "STS-CERT-01", NULL, "example.com", &mx1,
				     "mx1.example.com offers no STARTTLS"));
	cycle(s, &f, NOW - HOUR);
	findings_clear(&f);
	out = render(s, ROLLOUT_FORMAT_TEXT, NOW, &status);
	assert_int_equal(status, 2);
	assert_has(out, "example.com: NOT READY\n");
	assert_has(out,
		   "2000 sessions (100 needed) from 2 organisations (2 needed), 5 failed (0.25%, "
		   "at most 0.1%)\n    google.com: 1000 sessions, 5 failed\n");
	assert_has(out, "  failures by type: certificate-host-mismatch 5\n");
	assert_has(out, "To fix:\n  - 5 of 2000 sessions failed (0.25%), above the 0.1% allowed "
			"(STS-MODE-02)\n");
	assert_has(out, "  - 5 sessions failed with certificate-host-mismatch (STS-CERT-04)\n");
	assert_has(out, "  - CRITICAL starttls.missing mx1.example.com: mx1.example.com offers no "
			"STARTTLS (STS-CERT-01)\n    fix it before enforcing");
	assert_null(strstr(out, "version: STSv1"));
	free(out);

	/* the MX fixed, many clean sessions from a third organisation: READY */
	cycle(s, NULL, NOW - HOUR);
	report(s, "yahoo.com", today - 2 * DAY, "testing", 10000, 0, NULL);
	out = render(s, ROLLOUT_FORMAT_TEXT, NOW, &status);
	assert_int_equal(status, 0);
	assert_has(out, "example.com: READY to enforce\n");
	assert_has(out, "    yahoo.com: 10000 sessions, 0 failed\n");
	assert_has(out, "To know:\n  - 5 of 12000 sessions failed (0.0417%), within the 0.1% "
			"allowed");
	assert_has(out, "  1. Publish this policy at "
			"https://mta-sts.example.com/.well-known/mta-sts.txt:\n\n");
	assert_has(out, ready_policy);
	assert_has(out, "       _mta-sts.example.com. IN TXT \"v=STSv1; id=20261129030000\"\n");
	/* STS-TXT-08: 1 to 32 letters and digits */
	assert_int_equal(regcomp(&id_re, "id=([A-Za-z0-9]{1,32})\"", REG_EXTENDED), 0);
	assert_int_equal(regexec(&id_re, out, 1, &m, 0), 0);
	regfree(&id_re);
	free(out);

	out = render(s, ROLLOUT_FORMAT_JSON, NOW, &status);
	assert_int_equal(status, 0);
	root = json_loads(out, 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "verdict")), "READY");
	assert_string_equal(json_string_value(json_object_get(root, "stage")), "testing");
	assert_string_equal(json_string_value(json_object_get(root, "since")),
			    "2026-11-09T03:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(root, "days")), 20);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(root, "reports"), "organizations")), 3);
	change = json_object_get(root, "change");
	assert_string_equal(json_string_value(json_object_get(change, "id")), "20261129030000");
	assert_non_null(
	    strstr(json_string_value(json_object_get(change, "policy")), "mode: enforce\n"));
	assert_true(json_is_null(json_object_get(change, "none_policy")));
	json_decref(root);
	free(out);

	out = render(s, ROLLOUT_FORMAT_NAGIOS, NOW, &status);
	assert_int_equal(status, 0);
	assert_has(out, "ROLLOUT OK - example.com READY to enforce: mode testing for 20 days, 3 "
			"organisations, 12000 sessions, 0.0417% failed | days=20;14:;;0 "
			"orgs=3;2:;;0 sessions=12000;100:;;0 failure_rate=0.0416667%;0.1;;0;100\n");
	free(out);
	store_close(s);
}

/* Under enforce with failures: the rollback to testing or none, and the cache to wait out. */
static void test_enforce_rollback(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	time_t today = NOW - 3 * HOUR;
	char *out;
	int status;

	policy(s, "t1", "testing", 86400, NOW - 40 * DAY, NOW - 5 * DAY);
	policy(s, "e1", "enforce", 604800, NOW - 5 * DAY + HOUR, NOW - HOUR);
	cycle(s, NULL, NOW - HOUR);
	report(s, "google.com", today - 6 * DAY, "testing", 5000, 0, NULL);
	out = render(s, ROLLOUT_FORMAT_TEXT, NOW, &status);
	assert_int_equal(status, 0);
	assert_has(out, "example.com: OK, enforce holds\n");
	assert_has(out, "  - no report of sessions under enforce yet (RPT-CHK-01)\n");
	free(out);

	report(s, "google.com", today - DAY, "enforce", 900, 100, "certificate-expired");
	out = render(s, ROLLOUT_FORMAT_TEXT, NOW, &status);
	assert_int_equal(status, 2);
	assert_has(out, "example.com: ROLLBACK\n");
	assert_has(out, "  MTA-STS: mode enforce since 2026-11-24 04:00 UTC (4 days)\n");
	assert_has(out, "  - 100 of 1000 sessions failed (10%) since the cutover, above the 0.1% "
			"allowed (STS-MODE-01)\n");
	assert_has(out, "Roll back:\n  1. Publish this policy at "
			"https://mta-sts.example.com/.well-known/mta-sts.txt (back to testing):\n");
	assert_has(out, "       version: STSv1\n       mode: testing\n       mx: mx1.example.com\n"
			"       mx: mx2.example.com\n       max_age: 86400\n");
	assert_has(out, "     or, to switch MTA-STS off (RFC 8461 section 8.3):\n\n"
			"       version: STSv1\n       mode: none\n       max_age: 86400\n");
	assert_has(out, "       _mta-sts.example.com. IN TXT \"v=STSv1; id=20261129030000\"\n");
	assert_has(out, "may keep applying it until 2026-12-06 02:00 UTC\n  (its last fetch + "
			"max_age 604800, STS-CACHE-01)");
	free(out);

	out = render(s, ROLLOUT_FORMAT_NAGIOS, NOW, &status);
	assert_int_equal(status, 2);
	assert_has(out, "ROLLOUT CRITICAL - example.com ROLLBACK: 100 of 1000 sessions failed");
	assert_has(out, " failure_rate=10%;;0.1;0;100\n");
	free(out);
	store_close(s);
}

/* The agent's last cycle is two days old: UNKNOWN, 3 in every format. */
static void test_stale(void **state)
{
	struct fixture *fx = *state;
	struct store *s = open_ok(fx);
	char *out;
	int status;

	policy(s, "t1", "testing", 86400, NOW - 20 * DAY, NOW - 2 * DAY);
	cycle(s, NULL, NOW - 2 * DAY);
	out = render(s, ROLLOUT_FORMAT_NAGIOS, NOW, &status);
	assert_int_equal(status, 3);
	assert_has(out, "ROLLOUT UNKNOWN - example.com UNKNOWN: the last cycle of example.com ran "
			"2026-11-27 03:00 UTC (2d 0h ago)");
	free(out);
	out = render(s, ROLLOUT_FORMAT_TEXT, NOW, &status);
	assert_int_equal(status, 3);
	free(out);
	store_close(s);
}

/* Run the command with argv (NULL-terminated), its stdout and stderr into *out and *err. */
static int run(char **out, char **err, const char *const *argv)
{
	return storefix_run(cmd_rollout, out, err, argv);
}

/* The command: the store named, the configuration's thresholds, the exit statuses. */
static void test_command(void **state)
{
	struct fixture *fx = *state;
	time_t now = time(NULL), today = now - now % DAY;
	struct store *s = open_ok(fx);
	char *out, *err, *missing, *conf;
	FILE *f;

	policy(s, "t1", "testing", 86400, now - 20 * DAY, now - HOUR);
	cycle(s, NULL, now - HOUR);
	report(s, "google.com", today - 2 * DAY, "testing", 500, 0, NULL);
	store_close(s);
	/* one organisation of the two needed by default */
	assert_int_equal(
	    run(&out, &err,
		(const char *[]){ "rollout", "--state-dir", fx->state, "Example.COM.", NULL }),
	    1);
	assert_has(out, "example.com: NOT ENOUGH DATA\n");
	assert_string_equal(err, "");
	free(out);
	free(err);
	/* the configuration's state_dir and the domain's own thresholds: one is enough */
	conf = mxs_strdupf("%s/mxsentry.conf", fx->tmp);
	f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f,
		"state_dir = \"%s\";\nrollout = { min_orgs = 3; };\n"
		"domains = ( { name = \"example.com\"; rollout = { min_orgs = 1; }; } );\n",
		fx->state);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(
	    run(&out, &err,
		(const char *[]){ "rollout", "-f", conf, "--nagios", "example.com", NULL }),
	    0);
	assert_has(out, "ROLLOUT OK - example.com READY to enforce");
	free(out);
	free(err);
	assert_int_equal(
	    run(&out, &err,
		(const char *[]){ "rollout", "-f", conf, "--json", "example.com", NULL }),
	    0);
	assert_has(out, "\"verdict\": \"READY\"");
	free(out);
	free(err);
	assert_int_equal(unlink(conf), 0);
	free(conf);
	/* a store that is not there: 3, the path named, nothing created */
	missing = mxs_strdupf("%s/none", fx->tmp);
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "rollout", "--state-dir", missing, "--nagios",
					       "example.com", NULL }),
			 3);
	assert_has(err, "/none/mxsentry.db: cannot open the store");
	assert_has(out, "ROLLOUT UNKNOWN - ");
	assert_int_equal(access(missing, F_OK), -1);
	free(out);
	free(err);
	free(missing);
	/* bad arguments: 3; --help: 0 */
	assert_int_equal(
	    run(&out, &err,
		(const char *[]){ "rollout", "--state-dir", fx->state, "bad_name!", NULL }),
	    3);
	assert_has(err, "\"bad_name!\" is not a domain name");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, (const char *[]){ "rollout", NULL }), 3);
	assert_has(err, "expected one DOMAIN");
	free(out);
	free(err);
	assert_int_equal(
	    run(&out, &err,
		(const char *[]){ "rollout", "--json", "--nagios", "example.com", NULL }),
	    3);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, (const char *[]){ "rollout", "--help", NULL }), 0);
	assert_has(out, "Usage: mxsentry rollout DOMAIN");
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_testing_to_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enforce_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

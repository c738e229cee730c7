/*
 * test_cmd_report.c - "mxsentry report summary" (agent/cmd_report.c, agent/report_summary*.c,
 * agent/store_history.c) on a store filled the way the daemon fills it: reports parsed with
 * tlsrpt_parse() and kept with store_report_add(), probe history recorded with
 * store_state_apply(). The text and JSON with a fixed clock (rates, trends, each verdict), the
 * problem intervals read back, then the command in this process: the store chosen, the exit
 * statuses, the errors.
 */
#define _GNU_SOURCE
#include <errno.h>
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

#include "agent/cmd_report.h"
#include "agent/config.h"
#include "agent/report_summary.h"
#include "agent/store.h"
#include "agent/store_history.h"
#include "agent/store_report.h"
#include "agent/store_state.h"
#include "lib/error.h"
#include "lib/finding.h"
#include "lib/tlsrpt.h"
#include "tests/unit/storefix.h"

#define NOW  ((time_t)1795921200) /* 2026-11-29 03:00:00 UTC */
#define HOUR 3600
#define DAY  86400

static const struct finding_subject mx1 = { .mx = "mx1.example.com", .address = "192.0.2.1" },
				    mx2 = { .mx = "mx2.example.com", .address = "198.51.100.2" };

#define DETAIL(type, mx, ip, n)                                                                    \
	"{\"result-type\":\"" type "\",\"sending-mta-ip\":\"203.0.113.5\","                        \
	"\"receiving-mx-hostname\":\"" mx "\"" ip ",\"failed-session-count\":" #n "}"
#define IP(a) ",\"receiving-ip\":\"" a "\""

/* Parse and store one daily report of day (its midnight) about domain. */
static void add_report(struct store *s, const char *org, const char *id, time_t day,
		       const char *domain, unsigned ok, unsigned bad, const char *details)
{
	struct tlsrpt_report r = { 0 };
	struct mxs_error err = { 0 };
	char start[32], end[32], *json;
	time_t next = day + DAY;
	struct tm tm;
	bool dup;

	assert_non_null(gmtime_r(&day, &tm));
	assert_true(strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
	assert_non_null(gmtime_r(&next, &tm));
	assert_true(strftime(end, sizeof(end), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
	json = mxs_strdupf(
	    "{\"organization-name\":\"%s\",\"date-range\":{\"start-datetime\":\"%s\","
	    "\"end-datetime\":\"%s\"},\"contact-info\":\"tlsrpt@reporter.example\","
	    "\"report-id\":\"%s\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	    "\"policy-string\":[\"version: STSv1\",\"mode: enforce\",\"mx: *.%s\","
	    "\"max_age: 86400\"],\"policy-domain\":\"%s\"},\"summary\":"
	    "{\"total-successful-session-count\":%u,\"total-failure-session-count\":%u},"
	    "\"failure-details\":[%s]}]}",
	    org, start, end, id, domain, domain, ok, bad, details);
	assert_non_null(json);
	assert_int_equal(tlsrpt_parse(json, strlen(json), &r, NULL), 0);
	if (store_report_add(s, &r, "file", "", day + DAY + HOUR, &dup, NULL, &err) != 0)
		fail_msg("store_report_add: %s", err.what);
	assert_false(dup);
	tlsrpt_report_clear(&r);
	free(json);
}

static void apply(struct store *s, const struct findings *f, time_t at)
{
	struct mxs_error err = { 0 };

	if (store_state_apply(s, "example.com", f, at, 900, "2 MX", NULL, &err) != 0)
		fail_msg("store_state_apply: %s", err.what);
}

/*
 * Reports of the two days before base's and of the two days before those; probe history:
 * tls.untrusted on mx1 open since 3 days before, smtp.timeout on mx2 for two hours yesterday
 * morning, nothing on mx3 nor example.org.
 */
static void fill(const struct fixture *fx, time_t base)
{
	time_t today = base - base % DAY;
	struct store *s = open_ok(fx);
	struct findings f = { 0 };

	add_report(s, "Google LLC", "g-1", today - 2 * DAY, "example.com", 900, 15,
		   DETAIL("certificate-not-trusted", "mx1.example.com", IP("192.0.2.1"),
			  10) "," DETAIL("validation-failure", "mx3.example.com", "", 5));
	add_report(s, "Google LLC", "g-2", today - DAY, "example.com", 990, 7,
		   DETAIL("certificate-not-trusted", "mx1.example.com", IP("192.0.2.1"),
			  5) "," DETAIL("starttls-not-supported", "mx2.example.com",
					IP("198.51.100.2"), 2));
	add_report(s, "Google LLC", "g-0", today - 3 * DAY, "example.com", 1000, 0, "");
	add_report(s, "Microsoft Corporation", "m-2", today - DAY, "example.com", 50, 0, "");
	add_report(s, "Yahoo", "y-2", today - DAY, "example.org", 10, 1,
		   DETAIL("sts-policy-fetch-error", "mx.example.org", "", 1));
	assert_non_null(findings_add(&f, "mx_starttls", "tls.untrusted", SEVERITY_CRITICAL,
				     "STS-CERT-03", "certificate-not-trusted", "example.com", &mx1,
				     "self-signed"));
	apply(s, &f, today - 3 * DAY + 10 * HOUR);
	assert_non_null(findings_add(&f, "mx_starttls", "smtp.timeout", SEVERITY_WARNING,
				     "COMMON-STLS-04", NULL, "example.com", &mx2, "no greeting"));
	apply(s, &f, today - DAY + 5 * HOUR);
	findings_clear(&f);
	assert_non_null(findings_add(&f, "mx_starttls", "tls.untrusted", SEVERITY_CRITICAL,
				     "STS-CERT-03", "certificate-not-trusted", "example.com", &mx1,
				     "self-signed"));
	apply(s, &f, today - DAY + 7 * HOUR);
	apply(s, &f, base - 300);
	findings_clear(&f);
	store_close(s);
}

/* The events read back as intervals, cut to the range. */
static void test_history(void **state)
{
	struct fixture *fx = *state;
	struct rpt_interval *v = NULL;
	struct mxs_error err = { 0 };
	struct store *s;
	size_t n = 0;

	fill(fx, NOW);
	s = open_ok(fx);
	assert_int_equal(store_history_problems(s, "example.com", NOW - 2 * DAY, NOW, &v, &n, &err),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].code, "tls.untrusted");
	assert_string_equal(v[0].check, "mx_starttls");
	assert_string_equal(v[0].mx, "mx1.example.com");
	assert_string_equal(v[0].address, "192.0.2.1");
	assert_null(v[0].alg);
	assert_true(v[0].open);
	assert_int_equal(v[0].opened_at, NOW - 3 * HOUR - 3 * DAY + 10 * HOUR);
	assert_string_equal(v[1].code, "smtp.timeout");
	assert_false(v[1].open);
	assert_int_equal(v[1].resolved_at - v[1].opened_at, 2 * HOUR);
	v = rpt_correlate_intervals_free(v, n);
	/* after the timeout was resolved: only the open problem */
	assert_int_equal(
	    store_history_problems(s, "example.com", NOW - 19 * HOUR, NOW, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_true(v[0].open);
	v = rpt_correlate_intervals_free(v, n);
	/* before anything opened, and another domain: nothing */
	assert_int_equal(store_history_problems(s, "example.com", NOW - 9 * DAY,
						NOW - 3 * DAY - 3 * HOUR + 10 * HOUR, &v, &n, &err),
			 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(store_history_problems(s, "example.org", 0, NOW, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_history_problems(s, "example.com", NOW, NOW, &v, &n, &err), -EINVAL);
	mxs_error_clear(&err);
	store_close(s);
}

static void load(const struct fixture *fx, const char *const *names, size_t n,
		 struct rpt_summary *sum)
{
	struct mxs_error err = { 0 };
	struct config *cfg = NULL;
	struct store *s = open_ok(fx);

	assert_int_equal(config_new_default(&cfg), 0);
	if (report_summary_load(s, cfg, names, n, NOW, 2, sum, &err) != 0)
		fail_msg("report_summary_load: %s", err.what);
	config_free(cfg);
	store_close(s);
}

static const char expected_text[] =
    "TLS-RPT reports of the last 2 days, 2026-11-27 03:00 UTC to 2026-11-29 03:00 UTC; trends "
    "against the 2 days before\n"
    "\n"
    "example.com: 3 reports, 1962 sessions, 98.8% successful; worse than the 2 days before "
    "(-1.1 points from 100.0%)\n"
    "  failed sessions by result type: certificate-not-trusted 15, validation-failure 5, "
    "starttls-not-supported 2\n"
    "  by MX host: mx1.example.com 15, mx3.example.com 5, mx2.example.com 2\n"
    "  by IP: 192.0.2.1 15, 198.51.100.2 2\n"
    "  Google LLC: 2 reports, 1912 sessions, 98.8% successful; worse than the 2 days before "
    "(-1.2 points from 100.0%)\n"
    "    15 failed sessions: certificate-not-trusted at mx1.example.com [192.0.2.1], 2 reports\n"
    "      confirmed by our probes: tls.untrusted on mx1.example.com [192.0.2.1] since "
    "2026-11-26 10:00 UTC, still open\n"
    "    5 failed sessions: validation-failure at mx3.example.com, 1 report\n"
    "      not seen by our probes: likely the sender's side\n"
    "    2 failed sessions: starttls-not-supported at mx2.example.com [198.51.100.2], 1 report\n"
    "      transient on our side: our probes saw another fault, smtp.timeout on "
    "mx2.example.com [198.51.100.2], from 2026-11-28 05:00 UTC to 2026-11-28 07:00 UTC\n"
    "  Microsoft Corporation: 1 report, 50 sessions, 100.0% successful; no report in the 2 "
    "days before\n"
    "\n"
    "example.net: no report in the last 2 days\n";

/* The rates, the trend and one failure of each verdict, for a mail administrator. */
static void test_render_text(void **state)
{
	const char *const names[] = { "example.com", "example.net" };
	struct fixture *fx = *state;
	struct rpt_summary sum = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	fill(fx, NOW);
	load(fx, names, 2, &sum);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(report_summary_text(out, &sum, names, 2), 2);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(buf, expected_text);
	free(buf);
	/* a domain whose only failure our probes did not see: 1; none failed: 0 */
	assert_int_equal(report_summary_status(&sum, names + 1, 1), 0);
	rpt_summary_clear(&sum);
	load(fx, (const char *const[]){ "example.org" }, 1, &sum);
	assert_int_equal(report_summary_status(&sum, (const char *const[]){ "example.org" }, 1), 1);
	rpt_summary_clear(&sum);
	/* every domain of the store */
	load(fx, NULL, 0, &sum);
	assert_int_equal(sum.n_domains, 2);
	assert_int_equal(report_summary_status(&sum, NULL, 0), 2);
	rpt_summary_clear(&sum);
}

static const char *jget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	return json_is_null(v) ? NULL : json_string_value(v);
}

static long long jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* docs/json-output.md, "Report summary". */
static void test_render_json(void **state)
{
	const char *const names[] = { "example.com", "example.net" };
	struct fixture *fx = *state;
	struct rpt_summary sum = { 0 };
	json_t *root, *d, *g, *f, *ms, *e;
	json_error_t jerr;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	fill(fx, NOW);
	load(fx, names, 2, &sum);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(report_summary_json(out, &sum, names, 2, NOW), 2);
	assert_int_equal(fclose(out), 0);
	root = json_loads(buf, 0, &jerr);
	if (root == NULL)
		fail_msg("not JSON: %s", jerr.text);
	assert_int_equal(jint(root, "version"), 1);
	assert_int_equal(jint(root, "days"), 2);
	assert_string_equal(jget(root, "generated"), "2026-11-29T03:00:00Z");
	assert_string_equal(jget(root, "from"), "2026-11-27T03:00:00Z");
	assert_string_equal(jget(root, "to"), "2026-11-29T03:00:00Z");
	assert_string_equal(jget(root, "previous_from"), "2026-11-25T03:00:00Z");
	assert_int_equal(json_array_size(json_object_get(root, "domains")), 2);
	d = json_array_get(json_object_get(root, "domains"), 0);
	assert_string_equal(jget(d, "name"), "example.com");
	assert_int_equal(jint(d, "reports"), 3);
	assert_int_equal(jint(d, "successful"), 1940);
	assert_int_equal(jint(d, "failed"), 22);
	assert_true(json_real_value(json_object_get(d, "success_rate")) > 0.9887 &&
		    json_real_value(json_object_get(d, "success_rate")) < 0.9888);
	assert_string_equal(jget(d, "trend"), "worse");
	assert_int_equal(jint(json_object_get(d, "previous"), "reports"), 1);
	assert_int_equal(json_array_size(json_object_get(d, "failures_by_type")), 3);
	assert_int_equal(
	    jint(json_array_get(json_object_get(d, "failures_by_type"), 0), "sessions"), 15);
	assert_string_equal(jget(json_array_get(json_object_get(d, "receiving_ips"), 1), "address"),
			    "198.51.100.2");
	assert_null(json_object_get(d, "failures"));
	g = json_array_get(json_object_get(d, "organizations"), 0);
	assert_string_equal(jget(g, "name"), "Google LLC");
	assert_true(json_real_value(json_object_get(g, "rate_delta")) < -0.011);
	f = json_array_get(json_object_get(g, "failures"), 0);
	assert_string_equal(jget(f, "result_type"), "certificate-not-trusted");
	assert_string_equal(jget(f, "receiving_mx"), "mx1.example.com");
	assert_string_equal(jget(f, "verdict"), "confirmed");
	assert_int_equal(jint(json_object_get(f, "verdicts"), "confirmed"), 2);
	assert_int_equal(json_array_size(json_object_get(f, "periods")), 2);
	assert_string_equal(jget(json_array_get(json_object_get(f, "periods"), 0), "start"),
			    "2026-11-27T00:00:00Z");
	e = json_object_get(f, "evidence");
	assert_string_equal(jget(e, "code"), "tls.untrusted");
	assert_string_equal(jget(e, "opened"), "2026-11-26T10:00:00Z");
	assert_null(jget(e, "resolved"));
	assert_true(json_is_true(json_object_get(e, "same_type")));
	f = json_array_get(json_object_get(g, "failures"), 1);
	assert_string_equal(jget(f, "verdict"), "not-seen");
	assert_null(jget(f, "receiving_ip"));
	assert_true(json_is_null(json_object_get(f, "evidence")));
	f = json_array_get(json_object_get(g, "failures"), 2);
	assert_string_equal(jget(f, "verdict"), "transient");
	assert_string_equal(jget(json_object_get(f, "evidence"), "resolved"),
			    "2026-11-28T07:00:00Z");
	assert_true(json_is_false(json_object_get(json_object_get(f, "evidence"), "same_type")));
	ms = json_array_get(json_object_get(d, "organizations"), 1);
	assert_string_equal(jget(ms, "trend"), "new");
	assert_true(json_is_null(json_object_get(ms, "rate_delta")));
	assert_int_equal(json_array_size(json_object_get(ms, "failures")), 0);
	/* a domain without a report: zeros, nulls, no organisation */
	d = json_array_get(json_object_get(root, "domains"), 1);
	assert_string_equal(jget(d, "name"), "example.net");
	assert_int_equal(jint(d, "reports"), 0);
	assert_true(json_is_null(json_object_get(d, "success_rate")));
	assert_null(jget(d, "trend"));
	assert_int_equal(json_array_size(json_object_get(d, "organizations")), 0);
	json_decref(root);
	free(buf);
	rpt_summary_clear(&sum);
}

/* Run the command with argv (NULL-terminated), its stdout and stderr into *out and *err. */
static int run(char **out, char **err, const char *const *argv)
{
	return storefix_run(cmd_report, out, err, argv);
}

/* The command: the store chosen, the domains shown, the exit statuses. */
static void test_command(void **state)
{
	struct fixture *fx = *state;
	char *out, *err, *missing, *conf;
	json_t *root;
	FILE *f;

	fill(fx, time(NULL));
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "report", "summary", "--state-dir", fx->state,
					       "--days", "2", NULL }),
			 2);
	assert_non_null(strstr(out, "\nexample.com: 3 reports, 1962 sessions, 98.8% successful"));
	assert_non_null(strstr(out, "\nexample.org: 1 report, 11 sessions, 90.9% successful"));
	assert_non_null(strstr(out, "      confirmed by our probes: tls.untrusted on "));
	assert_string_equal(err, "");
	free(out);
	free(err);
	/* named, normalised; the default period of 7 days holds every report */
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "report", "summary", "--state-dir", fx->state,
					       "Example.ORG.", NULL }),
			 1);
	assert_non_null(strstr(out, "TLS-RPT reports of the last 7 days"));
	assert_non_null(strstr(out, "example.org: 1 report, 11 sessions"));
	assert_null(strstr(out, "example.com"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "report", "summary", "--json", "--state-dir",
					       fx->state, "example.net", NULL }),
			 0);
	root = json_loads(out, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "days")), 7);
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
	assert_int_equal(run(&out, &err, (const char *[]){ "report", "summary", "-f", conf, NULL }),
			 2);
	assert_non_null(strstr(out, "\nnew.example: no report in the last 7 days\n"));
	assert_non_null(strstr(out, "\nexample.org: "));
	assert_true(strstr(out, "\nexample.com: ") < strstr(out, "\nnew.example: "));
	free(out);
	free(err);
	assert_int_equal(unlink(conf), 0);
	free(conf);
	/* a store that is not there: cannot tell, the path named, nothing created */
	missing = mxs_strdupf("%s/none", fx->tmp);
	assert_int_equal(
	    run(&out, &err, (const char *[]){ "report", "summary", "--state-dir", missing, NULL }),
	    3);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "/none/mxsentry.db: cannot open the store"));
	assert_int_equal(access(missing, F_OK), -1);
	free(out);
	free(err);
	free(missing);
	/* bad arguments: cannot tell; --help: 0 */
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "report", "summary", "--state-dir", fx->state,
					       "--days", "366", NULL }),
			 3);
	assert_non_null(strstr(err, "--days \"366\""));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err,
			     (const char *[]){ "report", "summary", "--state-dir", fx->state,
					       "bad_name!", NULL }),
			 3);
	assert_non_null(strstr(err, "\"bad_name!\" is not a domain name"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, (const char *[]){ "report", "frobnicate", NULL }), 3);
	assert_non_null(strstr(err, "unknown subcommand \"frobnicate\""));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, (const char *[]){ "report", NULL }), 3);
	assert_non_null(strstr(err, "Usage: mxsentry report"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, (const char *[]){ "report", "summary", "--help", NULL }),
			 0);
	assert_non_null(strstr(out, "Usage: mxsentry report summary"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_metrics.c - the Prometheus exposition of agent/metrics.c.
 *
 * Snapshots come from snapfix; findings are made by hand, so each check's worst severity is
 * known. The assertions read whole lines as Prometheus reads them: one line per sample with
 * its labels in a fixed order, HELP and TYPE once per family and before its samples, label
 * values escaped, every line of valid syntax (text format 0.0.4).
 *
 * Run as "test_metrics --sample" it runs no test and writes the exposition of the full fixture
 * (every family with samples) to standard output: tests/metrics-promtool.sh hands that to
 * "promtool check metrics".
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

#include "agent/metrics.h"
#include "checks/registry.h"
#include "lib/error.h"
#include "tests/unit/snapfix.h"

#define DAY SNAPFIX_DAY
/* Families written by metrics_write() (agent/metrics.h). */
#define N_FAMILIES 20

/* The full fixture: a.test gathered (MX with three sessions, MTA-STS enforce), b.test not yet. */
struct fixture {
	struct snapshot *snap;
	struct findings found;
	struct metrics_domain doms[2];
	struct metrics_agent agent;
};

static void add(struct findings *out, const char *check, enum severity sev)
{
	assert_non_null(
	    findings_add(out, check, "test.code", sev, NULL, NULL, "a.test", NULL, "a finding"));
}

static void fx_init(struct fixture *fx)
{
	struct mx_address *a;

	memset(fx, 0, sizeof(*fx));
	fx->snap = snapfix_healthy("a.test", 1);
	a = snapfix_at(fx->snap, 0, 0);
	/* The ECDSA session sees the default session's certificate again; RSA has its own. */
	(void)snapfix_good_probe(a, PROBE_ALG_ECDSA, "mx1.a.test", KEY_TYPE_EC, 80 * DAY);
	(void)snapfix_good_probe(a, PROBE_ALG_RSA, "mx1.a.test", KEY_TYPE_RSA, 10 * DAY);
	(void)snapfix_sts_active(fx->snap, "enforce");
	add(&fx->found, "mx_starttls", SEVERITY_WARNING);
	add(&fx->found, "mx_starttls", SEVERITY_CRITICAL);
	add(&fx->found, "cert_expiry", SEVERITY_UNKNOWN);
	add(&fx->found, "cert_expiry", SEVERITY_WARNING);
	add(&fx->found, "mta_sts", SEVERITY_OK);
	add(&fx->found, "dane_tlsa", SEVERITY_UNKNOWN);
	add(&fx->found, "dane_tlsa", SEVERITY_CRITICAL);
	fx->doms[0] = (struct metrics_domain){ .name = "a.test",
					       .snap = fx->snap,
					       .findings = &fx->found,
					       .last_cycle_end = SNAPFIX_NOW + 2,
					       .interval = 3600 };
	fx->doms[1] = (struct metrics_domain){ .name = "b.test", .interval = 86400 };
	fx->agent = (struct metrics_agent){ .started = SNAPFIX_NOW - 600,
					    .last_cycle_ok = SNAPFIX_NOW + 2,
					    .cycles = 7,
					    .cycle_failures = 2,
					    .config_reloads = 3,
					    .config_reload_failures = 1,
					    .store_ok = true,
					    .outbox_pending = 5 };
}

static void fx_free(struct fixture *fx)
{
	findings_clear(&fx->found);
	(void)snapshot_free(fx->snap);
}

/* metrics_write() into a new string (the caller frees it); asserts it returns 0. */
static char *render(const struct metrics_domain *doms, size_t n, const struct metrics_agent *agent)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	assert_int_equal(metrics_write(mem, doms, n, agent), 0);
	assert_int_equal(fclose(mem), 0);
	return text;
}

/* How many whole lines of text equal line. */
static size_t count_lines(const char *text, const char *line)
{
	size_t n = 0, len = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			n++;
		p += len;
	}
	return n;
}

static void assert_line(const char *text, const char *line)
{
	if (count_lines(text, line) != 1)
		fail_msg("want the line \"%s\" once in:\n%s", line, text);
}

static void assert_no(const char *text, const char *piece)
{
	if (strstr(text, piece) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", piece, text);
}

/*
 * The structure Prometheus requires: each family's HELP then TYPE, once, then only its own
 * samples; every sample line of valid syntax. Returns the number of families.
 */
static size_t assert_valid(const char *text)
{
	static const char sample[] =
	    "^[a-zA-Z_:][a-zA-Z0-9_:]*"
	    "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
	    "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*\\})?"
	    " -?[0-9]+(\\.[0-9]+)?$";
	char *copy = strdup(text), *line, *save = NULL, *family = NULL, *seen = NULL;
	size_t n = 0;
	regex_t re;

	assert_non_null(copy);
	assert_int_equal(regcomp(&re, sample, REG_EXTENDED | REG_NOSUB), 0);
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			char *name = line + 7, *sp = strchr(name, ' '), *type;

			assert_non_null(sp);
			*sp = '\0';
			/* Once per family: not among the names seen so far ("|a|b|"). */
			type = mxs_strdupf("|%s|", name);
			assert_non_null(type);
			if (seen != NULL && strstr(seen, type) != NULL)
				fail_msg("family %s written twice", name);
			free(type);
			type = mxs_strdupf("%s%s|", seen != NULL ? seen : "|", name);
			assert_non_null(type);
			free(seen);
			seen = type;
			family = name;
			n++;
			line = strtok_r(NULL, "\n", &save);
			assert_non_null(line);
			type = mxs_strdupf("# TYPE %s ", family);
			assert_non_null(type);
			if (strncmp(line, type, strlen(type)) != 0 ||
			    (strcmp(line + strlen(type), "gauge") != 0 &&
			     strcmp(line + strlen(type), "counter") != 0))
				fail_msg("HELP of %s not followed by its TYPE: \"%s\"", family,
					 line);
			free(type);
			continue;
		}
		if (regexec(&re, line, 0, NULL, 0) != 0)
			fail_msg("not a sample line: \"%s\"", line);
		assert_non_null(family);
		if (strncmp(line, family, strlen(family)) != 0 ||
		    (line[strlen(family)] != '{' && line[strlen(family)] != ' '))
			fail_msg("sample \"%s\" outside its family (current: %s)", line, family);
	}
	regfree(&re);
	free(seen);
	free(copy);
	return n;
}

/* --- tests ------------------------------------------------------------------------------- */

/*
 * The worst severity by rank: CRITICAL over WARNING and over UNKNOWN, UNKNOWN over WARNING; a
 * check without findings is absent.
 */
static void test_metrics_check_status(void **state)
{
	struct fixture fx;
	char *text;

	(void)state;
	fx_init(&fx);
	text = render(fx.doms, 2, &fx.agent);
	assert_line(text, "mxsentry_check_status{domain=\"a.test\",check=\"mx_starttls\"} 2");
	assert_line(text, "mxsentry_check_status{domain=\"a.test\",check=\"cert_expiry\"} 3");
	assert_line(text, "mxsentry_check_status{domain=\"a.test\",check=\"mta_sts\"} 0");
	assert_line(text, "mxsentry_check_status{domain=\"a.test\",check=\"dane_tlsa\"} 2");
	assert_no(text, "check=\"tls_rpt\"");
	assert_no(text, "mxsentry_check_status{domain=\"b.test\"");
	/* Registry order, whatever the order of the findings. */
	assert_true(strstr(text, "check=\"mx_starttls\"") < strstr(text, "check=\"cert_expiry\""));
	free(text);
	/* An enabled check that found nothing is OK (0), not absent. */
	fx.doms[0].checks = 1u << check_index("tls_rpt");
	text = render(fx.doms, 2, &fx.agent);
	assert_line(text, "mxsentry_check_status{domain=\"a.test\",check=\"tls_rpt\"} 0");
	assert_line(text, "mxsentry_check_status{domain=\"a.test\",check=\"mx_starttls\"} 2");
	free(text);
	fx_free(&fx);
}

static void test_metrics_findings_by_severity(void **state)
{
	struct fixture fx;
	char *text;

	(void)state;
	fx_init(&fx);
	text = render(fx.doms, 2, &fx.agent);
	assert_line(text, "mxsentry_findings{domain=\"a.test\",severity=\"OK\"} 1");
	assert_line(text, "mxsentry_findings{domain=\"a.test\",severity=\"WARNING\"} 2");
	assert_line(text, "mxsentry_findings{domain=\"a.test\",severity=\"CRITICAL\"} 2");
	assert_line(text, "mxsentry_findings{domain=\"a.test\",severity=\"UNKNOWN\"} 2");
	assert_no(text, "mxsentry_findings{domain=\"b.test\"");
	free(text);
	fx_free(&fx);
}

/* Per depth and leaf algorithm, once per chain; the policy host's chain as "https". */
static void test_metrics_certificates(void **state)
{
	static const char mx[] = "mxsentry_certificate_expiry_timestamp_seconds{domain=\"a.test\","
				 "service=\"smtp\",host=\"mx1.a.test\",address=\"192.0.2.1\",";
	struct fixture fx;
	char *text, *line;

	(void)state;
	fx_init(&fx);
	text = render(fx.doms, 2, &fx.agent);
	/* The default and the ECDSA session share one chain: each line once (assert_line). */
	line = mxs_strdupf("%salg=\"ECDSA\",depth=\"0\"} %lld", mx,
			   (long long)(SNAPFIX_NOW + 80 * DAY));
	assert_line(text, line);
	free(line);
	line = mxs_strdupf("%salg=\"ECDSA\",depth=\"1\"} %lld", mx,
			   (long long)(SNAPFIX_NOW + 1100 * DAY));
	assert_line(text, line);
	free(line);
	line =
	    mxs_strdupf("%salg=\"RSA\",depth=\"0\"} %lld", mx, (long long)(SNAPFIX_NOW + 10 * DAY));
	assert_line(text, line);
	free(line);
	line = mxs_strdupf("mxsentry_certificate_expiry_timestamp_seconds{domain=\"a.test\","
			   "service=\"https\",host=\"mta-sts.a.test\",address=\"192.0.2.80\","
			   "alg=\"ECDSA\",depth=\"0\"} %lld",
			   (long long)(SNAPFIX_NOW + 80 * DAY));
	assert_line(text, line);
	free(line);
	assert_no(text, "depth=\"2\"");
	assert_no(text, "mxsentry_certificate_expiry_timestamp_seconds{domain=\"b.test\"");
	free(text);
	fx_free(&fx);
}

/* The mode senders apply; "none" without a record; nothing for a policy senders cannot get. */
static void test_metrics_sts_mode(void **state)
{
	const char *const records[] = { "v=STSv1; id=" SNAPFIX_STS_ID, NULL };
	struct snapshot *testing = snapfix_healthy("t.test", 1);
	struct snapshot *absent = snapfix_healthy("n.test", 1);
	struct snapshot *broken = snapfix_healthy("x.test", 1);
	struct snapshot *plain = snapfix_healthy("p.test", 1);
	struct metrics_domain doms[] = {
		{ .name = "t.test", .snap = testing, .interval = 60 },
		{ .name = "n.test", .snap = absent, .interval = 60 },
		{ .name = "x.test", .snap = broken, .interval = 60 },
		{ .name = "p.test", .snap = plain, .interval = 60 },
	};
	struct metrics_agent agent = { 0 };
	char *text;

	(void)state;
	(void)snapfix_sts_active(testing, "testing");
	snapfix_sts_txt(absent, DNS_NXDOMAIN, NULL);
	snapfix_sts_txt(broken, DNS_OK, records);
	(void)snapfix_policy(broken, FETCH_RESPONSE, 404, "text/html", NULL, "gone\n", NULL);
	text = render(doms, 4, &agent);
	assert_line(text, "mxsentry_mta_sts_mode{domain=\"t.test\",mode=\"enforce\"} 0");
	assert_line(text, "mxsentry_mta_sts_mode{domain=\"t.test\",mode=\"testing\"} 1");
	assert_line(text, "mxsentry_mta_sts_mode{domain=\"t.test\",mode=\"none\"} 0");
	assert_line(text, "mxsentry_mta_sts_mode{domain=\"n.test\",mode=\"none\"} 1");
	assert_line(text, "mxsentry_mta_sts_mode{domain=\"n.test\",mode=\"testing\"} 0");
	assert_no(text, "mxsentry_mta_sts_mode{domain=\"x.test\"");
	assert_no(text, "mxsentry_mta_sts_mode{domain=\"p.test\"");
	assert_line(text, "mxsentry_mta_sts_fetch_seconds{domain=\"t.test\"} 0.040");
	assert_no(text, "mxsentry_mta_sts_fetch_seconds{domain=\"p.test\"");
	free(text);
	(void)snapshot_free(testing);
	(void)snapshot_free(absent);
	(void)snapshot_free(broken);
	(void)snapshot_free(plain);
}

/* Durations in seconds; a session without TLS has no handshake time. */
static void test_metrics_probes(void **state)
{
	struct snapshot *s = snapfix_healthy("tarpit.test", 2);
	struct metrics_domain dom = { .name = "tarpit.test", .snap = s, .interval = 60 };
	struct metrics_agent agent = { 0 };
	struct mx_address *a = snapfix_at(s, 1, 0);
	char *text;

	(void)state;
	snapfix_reset_probes(a);
	(void)snapfix_probe(a, PROBE_ALG_ANY, PROBE_TIMEOUT, STAGE_GREETING, "no greeting");
	a->probes[0].session_ms = 60000;
	text = render(&dom, 1, &agent);
	assert_line(text, "mxsentry_smtp_handshake_seconds{domain=\"tarpit.test\","
			  "host=\"mx1.tarpit.test\",address=\"192.0.2.1\",probe=\"any\"} 0.025");
	assert_line(text, "mxsentry_smtp_session_seconds{domain=\"tarpit.test\","
			  "host=\"mx2.tarpit.test\",address=\"192.0.2.2\",probe=\"any\"} 60.000");
	assert_no(text, "mxsentry_smtp_handshake_seconds{domain=\"tarpit.test\","
			"host=\"mx2.tarpit.test\"");
	assert_line(text, "mxsentry_domain_cycle_duration_seconds{domain=\"tarpit.test\"} 1.234");
	free(text);
	(void)snapshot_free(s);
}

static void test_metrics_agent(void **state)
{
	struct fixture fx;
	char *text;

	(void)state;
	fx_init(&fx);
	fx.agent.alerts_delivered = 11;
	fx.agent.alerts_redelivered = 1;
	text = render(fx.doms, 2, &fx.agent);
	assert_line(text, "mxsentry_up 1");
	assert_line(text, "mxsentry_start_time_seconds 1793577000");
	assert_line(text, "mxsentry_last_cycle_ok_timestamp_seconds 1793577602");
	assert_line(text, "mxsentry_cycles_total 7");
	assert_line(text, "mxsentry_cycle_failures_total 2");
	assert_line(text, "mxsentry_config_reloads_total{result=\"ok\"} 3");
	assert_line(text, "mxsentry_config_reloads_total{result=\"failed\"} 1");
	assert_line(text, "mxsentry_store_ok 1");
	assert_line(text, "mxsentry_outbox_pending 5");
	assert_line(text, "mxsentry_alerts_total{result=\"delivered\"} 11");
	assert_line(text, "mxsentry_alerts_total{result=\"redelivered\"} 1");
	assert_line(text, "mxsentry_domains 2");
	assert_line(text, "mxsentry_domain_interval_seconds{domain=\"b.test\"} 86400");
	assert_line(text, "mxsentry_domain_last_cycle_timestamp_seconds{domain=\"a.test\"} "
			  "1793577602");
	assert_no(text, "mxsentry_domain_last_cycle_timestamp_seconds{domain=\"b.test\"");
	free(text);
	/* No completed cycle yet: the timestamp is absent, not 0; a broken store is 0. */
	fx.agent.last_cycle_ok = 0;
	fx.agent.store_ok = false;
	text = render(fx.doms, 2, &fx.agent);
	assert_no(text, "\nmxsentry_last_cycle_ok_timestamp_seconds ");
	assert_line(text, "mxsentry_store_ok 0");
	free(text);
	fx_free(&fx);
}

/* Backslash, double quote and newline escaped; other bytes that are not text replaced. */
static void test_metrics_escaping(void **state)
{
	struct metrics_domain dom = { .name = "we\"ird\\dom\nx\x80\x01", .interval = 60 };
	struct metrics_agent agent = { 0 };
	char *text;

	(void)state;
	text = render(&dom, 1, &agent);
	assert_line(text, "mxsentry_domain_interval_seconds{domain=\"we\\\"ird\\\\dom\\nx??\"} 60");
	assert_int_equal(assert_valid(text), N_FAMILIES);
	free(text);
}

/* HELP and TYPE once per family, before its samples; the same text for the same input. */
static void test_metrics_families_once(void **state)
{
	struct fixture fx;
	char *text, *again;
	size_t len = 0;

	(void)state;
	fx_init(&fx);
	text = render(fx.doms, 2, &fx.agent);
	assert_int_equal(assert_valid(text), N_FAMILIES);
	assert_int_equal(count_lines(text, "# TYPE mxsentry_cycles_total counter"), 1);
	assert_int_equal(count_lines(text, "# TYPE mxsentry_check_status gauge"), 1);
	assert_int_equal(metrics_text(fx.doms, 2, &fx.agent, &again, &len), 0);
	assert_int_equal(len, strlen(text));
	assert_string_equal(again, text);
	free(again);
	free(text);
	fx_free(&fx);
}

/* No domains: every family's header, the agent's samples, nothing about domains. */
static void test_metrics_empty(void **state)
{
	struct metrics_agent agent = { .started = SNAPFIX_NOW };
	char *text;

	(void)state;
	text = render(NULL, 0, &agent);
	assert_int_equal(assert_valid(text), N_FAMILIES);
	assert_line(text, "mxsentry_domains 0");
	assert_line(text, "mxsentry_up 1");
	assert_no(text, "domain=");
	free(text);
}

static void test_metrics_errors(void **state)
{
	struct metrics_agent agent = { 0 };
	FILE *full = fopen("/dev/full", "w");
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(metrics_write(stdout, NULL, 0, NULL), -EINVAL);
	assert_int_equal(metrics_write(NULL, NULL, 0, &agent), -EINVAL);
	assert_int_equal(metrics_write(stdout, NULL, 1, &agent), -EINVAL);
	assert_int_equal(metrics_text(NULL, 0, &agent, NULL, &len), -EINVAL);
	assert_null(text);
	if (full == NULL)
		skip();
	assert_int_equal(metrics_write(full, NULL, 0, &agent), -EIO);
	(void)fclose(full);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_check_status),
		cmocka_unit_test(test_metrics_findings_by_severity),
		cmocka_unit_test(test_metrics_certificates),
		cmocka_unit_test(test_metrics_sts_mode),
		cmocka_unit_test(test_metrics_probes),
		cmocka_unit_test(test_metrics_agent),
		cmocka_unit_test(test_metrics_escaping),
		cmocka_unit_test(test_metrics_families_once),
		cmocka_unit_test(test_metrics_empty),
		cmocka_unit_test(test_metrics_errors),
	};

	if (argc == 2 && strcmp(argv[1], "--sample") == 0) {
		struct fixture fx;
		int r;

		fx_init(&fx);
		r = metrics_write(stdout, fx.doms, 2, &fx.agent);
		fx_free(&fx);
		return r == 0 ? 0 : 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

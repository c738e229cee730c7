/*
 * test_tlsrpt.c - TLS-RPT aggregate reports (lib/tlsrpt.c, lib/tlsrpt_policy.c), driven by
 * shared/spec/vectors/tlsrpt-reports.json (and the files it names) and real/real.json (every
 * real sender's report must be ingested, with the deviation the index names), plus the
 * project's own cases. The value syntaxes are in test_tlsrpt_value.c, file names in
 * test_tlsrpt_name.c.
 *
 * Every accepted vector report is also compared member by member with the same file read by
 * jansson directly, so the model cannot drop or garble what the sender wrote.
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

#include "lib/tlsrpt.h"
#include "tests/unit/vectors.h"

/* The bytes of a file under the vector directory; fails the test when it cannot be read. */
static char *read_vector_file(const char *name, size_t *ret_len)
{
	char *path = vectors_path(name), *buf;
	long size;
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	free(path);
	*ret_len = (size_t)size;
	return buf;
}

/* A model string against a JSON member: NULL stands for absent, null or "". */
static size_t str_mismatch(const char *id, const char *what, const char *got, const json_t *want)
{
	const char *w = json_string_value(want);

	if (w != NULL && *w == '\0')
		w = NULL;
	if ((got == NULL && w == NULL) || (got != NULL && w != NULL && strcmp(got, w) == 0))
		return 0;
	print_error("%s: %s is \"%s\", the file says \"%s\"\n", id, what, got ? got : "(null)",
		    w ? w : "(null)");
	return 1;
}

static size_t count_mismatch(const char *id, const char *what, unsigned long long got,
			     const json_t *want)
{
	if (json_is_integer(want) && (json_int_t)got == json_integer_value(want))
		return 0;
	print_error("%s: %s is %llu, not what the file says\n", id, what, got);
	return 1;
}

/* mx-host and policy-string against the file (a packed tlsa string is checked elsewhere). */
static size_t strv_mismatch(const char *id, const char *what, char **got, size_t n,
			    const json_t *want)
{
	size_t i, bad = 0;

	if (got == NULL || got[n] != NULL) {
		print_error("%s: %s is not a NULL-terminated vector\n", id, what);
		return 1;
	}
	if (json_is_string(want))
		return n == 1 && strcmp(got[0], json_string_value(want)) == 0 ? 0 : 1;
	if (json_array_size(want) == 1 && json_string_value(json_array_get(want, 0))[0] == '[')
		return 0;
	if (n != json_array_size(want)) {
		print_error("%s: %zu %s, the file has %zu\n", id, n, what, json_array_size(want));
		return 1;
	}
	for (i = 0; i < n; i++)
		bad += str_mismatch(id, what, got[i], json_array_get(want, i));
	return bad;
}

static size_t failure_mismatch(const char *id, const struct tlsrpt_failure *f, const json_t *j)
{
	size_t bad = 0;

	bad += str_mismatch(id, "result-type", f->result_type, json_object_get(j, "result-type"));
	bad += str_mismatch(id, "sending-mta-ip", f->sending_mta_ip,
			    json_object_get(j, "sending-mta-ip"));
	bad +=
	    str_mismatch(id, "receiving-ip", f->receiving_ip, json_object_get(j, "receiving-ip"));
	bad += str_mismatch(id, "receiving-mx-hostname", f->receiving_mx_hostname,
			    json_object_get(j, "receiving-mx-hostname"));
	bad += str_mismatch(id, "receiving-mx-helo", f->receiving_mx_helo,
			    json_object_get(j, "receiving-mx-helo"));
	bad += str_mismatch(id, "additional-information", f->additional_information,
			    json_object_get(j, "additional-information"));
	bad += str_mismatch(id, "failure-reason-code", f->failure_reason_code,
			    json_object_get(j, "failure-reason-code"));
	bad += count_mismatch(id, "failed-session-count", f->failed_session_count,
			      json_object_get(j, "failed-session-count"));
	return bad;
}

static size_t policy_mismatch(const char *id, const struct tlsrpt_policy *p, const json_t *j)
{
	const json_t *pol = json_object_get(j, "policy"), *sum = json_object_get(j, "summary");
	const json_t *fd = json_object_get(j, "failure-details");
	size_t i, bad = 0;

	if (strcmp(tlsrpt_policy_type_name(p->type),
		   json_string_value(json_object_get(pol, "policy-type"))) != 0) {
		print_error("%s: policy-type %s\n", id, tlsrpt_policy_type_name(p->type));
		bad++;
	}
	bad += str_mismatch(id, "policy-domain", p->policy_domain,
			    json_object_get(pol, "policy-domain"));
	bad += strv_mismatch(id, "policy-string", p->policy_strings, p->n_policy_strings,
			     json_object_get(pol, "policy-string"));
	bad += strv_mismatch(id, "mx-host", p->mx_hosts, p->n_mx_hosts,
			     json_object_get(pol, "mx-host"));
	bad += count_mismatch(id, "total-successful-session-count", p->total_successful,
			      json_object_get(sum, "total-successful-session-count"));
	bad += count_mismatch(id, "total-failure-session-count", p->total_failure,
			      json_object_get(sum, "total-failure-session-count"));
	if (p->n_failures != json_array_size(fd) || (p->n_failures == 0) != (p->failures == NULL)) {
		print_error("%s: %zu failure details, the file has %zu\n", id, p->n_failures,
			    json_array_size(fd));
		return bad + 1;
	}
	for (i = 0; i < p->n_failures; i++)
		bad += failure_mismatch(id, &p->failures[i], json_array_get(fd, i));
	return bad;
}

/* The whole model against the file as jansson reads it; returns the number of mismatches. */
static size_t model_mismatch(const char *id, const char *file, const struct tlsrpt_report *r)
{
	char *path = vectors_path(file);
	json_t *j = json_load_file(path, 0, NULL);
	const json_t *pols = json_object_get(j, "policies");
	size_t i, bad = 0;

	assert_non_null(j);
	bad += str_mismatch(id, "report-id", r->report_id, json_object_get(j, "report-id"));
	bad += str_mismatch(id, "organization-name", r->organization_name,
			    json_object_get(j, "organization-name"));
	bad +=
	    str_mismatch(id, "contact-info", r->contact_info, json_object_get(j, "contact-info"));
	if (r->end <= r->start || r->n_policies != json_array_size(pols)) {
		print_error("%s: date-range or number of policies\n", id);
		bad++;
	} else {
		for (i = 0; i < r->n_policies; i++)
			bad += policy_mismatch(id, &r->policies[i], json_array_get(pols, i));
	}
	json_decref(j);
	free(path);
	return bad;
}

/* Whether a diagnostic from index 0 names req. */
static bool has_req(const struct diag_list *d, const char *req)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].req, req) == 0)
			return true;
	return false;
}

/*
 * One report vector (vectors_check_fn), of tlsrpt-reports.json or real/real.json: a vector of
 * severity "error" is rejected, every other one accepted (a real report is never discarded for
 * its quirks); a vector with a deviation records it under the vector's requirement ID; an
 * accepted report matches its file; the verdict is the same without outputs.
 */
static size_t check_report(const json_t *v, struct diag_list *d, void *ctx)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	const char *sev = vectors_string(v, "severity"), *file = vectors_string(v, "file");
	const char *prefix = ctx;
	struct tlsrpt_report rep = { 0 };
	size_t len, failures = 0;
	char *name, *buf;
	int r;

	name = malloc(strlen(prefix) + strlen(file) + 1);
	assert_non_null(name);
	strcpy(name, prefix);
	strcat(name, file);
	buf = read_vector_file(name, &len);
	r = tlsrpt_parse(buf, len, &rep, d);
	assert_true(r == 0 || r == -EINVAL);
	assert_int_equal(r == 0, !diag_rejects(d, 0));
	assert_int_equal(tlsrpt_parse(buf, len, NULL, NULL), r);
	if ((strcmp(sev, "error") == 0) != (r == -EINVAL)) {
		print_error("%s (%s): %s, expected %s\n", id, req, r == 0 ? "accepted" : "rejected",
			    strcmp(sev, "error") == 0 ? "rejected" : "accepted");
		failures++;
	}
	if (strcmp(sev, "ok") != 0 && !has_req(d, req)) {
		print_error("%s (%s): no diagnostic names %s\n", id, req, req);
		failures++;
	}
	if (r == 0)
		failures += model_mismatch(id, name, &rep);
	else if (rep.report_id != NULL || rep.policies != NULL)
		failures++;
	tlsrpt_report_clear(&rep);
	free(buf);
	free(name);
	return failures;
}

/* covers: RPT-JSON-01, RPT-JSON-02, RPT-JSON-03, RPT-JSON-04, RPT-JSON-05, RPT-JSON-10,
 * RPT-JSON-11, RPT-RES-01, RPT-RES-02 (every vector of tlsrpt-reports.json) */
static void test_rpt_json_vectors(void **state)
{
	(void)state;
	vectors_run("tlsrpt-reports.json", NULL, 13, check_report, "");
}

/* covers: RPT-JSON-02, RPT-JSON-05, RPT-JSON-06, RPT-JSON-07, RPT-JSON-09, RPT-JSON-10,
 * RPT-JSON-11, RPT-JSON-12, RPT-RES-03 (every tlsrpt-report of real/real.json) */
static void test_rpt_real_vectors(void **state)
{
	(void)state;
	vectors_run("real/real.json", "tlsrpt-report", 13, check_report, "real/");
}

/* Parse a vector file that must be accepted. */
static void parse_file(const char *name, struct tlsrpt_report *rep, struct diag_list *d)
{
	size_t len;
	char *buf = read_vector_file(name, &len);

	assert_int_equal(tlsrpt_parse(buf, len, rep, d), 0);
	free(buf);
}

/* covers: RPT-JSON-09, RPT-JSON-10, RPT-JSON-05, RPT-JSON-11, RPT-JSON-02 (what the tolerant
 * readings of the real reports make of them) */
static void test_rpt_tolerant_readings(void **state)
{
	struct tlsrpt_report rep = { 0 };
	struct diag_list d = { 0 };
	size_t i;

	(void)state;
	/* Microsoft's packed TLSA records become one string per record */
	parse_file("real/microsoft-2025-tlsa-json-in-string.json", &rep, &d);
	assert_int_equal(rep.policies[1].type, TLSRPT_POLICY_TLSA);
	assert_int_equal(rep.policies[1].n_policy_strings, 2);
	assert_string_equal(
	    rep.policies[1].policy_strings[0],
	    "3 1 1 2F28D43DA2EE4F234139AB89D64269225A537BD39E11FF622AA076B8C623C2F9");
	assert_string_equal(
	    rep.policies[1].policy_strings[1],
	    "3 1 1 48D1E95729A56C8450610548BA40551378D933CF8DE57CAC3D5B2F82A72DA1C3");
	assert_null(rep.policies[1].policy_strings[2]);
	assert_int_equal(rep.policies[0].n_mx_hosts, 0);
	assert_non_null(rep.policies[0].mx_hosts);
	tlsrpt_report_clear(&rep);
	diag_clear(&d);

	/* a zone-less date-time is UTC: 2023-01-10T00:00:00Z .. 23:59:59Z */
	parse_file("real/microsoft-2023-no-timezone.json", &rep, &d);
	assert_int_equal(rep.start, 1673308800);
	assert_int_equal(rep.end, 1673308800 + 86399);
	tlsrpt_report_clear(&rep);
	diag_clear(&d);

	/* an empty sending-mta-ip is absent; the other addresses stay */
	parse_file("real/google-2024-empty-sending-ip.json", &rep, &d);
	assert_null(rep.policies[0].failures[0].sending_mta_ip);
	assert_string_equal(rep.policies[0].failures[0].receiving_ip, "192.0.2.13");
	assert_int_equal(rep.policies[0].failures[0].failed_session_count, 4);
	tlsrpt_report_clear(&rep);
	diag_clear(&d);

	/* Postfix: no-policy-found without policy-domain */
	parse_file("real/postfix-tlsrpt-2025-no-policy-domain.json", &rep, &d);
	assert_int_equal(rep.policies[0].type, TLSRPT_POLICY_NO_POLICY);
	assert_null(rep.policies[0].policy_domain);
	assert_int_equal(rep.policies[0].n_policy_strings, 0);
	assert_null(rep.policies[0].policy_strings[0]);
	tlsrpt_report_clear(&rep);
	diag_clear(&d);

	/* mx-host as one string; a next-midnight end with +00:00 */
	parse_file("tlsrpt-reports/mx-host-as-string.json", &rep, &d);
	assert_int_equal(rep.policies[0].n_mx_hosts, 1);
	assert_string_equal(rep.policies[0].mx_hosts[0], "*.mx.example.com");
	assert_int_equal(rep.end - rep.start, 86400);
	tlsrpt_report_clear(&rep);
	diag_clear(&d);

	/* every registered result type is known; the day covers 00:00 to 23:59:59 */
	parse_file("tlsrpt-reports/all-failure-types.json", &rep, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(rep.n_policies, 3);
	assert_int_equal(rep.policies[0].n_failures + rep.policies[1].n_failures, 11);
	for (i = 0; i < rep.policies[0].n_failures; i++)
		assert_non_null(tlsrpt_result_type_known(rep.policies[0].failures[i].result_type));
	assert_int_equal(rep.start, 1710028800);
	tlsrpt_report_clear(&rep);
	assert_null(rep.policies);
	assert_int_equal(rep.n_policies, 0);
	tlsrpt_report_clear(NULL);
	diag_clear(&d);
}

/* The parser under test for vectors_run_cases(). */
static int parse_report(const char *data, size_t len, struct diag_list *diags)
{
	return tlsrpt_parse(data, len, NULL, diags);
}

/* Building blocks of the project's cases. */
#define HEAD        "\"organization-name\":\"Org\",\"contact-info\":\"a@example.net\",\"report-id\":\"r\","
#define DATES(s, e) "\"date-range\":{\"start-datetime\":\"" s "\",\"end-datetime\":\"" e "\"},"
#define DAY         DATES("2024-03-10T00:00:00Z", "2024-03-10T23:59:59Z")
#define STS                                                                                        \
	"\"policy-type\":\"sts\",\"policy-string\":[\"version: "                                   \
	"STSv1\"],\"policy-domain\":\"example.com\""
#define SUM(ok, ko) "\"total-successful-session-count\":" ok ",\"total-failure-session-count\":" ko
#define POLICIES(pol, sum, rest)                                                                   \
	"\"policies\":[{\"policy\":{" pol "},\"summary\":{" sum "}" rest "}]"
#define DETAILS(f) ",\"failure-details\":[{" f "}]"
#define FAIL(type, extra)                                                                          \
	"\"result-type\":\"" type "\",\"sending-mta-ip\":\"192.0.2.1\","                           \
	"\"receiving-mx-hostname\":\"mx.example.com\",\"failed-session-count\":1" extra
#define REPORT(head, dates, pols) "{" head dates pols "}"
#define PLAIN(rest)               REPORT(HEAD, DAY, POLICIES(STS, SUM("1", "1"), rest))

/* covers: RPT-JSON-01 .. RPT-JSON-13, RPT-RES-02, RPT-RES-03 (cases beyond the vectors) */
static void test_rpt_project_cases(void **state)
{
	static const struct vectors_case cases[] = {
		{ "RPT-JSON-02", PLAIN(DETAILS(FAIL("certificate-expired", ""))), 0, 0, true,
		  DIAG_OK, NULL },
		{ "RPT-JSON-01", "hello", 0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-01" },
		{ "RPT-JSON-01", "", 0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-01" },
		{ "RPT-JSON-01", "\xef\xbb\xbf" PLAIN(""), 0, 0, false, DIAG_WARN, "RPT-JSON-01" },
		{ "RPT-JSON-01", "{\"report-id\":\"r\xff\"}", 0, -EINVAL, false, DIAG_ERROR,
		  "RPT-JSON-01" },
		{ "RPT-JSON-01", "{\"report-id\":\"r\\u0000\"}", 0, -EINVAL, false, DIAG_ERROR,
		  "RPT-JSON-01" },
		{ "RPT-JSON-01",
		  PLAIN(DETAILS(FAIL("certificate-expired", ",\"result-type\":\"x\""))), 0, -EINVAL,
		  false, DIAG_ERROR, "RPT-JSON-01" },
		{ "RPT-JSON-02", "[]", 0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02", "{}", 0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02",
		  REPORT("\"report-id\":\"r\",", DAY, POLICIES(STS, SUM("1", "0"), "")), 0, 0,
		  false, DIAG_WARN, "RPT-JSON-07" },
		{ "RPT-JSON-02",
		  REPORT("\"report-id\":\"r\",\"contact-info\":\"a@b\",", DAY,
			 POLICIES(STS, SUM("1", "0"), "")),
		  0, 0, false, DIAG_WARN, "RPT-JSON-02" },
		{ "RPT-JSON-02", REPORT(HEAD, "", POLICIES(STS, SUM("1", "0"), "")), 0, -EINVAL,
		  false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02", REPORT(HEAD, DAY, "\"x\":1"), 0, -EINVAL, false, DIAG_ERROR,
		  "RPT-JSON-02" },
		{ "RPT-JSON-02", REPORT(HEAD, DAY, "\"policies\":[]"), 0, 0, false, DIAG_WARN,
		  "RPT-JSON-02" },
		{ "RPT-JSON-02", REPORT(HEAD, DAY, POLICIES(STS, SUM("5.0", "0"), "")), 0, 0, true,
		  DIAG_OK, NULL },
		{ "RPT-JSON-02", REPORT(HEAD, DAY, POLICIES(STS, SUM("5.5", "0"), "")), 0, -EINVAL,
		  false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02", REPORT(HEAD, DAY, POLICIES(STS, SUM("true", "0"), "")), 0, -EINVAL,
		  false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02", REPORT(HEAD, DAY, POLICIES(STS, SUM("1e300", "0"), "")), 0,
		  -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02",
		  REPORT(HEAD, DAY, POLICIES(STS, "\"total-failure-session-count\":0", "")), 0,
		  -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02", PLAIN(DETAILS("\"failed-session-count\":1")), 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02", PLAIN(",\"failure-details\":{}"), 0, -EINVAL, false, DIAG_ERROR,
		  "RPT-JSON-02" },
		{ "RPT-JSON-02", PLAIN(DETAILS("\"result-type\":\"certificate-expired\"")), 0,
		  -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02",
		  REPORT(HEAD, DAY, POLICIES("\"policy-type\":\"sts\"", SUM("1", "0"), "")), 0,
		  -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-02",
		  PLAIN(
		      DETAILS("\"result-type\":\"certificate-expired\",\"failed-session-count\":1,"
			      "\"receiving-mx-hostname\":7")),
		  0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-03", REPORT(HEAD, DAY, "\"policies\":\"none\""), 0, -EINVAL, false,
		  DIAG_ERROR, "RPT-JSON-03" },
		{ "RPT-JSON-04",
		  REPORT(HEAD, DAY,
			 POLICIES("\"policy-type\":\"STS\",\"policy-domain\":\"a.b\"",
				  SUM("1", "0"), "")),
		  0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-04" },
		{ "RPT-JSON-05",
		  REPORT(HEAD, DATES("2024-03-10T23:59:59Z", "2024-03-10T00:00:00Z"),
			 POLICIES(STS, SUM("1", "0"), "")),
		  0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-05" },
		{ "RPT-JSON-05",
		  REPORT(HEAD, DATES("2024-03-10T02:00:00+02:00", "2024-03-11T00:00:00Z"),
			 POLICIES(STS, SUM("1", "0"), "")),
		  0, 0, true, DIAG_OK, NULL },
		{ "RPT-JSON-06",
		  REPORT(HEAD, DATES("2024-03-10T00:00:00Z", "2024-03-12T00:00:00Z"),
			 POLICIES(STS, SUM("1", "0"), "")),
		  0, 0, true, DIAG_WARN, "RPT-JSON-06" },
		{ "RPT-JSON-06",
		  REPORT(HEAD, DATES("2024-03-10T06:00:00Z", "2024-03-11T06:00:00Z"),
			 POLICIES(STS, SUM("1", "0"), "")),
		  0, 0, true, DIAG_WARN, "RPT-JSON-06" },
		{ "RPT-JSON-07",
		  REPORT("\"organization-name\":\"O\",\"contact-info\":\"nobody\",\"report-id\":"
			 "\"r\",",
			 DAY, POLICIES(STS, SUM("1", "0"), "")),
		  0, 0, false, DIAG_WARN, "RPT-JSON-07" },
		{ "RPT-JSON-08",
		  REPORT(HEAD, DAY,
			 POLICIES("\"policy-type\":\"sts\",\"policy-string\":[],"
				  "\"policy-domain\":\"b\xc3\xbc"
				  "cher.example\"",
				  SUM("1", "0"), "")),
		  0, 0, false, DIAG_WARN, "RPT-JSON-08" },
		{ "RPT-JSON-10",
		  REPORT(HEAD, DAY, POLICIES(STS ",\"mx-host\":[]", SUM("1", "0"), "")), 0, 0, true,
		  DIAG_INFO, "RPT-JSON-10" },
		{ "RPT-JSON-10",
		  REPORT(HEAD, DAY, POLICIES(STS ",\"mx-host\":[1]", SUM("1", "0"), "")), 0,
		  -EINVAL, false, DIAG_ERROR, "RPT-JSON-02" },
		{ "RPT-JSON-11",
		  PLAIN(DETAILS(
		      FAIL("certificate-expired", ",\"receiving-ip\":\"2001:db8:abcd:0012::1\""))),
		  0, 0, true, DIAG_OK, NULL },
		{ "RPT-JSON-11",
		  PLAIN(DETAILS(
		      FAIL("certificate-expired", ",\"receiving-ip\":\"::ffff:192.0.2.1\""))),
		  0, 0, true, DIAG_OK, NULL },
		{ "RPT-JSON-11",
		  PLAIN(DETAILS(FAIL("certificate-expired", ",\"receiving-ip\":\"192.0.2\""))), 0,
		  -EINVAL, false, DIAG_ERROR, "RPT-JSON-11" },
		{ "RPT-JSON-11",
		  PLAIN(DETAILS(FAIL("certificate-expired", ",\"receiving-ip\":\"fe80::1%eth0\""))),
		  0, -EINVAL, false, DIAG_ERROR, "RPT-JSON-11" },
		{ "RPT-JSON-12",
		  REPORT(HEAD, DAY,
			 POLICIES(STS, SUM("1", "0"), DETAILS(FAIL("certificate-expired", "")))),
		  0, 0, true, DIAG_WARN, "RPT-JSON-12" },
		{ "RPT-JSON-13", PLAIN(",\"x-extension\":{\"a\":[1,2]}"), 0, 0, true, DIAG_OK,
		  NULL },
		{ "RPT-RES-02", PLAIN(DETAILS(FAIL("Certificate-Expired", ""))), 0, 0, true,
		  DIAG_WARN, "RPT-RES-02" },
		{ "RPT-RES-03", PLAIN(DETAILS(FAIL("certificate-not-trusted", ""))), 0, 0, true,
		  DIAG_INFO, "RPT-RES-03" },
		{ "RPT-RES-03",
		  PLAIN(DETAILS(FAIL("certificate-not-trusted", ",\"failure-reason-code\":\"x\""))),
		  0, 0, true, DIAG_OK, NULL },
	};

	(void)state;
	vectors_run_cases(cases, sizeof(cases) / sizeof(cases[0]), parse_report);
}

/* covers: RPT-JSON-12, RPT-RES-02: repeated deviations give one diagnostic with a count */
static void test_rpt_repeats(void **state)
{
	static const char in[] = REPORT(
	    HEAD, DAY,
	    POLICIES(
		STS, SUM("1", "3"),
		",\"failure-details\":[{" FAIL("x-one", "") "},{" FAIL(
		    "x-two",
		    "") "},"
			"{\"result-type\":\"sts-policy-fetch-error\",\"failed-session-count\":1,"
			"\"additional-info-uri\":\"https://example.net/r\"}]"));
	struct tlsrpt_report rep = { 0 };
	struct diag_list d = { 0 };

	(void)state;
	assert_int_equal(tlsrpt_parse(in, sizeof(in) - 1, &rep, &d), 0);
	/* missing sending-mta-ip, missing receiving-mx-hostname, unregistered result types */
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[2].req, "RPT-RES-02");
	assert_non_null(strstr(d.v[2].text, "x-one"));
	assert_non_null(strstr(d.v[2].text, "2 places in all"));
	assert_string_equal(rep.policies[0].failures[2].additional_information,
			    "https://example.net/r");
	assert_null(rep.policies[0].failures[2].sending_mta_ip);
	tlsrpt_report_clear(&rep);
	diag_clear(&d);
}

/*
 * covers: RPT-JSON-14: a sender's control characters (JSON escapes \n, \u001b) reach no
 * string of the model as they are; each becomes \xHH, once recorded, and the report is kept
 */
static void test_rpt_control_chars(void **state)
{
	static const char in[] = REPORT(
	    "\"organization-name\":\"Evil\\nOrg\\u001b[31m\",\"contact-info\":\"a@example.net\","
	    "\"report-id\":\"r\",",
	    DAY,
	    POLICIES("\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"],"
		     "\"policy-domain\":\"example.com\",\"mx-host\":[\"mx\\r.example.com\"]",
		     SUM("1", "1"), DETAILS(FAIL("fake\\nline\\u007f", ""))));
	struct tlsrpt_report rep = { 0 };
	struct diag_list d = { 0 };
	size_t i, n = 0;

	(void)state;
	assert_int_equal(tlsrpt_parse(in, sizeof(in) - 1, &rep, &d), 0);
	assert_string_equal(rep.organization_name, "Evil\\x0aOrg\\x1b[31m");
	assert_string_equal(rep.policies[0].mx_hosts[0], "mx\\x0d.example.com");
	assert_string_equal(rep.policies[0].failures[0].result_type, "fake\\x0aline\\x7f");
	for (i = 0; i < d.n; i++) {
		if (strcmp(d.v[i].req, "RPT-JSON-14") != 0)
			continue;
		n++;
		assert_int_equal(d.v[i].level, DIAG_WARN);
		assert_non_null(strstr(d.v[i].text, "3 strings with control characters"));
	}
	assert_int_equal(n, 1);
	tlsrpt_report_clear(&rep);
	diag_clear(&d);
}

/* covers: RPT-JSON-14: over 10 MiB is refused unread; at the limit it is read */
static void test_rpt_size_limit(void **state)
{
	static const char small[] = PLAIN("");
	struct tlsrpt_report rep = { 0 };
	struct diag_list d = { 0 };
	char *big = malloc(TLSRPT_MAX_REPORT + 1);

	(void)state;
	assert_non_null(big);
	memset(big, ' ', TLSRPT_MAX_REPORT + 1);
	memcpy(big, small, sizeof(small) - 1);
	assert_int_equal(tlsrpt_parse(big, TLSRPT_MAX_REPORT, &rep, &d), 0);
	assert_string_equal(rep.report_id, "r");
	tlsrpt_report_clear(&rep);
	diag_clear(&d);
	/* one byte more: refused, and the output untouched */
	rep.n_policies = 42;
	assert_int_equal(tlsrpt_parse(big, TLSRPT_MAX_REPORT + 1, &rep, &d), -EINVAL);
	assert_int_equal(rep.n_policies, 42);
	assert_null(rep.report_id);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].req, "RPT-JSON-14");
	diag_clear(&d);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpt_json_vectors),
		cmocka_unit_test(test_rpt_real_vectors),
		cmocka_unit_test(test_rpt_tolerant_readings),
		cmocka_unit_test(test_rpt_project_cases),
		cmocka_unit_test(test_rpt_repeats),
		cmocka_unit_test(test_rpt_control_chars),
		cmocka_unit_test(test_rpt_size_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

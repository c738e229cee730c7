/*
 * test_report_mail.c - TLS-RPT report bytes out of mail and files (agent/report_mail.c):
 * RPT-DLV-03, -04, -06, -07, -08 and RPT-JSON-14. The shape bounds GMime is protected by have
 * their own test (test_mailshape.c).
 *
 * The real messages of tests/vectors/spec/real/ (kind "tlsrpt-email" in real.json) must each
 * yield exactly their report, with its file name, and the JSON of the sample next to them.
 * The other messages are built here, with zlib for the gzip parts.
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
#include <jansson.h>
#include <zlib.h>

#include "agent/report_mail.h"
#include "tests/unit/vectors.h"

/* A growing buffer for the messages and gzip data built here. */
struct buf {
	char *p;
	size_t n;
};

static void add_bytes(struct buf *b, const void *data, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->n, data, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void add(struct buf *b, const char *text)
{
	add_bytes(b, text, strlen(text));
}

/* RFC 2045 §6.8 base64, in lines of 76 characters. */
static void add_base64(struct buf *b, const void *data, size_t n)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = abc[v >> 18 & 63];
		q[1] = abc[v >> 12 & 63];
		q[2] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? abc[v & 63] : '=';
		add_bytes(b, q, 4);
		col += 4;
		if (col == 76) {
			add(b, "\r\n");
			col = 0;
		}
	}
	add(b, "\r\n");
}

/* One gzip member holding "repeat" copies of data. */
static struct buf gzip_of(const void *data, size_t len, size_t repeat)
{
	unsigned char out[65536];
	struct buf b = { 0 };
	z_stream zs;
	size_t i;
	int zr;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	for (i = 0; i <= repeat; i++) {
		int flush = i == repeat ? Z_FINISH : Z_NO_FLUSH;

		zs.next_in = (Bytef *)(i == repeat ? "" : data);
		zs.avail_in = i == repeat ? 0 : (uInt)len;
		do {
			zs.next_out = out;
			zs.avail_out = sizeof(out);
			zr = deflate(&zs, flush);
			add_bytes(&b, out, sizeof(out) - zs.avail_out);
		} while (zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	}
	assert_int_equal(deflateEnd(&zs), Z_OK);
	return b;
}

static struct buf read_vector(const char *name)
{
	char *path = vectors_path(name);
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		add_bytes(&b, chunk, n);
	fclose(f);
	free(path);
	return b;
}

/* The same JSON value: equal bytes, or else equal once parsed (whitespace may differ). */
static void assert_same_json(const unsigned char *got, size_t n, const struct buf *want)
{
	json_t *a, *b;

	if (n == want->n && memcmp(got, want->p, n) == 0)
		return;
	a = json_loadb((const char *)got, n, 0, NULL);
	b = json_loadb(want->p, want->n, 0, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
}

static const char report[] =
    "{\"organization-name\":\"Example Sender\",\"date-range\":{\"start-datetime\":"
    "\"2024-01-01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},\"contact-info\":"
    "\"tlsrpt@sender.example\",\"report-id\":\"r1\",\"policies\":[]}";

#define HEAD                                                                                       \
	"From: tlsrpt@sender.example\r\n"                                                          \
	"To: tlsrpt@example.org\r\n"                                                               \
	"Subject: Report Domain: example.org Submitter: sender.example Report-ID: <r1@x>\r\n"      \
	"TLS-Report-Domain: example.org\r\n"                                                       \
	"TLS-Report-Submitter: sender.example\r\n"                                                 \
	"Message-ID: <m1@sender.example>\r\n"                                                      \
	"MIME-Version: 1.0\r\n"

#define REPORT_OPEN                                                                                \
	"Content-Type: multipart/report; report-type=tlsrpt; boundary=\"RB\"\r\n\r\n"              \
	"--RB\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate TLS report.\r\n\r\n"

/* A message: HEAD, a multipart/report, and one part with these headers and this base64 body. */
static struct buf report_message(const char *part_headers, const void *body, size_t len)
{
	struct buf m = { 0 };

	add(&m, HEAD REPORT_OPEN "--RB\r\n");
	add(&m, part_headers);
	add(&m, "Content-Transfer-Encoding: base64\r\n\r\n");
	add_base64(&m, body, len);
	add(&m, "--RB--\r\n");
	return m;
}

/* Run report_mail_extract() expecting failure r with want in the message (and where). */
static void expect_fail(const struct buf *m, int r, const char *want, const char *where)
{
	struct report_mail *mail = (struct report_mail *)&mail;
	struct mxs_error err = { 0 };

	assert_int_equal(report_mail_extract(m->p, m->n, &mail, &err), r);
	assert_ptr_equal(mail, (struct report_mail *)&mail);
	assert_non_null(err.what);
	if (strstr(err.what, want) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", want, err.what);
	if (where != NULL) {
		assert_non_null(err.where);
		assert_string_equal(err.where, where);
	}
	mxs_error_clear(&err);
}

/* What each real sample must yield (RPT-DLV-04, -06, -07). */
struct real_case {
	const char *file;
	const char *filename;
	const char *domain, *submitter, *message_id, *subject;
};

static const struct real_case real_cases[] = {
	{ "google-2022-sts-enforce.eml", "google.com!example.org!1663200000!1663286399!001.json.gz",
	  "example.org", "google.com", "000000000000f47cc505e8c8905c@google.com",
	  "Report Domain: example.org Submitter: google.com Report-ID: "
	  "<2022.09.15T00.00.00Z+example.org@google.com>" },
	{ "google-2024-no-policy-found.eml",
	  "google.com!example.com!1725321600!1725407999!001.json.gz", "example.com", "google.com",
	  "66d83c20.050a0220.a0566.1e8dtls@google.com",
	  "Report Domain: example.com Submitter: google.com Report-ID: "
	  "<2024.09.03T00.00.00Z+example.com@google.com>" },
	{ "microsoft-2023-no-timezone.eml",
	  "microsoft.com!example.org!1673308800!1673395199!133198585438131172.json.gz",
	  "example.org", "microsoft.com", "133198585438131172+example.org@example.org",
	  "Report Domain: example.org Submitter: microsoft.com Report-ID: "
	  "133198585438131172+example.org" },
};

/* RPT-DLV-03: every real sender's message yields exactly its report, as the sample has it. */
static void test_RPT_DLV_03_real_messages(void **state)
{
	json_t *vectors = vectors_load("real/real.json"), *v;
	size_t i, k, seen = 0;

	(void)state;
	assert_non_null(vectors);
	json_array_foreach(vectors, i, v)
	{
		const char *file = vectors_string(v, "file"), *kind = vectors_string(v, "kind");
		const struct real_case *c = NULL;
		struct report_mail *mail = NULL;
		struct mxs_error err = { 0 };
		struct buf eml, want;
		char *json_name;

		if (kind == NULL || strcmp(kind, "tlsrpt-email") != 0)
			continue;
		for (k = 0; k < sizeof(real_cases) / sizeof(real_cases[0]); k++)
			if (strcmp(real_cases[k].file, file) == 0)
				c = &real_cases[k];
		if (c == NULL)
			fail_msg("%s: a real message without expectations in this test", file);
		json_name = mxs_strdupf("real/%s", file);
		eml = read_vector(json_name);
		free(json_name);
		if (report_mail_extract(eml.p, eml.n, &mail, &err) != 0)
			fail_msg("%s: %s", file, err.what);
		assert_true(mail->is_message);
		assert_int_equal(mail->n, 1);
		assert_true(mail->reports[0].was_gzip);
		assert_string_equal(mail->reports[0].content_type, "application/tlsrpt+gzip");
		assert_string_equal(mail->reports[0].filename, c->filename);
		assert_string_equal(mail->report_domain, c->domain);
		assert_string_equal(mail->report_submitter, c->submitter);
		assert_string_equal(mail->message_id, c->message_id);
		assert_string_equal(mail->subject, c->subject);
		assert_int_equal(mail->reports[0].json[mail->reports[0].len], '\0');

		json_name = mxs_strdupf("real/%.*s.json", (int)(strlen(file) - 4), file);
		want = read_vector(json_name);
		assert_same_json(mail->reports[0].json, mail->reports[0].len, &want);
		free(json_name);
		free(want.p);

		/* The same message through the file entry point ("report ingest"). */
		mail = report_mail_free(mail);
		assert_int_equal(report_mail_extract_file(eml.p, eml.n, file, &mail, NULL), 0);
		assert_true(mail->is_message);
		assert_int_equal(mail->n, 1);
		mail = report_mail_free(mail);
		free(eml.p);
		seen++;
	}
	assert_int_equal(seen, sizeof(real_cases) / sizeof(real_cases[0]));
	json_decref(vectors);
}

/* RPT-DLV-03, -08: a gzip part of a multipart/report, base64, with a name in Content-Type only. */
static void test_RPT_DLV_08_gzip_part(void **state)
{
	struct buf gz = gzip_of(report, strlen(report), 1);
	struct buf m =
	    report_message("Content-Type: application/tlsrpt+gzip; name=\"s!example.org!1!"
			   "2.json.gz\"\r\n",
			   gz.p, gz.n);
	struct report_mail *mail = NULL;

	(void)state;
	assert_int_equal(report_mail_extract(m.p, m.n, &mail, NULL), 0);
	assert_int_equal(mail->n, 1);
	assert_true(mail->reports[0].was_gzip);
	assert_int_equal(mail->reports[0].len, strlen(report));
	assert_memory_equal(mail->reports[0].json, report, strlen(report));
	assert_string_equal(mail->reports[0].filename, "s!example.org!1!2.json.gz");
	assert_string_equal(mail->report_domain, "example.org");
	assert_string_equal(mail->report_submitter, "sender.example");
	assert_string_equal(mail->message_id, "m1@sender.example");
	report_mail_free(mail);
	free(m.p);
	free(gz.p);
}

/* RPT-DLV-03: an uncompressed JSON part in base64 is taken as it is, whatever its name. */
static void test_RPT_DLV_03_base64_json_part(void **state)
{
	struct buf m =
	    report_message("Content-Type: APPLICATION/TLSRPT+JSON\r\n", report, strlen(report));
	struct report_mail *mail = NULL;

	(void)state;
	assert_int_equal(report_mail_extract(m.p, m.n, &mail, NULL), 0);
	assert_int_equal(mail->n, 1);
	assert_false(mail->reports[0].was_gzip);
	assert_null(mail->reports[0].filename);
	assert_string_equal(mail->reports[0].content_type, "application/tlsrpt+json");
	assert_int_equal(mail->reports[0].len, strlen(report));
	assert_memory_equal(mail->reports[0].json, report, strlen(report));
	report_mail_free(mail);
	free(m.p);
}

/* A message without a report part: -ENOENT that says what was looked for. */
static void test_RPT_DLV_03_no_report(void **state)
{
	struct buf m = { 0 };

	(void)state;
	add(&m, HEAD "Content-Type: text/plain\r\n\r\nHello.\r\n");
	expect_fail(&m, -ENOENT, "no TLS-RPT report in the message", NULL);
	free(m.p);
	/* A text part named like a report, and a report inside an attached message, do not count. */
	m = (struct buf){ 0 };
	add(&m, HEAD "Content-Type: multipart/mixed; boundary=X\r\n\r\n"
		     "--X\r\nContent-Type: text/plain; name=r.json\r\n\r\n{}\r\n"
		     "--X\r\nContent-Type: message/rfc822\r\n\r\n" HEAD
		     "Content-Type: application/tlsrpt+json\r\n\r\n{}\r\n--X--\r\n");
	expect_fail(&m, -ENOENT, "application/tlsrpt+gzip", NULL);
	free(m.p);
}

/* RPT-JSON-14: a gzip bomb attachment (100 MiB of zeros) is refused, naming the part. */
static void test_RPT_JSON_14_bomb_part(void **state)
{
	static const unsigned char mib[1024 * 1024];
	struct buf gz = gzip_of(mib, sizeof(mib), 100);
	struct buf m =
	    report_message("Content-Type: application/tlsrpt+gzip\r\n"
			   "Content-Disposition: attachment; filename=\"bomb.json.gz\"\r\n",
			   gz.p, gz.n);

	(void)state;
	expect_fail(&m, -EFBIG, "report exceeds 10485760 bytes", "bomb.json.gz");
	free(m.p);
	free(gz.p);
}

/* RPT-JSON-14: the cap holds for all reports of a message together. */
static void test_RPT_JSON_14_total(void **state)
{
	size_t big = 6u * 1024 * 1024;
	char *json = malloc(big);
	struct buf gz, m = { 0 };

	(void)state;
	assert_non_null(json);
	memset(json, ' ', big);
	json[0] = '{';
	json[big - 1] = '}';
	gz = gzip_of(json, big, 1);
	add(&m, HEAD REPORT_OPEN);
	add(&m, "--RB\r\nContent-Type: application/tlsrpt+gzip\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n");
	add_base64(&m, gz.p, gz.n);
	add(&m, "--RB\r\nContent-Type: application/tlsrpt+gzip\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n");
	add_base64(&m, gz.p, gz.n);
	add(&m, "--RB--\r\n");
	expect_fail(&m, -EFBIG, "reports exceed 10485760 bytes of JSON in all", "MIME part 3");
	free(m.p);
	free(gz.p);
	free(json);
}

/*
 * Nested multipart/mixed, sloppy labels (RPT-DLV-07 names on generic types), quoted-printable,
 * an RFC 2231 file name, an mbox "From " line and LF line ends: every report in order.
 */
static void test_RPT_DLV_07_nested_and_sloppy(void **state)
{
	struct buf gz = gzip_of(report, strlen(report), 1);
	struct buf m = { 0 };
	struct report_mail *mail = NULL;
	struct mxs_error err = { 0 };

	(void)state;
	add(&m,
	    "From tlsrpt@sender.example Mon Jan  1 00:00:00 2024\n"
	    "From: a@sender.example\nSubject: =?utf-8?q?Report_Domain=3A_example.org?=\n"
	    "Content-Type: multipart/mixed; boundary=OUT\n\n"
	    "--OUT\nContent-Type: text/plain\n\nSee the attachments.\n"
	    "--OUT\nContent-Type: multipart/mixed; boundary=IN\n\n"
	    "--IN\nContent-Type: application/octet-stream\n"
	    "Content-Disposition: attachment; filename*=utf-8''a%21example.org%211%212.JSON.GZ\n"
	    "Content-Transfer-Encoding: base64\n\n");
	add_base64(&m, gz.p, gz.n);
	add(&m, "--IN\nContent-Type: application/json; name=\"b.json\"\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"{\"report-id\":=20\"q=3D1\",\n \"x\": 1}\n"
		"--IN--\n"
		"--OUT\nContent-Type: application/gzip; name=c.json.gz\n\n{\"plain\": true}\n"
		"--OUT--\n");
	if (report_mail_extract(m.p, m.n, &mail, &err) != 0)
		fail_msg("%s", err.what);
	assert_int_equal(mail->n, 3);
	assert_string_equal(mail->subject, "Report Domain: example.org");
	assert_null(mail->report_domain);
	assert_string_equal(mail->reports[0].filename, "a!example.org!1!2.JSON.GZ");
	assert_string_equal(mail->reports[0].content_type, "application/octet-stream");
	assert_true(mail->reports[0].was_gzip);
	assert_memory_equal(mail->reports[0].json, report, strlen(report));
	assert_string_equal(mail->reports[1].filename, "b.json");
	assert_false(mail->reports[1].was_gzip);
	assert_string_equal((const char *)mail->reports[1].json,
			    "{\"report-id\": \"q=1\",\n \"x\": 1}");
	/* Labelled gzip, but plain JSON: taken as JSON. The line end before a boundary is the
	 * boundary's (RFC 2046 §5.1.1). */
	assert_false(mail->reports[2].was_gzip);
	assert_string_equal((const char *)mail->reports[2].json, "{\"plain\": true}");
	report_mail_free(mail);
	free(m.p);
	free(gz.p);
}

/* RPT-DLV-08: gzip parts that are broken are refused, naming the part. */
static void test_RPT_DLV_08_broken_gzip(void **state)
{
	struct buf gz = gzip_of(report, strlen(report), 1);
	struct buf m;

	(void)state;
	m = report_message("Content-Type: application/tlsrpt+gzip; name=t.json.gz\r\n", gz.p,
			   gz.n / 2);
	expect_fail(&m, -EINVAL, "truncated", "t.json.gz");
	free(m.p);
	m = report_message("Content-Type: application/tlsrpt+gzip\r\n", "PK\x03\x04zip", 7);
	expect_fail(&m, -EINVAL, "neither gzip data", "MIME part 2");
	free(m.p);
	free(gz.p);
}

/* More report parts than REPORT_MAIL_MAX_REPORTS: -E2BIG. */
static void test_report_mail_too_many_parts(void **state)
{
	struct buf m = { 0 };
	int i;

	(void)state;
	add(&m, HEAD "Content-Type: multipart/mixed; boundary=X\r\n\r\n");
	for (i = 0; i <= REPORT_MAIL_MAX_REPORTS; i++)
		add(&m, "--X\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}\r\n");
	add(&m, "--X--\r\n");
	expect_fail(&m, -E2BIG, "more than 16 report parts", "MIME part 17");
	free(m.p);
}

/* Input that is not a message, or too big to read. */
static void test_report_mail_not_a_message(void **state)
{
	struct buf m = { 0 };
	char *huge;

	(void)state;
	add(&m, "\r\nno headers\r\n");
	expect_fail(&m, -EINVAL, "not a mail message", NULL);
	free(m.p);
	huge = malloc(REPORT_MAIL_MAX_INPUT + 1);
	assert_non_null(huge);
	memset(huge, 'a', REPORT_MAIL_MAX_INPUT + 1);
	m.p = huge;
	m.n = REPORT_MAIL_MAX_INPUT + 1;
	expect_fail(&m, -EFBIG, "exceeds the limit", NULL);
	free(huge);
}

/* "report ingest": a bare .json or .json.gz, told apart by content, not by name. */
static void test_report_mail_extract_file(void **state)
{
	struct buf gz = gzip_of(report, strlen(report), 1);
	struct report_mail *mail = NULL;
	struct mxs_error err = { 0 };
	char bom[256];

	(void)state;
	assert_int_equal(report_mail_extract_file(gz.p, gz.n, "/in/x!y!1!2.json", &mail, NULL), 0);
	assert_false(mail->is_message);
	assert_int_equal(mail->n, 1);
	assert_true(mail->reports[0].was_gzip);
	assert_string_equal(mail->reports[0].filename, "x!y!1!2.json");
	assert_null(mail->reports[0].content_type);
	assert_null(mail->report_domain);
	assert_memory_equal(mail->reports[0].json, report, strlen(report));
	mail = report_mail_free(mail);

	(void)snprintf(bom, sizeof(bom), "\xef\xbb\xbf\n %s", report);
	assert_int_equal(report_mail_extract_file(bom, strlen(bom), "-", &mail, NULL), 0);
	assert_false(mail->reports[0].was_gzip);
	assert_null(mail->reports[0].filename);
	assert_string_equal((const char *)mail->reports[0].json, bom);
	mail = report_mail_free(mail);

	assert_int_equal(report_mail_extract_file("", 0, "f", &mail, &err), -EINVAL);
	assert_string_equal(err.what, "empty input");
	assert_int_equal(report_mail_extract_file("\x00\x01garbage", 9, "f", &mail, &err), -EINVAL);
	assert_string_equal(err.where, "f");
	assert_non_null(strstr(err.what, "neither a mail message"));
	assert_int_equal(report_mail_extract_file(gz.p, gz.n - 1, NULL, &mail, &err), -EINVAL);
	assert_string_equal(err.where, "standard input");
	assert_non_null(strstr(err.what, "truncated"));
	assert_null(mail);
	mxs_error_clear(&err);
	free(gz.p);
	assert_null(report_mail_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_RPT_DLV_03_real_messages),
		cmocka_unit_test(test_RPT_DLV_08_gzip_part),
		cmocka_unit_test(test_RPT_DLV_03_base64_json_part),
		cmocka_unit_test(test_RPT_DLV_03_no_report),
		cmocka_unit_test(test_RPT_JSON_14_bomb_part),
		cmocka_unit_test(test_RPT_JSON_14_total),
		cmocka_unit_test(test_RPT_DLV_07_nested_and_sloppy),
		cmocka_unit_test(test_RPT_DLV_08_broken_gzip),
		cmocka_unit_test(test_report_mail_too_many_parts),
		cmocka_unit_test(test_report_mail_not_a_message),
		cmocka_unit_test(test_report_mail_extract_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

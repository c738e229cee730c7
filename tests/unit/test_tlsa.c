/*
 * test_tlsa.c - TLSA records (lib/tlsa.c), driven by shared/spec/vectors/dane-tlsa.json and
 * dane-association.json, plus the project's own cases: wire RDATA, the zone-file form, Full(0)
 * data that is not DER.
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

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "lib/tlsa.h"
#include "tests/unit/vectors.h"

/* One vector of dane-tlsa.json: "usable", "expect", the zone-file form read back. */
static size_t check_tlsa(const json_t *v, struct diag_list *d, void *ctx)
{
	const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
	const char *input = vectors_string(v, "input");
	const json_t *expect = json_object_get(v, "expect");
	bool want_usable = json_is_true(json_object_get(v, "usable"));
	struct tlsa_rr rr = { .usage = 77 }, again = { 0 };
	size_t failures = 0;
	char *text = NULL;
	int r;

	(void)ctx;
	assert_non_null(input);
	r = tlsa_parse(input, strlen(input), &rr, d);
	assert_int_not_equal(r, -ENOMEM);
	if ((r == 0 && tlsa_usable(&rr)) != want_usable) {
		print_error("%s (%s): expected usable %d, got %d\n", id, req, want_usable,
			    !want_usable);
		failures++;
	}
	if (r < 0 && rr.usage != 77) {
		print_error("%s (%s): record written on failure\n", id, req);
		failures++;
	}
	if (expect != NULL &&
	    (r != 0 || rr.usage != json_integer_value(json_object_get(expect, "usage")) ||
	     rr.selector != json_integer_value(json_object_get(expect, "selector")) ||
	     rr.mtype != json_integer_value(json_object_get(expect, "mtype")) ||
	     (json_int_t)rr.len != json_integer_value(json_object_get(expect, "data_len")))) {
		print_error("%s (%s): expected %s, got %d: %u %u %u, %zu bytes\n", id, req,
			    json_dumps(expect, JSON_COMPACT), r, rr.usage, rr.selector, rr.mtype,
			    rr.len);
		failures++;
	}
	/* DANE-SEL-03: the zone-file form reads back to the same bytes */
	if (r == 0) {
		assert_int_equal(tlsa_format(&rr, &text), 0);
		if (tlsa_parse(text, strlen(text), &again, NULL) != 0 || again.len != rr.len ||
		    memcmp(again.data, rr.data, rr.len) != 0 || again.usage != rr.usage ||
		    again.selector != rr.selector || again.mtype != rr.mtype) {
			print_error("%s (DANE-SEL-03): \"%s\" does not read back\n", id, text);
			failures++;
		}
	}
	free(text);
	tlsa_clear(&rr);
	tlsa_clear(&again);
	return failures;
}

/* covers: DANE-USG-02, DANE-USG-03, DANE-USG-04, DANE-SEL-02, DANE-SEL-03, DANE-SEL-06, DD1,
 * DD2 (every vector of dane-tlsa.json) */
static void test_tlsa_vectors(void **state)
{
	(void)state;
	vectors_run("dane-tlsa.json", NULL, 19, check_tlsa, NULL);
}

/* covers: DANE-SEL-01, DANE-SEL-02: every "selector matching-type" of dane-association.json */
static void test_DANE_SEL_01_association_vectors(void **state)
{
	json_t *root = vectors_load("dane-association.json");
	size_t i, failures = 0, checked = 0;
	json_t *v;

	(void)state;
	assert_non_null(root);
	json_array_foreach(root, i, v)
	{
		const char *id = vectors_string(v, "id"), *req = vectors_string(v, "req");
		struct certinfo *ci = vectors_load_cert(vectors_string(v, "cert"));
		json_t *expect = json_object_get(v, "expect"), *want;
		const char *key;

		json_object_foreach(expect, key, want)
		{
			unsigned sel, mt;
			unsigned char *data = NULL;
			size_t len = 0, k;
			char *hex;
			struct tlsa_rr rr = { 0 };
			const char *w = json_string_value(want);

			assert_int_equal(sscanf(key, "%u %u", &sel, &mt), 2);
			assert_int_equal(
			    tlsa_association(ci, (uint8_t)sel, (uint8_t)mt, &data, &len), 0);
			hex = malloc(2 * len + 1);
			assert_non_null(hex);
			for (k = 0; k < len; k++)
				(void)snprintf(hex + 2 * k, 3, "%02x", data[k]);
			hex[2 * len] = '\0';
			if (strcmp(hex, w) != 0) {
				print_error("%s (%s): \"%s\" expected %s, got %s\n", id, req, key,
					    w, hex);
				failures++;
			}
			/* the same data as a record matches the certificate */
			rr.selector = (uint8_t)sel;
			rr.mtype = (uint8_t)mt;
			rr.data = data;
			rr.len = len;
			if (tlsa_matches(&rr, ci) != 1) {
				print_error("%s (%s): \"%s\" record does not match\n", id, req,
					    key);
				failures++;
			}
			rr.data[0] ^= 1;
			assert_int_equal(tlsa_matches(&rr, ci), 0);
			free(hex);
			free(data);
			checked++;
		}
		(void)certinfo_free(ci);
	}
	json_decref(root);
	assert_true(checked >= 30);
	if (failures > 0)
		fail_msg("%zu association failure(s)", failures);
}

/* The parser under test for vectors_run_cases(). */
static int parse_tlsa(const char *data, size_t len, struct diag_list *diags)
{
	struct tlsa_rr rr = { 0 };
	int r = tlsa_parse(data, len, &rr, diags);

	tlsa_clear(&rr);
	return r;
}

/* covers: DANE-SEL-03, DANE-USG-04, DANE-SEL-06: cases beyond the vectors */
static void test_tlsa_project_cases(void **state)
{
	static const char ca_spki[] =
	    "3059301306072a8648ce3d020106082a8648ce3d03010703420004be7a8d169a6ed90529fda73e3aab"
	    "f8759de1ee432fea01b497175e3e3501c3887aeb66201a624b8e4085f3f4ebaa4b72de306d5e7f1ad5d"
	    "732a34df8a097f30d";
	char full_ta[300], full_bad[32];
	const struct vectors_case cases[] = {
		/* DANE-SEL-03: whitespace between the two digits of one byte, tabs, newlines */
		{ "DANE-SEL-03",
		  " 3\t1 1 2f28d43da2ee4f234139ab89d6426922\n5a537bd39e11ff622aa076b8c623c2f 9 ", 0,
		  0, true, DIAG_OK, NULL },
		{ "DANE-SEL-03", "3 1 1 ", 0, -EINVAL, false, DIAG_WARN, "DANE-SEL-03" },
		{ "DANE-SEL-03", "", 0, -EINVAL, false, DIAG_WARN, "DANE-SEL-03" },
		{ "DANE-SEL-03", "3 1", 0, -EINVAL, false, DIAG_WARN, "DANE-SEL-03" },
		{ "DANE-SEL-03", "-3 1 1 00", 0, -EINVAL, false, DIAG_WARN, "DANE-SEL-03" },
		{ "DANE-SEL-03", "0003 1 1 00", 0, -EINVAL, false, DIAG_WARN, "DANE-SEL-03" },
		{ "DANE-SEL-03", "3,1,1 00", 0, -EINVAL, false, DIAG_WARN, "DANE-SEL-03" },
		/* a NUL byte in the data is a non-hex character, not the end of the text */
		{ "DANE-USG-04",
		  "3 1 1 00\0"
		  "00",
		  11, -EINVAL, false, DIAG_WARN, "DANE-USG-04" },
		/* DANE-USG-04: Full(0) data must be the DER the selector names */
		{ "DANE-USG-04", full_bad, 0, 0, true, DIAG_WARN, "DANE-USG-04" },
		/* DANE-SEL-06: a DANE-TA(2) Full(0) SPKI record is usable but discouraged */
		{ "DANE-SEL-06", full_ta, 0, 0, true, DIAG_INFO, "DANE-SEL-06" },
		/* DD1 with a malformed digest: both reasons are given, still WARN */
		{ "DANE-USG-03", "1 0 2 00", 0, 0, true, DIAG_WARN, "DANE-USG-04" },
	};

	(void)state;
	assert_true(snprintf(full_ta, sizeof(full_ta), "2 1 0 %s", ca_spki) > 0);
	assert_true(snprintf(full_bad, sizeof(full_bad), "3 0 0 3059") > 0);
	vectors_run_cases(cases, sizeof(cases) / sizeof(cases[0]), parse_tlsa);
}

/* covers: DANE-SEL-03 (wire and text agree), DANE-USG-04 (short RDATA) */
static void test_tlsa_wire(void **state)
{
	static const unsigned char rdata[] = { 3,    1,    1,    0x2f, 0x28, 0xd4, 0x3d, 0xa2, 0xee,
					       0x4f, 0x23, 0x41, 0x39, 0xab, 0x89, 0xd6, 0x42, 0x69,
					       0x22, 0x5a, 0x53, 0x7b, 0xd3, 0x9e, 0x11, 0xff, 0x62,
					       0x2a, 0xa0, 0x76, 0xb8, 0xc6, 0x23, 0xc2, 0xf9 };
	static const char text[] =
	    "3 1 1 2f28d43da2ee4f234139ab89d64269225a537bd39e11ff622aa076b8c623c2f9";
	struct tlsa_rr rr = { 0 }, empty = { 0 };
	struct diag_list d = { 0 };
	char *out = NULL;

	(void)state;
	assert_int_equal(tlsa_from_wire(rdata, sizeof(rdata), &rr, &d), 0);
	assert_int_equal(d.n, 0);
	assert_true(tlsa_usable(&rr));
	assert_int_equal(tlsa_format(&rr, &out), 0);
	assert_string_equal(out, text);
	free(out);
	tlsa_clear(&rr);
	assert_null(rr.data);
	/* fewer than 3 bytes is no record */
	assert_int_equal(tlsa_from_wire(rdata, 2, &rr, &d), -EINVAL);
	assert_int_equal(diag_worst(&d, 0), DIAG_WARN);
	assert_true(diag_any_invalid(&d, 0));
	/* a record without data is read but unusable, and has no zone-file form */
	assert_int_equal(tlsa_from_wire(rdata, 3, &empty, NULL), 0);
	assert_false(tlsa_usable(&empty));
	assert_int_equal(tlsa_format(&empty, &out), -EINVAL);
	tlsa_clear(&empty);
	tlsa_clear(NULL);
	tlsa_array_free(NULL, 3);
	diag_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlsa_vectors),
		cmocka_unit_test(test_DANE_SEL_01_association_vectors),
		cmocka_unit_test(test_tlsa_project_cases),
		cmocka_unit_test(test_tlsa_wire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

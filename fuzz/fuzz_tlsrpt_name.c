/*
 * fuzz_tlsrpt_name.c - libFuzzer target for tlsrpt_name_parse() (lib/tlsrpt_name.c), the file
 * name of a report attachment or upload (RFC 8460 §5.1, RPT-DLV-07), as any bytes.
 *
 * Properties checked beyond "no crash":
 *  - the result is 0, -EINVAL or -ENOMEM, and 0 exactly when no diagnostic is invalid;
 *  - every diagnostic is well formed (fuzz_diag.h) and is a WARN of RPT-DLV-07: a name that
 *    breaks the grammar never costs the report;
 *  - an accepted name has a sender and a policy domain, a known extension, end >= begin and an
 *    alphanumeric unique-id when it has one;
 *  - parsing the same input again, without a diagnostic list or output, gives the same result.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tlsrpt_name.h"
#include "fuzz/fuzz_diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parts of an accepted name are the input's: "SENDER!DOMAIN!" first, ".EXT" last. */
static void check_parts(const char *buf, size_t size, const struct tlsrpt_name *n)
{
	size_t ls = strlen(n->sender), ld = strlen(n->policy_domain), le = strlen(n->extension);

	if (size < ls + ld + le + 3 || memcmp(buf, n->sender, ls) != 0 || buf[ls] != '!' ||
	    memcmp(buf + ls + 1, n->policy_domain, ld) != 0 || buf[ls + 1 + ld] != '!' ||
	    buf[size - le - 1] != '.' || memcmp(buf + size - le, n->extension, le) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct tlsrpt_name n = { 0 };
	struct diag_list d = { 0 };
	size_t i;
	int r, r2;

	r = tlsrpt_name_parse(buf, size, &n, &d);
	if (r == -ENOMEM)
		goto out;
	if (r != 0 && r != -EINVAL)
		abort();
	fuzz_check_diags(&d);
	if ((r == 0) == diag_any_invalid(&d, 0))
		abort();
	for (i = 0; i < d.n; i++)
		if (d.v[i].level != DIAG_WARN || strcmp(d.v[i].req, "RPT-DLV-07") != 0)
			abort();
	if (r == 0) {
		if (n.sender == NULL || n.policy_domain == NULL || n.end < n.begin)
			abort();
		if (strcmp(n.extension, "json") != 0 && strcmp(n.extension, "json.gz") != 0)
			abort();
		for (i = 0; n.unique_id != NULL && n.unique_id[i] != '\0'; i++)
			if (!isalnum((unsigned char)n.unique_id[i]))
				abort();
		check_parts(buf, size, &n);
	}
	r2 = tlsrpt_name_parse(buf, size, NULL, NULL);
	if (r2 != r && r2 != -ENOMEM)
		abort();
out:
	tlsrpt_name_clear(&n);
	diag_clear(&d);
	return 0;
}

/*
 * fuzz_tlsrpt_value.c - libFuzzer target for the value syntaxes of a TLS-RPT report
 * (lib/tlsrpt_value.c): tlsrpt_datetime_parse() (RFC 3339, RPT-JSON-05), tlsrpt_ip_valid()
 * (RPT-JSON-11) and tlsrpt_result_type_known() (RPT-RES-01), each on the whole input as one
 * NUL-terminated string (bytes after a NUL are not seen, as in a JSON string jansson hands out).
 *
 * Properties checked beyond "no crash":
 *  - an accepted date-time has at least the 19 characters of "YYYY-MM-DDTHH:MM:SS"; one in UTC
 *    ("Z"), from the year 1000, without a leap second, formats back to those 19 characters;
 *  - an accepted IPv4 address is what inet_pton() reads and inet_ntop() writes back, byte for
 *    byte (no leading zeros); an accepted IPv6 address is one inet_pton() reads;
 *  - a known result type is returned as the registry's own string, equal to the input.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_datetime(const char *text)
{
	char back[32], want[20];
	bool zoned = false;
	struct tm tm;
	time_t t = 0;

	if (tlsrpt_datetime_parse(text, &t, &zoned) != 0)
		return;
	if (strlen(text) < 19)
		abort();
	if (!zoned && text[19] != '\0' && text[19] != '.')
		abort();
	/* the plain UTC form reads back as written */
	if (strcmp(text + 19, "Z") != 0 && strcmp(text + 19, "z") != 0)
		return;
	if (text[0] == '0' || (text[17] == '6' && text[18] == '0'))
		return;
	memcpy(want, text, 19);
	want[19] = '\0';
	want[10] = (char)toupper((unsigned char)want[10]);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(back, sizeof(back), "%Y-%m-%dT%H:%M:%S", &tm) != 19 || strcmp(back, want) != 0)
		abort();
}

static void check_ip(const char *text)
{
	unsigned char bin[16];
	char back[INET6_ADDRSTRLEN];

	if (!tlsrpt_ip_valid(text))
		return;
	if (strchr(text, ':') != NULL) {
		if (inet_pton(AF_INET6, text, bin) != 1)
			abort();
		return;
	}
	if (inet_pton(AF_INET, text, bin) != 1 ||
	    inet_ntop(AF_INET, bin, back, sizeof(back)) == NULL || strcmp(back, text) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char *known;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_datetime(text);
	check_ip(text);
	known = tlsrpt_result_type_known(text);
	if (known != NULL && (known == text || strcmp(known, text) != 0))
		abort();
	free(text);
	return 0;
}

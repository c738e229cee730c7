/*
 * tlsrpt_value.c - the value syntaxes of a TLS-RPT report and its registries; see tlsrpt.h.
 *
 * RFC 3339 date-times (RPT-JSON-05), the IP address strings of failure details (RPT-JSON-11),
 * the policy types (RPT-JSON-04) and the result type registry (RFC 8460 §6.6, RPT-RES-01).
 * Kept apart from the report walk in tlsrpt.c so that each reads on its own.
 */
#include "lib/tlsrpt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

/* RFC 8460 §4.3 / §6.6: the registered result types, in the RFC's order. */
static const char *const result_types[] = {
	"starttls-not-supported", "certificate-host-mismatch",
	"certificate-expired",    "certificate-not-trusted",
	"validation-failure",     "tlsa-invalid",
	"dnssec-invalid",         "dane-required",
	"sts-policy-fetch-error", "sts-policy-invalid",
	"sts-webpki-invalid",
};

const char *tlsrpt_result_type_known(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(result_types) / sizeof(result_types[0]); i++)
		if (strcmp(name, result_types[i]) == 0)
			return result_types[i];
	return NULL;
}

const char *tlsrpt_policy_type_name(enum tlsrpt_policy_type type)
{
	switch (type) {
	case TLSRPT_POLICY_STS:
		return "sts";
	case TLSRPT_POLICY_TLSA:
		return "tlsa";
	case TLSRPT_POLICY_NO_POLICY:
		return "no-policy-found";
	}
	return "?";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The number written by the n digits at p (already checked to be digits). */
static int number(const char *p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/*
 * Whether p begins with the layout: "d" stands for a digit, "T" for "T" or "t", anything else
 * for itself. A shorter p fails at its NUL, which nothing in a layout matches.
 */
static bool matches(const char *p, const char *layout)
{
	size_t i;

	for (i = 0; layout[i] != '\0'; i++) {
		bool ok = layout[i] == 'd'   ? is_digit(p[i])
			  : layout[i] == 'T' ? p[i] == 'T' || p[i] == 't'
					     : p[i] == layout[i];

		if (!ok)
			return false;
	}
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/*
 * RFC 3339 §5.6:
 *   date-time = full-date "T" full-time; full-date = YYYY "-" MM "-" DD
 *   full-time = HH ":" MM ":" SS [ "." 1*DIGIT ] ( "Z" / ( "+" / "-" ) HH ":" MM )
 * with "T" and "Z" case-insensitive (§5.6 NOTE). Seconds may be 60 (a leap second, read as the
 * next second, which is all a report's date-range needs).
 */
int tlsrpt_datetime_parse(const char *text, time_t *ret_time, bool *ret_zoned)
{
	const char *p = text + 19;
	struct tm tm = { 0 };
	bool zoned = true;
	int off = 0;
	time_t t;

	if (!matches(text, "dddd-dd-ddTdd:dd:dd"))
		return -EINVAL;
	tm.tm_year = number(text, 4) - 1900;
	tm.tm_mon = number(text + 5, 2) - 1;
	tm.tm_mday = number(text + 8, 2);
	tm.tm_hour = number(text + 11, 2);
	tm.tm_min = number(text + 14, 2);
	tm.tm_sec = number(text + 17, 2);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > days_in_month(tm.tm_year + 1900, tm.tm_mon + 1) || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	if (*p == '.') {
		if (!is_digit(p[1]))
			return -EINVAL;
		for (p++; is_digit(*p); p++)
			;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		if (!matches(p + 1, "dd:dd") || number(p + 1, 2) > 23 || number(p + 4, 2) > 59)
			return -EINVAL;
		off = (*p == '-' ? -1 : 1) * (number(p + 1, 2) * 3600 + number(p + 4, 2) * 60);
		p += 6;
	} else {
		/* RPT-JSON-05 tolerance: Microsoft (2023) writes no zone; read as UTC */
		zoned = false;
	}
	if (*p != '\0')
		return -EINVAL;
	t = timegm(&tm);
	/* -1 is also 1969-12-31T23:59:59Z itself */
	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
		return -EINVAL;
	*ret_time = t - off;
	if (ret_zoned != NULL)
		*ret_zoned = zoned;
	return 0;
}

/* RFC 8460 §4.4: dec-octet "." dec-octet "." dec-octet "." dec-octet, no leading zeros. */
static bool ipv4_valid(const char *s)
{
	int part;

	for (part = 0; part < 4; part++) {
		int v = 0, n = 0;

		if (part > 0 && *s++ != '.')
			return false;
		while (is_digit(s[n]) && n < 4)
			v = v * 10 + (s[n++] - '0');
		if (n == 0 || n > 3 || v > 255 || (n > 1 && s[0] == '0'))
			return false;
		s += n;
	}
	return *s == '\0';
}

bool tlsrpt_ip_valid(const char *text)
{
	unsigned char buf[16];

	if (text == NULL)
		return false;
	if (strchr(text, ':') == NULL)
		return ipv4_valid(text);
	/* RFC 4291 §2.2 text forms, including an embedded IPv4 tail; no zone index */
	return inet_pton(AF_INET6, text, buf) == 1;
}

/*
 * registry.c - the names of mxsentry's check plugins; see registry.h.
 *
 * Order matters only for output: checks are listed and run in this order.
 */
#include "checks/registry.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

extern const struct check check_mx_starttls;
extern const struct check check_cert_expiry;
extern const struct check check_mta_sts;
extern const struct check check_tls_rpt;
extern const struct check check_dane_tlsa;
extern const struct check check_dns_consistency;
extern const struct check check_tls_rpt_reports;

static const char *const names[CHECK_COUNT] = {
	"mx_starttls",     /* STARTTLS, TLS version, chain and name on every MX address */
	"cert_expiry",     /* time left on every presented certificate */
	"mta_sts",         /* _mta-sts TXT, policy fetch and policy rules (RFC 8461) */
	"tls_rpt",         /* _smtp._tls TXT (RFC 8460) */
	"dane_tlsa",       /* TLSA against the presented chains (RFC 7672) */
	"dns_consistency", /* authoritative servers agree on TXT, MX and TLSA */
	"tls_rpt_reports", /* what senders report (RFC 8460 reports received) */
};

/* Indexed like names[]; NULL where a plugin is not built (none today). */
static const struct check *const plugins[CHECK_COUNT] = {
	&check_mx_starttls, &check_cert_expiry,     &check_mta_sts,         &check_tls_rpt,
	&check_dane_tlsa,   &check_dns_consistency, &check_tls_rpt_reports,
};

int check_index(const char *name)
{
	int i;

	for (i = 0; i < CHECK_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -ENOENT;
}

const char *check_name(int i)
{
	return i >= 0 && i < CHECK_COUNT ? names[i] : NULL;
}

const struct check *check_plugin(int i)
{
	return i >= 0 && i < CHECK_COUNT ? plugins[i] : NULL;
}

const char *check_known_names(void)
{
	/* Built once from names[]: big enough for every name plus ", " (asserted below). */
	static char joined[256];
	size_t off = 0, len;
	int i;

	if (joined[0] != '\0')
		return joined;
	for (i = 0; i < CHECK_COUNT; i++) {
		len = strlen(names[i]);
		assert(off + len + 3 <= sizeof(joined));
		if (i > 0) {
			memcpy(joined + off, ", ", 2);
			off += 2;
		}
		memcpy(joined + off, names[i], len);
		off += len;
	}
	joined[off] = '\0';
	return joined;
}

/*
 * check.h - the interface of a check plugin (DESIGN.md, "Interfaces").
 *
 * A check is a const struct in its own file under checks/, listed in checks/registry.c. It
 * evaluates one domain's snapshot (lib/snapshot.h) into findings (lib/finding.h) as a pure
 * function: no I/O, no clock (the time is the snapshot's), no logging. That is what makes checks
 * unit-testable with hand-built snapshots and safe to run on anything the network sent.
 *
 * Life cycle, driven by the agent:
 *   configure(settings) once per domain and configuration load -> priv (validated settings);
 *   evaluate(snapshot, history, priv, findings) once per domain and cycle;
 *   release(priv) when the configuration goes away.
 *
 * Deviation from the sketch in STYLE.md: configure() takes the settings the agent has already
 * merged (global defaults, the domain's overrides, command-line flags) as a struct instead of a
 * libconfig setting, so that "mxsentry check" without a configuration file feeds the checks the
 * same way, and checks/ does not depend on libconfig.
 */
#ifndef MXS_CHECKS_CHECK_H
#define MXS_CHECKS_CHECK_H

#include "lib/error.h"
#include "lib/finding.h"
#include "lib/snapshot.h"

/* What the gatherer must collect for a check (bit set). */
enum obs {
	OBS_MX = 1u << 0,         /* MX RRset and the hosts' addresses */
	OBS_SMTP = 1u << 1,       /* an SMTP STARTTLS session per MX address and algorithm */
	OBS_STS_TXT = 1u << 2,    /* _mta-sts TXT */
	OBS_STS_POLICY = 1u << 3, /* the MTA-STS policy fetch */
	OBS_TLSA = 1u << 4,       /* _25._tcp TLSA per MX host */
	OBS_RPT_TXT = 1u << 5,    /* _smtp._tls TXT */
	OBS_NS_VIEWS = 1u << 6,   /* each authoritative server asked directly */
};

/* The merged settings a check may use; filled by the agent. */
struct check_settings {
	long cert_warning;  /* seconds of validity left below which a certificate is WARNING */
	long cert_critical; /* ... CRITICAL; < cert_warning */
	/* dane_tlsa's advice (DANE-ROT-03, DANE-SEL-06): SEVERITY_OK (zero, the default) or
	 * SEVERITY_WARNING */
	enum severity dane_single_record;
	enum severity dane_full_certificate;
	/*
	 * tls_rpt_reports (RFC 8460 reports received): a failure rate above rpt_alert_rate over at
	 * least rpt_alert_min_sessions sessions, or any failure of a type in rpt_alert_types
	 * (NULL-terminated; borrowed for configure()), is a finding. rpt_alert_rate 0: off.
	 */
	double rpt_alert_rate;
	unsigned rpt_alert_min_sessions;
	const char *const *rpt_alert_types;
};

/* The domain's history from the store; not available before the agent's store exists. */
struct history;

struct check {
	const char *name; /* configuration name, CHECK= journal field, metric label */
	unsigned needs;   /* enum obs bits */
	/*
	 * Validate settings and keep what evaluate() needs in *ret_priv (may stay NULL).
	 * Returns 0, or -EINVAL with reterr filled when the settings cannot work.
	 */
	int (*configure)(const struct check_settings *settings, void **ret_priv,
			 struct mxs_error *reterr);
	/*
	 * Append the findings about snap to out. hist may be NULL. Returns 0, or -ENOMEM (or
	 * another -errno for an internal failure): the agent then reports UNKNOWN for this check.
	 * Everything about the domain is a finding, never an error.
	 */
	int (*evaluate)(const struct snapshot *snap, const struct history *hist, const void *priv,
			struct findings *out);
	/* Release what configure() made. NULL-safe. */
	void (*release)(void *priv);
};

/*
 * configure() and release() of a check that has no settings of its own: *ret_priv = NULL, return
 * 0; release nothing. Shared so such plugins need not carry empty functions.
 */
int check_configure_none(const struct check_settings *settings, void **ret_priv,
			 struct mxs_error *reterr);
void check_release_none(void *priv);

#endif

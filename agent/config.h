/*
 * config.h - mxsentry's configuration: load a libconfig file, validate all of it, and hand out
 * typed settings with every default applied.
 *
 * The format and each setting are documented in docs/mxsentry.conf.5; etc/mxsentry.conf.example
 * shows a whole file. Validation is strict: an unknown key, a value of the wrong type or out of
 * range is an error naming file and line, and config_load() reports every error it finds, not
 * only the first, so that one run of "mxsentry config check" shows them all.
 *
 * The libconfig tree stays alive inside struct config, so later consumers (check plugins, alert
 * sinks) can be handed their own config_setting_t and validate it themselves.
 */
#ifndef MXS_AGENT_CONFIG_H
#define MXS_AGENT_CONFIG_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/error.h"
#include "lib/rollout.h"
#include "lib/severity.h"

/* Certificate expiry thresholds, in seconds of validity left (COMMON-EXP-04). */
struct cert_thresholds {
	long warning;  /* less than this left: WARNING (default 30 days) */
	long critical; /* less than this left: CRITICAL (default 14 days); < warning */
};

/* Per-step deadlines of a probe, in milliseconds. */
/*
 * How loud the dane_tlsa check's advice is (DANE-ROT-03, DANE-SEL-06): a pass through a single
 * record, a pass through a DANE-EE record of the whole certificate. SEVERITY_OK (the default)
 * or SEVERITY_WARNING.
 */
struct dane_advice {
	enum severity single_record;
	enum severity full_certificate;
};

struct timeouts {
	unsigned dns;      /* one DNS query, retries included */
	unsigned connect;  /* TCP connect to an MX address */
	unsigned greeting; /* the 220 banner after connect (COMMON-STLS-04) */
	unsigned command;  /* each SMTP reply after the banner */
	unsigned tls;      /* the TLS handshake */
	unsigned session;  /* one whole SMTP session, banner to QUIT */
	unsigned https;    /* one MTA-STS policy fetch (STS-FETCH-09) */
};

struct domain_config {
	char *name;                    /* normalised: lower case, no trailing dot */
	unsigned checks;               /* bit set of check indexes (checks/registry.h) */
	struct cert_thresholds cert;   /* the global thresholds unless overridden */
	struct dane_advice dane;       /* the global advice levels unless overridden */
	unsigned interval;             /* seconds between two checks of this domain */
	char **tags;                   /* NULL-terminated; never NULL itself */
	const config_setting_t *group; /* the domain's group, for plugins; owned by the config */
	/* the thresholds of "mxsentry rollout": the global ones unless overridden */
	struct rollout_thresholds rollout;
};

enum sink_kind {
	SINK_EMAIL,
	SINK_WEBHOOK,
	SINK_SYSLOG,
};

/* One alert destination. Only the fields of its kind are set; the rest are NULL / 0. */
struct sink_config {
	enum sink_kind kind;
	char *name; /* unique label, defaults to "<kind><n>" */
	enum severity min_severity;
	char **tags; /* route only domains carrying one of these; empty = all */
	/* email */
	char *relay; /* smtp:// or smtps:// URL */
	char *from;
	char **to; /* NULL-terminated, at least one */
	bool starttls_required;
	bool weekly_summary; /* also mail a weekly TLS-RPT summary of the domains routed here */
	char *username;
	char *password_file;
	char *ca_bundle; /* email, webhook: PEM roots for the relay or URL; NULL = the system's */
	/* webhook */
	char *url;
	bool alertmanager; /* Alertmanager v2 API format instead of mxsentry's JSON */
	char *hmac_key_file;
	unsigned timeout; /* milliseconds */
	/* syslog */
	int facility; /* LOG_* value */
	char *ident;
	const config_setting_t *group;
};

/* What senders' TLS-RPT reports must show to become findings (checks/tls_rpt_reports.c). */
struct reports_config {
	long window;           /* seconds: reports whose period ended within it count (2 days) */
	double alert_rate;     /* failure share above which it is a finding; 0 off (default 5%) */
	unsigned min_sessions; /* ... over at least this many sessions (default 100) */
	char **alert_types;    /* result types that are findings at any count; NULL-terminated,
				* never NULL (default certificate-expired, starttls-not-supported) */
	char *maildir; /* a Maildir the agent takes report mails from (agent/maildir.h), or NULL */
};

/* One silence: alerts matching it are held back until a time (lib/alert_decide.h). */
struct silence_config {
	char *domain;  /* NULL: every domain */
	char *code;    /* NULL: every code; a trailing "*" matches a prefix ("cert.*") */
	time_t until;  /* UTC */
	char *comment; /* why, for people; may be NULL */
};

/* How alerts are made and delivered (the "alerts" group beside the sinks). */
struct alert_config {
	unsigned damping; /* consecutive cycles a problem must hold before it alerts (default 2) */
	long reminder;    /* seconds between reminders of an open problem; 0 none (default 24 h) */
	long give_up;     /* seconds after which an undelivered alert is dropped (default 2 days) */
	struct silence_config *silences;
	size_t n_silences;
};

struct config {
	char *path;  /* the file given to config_load() */
	config_t lc; /* the parsed tree; settings above point into it */

	char *resolver;     /* "address" or "address:port"; NULL = /etc/resolv.conf */
	char *dnssec_probe; /* a signed name that must validate (AD); NULL = the root "." */
	char *ca_bundle;    /* PEM file of trusted roots for MX and policy hosts */
	char *ehlo_name;    /* NULL = the host's name */
	char *source_ipv4;  /* NULL = the kernel's choice */
	char *source_ipv6;
	char *state_dir;
	char *http_listen;     /* "address:port" of the HTTP endpoint, or NULL = off */
	char *report_path;     /* where TLS-RPT reports are POSTed on it (default "/tlsrpt") */
	unsigned interval;     /* default seconds between checks of one domain */
	unsigned max_sessions; /* SMTP sessions in flight, all domains together */
	unsigned max_domains;  /* domains gathered at once */
	unsigned checks;       /* default bit set of enabled checks */
	struct timeouts timeouts;
	struct cert_thresholds cert;
	struct dane_advice dane;
	struct rollout_thresholds rollout; /* "mxsentry rollout" (lib/rollout.h) */

	struct domain_config *domains;
	size_t n_domains;
	struct sink_config *sinks;
	size_t n_sinks;
	struct alert_config alerting;
	struct reports_config reports;
};

/*
 * Load and validate the configuration file at path.
 *
 * path:     the file; libconfig's @include directives are resolved relative to its folder.
 * ret_cfg:  on success, the new configuration; the caller frees it with config_free().
 * errs:     receives every error found, each with "file:line" as its place and a readable
 *           message; the caller frees it with mxs_errors_free(). May hold errors only when the
 *           return value is negative.
 *
 * Returns 0, -EINVAL when the file has errors (all of them are in errs), -ENOENT/-EACCES/... when
 * it cannot be read (also described in errs), or -ENOMEM.
 */
int config_load(const char *path, struct config **ret_cfg, struct mxs_errors *errs);

/*
 * A configuration with every default and no domains nor sinks, for commands run without a file
 * (e.g. "mxsentry check DOMAIN" as a Nagios plugin). Returns 0 and sets *ret_cfg (free with
 * config_free()), or -ENOMEM.
 */
int config_new_default(struct config **ret_cfg);

/*
 * Whether s is an IP address literal, optionally followed by ":port" ("[v6]:port" for IPv6);
 * with port_required, the port must be there. Used for "resolver" and "http.listen", and by
 * command-line flags that take the same values.
 */
bool config_valid_endpoint(const char *s, bool port_required);

/* Release a configuration. NULL-safe; returns NULL. */
struct config *config_free(struct config *cfg);

/* Name of a sink kind ("email", "webhook", "syslog"), static string. */
const char *sink_kind_name(enum sink_kind k);

#endif

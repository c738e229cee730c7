/*
 * snapshot.h - what one gathering cycle learnt about one domain: the input of every check.
 *
 * The gatherer (agent/) fills a snapshot once per domain and cycle; afterwards it is read-only,
 * and the checks (checks/) read it as plain data without any I/O (DESIGN.md, "gather once,
 * evaluate many"). Everything a check needs is here, already decoded: DNS outcomes, one SMTP
 * session per MX address and certificate algorithm, the TLS facts and the chains as presented,
 * and the results of validating them against the configured CA bundle.
 *
 * Ownership: a snapshot owns everything it points to; snapshot_free() releases it all.
 * Arrays are (pointer, count) pairs; counts are 0 when the pointer is NULL.
 */
#ifndef MXS_LIB_SNAPSHOT_H
#define MXS_LIB_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/certinfo.h"
#include "lib/finding.h"
#include "lib/tlsa.h"

/* Outcome of one DNS lookup. */
enum dns_status {
	DNS_OK,       /* records found */
	DNS_NODATA,   /* the name exists, no records of that type (RFC 2308) */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_SERVFAIL, /* the resolver failed: DNSSEC bogus or the zone's servers broken */
	DNS_TIMEOUT,  /* no answer before the deadline */
	DNS_ERROR,    /* anything else (refused, malformed answer, our own resources) */
};

/* The SMTP session steps, in order; a failed probe says at which step it stopped. */
enum probe_stage {
	STAGE_CONNECT,   /* TCP connect */
	STAGE_GREETING,  /* waiting for the 220 banner */
	STAGE_EHLO,      /* EHLO before TLS */
	STAGE_STARTTLS,  /* STARTTLS command, waiting for 220 */
	STAGE_HANDSHAKE, /* TLS handshake */
	STAGE_EHLO_TLS,  /* EHLO again over TLS (COMMON-STLS-03) */
	STAGE_QUIT,      /* QUIT; a failure here does not spoil the probe */
	STAGE_DONE,
};

/* How one SMTP session ended. */
enum probe_outcome {
	PROBE_OK,          /* TLS established and EHLO answered over TLS */
	PROBE_NO_STARTTLS, /* EHLO did not list STARTTLS (COMMON-STLS-01) */
	PROBE_REJECTED, /* the server answered 4xx/5xx at `stage` (banner 554, STARTTLS 454, ...) */
	PROBE_TLS_FAILED,   /* the TLS handshake failed (no common version or cipher, alert, ...) */
	PROBE_NO_ALGORITHM, /* an algorithm-restricted probe: the server has no such certificate;
			      * not a fault (see struct smtp_probe.alg) */
	PROBE_TIMEOUT,      /* a deadline passed at `stage` */
	PROBE_REFUSED,      /* TCP connection refused */
	PROBE_CLOSED,       /* the server closed the connection at `stage` */
	PROBE_PROTOCOL,     /* the server broke SMTP (malformed or oversized reply) at `stage` */
	PROBE_UNREACHABLE,  /* no route from here (ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL): most
			      * likely the agent's own network, reported UNKNOWN */
	PROBE_LOCAL_ERROR,  /* the agent's own failure (memory, sockets, OpenSSL setup) */
};

/* Which certificates the client offered to accept (by signature algorithm). */
enum probe_alg {
	PROBE_ALG_ANY,   /* the client's default preferences: the server picks */
	PROBE_ALG_ECDSA, /* only ECDSA signatures: reveals the server's ECDSA certificate */
	PROBE_ALG_RSA,   /* only RSA (PKCS#1 and PSS) signatures: reveals its RSA certificate */
};

/*
 * The result of validating a presented chain against the CA bundle (X.509 path validation with
 * the host name NOT checked here: checks/ match names with lib/hostmatch.h).
 */
struct chain_verdict {
	long code;  /* OpenSSL X509_V_OK (0) or X509_V_ERR_*; -1 when not attempted */
	char *text; /* X509_verify_cert_error_string(code), e.g. "certificate has expired" */
	int depth;  /* depth of the certificate the error is about, -1 when none */
};

/* One SMTP session to one address, from connect to QUIT. */
struct smtp_probe {
	enum probe_alg alg;
	enum probe_outcome outcome;
	enum probe_stage stage; /* where it stopped; STAGE_DONE after a full session */
	char *detail;           /* readable cause for anything but PROBE_OK: the server's reply
				  * line, the OpenSSL error, strerror(); NULL on success */
	int reply_code;         /* code of the last reply received, 0 if none */
	char *banner;           /* first line of the 220 greeting, or NULL */
	bool starttls_offered;  /* the pre-TLS EHLO listed STARTTLS */
	int tls_version; /* negotiated version (0x0301 TLS 1.0 ... 0x0304 TLS 1.3), 0 = none */
	char *tls_version_name;  /* "TLSv1.3" etc., or NULL */
	char *cipher;            /* negotiated cipher suite, or NULL */
	struct certinfo **chain; /* as presented, leaf first */
	size_t chain_len;
	/*
	 * Path validation of the presented chain against the CA bundle, as of the snapshot time,
	 * and as of that time plus the warning and the critical thresholds, so that any
	 * certificate of the built path (an intermediate or root from the bundle included) that
	 * expires first is caught. Only set when chain_len > 0.
	 */
	struct chain_verdict verify_now;
	struct chain_verdict verify_warning;
	struct chain_verdict verify_critical;
	/* The path OpenSSL built at "now" (leaf first, anchors from the bundle included). */
	struct certinfo **path;
	size_t path_len;
	unsigned connect_ms;   /* TCP connect duration */
	unsigned greeting_ms;  /* connect to banner */
	unsigned handshake_ms; /* TLS handshake duration, 0 if none */
	unsigned session_ms;   /* connect to the end */
};

/* One address of an MX host, with its sessions: first PROBE_ALG_ANY, then restricted ones. */
struct mx_address {
	int family;    /* AF_INET or AF_INET6 */
	char text[46]; /* the address as text (INET6_ADDRSTRLEN) */
	struct smtp_probe *probes;
	size_t n_probes;
};

/*
 * The TLSA RRset of one MX host (DANE-LKP-01: _25._tcp.<host>), read from the raw answer with
 * lib/dnswire.h so that the AD bit of the validating resolver is known (DANE-DNS-01).
 */
struct tlsa_lookup {
	bool looked_up; /* false: no enabled check needed it */
	char *qname;    /* "_25._tcp.<host>" */
	/* SERVFAIL = bogus or broken (DANE-DNS-02), NXDOMAIN/NODATA = none */
	enum dns_status status;
	bool secure;         /* the answer carried AD (DANE-DNS-01) */
	char *detail;        /* resolver error text, or NULL */
	struct tlsa_rr *rrs; /* the usable and unusable records alike, as received */
	size_t n_rrs;
	unsigned ttl; /* smallest TTL of the answer, 0 = unknown */
	/* DANE-EXP-03: the validity of the RRSIG over the RRset that expires first, when the
	 * answer carried one (the query asks with DO); 0 when none was seen */
	time_t sig_inception, sig_expiration;
};

struct mx_host {
	char *name;     /* normalised host name (lib/dname.h) from the MX RDATA */
	int preference; /* MX preference; -1 for the implicit MX */
	bool implicit;  /* no MX RRset: the domain itself (RFC 5321 §5.1) */
	enum dns_status a_status;
	enum dns_status aaaa_status;
	bool addr_secure; /* the A/AAAA answers carried AD (DANE-LKP-04) */
	struct mx_address *addrs;
	size_t n_addrs;
	struct tlsa_lookup tlsa; /* OBS_TLSA */
};

/* One TXT record: its character-strings joined without separators (STS-TXT-03, RPT-TXT-03). */
struct txt_record {
	/* the joined bytes, NUL-terminated for convenience; may hold any byte but NUL (a record
	 * with a NUL byte is kept with its bytes up to it and has_nul set) */
	char *data;
	size_t len;
	unsigned n_strings; /* how many character-strings it had */
	bool has_nul;
};

/* The outcome of one TXT lookup (_mta-sts.<domain>, _smtp._tls.<domain>), CNAMEs followed. */
struct txt_lookup {
	bool looked_up; /* false when no enabled check needed it */
	enum dns_status status;
	char *detail; /* resolver error text, or NULL */
	struct txt_record *records;
	size_t n_records;
	unsigned ttl; /* smallest TTL of the answer (STS-CACHE-05, RPT-TXT-11); 0 = unknown */
};

/* How the MTA-STS policy fetch ended (STS-FETCH). */
enum fetch_outcome {
	FETCH_RESPONSE,    /* an HTTP response arrived: see status, content_type, body */
	FETCH_TLS_FAILED,  /* the TLS handshake failed (no certificate was validated at all) */
	FETCH_CONNECT,     /* no TCP connection (refused, unreachable, no address) */
	FETCH_TIMEOUT,     /* the deadline passed (STS-FETCH-09) */
	FETCH_TOO_LARGE,   /* the body exceeded 64 KiB (STS-FETCH-09) */
	FETCH_LOCAL_ERROR, /* the agent's own failure */
};

/*
 * The HTTPS fetch of https://mta-sts.<domain>/.well-known/mta-sts.txt exactly as a sender does
 * it (RFC 8461 §3.3): SNI, no redirects followed, no HTTP cache. The certificate is not checked
 * during the transfer; the presented chain is recorded and validated like an MX chain, so the
 * checks judge it (STS-FETCH-02/03) and cert_expiry sees it.
 */
struct policy_fetch {
	bool attempted; /* false: no enabled check needed it, or no usable TXT record */
	char *url;
	enum fetch_outcome outcome;
	char *detail;        /* readable cause for anything but FETCH_RESPONSE */
	long status;         /* HTTP status code, 0 without a response */
	char *content_type;  /* the Content-Type header as sent, or NULL */
	char *location;      /* the Location header of a redirect, or NULL */
	unsigned char *body; /* the body (up to 64 KiB), NUL-terminated after body_len */
	size_t body_len;
	char address[46];        /* the address connected to, "" if none */
	struct certinfo **chain; /* presented by the policy host, leaf first */
	size_t chain_len;
	struct chain_verdict verify_now, verify_warning, verify_critical;
	struct certinfo **path;
	size_t path_len;
	unsigned duration_ms;
};

/* One question asked of one authoritative server directly (MXS-NS-01). */
struct ns_answer {
	char *qname; /* e.g. "_mta-sts.example.com" */
	int qtype;   /* ns_t_txt, ns_t_mx, ns_t_tlsa */
	enum dns_status status;
	bool authoritative; /* the AA bit was set */
	/* the RDATA in presentation form, sorted, NULL-terminated (TXT: the joined strings
	 * quoted; MX: "10 mx1.example.com") */
	char **rrs;
	size_t n_rrs;
	unsigned ttl; /* TLSA: smallest TTL of the records as served (the original TTL); else 0 */
};

/* One authoritative name server of the domain's zone, and what it answered. */
struct ns_view {
	char *name;       /* NS host name */
	char address[46]; /* the address asked */
	struct ns_answer *answers;
	size_t n_answers;
};

struct snapshot {
	char *domain;         /* normalised */
	time_t taken_at;      /* UTC, when gathering began */
	unsigned duration_ms; /* how long gathering took */
	long warning_secs;    /* the thresholds the verify_* verdicts were computed with */
	long critical_secs;
	enum dns_status mx_status;
	bool mx_secure; /* the MX answer carried AD (DANE-LKP-03) */
	/*
	 * Whether the resolver validates (OBS_TLSA): a name known to be signed (the root zone by
	 * default) must come back with AD. When it does not, every DNSSEC-derived finding is
	 * UNKNOWN with this reason, never CRITICAL or OK. NULL when it validates or was not asked.
	 */
	char *dnssec_unknown_reason;
	bool null_mx;       /* "MX 0 ." (RFC 7505): the domain accepts no mail */
	struct mx_host *mx; /* sorted by preference, then name */
	size_t n_mx;
	/*
	 * Set when the agent could not tell (its resolver does not answer, port 25 is unreachable
	 * for every MX of every domain of the run, the clock is obviously wrong): every check then
	 * reports UNKNOWN with this reason instead of blaming the domain. NULL otherwise.
	 */
	char *unknown_reason;

	/* MTA-STS and TLS-RPT (OBS_STS_TXT, OBS_STS_POLICY, OBS_RPT_TXT). */
	struct txt_lookup sts_txt; /* _mta-sts.<domain> */
	struct txt_lookup rpt_txt; /* _smtp._tls.<domain> */
	struct policy_fetch policy;
	/* Every authoritative server of the zone asked directly (OBS_NS_VIEWS). */
	bool ns_looked_up;
	enum dns_status ns_status; /* of the NS lookup */
	struct ns_view *ns_views;
	size_t n_ns_views;
};

/*
 * Release everything one session's record owns (strings, chain, path, verdict texts) and zero
 * it, leaving the struct itself to its owner. NULL-safe.
 */
void smtp_probe_clear(struct smtp_probe *p);

/*
 * Release everything a TXT lookup, a TLSA lookup, a policy fetch or an NS view owns (records,
 * strings, chain, path, verdict texts, answers) and zero it, leaving the struct itself to its
 * owner. After policy_fetch_clear() the verdict codes are -1 (not attempted). NULL-safe.
 */
void txt_lookup_clear(struct txt_lookup *t);
void tlsa_lookup_clear(struct tlsa_lookup *t);
void policy_fetch_clear(struct policy_fetch *f);
void ns_view_clear(struct ns_view *v);

/* Release a snapshot and everything it owns. NULL-safe; returns NULL. */
struct snapshot *snapshot_free(struct snapshot *snap);

/* Names for messages and JSON: "connect", "greeting", ...; "ok", "no-starttls", ...; "any",
 * "ECDSA", "RSA"; "ok", "nodata", "nxdomain", "servfail", "timeout", "error". Static strings. */
const char *probe_stage_name(enum probe_stage s);
const char *probe_outcome_name(enum probe_outcome o);
const char *probe_alg_name(enum probe_alg a);
const char *dns_status_name(enum dns_status s);
/* "response", "tls-failed", "connect-failed", "timeout", "too-large", "local-error". */
const char *fetch_outcome_name(enum fetch_outcome o);

/*
 * The subject of a finding about an MX host, one of its addresses and one session (each may be
 * NULL): the algorithm is named only for the algorithm-restricted sessions. The strings are
 * borrowed from the snapshot.
 */
struct finding_subject snapshot_subject(const struct mx_host *mx, const struct mx_address *a,
					const struct smtp_probe *p);

/* "IPv4" or "IPv6" for an address of the snapshot (static string). */
const char *mx_address_family_name(const struct mx_address *a);

#endif

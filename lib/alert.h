/*
 * alert.h - the alert message model and its renderings (DESIGN.md, "record and alert").
 *
 * The store turns each cycle's findings into state transitions (opened, changed, resolved);
 * the outbox adds reminders for problems still open and groups what one domain's cycle produced
 * into one message, so that a person gets one mail per domain and cycle, not one per finding.
 * A message is made of items, one per transition or reminder:
 *
 *   opened    a problem appeared: severity is its severity, old_severity is OK;
 *   changed   an open problem took another severity: old_severity -> severity;
 *   resolved  a problem is gone: severity is OK, old_severity what it was;
 *   reminder  a problem is still open: severity == old_severity.
 *
 * A sink receives the part of a message meant for it (alert_message_filter(): routing by the
 * domain's tags, a minimum severity) and renders it: a subject and a plain-text body for mail
 * (alert_mail.c builds the RFC 5322 message), mxsentry's webhook JSON or an Alertmanager v2 body
 * (alert_json.c; docs/json-output.md, "Webhook alerts"), one line per item for syslog.
 *
 * Pure: no clock, no I/O; the times are the message's. A message owns copies of all its strings;
 * every rendering returns a new NUL-terminated string the caller frees.
 */
#ifndef MXS_LIB_ALERT_H
#define MXS_LIB_ALERT_H

#include <stddef.h>
#include <time.h>

#include "lib/severity.h"

/* Length of a message id in hex digits (128 bits of a SHA-256). */
#define ALERT_ID_LEN 32

enum alert_kind {
	ALERT_OPENED,
	ALERT_CHANGED,
	ALERT_RESOLVED,
	ALERT_REMINDER,
};

/* One problem's news. Unset strings are NULL; check, code and message are always set. */
struct alert_item {
	enum alert_kind kind;
	char *check;                /* the check's name, e.g. "cert_expiry" */
	char *code;                 /* stable code, e.g. "cert.expiring" (docs/findings.md) */
	enum severity severity;     /* now: SEVERITY_OK for resolved */
	enum severity old_severity; /* before: SEVERITY_OK for opened */
	char *mx;                   /* MX host, or NULL for the domain as a whole */
	char *address;              /* address of that MX, or NULL */
	char *alg;                  /* "ECDSA"/"RSA", or NULL */
	char *message;              /* one line a person can act on */
	char *req;                  /* requirement ID, or NULL */
	time_t since;               /* when the problem opened; 0 when not known */
	time_t at;                  /* the cycle that saw the transition (or still saw it) */
};

/* What one domain's cycle has to say. Build with alert_message_init() and _add(). */
struct alert_message {
	char *domain;
	char **tags;               /* the domain's tags, NULL-terminated, never NULL itself */
	time_t at;                 /* the cycle */
	time_t valid_until;        /* an Alertmanager alert still firing ends then unless sent again
			     * (its endsAt); 0 = no end given. Set by the caller. */
	char id[ALERT_ID_LEN + 1]; /* see alert_message_add() */
	enum severity worst;       /* alert_message_worst(), kept up to date by _add() */
	struct alert_item *items;
	size_t n_items;
	size_t cap;
};

/*
 * Start an empty message.
 *
 * m:      the message (any contents; overwritten, not released).
 * domain: the domain (copied).
 * tags:   the domain's tags, NULL-terminated (copied); NULL for none.
 * at:     the cycle's time.
 *
 * Returns 0, -EINVAL (NULL m or domain) or -ENOMEM (m is then empty and safe to clear).
 */
int alert_message_init(struct alert_message *m, const char *domain, const char *const *tags,
		       time_t at);

/*
 * Append a copy of *item (its strings are copied; check, code and message must be set) and
 * bring worst and id up to date. The id is 32 hex digits of a SHA-256 over the domain, the
 * cycle's time and every item's kind, key (check, mx, address, alg, code) and severities: the
 * same news gives the same id, so a message delivered twice (after a crash, to two sinks
 * getting the same part) can be recognised by its receiver; it is also the mail's Message-ID.
 *
 * Returns 0, -EINVAL (a required field missing) or -ENOMEM (m unchanged).
 */
int alert_message_add(struct alert_message *m, const struct alert_item *item);

/* Release what m owns and reset it to empty. NULL-safe. */
void alert_message_clear(struct alert_message *m);

/*
 * The worst current severity of m's items by severity_rank() (a resolved item counts as OK);
 * SEVERITY_OK for a message of resolved items only, or with no item.
 */
enum severity alert_message_worst(const struct alert_message *m);

/*
 * The part of m a sink should get.
 *
 * m:         the whole message (borrowed).
 * min:       the sink's min_severity. An item passes when severity_rank() of its severity is at
 *            least that of min; a resolved or changed item also passes when its old severity
 *            does (a sink that heard of a CRITICAL problem hears that it is over, or no longer
 *            CRITICAL).
 * sink_tags: NULL-terminated; NULL or empty means every domain, else the domain must carry one
 *            of them (exact, case-sensitive match).
 * ret:       on 1, a new message of the items that pass, in m's order, with its own id (the
 *            caller clears it with alert_message_clear()); untouched otherwise.
 *
 * Returns 1 (something to send), 0 (nothing: the message is not sent), or -ENOMEM.
 */
int alert_message_filter(const struct alert_message *m, enum severity min,
			 const char *const *sink_tags, struct alert_message *ret);

/* "opened", "changed", "resolved", "reminder" (static); "?" for a value out of range. */
const char *alert_kind_name(enum alert_kind k);

/*
 * The one-line subject, UTF-8, not encoded for mail (alert_mail_encode_header() does that):
 * "[mxsentry] CRITICAL example.com: <message of the worst item>", the message shortened to 80
 * bytes ("..." at a character boundary) and " (+N more)" when there are other items. The label
 * is the worst severity, or RESOLVED when every item is resolved; the item shown is the first
 * of the worst severity (the first item when all are resolved, with "resolved: " before it).
 *
 * Returns 0 and *ret (the caller frees it), -EINVAL (no item) or -ENOMEM.
 */
int alert_subject(const struct alert_message *m, char **ret);

/*
 * The plain-text body, lines ending in "\n": a heading line, then per item a block of what
 * changed and its severity, the subject ("mx1.example.com [192.0.2.1] ECDSA", or the domain),
 * the message, "Code:", "Requirement: ID" (when there is one) and "Since:" with how long the
 * problem has been open; then a footer naming agent_host (may be NULL) and the message id.
 *
 * Returns 0 and *ret (the caller frees it), -EINVAL (no item) or -ENOMEM.
 */
int alert_text_body(const struct alert_message *m, const char *agent_host, char **ret);

/*
 * One line about one item of m, for syslog:
 * "DOMAIN CODE SEVERITY KIND[ (was OLD)]: [SUBJECT: ]MESSAGE[ (REQ)]", e.g.
 * "example.com cert.expiring CRITICAL changed (was WARNING): mx1.example.com [192.0.2.1]:
 * certificate expires in 3 days (COMMON-EXP-04)". Control characters become spaces.
 *
 * Returns 0 and *ret (the caller frees it), or -ENOMEM.
 */
int alert_item_line(const struct alert_message *m, const struct alert_item *it, char **ret);

/*
 * mxsentry's webhook body (docs/json-output.md, "Webhook alerts"): one JSON object, compact,
 * UTF-8 (bytes of m that are not UTF-8 become '?'). instance names the agent (its host name),
 * or NULL.
 *
 * Returns 0 and *ret (the caller frees it), -EINVAL (no item) or -ENOMEM.
 */
int alert_json(const struct alert_message *m, const char *instance, char **ret);

/*
 * An Alertmanager v2 "POST /api/v2/alerts" body: a JSON array with one alert per item (two for
 * a changed item: the old severity's alert ends, the new one fires, since severity is a label).
 * Labels: alertname (the code), domain, check, severity (lower case), mx, address, alg (when
 * set), instance (when not NULL). Annotations: summary (the message), description, requirement
 * (when set). startsAt is since (the cycle when unknown); a resolved item has endsAt = its
 * cycle; a firing item has endsAt = m->valid_until when set.
 *
 * Returns 0 and *ret (the caller frees it), -EINVAL (no item) or -ENOMEM.
 */
int alert_alertmanager_json(const struct alert_message *m, const char *instance, char **ret);

/*
 * Read back what alert_json() wrote (the outbox keeps messages in that form across restarts;
 * alert_parse.c). Every member is checked: version 1, domain, tags, at, items (each with kind,
 * check, code, severities, subject, message, times), and the id must be the one the items give
 * (a document edited since is refused). subject, worst and instance are derived, not read.
 *
 * text, len: the document (need not be NUL-terminated).
 * ret:       on success, the message (alert_message_clear()); valid_until is 0.
 * reterr:    optional; names the member that is wrong.
 *
 * Returns 0, -EINVAL or -ENOMEM.
 */
struct mxs_error;
int alert_message_from_json(const char *text, size_t len, struct alert_message *ret,
			    struct mxs_error *reterr);

/* The envelope and header fields of a mail about a message. */
struct alert_mail_headers {
	const char *from;       /* mailbox, e.g. "mxsentry@example.org" */
	const char *const *to;  /* NULL-terminated, at least one */
	const char *hostname;   /* the right-hand side of the Message-ID */
	time_t date;            /* the Date: field */
	const char *agent_host; /* for the body's footer, or NULL */
};

/*
 * The whole RFC 5322 message for m: From, To, Subject (RFC 2047 encoded when not ASCII),
 * Date (RFC 5322 §3.3, UTC), Message-ID "<id@hostname>", Auto-Submitted: auto-generated
 * (RFC 3834), MIME-Version, Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding
 * 8bit, X-Mxsentry-Domain and X-Mxsentry-Severity; then the text body. Every line ends in CRLF
 * and is at most 998 octets (RFC 5322 §2.1.1); SMTP's dot-stuffing (RFC 5321 §4.5.2) is left
 * to the transport. Header values never carry CR or LF from m.
 *
 * Returns 0 with *ret and *ret_len (the caller frees *ret), -EINVAL (no item, or a header field
 * missing or holding a control character) or -ENOMEM.
 */
int alert_mail(const struct alert_message *m, const struct alert_mail_headers *h, char **ret,
	       size_t *ret_len);

/*
 * A plain-text mail that is not an alert (the weekly report summary): the same headers as
 * alert_mail() (Message-ID <id@hostname>, Auto-Submitted, Date) with this subject and body.
 * Returns 0 and *ret (CRLF line ends, dot-safe as alert_mail()), -EINVAL or -ENOMEM.
 */
int alert_mail_plain(const struct alert_mail_headers *h, const char *id, const char *subject,
		     const char *body, char **ret, size_t *ret_len);

/*
 * A header field "Name: value" with no line ending: value as is when it is printable ASCII,
 * else as RFC 2047 encoded-words ("=?UTF-8?B?...?="), each at most 75 characters and holding
 * whole UTF-8 characters, folded onto continuation lines ("\r\n ") so that no line is longer
 * than 78 characters. Control characters in value become spaces.
 *
 * Returns 0 and *ret (the caller frees it), or -ENOMEM.
 */
int alert_mail_header(const char *name, const char *value, char **ret);

#endif

/*
 * sink.h - the interface of an alert sink, and the registry of sinks (DESIGN.md, "Interfaces").
 *
 * A sink is a const struct in its own file under alerts/ (email.c, webhook.c, syslog.c), found
 * by its name through sink_lookup(). It delivers one alert message (lib/alert.h) and reports
 * how that went: delivered, worth retrying, or not worth retrying. Everything else belongs to
 * the outbox in agent/: which messages to send (alert_message_filter() with the sink's
 * min_severity and tags), retries, back-off, at-least-once bookkeeping, and logging the outcome.
 *
 * Life cycle, driven by the agent:
 *   configure(settings, env) once per sink and configuration load -> priv;
 *   deliver(priv, message, done, userdata) any number of times, several at once if wanted;
 *   release(priv) when the configuration goes away.
 *
 * Deliveries never block: email and webhook run as libcurl transfers on the agent's loop
 * (agent/curl_loop.h), each with a deadline, so a slow or dead relay delays only its own
 * messages, never the checks nor another sink; syslog writes at once.
 *
 * Deviation from the sketch in STYLE.md, as for checks (checks/check.h): configure() takes a
 * struct of settings, not a libconfig setting, so that alerts/ depends neither on libconfig nor
 * on agent/config.h. The agent fills it from its struct sink_config, field by field (the names
 * are the same); agent/config_sinks.c has already validated them.
 */
#ifndef MXS_ALERTS_SINK_H
#define MXS_ALERTS_SINK_H

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "agent/curl_loop.h"
#include "lib/alert.h"
#include "lib/error.h"
#include "lib/severity.h"

/* How one delivery ended. */
enum sink_result {
	SINK_OK,      /* delivered (the peer took it) */
	SINK_RETRY,   /* not delivered, may work later: 5xx/408/429 HTTP, SMTP 4xx, timeout, no
		       * connection, TLS failure */
	SINK_GIVE_UP, /* not delivered and never will be as configured: HTTP 4xx, SMTP 5xx */
};

/*
 * Called once per started delivery, from the loop, never from inside deliver().
 *
 * r:        the outcome.
 * detail:   one line for the log: the peer's reply or the local error; valid during the call.
 * userdata: as given to deliver().
 *
 * The callback may call deliver() again and release() the sink.
 */
typedef void (*sink_done_fn)(enum sink_result r, const char *detail, void *userdata);

/* What a sink may use of the agent; borrowed, and must outlive every priv made with it. */
struct sink_env {
	sd_event *loop;         /* the agent's loop */
	struct curl_loop *curl; /* libcurl on that loop; NULL when no sink needs it */
	const char *hostname;   /* this host's name: Message-ID, EHLO, instance label (copied) */
};

/*
 * A sink's settings (mxsentry.conf(5), ALERTS); only those of its kind are set, the others are
 * NULL / 0. Borrowed for the configure() call.
 */
struct sink_settings {
	const char *name; /* unique label, for messages */
	/* for the outbox's alert_message_filter(); the sinks do not look at them */
	enum severity min_severity;
	const char *const *tags; /* NULL-terminated; NULL or empty = every domain */
	/* email */
	const char *relay;      /* smtp:// or smtps:// URL */
	const char *from;       /* envelope sender and From: */
	const char *const *to;  /* NULL-terminated, at least one */
	bool starttls_required; /* smtp:// must switch to TLS (STARTTLS) or nothing is sent */
	const char *username;   /* with password_file, or both NULL */
	const char *password_file;
	/* webhook */
	const char *url;           /* http:// or https:// */
	bool alertmanager;         /* Alertmanager v2 body instead of mxsentry's JSON */
	const char *hmac_key_file; /* sign the body with the key in this file, or NULL */
	unsigned timeout;          /* milliseconds per delivery (email too); 0 = the default */
	const char *ca_bundle;     /* email, webhook: PEM roots the relay or URL is checked against;
				* NULL = the system's */
	/* syslog */
	int facility; /* LOG_* value */
	const char *ident;
};

struct sink {
	const char *name; /* "email", "webhook", "syslog": sink_kind_name() of agent/config.h */
	/*
	 * Check settings, read the files they name (password, HMAC key) and keep in *ret_priv what
	 * deliver() needs, copied. Returns 0, or a negative errno with reterr saying what is wrong
	 * (e.g. naming a file that cannot be read).
	 */
	int (*configure)(const struct sink_settings *settings, const struct sink_env *env,
			 void **ret_priv, struct mxs_error *reterr);
	/*
	 * Start delivering msg. msg is borrowed for the call only: what is sent is rendered
	 * before deliver() returns. Returns 0 when the delivery started: done() is then called
	 * exactly once, later, from the loop. A negative errno means nothing started and done()
	 * will not be called (the outbox treats it as SINK_RETRY): -EINVAL for a message without
	 * items, -ENOMEM.
	 */
	int (*deliver)(void *priv, const struct alert_message *msg, sink_done_fn done,
		       void *userdata);
	/*
	 * Optional (email only; NULL elsewhere): deliver a plain text that is not an alert, the
	 * weekly report summary, with the same contract as deliver(). id names it (the mail's
	 * Message-ID), subject and body are borrowed for the call.
	 */
	int (*deliver_text)(void *priv, const char *id, const char *subject, const char *body,
			    sink_done_fn done, void *userdata);
	/*
	 * Release what configure() made. Deliveries still running are cancelled and their done()
	 * is never called. NULL-safe; may be called from a done() callback.
	 */
	void (*release)(void *priv);
};

/* Returns the sink called name, or NULL when there is none. */
const struct sink *sink_lookup(const char *name);

/* Returns the known names separated by ", " (static string), for error messages. */
const char *sink_known_names(void);

/* "ok", "retry", "give-up" (static); "?" for a value out of range. */
const char *sink_result_name(enum sink_result r);

#endif

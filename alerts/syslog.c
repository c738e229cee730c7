/*
 * syslog.c - the syslog sink: one syslog(3) line per item of an alert message.
 *
 * The line is alert_item_line()'s: "DOMAIN CODE SEVERITY KIND[ (was OLD)]: [SUBJECT: ]MESSAGE
 * (REQ)", at the configured facility and ident, with a priority from the severity: CRITICAL is
 * LOG_CRIT, UNKNOWN LOG_ERR (the agent could not tell), WARNING LOG_WARNING, a resolved item
 * LOG_NOTICE. The process id is part of the line (LOG_PID).
 *
 * The ident is process-wide state of the C library, which keeps the pointer given to
 * openlog(): each delivery opens the log with this sink's ident and facility and closes it
 * again, so several syslog sinks can differ and no pointer outlives its sink.
 *
 * Under systemd (JOURNAL_STREAM or INVOCATION_ID in the environment, or sd_booted()) each item
 * is also sent to the journal with fields to filter on: MESSAGE (the same line), PRIORITY,
 * SYSLOG_IDENTIFIER, SYSLOG_FACILITY, DOMAIN, CHECK, CODE, SEVERITY, OLD_SEVERITY,
 * MXSENTRY_EVENT (opened, changed, resolved, reminder), MXSENTRY_ID (the message id), REQ, MX
 * and ADDRESS when set. Where journald also receives /dev/log, the journal holds the line twice,
 * once with these fields: "journalctl MXSENTRY_EVENT=opened" selects the structured ones.
 *
 * Writing to the local syslog socket does not wait for the network, so a delivery ends at once;
 * its done() still comes from the loop (sink.h). A lost line (no syslog daemon) is not an error
 * syslog(3) reports: the verdict is always "delivered".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "alerts/sink.h"
#include "alerts/sinkio.h"

/* Journal fields of one item, at most. */
#define JOURNAL_FIELDS 16

struct syslog_sink {
	struct sinkio_flight fl;
	char *ident;
	int facility;
	bool journal; /* also sd_journal_send() */
};

static void syslog_release(void *priv)
{
	struct syslog_sink *s = priv;

	if (s == NULL)
		return;
	sinkio_flight_cancel(&s->fl);
	free(s->ident);
	free(s);
}

/* Whether the agent runs under systemd, where the journal takes structured fields. */
static bool under_systemd(void)
{
	return getenv("JOURNAL_STREAM") != NULL || getenv("INVOCATION_ID") != NULL ||
	       sd_booted() > 0;
}

static int syslog_configure(const struct sink_settings *set, const struct sink_env *env,
			    void **ret_priv, struct mxs_error *reterr)
{
	struct syslog_sink *s;

	if (set == NULL || env == NULL || env->loop == NULL)
		return mxs_error_set(reterr, set != NULL ? set->name : NULL, NULL,
				     "a syslog sink needs the agent's event loop");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->fl.loop = env->loop;
	s->facility = set->facility != 0 ? set->facility : LOG_MAIL;
	s->ident = strdup(set->ident != NULL ? set->ident : "mxsentry");
	s->journal = under_systemd();
	if (s->ident == NULL) {
		syslog_release(s);
		return -ENOMEM;
	}
	*ret_priv = s;
	return 0;
}

static int priority(const struct alert_item *it)
{
	if (it->kind == ALERT_RESOLVED)
		return LOG_NOTICE;
	switch (it->severity) {
	case SEVERITY_CRITICAL:
		return LOG_CRIT;
	case SEVERITY_UNKNOWN:
		return LOG_ERR;
	case SEVERITY_WARNING:
		return LOG_WARNING;
	default:
		return LOG_NOTICE;
	}
}

/* Append one "NAME=value" field (value NULL: none). Returns false on ENOMEM. */
static bool field(struct iovec *iov, size_t *n, const char *name, const char *value)
{
	char *f;

	if (value == NULL)
		return true;
	f = mxs_strdupf("%s=%s", name, value);
	if (f == NULL || *n >= JOURNAL_FIELDS) {
		free(f);
		return false;
	}
	iov[*n].iov_base = f;
	iov[*n].iov_len = strlen(f);
	(*n)++;
	return true;
}

/* The structured copy of one item; a failure loses only this copy (the line went to syslog). */
static void journal_item(const struct syslog_sink *s, const struct alert_message *m,
			 const struct alert_item *it, const char *line)
{
	struct iovec iov[JOURNAL_FIELDS];
	char prio[8], facility[8];
	size_t n = 0, i;
	bool ok;

	(void)snprintf(prio, sizeof(prio), "%d", priority(it));
	(void)snprintf(facility, sizeof(facility), "%d", LOG_FAC(s->facility));
	ok = field(iov, &n, "MESSAGE", line) && field(iov, &n, "PRIORITY", prio) &&
	     field(iov, &n, "SYSLOG_IDENTIFIER", s->ident) &&
	     field(iov, &n, "SYSLOG_FACILITY", facility) && field(iov, &n, "DOMAIN", m->domain) &&
	     field(iov, &n, "CHECK", it->check) && field(iov, &n, "CODE", it->code) &&
	     field(iov, &n, "SEVERITY", severity_name(it->severity)) &&
	     field(iov, &n, "OLD_SEVERITY", severity_name(it->old_severity)) &&
	     field(iov, &n, "MXSENTRY_EVENT", alert_kind_name(it->kind)) &&
	     field(iov, &n, "MXSENTRY_ID", m->id) && field(iov, &n, "REQ", it->req) &&
	     field(iov, &n, "MX", it->mx) && field(iov, &n, "ADDRESS", it->address);
	if (ok)
		(void)sd_journal_sendv(iov, (int)n);
	for (i = 0; i < n; i++)
		free(iov[i].iov_base);
}

static int syslog_deliver(void *priv, const struct alert_message *msg, sink_done_fn done,
			  void *userdata)
{
	struct syslog_sink *s = priv;
	struct sinkio_job *j;
	char detail[64];
	size_t i;
	int r = 0;

	if (s == NULL || msg == NULL || msg->n_items == 0 || done == NULL)
		return -EINVAL;
	j = sinkio_job_new(&s->fl, done, userdata);
	if (j == NULL)
		return -ENOMEM;
	openlog(s->ident, LOG_PID, s->facility);
	for (i = 0; i < msg->n_items && r == 0; i++) {
		const struct alert_item *it = &msg->items[i];
		char *line = NULL;

		r = alert_item_line(msg, it, &line);
		if (r < 0)
			break;
		syslog(s->facility | priority(it), "%s", line);
		if (s->journal)
			journal_item(s, msg, it, line);
		free(line);
	}
	closelog();
	/* lines written before a failure stay written: the retry repeats them, at least once */
	if (r < 0) {
		sinkio_job_free(j);
		return r;
	}
	(void)snprintf(detail, sizeof(detail), "%zu line%s written", msg->n_items,
		       msg->n_items > 1 ? "s" : "");
	return sinkio_job_finish_later(j, SINK_OK, detail);
}

const struct sink sink_syslog = {
	.name = "syslog",
	.configure = syslog_configure,
	.deliver = syslog_deliver,
	.release = syslog_release,
};

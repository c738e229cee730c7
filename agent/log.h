/*
 * log.h - the agent's log: the journal with structured fields under systemd, stderr otherwise.
 *
 * DESIGN.md, Runtime: logs go to the journal with fields an operator can filter on
 * (journalctl DOMAIN=example.com CODE=cert.expiring): DOMAIN, CHECK, CODE, SEVERITY, beside
 * MESSAGE and PRIORITY. Under systemd (JOURNAL_STREAM names our stderr) records go to the journal
 * directly; otherwise, or with log_init(LOG_TO_STDERR, ...), one line per record goes to stderr
 * as "mxsentryd: <level>: [domain check code] message".
 */
#ifndef MXS_AGENT_LOG_H
#define MXS_AGENT_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "lib/finding.h"

enum log_target {
	LOG_TO_AUTO,   /* the journal when stderr is connected to it, else stderr */
	LOG_TO_STDERR, /* always stderr (mxsentryd --foreground) */
};

/*
 * Choose where records go and the least important priority written (LOG_INFO normally,
 * LOG_DEBUG with --foreground). Call once at start; before it, records go to stderr at LOG_INFO.
 */
void log_init(enum log_target target, int max_priority);

/* Whether records go to the journal. */
bool log_to_journal(void);

/* A record about the agent itself (priority: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, ...). */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A record about one finding or state of a domain: fields DOMAIN, and when not NULL CHECK, CODE
 * and SEVERITY (severity_name()). The message is the whole human line.
 */
void log_about(int priority, const char *domain, const char *check, const char *code,
	       enum severity severity, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The syslog priority that goes with a severity: CRITICAL err, WARNING/UNKNOWN warning, OK info. */
int log_priority_of(enum severity severity);

#endif

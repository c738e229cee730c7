/*
 * log.c - the agent's log; see log.h.
 */
#include "agent/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "lib/error.h"

static bool journal;
static int max_prio = LOG_INFO;

/*
 * systemd sets JOURNAL_STREAM to "device:inode" of the stream it connected our stderr to; only
 * when stderr is still that stream are we talking to the journal (sd_journal_stream_fd(3)).
 */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(enum log_target target, int max_priority)
{
	journal = target == LOG_TO_AUTO && stderr_is_journal();
	max_prio = max_priority;
}

bool log_to_journal(void)
{
	return journal;
}

int log_priority_of(enum severity severity)
{
	switch (severity) {
	case SEVERITY_CRITICAL:
		return LOG_ERR;
	case SEVERITY_WARNING:
	case SEVERITY_UNKNOWN:
		return LOG_WARNING;
	case SEVERITY_OK:
		break;
	}
	return LOG_INFO;
}

static const char *level_name(int priority)
{
	static const char *const names[] = { "emerg",   "alert",  "crit", "error",
					     "warning", "notice", "info", "debug" };

	return priority >= 0 && priority <= LOG_DEBUG ? names[priority] : "info";
}

/* Write one record; text is the formatted message. */
static void emit(int priority, const char *domain, const char *check, const char *code,
		 const char *severity, const char *text)
{
	if (priority > max_prio)
		return;
	if (journal) {
		/* Absent fields are not sent at all: an empty DOMAIN= would match nothing useful. */
		const char *const names[] = { "DOMAIN=", "CHECK=", "CODE=", "SEVERITY=" };
		const char *const values[] = { domain, check, code, severity };
		char *fields[7] = { NULL };
		struct iovec iov[7];
		size_t n = 0, i;

		fields[n++] = mxs_strdupf("MESSAGE=%s", text);
		fields[n++] = mxs_strdupf("PRIORITY=%d", priority);
		fields[n++] = strdup("SYSLOG_IDENTIFIER=mxsentryd");
		for (i = 0; i < 4; i++)
			if (values[i] != NULL)
				fields[n++] = mxs_strdupf("%s%s", names[i], values[i]);
		for (i = 0; i < n; i++) {
			if (fields[i] == NULL)
				break;
			iov[i] =
			    (struct iovec){ .iov_base = fields[i], .iov_len = strlen(fields[i]) };
		}
		/* memory ran out: the journal gets what could be written */
		(void)sd_journal_sendv(iov, (int)i);
		for (i = 0; i < n; i++)
			free(fields[i]);
		return;
	}
	if (domain != NULL)
		fprintf(stderr, "mxsentryd: %s: [%s%s%s%s%s] %s\n", level_name(priority), domain,
			check != NULL ? " " : "", check != NULL ? check : "",
			code != NULL ? " " : "", code != NULL ? code : "", text);
	else
		fprintf(stderr, "mxsentryd: %s: %s\n", level_name(priority), text);
}

/* Format and write one record; the fields are NULL when absent. */
static void vlog(int priority, const char *domain, const char *check, const char *code,
		 const char *severity, const char *fmt, va_list ap)
{
	char *text;

	if (priority > max_prio)
		return;
	text = mxs_vstrdupf(fmt, ap);
	emit(priority, domain, check, code, severity, text != NULL ? text : fmt);
	free(text);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, NULL, NULL, NULL, NULL, fmt, ap);
	va_end(ap);
}

void log_about(int priority, const char *domain, const char *check, const char *code,
	       enum severity severity, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, domain, check, code, code != NULL ? severity_name(severity) : NULL, fmt, ap);
	va_end(ap);
}

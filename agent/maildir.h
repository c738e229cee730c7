/*
 * maildir.h - the agent watches a Maildir where an MTA delivers TLS-RPT report mails (RFC 8460
 * §5.3), as an alternative to piping them to "mxsentry report ingest".
 *
 * Every message that appears in <maildir>/new is taken into the store (agent/report_ingest.h)
 * and then moved to <maildir>/cur with the "seen" flag (":2,S"), as a mail reader would; one
 * that cannot be recorded now (the store fails) stays in new/ and is tried again a minute
 * later. A message that cannot be understood is kept in the store with the reason and moved
 * like the others: nothing is dropped, nothing is read twice. The directory is watched with
 * inotify (a message is taken as soon as the MTA moves it into new/) and scanned once at start.
 */
#ifndef MXS_AGENT_MAILDIR_H
#define MXS_AGENT_MAILDIR_H

#include <systemd/sd-event.h>

#include "agent/store.h"
#include "lib/error.h"

struct maildir;

/* Watch path (a Maildir: new/ and cur/ must exist) on loop, into store (borrowed). */
int maildir_watch(sd_event *loop, const char *path, struct store *store, struct maildir **ret,
		  struct mxs_error *reterr);

/* Stop watching. NULL-safe; returns NULL. */
struct maildir *maildir_free(struct maildir *m);

/* Messages taken since start (for the log and tests). */
unsigned long maildir_taken(const struct maildir *m);

#endif

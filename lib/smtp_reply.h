/*
 * smtp_reply.h - reading SMTP replies (RFC 5321 §4.2) from a byte stream, with bounds.
 *
 * A reply is one or more lines "CODE-text" ending with one "CODE text" (or a bare "CODE"), all
 * with the same three-digit code, each ending in CRLF. The reader is incremental: the probe feeds
 * it whatever bytes arrived, and it says "need more", "here is a complete reply" or "the peer
 * broke the protocol". Limits come from RFC 5321 §4.5.3.1.5 (reply line 512 octets including
 * CRLF) with a margin for real servers, and a cap on the number of lines, so a hostile or broken
 * server cannot make the reader grow without bound.
 *
 * EHLO replies also carry the server's extensions; smtp_reply_has_keyword() answers "was
 * STARTTLS offered" (COMMON-STLS-01: keyword match is case-insensitive).
 */
#ifndef MXS_LIB_SMTP_REPLY_H
#define MXS_LIB_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* Longest line accepted, CRLF included: RFC 5321 says 512; real servers send longer banners. */
#define SMTP_REPLY_MAX_LINE 2048
/* Most lines in one reply (a large EHLO has ~20). */
#define SMTP_REPLY_MAX_LINES 64

struct smtp_reply {
	int code;     /* 200..599 */
	char **lines; /* the text of each line after "CODE-"/"CODE ", NUL-terminated, without CRLF;
		       * NULL-terminated array; the reply owns them */
	size_t n_lines;
};

/*
 * Try to take one complete reply from the start of buf.
 *
 * buf, len:     the bytes received and not yet consumed (need not be NUL-terminated).
 * ret_reply:    on success (return > 0), a new reply; free with smtp_reply_free().
 * reterr:       optional; on -EPROTO, the reason (and "COMMON-STLS" or RFC reference).
 *
 * Returns the number of bytes the reply used (> 0) when a complete reply was read; 0 when more
 * bytes are needed (nothing is consumed, call again with more); -EPROTO when the bytes cannot be
 * the start of a valid reply (bad code, codes differ between lines, a line or the reply over its
 * limit, a bare LF, NUL bytes); -ENOMEM.
 * A line longer than SMTP_REPLY_MAX_LINE is -EPROTO even when its end has not arrived yet, so a
 * caller never needs to buffer more than SMTP_REPLY_MAX_LINE * SMTP_REPLY_MAX_LINES bytes.
 */
int smtp_reply_read(const char *buf, size_t len, struct smtp_reply **ret_reply,
		    struct mxs_error *reterr);

/* Release a reply. NULL-safe; returns NULL. */
struct smtp_reply *smtp_reply_free(struct smtp_reply *reply);

/*
 * Whether an EHLO reply lists the extension keyword (the first word of a line after the first),
 * compared case-insensitively: smtp_reply_has_keyword(ehlo, "STARTTLS").
 */
bool smtp_reply_has_keyword(const struct smtp_reply *reply, const char *keyword);

#endif

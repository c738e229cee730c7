/*
 * mailshape.h - bounds on the shape of a mail message, checked on its raw bytes before a MIME
 * parser (GMime) builds a tree of it (PROJECT; spec/tls-rpt.md RPT-JSON-14 "bound sizes").
 *
 * Anyone can mail us a report, and GMime's cost is not proportional to a message's size: every
 * header field, parameter and part is an object of several hundred bytes (a few MiB of tiny
 * header fields or empty parts cost GiBs), an address header is re-parsed whenever another of
 * its name is added (quadratic in their number), and its address parser recurses once per
 * group (each ":"), so some hundred KiB of "To: a:a:a:..." overflow the stack. The counts below
 * are taken over the whole message, not only where a MIME parser would look for header fields
 * (in part headers, and in the bodies of attached messages), so they bound what GMime can make
 * of any message; an ordinary report message is far inside every limit:
 *  - lines that could be header fields (any line holding a ":" that neither begins with WSP
 *    nor with "--") and the folded lines that follow them: at most MAILSHAPE_MAX_FIELDS,
 *    holding at most MAILSHAPE_MAX_FIELD_BYTES bytes in all;
 *  - address fields (From, Sender, Reply-To, To, Cc, Bcc, their Resent- forms, Return-Path,
 *    Disposition-Notification-To): at most MAILSHAPE_MAX_ADDR_FIELDS, each with at most
 *    MAILSHAPE_MAX_ADDR_COLONS ":" in its value and folded lines;
 *  - lines beginning with "--" (every MIME part needs one): at most MAILSHAPE_MAX_BOUNDARIES.
 * Base64 bodies never match (their alphabet has neither ":" nor "-"). Text bodies match little;
 * an unencoded JSON report of over 256 KiB on one line, or with many unindented lines, is
 * refused, which is the price of the bound (reports travel in base64, as in the example of
 * RFC 8460 §5.3 and in every real sample).
 *
 * Pure; no allocation.
 */
#ifndef MXS_AGENT_MAILSHAPE_H
#define MXS_AGENT_MAILSHAPE_H

#include <stddef.h>

#include "lib/error.h"

#define MAILSHAPE_MAX_FIELDS      4096
#define MAILSHAPE_MAX_FIELD_BYTES (256u * 1024)
#define MAILSHAPE_MAX_ADDR_FIELDS 64
#define MAILSHAPE_MAX_ADDR_COLONS 256
#define MAILSHAPE_MAX_BOUNDARIES  1024

/*
 * Check the shape of a message.
 *
 * msg, len: the message bytes (any bytes; not NUL-terminated).
 * reterr:   optional; on failure says which limit was passed and on which line.
 *
 * Returns 0 when the message is within every limit above, -E2BIG when it is not.
 */
int mailshape_check(const char *msg, size_t len, struct mxs_error *reterr);

/*
 * Whether a line begins with a header field name and its colon, RFC 5322 §2.2 / §3.6.8
 * (a name of printable bytes other than space and ":" - RFC 5322 ftext, and, as lenient parsers
 * take them, bytes over 127 - then optional WSP as the obsolete syntax allows, then ":"). line
 * need not be NUL-terminated; len counts its bytes.
 *
 * Returns the length of the name (> 0), or 0 when the line is no header field.
 */
size_t mailshape_field_name(const char *line, size_t len);

#endif

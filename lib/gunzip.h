/*
 * gunzip.h - bounded gzip decompression of untrusted data (RFC 1952; spec/tls-rpt.md RPT-DLV-08,
 * RPT-JSON-14).
 *
 * TLS-RPT reports arrive gzip-compressed (application/tlsrpt+gzip, "*.json.gz"). The bytes come
 * from anyone who can send mail or POST to us, so decompression has a hard cap on what it
 * produces: a gzip bomb (a few KiB that inflate to gigabytes) is refused as soon as its output
 * passes the cap, and no more than the cap is ever allocated for it. No separate cap on the
 * compression ratio is needed: the output cap bounds both memory and work.
 *
 * What is accepted:
 *  - one gzip member (magic 1f 8b, method 8 "deflate", header and trailer CRCs and ISIZE
 *    checked by zlib), or several concatenated members, whose outputs are concatenated
 *    (RFC 1952 §2.2 allows a file of several members; gzip(1) reads them the same way);
 *  - an empty member (output of zero bytes).
 * What is refused, all with -EINVAL and a reason:
 *  - input that does not begin with the gzip magic, or raw deflate / zlib streams;
 *  - truncated input (a member without its end or trailer);
 *  - a corrupt stream (bad deflate data, CRC-32 or length mismatch, bad header flags);
 *  - trailing bytes after the last member that do not begin another member. gzip(1) only warns
 *    about these, but a report is one file that a sender compressed whole: bytes after it mean
 *    the file was damaged or assembled wrongly, and the report body must be what the sender
 *    wrote (RPT-DLV-09 makes the body authoritative), so it is refused rather than guessed at.
 *
 * Pure: no I/O, no logging, no global state; safe to call from any thread.
 */
#ifndef MXS_LIB_GUNZIP_H
#define MXS_LIB_GUNZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* RPT-JSON-14: decompressed reports over 10 MiB are refused (RFC 8460 §5.2 receiver limit). */
#define GUNZIP_REPORT_MAX (10u * 1024 * 1024)

/* Whether data begins with the gzip magic bytes 1f 8b (RFC 1952 §2.3.1, RPT-DLV-08). */
bool gunzip_is_gzip(const void *data, size_t len);

/*
 * Decompress gzip data into a new buffer of at most max_out bytes.
 *
 * in, in_len: the compressed bytes (not NULL unless in_len is 0).
 * max_out:    the largest output accepted, in bytes (GUNZIP_REPORT_MAX for reports).
 * ret:        on success a new buffer of *ret_len bytes followed by one NUL byte (so that text
 *             can be used as a C string; the output itself may contain NUL bytes). The caller
 *             frees it with free(). Untouched on failure.
 * ret_len:    on success the output length (0..max_out). Untouched on failure.
 * reterr:     optional; on failure says why (where is NULL: the caller knows the input's name;
 *             req is RPT-JSON-14 for the cap, RPT-DLV-08 for the format).
 *
 * Returns 0; -EFBIG when the output would exceed max_out (decompression stops at the first
 * byte past the cap, having allocated at most max_out + 1 bytes for the output); -EINVAL for
 * input that is not gzip, truncated ("truncated" in the message), corrupt or followed by
 * trailing bytes; -ENOMEM.
 */
int gunzip_bounded(const void *in, size_t in_len, size_t max_out, unsigned char **ret,
		   size_t *ret_len, struct mxs_error *reterr);

#endif

/*
 * sinkio.h - what the sinks share: deliveries in flight on the loop, secrets read from files,
 * and the verdict on a libcurl transfer. Private to alerts/.
 *
 * A delivery is a job: a libcurl transfer (email, webhook) or a result already known (syslog,
 * which writes at once) that must still reach its done() from the loop, never from inside
 * deliver() (sink.h). A sink keeps its jobs in a struct sinkio_flight, so that release() can
 * cancel those still running.
 */
#ifndef MXS_ALERTS_SINKIO_H
#define MXS_ALERTS_SINKIO_H

#include <curl/curl.h>
#include <stddef.h>

#include "alerts/sink.h"

/* The first bytes of a peer's answer kept for the log line. */
#define SINKIO_REPLY_MAX 200

/* Largest secret file accepted: a password or an HMAC key, not a document. */
#define SINKIO_SECRET_MAX 4096

struct sinkio_job;

/* The deliveries in flight of one sink; zero it, then set loop and curl (borrowed). */
struct sinkio_flight {
	sd_event *loop;
	struct curl_loop *curl;
	struct sinkio_job *jobs;
};

/*
 * Judge a finished transfer: code is libcurl's result, reply the first bytes of the response
 * body (NUL-terminated, possibly empty), error libcurl's own words about code (its error
 * buffer, or curl_easy_strerror()). Write one line into detail (size len); return the outcome.
 */
typedef enum sink_result (*sinkio_judge_fn)(CURL *easy, CURLcode code, const char *reply,
					    const char *error, char *detail, size_t len);

/*
 * A new job of fl, with a new easy handle set up for the loop (no signals, an error buffer,
 * the response body captured up to SINKIO_REPLY_MAX bytes) that the caller configures further
 * through sinkio_job_easy(). Returns the job (owned by fl until it ends), or NULL on ENOMEM.
 */
struct sinkio_job *sinkio_job_new(struct sinkio_flight *fl, sink_done_fn done, void *userdata);

/* The job's easy handle. */
CURL *sinkio_job_easy(struct sinkio_job *j);

/*
 * Give the job what it keeps alive until it ends: data (taken; freed with the job) of len
 * bytes, readable by libcurl through CURLOPT_READFUNCTION (set here) for uploads, or to point
 * CURLOPT_POSTFIELDS at (returned by sinkio_job_data()); and up to two string lists (taken),
 * e.g. HTTP headers and mail recipients.
 */
void sinkio_job_keep(struct sinkio_job *j, char *data, size_t len, struct curl_slist *a,
		     struct curl_slist *b);

/* The data given to sinkio_job_keep(). */
const char *sinkio_job_data(const struct sinkio_job *j);

/*
 * Start the transfer; judge() decides its outcome when it ends. Returns 0, or a negative errno
 * with the job freed (done() will not be called).
 */
int sinkio_job_start(struct sinkio_job *j, sinkio_judge_fn judge);

/*
 * End the job with a known result, reported from the loop at its next iteration. Returns 0, or
 * a negative errno with the job freed (done() will not be called).
 */
int sinkio_job_finish_later(struct sinkio_job *j, enum sink_result r, const char *detail);

/* Free a job that was not started. NULL-safe. */
void sinkio_job_free(struct sinkio_job *j);

/* Cancel every job of fl: transfers stop, no done() is called. */
void sinkio_flight_cancel(struct sinkio_flight *fl);

/*
 * The verdict on a transfer that failed locally or on the network (code != CURLE_OK):
 * SINK_GIVE_UP for what no retry can fix (a malformed URL, an unsupported protocol), else
 * SINK_RETRY (no connection, timeout, name lookup, TLS).
 */
enum sink_result sinkio_curl_result(CURLcode code);

/*
 * Read a secret from a file: the whole file, less one trailing newline ("\n" or "\r\n").
 *
 * path:    the file.
 * what:    what it holds, for the error ("password file").
 * ret:     on success the secret, NUL-terminated (also when it holds NUL bytes), to release
 *          with sinkio_secret_free().
 * ret_len: its length, or NULL.
 * reterr:  optional; names the file and why.
 *
 * Returns 0, -EINVAL (empty, or larger than SINKIO_SECRET_MAX), -ENOMEM, or the errno of
 * open()/read() (-ENOENT, -EACCES, ...).
 */
int sinkio_read_secret(const char *path, const char *what, char **ret, size_t *ret_len,
		       struct mxs_error *reterr);

/* Wipe and free a secret of len bytes. NULL-safe; returns NULL. */
char *sinkio_secret_free(char *s, size_t len);

#endif

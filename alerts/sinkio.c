/*
 * sinkio.c - deliveries in flight, secrets, transfer verdicts; see sinkio.h.
 *
 * A job ends in one of three ways: its transfer ends (curl_loop calls on_transfer_done()), its
 * known result is reported (a defer source calls on_later()), or its sink is released
 * (sinkio_flight_cancel()). In the first two the job leaves its flight and is freed before its
 * done() runs, so that done() may deliver again or release the sink.
 */
#include "alerts/sinkio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sinkio_job {
	struct sinkio_job *prev, *next; /* the flight's list */
	struct sinkio_flight *fl;
	CURL *easy;
	struct curl_slist *lists[2];
	char *data; /* the upload or POST body */
	size_t len, off;
	char reply[SINKIO_REPLY_MAX + 1]; /* the first bytes of the response body */
	size_t reply_len;
	char errbuf[CURL_ERROR_SIZE];
	sinkio_judge_fn judge;
	sd_event_source *later; /* a known result waiting for the loop */
	enum sink_result result;
	char *detail;
	sink_done_fn done;
	void *userdata;
};

static void job_unlink(struct sinkio_job *j)
{
	if (j->prev != NULL)
		j->prev->next = j->next;
	else if (j->fl != NULL && j->fl->jobs == j)
		j->fl->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	j->prev = j->next = NULL;
}

void sinkio_job_free(struct sinkio_job *j)
{
	if (j == NULL)
		return;
	job_unlink(j);
	if (j->easy != NULL) {
		curl_loop_remove(j->fl->curl, j->easy);
		curl_easy_cleanup(j->easy);
	}
	curl_slist_free_all(j->lists[0]);
	curl_slist_free_all(j->lists[1]);
	free(j->data);
	(void)sd_event_source_disable_unref(j->later);
	free(j->detail);
	free(j);
}

/* CURLOPT_WRITEFUNCTION: keep the start of the answer, swallow the rest. */
static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct sinkio_job *j = userdata;
	size_t n = size * nmemb, take = SINKIO_REPLY_MAX - j->reply_len;

	if (take > n)
		take = n;
	memcpy(j->reply + j->reply_len, ptr, take);
	j->reply_len += take;
	j->reply[j->reply_len] = '\0';
	return n;
}

/* CURLOPT_READFUNCTION: the upload, from memory. */
static size_t on_read(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct sinkio_job *j = userdata;
	size_t n = size * nitems;

	if (n > j->len - j->off)
		n = j->len - j->off;
	memcpy(buf, j->data + j->off, n);
	j->off += n;
	return n;
}

struct sinkio_job *sinkio_job_new(struct sinkio_flight *fl, sink_done_fn done, void *userdata)
{
	struct sinkio_job *j;

	if (fl == NULL || done == NULL)
		return NULL;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return NULL;
	j->fl = fl;
	j->done = done;
	j->userdata = userdata;
	if (fl->curl != NULL) {
		j->easy = curl_easy_init();
		if (j->easy == NULL) {
			free(j);
			return NULL;
		}
		/* CURLOPT_NOSIGNAL: we run in a daemon's loop, not in a program libcurl may
		 * interrupt; the rest are pointers and callbacks, which cannot fail to be set */
		(void)curl_easy_setopt(j->easy, CURLOPT_NOSIGNAL, 1L);
		(void)curl_easy_setopt(j->easy, CURLOPT_ERRORBUFFER, j->errbuf);
		(void)curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, on_write);
		(void)curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	}
	j->next = fl->jobs;
	if (fl->jobs != NULL)
		fl->jobs->prev = j;
	fl->jobs = j;
	return j;
}

CURL *sinkio_job_easy(struct sinkio_job *j)
{
	return j->easy;
}

void sinkio_job_keep(struct sinkio_job *j, char *data, size_t len, struct curl_slist *a,
		     struct curl_slist *b)
{
	free(j->data);
	j->data = data;
	j->len = len;
	j->off = 0;
	curl_slist_free_all(j->lists[0]);
	curl_slist_free_all(j->lists[1]);
	j->lists[0] = a;
	j->lists[1] = b;
	if (j->easy != NULL) {
		(void)curl_easy_setopt(j->easy, CURLOPT_READFUNCTION, on_read);
		(void)curl_easy_setopt(j->easy, CURLOPT_READDATA, j);
	}
}

const char *sinkio_job_data(const struct sinkio_job *j)
{
	return j->data;
}

/* curl_loop's callback: judge, take the job out, then tell its owner. */
static void on_transfer_done(CURL *easy, CURLcode code, void *userdata)
{
	struct sinkio_job *j = userdata;
	sink_done_fn done = j->done;
	void *ud = j->userdata;
	char detail[SINKIO_REPLY_MAX + CURL_ERROR_SIZE + 64];
	enum sink_result r;

	detail[0] = '\0';
	r = j->judge(easy, code, j->reply,
		     j->errbuf[0] != '\0' ? j->errbuf : curl_easy_strerror(code), detail,
		     sizeof(detail));
	sinkio_job_free(j);
	done(r, detail, ud);
}

int sinkio_job_start(struct sinkio_job *j, sinkio_judge_fn judge)
{
	int r;

	if (j == NULL || j->easy == NULL || judge == NULL) {
		sinkio_job_free(j);
		return -EINVAL;
	}
	j->judge = judge;
	r = curl_loop_add(j->fl->curl, j->easy, on_transfer_done, j);
	if (r < 0)
		sinkio_job_free(j);
	return r;
}

static int on_later(sd_event_source *s, void *userdata)
{
	struct sinkio_job *j = userdata;
	sink_done_fn done = j->done;
	void *ud = j->userdata;
	enum sink_result r = j->result;
	char *detail = j->detail;

	j->detail = NULL;
	sinkio_job_free(j);
	done(r, detail != NULL ? detail : "", ud);
	free(detail);
	return 0;
}

int sinkio_job_finish_later(struct sinkio_job *j, enum sink_result r, const char *detail)
{
	int rc;

	if (j == NULL)
		return -EINVAL;
	j->result = r;
	j->detail = strdup(detail != NULL ? detail : "");
	if (j->detail == NULL) {
		sinkio_job_free(j);
		return -ENOMEM;
	}
	/* a defer source runs once, at the loop's next iteration */
	rc = sd_event_add_defer(j->fl->loop, &j->later, on_later, j);
	if (rc < 0) {
		j->later = NULL;
		sinkio_job_free(j);
		return rc;
	}
	return 0;
}

void sinkio_flight_cancel(struct sinkio_flight *fl)
{
	if (fl == NULL)
		return;
	while (fl->jobs != NULL)
		sinkio_job_free(fl->jobs);
}

enum sink_result sinkio_curl_result(CURLcode code)
{
	switch (code) {
	case CURLE_OK:
		return SINK_OK;
	/* the configuration or this build cannot work: trying again changes nothing */
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
		return SINK_GIVE_UP;
	default:
		return SINK_RETRY;
	}
}

char *sinkio_secret_free(char *s, size_t len)
{
	if (s != NULL) {
		explicit_bzero(s, len);
		free(s);
	}
	return NULL;
}

int sinkio_read_secret(const char *path, const char *what, char **ret, size_t *ret_len,
		       struct mxs_error *reterr)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		(void)mxs_error_set(reterr, path, NULL, "cannot open the %s \"%s\": %s", what, path,
				    strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SINKIO_SECRET_MAX) {
		r = -EINVAL;
		(void)mxs_error_set(reterr, path, NULL,
				    "the %s \"%s\" must be a regular file of at most %d bytes",
				    what, path, SINKIO_SECRET_MAX);
		goto out;
	}
	buf = malloc(SINKIO_SECRET_MAX + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* read to the end: the file may have grown since fstat() */
	while ((n = read(fd, buf + len, SINKIO_SECRET_MAX + 1 - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		r = -errno;
		(void)mxs_error_set(reterr, path, NULL, "cannot read the %s \"%s\": %s", what, path,
				    strerror(-r));
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	if (len == 0 || len > SINKIO_SECRET_MAX) {
		r = -EINVAL;
		(void)mxs_error_set(reterr, path, NULL, "the %s \"%s\" is %s", what, path,
				    len == 0 ? "empty" : "too large");
		goto out;
	}
	buf[len] = '\0';
	*ret = buf;
	if (ret_len != NULL)
		*ret_len = len;
	buf = NULL;
	r = 0;
out:
	(void)sinkio_secret_free(buf, SINKIO_SECRET_MAX + 1);
	(void)close(fd);
	return r;
}

/*
 * webhook.c - the webhook sink: an alert message POSTed as JSON over HTTP(S).
 *
 * Two bodies (mxsentry.conf(5), ALERTS, format): mxsentry's own schema (docs/json-output.md,
 * "Webhook alerts"), or an Alertmanager v2 alert list, posted to the URL as configured
 * (e.g. http://127.0.0.1:9093/api/v2/alerts). With hmac_key_file, the body is signed:
 * "X-Mxsentry-Signature: sha256=<hex of HMAC-SHA256(key, body)>", the key being the file's
 * bytes less one trailing newline, so a receiver can tell the sender and the body are genuine.
 * The message id travels in "X-Mxsentry-Id", for receivers that drop repeats.
 *
 * Verdicts (sink.h): 2xx delivered; 408, 429 and 5xx retry; any other status gives up (the
 * receiver rejects this request and would reject it again; redirects are not followed); no
 * connection, a timeout or a TLS failure retry.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alerts/sink.h"
#include "alerts/sinkio.h"
#include "autoconf.h"

/* mxsentry.conf(5): timeout defaults to 10s. */
#define WEBHOOK_TIMEOUT_MS 10000

struct webhook {
	struct sinkio_flight fl;
	char *name;
	char *url;
	char *instance; /* the host name, for the JSON's instance and Alertmanager's label */
	bool alertmanager;
	char *key; /* HMAC key, or NULL */
	size_t key_len;
	long timeout_ms;
	char *ca_bundle; /* or NULL: the system's roots */
};

static void webhook_release(void *priv)
{
	struct webhook *w = priv;

	if (w == NULL)
		return;
	sinkio_flight_cancel(&w->fl);
	free(w->name);
	free(w->url);
	free(w->instance);
	free(w->ca_bundle);
	(void)sinkio_secret_free(w->key, w->key_len);
	free(w);
}

static int webhook_configure(const struct sink_settings *s, const struct sink_env *env,
			     void **ret_priv, struct mxs_error *reterr)
{
	struct webhook *w;
	int r;

	if (s == NULL || env == NULL || env->loop == NULL || env->curl == NULL || s->url == NULL)
		return mxs_error_set(reterr, s != NULL ? s->name : NULL, NULL,
				     "a webhook sink needs a URL and the agent's HTTP client");
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	w->fl.loop = env->loop;
	w->fl.curl = env->curl;
	w->alertmanager = s->alertmanager;
	w->timeout_ms = s->timeout > 0 ? (long)s->timeout : WEBHOOK_TIMEOUT_MS;
	w->name = strdup(s->name != NULL ? s->name : "webhook");
	w->url = strdup(s->url);
	w->instance = env->hostname != NULL ? strdup(env->hostname) : NULL;
	w->ca_bundle = s->ca_bundle != NULL ? strdup(s->ca_bundle) : NULL;
	if (w->name == NULL || w->url == NULL || (env->hostname != NULL && w->instance == NULL) ||
	    (s->ca_bundle != NULL && w->ca_bundle == NULL)) {
		webhook_release(w);
		return -ENOMEM;
	}
	if (s->hmac_key_file != NULL) {
		r = sinkio_read_secret(s->hmac_key_file, "HMAC key file", &w->key, &w->key_len,
				       reterr);
		if (r < 0) {
			webhook_release(w);
			return r;
		}
	}
	*ret_priv = w;
	return 0;
}

/* "sha256=" and the lowercase hex of HMAC-SHA256(key, body), into buf. Returns 0 or -ENOMEM. */
static int sign(const struct webhook *w, const char *body, size_t len, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;

	if (HMAC(EVP_sha256(), w->key, (int)w->key_len, (const unsigned char *)body, len, md,
		 &md_len) == NULL ||
	    size < 7 + 2 * (size_t)md_len + 1)
		return -ENOMEM;
	memcpy(buf, "sha256=", 7);
	for (i = 0; i < md_len; i++) {
		buf[7 + 2 * i] = hex[md[i] >> 4];
		buf[7 + 2 * i + 1] = hex[md[i] & 0x0f];
	}
	buf[7 + 2 * md_len] = '\0';
	return 0;
}

/* The first line of what the receiver answered, printable, for the log. */
static void first_line(const char *reply, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && reply[i] != '\0' && reply[i] != '\n' && reply[i] != '\r'; i++)
		buf[i] = (unsigned char)reply[i] < 0x20 || reply[i] == 0x7f ? ' ' : reply[i];
	buf[i] = '\0';
}

static enum sink_result judge(CURL *easy, CURLcode code, const char *reply, const char *error,
			      char *detail, size_t len)
{
	char line[SINKIO_REPLY_MAX + 1];
	long status = 0;

	if (code != CURLE_OK) {
		(void)snprintf(detail, len, "%s", error);
		return sinkio_curl_result(code);
	}
	(void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	first_line(reply, line, sizeof(line));
	(void)snprintf(detail, len, "HTTP %ld%s%s", status, line[0] != '\0' ? ": " : "", line);
	if (status >= 200 && status <= 299)
		return SINK_OK;
	/* RFC 9110 §15.5.9 (408) and RFC 6585 §4 (429) ask the client to come back */
	if (status == 408 || status == 429 || (status >= 500 && status <= 599))
		return SINK_RETRY;
	return SINK_GIVE_UP;
}

/* Set the transfer up; returns 0, or -ENOMEM when libcurl refuses an option. */
static int setup(const struct webhook *w, CURL *e, const char *body, size_t len,
		 struct curl_slist *headers)
{
	CURLcode c = CURLE_OK;

	c = c ? c : curl_easy_setopt(e, CURLOPT_URL, w->url);
	c = c ? c : curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	c = c ? c : curl_easy_setopt(e, CURLOPT_POST, 1L);
	c = c ? c : curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	c = c ? c : curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	c = c ? c : curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	c = c ? c : curl_easy_setopt(e, CURLOPT_USERAGENT, "mxsentry/" PACKAGE_VERSION);
	c = c ? c : curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, w->timeout_ms);
	if (w->ca_bundle != NULL)
		c = c ? c : curl_easy_setopt(e, CURLOPT_CAINFO, w->ca_bundle);
	return c == CURLE_OK ? 0 : -ENOMEM;
}

static int webhook_deliver(void *priv, const struct alert_message *msg, sink_done_fn done,
			   void *userdata)
{
	struct webhook *w = priv;
	struct curl_slist *headers = NULL, *h;
	struct sinkio_job *j;
	char *body = NULL, sig[7 + 2 * EVP_MAX_MD_SIZE + 1], line[128];
	size_t len;
	int r;

	if (w == NULL || msg == NULL || msg->n_items == 0 || done == NULL)
		return -EINVAL;
	r = w->alertmanager ? alert_alertmanager_json(msg, w->instance, &body)
			    : alert_json(msg, w->instance, &body);
	if (r < 0)
		return r;
	len = strlen(body);
	/* "Expect:" off: a 100-continue round trip buys nothing for a small body */
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	h = headers != NULL ? curl_slist_append(headers, "Expect:") : NULL;
	(void)snprintf(line, sizeof(line), "X-Mxsentry-Id: %s", msg->id);
	h = h != NULL ? curl_slist_append(headers, line) : NULL;
	if (h != NULL && w->key != NULL) {
		r = sign(w, body, len, sig, sizeof(sig));
		if (r < 0)
			h = NULL;
		else if (snprintf(line, sizeof(line), "X-Mxsentry-Signature: %s", sig) >=
			 (int)sizeof(line))
			h = NULL;
		else
			h = curl_slist_append(headers, line);
	}
	j = h != NULL ? sinkio_job_new(&w->fl, done, userdata) : NULL;
	if (j == NULL) {
		curl_slist_free_all(headers);
		free(body);
		return -ENOMEM;
	}
	sinkio_job_keep(j, body, len, headers, NULL);
	r = setup(w, sinkio_job_easy(j), sinkio_job_data(j), len, headers);
	if (r < 0) {
		sinkio_job_free(j);
		return r;
	}
	return sinkio_job_start(j, judge);
}

const struct sink sink_webhook = {
	.name = "webhook",
	.configure = webhook_configure,
	.deliver = webhook_deliver,
	.release = webhook_release,
};

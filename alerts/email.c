/*
 * email.c - the email sink: an alert message as one mail, handed to a relay over SMTP.
 *
 * libcurl speaks SMTP (RFC 5321) to the configured relay, smtp:// or smtps:// (implicit TLS,
 * RFC 8314). Over smtp://, STARTTLS (RFC 3207) is required unless the configuration says
 * starttls = "none": a relay that does not offer it gets nothing, since the alert names the
 * weak spots of the organisation's mail. With username and password_file the client
 * authenticates (RFC 4954); the password is read once, at configure time, and never logged.
 * The message itself (headers, body, line endings) is lib/alert_mail.c's; its Message-ID is
 * the alert's id, so a mail sent again after a lost reply is recognisable as the same one.
 *
 * The relay URL's path is the EHLO name for libcurl: when the URL has none, this host's name
 * is used rather than libcurl's "localhost", which strict relays refuse.
 *
 * Each message is one SMTP session that ends with QUIT (CURLOPT_FORBID_REUSE), as a polite
 * client does: alerts are rare, and a connection kept idle in libcurl's cache would be cut by
 * the relay's timeout. libcurl waits for the reply to QUIT without returning to the loop; the
 * relay has just answered the message, so that wait is short, and the transfer's deadline
 * bounds it.
 *
 * Verdicts (sink.h): the relay's last reply decides when the transfer failed, 5xx gives up and
 * 4xx retries (RFC 5321 §4.2.1); no connection, a timeout, no STARTTLS or a TLS failure retry.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/sink.h"
#include "alerts/sinkio.h"

/* The whole SMTP dialogue with the relay, connection to QUIT. */
#define EMAIL_TIMEOUT_MS 60000

struct email {
	struct sinkio_flight fl;
	char *name;
	char *url; /* the relay, with the EHLO name as its path */
	char *from;
	char **to; /* NULL-terminated */
	char *hostname;
	bool starttls_required;
	char *username;
	char *password; /* or NULL */
	size_t password_len;
	long timeout_ms;
	char *ca_bundle; /* or NULL: the system's roots */
};

static void email_release(void *priv)
{
	struct email *e = priv;
	size_t i;

	if (e == NULL)
		return;
	sinkio_flight_cancel(&e->fl);
	free(e->name);
	free(e->url);
	free(e->from);
	for (i = 0; e->to != NULL && e->to[i] != NULL; i++)
		free(e->to[i]);
	free(e->to);
	free(e->hostname);
	free(e->username);
	free(e->ca_bundle);
	(void)sinkio_secret_free(e->password, e->password_len);
	free(e);
}

/* A host name that can go into a URL's path unescaped. */
static bool url_safe_name(const char *s)
{
	return s != NULL && s[0] != '\0' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
		   strlen(s);
}

/* The relay URL, with "/<hostname>" added when it has no path. NULL on ENOMEM. */
static char *relay_url(const char *relay, const char *hostname)
{
	const char *authority = strstr(relay, "://");

	if (authority == NULL || strchr(authority + 3, '/') != NULL || !url_safe_name(hostname))
		return strdup(relay);
	return mxs_strdupf("%s/%s", relay, hostname);
}

/* An address that can go into the envelope (RFC 5321 §4.5.3.1.3: a path of at most 256
 * octets, brackets included) and a header field as it is. */
static bool plain_address(const char *s)
{
	const char *p;

	if (s == NULL || strchr(s, '@') == NULL || strlen(s) > 254)
		return false;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>,;\"", *p) != NULL)
			return false;
	return true;
}

static int email_configure(const struct sink_settings *s, const struct sink_env *env,
			   void **ret_priv, struct mxs_error *reterr)
{
	const char *where = s != NULL ? s->name : NULL;
	struct email *e;
	size_t n, i;
	int r;

	if (s == NULL || env == NULL || env->loop == NULL || env->curl == NULL ||
	    s->relay == NULL || s->to == NULL || s->to[0] == NULL)
		return mxs_error_set(reterr, where, NULL,
				     "an email sink needs a relay, recipients and the agent's "
				     "SMTP client");
	if (!plain_address(s->from))
		return mxs_error_set(reterr, where, NULL, "\"%s\" is not a mail address",
				     s->from != NULL ? s->from : "");
	for (n = 0; s->to[n] != NULL; n++)
		if (!plain_address(s->to[n]))
			return mxs_error_set(reterr, where, NULL, "\"%s\" is not a mail address",
					     s->to[n]);
	if ((s->username == NULL) != (s->password_file == NULL))
		return mxs_error_set(reterr, where, NULL, "username and password_file go together");
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->fl.loop = env->loop;
	e->fl.curl = env->curl;
	e->starttls_required = s->starttls_required;
	if (s->ca_bundle != NULL && (e->ca_bundle = strdup(s->ca_bundle)) == NULL) {
		email_release(e);
		return -ENOMEM;
	}
	e->timeout_ms = s->timeout > 0 ? (long)s->timeout : EMAIL_TIMEOUT_MS;
	e->name = strdup(s->name != NULL ? s->name : "email");
	e->url = relay_url(s->relay, env->hostname);
	e->from = strdup(s->from);
	e->hostname = strdup(url_safe_name(env->hostname) ? env->hostname : "localhost");
	e->username = s->username != NULL ? strdup(s->username) : NULL;
	e->to = calloc(n + 1, sizeof(*e->to));
	r = e->name == NULL || e->url == NULL || e->from == NULL || e->hostname == NULL ||
	    (s->username != NULL && e->username == NULL) || e->to == NULL;
	for (i = 0; !r && i < n; i++) {
		e->to[i] = strdup(s->to[i]);
		r = e->to[i] == NULL;
	}
	if (r) {
		email_release(e);
		return -ENOMEM;
	}
	if (s->password_file != NULL) {
		r = sinkio_read_secret(s->password_file, "password file", &e->password,
				       &e->password_len, reterr);
		if (r == 0 && strlen(e->password) != e->password_len)
			r = mxs_error_set(reterr, s->password_file, NULL,
					  "the password file \"%s\" holds a NUL byte",
					  s->password_file);
		if (r < 0) {
			email_release(e);
			return r;
		}
	}
	*ret_priv = e;
	return 0;
}

static enum sink_result judge(CURL *easy, CURLcode code, const char *reply, const char *error,
			      char *detail, size_t len)
{
	long last = 0;

	(void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &last);
	if (code == CURLE_OK) {
		(void)snprintf(detail, len, "accepted by the relay (%ld)", last);
		return SINK_OK;
	}
	if (code == CURLE_USE_SSL_FAILED) {
		(void)snprintf(detail, len,
			       "the relay does not offer STARTTLS, which is required "
			       "(starttls = \"none\" to send in clear)");
		return SINK_RETRY;
	}
	if (last >= 400 && last <= 599) {
		(void)snprintf(detail, len, "the relay answered %ld: %s", last, error);
		return last >= 500 ? SINK_GIVE_UP : SINK_RETRY;
	}
	(void)snprintf(detail, len, "%s", error);
	return sinkio_curl_result(code);
}

/* Set the transfer up; returns 0, or -ENOMEM when libcurl refuses an option. */
static int setup(const struct email *e, CURL *c, size_t len, struct curl_slist *rcpt)
{
	char from[260];
	CURLcode r = CURLE_OK;

	if (snprintf(from, sizeof(from), "<%s>", e->from) >= (int)sizeof(from))
		return -EINVAL;
	r = r ? r : curl_easy_setopt(c, CURLOPT_URL, e->url);
	r = r ? r : curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	r = r ? r
	      : curl_easy_setopt(c, CURLOPT_USE_SSL,
				 (long)(e->starttls_required ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	r = r ? r : curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	r = r ? r : curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	r = r ? r : curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	r = r ? r : curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	r = r ? r : curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, e->timeout_ms);
	if (e->ca_bundle != NULL)
		r = r ? r : curl_easy_setopt(c, CURLOPT_CAINFO, e->ca_bundle);
	/* one session per message, ended by QUIT (see the top of the file) */
	r = r ? r : curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	if (e->password != NULL) {
		r = r ? r : curl_easy_setopt(c, CURLOPT_USERNAME, e->username);
		r = r ? r : curl_easy_setopt(c, CURLOPT_PASSWORD, e->password);
	}
	return r == CURLE_OK ? 0 : -ENOMEM;
}

/* Send the message text (its ownership passes here) to every recipient. */
static int send_text(struct email *e, char *text, size_t len, sink_done_fn done, void *userdata)
{
	struct curl_slist *rcpt = NULL, *l = NULL;
	struct sinkio_job *j;
	char *addr;
	size_t i;
	int r;

	for (i = 0; e->to[i] != NULL; i++) {
		addr = mxs_strdupf("<%s>", e->to[i]);
		l = addr != NULL ? curl_slist_append(rcpt, addr) : NULL;
		free(addr);
		if (l == NULL)
			break;
		rcpt = l;
	}
	j = l != NULL ? sinkio_job_new(&e->fl, done, userdata) : NULL;
	if (j == NULL) {
		curl_slist_free_all(rcpt);
		free(text);
		return -ENOMEM;
	}
	sinkio_job_keep(j, text, len, rcpt, NULL);
	r = setup(e, sinkio_job_easy(j), len, rcpt);
	if (r < 0) {
		sinkio_job_free(j);
		return r;
	}
	return sinkio_job_start(j, judge);
}

static struct alert_mail_headers headers_of(const struct email *e)
{
	return (struct alert_mail_headers){ .from = e->from,
					    .to = (const char *const *)e->to,
					    .hostname = e->hostname,
					    .agent_host = e->hostname,
					    .date = time(NULL) };
}

static int email_deliver(void *priv, const struct alert_message *msg, sink_done_fn done,
			 void *userdata)
{
	struct email *e = priv;
	struct alert_mail_headers h;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (e == NULL || msg == NULL || msg->n_items == 0 || done == NULL)
		return -EINVAL;
	h = headers_of(e);
	r = alert_mail(msg, &h, &text, &len);
	if (r < 0)
		return r;
	return send_text(e, text, len, done, userdata);
}

static int email_deliver_text(void *priv, const char *id, const char *subject, const char *body,
			      sink_done_fn done, void *userdata)
{
	struct email *e = priv;
	struct alert_mail_headers h;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (e == NULL || done == NULL)
		return -EINVAL;
	h = headers_of(e);
	r = alert_mail_plain(&h, id, subject, body, &text, &len);
	if (r < 0)
		return r;
	return send_text(e, text, len, done, userdata);
}

const struct sink sink_email = {
	.name = "email",
	.configure = email_configure,
	.deliver = email_deliver,
	.deliver_text = email_deliver_text,
	.release = email_release,
};

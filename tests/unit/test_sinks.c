/*
 * test_sinks.c - the alert sinks (alerts/) against real peers on 127.0.0.1.
 *
 * The webhook sink posts to a libmicrohttpd server run by this program (its own thread); the
 * email sink talks to a small SMTP listener forked from this program, which records what the
 * client sent. The sinks run on an sd-event loop through agent/curl_loop.h, as in the agent,
 * and a delivery is run by turning the loop until its done() arrives (the transfers' own
 * deadlines bound it). What is asserted is what went over the connection and the verdict:
 * body, Content-Type and signature of a webhook, the verdicts on 503, 400, a refused connection
 * and a timeout; the SMTP dialogue and the mail's header fields; and the contract of sink.h
 * (done() never from inside deliver(), never after release()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <systemd/sd-event.h>

#include "agent/curl_loop.h"
#include "alerts/sink.h"
#include "lib/alert.h"

extern const struct sink sink_email;
extern const struct sink sink_webhook;
extern const struct sink sink_syslog;

#define AT        1795921200
#define BODY_MAX  16384
#define SMTP_FILE "/tmp/mxs-test-smtp-XXXXXX"

/* The loop and what the last delivery reported. */
struct fixture {
	sd_event *loop;
	struct curl_loop *cl;
	struct sink_env env;
	unsigned calls;
	enum sink_result result;
	char detail[512];
};

static void on_done(enum sink_result r, const char *detail, void *userdata)
{
	struct fixture *fx = userdata;

	fx->calls++;
	fx->result = r;
	(void)snprintf(fx->detail, sizeof(fx->detail), "%s", detail);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || sd_event_new(&fx->loop) < 0 || curl_loop_new(fx->loop, &fx->cl, NULL) < 0)
		return -1;
	fx->env.loop = fx->loop;
	fx->env.curl = fx->cl;
	fx->env.hostname = "agent1.example.org";
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	(void)curl_loop_free(fx->cl);
	sd_event_unref(fx->loop);
	free(fx);
	return 0;
}

/* Turn the loop until the delivery ends, at most limit_ms. */
static void run_until_done(struct fixture *fx, unsigned limit_ms)
{
	struct timespec start, now;

	(void)clock_gettime(CLOCK_MONOTONIC, &start);
	while (fx->calls == 0) {
		assert_true(sd_event_run(fx->loop, 50 * 1000) >= 0);
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    limit_ms)
			break;
	}
}

/* Turn the loop for about ms milliseconds, whatever happens. */
static void run_for(struct fixture *fx, unsigned ms)
{
	unsigned i;

	for (i = 0; i < ms / 10; i++)
		assert_true(sd_event_run(fx->loop, 10 * 1000) >= 0);
}

/* One CRITICAL item about mx1, a message of its own. */
static void make_message(struct alert_message *m)
{
	const struct alert_item it = { .kind = ALERT_OPENED,
				       .check = "cert_expiry",
				       .code = "cert.expiring",
				       .severity = SEVERITY_CRITICAL,
				       .mx = "mx1.example.com",
				       .address = "192.0.2.1",
				       .message =
					   "certificate of mx1.example.com expires in 3 days",
				       .req = "COMMON-EXP-04",
				       .since = AT,
				       .at = AT };

	assert_int_equal(alert_message_init(m, "example.com", NULL, AT), 0);
	assert_int_equal(alert_message_add(m, &it), 0);
}

/* A file holding text, for password and key files; the path is written into path. */
static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

/* A TCP port on 127.0.0.1 where nobody listens (bound once, then closed). */
static int dead_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	(void)close(fd);
	return ntohs(sin.sin_port);
}

/* --- the HTTP peer ----------------------------------------------------------------------- */

struct http_peer {
	struct MHD_Daemon *d;
	int port;
	unsigned status;   /* to answer */
	unsigned delay_ms; /* before answering */
	unsigned requests;
	char url[128];
	char content_type[128];
	char signature[160];
	char id[64];
	char body[BODY_MAX];
	size_t body_len;
};

static void copy_header(struct MHD_Connection *c, const char *name, char *buf, size_t size)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	(void)snprintf(buf, size, "%s", v != NULL ? v : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static int started;
	struct http_peer *p = cls;
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (*con_cls == NULL) {
		*con_cls = &started;
		p->body_len = 0;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		if (n > BODY_MAX - 1 - p->body_len)
			n = BODY_MAX - 1 - p->body_len;
		memcpy(p->body + p->body_len, upload, n);
		p->body_len += n;
		p->body[p->body_len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	p->requests++;
	(void)snprintf(p->url, sizeof(p->url), "%s %s", method, url);
	copy_header(c, "Content-Type", p->content_type, sizeof(p->content_type));
	copy_header(c, "X-Mxsentry-Signature", p->signature, sizeof(p->signature));
	copy_header(c, "X-Mxsentry-Id", p->id, sizeof(p->id));
	if (p->delay_ms > 0)
		(void)usleep(p->delay_ms * 1000);
	resp = MHD_create_response_from_buffer(strlen("answer\n"), (void *)"answer\n",
					       MHD_RESPMEM_PERSISTENT);
	r = MHD_queue_response(c, p->status, resp);
	MHD_destroy_response(resp);
	return r;
}

static void http_start(struct http_peer *p, unsigned status)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const union MHD_DaemonInfo *info;

	memset(p, 0, sizeof(*p));
	p->status = status;
	p->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				on_request, p, MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_END);
	assert_non_null(p->d);
	info = MHD_get_daemon_info(p->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	p->port = info->port;
	assert_true(p->port > 0);
}

static void http_stop(struct http_peer *p)
{
	MHD_stop_daemon(p->d);
}

/* Configure a webhook sink for url; key_file may be NULL. */
static void *webhook_for(struct fixture *fx, const char *url, bool am, const char *key_file,
			 unsigned timeout)
{
	struct sink_settings s = { .name = "hook",
				   .url = url,
				   .alertmanager = am,
				   .hmac_key_file = key_file,
				   .timeout = timeout };
	struct mxs_error err = { 0 };
	void *priv = NULL;

	assert_int_equal(sink_webhook.configure(&s, &fx->env, &priv, &err), 0);
	assert_non_null(priv);
	return priv;
}

/* Deliver msg through sink, checking that done() waits for the loop; returns the verdict. */
static enum sink_result deliver(struct fixture *fx, const struct sink *sink, void *priv,
				const struct alert_message *msg, unsigned limit_ms)
{
	fx->calls = 0;
	assert_int_equal(sink->deliver(priv, msg, on_done, fx), 0);
	assert_int_equal(fx->calls, 0); /* never from inside deliver() */
	run_until_done(fx, limit_ms);
	assert_int_equal(fx->calls, 1);
	return fx->result;
}

/* The body is mxsentry's JSON, typed as such, signed with the key file's key (less its LF). */
static void test_webhook_json_signed(void **state)
{
	struct fixture *fx = *state;
	char key_path[] = "/tmp/mxs-test-key-XXXXXX", url[128], expect[80];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;
	struct http_peer p;
	struct alert_message m;
	json_t *root;
	void *priv;

	write_file(key_path, "s3cret-key\n");
	http_start(&p, 200);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/hooks/mxsentry", p.port);
	priv = webhook_for(fx, url, false, key_path, 5000);
	make_message(&m);
	assert_int_equal(deliver(fx, &sink_webhook, priv, &m, 10000), SINK_OK);
	assert_non_null(strstr(fx->detail, "HTTP 200"));
	assert_int_equal(p.requests, 1);
	assert_string_equal(p.url, "POST /hooks/mxsentry");
	assert_string_equal(p.content_type, "application/json");
	assert_string_equal(p.id, m.id);
	root = json_loads(p.body, 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "domain")), "example.com");
	assert_string_equal(json_string_value(json_object_get(root, "id")), m.id);
	assert_string_equal(json_string_value(json_object_get(root, "instance")),
			    "agent1.example.org");
	json_decref(root);
	/* the signature, recomputed over the bytes received */
	assert_non_null(HMAC(EVP_sha256(), "s3cret-key", 10, (const unsigned char *)p.body,
			     p.body_len, md, &md_len));
	strcpy(expect, "sha256=");
	for (i = 0; i < md_len; i++)
		(void)snprintf(expect + 7 + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(p.signature, expect);
	sink_webhook.release(priv);
	http_stop(&p);
	alert_message_clear(&m);
	(void)unlink(key_path);
}

/* Alertmanager mode posts an alert list to the URL as given; no key, no signature. */
static void test_webhook_alertmanager(void **state)
{
	struct fixture *fx = *state;
	struct http_peer p;
	struct alert_message m;
	json_t *root;
	char url[128];
	void *priv;

	http_start(&p, 200);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v2/alerts", p.port);
	priv = webhook_for(fx, url, true, NULL, 5000);
	make_message(&m);
	assert_int_equal(deliver(fx, &sink_webhook, priv, &m, 10000), SINK_OK);
	assert_string_equal(p.url, "POST /api/v2/alerts");
	assert_string_equal(p.signature, "");
	root = json_loads(p.body, 0, NULL);
	assert_true(json_is_array(root));
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_array_get(root, 0), "labels"), "alertname")),
			    "cert.expiring");
	json_decref(root);
	sink_webhook.release(priv);
	http_stop(&p);
	alert_message_clear(&m);
}

/* 503 and 429: retry; 400 and 404: give up; both with the status in the detail. */
static void test_webhook_status_verdicts(void **state)
{
	static const struct {
		unsigned status;
		enum sink_result r;
	} cases[] = {
		{ 503, SINK_RETRY },   { 429, SINK_RETRY },   { 408, SINK_RETRY },
		{ 400, SINK_GIVE_UP }, { 404, SINK_GIVE_UP }, { 204, SINK_OK },
	};
	struct fixture *fx = *state;
	struct alert_message m;
	struct http_peer p;
	char url[128], want[32];
	size_t i;
	void *priv;

	make_message(&m);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_start(&p, cases[i].status);
		(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/", p.port);
		priv = webhook_for(fx, url, false, NULL, 5000);
		assert_int_equal(deliver(fx, &sink_webhook, priv, &m, 10000), cases[i].r);
		(void)snprintf(want, sizeof(want), "HTTP %u", cases[i].status);
		assert_non_null(strstr(fx->detail, want));
		sink_webhook.release(priv);
		http_stop(&p);
	}
	alert_message_clear(&m);
}

/* Nobody listening, or an answer later than the timeout: retry. */
static void test_webhook_refused_and_timeout(void **state)
{
	struct fixture *fx = *state;
	struct alert_message m;
	struct http_peer p;
	char url[128];
	void *priv;

	make_message(&m);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/", dead_port());
	priv = webhook_for(fx, url, false, NULL, 5000);
	assert_int_equal(deliver(fx, &sink_webhook, priv, &m, 10000), SINK_RETRY);
	sink_webhook.release(priv);

	http_start(&p, 200);
	p.delay_ms = 1500;
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/", p.port);
	priv = webhook_for(fx, url, false, NULL, 300);
	assert_int_equal(deliver(fx, &sink_webhook, priv, &m, 5000), SINK_RETRY);
	assert_non_null(strstr(fx->detail, "imed out"));
	sink_webhook.release(priv);
	http_stop(&p);
	alert_message_clear(&m);
}

/* release() cancels what runs: its done() never comes. */
static void test_webhook_release_cancels(void **state)
{
	struct fixture *fx = *state;
	struct alert_message m;
	struct http_peer p;
	char url[128];
	void *priv;

	make_message(&m);
	http_start(&p, 200);
	p.delay_ms = 500;
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%d/", p.port);
	priv = webhook_for(fx, url, false, NULL, 5000);
	fx->calls = 0;
	assert_int_equal(sink_webhook.deliver(priv, &m, on_done, fx), 0);
	run_for(fx, 100);
	sink_webhook.release(priv);
	run_for(fx, 700);
	assert_int_equal(fx->calls, 0);
	http_stop(&p);
	alert_message_clear(&m);
}

/* A key file that cannot be read fails configure(), naming the file. */
static void test_secret_file_errors(void **state)
{
	struct fixture *fx = *state;
	struct sink_settings s = { .name = "hook",
				   .url = "http://127.0.0.1:1/",
				   .hmac_key_file = "/nonexistent/mxs-key" };
	struct sink_settings e = { .name = "mail",
				   .relay = "smtp://127.0.0.1:1",
				   .from = "mxsentry@example.org",
				   .to = (const char *const[]){ "postmaster@example.org", NULL },
				   .username = "agent",
				   .password_file = "/nonexistent/mxs-password" };
	char empty[] = "/tmp/mxs-test-empty-XXXXXX";
	struct mxs_error err = { 0 };
	void *priv = NULL;

	assert_int_equal(sink_webhook.configure(&s, &fx->env, &priv, &err), -ENOENT);
	assert_null(priv);
	assert_non_null(strstr(err.what, "\"/nonexistent/mxs-key\""));
	assert_string_equal(err.where, "/nonexistent/mxs-key");
	mxs_error_clear(&err);
	assert_int_equal(sink_email.configure(&e, &fx->env, &priv, &err), -ENOENT);
	assert_non_null(strstr(err.what, "password file \"/nonexistent/mxs-password\""));
	mxs_error_clear(&err);
	write_file(empty, "\n");
	s.hmac_key_file = empty;
	assert_int_equal(sink_webhook.configure(&s, &fx->env, &priv, &err), -EINVAL);
	assert_non_null(strstr(err.what, "empty"));
	mxs_error_clear(&err);
	(void)unlink(empty);
}

/* --- the SMTP peer ----------------------------------------------------------------------- */

struct smtp_peer {
	pid_t pid;
	int port;
	char path[sizeof(SMTP_FILE)]; /* everything the client sent */
};

/* Read one line (up to LF) from fd; returns its length, 0 at EOF. */
static size_t read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	while (n + 1 < size && read(fd, &c, 1) == 1) {
		buf[n++] = c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return n;
}

static void say(int fd, const char *text)
{
	(void)!write(fd, text, strlen(text));
}

/*
 * The child: one session on lfd, no STARTTLS offered; AUTH PLAIN accepted; rcpt_reply answers
 * RCPT. Writes every line it receives, DATA unstuffed (RFC 5321 §4.5.2), to out.
 */
static void smtp_child(int lfd, const char *out_path, const char *rcpt_reply)
{
	FILE *out = fopen(out_path, "w");
	char line[2048];
	int fd;

	alarm(10);
	fd = accept(lfd, NULL, NULL);
	if (out == NULL || fd < 0)
		_exit(1);
	say(fd, "220 test.invalid ESMTP\r\n");
	while (read_line(fd, line, sizeof(line)) > 0) {
		fputs(line, out);
		if (strncmp(line, "EHLO", 4) == 0) {
			say(fd, "250-test.invalid\r\n250-8BITMIME\r\n250 AUTH PLAIN\r\n");
		} else if (strncmp(line, "AUTH PLAIN", 10) == 0) {
			if (strlen(line) <= 12) { /* no initial response: ask for it */
				say(fd, "334 \r\n");
				if (read_line(fd, line, sizeof(line)) == 0)
					break;
				fputs(line, out);
			}
			say(fd, "235 2.7.0 ok\r\n");
		} else if (strncmp(line, "MAIL", 4) == 0) {
			say(fd, "250 2.1.0 ok\r\n");
		} else if (strncmp(line, "RCPT", 4) == 0) {
			say(fd, rcpt_reply);
		} else if (strncmp(line, "DATA", 4) == 0) {
			say(fd, "354 go on\r\n");
			while (read_line(fd, line, sizeof(line)) > 0 && strcmp(line, ".\r\n") != 0)
				fputs(line[0] == '.' ? line + 1 : line, out);
			fputs("<END OF DATA>\r\n", out);
			say(fd, "250 2.0.0 queued\r\n");
		} else if (strncmp(line, "QUIT", 4) == 0) {
			say(fd, "221 bye\r\n");
			break;
		} else {
			say(fd, "502 5.5.2 not here\r\n");
		}
	}
	(void)fclose(out);
	(void)close(fd);
	_exit(0);
}

static void smtp_start(struct smtp_peer *p, const char *rcpt_reply)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fd;

	memcpy(p->path, SMTP_FILE, sizeof(SMTP_FILE));
	fd = mkstemp(p->path);
	assert_true(fd >= 0);
	(void)close(fd);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	p->port = ntohs(sin.sin_port);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0)
		smtp_child(lfd, p->path, rcpt_reply);
	(void)close(lfd);
}

/* Wait for the child; returns what the client sent (the caller frees it). */
static char *smtp_finish(struct smtp_peer *p)
{
	char *text = calloc(1, 65536);
	FILE *f;
	int status = 0;

	assert_int_equal(waitpid(p->pid, &status, 0), p->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	f = fopen(p->path, "r");
	assert_non_null(f);
	assert_non_null(text);
	(void)fread(text, 1, 65535, f);
	(void)fclose(f);
	(void)unlink(p->path);
	return text;
}

static void *email_for(struct fixture *fx, int port, bool starttls, const char *password_file)
{
	static const char *const to[] = { "postmaster@example.org", "noc@example.org", NULL };
	struct sink_settings s = { .name = "mail",
				   .from = "mxsentry@example.org",
				   .to = to,
				   .starttls_required = starttls,
				   .username = password_file != NULL ? "agent" : NULL,
				   .password_file = password_file,
				   .timeout = 5000 };
	struct mxs_error err = { 0 };
	char relay[64];
	void *priv = NULL;

	(void)snprintf(relay, sizeof(relay), "smtp://127.0.0.1:%d", port);
	s.relay = relay;
	assert_int_equal(sink_email.configure(&s, &fx->env, &priv, &err), 0);
	assert_non_null(priv);
	return priv;
}

/* starttls = required and a relay without STARTTLS: nothing is sent in clear; retry. */
static void test_email_starttls_required(void **state)
{
	struct fixture *fx = *state;
	struct alert_message m;
	struct smtp_peer p;
	char *sent;
	void *priv;

	make_message(&m);
	smtp_start(&p, "250 2.1.5 ok\r\n");
	priv = email_for(fx, p.port, true, NULL);
	assert_int_equal(deliver(fx, &sink_email, priv, &m, 10000), SINK_RETRY);
	assert_non_null(strstr(fx->detail, "STARTTLS"));
	sink_email.release(priv);
	sent = smtp_finish(&p);
	assert_non_null(strstr(sent, "EHLO agent1.example.org\r\n"));
	assert_null(strstr(sent, "MAIL FROM"));
	assert_null(strstr(sent, "AUTH"));
	free(sent);
	alert_message_clear(&m);
}

/* starttls = none: the mail goes through, with its header fields and the password's AUTH. */
static void test_email_delivered(void **state)
{
	struct fixture *fx = *state;
	char pw_path[] = "/tmp/mxs-test-pw-XXXXXX", expect[128], *sent, *data;
	unsigned char plain[64];
	struct alert_message m;
	struct smtp_peer p;
	const char *auth;
	void *priv;
	int n;

	write_file(pw_path, "hunter2\n");
	make_message(&m);
	smtp_start(&p, "250 2.1.5 ok\r\n");
	priv = email_for(fx, p.port, false, pw_path);
	assert_int_equal(deliver(fx, &sink_email, priv, &m, 10000), SINK_OK);
	sink_email.release(priv);
	sent = smtp_finish(&p);
	assert_non_null(strstr(sent, "EHLO agent1.example.org\r\n"));
	assert_non_null(strstr(sent, "MAIL FROM:<mxsentry@example.org>"));
	assert_non_null(strstr(sent, "RCPT TO:<postmaster@example.org>\r\n"));
	assert_non_null(strstr(sent, "RCPT TO:<noc@example.org>\r\n"));
	/* AUTH PLAIN is base64 of "\0agent\0hunter2": the file's newline is not the password's */
	/* with or without SASL-IR: on the same line, or on the next after "334" */
	auth = strstr(sent, "AUTH PLAIN");
	assert_non_null(auth);
	auth += 10;
	auth += strspn(auth, " \r\n");
	n = EVP_DecodeBlock(plain, (const unsigned char *)auth, (int)strcspn(auth, "\r\n"));
	assert_true(n >= 14);
	assert_memory_equal(plain, "\0agent\0hunter2", 14);
	data = strstr(sent, "DATA\r\n");
	assert_non_null(data);
	assert_non_null(strstr(data, "\r\nDate: "));
	(void)snprintf(expect, sizeof(expect), "\r\nMessage-ID: <%s@agent1.example.org>\r\n", m.id);
	assert_non_null(strstr(data, expect));
	assert_non_null(strstr(data, "\r\nAuto-Submitted: auto-generated\r\n"));
	assert_non_null(strstr(data, "\r\nSubject: [mxsentry] CRITICAL example.com: certificate"));
	assert_non_null(strstr(data, "\r\nTo: postmaster@example.org, noc@example.org\r\n"));
	assert_non_null(strstr(data, "\r\n\r\nmxsentry: example.com: 1 new problem.\r\n"));
	assert_non_null(strstr(data, "  Requirement: COMMON-EXP-04\r\n"));
	/* the body arrived whole: its last line, then the end of DATA */
	assert_non_null(strstr(data, "mxsentry status example.com\r\n<END OF DATA>"));
	free(sent);
	alert_message_clear(&m);
	(void)unlink(pw_path);
}

/* The relay's reply decides: 5xx gives up, 4xx retries; nobody listening retries. */
static void test_email_reply_verdicts(void **state)
{
	struct fixture *fx = *state;
	struct alert_message m;
	struct smtp_peer p;
	void *priv;

	make_message(&m);
	smtp_start(&p, "550 5.1.1 no such user\r\n");
	priv = email_for(fx, p.port, false, NULL);
	assert_int_equal(deliver(fx, &sink_email, priv, &m, 10000), SINK_GIVE_UP);
	assert_non_null(strstr(fx->detail, "550"));
	sink_email.release(priv);
	free(smtp_finish(&p));

	smtp_start(&p, "451 4.3.0 try later\r\n");
	priv = email_for(fx, p.port, false, NULL);
	assert_int_equal(deliver(fx, &sink_email, priv, &m, 10000), SINK_RETRY);
	assert_non_null(strstr(fx->detail, "451"));
	sink_email.release(priv);
	free(smtp_finish(&p));

	priv = email_for(fx, dead_port(), false, NULL);
	assert_int_equal(deliver(fx, &sink_email, priv, &m, 10000), SINK_RETRY);
	sink_email.release(priv);
	alert_message_clear(&m);
}

/* syslog writes at once, but done() still comes from the loop; release() drops it. */
static void test_syslog_deferred(void **state)
{
	struct fixture *fx = *state;
	struct sink_settings s = { .name = "log", .facility = LOG_LOCAL3, .ident = "mxs-test" };
	struct alert_message m;
	void *priv = NULL;

	make_message(&m);
	assert_int_equal(sink_syslog.configure(&s, &fx->env, &priv, NULL), 0);
	assert_int_equal(deliver(fx, &sink_syslog, priv, &m, 1000), SINK_OK);
	assert_string_equal(fx->detail, "1 line written");
	fx->calls = 0;
	assert_int_equal(sink_syslog.deliver(priv, &m, on_done, fx), 0);
	sink_syslog.release(priv);
	run_for(fx, 50);
	assert_int_equal(fx->calls, 0);
	alert_message_clear(&m);
}

static void test_registry(void **state)
{
	(void)state;
	assert_ptr_equal(sink_lookup("email"), &sink_email);
	assert_ptr_equal(sink_lookup("webhook"), &sink_webhook);
	assert_ptr_equal(sink_lookup("syslog"), &sink_syslog);
	assert_null(sink_lookup("pager"));
	assert_null(sink_lookup(NULL));
	assert_string_equal(sink_known_names(), "email, webhook, syslog");
	assert_string_equal(sink_result_name(SINK_GIVE_UP), "give-up");
	assert_string_equal(sink_result_name((enum sink_result)7), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_webhook_json_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_alertmanager, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_status_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_refused_and_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_release_cancels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_starttls_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_reply_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_deferred, setup, teardown),
	};

	/* a peer that closes first must not kill the test with SIGPIPE */
	(void)signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

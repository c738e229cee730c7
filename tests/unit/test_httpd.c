/*
 * test_httpd.c - the agent's HTTP endpoint (agent/httpd.c) against a real client.
 *
 * The server and the client share one sd-event loop, as in the agent: httpd serves, and libcurl
 * fetches through agent/curl_loop.h; a request is run by turning the loop until its transfer
 * ends (libcurl's own deadline bounds it). So what is asserted is what goes over a TCP
 * connection: status, Content-Type, Cache-Control and Allow headers, the body, and what the
 * handler saw (method, client address, a header, the POST body byte for byte).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <systemd/sd-event.h>

#include "agent/curl_loop.h"
#include "agent/httpd.h"
#include "lib/error.h"

#define UPLOAD_MAX 8192

/* The loop, the client, the server, and what the handlers saw. */
struct server {
	sd_event *loop;
	struct curl_loop *cl;
	struct httpd *h;
	unsigned calls;      /* handler calls */
	char method[8];      /* of the last call */
	unsigned char *body; /* copy of the last POST body */
	size_t body_len;
	bool body_null; /* the last handler call got req->body == NULL */
};

/* One request's outcome, as the client saw it. */
struct result {
	bool done;
	CURLcode code;
	long status;
	char *body; /* memory streams, closed by fetch() */
	size_t len;
	FILE *body_f;
	char *headers;
	size_t headers_len;
	FILE *headers_f;
};

static char *copy_text(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

static void on_hello(const struct httpd_request *req, struct httpd_response *resp, void *userdata)
{
	struct server *srv = userdata;

	srv->calls++;
	(void)snprintf(srv->method, sizeof(srv->method), "%s", req->method);
	resp->content_type = "text/x-test";
	resp->body = copy_text("hello\n");
	resp->len = 6;
}

/* The handler's view, as text: method, client, the X-Test header; no content type of its own. */
static void on_info(const struct httpd_request *req, struct httpd_response *resp, void *userdata)
{
	const char *x = httpd_header(req, "x-test");

	(void)userdata;
	resp->body = mxs_strdupf("%s %s %s %s", req->method, req->path, req->client,
				 x != NULL ? x : "(none)");
	resp->len = resp->body != NULL ? strlen(resp->body) : 0;
}

static void on_upload(const struct httpd_request *req, struct httpd_response *resp, void *userdata)
{
	struct server *srv = userdata;

	srv->calls++;
	(void)snprintf(srv->method, sizeof(srv->method), "%s", req->method);
	free(srv->body);
	srv->body = malloc(req->body_len + 1);
	assert_non_null(srv->body);
	if (req->body_len > 0)
		memcpy(srv->body, req->body, req->body_len);
	srv->body_len = req->body_len;
	srv->body_null = req->body == NULL;
	/* httpd.h: the body is NUL-terminated after body_len. */
	if (req->body != NULL)
		assert_int_equal(req->body[req->body_len], '\0');
	resp->status = 202;
	resp->body = mxs_strdupf("got %zu\n", req->body_len);
	resp->len = resp->body != NULL ? strlen(resp->body) : 0;
}

static const struct httpd_route routes[] = {
	{ .method = "GET", .path = "/hello", .fn = on_hello },
	{ .method = "GET", .path = "/info", .fn = on_info },
	{ .method = "POST", .path = "/upload", .fn = on_upload, .max_body = UPLOAD_MAX },
	{ .method = "GET", .path = "/both", .fn = on_hello },
	{ .method = "POST", .path = "/both", .fn = on_upload },
};

static int setup_at(void **state, const char *listen)
{
	struct server *srv = calloc(1, sizeof(*srv));
	struct mxs_error err = { 0 };

	assert_non_null(srv);
	assert_true(sd_event_new(&srv->loop) >= 0);
	assert_int_equal(curl_loop_new(srv->loop, &srv->cl, NULL), 0);
	if (httpd_new(srv->loop, listen, routes, sizeof(routes) / sizeof(routes[0]), srv, &srv->h,
		      &err) != 0) {
		print_message("# %s\n", err.what);
		mxs_error_clear(&err);
		srv->h = NULL;
	}
	*state = srv;
	return 0;
}

static int setup(void **state)
{
	return setup_at(state, "127.0.0.1:0");
}

static int teardown(void **state)
{
	struct server *srv = *state;

	srv->h = httpd_free(srv->h);
	srv->cl = curl_loop_free(srv->cl);
	sd_event_unref(srv->loop);
	free(srv->body);
	free(srv);
	return 0;
}

static size_t on_write(char *data, size_t size, size_t n, void *userdata)
{
	return fwrite(data, size, n, userdata) * size;
}

/* A chunked upload: libcurl reads the body through here. */
struct upload {
	const unsigned char *data;
	size_t len, off;
};

static size_t on_read(char *buf, size_t size, size_t n, void *userdata)
{
	struct upload *u = userdata;
	size_t k = size * n < u->len - u->off ? size * n : u->len - u->off;

	memcpy(buf, u->data + u->off, k);
	u->off += k;
	return k;
}

static void on_done(CURL *easy, CURLcode code, void *userdata)
{
	struct result *res = userdata;

	res->done = true;
	res->code = code;
	(void)curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &res->status);
}

/*
 * Run one request to the server on host (NULL: 127.0.0.1): method, path, and a body (POST;
 * sent chunked when chunked). headers: extra request header lines, NULL-terminated, or NULL.
 */
static void fetch_at(struct server *srv, const char *host, const char *method, const char *path,
		     const void *body, size_t len, bool chunked, const char *const headers[],
		     struct result *res)
{
	struct upload up = { .data = body, .len = len };
	struct curl_slist *hl = NULL;
	CURL *e = curl_easy_init();
	char *url;
	size_t i;

	assert_non_null(srv->h);
	memset(res, 0, sizeof(*res));
	res->body_f = open_memstream(&res->body, &res->len);
	res->headers_f = open_memstream(&res->headers, &res->headers_len);
	url = mxs_strdupf("http://%s:%u%s", host != NULL ? host : "127.0.0.1", httpd_port(srv->h),
			  path);
	assert_non_null(e);
	assert_non_null(url);
	assert_non_null(res->body_f);
	assert_non_null(res->headers_f);
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		hl = curl_slist_append(hl, headers[i]);
	if (chunked)
		hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
	(void)curl_easy_setopt(e, CURLOPT_URL, url);
	(void)curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	(void)curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
	(void)curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	(void)curl_easy_setopt(e, CURLOPT_WRITEDATA, res->body_f);
	(void)curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_write);
	(void)curl_easy_setopt(e, CURLOPT_HEADERDATA, res->headers_f);
	(void)curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	if (strcmp(method, "HEAD") == 0) {
		(void)curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "POST") == 0 && chunked) {
		(void)curl_easy_setopt(e, CURLOPT_POST, 1L);
		(void)curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		(void)curl_easy_setopt(e, CURLOPT_READDATA, &up);
	} else if (strcmp(method, "POST") == 0) {
		(void)curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)len);
		(void)curl_easy_setopt(e, CURLOPT_POSTFIELDS, len > 0 ? body : "");
	} else if (strcmp(method, "GET") != 0) {
		(void)curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	assert_int_equal(curl_loop_add(srv->cl, e, on_done, res), 0);
	while (!res->done)
		assert_true(sd_event_run(srv->loop, UINT64_MAX) >= 0);
	curl_loop_remove(srv->cl, e);
	curl_easy_cleanup(e);
	curl_slist_free_all(hl);
	free(url);
	assert_int_equal(fclose(res->body_f), 0);
	assert_int_equal(fclose(res->headers_f), 0);
}

static void fetch(struct server *srv, const char *method, const char *path, const void *body,
		  size_t len, bool chunked, struct result *res)
{
	fetch_at(srv, NULL, method, path, body, len, chunked, NULL, res);
}

static void result_free(struct result *res)
{
	free(res->body);
	free(res->headers);
}

/* The value of response header name (case-insensitive), copied into out; "" when absent. */
static const char *header(const struct result *res, const char *name, char *out, size_t size)
{
	const char *line = res->headers;
	size_t nl = strlen(name);

	out[0] = '\0';
	while (line != NULL && *line != '\0') {
		const char *end = strstr(line, "\r\n");
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);

		if (len > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;

			while (*v == ' ')
				v++;
			(void)snprintf(out, size, "%.*s", (int)(len - (size_t)(v - line)), v);
			break;
		}
		line = end != NULL ? end + 2 : NULL;
	}
	return out;
}

/* A test body with every byte value, NUL included. */
static unsigned char *pattern(size_t len)
{
	unsigned char *p = malloc(len);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	return p;
}

/* --- tests ------------------------------------------------------------------------------- */

static void test_httpd_get(void **state)
{
	struct server *srv = *state;
	struct result res;
	char v[128];

	fetch(srv, "GET", "/hello", NULL, 0, false, &res);
	assert_int_equal(res.code, CURLE_OK);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.len, 6);
	assert_memory_equal(res.body, "hello\n", 6);
	assert_string_equal(header(&res, "Content-Type", v, sizeof(v)), "text/x-test");
	assert_string_equal(header(&res, "Cache-Control", v, sizeof(v)), "no-store");
	assert_int_equal(srv->calls, 1);
	assert_string_equal(srv->method, "GET");
	result_free(&res);
}

/* The handler reads the method, the path, the client address and a request header. */
static void test_httpd_request_view(void **state)
{
	const char *const hdrs[] = { "X-Test: forty two", NULL };
	struct server *srv = *state;
	struct result res;
	char v[128];

	fetch_at(srv, NULL, "GET", "/info?query=ignored", NULL, 0, false, hdrs, &res);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body, "GET /info 127.0.0.1 forty two");
	/* A handler that names no type gets text/plain. */
	assert_string_equal(header(&res, "Content-Type", v, sizeof(v)),
			    "text/plain; charset=utf-8");
	result_free(&res);
}

static void test_httpd_head(void **state)
{
	struct server *srv = *state;
	struct result res;
	char v[128];

	fetch(srv, "HEAD", "/hello", NULL, 0, false, &res);
	assert_int_equal(res.code, CURLE_OK);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.len, 0);
	assert_string_equal(header(&res, "Content-Type", v, sizeof(v)), "text/x-test");
	assert_string_equal(header(&res, "Content-Length", v, sizeof(v)), "6");
	assert_string_equal(srv->method, "HEAD");
	result_free(&res);
}

static void test_httpd_not_found(void **state)
{
	struct server *srv = *state;
	struct result res;
	char v[128];

	fetch(srv, "GET", "/nope", NULL, 0, false, &res);
	assert_int_equal(res.status, 404);
	assert_string_equal(header(&res, "Cache-Control", v, sizeof(v)), "no-store");
	assert_int_equal(srv->calls, 0);
	result_free(&res);
	/* Paths match exactly. */
	fetch(srv, "GET", "/hello/", NULL, 0, false, &res);
	assert_int_equal(res.status, 404);
	result_free(&res);
}

/* 405 with the methods the path's routes take; methods other than GET/HEAD/POST included. */
static void test_httpd_method_not_allowed(void **state)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
		{ "POST", "/hello", "GET, HEAD" },
		{ "PUT", "/hello", "GET, HEAD" },
		{ "GET", "/upload", "POST" },
		{ "DELETE", "/both", "GET, HEAD, POST" },
	};
	struct server *srv = *state;
	struct result res;
	char v[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fetch(srv, cases[i].method, cases[i].path, "x", 1, false, &res);
		assert_int_equal(res.status, 405);
		assert_string_equal(header(&res, "Allow", v, sizeof(v)), cases[i].allow);
		result_free(&res);
	}
	assert_int_equal(srv->calls, 0);
}

static void test_httpd_post(void **state)
{
	struct server *srv = *state;
	unsigned char *data = pattern(UPLOAD_MAX);
	struct result res;

	/* Exactly the cap, with a Content-Length. */
	fetch(srv, "POST", "/upload", data, UPLOAD_MAX, false, &res);
	assert_int_equal(res.status, 202);
	assert_string_equal(res.body, "got 8192\n");
	assert_int_equal(srv->calls, 1);
	assert_int_equal(srv->body_len, UPLOAD_MAX);
	assert_memory_equal(srv->body, data, UPLOAD_MAX);
	result_free(&res);
	/* Chunked, in several pieces, up to the cap and then exactly the cap. */
	fetch(srv, "POST", "/upload", data + 1, 5000, true, &res);
	assert_int_equal(res.status, 202);
	assert_int_equal(srv->calls, 2);
	assert_int_equal(srv->body_len, 5000);
	assert_memory_equal(srv->body, data + 1, 5000);
	result_free(&res);
	fetch(srv, "POST", "/upload", data, UPLOAD_MAX, true, &res);
	assert_int_equal(res.status, 202);
	assert_int_equal(srv->body_len, UPLOAD_MAX);
	assert_memory_equal(srv->body, data, UPLOAD_MAX);
	result_free(&res);
	/* No body at all. */
	fetch(srv, "POST", "/upload", NULL, 0, false, &res);
	assert_int_equal(res.status, 202);
	assert_int_equal(srv->body_len, 0);
	assert_true(srv->body_null);
	result_free(&res);
	free(data);
}

/* Over the cap: 413 and no handler call, whether the length is announced or not. */
static void test_httpd_post_too_large(void **state)
{
	struct server *srv = *state;
	size_t huge = UPLOAD_MAX + HTTPD_DISCARD_MAX + 65536;
	unsigned char *data = pattern(huge);
	struct result res;

	fetch(srv, "POST", "/upload", data, UPLOAD_MAX + 1, false, &res);
	assert_int_equal(res.status, 413);
	result_free(&res);
	/* An announced length is refused before the body is read, however long it is. */
	fetch(srv, "POST", "/upload", data, huge, false, &res);
	assert_int_equal(res.status, 413);
	result_free(&res);
	fetch(srv, "POST", "/upload", data, UPLOAD_MAX + 1, true, &res);
	assert_int_equal(res.status, 413);
	result_free(&res);
	/* A route without a body takes none. */
	fetch(srv, "POST", "/both", "x", 1, false, &res);
	assert_int_equal(res.status, 413);
	result_free(&res);
	/* Far past the cap without a length: the connection is closed, no answer. */
	fetch(srv, "POST", "/upload", data, huge, true, &res);
	assert_int_not_equal(res.code, CURLE_OK);
	assert_int_not_equal(res.status, 202);
	result_free(&res);
	assert_int_equal(srv->calls, 0);
	free(data);
	/* The server still serves. */
	fetch(srv, "GET", "/hello", NULL, 0, false, &res);
	assert_int_equal(res.status, 200);
	result_free(&res);
}

static void test_httpd_ipv6(void **state)
{
	struct server *srv = *state;
	struct result res;

	if (srv->h == NULL)
		skip(); /* no IPv6 loopback here */
	fetch_at(srv, "[::1]", "GET", "/info", NULL, 0, false, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body, "GET /info ::1 (none)");
	result_free(&res);
}

static int setup_ipv6(void **state)
{
	return setup_at(state, "[::1]:0");
}

/* A port in use: the error names the address and the reason. */
static void test_httpd_bind_in_use(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct mxs_error err = { 0 };
	struct httpd *h = NULL;
	sd_event *loop = NULL;
	char listen_addr[32], *want;
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	(void)snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%u", ntohs(a.sin_port));
	assert_true(sd_event_new(&loop) >= 0);
	assert_int_equal(httpd_new(loop, listen_addr, routes, 1, NULL, &h, &err), -EADDRINUSE);
	assert_null(h);
	want = mxs_strdupf("cannot listen on %s: Address already in use", listen_addr);
	assert_non_null(want);
	assert_non_null(err.what);
	assert_string_equal(err.what, want);
	free(want);
	mxs_error_clear(&err);
	sd_event_unref(loop);
	(void)close(fd);
}

static void test_httpd_bad_arguments(void **state)
{
	static const char *const bad[] = {
		"localhost:9425", "127.0.0.1",      "127.0.0.1:",   "127.0.0.1:65536",
		"127.0.0.1:-1",   "127.0.0.1:9x",   "[::1]9425",    "[::1:9425",
		"::1:9425",       "[127.0.0.1]:80", "256.0.0.1:80", ":9425",
	};
	static const struct httpd_route put[] = {
		{ .method = "PUT", .path = "/x", .fn = on_hello }
	};
	static const struct httpd_route rel[] = {
		{ .method = "GET", .path = "x", .fn = on_hello }
	};
	static const struct httpd_route twice[] = {
		{ .method = "GET", .path = "/x", .fn = on_hello },
		{ .method = "GET", .path = "/x", .fn = on_info },
	};
	struct mxs_error err = { 0 };
	struct httpd *h = NULL;
	sd_event *loop = NULL;
	size_t i;

	(void)state;
	assert_true(sd_event_new(&loop) >= 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(httpd_new(loop, bad[i], routes, 1, NULL, &h, &err), -EINVAL);
		assert_null(h);
		if (strstr(err.what, bad[i]) == NULL || strstr(err.what, "address:port") == NULL)
			fail_msg("\"%s\": unhelpful error \"%s\"", bad[i], err.what);
		mxs_error_clear(&err);
	}
	assert_int_equal(httpd_new(loop, "127.0.0.1:0", put, 1, NULL, &h, NULL), -EINVAL);
	assert_int_equal(httpd_new(loop, "127.0.0.1:0", rel, 1, NULL, &h, NULL), -EINVAL);
	assert_int_equal(httpd_new(loop, "127.0.0.1:0", twice, 2, NULL, &h, &err), -EINVAL);
	assert_non_null(strstr(err.what, "GET /x"));
	mxs_error_clear(&err);
	assert_int_equal(httpd_new(NULL, "127.0.0.1:0", routes, 1, NULL, &h, NULL), -EINVAL);
	assert_null(h);
	assert_null(httpd_free(NULL));
	assert_int_equal(httpd_port(NULL), 0);
	sd_event_unref(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_httpd_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_request_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_method_not_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_post_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_ipv6, setup_ipv6, teardown),
		cmocka_unit_test(test_httpd_bind_in_use),
		cmocka_unit_test(test_httpd_bad_arguments),
	};

	/* Fresh allocations full of garbage, so that a missing NUL after a body shows (glibc). */
	(void)mallopt(M_PERTURB, 0x5a);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

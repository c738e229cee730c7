/*
 * httpd.c - libmicrohttpd on the sd-event loop; see httpd.h.
 *
 * The glue is libmicrohttpd's "external epoll" mode: no MHD_USE_INTERNAL_POLLING_THREAD, so
 * MHD_run() does the work of one wake without blocking, and MHD_get_timeout() says when it must
 * be called again even without traffic (to close idle connections, or at once when it left
 * data to process). One sd-event I/O source watches MHD's epoll descriptor, one timer is armed
 * from MHD_get_timeout() after every MHD_run().
 *
 * The listening socket is made here and handed over with MHD_OPTION_LISTEN_SOCKET, so that a
 * bind error is reported with its own errno and the listen address ("cannot listen on
 * 127.0.0.1:9425: Address already in use") rather than as a start failure of libmicrohttpd, and
 * so that port 0 can be read back with getsockname().
 *
 * libmicrohttpd calls the access handler several times per request: once when the headers are
 * in (the route is chosen then, and refusals that need no body are sent), once per piece of the
 * body, and once more when the request is complete (the handler runs then). The state between
 * these calls is a struct exchange, freed by the request-completed callback.
 */
#include "agent/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

/* Pending connections the kernel queues before accept(). */
#define HTTPD_BACKLOG 64
/* MHD_get_timeout() asks for "at once" when it has buffered work: 1 ms of slack is plenty. */
#define HTTPD_TIMER_ACCURACY_USEC 1000
/* The Content-Type of a handler that names none, and of httpd's own answers. */
#define HTTPD_TEXT_PLAIN "text/plain; charset=utf-8"

struct httpd {
	sd_event *loop;
	struct MHD_Daemon *mhd;
	sd_event_source *io;    /* MHD's epoll descriptor */
	sd_event_source *timer; /* armed at MHD_get_timeout() */
	const struct httpd_route *routes;
	size_t n_routes;
	void *userdata;
	unsigned port;
};

/* One request, from its headers to its completion: libmicrohttpd's per-request pointer. */
struct exchange {
	const struct httpd_route *route;
	unsigned char *body; /* up to route->max_body bytes, NUL-terminated; NULL when empty */
	size_t len, cap;
	size_t received; /* body bytes read, kept or not */
	bool too_large;  /* received passed max_body: the rest is read and dropped, then 413 */
	char client[INET6_ADDRSTRLEN];
};

/* Call MHD_run() and re-arm the timer at MHD_get_timeout(), or turn it off when none. */
static void run(struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms = 0;
	uint64_t now = 0, usec;

	(void)MHD_run(h->mhd);
	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES) {
		(void)sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
		return;
	}
	/* Fails only for a loop being torn down, when no request will be waited for anyway. */
	if (sd_event_now(h->loop, CLOCK_MONOTONIC, &now) < 0)
		return;
	/* MHD's timeouts are seconds long; the cap only keeps the sum from wrapping. */
	usec = ms < UINT32_MAX ? (uint64_t)ms * 1000u : (uint64_t)UINT32_MAX * 1000u;
	(void)sd_event_source_set_time(h->timer, now + usec);
	(void)sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	run(userdata);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	run(userdata);
	return 0;
}

/*
 * Queue a response: status, Content-Type (NULL: text/plain), body (len bytes, taken over and
 * freed with free(); NULL: empty), and an Allow header when allow is not NULL.
 */
static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *type,
			       char *body, size_t len, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (body != NULL)
		r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    type != NULL ? type : HTTPD_TEXT_PLAIN) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
	    (allow != NULL &&
	     MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow) != MHD_YES)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* One of httpd's own answers: a one-line text. */
static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status, const char *text,
			      const char *allow)
{
	char *body = strdup(text);

	if (body == NULL)
		return MHD_NO;
	return respond(conn, status, NULL, body, strlen(body), allow);
}

/* A GET route serves HEAD as well (RFC 9110 §9.3.2); methods are case-sensitive (§9.1). */
static bool method_matches(const char *route_method, const char *method)
{
	if (strcmp(route_method, method) == 0)
		return true;
	return strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0;
}

/* 405 for a known path: Allow lists what its routes take (RFC 9110 §15.5.6). */
static enum MHD_Result refuse_method(const struct httpd *h, struct MHD_Connection *conn,
				     const char *path)
{
	bool get = false, post = false;
	size_t i;

	for (i = 0; i < h->n_routes; i++) {
		if (strcmp(h->routes[i].path, path) != 0)
			continue;
		if (strcmp(h->routes[i].method, "GET") == 0)
			get = true;
		else
			post = true;
	}
	return refuse(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n",
		      get && post ? "GET, HEAD, POST"
		      : get       ? "GET, HEAD"
				  : "POST");
}

/* The peer's address as text into out ("" when libmicrohttpd does not say). */
static void client_text(struct MHD_Connection *conn, char out[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
	const void *addr = NULL;

	out[0] = '\0';
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (addr == NULL || inet_ntop(sa->sa_family, addr, out, INET6_ADDRSTRLEN) == NULL)
		out[0] = '\0';
}

/*
 * The first call for a request, headers in: choose the route and refuse what needs no body to
 * refuse. A Content-Length over the cap is refused here, before a byte of the body is read;
 * libmicrohttpd then closes the connection after the answer instead of reading the body.
 */
static enum MHD_Result begin(struct httpd *h, struct MHD_Connection *conn, const char *path,
			     const char *method, void **con_cls)
{
	const struct httpd_route *route = NULL;
	bool path_known = false;
	struct exchange *x;
	const char *cl;
	size_t i;

	for (i = 0; i < h->n_routes; i++) {
		if (strcmp(h->routes[i].path, path) != 0)
			continue;
		path_known = true;
		if (method_matches(h->routes[i].method, method))
			route = &h->routes[i];
	}
	if (!path_known)
		return refuse(conn, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
	if (route == NULL)
		return refuse_method(h, conn, path);
	/* libmicrohttpd has already answered 400 to a Content-Length that is not a number. */
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtoull(cl, NULL, 10) > route->max_body)
		return refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n", NULL);
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return MHD_NO;
	x->route = route;
	client_text(conn, x->client);
	*con_cls = x;
	return MHD_YES;
}

/*
 * A piece of the body. It is kept while the whole stays within max_body; past that the buffer
 * is dropped and the rest is read for nothing (413 at the end), up to HTTPD_DISCARD_MAX more
 * bytes, after which the connection is closed. Returns false to close it (also on ENOMEM).
 */
static bool take(struct exchange *x, const char *data, size_t len)
{
	size_t max = x->route->max_body;

	x->received += len < SIZE_MAX - x->received ? len : SIZE_MAX - x->received;
	if (x->received > max) {
		x->too_large = true;
		free(x->body);
		x->body = NULL;
		x->len = x->cap = 0;
		return x->received - max <= HTTPD_DISCARD_MAX;
	}
	if (x->len + len + 1 > x->cap) {
		/* Doubling, but never past the cap (+1 for the NUL). */
		size_t cap = x->cap > 0 ? 2 * x->cap : 1024;
		unsigned char *p;

		if (cap < x->len + len + 1)
			cap = x->len + len + 1;
		if (cap > max + 1)
			cap = max + 1;
		p = realloc(x->body, cap);
		if (p == NULL)
			return false;
		x->body = p;
		x->cap = cap;
	}
	memcpy(x->body + x->len, data, len);
	x->len += len;
	x->body[x->len] = '\0';
	return true;
}

/* The last call: the whole request is in. Run the handler and send what it made. */
static enum MHD_Result finish(struct httpd *h, struct exchange *x, struct MHD_Connection *conn,
			      const char *path, const char *method)
{
	struct httpd_request req = {
		.method = method,
		.path = path,
		.client = x->client,
		.body = x->body,
		.body_len = x->len,
		.conn = conn,
	};
	struct httpd_response resp = { .status = MHD_HTTP_OK };

	if (x->too_large)
		return refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n", NULL);
	x->route->fn(&req, &resp, h->userdata);
	return respond(conn, resp.status, resp.content_type, resp.body, resp.len, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	struct exchange *x = *con_cls;

	if (x == NULL)
		return begin(h, conn, url, method, con_cls);
	if (*upload_data_size > 0) {
		bool keep = take(x, upload_data, *upload_data_size);

		*upload_data_size = 0;
		return keep ? MHD_YES : MHD_NO;
	}
	return finish(h, x, conn, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct exchange *x = *con_cls;

	if (x == NULL)
		return;
	free(x->body);
	free(x);
	*con_cls = NULL;
}

/* "a.b.c.d:port" or "[v6]:port", port 0..65535, into *ss. Returns 0 or -EINVAL. */
static int parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *ret_len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN];
	const char *start = text, *end, *port;
	bool v6 = text[0] == '[';
	unsigned long p;
	char *stop;

	if (v6) {
		start = text + 1;
		end = strchr(start, ']');
		if (end == NULL || end[1] != ':')
			return -EINVAL;
		port = end + 2;
	} else {
		end = strrchr(text, ':');
		if (end == NULL)
			return -EINVAL;
		port = end + 1;
	}
	if (end == start || (size_t)(end - start) >= sizeof(host) || port[0] < '0' || port[0] > '9')
		return -EINVAL;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	errno = 0;
	p = strtoul(port, &stop, 10);
	if (*stop != '\0' || errno != 0 || p > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*ret_len = sizeof(*a6);
		return inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)p);
	*ret_len = sizeof(*a4);
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -EINVAL;
}

/* A non-blocking listening socket bound to ss; its port into *ret_port. */
static int open_listener(const struct sockaddr_storage *ss, socklen_t len, int *ret_fd,
			 unsigned *ret_port)
{
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	int fd, one = 1, r;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restart must not wait for the old connections' TIME_WAIT; [::1] is not 127.0.0.1. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (ss->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)ss, len) < 0 || listen(fd, HTTPD_BACKLOG) < 0 ||
	    getsockname(fd, (struct sockaddr *)&bound, &blen) < 0) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	*ret_port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
						      : ((struct sockaddr_in *)&bound)->sin_port);
	*ret_fd = fd;
	return 0;
}

/* Every route well-formed, and each (method, path) once. */
static int check_routes(const struct httpd_route *routes, size_t n, struct mxs_error *reterr)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct httpd_route *r = &routes[i];

		if (r->method == NULL || r->path == NULL || r->fn == NULL || r->path[0] != '/' ||
		    r->max_body == SIZE_MAX ||
		    (strcmp(r->method, "GET") != 0 && strcmp(r->method, "POST") != 0))
			return mxs_error_set(reterr, NULL, NULL,
					     "httpd: route %zu is not GET or POST of a /path "
					     "with a handler",
					     i);
		for (j = 0; j < i; j++)
			if (strcmp(routes[j].method, r->method) == 0 &&
			    strcmp(routes[j].path, r->path) == 0)
				return mxs_error_set(reterr, NULL, NULL,
						     "httpd: route %s %s is given twice", r->method,
						     r->path);
	}
	return 0;
}

int httpd_new(sd_event *loop, const char *listen_addr, const struct httpd_route *routes,
	      size_t n_routes, void *userdata, struct httpd **ret, struct mxs_error *reterr)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	struct httpd *h = NULL;
	unsigned port = 0;
	int fd = -1, r;

	if (loop == NULL || listen_addr == NULL || ret == NULL || (routes == NULL && n_routes > 0))
		return mxs_error_set(reterr, NULL, NULL, "httpd: invalid arguments");
	r = check_routes(routes, n_routes, reterr);
	if (r < 0)
		return r;
	if (parse_listen(listen_addr, &ss, &len) < 0)
		return mxs_error_set(reterr, NULL, NULL,
				     "invalid HTTP listen address \"%s\": expected address:port, "
				     "e.g. 127.0.0.1:9425 or [::1]:9425",
				     listen_addr);
	r = open_listener(&ss, len, &fd, &port);
	if (r < 0) {
		(void)mxs_error_set(reterr, NULL, NULL, "cannot listen on %s: %s", listen_addr,
				    strerror(-r));
		return r;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		(void)close(fd);
		return -ENOMEM;
	}
	h->loop = sd_event_ref(loop);
	h->routes = routes;
	h->n_routes = n_routes;
	h->userdata = userdata;
	h->port = port;
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_CONNECTION_LIMIT,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTPD_CONNECTION_TIMEOUT,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
	if (h->mhd == NULL) {
		/*
		 * Whether libmicrohttpd closed the socket it was given depends on where it
		 * failed; it runs in this thread, so a descriptor still open is still ours.
		 */
		if (fcntl(fd, F_GETFD) >= 0)
			(void)close(fd);
		r = -ENOMEM;
		(void)mxs_error_set(reterr, NULL, NULL, "cannot start the HTTP server on %s",
				    listen_addr);
		goto out;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		r = -ENOMEM;
		(void)mxs_error_set(reterr, NULL, NULL, "the HTTP server on %s has no epoll fd",
				    listen_addr);
		goto out;
	}
	r = sd_event_add_io(loop, &h->io, info->epoll_fd, EPOLLIN, on_io, h);
	if (r >= 0)
		r = sd_event_add_time(loop, &h->timer, CLOCK_MONOTONIC, UINT64_MAX,
				      HTTPD_TIMER_ACCURACY_USEC, on_timer, h);
	if (r < 0) {
		(void)mxs_error_set(reterr, NULL, NULL,
				    "cannot add the HTTP server on %s to the event loop: %s",
				    listen_addr, strerror(-r));
		goto out;
	}
	(void)sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
	*ret = h;
	return 0;
out:
	(void)httpd_free(h);
	return r;
}

unsigned httpd_port(const struct httpd *h)
{
	return h != NULL ? h->port : 0;
}

const char *httpd_header(const struct httpd_request *req, const char *name)
{
	if (req == NULL || req->conn == NULL || name == NULL)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct httpd *httpd_free(struct httpd *h)
{
	if (h == NULL)
		return NULL;
	/* The sources go first: MHD_stop_daemon() closes the descriptor they watch. */
	(void)sd_event_source_disable_unref(h->io);
	(void)sd_event_source_disable_unref(h->timer);
	if (h->mhd != NULL)
		MHD_stop_daemon(h->mhd);
	sd_event_unref(h->loop);
	free(h);
	return NULL;
}

/*
 * httpd.h - the agent's HTTP endpoint: libmicrohttpd driven by the caller's sd-event loop.
 *
 * mxsentryd serves /metrics, /status and /healthz (DESIGN.md, Runtime), and will accept TLS-RPT
 * reports by POST. This module is the server only: it listens, parses requests with
 * libmicrohttpd, finds the route, collects a POST body up to the route's cap, calls the route's
 * handler once the whole request is in, and sends what the handler made. What a path serves is
 * the caller's business.
 *
 * One thread, one loop: no libmicrohttpd thread is started. libmicrohttpd runs in its epoll
 * mode; its epoll descriptor is one sd-event I/O source, MHD_run() is called after every wake,
 * and one sd-event timer is kept armed at MHD_get_timeout() (idle connections are closed after
 * HTTPD_CONNECTION_TIMEOUT seconds). Handlers run on the loop, inside MHD_run(), and must not
 * block.
 *
 * The answers httpd gives by itself:
 *   - a path no route has: 404;
 *   - a path with routes, none for the method: 405 with an Allow header (a GET route also
 *     answers HEAD, and libmicrohttpd sends no body for HEAD); methods other than GET, HEAD and
 *     POST are never routed, so they get 404 or 405 likewise;
 *   - a body larger than the route's max_body: 413. A Content-Length over the cap is refused
 *     before any byte of the body is read; a chunked body is collected up to the cap and then
 *     read and dropped until it ends (413 then), or the connection is closed once it runs
 *     HTTPD_DISCARD_MAX bytes past the cap.
 * Every response carries "Cache-Control: no-store" and a Content-Type.
 *
 * libmicrohttpd's own messages are off: a client that goes away or sends garbage gets its 4xx or
 * a closed connection, and there is nothing for the operator to do about it.
 */
#ifndef MXS_AGENT_HTTPD_H
#define MXS_AGENT_HTTPD_H

#include <stddef.h>
#include <systemd/sd-event.h>

#include "lib/error.h"

/* Simultaneous connections; one more is refused at accept. */
#define HTTPD_CONNECTION_LIMIT 64
/* Seconds a connection may stay idle (no byte in or out) before it is closed. */
#define HTTPD_CONNECTION_TIMEOUT 10
/* Bytes of an oversized chunked body read and dropped before the connection is closed. */
#define HTTPD_DISCARD_MAX (64 * 1024)

struct httpd;
struct MHD_Connection;

/* One request, as a handler sees it. Everything is borrowed for the handler call only. */
struct httpd_request {
	const char *method;          /* "GET", "HEAD" or "POST" */
	const char *path;            /* the URL path, decoded, without the query string */
	const char *client;          /* the peer's address as text ("127.0.0.1", "::1") */
	const unsigned char *body;   /* the whole body (NUL-terminated after body_len), or NULL */
	size_t body_len;             /* 0 without a body */
	struct MHD_Connection *conn; /* for httpd_header() */
};

/*
 * What a handler answers. httpd fills in status 200, content_type NULL and no body before the
 * call; the handler changes what it needs to.
 */
struct httpd_response {
	unsigned status; /* HTTP status code */
	const char
	    *content_type; /* static or outliving the call; NULL: "text/plain; charset=utf-8" */
	char *body;        /* malloc()ed by the handler and taken over by httpd; may be NULL */
	size_t len;        /* bytes of body */
};

/*
 * A route's handler: read req, fill resp. Called once per request, from the loop, after the
 * whole body is in. It must not call httpd_free().
 */
typedef void (*httpd_handler_fn)(const struct httpd_request *req, struct httpd_response *resp,
				 void *userdata);

struct httpd_route {
	const char *method; /* "GET" (answers HEAD too) or "POST" */
	const char *path;   /* exact path, starting with '/' */
	httpd_handler_fn fn;
	size_t max_body; /* largest body accepted, in bytes (< SIZE_MAX); 0: none accepted */
};

/*
 * Start serving.
 *
 * loop:     the sd-event loop (referenced until httpd_free()).
 * listen_addr: "address:port" with an IP address literal: "127.0.0.1:9425", "[::1]:9425"; port 0
 *           binds an ephemeral port (see httpd_port()).
 * routes:   n_routes routes, borrowed: they must outlive the server (a static const array).
 *           One (method, path) pair appears once.
 * userdata: passed to every handler.
 * ret:      on success, the new server; free with httpd_free().
 * reterr:   optional; why not, naming the listen address.
 *
 * Returns 0; -EINVAL (a listen text that is not "address:port", or a bad route); the socket
 * error of socket(), bind() or listen() (-EADDRINUSE, -EADDRNOTAVAIL, -EACCES, ...); -ENOMEM;
 * or the loop's error when a source cannot be added.
 */
int httpd_new(sd_event *loop, const char *listen_addr, const struct httpd_route *routes,
	      size_t n_routes, void *userdata, struct httpd **ret, struct mxs_error *reterr);

/* The port the server listens on (the bound one when 0 was asked for). */
unsigned httpd_port(const struct httpd *h);

/*
 * The value of a request header (case-insensitive name), or NULL when absent. Borrowed for the
 * handler call.
 */
const char *httpd_header(const struct httpd_request *req, const char *name);

/*
 * Stop serving: close the listening socket and every connection (requests in progress are
 * dropped without their handler being called). NULL-safe; returns NULL. Not from a handler.
 */
struct httpd *httpd_free(struct httpd *h);

#endif

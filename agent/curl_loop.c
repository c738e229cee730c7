/*
 * curl_loop.c - libcurl multi on the sd-event loop; see curl_loop.h.
 *
 * The glue is curl's multi_socket pattern (docs/examples/ephiperfifo.c): libcurl says through
 * the socket callback which descriptors to watch for what, and each gets one sd-event I/O
 * source (the pointer is kept with curl_multi_assign()); through the timer callback it says when
 * to call it back, and one sd-event timer is armed then. Both sources call
 * curl_multi_socket_action() and then collect the transfers that ended.
 *
 * Each added transfer has a small record, found through CURLOPT_PRIVATE, that holds its owner's
 * callback; the records are also listed, so that curl_loop_free() finds those still added.
 */
#include "agent/curl_loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "agent/dlist.h"

/* Deadlines are seconds long; 1 ms of slack keeps the reported durations honest. */
#define CURL_LOOP_TIMER_ACCURACY_USEC 1000

/* One socket libcurl asked us to watch. */
struct watch {
	struct watch *prev, *next; /* the multi handle's list, for curl_loop_free() */
	curl_socket_t fd;
	sd_event_source *source;
};

/* One transfer from curl_loop_add() until curl_loop_remove(). */
struct transfer {
	struct transfer *prev, *next; /* the multi handle's list, for curl_loop_free() */
	struct curl_loop *cl;
	CURL *easy;
	curl_loop_done_fn done;
	void *userdata;
	bool ended; /* done has been called */
};

struct curl_loop {
	sd_event *loop;
	CURLM *multi;
	sd_event_source *timer; /* armed at libcurl's next timeout */
	struct watch *watches;
	struct transfer *transfers;
};

/*
 * Hand the transfers libcurl has ended to their callbacks; called after every
 * curl_multi_socket_action(), outside libcurl. A callback may remove its handle (and free the
 * record): nothing of it is used after the call.
 */
static void collect(struct curl_loop *cl)
{
	CURLMsg *msg;
	int left = 0;

	while ((msg = curl_multi_info_read(cl->multi, &left)) != NULL) {
		char *priv = NULL;
		struct transfer *t;

		if (msg->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		t = (struct transfer *)priv;
		if (t == NULL || t->ended)
			continue;
		t->ended = true;
		t->done(t->easy, msg->data.result, t->userdata);
	}
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct curl_loop *cl = userdata;
	int running = 0;

	(void)curl_multi_socket_action(cl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(cl);
	return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct curl_loop *cl = userdata;
	int flags = 0, running = 0;

	if (revents & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	(void)curl_multi_socket_action(cl->multi, fd, flags, &running);
	collect(cl);
	return 0;
}

static void watch_free(struct curl_loop *cl, struct watch *w)
{
	DLIST_UNLINK(&cl->watches, w);
	(void)sd_event_source_disable_unref(w->source);
	free(w);
}

/*
 * CURLMOPT_SOCKETFUNCTION: libcurl announces a socket, a change of interest, or (REMOVE) that
 * it is done with one, before closing it. A socket we fail to watch is not lost: its transfer
 * ends at its deadline through the timer (degraded, never stuck), so 0 is returned always.
 */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct curl_loop *cl = userp;
	struct watch *w = socketp;
	uint32_t events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (w != NULL) {
			watch_free(cl, w);
			(void)curl_multi_assign(cl->multi, fd, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (w != NULL) {
		(void)sd_event_source_set_io_events(w->source, events);
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return 0;
	if (sd_event_add_io(cl->loop, &w->source, fd, events, on_io, cl) < 0) {
		free(w);
		return 0;
	}
	w->fd = fd;
	DLIST_PUSH(&cl->watches, w);
	(void)curl_multi_assign(cl->multi, fd, w);
	return 0;
}

/*
 * CURLMOPT_TIMERFUNCTION: call libcurl back in timeout_ms (0: at the next iteration, never
 * from here, which runs inside libcurl), or never (-1).
 */
static int on_timer_change(CURLM *multi, long timeout_ms, void *userp)
{
	struct curl_loop *cl = userp;
	uint64_t now = 0;

	if (timeout_ms < 0) {
		(void)sd_event_source_set_enabled(cl->timer, SD_EVENT_OFF);
		return 0;
	}
	if (sd_event_now(cl->loop, CLOCK_MONOTONIC, &now) < 0)
		return -1;
	(void)sd_event_source_set_time(cl->timer, now + (uint64_t)timeout_ms * 1000u);
	(void)sd_event_source_set_enabled(cl->timer, SD_EVENT_ONESHOT);
	return 0;
}

/* Take t's handle out of the multi handle and forget t. */
static void transfer_drop(struct curl_loop *cl, struct transfer *t)
{
	(void)curl_multi_remove_handle(cl->multi, t->easy);
	(void)curl_easy_setopt(t->easy, CURLOPT_PRIVATE, NULL);
	DLIST_UNLINK(&cl->transfers, t);
	free(t);
}

int curl_loop_new(sd_event *loop, struct curl_loop **ret_cl, struct mxs_error *reterr)
{
	struct curl_loop *cl = NULL;
	int r = -ENOMEM;

	if (loop == NULL || ret_cl == NULL)
		return mxs_error_set(reterr, NULL, NULL, "curl_loop: invalid arguments");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return mxs_error_set(reterr, NULL, NULL, "cannot initialise libcurl");
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL)
		goto out;
	cl->loop = sd_event_ref(loop);
	cl->multi = curl_multi_init();
	if (cl->multi == NULL)
		goto out;
	if (curl_multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
	    curl_multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl) != CURLM_OK ||
	    curl_multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, on_timer_change) != CURLM_OK ||
	    curl_multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl) != CURLM_OK) {
		r = mxs_error_set(reterr, NULL, NULL, "cannot set up libcurl's multi interface");
		goto out;
	}
	r = sd_event_add_time(loop, &cl->timer, CLOCK_MONOTONIC, UINT64_MAX,
			      CURL_LOOP_TIMER_ACCURACY_USEC, on_timer, cl);
	if (r < 0) {
		mxs_error_set(reterr, NULL, NULL, "cannot add a timer to the event loop: %s",
			      strerror(-r));
		goto out;
	}
	(void)sd_event_source_set_enabled(cl->timer, SD_EVENT_OFF);
	*ret_cl = cl;
	return 0;
out:
	/* curl_loop_free() also drops the libcurl reference taken above. */
	if (cl != NULL)
		(void)curl_loop_free(cl);
	else
		curl_global_cleanup();
	return r;
}

struct curl_loop *curl_loop_free(struct curl_loop *cl)
{
	if (cl == NULL)
		return NULL;
	while (cl->transfers != NULL)
		transfer_drop(cl, cl->transfers);
	/* Closing its connections, libcurl may still report sockets removed (on_socket). */
	if (cl->multi != NULL)
		(void)curl_multi_cleanup(cl->multi);
	while (cl->watches != NULL)
		watch_free(cl, cl->watches);
	(void)sd_event_source_disable_unref(cl->timer);
	sd_event_unref(cl->loop);
	free(cl);
	curl_global_cleanup();
	return NULL;
}

int curl_loop_add(struct curl_loop *cl, CURL *easy, curl_loop_done_fn done, void *userdata)
{
	struct transfer *t;

	if (cl == NULL || easy == NULL || done == NULL)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->cl = cl;
	t->easy = easy;
	t->done = done;
	t->userdata = userdata;
	/* Storing a pointer cannot fail; adding may (memory, or a handle already in a multi). */
	(void)curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
	if (curl_multi_add_handle(cl->multi, easy) != CURLM_OK) {
		(void)curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(t);
		return -ENOMEM;
	}
	DLIST_PUSH(&cl->transfers, t);
	return 0;
}

void curl_loop_remove(struct curl_loop *cl, CURL *easy)
{
	char *priv = NULL;
	struct transfer *t;

	if (cl == NULL || easy == NULL)
		return;
	(void)curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
	t = (struct transfer *)priv;
	if (t != NULL && t->cl == cl)
		transfer_drop(cl, t);
}

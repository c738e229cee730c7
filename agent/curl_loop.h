/*
 * curl_loop.h - a libcurl multi handle driven by an sd-event loop.
 *
 * libcurl's multi_socket interface on our loop (DESIGN.md, Runtime; the pattern of curl's
 * docs/examples/ephiperfifo.c): through its socket callback libcurl says which descriptors to
 * watch for what, and each gets one sd-event I/O source; through its timer callback it says when
 * to be called back, and one sd-event timer is armed then. Both sources call
 * curl_multi_socket_action() and then hand every transfer that ended to its owner's callback.
 * Nothing blocks and no thread is started, as long as the transfers need no name lookup by
 * libcurl (give the addresses with CURLOPT_RESOLVE).
 *
 * The owner builds an easy handle as usual, adds it with curl_loop_add() and gets it back through
 * its callback. CURLOPT_PRIVATE belongs to this module while the handle is added.
 */
#ifndef MXS_AGENT_CURL_LOOP_H
#define MXS_AGENT_CURL_LOOP_H

#include <curl/curl.h>
#include <systemd/sd-event.h>

#include "lib/error.h"

/* A multi handle and the sd-event sources that drive it. */
struct curl_loop;

/*
 * Called once per added transfer when libcurl has ended it, from the loop (from one of this
 * module's sources, never from inside libcurl nor inside curl_loop_add()).
 *
 * easy:     the transfer's handle, still in the multi handle so that everything libcurl
 *           recorded (curl_easy_getinfo(), curl_easy_header()) can be read. The callee calls
 *           curl_loop_remove() on it, now or later, before curl_easy_cleanup().
 * result:   how the transfer ended (CURLE_OK, CURLE_OPERATION_TIMEDOUT, ...).
 * userdata: as given to curl_loop_add().
 *
 * The callback may add and remove transfers, but must not free the curl_loop.
 */
typedef void (*curl_loop_done_fn)(CURL *easy, CURLcode result, void *userdata);

/*
 * Make a multi handle on loop; takes a reference on libcurl's global state (curl_global_init())
 * until curl_loop_free().
 *
 * loop:   the sd-event loop (referenced until curl_loop_free()).
 * ret_cl: the new multi handle; free with curl_loop_free().
 * reterr: optional; why not (libcurl or loop setup).
 *
 * Returns 0; -EINVAL (libcurl could not be initialised or set up; with reterr); -ENOMEM; or the
 * loop's error when the timer cannot be added.
 */
int curl_loop_new(sd_event *loop, struct curl_loop **ret_cl, struct mxs_error *reterr);

/*
 * Release the multi handle and its sources. Transfers still added leave the multi handle
 * without their callbacks running; their easy handles stay the caller's to clean up. NULL-safe;
 * returns NULL. Must not be called from a curl_loop_done_fn.
 */
struct curl_loop *curl_loop_free(struct curl_loop *cl);

/*
 * Start a transfer: easy, fully set up by the caller (who keeps owning it), joins the multi
 * handle; done(easy, result, userdata) is called once when it ends, unless it is removed first.
 *
 * Returns 0, -EINVAL (a NULL argument) or -ENOMEM (also when libcurl refuses the handle).
 */
int curl_loop_add(struct curl_loop *cl, CURL *easy, curl_loop_done_fn done, void *userdata);

/*
 * Take easy out of the multi handle: after its callback, or to cancel it (the callback then
 * never runs). A handle that is not added, or NULL, is left alone; cl may be NULL then too.
 */
void curl_loop_remove(struct curl_loop *cl, CURL *easy);

#endif

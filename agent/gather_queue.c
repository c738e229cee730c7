/*
 * gather_queue.c - the FIFO of SMTP sessions of a gather run; see gather_queue.h.
 *
 * Two singly linked lists: the queue (FIFO, with a tail pointer for O(1) appends) and the
 * sessions in flight (at most max_sessions, so linear searches are enough). A job moves from
 * the first to the second when its probe starts and is freed when its probe has ended and the
 * caller has heard of it.
 */
#include "agent/gather_queue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* One session: queued, then in flight. */
struct job {
	struct job *next; /* in the queue or in the list of sessions in flight */
	struct gather_queue *queue;
	struct gather_session s;
};

struct gather_queue {
	sd_event *loop;
	struct probe_env *env;
	unsigned max_sessions, port;
	gather_queue_done_fn done;
	struct job *queue, **queue_tail; /* FIFO of sessions waiting for a slot */
	struct job *running;             /* sessions in flight, at most max_sessions */
	unsigned in_flight;
};

/* The list is at most max_sessions long: a linear search is enough. */
static void running_remove(struct gather_queue *q, struct job *j)
{
	struct job **pj;

	for (pj = &q->running; *pj != NULL; pj = &(*pj)->next)
		if (*pj == j) {
			*pj = j->next;
			q->in_flight--;
			return;
		}
}

/* probe.h: called once per started session, from the loop; a slot is free again. */
static void on_probe(struct smtp_probe *result, void *userdata)
{
	struct job *j = userdata;
	struct gather_queue *q = j->queue;

	/* The slot is free before done() runs, so that what done() queues can use it. */
	running_remove(q, j);
	q->done(&j->s, result);
	free(j);
	gather_queue_pump(q);
}

/*
 * COMMON-STLS-04: one session at a time per address, whichever domain or host name it is for,
 * so that two domains sharing an MX do not open two connections to it at once.
 */
static bool address_busy(const struct gather_queue *q, const struct mx_address *a)
{
	const struct job *j;

	for (j = q->running; j != NULL; j = j->next)
		if (j->s.addr->family == a->family && strcmp(j->s.addr->text, a->text) == 0)
			return true;
	return false;
}

/* A session that never started is recorded as the agent's own failure, not the domain's. */
static void job_not_started(struct gather_queue *q, struct job *j, int error)
{
	struct smtp_probe p = { .alg = j->s.alg,
				.outcome = PROBE_LOCAL_ERROR,
				.stage = STAGE_CONNECT,
				.detail = strdup(strerror(-error)) };

	q->done(&j->s, &p);
	free(j);
}

/* The snapshot keeps addresses as text (inet_ntop output), so they convert back exactly. */
static void job_start(struct gather_queue *q, struct job *j)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const struct mx_address *a = j->s.addr;
	socklen_t len;
	int r = -EAFNOSUPPORT;

	if (a->family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)q->port);
		len = sizeof(*sin6);
		if (inet_pton(AF_INET6, a->text, &sin6->sin6_addr) == 1)
			r = 0;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)q->port);
		len = sizeof(*sin);
		if (inet_pton(AF_INET, a->text, &sin->sin_addr) == 1)
			r = 0;
	}
	if (r == 0)
		r = probe_start(q->env, q->loop, (struct sockaddr *)&ss, len, j->s.host->name,
				j->s.alg, j->s.at, j->s.warning_secs, j->s.critical_secs, on_probe,
				j);
	if (r < 0) {
		job_not_started(q, j, r);
		return;
	}
	j->next = q->running;
	q->running = j;
	q->in_flight++;
}

int gather_queue_new(sd_event *loop, struct probe_env *env, unsigned max_sessions, unsigned port,
		     gather_queue_done_fn done, struct gather_queue **ret_queue)
{
	struct gather_queue *q;

	if (loop == NULL || env == NULL || max_sessions == 0 || done == NULL || ret_queue == NULL)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	*q = (struct gather_queue){
		.loop = loop, .env = env, .max_sessions = max_sessions, .port = port, .done = done
	};
	q->queue_tail = &q->queue;
	*ret_queue = q;
	return 0;
}

struct gather_queue *gather_queue_free(struct gather_queue *queue)
{
	if (queue == NULL)
		return NULL;
	while (queue->queue != NULL) {
		struct job *j = queue->queue;

		queue->queue = j->next;
		free(j);
	}
	queue->queue_tail = &queue->queue;
	/* The probes in flight hold their jobs, and the jobs this queue (gather_queue.h). */
	if (queue->in_flight == 0)
		free(queue);
	return NULL;
}

int gather_queue_push(struct gather_queue *queue, const struct gather_session *session)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return -ENOMEM;
	*j = (struct job){ .queue = queue, .s = *session };
	*queue->queue_tail = j;
	queue->queue_tail = &j->next;
	return 0;
}

void gather_queue_pump(struct gather_queue *queue)
{
	struct job **pj = &queue->queue, *j;

	while (*pj != NULL && queue->in_flight < queue->max_sessions) {
		j = *pj;
		/* A busy address waits its turn without holding back the sessions behind it. */
		if (address_busy(queue, j->s.addr)) {
			pj = &j->next;
			continue;
		}
		*pj = j->next;
		if (queue->queue_tail == &j->next)
			queue->queue_tail = pj;
		j->next = NULL;
		job_start(queue, j);
	}
}

unsigned gather_queue_in_flight(const struct gather_queue *queue)
{
	return queue != NULL ? queue->in_flight : 0;
}

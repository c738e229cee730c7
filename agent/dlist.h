/*
 * dlist.h - intrusive doubly linked lists: O(1) unlinking of an element found some other way
 * (a libcurl private pointer, a defer source's userdata).
 *
 * Header-only: two macros shared by the modules that keep such lists (agent/https.c,
 * agent/curl_loop.c). The element type has "prev" and "next" pointers to its own type; the
 * list is a pointer to its first element, NULL when empty.
 */
#ifndef MXS_AGENT_DLIST_H
#define MXS_AGENT_DLIST_H

#include <stddef.h>

/* Unlink e from the list whose head is *head; e's pointers are reset. */
#define DLIST_UNLINK(head, e)                                                                      \
	do {                                                                                       \
		if ((e)->prev != NULL)                                                             \
			(e)->prev->next = (e)->next;                                               \
		else                                                                               \
			*(head) = (e)->next;                                                       \
		if ((e)->next != NULL)                                                             \
			(e)->next->prev = (e)->prev;                                               \
		(e)->prev = (e)->next = NULL;                                                      \
	} while (0)

/* Put e first in the list whose head is *head. */
#define DLIST_PUSH(head, e)                                                                        \
	do {                                                                                       \
		(e)->prev = NULL;                                                                  \
		(e)->next = *(head);                                                               \
		if ((e)->next != NULL)                                                             \
			(e)->next->prev = (e);                                                     \
		*(head) = (e);                                                                     \
	} while (0)

#endif

/*
 * fuzz_alert_parse.c - libFuzzer target for reading an alert document back (lib/alert_parse.c,
 * alert_message_from_json()), the form the outbox keeps messages in across restarts.
 *
 * Properties checked beyond "no crash": a document that is accepted has a domain and at least
 * one item, each with check, code and message, and its id is what the items give; written again
 * with alert_json() it reads back to a message with the same id and items (the two are each
 * other's inverse on everything the reader accepts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alert.h"
#include "lib/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alert_message m = { 0 }, again = { 0 };
	struct mxs_error err = { 0 };
	char *text = NULL;
	size_t i;

	if (alert_message_from_json((const char *)data, size, &m, &err) < 0) {
		if (err.what == NULL)
			abort();
		mxs_error_clear(&err);
		return 0;
	}
	if (m.domain == NULL || m.n_items == 0)
		abort();
	for (i = 0; i < m.n_items; i++)
		if (m.items[i].check == NULL || m.items[i].code == NULL ||
		    m.items[i].message == NULL)
			abort();
	if (alert_json(&m, NULL, &text) == 0) {
		if (alert_message_from_json(text, strlen(text), &again, NULL) != 0 ||
		    strcmp(again.id, m.id) != 0 || again.n_items != m.n_items)
			abort();
		alert_message_clear(&again);
		free(text);
	}
	alert_message_clear(&m);
	return 0;
}

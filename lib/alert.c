/*
 * alert.c - the alert message model, routing and the text renderings; see alert.h.
 *
 * The JSON renderings are in alert_json.c, the mail message in alert_mail.c. Everything a
 * message holds is copied in with control characters turned into spaces, so no rendering (a
 * mail header, a syslog line) can be split by what a peer once sent and a check quoted.
 */
#include "lib/alert.h"
#include "lib/duration.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/error.h"

/* Subject: at most this many bytes of the headline item's message. */
#define SUBJECT_MESSAGE_MAX 80

static const char *const kind_names[] = { "opened", "changed", "resolved", "reminder" };

const char *alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

/* A copy with every control character as a space; NULL stays NULL. *ok cleared on ENOMEM. */
static char *copy_line(const char *s, bool *ok)
{
	char *d, *p;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL) {
		*ok = false;
		return NULL;
	}
	for (p = d; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return d;
}

static void item_release(struct alert_item *it)
{
	free(it->check);
	free(it->code);
	free(it->mx);
	free(it->address);
	free(it->alg);
	free(it->message);
	free(it->req);
	memset(it, 0, sizeof(*it));
}

void alert_message_clear(struct alert_message *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->domain);
	for (i = 0; m->tags != NULL && m->tags[i] != NULL; i++)
		free(m->tags[i]);
	free(m->tags);
	for (i = 0; i < m->n_items; i++)
		item_release(&m->items[i]);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

int alert_message_init(struct alert_message *m, const char *domain, const char *const *tags,
		       time_t at)
{
	bool ok = true;
	size_t n = 0, i;

	if (m == NULL || domain == NULL)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	while (tags != NULL && tags[n] != NULL)
		n++;
	m->at = at;
	m->worst = SEVERITY_OK;
	m->domain = copy_line(domain, &ok);
	m->tags = calloc(n + 1, sizeof(*m->tags));
	if (m->tags == NULL)
		ok = false;
	for (i = 0; ok && i < n; i++)
		m->tags[i] = copy_line(tags[i], &ok);
	if (!ok) {
		alert_message_clear(m);
		return -ENOMEM;
	}
	return 0;
}

enum severity alert_message_worst(const struct alert_message *m)
{
	enum severity worst = SEVERITY_OK;
	size_t i;

	for (i = 0; m != NULL && i < m->n_items; i++) {
		const struct alert_item *it = &m->items[i];
		enum severity s = it->kind == ALERT_RESOLVED ? SEVERITY_OK : it->severity;

		if (severity_rank(s) > severity_rank(worst))
			worst = s;
	}
	return worst;
}

/* Feed one string to the digest; NULL and "" differ (a one-byte marker for NULL). */
static int digest_str(EVP_MD_CTX *ctx, const char *s)
{
	if (s == NULL)
		return EVP_DigestUpdate(ctx, "\x01", 1);
	return EVP_DigestUpdate(ctx, s, strlen(s) + 1);
}

/*
 * The id of alert.h: what the message says, not where it goes nor when it was rendered. Returns
 * 0 or -ENOMEM (OpenSSL's failures are allocation failures here).
 */
static int compute_id(struct alert_message *m)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char num[64];
	size_t i;
	int ok;

	if (ctx == NULL)
		return -ENOMEM;
	(void)snprintf(num, sizeof(num), "%lld", (long long)m->at);
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && digest_str(ctx, m->domain) &&
	     digest_str(ctx, num);
	for (i = 0; ok && i < m->n_items; i++) {
		const struct alert_item *it = &m->items[i];

		(void)snprintf(num, sizeof(num), "%d %d %d", (int)it->kind, (int)it->severity,
			       (int)it->old_severity);
		ok = digest_str(ctx, num) && digest_str(ctx, it->check) &&
		     digest_str(ctx, it->mx) && digest_str(ctx, it->address) &&
		     digest_str(ctx, it->alg) && digest_str(ctx, it->code);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &md_len) && md_len * 2 >= ALERT_ID_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -ENOMEM;
	for (i = 0; i < ALERT_ID_LEN / 2; i++) {
		m->id[2 * i] = hex[md[i] >> 4];
		m->id[2 * i + 1] = hex[md[i] & 0x0f];
	}
	m->id[ALERT_ID_LEN] = '\0';
	return 0;
}

int alert_message_add(struct alert_message *m, const struct alert_item *item)
{
	struct alert_item copy = { 0 };
	bool ok = true;
	int r;

	if (m == NULL || item == NULL || item->check == NULL || item->code == NULL ||
	    item->message == NULL)
		return -EINVAL;
	if (m->n_items == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 4;
		struct alert_item *v = reallocarray(m->items, cap, sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		m->items = v;
		m->cap = cap;
	}
	copy.kind = item->kind;
	copy.severity = item->severity;
	copy.old_severity = item->old_severity;
	copy.since = item->since;
	copy.at = item->at;
	copy.check = copy_line(item->check, &ok);
	copy.code = copy_line(item->code, &ok);
	copy.mx = copy_line(item->mx, &ok);
	copy.address = copy_line(item->address, &ok);
	copy.alg = copy_line(item->alg, &ok);
	copy.message = copy_line(item->message, &ok);
	copy.req = copy_line(item->req, &ok);
	if (!ok) {
		item_release(&copy);
		return -ENOMEM;
	}
	m->items[m->n_items++] = copy;
	r = compute_id(m);
	if (r < 0) {
		item_release(&m->items[--m->n_items]);
		return r;
	}
	m->worst = alert_message_worst(m);
	return 0;
}

/* Routing by tags: an empty list of the sink's means every domain. */
static bool tags_match(const struct alert_message *m, const char *const *sink_tags)
{
	size_t i, j;

	if (sink_tags == NULL || sink_tags[0] == NULL)
		return true;
	for (i = 0; sink_tags[i] != NULL; i++)
		for (j = 0; m->tags[j] != NULL; j++)
			if (strcmp(sink_tags[i], m->tags[j]) == 0)
				return true;
	return false;
}

static bool item_passes(const struct alert_item *it, enum severity min)
{
	if (severity_rank(it->severity) >= severity_rank(min))
		return true;
	/* The end of a problem (or of its worse state) concerns the sinks that heard of it. */
	return (it->kind == ALERT_RESOLVED || it->kind == ALERT_CHANGED) &&
	       severity_rank(it->old_severity) >= severity_rank(min);
}

int alert_message_filter(const struct alert_message *m, enum severity min,
			 const char *const *sink_tags, struct alert_message *ret)
{
	struct alert_message out;
	size_t i;
	int r;

	if (m == NULL || ret == NULL)
		return -EINVAL;
	if (!tags_match(m, sink_tags))
		return 0;
	for (i = 0; i < m->n_items; i++)
		if (item_passes(&m->items[i], min))
			break;
	if (i == m->n_items)
		return 0;
	r = alert_message_init(&out, m->domain, (const char *const *)m->tags, m->at);
	if (r < 0)
		return r;
	out.valid_until = m->valid_until;
	for (; i < m->n_items; i++) {
		if (!item_passes(&m->items[i], min))
			continue;
		r = alert_message_add(&out, &m->items[i]);
		if (r < 0) {
			alert_message_clear(&out);
			return r;
		}
	}
	*ret = out;
	return 1;
}

/* The subject's word for the message: its worst severity, RESOLVED when all is over. */
static const char *label(const struct alert_message *m)
{
	return m->worst == SEVERITY_OK ? "RESOLVED" : severity_name(m->worst);
}

/* The item the subject shows: the first of the worst severity, else the first. */
static const struct alert_item *headline(const struct alert_message *m)
{
	size_t i;

	for (i = 0; i < m->n_items; i++)
		if (m->items[i].kind != ALERT_RESOLVED && m->items[i].severity == m->worst)
			return &m->items[i];
	return &m->items[0];
}

/* Close a memory stream and hand its text over. Returns 0 or -ENOMEM. */
static int stream_finish(FILE *f, char **text, char **ret)
{
	bool failed = ferror(f) != 0;

	if (fclose(f) != 0 || failed) {
		free(*text);
		return -ENOMEM;
	}
	*ret = *text;
	return 0;
}

int alert_subject(const struct alert_message *m, char **ret)
{
	const struct alert_item *it;
	size_t len, cut;
	char *s;

	if (m == NULL || m->n_items == 0 || ret == NULL)
		return -EINVAL;
	it = headline(m);
	len = strlen(it->message);
	cut = len;
	if (len > SUBJECT_MESSAGE_MAX) {
		/* back to the first byte of a UTF-8 character, leaving room for "..." */
		cut = SUBJECT_MESSAGE_MAX - 3;
		while (cut > 0 && ((unsigned char)it->message[cut] & 0xc0) == 0x80)
			cut--;
	}
	if (m->n_items > 1)
		s = mxs_strdupf("[mxsentry] %s %s: %s%.*s%s (+%zu more)", label(m), m->domain,
				it->kind == ALERT_RESOLVED ? "resolved: " : "", (int)cut,
				it->message, cut < len ? "..." : "", m->n_items - 1);
	else
		s = mxs_strdupf("[mxsentry] %s %s: %s%.*s%s", label(m), m->domain,
				it->kind == ALERT_RESOLVED ? "resolved: " : "", (int)cut,
				it->message, cut < len ? "..." : "");
	if (s == NULL)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/* Where within the domain: "mx1.example.com [192.0.2.1] ECDSA", or the domain itself. */
static void put_subject(FILE *f, const struct alert_message *m, const struct alert_item *it)
{
	fputs(it->mx != NULL ? it->mx : m->domain, f);
	if (it->address != NULL)
		fprintf(f, " [%s]", it->address);
	if (it->alg != NULL)
		fprintf(f, " %s", it->alg);
}

/* "1 new problem, 2 changed, 1 resolved, 3 still open" */
static void put_counts(FILE *f, const struct alert_message *m)
{
	size_t n[4] = { 0 }, i;
	const char *sep = "";

	for (i = 0; i < m->n_items; i++)
		if ((unsigned)m->items[i].kind < 4)
			n[m->items[i].kind]++;
	if (n[ALERT_OPENED] > 0) {
		fprintf(f, "%zu new problem%s", n[ALERT_OPENED], n[ALERT_OPENED] > 1 ? "s" : "");
		sep = ", ";
	}
	if (n[ALERT_CHANGED] > 0) {
		fprintf(f, "%s%zu changed", sep, n[ALERT_CHANGED]);
		sep = ", ";
	}
	if (n[ALERT_RESOLVED] > 0) {
		fprintf(f, "%s%zu resolved", sep, n[ALERT_RESOLVED]);
		sep = ", ";
	}
	if (n[ALERT_REMINDER] > 0)
		fprintf(f, "%s%zu still open", sep, n[ALERT_REMINDER]);
}

static void put_item(FILE *f, const struct alert_message *m, const struct alert_item *it)
{
	char since[64], at[64], span[64];

	switch (it->kind) {
	case ALERT_OPENED:
		fprintf(f, "[NEW] %s - ", severity_name(it->severity));
		break;
	case ALERT_CHANGED:
		fprintf(f, "[CHANGED] %s -> %s - ", severity_name(it->old_severity),
			severity_name(it->severity));
		break;
	case ALERT_RESOLVED:
		fprintf(f, "[RESOLVED] was %s - ", severity_name(it->old_severity));
		break;
	default:
		fprintf(f, "[STILL OPEN] %s - ", severity_name(it->severity));
		break;
	}
	put_subject(f, m, it);
	fprintf(f, "\n  %s\n  Code: %s (check %s)\n", it->message, it->code, it->check);
	if (it->req != NULL)
		fprintf(f, "  Requirement: %s\n", it->req);
	if (it->since == 0)
		return;
	duration_time_text(it->since, since, sizeof(since));
	duration_span_text(it->since, it->at, span, sizeof(span));
	if (it->kind == ALERT_RESOLVED) {
		duration_time_text(it->at, at, sizeof(at));
		fprintf(f, "  Since: %s, resolved %s (after %s)\n", since, at, span);
	} else if (it->at > it->since) {
		fprintf(f, "  Since: %s (open for %s)\n", since, span);
	} else {
		fprintf(f, "  Since: %s\n", since);
	}
}

int alert_text_body(const struct alert_message *m, const char *agent_host, char **ret)
{
	char *text = NULL, when[64];
	size_t len = 0, i;
	FILE *f;

	if (m == NULL || m->n_items == 0 || ret == NULL)
		return -EINVAL;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return -ENOMEM;
	duration_time_text(m->at, when, sizeof(when));
	fprintf(f, "mxsentry: %s: ", m->domain);
	put_counts(f, m);
	fprintf(f, ".\nWorst now: %s. Checked: %s.\n", label(m), when);
	for (i = 0; i < m->n_items; i++) {
		fputc('\n', f);
		put_item(f, m, &m->items[i]);
	}
	/* "-- " is the usual signature separator: mail readers grey out what follows. */
	fprintf(f, "\n-- \nSent by mxsentry%s%s; message %s.\n", agent_host ? " on " : "",
		agent_host ? agent_host : "", m->id);
	fprintf(f,
		"Each code and what to do about it: docs/findings.md of mxsentry.\n"
		"What is open now: mxsentry status %s\n",
		m->domain);
	return stream_finish(f, &text, ret);
}

int alert_item_line(const struct alert_message *m, const struct alert_item *it, char **ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (m == NULL || it == NULL || ret == NULL)
		return -EINVAL;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return -ENOMEM;
	fprintf(f, "%s %s %s %s", m->domain, it->code, severity_name(it->severity),
		alert_kind_name(it->kind));
	if (it->kind == ALERT_CHANGED || it->kind == ALERT_RESOLVED)
		fprintf(f, " (was %s)", severity_name(it->old_severity));
	fputs(": ", f);
	if (it->mx != NULL) {
		put_subject(f, m, it);
		fputs(": ", f);
	}
	fputs(it->message, f);
	if (it->req != NULL)
		fprintf(f, " (%s)", it->req);
	return stream_finish(f, &text, ret);
}

/*
 * https.c - MTA-STS policy fetches, libcurl multi on the sd-event loop; see https.h.
 *
 * The multi handle and the sd-event sources that drive it are agent/curl_loop.h's; this file
 * sets up each transfer and records what it learnt.
 *
 * A fetch has two phases: the A and AAAA lookups of the policy host with our resolver, then the
 * transfer, with the addresses handed to libcurl as CURLOPT_RESOLVE entries. That keeps every
 * lookup on the one configured resolver and on the loop, where libcurl would otherwise start a
 * thread per lookup (its threaded resolver) and ask the system's.
 *
 * Completion is deferred as in agent/resolver.c: the end of a fetch fills its result and enables
 * the fetch's defer source, so the caller's callback never runs inside https_fetch_policy() or
 * inside libcurl, and may start another fetch.
 */
#include "agent/https.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "agent/curl_loop.h"
#include "agent/dlist.h"
#include "agent/monotime.h"
#include "agent/tlsverify.h"
#include "autoconf.h"

#define HTTPS_PORT 443

/* One fetch, from https_fetch_policy() until its callback has run (and its lookups ended). */
struct fetch {
	struct fetch *prev, *next; /* the context's fetches not yet delivered */
	struct https *h;           /* NULL once delivered while lookups are still out */
	char *host;                /* "mta-sts." + domain */
	time_t at;
	long warning_secs, critical_secs;
	unsigned timeout_ms;
	https_done_fn done;
	void *userdata;
	struct policy_fetch *res; /* handed to done() */
	uint64_t t_start;         /* CLOCK_MONOTONIC, µs */
	sd_event_source *deliver; /* defer source, enabled when the fetch has ended */
	bool finished;

	/* phase 1: the policy host's addresses */
	unsigned lookups; /* A and AAAA queries not answered yet */
	enum dns_status a_status, aaaa_status;
	char *addrs; /* "a,b,[c]" for CURLOPT_RESOLVE, or NULL */

	/* phase 2: the transfer */
	CURL *easy;
	struct curl_slist *headers, *resolve;
	char errbuf[CURL_ERROR_SIZE]; /* libcurl's own words about a failure */
	unsigned char *body;
	size_t body_len;
	bool too_large; /* a 200 body went over HTTPS_MAX_BODY */
	bool stopped;   /* another status's body filled HTTPS_MAX_BODY: read no more */
};

struct https {
	sd_event *loop;
	struct resolver *res;
	X509_STORE *store;
	struct curl_loop *cl; /* the transfers' multi handle on the loop */
	struct fetch *fetches;
	bool freeing;
};

/* ---- the end of a fetch -------------------------------------------------------------------- */

/* Release the transfer's libcurl objects; the handle leaves the multi first. */
static void transfer_release(struct fetch *f)
{
	if (f->easy != NULL) {
		if (f->h != NULL)
			curl_loop_remove(f->h->cl, f->easy);
		curl_easy_cleanup(f->easy);
		f->easy = NULL;
	}
	curl_slist_free_all(f->headers);
	curl_slist_free_all(f->resolve);
	f->headers = f->resolve = NULL;
	free(f->body);
	f->body = NULL;
}

/* The fetch is over: release what it ran on and let the loop deliver it. */
static void fetch_finish(struct fetch *f, enum fetch_outcome outcome, char *detail)
{
	transfer_release(f);
	f->res->outcome = outcome;
	free(f->res->detail);
	f->res->detail = detail;
	f->res->duration_ms = monotime_ms_since(f->t_start);
	f->finished = true;
	/* Enabling an existing source allocates nothing; https_free() delivers by itself. */
	if (f->h != NULL && !f->h->freeing)
		(void)sd_event_source_set_enabled(f->deliver, SD_EVENT_ONESHOT);
}

/* Everything but the struct, which lookups still out keep alive (f->lookups > 0). */
static void fetch_release(struct fetch *f)
{
	transfer_release(f);
	if (f->res != NULL) {
		policy_fetch_clear(f->res);
		free(f->res);
		f->res = NULL;
	}
	f->deliver = sd_event_source_disable_unref(f->deliver);
	free(f->host);
	free(f->addrs);
	f->host = f->addrs = NULL;
}

/* Run the callback once; the fetch leaves the context then (https.h: exactly once). */
static void fetch_deliver(struct fetch *f)
{
	struct https *h = f->h;

	DLIST_UNLINK(&h->fetches, f);
	f->done(f->res, f->userdata);
	fetch_release(f);
	f->h = NULL;
	if (f->lookups == 0)
		free(f);
}

static int on_deliver(sd_event_source *s, void *userdata)
{
	fetch_deliver(userdata);
	return 0;
}

/* ---- recording the response ---------------------------------------------------------------- */

/*
 * The chain as libcurl's OpenSSL backend recorded it (CURLOPT_CERTINFO): one list per
 * certificate, leaf first, as the server sent them, each with a "Cert:" entry in PEM. Returns a
 * new stack (empty when nothing was presented), or NULL on memory exhaustion or an entry that is
 * not a certificate (*ret_bad is then its index).
 */
static STACK_OF(X509) * presented_chain(CURL *easy, int *ret_bad)
{
	struct curl_certinfo *ci = NULL;
	STACK_OF(X509) *sk = sk_X509_new_null();

	*ret_bad = -1;
	if (sk == NULL)
		return NULL;
	if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL)
		return sk;
	for (int i = 0; i < ci->num_of_certs; i++) {
		const struct curl_slist *e;
		X509 *x = NULL;

		for (e = ci->certinfo[i]; e != NULL; e = e->next)
			if (strncmp(e->data, "Cert:", 5) == 0)
				break;
		if (e != NULL) {
			BIO *bio = BIO_new_mem_buf(e->data + 5, -1);

			if (bio != NULL)
				x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
			BIO_free(bio);
		}
		ERR_clear_error();
		if (x == NULL || sk_X509_push(sk, x) <= 0) {
			X509_free(x);
			sk_X509_pop_free(sk, X509_free);
			*ret_bad = i;
			return NULL;
		}
	}
	return sk;
}

/* Validate the presented chain into the result (tlsverify.h). -EINVAL: *ret_why says why. */
static int record_chain(struct fetch *f, char **ret_why)
{
	struct tlsverify_result v = { 0 };
	struct policy_fetch *p = f->res;
	int bad = -1, r;
	STACK_OF(X509) *sk = presented_chain(f->easy, &bad);

	if (sk == NULL) {
		if (bad < 0)
			return -ENOMEM;
		*ret_why = mxs_strdupf("certificate %d of the chain cannot be read", bad);
		return -EINVAL;
	}
	r = tlsverify_chain(f->h->store, sk, f->at, f->warning_secs, f->critical_secs, &v, ret_why);
	sk_X509_pop_free(sk, X509_free);
	if (r < 0)
		return r;
	p->chain = v.chain;
	p->chain_len = v.chain_len;
	p->verify_now = v.verify_now;
	p->verify_warning = v.verify_warning;
	p->verify_critical = v.verify_critical;
	p->path = v.path;
	p->path_len = v.path_len;
	return 0;
}

/* The status, headers and address of whatever response arrived. false on memory exhaustion. */
static bool record_response(struct fetch *f)
{
	struct policy_fetch *p = f->res;
	struct curl_header *loc = NULL;
	char *ctype = NULL, *ip = NULL;

	(void)curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &p->status);
	(void)curl_easy_getinfo(f->easy, CURLINFO_PRIMARY_IP, &ip);
	if (ip != NULL && strlen(ip) < sizeof(p->address))
		memcpy(p->address, ip, strlen(ip) + 1);
	(void)curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ctype);
	if (ctype != NULL) {
		p->content_type = strdup(ctype);
		if (p->content_type == NULL)
			return false;
	}
	/* STS-FETCH-06: a redirect is reported with where it leads, as the server sent it. */
	if (curl_easy_header(f->easy, "Location", 0, CURLH_HEADER, -1, &loc) == CURLHE_OK &&
	    loc != NULL && loc->value != NULL) {
		p->location = strdup(loc->value);
		if (p->location == NULL)
			return false;
	}
	return true;
}

/*
 * libcurl's result to the snapshot's outcome. Errors of the peer that the outcomes do not name
 * (an empty reply, a reset after the handshake, broken HTTP) are FETCH_LOCAL_ERROR with
 * libcurl's words, as https.h says.
 */
static enum fetch_outcome map_result(CURLcode code)
{
	switch (code) {
	case CURLE_OK:
		return FETCH_RESPONSE;
	case CURLE_OPERATION_TIMEDOUT:
		return FETCH_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return FETCH_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_SSL_ISSUER_ERROR:
		return FETCH_TLS_FAILED;
	default:
		return FETCH_LOCAL_ERROR;
	}
}

/* A transfer ended with code: record everything it learnt and finish the fetch. */
static void transfer_done(struct fetch *f, CURLcode code)
{
	enum fetch_outcome outcome;
	char *detail = NULL, *why = NULL;
	int r;

	/* A non-200 body cut at the cap is still that response (https.h). */
	if (code == CURLE_WRITE_ERROR && f->stopped)
		code = CURLE_OK;
	outcome = map_result(code);
	if (code == CURLE_WRITE_ERROR && f->too_large)
		outcome = FETCH_TOO_LARGE;
	if (!record_response(f)) {
		fetch_finish(f, FETCH_LOCAL_ERROR, strdup("out of memory"));
		return;
	}
	/* The chain is recorded whatever the outcome, once a handshake presented one. */
	r = record_chain(f, &why);
	if (r == -ENOMEM) {
		fetch_finish(f, FETCH_LOCAL_ERROR, strdup("out of memory"));
		return;
	}
	if (r == -EINVAL) {
		fetch_finish(f, FETCH_TLS_FAILED, why);
		return;
	}
	if (outcome == FETCH_RESPONSE) {
		/* Always a body with a response, NUL-terminated after body_len (snapshot.h). */
		f->res->body = f->body != NULL ? f->body : calloc(1, 1);
		f->res->body_len = f->body_len;
		f->body = NULL;
		if (f->res->body == NULL)
			outcome = FETCH_LOCAL_ERROR;
	} else if (outcome == FETCH_TOO_LARGE) {
		detail = mxs_strdupf("the body exceeds %d bytes", HTTPS_MAX_BODY);
	} else {
		detail =
		    mxs_strdupf("%s", f->errbuf[0] != '\0' ? f->errbuf : curl_easy_strerror(code));
	}
	fetch_finish(f, outcome, detail);
}

/* curl_loop_done_fn: the transfer ended (its handle is still in the multi handle). */
static void on_transfer_done(CURL *easy, CURLcode result, void *userdata)
{
	struct fetch *f = userdata;

	if (!f->finished)
		transfer_done(f, result);
}

/*
 * CURLOPT_WRITEFUNCTION. STS-FETCH-09: a 200 body beyond HTTPS_MAX_BODY aborts the fetch (0
 * makes libcurl stop with CURLE_WRITE_ERROR); any other status's body is kept up to the cap and
 * not read further, since a sender gives up on the status alone (STS-FETCH-05).
 */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct fetch *f = userdata;
	size_t n = size * nmemb, keep = n;
	unsigned char *grown;
	long status = 0;

	if (n > HTTPS_MAX_BODY - f->body_len) {
		(void)curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200) {
			f->too_large = true;
			return 0;
		}
		keep = HTTPS_MAX_BODY - f->body_len;
		f->stopped = true;
	}
	grown = realloc(f->body, f->body_len + keep + 1);
	if (grown == NULL)
		return 0;
	f->body = grown;
	memcpy(f->body + f->body_len, data, keep);
	f->body_len += keep;
	f->body[f->body_len] = '\0';
	return f->stopped ? 0 : n;
}

/* ---- starting the transfer ------------------------------------------------------------------ */

/* Set up and add the transfer to the multi handle; a negative errno when it cannot start. */
static int transfer_start(struct fetch *f, unsigned remaining_ms)
{
	char *entry = mxs_strdupf("%s:%d:%s", f->host, HTTPS_PORT, f->addrs);
	struct curl_slist *l;
	CURLcode c = CURLE_OK;
	CURL *e;

	if (entry == NULL)
		return -ENOMEM;
	l = curl_slist_append(NULL, entry);
	free(entry);
	if (l == NULL)
		return -ENOMEM;
	f->resolve = l;
	/* STS-FETCH-07: senders do not use HTTP caches, nor may any proxy cache on our behalf. */
	f->headers = curl_slist_append(NULL, "Cache-Control: no-cache");
	f->easy = e = curl_easy_init();
	if (f->headers == NULL || e == NULL)
		return -ENOMEM;
	/* Each setopt below only stores a value; the first failure stops the sequence. */
	c = curl_easy_setopt(e, CURLOPT_URL, f->res->url);
	/* STS-FETCH-01: https and nothing else, also for a redirect we would not follow anyway. */
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	/* STS-FETCH-06: a redirect is the answer; its status and Location are recorded. */
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_RESOLVE, f->resolve);
	/* A sender connects directly: no proxy from the environment. */
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_PROXY, "");
	/*
	 * The certificate is judged afterwards with tlsverify (STS-FETCH-02), as the MX chains
	 * are, so the handshake goes through whatever is presented; CERTINFO keeps the chain, and
	 * no session is resumed, so that every fetch sees the chain (a resumed one shows none).
	 */
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	/* STS-FETCH-09: what is left of the fetch's deadline after the address lookups. */
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)remaining_ms);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_USERAGENT, "mxsentry/" PACKAGE_VERSION);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	if (c == CURLE_OK)
		c = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
	if (c != CURLE_OK)
		return c == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
	return curl_loop_add(f->h->cl, e, on_transfer_done, f);
}

/* ---- phase 1: the policy host's addresses ---------------------------------------------------- */

/* Both lookups are in: start the transfer, or end the fetch without one. */
static void lookups_done(struct fetch *f)
{
	unsigned elapsed = monotime_ms_since(f->t_start);
	int r;

	if (f->addrs == NULL) {
		fetch_finish(f, FETCH_CONNECT,
			     mxs_strdupf("no address for %s (A: %s, AAAA: %s)", f->host,
					 dns_status_name(f->a_status),
					 dns_status_name(f->aaaa_status)));
		return;
	}
	if (elapsed >= f->timeout_ms) {
		fetch_finish(f, FETCH_TIMEOUT,
			     mxs_strdupf("the deadline passed while looking up %s", f->host));
		return;
	}
	r = transfer_start(f, f->timeout_ms - elapsed);
	if (r < 0)
		fetch_finish(f, FETCH_LOCAL_ERROR,
			     mxs_strdupf("cannot start the transfer: %s", strerror(-r)));
}

/* One A or AAAA answer: append its addresses ("[v6]" in brackets, as CURLOPT_RESOLVE wants). */
static void on_addrs(struct fetch *f, int type, const struct dns_result *r)
{
	size_t i;

	f->lookups--;
	/* Delivered already (https_free()): only the struct is left, for this very moment. */
	if (f->h == NULL) {
		if (f->lookups == 0)
			free(f);
		return;
	}
	if (type == ns_t_a)
		f->a_status = r->status;
	else
		f->aaaa_status = r->status;
	for (i = 0; i < r->n_addrs && !f->finished; i++) {
		bool v6 = r->addrs[i].family == AF_INET6;
		char *n = mxs_strdupf("%s%s%s%s%s", f->addrs != NULL ? f->addrs : "",
				      f->addrs != NULL ? "," : "", v6 ? "[" : "", r->addrs[i].text,
				      v6 ? "]" : "");

		if (n == NULL) {
			fetch_finish(f, FETCH_LOCAL_ERROR, strdup("out of memory"));
			break;
		}
		free(f->addrs);
		f->addrs = n;
	}
	if (f->lookups == 0 && !f->finished)
		lookups_done(f);
}

static void on_a(const struct dns_result *r, void *userdata)
{
	on_addrs(userdata, ns_t_a, r);
}

static void on_aaaa(const struct dns_result *r, void *userdata)
{
	on_addrs(userdata, ns_t_aaaa, r);
}

/* ---- the context --------------------------------------------------------------------------- */

int https_new(sd_event *loop, struct resolver *res, const char *ca_bundle, struct https **ret_https,
	      struct mxs_error *reterr)
{
	struct https *h = NULL;
	int r = -ENOMEM;

	if (loop == NULL || res == NULL || ca_bundle == NULL || ret_https == NULL)
		return mxs_error_set(reterr, NULL, NULL, "https: invalid arguments");
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->loop = sd_event_ref(loop);
	h->res = res;
	/* The multi handle first: it holds libcurl's global state, which everything else needs. */
	r = curl_loop_new(loop, &h->cl, reterr);
	if (r < 0)
		goto out;
	r = tlsverify_store_new(ca_bundle, &h->store, reterr);
	if (r < 0)
		goto out;
	*ret_https = h;
	return 0;
out:
	https_free(h);
	return r;
}

struct https *https_free(struct https *h)
{
	if (h == NULL || h->freeing)
		return NULL;
	h->freeing = true;
	/* https.h: every fetch still listed is delivered now, cancelled unless it has ended. */
	while (h->fetches != NULL) {
		struct fetch *f = h->fetches;

		if (!f->finished)
			fetch_finish(f, FETCH_LOCAL_ERROR, strdup("cancelled"));
		fetch_deliver(f);
	}
	h->cl = curl_loop_free(h->cl);
	X509_STORE_free(h->store);
	sd_event_unref(h->loop);
	free(h);
	return NULL;
}

int https_fetch_policy(struct https *h, const char *domain, time_t at, long warning_secs,
		       long critical_secs, unsigned timeout_ms, https_done_fn done, void *userdata)
{
	struct fetch *f;
	int r = -ENOMEM;

	if (h == NULL || domain == NULL || done == NULL)
		return -EINVAL;
	if (h->freeing)
		return -ECANCELED;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->h = h;
	f->at = at;
	f->warning_secs = warning_secs;
	f->critical_secs = critical_secs;
	f->timeout_ms = timeout_ms;
	f->done = done;
	f->userdata = userdata;
	f->t_start = monotime_usec();
	f->a_status = f->aaaa_status = DNS_ERROR;
	f->host = mxs_strdupf("mta-sts.%s", domain);
	f->res = calloc(1, sizeof(*f->res));
	if (f->host == NULL || f->res == NULL)
		goto fail;
	policy_fetch_clear(f->res);
	f->res->attempted = true;
	/* STS-FETCH-01: exactly this URL. */
	f->res->url = mxs_strdupf("https://%s/.well-known/mta-sts.txt", f->host);
	if (f->res->url == NULL)
		goto fail;
	r = sd_event_add_defer(h->loop, &f->deliver, on_deliver, f);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_enabled(f->deliver, SD_EVENT_OFF);
	/* The first lookup decides whether the fetch starts at all; the second may not start. */
	r = resolver_query(h->res, f->host, ns_t_a, on_a, f);
	if (r < 0)
		goto fail;
	f->lookups = 1;
	if (resolver_query(h->res, f->host, ns_t_aaaa, on_aaaa, f) == 0)
		f->lookups++;
	DLIST_PUSH(&h->fetches, f);
	return 0;
fail:
	fetch_release(f);
	free(f);
	return r;
}

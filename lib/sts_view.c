/*
 * sts_view.c - the MTA-STS state of a domain as a sender sees it; see sts_view.h.
 */
#include "lib/sts_view.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/hostmatch.h"
#include "lib/sts_fetch.h"

int sts_view_body_digest(const unsigned char *body, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;

	if (EVP_Digest(body, len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32)
		return -ENOMEM;
	for (i = 0; i < md_len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
	return 0;
}

void sts_view_clear(struct sts_view *v)
{
	if (v == NULL)
		return;
	(void)sts_policy_free(v->policy);
	diag_clear(&v->txt_diags);
	diag_clear(&v->fetch_diags);
	diag_clear(&v->policy_diags);
	memset(v, 0, sizeof(*v));
}

/*
 * STS-FETCH-02/03: a sender validates the policy host's certificate before it reads anything:
 * the chain to a trusted root, and a DNS-ID for mta-sts.<domain>. True when it would accept it.
 */
static bool webpki_ok(const struct snapshot *snap)
{
	static const char *const none[] = { NULL };
	const struct policy_fetch *pf = &snap->policy;
	const struct certinfo *leaf = pf->chain_len > 0 ? pf->chain[0] : NULL;
	char *host;
	bool ok;

	if (leaf == NULL || pf->verify_now.code != 0)
		return false;
	host = malloc(strlen(snap->domain) + sizeof("mta-sts."));
	if (host == NULL)
		return false;
	strcpy(host, "mta-sts.");
	strcat(host, snap->domain);
	{
		const char *refs[] = { host, NULL };

		ok = hostmatch_cert(HOSTMATCH_STS_POLICY,
				    leaf->san != NULL ? (const char *const *)leaf->san : none,
				    leaf->cn, refs, NULL);
	}
	free(host);
	return ok;
}

/* The fetch as a sender judges it (STS-FETCH-05/06/08/09); 0 when it can carry a policy. */
static int judge_fetch(const struct policy_fetch *pf, struct sts_view *v)
{
	struct sts_fetch_response resp = {
		.status = (int)pf->status,
		.content_type = pf->content_type,
		.body_len = pf->body_len,
		.location = pf->location,
	};

	/* No response at all: the checks report the outcome itself (timeout, TLS, ...). */
	if (pf->outcome != FETCH_RESPONSE)
		return -EINVAL;
	return sts_fetch_judge(&resp, &v->fetch_diags);
}

int sts_view_build(const struct snapshot *snap, struct sts_view *ret)
{
	const struct txt_lookup *t = &snap->sts_txt;
	const struct policy_fetch *pf = &snap->policy;
	struct sts_view v = { .state = STS_NOT_GATHERED };
	int r;

	if (!t->looked_up)
		goto out;
	if (t->status != DNS_OK && t->status != DNS_NODATA && t->status != DNS_NXDOMAIN) {
		v.state = STS_UNKNOWN;
		goto out;
	}
	/* STS-TXT-04: discard non-STSv1 records; exactly one must remain, and be valid. */
	r = sts_txt_discover(t->records, t->n_records, &v.n_records, &v.txt, &v.txt_diags);
	if (r < 0)
		goto fail;
	v.txt_valid = r == 1;
	if (v.n_records == 0) {
		v.state = STS_ABSENT;
		goto out;
	}
	v.state = STS_BROKEN;
	/* STS-FETCH-12: a record without a fetchable, valid policy leaves senders without one. */
	if (pf->attempted && pf->outcome == FETCH_RESPONSE && !webpki_ok(snap)) {
		v.fetch_failed = true;
		v.webpki_failed = true;
		goto out;
	}
	if (!pf->attempted || judge_fetch(pf, &v) < 0) {
		v.fetch_failed = true;
		if (v.fetch_diags.lost)
			goto fail;
		goto out;
	}
	r = sts_policy_parse((const char *)pf->body, pf->body_len, &v.policy, &v.policy_diags);
	if (r == -ENOMEM)
		goto fail;
	if (r < 0) {
		v.policy_invalid = true;
		goto out;
	}
	if (v.txt_valid)
		v.state = STS_ACTIVE;
out:
	*ret = v;
	return 0;
fail:
	sts_view_clear(&v);
	*ret = v;
	return -ENOMEM;
}

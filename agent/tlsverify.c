/*
 * tlsverify.c - path validation of presented chains against the CA bundle; see tlsverify.h.
 *
 * Certificates go through DER into lib/certinfo.h, so that one parser reads every certificate
 * the checks see, whichever protocol presented it. Every function leaves OpenSSL's error queue
 * empty: a reason left behind would be reported as the cause of another probe's failure.
 */
#include "agent/tlsverify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

/* Append "; text" to *s (a new string each time); false on memory exhaustion. */
static bool append(char **s, const char *text)
{
	char *n = mxs_strdupf("%s%s%s", *s != NULL ? *s : "", *s != NULL ? "; " : "", text);

	if (n == NULL)
		return false;
	free(*s);
	*s = n;
	return true;
}

char *tlsverify_errors(void)
{
	const char *data = NULL;
	unsigned long e;
	char *s = NULL;
	int flags = 0;

	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		const char *reason = ERR_reason_error_string(e);
		bool has_data = data != NULL && *data != '\0' && (flags & ERR_TXT_STRING);
		char *one;

		if (reason != NULL)
			one = mxs_strdupf("%s%s%s%s", reason, has_data ? " (" : "",
					  has_data ? data : "", has_data ? ")" : "");
		else
			one = mxs_strdupf("OpenSSL error 0x%lx", e);
		if (one == NULL || !append(&s, one)) {
			free(one);
			ERR_clear_error();
			return s;
		}
		free(one);
	}
	return s;
}

int tlsverify_store_new(const char *ca_bundle, X509_STORE **ret_store, struct mxs_error *reterr)
{
	X509_STORE *store;
	char *why;

	if (ca_bundle == NULL || ret_store == NULL)
		return mxs_error_set(reterr, NULL, NULL, "no CA bundle given");
	/* access() first, so that the common mistake gets strerror instead of OpenSSL's text. */
	if (access(ca_bundle, R_OK) != 0)
		return mxs_error_set(reterr, ca_bundle, NULL, "cannot read the CA bundle: %s",
				     strerror(errno));
	ERR_clear_error();
	store = X509_STORE_new();
	if (store == NULL)
		return -ENOMEM;
	if (X509_STORE_load_file(store, ca_bundle) != 1) {
		why = tlsverify_errors();
		(void)mxs_error_set(reterr, ca_bundle, NULL, "cannot load the CA bundle: %s",
				    why != NULL ? why : "no certificate found");
		free(why);
		X509_STORE_free(store);
		return -EINVAL;
	}
	*ret_store = store;
	return 0;
}

void tlsverify_result_clear(struct tlsverify_result *res)
{
	if (res == NULL)
		return;
	certinfo_array_free(res->chain, res->chain_len);
	certinfo_array_free(res->path, res->path_len);
	free(res->verify_now.text);
	free(res->verify_warning.text);
	free(res->verify_critical.text);
	*res = (struct tlsverify_result){ .verify_now = { -1, NULL, -1 },
					  .verify_warning = { -1, NULL, -1 },
					  .verify_critical = { -1, NULL, -1 } };
}

/*
 * Turn a stack of certificates into certinfo, in order. *ret_v is NULL for an empty stack.
 * -EINVAL when certinfo_from_der() rejects one (ret_why says which).
 */
static int certs_from_stack(STACK_OF(X509) * sk, struct certinfo ***ret_v, size_t *ret_n,
			    char **ret_why)
{
	int n = sk != NULL ? sk_X509_num(sk) : 0;
	struct certinfo **v = NULL;
	size_t done = 0;
	int r = 0;

	if (n > 0) {
		v = calloc((size_t)n, sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct mxs_error err = { 0 };
		unsigned char *der = NULL;
		/* Through DER, so that lib/certinfo.h stays the one parser of certificates. */
		int len = i2d_X509(sk_X509_value(sk, i), &der);

		if (len <= 0) {
			ERR_clear_error();
			r = -ENOMEM;
			goto out;
		}
		r = certinfo_from_der(der, (size_t)len, &v[done], &err);
		OPENSSL_free(der);
		if (r == -EINVAL && ret_why != NULL)
			*ret_why = mxs_strdupf("certificate %d of the chain cannot be read: %s", i,
					       err.what != NULL ? err.what : "invalid");
		mxs_error_clear(&err);
		if (r < 0)
			goto out;
		done++;
	}
	*ret_v = v;
	*ret_n = done;
	v = NULL;
	done = 0;
out:
	certinfo_array_free(v, done);
	return r;
}

/*
 * Validate leaf + untrusted against store as of time t (RFC 5280 §6; purpose and trust "SSL
 * server"; no host name check). ret_path, when not NULL, receives the path OpenSSL built, even
 * on a verification error (it may be NULL: nothing was built).
 */
static int verify_at(X509_STORE *store, X509 *leaf, STACK_OF(X509) * untrusted, time_t t,
		     struct chain_verdict *ret_v, STACK_OF(X509) * *ret_path)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char *text;
	long code;
	int depth = -1, rc, r = -ENOMEM;

	if (ctx == NULL)
		return -ENOMEM;
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
		goto out;
	if (X509_STORE_CTX_set_default(ctx, "ssl_server") != 1)
		goto out;
	/* The future verdicts (COMMON-EXP-04) are the same validation at a later time. */
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), t);
	rc = X509_verify_cert(ctx);
	code = rc == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	/* A failure must never read as "ok" to checks/ (STS-CERT-02). */
	if (rc != 1 && code == X509_V_OK)
		code = X509_V_ERR_UNSPECIFIED;
	if (rc != 1)
		depth = X509_STORE_CTX_get_error_depth(ctx);
	text = strdup(X509_verify_cert_error_string(code));
	if (text == NULL)
		goto out;
	ret_v->code = code;
	ret_v->text = text;
	ret_v->depth = depth;
	if (ret_path != NULL)
		*ret_path = X509_STORE_CTX_get1_chain(ctx);
	r = 0;
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

int tlsverify_chain(X509_STORE *store, STACK_OF(X509) * presented, time_t at, long warning_secs,
		    long critical_secs, struct tlsverify_result *ret, char **ret_why)
{
	struct tlsverify_result res = { 0 };
	STACK_OF(X509) *untrusted = NULL, *built = NULL;
	struct chain_verdict *v[3] = { &res.verify_now, &res.verify_warning, &res.verify_critical };
	const time_t when[3] = { at, at + warning_secs, at + critical_secs };
	int r;

	tlsverify_result_clear(&res);
	r = certs_from_stack(presented, &res.chain, &res.chain_len, ret_why);
	if (r < 0)
		goto out;
	if (res.chain_len > 0) {
		/* The leaf first, the rest as the untrusted intermediates it came with. */
		r = -ENOMEM;
		untrusted = sk_X509_dup(presented);
		if (untrusted == NULL)
			goto out;
		(void)sk_X509_shift(untrusted);
		for (int i = 0; i < 3; i++) {
			r = verify_at(store, sk_X509_value(presented, 0), untrusted, when[i], v[i],
				      i == 0 ? &built : NULL);
			if (r < 0)
				goto out;
		}
		r = certs_from_stack(built, &res.path, &res.path_len, ret_why);
		if (r < 0)
			goto out;
	}
	/* All or nothing (tlsverify.h): ret is written only once everything above succeeded. */
	*ret = res;
	res = (struct tlsverify_result){ 0 };
	r = 0;
out:
	tlsverify_result_clear(&res);
	sk_X509_free(untrusted);
	sk_X509_pop_free(built, X509_free);
	ERR_clear_error();
	return r;
}

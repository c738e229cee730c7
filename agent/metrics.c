/*
 * metrics.c - the Prometheus text exposition of the agent's state; see metrics.h.
 *
 * The format (Prometheus "Exposition formats", text version 0.0.4): per family one "# HELP" and
 * one "# TYPE" line, then its samples "name{label="value",...} value", one per line, all samples
 * of a family together. Families are a table below, each with the function that writes its
 * samples, so the order of the output is the order of the table.
 *
 * The MTA-STS mode is what a sender applies, so it comes from lib/sts_view.h (record, fetch and
 * policy judged as the checks judge them) rather than from the policy body alone: a body served
 * with the wrong status or type is no policy to a sender (STS-FETCH-04/05). It is worked out
 * once per domain before the families are written.
 */
#include "agent/metrics.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"
#include "lib/sts_policy.h"
#include "lib/sts_view.h"

/* What every family writer reads. */
struct ctx {
	FILE *out;
	const struct metrics_domain *doms;
	size_t n;
	const struct metrics_agent *agent;
	int *sts_mode; /* per domain: an enum sts_mode, or -1 when there is no mode to show */
	int err;       /* -ENOMEM when a sample could not be written */
};

struct label {
	const char *name;
	const char *value;
};

struct family {
	const char *name;
	const char *type; /* "gauge" or "counter" */
	const char *help; /* one line, no backslash */
	void (*write)(struct ctx *c, const char *name);
};

/*
 * A label value: backslash, double quote and newline escaped as the format says; other control
 * bytes and non-ASCII bytes, which a normalised name or address does not hold, become '?' so
 * the output stays valid UTF-8 whatever the input.
 */
static void put_value(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\\')
			fputs("\\\\", out);
		else if (ch == '"')
			fputs("\\\"", out);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20 || ch >= 0x7f)
			fputc('?', out);
		else
			fputc(ch, out);
	}
}

/* The metric name and its labels (a list ended by a NULL name; NULL for none). */
static void put_series(FILE *out, const char *name, const struct label labels[])
{
	size_t i;

	fputs(name, out);
	if (labels == NULL || labels[0].name == NULL)
		return;
	for (i = 0; labels[i].name != NULL; i++) {
		fprintf(out, "%s%s=\"", i == 0 ? "{" : ",", labels[i].name);
		put_value(out, labels[i].value != NULL ? labels[i].value : "");
		fputc('"', out);
	}
	fputc('}', out);
}

static void sample_ll(FILE *out, const char *name, const struct label labels[], long long v)
{
	put_series(out, name, labels);
	fprintf(out, " %lld\n", v);
}

static void sample_ull(FILE *out, const char *name, const struct label labels[],
		       unsigned long long v)
{
	put_series(out, name, labels);
	fprintf(out, " %llu\n", v);
}

/* A duration recorded in milliseconds, written in seconds. */
static void sample_ms(FILE *out, const char *name, const struct label labels[], unsigned ms)
{
	put_series(out, name, labels);
	fprintf(out, " %u.%03u\n", ms / 1000u, ms % 1000u);
}

static const char *dom_name(const struct metrics_domain *d)
{
	return d->name != NULL ? d->name : "";
}

/* --- agent ------------------------------------------------------------------------------ */

static void w_up(struct ctx *c, const char *name)
{
	sample_ll(c->out, name, NULL, 1);
}

static void w_started(struct ctx *c, const char *name)
{
	sample_ll(c->out, name, NULL, (long long)c->agent->started);
}

static void w_last_ok(struct ctx *c, const char *name)
{
	if (c->agent->last_cycle_ok != 0)
		sample_ll(c->out, name, NULL, (long long)c->agent->last_cycle_ok);
}

static void w_cycles(struct ctx *c, const char *name)
{
	sample_ull(c->out, name, NULL, c->agent->cycles);
}

static void w_cycle_failures(struct ctx *c, const char *name)
{
	sample_ull(c->out, name, NULL, c->agent->cycle_failures);
}

static void w_reloads(struct ctx *c, const char *name)
{
	const struct label ok[] = { { "result", "ok" }, { NULL, NULL } };
	const struct label failed[] = { { "result", "failed" }, { NULL, NULL } };

	sample_ull(c->out, name, ok, c->agent->config_reloads);
	sample_ull(c->out, name, failed, c->agent->config_reload_failures);
}

static void w_store_ok(struct ctx *c, const char *name)
{
	sample_ll(c->out, name, NULL, c->agent->store_ok ? 1 : 0);
}

static void w_outbox(struct ctx *c, const char *name)
{
	sample_ull(c->out, name, NULL, c->agent->outbox_pending);
}

static void w_alerts(struct ctx *c, const char *name)
{
	const struct label delivered[] = { { "result", "delivered" }, { NULL, NULL } };
	const struct label failed[] = { { "result", "failed" }, { NULL, NULL } };
	const struct label again[] = { { "result", "redelivered" }, { NULL, NULL } };

	sample_ull(c->out, name, delivered, c->agent->alerts_delivered);
	sample_ull(c->out, name, failed, c->agent->alerts_failed);
	sample_ull(c->out, name, again, c->agent->alerts_redelivered);
}

static void w_domains(struct ctx *c, const char *name)
{
	sample_ull(c->out, name, NULL, c->n);
}

/* --- domains ---------------------------------------------------------------------------- */

static void w_interval(struct ctx *c, const char *name)
{
	size_t d;

	for (d = 0; d < c->n; d++) {
		const struct label l[] = { { "domain", dom_name(&c->doms[d]) }, { NULL, NULL } };

		sample_ull(c->out, name, l, c->doms[d].interval);
	}
}

static void w_last_cycle(struct ctx *c, const char *name)
{
	size_t d;

	for (d = 0; d < c->n; d++) {
		const struct label l[] = { { "domain", dom_name(&c->doms[d]) }, { NULL, NULL } };

		if (c->doms[d].last_cycle_end != 0)
			sample_ll(c->out, name, l, (long long)c->doms[d].last_cycle_end);
	}
}

static void w_cycle_duration(struct ctx *c, const char *name)
{
	size_t d;

	for (d = 0; d < c->n; d++) {
		const struct label l[] = { { "domain", dom_name(&c->doms[d]) }, { NULL, NULL } };

		if (c->doms[d].snap != NULL)
			sample_ms(c->out, name, l, c->doms[d].snap->duration_ms);
	}
}

/*
 * Per check, in the registry's order: the worst severity of its findings by severity_rank(); an
 * enabled check without findings is OK (0), and so is every check with findings when the
 * caller gave no enabled set (checks == 0).
 */
static void w_check_status(struct ctx *c, const char *name)
{
	size_t d, k;
	int i;

	for (d = 0; d < c->n; d++) {
		const struct findings *fs = c->doms[d].findings;

		for (i = 0; fs != NULL && i < CHECK_COUNT; i++) {
			const char *check = check_name(i);
			const struct label l[] = { { "domain", dom_name(&c->doms[d]) },
						   { "check", check },
						   { NULL, NULL } };
			enum severity worst = SEVERITY_OK;
			bool any = false;

			for (k = 0; k < fs->n; k++) {
				if (strcmp(fs->v[k].check, check) != 0)
					continue;
				if (!any || severity_rank(fs->v[k].severity) > severity_rank(worst))
					worst = fs->v[k].severity;
				any = true;
			}
			if (any || (c->doms[d].checks & (1u << i)))
				sample_ll(c->out, name, l, worst);
		}
	}
}

static void w_findings(struct ctx *c, const char *name)
{
	static const enum severity all[] = { SEVERITY_OK, SEVERITY_WARNING, SEVERITY_CRITICAL,
					     SEVERITY_UNKNOWN };
	size_t d, k, s;

	for (d = 0; d < c->n; d++) {
		const struct findings *fs = c->doms[d].findings;

		for (s = 0; fs != NULL && s < sizeof(all) / sizeof(all[0]); s++) {
			const struct label l[] = { { "domain", dom_name(&c->doms[d]) },
						   { "severity", severity_name(all[s]) },
						   { NULL, NULL } };
			unsigned long long count = 0;

			for (k = 0; k < fs->n; k++)
				if (fs->v[k].severity == all[s])
					count++;
			sample_ull(c->out, name, l, count);
		}
	}
}

/* --- certificates ----------------------------------------------------------------------- */

/*
 * Whether an earlier session of the address got a chain whose leaf has the same key type: the
 * default session and the restricted one for that algorithm see the same certificates, and a
 * series must appear once.
 */
static bool chain_seen(const struct mx_address *a, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (a->probes[i].chain_len > 0 &&
		    a->probes[i].chain[0]->key_type == a->probes[k].chain[0]->key_type)
			return true;
	return false;
}

/* One chain's samples: notAfter per depth, labelled with its leaf's key type. */
static void chain_samples(struct ctx *c, const char *name, const char *domain, const char *service,
			  const char *host, const char *address, struct certinfo *const *chain,
			  size_t len)
{
	const char *alg = key_type_name(chain[0]->key_type);
	size_t i;

	for (i = 0; i < len; i++) {
		char depth[24];
		const struct label l[] = {
			{ "domain", domain },   { "service", service }, { "host", host },
			{ "address", address }, { "alg", alg },         { "depth", depth },
			{ NULL, NULL },
		};

		(void)snprintf(depth, sizeof(depth), "%zu", i);
		sample_ll(c->out, name, l, (long long)chain[i]->not_after);
	}
}

static void w_cert_expiry(struct ctx *c, const char *name)
{
	size_t d, i, j, k;

	for (d = 0; d < c->n; d++) {
		const struct snapshot *snap = c->doms[d].snap;
		const char *domain = dom_name(&c->doms[d]);
		const struct policy_fetch *pf;
		char *host;

		if (snap == NULL)
			continue;
		for (i = 0; i < snap->n_mx; i++)
			for (j = 0; j < snap->mx[i].n_addrs; j++) {
				const struct mx_address *a = &snap->mx[i].addrs[j];

				for (k = 0; k < a->n_probes; k++)
					if (a->probes[k].chain_len > 0 && !chain_seen(a, k))
						chain_samples(c, name, domain, "smtp",
							      snap->mx[i].name, a->text,
							      a->probes[k].chain,
							      a->probes[k].chain_len);
			}
		pf = &snap->policy;
		if (!pf->attempted || pf->chain_len == 0)
			continue;
		/* RFC 8461 §3.3: the policy host is "mta-sts." and the policy domain. */
		host = mxs_strdupf("mta-sts.%s", snap->domain);
		if (host == NULL) {
			c->err = -ENOMEM;
			continue;
		}
		chain_samples(c, name, domain, "https", host, pf->address, pf->chain,
			      pf->chain_len);
		free(host);
	}
}

/* --- MTA-STS and probes ----------------------------------------------------------------- */

static void w_sts_mode(struct ctx *c, const char *name)
{
	static const enum sts_mode modes[] = { STS_MODE_ENFORCE, STS_MODE_TESTING, STS_MODE_NONE };
	size_t d, m;

	for (d = 0; d < c->n; d++) {
		if (c->sts_mode[d] < 0)
			continue;
		for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			const struct label l[] = { { "domain", dom_name(&c->doms[d]) },
						   { "mode", sts_policy_mode_name(modes[m]) },
						   { NULL, NULL } };

			sample_ll(c->out, name, l, c->sts_mode[d] == (int)modes[m] ? 1 : 0);
		}
	}
}

static void w_sts_fetch(struct ctx *c, const char *name)
{
	size_t d;

	for (d = 0; d < c->n; d++) {
		const struct snapshot *snap = c->doms[d].snap;
		const struct label l[] = { { "domain", dom_name(&c->doms[d]) }, { NULL, NULL } };

		if (snap != NULL && snap->policy.attempted)
			sample_ms(c->out, name, l, snap->policy.duration_ms);
	}
}

/* Per SMTP session: the handshake time (handshake true; sessions with TLS) or session time. */
static void probe_samples(struct ctx *c, const char *name, bool handshake)
{
	size_t d, i, j, k;

	for (d = 0; d < c->n; d++) {
		const struct snapshot *snap = c->doms[d].snap;

		for (i = 0; snap != NULL && i < snap->n_mx; i++)
			for (j = 0; j < snap->mx[i].n_addrs; j++) {
				const struct mx_address *a = &snap->mx[i].addrs[j];

				for (k = 0; k < a->n_probes; k++) {
					const struct smtp_probe *p = &a->probes[k];
					const struct label l[] = {
						{ "domain", dom_name(&c->doms[d]) },
						{ "host", snap->mx[i].name },
						{ "address", a->text },
						{ "probe", probe_alg_name(p->alg) },
						{ NULL, NULL },
					};

					if (!handshake)
						sample_ms(c->out, name, l, p->session_ms);
					else if (p->tls_version != 0)
						sample_ms(c->out, name, l, p->handshake_ms);
				}
			}
	}
}

static void w_handshake(struct ctx *c, const char *name)
{
	probe_samples(c, name, true);
}

static void w_session(struct ctx *c, const char *name)
{
	probe_samples(c, name, false);
}

/* The families, in output order (documented in metrics.h). */
static const struct family families[] = {
	{ "mxsentry_up", "gauge", "1 when the agent answers.", w_up },
	{ "mxsentry_start_time_seconds", "gauge", "When the agent started, in Unix seconds.",
	  w_started },
	{ "mxsentry_last_cycle_ok_timestamp_seconds", "gauge",
	  "End of the last cycle that completed, in Unix seconds.", w_last_ok },
	{ "mxsentry_cycles_total", "counter", "Cycles run.", w_cycles },
	{ "mxsentry_cycle_failures_total", "counter", "Cycles that did not complete.",
	  w_cycle_failures },
	{ "mxsentry_config_reloads_total", "counter", "Configuration reloads, by result.",
	  w_reloads },
	{ "mxsentry_store_ok", "gauge", "1 when the state store works, 0 when it does not.",
	  w_store_ok },
	{ "mxsentry_outbox_pending", "gauge", "Alerts queued and not delivered yet.", w_outbox },
	{ "mxsentry_alerts_total", "counter",
	  "Alert deliveries ended since start, by result (redelivered: sent again after a crash).",
	  w_alerts },
	{ "mxsentry_domains", "gauge", "Domains configured.", w_domains },
	{ "mxsentry_domain_interval_seconds", "gauge", "Seconds between two checks of the domain.",
	  w_interval },
	{ "mxsentry_domain_last_cycle_timestamp_seconds", "gauge",
	  "End of the domain's last cycle, in Unix seconds.", w_last_cycle },
	{ "mxsentry_domain_cycle_duration_seconds", "gauge",
	  "How long gathering the domain's facts took.", w_cycle_duration },
	{ "mxsentry_check_status", "gauge",
	  "Worst severity of the check's findings: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
	  w_check_status },
	{ "mxsentry_findings", "gauge", "Findings of the domain's last cycle, by severity.",
	  w_findings },
	{ "mxsentry_certificate_expiry_timestamp_seconds", "gauge",
	  "notAfter of a presented certificate, in Unix seconds.", w_cert_expiry },
	{ "mxsentry_mta_sts_mode", "gauge",
	  "1 for the MTA-STS mode senders apply, 0 for the others.", w_sts_mode },
	{ "mxsentry_mta_sts_fetch_seconds", "gauge", "Duration of the MTA-STS policy fetch.",
	  w_sts_fetch },
	{ "mxsentry_smtp_handshake_seconds", "gauge", "TLS handshake duration of an SMTP session.",
	  w_handshake },
	{ "mxsentry_smtp_session_seconds", "gauge", "Duration of an SMTP session, connect to end.",
	  w_session },
};

/* Each domain's MTA-STS mode as senders see it: the active policy's, "none" when absent. */
static int sts_modes(const struct metrics_domain *doms, size_t n, int *modes)
{
	struct sts_view v;
	size_t d;
	int r;

	for (d = 0; d < n; d++) {
		modes[d] = -1;
		if (doms[d].snap == NULL)
			continue;
		r = sts_view_build(doms[d].snap, &v);
		if (r < 0)
			return r;
		if (v.state == STS_ACTIVE && v.policy != NULL)
			modes[d] = (int)v.policy->mode;
		else if (v.state == STS_ABSENT)
			modes[d] = STS_MODE_NONE;
		sts_view_clear(&v);
	}
	return 0;
}

int metrics_write(FILE *out, const struct metrics_domain *doms, size_t n,
		  const struct metrics_agent *agent)
{
	struct ctx c = { .out = out, .doms = doms, .n = n, .agent = agent };
	size_t i;
	int r = 0;

	if (out == NULL || agent == NULL || (doms == NULL && n > 0))
		return -EINVAL;
	if (n > 0) {
		c.sts_mode = calloc(n, sizeof(*c.sts_mode));
		if (c.sts_mode == NULL)
			return -ENOMEM;
		r = sts_modes(doms, n, c.sts_mode);
		if (r < 0)
			goto out;
	}
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", families[i].name, families[i].help,
			families[i].name, families[i].type);
		families[i].write(&c, families[i].name);
	}
	r = c.err;
out:
	free(c.sts_mode);
	if (fflush(out) != 0 || ferror(out))
		return r < 0 ? r : -EIO;
	return r;
}

int metrics_text(const struct metrics_domain *doms, size_t n, const struct metrics_agent *agent,
		 char **ret_text, size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int r;

	if (ret_text == NULL || ret_len == NULL)
		return -EINVAL;
	mem = open_memstream(&text, &len);
	if (mem == NULL)
		return -ENOMEM;
	r = metrics_write(mem, doms, n, agent);
	/* A memory stream fails to close only for want of memory. */
	if (fclose(mem) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(text);
		return r == -EIO ? -ENOMEM : r;
	}
	*ret_text = text;
	*ret_len = len;
	return 0;
}

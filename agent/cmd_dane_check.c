/*
 * cmd_dane_check.c - "mxsentry dane-check DOMAIN --cert NEW.pem": may this certificate go live
 * on the MX hosts of DOMAIN without breaking delivery from DANE senders? See cmd_dane_check.h.
 *
 * One gather of the domain (MX, TLSA through the validating resolver, every authoritative
 * server asked directly), recorded in the store like any check run, so that each record has a
 * "served since" per server; then lib/dane_gate.h judges the new chain against the published
 * records and their age. The store is what makes "for twice its TTL" answerable: the first run
 * after a record is published says WAIT, a run two TTLs later says YES.
 */
#include "agent/cmd_dane_check.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cli_config.h"
#include "agent/config.h"
#include "agent/gather.h"
#include "agent/observe.h"
#include "agent/pemfile.h"
#include "agent/store.h"
#include "checks/check.h"
#include "lib/dane_gate.h"
#include "lib/dname.h"
#include "lib/tlsa.h"

#define PROG "mxsentry dane-check"

struct gate_args {
	const char *config, *cert, *resolver, *state_dir, *dnssec_probe;
	const char *domain;
};

/* Everything one run holds. */
struct gate_run {
	struct config *cfg;
	struct store *store;
	struct certinfo *certs[PEMFILE_MAX_CERTS];
	int n_certs;
	char *domain;
	struct snapshot *snap;
	struct dane_gate_result res;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: mxsentry dane-check DOMAIN --cert NEW.pem [OPTIONS]\n"
	    "\n"
	    "May the certificate in NEW.pem (leaf first, then its chain) go live on the MX\n"
	    "hosts of DOMAIN? Yes when a DNSSEC-secure TLSA record of every MX host matches it\n"
	    "and every authoritative server has served that record for at least twice its TTL\n"
	    "(RFC 7671 section 8.1). The time a record was first served is kept in the state\n"
	    "directory: the first run after publishing says \"wait\".\n"
	    "\n"
	    "      --cert FILE          the new certificate (PEM)\n"
	    "  -f, --config FILE        resolver, state directory and timeouts from FILE\n"
	    "  -r, --resolver ADDR      the validating resolver (\"127.0.0.1\", \"[::1]:53\")\n"
	    "      --state-dir DIR      where first sightings are kept (default: the\n"
	    "                           configuration's state_dir, /var/lib/mxsentry)\n"
	    "      --dnssec-probe NAME  a signed name whose SOA must come back with the AD bit\n"
	    "                           (default \".\", the root zone)\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: 0 yes, deploy; 1 wait (the records match, caches may not have them\n"
	    "yet); 2 no (the records to publish are printed); 3 could not tell (also for bad\n"
	    "arguments).\n");
}

/* Returns 0, 1 for --help (done), or -EINVAL. */
static int parse_args(int argc, char **argv, struct gate_args *a)
{
	enum { OPT_CERT = 256, OPT_STATE, OPT_DNSSEC_PROBE };
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "config", required_argument, NULL, 'f' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "dnssec-probe", required_argument, NULL, OPT_DNSSEC_PROBE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct gate_args){ 0 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:r:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CERT:
			a->cert = optarg;
			break;
		case 'f':
			a->config = optarg;
			break;
		case 'r':
			if (cli_check_resolver(PROG, optarg) < 0)
				return -EINVAL;
			a->resolver = optarg;
			break;
		case OPT_STATE:
			a->state_dir = optarg;
			break;
		case OPT_DNSSEC_PROBE:
			if (cli_check_dnssec_probe(PROG, optarg) < 0)
				return -EINVAL;
			a->dnssec_probe = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1)
		return cli_bad(PROG, "%s", "expected one DOMAIN (see --help)");
	if (a->cert == NULL)
		return cli_bad(PROG, "%s", "--cert NEW.pem is required");
	a->domain = argv[optind];
	return 0;
}

/* Configuration, domain name, certificate and store: everything before the network. */
static int prepare(const struct gate_args *a, struct gate_run *g)
{
	struct mxs_error err = { 0 };
	const char *why = NULL, *dir;
	int r;

	r = a->config != NULL ? cli_config_load(a->config, stderr, &g->cfg)
			      : config_new_default(&g->cfg);
	if (r < 0)
		return r;
	r = dname_normalize(a->domain, strlen(a->domain), &g->domain, &err);
	if (r < 0) {
		cli_bad(PROG, "\"%s\" is not a domain name: %s", a->domain,
			err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		return r;
	}
	g->n_certs = pemfile_read_certs(a->cert, g->certs, PEMFILE_MAX_CERTS, &why);
	if (g->n_certs < 0) {
		r = g->n_certs;
		g->n_certs = 0;
		return cli_bad(PROG, "%s: %s", a->cert, why);
	}
	dir = a->state_dir != NULL ? a->state_dir : g->cfg->state_dir;
	r = store_open(dir, &g->store, &err);
	if (r < 0) {
		cli_bad(PROG, "cannot tell how long records have been served: %s",
			err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
	}
	return r;
}

/* What every authoritative server that was asked about host's TLSA says of record. */
static int servers_of(struct gate_run *g, const struct mx_host *mx, const char *record,
		      struct dane_gate_server **ret, char ***ret_labels, size_t *ret_n)
{
	const struct snapshot *snap = g->snap;
	struct dane_gate_server *v = calloc(snap->n_ns_views + 1, sizeof(*v));
	char **labels = calloc(snap->n_ns_views + 2, sizeof(*labels));
	size_t i, k, j, n = 0;

	if (v == NULL || labels == NULL)
		goto nomem;
	for (i = 0; i < snap->n_ns_views; i++) {
		const struct ns_view *nv = &snap->ns_views[i];

		for (k = 0; k < nv->n_answers; k++) {
			const struct ns_answer *a = &nv->answers[k];
			struct dane_gate_server *s = &v[n];

			if (a->qtype != ns_t_tlsa || a->qname == NULL ||
			    strcmp(a->qname, mx->tlsa.qname) != 0)
				continue;
			labels[n] = mxs_strdupf("%s [%s]", nv->name, nv->address);
			if (labels[n] == NULL)
				goto nomem;
			s->label = labels[n];
			s->answered = a->status == DNS_OK || a->status == DNS_NODATA ||
				      a->status == DNS_NXDOMAIN;
			for (j = 0; a->status == DNS_OK && j < a->n_rrs; j++)
				if (strcmp(a->rrs[j], record) == 0)
					s->serves = true;
			if (s->serves &&
			    store_tlsa_since(g->store, snap->domain, mx->name, nv->address, record,
					     &s->since, &s->ttl, NULL) < 0)
				s->serves = false;
			n++;
			break;
		}
	}
	/* No server of the host's zone was asked (another zone): the resolver stands in. */
	if (n == 0) {
		v[0] = (struct dane_gate_server){ .label = "the resolver",
						  .answered = true,
						  .serves = true };
		if (store_tlsa_since(g->store, snap->domain, mx->name, OBSERVE_RESOLVER, record,
				     &v[0].since, &v[0].ttl, NULL) < 0)
			v[0].serves = false;
		n = 1;
	}
	*ret = v;
	*ret_labels = labels;
	*ret_n = n;
	return 0;
nomem:
	for (i = 0; labels != NULL && labels[i] != NULL; i++)
		free(labels[i]);
	free(labels);
	free(v);
	return -ENOMEM;
}

static int judge(struct gate_run *g, time_t now)
{
	size_t i, k, n;
	int r;

	r = dane_gate_match(g->snap, (const struct certinfo *const *)g->certs, (size_t)g->n_certs,
			    now, &g->res);
	for (i = 0; r == 0 && i < g->res.n_hosts; i++) {
		struct dane_gate_host *h = &g->res.hosts[i];
		struct dane_gate_server *servers = NULL;
		char **labels = NULL;

		if (h->verdict != DANE_GATE_YES)
			continue;
		r = servers_of(g, &g->snap->mx[i], h->record_text, &servers, &labels, &n);
		if (r == 0)
			r = dane_gate_visibility(h, servers, n, now);
		for (k = 0; labels != NULL && labels[k] != NULL; k++)
			free(labels[k]);
		free(labels);
		free(servers);
	}
	if (r == 0)
		dane_gate_combine(&g->res);
	return r;
}

/* The records that would make the new certificate match, one per MX host that said no. */
static void print_records(const struct gate_run *g)
{
	struct tlsa_rr rr = { 0 };
	char *text = NULL;
	size_t i;

	if (tlsa_recommend(g->certs[0], &rr) < 0 || tlsa_format(&rr, &text) < 0) {
		tlsa_clear(&rr);
		return;
	}
	printf("\nPublish, beside the records in place (keep those until the new certificate "
	       "is live):\n");
	for (i = 0; i < g->res.n_hosts; i++)
		if (g->res.hosts[i].verdict == DANE_GATE_NO)
			printf("_25._tcp.%s. IN TLSA %s\n", g->res.hosts[i].host, text);
	printf("in a DNSSEC-signed zone, then run dane-check again: it says yes once every "
	       "server has served them for twice their TTL.\n");
	free(text);
	tlsa_clear(&rr);
}

static void print_result(const struct gate_run *g)
{
	time_t ready = 0;
	char when[32];
	struct tm tm;
	size_t i;

	for (i = 0; i < g->res.n_hosts; i++) {
		const struct dane_gate_host *h = &g->res.hosts[i];

		printf("%s: %s: %s\n", h->host, dane_gate_name(h->verdict), h->why);
		if (h->verdict == DANE_GATE_WAIT && h->ready_at > ready)
			ready = h->ready_at;
	}
	if (g->res.n_hosts == 0)
		printf("%s: no MX host to judge (%s)\n", g->domain,
		       g->snap->null_mx ? "null MX: the domain accepts no mail"
					: dns_status_name(g->snap->mx_status));
	printf("%s: %s", g->domain, dane_gate_name(g->res.verdict));
	if (g->res.verdict == DANE_GATE_WAIT && ready > 0 && gmtime_r(&ready, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
		printf(": deploy the new certificate after %s", when);
	printf("\n");
	if (g->res.verdict == DANE_GATE_NO)
		print_records(g);
}

static int run(const struct gate_args *a, struct gate_run *g)
{
	const struct config *cfg = g->cfg;
	struct gather_opts opts = {
		.resolver = a->resolver != NULL ? a->resolver : cfg->resolver,
		.ca_bundle = cfg->ca_bundle,
		.ehlo_name = cfg->ehlo_name,
		.source_ipv4 = cfg->source_ipv4,
		.source_ipv6 = cfg->source_ipv6,
		.timeouts = cfg->timeouts,
		.max_sessions = cfg->max_sessions,
		.smtp_port = 25,
		.dnssec_probe_name = a->dnssec_probe != NULL ? a->dnssec_probe : cfg->dnssec_probe,
	};
	struct gather_domain dom = { .name = g->domain,
				     .warning_secs = cfg->cert.warning,
				     .critical_secs = cfg->cert.critical,
				     .needs = OBS_MX | OBS_TLSA | OBS_NS_VIEWS };
	struct snapshot **snaps = NULL;
	struct mxs_error err = { 0 };
	int r;

	r = gather_run(&opts, &dom, 1, &snaps, &err);
	if (r < 0) {
		cli_bad(PROG, "cannot look: %s", err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		return DANE_GATE_UNKNOWN;
	}
	g->snap = snaps[0];
	free(snaps);
	/* Record first: this run's sightings count, and a later run sees them. */
	if (observe_record(g->store, g->snap, &err) < 0) {
		cli_bad(PROG, "cannot record what the servers serve: %s",
			err.what != NULL ? err.what : "error");
		mxs_error_clear(&err);
		return DANE_GATE_UNKNOWN;
	}
	r = judge(g, g->snap->taken_at);
	if (r < 0) {
		cli_bad(PROG, "%s", strerror(-r));
		return DANE_GATE_UNKNOWN;
	}
	print_result(g);
	return (int)g->res.verdict;
}

int cmd_dane_check(int argc, char **argv)
{
	struct gate_run g = { 0 };
	struct gate_args a;
	int r, status = DANE_GATE_UNKNOWN;

	r = parse_args(argc, argv, &a);
	if (r != 0)
		return r > 0 ? 0 : DANE_GATE_UNKNOWN;
	if (prepare(&a, &g) == 0)
		status = run(&a, &g);
	dane_gate_result_clear(&g.res);
	snapshot_free(g.snap);
	while (g.n_certs > 0)
		certinfo_free(g.certs[--g.n_certs]);
	free(g.domain);
	store_close(g.store);
	config_free(g.cfg);
	return status;
}

/*
 * cmd_check.c - "mxsentry check"; see cmd_check.h and mxsentry(1).
 *
 * Flow: options -> configuration (file or defaults) -> the domain list with each domain's merged
 * settings -> gather_run() -> evaluate_domain() per snapshot -> one of the three renderers.
 */
#include "agent/cmd_check.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli_config.h"
#include "agent/config.h"
#include "agent/evaluate.h"
#include "agent/gather.h"
#include "agent/observe.h"
#include "agent/report.h"
#include "checks/registry.h"
#include "lib/dname.h"
#include "lib/duration.h"

/* Nagios: anything that keeps the plugin from checking is UNKNOWN. */
#define EXIT_UNKNOWN 3

enum format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_NAGIOS,
};

/* Command-line settings; NULL / 0 / negative means "not given". */
struct check_args {
	const char *config;
	enum format format;
	long long warning_ms, critical_ms; /* -1: not given */
	long long timeout_ms, session_ms;  /* -1: not given */
	const char *resolver, *ca_bundle, *ehlo, *source4, *source6;
	const char *state_dir;    /* --state-dir: history for this run */
	const char *dnssec_probe; /* --dnssec-probe: NULL = gather's default, "." */
	unsigned sessions;
	char **domains; /* borrowed from argv */
	int n_domains;
};

/* One domain of the run with its merged settings. */
struct check_item {
	char *name;
	unsigned checks;
	unsigned interval; /* seconds, the cycle the report failures are judged with */
	struct check_settings settings;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: mxsentry check [OPTIONS] [DOMAIN...]\n"
	    "\n"
	    "Probe every MX of each DOMAIN (STARTTLS, TLS version, certificate chain, name and\n"
	    "expiry) and report. Without DOMAIN, check the domains of the configuration file.\n"
	    "\n"
	    "  -f, --config FILE        settings and domains from FILE (mxsentry.conf(5))\n"
	    "      --json               JSON report (docs/json-output.md)\n"
	    "      --nagios             Nagios plugin output: status line and perfdata\n"
	    "  -w, --warning DURATION   certificate warning threshold (bare number: days)\n"
	    "  -c, --critical DURATION  certificate critical threshold (bare number: days)\n"
	    "  -r, --resolver ADDR      DNS resolver (\"127.0.0.1\", \"[::1]:53\")\n"
	    "      --ca-bundle FILE     trusted roots (PEM)\n"
	    "      --ehlo NAME          name to send in EHLO\n"
	    "  -t, --timeout DURATION   deadline of each step: connect, greeting, reply, TLS\n"
	    "      --session-timeout DURATION  deadline of one whole SMTP session\n"
	    "      --source-ipv4 ADDR, --source-ipv6 ADDR  source addresses\n"
	    "      --sessions N         SMTP sessions in flight (1-4096)\n"
	    "      --state-dir DIR      keep the history (MTA-STS policies, MX keys) in DIR\n"
	    "                           (with -f: the file's state_dir; without either: none)\n"
	    "      --dnssec-probe NAME  a signed name whose SOA must come back with the AD bit\n"
	    "                           before DANE is judged (default \".\", the root zone)\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Flags override the file. Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	    "(also for bad arguments).\n");
}

static int parse_duration(const char *opt, const char *arg, long unit, long long *out)
{
	struct mxs_error err = { 0 };

	if (duration_parse(arg, strlen(arg), unit, out, &err) < 0) {
		fprintf(stderr, "mxsentry check: %s \"%s\": %s\n", opt, arg, err.what);
		mxs_error_clear(&err);
		return -EINVAL;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct check_args *a)
{
	enum {
		OPT_JSON = 256,
		OPT_NAGIOS,
		OPT_CA,
		OPT_EHLO,
		OPT_SESSION,
		OPT_SRC4,
		OPT_SRC6,
		OPT_SESSIONS,
		OPT_STATE,
		OPT_DNSSEC_PROBE,
	};
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "nagios", no_argument, NULL, OPT_NAGIOS },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'c' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "ca-bundle", required_argument, NULL, OPT_CA },
		{ "ehlo", required_argument, NULL, OPT_EHLO },
		{ "timeout", required_argument, NULL, 't' },
		{ "session-timeout", required_argument, NULL, OPT_SESSION },
		{ "source-ipv4", required_argument, NULL, OPT_SRC4 },
		{ "source-ipv6", required_argument, NULL, OPT_SRC6 },
		{ "sessions", required_argument, NULL, OPT_SESSIONS },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "dnssec-probe", required_argument, NULL, OPT_DNSSEC_PROBE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long n;
	int c;

	*a = (struct check_args){
		.warning_ms = -1, .critical_ms = -1, .timeout_ms = -1, .session_ms = -1
	};
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:w:c:r:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->config = optarg;
			break;
		case OPT_JSON:
			a->format = FORMAT_JSON;
			break;
		case OPT_NAGIOS:
			a->format = FORMAT_NAGIOS;
			break;
		case 'w':
			if (parse_duration("--warning", optarg, 86400, &a->warning_ms) < 0)
				return -EINVAL;
			break;
		case 'c':
			if (parse_duration("--critical", optarg, 86400, &a->critical_ms) < 0)
				return -EINVAL;
			break;
		case 'r':
			if (cli_check_resolver("mxsentry check", optarg) < 0)
				return -EINVAL;
			a->resolver = optarg;
			break;
		case OPT_CA:
			a->ca_bundle = optarg;
			break;
		case OPT_EHLO:
			a->ehlo = optarg;
			break;
		case 't':
			if (parse_duration("--timeout", optarg, 1, &a->timeout_ms) < 0)
				return -EINVAL;
			break;
		case OPT_SESSION:
			if (parse_duration("--session-timeout", optarg, 1, &a->session_ms) < 0)
				return -EINVAL;
			break;
		case OPT_SRC4:
			a->source4 = optarg;
			break;
		case OPT_SRC6:
			a->source6 = optarg;
			break;
		case OPT_STATE:
			a->state_dir = optarg;
			break;
		case OPT_DNSSEC_PROBE:
			if (cli_check_dnssec_probe("mxsentry check", optarg) < 0)
				return -EINVAL;
			a->dnssec_probe = optarg;
			break;
		case OPT_SESSIONS:
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || n < 1 || n > 4096)
				return cli_bad("mxsentry check",
					       "--sessions \"%s\" is not a number from 1 to 4096",
					       optarg);
			a->sessions = (unsigned)n;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -EINVAL;
		}
	}
	a->domains = argv + optind;
	a->n_domains = argc - optind;
	if (a->n_domains == 0 && a->config == NULL)
		return cli_bad("mxsentry check", "%s",
			       "name at least one DOMAIN, or a configuration with -f FILE");
	return 0;
}

/* Flags override the file (or the defaults) for every domain. */
static int apply_overrides(const struct check_args *a, struct config *cfg)
{
	struct timeouts *t = &cfg->timeouts;

	if (a->timeout_ms >= 0) {
		if (a->timeout_ms < 100 || a->timeout_ms > 3600 * 1000LL)
			return cli_bad("mxsentry check", "%s is out of range (100ms to 1h)",
				       "--timeout");
		t->connect = t->greeting = t->command = t->tls = t->dns = (unsigned)a->timeout_ms;
		if (t->session < t->greeting)
			t->session = t->greeting;
	}
	if (a->session_ms >= 0) {
		if (a->session_ms < 100 || a->session_ms > 3600 * 1000LL)
			return cli_bad("mxsentry check", "%s is out of range (100ms to 1h)",
				       "--session-timeout");
		t->session = (unsigned)a->session_ms;
	}
	if (a->sessions > 0)
		cfg->max_sessions = a->sessions;
	return 0;
}

/* The thresholds of one domain: its own or the global ones, then the flags. */
static int thresholds(const struct check_args *a, const struct cert_thresholds *base,
		      struct check_settings *s)
{
	s->cert_warning = a->warning_ms >= 0 ? (long)(a->warning_ms / 1000) : base->warning;
	s->cert_critical = a->critical_ms >= 0 ? (long)(a->critical_ms / 1000) : base->critical;
	if (s->cert_critical >= s->cert_warning) {
		fprintf(stderr,
			"mxsentry check: the critical threshold (%ld h) must be less than the "
			"warning threshold (%ld h)\n",
			s->cert_critical / 3600, s->cert_warning / 3600);
		return -EINVAL;
	}
	return 0;
}

static const struct domain_config *find_domain(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_domains; i++)
		if (strcmp(cfg->domains[i].name, name) == 0)
			return &cfg->domains[i];
	return NULL;
}

/* Build the run's domain list from the arguments or the file. */
static int make_items(const struct check_args *a, const struct config *cfg,
		      struct check_item **ret_items, size_t *ret_n)
{
	size_t n = a->n_domains > 0 ? (size_t)a->n_domains : cfg->n_domains, i;
	struct check_item *items = calloc(n ? n : 1, sizeof(*items));
	struct mxs_error err = { 0 };
	int r = 0;

	if (items == NULL)
		return -ENOMEM;
	for (i = 0; i < n && r == 0; i++) {
		const struct domain_config *d;
		char *name = NULL;

		if (a->n_domains > 0) {
			r = dname_normalize(a->domains[i], strlen(a->domains[i]), &name, &err);
			if (r < 0) {
				fprintf(stderr, "mxsentry check: \"%s\" is not a domain name: %s\n",
					a->domains[i], err.what != NULL ? err.what : strerror(-r));
				mxs_error_clear(&err);
				break;
			}
			d = find_domain(cfg, name);
		} else {
			d = &cfg->domains[i];
			name = strdup(d->name);
			if (name == NULL) {
				r = -ENOMEM;
				break;
			}
		}
		items[i].name = name;
		items[i].checks = d != NULL ? d->checks : cfg->checks;
		r = thresholds(a, d != NULL ? &d->cert : &cfg->cert, &items[i].settings);
		items[i].settings.dane_single_record =
		    d != NULL ? d->dane.single_record : cfg->dane.single_record;
		items[i].settings.dane_full_certificate =
		    d != NULL ? d->dane.full_certificate : cfg->dane.full_certificate;
		items[i].settings.rpt_alert_rate = cfg->reports.alert_rate;
		items[i].settings.rpt_alert_min_sessions = cfg->reports.min_sessions;
		items[i].settings.rpt_alert_types = (const char *const *)cfg->reports.alert_types;
		items[i].interval = d != NULL ? d->interval : cfg->interval;
	}
	if (r < 0) {
		for (i = 0; i < n; i++)
			free(items[i].name);
		free(items);
		return r;
	}
	*ret_items = items;
	*ret_n = n;
	return 0;
}

static int load_config(const struct check_args *a, struct config **ret_cfg)
{
	if (a->config != NULL)
		return cli_config_load(a->config, stderr, ret_cfg);
	return config_new_default(ret_cfg);
}

/*
 * The store holding the MTA-STS history: --state-dir, else the configuration file's state_dir;
 * a run from flags alone keeps no state. When there is none, *ret_why says so for the note.
 * A store that cannot be opened is not fatal: the history findings are lost, not the check.
 */
static int open_store(const struct check_args *a, const struct config *cfg,
		      struct store **ret_store, char **ret_why)
{
	const char *dir = a->state_dir != NULL ? a->state_dir
			  : a->config != NULL  ? cfg->state_dir
					       : NULL;
	struct mxs_error err = { 0 };
	int r;

	*ret_store = NULL;
	if (dir == NULL) {
		*ret_why = strdup("no state directory (give --state-dir DIR, or -f FILE)");
		return *ret_why != NULL ? 0 : -ENOMEM;
	}
	r = store_open(dir, ret_store, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		*ret_why = mxs_strdupf("the store in %s cannot be opened: %s", dir,
				       err.what != NULL ? err.what : strerror(-r));
		mxs_error_clear(&err);
		return *ret_why != NULL ? 0 : -ENOMEM;
	}
	return 0;
}

/*
 * Evaluate one domain with its history, then record what this cycle saw. Says once on stderr
 * (unless quiet) when the MTA-STS history was not available, since some findings need it
 * (STS-TXT-09).
 */
static int evaluate_with_history(struct store *store, const char *no_store, bool quiet,
				 const struct snapshot *snap, const struct check_item *item,
				 long report_window, struct findings *out)
{
	static bool noted;
	struct history hist = { 0 };
	struct mxs_error err = { 0 };
	int r;

	r = observe_history(store, snap->domain, no_store, &hist);
	if (r == 0)
		r = observe_reports(store, snap->domain, item->interval, report_window,
				    snap->taken_at, &hist);
	if (r < 0) {
		history_clear(&hist);
		return r;
	}
	if (!hist.available && !noted && !quiet &&
	    (item->checks & (1u << check_index("mta_sts")))) {
		fprintf(stderr,
			"mxsentry check: note: MTA-STS history not available (%s): a policy "
			"changed without a new id is not detected\n",
			hist.unavailable_reason);
		noted = true;
	}
	r = evaluate_domain(snap, item->checks, &item->settings, &hist, out);
	history_clear(&hist);
	if (r == 0 && observe_record(store, snap, &err) < 0) {
		fprintf(stderr, "mxsentry check: %s: cannot record what it observed: %s\n",
			snap->domain, err.what != NULL ? err.what : "error");
		mxs_error_clear(&err);
	}
	return r;
}

/* Gather, evaluate and render; returns the exit status. */
static int run(const struct check_args *a, const struct config *cfg, struct check_item *items,
	       size_t n)
{
	struct gather_opts opts = {
		.resolver = a->resolver != NULL ? a->resolver : cfg->resolver,
		.ca_bundle = a->ca_bundle != NULL ? a->ca_bundle : cfg->ca_bundle,
		.ehlo_name = a->ehlo != NULL ? a->ehlo : cfg->ehlo_name,
		.source_ipv4 = a->source4 != NULL ? a->source4 : cfg->source_ipv4,
		.source_ipv6 = a->source6 != NULL ? a->source6 : cfg->source_ipv6,
		.timeouts = cfg->timeouts,
		.max_sessions = cfg->max_sessions,
		.max_domains = cfg->max_domains,
		.smtp_port = 25,
		.dnssec_probe_name = a->dnssec_probe != NULL ? a->dnssec_probe : cfg->dnssec_probe,
	};
	struct gather_domain *doms = calloc(n, sizeof(*doms));
	struct report_domain *rep = calloc(n, sizeof(*rep));
	struct findings *found = calloc(n, sizeof(*found));
	struct snapshot **snaps = NULL;
	struct mxs_error err = { 0 };
	struct store *store = NULL;
	char *no_store = NULL;
	int status = EXIT_UNKNOWN, r = -ENOMEM;
	size_t i;

	if (doms == NULL || rep == NULL || found == NULL)
		goto out;
	for (i = 0; i < n; i++)
		doms[i] = (struct gather_domain){ .name = items[i].name,
						  .warning_secs = items[i].settings.cert_warning,
						  .critical_secs = items[i].settings.cert_critical,
						  .needs = evaluate_needs(items[i].checks) };
	r = gather_run(&opts, doms, n, &snaps, &err);
	if (r < 0) {
		fprintf(stderr, "mxsentry check: cannot check: %s\n",
			err.what != NULL ? err.what : strerror(-r));
		goto out;
	}
	r = open_store(a, cfg, &store, &no_store);
	if (r < 0)
		goto out;
	for (i = 0; i < n; i++) {
		/* A Nagios plugin runs without state as a rule: no note on its stderr. */
		r = evaluate_with_history(store, no_store, a->format == FORMAT_NAGIOS, snaps[i],
					  &items[i], cfg->reports.window, &found[i]);
		if (r < 0)
			goto out;
		rep[i] = (struct report_domain){ .snap = snaps[i], .findings = &found[i] };
	}
	switch (a->format) {
	case FORMAT_JSON:
		r = report_json(stdout, rep, n);
		break;
	case FORMAT_NAGIOS:
		status = report_nagios(stdout, rep, n, items[0].settings.cert_warning,
				       items[0].settings.cert_critical);
		r = 0;
		goto out;
	default:
		report_text(stdout, rep, n);
		r = 0;
		break;
	}
	if (r == 0) {
		enum severity worst = SEVERITY_OK;

		for (i = 0; i < n; i++)
			if (severity_rank(findings_worst(&found[i])) > severity_rank(worst))
				worst = findings_worst(&found[i]);
		status = (int)worst;
	}
out:
	if (r < 0 && status == EXIT_UNKNOWN && err.what == NULL)
		fprintf(stderr, "mxsentry check: %s\n", strerror(-r));
	for (i = 0; snaps != NULL && i < n; i++)
		snapshot_free(snaps[i]);
	free(snaps);
	for (i = 0; found != NULL && i < n; i++)
		findings_clear(&found[i]);
	free(found);
	free(rep);
	free(doms);
	store_close(store);
	free(no_store);
	mxs_error_clear(&err);
	return status;
}

int cmd_check(int argc, char **argv)
{
	struct check_item *items = NULL;
	struct config *cfg = NULL;
	struct check_args a;
	size_t n = 0, i;
	int r, status = EXIT_UNKNOWN;

	r = parse_args(argc, argv, &a);
	if (r != 0)
		return r > 0 ? 0 : EXIT_UNKNOWN;
	if (load_config(&a, &cfg) < 0)
		return EXIT_UNKNOWN;
	if (apply_overrides(&a, cfg) < 0 || make_items(&a, cfg, &items, &n) < 0)
		goto out;
	if (n == 0) {
		fprintf(stderr, "mxsentry check: %s lists no domains\n", cfg->path);
		goto out;
	}
	status = run(&a, cfg, items, n);
out:
	for (i = 0; i < n; i++)
		free(items[i].name);
	free(items);
	config_free(cfg);
	return status;
}

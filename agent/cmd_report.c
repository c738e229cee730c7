/*
 * cmd_report.c - "mxsentry report" and its "summary" subcommand ("ingest" is
 * agent/cmd_report_ingest.c); see cmd_report.h and mxsentry(1).
 *
 * Flow of "summary": options -> the state directory -> the store (never created here) -> the
 * reports of both periods, summed up and judged against the probe history
 * (report_summary_load()) -> the domains to show -> text or JSON. Nothing is recorded; only
 * store_open() may bring the schema up to date, as it does for every program.
 *
 * Exit status 3 means "cannot tell", as for "mxsentry status": an analysis that could not be
 * made must not read as "no failures" (0) to a script.
 */
#include "agent/cmd_report.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cli_config.h"
#include "agent/config.h"
#include "agent/report_summary.h"
#include "agent/store.h"

#define EXIT_CANNOT_TELL 3

#define PROG "mxsentry report summary"

/* One subcommand of "report": argv[0] is its name; returns the exit status. */
struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help; /* its line in "mxsentry report --help" */
};

static int report_summary(int argc, char **argv);

static const struct subcommand subcommands[] = {
	{ "ingest", cmd_report_ingest,
	  "  ingest [FILE|-]          store a report: a mail as an MTA pipes it, a .json or\n"
	  "                           a .json.gz (exit status: sysexits)\n" },
	{ "summary", report_summary,
	  "  summary [DOMAIN...] [--days N] [--json]  reports per domain and sender,\n"
	  "                           each failure set against our own probes\n" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

struct summary_args {
	const char *config;
	const char *state_dir;
	bool json;
	unsigned days;
	char **domains; /* borrowed from argv */
	int n_domains;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: mxsentry report summary [OPTIONS] [DOMAIN...]\n"
	    "\n"
	    "Sum up the TLS-RPT reports the store holds for each DOMAIN (without DOMAIN, every\n"
	    "domain with reports, and with -f every domain of the configuration): per sending\n"
	    "organisation the sessions, success rate and its trend against the period before,\n"
	    "failed sessions by result type, MX host and IP; each failure is set against the\n"
	    "agent's own probes: confirmed by them, transient on our side, or not seen (likely\n"
	    "the sender's side). No probe is made.\n"
	    "\n"
	    "      --days N             the last N days (1-%d, default 7)\n"
	    "  -f, --config FILE        the state directory (and domains) of FILE, and the\n"
	    "                           check interval of each domain\n"
	    "      --state-dir DIR      the store in DIR (default: the file's state_dir,\n"
	    "                           else /var/lib/mxsentry)\n"
	    "      --json               JSON output (docs/json-output.md, \"Report summary\")\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: 0 no session failed, 1 failures none of which our probes confirm,\n"
	    "2 some confirmed by our probes, 3 cannot tell (bad arguments, no readable store).\n",
	    REPORT_SUMMARY_MAX_DAYS);
}

/* Returns 0, 1 after --help, or -EINVAL after a message. */
static int parse_args(int argc, char **argv, struct summary_args *a)
{
	enum { OPT_JSON = 256, OPT_STATE, OPT_DAYS };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "days", required_argument, NULL, OPT_DAYS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c;

	*a = (struct summary_args){ .days = 7 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->config = optarg;
			break;
		case OPT_STATE:
			if (*optarg == '\0')
				return cli_bad(PROG, "--state-dir is empty");
			a->state_dir = optarg;
			break;
		case OPT_DAYS:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || *optarg == '-' ||
			    v < 1 || v > REPORT_SUMMARY_MAX_DAYS)
				return cli_bad(PROG,
					       "--days \"%s\": expected a number of days, 1 to %d",
					       optarg, REPORT_SUMMARY_MAX_DAYS);
			a->days = (unsigned)v;
			break;
		case OPT_JSON:
			a->json = true;
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
	return 0;
}

/* The domains named on the command line, normalised, each once. */
static int named(const struct summary_args *a, char ***ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = cli_names_add_args(PROG, a->domains, a->n_domains, &names, &n);
	if (r < 0) {
		cli_names_free(names, n);
		return r;
	}
	*ret = names;
	*ret_n = n;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Without DOMAIN: every domain of the summary and, with -f, of the file, by name. */
static int every_name(const struct summary_args *a, const struct config *cfg,
		      const struct rpt_summary *sum, char ***ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, i;
	int r = 0;

	/* A no-policy-found report may name no domain (tls-rpt.md §6 item 5): nothing to show. */
	for (i = 0; r == 0 && i < sum->n_domains; i++)
		if (*sum->domains[i].name != '\0')
			r = cli_names_add(&names, &n, sum->domains[i].name);
	for (i = 0; r == 0 && a->config != NULL && i < cfg->n_domains; i++)
		r = cli_names_add(&names, &n, cfg->domains[i].name);
	if (r < 0) {
		cli_names_free(names, n);
		return r;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	*ret = names;
	*ret_n = n;
	return 0;
}

/* The store the agent keeps in dir (cli_store_open_existing()), or why not on stderr. */
static int open_existing(const char *dir, struct store **ret)
{
	struct mxs_error err = { 0 };
	int r = cli_store_open_existing(dir, ret, &err);

	if (r < 0)
		fprintf(stderr, "%s: %s\n", PROG, err.what != NULL ? err.what : strerror(-r));
	mxs_error_clear(&err);
	return r;
}

static int run_summary(const struct summary_args *a, const struct config *cfg)
{
	const char *dir = a->state_dir != NULL ? a->state_dir : cfg->state_dir;
	struct mxs_error err = { 0 };
	struct rpt_summary sum = { 0 };
	struct store *s = NULL;
	char **names = NULL;
	size_t n = 0;
	time_t now = time(NULL);
	int r, status = EXIT_CANNOT_TELL;

	if (named(a, &names, &n) < 0 || open_existing(dir, &s) < 0)
		goto out;
	r = report_summary_load(s, cfg, (const char *const *)names, n, now, a->days, &sum, &err);
	if (r < 0) {
		fprintf(stderr, PROG ": %s: %s\n", err.where != NULL ? err.where : "store",
			err.what != NULL ? err.what : strerror(-r));
		goto out;
	}
	if (a->n_domains == 0 && every_name(a, cfg, &sum, &names, &n) < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	status = a->json ? report_summary_json(stdout, &sum, (const char *const *)names, n, now)
			 : report_summary_text(stdout, &sum, (const char *const *)names, n);
	if (status < 0) {
		fprintf(stderr, PROG ": cannot write the summary: %s\n", strerror(-status));
		status = EXIT_CANNOT_TELL;
	}
out:
	mxs_error_clear(&err);
	cli_names_free(names, n);
	rpt_summary_clear(&sum);
	store_close(s);
	return status;
}

static int report_summary(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct summary_args a;
	int r, status;

	r = parse_args(argc, argv, &a);
	if (r != 0)
		return r > 0 ? 0 : EXIT_CANNOT_TELL;
	/* The file's errors are printed by cli_config_load(); the defaults give the state dir. */
	r = a.config != NULL ? cli_config_load(a.config, stderr, &cfg) : config_new_default(&cfg);
	if (r < 0) {
		if (a.config == NULL)
			fprintf(stderr, PROG ": %s\n", strerror(-r));
		return EXIT_CANNOT_TELL;
	}
	status = run_summary(&a, cfg);
	config_free(cfg);
	fflush(stdout);
	return status;
}

static void report_usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: mxsentry report SUBCOMMAND [OPTIONS] (see mxsentry report "
		     "SUBCOMMAND --help)\n\nSubcommands:\n");
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fputs(subcommands[i].help, out);
}

int cmd_report(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		report_usage(stderr);
		return EXIT_CANNOT_TELL;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		report_usage(stdout);
		return 0;
	}
	for (i = 0; i < N_SUBCOMMANDS; i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mxsentry report: unknown subcommand \"%s\" (see mxsentry report --help)\n",
		argv[1]);
	return EXIT_CANNOT_TELL;
}

/*
 * cmd_status.c - "mxsentry status"; see cmd_status.h and mxsentry(1).
 *
 * Flow: options -> the state directory -> the store (never created here) -> every open problem
 * and every last cycle -> the domains to show, worst first -> text or JSON. The two reads are
 * separate statements: when the daemon commits a cycle between them, the problems shown may be
 * one cycle apart from the cycle line, which the next run corrects. Nothing is recorded; only
 * store_open() may bring the schema up to date, as it does for every program.
 *
 * The problems come from the store's finding state (store_state.h), so what is shown is what
 * the daemon will alert on: OK findings are not listed, and each problem says since when it
 * has been open and, when its severity changed since, since when it has had the current one.
 */
#include "agent/cmd_status.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cli_config.h"
#include "agent/config.h"
#include "agent/status_render.h"
#include "agent/store.h"
#include "agent/store_state.h"

/* Nagios: anything that keeps the plugin from telling is UNKNOWN. */
#define EXIT_UNKNOWN 3

struct status_args {
	const char *config;
	const char *state_dir;
	bool json;
	char **domains; /* borrowed from argv */
	int n_domains;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: mxsentry status [OPTIONS] [DOMAIN...]\n"
	    "\n"
	    "Show what is wrong with each DOMAIN now and since when, as mxsentryd recorded it\n"
	    "in its store; no probe is made. Without DOMAIN, every domain of the store (and\n"
	    "with -f, every domain of the configuration).\n"
	    "\n"
	    "  -f, --config FILE        the state directory (and domains) of FILE\n"
	    "      --state-dir DIR      the store in DIR (default: the file's state_dir,\n"
	    "                           else /var/lib/mxsentry)\n"
	    "      --json               JSON output (docs/json-output.md, \"Status\")\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: the worst severity shown, 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also\n"
	    "for a domain without a recorded cycle, bad arguments, or a store that cannot be\n"
	    "opened).\n");
}

/* Returns 0, 1 after --help, or -EINVAL after a message. */
static int parse_args(int argc, char **argv, struct status_args *a)
{
	enum { OPT_JSON = 256, OPT_STATE };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct status_args){ 0 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->config = optarg;
			break;
		case OPT_STATE:
			if (*optarg == '\0')
				return cli_bad("mxsentry status", "--state-dir is empty");
			a->state_dir = optarg;
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

/*
 * The domains to show: those named (normalised), else every domain of the store and of the
 * configuration file, in name order (the store's lists are sorted).
 */
static int pick_names(const struct status_args *a, const struct config *cfg,
		      const struct status_data *d, char ***ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, i;
	int r;

	r = cli_names_add_args("mxsentry status", a->domains, a->n_domains, &names, &n);
	for (i = 0; r == 0 && a->n_domains == 0 && i < d->n_cycles; i++)
		r = cli_names_add(&names, &n, d->cycles[i].domain);
	for (i = 0; r == 0 && a->n_domains == 0 && i < d->n_rows; i++)
		r = cli_names_add(&names, &n, d->rows[i].domain);
	for (i = 0; r == 0 && a->n_domains == 0 && a->config != NULL && i < cfg->n_domains; i++)
		r = cli_names_add(&names, &n, cfg->domains[i].name);
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "mxsentry status: out of memory\n");
		cli_names_free(names, n);
		return r;
	}
	*ret = names;
	*ret_n = n;
	return 0;
}

/* Every open problem and every last cycle, in domain order. */
static int load_data(struct store *s, struct status_data *d)
{
	struct mxs_error err = { 0 };
	int r;

	r = store_cycles_load(s, NULL, &d->cycles, &d->n_cycles, &err);
	if (r == 0)
		r = store_state_load(s, NULL, &d->rows, &d->n_rows, &err);
	if (r < 0)
		fprintf(stderr, "mxsentry status: %s: %s\n",
			err.where != NULL ? err.where : "store",
			err.what != NULL ? err.what : strerror(-r));
	mxs_error_clear(&err);
	return r;
}

/* The store the agent keeps in dir (cli_store_open_existing()), or why not on stderr. */
static int open_existing(const char *dir, struct store **ret)
{
	struct mxs_error err = { 0 };
	int r = cli_store_open_existing(dir, ret, &err);

	if (r < 0)
		fprintf(stderr, "%s: %s\n", "mxsentry status",
			err.what != NULL ? err.what : strerror(-r));
	mxs_error_clear(&err);
	return r;
}

static int run(const struct status_args *a, const struct config *cfg)
{
	const char *dir = a->state_dir != NULL ? a->state_dir : cfg->state_dir;
	struct status_data d = { 0 };
	struct store *s = NULL;
	char **names = NULL;
	size_t n = 0;
	int status = EXIT_UNKNOWN;

	if (open_existing(dir, &s) < 0)
		return EXIT_UNKNOWN;
	if (load_data(s, &d) < 0 || pick_names(a, cfg, &d, &names, &n) < 0)
		goto out;
	status = a->json
		     ? status_render_json(stdout, &d, (const char *const *)names, n, time(NULL))
		     : status_render_text(stdout, &d, (const char *const *)names, n, time(NULL));
	if (status < 0) {
		fprintf(stderr, "mxsentry status: cannot write the report: %s\n",
			strerror(-status));
		status = EXIT_UNKNOWN;
	}
out:
	cli_names_free(names, n);
	d.rows = store_state_free(d.rows, d.n_rows);
	d.cycles = store_cycles_free(d.cycles, d.n_cycles);
	store_close(s);
	return status;
}

int cmd_status(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct status_args a;
	int r, status;

	r = parse_args(argc, argv, &a);
	if (r != 0)
		return r > 0 ? 0 : EXIT_UNKNOWN;
	/* The file's errors are printed by cli_config_load(); the defaults give the state dir. */
	r = a.config != NULL ? cli_config_load(a.config, stderr, &cfg) : config_new_default(&cfg);
	if (r < 0) {
		if (a.config == NULL)
			fprintf(stderr, "mxsentry status: %s\n", strerror(-r));
		return EXIT_UNKNOWN;
	}
	status = run(&a, cfg);
	config_free(cfg);
	fflush(stdout);
	return status;
}

/*
 * cmd_rollout.c - "mxsentry rollout DOMAIN"; see cmd_rollout.h and mxsentry(1).
 *
 * Flow: options -> the configuration (state directory, thresholds, interval) -> the store
 * (never created here) -> the domain's policy history, last cycle, reports of the observation
 * window and open problems -> lib/rollout.h's judgement -> text, JSON or Nagios. Nothing is
 * recorded; only store_open() may bring the schema up to date, as it does for every program.
 *
 * The reads are separate statements: when the daemon commits a cycle between them, the
 * problems may be one cycle apart from the policy history, which the next run corrects. Only
 * reports of the observation window are read (rollout_window_start()): the judge needs no
 * older ones, and a domain with years of reports stays cheap.
 */
#include "agent/cmd_rollout.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli_config.h"
#include "agent/config.h"
#include "agent/store_report.h"
#include "agent/store_state.h"
#include "lib/dname.h"

#define PROG "mxsentry rollout"

/* Nagios and our own exit status alike: the command could not tell. */
#define EXIT_UNKNOWN 3

/* The last cycle is out of date after two intervals of the domain, and never before a day. */
#define STALE_MIN 86400L

struct rollout_args {
	const char *config;
	const char *state_dir;
	enum rollout_format fmt;
	const char *domain; /* borrowed from argv */
};

/* What the store holds about the domain, in the store's own types. */
struct rollout_data {
	struct history hist;
	struct state_cycle *cycles;
	size_t n_cycles;
	struct report_policy_row *pols;
	size_t n_pols;
	struct report_failure_row *fails;
	size_t n_fails;
	struct state_row *rows;
	size_t n_rows;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: mxsentry rollout DOMAIN [OPTIONS]\n"
	    "\n"
	    "Where DOMAIN stands on the road from no MTA-STS policy, through mode testing,\n"
	    "to mode enforce, judged from what mxsentryd recorded in its store (policy\n"
	    "history, TLS-RPT reports, open problems); no probe is made. When READY, prints\n"
	    "the enforce policy and the TXT record to publish; under enforce, the rollback\n"
	    "when failures rise.\n"
	    "\n"
	    "  -f, --config FILE        the state directory and thresholds (\"rollout\") of FILE\n"
	    "      --state-dir DIR      the store in DIR (default: the file's state_dir,\n"
	    "                           else /var/lib/mxsentry)\n"
	    "      --json               JSON output (docs/json-output.md, \"Rollout\")\n"
	    "      --nagios             one Nagios status line with performance data\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Exit status: 0 READY (or enforce holds), 1 NOT ENOUGH DATA, 2 NOT READY or\n"
	    "ROLLBACK, 3 cannot tell. With --nagios: 0 READY, holding or waiting for data,\n"
	    "1 NOT READY, 2 ROLLBACK, 3 UNKNOWN.\n");
}

/* A failure before any judgement: on stderr, and as the status line of a Nagios plugin. */
__attribute__((format(printf, 2, 3))) static void fail(const struct rollout_args *a,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", PROG);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (a->fmt != ROLLOUT_FORMAT_NAGIOS)
		return;
	va_start(ap, fmt);
	printf("ROLLOUT UNKNOWN - ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

/* Returns 0, 1 after --help, or -EINVAL after a message. */
static int parse_args(int argc, char **argv, struct rollout_args *a)
{
	enum { OPT_JSON = 256, OPT_NAGIOS, OPT_STATE };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "nagios", no_argument, NULL, OPT_NAGIOS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, nagios = false;
	int c;

	*a = (struct rollout_args){ 0 };
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
		case OPT_JSON:
			json = true;
			break;
		case OPT_NAGIOS:
			nagios = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (json && nagios)
		return cli_bad(PROG, "--json and --nagios exclude each other");
	a->fmt = json ? ROLLOUT_FORMAT_JSON : nagios ? ROLLOUT_FORMAT_NAGIOS : ROLLOUT_FORMAT_TEXT;
	if (optind != argc - 1)
		return cli_bad(PROG, "expected one DOMAIN (see --help)");
	a->domain = argv[optind];
	return 0;
}

static void data_clear(struct rollout_data *d)
{
	history_clear(&d->hist);
	d->cycles = store_cycles_free(d->cycles, d->n_cycles);
	d->pols = report_policy_rows_free(d->pols, d->n_pols);
	d->fails = report_failure_rows_free(d->fails, d->n_fails);
	d->rows = store_state_free(d->rows, d->n_rows);
}

static int load(struct store *s, const char *domain, time_t from, time_t now,
		struct rollout_data *d, struct mxs_error *reterr)
{
	int q;

	q = store_history_load(s, domain, &d->hist, reterr);
	if (q == 0)
		q = store_cycles_load(s, domain, &d->cycles, &d->n_cycles, reterr);
	if (q == 0)
		q = store_report_policies(s, domain, from, now, &d->pols, &d->n_pols, reterr);
	if (q == 0)
		q = store_report_failures(s, domain, from, now, &d->fails, &d->n_fails, reterr);
	if (q == 0)
		q = store_state_load(s, domain, &d->rows, &d->n_rows, reterr);
	return q;
}

/* The judge's view of the rows: borrowed strings, new arrays (freed by the caller). */
static int view(const struct rollout_data *d, struct rollout_input *in)
{
	struct rollout_report *reps = calloc(d->n_pols + 1, sizeof(*reps));
	struct rollout_failure *fails = calloc(d->n_fails + 1, sizeof(*fails));
	struct rollout_problem *probs = calloc(d->n_rows + 1, sizeof(*probs));
	size_t i;

	in->reports = reps;
	in->failures = fails;
	in->problems = probs;
	if (reps == NULL || fails == NULL || probs == NULL)
		return -ENOMEM;
	for (i = 0; i < d->n_pols; i++) {
		const struct report_policy_row *p = &d->pols[i];

		reps[i] = (struct rollout_report){ .organization = p->organization,
						   .policy_type = p->policy_type,
						   .mode = p->mode,
						   .start = p->start,
						   .end = p->end,
						   .successful = p->successful,
						   .failed = p->failed };
	}
	for (i = 0; i < d->n_fails; i++) {
		const struct report_failure_row *f = &d->fails[i];

		fails[i] = (struct rollout_failure){ .policy_type = f->policy_type,
						     .mode = f->mode,
						     .start = f->start,
						     .end = f->end,
						     .result_type = f->result_type,
						     .sessions = f->count };
	}
	for (i = 0; i < d->n_rows; i++) {
		const struct state_row *p = &d->rows[i];

		probs[i] = (struct rollout_problem){ .check = p->check,
						     .code = p->code,
						     .severity = p->severity,
						     .mx = p->mx,
						     .message = p->message,
						     .req = p->req };
	}
	in->n_reports = d->n_pols;
	in->n_failures = d->n_fails;
	in->n_problems = d->n_rows;
	in->policies = d->hist.policies;
	in->n_policies = d->hist.n_policies;
	in->last_cycle = d->n_cycles > 0 ? d->cycles[0].cycle_at : 0;
	return 0;
}

int cmd_rollout_report(struct store *s, const char *domain, const struct rollout_thresholds *th,
		       time_t stale_after, enum rollout_format fmt, FILE *out, time_t now,
		       struct mxs_error *reterr)
{
	struct rollout_input in = {
		.domain = domain, .th = *th, .stale_after = stale_after, .now = now
	};
	struct rollout_result res = { 0 };
	struct rollout_data d = { 0 };
	int q;

	q = load(s, domain, rollout_window_start(th, now), now, &d, reterr);
	if (q == 0)
		q = view(&d, &in);
	if (q == 0)
		q = rollout_judge(&in, &res);
	if (q == 0)
		q = rollout_render(out, &in, &res, fmt);
	rollout_result_clear(&res);
	free((void *)in.reports);
	free((void *)in.failures);
	free((void *)in.problems);
	data_clear(&d);
	return q;
}

/* The domain's settings in the file, or the file's global ones. */
static void settings(const struct config *cfg, const char *domain,
		     const struct rollout_thresholds **ret_th, time_t *ret_stale)
{
	unsigned interval = cfg->interval;
	size_t i;

	*ret_th = &cfg->rollout;
	for (i = 0; i < cfg->n_domains; i++) {
		if (cfg->domains[i].name != NULL && strcmp(cfg->domains[i].name, domain) == 0) {
			*ret_th = &cfg->domains[i].rollout;
			interval = cfg->domains[i].interval;
			break;
		}
	}
	*ret_stale = 2 * (time_t)interval > STALE_MIN ? 2 * (time_t)interval : STALE_MIN;
}

static int run(const struct rollout_args *a, const struct config *cfg)
{
	const char *dir = a->state_dir != NULL ? a->state_dir : cfg->state_dir;
	const struct rollout_thresholds *th;
	struct mxs_error err = { 0 };
	struct store *s = NULL;
	char *domain = NULL;
	time_t stale;
	int q;

	q = dname_normalize(a->domain, strlen(a->domain), &domain, &err);
	if (q < 0) {
		fail(a, "\"%s\" is not a domain name: %s", a->domain,
		     err.what != NULL ? err.what : strerror(-q));
		mxs_error_clear(&err);
		return EXIT_UNKNOWN;
	}
	if (cli_store_open_existing(dir, &s, &err) < 0) {
		fail(a, "%s", err.what != NULL ? err.what : "cannot open the store");
		mxs_error_clear(&err);
		free(domain);
		return EXIT_UNKNOWN;
	}
	settings(cfg, domain, &th, &stale);
	q = cmd_rollout_report(s, domain, th, stale, a->fmt, stdout, time(NULL), &err);
	if (q < 0) {
		fail(a, "%s: %s", err.where != NULL ? err.where : domain,
		     err.what != NULL ? err.what : strerror(-q));
		q = EXIT_UNKNOWN;
	}
	mxs_error_clear(&err);
	store_close(s);
	free(domain);
	return q;
}

int cmd_rollout(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct rollout_args a;
	int q, status;

	q = parse_args(argc, argv, &a);
	if (q != 0)
		return q > 0 ? 0 : EXIT_UNKNOWN;
	/* The file's errors are printed by cli_config_load(); the defaults give the rest. */
	q = a.config != NULL ? cli_config_load(a.config, stderr, &cfg) : config_new_default(&cfg);
	if (q < 0) {
		if (a.config == NULL)
			fail(&a, "%s", strerror(-q));
		else if (a.fmt == ROLLOUT_FORMAT_NAGIOS)
			printf("ROLLOUT UNKNOWN - %s: cannot load the configuration\n", a.config);
		return EXIT_UNKNOWN;
	}
	status = run(&a, cfg);
	config_free(cfg);
	fflush(stdout);
	return status;
}

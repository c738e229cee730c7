/*
 * mxsentry.c - the command: one-shot checks and tools around the agent.
 *
 * Commands: "check" (agent/cmd_check.c), "status" (agent/cmd_status.c), "report"
 * (agent/cmd_report.c), "config check", "tlsa" (agent/cmd_tlsa.c) and "dane-check"
 * (agent/cmd_dane_check.c). Exit codes of "check" and "status" follow the Nagios plugin
 * conventions (0-3), those of "dane-check" are its own (0 yes, 1 wait, 2 no, 3 unknown), those
 * of "report summary" too (0 no failure, 1 failures, 2 some confirmed by our probes, 3 cannot
 * tell); the others: 0 success, 1 the input was rejected (e.g. configuration errors), 2 usage
 * error. "rollout" (agent/cmd_rollout.c) has its own too: 0 ready (or enforce holds), 1 not
 * enough data, 2 not ready or roll back, 3 cannot tell.
 */
#include "autoconf.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agent/cli_config.h"
#include "agent/cmd_check.h"
#include "agent/cmd_report.h"
#include "agent/cmd_rollout.h"
#include "agent/cmd_status.h"
#include "agent/cmd_dane_check.h"
#include "agent/cmd_tlsa.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: mxsentry [--help] [--version] COMMAND [ARGS]\n"
	    "\n"
	    "Watch the inbound mail transport security of your domains: MX STARTTLS and\n"
	    "certificates, MTA-STS, DANE and TLS-RPT.\n"
	    "\n"
	    "Commands:\n"
	    "  check [OPTIONS] [DOMAIN...]  probe the MX hosts of each domain and report;\n"
	    "                           text, --json or --nagios (see mxsentry check --help)\n"
	    "  status [OPTIONS] [DOMAIN...]  what mxsentryd found wrong, since when\n"
	    "  rollout DOMAIN [OPTIONS]  ready for MTA-STS enforce? prints the change; exit\n"
	    "                           0 ready, 1 not enough data, 2 not ready or roll back\n"
	    "  report summary [OPTIONS] [DOMAIN...]  TLS-RPT reports received, per sender,\n"
	    "                           each failure set against our own probes\n"
	    "  config check [-v] FILE   load FILE, report every error as FILE:LINE: message;\n"
	    "                           -v also lists the effective settings of each domain\n"
	    "  tlsa FILE.pem [--mx HOST]...  print the TLSA records (3 1 1, or 2 0 1 for a\n"
	    "                           CA) to publish for a certificate or chain\n"
	    "  dane-check DOMAIN --cert NEW.pem  may NEW.pem go live under DANE? exit 0 yes,\n"
	    "                           1 wait, 2 no (prints the records to publish), 3 unknown\n"
	    "\n"
	    "Exit status: check, status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; report\n"
	    "summary: 0 no failure, 1 failures, 2 some confirmed by our probes, 3 cannot\n"
	    "tell; others: 0 success, 1 input rejected, 2 usage error.\n"
	    "See mxsentry(1) and mxsentry.conf(5).\n");
}

static int cmd_config_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config *cfg = NULL;
	bool verbose = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose = true;
			break;
		case 'h':
			printf("Usage: mxsentry config check [-v|--verbose] FILE\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mxsentry config check: expected one FILE (see --help)\n");
		return 2;
	}
	if (cli_config_load(argv[optind], stderr, &cfg) < 0)
		return 1;
	cli_config_summary(cfg, verbose, stdout);
	config_free(cfg);
	return 0;
}

static int cmd_config(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "mxsentry config: expected a subcommand: check\n");
		return 2;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_config_check(argc - 1, argv + 1);
	fprintf(stderr, "mxsentry config: unknown subcommand \"%s\" (known: check)\n", argv[1]);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mxsentry %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "rollout") == 0)
		return cmd_rollout(argc - 1, argv + 1);
	if (strcmp(argv[1], "tlsa") == 0)
		return cmd_tlsa(argc - 1, argv + 1);
	if (strcmp(argv[1], "dane-check") == 0)
		return cmd_dane_check(argc - 1, argv + 1);
	fprintf(stderr, "mxsentry: unknown command \"%s\" (see mxsentry --help)\n", argv[1]);
	return 2;
}

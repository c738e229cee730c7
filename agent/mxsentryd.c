/*
 * mxsentryd.c - the agent.
 *
 * This version loads and validates its configuration (--test); the scheduler, store and HTTP
 * endpoint that make it a long-running service arrive with the agent issue, and until then it
 * refuses to start rather than pretend to watch anything.
 * Exit codes: 0 success, 1 configuration rejected or cannot run, 2 usage error.
 */
#include "autoconf.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "agent/cli_config.h"

#define DEFAULT_CONFIG "/etc/mxsentry/mxsentry.conf"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: mxsentryd [-c FILE] [-t] [-f]\n"
		"\n"
		"The mxsentry agent: checks every configured domain on a schedule.\n"
		"\n"
		"  -c, --config FILE  configuration file (default %s)\n"
		"  -t, --test         load and validate the configuration, then exit\n"
		"  -f, --foreground   log to stderr, do not expect systemd\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n"
		"\n"
		"See mxsentryd(8) and mxsentry.conf(5).\n",
		DEFAULT_CONFIG);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },   { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },      { NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	struct config *cfg = NULL;
	bool test = false;
	int c;

	while ((c = getopt_long(argc, argv, "c:tfhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'f':
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mxsentryd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mxsentryd: unexpected argument \"%s\" (see --help)\n",
			argv[optind]);
		return 2;
	}
	if (cli_config_load(path, stderr, &cfg) < 0)
		return 1;
	if (test) {
		cli_config_summary(cfg, false, stdout);
		config_free(cfg);
		return 0;
	}
	config_free(cfg);
	fprintf(stderr, "mxsentryd: this version can only validate its configuration (--test); "
			"the agent loop is not part of it yet\n");
	return 1;
}

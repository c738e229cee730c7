/*
 * mxsentryd.c - the agent: checks every configured domain on a schedule (agent/daemon.h).
 *
 * --test loads and validates the configuration and exits. Otherwise the agent runs until
 * SIGTERM, under systemd (Type=notify) or in a terminal (--foreground: log to stderr, with
 * debug records); it never forks.
 * Exit codes: 0 success, 1 configuration rejected or cannot run, 2 usage error.
 */
#include "autoconf.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "agent/cli_config.h"
#include "agent/daemon.h"

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
		"  -f, --foreground   log to stderr (with debug records), even under systemd\n"
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
	bool test = false, foreground = false;
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
			foreground = true;
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
	if (test) {
		if (cli_config_load(path, stderr, &cfg) < 0)
			return 1;
		cli_config_summary(cfg, false, stdout);
		config_free(cfg);
		return 0;
	}
	return daemon_run(&(struct daemon_opts){ .config_path = path, .foreground = foreground });
}

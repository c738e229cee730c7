/*
 * cmd_report_ingest.c - "mxsentry report ingest [FILE|-]": a TLS-RPT report into the store,
 * as an MTA's pipe transport or a .forward delivers it (RFC 8460 §5.3), or as a file.
 *
 * The input is a whole RFC 5322 message, a .json or a .json.gz (agent/report_ingest.h). The exit
 * status follows sysexits(3), which is what an MTA reads: 0 when the input is recorded (stored,
 * already stored, or kept raw as not understood: a bounce to the reporting organisation would
 * help nobody), 75 (EX_TEMPFAIL: try again later) when the store cannot record it, so that
 * nothing is lost, 64 (EX_USAGE) for bad arguments, 66 (EX_NOINPUT) for a file that cannot be
 * read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent/cli_config.h"
#include "agent/cmd_report.h"
#include "agent/report_ingest.h"
#include "agent/report_mail.h"
#include "agent/store.h"

#define PROG "mxsentry report ingest"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: mxsentry report ingest [FILE|-] [-f CONFIG] [--state-dir DIR]\n"
		"\n"
		"Store a TLS-RPT report (RFC 8460): a whole mail message as an MTA pipes it, a\n"
		"report's .json or its .json.gz; without FILE, or with \"-\", standard input.\n"
		"A report stored already is not stored twice; one that cannot be understood is\n"
		"kept with the reason.\n"
		"\n"
		"  -f, --config FILE   the state directory from FILE\n"
		"      --state-dir DIR the store (default: the configuration's state_dir)\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status (sysexits): 0 recorded, 64 usage, 66 unreadable input, 75 the store\n"
		"cannot record it now (an MTA tries again later).\n");
}

/* Read all of f, at most REPORT_MAIL_MAX_INPUT + 1 bytes (the extractor refuses more). */
static int slurp(FILE *f, unsigned char **ret, size_t *ret_len)
{
	size_t cap = 64 * 1024, len = 0, n;
	unsigned char *buf = malloc(cap), *grown;

	if (buf == NULL)
		return -ENOMEM;
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len > REPORT_MAIL_MAX_INPUT)
			break;
		if (len == cap) {
			grown = realloc(buf, cap * 2);
			if (grown == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int cmd_report_ingest(int argc, char **argv)
{
	enum { OPT_STATE = 256 };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *state_dir = NULL, *path = "-";
	struct ingest_result res = { 0 };
	struct mxs_error err = { 0 };
	struct config *cfg = NULL;
	struct store *store = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	FILE *in;
	int c, r, status = EX_TEMPFAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			config = optarg;
			break;
		case OPT_STATE:
			state_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return EX_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, PROG ": expected at most one FILE (see --help)\n");
		return EX_USAGE;
	}
	if (optind < argc)
		path = argv[optind];
	if ((config != NULL ? cli_config_load(config, stderr, &cfg) : config_new_default(&cfg)) < 0)
		return config != NULL ? EX_CONFIG : EX_TEMPFAIL;
	in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (in == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		status = EX_NOINPUT;
		goto out;
	}
	r = slurp(in, &data, &len);
	if (in != stdin)
		fclose(in);
	if (r < 0) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(-r));
		status = r == -ENOMEM ? EX_TEMPFAIL : EX_NOINPUT;
		goto out;
	}
	r = store_open(state_dir != NULL ? state_dir : cfg->state_dir, &store, &err);
	if (r == 0)
		r = report_ingest(store, data, len, strcmp(path, "-") == 0 ? NULL : path,
				  strcmp(path, "-") == 0 ? "mail" : "file", time(NULL), &res, &err);
	if (r < 0) {
		fprintf(stderr, PROG ": not recorded, try again later: %s\n",
			err.what != NULL ? err.what : strerror(-r));
		goto out;
	}
	printf("%u stored, %u already stored, %u not understood%s%s\n", res.stored, res.duplicates,
	       res.rejected, res.why != NULL ? " (kept): " : "", res.why != NULL ? res.why : "");
	status = EX_OK;
out:
	ingest_result_clear(&res);
	mxs_error_clear(&err);
	free(data);
	store_close(store);
	config_free(cfg);
	return status;
}

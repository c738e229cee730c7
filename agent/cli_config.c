/*
 * cli_config.c - configuration loading and summaries for the command-line front ends; see
 * cli_config.h.
 */
#include "agent/cli_config.h"
#include "agent/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/registry.h"
#include "lib/dname.h"

int cli_config_load(const char *path, FILE *err, struct config **ret_cfg)
{
	struct mxs_errors errs = { 0 };
	size_t i;
	int r;

	r = config_load(path, ret_cfg, &errs);
	/* The compiler's "file:line: message" form, so editors can jump to each place. */
	for (i = 0; i < errs.n; i++)
		fprintf(err, "%s: %s\n", errs.v[i].where != NULL ? errs.v[i].where : path,
			errs.v[i].what);
	if (r == -EINVAL)
		fprintf(err, "%s: %zu error%s; the configuration was not accepted\n", path, errs.n,
			errs.n == 1 ? "" : "s");
	else if (r < 0 && errs.n == 0)
		fprintf(err, "%s: %s\n", path, strerror(-r));
	mxs_errors_free(&errs);
	return r;
}

/* "mx_starttls,cert_expiry" for a check bit set; "all" when every check is on. */
static void format_checks(unsigned set, char *buf, size_t size)
{
	size_t off = 0;
	int i, n;

	if (set == CHECK_ALL) {
		(void)snprintf(buf, size, "all");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < CHECK_COUNT && off < size; i++) {
		if (!(set & (1u << i)))
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off > 0 ? "," : "", check_name(i));
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void format_days(long seconds, char *buf, size_t size)
{
	if (seconds % 86400 == 0)
		(void)snprintf(buf, size, "%ldd", seconds / 86400);
	else
		(void)snprintf(buf, size, "%ldh", seconds / 3600);
}

static void print_domain(const struct domain_config *d, FILE *out)
{
	char checks[256], warn[32], crit[32];
	size_t i;

	format_checks(d->checks, checks, sizeof(checks));
	format_days(d->cert.warning, warn, sizeof(warn));
	format_days(d->cert.critical, crit, sizeof(crit));
	fprintf(out, "  %-28s checks=%s cert=%s/%s every=%us", d->name, checks, warn, crit,
		d->interval);
	for (i = 0; d->tags[i] != NULL; i++)
		fprintf(out, "%s%s", i == 0 ? " tags=" : ",", d->tags[i]);
	fputc('\n', out);
}

static void print_sink(const struct sink_config *s, FILE *out)
{
	fprintf(out, "  %-28s %s, from %s", s->name, sink_kind_name(s->kind),
		severity_name(s->min_severity));
	if (s->kind == SINK_EMAIL)
		fprintf(out, " via %s", s->relay);
	else if (s->kind == SINK_WEBHOOK)
		fprintf(out, " to %s%s", s->url, s->alertmanager ? " (alertmanager)" : "");
	else
		fprintf(out, " as %s", s->ident);
	fputc('\n', out);
}

void cli_config_summary(const struct config *cfg, bool verbose, FILE *out)
{
	size_t i;

	fprintf(out, "%s: valid: %zu domain%s, %zu alert sink%s\n", cfg->path, cfg->n_domains,
		cfg->n_domains == 1 ? "" : "s", cfg->n_sinks, cfg->n_sinks == 1 ? "" : "s");
	if (!verbose)
		return;
	fprintf(out, "resolver %s, CA bundle %s, state in %s\n",
		cfg->resolver != NULL ? cfg->resolver : "from /etc/resolv.conf", cfg->ca_bundle,
		cfg->state_dir);
	if (cfg->n_domains > 0)
		fprintf(out, "domains:\n");
	for (i = 0; i < cfg->n_domains; i++)
		print_domain(&cfg->domains[i], out);
	if (cfg->n_sinks > 0)
		fprintf(out, "alert sinks:\n");
	for (i = 0; i < cfg->n_sinks; i++)
		print_sink(&cfg->sinks[i], out);
}

int cli_bad(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

int cli_check_resolver(const char *prog, const char *arg)
{
	if (!config_valid_endpoint(arg, false))
		return cli_bad(prog, "--resolver \"%s\" is not an IP address with an optional port",
			       arg);
	return 0;
}

int cli_check_dnssec_probe(const char *prog, const char *arg)
{
	if (arg[0] == '\0' || strlen(arg) > 254)
		return cli_bad(prog, "--dnssec-probe \"%s\" is not a domain name", arg);
	return 0;
}

int cli_store_open_existing(const char *dir, struct store **ret, struct mxs_error *reterr)
{
	struct mxs_error err = { 0 };
	struct stat st;
	char *path = mxs_strdupf("%s/%s", dir, STORE_DB_FILE);
	int r;

	if (path == NULL)
		return mxs_error_set(reterr, NULL, NULL, "out of memory"), -ENOMEM;
	if (stat(path, &st) < 0) {
		r = -errno;
		(void)mxs_error_set(
		    reterr, NULL, NULL, "%s: cannot open the store: %s%s", path, strerror(-r),
		    r == -ENOENT ? " (has mxsentryd run with this state directory?)" : "");
		free(path);
		return r;
	}
	r = store_open(dir, ret, &err);
	if (r < 0)
		(void)mxs_error_set(reterr, NULL, NULL, "%s: cannot open the store: %s",
				    err.where != NULL ? err.where : path,
				    err.what != NULL ? err.what : strerror(-r));
	mxs_error_clear(&err);
	free(path);
	return r;
}

int cli_names_add(char ***names, size_t *n, const char *name)
{
	char **v;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0)
			return 0;
	v = reallocarray(*names, *n + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	*names = v;
	v[*n] = strdup(name);
	if (v[*n] == NULL)
		return -ENOMEM;
	(*n)++;
	return 0;
}

int cli_names_add_args(const char *prog, char *const *args, int n_args, char ***names, size_t *n)
{
	struct mxs_error err = { 0 };
	char *name;
	int i, r = 0;

	for (i = 0; r == 0 && i < n_args; i++) {
		r = dname_normalize(args[i], strlen(args[i]), &name, &err);
		if (r < 0) {
			fprintf(stderr, "%s: \"%s\" is not a domain name: %s\n", prog, args[i],
				err.what != NULL ? err.what : strerror(-r));
			mxs_error_clear(&err);
			return r;
		}
		r = cli_names_add(names, n, name);
		free(name);
	}
	return r;
}

void cli_names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

/*
 * config.c - load and validate mxsentry's configuration; see config.h and mxsentry.conf(5).
 *
 * The schema lives in the read_* functions below, one per group, each listing the keys it knows
 * (cfgval_known_keys) and reading them with their type, range and default. Cross-setting rules
 * (critical below warning, unique domain names) follow the reads.
 */
#include "agent/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "agent/cfgval.h"
#include "agent/config_rollout.h"
#include "agent/config_sinks.h"
#include "lib/rollout.h"
#include "lib/strv.h"
#include "checks/registry.h"
#include "lib/dname.h"

#define DAY 86400L

/* Defaults, documented in mxsentry.conf(5). */
#define DEFAULT_STATE_DIR "/var/lib/mxsentry"
#define DEFAULT_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* Failures any report should bring to light: the MX itself is broken for every sender. */
static const char *const default_alert_types[] = { "certificate-expired", "starttls-not-supported",
						   NULL };

static const char *const top_keys[] = {
	"resolver",    "dnssec_probe", "ca_bundle", "ehlo_name", "source_ipv4",
	"source_ipv6", "state_dir",    "interval",  "checks",    "timeouts",
	"concurrency", "certificates", "dane",      "rollout",   "reports",
	"http",        "domains",      "alerts",    NULL,
};

bool config_valid_endpoint(const char *s, bool port_required)
{
	char host[INET6_ADDRSTRLEN + 1], *end;
	unsigned char buf[sizeof(struct in6_addr)];
	const char *port = NULL;
	size_t hl;
	long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return 0;
		hl = (size_t)(close - s - 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return 0;
		if (hl >= sizeof(host))
			return 0;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, buf) != 1)
			return 0;
	} else if (inet_pton(AF_INET6, s, buf) == 1) {
		port = NULL; /* a bare IPv6 address has no port */
	} else {
		const char *colon = strchr(s, ':');

		hl = colon != NULL ? (size_t)(colon - s) : strlen(s);
		if (hl >= sizeof(host))
			return 0;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET, host, buf) != 1)
			return 0;
		if (colon != NULL)
			port = colon + 1;
	}
	if (port == NULL)
		return !port_required;
	errno = 0;
	p = strtol(port, &end, 10);
	return port[0] >= '0' && port[0] <= '9' && *end == '\0' && errno == 0 && p > 0 && p < 65536;
}

static void read_address(struct cfgval *cv, const config_setting_t *g, const char *key, int af,
			 char **out)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (cfgval_string(cv, g, key, out) == 1 && inet_pton(af, *out, buf) != 1)
		cfgval_error(cv, config_setting_get_member(g, key),
			     "\"%s\" is not an IPv%d address", *out, af == AF_INET ? 4 : 6);
}

static void read_endpoint(struct cfgval *cv, const config_setting_t *g, const char *key,
			  bool port_required, char **out)
{
	if (cfgval_string(cv, g, key, out) == 1 && !config_valid_endpoint(*out, port_required))
		cfgval_error(cv, config_setting_get_member(g, key),
			     "\"%s\" is not an IP address%s (e.g. \"127.0.0.1%s\" or \"[::1]%s\")",
			     *out, port_required ? " with a port" : " with an optional port",
			     port_required ? ":9425" : ":53", port_required ? ":9425" : ":53");
}

/* A milliseconds duration that must fit an unsigned int, with seconds as the bare unit. */
static void read_timeout(struct cfgval *cv, const config_setting_t *g, const char *key,
			 unsigned *out)
{
	long long ms = *out;

	if (cfgval_duration(cv, g, key, 1, 100, 3600 * 1000LL, &ms) == 1)
		*out = (unsigned)ms;
}

static void read_interval(struct cfgval *cv, const config_setting_t *g, unsigned *out)
{
	long long ms = (long long)*out * 1000;

	if (cfgval_duration(cv, g, "interval", 1, 60 * 1000LL, 7 * DAY * 1000, &ms) == 1)
		*out = (unsigned)(ms / 1000);
}

static void read_timeouts(struct cfgval *cv, const config_setting_t *root, struct timeouts *t)
{
	static const char *const keys[] = { "dns", "connect", "greeting", "command",
					    "tls", "session", "https",    NULL };
	const config_setting_t *g = cfgval_group(cv, root, "timeouts");

	if (g == NULL)
		return;
	cfgval_known_keys(cv, g, keys);
	read_timeout(cv, g, "dns", &t->dns);
	read_timeout(cv, g, "connect", &t->connect);
	read_timeout(cv, g, "greeting", &t->greeting);
	read_timeout(cv, g, "command", &t->command);
	read_timeout(cv, g, "tls", &t->tls);
	read_timeout(cv, g, "session", &t->session);
	read_timeout(cv, g, "https", &t->https);
	if (t->session < t->greeting)
		cfgval_error(cv, g,
			     "the whole session (%u ms) must not be shorter than the greeting "
			     "timeout (%u ms)",
			     t->session, t->greeting);
}

/*
 * Certificate thresholds: bare numbers are days, strings may say hours ("36h") for short-lived
 * certificates. COMMON-EXP-04: critical must be below warning.
 */
static void read_cert(struct cfgval *cv, const config_setting_t *parent, struct cert_thresholds *c)
{
	static const char *const keys[] = { "warning", "critical", NULL };
	const config_setting_t *g = cfgval_group(cv, parent, "certificates");
	long long w = c->warning * 1000LL, k = c->critical * 1000LL;

	if (g == NULL)
		return;
	cfgval_known_keys(cv, g, keys);
	if (cfgval_duration(cv, g, "warning", DAY, 3600 * 1000LL, 365 * DAY * 1000, &w) < 0 ||
	    cfgval_duration(cv, g, "critical", DAY, 0, 365 * DAY * 1000, &k) < 0)
		return;
	if (k >= w) {
		cfgval_error(cv, g, "critical (%lld h) must be less than warning (%lld h)",
			     k / 3600000, w / 3600000);
		return;
	}
	c->warning = (long)(w / 1000);
	c->critical = (long)(k / 1000);
}

/* dane = { single_record = "ok" | "warning"; full_certificate = "ok" | "warning"; } */
static void read_dane(struct cfgval *cv, const config_setting_t *parent, struct dane_advice *d)
{
	static const char *const keys[] = { "single_record", "full_certificate", NULL };
	static const char *const levels[] = { "ok", "warning", NULL };
	const config_setting_t *g = cfgval_group(cv, parent, "dane");
	int v;

	if (g == NULL)
		return;
	cfgval_known_keys(cv, g, keys);
	if (cfgval_enum(cv, g, "single_record", levels, &v) == 1)
		d->single_record = v == 1 ? SEVERITY_WARNING : SEVERITY_OK;
	if (cfgval_enum(cv, g, "full_certificate", levels, &v) == 1)
		d->full_certificate = v == 1 ? SEVERITY_WARNING : SEVERITY_OK;
}

/* A "checks" array: every name must be known; the result is a bit set. */
static void read_checks(struct cfgval *cv, const config_setting_t *g, unsigned *out)
{
	const config_setting_t *s = config_setting_get_member(g, "checks");
	char **names = NULL;
	unsigned set = 0;
	size_t i;
	int idx;

	if (cfgval_strv(cv, g, "checks", false, &names) != 1)
		return;
	for (i = 0; names[i] != NULL; i++) {
		idx = check_index(names[i]);
		if (idx < 0) {
			cfgval_error(cv, config_setting_get_elem(s, (unsigned)i),
				     "unknown check \"%s\" (known: %s)", names[i],
				     check_known_names());
			set = 0;
			break;
		}
		set |= 1u << idx;
	}
	cfgval_strv_free(names);
	if (set != 0)
		*out = set;
}

static void read_concurrency(struct cfgval *cv, const config_setting_t *root, struct config *cfg)
{
	static const char *const keys[] = { "sessions", "domains", NULL };
	const config_setting_t *g = cfgval_group(cv, root, "concurrency");

	if (g == NULL)
		return;
	cfgval_known_keys(cv, g, keys);
	(void)cfgval_uint(cv, g, "sessions", 1, 4096, &cfg->max_sessions);
	(void)cfgval_uint(cv, g, "domains", 1, 4096, &cfg->max_domains);
}

static void read_http(struct cfgval *cv, const config_setting_t *root, struct config *cfg)
{
	static const char *const keys[] = { "listen", "report_path", NULL };
	const config_setting_t *g = cfgval_group(cv, root, "http");

	if (g == NULL)
		return;
	cfgval_known_keys(cv, g, keys);
	read_endpoint(cv, g, "listen", true, &cfg->http_listen);
	if (cfgval_string(cv, g, "report_path", &cfg->report_path) == 1 &&
	    (cfg->report_path[0] != '/' || strpbrk(cfg->report_path, "?# \t") != NULL))
		cfgval_error(cv, config_setting_get_member(g, "report_path"),
			     "\"%s\" is not a URL path (\"/tlsrpt\")", cfg->report_path);
}

static void read_domain(struct cfgval *cv, const config_setting_t *g, const struct config *cfg,
			struct domain_config *d)
{
	static const char *const keys[] = { "name",     "checks",  "certificates", "dane",
					    "interval", "rollout", "tags",         NULL };
	struct mxs_error err = { 0 };
	char *raw = NULL;

	d->group = g;
	d->checks = cfg->checks;
	d->cert = cfg->cert;
	d->dane = cfg->dane;
	d->interval = cfg->interval;
	d->rollout = cfg->rollout;
	cfgval_known_keys(cv, g, keys);
	if (cfgval_string(cv, g, "name", &raw) == 0)
		cfgval_error(cv, g, "a domain needs a name");
	if (raw != NULL && dname_normalize(raw, strlen(raw), &d->name, &err) < 0) {
		cfgval_error(cv, config_setting_get_member(g, "name"),
			     "\"%s\" is not a domain "
			     "name: %s (%s)",
			     raw, err.what, err.req);
		mxs_error_clear(&err);
	}
	free(raw);
	read_checks(cv, g, &d->checks);
	read_cert(cv, g, &d->cert);
	read_dane(cv, g, &d->dane);
	read_interval(cv, g, &d->interval);
	config_read_rollout(cv, g, &d->rollout);
	(void)cfgval_strv(cv, g, "tags", true, &d->tags);
}

static int read_domains(struct cfgval *cv, const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *list = cfgval_list(cv, root, "domains");
	size_t i, j, n;

	if (list == NULL)
		return 0;
	n = (size_t)config_setting_length(list);
	cfg->domains = calloc(n ? n : 1, sizeof(*cfg->domains));
	if (cfg->domains == NULL)
		return -ENOMEM;
	cfg->n_domains = n;
	for (i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct domain_config *d = &cfg->domains[i];

		d->tags = cfgval_strv_new();
		if (d->tags == NULL)
			return -ENOMEM;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			cfgval_error(cv, g, "each domain must be a group { name = \"...\"; ... }");
			continue;
		}
		read_domain(cv, g, cfg, d);
		for (j = 0; d->name != NULL && j < i; j++) {
			if (cfg->domains[j].name != NULL &&
			    strcmp(cfg->domains[j].name, d->name) == 0) {
				cfgval_error(
				    cv, g, "domain \"%s\" is listed twice (first at line %u)",
				    d->name, config_setting_source_line(cfg->domains[j].group));
				break;
			}
		}
	}
	return 0;
}

/*
 * DANE-DNS-01: the name whose answer must carry AD before any DNSSEC verdict; "." (the root)
 * is the default, a lab or a private trust anchor needs another. A host name, or ".".
 */
static void read_dnssec_probe(struct cfgval *cv, const config_setting_t *root, struct config *cfg)
{
	struct mxs_error err = { 0 };
	char *norm = NULL;

	if (cfgval_string(cv, root, "dnssec_probe", &cfg->dnssec_probe) != 1 ||
	    strcmp(cfg->dnssec_probe, ".") == 0)
		return;
	if (dname_normalize(cfg->dnssec_probe, strlen(cfg->dnssec_probe), &norm, &err) < 0) {
		cfgval_error(cv, config_setting_get_member(root, "dnssec_probe"),
			     "\"%s\" is not a domain name: %s", cfg->dnssec_probe, err.what);
		mxs_error_clear(&err);
	}
	free(norm);
}

/*
 * reports = { window = "2d"; alert_failure_rate = "5%"; alert_min_sessions = 100;
 *             alert_types = [ "certificate-expired", ... ]; }
 */
static void read_reports(struct cfgval *cv, const config_setting_t *root, struct reports_config *r)
{
	static const char *const keys[] = {
		"window", "alert_failure_rate", "alert_min_sessions", "alert_types", "maildir", NULL
	};
	const config_setting_t *g = cfgval_group(cv, root, "reports");
	struct mxs_error err = { 0 };
	long long ms = r->window * 1000LL;
	char *rate = NULL;

	if (g == NULL)
		return;
	cfgval_known_keys(cv, g, keys);
	if (cfgval_duration(cv, g, "window", 3600, 3600 * 1000LL, 31 * 86400 * 1000LL, &ms) == 1)
		r->window = (long)(ms / 1000);
	(void)cfgval_uint(cv, g, "alert_min_sessions", 0, 4000000000u, &r->min_sessions);
	if (cfgval_string(cv, g, "alert_failure_rate", &rate) == 1 &&
	    rollout_rate_parse(rate, &r->alert_rate, &err) < 0) {
		cfgval_error(cv, config_setting_get_member(g, "alert_failure_rate"), "%s",
			     err.what != NULL ? err.what : "not a percentage");
		mxs_error_clear(&err);
	}
	free(rate);
	(void)cfgval_strv(cv, g, "alert_types", true, &r->alert_types);
	if (cfgval_string(cv, g, "maildir", &r->maildir) == 1 && r->maildir[0] != '/')
		cfgval_error(cv, config_setting_get_member(g, "maildir"),
			     "\"%s\" must be an absolute path", r->maildir);
}

/* Everything at the top level, in the order of mxsentry.conf(5). */
static int read_top(struct cfgval *cv, struct config *cfg)
{
	const config_setting_t *root = config_root_setting(&cfg->lc);
	int r;

	cfgval_known_keys(cv, root, top_keys);
	read_endpoint(cv, root, "resolver", false, &cfg->resolver);
	read_dnssec_probe(cv, root, cfg);
	(void)cfgval_string(cv, root, "ca_bundle", &cfg->ca_bundle);
	if (cfgval_string(cv, root, "ehlo_name", &cfg->ehlo_name) == 1) {
		struct mxs_error err = { 0 };
		char *norm = NULL;

		if (dname_normalize(cfg->ehlo_name, strlen(cfg->ehlo_name), &norm, &err) < 0) {
			cfgval_error(cv, config_setting_get_member(root, "ehlo_name"),
				     "\"%s\" is not a host name: %s", cfg->ehlo_name, err.what);
			mxs_error_clear(&err);
		}
		free(norm);
	}
	read_address(cv, root, "source_ipv4", AF_INET, &cfg->source_ipv4);
	read_address(cv, root, "source_ipv6", AF_INET6, &cfg->source_ipv6);
	(void)cfgval_string(cv, root, "state_dir", &cfg->state_dir);
	read_interval(cv, root, &cfg->interval);
	read_checks(cv, root, &cfg->checks);
	read_timeouts(cv, root, &cfg->timeouts);
	read_concurrency(cv, root, cfg);
	read_cert(cv, root, &cfg->cert);
	read_dane(cv, root, &cfg->dane);
	read_reports(cv, root, &cfg->reports);
	config_read_rollout(cv, root, &cfg->rollout);
	read_http(cv, root, cfg);
	r = read_domains(cv, root, cfg);
	if (r < 0)
		return r;
	return config_read_sinks(cv, root, cfg);
}

static int set_defaults(struct config *cfg)
{
	cfg->ca_bundle = strdup(DEFAULT_CA_BUNDLE);
	cfg->state_dir = strdup(DEFAULT_STATE_DIR);
	cfg->report_path = strdup("/tlsrpt");
	if (cfg->ca_bundle == NULL || cfg->state_dir == NULL || cfg->report_path == NULL)
		return -ENOMEM;
	cfg->interval = 3600;
	cfg->reports =
	    (struct reports_config){ .window = 2 * 86400, .alert_rate = 0.05, .min_sessions = 100 };
	cfg->reports.alert_types = strv_dup(default_alert_types);
	if (cfg->reports.alert_types == NULL)
		return -ENOMEM;
	cfg->alerting =
	    (struct alert_config){ .damping = 2, .reminder = 24 * 3600, .give_up = 2 * 86400 };
	cfg->max_sessions = 32;
	cfg->max_domains = 16;
	cfg->checks = CHECK_ALL;
	/* COMMON-STLS-04 allows 300 s for the greeting; 60 s is the project's choice. */
	cfg->timeouts = (struct timeouts){ .dns = 10000,
					   .connect = 30000,
					   .greeting = 60000,
					   .command = 30000,
					   .tls = 30000,
					   .session = 180000,
					   .https = 60000 };
	cfg->cert = (struct cert_thresholds){ .warning = 30 * DAY, .critical = 14 * DAY };
	rollout_thresholds_default(&cfg->rollout);
	return 0;
}

/* The line number at the end of an error's place ("file:12"), 0 when it has none. */
static long error_line(const struct mxs_error *e)
{
	const char *colon = e->where != NULL ? strrchr(e->where, ':') : NULL;

	return colon != NULL ? strtol(colon + 1, NULL, 10) : 0;
}

/*
 * Errors are found group by group; a person reads the file top to bottom. Stable insertion
 * sort by line (the list is short), so errors of one line keep the order they were found in.
 */
static void sort_errors(struct mxs_errors *errs)
{
	struct mxs_error tmp;
	size_t i, j;

	for (i = 1; i < errs->n; i++) {
		tmp = errs->v[i];
		for (j = i; j > 0 && error_line(&errs->v[j - 1]) > error_line(&tmp); j--)
			errs->v[j] = errs->v[j - 1];
		errs->v[j] = tmp;
	}
}

static int set_include_dir(struct config *cfg)
{
	const char *slash = strrchr(cfg->path, '/');
	char *dir;

	if (slash == NULL)
		return 0;
	dir = strndup(cfg->path, slash == cfg->path ? 1 : (size_t)(slash - cfg->path));
	if (dir == NULL)
		return -ENOMEM;
	config_set_include_dir(&cfg->lc, dir); /* libconfig keeps its own copy */
	free(dir);
	return 0;
}

int config_load(const char *path, struct config **ret_cfg, struct mxs_errors *errs)
{
	struct cfgval cv = { .errs = errs, .path = path };
	struct config *cfg;
	FILE *f;
	int r;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return -ENOMEM;
	config_init(&cfg->lc);
	cfg->path = strdup(path);
	r = cfg->path == NULL ? -ENOMEM : set_defaults(cfg);
	if (r < 0)
		goto out;

	/* Open it ourselves first: libconfig reports a missing file as a parse error at line 0. */
	f = fopen(path, "r");
	if (f == NULL) {
		r = -errno;
		(void)mxs_errors_add(errs, path, NULL, "cannot read: %s", strerror(-r));
		goto out;
	}
	(void)fclose(f);
	/* @include names files relative to the including file's folder, as people expect. */
	r = set_include_dir(cfg);
	if (r < 0)
		goto out;
	if (config_read_file(&cfg->lc, path) != CONFIG_TRUE) {
		const char *file = config_error_file(&cfg->lc);
		char *where =
		    mxs_strdupf("%s:%d", file != NULL ? file : path, config_error_line(&cfg->lc));

		(void)mxs_errors_add(errs, where, NULL, "syntax error: %s",
				     config_error_text(&cfg->lc));
		free(where);
		r = -EINVAL;
		goto out;
	}
	r = read_top(&cv, cfg);
	if (r == 0 && cv.failed > 0)
		r = -EINVAL;
	sort_errors(errs);
out:
	if (r < 0) {
		config_free(cfg);
		return r;
	}
	*ret_cfg = cfg;
	return 0;
}

int config_new_default(struct config **ret_cfg)
{
	struct config *cfg;
	int r;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return -ENOMEM;
	config_init(&cfg->lc);
	cfg->path = strdup("(defaults)");
	r = cfg->path == NULL ? -ENOMEM : set_defaults(cfg);
	if (r < 0) {
		config_free(cfg);
		return r;
	}
	*ret_cfg = cfg;
	return 0;
}

struct config *config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return NULL;
	for (i = 0; i < cfg->n_domains; i++) {
		free(cfg->domains[i].name);
		cfgval_strv_free(cfg->domains[i].tags);
	}
	free(cfg->domains);
	for (i = 0; i < cfg->n_sinks; i++) {
		struct sink_config *s = &cfg->sinks[i];

		free(s->name);
		cfgval_strv_free(s->tags);
		free(s->relay);
		free(s->from);
		cfgval_strv_free(s->to);
		free(s->username);
		free(s->password_file);
		free(s->url);
		free(s->hmac_key_file);
		free(s->ca_bundle);
		free(s->ident);
	}
	free(cfg->sinks);
	for (i = 0; i < cfg->alerting.n_silences; i++) {
		free(cfg->alerting.silences[i].domain);
		free(cfg->alerting.silences[i].code);
		free(cfg->alerting.silences[i].comment);
	}
	free(cfg->alerting.silences);
	cfgval_strv_free(cfg->reports.alert_types);
	free(cfg->reports.maildir);
	free(cfg->path);
	free(cfg->resolver);
	free(cfg->dnssec_probe);
	free(cfg->ca_bundle);
	free(cfg->ehlo_name);
	free(cfg->source_ipv4);
	free(cfg->source_ipv6);
	free(cfg->state_dir);
	free(cfg->http_listen);
	free(cfg->report_path);
	config_destroy(&cfg->lc);
	free(cfg);
	return NULL;
}

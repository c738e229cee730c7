/*
 * cfgval.c - typed, validated reads from a libconfig tree; see cfgval.h.
 */
#include "agent/cfgval.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/duration.h"

/*
 * The path of s from the root, e.g. "domains[2].certificates.warning", as a new string (NULL on
 * memory exhaustion or for the root itself). Built from the root down, one part at a time.
 */
static char *setting_path(const config_setting_t *s)
{
	const config_setting_t *chain[64], *p;
	char *path = NULL, *next;
	size_t depth = 0, i;

	for (p = s; p != NULL && config_setting_parent(p) != NULL; p = config_setting_parent(p))
		if (depth < sizeof(chain) / sizeof(chain[0]))
			chain[depth++] = p;
	for (i = depth; i-- > 0;) {
		const char *name = config_setting_name(chain[i]);

		if (name != NULL)
			next = mxs_strdupf("%s%s%s", path != NULL ? path : "",
					   path != NULL ? "." : "", name);
		else
			next = mxs_strdupf("%s[%d]", path != NULL ? path : "",
					   config_setting_index(chain[i]));
		free(path);
		path = next;
		if (path == NULL)
			return NULL;
	}
	return path;
}

void cfgval_error(struct cfgval *cv, const config_setting_t *s, const char *fmt, ...)
{
	char *where, *path = NULL;
	const char *file = NULL;
	unsigned line = 0;
	char *msg;
	va_list ap;

	if (s != NULL) {
		file = config_setting_source_file(s);
		line = config_setting_source_line(s);
	}
	if (file == NULL)
		file = cv->path;
	if (line > 0)
		where = mxs_strdupf("%s:%u", file, line);
	else
		where = mxs_strdupf("%s", file);

	va_start(ap, fmt);
	msg = mxs_vstrdupf(fmt, ap);
	va_end(ap);
	if (s != NULL)
		path = setting_path(s);
	if (path != NULL)
		(void)mxs_errors_add(cv->errs, where, NULL, "%s: %s", path,
				     msg != NULL ? msg : "out of memory");
	else
		(void)mxs_errors_add(cv->errs, where, NULL, "%s",
				     msg != NULL ? msg : "out of memory");
	free(msg);
	free(path);
	free(where);
	cv->failed++;
}

static int in_list(const char *name, const char *const list[])
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* The names of list joined by ", " into buf (cut when too long). */
static void join(const char *const list[], char *buf, size_t size)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; list[i] != NULL && off < size; i++) {
		n = snprintf(buf + off, size - off, "%s%s", i > 0 ? ", " : "", list[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

void cfgval_known_keys(struct cfgval *cv, const config_setting_t *group, const char *const known[])
{
	const config_setting_t *m;
	char names[512];
	int i;

	if (group == NULL)
		return;
	for (i = 0; (m = config_setting_get_elem(group, (unsigned)i)) != NULL; i++) {
		const char *name = config_setting_name(m);

		if (name == NULL || in_list(name, known))
			continue;
		join(known, names, sizeof(names));
		cfgval_error(cv, m, "unknown setting (known here: %s)", names);
	}
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a floating-point number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:
		return "a list ( ... )";
	default:
		return "an unknown type";
	}
}

const config_setting_t *cfgval_group(struct cfgval *cv, const config_setting_t *group,
				     const char *key)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		cfgval_error(cv, s, "must be a group { ... }, not %s",
			     type_name(config_setting_type(s)));
		return NULL;
	}
	return s;
}

const config_setting_t *cfgval_list(struct cfgval *cv, const config_setting_t *group,
				    const char *key)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		cfgval_error(cv, s, "must be a list ( ... ), not %s",
			     type_name(config_setting_type(s)));
		return NULL;
	}
	return s;
}

/* Find key in group and check its type; NULL when absent or wrong (error recorded then). */
static const config_setting_t *typed(struct cfgval *cv, const config_setting_t *group,
				     const char *key, int type, int *ret)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	int t;

	*ret = 0;
	if (s == NULL)
		return NULL;
	t = config_setting_type(s);
	if (t == CONFIG_TYPE_INT64)
		t = CONFIG_TYPE_INT;
	if (t != type) {
		cfgval_error(cv, s, "must be %s, not %s", type_name(type),
			     type_name(config_setting_type(s)));
		*ret = -EINVAL;
		return NULL;
	}
	return s;
}

int cfgval_string(struct cfgval *cv, const config_setting_t *group, const char *key, char **out)
{
	const config_setting_t *s;
	const char *v;
	char *copy;
	int r;

	s = typed(cv, group, key, CONFIG_TYPE_STRING, &r);
	if (s == NULL)
		return r;
	v = config_setting_get_string(s);
	if (v == NULL || v[0] == '\0') {
		cfgval_error(cv, s, "must not be empty (leave the setting out for the default)");
		return -EINVAL;
	}
	copy = strdup(v);
	if (copy == NULL)
		return -ENOMEM;
	free(*out);
	*out = copy;
	return 1;
}

int cfgval_uint(struct cfgval *cv, const config_setting_t *group, const char *key, unsigned min,
		unsigned max, unsigned *out)
{
	const config_setting_t *s;
	long long v;
	int r;

	s = typed(cv, group, key, CONFIG_TYPE_INT, &r);
	if (s == NULL)
		return r;
	v = config_setting_get_int64(s);
	if (v < (long long)min || v > (long long)max) {
		cfgval_error(cv, s, "%lld is out of range (%u to %u)", v, min, max);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 1;
}

int cfgval_bool(struct cfgval *cv, const config_setting_t *group, const char *key, bool *out)
{
	const config_setting_t *s;
	int r;

	s = typed(cv, group, key, CONFIG_TYPE_BOOL, &r);
	if (s == NULL)
		return r;
	*out = config_setting_get_bool(s) != 0;
	return 1;
}

/* Write a duration in milliseconds the way a person would, e.g. "14d", "90s", "500ms". */
static void format_ms(long long ms, char *buf, size_t size)
{
	if (ms % 86400000 == 0)
		(void)snprintf(buf, size, "%lldd", ms / 86400000);
	else if (ms % 3600000 == 0)
		(void)snprintf(buf, size, "%lldh", ms / 3600000);
	else if (ms % 60000 == 0)
		(void)snprintf(buf, size, "%lldm", ms / 60000);
	else if (ms % 1000 == 0)
		(void)snprintf(buf, size, "%llds", ms / 1000);
	else
		(void)snprintf(buf, size, "%lldms", ms);
}

int cfgval_duration(struct cfgval *cv, const config_setting_t *group, const char *key,
		    long default_unit, long long min_ms, long long max_ms, long long *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	struct mxs_error err = { 0 };
	char lo[32], hi[32];
	long long ms;
	char digits[32];
	const char *text;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		(void)snprintf(digits, sizeof(digits), "%lld", config_setting_get_int64(s));
		text = digits;
		break;
	case CONFIG_TYPE_STRING:
		text = config_setting_get_string(s);
		break;
	default:
		cfgval_error(cv, s, "must be a duration such as 30 or \"30s\", not %s",
			     type_name(config_setting_type(s)));
		return -EINVAL;
	}
	if (duration_parse(text, strlen(text), default_unit, &ms, &err) < 0) {
		cfgval_error(cv, s, "\"%s\": %s", text, err.what);
		mxs_error_clear(&err);
		return -EINVAL;
	}
	if (ms < min_ms || ms > max_ms) {
		format_ms(min_ms, lo, sizeof(lo));
		format_ms(max_ms, hi, sizeof(hi));
		cfgval_error(cv, s, "\"%s\" is out of range (%s to %s)", text, lo, hi);
		return -EINVAL;
	}
	*out = ms;
	return 1;
}

int cfgval_enum(struct cfgval *cv, const config_setting_t *group, const char *key,
		const char *const values[], int *out)
{
	const config_setting_t *s;
	const char *v;
	char names[256];
	int i, r;

	s = typed(cv, group, key, CONFIG_TYPE_STRING, &r);
	if (s == NULL)
		return r;
	v = config_setting_get_string(s);
	for (i = 0; values[i] != NULL; i++) {
		if (strcmp(v, values[i]) == 0) {
			*out = i;
			return 1;
		}
	}
	join(values, names, sizeof(names));
	cfgval_error(cv, s, "\"%s\" is not one of: %s", v, names);
	return -EINVAL;
}

char **cfgval_strv_new(void)
{
	return calloc(1, sizeof(char *));
}

char **cfgval_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
	return NULL;
}

int cfgval_strv(struct cfgval *cv, const config_setting_t *group, const char *key, bool allow_empty,
		char ***out)
{
	const config_setting_t *s, *e;
	char **v;
	int n, i, bad = 0;

	s = config_setting_get_member(group, key);
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		cfgval_error(cv, s, "must be an array of strings [ \"...\", ... ], not %s",
			     type_name(config_setting_type(s)));
		return -EINVAL;
	}
	n = config_setting_length(s);
	if (n == 0 && !allow_empty) {
		cfgval_error(cv, s, "must not be empty");
		return -EINVAL;
	}
	v = calloc((size_t)n + 1, sizeof(char *));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *str;

		e = config_setting_get_elem(s, (unsigned)i);
		str = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e)
								   : NULL;
		if (str == NULL || str[0] == '\0') {
			cfgval_error(cv, e, "must be a non-empty string");
			bad = 1;
			continue;
		}
		v[i] = strdup(str);
		if (v[i] == NULL) {
			cfgval_strv_free(v);
			return -ENOMEM;
		}
	}
	if (bad) {
		/* bad elements left holes, so free by index rather than up to the first NULL */
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return -EINVAL;
	}
	cfgval_strv_free(*out);
	*out = v;
	return 1;
}

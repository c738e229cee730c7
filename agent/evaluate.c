/*
 * evaluate.c - run a domain's enabled checks on its snapshot; see evaluate.h.
 */
#include "agent/evaluate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checks/registry.h"

unsigned evaluate_needs(unsigned checks)
{
	unsigned needs = 0;
	int i;

	for (i = 0; i < CHECK_COUNT; i++) {
		const struct check *c = check_plugin(i);

		if ((checks & (1u << i)) && c != NULL)
			needs |= c->needs;
	}
	return needs;
}

/* Move every finding of from to the end of to; from is left empty. */
static int take_all(struct findings *to, struct findings *from)
{
	struct finding *v;

	if (from->n == 0) {
		findings_clear(from);
		return 0;
	}
	if (to->n + from->n > to->cap) {
		v = realloc(to->v, (to->n + from->n) * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		to->v = v;
		to->cap = to->n + from->n;
	}
	memcpy(to->v + to->n, from->v, from->n * sizeof(*v));
	to->n += from->n;
	free(from->v);
	memset(from, 0, sizeof(*from));
	return 0;
}

/* One check on one snapshot; an internal failure becomes an UNKNOWN finding. */
static int run_one(const struct check *c, const struct snapshot *snap,
		   const struct check_settings *settings, const struct history *hist,
		   struct findings *out)
{
	struct findings mine = { 0 };
	struct mxs_error err = { 0 };
	const char *why;
	void *priv = NULL;
	int r;

	r = c->configure != NULL ? c->configure(settings, &priv, &err) : 0;
	if (r == 0) {
		r = c->evaluate(snap, hist, priv, &mine);
		if (c->release != NULL)
			c->release(priv);
		if (r == 0)
			return take_all(out, &mine);
		/* Half a result would read as a verdict: drop it and say the check failed. */
		findings_clear(&mine);
		why = strerror(-r);
	} else {
		why = err.what != NULL ? err.what : strerror(-r);
	}
	r = findings_add(out, c->name, "check.failed", SEVERITY_UNKNOWN, NULL, NULL, snap->domain,
			 NULL, "the %s check could not run: %s", c->name, why) != NULL
		? 0
		: -ENOMEM;
	mxs_error_clear(&err);
	return r;
}

int evaluate_domain(const struct snapshot *snap, unsigned checks,
		    const struct check_settings *settings, const struct history *hist,
		    struct findings *out)
{
	int i, r;

	for (i = 0; i < CHECK_COUNT; i++) {
		const struct check *c = check_plugin(i);

		if (!(checks & (1u << i)) || c == NULL)
			continue;
		r = run_one(c, snap, settings, hist, out);
		if (r < 0)
			return r;
	}
	return 0;
}

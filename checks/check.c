/*
 * check.c - what check plugins share; see check.h.
 */
#include "checks/check.h"

#include <stddef.h>

int check_configure_none(const struct check_settings *settings, void **ret_priv,
			 struct mxs_error *reterr)
{
	(void)settings;
	(void)reterr;
	*ret_priv = NULL;
	return 0;
}

void check_release_none(void *priv)
{
	(void)priv;
}

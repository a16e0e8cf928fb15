/*
 * immutable.c
 *		Module magic and initialisation of the immutable extension.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "chain.h"
#include "ddl_guard.h"
#include "plans.h"
#include "registry.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Set up the relation cache, install the DDL guard and reserve the
 * immutable.* settings prefix.
 */
void
_PG_init(void)
{
	RegistryInit();
	RegistrySetHashedDescriber(ChainDescribe);
	PlansInit();
	DdlGuardInit();
	MarkGUCPrefixReserved("immutable");
}

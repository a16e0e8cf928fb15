/*
 * immutable.c
 *		Module magic and initialisation of the immutable extension.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "immutable.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Set up the relation cache and reserve the immutable.* settings prefix.
 */
void
_PG_init(void)
{
	RegistryInit();
	MarkGUCPrefixReserved("immutable");
}

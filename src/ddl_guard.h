/*
 * ddl_guard.h
 *		The DDL guard: utility commands that would rewrite, remove, detach or
 *		unprotect what managed tables keep are refused before they run.
 */
#ifndef IMMUTABLE_DDL_GUARD_H
#define IMMUTABLE_DDL_GUARD_H

#include "nodes/nodes.h"

extern void DdlGuardInit(void);
extern Oid	DdlGuardAllowNext(Oid relid);
extern void DdlGuardRestore(Oid outer);
extern void DdlGuardCheckDroppedTrigger(const char *schema, const char *table,
										const char *trigger);

#endif							/* IMMUTABLE_DDL_GUARD_H */

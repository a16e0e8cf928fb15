/*
 * manage.h
 *		Putting tables under management and taking them out (make_*,
 *		make_mutable): argument checks, ownership and locks.
 */
#ifndef IMMUTABLE_MANAGE_H
#define IMMUTABLE_MANAGE_H

#include "storage/lockdefs.h"

#include "fmgr.h"

extern Oid	ManageRelationArgument(FunctionCallInfo fcinfo, const char *funcname);
extern void ManageRecordRegistration(Oid relid);
extern void ManageLockTable(Oid relid, LOCKMODE lockmode, const char *funcname,
							bool partitioned_ok);
extern const char *ManageTableScan(Oid relid);

#endif							/* IMMUTABLE_MANAGE_H */

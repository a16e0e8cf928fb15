/*
 * args.h
 *		The arguments of the extension's SQL-callable functions, and the
 *		checks and lock that precede putting a table under management.
 */
#ifndef IMMUTABLE_ARGS_H
#define IMMUTABLE_ARGS_H

#include "access/htup.h"
#include "fmgr.h"
#include "storage/lockdefs.h"

extern Oid	ArgTable(FunctionCallInfo fcinfo, const char *funcname);
extern void ArgCheckOwner(Oid relid);
extern Relation ArgOpenOwned(Oid relid, LOCKMODE lockmode);
extern void ArgLockForManagement(Oid relid, LOCKMODE lockmode, const char *funcname,
								 bool partitioned_ok);
extern Oid	ArgTypedTable(FunctionCallInfo fcinfo);
extern Datum ArgNotNull(FunctionCallInfo fcinfo, int argno, const char *name);
extern void ArgRowAsTuple(Datum row, HeapTuple tuple);

#endif							/* IMMUTABLE_ARGS_H */

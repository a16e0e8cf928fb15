/*
 * versioned_entity.h
 *		Entity functions of versioned tables: reading and writing versions.
 */
#ifndef IMMUTABLE_VERSIONED_ENTITY_H
#define IMMUTABLE_VERSIONED_ENTITY_H

#include "lib/stringinfo.h"
#include "tcop/dest.h"
#include "utils/timestamp.h"

#include "fmgr.h"
#include "registry.h"

extern Datum EntityInsertRow(ManagedRelation *entry, Datum row);
extern bool EntityDirectReadAllowed(Oid relid);
extern bool EntityScanTableAt(ManagedRelation *entry, Datum entity_id,
							  TimestampTz at, Datum *row, bool *deleted);
extern HeapTuple EntityHeadRow(ManagedRelation *entry, TupleTableSlot *head);
extern Datum EntityHeadAttr(ManagedRelation *entry, TupleTableSlot *head,
							AttrNumber attnum, bool *isnull);
extern bool EntityReadAt(ManagedRelation *entry, Datum entity_id, TimestampTz at,
						 Datum *row, bool *deleted);
extern Datum EntityReturnRow(FunctionCallInfo fcinfo, bool found, Datum row);
extern void EntityRethrowConflict(MemoryContext context, const char *hint);

#endif							/* IMMUTABLE_VERSIONED_ENTITY_H */

/*
 * entity.h
 *		Entity functions of versioned tables and their kept plans.
 */
#ifndef IMMUTABLE_ENTITY_H
#define IMMUTABLE_ENTITY_H

#include "lib/stringinfo.h"
#include "tcop/dest.h"
#include "utils/timestamp.h"

#include "fmgr.h"
#include "registry.h"

/* Appends the text of one FOR SYSTEM_TIME query of a table to buf. */
typedef void (*PeriodQueryBuilder) (StringInfo buf, ManagedRelation *entry, Relation rel,
									EntityPlan which);

extern void EntitySetPeriodQueryBuilder(PeriodQueryBuilder builder);
extern void EntityExecuteInto(ManagedRelation *entry, EntityPlan which, Datum *args,
							  DestReceiver *dest);
extern Datum EntityInsertRow(ManagedRelation *entry, Datum row);
extern bool EntityDirectReadAllowed(Oid relid);
extern bool EntityScanTableAt(ManagedRelation *entry, Datum entity_id,
							  TimestampTz at, Datum *row, bool *deleted);
extern HeapTuple EntityHeadRow(ManagedRelation *entry, TupleTableSlot *head);
extern Datum EntityHeadAttr(ManagedRelation *entry, TupleTableSlot *head,
							AttrNumber attnum, bool *isnull);
extern bool EntityReadAt(ManagedRelation *entry, Datum entity_id, TimestampTz at,
						 Datum *row, bool *deleted);

#endif							/* IMMUTABLE_ENTITY_H */

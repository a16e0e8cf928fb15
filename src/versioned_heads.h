/*
 * versioned_heads.h
 *		The heads table of a versioned table.
 */
#ifndef IMMUTABLE_VERSIONED_HEADS_H
#define IMMUTABLE_VERSIONED_HEADS_H

#include "access/tableam.h"

#include "registry.h"

extern Oid	HeadsCreate(Oid relid, const char *name);
extern void HeadsRefresh(ManagedRelation *entry, Node *parsetree);
extern bool HeadsFetch(ManagedRelation *entry, Relation heads, Datum entity_id,
					   Snapshot snapshot, TupleTableSlot *slot);
extern void HeadsInsertEarly(ManagedRelation *entry, Relation heads, HeapTuple row,
							 Datum entity_id);
extern TM_Result HeadsUpdate(ManagedRelation *entry, Relation heads,
							 TupleTableSlot *head, HeapTuple row);

#endif							/* IMMUTABLE_VERSIONED_HEADS_H */

/*
 * chain.h
 *		Hash chains: linking rows, and describing hash-chained tables.
 */
#ifndef IMMUTABLE_CHAIN_H
#define IMMUTABLE_CHAIN_H

#include "registry.h"

extern void ChainDescribe(ManagedRelation *entry);
extern void ChainCreate(Oid relid, const char *chain_by);
extern void ChainPrepareVersioned(Oid relid);
extern void ChainLinkVersioned(Oid relid);
extern HeapTuple ChainLinkTuple(ManagedRelation *entry, TupleDesc desc, HeapTuple tuple,
								const uint8 *prev);
extern uint8 *ChainSlotHash(TupleTableSlot *slot, AttrNumber attnum, Relation rel);
extern int64 ChainSlotSeq(ManagedRelation *entry, TupleTableSlot *slot, bool *isnull);

#endif							/* IMMUTABLE_CHAIN_H */

/*
 * direct.h
 *		Writing and reading heap rows and index entries without the executor.
 */
#ifndef IMMUTABLE_DIRECT_H
#define IMMUTABLE_DIRECT_H

#include "access/sdir.h"
#include "executor/tuptable.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"

extern void DirectInsertIndexEntries(Relation rel, TupleTableSlot *slot);
extern void DirectInsertSummarizingIndexEntries(Relation rel, TupleTableSlot *slot);
extern void DirectInsert(Relation rel, TupleTableSlot *slot);
extern bool DirectFetchByEntity(Relation heap, Oid indexid, Datum entity_id,
								Snapshot snapshot, ScanDirection direction,
								TupleTableSlot *slot);

#endif							/* IMMUTABLE_DIRECT_H */

/*
 * direct.c
 *		Reading and writing rows with the table access method directly, as
 *		the executor would: fetching by entity_id through an index, and
 *		writing the extension's own tables (heads and history tables) without
 *		running their triggers, which refuse every write by users.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/nbtree.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "compat.h"
#include "direct.h"

/*
 * The IndexInfo of every index the extension inserts into directly, built
 * once and kept until the index's relcache entry is invalidated: building
 * it per row cost more than the insertion (and BRIN keeps its descriptor in
 * it, ii_AmCache, which would be rebuilt per row too).
 */
typedef struct CachedIndexInfo
{
	Oid			indexoid;		/* hash key */
	bool		valid;
	MemoryContext cxt;			/* holds info and what the AM caches in it */
	IndexInfo  *info;
	EState	   *estate;			/* evaluates expressions and predicate */
} CachedIndexInfo;

static HTAB *IndexInfoCache = NULL;

/* Mark the cached IndexInfo of indexoid (or all, for InvalidOid) stale. */
static void
index_info_relcache_callback(Datum arg, Oid indexoid)
{
	HASH_SEQ_STATUS status;
	CachedIndexInfo *entry;

	if (OidIsValid(indexoid))
	{
		entry = hash_search(IndexInfoCache, &indexoid, HASH_FIND, NULL);
		if (entry != NULL)
			entry->valid = false;
		return;
	}
	hash_seq_init(&status, IndexInfoCache);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->valid = false;
}

/* Return the cache entry of index: its IndexInfo and executor state. */
static CachedIndexInfo *
cached_index_info(Relation index)
{
	Oid			indexoid = RelationGetRelid(index);
	CachedIndexInfo *entry;
	MemoryContext old;
	bool		found;

	if (IndexInfoCache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CachedIndexInfo);
		ctl.hcxt = CacheMemoryContext;
		IndexInfoCache = hash_create("immutable index info", 16, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(index_info_relcache_callback, (Datum) 0);
	}
	entry = hash_search(IndexInfoCache, &indexoid, HASH_ENTER, &found);
	if (!found)
	{
		entry->cxt = AllocSetContextCreate(CacheMemoryContext, "immutable index info",
										   ALLOCSET_SMALL_SIZES);
		entry->valid = false;
	}
	if (!entry->valid)
	{
		MemoryContextReset(entry->cxt);
		old = MemoryContextSwitchTo(entry->cxt);
		entry->info = BuildIndexInfo(index);
		entry->estate = CreateExecutorState();
		if (entry->info->ii_Predicate != NIL)
			entry->info->ii_PredicateState = ExecPrepareQual(entry->info->ii_Predicate,
															 entry->estate);
		MemoryContextSwitchTo(old);
		entry->valid = true;
	}
	return entry;
}

/*
 * Insert the index entry of the tuple in slot into index, as the executor
 * does: only when it satisfies the index's predicate, with its expressions
 * computed in the cached executor state.  An access method that holds
 * resources between insertions (BRIN's buffer pins, PostgreSQL 17 and
 * later) gets its insert state built in per-tuple memory and cleaned up
 * right after: the cached IndexInfo outlives the statement, and with it the
 * resource owner the pins belong to.  Its state from an insertion that
 * failed half-way is never used again.
 */
static void
insert_index_entry(Relation rel, Relation index, TupleTableSlot *slot)
{
	CachedIndexInfo *cached = cached_index_info(index);
	IndexInfo  *info = cached->info;
	ExprContext *econtext = GetPerTupleExprContext(cached->estate);
	bool		cleanup = IndexInsertNeedsCleanup(index);
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];

	econtext->ecxt_scantuple = slot;
	if (info->ii_PredicateState == NULL || ExecQual(info->ii_PredicateState, econtext))
	{
		FormIndexDatum(info, slot, cached->estate, values, isnull);
		if (cleanup)
		{
			info->ii_AmCache = NULL;
			info->ii_Context = econtext->ecxt_per_tuple_memory;
		}
		index_insert(index, values, isnull, &slot->tts_tid, rel,
					 index->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, info);
		if (cleanup)
		{
			IndexInsertCleanup(index, info);
			info->ii_AmCache = NULL;
			info->ii_Context = cached->cxt;
		}
	}
	ResetExprContext(econtext);
}

/*
 * Insert index entries for a new heap tuple through a new executor state,
 * as the executor does: for tables with deferred uniqueness.
 */
static void
insert_index_entries_executor(Relation rel, TupleTableSlot *slot)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	list_free(ExecInsertIndexTuplesCompat(rri, slot, estate));
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
}

/*
 * Insert the index entries of a new heap tuple (an insert, or an update that
 * is not heap-only), as the executor does: directly, through the executor
 * when an index checks uniqueness only at the end of the transaction or
 * belongs to an exclusion constraint (which only the executor checks).
 * Unique indexes and exclusion constraints are checked; a row this
 * transaction updated does not conflict with its successor.
 */
void
DirectInsertIndexEntries(Relation rel, TupleTableSlot *slot)
{
	List	   *oids = RelationGetIndexList(rel);
	Relation   *indexes = palloc(sizeof(Relation) * (list_length(oids) + 1));
	int			n = 0;
	bool		direct = true;
	ListCell   *lc;
	int			i;

	foreach(lc, oids)
	{
		indexes[n] = index_open(lfirst_oid(lc), RowExclusiveLock);
		direct = direct && indexes[n]->rd_index->indimmediate &&
			!indexes[n]->rd_index->indisexclusion;
		n++;
	}
	for (i = 0; direct && i < n; i++)
		insert_index_entry(rel, indexes[i], slot);
	for (i = 0; i < n; i++)
		index_close(indexes[i], NoLock);	/* kept to the end of the
											 * transaction */
	pfree(indexes);
	list_free(oids);
	if (!direct)
		insert_index_entries_executor(rel, slot);
}

/*
 * Insert the index entries of the new tuple of a heap-only update into the
 * summarizing indexes (BRIN) of rel, which the update left out of date, as
 * the executor does after table_tuple_update reported that only they need
 * entries.  Summarizing indexes are never unique nor deferred.
 */
void
DirectInsertSummarizingIndexEntries(Relation rel, TupleTableSlot *slot)
{
	List	   *oids = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, oids)
	{
		Relation	index = index_open(lfirst_oid(lc), RowExclusiveLock);

		if (IndexIsSummarizing(index))
			insert_index_entry(rel, index, slot);
		index_close(index, NoLock); /* kept to the end of the transaction */
	}
	list_free(oids);
}

/*
 * Fetch into slot the first row of heap whose index (a btree whose first
 * column is entity_id) has entity_id, scanning in direction under snapshot;
 * return false when there is none.
 */
bool
DirectFetchByEntity(Relation heap, Oid indexid, Datum entity_id, Snapshot snapshot,
					ScanDirection direction, TupleTableSlot *slot)
{
	Relation	index = index_open(indexid, AccessShareLock);
	ScanKeyData key;
	IndexScanDesc scan;
	bool		found;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, entity_id);
	scan = IndexBeginScan(heap, index, snapshot, 1);
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, direction, slot);
	index_endscan(scan);
	index_close(index, AccessShareLock);
	return found;
}

/* Insert the tuple in slot into rel, with its index entries. */
void
DirectInsert(Relation rel, TupleTableSlot *slot)
{
	table_tuple_insert(rel, slot, GetCurrentCommandId(true), 0, NULL);
	DirectInsertIndexEntries(rel, slot);
}

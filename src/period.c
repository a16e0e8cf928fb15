/*
 * period.c
 *		The AFTER INSERT trigger of versioned tables: closes the period of the
 *		version that a new version follows (its valid_to becomes the new
 *		version's valid_from).
 *
 * Current rows are the ones whose period is open (valid_to 'infinity'), so
 * reading the present is one pass without a self-join.  The close is a heap
 * update as UPDATE makes it, of the row the BEFORE trigger locked, without
 * running the table's triggers (UPDATE stays refused for everyone); the
 * user-visible columns of a version never change.  It runs after the insert
 * and only for rows that were inserted: a row skipped by ON CONFLICT DO
 * NOTHING or cancelled by a BEFORE trigger leaves its predecessor open.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "immutable.h"

PG_FUNCTION_INFO_V1(immutable_close_period);

/*
 * Can every index of rel be maintained without an executor state: no
 * expressions, no predicates, no deferred uniqueness?
 */
static bool
indexes_are_plain(Relation rel, List *indexes)
{
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), RowExclusiveLock);
		bool		plain = index->rd_index->indimmediate &&
			RelationGetIndexExpressions(index) == NIL &&
			RelationGetIndexPredicate(index) == NIL;

		index_close(index, RowExclusiveLock);
		if (!plain)
			return false;
	}
	return true;
}

/*
 * Insert index entries for a new tuple version that is not heap-only, as
 * the executor does after a non-HOT UPDATE: directly when the indexes are
 * plain, through an executor state (expressions, predicates) otherwise.
 */
static void
insert_index_entries(Relation rel, TupleTableSlot *slot)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	EState	   *estate;
	ResultRelInfo *rri;

	if (indexes_are_plain(rel, indexes))
	{
		foreach(lc, indexes)
		{
			Relation	index = index_open(lfirst_oid(lc), RowExclusiveLock);
			IndexInfo  *info = BuildIndexInfo(index);
			Datum		values[INDEX_MAX_KEYS];
			bool		isnull[INDEX_MAX_KEYS];

			/*
			 * The keys are those of the row version just updated, which held
			 * them rightfully: no uniqueness check, as for a HOT chain.
			 */
			FormIndexDatum(info, slot, NULL, values, isnull);
			index_insert(index, values, isnull, &slot->tts_tid, rel,
						 UNIQUE_CHECK_NO, false, info);
			index_close(index, RowExclusiveLock);
		}
		list_free(indexes);
		return;
	}
	list_free(indexes);

	estate = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	list_free(ExecInsertIndexTuplesCompat(rri, slot, estate));
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
}

/*
 * Fetch version (entity_id, version) into slot, seeing every committed row
 * and every row of this transaction.
 */
static bool
version_fetch(Relation rel, ManagedRelation *entry, Datum entity_id,
			  int32 version, TupleTableSlot *slot)
{
	Relation	index = index_open(entry->version_index, RowExclusiveLock);
	ScanKeyData keys[2];
	IndexScanDesc scan;
	bool		found;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_UUID_EQ, entity_id);
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(version));
	scan = IndexBeginScan(rel, index, SnapshotSelf, 2);
	index_rescan(scan, keys, 2, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	index_close(index, RowExclusiveLock);
	return found;
}

/*
 * Set valid_to of the version in slot to until, as UPDATE would.  The row
 * was locked by the BEFORE trigger (or written by this transaction), so
 * nobody else can have changed it.  A row the current command inserted
 * (several versions of one entity in one statement) is not visible to the
 * command yet: advance the command counter first, as SPI would.
 */
static void
close_version(Relation rel, ManagedRelation *entry, TupleTableSlot *version,
			  TimestampTz until)
{
	bool		should_free;
	HeapTuple	old = ExecFetchSlotHeapTuple(version, false, &should_free);
	Datum		value = TimestampTzGetDatum(until);
	bool		isnull = false;
	int			col = entry->att_valid_to;
	HeapTuple	closed = heap_modify_tuple_by_cols(old, RelationGetDescr(rel),
												   1, &col, &value, &isnull);
	TupleTableSlot *slot;
	TM_FailureData tmfd;
	LockTupleMode lockmode;
	TM_Result	result;
	bool		update_indexes;

	if (TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(old->t_data)) &&
		HeapTupleHeaderGetCmin(old->t_data) >= GetCurrentCommandId(false))
		CommandCounterIncrement();

	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
	ExecStoreHeapTuple(closed, slot, false);
	result = table_tuple_update(rel, &version->tts_tid, slot, GetCurrentCommandId(true),
								InvalidSnapshot, InvalidSnapshot, true, &tmfd,
								&lockmode, &update_indexes);
	if (result != TM_Ok)
		elog(ERROR, "unexpected result %d closing the period of a version",
			 (int) result);
	if (update_indexes)
		insert_index_entries(rel, slot);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * immutable.close_period() RETURNS trigger
 *
 * AFTER INSERT FOR EACH ROW on versioned tables.  For a new row with version
 * n > 1, sets valid_to of version n - 1 of the same entity to the new row's
 * valid_from.  Errors: XX001 when that version is missing or already closed
 * (only a change made outside the extension can cause either); 39P01 when
 * not called as described.
 */
Datum
immutable_close_period(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	ManagedRelation *entry;
	TupleDesc	desc;
	HeapTuple	tuple;
	TupleTableSlot *previous;
	bool		isnull;
	Datum		entity_id;
	int32		version;
	bool		open;

	TriggerCheckCall(fcinfo, "close_period", TRIGGER_EVENT_AFTER, true,
					 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT));
	rel = trigdata->tg_relation;
	entry = RegistryLookupVersioned(RelationGetRelid(rel));
	desc = RelationGetDescr(rel);
	tuple = trigdata->tg_trigtuple;
	version = DatumGetInt32(heap_getattr(tuple, entry->att_version, desc, &isnull));
	if (version <= 1)
		return PointerGetDatum(NULL);

	entity_id = heap_getattr(tuple, entry->att_entity_id, desc, &isnull);
	previous = table_slot_create(rel, NULL);
	open = version_fetch(rel, entry, entity_id, version - 1, previous) &&
		DatumGetTimestampTz(slot_getattr(previous, entry->att_valid_to, &isnull)) == DT_NOEND;
	if (!open)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("version %d of entity %s in table \"%s\" is missing or already closed",
						version - 1,
						DatumGetCString(DirectFunctionCall1(uuid_out, entity_id)),
						RelationGetRelationName(rel)),
				 errtable(rel)));
	close_version(rel, entry, previous,
				  DatumGetTimestampTz(heap_getattr(tuple, entry->att_valid_from, desc, &isnull)));
	ExecDropSingleTupleTableSlot(previous);
	return PointerGetDatum(NULL);
}

/*
 * versioning.c
 *		The BEFORE INSERT trigger of versioned tables: assigns id, entity_id,
 *		the next gapless version, valid_from and valid_to to every appended
 *		row.
 *
 * The entity's latest version (its "head") is found by a backward scan of
 * the unique index on (entity_id, version), never by a scan of the table,
 * and locked as UPDATE locks a row: that serializes the writers of one
 * entity.  Row locks live in the tuple, not in the shared lock table, so one
 * transaction can append any number of versions.  Closing the head's period
 * is left to the AFTER trigger (period.c), so that a row that is not
 * inserted after all (ON CONFLICT DO NOTHING, a later BEFORE trigger
 * returning NULL) leaves the head as it was.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "immutable.h"

PG_FUNCTION_INFO_V1(immutable_stamp_version);

/* The values the trigger reads from the row being inserted. */
typedef struct NewVersion
{
	bool		has_entity;
	Datum		entity_id;
	bool		has_version;
	int32		version;
	bool		tombstone;		/* deleted_at was set by the writer */
} NewVersion;

/* Return the entity id of a uuid datum as text, for messages. */
static char *
entity_text(Datum entity_id)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, entity_id));
}

/*
 * Fetch the latest version of entity_id into slot, seeing every committed
 * row and every row of this transaction (also those of the current command,
 * so that one COPY can load several versions of an entity).
 */
static bool
head_fetch(Relation rel, Relation index, Datum entity_id, TupleTableSlot *slot)
{
	ScanKeyData key;
	IndexScanDesc scan;
	bool		found;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, entity_id);
	scan = IndexBeginScan(rel, index, SnapshotSelf, 1);
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, BackwardScanDirection, slot);
	index_endscan(scan);
	return found;
}

/* Is the row in slot one this transaction wrote? */
static bool
slot_is_own(TupleTableSlot *slot)
{
	bool		isnull;
	Datum		xmin = slot_getsysattr(slot, MinTransactionIdAttributeNumber,
									   &isnull);

	return TransactionIdIsCurrentTransactionId(DatumGetTransactionId(xmin));
}

/*
 * Raise XX001 for a latest version whose period was closed without a
 * successor: only a change made outside the extension can do that.
 */
static void
report_closed_head(Relation rel, Datum entity_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("latest version of entity %s in table \"%s\" has a closed period",
					entity_text(entity_id), RelationGetRelationName(rel)),
			 errdetail("Its valid_to is set, but no later version exists."),
			 errhint("Set valid_to of that version back to 'infinity'."),
			 errtable(rel)));
}

/* Is the period of the version in slot still open (valid_to infinity)? */
static bool
period_is_open(ManagedRelation *entry, TupleTableSlot *slot)
{
	bool		isnull;

	return DatumGetTimestampTz(slot_getattr(slot, entry->att_valid_to, &isnull)) == DT_NOEND;
}

/*
 * Find the head of entity_id, lock it as UPDATE would, and leave it in slot;
 * return false when the entity has no version.  The lock is what serializes
 * the writers of one entity: a second writer waits for the first, finds the
 * head closed by it (an updated row), and starts again from the new head.  A
 * head this transaction wrote needs no lock: its predecessor is locked
 * already, or the entity is new and invisible to others.  The search sees
 * each row as of the moment it reaches it, so it can reach a version closed
 * by a writer that committed after the scan passed its successor: a closed
 * period means there is a newer version, so search again.
 */
static bool
head_lock(Relation rel, Relation index, ManagedRelation *entry,
		  Datum entity_id, TupleTableSlot *slot)
{
	ItemPointerData closed;

	ItemPointerSetInvalid(&closed);
	for (;;)
	{
		TM_FailureData tmfd;
		TM_Result	result;
		ItemPointerData tid;

		CHECK_FOR_INTERRUPTS();
		if (!head_fetch(rel, index, entity_id, slot))
			return false;
		if (!period_is_open(entry, slot))
		{
			if (ItemPointerEquals(&closed, &slot->tts_tid))
				report_closed_head(rel, entity_id);
			closed = slot->tts_tid;
			continue;
		}
		if (slot_is_own(slot))
			return true;

		tid = slot->tts_tid;
		result = table_tuple_lock(rel, &tid, GetActiveSnapshot(), slot,
								  GetCurrentCommandId(true),
								  LockTupleNoKeyExclusive, LockWaitBlock,
								  0, &tmfd);
		if (result == TM_Ok)
			return true;
		if (result != TM_Updated && result != TM_Deleted)
			elog(ERROR, "unexpected result %d locking the latest version",
				 (int) result);
	}
}

/*
 * Under REPEATABLE READ and SERIALIZABLE, appending to a head the
 * transaction's snapshot cannot see would build on a state the transaction
 * never read: fail as UPDATE does for a concurrently updated row.
 */
static void
check_head_visible(Relation rel, TupleTableSlot *head, Datum entity_id)
{
	if (!IsolationUsesXactSnapshot() || slot_is_own(head))
		return;
	if (!table_tuple_satisfies_snapshot(rel, head, GetActiveSnapshot()))
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent version of entity %s",
						entity_text(entity_id)),
				 errtable(rel)));
}

/* Check that a row creating an entity is a live version 1 (or unnumbered). */
static void
check_first_version(Relation rel, NewVersion *row)
{
	if (row->has_entity && !row->has_version)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("entity %s does not exist in table \"%s\"",
						entity_text(row->entity_id), RelationGetRelationName(rel)),
				 errhint("Leave entity_id NULL to create a new entity, or give "
						 "version 1 to create one with this entity_id."),
				 errtable(rel)));
	if (row->has_version && row->version != 1)
		ereport(ERROR,
				(errcode(row->has_entity ? ERRCODE_NO_DATA_FOUND :
						 ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("version %d cannot start a new entity in table \"%s\"",
						row->version, RelationGetRelationName(rel)),
				 row->has_entity ?
				 errdetail("Entity %s does not exist.", entity_text(row->entity_id)) :
				 errdetail("A row without entity_id starts a new entity at version 1."),
				 errhint("Leave version NULL, or give the entity_id of an existing entity."),
				 errtable(rel)));
	if (row->tombstone)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the first version of an entity cannot be a tombstone"),
				 errhint("Insert the entity with deleted_at NULL, then delete it."),
				 errtable(rel)));
}

/* Check that the natural key of the new version equals the head's. */
static void
check_key_unchanged(Relation rel, ManagedRelation *entry, HeapTuple newtuple,
					TupleTableSlot *head)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < entry->nkeys; i++)
	{
		AttrNumber	attnum = entry->keys[i];
		Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
		bool		newnull;
		bool		oldnull;
		Datum		newval = heap_getattr(newtuple, attnum, desc, &newnull);
		Datum		oldval = slot_getattr(head, attnum, &oldnull);

		if (newnull == oldnull &&
			(newnull || datum_image_eq(newval, oldval, att->attbyval, att->attlen)))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("cannot change key column \"%s\" of an entity of versioned table \"%s\"",
						NameStr(att->attname), RelationGetRelationName(rel)),
				 errdetail("The key identifies the entity in every version."),
				 errhint("Delete the entity and insert a new one with the new key."),
				 errtablecol(rel, attnum)));
	}
}

/*
 * Check the new version against the locked head and return its number:
 * a client-supplied version must be the next one, the head must not be
 * younger than this transaction, and a deleted entity takes no tombstone.
 */
static int32
next_version(Relation rel, ManagedRelation *entry, NewVersion *row,
			 HeapTuple newtuple, TupleTableSlot *head, TimestampTz now)
{
	bool		isnull;
	int32		head_version;
	TimestampTz head_from;
	bool		head_deleted;

	check_head_visible(rel, head, row->entity_id);
	head_version = DatumGetInt32(slot_getattr(head, entry->att_version, &isnull));
	head_from = DatumGetTimestampTz(slot_getattr(head, entry->att_valid_from, &isnull));
	(void) slot_getattr(head, entry->att_deleted_at, &head_deleted);
	head_deleted = !head_deleted;

	if (row->has_version && row->version != head_version + 1)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("version %d of entity %s is not the next version",
						row->version, entity_text(row->entity_id)),
				 errdetail("The latest version of the entity in table \"%s\" is %d.",
						   RelationGetRelationName(rel), head_version),
				 errhint("Read the entity again and retry, or leave version NULL to append the next version."),
				 errtable(rel)));
	if (head_from > now)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("entity %s was changed by a transaction that started later than this one",
						entity_text(row->entity_id)),
				 errdetail("Its latest version in table \"%s\" is valid from %s, this transaction started at %s.",
						   RelationGetRelationName(rel),
						   timestamptz_to_str(head_from), timestamptz_to_str(now)),
				 errhint("Retry the transaction."),
				 errtable(rel)));
	if (row->tombstone && head_deleted)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("entity %s is already deleted", entity_text(row->entity_id)),
				 errhint("Undelete it first with immutable.undelete()."),
				 errtable(rel)));
	check_key_unchanged(rel, entry, newtuple, head);
	return head_version + 1;
}

/* Read entity_id, version and deleted_at as the writer gave them. */
static void
read_new_version(ManagedRelation *entry, HeapTuple tuple, TupleDesc desc,
				 NewVersion *row)
{
	bool		isnull;
	Datum		value;

	row->entity_id = heap_getattr(tuple, entry->att_entity_id, desc, &isnull);
	row->has_entity = !isnull;
	value = heap_getattr(tuple, entry->att_version, desc, &isnull);
	row->has_version = !isnull;
	row->version = isnull ? 0 : DatumGetInt32(value);
	(void) heap_getattr(tuple, entry->att_deleted_at, desc, &isnull);
	row->tombstone = !isnull;
}

/*
 * Return the number of the version the row appends, locking the entity's
 * head first when the entity exists.
 */
static int32
assign_version(Relation rel, ManagedRelation *entry, NewVersion *row,
			   HeapTuple tuple, TimestampTz now)
{
	Relation	index;
	TupleTableSlot *head;
	int32		version = 1;

	if (!row->has_entity)
	{
		check_first_version(rel, row);
		return 1;
	}

	index = index_open(entry->version_index, RowExclusiveLock);
	head = table_slot_create(rel, NULL);
	if (head_lock(rel, index, entry, row->entity_id, head))
		version = next_version(rel, entry, row, tuple, head, now);
	else
		check_first_version(rel, row);
	ExecDropSingleTupleTableSlot(head);
	index_close(index, RowExclusiveLock);
	return version;
}

/*
 * immutable.stamp_version() RETURNS trigger
 *
 * BEFORE INSERT FOR EACH ROW on versioned tables, named to fire after the
 * table's other BEFORE INSERT triggers.  Sets id to a new UUIDv7 (RFC 9562),
 * entity_id to id for a new entity, version to the next gapless number
 * (1 for a new entity), valid_from to the transaction start time
 * (microseconds), valid_to to 'infinity', and deleted_at to the transaction
 * start time on a tombstone (a row the writer gave a deleted_at) or NULL;
 * sets valid_to of the version it supersedes to the transaction start time.  Errors, all with the table in the
 * error fields: 40001 when a given version is not the next one, when the
 * head is younger than this transaction, or (REPEATABLE READ) when the head
 * is invisible to the transaction; P0002 for an unknown entity_id without
 * version 1; 22023 for a new entity with a version other than 1 or as a
 * tombstone; 55000 for a tombstone of a deleted entity; 23001 for a changed
 * natural key; 39P01 when not called as described.
 */
Datum
immutable_stamp_version(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	ManagedRelation *entry;
	HeapTuple	tuple;
	NewVersion	row;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	pg_uuid_t  *id;
	int			cols[6];
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, true, false};

	TriggerCheckCall(fcinfo, "stamp_version", TRIGGER_EVENT_BEFORE, true,
					 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT));
	rel = trigdata->tg_relation;
	entry = RegistryLookupVersioned(RelationGetRelid(rel));
	tuple = trigdata->tg_trigtuple;
	read_new_version(entry, tuple, RelationGetDescr(rel), &row);

	id = Uuidv7Generate();
	cols[0] = entry->att_id;
	values[0] = UUIDPGetDatum(id);
	cols[1] = entry->att_entity_id;
	values[1] = row.has_entity ? row.entity_id : UUIDPGetDatum(id);
	cols[2] = entry->att_version;
	values[2] = Int32GetDatum(assign_version(rel, entry, &row, tuple, now));
	cols[3] = entry->att_valid_from;
	values[3] = TimestampTzGetDatum(now);
	cols[4] = entry->att_deleted_at;
	values[4] = TimestampTzGetDatum(now);
	nulls[4] = !row.tombstone;
	cols[5] = entry->att_valid_to;
	values[5] = TimestampTzGetDatum(DT_NOEND);

	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel),
													 6, cols, values, nulls));
}

/*
 * versioned_stamp.c
 *		The BEFORE INSERT trigger of versioned tables: assigns id, entity_id,
 *		the next gapless version and valid_from to every appended row, and
 *		makes it the entity's head.
 *
 * The entity's latest version (its "head") is a row of the heads table
 * (heads.c), found under its primary key, never by a scan.  The trigger
 * replaces it with the new version in one heap update, as UPDATE would: the
 * update waits for a concurrent writer of the same entity, and when that
 * writer committed, the trigger starts again from the new head.  That is
 * what keeps versions gapless, and, as row locks live in the tuple and not
 * in the shared lock table, one transaction can append any number of
 * versions.  The versioned table itself only ever receives inserts.
 *
 * A new entity's head is inserted by the AFTER trigger instead (heads.c), so
 * that a first version skipped by ON CONFLICT DO NOTHING leaves no head.  A
 * later version can only be skipped by a BEFORE trigger firing after this
 * one, which the trigger refuses.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "chain.h"
#include "direct.h"
#include "guard.h"
#include "registry.h"
#include "triggers.h"
#include "versioned_heads.h"
#include "uuidv7.h"

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

/*
 * The version a new row follows, in a slot of the heads table (attmap maps
 * the versioned table's attribute numbers - 1 to the slot's) or of the
 * versioned table itself (attmap NULL).
 */
typedef struct Predecessor
{
	TupleTableSlot *slot;
	const AttrNumber *attmap;
} Predecessor;

/* Return the entity id of a uuid datum as text, for messages. */
static char *
entity_text(Datum entity_id)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, entity_id));
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

/* Return column attnum of the versioned table from the predecessor. */
static Datum
predecessor_attr(Predecessor *prev, AttrNumber attnum, bool *isnull)
{
	return slot_getattr(prev->slot, prev->attmap ? prev->attmap[attnum - 1] : attnum,
						isnull);
}

/*
 * Fetch the latest version of entity_id in the versioned table itself,
 * seeing every committed row and every row of this transaction, also those
 * of the current command.
 */
static bool
latest_version_fetch(Relation rel, ManagedRelation *entry, Datum entity_id,
					 TupleTableSlot *slot)
{
	return DirectFetchByEntity(rel, entry->versioned.version_index, entity_id, SnapshotSelf,
							   BackwardScanDirection, slot);
}

/* Raise XX001 for an entity that has versions but no head. */
static void
report_missing_head(Relation rel, ManagedRelation *entry, Datum entity_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("entity %s of versioned table \"%s\" has no row in its heads table \"%s\"",
					entity_text(entity_id), RelationGetRelationName(rel),
					get_rel_name(entry->heads)),
			 errdetail("Only a change made outside the extension can remove a head."),
			 errhint("Rebuild the heads table: call immutable.make_mutable() and immutable.make_versioned() on the table."),
			 errtable(rel)));
}

/* Raise 40001 for a head changed by a transaction this one cannot see. */
static void
report_concurrent_version(Relation rel, Datum entity_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to concurrent version of entity %s",
					entity_text(entity_id)),
			 errhint("Retry the transaction."),
			 errtable(rel)));
}

/*
 * Under REPEATABLE READ and SERIALIZABLE, appending to a head the
 * transaction's snapshot cannot see would build on a state the transaction
 * never read: fail as UPDATE does for a concurrently updated row.
 */
static void
check_head_visible(Relation rel, Relation heads, TupleTableSlot *head,
				   Datum entity_id)
{
	if (!IsolationUsesXactSnapshot() || slot_is_own(head))
		return;
	if (!table_tuple_satisfies_snapshot(heads, head, GetActiveSnapshot()))
		report_concurrent_version(rel, entity_id);
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
					Predecessor *prev)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < entry->versioned.nkeys; i++)
	{
		AttrNumber	attnum = entry->versioned.keys[i];
		Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
		bool		newnull;
		bool		oldnull;
		Datum		newval = heap_getattr(newtuple, attnum, desc, &newnull);
		Datum		oldval = predecessor_attr(prev, attnum, &oldnull);

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
 * Check the new version against its predecessor and return its number:
 * a client-supplied version must be the next one, the predecessor must not
 * be younger than this transaction, and a deleted entity takes no tombstone.
 */
static int32
next_version(Relation rel, ManagedRelation *entry, NewVersion *row,
			 HeapTuple newtuple, Predecessor *prev, TimestampTz now)
{
	bool		isnull;
	int32		head_version;
	TimestampTz head_from;
	bool		head_deleted;

	head_version = DatumGetInt32(predecessor_attr(prev, entry->versioned.att_version, &isnull));
	head_from = DatumGetTimestampTz(predecessor_attr(prev, entry->versioned.att_valid_from, &isnull));
	(void) predecessor_attr(prev, entry->versioned.att_deleted_at, &head_deleted);
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
	{
		char	   *head_text = pstrdup(timestamptz_to_str(head_from));

		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("entity %s was changed by a transaction that started later than this one",
						entity_text(row->entity_id)),
				 errdetail("Its latest version in table \"%s\" is valid from %s, this transaction started at %s.",
						   RelationGetRelationName(rel),
						   head_text, timestamptz_to_str(now)),
				 errhint("Retry the transaction."),
				 errtable(rel)));
	}
	if (row->tombstone && head_deleted)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("entity %s is already deleted", entity_text(row->entity_id)),
				 errhint("Undelete it first with immutable.undelete()."),
				 errtable(rel)));
	check_key_unchanged(rel, entry, newtuple, prev);
	return head_version + 1;
}

/* Read entity_id, version and deleted_at as the writer gave them. */
static void
read_new_version(ManagedRelation *entry, HeapTuple tuple, TupleDesc desc,
				 NewVersion *row)
{
	bool		isnull;
	Datum		value;

	row->entity_id = heap_getattr(tuple, entry->versioned.att_entity_id, desc, &isnull);
	row->has_entity = !isnull;
	value = heap_getattr(tuple, entry->versioned.att_version, desc, &isnull);
	row->has_version = !isnull;
	row->version = isnull ? 0 : DatumGetInt32(value);
	(void) heap_getattr(tuple, entry->versioned.att_deleted_at, desc, &isnull);
	row->tombstone = !isnull;
}

/*
 * Return the row as written: tuple with id, entity_id, version, valid_from
 * and deleted_at assigned, and on a hashed table linked to its predecessor
 * prev (NULL for version 1).
 */
static HeapTuple
stamp(Relation rel, ManagedRelation *entry, HeapTuple tuple, NewVersion *row,
	  Datum id, int32 version, TimestampTz now, Predecessor *prev)
{
	HeapTuple	stamped;
	int			cols[5];
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	cols[0] = entry->versioned.att_id;
	values[0] = id;
	cols[1] = entry->versioned.att_entity_id;
	values[1] = row->has_entity ? row->entity_id : id;
	cols[2] = entry->versioned.att_version;
	values[2] = Int32GetDatum(version);
	cols[3] = entry->versioned.att_valid_from;
	values[3] = TimestampTzGetDatum(now);
	cols[4] = entry->versioned.att_deleted_at;
	values[4] = TimestampTzGetDatum(now);
	nulls[4] = !row->tombstone;
	stamped = heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), 5, cols, values, nulls);
	if (!entry->hashed)
		return stamped;
	return ChainLinkTuple(entry, RelationGetDescr(rel), stamped,
						  prev ? ChainSlotHash(prev->slot, prev->attmap ?
											   prev->attmap[entry->chain.att_hash - 1] :
											   entry->chain.att_hash, rel) : NULL);
}

/*
 * Stamp a row of an entity that has no head.  Either the entity is new (the
 * AFTER trigger inserts its head), or its first version was inserted by this
 * statement and awaits that trigger: the row then follows the entity's
 * latest version in the table and becomes the head right away.  Returns
 * NULL when the entity has a committed version after all (its creator
 * committed after the head was searched): search again.
 */
static HeapTuple
append_without_head(Relation rel, ManagedRelation *entry, Relation heads,
					NewVersion *row, HeapTuple tuple, Datum id, TimestampTz now)
{
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	Predecessor prev = {slot, NULL};
	HeapTuple	result = NULL;

	if (!latest_version_fetch(rel, entry, row->entity_id, slot))
	{
		check_first_version(rel, row);
		result = stamp(rel, entry, tuple, row, id, 1, now, NULL);
	}
	else if (slot_is_own(slot))
	{
		result = stamp(rel, entry, tuple, row, id,
					   next_version(rel, entry, row, tuple, &prev, now), now, &prev);
		HeadsInsertEarly(entry, heads, result, row->entity_id);
	}
	ExecDropSingleTupleTableSlot(slot);
	return result;
}

/*
 * Refuse a later version while the table has a unique index that could make
 * ON CONFLICT skip the row after it became the entity's head.
 */
static void
check_no_other_unique(Relation rel, ManagedRelation *entry)
{
	if (OidIsValid(entry->versioned.other_unique_index))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("versioned table \"%s\" has unique index \"%s\", which does not end in column version",
						RelationGetRelationName(rel),
						get_rel_name(entry->versioned.other_unique_index)),
				 errdetail("Every version is a row of its own, so a unique or exclusion index must include the column version."),
				 errhint("Drop the index, or recreate it with version as its last column."),
				 errtable(rel)));
}

/*
 * Stamp a row of an existing entity and make it the entity's head, waiting
 * for a concurrent writer of the entity first.  Returns the row as written.
 */
static HeapTuple
append_version(Relation rel, ManagedRelation *entry, NewVersion *row,
			   HeapTuple tuple, Datum id, TimestampTz now)
{
	Relation	heads = table_open(entry->heads, RowExclusiveLock);
	TupleTableSlot *slot = table_slot_create(heads, NULL);
	Predecessor prev = {slot, HEADS_ATTMAP(entry)};
	HeapTuple	result = NULL;
	int			headless = 0;

	check_no_other_unique(rel, entry);
	while (result == NULL)
	{
		CHECK_FOR_INTERRUPTS();
		if (!HeadsFetch(entry, heads, row->entity_id, SnapshotSelf, slot))
		{
			result = append_without_head(rel, entry, heads, row, tuple, id, now);
			if (result == NULL && ++headless > 1)
				report_missing_head(rel, entry, row->entity_id);
			continue;
		}
		check_head_visible(rel, heads, slot, row->entity_id);
		result = stamp(rel, entry, tuple, row, id,
					   next_version(rel, entry, row, tuple, &prev, now), now, &prev);
		if (HeadsUpdate(entry, heads, slot, result) == TM_Ok)
			break;
		/* a concurrent writer committed a new head: build on that one */
		if (IsolationUsesXactSnapshot())
			report_concurrent_version(rel, row->entity_id);
		heap_freetuple(result);
		result = NULL;
	}
	ExecDropSingleTupleTableSlot(slot);
	table_close(heads, NoLock);
	return result;
}

/*
 * immutable.stamp_version() RETURNS trigger
 *
 * Trigger function (BEFORE INSERT FOR EACH ROW) of versioned tables: assigns
 * id (UUIDv7), entity_id, the next gapless version, valid_from (transaction
 * start time), stamps deleted_at on tombstones, and makes the row the entity's
 * row in the heads table, waiting for a concurrent writer of the same entity
 * first.  Named to fire after the table's other BEFORE INSERT triggers.  Sets
 * id to a new UUIDv7 (RFC 9562), entity_id to id for a new entity, version to
 * the next gapless number (1 for a new entity), valid_from to the transaction
 * start time (microseconds), and deleted_at to the transaction start time on a
 * tombstone (a row the writer gave a deleted_at) or NULL; the row replaces
 * the entity's row in the heads table.  Errors, all with the table in the
 * error fields: 40001 when a given version is not the next one, when the
 * head is younger than this transaction, or (REPEATABLE READ) when the head
 * was changed by a transaction the snapshot cannot see; P0002 for an
 * unknown entity_id without version 1; 22023 for a new entity with a
 * version other than 1 or as a tombstone; 55000 for a tombstone of a
 * deleted entity, a BEFORE INSERT trigger that fires later, or a later
 * version while the table has a unique index that does not end in version
 * (other than the primary key on id); 23001 for a
 * changed natural key; XX001 for an entity without head; 39P01 when not
 * called as described.
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
	Datum		id;

	TriggerCheckCall(fcinfo, "stamp_version", TRIGGER_EVENT_BEFORE, true,
					 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT));
	rel = trigdata->tg_relation;
	TriggerCheckFiresLast(rel, trigdata->tg_trigger, TRIGGER_TYPE_INSERT);
	entry = RegistryLookupVersioned(RelationGetRelid(rel));
	tuple = trigdata->tg_trigtuple;
	read_new_version(entry, tuple, RelationGetDescr(rel), &row);
	id = UUIDPGetDatum(Uuidv7Generate());

	if (!row.has_entity)
	{
		check_first_version(rel, &row);
		return PointerGetDatum(stamp(rel, entry, tuple, &row, id, 1, now, NULL));
	}
	return PointerGetDatum(append_version(rel, entry, &row, tuple, id, now));
}

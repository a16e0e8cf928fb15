/*
 * versioned_entity.c
 *		The entity functions of versioned tables (update, delete, undelete,
 *		get, status).
 *
 * A table is named by a typed NULL of its row type (NULL::tasks), so results
 * come back as that row type.  Every statement reads or appends whole rows
 * of the table's row type; the BEFORE INSERT trigger does the versioning.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "args.h"
#include "ddl.h"
#include "versioned_entity.h"
#include "versioned_heads.h"
#include "plans.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(immutable_update);
PG_FUNCTION_INFO_V1(immutable_delete);
PG_FUNCTION_INFO_V1(immutable_undelete);
PG_FUNCTION_INFO_V1(immutable_get);
PG_FUNCTION_INFO_V1(immutable_status);

/*
 * Fetch the version of an entity current at time at (DT_NOEND: the latest)
 * through SPI, as a row of the table's type valid in the caller's memory
 * context.  Caller is connected to SPI.
 */
static bool
fetch_version_at(ManagedRelation *entry, Datum entity_id, TimestampTz at,
				 bool read_only, Datum *row, bool *deleted)
{
	Datum		args[2] = {entity_id, TimestampTzGetDatum(at)};
	bool		isnull;

	if (PlanExecute(entry, PLAN_AS_OF_ENTITY, args, read_only, 1) == 0)
		return false;
	*row = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull),
							 false, -1);
	*deleted = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 2, &isnull));
	return true;
}

/*
 * Find the same version as fetch_version_at in the versioned table, with a
 * backward scan of the (entity_id, version) index under the active snapshot,
 * without SPI or the executor: the first version from the newest down that
 * started at or before at.  It checks no privileges; see
 * EntityDirectReadAllowed.
 */
bool
EntityScanTableAt(ManagedRelation *entry, Datum entity_id, TimestampTz at,
				  Datum *row, bool *deleted)
{
	Relation	rel = table_open(entry->relid, AccessShareLock);
	Relation	index = index_open(entry->versioned.version_index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	ScanKeyData key;
	IndexScanDesc scan;
	bool		found = false;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_UUID_EQ, entity_id);
	scan = IndexBeginScan(rel, index, GetActiveSnapshot(), 1);
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, BackwardScanDirection, slot))
	{
		bool		isnull;

		if (DatumGetTimestampTz(slot_getattr(slot, entry->versioned.att_valid_from, &isnull)) > at)
			continue;
		(void) slot_getattr(slot, entry->versioned.att_deleted_at, &isnull);
		*deleted = !isnull;
		*row = ExecFetchSlotHeapTupleDatum(slot);
		found = true;
		break;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	table_close(rel, AccessShareLock);
	return found;
}

/* Return the row in head (a slot of the heads table) in the versioned table's layout. */
HeapTuple
EntityHeadRow(ManagedRelation *entry, TupleTableSlot *head)
{
	bool		should_free;
	HeapTuple	tuple = ExecFetchSlotHeapTuple(head, false, &should_free);

	return entry->versioned.from_heads ? execute_attr_map_tuple(tuple, entry->versioned.from_heads) :
		heap_copytuple(tuple);
}

/* Return column attnum of the versioned table from head, a heads slot. */
Datum
EntityHeadAttr(ManagedRelation *entry, TupleTableSlot *head, AttrNumber attnum,
			   bool *isnull)
{
	const AttrNumber *attmap = HEADS_ATTMAP(entry);

	return slot_getattr(head, attmap ? attmap[attnum - 1] : attnum, isnull);
}

/*
 * Find the same version as fetch_version_at directly: the entity's head
 * when it started at or before at (always for the latest), an earlier
 * version from the versioned table otherwise.
 */
static bool
scan_version_at(ManagedRelation *entry, Datum entity_id, TimestampTz at,
				Datum *row, bool *deleted)
{
	Relation	heads = table_open(entry->heads, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heads, NULL);
	bool		found = HeadsFetch(entry, heads, entity_id, GetActiveSnapshot(), slot);
	bool		isnull;
	bool		should_free;

	if (found &&
		DatumGetTimestampTz(EntityHeadAttr(entry, slot, entry->versioned.att_valid_from, &isnull)) <= at)
	{
		(void) EntityHeadAttr(entry, slot, entry->versioned.att_deleted_at, &isnull);
		*deleted = !isnull;
		*row = heap_copy_tuple_as_datum(entry->versioned.from_heads ? EntityHeadRow(entry, slot) :
										ExecFetchSlotHeapTuple(slot, false, &should_free),
										entry->versioned.table_desc);
	}
	else if (found)
		found = EntityScanTableAt(entry, entity_id, at, row, deleted);
	ExecDropSingleTupleTableSlot(slot);
	table_close(heads, AccessShareLock);
	return found;
}

/*
 * Would the direct scan return what the SQL statement returns?  Only when
 * the user may read the whole table and no row security policy applies;
 * otherwise the statement runs, and PostgreSQL enforces both.
 */
bool
EntityDirectReadAllowed(Oid relid)
{
	return pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK &&
		check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
}

/*
 * Read the version of an entity current at time at (DT_NOEND: the latest)
 * for the read functions; return false when there is none.  The row is a
 * row of the table's type in the caller's memory context.
 */
bool
EntityReadAt(ManagedRelation *entry, Datum entity_id, TimestampTz at,
			 Datum *row, bool *deleted)
{
	bool		found;

	if (EntityDirectReadAllowed(entry->relid))
		return scan_version_at(entry, entity_id, at, row, deleted);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	found = fetch_version_at(entry, entity_id, at, true, row, deleted);
	SPI_finish();
	return found;
}

/*
 * Return found's row as the result of a set-returning read function: one
 * row, or none when the function found nothing (a set, not a NULL row, so
 * that SELECT * FROM it and ORMs see no row).
 */
Datum
EntityReturnRow(FunctionCallInfo fcinfo, bool found, Datum row)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HeapTupleData tuple;

	/* 1.0's catalog, until ALTER EXTENSION UPDATE: a row or NULL */
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
	{
		fcinfo->isnull = !found;
		return found ? row : (Datum) 0;
	}
	MaterializedSRFInit(fcinfo);
	if (found)
	{
		ArgRowAsTuple(row, &tuple);
		tuplestore_puttuple(rsinfo->setResult, &tuple);
	}
	return (Datum) 0;
}

/*
 * Return a copy of row with version and deleted_at replaced: the row the
 * next version of the same entity starts from.
 */
static Datum
row_as_next_version(ManagedRelation *entry, Datum row, bool tombstone)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(entry->rowtype, -1);
	HeapTupleData tuple;
	Datum	   *values = palloc(desc->natts * sizeof(Datum));
	bool	   *nulls = palloc(desc->natts * sizeof(bool));
	HeapTuple	next;

	ArgRowAsTuple(row, &tuple);
	heap_deform_tuple(&tuple, desc, values, nulls);

	values[entry->versioned.att_version - 1] =
		Int32GetDatum(DatumGetInt32(values[entry->versioned.att_version - 1]) + 1);
	values[entry->versioned.att_deleted_at - 1] =
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	nulls[entry->versioned.att_deleted_at - 1] = !tombstone;

	next = heap_form_tuple(desc, values, nulls);
	ReleaseTupleDesc(desc);
	return HeapTupleGetDatum(next);
}

/*
 * Return the row the kept INSERT just returned, valid in the caller's memory
 * context, or (Datum) 0 when it returned none: a BEFORE INSERT trigger of
 * the table cancelled the row (returned NULL), as it may for any INSERT.
 */
static Datum
inserted_row(void)
{
	bool		isnull;

	if (SPI_processed == 0)
		return (Datum) 0;
	return SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull),
							 false, -1);
}

/*
 * Rethrow the error being handled, with hint as its hint when it is a
 * serialization failure (40001): the versioning trigger's hint speaks of the
 * version column of an INSERT into the table, which callers that number the
 * version themselves (the current view, update(), delete(), undelete()) do
 * not have.  Call in PG_CATCH; context is the caller's memory context.
 */
void
EntityRethrowConflict(MemoryContext context, const char *hint)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(context);
	edata = CopyErrorData();
	if (edata->sqlerrcode != ERRCODE_T_R_SERIALIZATION_FAILURE)
		PG_RE_THROW();
	FlushErrorState();
	edata->hint = pstrdup(hint);
	ReThrowError(edata);
}

/* The 40001 hint of update(), delete() and undelete(). */
#define FUNCTION_CONFLICT_HINT \
	"Retry the transaction: the function appends to the version it read."

/*
 * Append row (of the table's type) through the kept INSERT, so that the
 * table's triggers run, and return the row as written, valid in the caller's
 * memory context; (Datum) 0 when a BEFORE INSERT trigger of the table
 * cancelled it.  Caller is connected to SPI.
 */
Datum
EntityInsertRow(ManagedRelation *entry, Datum row)
{
	(void) PlanExecute(entry, PLAN_INSERT, &row, false, 0);
	return inserted_row();
}

/*
 * Raise 55000 for a version of update(), delete() or undelete() that a
 * BEFORE INSERT trigger of the table cancelled: the function would have
 * nothing to return, and the caller would believe the version written.
 */
static void
report_cancelled_version(Oid relid, const char *funcname)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("a BEFORE INSERT trigger of table \"%s\" cancelled the version immutable.%s() appends",
					get_rel_name(relid), funcname),
			 errdetail("The trigger returned NULL for the row."),
			 errhint("Let the trigger return the row it is given for the versions of immutable.%s().",
					 funcname)));
}

/* Raise P0002 for an entity that has no version. */
static void
report_unknown_entity(Oid relid, Datum entity_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("entity %s does not exist in table \"%s\"",
					DatumGetCString(DirectFunctionCall1(uuid_out, entity_id)),
					get_rel_name(relid))));
}

/* Raise 55000 for an entity in the wrong state for the operation. */
static void
report_entity_state(Oid relid, Datum entity_id, bool deleted, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("entity %s of table \"%s\" is %s",
					DatumGetCString(DirectFunctionCall1(uuid_out, entity_id)),
					get_rel_name(relid), deleted ? "deleted" : "not deleted"),
			 errhint("%s", hint)));
}

/*
 * Check that every key of changes names a column that update() may set:
 * 42703 for an unknown column, 22023 for a fixed column.
 */
static void
check_changes(Oid relid, Jsonb *changes)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;

	if (!JB_ROOT_IS_OBJECT(changes) || JB_ROOT_IS_SCALAR(changes))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("changes must be a JSON object of column names and values")));

	it = JsonbIteratorInit(&changes->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *column;
		AttrNumber	attnum;

		if (token != WJB_KEY)
			continue;
		column = pnstrdup(v.val.string.val, v.val.string.len);
		attnum = get_attnum(relid, column);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							column, get_rel_name(relid))));
		if (strcmp(column, COL_ID) == 0 || strcmp(column, COL_ENTITY_ID) == 0 ||
			strcmp(column, COL_VERSION) == 0 || strcmp(column, COL_VALID_FROM) == 0 ||
			strcmp(column, COL_DELETED_AT) == 0 || strcmp(column, COL_PREV_HASH) == 0 ||
			strcmp(column, COL_HASH) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" cannot be changed by immutable.update()", column),
					 errdetail("The versioning trigger assigns id, entity_id, version, valid_from, deleted_at, prev_hash and hash."),
					 strcmp(column, COL_DELETED_AT) == 0 ?
					 errhint("Use immutable.delete() and immutable.undelete() for deleted_at.") :
					 errhint("Leave the column out of changes.")));
	}
}

/*
 * immutable.update(rel anyelement, entity_id uuid, changes jsonb)
 * RETURNS anyelement
 *
 * Appends the next version of a live entity: its current version with the
 * keys of changes applied as jsonb_populate_record applies them.  Returns
 * the new version.  Errors: 22004 NULL entity_id or changes; 42809 rel not
 * a table row; 42P01 table dropped (ArgTypedTable); 55000 table not
 * versioned or its heads table changed by hand (RegistryLookupVersioned),
 * entity deleted, or the version cancelled by a BEFORE INSERT trigger;
 * 42703 unknown column; 22023 fixed column or changes not an object; P0002
 * unknown entity; 40001 when another writer appended a version meanwhile.
 */
Datum
immutable_update(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTypedTable(fcinfo);
	Datum		entity_id = ArgNotNull(fcinfo, 1, "entity_id");
	Jsonb	   *changes = DatumGetJsonbP(ArgNotNull(fcinfo, 2, "changes"));
	ManagedRelation *entry = RegistryLookupVersioned(relid);
	MemoryContext context;
	Datum		args[2];
	Datum		head;
	bool		deleted;

	check_changes(relid, changes);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	context = CurrentMemoryContext;
	if (!fetch_version_at(entry, entity_id, DT_NOEND, false, &head, &deleted))
		report_unknown_entity(relid, entity_id);
	if (deleted)
		report_entity_state(relid, entity_id, true,
							"Undelete it first with immutable.undelete().");

	args[0] = row_as_next_version(entry, head, false);
	args[1] = JsonbPGetDatum(changes);
	PG_TRY();
	{
		(void) PlanExecute(entry, PLAN_UPDATE, args, false, 0);
	}
	PG_CATCH();
	{
		EntityRethrowConflict(context, FUNCTION_CONFLICT_HINT);
	}
	PG_END_TRY();
	head = inserted_row();
	if (head == (Datum) 0)
		report_cancelled_version(relid, "update");
	SPI_finish();
	PG_RETURN_DATUM(head);
}

/*
 * Append the version that follows the head of a deleted (undelete) or live
 * (delete) entity, and return it.
 */
static Datum
append_state_change(FunctionCallInfo fcinfo, bool tombstone)
{
	Oid			relid = ArgTypedTable(fcinfo);
	Datum		entity_id = ArgNotNull(fcinfo, 1, "entity_id");
	ManagedRelation *entry = RegistryLookupVersioned(relid);
	MemoryContext context;
	Datum		head;
	Datum		next;
	bool		deleted;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	context = CurrentMemoryContext;
	if (!fetch_version_at(entry, entity_id, DT_NOEND, false, &head, &deleted))
		report_unknown_entity(relid, entity_id);
	if (deleted == tombstone)
		report_entity_state(relid, entity_id, deleted,
							deleted ? "Undelete it first with immutable.undelete()." :
							"Only a deleted entity can be undeleted.");
	next = row_as_next_version(entry, head, tombstone);
	PG_TRY();
	{
		head = EntityInsertRow(entry, next);
	}
	PG_CATCH();
	{
		EntityRethrowConflict(context, FUNCTION_CONFLICT_HINT);
	}
	PG_END_TRY();
	if (head == (Datum) 0)
		report_cancelled_version(relid, tombstone ? "delete" : "undelete");
	SPI_finish();
	return head;
}

/*
 * immutable.delete(rel anyelement, entity_id uuid) RETURNS anyelement
 *
 * Appends and returns a tombstone: the current version with deleted_at set
 * to the transaction start time.  Errors: 22004 NULL entity_id; 42809 rel
 * not a table row; 42P01 table dropped; 55000 table not versioned or its
 * heads table changed by hand, entity already deleted, or the tombstone
 * cancelled by a BEFORE INSERT trigger; P0002 unknown entity; 40001 when
 * another writer appended meanwhile.
 */
Datum
immutable_delete(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(append_state_change(fcinfo, true));
}

/*
 * immutable.undelete(rel anyelement, entity_id uuid) RETURNS anyelement
 *
 * Appends and returns a live version with the values the entity had before its
 * tombstone.  Errors: as delete (22004, 42809, 42P01, P0002, 40001), with
 * 55000 for an entity not deleted.
 */
Datum
immutable_undelete(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(append_state_change(fcinfo, false));
}

/*
 * Read the current version of the entity named by the arguments of get()
 * and status(); return false for an unknown entity.
 */
static bool
read_head(FunctionCallInfo fcinfo, Datum *head, bool *deleted)
{
	Oid			relid = ArgTypedTable(fcinfo);
	Datum		entity_id = ArgNotNull(fcinfo, 1, "entity_id");
	ManagedRelation *entry = RegistryLookupVersioned(relid);

	return EntityReadAt(entry, entity_id, DT_NOEND, head, deleted);
}

/*
 * immutable.get(rel anyelement, entity_id uuid) RETURNS SETOF anyelement
 *
 * Returns the current version of a live entity, no row for a deleted or
 * unknown one.  Errors: 22004 NULL entity_id; 42809 rel not a table row;
 * 42P01 table dropped; 55000 table not versioned or its heads table changed
 * by hand.
 */
Datum
immutable_get(PG_FUNCTION_ARGS)
{
	Datum		head = (Datum) 0;
	bool		deleted = false;

	bool		found = read_head(fcinfo, &head, &deleted);

	return EntityReturnRow(fcinfo, found && !deleted, head);
}

/*
 * immutable.status(rel anyelement, entity_id uuid) RETURNS text
 *
 * Returns 'live', 'deleted' or 'not_found' for entity entity_id of the
 * versioned table rel.  Errors: as get (22004, 42809, 42P01, 55000).
 */
Datum
immutable_status(PG_FUNCTION_ARGS)
{
	Datum		head;
	bool		deleted;
	const char *status;

	if (!read_head(fcinfo, &head, &deleted))
		status = "not_found";
	else
		status = deleted ? "deleted" : "live";
	PG_RETURN_TEXT_P(cstring_to_text(status));
}

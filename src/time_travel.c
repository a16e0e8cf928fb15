/*
 * time_travel.c
 *		Reading the past of versioned and system-versioned tables: history,
 *		as_of and the SQL:2011 FOR SYSTEM_TIME forms (from_to, between,
 *		contained_in, all_versions).  The queries are kept plans (plans.c,
 *		which also gives the predicates of each form); a versioned table's
 *		as_of reads its heads table directly when the user may read it all.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tstoreReceiver.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "args.h"
#include "plans.h"
#include "registry.h"
#include "versioned_entity.h"

PG_FUNCTION_INFO_V1(immutable_history);
PG_FUNCTION_INFO_V1(immutable_as_of);
PG_FUNCTION_INFO_V1(immutable_as_of_entity);
PG_FUNCTION_INFO_V1(immutable_from_to);
PG_FUNCTION_INFO_V1(immutable_between);
PG_FUNCTION_INFO_V1(immutable_contained_in);
PG_FUNCTION_INFO_V1(immutable_all_versions);

#if PG_VERSION_NUM < 150000
/* Set up a materialized set-returning call (InitMaterializedSRF of 15). */
void
MaterializedSRFInit(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcontext;
	TupleDesc	desc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setDesc = CreateTupleDescCopy(desc);
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(oldcontext);
}
#endif

/*
 * Return a receiver that puts the rows of a query straight into the call's
 * result, converted by position to the table's row type (whose dropped
 * columns the query does not return).
 */
static DestReceiver *
rows_receiver(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DestReceiver *dest = CreateDestReceiver(DestTuplestore);

	SetTuplestoreDestReceiverParams(dest, rsinfo->setResult,
									rsinfo->econtext->ecxt_per_query_memory, false,
									rsinfo->setDesc,
									gettext_noop("query result does not match the row type of the table"));
	return dest;
}

/*
 * Is this a FOR SYSTEM_TIME query over a system-versioned table, whose
 * history part the history table's BRIN index on the period serves?
 */
static bool
reads_history(ManagedRelation *entry, KeptPlan which)
{
	return entry->kind == MANAGED_SYSTEM_VERSIONED &&
		(which == PLAN_PERIOD_AS_OF || which == PLAN_PERIOD_FROM_TO ||
		 which == PLAN_PERIOD_BETWEEN || which == PLAN_PERIOD_CONTAINED_IN);
}

/*
 * Run a kept plan of the table of entry and return its rows.  A query of a
 * history table is planned (and planned again after DDL) with sequential
 * scans off: ANALYZE keeps no correlation for a range column, so the
 * planner cannot see that the BRIN index on the period narrows a moment to
 * a few block ranges (history rows arrive in the order their periods end),
 * and when it does not, a bitmap scan of every range costs about what a
 * sequential scan does.
 */
static Datum
return_rows(FunctionCallInfo fcinfo, ManagedRelation *entry, KeptPlan which,
			Datum *args)
{
	int			nestlevel = -1;

	MaterializedSRFInit(fcinfo);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (reads_history(entry, which))
	{
		nestlevel = NewGUCNestLevel();
		(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		/* the costs disabling inflates would make every call JIT-compile */
		(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
	PlanExecuteInto(entry, which, args, rows_receiver(fcinfo));
	if (nestlevel >= 0)
		AtEOXact_GUC(true, nestlevel);
	SPI_finish();
	return (Datum) 0;
}

/*
 * immutable.history(rel anyelement, entity_id uuid) RETURNS SETOF anyelement
 *
 * Returns every version of one entity, tombstones included, in version
 * order; no rows for an unknown entity.  Errors: 22004 NULL entity_id; 42809
 * rel not a table row; 42P01 table dropped; 55000 table not versioned or its
 * heads table changed by hand.
 */
Datum
immutable_history(PG_FUNCTION_ARGS)
{
	Datum		args[1];

	args[0] = ArgNotNull(fcinfo, 1, "entity_id");
	return return_rows(fcinfo, RegistryLookupVersioned(ArgTypedTable(fcinfo)),
					   PLAN_HISTORY, args);
}

/*
 * Put every version current at time at into the call's result, under the
 * active snapshot, without SPI or the executor: one sequential scan of the
 * heads table, and for an entity whose head started after at, a lookup of
 * its earlier version in the versioned table.  For users who may read the
 * whole table (EntityDirectReadAllowed).
 */
static void
scan_as_of(FunctionCallInfo fcinfo, ManagedRelation *entry, TimestampTz at)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Relation	heads = table_open(entry->heads, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heads, NULL);
	TableScanDesc scan = table_beginscan(heads, GetActiveSnapshot(), 0, NULL);

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		row;
		bool		deleted;
		HeapTupleData tuple;

		if (DatumGetTimestampTz(EntityHeadAttr(entry, slot, entry->versioned.att_valid_from, &isnull)) <= at)
		{
			(void) EntityHeadAttr(entry, slot, entry->versioned.att_deleted_at, &isnull);
			if (!isnull)
				continue;
			if (entry->versioned.from_heads == NULL)
				tuplestore_puttupleslot(rsinfo->setResult, slot);
			else
				tuplestore_puttuple(rsinfo->setResult, EntityHeadRow(entry, slot));
			continue;
		}
		if (!EntityScanTableAt(entry, EntityHeadAttr(entry, slot, entry->versioned.att_entity_id, &isnull),
							   at, &row, &deleted) || deleted)
			continue;
		ArgRowAsTuple(row, &tuple);
		tuplestore_puttuple(rsinfo->setResult, &tuple);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(heads, AccessShareLock);
}

/*
 * immutable.as_of(rel anyelement, at timestamptz) RETURNS SETOF anyelement
 *
 * SQL:2011 FOR SYSTEM_TIME AS OF at: the rows of a versioned or
 * system-versioned table as they were at time at.  Versioned table: returns,
 * for every entity, the version that was current at time at (its latest with
 * valid_from <= at), unless that is a tombstone.  Read from the heads table
 * (scan_as_of) when the user may read the whole table, by an SQL query on the
 * versioned table with the user's privileges and row security otherwise.
 * System-versioned table: returns the rows of the table and of its history
 * table whose period contains at (SQL:2011 FOR SYSTEM_TIME AS OF), by an SQL
 * query with the user's privileges (the BRIN index of the history table finds
 * its rows).  Errors: 22004 NULL at; 42809 rel not a table row; 42P01 table
 * dropped; 55000 table neither versioned nor system-versioned, or its heads
 * table changed by hand.
 */
Datum
immutable_as_of(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTypedTable(fcinfo);
	ManagedRelation *entry = RegistryLookup(relid);
	Datum		args[1];

	args[0] = ArgNotNull(fcinfo, 1, "at");
	if (entry->kind == MANAGED_SYSTEM_VERSIONED)
		return return_rows(fcinfo, entry, PLAN_PERIOD_AS_OF, args);
	entry = RegistryLookupVersioned(relid);
	if (!EntityDirectReadAllowed(entry->relid))
		return return_rows(fcinfo, entry, PLAN_AS_OF_ALL, args);
	MaterializedSRFInit(fcinfo);
	scan_as_of(fcinfo, entry, DatumGetTimestampTz(args[0]));
	return (Datum) 0;
}

/*
 * immutable.as_of(rel anyelement, entity_id uuid, at timestamptz)
 * RETURNS SETOF anyelement
 *
 * Returns the version of one entity that was current at time at, or no row
 * when the entity did not exist yet or was deleted then.  Errors: 22004 NULL
 * entity_id or at; 42809 rel not a table row; 42P01 table dropped; 55000
 * table not versioned or its heads table changed by hand.
 */
Datum
immutable_as_of_entity(PG_FUNCTION_ARGS)
{
	ManagedRelation *entry = RegistryLookupVersioned(ArgTypedTable(fcinfo));
	Datum		entity_id = ArgNotNull(fcinfo, 1, "entity_id");
	TimestampTz at = DatumGetTimestampTz(ArgNotNull(fcinfo, 2, "at"));
	Datum		row = (Datum) 0;
	bool		deleted = false;
	bool		found = EntityReadAt(entry, entity_id, at, &row, &deleted);

	return EntityReturnRow(fcinfo, found && !deleted, row);
}

/*
 * Return the table named by argument 0 as a versioned or system-versioned
 * table (55000 for anything else).
 */
static ManagedRelation *
temporal_table(FunctionCallInfo fcinfo)
{
	Oid			relid = ArgTypedTable(fcinfo);
	ManagedRelation *entry = RegistryLookup(relid);

	if (entry->kind == MANAGED_SYSTEM_VERSIONED || entry->kind == MANAGED_VERSIONED)
		return entry;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("table \"%s\" is neither versioned nor system-versioned",
					get_rel_name(relid)),
			 errhint("Call immutable.make_system_versioned() or immutable.make_versioned() on it first.")));
	return NULL;				/* keep compiler quiet */
}

/*
 * Run the query of a form with a range [a, b] of arguments 1 and 2 (22004
 * when NULL); an empty range (a after b) selects nothing, as in SQL:2011.
 */
static Datum
range_query(FunctionCallInfo fcinfo, KeptPlan which)
{
	ManagedRelation *entry = temporal_table(fcinfo);
	Datum		args[2];

	args[0] = ArgNotNull(fcinfo, 1, "start");
	args[1] = ArgNotNull(fcinfo, 2, "end");
	if (DatumGetTimestampTz(args[0]) > DatumGetTimestampTz(args[1]))
	{
		MaterializedSRFInit(fcinfo);
		return (Datum) 0;
	}
	return return_rows(fcinfo, entry, which, args);
}

/*
 * immutable.from_to(rel anyelement, start timestamptz, "end" timestamptz)
 * RETURNS SETOF anyelement
 *
 * SQL:2011 FOR SYSTEM_TIME FROM start TO end: every row version whose
 * period overlaps [start, end), of a system-versioned table (table and
 * history) or a versioned table (versions, not tombstones).  Nothing when
 * start is after end.  Errors: 22004 NULL start or end; 42809 rel not a
 * table row; 55000 table neither versioned nor system-versioned.
 */
Datum
immutable_from_to(PG_FUNCTION_ARGS)
{
	return range_query(fcinfo, PLAN_PERIOD_FROM_TO);
}

/*
 * immutable.between(rel anyelement, start timestamptz, "end" timestamptz)
 * RETURNS SETOF anyelement
 *
 * SQL:2011 FOR SYSTEM_TIME BETWEEN start AND end: as from_to, with end
 * included (period overlaps [start, end]).  Errors: as from_to (22004, 42809,
 * 55000).
 */
Datum
immutable_between(PG_FUNCTION_ARGS)
{
	return range_query(fcinfo, PLAN_PERIOD_BETWEEN);
}

/*
 * immutable.contained_in(rel anyelement, start timestamptz, "end"
 * timestamptz) RETURNS SETOF anyelement
 *
 * SQL:2011 FOR SYSTEM_TIME CONTAINED IN (start, end): every row version whose
 * whole period lies within [start, end] (so no current row, unless end is
 * infinity).  Errors: as from_to (22004, 42809, 55000).
 */
Datum
immutable_contained_in(PG_FUNCTION_ARGS)
{
	return range_query(fcinfo, PLAN_PERIOD_CONTAINED_IN);
}

/*
 * immutable.all_versions(rel anyelement) RETURNS SETOF anyelement
 *
 * SQL:2011 FOR SYSTEM_TIME ALL: every row version, current and past, of a
 * system-versioned table (table and history) or a versioned table (every
 * version but tombstones, including versions whose period is empty).
 * Errors: 42809 rel not a table row; 55000 table neither versioned nor
 * system-versioned.
 */
Datum
immutable_all_versions(PG_FUNCTION_ARGS)
{
	return return_rows(fcinfo, temporal_table(fcinfo), PLAN_PERIOD_ALL, NULL);
}

/*
 * system_time.c
 *		SQL:2011 FOR SYSTEM_TIME queries over system-versioned tables (table
 *		and history table together) and versioned tables (every version):
 *		as_of, from_to, between, contained_in and all_versions.
 *
 * A row version's period is [start, end): the period column of a
 * system-versioned table, [valid_from, next version's valid_from) of a
 * version (tombstones are not row versions: an entity does not exist while
 * deleted).  The predicates of SQL:2011, written as range operators so that
 * the history table's BRIN index on the period serves them:
 *
 *	AS OF t					start <= t < end			period @> t
 *	FROM a TO b				start < b AND end > a		period && [a, b)
 *	BETWEEN a AND b			start <= b AND end > a		period && [a, b]
 *	CONTAINED IN (a, b)		start >= a AND end <= b		period <@ [a, b]
 *	ALL						every row version
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "args.h"
#include "ddl.h"
#include "query.h"
#include "registry.h"
#include "system_time.h"

PG_FUNCTION_INFO_V1(immutable_from_to);
PG_FUNCTION_INFO_V1(immutable_between);
PG_FUNCTION_INFO_V1(immutable_contained_in);
PG_FUNCTION_INFO_V1(immutable_all_versions);

/* Return the condition on period of one FOR SYSTEM_TIME form. */
static char *
period_condition(EntityPlan which, const char *period)
{
	switch (which)
	{
		case PLAN_PERIOD_AS_OF:
			return psprintf("%s OPERATOR(pg_catalog.@>) $1", period);
		case PLAN_PERIOD_FROM_TO:
			return psprintf("%s OPERATOR(pg_catalog.&&) pg_catalog.tstzrange($1, $2, '[)')",
							period);
		case PLAN_PERIOD_BETWEEN:
			return psprintf("%s OPERATOR(pg_catalog.&&) pg_catalog.tstzrange($1, $2, '[]')",
							period);
		case PLAN_PERIOD_CONTAINED_IN:
			return psprintf("%s OPERATOR(pg_catalog.<@) pg_catalog.tstzrange($1, $2, '[]')",
							period);
		default:
			return pstrdup("true");
	}
}

/*
 * Append the query of one FOR SYSTEM_TIME form over system-versioned table
 * rel: its rows and its history table's whose period satisfies the
 * condition, the history rows with the table's columns in its order.
 */
static void
append_system_versioned(StringInfo buf, ManagedRelation *entry, Relation rel,
						EntityPlan which)
{
	const char *period = quote_identifier(get_attname(entry->relid, entry->att_period, false));

	appendStringInfo(buf, "SELECT t.* FROM %s AS t WHERE %s UNION ALL SELECT ",
					 RelationTableScan(RelationGetRelid(rel)),
					 period_condition(which, psprintf("t.%s", period)));
	DdlAppendColumns(buf, rel, "h.", false);
	appendStringInfo(buf, " FROM %s AS h WHERE %s",
					 RelationTableScan(entry->history),
					 period_condition(which, psprintf("h.%s", period)));
}

/*
 * Append the query of one FOR SYSTEM_TIME form over versioned table rel:
 * every version that is not a tombstone, its period ended by the next
 * version's valid_from (found with the (entity_id, version) index).
 * Versions written by one transaction share valid_from: all but the last
 * have empty periods, as they were never current.
 */
static void
append_versioned(StringInfo buf, Relation rel, EntityPlan which)
{
	const char *table = RelationQualifiedName(RelationGetRelid(rel));

	appendStringInfo(buf, "SELECT h.* FROM ONLY %1$s AS h LEFT JOIN ONLY %1$s AS n"
					 " ON n.entity_id OPERATOR(pg_catalog.=) h.entity_id"
					 " AND n.version OPERATOR(pg_catalog.=) (h.version OPERATOR(pg_catalog.+) 1)"
					 " WHERE h.deleted_at IS NULL AND %2$s", table,
					 period_condition(which, "pg_catalog.tstzrange(h.valid_from, n.valid_from, '[)')"));
}

/* Append the query of one FOR SYSTEM_TIME form over the table of entry. */
void
SystemTimeQuery(StringInfo buf, ManagedRelation *entry, Relation rel,
				EntityPlan which)
{
	if (entry->kind == MANAGED_SYSTEM_VERSIONED)
		append_system_versioned(buf, entry, rel, which);
	else
		append_versioned(buf, rel, which);
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
range_query(FunctionCallInfo fcinfo, EntityPlan which)
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
	return QueryReturnRows(fcinfo, entry, which, args);
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
 * included (period overlaps [start, end]).  Errors: as from_to.
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
 * SQL:2011 FOR SYSTEM_TIME CONTAINED IN (start, end): every row version
 * whose whole period lies within [start, end] (so no current row, unless
 * end is infinity).  Errors: as from_to.
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
	return QueryReturnRows(fcinfo, temporal_table(fcinfo), PLAN_PERIOD_ALL, NULL);
}

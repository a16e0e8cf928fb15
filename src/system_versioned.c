/*
 * system_versioned.c
 *		Making a table system-versioned (SQL:2011): its period column, its
 *		history table (created, or checked when given), and the triggers of
 *		both.  The triggers themselves are in period.c.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "catalog/dependency.h"
#include "catalog/heap.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "args.h"
#include "compat.h"
#include "ddl.h"
#include "system_versioned.h"
#include "system_time.h"
#include "system_versioned_period.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(immutable_make_system_versioned);

#define DEFAULT_PERIOD_COLUMN "system_period"

/*
 * History rows arrive in the order their periods end, so a BRIN index on
 * the period finds the rows of a moment by block ranges, and costs next to
 * nothing per inserted row (a GiST index cost more than the rest of an
 * UPDATE).  Ranges of 16 pages keep a point-in-time read close to the rows
 * it returns; autovacuum summarizes each range once it is full.
 */
#define HISTORY_PAGES_PER_RANGE 16

/* Return the name argument argno, or dflt when it is omitted (NULL). */
static const char *
name_argument(FunctionCallInfo fcinfo, int argno, const char *dflt)
{
	const char *name = PG_ARGISNULL(argno) ? dflt : NameStr(*PG_GETARG_NAME(argno));

	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("names passed to immutable.make_system_versioned() must not be empty")));
	return name;
}

/*
 * Check the period column named column of relid, or plan its addition to
 * alter: a tstzrange (42P10 for a system column name, 42804 for another type, 42611 for a generated or
 * identity column) whose existing values have a start and no end (22004 for
 * NULL, 22000 for empty or ended periods).  Existing rows of a new column
 * get [the system time, infinity): the transaction start time, or
 * set_system_time's.  Returns whether the column is added.
 */
static bool
plan_period_column(Oid relid, const char *column, StringInfo alter)
{
	Relation	rel = relation_open(relid, NoLock);
	AttrNumber	attnum = attnameAttNum(rel, column, false);
	Form_pg_attribute att;
	char	   *table = RelationQualifiedName(relid);

	if (SystemAttributeByName(column) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("period_column cannot be the system column \"%s\"", column),
				 errhint("Name a tstzrange column, or leave period_column out for system_period.")));

	if (attnum == InvalidAttrNumber)
	{
		appendStringInfo(alter, "ALTER TABLE %1$s ADD COLUMN %2$s pg_catalog.tstzrange NOT NULL"
						 " DEFAULT pg_catalog.tstzrange(%3$s, NULL);"
						 " ALTER TABLE %1$s ALTER COLUMN %2$s"
						 " SET DEFAULT pg_catalog.tstzrange(pg_catalog.now(), NULL)",
						 table, quote_identifier(column),
						 quote_literal_cstr(timestamptz_to_str(SystemTime())));
		relation_close(rel, NoLock);
		return true;
	}
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	if (attnum < 0 || att->atttypid != TSTZRANGEOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("period column \"%s\" of table \"%s\" must have type tstzrange",
						column, RelationGetRelationName(rel)),
				 errdetail("It has type %s.", format_type_be(attnum < 0 ? InvalidOid : att->atttypid)),
				 errhint("Pass another period_column, or change the column's type.")));
	if (att->attgenerated || att->attidentity)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
				 errmsg("period column \"%s\" of table \"%s\" must not be generated",
						column, RelationGetRelationName(rel)),
				 errhint("The system-versioning trigger assigns its value; drop the expression.")));
	relation_close(rel, NoLock);

	DdlRun(psprintf("SELECT count(*) FILTER (WHERE p IS NULL),"
					" count(*) FILTER (WHERE pg_catalog.isempty(p) OR NOT pg_catalog.upper_inf(p))"
					" FROM (SELECT %s AS p FROM %s) AS s",
					quote_identifier(column), RelationTableScan(relid)), SPI_OK_SELECT);
	if (strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), "0") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period column \"%s\" of table \"%s\" has NULL values", column,
						get_rel_name(relid)),
				 errhint("Give every row a period, for example tstzrange(now(), NULL).")));
	if (strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), "0") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("period column \"%s\" of table \"%s\" has empty or ended periods", column,
						get_rel_name(relid)),
				 errdetail("The period of a current row must be non-empty and unbounded on the high side."),
				 errhint("Move ended rows into the history table first.")));
	appendStringInfo(alter, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL",
					 table, quote_identifier(column));
	return false;
}

/*
 * Record that the existing rows of relid (of every partition with storage,
 * for a partitioned table) were given the period [system time, infinity)
 * by this transaction: changing them in it writes no history row (they
 * became system-versioned at that time) and is no conflict.
 */
static void
record_conversion(Oid relid)
{
	List	   *relids = find_all_inheritors(relid, NoLock, NULL);
	ListCell   *lc;

	foreach(lc, relids)
		if (RELKIND_HAS_STORAGE(get_rel_relkind(lfirst_oid(lc))))
		PeriodRecordConversion(lfirst_oid(lc), SystemTime());
	list_free(relids);
}

/* Return the quoted column list of the primary key of relid, or NULL. */
static char *
primary_key_columns(Relation rel)
{
	Oid			pk = PrimaryKeyIndex(rel);
	Relation	index;
	StringInfoData buf;
	int			i;

	if (!OidIsValid(pk))
		return NULL;
	index = index_open(pk, AccessShareLock);
	initStringInfo(&buf);
	for (i = 0; i < index->rd_index->indnkeyatts; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel),
																index->rd_index->indkey.values[i] - 1)->attname)));
	index_close(index, AccessShareLock);
	return buf.data;
}

/*
 * Return the ALTER TABLE of history that drops the NOT NULL LIKE copied
 * from table rel to every column but the period (column), or NULL.
 */
static char *
history_nullable_statement(Relation rel, const char *history, const char *column)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData alter;
	int			i;

	initStringInfo(&alter);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && att->attnotnull &&
			strcmp(NameStr(att->attname), column) != 0)
			appendStringInfo(&alter, "%s ALTER COLUMN %s DROP NOT NULL", alter.len ? "," : "",
							 quote_identifier(NameStr(att->attname)));
	}
	return alter.len > 0 ? psprintf("ALTER TABLE %s%s", history, alter.data) : NULL;
}

/*
 * Create the history table of relid, named name in the table's schema: the
 * table's columns (no defaults, constraints, generation or identity, and
 * NOT NULL on the period alone, so that a NOT NULL the table drops, or a
 * column dropped from it between make_mutable and make_system_versioned,
 * cannot fail a history row), a BRIN index on the period for the
 * time-travel queries over the whole table, and a btree index on the
 * primary key columns, the end and the start of the period, which finds
 * the version of one row at a moment (through <table>_as_of) in one
 * descent.
 */
static Oid
history_create(Oid relid, const char *name, const char *column)
{
	Oid			nspid = get_rel_namespace(relid);
	char	   *history = quote_qualified_identifier(get_namespace_name(nspid), name);
	Relation	rel = relation_open(relid, NoLock);
	char	   *keys = primary_key_columns(rel);
	char	   *nullable = history_nullable_statement(rel, history, column);

	relation_close(rel, NoLock);
	/* an unlogged table's history goes with it after a crash: unlogged too */
	DdlRun(psprintf("CREATE %sTABLE %s (LIKE %s)",
					get_rel_persistence(relid) == RELPERSISTENCE_UNLOGGED ? "UNLOGGED " : "",
					history, RelationQualifiedName(relid)),
		   SPI_OK_UTILITY);
	if (nullable != NULL)
		DdlRun(nullable, SPI_OK_UTILITY);
	DdlRun(psprintf("CREATE INDEX ON %s USING brin (%s) WITH (pages_per_range = %d, autosummarize = on)",
					history, quote_identifier(column), HISTORY_PAGES_PER_RANGE),
		   SPI_OK_UTILITY);
	if (keys != NULL)
		DdlRun(psprintf("CREATE INDEX ON %1$s (%2$s, pg_catalog.upper(%3$s),"
						" COALESCE(pg_catalog.lower(%3$s), '-infinity'))",
						history, keys, quote_identifier(column)), SPI_OK_UTILITY);
	DdlRun(psprintf("COMMENT ON TABLE %s IS %s", history,
					quote_literal_cstr(psprintf("history of system-versioned table %s, "
												"written by the immutable extension",
												RelationQualifiedName(relid)))),
		   SPI_OK_UTILITY);
	return get_relname_relid(name, nspid);
}

/*
 * Does exclusion index (open) compare the period column (attnum) of its
 * table with the range overlap operator?  Then no two of its history rows
 * share a moment of their periods, which two versions of one row never do.
 */
static bool
excludes_overlapping_periods(Relation index, AttrNumber attnum)
{
	Oid		   *operators;
	Oid		   *procs;
	uint16	   *strategies;
	int			i;

	RelationGetExclusionInfo(index, &operators, &procs, &strategies);
	for (i = 0; i < index->rd_index->indnkeyatts; i++)
		if (index->rd_index->indkey.values[i] == attnum &&
			operators[i] == OID_RANGE_OVERLAP_OP)
			return true;
	return false;
}

/*
 * Check index indexoid of history table hist (period column column): a
 * unique index, or an exclusion constraint that does not exclude
 * overlapping periods, would refuse a row's second history row (55000).
 * An exclusion constraint with (period WITH &&), such as (key WITH =,
 * period WITH &&), checks that the history has one version of a key at a
 * moment, and is kept.
 */
static void
check_history_index(Relation hist, Oid indexoid, const char *column)
{
	Relation	index = index_open(indexoid, AccessShareLock);
	bool		exclusion = index->rd_index->indisexclusion;
	bool		refused;
	Oid			constraint;

	refused = index->rd_index->indisunique ||
		(exclusion && !excludes_overlapping_periods(index, attnameAttNum(hist, column, false)));
	index_close(index, AccessShareLock);
	if (!refused)
		return;
	constraint = get_index_constraint(indexoid);
	if (OidIsValid(constraint))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("history table \"%s\" has constraint \"%s\", which refuses a row's second history row",
						RelationGetRelationName(hist), get_constraint_name(constraint)),
				 exclusion ?
				 errdetail("A row that changes several times has several history rows; an exclusion constraint is accepted when it compares the period with &&, as (key WITH =, %s WITH &&).",
						   column) :
				 errdetail("A row that changes several times has several history rows."),
				 errhint("Drop it: ALTER TABLE %s DROP CONSTRAINT %s.",
						 RelationQualifiedName(RelationGetRelid(hist)),
						 quote_identifier(get_constraint_name(constraint)))));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("history table \"%s\" has unique index \"%s\"",
					RelationGetRelationName(hist), get_rel_name(indexoid)),
			 errdetail("A row that changes several times has several history rows."),
			 errhint("Drop it (DROP INDEX %s), or create it again without UNIQUE.",
					 RelationQualifiedName(indexoid))));
}

/*
 * Check a given history table: an ordinary table the caller owns, not
 * managed, without unique indexes (a row has many history rows; see
 * check_history_index), with every column of relid under the same name and
 * type; more columns are allowed.
 */
static void
history_check(Oid relid, Oid histid, const char *column)
{
	Relation	rel = relation_open(relid, NoLock);
	Relation	hist = relation_open(histid, AccessExclusiveLock);
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *indexes;
	ListCell   *lc;
	int			i;

	if (histid == relid || hist->rd_rel->relispartition ||
		(hist->rd_rel->relkind != RELKIND_RELATION &&
		 hist->rd_rel->relkind != RELKIND_PARTITIONED_TABLE))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("history table \"%s\" is not a table of its own",
						RelationGetRelationName(hist))));
	if (!RelationOwnerCheck(histid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, RelationGetRelationName(hist));
	if (RegistryLookup(histid)->kind != MANAGED_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("history table \"%s\" is already managed as %s",
						RelationGetRelationName(hist),
						RegistryKindName(RegistryLookup(histid)->kind)),
				 errhint("Pass another history_table.")));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		AttrNumber	h;

		if (att->attisdropped)
			continue;
		h = attnameAttNum(hist, NameStr(att->attname), false);
		if (h <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("history table \"%s\" has no column \"%s\"",
							RelationGetRelationName(hist), NameStr(att->attname)),
					 errhint("A history table needs every column of its table, with the same name and type.")));
		if (TupleDescAttr(RelationGetDescr(hist), h - 1)->atttypid != att->atttypid ||
			TupleDescAttr(RelationGetDescr(hist), h - 1)->atttypmod != att->atttypmod)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table \"%s\" is of type %s but column \"%s\" of history table \"%s\" is of type %s",
							NameStr(att->attname), RelationGetRelationName(rel),
							format_type_with_typemod(att->atttypid, att->atttypmod),
							NameStr(att->attname), RelationGetRelationName(hist),
							format_type_with_typemod(TupleDescAttr(RelationGetDescr(hist), h - 1)->atttypid,
													 TupleDescAttr(RelationGetDescr(hist), h - 1)->atttypmod)),
					 errhint("A history table needs every column of its table, with the same name and type.")));
		if (TupleDescAttr(RelationGetDescr(hist), h - 1)->attgenerated ||
			TupleDescAttr(RelationGetDescr(hist), h - 1)->attidentity == ATTRIBUTE_IDENTITY_ALWAYS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("column \"%s\" of history table \"%s\" is generated",
							NameStr(att->attname), RelationGetRelationName(hist)),
					 errdetail("The history keeps the values the table's rows had."),
					 errhint("Drop the expression or identity of the history table's column.")));
	}
	indexes = RelationGetIndexList(hist);
	foreach(lc, indexes)
		check_history_index(hist, lfirst_oid(lc), column);
	list_free(indexes);
	relation_close(hist, NoLock);
	relation_close(rel, NoLock);
}

/*
 * Return the history table named name next to relid, checked, or created
 * when there is none.
 */
static Oid
history_table(Oid relid, const char *name, const char *column)
{
	Oid			histid = get_relname_relid(name, get_rel_namespace(relid));

	if (OidIsValid(histid))
	{
		history_check(relid, histid, column);
		return histid;
	}
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("history table name \"%s\" is too long", name),
				 errhint("Pass a shorter name as history_table.")));
	histid = history_create(relid, name, column);
	DdlGiveToTableOwner(relid, "TABLE", RelationQualifiedName(histid));
	return histid;
}

/*
 * Return the statement that creates (or replaces) function, <table>_as_of(at
 * timestamptz) RETURNS SETOF <table>, for table relid with history table
 * history and period column column: FOR SYSTEM_TIME AS OF at over table and
 * history as an inlinable SQL function, so that a condition on it (WHERE id
 * = 42, a join) reaches both tables' indexes, which the C as_of cannot
 * offer.  Its body is parsed once (BEGIN ATOMIC), so it follows renames;
 * the table's other column changes replace it (SystemVersionedRefresh).
 */
static char *
as_of_statement(const char *function, Oid relid, Oid history, const char *column,
				bool replace)
{
	const char *period = quote_identifier(column);
	Relation	rel = relation_open(relid, NoLock);
	StringInfoData columns;

	initStringInfo(&columns);
	DdlAppendColumns(&columns, rel, "h.", false);
	relation_close(rel, NoLock);
	return psprintf("CREATE %1$sFUNCTION %2$s(at pg_catalog.timestamptz) RETURNS SETOF %3$s"
					" LANGUAGE sql STABLE BEGIN ATOMIC"
					" SELECT t.* FROM %4$s AS t WHERE t.%5$s OPERATOR(pg_catalog.@>) at"
					" UNION ALL SELECT %6$s FROM %7$s AS h"
					" WHERE pg_catalog.upper(h.%5$s) OPERATOR(pg_catalog.>) at"
					" AND COALESCE(pg_catalog.lower(h.%5$s), '-infinity') OPERATOR(pg_catalog.<=) at;"
					" END",
					replace ? "OR REPLACE " : "", function, RelationQualifiedName(relid),
					RelationTableScan(relid), period, columns.data, RelationTableScan(history));
}

/*
 * Make the dependencies of the <table>_as_of function funcoid on table
 * relid (its columns) and its row type automatic, so that dropping the
 * table drops it and the table's columns can change (the function is then
 * replaced), and keep a normal one on the history table.
 */
static void
as_of_dependencies(Oid funcoid, Oid relid, Oid history)
{
	ObjectAddress func;
	ObjectAddress table;

	deleteDependencyRecordsForClass(ProcedureRelationId, funcoid, RelationRelationId,
									DEPENDENCY_NORMAL);
	deleteDependencyRecordsForClass(ProcedureRelationId, funcoid, TypeRelationId,
									DEPENDENCY_NORMAL);
	ObjectAddressSet(func, ProcedureRelationId, funcoid);
	ObjectAddressSet(table, RelationRelationId, relid);
	recordDependencyOn(&func, &table, DEPENDENCY_AUTO);
	ObjectAddressSet(table, RelationRelationId, history);
	recordDependencyOn(&func, &table, DEPENDENCY_NORMAL);
}

/*
 * Create <table>_as_of(at timestamptz) RETURNS SETOF <table> in the table's
 * schema (see as_of_statement), dropped with the table.  42723 when a
 * function of that name and argument exists already.
 */
static void
create_as_of_function(Oid relid, Oid history, const char *column)
{
	Oid			nspid = get_rel_namespace(relid);
	char	   *name = psprintf("%s_as_of", get_rel_name(relid));
	char	   *function = quote_qualified_identifier(get_namespace_name(nspid), name);
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Oid			funcoid;

	DdlRun(as_of_statement(function, relid, history, column, false), SPI_OK_UTILITY);
	DdlRun(psprintf("COMMENT ON FUNCTION %s(pg_catalog.timestamptz) IS %s", function,
					quote_literal_cstr(psprintf("rows of %s and its history as of at (SQL:2011 FOR "
												"SYSTEM_TIME AS OF), inlinable; made by the "
												"immutable extension, dropped with the table",
												RelationQualifiedName(relid)))),
		   SPI_OK_UTILITY);
	DdlGiveToTableOwner(relid, "FUNCTION", psprintf("%s(pg_catalog.timestamptz)", function));
	CommandCounterIncrement();
	funcoid = LookupFuncName(list_make2(makeString(get_namespace_name(nspid)), makeString(name)),
							 1, argtypes, false);
	as_of_dependencies(funcoid, relid, history);
}

/*
 * Attach the versioning triggers to table (relid).  A table's history rows
 * are written BEFORE UPDATE OR DELETE, in the trigger that stamps the new
 * row version, which saves queueing every change for an AFTER trigger; on
 * a partitioned table, where an UPDATE that moves a row to another
 * partition fires BEFORE triggers for an UPDATE, a DELETE and an INSERT,
 * they are written AFTER UPDATE OR DELETE, once per change.
 */
static void
attach_versioning_triggers(Oid relid, const char *table)
{
	bool		partitioned = get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE;

	DdlAttachTrigger(partitioned ? TRG_SYSTEM_PERIOD_PARTITIONED : TRG_SYSTEM_PERIOD, relid, NULL);
	if (partitioned)
		DdlAttachTrigger(TRG_WRITE_HISTORY, relid, NULL);
}

/*
 * immutable.make_system_versioned(tbl regclass, history_table name DEFAULT
 * NULL, period_column name DEFAULT 'system_period', adjust boolean DEFAULT
 * false) RETURNS regclass
 *
 * Makes tbl a system-versioned table (SQL:2011; temporal_tables' semantics):
 * every UPDATE and DELETE keeps the replaced row version, with its period, in
 * a history table.  Adds the tstzrange period column when absent (existing
 * rows: [transaction start time, infinity)), creates the history table
 * <table>_history in tbl's schema or checks the one named, attaches the
 * versioning triggers to tbl (TRUNCATE is refused with 23001: it would lose
 * history), makes the history table insert-only for everyone but the trigger,
 * and creates <table>_as_of(timestamptz).  Returns the history table.  Errors:
 * those of make_append_only for tbl, but partitioned tables are accepted
 * (22004, 42P01, 42809, 42501, 42710), plus 22004 for a NULL
 * period_column or adjust or NULL periods; 42804 for a period column that is
 * not a tstzrange, or a history column of another type than the table's; 42611
 * for a generated period column; 22000 for empty or ended periods; 42703 for a
 * column missing from the history table; 42611 for a history column of the
 * table's that is generated; 42809 for a history table that is not an ordinary
 * table; 42710 for one that is managed; 55000 for one with a unique index or
 * an exclusion constraint without (period WITH &&); 42622 for a history table
 * name that is too long; 42723 when <table>_as_of(timestamptz) exists.
 */
Datum
immutable_make_system_versioned(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTable(fcinfo, "make_system_versioned");
	const char *history_name;
	const char *column;
	bool		adjust;
	char	   *table;
	StringInfoData alter;
	int			nestlevel;
	Oid			history;
	bool		added;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s passed to immutable.make_system_versioned() must not be NULL",
						PG_ARGISNULL(2) ? "period_column" : "adjust")));
	column = name_argument(fcinfo, 2, DEFAULT_PERIOD_COLUMN);
	adjust = PG_GETARG_BOOL(3);
	ArgLockForManagement(relid, AccessExclusiveLock, "make_system_versioned", true);
	table = RelationQualifiedName(relid);
	history_name = name_argument(fcinfo, 1, psprintf("%s_history", get_rel_name(relid)));

	nestlevel = DdlBegin();
	initStringInfo(&alter);
	added = plan_period_column(relid, column, &alter);
	DdlRun(alter.data, SPI_OK_UTILITY);
	if (added)
		record_conversion(relid);
	history = history_table(relid, history_name, column);

	attach_versioning_triggers(relid, table);
	DdlAttachTrigger(TRG_REFUSE_TRUNCATE, relid, NULL);
	DdlAttachTrigger(TRG_REFUSE_WRITE, history, NULL);
	DdlAttachTrigger(TRG_REFUSE_TRUNCATE, history, NULL);
	DdlProtectPartitions(relid);
	DdlProtectPartitions(history);
	create_as_of_function(relid, history, column);
	RegistryInsertSystemVersioned(relid, history, column, adjust);
	DdlRecordRegistration(relid);
	DdlEnd(nestlevel);
	PG_RETURN_OID(history);
}

/* Drop the <table>_as_of function(s) made for table (automatic dependents). */
static void
drop_as_of_functions(const char *table)
{
	List	   *statements = NIL;
	ListCell   *lc;
	uint64		i;

	DdlRun(psprintf("SELECT d.objid::pg_catalog.regprocedure::pg_catalog.text"
					" FROM pg_catalog.pg_depend AS d"
					" WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
					" AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND d.refobjid OPERATOR(pg_catalog.=) %s::pg_catalog.regclass"
					" AND d.deptype OPERATOR(pg_catalog.=) 'a'",
					quote_literal_cstr(table)), SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
		statements = lappend(statements,
							 psprintf("DROP FUNCTION %s",
									  SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
	foreach(lc, statements)
		DdlRun(lfirst(lc), SPI_OK_UTILITY);
}

/*
 * Take a system-versioned table (relid, named table) out of management
 * (make_mutable): drop the triggers of the table and of its history table,
 * and its <table>_as_of function; the history table, its rows and the
 * period column stay.  Caller has run DdlBegin and removed the registry
 * row.
 */
void
SystemVersionedMakeMutable(Oid relid, Oid history, const char *table)
{
	DdlDetachTriggers(relid);
	drop_as_of_functions(table);
	if (get_rel_name(history) != NULL)
		DdlDetachTriggers(history);
}

/*
 * Append to alter what brings the columns of history up to the table rel:
 * a column the table added is added (history rows get NULL), and a changed
 * type is changed (the old values cast to it).
 */
static void
plan_history_columns(Relation rel, Relation history, StringInfo alter)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleDesc	hdesc = RelationGetDescr(history);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		AttrNumber	h;
		const char *column;
		char	   *type;

		if (att->attisdropped)
			continue;
		h = attnameAttNum(history, NameStr(att->attname), false);
		column = quote_identifier(NameStr(att->attname));
		type = format_type_with_typemod(att->atttypid, att->atttypmod);
		if (h == InvalidAttrNumber)
			appendStringInfo(alter, "%s ADD COLUMN %s %s", alter->len ? "," : "",
							 column, type);
		else if (TupleDescAttr(hdesc, h - 1)->atttypid != att->atttypid ||
				 TupleDescAttr(hdesc, h - 1)->atttypmod != att->atttypmod)
			appendStringInfo(alter, "%s ALTER COLUMN %s TYPE %s USING %s::%s",
							 alter->len ? "," : "", column, type, column, type);
	}
}

/*
 * Replace the <table>_as_of function(s) of entry's table, made by
 * make_system_versioned (its automatic dependents), with one over the
 * table's columns now, as the function's owner.
 */
static void
refresh_as_of_functions(ManagedRelation *entry)
{
	const char *column = get_attname(entry->relid, entry->system_versioned.att_period, false);
	List	   *functions = NIL;
	ListCell   *lc;
	uint64		i;

	DdlRun(psprintf("SELECT d.objid FROM pg_catalog.pg_depend AS d"
					" WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass"
					" AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					" AND d.refobjid OPERATOR(pg_catalog.=) '%u'::pg_catalog.oid"
					" AND d.deptype OPERATOR(pg_catalog.=) 'a'", entry->relid), SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		functions = lappend_oid(functions,
								DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
															   SPI_tuptable->tupdesc, 1, &isnull)));
	}
	foreach(lc, functions)
	{
		Oid			funcoid = lfirst_oid(lc);
		char	   *function = quote_qualified_identifier(get_namespace_name(get_func_namespace(funcoid)),
														  get_func_name(funcoid));
		Oid			save_userid;
		int			save_sec_context;
		HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcoid));

		if (!HeapTupleIsValid(tuple))
			elog(ERROR, "cache lookup failed for function %u", funcoid);
		GetUserIdAndSecContext(&save_userid, &save_sec_context);
		SetUserIdAndSecContext(((Form_pg_proc) GETSTRUCT(tuple))->proowner,
							   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
							   SECURITY_RESTRICTED_OPERATION);
		ReleaseSysCache(tuple);
		DdlRun(as_of_statement(function, entry->relid, entry->history, column, true),
			   SPI_OK_UTILITY);
		SetUserIdAndSecContext(save_userid, save_sec_context);
		CommandCounterIncrement();
		as_of_dependencies(funcoid, entry->relid, entry->history);
	}
}

/*
 * Bring the history table of entry and the table's <table>_as_of up to
 * date after an ALTER TABLE (given as parsetree) of its table: a renamed
 * column is renamed, the columns follow (plan_history_columns; a dropped
 * column stays in the history table with its values, a type the old values
 * do not cast to fails the ALTER TABLE), and <table>_as_of returns the
 * table's columns now.  Caller has run DdlBegin.
 */
void
SystemVersionedRefresh(ManagedRelation *entry, Node *parsetree)
{
	Relation	rel;
	Relation	history;
	StringInfoData alter;

	DdlFollowColumnRename(entry->history, parsetree);
	rel = relation_open(entry->relid, AccessShareLock);
	history = relation_open(entry->history, AccessShareLock);
	initStringInfo(&alter);
	plan_history_columns(rel, history, &alter);
	relation_close(history, AccessShareLock);
	relation_close(rel, AccessShareLock);
	if (alter.len > 0)
		DdlRunOnCompanion(entry->history,
						  psprintf("ALTER TABLE %s%s", RelationQualifiedName(entry->history),
								   alter.data), false);
	refresh_as_of_functions(entry);
}

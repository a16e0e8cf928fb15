/*
 * events.c
 *		The extension's event triggers, which keep managed tables, their
 *		companions and the registry in step with users' DDL: dropped tables
 *		leave the registry and take their companions along, heads tables,
 *		current views and history tables follow ALTER TABLE, new partitions
 *		of system-versioned and history tables are protected, and a restore
 *		without the registry's rows registers tables again.  (The DDL guard's
 *		event trigger is in ddl_guard.c.)
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "chain.h"
#include "versioned_current_view.h"
#include "ddl.h"
#include "ddl_guard.h"
#include "versioned_heads.h"
#include "system_versioned.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(immutable_forget_dropped);
PG_FUNCTION_INFO_V1(immutable_follow_alter_table);
PG_FUNCTION_INFO_V1(immutable_protect_partitions);
PG_FUNCTION_INFO_V1(immutable_restore_registration);

/* Did the statement that fired the sql_drop event trigger say CASCADE? */
static bool
dropped_with_cascade(FunctionCallInfo fcinfo)
{
	Node	   *parsetree = ((EventTriggerData *) fcinfo->context)->parsetree;

	return parsetree != NULL && IsA(parsetree, DropStmt) &&
		((DropStmt *) parsetree)->behavior == DROP_CASCADE;
}

/* Is oid among the n OIDs of dropped? */
static bool
oid_in(Oid oid, Oid *dropped, uint64 n)
{
	uint64		i;

	for (i = 0; i < n; i++)
		if (dropped[i] == oid)
			return true;
	return false;
}

/*
 * Keep managed tables and their companions together: a dropped versioned
 * table takes its current view and heads table with it (with CASCADE when
 * the user's DROP had it; otherwise objects of the user's that depend on the
 * view stop the drop); a
 * dropped system-versioned table leaves its history table (data); a heads
 * or history table cannot be dropped without its table.
 */
static void
drop_companions(Oid *dropped, uint64 n, bool cascade)
{
	Oid			argtypes[1] = {OIDARRAYOID};
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));
	Datum		args[1];
	List	   *statements = NIL;
	ListCell   *lc;
	uint64		i;
	int			ret;

	for (i = 0; i < n; i++)
		elems[i] = ObjectIdGetDatum(dropped[i]);
	args[0] = PointerGetDatum(construct_array(elems, (int) n, OIDOID, sizeof(Oid), true,
											  TYPALIGN_INT));
	ret = SPI_execute_with_args("SELECT relid::pg_catalog.oid, current_view::pg_catalog.oid,"
								" COALESCE(heads, history)::pg_catalog.oid, heads IS NULL"
								" FROM immutable.registry"
								" WHERE COALESCE(heads, history) IS NOT NULL AND (relid::pg_catalog.oid"
								" OPERATOR(pg_catalog.=) ANY ($1) OR COALESCE(heads, history)::pg_catalog.oid"
								" OPERATOR(pg_catalog.=) ANY ($1))",
								1, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read immutable.registry: %s", SPI_result_code_string(ret));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 1, &isnull));
		Datum		view = SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull);
		Oid			heads = DatumGetObjectId(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 3, &isnull));
		bool		is_history = DatumGetBool(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 4, &isnull));

		if (!oid_in(relid, dropped, n) && get_rel_name(relid) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot drop %s table of %s table \"%s\"",
							is_history ? "history" : "heads",
							is_history ? "system-versioned" : "versioned",
							get_rel_name(relid)),
					 is_history ?
					 errdetail("The system-versioning trigger writes the table's history into it.") :
					 errdetail("The versioning trigger keeps the latest version of every entity in it."),
					 errhint("Call immutable.make_mutable() on the table first, or drop the table.")));
		/* the history of a dropped table stays: it is data */
		if (is_history)
			continue;
		if (!isnull && !oid_in(DatumGetObjectId(view), dropped, n) &&
			get_rel_name(DatumGetObjectId(view)) != NULL)
			statements = lappend(statements, psprintf("DROP VIEW %s%s",
													  RelationQualifiedName(DatumGetObjectId(view)),
													  cascade ? " CASCADE" : ""));
		if (!oid_in(heads, dropped, n) && get_rel_name(heads) != NULL)
			statements = lappend(statements, psprintf("DROP TABLE %s%s",
													  RelationQualifiedName(heads),
													  cascade ? " CASCADE" : ""));
	}
	foreach(lc, statements)
		DdlRun(lfirst(lc), SPI_OK_UTILITY);
}

/*
 * Refuse the drop of the extension's triggers from tables that stay
 * managed (DdlGuardCheckDroppedTrigger), however the drop came about.
 * Caller has run DdlBegin.
 */
static void
check_dropped_triggers(void)
{
	uint64		i;
	int			ret;

	ret = SPI_execute("SELECT address_names[1], address_names[2], address_names[3]"
					  " FROM pg_catalog.pg_event_trigger_dropped_objects()"
					  " WHERE object_type OPERATOR(pg_catalog.=) 'trigger'",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read dropped objects: %s", SPI_result_code_string(ret));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		DdlGuardCheckDroppedTrigger(SPI_getvalue(tuple, desc, 1), SPI_getvalue(tuple, desc, 2),
									SPI_getvalue(tuple, desc, 3));
	}
}

/*
 * Refuse (0A000) a drop that took a column from a managed table, heads or
 * history table that stays: a DROP ... CASCADE of a type, domain, function,
 * collation or extension the column depends on would remove its values
 * from every row the table keeps.  Raised at sql_drop, the drop is rolled
 * back.  Caller has run DdlBegin.
 */
static void
check_dropped_columns(void)
{
	uint64		i;
	int			ret;

	ret = SPI_execute("SELECT c.objid, c.address_names[pg_catalog.array_length(c.address_names, 1)]"
					  " FROM pg_catalog.pg_event_trigger_dropped_objects() AS c"
					  " WHERE c.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					  " AND c.objsubid OPERATOR(pg_catalog.>) 0"
					  " AND NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() AS t"
					  " WHERE t.classid OPERATOR(pg_catalog.=) c.classid"
					  " AND t.objid OPERATOR(pg_catalog.=) c.objid AND t.objsubid OPERATOR(pg_catalog.=) 0)",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read dropped objects: %s", SPI_result_code_string(ret));
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));
		ManagedRelation *entry = RegistryLookupRow(relid);

		if (entry->kind == MANAGED_NONE)
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot drop column \"%s\" of %s table \"%s\"",
						SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2),
						RegistryKindAdjective(entry->kind), get_rel_name(relid)),
				 errdetail("The object dropped with CASCADE takes the column with it, and with it the column's values in every row the table keeps."),
				 errhint("Drop the dependent object without CASCADE to see what depends on it; "
						 "call immutable.make_mutable() on the table first if the change is meant.")));
	}
}

/*
 * immutable.forget_dropped() RETURNS event_trigger
 *
 * Event trigger function (sql_drop): removes dropped tables from the registry
 * and clears the current view of a table whose view was dropped.  A dropped
 * table must leave the registry, as its OID could otherwise be reused by an
 * unrelated table; a dropped versioned table takes its current view and heads
 * table with it.  The extension's triggers cannot be dropped from a table that
 * stays managed, nor a heads or history table alone (55000), nor a column of
 * a managed table by a DROP ... CASCADE of what it depends on (0A000).
 * Raises 39P01 when not called as an event trigger.
 */
Datum
immutable_forget_dropped(PG_FUNCTION_ARGS)
{
	uint64		i;
	uint64		ndropped;
	Oid		   *dropped;
	int			nestlevel;
	int			ret;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"forget_dropped\" was not called by event trigger manager")));

	nestlevel = DdlBegin();
	check_dropped_triggers();
	check_dropped_columns();
	ret = SPI_execute("SELECT objid FROM pg_catalog.pg_event_trigger_dropped_objects()"
					  " WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					  " AND objsubid OPERATOR(pg_catalog.=) 0"
					  " AND object_type OPERATOR(pg_catalog.=) ANY (ARRAY['table', 'view'])",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read dropped objects: %s", SPI_result_code_string(ret));

	dropped = DdlResultOids(&ndropped);
	if (ndropped > 0)
		drop_companions(dropped, ndropped, dropped_with_cascade(fcinfo));
	for (i = 0; i < ndropped; i++)
	{
		RegistryDelete(dropped[i]);
		RegistryClearView(dropped[i]);
	}
	DdlEnd(nestlevel);
	PG_RETURN_VOID();
}

/*
 * Does the ALTER TABLE in parsetree add, rename, retype or drop a column or
 * change a default: what the tables and views kept next to a table
 * follow?  Anything else (constraints, indexes, owners, as a restore from
 * a dump runs before a table's indexes exist) is left alone.
 */
static bool
changes_columns(Node *parsetree)
{
	ListCell   *lc;

	if (parsetree == NULL)
		return false;
	if (IsA(parsetree, RenameStmt))
		return ((RenameStmt *) parsetree)->renameType == OBJECT_COLUMN;
	if (!IsA(parsetree, AlterTableStmt))
		return false;
	foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
	{
		AlterTableType type = lfirst_node(AlterTableCmd, lc)->subtype;

		if (type == AT_AddColumn || type == AT_DropColumn || type == AT_AlterColumnType ||
			type == AT_ColumnDefault)
			return true;
	}
	return false;
}

/*
 * immutable.follow_alter_table() RETURNS event_trigger
 *
 * Event trigger function (ddl_command_end, ALTER TABLE): keeps the heads table
 * and current view of a versioned table, and the history table of a
 * system-versioned table, in step with the table's columns and defaults.
 * After a versioned table gains, renames, retypes or drops columns or changes
 * defaults, its heads table and current view are brought up to date
 * (HeadsRefresh, CurrentViewRefresh), so that the view shows and writes every
 * column, and a system-versioned table's history table follows
 * (SystemVersionedRefresh).  What may not change was refused before the
 * command ran (ddl_guard.c).  Other ALTER TABLEs are not looked at.  Does
 * nothing while an extension is being created.  Raises 39P01 when not called
 * as an event trigger.
 */
Datum
immutable_follow_alter_table(PG_FUNCTION_ARGS)
{
	uint64		i;
	uint64		naltered;
	Oid		   *altered;
	int			nestlevel;
	int			ret;
	Node	   *parsetree;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"follow_alter_table\" was not called by event trigger manager")));
	parsetree = ((EventTriggerData *) fcinfo->context)->parsetree;
	if (creating_extension || !changes_columns(parsetree))
		PG_RETURN_VOID();

	nestlevel = DdlBegin();
	ret = SPI_execute("SELECT DISTINCT objid FROM pg_catalog.pg_event_trigger_ddl_commands()"
					  " WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					  " AND command_tag OPERATOR(pg_catalog.=) 'ALTER TABLE'",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read DDL commands: %s", SPI_result_code_string(ret));
	altered = DdlResultOids(&naltered);
	for (i = 0; i < naltered; i++)
	{
		ManagedRelation *entry;

		if (get_rel_relkind(altered[i]) != RELKIND_RELATION &&
			get_rel_relkind(altered[i]) != RELKIND_PARTITIONED_TABLE)
			continue;
		entry = RegistryLookup(altered[i]);
		if (entry->kind == MANAGED_SYSTEM_VERSIONED)
			SystemVersionedRefresh(entry, parsetree);
		if (entry->kind != MANAGED_VERSIONED)
			continue;
		HeadsRefresh(entry, parsetree);
		CommandCounterIncrement();
		if (OidIsValid(entry->current_view) &&
			get_rel_relkind(entry->current_view) == RELKIND_VIEW)
			CurrentViewRefresh(altered[i], entry->heads, entry->current_view);
	}
	DdlEnd(nestlevel);
	PG_RETURN_VOID();
}

/*
 * Return the partitioned table a CREATE TABLE ... PARTITION OF or an ALTER
 * TABLE ... ATTACH PARTITION in parsetree adds a partition to, or
 * InvalidOid.
 */
static Oid
gains_partition(Node *parsetree)
{
	ListCell   *lc;

	if (IsA(parsetree, CreateStmt) && ((CreateStmt *) parsetree)->partbound != NULL)
		return RangeVarGetRelid(linitial_node(RangeVar, ((CreateStmt *) parsetree)->inhRelations),
								NoLock, true);
	if (!IsA(parsetree, AlterTableStmt))
		return InvalidOid;
	foreach(lc, ((AlterTableStmt *) parsetree)->cmds)
		if (lfirst_node(AlterTableCmd, lc)->subtype == AT_AttachPartition)
		return RangeVarGetRelid(((AlterTableStmt *) parsetree)->relation, NoLock, true);
	return InvalidOid;
}

/*
 * immutable.protect_partitions() RETURNS event_trigger
 *
 * Event trigger function (ddl_command_end; CREATE TABLE, ALTER TABLE): gives a
 * partition created in or attached to a system-versioned or history table, at
 * any level, the trigger that refuses TRUNCATE (23001), as TRUNCATE fires only
 * the triggers of the tables it names.  DdlProtectPartitions adds it.  Raises
 * 39P01 when not called as an event trigger.
 */
Datum
immutable_protect_partitions(PG_FUNCTION_ARGS)
{
	Oid			parent;
	List	   *ancestors;
	ManagedKind kind;
	int			nestlevel;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"protect_partitions\" was not called by event trigger manager")));
	parent = gains_partition(((EventTriggerData *) fcinfo->context)->parsetree);
	if (creating_extension || !OidIsValid(parent))
		PG_RETURN_VOID();
	ancestors = get_partition_ancestors(parent);
	if (ancestors != NIL)
		parent = llast_oid(ancestors);
	kind = RegistryLookupRow(parent)->kind;
	if (kind != MANAGED_SYSTEM_VERSIONED && kind != MANAGED_HISTORY)
		PG_RETURN_VOID();
	nestlevel = DdlBegin();
	DdlProtectPartitions(parent);
	DdlEnd(nestlevel);
	PG_RETURN_VOID();
}

/*
 * immutable.restore_registration() RETURNS event_trigger
 *
 * Event trigger function (ddl_command_end, CREATE TRIGGER): when a restore
 * creates a managed table's TRUNCATE trigger, whose arguments carry the
 * table's registration, and the registry has no row for the table (a dump
 * without the registry's rows, such as pg_dump --schema-only), registers the
 * table from them.  RegistryRestore does it, so that the table is fully
 * managed.  Raises 55000 when a companion it names is missing, 22023 for
 * arguments no make_* function wrote, 39P01 when not called as an event
 * trigger.
 */
Datum
immutable_restore_registration(PG_FUNCTION_ARGS)
{
	Node	   *parsetree;
	CreateTrigStmt *stmt;
	char	  **args;
	int			nargs = 0;
	ListCell   *lc;
	int			nestlevel;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"restore_registration\" was not called by event trigger manager")));
	parsetree = ((EventTriggerData *) fcinfo->context)->parsetree;
	if (creating_extension || !IsA(parsetree, CreateTrigStmt))
		PG_RETURN_VOID();
	stmt = (CreateTrigStmt *) parsetree;
	if (strcmp(stmt->trigname, TRIGGER_REFUSE_TRUNCATE) != 0 || stmt->args == NIL)
		PG_RETURN_VOID();
	args = palloc(sizeof(char *) * list_length(stmt->args));
	foreach(lc, stmt->args)
		args[nargs++] = strVal(lfirst(lc));
	nestlevel = DdlBegin();
	RegistryRestore(RangeVarGetRelid(stmt->relation, NoLock, false), nargs, args);
	DdlEnd(nestlevel);
	PG_RETURN_VOID();
}

/*
 * ddl.c
 *		Running DDL for the extension through SPI, and the event triggers that
 *		keep the registry and the current views in step with users' DDL.
 *
 * All DDL is built from quoted, schema-qualified names and runs with
 * search_path set to pg_catalog, pg_temp, so that nothing in it (and nothing
 * pg_get_expr prints) resolves through the caller's search_path.
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
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "chain.h"
#include "current_view.h"
#include "ddl.h"
#include "ddl_guard.h"
#include "heads.h"
#include "history.h"
#include "registry.h"


PG_FUNCTION_INFO_V1(immutable_forget_dropped);
PG_FUNCTION_INFO_V1(immutable_follow_alter_table);
PG_FUNCTION_INFO_V1(immutable_protect_partitions);
PG_FUNCTION_INFO_V1(immutable_restore_registration);

/* Run one SQL statement through SPI, failing on anything unexpected. */
void
DdlRun(const char *sql, int expected)
{
	int			ret = SPI_execute(sql, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute failed for \"%s\": %s", sql,
			 SPI_result_code_string(ret));
}

/*
 * Run one statement as the owner of the extension: the trigger functions are
 * not executable by PUBLIC, so only their owner can attach them.
 */
void
DdlRunAsExtensionOwner(const char *sql)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(ExtensionOwner(), save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	DdlRun(sql, SPI_OK_UTILITY);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * Attach the extension's trigger to relid, its function called with args
 * (a SQL argument list, or NULL), as the extension's owner: the trigger
 * functions are not all executable by PUBLIC.
 */
void
DdlAttachTrigger(ExtensionTrigger trigger, Oid relid, const char *args)
{
	DdlRunAsExtensionOwner(TriggerDefinition(trigger, RelationQualifiedName(relid), args, false));
}

/*
 * Drop every trigger of the extension that relid has (make_mutable, which
 * took relid out of the registry first).
 */
void
DdlDetachTriggers(Oid relid)
{
	int			i;

	for (i = 0; i < TriggerNameCount(); i++)
		DdlDropTrigger(relid, RelationQualifiedName(relid), TriggerName(i));
}

/*
 * Run one statement that changes rows of relid as relid's owner, in a
 * security-restricted operation: the owner's triggers and constraints it
 * fires must not run with the rights of the caller (a superuser, say), as
 * PostgreSQL's own maintenance commands do it.
 */
void
DdlRunAsOwner(Oid relid, const char *sql, int expected)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(RelationOwner(relid), save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	DdlRun(sql, expected);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * Run sql, the extension's own command on relid that the DDL guard would
 * refuse from anyone (an ALTER TABLE by which a heads or history table
 * follows its table, or the CREATE OR REPLACE of the extension's trigger),
 * as the extension's owner when as_extension_owner, past the guard for that one
 * command.  Caller has run DdlBegin.
 */
void
DdlRunOnCompanion(Oid relid, const char *sql, bool as_extension_owner)
{
	Oid			outer = DdlGuardAllowNext(relid);

	PG_TRY();
	{
		if (as_extension_owner)
			DdlRunAsExtensionOwner(sql);
		else
			DdlRun(sql, SPI_OK_UTILITY);
	}
	PG_FINALLY();
	{
		DdlGuardRestore(outer);
	}
	PG_END_TRY();
}

/*
 * Give object (an object of kind "TABLE", "VIEW" or "FUNCTION", named as
 * ALTER wants it) that make_* created next to relid to relid's owner, when
 * someone else (a superuser) made relid managed: the table's companions are
 * its owner's, as if the owner had called make_*.
 */
void
DdlGiveToTableOwner(Oid relid, const char *kind, const char *object)
{
	Oid			owner = RelationOwner(relid);

	if (owner != GetUserId())
		DdlRun(psprintf("ALTER %s %s OWNER TO %s", kind, object,
						quote_identifier(GetUserNameFromId(owner, false))),
			   SPI_OK_UTILITY);
}

/*
 * Give relid's column the new name that the RENAME COLUMN in parsetree (of
 * another table: a companion's table) gave, when relid has the column under
 * its old name and none under the new one.  Caller has run DdlBegin.
 */
void
DdlFollowColumnRename(Oid relid, Node *parsetree)
{
	RenameStmt *stmt = (RenameStmt *) parsetree;

	if (parsetree == NULL || !IsA(parsetree, RenameStmt) ||
		stmt->renameType != OBJECT_COLUMN ||
		get_attnum(relid, stmt->subname) == InvalidAttrNumber ||
		get_attnum(relid, stmt->newname) != InvalidAttrNumber)
		return;
	DdlRunOnCompanion(relid, psprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
									  RelationQualifiedName(relid),
									  quote_identifier(stmt->subname),
									  quote_identifier(stmt->newname)), false);
	CommandCounterIncrement();
}

/* Connect to SPI and pin search_path for the rest of the call. */
int
DdlBegin(void)
{
	int			nestlevel;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	return nestlevel;
}

/* Undo DdlBegin. */
void
DdlEnd(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
	SPI_finish();
}

/* Return the OIDs in column 1 of the SPI result, copied out. */
static Oid *
result_oids(uint64 *n)
{
	Oid		   *oids = palloc(sizeof(Oid) * (SPI_processed + 1));
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		oids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
												 SPI_tuptable->tupdesc, 1, &isnull));
	}
	*n = SPI_processed;
	return oids;
}

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
 * immutable.forget_dropped() RETURNS event_trigger
 *
 * sql_drop event trigger: the extension's triggers cannot be dropped from a
 * table that stays managed (55000); a dropped versioned table takes its
 * current view and heads table with it, a heads or history table cannot be
 * dropped alone (55000), a dropped table leaves the registry (its OID could
 * otherwise be reused by an unrelated table), and a dropped current view is
 * cleared from its table's row.  Raises 39P01 when not called as an event
 * trigger.
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
	ret = SPI_execute("SELECT objid FROM pg_catalog.pg_event_trigger_dropped_objects()"
					  " WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					  " AND objsubid OPERATOR(pg_catalog.=) 0"
					  " AND object_type OPERATOR(pg_catalog.=) ANY (ARRAY['table', 'view'])",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read dropped objects: %s", SPI_result_code_string(ret));

	dropped = result_oids(&ndropped);
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
 * ddl_command_end event trigger for ALTER TABLE: after a versioned table
 * gains, renames, retypes or drops columns or changes defaults, its heads
 * table and current view are brought up to date (HeadsRefresh,
 * CurrentViewRefresh), so that the view shows and writes every column, and a
 * system-versioned table's history table follows (HistoryRefresh); on a
 * hash-chained table, changes that old rows' hashes would not survive are
 * refused with 0A000 (ChainCheckAlter).  Other ALTER TABLEs are not looked
 * at.  Does
 * nothing while an extension is being created or pg_restore runs
 * (application_name pg_restore).  Raises 39P01 when not called as an
 * event trigger.
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
	altered = result_oids(&naltered);
	for (i = 0; i < naltered; i++)
	{
		ManagedRelation *entry;

		if (get_rel_relkind(altered[i]) != RELKIND_RELATION &&
			get_rel_relkind(altered[i]) != RELKIND_PARTITIONED_TABLE)
			continue;
		entry = RegistryLookup(altered[i]);
		if (entry->hashed)
			ChainCheckAlter(entry, parsetree);
		if (entry->kind == MANAGED_SYSTEM_VERSIONED)
			HistoryRefresh(entry, parsetree);
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
 * Return the partitions of root at every level (not root itself), or NIL
 * when it is not partitioned.  Caller has run DdlBegin.
 */
static List *
partitions_of(Oid root)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(root)};
	List	   *partitions = NIL;
	uint64		n;
	Oid		   *oids;
	uint64		i;

	if (get_rel_relkind(root) != RELKIND_PARTITIONED_TABLE)
		return NIL;
	if (SPI_execute_with_args("SELECT relid::pg_catalog.oid FROM pg_catalog.pg_partition_tree($1)"
							  " WHERE relid OPERATOR(pg_catalog.<>) $1",
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the partitions of relation %u", root);
	oids = result_oids(&n);
	for (i = 0; i < n; i++)
		partitions = lappend_oid(partitions, oids[i]);
	return partitions;
}

/*
 * Give every partition of root (a system-versioned or history table) the
 * TRUNCATE trigger of its partitioned table: TRUNCATE fires only the
 * statement triggers of the tables it names, and a session that has not
 * loaded the library has no DDL guard to refuse it.  Caller has run
 * DdlBegin.
 */
void
DdlProtectPartitions(Oid root)
{
	ListCell   *lc;

	foreach(lc, partitions_of(root))
	{
		Oid			partition = lfirst_oid(lc);

		if (!OidIsValid(get_trigger_oid(partition, TRIGGER_REFUSE_TRUNCATE, true)))
			DdlAttachTrigger(TRG_REFUSE_TRUNCATE, partition, NULL);
	}
}

/*
 * Undo DdlProtectPartitions (make_mutable, whose caller owns root; a
 * partition may have another owner, so the triggers are dropped as the
 * extension's owner, who created them).  Caller has run DdlBegin.
 */
void
DdlUnprotectPartitions(Oid root)
{
	ListCell   *lc;

	foreach(lc, partitions_of(root))
		if (OidIsValid(get_trigger_oid(lfirst_oid(lc), TRIGGER_REFUSE_TRUNCATE, true)))
			DdlRunAsExtensionOwner(psprintf("DROP TRIGGER " TRIGGER_REFUSE_TRUNCATE " ON %s",
											RelationQualifiedName(lfirst_oid(lc))));
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
 * ddl_command_end event trigger for CREATE TABLE and ALTER TABLE: a
 * partition created in or attached to a system-versioned or history table
 * (at any level) gets its TRUNCATE trigger (DdlProtectPartitions).  Raises
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
 * ddl_command_end event trigger for CREATE TRIGGER: when the extension's
 * TRUNCATE trigger is created with a registration in its arguments (a
 * restore's post-data) on a table the registry has no row for (the dump
 * left the registry's rows out: pg_dump --schema-only), the table is
 * registered from them (RegistryRestore), so it is fully managed.  Raises
 * 55000 when a companion it names is missing, 22023 for arguments no
 * make_* function wrote, 39P01 when not called as an event trigger.
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

/* Drop the trigger name of relid (named table) when it has one. */
void
DdlDropTrigger(Oid relid, const char *table, const char *name)
{
	if (OidIsValid(get_trigger_oid(relid, name, true)))
		DdlRun(psprintf("DROP TRIGGER %s ON %s", quote_identifier(name), table),
			   SPI_OK_UTILITY);
}


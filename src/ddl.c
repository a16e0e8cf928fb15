/*
 * ddl.c
 *		Running DDL for the extension through SPI: as the caller, the
 *		table's owner or the extension's owner, past the DDL guard for the
 *		extension's own commands; attaching and dropping the extension's
 *		triggers.
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

#include "ddl.h"
#include "ddl_guard.h"
#include "registry.h"

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
static void
run_as_extension_owner(const char *sql)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(RegistryOwner(), save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	DdlRun(sql, SPI_OK_UTILITY);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/* Attach the triggers that refuse UPDATE, DELETE and TRUNCATE to relid. */
void
DdlAttachRefusingTriggers(Oid relid)
{
	DdlAttachTrigger(TRG_REFUSE_CHANGE, relid, NULL);
	DdlAttachTrigger(TRG_REFUSE_TRUNCATE, relid, NULL);
}

/*
 * Attach the extension's trigger to relid, its function called with args
 * (a SQL argument list, or NULL), as the extension's owner: the trigger
 * functions are not all executable by PUBLIC.
 */
void
DdlAttachTrigger(ExtensionTrigger trigger, Oid relid, const char *args)
{
	run_as_extension_owner(TriggerDefinition(trigger, RelationQualifiedName(relid), args, false));
}

/* Drop the trigger name of relid (named table) when it has one. */
static void
drop_trigger(Oid relid, const char *table, const char *name)
{
	if (OidIsValid(get_trigger_oid(relid, name, true)))
		DdlRun(psprintf("DROP TRIGGER %s ON %s", quote_identifier(name), table),
			   SPI_OK_UTILITY);
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
		drop_trigger(relid, RelationQualifiedName(relid), TriggerName(i));
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
			run_as_extension_owner(sql);
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
 * Give companion (a heads or history table, kind "TABLE", or a current
 * view, "VIEW") of managed table relid to relid's owner when another role
 * owns it, past the DDL guard: a managed table's companions are its
 * owner's.  Runs as the caller, who changed relid's owner.  Caller has run
 * DdlBegin.
 */
void
DdlGiveCompanionToOwner(Oid relid, Oid companion, const char *kind)
{
	Oid			owner = RelationOwner(relid);

	if (!OidIsValid(companion) || get_rel_name(companion) == NULL ||
		RelationOwner(companion) == owner)
		return;
	DdlRunOnCompanion(companion, psprintf("ALTER %s %s OWNER TO %s", kind,
										  RelationQualifiedName(companion),
										  quote_identifier(GetUserNameFromId(owner, false))),
					  false);
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
Oid *
DdlResultOids(uint64 *n)
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
	oids = DdlResultOids(&n);
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
		run_as_extension_owner(psprintf("DROP TRIGGER " TRIGGER_REFUSE_TRUNCATE " ON %s",
										RelationQualifiedName(lfirst_oid(lc))));
}

/*
 * Append rel's live columns, quoted and each behind prefix, in column order;
 * only those an INSERT may write (no generated ones) when insertable.
 */
void
DdlAppendColumns(StringInfo buf, Relation rel, const char *prefix,
				 bool insertable)
{
	TupleDesc	desc = RelationGetDescr(rel);
	bool		first = true;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || (insertable && att->attgenerated))
			continue;
		appendStringInfo(buf, "%s%s%s", first ? "" : ", ", prefix,
						 quote_identifier(NameStr(att->attname)));
		first = false;
	}
}

/*
 * Write relid's registration into the arguments of its TRUNCATE trigger
 * (RegistryTriggerArguments), after the registry row: a dump that leaves
 * the registry's rows out still restores the table fully managed.  Caller
 * has run DdlBegin.
 */
void
DdlRecordRegistration(Oid relid)
{
	CommandCounterIncrement();	/* the registry row, and the cache after it */
	DdlRunOnCompanion(relid, TriggerDefinition(TRG_REFUSE_TRUNCATE, RelationQualifiedName(relid),
											   RegistryTriggerArguments(relid), true),
					  true);
}

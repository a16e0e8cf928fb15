/*
 * ddl_guard.c
 *		The DDL guard: the utility commands that would rewrite, remove, detach
 *		or unprotect what managed tables keep are refused before they run.
 *
 * A ProcessUtility hook sees every utility command of a session once the
 * library is loaded; the extension's ddl_command_start event trigger, which
 * fires for every DDL command in every session, runs the same checks for
 * the command that loads the library (the hook is installed too late to
 * see it).  TRUNCATE fires no event trigger: the extension's TRUNCATE
 * triggers refuse it on managed tables and on every partition of a
 * system-versioned or history table.
 *
 * Refused, for every role: a type change of a column that does not keep
 * every stored value exactly, and any change of the columns the extension
 * keeps (a versioned table's id, entity_id, version, valid_from and
 * deleted_at, a period column, hash-chain columns); dropping a column (of a
 * system-versioned table too: its current values have no history row); column changes on heads and
 * history tables other than the ones the extension makes when they follow
 * their table; SET LOGGED or UNLOGGED; DETACH PARTITION of a
 * system-versioned or history table, ATTACH PARTITION of a table with rows
 * to one (their periods were never stamped), and dropping one of their
 * partitions alone; TRUNCATE; dropping, replacing, renaming or making
 * dependent on an extension the extension's triggers.  Refused for roles
 * that are not superuser: disabling the extension's triggers.  Each
 * refusal names make_mutable, the way out for the table's owner.
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_coerce.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "compat.h"
#include "ddl_guard.h"
#include "guard.h"
#include "registry.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(immutable_guard_ddl);
PG_FUNCTION_INFO_V1(immutable_guard_triggers);

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/*
 * How many commands run inside the hook now.  The event trigger checks only
 * a command the hook did not see, the one during which the library loaded.
 */
static int	hooked_commands = 0;

/*
 * The relation whose next command is the extension's own
 * (DdlGuardAllowNext), or InvalidOid.
 */
static Oid	companion_relid = InvalidOid;

/* Return the registry entry of the relation rv names, or NULL if unmanaged. */
static ManagedRelation *
managed_entry(RangeVar *rv)
{
	Oid			relid;
	ManagedRelation *entry;

	if (rv == NULL)
		return NULL;
	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		return NULL;
	entry = RegistryLookupRow(relid);
	return entry->kind == MANAGED_NONE ? NULL : entry;
}

/*
 * Return the name of the managed table entry's relation belongs to (its
 * table, for a heads or history table; its root, for a partition).
 */
static const char *
owning_table_name(ManagedRelation *entry)
{
	if (OidIsValid(entry->base_relid))
		return get_rel_name(entry->base_relid);
	return get_rel_name(OidIsValid(entry->inherited_from) ? entry->inherited_from : entry->relid);
}

/* Raise 0A000 for a command (what) that managed tables do not allow. */
static void
refuse(ManagedRelation *entry, const char *what, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot %s %s table \"%s\"", what,
					RegistryKindAdjective(entry->kind), get_rel_name(entry->relid)),
			 errdetail("%s", detail),
			 errhint("Call immutable.make_mutable() on table \"%s\" first if the change is meant; "
					 "its make_* function puts it under management again.",
					 owning_table_name(entry))));
}

/* Has entry's relation a column of this name?  (PostgreSQL reports one it lacks.) */
static bool
has_column(ManagedRelation *entry, const char *column)
{
	return get_attnum(entry->relid, column) != InvalidAttrNumber;
}

/*
 * Refuse (0A000) a change of a hash-chained table's columns that its rows'
 * hashes would not survive: they cover every column by name and value.
 */
static void
refuse_chained(ManagedRelation *entry, const char *change)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot %s hash-chained table \"%s\"", change,
					get_rel_name(entry->relid)),
			 errdetail("The rows' hashes cover every column by its name and value."),
			 errhint("Add columns without a default (SET DEFAULT afterwards), or call immutable.make_mutable() first.")));
}

/* Raise 42501 for a change (action) of the extension's trigger on entry's relation. */
static void
refuse_trigger_change(ManagedRelation *entry, const char *action, const char *trigger)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s trigger \"%s\" of managed relation \"%s\"",
					action, trigger, get_rel_name(entry->relid)),
			 errdetail("The immutable extension's triggers protect the history of the table."),
			 errhint("Call immutable.make_mutable() as the table's owner to take the table out of management.")));
}

/*
 * Return the name of the period column of a system-versioned or history
 * table (or a partition of one), or NULL.
 */
static const char *
period_column(ManagedRelation *entry)
{
	ManagedRelation *table = entry;

	if (entry->kind == MANAGED_HISTORY)
		table = RegistryLookupRow(entry->base_relid);
	if (table->kind != MANAGED_SYSTEM_VERSIONED || table->system_versioned.att_period == InvalidAttrNumber)
		return NULL;
	return get_attname(table->relid, table->system_versioned.att_period, true);
}

/*
 * Is column one the extension keeps: a versioned table's fixed columns, a
 * period column, a hash-chained table's hash columns and chain_by column?
 */
static bool
is_kept_column(ManagedRelation *entry, const char *column)
{
	static const char *const versioned[] = {
		COL_ID, COL_ENTITY_ID, COL_VERSION, COL_VALID_FROM, COL_DELETED_AT
	};
	static const char *const hashed[] = {COL_CHAIN_SEQ, COL_PREV_HASH, COL_HASH};
	const char *period = period_column(entry);
	int			i;

	if (period != NULL && strcmp(column, period) == 0)
		return true;
	for (i = 0; entry->kind == MANAGED_VERSIONED && i < lengthof(versioned); i++)
		if (strcmp(column, versioned[i]) == 0)
			return true;
	for (i = 0; entry->hashed && i < lengthof(hashed); i++)
		if (strcmp(column, hashed[i]) == 0)
			return true;
	return entry->hashed && entry->chain.att_chain_by != InvalidAttrNumber &&
		strcmp(column, get_attname(entry->relid, entry->chain.att_chain_by, false)) == 0;
}

/*
 * Does a typmod change keep every value of type typid exactly?  Dropping the
 * modifier does, and so does a longer maximum length of a type that does not
 * pad, or more digits before the point of a numeric at the same scale.
 */
static bool
typmod_change_is_exact(Oid typid, int32 from, int32 to)
{
	if (to == from || to == -1)
		return true;
	if (from == -1)
		return false;
	if (typid == VARCHAROID || typid == VARBITOID)
		return to > from;
	if (typid == NUMERICOID)
		return ((to - VARHDRSZ) & 0xffff) == ((from - VARHDRSZ) & 0xffff) &&
			((to - VARHDRSZ) >> 16) >= ((from - VARHDRSZ) >> 16);
	return false;
}

/*
 * Does converting values of type from (typmod fromtypmod) to type to
 * (totypmod) keep every value exactly?  The same type under a wider
 * modifier, a binary-coercible type without a modifier (varchar to text),
 * or a widening of integers and floats that every value survives.
 */
static bool
conversion_is_exact(Oid from, int32 fromtypmod, Oid to, int32 totypmod)
{
	static const Oid widenings[][2] = {
		{INT2OID, INT4OID}, {INT2OID, INT8OID}, {INT4OID, INT8OID},
		{INT2OID, NUMERICOID}, {INT4OID, NUMERICOID}, {INT8OID, NUMERICOID},
		{INT2OID, FLOAT4OID}, {INT2OID, FLOAT8OID}, {INT4OID, FLOAT8OID},
		{FLOAT4OID, FLOAT8OID}
	};
	int			i;

	if (from == to)
		return typmod_change_is_exact(from, fromtypmod, totypmod);
	if (totypmod != -1)
		return false;
	if (IsBinaryCoercible(from, to))
		return true;
	for (i = 0; i < lengthof(widenings); i++)
		if (widenings[i][0] == from && widenings[i][1] == to)
			return true;
	return false;
}

/*
 * Is a USING expression of ALTER COLUMN column TYPE the plain conversion:
 * none, the column itself, or the column cast to the new type (as Django
 * writes it)?
 */
static bool
using_is_plain(Node *expr, const char *column)
{
	if (expr == NULL)
		return true;
	if (IsA(expr, TypeCast))
		expr = ((TypeCast *) expr)->arg;
	return IsA(expr, ColumnRef) &&
		list_length(((ColumnRef *) expr)->fields) == 1 &&
		IsA(linitial(((ColumnRef *) expr)->fields), String) &&
		strcmp(strVal(linitial(((ColumnRef *) expr)->fields)), column) == 0;
}

/*
 * Check ALTER COLUMN ... TYPE: a kept column never changes type; other
 * columns only to a type that keeps every value exactly, with no USING
 * expression other than the column itself.
 */
static void
check_retype(ManagedRelation *entry, AlterTableCmd *cmd)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	Relation	rel;
	AttrNumber	attnum;
	Form_pg_attribute att;
	Oid			typid;
	int32		typmod;
	bool		exact;

	if (is_kept_column(entry, cmd->name))
		refuse(entry, psprintf("change the type of column \"%s\" of", cmd->name),
			   "The extension keeps this column: its type is part of how the table is managed.");
	rel = relation_open(entry->relid, AccessShareLock);
	attnum = attnameAttNum(rel, cmd->name, false);
	if (attnum <= 0)
	{
		relation_close(rel, AccessShareLock);
		return;					/* PostgreSQL reports the missing column */
	}
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	typenameTypeIdAndMod(NULL, def->typeName, &typid, &typmod);
	exact = conversion_is_exact(att->atttypid, att->atttypmod, typid, typmod) &&
		using_is_plain(def->raw_default, cmd->name);
	relation_close(rel, AccessShareLock);
	if (!exact)
		refuse(entry, psprintf("change the type of column \"%s\" of", cmd->name),
			   "Only a type change that keeps every stored value exactly is allowed "
			   "(a longer maximum length, varchar to text, a wider integer or float), "
			   "without a USING expression.");
}

/*
 * Does the table rv names hold any row (in any of its partitions)?  Read
 * as the extension's owner, so that no row-level security policy of the
 * table's hides a row from the question.
 */
static bool
has_rows(RangeVar *rv)
{
	Oid			relid = RangeVarGetRelid(rv, AccessShareLock, true);

	if (!OidIsValid(relid))
		return false;			/* PostgreSQL reports the missing table */
	return RegistryExecuteAsOwner(psprintf("SELECT FROM %s LIMIT 1", RelationQualifiedName(relid)),
								  0, NULL, NULL, NULL, SPI_OK_SELECT) > 0;
}

/*
 * Does a new column get values in the rows there are (a default, identity
 * or generation expression), or constraints?  (A hash-chained table's old
 * rows would then no longer match their hashes.)
 */
static bool
fills_or_constrains_column(ColumnDef *def)
{
	return def->raw_default != NULL || def->identity || def->generated ||
		list_length(def->constraints) > 0;
}

/*
 * Does the column an ALTER TABLE ... ADD COLUMN defines get its values from
 * PostgreSQL (a generated or identity column)?
 */
static bool
column_is_computed(ColumnDef *def)
{
	ListCell   *lc;

	if (def->identity || def->generated)
		return true;
	foreach(lc, def->constraints)
	{
		Constraint *constraint = lfirst_node(Constraint, lc);

		if (constraint->contype == CONSTR_GENERATED ||
			constraint->contype == CONSTR_IDENTITY)
			return true;
	}
	return false;
}

/*
 * Refuse a generated or identity column (what) on a versioned table, as
 * make_versioned does.
 */
static void
refuse_computed_column(ManagedRelation *entry, const char *what)
{
	refuse(entry, what,
		   "Every version is written by the versioning trigger, before PostgreSQL computes "
		   "stored generated and identity columns, and a virtual generated column is not "
		   "stored at all: the heads table and the current view would miss their values.");
}

/*
 * Check one subcommand of an ALTER TABLE of a managed relation (not the
 * extension's own ALTER TABLE of a heads or history table).
 */
static void
check_alter_table_cmd(ManagedRelation *entry, AlterTableCmd *cmd)
{
	switch (cmd->subtype)
	{
		case AT_AlterColumnType:
			if (entry->kind == MANAGED_HEADS)
				refuse(entry, "change the columns of",
					   "A heads table follows the columns of its versioned table.");
			check_retype(entry, cmd);
			if (entry->hashed && has_column(entry, cmd->name))
				refuse_chained(entry, "change the type of a column of");
			break;
		case AT_DropColumn:
			refuse(entry, psprintf("drop column \"%s\" of", cmd->name),
				   "Dropping a column would remove its values from every row the table keeps.");
			break;
		case AT_AddColumn:
			if (entry->kind == MANAGED_HEADS)
				refuse(entry, "change the columns of",
					   "A heads table follows the columns of its versioned table.");
			if (entry->hashed && fills_or_constrains_column((ColumnDef *) cmd->def))
				refuse_chained(entry, "add a column with a default or constraints to");
			if (entry->kind == MANAGED_VERSIONED &&
				column_is_computed(castNode(ColumnDef, cmd->def)))
				refuse_computed_column(entry, psprintf("add generated or identity column \"%s\" to",
													   castNode(ColumnDef, cmd->def)->colname));
			break;
		case AT_DropExpression:
			if (entry->hashed)
				refuse(entry, psprintf("drop the expression of generated column \"%s\" of", cmd->name),
					   "The rows' hashes leave stored generated columns out; as a plain column it "
					   "would enter them, and no row would verify.");
			break;
		case AT_AddIdentity:
			if (entry->kind == MANAGED_VERSIONED)
				refuse_computed_column(entry, psprintf("make column \"%s\" an identity column of",
													   cmd->name));
			break;
		case AT_SetLogged:
		case AT_SetUnLogged:
			refuse(entry, "change the persistence of",
				   "Its heads or history table, or its partitions, would be left with the other "
				   "persistence, and an unlogged table loses its rows in a crash.");
			break;
		case AT_DetachPartition:
		case AT_DetachPartitionFinalize:
			if (entry->kind == MANAGED_SYSTEM_VERSIONED || entry->kind == MANAGED_HISTORY)
				refuse(entry, "detach a partition of",
					   "The partition's rows would leave the table without their history.");
			break;
		case AT_AttachPartition:
			if ((entry->kind == MANAGED_SYSTEM_VERSIONED || entry->kind == MANAGED_HISTORY) &&
				has_rows(((PartitionCmd *) cmd->def)->name))
				refuse(entry, "attach a partition with rows to",
					   "Its rows would join the table with periods the system-versioning trigger never stamped.");
			break;
		case AT_DisableTrig:
		case AT_EnableAlwaysTrig:
		case AT_EnableReplicaTrig:
			if (!superuser() && TriggerIsExtensionTrigger(cmd->name))
				refuse_trigger_change(entry, "disable", cmd->name);
			break;
		case AT_DisableTrigAll:
		case AT_DisableTrigUser:
			if (!superuser())
				refuse_trigger_change(entry, "disable", TRIGGER_REFUSE_CHANGE);
			break;
		default:
			if (AlterTableCmdSetsExpression(cmd))
				refuse(entry, psprintf("change the expression of generated column \"%s\" of", cmd->name),
					   "Every row the table keeps would show values of the new expression: "
					   "a stored column is rewritten, a virtual one computed anew.");
			break;
	}
}

/*
 * Refuse (0A000) a change of columns (what) that an ALTER TABLE or RENAME
 * of the relation rv names, without ONLY, would pass on to a managed table
 * among its inheritance children or partitions: the heads table, current
 * view or history table of that table follow only the changes that name
 * it, and a hash-chained table's rows would no longer match their hashes.
 * A partition of a managed partitioned table goes with its table, which is
 * checked when it is the one named.  Adding a column (added) that the child
 * has already changes nothing in it: PostgreSQL merges the two.
 */
static void
check_inherited_change(RangeVar *rv, const char *what, const char *added)
{
	Oid			parent;
	ListCell   *lc;

	if (!rv->inh)
		return;
	parent = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(parent) || !has_subclass(parent))
		return;
	foreach(lc, find_all_inheritors(parent, NoLock, NULL))
	{
		Oid			child = lfirst_oid(lc);
		ManagedRelation *entry;

		if (child == parent)
			continue;
		entry = RegistryLookupRow(child);
		if (entry->kind == MANAGED_NONE || OidIsValid(entry->inherited_from) ||
			(added != NULL && get_attnum(child, added) != InvalidAttrNumber))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s %s table \"%s\" through table \"%s\"", what,
						RegistryKindAdjective(entry->kind), get_rel_name(child),
						get_rel_name(parent)),
				 errdetail("The change would reach the table as an inheritance child or partition, "
						   "but not what the extension keeps next to it."),
				 errhint("Call immutable.make_mutable() on table \"%s\" first if the change is meant; "
						 "its make_* function puts it under management again.",
						 get_rel_name(child))));
	}
}

/* Check one column change of an ALTER TABLE for the tables it reaches. */
static void
check_inherited_cmd(RangeVar *rv, AlterTableCmd *cmd)
{
	const char *column = cmd->subtype == AT_AddColumn ?
	((ColumnDef *) cmd->def)->colname : cmd->name;

	switch (cmd->subtype)
	{
		case AT_AddColumn:
			check_inherited_change(rv, psprintf("add column \"%s\" to", column), column);
			break;
		case AT_DropColumn:
			check_inherited_change(rv, psprintf("drop column \"%s\" of", column), NULL);
			break;
		case AT_AlterColumnType:
			check_inherited_change(rv, psprintf("change the type of column \"%s\" of", column), NULL);
			break;
		case AT_ColumnDefault:
			check_inherited_change(rv, psprintf("change the default of column \"%s\" of", column), NULL);
			break;
		default:
			if (AlterTableCmdSetsExpression(cmd))
				check_inherited_change(rv, psprintf("change the expression of column \"%s\" of", column),
									   NULL);
			break;
	}
}

/*
 * Return a managed relation (table, heads or history table) that stores
 * values of type typid: in a column of that type, or of a composite type,
 * domain or array that holds it; InvalidOid when none does.
 */
static Oid
managed_user_of_type(Oid typid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(typid)};
	Oid			user = InvalidOid;
	uint64		i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("WITH RECURSIVE types(t) AS ("
							  " SELECT $1"
							  " UNION SELECT CASE WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
							  " THEN d.objid ELSE c.reltype END"
							  " FROM types JOIN pg_catalog.pg_depend AS d ON d.refobjid OPERATOR(pg_catalog.=) types.t"
							  " AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
							  " LEFT JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) d.objid"
							  " AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
							  " WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
							  " OR (c.relkind OPERATOR(pg_catalog.=) 'c' AND d.objsubid OPERATOR(pg_catalog.>) 0))"
							  " SELECT DISTINCT d.objid FROM types JOIN pg_catalog.pg_depend AS d"
							  " ON d.refobjid OPERATOR(pg_catalog.=) types.t"
							  " AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass"
							  " AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
							  " AND d.objsubid OPERATOR(pg_catalog.>) 0",
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the users of type %u", typid);
	for (i = 0; i < SPI_processed && !OidIsValid(user); i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));

		if (RegistryLookupRow(relid)->kind != MANAGED_NONE)
			user = relid;
	}
	SPI_finish();
	return user;
}

/*
 * Refuse (0A000) ALTER TYPE ... DROP ATTRIBUTE or ALTER ATTRIBUTE ... TYPE
 * of a composite type whose values a managed relation stores: with CASCADE,
 * PostgreSQL rewrites every stored value of the type.
 */
static void
check_composite_change(AlterTableStmt *stmt)
{
	ListCell   *lc;
	Oid			relid;
	Oid			user;

	foreach(lc, stmt->cmds)
	{
		AlterTableType type = lfirst_node(AlterTableCmd, lc)->subtype;

		if (type != AT_DropColumn && type != AT_AlterColumnType)
			continue;
		relid = RangeVarGetRelid(stmt->relation, NoLock, true);
		if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_COMPOSITE_TYPE ||
			!OidIsValid(user = managed_user_of_type(get_rel_type_id(relid))))
			return;
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot change the attributes of type \"%s\": %s table \"%s\" stores its values",
						get_rel_name(relid), RegistryKindAdjective(RegistryLookupRow(user)->kind),
						get_rel_name(user)),
				 errdetail("Dropping or retyping an attribute rewrites every stored value of the type, in every row the table keeps."),
				 errhint("Add attributes instead, or a column of a new type; call immutable.make_mutable() on table \"%s\" first if the change is meant.",
						 get_rel_name(user))));
	}
}

/*
 * Refuse (0A000) ALTER TYPE ... RENAME VALUE of an enum whose values a
 * managed relation stores: every stored value would read as the new label,
 * and a hash-chained row's hash covers the label.
 */
static void
check_enum_rename(AlterEnumStmt *stmt)
{
	Oid			typid;
	Oid			user;

	if (stmt->oldVal == NULL)
		return;					/* ADD VALUE changes no stored value */
	typid = LookupTypeNameOid(NULL, makeTypeNameFromNameList(stmt->typeName), true);
	if (!OidIsValid(typid) || !OidIsValid(user = managed_user_of_type(typid)))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot rename value \"%s\" of type \"%s\": %s table \"%s\" stores its values",
					stmt->oldVal, format_type_be(typid),
					RegistryKindAdjective(RegistryLookupRow(user)->kind), get_rel_name(user)),
			 errdetail("Every row the table keeps that holds the value would read as the new label."),
			 errhint("Add the new label with ALTER TYPE ... ADD VALUE and use it from now on.")));
}

/* Check ALTER TABLE. */
static void
check_alter_table(AlterTableStmt *stmt)
{
	ManagedRelation *entry;
	ListCell   *lc;

	if (stmt->objtype == OBJECT_TYPE)
	{
		check_composite_change(stmt);
		return;
	}
	foreach(lc, stmt->cmds)
		check_inherited_cmd(stmt->relation, lfirst_node(AlterTableCmd, lc));
	entry = managed_entry(stmt->relation);
	if (entry == NULL)
		return;
	if (entry->relid == companion_relid)
	{
		companion_relid = InvalidOid;	/* one statement: nothing nested */
		return;
	}
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (entry->kind == MANAGED_CURRENT_VIEW &&
			cmd->subtype != AT_DisableTrig && cmd->subtype != AT_DisableTrigAll &&
			cmd->subtype != AT_DisableTrigUser && cmd->subtype != AT_EnableAlwaysTrig &&
			cmd->subtype != AT_EnableReplicaTrig)
			continue;
		check_alter_table_cmd(entry, cmd);
	}
}

/*
 * Refuse (0A000) renaming (what) a heads or history table or a current
 * view, or moving one, or a table that has them, to another schema: the
 * registration the table's TRUNCATE trigger carries for dumps names them
 * in the table's schema (RegistryTriggerArguments).
 */
static void
check_moved_companion(ManagedRelation *entry, const char *what)
{
	if (entry == NULL)
		return;
	if (entry->kind == MANAGED_HEADS || entry->kind == MANAGED_HISTORY ||
		entry->kind == MANAGED_CURRENT_VIEW)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s %s \"%s\" of managed table \"%s\"", what,
						RegistryKindName(entry->kind), get_rel_name(entry->relid),
						get_rel_name(entry->base_relid)),
				 errdetail("The table's registration names it, in the table's schema, for dumps."),
				 errhint("Call immutable.make_mutable() on table \"%s\" and make it managed again with the names you want.",
						 get_rel_name(entry->base_relid))));
	if (strcmp(what, "move") == 0 &&
		(entry->kind == MANAGED_VERSIONED || entry->kind == MANAGED_SYSTEM_VERSIONED) &&
		!get_rel_relispartition(entry->relid))
		refuse(entry, "move",
			   "Its heads or history table and current view would stay in the old schema.");
}

/* Check ALTER TABLE/VIEW ... SET SCHEMA. */
static void
check_set_schema(AlterObjectSchemaStmt *stmt)
{
	if (stmt->objectType == OBJECT_TABLE || stmt->objectType == OBJECT_VIEW)
		check_moved_companion(managed_entry(stmt->relation), "move");
}

/*
 * Check RENAME: of a kept column (the table would lose it), of any column
 * of a heads or history table (they follow their table by name), of the
 * extension's triggers.
 */
static void
check_rename(RenameStmt *stmt)
{
	ManagedRelation *entry;

	if (stmt->renameType == OBJECT_TABLE || stmt->renameType == OBJECT_VIEW)
	{
		check_moved_companion(managed_entry(stmt->relation), "rename");
		return;
	}
	if (stmt->renameType != OBJECT_COLUMN && stmt->renameType != OBJECT_TRIGGER)
		return;
	if (stmt->renameType == OBJECT_COLUMN)
		check_inherited_change(stmt->relation,
							   psprintf("rename column \"%s\" of", stmt->subname), NULL);
	entry = managed_entry(stmt->relation);
	if (entry == NULL)
		return;
	if (stmt->renameType == OBJECT_TRIGGER)
	{
		if (TriggerIsExtensionTrigger(stmt->subname))
			refuse_trigger_change(entry, "rename", stmt->subname);
		return;
	}
	if (entry->relid == companion_relid)
	{
		companion_relid = InvalidOid;
		return;
	}
	if (entry->kind == MANAGED_HEADS || entry->kind == MANAGED_HISTORY)
		refuse(entry, psprintf("rename column \"%s\" of", stmt->subname),
			   "It follows the columns of its table by name.");
	if (is_kept_column(entry, stmt->subname))
		refuse(entry, psprintf("rename column \"%s\" of", stmt->subname),
			   "The extension keeps this column under its name.");
	if (entry->hashed && has_column(entry, stmt->subname))
		refuse_chained(entry, "rename a column of");
}

/* Check TRUNCATE: refused as the TRUNCATE trigger would (23001). */
static void
check_truncate(TruncateStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		ManagedRelation *entry = managed_entry(lfirst_node(RangeVar, lc));

		if (entry != NULL && entry->kind != MANAGED_CURRENT_VIEW)
			GuardRefuseChange(entry, NULL, get_rel_name(entry->relid), TRIGGER_EVENT_TRUNCATE);
	}
}

/* Return the OIDs of the relations a DROP TABLE names (missing ones left out). */
static List *
dropped_relids(DropStmt *stmt)
{
	List	   *relids = NIL;
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Oid			relid = RangeVarGetRelid(makeRangeVarFromNameList(lfirst(lc)),
											 NoLock, true);

		if (OidIsValid(relid))
			relids = lappend_oid(relids, relid);
	}
	return relids;
}

/*
 * Check DROP TABLE: a partition of a system-versioned or history table
 * cannot be dropped unless its partitioned table is dropped too (dropping a
 * heads or history table alone is refused by the sql_drop event trigger).
 */
static void
check_drop_tables(DropStmt *stmt)
{
	List	   *relids = dropped_relids(stmt);
	ListCell   *lc;

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		ManagedRelation *entry;
		List	   *ancestors;

		if (!get_rel_relispartition(relid))
			continue;
		entry = RegistryLookupRow(relid);
		if (entry->kind != MANAGED_SYSTEM_VERSIONED && entry->kind != MANAGED_HISTORY)
			continue;
		ancestors = get_partition_ancestors(relid);
		if (!list_member_oid(relids, llast_oid(ancestors)))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("cannot drop partition \"%s\" of %s table \"%s\"",
							get_rel_name(relid), RegistryKindAdjective(entry->kind),
							get_rel_name(llast_oid(ancestors))),
					 errdetail("Its rows would leave the table without their history."),
					 errhint("Call immutable.make_mutable() on table \"%s\" first if the rows may go.",
							 owning_table_name(entry))));
	}
}

/* Check DROP TRIGGER: each object is a name list ending in the trigger. */
static void
check_drop_triggers(DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		List	   *names = lfirst(lc);
		const char *trigger = strVal(llast(names));
		ManagedRelation *entry;

		if (!TriggerIsExtensionTrigger(trigger))
			continue;
		entry = managed_entry(makeRangeVarFromNameList(list_truncate(list_copy(names),
																	 list_length(names) - 1)));
		if (entry != NULL)
			refuse_trigger_change(entry, "drop", trigger);
	}
}

/* Check CREATE OR REPLACE TRIGGER: it would replace the extension's trigger. */
static void
check_create_trigger(CreateTrigStmt *stmt)
{
	ManagedRelation *entry;

	if (!stmt->replace || !TriggerIsExtensionTrigger(stmt->trigname))
		return;
	entry = managed_entry(stmt->relation);
	if (entry != NULL && entry->relid == companion_relid)
		companion_relid = InvalidOid;	/* the extension's own */
	else if (entry != NULL)
		refuse_trigger_change(entry, "replace", stmt->trigname);
}

/* Check ALTER TRIGGER ... DEPENDS ON EXTENSION: dropping that one would drop it. */
static void
check_depends(AlterObjectDependsStmt *stmt)
{
	const char *trigger;
	ManagedRelation *entry;

	if (stmt->objectType != OBJECT_TRIGGER || stmt->remove)
		return;
	trigger = strVal(linitial((List *) stmt->object));
	entry = managed_entry(stmt->relation);
	if (entry != NULL && TriggerIsExtensionTrigger(trigger))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("trigger \"%s\" of managed relation \"%s\" cannot depend on an extension",
						trigger, get_rel_name(entry->relid)),
				 errdetail("Dropping the extension would drop the trigger, and with it the protection of the table."),
				 errhint("Call immutable.make_mutable() as the table's owner to take the table out of management.")));
}

/*
 * Refuse the utility command parsetree when it would rewrite, remove,
 * detach or unprotect what a managed table keeps.  Does nothing while the
 * extension is not installed in this database or is being created, and in
 * a session that a superuser put in replica mode (session_replication_role
 * = replica), where no trigger and no event trigger fires either.
 */
static void
check_utility_command(Node *parsetree)
{
	NodeTag		tag = nodeTag(parsetree);

	/* first the node type: no catalog access for others (ROLLBACK, say) */
	if ((tag != T_AlterTableStmt && tag != T_RenameStmt && tag != T_TruncateStmt &&
		 tag != T_DropStmt && tag != T_AlterObjectDependsStmt && tag != T_CreateTrigStmt &&
		 tag != T_AlterObjectSchemaStmt && tag != T_AlterEnumStmt) ||
		creating_extension || SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA ||
		!RegistryExists())
		return;
	switch (tag)
	{
		case T_AlterTableStmt:
			check_alter_table((AlterTableStmt *) parsetree);
			break;
		case T_RenameStmt:
			check_rename((RenameStmt *) parsetree);
			break;
		case T_TruncateStmt:
			check_truncate((TruncateStmt *) parsetree);
			break;
		case T_DropStmt:
			if (((DropStmt *) parsetree)->removeType == OBJECT_TABLE)
				check_drop_tables((DropStmt *) parsetree);
			else if (((DropStmt *) parsetree)->removeType == OBJECT_TRIGGER)
				check_drop_triggers((DropStmt *) parsetree);
			break;
		case T_AlterObjectDependsStmt:
			check_depends((AlterObjectDependsStmt *) parsetree);
			break;
		case T_CreateTrigStmt:
			check_create_trigger((CreateTrigStmt *) parsetree);
			break;
		case T_AlterObjectSchemaStmt:
			check_set_schema((AlterObjectSchemaStmt *) parsetree);
			break;
		case T_AlterEnumStmt:
			check_enum_rename((AlterEnumStmt *) parsetree);
			break;
		default:
			break;
	}
}

/* The ProcessUtility hook: check, then run the command. */
static void
ddl_guard_process_utility(PlannedStmt *pstmt, const char *queryString,
						  bool readOnlyTree, ProcessUtilityContext context,
						  ParamListInfo params, QueryEnvironment *queryEnv,
						  DestReceiver *dest, QueryCompletion *qc)
{
	check_utility_command(pstmt->utilityStmt);
	hooked_commands++;
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
									queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		hooked_commands--;
	}
	PG_END_TRY();
}

/* Install the ProcessUtility hook (from _PG_init). */
void
DdlGuardInit(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = ddl_guard_process_utility;
}

/*
 * Let the next command on relid pass the guard (the extension's own ALTER
 * TABLE of a heads or history table that follows its table, or its CREATE
 * OR REPLACE of its trigger): the window covers that one command and
 * nothing it runs.  Returns the window it hides, for DdlGuardRestore.
 */
Oid
DdlGuardAllowNext(Oid relid)
{
	Oid			outer = companion_relid;

	companion_relid = relid;
	return outer;
}

/* Close the window of DdlGuardAllowNext, bringing back outer. */
void
DdlGuardRestore(Oid outer)
{
	companion_relid = outer;
}

/*
 * Refuse (55000) the removal of the extension's trigger named trigger from
 * the table schema.table, seen by the sql_drop event trigger, unless the
 * table is gone or no longer managed: only make_mutable and DROP TABLE take
 * the extension's triggers away, whatever dropped them (an extension the
 * trigger was made to depend on, a function dropped with CASCADE ...).
 */
void
DdlGuardCheckDroppedTrigger(const char *schema, const char *table, const char *trigger)
{
	Oid			nspid = get_namespace_oid(schema, true);
	Oid			relid = OidIsValid(nspid) ? get_relname_relid(table, nspid) : InvalidOid;

	if (!TriggerIsExtensionTrigger(trigger) || !OidIsValid(relid) ||
		RegistryLookupRow(relid)->kind == MANAGED_NONE)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot drop trigger \"%s\" of managed relation \"%s\"", trigger, table),
			 errdetail("The immutable extension's triggers protect the history of the table."),
			 errhint("Call immutable.make_mutable() as the table's owner to take the table out of management.")));
}

/*
 * The body of the DDL guard's event trigger functions (funcname, for the
 * message): check the command, unless the ProcessUtility hook has checked
 * it already.  Raises 39P01 when not called as an event trigger.
 */
static Datum
guard_event(FunctionCallInfo fcinfo, const char *funcname)
{
	Node	   *parsetree;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by event trigger manager", funcname)));
	parsetree = ((EventTriggerData *) fcinfo->context)->parsetree;
	if (hooked_commands == 0)
		check_utility_command(parsetree);
	PG_RETURN_VOID();
}

/*
 * immutable.guard_ddl() RETURNS event_trigger
 *
 * Event trigger function (ddl_command_start, every command): refuses DDL that
 * would rewrite, remove, detach or unprotect what managed tables keep.  Runs
 * the DDL guard's checks (check_utility_command) on the command, unless the
 * guard's ProcessUtility hook has checked it already (the hook is installed
 * when the library loads, which may be during this very command).  Raises
 * 0A000, 42501 or 55000 as check_utility_command does, 23001 for TRUNCATE; 39P01
 * when not called as an event trigger.
 */
Datum
immutable_guard_ddl(PG_FUNCTION_ARGS)
{
	return guard_event(fcinfo, "guard_ddl");
}

/*
 * immutable.guard_triggers() RETURNS event_trigger
 *
 * Event trigger function of release 1.0 (ddl_command_start; ALTER TABLE,
 * DROP TRIGGER, ALTER TRIGGER): runs the DDL guard's checks, as guard_ddl()
 * does, on the commands it fires for.  Only a database that installed 1.0
 * and has not yet run ALTER EXTENSION immutable UPDATE calls it (the 1.0
 * install script names it, and the update to 1.1 drops it); the checks
 * refuse at least what 1.0's refused.  Raises 0A000, 42501 or 55000 as
 * guard_ddl() does; 39P01 when not called as an event trigger.
 */
Datum
immutable_guard_triggers(PG_FUNCTION_ARGS)
{
	return guard_event(fcinfo, "guard_triggers");
}

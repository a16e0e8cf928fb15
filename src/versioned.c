/*
 * versioned.c
 *		make_versioned: the DDL that makes a table versioned (fixed columns,
 *		existing rows as first versions, constraints kept per version,
 *		triggers, heads table and current view), as ddl.c runs DDL.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/transam.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "args.h"
#include "chain.h"
#include "ddl.h"
#include "registry.h"
#include "versioned_heads.h"
#include "versioned_current_view.h"

PG_FUNCTION_INFO_V1(immutable_make_versioned);

/*
 * A fixed column of versioned tables, the type it must have, and what a new
 * column of this name is added with.
 */
typedef struct FixedColumn
{
	const char *name;
	Oid			type;
	const char *type_name;
	const char *added_with;
} FixedColumn;

static const FixedColumn fixed_columns[] = {
	{COL_ID, UUIDOID, "uuid", ""},
	{COL_ENTITY_ID, UUIDOID, "uuid", ""},
	{COL_VERSION, INT4OID, "integer", ""},
	{COL_VALID_FROM, TIMESTAMPTZOID, "timestamp with time zone", ""},
	{COL_DELETED_AT, TIMESTAMPTZOID, "timestamp with time zone", ""},
};

#define NUM_FIXED_COLUMNS lengthof(fixed_columns)

/*
 * Check that no other table references rel by foreign key: such a reference
 * would point at one version, not at the entity.
 */
static void
check_not_referenced(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};
	int			ret;

	ret = SPI_execute_with_args("SELECT c.conname, c.conrelid::pg_catalog.regclass::pg_catalog.text"
								" FROM pg_catalog.pg_constraint c"
								" WHERE c.confrelid OPERATOR(pg_catalog.=) $1"
								" AND c.contype OPERATOR(pg_catalog.=) 'f'"
								" ORDER BY 1 LIMIT 1",
								1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_constraint: %s", SPI_result_code_string(ret));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot make table \"%s\" versioned: foreign key \"%s\" of table %s references it",
						get_rel_name(relid),
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
				 errdetail("Every version is a row of its own, so a reference would point at one version, not at the entity."),
				 errhint("Drop the foreign key first; reference entity_id from the other table without a foreign key instead.")));
}

/*
 * Refuse (0A000) a table with stored generated or identity columns as a
 * versioned table: PostgreSQL computes them after the BEFORE triggers, so
 * the heads row the versioning trigger writes would miss them, and writes
 * through the current view pass every column explicitly.
 */
static void
check_no_computed_columns(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && (att->attgenerated || att->attidentity))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot make table \"%s\" versioned: column \"%s\" is %s",
							RelationGetRelationName(rel), NameStr(att->attname),
							att->attgenerated ? "generated" : "an identity"),
					 errdetail("Every version is written by the versioning trigger, before PostgreSQL computes such columns."),
					 errhint("Drop the expression or identity, or use a column DEFAULT.")));
	}
}

/*
 * Check the fixed columns that rel has already, and append ADD COLUMN
 * clauses for the missing ones to alter.
 */
static void
plan_fixed_columns(Oid relid, StringInfo alter)
{
	Relation	rel = relation_open(relid, NoLock);
	int			i;

	for (i = 0; i < NUM_FIXED_COLUMNS; i++)
	{
		const FixedColumn *col = &fixed_columns[i];
		AttrNumber	attnum = attnameAttNum(rel, col->name, false);
		Form_pg_attribute att;

		if (attnum == InvalidAttrNumber)
		{
			appendStringInfo(alter, "%s ADD COLUMN %s %s%s",
							 alter->len > 0 ? "," : "", col->name, col->type_name,
							 col->added_with);
			continue;
		}
		att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
		if (attnum < 0 || att->atttypid != col->type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table \"%s\" must have type %s",
							col->name, RelationGetRelationName(rel), col->type_name),
					 errdetail("A versioned table keeps %s in this column.", col->name),
					 errhint("Rename the column, or change its type with ALTER TABLE ... ALTER COLUMN ... TYPE %s.",
							 col->type_name)));
		if (att->attgenerated || att->attidentity)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("column \"%s\" of table \"%s\" must not be generated or an identity column",
							col->name, RelationGetRelationName(rel)),
					 errhint("The versioning trigger assigns its value; drop the expression or identity.")));
	}
	check_no_computed_columns(rel);
	relation_close(rel, NoLock);
}

/* Is attnum one of the fixed columns of versioned tables? */
static bool
is_fixed_column(Relation rel, AttrNumber attnum)
{
	const char *name = NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname);
	int			i;

	for (i = 0; i < NUM_FIXED_COLUMNS; i++)
		if (strcmp(name, fixed_columns[i].name) == 0)
			return true;
	return false;
}

/* Return the quoted column list of an index's key columns. */
static char *
index_column_list(Relation rel, Form_pg_index index, int ncols)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < ncols; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
						 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel),
																index->indkey.values[i] - 1)->attname)));
	return buf.data;
}

/* What an existing unique index or constraint is to a versioned table. */
typedef enum UniqueRole
{
	UNIQUE_ID,					/* (id) */
	UNIQUE_VERSION,				/* (entity_id, version) */
	UNIQUE_KEY_VERSION,			/* (key..., version): a kept natural key */
	UNIQUE_NATURAL_KEY,			/* the primary key, becomes (key..., version) */
	UNIQUE_UNSUPPORTED
} UniqueRole;

/* Classify a unique index of rel. */
static UniqueRole
classify_unique(Relation rel, Relation index)
{
	Form_pg_index form = index->rd_index;
	int			n = form->indnkeyatts;
	AttrNumber	version = attnameAttNum(rel, COL_VERSION, false);
	int			i;

	if (RelationGetIndexExpressions(index) != NIL ||
		RelationGetIndexPredicate(index) != NIL || form->indnatts != n)
		return UNIQUE_UNSUPPORTED;
	if (n == 1 && form->indkey.values[0] == attnameAttNum(rel, COL_ID, false))
		return UNIQUE_ID;
	if (n == 2 && form->indkey.values[0] == attnameAttNum(rel, COL_ENTITY_ID, false) &&
		form->indkey.values[1] == version)
		return UNIQUE_VERSION;
	if (n >= 2 && form->indkey.values[n - 1] == version)
	{
		for (i = 0; i < n - 1; i++)
			if (is_fixed_column(rel, form->indkey.values[i]))
				return UNIQUE_UNSUPPORTED;
		return UNIQUE_KEY_VERSION;
	}
	if (!form->indisprimary)
		return UNIQUE_UNSUPPORTED;
	for (i = 0; i < n; i++)
		if (is_fixed_column(rel, form->indkey.values[i]))
			return UNIQUE_UNSUPPORTED;
	return UNIQUE_NATURAL_KEY;
}

/*
 * Plan the constraints of a versioned table: a primary key on id, UNIQUE
 * (entity_id, version), and an existing primary key on other columns kept
 * unique per version.  Unique indexes that cannot be kept are refused.
 */
static void
plan_constraints(Oid relid, StringInfo alter)
{
	Relation	rel = relation_open(relid, NoLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		has_primary = false;
	bool		has_version = false;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;

		if (form->indisprimary)
			has_primary = true;
		if (form->indisunique || form->indisexclusion)
		{
			switch (form->indisexclusion ? UNIQUE_UNSUPPORTED :
					classify_unique(rel, index))
			{
				case UNIQUE_VERSION:
					has_version = true;
					break;
				case UNIQUE_ID:
				case UNIQUE_KEY_VERSION:
					break;
				case UNIQUE_NATURAL_KEY:
					appendStringInfo(alter,
									 "%s DROP CONSTRAINT %s, ADD UNIQUE (%s, version)",
									 alter->len > 0 ? "," : "",
									 quote_identifier(get_constraint_name(get_index_constraint(RelationGetRelid(index)))),
									 index_column_list(rel, form, form->indnkeyatts));
					has_primary = false;
					break;
				case UNIQUE_UNSUPPORTED:
					ereport(ERROR,
							(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
							 errmsg("cannot make table \"%s\" versioned: index \"%s\" cannot be kept",
									RelationGetRelationName(rel),
									RelationGetRelationName(index)),
							 errdetail("Every version is a row of its own, so a unique or exclusion index must include the column version; only the primary key is converted for you."),
							 errhint("Drop the index, or recreate it with version as its last column.")));
			}
		}
		index_close(index, AccessShareLock);
	}
	list_free(indexes);
	relation_close(rel, NoLock);

	if (!has_primary)
		appendStringInfo(alter, "%s ADD PRIMARY KEY (id)", alter->len > 0 ? "," : "");
	if (!has_version)
		appendStringInfo(alter, "%s ADD UNIQUE (entity_id, version)",
						 alter->len > 0 ? "," : "");
}

/*
 * Turn every existing row into version 1 of its own entity, in one pass:
 * no lock per row, so a million rows convert with default settings.  The
 * owner's triggers and constraints it fires run as the owner.
 */
static void
convert_existing_rows(Oid relid, const char *table)
{
	DdlRunAsOwner(relid, psprintf(
								  "UPDATE ONLY %1$s AS t SET"
								  " id = COALESCE(t.id, f.u),"
								  " entity_id = COALESCE(t.entity_id, t.id, f.u),"
								  " version = COALESCE(t.version, 1),"
								  " valid_from = COALESCE(t.valid_from, pg_catalog.now())"
								  " FROM (SELECT s.ctid AS c, immutable.uuidv7() AS u FROM ONLY %1$s AS s"
								  " WHERE s.id IS NULL OR s.entity_id IS NULL OR s.version IS NULL"
								  " OR s.valid_from IS NULL) AS f"
								  " WHERE t.ctid OPERATOR(pg_catalog.=) f.c", table), SPI_OK_UPDATE);
}

/*
 * Return the name of an object make_versioned creates next to the table:
 * given, or the table's name with suffix.  what and hint go into the errors.
 */
static char *
companion_name(Oid relid, const char *given, const char *suffix,
			   const char *what, const char *hint)
{
	char	   *name = given ? pstrdup(given) :
	psprintf("%s_%s", get_rel_name(relid), suffix);

	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("%s name must not be empty", what),
				 errhint("%s", hint)));
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("%s name \"%s\" is too long", what, name),
				 errhint("%s", hint)));
	if (OidIsValid(get_relname_relid(name, get_rel_namespace(relid))))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", name),
				 errhint("%s", hint)));
	return name;
}

/*
 * immutable.make_versioned(tbl regclass, current_view name DEFAULT NULL,
 * hashed boolean DEFAULT false) RETURNS regclass
 *
 * Makes tbl a versioned table: every version of every entity in one table,
 * with a heads table of the latest versions and a current view that accepts
 * INSERT, UPDATE and DELETE.  Capability 3 of the design: adds the fixed
 * columns that are missing, turns existing rows into version 1 of their own
 * entity, makes id the primary key, adds UNIQUE (entity_id, version), keeps a
 * primary key on other columns unique per version (UNIQUE (key, version)),
 * attaches the refusing, stamping and head-adding triggers, and creates the
 * heads table <table>_heads and the current view over it.  With hashed, every
 * entity's versions form a SHA-256 hash chain (chain.c): columns prev_hash and
 * hash are added and the existing versions linked.  Returns the current view.
 * Errors: those of make_append_only for tbl (22004, 42P01, 42809, 0A000 for a
 * partitioned table, 42501, 42710), plus 42804 for a fixed column of the wrong
 * type, 42611 for a generated or identity fixed column, 55000 when a foreign
 * key references tbl or a unique index cannot be kept, 42P07 when the view or
 * heads table name is taken, 42622 when one is too long; 22004 NULL hashed;
 * with hashed, 0A000 for a column type hash chains cannot encode and 42804 for
 * prev_hash or hash of another type than bytea.
 */
Datum
immutable_make_versioned(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTable(fcinfo, "make_versioned");
	char	   *table;
	char	   *view_name;
	char	   *heads_name;
	StringInfoData alter;
	int			nestlevel;
	Oid			viewid;
	Oid			heads;
	bool		hashed;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("hashed passed to immutable.make_versioned() must not be NULL")));
	hashed = PG_GETARG_BOOL(2);
	ArgLockForManagement(relid, AccessExclusiveLock, "make_versioned", false);
	table = RelationQualifiedName(relid);
	view_name = companion_name(relid, PG_ARGISNULL(1) ? NULL : NameStr(*PG_GETARG_NAME(1)),
							   "current", "current view",
							   "Pass another name as current_view.");
	heads_name = companion_name(relid, NULL, "heads", "heads table",
								"Rename the table or the relation that has this name.");
	nestlevel = DdlBegin();
	check_not_referenced(relid);
	initStringInfo(&alter);
	plan_fixed_columns(relid, &alter);
	if (alter.len > 0)
		DdlRun(psprintf("ALTER TABLE %s%s", table, alter.data), SPI_OK_UTILITY);
	if (hashed)
		ChainPrepareVersioned(relid);

	convert_existing_rows(relid, table);
	DdlRun(psprintf("ALTER TABLE %s ALTER COLUMN id SET NOT NULL,"
					" ALTER COLUMN entity_id SET NOT NULL,"
					" ALTER COLUMN version SET NOT NULL,"
					" ALTER COLUMN valid_from SET NOT NULL", table),
		   SPI_OK_UTILITY);
	resetStringInfo(&alter);
	plan_constraints(relid, &alter);
	if (alter.len > 0)
		DdlRun(psprintf("ALTER TABLE %s%s", table, alter.data), SPI_OK_UTILITY);
	if (hashed)
		ChainLinkVersioned(relid);

	DdlAttachRefusingTriggers(relid);
	DdlAttachTrigger(TRG_STAMP_VERSION, relid, NULL);
	DdlAttachTrigger(TRG_ADD_HEAD, relid, NULL);

	heads = HeadsCreate(relid, heads_name);
	viewid = CurrentViewCreate(relid, heads, view_name);
	DdlGiveToTableOwner(relid, "TABLE", RelationQualifiedName(heads));
	DdlGiveToTableOwner(relid, "VIEW", RelationQualifiedName(viewid));
	RegistryInsert(relid, MANAGED_VERSIONED, viewid, heads);
	if (hashed)
		RegistrySetHashed(relid, NULL);
	DdlRecordRegistration(relid);
	DdlEnd(nestlevel);
	PG_RETURN_OID(viewid);
}

/*
 * args.c
 *		The arguments of the extension's SQL-callable functions: a table
 *		given by OID or by a typed NULL of its row type, arguments that must
 *		not be NULL, composite rows; and the checks and lock that precede
 *		putting a table under management (ownership checked first).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/transam.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "args.h"
#include "registry.h"

/* Return the relation argument, raising 22004 when it is NULL. */
Oid
ArgTable(FunctionCallInfo fcinfo, const char *funcname)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("table passed to immutable.%s() must not be NULL",
						funcname)));
	if (get_rel_name(PG_GETARG_OID(0)) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", PG_GETARG_OID(0))));
	return PG_GETARG_OID(0);
}

/*
 * Raise 42501 unless the caller owns relid.  Checked before relid is locked
 * too, as RangeVarGetRelidExtended's callbacks do: a role that may not
 * change the table must not queue a lock that blocks every reader after
 * it.
 */
void
ArgCheckOwner(Oid relid)
{
	if (!RelationOwnerCheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(get_rel_relkind(relid)),
					   get_rel_name(relid));
}

/*
 * Open relid, locked in lockmode until the end of the transaction, for a
 * function only its owner may call: ownership is checked before the lock (a
 * role without it cannot queue behind other sessions) and again after it.
 * Errors: 42501 not the owner; 42P01 dropped meanwhile.
 */
Relation
ArgOpenOwned(Oid relid, LOCKMODE lockmode)
{
	Relation	rel;

	ArgCheckOwner(relid);
	rel = try_relation_open(relid, lockmode);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!RelationOwnerCheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(rel->rd_rel->relkind),
					   RelationGetRelationName(rel));
	return rel;
}

/*
 * Lock relid until the end of the transaction and check that the caller may
 * put it under management: an ordinary table, not a partition or system
 * catalog, owned by the caller (also checked before the lock), not managed
 * yet.  The relation is closed again, because ALTER TABLE refuses a table
 * this session holds open.
 */
void
ArgLockForManagement(Oid relid, LOCKMODE lockmode, const char *funcname,
					 bool partitioned_ok)
{
	Relation	rel = ArgOpenOwned(relid, lockmode);
	char		relkind = rel->rd_rel->relkind;

	if (relkind == RELKIND_PARTITIONED_TABLE && !partitioned_ok)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot manage partitioned table \"%s\"",
						RelationGetRelationName(rel)),
				 errdetail("immutable.%s() supports ordinary tables only.", funcname)));
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an ordinary table",
						RelationGetRelationName(rel)),
				 errdetail_relkind_not_supported(relkind)));
	if (rel->rd_rel->relispartition)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot manage partition \"%s\"",
						RelationGetRelationName(rel)),
				 errdetail("A partition follows its partitioned table.")));
	if (IsCatalogRelation(rel) || relid < FirstNormalObjectId ||
		RelationGetNamespace(rel) == get_namespace_oid("immutable", false))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("cannot manage system table \"%s\"",
						RelationGetRelationName(rel))));
	if (RegistryLookup(relid)->kind != MANAGED_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("table \"%s\" is already managed as %s",
						RelationGetRelationName(rel),
						RegistryKindName(RegistryLookup(relid)->kind)),
				 errhint("Call immutable.make_mutable() first to change how it is managed.")));
	relation_close(rel, NoLock);
}

/*
 * Return the table named by the polymorphic first argument (a value, usually
 * NULL, of the table's row type), locked in AccessShareLock until the end of
 * the transaction, so that it cannot be dropped or altered while the caller
 * uses it; 42809 for anything but a table, 42P01 when the table was dropped
 * after the call was planned (its row type is gone) or while the call waited
 * for the lock.
 */
Oid
ArgTypedTable(FunctionCallInfo fcinfo)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Oid			relid;
	char	   *name;
	Relation	rel;

	if (OidIsValid(type) && !SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(type)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the table named by the first argument does not exist"),
				 errdetail("The table was dropped, with its row type, after the call was planned."),
				 errhint("Name an existing table, as in NULL::tasks.")));
	relid = OidIsValid(type) ? get_typ_typrelid(type) : InvalidOid;
	if (!OidIsValid(relid) || (get_rel_relkind(relid) != RELKIND_RELATION &&
							   get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("first argument must be a row of a table, not of type %s",
						format_type_extended(type, -1, FORMAT_TYPE_ALLOW_INVALID)),
				 errhint("Name the table with a typed NULL, as in NULL::tasks.")));

	name = get_rel_name(relid);
	rel = try_relation_open(relid, AccessShareLock);
	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" does not exist", name),
				 errdetail("It was dropped while the call waited for its lock."),
				 errhint("Name an existing table, as in NULL::tasks.")));
	relation_close(rel, NoLock);
	return relid;
}

/* Return argument argno, raising 22004 when it is NULL. */
Datum
ArgNotNull(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
	return PG_GETARG_DATUM(argno);
}

/* Point tuple at the contents of a composite datum, to deform or store it. */
void
ArgRowAsTuple(Datum row, HeapTuple tuple)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(row);

	tuple->t_len = HeapTupleHeaderGetDatumLength(td);
	tuple->t_data = td;
	ItemPointerSetInvalid(&tuple->t_self);
	tuple->t_tableOid = InvalidOid;
}

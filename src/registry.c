/*
 * registry.c
 *		The registry of managed tables (table immutable.registry) and the
 *		per-backend relation cache built from it.
 *
 * The cache follows ri_triggers.c: one hash table keyed by relation OID, a
 * single relcache callback that only marks entries invalid, and a rebuild on
 * the next lookup.  make_* and make_mutable invalidate the relation's
 * relcache entry, so every backend drops its cached state at commit.
 */
#include "postgres.h"

#include "access/attmap.h"
#include "access/genam.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "chain.h"
#include "compat.h"
#include "registry.h"
#include "triggers.h"

static MemoryContext RegistryContext = NULL;
static HTAB *RelationCache = NULL;

/*
 * Fills in what hash-chained tables need (chain.c's ChainDescribe), set at
 * load time: the registry serves the table kinds and calls none of them.
 */
static RelationDescriber describe_hashed = NULL;

/* Set the describer of hash-chained tables (from _PG_init). */
void
RegistrySetHashedDescriber(RelationDescriber describer)
{
	describe_hashed = describer;
}

/*
 * Mark the entry of relid, those of the partitions managed as relid, and
 * those of the tables whose heads or history table relid is (their entries
 * describe it: its index, its layout, the map to its rows), for
 * rebuilding; for InvalidOid, every entry.  Runs in invalidation
 * processing, so it must not touch the catalogs.
 */
static void
registry_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ManagedRelation *entry;

	if (RelationCache == NULL)
		return;

	hash_seq_init(&status, RelationCache);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (!OidIsValid(relid) || entry->relid == relid || entry->inherited_from == relid ||
			entry->heads == relid || entry->history == relid)
			entry->valid = false;
	}
}

/*
 * Create the cache's memory context and hash table and register the relcache
 * callback (callback slots are few and never released, so only once).
 */
void
RegistryInit(void)
{
	HASHCTL		ctl;

	RegistryContext = AllocSetContextCreate(CacheMemoryContext,
											"immutable relation cache",
											ALLOCSET_SMALL_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ManagedRelation);
	ctl.hcxt = RegistryContext;
	RelationCache = hash_create("immutable relation cache", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	CacheRegisterRelcacheCallback(registry_relcache_callback, (Datum) 0);
}

/* Return the SQL name of a kind, as stored in immutable.registry.kind. */
const char *
RegistryKindName(ManagedKind kind)
{
	switch (kind)
	{
		case MANAGED_APPEND_ONLY:
			return "append_only";
		case MANAGED_VERSIONED:
			return "versioned";
		case MANAGED_SYSTEM_VERSIONED:
			return "system_versioned";
		case MANAGED_CURRENT_VIEW:
			return "current view";
		case MANAGED_HEADS:
			return "heads table";
		case MANAGED_HISTORY:
			return "history table";
		case MANAGED_NONE:
			break;
	}
	return "unmanaged";
}

/* Return how messages name a relation of this kind ("append-only table"). */
const char *
RegistryKindAdjective(ManagedKind kind)
{
	switch (kind)
	{
		case MANAGED_VERSIONED:
			return "versioned";
		case MANAGED_SYSTEM_VERSIONED:
			return "system-versioned";
		case MANAGED_HEADS:
			return "heads";
		case MANAGED_HISTORY:
			return "history";
		default:
			return "append-only";
	}
}

/* Parse immutable.registry.kind. */
static ManagedKind
managed_kind_from_name(const char *name)
{
	if (strcmp(name, "append_only") == 0)
		return MANAGED_APPEND_ONLY;
	if (strcmp(name, "versioned") == 0)
		return MANAGED_VERSIONED;
	if (strcmp(name, "system_versioned") == 0)
		return MANAGED_SYSTEM_VERSIONED;
	elog(ERROR, "unexpected kind \"%s\" in immutable.registry", name);
	return MANAGED_NONE;		/* keep compiler quiet */
}

/* Return the OID of immutable.registry, or InvalidOid while it is missing. */
static Oid
registry_relid(void)
{
	Oid			nspid = get_namespace_oid("immutable", true);

	if (!OidIsValid(nspid))
		return InvalidOid;
	return get_relname_relid("registry", nspid);
}

/*
 * Is the extension installed in this database (its registry there)?  The
 * library can stay loaded in a session after DROP EXTENSION.
 */
bool
RegistryExists(void)
{
	return OidIsValid(registry_relid());
}

/*
 * Fill in the period column and adjust option of a system-versioned table
 * from its registry row.
 */
static void
read_period_options(ManagedRelation *entry, HeapTuple tuple, TupleDesc desc)
{
	bool		isnull;
	char	   *column = SPI_getvalue(tuple, desc, 6);

	entry->system_versioned.adjust = DatumGetBool(SPI_getbinval(tuple, desc, 7, &isnull));
	entry->system_versioned.att_period = get_attnum(entry->relid, column);
	if (entry->system_versioned.att_period == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("system-versioned table \"%s\" has no period column \"%s\"",
						get_rel_name(entry->relid), column),
				 errhint("Put the column back, or call immutable.make_mutable() "
						 "and immutable.make_system_versioned() again.")));
}

/*
 * Read the registry row of relid, as a table, a current view or a heads
 * table, with the
 * latest snapshot: a table made managed by a transaction that committed after
 * ours began has triggers already, and they must find it.  Parallel mode
 * forbids taking a new snapshot; readers there use the active one, which
 * only writers (never parallel) could find too old.
 */
static void
registry_read(ManagedRelation *entry)
{
	static const char *query =
	"SELECT kind, current_view, relid, heads, history, period_column, adjust,"
	" hashed, chain_by"
	" FROM immutable.registry"
	" WHERE relid OPERATOR(pg_catalog.=) $1"
	" OR current_view OPERATOR(pg_catalog.=) $1"
	" OR heads OPERATOR(pg_catalog.=) $1"
	" OR history OPERATOR(pg_catalog.=) $1";
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1];
	int			ret;

	SPIPlanPtr	plan;

	entry->kind = MANAGED_NONE;
	entry->current_view = InvalidOid;
	entry->heads = InvalidOid;
	entry->history = InvalidOid;
	entry->base_relid = InvalidOid;
	entry->system_versioned.att_period = InvalidAttrNumber;
	entry->hashed = false;
	entry->chain.att_chain_by = InvalidAttrNumber;
	entry->chain.encoder = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(query, 1, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	args[0] = ObjectIdGetDatum(entry->relid);
	ret = SPI_execute_snapshot(plan, args, NULL,
							   IsInParallelMode() ? GetActiveSnapshot() : GetLatestSnapshot(),
							   InvalidSnapshot, true, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read immutable.registry: %s",
			 SPI_result_code_string(ret));
	if (SPI_processed == 1)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		value;
		Oid			base = DatumGetObjectId(SPI_getbinval(tuple, desc, 3, &isnull));

		entry->kind = managed_kind_from_name(SPI_getvalue(tuple, desc, 1));
		value = SPI_getbinval(tuple, desc, 2, &isnull);
		if (!isnull)
			entry->current_view = DatumGetObjectId(value);
		value = SPI_getbinval(tuple, desc, 4, &isnull);
		if (!isnull)
			entry->heads = DatumGetObjectId(value);
		value = SPI_getbinval(tuple, desc, 5, &isnull);
		if (!isnull)
			entry->history = DatumGetObjectId(value);
		if (entry->kind == MANAGED_SYSTEM_VERSIONED && base == entry->relid)
			read_period_options(entry, tuple, desc);
		entry->hashed = DatumGetBool(SPI_getbinval(tuple, desc, 8, &isnull)) &&
			base == entry->relid;
		value = SPI_getbinval(tuple, desc, 9, &isnull);
		if (entry->hashed && !isnull)
			entry->chain.att_chain_by = get_attnum(entry->relid, NameStr(*DatumGetName(value)));
		if (base != entry->relid)
		{
			entry->kind = entry->heads == entry->relid ? MANAGED_HEADS :
				entry->history == entry->relid ? MANAGED_HISTORY :
				MANAGED_CURRENT_VIEW;
			entry->base_relid = base;
		}
	}
	SPI_finish();
}

/* Return the attribute number of a column that must exist. */
static AttrNumber
required_attnum(Relation rel, const char *name)
{
	AttrNumber	attnum = attnameAttNum(rel, name, false);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("versioned table \"%s\" has no column \"%s\"",
						RelationGetRelationName(rel), name),
				 errhint("Put the column back, or call immutable.make_mutable() "
						 "and immutable.make_versioned() again.")));
	return attnum;
}

/*
 * Find the unique index on (entity_id, version) and the natural key: the
 * other columns of a unique index whose last column is version.
 */
static void
find_version_indexes(Relation rel, ManagedRelation *entry)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	entry->versioned.version_index = InvalidOid;
	entry->versioned.other_unique_index = InvalidOid;
	entry->versioned.nkeys = 0;
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;
		int			n = form->indnkeyatts;

		if (form->indisunique && form->indisvalid && n >= 2 &&
			RelationGetIndexExpressions(index) == NIL &&
			RelationGetIndexPredicate(index) == NIL &&
			form->indkey.values[n - 1] == entry->versioned.att_version)
		{
			if (n == 2 && form->indkey.values[0] == entry->versioned.att_entity_id)
				entry->versioned.version_index = RelationGetRelid(index);
			else if (entry->versioned.nkeys == 0)
			{
				entry->versioned.nkeys = n - 1;
				memcpy(entry->versioned.keys, form->indkey.values,
					   (n - 1) * sizeof(AttrNumber));
			}
		}
		else if ((form->indisunique || form->indisexclusion) &&
				 !(form->indisprimary && n == 1 &&
				   form->indkey.values[0] == entry->versioned.att_id))
			entry->versioned.other_unique_index = RelationGetRelid(index);
		index_close(index, AccessShareLock);
	}
	list_free(indexes);

	if (!OidIsValid(entry->versioned.version_index))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("versioned table \"%s\" has no unique index on (entity_id, version)",
						RelationGetRelationName(rel)),
				 errhint("Restore the constraint with ALTER TABLE ... ADD UNIQUE (entity_id, version).")));
}


/*
 * Fill in the heads table of versioned table rel: its primary key index and
 * the maps that convert rows between the two layouts (built from copies of
 * both descriptors, so they outlive the relcache entries).
 */
static void
describe_heads(Relation rel, ManagedRelation *entry)
{
	Relation	heads = try_relation_open(entry->heads, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	MemoryContext old;
	TupleDesc	table_copy;
	TupleDesc	heads_copy;

	if (heads == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("versioned table \"%s\" has lost its heads table",
						RelationGetRelationName(rel)),
				 errhint("Call immutable.make_mutable() and immutable.make_versioned() on the table again.")));
	entry->versioned.heads_index = PrimaryKeyIndex(heads);
	if (!OidIsValid(entry->versioned.heads_index))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("heads table \"%s\" has no primary key",
						RelationGetRelationName(heads)),
				 errhint("Restore it with ALTER TABLE ... ADD PRIMARY KEY (entity_id).")));

	old = MemoryContextSwitchTo(entry->cxt);
	table_copy = CreateTupleDescCopy(desc);
	heads_copy = CreateTupleDescCopy(RelationGetDescr(heads));
	entry->versioned.table_desc = table_copy;
	entry->versioned.to_heads = RelationConversionMap(table_copy, heads_copy);
	entry->versioned.from_heads = RelationConversionMap(heads_copy, table_copy);
	MemoryContextSwitchTo(old);
	relation_close(heads, AccessShareLock);
}

/* Fill in what a versioned table's triggers and functions need. */
static void
describe_versioned(ManagedRelation *entry)
{
	Relation	rel = relation_open(entry->relid, AccessShareLock);

	entry->rowtype = rel->rd_rel->reltype;
	entry->versioned.att_id = required_attnum(rel, COL_ID);
	entry->versioned.att_entity_id = required_attnum(rel, COL_ENTITY_ID);
	entry->versioned.att_version = required_attnum(rel, COL_VERSION);
	entry->versioned.att_valid_from = required_attnum(rel, COL_VALID_FROM);
	entry->versioned.att_deleted_at = required_attnum(rel, COL_DELETED_AT);
	find_version_indexes(rel, entry);
	describe_heads(rel, entry);
	relation_close(rel, AccessShareLock);
}

/*
 * Fill in what a system-versioned table's triggers and functions need: the
 * map from its rows to rows of its history table.
 */
static void
describe_system_versioned(ManagedRelation *entry)
{
	Relation	rel = relation_open(entry->relid, AccessShareLock);
	Relation	history = try_relation_open(entry->history, AccessShareLock);
	MemoryContext old;

	if (history == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("system-versioned table \"%s\" has lost its history table",
						RelationGetRelationName(rel)),
				 errhint("Call immutable.make_mutable() and immutable.make_system_versioned() on the table again.")));
	entry->rowtype = rel->rd_rel->reltype;
	old = MemoryContextSwitchTo(entry->cxt);
	entry->system_versioned.to_history = RelationConversionMap(CreateTupleDescCopy(RelationGetDescr(rel)),
															   CreateTupleDescCopy(RelationGetDescr(history)));
	MemoryContextSwitchTo(old);
	relation_close(history, AccessShareLock);
	relation_close(rel, AccessShareLock);
}

/*
 * A partition of a system-versioned partitioned table fires the triggers
 * cloned from its root: give it the root's history table, period column (by
 * name: its attribute number may differ) and adjust option.  A partition of
 * a partitioned history table is a history table.
 */
static void
inherit_from_root(ManagedRelation *entry)
{
	List	   *ancestors = get_partition_ancestors(entry->relid);
	ManagedRelation *root = RegistryLookupRow(llast_oid(ancestors));

	entry->inherited_from = root->relid;
	if (root->kind == MANAGED_HISTORY)
	{
		entry->kind = MANAGED_HISTORY;
		entry->base_relid = root->base_relid;
		return;
	}
	if (root->kind != MANAGED_SYSTEM_VERSIONED)
		return;
	entry->kind = MANAGED_SYSTEM_VERSIONED;
	entry->history = root->history;
	entry->system_versioned.adjust = root->system_versioned.adjust;
	entry->system_versioned.att_period = get_attnum(entry->relid,
													get_attname(root->relid, root->system_versioned.att_period, false));
}

/*
 * Return the cache entry of relid with its registry row read (kind,
 * companions and options: the period column, adjust, hashed, chain_by),
 * reading it again after an invalidation.  The entry of an unmanaged
 * relation has kind MANAGED_NONE.  Nothing else is looked at, so this works
 * while a table is incomplete (a restore creates its indexes last).
 */
ManagedRelation *
RegistryLookupRow(Oid relid)
{
	ManagedRelation *entry;
	bool		found;

	entry = hash_search(RelationCache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		memset(entry, 0, sizeof(*entry));
		entry->relid = relid;
	}
	if (entry->valid)
		return entry;

	if (entry->cxt == NULL)
		entry->cxt = AllocSetContextCreate(RegistryContext, "immutable relation",
										   ALLOCSET_SMALL_SIZES);
	MemoryContextReset(entry->cxt);
	entry->versioned.table_desc = NULL;
	entry->versioned.to_heads = NULL;
	entry->versioned.from_heads = NULL;
	entry->system_versioned.to_history = NULL;
	entry->described = false;
	entry->inherited_from = InvalidOid;
	registry_read(entry);
	if (entry->kind == MANAGED_NONE && get_rel_relispartition(relid))
		inherit_from_root(entry);
	entry->valid = true;
	return entry;
}

/*
 * Return the cache entry of relid with everything the triggers and
 * functions need (RegistryLookupRow, then the table described: fixed
 * columns, indexes, heads or history table, hash chain), rebuilding it
 * after an invalidation.
 */
ManagedRelation *
RegistryLookup(Oid relid)
{
	ManagedRelation *entry = RegistryLookupRow(relid);

	if (entry->described)
		return entry;
	if (entry->kind == MANAGED_VERSIONED)
		describe_versioned(entry);
	else if (entry->kind == MANAGED_SYSTEM_VERSIONED)
		describe_system_versioned(entry);
	if (entry->hashed)
		describe_hashed(entry);
	entry->described = true;
	return entry;
}

/*
 * Return the name of a column of the versioned table of entry that its heads
 * table does not have with the same type (a change made to the heads table
 * by hand), or NULL.  Rows are converted between the two by name, so such a
 * column would read and write as NULL.
 */
static const char *
heads_missing_column(ManagedRelation *entry)
{
	int			i;

	if (entry->versioned.from_heads == NULL)
		return NULL;			/* the same layout */
	for (i = 0; i < entry->versioned.table_desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(entry->versioned.table_desc, i);

		if (!att->attisdropped && entry->versioned.from_heads->attrMap->attnums[i] == 0)
			return NameStr(att->attname);
	}
	return NULL;
}

/*
 * Return the entry of a versioned table, or raise 55000 naming what the
 * table is instead, or when its heads table lacks one of its columns (or
 * has it with another type).
 */
ManagedRelation *
RegistryLookupVersioned(Oid relid)
{
	ManagedRelation *entry = RegistryLookup(relid);
	const char *missing;

	if (entry->kind != MANAGED_VERSIONED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not a versioned table",
						get_rel_name(relid)),
				 entry->kind == MANAGED_NONE ?
				 errhint("Call immutable.make_versioned() on it first.") :
				 errdetail("It is managed as %s.", RegistryKindName(entry->kind))));
	missing = heads_missing_column(entry);
	if (missing != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("heads table \"%s\" does not match versioned table \"%s\"",
						get_rel_name(entry->heads), get_rel_name(relid)),
				 errdetail("Column \"%s\" of the versioned table is missing from the heads table, or has another type there.",
						   missing),
				 errhint("Call immutable.make_mutable() and immutable.make_versioned() on the table again to rebuild the heads table.")));
	return entry;
}

/*
 * Return the entry of a system-versioned table, or raise 55000 naming what
 * the table is instead.
 */
ManagedRelation *
RegistryLookupSystemVersioned(Oid relid)
{
	ManagedRelation *entry = RegistryLookup(relid);

	if (entry->kind != MANAGED_SYSTEM_VERSIONED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not a system-versioned table",
						get_rel_name(relid)),
				 entry->kind == MANAGED_NONE ?
				 errhint("Call immutable.make_system_versioned() on it first.") :
				 errdetail("It is managed as %s.", RegistryKindName(entry->kind))));
	return entry;
}

/*
 * Return the owner of the extension's objects (the owner of the registry),
 * who may write the registry and attach the extension's triggers.
 */
Oid
RegistryOwner(void)
{
	Oid			regid = registry_relid();
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(regid))
		elog(ERROR, "table immutable.registry does not exist");
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(regid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", regid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Run one statement on the extension's own tables (the registry, the
 * erasure log) as their owner: callers own their table, not those, and
 * must not be able to write them directly.  Returns SPI_processed.
 */
uint64
RegistryExecuteAsOwner(const char *query, int nargs, Oid *argtypes, Datum *args,
					   const char *nulls, int expected)
{
	Oid			save_userid;
	int			save_sec_context;
	int			ret;
	uint64		processed;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(RegistryOwner(),
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(query, nargs, argtypes, args, nulls, expected == SPI_OK_SELECT, 0);
	if (ret != expected)
		elog(ERROR, "could not run \"%s\": %s", query, SPI_result_code_string(ret));
	processed = SPI_processed;
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec_context);
	return processed;
}

/* Run one registry statement as the registry's owner (RegistryExecuteAsOwner). */
static void
registry_execute(const char *query, int nargs, Oid *argtypes, Datum *args,
				 const char *nulls, int expected)
{
	if (OidIsValid(registry_relid()))
		(void) RegistryExecuteAsOwner(query, nargs, argtypes, args, nulls, expected);
}

/* Record relid as managed, and make every backend rebuild its entry. */
void
RegistryInsert(Oid relid, ManagedKind kind, Oid current_view, Oid heads)
{
	Oid			argtypes[5] = {REGCLASSOID, TEXTOID, REGCLASSOID, NAMEOID, REGCLASSOID};
	Datum		args[5];
	char		nulls[6] = "     ";
	NameData	user;

	namestrcpy(&user, GetUserNameFromId(GetUserId(), false));
	args[0] = ObjectIdGetDatum(relid);
	args[1] = CStringGetTextDatum(RegistryKindName(kind));
	args[2] = ObjectIdGetDatum(current_view);
	args[3] = NameGetDatum(&user);
	args[4] = ObjectIdGetDatum(heads);
	if (!OidIsValid(current_view))
		nulls[2] = 'n';
	if (!OidIsValid(heads))
		nulls[4] = 'n';
	registry_execute("INSERT INTO immutable.registry"
					 " (relid, kind, current_view, managed_since, managed_by, heads)"
					 " VALUES ($1, $2, $3, pg_catalog.now(), $4, $5)",
					 5, argtypes, args, nulls, SPI_OK_INSERT);
	CacheInvalidateRelcacheByRelid(relid);
}

/* Record relid as system-versioned into history, and make every backend rebuild its entry. */
void
RegistryInsertSystemVersioned(Oid relid, Oid history, const char *period_column,
							  bool adjust)
{
	Oid			argtypes[4] = {REGCLASSOID, NAMEOID, REGCLASSOID, NAMEOID};
	Datum		args[5];
	NameData	user;
	NameData	column;

	namestrcpy(&user, GetUserNameFromId(GetUserId(), false));
	namestrcpy(&column, period_column);
	args[0] = ObjectIdGetDatum(relid);
	args[1] = NameGetDatum(&user);
	args[2] = ObjectIdGetDatum(history);
	args[3] = NameGetDatum(&column);
	registry_execute(psprintf("INSERT INTO immutable.registry"
							  " (relid, kind, managed_since, managed_by, history,"
							  " period_column, adjust)"
							  " VALUES ($1, 'system_versioned', pg_catalog.now(), $2, $3, $4, %s)",
							  adjust ? "true" : "false"),
					 4, argtypes, args, NULL, SPI_OK_INSERT);
	CacheInvalidateRelcacheByRelid(relid);
}

/*
 * Record that relid's rows are hash-chained, one chain per value of
 * chain_by (NULL: one chain, or for a versioned table one per entity).
 */
void
RegistrySetHashed(Oid relid, const char *chain_by)
{
	Oid			argtypes[2] = {REGCLASSOID, NAMEOID};
	Datum		args[2];
	char		nulls[3] = "  ";
	NameData	column;

	args[0] = ObjectIdGetDatum(relid);
	if (chain_by != NULL)
		namestrcpy(&column, chain_by);
	else
		nulls[1] = 'n';
	args[1] = NameGetDatum(&column);
	registry_execute("UPDATE immutable.registry SET hashed = true, chain_by = $2"
					 " WHERE relid OPERATOR(pg_catalog.=) $1",
					 2, argtypes, args, nulls, SPI_OK_UPDATE);
	CacheInvalidateRelcacheByRelid(relid);
}

/* Forget relid, and make every backend rebuild its entry. */
void
RegistryDelete(Oid relid)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};

	registry_execute("DELETE FROM immutable.registry"
					 " WHERE relid OPERATOR(pg_catalog.=) $1",
					 1, argtypes, args, NULL, SPI_OK_DELETE);
	/* a dropped relation's own invalidation reached the cache already */
	if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		CacheInvalidateRelcacheByRelid(relid);
}

/* Clear the current view of the table whose view viewid was dropped. */
void
RegistryClearView(Oid viewid)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(viewid)};

	registry_execute("UPDATE immutable.registry SET current_view = NULL"
					 " WHERE current_view OPERATOR(pg_catalog.=) $1",
					 1, argtypes, args, NULL, SPI_OK_UPDATE);
}

/*
 * The registration of a managed table travels with its TRUNCATE trigger
 * (immutable_refuse_truncate) as the trigger's arguments, so that a dump
 * without the registry's rows (pg_dump --schema-only, or a restore of the
 * pre-data and post-data sections only) restores the table fully managed:
 *
 *	append_only, hashed (t or f), chain_by column or ''
 *	versioned, heads table, current view or '', hashed (t or f)
 *	system_versioned, history table, period column, adjust (t or f)
 *
 * Companions are named in the table's schema; the DDL guard refuses
 * renaming them and moving them or the table to another schema.
 */

/* Return the quoted, comma-separated trigger arguments registering relid. */
char *
RegistryTriggerArguments(Oid relid)
{
	ManagedRelation *entry = RegistryLookupRow(relid);
	const char *chain_by = entry->chain.att_chain_by != InvalidAttrNumber ?
	get_attname(relid, entry->chain.att_chain_by, false) : "";
	const char *view = OidIsValid(entry->current_view) ?
	get_rel_name(entry->current_view) : "";

	switch (entry->kind)
	{
		case MANAGED_APPEND_ONLY:
			return psprintf("'append_only', '%s', %s", entry->hashed ? "t" : "f",
							quote_literal_cstr(chain_by));
		case MANAGED_VERSIONED:
			return psprintf("'versioned', %s, %s, '%s'",
							quote_literal_cstr(get_rel_name(entry->heads)),
							quote_literal_cstr(view ? view : ""), entry->hashed ? "t" : "f");
		case MANAGED_SYSTEM_VERSIONED:
			return psprintf("'system_versioned', %s, %s, '%s'",
							quote_literal_cstr(get_rel_name(entry->history)),
							quote_literal_cstr(get_attname(relid, entry->system_versioned.att_period, false)),
							entry->system_versioned.adjust ? "t" : "f");
		default:
			elog(ERROR, "relation %u is not a managed table", relid);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * Return the relation named name in relid's schema, of one of the relkinds,
 * owned by relid's owner; raise 55000 when there is none (the registration
 * cannot be restored).
 */
static Oid
restored_companion(Oid relid, const char *name, const char *relkinds, const char *what)
{
	Oid			companion = get_relname_relid(name, get_rel_namespace(relid));

	if (!OidIsValid(companion) || strchr(relkinds, get_rel_relkind(companion)) == NULL ||
		RelationOwner(companion) != RelationOwner(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot restore the registration of table \"%s\": its %s \"%s\" is missing",
						get_rel_name(relid), what, name),
				 errdetail("The table's TRUNCATE trigger names it; the %s must be a relation of the table's schema and owner.",
						   what),
				 errhint("Restore the %s before the table's triggers, or restore the data of immutable.registry.",
						 what)));
	return companion;
}

/*
 * Register relid from the arguments (nargs of args) of its TRUNCATE trigger
 * (RegistryTriggerArguments), when the registry has no row for it: a
 * restore that left out the registry's rows.  Raises 55000 when a
 * companion is missing, 22023 for arguments no make_* function wrote.
 */
void
RegistryRestore(Oid relid, int nargs, char **args)
{
	if (RegistryLookupRow(relid)->kind != MANAGED_NONE)
		return;
	if (nargs == 3 && strcmp(args[0], "append_only") == 0)
	{
		RegistryInsert(relid, MANAGED_APPEND_ONLY, InvalidOid, InvalidOid);
		if (strcmp(args[1], "t") == 0)
			RegistrySetHashed(relid, args[2][0] != '\0' ? args[2] : NULL);
	}
	else if (nargs == 4 && strcmp(args[0], "versioned") == 0)
	{
		Oid			heads = restored_companion(relid, args[1], "r", "heads table");
		Oid			view = InvalidOid;

		if (args[2][0] != '\0')
			view = get_relname_relid(args[2], get_rel_namespace(relid));
		if (OidIsValid(view) && get_rel_relkind(view) != RELKIND_VIEW)
			view = InvalidOid;
		RegistryInsert(relid, MANAGED_VERSIONED, view, heads);
		if (strcmp(args[3], "t") == 0)
			RegistrySetHashed(relid, NULL);
	}
	else if (nargs == 4 && strcmp(args[0], "system_versioned") == 0)
		RegistryInsertSystemVersioned(relid, restored_companion(relid, args[1], "rp", "history table"),
									  args[2], strcmp(args[3], "t") == 0);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trigger \"%s\" of table \"%s\" does not carry a registration",
						TRIGGER_REFUSE_TRUNCATE, get_rel_name(relid)),
				 errhint("Call immutable.make_mutable() on the table and its make_* function again.")));
}

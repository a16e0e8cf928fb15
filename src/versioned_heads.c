/*
 * versioned_heads.c
 *		The heads table of a versioned table: one row per entity, a copy of its
 *		latest version (a tombstone for a deleted entity), kept in step by the
 *		versioning triggers.
 *
 * The versioned table keeps every version and is never changed; the heads
 * table is what makes the present cheap to read and to write against.  The
 * current view reads it (one row per entity however long the history), the
 * read functions find an entity's latest version under its primary key, and
 * the versioning trigger finds, locks and replaces the head in one heap
 * update (heap-only when the page has room, which the fill factor keeps).
 * The trigger writes it with the table access method directly, as the
 * executor would: its own triggers refuse every write by users.
 *
 * A new entity's head is inserted AFTER its first version, so that a row
 * that ON CONFLICT DO NOTHING skips leaves no head behind; later versions
 * replace the head in the BEFORE trigger (versioning.c).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/pg_index.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/parsenodes.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"

#include "compat.h"
#include "ddl.h"
#include "direct.h"
#include "guard.h"
#include "registry.h"
#include "triggers.h"
#include "versioned_heads.h"

PG_FUNCTION_INFO_V1(immutable_add_head);

/*
 * Fill factor of heads tables: every new version replaces its entity's row,
 * and free space on the page keeps that update heap-only.
 */
#define HEADS_FILLFACTOR 80

/*
 * An entity of a versioned table whose head a BEFORE trigger inserted ahead
 * of its first version's AFTER trigger (several versions of a new entity in
 * one statement), which then has nothing to insert; and the subtransaction
 * that inserted it.
 */
typedef struct EarlyHead
{
	Oid			relid;
	pg_uuid_t	entity_id;
	SubTransactionId subid;
} EarlyHead;

/*
 * The early heads of the running statement, in the transaction's memory.
 * The AFTER triggers of the statement take them out; a statement that fails
 * never reaches its AFTER triggers, so the abort of its (sub)transaction,
 * which removes the heads rows, forgets them too: left behind, one would
 * stop the AFTER trigger of a later first version of that entity (in the
 * same transaction) from inserting its head.
 */
static List *early_heads = NIL;
static bool early_heads_callbacks = false;

/* Forget early heads at the end of every transaction. */
static void
early_heads_xact_callback(XactEvent event, void *arg)
{
	early_heads = NIL;
}

/*
 * Forget the early heads of a subtransaction that aborts.  Those of a later
 * subtransaction still in the list are its children's (committed into it):
 * subtransaction ids increase, and an aborted child's left already.
 */
static void
early_heads_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	foreach(lc, early_heads)
	{
		if (((EarlyHead *) lfirst(lc))->subid >= mySubid)
			early_heads = foreach_delete_current(early_heads, lc);
	}
}

/*
 * Remember that entity_id of table relid got its head before its first
 * version's AFTER trigger.
 */
static void
early_heads_add(Oid relid, Datum entity_id)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	EarlyHead  *head = palloc(sizeof(EarlyHead));

	if (!early_heads_callbacks)
	{
		RegisterXactCallback(early_heads_xact_callback, NULL);
		RegisterSubXactCallback(early_heads_subxact_callback, NULL);
		early_heads_callbacks = true;
	}
	head->relid = relid;
	memcpy(&head->entity_id, DatumGetUUIDP(entity_id), sizeof(pg_uuid_t));
	head->subid = GetCurrentSubTransactionId();
	early_heads = lappend(early_heads, head);
	MemoryContextSwitchTo(old);
}

/* Take entity_id of table relid out of the early heads; return whether it was there. */
static bool
early_heads_take(Oid relid, Datum entity_id)
{
	ListCell   *lc;

	foreach(lc, early_heads)
	{
		EarlyHead  *head = lfirst(lc);

		if (head->relid == relid &&
			memcmp(&head->entity_id, DatumGetUUIDP(entity_id), sizeof(pg_uuid_t)) == 0)
		{
			early_heads = foreach_delete_current(early_heads, lc);
			return true;
		}
	}
	return false;
}

/* Return row (of the versioned table's layout) as a slot of the heads table. */
static TupleTableSlot *
head_slot_for(ManagedRelation *entry, Relation heads, HeapTuple row)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(heads),
													&TTSOpsHeapTuple);
	HeapTuple	tuple = entry->versioned.to_heads ? execute_attr_map_tuple(row, entry->versioned.to_heads) :
	heap_copytuple(row);

	ExecStoreHeapTuple(tuple, slot, true);
	return slot;
}

/*
 * Fetch the head of entity_id under snapshot into slot (a slot of the heads
 * table); return false when the entity has none.
 */
bool
HeadsFetch(ManagedRelation *entry, Relation heads, Datum entity_id,
		   Snapshot snapshot, TupleTableSlot *slot)
{
	return DirectFetchByEntity(heads, entry->versioned.heads_index, entity_id, snapshot,
							   ForwardScanDirection, slot);
}

/* Insert row (of the versioned table's layout) as a new head. */
static void
insert_head(ManagedRelation *entry, Relation heads, HeapTuple row)
{
	TupleTableSlot *slot = head_slot_for(entry, heads, row);

	DirectInsert(heads, slot);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * Replace the head in slot (fetched with SnapshotSelf) by row, waiting for a
 * concurrent writer of the same head to finish first.  Returns TM_Ok, or
 * TM_Updated / TM_Deleted when that writer committed: the caller fetches the
 * head again.  A head this statement wrote already (several versions of an
 * entity in one statement) is not visible to the statement's command yet:
 * advance the command counter first, as SPI would.
 */
TM_Result
HeadsUpdate(ManagedRelation *entry, Relation heads, TupleTableSlot *head,
			HeapTuple row)
{
	TupleTableSlot *slot;
	TM_FailureData tmfd;
	LockTupleMode lockmode;
	TM_Result	result;
	UpdateIndexes indexes;
	bool		should_free;
	HeapTuple	old = ExecFetchSlotHeapTuple(head, false, &should_free);

	if (TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(old->t_data)) &&
		HeapTupleHeaderGetCmin(old->t_data) >= GetCurrentCommandId(false))
		CommandCounterIncrement();

	slot = head_slot_for(entry, heads, row);
	result = TableTupleUpdate(heads, &head->tts_tid, slot, GetCurrentCommandId(true),
							  &tmfd, &lockmode, &indexes);
	if (result == TM_Ok && indexes == UPDATE_INDEXES_ALL)
		DirectInsertIndexEntries(heads, slot);
	else if (result == TM_Ok && indexes == UPDATE_INDEXES_SUMMARIZING)
		DirectInsertSummarizingIndexEntries(heads, slot);
	else if (result != TM_Ok && result != TM_Updated && result != TM_Deleted)
		elog(ERROR, "unexpected result %d replacing the head of an entity",
			 (int) result);
	ExecDropSingleTupleTableSlot(slot);
	return result;
}

/*
 * Note that a BEFORE trigger inserted the head of an entity whose first
 * version this statement inserted (its AFTER trigger has not run yet).
 */
void
HeadsInsertEarly(ManagedRelation *entry, Relation heads, HeapTuple row,
				 Datum entity_id)
{
	insert_head(entry, heads, row);
	early_heads_add(entry->relid, entity_id);
}

/*
 * immutable.add_head() RETURNS trigger
 *
 * Trigger function (AFTER INSERT FOR EACH ROW, for version 1) of versioned
 * tables: inserts the new entity's row into the table's heads table.  Errors:
 * 23505 when the heads table has the entity or its key already; 39P01 when not
 * called as described.
 */
Datum
immutable_add_head(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	ManagedRelation *entry;
	HeapTuple	tuple;
	Relation	heads;
	bool		isnull;

	TriggerCheckCall(fcinfo, "add_head", TRIGGER_EVENT_AFTER, true,
					 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT));
	entry = RegistryLookupVersioned(RelationGetRelid(trigdata->tg_relation));
	tuple = trigdata->tg_trigtuple;
	if (early_heads != NIL &&
		early_heads_take(entry->relid,
						 heap_getattr(tuple, entry->versioned.att_entity_id,
									  RelationGetDescr(trigdata->tg_relation), &isnull)))
		return PointerGetDatum(NULL);

	heads = table_open(entry->heads, RowExclusiveLock);
	insert_head(entry, heads, tuple);
	table_close(heads, NoLock);
	return PointerGetDatum(NULL);
}

/*
 * Give the heads table a unique constraint on the key columns of each
 * natural key of the table (a unique index ending in version, other than
 * (entity_id, version)), so that current rows stay unique by key and
 * lookups by key through the current view use an index.
 */
static void
add_natural_keys(Relation rel, const char *heads)
{
	List	   *indexes = RelationGetIndexList(rel);
	AttrNumber	version = attnameAttNum(rel, COL_VERSION, false);
	AttrNumber	entity_id = attnameAttNum(rel, COL_ENTITY_ID, false);
	List	   *statements = NIL;
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;
		int			n = form->indnkeyatts;
		StringInfoData keys;
		int			i;

		if (form->indisunique && n >= 2 && form->indkey.values[n - 1] == version &&
			form->indkey.values[0] != entity_id &&
			RelationGetIndexExpressions(index) == NIL &&
			RelationGetIndexPredicate(index) == NIL)
		{
			initStringInfo(&keys);
			for (i = 0; i < n - 1; i++)
				appendStringInfo(&keys, "%s%s", i > 0 ? ", " : "",
								 quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel),
																		form->indkey.values[i] - 1)->attname)));
			statements = lappend(statements,
								 psprintf("ALTER TABLE %s ADD UNIQUE (%s)", heads, keys.data));
		}
		index_close(index, AccessShareLock);
	}
	list_free(indexes);
	foreach(lc, statements)
		DdlRun(lfirst(lc), SPI_OK_UTILITY);
}

/*
 * Copy the latest version of every entity of table into heads.  A table
 * whose rows are all version 1 (a table just converted) is copied as it is,
 * without sorting it.
 */
static void
fill_heads(const char *heads, const char *table, const char *columns)
{
	DdlRun(psprintf("SELECT FROM ONLY %s WHERE version OPERATOR(pg_catalog.>) 1 LIMIT 1",
					table), SPI_OK_SELECT);
	if (SPI_processed == 0)
		DdlRun(psprintf("INSERT INTO %1$s (%2$s) SELECT %2$s FROM ONLY %3$s",
						heads, columns, table), SPI_OK_INSERT);
	else
		DdlRun(psprintf("INSERT INTO %1$s (%2$s) SELECT DISTINCT ON (entity_id) %2$s"
						" FROM ONLY %3$s ORDER BY entity_id, version DESC",
						heads, columns, table), SPI_OK_INSERT);
}

/*
 * Create the heads table of versioned table relid, named name in the table's
 * schema: the table's columns (generated and identity ones as plain
 * columns), a primary key on entity_id, each natural key (key..., version)
 * of the table as UNIQUE (key...), filled with the latest version of every
 * entity, and refusing every write by users.  Returns its OID.  Caller has
 * run DdlBegin.
 */
Oid
HeadsCreate(Oid relid, const char *name)
{
	Oid			nspid = get_rel_namespace(relid);
	char	   *table = RelationQualifiedName(relid);
	char	   *heads = quote_qualified_identifier(get_namespace_name(nspid), name);
	Relation	rel = relation_open(relid, AccessShareLock);
	StringInfoData columns;
	Oid			headsid;

	initStringInfo(&columns);
	DdlAppendColumns(&columns, rel, "", false);

	/* an unlogged table's heads go with it after a crash: unlogged too */
	DdlRun(psprintf("CREATE %sTABLE %s (LIKE %s) WITH (fillfactor = %d)",
					rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED ? "UNLOGGED " : "",
					heads, table, HEADS_FILLFACTOR), SPI_OK_UTILITY);
	DdlRun(psprintf("ALTER TABLE %s ADD PRIMARY KEY (entity_id)", heads),
		   SPI_OK_UTILITY);
	add_natural_keys(rel, heads);
	relation_close(rel, AccessShareLock);
	DdlRun(psprintf("COMMENT ON TABLE %s IS %s", heads,
					quote_literal_cstr(psprintf("latest version of every entity of %s, "
												"kept by the immutable extension",
												table))),
		   SPI_OK_UTILITY);
	fill_heads(heads, table, columns.data);
	headsid = get_relname_relid(name, nspid);
	DdlAttachTrigger(TRG_REFUSE_WRITE, headsid, NULL);
	DdlAttachTrigger(TRG_REFUSE_TRUNCATE, headsid, NULL);
	return headsid;
}

/*
 * Append to alter the clauses that give heads the table's columns: missing
 * ones added, changed types changed (values copied afterwards); the DDL
 * guard refuses dropping a column of a versioned table.  Return whether
 * values must be copied.
 */
static bool
plan_column_changes(Relation rel, Relation heads, StringInfo alter)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleDesc	hdesc = RelationGetDescr(heads);
	bool		copy = false;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *column = quote_identifier(NameStr(att->attname));
		AttrNumber	h;
		char	   *type;

		if (att->attisdropped)
			continue;
		h = attnameAttNum(heads, NameStr(att->attname), false);
		type = format_type_with_typemod(att->atttypid, att->atttypmod);
		if (OidIsValid(att->attcollation))
			type = psprintf("%s COLLATE %s", type,
							generate_collation_name(att->attcollation));
		if (h == InvalidAttrNumber)
			appendStringInfo(alter, "%s ADD COLUMN %s %s", alter->len ? "," : "",
							 column, type);
		else if (TupleDescAttr(hdesc, h - 1)->atttypid == att->atttypid &&
				 TupleDescAttr(hdesc, h - 1)->atttypmod == att->atttypmod &&
				 TupleDescAttr(hdesc, h - 1)->attcollation == att->attcollation)
			continue;
		else
			appendStringInfo(alter, "%s ALTER COLUMN %s DROP NOT NULL,"
							 " ALTER COLUMN %s TYPE %s USING NULL",
							 alter->len ? "," : "", column, column, type);
		copy = true;
	}
	return copy;
}

/*
 * Bring the heads table of entry up to date after an ALTER TABLE (given as
 * parsetree, NULL when unknown) of its versioned table: renamed columns
 * renamed, added ones added, type changes made, and the values of added or
 * retyped columns copied from the versions the heads are (through a write
 * window for UPDATEs of this heads table).  A column the current view shows
 * cannot change type (the error is PostgreSQL's, as for any view).  Caller
 * has run DdlBegin.
 */
void
HeadsRefresh(ManagedRelation *entry, Node *parsetree)
{
	char	   *quoted = RelationQualifiedName(entry->heads);
	Relation	rel;
	Relation	heads;
	StringInfoData alter;
	StringInfoData columns;
	bool		copy;
	GuardWindow window = {MANAGED_HEADS, entry->relid, TRIGGER_OP_BIT(TRIGGER_EVENT_UPDATE), -1};

	DdlFollowColumnRename(entry->heads, parsetree);
	rel = relation_open(entry->relid, AccessShareLock);
	heads = relation_open(entry->heads, AccessShareLock);

	initStringInfo(&alter);
	copy = plan_column_changes(rel, heads, &alter);
	initStringInfo(&columns);
	DdlAppendColumns(&columns, rel, "", false);
	relation_close(heads, AccessShareLock);
	relation_close(rel, AccessShareLock);
	if (alter.len == 0)
		return;

	DdlRunOnCompanion(entry->heads, psprintf("ALTER TABLE %s%s", quoted, alter.data), false);
	if (!copy)
		return;
	if (GuardExecute(&window,
					 psprintf("UPDATE %1$s AS h SET (%2$s) = (SELECT %2$s FROM ONLY %3$s AS t"
							  " WHERE t.id OPERATOR(pg_catalog.=) h.id)",
							  quoted, columns.data, RelationQualifiedName(entry->relid)),
					 0, NULL, NULL) != SPI_OK_UPDATE)
		elog(ERROR, "could not copy values into heads table \"%s\"",
			 get_rel_name(entry->heads));
}

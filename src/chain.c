/*
 * chain.c
 *		Hash chains of append-only tables: make_append_only(hashed => true,
 *		chain_by => column), the trigger that links every new row to its
 *		chain, and verify_chain.
 *
 * Each row carries chain_seq (1, 2, 3 ... per chain, gapless), prev_hash
 * (the previous row's hash, 32 zero bytes for the first) and hash, the
 * SHA-256 of prev_hash and the row's canonical encoding (hash.c).  Every
 * row can so be checked on its own, and each link between neighbours
 * separately: a tampered row is reported where it is, not also at the row
 * after it.  A chain is the whole table, or the rows sharing one value of
 * the chain_by column.  A writer appending to a chain holds a lock on that
 * chain alone until its transaction ends, so writers of one chain take
 * turns and writers of different chains never wait for each other; the
 * chain's last row is then found under the index on (chain_by,
 * chain_seq), seeing rows committed before and rows of this transaction,
 * including those of this very statement.  The index is not unique: the
 * lock keeps chain_seq unique, and a duplicated row written around the
 * trigger is for verify_chain to report.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_index.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

#include "args.h"
#include "chain.h"
#include "ddl.h"
#include "guard.h"
#include "hash.h"
#include "registry.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(immutable_hash_chain);

/*
 * field4 of the advisory lock tags of chains: pg_advisory_lock uses 1 and
 * 2, so the extension's chain locks never meet a user's advisory locks.
 */
#define CHAIN_LOCK_FIELD4 0x4D49

/* The link a new row of a chain attaches to. */
typedef struct ChainLink
{
	int64		seq;			/* 0 for an empty chain */
	uint8		hash[HASH_LENGTH];
} ChainLink;

/* ----------------------------------------------------------------------
 * The relation cache entry
 * ---------------------------------------------------------------------- */

/* Return the attribute number of a column a hashed table must have. */
static AttrNumber
chain_column(Relation rel, const char *name, Oid typid)
{
	AttrNumber	attnum = get_attnum(RelationGetRelid(rel), name);

	if (attnum == InvalidAttrNumber ||
		TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid != typid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("hash-chained table \"%s\" has no %s column \"%s\"",
						RelationGetRelationName(rel), format_type_be(typid), name),
				 errhint("Call immutable.make_mutable() and immutable.make_append_only() again.")));
	return attnum;
}

/* Is index a btree index on exactly the chain's key and chain_seq? */
static bool
is_chain_index(Relation index, ManagedRelation *entry)
{
	Form_pg_index form = index->rd_index;
	int			n = 0;

	if (!form->indisvalid || index->rd_rel->relam != BTREE_AM_OID ||
		index->rd_indpred != NIL || index->rd_indexprs != NIL)
		return false;
	if (entry->chain.att_chain_by != InvalidAttrNumber &&
		(form->indnkeyatts < 1 || form->indkey.values[n++] != entry->chain.att_chain_by))
		return false;
	return form->indnkeyatts == n + 1 && form->indkey.values[n] == entry->chain.att_chain_seq;
}

/*
 * Fill in the hash-chain part of the cache entry of a hashed table: its
 * columns, its chain index and the encoder of its rows.  A versioned
 * table's chains are its entities, numbered by version under the
 * (entity_id, version) index (describe_versioned ran first).
 */
void
ChainDescribe(ManagedRelation *entry)
{
	Relation	rel = relation_open(entry->relid, AccessShareLock);
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	entry->chain.att_hash = chain_column(rel, COL_HASH, BYTEAOID);
	entry->chain.att_prev_hash = chain_column(rel, COL_PREV_HASH, BYTEAOID);
	entry->chain.encoder = HashRowEncoder(RelationGetDescr(rel), entry->chain.att_hash,
										  entry->chain.att_prev_hash, entry->cxt);
	if (entry->kind == MANAGED_VERSIONED)
	{
		/* one chain per entity, in version order */
		entry->chain.att_chain_by = entry->versioned.att_entity_id;
		entry->chain.att_chain_seq = entry->versioned.att_version;
		entry->chain.chain_index = entry->versioned.version_index;
		list_free(indexes);
		relation_close(rel, AccessShareLock);
		return;
	}
	entry->chain.att_chain_seq = chain_column(rel, COL_CHAIN_SEQ, INT8OID);
	entry->chain.chain_index = InvalidOid;
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);

		if (is_chain_index(index, entry))
			entry->chain.chain_index = RelationGetRelid(index);
		index_close(index, AccessShareLock);
	}
	if (!OidIsValid(entry->chain.chain_index))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("hash-chained table \"%s\" has lost the index of its chains",
						RelationGetRelationName(rel)),
				 errhint("Call immutable.make_mutable() and immutable.make_append_only() again.")));
	list_free(indexes);
	relation_close(rel, AccessShareLock);
}

/* ----------------------------------------------------------------------
 * Finding a chain's last row
 * ---------------------------------------------------------------------- */

/*
 * Lock the chain of key (ignored without chain_by) until the end of the
 * transaction.  The lock tag holds the table and a 32-bit hash of the key
 * (by the type's hash function, so that values equal under "=" meet):
 * chains whose keys collide share a lock, which costs waiting, never
 * correctness.
 */
static uint32
lock_chain(Relation rel, ManagedRelation *entry, Datum key)
{
	uint32		key_hash = 0;
	LOCKTAG		tag;

	if (entry->chain.att_chain_by != InvalidAttrNumber)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), entry->chain.att_chain_by - 1);
		TypeCacheEntry *type = lookup_type_cache(att->atttypid, TYPECACHE_HASH_PROC_FINFO);

		if (OidIsValid(type->hash_proc_finfo.fn_oid))
			key_hash = DatumGetUInt32(FunctionCall1Coll(&type->hash_proc_finfo,
														att->attcollation, key));
	}
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, RelationGetRelid(rel), key_hash,
						 CHAIN_LOCK_FIELD4);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
	return key_hash;
}

/*
 * The chain_seq this backend last gave a row of a chain, by table and hash
 * of the chain's value: a lower bound for the chain's last row, which lets
 * the backward index scan that finds it stop after a few entries instead of
 * reading a whole leaf page.  Only a hint: chain_seq only grows, and when a
 * hinted row was rolled back (or the hash of another chain's value
 * collides) the scan finds nothing and is done again without it.
 */
typedef struct ChainHintKey
{
	Oid			relid;
	uint32		key_hash;
} ChainHintKey;

typedef struct ChainHint
{
	ChainHintKey key;
	int64		seq;
} ChainHint;

static HTAB *ChainHints = NULL;

/* Return the hint entry of a chain, creating it with seq 0. */
static ChainHint *
chain_hint(Oid relid, uint32 key_hash)
{
	ChainHintKey key;
	ChainHint  *hint;
	bool		found;

	if (ChainHints == NULL || hash_get_num_entries(ChainHints) > 100000)
	{
		HASHCTL		ctl;

		if (ChainHints != NULL)
			hash_destroy(ChainHints);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(ChainHintKey);
		ctl.entrysize = sizeof(ChainHint);
		ctl.hcxt = TopMemoryContext;
		ChainHints = hash_create("immutable chain hints", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	memset(&key, 0, sizeof(key));
	key.relid = relid;
	key.key_hash = key_hash;
	hint = hash_search(ChainHints, &key, HASH_ENTER, &found);
	if (!found)
		hint->seq = 0;
	return hint;
}

/* Initialize key as "chain_by = value" on the chain index's first column. */
static void
chain_key(Relation index, Datum value, ScanKey key)
{
	Oid			opfamily = index->rd_opfamily[0];
	Oid			type = index->rd_opcintype[0];
	Oid			op = get_opfamily_member(opfamily, type, type, BTEqualStrategyNumber);

	ScanKeyEntryInitialize(key, 0, 1, BTEqualStrategyNumber, type,
						   index->rd_indcollation[0], get_opcode(op), value);
}

/*
 * Return the chain_seq of the row in slot (the version of a versioned
 * table's row, an integer); *isnull when it has none.
 */
int64
ChainSlotSeq(ManagedRelation *entry, TupleTableSlot *slot, bool *isnull)
{
	Datum		value = slot_getattr(slot, entry->chain.att_chain_seq, isnull);

	if (*isnull)
		return 0;
	if (entry->kind == MANAGED_VERSIONED)
		return DatumGetInt32(value);
	return DatumGetInt64(value);
}

/* Read chain_seq and hash of the row in slot into link. */
static void
read_link(ManagedRelation *entry, TupleTableSlot *slot, ChainLink *link)
{
	bool		isnull;
	Datum		hash;

	link->seq = ChainSlotSeq(entry, slot, &isnull);
	hash = slot_getattr(slot, entry->chain.att_hash, &isnull);
	if (isnull || VARSIZE_ANY_EXHDR(DatumGetPointer(hash)) != HASH_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("row %lld of a chain of table \"%s\" has no valid hash",
						(long long) link->seq, get_rel_name(entry->relid)),
				 errhint("Run immutable.verify_chain() on the table.")));
	memcpy(link->hash, VARDATA_ANY(DatumGetPointer(hash)), HASH_LENGTH);
}

/*
 * Find the last row of key's chain (the highest chain_seq) with chain_seq
 * at least min_seq, among the rows committed or written by this
 * transaction; false when there is none.
 */
static bool
scan_last_link(Relation rel, Relation index, ManagedRelation *entry, Datum key,
			   int64 min_seq, ChainLink *link)
{
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	ScanKeyData scankeys[2];
	int			nkeys = 0;
	IndexScanDesc scan;
	bool		found;

	if (entry->chain.att_chain_by != InvalidAttrNumber)
		chain_key(index, key, &scankeys[nkeys++]);
	/* rows without chain_seq (written with triggers disabled) are no link */
	ScanKeyInit(&scankeys[nkeys], nkeys + 1, BTGreaterEqualStrategyNumber, F_INT8GE,
				Int64GetDatum(min_seq));
	nkeys++;
	scan = IndexBeginScan(rel, index, SnapshotSelf, nkeys);
	index_rescan(scan, scankeys, nkeys, NULL, 0);
	found = index_getnext_slot(scan, BackwardScanDirection, slot);
	if (found)
		read_link(entry, slot, link);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	return found;
}

/*
 * Find the last row of key's chain among the rows committed or written by
 * this transaction, starting from the hint; an empty chain gives seq 0.
 */
static void
last_link(Relation rel, ManagedRelation *entry, Datum key, ChainHint *hint,
		  ChainLink *link)
{
	Relation	index = index_open(entry->chain.chain_index, AccessShareLock);

	if (!(hint->seq > 1 && scan_last_link(rel, index, entry, key, hint->seq, link)) &&
		!scan_last_link(rel, index, entry, key, PG_INT64_MIN, link))
		link->seq = 0;
	index_close(index, NoLock);
}

/* ----------------------------------------------------------------------
 * The trigger
 * ---------------------------------------------------------------------- */

/* Return the value of the chain_by column (23502 when NULL). */
static Datum
chain_value(Relation rel, ManagedRelation *entry, Datum *values, bool *isnull)
{
	if (entry->chain.att_chain_by == InvalidAttrNumber)
		return (Datum) 0;
	if (isnull[entry->chain.att_chain_by - 1])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("column \"%s\" of hash-chained table \"%s\" must not be null",
						get_attname(entry->relid, entry->chain.att_chain_by, false),
						RelationGetRelationName(rel)),
				 errdetail("Its value names the chain the row is appended to."),
				 errtable(rel)));
	return values[entry->chain.att_chain_by - 1];
}

/* Return a bytea of HASH_LENGTH bytes. */
static Datum
hash_datum(const uint8 *hash)
{
	bytea	   *value = palloc(VARHDRSZ + HASH_LENGTH);

	SET_VARSIZE(value, VARHDRSZ + HASH_LENGTH);
	memcpy(VARDATA(value), hash, HASH_LENGTH);
	return PointerGetDatum(value);
}

/*
 * Set chain_seq, prev_hash and hash of the row (values, isnull) to follow
 * link, and advance link to the row.
 */
static void
link_row(ManagedRelation *entry, Datum *values, bool *isnull, ChainLink *link,
		 StringInfo buf)
{
	static const uint8 zeros[HASH_LENGTH] = {0};
	const uint8 *prev = link->seq > 0 ? link->hash : zeros;

	link->seq++;
	values[entry->chain.att_chain_seq - 1] = Int64GetDatum(link->seq);
	values[entry->chain.att_prev_hash - 1] = hash_datum(prev);
	isnull[entry->chain.att_chain_seq - 1] = isnull[entry->chain.att_prev_hash - 1] = false;
	HashRow(entry->chain.encoder, prev, values, isnull, NULL, buf, link->hash);
	values[entry->chain.att_hash - 1] = hash_datum(link->hash);
	isnull[entry->chain.att_hash - 1] = false;
}

/*
 * Return tuple (a row of entry's versioned table, every other column final)
 * with prev_hash set to prev (NULL: a chain's first row, 32 zero bytes) and
 * hash to SHA-256 of prev_hash and the row's encoding.
 */
HeapTuple
ChainLinkTuple(ManagedRelation *entry, TupleDesc desc, HeapTuple tuple, const uint8 *prev)
{
	static const uint8 zeros[HASH_LENGTH] = {0};
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *isnull = palloc(sizeof(bool) * desc->natts);
	uint8		hash[HASH_LENGTH];
	StringInfoData buf;

	heap_deform_tuple(tuple, desc, values, isnull);
	if (prev == NULL)
		prev = zeros;
	values[entry->chain.att_prev_hash - 1] = hash_datum(prev);
	isnull[entry->chain.att_prev_hash - 1] = false;
	initStringInfo(&buf);
	HashRow(entry->chain.encoder, prev, values, isnull, NULL, &buf, hash);
	values[entry->chain.att_hash - 1] = hash_datum(hash);
	isnull[entry->chain.att_hash - 1] = false;
	return heap_form_tuple(desc, values, isnull);
}

/*
 * Return the hash of the row in slot (HASH_LENGTH bytes, in the current
 * memory context), column attnum; XX001 when it has none.
 */
uint8 *
ChainSlotHash(TupleTableSlot *slot, AttrNumber attnum, Relation rel)
{
	bool		isnull;
	Datum		value = slot_getattr(slot, attnum, &isnull);
	uint8	   *hash;

	if (isnull || VARSIZE_ANY_EXHDR(DatumGetPointer(value)) != HASH_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the latest row of a hash chain of table \"%s\" has no valid hash",
						RelationGetRelationName(rel)),
				 errhint("Run immutable.verify_chain() on the table.")));
	hash = palloc(HASH_LENGTH);
	memcpy(hash, VARDATA_ANY(DatumGetPointer(value)), HASH_LENGTH);
	return hash;
}

/*
 * immutable.hash_chain() RETURNS trigger
 *
 * Trigger function (BEFORE INSERT FOR EACH ROW) of hash-chained append-only
 * tables: appends the row to its chain (the table's, or its chain_by value's).
 * Named to fire after the table's other BEFORE INSERT triggers.  Sets
 * chain_seq to the chain's next number, prev_hash to the previous row's hash
 * (32 zero bytes for the first) and hash to SHA-256 of prev_hash and the row's
 * canonical encoding (see hash.c); values the writer gave for them are
 * replaced.  Waits for a transaction appending to the same chain.  Errors:
 * 23502 NULL chain_by value; 55000 a BEFORE INSERT trigger that fires later;
 * XX001 a last row without a valid hash; 39P01 when not called as described.
 */
Datum
immutable_hash_chain(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	ManagedRelation *entry;
	Datum	   *values;
	bool	   *isnull;
	Datum		key;
	ChainHint  *hint;
	ChainLink	link;
	StringInfoData buf;

	TriggerCheckCall(fcinfo, "hash_chain", TRIGGER_EVENT_BEFORE, true,
					 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT));
	rel = trigdata->tg_relation;
	desc = RelationGetDescr(rel);
	entry = RegistryLookup(RelationGetRelid(rel));
	if (!entry->hashed)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not hash-chained", RelationGetRelationName(rel)),
				 errhint("Call immutable.make_append_only() or immutable.make_versioned() with hashed => true.")));
	TriggerCheckFiresLast(rel, trigdata->tg_trigger, TRIGGER_TYPE_INSERT);

	values = palloc(sizeof(Datum) * desc->natts);
	isnull = palloc(sizeof(bool) * desc->natts);
	heap_deform_tuple(trigdata->tg_trigtuple, desc, values, isnull);
	key = chain_value(rel, entry, values, isnull);
	hint = chain_hint(RelationGetRelid(rel), lock_chain(rel, entry, key));
	last_link(rel, entry, key, hint, &link);
	initStringInfo(&buf);
	link_row(entry, values, isnull, &link, &buf);
	hint->seq = link.seq;
	return PointerGetDatum(heap_form_tuple(desc, values, isnull));
}

/* ----------------------------------------------------------------------
 * make_append_only(hashed => true)
 * ---------------------------------------------------------------------- */

/*
 * Does rel have a BEFORE UPDATE row trigger that fires under
 * session_replication_role = replica (enabled ALWAYS or REPLICA)?
 */
static bool
fires_in_replica(Relation rel)
{
	TriggerDesc *triggers = rel->trigdesc;
	int			i;

	for (i = 0; triggers != NULL && i < triggers->numtriggers; i++)
	{
		Trigger    *trigger = &triggers->triggers[i];

		if (TRIGGER_FOR_ROW(trigger->tgtype) && TRIGGER_FOR_BEFORE(trigger->tgtype) &&
			TRIGGER_FOR_UPDATE(trigger->tgtype) &&
			(trigger->tgenabled == TRIGGER_FIRES_ALWAYS ||
			 trigger->tgenabled == TRIGGER_FIRES_ON_REPLICA))
			return true;
	}
	return false;
}

/*
 * Return the UPDATE that links one existing row of entry's table, returning
 * the row as stored when returning.
 */
static SPIPlanPtr
prepare_link_update(ManagedRelation *entry, bool returning)
{
	Oid			argtypes[4] = {BYTEAOID, BYTEAOID, TIDOID, INT8OID};
	bool		with_seq = entry->kind != MANAGED_VERSIONED;
	SPIPlanPtr	plan;

	plan = SPI_prepare(psprintf("UPDATE ONLY %s AS t SET %s = $1, %s = $2%s"
								" WHERE t.ctid OPERATOR(pg_catalog.=) $3%s",
								RelationQualifiedName(entry->relid), COL_PREV_HASH, COL_HASH,
								with_seq ? ", " COL_CHAIN_SEQ " = $4" : "",
								returning ? " RETURNING t" : ""),
					   with_seq ? 4 : 3, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	return plan;
}

/*
 * Check that the row the linking UPDATE stored (the one row of the SPI
 * result) is the row hashed, with prev_hash prev and hash hash: 55000 when
 * a trigger of the table changed it.
 */
static void
check_linked_row(ManagedRelation *entry, TupleDesc desc, const uint8 *prev,
				 const uint8 *hash, StringInfo buf)
{
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *isnull = palloc(sizeof(bool) * desc->natts);
	HeapTupleData row;
	bool		null;
	uint8		stored[HASH_LENGTH];
	struct varlena *stored_hash;

	ArgRowAsTuple(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &null),
				  &row);
	heap_deform_tuple(&row, desc, values, isnull);
	HashRow(entry->chain.encoder, prev, values, isnull, NULL, buf, stored);
	stored_hash = isnull[entry->chain.att_hash - 1] ? NULL :
		(struct varlena *) DatumGetPointer(values[entry->chain.att_hash - 1]);
	if (memcmp(stored, hash, HASH_LENGTH) != 0 || stored_hash == NULL ||
		VARSIZE_ANY_EXHDR(stored_hash) != HASH_LENGTH ||
		memcmp(VARDATA_ANY(stored_hash), hash, HASH_LENGTH) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a trigger changed a row of table \"%s\" while it was being hash-chained",
						get_rel_name(entry->relid)),
				 errdetail("The row no longer matches the hash computed for it."),
				 errhint("Disable the table's BEFORE UPDATE triggers that are enabled ALWAYS or REPLICA while calling the make_* function; the table refuses updates afterwards.")));
	pfree(values);
	pfree(isnull);
}

/*
 * Link the rows table relid (of kind) has when it becomes hash-chained,
 * chain by chain (one per value of column chain_by, NULL: one chain) in the
 * order of the SQL expression order, numbered in column seq_column: rows of
 * an append-only table in physical order, numbered here, a versioned
 * table's versions in version order.  Through SQL, once, before the table
 * is protected; link_existing_rows sets the stage.
 */
static void
link_rows_as_owner(Oid relid, ManagedKind kind, const char *chain_by, const char *seq_column,
				   const char *order)
{
	static const uint8 zeros[HASH_LENGTH] = {0};
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	ManagedRelation linked;
	ManagedRelation *entry = &linked;
	const char *chain = chain_by ? quote_identifier(chain_by) : NULL;
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *isnull = palloc(sizeof(bool) * desc->natts);
	uint8		prev[HASH_LENGTH];
	bool		check;
	SPIPlanPtr	update;
	Portal		portal;
	StringInfoData buf;

	memset(&linked, 0, sizeof(linked));
	linked.relid = relid;
	linked.kind = kind;
	linked.chain.att_chain_by = chain_by ? get_attnum(relid, chain_by) : InvalidAttrNumber;
	linked.chain.att_chain_seq = get_attnum(relid, seq_column);
	linked.chain.att_hash = get_attnum(relid, COL_HASH);
	linked.chain.att_prev_hash = get_attnum(relid, COL_PREV_HASH);
	linked.chain.encoder = HashRowEncoder(desc, linked.chain.att_hash, linked.chain.att_prev_hash, CurrentMemoryContext);
	check = fires_in_replica(rel);
	update = prepare_link_update(entry, check);
	initStringInfo(&buf);
	portal = SPI_cursor_open_with_args(NULL,
									   psprintf("SELECT t.ctid, pg_catalog.row_number() OVER"
												" (%1$s%2$s ORDER BY %3$s), t"
												" FROM ONLY %4$s AS t ORDER BY %2$s%5$s%3$s",
												chain ? "PARTITION BY " : "", chain ? chain : "",
												order, RelationQualifiedName(entry->relid),
												chain ? ", " : ""),
									   0, NULL, NULL, NULL, false, 0);
	for (;;)
	{
		SPITupleTable *rows;
		uint64		nrows;
		uint64		i;

		SPI_cursor_fetch(portal, true, 1000);
		/* the updates below replace SPI_tuptable */
		rows = SPI_tuptable;
		nrows = SPI_processed;
		if (nrows == 0)
			break;
		for (i = 0; i < nrows; i++)
		{
			bool		null;
			int64		rn = DatumGetInt64(SPI_getbinval(rows->vals[i], rows->tupdesc, 2, &null));
			HeapTupleData row;
			Datum		args[4];

			ArgRowAsTuple(SPI_getbinval(rows->vals[i], rows->tupdesc, 3, &null), &row);
			heap_deform_tuple(&row, desc, values, isnull);
			(void) chain_value(rel, entry, values, isnull);
			if (rn == 1)
				memcpy(prev, zeros, HASH_LENGTH);
			if (entry->kind != MANAGED_VERSIONED)
			{
				values[entry->chain.att_chain_seq - 1] = Int64GetDatum(rn);
				isnull[entry->chain.att_chain_seq - 1] = false;
			}
			args[0] = hash_datum(prev);
			HashRow(entry->chain.encoder, prev, values, isnull, NULL, &buf, prev);
			args[1] = hash_datum(prev);
			args[2] = SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &null);
			args[3] = Int64GetDatum(rn);
			if (SPI_execute_plan(update, args, NULL, false, 0) !=
				(check ? SPI_OK_UPDATE_RETURNING : SPI_OK_UPDATE) || SPI_processed != 1)
				elog(ERROR, "could not link an existing row");
			if (check)
				check_linked_row(entry, desc, (const uint8 *) VARDATA(DatumGetPointer(args[0])),
								 prev, &buf);
			SPI_freetuptable(SPI_tuptable);
		}
		SPI_freetuptable(rows);
	}
	SPI_cursor_close(portal);
	relation_close(rel, AccessShareLock);
}

/*
 * Link the rows table relid has when it becomes hash-chained (see
 * link_rows_as_owner) as the table's owner, in a security-restricted
 * operation, as PostgreSQL builds an index: the table's CHECK constraints
 * and index expressions, code of its owner, never run as the caller of
 * make_* (a superuser, say; issue 11 item 5), and row security does not
 * hide rows from the owner.  The table's triggers do not fire
 * (session_replication_role = replica): the UPDATE only fills the chain's
 * columns, and a BEFORE UPDATE trigger that changed the row would leave it
 * unlike its hash.  Triggers enabled ALWAYS or REPLICA fire all the same:
 * when there are such, each stored row is checked.
 */
static void
link_existing_rows(Oid relid, ManagedKind kind, const char *chain_by, const char *seq_column,
				   const char *order)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	Oid			owner = rel->rd_rel->relowner;
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel = NewGUCNestLevel();

	relation_close(rel, AccessShareLock);
	(void) set_config_option("session_replication_role", "replica", PGC_SUSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION | SECURITY_NOFORCE_RLS);
	link_rows_as_owner(relid, kind, chain_by, seq_column, order);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	AtEOXact_GUC(true, nestlevel);
}

/*
 * Add the columns of hash-chained tables to relid when absent (chain_seq
 * only when with_seq), after checking that the encoding supports every
 * column (0A000) and that those present have the right type (42804).
 */
static void
add_chain_columns(Oid relid, bool with_seq)
{
	static const struct
	{
		const char *name;
		Oid			typid;
	}			columns[] = {{COL_CHAIN_SEQ, INT8OID}, {COL_PREV_HASH, BYTEAOID}, {COL_HASH, BYTEAOID}};
	Relation	rel = relation_open(relid, AccessShareLock);
	StringInfoData alter;
	int			i;

	(void) HashRowEncoder(RelationGetDescr(rel), get_attnum(relid, COL_HASH),
						  get_attnum(relid, COL_PREV_HASH), CurrentMemoryContext);
	initStringInfo(&alter);
	for (i = with_seq ? 0 : 1; i < lengthof(columns); i++)
	{
		AttrNumber	attnum = get_attnum(relid, columns[i].name);

		if (attnum == InvalidAttrNumber)
			appendStringInfo(&alter, "%s ADD COLUMN %s %s", alter.len ? "," : "",
							 columns[i].name, format_type_be_qualified(columns[i].typid));
		else if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attgenerated ||
				 TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attidentity)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
					 errmsg("column \"%s\" of relation \"%s\" is generated or an identity",
							columns[i].name, get_rel_name(relid)),
					 errhint("Drop the column; the extension adds it and assigns its values.")));
		else if (get_atttype(relid, attnum) != columns[i].typid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is of type %s, not %s",
							columns[i].name, get_rel_name(relid),
							format_type_be(get_atttype(relid, attnum)),
							format_type_be(columns[i].typid)),
					 errhint("Rename or drop the column; the extension adds it.")));
	}
	relation_close(rel, AccessShareLock);
	if (alter.len > 0)
		DdlRun(psprintf("ALTER TABLE %s%s", RelationQualifiedName(relid), alter.data),
			   SPI_OK_UTILITY);
	CommandCounterIncrement();
}

/*
 * Prepare versioned table relid (locked, being made versioned) for hash
 * chains, one per entity: add prev_hash and hash.  Caller has run DdlBegin.
 */
void
ChainPrepareVersioned(Oid relid)
{
	add_chain_columns(relid, false);
}

/*
 * Link the existing versions of versioned table relid, entity by entity in
 * version order, once their entity_id and version are final (before the
 * table is protected and its heads table filled).  Caller has run DdlBegin.
 */
void
ChainLinkVersioned(Oid relid)
{
	link_existing_rows(relid, MANAGED_VERSIONED, COL_ENTITY_ID, COL_VERSION, COL_VERSION);
}

/*
 * Check the chain_by column of relid: it must exist (42703) and hold a
 * value when the trigger runs: not a system column or a generated one,
 * which is computed only after the BEFORE triggers (42P10).
 */
static void
check_chain_by(Oid relid, const char *chain_by)
{
	AttrNumber	attnum = get_attnum(relid, chain_by);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						chain_by, get_rel_name(relid))));
	if (attnum < 0 || get_attgenerated(relid, attnum) != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("chain_by cannot be %s column \"%s\"",
						attnum < 0 ? "the system" : "the generated", chain_by),
				 errhint("Name a column the rows are written with, such as an account or aggregate id.")));
}

/*
 * Make relid (locked, managed by nobody, checked by make_append_only)
 * hash-chained, one chain per value of column chain_by (NULL: one chain):
 * add chain_seq bigint, prev_hash bytea and hash bytea when absent (42804
 * when present with another type), link the existing rows, create the index on
 * (chain_by, chain_seq) and attach the trigger.  Errors: 42703 unknown
 * chain_by column; 42P10 chain_by naming chain_seq, prev_hash or hash; 0A000 a column
 * type the encoding does not support; 23502 a NULL chain_by value; 55000 a
 * trigger that changed an existing row while it was linked.  Caller has run
 * DdlBegin.
 */
void
ChainCreate(Oid relid, const char *chain_by)
{
	const char *table = RelationQualifiedName(relid);
	static const char *const reserved[] = {COL_CHAIN_SEQ, COL_PREV_HASH, COL_HASH};
	int			i;

	for (i = 0; chain_by != NULL && i < lengthof(reserved); i++)
		if (strcmp(chain_by, reserved[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("chain_by cannot be the column \"%s\"", chain_by),
					 errhint("Name a column of the rows, such as an account or aggregate id.")));
	if (chain_by != NULL)
		check_chain_by(relid, chain_by);
	add_chain_columns(relid, true);
	link_existing_rows(relid, MANAGED_APPEND_ONLY, chain_by, COL_CHAIN_SEQ, "t.ctid");

	DdlRun(psprintf("CREATE INDEX ON %s (%s%s%s)", table,
					chain_by ? quote_identifier(chain_by) : "", chain_by ? ", " : "",
					COL_CHAIN_SEQ), SPI_OK_UTILITY);
	DdlAttachTrigger(TRG_HASH_CHAIN, relid, NULL);
}

/*
 * chain_verify.c
 *		verify_chain and chain_digest: checking every hash chain of a table
 *		(chain.c), row by row and link by link, and against a digest of the
 *		chains' last rows taken earlier.
 *
 * verify_chain reads the table once, in heap order, under the caller's
 * snapshot, and reports what a walk along the chain index, chain by chain
 * in chain_seq order, would, in the walk's order (verify_pass); where it
 * cannot, it walks the index (walk_chains).  chain_digest records the last
 * row of every chain, which a later verification checks is still there.
 * Each row is checked on its own (its hash against its prev_hash and
 * values) and each link between neighbours separately, so that a tampered
 * row is reported where it is and nowhere else.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "args.h"
#include "chain.h"
#include "hash.h"
#include "versioned_heads.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(immutable_verify_chain);
PG_FUNCTION_INFO_V1(immutable_chain_digest);

/*
 * How chain_by values are compared and shown: the chain index's "=" and the
 * output function of the column's type, both built in (operator classes
 * need a superuser; enums output their label), so that no cast, operator
 * or function the table's owner wrote runs in the caller's context.
 */
typedef struct ChainKeyFunctions
{
	FmgrInfo	equal;
	Oid			collation;
	FmgrInfo	output;
} ChainKeyFunctions;

/* The state of one verify_chain call, walking the chains in order. */
typedef struct Verifier
{
	ManagedRelation *entry;
	Relation	rel;
	ReturnSetInfo *rsinfo;
	bool		stop_at_first;
	ChainKeyFunctions keyfuncs;

	/* the chain being walked */
	bool		in_chain;
	Datum		key;
	char	   *key_text;
	int64		prev_seq;		/* 0 before the first row */
	bool		prev_intact;	/* the previous row matches its hash */
	uint8		prev_hash[HASH_LENGTH]; /* the previous row's hash */

	/*
	 * with a digest: the last row of every chain when it was taken, sorted by
	 * chain_by value as text (NULL for a table's one chain)
	 */
	struct DigestedChain *digest;
	int			ndigest;
	struct DigestedChain *digested; /* the current chain's, or NULL */

	/* a versioned table's erased values: digests by row id, then attnum */
	HTAB	   *redactions;

	/* a versioned table's heads table, and a slot for its rows */
	Relation	heads;
	TupleTableSlot *head_slot;

	StringInfoData buf;

	/* the single pass (verify_pass), while it collects problems; or NULL */
	struct Pass *pass;
} Verifier;

/* The digests of the erased values of one version row. */
typedef struct Redaction
{
	pg_uuid_t	row_id;			/* hash key */
	uint8	  **digests;		/* by attnum - 1, NULL where nothing was
								 * erased */
} Redaction;

/* The last row of one chain when a digest was taken. */
typedef struct DigestedChain
{
	char	   *key;			/* chain_by value as text, NULL for none */
	int64		seq;
	uint8		hash[HASH_LENGTH];
	bool		seen;			/* its chain was walked */
	bool		hashed;			/* chain_digest: the row has a valid hash */
} DigestedChain;

/*
 * Prepare the comparison and output of the chain_by values of entry's
 * table rel, whose chain index is index.
 */
static void
init_key_functions(ChainKeyFunctions *keyfuncs, ManagedRelation *entry, Relation rel,
				   Relation index)
{
	Oid			type = index->rd_opcintype[0];
	Oid			output;
	bool		varlena;

	fmgr_info(get_opcode(get_opfamily_member(index->rd_opfamily[0], type, type,
											 BTEqualStrategyNumber)), &keyfuncs->equal);
	keyfuncs->collation = index->rd_indcollation[0];
	getTypeOutputInfo(TupleDescAttr(RelationGetDescr(rel), entry->chain.att_chain_by - 1)->atttypid,
					  &output, &varlena);
	fmgr_info(output, &keyfuncs->output);
}

/* Do the chain_by values a and b (not NULL) name the same chain? */
static bool
same_chain(ChainKeyFunctions *keyfuncs, Datum a, Datum b)
{
	return DatumGetBool(FunctionCall2Coll(&keyfuncs->equal, keyfuncs->collation, a, b));
}

/* Return the hex text of a hash. */
static char *
hash_text(const uint8 *hash)
{
	char	   *hex = palloc(2 * HASH_LENGTH + 3);

	hex[0] = '\\';
	hex[1] = 'x';
	hex_encode((const char *) hash, HASH_LENGTH, hex + 2);
	hex[2 * HASH_LENGTH + 2] = '\0';
	return hex;
}

static void collect(struct Pass *pass, int64 seq, const char *problem,
					const char *expected, const char *found);

/*
 * Report one problem at row seq of the current chain: a result row, or with
 * stop_at_first an error (XX001); during the single pass, a problem kept
 * until every chain is checked (collect).
 */
static void
report(Verifier *v, int64 seq, const char *problem, const char *expected, const char *found)
{
	Datum		values[5];
	bool		isnull[5] = {v->key_text == NULL, false, false, expected == NULL, found == NULL};

	if (v->pass != NULL)
	{
		collect(v->pass, seq, problem, expected, found);
		return;
	}
	if (v->stop_at_first)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("hash chain of table \"%s\" is broken", RelationGetRelationName(v->rel)),
				 errdetail("Chain %s, chain_seq %lld: %s (expected %s, found %s).",
						   v->key_text ? v->key_text : "of the table", (long long) seq,
						   problem, expected ? expected : "-", found ? found : "-"),
				 errhint("Run immutable.verify_chain() without stop_at_first to list every problem.")));
	values[0] = v->key_text ? CStringGetTextDatum(v->key_text) : (Datum) 0;
	values[1] = Int64GetDatum(seq);
	values[2] = CStringGetTextDatum(problem);
	values[3] = expected ? CStringGetTextDatum(expected) : (Datum) 0;
	values[4] = found ? CStringGetTextDatum(found) : (Datum) 0;
	tuplestore_putvalues(v->rsinfo->setResult, v->rsinfo->setDesc, values, isnull);
}

static int
compare_digested(const void *a, const void *b)
{
	const char *x = ((const DigestedChain *) a)->key;
	const char *y = ((const DigestedChain *) b)->key;

	if (x == NULL || y == NULL)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

/* Copy the hash in column attnum of slot into hash; false when invalid. */
static bool
slot_hash(TupleTableSlot *slot, AttrNumber attnum, uint8 *hash)
{
	bool		isnull;
	Datum		value = slot_getattr(slot, attnum, &isnull);

	if (isnull || VARSIZE_ANY_EXHDR(DatumGetPointer(value)) != HASH_LENGTH)
		return false;
	memcpy(hash, VARDATA_ANY(DatumGetPointer(value)), HASH_LENGTH);
	return true;
}

/*
 * Report when a versioned table's entity (the chain just walked) has a
 * heads row that is not its last version: versions removed from the end of
 * the chain, or the heads row changed.
 */
static void
check_head(Verifier *v)
{
	bool		isnull;
	bool		found;
	uint8		hash[HASH_LENGTH];
	int64		version;

	found = HeadsFetch(v->entry, v->heads, v->key, GetActiveSnapshot(), v->head_slot);
	version = found ? DatumGetInt32(slot_getattr(v->head_slot,
												 HEADS_ATTMAP(v->entry) ?
												 HEADS_ATTMAP(v->entry)[v->entry->versioned.att_version - 1] :
												 v->entry->versioned.att_version, &isnull)) : 0;
	if (found && version == v->prev_seq &&
		slot_hash(v->head_slot, HEADS_ATTMAP(v->entry) ?
				  HEADS_ATTMAP(v->entry)[v->entry->chain.att_hash - 1] : v->entry->chain.att_hash, hash) &&
		memcmp(hash, v->prev_hash, HASH_LENGTH) == 0)
		return;
	report(v, v->prev_seq, "the heads row is not the last version",
		   psprintf("%lld", (long long) v->prev_seq),
		   found ? psprintf("%lld", (long long) version) : NULL);
}

/*
 * End the walk of the current chain: report when it stops before the row
 * the digest recorded as its last (rows deleted from its end), or, on a
 * versioned table, short of its heads row.
 */
static void
leave_chain(Verifier *v)
{
	if (v->in_chain && v->digested != NULL && v->prev_seq < v->digested->seq)
		report(v, v->digested->seq, "rows the digest recorded are missing",
			   psprintf("%lld", (long long) v->digested->seq),
			   psprintf("%lld", (long long) v->prev_seq));
	if (v->in_chain && v->heads != NULL && v->prev_seq > 0)
		check_head(v);
	v->digested = NULL;
}

/* Find the digest's record of the chain now walked. */
static void
find_digested(Verifier *v)
{
	DigestedChain key;

	if (v->digest == NULL)
		return;
	key.key = v->key_text;
	v->digested = bsearch(&key, v->digest, v->ndigest, sizeof(DigestedChain),
						  compare_digested);
	if (v->digested != NULL)
		v->digested->seen = true;
}

/* Start a new chain at the row in slot when its chain_by value differs. */
static void
enter_chain(Verifier *v, TupleTableSlot *slot)
{
	AttrNumber	att = v->entry->chain.att_chain_by;
	Form_pg_attribute form;
	Datum		key;
	bool		isnull;
	MemoryContext old;

	if (att == InvalidAttrNumber)
	{
		if (!v->in_chain)
		{
			v->in_chain = true;
			v->prev_seq = 0;
			find_digested(v);
		}
		return;
	}
	key = slot_getattr(slot, att, &isnull);
	if (v->in_chain && !isnull && same_chain(&v->keyfuncs, v->key, key))
		return;
	leave_chain(v);
	form = TupleDescAttr(slot->tts_tupleDescriptor, att - 1);
	old = MemoryContextSwitchTo(v->rsinfo->econtext->ecxt_per_query_memory);
	v->key = isnull ? (Datum) 0 : datumCopy(key, form->attbyval, form->attlen);
	v->key_text = isnull ? NULL : OutputFunctionCall(&v->keyfuncs.output, key);
	MemoryContextSwitchTo(old);
	v->in_chain = !isnull;
	v->prev_seq = 0;
	if (v->in_chain)
		find_digested(v);
}

/*
 * Read the digests of the values redact erased from v's versioned table
 * (immutable.erasure_log, which only the extension's owner may read).
 */
static void
read_redactions(Verifier *v)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(v->entry->relid)};
	int			natts = RelationGetDescr(v->rel)->natts;
	MemoryContext cxt = CurrentMemoryContext;
	Oid			save_userid;
	int			save_sec_context;
	HASHCTL		ctl;
	uint64		i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(pg_uuid_t);
	ctl.entrysize = sizeof(Redaction);
	ctl.hcxt = cxt;
	v->redactions = hash_create("immutable redactions", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(RegistryOwner(), save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT l.row_id, l.column_name, l.digest FROM immutable.erasure_log AS l"
							  " WHERE l.relid OPERATOR(pg_catalog.=) $1"
							  " AND l.action OPERATOR(pg_catalog.=) 'redact' AND l.digest IS NOT NULL",
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read immutable.erasure_log");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		bool		isnull;
		pg_uuid_t  *row_id = DatumGetUUIDP(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &isnull));
		AttrNumber	attnum = get_attnum(v->entry->relid, SPI_getvalue(row, SPI_tuptable->tupdesc, 2));
		Datum		digest = SPI_getbinval(row, SPI_tuptable->tupdesc, 3, &isnull);
		Redaction  *entry;
		bool		found;

		if (attnum == InvalidAttrNumber || VARSIZE_ANY_EXHDR(DatumGetPointer(digest)) != HASH_LENGTH)
			continue;
		entry = hash_search(v->redactions, row_id, HASH_ENTER, &found);
		if (!found)
			entry->digests = MemoryContextAllocZero(cxt, sizeof(uint8 *) * natts);
		entry->digests[attnum - 1] = MemoryContextAlloc(cxt, HASH_LENGTH);
		memcpy(entry->digests[attnum - 1], VARDATA_ANY(DatumGetPointer(digest)), HASH_LENGTH);
	}
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/* Return the digests of the values erased from the row in slot, or NULL. */
static uint8 *const *
row_redactions(Verifier *v, TupleTableSlot *slot)
{
	bool		isnull;
	Datum		id;
	Redaction  *entry;

	if (v->redactions == NULL || hash_get_num_entries(v->redactions) == 0)
		return NULL;
	id = slot_getattr(slot, v->entry->versioned.att_id, &isnull);
	if (isnull)
		return NULL;
	entry = hash_search(v->redactions, DatumGetUUIDP(id), HASH_FIND, NULL);
	return entry ? entry->digests : NULL;
}

/*
 * Check the row in slot, and its link to the previous row of its chain.  A
 * row is intact when its hash is SHA-256 of its prev_hash and values; it is
 * linked when its prev_hash is the previous row's hash (zeros for the first
 * row).  A broken link is reported only between intact rows that follow
 * each other: at a tampered row, the row is reported, and at a gap, the
 * gap.
 */
static void
verify_row(Verifier *v, TupleTableSlot *slot)
{
	static const uint8 zeros[HASH_LENGTH] = {0};
	ManagedRelation *entry = v->entry;
	bool		isnull;
	int64		seq;
	uint8		hash[HASH_LENGTH];
	uint8		prev_hash[HASH_LENGTH];
	uint8		own[HASH_LENGTH];
	bool		has_hash;
	bool		intact;

	seq = ChainSlotSeq(entry, slot, &isnull);
	if (isnull)
	{
		report(v, 0, "row has no chain_seq", NULL, NULL);
		return;
	}
	if (seq == v->prev_seq)
	{
		report(v, seq, "row duplicates the previous row's chain_seq",
			   psprintf("%lld", (long long) seq + 1), psprintf("%lld", (long long) seq));
		return;
	}
	if (seq != v->prev_seq + 1)
		report(v, seq, "rows are missing before this row",
			   psprintf("%lld", (long long) v->prev_seq + 1), psprintf("%lld", (long long) seq));

	has_hash = slot_hash(slot, entry->chain.att_hash, hash);
	intact = has_hash && slot_hash(slot, entry->chain.att_prev_hash, prev_hash);
	if (!intact)
		report(v, seq, "row has no valid hash or prev_hash", NULL, NULL);
	else
	{
		slot_getallattrs(slot);
		HashRow(entry->chain.encoder, prev_hash, slot->tts_values, slot->tts_isnull,
				row_redactions(v, slot), &v->buf, own);
		intact = memcmp(own, hash, HASH_LENGTH) == 0;
		if (!intact)
			report(v, seq, "row does not match its hash", hash_text(own), hash_text(hash));
	}
	if (intact && seq == 1 && memcmp(prev_hash, zeros, HASH_LENGTH) != 0)
		report(v, seq, "first row does not start its chain", hash_text(zeros),
			   hash_text(prev_hash));
	else if (intact && seq == v->prev_seq + 1 && seq > 1 && v->prev_intact &&
			 memcmp(prev_hash, v->prev_hash, HASH_LENGTH) != 0)
		report(v, seq, "row does not follow the previous row", hash_text(v->prev_hash),
			   hash_text(prev_hash));
	if (v->digested != NULL && seq == v->digested->seq &&
		!(has_hash && memcmp(hash, v->digested->hash, HASH_LENGTH) == 0))
		report(v, seq, "row differs from the digest", hash_text(v->digested->hash),
			   has_hash ? hash_text(hash) : NULL);
	v->prev_seq = seq;
	v->prev_intact = intact;
	memcpy(v->prev_hash, hash, HASH_LENGTH);
}

/* Return the name of relid a digest of it gives: schema-qualified. */
static char *
digest_table_name(Oid relid)
{
	return RelationQualifiedName(relid);
}

/*
 * Check that the digest names v's table (22023 otherwise): by its
 * schema-qualified name, as chain_digest writes it, or as chain_digest
 * wrote it before it qualified every name (regclass's text: unqualified
 * when the table is visible), when that name finds the table under the
 * current search_path.
 */
static void
check_digest_table(Verifier *v, const char *table)
{
	Oid			relid = v->entry->relid;

	if (strcmp(table, digest_table_name(relid)) == 0 ||
		strcmp(table, DatumGetCString(DirectFunctionCall1(regclassout,
														  ObjectIdGetDatum(relid)))) == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("digest passed to immutable.verify_chain() was taken from table %s, not from %s",
					table, digest_table_name(relid)),
			 errdetail("A digest records the last rows of the chains of the table it names."),
			 errhint("Pass a digest chain_digest() took of this table; after renaming the table or its schema, put the new name in the digest's \"table\".")));
}

/*
 * Read a digest made by chain_digest of v's table into v, sorted by chain:
 * 22023 when it is not one.
 */
static void
read_digest(Verifier *v, Jsonb *digest)
{
	Oid			argtypes[1] = {JSONBOID};
	Datum		args[1] = {JsonbPGetDatum(digest)};
	MemoryContext cxt = CurrentMemoryContext;
	uint64		i;

	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT pg_catalog.jsonb_typeof($1) OPERATOR(pg_catalog.=) 'object'"
							  " AND ($1 OPERATOR(pg_catalog.->>) 'version') OPERATOR(pg_catalog.=) '1'"
							  " AND pg_catalog.jsonb_typeof($1 OPERATOR(pg_catalog.->) 'table')"
							  " OPERATOR(pg_catalog.=) 'string'"
							  " AND pg_catalog.jsonb_typeof($1 OPERATOR(pg_catalog.->) 'chains')"
							  " OPERATOR(pg_catalog.=) 'array'"
							  " AND NOT EXISTS (SELECT FROM pg_catalog.jsonb_array_elements("
							  "$1 OPERATOR(pg_catalog.->) 'chains') AS c"
							  " WHERE pg_catalog.jsonb_typeof(c) OPERATOR(pg_catalog.<>) 'array'"
							  " OR (c OPERATOR(pg_catalog.->>) 1) IS NULL"
							  " OR (c OPERATOR(pg_catalog.->>) 1) OPERATOR(pg_catalog.!~) '^[0-9]{1,18}$'"
							  " OR (c OPERATOR(pg_catalog.->>) 2) IS NULL"
							  " OR (c OPERATOR(pg_catalog.->>) 2) OPERATOR(pg_catalog.!~) '^[0-9a-f]{64}$'),"
							  " $1 OPERATOR(pg_catalog.->>) 'table'",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT ||
		!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) ||
		isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("digest passed to immutable.verify_chain() is not one chain_digest() made"),
				 errdetail("A digest is a jsonb object with \"version\": 1, the \"table\" it was taken from and an array \"chains\" of [chain, chain_seq, hash in hex].")));
	check_digest_table(v, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
	if (SPI_execute_with_args("SELECT c OPERATOR(pg_catalog.->>) 0,"
							  " (c OPERATOR(pg_catalog.->>) 1)::pg_catalog.int8,"
							  " pg_catalog.decode(c OPERATOR(pg_catalog.->>) 2, 'hex')"
							  " FROM pg_catalog.jsonb_array_elements($1 OPERATOR(pg_catalog.->) 'chains') AS c",
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the digest");
	v->ndigest = SPI_processed;
	v->digest = MemoryContextAllocZero(cxt, sizeof(DigestedChain) * Max(v->ndigest, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		char	   *key = SPI_getvalue(row, SPI_tuptable->tupdesc, 1);
		Datum		seq = SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull);
		Datum		hash = SPI_getbinval(row, SPI_tuptable->tupdesc, 3, &isnull);

		if (isnull || VARSIZE_ANY_EXHDR(DatumGetPointer(hash)) != HASH_LENGTH)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("digest passed to immutable.verify_chain() is not one chain_digest() made")));
		v->digest[i].key = key ? MemoryContextStrdup(cxt, key) : NULL;
		v->digest[i].seq = DatumGetInt64(seq);
		memcpy(v->digest[i].hash, VARDATA_ANY(DatumGetPointer(hash)), HASH_LENGTH);
	}
	SPI_finish();
	qsort(v->digest, v->ndigest, sizeof(DigestedChain), compare_digested);
}

/* Report the chains of the digest the walk never met. */
static void
report_missing_chains(Verifier *v)
{
	int			i;

	for (i = 0; i < v->ndigest; i++)
	{
		if (v->digest[i].seen)
			continue;
		v->key_text = v->digest[i].key;
		report(v, v->digest[i].seq, "chain the digest recorded is missing",
			   psprintf("%lld", (long long) v->digest[i].seq), NULL);
	}
}

/* Walk every chain of v's table in order, checking each row. */
static void
walk_chains(Verifier *v)
{
	Relation	index = index_open(v->entry->chain.chain_index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(v->rel, NULL);
	IndexScanDesc scan;
	MemoryContext rowcxt;
	MemoryContext old;

	if (v->entry->chain.att_chain_by != InvalidAttrNumber)
		init_key_functions(&v->keyfuncs, v->entry, v->rel, index);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "verify_chain row",
								   ALLOCSET_DEFAULT_SIZES);
	scan = IndexBeginScan(v->rel, index, GetActiveSnapshot(), 0);
	index_rescan(scan, NULL, 0, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		enter_chain(v, slot);
		verify_row(v, slot);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	leave_chain(v);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
}

/*
 * The single pass.  verify_chain reads the table once, sequentially, in
 * heap order, rather than chain by chain along the chain index (an index
 * walk over interleaved chains costs three times a sequential read).  Heap
 * order is not chain order (concurrent writers, redaction, VACUUM FULL and
 * CLUSTER move rows), so each row's own hash is checked when it is read,
 * and its links in chain_seq order: every chain keeps the last row linked
 * in order (its chain_seq, whether it was intact, its hash), and a row
 * whose predecessor has not been read yet waits as a pending row (chain_seq,
 * prev_hash, hash: about 100 bytes) until it comes.  Problems are kept and
 * sorted into the order the index walk meets them (by chain in the chain
 * index's order, then chain_seq, then heap order), so that both give the
 * same rows in the same order.  What is kept (chains, pending rows,
 * problems) is bounded by maintenance_work_mem; beyond it, and wherever
 * the walk's order cannot be rebuilt exactly (rows without a chain_by
 * value, with a chain_seq below 1 or one another row of the chain has,
 * values of one chain that differ in their text, a chain index with
 * non-default ordering), the pass gives up and walk_chains checks the
 * table instead.
 */

/* Where a problem sorts within its chain, as the walk meets it. */
typedef enum ProblemPlace
{
	PLACE_ROW,					/* a row with chain_seq */
	PLACE_NO_SEQ,				/* a row without chain_seq (last in the index) */
	PLACE_END					/* the end of the chain */
}			ProblemPlace;

/* Which check of a row found a problem, in the walk's order. */
typedef enum ProblemStep
{
	STEP_GAP,					/* rows missing before it, no chain_seq; the
								 * digest at the chain's end */
	STEP_OWN,					/* its hash; the heads row at the chain's end */
	STEP_LINK					/* its link, the digest's record of it */
}			ProblemStep;

/* One chain of the single pass. */
typedef struct ChainState
{
	Datum		key;			/* chain_by value; unused without chain_by */
	char	   *key_text;		/* its text, made when needed (chain_text) */
	DigestedChain *digested;	/* the digest's record of it, or NULL */
	int64		prev_seq;		/* the last row linked in order, 0 before */
	bool		prev_intact;	/* it matches its hash */
	uint8		prev_hash[HASH_LENGTH]; /* its hash */
	int64		npending;		/* its rows waiting for their predecessor */
	struct ChainState *next;	/* the next chain of the same hash code */
	struct ChainState *next_all;	/* the next chain of the table */
}			ChainState;

/* A row read before its predecessor: its chain and chain_seq (hash key). */
typedef struct PendingKey
{
	ChainState *chain;
	int64		seq;
}			PendingKey;

typedef struct PendingRow
{
	PendingKey	key;
	uint64		arrival;		/* its place in heap order */
	bool		has_hash;
	bool		intact;			/* it matches its hash */
	uint8		prev_hash[HASH_LENGTH];
	uint8		hash[HASH_LENGTH];
}			PendingRow;

/* The chains of one hash code of their chain_by value. */
typedef struct ChainBucket
{
	uint32		hashcode;
	ChainState *first;
}			ChainBucket;

/* A problem the pass found, with where the index walk would meet it. */
typedef struct Problem
{
	ChainState *chain;
	ProblemPlace place;
	int64		order_seq;
	uint64		arrival;
	ProblemStep step;
	uint64		number;			/* in the order found */
	int64		seq;			/* the chain_seq reported */
	const char *problem;
	char	   *expected;
	char	   *found;
}			Problem;

/*
 * What a chain costs the pass, about (its state, its hash bucket, its
 * value), for estimated_chains.
 */
#define CHAIN_BYTES 160

/* The state of the single pass. */
typedef struct Pass
{
	MemoryContext cxt;			/* everything below, within budget */
	Size		budget;			/* maintenance_work_mem, in bytes */
	bool		given_up;		/* walk_chains must check the table */
	AttrNumber	att_key;		/* chain_by, or InvalidAttrNumber */
	bool		key_byval;
	int16		key_len;
	FmgrInfo	hash;			/* of chain_by values, matching "=" */
	FmgrInfo	order;			/* the chain index's order */
	Oid			collation;
	HTAB	   *buckets;		/* ChainBucket by hash code */
	ChainState *chains;			/* every chain */
	ChainState *unused;			/* room for new chains, allocated in bulk */
	int			nunused;
	ChainState *last;			/* the chain of the previous row */
	HTAB	   *pending;		/* PendingRow by PendingKey */
	Problem    *problems;
	uint64		nproblems;
	uint64		allocated;
	/* where the next problem found sorts */
	Problem		at;
}			Pass;

/* Give up the pass when what it keeps exceeds its budget; true then. */
static bool
over_budget(Pass * p)
{
	if (MemoryContextMemAllocated(p->cxt, true) > p->budget)
		p->given_up = true;
	return p->given_up;
}

/* Set where the next problems found sort. */
static void
place(Pass * p, ChainState * chain, ProblemPlace where, int64 seq, uint64 arrival,
	  ProblemStep step)
{
	p->at.chain = chain;
	p->at.place = where;
	p->at.order_seq = seq;
	p->at.arrival = arrival;
	p->at.step = step;
}

/* Keep one problem the pass found (report), where p->at says. */
static void
collect(Pass * p, int64 seq, const char *problem, const char *expected, const char *found)
{
	MemoryContext old = MemoryContextSwitchTo(p->cxt);
	Problem    *kept;

	if (p->nproblems == p->allocated)
	{
		p->allocated = Max(64, p->allocated * 2);
		p->problems = p->problems == NULL ? palloc(sizeof(Problem) * p->allocated) :
			repalloc(p->problems, sizeof(Problem) * p->allocated);
	}
	kept = &p->problems[p->nproblems];
	*kept = p->at;
	kept->number = p->nproblems++;
	kept->seq = seq;
	kept->problem = problem;
	kept->expected = expected ? pstrdup(expected) : NULL;
	kept->found = found ? pstrdup(found) : NULL;
	MemoryContextSwitchTo(old);
	over_budget(p);
}

#define COMPARE(a, b) if ((a) != (b)) return (a) < (b) ? -1 : 1

/* Order problems as the index walk meets them (qsort_arg, arg the Pass). */
static int
compare_problems(const void *a, const void *b, void *arg)
{
	const		Problem *x = a;
	const		Problem *y = b;
	Pass	   *p = arg;

	if (x->chain != y->chain)
	{
		int			c = DatumGetInt32(FunctionCall2Coll(&p->order, p->collation,
														x->chain->key, y->chain->key));

		if (c != 0)
			return c;
	}
	COMPARE(x->place, y->place);
	COMPARE(x->order_seq, y->order_seq);
	COMPARE(x->arrival, y->arrival);
	COMPARE(x->step, y->step);
	COMPARE(x->number, y->number);
	return 0;
}

/*
 * Return how many chains v's table has, as ANALYZE estimated the number of
 * distinct values of its chain_by column att (pg_statistic); 0 when it has
 * not.
 */
static double
estimated_chains(Verifier *v, AttrNumber att)
{
	HeapTuple	tuple = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(RelationGetRelid(v->rel)),
										Int16GetDatum(att), BoolGetDatum(false));
	double		distinct;

	if (!HeapTupleIsValid(tuple))
		return 0;
	distinct = ((Form_pg_statistic) GETSTRUCT(tuple))->stadistinct;
	ReleaseSysCache(tuple);
	if (distinct < 0)
		distinct = -distinct * Max(v->rel->rd_rel->reltuples, 0);
	return distinct;
}

/*
 * Decide whether the pass can rebuild the index walk's order of v's table
 * exactly, and prepare p's comparison and hashing of chain_by values: the
 * chain index orders both columns ascending, nulls last, chain_seq by the
 * integer operators, and the chain_by type has a hash function whose "="
 * is the index's.  A table whose chains, by the statistics, would not fit
 * in p's budget (a versioned table of many entities) is walked at once,
 * rather than after reading it in part.
 */
static bool
pass_possible(Verifier *v, Pass * p, Relation index)
{
	int			nkeys = IndexRelationGetNumberOfKeyAttributes(index);
	Form_pg_attribute form;
	TypeCacheEntry *type;
	Oid			typid;
	Oid			equal;
	int			i;

	for (i = 0; i < nkeys; i++)
		if (index->rd_indoption[i] != 0)
			return false;
	if (index->rd_opfamily[nkeys - 1] != INTEGER_BTREE_FAM_OID)
		return false;
	p->att_key = v->entry->chain.att_chain_by;
	if (p->att_key == InvalidAttrNumber)
		return true;
	if (estimated_chains(v, p->att_key) * CHAIN_BYTES > p->budget)
		return false;
	typid = index->rd_opcintype[0];
	type = lookup_type_cache(typid, TYPECACHE_HASH_PROC | TYPECACHE_HASH_OPFAMILY);
	equal = get_opfamily_member(index->rd_opfamily[0], typid, typid, BTEqualStrategyNumber);
	if (!OidIsValid(type->hash_proc) || !OidIsValid(equal) ||
		get_opfamily_member(type->hash_opf, typid, typid, HTEqualStrategyNumber) != equal)
		return false;
	fmgr_info(type->hash_proc, &p->hash);
	fmgr_info(get_opfamily_proc(index->rd_opfamily[0], typid, typid, BTORDER_PROC), &p->order);
	p->collation = index->rd_indcollation[0];
	form = TupleDescAttr(RelationGetDescr(v->rel), p->att_key - 1);
	p->key_byval = form->attbyval;
	p->key_len = form->attlen;
	init_key_functions(&v->keyfuncs, v->entry, v->rel, index);
	return true;
}

/*
 * Return the text of chain's chain_by value (NULL without chain_by), made
 * at the first call: most chains never need it (a table of many short
 * chains, such as a versioned table's entities, would pay an output
 * function call and a copy for each).
 */
static char *
chain_text(Verifier *v, Pass * p, ChainState * chain)
{
	MemoryContext old;

	if (chain->key_text == NULL && p->att_key != InvalidAttrNumber)
	{
		old = MemoryContextSwitchTo(p->cxt);
		chain->key_text = OutputFunctionCall(&v->keyfuncs.output, chain->key);
		MemoryContextSwitchTo(old);
	}
	return chain->key_text;
}

/*
 * Add the chain of chain_by value key (ignored without chain_by), with the
 * digest's record of it.
 */
static ChainState *
new_chain(Verifier *v, Pass * p, Datum key)
{
	ChainState *chain;

	if (p->nunused == 0)
	{
		p->nunused = 1024;
		p->unused = MemoryContextAllocZero(p->cxt, sizeof(ChainState) * p->nunused);
	}
	chain = p->unused++;
	p->nunused--;
	if (p->att_key != InvalidAttrNumber)
	{
		MemoryContext old = MemoryContextSwitchTo(p->cxt);

		chain->key = datumCopy(key, p->key_byval, p->key_len);
		MemoryContextSwitchTo(old);
	}
	if (v->digest != NULL)
	{
		v->key_text = chain_text(v, p, chain);
		find_digested(v);
		chain->digested = v->digested;
		v->digested = NULL;
	}
	chain->next_all = p->chains;
	p->chains = chain;
	return chain;
}

/*
 * Return the chain of the row in slot, added when new; NULL when the pass
 * gives up: a row without a chain_by value (the walk makes each its own
 * chain), a value "=" to a chain's whose text differs (the walk names the
 * chain by its first row's), or a budget exceeded.
 */
static ChainState *
find_chain(Verifier *v, Pass * p, TupleTableSlot *slot)
{
	bool		isnull;
	bool		found;
	Datum		key;
	uint32		hashcode;
	ChainBucket *bucket;
	ChainState *chain;

	if (p->att_key == InvalidAttrNumber)
		return p->chains != NULL ? p->chains : new_chain(v, p, (Datum) 0);
	key = slot_getattr(slot, p->att_key, &isnull);
	if (isnull)
	{
		p->given_up = true;
		return NULL;
	}
	if (p->last != NULL && datumIsEqual(key, p->last->key, p->key_byval, p->key_len))
		return p->last;
	hashcode = DatumGetUInt32(FunctionCall1Coll(&p->hash, p->collation, key));
	bucket = hash_search(p->buckets, &hashcode, HASH_ENTER, &found);
	if (!found)
		bucket->first = NULL;
	for (chain = bucket->first; chain != NULL; chain = chain->next)
		if (same_chain(&v->keyfuncs, chain->key, key))
			break;
	if (chain != NULL && !datumIsEqual(key, chain->key, p->key_byval, p->key_len) &&
		strcmp(OutputFunctionCall(&v->keyfuncs.output, key), chain_text(v, p, chain)) != 0)
	{
		p->given_up = true;
		return NULL;
	}
	if (chain == NULL)
	{
		chain = new_chain(v, p, key);
		chain->next = bucket->first;
		bucket->first = chain;
		if (over_budget(p))
			return NULL;
	}
	p->last = chain;
	return chain;
}

/*
 * Check the row in slot against its own hash (row seq of chain, read
 * arrival-th): into has_hash, intact, prev_hash and hash.
 */
static void
check_own(Verifier *v, Pass * p, ChainState * chain, TupleTableSlot *slot, int64 seq,
		  uint64 arrival, PendingRow * row)
{
	uint8		own[HASH_LENGTH];

	place(p, chain, PLACE_ROW, seq, arrival, STEP_OWN);
	row->has_hash = slot_hash(slot, v->entry->chain.att_hash, row->hash);
	row->intact = row->has_hash && slot_hash(slot, v->entry->chain.att_prev_hash, row->prev_hash);
	if (!row->intact)
	{
		report(v, seq, "row has no valid hash or prev_hash", NULL, NULL);
		return;
	}
	slot_getallattrs(slot);
	HashRow(v->entry->chain.encoder, row->prev_hash, slot->tts_values, slot->tts_isnull,
			row_redactions(v, slot), &v->buf, own);
	row->intact = memcmp(own, row->hash, HASH_LENGTH) == 0;
	if (!row->intact)
		report(v, seq, "row does not match its hash", hash_text(own), hash_text(row->hash));
}

/*
 * Link row, checked on its own, to the last row of its chain linked so far,
 * as verify_row does: rows missing between them, its link, the digest's
 * record of it.
 */
static void
link_row(Verifier *v, Pass * p, ChainState * chain, const PendingRow * row)
{
	static const uint8 zeros[HASH_LENGTH] = {0};
	int64		seq = row->key.seq;

	place(p, chain, PLACE_ROW, seq, row->arrival, STEP_GAP);
	if (seq != chain->prev_seq + 1)
		report(v, seq, "rows are missing before this row",
			   psprintf("%lld", (long long) chain->prev_seq + 1), psprintf("%lld", (long long) seq));
	p->at.step = STEP_LINK;
	if (row->intact && seq == 1 && memcmp(row->prev_hash, zeros, HASH_LENGTH) != 0)
		report(v, seq, "first row does not start its chain", hash_text(zeros),
			   hash_text(row->prev_hash));
	else if (row->intact && seq == chain->prev_seq + 1 && seq > 1 && chain->prev_intact &&
			 memcmp(row->prev_hash, chain->prev_hash, HASH_LENGTH) != 0)
		report(v, seq, "row does not follow the previous row", hash_text(chain->prev_hash),
			   hash_text(row->prev_hash));
	if (chain->digested != NULL && seq == chain->digested->seq &&
		!(row->has_hash && memcmp(row->hash, chain->digested->hash, HASH_LENGTH) == 0))
		report(v, seq, "row differs from the digest", hash_text(chain->digested->hash),
			   row->has_hash ? hash_text(row->hash) : NULL);
	chain->prev_seq = seq;
	chain->prev_intact = row->intact;
	memcpy(chain->prev_hash, row->has_hash ? row->hash : zeros, HASH_LENGTH);
}

/* Link the pending rows of chain that now follow its last linked row. */
static void
link_pending(Verifier *v, Pass * p, ChainState * chain)
{
	PendingKey	key;
	PendingRow *row;

	memset(&key, 0, sizeof(key));
	key.chain = chain;
	while (chain->npending > 0)
	{
		key.seq = chain->prev_seq + 1;
		row = hash_search(p->pending, &key, HASH_FIND, NULL);
		if (row == NULL)
			return;
		link_row(v, p, chain, row);
		hash_search(p->pending, &key, HASH_REMOVE, NULL);
		chain->npending--;
	}
}

/*
 * Check the row in slot, read arrival-th: its own hash now, its link now
 * when it follows the last row linked in its chain (then the pending rows
 * that follow it), later otherwise.  A row whose chain_seq a row read
 * earlier has (a duplicate, written around the triggers) makes the pass
 * give up: which of the two the walk checks and which it reports depends
 * on their order in the index, which for a row updated in place (HOT) is
 * not the heap order the pass reads them in.
 */
static void
pass_row(Verifier *v, Pass * p, TupleTableSlot *slot, uint64 arrival)
{
	ChainState *chain = find_chain(v, p, slot);
	PendingRow	row;
	PendingRow *pending;
	bool		isnull;
	bool		found;

	if (chain == NULL)
		return;
	memset(&row, 0, sizeof(row));
	row.key.chain = chain;
	row.key.seq = ChainSlotSeq(v->entry, slot, &isnull);
	row.arrival = arrival;
	if (isnull)
	{
		place(p, chain, PLACE_NO_SEQ, 0, arrival, STEP_GAP);
		report(v, 0, "row has no chain_seq", NULL, NULL);
		return;
	}
	if (row.key.seq < 1 || row.key.seq <= chain->prev_seq)
		p->given_up = true;
	else if (row.key.seq == chain->prev_seq + 1)
	{
		check_own(v, p, chain, slot, row.key.seq, arrival, &row);
		link_row(v, p, chain, &row);
		link_pending(v, p, chain);
	}
	else
	{
		pending = hash_search(p->pending, &row.key, HASH_ENTER, &found);
		if (found)
		{
			p->given_up = true;
			return;
		}
		check_own(v, p, chain, slot, row.key.seq, arrival, &row);
		*pending = row;
		chain->npending++;
		over_budget(p);
	}
}

static int
compare_pending(const void *a, const void *b)
{
	const		PendingRow *x = *(PendingRow * const *) a;
	const		PendingRow *y = *(PendingRow * const *) b;

	COMPARE((uintptr_t) x->key.chain, (uintptr_t) y->key.chain);
	COMPARE(x->key.seq, y->key.seq);
	return 0;
}

/*
 * After the scan: link the rows still pending, chain by chain in chain_seq
 * order (rows are missing before each first one), then check the end of
 * every chain as leave_chain does.
 */
static void
finish_chains(Verifier *v, Pass * p)
{
	long		n = hash_get_num_entries(p->pending);
	PendingRow **rows = palloc(sizeof(PendingRow *) * Max(n, 1));
	HASH_SEQ_STATUS status;
	PendingRow *row;
	ChainState *chain;
	long		i = 0;

	hash_seq_init(&status, p->pending);
	while ((row = hash_seq_search(&status)) != NULL)
		rows[i++] = row;
	qsort(rows, n, sizeof(PendingRow *), compare_pending);
	for (i = 0; i < n && !p->given_up; i++)
		link_row(v, p, rows[i]->key.chain, rows[i]);
	pfree(rows);
	for (chain = p->chains; chain != NULL && !p->given_up; chain = chain->next_all)
	{
		CHECK_FOR_INTERRUPTS();
		place(p, chain, PLACE_END, 0, 0, STEP_GAP);
		if (chain->digested != NULL && chain->prev_seq < chain->digested->seq)
			report(v, chain->digested->seq, "rows the digest recorded are missing",
				   psprintf("%lld", (long long) chain->digested->seq),
				   psprintf("%lld", (long long) chain->prev_seq));
		if (v->heads != NULL && chain->prev_seq > 0)
		{
			p->at.step = STEP_OWN;
			v->key = chain->key;
			v->prev_seq = chain->prev_seq;
			memcpy(v->prev_hash, chain->prev_hash, HASH_LENGTH);
			check_head(v);
		}
	}
}

/* Return the problems p kept, in the walk's order, as results (report). */
static void
report_collected(Verifier *v, Pass * p)
{
	uint64		i;

	qsort_arg(p->problems, p->nproblems, sizeof(Problem), compare_problems, p);
	for (i = 0; i < p->nproblems; i++)
	{
		Problem    *problem = &p->problems[i];

		v->key_text = chain_text(v, p, problem->chain);
		report(v, problem->seq, problem->problem, problem->expected, problem->found);
	}
}

/* Read v's table once, in heap order, checking each row (pass_row). */
static void
scan_rows(Verifier *v, Pass * p)
{
	TupleTableSlot *slot = table_slot_create(v->rel, NULL);
	TableScanDesc scan;
	MemoryContext rowcxt;
	MemoryContext old;
	uint64		arrival = 0;

	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "verify_chain row",
								   ALLOCSET_DEFAULT_SIZES);
	/* heap order from the first block (no synchronized scan): see pass_row */
	scan = table_beginscan_strat(v->rel, GetActiveSnapshot(), 0, NULL, true, false);
	while (!p->given_up && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		pass_row(v, p, slot, arrival++);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(rowcxt);
}

/*
 * Check every chain of v's table in one sequential pass, reporting what
 * walk_chains would, in its order; false when the pass gave up (see
 * above), having reported nothing.
 */
static bool
verify_pass(Verifier *v)
{
	Relation	index = index_open(v->entry->chain.chain_index, AccessShareLock);
	Pass		p;
	HASHCTL		ctl;
	int			i;

	memset(&p, 0, sizeof(p));
	p.budget = (Size) maintenance_work_mem * 1024;
	if (!pass_possible(v, &p, index))
	{
		ereport(DEBUG1,
				(errmsg_internal("verify_chain of table \"%s\" walks the chain index: no single pass",
								 RelationGetRelationName(v->rel))));
		index_close(index, AccessShareLock);
		return false;
	}
	p.cxt = AllocSetContextCreate(CurrentMemoryContext, "verify_chain pass",
								  ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(PendingKey);
	ctl.entrysize = sizeof(PendingRow);
	ctl.hcxt = p.cxt;
	p.pending = hash_create("verify_chain pending rows", 256, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(uint32);
	ctl.entrysize = sizeof(ChainBucket);
	p.buckets = hash_create("verify_chain chains", 256, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	v->pass = &p;
	scan_rows(v, &p);
	if (!p.given_up)
		finish_chains(v, &p);
	v->pass = NULL;
	ereport(DEBUG2,
			(errmsg_internal("verify_chain of table \"%s\": the single pass kept %zu bytes (pending rows: %ld, problems: " UINT64_FORMAT ")",
							 RelationGetRelationName(v->rel),
							 MemoryContextMemAllocated(p.cxt, true),
							 hash_get_num_entries(p.pending), p.nproblems)));
	if (!p.given_up)
		report_collected(v, &p);
	else
	{
		ereport(DEBUG1,
				(errmsg_internal("verify_chain of table \"%s\" walks the chain index: the single pass gave up",
								 RelationGetRelationName(v->rel))));
		for (i = 0; i < v->ndigest; i++)
			v->digest[i].seen = false;
	}
	MemoryContextDelete(p.cxt);
	index_close(index, AccessShareLock);
	return !p.given_up;
}

/*
 * Raise 55000 for the relation of entry, which is not hash-chained, with a
 * hint that fits what it is: a table to make hash-chained (make_append_only
 * or make_versioned, after make_mutable when it is managed already), the
 * heads table or current view of a versioned table to call funcname on, or
 * a system-versioned table or history table, which hash chains do not cover.
 */
static void
report_not_hashed(ManagedRelation *entry, const char *funcname)
{
	const char *name = get_rel_name(entry->relid);

	switch (entry->kind)
	{
		case MANAGED_NONE:
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is not hash-chained", name),
					 errhint("Call immutable.make_append_only() or immutable.make_versioned() with hashed => true.")));
			break;
		case MANAGED_APPEND_ONLY:
		case MANAGED_VERSIONED:
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is not hash-chained", name),
					 errdetail("It is managed as %s without hash chains.",
							   RegistryKindName(entry->kind)),
					 errhint("Call immutable.make_mutable() and then immutable.%s() with hashed => true.",
							 entry->kind == MANAGED_APPEND_ONLY ?
							 "make_append_only" : "make_versioned")));
			break;
		case MANAGED_HEADS:
		case MANAGED_CURRENT_VIEW:
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is not hash-chained", name),
					 errdetail("It is the %s of versioned table \"%s\", whose rows the chains link.",
							   RegistryKindName(entry->kind), get_rel_name(entry->base_relid)),
					 errhint("Call immutable.%s() on table \"%s\".", funcname,
							 get_rel_name(entry->base_relid))));
			break;
		case MANAGED_SYSTEM_VERSIONED:
		case MANAGED_HISTORY:
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is not hash-chained", name),
					 errdetail("It is managed as %s; hash chains link the rows of append-only and versioned tables only.",
							   RegistryKindName(entry->kind))));
			break;
	}
	elog(ERROR, "unexpected kind %d of table \"%s\"", (int) entry->kind, name);
}

/*
 * Return the hash-chained table relid's entry, checked for funcname (55000,
 * 42501).  The caller needs SELECT on the table, and row-level security
 * must not apply to it: verification reads every row through the chain
 * index, and what it reports (a row or chain missing, or not, a hash, a
 * chain's value) would tell of rows the policies hide (issue 11 item 6).
 * Showing only the visible rows is no way out: a chain with hidden rows
 * cannot be checked, and its gaps would count them.  So verification is
 * for roles that see every row: the owner (unless the table forces row
 * security on it), a superuser, a role with BYPASSRLS.
 */
static ManagedRelation *
hashed_table(Oid relid, const char *funcname)
{
	ManagedRelation *entry = RegistryLookup(relid);

	if (!entry->hashed)
		report_not_hashed(entry, funcname);
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, get_rel_name(relid));
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("immutable.%s() cannot read table \"%s\" under row-level security",
						funcname, get_rel_name(relid)),
				 errdetail("Row-level security of the table applies to role \"%s\", and hash chains are checked over every row, those the policies hide included.",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Call it as a superuser, as a role with BYPASSRLS, or as the table's owner when the table does not force row-level security.")));
	return entry;
}

/*
 * immutable.verify_chain(tbl regclass, digest jsonb DEFAULT NULL,
 *	 stop_at_first boolean DEFAULT false) RETURNS TABLE (chain text,
 *	 chain_seq bigint, problem text, expected text, found text)
 *
 * Checks every hash chain of tbl in chain_seq order, under the caller's
 * snapshot, recomputing each row's SHA-256 hash, and returns one row per
 * problem, none when every chain is intact.  They come by chain, in the
 * chain index's order, then chain_seq.  It reads tbl once, sequentially
 * (verify_pass), keeping at most maintenance_work_mem, beyond which it walks
 * the chain index (walk_chains), with the same result.  The hash is hash.c's; the
 * problems: a row whose values, hash or prev_hash changed ("row does not match
 * its hash"; expected and found are the hashes, bytea hex), a row whose
 * prev_hash is not its predecessor's hash (rows reordered, or one replaced by
 * a row made to match), rows missing in the middle or at the start of a chain
 * (expected and found are chain_seq numbers), a duplicated row, a row without
 * a valid hash.  A row moved to another chain shows as changed there and
 * missing in its own.  On a versioned table, an entity whose heads row is not
 * its last version ("the heads row is not the last version": versions removed
 * from its end).  With a digest (chain_digest's result, taken earlier), also
 * the rows it recorded as the last of their chains: missing ("rows the digest
 * recorded are missing", rows deleted from a chain's end), changed, or a whole
 * chain missing; rows appended since are accepted; a digest of another table
 * is refused.  chain is the chain_by value as text (NULL: the table's
 * one chain).  With stop_at_first the first problem raises XX001 instead.  Errors: 22004 NULL tbl or
 * stop_at_first; 55000 tbl not hash-chained; 42501 without SELECT on tbl,
 * or when row-level security of tbl applies to the caller; 22023 a digest
 * chain_digest did not make, or one of another table.
 */
Datum
immutable_verify_chain(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTable(fcinfo, "verify_chain");
	Verifier	v;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("stop_at_first passed to immutable.verify_chain() must not be NULL")));
	memset(&v, 0, sizeof(v));
	v.entry = hashed_table(relid, "verify_chain");
	v.stop_at_first = PG_GETARG_BOOL(2);
	if (!PG_ARGISNULL(1))
		read_digest(&v, PG_GETARG_JSONB_P(1));
	MaterializedSRFInit(fcinfo);
	v.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	initStringInfo(&v.buf);
	v.rel = table_open(relid, AccessShareLock);
	if (v.entry->kind == MANAGED_VERSIONED)
	{
		read_redactions(&v);
		v.heads = table_open(v.entry->heads, AccessShareLock);
		v.head_slot = table_slot_create(v.heads, NULL);
	}
	if (!verify_pass(&v))
		walk_chains(&v);
	report_missing_chains(&v);
	if (v.heads != NULL)
	{
		ExecDropSingleTupleTableSlot(v.head_slot);
		table_close(v.heads, AccessShareLock);
	}
	table_close(v.rel, AccessShareLock);
	return (Datum) 0;
}

/*
 * Return the last row of every chain of entry's table rel under the
 * caller's snapshot (its chain_seq and hash; rows without chain_seq, or
 * with a NULL chain_by value, belong to no chain), in chain index order,
 * and their number in *nchains.  Each chain is named by the text of its
 * first row's chain_by value, as verify_chain names it, so the walk goes
 * forward through every row; the table's one chain is read backward to its
 * last row only.
 */
static DigestedChain *
last_rows(ManagedRelation *entry, Relation rel, int *nchains)
{
	Relation	index = index_open(entry->chain.chain_index, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	AttrNumber	att = entry->chain.att_chain_by;
	Form_pg_attribute form = att == InvalidAttrNumber ? NULL :
	TupleDescAttr(RelationGetDescr(rel), att - 1);
	MemoryContext cxt = CurrentMemoryContext;
	MemoryContext rowcxt = AllocSetContextCreate(cxt, "chain_digest row",
												 ALLOCSET_DEFAULT_SIZES);
	ChainKeyFunctions keyfuncs;
	int			allocated = 16;
	DigestedChain *chains = palloc0(sizeof(DigestedChain) * allocated);
	DigestedChain *last = NULL;
	Datum		key = (Datum) 0;
	IndexScanDesc scan;

	if (form != NULL)
		init_key_functions(&keyfuncs, entry, rel, index);
	*nchains = 0;
	scan = IndexBeginScan(rel, index, GetActiveSnapshot(), 0);
	index_rescan(scan, NULL, 0, NULL, 0);
	while (index_getnext_slot(scan, form ? ForwardScanDirection : BackwardScanDirection, slot))
	{
		bool		isnull;
		bool		new_chain;
		int64		seq;
		Datum		value = (Datum) 0;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(rowcxt);
		MemoryContextSwitchTo(rowcxt);
		seq = ChainSlotSeq(entry, slot, &isnull);
		if (!isnull && form != NULL)
			value = slot_getattr(slot, att, &isnull);
		new_chain = !isnull && (last == NULL ||
								(form != NULL && !same_chain(&keyfuncs, key, value)));
		MemoryContextSwitchTo(cxt);
		if (isnull)
			continue;
		if (new_chain)
		{
			if (*nchains == allocated)
			{
				allocated *= 2;
				chains = repalloc(chains, sizeof(DigestedChain) * allocated);
			}
			last = &chains[(*nchains)++];
			memset(last, 0, sizeof(DigestedChain));
			if (form != NULL)
			{
				if (!form->attbyval && key != (Datum) 0)
					pfree(DatumGetPointer(key));
				key = datumCopy(value, form->attbyval, form->attlen);
				last->key = OutputFunctionCall(&keyfuncs.output, value);
			}
		}
		last->seq = seq;
		last->hashed = slot_hash(slot, entry->chain.att_hash, last->hash);
		if (form == NULL)
			break;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	MemoryContextDelete(rowcxt);
	return chains;
}

/*
 * immutable.chain_digest(tbl regclass) RETURNS jsonb
 *
 * Returns the last row of every hash chain of tbl under the caller's snapshot,
 * to keep outside the database and pass to verify_chain(tbl, digest) later,
 * which then detects rows deleted from the end of a chain.  The result:
 * {"version": 1, "table": schema-qualified name, "chains": [[chain_by
 * value as text (null for the table's one chain), chain_seq, hash as hex],
 * ...]}, chains in byte order of their value's text.  The values' text is their type's
 * output function's (an enum's label), called directly: no cast the
 * table's owner may have created runs (issue 11 item 5).  Its size grows
 * with the number of chains (one per entity of a versioned table), not of
 * rows.  Errors: 22004 NULL; 55000 not hash-chained; 42501 without SELECT
 * on tbl, or when row-level security of tbl applies to the caller.
 */
Datum
immutable_chain_digest(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTable(fcinfo, "chain_digest");
	ManagedRelation *entry = hashed_table(relid, "chain_digest");
	Relation	rel = table_open(relid, AccessShareLock);
	DigestedChain *chains;
	int			nchains;
	StringInfoData buf;
	char		hex[2 * HASH_LENGTH + 1];
	int			i;

	chains = last_rows(entry, rel, &nchains);
	table_close(rel, AccessShareLock);
	qsort(chains, nchains, sizeof(DigestedChain), compare_digested);
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"version\": 1, \"table\": ");
	escape_json(&buf, digest_table_name(relid));
	appendStringInfoString(&buf, ", \"chains\": [");
	for (i = 0; i < nchains; i++)
	{
		appendStringInfoString(&buf, i > 0 ? ", [" : "[");
		if (chains[i].key != NULL)
			escape_json(&buf, chains[i].key);
		else
			appendStringInfoString(&buf, "null");
		appendStringInfo(&buf, ", " INT64_FORMAT ", ", chains[i].seq);
		/* a last row without a valid hash: null, which verify_chain refuses */
		if (chains[i].hashed)
		{
			hex[hex_encode((const char *) chains[i].hash, HASH_LENGTH, hex)] = '\0';
			appendStringInfo(&buf, "\"%s\"]", hex);
		}
		else
			appendStringInfoString(&buf, "null]");
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

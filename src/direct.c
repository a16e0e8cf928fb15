/*
 * direct.c
 *		Writing rows of the extension's own tables (heads and history tables)
 *		with the table access method directly, as the executor would, but
 *		without running their triggers, which refuse every write by users.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "utils/rel.h"

#include "immutable.h"

/*
 * Can this index be maintained without an executor state: no expressions,
 * no predicate, no deferred uniqueness?
 */
static bool
index_is_plain(Relation index)
{
	return index->rd_index->indimmediate &&
		RelationGetIndexExpressions(index) == NIL &&
		RelationGetIndexPredicate(index) == NIL;
}

/*
 * Insert index entries for a new heap tuple through an executor state, as
 * the executor does (expressions, predicates, deferred uniqueness).
 */
static void
insert_index_entries_executor(Relation rel, TupleTableSlot *slot)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	list_free(ExecInsertIndexTuplesCompat(rri, slot, estate));
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
}

/*
 * Insert the index entries of a new heap tuple (an insert, or an update that
 * is not heap-only), as the executor does: directly when the indexes are
 * plain, through an executor state otherwise.  Unique indexes are checked;
 * a row this transaction updated does not conflict with its successor.
 */
void
DirectInsertIndexEntries(Relation rel, TupleTableSlot *slot)
{
	List	   *oids = RelationGetIndexList(rel);
	Relation   *indexes = palloc(sizeof(Relation) * (list_length(oids) + 1));
	int			n = 0;
	bool		plain = true;
	ListCell   *lc;
	int			i;

	foreach(lc, oids)
	{
		indexes[n] = index_open(lfirst_oid(lc), RowExclusiveLock);
		plain = plain && index_is_plain(indexes[n]);
		n++;
	}
	for (i = 0; plain && i < n; i++)
	{
		IndexInfo  *info = BuildIndexInfo(indexes[i]);
		Datum		values[INDEX_MAX_KEYS];
		bool		isnull[INDEX_MAX_KEYS];

		FormIndexDatum(info, slot, NULL, values, isnull);
		index_insert(indexes[i], values, isnull, &slot->tts_tid, rel,
					 indexes[i]->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, info);
	}
	for (i = 0; i < n; i++)
		index_close(indexes[i], RowExclusiveLock);
	pfree(indexes);
	list_free(oids);
	if (!plain)
		insert_index_entries_executor(rel, slot);
}

/* Insert the tuple in slot into rel, with its index entries. */
void
DirectInsert(Relation rel, TupleTableSlot *slot)
{
	table_tuple_insert(rel, slot, GetCurrentCommandId(true), 0, NULL);
	DirectInsertIndexEntries(rel, slot);
}

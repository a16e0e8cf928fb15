/*
 * compat.h
 *		Every PG_VERSION_NUM difference the extension has to bridge, in one
 *		place.  The source targets PostgreSQL 13 through 18.
 */
#ifndef IMMUTABLE_COMPAT_H
#define IMMUTABLE_COMPAT_H

#include "access/amapi.h"
#include "access/genam.h"
#include "access/tableam.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/rel.h"
#if PG_VERSION_NUM >= 180000
#include "rewrite/rewriteHandler.h"
#endif

/* PostgreSQL 16 replaced the per-class ownership checks by one function. */
#if PG_VERSION_NUM >= 160000
#define RelationOwnerCheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#define RelationOwnerCheck(relid, roleid) pg_class_ownercheck((relid), (roleid))
#endif

/* PostgreSQL 15 added InitMaterializedSRF (as SetSingleFuncCall in 15.0). */
#if PG_VERSION_NUM >= 150000
#define MaterializedSRFInit(fcinfo) InitMaterializedSRF((fcinfo), 0)
#else
extern void MaterializedSRFInit(FunctionCallInfo fcinfo);
#endif

/* PostgreSQL 15 renamed EmitWarningsOnPlaceholders. */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* PostgreSQL 18 added an instrumentation argument to index_beginscan. */
#if PG_VERSION_NUM >= 180000
#define IndexBeginScan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0)
#else
#define IndexBeginScan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), 0)
#endif

/*
 * PostgreSQL 16 added onlySummarizing to ExecInsertIndexTuples.  update is
 * passed as false: it only asks for a hint that needs a range table, which
 * the versioning trigger's own index insertions do not have.
 */
#if PG_VERSION_NUM >= 160000
#define ExecInsertIndexTuplesCompat(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define ExecInsertIndexTuplesCompat(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

/* PostgreSQL 16 added a soft-error argument to make_range. */
#if PG_VERSION_NUM >= 160000
#define MakeRange(typcache, lower, upper, empty) \
	make_range((typcache), (lower), (upper), (empty), NULL)
#else
#define MakeRange(typcache, lower, upper, empty) \
	make_range((typcache), (lower), (upper), (empty))
#endif

/* PostgreSQL 16 added a soft-error argument to stringToQualifiedNameList. */
#if PG_VERSION_NUM >= 160000
#define StringToQualifiedNameList(string) stringToQualifiedNameList((string), NULL)
#else
#define StringToQualifiedNameList(string) stringToQualifiedNameList(string)
#endif

/*
 * PostgreSQL 16 renamed relfilenodes to relfilelocators: the subtransaction
 * that first gave a relation new storage in the current transaction (a
 * rewrite), InvalidSubTransactionId when none did.
 */
#if PG_VERSION_NUM >= 160000
#define RelationFirstNewStorageSubid(rel) ((rel)->rd_firstRelfilelocatorSubid)
#else
#define RelationFirstNewStorageSubid(rel) ((rel)->rd_firstRelfilenodeSubid)
#endif

/*
 * PostgreSQL 18 lets RelationGetPrimaryKeyIndex return a deferrable primary
 * key on request; like earlier versions, ask for immediate ones only.
 */
#if PG_VERSION_NUM >= 180000
#define PrimaryKeyIndex(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define PrimaryKeyIndex(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/* PostgreSQL 18 dropped ExecutorRun's execute_once argument (always true). */
#if PG_VERSION_NUM >= 180000
#define ExecutorRunOnce(query, direction, count) \
	ExecutorRun((query), (direction), (count))
#else
#define ExecutorRunOnce(query, direction, count) \
	ExecutorRun((query), (direction), (count), true)
#endif

/* PostgreSQL 17 added ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION. */
#if PG_VERSION_NUM >= 170000
#define AlterTableCmdSetsExpression(cmd) ((cmd)->subtype == AT_SetExpression)
#else
#define AlterTableCmdSetsExpression(cmd) false
#endif

/*
 * PostgreSQL 18 added virtual generated columns: computed when the row is
 * read, so NULL in the rows a trigger gets.  GenerationExpression returns
 * the expression of one, its Vars referring to the relation as varno 1.
 */
#if PG_VERSION_NUM >= 180000
#define RelationHasVirtualGenerated(rel) \
	(RelationGetDescr(rel)->constr != NULL && \
	 RelationGetDescr(rel)->constr->has_generated_virtual)
#define AttributeIsVirtualGenerated(att) \
	((att)->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL)
#define GenerationExpression(rel, attnum) build_generation_expression((rel), (attnum))
#else
#define RelationHasVirtualGenerated(rel) false
#define AttributeIsVirtualGenerated(att) false
#define GenerationExpression(rel, attnum) ((Node *) NULL)
#endif

/*
 * Which indexes need entries for the new tuple of table_tuple_update:
 * none (a heap-only update), all, or only the summarizing ones (BRIN), which
 * PostgreSQL 16 and later keep up to date across heap-only updates.
 */
typedef enum UpdateIndexes
{
	UPDATE_INDEXES_NONE,
	UPDATE_INDEXES_ALL,
	UPDATE_INDEXES_SUMMARIZING
} UpdateIndexes;

/*
 * table_tuple_update with a wait for concurrent updaters and no crosscheck
 * snapshot; *indexes says which indexes need entries.  PostgreSQL 16 turned
 * its bool result for that into TU_UpdateIndexes.
 */
static inline TM_Result
TableTupleUpdate(Relation rel, ItemPointer otid, TupleTableSlot *slot,
				 CommandId cid, TM_FailureData *tmfd, LockTupleMode *lockmode,
				 UpdateIndexes *indexes)
{
	TM_Result	result;
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes update_indexes = TU_None;

	result = table_tuple_update(rel, otid, slot, cid, InvalidSnapshot,
								InvalidSnapshot, true, tmfd, lockmode,
								&update_indexes);
	*indexes = update_indexes == TU_All ? UPDATE_INDEXES_ALL :
		update_indexes == TU_Summarizing ? UPDATE_INDEXES_SUMMARIZING :
		UPDATE_INDEXES_NONE;
#else
	bool		update_indexes = false;

	result = table_tuple_update(rel, otid, slot, cid, InvalidSnapshot,
								InvalidSnapshot, true, tmfd, lockmode,
								&update_indexes);
	*indexes = update_indexes ? UPDATE_INDEXES_ALL : UPDATE_INDEXES_NONE;
#endif
	return result;
}

/*
 * PostgreSQL 17 lets an index access method keep state between index_insert
 * calls in IndexInfo.ii_AmCache that holds resources of the current resource
 * owner (BRIN: buffer pins of its revmap) until index_insert_cleanup.
 */
#if PG_VERSION_NUM >= 170000
#define IndexInsertNeedsCleanup(index) ((index)->rd_indam->aminsertcleanup != NULL)
#define IndexInsertCleanup(index, info) index_insert_cleanup((index), (info))
#else
#define IndexInsertNeedsCleanup(index) false
#define IndexInsertCleanup(index, info) ((void) 0)
#endif

/* PostgreSQL 16 added summarizing indexes (BRIN), see UpdateIndexes. */
#if PG_VERSION_NUM >= 160000
#define IndexIsSummarizing(index) ((index)->rd_indam->amsummarizing)
#else
#define IndexIsSummarizing(index) false
#endif

#endif							/* IMMUTABLE_COMPAT_H */

/*
 * compat.h
 *		Every PG_VERSION_NUM difference the extension has to bridge, in one
 *		place.  The source targets PostgreSQL 13 through 18.
 */
#ifndef IMMUTABLE_COMPAT_H
#define IMMUTABLE_COMPAT_H

#include "funcapi.h"
#include "utils/acl.h"

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

#endif							/* IMMUTABLE_COMPAT_H */

/*
 * registry.h
 *		The registry of managed tables and the per-backend cache of their
 *		descriptions: what a managed table is (ManagedRelation).
 */
#ifndef IMMUTABLE_REGISTRY_H
#define IMMUTABLE_REGISTRY_H

#include "access/attnum.h"
#include "access/tupconvert.h"
#include "executor/spi.h"
#include "utils/relcache.h"

#include "compat.h"
#include "relation.h"

/* What a managed table is. */
typedef enum ManagedKind
{
	MANAGED_NONE = 0,			/* not in the registry */
	MANAGED_APPEND_ONLY,
	MANAGED_VERSIONED,
	MANAGED_SYSTEM_VERSIONED,
	MANAGED_CURRENT_VIEW,		/* the current view of a versioned table */
	MANAGED_HEADS,				/* the heads table of a versioned table */
	MANAGED_HISTORY				/* the history table of a system-versioned one */
} ManagedKind;

/* The fixed column names of a versioned table. */
#define COL_ID			"id"
#define COL_ENTITY_ID	"entity_id"
#define COL_VERSION		"version"
#define COL_VALID_FROM	"valid_from"
#define COL_DELETED_AT	"deleted_at"

/* The columns of hash-chained tables. */
#define COL_HASH		"hash"
#define COL_PREV_HASH	"prev_hash"
#define COL_CHAIN_SEQ	"chain_seq"
#define HASH_LENGTH		32		/* SHA-256 */

/*
 * What the triggers and functions of a versioned table need: the attribute
 * numbers of the fixed columns, its indexes, and how its rows map to its
 * heads table's.
 */
typedef struct VersionedDescription
{
	AttrNumber	att_id;
	AttrNumber	att_entity_id;
	AttrNumber	att_version;
	AttrNumber	att_valid_from;
	AttrNumber	att_deleted_at;

	/* the unique btree index on (entity_id, version) */
	Oid			version_index;

	/*
	 * a unique or exclusion index other than those on (id), (entity_id,
	 * version) and (key..., version), or InvalidOid: it could make ON
	 * CONFLICT skip a later version after the versioning trigger made it the
	 * head, so such versions are refused.
	 */
	Oid			other_unique_index;

	/*
	 * The heads table holds a copy of every entity's latest version, under
	 * its primary key on entity_id.  Its columns are the table's, but
	 * attribute numbers differ when the table has dropped columns: the maps
	 * convert whole rows (NULL when layouts are equal), and HEADS_ATTMAP
	 * gives the heads' attribute numbers of the table's columns.
	 */
	Oid			heads_index;
	TupleDesc	table_desc;		/* a copy of the versioned table's */
	TupleConversionMap *to_heads;
	TupleConversionMap *from_heads;

	/* the natural key, unique with version */
	int			nkeys;
	AttrNumber	keys[INDEX_MAX_KEYS];
} VersionedDescription;

/*
 * What the triggers of a system-versioned table need: the period column,
 * the adjust option, and the map from the table's rows to the history
 * table's (by column name; NULL when the layouts are equal).
 */
typedef struct SystemVersionedDescription
{
	AttrNumber	att_period;
	bool		adjust;
	TupleConversionMap *to_history;
} SystemVersionedDescription;

/*
 * What the trigger of a hash-chained table needs: the hash, prev_hash and
 * chain_seq columns, the column whose values each have a chain
 * (InvalidAttrNumber: one chain), the index on (chain_by, chain_seq) or
 * (chain_seq), and the encoder of rows.
 */
typedef struct ChainDescription
{
	AttrNumber	att_hash;
	AttrNumber	att_prev_hash;
	AttrNumber	att_chain_seq;
	AttrNumber	att_chain_by;
	Oid			chain_index;
	struct RowEncoder *encoder;
} ChainDescription;

/*
 * One entry per relation OID, built from the registry and the relcache on
 * first use and rebuilt after any relcache invalidation of the relation
 * (DDL, make_*, make_mutable).  Nothing in it is looked up per row.  The
 * common part comes from the registry row (RegistryLookupRow); the part of
 * the table's kind, and the chain part of a hashed table, are filled in by
 * RegistryLookup.
 */
typedef struct ManagedRelation
{
	Oid			relid;			/* hash key */
	bool		valid;			/* false after an invalidation */
	bool		described;		/* the kind's part is filled in */
	ManagedKind kind;
	bool		hashed;			/* append-only or versioned: hash-chained */
	Oid			current_view;	/* versioned: the current view, or InvalidOid */
	Oid			heads;			/* versioned: the heads table */
	Oid			history;		/* system-versioned: the history table */
	Oid			base_relid;		/* current view, heads, history: its table */
	Oid			inherited_from; /* a partition: the root it is managed as */
	Oid			rowtype;		/* the table's composite type */
	MemoryContext cxt;			/* what the parts point to, freed on rebuild */

	VersionedDescription versioned;
	SystemVersionedDescription system_versioned;
	ChainDescription chain;
} ManagedRelation;

/*
 * The heads table's attribute numbers of a versioned table's columns
 * (indexed by attnum - 1), NULL when they are the same.
 */
#define HEADS_ATTMAP(entry) \
	((entry)->versioned.from_heads ? (entry)->versioned.from_heads->attrMap->attnums : NULL)

/* Fills in the kind-specific parts of an entry. */
typedef void (*RelationDescriber) (ManagedRelation *entry);

extern void RegistryInit(void);
extern void RegistrySetHashedDescriber(RelationDescriber describer);
extern Oid	RegistryOwner(void);
extern uint64 RegistryExecuteAsOwner(const char *query, int nargs, Oid *argtypes,
									 Datum *args, const char *nulls, int expected);
extern ManagedRelation *RegistryLookup(Oid relid);
extern ManagedRelation *RegistryLookupRow(Oid relid);
extern ManagedRelation *RegistryLookupVersioned(Oid relid);
extern const char *RegistryKindName(ManagedKind kind);
extern const char *RegistryKindAdjective(ManagedKind kind);
extern bool RegistryExists(void);
extern void RegistryInsert(Oid relid, ManagedKind kind, Oid current_view,
						   Oid heads);
extern void RegistryInsertSystemVersioned(Oid relid, Oid history,
										  const char *period_column, bool adjust);
extern ManagedRelation *RegistryLookupSystemVersioned(Oid relid);
extern void RegistrySetHashed(Oid relid, const char *chain_by);
extern void RegistryDelete(Oid relid);
extern char *RegistryTriggerArguments(Oid relid);
extern void RegistryRestore(Oid relid, int nargs, char **args);
extern void RegistryClearView(Oid viewid);

#endif							/* IMMUTABLE_REGISTRY_H */

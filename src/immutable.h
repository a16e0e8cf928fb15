/*
 * immutable.h
 *		Shared declarations of the immutable extension: the relation cache
 *		entry, the module entry points and the helpers the modules share.
 */
#ifndef IMMUTABLE_H
#define IMMUTABLE_H

#include "postgres.h"

#include "access/attnum.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "compat.h"

/* What a managed table is. */
typedef enum ManagedKind
{
	MANAGED_NONE = 0,			/* not in the registry */
	MANAGED_APPEND_ONLY,
	MANAGED_VERSIONED,
	MANAGED_CURRENT_VIEW		/* the current view of a versioned table */
} ManagedKind;

/* The fixed column names of a versioned table. */
#define COL_ID			"id"
#define COL_ENTITY_ID	"entity_id"
#define COL_VERSION		"version"
#define COL_VALID_FROM	"valid_from"
#define COL_DELETED_AT	"deleted_at"
#define COL_VALID_TO	"valid_to"

/* The triggers the extension attaches; BEFORE triggers fire in name order. */
#define TRIGGER_REFUSE_CHANGE	"immutable_refuse_change"
#define TRIGGER_REFUSE_TRUNCATE	"immutable_refuse_truncate"
#define TRIGGER_STAMP_VERSION	"zz_immutable_stamp_version"	/* fires last */
#define TRIGGER_CLOSE_PERIOD	"immutable_close_period"
#define TRIGGER_CURRENT_VIEW	"immutable_write_current_view"

/* Kept SPI plans of a versioned table, prepared on first use. */
typedef enum EntityPlan
{
	PLAN_INSERT,				/* INSERT a whole row, RETURNING it */
	PLAN_UPDATE,				/* INSERT head with jsonb changes applied */
	PLAN_HISTORY,				/* every version of one entity */
	PLAN_AS_OF_ENTITY,			/* one entity at a time (infinity: latest) */
	PLAN_AS_OF_ALL,				/* every entity at a time */
	NUM_ENTITY_PLANS
} EntityPlan;

/*
 * One entry per relation OID, built from the registry and the relcache on
 * first use and rebuilt after any relcache invalidation of the relation
 * (DDL, make_*, make_mutable).  Nothing in it is looked up per row.
 */
typedef struct ManagedRelation
{
	Oid			relid;			/* hash key */
	bool		valid;			/* false after an invalidation */
	ManagedKind kind;
	Oid			current_view;	/* versioned: the current view, or InvalidOid */
	Oid			base_relid;		/* current view: its versioned table */
	Oid			rowtype;		/* the table's composite type */

	/* versioned tables: attribute numbers of the fixed columns */
	AttrNumber	att_id;
	AttrNumber	att_entity_id;
	AttrNumber	att_version;
	AttrNumber	att_valid_from;
	AttrNumber	att_deleted_at;
	AttrNumber	att_valid_to;

	/* versioned tables: the unique btree index on (entity_id, version) */
	Oid			version_index;

	/* versioned tables: the natural key, unique with version */
	int			nkeys;
	AttrNumber	keys[INDEX_MAX_KEYS];

	SPIPlanPtr	plans[NUM_ENTITY_PLANS];
} ManagedRelation;

/* registry.c */
extern void RegistryInit(void);
extern Oid	ExtensionOwner(void);
extern ManagedRelation *RegistryLookup(Oid relid);
extern ManagedRelation *RegistryLookupVersioned(Oid relid);
extern const char *ManagedKindName(ManagedKind kind);
extern void RegistryInsert(Oid relid, ManagedKind kind, Oid current_view);
extern void RegistryDelete(Oid relid);
extern void RegistryClearView(Oid viewid);
extern char *RelationQualifiedName(Oid relid);

/* uuidv7.c */
extern pg_uuid_t *Uuidv7Generate(void);

/* protect.c: events is a mask of TRIGGER_OP_BIT(TRIGGER_EVENT_...) */
#define TRIGGER_OP_BIT(event) (1U << ((event) & TRIGGER_EVENT_OPMASK))
extern void TriggerCheckCall(FunctionCallInfo fcinfo, const char *funcname,
							 uint32 timing, bool for_row, uint32 events);

/* ddl.c */
extern void DdlRun(const char *sql, int expected);
extern void DdlRunAsExtensionOwner(const char *sql);
extern int	DdlBegin(void);
extern void DdlEnd(int nestlevel);

/* current_view.c */
extern Oid	CurrentViewCreate(Oid relid, const char *name);
extern void CurrentViewRefresh(Oid relid, Oid viewid);

/* entity.c */
extern Oid	EntityRelationArgument(FunctionCallInfo fcinfo);
extern Datum EntityArgument(FunctionCallInfo fcinfo, int argno, const char *name);
extern void EntityAppendColumns(StringInfo buf, Relation rel, const char *prefix,
								bool insertable);
extern uint64 EntityExecute(ManagedRelation *entry, EntityPlan which,
							Datum *args, bool read_only, long limit);
extern Datum EntityInsertRow(ManagedRelation *entry, Datum row);
extern void EntityRowAsTuple(Datum row, HeapTuple tuple);
extern bool EntityDirectReadAllowed(Oid relid);
extern bool EntityReadAt(ManagedRelation *entry, Datum entity_id, TimestampTz at,
						 Datum *row, bool *deleted);

#endif							/* IMMUTABLE_H */

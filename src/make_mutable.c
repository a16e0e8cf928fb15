/*
 * make_mutable.c
 *		make_mutable: takes a table of any kind out of management again.
 */
#include "postgres.h"

#include "access/relation.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "args.h"
#include "ddl.h"
#include "registry.h"
#include "system_versioned.h"

PG_FUNCTION_INFO_V1(immutable_make_mutable);

/*
 * immutable.make_mutable(tbl regclass) RETURNS void
 *
 * Takes tbl out of management: drops the extension's triggers on tbl (and on
 * the history table of a system-versioned table), the current view and heads
 * table of a versioned table, and removes tbl from the registry; rows,
 * columns, constraints and history tables stay.  Ownership is checked before
 * the table is locked.  Errors: 22004 NULL tbl; 42P01 no such relation; 42501
 * not the owner; 55000 not managed; a view that depends on the current view
 * makes the DROP VIEW fail (2BP01).
 */
Datum
immutable_make_mutable(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTable(fcinfo, "make_mutable");
	Relation	rel;
	ManagedRelation *entry;
	Oid			view;
	Oid			heads;
	Oid			history;
	ManagedKind kind;
	char	   *table;
	int			nestlevel;

	rel = ArgOpenOwned(relid, AccessExclusiveLock);
	entry = RegistryLookup(relid);
	if (entry->kind != MANAGED_APPEND_ONLY && entry->kind != MANAGED_VERSIONED &&
		entry->kind != MANAGED_SYSTEM_VERSIONED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not managed by the immutable extension",
						RelationGetRelationName(rel))));

	view = entry->current_view;
	heads = entry->heads;
	history = entry->history;
	kind = entry->kind;
	table = RelationQualifiedName(relid);
	relation_close(rel, NoLock);
	nestlevel = DdlBegin();
	/* first, so that the guard on the extension's triggers lets them go */
	RegistryDelete(relid);
	if (OidIsValid(history))
		CacheInvalidateRelcacheByRelid(history);
	if (OidIsValid(view) && get_rel_name(view) != NULL)
		DdlRun(psprintf("DROP VIEW %s", RelationQualifiedName(view)),
			   SPI_OK_UTILITY);
	if (OidIsValid(heads) && get_rel_name(heads) != NULL)
		DdlRun(psprintf("DROP TABLE %s", RelationQualifiedName(heads)),
			   SPI_OK_UTILITY);
	if (kind == MANAGED_SYSTEM_VERSIONED)
	{
		DdlUnprotectPartitions(relid);
		if (get_rel_name(history) != NULL)
			DdlUnprotectPartitions(history);
		SystemVersionedMakeMutable(relid, history, table);
	}
	else
		DdlDetachTriggers(relid);
	DdlEnd(nestlevel);
	PG_RETURN_VOID();
}

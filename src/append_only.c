/*
 * append_only.c
 *		make_append_only: the DDL that makes a table append-only, optionally
 *		hash-chained (chain.c).
 *
 * All DDL is built from quoted, schema-qualified names and run through SPI
 * with search_path set to pg_catalog, pg_temp for the duration of the call
 * (ddl.c).  Triggers are created as the extension's owner, because the
 * trigger functions are not executable by PUBLIC; everything else runs as
 * the caller, who must own the table.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/transam.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/rel.h"

#include "args.h"
#include "chain.h"
#include "ddl.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(immutable_make_append_only);

/*
 * immutable.make_append_only(tbl regclass, hashed boolean DEFAULT false,
 * chain_by name DEFAULT NULL) RETURNS void
 *
 * Makes tbl append-only: from now on UPDATE, DELETE, TRUNCATE and MERGE's
 * update and delete actions fail with 23001 for every role.  Attaches the
 * triggers that refuse them and records tbl in the registry.  With hashed,
 * every row is linked into a SHA-256 hash chain (the table's, or one per value
 * of the chain_by column; see chain.c): columns chain_seq bigint, prev_hash
 * bytea and hash bytea are added, existing rows linked in physical order.
 * Errors: 22004 NULL tbl or hashed; 42P01 no such relation; 42809 not an
 * ordinary table, a partition or a system table; 0A000 partitioned table, or a
 * column type hash chains cannot encode; 42501 not the owner; 42710 already
 * managed; 22023 chain_by without hashed; 42703 unknown chain_by column; 42P10
 * chain_by naming chain_seq, prev_hash or hash; 42804 chain_seq, prev_hash or
 * hash present with another type; 23502 a NULL chain_by value.
 */
Datum
immutable_make_append_only(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTable(fcinfo, "make_append_only");
	bool		hashed;
	const char *chain_by = PG_ARGISNULL(2) ? NULL : NameStr(*PG_GETARG_NAME(2));
	int			nestlevel;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("hashed passed to immutable.make_append_only() must not be NULL")));
	hashed = PG_GETARG_BOOL(1);
	if (chain_by != NULL && !hashed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("chain_by needs hashed => true"),
				 errhint("Pass hashed => true to keep one hash chain per value of the column.")));
	ArgLockForManagement(relid, hashed ? AccessExclusiveLock : ShareRowExclusiveLock,
						 "make_append_only", false);
	nestlevel = DdlBegin();
	if (hashed)
		ChainCreate(relid, chain_by);
	DdlAttachRefusingTriggers(relid);
	RegistryInsert(relid, MANAGED_APPEND_ONLY, InvalidOid, InvalidOid);
	if (hashed)
		RegistrySetHashed(relid, chain_by);
	DdlRecordRegistration(relid);
	DdlEnd(nestlevel);
	PG_RETURN_VOID();
}

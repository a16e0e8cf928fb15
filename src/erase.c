/*
 * erase.c
 *		Erasing what the law requires while history stays verifiable:
 *		redact (the GDPR's right to erasure, for one entity of a versioned
 *		table) and purge_history (MariaDB's DELETE HISTORY, for a
 *		system-versioned table), each recorded in immutable.erasure_log.
 *
 * Both change tables that refuse every change, each statement through a
 * write window (guard.c) for exactly the relation and operation it erases.  A redacted value
 * enters a hash-chained table's hashes as its digest (hash.c), which the
 * log keeps, so verify_chain still passes.
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "args.h"
#include "guard.h"
#include "hash.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(immutable_redact);
PG_FUNCTION_INFO_V1(immutable_purge_history);

/* Raise 42501 unless the current user owns relid. */
static void
check_owner(Oid relid, const char *funcname)
{
	if (!RelationOwnerCheck(relid, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of table %s to call immutable.%s()",
						get_rel_name(relid), funcname)));
}

/*
 * Run one statement that erases rows of the relation of the given kind
 * (the table relid itself, or its heads or history table) through a write
 * window for that relation and event (TRIGGER_EVENT_UPDATE or _DELETE), as
 * that relation's owner in a security-restricted operation: the owner's
 * triggers and constraints it fires must not run with the rights of a
 * caller who is not the owner (a superuser).  Caller is connected to SPI.
 * Returns SPI_processed.
 */
static uint64
run_erasing(ManagedKind kind, Oid relid, TriggerEvent event, const char *sql,
			int nargs, Oid *argtypes, Datum *args, int expected)
{
	GuardWindow window = {kind, relid, TRIGGER_OP_BIT(event), -1};
	ManagedRelation *entry = RegistryLookupRow(relid);
	Oid			target = kind == MANAGED_HEADS ? entry->heads :
	kind == MANAGED_HISTORY ? entry->history : relid;
	Oid			save_userid;
	int			save_sec_context;
	int			ret;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(RelationOwner(target), save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	ret = GuardExecute(&window, sql, nargs, argtypes, args);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	if (ret != expected)
		elog(ERROR, "could not run \"%s\": %s", sql, SPI_result_code_string(ret));
	return SPI_processed;
}

/*
 * Record the erasure of one value (column of version row_id of entity
 * entity_id) in immutable.erasure_log, with the digest that stands for it
 * in the row's hash ((Datum) 0 when the table is not hash-chained).
 */
static void
log_redaction(Oid relid, Datum entity_id, Datum row_id, const char *column, Datum digest)
{
	Oid			argtypes[5] = {REGCLASSOID, UUIDOID, UUIDOID, NAMEOID, BYTEAOID};
	Datum		args[5];
	NameData	name;

	namestrcpy(&name, column);
	args[0] = ObjectIdGetDatum(relid);
	args[1] = entity_id;
	args[2] = row_id;
	args[3] = NameGetDatum(&name);
	args[4] = digest;
	(void) RegistryExecuteAsOwner("INSERT INTO immutable.erasure_log"
								  " (logged_at, logged_by, relid, action, entity_id, row_id,"
								  " column_name, digest)"
								  " VALUES (pg_catalog.now(), SESSION_USER, $1, 'redact', $2, $3,"
								  " $4, $5)",
								  5, argtypes, args, digest ? NULL : "    n",
								  SPI_OK_INSERT);
}

/* Record the purge of rows history rows ended by before. */
static void
log_purge(Oid relid, Datum before, int64 rows)
{
	Oid			argtypes[3] = {REGCLASSOID, TIMESTAMPTZOID, INT8OID};
	Datum		args[3] = {ObjectIdGetDatum(relid), before, Int64GetDatum(rows)};

	(void) RegistryExecuteAsOwner("INSERT INTO immutable.erasure_log"
								  " (logged_at, logged_by, relid, action, before, rows)"
								  " VALUES (pg_catalog.now(), SESSION_USER, $1, 'purge', $2, $3)",
								  3, argtypes, args, NULL, SPI_OK_INSERT);
}

/*
 * Return the attribute numbers of the columns to redact (names), checked:
 * 2202E an array of more than one dimension, 42703 unknown, 22004 NULL,
 * 22023 a system column, one the extension keeps or none at all, 23502 a
 * NOT NULL one.  A column named twice counts once.
 */
static AttrNumber *
redacted_columns(ManagedRelation *entry, ArrayType *names, int *ncolumns)
{
	Relation	rel = relation_open(entry->relid, AccessShareLock);
	static const char *const kept[] = {
		COL_ID, COL_ENTITY_ID, COL_VERSION, COL_VALID_FROM, COL_DELETED_AT,
		COL_PREV_HASH, COL_HASH
	};
	Datum	   *elems;
	bool	   *nulls;
	AttrNumber *attnums;
	int			n;
	int			i;
	int			k;

	/* deconstruct_array would read a matrix as a list */
	if (ARR_NDIM(names) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("columns passed to immutable.redact() must be a one-dimensional array"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(names))));
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("columns passed to immutable.redact() must name at least one column")));
	attnums = palloc(sizeof(AttrNumber) * n);
	*ncolumns = 0;
	for (i = 0; i < n; i++)
	{
		char	   *name;
		AttrNumber	attnum;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("columns passed to immutable.redact() must not contain NULL")));
		name = TextDatumGetCString(elems[i]);
		attnum = get_attnum(entry->relid, name);
		if (attnum == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							name, get_rel_name(entry->relid))));
		for (k = 0; k < lengthof(kept); k++)
			if (strcmp(name, kept[k]) == 0 || attnum < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" cannot be redacted", name),
						 errdetail("It is a system column, or the extension keeps it: it identifies, orders or links the versions."),
						 errhint("Redact the columns that hold the personal data.")));
		if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attnotnull)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("column \"%s\" cannot be redacted: it is NOT NULL", name),
					 errhint("Drop the NOT NULL constraint first.")));
		for (k = 0; k < *ncolumns && attnums[k] != attnum; k++)
			;
		if (k == *ncolumns)
			attnums[(*ncolumns)++] = attnum;	/* named twice: once */
	}
	relation_close(rel, AccessShareLock);
	return attnums;
}

/*
 * Log the digest of every value of the columns in one version row (rows,
 * row i) that redaction erases.  Returns whether it had any.
 */
static bool
log_row_values(ManagedRelation *entry, SPITupleTable *rows, uint64 i,
			   AttrNumber *attnums, int ncolumns, Datum entity_id)
{
	bool		isnull;
	Datum		row_id = SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &isnull);
	bool		any = false;
	int			c;

	for (c = 0; c < ncolumns; c++)
	{
		Datum		value = SPI_getbinval(rows->vals[i], rows->tupdesc, c + 2, &isnull);
		Datum		digest = (Datum) 0;

		if (isnull)
			continue;
		if (entry->hashed)
		{
			bytea	   *bytes = palloc(VARHDRSZ + HASH_LENGTH);

			SET_VARSIZE(bytes, VARHDRSZ + HASH_LENGTH);
			HashValueDigest(entry->chain.encoder, attnums[c], value, (uint8 *) VARDATA(bytes));
			digest = PointerGetDatum(bytes);
		}
		log_redaction(entry->relid, entity_id, row_id,
					  get_attname(entry->relid, attnums[c], false), digest);
		any = true;
	}
	return any;
}

/* Return "c1 = NULL, c2 = NULL ..." or "o.c1, o.c2 ..." for the columns. */
static char *
column_list(Oid relid, AttrNumber *attnums, int ncolumns, const char *format)
{
	StringInfoData buf;
	int			c;

	initStringInfo(&buf);
	for (c = 0; c < ncolumns; c++)
		appendStringInfo(&buf, format, c ? ", " : "",
						 quote_identifier(get_attname(relid, attnums[c], false)));
	return buf.data;
}

/*
 * Erase the columns (attnums) in every version of entity_id of the table of
 * entry, and return the rows the UPDATE changed, in version order, each as
 * its id and the values it had (in SPI_tuptable, SPI_processed of them): a
 * self-join on ctid returns the row as the UPDATE read it, so that what is
 * logged is exactly what was erased, whatever committed before the UPDATE
 * started.  Caller is connected to SPI.
 */
static uint64
erase_versions(ManagedRelation *entry, Datum entity_id, AttrNumber *attnums,
			   int ncolumns)
{
	const char *table = RelationQualifiedName(entry->relid);
	Oid			argtypes[1] = {UUIDOID};
	Datum		args[1] = {entity_id};

	return run_erasing(MANAGED_VERSIONED, entry->relid, TRIGGER_EVENT_UPDATE,
					   psprintf("WITH erased AS (UPDATE ONLY %1$s AS n SET %2$s"
								" FROM ONLY %1$s AS o"
								" WHERE n.entity_id OPERATOR(pg_catalog.=) $1"
								" AND o.ctid OPERATOR(pg_catalog.=) n.ctid"
								" RETURNING o.version, o.id, %3$s)"
								" SELECT e.id, %4$s FROM erased AS e ORDER BY e.version",
								table,
								column_list(entry->relid, attnums, ncolumns, "%s%s = NULL"),
								column_list(entry->relid, attnums, ncolumns, "%so.%s"),
								column_list(entry->relid, attnums, ncolumns, "%se.%s")),
					   1, argtypes, args, SPI_OK_SELECT);
}

/*
 * immutable.redact(rel anyelement, entity_id uuid, columns text[])
 * RETURNS integer
 *
 * Erases (sets to NULL) the values of columns in every version of one
 * entity of a versioned table, and in its heads row, for the GDPR's right
 * to erasure; returns the number of versions that had a value to erase.
 * Each erased value is recorded in immutable.erasure_log (when, by whom,
 * which entity, version row and column), with, on a hash-chained table, the
 * SHA-256 digest that stands for it in the row's hash, so verify_chain
 * still passes.  The entity's heads row is locked first, so that a writer
 * of the entity either committed before (and its version is erased and
 * logged) or waits until the erasure commits.  Only the table's owner may
 * call it.  Errors: 22004 NULL argument; 42809 rel not a table row; 42P01
 * table dropped; 55000 not a versioned table, or its heads table changed by
 * hand; 42501 not the owner; 2202E columns of more than one dimension; 42703
 * unknown column; 22023 no column, or one the extension keeps (id,
 * entity_id, version, valid_from, deleted_at, prev_hash, hash); 0A000 on a
 * hash-chained table a column whose values enter the hash as bytes (not
 * text, varchar, char, bytea, json, jsonb, xml); P0002 unknown entity;
 * 23502 a NOT NULL column; 40001 under REPEATABLE READ or SERIALIZABLE when
 * a version was appended after the transaction's snapshot.
 */
Datum
immutable_redact(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTypedTable(fcinfo);
	Datum		entity_id = ArgNotNull(fcinfo, 1, "entity_id");
	ArrayType  *names = DatumGetArrayTypeP(ArgNotNull(fcinfo, 2, "columns"));
	ManagedRelation *entry = RegistryLookupVersioned(relid);
	Oid			argtypes[1] = {UUIDOID};
	Datum		args[1] = {entity_id};
	AttrNumber *attnums;
	int			ncolumns;
	SPITupleTable *rows;
	uint64		nrows;
	uint64		i;
	int32		redacted = 0;

	check_owner(relid, "redact");
	attnums = redacted_columns(entry, names, &ncolumns);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* a writer appending a version now waits, so that none escapes */
	if (SPI_execute_with_args(psprintf("SELECT FROM ONLY %s AS h"
									   " WHERE h.entity_id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
									   RelationQualifiedName(entry->heads)),
							  1, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock the entity's heads row");
	nrows = erase_versions(entry, entity_id, attnums, ncolumns);
	rows = SPI_tuptable;
	if (nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("entity %s does not exist in table \"%s\"",
						DatumGetCString(DirectFunctionCall1(uuid_out, entity_id)),
						get_rel_name(relid))));
	for (i = 0; i < nrows; i++)
		if (log_row_values(entry, rows, i, attnums, ncolumns, entity_id))
			redacted++;
	(void) run_erasing(MANAGED_HEADS, relid, TRIGGER_EVENT_UPDATE,
					   psprintf("UPDATE ONLY %s SET %s WHERE entity_id OPERATOR(pg_catalog.=) $1",
								RelationQualifiedName(entry->heads),
								column_list(relid, attnums, ncolumns, "%s%s = NULL")),
					   1, argtypes, args, SPI_OK_UPDATE);
	SPI_finish();
	PG_RETURN_INT32(redacted);
}

/*
 * immutable.purge_history(tbl regclass, before timestamptz) RETURNS bigint
 *
 * Deletes the rows of a system-versioned table's history table whose
 * period ended at or before before (no longer current at any moment from
 * before on), as MariaDB's DELETE HISTORY ... BEFORE SYSTEM_TIME does;
 * returns how many.  Recorded in immutable.erasure_log (when, by whom,
 * which table, before, how many rows).  Only the table's owner may call it.
 * Errors: 22004 NULL argument; 55000 not a system-versioned table; 42501
 * not the owner.
 */
Datum
immutable_purge_history(PG_FUNCTION_ARGS)
{
	Oid			relid = ArgTable(fcinfo, "purge_history");
	Datum		before = ArgNotNull(fcinfo, 1, "before");
	ManagedRelation *entry = RegistryLookupSystemVersioned(relid);
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	Datum		args[1] = {before};
	uint64		rows;

	check_owner(relid, "purge_history");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rows = run_erasing(MANAGED_HISTORY, relid, TRIGGER_EVENT_DELETE,
					   psprintf("DELETE FROM %s AS h"
								" WHERE pg_catalog.upper(h.%s) OPERATOR(pg_catalog.<=) $1",
								RelationQualifiedName(entry->history),
								quote_identifier(get_attname(relid, entry->system_versioned.att_period, false))),
					   1, argtypes, args, SPI_OK_DELETE);
	SPI_finish();
	log_purge(relid, before, rows);
	PG_RETURN_INT64(rows);
}

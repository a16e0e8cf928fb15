/*
 * ddl.c
 *		Running DDL for the extension through SPI, and the event triggers that
 *		keep the registry and the current views in step with users' DDL.
 *
 * All DDL is built from quoted, schema-qualified names and runs with
 * search_path set to pg_catalog, pg_temp, so that nothing in it (and nothing
 * pg_get_expr prints) resolves through the caller's search_path.
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "immutable.h"

PG_FUNCTION_INFO_V1(immutable_forget_dropped);
PG_FUNCTION_INFO_V1(immutable_follow_alter_table);

/* Run one SQL statement through SPI, failing on anything unexpected. */
void
DdlRun(const char *sql, int expected)
{
	int			ret = SPI_execute(sql, false, 0);

	if (ret != expected)
		elog(ERROR, "SPI_execute failed for \"%s\": %s", sql,
			 SPI_result_code_string(ret));
}

/*
 * Run one statement as the owner of the extension: the trigger functions are
 * not executable by PUBLIC, so only their owner can attach them.
 */
void
DdlRunAsExtensionOwner(const char *sql)
{
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(ExtensionOwner(), save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	DdlRun(sql, SPI_OK_UTILITY);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/* Connect to SPI and pin search_path for the rest of the call. */
int
DdlBegin(void)
{
	int			nestlevel;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	return nestlevel;
}

/* Undo DdlBegin. */
void
DdlEnd(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
	SPI_finish();
}

/* Return the OIDs in column 1 of the SPI result, copied out. */
static Oid *
result_oids(uint64 *n)
{
	Oid		   *oids = palloc(sizeof(Oid) * (SPI_processed + 1));
	uint64		i;

	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		oids[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
												 SPI_tuptable->tupdesc, 1, &isnull));
	}
	*n = SPI_processed;
	return oids;
}

/*
 * immutable.forget_dropped() RETURNS event_trigger
 *
 * sql_drop event trigger: a dropped table leaves the registry (its OID could
 * otherwise be reused by an unrelated table), and a dropped current view is
 * cleared from its table's row.  Raises 39P01 when not called as an event
 * trigger.
 */
Datum
immutable_forget_dropped(PG_FUNCTION_ARGS)
{
	uint64		i;
	uint64		ndropped;
	Oid		   *dropped;
	int			ret;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"forget_dropped\" was not called by event trigger manager")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute("SELECT objid FROM pg_catalog.pg_event_trigger_dropped_objects()"
					  " WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					  " AND objsubid OPERATOR(pg_catalog.=) 0"
					  " AND object_type OPERATOR(pg_catalog.=) ANY (ARRAY['table', 'view'])",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read dropped objects: %s", SPI_result_code_string(ret));

	dropped = result_oids(&ndropped);
	for (i = 0; i < ndropped; i++)
	{
		RegistryDelete(dropped[i]);
		RegistryClearView(dropped[i]);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * immutable.follow_alter_table() RETURNS event_trigger
 *
 * ddl_command_end event trigger for ALTER TABLE: after a versioned table
 * gains or renames columns or changes defaults, its current view is brought
 * up to date (new columns appended, renamed columns renamed, defaults
 * copied), so that writes through the view keep every column.  Does nothing
 * while an extension is being created.  Raises 39P01 when not called as an
 * event trigger.
 */
Datum
immutable_follow_alter_table(PG_FUNCTION_ARGS)
{
	uint64		i;
	uint64		naltered;
	Oid		   *altered;
	int			nestlevel;
	int			ret;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"follow_alter_table\" was not called by event trigger manager")));
	if (creating_extension)
		PG_RETURN_VOID();

	nestlevel = DdlBegin();
	ret = SPI_execute("SELECT DISTINCT objid FROM pg_catalog.pg_event_trigger_ddl_commands()"
					  " WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
					  " AND command_tag OPERATOR(pg_catalog.=) 'ALTER TABLE'",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read DDL commands: %s", SPI_result_code_string(ret));
	altered = result_oids(&naltered);
	for (i = 0; i < naltered; i++)
	{
		ManagedRelation *entry;

		if (get_rel_relkind(altered[i]) != RELKIND_RELATION)
			continue;
		entry = RegistryLookup(altered[i]);
		if (entry->kind == MANAGED_VERSIONED && OidIsValid(entry->current_view) &&
			get_rel_relkind(entry->current_view) == RELKIND_VIEW)
			CurrentViewRefresh(altered[i], entry->current_view);
	}
	DdlEnd(nestlevel);
	PG_RETURN_VOID();
}

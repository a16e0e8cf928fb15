/*
 * ddl.c
 *		Event trigger that keeps the registry in step with DDL.
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"

#include "immutable.h"

PG_FUNCTION_INFO_V1(immutable_forget_dropped);

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

	ndropped = SPI_processed;
	dropped = palloc(sizeof(Oid) * (ndropped + 1));
	for (i = 0; i < ndropped; i++)
	{
		bool		isnull;

		dropped[i] = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
													SPI_tuptable->tupdesc,
													1, &isnull));
	}
	for (i = 0; i < ndropped; i++)
	{
		RegistryDelete(dropped[i]);
		RegistryClearView(dropped[i]);
	}
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * system_versioned_compat.c
 *		temporal_tables' trigger function versioning(period_column,
 *		history_table, adjust), with its behaviour and error messages: the
 *		history table is resolved once per trigger (an unqualified name in
 *		the table's own schema, never through search_path), and checked when
 *		a history row is first written, as temporal_tables does.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "nodes/params.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"

#include "registry.h"
#include "system_time.h"
#include "system_versioned_period.h"
#include "system_versioned_trigger.h"

PG_FUNCTION_INFO_V1(immutable_versioning);

/* One trigger's resolved arguments, kept until its table changes. */
typedef struct CompatEntry
{
	Oid			tgoid;			/* hash key */
	Oid			relid;
	bool		valid;
	bool		history_valid;	/* v.history and v.to_history resolved */
	Versioning	v;
	MemoryContext cxt;
} CompatEntry;

static HTAB *CompatCache = NULL;

/* Mark entries of relid (or all, for InvalidOid) for resolving again. */
static void
compat_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	CompatEntry *entry;

	hash_seq_init(&status, CompatCache);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (!OidIsValid(relid) || entry->relid == relid || entry->v.history == relid)
			entry->valid = entry->history_valid = false;
}

/* Check the trigger's call as temporal_tables does (39P01, 22023). */
static void
compat_check_call(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"versioning\" was not called by trigger manager")));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"versioning\" must be fired BEFORE ROW")));
	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"versioning\" must be fired for INSERT or UPDATE or DELETE")));
	if (trigdata->tg_trigger->tgnargs != 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("wrong number of parameters for function \"versioning\""),
				 errdetail("expected 3 parameters but got %d",
						   trigdata->tg_trigger->tgnargs)));
}

/* Return the period column argument's attribute number, checked. */
static AttrNumber
compat_period_column(Relation rel, const char *column)
{
	AttrNumber	attnum = attnameAttNum(rel, column, false);
	Form_pg_attribute att;
	Oid			subtype;

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						column, RelationGetRelationName(rel))));
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	if (att->attndims != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("system period column \"%s\" of relation \"%s\" is not a range but an array",
						column, RelationGetRelationName(rel))));
	if (!type_is_range(att->atttypid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("system period column \"%s\" of relation \"%s\" is not a range but type %s",
						column, RelationGetRelationName(rel), format_type_be(att->atttypid))));
	subtype = get_range_subtype(att->atttypid);
	if (subtype != TIMESTAMPTZOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("system period column \"%s\" of relation \"%s\" is not a range of timestamp with timezone but of type %s",
						column, RelationGetRelationName(rel), format_type_be(subtype))));
	return attnum;
}

/*
 * Return the history table argument's OID: a qualified name as given, an
 * unqualified one in the table's own schema (temporal_tables would use
 * search_path, at every call).  A table that does not exist is reported by
 * the name as given, as temporal_tables reports it (42P01).
 */
static Oid
compat_history_table(Relation rel, const char *name)
{
	RangeVar   *rv = makeRangeVarFromNameList(StringToQualifiedNameList(name));
	const char *given = rv->schemaname ? psprintf("%s.%s", rv->schemaname, rv->relname) :
	rv->relname;
	Oid			relid;

	if (rv->schemaname == NULL)
		rv->schemaname = get_namespace_name(RelationGetNamespace(rel));
	relid = RangeVarGetRelid(rv, AccessShareLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" does not exist", given)));
	return relid;
}

/*
 * Check that the history table has the period column and every shared
 * column with the table's type, as temporal_tables does (XX000, 42804).
 */
static void
compat_check_history(Relation rel, Relation history, AttrNumber att_period)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleDesc	hdesc = RelationGetDescr(history);
	const char *period = NameStr(TupleDescAttr(desc, att_period - 1)->attname);
	int			i;

	if (attnameAttNum(history, period, false) <= 0)
		ereport(ERROR,
				(errmsg("history relation \"%s\" does not contain system period column \"%s\"",
						RelationGetRelationName(history), period),
				 errhint("history relation must contain system period column with the same name and data type as the versioned one")));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		AttrNumber	h;
		Form_pg_attribute hatt;

		if (att->attisdropped ||
			(h = attnameAttNum(history, NameStr(att->attname), false)) <= 0)
			continue;
		hatt = TupleDescAttr(hdesc, h - 1);
		if (hatt->atttypid != att->atttypid || hatt->attndims != att->attndims ||
			hatt->atttypmod != att->atttypmod)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is of type %s but column \"%s\" of history relation \"%s\" is of type %s",
							NameStr(att->attname), RelationGetRelationName(rel),
							format_type_with_typemod(att->atttypid, att->atttypmod),
							NameStr(hatt->attname), RelationGetRelationName(history),
							format_type_with_typemod(hatt->atttypid, hatt->atttypmod))));
	}
}

/*
 * Resolve the trigger's period column and adjust arguments into entry (on
 * every kind of call, as temporal_tables checks them).
 */
static void
compat_resolve(CompatEntry *entry, Relation rel, Trigger *trigger)
{
	if (entry->cxt == NULL)
		entry->cxt = AllocSetContextCreate(CacheMemoryContext, "immutable versioning trigger",
										   ALLOCSET_SMALL_SIZES);
	MemoryContextReset(entry->cxt);
	entry->relid = RelationGetRelid(rel);
	entry->v.att_period = compat_period_column(rel, trigger->tgargs[0]);
	entry->v.history = InvalidOid;
	entry->v.to_history = NULL;
	entry->v.adjust = MemoryContextStrdup(entry->cxt, trigger->tgargs[2]);
	entry->history_valid = false;
	entry->valid = true;
}

/*
 * Resolve the trigger's history table argument into entry, when a history
 * row is first written (temporal_tables checks it only then).
 */
static void
compat_resolve_history(CompatEntry *entry, Relation rel, Trigger *trigger)
{
	Relation	history;
	MemoryContext old;

	entry->v.history = compat_history_table(rel, trigger->tgargs[1]);
	history = table_open(entry->v.history, AccessShareLock);
	compat_check_history(rel, history, entry->v.att_period);
	old = MemoryContextSwitchTo(entry->cxt);
	entry->v.to_history = RelationConversionMap(CreateTupleDescCopy(RelationGetDescr(rel)),
												CreateTupleDescCopy(RelationGetDescr(history)));
	MemoryContextSwitchTo(old);
	table_close(history, AccessShareLock);
	entry->history_valid = true;
}

/*
 * Return the resolved arguments of the trigger firing on rel, the history
 * table too when with_history.
 */
static Versioning *
compat_versioning(Relation rel, Trigger *trigger, bool with_history)
{
	CompatEntry *entry;
	bool		found;

	if (CompatCache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CompatEntry);
		ctl.hcxt = CacheMemoryContext;
		CompatCache = hash_create("immutable versioning triggers", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(compat_relcache_callback, (Datum) 0);
	}
	entry = hash_search(CompatCache, &trigger->tgoid, HASH_ENTER, &found);
	if (!found)
	{
		entry->cxt = NULL;
		entry->valid = entry->history_valid = false;
	}
	entry->v.plan_relid = RelationGetRelid(rel);
	entry->v.plan_trigger = trigger->tgoid;
	if (!entry->valid)
		compat_resolve(entry, rel, trigger);
	if (with_history && !entry->history_valid)
		compat_resolve_history(entry, rel, trigger);
	return &entry->v;
}

/*
 * versioning(period_column, history_table, adjust) BEFORE INSERT OR UPDATE
 * OR DELETE FOR EACH ROW, as temporal_tables: the history row is written
 * here, and a row version this transaction wrote is changed as it is.
 */
static Datum
compat_trigger(TriggerData *trigdata)
{
	Relation	rel = trigdata->tg_relation;
	TriggerEvent event = trigdata->tg_event;
	Versioning *v = compat_versioning(rel, trigdata->tg_trigger, false);
	TimestampTz end;

	if (TRIGGER_FIRED_BY_INSERT(event))
		return PointerGetDatum(PeriodSet(rel, v, trigdata->tg_trigtuple, SystemTime(), NULL));
	if (!PeriodWrittenByMe(rel, trigdata->tg_trigtuple, v->att_period))
	{
		/* the period value first (22004, 22000), then the history table */
		(void) PeriodStart(rel, trigdata->tg_trigtuple, v->att_period);
		v = compat_versioning(rel, trigdata->tg_trigger, true);
	}
	end = PeriodRecordChange(rel, v, trigdata->tg_trigtuple);
	if (TRIGGER_FIRED_BY_DELETE(event))
		return PointerGetDatum(trigdata->tg_trigtuple);
	if (end == 0)
		return PointerGetDatum(trigdata->tg_newtuple);
	return PointerGetDatum(PeriodSet(rel, v, trigdata->tg_newtuple, end, NULL));
}

/*
 * immutable.versioning() RETURNS trigger
 *
 * Trigger function of temporal_tables (SQL:2011 system versioning,
 * temporal_tables' semantics), attached by a temporal_tables user as
 * versioning(period_column, history_table, adjust) BEFORE INSERT OR UPDATE OR
 * DELETE FOR EACH ROW.  The period is a tstzrange, microseconds.  Sets
 * the period of a new row version to [system time, infinity) and inserts
 * the old row version into the history table with its period ended at the
 * system time, unless this transaction wrote it (a row version this
 * transaction wrote keeps its start), with temporal_tables' checks and
 * messages.  Without arguments on a system-versioned table, as the triggers
 * make_system_versioned attached before system_versioning() existed, it is
 * system_versioning().  System time: the transaction start time, or
 * set_system_time's.  Not executable by PUBLIC: it writes into the history
 * table it is given.  Errors: 22000 when the old row version's period
 * starts at or after the system time (a later transaction wrote it; with
 * adjust a WARNING 01X01 and 1 microsecond after it instead) or is empty or
 * ended; 22004 NULL period; 39P01 misuse; 22023 wrong number of arguments
 * or adjust value; 42703 unknown period column; 42804 period column not a
 * tstzrange, or a history column of another type; XX000 history table
 * without the period column.
 */
Datum
immutable_versioning(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	ManagedRelation *entry;

	if (CALLED_AS_TRIGGER(fcinfo) && trigdata->tg_trigger->tgnargs == 0 &&
		(entry = RegistryLookup(RelationGetRelid(trigdata->tg_relation)))->kind ==
		MANAGED_SYSTEM_VERSIONED)
		return SystemVersionedTriggerCall(fcinfo, "versioning", entry);
	compat_check_call(fcinfo);
	return compat_trigger(trigdata);
}

/*
 * system_versioned_trigger.c
 *		The triggers make_system_versioned attaches: system_versioning()
 *		(and versioning() without arguments, as attached before
 *		system_versioning() existed).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "guard.h"
#include "registry.h"
#include "system_time.h"
#include "system_versioned_period.h"
#include "system_versioned_trigger.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(immutable_system_versioning);

/* Fill v from the registry entry of a system-versioned table. */
static void
managed_versioning(ManagedRelation *entry, Versioning *v)
{
	v->att_period = entry->system_versioned.att_period;
	v->history = entry->history;
	v->to_history = entry->system_versioned.to_history;
	v->adjust = entry->system_versioned.adjust ? "true" : "false";
	v->retry_conflicts = entry->system_versioned.retry_conflicts;
	v->plan_relid = entry->relid;
	v->plan_trigger = InvalidOid;
}

/*
 * The row an UPDATE last recorded in the history table from its BEFORE
 * trigger: the DELETE that moves that row to another partition, in the
 * same command, must not record it again.
 */
static Oid	moved_relid = InvalidOid;
static ItemPointerData moved_tid;
static TransactionId moved_xid;
static CommandId moved_cid;

/*
 * Is old the row version an UPDATE of this command recorded already?  The
 * (sub)transaction is compared too: command ids start again in every
 * transaction, and a vacuumed slot takes new row versions.
 */
static bool
recorded_by_update(Relation rel, HeapTuple old)
{
	return moved_relid == RelationGetRelid(rel) &&
		ItemPointerEquals(&moved_tid, &old->t_self) &&
		moved_xid == GetCurrentTransactionIdIfAny() &&
		moved_cid == GetCurrentCommandId(false);
}

/*
 * BEFORE UPDATE or DELETE on a table whose history is written before the
 * change (as temporal_tables does it): record the old row version, and
 * return the new one with its period starting where the old one's ends (a
 * version this transaction wrote keeps its start).  No BEFORE trigger may
 * fire later and skip the change.
 */
static Datum
change_before(TriggerData *trigdata, Versioning *v)
{
	Relation	rel = trigdata->tg_relation;
	HeapTuple	old = trigdata->tg_trigtuple;
	TimestampTz start;

	TriggerCheckFiresLast(rel, trigdata->tg_trigger,
						  TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE);
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		if (!recorded_by_update(rel, old))
			PeriodRecordChange(rel, v, old);
		return PointerGetDatum(old);
	}
	start = PeriodRecordChange(rel, v, old);
	if (start == 0)
		start = PeriodStart(rel, old, v->att_period);
	moved_relid = RelationGetRelid(rel);
	moved_tid = old->t_self;
	moved_xid = GetCurrentTransactionIdIfAny();
	moved_cid = GetCurrentCommandId(false);
	return PointerGetDatum(PeriodSet(rel, v, trigdata->tg_newtuple, start, NULL));
}

/*
 * The triggers make_system_versioned attaches.  BEFORE INSERT: the period
 * starts now, whatever the writer gave.  BEFORE UPDATE or DELETE: see
 * change_before.  On a partitioned table, where an UPDATE can move a row
 * to another partition as a DELETE and an INSERT, the BEFORE trigger is
 * not fired for DELETE, and BEFORE UPDATE only stamps the new row version: it
 * starts when the old one ends (a version this transaction wrote keeps its
 * start); the history row is written AFTER UPDATE, with the period the
 * BEFORE trigger computed, or AFTER DELETE, ending at the system time.
 */
static Datum
managed_trigger(TriggerData *trigdata, ManagedRelation *entry)
{
	Relation	rel = trigdata->tg_relation;
	TriggerEvent event = trigdata->tg_event;
	HeapTuple	old = trigdata->tg_trigtuple;
	Versioning	v;
	TimestampTz start;

	managed_versioning(entry, &v);
	if (TRIGGER_FIRED_BY_INSERT(event))
		return PointerGetDatum(PeriodSet(rel, &v, old, SystemTime(), NULL));
	if (TRIGGER_FIRED_BEFORE(event) && TRIGGER_FOR_DELETE(trigdata->tg_trigger->tgtype))
		return change_before(trigdata, &v);
	if (TRIGGER_FIRED_BEFORE(event))
	{
		start = PeriodStart(rel, old, v.att_period);
		if (!PeriodWrittenByMe(rel, old, v.att_period))
			start = PeriodChangeTime(rel, start, &v);
		return PointerGetDatum(PeriodSet(rel, &v, trigdata->tg_newtuple, start, NULL));
	}
	if (PeriodWrittenByMe(rel, old, v.att_period))
		return PointerGetDatum(NULL);
	start = PeriodStart(rel, old, v.att_period);
	PeriodWriteHistory(rel, &v, old, start,
					   TRIGGER_FIRED_BY_UPDATE(event) ?
					   PeriodStart(rel, trigdata->tg_newtuple, v.att_period) :
					   PeriodChangeTime(rel, start, &v));
	return PointerGetDatum(NULL);
}

/*
 * Is trigger, firing on rel, one that make_system_versioned attached (or
 * PostgreSQL cloned from one to a partition)?  Its name tells: a table has
 * one trigger of a name, and a system-versioned table (every partition of
 * one) has the extension's already.  The AFTER trigger writes the history
 * only where the BEFORE one does not: on a partition of a partitioned
 * table, whose BEFORE trigger does not fire for DELETE.
 */
static bool
attached_by_make(Relation rel, Trigger *trigger)
{
	TriggerDesc *desc = rel->trigdesc;
	int			i;

	if (trigger->tgnargs != 0)
		return false;
	if (strcmp(trigger->tgname, TRIGGER_SYSTEM_PERIOD) == 0)
		return TRIGGER_FOR_BEFORE(trigger->tgtype);
	if (strcmp(trigger->tgname, TRIGGER_WRITE_HISTORY) != 0 ||
		TRIGGER_FOR_BEFORE(trigger->tgtype))
		return false;
	for (i = 0; i < desc->numtriggers; i++)
		if (strcmp(desc->triggers[i].tgname, TRIGGER_SYSTEM_PERIOD) == 0)
			return !TRIGGER_FOR_DELETE(desc->triggers[i].tgtype);
	return false;
}

/*
 * Run the trigger of the system-versioned table of entry, called as
 * funcname, after checking that it is fired as make_system_versioned
 * attached it (39P01 otherwise).
 */
Datum
SystemVersionedTriggerCall(FunctionCallInfo fcinfo, const char *funcname, ManagedRelation *entry)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		TriggerCheckCall(fcinfo, funcname, TRIGGER_EVENT_BEFORE, true,
						 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT) |
						 TRIGGER_OP_BIT(TRIGGER_EVENT_UPDATE) |
						 TRIGGER_OP_BIT(TRIGGER_EVENT_DELETE));
	else
		TriggerCheckCall(fcinfo, funcname, TRIGGER_EVENT_AFTER, true,
						 TRIGGER_OP_BIT(TRIGGER_EVENT_UPDATE) |
						 TRIGGER_OP_BIT(TRIGGER_EVENT_DELETE));
	if (entry->kind != MANAGED_SYSTEM_VERSIONED ||
		!attached_by_make(trigdata->tg_relation, trigdata->tg_trigger))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired by the triggers that immutable.make_system_versioned() attaches",
						funcname),
				 errdetail("Trigger \"%s\" on table \"%s\" is not one of them.",
						   trigdata->tg_trigger->tgname,
						   RelationGetRelationName(trigdata->tg_relation)),
				 errhint("Drop the trigger; when it has the name of one of the extension's, "
						 "immutable.make_mutable() drops it with them.")));
	return managed_trigger(trigdata, entry);
}

/*
 * immutable.system_versioning() RETURNS trigger
 *
 * Trigger function of system-versioned tables, attached by
 * make_system_versioned (SQL:2011 system versioning, temporal_tables'
 * semantics): sets the period of new row versions to [system time, infinity)
 * and inserts replaced row versions into the history table with their period
 * ended, as versioning() does.  BEFORE INSERT OR UPDATE FOR EACH ROW sets the
 * period of the new row version to [system time, infinity) (a row version this
 * transaction wrote keeps its start), and inserts the old row version into the
 * history table with its period ended where the new one starts (at the system
 * time for a DELETE), unless this transaction wrote it: BEFORE UPDATE OR
 * DELETE, or on a partitioned table AFTER UPDATE OR DELETE.  Executable by
 * PUBLIC: the owner of a partitioned table who creates or attaches a partition
 * gets clones of these triggers, for which PostgreSQL checks EXECUTE; fired by
 * any other trigger it does nothing but raise 39P01, so attaching it elsewhere
 * gives no one a way to write history rows.  Errors: as versioning().
 */
Datum
immutable_system_versioning(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		TriggerCheckCall(fcinfo, "system_versioning", TRIGGER_EVENT_BEFORE, true, 0);
	return SystemVersionedTriggerCall(fcinfo, "system_versioning",
									  RegistryLookup(RelationGetRelid(trigdata->tg_relation)));
}

/*
 * protect.c
 *		The guard every trigger function of the extension starts with, and the
 *		trigger that refuses UPDATE, DELETE and TRUNCATE on managed tables.
 */
#include "postgres.h"

#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "immutable.h"

PG_FUNCTION_INFO_V1(immutable_refuse_change);

/* Return the name of a trigger timing, for messages. */
static const char *
timing_name(uint32 timing)
{
	switch (timing)
	{
		case TRIGGER_EVENT_BEFORE:
			return "BEFORE";
		case TRIGGER_EVENT_INSTEAD:
			return "INSTEAD OF";
		default:
			return "AFTER";
	}
}

/*
 * Check that funcname was called by the trigger manager with the timing,
 * level and one of the events (TRIGGER_OP_BIT mask) it was written for, and
 * raise 39P01 (trigger_protocol_violated) when not.
 */
void
TriggerCheckCall(FunctionCallInfo fcinfo, const char *funcname,
				 uint32 timing, bool for_row, uint32 events)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager",
						funcname),
				 errhint("The make_* functions of the immutable extension attach it.")));

	event = trigdata->tg_event;
	if ((event & TRIGGER_EVENT_TIMINGMASK) != timing ||
		(TRIGGER_FIRED_FOR_ROW(event) != 0) != for_row ||
		(TRIGGER_OP_BIT(event) & events) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired %s %s",
						funcname, timing_name(timing),
						for_row ? "FOR EACH ROW" : "FOR EACH STATEMENT"),
				 errhint("Call immutable.make_mutable() and the make_* function "
						 "again to restore the extension's triggers.")));
}

/*
 * Refuse to run (55000) when a BEFORE row trigger for one of the events
 * (TRIGGER_TYPE_* bits) fires after self, in name order: a row that trigger
 * skipped or changed would already be numbered, or recorded in the history
 * table, as it will never be written.
 */
void
TriggerCheckFiresLast(Relation rel, Trigger *self, int16 events)
{
	TriggerDesc *desc = rel->trigdesc;
	bool		after_self = false;
	int			i;

	for (i = 0; i < desc->numtriggers; i++)
	{
		Trigger    *trigger = &desc->triggers[i];

		if (trigger->tgoid == self->tgoid)
			after_self = true;
		else if (after_self && trigger->tgenabled != TRIGGER_DISABLED &&
				 TRIGGER_FOR_ROW(trigger->tgtype) &&
				 TRIGGER_FOR_BEFORE(trigger->tgtype) &&
				 (trigger->tgtype & events) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("trigger \"%s\" on table \"%s\" fires after the trigger \"%s\" of the immutable extension",
							trigger->tgname, RelationGetRelationName(rel), self->tgname),
					 errdetail("BEFORE row triggers fire in name order, and the extension's trigger must see the row as it will be written."),
					 errhint("Rename the trigger so that its name sorts before \"%s\".",
							 self->tgname),
					 errtable(rel)));
	}
}

/* Return how the refusal names a table of this kind. */
static const char *
kind_adjective(ManagedKind kind)
{
	switch (kind)
	{
		case MANAGED_VERSIONED:
			return "versioned";
		case MANAGED_SYSTEM_VERSIONED:
			return "system-versioned";
		case MANAGED_HEADS:
			return "heads";
		case MANAGED_HISTORY:
			return "history";
		default:
			return "append-only";
	}
}

/* Return why a table of this kind refuses the change. */
static const char *
refusal_detail(ManagedKind kind)
{
	switch (kind)
	{
		case MANAGED_HEADS:
			return "Only the versioning trigger of its versioned table writes this table.";
		case MANAGED_HISTORY:
			return "Only the system-versioning trigger of its table writes this table.";
		case MANAGED_SYSTEM_VERSIONED:
			return "TRUNCATE would remove rows without keeping their history.";
		default:
			return "Rows of this table are never changed or removed.";
	}
}

/* Return the hint that tells how to change a table of this kind instead. */
static const char *
refusal_hint(ManagedRelation *entry, TriggerEvent event)
{
	if (entry->kind == MANAGED_HEADS)
		return "Write to the versioned table or its current view; the "
			"versioning trigger keeps the heads table.";
	if (entry->kind == MANAGED_HISTORY)
		return "Change the system-versioned table; its trigger writes the "
			"history.";
	if (entry->kind == MANAGED_SYSTEM_VERSIONED)
		return "DELETE the rows instead: the history table keeps them.";
	if (entry->kind == MANAGED_NONE)
		return "The extension's own log keeps every row.";
	if (entry->kind != MANAGED_VERSIONED)
		return "Insert a correcting row instead, or take the table out of "
			"management with immutable.make_mutable() as its owner.";
	if (TRIGGER_FIRED_BY_UPDATE(event))
		return "Append a new version: INSERT with the entity_id, "
			"immutable.update(), or UPDATE through the current view.";
	return "Append a tombstone: immutable.delete(), or DELETE through the "
		"current view.";
}

/*
 * immutable.refuse_change() RETURNS trigger
 *
 * BEFORE UPDATE OR DELETE FOR EACH ROW and BEFORE TRUNCATE FOR EACH STATEMENT
 * on append-only and versioned tables, and also BEFORE INSERT on the heads
 * tables of versioned tables and the history tables of system-versioned
 * tables, which only the extension's triggers write
 * (directly, and through SQL while a heads table follows an ALTER TABLE of
 * its versioned table, the one time the change is let through).  Raises 23001
 * (restrict_violation) with the table in the error's schema and table fields;
 * MERGE's update and delete actions fire the same row triggers.  Raises 39P01
 * when called otherwise.
 */
Datum
immutable_refuse_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	ManagedRelation *entry;
	TriggerEvent event;
	const char *verb;

	if (CALLED_AS_TRIGGER(fcinfo) &&
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		TriggerCheckCall(fcinfo, "refuse_change", TRIGGER_EVENT_BEFORE, false,
						 TRIGGER_OP_BIT(TRIGGER_EVENT_TRUNCATE));
	else
		TriggerCheckCall(fcinfo, "refuse_change", TRIGGER_EVENT_BEFORE, true,
						 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT) |
						 TRIGGER_OP_BIT(TRIGGER_EVENT_UPDATE) |
						 TRIGGER_OP_BIT(TRIGGER_EVENT_DELETE));

	rel = trigdata->tg_relation;
	event = trigdata->tg_event;
	entry = RegistryLookup(RelationGetRelid(rel));
	if ((entry->kind == MANAGED_HEADS && HeadsWriteAllowed()) || HistoryWriteAllowed() ||
		ErasureAllowed(entry))
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(event) ?
							   trigdata->tg_newtuple : trigdata->tg_trigtuple);
	verb = TRIGGER_FIRED_BY_INSERT(event) ? "insert into" :
		TRIGGER_FIRED_BY_UPDATE(event) ? "update row of" :
		TRIGGER_FIRED_BY_DELETE(event) ? "delete row of" : "truncate";

	ereport(ERROR,
			(errcode(ERRCODE_RESTRICT_VIOLATION),
			 errmsg("cannot %s %s table \"%s\"", verb, kind_adjective(entry->kind),
					RelationGetRelationName(rel)),
			 errdetail("%s", refusal_detail(entry->kind)),
			 errhint("%s", refusal_hint(entry, event)),
			 errtable(rel)));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * triggers.c
 *		The table of the triggers the extension attaches, and the SQL that
 *		creates one.  ddl.c creates and drops them from it, the DDL guard
 *		recognizes them by its names; the trigger functions check how they
 *		were called (TriggerCheckCall, TriggerCheckFiresLast).
 */
#include "postgres.h"

#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "triggers.h"

/* One trigger of the extension. */
typedef struct TriggerSpec
{
	const char *name;
	const char *when;			/* timing and events */
	const char *level;			/* ROW or STATEMENT */
	const char *condition;		/* WHEN clause, or NULL */
	const char *function;		/* in schema immutable */
} TriggerSpec;

static const TriggerSpec trigger_specs[NUM_EXTENSION_TRIGGERS] = {
	[TRG_REFUSE_CHANGE] = {TRIGGER_REFUSE_CHANGE, "BEFORE UPDATE OR DELETE", "ROW",
	NULL, "refuse_change"},
	[TRG_REFUSE_WRITE] = {TRIGGER_REFUSE_CHANGE, "BEFORE INSERT OR UPDATE OR DELETE", "ROW",
	NULL, "refuse_change"},
	[TRG_REFUSE_TRUNCATE] = {TRIGGER_REFUSE_TRUNCATE, "BEFORE TRUNCATE", "STATEMENT",
	NULL, "refuse_change"},
	[TRG_STAMP_VERSION] = {TRIGGER_STAMP_VERSION, "BEFORE INSERT", "ROW",
	NULL, "stamp_version"},
	[TRG_ADD_HEAD] = {TRIGGER_ADD_HEAD, "AFTER INSERT", "ROW",
	"NEW.version OPERATOR(pg_catalog.=) 1", "add_head"},
	[TRG_SYSTEM_PERIOD] = {TRIGGER_SYSTEM_PERIOD, "BEFORE INSERT OR UPDATE OR DELETE", "ROW",
	NULL, "system_versioning"},
	[TRG_SYSTEM_PERIOD_PARTITIONED] = {TRIGGER_SYSTEM_PERIOD, "BEFORE INSERT OR UPDATE", "ROW",
	NULL, "system_versioning"},
	[TRG_WRITE_HISTORY] = {TRIGGER_WRITE_HISTORY, "AFTER UPDATE OR DELETE", "ROW",
	NULL, "system_versioning"},
	[TRG_CURRENT_VIEW] = {TRIGGER_CURRENT_VIEW, "INSTEAD OF INSERT OR UPDATE OR DELETE", "ROW",
	NULL, "write_current_view"},
	[TRG_HASH_CHAIN] = {TRIGGER_HASH_CHAIN, "BEFORE INSERT", "ROW",
	NULL, "hash_chain"},
};

/*
 * Return the CREATE [OR REPLACE] TRIGGER statement that attaches trigger to
 * relation (a quoted, schema-qualified name), its function called with
 * args (a SQL argument list, or NULL).
 */
char *
TriggerDefinition(ExtensionTrigger trigger, const char *relation, const char *args,
				  bool replace)
{
	const TriggerSpec *spec = &trigger_specs[trigger];

	return psprintf("CREATE %sTRIGGER %s %s ON %s FOR EACH %s%s%s%s"
					" EXECUTE FUNCTION immutable.%s(%s)",
					replace ? "OR REPLACE " : "", spec->name, spec->when, relation,
					spec->level, spec->condition ? " WHEN (" : "",
					spec->condition ? spec->condition : "", spec->condition ? ")" : "",
					spec->function, args ? args : "");
}

/* Is name the name of one of the extension's triggers? */
bool
TriggerIsExtensionTrigger(const char *name)
{
	int			i;

	for (i = 0; name != NULL && i < NUM_EXTENSION_TRIGGERS; i++)
		if (strcmp(name, trigger_specs[i].name) == 0)
			return true;
	return false;
}

/*
 * Return the i-th of the table's trigger names (some appear twice, for
 * different relations: dropping by name takes the one the relation has).
 */
const char *
TriggerName(int i)
{
	return trigger_specs[i].name;
}

/* Return how many entries TriggerName takes. */
int
TriggerNameCount(void)
{
	return NUM_EXTENSION_TRIGGERS;
}

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

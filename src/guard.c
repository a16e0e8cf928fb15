/*
 * guard.c
 *		The write guard: the trigger that refuses every change to protected
 *		relations (UPDATE, DELETE and TRUNCATE of managed tables, and any
 *		write to heads and history tables), the write windows through which
 *		the extension's own statements get past it, and the checks every
 *		trigger function of the extension starts with.
 *
 * Some writes of the extension go through SQL: a history row into a history
 * table with constraints, defaults or partitions, a heads table following an
 * ALTER TABLE of its versioned table, redact and purge_history.  Code of
 * other roles can run inside such a statement (a CHECK constraint, a
 * DEFAULT, a trigger of that relation), so a write window names exactly the
 * relation and the operations it is opened for, and how many rows may pass:
 * nothing else gets through while it is open, and a window opened further
 * down the stack hides it until it closes.
 */
#include "postgres.h"

#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "guard.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(immutable_refuse_change);

/* The write window of the statement the extension is running, or NULL. */
static GuardWindow *open_window = NULL;

/*
 * Open a write window for the statement the extension runs next; returns
 * the window it hides, for GuardClose.  window must stay valid until then.
 */
GuardWindow *
GuardOpen(GuardWindow *window)
{
	GuardWindow *outer = open_window;

	open_window = window;
	return outer;
}

/* Close the open window, bringing back outer (GuardOpen's result). */
void
GuardClose(GuardWindow *outer)
{
	open_window = outer;
}

/*
 * Run one statement, the SQL text sql with nargs arguments of argtypes,
 * inside a write window.  Caller is connected to SPI.  Returns the SPI
 * result code.
 */
int
GuardExecute(const GuardWindow *window, const char *sql, int nargs, Oid *argtypes,
			 Datum *args)
{
	GuardWindow this_window = *window;
	GuardWindow *outer = GuardOpen(&this_window);
	volatile int ret;

	PG_TRY();
	{
		ret = SPI_execute_with_args(sql, nargs, argtypes, args, NULL, false, 0);
	}
	PG_FINALLY();
	{
		GuardClose(outer);
	}
	PG_END_TRY();
	return ret;
}

/*
 * Does the open write window let this row change (or TRUNCATE: never) of
 * entry's relation through?  Counts the row against the window.
 */
static bool
window_allows(ManagedRelation *entry, TriggerEvent event)
{
	Oid			table = OidIsValid(entry->base_relid) ? entry->base_relid : entry->relid;

	if (open_window == NULL || open_window->rows == 0 ||
		TRIGGER_FIRED_BY_TRUNCATE(event) ||
		open_window->kind != entry->kind || open_window->table != table ||
		(open_window->events & TRIGGER_OP_BIT(event)) == 0)
		return false;
	if (open_window->rows > 0)
		open_window->rows--;
	return true;
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
 * Raise 23001 (restrict_violation) for a change (event) of entry's relation,
 * named relname; rel, when not NULL, goes into the error's schema and table
 * fields.
 */
void
GuardRefuseChange(ManagedRelation *entry, Relation rel, const char *relname,
				  TriggerEvent event)
{
	const char *verb = TRIGGER_FIRED_BY_INSERT(event) ? "insert into" :
	TRIGGER_FIRED_BY_UPDATE(event) ? "update row of" :
	TRIGGER_FIRED_BY_DELETE(event) ? "delete row of" : "truncate";

	ereport(ERROR,
			(errcode(ERRCODE_RESTRICT_VIOLATION),
			 errmsg("cannot %s %s table \"%s\"", verb,
					RegistryKindAdjective(entry->kind), relname),
			 errdetail("%s", refusal_detail(entry->kind)),
			 errhint("%s", refusal_hint(entry, event)),
			 rel ? errtable(rel) : 0));
}

/*
 * immutable.refuse_change() RETURNS trigger
 *
 * Trigger function that refuses every change of the table it is attached to
 * with 23001 (restrict_violation), except the extension's own writes.
 * Attached BEFORE UPDATE OR DELETE FOR EACH ROW and BEFORE TRUNCATE FOR EACH
 * STATEMENT to managed tables and every partition of system-versioned and
 * history tables, and also BEFORE INSERT on heads and history tables, which
 * only the extension's triggers write.  Lets through only the row changes of
 * an open write window (GuardOpen).  The arguments of a managed table's
 * TRUNCATE trigger carry its registration for dumps (RegistryRestore) and
 * are ignored here.  Raises 23001
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
	if (window_allows(entry, event))
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(event) ?
							   trigdata->tg_newtuple : trigdata->tg_trigtuple);
	GuardRefuseChange(entry, rel, RelationGetRelationName(rel), event);
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * system_time.c
 *		The system time of system-versioned tables: the transaction start
 *		time, or what set_system_time() set (temporal_tables'
 *		set_system_time, transactional as there).
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "system_time.h"

PG_FUNCTION_INFO_V1(immutable_set_system_time);

/*
 * What set_system_time() set: a system time, or none (the transaction start
 * time).  Transactional as in temporal_tables: what a (sub)transaction sets
 * is undone by its rollback, ROLLBACK TO SAVEPOINT included, and kept for
 * the session by its commit.
 */
typedef struct SystemTimeSetting
{
	bool		set;
	TimestampTz time;
}			SystemTimeSetting;

/*
 * The setting in force when (sub)transaction level first changed it, kept
 * to be restored when that level rolls back.
 */
typedef struct SavedSetting
{
	int			level;
	SystemTimeSetting setting;
}			SavedSetting;

static SystemTimeSetting session_setting;	/* committed */
static SystemTimeSetting current_setting;	/* in this transaction */
static bool changed = false;	/* current_setting is in force */
static List *saved = NIL;		/* innermost level first, in
								 * TopTransactionContext */
static bool callbacks_registered = false;

/* Return the system time: set_system_time's, or the transaction start time. */
TimestampTz
SystemTime(void)
{
	SystemTimeSetting *setting = changed ? &current_setting : &session_setting;

	return setting->set ? setting->time : GetCurrentTransactionStartTimestamp();
}

/* Keep the transaction's setting for the session when it commits. */
static void
system_time_xact_callback(XactEvent event, void *arg)
{
	if (!changed)
		return;
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE)
		session_setting = current_setting;
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		changed = false;
		saved = NIL;			/* freed with TopTransactionContext */
	}
}

/*
 * A subtransaction that rolls back brings back the setting in force when it
 * started: the one saved by the first change at its level or deeper.  One
 * that commits hands its saved setting to its parent, unless the parent has
 * one of its own, which is older.
 */
static void
system_time_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	SavedSetting *head;

	if (saved == NIL || ((SavedSetting *) linitial(saved))->level < level)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		while (saved != NIL && (head = linitial(saved))->level >= level)
		{
			current_setting = head->setting;
			saved = list_delete_first(saved);
		}
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		head = linitial(saved);
		if (list_length(saved) > 1 &&
			((SavedSetting *) lsecond(saved))->level == level - 1)
			saved = list_delete_first(saved);
		else
			head->level = level - 1;
	}
}

/* Save the setting in force before the first change at this level. */
static void
save_setting(void)
{
	int			level = GetCurrentTransactionNestLevel();
	MemoryContext old;
	SavedSetting *entry;

	if (!changed)
	{
		current_setting = session_setting;
		changed = true;
	}
	if (saved != NIL && ((SavedSetting *) linitial(saved))->level == level)
		return;
	old = MemoryContextSwitchTo(TopTransactionContext);
	entry = palloc(sizeof(SavedSetting));
	entry->level = level;
	entry->setting = current_setting;
	saved = lcons(entry, saved);
	MemoryContextSwitchTo(old);
}

/*
 * immutable.set_system_time(at timestamptz) RETURNS void
 *
 * Makes at (microseconds kept) the system time of this session's changes to
 * system-versioned tables, for backfills; NULL returns to the transaction
 * start time.  As temporal_tables' set_system_time: undone when the
 * (sub)transaction that called it rolls back (ROLLBACK TO SAVEPOINT brings
 * back the system time in force when the savepoint was set), kept for the
 * session when it commits.  Not executable by PUBLIC.  Raises 22008 for an infinite time.
 */
Datum
immutable_set_system_time(PG_FUNCTION_ARGS)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(system_time_xact_callback, NULL);
		RegisterSubXactCallback(system_time_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (!PG_ARGISNULL(0) && TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(0)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("system time must be finite"),
				 errhint("Pass a moment, or NULL for the transaction start time.")));
	save_setting();
	current_setting.set = !PG_ARGISNULL(0);
	if (current_setting.set)
		current_setting.time = PG_GETARG_TIMESTAMPTZ(0);
	PG_RETURN_VOID();
}

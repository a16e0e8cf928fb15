/*
 * system_time.c
 *		The system time of system-versioned tables: the transaction start
 *		time, or what set_system_time() set (temporal_tables'
 *		set_system_time, transactional as there).
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/timestamp.h"

#include "system_time.h"

PG_FUNCTION_INFO_V1(immutable_set_system_time);

/*
 * set_SystemTime()'s value, transactional as in temporal_tables: what a
 * (sub)transaction sets is undone by its rollback and kept for the session
 * by its commit.  session_* is the committed state; pending_* the state
 * set inside the current transaction, at subtransaction level pending_level.
 */
static bool session_set = false;
static TimestampTz session_time;
static bool pending = false;
static int	pending_level;
static bool pending_set;
static TimestampTz pending_time;
static bool callbacks_registered = false;

/* Return the system time: set_system_time's, or the transaction start time. */
TimestampTz
SystemTime(void)
{
	if (pending ? pending_set : session_set)
		return pending ? pending_time : session_time;
	return GetCurrentTransactionStartTimestamp();
}

/* Keep or drop the pending system time at the end of the transaction. */
static void
system_time_xact_callback(XactEvent event, void *arg)
{
	if (!pending)
		return;
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT)
	{
		session_set = pending_set;
		session_time = pending_time;
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		pending = false;
}

/*
 * A subtransaction that set the system time and aborts takes it back (to
 * the transaction's state before: conservatively, the session's); one that
 * commits hands it to its parent.
 */
static void
system_time_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid, void *arg)
{
	if (!pending || pending_level < GetCurrentTransactionNestLevel())
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		pending = false;
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		pending_level = GetCurrentTransactionNestLevel() - 1;
}

/*
 * immutable.set_system_time(at timestamptz) RETURNS void
 *
 * Makes at (microseconds kept) the system time of this session's changes to
 * system-versioned tables, for backfills; NULL returns to the transaction
 * start time.  As temporal_tables' set_system_time: undone when the
 * (sub)transaction that called it rolls back, kept for the session when it
 * commits.  Not executable by PUBLIC.  Raises 22008 for an infinite time.
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
	pending = true;
	pending_level = GetCurrentTransactionNestLevel();
	pending_set = !PG_ARGISNULL(0);
	if (pending_set)
		pending_time = PG_GETARG_TIMESTAMPTZ(0);
	PG_RETURN_VOID();
}

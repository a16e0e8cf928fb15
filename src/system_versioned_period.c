/*
 * system_versioned_period.c
 *		What both trigger functions of system-versioned tables do (SQL:2011
 *		system versioning, with the semantics of the temporal_tables
 *		extension): stamp the period of every row version with the system
 *		time, and put the row version an UPDATE or DELETE replaces into the
 *		history table with its period ended.  The triggers are in
 *		system_versioned_trigger.c (make_system_versioned's) and
 *		system_versioned_compat.c (temporal_tables' versioning()).
 *
 * A row version written by the current transaction (also in a
 * subtransaction) was never seen by anyone else: changing it again writes no
 * history row, so a transaction leaves at most one history row per row
 * (which row versions those are is told by xmin and, after a rewrite of the
 * table in the transaction, by the period starts it gave: see "Row versions
 * this transaction wrote").  A row version whose period starts at or after
 * the system time was written by a transaction that started later: the
 * change fails (22000) or, with adjust, starts its period 1 microsecond
 * after the other one's, with a WARNING.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "utils/hsearch.h"
#include "utils/plancache.h"
#include "utils/rangetypes.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "compat.h"
#include "direct.h"
#include "guard.h"
#include "plans.h"
#include "registry.h"
#include "system_time.h"
#include "system_versioned_period.h"

/* temporal_tables' SQLSTATE for the adjusted-period WARNING */
#define ERRCODE_PERIOD_ADJUSTED MAKE_SQLSTATE('0','1','X','0','1')

/* ----------------------------------------------------------------------
 * Row versions this transaction wrote
 *
 * xmin tells which row versions the current transaction wrote, except in a
 * table it rewrote (ALTER TABLE ... TYPE, ADD COLUMN with a volatile
 * default): the rewrite gives every row version the
 * transaction's xid.  Every period start this transaction gives a new row
 * version is therefore recorded, per relation; in a table whose storage the
 * transaction replaced, a row version with its xmin counts as its own only
 * when its period starts at such a time (a committed row version does not:
 * it started before, or at another transaction's system time).
 * make_system_versioned records the start it gives the existing rows when
 * it adds the period column: those row versions became system-versioned in
 * this transaction and count as its own whatever their xmin.  A record made
 * in a subtransaction goes when that subtransaction rolls back.
 * ---------------------------------------------------------------------- */

typedef struct StampKey
{
	Oid			relid;
	bool		converted;		/* by make_system_versioned, not a trigger */
	TimestampTz start;
} StampKey;

typedef struct Stamp
{
	StampKey	key;			/* hash key */
	SubTransactionId subid;		/* the oldest subtransaction that recorded it */
} Stamp;

/* The record, in TopTransactionContext; NULL when empty. */
static HTAB *stamps = NULL;
static bool any_converted = false;
static bool stamp_callbacks_registered = false;

/* The last recorded stamp, which most row versions repeat. */
static bool last_stamp_valid = false;
static StampKey last_stamp;
static SubTransactionId last_stamp_subid;

/* Forget the record at the end of the transaction. */
static void
stamps_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
	{
		stamps = NULL;			/* freed with TopTransactionContext */
		any_converted = false;
		last_stamp_valid = false;
	}
}

/*
 * Forget what a subtransaction that rolls back recorded: the records of
 * mySubid and of every subtransaction started after it (its children).
 */
static void
stamps_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	HASH_SEQ_STATUS status;
	Stamp	   *stamp;

	if (event != SUBXACT_EVENT_ABORT_SUB || stamps == NULL)
		return;
	last_stamp_valid = false;
	hash_seq_init(&status, stamps);
	while ((stamp = hash_seq_search(&status)) != NULL)
		if (stamp->subid >= mySubid)
			hash_search(stamps, &stamp->key, HASH_REMOVE, NULL);
}

/* Fill key (padding zeroed: the hash compares bytes). */
static void
stamp_key(StampKey *key, Oid relid, bool converted, TimestampTz start)
{
	memset(key, 0, sizeof(*key));
	key->relid = relid;
	key->converted = converted;
	key->start = start;
}

/* Record that this transaction gave a row version of relid the start. */
static void
record_stamp(Oid relid, bool converted, TimestampTz start)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	StampKey	key;
	Stamp	   *stamp;
	bool		found;

	stamp_key(&key, relid, converted, start);
	if (last_stamp_valid && last_stamp_subid == subid &&
		memcmp(&last_stamp, &key, sizeof(key)) == 0)
		return;
	if (!stamp_callbacks_registered)
	{
		RegisterXactCallback(stamps_xact_callback, NULL);
		RegisterSubXactCallback(stamps_subxact_callback, NULL);
		stamp_callbacks_registered = true;
	}
	if (stamps == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(StampKey);
		ctl.entrysize = sizeof(Stamp);
		ctl.hcxt = TopTransactionContext;
		stamps = hash_create("immutable period starts", 16, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	stamp = hash_search(stamps, &key, HASH_ENTER, &found);
	/* a subtransaction still open when stamp->subid started is its ancestor */
	if (!found || subid < stamp->subid)
		stamp->subid = subid;
	any_converted = any_converted || converted;
	last_stamp = key;
	last_stamp_subid = subid;
	last_stamp_valid = true;
}

/* Did this transaction record the start for relid? */
static bool
stamped(Oid relid, bool converted, TimestampTz start)
{
	StampKey	key;

	if (stamps == NULL)
		return false;
	stamp_key(&key, relid, converted, start);
	return hash_search(stamps, &key, HASH_FIND, NULL) != NULL;
}

/*
 * Record that make_system_versioned gave the existing rows of relid (a
 * table with storage) the period [start, infinity) in this transaction.
 */
void
PeriodRecordConversion(Oid relid, TimestampTz start)
{
	record_stamp(relid, true, start);
}

/* ----------------------------------------------------------------------
 * Periods
 * ---------------------------------------------------------------------- */

/* Return the tstzrange [start, end), end NULL for unbounded. */
static Datum
make_range_value(TimestampTz start, TimestampTz *end)
{
	TypeCacheEntry *typcache = lookup_type_cache(TSTZRANGEOID, TYPECACHE_RANGE_INFO);
	RangeBound	lower;
	RangeBound	upper;

	lower.val = TimestampTzGetDatum(start);
	lower.infinite = start == DT_NOBEGIN;
	lower.inclusive = !lower.infinite;
	lower.lower = true;
	upper.val = end ? TimestampTzGetDatum(*end) : (Datum) 0;
	upper.infinite = end == NULL;
	upper.inclusive = false;
	upper.lower = false;
	return RangeTypePGetDatum(MakeRange(typcache, &lower, &upper, false));
}

/*
 * Return the period [start, end), end NULL for unbounded.  The last
 * unbounded one is kept: every row a transaction inserts gets the same.
 */
static Datum
make_period(TimestampTz start, TimestampTz *end)
{
	static TimestampTz open_start;
	static Datum open_period = (Datum) 0;
	MemoryContext old;

	if (end != NULL)
		return make_range_value(start, end);
	if (open_period == (Datum) 0 || open_start != start)
	{
		if (open_period != (Datum) 0)
			pfree(DatumGetPointer(open_period));
		old = MemoryContextSwitchTo(TopMemoryContext);
		open_period = make_range_value(start, NULL);
		MemoryContextSwitchTo(old);
		open_start = start;
	}
	return open_period;
}

/*
 * Return the start of the period of the old row version tuple (DT_NOBEGIN
 * when unbounded); raise 22004 when it is NULL, 22000 when it is empty or
 * has an end.
 */
TimestampTz
PeriodStart(Relation rel, HeapTuple tuple, AttrNumber attnum)
{
	TypeCacheEntry *typcache = lookup_type_cache(TSTZRANGEOID, TYPECACHE_RANGE_INFO);
	const char *column = NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname);
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, RelationGetDescr(rel), &isnull);
	RangeBound	lower;
	RangeBound	upper;
	bool		empty;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("system period column \"%s\" of relation \"%s\" must not be null",
						column, RelationGetRelationName(rel))));
	range_deserialize(typcache, DatumGetRangeTypeP(value), &lower, &upper, &empty);
	if (empty || !upper.infinite)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("system period column \"%s\" of relation \"%s\" contains invalid value",
						column, RelationGetRelationName(rel)),
				 errdetail("valid ranges must be non-empty and unbounded on the high side")));
	return lower.infinite ? DT_NOBEGIN : DatumGetTimestampTz(lower.val);
}

/*
 * Was the row version tuple of rel (period column attnum) written by the
 * current transaction, also in a subtransaction?  Its xmin tells, unless
 * the transaction gave rel new storage (a rewrite: see "Row versions this
 * transaction wrote"); then its period start does.  A row version that
 * make_system_versioned gave a period in this transaction is its too.
 */
bool
PeriodWrittenByMe(Relation rel, HeapTuple tuple, AttrNumber attnum)
{
	Oid			relid = RelationGetRelid(rel);
	TimestampTz start;

	if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data)))
		return any_converted && stamped(relid, true, PeriodStart(rel, tuple, attnum));
	if (rel->rd_createSubid != InvalidSubTransactionId ||
		RelationFirstNewStorageSubid(rel) == InvalidSubTransactionId)
		return true;
	start = PeriodStart(rel, tuple, attnum);
	return stamped(relid, false, start) || stamped(relid, true, start);
}

/* Parse the adjust option as temporal_tables does (22023 when invalid). */
static bool
adjust_option(const char *value)
{
	if (pg_strcasecmp(value, "true") == 0)
		return true;
	if (pg_strcasecmp(value, "false") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value \"%s\" for \"adjust\" parameter", value),
			 errdetail("valid values are: \"true\", \"false\"")));
	return false;				/* keep compiler quiet */
}

/*
 * Return when the old row version's period ends and the new one's starts:
 * the system time, unless the old version starts at or after it (a
 * transaction that started later wrote it): 22000, or with adjust 1
 * microsecond after its start, with a WARNING.
 */
TimestampTz
PeriodChangeTime(Relation rel, TimestampTz start, const char *adjust)
{
	TimestampTz now = SystemTime();
	char	   *start_text;

	if (start < now)
		return now;
	start_text = pstrdup(timestamptz_to_str(start));
	if (!adjust_option(adjust))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("system period value of relation \"%s\" cannot be set to a valid period because a row that is attempted to modify was also modified by another transaction",
						RelationGetRelationName(rel)),
				 errdetail("the start time of system period is %s but the start time of the current transaction is %s",
						   start_text, timestamptz_to_str(now)),
				 errhint("retry the statement or set \"adjust\" parameter of \"versioning\" function to true")));
	ereport(WARNING,
			(errcode(ERRCODE_PERIOD_ADJUSTED),
			 errmsg("system period value of relation \"%s\" was adjusted",
					RelationGetRelationName(rel))));
	return start + 1;
}

/*
 * Return tuple with its period column set to [start, end); a new row
 * version's (end NULL) start is recorded as this transaction's.
 */
HeapTuple
PeriodSet(Relation rel, Versioning *v, HeapTuple tuple, TimestampTz start,
		  TimestampTz *end)
{
	int			col = v->att_period;
	Datum		period = make_period(start, end);
	bool		isnull = false;

	if (end == NULL)
		record_stamp(RelationGetRelid(rel), false, start);
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), 1, &col, &period, &isnull);
}

/*
 * Must a history row be inserted by SQL?  When the history table is
 * partitioned (SQL routes the row to its partition), has CHECK constraints
 * or generated columns (which the executor checks and computes), or has
 * columns of its own (not the table's) with defaults, which an INSERT that
 * leaves them out fills in, or NOT NULL, which it checks.
 */
static bool
insert_by_sql(Versioning *v, Relation history)
{
	TupleDesc	desc = RelationGetDescr(history);
	TupleConstr *constr = desc->constr;
	int			i;

	if (history->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ||
		(constr != NULL && (constr->num_check > 0 || constr->has_generated_stored)))
		return true;
	for (i = 0; v->to_history && i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (v->to_history->attrMap->attnums[i] == 0 && !att->attisdropped &&
			(att->atthasdef || att->attnotnull))
			return true;
	}
	return false;
}

/*
 * Raise 55000: a rule or trigger of the history table made the insert of a
 * history row do something else.
 */
static void
refuse_rewritten_insert(Relation history)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("history table \"%s\" did not take the history row",
					RelationGetRelationName(history)),
			 errdetail("A rule or trigger of the history table turned the insert into something else."),
			 errhint("Drop the rule or trigger of the history table.")));
}

/*
 * Run the kept history insert plan with row as its parameter, and return
 * how many rows it inserted (0 when rules made it other statements).  The plan's privileges are checked as the
 * history table's owner, as the direct insert needs none: a writer of the
 * table needs no grant on its history.  Everything else, the history's
 * defaults, constraints and triggers, runs as the writer, who stays
 * current_user.  As SPI runs a plan: a new command id, a snapshot of it.
 */
static uint64
run_history_insert(SPIPlanPtr plan, Relation history, Datum row)
{
	CachedPlan *cplan = SPI_plan_get_cached_plan(plan);
	ParamListInfo params = makeParamList(1);
	QueryDesc  *query;
	Oid			save_userid;
	int			save_sec_context;
	uint64		processed;

	if (list_length(cplan->stmt_list) != 1 ||
		linitial_node(PlannedStmt, cplan->stmt_list)->commandType != CMD_INSERT)
	{
		ReleaseCachedPlan(cplan, CurrentResourceOwner);
		return 0;
	}

	params->params[0].value = row;
	params->params[0].isnull = false;
	params->params[0].pflags = PARAM_FLAG_CONST;
	params->params[0].ptype = history->rd_rel->reltype;
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	query = CreateQueryDesc(linitial_node(PlannedStmt, cplan->stmt_list),
							"history insert", GetActiveSnapshot(), InvalidSnapshot,
							None_Receiver, params, NULL, 0);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(history->rd_rel->relowner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		ExecutorStart(query, 0);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	ExecutorRunOnce(query, ForwardScanDirection, 0);
	processed = query->estate->es_processed;
	ExecutorFinish(query);
	ExecutorEnd(query);
	FreeQueryDesc(query);
	PopActiveSnapshot();
	ReleaseCachedPlan(cplan, CurrentResourceOwner);
	return processed;
}

/*
 * Insert row (in the history table's layout) by SQL, with a kept plan
 * (PlanHistoryInsert), through a write window for this one row of the
 * history table (which belongs to the registry's system-versioned table,
 * the root of a partitioned one).  A rule or trigger that makes it insert
 * anything but that one row is refused (55000).
 */
static void
insert_with_sql(Versioning *v, Relation history, HeapTuple row)
{
	GuardWindow window = {MANAGED_HISTORY,
		RegistryLookup(RelationGetRelid(history))->base_relid,
	TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT), 1};
	GuardWindow *outer;
	SPIPlanPtr	plan;
	volatile uint64 inserted;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = PlanHistoryInsert(v->plan_relid, v->plan_trigger, history, v->to_history);
	outer = GuardOpen(&window);
	PG_TRY();
	{
		inserted = run_history_insert(plan, history,
									  heap_copy_tuple_as_datum(row, RelationGetDescr(history)));
	}
	PG_FINALLY();
	{
		GuardClose(outer);
	}
	PG_END_TRY();
	if (inserted != 1)
	{
		PlanForgetHistoryInsert(v->plan_relid, v->plan_trigger);
		refuse_rewritten_insert(history);
	}
	SPI_finish();
}

/*
 * Return tuple of rel with the values of its virtual generated columns
 * (PostgreSQL 18) computed from the other columns, as a read of the row
 * shows them; tuple itself when rel has none.  A trigger gets these columns
 * NULL, and a history row must keep what the row version showed.  The
 * expressions are prepared per call: only tables with such columns pay.
 */
static HeapTuple
with_virtual_generated(Relation rel, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	EState	   *estate;
	TupleTableSlot *slot;
	Datum	   *values;
	bool	   *nulls;
	HeapTuple	result;
	int			i;

	if (!RelationHasVirtualGenerated(rel))
		return tuple;
	estate = CreateExecutorState();
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);
	ExecStoreHeapTuple(tuple, slot, false);
	GetPerTupleExprContext(estate)->ecxt_scantuple = slot;
	values = palloc(desc->natts * sizeof(Datum));
	nulls = palloc(desc->natts * sizeof(bool));
	heap_deform_tuple(tuple, desc, values, nulls);
	for (i = 0; i < desc->natts; i++)
	{
		ExprState  *expr;

		if (!AttributeIsVirtualGenerated(TupleDescAttr(desc, i)))
			continue;
		expr = ExecPrepareExpr((Expr *) GenerationExpression(rel, i + 1), estate);
		values[i] = ExecEvalExpr(expr, GetPerTupleExprContext(estate), &nulls[i]);
	}
	result = heap_form_tuple(desc, values, nulls);
	result->t_self = tuple->t_self;
	result->t_tableOid = tuple->t_tableOid;
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	return result;
}

/* Insert the old row version into the history table with period [start, end). */
void
PeriodWriteHistory(Relation rel, Versioning *v, HeapTuple old, TimestampTz start,
				   TimestampTz end)
{
	Relation	history = table_open(v->history, RowExclusiveLock);
	HeapTuple	closed = PeriodSet(rel, v, with_virtual_generated(rel, old), start, &end);
	HeapTuple	row = v->to_history ? execute_attr_map_tuple(closed, v->to_history) : closed;
	TupleTableSlot *slot;

	if (insert_by_sql(v, history))
		insert_with_sql(v, history, row);
	else
	{
		slot = MakeSingleTupleTableSlot(RelationGetDescr(history), &TTSOpsHeapTuple);
		ExecStoreHeapTuple(row, slot, false);
		DirectInsert(history, slot);
		ExecDropSingleTupleTableSlot(slot);
	}
	table_close(history, NoLock);
}

/*
 * Record the change of old row version (by an UPDATE or DELETE) in the
 * history table, unless this transaction wrote it, and return when its
 * successor starts (0 when nothing was recorded).
 */
TimestampTz
PeriodRecordChange(Relation rel, Versioning *v, HeapTuple old)
{
	TimestampTz start;
	TimestampTz end;

	if (PeriodWrittenByMe(rel, old, v->att_period))
		return 0;
	start = PeriodStart(rel, old, v->att_period);
	end = PeriodChangeTime(rel, start, v->adjust);
	PeriodWriteHistory(rel, v, old, start, end);
	return end;
}

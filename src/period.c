/*
 * period.c
 *		The trigger function of system-versioned tables (SQL:2011 system
 *		versioning, with the semantics of the temporal_tables extension): the
 *		period of every row version is stamped with the system time, and the
 *		row version an UPDATE or DELETE replaces goes into the history table
 *		with its period ended.
 *
 * One function serves two callers.  make_system_versioned attaches it
 * without arguments, BEFORE INSERT OR UPDATE (stamping) and AFTER UPDATE OR
 * DELETE (history, written only for rows really changed), and the registry
 * names the period column, history table and adjust option.  A
 * temporal_tables user attaches it as versioning(period_column,
 * history_table, adjust) BEFORE INSERT OR UPDATE OR DELETE, and gets
 * temporal_tables' behaviour and error messages; the history table is then
 * resolved once per trigger, an unqualified name in the table's own schema,
 * never through search_path.
 *
 * The system time is the transaction start time, or what set_SystemTime()
 * set.  A row version written by the current transaction (also in a
 * subtransaction) was never seen by anyone else: changing it again writes no
 * history row, so a transaction leaves at most one history row per row
 * (which row versions those are is told by xmin and, after a rewrite of the
 * table in the transaction, by the period starts it gave: see "Row versions
 * this transaction wrote").  A
 * row version whose period starts at or after the system time was written
 * by a transaction that started later: the change fails (22000) or, with
 * adjust, starts its period 1 microsecond after the other one's, with a
 * WARNING.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "parser/parse_relation.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/rangetypes.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/varlena.h"

#include "compat.h"
#include "direct.h"
#include "guard.h"
#include "period.h"
#include "registry.h"
#include "triggers.h"

PG_FUNCTION_INFO_V1(immutable_versioning);
PG_FUNCTION_INFO_V1(immutable_system_versioning);
PG_FUNCTION_INFO_V1(immutable_set_system_time);

/* temporal_tables' SQLSTATE for the adjusted-period WARNING */
#define ERRCODE_PERIOD_ADJUSTED MAKE_SQLSTATE('0','1','X','0','1')

/* What the trigger needs to know about one system-versioned table. */
typedef struct Versioning
{
	AttrNumber	att_period;
	Oid			history;
	TupleConversionMap *to_history; /* NULL when the layouts are equal */
	const char *adjust;			/* "true" or "false", or the trigger argument */
	SPIPlanPtr *insert_plan;	/* where the history INSERT by SQL is kept */
} Versioning;

/* ----------------------------------------------------------------------
 * System time
 * ---------------------------------------------------------------------- */

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
SystemTimeRecordConversion(Oid relid, TimestampTz start)
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
static TimestampTz
period_start(Relation rel, HeapTuple tuple, AttrNumber attnum)
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
static bool
written_by_me(Relation rel, HeapTuple tuple, AttrNumber attnum)
{
	Oid			relid = RelationGetRelid(rel);
	TimestampTz start;

	if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data)))
		return any_converted && stamped(relid, true, period_start(rel, tuple, attnum));
	if (rel->rd_createSubid != InvalidSubTransactionId ||
		RelationFirstNewStorageSubid(rel) == InvalidSubTransactionId)
		return true;
	start = period_start(rel, tuple, attnum);
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
static TimestampTz
change_time(Relation rel, TimestampTz start, const char *adjust)
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
static HeapTuple
with_period(Relation rel, Versioning *v, HeapTuple tuple, TimestampTz start,
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
 * Return INSERT INTO history (its columns the table has) SELECT those
 * columns of $1, a row of the history table's type.
 */
static char *
insert_statement(Versioning *v, Relation history)
{
	TupleDesc	desc = RelationGetDescr(history);
	StringInfoData columns;
	StringInfoData values;
	int			i;

	initStringInfo(&columns);
	initStringInfo(&values);
	for (i = 0; i < desc->natts; i++)
	{
		const char *name = quote_identifier(NameStr(TupleDescAttr(desc, i)->attname));

		if (TupleDescAttr(desc, i)->attisdropped ||
			(v->to_history && v->to_history->attrMap->attnums[i] == 0))
			continue;
		appendStringInfo(&columns, "%s%s", columns.len ? ", " : "", name);
		appendStringInfo(&values, "%s($1).%s", values.len ? ", " : "", name);
	}
	return psprintf("INSERT INTO %s (%s) SELECT %s",
					RelationQualifiedName(RelationGetRelid(history)), columns.data, values.data);
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
 * Insert row (in the history table's layout) by SQL, with a plan kept in
 * *v->insert_plan, through a write window for this one row of the history
 * table (which belongs to the registry's system-versioned table, the root of
 * a partitioned one).  A rule or trigger that makes it insert anything but
 * that one row is refused (55000).
 */
static void
insert_with_sql(Versioning *v, Relation history, HeapTuple row)
{
	Oid			argtypes[1] = {history->rd_rel->reltype};
	GuardWindow window = {MANAGED_HISTORY,
		RegistryLookup(RelationGetRelid(history))->base_relid,
		TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT), 1};
	GuardWindow *outer;
	volatile uint64 inserted;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (*v->insert_plan == NULL || !SPI_plan_is_valid(*v->insert_plan))
	{
		SPIPlanPtr	plan = SPI_prepare(insert_statement(v, history), 1, argtypes);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare the history insert: %s",
				 SPI_result_code_string(SPI_result));
		if (*v->insert_plan != NULL)
			SPI_freeplan(*v->insert_plan);
		*v->insert_plan = plan;
	}
	outer = GuardOpen(&window);
	PG_TRY();
	{
		inserted = run_history_insert(*v->insert_plan, history,
									  heap_copy_tuple_as_datum(row, RelationGetDescr(history)));
	}
	PG_FINALLY();
	{
		GuardClose(outer);
	}
	PG_END_TRY();
	if (inserted != 1)
	{
		/* a plan rewritten to nothing depends on no relation: no DROP RULE frees it */
		SPI_freeplan(*v->insert_plan);
		*v->insert_plan = NULL;
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
static void
write_history(Relation rel, Versioning *v, HeapTuple old, TimestampTz start,
			  TimestampTz end)
{
	Relation	history = table_open(v->history, RowExclusiveLock);
	HeapTuple	closed = with_period(rel, v, with_virtual_generated(rel, old), start, &end);
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
static TimestampTz
record_change(Relation rel, Versioning *v, HeapTuple old)
{
	TimestampTz start;
	TimestampTz end;

	if (written_by_me(rel, old, v->att_period))
		return 0;
	start = period_start(rel, old, v->att_period);
	end = change_time(rel, start, v->adjust);
	write_history(rel, v, old, start, end);
	return end;
}

/* ----------------------------------------------------------------------
 * Tables made system-versioned by make_system_versioned
 * ---------------------------------------------------------------------- */

/* Fill v from the registry entry of a system-versioned table. */
static void
managed_versioning(ManagedRelation *entry, Versioning *v)
{
	v->att_period = entry->att_period;
	v->history = entry->history;
	v->to_history = entry->to_history;
	v->adjust = entry->adjust ? "true" : "false";
	v->insert_plan = &entry->plans[PLAN_HISTORY_INSERT];
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
			record_change(rel, v, old);
		return PointerGetDatum(old);
	}
	start = record_change(rel, v, old);
	if (start == 0)
		start = period_start(rel, old, v->att_period);
	moved_relid = RelationGetRelid(rel);
	moved_tid = old->t_self;
	moved_xid = GetCurrentTransactionIdIfAny();
	moved_cid = GetCurrentCommandId(false);
	return PointerGetDatum(with_period(rel, v, trigdata->tg_newtuple, start, NULL));
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
		return PointerGetDatum(with_period(rel, &v, old, SystemTime(), NULL));
	if (TRIGGER_FIRED_BEFORE(event) && TRIGGER_FOR_DELETE(trigdata->tg_trigger->tgtype))
		return change_before(trigdata, &v);
	if (TRIGGER_FIRED_BEFORE(event))
	{
		start = period_start(rel, old, v.att_period);
		if (!written_by_me(rel, old, v.att_period))
			start = change_time(rel, start, v.adjust);
		return PointerGetDatum(with_period(rel, &v, trigdata->tg_newtuple, start, NULL));
	}
	if (written_by_me(rel, old, v.att_period))
		return PointerGetDatum(NULL);
	start = period_start(rel, old, v.att_period);
	write_history(rel, &v, old, start,
				  TRIGGER_FIRED_BY_UPDATE(event) ?
				  period_start(rel, trigdata->tg_newtuple, v.att_period) :
				  change_time(rel, start, v.adjust));
	return PointerGetDatum(NULL);
}

/* ----------------------------------------------------------------------
 * temporal_tables' versioning(period_column, history_table, adjust)
 * ---------------------------------------------------------------------- */

/* One trigger's resolved arguments, kept until its table changes. */
typedef struct CompatEntry
{
	Oid			tgoid;			/* hash key */
	Oid			relid;
	bool		valid;
	bool		history_valid;	/* v.history and v.to_history resolved */
	Versioning	v;
	SPIPlanPtr	insert_plan;
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
 * search_path, at every call).
 */
static Oid
compat_history_table(Relation rel, const char *name)
{
	RangeVar   *rv = makeRangeVarFromNameList(StringToQualifiedNameList(name));

	if (rv->schemaname == NULL)
		rv->schemaname = get_namespace_name(RelationGetNamespace(rel));
	return RangeVarGetRelid(rv, AccessShareLock, false);
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
	if (entry->insert_plan != NULL)
		SPI_freeplan(entry->insert_plan);
	entry->insert_plan = NULL;
	history = table_open(entry->v.history, AccessShareLock);
	compat_check_history(rel, history, entry->v.att_period);
	old = MemoryContextSwitchTo(entry->cxt);
	entry->v.to_history = ConversionMapByName(CreateTupleDescCopy(RelationGetDescr(rel)),
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
		entry->insert_plan = NULL;
		entry->valid = entry->history_valid = false;
	}
	entry->v.insert_plan = &entry->insert_plan;
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
		return PointerGetDatum(with_period(rel, v, trigdata->tg_trigtuple, SystemTime(), NULL));
	if (!written_by_me(rel, trigdata->tg_trigtuple, v->att_period))
		v = compat_versioning(rel, trigdata->tg_trigger, true);
	end = record_change(rel, v, trigdata->tg_trigtuple);
	if (TRIGGER_FIRED_BY_DELETE(event))
		return PointerGetDatum(trigdata->tg_trigtuple);
	if (end == 0)
		return PointerGetDatum(trigdata->tg_newtuple);
	return PointerGetDatum(with_period(rel, v, trigdata->tg_newtuple, end, NULL));
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
static Datum
managed_call(FunctionCallInfo fcinfo, const char *funcname, ManagedRelation *entry)
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
 * immutable.versioning() RETURNS trigger
 *
 * The trigger function of temporal_tables (SQL:2011 system versioning,
 * temporal_tables' semantics); the period is a tstzrange, microseconds.
 * Attached by a temporal_tables user as versioning(period_column,
 * history_table, adjust) BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW: sets
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
		return managed_call(fcinfo, "versioning", entry);
	compat_check_call(fcinfo);
	return compat_trigger(trigdata);
}

/*
 * immutable.system_versioning() RETURNS trigger
 *
 * The trigger function that make_system_versioned attaches (SQL:2011
 * system versioning, temporal_tables' semantics): BEFORE INSERT OR UPDATE
 * FOR EACH ROW sets the period of the new row version to [system time,
 * infinity) (a row version this transaction wrote keeps its start), and
 * inserts the old row version into the history table with its period ended
 * where the new one starts (at the system time for a DELETE), unless this
 * transaction wrote it: BEFORE UPDATE OR DELETE, or on a partitioned table
 * AFTER UPDATE OR DELETE.  Executable by PUBLIC: the owner of a partitioned
 * table who creates or attaches a partition gets clones of these triggers,
 * for which PostgreSQL checks EXECUTE; fired by any other trigger it does
 * nothing but raise 39P01, so attaching it elsewhere gives no one a way to
 * write history rows.  Errors: as versioning().
 */
Datum
immutable_system_versioning(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		TriggerCheckCall(fcinfo, "system_versioning", TRIGGER_EVENT_BEFORE, true, 0);
	return managed_call(fcinfo, "system_versioning",
						RegistryLookup(RelationGetRelid(trigdata->tg_relation)));
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

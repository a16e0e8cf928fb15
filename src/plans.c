/*
 * plans.c
 *		The kept SPI plans of managed tables: the text of every statement the
 *		extension keeps prepared, their preparation, one cache and one
 *		invalidation callback.
 *
 * A plan is kept per (table, trigger, statement); the trigger is that of a
 * temporal_tables-style versioning() trigger, whose arguments name the
 * history table, and InvalidOid otherwise.  The relcache callback only marks
 * entries invalid (a plan may be executing further up the stack); the next
 * use frees and prepares them again, as it does when PostgreSQL's plan
 * cache found them invalid.  As in ri_triggers.c.
 *
 * The periods of the FOR SYSTEM_TIME forms are [start, end): the period
 * column of a system-versioned table, [valid_from, next version's
 * valid_from) of a version (tombstones are not row versions: an entity does
 * not exist while deleted).  The predicates of SQL:2011, written as range
 * operators so that the history table's BRIN index on the period serves
 * them:
 *
 *	AS OF t					start <= t < end			period @> t
 *	FROM a TO b				start < b AND end > a		period && [a, b)
 *	BETWEEN a AND b			start <= b AND end > a		period && [a, b]
 *	CONTAINED IN (a, b)		start >= a AND end <= b		period <@ [a, b]
 *	ALL						every row version
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "ddl.h"
#include "plans.h"
#include "registry.h"

/* Which plan an entry keeps. */
typedef struct PlanKey
{
	Oid			relid;			/* the managed table */
	Oid			trigger;		/* a versioning() trigger, or InvalidOid */
	KeptPlan	which;
} PlanKey;

typedef struct PlanEntry
{
	PlanKey		key;			/* hash key */
	Oid			history;		/* a history table the text depends on */
	bool		valid;			/* false after a relcache invalidation */
	SPIPlanPtr	plan;			/* NULL until prepared */
} PlanEntry;

static HTAB *KeptPlans = NULL;

/*
 * Mark the plans of relid (as table or history table), or all of them for
 * InvalidOid, for preparing again.
 */
static void
plans_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	PlanEntry  *entry;

	hash_seq_init(&status, KeptPlans);
	while ((entry = hash_seq_search(&status)) != NULL)
		if (!OidIsValid(relid) || entry->key.relid == relid || entry->history == relid)
			entry->valid = false;
}

/* Create the cache and register its invalidation callback (from _PG_init). */
void
PlansInit(void)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(PlanKey);
	ctl.entrysize = sizeof(PlanEntry);
	ctl.hcxt = CacheMemoryContext;
	KeptPlans = hash_create("immutable kept plans", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	CacheRegisterRelcacheCallback(plans_relcache_callback, (Datum) 0);
}

/* ----------------------------------------------------------------------
 * Query texts
 * ---------------------------------------------------------------------- */

/* Return the condition on period of one FOR SYSTEM_TIME form. */
static char *
period_condition(KeptPlan which, const char *period)
{
	switch (which)
	{
		case PLAN_PERIOD_AS_OF:
			return psprintf("%s OPERATOR(pg_catalog.@>) $1", period);
		case PLAN_PERIOD_FROM_TO:
			return psprintf("%s OPERATOR(pg_catalog.&&) pg_catalog.tstzrange($1, $2, '[)')",
							period);
		case PLAN_PERIOD_BETWEEN:
			return psprintf("%s OPERATOR(pg_catalog.&&) pg_catalog.tstzrange($1, $2, '[]')",
							period);
		case PLAN_PERIOD_CONTAINED_IN:
			return psprintf("%s OPERATOR(pg_catalog.<@) pg_catalog.tstzrange($1, $2, '[]')",
							period);
		default:
			return pstrdup("true");
	}
}

/*
 * Append the query of one FOR SYSTEM_TIME form over system-versioned table
 * rel: its rows and its history table's whose period satisfies the
 * condition, the history rows with the table's columns in its order.
 */
static void
append_system_versioned(StringInfo buf, ManagedRelation *entry, Relation rel,
						KeptPlan which)
{
	const char *period = quote_identifier(get_attname(entry->relid, entry->system_versioned.att_period, false));

	appendStringInfo(buf, "SELECT t.* FROM %s AS t WHERE %s UNION ALL SELECT ",
					 RelationTableScan(RelationGetRelid(rel)),
					 period_condition(which, psprintf("t.%s", period)));
	DdlAppendColumns(buf, rel, "h.", false);
	appendStringInfo(buf, " FROM %s AS h WHERE %s",
					 RelationTableScan(entry->history),
					 period_condition(which, psprintf("h.%s", period)));
}

/*
 * Append the query of one FOR SYSTEM_TIME form over versioned table rel:
 * every version that is not a tombstone, its period ended by the next
 * version's valid_from (found with the (entity_id, version) index).
 * Versions written by one transaction share valid_from: all but the last
 * have empty periods, as they were never current.
 */
static void
append_versioned(StringInfo buf, const char *table, KeptPlan which)
{
	appendStringInfo(buf, "SELECT h.* FROM ONLY %1$s AS h LEFT JOIN ONLY %1$s AS n"
					 " ON n.entity_id OPERATOR(pg_catalog.=) h.entity_id"
					 " AND n.version OPERATOR(pg_catalog.=) (h.version OPERATOR(pg_catalog.+) 1)"
					 " WHERE h.deleted_at IS NULL AND %2$s", table,
					 period_condition(which, "pg_catalog.tstzrange(h.valid_from, n.valid_from, '[)')"));
}

/* Append the text of one statement on the versions of versioned table rel. */
static void
append_version_statement(StringInfo buf, Relation rel, const char *table, KeptPlan which)
{
	switch (which)
	{
		case PLAN_INSERT:
		case PLAN_UPDATE:
			appendStringInfo(buf, "INSERT INTO %s AS x (", table);
			DdlAppendColumns(buf, rel, "", true);
			appendStringInfoString(buf, ") SELECT ");
			DdlAppendColumns(buf, rel, "r.", true);
			if (which == PLAN_INSERT)
				appendStringInfoString(buf, " FROM (SELECT ($1).*) AS r");
			else
				appendStringInfoString(buf, " FROM pg_catalog.jsonb_populate_record($1, $2) AS r");
			/* x.* in a cast is the whole row, also when a column is named x */
			appendStringInfo(buf, " RETURNING (x.*)::%s", table);
			break;
		case PLAN_HISTORY:
			appendStringInfo(buf,
							 "SELECT h.* FROM ONLY %s AS h"
							 " WHERE h.entity_id OPERATOR(pg_catalog.=) $1"
							 " ORDER BY h.version", table);
			break;
		case PLAN_AS_OF_ENTITY:
			appendStringInfo(buf,
							 "SELECT (h.*)::%1$s, h.deleted_at IS NOT NULL FROM ONLY %1$s AS h"
							 " WHERE h.entity_id OPERATOR(pg_catalog.=) $1"
							 " AND h.valid_from OPERATOR(pg_catalog.<=) $2"
							 " ORDER BY h.version DESC LIMIT 1", table);
			break;
		case PLAN_AS_OF_ALL:
			appendStringInfo(buf,
							 "SELECT h.* FROM ONLY %1$s AS h"
							 " WHERE h.valid_from OPERATOR(pg_catalog.<=) $1"
							 " AND h.deleted_at IS NULL"
							 " AND NOT EXISTS (SELECT FROM ONLY %1$s AS n"
							 " WHERE n.entity_id OPERATOR(pg_catalog.=) h.entity_id"
							 " AND n.version OPERATOR(pg_catalog.=) (h.version OPERATOR(pg_catalog.+) 1)"
							 " AND n.valid_from OPERATOR(pg_catalog.<=) $1)", table);
			break;
		default:
			elog(ERROR, "invalid plan number %d", (int) which);
	}
}

/* Build the text of one kept statement of the table of entry. */
static char *
statement_text(ManagedRelation *entry, Relation rel, KeptPlan which)
{
	char	   *table = RelationQualifiedName(RelationGetRelid(rel));
	StringInfoData buf;

	initStringInfo(&buf);
	if (which < PLAN_PERIOD_AS_OF)
		append_version_statement(&buf, rel, table, which);
	else if (entry->kind == MANAGED_SYSTEM_VERSIONED)
		append_system_versioned(&buf, entry, rel, which);
	else
		append_versioned(&buf, table, which);
	return buf.data;
}

/* Return the parameter types of one kept statement. */
static int
statement_argtypes(ManagedRelation *entry, KeptPlan which, Oid *argtypes)
{
	switch (which)
	{
		case PLAN_INSERT:
			argtypes[0] = entry->rowtype;
			return 1;
		case PLAN_UPDATE:
			argtypes[0] = entry->rowtype;
			argtypes[1] = JSONBOID;
			return 2;
		case PLAN_AS_OF_ENTITY:
			argtypes[0] = UUIDOID;
			argtypes[1] = TIMESTAMPTZOID;
			return 2;
		case PLAN_AS_OF_ALL:
		case PLAN_PERIOD_AS_OF:
			argtypes[0] = TIMESTAMPTZOID;
			return 1;
		case PLAN_PERIOD_FROM_TO:
		case PLAN_PERIOD_BETWEEN:
		case PLAN_PERIOD_CONTAINED_IN:
			argtypes[0] = TIMESTAMPTZOID;
			argtypes[1] = TIMESTAMPTZOID;
			return 2;
		case PLAN_PERIOD_ALL:
			return 0;
		default:
			argtypes[0] = UUIDOID;
			return 1;
	}
}

/*
 * Return INSERT INTO history (its columns the table has) SELECT those
 * columns of $1, a row of the history table's type; to_history maps the
 * table's columns to the history's (NULL: the same layout).
 */
static char *
history_insert_text(Relation history, TupleConversionMap *to_history)
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
			(to_history && to_history->attrMap->attnums[i] == 0))
			continue;
		appendStringInfo(&columns, "%s%s", columns.len ? ", " : "", name);
		appendStringInfo(&values, "%s($1).%s", values.len ? ", " : "", name);
	}
	return psprintf("INSERT INTO %s (%s) SELECT %s",
					RelationQualifiedName(RelationGetRelid(history)), columns.data, values.data);
}

/* ----------------------------------------------------------------------
 * The cache
 * ---------------------------------------------------------------------- */

/*
 * Return the cache entry of a plan, with its plan NULL unless it is still
 * valid (an invalid one is freed).
 */
static PlanEntry *
plan_entry(Oid relid, Oid trigger, KeptPlan which)
{
	PlanKey		key;
	PlanEntry  *entry;
	bool		found;

	memset(&key, 0, sizeof(key));
	key.relid = relid;
	key.trigger = trigger;
	key.which = which;
	entry = hash_search(KeptPlans, &key, HASH_ENTER, &found);
	if (!found)
	{
		entry->plan = NULL;
		entry->history = InvalidOid;
		entry->valid = false;
	}
	if (entry->plan != NULL && (!entry->valid || !SPI_plan_is_valid(entry->plan)))
	{
		SPI_freeplan(entry->plan);
		entry->plan = NULL;
	}
	return entry;
}

/*
 * Prepare sql with its parameter types, keep it in entry and return it.
 * A generic plan from the start when generic: the statements are index
 * lookups whose best plan does not depend on the values.
 */
static SPIPlanPtr
plan_keep(PlanEntry *entry, const char *sql, int nargs, Oid *argtypes, bool generic,
		  Oid history)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(sql, nargs, argtypes,
										  generic ? CURSOR_OPT_GENERIC_PLAN : 0);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	entry->plan = plan;
	entry->history = history;
	entry->valid = true;
	return plan;
}

/*
 * Return the kept plan of one statement of a versioned or system-versioned
 * table, preparing it on first use and again after DDL made it invalid.
 * Caller is connected to SPI.
 */
static SPIPlanPtr
plan_get(ManagedRelation *managed, KeptPlan which)
{
	PlanEntry  *entry = plan_entry(managed->relid, InvalidOid, which);
	Oid			argtypes[2];
	int			nargs;
	Relation	rel;
	char	   *sql;

	if (entry->plan != NULL)
		return entry->plan;
	rel = relation_open(managed->relid, AccessShareLock);
	nargs = statement_argtypes(managed, which, argtypes);
	sql = statement_text(managed, rel, which);
	relation_close(rel, AccessShareLock);
	return plan_keep(entry, sql, nargs, argtypes, true, managed->history);
}

/*
 * Run one kept statement of a table that returns whole rows, at most limit
 * of them (0: all), and return how many it processed.  Caller is connected
 * to SPI.
 */
uint64
PlanExecute(ManagedRelation *entry, KeptPlan which, Datum *args, bool read_only,
			long limit)
{
	int			ret = SPI_execute_plan(plan_get(entry, which), args, NULL,
									   read_only, limit);

	if (ret < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(ret));
	return SPI_processed;
}

/*
 * Run one kept statement of a table, read-only, sending its rows to dest.
 * Caller is connected to SPI.
 */
void
PlanExecuteInto(ManagedRelation *entry, KeptPlan which, Datum *args,
				DestReceiver *dest)
{
	SPIPlanPtr	plan = plan_get(entry, which);
	int			nargs = SPI_getargcount(plan);
	ParamListInfo params = makeParamList(nargs);
	SPIExecuteOptions options;
	int			ret;
	int			i;

	for (i = 0; i < nargs; i++)
	{
		params->params[i].value = args[i];
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = SPI_getargtypeid(plan, i);
	}
	memset(&options, 0, sizeof(options));
	options.params = params;
	options.read_only = true;
	options.dest = dest;
	ret = SPI_execute_plan_extended(plan, &options);
	if (ret < 0)
		elog(ERROR, "SPI_execute_plan_extended failed: %s", SPI_result_code_string(ret));
}

/*
 * Return the kept plan that inserts a row of history table history (its
 * parameter) for table relid, whose rows map to the history's by
 * to_history; trigger is the versioning() trigger that names the history
 * table, or InvalidOid for a table made system-versioned.  Caller is
 * connected to SPI.
 */
SPIPlanPtr
PlanHistoryInsert(Oid relid, Oid trigger, Relation history,
				  TupleConversionMap *to_history)
{
	PlanEntry  *entry = plan_entry(relid, trigger, PLAN_HISTORY_INSERT);
	Oid			argtypes[1] = {history->rd_rel->reltype};

	if (entry->plan != NULL && entry->history == RelationGetRelid(history))
		return entry->plan;
	if (entry->plan != NULL)
		SPI_freeplan(entry->plan);
	entry->plan = NULL;
	return plan_keep(entry, history_insert_text(history, to_history), 1, argtypes,
					 false, RelationGetRelid(history));
}

/*
 * Free the history insert plan of PlanHistoryInsert: a rule rewrote it to
 * nothing, and such a plan depends on no relation, so no DROP RULE would
 * make it invalid.
 */
void
PlanForgetHistoryInsert(Oid relid, Oid trigger)
{
	PlanEntry  *entry = plan_entry(relid, trigger, PLAN_HISTORY_INSERT);

	if (entry->plan != NULL)
		SPI_freeplan(entry->plan);
	entry->plan = NULL;
}

/*
 * versioned_current_view.c
 *		The current view of a versioned table: its definition, and its
 *		INSTEAD OF trigger.  INSERT, UPDATE and DELETE on the view append
 *		versions and tombstones to the table, so an ORM can treat the view as
 *		an ordinary table.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "args.h"
#include "ddl.h"
#include "guard.h"
#include "registry.h"
#include "triggers.h"
#include "versioned_entity.h"
#include "versioned_current_view.h"

PG_FUNCTION_INFO_V1(immutable_write_current_view);

/*
 * Give the view the table's column defaults (and drop those the table no
 * longer has), so that an INSERT through the view that leaves a column out
 * gets the same value as one into the table.  Not read-only: in an event
 * trigger, the ALTER TABLE that just ran must be visible.
 */
static void
copy_column_defaults(Oid relid, const char *view)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};
	List	   *statements = NIL;
	ListCell   *lc;
	uint64		i;
	int			ret;

	ret = SPI_execute_with_args("SELECT a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid)"
								" FROM pg_catalog.pg_attribute a"
								" LEFT JOIN pg_catalog.pg_attrdef d"
								" ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid"
								" AND d.adnum OPERATOR(pg_catalog.=) a.attnum"
								" WHERE a.attrelid OPERATOR(pg_catalog.=) $1"
								" AND a.attnum OPERATOR(pg_catalog.>) 0"
								" AND NOT a.attisdropped"
								" AND a.attgenerated OPERATOR(pg_catalog.=) ''"
								" ORDER BY a.attnum",
								1, argtypes, args, NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_attrdef: %s", SPI_result_code_string(ret));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		const char *column = quote_identifier(SPI_getvalue(tuple, desc, 1));
		char	   *expr = SPI_getvalue(tuple, desc, 2);

		statements = lappend(statements, expr == NULL ?
							 psprintf("ALTER VIEW %s ALTER COLUMN %s DROP DEFAULT",
									  view, column) :
							 psprintf("ALTER VIEW %s ALTER COLUMN %s SET DEFAULT %s",
									  view, column, expr));
	}
	foreach(lc, statements)
		DdlRun(lfirst(lc), SPI_OK_UTILITY);
}

/*
 * Return the query of the current view: the latest version of every live
 * entity, from the heads table, with the versioned table's columns in its
 * order.  One row per entity however long the history, and a condition on
 * entity_id or a natural key becomes an index scan.
 */
static char *
view_query(Oid relid, Oid heads)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	StringInfoData columns;

	initStringInfo(&columns);
	DdlAppendColumns(&columns, rel, "h.", false);
	relation_close(rel, AccessShareLock);
	return psprintf("SELECT %s FROM ONLY %s AS h WHERE h.deleted_at IS NULL",
					columns.data, RelationQualifiedName(heads));
}

/*
 * Create the current view of versioned table relid over its heads table,
 * named name in the table's schema, with the table's defaults and the
 * writing trigger; return its OID.  Caller has run DdlBegin.
 */
Oid
CurrentViewCreate(Oid relid, Oid heads, const char *name)
{
	Oid			nspid = get_rel_namespace(relid);
	char	   *view = quote_qualified_identifier(get_namespace_name(nspid), name);
	Oid			viewid;

	DdlRun(psprintf("CREATE VIEW %s AS %s", view, view_query(relid, heads)),
		   SPI_OK_UTILITY);
	DdlRun(psprintf("COMMENT ON VIEW %s IS %s", view,
					quote_literal_cstr(psprintf("current versions of the live entities of %s; "
												"INSERT, UPDATE and DELETE append versions",
												RelationQualifiedName(relid)))),
		   SPI_OK_UTILITY);
	copy_column_defaults(relid, view);
	viewid = get_relname_relid(name, nspid);
	DdlAttachTrigger(TRG_CURRENT_VIEW, viewid, NULL);
	return viewid;
}

/*
 * Give view columns the names of the table columns they show: the view's
 * columns are the table's columns in order, as of the view's last refresh.
 */
static void
rename_drifted_columns(Oid relid, Oid viewid, const char *view)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	Relation	viewrel = relation_open(viewid, AccessShareLock);
	TupleDesc	table = RelationGetDescr(rel);
	TupleDesc	desc = RelationGetDescr(viewrel);
	List	   *statements = NIL;
	ListCell   *lc;
	int			t = 0;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		const char *shown = NameStr(TupleDescAttr(desc, i)->attname);
		const char *current;

		while (t < table->natts && TupleDescAttr(table, t)->attisdropped)
			t++;
		if (t >= table->natts)
			break;
		current = NameStr(TupleDescAttr(table, t++)->attname);
		if (strcmp(shown, current) != 0)
			statements = lappend(statements,
								 psprintf("ALTER VIEW %s RENAME COLUMN %s TO %s", view,
										  quote_identifier(shown), quote_identifier(current)));
	}
	relation_close(viewrel, AccessShareLock);
	relation_close(rel, AccessShareLock);
	foreach(lc, statements)
		DdlRun(lfirst(lc), SPI_OK_UTILITY);
}

/*
 * Bring the current view viewid of relid up to date after ALTER TABLE (and
 * after its heads table followed): new columns are appended, renamed ones
 * renamed, defaults copied again.  Caller has run DdlBegin.
 */
void
CurrentViewRefresh(Oid relid, Oid heads, Oid viewid)
{
	char	   *view = RelationQualifiedName(viewid);

	rename_drifted_columns(relid, viewid, view);
	DdlRun(psprintf("CREATE OR REPLACE VIEW %s AS %s", view, view_query(relid, heads)),
		   SPI_OK_UTILITY);
	copy_column_defaults(relid, view);
}

/*
 * For each column of the view, the attribute number of the table column of
 * the same name (0 for none); also where entity_id and version are in the
 * view.
 */
typedef struct ViewMap
{
	AttrNumber *table_attnum;	/* indexed by view attribute number - 1 */
	int			view_entity_id; /* view attribute index, -1 when absent */
	int			view_version;
} ViewMap;

/* Return the attribute number of the live column called name, or 0. */
static AttrNumber
find_column(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

/*
 * Raise 55000 for a current view changed by hand so that it no longer shows
 * a column of the table under its name and type: a row written through it
 * would lose that column's value, or put a value of one type in a column of
 * another.
 */
static void
report_view_mismatch(Relation viewrel, Form_pg_attribute att, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("current view \"%s\" %s column \"%s\" of its versioned table",
					RelationGetRelationName(viewrel), what, NameStr(att->attname)),
			 errdetail("Writes through the view carry the values of the table's columns, by name."),
			 errhint("Recreate it with immutable.make_mutable() and immutable.make_versioned().")));
}

/*
 * Match the view's columns to the table's by name; every column of the
 * table must be shown by a view column of the same name and type.
 */
static void
build_view_map(Relation viewrel, TupleDesc table, ManagedRelation *entry,
			   ViewMap *map)
{
	TupleDesc	view = RelationGetDescr(viewrel);
	bool	   *shown = palloc0(table->natts * sizeof(bool));
	int			i;

	map->table_attnum = palloc0(view->natts * sizeof(AttrNumber));
	map->view_entity_id = -1;
	map->view_version = -1;
	for (i = 0; i < view->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(view, i);
		Form_pg_attribute column;

		if (att->attisdropped)
			continue;
		map->table_attnum[i] = find_column(table, NameStr(att->attname));
		if (map->table_attnum[i] == InvalidAttrNumber)
			continue;
		column = TupleDescAttr(table, map->table_attnum[i] - 1);
		if (column->atttypid != att->atttypid || column->atttypmod != att->atttypmod)
			report_view_mismatch(viewrel, column, "shows another type than");
		shown[map->table_attnum[i] - 1] = true;
		if (map->table_attnum[i] == entry->versioned.att_entity_id)
			map->view_entity_id = i;
		else if (map->table_attnum[i] == entry->versioned.att_version)
			map->view_version = i;
	}
	for (i = 0; i < table->natts; i++)
	{
		if (!shown[i] && !TupleDescAttr(table, i)->attisdropped)
			report_view_mismatch(viewrel, TupleDescAttr(table, i), "does not show");
	}
}

/*
 * Build the table row to append: the view row's values, and for UPDATE and
 * DELETE the entity and version number that follow the row the statement
 * read (OLD), so that a row superseded meanwhile fails with 40001 in the
 * versioning trigger instead of overwriting a newer version.
 */
static Datum
table_row_for(TriggerData *trigdata, ManagedRelation *entry, TupleDesc table,
			  ViewMap *map)
{
	TupleDesc	view = RelationGetDescr(trigdata->tg_relation);
	TriggerEvent event = trigdata->tg_event;
	HeapTuple	source = TRIGGER_FIRED_BY_UPDATE(event) ?
	trigdata->tg_newtuple : trigdata->tg_trigtuple;
	Datum	   *values = palloc0(table->natts * sizeof(Datum));
	bool	   *nulls = palloc(table->natts * sizeof(bool));
	int			i;

	memset(nulls, true, table->natts * sizeof(bool));
	for (i = 0; i < view->natts; i++)
	{
		AttrNumber	attnum = map->table_attnum[i];

		if (attnum > 0)
			values[attnum - 1] = heap_getattr(source, i + 1, view, &nulls[attnum - 1]);
	}

	if (!TRIGGER_FIRED_BY_INSERT(event))
	{
		HeapTuple	old = trigdata->tg_trigtuple;
		bool		isnull;
		int32		version;

		values[entry->versioned.att_entity_id - 1] =
			heap_getattr(old, map->view_entity_id + 1, view, &isnull);
		nulls[entry->versioned.att_entity_id - 1] = isnull;
		version = DatumGetInt32(heap_getattr(old, map->view_version + 1, view, &isnull));
		values[entry->versioned.att_version - 1] = Int32GetDatum(version + 1);
		nulls[entry->versioned.att_version - 1] = isnull;
	}
	values[entry->versioned.att_deleted_at - 1] =
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	nulls[entry->versioned.att_deleted_at - 1] = !TRIGGER_FIRED_BY_DELETE(event);

	return HeapTupleGetDatum(heap_form_tuple(table, values, nulls));
}

/* Return the appended table row reshaped as a row of the view. */
static HeapTuple
view_row_from(Datum written, TupleDesc view, TupleDesc table, ViewMap *map)
{
	HeapTupleData tuple;
	Datum	   *values = palloc(table->natts * sizeof(Datum));
	bool	   *nulls = palloc(table->natts * sizeof(bool));
	Datum	   *view_values = palloc0(view->natts * sizeof(Datum));
	bool	   *view_nulls = palloc(view->natts * sizeof(bool));
	int			i;

	ArgRowAsTuple(written, &tuple);
	heap_deform_tuple(&tuple, table, values, nulls);

	for (i = 0; i < view->natts; i++)
	{
		AttrNumber	attnum = map->table_attnum[i];

		view_nulls[i] = attnum == 0 || nulls[attnum - 1];
		if (!view_nulls[i])
			view_values[i] = values[attnum - 1];
	}
	return heap_form_tuple(view, view_values, view_nulls);
}

/*
 * immutable.write_current_view() RETURNS trigger
 *
 * Trigger function (INSTEAD OF INSERT OR UPDATE OR DELETE FOR EACH ROW) of the
 * current view of a versioned table: writes to the view append versions to the
 * table.  INSERT appends the row (a new entity when entity_id is NULL); UPDATE
 * appends version OLD.version + 1 of OLD's entity with the new values; DELETE
 * appends a tombstone (OLD with deleted_at set).  Returns the appended row as
 * a row of the view (OLD for DELETE), so row counts and RETURNING work; NULL
 * (the row is not counted) when a BEFORE INSERT trigger of the table cancelled
 * it, as an INSERT into the table would.  Errors: those of the versioning
 * trigger, notably 40001 when OLD was superseded by a concurrent writer; 55000
 * when the view is no longer the current view of a versioned table, or no
 * longer shows a column of the table under its name and type; 39P01 when
 * misused.
 */
Datum
immutable_write_current_view(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	ManagedRelation *view_entry;
	ManagedRelation *entry;
	Oid			base_relid;
	TupleDesc	view;
	TupleDesc	table;
	ViewMap		map;
	Datum		written;
	HeapTuple	result;

	TriggerCheckCall(fcinfo, "write_current_view", TRIGGER_EVENT_INSTEAD, true,
					 TRIGGER_OP_BIT(TRIGGER_EVENT_INSERT) |
					 TRIGGER_OP_BIT(TRIGGER_EVENT_UPDATE) |
					 TRIGGER_OP_BIT(TRIGGER_EVENT_DELETE));
	view_entry = RegistryLookup(RelationGetRelid(trigdata->tg_relation));
	if (view_entry->kind != MANAGED_CURRENT_VIEW)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("view \"%s\" is not the current view of a versioned table",
						RelationGetRelationName(trigdata->tg_relation)),
				 errhint("Drop the trigger, or recreate the view with immutable.make_versioned().")));
	base_relid = view_entry->base_relid;
	entry = RegistryLookupVersioned(base_relid);

	view = RelationGetDescr(trigdata->tg_relation);
	table = lookup_rowtype_tupdesc(entry->rowtype, -1);
	build_view_map(trigdata->tg_relation, table, entry, &map);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	written = EntityInsertRow(entry, table_row_for(trigdata, entry, table, &map));
	SPI_finish();

	if (written == (Datum) 0)
		result = NULL;			/* a trigger of the table skipped the row */
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		result = trigdata->tg_trigtuple;
	else
		result = view_row_from(written, view, table, &map);
	ReleaseTupleDesc(table);
	return PointerGetDatum(result);
}

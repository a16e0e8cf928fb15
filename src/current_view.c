/*
 * current_view.c
 *		The INSTEAD OF trigger of a versioned table's current view: INSERT,
 *		UPDATE and DELETE on the view append versions and tombstones to the
 *		table, so an ORM can treat the view as an ordinary table.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "immutable.h"

PG_FUNCTION_INFO_V1(immutable_write_current_view);

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

/* Match the view's columns to the table's by name. */
static void
build_view_map(TupleDesc view, TupleDesc table, ManagedRelation *entry,
			   ViewMap *map)
{
	int			i;

	map->table_attnum = palloc0(view->natts * sizeof(AttrNumber));
	map->view_entity_id = -1;
	map->view_version = -1;
	for (i = 0; i < view->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(view, i);

		if (att->attisdropped)
			continue;
		map->table_attnum[i] = find_column(table, NameStr(att->attname));
		if (map->table_attnum[i] == entry->att_entity_id)
			map->view_entity_id = i;
		else if (map->table_attnum[i] == entry->att_version)
			map->view_version = i;
	}
	if (map->view_entity_id < 0 || map->view_version < 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("current view has no column entity_id or version"),
				 errhint("Recreate it with immutable.make_mutable() and immutable.make_versioned().")));
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

		values[entry->att_entity_id - 1] =
			heap_getattr(old, map->view_entity_id + 1, view, &isnull);
		nulls[entry->att_entity_id - 1] = isnull;
		version = DatumGetInt32(heap_getattr(old, map->view_version + 1, view, &isnull));
		values[entry->att_version - 1] = Int32GetDatum(version + 1);
		nulls[entry->att_version - 1] = isnull;
	}
	values[entry->att_deleted_at - 1] =
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	nulls[entry->att_deleted_at - 1] = !TRIGGER_FIRED_BY_DELETE(event);

	return HeapTupleGetDatum(heap_form_tuple(table, values, nulls));
}

/* Return the appended table row reshaped as a row of the view. */
static HeapTuple
view_row_from(Datum written, TupleDesc view, TupleDesc table, ViewMap *map)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(written);
	HeapTupleData tuple;
	Datum	   *values = palloc(table->natts * sizeof(Datum));
	bool	   *nulls = palloc(table->natts * sizeof(bool));
	Datum	   *view_values = palloc0(view->natts * sizeof(Datum));
	bool	   *view_nulls = palloc(view->natts * sizeof(bool));
	int			i;

	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	tuple.t_data = td;
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
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
 * INSTEAD OF INSERT OR UPDATE OR DELETE FOR EACH ROW on the current view of
 * a versioned table.  INSERT appends the row (a new entity when entity_id is
 * NULL); UPDATE appends version OLD.version + 1 of OLD's entity with the new
 * values; DELETE appends a tombstone (OLD with deleted_at set).  Returns the
 * appended row as a row of the view (OLD for DELETE), so row counts and
 * RETURNING work.  Errors: those of the versioning trigger, notably 40001
 * when OLD was superseded by a concurrent writer; 55000 when the view is no
 * longer the current view of a versioned table; 39P01 when misused.
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
	table = lookup_rowtype_tupdesc_copy(entry->rowtype, -1);
	build_view_map(view, table, entry, &map);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	written = EntityInsertRow(entry, table_row_for(trigdata, entry, table, &map));
	SPI_finish();

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		result = trigdata->tg_trigtuple;
	else
		result = view_row_from(written, view, table, &map);
	return PointerGetDatum(result);
}

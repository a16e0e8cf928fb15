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
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "args.h"
#include "ddl.h"
#include "guard.h"
#include "registry.h"
#include "triggers.h"
#include "versioned_entity.h"
#include "versioned_current_view.h"
#include "versioned_heads.h"

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

		/* an INSERT that leaves id out names a new entity */
		if (expr == NULL && strcmp(SPI_getvalue(tuple, desc, 1), COL_ID) == 0)
			expr = "immutable.uuidv7()";
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
 * order, except that id shows the entity's stable identity (entity_id):
 * ORMs key their models on id, and a version row's id changes with every
 * update.  One row per entity however long the history, and a condition on
 * id, entity_id or a natural key becomes an index scan.
 */
static char *
view_query(Oid relid, Oid heads)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData columns;
	int			i;

	initStringInfo(&columns);
	for (i = 0; i < desc->natts; i++)
	{
		const char *name = NameStr(TupleDescAttr(desc, i)->attname);

		if (TupleDescAttr(desc, i)->attisdropped)
			continue;
		appendStringInfo(&columns, "%sh.%s", columns.len > 0 ? ", " : "",
						 quote_identifier(strcmp(name, COL_ID) == 0 ? COL_ENTITY_ID : name));
		if (strcmp(name, COL_ID) == 0)
			appendStringInfo(&columns, " AS %s", quote_identifier(COL_ID));
	}
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
 * For each column of the view, the attribute number of the table column it
 * shows (0 for none): the column of the same name, but entity_id for the
 * view's id; also where id, entity_id and version are in the view.
 */
typedef struct ViewMap
{
	AttrNumber *table_attnum;	/* indexed by view attribute number - 1 */
	int			view_id;		/* view attribute index, -1 when absent */
	int			view_entity_id;
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
 * table must be shown by a view column of the same name and type.  The
 * view's id shows the entity's identity, entity_id.
 */
static void
build_view_map(Relation viewrel, TupleDesc table, ManagedRelation *entry,
			   ViewMap *map)
{
	TupleDesc	view = RelationGetDescr(viewrel);
	bool	   *shown = palloc0(table->natts * sizeof(bool));
	int			i;

	map->table_attnum = palloc0(view->natts * sizeof(AttrNumber));
	map->view_id = -1;
	map->view_entity_id = -1;
	map->view_version = -1;
	for (i = 0; i < view->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(view, i);
		AttrNumber	named;
		Form_pg_attribute column;

		if (att->attisdropped)
			continue;
		named = find_column(table, NameStr(att->attname));
		if (named == InvalidAttrNumber)
			continue;
		shown[named - 1] = true;
		map->table_attnum[i] = named == entry->versioned.att_id ?
			entry->versioned.att_entity_id : named;
		column = TupleDescAttr(table, named - 1);
		if (column->atttypid != att->atttypid || column->atttypmod != att->atttypmod)
			report_view_mismatch(viewrel, column, "shows another type than");
		if (named == entry->versioned.att_id)
			map->view_id = i;
		else if (named == entry->versioned.att_entity_id)
			map->view_entity_id = i;
		else if (named == entry->versioned.att_version)
			map->view_version = i;
	}
	for (i = 0; i < table->natts; i++)
	{
		if (!shown[i] && !TupleDescAttr(table, i)->attisdropped)
			report_view_mismatch(viewrel, TupleDescAttr(table, i), "does not show");
	}
}

/* Return the uuid of a view column as text, for messages. */
static char *
uuid_text(Datum value)
{
	return DatumGetCString(DirectFunctionCall1(uuid_out, value));
}

/*
 * Is the uuid column view_index of NEW left as OLD had it?  NULL counts as
 * unchanged: ORMs write back the columns of an instance they created, and
 * do not read entity_id back.
 */
static bool
uuid_unchanged(HeapTuple newtuple, HeapTuple old, TupleDesc view, int view_index)
{
	bool		newnull;
	bool		oldnull;
	Datum		newval = heap_getattr(newtuple, view_index + 1, view, &newnull);
	Datum		oldval = heap_getattr(old, view_index + 1, view, &oldnull);

	return newnull || (!oldnull &&
					   DatumGetBool(DirectFunctionCall2(uuid_eq, newval, oldval)));
}

/*
 * Refuse an UPDATE through the view that changes the entity's identity (id
 * or entity_id; 23001): the version it appends belongs to the entity of OLD.
 * The version it writes is ignored, as ORMs write back the version they
 * read: their optimistic locks work by the WHERE clause (version = read).
 */
static void
check_view_update(Relation viewrel, ViewMap *map, HeapTuple newtuple, HeapTuple old)
{
	TupleDesc	view = RelationGetDescr(viewrel);
	int			identity[2] = {map->view_id, map->view_entity_id};
	int			i;

	for (i = 0; i < 2; i++)
	{
		if (identity[i] < 0 || uuid_unchanged(newtuple, old, view, identity[i]))
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("cannot change column \"%s\" of an entity through current view \"%s\"",
						NameStr(TupleDescAttr(view, identity[i])->attname),
						RelationGetRelationName(viewrel)),
				 errdetail("Columns id and entity_id of the view are the entity's identity in every version."),
				 errhint("Delete the entity and insert a new one.")));
	}
}

/*
 * Does entity_id have a head (a version), and is it a tombstone?  Read
 * from the heads table as the versioning trigger reads it, whatever the
 * writer's privileges on the table.
 */
static bool
entity_head(ManagedRelation *entry, Datum entity_id, bool *deleted)
{
	Relation	heads = table_open(entry->heads, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(heads, NULL);
	const AttrNumber *attmap = HEADS_ATTMAP(entry);
	AttrNumber	att_deleted = entry->versioned.att_deleted_at;
	bool		found = HeadsFetch(entry, heads, entity_id, SnapshotSelf, slot);

	if (found)
	{
		(void) slot_getattr(slot, attmap ? attmap[att_deleted - 1] : att_deleted, deleted);
		*deleted = !*deleted;
	}
	ExecDropSingleTupleTableSlot(slot);
	table_close(heads, AccessShareLock);
	return found;
}

/*
 * Number the first version of a new entity: NULL, 0 or 1 (the first values
 * of ORMs' optimistic locks) become 1; any other fails with 22023.
 */
static void
number_first_version(Relation viewrel, ManagedRelation *entry, Datum *values,
					 bool *nulls)
{
	AttrNumber	att_version = entry->versioned.att_version;
	int32		first = nulls[att_version - 1] ? 1 : DatumGetInt32(values[att_version - 1]);

	if (first != 0 && first != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("version %d cannot start a new entity through current view \"%s\"",
						first, RelationGetRelationName(viewrel)),
				 errdetail("A new entity starts at version 1; 0 and 1 are accepted as ORMs' first lock values."),
				 errhint("Leave version out, or give the entity_id of an existing entity.")));
	values[att_version - 1] = Int32GetDatum(1);
	nulls[att_version - 1] = false;
}

/*
 * Decide entity_id and version of a row an INSERT through the view appends.
 * entity_id given: that entity's next version, as an INSERT into the table
 * (or version 1 of an entity of that entity_id if none exists).  Otherwise
 * id names the entity: a new one (the view's default for id is a new
 * UUIDv7, or the client generated the key), or a deleted one, which the row
 * undeletes; an id of a live entity fails with 23505 as a duplicate key of a
 * table would, and a NULL id with 23502, unless the view's id has no default
 * (1.0's view, until ALTER EXTENSION immutable UPDATE replaces it): then the
 * row is a new entity as in 1.0.  A new entity accepts version NULL, 0 or 1
 * (the first value of ORMs' optimistic locks) and gets version 1.
 */
static void
identify_new_row(Relation viewrel, ManagedRelation *entry, ViewMap *map,
				 HeapTuple source, Datum *values, bool *nulls)
{
	TupleDesc	view = RelationGetDescr(viewrel);
	AttrNumber	att_entity = entry->versioned.att_entity_id;
	AttrNumber	att_version = entry->versioned.att_version;
	bool		by_id = nulls[att_entity - 1];
	bool		deleted;

	if (by_id && map->view_id >= 0)
		values[att_entity - 1] = heap_getattr(source, map->view_id + 1, view,
											  &nulls[att_entity - 1]);
	if (nulls[att_entity - 1] &&
		(map->view_id < 0 || !TupleDescAttr(view, map->view_id)->atthasdef))
	{
		number_first_version(viewrel, entry, values, nulls);
		return;
	}
	if (nulls[att_entity - 1])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"id\" of current view \"%s\" names no entity",
						RelationGetRelationName(viewrel)),
				 errdetail("The view's id is the entity's identity, and entity_id is NULL too."),
				 errhint("Leave id out of the INSERT (its default is a new UUIDv7), or give the new entity a client-generated UUID.")));
	if (!entity_head(entry, values[att_entity - 1], &deleted))
		number_first_version(viewrel, entry, values, nulls);
	else if (by_id && !deleted)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("entity %s of current view \"%s\" exists already",
						uuid_text(values[att_entity - 1]), RelationGetRelationName(viewrel)),
				 errdetail("An INSERT through the view with an id creates the entity of that id."),
				 errhint("UPDATE the entity's row instead, or give its entity_id to append a version.")));
	else if (by_id)
		nulls[att_version - 1] = true;	/* undelete: the next version */
}

/*
 * Build the table row to append: the view row's values, and for UPDATE and
 * DELETE the entity and version number that follow the row the statement
 * read (OLD), so that a row superseded meanwhile fails with 40001 in the
 * versioning trigger instead of overwriting a newer version.  The table's
 * id is always new (the versioning trigger assigns it).
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

		if (attnum > 0 && i != map->view_id)
			values[attnum - 1] = heap_getattr(source, i + 1, view, &nulls[attnum - 1]);
	}

	if (TRIGGER_FIRED_BY_INSERT(event))
		identify_new_row(trigdata->tg_relation, entry, map, source, values, nulls);
	else
	{
		HeapTuple	old = trigdata->tg_trigtuple;
		bool		isnull;
		int32		version;

		if (TRIGGER_FIRED_BY_UPDATE(event))
			check_view_update(trigdata->tg_relation, map, source, old);
		values[entry->versioned.att_entity_id - 1] =
			heap_getattr(old, map->view_entity_id + 1, view, &isnull);
		nulls[entry->versioned.att_entity_id - 1] = isnull;
		version = DatumGetInt32(heap_getattr(old, map->view_version + 1, view, &isnull));
		values[entry->versioned.att_version - 1] = Int32GetDatum(version + 1);
		nulls[entry->versioned.att_version - 1] = isnull;
	}
	nulls[entry->versioned.att_id - 1] = true;
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
 * Append row through the versioning trigger; a serialization failure gets
 * the hint that fits a write through the view (the trigger's speaks of the
 * version column of an INSERT into the table).
 */
static Datum
append_through_view(ManagedRelation *entry, Datum row)
{
	MemoryContext context = CurrentMemoryContext;
	Datum		written = (Datum) 0;

	PG_TRY();
	{
		written = EntityInsertRow(entry, row);
	}
	PG_CATCH();
	{
		EntityRethrowConflict(context, "Read the row again through the view and retry the transaction.");
	}
	PG_END_TRY();
	return written;
}

/*
 * immutable.write_current_view() RETURNS trigger
 *
 * Trigger function (INSTEAD OF INSERT OR UPDATE OR DELETE FOR EACH ROW) of the
 * current view of a versioned table: writes to the view append versions to the
 * table.  The view's id is the entity's identity (entity_id), so that ORMs
 * keyed on id find the entity again after an update.  INSERT appends the next
 * version of the entity named by entity_id (as an INSERT into the table), or
 * else creates the entity named by id (the view's default for id is a new
 * UUIDv7; a client-generated key becomes entity_id; version NULL, 0 or 1, the
 * first values of ORMs' optimistic locks) or undeletes it; UPDATE appends
 * version OLD.version + 1 of OLD's entity with the new values (the version
 * written is ignored); DELETE appends a tombstone (OLD with deleted_at set).
 * Returns the appended row as a row of the view (OLD for DELETE), so row
 * counts and RETURNING work; NULL (the row is not counted) when a BEFORE
 * INSERT trigger of the table cancelled it, as an INSERT into the table
 * would.  Errors: those of the versioning trigger, notably 40001 when OLD was
 * superseded by a concurrent writer (with a hint to read the row again);
 * 23502 for an INSERT with id and entity_id NULL; 23505 for an INSERT with
 * the id of a live entity; 22023 for a new entity with a version other than
 * NULL, 0 or 1; 23001 for an UPDATE that changes id or entity_id;
 * 55000 when the view is no longer the current view of a versioned table, or
 * no longer shows a column of the table under its name and type; 39P01 when
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
	written = append_through_view(entry, table_row_for(trigdata, entry, table, &map));
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

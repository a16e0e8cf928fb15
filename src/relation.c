/*
 * relation.c
 *		Small facts about relations that SQL text and row copies need: the
 *		qualified name, how a query names the rows of a table itself, the
 *		owner, and the map between two tables' rows by column name.
 */
#include "postgres.h"

#include "access/attmap.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "relation.h"

/*
 * Return the attribute number of the column of desc named like att and of
 * att's type, or 0.
 */
static AttrNumber
same_column(TupleDesc desc, Form_pg_attribute att)
{
	int			i;

	if (att->attisdropped)
		return 0;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute other = TupleDescAttr(desc, i);

		if (!other->attisdropped &&
			strcmp(NameStr(other->attname), NameStr(att->attname)) == 0)
			return other->atttypid == att->atttypid &&
				other->atttypmod == att->atttypmod ? i + 1 : 0;
	}
	return 0;
}

/*
 * Return the map that converts rows of indesc to rows of outdesc by column
 * name, NULL when the layouts are equal.  Unlike convert_tuples_by_name, a
 * column missing from indesc (or of another type) becomes NULL: between an
 * ALTER TABLE of a versioned table and its heads table following it, the
 * two differ, and the entry is built then too; rows are only converted
 * after they agree again.
 */
TupleConversionMap *
RelationConversionMap(TupleDesc indesc, TupleDesc outdesc)
{
	AttrMap    *attrmap = make_attrmap(outdesc->natts);
	bool		identity = indesc->natts == outdesc->natts;
	TupleConversionMap *map;
	int			i;

	for (i = 0; i < outdesc->natts; i++)
	{
		attrmap->attnums[i] = same_column(indesc, TupleDescAttr(outdesc, i));
		if (attrmap->attnums[i] != i + 1 && !TupleDescAttr(outdesc, i)->attisdropped)
			identity = false;
	}
	if (identity)
	{
		free_attrmap(attrmap);
		return NULL;
	}
	map = palloc(sizeof(TupleConversionMap));
	map->indesc = indesc;
	map->outdesc = outdesc;
	map->attrMap = attrmap;
	map->invalues = palloc((indesc->natts + 1) * sizeof(Datum));
	map->inisnull = palloc((indesc->natts + 1) * sizeof(bool));
	map->invalues[0] = (Datum) 0;
	map->inisnull[0] = true;
	map->outvalues = palloc(outdesc->natts * sizeof(Datum));
	map->outisnull = palloc(outdesc->natts * sizeof(bool));
	return map;
}

/* Return the owner of relid. */
Oid
RelationOwner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Return how queries name the rows of relid itself: ONLY relid for an
 * ordinary table (not its inheritance children), relid for a partitioned
 * table (its partitions hold its rows).
 */
const char *
RelationTableScan(Oid relid)
{
	const char *table = RelationQualifiedName(relid);

	if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
		return table;
	return psprintf("ONLY %s", table);
}

/* Return schema.table of relid, each part quoted as needed. */
char *
RelationQualifiedName(Oid relid)
{
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  relname);
}

/*
 * relation.h
 *		Names, owners and row conversion of relations.
 */
#ifndef IMMUTABLE_RELATION_H
#define IMMUTABLE_RELATION_H

#include "access/tupconvert.h"

extern char *RelationQualifiedName(Oid relid);
extern const char *RelationTableScan(Oid relid);
extern Oid	RelationOwner(Oid relid);
extern TupleConversionMap *RelationConversionMap(TupleDesc indesc, TupleDesc outdesc);

#endif							/* IMMUTABLE_RELATION_H */

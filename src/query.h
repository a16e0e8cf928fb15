/*
 * query.h
 *		Returning rows of time-travel queries.
 */
#ifndef IMMUTABLE_QUERY_H
#define IMMUTABLE_QUERY_H

#include "fmgr.h"
#include "registry.h"

extern Datum QueryReturnRows(FunctionCallInfo fcinfo, ManagedRelation *entry,
							 EntityPlan which, Datum *args);

#endif							/* IMMUTABLE_QUERY_H */

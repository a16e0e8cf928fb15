/*
 * system_time.h
 *		The SQL:2011 FOR SYSTEM_TIME queries.
 */
#ifndef IMMUTABLE_SYSTEM_TIME_H
#define IMMUTABLE_SYSTEM_TIME_H

#include "lib/stringinfo.h"

#include "registry.h"

extern void SystemTimeQuery(StringInfo buf, ManagedRelation *entry, Relation rel,
							EntityPlan which);

#endif							/* IMMUTABLE_SYSTEM_TIME_H */

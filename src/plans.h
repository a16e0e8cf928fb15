/*
 * plans.h
 *		The kept SPI plans of managed tables: their query texts, preparation,
 *		cache and invalidation, in one place.
 */
#ifndef IMMUTABLE_PLANS_H
#define IMMUTABLE_PLANS_H

#include "access/tupconvert.h"
#include "executor/spi.h"
#include "tcop/dest.h"

#include "registry.h"

/* The statements kept per managed table. */
typedef enum KeptPlan
{
	PLAN_INSERT,				/* versioned: INSERT a whole row, RETURNING it */
	PLAN_UPDATE,				/* versioned: INSERT head with jsonb changes
								 * applied */
	PLAN_HISTORY,				/* versioned: every version of one entity */
	PLAN_AS_OF_ENTITY,			/* versioned: one entity at a time (infinity:
								 * latest) */
	PLAN_AS_OF_ALL,				/* versioned: every entity at a time */
	PLAN_PERIOD_AS_OF,			/* FOR SYSTEM_TIME AS OF $1 */
	PLAN_PERIOD_FROM_TO,		/* FOR SYSTEM_TIME FROM $1 TO $2 */
	PLAN_PERIOD_BETWEEN,		/* FOR SYSTEM_TIME BETWEEN $1 AND $2 */
	PLAN_PERIOD_CONTAINED_IN,	/* FOR SYSTEM_TIME CONTAINED IN ($1, $2) */
	PLAN_PERIOD_ALL,			/* FOR SYSTEM_TIME ALL */
	PLAN_HISTORY_INSERT,		/* system-versioned: INSERT a history row by
								 * SQL */
	NUM_KEPT_PLANS
} KeptPlan;

extern void PlansInit(void);
extern uint64 PlanExecute(ManagedRelation *entry, KeptPlan which, Datum *args,
						  bool read_only, long limit);
extern void PlanExecuteInto(ManagedRelation *entry, KeptPlan which, Datum *args,
							DestReceiver *dest);
extern SPIPlanPtr PlanHistoryInsert(Oid relid, Oid trigger, Relation history,
									TupleConversionMap *to_history);
extern void PlanForgetHistoryInsert(Oid relid, Oid trigger);

#endif							/* IMMUTABLE_PLANS_H */

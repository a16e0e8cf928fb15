/*
 * system_versioned_period.h
 *		Periods and history rows of system-versioned tables, shared by the
 *		trigger functions.
 */
#ifndef IMMUTABLE_SYSTEM_VERSIONED_PERIOD_H
#define IMMUTABLE_SYSTEM_VERSIONED_PERIOD_H

#include "access/htup.h"
#include "access/tupconvert.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* What the triggers need to know about one system-versioned table. */
typedef struct Versioning
{
	AttrNumber	att_period;
	Oid			history;
	TupleConversionMap *to_history; /* NULL when the layouts are equal */
	const char *adjust;			/* "true" or "false", or the trigger argument */
	bool		retry_conflicts;	/* 40001, not 22000 (unless adjust) */
	Oid			plan_relid;		/* whose history insert plan (plans.c) */
	Oid			plan_trigger;
} Versioning;

extern HeapTuple PeriodSet(Relation rel, Versioning *v, HeapTuple tuple,
						   TimestampTz start, TimestampTz *end);
extern TimestampTz PeriodStart(Relation rel, HeapTuple tuple, AttrNumber attnum);
extern bool PeriodWrittenByMe(Relation rel, HeapTuple tuple, AttrNumber attnum);
extern TimestampTz PeriodChangeTime(Relation rel, TimestampTz start, Versioning *v);
extern void PeriodWriteHistory(Relation rel, Versioning *v, HeapTuple old,
							   TimestampTz start, TimestampTz end);
extern TimestampTz PeriodRecordChange(Relation rel, Versioning *v, HeapTuple old);
extern void PeriodRecordConversion(Oid relid, TimestampTz start);

#endif							/* IMMUTABLE_SYSTEM_VERSIONED_PERIOD_H */

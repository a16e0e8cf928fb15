/*
 * period.h
 *		The system time and the system-versioning triggers.
 */
#ifndef IMMUTABLE_PERIOD_H
#define IMMUTABLE_PERIOD_H

#include "utils/timestamp.h"

extern TimestampTz SystemTime(void);
extern void SystemTimeRecordConversion(Oid relid, TimestampTz start);

#endif							/* IMMUTABLE_PERIOD_H */

/*
 * system_time.h
 *		The system time of system-versioned tables.
 */
#ifndef IMMUTABLE_SYSTEM_TIME_H
#define IMMUTABLE_SYSTEM_TIME_H

#include "utils/timestamp.h"

extern TimestampTz SystemTime(void);

#endif							/* IMMUTABLE_SYSTEM_TIME_H */

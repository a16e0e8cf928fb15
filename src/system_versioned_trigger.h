/*
 * system_versioned_trigger.h
 *		The triggers make_system_versioned attaches.
 */
#ifndef IMMUTABLE_SYSTEM_VERSIONED_TRIGGER_H
#define IMMUTABLE_SYSTEM_VERSIONED_TRIGGER_H

#include "fmgr.h"

#include "registry.h"

extern Datum SystemVersionedTriggerCall(FunctionCallInfo fcinfo, const char *funcname,
										ManagedRelation *entry);

#endif							/* IMMUTABLE_SYSTEM_VERSIONED_TRIGGER_H */

/*
 * system_versioned.h
 *		Making a table system-versioned: its period, history table and triggers.
 */
#ifndef IMMUTABLE_SYSTEM_VERSIONED_H
#define IMMUTABLE_SYSTEM_VERSIONED_H

#include "nodes/nodes.h"

#include "registry.h"

extern void SystemVersionedMakeMutable(Oid relid, Oid history, const char *table);
extern void SystemVersionedFollowOwner(ManagedRelation *entry);
extern void SystemVersionedRefresh(ManagedRelation *entry, Node *parsetree);

#endif							/* IMMUTABLE_SYSTEM_VERSIONED_H */

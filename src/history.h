/*
 * history.h
 *		Making a table system-versioned: its period, history table and triggers.
 */
#ifndef IMMUTABLE_HISTORY_H
#define IMMUTABLE_HISTORY_H

#include "nodes/nodes.h"

#include "registry.h"

extern void HistoryMakeMutable(Oid relid, Oid history, const char *table);
extern void HistoryRefresh(ManagedRelation *entry, Node *parsetree);

#endif							/* IMMUTABLE_HISTORY_H */

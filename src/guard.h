/*
 * guard.h
 *		The write guard: the triggers that refuse every change to protected
 *		relations, the one way the extension's own writes get past them
 *		(write windows), and the checks every trigger function of the
 *		extension starts with.
 */
#ifndef IMMUTABLE_GUARD_H
#define IMMUTABLE_GUARD_H

#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"

#include "registry.h"
#include "triggers.h"

/* A mask of TRIGGER_EVENT_INSERT/UPDATE/DELETE/TRUNCATE. */

/*
 * One write the extension makes to a relation that refuses changes: the
 * relation is named by its kind and the managed table it belongs to (the
 * table itself, or the table of a heads or history table, whose partitions
 * count as that history table), events is a TRIGGER_OP_BIT mask, and rows
 * bounds how many row changes pass (-1: any number).
 */
typedef struct GuardWindow
{
	ManagedKind kind;
	Oid			table;
	uint32		events;
	int64		rows;
} GuardWindow;

extern GuardWindow *GuardOpen(GuardWindow *window);
extern void GuardClose(GuardWindow *outer);
extern int	GuardExecute(const GuardWindow *window, const char *sql, int nargs,
						 Oid *argtypes, Datum *args);

extern void GuardRefuseChange(ManagedRelation *entry, Relation rel, const char *relname,
							  TriggerEvent event);


#endif							/* IMMUTABLE_GUARD_H */

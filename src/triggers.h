/*
 * triggers.h
 *		The table of the triggers the extension attaches: each one's name,
 *		timing, events, level and function.  Creating, recognizing, guarding
 *		and dropping them all start from it.
 */
#ifndef IMMUTABLE_TRIGGERS_H
#define IMMUTABLE_TRIGGERS_H

#include "commands/trigger.h"
#include "fmgr.h"

/* The bit of one operation (TRIGGER_EVENT_INSERT, ...) in an events mask. */
#define TRIGGER_OP_BIT(event) (1U << ((event) & TRIGGER_EVENT_OPMASK))

/* The names of the extension's triggers; BEFORE triggers fire in name order. */
#define TRIGGER_REFUSE_CHANGE	"immutable_refuse_change"
#define TRIGGER_REFUSE_TRUNCATE	"immutable_refuse_truncate"
#define TRIGGER_STAMP_VERSION	"zz_immutable_stamp_version"	/* fires last */
#define TRIGGER_ADD_HEAD		"immutable_add_head"
#define TRIGGER_SYSTEM_PERIOD	"zz_immutable_system_period"	/* fires last */
#define TRIGGER_WRITE_HISTORY	"immutable_write_history"
#define TRIGGER_CURRENT_VIEW	"immutable_write_current_view"
#define TRIGGER_HASH_CHAIN		"zz_immutable_hash_chain"	/* fires last */

/* The extension's triggers, as the table in triggers.c lists them. */
typedef enum ExtensionTrigger
{
	TRG_REFUSE_CHANGE,			/* a managed table: UPDATE, DELETE */
	TRG_REFUSE_WRITE,			/* a heads or history table: any write */
	TRG_REFUSE_TRUNCATE,
	TRG_STAMP_VERSION,
	TRG_ADD_HEAD,
	TRG_SYSTEM_PERIOD,
	TRG_SYSTEM_PERIOD_PARTITIONED,	/* a partitioned table: no DELETE */
	TRG_WRITE_HISTORY,
	TRG_CURRENT_VIEW,
	TRG_HASH_CHAIN,
	NUM_EXTENSION_TRIGGERS
} ExtensionTrigger;

extern char *TriggerDefinition(ExtensionTrigger trigger, const char *relation,
							   const char *args, bool replace);
extern bool TriggerIsExtensionTrigger(const char *name);
extern const char *TriggerName(int i);
extern int	TriggerNameCount(void);
extern void TriggerCheckCall(FunctionCallInfo fcinfo, const char *funcname,
							 uint32 timing, bool for_row, uint32 events);
extern void TriggerCheckFiresLast(Relation rel, Trigger *self, int16 events);

#endif							/* IMMUTABLE_TRIGGERS_H */

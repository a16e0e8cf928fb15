/*
 * ddl.h
 *		Running DDL for the extension through SPI, and its event triggers.
 */
#ifndef IMMUTABLE_DDL_H
#define IMMUTABLE_DDL_H

#include "lib/stringinfo.h"
#include "nodes/nodes.h"
#include "utils/relcache.h"

#include "triggers.h"

extern void DdlRun(const char *sql, int expected);
extern void DdlRunAsOwner(Oid relid, const char *sql, int expected);
extern void DdlRunOnCompanion(Oid relid, const char *sql, bool as_extension_owner);
extern void DdlGiveCompanionToOwner(Oid relid, Oid companion, const char *kind);
extern void DdlGiveToTableOwner(Oid relid, const char *kind, const char *object);
extern int	DdlBegin(void);
extern Oid *DdlResultOids(uint64 *n);
extern void DdlEnd(int nestlevel);
extern void DdlFollowColumnRename(Oid relid, Node *parsetree);
extern void DdlAttachRefusingTriggers(Oid relid);
extern void DdlAttachTrigger(ExtensionTrigger trigger, Oid relid, const char *args);
extern void DdlDetachTriggers(Oid relid);
extern void DdlAppendColumns(StringInfo buf, Relation rel, const char *prefix,
							 bool insertable);
extern void DdlRecordRegistration(Oid relid);
extern void DdlProtectPartitions(Oid root);
extern void DdlUnprotectPartitions(Oid root);

#endif							/* IMMUTABLE_DDL_H */

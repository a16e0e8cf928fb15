/*
 * versioned_current_view.h
 *		The current view of a versioned table.
 */
#ifndef IMMUTABLE_VERSIONED_CURRENT_VIEW_H
#define IMMUTABLE_VERSIONED_CURRENT_VIEW_H


extern Oid	CurrentViewCreate(Oid relid, Oid heads, const char *name);
extern void CurrentViewRefresh(Oid relid, Oid heads, Oid viewid);

#endif							/* IMMUTABLE_VERSIONED_CURRENT_VIEW_H */

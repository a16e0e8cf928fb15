/*
 * hash.h
 *		The canonical encoding and SHA-256 hashing of rows.
 */
#ifndef IMMUTABLE_HASH_H
#define IMMUTABLE_HASH_H

#include "lib/stringinfo.h"
#include "access/tupdesc.h"

typedef struct RowEncoder RowEncoder;
extern RowEncoder *HashRowEncoder(TupleDesc desc, AttrNumber hash, AttrNumber prev_hash,
								  MemoryContext cxt);
extern void HashRow(RowEncoder *encoder, const uint8 *prev, Datum *values, bool *isnull,
					uint8 *const *redacted, StringInfo buf, uint8 *out);
extern void HashValueDigest(RowEncoder *encoder, AttrNumber attnum, Datum value, uint8 *out);

#endif							/* IMMUTABLE_HASH_H */

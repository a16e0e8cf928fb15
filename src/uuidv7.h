/*
 * uuidv7.h
 *		UUID version 7 (RFC 9562).
 */
#ifndef IMMUTABLE_UUIDV7_H
#define IMMUTABLE_UUIDV7_H

#include "utils/uuid.h"

extern pg_uuid_t *Uuidv7Generate(void);

#endif							/* IMMUTABLE_UUIDV7_H */

/*
 * sha256.h
 *		SHA-256 of a byte string.
 */
#ifndef IMMUTABLE_SHA256_H
#define IMMUTABLE_SHA256_H

#define SHA256_LENGTH	32

extern void Sha256(const void *data, size_t len, uint8 *out);

#endif							/* IMMUTABLE_SHA256_H */
